/* tto-call-peer.h: one remote participant of a call: a webrtcbin, the
 * branches feeding it the local streams and the ones decoding its streams
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  TTO_CALL_PEER_STATE_NEW,
  TTO_CALL_PEER_STATE_CONNECTING,
  TTO_CALL_PEER_STATE_CONNECTED,
  TTO_CALL_PEER_STATE_FAILED,
  TTO_CALL_PEER_STATE_CLOSED,
} TtoCallPeerState;

GType tto_call_peer_state_get_type (void);
#define TTO_TYPE_CALL_PEER_STATE (tto_call_peer_state_get_type ())

#define TTO_TYPE_CALL_PEER (tto_call_peer_get_type ())
G_DECLARE_FINAL_TYPE (TtoCallPeer, tto_call_peer, TTO, CALL_PEER, GObject)

const char *tto_call_peer_get_identity_id (TtoCallPeer *self);
const char *tto_call_peer_get_display_name (TtoCallPeer *self);
TtoCallPeerState tto_call_peer_get_state (TtoCallPeer *self);
gboolean tto_call_peer_get_offerer (TtoCallPeer *self);
const char *tto_call_peer_get_video_codec (TtoCallPeer *self);
guint64 tto_call_peer_get_audio_buffers (TtoCallPeer *self);
guint64 tto_call_peer_get_video_frames (TtoCallPeer *self);
GdkTexture *tto_call_peer_get_last_frame (TtoCallPeer *self);
gint64 tto_call_peer_get_first_frame_time (TtoCallPeer *self);

G_END_DECLS
