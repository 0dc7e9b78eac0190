/* tto-thumbnailer.h: small previews of images sent in the chat
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TTO_THUMBNAILER_ERROR (tto_thumbnailer_error_quark ())

typedef enum
{
  /* The bytes are no image of a known format. */
  TTO_THUMBNAILER_ERROR_NOT_AN_IMAGE,
  /* Too many pixels to decode safely. */
  TTO_THUMBNAILER_ERROR_TOO_LARGE,
  /* Encoding the thumbnail failed. */
  TTO_THUMBNAILER_ERROR_FAILED,
} TtoThumbnailerError;

GQuark tto_thumbnailer_error_quark (void);

#define TTO_THUMBNAILER_DEFAULT_MAX_SIZE 320

#define TTO_TYPE_THUMBNAILER (tto_thumbnailer_get_type ())
G_DECLARE_FINAL_TYPE (TtoThumbnailer, tto_thumbnailer, TTO, THUMBNAILER, GObject)

TtoThumbnailer *tto_thumbnailer_new (GBytes *image,
                                     guint max_size);

gboolean tto_thumbnailer_run (TtoThumbnailer *self,
                              GCancellable *cancellable,
                              GError **error);
void tto_thumbnailer_run_async (TtoThumbnailer *self,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
gboolean tto_thumbnailer_run_finish (TtoThumbnailer *self,
                                     GAsyncResult *result,
                                     GError **error);

GBytes *tto_thumbnailer_get_thumbnail (TtoThumbnailer *self);
const char *tto_thumbnailer_get_mime_type (TtoThumbnailer *self);
guint tto_thumbnailer_get_thumbnail_width (TtoThumbnailer *self);
guint tto_thumbnailer_get_thumbnail_height (TtoThumbnailer *self);
guint tto_thumbnailer_get_width (TtoThumbnailer *self);
guint tto_thumbnailer_get_height (TtoThumbnailer *self);
const char *tto_thumbnailer_get_source_format (TtoThumbnailer *self);

G_END_DECLS
