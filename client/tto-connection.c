/* tto-connection.c: the one WebSocket to the relay
 *
 * Speaks protocol v1 (shared/PROTOCOL.md): requests are matched to answers by
 * id, pushes become signals. When the socket drops, the connection comes back
 * by itself (backoff 0.5 s doubling to 15 s), authenticates again with the
 * token it keeps in memory only, resumes every watched event from its last
 * seq, and then sends again every message the relay has not confirmed, with
 * the same client_msg_id, so nothing typed is lost and nothing arrives twice.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <libsoup/soup.h>

#include "tto-shared.h"

#include "tto-cert-pins.h"
#include "tto-connection.h"

#define BACKOFF_FIRST_MS 500
#define BACKOFF_MAX_MS 15000
#define KEEPALIVE_SECONDS 20
/* An application-level ping notices a dead link that TCP keeps quiet about. */
#define PING_INTERVAL_SECONDS 25
#define RETRY_SECONDS 3

struct _TtoConnection
{
  GObject parent_instance;

  char *url;
  SoupSession *session;
  SoupWebsocketConnection *ws;
  GCancellable *cancellable;
  TtoConnectionState state;

  char *token; /* secret: memory only, wiped when dropped */
  TtoBlobTransfer *blobs; /* attachments over HTTP, same token */
  char *identity_id;
  char *display_name;

  guint next_id;
  GHashTable *requests; /* request id → GTask */
  GQueue outbox;        /* OutboxItem, in the order the user sent them */
  GHashTable *watched;  /* event id → Position: last seq and useq seen */
  GHashTable *send_topics; /* event id → topic id new messages go to */

  guint reconnect_source;
  guint retry_source;
  guint ping_source;
  char *ping_id;
  guint backoff_ms;
  gboolean closed;

  /* The certificate the last open refused (certificates block at the end) */
  char *rejected_host_port;
  char *rejected_fingerprint;
  char *rejected_pin;
  /* A reconnect was refused a certificate: retry slowly, tell the person
   * once per certificate, and at once when the pin changes. */
  gboolean quiet_retry;
  char *reported_fingerprint;
};

typedef struct
{
  TtoConnection *connection; /* unowned */
  char *event_id;
  char *client_msg_id;
  char *text;
  char *reply_to;   /* msg_id quoted, or NULL */
  GStrv mentions;   /* identity ids or "all", or NULL */
  JsonObject *attachment; /* uploaded already, or NULL */
  char *topic_id;   /* NULL: the main topic */
  char *request_id; /* while a msg.send for this item is in flight */
  GTask *task;
} OutboxItem;

/* What resume asks the relay for: messages after seq, updates after useq. */
typedef struct
{
  gint64 seq;
  gint64 useq;
} Position;

G_DEFINE_FINAL_TYPE (TtoConnection, tto_connection, G_TYPE_OBJECT)
G_DEFINE_QUARK (tto-connection-error-quark, tto_connection_error)
G_DEFINE_ENUM_TYPE (TtoConnectionState, tto_connection_state,
                    G_DEFINE_ENUM_VALUE (TTO_CONNECTION_STATE_DISCONNECTED, "disconnected"),
                    G_DEFINE_ENUM_VALUE (TTO_CONNECTION_STATE_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (TTO_CONNECTION_STATE_CONNECTED, "connected"))

enum
{
  PROP_0,
  PROP_URL,
  PROP_STATE,
  PROP_IDENTITY_ID,
  PROP_DISPLAY_NAME,
  N_PROPS
};

enum
{
  MSG_NEW,
  MEMBER_JOINED,
  EVENT_ENDED,
  MSG_UPDATED,
  RECEIPTS_UPDATED,
  EVENT_UPDATED,
  MEMBER_UPDATED,
  RESUMED,
  IDENTITY_LOST,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void schedule_reconnect (TtoConnection *self);
static void certificates_init (TtoConnection *self);
static void certificates_class_init (GObjectClass *object_class);
static void certificates_reset (TtoConnection *self);
static void certificates_opened (TtoConnection *self);
static void certificates_finalize (TtoConnection *self);
static GError *certificates_take_error (TtoConnection *self);
static void on_reconnect_auth (GObject *object,
                               GAsyncResult *result,
                               gpointer user_data);

static void
outbox_item_free (OutboxItem *item)
{
  g_free (item->event_id);
  g_free (item->client_msg_id);
  tto_str_wipe_free (item->text);
  g_free (item->reply_to);
  g_strfreev (item->mentions);
  g_clear_pointer (&item->attachment, json_object_unref);
  g_free (item->topic_id);
  g_free (item->request_id);
  g_clear_object (&item->task);
  g_free (item);
}

static void
set_state (TtoConnection *self,
           TtoConnectionState state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
wipe_token (TtoConnection *self)
{
  g_clear_pointer (&self->token, tto_str_wipe_free);
  if (self->blobs != NULL)
    tto_blob_transfer_set_token (self->blobs, NULL);
}

static GError *
error_from_frame (TtoFrame *frame)
{
  GError *error = NULL;

  tto_frame_propagate_error (frame, &error);
  if (error == NULL)
    error = g_error_new_literal (TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_INTERNAL,
                                 "relay answered with an error frame without code");
  return error;
}

/* Serialises and sends one frame; the buffer may hold message text, so it is
 * wiped at once. */
static void
send_frame (TtoConnection *self,
            TtoFrame *frame)
{
  char *data;

  g_assert (self->ws != NULL);

  data = tto_frame_serialize (frame, NULL);
  soup_websocket_connection_send_text (self->ws, data);
  tto_str_wipe_free (data);
}

static char *
next_request_id (TtoConnection *self)
{
  return g_strdup_printf ("c%u", ++self->next_id);
}

/* Sends a request on the open socket; the answer completes @task. */
static void
send_request (TtoConnection *self,
              const char *type,
              JsonObject *body,
              GTask *task)
{
  g_autoptr (TtoFrame) frame = NULL;
  g_autofree char *id = next_request_id (self);

  frame = tto_frame_new (type, id, body);
  g_hash_table_insert (self->requests, g_strdup (id), g_object_ref (task));
  send_frame (self, frame);
  tto_frame_wipe (frame);
}

static void
send_outbox_item (TtoConnection *self,
                  OutboxItem *item)
{
  g_autoptr (TtoFrame) frame = NULL;
  JsonObject *body = json_object_new ();

  json_object_set_string_member (body, "event_id", item->event_id);
  json_object_set_string_member (body, "client_msg_id", item->client_msg_id);
  json_object_set_string_member (body, "text", item->text);
  if (item->reply_to != NULL)
    json_object_set_string_member (body, "reply_to", item->reply_to);
  if (item->topic_id != NULL)
    json_object_set_string_member (body, "topic_id", item->topic_id);
  if (item->mentions != NULL && item->mentions[0] != NULL)
    {
      JsonArray *mentions = json_array_new ();

      for (guint i = 0; item->mentions[i] != NULL; i++)
        json_array_add_string_element (mentions, item->mentions[i]);
      json_object_set_array_member (body, "mentions", mentions);
    }
  if (item->attachment != NULL)
    {
      /* A copy: the sent frame is wiped, the item may be sent again. */
      g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), item->attachment);

      json_object_set_member (body, "attachment", tto_json_node_deep_copy (node));
    }

  g_free (item->request_id);
  item->request_id = next_request_id (self);
  frame = tto_frame_new (TTO_FRAME_MSG_SEND, item->request_id, body);
  /* The task's data points back at the item so the answer can find it. */
  g_hash_table_insert (self->requests, g_strdup (item->request_id), g_object_ref (item->task));
  send_frame (self, frame);
  tto_frame_wipe (frame);
}

static void
flush_outbox (TtoConnection *self)
{
  for (GList *l = self->outbox.head; l != NULL; l = l->next)
    {
      OutboxItem *item = l->data;

      if (item->request_id == NULL)
        send_outbox_item (self, item);
    }
}

static OutboxItem *
find_outbox_item (TtoConnection *self,
                  GTask *task)
{
  for (GList *l = self->outbox.head; l != NULL; l = l->next)
    {
      OutboxItem *item = l->data;

      if (item->task == task)
        return item;
    }
  return NULL;
}

static void
remove_outbox_item (TtoConnection *self,
                    OutboxItem *item)
{
  g_queue_remove (&self->outbox, item);
  outbox_item_free (item);
}

static void
fail_outbox (TtoConnection *self,
             const char *event_id,
             const GError *error)
{
  GList *l = self->outbox.head;

  while (l != NULL)
    {
      OutboxItem *item = l->data;
      GList *next = l->next;

      if (event_id == NULL || g_str_equal (item->event_id, event_id))
        {
          g_autoptr (GTask) task = g_object_ref (item->task);

          if (item->request_id != NULL)
            g_hash_table_remove (self->requests, item->request_id);
          g_queue_delete_link (&self->outbox, l);
          outbox_item_free (item);
          g_task_return_error (task, g_error_copy (error));
        }
      l = next;
    }
}

/* The socket is gone: plain requests fail, queued messages wait for the
 * next connection. */
static void
fail_requests (TtoConnection *self,
               const GError *error)
{
  g_autoptr (GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->requests);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      if (find_outbox_item (self, value) == NULL)
        g_ptr_array_add (tasks, g_object_ref (value));
    }
  g_hash_table_remove_all (self->requests);

  for (GList *l = self->outbox.head; l != NULL; l = l->next)
    g_clear_pointer (&((OutboxItem *) l->data)->request_id, g_free);

  for (guint i = 0; i < tasks->len; i++)
    g_task_return_error (g_ptr_array_index (tasks, i), g_error_copy (error));
}

static gboolean
is_transient (TtoFrame *frame)
{
  const char *code = tto_frame_get_string (frame, "code");

  return g_strcmp0 (code, "unavailable") == 0 || g_strcmp0 (code, "rate_limited") == 0;
}

static gboolean
on_retry_timeout (gpointer user_data)
{
  TtoConnection *self = user_data;

  self->retry_source = 0;
  if (self->state == TTO_CONNECTION_STATE_CONNECTED)
    flush_outbox (self);

  return G_SOURCE_REMOVE;
}

static void
frame_wipe_free (TtoFrame *frame)
{
  tto_frame_wipe (frame);
  tto_frame_free (frame);
}

/* Takes *@frame_inout over (and sets it to NULL) when an ok answer goes to
 * a task: the task keeps the frame and wipes it when finalized, so the body
 * stays intact until the callback has run. */
static void
handle_answer (TtoConnection *self,
               TtoFrame **frame_inout)
{
  g_autoptr (GTask) task = NULL;
  TtoFrame *frame = *frame_inout;
  OutboxItem *item;

  if (frame->re == NULL)
    {
      if (tto_frame_is (frame, TTO_FRAME_ERROR))
        g_message ("Relay reported an error without request: %s",
                   tto_frame_get_string (frame, "code"));
      return;
    }

  if (g_strcmp0 (frame->re, self->ping_id) == 0)
    {
      g_clear_pointer (&self->ping_id, g_free);
      return;
    }

  if (!g_hash_table_steal_extended (self->requests, frame->re, NULL, (gpointer *) &task))
    {
      g_debug ("Answer to unknown request %s ignored", frame->re);
      return;
    }

  item = find_outbox_item (self, task);
  if (item != NULL && tto_frame_is (frame, TTO_FRAME_ERROR) && is_transient (frame))
    {
      /* The relay is busy or its database away: the message stays queued. */
      g_clear_pointer (&item->request_id, g_free);
      if (self->retry_source == 0)
        self->retry_source = g_timeout_add_seconds (RETRY_SECONDS, on_retry_timeout, self);
      return;
    }
  if (item != NULL)
    remove_outbox_item (self, item);

  if (tto_frame_is (frame, TTO_FRAME_OK))
    {
      /* GTask calls back from an idle when the task was created in this
       * main-loop turn (an auth ok and the resume ok read from the socket
       * at once): the caller's wipe of the frame must not come first, or
       * the callback reads zeroed strings ("state": "" ended every event). */
      g_object_set_data_full (G_OBJECT (task), "tto-answer-frame", g_steal_pointer (frame_inout),
                              (GDestroyNotify) frame_wipe_free);
      g_task_return_pointer (task, json_object_ref (frame->body),
                             (GDestroyNotify) json_object_unref);
    }
  else
    {
      /* Some errors carry fields (rate_limited: retry_after), see
       * tto_connection_get_error_body(). */
      if (frame->body != NULL)
        g_object_set_data_full (G_OBJECT (task), "tto-error-body", json_object_ref (frame->body),
                                (GDestroyNotify) json_object_unref);
      g_task_return_error (task, error_from_frame (frame));
    }
}

static void emit_governance_push (TtoConnection *self,
                                  TtoFrame *frame);
static void governance_class_init (GObjectClass *object_class);
static void emit_call_push (TtoConnection *self,
                            TtoFrame *frame);
static void calls_class_init (GObjectClass *object_class);
static void emit_flow_push (TtoConnection *self,
                            TtoFrame *frame);
static void flow_class_init (GObjectClass *object_class);
static void emit_topic_push (TtoConnection *self,
                             TtoFrame *frame);
static void topics_class_init (GObjectClass *object_class);

/* May take *@frame_inout over (answers), see handle_answer(). */
static void
handle_frame (TtoConnection *self,
              TtoFrame **frame_inout)
{
  TtoFrame *frame = *frame_inout;

  if (tto_frame_is (frame, TTO_FRAME_OK) || tto_frame_is (frame, TTO_FRAME_ERROR))
    handle_answer (self, frame_inout);
  else if (tto_frame_is (frame, TTO_FRAME_MSG_NEW))
    {
      const char *event_id = tto_frame_get_string (frame, "event_id");
      gint64 seq = tto_frame_get_int (frame, "seq", 0);
      Position *position = event_id != NULL ? g_hash_table_lookup (self->watched, event_id) : NULL;

      if (position != NULL && seq > position->seq)
        position->seq = seq;
      g_signal_emit (self, signals[MSG_NEW], 0, frame->body);
    }
  else if (tto_frame_is (frame, TTO_FRAME_MSG_UPDATED))
    {
      const char *event_id = tto_frame_get_string (frame, "event_id");
      gint64 useq = tto_frame_get_int (frame, "useq", 0);
      Position *position = event_id != NULL ? g_hash_table_lookup (self->watched, event_id) : NULL;

      /* Resume asks for the updates after the highest one seen. */
      if (position != NULL && useq > position->useq)
        position->useq = useq;
      g_signal_emit (self, signals[MSG_UPDATED], 0, frame->body);
    }
  else if (tto_frame_is (frame, TTO_FRAME_RECEIPTS_UPDATED))
    g_signal_emit (self, signals[RECEIPTS_UPDATED], 0, frame->body);
  else if (tto_frame_is (frame, TTO_FRAME_EVENT_UPDATED))
    g_signal_emit (self, signals[EVENT_UPDATED], 0, frame->body);
  else if (tto_frame_is (frame, TTO_FRAME_MEMBER_UPDATED))
    g_signal_emit (self, signals[MEMBER_UPDATED], 0, frame->body);
  else if (tto_frame_is (frame, TTO_FRAME_MEMBER_JOINED))
    g_signal_emit (self, signals[MEMBER_JOINED], 0, frame->body);
  else if (tto_frame_is (frame, TTO_FRAME_EVENT_ENDED))
    {
      g_autofree char *event_id = g_strdup (tto_frame_get_string (frame, "event_id"));

      g_signal_emit (self, signals[EVENT_ENDED], 0, event_id,
                     tto_frame_get_string (frame, "reason"));
      tto_connection_forget_event (self, event_id);
    }
  else if (g_str_has_prefix (frame->type, "call."))
    emit_call_push (self, frame); /* calls block at the end of this file */
  else if (g_str_has_prefix (frame->type, "topic."))
    emit_topic_push (self, frame); /* topics block at the end of this file */
  else if (tto_frame_is (frame, TTO_FRAME_FLOW_UPDATED) ||
           tto_frame_is (frame, TTO_FRAME_POINTS_AWARDED))
    emit_flow_push (self, frame); /* flow block at the end of this file */
  else
    emit_governance_push (self, frame); /* governance block at the end of this file */
}

static void
on_ws_message (SoupWebsocketConnection *ws,
               SoupWebsocketDataType type,
               GBytes *message,
               TtoConnection *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoFrame) frame = NULL;
  gsize length;
  const char *data;

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      g_message ("Ignoring a binary frame from the relay");
      return;
    }

  data = g_bytes_get_data (message, &length);
  frame = tto_frame_parse (data, length, TTO_FRAME_FROM_RELAY, NULL, &error);
  if (frame == NULL)
    {
      g_message ("Ignoring an invalid frame from the relay: %s", error->message);
      return;
    }

  g_object_ref (self);
  handle_frame (self, &frame);
  /* Message text must not stay behind in freed memory (an answer taken by
   * its task is wiped when the task goes). */
  tto_frame_wipe (frame);
  g_object_unref (self);
}

static void
release_socket (TtoConnection *self)
{
  g_clear_handle_id (&self->ping_source, g_source_remove);
  g_clear_pointer (&self->ping_id, g_free);

  if (self->ws == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->ws, self);
  if (soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (&self->ws);
}

static void
on_ws_closed (SoupWebsocketConnection *ws,
              TtoConnection *self)
{
  g_autoptr (GError) error = g_error_new_literal (TTO_CONNECTION_ERROR,
                                                  TTO_CONNECTION_ERROR_DISCONNECTED,
                                                  "The connection to the relay was lost");

  g_object_ref (self);
  g_debug ("Relay connection closed (code %u)", soup_websocket_connection_get_close_code (ws));
  release_socket (self);
  fail_requests (self, error);

  if (self->token != NULL && !self->closed)
    {
      set_state (self, TTO_CONNECTION_STATE_CONNECTING);
      schedule_reconnect (self);
    }
  else
    set_state (self, TTO_CONNECTION_STATE_DISCONNECTED);
  g_object_unref (self);
}

static gboolean
on_ping_timeout (gpointer user_data)
{
  TtoConnection *self = user_data;
  g_autoptr (TtoFrame) frame = NULL;

  if (self->ping_id != NULL)
    {
      /* The previous ping never came back: treat the link as dead. */
      g_debug ("Relay did not answer a ping; reconnecting");
      self->ping_source = 0;
      tto_connection_drop (self);
      return G_SOURCE_REMOVE;
    }

  self->ping_id = next_request_id (self);
  frame = tto_frame_new (TTO_FRAME_PING, self->ping_id, NULL);
  send_frame (self, frame);

  return G_SOURCE_CONTINUE;
}

static void
adopt_socket (TtoConnection *self,
              SoupWebsocketConnection *ws)
{
  g_assert (self->ws == NULL);

  self->ws = ws;
  soup_websocket_connection_set_keepalive_interval (ws, KEEPALIVE_SECONDS);
  /* The relay refuses frames over 64 KiB; accept a little more from it. */
  soup_websocket_connection_set_max_incoming_payload_size (ws, 1024 * 1024);
  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), self);
  g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), self);
  self->ping_source = g_timeout_add_seconds (PING_INTERVAL_SECONDS, on_ping_timeout, self);
}

static void
on_open_ready (GObject *object,
               GAsyncResult *result,
               gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  SoupWebsocketConnection *ws;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);
  if (ws == NULL)
    {
      GError *certificate_error = certificates_take_error (g_task_get_source_object (task));

      if (certificate_error != NULL)
        g_task_return_error (task, certificate_error);
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, TTO_CONNECTION_ERROR, TTO_CONNECTION_ERROR_UNREACHABLE,
                                 "%s", error->message);
      return;
    }

  certificates_opened (g_task_get_source_object (task));
  g_task_return_pointer (task, ws, g_object_unref);
}

/* Opens a WebSocket to the relay; returns it through the task. */
static void
open_socket (TtoConnection *self,
             GAsyncReadyCallback callback,
             gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, self->cancellable, callback, user_data);
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GUri) uri = NULL;
  const char *scheme;

  certificates_reset (self);
  uri = g_uri_parse (self->url, SOUP_HTTP_URI_FLAGS, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      (g_strcmp0 (scheme, "ws") != 0 && g_strcmp0 (scheme, "wss") != 0))
    {
      g_task_return_new_error (task, TTO_CONNECTION_ERROR, TTO_CONNECTION_ERROR_BAD_URL,
                               "Not a ws:// or wss:// address");
      return;
    }

  msg = soup_message_new_from_uri (SOUP_METHOD_GET, uri);
  soup_session_websocket_connect_async (self->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        self->cancellable, on_open_ready,
                                        g_steal_pointer (&task));
}

/* Reconnecting */

static void
on_reconnect_resume (GObject *object,
                     GAsyncResult *result,
                     gpointer user_data)
{
  TtoConnection *self = TTO_CONNECTION (object);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;

  body = tto_connection_request_finish (self, result, &error);
  if (body == NULL)
    {
      g_debug ("Resume failed: %s", error->message);
      if (self->ws != NULL)
        tto_connection_drop (self);
      return;
    }

  self->backoff_ms = BACKOFF_FIRST_MS;
  set_state (self, TTO_CONNECTION_STATE_CONNECTED);
  if (json_object_has_member (body, "events") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (body, "events")))
    g_signal_emit (self, signals[RESUMED], 0, json_object_get_object_member (body, "events"));
  flush_outbox (self);
}

static void
send_resume (TtoConnection *self)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, on_reconnect_resume, NULL);
  JsonObject *body = json_object_new ();
  JsonObject *events = json_object_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Position *position = value;
      JsonObject *from = json_object_new ();

      json_object_set_int_member (from, "seq", position->seq);
      json_object_set_int_member (from, "useq", position->useq);
      json_object_set_object_member (events, key, from);
    }
  json_object_set_object_member (body, "events", events);

  send_request (self, TTO_FRAME_RESUME, body, task);
}

static void
on_reconnect_auth (GObject *object,
                   GAsyncResult *result,
                   gpointer user_data)
{
  TtoConnection *self = TTO_CONNECTION (object);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;

  body = tto_connection_request_finish (self, result, &error);
  if (body != NULL)
    {
      send_resume (self);
      return;
    }

  if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_UNAUTHORIZED))
    {
      g_autoptr (GError) lost = g_error_new_literal (TTO_CONNECTION_ERROR,
                                                     TTO_CONNECTION_ERROR_IDENTITY_LOST,
                                                     "The relay no longer knows this identity");

      /* A one-time identity is deleted after its grace period: everything
       * tied to it is gone for good. */
      wipe_token (self);
      release_socket (self);
      fail_outbox (self, NULL, lost);
      g_hash_table_remove_all (self->watched);
      set_state (self, TTO_CONNECTION_STATE_DISCONNECTED);
      g_signal_emit (self, signals[IDENTITY_LOST], 0);
      return;
    }

  g_debug ("Authentication after reconnect failed: %s", error->message);
  if (self->ws != NULL)
    tto_connection_drop (self);
}

static void
on_reconnect_open (GObject *object,
                   GAsyncResult *result,
                   gpointer user_data)
{
  TtoConnection *self = TTO_CONNECTION (object);
  g_autoptr (GError) error = NULL;
  g_autoptr (GTask) task = NULL;
  SoupWebsocketConnection *ws;
  JsonObject *body;

  ws = g_task_propagate_pointer (G_TASK (result), &error);
  if (ws == NULL)
    {
      /* The person decides; meanwhile retry slowly and quietly, in case
       * the certificate they trusted comes back (another network). */
      if ((g_error_matches (error, TTO_CONNECTION_ERROR, TTO_CONNECTION_ERROR_UNTRUSTED_CERTIFICATE) ||
           g_error_matches (error, TTO_CONNECTION_ERROR, TTO_CONNECTION_ERROR_CERTIFICATE_CHANGED)) &&
          !self->closed)
        {
          self->quiet_retry = TRUE;
          self->backoff_ms = BACKOFF_MAX_MS;
          schedule_reconnect (self);
          return;
        }
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !self->closed)
        {
          g_debug ("Reconnect failed: %s", error->message);
          schedule_reconnect (self);
        }
      return;
    }
  if (self->closed || self->token == NULL)
    {
      g_object_unref (ws);
      return;
    }

  adopt_socket (self, ws);
  body = json_object_new ();
  json_object_set_string_member (body, "token", self->token);
  task = g_task_new (self, NULL, on_reconnect_auth, NULL);
  send_request (self, TTO_FRAME_AUTH, body, task);
}

static gboolean
on_reconnect_timeout (gpointer user_data)
{
  TtoConnection *self = user_data;

  self->reconnect_source = 0;
  open_socket (self, on_reconnect_open, NULL);

  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (TtoConnection *self)
{
  if (self->reconnect_source != 0)
    return;

  g_debug ("Reconnecting in %u ms", self->backoff_ms);
  self->reconnect_source = g_timeout_add (self->backoff_ms, on_reconnect_timeout, self);
  self->backoff_ms = MIN (self->backoff_ms * 2, BACKOFF_MAX_MS);
}

/* GObject */

static void
tto_connection_dispose (GObject *object)
{
  TtoConnection *self = (TtoConnection *) object;

  self->closed = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reconnect_source, g_source_remove);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  release_socket (self);
  g_clear_object (&self->blobs);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (tto_connection_parent_class)->dispose (object);
}

static void
tto_connection_finalize (GObject *object)
{
  TtoConnection *self = (TtoConnection *) object;

  wipe_token (self);
  g_free (self->url);
  g_free (self->identity_id);
  g_free (self->display_name);
  g_clear_object (&self->cancellable);
  g_hash_table_unref (self->requests);
  g_queue_clear_full (&self->outbox, (GDestroyNotify) outbox_item_free);
  g_hash_table_unref (self->watched);
  certificates_finalize (self);
  g_hash_table_unref (self->send_topics);

  G_OBJECT_CLASS (tto_connection_parent_class)->finalize (object);
}

static void
tto_connection_get_property (GObject *object,
                             guint prop_id,
                             GValue *value,
                             GParamSpec *pspec)
{
  TtoConnection *self = TTO_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_IDENTITY_ID:
      g_value_set_string (value, self->identity_id);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_connection_set_property (GObject *object,
                             guint prop_id,
                             const GValue *value,
                             GParamSpec *pspec)
{
  TtoConnection *self = TTO_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_URL:
      self->url = g_strstrip (g_value_dup_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_connection_class_init (TtoConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tto_connection_dispose;
  object_class->finalize = tto_connection_finalize;
  object_class->get_property = tto_connection_get_property;
  object_class->set_property = tto_connection_set_property;

  properties[PROP_URL] = g_param_spec_string ("url", NULL, NULL, "",
                                              G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                                G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, TTO_TYPE_CONNECTION_STATE,
                                              TTO_CONNECTION_STATE_DISCONNECTED,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_IDENTITY_ID] = g_param_spec_string ("identity-id", NULL, NULL, NULL,
                                                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL,
                                                       G_PARAM_READABLE |
                                                         G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The body of a msg.new push (a Message object). */
  signals[MSG_NEW] = g_signal_new ("msg-new", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);
  /* The body of a member.joined push. */
  signals[MEMBER_JOINED] = g_signal_new ("member-joined", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                         JSON_TYPE_OBJECT);
  /* event id, reason */
  signals[EVENT_ENDED] = g_signal_new ("event-ended", G_TYPE_FROM_CLASS (klass),
                                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                       G_TYPE_STRING, G_TYPE_STRING);
  /* The body of a msg.updated push: {event_id, useq, message}. */
  signals[MSG_UPDATED] = g_signal_new ("msg-updated", G_TYPE_FROM_CLASS (klass),
                                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                       JSON_TYPE_OBJECT);
  /* The body of a receipts.updated push: {event_id, reads}. */
  signals[RECEIPTS_UPDATED] = g_signal_new ("receipts-updated", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                            1, JSON_TYPE_OBJECT);
  /* The body of an event.updated push: {event}. */
  signals[EVENT_UPDATED] = g_signal_new ("event-updated", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                         JSON_TYPE_OBJECT);
  /* The body of a member.updated push: {event_id, member}. */
  signals[MEMBER_UPDATED] = g_signal_new ("member-updated", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                          JSON_TYPE_OBJECT);
  /* The "events" object of the resume answer:
   * event id → {last_seq, last_useq, reads, state}. */
  signals[RESUMED] = g_signal_new ("resumed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);
  signals[IDENTITY_LOST] = g_signal_new ("identity-lost", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  governance_class_init (object_class);
  calls_class_init (object_class);
  certificates_class_init (object_class);
  flow_class_init (object_class);
  topics_class_init (object_class);
}

static void
tto_connection_init (TtoConnection *self)
{
  self->session = soup_session_new ();
  self->cancellable = g_cancellable_new ();
  self->requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->watched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->send_topics = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->backoff_ms = BACKOFF_FIRST_MS;
  g_queue_init (&self->outbox);
  certificates_init (self);
}

/* Public API */

TtoConnection *
tto_connection_new (const char *url)
{
  g_return_val_if_fail (url != NULL, NULL);

  return g_object_new (TTO_TYPE_CONNECTION, "url", url, NULL);
}

const char *
tto_connection_get_url (TtoConnection *self)
{
  g_return_val_if_fail (TTO_IS_CONNECTION (self), NULL);

  return self->url;
}

TtoConnectionState
tto_connection_get_state (TtoConnection *self)
{
  g_return_val_if_fail (TTO_IS_CONNECTION (self), TTO_CONNECTION_STATE_DISCONNECTED);

  return self->state;
}

const char *
tto_connection_get_identity_id (TtoConnection *self)
{
  g_return_val_if_fail (TTO_IS_CONNECTION (self), NULL);

  return self->identity_id;
}

const char *
tto_connection_get_display_name (TtoConnection *self)
{
  g_return_val_if_fail (TTO_IS_CONNECTION (self), NULL);

  return self->display_name;
}

static void
on_identity_created (GObject *object,
                     GAsyncResult *result,
                     gpointer user_data)
{
  TtoConnection *self = TTO_CONNECTION (object);
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;
  const char *token;
  const char *identity_id;

  body = tto_connection_request_finish (self, result, &error);
  if (body == NULL)
    {
      release_socket (self);
      set_state (self, TTO_CONNECTION_STATE_DISCONNECTED);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  token = json_object_get_string_member_with_default (body, "token", NULL);
  identity_id = json_object_get_string_member_with_default (body, "identity_id", NULL);
  if (token == NULL || identity_id == NULL)
    {
      release_socket (self);
      set_state (self, TTO_CONNECTION_STATE_DISCONNECTED);
      g_task_return_new_error (task, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                               "identity.create answer lacks token or identity_id");
      return;
    }

  wipe_token (self);
  self->token = g_strdup (token);
  /* The answer's copy of the token is zeroed; only ours remains. */
  explicit_bzero ((char *) token, strlen (token));
  tto_set_str (&self->identity_id, identity_id);
  tto_set_str (&self->display_name,
               json_object_get_string_member_with_default (body, "display_name", ""));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDENTITY_ID]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
  set_state (self, TTO_CONNECTION_STATE_CONNECTED);
  g_task_return_boolean (task, TRUE);
}

static void
on_identity_socket_open (GObject *object,
                         GAsyncResult *result,
                         gpointer user_data)
{
  TtoConnection *self = TTO_CONNECTION (object);
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GTask) request = NULL;
  SoupWebsocketConnection *ws;
  JsonObject *body;

  ws = g_task_propagate_pointer (G_TASK (result), &error);
  if (ws == NULL)
    {
      set_state (self, TTO_CONNECTION_STATE_DISCONNECTED);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  adopt_socket (self, ws);
  body = json_object_new ();
  json_object_set_string_member (body, "kind", "one_time");
  json_object_set_string_member (body, "display_name", g_task_get_task_data (task));
  request = g_task_new (self, NULL, on_identity_created, g_object_ref (task));
  send_request (self, TTO_FRAME_IDENTITY_CREATE, body, request);
}

/* Opens the connection and creates a one-time identity named @display_name. */
void
tto_connection_create_identity_async (TtoConnection *self,
                                      const char *display_name,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (TTO_IS_CONNECTION (self));
  g_return_if_fail (display_name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_connection_create_identity_async);
  g_task_set_task_data (task, g_strdup (display_name), g_free);

  if (self->state != TTO_CONNECTION_STATE_DISCONNECTED || self->token != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY,
                               "This connection already has an identity");
      return;
    }

  self->closed = FALSE;
  set_state (self, TTO_CONNECTION_STATE_CONNECTING);
  open_socket (self, on_identity_socket_open, g_steal_pointer (&task));
}

gboolean
tto_connection_create_identity_finish (TtoConnection *self,
                                       GAsyncResult *result,
                                       GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Identity: sign-in by any method (shared/PROTOCOL.md, identity.*)
 *
 * Before an identity exists the socket may be open already (the sign-in
 * page asks identity.methods and requests codes on it); a refused sign-in
 * leaves it open, so the person can correct what they typed. */

static void
on_open_socket_ready (GObject *object,
                      GAsyncResult *result,
                      gpointer user_data)
{
  TtoConnection *self = TTO_CONNECTION (object);
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  SoupWebsocketConnection *ws;

  ws = g_task_propagate_pointer (G_TASK (result), &error);
  if (ws == NULL)
    {
      set_state (self, TTO_CONNECTION_STATE_DISCONNECTED);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (self->ws != NULL)
    g_object_unref (ws); /* another open won the race */
  else
    adopt_socket (self, ws);
  g_task_return_boolean (task, TRUE);
}

/* Opens the socket without an identity (at once when it is open). */
void
tto_connection_open_async (TtoConnection *self,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (TTO_IS_CONNECTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_connection_open_async);
  if (self->ws != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  self->closed = FALSE;
  set_state (self, TTO_CONNECTION_STATE_CONNECTING);
  open_socket (self, on_open_socket_ready, g_steal_pointer (&task));
}

gboolean
tto_connection_open_finish (TtoConnection *self,
                            GAsyncResult *result,
                            GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  char *type;
  JsonObject *body;
  char *token; /* auth: the token sent, kept on success */
} SignInData;

static void
sign_in_data_free (SignInData *data)
{
  g_free (data->type);
  g_clear_pointer (&data->body, json_object_unref);
  tto_str_wipe_free (data->token);
  g_free (data);
}

static void
on_sign_in_answer (GObject *object,
                   GAsyncResult *result,
                   gpointer user_data)
{
  TtoConnection *self = TTO_CONNECTION (object);
  g_autoptr (GTask) task = user_data;
  SignInData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;
  JsonObject *error_body;
  JsonObject *copy;
  const char *token;
  const char *identity_id;

  body = tto_connection_request_finish (self, result, &error);
  if (body == NULL)
    {
      error_body = tto_connection_get_error_body (result);
      if (error_body != NULL)
        g_object_set_data_full (G_OBJECT (task), "tto-error-body", json_object_ref (error_body),
                                (GDestroyNotify) json_object_unref);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  token = json_object_get_string_member_with_default (body, "token", data->token);
  identity_id = json_object_get_string_member_with_default (body, "identity_id", NULL);
  if (token == NULL || *token == '\0' || identity_id == NULL)
    {
      g_task_return_new_error (task, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                               "%s answer lacks token or identity_id", data->type);
      return;
    }

  wipe_token (self);
  self->token = g_strdup (token);
  if (self->blobs != NULL)
    tto_blob_transfer_set_token (self->blobs, self->token);
  tto_set_str (&self->identity_id, identity_id);
  tto_set_str (&self->display_name,
               json_object_get_string_member_with_default (body, "display_name", ""));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDENTITY_ID]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
  set_state (self, TTO_CONNECTION_STATE_CONNECTED);

  /* The caller gets the identity with its token; the answer frame is
   * wiped when the request's task goes. */
  copy = tto_json_object_deep_copy (body);
  if (!json_object_has_member (copy, "token"))
    json_object_set_string_member (copy, "token", token);
  g_task_return_pointer (task, copy, (GDestroyNotify) json_object_unref);
}

static void
send_sign_in (TtoConnection *self,
              GTask *task)
{
  SignInData *data = g_task_get_task_data (task);
  g_autoptr (GTask) request = g_task_new (self, NULL, on_sign_in_answer, g_object_ref (task));

  /* The body (code, password, token) is wiped once sent. */
  send_request (self, data->type, g_steal_pointer (&data->body), request);
}

static void
on_sign_in_open (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  TtoConnection *self = TTO_CONNECTION (object);
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;

  if (!tto_connection_open_finish (self, result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (self->ws == NULL)
    {
      g_task_return_new_error (task, TTO_CONNECTION_ERROR, TTO_CONNECTION_ERROR_DISCONNECTED,
                               "The connection to the relay was lost");
      return;
    }
  send_sign_in (self, task);
}

/* Signs in with one request of @type (identity.create, identity.code.verify,
 * identity.register, identity.login, identity.oidc.finish or auth) carrying
 * @body (taken over, wiped once sent), opening the socket first if needed.
 * On success the connection is that identity; the answer (the identity
 * body, with "token") comes back from tto_connection_sign_in_finish(). */
void
tto_connection_sign_in_async (TtoConnection *self,
                              const char *type,
                              JsonObject *body,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  SignInData *data;

  g_return_if_fail (TTO_IS_CONNECTION (self));
  g_return_if_fail (type != NULL && body != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_connection_sign_in_async);
  data = g_new0 (SignInData, 1);
  data->type = g_strdup (type);
  data->body = body;
  if (g_str_equal (type, TTO_FRAME_AUTH))
    data->token = g_strdup (json_object_get_string_member_with_default (body, "token", NULL));
  g_task_set_task_data (task, data, (GDestroyNotify) sign_in_data_free);

  if (self->token != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY,
                               "This connection already has an identity");
      return;
    }
  if (self->ws != NULL)
    send_sign_in (self, task);
  else
    tto_connection_open_async (self, cancellable, on_sign_in_open, g_steal_pointer (&task));
}

/* The identity body (identity_id, display_name, kind, token, expires_at,
 * verified), or NULL with @error. */
JsonObject *
tto_connection_sign_in_finish (TtoConnection *self,
                               GAsyncResult *result,
                               GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The body of the error frame that failed a request or sign-in (fields such
 * as retry_after besides code and message), or NULL. */
JsonObject *
tto_connection_get_error_body (GAsyncResult *result)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_object_get_data (G_OBJECT (result), "tto-error-body");
}

/* Signing in again (verification before a timed identity expires) gives the
 * same identity a new token: the next reconnect uses it. */
void
tto_connection_set_token (TtoConnection *self,
                          const char *token)
{
  g_return_if_fail (TTO_IS_CONNECTION (self));
  g_return_if_fail (token != NULL);

  wipe_token (self);
  self->token = g_strdup (token);
  if (self->blobs != NULL)
    tto_blob_transfer_set_token (self->blobs, self->token);
}

/* Sends one request (@body is taken over); the answer's body comes back from
 * tto_connection_request_finish(). Fails at once while disconnected. */
void
tto_connection_request_async (TtoConnection *self,
                              const char *type,
                              JsonObject *body,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (TTO_IS_CONNECTION (self));
  g_return_if_fail (type != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_connection_request_async);

  if (self->ws == NULL)
    {
      if (body != NULL)
        json_object_unref (body);
      g_task_return_new_error (task, TTO_CONNECTION_ERROR, TTO_CONNECTION_ERROR_DISCONNECTED,
                               "Not connected to the relay");
      return;
    }

  send_request (self, type, body, task);
}

JsonObject *
tto_connection_request_finish (TtoConnection *self,
                               GAsyncResult *result,
                               GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Queues a message; it is sent now if connected, else after the reconnect,
 * and again (same @client_msg_id) after every reconnect until the relay
 * answers. @reply_to is the msg_id quoted or NULL; @mentions identity ids
 * or "all", or NULL. The answer's body ({msg_id, seq, ts}) comes back from
 * _finish. */
static void enqueue_outbox_item (TtoConnection *self,
                                 OutboxItem *item);

void
tto_connection_send_message_async (TtoConnection *self,
                                   const char *event_id,
                                   const char *client_msg_id,
                                   const char *text,
                                   const char *reply_to,
                                   const char *const *mentions,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  OutboxItem *item;

  g_return_if_fail (TTO_IS_CONNECTION (self));
  g_return_if_fail (event_id != NULL);
  g_return_if_fail (client_msg_id != NULL);
  g_return_if_fail (text != NULL);

  item = g_new0 (OutboxItem, 1);
  item->connection = self;
  item->event_id = g_strdup (event_id);
  item->client_msg_id = g_strdup (client_msg_id);
  item->text = g_strdup (text);
  item->reply_to = g_strdup (reply_to);
  item->mentions = g_strdupv ((char **) mentions);
  item->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (item->task, tto_connection_send_message_async);
  enqueue_outbox_item (self, item);
}

static void
enqueue_outbox_item (TtoConnection *self,
                     OutboxItem *item)
{
  /* Into the topic the chat shows as the user sends, retries included. */
  item->topic_id = g_strdup (g_hash_table_lookup (self->send_topics, item->event_id));
  if (self->token == NULL)
    {
      g_autoptr (GTask) task = g_object_ref (item->task);

      outbox_item_free (item);
      g_task_return_new_error (task, TTO_CONNECTION_ERROR, TTO_CONNECTION_ERROR_NOT_SIGNED_IN,
                               "No identity");
      return;
    }

  g_queue_push_tail (&self->outbox, item);
  if (self->state == TTO_CONNECTION_STATE_CONNECTED)
    send_outbox_item (self, item);
}

/* As tto_connection_send_message_async(), with @attachment (its blobs
 * uploaded already) and @text a caption, maybe "". */
void
tto_connection_send_attachment_async (TtoConnection *self,
                                      const char *event_id,
                                      const char *client_msg_id,
                                      const char *text,
                                      JsonObject *attachment,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  OutboxItem *item;

  g_return_if_fail (TTO_IS_CONNECTION (self));
  g_return_if_fail (event_id != NULL);
  g_return_if_fail (client_msg_id != NULL);
  g_return_if_fail (attachment != NULL);

  item = g_new0 (OutboxItem, 1);
  item->connection = self;
  item->event_id = g_strdup (event_id);
  item->client_msg_id = g_strdup (client_msg_id);
  item->text = g_strdup (text != NULL ? text : "");
  item->attachment = json_object_ref (attachment);
  item->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (item->task, tto_connection_send_message_async);
  enqueue_outbox_item (self, item);
}

JsonObject *
tto_connection_send_message_finish (TtoConnection *self,
                                    GAsyncResult *result,
                                    GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Remembers the newest seq seen in @event_id, for resume after a reconnect. */
void
tto_connection_watch_event (TtoConnection *self,
                            const char *event_id,
                            gint64 last_seq)
{
  Position *position;

  g_return_if_fail (TTO_IS_CONNECTION (self));
  g_return_if_fail (event_id != NULL);

  position = g_hash_table_lookup (self->watched, event_id);
  if (position == NULL)
    {
      position = g_new0 (Position, 1);
      g_hash_table_insert (self->watched, g_strdup (event_id), position);
    }
  position->seq = MAX (position->seq, last_seq);
}

/* The highest msg.updated useq seen in @event_id (0 if none or unwatched). */
gint64
tto_connection_get_useq (TtoConnection *self,
                         const char *event_id)
{
  Position *position;

  g_return_val_if_fail (TTO_IS_CONNECTION (self), 0);
  g_return_val_if_fail (event_id != NULL, 0);

  position = g_hash_table_lookup (self->watched, event_id);
  return position != NULL ? position->useq : 0;
}

/* Takes over a useq learnt elsewhere (the last_useq of a resume answer). */
void
tto_connection_note_useq (TtoConnection *self,
                          const char *event_id,
                          gint64 useq)
{
  Position *position;

  g_return_if_fail (TTO_IS_CONNECTION (self));
  g_return_if_fail (event_id != NULL);

  position = g_hash_table_lookup (self->watched, event_id);
  if (position != NULL && useq > position->useq)
    position->useq = useq;
}

/* The event ended: stop resuming it and give up its queued messages. */
void
tto_connection_forget_event (TtoConnection *self,
                             const char *event_id)
{
  g_autoptr (GError) error = NULL;

  g_return_if_fail (TTO_IS_CONNECTION (self));
  g_return_if_fail (event_id != NULL);

  g_hash_table_remove (self->watched, event_id);
  error = g_error_new_literal (TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_EXPIRED,
                               "The event has ended");
  fail_outbox (self, event_id, error);
}

guint
tto_connection_get_outbox_length (TtoConnection *self)
{
  g_return_val_if_fail (TTO_IS_CONNECTION (self), 0);

  return self->outbox.length;
}

/* Drops the socket as a lost network would; the connection comes back by
 * itself. */
void
tto_connection_drop (TtoConnection *self)
{
  g_return_if_fail (TTO_IS_CONNECTION (self));

  if (self->ws == NULL)
    return;

  g_object_ref (self->ws);
  {
    g_autoptr (SoupWebsocketConnection) ws = self->ws;

    on_ws_closed (ws, self);
  }
}

/* Closes for good: the identity is forgotten (the relay deletes a one-time
 * identity after its grace period). */
void
tto_connection_close (TtoConnection *self)
{
  g_autoptr (GError) error = NULL;

  g_return_if_fail (TTO_IS_CONNECTION (self));

  self->closed = TRUE;
  g_clear_handle_id (&self->reconnect_source, g_source_remove);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  wipe_token (self);
  error = g_error_new_literal (TTO_CONNECTION_ERROR, TTO_CONNECTION_ERROR_CLOSED,
                               "The connection was closed");
  fail_outbox (self, NULL, error);
  release_socket (self);
  fail_requests (self, error);
  g_hash_table_remove_all (self->watched);
  set_state (self, TTO_CONNECTION_STATE_DISCONNECTED);
}

/* Governance: join review and member management pushes
 *
 * review.new, review.decided, event.removed and member.left reach the
 * session as one signal, "governance-push" (frame type, body); the session's
 * governance block turns them into model changes. */

static guint governance_push_signal;

static void
governance_class_init (GObjectClass *object_class)
{
  governance_push_signal = g_signal_new ("governance-push", G_TYPE_FROM_CLASS (object_class),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                         2, G_TYPE_STRING, JSON_TYPE_OBJECT);
}

static void
emit_governance_push (TtoConnection *self,
                      TtoFrame *frame)
{
  if (tto_frame_is (frame, TTO_FRAME_REVIEW_NEW) || tto_frame_is (frame, TTO_FRAME_REVIEW_DECIDED) ||
      tto_frame_is (frame, TTO_FRAME_EVENT_REMOVED) || tto_frame_is (frame, TTO_FRAME_MEMBER_LEFT))
    g_signal_emit (self, governance_push_signal, 0, frame->type, frame->body);
}

/* Calls: call.ring, call.state, call.offer, call.answer and call.ice pushes
 * reach the call manager (tto-call-manager.c) as one signal, "call-push"
 * (frame type, body), in the order they arrived. */

static guint call_push_signal;

static void
calls_class_init (GObjectClass *object_class)
{
  call_push_signal = g_signal_new ("call-push", G_TYPE_FROM_CLASS (object_class),
                                   G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                   2, G_TYPE_STRING, JSON_TYPE_OBJECT);
}

static void
emit_call_push (TtoConnection *self,
                TtoFrame *frame)
{
  if (frame->body != NULL)
    g_signal_emit (self, call_push_signal, 0, frame->type, frame->body);
}

/* Event flow: flow.updated and points.awarded pushes reach the session's
 * flow block (tto-session.c) as one signal, "flow-push" (frame type, body). */

static guint flow_push_signal;

static void
flow_class_init (GObjectClass *object_class)
{
  flow_push_signal = g_signal_new ("flow-push", G_TYPE_FROM_CLASS (object_class),
                                   G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                   2, G_TYPE_STRING, JSON_TYPE_OBJECT);
}

static void
emit_flow_push (TtoConnection *self,
                TtoFrame *frame)
{
  if (frame->body != NULL)
    g_signal_emit (self, flow_push_signal, 0, frame->type, frame->body);
}

/* Attachments */

/* Uploads and downloads for this identity's events: same relay, same
 * token, same HTTP session. */
TtoBlobTransfer *
tto_connection_get_blob_transfer (TtoConnection *self)
{
  g_return_val_if_fail (TTO_IS_CONNECTION (self), NULL);

  if (self->blobs == NULL)
    self->blobs = tto_blob_transfer_new (self->session, self->url, self->token);
  else
    tto_blob_transfer_set_token (self->blobs, self->token);
  return self->blobs;
}

/* Topics: topic.updated, topic.proposed and topic.decided reach the
 * session as one signal, "topic-push" (frame type, body); messages sent
 * carry the topic set for their event (tto_connection_set_send_topic). */

static guint topic_push_signal;

static void
topics_class_init (GObjectClass *object_class)
{
  topic_push_signal = g_signal_new ("topic-push", G_TYPE_FROM_CLASS (object_class),
                                    G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                    2, G_TYPE_STRING, JSON_TYPE_OBJECT);
}

static void
emit_topic_push (TtoConnection *self,
                 TtoFrame *frame)
{
  if (frame->body != NULL)
    g_signal_emit (self, topic_push_signal, 0, frame->type, frame->body);
}

/* New messages to @event_id go to @topic_id (NULL or "main": the main topic). */
void
tto_connection_set_send_topic (TtoConnection *self,
                               const char *event_id,
                               const char *topic_id)
{
  g_return_if_fail (TTO_IS_CONNECTION (self));
  g_return_if_fail (event_id != NULL);

  if (topic_id == NULL || g_str_equal (topic_id, TTO_TOPIC_MAIN))
    g_hash_table_remove (self->send_topics, event_id);
  else
    g_hash_table_insert (self->send_topics, g_strdup (event_id), g_strdup (topic_id));
}

const char *
tto_connection_get_send_topic (TtoConnection *self,
                               const char *event_id)
{
  const char *topic_id;

  g_return_val_if_fail (TTO_IS_CONNECTION (self), TTO_TOPIC_MAIN);
  g_return_val_if_fail (event_id != NULL, TTO_TOPIC_MAIN);

  topic_id = g_hash_table_lookup (self->send_topics, event_id);
  return topic_id != NULL ? topic_id : TTO_TOPIC_MAIN;
}

/* Certificates: trust on first use (tto-cert-pins.c)
 *
 * libsoup checks the relay's certificate against the system CAs, or only
 * against those in $TTO_CA_FILE when it is set (tests, a private CA). A
 * certificate no CA vouches for raises "accept-certificate": it passes only
 * when it is exactly the one pinned for this host and port, a stronger
 * statement than any chain. Otherwise the open fails with
 * UNTRUSTED_CERTIFICATE (nothing pinned: the person is asked) or
 * CERTIFICATE_CHANGED (another one pinned: refused, with a warning), and
 * "certificate-rejected" is emitted here and on the pins store. Nothing is
 * ever accepted silently. A reconnect refused this way goes on every 15 s
 * without asking again about the same certificate, and at once when the
 * pin for that relay changes. */

static guint certificate_rejected_signal;

static void
certificates_reset (TtoConnection *self)
{
  g_clear_pointer (&self->rejected_host_port, g_free);
  g_clear_pointer (&self->rejected_fingerprint, g_free);
  g_clear_pointer (&self->rejected_pin, g_free);
}

/* Through: the next refusal is news again. */
static void
certificates_opened (TtoConnection *self)
{
  self->quiet_retry = FALSE;
  g_clear_pointer (&self->reported_fingerprint, g_free);
}

static void
certificates_finalize (TtoConnection *self)
{
  certificates_reset (self);
  certificates_opened (self);
}

static gboolean
on_message_accept_certificate (SoupMessage *msg,
                               GTlsCertificate *certificate,
                               GTlsCertificateFlags errors,
                               TtoConnection *self)
{
  g_autofree char *host_port = tto_cert_pins_host_port (soup_message_get_uri (msg));
  g_autofree char *fingerprint = tto_cert_pins_fingerprint (certificate);
  g_autofree char *pinned = NULL;

  if (host_port == NULL || fingerprint == NULL)
    return FALSE;

  pinned = tto_cert_pins_lookup (tto_cert_pins_get_default (), host_port);
  if (pinned != NULL && g_str_equal (pinned, fingerprint))
    return TRUE;

  g_debug ("Refusing the certificate of %s (flags 0x%x, %s)", host_port, errors,
           pinned != NULL ? "another one is pinned" : "not pinned");
  certificates_reset (self);
  self->rejected_host_port = g_steal_pointer (&host_port);
  self->rejected_fingerprint = g_steal_pointer (&fingerprint);
  self->rejected_pin = g_steal_pointer (&pinned);

  return FALSE;
}

/* Every request of this session: the WebSocket and the attachments. */
static void
on_session_request_queued (SoupSession *session,
                           SoupMessage *msg,
                           TtoConnection *self)
{
  g_signal_connect_object (msg, "accept-certificate", G_CALLBACK (on_message_accept_certificate),
                           self, 0);
}

static void
on_pins_changed (TtoCertPins *pins,
                 const char *host_port,
                 TtoConnection *self)
{
  g_autoptr (GUri) uri = NULL;
  g_autofree char *ours = NULL;

  if (!self->quiet_retry)
    return;
  uri = g_uri_parse (self->url, SOUP_HTTP_URI_FLAGS, NULL);
  ours = uri != NULL ? tto_cert_pins_host_port (uri) : NULL;
  if (g_strcmp0 (host_port, ours) != 0)
    return;

  /* The person acted: whatever comes next, they hear of it. */
  self->quiet_retry = FALSE;
  if (self->closed || self->token == NULL || self->ws != NULL)
    return;

  g_clear_handle_id (&self->reconnect_source, g_source_remove);
  self->backoff_ms = BACKOFF_FIRST_MS;
  open_socket (self, on_reconnect_open, NULL);
}

/* The error for an open that failed on a refused certificate, or NULL. */
static GError *
certificates_take_error (TtoConnection *self)
{
  g_autofree char *shown = NULL;
  GError *error;

  if (self->rejected_fingerprint == NULL)
    return NULL;

  shown = tto_cert_pins_format_fingerprint (self->rejected_fingerprint);
  if (self->rejected_pin == NULL)
    error = g_error_new (TTO_CONNECTION_ERROR, TTO_CONNECTION_ERROR_UNTRUSTED_CERTIFICATE,
                         "No trusted authority vouches for the certificate of %s "
                         "(SHA-256 %s); it is not pinned",
                         self->rejected_host_port, shown);
  else
    {
      g_autofree char *pinned = tto_cert_pins_format_fingerprint (self->rejected_pin);

      error = g_error_new (TTO_CONNECTION_ERROR, TTO_CONNECTION_ERROR_CERTIFICATE_CHANGED,
                           "The certificate of %s changed (SHA-256 %s; pinned %s)",
                           self->rejected_host_port, shown, pinned);
    }

  if (!self->quiet_retry || g_strcmp0 (self->reported_fingerprint, self->rejected_fingerprint) != 0)
    {
      g_free (self->reported_fingerprint);
      self->reported_fingerprint = g_strdup (self->rejected_fingerprint);
      g_signal_emit (self, certificate_rejected_signal, 0, self->rejected_host_port,
                     self->rejected_fingerprint, self->rejected_pin);
      tto_cert_pins_report_rejected (tto_cert_pins_get_default (), self->rejected_host_port,
                                     self->rejected_fingerprint, self->rejected_pin);
    }

  return error;
}

static void
certificates_init (TtoConnection *self)
{
  const char *ca_file = g_getenv ("TTO_CA_FILE");

  if (ca_file != NULL && *ca_file != '\0')
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GTlsDatabase) database = g_tls_file_database_new (ca_file, &error);

      /* Without it the system CAs stay: still nothing unchecked. */
      if (database == NULL)
        g_warning ("TTO_CA_FILE is not usable: %s", error->message);
      else
        soup_session_set_tls_database (self->session, database);
    }

  g_signal_connect_object (self->session, "request-queued",
                           G_CALLBACK (on_session_request_queued), self, 0);
  g_signal_connect_object (tto_cert_pins_get_default (), "changed", G_CALLBACK (on_pins_changed),
                           self, 0);
}

static void
certificates_class_init (GObjectClass *object_class)
{
  /* host:port, the refused certificate's SHA-256 (64 lowercase hex
   * digits), the fingerprint pinned there or NULL. */
  certificate_rejected_signal = g_signal_new ("certificate-rejected",
                                              G_TYPE_FROM_CLASS (object_class),
                                              G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                              3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
}
