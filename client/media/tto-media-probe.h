/* tto-media-probe.h: decodes a voice or video message to learn its length
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TTO_MEDIA_PROBE_ERROR (tto_media_probe_error_quark ())

typedef enum
{
  /* The bytes are no audio or video GStreamer knows. */
  TTO_MEDIA_PROBE_ERROR_NOT_MEDIA,
  /* A decoder is missing, or decoding failed. */
  TTO_MEDIA_PROBE_ERROR_FAILED,
} TtoMediaProbeError;

GQuark tto_media_probe_error_quark (void);

#define TTO_TYPE_MEDIA_PROBE (tto_media_probe_get_type ())
G_DECLARE_FINAL_TYPE (TtoMediaProbe, tto_media_probe, TTO, MEDIA_PROBE, GObject)

TtoMediaProbe *tto_media_probe_new (GBytes *media);

void tto_media_probe_run_async (TtoMediaProbe *self,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
gboolean tto_media_probe_run_finish (TtoMediaProbe *self,
                                     GAsyncResult *result,
                                     GError **error);

guint tto_media_probe_get_duration_ms (TtoMediaProbe *self);
guint tto_media_probe_get_audio_buffers (TtoMediaProbe *self);
guint tto_media_probe_get_video_frames (TtoMediaProbe *self);
guint tto_media_probe_get_width (TtoMediaProbe *self);
guint tto_media_probe_get_height (TtoMediaProbe *self);

G_END_DECLS
