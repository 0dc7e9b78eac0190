/* tto-calls-private.h: what the call engine and its peers tell each other
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Threads: webrtcbin, decodebin and appsink call back on GStreamer's
 * threads; everything that reaches the engine, the app or a signal is
 * deferred to the main context the engine was created on.
 */
#pragma once

#include <gst/gst.h>

#include "tto-call-engine.h"
#include "tto-call-peer.h"
#include "tto-call-recorder.h"

G_BEGIN_DECLS

/* RTP payload types offered; any dynamic ones would do. */
#define TTO_CALL_PT_OPUS 111
#define TTO_CALL_PT_VP8 96
#define TTO_CALL_PT_H264 102

/* engine → peer */
TtoCallPeer *tto_call_peer_new (TtoCallEngine *engine,
                                const char *identity_id,
                                const char *display_name,
                                gint64 joined_at,
                                gboolean offerer);
/* video_codec: "VP8" or "H264", the encoding video_tee carries. */
gboolean tto_call_peer_attach (TtoCallPeer *self,
                               GstBin *pipeline,
                               GstElement *audio_tee,
                               GstElement *video_tee,
                               const char *video_codec,
                               GError **error);
void tto_call_peer_detach (TtoCallPeer *self,
                           gboolean pipeline_stopped);
void tto_call_peer_handle_offer (TtoCallPeer *self,
                                 const char *sdp);
void tto_call_peer_handle_answer (TtoCallPeer *self,
                                  const char *sdp);
void tto_call_peer_handle_ice (TtoCallPeer *self,
                               guint mline_index,
                               const char *candidate);
gint64 tto_call_peer_get_joined_at (TtoCallPeer *self);
gboolean tto_call_peer_has_remote_description (TtoCallPeer *self);
void tto_call_peer_poll_stats (TtoCallPeer *self);
double tto_call_peer_get_video_loss (TtoCallPeer *self);
GstElement *tto_call_peer_get_decoded_tee (TtoCallPeer *self,
                                           TtoCallMedia media);

/* peer → engine, main context only */
void tto_call_engine_send_signal (TtoCallEngine *self,
                                  const char *type,
                                  const char *to,
                                  JsonObject *fields);
void tto_call_engine_note_candidate (TtoCallEngine *self,
                                     const char *candidate);
void tto_call_engine_request_key_frame (TtoCallEngine *self);
GMainContext *tto_call_engine_get_context (TtoCallEngine *self);
gboolean tto_call_engine_get_loopback_only (TtoCallEngine *self);
gboolean tto_call_engine_get_relay_only (TtoCallEngine *self);
const char *tto_call_engine_get_stun_server (TtoCallEngine *self);
GPtrArray *tto_call_engine_get_turn_servers (TtoCallEngine *self);
const char *tto_call_engine_get_audio_sink (TtoCallEngine *self);
void tto_call_engine_add_peer_media (TtoCallEngine *self,
                                     TtoCallPeer *peer,
                                     TtoCallMedia media,
                                     GstElement *tee);

/* tto-call-util.c */
GdkTexture *tto_call_texture_from_sample (GstSample *sample);

G_END_DECLS
