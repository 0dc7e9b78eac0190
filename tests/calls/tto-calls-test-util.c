/* tto-calls-test-util.c: call engines driven by harness WebSocket clients
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The harness queues every push per client; the room hands the call.*
 * ones, in order, to that side's engine, and sends what the engine asks
 * for as requests whose answers nobody waits for (as the app does).
 */
#include <string.h>

#include "tto-calls-test-util.h"

#define GRACE 600

static void
on_send_frame (TtoCallEngine *engine,
               const char *type,
               JsonObject *body,
               gpointer user_data)
{
  TtoCallsSide *side = user_data;
  g_autofree char *id = tto_test_client_next_id (side->client);
  g_autoptr (TtoFrame) frame = tto_frame_new (type, id, json_object_ref (body));
  g_autofree char *text = tto_frame_serialize (frame, NULL);

  if (!tto_test_client_is_open (side->client))
    return;
  tto_test_client_send_raw (side->client, text);
  side->frames_sent++;
}

gboolean
tto_calls_room_open (TtoCallsRoom *room,
                     guint members,
                     const char *const *relay_args)
{
  JsonObject *event;
  const char *code;
  g_autoptr (TtoFrame) config = NULL;

  g_assert_cmpuint (members, <=, TTO_CALLS_MAX_SIDES);
  memset (room, 0, sizeof *room);
  room->width = 320;
  room->height = 180;
  room->framerate = 15;
  room->bitrate = 300;
  room->fake_audio_sink = TRUE;
  room->adaptive_bitrate = TRUE; /* as in the app */

  room->relay = tto_test_relay_start_with_args (GRACE, relay_args);
  if (room->relay == NULL)
    return FALSE;

  room->n = members;
  for (guint i = 0; i < members; i++)
    {
      g_autofree char *name = g_strdup_printf ("Peer %u", i);

      room->sides[i].client = tto_test_client_connect (room->relay);
      tto_test_client_create_identity (room->sides[i].client, name);
    }
  event = tto_test_client_create_event (room->sides[0].client, "Call", 0);
  room->event_id = g_strdup (json_object_get_string_member (event, "event_id"));
  code = json_object_get_string_member (event, "invite_code");
  for (guint i = 1; i < members; i++)
    json_object_unref (tto_test_client_join (room->sides[i].client, code));
  json_object_unref (event);
  for (guint i = 0; i < members; i++)
    tto_test_client_discard_pushes (room->sides[i].client);

  config = tto_test_client_request_ok (room->sides[0].client, TTO_FRAME_CALL_CONFIG, NULL);
  room->ice_servers = json_array_ref (json_object_get_array_member (config->body,
                                                                    "ice_servers"));

  return TRUE;
}

void
tto_calls_room_close (TtoCallsRoom *room)
{
  for (guint i = 0; i < room->n; i++)
    {
      g_clear_object (&room->sides[i].engine);
      if (room->sides[i].client != NULL)
        tto_test_client_close (room->sides[i].client);
    }
  tto_test_relay_stop (room->relay);
  g_clear_pointer (&room->ice_servers, json_array_unref);
  g_free (room->event_id);
  g_free (room->call_id);
}

static void
start_engine (TtoCallsRoom *room,
              guint i,
              JsonObject *call)
{
  TtoCallsSide *side = &room->sides[i];
  g_autoptr (GError) error = NULL;
  g_autofree char *audio_source = g_strdup_printf ("audiotestsrc is-live=true wave=sine freq=%u",
                                                   300 + 100 * i);
  static const char *const patterns[] = { "smpte", "ball", "snow", "pinwheel", "spokes", "gradient" };
  g_autofree char *video_source = g_strdup_printf ("videotestsrc is-live=true pattern=%s",
                                                   room->patterns[i] != NULL
                                                     ? room->patterns[i]
                                                     : patterns[i % G_N_ELEMENTS (patterns)]);

  g_assert_null (side->engine);
  side->engine = g_object_new (TTO_TYPE_CALL_ENGINE,
                               "self-id", tto_test_client_get_identity_id (side->client),
                               "event-id", room->event_id,
                               "call-id", room->call_id,
                               "kind", TTO_CALL_KIND_VIDEO,
                               "audio-source", audio_source,
                               "video-source", video_source,
                               "audio-sink", room->fake_audio_sink ? "fakesink sync=true"
                                                                   : "autoaudiosink",
                               "video-width", room->width,
                               "video-height", room->height,
                               "video-framerate", room->framerate,
                               "video-bitrate", room->bitrate,
                               "loopback-only", TRUE,
                               "relay-only", room->relay_only,
                               "adaptive-bitrate", room->adaptive_bitrate,
                               "h264-encoder", room->h264_encoders[i] != NULL
                                                 ? room->h264_encoders[i]
                                                 : "",
                               NULL);
  tto_call_engine_set_ice_servers (side->engine, room->ice_servers);
  g_signal_connect (side->engine, "send-frame", G_CALLBACK (on_send_frame), side);
  if (!tto_call_engine_start (side->engine, call, &error))
    g_error ("engine %u did not start: %s", i, error->message);
}

void
tto_calls_room_invite (TtoCallsRoom *room,
                       guint caller)
{
  g_autoptr (TtoFrame) ok = tto_test_client_request_ok (
    room->sides[caller].client, TTO_FRAME_CALL_INVITE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"kind\":\"video\",\"to\":[\"all\"],"
                          "\"h264\":%s}",
                          room->event_id, room->h264_encoders[caller] != NULL ? "true" : "false"));
  JsonObject *call = json_object_get_object_member (ok->body, "call");

  g_free (room->call_id);
  room->call_id = g_strdup (json_object_get_string_member (call, "call_id"));
  /* Pushes from before the answer describe the call before us. */
  tto_test_client_discard_pushes (room->sides[caller].client);
  start_engine (room, caller, call);
}

void
tto_calls_room_accept (TtoCallsRoom *room,
                       guint i)
{
  g_autoptr (TtoFrame) ok = tto_test_client_request_ok (
    room->sides[i].client, TTO_FRAME_CALL_ACCEPT,
    tto_test_json_object ("{\"event_id\":\"%s\",\"call_id\":\"%s\",\"h264\":%s}",
                          room->event_id, room->call_id,
                          room->h264_encoders[i] != NULL ? "true" : "false"));

  tto_test_client_discard_pushes (room->sides[i].client);
  start_engine (room, i, json_object_get_object_member (ok->body, "call"));
}

/* Hangs up side i; its engine goes. */
void
tto_calls_room_hangup (TtoCallsRoom *room,
                       guint i)
{
  TtoCallsSide *side = &room->sides[i];

  tto_call_engine_hangup (side->engine);
  g_clear_object (&side->engine);
}

void
tto_calls_room_pump (TtoCallsRoom *room)
{
  for (guint i = 0; i < room->n; i++)
    {
      TtoCallsSide *side = &room->sides[i];

      while (side->client != NULL && tto_test_client_count_pushes (side->client, NULL) > 0)
        {
          g_autoptr (TtoFrame) push = tto_test_client_wait_push (side->client, NULL, 0);

          if (side->engine != NULL && g_str_has_prefix (push->type, "call.")
              && !g_str_equal (push->type, TTO_FRAME_CALL_RING))
            {
              g_autoptr (GError) error = NULL;

              if (!tto_call_engine_handle_frame (side->engine, push->type, push->body, &error))
                g_test_message ("side %u: %s: %s", i, push->type, error->message);
            }
        }
    }
}

static gboolean
on_tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
tto_calls_room_run_until (TtoCallsRoom *room,
                          gboolean (*done) (TtoCallsRoom *room),
                          guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint tick = g_timeout_add (20, on_tick, NULL);
  gboolean reached = FALSE;

  while (g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, TRUE);
      tto_calls_room_pump (room);
      if (done != NULL && done (room))
        {
          reached = TRUE;
          break;
        }
    }
  g_source_remove (tick);

  return reached;
}

void
tto_calls_room_run (TtoCallsRoom *room,
                    guint ms)
{
  tto_calls_room_run_until (room, NULL, ms);
}

/* The peer of side i that stands for side j. */
TtoCallPeer *
tto_calls_room_peer (TtoCallsRoom *room,
                     guint i,
                     guint j)
{
  if (room->sides[i].engine == NULL)
    return NULL;

  return tto_call_engine_find_peer (room->sides[i].engine,
                                    tto_test_client_get_identity_id (room->sides[j].client));
}

/* Every engine decodes audio and video from every other one. */
gboolean
tto_calls_room_all_media_flowing (TtoCallsRoom *room)
{
  for (guint i = 0; i < room->n; i++)
    for (guint j = 0; j < room->n; j++)
      {
        TtoCallPeer *peer;

        if (i == j || room->sides[i].engine == NULL || room->sides[j].engine == NULL)
          continue;
        peer = tto_calls_room_peer (room, i, j);
        if (peer == NULL || tto_call_peer_get_video_frames (peer) == 0
            || tto_call_peer_get_audio_buffers (peer) == 0)
          return FALSE;
      }

  return TRUE;
}
