/* tto-flow.c: an event's flow (stages, rules, points, approvals, meetings)
 *
 * One TtoFlow per event, kept by the session. It parses the relay's flow
 * object (the same in flow.get answers and flow.updated pushes) and
 * updates itself in place: stages, tasks and meetings keep their objects
 * while their ids stay, so list views bound to the stores only see what
 * changed. "changed" is emitted after every update, for views that draw
 * the whole flow at once (the chart, the progress view).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-shared.h"

#include "tto-flow.h"

struct _TtoFlow
{
  GObject parent_instance;

  char *event_id;
  gboolean loaded;
  GListStore *stages;   /* TtoFlowStage */
  GListStore *meetings; /* TtoFlowMeeting */
  guint current;
  JsonObject *rules;
  GHashTable *points;   /* identity id → gint64 * */
  GStrv eliminated;
  JsonObject *pending;  /* NULL when no change waits */
};

G_DEFINE_FINAL_TYPE (TtoFlow, tto_flow, G_TYPE_OBJECT)
G_DEFINE_QUARK (tto-flow-error-quark, tto_flow_error)

enum
{
  PROP_0,
  PROP_CURRENT,
  PROP_N_STAGES,
  PROP_LOADED,
  N_PROPS
};

enum
{
  CHANGED,
  POINTS_AWARDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
tto_flow_finalize (GObject *object)
{
  TtoFlow *self = TTO_FLOW (object);

  g_free (self->event_id);
  g_object_unref (self->stages);
  g_object_unref (self->meetings);
  g_clear_pointer (&self->rules, json_object_unref);
  g_hash_table_unref (self->points);
  g_strfreev (self->eliminated);
  g_clear_pointer (&self->pending, json_object_unref);

  G_OBJECT_CLASS (tto_flow_parent_class)->finalize (object);
}

static void
tto_flow_get_property (GObject *object,
                       guint prop_id,
                       GValue *value,
                       GParamSpec *pspec)
{
  TtoFlow *self = TTO_FLOW (object);

  switch (prop_id)
    {
    case PROP_CURRENT:
      g_value_set_uint (value, self->current);
      break;
    case PROP_N_STAGES:
      g_value_set_uint (value, tto_flow_get_n_stages (self));
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_flow_class_init (TtoFlowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = tto_flow_finalize;
  object_class->get_property = tto_flow_get_property;

  properties[PROP_CURRENT] = g_param_spec_uint ("current", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_N_STAGES] = g_param_spec_uint ("n-stages", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* After every update from the relay. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* points.awarded: identity id, delta, reason (RAM only), new total. */
  signals[POINTS_AWARDED] = g_signal_new ("points-awarded", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                                          G_TYPE_STRING, G_TYPE_INT64, G_TYPE_STRING,
                                          G_TYPE_INT64);
}

static void
tto_flow_init (TtoFlow *self)
{
  self->stages = g_list_store_new (TTO_TYPE_FLOW_STAGE);
  self->meetings = g_list_store_new (TTO_TYPE_FLOW_MEETING);
  self->points = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->eliminated = g_new0 (char *, 1);
}

TtoFlow *
tto_flow_new (const char *event_id)
{
  TtoFlow *self = g_object_new (TTO_TYPE_FLOW, NULL);

  self->event_id = g_strdup (event_id);
  return self;
}

static const char *
get_string (JsonObject *object,
            const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
get_object (JsonObject *object,
            const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
get_array (JsonObject *object,
           const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static GStrv
strv_from (JsonArray *array)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        g_strv_builder_add (builder, json_node_get_string (node));
    }
  return g_strv_builder_end (builder);
}

typedef GObject *(*NewFromJson) (JsonObject *object);
typedef gboolean (*UpdateFromJson) (GObject *item,
                                    JsonObject *object);
typedef const char *(*GetId) (GObject *item);

/* Reuses the items whose id comes again; splices only when the order or
 * the set of ids changed. */
static void
update_store (GListStore *store,
              JsonArray *array,
              NewFromJson new_item,
              UpdateFromJson update_item,
              GetId get_id)
{
  GListModel *model = G_LIST_MODEL (store);
  guint old_n = g_list_model_get_n_items (model);
  g_autoptr (GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean same;

  for (guint i = 0; i < old_n; i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (model, i);

      if (get_id (item) != NULL)
        g_hash_table_insert (by_id, (gpointer) get_id (item), item);
    }

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *id;
      GObject *item;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      id = get_string (json_node_get_object (node), "id");
      item = id != NULL ? g_hash_table_lookup (by_id, id) : NULL;
      if (item != NULL && g_ptr_array_find (items, item, NULL))
        item = NULL; /* a repeated id: a new object */
      if (item != NULL)
        {
          update_item (item, json_node_get_object (node));
          g_ptr_array_add (items, g_object_ref (item));
        }
      else
        g_ptr_array_add (items, new_item (json_node_get_object (node)));
    }

  same = items->len == old_n;
  for (guint i = 0; same && i < old_n; i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (model, i);

      same = item == g_ptr_array_index (items, i);
    }
  if (!same)
    g_list_store_splice (store, 0, old_n, items->pdata, items->len);
}

static gboolean
check_shape (JsonObject *flow,
             GError **error)
{
  JsonArray *stages = get_array (flow, "stages");

  if (stages == NULL)
    {
      g_set_error (error, TTO_FLOW_ERROR, TTO_FLOW_ERROR_INVALID, "flow.stages is missing");
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (stages); i++)
    {
      JsonNode *node = json_array_get_element (stages, i);

      if (!JSON_NODE_HOLDS_OBJECT (node) || get_string (json_node_get_object (node), "id") == NULL)
        {
          g_set_error (error, TTO_FLOW_ERROR, TTO_FLOW_ERROR_INVALID,
                       "flow.stages[%u] has no id", i);
          return FALSE;
        }
    }
  return TRUE;
}

/* Takes the whole flow object of a flow.get answer or flow.updated push. */
gboolean
tto_flow_update_from_json (TtoFlow *self,
                           JsonObject *flow,
                           GError **error)
{
  guint old_n, old_current;
  JsonObject *object;

  g_return_val_if_fail (TTO_IS_FLOW (self), FALSE);
  g_return_val_if_fail (flow != NULL, FALSE);

  if (!check_shape (flow, error))
    return FALSE;

  old_n = tto_flow_get_n_stages (self);
  old_current = self->current;
  g_object_freeze_notify (G_OBJECT (self));

  update_store (self->stages, get_array (flow, "stages"),
                (NewFromJson) tto_flow_stage_new_from_json,
                (UpdateFromJson) tto_flow_stage_update_from_json,
                (GetId) tto_flow_stage_get_id);
  update_store (self->meetings, get_array (flow, "meetings"),
                (NewFromJson) tto_flow_meeting_new_from_json,
                (UpdateFromJson) tto_flow_meeting_update_from_json,
                (GetId) tto_flow_meeting_get_id);

  self->current = (guint) CLAMP (json_object_get_int_member_with_default (flow, "current", 0), 0,
                                 MAX (1, tto_flow_get_n_stages (self)) - 1);

  g_clear_pointer (&self->rules, json_object_unref);
  /* Copies: the frame they came in is wiped once handled. */
  object = get_object (flow, "rules");
  if (object != NULL)
    self->rules = tto_json_object_deep_copy (object);

  g_hash_table_remove_all (self->points);
  object = get_object (flow, "points");
  if (object != NULL)
    {
      g_autoptr (GList) members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *node = json_object_get_member (object, l->data);

          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
            g_hash_table_insert (self->points, g_strdup (l->data),
                                 g_memdup2 (&(gint64){ json_node_get_int (node) },
                                            sizeof (gint64)));
        }
    }

  g_strfreev (self->eliminated);
  self->eliminated = strv_from (get_array (flow, "eliminated"));

  g_clear_pointer (&self->pending, json_object_unref);
  object = get_object (flow, "pending");
  if (object != NULL)
    self->pending = tto_json_object_deep_copy (object);

  if (!self->loaded)
    {
      self->loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
    }
  if (old_n != tto_flow_get_n_stages (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_STAGES]);
  if (old_current != self->current)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT]);
  g_object_thaw_notify (G_OBJECT (self));

  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

/* A points.awarded push: {event_id, identity_id, delta, reason, total}. */
void
tto_flow_apply_points_awarded (TtoFlow *self,
                               JsonObject *push)
{
  const char *identity_id;
  gint64 total, delta;

  g_return_if_fail (TTO_IS_FLOW (self));
  g_return_if_fail (push != NULL);

  identity_id = get_string (push, "identity_id");
  if (identity_id == NULL)
    return;
  delta = json_object_get_int_member_with_default (push, "delta", 0);
  total = json_object_get_int_member_with_default (push, "total",
                                                   tto_flow_get_points (self, identity_id) +
                                                     delta);
  g_hash_table_insert (self->points, g_strdup (identity_id),
                       g_memdup2 (&total, sizeof total));
  g_signal_emit (self, signals[POINTS_AWARDED], 0, identity_id, delta,
                 get_string (push, "reason"), total);
  g_signal_emit (self, signals[CHANGED], 0);
}

const char *
tto_flow_get_event_id (TtoFlow *self)
{
  g_return_val_if_fail (TTO_IS_FLOW (self), NULL);
  return self->event_id;
}

/* FALSE until the first flow object arrived. */
gboolean
tto_flow_get_loaded (TtoFlow *self)
{
  g_return_val_if_fail (TTO_IS_FLOW (self), FALSE);
  return self->loaded;
}

/* TtoFlowStage items, in order */
GListModel *
tto_flow_get_stages (TtoFlow *self)
{
  g_return_val_if_fail (TTO_IS_FLOW (self), NULL);
  return G_LIST_MODEL (self->stages);
}

guint
tto_flow_get_n_stages (TtoFlow *self)
{
  g_return_val_if_fail (TTO_IS_FLOW (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->stages));
}

/* The index of the active stage */
guint
tto_flow_get_current (TtoFlow *self)
{
  g_return_val_if_fail (TTO_IS_FLOW (self), 0);
  return self->current;
}

/* Borrowed; NULL before the flow loaded. */
TtoFlowStage *
tto_flow_get_stage (TtoFlow *self,
                    guint position)
{
  g_autoptr (TtoFlowStage) stage = NULL;

  g_return_val_if_fail (TTO_IS_FLOW (self), NULL);

  stage = g_list_model_get_item (G_LIST_MODEL (self->stages), position);
  return stage; /* the store keeps it */
}

TtoFlowStage *
tto_flow_get_current_stage (TtoFlow *self)
{
  g_return_val_if_fail (TTO_IS_FLOW (self), NULL);
  return tto_flow_get_stage (self, self->current);
}

/* The stage closed last: the one before the current stage. */
TtoFlowStage *
tto_flow_get_previous_stage (TtoFlow *self)
{
  g_return_val_if_fail (TTO_IS_FLOW (self), NULL);
  return self->current > 0 ? tto_flow_get_stage (self, self->current - 1) : NULL;
}

TtoFlowTask *
tto_flow_find_task (TtoFlow *self,
                    const char *task_id,
                    TtoFlowStage **out_stage)
{
  guint n;

  g_return_val_if_fail (TTO_IS_FLOW (self), NULL);

  n = tto_flow_get_n_stages (self);
  for (guint i = 0; i < n; i++)
    {
      TtoFlowStage *stage = tto_flow_get_stage (self, i);
      TtoFlowTask *task = tto_flow_stage_find_task (stage, task_id);

      if (task != NULL)
        {
          if (out_stage != NULL)
            *out_stage = stage;
          return task;
        }
    }
  return NULL;
}

/* Day 1 is the day the current stage started (in whole days since then,
 * @now in seconds); 0 when it has no start yet. */
guint
tto_flow_get_stage_day (TtoFlow *self,
                        gint64 now)
{
  TtoFlowStage *stage;
  gint64 started;

  g_return_val_if_fail (TTO_IS_FLOW (self), 0);

  stage = tto_flow_get_current_stage (self);
  if (stage == NULL || (started = tto_flow_stage_get_started_at (stage)) <= 0)
    return 0;
  return (guint) (MAX (0, now - started) / 86400) + 1;
}

/* The rules object as the relay sent it (NULL if none). */
JsonObject *
tto_flow_get_rules (TtoFlow *self)
{
  g_return_val_if_fail (TTO_IS_FLOW (self), NULL);
  return self->rules;
}

gboolean
tto_flow_get_points_enabled (TtoFlow *self)
{
  g_return_val_if_fail (TTO_IS_FLOW (self), FALSE);
  return self->rules != NULL &&
         json_object_get_boolean_member_with_default (self->rules, "points", FALSE);
}

/* "members", "majority" or NULL without an approval rule */
const char *
tto_flow_get_approval_mode (TtoFlow *self)
{
  g_return_val_if_fail (TTO_IS_FLOW (self), NULL);
  return get_string (get_object (self->rules, "approval"), "mode");
}

guint
tto_flow_get_approval_count (TtoFlow *self)
{
  JsonObject *approval;

  g_return_val_if_fail (TTO_IS_FLOW (self), 0);

  approval = get_object (self->rules, "approval");
  return approval != NULL
           ? (guint) CLAMP (json_object_get_int_member_with_default (approval, "count", 0), 0,
                            G_MAXUINT)
           : 0;
}

GStrv
tto_flow_dup_approval_members (TtoFlow *self)
{
  g_return_val_if_fail (TTO_IS_FLOW (self), NULL);
  return strv_from (get_array (get_object (self->rules, "approval"), "members"));
}

/* TRUE when an elimination rule is set. */
gboolean
tto_flow_get_elimination (TtoFlow *self,
                          gboolean *has_below_points,
                          gint64 *below_points,
                          gboolean *missed_required_task)
{
  JsonObject *elimination;
  JsonNode *node;
  gboolean has_below = FALSE;

  g_return_val_if_fail (TTO_IS_FLOW (self), FALSE);

  elimination = get_object (self->rules, "elimination");
  node = elimination != NULL ? json_object_get_member (elimination, "below_points") : NULL;
  has_below = node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
              json_node_get_value_type (node) == G_TYPE_INT64;
  if (has_below_points != NULL)
    *has_below_points = has_below;
  if (below_points != NULL)
    *below_points = has_below ? json_node_get_int (node) : 0;
  if (missed_required_task != NULL)
    *missed_required_task =
      elimination != NULL &&
      json_object_get_boolean_member_with_default (elimination, "missed_required_task", FALSE);
  return elimination != NULL;
}

gint64
tto_flow_get_points (TtoFlow *self,
                     const char *identity_id)
{
  gint64 *points;

  g_return_val_if_fail (TTO_IS_FLOW (self), 0);

  points = identity_id != NULL ? g_hash_table_lookup (self->points, identity_id) : NULL;
  return points != NULL ? *points : 0;
}

/* The identity ids that have points (free the list, not the ids). */
GList *
tto_flow_get_point_holders (TtoFlow *self)
{
  g_return_val_if_fail (TTO_IS_FLOW (self), NULL);
  return g_hash_table_get_keys (self->points);
}

gboolean
tto_flow_is_eliminated (TtoFlow *self,
                        const char *identity_id)
{
  g_return_val_if_fail (TTO_IS_FLOW (self), FALSE);
  return identity_id != NULL &&
         g_strv_contains ((const char *const *) self->eliminated, identity_id);
}

const char *const *
tto_flow_get_eliminated (TtoFlow *self)
{
  g_return_val_if_fail (TTO_IS_FLOW (self), NULL);
  return (const char *const *) self->eliminated;
}

/* TRUE while a stage change waits for approvals; each out argument may be
 * NULL. */
gboolean
tto_flow_get_pending (TtoFlow *self,
                      const char **direction,
                      const char **conclusion,
                      const char **requested_by,
                      guint *n_approvals,
                      guint *needed)
{
  JsonArray *approvals;

  g_return_val_if_fail (TTO_IS_FLOW (self), FALSE);

  if (self->pending == NULL)
    return FALSE;
  approvals = get_array (self->pending, "approvals");
  if (direction != NULL)
    *direction = get_string (self->pending, "direction");
  if (conclusion != NULL)
    *conclusion = get_string (self->pending, "conclusion");
  if (requested_by != NULL)
    *requested_by = get_string (self->pending, "requested_by");
  if (n_approvals != NULL)
    *n_approvals = approvals != NULL ? json_array_get_length (approvals) : 0;
  if (needed != NULL)
    *needed = (guint) CLAMP (json_object_get_int_member_with_default (self->pending, "needed", 0),
                             0, G_MAXUINT);
  return TRUE;
}

gboolean
tto_flow_has_approved (TtoFlow *self,
                       const char *identity_id)
{
  g_auto (GStrv) approvals = NULL;

  g_return_val_if_fail (TTO_IS_FLOW (self), FALSE);

  if (self->pending == NULL || identity_id == NULL)
    return FALSE;
  approvals = strv_from (get_array (self->pending, "approvals"));
  return g_strv_contains ((const char *const *) approvals, identity_id);
}

/* Whether @identity_id may approve the pending change: a named approver,
 * or any member under "majority", who has not approved yet. */
gboolean
tto_flow_can_approve (TtoFlow *self,
                      const char *identity_id)
{
  const char *mode;
  g_auto (GStrv) members = NULL;

  g_return_val_if_fail (TTO_IS_FLOW (self), FALSE);

  /* The relay takes no approval from an eliminated member. */
  if (self->pending == NULL || identity_id == NULL || tto_flow_has_approved (self, identity_id) ||
      tto_flow_is_eliminated (self, identity_id))
    return FALSE;
  mode = tto_flow_get_approval_mode (self);
  if (g_strcmp0 (mode, "majority") == 0)
    return TRUE;
  members = tto_flow_dup_approval_members (self);
  return g_strv_contains ((const char *const *) members, identity_id);
}

/* TtoFlowMeeting items */
GListModel *
tto_flow_get_meetings (TtoFlow *self)
{
  g_return_val_if_fail (TTO_IS_FLOW (self), NULL);
  return G_LIST_MODEL (self->meetings);
}

TtoFlowMeeting *
tto_flow_find_meeting (TtoFlow *self,
                       const char *meeting_id)
{
  guint n;

  g_return_val_if_fail (TTO_IS_FLOW (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->meetings));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TtoFlowMeeting) meeting = g_list_model_get_item (G_LIST_MODEL (self->meetings),
                                                                  i);

      if (g_strcmp0 (tto_flow_meeting_get_id (meeting), meeting_id) == 0)
        return meeting; /* the store keeps it */
    }
  return NULL;
}
