/* tto-voice-recorder.h: voice messages, recorded to Ogg/Opus in memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tto-media-types.h"

G_BEGIN_DECLS

#define TTO_VOICE_RECORDER_ERROR (tto_voice_recorder_error_quark ())

typedef enum
{
  /* No audio input, or it opens but sends nothing. */
  TTO_VOICE_RECORDER_ERROR_NO_MICROPHONE,
  /* Wrong state for the call (start twice, stop before start). */
  TTO_VOICE_RECORDER_ERROR_BUSY,
  /* The pipeline failed while recording, or a GStreamer plugin is missing. */
  TTO_VOICE_RECORDER_ERROR_FAILED,
} TtoVoiceRecorderError;

GQuark tto_voice_recorder_error_quark (void);

/* Most levels in a waveform, as the protocol allows. */
#define TTO_VOICE_RECORDER_MAX_WAVEFORM 128
#define TTO_VOICE_RECORDER_MIME_TYPE "audio/ogg"

#define TTO_TYPE_VOICE_RECORDER (tto_voice_recorder_get_type ())
G_DECLARE_FINAL_TYPE (TtoVoiceRecorder, tto_voice_recorder, TTO, VOICE_RECORDER, GObject)

TtoVoiceRecorder *tto_voice_recorder_new (void);

const char *tto_voice_recorder_get_source (TtoVoiceRecorder *self);
void tto_voice_recorder_set_source (TtoVoiceRecorder *self,
                                    const char *description);
guint tto_voice_recorder_get_max_duration_ms (TtoVoiceRecorder *self);
void tto_voice_recorder_set_max_duration_ms (TtoVoiceRecorder *self,
                                             guint max_duration_ms);

void tto_voice_recorder_start_async (TtoVoiceRecorder *self,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
gboolean tto_voice_recorder_start_finish (TtoVoiceRecorder *self,
                                          GAsyncResult *result,
                                          GError **error);
void tto_voice_recorder_stop_async (TtoVoiceRecorder *self,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
GBytes *tto_voice_recorder_stop_finish (TtoVoiceRecorder *self,
                                        GAsyncResult *result,
                                        GError **error);
void tto_voice_recorder_cancel (TtoVoiceRecorder *self);

TtoRecorderState tto_voice_recorder_get_state (TtoVoiceRecorder *self);
guint tto_voice_recorder_get_duration_ms (TtoVoiceRecorder *self);
double tto_voice_recorder_get_level (TtoVoiceRecorder *self);
const guint8 *tto_voice_recorder_get_waveform (TtoVoiceRecorder *self,
                                               gsize *n_levels);
GBytes *tto_voice_recorder_get_recording (TtoVoiceRecorder *self);

G_END_DECLS
