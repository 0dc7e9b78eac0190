/* tto-relay-store-history.c: the events a permanent identity took part in
 *
 * Only the event's title and its dates: never who else was there, never
 * a message. One-time and timed identities keep no history.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <string.h>

#include "tto-relay-clock.h"
#include "tto-relay-store-private.h"

const char *const tto_relay_store_history_schema[] = {
  "CREATE TABLE history ("
  " id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
  " identity_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " title VARCHAR(120) NOT NULL,"
  " role VARCHAR(16) CHARACTER SET ascii NOT NULL,"
  " started_at BIGINT NOT NULL,"
  " ended_at BIGINT NOT NULL,"
  " INDEX history_identity (identity_id, ended_at),"
  " CONSTRAINT history_identity FOREIGN KEY (identity_id) REFERENCES identities (id)"
  "  ON DELETE CASCADE"
  ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
  NULL
};

/* Called inside the transaction that deletes the event: its permanent
 * members keep a line with its title and dates. */
gboolean
tto_store_record_history (MYSQL *db,
                          const char *quoted_event_id,
                          GError **error)
{
  return tto_store_execf (db, error,
                          "INSERT INTO history (identity_id, title, role, started_at, ended_at)"
                          " SELECT m.identity_id, e.title, m.role, e.created_at, %" G_GINT64_FORMAT
                          " FROM members m JOIN events e ON e.id = m.event_id"
                          " JOIN identities i ON i.id = m.identity_id"
                          " WHERE m.event_id = %s AND i.kind = 'permanent'",
                          tto_relay_now_seconds (), quoted_event_id);
}

static gpointer
list_history_job (MYSQL *db,
                  gpointer data,
                  GError **error)
{
  g_autofree char *id = tto_store_quote (db, data);
  g_autoptr (MYSQL_RES) result = NULL;
  g_autoptr (JsonArray) entries = json_array_new ();
  MYSQL_ROW row;

  if (!tto_store_execf (db, error,
                        "SELECT id, title, role, started_at, ended_at FROM history"
                        " WHERE identity_id = %s ORDER BY ended_at DESC, id DESC LIMIT 500",
                        id))
    return NULL;
  result = mysql_store_result (db);
  while (result != NULL && (row = mysql_fetch_row (result)) != NULL)
    {
      JsonObject *entry = json_object_new ();

      json_object_set_string_member (entry, "id", row[0]);
      json_object_set_string_member (entry, "title", row[1]);
      json_object_set_string_member (entry, "role", row[2]);
      json_object_set_int_member (entry, "started_at", tto_store_row_int (row[3]));
      json_object_set_int_member (entry, "ended_at", tto_store_row_int (row[4]));
      json_array_add_object_element (entries, entry);
    }

  return g_steal_pointer (&entries);
}

void
tto_relay_store_list_history_async (TtoRelayStore *store,
                                    const char *identity_id,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  tto_store_run (store, tto_relay_store_list_history_async, list_history_job,
                 g_strdup (identity_id), g_free, callback, user_data);
}

/* Returns a new array of history entries, or NULL with @error set. */
JsonArray *
tto_relay_store_list_history_finish (TtoRelayStore *store,
                                     GAsyncResult *result,
                                     GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  char *identity_id;
  gint64 entry_id;
} DeleteData;

static void
delete_data_free (gpointer data)
{
  DeleteData *d = data;

  g_free (d->identity_id);
  g_free (d);
}

static gpointer
delete_history_job (MYSQL *db,
                    gpointer data,
                    GError **error)
{
  DeleteData *d = data;
  g_autofree char *id = tto_store_quote (db, d->identity_id);

  if (!tto_store_execf (db, error,
                        "DELETE FROM history WHERE id = %" G_GINT64_FORMAT
                        " AND identity_id = %s",
                        d->entry_id, id))
    return NULL;

  /* 1 + rows: a pointer result of NULL would read as an error. */
  return GSIZE_TO_POINTER (1 + mysql_affected_rows (db));
}

void
tto_relay_store_delete_history_async (TtoRelayStore *store,
                                      const char *identity_id,
                                      gint64 entry_id,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  DeleteData *d = g_new0 (DeleteData, 1);

  d->identity_id = g_strdup (identity_id);
  d->entry_id = entry_id;
  tto_store_run (store, tto_relay_store_delete_history_async, delete_history_job, d,
                 delete_data_free, callback, user_data);
}

/* Returns whether an entry of this identity's was deleted. */
gboolean
tto_relay_store_delete_history_finish (TtoRelayStore *store,
                                       GAsyncResult *result,
                                       gboolean *deleted,
                                       GError **error)
{
  gsize value = GPOINTER_TO_SIZE (g_task_propagate_pointer (G_TASK (result), error));

  *deleted = value > 1;
  return value != 0;
}
