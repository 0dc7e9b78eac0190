/* tto-relay-store-topics.c: the topic tree of each event
 *
 * Only the tree: ids, parents, the titles members chose, who made a topic
 * and when. Which message is in which topic lives in relay memory with the
 * messages; proposals (which quote tags) never come here. The rows go with
 * the event (foreign key, ON DELETE CASCADE).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <string.h>

#include "tto-relay-store-private.h"
#include "tto-relay-topics.h"

/* origin_id is the id (never the text) of the message a topic was started
 * from: from_msg_id on the wire. */
const char *const tto_relay_store_topics_schema[] = {
  "CREATE TABLE topics ("
  " event_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " parent_id VARCHAR(16) CHARACTER SET ascii NOT NULL,"
  " title VARCHAR(80) NOT NULL,"
  " origin_id CHAR(16) CHARACTER SET ascii NULL,"
  " created_by CHAR(16) CHARACTER SET ascii NULL,"
  " created_at BIGINT NOT NULL,"
  " position BIGINT NOT NULL,"
  " PRIMARY KEY (event_id, id),"
  " INDEX topics_created_by (created_by),"
  " CONSTRAINT topics_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE,"
  " CONSTRAINT topics_creator FOREIGN KEY (created_by) REFERENCES identities (id)"
  "  ON DELETE SET NULL"
  ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
  NULL
};

/* Start-up only, before the main loop runs: every topic of every event,
 * parents before their sub-topics. */
gboolean
tto_relay_store_load_topics (TtoRelayStore *store,
                             TtoRelayStoreTopicFunc func,
                             gpointer user_data,
                             GError **error)
{
  MYSQL *db = tto_store_get_startup_db (store);
  g_autoptr (MYSQL_RES) result = NULL;
  MYSQL_ROW row;

  if (!tto_store_exec (db,
                       "SELECT event_id, id, parent_id, title, origin_id, created_by, created_at,"
                       " position FROM topics ORDER BY event_id, position",
                       error))
    return FALSE;

  result = mysql_store_result (db);
  while (result != NULL && (row = mysql_fetch_row (result)) != NULL)
    {
      TtoRelayStoredTopic topic = {
        row[0], row[1], row[2], row[3], row[4], row[5], tto_store_row_int (row[6]),
        tto_store_row_int (row[7]),
      };

      func (&topic, user_data);
    }

  return TRUE;
}

typedef struct
{
  char *event_id;
  char *id;
  char *parent_id;
  char *title;
  char *from_msg_id;
  char *created_by;
  gint64 created_at;
  gint64 position;
} TopicData;

static void
topic_data_free (gpointer data)
{
  TopicData *d = data;

  g_free (d->event_id);
  g_free (d->id);
  g_free (d->parent_id);
  g_free (d->title);
  g_free (d->from_msg_id);
  g_free (d->created_by);
  g_free (d);
}

static TopicData *
topic_data_new (const char *event_id,
                const char *id)
{
  TopicData *d = g_new0 (TopicData, 1);

  d->event_id = g_strdup (event_id);
  d->id = g_strdup (id);
  return d;
}

static gpointer
insert_topic_job (MYSQL *db,
                  gpointer data,
                  GError **error)
{
  TopicData *d = data;
  g_autofree char *event_id = tto_store_quote (db, d->event_id);
  g_autofree char *id = tto_store_quote (db, d->id);
  g_autofree char *parent_id = tto_store_quote (db, d->parent_id);
  g_autofree char *title = tto_store_quote (db, d->title);
  g_autofree char *from_msg_id = tto_store_quote (db, d->from_msg_id);
  g_autofree char *created_by = tto_store_quote (db, d->created_by);

  if (!tto_store_execf (db, error,
                        "INSERT INTO topics (event_id, id, parent_id, title, origin_id,"
                        " created_by, created_at, position)"
                        " VALUES (%s, %s, %s, %s, %s, %s, %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                        ")",
                        event_id, id, parent_id, title, from_msg_id, created_by, d->created_at,
                        d->position))
    return NULL;

  return GINT_TO_POINTER (TRUE);
}

/* Finish with tto_relay_store_finish (). */
void
tto_relay_store_insert_topic_async (TtoRelayStore *store,
                                    const TtoRelayStoredTopic *topic,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  TopicData *d = topic_data_new (topic->event_id, topic->id);

  d->parent_id = g_strdup (topic->parent_id);
  d->title = g_strdup (topic->title);
  d->from_msg_id = g_strdup (topic->from_msg_id);
  d->created_by = g_strdup (topic->created_by);
  d->created_at = topic->created_at;
  d->position = topic->position;
  tto_store_run (store, tto_relay_store_insert_topic_async, insert_topic_job, d, topic_data_free,
                 callback, user_data);
}

static gpointer
rename_topic_job (MYSQL *db,
                  gpointer data,
                  GError **error)
{
  TopicData *d = data;
  g_autofree char *event_id = tto_store_quote (db, d->event_id);
  g_autofree char *id = tto_store_quote (db, d->id);
  g_autofree char *title = tto_store_quote (db, d->title);

  if (!tto_store_execf (db, error, "UPDATE topics SET title = %s WHERE event_id = %s AND id = %s",
                        title, event_id, id))
    return NULL;

  return GINT_TO_POINTER (TRUE);
}

void
tto_relay_store_rename_topic_async (TtoRelayStore *store,
                                    const char *event_id,
                                    const char *topic_id,
                                    const char *title,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  TopicData *d = topic_data_new (event_id, topic_id);

  d->title = g_strdup (title);
  tto_store_run (store, tto_relay_store_rename_topic_async, rename_topic_job, d, topic_data_free,
                 callback, user_data);
}

static gboolean
remove_topic_body (MYSQL *db,
                   gpointer data,
                   GError **error)
{
  TopicData *d = data;
  g_autofree char *event_id = tto_store_quote (db, d->event_id);
  g_autofree char *id = tto_store_quote (db, d->id);
  g_autofree char *parent_id = tto_store_quote (db, d->parent_id);

  /* Its sub-topics move up to its parent. */
  return tto_store_execf (db, error,
                          "UPDATE topics SET parent_id = %s WHERE event_id = %s AND parent_id = %s",
                          parent_id, event_id, id) &&
         tto_store_execf (db, error, "DELETE FROM topics WHERE event_id = %s AND id = %s",
                          event_id, id);
}

static gpointer
remove_topic_job (MYSQL *db,
                  gpointer data,
                  GError **error)
{
  if (!tto_store_in_transaction (db, remove_topic_body, data, error))
    return NULL;

  return GINT_TO_POINTER (TRUE);
}

/* Deletes the topic and gives its sub-topics @parent_id. */
void
tto_relay_store_remove_topic_async (TtoRelayStore *store,
                                    const char *event_id,
                                    const char *topic_id,
                                    const char *parent_id,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  TopicData *d = topic_data_new (event_id, topic_id);

  d->parent_id = g_strdup (parent_id);
  tto_store_run (store, tto_relay_store_remove_topic_async, remove_topic_job, d, topic_data_free,
                 callback, user_data);
}
