/* tto-join-request.c: one application to join an event under review
 *
 * The same object serves the reviewers' queue (review.list, review.new) and
 * the applicant's own "waiting for approval" entry, which also learns the
 * decision (review.decided).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tto-shared.h"

#include "tto-join-request.h"

struct _TtoJoinRequest
{
  GObject parent_instance;

  char *event_id;
  char *event_title;
  char *identity_id;
  char *display_name;
  char *reason;
  char *status;
  char *message;
  GStrv evidence; /* blob ids uploaded by the applicant */
  gint64 created_at;
  gboolean third_party;
  gboolean phone;
  gboolean id;
};

G_DEFINE_FINAL_TYPE (TtoJoinRequest, tto_join_request, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_EVENT_TITLE,
  PROP_DISPLAY_NAME,
  PROP_REASON,
  PROP_STATUS,
  PROP_MESSAGE,
  PROP_EVIDENCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tto_join_request_finalize (GObject *object)
{
  TtoJoinRequest *self = (TtoJoinRequest *) object;

  g_free (self->event_id);
  g_free (self->event_title);
  g_free (self->identity_id);
  g_free (self->display_name);
  g_free (self->reason);
  g_free (self->status);
  g_free (self->message);
  g_strfreev (self->evidence);

  G_OBJECT_CLASS (tto_join_request_parent_class)->finalize (object);
}

static void
tto_join_request_get_property (GObject *object,
                               guint prop_id,
                               GValue *value,
                               GParamSpec *pspec)
{
  TtoJoinRequest *self = TTO_JOIN_REQUEST (object);

  switch (prop_id)
    {
    case PROP_EVENT_TITLE:
      g_value_set_string (value, self->event_title);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_REASON:
      g_value_set_string (value, self->reason);
      break;
    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    case PROP_EVIDENCE:
      g_value_set_boxed (value, self->evidence);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_join_request_class_init (TtoJoinRequestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tto_join_request_finalize;
  object_class->get_property = tto_join_request_get_property;

  properties[PROP_EVENT_TITLE] = g_param_spec_string ("event-title", NULL, NULL, NULL,
                                                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL,
                                                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_REASON] = g_param_spec_string ("reason", NULL, NULL, NULL,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_EVIDENCE] = g_param_spec_boxed ("evidence", NULL, NULL, G_TYPE_STRV,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tto_join_request_init (TtoJoinRequest *self)
{
  self->status = g_strdup (TTO_JOIN_REQUEST_PENDING);
  self->evidence = g_new0 (char *, 1);
}

static void
set_string (TtoJoinRequest *self,
            char **field,
            const char *value,
            guint prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

TtoJoinRequest *
tto_join_request_new_from_json (JsonObject *application,
                                GError **error)
{
  TtoJoinRequest *self;
  const char *event_id;
  const char *identity_id;

  g_return_val_if_fail (application != NULL, NULL);

  event_id = json_object_get_string_member_with_default (application, "event_id", NULL);
  identity_id = json_object_get_string_member_with_default (application, "identity_id", NULL);
  if (!tto_id_is_valid (event_id) || !tto_id_is_valid (identity_id))
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "application lacks event_id or identity_id");
      return NULL;
    }

  self = g_object_new (TTO_TYPE_JOIN_REQUEST, NULL);
  self->event_id = g_strdup (event_id);
  self->identity_id = g_strdup (identity_id);
  tto_join_request_update_from_json (self, application);
  return self;
}

void
tto_join_request_update_from_json (TtoJoinRequest *self,
                                   JsonObject *application)
{
  JsonNode *badges;
  JsonNode *node;

  g_return_if_fail (TTO_IS_JOIN_REQUEST (self));

  set_string (self, &self->display_name,
              json_object_get_string_member_with_default (application, "display_name", ""),
              PROP_DISPLAY_NAME);
  set_string (self, &self->reason,
              json_object_get_string_member_with_default (application, "reason", ""),
              PROP_REASON);
  set_string (self, &self->message,
              json_object_get_string_member_with_default (application, "message", ""),
              PROP_MESSAGE);
  set_string (self, &self->status,
              json_object_get_string_member_with_default (application, "status",
                                                          TTO_JOIN_REQUEST_PENDING),
              PROP_STATUS);
  self->created_at = json_object_get_int_member_with_default (application, "created_at", 0);
  /* Absent: unchanged (a local update that only touched the reason). */
  node = json_object_get_member (application, "evidence");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
      g_auto (GStrv) evidence = NULL;

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) &&
              json_node_get_value_type (element) == G_TYPE_STRING &&
              tto_id_is_valid (json_node_get_string (element)))
            g_strv_builder_add (builder, json_node_get_string (element));
        }
      evidence = g_strv_builder_end (builder);
      if (!g_strv_equal ((const char *const *) evidence, (const char *const *) self->evidence))
        {
          g_strfreev (self->evidence);
          self->evidence = g_steal_pointer (&evidence);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EVIDENCE]);
        }
    }
  badges = json_object_get_member (application, "badges");
  if (badges != NULL && JSON_NODE_HOLDS_OBJECT (badges))
    {
      JsonObject *object = json_node_get_object (badges);

      self->third_party = json_object_get_boolean_member_with_default (object, "third_party",
                                                                       FALSE);
      self->phone = json_object_get_boolean_member_with_default (object, "phone", FALSE);
      self->id = json_object_get_boolean_member_with_default (object, "id", FALSE);
    }
}

const char *
tto_join_request_get_event_id (TtoJoinRequest *self)
{
  g_return_val_if_fail (TTO_IS_JOIN_REQUEST (self), NULL);
  return self->event_id;
}

const char *
tto_join_request_get_event_title (TtoJoinRequest *self)
{
  g_return_val_if_fail (TTO_IS_JOIN_REQUEST (self), NULL);
  return self->event_title;
}

void
tto_join_request_set_event_title (TtoJoinRequest *self,
                                  const char *title)
{
  g_return_if_fail (TTO_IS_JOIN_REQUEST (self));
  set_string (self, &self->event_title, title, PROP_EVENT_TITLE);
}

const char *
tto_join_request_get_identity_id (TtoJoinRequest *self)
{
  g_return_val_if_fail (TTO_IS_JOIN_REQUEST (self), NULL);
  return self->identity_id;
}

const char *
tto_join_request_get_display_name (TtoJoinRequest *self)
{
  g_return_val_if_fail (TTO_IS_JOIN_REQUEST (self), NULL);
  return self->display_name;
}

const char *
tto_join_request_get_reason (TtoJoinRequest *self)
{
  g_return_val_if_fail (TTO_IS_JOIN_REQUEST (self), NULL);
  return self->reason;
}

const char *
tto_join_request_get_status (TtoJoinRequest *self)
{
  g_return_val_if_fail (TTO_IS_JOIN_REQUEST (self), NULL);
  return self->status;
}

void
tto_join_request_set_status (TtoJoinRequest *self,
                             const char *status,
                             const char *message)
{
  g_return_if_fail (TTO_IS_JOIN_REQUEST (self));
  set_string (self, &self->message, message != NULL ? message : "", PROP_MESSAGE);
  set_string (self, &self->status, status, PROP_STATUS);
}

const char *
tto_join_request_get_message (TtoJoinRequest *self)
{
  g_return_val_if_fail (TTO_IS_JOIN_REQUEST (self), NULL);
  return self->message;
}

gint64
tto_join_request_get_created_at (TtoJoinRequest *self)
{
  g_return_val_if_fail (TTO_IS_JOIN_REQUEST (self), 0);
  return self->created_at;
}

/* @badge: "third_party", "phone" or "id" */
gboolean
tto_join_request_get_badge (TtoJoinRequest *self,
                            const char *badge)
{
  g_return_val_if_fail (TTO_IS_JOIN_REQUEST (self), FALSE);

  if (g_strcmp0 (badge, "third_party") == 0)
    return self->third_party;
  if (g_strcmp0 (badge, "phone") == 0)
    return self->phone;
  if (g_strcmp0 (badge, "id") == 0)
    return self->id;
  return FALSE;
}

/* The blob ids of the evidence attached to the application (never NULL). */
const char *const *
tto_join_request_get_evidence (TtoJoinRequest *self)
{
  g_return_val_if_fail (TTO_IS_JOIN_REQUEST (self), NULL);
  return (const char *const *) self->evidence;
}
