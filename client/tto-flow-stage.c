/* tto-flow-stage.c: one stage of an event's flow
 *
 * Its tasks are a GListStore of TtoFlowTask updated in place: a task that
 * keeps its id keeps its object, so views bound to it only see property
 * changes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-flow-stage.h"

struct _TtoFlowStage
{
  GObject parent_instance;

  char *id;
  char *title;
  TtoFlowStageStatus status;
  gint64 started_at;
  gint64 ended_at;
  char *conclusion;
  guint participants;
  GListStore *tasks;
  guint n_tasks_done;
};

G_DEFINE_FINAL_TYPE (TtoFlowStage, tto_flow_stage, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_TITLE,
  PROP_STATUS,
  PROP_STARTED_AT,
  PROP_ENDED_AT,
  PROP_CONCLUSION,
  PROP_PARTICIPANTS,
  PROP_N_TASKS,
  PROP_N_TASKS_DONE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tto_flow_stage_finalize (GObject *object)
{
  TtoFlowStage *self = TTO_FLOW_STAGE (object);

  g_free (self->id);
  g_free (self->title);
  g_free (self->conclusion);
  g_object_unref (self->tasks);

  G_OBJECT_CLASS (tto_flow_stage_parent_class)->finalize (object);
}

static void
tto_flow_stage_get_property (GObject *object,
                             guint prop_id,
                             GValue *value,
                             GParamSpec *pspec)
{
  TtoFlowStage *self = TTO_FLOW_STAGE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_STATUS:
      g_value_set_int (value, self->status);
      break;
    case PROP_STARTED_AT:
      g_value_set_int64 (value, self->started_at);
      break;
    case PROP_ENDED_AT:
      g_value_set_int64 (value, self->ended_at);
      break;
    case PROP_CONCLUSION:
      g_value_set_string (value, self->conclusion);
      break;
    case PROP_PARTICIPANTS:
      g_value_set_uint (value, self->participants);
      break;
    case PROP_N_TASKS:
      g_value_set_uint (value, tto_flow_stage_get_n_tasks (self));
      break;
    case PROP_N_TASKS_DONE:
      g_value_set_uint (value, self->n_tasks_done);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_flow_stage_class_init (TtoFlowStageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = tto_flow_stage_finalize;
  object_class->get_property = tto_flow_stage_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, flags);
  /* A TtoFlowStageStatus */
  properties[PROP_STATUS] = g_param_spec_int ("status", NULL, NULL, 0, TTO_FLOW_STAGE_DONE, 0,
                                              flags);
  /* Seconds since the epoch, 0 when not yet */
  properties[PROP_STARTED_AT] = g_param_spec_int64 ("started-at", NULL, NULL, 0, G_MAXINT64, 0,
                                                    flags);
  properties[PROP_ENDED_AT] = g_param_spec_int64 ("ended-at", NULL, NULL, 0, G_MAXINT64, 0,
                                                  flags);
  properties[PROP_CONCLUSION] = g_param_spec_string ("conclusion", NULL, NULL, NULL, flags);
  properties[PROP_PARTICIPANTS] = g_param_spec_uint ("participants", NULL, NULL, 0, G_MAXUINT,
                                                     0, flags);
  properties[PROP_N_TASKS] = g_param_spec_uint ("n-tasks", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_N_TASKS_DONE] = g_param_spec_uint ("n-tasks-done", NULL, NULL, 0, G_MAXUINT,
                                                     0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tto_flow_stage_init (TtoFlowStage *self)
{
  self->tasks = g_list_store_new (TTO_TYPE_FLOW_TASK);
}

static const char *
get_string (JsonObject *object,
            const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
get_time (JsonObject *object,
          const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return 0;
  return MAX (0, json_node_get_int (node));
}

static void
set_string_prop (TtoFlowStage *self,
                 char **field,
                 const char *value,
                 guint prop,
                 gboolean *changed)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  *changed = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_int64_prop (TtoFlowStage *self,
                gint64 *field,
                gint64 value,
                guint prop,
                gboolean *changed)
{
  if (*field == value)
    return;
  *field = value;
  *changed = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static TtoFlowStageStatus
parse_status (const char *status)
{
  if (g_strcmp0 (status, "done") == 0)
    return TTO_FLOW_STAGE_DONE;
  if (g_strcmp0 (status, "active") == 0)
    return TTO_FLOW_STAGE_ACTIVE;
  return TTO_FLOW_STAGE_PENDING;
}

static guint
count_done (TtoFlowStage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->tasks));
  guint done = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TtoFlowTask) task = g_list_model_get_item (G_LIST_MODEL (self->tasks), i);

      done += tto_flow_task_is_done (task);
    }
  return done;
}

/* Tasks keep their objects by id; the store changes only where the list
 * of ids does. */
static gboolean
update_tasks (TtoFlowStage *self,
              JsonArray *array)
{
  GListModel *model = G_LIST_MODEL (self->tasks);
  guint old_n = g_list_model_get_n_items (model);
  guint new_n = array != NULL ? json_array_get_length (array) : 0;
  g_autoptr (GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean same = old_n == new_n;
  gboolean changed = FALSE;

  for (guint i = 0; i < old_n; i++)
    {
      TtoFlowTask *task = g_list_model_get_item (model, i);

      if (tto_flow_task_get_id (task) != NULL)
        g_hash_table_insert (by_id, (gpointer) tto_flow_task_get_id (task), task);
      g_object_unref (task); /* the store keeps it */
    }

  for (guint i = 0; i < new_n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *object;
      TtoFlowTask *task;
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      object = json_node_get_object (node);
      id = get_string (object, "id");
      task = id != NULL ? g_hash_table_lookup (by_id, id) : NULL;
      if (task != NULL)
        {
          changed |= tto_flow_task_update_from_json (task, object);
          g_ptr_array_add (tasks, g_object_ref (task));
        }
      else
        g_ptr_array_add (tasks, tto_flow_task_new_from_json (object));
    }

  same = same && tasks->len == old_n;
  for (guint i = 0; same && i < old_n; i++)
    {
      g_autoptr (TtoFlowTask) task = g_list_model_get_item (model, i);

      same = task == g_ptr_array_index (tasks, i);
    }
  if (!same)
    {
      g_list_store_splice (self->tasks, 0, old_n, tasks->pdata, tasks->len);
      changed = TRUE;
    }
  return changed;
}

gboolean
tto_flow_stage_update_from_json (TtoFlowStage *self,
                                 JsonObject *object)
{
  gboolean changed = FALSE;
  guint old_n_tasks, old_done, participants;
  TtoFlowStageStatus status;
  JsonNode *node;

  g_return_val_if_fail (TTO_IS_FLOW_STAGE (self), FALSE);
  g_return_val_if_fail (object != NULL, FALSE);

  g_object_freeze_notify (G_OBJECT (self));
  old_n_tasks = tto_flow_stage_get_n_tasks (self);
  old_done = self->n_tasks_done;

  set_string_prop (self, &self->id, get_string (object, "id"), PROP_ID, &changed);
  set_string_prop (self, &self->title, get_string (object, "title"), PROP_TITLE, &changed);
  status = parse_status (get_string (object, "status"));
  if (status != self->status)
    {
      self->status = status;
      changed = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
    }
  set_int64_prop (self, &self->started_at, get_time (object, "started_at"), PROP_STARTED_AT,
                  &changed);
  set_int64_prop (self, &self->ended_at, get_time (object, "ended_at"), PROP_ENDED_AT, &changed);
  set_string_prop (self, &self->conclusion, get_string (object, "conclusion"), PROP_CONCLUSION,
                   &changed);
  participants = (guint) CLAMP (json_object_get_int_member_with_default (object, "participants",
                                                                         0),
                                0, G_MAXUINT);
  if (participants != self->participants)
    {
      self->participants = participants;
      changed = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARTICIPANTS]);
    }

  node = json_object_get_member (object, "tasks");
  changed |= update_tasks (self, node != NULL && JSON_NODE_HOLDS_ARRAY (node)
                                   ? json_node_get_array (node)
                                   : NULL);
  self->n_tasks_done = count_done (self);
  if (old_n_tasks != tto_flow_stage_get_n_tasks (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_TASKS]);
  if (old_done != self->n_tasks_done)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_TASKS_DONE]);

  g_object_thaw_notify (G_OBJECT (self));
  return changed;
}

TtoFlowStage *
tto_flow_stage_new_from_json (JsonObject *object)
{
  TtoFlowStage *self;

  g_return_val_if_fail (object != NULL, NULL);

  self = g_object_new (TTO_TYPE_FLOW_STAGE, NULL);
  tto_flow_stage_update_from_json (self, object);
  return self;
}

const char *
tto_flow_stage_get_id (TtoFlowStage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_STAGE (self), NULL);
  return self->id;
}

const char *
tto_flow_stage_get_title (TtoFlowStage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_STAGE (self), NULL);
  return self->title != NULL ? self->title : "";
}

/* The title as people see it: the relay makes each event's first stage
 * untitled ("") and every client names it in its own language, as the
 * main topic. Use this wherever a stage title is shown; the raw title only
 * for editing and for the wire. */
const char *
tto_flow_stage_title_for_display (const char *title)
{
  if (title == NULL || *title == '\0')
    /* Translators: the name of an event's default stage, the one every
     * event starts with until the creator names stages ("Main stage · day 2") */
    return _("Main stage");
  return title;
}

const char *
tto_flow_stage_get_display_title (TtoFlowStage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_STAGE (self), NULL);
  return tto_flow_stage_title_for_display (self->title);
}

TtoFlowStageStatus
tto_flow_stage_get_status (TtoFlowStage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_STAGE (self), TTO_FLOW_STAGE_PENDING);
  return self->status;
}

/* Seconds since the epoch; 0 for a stage not started yet. */
gint64
tto_flow_stage_get_started_at (TtoFlowStage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_STAGE (self), 0);
  return self->started_at;
}

gint64
tto_flow_stage_get_ended_at (TtoFlowStage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_STAGE (self), 0);
  return self->ended_at;
}

const char *
tto_flow_stage_get_conclusion (TtoFlowStage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_STAGE (self), NULL);
  return self->conclusion;
}

guint
tto_flow_stage_get_participants (TtoFlowStage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_STAGE (self), 0);
  return self->participants;
}

/* TtoFlowTask items */
GListModel *
tto_flow_stage_get_tasks (TtoFlowStage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_STAGE (self), NULL);
  return G_LIST_MODEL (self->tasks);
}

guint
tto_flow_stage_get_n_tasks (TtoFlowStage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_STAGE (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->tasks));
}

guint
tto_flow_stage_get_n_tasks_done (TtoFlowStage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_STAGE (self), 0);
  return self->n_tasks_done;
}

TtoFlowTask *
tto_flow_stage_find_task (TtoFlowStage *self,
                          const char *task_id)
{
  guint n;

  g_return_val_if_fail (TTO_IS_FLOW_STAGE (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->tasks));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TtoFlowTask) task = g_list_model_get_item (G_LIST_MODEL (self->tasks), i);

      if (g_strcmp0 (tto_flow_task_get_id (task), task_id) == 0)
        return task; /* the store keeps it */
    }
  return NULL;
}

const char *
tto_flow_stage_status_name (TtoFlowStageStatus status)
{
  switch (status)
    {
    case TTO_FLOW_STAGE_DONE:
      return _("Done");
    case TTO_FLOW_STAGE_ACTIVE:
      return _("Ongoing");
    case TTO_FLOW_STAGE_PENDING:
    default:
      return _("Pending");
    }
}
