/* tto-test-calls-relay.c: call signalling through a real relay: config and
 * TURN credentials, invite/ring/accept/decline, offer/answer/ice between
 * participants only, forms, the six-peer limit, leaving and ending
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "tto-shared.h"
#include "tto-test-harness.h"

#define GRACE 600
#define SECRET "s3cret-for-tests"

typedef struct
{
  TtoTestRelay *relay;
  TtoTestClient *c[7];
  guint n;
  char *event_id;
} Room;

static gboolean
room_open (Room *room,
           guint members,
           const char *const *args)
{
  JsonObject *event;
  const char *code;

  memset (room, 0, sizeof *room);
  room->relay = tto_test_relay_start_with_args (GRACE, args);
  if (room->relay == NULL)
    return FALSE;

  room->n = members;
  for (guint i = 0; i < members; i++)
    {
      g_autofree char *name = g_strdup_printf ("Peer %u", i);

      room->c[i] = tto_test_client_connect (room->relay);
      tto_test_client_create_identity (room->c[i], name);
    }
  event = tto_test_client_create_event (room->c[0], "Call me", 0);
  room->event_id = g_strdup (json_object_get_string_member (event, "event_id"));
  code = json_object_get_string_member (event, "invite_code");
  for (guint i = 1; i < members; i++)
    json_object_unref (tto_test_client_join (room->c[i], code));
  json_object_unref (event);
  for (guint i = 0; i < members; i++)
    tto_test_client_discard_pushes (room->c[i]);

  return TRUE;
}

static void
room_close (Room *room)
{
  for (guint i = 0; i < room->n; i++)
    if (room->c[i] != NULL)
      tto_test_client_close (room->c[i]);
  tto_test_relay_stop (room->relay);
  g_free (room->event_id);
}

static const char *
id_of (Room *room,
       guint i)
{
  return tto_test_client_get_identity_id (room->c[i]);
}

static char *
start_call (Room *room,
            const char *kind)
{
  g_autoptr (TtoFrame) ok = tto_test_client_request_ok (
    room->c[0], TTO_FRAME_CALL_INVITE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"kind\":\"%s\",\"to\":[\"all\"]}",
                          room->event_id, kind));
  JsonObject *call = json_object_get_object_member (ok->body, "call");

  return g_strdup (json_object_get_string_member (call, "call_id"));
}

static JsonObject *
last_state (TtoTestClient *c)
{
  JsonObject *call = NULL;

  for (;;)
    {
      g_autoptr (TtoFrame) push = tto_test_client_wait_push (c, TTO_FRAME_CALL_STATE,
                                                             call == NULL ? 5000 : 200);

      if (push == NULL)
        break;
      g_clear_pointer (&call, json_object_unref);
      call = json_object_ref (json_object_get_object_member (push->body, "call"));
    }

  g_assert_nonnull (call);
  return call;
}

static guint
count_participants (JsonObject *call)
{
  return json_array_get_length (json_object_get_array_member (call, "participants"));
}

static void
test_config (void)
{
  static const char *const args[] = { "--stun", "stun:127.0.0.1:3478", "--turn",
                                      "turn:127.0.0.1:3478?transport=udp", "--turn-secret",
                                      SECRET, NULL };
  Room room;
  g_autoptr (TtoFrame) ok = NULL;
  JsonArray *servers;
  JsonObject *turn;
  const char *username;
  g_auto (GStrv) parts = NULL;
  gint64 expiry;

  if (!room_open (&room, 1, args))
    return;

  ok = tto_test_client_request_ok (room.c[0], TTO_FRAME_CALL_CONFIG, NULL);
  servers = json_object_get_array_member (ok->body, "ice_servers");
  g_assert_cmpuint (json_array_get_length (servers), ==, 2);
  g_assert_cmpint (tto_frame_get_int (ok, "max_peers", 0), ==, 6);
  turn = json_array_get_object_element (servers, 1);
  username = json_object_get_string_member (turn, "username");

  /* coturn's REST scheme: "expiry:user", base64 (HMAC-SHA1 (secret, username)). */
  parts = g_strsplit (username, ":", 2);
  g_assert_cmpstr (parts[1], ==, id_of (&room, 0));
  expiry = g_ascii_strtoll (parts[0], NULL, 10);
  g_assert_cmpint (expiry, >, g_get_real_time () / G_USEC_PER_SEC + 3500);
  g_assert_cmpint (expiry, <=, g_get_real_time () / G_USEC_PER_SEC + 3600);
  {
    g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA1, (const guchar *) SECRET,
                                         strlen (SECRET));
    guint8 digest[20];
    gsize length = sizeof digest;
    g_autofree char *expected = NULL;

    g_hmac_update (hmac, (const guchar *) username, -1);
    g_hmac_get_digest (hmac, digest, &length);
    expected = g_base64_encode (digest, length);
    g_assert_cmpstr (json_object_get_string_member (turn, "credential"), ==, expected);
  }

  room_close (&room);
}

static void
test_ring_and_signal (void)
{
  Room room;
  g_autofree char *call_id = NULL;
  g_autoptr (JsonObject) state = NULL;
  TtoTestClient *outsider;

  if (!room_open (&room, 3, NULL))
    return;

  call_id = start_call (&room, "video");

  /* Both others ring; everyone sees the state. */
  for (guint i = 1; i < 3; i++)
    {
      g_autoptr (TtoFrame) ring = tto_test_client_wait_push (room.c[i], TTO_FRAME_CALL_RING, 5000);

      g_assert_nonnull (ring);
      g_assert_cmpstr (json_object_get_string_member (
                         json_object_get_object_member (ring->body, "call"), "call_id"),
                       ==, call_id);
    }
  tto_frame_free (tto_test_client_wait_push (room.c[0], TTO_FRAME_CALL_STATE, 5000));

  /* Signalling before accepting is refused. */
  tto_frame_free (tto_test_client_request_error (
    room.c[1], TTO_FRAME_CALL_OFFER,
    tto_test_json_object ("{\"event_id\":\"%s\",\"call_id\":\"%s\",\"to\":\"%s\",\"sdp\":\"v=0\"}",
                          room.event_id, call_id, id_of (&room, 0)),
    "forbidden"));

  tto_frame_free (tto_test_client_request_ok (
    room.c[1], TTO_FRAME_CALL_ACCEPT,
    tto_test_json_object ("{\"event_id\":\"%s\",\"call_id\":\"%s\"}", room.event_id, call_id)));
  tto_frame_free (tto_test_client_request_ok (
    room.c[2], TTO_FRAME_CALL_DECLINE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"call_id\":\"%s\"}", room.event_id, call_id)));
  state = last_state (room.c[2]);
  g_assert_cmpuint (count_participants (state), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (state, "invited")), ==, 0);

  /* Offer, answer and a candidate reach exactly the named peer. */
  tto_frame_free (tto_test_client_request_ok (
    room.c[1], TTO_FRAME_CALL_OFFER,
    tto_test_json_object ("{\"event_id\":\"%s\",\"call_id\":\"%s\",\"to\":\"%s\","
                          "\"sdp\":\"v=0\\r\\no=- 1 1 IN IP4 127.0.0.1\\r\\n\"}",
                          room.event_id, call_id, id_of (&room, 0))));
  {
    g_autoptr (TtoFrame) offer = tto_test_client_wait_push (room.c[0], TTO_FRAME_CALL_OFFER, 5000);

    g_assert_nonnull (offer);
    g_assert_cmpstr (tto_frame_get_string (offer, "from"), ==, id_of (&room, 1));
    g_assert_true (g_str_has_prefix (tto_frame_get_string (offer, "sdp"), "v=0\r\n"));
    g_assert_false (tto_frame_has (offer, "to"));
  }
  tto_frame_free (tto_test_client_request_ok (
    room.c[0], TTO_FRAME_CALL_ANSWER,
    tto_test_json_object ("{\"event_id\":\"%s\",\"call_id\":\"%s\",\"to\":\"%s\",\"sdp\":\"v=0\"}",
                          room.event_id, call_id, id_of (&room, 1))));
  tto_frame_free (tto_test_client_request_ok (
    room.c[0], TTO_FRAME_CALL_ICE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"call_id\":\"%s\",\"to\":\"%s\","
                          "\"candidate\":\"candidate:1 1 UDP 2122252543 127.0.0.1 40000 typ host\","
                          "\"sdp_mline_index\":1}",
                          room.event_id, call_id, id_of (&room, 1))));
  tto_frame_free (tto_test_client_wait_push (room.c[1], TTO_FRAME_CALL_ANSWER, 5000));
  {
    g_autoptr (TtoFrame) ice = tto_test_client_wait_push (room.c[1], TTO_FRAME_CALL_ICE, 5000);

    g_assert_nonnull (ice);
    g_assert_cmpint (tto_frame_get_int (ice, "sdp_mline_index", -1), ==, 1);
  }
  g_assert_cmpuint (tto_test_client_count_pushes (room.c[2], TTO_FRAME_CALL_OFFER), ==, 0);
  g_assert_cmpuint (tto_test_client_count_pushes (room.c[2], TTO_FRAME_CALL_ICE), ==, 0);

  /* To someone not in the call; from someone not in the call. */
  tto_frame_free (tto_test_client_request_error (
    room.c[0], TTO_FRAME_CALL_OFFER,
    tto_test_json_object ("{\"event_id\":\"%s\",\"call_id\":\"%s\",\"to\":\"%s\",\"sdp\":\"v=0\"}",
                          room.event_id, call_id, id_of (&room, 2)),
    "not_found"));
  outsider = tto_test_client_connect (room.relay);
  tto_test_client_create_identity (outsider, "Eve");
  tto_frame_free (tto_test_client_request_error (
    outsider, TTO_FRAME_CALL_ACCEPT,
    tto_test_json_object ("{\"event_id\":\"%s\",\"call_id\":\"%s\"}", room.event_id, call_id),
    "forbidden"));
  tto_frame_free (tto_test_client_request_error (
    outsider, TTO_FRAME_CALL_ICE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"call_id\":\"%s\",\"to\":\"%s\","
                          "\"candidate\":\"x\",\"sdp_mline_index\":0}",
                          room.event_id, call_id, id_of (&room, 0)),
    "forbidden"));
  tto_test_client_close (outsider);

  /* The recording indicator is everyone's. */
  tto_frame_free (tto_test_client_request_ok (
    room.c[1], TTO_FRAME_CALL_RECORDING,
    tto_test_json_object ("{\"event_id\":\"%s\",\"call_id\":\"%s\",\"recording\":true}",
                          room.event_id, call_id)));
  {
    g_autoptr (JsonObject) recorded = last_state (room.c[0]);
    JsonArray *recording = json_object_get_array_member (recorded, "recording");

    g_assert_cmpuint (json_array_get_length (recording), ==, 1);
    g_assert_cmpstr (json_array_get_string_element (recording, 0), ==, id_of (&room, 1));
  }

  /* A dropped connection leaves the call; the last hangup ends it. */
  tto_test_client_drop (room.c[1]);
  room.c[1] = NULL;
  {
    g_autoptr (JsonObject) after = last_state (room.c[0]);

    g_assert_cmpuint (count_participants (after), ==, 1);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (after, "recording")),
                      ==, 0);
  }
  tto_frame_free (tto_test_client_request_ok (
    room.c[0], TTO_FRAME_CALL_HANGUP,
    tto_test_json_object ("{\"event_id\":\"%s\",\"call_id\":\"%s\"}", room.event_id, call_id)));
  {
    g_autoptr (JsonObject) ended = last_state (room.c[2]);

    g_assert_true (json_object_get_boolean_member (ended, "ended"));
  }
  tto_frame_free (tto_test_client_request_error (
    room.c[2], TTO_FRAME_CALL_ACCEPT,
    tto_test_json_object ("{\"event_id\":\"%s\",\"call_id\":\"%s\"}", room.event_id, call_id),
    "not_found"));

  room_close (&room);
}

static void
test_forms_and_limit (void)
{
  Room room;
  g_autofree char *call_id = NULL;

  if (!room_open (&room, 7, NULL))
    return;

  /* The creator switches video calls off: video is refused, audio is not. */
  tto_frame_free (tto_test_client_request_ok (
    room.c[0], TTO_FRAME_EVENT_UPDATE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"forms\":[\"text\",\"voice_call\"]}",
                          room.event_id)));
  tto_frame_free (tto_test_client_request_error (
    room.c[1], TTO_FRAME_CALL_INVITE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"kind\":\"video\",\"to\":[\"all\"]}",
                          room.event_id),
    "forbidden"));
  /* Files are off too now. */
  tto_frame_free (tto_test_client_request_error (
    room.c[1], TTO_FRAME_MSG_SEND,
    tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"x\",\"text\":\"\","
                          "\"attachment\":{\"blob_id\":\"b\",\"kind\":\"image\"}}",
                          room.event_id),
    "forbidden"));
  tto_frame_free (tto_test_client_request_error (
    room.c[1], TTO_FRAME_CALL_INVITE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"kind\":\"sound\",\"to\":[\"all\"]}",
                          room.event_id),
    "bad_frame"));
  tto_frame_free (tto_test_client_request_error (
    room.c[1], TTO_FRAME_CALL_INVITE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"kind\":\"audio\",\"to\":[\"%s\"]}",
                          room.event_id, id_of (&room, 1)),
    "bad_frame"));

  call_id = start_call (&room, "audio");
  for (guint i = 1; i < 6; i++)
    tto_frame_free (tto_test_client_request_ok (
      room.c[i], TTO_FRAME_CALL_ACCEPT,
      tto_test_json_object ("{\"event_id\":\"%s\",\"call_id\":\"%s\"}", room.event_id,
                            call_id)));
  /* The seventh is told the mesh is full. */
  {
    g_autoptr (TtoFrame) full = tto_test_client_request_error (
      room.c[6], TTO_FRAME_CALL_ACCEPT,
      tto_test_json_object ("{\"event_id\":\"%s\",\"call_id\":\"%s\"}", room.event_id, call_id),
      "conflict");

    g_assert_nonnull (strstr (tto_frame_get_string (full, "message"), "6"));
  }
  {
    g_autoptr (JsonObject) state = last_state (room.c[6]);

    g_assert_cmpuint (count_participants (state), ==, 6);
  }

  room_close (&room);
}

/* Who sends H.264: what each device said when it joined, per participant,
 * cleared on leaving; a non-boolean is refused and loses nothing. */
static gboolean
participant_h264 (JsonObject *call,
                  const char *identity_id)
{
  JsonArray *participants = json_object_get_array_member (call, "participants");

  for (guint i = 0; i < json_array_get_length (participants); i++)
    {
      JsonObject *p = json_array_get_object_element (participants, i);

      if (g_str_equal (json_object_get_string_member (p, "identity_id"), identity_id))
        return json_object_get_boolean_member_with_default (p, "h264", FALSE);
    }
  g_assert_not_reached ();
}

static void
test_codecs (void)
{
  Room room;
  const char *call_id;
  g_autoptr (TtoFrame) ok = NULL;
  g_autoptr (JsonObject) state = NULL;
  JsonObject *call;

  if (!room_open (&room, 3, NULL))
    return;

  tto_frame_free (tto_test_client_request_error (
    room.c[0], TTO_FRAME_CALL_INVITE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"kind\":\"video\",\"to\":[\"all\"],"
                          "\"h264\":\"yes\"}",
                          room.event_id),
    "bad_frame"));
  ok = tto_test_client_request_ok (
    room.c[0], TTO_FRAME_CALL_INVITE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"kind\":\"video\",\"to\":[\"all\"],"
                          "\"h264\":true}",
                          room.event_id));
  call = json_object_get_object_member (ok->body, "call");
  call_id = json_object_get_string_member (call, "call_id");
  g_assert_true (participant_h264 (call, id_of (&room, 0)));

  tto_frame_free (tto_test_client_request_error (
    room.c[1], TTO_FRAME_CALL_ACCEPT,
    tto_test_json_object ("{\"event_id\":\"%s\",\"call_id\":\"%s\",\"h264\":1}",
                          room.event_id, call_id),
    "bad_frame"));
  tto_frame_free (tto_test_client_request_ok (
    room.c[1], TTO_FRAME_CALL_ACCEPT,
    tto_test_json_object ("{\"event_id\":\"%s\",\"call_id\":\"%s\",\"h264\":true}",
                          room.event_id, call_id)));
  tto_frame_free (tto_test_client_request_ok (
    room.c[2], TTO_FRAME_CALL_ACCEPT,
    tto_test_json_object ("{\"event_id\":\"%s\",\"call_id\":\"%s\"}", room.event_id,
                          call_id)));
  state = last_state (room.c[2]);
  g_assert_cmpuint (count_participants (state), ==, 3);
  g_assert_true (participant_h264 (state, id_of (&room, 0)));
  g_assert_true (participant_h264 (state, id_of (&room, 1)));
  g_assert_false (participant_h264 (state, id_of (&room, 2)));

  /* Back from a device without it: the flag goes. */
  tto_frame_free (tto_test_client_request_ok (
    room.c[1], TTO_FRAME_CALL_HANGUP,
    tto_test_json_object ("{\"event_id\":\"%s\",\"call_id\":\"%s\"}", room.event_id,
                          call_id)));
  tto_frame_free (tto_test_client_request_ok (
    room.c[1], TTO_FRAME_CALL_ACCEPT,
    tto_test_json_object ("{\"event_id\":\"%s\",\"call_id\":\"%s\"}", room.event_id,
                          call_id)));
  g_clear_pointer (&state, json_object_unref);
  state = last_state (room.c[2]);
  g_assert_cmpuint (count_participants (state), ==, 3);
  g_assert_false (participant_h264 (state, id_of (&room, 1)));
  g_assert_true (participant_h264 (state, id_of (&room, 0)));

  room_close (&room);
}

int
main (int argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/calls-relay/config", test_config);
  g_test_add_func ("/calls-relay/ring-and-signal", test_ring_and_signal);
  g_test_add_func ("/calls-relay/forms-and-limit", test_forms_and_limit);
  g_test_add_func ("/calls-relay/codecs", test_codecs);

  return g_test_run ();
}
