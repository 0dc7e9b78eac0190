/* tto-calls-test-util.h: call engines driven by harness WebSocket clients
 * through a real relay, shared by the calls tests and the call benchmark
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tto-call-engine.h"
#include "tto-test-harness.h"

G_BEGIN_DECLS

#define TTO_CALLS_MAX_SIDES 6

typedef struct
{
  TtoTestClient *client;
  TtoCallEngine *engine;
  guint frames_sent;
} TtoCallsSide;

typedef struct
{
  TtoTestRelay *relay;
  TtoCallsSide sides[TTO_CALLS_MAX_SIDES];
  guint n;
  char *event_id;
  char *call_id;
  JsonArray *ice_servers;

  /* Engine settings for the next join. */
  guint width;
  guint height;
  guint framerate;
  guint bitrate;
  gboolean relay_only;
  gboolean adaptive_bitrate;
  gboolean fake_audio_sink;
  /* videotestsrc patterns per side ("red", "blue", …); NULL: one of
   * several moving ones. */
  const char *patterns[TTO_CALLS_MAX_SIDES];
  /* H.264 encoder per side (e.g. "openh264enc"), announced with "h264"
   * when joining; NULL: VP8 only. */
  const char *h264_encoders[TTO_CALLS_MAX_SIDES];
} TtoCallsRoom;

gboolean tto_calls_room_open (TtoCallsRoom *room,
                              guint members,
                              const char *const *relay_args);
void tto_calls_room_close (TtoCallsRoom *room);
void tto_calls_room_invite (TtoCallsRoom *room,
                            guint caller);
void tto_calls_room_accept (TtoCallsRoom *room,
                            guint i);
void tto_calls_room_hangup (TtoCallsRoom *room,
                            guint i);
void tto_calls_room_pump (TtoCallsRoom *room);
void tto_calls_room_run (TtoCallsRoom *room,
                         guint ms);
gboolean tto_calls_room_run_until (TtoCallsRoom *room,
                                   gboolean (*done) (TtoCallsRoom *room),
                                   guint timeout_ms);
gboolean tto_calls_room_all_media_flowing (TtoCallsRoom *room);
TtoCallPeer *tto_calls_room_peer (TtoCallsRoom *room,
                                  guint i,
                                  guint j);

G_END_DECLS
