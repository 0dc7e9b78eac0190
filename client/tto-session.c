/* tto-session.c: what one signed-in identity sees (events and messages)
 *
 * The session turns the connection's answers and pushes into list models
 * the views bind to: every event in one GListStore (with "created by me" and
 * "joined" views of it), and per event a GListStore of messages in seq order
 * with the not yet confirmed ones at its end.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gtk/gtk.h>

#include "tto-session.h"

struct _TtoSession
{
  GObject parent_instance;

  TtoConnection *connection;
  GListStore *events;
  GtkFilterListModel *created;
  GtkFilterListModel *joined;
  GtkSortListModel *created_sorted;
  GtkSortListModel *joined_sorted;
  GHashTable *messages; /* event id → GListStore of TtoMessage */
  TtoEvent *open_event;
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

static GListStore *
ensure_messages (TtoSession *self,
                 const char *event_id)
{
  GListStore *store = g_hash_table_lookup (self->messages, event_id);

  if (store == NULL)
    {
      store = g_list_store_new (TTO_TYPE_MESSAGE);
      g_hash_table_insert (self->messages, g_strdup (event_id), store);
    }
  return store;
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
  GListStore *store = g_hash_table_lookup (self->messages, tto_event_get_id (event));

  tto_event_set_ended (event, reason != NULL ? reason : "ended");
  tto_event_set_unread_count (event, 0);
  /* The product's promise: once an event ends its messages are gone, here
   * too. TtoMessage wipes its text when freed. */
  if (store != NULL)
    g_list_store_remove_all (store);
  tto_connection_forget_event (self->connection, tto_event_get_id (event));
}

/* Connection signals */

static void
on_connection_msg_new (TtoConnection *connection,
                       JsonObject *body,
                       TtoSession *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoMessage) message = NULL;
  TtoMessage *pending;
  TtoEvent *event;
  GListStore *store;
  guint position;

  message = tto_message_new_from_json (body, &error);
  if (message == NULL)
    {
      g_message ("Ignoring a malformed message: %s", error->message);
      return;
    }

  event = tto_session_lookup_event (self, tto_message_get_event_id (message));
  if (event == NULL || tto_event_get_ended (event))
    return;
  store = ensure_messages (self, tto_event_get_id (event));

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

  if (event != self->open_event && !is_own (self, message))
    tto_event_set_unread_count (event, tto_event_get_unread_count (event) + 1);
}

static void
on_connection_member_joined (TtoConnection *connection,
                             JsonObject *body,
                             TtoSession *self)
{
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

      if (event == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        continue;
      state = json_object_get_string_member_with_default (json_node_get_object (node), "state",
                                                          "active");
      if (!g_str_equal (state, "active"))
        mark_ended (self, event, state);
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

static void
tto_session_constructed (GObject *object)
{
  TtoSession *self = (TtoSession *) object;

  G_OBJECT_CLASS (tto_session_parent_class)->constructed (object);

  g_signal_connect_object (self->connection, "msg-new", G_CALLBACK (on_connection_msg_new),
                           self, 0);
  g_signal_connect_object (self->connection, "member-joined",
                           G_CALLBACK (on_connection_member_joined), self, 0);
  g_signal_connect_object (self->connection, "event-ended",
                           G_CALLBACK (on_connection_event_ended), self, 0);
  g_signal_connect_object (self->connection, "resumed", G_CALLBACK (on_connection_resumed),
                           self, 0);
  g_signal_connect_object (self->connection, "identity-lost",
                           G_CALLBACK (on_connection_identity_lost), self, 0);
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
  if (self->messages != NULL)
    g_hash_table_remove_all (self->messages);

  G_OBJECT_CLASS (tto_session_parent_class)->dispose (object);
}

static void
tto_session_finalize (GObject *object)
{
  TtoSession *self = (TtoSession *) object;

  g_clear_object (&self->events);
  g_clear_pointer (&self->messages, g_hash_table_unref);

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
}

static void
tto_session_init (TtoSession *self)
{
  self->events = g_list_store_new (TTO_TYPE_EVENT);
  self->messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

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
  g_return_if_fail (TTO_IS_SESSION (self));
  g_return_if_fail (event == NULL || TTO_IS_EVENT (event));

  if (g_set_object (&self->open_event, event))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPEN_EVENT]);
  if (event != NULL)
    tto_event_set_unread_count (event, 0);
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

/* @deadline: seconds since the epoch, or 0 for none. */
void
tto_session_create_event_async (TtoSession *self,
                                const char *title,
                                const char *content,
                                const char *announcement,
                                gint64 deadline,
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

/* @invite_code: as typed; any case, spaces and dashes. */
void
tto_session_join_event_async (TtoSession *self,
                              const char *invite_code,
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
  g_task_set_source_tag (task, tto_session_join_event_async);

  code = tto_invite_code_normalize (invite_code);
  if (code == NULL)
    {
      g_task_return_new_error (task, TTO_SESSION_ERROR, TTO_SESSION_ERROR_MALFORMED_CODE,
                               "Not an invite code");
      return;
    }

  body = json_object_new ();
  json_object_set_string_member (body, "invite_code", code);
  tto_connection_request_async (self->connection, TTO_FRAME_EVENT_JOIN, body, cancellable,
                                on_event_answer, g_steal_pointer (&task));
}

TtoEvent *
tto_session_join_event_finish (TtoSession *self,
                               GAsyncResult *result,
                               GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
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
  if (self == NULL || self->messages == NULL)
    return;
  store = g_hash_table_lookup (self->messages, tto_message_get_event_id (message));
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
  g_autoptr (TtoMessage) message = NULL;
  g_autofree char *client_msg_id = NULL;
  SendData *data;
  GListStore *store;
  glong length;

  g_return_val_if_fail (TTO_IS_SESSION (self), NULL);
  g_return_val_if_fail (TTO_IS_EVENT (event), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  if (tto_event_get_ended (event))
    {
      g_set_error_literal (error, TTO_SESSION_ERROR, TTO_SESSION_ERROR_EVENT_ENDED,
                           "The event has ended");
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
  store = ensure_messages (self, tto_event_get_id (event));
  g_list_store_append (store, message);

  data = g_new0 (SendData, 1);
  g_weak_ref_init (&data->session, self);
  data->message = g_object_ref (message);
  tto_connection_send_message_async (self->connection, tto_event_get_id (event), client_msg_id,
                                     text, NULL, on_message_sent, data);

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
      GListStore *store = g_hash_table_lookup (self->messages, tto_event_get_id (event));

      if (store != NULL)
        g_list_store_remove_all (store);
    }
  g_list_store_remove_all (self->events);
  tto_session_set_open_event (self, NULL);
}
