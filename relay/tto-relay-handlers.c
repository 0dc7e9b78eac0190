/* tto-relay-handlers.c: one function per request frame type
 *
 * Only identity.create, auth, event.create, event.join and event.end wait
 * for the database; messages and resume are answered from memory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <string.h>

#include "tto-cidr.h"
#include "tto-ids.h"
#include "tto-relay-access.h"
#include "tto-relay-auth.h"
#include "tto-relay-flow.h"
#include "tto-relay-identity.h"
#include "tto-relay-private.h"
#include "tto-relay-topics.h"
#include "tto-util.h"

typedef TtoRelayHandler Handler;

#define reply_ok tto_relay_reply_ok
#define reply_error tto_relay_reply_error
#define member_room tto_relay_member_room
#define form_enabled tto_relay_form_enabled

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
  GStrv stages; /* event.create: the first stages' titles */
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
  g_strfreev (request->stages);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static gboolean
conn_is_open (TtoRelayConn *conn)
{
  return conn->relay != NULL;
}

void
tto_relay_reply_ok (TtoRelayConn *conn,
                    const char *id,
                    JsonObject *body)
{
  g_autoptr (TtoFrame) frame = tto_frame_new_ok (id, body);

  if (id != NULL)
    tto_relay_send (conn, frame);
}

void
tto_relay_reply_error (TtoRelayConn *conn,
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

/* For store jobs that return only success: answers the failure. */
static gboolean
store_succeeded (Request *request,
                 GAsyncResult *result)
{
  g_autoptr (GError) error = NULL;

  if (tto_relay_store_finish (request->relay->store, result, &error))
    return TRUE;

  if (conn_is_open (request->conn))
    reply_store_error (request->conn, request->id, error);
  return FALSE;
}

static gboolean
room_past_deadline (TtoRelayRoom *room)
{
  gint64 deadline = tto_event_get_deadline (tto_relay_room_get_event (room));

  return deadline > 0 && deadline <= tto_relay_now_seconds ();
}

/* Finds a live event the caller belongs to, or answers the error. */
TtoRelayRoom *
tto_relay_member_room (TtoRelayConn *conn,
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
  /* A member outside the event's allow-list: every frame for the event. */
  if (!tto_relay_access_conn_allowed (conn, room))
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN, TTO_RELAY_ACCESS_LOCKED_OUT);
      return NULL;
    }

  return room;
}

static const char *const rule_names[] = { "auto_approve_third_party", "require_id_verified",
                                          "require_phone_verified" };

/* body.rules onto @event; rules not named keep their value. */
static void
apply_rules (TtoEvent *event,
             TtoFrame *frame)
{
  JsonObject *rules;

  if (!tto_frame_has (frame, "rules"))
    return;

  rules = json_object_get_object_member (frame->body, "rules");
  for (guint i = 0; i < G_N_ELEMENTS (rule_names); i++)
    if (json_object_has_member (rules, rule_names[i]))
      tto_event_set_rule (event, rule_names[i],
                          json_object_get_boolean_member (rules, rule_names[i]));
}

/* body.forms as a vector, or NULL when absent. */
static GStrv
frame_forms (TtoFrame *frame)
{
  g_autoptr (GStrvBuilder) builder = NULL;
  JsonArray *array;

  if (!tto_frame_has (frame, "forms"))
    return NULL;

  builder = g_strv_builder_new ();
  array = json_object_get_array_member (frame->body, "forms");
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_strv_builder_add (builder, json_array_get_string_element (array, i));

  return g_strv_builder_end (builder);
}

/* body.ip_allow in canonical spelling, or NULL when absent (the frame
 * check already refused bad entries). */
static GStrv
frame_ip_allow (TtoFrame *frame)
{
  g_autoptr (GStrvBuilder) builder = NULL;
  g_auto (GStrv) entries = NULL;
  JsonArray *array;

  if (!tto_frame_has (frame, "ip_allow"))
    return NULL;

  builder = g_strv_builder_new ();
  array = json_object_get_array_member (frame->body, "ip_allow");
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_strv_builder_add (builder, json_array_get_string_element (array, i));
  entries = g_strv_builder_end (builder);

  return tto_cidr_list_normalize ((const char *const *) entries, NULL);
}

/* Refuses what the creator switched off; answers forbidden. */
gboolean
tto_relay_form_enabled (TtoRelayConn *conn,
              TtoFrame *frame,
              TtoRelayRoom *room,
              const char *form)
{
  if (tto_event_has_form (tto_relay_room_get_event (room), form))
    return TRUE;

  reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN,
               "the creator has turned off %s in this event", form);
  return FALSE;
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

void
tto_relay_finish_authenticating (TtoRelayConn *conn)
{
  if (conn_is_open (conn))
    finish_authenticating (conn);
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
      TtoRelayStoredIdentity created = {
        .id = request->identity_id,
        .kind = request->kind,
        .display_name = request->display_name,
      };

      tto_relay_set_online (conn->relay, conn, request->identity_id, request->kind,
                            request->display_name);
      tto_relay_auth_hash_token (request->token, conn->token_hash);
      conn->has_token_hash = TRUE;
      body = tto_relay_identity_body (&created, request->token);
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
                                                 tto_relay_now_seconds () +
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
  request->kind = g_strdup ("one_time"); /* the only kind the frame's check lets through */
  request->display_name = g_steal_pointer (&name);
  request->token = tto_relay_auth_new_token (hash);

  conn->authenticating = TRUE;
  tto_relay_store_insert_identity_async (conn->relay->store, request->identity_id, request->kind,
                                         request->display_name, hash, tto_relay_now_seconds (),
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
  else if (identity == NULL ||
           (g_strcmp0 (identity->kind, "timed") == 0 && identity->expires_at > 0 &&
            identity->expires_at <= tto_relay_now_seconds ()))
    reply_error (conn, request->id, TTO_PROTOCOL_ERROR_UNAUTHORIZED,
                 "unknown or expired token; create a new identity");
  else
    {
      tto_relay_set_online (conn->relay, conn, identity->id, identity->kind,
                            identity->display_name);
      /* identity.sign_out revokes this token. */
      tto_relay_auth_hash_token (request->token, conn->token_hash);
      conn->has_token_hash = TRUE;
      conn->third_party_verified = identity->third_party_verified;
      conn->phone_verified = identity->phone_verified;
      conn->id_verified = identity->id_verified;
      conn->email_verified = identity->email_verified;
      body = tto_relay_identity_body (identity, NULL);
      reply_ok (conn, request->id, body);
    }

  finish_authenticating (conn);
}

static void
handle_auth (TtoRelayConn *conn,
             TtoFrame *frame)
{
  guint8 hash[TTO_RELAY_TOKEN_HASH_BYTES];
  Request *request;

  if (conn->identity_id != NULL)
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_CONFLICT,
                   "this connection is already authenticated");
      return;
    }

  tto_relay_auth_hash_token (tto_frame_get_string (frame, "token"), hash);
  conn->authenticating = TRUE;
  request = request_new (conn, frame);
  request->token = g_strdup (tto_frame_get_string (frame, "token"));
  tto_relay_store_find_identity_async (conn->relay->store, hash, on_identity_found, request);
  explicit_bzero (hash, sizeof hash);
}

/* ping */

static void
handle_ping (TtoRelayConn *conn,
             TtoFrame *frame)
{
  JsonObject *body = json_object_new ();

  json_object_set_int_member (body, "ts", tto_relay_now_ms ());
  reply_ok (conn, frame->id, body);
}

/* event.create */

static void
on_event_inserted (GObject *source,
                   GAsyncResult *result,
                   gpointer user_data)
{
  g_autoptr (Request) request = user_data;
  TtoRelayConn *conn = request->conn;
  TtoRelayRoom *room;
  JsonObject *body;

  if (!store_succeeded (request, result))
    return;

  /* The rows exist now, so the room does too, whether or not the creator
   * is still connected to hear about it. */
  room = tto_relay_room_new (request->event);
  tto_relay_room_add_member (room, request->member);
  tto_relay_add_room (request->relay, room);
  tto_relay_flow_event_created (request->relay, room, (const char *const *) request->stages);
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
  if (deadline > 0 && deadline <= tto_relay_now_seconds ())
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
  tto_event_set_admission (event, tto_frame_has (frame, "admission")
                                    ? tto_frame_get_string (frame, "admission")
                                    : "open");
  tto_event_set_invite_expires_at (event, tto_frame_get_int (frame, "invite_expires_at", 0));
  apply_rules (event, frame);
  tto_event_set_creator_id (event, conn->identity_id);
  tto_event_set_creator_name (event, conn->display_name);
  tto_event_set_invite_code (event, code);
  tto_event_set_created_at (event, tto_relay_now_seconds ());
  tto_event_set_edit_window (event, (guint) tto_frame_get_int (frame, "edit_window",
                                                               TTO_PROTOCOL_DEFAULT_EDIT_WINDOW));
  tto_event_set_recall_window (event,
                               (guint) tto_frame_get_int (frame, "recall_window",
                                                          TTO_PROTOCOL_DEFAULT_RECALL_WINDOW));
  {
    g_auto (GStrv) forms = frame_forms (frame);

    if (forms != NULL)
      tto_event_set_forms (event, (const char *const *) forms);
  }
  {
    g_auto (GStrv) networks = frame_ip_allow (frame);

    tto_event_set_ip_allow (event, (const char *const *) networks);
  }

  request = request_new (conn, frame);
  request->identity_id = g_strdup (conn->identity_id);
  request->event = event;
  request->member = tto_member_new (conn->identity_id, conn->display_name, "creator");
  if (tto_frame_has (frame, "stages"))
    {
      JsonArray *stages = json_object_get_array_member (frame->body, "stages");
      g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; i < json_array_get_length (stages); i++)
        g_strv_builder_add (builder, json_array_get_string_element (stages, i));
      request->stages = g_strv_builder_end (builder);
    }
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
  json_object_set_object_member (body, "reads", tto_relay_room_reads_json (room));
  reply_ok (conn, frame->id, body);
}

/* event.join */

static void
on_member_inserted (GObject *source,
                    GAsyncResult *result,
                    gpointer user_data)
{
  g_autoptr (Request) request = user_data;
  g_autoptr (JsonObject) push = NULL;
  g_autoptr (TtoFrame) frame = NULL;
  g_autofree char *text = NULL;
  TtoRelayConn *conn = request->conn;
  TtoRelayRoom *room;
  JsonObject *body;

  if (!store_succeeded (request, result))
    return;

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
  /* The creator's allow-list comes before admission and rules. */
  if (!tto_relay_access_conn_allowed (conn, room))
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN, TTO_RELAY_ACCESS_REFUSED);
      return;
    }

  if (tto_relay_room_get_member (room, conn->identity_id) != NULL)
    {
      body = json_object_new ();
      json_object_set_object_member (body, "event", tto_relay_event_json (room, conn->identity_id));
      reply_ok (conn, frame->id, body);
      return;
    }

  /* Closed, expired code, rules, or review: answered there. */
  if (!tto_relay_review_admit (conn, frame, room))
    return;

  request = request_new (conn, frame);
  request->identity_id = g_strdup (conn->identity_id);
  request->event_id = g_strdup (tto_relay_room_get_id (room));
  request->member = tto_member_new (conn->identity_id, conn->display_name, "member");
  tto_relay_store_insert_member_async (conn->relay->store, request->event_id, conn->identity_id,
                                       "member", tto_relay_now_seconds (), on_member_inserted, request);
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

  if (!store_succeeded (request, result))
    return;

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

/* Checks body.mentions: members or "all" (creator only). Fills @out with
 * the ids without repeats. */
static gboolean
check_mentions (TtoRelayConn *conn,
                TtoFrame *frame,
                TtoRelayRoom *room,
                GStrvBuilder *out)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *mentions;

  if (!tto_frame_has (frame, "mentions"))
    return TRUE;

  mentions = json_object_get_array_member (frame->body, "mentions");
  for (guint i = 0; i < json_array_get_length (mentions); i++)
    {
      const char *id = json_array_get_string_element (mentions, i);

      if (g_str_equal (id, "all"))
        {
          if (g_strcmp0 (tto_event_get_creator_id (tto_relay_room_get_event (room)),
                         conn->identity_id) != 0)
            {
              reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN,
                           "only the creator may mention everyone");
              return FALSE;
            }
        }
      else if (tto_relay_room_get_member (room, id) == NULL)
        {
          reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.mentions[%u] is not a member of the event", i);
          return FALSE;
        }

      if (g_hash_table_add (seen, (gpointer) id))
        g_strv_builder_add (out, id);
    }

  return TRUE;
}

/* Checks body.attachment against the event's uploads and returns the
 * attachment as members will see it: size, type and checksum come from the
 * relay's copy, not from the sender. */
static JsonObject *
check_attachment (TtoRelayConn *conn,
                  TtoFrame *frame,
                  TtoRelayRoom *room)
{
  JsonObject *input = json_object_get_object_member (frame->body, "attachment");
  const char *event_id = tto_relay_room_get_id (room);
  const char *names[] = { "blob_id", "thumbnail_blob_id" };
  const char *copied[] = { "kind", "name", "duration_ms", "width", "height", "waveform",
                           "thumbnail_blob_id" };
  const TtoRelayBlob *blob = NULL;
  JsonObject *attachment;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *blob_id = json_object_get_string_member_with_default (input, names[i], NULL);
      const TtoRelayBlob *found;

      if (blob_id == NULL)
        continue;

      found = tto_relay_blobs_get (conn->relay->blobs, event_id, blob_id);
      if (found == NULL)
        {
          reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_NOT_FOUND,
                       "body.attachment.%s names no upload of this event", names[i]);
          return NULL;
        }
      if (g_strcmp0 (found->owner_id, conn->identity_id) != 0)
        {
          reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN,
                       "body.attachment.%s was uploaded by someone else", names[i]);
          return NULL;
        }
      if (found->msg_id != NULL)
        {
          reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_CONFLICT,
                       "body.attachment.%s is already attached to a message", names[i]);
          return NULL;
        }
      if (i == 0)
        blob = found;
    }

  attachment = json_object_new ();
  json_object_set_string_member (attachment, "blob_id", blob->blob_id);
  for (guint i = 0; i < G_N_ELEMENTS (copied); i++)
    {
      JsonNode *node = json_object_get_member (input, copied[i]);

      if (node != NULL)
        json_object_set_member (attachment, copied[i], tto_json_node_deep_copy (node));
    }
  json_object_set_string_member (attachment, "mime_type", blob->mime_type);
  json_object_set_int_member (attachment, "size", (gint64) blob->size);
  json_object_set_string_member (attachment, "sha256", blob->sha256);

  return attachment;
}

static void
reply_sent (TtoRelayConn *conn,
            TtoFrame *frame,
            const TtoRelayEntry *entry)
{
  JsonObject *body = json_object_new ();

  json_object_set_string_member (body, "msg_id", tto_message_get_msg_id (entry->message));
  json_object_set_int_member (body, "seq", tto_message_get_seq (entry->message));
  json_object_set_int_member (body, "ts", tto_message_get_ts (entry->message));
  reply_ok (conn, frame->id, body);
}

static void
handle_msg_send (TtoRelayConn *conn,
                 TtoFrame *frame)
{
  TtoRelayRoom *room = member_room (conn, frame);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) mentions = NULL;
  g_autoptr (JsonObject) attachment = NULL;
  const TtoRelayEntry *reply_to = NULL;
  const TtoRelayEntry *entry;
  gboolean duplicate;

  if (room == NULL)
    return;

  /* A retry of a message already accepted: same answer, nothing sent. */
  entry = tto_relay_room_find_sent (room, conn->identity_id,
                                    tto_frame_get_string (frame, "client_msg_id"));
  if (entry != NULL)
    {
      reply_sent (conn, frame, entry);
      return;
    }

  if (room_past_deadline (room))
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_EXPIRED,
                   "the event has passed its deadline");
      return;
    }

  /* Eliminated members read but no longer send. */
  if (!tto_relay_flow_may_send (conn, frame, room))
    return;

  if (tto_frame_has (frame, "reply_to"))
    {
      reply_to = tto_relay_room_find (room, tto_frame_get_string (frame, "reply_to"));
      if (reply_to == NULL)
        {
          reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_NOT_FOUND,
                       "body.reply_to names no message of this event");
          return;
        }
    }

  if (!check_mentions (conn, frame, room, builder))
    return;
  mentions = g_strv_builder_end (builder);

  /* Each kind of content is a form the creator may have switched off. */
  if (tto_frame_has (frame, "attachment"))
    {
      const char *kind = json_object_get_string_member (
        json_object_get_object_member (frame->body, "attachment"), "kind");
      const char *form = g_str_equal (kind, "voice")   ? TTO_FORM_VOICE_MESSAGE
                         : g_str_equal (kind, "video") ? TTO_FORM_VIDEO_MESSAGE
                                                       : TTO_FORM_FILE;

      if (!form_enabled (conn, frame, room, form))
        return;
    }
  if (tto_frame_get_string (frame, "text")[0] != '\0' &&
      !form_enabled (conn, frame, room, TTO_FORM_TEXT))
    return;

  if (tto_frame_has (frame, "attachment") &&
      (attachment = check_attachment (conn, frame, room)) == NULL)
    return;

  if (!tto_relay_topics_check_send (conn, frame, room))
    return;

  entry = tto_relay_room_append (room, tto_relay_room_get_member (room, conn->identity_id),
                                 tto_frame_get_string (frame, "client_msg_id"),
                                 tto_frame_get_string (frame, "text"), tto_relay_now_ms (),
                                 reply_to, (const char *const *) mentions, attachment,
                                 &duplicate);
  if (attachment != NULL)
    {
      const char *msg_id = tto_message_get_msg_id (entry->message);
      const char *thumbnail = json_object_get_string_member_with_default (attachment,
                                                                          "thumbnail_blob_id",
                                                                          NULL);

      tto_relay_blobs_attach (conn->relay->blobs, tto_relay_room_get_id (room),
                              json_object_get_string_member (attachment, "blob_id"), msg_id);
      if (thumbnail != NULL)
        tto_relay_blobs_attach (conn->relay->blobs, tto_relay_room_get_id (room), thumbnail,
                                msg_id);
    }

  if (!duplicate)
    tto_relay_topics_place_message (room, entry, tto_frame_get_string (frame, "topic_id"));

  reply_sent (conn, frame, entry);

  if (!duplicate)
    {
      tto_relay_send_to_room (conn->relay, room, entry->frame, NULL);
      tto_relay_topics_note_message (conn->relay, room, entry);
      tto_relay_flow_note_activity (conn->relay, room, conn->identity_id);
    }
}

/* msg.edit and msg.recall */

static void
push_updates (TtoRelay *relay,
              TtoRelayRoom *room,
              GPtrArray *changed,
              gint64 last_useq)
{
  /* The updates were numbered in order, ending at @last_useq. */
  gint64 useq = last_useq - (gint64) changed->len + 1;

  for (guint i = 0; i < changed->len; i++, useq++)
    {
      g_autofree char *text = tto_relay_room_update_frame (room, changed->pdata[i], useq);

      tto_relay_send_to_room (relay, room, text, NULL);
      explicit_bzero (text, strlen (text));
    }
}

static const TtoRelayEntry *
find_message (TtoRelayConn *conn,
              TtoFrame *frame,
              TtoRelayRoom *room)
{
  const TtoRelayEntry *entry = tto_relay_room_find (room, tto_frame_get_string (frame, "msg_id"));

  if (entry == NULL)
    reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_NOT_FOUND,
                 "body.msg_id names no message of this event");

  return entry;
}

static gboolean
within_window (const TtoRelayEntry *entry,
               guint window_seconds)
{
  gint64 age_ms = tto_relay_now_ms () - tto_message_get_ts (entry->message);

  return window_seconds > 0 && age_ms <= (gint64) window_seconds * 1000;
}

static void
handle_msg_edit (TtoRelayConn *conn,
                 TtoFrame *frame)
{
  TtoRelayRoom *room = member_room (conn, frame);
  g_autoptr (GPtrArray) changed = g_ptr_array_new ();
  const TtoRelayEntry *entry;
  gint64 edited_at;
  gint64 useq;
  JsonObject *body;

  if (room == NULL || (entry = find_message (conn, frame, room)) == NULL)
    return;

  if (g_strcmp0 (tto_message_get_sender_id (entry->message), conn->identity_id) != 0)
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN,
                   "only the sender may edit a message");
      return;
    }
  if (tto_message_get_recalled (entry->message))
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_CONFLICT,
                   "the message was recalled");
      return;
    }
  if (!within_window (entry, tto_event_get_edit_window (tto_relay_room_get_event (room))))
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_EXPIRED,
                   "the edit window of this event has passed for this message");
      return;
    }

  edited_at = tto_relay_now_ms ();
  useq = tto_relay_room_edit (room, entry, tto_frame_get_string (frame, "text"), edited_at,
                              changed);
  tto_relay_topics_note_change (room, entry);

  body = json_object_new ();
  json_object_set_string_member (body, "msg_id", tto_message_get_msg_id (entry->message));
  json_object_set_int_member (body, "edited_at", edited_at);
  reply_ok (conn, frame->id, body);
  push_updates (conn->relay, room, changed, useq);
}

static void
handle_msg_recall (TtoRelayConn *conn,
                   TtoFrame *frame)
{
  TtoRelayRoom *room = member_room (conn, frame);
  g_autoptr (GPtrArray) changed = g_ptr_array_new ();
  const TtoRelayEntry *entry;
  gboolean creator;
  gboolean sender;
  gint64 useq;
  JsonObject *body;

  if (room == NULL || (entry = find_message (conn, frame, room)) == NULL)
    return;

  creator = g_strcmp0 (tto_event_get_creator_id (tto_relay_room_get_event (room)),
                       conn->identity_id) == 0;
  sender = g_strcmp0 (tto_message_get_sender_id (entry->message), conn->identity_id) == 0;
  if (!creator && !sender)
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN,
                   "only the sender or the creator may recall a message");
      return;
    }

  if (!tto_message_get_recalled (entry->message))
    {
      if (!creator &&
          !within_window (entry, tto_event_get_recall_window (tto_relay_room_get_event (room))))
        {
          reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_EXPIRED,
                       "the recall window of this event has passed for this message");
          return;
        }

      /* The files go with the message. */
      if (tto_message_get_attachment (entry->message) != NULL)
        {
          tto_relay_blobs_wipe (conn->relay->blobs, tto_relay_room_get_id (room),
                                tto_message_get_attachment_string (entry->message, "blob_id"));
          tto_relay_blobs_wipe (conn->relay->blobs, tto_relay_room_get_id (room),
                                tto_message_get_attachment_string (entry->message,
                                                                   "thumbnail_blob_id"));
        }
      useq = tto_relay_room_recall (room, entry, conn->identity_id, changed);
      tto_relay_topics_note_change (room, entry);
      push_updates (conn->relay, room, changed, useq);
    }

  body = json_object_new ();
  json_object_set_string_member (body, "msg_id", tto_message_get_msg_id (entry->message));
  reply_ok (conn, frame->id, body);
}

/* receipt.read */

static void
handle_receipt_read (TtoRelayConn *conn,
                     TtoFrame *frame)
{
  TtoRelayRoom *room = member_room (conn, frame);
  gint64 seq = tto_frame_get_int (frame, "seq", 0);
  JsonObject *body;

  if (room == NULL)
    return;

  if (seq > tto_relay_room_get_last_seq (room))
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "body.seq is beyond the event's last message (%" G_GINT64_FORMAT ")",
                   tto_relay_room_get_last_seq (room));
      return;
    }

  if (tto_relay_room_set_read (room, conn->identity_id, seq))
    tto_relay_schedule_reads (conn->relay, room);

  body = json_object_new ();
  json_object_set_int_member (body, "seq", tto_relay_room_get_read (room, conn->identity_id));
  reply_ok (conn, frame->id, body);
}

/* event.update */

static TtoRelayRoom *
creator_room (TtoRelayConn *conn,
              TtoFrame *frame,
              const char *what)
{
  TtoRelayRoom *room = member_room (conn, frame);

  if (room == NULL)
    return NULL;

  if (g_strcmp0 (tto_event_get_creator_id (tto_relay_room_get_event (room)),
                 conn->identity_id) != 0)
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN, "only the creator may %s",
                   what);
      return NULL;
    }

  return room;
}

static void
on_event_updated (GObject *source,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (Request) request = user_data;
  TtoRelayRoom *room;
  TtoEvent *event;
  JsonObject *body;

  if (!store_succeeded (request, result))
    return;

  room = tto_relay_find_room (request->relay, request->event_id);
  if (room == NULL)
    {
      if (conn_is_open (request->conn))
        reply_error (request->conn, request->id, TTO_PROTOCOL_ERROR_EXPIRED,
                     "the event has ended");
      return;
    }

  /* Written: now the live event takes the new settings. */
  event = tto_relay_room_get_event (room);
  tto_event_set_edit_window (event, tto_event_get_edit_window (request->event));
  tto_event_set_recall_window (event, tto_event_get_recall_window (request->event));
  tto_event_set_announcement (event, tto_event_get_announcement (request->event));
  tto_event_set_forms (event, tto_event_get_forms (request->event));
  tto_event_set_admission (event, tto_event_get_admission (request->event));
  tto_event_set_invite_expires_at (event, tto_event_get_invite_expires_at (request->event));
  tto_event_set_ip_allow (event, tto_event_get_ip_allow (request->event));
  for (guint i = 0; i < G_N_ELEMENTS (rule_names); i++)
    tto_event_set_rule (event, rule_names[i], tto_event_get_rule (request->event, rule_names[i]));

  if (conn_is_open (request->conn))
    {
      body = json_object_new ();
      json_object_set_object_member (body, "event",
                                     tto_relay_event_json (room, request->identity_id));
      reply_ok (request->conn, request->id, body);
    }
  tto_relay_push_event_updated (request->relay, room);
}

static void
handle_event_update (TtoRelayConn *conn,
                     TtoFrame *frame)
{
  TtoRelayRoom *room = creator_room (conn, frame, "change the event's settings");
  TtoEvent *event;
  Request *request;

  if (room == NULL)
    return;

  /* The store writes a copy; the live event changes only once it is on disk. */
  event = tto_relay_room_get_event (room);
  request = request_new (conn, frame);
  request->identity_id = g_strdup (conn->identity_id);
  request->event_id = g_strdup (tto_relay_room_get_id (room));
  request->event = tto_event_new (request->event_id);
  tto_event_update_from (request->event, event);
  tto_event_set_edit_window (request->event,
                             (guint) tto_frame_get_int (frame, "edit_window",
                                                        tto_event_get_edit_window (event)));
  tto_event_set_recall_window (request->event,
                               (guint) tto_frame_get_int (frame, "recall_window",
                                                          tto_event_get_recall_window (event)));
  if (tto_frame_has (frame, "announcement"))
    tto_event_set_announcement (request->event, tto_frame_get_string (frame, "announcement"));
  if (tto_frame_has (frame, "admission"))
    tto_event_set_admission (request->event, tto_frame_get_string (frame, "admission"));
  if (tto_frame_has (frame, "invite_expires_at"))
    tto_event_set_invite_expires_at (request->event,
                                     tto_frame_get_int (frame, "invite_expires_at", 0));
  apply_rules (request->event, frame);
  {
    g_auto (GStrv) forms = frame_forms (frame);

    if (forms != NULL)
      tto_event_set_forms (request->event, (const char *const *) forms);
  }
  {
    g_auto (GStrv) networks = frame_ip_allow (frame);

    if (networks != NULL)
      tto_event_set_ip_allow (request->event, (const char *const *) networks);
  }
  tto_relay_store_update_event_async (conn->relay->store, request->event, on_event_updated,
                                      request);
}

/* member.grant and member.revoke */

static void
on_grant_written (GObject *source,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (Request) request = user_data;
  TtoRelayRoom *room;
  TtoMember *member;
  JsonObject *body;

  if (!store_succeeded (request, result))
    return;

  room = tto_relay_find_room (request->relay, request->event_id);
  member = room != NULL ? tto_relay_room_get_member (room, request->identity_id) : NULL;
  if (member == NULL)
    {
      if (conn_is_open (request->conn))
        reply_error (request->conn, request->id, TTO_PROTOCOL_ERROR_NOT_FOUND,
                     "the member or the event is gone");
      return;
    }

  /* request->kind holds the permission, request->member the new state. */
  if (tto_member_get_permission (request->member, request->kind, NULL))
    {
      gint64 until = 0;

      tto_member_get_permission (request->member, request->kind, &until);
      tto_member_set_permission (member, request->kind, until);
    }
  else
    tto_member_remove_permission (member, request->kind);

  if (conn_is_open (request->conn))
    {
      body = json_object_new ();
      json_object_set_object_member (body, "member", tto_member_to_json (member));
      reply_ok (request->conn, request->id, body);
    }
  tto_relay_push_member_updated (request->relay, room, member);
}

static void
handle_member_grant_or_revoke (TtoRelayConn *conn,
                               TtoFrame *frame,
                               gboolean grant)
{
  TtoRelayRoom *room = creator_room (conn, frame, "delegate permissions");
  const char *identity_id = tto_frame_get_string (frame, "identity_id");
  const char *permission = tto_frame_get_string (frame, "permission");
  TtoMember *member;
  Request *request;
  gint64 until = 0;

  if (room == NULL)
    return;

  member = tto_relay_room_get_member (room, identity_id);
  if (member == NULL)
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_NOT_FOUND,
                   "body.identity_id is not a member of the event");
      return;
    }
  if (g_str_equal (tto_member_get_role (member), "creator"))
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_CONFLICT,
                   "the creator holds every permission");
      return;
    }

  if (grant && !json_object_get_null_member (frame->body, "duration"))
    until = tto_relay_now_seconds () + tto_frame_get_int (frame, "duration", 0);

  request = request_new (conn, frame);
  request->event_id = g_strdup (tto_relay_room_get_id (room));
  request->identity_id = g_strdup (identity_id);
  request->kind = g_strdup (permission);
  request->member = tto_member_new (identity_id, NULL, NULL);
  if (grant)
    tto_member_set_permission (request->member, permission, until);
  tto_relay_store_set_grant_async (conn->relay->store, request->event_id, identity_id, permission,
                                   grant, until, on_grant_written, request);
}

static void
handle_member_grant (TtoRelayConn *conn,
                     TtoFrame *frame)
{
  handle_member_grant_or_revoke (conn, frame, TRUE);
}

static void
handle_member_revoke (TtoRelayConn *conn,
                      TtoFrame *frame)
{
  handle_member_grant_or_revoke (conn, frame, FALSE);
}

/* export.fetch */

static void
handle_export_fetch (TtoRelayConn *conn,
                     TtoFrame *frame)
{
  TtoRelayRoom *room = member_room (conn, frame);
  gint64 after = tto_frame_get_int (frame, "after_seq", 0);
  gint64 limit = tto_frame_get_int (frame, "limit", TTO_PROTOCOL_MAX_EXPORT_PAGE);
  gint64 last;
  JsonArray *messages;
  JsonObject *body;
  g_autoptr (TtoFrame) answer = NULL;

  if (room == NULL)
    return;

  if (!tto_member_has_permission (tto_relay_room_get_member (room, conn->identity_id),
                                  TTO_PERMISSION_EXPORT))
    {
      reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN,
                   "exporting needs the creator or the export permission");
      return;
    }

  last = tto_relay_room_get_last_seq (room);
  messages = json_array_new ();
  for (gint64 seq = after + 1; seq <= last && seq <= after + limit; seq++)
    json_array_add_object_element (
      messages, tto_message_to_json (tto_relay_room_get_entry (room, seq)->message));

  body = json_object_new ();
  json_object_set_array_member (body, "messages", messages);
  json_object_set_int_member (body, "last_seq", last);
  json_object_set_boolean_member (body, "more", after + limit < last);
  answer = tto_frame_new_ok (frame->id, body);
  tto_relay_send (conn, answer);
  tto_frame_wipe (answer);
}

/* resume */

static void
send_entry (const TtoRelayEntry *entry,
            gpointer user_data)
{
  tto_relay_send_raw (user_data, entry->frame);
}

typedef struct
{
  TtoRelayConn *conn;
  TtoRelayRoom *room;
} ResumeUpdates;

static void
send_update (const TtoRelayEntry *entry,
             gint64 useq,
             gpointer user_data)
{
  ResumeUpdates *resume = user_data;
  g_autofree char *text = tto_relay_room_update_frame (resume->room, entry, useq);

  tto_relay_send_raw (resume->conn, text);
  explicit_bzero (text, strlen (text));
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
      JsonNode *position = json_object_get_member (events, l->data);
      JsonObject *state = json_object_new ();
      gint64 seq;
      gint64 useq = 0;

      if (JSON_NODE_HOLDS_OBJECT (position))
        {
          JsonObject *object = json_node_get_object (position);

          seq = json_object_get_int_member (object, "seq");
          useq = json_object_get_int_member_with_default (object, "useq", 0);
        }
      else
        seq = json_node_get_int (position);

      /* Locked out by the allow-list: left out of the answer, as if not
       * asked, so the client neither catches up nor takes it as ended. */
      if (room != NULL && tto_relay_room_get_member (room, conn->identity_id) != NULL &&
          !tto_relay_access_conn_allowed (conn, room))
        {
          json_object_unref (state);
          continue;
        }

      if (room != NULL && tto_relay_room_get_member (room, conn->identity_id) != NULL)
        {
          ResumeUpdates resume = { conn, room };

          /* New messages as they are now, then the changes to older ones. */
          tto_relay_room_foreach_since (room, seq, send_entry, conn);
          tto_relay_room_foreach_update_since (room, useq, seq, send_update, &resume);
          json_object_set_int_member (state, "last_seq", tto_relay_room_get_last_seq (room));
          json_object_set_int_member (state, "last_useq", tto_relay_room_get_last_useq (room));
          json_object_set_object_member (state, "reads", tto_relay_room_reads_json (room));
          json_object_set_string_member (state, "state", "active");
        }
      else
        {
          json_object_set_int_member (state, "last_seq", 0);
          json_object_set_int_member (state, "last_useq", 0);
          json_object_set_object_member (state, "reads", json_object_new ());
          json_object_set_string_member (state, "state", "ended");
        }
      json_object_set_object_member (answer, l->data, state);
    }

  body = json_object_new ();
  json_object_set_object_member (body, "events", answer);
  reply_ok (conn, frame->id, body);
}

/* Dispatch */

static const TtoRelayRoute routes[] = {
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
  { TTO_FRAME_MSG_EDIT, TRUE, handle_msg_edit },
  { TTO_FRAME_MSG_RECALL, TRUE, handle_msg_recall },
  { TTO_FRAME_RECEIPT_READ, TRUE, handle_receipt_read },
  { TTO_FRAME_EVENT_UPDATE, TRUE, handle_event_update },
  { TTO_FRAME_MEMBER_GRANT, TRUE, handle_member_grant },
  { TTO_FRAME_MEMBER_REVOKE, TRUE, handle_member_revoke },
  { TTO_FRAME_EXPORT_FETCH, TRUE, handle_export_fetch },
  { TTO_FRAME_EVENT_ROTATE_CODE, TRUE, tto_relay_handle_rotate_code },
  { TTO_FRAME_REVIEW_LIST, TRUE, tto_relay_handle_review_list },
  { TTO_FRAME_REVIEW_DECIDE, TRUE, tto_relay_handle_review_decide },
  { TTO_FRAME_APPLICATION_UPDATE, TRUE, tto_relay_handle_application_update },
  { TTO_FRAME_MEMBER_REMOVE, TRUE, tto_relay_handle_member_remove },
  { TTO_FRAME_CALL_CONFIG, TRUE, tto_relay_handle_call_config },
  { TTO_FRAME_CALL_INVITE, TRUE, tto_relay_handle_call_invite },
  { TTO_FRAME_CALL_ACCEPT, TRUE, tto_relay_handle_call_accept },
  { TTO_FRAME_CALL_DECLINE, TRUE, tto_relay_handle_call_decline },
  { TTO_FRAME_CALL_HANGUP, TRUE, tto_relay_handle_call_hangup },
  { TTO_FRAME_CALL_OFFER, TRUE, tto_relay_handle_call_signal },
  { TTO_FRAME_CALL_ANSWER, TRUE, tto_relay_handle_call_signal },
  { TTO_FRAME_CALL_ICE, TRUE, tto_relay_handle_call_signal },
  { TTO_FRAME_CALL_RECORDING, TRUE, tto_relay_handle_call_recording },
};

static const guint n_core_routes = G_N_ELEMENTS (routes);

/* The frames of each concern: the core ones above, the others routed from
 * their own module. */
static const struct
{
  const TtoRelayRoute *routes;
  const guint *n_routes;
} route_tables[] = {
  { routes, &n_core_routes },
  { tto_relay_history_routes, &tto_relay_history_n_routes },
  { tto_relay_identity_routes, &tto_relay_identity_n_routes },
  { tto_relay_oidc_routes, &tto_relay_oidc_n_routes },
  { tto_relay_topics_routes, &tto_relay_topics_n_routes },
  { tto_relay_flow_routes, &tto_relay_flow_n_routes },
};

static const TtoRelayRoute *
find_route (const char *type)
{
  for (guint t = 0; t < G_N_ELEMENTS (route_tables); t++)
    for (guint i = 0; i < *route_tables[t].n_routes; i++)
      if (g_str_equal (route_tables[t].routes[i].type, type))
        return &route_tables[t].routes[i];

  return NULL;
}

static void
process_text (TtoRelayConn *conn,
              GBytes *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoFrame) frame = NULL;
  g_autofree char *id = NULL;
  const TtoRelayRoute *route;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  frame = tto_frame_parse (data, length, TTO_FRAME_FROM_CLIENT, &id, &error);
  if (frame == NULL)
    {
      g_autoptr (TtoFrame) reply = tto_frame_new_error_from_gerror (id, error);

      tto_relay_send (conn, reply);
      return;
    }

  /* Parsing refused unknown types, so every frame here has a route. */
  route = find_route (frame->type);
  g_assert (route != NULL);
  if (route->needs_identity && conn->identity_id == NULL)
    reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_UNAUTHORIZED,
                 "%s needs an identity: send auth or identity.create first", frame->type);
  else
    route->handler (conn, frame);

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
  tto_relay_calls_identity_offline (relay, conn->identity_id);
  /* The last connection of a one-time identity is gone: it lives on for
   * the grace period, so a phone that lost its network can come back. */
  if (g_strcmp0 (conn->identity_kind, "one_time") == 0)
    tto_relay_store_set_identity_expiry_async (relay->store, conn->identity_id,
                                               tto_relay_now_seconds () + relay->config->identity_grace,
                                               NULL, NULL);
}
