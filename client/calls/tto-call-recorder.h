/* tto-call-recorder.h: the local recording of a call, everyone mixed into
 * one WebM file on this device
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Private to libtto-calls: the engine feeds it raw streams from tees (its
 * own capture and each peer's decoded media) while the call runs.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef enum
{
  TTO_CALL_MEDIA_AUDIO,
  TTO_CALL_MEDIA_VIDEO,
} TtoCallMedia;

#define TTO_TYPE_CALL_RECORDER (tto_call_recorder_get_type ())
G_DECLARE_FINAL_TYPE (TtoCallRecorder, tto_call_recorder, TTO, CALL_RECORDER, GObject)

TtoCallRecorder *tto_call_recorder_new (GstBin *pipeline,
                                        const char *path,
                                        gboolean with_video,
                                        guint width,
                                        guint height,
                                        guint framerate,
                                        GError **error);
gboolean tto_call_recorder_add_input (TtoCallRecorder *self,
                                      gconstpointer owner,
                                      TtoCallMedia media,
                                      GstElement *tee);
void tto_call_recorder_remove_inputs (TtoCallRecorder *self,
                                      gconstpointer owner);
guint tto_call_recorder_get_n_inputs (TtoCallRecorder *self,
                                      TtoCallMedia media);
gboolean tto_call_recorder_stop (TtoCallRecorder *self,
                                 guint timeout_ms);
gboolean tto_call_recorder_owns (TtoCallRecorder *self,
                                 GstObject *object);

G_END_DECLS
