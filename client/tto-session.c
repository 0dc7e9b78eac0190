/* tto-session.c: what one signed-in identity sees (events and messages)
 *
 * The session turns the connection's answers and pushes into list models
 * the views bind to: every event in one GListStore (with "created by me" and
 * "joined" views of it), and per event a GListStore of messages in seq order
 * with the not yet confirmed ones at its end, a GListStore of members and
 * every member's read position. It also keeps how far the user has read
 * (persisted by TtoReadState) and tells the relay so, at most every 500 ms.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "tto-identity-store.h"
#include "tto-read-state.h"

#include "tto-session.h"

/* receipt.read goes out at most this often per event. */
#define RECEIPT_INTERVAL_MS 500

typedef struct
{
  TtoSession *session; /* unowned */
  char *event_id;
  GListStore *messages; /* TtoMessage: confirmed in seq order, then pending */
  GListStore *members;  /* TtoMember */
  GHashTable *reads;    /* identity id → gint64 * read position */
  gint64 read_seq;      /* the user's own position, as far as this client knows */
  gint64 sent_read_seq; /* the highest position told to the relay */
  guint receipt_source;
  guint unread_mentions;
  gboolean loading;     /* event.get in flight */
} EventState;

struct _TtoSession
{
  GObject parent_instance;

  TtoConnection *connection;
  GListStore *events;
  GtkFilterListModel *created;
  GtkFilterListModel *joined;
  GtkSortListModel *created_sorted;
  GtkSortListModel *joined_sorted;
  GHashTable *states; /* event id → EventState */
  TtoEvent *open_event;
  TtoReadState *read_state;
  TtoIdentity *identity;
};

G_DEFINE_FINAL_TYPE (TtoSession, tto_session, G_TYPE_OBJECT)
G_DEFINE_QUARK (tto-session-error-quark, tto_session_error)

enum
{
  PROP_0,
  PROP_CONNECTION,
  PROP_OPEN_EVENT,
  N_PROPS
};

enum
{
  SEND_FAILED,
  IDENTITY_LOST,
  EVENT_CHANGED,
  RECEIPTS_CHANGED,
  MEMBERS_CHANGED,
  MESSAGE_FOR_ME,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
is_own (TtoSession *self,
        TtoMessage *message)
{
  return g_strcmp0 (tto_message_get_sender_id (message),
                    tto_connection_get_identity_id (self->connection)) == 0;
}

static void
event_state_free (EventState *state)
{
  g_clear_handle_id (&state->receipt_source, g_source_remove);
  /* TtoMessage wipes its text when freed. */
  g_list_store_remove_all (state->messages);
  g_object_unref (state->messages);
  g_object_unref (state->members);
  g_hash_table_unref (state->reads);
  g_free (state->event_id);
  g_free (state);
}

static EventState *
ensure_state (TtoSession *self,
              const char *event_id)
{
  EventState *state = g_hash_table_lookup (self->states, event_id);

  if (state == NULL)
    {
      state = g_new0 (EventState, 1);
      state->session = self;
      state->event_id = g_strdup (event_id);
      state->messages = g_list_store_new (TTO_TYPE_MESSAGE);
      state->members = g_list_store_new (TTO_TYPE_MEMBER);
      state->reads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      if (self->read_state != NULL)
        state->read_seq = tto_read_state_get (self->read_state, event_id);
      g_hash_table_insert (self->states, state->event_id, state);
    }
  return state;
}

static EventState *
lookup_state (TtoSession *self,
              TtoEvent *event)
{
  return g_hash_table_lookup (self->states, tto_event_get_id (event));
}

static GListStore *
ensure_messages (TtoSession *self,
                 const char *event_id)
{
  return ensure_state (self, event_id)->messages;
}

/* Confirmed messages come first, in seq order; pending ones follow. */
static guint
n_confirmed (GListStore *store)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  while (n > 0)
    {
      g_autoptr (TtoMessage) message = g_list_model_get_item (G_LIST_MODEL (store), n - 1);

      if (tto_message_get_state (message) != TTO_MESSAGE_STATE_PENDING)
        break;
      n--;
    }
  return n;
}

/* Binary search in the confirmed prefix; returns TRUE when @seq is there,
 * and in @position where it is or would go. */
static gboolean
find_seq (GListStore *store,
          gint64 seq,
          guint *position)
{
  guint lo = 0;
  guint hi = n_confirmed (store);

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      g_autoptr (TtoMessage) message = g_list_model_get_item (G_LIST_MODEL (store), mid);
      gint64 mid_seq = tto_message_get_seq (message);

      if (mid_seq == seq)
        {
          *position = mid;
          return TRUE;
        }
      if (mid_seq < seq)
        lo = mid + 1;
      else
        hi = mid;
    }

  *position = lo;
  return FALSE;
}

static gboolean
find_message (GListStore *store,
              TtoMessage *message,
              guint *position)
{
  return g_list_store_find (store, message, position);
}

static TtoMessage *
find_pending (GListStore *store,
              const char *client_msg_id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  for (guint i = n_confirmed (store); i < n; i++)
    {
      g_autoptr (TtoMessage) message = g_list_model_get_item (G_LIST_MODEL (store), i);

      if (g_strcmp0 (tto_message_get_client_msg_id (message), client_msg_id) == 0)
        return message;
    }
  return NULL;
}

/* A pending message got its seq: move it among the confirmed ones. */
static void
confirm_message (GListStore *store,
                 TtoMessage *message,
                 const char *msg_id,
                 gint64 seq,
                 gint64 ts)
{
  guint position;
  guint target;

  if (tto_message_get_state (message) != TTO_MESSAGE_STATE_PENDING)
    return;
  if (!find_message (store, message, &position))
    return;

  g_object_ref (message);
  g_list_store_remove (store, position);
  if (find_seq (store, seq, &target))
    {
      /* Already there under its seq (msg.new won the race): keep that one. */
      g_object_unref (message);
      return;
    }
  tto_message_confirm (message, msg_id, seq, ts);
  g_list_store_insert (store, target, message);
  g_object_unref (message);
}

static void
add_event (TtoSession *self,
           TtoEvent *event,
           TtoEvent **out_event)
{
  TtoEvent *known = tto_session_lookup_event (self, tto_event_get_id (event));

  if (known != NULL)
    tto_event_update_from (known, event);
  else
    {
      known = event;
      g_list_store_append (self->events, event);
    }

  ensure_messages (self, tto_event_get_id (known));
  if (!tto_event_get_ended (known))
    tto_connection_watch_event (self->connection, tto_event_get_id (known), 0);

  if (out_event != NULL)
    *out_event = g_object_ref (known);
}

static void
mark_ended (TtoSession *self,
            TtoEvent *event,
            const char *reason)
{
  EventState *state = lookup_state (self, event);

  tto_event_set_ended (event, reason != NULL ? reason : "ended");
  tto_event_set_unread_count (event, 0);
  /* The product's promise: once an event ends its messages are gone, here
   * too. TtoMessage wipes its text when freed. */
  if (state != NULL)
    {
      g_clear_handle_id (&state->receipt_source, g_source_remove);
      g_list_store_remove_all (state->messages);
      g_list_store_remove_all (state->members);
      g_hash_table_remove_all (state->reads);
      state->unread_mentions = 0;
      g_signal_emit (self, signals[EVENT_CHANGED], 0, event);
    }
  if (self->read_state != NULL)
    tto_read_state_forget (self->read_state, tto_event_get_id (event));
  tto_connection_forget_event (self->connection, tto_event_get_id (event));
}

/* Unread and mention counts follow from the read position. */
static void
recount_unread (TtoSession *self,
                TtoEvent *event,
                EventState *state)
{
  GListModel *model = G_LIST_MODEL (state->messages);
  const char *me = tto_connection_get_identity_id (self->connection);
  guint n = n_confirmed (state->messages);
  guint unread = 0;
  guint mentions = 0;
  guint position;

  find_seq (state->messages, state->read_seq + 1, &position);
  for (guint i = position; i < n; i++)
    {
      g_autoptr (TtoMessage) message = g_list_model_get_item (model, i);

      if (tto_message_get_seq (message) <= state->read_seq || is_own (self, message))
        continue;
      unread++;
      if (tto_message_mentions (message, me))
        mentions++;
    }

  if (event == self->open_event)
    unread = mentions = 0;
  tto_event_set_unread_count (event, unread);
  if (state->unread_mentions != mentions)
    {
      state->unread_mentions = mentions;
      g_signal_emit (self, signals[EVENT_CHANGED], 0, event);
    }
}

static void
set_read_position (EventState *state,
                   const char *identity_id,
                   gint64 seq)
{
  gint64 *known = g_hash_table_lookup (state->reads, identity_id);

  if (known != NULL)
    *known = MAX (*known, seq);
  else
    g_hash_table_insert (state->reads, g_strdup (identity_id), g_memdup2 (&seq, sizeof seq));
}

/* Takes over a "reads" object (event.get, resume, receipts.updated). */
static void
merge_reads (TtoSession *self,
             TtoEvent *event,
             JsonObject *reads)
{
  EventState *state = ensure_state (self, tto_event_get_id (event));
  const char *me = tto_connection_get_identity_id (self->connection);
  g_autoptr (GList) ids = json_object_get_members (reads);

  for (GList *l = ids; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (reads, l->data);

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
        continue;
      set_read_position (state, l->data, json_node_get_int (node));
      /* The relay may know better, e.g. after a reconnect. */
      if (g_strcmp0 (l->data, me) == 0 && json_node_get_int (node) > state->read_seq)
        {
          state->read_seq = json_node_get_int (node);
          state->sent_read_seq = MAX (state->sent_read_seq, state->read_seq);
          if (self->read_state != NULL)
            tto_read_state_set (self->read_state, tto_event_get_id (event), state->read_seq);
          recount_unread (self, event, state);
        }
    }
  g_signal_emit (self, signals[RECEIPTS_CHANGED], 0, event);
}

static guint
find_member (GListStore *members,
             const char *identity_id,
             TtoMember **out_member)
{
  GListModel *model = G_LIST_MODEL (members);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (TtoMember) member = g_list_model_get_item (model, i);

      if (g_strcmp0 (tto_member_get_identity_id (member), identity_id) == 0)
        {
          if (out_member != NULL)
            *out_member = member;
          return i;
        }
    }
  return G_MAXUINT;
}

/* Adds @member, or replaces the one with its identity. */
static void
put_member (TtoSession *self,
            TtoEvent *event,
            TtoMember *member)
{
  EventState *state = ensure_state (self, tto_event_get_id (event));
  guint position = find_member (state->members, tto_member_get_identity_id (member), NULL);

  if (position != G_MAXUINT)
    g_list_store_splice (state->members, position, 1, (gpointer *) &member, 1);
  else
    g_list_store_append (state->members, member);

  /* Our own delegated permissions live on the event. */
  if (g_strcmp0 (tto_member_get_identity_id (member),
                 tto_connection_get_identity_id (self->connection)) == 0)
    {
      g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
      g_autoptr (GList) permissions = tto_member_list_permissions (member);
      g_auto (GStrv) names = NULL;

      for (GList *l = permissions; l != NULL; l = l->next)
        g_strv_builder_add (builder, l->data);
      names = g_strv_builder_end (builder);
      tto_event_set_permissions (event, (const char *const *) names);
      g_signal_emit (self, signals[EVENT_CHANGED], 0, event);
    }
}

static TtoMember *
member_from_json (JsonNode *node)
{
  g_autoptr (GError) error = NULL;
  TtoMember *member;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  member = tto_member_new_from_json (json_node_get_object (node), &error);
  if (member == NULL)
    g_message ("Ignoring a malformed member: %s", error->message);
  return member;
}

/* Connection signals */

static gboolean
replies_to_me (TtoSession *self,
               JsonObject *body)
{
  JsonNode *node = json_object_get_member (body, "reply_to");

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
         g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (node),
                                                                "sender_id", NULL),
                    tto_connection_get_identity_id (self->connection)) == 0;
}

static void
on_connection_msg_new (TtoConnection *connection,
                       JsonObject *body,
                       TtoSession *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoMessage) message = NULL;
  TtoMessage *pending;
  TtoEvent *event;
  EventState *state;
  GListStore *store;
  guint position;
  const char *me = tto_connection_get_identity_id (self->connection);

  message = tto_message_new_from_json (body, &error);
  if (message == NULL)
    {
      g_message ("Ignoring a malformed message: %s", error->message);
      return;
    }

  event = tto_session_lookup_event (self, tto_message_get_event_id (message));
  if (event == NULL || tto_event_get_ended (event))
    return;
  state = ensure_state (self, tto_event_get_id (event));
  store = state->messages;

  if (tto_message_get_seq (message) > tto_event_get_last_seq (event))
    tto_event_set_last_seq (event, tto_message_get_seq (message));

  pending = is_own (self, message)
              ? find_pending (store, tto_message_get_client_msg_id (message))
              : NULL;
  if (pending != NULL)
    {
      confirm_message (store, pending, tto_message_get_msg_id (message),
                       tto_message_get_seq (message), tto_message_get_ts (message));
      return;
    }

  /* Resume and retries may bring a message twice: the seq decides. */
  if (find_seq (store, tto_message_get_seq (message), &position))
    return;

  g_list_store_insert (store, position, message);

  if (is_own (self, message) || tto_message_get_seq (message) <= state->read_seq)
    return;

  if (event != self->open_event)
    {
      tto_event_set_unread_count (event, tto_event_get_unread_count (event) + 1);
      if (tto_message_mentions (message, me))
        {
          state->unread_mentions++;
          g_signal_emit (self, signals[EVENT_CHANGED], 0, event);
        }
    }

  if (tto_message_mentions (message, me))
    g_signal_emit (self, signals[MESSAGE_FOR_ME], 0, event, message, TRUE);
  else if (replies_to_me (self, body))
    g_signal_emit (self, signals[MESSAGE_FOR_ME], 0, event, message, FALSE);
}

static void
on_connection_msg_updated (TtoConnection *connection,
                           JsonObject *body,
                           TtoSession *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoMessage) update = NULL;
  TtoEvent *event;
  EventState *state;
  JsonNode *node = json_object_get_member (body, "message");
  guint position;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  update = tto_message_new_from_json (json_node_get_object (node), &error);
  if (update == NULL)
    {
      g_message ("Ignoring a malformed update: %s", error->message);
      return;
    }

  event = tto_session_lookup_event (self, tto_message_get_event_id (update));
  if (event == NULL || tto_event_get_ended (event))
    return;
  state = ensure_state (self, tto_event_get_id (event));

  if (!find_seq (state->messages, tto_message_get_seq (update), &position))
    return; /* not loaded here; resume brings it as it is now */

  {
    g_autoptr (TtoMessage) message = g_list_model_get_item (G_LIST_MODEL (state->messages),
                                                            position);

    tto_message_update_from (message, update);
  }

  if (tto_message_get_recalled (update))
    {
      GListModel *model = G_LIST_MODEL (state->messages);
      const char *msg_id = tto_message_get_msg_id (update);

      /* Quotes of a recalled message lose their excerpt too. */
      for (guint i = position + 1; i < g_list_model_get_n_items (model); i++)
        {
          g_autoptr (TtoMessage) reply = g_list_model_get_item (model, i);

          if (g_strcmp0 (tto_message_get_reply_to_msg_id (reply), msg_id) == 0)
            tto_message_mark_reply_recalled (reply);
        }
      recount_unread (self, event, state);
    }
}

static void
on_connection_receipts_updated (TtoConnection *connection,
                                JsonObject *body,
                                TtoSession *self)
{
  TtoEvent *event;
  JsonNode *reads = json_object_get_member (body, "reads");

  event = tto_session_lookup_event (self,
                                    json_object_get_string_member_with_default (body, "event_id",
                                                                                NULL));
  if (event == NULL || tto_event_get_ended (event) || reads == NULL ||
      !JSON_NODE_HOLDS_OBJECT (reads))
    return;

  merge_reads (self, event, json_node_get_object (reads));
}

static void
on_connection_event_updated (TtoConnection *connection,
                             JsonObject *body,
                             TtoSession *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoEvent) update = NULL;
  JsonNode *node = json_object_get_member (body, "event");
  TtoEvent *event;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  update = tto_event_new_from_json (json_node_get_object (node), &error);
  if (update == NULL)
    {
      g_message ("Ignoring a malformed event: %s", error->message);
      return;
    }

  event = tto_session_lookup_event (self, tto_event_get_id (update));
  if (event == NULL || tto_event_get_ended (event))
    return;
  tto_event_update_from (event, update);
  g_signal_emit (self, signals[EVENT_CHANGED], 0, event);
}

static void
on_connection_member_updated (TtoConnection *connection,
                              JsonObject *body,
                              TtoSession *self)
{
  g_autoptr (TtoMember) member = NULL;
  TtoEvent *event;

  event = tto_session_lookup_event (self,
                                    json_object_get_string_member_with_default (body, "event_id",
                                                                                NULL));
  if (event == NULL || tto_event_get_ended (event))
    return;
  member = member_from_json (json_object_get_member (body, "member"));
  if (member == NULL)
    return;

  put_member (self, event, member);
  g_signal_emit (self, signals[MEMBERS_CHANGED], 0, event);
}

static void
on_connection_member_joined (TtoConnection *connection,
                             JsonObject *body,
                             TtoSession *self)
{
  g_autoptr (TtoMember) member = NULL;
  TtoEvent *event;
  gint64 count;

  event = tto_session_lookup_event (self,
                                    json_object_get_string_member_with_default (body, "event_id",
                                                                                ""));
  if (event == NULL)
    return;

  count = json_object_get_int_member_with_default (body, "member_count", 0);
  if (count > 0)
    tto_event_set_member_count (event, (guint) MIN (count, G_MAXUINT));

  member = member_from_json (json_object_get_member (body, "member"));
  if (member != NULL)
    {
      put_member (self, event, member);
      g_signal_emit (self, signals[MEMBERS_CHANGED], 0, event);
      g_signal_emit (self, signals[RECEIPTS_CHANGED], 0, event);
    }
}

static void
on_connection_event_ended (TtoConnection *connection,
                           const char *event_id,
                           const char *reason,
                           TtoSession *self)
{
  TtoEvent *event = tto_session_lookup_event (self, event_id);

  if (event != NULL)
    mark_ended (self, event, reason);
}

static void
on_event_list_ready (GObject *object,
                     GAsyncResult *result,
                     gpointer user_data);

static void
on_connection_resumed (TtoConnection *connection,
                       JsonObject *events,
                       TtoSession *self)
{
  g_autoptr (GList) ids = json_object_get_members (events);

  for (GList *l = ids; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (events, l->data);
      TtoEvent *event = tto_session_lookup_event (self, l->data);
      const char *state;

      JsonObject *answer;
      JsonNode *reads;

      if (event == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        continue;
      answer = json_node_get_object (node);
      state = json_object_get_string_member_with_default (answer, "state", "active");
      if (!g_str_equal (state, "active"))
        {
          mark_ended (self, event, state);
          continue;
        }
      tto_connection_note_useq (self->connection, l->data,
                                json_object_get_int_member_with_default (answer, "last_useq", 0));
      reads = json_object_get_member (answer, "reads");
      if (reads != NULL && JSON_NODE_HOLDS_OBJECT (reads))
        merge_reads (self, event, json_node_get_object (reads));
    }

  /* Member counts may have changed while away. */
  tto_connection_request_async (self->connection, TTO_FRAME_EVENT_LIST, NULL, NULL,
                                on_event_list_ready, g_object_ref (self));
}

static void
on_connection_identity_lost (TtoConnection *connection,
                             TtoSession *self)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->events)); i++)
    {
      g_autoptr (TtoEvent) event = g_list_model_get_item (G_LIST_MODEL (self->events), i);

      mark_ended (self, event, "creator_left");
    }
  g_signal_emit (self, signals[IDENTITY_LOST], 0);
}

/* GObject */

static gboolean
filter_created (gpointer item,
                gpointer user_data)
{
  return tto_event_is_creator (item);
}

static gboolean
filter_joined (gpointer item,
               gpointer user_data)
{
  return !tto_event_is_creator (item);
}

static int
sort_newest_first (gconstpointer a,
                   gconstpointer b,
                   gpointer user_data)
{
  gint64 ta = tto_event_get_created_at ((TtoEvent *) a);
  gint64 tb = tto_event_get_created_at ((TtoEvent *) b);

  return ta < tb ? 1 : ta > tb ? -1 : 0;
}

static void governance_attach (TtoSession *self);
static void flow_attach (TtoSession *self);
static void topics_attach (TtoSession *self);
static void governance_class_init (GObjectClass *object_class);

static void
tto_session_constructed (GObject *object)
{
  TtoSession *self = (TtoSession *) object;

  G_OBJECT_CLASS (tto_session_parent_class)->constructed (object);

  g_signal_connect_object (self->connection, "msg-new", G_CALLBACK (on_connection_msg_new),
                           self, 0);
  g_signal_connect_object (self->connection, "member-joined",
                           G_CALLBACK (on_connection_member_joined), self, 0);
  g_signal_connect_object (self->connection, "msg-updated",
                           G_CALLBACK (on_connection_msg_updated), self, 0);
  g_signal_connect_object (self->connection, "receipts-updated",
                           G_CALLBACK (on_connection_receipts_updated), self, 0);
  g_signal_connect_object (self->connection, "event-updated",
                           G_CALLBACK (on_connection_event_updated), self, 0);
  g_signal_connect_object (self->connection, "member-updated",
                           G_CALLBACK (on_connection_member_updated), self, 0);
  g_signal_connect_object (self->connection, "event-ended",
                           G_CALLBACK (on_connection_event_ended), self, 0);
  g_signal_connect_object (self->connection, "resumed", G_CALLBACK (on_connection_resumed),
                           self, 0);
  g_signal_connect_object (self->connection, "identity-lost",
                           G_CALLBACK (on_connection_identity_lost), self, 0);
  governance_attach (self); /* governance block at the end of this file */
  flow_attach (self);       /* flow block at the end of this file */
  topics_attach (self);     /* topics block at the end of this file */
}

static void
tto_session_dispose (GObject *object)
{
  TtoSession *self = (TtoSession *) object;

  if (self->connection != NULL)
    tto_connection_close (self->connection);
  g_clear_object (&self->connection);
  g_clear_object (&self->created_sorted);
  g_clear_object (&self->joined_sorted);
  g_clear_object (&self->created);
  g_clear_object (&self->joined);
  g_clear_object (&self->open_event);
  if (self->states != NULL)
    g_hash_table_remove_all (self->states);
  g_clear_object (&self->read_state);
  if (self->identity != NULL)
    tto_identity_unwatch (self->identity);
  g_clear_object (&self->identity);

  G_OBJECT_CLASS (tto_session_parent_class)->dispose (object);
}

static void
tto_session_finalize (GObject *object)
{
  TtoSession *self = (TtoSession *) object;

  g_clear_object (&self->events);
  g_clear_pointer (&self->states, g_hash_table_unref);

  G_OBJECT_CLASS (tto_session_parent_class)->finalize (object);
}

static void
tto_session_get_property (GObject *object,
                          guint prop_id,
                          GValue *value,
                          GParamSpec *pspec)
{
  TtoSession *self = TTO_SESSION (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_OPEN_EVENT:
      g_value_set_object (value, self->open_event);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_session_set_property (GObject *object,
                          guint prop_id,
                          const GValue *value,
                          GParamSpec *pspec)
{
  TtoSession *self = TTO_SESSION (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      self->connection = g_value_dup_object (value);
      break;
    case PROP_OPEN_EVENT:
      tto_session_set_open_event (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_session_class_init (TtoSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = tto_session_constructed;
  object_class->dispose = tto_session_dispose;
  object_class->finalize = tto_session_finalize;
  object_class->get_property = tto_session_get_property;
  object_class->set_property = tto_session_set_property;

  properties[PROP_CONNECTION] = g_param_spec_object ("connection", NULL, NULL,
                                                     TTO_TYPE_CONNECTION,
                                                     G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                                       G_PARAM_STATIC_STRINGS);
  properties[PROP_OPEN_EVENT] = g_param_spec_object ("open-event", NULL, NULL, TTO_TYPE_EVENT,
                                                     G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                                       G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A message the relay refused (TtoMessage, GError); it is taken out of the
   * list. */
  signals[SEND_FAILED] = g_signal_new ("send-failed", G_TYPE_FROM_CLASS (klass),
                                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                       TTO_TYPE_MESSAGE, G_TYPE_ERROR);
  /* The relay deleted our one-time identity (we were away too long). */
  signals[IDENTITY_LOST] = g_signal_new ("identity-lost", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* Something not carried by the event's properties changed: permissions,
   * unread mentions, windows. */
  signals[EVENT_CHANGED] = g_signal_new ("event-changed", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                         TTO_TYPE_EVENT);
  /* Read positions of the event's members changed. */
  signals[RECEIPTS_CHANGED] = g_signal_new ("receipts-changed", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                            1, TTO_TYPE_EVENT);
  /* The member list of the event changed. */
  signals[MEMBERS_CHANGED] = g_signal_new ("members-changed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                           1, TTO_TYPE_EVENT);
  /* A new message mentions the user (TRUE) or replies to them (FALSE). */
  signals[MESSAGE_FOR_ME] = g_signal_new ("message-for-me", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                          TTO_TYPE_EVENT, TTO_TYPE_MESSAGE, G_TYPE_BOOLEAN);
  governance_class_init (object_class);
}

static void
tto_session_init (TtoSession *self)
{
  self->events = g_list_store_new (TTO_TYPE_EVENT);
  self->states = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) event_state_free);
  self->read_state = tto_read_state_new (g_getenv ("TTO_READ_STATE_FILE"));

  self->created = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->events)),
                                             GTK_FILTER (gtk_custom_filter_new (filter_created,
                                                                                NULL, NULL)));
  self->joined = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->events)),
                                            GTK_FILTER (gtk_custom_filter_new (filter_joined,
                                                                               NULL, NULL)));
  self->created_sorted =
    gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->created)),
                             GTK_SORTER (gtk_custom_sorter_new (sort_newest_first, NULL, NULL)));
  self->joined_sorted =
    gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->joined)),
                             GTK_SORTER (gtk_custom_sorter_new (sort_newest_first, NULL, NULL)));
}

/* Public API */

TtoSession *
tto_session_new (const char *relay_url)
{
  g_autoptr (TtoConnection) connection = NULL;

  g_return_val_if_fail (relay_url != NULL, NULL);

  connection = tto_connection_new (relay_url);
  return g_object_new (TTO_TYPE_SESSION, "connection", connection, NULL);
}

TtoConnection *
tto_session_get_connection (TtoSession *self)
{
  g_return_val_if_fail (TTO_IS_SESSION (self), NULL);

  return self->connection;
}

const char *
tto_session_get_identity_id (TtoSession *self)
{
  g_return_val_if_fail (TTO_IS_SESSION (self), NULL);

  return tto_connection_get_identity_id (self->connection);
}

GListModel *
tto_session_get_events (TtoSession *self)
{
  g_return_val_if_fail (TTO_IS_SESSION (self), NULL);

  return G_LIST_MODEL (self->events);
}

GListModel *
tto_session_get_created_events (TtoSession *self)
{
  g_return_val_if_fail (TTO_IS_SESSION (self), NULL);

  return G_LIST_MODEL (self->created_sorted);
}

GListModel *
tto_session_get_joined_events (TtoSession *self)
{
  g_return_val_if_fail (TTO_IS_SESSION (self), NULL);

  return G_LIST_MODEL (self->joined_sorted);
}

TtoEvent *
tto_session_lookup_event (TtoSession *self,
                          const char *event_id)
{
  GListModel *model;

  g_return_val_if_fail (TTO_IS_SESSION (self), NULL);

  if (event_id == NULL)
    return NULL;

  model = G_LIST_MODEL (self->events);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (TtoEvent) event = g_list_model_get_item (model, i);

      if (g_str_equal (tto_event_get_id (event), event_id))
        return event; /* the store keeps it alive */
    }
  return NULL;
}

/* The messages of @event, oldest first, pending ones last. */
GListModel *
tto_session_get_messages (TtoSession *self,
                          TtoEvent *event)
{
  g_return_val_if_fail (TTO_IS_SESSION (self), NULL);
  g_return_val_if_fail (TTO_IS_EVENT (event), NULL);

  return G_LIST_MODEL (ensure_messages (self, tto_event_get_id (event)));
}

TtoEvent *
tto_session_get_open_event (TtoSession *self)
{
  g_return_val_if_fail (TTO_IS_SESSION (self), NULL);

  return self->open_event;
}

/* The event whose chat is on screen: its messages do not count as unread. */
void
tto_session_set_open_event (TtoSession *self,
                            TtoEvent *event)
{
  g_autoptr (TtoEvent) left = NULL;

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (event == NULL || TTO_IS_EVENT (event));

  if (self->open_event == event)
    return;

  left = g_steal_pointer (&self->open_event);
  self->open_event = event != NULL ? g_object_ref (event) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPEN_EVENT]);
  if (event != NULL)
    {
      EventState *state = ensure_state (self, tto_event_get_id (event));

      recount_unread (self, event, state);
    }
  /* What arrived while the window was not focused is still unread. */
  if (left != NULL && !tto_event_get_ended (left))
    recount_unread (self, left, ensure_state (self, tto_event_get_id (left)));
}

static void
merge_events (TtoSession *self,
              JsonObject *body,
              const char *member)
{
  JsonArray *array;

  if (!json_object_has_member (body, member) ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (body, member)))
    return;

  array = json_object_get_array_member (body, member);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autoptr (TtoEvent) event = NULL;
      g_autoptr (GError) error = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      event = tto_event_new_from_json (json_node_get_object (node), &error);
      if (event == NULL)
        {
          g_message ("Ignoring a malformed event: %s", error->message);
          continue;
        }
      add_event (self, event, NULL);
    }
}

static void
on_event_list_ready (GObject *object,
                     GAsyncResult *result,
                     gpointer user_data)
{
  g_autoptr (TtoSession) self = NULL;
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;

  if (G_IS_TASK (user_data))
    {
      task = user_data;
      self = g_object_ref (g_task_get_source_object (task));
    }
  else
    self = user_data;

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (body == NULL)
    {
      if (task != NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_debug ("Could not refresh the event list: %s", error->message);
      return;
    }

  merge_events (self, body, "created");
  merge_events (self, body, "joined");
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
}

static void
on_identity_created (GObject *object,
                     GAsyncResult *result,
                     gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  TtoSession *self = g_task_get_source_object (task);
  GCancellable *cancellable;

  if (!tto_connection_create_identity_finish (TTO_CONNECTION (object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (self->identity == NULL)
    {
      g_autoptr (JsonObject) body = json_object_new ();

      /* One-time: the name is all there is (identity lifetimes). */
      json_object_set_string_member (body, "identity_id",
                                     tto_connection_get_identity_id (self->connection));
      json_object_set_string_member (body, "display_name",
                                     tto_connection_get_display_name (self->connection));
      json_object_set_string_member (body, "kind", TTO_IDENTITY_ONE_TIME);
      self->identity = tto_identity_new_from_json (body, tto_connection_get_url (self->connection),
                                                   TTO_IDENTITY_METHOD_NAME);
    }
  cancellable = g_task_get_cancellable (task);
  tto_connection_request_async (self->connection, TTO_FRAME_EVENT_LIST, NULL, cancellable,
                                on_event_list_ready, g_steal_pointer (&task));
}

/* Connects to the relay and creates a one-time identity. */
void
tto_session_sign_in_async (TtoSession *self,
                           const char *display_name,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *name = NULL;

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (display_name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_session_sign_in_async);

  name = g_strstrip (g_strdup (display_name));
  if (*name == '\0')
    {
      g_task_return_new_error (task, TTO_SESSION_ERROR, TTO_SESSION_ERROR_EMPTY_NAME,
                               "The display name is empty");
      return;
    }
  if (g_utf8_strlen (name, -1) > TTO_PROTOCOL_MAX_NAME_CHARS)
    {
      g_task_return_new_error (task, TTO_SESSION_ERROR, TTO_SESSION_ERROR_NAME_TOO_LONG,
                               "The display name is too long");
      return;
    }

  tto_connection_create_identity_async (self->connection, name, cancellable,
                                        on_identity_created, g_steal_pointer (&task));
}

gboolean
tto_session_sign_in_finish (TtoSession *self,
                            GAsyncResult *result,
                            GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_event_answer (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;
  g_autoptr (TtoEvent) event = NULL;
  TtoEvent *known = NULL;
  TtoSession *self = g_task_get_source_object (task);
  gboolean is_join = g_task_get_source_tag (task) == tto_session_join_event_async;
  gboolean was_known;

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!json_object_has_member (body, "event") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (body, "event")))
    {
      g_task_return_new_error (task, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                               "answer lacks the event");
      return;
    }

  event = tto_event_new_from_json (json_object_get_object_member (body, "event"), &error);
  if (event == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  was_known = tto_session_lookup_event (self, tto_event_get_id (event)) != NULL;
  add_event (self, event, &known);

  /* A new member sees what was said before it came. */
  if (is_join && !was_known && tto_event_get_last_seq (known) > 0)
    {
      JsonObject *resume = json_object_new ();
      JsonObject *events = json_object_new ();

      json_object_set_int_member (events, tto_event_get_id (known), 0);
      json_object_set_object_member (resume, "events", events);
      tto_connection_request_async (self->connection, TTO_FRAME_RESUME, resume, NULL, NULL,
                                    NULL);
    }

  g_task_return_pointer (task, known, g_object_unref);
}

/* @deadline: seconds since the epoch, or 0 for none; @edit_window and
 * @recall_window: seconds (0–86,400), or -1 for the relay's default. */
void
tto_session_create_event_async (TtoSession *self,
                                const char *title,
                                const char *content,
                                const char *announcement,
                                gint64 deadline,
                                int edit_window,
                                int recall_window,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *clean_title = NULL;
  JsonObject *body;

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (title != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_session_create_event_async);

  clean_title = g_strstrip (g_strdup (title));
  if (*clean_title == '\0')
    {
      g_task_return_new_error (task, TTO_SESSION_ERROR, TTO_SESSION_ERROR_EMPTY_TITLE,
                               "The title is empty");
      return;
    }
  if (g_utf8_strlen (clean_title, -1) > TTO_PROTOCOL_MAX_TITLE_CHARS)
    {
      g_task_return_new_error (task, TTO_SESSION_ERROR, TTO_SESSION_ERROR_TITLE_TOO_LONG,
                               "The title is too long");
      return;
    }
  if (content != NULL && g_utf8_strlen (content, -1) > TTO_PROTOCOL_MAX_CONTENT_CHARS)
    {
      g_task_return_new_error (task, TTO_SESSION_ERROR, TTO_SESSION_ERROR_CONTENT_TOO_LONG,
                               "The content is too long");
      return;
    }
  if (announcement != NULL &&
      g_utf8_strlen (announcement, -1) > TTO_PROTOCOL_MAX_ANNOUNCEMENT_CHARS)
    {
      g_task_return_new_error (task, TTO_SESSION_ERROR,
                               TTO_SESSION_ERROR_ANNOUNCEMENT_TOO_LONG,
                               "The announcement is too long");
      return;
    }
  if (deadline != 0 && deadline <= g_get_real_time () / G_USEC_PER_SEC)
    {
      g_task_return_new_error (task, TTO_SESSION_ERROR, TTO_SESSION_ERROR_DEADLINE_PASSED,
                               "The deadline has passed");
      return;
    }

  body = json_object_new ();
  json_object_set_string_member (body, "title", clean_title);
  if (content != NULL && *content != '\0')
    json_object_set_string_member (body, "content", content);
  if (announcement != NULL && *announcement != '\0')
    json_object_set_string_member (body, "announcement", announcement);
  if (deadline != 0)
    json_object_set_int_member (body, "deadline", deadline);
  json_object_set_string_member (body, "admission", "open");
  if (edit_window >= 0)
    json_object_set_int_member (body, "edit_window", MIN (edit_window,
                                                          TTO_PROTOCOL_MAX_WINDOW_SECONDS));
  if (recall_window >= 0)
    json_object_set_int_member (body, "recall_window", MIN (recall_window,
                                                            TTO_PROTOCOL_MAX_WINDOW_SECONDS));

  tto_connection_request_async (self->connection, TTO_FRAME_EVENT_CREATE, body, cancellable,
                                on_event_answer, g_steal_pointer (&task));
}

TtoEvent *
tto_session_create_event_finish (TtoSession *self,
                                 GAsyncResult *result,
                                 GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* @invite_code: as typed; any case, spaces and dashes. The same join as
 * tto_session_join_with_reason_async(), without a reason. */
void
tto_session_join_event_async (TtoSession *self,
                              const char *invite_code,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  tto_session_join_with_reason_async (self, invite_code, NULL, cancellable, callback, user_data);
}

TtoEvent *
tto_session_join_event_finish (TtoSession *self,
                               GAsyncResult *result,
                               GError **error)
{
  return tto_session_join_with_reason_finish (self, result, NULL, error);
}

static void
on_end_answer (GObject *object,
               GAsyncResult *result,
               gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;
  TtoSession *self = g_task_get_source_object (task);
  TtoEvent *event = g_task_get_task_data (task);

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (body == NULL && !g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_NOT_FOUND))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Normally event.ended came first; not_found means it is gone already. */
  mark_ended (self, event, "ended");
  g_task_return_boolean (task, TRUE);
}

void
tto_session_end_event_async (TtoSession *self,
                             TtoEvent *event,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  JsonObject *body;

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (TTO_IS_EVENT (event));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_session_end_event_async);
  g_task_set_task_data (task, g_object_ref (event), g_object_unref);

  if (tto_event_get_ended (event))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  body = json_object_new ();
  json_object_set_string_member (body, "event_id", tto_event_get_id (event));
  tto_connection_request_async (self->connection, TTO_FRAME_EVENT_END, body, cancellable,
                                on_end_answer, g_steal_pointer (&task));
}

gboolean
tto_session_end_event_finish (TtoSession *self,
                              GAsyncResult *result,
                              GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  GWeakRef session;
  TtoMessage *message;
} SendData;

static void
send_data_free (SendData *data)
{
  g_weak_ref_clear (&data->session);
  g_object_unref (data->message);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SendData, send_data_free)

static void
on_message_sent (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (SendData) data = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;
  g_autoptr (TtoSession) self = NULL;
  TtoMessage *message = data->message;
  GListStore *store;
  guint position;

  body = tto_connection_send_message_finish (TTO_CONNECTION (object), result, &error);
  self = g_weak_ref_get (&data->session);
  if (self == NULL || self->states == NULL)
    return;
  store = g_hash_table_contains (self->states, tto_message_get_event_id (message))
            ? ensure_messages (self, tto_message_get_event_id (message))
            : NULL;
  if (store == NULL)
    return;

  if (body != NULL)
    {
      confirm_message (store, message,
                       json_object_get_string_member_with_default (body, "msg_id", NULL),
                       json_object_get_int_member_with_default (body, "seq", 0),
                       json_object_get_int_member_with_default (body, "ts", 0));
      return;
    }

  if (find_message (store, message, &position))
    g_list_store_remove (store, position);
  if (!g_error_matches (error, TTO_CONNECTION_ERROR, TTO_CONNECTION_ERROR_CLOSED))
    g_signal_emit (self, signals[SEND_FAILED], 0, message, error);
}

/* Shows @text at once as a pending message and queues it for the relay.
 * Returns the pending message (owned by the list). */
TtoMessage *
tto_session_send_message (TtoSession *self,
                          TtoEvent *event,
                          const char *text,
                          GError **error)
{
  return tto_session_send_message_full (self, event, text, NULL, NULL, error);
}

/* As tto_session_send_message(), quoting @reply_to (or NULL) and
 * mentioning @mentions (identity ids or "all", or NULL). */
TtoMessage *
tto_session_send_message_full (TtoSession *self,
                               TtoEvent *event,
                               const char *text,
                               TtoMessage *reply_to,
                               const char *const *mentions,
                               GError **error)
{
  g_autoptr (TtoMessage) message = NULL;
  g_autofree char *client_msg_id = NULL;
  SendData *data;
  GListStore *store;
  glong length;

  g_return_val_if_fail (TTO_IS_SESSION (self), NULL);
  g_return_val_if_fail (TTO_IS_EVENT (event), NULL);
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (reply_to == NULL || TTO_IS_MESSAGE (reply_to), NULL);

  if (tto_event_get_ended (event))
    {
      g_set_error_literal (error, TTO_SESSION_ERROR, TTO_SESSION_ERROR_EVENT_ENDED,
                           "The event has ended");
      return NULL;
    }
  if (reply_to != NULL &&
      (tto_message_get_msg_id (reply_to) == NULL || tto_message_get_recalled (reply_to)))
    {
      g_set_error_literal (error, TTO_SESSION_ERROR, TTO_SESSION_ERROR_RECALLED,
                           "The quoted message was recalled or is not sent yet");
      return NULL;
    }

  length = g_utf8_strlen (text, -1);
  {
    g_autofree char *trimmed = g_strstrip (g_strdup (text));
    gboolean empty = *trimmed == '\0';

    tto_str_wipe_free (g_steal_pointer (&trimmed));
    if (empty)
      {
        g_set_error_literal (error, TTO_SESSION_ERROR, TTO_SESSION_ERROR_EMPTY_MESSAGE,
                             "The message is empty");
        return NULL;
      }
  }
  if (length > TTO_PROTOCOL_MAX_TEXT_CHARS)
    {
      g_set_error_literal (error, TTO_SESSION_ERROR, TTO_SESSION_ERROR_MESSAGE_TOO_LONG,
                           "The message is too long");
      return NULL;
    }

  client_msg_id = g_uuid_string_random ();
  message = tto_message_new_pending (tto_event_get_id (event), client_msg_id,
                                     tto_connection_get_identity_id (self->connection),
                                     tto_connection_get_display_name (self->connection), text,
                                     g_get_real_time () / 1000);
  tto_message_set_topic_id (message, tto_connection_get_send_topic (self->connection,
                                                                    tto_event_get_id (event)));
  if (reply_to != NULL)
    {
      g_autofree char *excerpt = tto_message_make_excerpt (tto_message_get_text (reply_to));

      tto_message_set_reply_to (message, tto_message_get_msg_id (reply_to),
                                tto_message_get_seq (reply_to),
                                tto_message_get_sender_id (reply_to),
                                tto_message_get_sender_name (reply_to), excerpt, FALSE);
      tto_str_wipe_free (g_steal_pointer (&excerpt));
    }
  if (mentions != NULL && mentions[0] != NULL)
    tto_message_set_mentions (message, mentions);
  store = ensure_messages (self, tto_event_get_id (event));
  g_list_store_append (store, message);

  data = g_new0 (SendData, 1);
  g_weak_ref_init (&data->session, self);
  data->message = g_object_ref (message);
  tto_connection_send_message_async (self->connection, tto_event_get_id (event), client_msg_id,
                                     text,
                                     reply_to != NULL ? tto_message_get_msg_id (reply_to) : NULL,
                                     mentions, NULL, on_message_sent, data);

  return message;
}

/* Forgets the identity; the relay deletes it after its grace period. */
void
tto_session_sign_out (TtoSession *self)
{
  g_return_if_fail (TTO_IS_SESSION (self));

  tto_connection_close (self->connection);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->events)); i++)
    {
      g_autoptr (TtoEvent) event = g_list_model_get_item (G_LIST_MODEL (self->events), i);
      EventState *state = lookup_state (self, event);

      if (state != NULL)
        {
          g_clear_handle_id (&state->receipt_source, g_source_remove);
          g_list_store_remove_all (state->messages);
          g_list_store_remove_all (state->members);
        }
    }
  g_list_store_remove_all (self->events);
  tto_session_set_open_event (self, NULL);
}

/* Signing this device out on the relay (identity.sign_out): the relay
 * revokes this connection's token, answers, then closes the connection
 * (1000, "signed out"). Only after the answer does the device forget the
 * token (keyring, memory); without it nothing is forgotten, so the person
 * can try again or choose to forget it anyway. */

/* A dead link is noticed by the connection's ping only after ~50 s. */
#define SIGN_OUT_TIMEOUT_SECONDS 15

typedef struct
{
  char *relay_url;
  guint timeout_source;
  gboolean done; /* the task returned (timed out) */
} SignOutData;

static void
sign_out_data_free (SignOutData *data)
{
  g_clear_handle_id (&data->timeout_source, g_source_remove);
  g_free (data->relay_url);
  g_free (data);
}

static gboolean
on_sign_out_timeout (gpointer user_data)
{
  GTask *task = user_data;
  SignOutData *data = g_task_get_task_data (task);

  data->timeout_source = 0;
  data->done = TRUE;
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           _("The relay did not answer in time."));
  return G_SOURCE_REMOVE;
}

static void
on_sign_out_keyring_cleared (GObject *object,
                             GAsyncResult *result,
                             gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;

  /* The relay revoked the token already: an item left behind holds a dead
   * token, which the next start finds refused and deletes. */
  if (!tto_identity_store_clear_finish (result, &error))
    g_message ("Could not delete the stored identity: %s", error->message);
  g_task_return_boolean (task, TRUE);
}

static void
on_signed_out (GObject *object,
               GAsyncResult *result,
               gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  TtoSession *self = g_task_get_source_object (task);
  SignOutData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  /* A late answer after the timeout: the connection's reconnect meets the
   * revoked token and reports the identity lost. */
  if (data->done)
    return;
  g_clear_handle_id (&data->timeout_source, g_source_remove);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Closed here before the relay closes it, so it never reconnects with
   * the revoked token. */
  tto_session_sign_out (self);
  if (self->identity != NULL)
    tto_identity_set_token (self->identity, NULL);
  tto_identity_store_clear_async (data->relay_url, NULL, on_sign_out_keyring_cleared,
                                  g_steal_pointer (&task));
}

void
tto_session_sign_out_async (TtoSession *self,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  SignOutData *data;
  const char *relay_url = NULL;

  g_return_if_fail (TTO_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_session_sign_out_async);
  if (self->identity != NULL)
    relay_url = tto_identity_get_relay_url (self->identity);
  if (relay_url == NULL)
    relay_url = tto_connection_get_url (self->connection);
  data = g_new0 (SignOutData, 1);
  data->relay_url = g_strdup (relay_url);
  g_task_set_task_data (task, data, (GDestroyNotify) sign_out_data_free);
  data->timeout_source = g_timeout_add_seconds (SIGN_OUT_TIMEOUT_SECONDS, on_sign_out_timeout,
                                                task);
  tto_connection_request_async (self->connection, TTO_FRAME_IDENTITY_SIGN_OUT, NULL, NULL,
                                on_signed_out, g_steal_pointer (&task));
}

/* TRUE once the relay revoked this device's token and the device forgot it;
 * on error nothing was forgotten. */
gboolean
tto_session_sign_out_finish (TtoSession *self,
                             GAsyncResult *result,
                             GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Members and read receipts */

GListModel *
tto_session_get_members (TtoSession *self,
                         TtoEvent *event)
{
  g_return_val_if_fail (TTO_IS_SESSION (self), NULL);
  g_return_val_if_fail (TTO_IS_EVENT (event), NULL);

  return G_LIST_MODEL (ensure_state (self, tto_event_get_id (event))->members);
}

/* The member, or NULL if the session does not know it (yet). */
TtoMember *
tto_session_lookup_member (TtoSession *self,
                           TtoEvent *event,
                           const char *identity_id)
{
  TtoMember *member = NULL;

  g_return_val_if_fail (TTO_IS_SESSION (self), NULL);
  g_return_val_if_fail (TTO_IS_EVENT (event), NULL);

  if (identity_id == NULL)
    return NULL;
  find_member (ensure_state (self, tto_event_get_id (event))->members, identity_id, &member);
  return member; /* the store keeps it */
}

static void
on_event_get_ready (GObject *object,
                    GAsyncResult *result,
                    gpointer user_data)
{
  g_autoptr (TtoSession) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;
  g_autoptr (TtoEvent) update = NULL;
  TtoEvent *event;
  EventState *state;
  JsonNode *node;

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (body == NULL)
    {
      g_debug ("Could not load the event: %s", error->message);
      return;
    }

  node = json_object_get_member (body, "event");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  update = tto_event_new_from_json (json_node_get_object (node), &error);
  if (update == NULL)
    return;
  event = tto_session_lookup_event (self, tto_event_get_id (update));
  if (event == NULL || tto_event_get_ended (event))
    return;
  tto_event_update_from (event, update);
  state = ensure_state (self, tto_event_get_id (event));
  state->loading = FALSE;

  node = json_object_get_member (body, "members");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      g_autoptr (GPtrArray) members = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          TtoMember *member = member_from_json (json_array_get_element (array, i));

          if (member != NULL)
            g_ptr_array_add (members, member);
        }
      g_list_store_remove_all (state->members);
      for (guint i = 0; i < members->len; i++)
        put_member (self, event, g_ptr_array_index (members, i));
      g_signal_emit (self, signals[MEMBERS_CHANGED], 0, event);
    }

  node = json_object_get_member (body, "reads");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    merge_reads (self, event, json_node_get_object (node));
  g_signal_emit (self, signals[EVENT_CHANGED], 0, event);
}

/* Asks the relay for the event, its members and their read positions. */
void
tto_session_load_event (TtoSession *self,
                        TtoEvent *event)
{
  EventState *state;
  JsonObject *body;

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (TTO_IS_EVENT (event));

  state = ensure_state (self, tto_event_get_id (event));
  if (state->loading || tto_event_get_ended (event) ||
      tto_connection_get_state (self->connection) != TTO_CONNECTION_STATE_CONNECTED)
    return;

  state->loading = TRUE;
  body = json_object_new ();
  json_object_set_string_member (body, "event_id", tto_event_get_id (event));
  tto_connection_request_async (self->connection, TTO_FRAME_EVENT_GET, body, NULL,
                                on_event_get_ready, g_object_ref (self));
  tto_session_load_flow (self, event);
  tto_session_load_topics (self, event);
}

/* @identity_id's read position in @event (0 if unknown). */
gint64
tto_session_get_read_position (TtoSession *self,
                               TtoEvent *event,
                               const char *identity_id)
{
  gint64 *seq;

  g_return_val_if_fail (TTO_IS_SESSION (self), 0);
  g_return_val_if_fail (TTO_IS_EVENT (event), 0);

  if (identity_id == NULL)
    return 0;
  seq = g_hash_table_lookup (ensure_state (self, tto_event_get_id (event))->reads, identity_id);
  return seq != NULL ? *seq : 0;
}

/* The seq the user has read up to in @event (kept across restarts). */
gint64
tto_session_get_own_read_position (TtoSession *self,
                                   TtoEvent *event)
{
  g_return_val_if_fail (TTO_IS_SESSION (self), 0);
  g_return_val_if_fail (TTO_IS_EVENT (event), 0);

  return ensure_state (self, tto_event_get_id (event))->read_seq;
}

/* Splits the members other than @message's sender into those who read it
 * and those who did not (TtoMember, either may be NULL). Returns how many
 * read it; @out_total how many could have. */
guint
tto_session_list_readers (TtoSession *self,
                          TtoEvent *event,
                          TtoMessage *message,
                          GPtrArray *read,
                          GPtrArray *unread,
                          guint *out_total)
{
  EventState *state;
  GListModel *members;
  guint n_read = 0;
  guint total = 0;
  guint n;

  g_return_val_if_fail (TTO_IS_SESSION (self), 0);
  g_return_val_if_fail (TTO_IS_EVENT (event), 0);
  g_return_val_if_fail (TTO_IS_MESSAGE (message), 0);

  state = ensure_state (self, tto_event_get_id (event));
  members = G_LIST_MODEL (state->members);
  n = g_list_model_get_n_items (members);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TtoMember) member = g_list_model_get_item (members, i);
      const char *id = tto_member_get_identity_id (member);
      gint64 *seq;

      if (g_strcmp0 (id, tto_message_get_sender_id (message)) == 0)
        continue;
      total++;
      seq = g_hash_table_lookup (state->reads, id);
      if (seq != NULL && *seq >= tto_message_get_seq (message) && tto_message_get_seq (message) > 0)
        {
          n_read++;
          if (read != NULL)
            g_ptr_array_add (read, g_object_ref (member));
        }
      else if (unread != NULL)
        g_ptr_array_add (unread, g_object_ref (member));
    }

  /* Before event.get answers, the member count is all there is. */
  if (n == 0 && tto_event_get_member_count (event) > 0)
    total = tto_event_get_member_count (event) - 1;

  if (out_total != NULL)
    *out_total = total;
  return n_read;
}

static void
on_receipt_ready (GObject *object,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (body == NULL)
    g_debug ("receipt.read failed: %s", error->message);
}

static void
send_receipt (TtoSession *self,
              EventState *state)
{
  JsonObject *body;

  if (state->read_seq <= state->sent_read_seq ||
      tto_connection_get_state (self->connection) != TTO_CONNECTION_STATE_CONNECTED)
    return;

  body = json_object_new ();
  json_object_set_string_member (body, "event_id", state->event_id);
  json_object_set_int_member (body, "seq", state->read_seq);
  tto_connection_request_async (self->connection, TTO_FRAME_RECEIPT_READ, body, NULL,
                                on_receipt_ready, NULL);
  state->sent_read_seq = state->read_seq;
}

static gboolean
on_receipt_timeout (gpointer user_data)
{
  EventState *state = user_data;

  if (state->read_seq <= state->sent_read_seq)
    {
      state->receipt_source = 0;
      return G_SOURCE_REMOVE;
    }
  send_receipt (state->session, state);
  return G_SOURCE_CONTINUE;
}

/* The user has seen every message of @event up to @seq: the unread count
 * drops, the position is kept for the next start, and the relay learns it
 * (at most every 500 ms, the newest position last). */
void
tto_session_mark_read (TtoSession *self,
                       TtoEvent *event,
                       gint64 seq)
{
  EventState *state;

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (TTO_IS_EVENT (event));

  if (tto_event_get_ended (event))
    return;
  state = ensure_state (self, tto_event_get_id (event));
  seq = MIN (seq, tto_event_get_last_seq (event));
  if (seq <= state->read_seq)
    return;

  state->read_seq = seq;
  if (self->read_state != NULL)
    tto_read_state_set (self->read_state, state->event_id, seq);
  set_read_position (state, tto_connection_get_identity_id (self->connection), seq);
  recount_unread (self, event, state);

  if (state->receipt_source == 0)
    {
      send_receipt (self, state);
      state->receipt_source = g_timeout_add (RECEIPT_INTERVAL_MS, on_receipt_timeout, state);
    }
}

guint
tto_session_get_unread_mentions (TtoSession *self,
                                 TtoEvent *event)
{
  EventState *state;

  g_return_val_if_fail (TTO_IS_SESSION (self), 0);
  g_return_val_if_fail (TTO_IS_EVENT (event), 0);

  state = lookup_state (self, event);
  return state != NULL && event != self->open_event ? state->unread_mentions : 0;
}

/* The confirmed message with @seq, or NULL; @out_position its place in
 * the list. */
TtoMessage *
tto_session_find_message (TtoSession *self,
                          TtoEvent *event,
                          gint64 seq,
                          guint *out_position)
{
  EventState *state;
  guint position;
  g_autoptr (TtoMessage) message = NULL;

  g_return_val_if_fail (TTO_IS_SESSION (self), NULL);
  g_return_val_if_fail (TTO_IS_EVENT (event), NULL);

  state = ensure_state (self, tto_event_get_id (event));
  if (seq <= 0 || !find_seq (state->messages, seq, &position))
    return NULL;
  if (out_position != NULL)
    *out_position = position;
  message = g_list_model_get_item (G_LIST_MODEL (state->messages), position);
  return message; /* the store keeps it */
}

/* Edit and recall */

/* Whether the user may still edit @message at @now_ms (0: now). */
gboolean
tto_session_can_edit (TtoSession *self,
                      TtoEvent *event,
                      TtoMessage *message,
                      gint64 now_ms)
{
  g_return_val_if_fail (TTO_IS_SESSION (self), FALSE);
  g_return_val_if_fail (TTO_IS_EVENT (event), FALSE);
  g_return_val_if_fail (TTO_IS_MESSAGE (message), FALSE);

  if (now_ms == 0)
    now_ms = g_get_real_time () / 1000;

  return !tto_event_get_ended (event) && is_own (self, message) &&
         tto_message_get_state (message) == TTO_MESSAGE_STATE_SENT &&
         !tto_message_get_recalled (message) && tto_event_get_edit_window (event) > 0 &&
         now_ms < tto_message_get_ts (message) + (gint64) tto_event_get_edit_window (event) * 1000;
}

/* Whether the user may recall @message at @now_ms (0: now): the sender
 * within the recall window, the creator always. */
gboolean
tto_session_can_recall (TtoSession *self,
                        TtoEvent *event,
                        TtoMessage *message,
                        gint64 now_ms)
{
  g_return_val_if_fail (TTO_IS_SESSION (self), FALSE);
  g_return_val_if_fail (TTO_IS_EVENT (event), FALSE);
  g_return_val_if_fail (TTO_IS_MESSAGE (message), FALSE);

  if (now_ms == 0)
    now_ms = g_get_real_time () / 1000;

  if (tto_event_get_ended (event) || tto_message_get_recalled (message) ||
      tto_message_get_state (message) != TTO_MESSAGE_STATE_SENT)
    return FALSE;
  if (tto_event_is_creator (event))
    return TRUE;
  return is_own (self, message) && tto_event_get_recall_window (event) > 0 &&
         now_ms < tto_message_get_ts (message) +
                    (gint64) tto_event_get_recall_window (event) * 1000;
}

static void
on_plain_answer (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (body == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&body), (GDestroyNotify) json_object_unref);
}

static GTask *
start_request (TtoSession *self,
               TtoEvent *event,
               gpointer source_tag,
               GCancellable *cancellable,
               GAsyncReadyCallback callback,
               gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, g_object_ref (event), g_object_unref);
  if (tto_event_get_ended (event))
    {
      g_task_return_new_error (task, TTO_SESSION_ERROR, TTO_SESSION_ERROR_EVENT_ENDED,
                               "The event has ended");
      g_object_unref (task);
      return NULL;
    }
  return task;
}

/* Replaces @message's text; the relay's msg.updated brings the change. */
void
tto_session_edit_message_async (TtoSession *self,
                                TtoEvent *event,
                                TtoMessage *message,
                                const char *text,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *trimmed = NULL;
  gboolean empty;
  JsonObject *body;

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (TTO_IS_MESSAGE (message));
  g_return_if_fail (text != NULL);

  task = start_request (self, event, tto_session_edit_message_async, cancellable, callback,
                        user_data);
  if (task == NULL)
    return;

  trimmed = g_strstrip (g_strdup (text));
  empty = *trimmed == '\0';
  tto_str_wipe_free (g_steal_pointer (&trimmed));
  if (empty)
    {
      g_task_return_new_error (task, TTO_SESSION_ERROR, TTO_SESSION_ERROR_EMPTY_MESSAGE,
                               "The message is empty");
      return;
    }
  if (g_utf8_strlen (text, -1) > TTO_PROTOCOL_MAX_TEXT_CHARS)
    {
      g_task_return_new_error (task, TTO_SESSION_ERROR, TTO_SESSION_ERROR_MESSAGE_TOO_LONG,
                               "The message is too long");
      return;
    }

  body = json_object_new ();
  json_object_set_string_member (body, "event_id", tto_event_get_id (event));
  json_object_set_string_member (body, "msg_id", tto_message_get_msg_id (message));
  json_object_set_string_member (body, "text", text);
  tto_connection_request_async (self->connection, TTO_FRAME_MSG_EDIT, body, cancellable,
                                on_plain_answer, g_steal_pointer (&task));
}

gboolean
tto_session_edit_message_finish (TtoSession *self,
                                 GAsyncResult *result,
                                 GError **error)
{
  g_autoptr (JsonObject) body = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  body = g_task_propagate_pointer (G_TASK (result), error);
  return body != NULL;
}

/* Recalls @message; the relay wipes its text and pushes msg.updated. */
void
tto_session_recall_message_async (TtoSession *self,
                                  TtoEvent *event,
                                  TtoMessage *message,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  JsonObject *body;

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (TTO_IS_MESSAGE (message));

  task = start_request (self, event, tto_session_recall_message_async, cancellable, callback,
                        user_data);
  if (task == NULL)
    return;

  body = json_object_new ();
  json_object_set_string_member (body, "event_id", tto_event_get_id (event));
  json_object_set_string_member (body, "msg_id", tto_message_get_msg_id (message));
  tto_connection_request_async (self->connection, TTO_FRAME_MSG_RECALL, body, cancellable,
                                on_plain_answer, g_steal_pointer (&task));
}

gboolean
tto_session_recall_message_finish (TtoSession *self,
                                   GAsyncResult *result,
                                   GError **error)
{
  g_autoptr (JsonObject) body = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  body = g_task_propagate_pointer (G_TASK (result), error);
  return body != NULL;
}

/* Creator settings and delegation */

static void
on_event_update_answer (GObject *object,
                        GAsyncResult *result,
                        gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;
  g_autoptr (TtoEvent) update = NULL;
  TtoSession *self = g_task_get_source_object (task);
  TtoEvent *event = g_task_get_task_data (task);
  JsonNode *node;

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  node = json_object_get_member (body, "event");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    update = tto_event_new_from_json (json_node_get_object (node), NULL);
  if (update != NULL && !tto_event_get_ended (event))
    {
      tto_event_update_from (event, update);
      g_signal_emit (self, signals[EVENT_CHANGED], 0, event);
    }
  g_task_return_boolean (task, TRUE);
}

/* Changes the edit and recall windows (seconds, 0–86,400; -1 keeps one). */
void
tto_session_update_event_async (TtoSession *self,
                                TtoEvent *event,
                                int edit_window,
                                int recall_window,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  JsonObject *body;

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (edit_window <= TTO_PROTOCOL_MAX_WINDOW_SECONDS);
  g_return_if_fail (recall_window <= TTO_PROTOCOL_MAX_WINDOW_SECONDS);

  task = start_request (self, event, tto_session_update_event_async, cancellable, callback,
                        user_data);
  if (task == NULL)
    return;

  body = json_object_new ();
  json_object_set_string_member (body, "event_id", tto_event_get_id (event));
  if (edit_window >= 0)
    json_object_set_int_member (body, "edit_window", edit_window);
  if (recall_window >= 0)
    json_object_set_int_member (body, "recall_window", recall_window);
  tto_connection_request_async (self->connection, TTO_FRAME_EVENT_UPDATE, body, cancellable,
                                on_event_update_answer, g_steal_pointer (&task));
}

gboolean
tto_session_update_event_finish (TtoSession *self,
                                 GAsyncResult *result,
                                 GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_member_answer (GObject *object,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;
  g_autoptr (TtoMember) member = NULL;
  TtoSession *self = g_task_get_source_object (task);
  TtoEvent *event = g_task_get_task_data (task);

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  member = member_from_json (json_object_get_member (body, "member"));
  if (member != NULL && !tto_event_get_ended (event))
    {
      put_member (self, event, member);
      g_signal_emit (self, signals[MEMBERS_CHANGED], 0, event);
    }
  g_task_return_boolean (task, TRUE);
}

/* Delegates @permission to a member for @duration seconds (0: until the
 * event ends). Only the creator may. */
void
tto_session_grant_async (TtoSession *self,
                         TtoEvent *event,
                         const char *identity_id,
                         const char *permission,
                         gint64 duration,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  JsonObject *body;

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (identity_id != NULL);
  g_return_if_fail (permission != NULL);

  task = start_request (self, event, tto_session_grant_async, cancellable, callback, user_data);
  if (task == NULL)
    return;

  body = json_object_new ();
  json_object_set_string_member (body, "event_id", tto_event_get_id (event));
  json_object_set_string_member (body, "identity_id", identity_id);
  json_object_set_string_member (body, "permission", permission);
  if (duration > 0)
    json_object_set_int_member (body, "duration", duration);
  else
    json_object_set_null_member (body, "duration");
  tto_connection_request_async (self->connection, TTO_FRAME_MEMBER_GRANT, body, cancellable,
                                on_member_answer, g_steal_pointer (&task));
}

void
tto_session_revoke_async (TtoSession *self,
                          TtoEvent *event,
                          const char *identity_id,
                          const char *permission,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  JsonObject *body;

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (identity_id != NULL);
  g_return_if_fail (permission != NULL);

  task = start_request (self, event, tto_session_revoke_async, cancellable, callback, user_data);
  if (task == NULL)
    return;

  body = json_object_new ();
  json_object_set_string_member (body, "event_id", tto_event_get_id (event));
  json_object_set_string_member (body, "identity_id", identity_id);
  json_object_set_string_member (body, "permission", permission);
  tto_connection_request_async (self->connection, TTO_FRAME_MEMBER_REVOKE, body, cancellable,
                                on_member_answer, g_steal_pointer (&task));
}

gboolean
tto_session_member_change_finish (TtoSession *self,
                                  GAsyncResult *result,
                                  GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Governance: admission, join review, member removal, invite rotation
 *
 * Kept apart from the rest of the session: its state hangs off the session
 * object ("tto-governance") and its pushes arrive through the connection's
 * "governance-push" signal. The applicant's own applications form one
 * list (the home page shows them as "waiting for approval"); each event a
 * reviewer may review has a queue of applications (the review window). */

typedef struct
{
  GListStore *applications; /* TtoJoinRequest: this identity's own, waiting */
  GHashTable *queues;       /* event id → GListStore of TtoJoinRequest */
} Governance;

static guint application_decided_signal;

static void
governance_free (Governance *gov)
{
  g_clear_object (&gov->applications);
  g_clear_pointer (&gov->queues, g_hash_table_unref);
  g_free (gov);
}

static Governance *
get_governance (TtoSession *self)
{
  Governance *gov = g_object_get_data (G_OBJECT (self), "tto-governance");

  if (gov == NULL)
    {
      gov = g_new0 (Governance, 1);
      gov->applications = g_list_store_new (TTO_TYPE_JOIN_REQUEST);
      gov->queues = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
      g_object_set_data_full (G_OBJECT (self), "tto-governance", gov,
                              (GDestroyNotify) governance_free);
    }
  return gov;
}

static GListStore *
ensure_queue (TtoSession *self,
              const char *event_id)
{
  Governance *gov = get_governance (self);
  GListStore *queue = g_hash_table_lookup (gov->queues, event_id);

  if (queue == NULL)
    {
      queue = g_list_store_new (TTO_TYPE_JOIN_REQUEST);
      g_hash_table_insert (gov->queues, g_strdup (event_id), queue);
    }
  return queue;
}

/* Position of the request of @identity_id (or, with NULL, of @event_id) in
 * @store, or G_MAXUINT. */
static guint
find_request (GListStore *store,
              const char *event_id,
              const char *identity_id)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)); i++)
    {
      g_autoptr (TtoJoinRequest) request = g_list_model_get_item (G_LIST_MODEL (store), i);

      if (g_strcmp0 (tto_join_request_get_event_id (request), event_id) == 0 &&
          (identity_id == NULL ||
           g_strcmp0 (tto_join_request_get_identity_id (request), identity_id) == 0))
        return i;
    }
  return G_MAXUINT;
}

static void
queue_put (TtoSession *self,
           JsonObject *application)
{
  g_autoptr (TtoJoinRequest) request = NULL;
  GListStore *queue;
  guint position;

  request = tto_join_request_new_from_json (application, NULL);
  if (request == NULL)
    return;
  queue = ensure_queue (self, tto_join_request_get_event_id (request));
  position = find_request (queue, tto_join_request_get_event_id (request),
                           tto_join_request_get_identity_id (request));
  if (position != G_MAXUINT)
    {
      g_autoptr (TtoJoinRequest) known = g_list_model_get_item (G_LIST_MODEL (queue), position);

      tto_join_request_update_from_json (known, application);
      /* Rows show the new reason and status. */
      g_list_model_items_changed (G_LIST_MODEL (queue), position, 1, 1);
    }
  else
    g_list_store_append (queue, request);
}

static void
queue_drop (TtoSession *self,
            const char *event_id,
            const char *identity_id)
{
  GListStore *queue = g_hash_table_lookup (get_governance (self)->queues, event_id);
  guint position;

  if (queue == NULL)
    return;
  position = find_request (queue, event_id, identity_id);
  if (position != G_MAXUINT)
    g_list_store_remove (queue, position);
}

/* A new member sees what was said before it came. */
static void
fetch_history (TtoSession *self,
               TtoEvent *event)
{
  JsonObject *resume;
  JsonObject *events;

  if (tto_event_get_last_seq (event) <= 0)
    return;
  resume = json_object_new ();
  events = json_object_new ();
  json_object_set_int_member (events, tto_event_get_id (event), 0);
  json_object_set_object_member (resume, "events", events);
  tto_connection_request_async (self->connection, TTO_FRAME_RESUME, resume, NULL, NULL, NULL);
}

static void
on_review_decided (TtoSession *self,
                   JsonObject *body)
{
  Governance *gov = get_governance (self);
  const char *event_id = json_object_get_string_member_with_default (body, "event_id", NULL);
  const char *decision = json_object_get_string_member_with_default (body, "decision", "");
  const char *message = json_object_get_string_member_with_default (body, "message", "");
  g_autoptr (TtoJoinRequest) request = NULL;
  g_autoptr (TtoEvent) event = NULL;
  guint position;

  if (event_id == NULL)
    return;
  position = find_request (gov->applications, event_id, NULL);
  if (position == G_MAXUINT)
    return;
  request = g_list_model_get_item (G_LIST_MODEL (gov->applications), position);

  if (g_str_equal (decision, "approve"))
    {
      JsonNode *node = json_object_get_member (body, "event");
      g_autoptr (TtoEvent) parsed = NULL;

      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        parsed = tto_event_new_from_json (json_node_get_object (node), NULL);
      if (parsed != NULL)
        {
          add_event (self, parsed, &event);
          fetch_history (self, event);
        }
      tto_join_request_set_status (request, TTO_JOIN_REQUEST_APPROVED, message);
      g_list_store_remove (gov->applications, position);
    }
  else if (g_str_equal (decision, "reject"))
    tto_join_request_set_status (request, TTO_JOIN_REQUEST_REJECTED, message);
  else if (g_str_equal (decision, "more"))
    tto_join_request_set_status (request, TTO_JOIN_REQUEST_MORE_INFO, message);
  else
    return;

  g_signal_emit (self, application_decided_signal, 0, request, event);
}

static void
on_member_left (TtoSession *self,
                JsonObject *body)
{
  TtoEvent *event;
  EventState *state;
  gint64 count;
  guint position;

  event = tto_session_lookup_event (self,
                                    json_object_get_string_member_with_default (body, "event_id",
                                                                                ""));
  if (event == NULL || tto_event_get_ended (event))
    return;
  count = json_object_get_int_member_with_default (body, "member_count", 0);
  if (count > 0)
    tto_event_set_member_count (event, (guint) MIN (count, G_MAXUINT));
  state = ensure_state (self, tto_event_get_id (event));
  position = find_member (state->members,
                          json_object_get_string_member_with_default (body, "identity_id", ""),
                          NULL);
  if (position != G_MAXUINT)
    {
      g_list_store_remove (state->members, position);
      g_hash_table_remove (state->reads,
                           json_object_get_string_member_with_default (body, "identity_id", ""));
      g_signal_emit (self, signals[MEMBERS_CHANGED], 0, event);
      g_signal_emit (self, signals[RECEIPTS_CHANGED], 0, event);
    }
}

static void
on_connection_governance_push (TtoConnection *connection,
                               const char *type,
                               JsonObject *body,
                               TtoSession *self)
{
  if (g_str_equal (type, TTO_FRAME_REVIEW_NEW))
    {
      JsonNode *node = json_object_get_member (body, "application");

      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        queue_put (self, json_node_get_object (node));
    }
  else if (g_str_equal (type, TTO_FRAME_REVIEW_DECIDED))
    on_review_decided (self, body);
  else if (g_str_equal (type, TTO_FRAME_EVENT_REMOVED))
    {
      TtoEvent *event =
        tto_session_lookup_event (self, json_object_get_string_member_with_default (body,
                                                                                    "event_id",
                                                                                    ""));

      /* Shown like an ended event: the messages are gone here too. */
      if (event != NULL && !tto_event_get_ended (event))
        mark_ended (self, event, TTO_SESSION_END_REASON_REMOVED);
    }
  else if (g_str_equal (type, TTO_FRAME_MEMBER_LEFT))
    on_member_left (self, body);
}

/* Approved applicants (decided here or elsewhere) leave the queue. */
static void
on_governance_member_joined (TtoConnection *connection,
                             JsonObject *body,
                             TtoSession *self)
{
  JsonObject *member = json_object_get_object_member (body, "member");

  if (member != NULL)
    queue_drop (self, json_object_get_string_member_with_default (body, "event_id", ""),
                json_object_get_string_member_with_default (member, "identity_id", ""));
}

static void
governance_attach (TtoSession *self)
{
  g_signal_connect_object (self->connection, "governance-push",
                           G_CALLBACK (on_connection_governance_push), self, 0);
  g_signal_connect_object (self->connection, "member-joined",
                           G_CALLBACK (on_governance_member_joined), self, 0);
}

static void
governance_class_init (GObjectClass *object_class)
{
  /* The decision on one of this identity's applications (TtoJoinRequest
   * with its new status; the TtoEvent joined on approval, else NULL). */
  application_decided_signal = g_signal_new ("application-decided",
                                             G_TYPE_FROM_CLASS (object_class),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 2, TTO_TYPE_JOIN_REQUEST,
                                             TTO_TYPE_EVENT);
}

static gboolean
check_event_fields (GTask *task,
                    const char *title,
                    const char *content,
                    const char *announcement,
                    gint64 deadline)
{
  if (*title == '\0')
    g_task_return_new_error (task, TTO_SESSION_ERROR, TTO_SESSION_ERROR_EMPTY_TITLE,
                             "The title is empty");
  else if (g_utf8_strlen (title, -1) > TTO_PROTOCOL_MAX_TITLE_CHARS)
    g_task_return_new_error (task, TTO_SESSION_ERROR, TTO_SESSION_ERROR_TITLE_TOO_LONG,
                             "The title is too long");
  else if (content != NULL && g_utf8_strlen (content, -1) > TTO_PROTOCOL_MAX_CONTENT_CHARS)
    g_task_return_new_error (task, TTO_SESSION_ERROR, TTO_SESSION_ERROR_CONTENT_TOO_LONG,
                             "The content is too long");
  else if (announcement != NULL &&
           g_utf8_strlen (announcement, -1) > TTO_PROTOCOL_MAX_ANNOUNCEMENT_CHARS)
    g_task_return_new_error (task, TTO_SESSION_ERROR, TTO_SESSION_ERROR_ANNOUNCEMENT_TOO_LONG,
                             "The announcement is too long");
  else if (deadline != 0 && deadline <= g_get_real_time () / G_USEC_PER_SEC)
    g_task_return_new_error (task, TTO_SESSION_ERROR, TTO_SESSION_ERROR_DEADLINE_PASSED,
                             "The deadline has passed");
  else
    return TRUE;
  return FALSE;
}

/* As tto_session_create_event_async(), with the members of @settings
 * (admission, rules, invite_expires_at, forms) added to event.create.
 * Finish with tto_session_create_event_finish(). */
void
tto_session_create_event_with_settings_async (TtoSession *self,
                                              const char *title,
                                              const char *content,
                                              const char *announcement,
                                              gint64 deadline,
                                              int edit_window,
                                              int recall_window,
                                              JsonObject *settings,
                                              GCancellable *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *clean_title = NULL;
  JsonObject *body;

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (title != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_session_create_event_async);

  clean_title = g_strstrip (g_strdup (title));
  if (!check_event_fields (task, clean_title, content, announcement, deadline))
    return;

  body = json_object_new ();
  json_object_set_string_member (body, "title", clean_title);
  if (content != NULL && *content != '\0')
    json_object_set_string_member (body, "content", content);
  if (announcement != NULL && *announcement != '\0')
    json_object_set_string_member (body, "announcement", announcement);
  if (deadline != 0)
    json_object_set_int_member (body, "deadline", deadline);
  if (edit_window >= 0)
    json_object_set_int_member (body, "edit_window", MIN (edit_window,
                                                          TTO_PROTOCOL_MAX_WINDOW_SECONDS));
  if (recall_window >= 0)
    json_object_set_int_member (body, "recall_window", MIN (recall_window,
                                                            TTO_PROTOCOL_MAX_WINDOW_SECONDS));
  if (settings != NULL)
    {
      g_autoptr (GList) names = json_object_get_members (settings);

      for (GList *l = names; l != NULL; l = l->next)
        json_object_set_member (body, l->data,
                                json_node_copy (json_object_get_member (settings, l->data)));
    }

  tto_connection_request_async (self->connection, TTO_FRAME_EVENT_CREATE, body, cancellable,
                                on_event_answer, g_steal_pointer (&task));
}

static void
on_join_with_reason_answer (GObject *object,
                            GAsyncResult *result,
                            gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;
  g_autoptr (TtoEvent) event = NULL;
  g_autoptr (TtoJoinRequest) request = NULL;
  TtoSession *self = g_task_get_source_object (task);
  Governance *gov = get_governance (self);
  JsonNode *application;
  JsonNode *event_node;
  TtoEvent *known = NULL;
  gboolean was_known;
  guint position;

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  application = json_object_get_member (body, "application");
  event_node = json_object_get_member (body, "event");
  if (event_node == NULL || !JSON_NODE_HOLDS_OBJECT (event_node))
    {
      g_task_return_new_error (task, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                               "answer lacks the event");
      return;
    }

  /* Under review: an application, and only the event's id and title. */
  if (application != NULL && JSON_NODE_HOLDS_OBJECT (application))
    {
      request = tto_join_request_new_from_json (json_node_get_object (application), &error);
      if (request == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      tto_join_request_set_event_title (
        request, json_object_get_string_member_with_default (json_node_get_object (event_node),
                                                             "title", ""));
      position = find_request (gov->applications, tto_join_request_get_event_id (request), NULL);
      if (position != G_MAXUINT)
        g_list_store_splice (gov->applications, position, 1, (gpointer *) &request, 1);
      else
        g_list_store_append (gov->applications, request);
      g_task_set_task_data (task, g_object_ref (request), g_object_unref);
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  event = tto_event_new_from_json (json_node_get_object (event_node), &error);
  if (event == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  was_known = tto_session_lookup_event (self, tto_event_get_id (event)) != NULL;
  add_event (self, event, &known);
  if (!was_known)
    fetch_history (self, known);
  g_task_return_pointer (task, known, g_object_unref);
}

/* Joins with @invite_code; under review files an application with
 * @reason (may be NULL). */
void
tto_session_join_with_reason_async (TtoSession *self,
                                    const char *invite_code,
                                    const char *reason,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *code = NULL;
  JsonObject *body;

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (invite_code != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_session_join_with_reason_async);

  code = tto_invite_code_normalize (invite_code);
  if (code == NULL)
    {
      g_task_return_new_error (task, TTO_SESSION_ERROR, TTO_SESSION_ERROR_MALFORMED_CODE,
                               "Not an invite code");
      return;
    }

  body = json_object_new ();
  json_object_set_string_member (body, "invite_code", code);
  if (reason != NULL && *reason != '\0')
    json_object_set_string_member (body, "reason", reason);
  tto_connection_request_async (self->connection, TTO_FRAME_EVENT_JOIN, body, cancellable,
                                on_join_with_reason_answer, g_steal_pointer (&task));
}

/* The event when joined at once; NULL with @out_request set when the join
 * became an application waiting for review; NULL with @error on failure. */
TtoEvent *
tto_session_join_with_reason_finish (TtoSession *self,
                                     GAsyncResult *result,
                                     TtoJoinRequest **out_request,
                                     GError **error)
{
  TtoEvent *event;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  event = g_task_propagate_pointer (G_TASK (result), error);
  if (out_request != NULL)
    {
      gpointer request = g_task_get_task_data (G_TASK (result));

      *out_request = request != NULL ? g_object_ref (request) : NULL;
    }
  return event;
}

/* This identity's applications still waiting for a decision, and the
 * rejected ones until dismissed. */
GListModel *
tto_session_get_applications (TtoSession *self)
{
  g_return_val_if_fail (TTO_IS_SESSION (self), NULL);

  return G_LIST_MODEL (get_governance (self)->applications);
}

void
tto_session_dismiss_application (TtoSession *self,
                                 TtoJoinRequest *request)
{
  Governance *gov;
  guint position;

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (TTO_IS_JOIN_REQUEST (request));

  gov = get_governance (self);
  if (g_list_store_find (gov->applications, request, &position))
    g_list_store_remove (gov->applications, position);
}

/* The applications to @event waiting for review, oldest first; filled by
 * tto_session_load_review_queue() and review.new pushes. */
GListModel *
tto_session_get_review_queue (TtoSession *self,
                              TtoEvent *event)
{
  g_return_val_if_fail (TTO_IS_SESSION (self), NULL);
  g_return_val_if_fail (TTO_IS_EVENT (event), NULL);

  return G_LIST_MODEL (ensure_queue (self, tto_event_get_id (event)));
}

gboolean
tto_session_can_review (TtoSession *self,
                        TtoEvent *event)
{
  g_return_val_if_fail (TTO_IS_SESSION (self), FALSE);
  g_return_val_if_fail (TTO_IS_EVENT (event), FALSE);

  return !tto_event_get_ended (event) &&
         (tto_event_is_creator (event) || tto_event_has_permission (event, TTO_PERMISSION_REVIEW));
}

typedef struct
{
  TtoSession *session;
  char *event_id;
} ReviewListData;

static void
review_list_data_free (ReviewListData *data)
{
  g_object_unref (data->session);
  g_free (data->event_id);
  g_free (data);
}

static void
on_review_list_ready (GObject *object,
                      GAsyncResult *result,
                      gpointer user_data)
{
  ReviewListData *data = user_data;
  TtoSession *self = data->session;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;
  g_autoptr (GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GListStore *queue;
  JsonArray *array;
  JsonNode *node;

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  node = body != NULL ? json_object_get_member (body, "applications") : NULL;
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      if (error != NULL)
        g_debug ("Could not list applications: %s", error->message);
      review_list_data_free (data);
      return;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      queue_put (self, json_node_get_object (element));
      g_hash_table_add (listed, g_strdup (json_object_get_string_member_with_default (
                                  json_node_get_object (element), "identity_id", "")));
    }

  /* Those another reviewer decided meanwhile are gone. */
  queue = ensure_queue (self, data->event_id);
  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (queue)); i > 0; i--)
    {
      g_autoptr (TtoJoinRequest) request = g_list_model_get_item (G_LIST_MODEL (queue), i - 1);

      if (!g_hash_table_contains (listed, tto_join_request_get_identity_id (request)))
        g_list_store_remove (queue, i - 1);
    }
  review_list_data_free (data);
}

/* Asks the relay for @event's applications (reviewers only). */
void
tto_session_load_review_queue (TtoSession *self,
                               TtoEvent *event)
{
  JsonObject *body;

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (TTO_IS_EVENT (event));

  ensure_queue (self, tto_event_get_id (event));
  if (!tto_session_can_review (self, event))
    return;
  body = json_object_new ();
  json_object_set_string_member (body, "event_id", tto_event_get_id (event));
  {
    ReviewListData *data = g_new0 (ReviewListData, 1);

    data->session = g_object_ref (self);
    data->event_id = g_strdup (tto_event_get_id (event));
    tto_connection_request_async (self->connection, TTO_FRAME_REVIEW_LIST, body, NULL,
                                  on_review_list_ready, data);
  }
}

typedef struct
{
  char *event_id;
  GStrv identity_ids; /* review.decide: the decided */
  char *more_message; /* review.decide "more": what was asked */
  char *removed_id;   /* member.remove */
} GovernanceRequest;

static void
governance_request_free (GovernanceRequest *request)
{
  g_free (request->event_id);
  g_strfreev (request->identity_ids);
  g_free (request->more_message);
  g_free (request->removed_id);
  g_free (request);
}

/* Answers of governance requests: an event in the answer updates ours. */
static void
on_governance_answer (GObject *object,
                      GAsyncResult *result,
                      gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;
  TtoSession *self = g_task_get_source_object (task);
  GovernanceRequest *request = g_task_get_task_data (task);
  JsonNode *node;

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  node = json_object_get_member (body, "event");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autoptr (TtoEvent) update = tto_event_new_from_json (json_node_get_object (node), NULL);
      TtoEvent *event = update != NULL ? tto_session_lookup_event (self,
                                                                    tto_event_get_id (update))
                                       : NULL;

      if (event != NULL && !tto_event_get_ended (event))
        {
          tto_event_update_from (event, update);
          g_signal_emit (self, signals[EVENT_CHANGED], 0, event);
        }
    }

  if (request != NULL && request->identity_ids != NULL)
    for (guint i = 0; request->identity_ids[i] != NULL; i++)
      {
        GListStore *queue;
        guint position;

        if (request->more_message == NULL)
          {
            queue_drop (self, request->event_id, request->identity_ids[i]);
            continue;
          }
        /* Asked for more: they stay, marked so, until they answer. */
        queue = ensure_queue (self, request->event_id);
        position = find_request (queue, request->event_id, request->identity_ids[i]);
        if (position != G_MAXUINT)
          {
            g_autoptr (TtoJoinRequest) asked = g_list_model_get_item (G_LIST_MODEL (queue),
                                                                      position);

            tto_join_request_set_status (asked, TTO_JOIN_REQUEST_MORE_INFO,
                                         request->more_message);
            g_list_model_items_changed (G_LIST_MODEL (queue), position, 1, 1);
          }
      }

  if (request != NULL && request->removed_id != NULL)
    {
      g_autoptr (JsonObject) left = json_object_new ();

      /* The relay tells the others; the remover learns it from the answer. */
      json_object_set_string_member (left, "event_id", request->event_id);
      json_object_set_string_member (left, "identity_id", request->removed_id);
      on_member_left (self, left);
    }

  g_task_return_boolean (task, TRUE);
}

static void
governance_request (TtoSession *self,
                    const char *type,
                    JsonObject *body,
                    GovernanceRequest *request,
                    GCancellable *cancellable,
                    GAsyncReadyCallback callback,
                    gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, governance_request);
  if (request != NULL)
    g_task_set_task_data (task, request, (GDestroyNotify) governance_request_free);
  tto_connection_request_async (self->connection, type, body, cancellable, on_governance_answer,
                                g_steal_pointer (&task));
}

/* Finishes every governance request below. */
gboolean
tto_session_governance_finish (TtoSession *self,
                               GAsyncResult *result,
                               GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* event.update with @fields (admission, rules, forms, invite_expires_at,
 * …), creator only. */
void
tto_session_update_settings_async (TtoSession *self,
                                   TtoEvent *event,
                                   JsonObject *fields,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  JsonObject *body = json_object_new ();
  g_autoptr (GList) names = NULL;

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (TTO_IS_EVENT (event));
  g_return_if_fail (fields != NULL);

  names = json_object_get_members (fields);
  for (GList *l = names; l != NULL; l = l->next)
    json_object_set_member (body, l->data,
                            json_node_copy (json_object_get_member (fields, l->data)));
  json_object_set_string_member (body, "event_id", tto_event_get_id (event));
  governance_request (self, TTO_FRAME_EVENT_UPDATE, body, NULL, cancellable, callback, user_data);
}

/* A new invite code; the old one stops working at once. @expires_at:
 * seconds since the epoch, or 0 for never. */
void
tto_session_rotate_code_async (TtoSession *self,
                               TtoEvent *event,
                               gint64 expires_at,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  JsonObject *body = json_object_new ();

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (TTO_IS_EVENT (event));

  json_object_set_string_member (body, "event_id", tto_event_get_id (event));
  if (expires_at > 0)
    json_object_set_int_member (body, "expires_at", expires_at);
  else
    json_object_set_null_member (body, "expires_at");
  governance_request (self, TTO_FRAME_EVENT_ROTATE_CODE, body, NULL, cancellable, callback,
                      user_data);
}

/* @decision: "approve", "reject" or "more" (then @message is required). */
void
tto_session_review_decide_async (TtoSession *self,
                                 TtoEvent *event,
                                 const char *const *identity_ids,
                                 const char *decision,
                                 const char *message,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  JsonObject *body = json_object_new ();
  JsonArray *ids = json_array_new ();
  GovernanceRequest *request = g_new0 (GovernanceRequest, 1);

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (TTO_IS_EVENT (event));
  g_return_if_fail (identity_ids != NULL && decision != NULL);

  for (guint i = 0; identity_ids[i] != NULL; i++)
    json_array_add_string_element (ids, identity_ids[i]);
  json_object_set_string_member (body, "event_id", tto_event_get_id (event));
  json_object_set_array_member (body, "identity_ids", ids);
  json_object_set_string_member (body, "decision", decision);
  if (message != NULL && *message != '\0')
    json_object_set_string_member (body, "message", message);
  request->event_id = g_strdup (tto_event_get_id (event));
  request->identity_ids = g_strdupv ((char **) identity_ids);
  /* Asking for more keeps them in the queue, as "more info". */
  if (g_str_equal (decision, "more"))
    request->more_message = g_strdup (message != NULL ? message : "");
  governance_request (self, TTO_FRAME_REVIEW_DECIDE, body, request, cancellable, callback,
                      user_data);
}

void
tto_session_remove_member_async (TtoSession *self,
                                 TtoEvent *event,
                                 const char *identity_id,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  JsonObject *body = json_object_new ();
  GovernanceRequest *request = g_new0 (GovernanceRequest, 1);

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (TTO_IS_EVENT (event));
  g_return_if_fail (identity_id != NULL);

  json_object_set_string_member (body, "event_id", tto_event_get_id (event));
  json_object_set_string_member (body, "identity_id", identity_id);
  request->event_id = g_strdup (tto_event_get_id (event));
  request->removed_id = g_strdup (identity_id);
  governance_request (self, TTO_FRAME_MEMBER_REMOVE, body, request, cancellable, callback,
                      user_data);
}

/* The applicant answers "more": a new reason; pending again. */
void
tto_session_update_application_async (TtoSession *self,
                                      TtoJoinRequest *application,
                                      const char *reason,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  tto_session_update_application_with_evidence_async (self, application, reason, NULL,
                                                      cancellable, callback, user_data);
}

/* As tto_session_update_application_async(); @evidence (blob ids the
 * applicant uploaded to the event, at most 5) replaces the application's
 * evidence, or with NULL keeps it. */
void
tto_session_update_application_with_evidence_async (TtoSession *self,
                                                    TtoJoinRequest *application,
                                                    const char *reason,
                                                    const char *const *evidence,
                                                    GCancellable *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer user_data)
{
  JsonObject *body = json_object_new ();
  g_autoptr (JsonObject) own = json_object_new ();

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (TTO_IS_JOIN_REQUEST (application));
  g_return_if_fail (reason != NULL);

  json_object_set_string_member (body, "event_id", tto_join_request_get_event_id (application));
  json_object_set_string_member (body, "reason", reason);
  if (evidence != NULL)
    {
      JsonArray *ids = json_array_new ();

      for (guint i = 0; evidence[i] != NULL; i++)
        json_array_add_string_element (ids, evidence[i]);
      json_object_set_member (own, "evidence",
                              json_node_init_array (json_node_alloc (), ids));
      json_object_set_array_member (body, "evidence", ids);
    }
  /* Shown at once; the relay's answer is only "ok". */
  json_object_set_string_member (own, "display_name",
                                 tto_join_request_get_display_name (application));
  json_object_set_string_member (own, "reason", reason);
  json_object_set_string_member (own, "status", TTO_JOIN_REQUEST_PENDING);
  tto_join_request_update_from_json (application, own);
  governance_request (self, TTO_FRAME_APPLICATION_UPDATE, body, NULL, cancellable, callback,
                      user_data);
}

/* Attachments
 *
 * A message with an attachment shows at once as pending while its blobs go
 * up (TtoMediaUpload); msg.send follows only once they are stored, then it
 * is confirmed as any other message. */

/* Adds a pending message carrying @attachment (not yet uploaded) and
 * @caption (or NULL). Returns it (owned by the list). */
TtoMessage *
tto_session_add_pending_attachment (TtoSession *self,
                                    TtoEvent *event,
                                    const char *caption,
                                    JsonObject *attachment,
                                    GError **error)
{
  g_autoptr (TtoMessage) message = NULL;
  g_autofree char *client_msg_id = NULL;

  g_return_val_if_fail (TTO_IS_SESSION (self), NULL);
  g_return_val_if_fail (TTO_IS_EVENT (event), NULL);
  g_return_val_if_fail (attachment != NULL, NULL);

  if (tto_event_get_ended (event))
    {
      g_set_error_literal (error, TTO_SESSION_ERROR, TTO_SESSION_ERROR_EVENT_ENDED,
                           "The event has ended");
      return NULL;
    }
  if (caption != NULL && g_utf8_strlen (caption, -1) > TTO_PROTOCOL_MAX_TEXT_CHARS)
    {
      g_set_error_literal (error, TTO_SESSION_ERROR, TTO_SESSION_ERROR_MESSAGE_TOO_LONG,
                           "The message is too long");
      return NULL;
    }

  client_msg_id = g_uuid_string_random ();
  message = tto_message_new_pending (tto_event_get_id (event), client_msg_id,
                                     tto_connection_get_identity_id (self->connection),
                                     tto_connection_get_display_name (self->connection),
                                     caption != NULL ? caption : "", g_get_real_time () / 1000);
  tto_message_set_topic_id (message, tto_connection_get_send_topic (self->connection,
                                                                    tto_event_get_id (event)));
  tto_message_set_attachment (message, attachment);
  g_list_store_append (ensure_messages (self, tto_event_get_id (event)), message);
  return message;
}

/* The blobs of pending @message are stored: sends it with @attachment
 * (which now names them). */
void
tto_session_send_pending_attachment (TtoSession *self,
                                     TtoMessage *message,
                                     JsonObject *attachment)
{
  SendData *data;

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (TTO_IS_MESSAGE (message));
  g_return_if_fail (attachment != NULL);

  tto_message_set_attachment (message, attachment);
  data = g_new0 (SendData, 1);
  g_weak_ref_init (&data->session, self);
  data->message = g_object_ref (message);
  tto_connection_send_attachment_async (self->connection, tto_message_get_event_id (message),
                                        tto_message_get_client_msg_id (message),
                                        tto_message_get_text (message),
                                        tto_message_get_attachment (message), NULL,
                                        on_message_sent, data);
}

/* Takes pending @message out of the list (its upload failed or was
 * cancelled). */
void
tto_session_discard_pending (TtoSession *self,
                             TtoMessage *message)
{
  EventState *state;
  guint position;

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (TTO_IS_MESSAGE (message));

  state = g_hash_table_lookup (self->states, tto_message_get_event_id (message));
  if (state != NULL && tto_message_get_state (message) == TTO_MESSAGE_STATE_PENDING &&
      find_message (state->messages, message, &position))
    g_list_store_remove (state->messages, position);
}

/* Event flow
 *
 * One TtoFlow per event (tto-flow.c), kept in a table on the session
 * object ("tto-flows"): filled by flow.get when a chat opens and after a
 * reconnect, updated in place by flow.updated pushes and by the flow in
 * the answers of flow requests, so every view bound to it follows. */

static GHashTable *
get_flows (TtoSession *self)
{
  GHashTable *flows = g_object_get_data (G_OBJECT (self), "tto-flows");

  if (flows == NULL)
    {
      flows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
      g_object_set_data_full (G_OBJECT (self), "tto-flows", flows,
                              (GDestroyNotify) g_hash_table_unref);
    }
  return flows;
}

/* Meeting reminders: a notification 15 minutes before each meeting of a
 * loaded flow, once, while the app runs. */

#define REMINDER_BEFORE_S (15 * 60)

typedef struct
{
  guint source;
  GHashTable *reminded; /* meeting ids */
  guint sent;
} Reminders;

static void
reminders_free (Reminders *reminders)
{
  g_clear_handle_id (&reminders->source, g_source_remove);
  g_hash_table_unref (reminders->reminded);
  g_free (reminders);
}

static Reminders *
get_reminders (TtoSession *self)
{
  Reminders *reminders = g_object_get_data (G_OBJECT (self), "tto-flow-reminders");

  if (reminders == NULL)
    {
      reminders = g_new0 (Reminders, 1);
      reminders->reminded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_object_set_data_full (G_OBJECT (self), "tto-flow-reminders", reminders,
                              (GDestroyNotify) reminders_free);
    }
  return reminders;
}

static GHashTable *get_flows (TtoSession *self);
static void schedule_reminders (TtoSession *self);

static void
remind (TtoSession *self,
        TtoFlow *flow,
        TtoFlowMeeting *meeting)
{
  GApplication *app = g_application_get_default ();
  TtoEvent *event = tto_session_lookup_event (self, tto_flow_get_event_id (flow));
  g_autoptr (GNotification) notification = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = g_strdup_printf ("meeting-%s", tto_flow_meeting_get_id (meeting));
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (tto_flow_meeting_get_starts_at (meeting));
  g_autoptr (GDateTime) local = g_date_time_to_local (utc);
  g_autofree char *time = g_date_time_format (local, "%H:%M");

  get_reminders (self)->sent++;
  if (app == NULL || event == NULL)
    return;
  /* Translators: a meeting reminder: "Site visit at 10:00, Gate 3" */
  body = g_strdup_printf (_("%s at %s, %s"), tto_flow_meeting_get_title (meeting), time,
                          tto_flow_meeting_get_place (meeting));
  notification = g_notification_new (tto_event_get_title (event));
  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.open-event", "s",
                                                tto_event_get_id (event));
  g_application_send_notification (app, id, notification);
}

static gboolean
on_reminder_due (gpointer user_data)
{
  TtoSession *self = user_data;

  get_reminders (self)->source = 0;
  schedule_reminders (self);
  return G_SOURCE_REMOVE;
}

/* Sends what is due and waits for the next one (at most an hour at a
 * time, so a changed clock is caught up with). */
static void
schedule_reminders (TtoSession *self)
{
  Reminders *reminders = get_reminders (self);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 next = G_MAXINT64;
  GHashTableIter iter;
  TtoFlow *flow;

  g_clear_handle_id (&reminders->source, g_source_remove);
  g_hash_table_iter_init (&iter, get_flows (self));
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &flow))
    {
      GListModel *meetings = tto_flow_get_meetings (flow);

      for (guint i = 0; i < g_list_model_get_n_items (meetings); i++)
        {
          g_autoptr (TtoFlowMeeting) meeting = g_list_model_get_item (meetings, i);
          gint64 starts = tto_flow_meeting_get_starts_at (meeting);
          const char *id = tto_flow_meeting_get_id (meeting);

          if (id == NULL || starts <= now || g_hash_table_contains (reminders->reminded, id))
            continue;
          if (starts - REMINDER_BEFORE_S <= now)
            {
              g_hash_table_add (reminders->reminded, g_strdup (id));
              remind (self, flow, meeting);
            }
          else
            next = MIN (next, starts - REMINDER_BEFORE_S);
        }
    }
  if (next != G_MAXINT64)
    reminders->source = g_timeout_add_seconds ((guint) MIN (next - now, 3600), on_reminder_due,
                                               self);
}

/* How many meeting reminders went out (tests). */
guint
tto_session_get_reminders_sent (TtoSession *self)
{
  g_return_val_if_fail (TTO_IS_SESSION (self), 0);
  return get_reminders (self)->sent;
}

/* @event_id's flow, empty (not loaded) until the relay sent it. */
TtoFlow *
tto_session_get_flow (TtoSession *self,
                      const char *event_id)
{
  GHashTable *flows;
  TtoFlow *flow;

  g_return_val_if_fail (TTO_IS_SESSION (self), NULL);
  g_return_val_if_fail (event_id != NULL, NULL);

  flows = get_flows (self);
  flow = g_hash_table_lookup (flows, event_id);
  if (flow == NULL)
    {
      flow = tto_flow_new (event_id);
      g_hash_table_insert (flows, g_strdup (event_id), flow);
      g_signal_connect_object (flow, "changed", G_CALLBACK (schedule_reminders), self,
                               G_CONNECT_SWAPPED);
    }
  return flow;
}

static void
apply_flow (TtoSession *self,
            const char *event_id,
            JsonObject *body)
{
  g_autoptr (GError) error = NULL;
  JsonNode *node = json_object_get_member (body, "flow");

  if (event_id == NULL || node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  if (!tto_flow_update_from_json (tto_session_get_flow (self, event_id),
                                  json_node_get_object (node), &error))
    g_message ("Ignoring a flow from the relay: %s", error->message);
}

static void
on_flow_get_ready (GObject *object,
                   GAsyncResult *result,
                   gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (body == NULL)
    {
      g_debug ("Could not load the flow: %s", error->message);
      return;
    }
  apply_flow (g_task_get_source_object (task), g_task_get_task_data (task), body);
}

/* flow.get for @event; the answer fills tto_session_get_flow(). */
void
tto_session_load_flow (TtoSession *self,
                       TtoEvent *event)
{
  g_autoptr (GTask) task = NULL;
  JsonObject *body;

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (TTO_IS_EVENT (event));

  if (tto_event_get_ended (event) ||
      tto_connection_get_state (self->connection) != TTO_CONNECTION_STATE_CONNECTED)
    return;

  tto_session_get_flow (self, tto_event_get_id (event));
  task = g_task_new (self, NULL, NULL, NULL);
  g_task_set_task_data (task, g_strdup (tto_event_get_id (event)), g_free);
  body = json_object_new ();
  json_object_set_string_member (body, "event_id", tto_event_get_id (event));
  tto_connection_request_async (self->connection, TTO_FRAME_FLOW_GET, body, NULL,
                                on_flow_get_ready, g_steal_pointer (&task));
}

/* @event's flow, asking the relay for it once if nobody did yet: the home
 * list's rows call this each time they are bound, so the set of events
 * already asked for ("tto-flows-asked") keeps it to one request per event
 * (again after a reconnect). */
TtoFlow *
tto_session_ensure_flow (TtoSession *self,
                         TtoEvent *event)
{
  GHashTable *asked;
  TtoFlow *flow;

  g_return_val_if_fail (TTO_IS_SESSION (self), NULL);
  g_return_val_if_fail (TTO_IS_EVENT (event), NULL);

  flow = tto_session_get_flow (self, tto_event_get_id (event));
  asked = g_object_get_data (G_OBJECT (self), "tto-flows-asked");
  if (asked == NULL)
    {
      asked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_object_set_data_full (G_OBJECT (self), "tto-flows-asked", asked,
                              (GDestroyNotify) g_hash_table_unref);
    }
  if (!tto_flow_get_loaded (flow) && !tto_event_get_ended (event) &&
      !g_hash_table_contains (asked, tto_event_get_id (event)) &&
      tto_connection_get_state (self->connection) == TTO_CONNECTION_STATE_CONNECTED)
    {
      g_hash_table_add (asked, g_strdup (tto_event_get_id (event)));
      tto_session_load_flow (self, event);
    }
  return flow;
}

static void
on_flow_request_answer (GObject *object,
                        GAsyncResult *result,
                        gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  JsonObject *body;

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  apply_flow (g_task_get_source_object (task), g_task_get_task_data (task), body);
  /* The connection wipes the answer's strings once its own task goes. */
  g_task_return_pointer (task, tto_json_object_deep_copy (body),
                         (GDestroyNotify) json_object_unref);
  json_object_unref (body);
}

/* Sends a flow frame (@type: flow.*, task.*, points.*, meeting.*) for
 * @event with @body (taken; "event_id" is added). A flow in the answer
 * updates the event's TtoFlow before the callback runs. */
void
tto_session_flow_request_async (TtoSession *self,
                                TtoEvent *event,
                                const char *type,
                                JsonObject *body,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (TTO_IS_EVENT (event));
  g_return_if_fail (type != NULL);

  if (body == NULL)
    body = json_object_new ();
  json_object_set_string_member (body, "event_id", tto_event_get_id (event));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_session_flow_request_async);
  g_task_set_task_data (task, g_strdup (tto_event_get_id (event)), g_free);
  tto_connection_request_async (self->connection, type, body, cancellable,
                                on_flow_request_answer, g_steal_pointer (&task));
}

/* The answer's body (free with json_object_unref()), or NULL with @error
 * (TTO_PROTOCOL_ERROR with the relay's message, e.g. wrong_form). */
JsonObject *
tto_session_flow_request_finish (TtoSession *self,
                                 GAsyncResult *result,
                                 GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The creator, or a member holding flow_edit. */
gboolean
tto_session_can_edit_flow (TtoSession *self,
                           TtoEvent *event)
{
  g_return_val_if_fail (TTO_IS_SESSION (self), FALSE);
  g_return_val_if_fail (TTO_IS_EVENT (event), FALSE);

  return !tto_event_get_ended (event) &&
         tto_event_has_permission (event, TTO_PERMISSION_FLOW_EDIT);
}

static void
on_connection_flow_push (TtoConnection *connection,
                         const char *type,
                         JsonObject *body,
                         TtoSession *self)
{
  const char *event_id = json_object_get_string_member_with_default (body, "event_id", NULL);

  if (event_id == NULL || tto_session_lookup_event (self, event_id) == NULL)
    return;
  if (g_str_equal (type, TTO_FRAME_FLOW_UPDATED))
    apply_flow (self, event_id, body);
  else if (g_str_equal (type, TTO_FRAME_POINTS_AWARDED))
    tto_flow_apply_points_awarded (tto_session_get_flow (self, event_id), body);
}

/* After a reconnect the flows shown may be stale: fetch them again. */
static void
on_flow_connection_resumed (TtoConnection *connection,
                            JsonObject *events,
                            TtoSession *self)
{
  GHashTableIter iter;
  TtoFlow *flow;

  g_hash_table_iter_init (&iter, get_flows (self));
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &flow))
    {
      TtoEvent *event = tto_session_lookup_event (self, tto_flow_get_event_id (flow));

      /* Also flows a view wanted while the connection was down (home rows). */
      if (event != NULL)
        tto_session_load_flow (self, event);
    }
}

static void
flow_attach (TtoSession *self)
{
  g_signal_connect_object (self->connection, "flow-push", G_CALLBACK (on_connection_flow_push),
                           self, 0);
  g_signal_connect_object (self->connection, "resumed", G_CALLBACK (on_flow_connection_resumed),
                           self, 0);
}

/* Topics
 *
 * One TtoTopicTree per event (tto-topic-tree.c), kept in a table on the
 * session object ("tto-topic-trees"): filled by topic.list when a chat
 * opens and after a reconnect, updated by topic.* pushes and by the
 * answers of topic requests; it counts from this session's messages. */

static GHashTable *
get_topic_trees (TtoSession *self)
{
  GHashTable *trees = g_object_get_data (G_OBJECT (self), "tto-topic-trees");

  if (trees == NULL)
    {
      trees = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
      g_object_set_data_full (G_OBJECT (self), "tto-topic-trees", trees,
                              (GDestroyNotify) g_hash_table_unref);
    }
  return trees;
}

/* @event's topic tree: only the main topic until the relay sent the tree. */
TtoTopicTree *
tto_session_get_topic_tree (TtoSession *self,
                            TtoEvent *event)
{
  GHashTable *trees;
  TtoTopicTree *tree;

  g_return_val_if_fail (TTO_IS_SESSION (self), NULL);
  g_return_val_if_fail (TTO_IS_EVENT (event), NULL);

  trees = get_topic_trees (self);
  tree = g_hash_table_lookup (trees, tto_event_get_id (event));
  if (tree == NULL)
    {
      tree = tto_topic_tree_new (self->connection, tto_event_get_id (event));
      tto_topic_tree_set_messages (tree, tto_session_get_messages (self, event));
      g_hash_table_insert (trees, g_strdup (tto_event_get_id (event)), tree);
    }
  return tree;
}

static void
on_topic_list_ready (GObject *object,
                     GAsyncResult *result,
                     gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  TtoSession *self = g_task_get_source_object (task);
  TtoEvent *event = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (body == NULL)
    {
      g_debug ("Could not load the topics: %s", error->message);
      return;
    }
  /* Answered after event.get (same event, same order): the read position
   * is the relay's by now. */
  if (!tto_topic_tree_apply_list (tto_session_get_topic_tree (self, event), body,
                                  tto_session_get_own_read_position (self, event), &error))
    g_message ("Ignoring topics from the relay: %s", error->message);
}

/* topic.list for @event; the answer fills tto_session_get_topic_tree(). */
void
tto_session_load_topics (TtoSession *self,
                         TtoEvent *event)
{
  g_autoptr (GTask) task = NULL;
  JsonObject *body;

  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (TTO_IS_EVENT (event));

  if (tto_event_get_ended (event) ||
      tto_connection_get_state (self->connection) != TTO_CONNECTION_STATE_CONNECTED)
    return;
  tto_session_get_topic_tree (self, event);
  task = g_task_new (self, NULL, NULL, NULL);
  g_task_set_task_data (task, g_object_ref (event), g_object_unref);
  body = json_object_new ();
  json_object_set_string_member (body, "event_id", tto_event_get_id (event));
  tto_connection_request_async (self->connection, TTO_FRAME_TOPIC_LIST, body, NULL,
                                on_topic_list_ready, g_steal_pointer (&task));
}

static void
on_connection_topic_push (TtoConnection *connection,
                          const char *type,
                          JsonObject *body,
                          TtoSession *self)
{
  const char *event_id = json_object_get_string_member_with_default (body, "event_id", NULL);
  TtoEvent *event = event_id != NULL ? tto_session_lookup_event (self, event_id) : NULL;

  if (event == NULL || tto_event_get_ended (event))
    return;
  tto_topic_tree_handle_push (tto_session_get_topic_tree (self, event), type, body);
}

/* After the session's own handler: a message moved to another topic. */
static void
on_connection_msg_moved (TtoConnection *connection,
                         JsonObject *body,
                         TtoSession *self)
{
  JsonNode *node = json_object_get_member (body, "message");
  TtoTopicTree *tree;
  TtoEvent *event;
  TtoMessage *message;
  JsonObject *object;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  object = json_node_get_object (node);
  tree = g_hash_table_lookup (get_topic_trees (self),
                              json_object_get_string_member_with_default (object, "event_id", ""));
  if (tree == NULL)
    return;
  event = tto_session_lookup_event (self, tto_topic_tree_get_event_id (tree));
  message = event != NULL ? tto_session_find_message (
                              self, event, json_object_get_int_member_with_default (object, "seq", 0),
                              NULL)
                          : NULL;
  if (message != NULL)
    tto_topic_tree_message_changed (tree, message);
}

/* Pushes may have been missed while away: ask for the trees again. */
static void
on_connection_topics_resumed (TtoConnection *connection,
                              JsonObject *events,
                              TtoSession *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, get_topic_trees (self));
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TtoEvent *event = tto_session_lookup_event (self, tto_topic_tree_get_event_id (value));

      if (event != NULL)
        tto_session_load_topics (self, event);
    }
}

static void
topics_attach (TtoSession *self)
{
  g_signal_connect_object (self->connection, "topic-push", G_CALLBACK (on_connection_topic_push),
                           self, 0);
  g_signal_connect_object (self->connection, "msg-updated", G_CALLBACK (on_connection_msg_moved),
                           self, G_CONNECT_AFTER);
  g_signal_connect_object (self->connection, "resumed",
                           G_CALLBACK (on_connection_topics_resumed), self, G_CONNECT_AFTER);
}

/* Identity
 *
 * Sign-in by phone, email, provider, a stored token or a name happens on a
 * connection before the session exists (tto-sign-in-page.c); the session
 * then takes that connection and the identity over. */

TtoSession *
tto_session_new_for_identity (TtoConnection *connection,
                              TtoIdentity *identity)
{
  TtoSession *self;

  g_return_val_if_fail (TTO_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (TTO_IS_IDENTITY (identity), NULL);

  self = g_object_new (TTO_TYPE_SESSION, "connection", connection, NULL);
  self->identity = g_object_ref (identity);
  if (g_strcmp0 (tto_identity_get_kind (identity), TTO_IDENTITY_TIMED) == 0)
    tto_identity_watch (identity, connection);
  return self;
}

/* Who this session is (NULL before sign-in). */
TtoIdentity *
tto_session_get_identity (TtoSession *self)
{
  g_return_val_if_fail (TTO_IS_SESSION (self), NULL);

  return self->identity;
}

/* Loads the event lists of a session made by tto_session_new_for_identity(). */
void
tto_session_load_async (TtoSession *self,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data)
{
  GTask *task;

  g_return_if_fail (TTO_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_session_load_async);
  tto_connection_request_async (self->connection, TTO_FRAME_EVENT_LIST, NULL, cancellable,
                                on_event_list_ready, task);
}

gboolean
tto_session_load_finish (TtoSession *self,
                         GAsyncResult *result,
                         GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
