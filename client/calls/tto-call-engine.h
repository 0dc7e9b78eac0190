/* tto-call-engine.h: one call's media, a full WebRTC mesh, no UI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine never touches the network itself: it asks the app to send
 * call.offer/answer/ice/hangup/recording frames ("send-frame") and is fed
 * the call.offer/answer/ice/state pushes the app receives
 * (tto_call_engine_handle_frame ()). call.invite and call.accept stay with
 * the app, which then creates the engine and starts it with the Call
 * object from the relay's answer. Feed it only pushes received after that
 * answer: an older call.state does not list us yet and would end the call.
 * Everything runs on the thread-default main context of the creator.
 */
#pragma once

#include <gst/gst.h>
#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "tto-call-peer.h"

G_BEGIN_DECLS

#define TTO_CALL_ERROR (tto_call_error_quark ())
GQuark tto_call_error_quark (void);

typedef enum
{
  TTO_CALL_ERROR_FAILED,
  TTO_CALL_ERROR_MISSING_ELEMENT, /* a GStreamer plugin is not installed */
  TTO_CALL_ERROR_BAD_FRAME,       /* a frame the engine cannot use */
  TTO_CALL_ERROR_WRONG_STATE,     /* e.g. started twice, or after the end */
} TtoCallError;

typedef enum
{
  TTO_CALL_KIND_AUDIO,
  TTO_CALL_KIND_VIDEO,
} TtoCallKind;

GType tto_call_kind_get_type (void);
#define TTO_TYPE_CALL_KIND (tto_call_kind_get_type ())

typedef enum
{
  TTO_CALL_ENGINE_STATE_IDLE,    /* created, not started */
  TTO_CALL_ENGINE_STATE_RUNNING, /* media flowing to whoever is connected */
  TTO_CALL_ENGINE_STATE_ENDED,   /* hung up or the call ended; terminal */
} TtoCallEngineState;

GType tto_call_engine_state_get_type (void);
#define TTO_TYPE_CALL_ENGINE_STATE (tto_call_engine_state_get_type ())

#define TTO_TYPE_CALL_ENGINE (tto_call_engine_get_type ())
G_DECLARE_FINAL_TYPE (TtoCallEngine, tto_call_engine, TTO, CALL_ENGINE, GObject)

TtoCallEngine *tto_call_engine_new (const char *self_id,
                                    const char *event_id,
                                    const char *call_id,
                                    TtoCallKind kind);

char *tto_call_engine_find_h264_encoder (void);

const char *tto_call_engine_get_self_id (TtoCallEngine *self);
const char *tto_call_engine_get_event_id (TtoCallEngine *self);
const char *tto_call_engine_get_call_id (TtoCallEngine *self);
TtoCallKind tto_call_engine_get_kind (TtoCallEngine *self);
TtoCallEngineState tto_call_engine_get_state (TtoCallEngine *self);

/* Before start: call.config's "ice_servers" array. */
void tto_call_engine_set_ice_servers (TtoCallEngine *self,
                                      JsonArray *ice_servers);

gboolean tto_call_engine_start (TtoCallEngine *self,
                                JsonObject *call,
                                GError **error);
gboolean tto_call_engine_handle_frame (TtoCallEngine *self,
                                       const char *type,
                                       JsonObject *body,
                                       GError **error);
void tto_call_engine_hangup (TtoCallEngine *self);

GListModel *tto_call_engine_get_peers (TtoCallEngine *self);
TtoCallPeer *tto_call_engine_find_peer (TtoCallEngine *self,
                                        const char *identity_id);

void tto_call_engine_set_muted (TtoCallEngine *self,
                                gboolean muted);
gboolean tto_call_engine_get_muted (TtoCallEngine *self);
void tto_call_engine_set_camera_enabled (TtoCallEngine *self,
                                         gboolean enabled);
gboolean tto_call_engine_get_camera_enabled (TtoCallEngine *self);
gboolean tto_call_engine_switch_video_source (TtoCallEngine *self,
                                              const char *description,
                                              GError **error);
void tto_call_engine_set_video_bitrate (TtoCallEngine *self,
                                        guint kbps);
guint tto_call_engine_get_video_bitrate (TtoCallEngine *self);
guint tto_call_engine_get_current_video_bitrate (TtoCallEngine *self);

gboolean tto_call_engine_start_recording (TtoCallEngine *self,
                                          const char *path,
                                          GError **error);
void tto_call_engine_stop_recording (TtoCallEngine *self);
gboolean tto_call_engine_get_recording (TtoCallEngine *self);
guint tto_call_engine_get_recording_inputs (TtoCallEngine *self,
                                            gboolean video);

GPtrArray *tto_call_engine_get_local_candidates (TtoCallEngine *self);
GstElement *tto_call_engine_get_pipeline (TtoCallEngine *self);
GdkTexture *tto_call_engine_get_local_frame (TtoCallEngine *self);

G_END_DECLS
