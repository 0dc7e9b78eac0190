/* tto-frame-flow.c: the frames of the event flow (stages, rules, points,
 * tasks, meetings) and their checks
 *
 * Shapes are checked here so the relay's flow module only decides what the
 * state allows; see "Event flow" in shared/PROTOCOL.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "tto-frame-private.h"

static const char *const task_forms[] = {
  TTO_TASK_FORM_TEXT_FORM, TTO_TASK_FORM_FILE, TTO_TASK_FORM_VOICE_MESSAGE,
  TTO_TASK_FORM_VIDEO_MESSAGE, TTO_TASK_FORM_VIDEO_CALL, TTO_TASK_FORM_OFFLINE_MEETING, NULL
};

static gboolean
is_kind (JsonNode *node,
         GType type)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static gboolean
is_number (JsonNode *node)
{
  return is_kind (node, G_TYPE_INT64) || is_kind (node, G_TYPE_DOUBLE);
}

static gboolean G_GNUC_PRINTF (5, 6)
check_string (JsonNode *node,
              guint min_chars,
              guint max_chars,
              GError **error,
              const char *format,
              ...)
{
  g_autofree char *name = NULL;
  va_list args;
  glong chars;

  va_start (args, format);
  name = g_strdup_vprintf (format, args);
  va_end (args);

  if (!is_kind (node, G_TYPE_STRING) || !g_utf8_validate (json_node_get_string (node), -1, NULL))
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "%s must be a string", name);
      return FALSE;
    }

  chars = g_utf8_strlen (json_node_get_string (node), -1);
  if (chars < (glong) min_chars)
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "%s must not be empty", name);
      return FALSE;
    }
  if (chars > (glong) max_chars)
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_TOO_LARGE,
                   "%s has %ld characters; at most %u are allowed", name, chars, max_chars);
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_ids (JsonNode *node,
           guint min,
           guint max,
           const char *name,
           GError **error)
{
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "%s must be an array of identity ids", name);
      return FALSE;
    }

  array = json_node_get_array (node);
  if (json_array_get_length (array) < min || json_array_get_length (array) > max)
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "%s must list %u to %u identity ids", name, min, max);
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *id = json_array_get_element (array, i);

      if (!is_kind (id, G_TYPE_STRING) || json_node_get_string (id)[0] == '\0' ||
          strlen (json_node_get_string (id)) > 64)
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "%s[%u] must be an identity id", name, i);
          return FALSE;
        }
    }

  return TRUE;
}

/* event.create's optional "stages": a list of titles. Also used by the
 * relay's flow module. */
gboolean
tto_frame_flow_check_stage_titles (JsonObject *body,
                                   GError **error)
{
  JsonArray *stages;

  if (!json_object_has_member (body, "stages"))
    return TRUE;

  stages = json_object_get_array_member (body, "stages");
  if (json_array_get_length (stages) < 1 || json_array_get_length (stages) > TTO_PROTOCOL_MAX_STAGES)
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "body.stages must list 1 to %d stage titles", TTO_PROTOCOL_MAX_STAGES);
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (stages); i++)
    if (!check_string (json_array_get_element (stages, i), 1, TTO_PROTOCOL_MAX_TITLE_CHARS, error,
                       "body.stages[%u]", i))
      return FALSE;

  return TRUE;
}

static gboolean
check_set_stages (JsonObject *body,
                  GError **error)
{
  JsonArray *stages = json_object_get_array_member (body, "stages");

  if (json_array_get_length (stages) < 1 || json_array_get_length (stages) > TTO_PROTOCOL_MAX_STAGES)
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "body.stages must list 1 to %d stages", TTO_PROTOCOL_MAX_STAGES);
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (stages); i++)
    {
      JsonNode *node = json_array_get_element (stages, i);
      JsonObject *stage;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.stages[%u] must be an object {\"id\"?, \"title\"}", i);
          return FALSE;
        }
      stage = json_node_get_object (node);
      /* A kept stage may leave its title out: it keeps the one it has
       * (the default stage's is "", shown translated by each client). */
      if ((json_object_has_member (stage, "title") || !json_object_has_member (stage, "id")) &&
          !check_string (json_object_get_member (stage, "title"), 1, TTO_PROTOCOL_MAX_TITLE_CHARS,
                         error, "body.stages[%u].title", i))
        return FALSE;
      if (json_object_has_member (stage, "id") &&
          !check_string (json_object_get_member (stage, "id"), 1, 64, error, "body.stages[%u].id",
                         i))
        return FALSE;
    }

  return TRUE;
}

static gboolean
check_template (JsonObject *body,
                GError **error)
{
  static const char *const templates[] = { "discuss_plan_execute", "hackathon", "procurement",
                                            NULL };
  /* How many stages each template has, in the order above. */
  static const guint n_stages[] = { 3, 5, 5 };
  const char *name = json_object_get_string_member (body, "template");
  JsonArray *titles;
  guint n = 0;

  if (!g_strv_contains (templates, name))
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.template must be discuss_plan_execute, hackathon or procurement");
      return FALSE;
    }

  /* The creator's own (translated) names for the template's stages. */
  if (!json_object_has_member (body, "titles"))
    return TRUE;
  while (!g_str_equal (templates[n], name))
    n++;
  titles = json_object_get_array_member (body, "titles");
  if (json_array_get_length (titles) != n_stages[n])
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "body.titles must name the template's %u stages", n_stages[n]);
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (titles); i++)
    if (!check_string (json_array_get_element (titles, i), 1, TTO_PROTOCOL_MAX_TITLE_CHARS, error,
                       "body.titles[%u]", i))
      return FALSE;

  return TRUE;
}

static gboolean
check_advance (JsonObject *body,
               GError **error)
{
  static const char *const directions[] = { "next", "back", "cancel", NULL };

  if (!g_strv_contains (directions, json_object_get_string_member (body, "direction")))
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.direction must be next, back or cancel");
      return FALSE;
    }

  return TRUE;
}

/* The whole rule set of flow.rules. */
static gboolean
check_rules (JsonObject *body,
             GError **error)
{
  JsonObject *rules = json_object_get_object_member (body, "rules");
  JsonNode *node;

  node = json_object_get_member (rules, "points");
  if (node != NULL && !is_kind (node, G_TYPE_BOOLEAN))
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.rules.points must be a boolean");
      return FALSE;
    }

  node = json_object_get_member (rules, "approval");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      JsonObject *approval;
      const char *mode;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                               "body.rules.approval must be null or an object");
          return FALSE;
        }
      approval = json_node_get_object (node);
      mode = json_object_get_string_member_with_default (approval, "mode", "");
      if (!is_kind (json_object_get_member (approval, "mode"), G_TYPE_STRING) ||
          (!g_str_equal (mode, "members") && !g_str_equal (mode, "majority")))
        {
          g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                               "body.rules.approval.mode must be members or majority");
          return FALSE;
        }
      if (g_str_equal (mode, "members"))
        {
          JsonNode *count = json_object_get_member (approval, "count");
          JsonNode *members = json_object_get_member (approval, "members");

          if (!check_ids (members, 1, 64, "body.rules.approval.members", error))
            return FALSE;
          if (!is_kind (count, G_TYPE_INT64) || json_node_get_int (count) < 1 ||
              json_node_get_int (count) > json_array_get_length (json_node_get_array (members)))
            {
              g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                                   "body.rules.approval.count must be between 1 and the number "
                                   "of members named");
              return FALSE;
            }
        }
    }

  node = json_object_get_member (rules, "elimination");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      JsonObject *elimination;
      JsonNode *below;
      JsonNode *missed;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                               "body.rules.elimination must be null or an object");
          return FALSE;
        }
      elimination = json_node_get_object (node);
      below = json_object_get_member (elimination, "below_points");
      missed = json_object_get_member (elimination, "missed_required_task");
      if (below != NULL && !JSON_NODE_HOLDS_NULL (below) && !is_kind (below, G_TYPE_INT64))
        {
          g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                               "body.rules.elimination.below_points must be an integer or null");
          return FALSE;
        }
      if (missed != NULL && !is_kind (missed, G_TYPE_BOOLEAN))
        {
          g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                               "body.rules.elimination.missed_required_task must be a boolean");
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
check_award (JsonObject *body,
             GError **error)
{
  gint64 delta = json_object_get_int_member (body, "delta");

  if (delta == 0 || delta < -TTO_PROTOCOL_MAX_POINTS_DELTA || delta > TTO_PROTOCOL_MAX_POINTS_DELTA)
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "body.delta must be between -%d and %d and not 0",
                   TTO_PROTOCOL_MAX_POINTS_DELTA, TTO_PROTOCOL_MAX_POINTS_DELTA);
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_fields (JsonArray *fields,
              GError **error)
{
  static const char *const types[] = { "text", "number", "choice", "date", NULL };
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  if (json_array_get_length (fields) < 1 ||
      json_array_get_length (fields) > TTO_PROTOCOL_MAX_FORM_FIELDS)
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "body.fields must list 1 to %d fields", TTO_PROTOCOL_MAX_FORM_FIELDS);
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (fields); i++)
    {
      JsonNode *node = json_array_get_element (fields, i);
      JsonObject *field;
      const char *type;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.fields[%u] must be an object {\"name\", \"type\"}", i);
          return FALSE;
        }
      field = json_node_get_object (node);
      if (!check_string (json_object_get_member (field, "name"), 1, 64, error,
                         "body.fields[%u].name", i))
        return FALSE;
      if (!g_hash_table_add (names, (gpointer) json_object_get_string_member (field, "name")))
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.fields[%u].name repeats an earlier field's name", i);
          return FALSE;
        }
      type = json_object_get_string_member_with_default (field, "type", "");
      if (!is_kind (json_object_get_member (field, "type"), G_TYPE_STRING) ||
          !g_strv_contains (types, type))
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.fields[%u].type must be text, number, choice or date", i);
          return FALSE;
        }
      if (g_str_equal (type, "choice"))
        {
          JsonNode *choices = json_object_get_member (field, "choices");
          JsonArray *array;

          if (choices == NULL || !JSON_NODE_HOLDS_ARRAY (choices) ||
              json_array_get_length (json_node_get_array (choices)) < 1 ||
              json_array_get_length (json_node_get_array (choices)) > TTO_PROTOCOL_MAX_FIELD_CHOICES)
            {
              g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.fields[%u].choices must list 1 to %d choices", i,
                           TTO_PROTOCOL_MAX_FIELD_CHOICES);
              return FALSE;
            }
          array = json_node_get_array (choices);
          for (guint j = 0; j < json_array_get_length (array); j++)
            if (!check_string (json_array_get_element (array, j), 1, 64, error,
                               "body.fields[%u].choices[%u]", i, j))
              return FALSE;
        }
      else if (json_object_has_member (field, "choices"))
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.fields[%u].choices is only for choice fields", i);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
check_task_form (JsonObject *body,
                 GError **error)
{
  if (!g_strv_contains (task_forms, json_object_get_string_member (body, "form")))
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.form must be text_form, file, voice_message, video_message, "
                           "video_call or offline_meeting");
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_task_add (JsonObject *body,
                GError **error)
{
  const char *form;
  gboolean text_form, video_call, meeting;

  if (!check_task_form (body, error))
    return FALSE;

  form = json_object_get_string_member (body, "form");
  text_form = g_str_equal (form, TTO_TASK_FORM_TEXT_FORM);
  video_call = g_str_equal (form, TTO_TASK_FORM_VIDEO_CALL);
  meeting = g_str_equal (form, TTO_TASK_FORM_OFFLINE_MEETING);

  if (json_object_has_member (body, "fields") != text_form)
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           text_form ? "body.fields is required for a text_form task"
                                     : "body.fields is only for text_form tasks");
      return FALSE;
    }
  if (text_form && !check_fields (json_object_get_array_member (body, "fields"), error))
    return FALSE;

  if (json_object_has_member (body, "call") != video_call)
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           video_call ? "body.call is required for a video_call task"
                                      : "body.call is only for video_call tasks");
      return FALSE;
    }
  if (video_call)
    {
      JsonObject *call = json_object_get_object_member (body, "call");
      JsonNode *seconds = json_object_get_member (call, "min_seconds");

      if (!check_ids (json_object_get_member (call, "participants"), 1,
                      TTO_PROTOCOL_MAX_CALL_PEERS, "body.call.participants", error))
        return FALSE;
      if (!is_kind (seconds, G_TYPE_INT64) || json_node_get_int (seconds) < 1 ||
          json_node_get_int (seconds) > 86400)
        {
          g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                               "body.call.min_seconds must be between 1 and 86400");
          return FALSE;
        }
    }

  if (json_object_has_member (body, "meeting_id") != meeting)
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           meeting ? "body.meeting_id is required for an offline_meeting task"
                                   : "body.meeting_id is only for offline_meeting tasks");
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_task_complete (JsonObject *body,
                     GError **error)
{
  if (!check_task_form (body, error))
    return FALSE;

  if (json_object_has_member (body, "answers") && json_object_has_member (body, "blob_id"))
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.answers and body.blob_id exclude each other");
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_task_mark (JsonObject *body,
                 GError **error)
{
  static const char *const statuses[] = { "open", "done", "not_done", NULL };

  if (!g_strv_contains (statuses, json_object_get_string_member (body, "status")))
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.status must be open, done or not_done");
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_meeting_set (JsonObject *body,
                   GError **error)
{
  JsonObject *meeting = json_object_get_object_member (body, "meeting");
  JsonNode *starts = json_object_get_member (meeting, "starts_at");
  JsonNode *ends = json_object_get_member (meeting, "ends_at");
  JsonNode *lat = json_object_get_member (meeting, "lat");
  JsonNode *lon = json_object_get_member (meeting, "lon");
  gboolean has_lat = lat != NULL && !JSON_NODE_HOLDS_NULL (lat);
  gboolean has_lon = lon != NULL && !JSON_NODE_HOLDS_NULL (lon);

  if (json_object_has_member (meeting, "id") &&
      !check_string (json_object_get_member (meeting, "id"), 1, 64, error, "body.meeting.id"))
    return FALSE;
  if (!check_string (json_object_get_member (meeting, "title"), 1, TTO_PROTOCOL_MAX_TITLE_CHARS,
                     error, "body.meeting.title"))
    return FALSE;
  if (json_object_has_member (meeting, "place") &&
      !check_string (json_object_get_member (meeting, "place"), 0, 200, error,
                     "body.meeting.place"))
    return FALSE;
  if (json_object_has_member (meeting, "agenda") &&
      !check_string (json_object_get_member (meeting, "agenda"), 0, 2000, error,
                     "body.meeting.agenda"))
    return FALSE;

  if (!is_kind (starts, G_TYPE_INT64) || !is_kind (ends, G_TYPE_INT64) ||
      json_node_get_int (starts) <= 0 || json_node_get_int (ends) < json_node_get_int (starts))
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.meeting.starts_at and ends_at must be times in seconds, "
                           "starts_at <= ends_at");
      return FALSE;
    }

  if (has_lat != has_lon || (has_lat && (!is_number (lat) || !is_number (lon))) ||
      (has_lat && (json_node_get_double (lat) < -90 || json_node_get_double (lat) > 90 ||
                   json_node_get_double (lon) < -180 || json_node_get_double (lon) > 180)))
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.meeting.lat and lon must both be numbers (-90..90, -180..180) "
                           "or both be absent");
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_attend (JsonObject *body,
              GError **error)
{
  return check_ids (json_object_get_member (body, "identity_ids"), 1, 500, "body.identity_ids",
                    error);
}

static const FieldSpec event_id_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  END_FIELDS
};

static const FieldSpec set_stages_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "stages", FIELD_ARRAY, TRUE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec template_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "template", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "titles", FIELD_ARRAY, FALSE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec advance_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "direction", FIELD_STRING, TRUE, FALSE, 1, 16 },
  { "conclusion", FIELD_STRING, FALSE, FALSE, 0, TTO_PROTOCOL_MAX_CONCLUSION_CHARS },
  END_FIELDS
};

static const FieldSpec rules_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "rules", FIELD_OBJECT, TRUE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec award_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "identity_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "delta", FIELD_INT, TRUE, FALSE, 0, 0 },
  { "reason", FIELD_STRING, FALSE, FALSE, 0, TTO_PROTOCOL_MAX_POINTS_REASON_CHARS },
  END_FIELDS
};

static const FieldSpec task_add_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "stage_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "title", FIELD_STRING, TRUE, FALSE, 1, TTO_PROTOCOL_MAX_TITLE_CHARS },
  { "form", FIELD_STRING, TRUE, FALSE, 1, 32 },
  { "required", FIELD_BOOL, FALSE, FALSE, 0, 0 },
  { "fields", FIELD_ARRAY, FALSE, FALSE, 0, 0 },
  { "call", FIELD_OBJECT, FALSE, FALSE, 0, 0 },
  { "meeting_id", FIELD_STRING, FALSE, FALSE, 1, 64 },
  END_FIELDS
};

static const FieldSpec task_id_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "task_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  END_FIELDS
};

static const FieldSpec task_complete_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "task_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "form", FIELD_STRING, TRUE, FALSE, 1, 32 },
  { "answers", FIELD_OBJECT, FALSE, FALSE, 0, 0 },
  { "blob_id", FIELD_STRING, FALSE, FALSE, 1, 64 },
  END_FIELDS
};

static const FieldSpec task_mark_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "task_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "status", FIELD_STRING, TRUE, FALSE, 1, 16 },
  END_FIELDS
};

static const FieldSpec meeting_set_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "meeting", FIELD_OBJECT, TRUE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec meeting_attend_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "meeting_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "identity_ids", FIELD_ARRAY, TRUE, FALSE, 0, 0 },
  { "attended", FIELD_BOOL, TRUE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec flow_updated_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "flow", FIELD_OBJECT, TRUE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec points_awarded_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "identity_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "delta", FIELD_INT, TRUE, FALSE, 0, 0 },
  { "total", FIELD_INT, TRUE, FALSE, 0, 0 },
  END_FIELDS
};

const FrameSpec tto_frame_flow_specs[] = {
  { TTO_FRAME_FLOW_GET, TTO_FRAME_FROM_CLIENT, event_id_fields, NULL },
  { TTO_FRAME_FLOW_SET_STAGES, TTO_FRAME_FROM_CLIENT, set_stages_fields, check_set_stages },
  { TTO_FRAME_FLOW_TEMPLATE, TTO_FRAME_FROM_CLIENT, template_fields, check_template },
  { TTO_FRAME_FLOW_ADVANCE, TTO_FRAME_FROM_CLIENT, advance_fields, check_advance },
  { TTO_FRAME_FLOW_APPROVE, TTO_FRAME_FROM_CLIENT, event_id_fields, NULL },
  { TTO_FRAME_FLOW_RULES, TTO_FRAME_FROM_CLIENT, rules_fields, check_rules },
  { TTO_FRAME_FLOW_REPORT, TTO_FRAME_FROM_CLIENT, event_id_fields, NULL },
  { TTO_FRAME_POINTS_AWARD, TTO_FRAME_FROM_CLIENT, award_fields, check_award },
  { TTO_FRAME_POINTS_LIST, TTO_FRAME_FROM_CLIENT, event_id_fields, NULL },
  { TTO_FRAME_TASK_ADD, TTO_FRAME_FROM_CLIENT, task_add_fields, check_task_add },
  { TTO_FRAME_TASK_REMOVE, TTO_FRAME_FROM_CLIENT, task_id_fields, NULL },
  { TTO_FRAME_TASK_COMPLETE, TTO_FRAME_FROM_CLIENT, task_complete_fields, check_task_complete },
  { TTO_FRAME_TASK_ANSWERS, TTO_FRAME_FROM_CLIENT, task_id_fields, NULL },
  { TTO_FRAME_TASK_MARK, TTO_FRAME_FROM_CLIENT, task_mark_fields, check_task_mark },
  { TTO_FRAME_MEETING_SET, TTO_FRAME_FROM_CLIENT, meeting_set_fields, check_meeting_set },
  { TTO_FRAME_MEETING_ATTEND, TTO_FRAME_FROM_CLIENT, meeting_attend_fields, check_attend },
  { TTO_FRAME_FLOW_UPDATED, TTO_FRAME_FROM_RELAY, flow_updated_fields, NULL },
  { TTO_FRAME_POINTS_AWARDED, TTO_FRAME_FROM_RELAY, points_awarded_fields, NULL },
};

const guint tto_frame_flow_n_specs = G_N_ELEMENTS (tto_frame_flow_specs);
