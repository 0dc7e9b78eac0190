/* tto-thumbnailer.c: small previews of images sent in the chat
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * PNG, JPEG, WebP (with webp-pixbuf-loader), GIF (first frame), and whatever
 * else GdkPixbuf loads. The photo's EXIF orientation is applied, so the
 * thumbnail, and the width and height reported for the original, are as the
 * photo is meant to be seen. Big photos are decoded at a reduced size where
 * the loader can (JPEG decodes at 1/2, 1/4, 1/8 for free).
 */
#define G_LOG_DOMAIN "tto-media"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <math.h>

#include "tto-thumbnailer.h"

/* Refuse decoding more pixels than this (a 16k × 16k image is 1 GiB). */
#define MAX_PIXELS (100 * 1000 * 1000)
#define JPEG_QUALITY "85"

struct _TtoThumbnailer
{
  GObject parent_instance;

  GBytes *image;
  guint max_size;

  int source_width;  /* as stored, before orientation */
  int source_height;
  gboolean too_large;

  GBytes *thumbnail;
  const char *mime_type;
  char *source_format;
  guint thumbnail_width;
  guint thumbnail_height;
  guint width;
  guint height;
};

G_DEFINE_QUARK (tto-thumbnailer-error-quark, tto_thumbnailer_error)

G_DEFINE_FINAL_TYPE (TtoThumbnailer, tto_thumbnailer, G_TYPE_OBJECT)

/* @width × @height scaled to fit a @max × @max box; never enlarged. */
static void
fit_size (int width,
          int height,
          int max,
          int *out_width,
          int *out_height)
{
  double scale;

  if (width <= max && height <= max)
    {
      *out_width = width;
      *out_height = height;
      return;
    }

  scale = (double) max / MAX (width, height);
  *out_width = CLAMP ((int) lround (width * scale), 1, max);
  *out_height = CLAMP ((int) lround (height * scale), 1, max);
}

static void
on_size_prepared (GdkPixbufLoader *loader,
                  int width,
                  int height,
                  gpointer user_data)
{
  TtoThumbnailer *self = user_data;
  int decode_width;
  int decode_height;

  self->source_width = width;
  self->source_height = height;

  if ((gint64) width * height > MAX_PIXELS)
    {
      /* Decode next to nothing; the size is refused afterwards. */
      self->too_large = TRUE;
      gdk_pixbuf_loader_set_size (loader, 1, 1);
      return;
    }

  /* Twice the thumbnail's size keeps the final downscale sharp. The longest
   * side stays the longest after a rotation, so the orientation can wait. */
  fit_size (width, height, (int) self->max_size * 2, &decode_width, &decode_height);
  if (decode_width != width || decode_height != height)
    gdk_pixbuf_loader_set_size (loader, decode_width, decode_height);
}

static gboolean
orientation_swaps_sides (GdkPixbuf *pixbuf)
{
  const char *orientation = gdk_pixbuf_get_option (pixbuf, "orientation");

  /* EXIF 5-8 turn the picture by a quarter. */
  return orientation != NULL && orientation[0] >= '5' && orientation[0] <= '8' &&
         orientation[1] == '\0';
}

static gboolean
make_thumbnail (TtoThumbnailer *self,
                GError **error)
{
  g_autoptr (GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GdkPixbuf) oriented = NULL;
  g_autoptr (GdkPixbuf) scaled = NULL;
  g_autofree char *buffer = NULL;
  GdkPixbufFormat *format;
  GdkPixbuf *pixbuf;
  gboolean saved;
  gsize length;
  int width;
  int height;

  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), self);
  if (!gdk_pixbuf_loader_write_bytes (loader, self->image, &local_error))
    /* Close even after a failed write, or the loader warns at finalize. */
    gdk_pixbuf_loader_close (loader, NULL);
  else
    gdk_pixbuf_loader_close (loader, &local_error);
  if (local_error != NULL)
    {
      if (self->too_large)
        goto too_large;
      g_set_error (error, TTO_THUMBNAILER_ERROR, TTO_THUMBNAILER_ERROR_NOT_AN_IMAGE,
                   "not an image: %s", local_error->message);
      return FALSE;
    }
  if (self->too_large)
    goto too_large;

  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (pixbuf == NULL)
    {
      g_set_error (error, TTO_THUMBNAILER_ERROR, TTO_THUMBNAILER_ERROR_NOT_AN_IMAGE,
                   "not an image");
      return FALSE;
    }

  format = gdk_pixbuf_loader_get_format (loader);
  g_free (self->source_format);
  self->source_format = format != NULL ? gdk_pixbuf_format_get_name (format) : NULL;

  if (orientation_swaps_sides (pixbuf))
    {
      self->width = (guint) self->source_height;
      self->height = (guint) self->source_width;
    }
  else
    {
      self->width = (guint) self->source_width;
      self->height = (guint) self->source_height;
    }

  oriented = gdk_pixbuf_apply_embedded_orientation (pixbuf);
  /* From the original's size, not the reduced decode's: no rounding twice. */
  fit_size ((int) self->width, (int) self->height, (int) self->max_size, &width, &height);
  if (width != gdk_pixbuf_get_width (oriented) || height != gdk_pixbuf_get_height (oriented))
    scaled = gdk_pixbuf_scale_simple (oriented, width, height, GDK_INTERP_BILINEAR);
  else
    scaled = g_object_ref (oriented);

  /* Transparency needs PNG; a photo is much smaller as JPEG. */
  if (gdk_pixbuf_get_has_alpha (scaled))
    {
      saved = gdk_pixbuf_save_to_buffer (scaled, &buffer, &length, "png", &local_error, NULL);
      self->mime_type = "image/png";
    }
  else
    {
      saved = gdk_pixbuf_save_to_buffer (scaled, &buffer, &length, "jpeg", &local_error,
                                         "quality", JPEG_QUALITY, NULL);
      self->mime_type = "image/jpeg";
    }
  if (!saved)
    {
      g_set_error (error, TTO_THUMBNAILER_ERROR, TTO_THUMBNAILER_ERROR_FAILED,
                   "cannot encode the thumbnail: %s", local_error->message);
      return FALSE;
    }

  g_clear_pointer (&self->thumbnail, g_bytes_unref);
  self->thumbnail = g_bytes_new_take (g_steal_pointer (&buffer), length);
  self->thumbnail_width = (guint) width;
  self->thumbnail_height = (guint) height;

  return TRUE;

too_large:
  g_set_error (error, TTO_THUMBNAILER_ERROR, TTO_THUMBNAILER_ERROR_TOO_LARGE,
               "the image is too large (%d x %d)", self->source_width, self->source_height);
  return FALSE;
}

static void
run_in_thread (GTask *task,
               gpointer source_object,
               gpointer task_data,
               GCancellable *cancellable)
{
  TtoThumbnailer *self = source_object;
  GError *error = NULL;

  if (tto_thumbnailer_run (self, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
tto_thumbnailer_finalize (GObject *object)
{
  TtoThumbnailer *self = TTO_THUMBNAILER (object);

  g_clear_pointer (&self->image, g_bytes_unref);
  g_clear_pointer (&self->thumbnail, g_bytes_unref);
  g_free (self->source_format);

  G_OBJECT_CLASS (tto_thumbnailer_parent_class)->finalize (object);
}

static void
tto_thumbnailer_class_init (TtoThumbnailerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tto_thumbnailer_finalize;
}

static void
tto_thumbnailer_init (TtoThumbnailer *self)
{
}

/* @image: the image's bytes; @max_size: the thumbnail's longest side, 0 for
 * TTO_THUMBNAILER_DEFAULT_MAX_SIZE (320). */
TtoThumbnailer *
tto_thumbnailer_new (GBytes *image,
                     guint max_size)
{
  TtoThumbnailer *self;

  g_return_val_if_fail (image != NULL, NULL);

  self = g_object_new (TTO_TYPE_THUMBNAILER, NULL);
  self->image = g_bytes_ref (image);
  self->max_size = max_size > 0 ? max_size : TTO_THUMBNAILER_DEFAULT_MAX_SIZE;

  return self;
}

/* Blocks while decoding: in the UI use tto_thumbnailer_run_async(). */
gboolean
tto_thumbnailer_run (TtoThumbnailer *self,
                     GCancellable *cancellable,
                     GError **error)
{
  g_return_val_if_fail (TTO_IS_THUMBNAILER (self), FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  return make_thumbnail (self, error);
}

/* Decodes in a worker thread. */
void
tto_thumbnailer_run_async (TtoThumbnailer *self,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (TTO_IS_THUMBNAILER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_thumbnailer_run_async);
  g_task_run_in_thread (task, run_in_thread);
}

gboolean
tto_thumbnailer_run_finish (TtoThumbnailer *self,
                            GAsyncResult *result,
                            GError **error)
{
  g_return_val_if_fail (TTO_IS_THUMBNAILER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The encoded thumbnail (see tto_thumbnailer_get_mime_type()), or NULL. */
GBytes *
tto_thumbnailer_get_thumbnail (TtoThumbnailer *self)
{
  g_return_val_if_fail (TTO_IS_THUMBNAILER (self), NULL);

  return self->thumbnail;
}

/* "image/png" when the image has transparency, else "image/jpeg". */
const char *
tto_thumbnailer_get_mime_type (TtoThumbnailer *self)
{
  g_return_val_if_fail (TTO_IS_THUMBNAILER (self), NULL);

  return self->mime_type;
}

guint
tto_thumbnailer_get_thumbnail_width (TtoThumbnailer *self)
{
  g_return_val_if_fail (TTO_IS_THUMBNAILER (self), 0);

  return self->thumbnail_width;
}

guint
tto_thumbnailer_get_thumbnail_height (TtoThumbnailer *self)
{
  g_return_val_if_fail (TTO_IS_THUMBNAILER (self), 0);

  return self->thumbnail_height;
}

/* The original's width as seen (after its EXIF orientation): the message's
 * attachment.width. */
guint
tto_thumbnailer_get_width (TtoThumbnailer *self)
{
  g_return_val_if_fail (TTO_IS_THUMBNAILER (self), 0);

  return self->width;
}

guint
tto_thumbnailer_get_height (TtoThumbnailer *self)
{
  g_return_val_if_fail (TTO_IS_THUMBNAILER (self), 0);

  return self->height;
}

/* GdkPixbuf's name of the original's format: "png", "jpeg", "webp", "gif". */
const char *
tto_thumbnailer_get_source_format (TtoThumbnailer *self)
{
  g_return_val_if_fail (TTO_IS_THUMBNAILER (self), NULL);

  return self->source_format;
}
