/* tto-test-media.c: libtto-media for real: GStreamer pipelines recording
 * from test sources, attachments through a real relay and MariaDB, images
 * made with GdkPixbuf, a sticker library in a temporary XDG_DATA_HOME
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <string.h>

#include "tto-media.h"
#include "tto-protocol.h"
#include "tto-test-harness.h"

#define GRACE 600
#define RECORD_MS 2000
#define ASYNC_TIMEOUT_MS 15000

#define VOICE_SOURCE "audiotestsrc is-live=true freq=440 volume=0.5"
#define VIDEO_SOURCE "videotestsrc is-live=true pattern=ball"

/* Async helpers: run the default main context until a result arrives. */

static void
on_result (GObject *source,
           GAsyncResult *result,
           gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
on_wait_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add (ASYNC_TIMEOUT_MS, on_wait_timeout, &timed_out);

  while (*result == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (*result == NULL)
    g_error ("no result within %d ms", ASYNC_TIMEOUT_MS);
  g_source_remove (source);

  return *result;
}

static GBytes *
make_image (int width,
            int height,
            gboolean alpha,
            const char *format)
{
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, width, height);
  g_autoptr (GError) error = NULL;
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  char *buffer;
  gsize length;

  /* A gradient: real pictures are not flat. */
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = pixels + y * stride + x * channels;

        p[0] = (guint8) (x * 255 / MAX (width - 1, 1));
        p[1] = (guint8) (y * 255 / MAX (height - 1, 1));
        p[2] = 128;
        if (alpha)
          p[3] = (guint8) (x < width / 2 ? 255 : 128);
      }

  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &length, format, &error, NULL));
  g_assert_no_error (error);

  return g_bytes_new_take (buffer, length);
}

/* A 1×1 transparent GIF. */
static const guint8 tiny_gif[] = {
  'G', 'I', 'F', '8', '9', 'a', 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0xff, 0xff, 0xff,
  0x00, 0x00, 0x00, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00,
  0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b
};

static GBytes *
text_bytes (void)
{
  static const char text[] = "this is not an image, only some words\n";

  return g_bytes_new_static (text, sizeof text - 1);
}

/* Thumbnails */

static TtoThumbnailer *
thumbnail (GBytes *image,
           GError **error)
{
  g_autoptr (TtoThumbnailer) thumbnailer = tto_thumbnailer_new (image, 0);

  if (!tto_thumbnailer_run (thumbnailer, NULL, error))
    return NULL;

  return g_steal_pointer (&thumbnailer);
}

static void
assert_thumbnail_decodes (TtoThumbnailer *thumbnailer)
{
  g_autoptr (GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  g_autoptr (GError) error = NULL;
  GdkPixbuf *pixbuf;

  gdk_pixbuf_loader_write_bytes (loader, tto_thumbnailer_get_thumbnail (thumbnailer), &error);
  g_assert_no_error (error);
  gdk_pixbuf_loader_close (loader, &error);
  g_assert_no_error (error);
  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==,
                   tto_thumbnailer_get_thumbnail_width (thumbnailer));
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==,
                   tto_thumbnailer_get_thumbnail_height (thumbnailer));
}

static void
test_thumbnail_formats (void)
{
  const char *const formats[] = { "png", "jpeg", "webp" };

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autoptr (GBytes) image = make_image (1200, 800, FALSE, formats[i]);
      g_autoptr (TtoThumbnailer) thumbnailer = NULL;
      g_autoptr (GError) error = NULL;

      thumbnailer = thumbnail (image, &error);
      g_assert_no_error (error);
      g_test_message ("%s 1200x800 (%zu bytes) -> %ux%u %s (%zu bytes)", formats[i],
                      g_bytes_get_size (image),
                      tto_thumbnailer_get_thumbnail_width (thumbnailer),
                      tto_thumbnailer_get_thumbnail_height (thumbnailer),
                      tto_thumbnailer_get_mime_type (thumbnailer),
                      g_bytes_get_size (tto_thumbnailer_get_thumbnail (thumbnailer)));
      g_assert_cmpstr (tto_thumbnailer_get_source_format (thumbnailer), ==, formats[i]);
      g_assert_cmpuint (tto_thumbnailer_get_width (thumbnailer), ==, 1200);
      g_assert_cmpuint (tto_thumbnailer_get_height (thumbnailer), ==, 800);
      g_assert_cmpuint (tto_thumbnailer_get_thumbnail_width (thumbnailer), ==, 320);
      g_assert_cmpuint (tto_thumbnailer_get_thumbnail_height (thumbnailer), ==, 213);
      g_assert_cmpstr (tto_thumbnailer_get_mime_type (thumbnailer), ==, "image/jpeg");
      assert_thumbnail_decodes (thumbnailer);
    }
}

static void
test_thumbnail_alpha_small_gif (void)
{
  g_autoptr (GBytes) portrait = make_image (600, 1000, TRUE, "png");
  g_autoptr (GBytes) small = make_image (100, 50, FALSE, "png");
  g_autoptr (GBytes) gif = g_bytes_new_static (tiny_gif, sizeof tiny_gif);
  g_autoptr (TtoThumbnailer) thumbnailer = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  /* Transparency stays: PNG. Run in a thread, as the UI does. */
  thumbnailer = tto_thumbnailer_new (portrait, 0);
  tto_thumbnailer_run_async (thumbnailer, NULL, on_result, &result);
  g_assert_true (tto_thumbnailer_run_finish (thumbnailer, wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (tto_thumbnailer_get_mime_type (thumbnailer), ==, "image/png");
  g_assert_cmpuint (tto_thumbnailer_get_thumbnail_width (thumbnailer), ==, 192);
  g_assert_cmpuint (tto_thumbnailer_get_thumbnail_height (thumbnailer), ==, 320);
  assert_thumbnail_decodes (thumbnailer);
  g_clear_object (&thumbnailer);

  /* Never enlarged. */
  thumbnailer = thumbnail (small, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tto_thumbnailer_get_thumbnail_width (thumbnailer), ==, 100);
  g_assert_cmpuint (tto_thumbnailer_get_thumbnail_height (thumbnailer), ==, 50);
  g_clear_object (&thumbnailer);

  thumbnailer = thumbnail (gif, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tto_thumbnailer_get_source_format (thumbnailer), ==, "gif");
  g_assert_cmpuint (tto_thumbnailer_get_width (thumbnailer), ==, 1);
  assert_thumbnail_decodes (thumbnailer);
}

/* A JPEG whose EXIF says "turn 90° clockwise to view" (orientation 6). */
static GBytes *
make_rotated_jpeg (int width,
                   int height)
{
  static const guint8 app1[] = {
    0xff, 0xe1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0x00, 0x00,
    'M', 'M', 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08,             /* TIFF header, IFD0 at 8 */
    0x00, 0x01,                                               /* one entry */
    0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00, /* orientation 6 */
    0x00, 0x00, 0x00, 0x00,                                   /* no next IFD */
  };
  g_autoptr (GBytes) jpeg = make_image (width, height, FALSE, "jpeg");
  gsize size;
  const guint8 *data = g_bytes_get_data (jpeg, &size);
  GByteArray *out = g_byte_array_new ();

  g_assert_true (data[0] == 0xff && data[1] == 0xd8);
  g_byte_array_append (out, data, 2);
  g_byte_array_append (out, app1, sizeof app1);
  g_byte_array_append (out, data + 2, (guint) size - 2);

  return g_byte_array_free_to_bytes (out);
}

static void
test_thumbnail_orientation (void)
{
  g_autoptr (GBytes) rotated = make_rotated_jpeg (1200, 800);
  g_autoptr (TtoThumbnailer) thumbnailer = NULL;
  g_autoptr (GError) error = NULL;

  thumbnailer = thumbnail (rotated, &error);
  g_assert_no_error (error);
  /* Seen upright: a portrait photo. */
  g_assert_cmpuint (tto_thumbnailer_get_width (thumbnailer), ==, 800);
  g_assert_cmpuint (tto_thumbnailer_get_height (thumbnailer), ==, 1200);
  g_assert_cmpuint (tto_thumbnailer_get_thumbnail_width (thumbnailer), ==, 213);
  g_assert_cmpuint (tto_thumbnailer_get_thumbnail_height (thumbnailer), ==, 320);
  assert_thumbnail_decodes (thumbnailer);
}

static void
test_thumbnail_not_an_image (void)
{
  g_autoptr (GBytes) text = text_bytes ();
  g_autoptr (GBytes) truncated = NULL;
  g_autoptr (GBytes) png = make_image (64, 64, FALSE, "png");
  g_autoptr (TtoThumbnailer) thumbnailer = NULL;
  g_autoptr (GError) error = NULL;

  thumbnailer = thumbnail (text, &error);
  g_assert_error (error, TTO_THUMBNAILER_ERROR, TTO_THUMBNAILER_ERROR_NOT_AN_IMAGE);
  g_assert_null (thumbnailer);
  g_clear_error (&error);

  /* A PNG cut short is no image either. */
  truncated = g_bytes_new_from_bytes (png, 0, 40);
  thumbnailer = thumbnail (truncated, &error);
  g_assert_error (error, TTO_THUMBNAILER_ERROR, TTO_THUMBNAILER_ERROR_NOT_AN_IMAGE);
}

/* Sticker library */

static GFile *
write_temp_file (const char *dir,
                 const char *name,
                 GBytes *bytes)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes),
                       &error);
  g_assert_no_error (error);

  return g_file_new_for_path (path);
}

static GBytes *
make_noise_png (int side)
{
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, side, side);
  g_autoptr (GError) error = NULL;
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  gsize n = (gsize) gdk_pixbuf_get_rowstride (pixbuf) * side;
  char *buffer;
  gsize length;

  for (gsize i = 0; i < n; i++)
    pixels[i] = (guint8) g_random_int_range (0, 256);
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &length, "png", &error, NULL));

  return g_bytes_new_take (buffer, length);
}

static void
test_sticker_library (void)
{
  g_autofree char *input_dir = g_build_filename (g_get_tmp_dir (), "sticker-input", NULL);
  g_autofree char *expected_root = g_build_filename (g_get_user_data_dir (), "tto", "stickers",
                                                     NULL);
  g_autoptr (GBytes) png = make_image (100, 100, TRUE, "png");
  g_autoptr (GBytes) big_webp = make_image (800, 600, TRUE, "webp");
  g_autoptr (GBytes) jpeg = make_image (100, 100, FALSE, "jpeg");
  g_autoptr (GBytes) text = text_bytes ();
  g_autoptr (GBytes) noise = make_noise_png (512);
  g_autoptr (GBytes) gif = g_bytes_new_static (tiny_gif, sizeof tiny_gif);
  g_autoptr (GFile) png_file = NULL;
  g_autoptr (GFile) webp_file = NULL;
  g_autoptr (GFile) gif_file = NULL;
  g_autoptr (GFile) jpeg_file = NULL;
  g_autoptr (GFile) text_file = NULL;
  g_autoptr (GFile) noise_file = NULL;
  g_autoptr (TtoStickerLibrary) library = NULL;
  g_autoptr (TtoStickerLibrary) again = NULL;
  g_autoptr (TtoSticker) happy = NULL;
  g_autoptr (TtoSticker) happy2 = NULL;
  g_autoptr (TtoSticker) wide = NULL;
  g_autoptr (TtoSticker) tiny = NULL;
  g_autoptr (TtoSticker) rejected = NULL;
  g_autoptr (GListModel) cats = NULL;
  g_autoptr (GListModel) dogs = NULL;
  g_autoptr (GdkPixbuf) stored = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *root_path = NULL;
  g_autofree char *happy_path = NULL;
  GListModel *packs;

  /* G_TEST_OPTION_ISOLATE_DIRS: a fresh XDG_DATA_HOME for this test. */
  g_assert_cmpint (g_mkdir_with_parents (input_dir, 0700), ==, 0);
  png_file = write_temp_file (input_dir, "happy.png", png);
  webp_file = write_temp_file (input_dir, "wide.webp", big_webp);
  gif_file = write_temp_file (input_dir, "tiny.gif", gif);
  jpeg_file = write_temp_file (input_dir, "photo.jpg", jpeg);
  text_file = write_temp_file (input_dir, "notes.png", text);
  noise_file = write_temp_file (input_dir, "noise.png", noise);
  g_assert_cmpuint (g_bytes_get_size (noise), >, TTO_STICKER_LIBRARY_MAX_BYTES);

  library = tto_sticker_library_new (NULL);
  root_path = g_file_get_path (tto_sticker_library_get_root (library));
  g_assert_cmpstr (root_path, ==, expected_root);
  packs = tto_sticker_library_get_packs (library);
  g_assert_cmpuint (g_list_model_get_n_items (packs), ==, 0);

  /* A model asked for before its pack exists fills in when it does. */
  cats = tto_sticker_library_get_stickers (library, "cats");
  g_assert_cmpuint (g_list_model_get_n_items (cats), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (packs), ==, 0);

  happy = tto_sticker_library_import (library, "cats", png_file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tto_sticker_get_pack (happy), ==, "cats");
  g_assert_cmpstr (tto_sticker_get_name (happy), ==, "happy");
  g_assert_cmpstr (tto_sticker_get_mime_type (happy), ==, "image/png");
  happy_path = g_file_get_path (tto_sticker_get_file (happy));
  g_assert_true (g_str_has_prefix (happy_path, expected_root));
  g_assert_true (g_file_test (happy_path, G_FILE_TEST_IS_REGULAR));
  {
    g_autoptr (GBytes) copy = tto_sticker_load_bytes (happy, NULL, &error);

    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (copy, png));
  }
  g_assert_cmpuint (g_list_model_get_n_items (packs), ==, 1);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (packs), 0), ==, "cats");
  g_assert_cmpuint (g_list_model_get_n_items (cats), ==, 1);

  /* The same name again gets a free one. */
  happy2 = tto_sticker_library_import (library, "cats", png_file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tto_sticker_get_name (happy2), ==, "happy-2");

  /* Larger than 512 px: scaled down, stored as PNG. */
  wide = tto_sticker_library_import (library, "dogs", webp_file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tto_sticker_get_mime_type (wide), ==, "image/png");
  stored = gdk_pixbuf_new_from_file (g_file_peek_path (tto_sticker_get_file (wide)), &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (stored), ==, 512);
  g_assert_cmpint (gdk_pixbuf_get_height (stored), ==, 384);

  tiny = tto_sticker_library_import (library, "cats", gif_file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tto_sticker_get_mime_type (tiny), ==, "image/gif");

  g_assert_cmpuint (g_list_model_get_n_items (packs), ==, 2);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (packs), 1), ==, "dogs");
  g_assert_cmpuint (g_list_model_get_n_items (cats), ==, 3);

  /* Refused: no image, a JPEG, too many bytes, a bad pack name. */
  rejected = tto_sticker_library_import (library, "cats", text_file, NULL, &error);
  g_assert_error (error, TTO_STICKER_LIBRARY_ERROR, TTO_STICKER_LIBRARY_ERROR_NOT_AN_IMAGE);
  g_assert_null (rejected);
  g_clear_error (&error);
  rejected = tto_sticker_library_import (library, "cats", jpeg_file, NULL, &error);
  g_assert_error (error, TTO_STICKER_LIBRARY_ERROR, TTO_STICKER_LIBRARY_ERROR_UNSUPPORTED_FORMAT);
  g_clear_error (&error);
  rejected = tto_sticker_library_import (library, "cats", noise_file, NULL, &error);
  g_assert_error (error, TTO_STICKER_LIBRARY_ERROR, TTO_STICKER_LIBRARY_ERROR_TOO_LARGE);
  g_clear_error (&error);
  rejected = tto_sticker_library_import (library, "../escape", png_file, NULL, &error);
  g_assert_error (error, TTO_STICKER_LIBRARY_ERROR, TTO_STICKER_LIBRARY_ERROR_INVALID_NAME);
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (cats), ==, 3);

  /* Another instance reads the same library from disk. */
  again = tto_sticker_library_new (NULL);
  g_assert_cmpuint (g_list_model_get_n_items (tto_sticker_library_get_packs (again)), ==, 2);
  dogs = tto_sticker_library_get_stickers (again, "dogs");
  g_assert_cmpuint (g_list_model_get_n_items (dogs), ==, 1);
  {
    g_autoptr (GListModel) cats_again = tto_sticker_library_get_stickers (again, "cats");
    g_autoptr (TtoSticker) first = g_list_model_get_item (cats_again, 0);

    g_assert_cmpuint (g_list_model_get_n_items (cats_again), ==, 3);
    g_assert_cmpstr (tto_sticker_get_name (first), ==, "happy");
  }

  /* Delete one sticker, then a whole pack. */
  g_assert_true (tto_sticker_library_remove (library, happy, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (happy_path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (g_list_model_get_n_items (cats), ==, 2);
  g_assert_false (tto_sticker_library_remove (library, happy, &error));
  g_assert_error (error, TTO_STICKER_LIBRARY_ERROR, TTO_STICKER_LIBRARY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (tto_sticker_library_remove_pack (library, "cats", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (cats), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (packs), ==, 1);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (packs), 0), ==, "dogs");
  g_assert_true (tto_sticker_library_reload (again, &error));
  g_assert_cmpuint (g_list_model_get_n_items (tto_sticker_library_get_packs (again)), ==, 1);
}

/* Recorders without devices */

static void
test_no_microphone (void)
{
  g_autoptr (TtoVoiceRecorder) recorder = tto_voice_recorder_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  /* A microphone that cannot be opened. */
  tto_voice_recorder_set_source (recorder, "pulsesrc server=unix:/nonexistent/tto-test");
  tto_voice_recorder_start_async (recorder, NULL, on_result, &result);
  g_assert_false (tto_voice_recorder_start_finish (recorder, wait_result (&result), &error));
  g_assert_error (error, TTO_VOICE_RECORDER_ERROR, TTO_VOICE_RECORDER_ERROR_NO_MICROPHONE);
  g_test_message ("no microphone: %s", error->message);
  g_assert_cmpint (tto_voice_recorder_get_state (recorder), ==, TTO_RECORDER_STATE_FAILED);
  g_clear_error (&error);
  g_clear_object (&result);

  /* The system's default: here or in CI usually none; either it records
   * or it says there is no microphone. */
  tto_voice_recorder_set_source (recorder, NULL);
  tto_voice_recorder_start_async (recorder, NULL, on_result, &result);
  if (tto_voice_recorder_start_finish (recorder, wait_result (&result), &error))
    {
      g_test_message ("a default microphone records here");
      tto_voice_recorder_cancel (recorder);
      g_assert_cmpint (tto_voice_recorder_get_state (recorder), ==, TTO_RECORDER_STATE_IDLE);
    }
  else
    {
      g_assert_error (error, TTO_VOICE_RECORDER_ERROR, TTO_VOICE_RECORDER_ERROR_NO_MICROPHONE);
      g_test_message ("default microphone: %s", error->message);
    }
}

static void
test_no_camera (void)
{
  g_autoptr (TtoVideoRecorder) recorder = tto_video_recorder_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  tto_video_recorder_set_source (recorder, "v4l2src device=/dev/tto-test-no-camera");
  tto_video_recorder_set_with_audio (recorder, FALSE);
  tto_video_recorder_start_async (recorder, NULL, on_result, &result);
  g_assert_false (tto_video_recorder_start_finish (recorder, wait_result (&result), &error));
  g_assert_error (error, TTO_VIDEO_RECORDER_ERROR, TTO_VIDEO_RECORDER_ERROR_NO_CAMERA);
  g_test_message ("no camera: %s", error->message);
  g_clear_error (&error);
  g_clear_object (&result);

  tto_video_recorder_set_source (recorder, NULL);
  tto_video_recorder_start_async (recorder, NULL, on_result, &result);
  if (tto_video_recorder_start_finish (recorder, wait_result (&result), &error))
    {
      g_test_message ("a default camera records here");
      tto_video_recorder_cancel (recorder);
    }
  else
    {
      g_assert_error (error, TTO_VIDEO_RECORDER_ERROR, TTO_VIDEO_RECORDER_ERROR_NO_CAMERA);
      g_test_message ("default camera: %s", error->message);
    }
}

static void
test_video_limit (void)
{
  g_autoptr (TtoVideoRecorder) recorder = tto_video_recorder_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GBytes) recording = NULL;
  g_autoptr (GError) error = NULL;
  gint64 deadline;

  tto_video_recorder_set_source (recorder, VIDEO_SOURCE);
  tto_video_recorder_set_with_audio (recorder, FALSE);
  tto_video_recorder_set_max_duration_ms (recorder, 1000);
  tto_video_recorder_start_async (recorder, NULL, on_result, &result);
  g_assert_true (tto_video_recorder_start_finish (recorder, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  /* It stops by itself at the limit. */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (tto_video_recorder_get_state (recorder) != TTO_RECORDER_STATE_FINISHED &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (tto_video_recorder_get_state (recorder), ==, TTO_RECORDER_STATE_FINISHED);
  g_assert_cmpuint (tto_video_recorder_get_duration_ms (recorder), <=, 1000);
  g_assert_cmpuint (tto_video_recorder_get_duration_ms (recorder), >=, 900);

  tto_video_recorder_stop_async (recorder, NULL, on_result, &result);
  recording = tto_video_recorder_stop_finish (recorder, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (recording == tto_video_recorder_get_recording (recorder));
  g_assert_cmpuint (g_bytes_get_size (recording), >, 0);
}

/* Through a relay */

/* XDG_DATA_DIRS before G_TEST_OPTION_ISOLATE_DIRS, for the relay: it sniffs
 * the uploads' types with the system's MIME database. */
static char *system_data_dirs;

typedef struct
{
  TtoTestRelay *relay;
  TtoTestClient *ana;
  TtoTestClient *bo;
  char *event_id;
} Fixture;

static gboolean
fixture_open (Fixture *f,
              const char *const *relay_args)
{
  g_autoptr (JsonObject) event = NULL;

  memset (f, 0, sizeof *f);
  if (system_data_dirs != NULL)
    g_setenv ("XDG_DATA_DIRS", system_data_dirs, TRUE);
  else
    g_unsetenv ("XDG_DATA_DIRS");
  f->relay = tto_test_relay_start_with_args (GRACE, relay_args);
  if (f->relay == NULL)
    return FALSE;

  f->ana = tto_test_client_connect (f->relay);
  f->bo = tto_test_client_connect (f->relay);
  tto_test_client_create_identity (f->ana, "Ana");
  tto_test_client_create_identity (f->bo, "Bo");
  event = tto_test_client_create_event (f->ana, "Media", 0);
  f->event_id = g_strdup (json_object_get_string_member (event, "event_id"));
  json_object_unref (tto_test_client_join (f->bo, json_object_get_string_member (event,
                                                                                "invite_code")));
  tto_test_client_discard_pushes (f->ana);
  tto_test_client_discard_pushes (f->bo);

  return TRUE;
}

static void
fixture_close (Fixture *f)
{
  tto_test_client_close (f->ana);
  tto_test_client_close (f->bo);
  tto_test_relay_stop (f->relay);
  g_free (f->event_id);
}

typedef struct
{
  goffset done;
  goffset total;
  guint calls;
  GCancellable *cancel_after_first;
} Progress;

static void
on_progress (goffset done,
             goffset total,
             gpointer user_data)
{
  Progress *progress = user_data;

  g_assert_cmpint (done, >=, progress->done);
  progress->done = done;
  progress->total = total;
  progress->calls++;
  if (progress->cancel_after_first != NULL && done > 0)
    g_cancellable_cancel (progress->cancel_after_first);
}

static TtoBlobInfo *
upload (TtoBlobTransfer *transfer,
        const char *event_id,
        GBytes *data,
        Progress *progress,
        GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  tto_blob_transfer_upload_bytes_async (transfer, event_id, data,
                                        progress != NULL ? on_progress : NULL, progress, NULL,
                                        NULL, on_result, &result);

  return tto_blob_transfer_upload_finish (transfer, wait_result (&result), error);
}

static GBytes *
download (TtoBlobTransfer *transfer,
          const char *event_id,
          const char *blob_id,
          const char *sha256,
          Progress *progress,
          GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  tto_blob_transfer_download_async (transfer, event_id, blob_id, sha256,
                                    progress != NULL ? on_progress : NULL, progress, NULL, NULL,
                                    on_result, &result);

  return tto_blob_transfer_download_finish (transfer, wait_result (&result), error);
}

static TtoBlobTransfer *
transfer_for (Fixture *f,
              TtoTestClient *who)
{
  /* The WebSocket URL, as the app has it. */
  return tto_blob_transfer_new (NULL, tto_test_relay_get_ws_url (f->relay),
                                tto_test_client_get_token (who));
}

static char *
waveform_json (const guint8 *levels,
               gsize n)
{
  GString *json = g_string_new ("[");

  for (gsize i = 0; i < n; i++)
    g_string_append_printf (json, "%s%u", i > 0 ? "," : "", levels[i]);
  g_string_append_c (json, ']');

  return g_string_free (json, FALSE);
}

/* Sends @info as Ana's attachment, receives it as Bo, downloads it as Bo
 * and checks the bytes. Returns the downloaded bytes. */
static GBytes *
send_and_receive (Fixture *f,
                  TtoBlobInfo *info,
                  GBytes *sent,
                  const char *attachment_rest,
                  JsonObject **out_attachment)
{
  g_autoptr (TtoBlobTransfer) bo_transfer = transfer_for (f, f->bo);
  g_autoptr (TtoFrame) push = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *sum = NULL;
  Progress progress = { 0 };
  JsonObject *attachment;
  GBytes *received;

  tto_frame_free (tto_test_client_request_ok (
    f->ana, TTO_FRAME_MSG_SEND,
    tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"m1\",\"text\":\"\","
                          "\"attachment\":{\"blob_id\":\"%s\",%s}}",
                          f->event_id, info->blob_id, attachment_rest)));
  push = tto_test_client_wait_push (f->bo, TTO_FRAME_MSG_NEW, 5000);
  attachment = json_object_get_object_member (push->body, "attachment");
  g_assert_nonnull (attachment);
  g_assert_cmpstr (json_object_get_string_member (attachment, "blob_id"), ==, info->blob_id);
  g_assert_cmpstr (json_object_get_string_member (attachment, "sha256"), ==, info->sha256);
  g_assert_cmpint (json_object_get_int_member (attachment, "size"), ==,
                   g_bytes_get_size (sent));

  received = download (bo_transfer, f->event_id, info->blob_id,
                       json_object_get_string_member (attachment, "sha256"), &progress, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (received, sent));
  sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, received);
  g_assert_cmpstr (sum, ==, info->sha256);
  g_assert_cmpint (progress.done, ==, g_bytes_get_size (sent));
  g_assert_cmpint (progress.total, ==, g_bytes_get_size (sent));

  *out_attachment = json_object_ref (attachment);
  return received;
}

static TtoMediaProbe *
probe (GBytes *media)
{
  g_autoptr (TtoMediaProbe) media_probe = tto_media_probe_new (media);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  tto_media_probe_run_async (media_probe, NULL, on_result, &result);
  g_assert_true (tto_media_probe_run_finish (media_probe, wait_result (&result), &error));
  g_assert_no_error (error);

  return g_steal_pointer (&media_probe);
}

static void
assert_about_ms (guint value,
                 guint expected)
{
  g_assert_cmpuint (value, >=, expected * 9 / 10);
  g_assert_cmpuint (value, <=, expected * 11 / 10);
}

static void
test_voice_message (void)
{
  g_autoptr (TtoVoiceRecorder) recorder = tto_voice_recorder_new ();
  g_autoptr (TtoBlobTransfer) ana_transfer = NULL;
  g_autoptr (TtoBlobInfo) info = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GBytes) recording = NULL;
  g_autoptr (GBytes) received = NULL;
  g_autoptr (JsonObject) attachment = NULL;
  g_autoptr (TtoMediaProbe) media_probe = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *waveform = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *sum = NULL;
  Progress progress = { 0 };
  const guint8 *levels;
  gsize n_levels;
  guint loud = 0;
  Fixture f;

  if (!fixture_open (&f, NULL))
    return;

  tto_voice_recorder_set_source (recorder, VOICE_SOURCE);
  tto_voice_recorder_start_async (recorder, NULL, on_result, &result);
  g_assert_true (tto_voice_recorder_start_finish (recorder, wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpint (tto_voice_recorder_get_state (recorder), ==, TTO_RECORDER_STATE_RECORDING);
  g_clear_object (&result);

  tto_test_iterate_ms (RECORD_MS);
  g_assert_cmpfloat (tto_voice_recorder_get_level (recorder), >, 0.5);
  tto_voice_recorder_stop_async (recorder, NULL, on_result, &result);
  recording = tto_voice_recorder_stop_finish (recorder, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (tto_voice_recorder_get_state (recorder), ==, TTO_RECORDER_STATE_FINISHED);
  g_assert_cmpmem (g_bytes_get_data (recording, NULL), 4, "OggS", 4);
  assert_about_ms (tto_voice_recorder_get_duration_ms (recorder), RECORD_MS);

  levels = tto_voice_recorder_get_waveform (recorder, &n_levels);
  g_assert_cmpuint (n_levels, >, 10);
  g_assert_cmpuint (n_levels, <=, TTO_VOICE_RECORDER_MAX_WAVEFORM);
  for (gsize i = 0; i < n_levels; i++)
    loud += levels[i] > 150;
  /* A steady tone at half volume (−6 dBFS): loud all through. */
  g_assert_cmpuint (loud, >=, n_levels * 8 / 10);
  g_test_message ("voice: %u ms, %zu bytes, %zu levels (first %u)",
                  tto_voice_recorder_get_duration_ms (recorder), g_bytes_get_size (recording),
                  n_levels, levels[0]);

  ana_transfer = transfer_for (&f, f.ana);
  info = upload (ana_transfer, f.event_id, recording, &progress, &error);
  g_assert_no_error (error);
  sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, recording);
  g_assert_cmpstr (info->sha256, ==, sum);
  g_assert_cmpint (info->size, ==, g_bytes_get_size (recording));
  g_test_message ("relay says %s", info->mime_type);
  g_assert_true (g_str_has_prefix (info->mime_type, "audio/"));
  g_assert_cmpint (progress.done, ==, g_bytes_get_size (recording));
  g_assert_cmpint (progress.total, ==, g_bytes_get_size (recording));
  g_test_message ("uploaded as %s, %s", info->blob_id, info->mime_type);

  waveform = waveform_json (levels, n_levels);
  rest = g_strdup_printf ("\"kind\":\"voice\",\"name\":\"voice.ogg\",\"duration_ms\":%u,"
                          "\"waveform\":%s",
                          tto_voice_recorder_get_duration_ms (recorder), waveform);
  received = send_and_receive (&f, info, recording, rest, &attachment);
  g_assert_cmpstr (json_object_get_string_member (attachment, "kind"), ==, "voice");
  g_assert_cmpint (json_object_get_int_member (attachment, "duration_ms"), ==,
                   tto_voice_recorder_get_duration_ms (recorder));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (attachment,
                                                                         "waveform")),
                    ==, n_levels);

  media_probe = probe (received);
  g_test_message ("decoded: %u ms, %u audio buffers, %u video frames",
                  tto_media_probe_get_duration_ms (media_probe),
                  tto_media_probe_get_audio_buffers (media_probe),
                  tto_media_probe_get_video_frames (media_probe));
  assert_about_ms (tto_media_probe_get_duration_ms (media_probe), RECORD_MS);
  g_assert_cmpuint (tto_media_probe_get_audio_buffers (media_probe), >, 0);
  g_assert_cmpuint (tto_media_probe_get_video_frames (media_probe), ==, 0);

  fixture_close (&f);
}

static void
test_video_message (void)
{
  g_autoptr (TtoVideoRecorder) recorder = tto_video_recorder_new ();
  g_autoptr (TtoBlobTransfer) ana_transfer = NULL;
  g_autoptr (TtoBlobInfo) info = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GBytes) recording = NULL;
  g_autoptr (GBytes) received = NULL;
  g_autoptr (JsonObject) attachment = NULL;
  g_autoptr (TtoMediaProbe) media_probe = NULL;
  g_autoptr (GdkPaintable) image = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *rest = NULL;
  GdkTexture *preview;
  Fixture f;

  if (!fixture_open (&f, NULL))
    return;

  tto_video_recorder_set_source (recorder, VIDEO_SOURCE);
  tto_video_recorder_set_audio_source (recorder, VOICE_SOURCE);
  tto_video_recorder_start_async (recorder, NULL, on_result, &result);
  g_assert_true (tto_video_recorder_start_finish (recorder, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  tto_test_iterate_ms (RECORD_MS);

  /* The preview: frames as GdkTextures, and the recorder as a paintable. */
  g_assert_cmpuint (tto_video_recorder_get_preview_frames (recorder), >, 10);
  preview = tto_video_recorder_get_preview_texture (recorder);
  g_assert_nonnull (preview);
  g_assert_cmpint (gdk_texture_get_width (preview), ==, 640);
  g_assert_cmpint (gdk_texture_get_height (preview), ==, 360);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (recorder)), ==, 640);
  image = gdk_paintable_get_current_image (GDK_PAINTABLE (recorder));
  g_assert_true (GDK_IS_TEXTURE (image));

  tto_video_recorder_stop_async (recorder, NULL, on_result, &result);
  recording = tto_video_recorder_stop_finish (recorder, wait_result (&result), &error);
  g_assert_no_error (error);
  /* EBML magic: a Matroska/WebM file. */
  g_assert_cmpmem (g_bytes_get_data (recording, NULL), 4, "\x1a\x45\xdf\xa3", 4);
  assert_about_ms (tto_video_recorder_get_duration_ms (recorder), RECORD_MS);
  g_test_message ("video: %u ms, %zu bytes, %u preview frames",
                  tto_video_recorder_get_duration_ms (recorder), g_bytes_get_size (recording),
                  tto_video_recorder_get_preview_frames (recorder));

  ana_transfer = transfer_for (&f, f.ana);
  info = upload (ana_transfer, f.event_id, recording, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("uploaded as %s, %s", info->blob_id, info->mime_type);

  rest = g_strdup_printf ("\"kind\":\"video\",\"name\":\"video.webm\",\"duration_ms\":%u,"
                          "\"width\":640,\"height\":360",
                          tto_video_recorder_get_duration_ms (recorder));
  received = send_and_receive (&f, info, recording, rest, &attachment);
  g_assert_cmpstr (json_object_get_string_member (attachment, "kind"), ==, "video");

  media_probe = probe (received);
  g_test_message ("decoded: %u ms, %u audio buffers, %u video frames, %ux%u",
                  tto_media_probe_get_duration_ms (media_probe),
                  tto_media_probe_get_audio_buffers (media_probe),
                  tto_media_probe_get_video_frames (media_probe),
                  tto_media_probe_get_width (media_probe),
                  tto_media_probe_get_height (media_probe));
  assert_about_ms (tto_media_probe_get_duration_ms (media_probe), RECORD_MS);
  g_assert_cmpuint (tto_media_probe_get_video_frames (media_probe), >, 0);
  /* ≤ 24 fps */
  g_assert_cmpuint (tto_media_probe_get_video_frames (media_probe), <=, 24 * 23 / 10);
  g_assert_cmpuint (tto_media_probe_get_audio_buffers (media_probe), >, 0);
  g_assert_cmpuint (tto_media_probe_get_width (media_probe), ==, 640);
  g_assert_cmpuint (tto_media_probe_get_height (media_probe), ==, 360);

  fixture_close (&f);
}

static void
test_probe_not_media (void)
{
  g_autoptr (GBytes) text = text_bytes ();
  g_autoptr (TtoMediaProbe) media_probe = tto_media_probe_new (text);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  tto_media_probe_run_async (media_probe, NULL, on_result, &result);
  g_assert_false (tto_media_probe_run_finish (media_probe, wait_result (&result), &error));
  g_assert_error (error, TTO_MEDIA_PROBE_ERROR, TTO_MEDIA_PROBE_ERROR_NOT_MEDIA);
}

static const char *const small_limit_args[] = { "--max-blob-kib", "64", NULL };

/* The relay's whole answer, on a connection of our own, to upload headers it
 * refuses before the body; read up to the end of the connection, so a relay
 * that keeps the connection open fails here (timed out) rather than hangs. */
static char *
early_answer (Fixture *f,
              TtoTestClient *who,
              const char *length_header)
{
  g_autoptr (GUri) base = g_uri_parse (tto_test_relay_get_http_base (f->relay),
                                       G_URI_FLAGS_NONE, NULL);
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GString) answer = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *request = NULL;
  GOutputStream *out;
  GInputStream *in;
  char buffer[4096];
  gssize n;

  g_assert_nonnull (base);
  connection = g_socket_client_connect_to_host (client, g_uri_get_host (base),
                                                (guint16) g_uri_get_port (base), NULL, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 5);

  request = g_strdup_printf ("PUT /v1/events/%s/blobs HTTP/1.1\r\n"
                             "Host: %s:%d\r\n"
                             "Authorization: Bearer %s\r\n"
                             "Content-Type: application/octet-stream\r\n"
                             "%s\r\n"
                             "Expect: 100-continue\r\n"
                             "\r\n",
                             f->event_id, g_uri_get_host (base), g_uri_get_port (base),
                             tto_test_client_get_token (who), length_header);
  out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_assert_true (g_output_stream_write_all (out, request, strlen (request), NULL, NULL, &error));
  g_assert_no_error (error);

  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  while ((n = g_input_stream_read (in, buffer, sizeof buffer, NULL, &error)) > 0)
    g_string_append_len (answer, buffer, n);
  g_assert_no_error (error);

  return g_string_free (g_steal_pointer (&answer), FALSE);
}

static void
test_transfer_errors (void)
{
  g_autoptr (TtoBlobTransfer) ana_transfer = NULL;
  g_autoptr (TtoBlobTransfer) carol_transfer = NULL;
  g_autoptr (TtoBlobTransfer) bo_transfer = NULL;
  g_autoptr (TtoBlobInfo) info = NULL;
  g_autoptr (TtoBlobInfo) refused = NULL;
  g_autoptr (GBytes) too_big = g_bytes_new_take (g_malloc0 (100 * 1024), 100 * 1024);
  g_autoptr (GBytes) fits = make_image (120, 80, FALSE, "png");
  g_autoptr (GBytes) got = NULL;
  g_autoptr (GBytes) cancelled_data = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  TtoTestClient *carol;
  Progress progress = { 0 };
  Fixture f;

  if (!fixture_open (&f, small_limit_args))
    return;

  /* Refused from the headers, and the relay hangs up: the body it did not
   * read may still come and must not be taken for a next request (kept
   * alive, libsoup 3.2 clients also crash; see tto-blob-transfer.c). */
  {
    g_autofree char *too_large = early_answer (&f, f.ana, "Content-Length: 102400");
    g_autofree char *unsized = early_answer (&f, f.ana, "Transfer-Encoding: chunked");

    g_assert_true (g_str_has_prefix (too_large, "HTTP/1.1 413 "));
    g_assert_nonnull (strstr (too_large, "\"code\":\"too_large\""));
    g_assert_true (g_str_has_prefix (unsized, "HTTP/1.1 411 "));
    g_assert_nonnull (strstr (unsized, "\"code\":\"bad_frame\""));
  }

  carol = tto_test_client_connect (f.relay);
  tto_test_client_create_identity (carol, "Carol");
  ana_transfer = transfer_for (&f, f.ana);
  bo_transfer = transfer_for (&f, f.bo);
  carol_transfer = transfer_for (&f, carol);
  g_assert_cmpstr (tto_blob_transfer_get_base_url (ana_transfer), ==,
                   tto_test_relay_get_http_base (f.relay));

  /* Over the relay's 64 KiB: refused from the headers (Expect: 100-continue). */
  refused = upload (ana_transfer, f.event_id, too_big, &progress, &error);
  g_assert_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_TOO_LARGE);
  g_test_message ("too large: %s (%" G_GOFFSET_FORMAT " bytes sent)", error->message,
                  progress.done);
  /* Expect: 100-continue kept the body home. */
  g_assert_cmpint (progress.total, ==, 100 * 1024);
  g_assert_cmpint (progress.done, ==, 0);
  g_assert_null (refused);
  g_clear_error (&error);

  info = upload (ana_transfer, f.event_id, fits, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->mime_type, ==, "image/png");

  /* Not a member: neither download nor upload. */
  got = download (carol_transfer, f.event_id, info->blob_id, NULL, NULL, &error);
  g_assert_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_FORBIDDEN);
  g_assert_null (got);
  g_clear_error (&error);
  refused = upload (carol_transfer, f.event_id, fits, NULL, &error);
  g_assert_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_FORBIDDEN);
  g_clear_error (&error);

  /* No such blob; a wrong checksum. */
  got = download (bo_transfer, f.event_id, "nosuchblob000000", NULL, NULL, &error);
  g_assert_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_NOT_FOUND);
  g_clear_error (&error);
  got = download (bo_transfer, f.event_id, info->blob_id,
                  "0000000000000000000000000000000000000000000000000000000000000000", NULL,
                  &error);
  g_assert_error (error, TTO_BLOB_TRANSFER_ERROR, TTO_BLOB_TRANSFER_ERROR_CHECKSUM_MISMATCH);
  g_clear_error (&error);

  /* From a file, to a file. */
  {
    g_autofree char *dir = g_dir_make_tmp ("tto-transfer-XXXXXX", &error);
    g_autofree char *in_path = g_build_filename (dir, "in.png", NULL);
    g_autofree char *out_path = g_build_filename (dir, "out.png", NULL);
    g_autoptr (GFile) in = g_file_new_for_path (in_path);
    g_autoptr (GFile) out = g_file_new_for_path (out_path);
    g_autoptr (TtoBlobInfo) from_file = NULL;
    g_autoptr (GBytes) written = NULL;
    Progress file_progress = { 0 };

    g_assert_no_error (error);
    g_assert_true (g_file_set_contents (in_path, g_bytes_get_data (fits, NULL),
                                        (gssize) g_bytes_get_size (fits), NULL));
    tto_blob_transfer_upload_file_async (ana_transfer, f.event_id, in, on_progress,
                                         &file_progress, NULL, NULL, on_result, &result);
    from_file = tto_blob_transfer_upload_finish (ana_transfer, wait_result (&result), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (from_file->sha256, ==, info->sha256);
    g_assert_cmpint (file_progress.done, ==, g_bytes_get_size (fits));
    g_clear_object (&result);

    tto_blob_transfer_download_to_file_async (bo_transfer, f.event_id, from_file->blob_id,
                                              from_file->sha256, out, NULL, NULL, NULL, NULL,
                                              on_result, &result);
    g_assert_true (tto_blob_transfer_download_to_file_finish (bo_transfer,
                                                              wait_result (&result), &error));
    g_assert_no_error (error);
    g_clear_object (&result);
    written = g_file_load_bytes (out, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (written, fits));
    g_unlink (in_path);
    g_unlink (out_path);
    g_rmdir (dir);
  }

  /* Cancelled once the first bytes went out. */
  cancelled_data = g_bytes_new_take (g_malloc0 (60 * 1024), 60 * 1024);
  memset (&progress, 0, sizeof progress);
  progress.cancel_after_first = cancellable;
  tto_blob_transfer_upload_bytes_async (ana_transfer, f.event_id, cancelled_data, on_progress,
                                        &progress, NULL, cancellable, on_result, &result);
  refused = tto_blob_transfer_upload_finish (ana_transfer, wait_result (&result), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (progress.done, >, 0);
  g_assert_cmpint (progress.done, <, 60 * 1024);
  g_test_message ("cancelled after %" G_GOFFSET_FORMAT " of %d bytes", progress.done,
                  60 * 1024);
  g_clear_error (&error);

  tto_test_client_close (carol);
  fixture_close (&f);
}

int
main (int argc,
      char *argv[])
{
  /* GdkPixbuf recognises formats through the system's MIME database, which
   * isolated XDG_DATA_DIRS would hide. */
  g_content_type_set_mime_dirs (NULL);
  system_data_dirs = g_strdup (g_getenv ("XDG_DATA_DIRS"));
  /* Nor may GIO's proxy settings (GSettings schemas) be looked up there:
   * the relay is on loopback anyway. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/media/thumbnail/formats", test_thumbnail_formats);
  g_test_add_func ("/media/thumbnail/alpha-small-gif", test_thumbnail_alpha_small_gif);
  g_test_add_func ("/media/thumbnail/orientation", test_thumbnail_orientation);
  g_test_add_func ("/media/thumbnail/not-an-image", test_thumbnail_not_an_image);
  g_test_add_func ("/media/stickers/library", test_sticker_library);
  g_test_add_func ("/media/probe/not-media", test_probe_not_media);
  g_test_add_func ("/media/voice/no-microphone", test_no_microphone);
  g_test_add_func ("/media/video/no-camera", test_no_camera);
  g_test_add_func ("/media/video/limit", test_video_limit);
  g_test_add_func ("/media/voice/message", test_voice_message);
  g_test_add_func ("/media/video/message", test_video_message);
  g_test_add_func ("/media/transfer/errors", test_transfer_errors);

  return g_test_run ();
}
