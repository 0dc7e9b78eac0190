/* tto-call-audio.h: speaker/earpiece and the call audio mode through
 * callaudiod, where the platform runs it (Linux phones)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TTO_CALL_AUDIO_ERROR (tto_call_audio_error_quark ())
GQuark tto_call_audio_error_quark (void);

typedef enum
{
  TTO_CALL_AUDIO_ERROR_UNAVAILABLE, /* callaudiod is not on the session bus */
  TTO_CALL_AUDIO_ERROR_REFUSED,     /* callaudiod answered that it could not */
} TtoCallAudioError;

#define TTO_TYPE_CALL_AUDIO (tto_call_audio_get_type ())
G_DECLARE_FINAL_TYPE (TtoCallAudio, tto_call_audio, TTO, CALL_AUDIO, GObject)

TtoCallAudio *tto_call_audio_new (void);
gboolean tto_call_audio_get_available (TtoCallAudio *self);
gboolean tto_call_audio_get_speaker (TtoCallAudio *self);
void tto_call_audio_set_in_call (TtoCallAudio *self,
                                 gboolean in_call);
void tto_call_audio_enable_speaker_async (TtoCallAudio *self,
                                          gboolean enable,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);
gboolean tto_call_audio_enable_speaker_finish (TtoCallAudio *self,
                                               GAsyncResult *result,
                                               GError **error);

G_END_DECLS
