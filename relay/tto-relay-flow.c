/* tto-relay-flow.c: the event flow: stages, rules, points, tasks with a
 * required form, offline meetings
 *
 * The flow of an event is one small object, held as the JSON of
 * PROTOCOL.md ("Event flow") on the room. Every change runs as an Op: it
 * is applied to a copy, the copy is written to the database (the whole
 * flow, one transaction), and only then becomes the live flow, is answered
 * and pushed. Ops of one event run one at a time, in arrival order, so two
 * editors never overwrite each other's change.
 *
 * Form answers and points reasons are member content: they stay here, in
 * RAM, and are wiped when a task goes or the event ends.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <stdio.h>
#include <string.h>

#include "tto-ids.h"
#include "tto-relay-flow.h"
#include "tto-util.h"

typedef struct
{
  char *identity_id;
  JsonObject *answers; /* text_form */
  char *blob_id;       /* file, voice_message, video_message */
  gint64 ts;           /* ms */
} Answer;

typedef struct
{
  char *identity_id;
  gint64 delta;
  char *reason;
  char *by;
  gint64 ts; /* ms */
} Award;

typedef struct
{
  TtoRelay *relay;
  char *event_id;
  JsonObject *state;        /* the flow object, without participant counts */
  GHashTable *participants; /* stage id → GHashTable set of identity ids */
  GHashTable *answers;      /* task id → GPtrArray of Answer */
  GPtrArray *awards;        /* Award, oldest first */
  GQueue ops;               /* Op waiting for the one in flight */
  gboolean busy;            /* an Op's write is in flight */
} Flow;

/* A system message: the English line older clients show, and the same as
 * data (PROTOCOL.md "system_event") for clients that word it themselves. */
typedef struct
{
  char *text;
  JsonObject *event;
} Announcement;

typedef struct _Op Op;

typedef gboolean (*OpApply) (Op *op,
                             Flow *flow,
                             TtoRelayRoom *room,
                             JsonObject *draft,
                             GError **error);

struct _Op
{
  TtoRelay *relay;
  TtoRelayConn *conn; /* NULL for the relay's own changes */
  char *id;
  char *identity_id;
  char *event_id;
  JsonObject *body; /* a copy of the request's body, wiped when freed */
  OpApply apply;

  gboolean changed;
  JsonObject *draft;
  JsonObject *reply;          /* members of the ok body beside "flow" */
  GPtrArray *announcements;   /* Announcement: chat messages the change posts */
  char *system_sender;
  Answer *answer;             /* task.complete */
  char *answer_task_id;
  Award *award;               /* points.award */
  GPtrArray *active_participants; /* took part in the active stage */
  GPtrArray *wipe_tasks;      /* tasks gone: their answers go */
};

static void run_next (Flow *flow);

/* Wiping */

static void
wipe_node (JsonNode *node)
{
  if (node == NULL)
    return;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autoptr (GList) values = json_object_get_values (json_node_get_object (node));

      for (GList *l = values; l != NULL; l = l->next)
        wipe_node (l->data);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        wipe_node (json_array_get_element (array, i));
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      char *s = (char *) json_node_get_string (node);

      if (s != NULL)
        explicit_bzero (s, strlen (s));
    }
}

static void
wipe_object_unref (JsonObject *object)
{
  g_autoptr (JsonNode) node = NULL;

  if (object == NULL)
    return;

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);
  wipe_node (node);
  json_object_unref (object);
}

static void
answer_free (gpointer data)
{
  Answer *answer = data;

  g_free (answer->identity_id);
  wipe_object_unref (answer->answers);
  g_free (answer->blob_id);
  g_free (answer);
}

static void
award_free (gpointer data)
{
  Award *award = data;

  g_free (award->identity_id);
  tto_str_wipe_free (award->reason);
  g_free (award->by);
  g_free (award);
}

static void
announcement_free (gpointer data)
{
  Announcement *announcement = data;

  /* A stage change's conclusion is member text. */
  tto_str_wipe_free (announcement->text);
  wipe_object_unref (announcement->event);
  g_free (announcement);
}

static void
op_free (Op *op)
{
  if (op->conn != NULL)
    tto_relay_conn_unref (op->conn);
  g_free (op->id);
  g_free (op->identity_id);
  g_free (op->event_id);
  wipe_object_unref (op->body);
  g_clear_pointer (&op->draft, json_object_unref);
  g_clear_pointer (&op->reply, json_object_unref);
  g_clear_pointer (&op->announcements, g_ptr_array_unref);
  g_free (op->system_sender);
  g_clear_pointer (&op->answer, answer_free);
  g_free (op->answer_task_id);
  g_clear_pointer (&op->award, award_free);
  g_clear_pointer (&op->active_participants, g_ptr_array_unref);
  g_clear_pointer (&op->wipe_tasks, g_ptr_array_unref);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Op, op_free)

static gboolean
conn_is_open (TtoRelayConn *conn)
{
  return conn != NULL && conn->relay != NULL;
}

static void
flow_free (gpointer data)
{
  Flow *flow = data;
  Op *op;

  /* The event ended: requests still waiting learn it. */
  while ((op = g_queue_pop_head (&flow->ops)) != NULL)
    {
      if (conn_is_open (op->conn))
        tto_relay_reply_error (op->conn, op->id, TTO_PROTOCOL_ERROR_EXPIRED, "the event has ended");
      op_free (op);
    }

  g_free (flow->event_id);
  g_clear_pointer (&flow->state, json_object_unref);
  g_hash_table_unref (flow->participants);
  g_hash_table_unref (flow->answers);
  g_ptr_array_unref (flow->awards);
  g_free (flow);
}

/* JSON helpers */

static const char *
str_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
object_or_null (JsonObject *object,
                const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static gboolean
ids_contain (JsonArray *array,
             const char *id)
{
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), id) == 0)
      return TRUE;

  return FALSE;
}

static gboolean
ids_add (JsonArray *array,
         const char *id)
{
  if (ids_contain (array, id))
    return FALSE;

  json_array_add_string_element (array, id);
  return TRUE;
}

static gboolean
ids_remove (JsonArray *array,
            const char *id)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), id) == 0)
      {
        json_array_remove_element (array, i);
        return TRUE;
      }

  return FALSE;
}

/* A copy sharing nothing: op bodies are wiped when freed, and one array
 * must not sit in two places of the flow. */
static JsonArray *
copy_array (JsonArray *array)
{
  g_autoptr (JsonNode) node = json_node_init_array (json_node_alloc (), array);
  g_autoptr (JsonNode) copy = tto_json_node_deep_copy (node);

  return json_node_dup_array (copy);
}

static JsonArray *
stages_of (JsonObject *state)
{
  return json_object_get_array_member (state, "stages");
}

static guint
current_of (JsonObject *state)
{
  return (guint) json_object_get_int_member (state, "current");
}

static JsonObject *
stage_at (JsonObject *state,
          guint index)
{
  return json_array_get_object_element (stages_of (state), index);
}

static JsonObject *
find_stage (JsonObject *state,
            const char *stage_id,
            guint *out_index)
{
  JsonArray *stages = stages_of (state);

  for (guint i = 0; i < json_array_get_length (stages); i++)
    {
      JsonObject *stage = json_array_get_object_element (stages, i);

      if (g_strcmp0 (str_member (stage, "id"), stage_id) == 0)
        {
          if (out_index != NULL)
            *out_index = i;
          return stage;
        }
    }

  return NULL;
}

static JsonObject *
find_task (JsonObject *state,
           const char *task_id,
           guint *out_stage)
{
  JsonArray *stages = stages_of (state);

  for (guint i = 0; i < json_array_get_length (stages); i++)
    {
      JsonArray *tasks = json_object_get_array_member (json_array_get_object_element (stages, i),
                                                       "tasks");

      for (guint j = 0; j < json_array_get_length (tasks); j++)
        {
          JsonObject *task = json_array_get_object_element (tasks, j);

          if (g_strcmp0 (str_member (task, "id"), task_id) == 0)
            {
              if (out_stage != NULL)
                *out_stage = i;
              return task;
            }
        }
    }

  return NULL;
}

static JsonObject *
find_meeting (JsonObject *state,
              const char *meeting_id)
{
  JsonArray *meetings = json_object_get_array_member (state, "meetings");

  for (guint i = 0; i < json_array_get_length (meetings); i++)
    {
      JsonObject *meeting = json_array_get_object_element (meetings, i);

      if (g_strcmp0 (str_member (meeting, "id"), meeting_id) == 0)
        return meeting;
    }

  return NULL;
}

static JsonObject *
new_stage (const char *title,
           gboolean active,
           gint64 now)
{
  JsonObject *stage = json_object_new ();
  g_autofree char *id = tto_id_new ();

  json_object_set_string_member (stage, "id", id);
  json_object_set_string_member (stage, "title", title);
  json_object_set_string_member (stage, "status", active ? "active" : "pending");
  if (active)
    json_object_set_int_member (stage, "started_at", now);
  else
    json_object_set_null_member (stage, "started_at");
  json_object_set_null_member (stage, "ended_at");
  json_object_set_null_member (stage, "conclusion");
  json_object_set_array_member (stage, "tasks", json_array_new ());

  return stage;
}

static JsonObject *
new_state (const char *const *titles,
           gint64 now)
{
  /* The default stage is untitled: each client shows its own word for it. */
  static const char *const main_stage[] = { "", NULL };
  JsonObject *state = json_object_new ();
  JsonObject *rules = json_object_new ();
  JsonArray *stages = json_array_new ();

  if (titles == NULL || titles[0] == NULL)
    titles = main_stage;
  for (guint i = 0; titles[i] != NULL; i++)
    {
      g_autofree char *title = g_strstrip (g_strdup (titles[i]));

      json_array_add_object_element (stages, new_stage (title, i == 0, now));
    }

  json_object_set_boolean_member (rules, "points", FALSE);
  json_object_set_null_member (rules, "approval");
  json_object_set_null_member (rules, "elimination");

  json_object_set_array_member (state, "stages", stages);
  json_object_set_int_member (state, "current", 0);
  json_object_set_object_member (state, "rules", rules);
  json_object_set_object_member (state, "points", json_object_new ());
  json_object_set_array_member (state, "eliminated", json_array_new ());
  json_object_set_null_member (state, "pending");
  json_object_set_array_member (state, "meetings", json_array_new ());

  return state;
}

/* The flow object as members see it: participants counted. */
static JsonObject *
wire_flow (Flow *flow,
           JsonObject *state)
{
  JsonObject *object = tto_json_object_deep_copy (state);
  JsonArray *stages = stages_of (object);

  for (guint i = 0; i < json_array_get_length (stages); i++)
    {
      JsonObject *stage = json_array_get_object_element (stages, i);
      GHashTable *set = g_hash_table_lookup (flow->participants, str_member (stage, "id"));

      json_object_set_int_member (stage, "participants", set != NULL ? g_hash_table_size (set) : 0);
    }

  return object;
}

/* What the database gets: the flow with who took part in each stage. */
static JsonObject *
stored_flow (Flow *flow,
             JsonObject *state)
{
  JsonObject *object = tto_json_object_deep_copy (state);
  JsonArray *stages = stages_of (object);

  for (guint i = 0; i < json_array_get_length (stages); i++)
    {
      JsonObject *stage = json_array_get_object_element (stages, i);
      GHashTable *set = g_hash_table_lookup (flow->participants, str_member (stage, "id"));
      JsonArray *ids = json_array_new ();

      if (set != NULL)
        {
          g_autoptr (GList) keys = g_list_sort (g_hash_table_get_keys (set),
                                                (GCompareFunc) g_strcmp0);

          for (GList *l = keys; l != NULL; l = l->next)
            json_array_add_string_element (ids, l->data);
        }
      json_object_set_array_member (stage, "participant_ids", ids);
    }

  return object;
}

static void
add_participant (Flow *flow,
                 const char *stage_id,
                 const char *identity_id)
{
  GHashTable *set = g_hash_table_lookup (flow->participants, stage_id);

  if (set == NULL)
    {
      set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (flow->participants, g_strdup (stage_id), set);
    }
  if (!g_hash_table_contains (set, identity_id))
    g_hash_table_add (set, g_strdup (identity_id));
}

static Flow *
flow_new (TtoRelay *relay,
          TtoRelayRoom *room,
          JsonObject *state)
{
  Flow *flow = g_new0 (Flow, 1);

  flow->relay = relay;
  flow->event_id = g_strdup (tto_relay_room_get_id (room));
  flow->state = state;
  flow->participants = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) g_hash_table_unref);
  flow->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_ptr_array_unref);
  flow->awards = g_ptr_array_new_with_free_func (award_free);
  g_queue_init (&flow->ops);
  tto_relay_room_set_flow (room, flow, flow_free);

  return flow;
}

static Op *
op_new_internal (Flow *flow,
                 OpApply apply,
                 JsonObject *body)
{
  Op *op = g_new0 (Op, 1);

  op->relay = flow->relay;
  op->event_id = g_strdup (flow->event_id);
  op->body = body != NULL ? body : json_object_new ();
  op->apply = apply;

  return op;
}

static gboolean
apply_save (Op *op,
            Flow *flow,
            TtoRelayRoom *room,
            JsonObject *draft,
            GError **error)
{
  op->changed = TRUE;
  return TRUE;
}

/* Writes a flow made here (a new event, or one from before flows existed)
 * so its stage ids stay the same across restarts. */
static Flow *
flow_of (TtoRelay *relay,
         TtoRelayRoom *room)
{
  Flow *flow = tto_relay_room_get_flow (room);
  TtoEvent *event;

  if (flow != NULL)
    return flow;

  event = tto_relay_room_get_event (room);
  flow = flow_new (relay, room, new_state (NULL, tto_event_get_created_at (event)));
  g_queue_push_tail (&flow->ops, op_new_internal (flow, apply_save, NULL));
  run_next (flow);

  return flow;
}

/* Permissions */

static gboolean
is_creator (TtoRelayRoom *room,
            const char *identity_id)
{
  return g_strcmp0 (tto_event_get_creator_id (tto_relay_room_get_event (room)), identity_id) == 0;
}

/* The creator, or a member whose flow_edit grant has not run out (the
 * sweeper revokes expired grants later; the clock decides now). */
static gboolean
is_editor (TtoRelayRoom *room,
           const char *identity_id)
{
  TtoMember *member = tto_relay_room_get_member (room, identity_id);
  gint64 until = 0;

  if (member == NULL)
    return FALSE;
  if (is_creator (room, identity_id))
    return TRUE;
  if (!tto_member_get_permission (member, TTO_PERMISSION_FLOW_EDIT, &until))
    return FALSE;

  return until == 0 || until > tto_relay_now_seconds ();
}

/* Sets @error with a machine-readable reason (and @params, taken) beside
 * the English message, so clients can say it in their own words; the
 * reasons are listed in shared/PROTOCOL.md (Flow). */
static void G_GNUC_PRINTF (5, 6)
refuse (GError **error,
        TtoProtocolError code,
        const char *reason,
        JsonObject *params,
        const char *format,
        ...)
{
  g_autoptr (JsonObject) owned = params;
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error_literal (error, TTO_PROTOCOL_ERROR, code, message);
  if (error != NULL && *error != NULL)
    tto_protocol_error_set_reason (*error, reason, owned);
}

static JsonObject *
int_param (const char *name,
           gint64 value)
{
  JsonObject *params = json_object_new ();

  json_object_set_int_member (params, name, value);
  return params;
}

static gboolean
check_editor (Op *op,
              TtoRelayRoom *room,
              const char *what,
              GError **error)
{
  if (is_editor (room, op->identity_id))
    return TRUE;

  refuse (error, TTO_PROTOCOL_ERROR_FORBIDDEN, "not_flow_editor", NULL,
          "only the creator or a member with flow_edit may %s", what);
  return FALSE;
}

static gboolean
is_eliminated (JsonObject *state,
               const char *identity_id)
{
  return ids_contain (json_object_get_array_member (state, "eliminated"), identity_id);
}

static gboolean
check_not_eliminated (JsonObject *state,
                      const char *identity_id,
                      GError **error)
{
  if (!is_eliminated (state, identity_id))
    return TRUE;

  refuse (error, TTO_PROTOCOL_ERROR_FORBIDDEN, "eliminated", NULL,
          "eliminated: members eliminated from the flow can read but not take part");
  return FALSE;
}

/* Running Ops */

static void
send_to_room_frame (TtoRelay *relay,
                    TtoRelayRoom *room,
                    const char *type,
                    JsonObject *body)
{
  g_autoptr (TtoFrame) frame = tto_frame_new (type, NULL, body);
  g_autofree char *text = tto_frame_serialize (frame, NULL);

  tto_relay_send_to_room (relay, room, text, NULL);
  explicit_bzero (text, strlen (text));
  tto_frame_wipe (frame);
}

static void
push_flow (Flow *flow,
           TtoRelayRoom *room)
{
  JsonObject *body = json_object_new ();

  json_object_set_string_member (body, "event_id", flow->event_id);
  json_object_set_object_member (body, "flow", wire_flow (flow, flow->state));
  send_to_room_frame (flow->relay, room, TTO_FRAME_FLOW_UPDATED, body);
}

static void
post_system (Flow *flow,
             TtoRelayRoom *room,
             const char *sender_id,
             Announcement *announcement)
{
  TtoMember *sender = tto_relay_room_get_member (room, sender_id);
  const TtoRelayEntry *entry;

  /* The editor who asked may have left meanwhile: the creator speaks. */
  if (sender == NULL)
    sender = tto_relay_room_get_member (room,
                                        tto_event_get_creator_id (tto_relay_room_get_event (room)));
  if (sender == NULL)
    return;

  entry = tto_relay_room_append_system (room, sender, announcement->text, announcement->event,
                                        tto_relay_now_ms ());
  tto_relay_send_to_room (flow->relay, room, entry->frame, NULL);
}

static void
reply_op_ok (Op *op,
             Flow *flow)
{
  JsonObject *body;

  if (!conn_is_open (op->conn) || op->id == NULL)
    return;

  body = op->reply != NULL ? g_steal_pointer (&op->reply) : json_object_new ();
  json_object_set_object_member (body, "flow", wire_flow (flow, flow->state));
  tto_relay_reply_ok (op->conn, op->id, body);
}

static void
reply_op_error (Op *op,
                const GError *error)
{
  if (!conn_is_open (op->conn))
    {
      if (op->conn == NULL)
        g_warning ("flow change failed: %s", error->message);
      return;
    }

  if (error->domain == TTO_PROTOCOL_ERROR)
    {
      /* Keeps the reason and params refuse() gave. */
      g_autoptr (TtoFrame) frame = tto_frame_new_error_from_gerror (op->id, error);

      tto_relay_send (op->conn, frame);
    }
  else if (g_error_matches (error, TTO_RELAY_STORE_ERROR, TTO_RELAY_STORE_ERROR_CONNECT))
    tto_relay_reply_error (op->conn, op->id, TTO_PROTOCOL_ERROR_UNAVAILABLE,
                           "the relay's database is unavailable; try again");
  else
    tto_relay_reply_error (op->conn, op->id, TTO_PROTOCOL_ERROR_INTERNAL, "internal relay error");
}

static void
commit (Op *op,
        Flow *flow,
        TtoRelayRoom *room)
{
  JsonObject *state;
  const char *active_id;

  g_clear_pointer (&flow->state, json_object_unref);
  flow->state = g_steal_pointer (&op->draft);
  state = flow->state;

  for (guint i = 0; op->wipe_tasks != NULL && i < op->wipe_tasks->len; i++)
    g_hash_table_remove (flow->answers, op->wipe_tasks->pdata[i]);

  if (op->answer != NULL)
    {
      GPtrArray *answers = g_hash_table_lookup (flow->answers, op->answer_task_id);

      if (answers == NULL)
        {
          answers = g_ptr_array_new_with_free_func (answer_free);
          g_hash_table_insert (flow->answers, g_strdup (op->answer_task_id), answers);
        }
      /* A second completion replaces the first. */
      for (guint i = 0; i < answers->len; i++)
        if (g_str_equal (((Answer *) answers->pdata[i])->identity_id, op->answer->identity_id))
          {
            g_ptr_array_remove_index (answers, i);
            break;
          }
      g_ptr_array_add (answers, g_steal_pointer (&op->answer));
    }

  active_id = str_member (stage_at (state, current_of (state)), "id");
  for (guint i = 0; op->active_participants != NULL && i < op->active_participants->len; i++)
    add_participant (flow, active_id, op->active_participants->pdata[i]);

  reply_op_ok (op, flow);
  push_flow (flow, room);

  if (op->award != NULL)
    {
      Award *award = op->award;
      JsonObject *body = json_object_new ();

      json_object_set_string_member (body, "event_id", flow->event_id);
      json_object_set_string_member (body, "identity_id", award->identity_id);
      json_object_set_int_member (body, "delta", award->delta);
      json_object_set_string_member (body, "reason", award->reason);
      json_object_set_int_member (
        body, "total",
        json_object_get_int_member_with_default (json_object_get_object_member (state, "points"),
                                                 award->identity_id, 0));
      json_object_set_string_member (body, "by", award->by);
      json_object_set_int_member (body, "ts", award->ts);
      send_to_room_frame (flow->relay, room, TTO_FRAME_POINTS_AWARDED, body);
      g_ptr_array_add (flow->awards, g_steal_pointer (&op->award));
    }

  for (guint i = 0; op->announcements != NULL && i < op->announcements->len; i++)
    post_system (flow, room, op->system_sender != NULL ? op->system_sender : op->identity_id,
                 op->announcements->pdata[i]);
}

static void
on_flow_saved (GObject *source,
               GAsyncResult *result,
               gpointer user_data)
{
  g_autoptr (Op) op = user_data;
  g_autoptr (GError) error = NULL;
  TtoRelayRoom *room;
  Flow *flow;

  g_task_propagate_pointer (G_TASK (result), &error);

  /* The event may have ended while the rows were written. */
  room = tto_relay_find_room (op->relay, op->event_id);
  flow = room != NULL ? tto_relay_room_get_flow (room) : NULL;
  if (flow == NULL)
    {
      if (conn_is_open (op->conn))
        tto_relay_reply_error (op->conn, op->id, TTO_PROTOCOL_ERROR_EXPIRED, "the event has ended");
      return;
    }

  if (error != NULL)
    {
      g_warning ("could not write an event's flow: %s", error->message);
      reply_op_error (op, error);
    }
  else
    commit (op, flow, room);

  flow->busy = FALSE;
  run_next (flow);
}

static void
run_next (Flow *flow)
{
  Op *op;

  while (!flow->busy && (op = g_queue_pop_head (&flow->ops)) != NULL)
    {
      TtoRelayRoom *room = tto_relay_find_room (flow->relay, flow->event_id);
      g_autoptr (GError) error = NULL;
      JsonObject *draft;

      if (room == NULL || tto_relay_room_get_ending (room))
        {
          if (conn_is_open (op->conn))
            tto_relay_reply_error (op->conn, op->id, TTO_PROTOCOL_ERROR_EXPIRED,
                                   "the event has ended");
          op_free (op);
          continue;
        }

      draft = tto_json_object_deep_copy (flow->state);
      if (op->identity_id != NULL && tto_relay_room_get_member (room, op->identity_id) == NULL)
        g_set_error_literal (&error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_FORBIDDEN,
                             "only members of the event may do this");
      else
        op->apply (op, flow, room, draft, &error);

      if (error != NULL)
        {
          reply_op_error (op, error);
          json_object_unref (draft);
          op_free (op);
          continue;
        }
      if (!op->changed)
        {
          json_object_unref (draft);
          reply_op_ok (op, flow);
          op_free (op);
          continue;
        }

      op->draft = draft;
      flow->busy = TRUE;
      tto_relay_store_save_flow_async (flow->relay->store, flow->event_id,
                                       stored_flow (flow, draft), on_flow_saved, op);
    }
}

/* Queues a request's change; member_room answers for unknown events and
 * outsiders. */
static void
submit (TtoRelayConn *conn,
        TtoFrame *frame,
        OpApply apply)
{
  TtoRelayRoom *room = tto_relay_member_room (conn, frame);
  Flow *flow;
  Op *op;

  if (room == NULL)
    return;

  flow = flow_of (conn->relay, room);
  op = g_new0 (Op, 1);
  op->relay = conn->relay;
  op->conn = tto_relay_conn_ref (conn);
  op->id = g_strdup (frame->id);
  op->identity_id = g_strdup (conn->identity_id);
  op->event_id = g_strdup (tto_relay_room_get_id (room));
  /* The frame is wiped after this handler returns: keep a copy. */
  op->body = tto_json_object_deep_copy (frame->body);
  op->apply = apply;
  g_queue_push_tail (&flow->ops, op);
  run_next (flow);
}

/* Takes @text and @event. */
static void
op_announce (Op *op,
             char *text,
             JsonObject *event)
{
  Announcement *announcement = g_new0 (Announcement, 1);

  announcement->text = text;
  announcement->event = event;
  if (op->announcements == NULL)
    op->announcements = g_ptr_array_new_with_free_func (announcement_free);
  g_ptr_array_add (op->announcements, announcement);
}

/* The untitled default stage, in the English fallback lines. */
static const char *
english_title (JsonObject *stage)
{
  const char *title = str_member (stage, "title");

  return title != NULL && title[0] != '\0' ? title : "Main";
}

static void
add_person (JsonArray *people,
            const char *identity_id,
            const char *display_name)
{
  JsonObject *person = json_object_new ();

  json_object_set_string_member (person, "identity_id", identity_id);
  json_object_set_string_member (person, "display_name", display_name);
  json_array_add_object_element (people, person);
}

/* system_event of a stage change; @left is NULL when a template replaced
 * the untouched default stage. */
static JsonObject *
stage_event (JsonObject *entered,
             JsonObject *left,
             const char *direction,
             const char *conclusion)
{
  JsonObject *event = json_object_new ();

  json_object_set_string_member (event, "kind", "stage_changed");
  json_object_set_string_member (event, "stage_id", str_member (entered, "id"));
  json_object_set_string_member (event, "stage", str_member (entered, "title"));
  if (left != NULL)
    json_object_set_string_member (event, "previous_stage", str_member (left, "title"));
  else
    json_object_set_null_member (event, "previous_stage");
  json_object_set_string_member (event, "direction", direction);
  if (conclusion != NULL && conclusion[0] != '\0')
    json_object_set_string_member (event, "conclusion", conclusion);
  else
    json_object_set_null_member (event, "conclusion");

  return event;
}

static void
op_note_participant (Op *op,
                     const char *identity_id)
{
  if (op->active_participants == NULL)
    op->active_participants = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (op->active_participants, g_strdup (identity_id));
}

static void
op_wipe_task (Op *op,
              const char *task_id)
{
  if (op->wipe_tasks == NULL)
    op->wipe_tasks = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (op->wipe_tasks, g_strdup (task_id));
}

static JsonObject *
op_reply (Op *op)
{
  if (op->reply == NULL)
    op->reply = json_object_new ();
  return op->reply;
}

/* Stage changes, approval and elimination */

static const char *
member_name (TtoRelayRoom *room,
             const char *identity_id)
{
  TtoMember *member = tto_relay_room_get_member (room, identity_id);

  return member != NULL ? tto_member_get_display_name (member) : identity_id;
}

static JsonObject *
approval_rule (JsonObject *state)
{
  return object_or_null (json_object_get_object_member (state, "rules"), "approval");
}

static gboolean
may_approve (JsonObject *state,
             TtoRelayRoom *room,
             const char *identity_id)
{
  JsonObject *approval = approval_rule (state);

  if (approval == NULL || is_eliminated (state, identity_id) ||
      tto_relay_room_get_member (room, identity_id) == NULL)
    return FALSE;

  if (g_strcmp0 (str_member (approval, "mode"), "majority") == 0)
    return TRUE;

  return ids_contain (json_object_get_array_member (approval, "members"), identity_id);
}

static gint64
approvals_needed (JsonObject *state,
                  TtoRelayRoom *room)
{
  JsonObject *approval = approval_rule (state);

  if (g_strcmp0 (str_member (approval, "mode"), "majority") == 0)
    return tto_relay_room_get_member_count (room) / 2 + 1;

  return json_object_get_int_member (approval, "count");
}

/* A required task the member did not complete; a video call concerns only
 * its named participants, and a task marked done is missed by nobody. */
static gboolean
missed_required (JsonObject *stage,
                 const char *identity_id)
{
  JsonArray *tasks = json_object_get_array_member (stage, "tasks");

  for (guint i = 0; i < json_array_get_length (tasks); i++)
    {
      JsonObject *task = json_array_get_object_element (tasks, i);
      JsonObject *call = object_or_null (task, "call");

      if (!json_object_get_boolean_member_with_default (task, "required", FALSE) ||
          g_strcmp0 (str_member (task, "status"), "done") == 0)
        continue;
      if (call != NULL &&
          !ids_contain (json_object_get_array_member (call, "participants"), identity_id))
        continue;
      if (!ids_contain (json_object_get_array_member (task, "done_by"), identity_id))
        return TRUE;
    }

  return FALSE;
}

static void
eliminate (Op *op,
           TtoRelayRoom *room,
           JsonObject *draft,
           JsonObject *closed)
{
  JsonObject *rule = object_or_null (json_object_get_object_member (draft, "rules"),
                                     "elimination");
  JsonObject *points = json_object_get_object_member (draft, "points");
  JsonArray *eliminated = json_object_get_array_member (draft, "eliminated");
  g_autoptr (GList) members = NULL;
  g_autoptr (GString) names = g_string_new (NULL);
  JsonArray *people;
  JsonObject *event;
  JsonNode *below;

  if (rule == NULL)
    return;

  people = json_array_new ();
  below = json_object_get_member (rule, "below_points");
  members = tto_relay_room_get_members (room);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *id = tto_member_get_identity_id (l->data);
      gboolean out = FALSE;

      if (is_creator (room, id) || ids_contain (eliminated, id))
        continue;
      if (below != NULL && !JSON_NODE_HOLDS_NULL (below) &&
          json_object_get_int_member_with_default (points, id, 0) < json_node_get_int (below))
        out = TRUE;
      if (json_object_get_boolean_member_with_default (rule, "missed_required_task", FALSE) &&
          missed_required (closed, id))
        out = TRUE;

      if (out)
        {
          json_array_add_string_element (eliminated, id);
          g_string_append_printf (names, "%s%s", names->len > 0 ? ", " : "",
                                  tto_member_get_display_name (l->data));
          add_person (people, id, tto_member_get_display_name (l->data));
        }
    }

  if (names->len == 0)
    {
      json_array_unref (people);
      return;
    }
  event = json_object_new ();
  json_object_set_string_member (event, "kind", "eliminated");
  json_object_set_array_member (event, "members", people);
  op_announce (op, g_strdup_printf ("Eliminated: %s", names->str), event);
}

/* Moves the active stage; the caller checked that the move is possible. */
static void
apply_stage_change (Op *op,
                    TtoRelayRoom *room,
                    JsonObject *draft,
                    const char *direction,
                    const char *conclusion,
                    const char *sender)
{
  gint64 now = tto_relay_now_seconds ();
  guint current = current_of (draft);
  JsonObject *left = stage_at (draft, current);
  gboolean next = g_str_equal (direction, "next");
  guint target = next ? current + 1 : current - 1;
  JsonObject *entered = stage_at (draft, target);
  g_autofree char *announcement = NULL;

  if (conclusion != NULL && conclusion[0] != '\0')
    json_object_set_string_member (left, "conclusion", conclusion);

  if (next)
    {
      json_object_set_string_member (left, "status", "done");
      json_object_set_int_member (left, "ended_at", now);
      json_object_set_int_member (entered, "started_at", now);
    }
  else
    {
      json_object_set_string_member (left, "status", "pending");
      json_object_set_null_member (left, "started_at");
      json_object_set_null_member (left, "ended_at");
    }
  json_object_set_string_member (entered, "status", "active");
  json_object_set_null_member (entered, "ended_at");
  json_object_set_int_member (draft, "current", target);
  json_object_set_null_member (draft, "pending");

  if (conclusion != NULL && conclusion[0] != '\0')
    announcement = g_strdup_printf ("Stage: %s — conclusion of %s: %s", english_title (entered),
                                    english_title (left), conclusion);
  else
    announcement = g_strdup_printf ("Stage: %s", english_title (entered));
  op_announce (op, g_steal_pointer (&announcement),
               stage_event (entered, left, direction, conclusion));
  g_free (op->system_sender);
  op->system_sender = g_strdup (sender);

  if (next)
    eliminate (op, room, draft, left);
  op->changed = TRUE;
}

static gboolean
check_move (JsonObject *state,
            const char *direction,
            GError **error)
{
  guint current = current_of (state);
  guint n = json_array_get_length (stages_of (state));

  if (g_str_equal (direction, "next") && current + 1 >= n)
    {
      refuse (error, TTO_PROTOCOL_ERROR_CONFLICT, "no_next_stage", NULL,
              "the last stage is active; there is no next stage");
      return FALSE;
    }
  if (g_str_equal (direction, "back") && current == 0)
    {
      refuse (error, TTO_PROTOCOL_ERROR_CONFLICT, "no_previous_stage", NULL,
              "the first stage is active; there is no stage before it");
      return FALSE;
    }

  return TRUE;
}

static gboolean
apply_advance (Op *op,
               Flow *flow,
               TtoRelayRoom *room,
               JsonObject *draft,
               GError **error)
{
  const char *direction = str_member (op->body, "direction");
  const char *conclusion = str_member (op->body, "conclusion");
  gboolean pending = object_or_null (draft, "pending") != NULL;
  JsonObject *request;
  JsonArray *approvals;

  if (!check_editor (op, room, "move the event to another stage", error))
    return FALSE;

  if (g_str_equal (direction, "cancel"))
    {
      if (!pending)
        {
          refuse (error, TTO_PROTOCOL_ERROR_CONFLICT, "no_pending_change", NULL,
                  "no stage change is waiting for approval");
          return FALSE;
        }
      json_object_set_null_member (draft, "pending");
      op->changed = TRUE;
      return TRUE;
    }

  if (pending)
    {
      refuse (error, TTO_PROTOCOL_ERROR_CONFLICT, "change_pending", NULL,
              "a stage change is already waiting for approval");
      return FALSE;
    }
  if (!check_move (draft, direction, error))
    return FALSE;

  if (approval_rule (draft) == NULL)
    {
      apply_stage_change (op, room, draft, direction, conclusion, op->identity_id);
      return TRUE;
    }

  approvals = json_array_new ();
  if (may_approve (draft, room, op->identity_id))
    json_array_add_string_element (approvals, op->identity_id);
  if ((gint64) json_array_get_length (approvals) >= approvals_needed (draft, room))
    {
      json_array_unref (approvals);
      apply_stage_change (op, room, draft, direction, conclusion, op->identity_id);
      return TRUE;
    }

  request = json_object_new ();
  json_object_set_string_member (request, "direction", direction);
  json_object_set_string_member (request, "conclusion", conclusion != NULL ? conclusion : "");
  json_object_set_string_member (request, "requested_by", op->identity_id);
  json_object_set_array_member (request, "approvals", approvals);
  json_object_set_int_member (request, "needed", approvals_needed (draft, room));
  json_object_set_object_member (draft, "pending", request);
  op->changed = TRUE;

  return TRUE;
}

static gboolean
apply_approve (Op *op,
               Flow *flow,
               TtoRelayRoom *room,
               JsonObject *draft,
               GError **error)
{
  JsonObject *pending = object_or_null (draft, "pending");
  JsonArray *approvals;
  gint64 needed;

  if (pending == NULL)
    {
      refuse (error, TTO_PROTOCOL_ERROR_CONFLICT, "no_pending_change", NULL,
              "no stage change is waiting for approval");
      return FALSE;
    }
  if (!check_not_eliminated (draft, op->identity_id, error))
    return FALSE;
  if (!may_approve (draft, room, op->identity_id))
    {
      refuse (error, TTO_PROTOCOL_ERROR_FORBIDDEN, "not_an_approver", NULL,
              "only the approvers the rules name may approve this stage change");
      return FALSE;
    }

  approvals = json_object_get_array_member (pending, "approvals");
  if (!ids_add (approvals, op->identity_id))
    return TRUE;

  op->changed = TRUE;
  needed = approvals_needed (draft, room);
  json_object_set_int_member (pending, "needed", needed);
  if ((gint64) json_array_get_length (approvals) >= needed)
    {
      g_autofree char *direction = g_strdup (str_member (pending, "direction"));
      g_autofree char *conclusion = g_strdup (str_member (pending, "conclusion"));
      g_autofree char *by = g_strdup (str_member (pending, "requested_by"));
      g_autoptr (GError) local_error = NULL;

      /* The stages may have changed since the request. */
      if (!check_move (draft, direction, &local_error))
        {
          json_object_set_null_member (draft, "pending");
          return TRUE;
        }
      apply_stage_change (op, room, draft, direction, conclusion, by);
    }

  return TRUE;
}

/* flow.rules */

static char *
rules_summary (TtoRelayRoom *room,
               JsonObject *rules)
{
  GString *s = g_string_new ("Rules: ");
  JsonObject *approval = object_or_null (rules, "approval");
  JsonObject *elimination = object_or_null (rules, "elimination");

  g_string_append_printf (s, "points %s; ",
                          json_object_get_boolean_member_with_default (rules, "points", FALSE)
                            ? "on" : "off");
  if (approval == NULL)
    g_string_append (s, "no approval needed for stage changes; ");
  else if (g_strcmp0 (str_member (approval, "mode"), "majority") == 0)
    g_string_append (s, "stage changes need approval by a majority; ");
  else
    {
      JsonArray *members = json_object_get_array_member (approval, "members");

      g_string_append_printf (s, "stage changes need approval by %" G_GINT64_FORMAT " of ",
                              json_object_get_int_member (approval, "count"));
      for (guint i = 0; i < json_array_get_length (members); i++)
        g_string_append_printf (s, "%s%s", i > 0 ? ", " : "",
                                member_name (room, json_array_get_string_element (members, i)));
      g_string_append (s, "; ");
    }

  if (elimination == NULL)
    g_string_append (s, "no elimination");
  else
    {
      JsonNode *below = json_object_get_member (elimination, "below_points");
      gboolean missed = json_object_get_boolean_member_with_default (elimination,
                                                                     "missed_required_task",
                                                                     FALSE);
      gboolean has_below = below != NULL && !JSON_NODE_HOLDS_NULL (below);

      g_string_append (s, "elimination");
      if (has_below)
        g_string_append_printf (s, " below %" G_GINT64_FORMAT " points", json_node_get_int (below));
      if (has_below && missed)
        g_string_append (s, " or");
      if (missed)
        g_string_append (s, " for a missed required task");
      if (!has_below && !missed)
        g_string_append (s, " never applies");
    }

  return g_string_free (s, FALSE);
}

/* system_event of a rule change: the rules, and the approvers' names as
 * they are now (an approver may leave later). */
static JsonObject *
rules_event (TtoRelayRoom *room,
             JsonObject *rules)
{
  JsonObject *event = json_object_new ();
  JsonObject *approval = object_or_null (rules, "approval");
  JsonArray *members = approval != NULL ? json_object_get_array_member (approval, "members")
                                        : NULL;
  JsonArray *approvers = json_array_new ();

  for (guint i = 0; members != NULL && i < json_array_get_length (members); i++)
    {
      const char *id = json_array_get_string_element (members, i);

      add_person (approvers, id, member_name (room, id));
    }
  json_object_set_string_member (event, "kind", "rules_changed");
  json_object_set_object_member (event, "rules", tto_json_object_deep_copy (rules));
  json_object_set_array_member (event, "approvers", approvers);

  return event;
}

static gboolean
apply_rules (Op *op,
             Flow *flow,
             TtoRelayRoom *room,
             JsonObject *draft,
             GError **error)
{
  JsonObject *input = json_object_get_object_member (op->body, "rules");
  JsonObject *in_approval = object_or_null (input, "approval");
  JsonObject *in_elimination = object_or_null (input, "elimination");
  JsonObject *rules = json_object_new ();
  g_autoptr (JsonObject) owned = rules;
  JsonObject *old_approval = approval_rule (draft);
  gboolean approval_changed;

  if (!check_editor (op, room, "change the rules", error))
    return FALSE;

  json_object_set_boolean_member (rules, "points",
                                  json_object_get_boolean_member_with_default (input, "points",
                                                                               FALSE));
  if (in_approval != NULL)
    {
      JsonObject *approval = json_object_new ();
      const char *mode = str_member (in_approval, "mode");

      json_object_set_string_member (approval, "mode", mode);
      if (g_str_equal (mode, "members"))
        {
          JsonArray *members = json_object_get_array_member (in_approval, "members");
          JsonArray *copy = json_array_new ();

          for (guint i = 0; i < json_array_get_length (members); i++)
            {
              const char *id = json_array_get_string_element (members, i);

              if (tto_relay_room_get_member (room, id) == NULL)
                {
                  json_array_unref (copy);
                  json_object_unref (approval);
                  g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                               "body.rules.approval.members[%u] is not a member of the event", i);
                  return FALSE;
                }
              ids_add (copy, id);
            }
          if (json_object_get_int_member (in_approval, "count") > json_array_get_length (copy))
            {
              json_array_unref (copy);
              json_object_unref (approval);
              g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                                   "body.rules.approval.count is more than the members named");
              return FALSE;
            }
          json_object_set_array_member (approval, "members", copy);
          json_object_set_int_member (approval, "count",
                                      json_object_get_int_member (in_approval, "count"));
        }
      else
        {
          json_object_set_array_member (approval, "members", json_array_new ());
          json_object_set_int_member (approval, "count", 0);
        }
      json_object_set_object_member (rules, "approval", approval);
    }
  else
    json_object_set_null_member (rules, "approval");

  if (in_elimination != NULL)
    {
      JsonObject *elimination = json_object_new ();
      JsonNode *below = json_object_get_member (in_elimination, "below_points");

      if (below != NULL && !JSON_NODE_HOLDS_NULL (below))
        json_object_set_int_member (elimination, "below_points", json_node_get_int (below));
      else
        json_object_set_null_member (elimination, "below_points");
      json_object_set_boolean_member (
        elimination, "missed_required_task",
        json_object_get_boolean_member_with_default (in_elimination, "missed_required_task",
                                                     FALSE));
      json_object_set_object_member (rules, "elimination", elimination);
    }
  else
    json_object_set_null_member (rules, "elimination");

  /* A pending change waits under the rule it was asked under. */
  {
    g_autoptr (JsonNode) a = old_approval != NULL ? json_node_init_object (json_node_alloc (),
                                                                          old_approval)
                                                  : json_node_init_null (json_node_alloc ());
    JsonNode *b = json_object_get_member (rules, "approval");

    approval_changed = !json_node_equal (a, b);
  }
  if (approval_changed)
    json_object_set_null_member (draft, "pending");

  json_object_set_object_member (draft, "rules", g_steal_pointer (&owned));
  op_announce (op, rules_summary (room, json_object_get_object_member (draft, "rules")),
               rules_event (room, json_object_get_object_member (draft, "rules")));
  op->changed = TRUE;

  return TRUE;
}

/* flow.set_stages and flow.template */

static void
drop_stage_tasks (Op *op,
                  JsonObject *stage)
{
  JsonArray *tasks = json_object_get_array_member (stage, "tasks");

  for (guint i = 0; i < json_array_get_length (tasks); i++)
    op_wipe_task (op, str_member (json_array_get_object_element (tasks, i), "id"));
}

static gboolean
apply_set_stages (Op *op,
                  Flow *flow,
                  TtoRelayRoom *room,
                  JsonObject *draft,
                  GError **error)
{
  JsonArray *input = json_object_get_array_member (op->body, "stages");
  JsonArray *old = stages_of (draft);
  guint current = current_of (draft);
  JsonArray *stages;
  g_autoptr (GHashTable) kept = g_hash_table_new (g_str_hash, g_str_equal);

  if (!check_editor (op, room, "change the stages", error))
    return FALSE;

  stages = json_array_new ();
  for (guint i = 0; i < json_array_get_length (input); i++)
    {
      JsonObject *entry = json_array_get_object_element (input, i);
      const char *id = str_member (entry, "id");
      const char *given = str_member (entry, "title");
      g_autofree char *title = given != NULL ? g_strstrip (g_strdup (given)) : NULL;
      guint index = 0;
      JsonObject *stage;

      /* Only a kept stage may leave its title out (the frame check made sure). */
      if (title != NULL && title[0] == '\0')
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.stages[%u].title must contain a visible character", i);
          json_array_unref (stages);
          return FALSE;
        }

      if (id == NULL)
        {
          if (i <= current)
            {
              g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_CONFLICT,
                                   "done stages and the active one cannot be removed or moved");
              json_array_unref (stages);
              return FALSE;
            }
          json_array_add_object_element (stages, new_stage (title, FALSE, 0));
          continue;
        }

      stage = find_stage (draft, id, &index);
      if (stage == NULL)
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_NOT_FOUND,
                       "body.stages[%u].id names no stage of this event", i);
          json_array_unref (stages);
          return FALSE;
        }
      if (!g_hash_table_add (kept, (gpointer) id))
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.stages[%u].id repeats a stage", i);
          json_array_unref (stages);
          return FALSE;
        }
      if ((index <= current || i <= current) && index != i)
        {
          g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_CONFLICT,
                               "done stages and the active one cannot be removed or moved");
          json_array_unref (stages);
          return FALSE;
        }

      stage = tto_json_object_deep_copy (stage);
      if (title != NULL)
        json_object_set_string_member (stage, "title", title);
      json_array_add_object_element (stages, stage);
    }

  if (json_array_get_length (stages) <= current)
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_CONFLICT,
                           "done stages and the active one cannot be removed or moved");
      json_array_unref (stages);
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (old); i++)
    {
      JsonObject *stage = json_array_get_object_element (old, i);

      if (!g_hash_table_contains (kept, str_member (stage, "id")))
        drop_stage_tasks (op, stage);
    }

  json_object_set_array_member (draft, "stages", stages);
  op->changed = TRUE;
  return TRUE;
}

static const struct
{
  const char *name;
  const char *stages[6];
} templates[] = {
  { "discuss_plan_execute", { "Needs discussion", "Plan confirmation", "Execution", NULL } },
  { "hackathon", { "Team forming", "Ideas", "Build", "Demo", "Judging", NULL } },
  { "procurement", { "Requirements", "Quotes", "Evaluation", "Approval", "Order", NULL } },
};

static gboolean
apply_template (Op *op,
                Flow *flow,
                TtoRelayRoom *room,
                JsonObject *draft,
                GError **error)
{
  const char *name = str_member (op->body, "template");
  JsonArray *given = json_object_has_member (op->body, "titles")
                      ? json_object_get_array_member (op->body, "titles")
                      : NULL;
  const char *const *titles = NULL;
  g_autoptr (GPtrArray) own = NULL;
  JsonArray *old = stages_of (draft);
  guint current = current_of (draft);
  JsonObject *first = stage_at (draft, 0);
  gboolean untouched;
  JsonArray *stages;

  if (!check_editor (op, room, "change the stages", error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (templates); i++)
    if (g_str_equal (templates[i].name, name))
      titles = templates[i].stages;
  g_assert (titles != NULL);
  /* The creator's translation of the stage names (the frame check counted
   * them); the English names otherwise. */
  if (given != NULL)
    {
      own = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < json_array_get_length (given); i++)
        {
          char *title = g_strstrip (g_strdup (json_array_get_string_element (given, i)));

          g_ptr_array_add (own, title);
          if (title[0] == '\0')
            {
              g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.titles[%u] must contain a visible character", i);
              return FALSE;
            }
        }
      g_ptr_array_add (own, NULL);
      titles = (const char *const *) own->pdata;
    }

  untouched = json_array_get_length (old) == 1 &&
              json_array_get_length (json_object_get_array_member (first, "tasks")) == 0 &&
              str_member (first, "conclusion") == NULL;

  stages = json_array_new ();
  if (untouched)
    {
      drop_stage_tasks (op, first);
      for (guint i = 0; titles[i] != NULL; i++)
        json_array_add_object_element (stages, new_stage (titles[i], i == 0,
                                                          tto_relay_now_seconds ()));
      json_object_set_int_member (draft, "current", 0);
      op_announce (op, g_strdup_printf ("Stage: %s", titles[0]),
                   stage_event (json_array_get_object_element (stages, 0), NULL, "template",
                                NULL));
    }
  else
    {
      for (guint i = 0; i < json_array_get_length (old); i++)
        {
          JsonObject *stage = json_array_get_object_element (old, i);

          if (i <= current)
            json_array_add_object_element (stages, tto_json_object_deep_copy (stage));
          else
            drop_stage_tasks (op, stage);
        }
      for (guint i = 0; titles[i] != NULL; i++)
        json_array_add_object_element (stages, new_stage (titles[i], FALSE, 0));
    }

  json_object_set_array_member (draft, "stages", stages);
  op->changed = TRUE;
  return TRUE;
}

/* points.award */

static gboolean
apply_award (Op *op,
             Flow *flow,
             TtoRelayRoom *room,
             JsonObject *draft,
             GError **error)
{
  const char *identity_id = str_member (op->body, "identity_id");
  gint64 delta = json_object_get_int_member (op->body, "delta");
  JsonObject *points = json_object_get_object_member (draft, "points");
  gint64 total;

  if (!check_editor (op, room, "award points", error))
    return FALSE;
  if (!json_object_get_boolean_member_with_default (json_object_get_object_member (draft, "rules"),
                                                    "points", FALSE))
    {
      refuse (error, TTO_PROTOCOL_ERROR_CONFLICT, "points_off", NULL,
              "the points rule is off in this event");
      return FALSE;
    }
  if (tto_relay_room_get_member (room, identity_id) == NULL)
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_NOT_FOUND,
                           "body.identity_id is not a member of the event");
      return FALSE;
    }

  total = json_object_get_int_member_with_default (points, identity_id, 0) + delta;
  json_object_set_int_member (points, identity_id, total);

  op->award = g_new0 (Award, 1);
  op->award->identity_id = g_strdup (identity_id);
  op->award->delta = delta;
  op->award->reason = g_strdup (json_object_get_string_member_with_default (op->body, "reason",
                                                                            ""));
  op->award->by = g_strdup (op->identity_id);
  op->award->ts = tto_relay_now_ms ();
  json_object_set_string_member (op_reply (op), "identity_id", identity_id);
  json_object_set_int_member (op_reply (op), "total", total);
  op->changed = TRUE;

  return TRUE;
}

/* Tasks */

static gboolean
apply_task_add (Op *op,
                Flow *flow,
                TtoRelayRoom *room,
                JsonObject *draft,
                GError **error)
{
  const char *form = str_member (op->body, "form");
  JsonObject *stage;
  JsonObject *task;
  JsonArray *tasks;
  JsonObject *meeting = NULL;
  g_autofree char *id = NULL;
  g_autofree char *title = NULL;

  if (!check_editor (op, room, "add tasks", error))
    return FALSE;

  stage = find_stage (draft, str_member (op->body, "stage_id"), NULL);
  if (stage == NULL)
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_NOT_FOUND,
                           "body.stage_id names no stage of this event");
      return FALSE;
    }
  if (g_strcmp0 (str_member (stage, "status"), "done") == 0)
    {
      refuse (error, TTO_PROTOCOL_ERROR_CONFLICT, "stage_done", NULL,
              "the stage is done; it takes no new tasks");
      return FALSE;
    }
  tasks = json_object_get_array_member (stage, "tasks");
  if (json_array_get_length (tasks) >= TTO_PROTOCOL_MAX_STAGE_TASKS)
    {
      refuse (error, TTO_PROTOCOL_ERROR_CONFLICT, "stage_task_limit",
              int_param ("max", TTO_PROTOCOL_MAX_STAGE_TASKS),
              "a stage holds at most %d tasks", TTO_PROTOCOL_MAX_STAGE_TASKS);
      return FALSE;
    }
  title = g_strstrip (g_strdup (str_member (op->body, "title")));
  if (title[0] == '\0')
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.title must contain a visible character");
      return FALSE;
    }

  id = tto_id_new ();
  task = json_object_new ();
  json_object_set_string_member (task, "id", id);
  json_object_set_string_member (task, "title", title);
  json_object_set_string_member (task, "form", form);
  json_object_set_boolean_member (task, "required",
                                  json_object_get_boolean_member_with_default (op->body,
                                                                               "required", FALSE));
  if (json_object_has_member (op->body, "fields"))
    json_object_set_array_member (task, "fields",
                                  copy_array (json_object_get_array_member (op->body, "fields")));
  else
    json_object_set_null_member (task, "fields");

  if (json_object_has_member (op->body, "call"))
    {
      JsonObject *in = json_object_get_object_member (op->body, "call");
      JsonArray *named = json_object_get_array_member (in, "participants");
      JsonObject *call = json_object_new ();
      JsonArray *ids = json_array_new ();

      json_object_set_array_member (call, "participants", ids);
      json_object_set_int_member (call, "min_seconds",
                                  json_object_get_int_member (in, "min_seconds"));
      json_object_set_object_member (task, "call", call);
      for (guint i = 0; i < json_array_get_length (named); i++)
        {
          const char *member = json_array_get_string_element (named, i);

          if (tto_relay_room_get_member (room, member) == NULL)
            {
              json_object_unref (task);
              g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.call.participants[%u] is not a member of the event", i);
              return FALSE;
            }
          ids_add (ids, member);
        }
    }
  else
    json_object_set_null_member (task, "call");

  json_object_set_array_member (task, "done_by", json_array_new ());
  if (json_object_has_member (op->body, "meeting_id"))
    {
      meeting = find_meeting (draft, str_member (op->body, "meeting_id"));
      if (meeting == NULL)
        {
          json_object_unref (task);
          g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_NOT_FOUND,
                               "body.meeting_id names no meeting of this event");
          return FALSE;
        }
      json_object_set_string_member (task, "meeting_id", str_member (meeting, "id"));
      /* Those already confirmed present have done it. */
      json_object_set_array_member (task, "done_by",
                                    copy_array (json_object_get_array_member (meeting,
                                                                              "attended")));
    }
  else
    json_object_set_null_member (task, "meeting_id");
  json_object_set_string_member (task, "status", "open");

  json_array_add_object_element (tasks, task);
  json_object_set_string_member (op_reply (op), "task_id", id);
  op->changed = TRUE;

  return TRUE;
}

static JsonObject *
task_or_error (JsonObject *draft,
               const char *task_id,
               guint *out_stage,
               GError **error)
{
  JsonObject *task = find_task (draft, task_id, out_stage);

  if (task == NULL)
    g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_NOT_FOUND,
                         "body.task_id names no task of this event");
  return task;
}

static gboolean
apply_task_remove (Op *op,
                   Flow *flow,
                   TtoRelayRoom *room,
                   JsonObject *draft,
                   GError **error)
{
  const char *task_id = str_member (op->body, "task_id");
  guint stage_index;
  JsonArray *tasks;

  if (!check_editor (op, room, "remove tasks", error) ||
      task_or_error (draft, task_id, &stage_index, error) == NULL)
    return FALSE;

  tasks = json_object_get_array_member (stage_at (draft, stage_index), "tasks");
  for (guint i = 0; i < json_array_get_length (tasks); i++)
    if (g_strcmp0 (str_member (json_array_get_object_element (tasks, i), "id"), task_id) == 0)
      {
        json_array_remove_element (tasks, i);
        break;
      }
  op_wipe_task (op, task_id);
  op->changed = TRUE;

  return TRUE;
}

static gboolean
apply_task_mark (Op *op,
                 Flow *flow,
                 TtoRelayRoom *room,
                 JsonObject *draft,
                 GError **error)
{
  JsonObject *task;

  if (!check_editor (op, room, "mark tasks", error) ||
      (task = task_or_error (draft, str_member (op->body, "task_id"), NULL, error)) == NULL)
    return FALSE;

  json_object_set_string_member (task, "status", str_member (op->body, "status"));
  op->changed = TRUE;
  return TRUE;
}

static const char *
form_phrase (const char *form)
{
  if (g_str_equal (form, TTO_TASK_FORM_TEXT_FORM))
    return "a text form";
  if (g_str_equal (form, TTO_TASK_FORM_FILE))
    return "a file";
  if (g_str_equal (form, TTO_TASK_FORM_VOICE_MESSAGE))
    return "a voice message";
  if (g_str_equal (form, TTO_TASK_FORM_VIDEO_MESSAGE))
    return "a video message";
  if (g_str_equal (form, TTO_TASK_FORM_VIDEO_CALL))
    return "a video call";
  return "an offline meeting";
}

static gboolean
valid_date (const char *text)
{
  guint year, month, day;
  char end;

  if (strlen (text) != 10 || text[4] != '-' || text[7] != '-' ||
      sscanf (text, "%4u-%2u-%2u%c", &year, &month, &day, &end) != 3)
    return FALSE;

  return g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year);
}

/* Every declared field, typed as declared, and nothing else. */
static gboolean
check_answers (JsonObject *task,
               JsonObject *answers,
               GError **error)
{
  JsonArray *fields = json_object_get_array_member (task, "fields");
  g_autoptr (GList) given = json_object_get_members (answers);

  for (GList *l = given; l != NULL; l = l->next)
    {
      gboolean declared = FALSE;

      for (guint i = 0; i < json_array_get_length (fields); i++)
        declared |= g_strcmp0 (str_member (json_array_get_object_element (fields, i), "name"),
                               l->data) == 0;
      if (!declared)
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.answers.%s is not a field of this form", (const char *) l->data);
          return FALSE;
        }
    }

  for (guint i = 0; i < json_array_get_length (fields); i++)
    {
      JsonObject *field = json_array_get_object_element (fields, i);
      const char *name = str_member (field, "name");
      const char *type = str_member (field, "type");
      JsonNode *value = json_object_get_member (answers, name);
      gboolean ok;

      if (value == NULL)
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.answers.%s is required", name);
          return FALSE;
        }

      if (g_str_equal (type, "number"))
        ok = JSON_NODE_HOLDS_VALUE (value) &&
             (json_node_get_value_type (value) == G_TYPE_INT64 ||
              json_node_get_value_type (value) == G_TYPE_DOUBLE);
      else if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
        ok = FALSE;
      else if (g_str_equal (type, "choice"))
        ok = ids_contain (json_object_get_array_member (field, "choices"),
                          json_node_get_string (value));
      else if (g_str_equal (type, "date"))
        ok = valid_date (json_node_get_string (value));
      else
        ok = g_utf8_validate (json_node_get_string (value), -1, NULL) &&
             g_utf8_strlen (json_node_get_string (value), -1) <= 2000;

      if (!ok)
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.answers.%s must be %s", name,
                       g_str_equal (type, "number") ? "a number"
                       : g_str_equal (type, "choice") ? "one of the field's choices"
                       : g_str_equal (type, "date") ? "a date as YYYY-MM-DD"
                                                    : "a string of at most 2000 characters");
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
check_blob (Op *op,
            const char *form,
            GError **error)
{
  const char *blob_id = str_member (op->body, "blob_id");
  const TtoRelayBlob *blob;

  if (blob_id == NULL)
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "body.blob_id is required to complete a task as %s", form_phrase (form));
      return FALSE;
    }
  blob = tto_relay_blobs_get (op->relay->blobs, op->event_id, blob_id);
  if (blob == NULL)
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_NOT_FOUND,
                           "body.blob_id names no upload of this event");
      return FALSE;
    }
  if (g_strcmp0 (blob->owner_id, op->identity_id) != 0)
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_FORBIDDEN,
                           "body.blob_id was uploaded by someone else");
      return FALSE;
    }
  if ((g_str_equal (form, TTO_TASK_FORM_VOICE_MESSAGE) && !g_str_has_prefix (blob->mime_type, "audio/")) ||
      (g_str_equal (form, TTO_TASK_FORM_VIDEO_MESSAGE) && !g_str_has_prefix (blob->mime_type, "video/")))
    {
      JsonObject *params = json_object_new ();

      /* No "given": the member chose the right form but the wrong kind of file. */
      json_object_set_string_member (params, "required", form);
      refuse (error, TTO_PROTOCOL_ERROR_WRONG_FORM, "wrong_form", params,
              "this task must be completed as %s; the upload is %s", form_phrase (form),
              blob->mime_type);
      return FALSE;
    }

  return TRUE;
}

static gboolean
apply_task_complete (Op *op,
                     Flow *flow,
                     TtoRelayRoom *room,
                     JsonObject *draft,
                     GError **error)
{
  const char *task_id = str_member (op->body, "task_id");
  const char *used = str_member (op->body, "form");
  JsonObject *task;
  const char *form;
  guint stage_index;

  if (!check_not_eliminated (draft, op->identity_id, error) ||
      (task = task_or_error (draft, task_id, &stage_index, error)) == NULL)
    return FALSE;

  form = str_member (task, "form");
  if (g_str_equal (form, TTO_TASK_FORM_VIDEO_CALL) ||
      g_str_equal (form, TTO_TASK_FORM_OFFLINE_MEETING))
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_WRONG_FORM,
                   "this task must be completed as %s: it is completed automatically when %s",
                   form_phrase (form),
                   g_str_equal (form, TTO_TASK_FORM_VIDEO_CALL)
                     ? "its participants were in a video call of the event long enough"
                     : "an editor confirms attendance at its meeting");
      return FALSE;
    }
  if (!g_str_equal (used, form))
    {
      JsonObject *params = json_object_new ();

      json_object_set_string_member (params, "required", form);
      json_object_set_string_member (params, "given", used);
      refuse (error, TTO_PROTOCOL_ERROR_WRONG_FORM, "wrong_form", params,
              "this task must be completed as %s, not as %s", form_phrase (form),
              form_phrase (used));
      return FALSE;
    }
  if (stage_index != current_of (draft))
    {
      refuse (error, TTO_PROTOCOL_ERROR_CONFLICT, "stage_not_active", NULL,
              "only tasks of the active stage can be completed");
      return FALSE;
    }

  op->answer = g_new0 (Answer, 1);
  op->answer->identity_id = g_strdup (op->identity_id);
  op->answer->ts = tto_relay_now_ms ();
  if (g_str_equal (form, TTO_TASK_FORM_TEXT_FORM))
    {
      JsonObject *answers = object_or_null (op->body, "answers");

      if (answers == NULL || json_object_has_member (op->body, "blob_id"))
        {
          g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                               "body.answers is required to complete a text form");
          return FALSE;
        }
      if (!check_answers (task, answers, error))
        return FALSE;
      op->answer->answers = tto_json_object_deep_copy (answers);
    }
  else
    {
      if (json_object_has_member (op->body, "answers"))
        {
          g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                               "body.answers is only for text forms");
          return FALSE;
        }
      if (!check_blob (op, form, error))
        return FALSE;
      op->answer->blob_id = g_strdup (str_member (op->body, "blob_id"));
    }

  op->answer_task_id = g_strdup (task_id);
  ids_add (json_object_get_array_member (task, "done_by"), op->identity_id);
  op_note_participant (op, op->identity_id);
  op->changed = TRUE;

  return TRUE;
}

/* Meetings */

static gboolean
apply_meeting_set (Op *op,
                   Flow *flow,
                   TtoRelayRoom *room,
                   JsonObject *draft,
                   GError **error)
{
  JsonObject *input = json_object_get_object_member (op->body, "meeting");
  JsonArray *meetings = json_object_get_array_member (draft, "meetings");
  const char *id = str_member (input, "id");
  JsonObject *meeting;
  g_autofree char *title = g_strstrip (g_strdup (str_member (input, "title")));
  JsonNode *lat = json_object_get_member (input, "lat");

  if (!check_editor (op, room, "plan meetings", error))
    return FALSE;
  if (title[0] == '\0')
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.meeting.title must contain a visible character");
      return FALSE;
    }

  if (id != NULL)
    {
      meeting = find_meeting (draft, id);
      if (meeting == NULL)
        {
          g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_NOT_FOUND,
                               "body.meeting.id names no meeting of this event");
          return FALSE;
        }
    }
  else
    {
      g_autofree char *new_id = tto_id_new ();

      if (json_array_get_length (meetings) >= TTO_PROTOCOL_MAX_MEETINGS)
        {
          refuse (error, TTO_PROTOCOL_ERROR_CONFLICT, "meeting_limit",
                  int_param ("max", TTO_PROTOCOL_MAX_MEETINGS),
                  "an event holds at most %d meetings", TTO_PROTOCOL_MAX_MEETINGS);
          return FALSE;
        }
      meeting = json_object_new ();
      json_object_set_string_member (meeting, "id", new_id);
      json_object_set_array_member (meeting, "attended", json_array_new ());
      json_array_add_object_element (meetings, meeting);
    }

  json_object_set_string_member (meeting, "title", title);
  json_object_set_int_member (meeting, "starts_at", json_object_get_int_member (input, "starts_at"));
  json_object_set_int_member (meeting, "ends_at", json_object_get_int_member (input, "ends_at"));
  json_object_set_string_member (meeting, "place",
                                 json_object_get_string_member_with_default (input, "place", ""));
  if (lat != NULL && !JSON_NODE_HOLDS_NULL (lat))
    {
      json_object_set_double_member (meeting, "lat", json_node_get_double (lat));
      json_object_set_double_member (meeting, "lon",
                                     json_node_get_double (json_object_get_member (input, "lon")));
    }
  else
    {
      json_object_set_null_member (meeting, "lat");
      json_object_set_null_member (meeting, "lon");
    }
  json_object_set_string_member (meeting, "agenda",
                                 json_object_get_string_member_with_default (input, "agenda", ""));

  json_object_set_string_member (op_reply (op), "meeting_id", str_member (meeting, "id"));
  op->changed = TRUE;
  return TRUE;
}

static gboolean
apply_meeting_attend (Op *op,
                      Flow *flow,
                      TtoRelayRoom *room,
                      JsonObject *draft,
                      GError **error)
{
  JsonArray *ids = json_object_get_array_member (op->body, "identity_ids");
  gboolean attended = json_object_get_boolean_member (op->body, "attended");
  const char *meeting_id = str_member (op->body, "meeting_id");
  guint current = current_of (draft);
  JsonArray *stages = stages_of (draft);
  JsonObject *meeting;

  if (!check_editor (op, room, "confirm attendance", error))
    return FALSE;
  meeting = find_meeting (draft, meeting_id);
  if (meeting == NULL)
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_NOT_FOUND,
                           "body.meeting_id names no meeting of this event");
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (ids); i++)
    if (tto_relay_room_get_member (room, json_array_get_string_element (ids, i)) == NULL)
      {
        g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                     "body.identity_ids[%u] is not a member of the event", i);
        return FALSE;
      }

  for (guint i = 0; i < json_array_get_length (ids); i++)
    {
      const char *id = json_array_get_string_element (ids, i);

      if (attended)
        ids_add (json_object_get_array_member (meeting, "attended"), id);
      else
        ids_remove (json_object_get_array_member (meeting, "attended"), id);

      for (guint s = 0; s < json_array_get_length (stages); s++)
        {
          JsonArray *tasks = json_object_get_array_member (json_array_get_object_element (stages, s),
                                                           "tasks");

          for (guint t = 0; t < json_array_get_length (tasks); t++)
            {
              JsonObject *task = json_array_get_object_element (tasks, t);
              JsonArray *done = json_object_get_array_member (task, "done_by");

              if (g_strcmp0 (str_member (task, "meeting_id"), meeting_id) != 0)
                continue;
              if (attended && ids_add (done, id) && s == current)
                op_note_participant (op, id);
              else if (!attended)
                ids_remove (done, id);
            }
        }
    }

  op->changed = TRUE;
  return TRUE;
}

/* Video calls: the relay's own change */

static gboolean
apply_call_completions (Op *op,
                        Flow *flow,
                        TtoRelayRoom *room,
                        JsonObject *draft,
                        GError **error)
{
  JsonArray *completions = json_object_get_array_member (op->body, "completions");

  for (guint i = 0; i < json_array_get_length (completions); i++)
    {
      JsonObject *completion = json_array_get_object_element (completions, i);
      guint stage_index;
      JsonObject *task = find_task (draft, str_member (completion, "task_id"), &stage_index);
      JsonArray *ids = json_object_get_array_member (completion, "identity_ids");

      if (task == NULL || stage_index != current_of (draft))
        continue;
      for (guint j = 0; j < json_array_get_length (ids); j++)
        if (ids_add (json_object_get_array_member (task, "done_by"),
                     json_array_get_string_element (ids, j)))
          {
            op_note_participant (op, json_array_get_string_element (ids, j));
            op->changed = TRUE;
          }
    }

  return TRUE;
}

void
tto_relay_flow_call_leaving (TtoRelay *relay,
                             const char *event_id,
                             const char *kind,
                             GHashTable *participants,
                             const char *identity_id)
{
  TtoRelayRoom *room = tto_relay_find_room (relay, event_id);
  Flow *flow;
  JsonArray *tasks;
  JsonArray *completions;
  gint64 now = tto_relay_now_ms ();

  if (room == NULL || g_strcmp0 (kind, "video") != 0)
    return;

  flow = flow_of (relay, room);
  tasks = json_object_get_array_member (stage_at (flow->state, current_of (flow->state)), "tasks");
  completions = json_array_new ();

  /* All named participants were in the call together since the latest of
   * their join times; the leaver ends that span now. */
  for (guint i = 0; i < json_array_get_length (tasks); i++)
    {
      JsonObject *task = json_array_get_object_element (tasks, i);
      JsonObject *call = object_or_null (task, "call");
      JsonArray *named;
      gint64 together_since = 0;
      gboolean all_in = TRUE;

      if (call == NULL)
        continue;
      named = json_object_get_array_member (call, "participants");
      if (!ids_contain (named, identity_id))
        continue;
      for (guint j = 0; j < json_array_get_length (named) && all_in; j++)
        {
          gint64 *joined = g_hash_table_lookup (participants,
                                                json_array_get_string_element (named, j));

          if (joined == NULL)
            all_in = FALSE;
          else
            together_since = MAX (together_since, *joined);
        }
      if (all_in && now - together_since >= json_object_get_int_member (call, "min_seconds") * 1000)
        {
          JsonObject *completion = json_object_new ();

          json_object_set_string_member (completion, "task_id", str_member (task, "id"));
          json_object_set_array_member (completion, "identity_ids", copy_array (named));
          json_array_add_object_element (completions, completion);
        }
    }

  if (json_array_get_length (completions) == 0)
    {
      json_array_unref (completions);
      return;
    }

  {
    JsonObject *body = json_object_new ();

    json_object_set_array_member (body, "completions", completions);
    g_queue_push_tail (&flow->ops, op_new_internal (flow, apply_call_completions, body));
    run_next (flow);
  }
}

/* Hooks */

void
tto_relay_flow_event_created (TtoRelay *relay,
                              TtoRelayRoom *room,
                              const char *const *stage_titles)
{
  Flow *flow = tto_relay_room_get_flow (room);

  if (flow != NULL)
    return;

  flow = flow_new (relay, room, new_state (stage_titles, tto_relay_now_seconds ()));
  g_queue_push_tail (&flow->ops, op_new_internal (flow, apply_save, NULL));
  run_next (flow);
}

gboolean
tto_relay_flow_may_send (TtoRelayConn *conn,
                         TtoFrame *frame,
                         TtoRelayRoom *room)
{
  Flow *flow = tto_relay_room_get_flow (room);
  g_autoptr (TtoFrame) refusal = NULL;

  if (flow == NULL || !is_eliminated (flow->state, conn->identity_id))
    return TRUE;

  refusal = tto_frame_new_error (frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN,
                                 "eliminated: you were eliminated from this event's flow; you "
                                 "can read but no longer send");
  json_object_set_string_member (refusal->body, "reason", "eliminated");
  tto_relay_send (conn, refusal);
  return FALSE;
}

void
tto_relay_flow_note_activity (TtoRelay *relay,
                              TtoRelayRoom *room,
                              const char *identity_id)
{
  Flow *flow = flow_of (relay, room);

  /* Kept in memory only; the next write of the flow stores it. */
  add_participant (flow, str_member (stage_at (flow->state, current_of (flow->state)), "id"),
                   identity_id);
}

static void
on_flow_loaded (const char *event_id,
                JsonObject *state,
                gpointer user_data)
{
  TtoRelay *relay = user_data;
  TtoRelayRoom *room = tto_relay_find_room (relay, event_id);
  JsonArray *stages;
  Flow *flow;

  if (room == NULL || tto_relay_room_get_flow (room) != NULL ||
      json_array_get_length (stages_of (state)) == 0)
    return;

  flow = flow_new (relay, room, json_object_ref (state));
  stages = stages_of (state);
  for (guint i = 0; i < json_array_get_length (stages); i++)
    {
      JsonObject *stage = json_array_get_object_element (stages, i);
      JsonArray *ids = json_object_get_array_member (stage, "participant_ids");
      JsonArray *tasks = json_object_get_array_member (stage, "tasks");

      for (guint j = 0; ids != NULL && j < json_array_get_length (ids); j++)
        add_participant (flow, str_member (stage, "id"), json_array_get_string_element (ids, j));
      json_object_remove_member (stage, "participant_ids");
      for (guint j = 0; j < json_array_get_length (tasks); j++)
        {
          JsonObject *task = json_array_get_object_element (tasks, j);

          if (!json_object_has_member (task, "fields"))
            json_object_set_null_member (task, "fields");
        }
    }
  if (current_of (state) >= json_array_get_length (stages))
    json_object_set_int_member (state, "current", json_array_get_length (stages) - 1);

  /* "needed" follows from the rule and the members; it is not stored. */
  if (object_or_null (state, "pending") != NULL)
    {
      if (approval_rule (state) != NULL)
        json_object_set_int_member (object_or_null (state, "pending"), "needed",
                                    approvals_needed (state, room));
      else
        json_object_set_null_member (state, "pending");
    }
}

gboolean
tto_relay_flow_load (TtoRelay *relay,
                     GError **error)
{
  return tto_relay_store_load_flows (relay->store, on_flow_loaded, relay, error);
}

/* Requests */

static void
handle_flow_get (TtoRelayConn *conn,
                 TtoFrame *frame)
{
  TtoRelayRoom *room = tto_relay_member_room (conn, frame);
  JsonObject *body;
  Flow *flow;

  if (room == NULL)
    return;

  flow = flow_of (conn->relay, room);
  body = json_object_new ();
  json_object_set_object_member (body, "flow", wire_flow (flow, flow->state));
  tto_relay_reply_ok (conn, frame->id, body);
}

static JsonArray *
leaderboard (Flow *flow,
             TtoRelayRoom *room)
{
  JsonObject *points = json_object_get_object_member (flow->state, "points");
  g_autoptr (GList) members = tto_relay_room_get_members (room);
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();
  JsonArray *array = json_array_new ();

  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonObject *row = json_object_new ();
      const char *id = tto_member_get_identity_id (l->data);

      json_object_set_string_member (row, "identity_id", id);
      json_object_set_string_member (row, "display_name", tto_member_get_display_name (l->data));
      json_object_set_int_member (row, "points",
                                  json_object_get_int_member_with_default (points, id, 0));
      g_ptr_array_add (rows, row);
    }

  /* Highest first, ties by name. */
  for (guint i = 1; i < rows->len; i++)
    for (guint j = i; j > 0; j--)
      {
        JsonObject *a = rows->pdata[j - 1];
        JsonObject *b = rows->pdata[j];
        gint64 pa = json_object_get_int_member (a, "points");
        gint64 pb = json_object_get_int_member (b, "points");

        if (pa > pb || (pa == pb && g_utf8_collate (json_object_get_string_member (a, "display_name"),
                                                    json_object_get_string_member (b, "display_name")) <= 0))
          break;
        rows->pdata[j - 1] = b;
        rows->pdata[j] = a;
      }

  for (guint i = 0; i < rows->len; i++)
    json_array_add_object_element (array, rows->pdata[i]);

  return array;
}

static void
handle_points_list (TtoRelayConn *conn,
                    TtoFrame *frame)
{
  TtoRelayRoom *room = tto_relay_member_room (conn, frame);
  JsonArray *awards;
  JsonObject *body;
  Flow *flow;

  if (room == NULL)
    return;

  flow = flow_of (conn->relay, room);
  awards = json_array_new ();
  for (guint i = 0; i < flow->awards->len; i++)
    {
      Award *award = flow->awards->pdata[i];
      JsonObject *row = json_object_new ();

      json_object_set_string_member (row, "identity_id", award->identity_id);
      json_object_set_int_member (row, "delta", award->delta);
      json_object_set_string_member (row, "reason", award->reason);
      json_object_set_string_member (row, "by", award->by);
      json_object_set_int_member (row, "ts", award->ts);
      json_array_add_object_element (awards, row);
    }

  body = json_object_new ();
  json_object_set_array_member (body, "leaderboard", leaderboard (flow, room));
  json_object_set_array_member (body, "awards", awards);
  {
    g_autoptr (TtoFrame) answer = tto_frame_new_ok (frame->id, body);

    if (frame->id != NULL)
      tto_relay_send (conn, answer);
    /* Reasons are member content: the copy in this tree goes now. */
    tto_frame_wipe (answer);
  }
}

static void
handle_task_answers (TtoRelayConn *conn,
                     TtoFrame *frame)
{
  TtoRelayRoom *room = tto_relay_member_room (conn, frame);
  const char *task_id = tto_frame_get_string (frame, "task_id");
  JsonArray *array;
  GPtrArray *answers;
  JsonObject *body;
  Flow *flow;

  if (room == NULL)
    return;
  if (!is_editor (room, conn->identity_id))
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN,
                             "only the creator or a member with flow_edit may read answers");
      return;
    }
  flow = flow_of (conn->relay, room);
  if (find_task (flow->state, task_id, NULL) == NULL)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_NOT_FOUND,
                             "body.task_id names no task of this event");
      return;
    }

  array = json_array_new ();
  answers = g_hash_table_lookup (flow->answers, task_id);
  for (guint i = 0; answers != NULL && i < answers->len; i++)
    {
      Answer *answer = answers->pdata[i];
      JsonObject *row = json_object_new ();

      json_object_set_string_member (row, "identity_id", answer->identity_id);
      if (answer->answers != NULL)
        json_object_set_object_member (row, "answers",
                                       tto_json_object_deep_copy (answer->answers));
      else
        json_object_set_string_member (row, "blob_id", answer->blob_id);
      json_object_set_int_member (row, "ts", answer->ts);
      json_array_add_object_element (array, row);
    }

  body = json_object_new ();
  json_object_set_array_member (body, "answers", array);
  {
    g_autoptr (TtoFrame) answer = tto_frame_new_ok (frame->id, body);

    if (frame->id != NULL)
      tto_relay_send (conn, answer);
    tto_frame_wipe (answer);
  }
}

static void
handle_flow_report (TtoRelayConn *conn,
                    TtoFrame *frame)
{
  TtoRelayRoom *room = tto_relay_member_room (conn, frame);
  JsonObject *report;
  JsonObject *flow_json;
  JsonArray *stages;
  JsonObject *body;
  Flow *flow;

  if (room == NULL)
    return;

  flow = flow_of (conn->relay, room);
  flow_json = wire_flow (flow, flow->state);
  stages = stages_of (flow_json);
  for (guint i = 0; i < json_array_get_length (stages); i++)
    {
      JsonArray *tasks = json_object_get_array_member (json_array_get_object_element (stages, i),
                                                       "tasks");

      for (guint j = 0; j < json_array_get_length (tasks); j++)
        {
          JsonObject *task = json_array_get_object_element (tasks, j);

          json_object_set_int_member (task, "done_count",
                                      json_array_get_length (json_object_get_array_member (task,
                                                                                           "done_by")));
          json_object_remove_member (task, "done_by");
        }
    }

  report = json_object_new ();
  json_object_set_string_member (report, "title",
                                 tto_event_get_title (tto_relay_room_get_event (room)));
  json_object_set_int_member (report, "generated_at", tto_relay_now_seconds ());
  json_object_set_array_member (report, "stages", json_array_ref (stages));
  json_object_set_int_member (report, "current", current_of (flow_json));
  json_object_set_object_member (report, "rules",
                                 json_object_ref (json_object_get_object_member (flow_json,
                                                                                 "rules")));
  json_object_set_array_member (report, "points", leaderboard (flow, room));
  json_object_set_array_member (report, "meetings",
                                json_array_ref (json_object_get_array_member (flow_json,
                                                                              "meetings")));
  json_object_set_array_member (report, "eliminated",
                                json_array_ref (json_object_get_array_member (flow_json,
                                                                              "eliminated")));
  json_object_unref (flow_json);

  body = json_object_new ();
  json_object_set_object_member (body, "report", report);
  tto_relay_reply_ok (conn, frame->id, body);
}

#define SUBMIT_HANDLER(name, apply)                                                              \
  static void name (TtoRelayConn *conn, TtoFrame *frame)                                         \
  {                                                                                              \
    submit (conn, frame, apply);                                                                 \
  }

SUBMIT_HANDLER (handle_set_stages, apply_set_stages)
SUBMIT_HANDLER (handle_template, apply_template)
SUBMIT_HANDLER (handle_advance, apply_advance)
SUBMIT_HANDLER (handle_approve, apply_approve)
SUBMIT_HANDLER (handle_rules, apply_rules)
SUBMIT_HANDLER (handle_award, apply_award)
SUBMIT_HANDLER (handle_task_add, apply_task_add)
SUBMIT_HANDLER (handle_task_remove, apply_task_remove)
SUBMIT_HANDLER (handle_task_complete, apply_task_complete)
SUBMIT_HANDLER (handle_task_mark, apply_task_mark)
SUBMIT_HANDLER (handle_meeting_set, apply_meeting_set)
SUBMIT_HANDLER (handle_meeting_attend, apply_meeting_attend)

const TtoRelayRoute tto_relay_flow_routes[] = {
  { TTO_FRAME_FLOW_GET, TRUE, handle_flow_get },
  { TTO_FRAME_FLOW_SET_STAGES, TRUE, handle_set_stages },
  { TTO_FRAME_FLOW_TEMPLATE, TRUE, handle_template },
  { TTO_FRAME_FLOW_ADVANCE, TRUE, handle_advance },
  { TTO_FRAME_FLOW_APPROVE, TRUE, handle_approve },
  { TTO_FRAME_FLOW_RULES, TRUE, handle_rules },
  { TTO_FRAME_FLOW_REPORT, TRUE, handle_flow_report },
  { TTO_FRAME_POINTS_AWARD, TRUE, handle_award },
  { TTO_FRAME_POINTS_LIST, TRUE, handle_points_list },
  { TTO_FRAME_TASK_ADD, TRUE, handle_task_add },
  { TTO_FRAME_TASK_REMOVE, TRUE, handle_task_remove },
  { TTO_FRAME_TASK_COMPLETE, TRUE, handle_task_complete },
  { TTO_FRAME_TASK_ANSWERS, TRUE, handle_task_answers },
  { TTO_FRAME_TASK_MARK, TRUE, handle_task_mark },
  { TTO_FRAME_MEETING_SET, TRUE, handle_meeting_set },
  { TTO_FRAME_MEETING_ATTEND, TRUE, handle_meeting_attend },
};

const guint tto_relay_flow_n_routes = G_N_ELEMENTS (tto_relay_flow_routes);
