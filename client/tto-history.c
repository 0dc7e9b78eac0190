/* tto-history.c: the events a permanent identity took part in
 *
 * A list the relay keeps for permanent identities only (titles and dates,
 * no content). It is read after sign-in and again whenever an event ends,
 * since that is when an entry appears.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tto-protocol.h"

#include "tto-history.h"

struct _TtoHistory
{
  GObject parent_instance;

  TtoConnection *connection;
  GListStore *entries;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (TtoHistory, tto_history, G_TYPE_OBJECT)

static void
on_listed (GObject *object,
           GAsyncResult *result,
           gpointer user_data)
{
  g_autoptr (TtoHistory) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;
  g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  JsonArray *array;

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (body == NULL)
    {
      /* Disconnected: the list stays as it was and is read again on the
       * next event end. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("could not read the history: %s", error->message);
      return;
    }

  array = json_object_get_array_member (body, "history");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      TtoHistoryEntry *entry;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      entry = tto_history_entry_new_from_json (json_node_get_object (node));
      if (entry != NULL)
        g_ptr_array_add (entries, entry);
    }

  g_list_store_splice (self->entries, 0, g_list_model_get_n_items (G_LIST_MODEL (self->entries)),
                       entries->pdata, entries->len);
}

void
tto_history_refresh (TtoHistory *self)
{
  g_return_if_fail (TTO_IS_HISTORY (self));

  tto_connection_request_async (self->connection, TTO_FRAME_HISTORY_LIST, json_object_new (),
                                self->cancellable, on_listed, g_object_ref (self));
}

static void
on_event_ended (TtoConnection *connection,
                const char *event_id,
                const char *reason,
                gpointer user_data)
{
  tto_history_refresh (user_data);
}

static void
tto_history_dispose (GObject *object)
{
  TtoHistory *self = TTO_HISTORY (object);

  g_cancellable_cancel (self->cancellable);
  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (tto_history_parent_class)->dispose (object);
}

static void
tto_history_finalize (GObject *object)
{
  TtoHistory *self = TTO_HISTORY (object);

  g_clear_object (&self->entries);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (tto_history_parent_class)->finalize (object);
}

static void
tto_history_class_init (TtoHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tto_history_dispose;
  object_class->finalize = tto_history_finalize;
}

static void
tto_history_init (TtoHistory *self)
{
  self->entries = g_list_store_new (TTO_TYPE_HISTORY_ENTRY);
  self->cancellable = g_cancellable_new ();
}

/* Reads the history at once and again after every event end. */
TtoHistory *
tto_history_new (TtoConnection *connection)
{
  TtoHistory *self;

  g_return_val_if_fail (TTO_IS_CONNECTION (connection), NULL);

  self = g_object_new (TTO_TYPE_HISTORY, NULL);
  self->connection = g_object_ref (connection);
  g_signal_connect (connection, "event-ended", G_CALLBACK (on_event_ended), self);
  tto_history_refresh (self);

  return self;
}

/* A GListModel of TtoHistoryEntry, newest first. */
GListModel *
tto_history_get_entries (TtoHistory *self)
{
  g_return_val_if_fail (TTO_IS_HISTORY (self), NULL);

  return G_LIST_MODEL (self->entries);
}

static void
on_deleted (GObject *object,
            GAsyncResult *result,
            gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  TtoHistory *self = g_task_get_source_object (task);
  TtoHistoryEntry *entry = g_task_get_task_data (task);
  g_autoptr (JsonObject) body = NULL;
  GError *error = NULL;
  guint position;

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  /* not_found: it is gone already, which is what was asked. */
  if (body == NULL && !g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_NOT_FOUND))
    {
      g_task_return_error (task, error);
      return;
    }
  g_clear_error (&error);

  if (g_list_store_find (self->entries, entry, &position))
    g_list_store_remove (self->entries, position);
  g_task_return_boolean (task, TRUE);
}

void
tto_history_delete_async (TtoHistory *self,
                          TtoHistoryEntry *entry,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  GTask *task;
  JsonObject *body;

  g_return_if_fail (TTO_IS_HISTORY (self));
  g_return_if_fail (TTO_IS_HISTORY_ENTRY (entry));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_history_delete_async);
  g_task_set_task_data (task, g_object_ref (entry), g_object_unref);
  body = json_object_new ();
  json_object_set_string_member (body, "id", tto_history_entry_get_id (entry));
  tto_connection_request_async (self->connection, TTO_FRAME_HISTORY_DELETE, body, cancellable,
                                on_deleted, task);
}

gboolean
tto_history_delete_finish (TtoHistory *self,
                           GAsyncResult *result,
                           GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
