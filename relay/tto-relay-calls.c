/* tto-relay-calls.c: call signalling and the small call state in RAM
 *
 * Media flows peer to peer (WebRTC, a full mesh of at most six); the relay
 * only carries invitations, SDP and ICE between members of the event, and
 * keeps who is in which call since when. Nothing of a call is stored or
 * recorded here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <string.h>

#include "tto-ids.h"
#include "tto-relay-access.h"
#include "tto-relay-flow.h"
#include "tto-relay-private.h"

typedef struct
{
  char *call_id;
  char *event_id;
  char *kind; /* "audio" or "video" */
  char *started_by;
  gint64 started_at;        /* ms */
  GHashTable *participants; /* identity id → gint64* joined_at (ms) */
  GHashTable *invited;      /* identity ids rung, not yet answered */
  GHashTable *recording;    /* identity ids recording locally */
  GHashTable *h264;         /* identity ids whose device sends H.264 */
} TtoRelayCall;

static void
call_free (gpointer data)
{
  TtoRelayCall *call = data;

  g_free (call->call_id);
  g_free (call->event_id);
  g_free (call->kind);
  g_free (call->started_by);
  g_hash_table_unref (call->participants);
  g_hash_table_unref (call->invited);
  g_hash_table_unref (call->recording);
  g_hash_table_unref (call->h264);
  g_free (call);
}

static GHashTable *
calls_of (TtoRelay *relay)
{
  if (relay->calls == NULL)
    relay->calls = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, call_free);

  return relay->calls;
}

static JsonArray *
id_array (GHashTable *set)
{
  g_autoptr (GList) ids = g_list_sort (g_hash_table_get_keys (set), (GCompareFunc) g_strcmp0);
  JsonArray *array = json_array_new ();

  for (GList *l = ids; l != NULL; l = l->next)
    json_array_add_string_element (array, l->data);

  return array;
}

static JsonObject *
call_json (TtoRelay *relay,
           TtoRelayCall *call,
           gboolean ended)
{
  TtoRelayRoom *room = tto_relay_find_room (relay, call->event_id);
  JsonObject *object = json_object_new ();
  JsonArray *participants = json_array_new ();
  g_autoptr (GList) ids = g_list_sort (g_hash_table_get_keys (call->participants),
                                       (GCompareFunc) g_strcmp0);

  for (GList *l = ids; l != NULL; l = l->next)
    {
      JsonObject *p = json_object_new ();
      TtoMember *member = room != NULL ? tto_relay_room_get_member (room, l->data) : NULL;

      json_object_set_string_member (p, "identity_id", l->data);
      json_object_set_string_member (p, "display_name",
                                     member != NULL ? tto_member_get_display_name (member) : "");
      json_object_set_int_member (p, "joined_at",
                                  *(gint64 *) g_hash_table_lookup (call->participants, l->data));
      if (g_hash_table_contains (call->h264, l->data))
        json_object_set_boolean_member (p, "h264", TRUE);
      json_array_add_object_element (participants, p);
    }

  json_object_set_string_member (object, "call_id", call->call_id);
  json_object_set_string_member (object, "kind", call->kind);
  json_object_set_string_member (object, "started_by", call->started_by);
  json_object_set_int_member (object, "started_at", call->started_at);
  json_object_set_array_member (object, "participants", participants);
  json_object_set_array_member (object, "invited", id_array (call->invited));
  json_object_set_array_member (object, "recording", id_array (call->recording));
  json_object_set_boolean_member (object, "ended", ended);

  return object;
}

/* Every member hears the state: a call in progress shows in the event and
 * latecomers may join. */
static void
push_state (TtoRelay *relay,
            TtoRelayCall *call,
            gboolean ended)
{
  TtoRelayRoom *room = tto_relay_find_room (relay, call->event_id);
  g_autoptr (TtoFrame) frame = NULL;
  g_autofree char *text = NULL;
  JsonObject *body;

  if (room == NULL)
    return;

  body = json_object_new ();
  json_object_set_string_member (body, "event_id", call->event_id);
  json_object_set_object_member (body, "call", call_json (relay, call, ended));
  frame = tto_frame_new (TTO_FRAME_CALL_STATE, NULL, body);
  text = tto_frame_serialize (frame, NULL);
  tto_relay_send_to_room (relay, room, text, NULL);
}

static void
leave (TtoRelay *relay,
       TtoRelayCall *call,
       const char *identity_id)
{
  /* Before the leaver is gone: a video_call task may be done now. */
  if (g_hash_table_contains (call->participants, identity_id))
    tto_relay_flow_call_leaving (relay, call->event_id, call->kind, call->participants,
                                 identity_id);
  g_hash_table_remove (call->participants, identity_id);
  g_hash_table_remove (call->recording, identity_id);
  g_hash_table_remove (call->invited, identity_id);
  g_hash_table_remove (call->h264, identity_id);

  if (g_hash_table_size (call->participants) == 0)
    {
      g_message ("call ended after %" G_GINT64_FORMAT " s", (tto_relay_now_ms () - call->started_at) / 1000);
      push_state (relay, call, TRUE);
      g_hash_table_remove (relay->calls, call->call_id);
    }
  else
    push_state (relay, call, FALSE);
}

/* What the joining device can send besides VP8 (PROTOCOL.md, Calls):
 * peers that both send H.264 use it between them. */
static void
note_codecs (TtoRelayCall *call,
             const char *identity_id,
             TtoFrame *frame)
{
  if (json_object_get_boolean_member_with_default (frame->body, "h264", FALSE))
    g_hash_table_add (call->h264, g_strdup (identity_id));
  else
    g_hash_table_remove (call->h264, identity_id);
}

/* Finds the call of the frame in an event the caller belongs to. */
static TtoRelayCall *
frame_call (TtoRelayConn *conn,
            TtoFrame *frame,
            TtoRelayRoom **out_room)
{
  TtoRelayRoom *room = tto_relay_member_room (conn, frame);
  TtoRelayCall *call;

  if (room == NULL)
    return NULL;

  call = g_hash_table_lookup (calls_of (conn->relay), tto_frame_get_string (frame, "call_id"));
  if (call == NULL || !g_str_equal (call->event_id, tto_relay_room_get_id (room)))
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_NOT_FOUND,
                             "no call with this id in the event (it may have ended)");
      return NULL;
    }

  if (out_room != NULL)
    *out_room = room;
  return call;
}

static void
reply_call (TtoRelayConn *conn,
            TtoFrame *frame,
            TtoRelayCall *call)
{
  JsonObject *body = json_object_new ();

  json_object_set_object_member (body, "call", call_json (conn->relay, call, FALSE));
  tto_relay_reply_ok (conn, frame->id, body);
}

/* call.config: ICE servers, with a TURN credential in coturn's REST API
 * scheme: username "expiry:identity", password base64 (HMAC-SHA1). */
void
tto_relay_handle_call_config (TtoRelayConn *conn,
                              TtoFrame *frame)
{
  TtoRelayConfig *config = conn->relay->config;
  JsonArray *servers = json_array_new ();
  JsonObject *body = json_object_new ();

  if (config->stun_urls != NULL && config->stun_urls[0] != NULL)
    {
      JsonObject *stun = json_object_new ();
      JsonArray *urls = json_array_new ();

      for (guint i = 0; config->stun_urls[i] != NULL; i++)
        json_array_add_string_element (urls, config->stun_urls[i]);
      json_object_set_array_member (stun, "urls", urls);
      json_array_add_object_element (servers, stun);
    }

  if (config->turn_urls != NULL && config->turn_urls[0] != NULL && config->turn_secret != NULL)
    {
      JsonObject *turn = json_object_new ();
      JsonArray *urls = json_array_new ();
      g_autofree char *username = g_strdup_printf ("%" G_GINT64_FORMAT ":%s",
                                                   tto_relay_now_seconds () +
                                                     config->turn_ttl,
                                                   conn->identity_id);
      g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA1, (const guchar *) config->turn_secret,
                                           strlen (config->turn_secret));
      guint8 digest[20];
      gsize digest_length = sizeof digest;
      g_autofree char *credential = NULL;

      g_hmac_update (hmac, (const guchar *) username, (gssize) strlen (username));
      g_hmac_get_digest (hmac, digest, &digest_length);
      credential = g_base64_encode (digest, digest_length);

      for (guint i = 0; config->turn_urls[i] != NULL; i++)
        json_array_add_string_element (urls, config->turn_urls[i]);
      json_object_set_array_member (turn, "urls", urls);
      json_object_set_string_member (turn, "username", username);
      json_object_set_string_member (turn, "credential", credential);
      json_array_add_object_element (servers, turn);
      explicit_bzero (credential, strlen (credential));
    }

  json_object_set_array_member (body, "ice_servers", servers);
  json_object_set_int_member (body, "ttl", config->turn_ttl);
  json_object_set_int_member (body, "max_peers", TTO_PROTOCOL_MAX_CALL_PEERS);
  {
    g_autoptr (TtoFrame) answer = tto_frame_new_ok (frame->id, body);

    tto_relay_send (conn, answer);
    tto_frame_wipe (answer);
  }
}

/* call.invite: starts a call (no call_id) or rings more members into one. */
void
tto_relay_handle_call_invite (TtoRelayConn *conn,
                              TtoFrame *frame)
{
  TtoRelay *relay = conn->relay;
  TtoRelayRoom *room;
  TtoRelayCall *call;
  JsonArray *to = json_object_get_array_member (frame->body, "to");
  g_autoptr (GPtrArray) invitees = g_ptr_array_new ();
  gboolean everyone = FALSE;

  if (tto_frame_has (frame, "call_id"))
    {
      call = frame_call (conn, frame, &room);
      if (call == NULL)
        return;
      if (!g_hash_table_contains (call->participants, conn->identity_id))
        {
          tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN,
                                 "only participants may invite into a call");
          return;
        }
    }
  else
    {
      const char *kind = tto_frame_get_string (frame, "kind");

      room = tto_relay_member_room (conn, frame);
      if (room == NULL ||
          !tto_relay_form_enabled (conn, frame, room,
                                   g_str_equal (kind, "video") ? TTO_FORM_VIDEO_CALL
                                                               : TTO_FORM_VOICE_CALL))
        return;
      call = NULL;
    }

  /* Who: "all" (every other member) or named members. */
  for (guint i = 0; i < json_array_get_length (to); i++)
    {
      const char *id = json_array_get_string_element (to, i);

      if (g_str_equal (id, "all"))
        everyone = TRUE;
      else if (g_strcmp0 (id, conn->identity_id) == 0 ||
               tto_relay_room_get_member (room, id) == NULL)
        {
          tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_BAD_FRAME,
                                 "body.to[%u] is not another member of the event", i);
          return;
        }
      else
        g_ptr_array_add (invitees, (gpointer) id);
    }
  if (everyone)
    {
      GHashTableIter iter;
      gpointer id;

      g_ptr_array_set_size (invitees, 0);
      tto_relay_room_iter_members (room, &iter);
      while (g_hash_table_iter_next (&iter, &id, NULL))
        if (!g_str_equal (id, conn->identity_id))
          g_ptr_array_add (invitees, id);
    }

  if (call == NULL)
    {
      gint64 joined = tto_relay_now_ms ();

      call = g_new0 (TtoRelayCall, 1);
      call->call_id = tto_id_new ();
      call->event_id = g_strdup (tto_relay_room_get_id (room));
      call->kind = g_strdup (tto_frame_get_string (frame, "kind"));
      call->started_by = g_strdup (conn->identity_id);
      call->started_at = joined;
      call->participants = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      call->invited = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      call->recording = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      call->h264 = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (call->participants, g_strdup (conn->identity_id),
                           g_memdup2 (&joined, sizeof joined));
      note_codecs (call, conn->identity_id, frame);
      g_hash_table_insert (calls_of (relay), call->call_id, call);
      g_message ("call started; %u running", g_hash_table_size (relay->calls));
    }

  for (guint i = 0; i < invitees->len; i++)
    if (!g_hash_table_contains (call->participants, invitees->pdata[i]))
      g_hash_table_add (call->invited, g_strdup (invitees->pdata[i]));

  reply_call (conn, frame, call);

  /* The ring, to each invitee's devices; then the state, to everyone. */
  {
    JsonObject *body = json_object_new ();
    g_autoptr (TtoFrame) ring = NULL;

    json_object_set_string_member (body, "event_id", call->event_id);
    json_object_set_object_member (body, "call", call_json (relay, call, FALSE));
    ring = tto_frame_new (TTO_FRAME_CALL_RING, NULL, body);
    for (guint i = 0; i < invitees->len; i++)
      if (!g_hash_table_contains (call->participants, invitees->pdata[i]))
        tto_relay_access_send_to_identity (relay, room, invitees->pdata[i], ring);
  }
  push_state (relay, call, FALSE);
}

void
tto_relay_handle_call_accept (TtoRelayConn *conn,
                              TtoFrame *frame)
{
  TtoRelayRoom *room;
  TtoRelayCall *call = frame_call (conn, frame, &room);
  gint64 joined = tto_relay_now_ms ();

  if (call == NULL)
    return;

  if (!tto_relay_form_enabled (conn, frame, room,
                               g_str_equal (call->kind, "video") ? TTO_FORM_VIDEO_CALL
                                                                 : TTO_FORM_VOICE_CALL))
    return;

  if (!g_hash_table_contains (call->participants, conn->identity_id))
    {
      if (g_hash_table_size (call->participants) >= TTO_PROTOCOL_MAX_CALL_PEERS)
        {
          tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_CONFLICT,
                                 "the call is full: at most %d people take part",
                                 TTO_PROTOCOL_MAX_CALL_PEERS);
          return;
        }
      g_hash_table_insert (call->participants, g_strdup (conn->identity_id),
                           g_memdup2 (&joined, sizeof joined));
    }
  /* A rejoin may come from another device. */
  note_codecs (call, conn->identity_id, frame);
  g_hash_table_remove (call->invited, conn->identity_id);

  reply_call (conn, frame, call);
  push_state (conn->relay, call, FALSE);
}

void
tto_relay_handle_call_decline (TtoRelayConn *conn,
                               TtoFrame *frame)
{
  TtoRelayCall *call = frame_call (conn, frame, NULL);

  if (call == NULL)
    return;

  g_hash_table_remove (call->invited, conn->identity_id);
  tto_relay_reply_ok (conn, frame->id, NULL);
  push_state (conn->relay, call, FALSE);
}

void
tto_relay_handle_call_hangup (TtoRelayConn *conn,
                              TtoFrame *frame)
{
  TtoRelayCall *call = frame_call (conn, frame, NULL);

  if (call == NULL)
    return;

  /* Reply first: leave () may free the call. */
  tto_relay_reply_ok (conn, frame->id, NULL);
  leave (conn->relay, call, conn->identity_id);
}

/* call.offer, call.answer, call.ice: from one participant to another. */
void
tto_relay_handle_call_signal (TtoRelayConn *conn,
                              TtoFrame *frame)
{
  TtoRelayRoom *room;
  TtoRelayCall *call = frame_call (conn, frame, &room);
  const char *to = tto_frame_get_string (frame, "to");
  g_autoptr (TtoFrame) push = NULL;
  JsonObject *body;

  if (call == NULL)
    return;

  if (!g_hash_table_contains (call->participants, conn->identity_id))
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN,
                             "join the call (call.accept) before signalling in it");
      return;
    }
  if (!g_hash_table_contains (call->participants, to))
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_NOT_FOUND,
                             "body.to is not in the call");
      return;
    }

  body = json_object_new ();
  json_object_set_string_member (body, "event_id", call->event_id);
  json_object_set_string_member (body, "call_id", call->call_id);
  json_object_set_string_member (body, "from", conn->identity_id);
  if (tto_frame_has (frame, "sdp"))
    json_object_set_string_member (body, "sdp", tto_frame_get_string (frame, "sdp"));
  else
    {
      json_object_set_string_member (body, "candidate", tto_frame_get_string (frame, "candidate"));
      json_object_set_int_member (body, "sdp_mline_index",
                                  tto_frame_get_int (frame, "sdp_mline_index", 0));
    }
  push = tto_frame_new (frame->type, NULL, body);
  /* Not to a device the event's allow-list keeps out. */
  tto_relay_access_send_to_identity (conn->relay, room, to, push);
  tto_relay_reply_ok (conn, frame->id, NULL);
}

/* A local recording is everyone's business: all participants see it. */
void
tto_relay_handle_call_recording (TtoRelayConn *conn,
                                 TtoFrame *frame)
{
  TtoRelayCall *call = frame_call (conn, frame, NULL);
  gboolean recording = json_object_get_boolean_member (frame->body, "recording");

  if (call == NULL)
    return;

  if (!g_hash_table_contains (call->participants, conn->identity_id))
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN,
                             "only participants record a call");
      return;
    }

  if (recording)
    g_hash_table_add (call->recording, g_strdup (conn->identity_id));
  else
    g_hash_table_remove (call->recording, conn->identity_id);

  reply_call (conn, frame, call);
  push_state (conn->relay, call, FALSE);
}

/* The identity's last connection closed: it leaves every call. */
void
tto_relay_calls_identity_offline (TtoRelay *relay,
                                  const char *identity_id)
{
  g_autoptr (GList) calls = NULL;

  if (relay->calls == NULL)
    return;

  calls = g_hash_table_get_values (relay->calls);
  for (GList *l = calls; l != NULL; l = l->next)
    {
      TtoRelayCall *call = l->data;

      if (g_hash_table_contains (call->participants, identity_id))
        leave (relay, call, identity_id);
      else if (g_hash_table_remove (call->invited, identity_id))
        push_state (relay, call, FALSE);
    }
}

void
tto_relay_calls_end_event (TtoRelay *relay,
                           const char *event_id)
{
  GHashTableIter iter;
  gpointer call;

  if (relay->calls == NULL)
    return;

  g_hash_table_iter_init (&iter, relay->calls);
  while (g_hash_table_iter_next (&iter, NULL, &call))
    if (g_str_equal (((TtoRelayCall *) call)->event_id, event_id))
      g_hash_table_iter_remove (&iter);
}

/* A removed member leaves the event's calls at once. */
void
tto_relay_calls_member_removed (TtoRelay *relay,
                                const char *event_id,
                                const char *identity_id)
{
  g_autoptr (GList) calls = NULL;

  if (relay->calls == NULL)
    return;

  calls = g_hash_table_get_values (relay->calls);
  for (GList *l = calls; l != NULL; l = l->next)
    {
      TtoRelayCall *call = l->data;

      if (!g_str_equal (call->event_id, event_id))
        continue;
      if (g_hash_table_contains (call->participants, identity_id))
        leave (relay, call, identity_id);
      else if (g_hash_table_remove (call->invited, identity_id))
        push_state (relay, call, FALSE);
    }
}
