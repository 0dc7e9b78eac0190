/* tto-flow-task.c: one task of a flow stage, and how it must be completed
 *
 * Built from the task objects of the relay's flow object and updated in
 * place when a flow.updated push arrives, so rows bound to a task follow
 * it. Only the definition and who completed it live here; answers never
 * reach this object.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-flow-task.h"

struct _TtoFlowTask
{
  GObject parent_instance;

  char *id;
  char *title;
  char *form;
  gboolean required;
  char *status;
  JsonArray *fields;
  GStrv call_participants;
  gint64 call_min_seconds;
  char *meeting_id;
  GStrv done_by;
};

G_DEFINE_FINAL_TYPE (TtoFlowTask, tto_flow_task, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_TITLE,
  PROP_FORM,
  PROP_REQUIRED,
  PROP_STATUS,
  PROP_N_DONE,
  PROP_DONE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tto_flow_task_finalize (GObject *object)
{
  TtoFlowTask *self = TTO_FLOW_TASK (object);

  g_free (self->id);
  g_free (self->title);
  g_free (self->form);
  g_free (self->status);
  g_clear_pointer (&self->fields, json_array_unref);
  g_strfreev (self->call_participants);
  g_free (self->meeting_id);
  g_strfreev (self->done_by);

  G_OBJECT_CLASS (tto_flow_task_parent_class)->finalize (object);
}

static void
tto_flow_task_get_property (GObject *object,
                            guint prop_id,
                            GValue *value,
                            GParamSpec *pspec)
{
  TtoFlowTask *self = TTO_FLOW_TASK (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_FORM:
      g_value_set_string (value, self->form);
      break;
    case PROP_REQUIRED:
      g_value_set_boolean (value, self->required);
      break;
    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    case PROP_N_DONE:
      g_value_set_uint (value, tto_flow_task_get_n_done (self));
      break;
    case PROP_DONE:
      g_value_set_boolean (value, tto_flow_task_is_done (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_flow_task_class_init (TtoFlowTaskClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tto_flow_task_finalize;
  object_class->get_property = tto_flow_task_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL,
                                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FORM] = g_param_spec_string ("form", NULL, NULL, NULL,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_REQUIRED] = g_param_spec_boolean ("required", NULL, NULL, FALSE,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_DONE] = g_param_spec_uint ("n-done", NULL, NULL, 0, G_MAXUINT, 0,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DONE] = g_param_spec_boolean ("done", NULL, NULL, FALSE,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tto_flow_task_init (TtoFlowTask *self)
{
}

static GStrv
strv_from_array (JsonObject *object,
                 const char *member)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) &&
              json_node_get_value_type (element) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (element));
        }
    }
  return g_strv_builder_end (builder);
}

static gboolean
set_string (char **field,
            const char *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static gboolean
set_strv (GStrv *field,
          GStrv value)
{
  if (*field != NULL && g_strv_equal ((const char *const *) *field, (const char *const *) value))
    {
      g_strfreev (value);
      return FALSE;
    }
  g_strfreev (*field);
  *field = value;
  return TRUE;
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

/* Takes what @object says; returns TRUE if anything changed. Properties
 * notify only when their value changes. */
gboolean
tto_flow_task_update_from_json (TtoFlowTask *self,
                                JsonObject *object)
{
  gboolean changed = FALSE;
  gboolean was_done;
  guint n_done;
  JsonNode *node;
  JsonObject *call = NULL;

  g_return_val_if_fail (TTO_IS_FLOW_TASK (self), FALSE);
  g_return_val_if_fail (object != NULL, FALSE);

  was_done = tto_flow_task_is_done (self);
  n_done = tto_flow_task_get_n_done (self);
  g_object_freeze_notify (G_OBJECT (self));

  if (set_string (&self->id, get_string (object, "id")))
    {
      changed = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
    }
  if (set_string (&self->title, get_string (object, "title")))
    {
      changed = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
    }
  if (set_string (&self->form, get_string (object, "form")))
    {
      changed = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FORM]);
    }
  if (json_object_get_boolean_member_with_default (object, "required", FALSE) != self->required)
    {
      self->required = !self->required;
      changed = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUIRED]);
    }
  if (set_string (&self->status, get_string (object, "status") ?: "open"))
    {
      changed = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
    }

  g_clear_pointer (&self->fields, json_array_unref);
  node = json_object_get_member (object, "fields");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      /* A copy: the frame it came in is wiped once handled. */
      g_autofree char *text = json_to_string (node, FALSE);
      g_autoptr (JsonNode) copy = json_from_string (text, NULL);

      if (copy != NULL && JSON_NODE_HOLDS_ARRAY (copy))
        self->fields = json_array_ref (json_node_get_array (copy));
    }

  node = json_object_get_member (object, "call");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    call = json_node_get_object (node);
  changed |= set_strv (&self->call_participants,
                       call != NULL ? strv_from_array (call, "participants") : g_new0 (char *, 1));
  self->call_min_seconds = call != NULL ? json_object_get_int_member_with_default (call,
                                                                                  "min_seconds", 0)
                                        : 0;
  changed |= set_string (&self->meeting_id, get_string (object, "meeting_id"));

  changed |= set_strv (&self->done_by, strv_from_array (object, "done_by"));
  if (n_done != tto_flow_task_get_n_done (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DONE]);
  if (was_done != tto_flow_task_is_done (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DONE]);

  g_object_thaw_notify (G_OBJECT (self));
  return changed;
}

TtoFlowTask *
tto_flow_task_new_from_json (JsonObject *object)
{
  TtoFlowTask *self;

  g_return_val_if_fail (object != NULL, NULL);

  self = g_object_new (TTO_TYPE_FLOW_TASK, NULL);
  tto_flow_task_update_from_json (self, object);
  return self;
}

const char *
tto_flow_task_get_id (TtoFlowTask *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_TASK (self), NULL);
  return self->id;
}

const char *
tto_flow_task_get_title (TtoFlowTask *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_TASK (self), NULL);
  return self->title != NULL ? self->title : "";
}

const char *
tto_flow_task_get_form (TtoFlowTask *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_TASK (self), NULL);
  return self->form;
}

gboolean
tto_flow_task_get_required (TtoFlowTask *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_TASK (self), FALSE);
  return self->required;
}

/* "open", "done" or "not_done": the editor's mark for the whole task */
const char *
tto_flow_task_get_status (TtoFlowTask *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_TASK (self), NULL);
  return self->status;
}

/* The text form's field definitions ({name, type, choices}), or NULL. */
JsonArray *
tto_flow_task_get_fields (TtoFlowTask *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_TASK (self), NULL);
  return self->fields;
}

const char *const *
tto_flow_task_get_call_participants (TtoFlowTask *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_TASK (self), NULL);
  return (const char *const *) self->call_participants;
}

gint64
tto_flow_task_get_call_min_seconds (TtoFlowTask *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_TASK (self), 0);
  return self->call_min_seconds;
}

const char *
tto_flow_task_get_meeting_id (TtoFlowTask *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_TASK (self), NULL);
  return self->meeting_id;
}

const char *const *
tto_flow_task_get_done_by (TtoFlowTask *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_TASK (self), NULL);
  return (const char *const *) self->done_by;
}

guint
tto_flow_task_get_n_done (TtoFlowTask *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_TASK (self), 0);
  return self->done_by != NULL ? g_strv_length (self->done_by) : 0;
}

gboolean
tto_flow_task_is_done_by (TtoFlowTask *self,
                          const char *identity_id)
{
  g_return_val_if_fail (TTO_IS_FLOW_TASK (self), FALSE);
  return identity_id != NULL && self->done_by != NULL &&
         g_strv_contains ((const char *const *) self->done_by, identity_id);
}

/* Counts as done in the stage's "tasks done/total": marked done by the
 * editor, or completed by someone and not marked otherwise. */
gboolean
tto_flow_task_is_done (TtoFlowTask *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_TASK (self), FALSE);

  if (g_strcmp0 (self->status, "done") == 0)
    return TRUE;
  if (g_strcmp0 (self->status, "not_done") == 0)
    return FALSE;
  return tto_flow_task_get_n_done (self) > 0;
}

/* How the required form reads in the UI and in reports. */
const char *
tto_flow_task_form_name (const char *form)
{
  if (g_strcmp0 (form, TTO_TASK_FORM_TEXT_FORM) == 0)
    return _("Text form");
  if (g_strcmp0 (form, TTO_TASK_FORM_FILE) == 0)
    return _("File");
  if (g_strcmp0 (form, TTO_TASK_FORM_VOICE_MESSAGE) == 0)
    return _("Voice message");
  if (g_strcmp0 (form, TTO_TASK_FORM_VIDEO_MESSAGE) == 0)
    return _("Video message");
  if (g_strcmp0 (form, TTO_TASK_FORM_VIDEO_CALL) == 0)
    return _("Video call");
  if (g_strcmp0 (form, TTO_TASK_FORM_OFFLINE_MEETING) == 0)
    return _("Offline meeting");
  return form != NULL ? form : "";
}

const char *
tto_flow_task_status_name (const char *status)
{
  if (g_strcmp0 (status, "done") == 0)
    return _("Done");
  if (g_strcmp0 (status, "not_done") == 0)
    return _("Not done");
  return _("Open");
}
