/* tto-qr-decode.c: finds and reads a QR code in a picture
 *
 * libzbar reads the code from a grey image; photos are scaled down to at
 * most 1600 px first (zbar is slow on large images and gains nothing from
 * camera resolution) and decoded in a worker thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <zbar.h>

#include "tto-qr-decode.h"

G_DEFINE_QUARK (tto-qr-decode-error-quark, tto_qr_decode_error)

#define MAX_SIDE 1600

/* The first QR symbol's data, from 8-bit grey pixels. */
char *
tto_qr_decode_grey (const guint8 *pixels,
                    guint width,
                    guint height,
                    guint stride,
                    GError **error)
{
  zbar_image_scanner_t *scanner;
  zbar_image_t *image;
  guint8 *packed;
  char *result = NULL;

  g_return_val_if_fail (pixels != NULL, NULL);
  g_return_val_if_fail (stride >= width, NULL);

  /* zbar wants rows without padding and frees the buffer itself. */
  packed = malloc ((gsize) width * height);
  g_assert (packed != NULL);
  for (guint y = 0; y < height; y++)
    memcpy (packed + (gsize) y * width, pixels + (gsize) y * stride, width);

  scanner = zbar_image_scanner_create ();
  zbar_image_scanner_set_config (scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
  zbar_image_scanner_set_config (scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
  image = zbar_image_create ();
  zbar_image_set_format (image, zbar_fourcc ('Y', '8', '0', '0'));
  zbar_image_set_size (image, width, height);
  zbar_image_set_data (image, packed, (unsigned long) width * height, zbar_image_free_data);

  if (zbar_scan_image (scanner, image) > 0)
    {
      for (const zbar_symbol_t *symbol = zbar_image_first_symbol (image); symbol != NULL;
           symbol = zbar_symbol_next (symbol))
        if (zbar_symbol_get_type (symbol) == ZBAR_QRCODE)
          {
            result = g_strndup (zbar_symbol_get_data (symbol),
                                zbar_symbol_get_data_length (symbol));
            break;
          }
    }
  zbar_image_destroy (image);
  zbar_image_scanner_destroy (scanner);

  if (result == NULL)
    g_set_error_literal (error, TTO_QR_DECODE_ERROR, TTO_QR_DECODE_ERROR_NO_CODE,
                         "No QR code found");
  return result;
}

char *
tto_qr_decode_pixbuf (GdkPixbuf *pixbuf,
                      GError **error)
{
  g_autoptr (GdkPixbuf) scaled = NULL;
  g_autofree guint8 *grey = NULL;
  const guint8 *pixels;
  int width, height, stride, channels;

  g_return_val_if_fail (GDK_IS_PIXBUF (pixbuf), NULL);

  width = gdk_pixbuf_get_width (pixbuf);
  height = gdk_pixbuf_get_height (pixbuf);
  if (MAX (width, height) > MAX_SIDE)
    {
      double scale = (double) MAX_SIDE / MAX (width, height);

      width = MAX (1, (int) (width * scale));
      height = MAX (1, (int) (height * scale));
      scaled = gdk_pixbuf_scale_simple (pixbuf, width, height, GDK_INTERP_BILINEAR);
    }
  else
    scaled = g_object_ref (pixbuf);

  pixels = gdk_pixbuf_read_pixels (scaled);
  stride = gdk_pixbuf_get_rowstride (scaled);
  channels = gdk_pixbuf_get_n_channels (scaled);
  grey = g_malloc ((gsize) width * height);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guint8 *p = pixels + (gsize) y * stride + (gsize) x * channels;
        guint value = channels >= 3 ? (p[0] * 299u + p[1] * 587u + p[2] * 114u) / 1000u : p[0];

        /* Transparent areas count as white paper. */
        if (channels == 4)
          value = (value * p[3] + 255u * (255u - p[3])) / 255u;
        grey[(gsize) y * width + x] = (guint8) value;
      }
  return tto_qr_decode_grey (grey, (guint) width, (guint) height, (guint) width, error);
}

static void
decode_thread (GTask *task,
               gpointer source_object,
               gpointer task_data,
               GCancellable *cancellable)
{
  g_autoptr (GdkPixbuf) pixbuf = NULL;
  g_autoptr (GdkPixbuf) oriented = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GInputStream) stream = NULL;
  char *text;

  stream = G_INPUT_STREAM (g_file_read (task_data, cancellable, &error));
  if (stream != NULL)
    pixbuf = gdk_pixbuf_new_from_stream (stream, cancellable, &error);
  if (pixbuf == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, TTO_QR_DECODE_ERROR, TTO_QR_DECODE_ERROR_NOT_IMAGE,
                                 "Not a picture: %s", error->message);
      return;
    }
  /* Phone photos are often stored sideways with an EXIF tag. */
  oriented = gdk_pixbuf_apply_embedded_orientation (pixbuf);
  text = tto_qr_decode_pixbuf (oriented != NULL ? oriented : pixbuf, &error);
  if (text == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, text, g_free);
}

void
tto_qr_decode_file_async (GFile *file,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_qr_decode_file_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, decode_thread);
}

char *
tto_qr_decode_file_finish (GAsyncResult *result,
                           GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
