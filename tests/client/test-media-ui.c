/* test-media-ui.c: attachments in the client's window against a real relay
 *
 * Runs under xvfb-run and dbus-run-session (see meson.build). Ana signs in
 * through the window and creates an event; Bo is a harness client. Ana sends
 * a picture and a text file through tto_chat_page_send_file() and records a
 * voice message; Bo receives them (kind, thumbnail, size, duration, waveform;
 * the file's bytes over HTTP with the same sha256). Bo uploads a picture and a sticker and sends them; Ana's rows show
 * them. Renders the conversation at phone and desktop sizes. The video
 * viewer and the player are closed right after they start, and at a few
 * later moments, without a warning.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <adwaita.h>
#include <libsoup/soup.h>

#include <gst/gst.h>

#include "tto-attachment-view.h"
#include "tto-client.h"
#include "tto-media-player.h"
#include "tto-media-viewer.h"
#include "tto-message-row.h"
#include "tto-test-gui.h"
#include "tto-test-harness.h"
#include "tto-window.h"

/* A PNG of @width×@height: a gradient, so thumbnails show something. */
static GBytes *
make_png (int width,
          int height,
          guint8 tint)
{
  g_autoptr (GBytes) pixels = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  guint8 *data = g_malloc (width * height * 3);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = data + (y * width + x) * 3;

        p[0] = (guint8) (x * 255 / width);
        p[1] = (guint8) (y * 255 / height);
        p[2] = tint;
      }
  pixels = g_bytes_new_take (data, width * height * 3);
  texture = gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8, pixels, width * 3);
  return gdk_texture_save_to_png_bytes (texture);
}

static GBytes *
http (TtoTestRelay *relay,
      const char *method,
      const char *path,
      const char *token,
      GBytes *body,
      guint expected_status)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (tto_test_relay_get_http_base (relay), path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autofree char *value = g_strconcat ("Bearer ", token, NULL);
  g_autoptr (GError) error = NULL;
  GBytes *result;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/octet-stream", body);
  result = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, expected_status);
  return result;
}

/* Bo's upload: the blob id. */
static char *
upload (TtoTestRelay *relay,
        TtoTestClient *who,
        const char *event_id,
        GBytes *data)
{
  g_autofree char *path = g_strdup_printf ("/v1/events/%s/blobs", event_id);
  g_autoptr (GBytes) answer = http (relay, "PUT", path, tto_test_client_get_token (who), data,
                                    201);
  g_autoptr (JsonObject) object = tto_test_json_object ("%.*s", (int) g_bytes_get_size (answer),
                                                        (const char *) g_bytes_get_data (answer,
                                                                                         NULL));

  return g_strdup (json_object_get_string_member (object, "blob_id"));
}

/* The next msg.new Bo receives that carries an attachment. */
static TtoFrame *
wait_attachment (TtoTestClient *c)
{
  for (;;)
    {
      TtoFrame *frame = tto_test_client_wait_push (c, TTO_FRAME_MSG_NEW, TTO_TEST_GUI_TIMEOUT_MS);

      g_assert_nonnull (frame);
      if (json_object_has_member (frame->body, "attachment") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (frame->body, "attachment")))
        return frame;
      tto_frame_free (frame);
    }
}

static GFile *
write_temp (const char *dir,
            const char *name,
            GBytes *bytes)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                                      g_bytes_get_size (bytes), &error));
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

/* The video viewer closed right after its bytes load, and a little later. */
static void
check_viewer_teardown (TtoWindow *window,
                       TtoSession *session,
                       TtoMessage *message)
{
  static const guint delays_ms[] = { 0, 10, 50, 200 };

  for (guint i = 0; i < G_N_ELEMENTS (delays_ms); i++)
    {
      TtoMediaViewer *viewer = tto_media_viewer_new (GTK_WINDOW (window), session, message);
      gint64 end;

      gtk_window_present (GTK_WINDOW (viewer));
      WAIT_FOR (tto_media_viewer_get_loaded (viewer));
      end = g_get_monotonic_time () + delays_ms[i] * 1000;
      while (g_get_monotonic_time () < end)
        g_main_context_iteration (NULL, FALSE);
      gtk_window_destroy (GTK_WINDOW (viewer));
    }
  tto_test_gui_settle (100);
}

static void
test_attachments (void)
{
  TtoTestRelay *relay = tto_test_relay_start (60);
  TtoWindow *window;
  TtoSession *session;
  TtoChatPage *chat;
  TtoEvent *event;
  GListModel *messages;
  TtoMessageRow *row;
  GtkWidget *view;
  GtkWidget *attach;
  TtoTestClient *bo;
  JsonObject *attachment;
  g_autoptr (JsonObject) joined = NULL;
  g_autoptr (TtoFrame) frame = NULL;
  g_autoptr (GBytes) photo = NULL;
  g_autoptr (GBytes) notes = NULL;
  g_autoptr (GBytes) plan = NULL;
  g_autoptr (GBytes) sticker = NULL;
  g_autoptr (GBytes) downloaded = NULL;
  g_autoptr (GFile) photo_file = NULL;
  g_autoptr (GFile) notes_file = NULL;
  g_autoptr (GFile) sticker_file = NULL;
  g_autoptr (GBytes) sticker_png = NULL;
  g_autoptr (TtoSticker) my_sticker = NULL;
  GtkWidget *stickers_button;
  g_autoptr (GError) error = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *blob_path = NULL;
  g_autofree char *expected_sha = NULL;
  g_autofree char *got_sha = NULL;
  g_autofree char *plan_id = NULL;
  g_autofree char *sticker_id = NULL;
  const char *event_id;
  const char *text = "Agenda\n09:30 arrive\n10:00 walk the site\n";

  if (relay == NULL)
    return;

  window = tto_test_gui_new_window ();
  chat = tto_window_get_chat_page (window);
  tto_test_gui_sign_in (window, tto_test_relay_get_ws_url (relay), "Ana");
  session = tto_window_get_session (window);

  event = g_object_ref (tto_test_gui_create_event (window, "Site visit", "Plan the visit", NULL));
  event_id = tto_event_get_id (event);
  g_assert_true (tto_event_has_form (event, TTO_FORM_FILE));

  bo = tto_test_client_connect (relay);
  tto_test_client_create_identity (bo, "Bo");
  joined = tto_test_client_join (bo, tto_event_get_invite_code (event));
  WAIT_FOR (tto_event_get_member_count (event) == 2);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tto_window_get_create_page (window)),
                                             "create.open-chat", NULL));
  messages = tto_session_get_messages (session, event);
  tto_test_gui_settle (200);

  /* The composer's Attach button: there, labelled, big enough to touch. */
  attach = tto_test_gui_find_button_by_action (GTK_WIDGET (chat), "chat.attach");
  g_assert_nonnull (attach);
  g_assert_true (gtk_widget_get_visible (attach));
  g_assert_cmpint (gtk_widget_get_width (attach), >=, 44);
  g_assert_cmpint (gtk_widget_get_height (attach), >=, 44);

  tmpdir = g_dir_make_tmp ("tto-media-ui-XXXXXX", &error);
  g_assert_no_error (error);

  /* A picture: Bo gets an image with a thumbnail and its size. */
  photo = make_png (640, 480, 160);
  photo_file = write_temp (tmpdir, "photo.png", photo);
  tto_test_client_discard_pushes (bo);
  tto_chat_page_send_file (chat, photo_file);
  WAIT_FOR (g_list_model_get_n_items (messages) == 1);
  row = tto_test_gui_wait_row (chat, tto_test_gui_message_at (messages, 0));
  view = tto_message_row_get_attachment_view (row);
  g_assert_nonnull (view);
  g_assert_cmpstr (tto_attachment_view_get_kind (TTO_ATTACHMENT_VIEW (view)), ==, "image");
  frame = wait_attachment (bo);
  attachment = json_object_get_object_member (frame->body, "attachment");
  g_assert_cmpstr (json_object_get_string_member (attachment, "kind"), ==, "image");
  g_assert_cmpstr (json_object_get_string_member (attachment, "name"), ==, "photo.png");
  g_assert_nonnull (json_object_get_string_member_with_default (attachment, "thumbnail_blob_id",
                                                                NULL));
  g_assert_cmpint (json_object_get_int_member (attachment, "width"), ==, 640);
  g_assert_cmpint (json_object_get_int_member (attachment, "height"), ==, 480);
  g_clear_pointer (&frame, tto_frame_free);
  WAIT_FOR (tto_message_get_seq (tto_test_gui_message_at (messages, 0)) > 0);

  /* A text file: Bo downloads the same bytes. */
  notes = g_bytes_new_static (text, strlen (text));
  notes_file = write_temp (tmpdir, "agenda.txt", notes);
  tto_chat_page_send_file (chat, notes_file);
  frame = wait_attachment (bo);
  attachment = json_object_get_object_member (frame->body, "attachment");
  g_assert_cmpstr (json_object_get_string_member (attachment, "kind"), ==, "file");
  g_assert_cmpstr (json_object_get_string_member (attachment, "name"), ==, "agenda.txt");
  blob_path = g_strdup_printf ("/v1/events/%s/blobs/%s", event_id,
                               json_object_get_string_member (attachment, "blob_id"));
  downloaded = http (relay, "GET", blob_path, tto_test_client_get_token (bo), NULL, 200);
  expected_sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, notes);
  got_sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, downloaded);
  g_assert_cmpstr (got_sha, ==, expected_sha);
  g_clear_pointer (&frame, tto_frame_free);
  WAIT_FOR (g_list_model_get_n_items (messages) == 2);
  row = tto_test_gui_wait_row (chat, tto_test_gui_message_at (messages, 1));
  view = tto_message_row_get_attachment_view (row);
  g_assert_nonnull (view);
  g_assert_cmpstr (tto_attachment_view_get_kind (TTO_ATTACHMENT_VIEW (view)), ==, "file");
  WAIT_FOR (!tto_attachment_view_get_uploading (TTO_ATTACHMENT_VIEW (view)));

  /* A voice message, recorded while the button is held. */
  g_assert_true (tto_event_has_form (event, TTO_FORM_VOICE_MESSAGE));
  tto_chat_page_start_voice (chat);
  WAIT_FOR (tto_chat_page_get_recording (chat));
  tto_test_gui_settle (1200);
  tto_test_gui_screenshot (GTK_WINDOW (window), "media-recording");
  tto_chat_page_finish_voice (chat, TRUE);
  g_assert_false (tto_chat_page_get_recording (chat));
  frame = wait_attachment (bo);
  attachment = json_object_get_object_member (frame->body, "attachment");
  g_assert_cmpstr (json_object_get_string_member (attachment, "kind"), ==, "voice");
  g_assert_cmpint (json_object_get_int_member (attachment, "duration_ms"), >=, 1000);
  g_assert_true (json_object_has_member (attachment, "waveform"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (attachment, "waveform")),
                    >, 0);
  g_clear_pointer (&frame, tto_frame_free);
  WAIT_FOR (g_list_model_get_n_items (messages) == 3);
  row = tto_test_gui_wait_row (chat, tto_test_gui_message_at (messages, 2));
  view = tto_message_row_get_attachment_view (row);
  g_assert_nonnull (view);
  g_assert_cmpstr (tto_attachment_view_get_kind (TTO_ATTACHMENT_VIEW (view)), ==, "voice");

  /* Bo sends a picture with a caption, then a sticker: Ana's rows show them. */
  plan = make_png (800, 600, 40);
  plan_id = upload (relay, bo, event_id, plan);
  frame = tto_test_client_request_ok (
      bo, TTO_FRAME_MSG_SEND,
      tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"bo-plan\","
                            "\"text\":\"The floor plan\",\"attachment\":"
                            "{\"blob_id\":\"%s\",\"kind\":\"image\","
                            "\"name\":\"plan.png\",\"width\":800,"
                            "\"height\":600}}",
                            event_id, plan_id));
  g_clear_pointer (&frame, tto_frame_free);
  WAIT_FOR (g_list_model_get_n_items (messages) == 4);
  row = tto_test_gui_wait_row (chat, tto_test_gui_message_at (messages, 3));
  view = tto_message_row_get_attachment_view (row);
  g_assert_nonnull (view);
  g_assert_cmpstr (tto_attachment_view_get_kind (TTO_ATTACHMENT_VIEW (view)), ==, "image");
  g_assert_cmpstr (tto_message_row_get_text (row), ==, "The floor plan");
  WAIT_FOR (tto_attachment_view_has_picture (TTO_ATTACHMENT_VIEW (view)));

  sticker = make_png (160, 160, 220);
  sticker_id = upload (relay, bo, event_id, sticker);
  frame = tto_test_client_request_ok (
      bo, TTO_FRAME_MSG_SEND,
      tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"bo-st\","
                            "\"text\":\"\",\"attachment\":"
                            "{\"blob_id\":\"%s\",\"kind\":\"sticker\","
                            "\"width\":160,\"height\":160}}",
                            event_id, sticker_id));
  g_clear_pointer (&frame, tto_frame_free);
  WAIT_FOR (g_list_model_get_n_items (messages) == 5);
  row = tto_test_gui_wait_row (chat, tto_test_gui_message_at (messages, 4));
  view = tto_message_row_get_attachment_view (row);
  g_assert_nonnull (view);
  g_assert_cmpstr (tto_attachment_view_get_kind (TTO_ATTACHMENT_VIEW (view)), ==, "sticker");
  WAIT_FOR (tto_attachment_view_has_picture (TTO_ATTACHMENT_VIEW (view)));
  /* The own picture shows too, from the local bytes or the relay. */
  WAIT_FOR (
      tto_attachment_view_has_picture (TTO_ATTACHMENT_VIEW (tto_message_row_get_attachment_view (
          tto_test_gui_wait_row (chat, tto_test_gui_message_at (messages, 0))))));

  /* The list only estimates rows it has not made yet: jump to the end once
   * they are all measured. */
  tto_test_gui_resize (GTK_WINDOW (window), 360, 720);
  gtk_widget_activate_action (GTK_WIDGET (chat), "chat.jump-to-latest", NULL);
  tto_test_gui_screenshot (GTK_WINDOW (window), "media-chat");
  tto_test_gui_resize (GTK_WINDOW (window), 1280, 800);
  gtk_widget_activate_action (GTK_WIDGET (chat), "chat.jump-to-latest", NULL);
  tto_test_gui_screenshot (GTK_WINDOW (window), "media-chat");

  /* A slip of the finger sends nothing. */
  tto_chat_page_start_voice (chat);
  WAIT_FOR (tto_chat_page_get_recording (chat));
  tto_chat_page_finish_voice (chat, TRUE);
  g_assert_false (tto_chat_page_get_recording (chat));
  tto_test_gui_settle (300);
  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, 5);

  /* Stickers: the button next to Attach opens the picker; a picture
   * imported into the (temporary) library shows in it and goes to Bo as a
   * sticker. */
  tto_test_gui_resize (GTK_WINDOW (window), 360, 720);
  stickers_button = tto_test_gui_find_button_by_tooltip (GTK_WIDGET (chat), "Stickers");
  g_assert_nonnull (stickers_button);
  g_assert_true (gtk_widget_get_visible (stickers_button));
  g_assert_cmpint (gtk_widget_get_width (stickers_button), >=, 44);
  g_assert_cmpint (gtk_widget_get_height (stickers_button), >=, 44);
  sticker_png = make_png (256, 256, 90);
  sticker_file = write_temp (tmpdir, "wave.png", sticker_png);
  my_sticker = tto_chat_page_import_sticker (chat, sticker_file, &error);
  g_assert_no_error (error);
  g_assert_nonnull (my_sticker);
  g_assert_cmpstr (tto_sticker_get_pack (my_sticker), ==, "My stickers");
  tto_chat_page_show_sticker_picker (chat, TRUE);
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (tto_chat_page_get_sticker_popover (chat))));
  WAIT_FOR (gtk_grid_view_get_model (tto_chat_page_get_sticker_grid (chat)) != NULL &&
            g_list_model_get_n_items (G_LIST_MODEL (
              gtk_grid_view_get_model (tto_chat_page_get_sticker_grid (chat)))) == 1);
  tto_test_gui_screenshot_with_popover (GTK_WINDOW (window),
                                        tto_chat_page_get_sticker_popover (chat), "sticker-picker");
  tto_test_client_discard_pushes (bo);
  tto_chat_page_send_sticker (chat, my_sticker);
  WAIT_FOR (!gtk_widget_get_visible (GTK_WIDGET (tto_chat_page_get_sticker_popover (chat))));
  frame = wait_attachment (bo);
  attachment = json_object_get_object_member (frame->body, "attachment");
  g_assert_cmpstr (json_object_get_string_member (attachment, "kind"), ==, "sticker");
  g_assert_cmpint (json_object_get_int_member (attachment, "width"), ==, 256);
  g_assert_cmpint (json_object_get_int_member (attachment, "height"), ==, 256);
  g_clear_pointer (&frame, tto_frame_free);
  WAIT_FOR (g_list_model_get_n_items (messages) == 6);
  row = tto_test_gui_wait_row (chat, tto_test_gui_message_at (messages, 5));
  view = tto_message_row_get_attachment_view (row);
  g_assert_nonnull (view);
  g_assert_cmpstr (tto_attachment_view_get_kind (TTO_ATTACHMENT_VIEW (view)), ==, "sticker");
  g_assert_true (tto_sticker_library_remove_pack (tto_chat_page_get_sticker_library (chat),
                                                  "My stickers", &error));
  g_assert_no_error (error);

  /* A video message: a second of the test source, recorded in the dialog
   * (its preview showing), reaches Bo with its duration. */
  g_assert_true (tto_event_has_form (event, TTO_FORM_VIDEO_MESSAGE));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chat), "chat.video-message", NULL));
  g_assert_nonnull (tto_chat_page_get_video_dialog (chat));
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (tto_chat_page_get_video_dialog (chat))));
  tto_chat_page_record_video_message (chat, TRUE);
  WAIT_FOR (tto_chat_page_get_video_state (chat) == TTO_RECORDER_STATE_RECORDING);
  tto_test_gui_settle (1200);
  tto_test_gui_screenshot_unsized (tto_chat_page_get_video_dialog (chat), "video-message-dialog");
  tto_test_client_discard_pushes (bo);
  tto_chat_page_send_video_message (chat);
  WAIT_FOR (tto_chat_page_get_video_dialog (chat) == NULL);
  frame = wait_attachment (bo);
  attachment = json_object_get_object_member (frame->body, "attachment");
  g_assert_cmpstr (json_object_get_string_member (attachment, "kind"), ==, "video");
  g_assert_cmpint (json_object_get_int_member (attachment, "duration_ms"), >=, 800);
  g_assert_cmpint (json_object_get_int_member (attachment, "duration_ms"), <=, 60000);
  g_assert_nonnull (json_object_get_string_member_with_default (attachment, "thumbnail_blob_id",
                                                                NULL));
  g_clear_pointer (&frame, tto_frame_free);
  WAIT_FOR (g_list_model_get_n_items (messages) == 7);
  row = tto_test_gui_wait_row (chat, tto_test_gui_message_at (messages, 6));
  view = tto_message_row_get_attachment_view (row);
  g_assert_nonnull (view);
  g_assert_cmpstr (tto_attachment_view_get_kind (TTO_ATTACHMENT_VIEW (view)), ==, "video");
  check_viewer_teardown (window, session, tto_test_gui_message_at (messages, 6));

  /* Cancel sends nothing. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chat), "chat.video-message", NULL));
  tto_chat_page_record_video_message (chat, TRUE);
  WAIT_FOR (tto_chat_page_get_video_state (chat) == TTO_RECORDER_STATE_RECORDING);
  tto_chat_page_cancel_video_message (chat);
  g_assert_null (tto_chat_page_get_video_dialog (chat));
  tto_test_gui_settle (300);
  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, 7);

  g_file_delete (photo_file, NULL, NULL);
  g_file_delete (notes_file, NULL, NULL);
  g_file_delete (sticker_file, NULL, NULL);
  g_rmdir (tmpdir);
  tto_test_client_close (bo);
  g_object_unref (event);
  gtk_window_destroy (GTK_WINDOW (window));
  tto_test_gui_settle (100);
  tto_test_relay_stop (relay);
}

/* A recording made with GStreamer through a file (so the muxer writes the
 * duration), in memory. */
static GBytes *
make_recording (const char *description)
{
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;
  int fd;

  fd = g_file_open_tmp ("tto-media-ui-XXXXXX", &path, &error);
  g_assert_no_error (error);
  close (fd);
  tto_test_gui_record (description, path);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_unlink (path);
  return g_bytes_new_take (contents, length);
}

static void
on_player_error (TtoMediaPlayer *player,
                 GError *error,
                 gpointer user_data)
{
  g_error ("the player failed: %s", error->message);
}

/* Plays @media to its end; returns the frames shown. */
static guint
play_through (GBytes *media,
              gboolean with_video,
              guint expected_ms)
{
  g_autoptr (TtoMediaPlayer) player = tto_media_player_new (media, with_video);
  gint64 start = g_get_monotonic_time ();

  g_signal_connect (player, "error", G_CALLBACK (on_player_error), NULL);
  tto_media_player_play (player);
  g_assert_true (tto_media_player_get_playing (player));
  WAIT_FOR (tto_media_player_get_duration_ms (player) > 0);
  g_assert_cmpuint (tto_media_player_get_duration_ms (player), >=, expected_ms - 100);
  g_assert_cmpuint (tto_media_player_get_duration_ms (player), <=, expected_ms + 100);
  WAIT_FOR (!tto_media_player_get_playing (player));
  /* Video plays in real time, not skipped through (appsink follows the
   * clock; the test's audio sink may not). */
  if (with_video)
    g_assert_cmpint (g_get_monotonic_time () - start, >=, (expected_ms - 100) * 1000);
  g_assert_cmpuint (tto_media_player_get_position_ms (player), ==, 0);
  return tto_media_player_get_frames (player);
}

/* Stopping a player (closing the viewer, a row going away) while playbin is
 * still setting up its source, and at a few later moments: no warning, and
 * the bytes play again afterwards. Runs under G_DEBUG=fatal-warnings, where
 * the race used to abort in gst_base_src_set_format (). */
static void
test_player_teardown (void)
{
  /* The moments that matter are the first few milliseconds. */
  static const guint delays_us[] = { 0, 250, 500, 1000, 1500, 2000, 2500, 3000, 4000, 6000,
                                     10000, 50000, 200000 };
  g_autoptr (GBytes) video = NULL;
  g_autoptr (GBytes) voice = NULL;

  gst_init (NULL, NULL);
  video = make_recording ("videotestsrc num-buffers=10 pattern=smpte ! "
                          "video/x-raw,width=160,height=120,framerate=10/1 ! "
                          "vp8enc deadline=1 ! webmmux");
  voice = make_recording ("audiotestsrc num-buffers=25 samplesperbuffer=960 ! "
                          "audio/x-raw,rate=48000 ! audioconvert ! opusenc ! oggmux");

  for (guint round = 0; round < 6; round++)
    for (guint i = 0; i < G_N_ELEMENTS (delays_us); i++)
      {
        gboolean with_video = round % 3 != 2;
        g_autoptr (TtoMediaPlayer) player = tto_media_player_new (with_video ? video : voice,
                                                                  with_video);
        gint64 end;

        g_signal_connect (player, "error", G_CALLBACK (on_player_error), NULL);
        tto_media_player_play (player);
        g_assert_true (tto_media_player_get_playing (player));
        end = g_get_monotonic_time () + delays_us[i];
        while (g_get_monotonic_time () < end)
          g_main_context_iteration (NULL, FALSE);
        /* As the viewer's dispose: stop, then drop; or only drop. */
        if (round % 2 == 0)
          {
            tto_media_player_stop (player);
            g_assert_false (tto_media_player_get_playing (player));
          }
      }

  /* The same bytes still play, from the start, to the end. */
  g_assert_cmpuint (play_through (video, TRUE, 1000), >=, 8);
  g_assert_cmpuint (play_through (voice, FALSE, 500), ==, 0);
}

int
main (int argc,
      char *argv[])
{
  g_autofree char *data_home = NULL;
  int status;

  /* The sticker library lives in $XDG_DATA_HOME: a fresh one, before GLib
   * reads the variable. */
  data_home = g_dir_make_tmp ("tto-media-ui-data-XXXXXX", NULL);
  g_assert_nonnull (data_home);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  tto_test_gui_init (&argc, &argv);

  g_test_add_func ("/media-ui/attachments", test_attachments);
  g_test_add_func ("/media-ui/player-teardown", test_player_teardown);

  status = g_test_run ();

  {
    g_autofree char *stickers = g_build_filename (data_home, "tto", "stickers", NULL);
    g_autofree char *tto = g_build_filename (data_home, "tto", NULL);

    g_rmdir (stickers);
    g_rmdir (tto);
    g_rmdir (data_home);
  }
  return status;
}
