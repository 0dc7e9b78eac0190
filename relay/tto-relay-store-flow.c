/* tto-relay-store-flow.c: the event flow's rows
 *
 * A flow is small (at most 30 stages of 50 tasks), so every change writes
 * the whole flow of the event again in one transaction: the rows always
 * match one state the relay answered with. Rows naming a member reference
 * members (event_id, identity_id), so they go when the member or the event
 * goes. Form answers and points reasons never come here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <string.h>

#include "tto-relay-flow.h"
#include "tto-relay-store-private.h"
#include "tto-util.h"

#define EVENT_FK(table)                                                                          \
  " CONSTRAINT " table "_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE"
#define MEMBER_FK(table)                                                                         \
  " CONSTRAINT " table "_member FOREIGN KEY (event_id, identity_id)"                              \
  " REFERENCES members (event_id, identity_id) ON DELETE CASCADE"

const char *const tto_relay_store_flow_schema[] = {
  "CREATE TABLE flow_rules ("
  " event_id CHAR(16) CHARACTER SET ascii NOT NULL PRIMARY KEY,"
  " current_stage INT NOT NULL,"
  " points_on TINYINT(1) NOT NULL,"
  " approval_mode VARCHAR(16) CHARACTER SET ascii NULL,"
  " approval_members TEXT CHARACTER SET ascii NOT NULL,"
  " approval_count INT NOT NULL,"
  " elimination_on TINYINT(1) NOT NULL,"
  " below_points BIGINT NULL,"
  " missed_required TINYINT(1) NOT NULL,"
  " pending_direction VARCHAR(8) CHARACTER SET ascii NULL,"
  " pending_conclusion TEXT NULL,"
  " pending_by CHAR(16) CHARACTER SET ascii NULL,"
  " pending_approvals TEXT CHARACTER SET ascii NULL,"
  EVENT_FK ("flow_rules")
  ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
  "CREATE TABLE stages ("
  " event_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " position INT NOT NULL,"
  " title VARCHAR(120) NOT NULL,"
  " status VARCHAR(16) CHARACTER SET ascii NOT NULL,"
  " started_at BIGINT NULL,"
  " ended_at BIGINT NULL,"
  " conclusion TEXT NULL,"
  " participants TEXT CHARACTER SET ascii NOT NULL,"
  " PRIMARY KEY (event_id, id),"
  EVENT_FK ("stages")
  ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
  "CREATE TABLE tasks ("
  " event_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " stage_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " position INT NOT NULL,"
  " title VARCHAR(120) NOT NULL,"
  " form VARCHAR(16) CHARACTER SET ascii NOT NULL,"
  " required TINYINT(1) NOT NULL,"
  " fields TEXT NULL,"
  " call_participants TEXT CHARACTER SET ascii NULL,"
  " call_min_seconds INT NULL,"
  " meeting_id CHAR(16) CHARACTER SET ascii NULL,"
  " status VARCHAR(16) CHARACTER SET ascii NOT NULL,"
  " PRIMARY KEY (event_id, id),"
  EVENT_FK ("tasks")
  ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
  "CREATE TABLE task_done ("
  " event_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " task_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " identity_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " position INT NOT NULL,"
  " PRIMARY KEY (event_id, task_id, identity_id),"
  EVENT_FK ("task_done") ","
  MEMBER_FK ("task_done")
  ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
  "CREATE TABLE points ("
  " event_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " identity_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " total BIGINT NOT NULL,"
  " PRIMARY KEY (event_id, identity_id),"
  EVENT_FK ("points") ","
  MEMBER_FK ("points")
  ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
  "CREATE TABLE eliminated ("
  " event_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " identity_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " position INT NOT NULL,"
  " PRIMARY KEY (event_id, identity_id),"
  EVENT_FK ("eliminated") ","
  MEMBER_FK ("eliminated")
  ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
  "CREATE TABLE meetings ("
  " event_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " position INT NOT NULL,"
  " title VARCHAR(120) NOT NULL,"
  " starts_at BIGINT NOT NULL,"
  " ends_at BIGINT NOT NULL,"
  " place VARCHAR(200) NOT NULL,"
  " lat DOUBLE NULL,"
  " lon DOUBLE NULL,"
  " agenda TEXT NOT NULL,"
  " PRIMARY KEY (event_id, id),"
  EVENT_FK ("meetings")
  ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
  "CREATE TABLE meeting_attended ("
  " event_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " meeting_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " identity_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " position INT NOT NULL,"
  " PRIMARY KEY (event_id, meeting_id, identity_id),"
  EVENT_FK ("meeting_attended") ","
  MEMBER_FK ("meeting_attended")
  ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
  NULL
};

static const char *const flow_tables[] = {
  "meeting_attended", "meetings", "eliminated", "points", "task_done", "tasks", "stages",
  "flow_rules", NULL
};

/* Helpers over the flow object */

static const char *
str_or_null (JsonObject *object,
             const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
int_or_zero (JsonObject *object,
             const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  return json_node_get_int (node);
}

static char *
join_ids (JsonArray *array)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      if (i > 0)
        g_string_append_c (s, ',');
      g_string_append (s, json_array_get_string_element (array, i));
    }

  return g_string_free (s, FALSE);
}

static JsonArray *
split_ids (const char *joined)
{
  JsonArray *array = json_array_new ();
  g_auto (GStrv) ids = NULL;

  if (joined == NULL || joined[0] == '\0')
    return array;

  ids = g_strsplit (joined, ",", -1);
  for (guint i = 0; ids[i] != NULL; i++)
    json_array_add_string_element (array, ids[i]);

  return array;
}

static JsonArray *
array_or_null (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static char *
quote_or_null (MYSQL *db,
               const char *value)
{
  return tto_store_quote (db, value);
}

/* The rows of members in @ids; a member who left meanwhile is skipped (the
 * select finds no members row), so no row outlives its member. */
static gboolean
insert_member_rows (MYSQL *db,
                    const char *table,
                    const char *quoted_event,
                    const char *extra_columns,
                    const char *extra_values,
                    JsonArray *ids,
                    GError **error)
{
  for (guint i = 0; ids != NULL && i < json_array_get_length (ids); i++)
    {
      g_autofree char *identity = tto_store_quote (db, json_array_get_string_element (ids, i));

      if (!tto_store_execf (db, error,
                            "INSERT IGNORE INTO %s (event_id, identity_id, position%s)"
                            " SELECT event_id, identity_id, %u%s FROM members"
                            " WHERE event_id = %s AND identity_id = %s",
                            table, extra_columns, i, extra_values, quoted_event, identity))
        return FALSE;
    }

  return TRUE;
}

typedef struct
{
  char *event_id;
  JsonObject *flow;
} SaveData;

static void
save_data_free (gpointer data)
{
  SaveData *d = data;

  g_free (d->event_id);
  g_clear_pointer (&d->flow, json_object_unref);
  g_free (d);
}

static gboolean
save_rules (MYSQL *db,
            const char *event_id,
            JsonObject *flow,
            GError **error)
{
  JsonObject *rules = json_object_get_object_member (flow, "rules");
  JsonNode *approval_node = json_object_get_member (rules, "approval");
  JsonNode *elimination_node = json_object_get_member (rules, "elimination");
  JsonNode *pending_node = json_object_get_member (flow, "pending");
  JsonObject *approval = JSON_NODE_HOLDS_OBJECT (approval_node) ? json_node_get_object (approval_node)
                                                                 : NULL;
  JsonObject *elimination = JSON_NODE_HOLDS_OBJECT (elimination_node)
                              ? json_node_get_object (elimination_node) : NULL;
  JsonObject *pending = JSON_NODE_HOLDS_OBJECT (pending_node) ? json_node_get_object (pending_node)
                                                               : NULL;
  g_autofree char *mode = quote_or_null (db, approval != NULL ? str_or_null (approval, "mode") : NULL);
  g_autofree char *members_joined = join_ids (approval != NULL ? array_or_null (approval, "members")
                                                                : NULL);
  g_autofree char *members = tto_store_quote (db, members_joined);
  g_autofree char *below = NULL;
  g_autofree char *direction = quote_or_null (db, pending != NULL ? str_or_null (pending, "direction")
                                                                   : NULL);
  g_autofree char *conclusion = quote_or_null (db, pending != NULL ? str_or_null (pending, "conclusion")
                                                                    : NULL);
  g_autofree char *by = quote_or_null (db, pending != NULL ? str_or_null (pending, "requested_by")
                                                            : NULL);
  g_autofree char *approvals_joined = pending != NULL ? join_ids (array_or_null (pending, "approvals"))
                                                      : NULL;
  g_autofree char *approvals = quote_or_null (db, approvals_joined);

  if (elimination != NULL && json_object_has_member (elimination, "below_points") &&
      !json_object_get_null_member (elimination, "below_points"))
    below = g_strdup_printf ("%" G_GINT64_FORMAT,
                             json_object_get_int_member (elimination, "below_points"));
  else
    below = g_strdup ("NULL");

  return tto_store_execf (db, error,
                          "INSERT INTO flow_rules (event_id, current_stage, points_on,"
                          " approval_mode, approval_members, approval_count, elimination_on,"
                          " below_points, missed_required, pending_direction, pending_conclusion,"
                          " pending_by, pending_approvals) VALUES (%s, %" G_GINT64_FORMAT
                          ", %d, %s, %s, %" G_GINT64_FORMAT ", %d, %s, %d, %s, %s, %s, %s)",
                          event_id, int_or_zero (flow, "current"),
                          json_object_get_boolean_member_with_default (rules, "points", FALSE),
                          mode, members, approval != NULL ? int_or_zero (approval, "count") : 0,
                          elimination != NULL, below,
                          elimination != NULL &&
                            json_object_get_boolean_member_with_default (elimination,
                                                                         "missed_required_task",
                                                                         FALSE),
                          direction, conclusion, by, approvals);
}

static gboolean
save_task (MYSQL *db,
           const char *event_id,
           const char *stage_id,
           guint position,
           JsonObject *task,
           GError **error)
{
  g_autofree char *id = tto_store_quote (db, str_or_null (task, "id"));
  g_autofree char *title = tto_store_quote (db, str_or_null (task, "title"));
  g_autofree char *form = tto_store_quote (db, str_or_null (task, "form"));
  g_autofree char *status = tto_store_quote (db, str_or_null (task, "status"));
  g_autofree char *meeting = quote_or_null (db, str_or_null (task, "meeting_id"));
  g_autofree char *fields_text = NULL;
  g_autofree char *fields = NULL;
  g_autofree char *call_ids = NULL;
  g_autofree char *call_quoted = NULL;
  g_autofree char *min_seconds = NULL;
  g_autofree char *extra_values = NULL;
  JsonArray *field_array = array_or_null (task, "fields");
  JsonNode *call_node = json_object_get_member (task, "call");

  if (field_array != NULL)
    {
      g_autoptr (JsonNode) node = json_node_new (JSON_NODE_ARRAY);

      json_node_set_array (node, field_array);
      fields_text = json_to_string (node, FALSE);
    }
  fields = quote_or_null (db, fields_text);

  if (call_node != NULL && JSON_NODE_HOLDS_OBJECT (call_node))
    {
      JsonObject *call = json_node_get_object (call_node);

      call_ids = join_ids (array_or_null (call, "participants"));
      min_seconds = g_strdup_printf ("%" G_GINT64_FORMAT, int_or_zero (call, "min_seconds"));
    }
  call_quoted = quote_or_null (db, call_ids);

  if (!tto_store_execf (db, error,
                        "INSERT INTO tasks (event_id, id, stage_id, position, title, form,"
                        " required, fields, call_participants, call_min_seconds, meeting_id,"
                        " status) VALUES (%s, %s, %s, %u, %s, %s, %d, %s, %s, %s, %s, %s)",
                        event_id, id, stage_id, position, title, form,
                        json_object_get_boolean_member_with_default (task, "required", FALSE),
                        fields, call_quoted, min_seconds != NULL ? min_seconds : "NULL", meeting,
                        status))
    return FALSE;

  extra_values = g_strdup_printf (", %s", id);
  return insert_member_rows (db, "task_done", event_id, ", task_id", extra_values,
                             array_or_null (task, "done_by"), error);
}

static gboolean
save_body (MYSQL *db,
           gpointer data,
           GError **error)
{
  SaveData *d = data;
  g_autofree char *event_id = tto_store_quote (db, d->event_id);
  JsonArray *stages = array_or_null (d->flow, "stages");
  JsonArray *meetings = array_or_null (d->flow, "meetings");
  JsonObject *points = json_object_get_object_member (d->flow, "points");
  g_autoptr (GList) point_ids = json_object_get_members (points);

  for (guint i = 0; flow_tables[i] != NULL; i++)
    if (!tto_store_execf (db, error, "DELETE FROM %s WHERE event_id = %s", flow_tables[i],
                          event_id))
      return FALSE;

  if (!save_rules (db, event_id, d->flow, error))
    return FALSE;

  for (guint i = 0; stages != NULL && i < json_array_get_length (stages); i++)
    {
      JsonObject *stage = json_array_get_object_element (stages, i);
      JsonArray *tasks = array_or_null (stage, "tasks");
      g_autofree char *id = tto_store_quote (db, str_or_null (stage, "id"));
      g_autofree char *title = tto_store_quote (db, str_or_null (stage, "title"));
      g_autofree char *status = tto_store_quote (db, str_or_null (stage, "status"));
      g_autofree char *started = tto_store_quote_int_or_null (int_or_zero (stage, "started_at"));
      g_autofree char *ended = tto_store_quote_int_or_null (int_or_zero (stage, "ended_at"));
      g_autofree char *conclusion = quote_or_null (db, str_or_null (stage, "conclusion"));
      g_autofree char *joined = join_ids (array_or_null (stage, "participant_ids"));
      g_autofree char *participants = tto_store_quote (db, joined);

      if (!tto_store_execf (db, error,
                            "INSERT INTO stages (event_id, id, position, title, status,"
                            " started_at, ended_at, conclusion, participants)"
                            " VALUES (%s, %s, %u, %s, %s, %s, %s, %s, %s)",
                            event_id, id, i, title, status, started, ended, conclusion,
                            participants))
        return FALSE;

      for (guint j = 0; tasks != NULL && j < json_array_get_length (tasks); j++)
        if (!save_task (db, event_id, id, j, json_array_get_object_element (tasks, j), error))
          return FALSE;
    }

  for (GList *l = point_ids; l != NULL; l = l->next)
    {
      g_autofree char *identity = tto_store_quote (db, l->data);

      if (!tto_store_execf (db, error,
                            "INSERT IGNORE INTO points (event_id, identity_id, total)"
                            " SELECT event_id, identity_id, %" G_GINT64_FORMAT " FROM members"
                            " WHERE event_id = %s AND identity_id = %s",
                            json_object_get_int_member (points, l->data), event_id, identity))
        return FALSE;
    }

  if (!insert_member_rows (db, "eliminated", event_id, "", "",
                           array_or_null (d->flow, "eliminated"), error))
    return FALSE;

  for (guint i = 0; meetings != NULL && i < json_array_get_length (meetings); i++)
    {
      JsonObject *meeting = json_array_get_object_element (meetings, i);
      g_autofree char *id = tto_store_quote (db, str_or_null (meeting, "id"));
      g_autofree char *title = tto_store_quote (db, str_or_null (meeting, "title"));
      g_autofree char *place = tto_store_quote (db, str_or_null (meeting, "place"));
      g_autofree char *agenda = tto_store_quote (db, str_or_null (meeting, "agenda"));
      g_autofree char *lat = NULL;
      g_autofree char *lon = NULL;
      g_autofree char *extra_values = NULL;
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      if (json_object_get_null_member (meeting, "lat"))
        {
          lat = g_strdup ("NULL");
          lon = g_strdup ("NULL");
        }
      else
        {
          lat = g_strdup (g_ascii_dtostr (buffer, sizeof buffer,
                                          json_object_get_double_member (meeting, "lat")));
          lon = g_strdup (g_ascii_dtostr (buffer, sizeof buffer,
                                          json_object_get_double_member (meeting, "lon")));
        }

      if (!tto_store_execf (db, error,
                            "INSERT INTO meetings (event_id, id, position, title, starts_at,"
                            " ends_at, place, lat, lon, agenda) VALUES (%s, %s, %u, %s, %"
                            G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", %s, %s, %s, %s)",
                            event_id, id, i, title, int_or_zero (meeting, "starts_at"),
                            int_or_zero (meeting, "ends_at"), place, lat, lon, agenda))
        return FALSE;

      extra_values = g_strdup_printf (", %s", id);
      if (!insert_member_rows (db, "meeting_attended", event_id, ", meeting_id", extra_values,
                               array_or_null (meeting, "attended"), error))
        return FALSE;
    }

  return TRUE;
}

static gpointer
save_job (MYSQL *db,
          gpointer data,
          GError **error)
{
  return tto_store_in_transaction (db, save_body, data, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

void
tto_relay_store_save_flow_async (TtoRelayStore *store,
                                 const char *event_id,
                                 JsonObject *flow,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  SaveData *d = g_new0 (SaveData, 1);

  d->event_id = g_strdup (event_id);
  d->flow = flow;
  tto_store_run (store, tto_relay_store_save_flow_async, save_job, d, save_data_free, callback,
                 user_data);
}

/* Start-up */

static MYSQL_RES *
query (MYSQL *db,
       const char *sql,
       GError **error)
{
  if (!tto_store_exec (db, sql, error))
    return NULL;

  return mysql_store_result (db);
}

static void
set_int_or_null (JsonObject *object,
                 const char *name,
                 const char *value)
{
  if (value == NULL)
    json_object_set_null_member (object, name);
  else
    json_object_set_int_member (object, name, tto_store_row_int (value));
}

static void
set_string_or_null (JsonObject *object,
                    const char *name,
                    const char *value)
{
  if (value == NULL)
    json_object_set_null_member (object, name);
  else
    json_object_set_string_member (object, name, value);
}

static JsonObject *
find_by_id (JsonArray *array,
            const char *id)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member (object, "id"), id) == 0)
        return object;
    }

  return NULL;
}

static JsonObject *
find_task (JsonObject *flow,
           const char *task_id)
{
  JsonArray *stages = json_object_get_array_member (flow, "stages");

  for (guint i = 0; i < json_array_get_length (stages); i++)
    {
      JsonObject *task = find_by_id (json_object_get_array_member (
                                       json_array_get_object_element (stages, i), "tasks"),
                                     task_id);

      if (task != NULL)
        return task;
    }

  return NULL;
}

gboolean
tto_relay_store_load_flows (TtoRelayStore *store,
                            TtoRelayStoreFlowFunc func,
                            gpointer user_data,
                            GError **error)
{
  MYSQL *db = tto_store_get_startup_db (store);
  g_autoptr (GHashTable) flows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) json_object_unref);
  g_autoptr (MYSQL_RES) result = NULL;
  GHashTableIter iter;
  gpointer key, value;
  MYSQL_ROW row;

  result = query (db,
                  "SELECT event_id, current_stage, points_on, approval_mode, approval_members,"
                  " approval_count, elimination_on, below_points, missed_required,"
                  " pending_direction, pending_conclusion, pending_by, pending_approvals"
                  " FROM flow_rules",
                  error);
  if (result == NULL && error != NULL && *error != NULL)
    return FALSE;
  while (result != NULL && (row = mysql_fetch_row (result)) != NULL)
    {
      JsonObject *flow = json_object_new ();
      JsonObject *rules = json_object_new ();

      json_object_set_array_member (flow, "stages", json_array_new ());
      json_object_set_int_member (flow, "current", tto_store_row_int (row[1]));
      json_object_set_boolean_member (rules, "points", tto_store_row_int (row[2]) != 0);
      if (row[3] != NULL)
        {
          JsonObject *approval = json_object_new ();

          json_object_set_string_member (approval, "mode", row[3]);
          json_object_set_array_member (approval, "members", split_ids (row[4]));
          json_object_set_int_member (approval, "count", tto_store_row_int (row[5]));
          json_object_set_object_member (rules, "approval", approval);
        }
      else
        json_object_set_null_member (rules, "approval");
      if (tto_store_row_int (row[6]) != 0)
        {
          JsonObject *elimination = json_object_new ();

          set_int_or_null (elimination, "below_points", row[7]);
          json_object_set_boolean_member (elimination, "missed_required_task",
                                          tto_store_row_int (row[8]) != 0);
          json_object_set_object_member (rules, "elimination", elimination);
        }
      else
        json_object_set_null_member (rules, "elimination");
      json_object_set_object_member (flow, "rules", rules);
      json_object_set_object_member (flow, "points", json_object_new ());
      json_object_set_array_member (flow, "eliminated", json_array_new ());
      if (row[9] != NULL)
        {
          JsonObject *pending = json_object_new ();

          json_object_set_string_member (pending, "direction", row[9]);
          json_object_set_string_member (pending, "conclusion", row[10] != NULL ? row[10] : "");
          json_object_set_string_member (pending, "requested_by", row[11] != NULL ? row[11] : "");
          json_object_set_array_member (pending, "approvals", split_ids (row[12]));
          json_object_set_object_member (flow, "pending", pending);
        }
      else
        json_object_set_null_member (flow, "pending");
      json_object_set_array_member (flow, "meetings", json_array_new ());
      g_hash_table_insert (flows, g_strdup (row[0]), flow);
    }
  g_clear_pointer (&result, mysql_free_result);

  result = query (db,
                  "SELECT event_id, id, title, status, started_at, ended_at, conclusion,"
                  " participants FROM stages ORDER BY event_id, position",
                  error);
  while (result != NULL && (row = mysql_fetch_row (result)) != NULL)
    {
      JsonObject *flow = g_hash_table_lookup (flows, row[0]);
      JsonObject *stage;

      if (flow == NULL)
        continue;
      stage = json_object_new ();
      json_object_set_string_member (stage, "id", row[1]);
      json_object_set_string_member (stage, "title", row[2]);
      json_object_set_string_member (stage, "status", row[3]);
      set_int_or_null (stage, "started_at", row[4]);
      set_int_or_null (stage, "ended_at", row[5]);
      set_string_or_null (stage, "conclusion", row[6]);
      json_object_set_array_member (stage, "participant_ids", split_ids (row[7]));
      json_object_set_array_member (stage, "tasks", json_array_new ());
      json_array_add_object_element (json_object_get_array_member (flow, "stages"), stage);
    }
  g_clear_pointer (&result, mysql_free_result);

  result = query (db,
                  "SELECT event_id, id, stage_id, title, form, required, fields,"
                  " call_participants, call_min_seconds, meeting_id, status"
                  " FROM tasks ORDER BY event_id, stage_id, position",
                  error);
  while (result != NULL && (row = mysql_fetch_row (result)) != NULL)
    {
      JsonObject *flow = g_hash_table_lookup (flows, row[0]);
      JsonObject *stage = flow != NULL ? find_by_id (json_object_get_array_member (flow, "stages"),
                                                     row[2])
                                       : NULL;
      JsonObject *task;

      if (stage == NULL)
        continue;
      task = json_object_new ();
      json_object_set_string_member (task, "id", row[1]);
      json_object_set_string_member (task, "title", row[3]);
      json_object_set_string_member (task, "form", row[4]);
      json_object_set_boolean_member (task, "required", tto_store_row_int (row[5]) != 0);
      if (row[6] != NULL)
        {
          g_autoptr (JsonNode) node = json_from_string (row[6], NULL);

          if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
            json_object_set_array_member (task, "fields",
                                          json_array_ref (json_node_get_array (node)));
        }
      if (row[7] != NULL)
        {
          JsonObject *call = json_object_new ();

          json_object_set_array_member (call, "participants", split_ids (row[7]));
          json_object_set_int_member (call, "min_seconds", tto_store_row_int (row[8]));
          json_object_set_object_member (task, "call", call);
        }
      else
        json_object_set_null_member (task, "call");
      set_string_or_null (task, "meeting_id", row[9]);
      json_object_set_array_member (task, "done_by", json_array_new ());
      json_object_set_string_member (task, "status", row[10]);
      json_array_add_object_element (json_object_get_array_member (stage, "tasks"), task);
    }
  g_clear_pointer (&result, mysql_free_result);

  result = query (db, "SELECT event_id, task_id, identity_id FROM task_done"
                      " ORDER BY event_id, task_id, position", error);
  while (result != NULL && (row = mysql_fetch_row (result)) != NULL)
    {
      JsonObject *flow = g_hash_table_lookup (flows, row[0]);
      JsonObject *task = flow != NULL ? find_task (flow, row[1]) : NULL;

      if (task != NULL)
        json_array_add_string_element (json_object_get_array_member (task, "done_by"), row[2]);
    }
  g_clear_pointer (&result, mysql_free_result);

  result = query (db, "SELECT event_id, identity_id, total FROM points", error);
  while (result != NULL && (row = mysql_fetch_row (result)) != NULL)
    {
      JsonObject *flow = g_hash_table_lookup (flows, row[0]);

      if (flow != NULL)
        json_object_set_int_member (json_object_get_object_member (flow, "points"), row[1],
                                    tto_store_row_int (row[2]));
    }
  g_clear_pointer (&result, mysql_free_result);

  result = query (db, "SELECT event_id, identity_id FROM eliminated ORDER BY event_id, position",
                  error);
  while (result != NULL && (row = mysql_fetch_row (result)) != NULL)
    {
      JsonObject *flow = g_hash_table_lookup (flows, row[0]);

      if (flow != NULL)
        json_array_add_string_element (json_object_get_array_member (flow, "eliminated"), row[1]);
    }
  g_clear_pointer (&result, mysql_free_result);

  result = query (db,
                  "SELECT event_id, id, title, starts_at, ends_at, place, lat, lon, agenda"
                  " FROM meetings ORDER BY event_id, position",
                  error);
  while (result != NULL && (row = mysql_fetch_row (result)) != NULL)
    {
      JsonObject *flow = g_hash_table_lookup (flows, row[0]);
      JsonObject *meeting;

      if (flow == NULL)
        continue;
      meeting = json_object_new ();
      json_object_set_string_member (meeting, "id", row[1]);
      json_object_set_string_member (meeting, "title", row[2]);
      json_object_set_int_member (meeting, "starts_at", tto_store_row_int (row[3]));
      json_object_set_int_member (meeting, "ends_at", tto_store_row_int (row[4]));
      json_object_set_string_member (meeting, "place", row[5]);
      if (row[6] != NULL && row[7] != NULL)
        {
          json_object_set_double_member (meeting, "lat", g_ascii_strtod (row[6], NULL));
          json_object_set_double_member (meeting, "lon", g_ascii_strtod (row[7], NULL));
        }
      else
        {
          json_object_set_null_member (meeting, "lat");
          json_object_set_null_member (meeting, "lon");
        }
      json_object_set_string_member (meeting, "agenda", row[8]);
      json_object_set_array_member (meeting, "attended", json_array_new ());
      json_array_add_object_element (json_object_get_array_member (flow, "meetings"), meeting);
    }
  g_clear_pointer (&result, mysql_free_result);

  result = query (db, "SELECT event_id, meeting_id, identity_id FROM meeting_attended"
                      " ORDER BY event_id, meeting_id, position", error);
  while (result != NULL && (row = mysql_fetch_row (result)) != NULL)
    {
      JsonObject *flow = g_hash_table_lookup (flows, row[0]);
      JsonObject *meeting = flow != NULL ? find_by_id (json_object_get_array_member (flow,
                                                                                     "meetings"),
                                                       row[1])
                                         : NULL;

      if (meeting != NULL)
        json_array_add_string_element (json_object_get_array_member (meeting, "attended"), row[2]);
    }
  g_clear_pointer (&result, mysql_free_result);

  if (error != NULL && *error != NULL)
    return FALSE;

  g_hash_table_iter_init (&iter, flows);
  while (g_hash_table_iter_next (&iter, &key, &value))
    func (key, value, user_data);

  return TRUE;
}
