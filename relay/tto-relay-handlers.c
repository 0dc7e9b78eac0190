/* tto-relay-handlers.c: one function per request frame type
 *
 * Only identity.create, auth, event.create, event.join and event.end wait
 * for the database; messages and resume are answered from memory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <string.h>

#include "tto-ids.h"
#include "tto-relay-auth.h"
#include "tto-relay-private.h"
#include "tto-util.h"

typedef void (*Handler) (TtoRelayConn *conn,
                         TtoFrame *frame);

/* One request waiting for the store. */
typedef struct
{
  TtoRelay *relay;
  TtoRelayConn *conn;
  char *id;
  char *identity_id;
  char *kind;
  char *display_name;
  char *token;
  char *event_id;
  TtoEvent *event;
  TtoMember *member;
} Request;

static void process_and_wipe (TtoRelayConn *conn,
                              GBytes *message);

static Request *
request_new (TtoRelayConn *conn,
             TtoFrame *frame)
{
  Request *request = g_new0 (Request, 1);

  request->relay = conn->relay;
  request->conn = tto_relay_conn_ref (conn);
  request->id = g_strdup (frame->id);

  return request;
}

static void
request_free (Request *request)
{
  tto_relay_conn_unref (request->conn);
  g_free (request->id);
  g_free (request->identity_id);
  g_free (request->kind);
  g_free (request->display_name);
  tto_str_wipe_free (request->token);
  g_free (request->event_id);
  g_clear_object (&request->event);
  g_clear_object (&request->member);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static gboolean
conn_is_open (TtoRelayConn *conn)
{
  return conn->relay != NULL;
}

static void
reply_ok (TtoRelayConn *conn,
          const char *id,
          JsonObject *body)
{
  g_autoptr (TtoFrame) frame = tto_frame_new_ok (id, body);

  if (id != NULL)
    tto_relay_send (conn, frame);
}

G_GNUC_PRINTF (4, 5)
static void
reply_error (TtoRelayConn *conn,
             const char *id,
             TtoProtocolError code,
             const char *format,
             ...)
{
  g_autoptr (TtoFrame) frame = NULL;
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  frame = tto_frame_new_error (id, code, message);
  tto_relay_send (conn, frame);
}

/* Store failures become "unavailable" (retry later) or "internal"; the
 * details go to the log only. */
static void
reply_store_error (TtoRelayConn *conn,
                   const char *id,
                   const GError *error)
{
  g_warning ("database request failed: %s", error->message);

  if (g_error_matches (error, TTO_RELAY_STORE_ERROR, TTO_RELAY_STORE_ERROR_CONNECT))
    reply_error (conn, id, TTO_PROTOCOL_ERROR_UNAVAILABLE,
                 "the relay's database is unavailable; try again");
  else
    reply_error (conn, id, TTO_PROTOCOL_ERROR_INTERNAL, "internal relay error");
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
room_past_deadline (TtoRelayRoom *room)
{
  gint64 deadline = tto_event_get_deadline (tto_relay_room_get_event (room));

  return deadline > 0 && deadline <= now_seconds ();
}

/* Finds a live event the caller belongs to, or answers the error. */
static TtoRelayRoom *
member_room (TtoRelayConn *conn,
             TtoFrame *frame)
{
  const char *event_id = tto_frame_get_string (frame, "event_id");
  TtoRelayRoom *room = tto_relay_find_room (conn->relay, event_id);

  if (room == NULL)
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_NOT_FOUND, "no live event has this id");
      return NULL;
    }
  if (tto_relay_room_get_member (room, conn->identity_id) == NULL)
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN,
                   "only members of the event may do this");
      return NULL;
    }

  return room;
}

static void
finish_authenticating (TtoRelayConn *conn)
{
  GBytes *held;

  conn->authenticating = FALSE;

  /* A held frame may itself start authenticating again; then the rest
   * waits for that one. */
  while (conn_is_open (conn) && !conn->authenticating &&
         (held = g_queue_pop_head (&conn->held_frames)) != NULL)
    {
      process_and_wipe (conn, held);
      g_bytes_unref (held);
    }
}

/* identity.create */

static void
on_identity_inserted (GObject *source,
                      GAsyncResult *result,
                      gpointer user_data)
{
  g_autoptr (Request) request = user_data;
  g_autoptr (GError) error = NULL;
  TtoRelayConn *conn = request->conn;
  JsonObject *body;

  if (!tto_relay_store_finish (request->relay->store, result, &error))
    {
      if (conn_is_open (conn))
        reply_store_error (conn, request->id, error);
    }
  else if (conn_is_open (conn))
    {
      tto_relay_set_online (conn->relay, conn, request->identity_id, request->kind,
                            request->display_name);
      body = json_object_new ();
      json_object_set_string_member (body, "identity_id", request->identity_id);
      json_object_set_string_member (body, "display_name", request->display_name);
      json_object_set_string_member (body, "kind", request->kind);
      json_object_set_string_member (body, "token", request->token);
      {
        g_autoptr (TtoFrame) frame = tto_frame_new_ok (request->id, body);

        tto_relay_send (conn, frame);
        tto_frame_wipe (frame);
      }
    }
  else
    {
      /* Nobody holds the token: start the grace period right away. */
      tto_relay_store_set_identity_expiry_async (request->relay->store, request->identity_id,
                                                 now_seconds () +
                                                   request->relay->config->identity_grace,
                                                 NULL, NULL);
    }

  if (conn_is_open (conn))
    finish_authenticating (conn);
}

static void
handle_identity_create (TtoRelayConn *conn,
                        TtoFrame *frame)
{
  guint8 hash[TTO_RELAY_TOKEN_HASH_BYTES];
  g_autofree char *name = NULL;
  Request *request;

  if (conn->identity_id != NULL)
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_CONFLICT,
                   "this connection already has an identity");
      return;
    }

  name = tto_relay_auth_clean_display_name (tto_frame_get_string (frame, "display_name"));
  if (name == NULL)
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "body.display_name must contain a visible character");
      return;
    }

  request = request_new (conn, frame);
  request->identity_id = tto_id_new ();
  request->kind = g_strdup (tto_frame_get_string (frame, "kind"));
  request->display_name = g_steal_pointer (&name);
  request->token = tto_relay_auth_new_token (hash);

  conn->authenticating = TRUE;
  tto_relay_store_insert_identity_async (conn->relay->store, request->identity_id, request->kind,
                                         request->display_name, hash, now_seconds (),
                                         on_identity_inserted, request);
  explicit_bzero (hash, sizeof hash);
}

/* auth */

static void
on_identity_found (GObject *source,
                   GAsyncResult *result,
                   gpointer user_data)
{
  g_autoptr (Request) request = user_data;
  g_autoptr (TtoRelayStoredIdentity) identity = NULL;
  g_autoptr (GError) error = NULL;
  TtoRelayConn *conn = request->conn;
  JsonObject *body;

  identity = tto_relay_store_find_identity_finish (request->relay->store, result, &error);
  if (!conn_is_open (conn))
    return;

  if (error != NULL)
    reply_store_error (conn, request->id, error);
  else if (identity == NULL)
    reply_error (conn, request->id, TTO_PROTOCOL_ERROR_UNAUTHORIZED,
                 "unknown or expired token; create a new identity");
  else
    {
      tto_relay_set_online (conn->relay, conn, identity->id, identity->kind,
                            identity->display_name);
      body = json_object_new ();
      json_object_set_string_member (body, "identity_id", identity->id);
      json_object_set_string_member (body, "display_name", identity->display_name);
      json_object_set_string_member (body, "kind", identity->kind);
      reply_ok (conn, request->id, body);
    }

  finish_authenticating (conn);
}

static void
handle_auth (TtoRelayConn *conn,
             TtoFrame *frame)
{
  guint8 hash[TTO_RELAY_TOKEN_HASH_BYTES];

  if (conn->identity_id != NULL)
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_CONFLICT,
                   "this connection is already authenticated");
      return;
    }

  tto_relay_auth_hash_token (tto_frame_get_string (frame, "token"), hash);
  conn->authenticating = TRUE;
  tto_relay_store_find_identity_async (conn->relay->store, hash, on_identity_found,
                                       request_new (conn, frame));
  explicit_bzero (hash, sizeof hash);
}

/* ping */

static void
handle_ping (TtoRelayConn *conn,
             TtoFrame *frame)
{
  JsonObject *body = json_object_new ();

  json_object_set_int_member (body, "ts", g_get_real_time () / 1000);
  reply_ok (conn, frame->id, body);
}

/* event.create */

static void
on_event_inserted (GObject *source,
                   GAsyncResult *result,
                   gpointer user_data)
{
  g_autoptr (Request) request = user_data;
  g_autoptr (GError) error = NULL;
  TtoRelayConn *conn = request->conn;
  TtoRelayRoom *room;
  JsonObject *body;

  if (!tto_relay_store_finish (request->relay->store, result, &error))
    {
      if (conn_is_open (conn))
        reply_store_error (conn, request->id, error);
      return;
    }

  /* The rows exist now, so the room does too, whether or not the creator
   * is still connected to hear about it. */
  room = tto_relay_room_new (request->event);
  tto_relay_room_add_member (room, request->member);
  tto_relay_add_room (request->relay, room);
  g_message ("event created; %u live", g_hash_table_size (request->relay->rooms));

  if (conn_is_open (conn))
    {
      body = json_object_new ();
      json_object_set_object_member (body, "event",
                                     tto_relay_event_json (room, request->identity_id));
      reply_ok (conn, request->id, body);
    }
}

static char *
unused_invite_code (TtoRelay *relay)
{
  char *code;

  /* 2^40 codes: a collision is rare; the database's unique key backs this. */
  do
    code = tto_invite_code_new ();
  while (tto_relay_find_room_by_invite (relay, code) != NULL && (g_free (code), TRUE));

  return code;
}

static void
handle_event_create (TtoRelayConn *conn,
                     TtoFrame *frame)
{
  g_autofree char *title = g_strstrip (g_strdup (tto_frame_get_string (frame, "title")));
  g_autofree char *code = NULL;
  g_autofree char *id = NULL;
  gint64 deadline = tto_frame_get_int (frame, "deadline", 0);
  const char *content = tto_frame_get_string (frame, "content");
  const char *announcement = tto_frame_get_string (frame, "announcement");
  Request *request;
  TtoEvent *event;

  if (title[0] == '\0')
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "body.title must contain a visible character");
      return;
    }
  if (deadline > 0 && deadline <= now_seconds ())
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "body.deadline is in the past");
      return;
    }

  id = tto_id_new ();
  code = unused_invite_code (conn->relay);
  event = tto_event_new (id);
  tto_event_set_title (event, title);
  tto_event_set_content (event, content != NULL ? content : "");
  tto_event_set_announcement (event, announcement != NULL ? announcement : "");
  tto_event_set_deadline (event, deadline);
  tto_event_set_admission (event, "open");
  tto_event_set_creator_id (event, conn->identity_id);
  tto_event_set_creator_name (event, conn->display_name);
  tto_event_set_invite_code (event, code);
  tto_event_set_created_at (event, now_seconds ());

  request = request_new (conn, frame);
  request->identity_id = g_strdup (conn->identity_id);
  request->event = event;
  request->member = tto_member_new (conn->identity_id, conn->display_name, "creator");
  tto_relay_store_insert_event_async (conn->relay->store, event, on_event_inserted, request);
}

/* event.get */

static void
handle_event_get (TtoRelayConn *conn,
                  TtoFrame *frame)
{
  TtoRelayRoom *room = member_room (conn, frame);
  g_autoptr (GList) members = NULL;
  JsonArray *array;
  JsonObject *body;

  if (room == NULL)
    return;

  members = tto_relay_room_get_members (room);
  array = json_array_new ();
  for (GList *l = members; l != NULL; l = l->next)
    json_array_add_object_element (array, tto_member_to_json (l->data));

  body = json_object_new ();
  json_object_set_object_member (body, "event", tto_relay_event_json (room, conn->identity_id));
  json_object_set_array_member (body, "members", array);
  reply_ok (conn, frame->id, body);
}

/* event.join */

static void
on_member_inserted (GObject *source,
                    GAsyncResult *result,
                    gpointer user_data)
{
  g_autoptr (Request) request = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) push = NULL;
  g_autoptr (TtoFrame) frame = NULL;
  g_autofree char *text = NULL;
  TtoRelayConn *conn = request->conn;
  TtoRelayRoom *room;
  JsonObject *body;

  if (!tto_relay_store_finish (request->relay->store, result, &error))
    {
      if (conn_is_open (conn))
        reply_store_error (conn, request->id, error);
      return;
    }

  /* The event may have ended while the row was written; its end deleted
   * the row with the rest. */
  room = tto_relay_find_room (request->relay, request->event_id);
  if (room == NULL)
    {
      if (conn_is_open (conn))
        reply_error (conn, request->id, TTO_PROTOCOL_ERROR_EXPIRED, "the event has ended");
      return;
    }

  tto_relay_room_add_member (room, request->member);

  push = json_object_new ();
  json_object_set_string_member (push, "event_id", request->event_id);
  json_object_set_object_member (push, "member", tto_member_to_json (request->member));
  json_object_set_int_member (push, "member_count", tto_relay_room_get_member_count (room));
  frame = tto_frame_new (TTO_FRAME_MEMBER_JOINED, NULL, json_object_ref (push));
  text = tto_frame_serialize (frame, NULL);
  tto_relay_send_to_room (request->relay, room, text, request->identity_id);

  if (conn_is_open (conn))
    {
      body = json_object_new ();
      json_object_set_object_member (body, "event",
                                     tto_relay_event_json (room, request->identity_id));
      reply_ok (conn, request->id, body);
    }
}

static void
handle_event_join (TtoRelayConn *conn,
                   TtoFrame *frame)
{
  g_autofree char *code = tto_invite_code_normalize (tto_frame_get_string (frame, "invite_code"));
  TtoRelayRoom *room;
  JsonObject *body;
  Request *request;

  if (code == NULL)
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "body.invite_code must be 8 characters from %s",
                   TTO_INVITE_CODE_ALPHABET);
      return;
    }

  room = tto_relay_find_room_by_invite (conn->relay, code);
  if (room == NULL)
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_NOT_FOUND,
                   "no live event has this invite code");
      return;
    }
  if (room_past_deadline (room))
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_EXPIRED, "the event has passed its deadline");
      return;
    }

  if (tto_relay_room_get_member (room, conn->identity_id) != NULL)
    {
      body = json_object_new ();
      json_object_set_object_member (body, "event", tto_relay_event_json (room, conn->identity_id));
      reply_ok (conn, frame->id, body);
      return;
    }

  request = request_new (conn, frame);
  request->identity_id = g_strdup (conn->identity_id);
  request->event_id = g_strdup (tto_relay_room_get_id (room));
  request->member = tto_member_new (conn->identity_id, conn->display_name, "member");
  tto_relay_store_insert_member_async (conn->relay->store, request->event_id, conn->identity_id,
                                       "member", now_seconds (), on_member_inserted, request);
}

/* event.list */

static gint
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  gint64 ta = json_object_get_int_member (*(JsonObject **) a, "created_at");
  gint64 tb = json_object_get_int_member (*(JsonObject **) b, "created_at");

  return (ta < tb) - (ta > tb);
}

static JsonArray *
sorted_array (GPtrArray *objects)
{
  JsonArray *array = json_array_new ();

  g_ptr_array_sort (objects, compare_newest_first);
  for (guint i = 0; i < objects->len; i++)
    json_array_add_object_element (array, objects->pdata[i]);

  return array;
}

static void
handle_event_list (TtoRelayConn *conn,
                   TtoFrame *frame)
{
  g_autoptr (GPtrArray) created = g_ptr_array_new ();
  g_autoptr (GPtrArray) joined = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer room;
  JsonObject *body;

  g_hash_table_iter_init (&iter, conn->relay->rooms);
  while (g_hash_table_iter_next (&iter, NULL, &room))
    {
      TtoMember *member = tto_relay_room_get_member (room, conn->identity_id);

      if (member == NULL)
        continue;
      g_ptr_array_add (g_str_equal (tto_member_get_role (member), "creator") ? created : joined,
                       tto_relay_event_json (room, conn->identity_id));
    }

  body = json_object_new ();
  json_object_set_array_member (body, "created", sorted_array (created));
  json_object_set_array_member (body, "joined", sorted_array (joined));
  reply_ok (conn, frame->id, body);
}

/* event.end */

static void
on_event_deleted (GObject *source,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (Request) request = user_data;
  g_autoptr (GError) error = NULL;

  if (!tto_relay_store_finish (request->relay->store, result, &error))
    {
      if (conn_is_open (request->conn))
        reply_store_error (request->conn, request->id, error);
      return;
    }

  tto_relay_end_room (request->relay, request->event_id, "ended");
  if (conn_is_open (request->conn))
    reply_ok (request->conn, request->id, NULL);
}

static void
handle_event_end (TtoRelayConn *conn,
                  TtoFrame *frame)
{
  TtoRelayRoom *room = member_room (conn, frame);
  Request *request;

  if (room == NULL)
    return;

  if (g_strcmp0 (tto_event_get_creator_id (tto_relay_room_get_event (room)),
                 conn->identity_id) != 0)
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN,
                   "only the creator may end the event");
      return;
    }

  /* Rows first: if the database fails, nothing is lost and the creator
   * may try again. */
  request = request_new (conn, frame);
  request->event_id = g_strdup (tto_relay_room_get_id (room));
  tto_relay_store_delete_event_async (conn->relay->store, request->event_id, on_event_deleted,
                                      request);
}

/* msg.send */

static void
handle_msg_send (TtoRelayConn *conn,
                 TtoFrame *frame)
{
  TtoRelayRoom *room = member_room (conn, frame);
  const TtoRelayEntry *entry;
  gboolean duplicate;
  JsonObject *body;

  if (room == NULL)
    return;

  if (room_past_deadline (room))
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_EXPIRED,
                   "the event has passed its deadline");
      return;
    }

  entry = tto_relay_room_append (room, tto_relay_room_get_member (room, conn->identity_id),
                                 tto_frame_get_string (frame, "client_msg_id"),
                                 tto_frame_get_string (frame, "text"), g_get_real_time () / 1000,
                                 &duplicate);

  body = json_object_new ();
  json_object_set_string_member (body, "msg_id", entry->msg_id);
  json_object_set_int_member (body, "seq", entry->seq);
  json_object_set_int_member (body, "ts", entry->ts);
  reply_ok (conn, frame->id, body);

  if (!duplicate)
    tto_relay_send_to_room (conn->relay, room, entry->frame, NULL);
}

/* resume */

static void
send_entry (const TtoRelayEntry *entry,
            gpointer user_data)
{
  tto_relay_send_raw (user_data, entry->frame);
}

static void
handle_resume (TtoRelayConn *conn,
               TtoFrame *frame)
{
  JsonObject *events = json_object_get_object_member (frame->body, "events");
  g_autoptr (GList) ids = json_object_get_members (events);
  JsonObject *answer = json_object_new ();
  JsonObject *body;

  for (GList *l = ids; l != NULL; l = l->next)
    {
      TtoRelayRoom *room = tto_relay_find_room (conn->relay, l->data);
      JsonObject *state = json_object_new ();

      if (room != NULL && tto_relay_room_get_member (room, conn->identity_id) != NULL)
        {
          tto_relay_room_foreach_since (room, json_object_get_int_member (events, l->data),
                                        send_entry, conn);
          json_object_set_int_member (state, "last_seq", tto_relay_room_get_last_seq (room));
          json_object_set_string_member (state, "state", "active");
        }
      else
        {
          json_object_set_int_member (state, "last_seq", 0);
          json_object_set_string_member (state, "state", "ended");
        }
      json_object_set_object_member (answer, l->data, state);
    }

  body = json_object_new ();
  json_object_set_object_member (body, "events", answer);
  reply_ok (conn, frame->id, body);
}

/* Dispatch */

typedef struct
{
  const char *type;
  gboolean needs_identity;
  Handler handler;
} Route;

static const Route routes[] = {
  { TTO_FRAME_IDENTITY_CREATE, FALSE, handle_identity_create },
  { TTO_FRAME_AUTH, FALSE, handle_auth },
  { TTO_FRAME_PING, FALSE, handle_ping },
  { TTO_FRAME_EVENT_CREATE, TRUE, handle_event_create },
  { TTO_FRAME_EVENT_GET, TRUE, handle_event_get },
  { TTO_FRAME_EVENT_JOIN, TRUE, handle_event_join },
  { TTO_FRAME_EVENT_LIST, TRUE, handle_event_list },
  { TTO_FRAME_EVENT_END, TRUE, handle_event_end },
  { TTO_FRAME_MSG_SEND, TRUE, handle_msg_send },
  { TTO_FRAME_RESUME, TRUE, handle_resume },
};

static void
process_text (TtoRelayConn *conn,
              GBytes *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoFrame) frame = NULL;
  g_autofree char *id = NULL;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  frame = tto_frame_parse (data, length, TTO_FRAME_FROM_CLIENT, &id, &error);
  if (frame == NULL)
    {
      g_autoptr (TtoFrame) reply = tto_frame_new_error_from_gerror (id, error);

      tto_relay_send (conn, reply);
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      if (!g_str_equal (routes[i].type, frame->type))
        continue;

      if (routes[i].needs_identity && conn->identity_id == NULL)
        reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_UNAUTHORIZED,
                     "%s needs an identity: send auth or identity.create first", frame->type);
      else
        routes[i].handler (conn, frame);
      break;
    }

  /* Message text must not linger in freed memory. */
  tto_frame_wipe (frame);
}

/* The frame's bytes are not needed after this; clear them so message text
 * does not stay in freed memory once libsoup drops its reference. */
static void
process_and_wipe (TtoRelayConn *conn,
                  GBytes *message)
{
  gsize length;
  const char *data;

  process_text (conn, message);

  data = g_bytes_get_data (message, &length);
  if (data != NULL)
    explicit_bzero ((char *) data, length);
}

void
tto_relay_handle_text (TtoRelayConn *conn,
                       GBytes *message)
{
  if (conn->authenticating)
    {
      g_queue_push_tail (&conn->held_frames, g_bytes_ref (message));
      return;
    }

  process_and_wipe (conn, message);
}

void
tto_relay_conn_closed (TtoRelayConn *conn)
{
  TtoRelay *relay = conn->relay;
  GPtrArray *conns;

  if (conn->identity_id == NULL)
    return;

  conns = g_hash_table_lookup (relay->online, conn->identity_id);
  if (conns == NULL)
    return;

  g_ptr_array_remove (conns, conn);
  if (conns->len > 0)
    return;

  g_hash_table_remove (relay->online, conn->identity_id);
  /* The last connection of a one-time identity is gone: it lives on for
   * the grace period, so a phone that lost its network can come back. */
  if (g_strcmp0 (conn->identity_kind, "one_time") == 0)
    tto_relay_store_set_identity_expiry_async (relay->store, conn->identity_id,
                                               now_seconds () + relay->config->identity_grace,
                                               NULL, NULL);
}
