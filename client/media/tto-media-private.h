/* tto-media-private.h: helpers shared by the recorders and the probe
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* How long a source may take to deliver its first buffer before it counts as
 * absent (a device that opens but never sends, or a silent fallback). */
#define TTO_MEDIA_FIRST_BUFFER_TIMEOUT_MS 5000
/* How long stop waits for the muxer to finish after EOS. */
#define TTO_MEDIA_STOP_TIMEOUT_MS 5000

void tto_media_ensure_gst (void);

GstElement *tto_media_make_element (const char *factory,
                                    const char *name,
                                    GError **error);
GstElement *tto_media_make_source (const char *description,
                                   const char *device_class,
                                   GError **error);
gboolean tto_media_message_is_from (GstMessage *message,
                                    GstElement *element);
char *tto_media_describe_error (GstMessage *message);
GSource *tto_media_add_bus_watch (GstElement *pipeline,
                                  GMainContext *context,
                                  GstBusFunc func,
                                  gpointer user_data);

guint8 tto_media_level_from_db (double db);
guint8 tto_media_peak_from_level_message (const GstStructure *structure);
GArray *tto_media_reduce_waveform (const GArray *levels,
                                   guint max_levels);

G_END_DECLS
