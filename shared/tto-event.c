/* tto-event.c: one event as both sides see it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tto-event.h"
#include "tto-cidr.h"
#include "tto-protocol.h"
#include "tto-util.h"

struct _TtoEvent
{
  GObject parent_instance;

  char *id;
  char *title;
  char *content;
  char *announcement;
  char *admission;
  char *creator_id;
  char *creator_name;
  char *invite_code;
  char *role;
  char *end_reason;
  gint64 deadline;
  gint64 created_at;
  gint64 last_seq;
  guint member_count;
  guint unread_count;
  guint edit_window;
  guint recall_window;
  GStrv permissions; /* of the identity this copy is for */
  GStrv forms;       /* enabled communication forms */
  gboolean auto_approve_third_party;
  gboolean require_id_verified;
  gboolean require_phone_verified;
  gint64 invite_expires_at; /* seconds; 0 = the code does not expire */
  GStrv ip_allow;            /* CIDR networks members may connect from; empty: any */
  TtoCidrList *ip_allow_list; /* ip_allow parsed; NULL if an entry did not parse */
};

G_DEFINE_FINAL_TYPE (TtoEvent, tto_event, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_TITLE,
  PROP_CONTENT,
  PROP_ANNOUNCEMENT,
  PROP_DEADLINE,
  PROP_ADMISSION,
  PROP_CREATOR_ID,
  PROP_CREATOR_NAME,
  PROP_INVITE_CODE,
  PROP_CREATED_AT,
  PROP_MEMBER_COUNT,
  PROP_LAST_SEQ,
  PROP_ROLE,
  PROP_ENDED,
  PROP_END_REASON,
  PROP_UNREAD_COUNT,
  PROP_EDIT_WINDOW,
  PROP_RECALL_WINDOW,
  PROP_IP_ALLOW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tto_event_finalize (GObject *object)
{
  TtoEvent *self = (TtoEvent *) object;

  g_free (self->id);
  g_free (self->title);
  g_free (self->content);
  g_free (self->announcement);
  g_free (self->admission);
  g_free (self->creator_id);
  g_free (self->creator_name);
  g_free (self->invite_code);
  g_free (self->role);
  g_free (self->end_reason);
  g_strfreev (self->permissions);
  g_strfreev (self->forms);
  g_strfreev (self->ip_allow);
  tto_cidr_list_free (self->ip_allow_list);

  G_OBJECT_CLASS (tto_event_parent_class)->finalize (object);
}

static void
tto_event_get_property (GObject *object,
                        guint prop_id,
                        GValue *value,
                        GParamSpec *pspec)
{
  TtoEvent *self = TTO_EVENT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_CONTENT:
      g_value_set_string (value, self->content);
      break;
    case PROP_ANNOUNCEMENT:
      g_value_set_string (value, self->announcement);
      break;
    case PROP_DEADLINE:
      g_value_set_int64 (value, self->deadline);
      break;
    case PROP_ADMISSION:
      g_value_set_string (value, self->admission);
      break;
    case PROP_CREATOR_ID:
      g_value_set_string (value, self->creator_id);
      break;
    case PROP_CREATOR_NAME:
      g_value_set_string (value, self->creator_name);
      break;
    case PROP_INVITE_CODE:
      g_value_set_string (value, self->invite_code);
      break;
    case PROP_CREATED_AT:
      g_value_set_int64 (value, self->created_at);
      break;
    case PROP_MEMBER_COUNT:
      g_value_set_uint (value, self->member_count);
      break;
    case PROP_LAST_SEQ:
      g_value_set_int64 (value, self->last_seq);
      break;
    case PROP_ROLE:
      g_value_set_string (value, self->role);
      break;
    case PROP_ENDED:
      g_value_set_boolean (value, self->end_reason != NULL);
      break;
    case PROP_END_REASON:
      g_value_set_string (value, self->end_reason);
      break;
    case PROP_UNREAD_COUNT:
      g_value_set_uint (value, self->unread_count);
      break;
    case PROP_EDIT_WINDOW:
      g_value_set_uint (value, self->edit_window);
      break;
    case PROP_RECALL_WINDOW:
      g_value_set_uint (value, self->recall_window);
      break;
    case PROP_IP_ALLOW:
      g_value_set_boxed (value, self->ip_allow);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_event_set_property (GObject *object,
                        guint prop_id,
                        const GValue *value,
                        GParamSpec *pspec)
{
  TtoEvent *self = TTO_EVENT (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_dup_string (value);
      break;
    case PROP_TITLE:
      tto_event_set_title (self, g_value_get_string (value));
      break;
    case PROP_CONTENT:
      tto_event_set_content (self, g_value_get_string (value));
      break;
    case PROP_ANNOUNCEMENT:
      tto_event_set_announcement (self, g_value_get_string (value));
      break;
    case PROP_DEADLINE:
      tto_event_set_deadline (self, g_value_get_int64 (value));
      break;
    case PROP_ADMISSION:
      tto_event_set_admission (self, g_value_get_string (value));
      break;
    case PROP_CREATOR_ID:
      tto_event_set_creator_id (self, g_value_get_string (value));
      break;
    case PROP_CREATOR_NAME:
      tto_event_set_creator_name (self, g_value_get_string (value));
      break;
    case PROP_INVITE_CODE:
      tto_event_set_invite_code (self, g_value_get_string (value));
      break;
    case PROP_CREATED_AT:
      tto_event_set_created_at (self, g_value_get_int64 (value));
      break;
    case PROP_MEMBER_COUNT:
      tto_event_set_member_count (self, g_value_get_uint (value));
      break;
    case PROP_LAST_SEQ:
      tto_event_set_last_seq (self, g_value_get_int64 (value));
      break;
    case PROP_ROLE:
      tto_event_set_role (self, g_value_get_string (value));
      break;
    case PROP_UNREAD_COUNT:
      tto_event_set_unread_count (self, g_value_get_uint (value));
      break;
    case PROP_EDIT_WINDOW:
      tto_event_set_edit_window (self, g_value_get_uint (value));
      break;
    case PROP_RECALL_WINDOW:
      tto_event_set_recall_window (self, g_value_get_uint (value));
      break;
    case PROP_IP_ALLOW:
      tto_event_set_ip_allow (self, g_value_get_boxed (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_event_class_init (TtoEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = tto_event_finalize;
  object_class->get_property = tto_event_get_property;
  object_class->set_property = tto_event_set_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL,
                                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                               G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, rw);
  properties[PROP_CONTENT] = g_param_spec_string ("content", NULL, NULL, NULL, rw);
  properties[PROP_ANNOUNCEMENT] = g_param_spec_string ("announcement", NULL, NULL, NULL, rw);
  properties[PROP_DEADLINE] = g_param_spec_int64 ("deadline", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_ADMISSION] = g_param_spec_string ("admission", NULL, NULL, "open", rw);
  properties[PROP_CREATOR_ID] = g_param_spec_string ("creator-id", NULL, NULL, NULL, rw);
  properties[PROP_CREATOR_NAME] = g_param_spec_string ("creator-name", NULL, NULL, NULL, rw);
  properties[PROP_INVITE_CODE] = g_param_spec_string ("invite-code", NULL, NULL, NULL, rw);
  properties[PROP_CREATED_AT] = g_param_spec_int64 ("created-at", NULL, NULL, 0, G_MAXINT64, 0,
                                                    rw);
  properties[PROP_MEMBER_COUNT] = g_param_spec_uint ("member-count", NULL, NULL, 0, G_MAXUINT, 0,
                                                     rw);
  properties[PROP_LAST_SEQ] = g_param_spec_int64 ("last-seq", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_ROLE] = g_param_spec_string ("role", NULL, NULL, NULL, rw);
  properties[PROP_ENDED] = g_param_spec_boolean ("ended", NULL, NULL, FALSE,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_END_REASON] = g_param_spec_string ("end-reason", NULL, NULL, NULL,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_UNREAD_COUNT] = g_param_spec_uint ("unread-count", NULL, NULL, 0, G_MAXUINT, 0,
                                                     rw);

  properties[PROP_EDIT_WINDOW] = g_param_spec_uint ("edit-window", NULL, NULL, 0, G_MAXUINT,
                                                    TTO_PROTOCOL_DEFAULT_EDIT_WINDOW, rw);
  properties[PROP_RECALL_WINDOW] = g_param_spec_uint ("recall-window", NULL, NULL, 0, G_MAXUINT,
                                                      TTO_PROTOCOL_DEFAULT_RECALL_WINDOW, rw);
  /* Only the creator's copy holds it; others see an empty list. */
  properties[PROP_IP_ALLOW] = g_param_spec_boxed ("ip-allow", NULL, NULL, G_TYPE_STRV, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tto_event_init (TtoEvent *self)
{
  self->admission = g_strdup ("open");
  self->edit_window = TTO_PROTOCOL_DEFAULT_EDIT_WINDOW;
  self->recall_window = TTO_PROTOCOL_DEFAULT_RECALL_WINDOW;
  self->forms = g_strdupv ((char **) tto_protocol_all_forms ());
  self->ip_allow = g_new0 (char *, 1);
  self->ip_allow_list = tto_cidr_list_new (NULL, NULL);
}

TtoEvent *
tto_event_new (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  return g_object_new (TTO_TYPE_EVENT, "id", id, NULL);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static gint64
member_int (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return 0;

  return json_node_get_int (node);
}

/* Reads the "event" object of PROTOCOL.md. */
TtoEvent *
tto_event_new_from_json (JsonObject *object,
                         GError **error)
{
  g_autoptr (TtoEvent) self = NULL;
  const char *id;
  const char *title;

  g_return_val_if_fail (object != NULL, NULL);

  id = member_string (object, "event_id");
  title = member_string (object, "title");
  if (id == NULL || title == NULL)
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "event object needs event_id and title strings");
      return NULL;
    }

  self = tto_event_new (id);
  tto_event_set_title (self, title);
  tto_event_set_content (self, member_string (object, "content"));
  tto_event_set_announcement (self, member_string (object, "announcement"));
  tto_event_set_deadline (self, member_int (object, "deadline"));
  if (member_string (object, "admission") != NULL)
    tto_event_set_admission (self, member_string (object, "admission"));
  tto_event_set_creator_id (self, member_string (object, "creator_id"));
  tto_event_set_creator_name (self, member_string (object, "creator_name"));
  tto_event_set_invite_code (self, member_string (object, "invite_code"));
  tto_event_set_created_at (self, member_int (object, "created_at"));
  tto_event_set_member_count (self, (guint) CLAMP (member_int (object, "member_count"), 0,
                                                   G_MAXUINT));
  tto_event_set_last_seq (self, member_int (object, "last_seq"));
  tto_event_set_role (self, member_string (object, "role"));
  if (json_object_has_member (object, "edit_window"))
    tto_event_set_edit_window (self, (guint) CLAMP (member_int (object, "edit_window"), 0,
                                                    TTO_PROTOCOL_MAX_WINDOW_SECONDS));
  if (json_object_has_member (object, "recall_window"))
    tto_event_set_recall_window (self, (guint) CLAMP (member_int (object, "recall_window"), 0,
                                                      TTO_PROTOCOL_MAX_WINDOW_SECONDS));
  if (json_object_has_member (object, "permissions") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "permissions")))
    {
      JsonArray *array = json_object_get_array_member (object, "permissions");
      g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
      g_auto (GStrv) permissions = NULL;

      /* Each entry is {"permission": …, "until": …}; the relay drops expired
       * ones and says so with member.updated. */
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_OBJECT (node) &&
              member_string (json_node_get_object (node), "permission") != NULL)
            g_strv_builder_add (builder, member_string (json_node_get_object (node), "permission"));
        }
      permissions = g_strv_builder_end (builder);
      tto_event_set_permissions (self, (const char *const *) permissions);
    }
  if (json_object_has_member (object, "forms") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "forms")))
    {
      JsonArray *array = json_object_get_array_member (object, "forms");
      g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
      g_auto (GStrv) forms = NULL;

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (tto_protocol_is_form (json_array_get_string_element (array, i)))
          g_strv_builder_add (builder, json_array_get_string_element (array, i));
      forms = g_strv_builder_end (builder);
      tto_event_set_forms (self, (const char *const *) forms);
    }
  if (json_object_has_member (object, "rules") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "rules")))
    {
      JsonObject *rules = json_object_get_object_member (object, "rules");

      self->auto_approve_third_party =
        json_object_get_boolean_member_with_default (rules, "auto_approve_third_party", FALSE);
      self->require_id_verified =
        json_object_get_boolean_member_with_default (rules, "require_id_verified", FALSE);
      self->require_phone_verified =
        json_object_get_boolean_member_with_default (rules, "require_phone_verified", FALSE);
    }
  self->invite_expires_at = member_int (object, "invite_expires_at");
  if (json_object_has_member (object, "ip_allow") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "ip_allow")))
    {
      JsonArray *array = json_object_get_array_member (object, "ip_allow");
      g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
      g_auto (GStrv) networks = NULL;

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (node));
        }
      networks = g_strv_builder_end (builder);
      tto_event_set_ip_allow (self, (const char *const *) networks);
    }
  if (member_string (object, "state") != NULL &&
      !g_str_equal (member_string (object, "state"), "active"))
    tto_event_set_ended (self, member_string (object, "state"));

  return g_steal_pointer (&self);
}

JsonObject *
tto_event_to_json (TtoEvent *self,
                   gboolean with_invite_code)
{
  JsonObject *object;

  g_return_val_if_fail (TTO_IS_EVENT (self), NULL);

  object = json_object_new ();
  json_object_set_string_member (object, "event_id", self->id);
  json_object_set_string_member (object, "title", self->title ? self->title : "");
  json_object_set_string_member (object, "content", self->content ? self->content : "");
  json_object_set_string_member (object, "announcement",
                                 self->announcement ? self->announcement : "");
  if (self->deadline > 0)
    json_object_set_int_member (object, "deadline", self->deadline);
  else
    json_object_set_null_member (object, "deadline");
  json_object_set_string_member (object, "admission", self->admission);
  json_object_set_string_member (object, "creator_id", self->creator_id ? self->creator_id : "");
  json_object_set_string_member (object, "creator_name",
                                 self->creator_name ? self->creator_name : "");
  if (with_invite_code && self->invite_code != NULL)
    json_object_set_string_member (object, "invite_code", self->invite_code);
  else
    json_object_set_null_member (object, "invite_code");
  json_object_set_int_member (object, "created_at", self->created_at);
  json_object_set_int_member (object, "member_count", self->member_count);
  json_object_set_int_member (object, "last_seq", self->last_seq);
  json_object_set_int_member (object, "edit_window", self->edit_window);
  json_object_set_int_member (object, "recall_window", self->recall_window);
  {
    JsonObject *rules = json_object_new ();

    json_object_set_boolean_member (rules, "auto_approve_third_party",
                                    self->auto_approve_third_party);
    json_object_set_boolean_member (rules, "require_id_verified", self->require_id_verified);
    json_object_set_boolean_member (rules, "require_phone_verified",
                                    self->require_phone_verified);
    json_object_set_object_member (object, "rules", rules);
  }
  if (self->invite_expires_at > 0)
    json_object_set_int_member (object, "invite_expires_at", self->invite_expires_at);
  else
    json_object_set_null_member (object, "invite_expires_at");
  {
    JsonArray *forms = json_array_new ();

    for (guint i = 0; self->forms != NULL && self->forms[i] != NULL; i++)
      json_array_add_string_element (forms, self->forms[i]);
    json_object_set_array_member (object, "forms", forms);
  }
  /* Like the invite code, the allow-list is the creator's to see. */
  if (with_invite_code)
    {
      JsonArray *networks = json_array_new ();

      for (guint i = 0; self->ip_allow[i] != NULL; i++)
        json_array_add_string_element (networks, self->ip_allow[i]);
      json_object_set_array_member (object, "ip_allow", networks);
    }
  if (self->role != NULL)
    json_object_set_string_member (object, "role", self->role);
  json_object_set_string_member (object, "state",
                                 self->end_reason != NULL ? self->end_reason : "active");

  return object;
}

/* Takes over what the relay says of an event the client already shows,
 * keeping client-side state (unread count). */
void
tto_event_update_from (TtoEvent *self,
                       TtoEvent *other)
{
  g_return_if_fail (TTO_IS_EVENT (self));
  g_return_if_fail (TTO_IS_EVENT (other));

  g_object_freeze_notify (G_OBJECT (self));
  tto_event_set_title (self, other->title);
  tto_event_set_content (self, other->content);
  tto_event_set_announcement (self, other->announcement);
  tto_event_set_deadline (self, other->deadline);
  tto_event_set_admission (self, other->admission);
  tto_event_set_creator_id (self, other->creator_id);
  tto_event_set_creator_name (self, other->creator_name);
  if (other->invite_code != NULL)
    tto_event_set_invite_code (self, other->invite_code);
  tto_event_set_created_at (self, other->created_at);
  tto_event_set_member_count (self, other->member_count);
  if (other->last_seq > self->last_seq)
    tto_event_set_last_seq (self, other->last_seq);
  if (other->role != NULL)
    tto_event_set_role (self, other->role);
  tto_event_set_edit_window (self, other->edit_window);
  tto_event_set_recall_window (self, other->recall_window);
  tto_event_set_permissions (self, (const char *const *) other->permissions);
  tto_event_set_forms (self, (const char *const *) other->forms);
  self->auto_approve_third_party = other->auto_approve_third_party;
  self->require_id_verified = other->require_id_verified;
  self->require_phone_verified = other->require_phone_verified;
  self->invite_expires_at = other->invite_expires_at;
  tto_event_set_ip_allow (self, (const char *const *) other->ip_allow);
  if (other->end_reason != NULL)
    tto_event_set_ended (self, other->end_reason);
  g_object_thaw_notify (G_OBJECT (self));
}

#define STRING_ACCESSORS(field, PROP)                                                            \
  const char *tto_event_get_##field (TtoEvent *self)                                             \
  {                                                                                              \
    g_return_val_if_fail (TTO_IS_EVENT (self), NULL);                                            \
    return self->field;                                                                          \
  }                                                                                              \
  void tto_event_set_##field (TtoEvent *self, const char *value)                                 \
  {                                                                                              \
    g_return_if_fail (TTO_IS_EVENT (self));                                                      \
    if (tto_set_str (&self->field, value))                                                         \
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);                              \
  }

#define NUMBER_ACCESSORS(field, type, PROP)                                                      \
  type tto_event_get_##field (TtoEvent *self)                                                    \
  {                                                                                              \
    g_return_val_if_fail (TTO_IS_EVENT (self), 0);                                               \
    return self->field;                                                                          \
  }                                                                                              \
  void tto_event_set_##field (TtoEvent *self, type value)                                        \
  {                                                                                              \
    g_return_if_fail (TTO_IS_EVENT (self));                                                      \
    if (self->field == value)                                                                    \
      return;                                                                                    \
    self->field = value;                                                                         \
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);                                \
  }

STRING_ACCESSORS (title, PROP_TITLE)
STRING_ACCESSORS (content, PROP_CONTENT)
STRING_ACCESSORS (announcement, PROP_ANNOUNCEMENT)
STRING_ACCESSORS (admission, PROP_ADMISSION)
STRING_ACCESSORS (creator_id, PROP_CREATOR_ID)
STRING_ACCESSORS (creator_name, PROP_CREATOR_NAME)
STRING_ACCESSORS (invite_code, PROP_INVITE_CODE)
STRING_ACCESSORS (role, PROP_ROLE)
NUMBER_ACCESSORS (deadline, gint64, PROP_DEADLINE)
NUMBER_ACCESSORS (created_at, gint64, PROP_CREATED_AT)
NUMBER_ACCESSORS (member_count, guint, PROP_MEMBER_COUNT)
NUMBER_ACCESSORS (last_seq, gint64, PROP_LAST_SEQ)
NUMBER_ACCESSORS (unread_count, guint, PROP_UNREAD_COUNT)
NUMBER_ACCESSORS (edit_window, guint, PROP_EDIT_WINDOW)
NUMBER_ACCESSORS (recall_window, guint, PROP_RECALL_WINDOW)

const char *
tto_event_get_id (TtoEvent *self)
{
  g_return_val_if_fail (TTO_IS_EVENT (self), NULL);

  return self->id;
}

gboolean
tto_event_get_ended (TtoEvent *self)
{
  g_return_val_if_fail (TTO_IS_EVENT (self), FALSE);

  return self->end_reason != NULL;
}

const char *
tto_event_get_end_reason (TtoEvent *self)
{
  g_return_val_if_fail (TTO_IS_EVENT (self), NULL);

  return self->end_reason;
}

/* @reason: "ended", "expired" or "creator_left"; an event never restarts. */
void
tto_event_set_ended (TtoEvent *self,
                     const char *reason)
{
  g_return_if_fail (TTO_IS_EVENT (self));
  g_return_if_fail (reason != NULL);

  if (self->end_reason != NULL)
    return;

  self->end_reason = g_strdup (reason);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_END_REASON]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENDED]);
}

gboolean
tto_event_is_creator (TtoEvent *self)
{
  g_return_val_if_fail (TTO_IS_EVENT (self), FALSE);

  return g_strcmp0 (self->role, "creator") == 0;
}

const char *const *
tto_event_get_permissions (TtoEvent *self)
{
  g_return_val_if_fail (TTO_IS_EVENT (self), NULL);

  return (const char *const *) self->permissions;
}

void
tto_event_set_permissions (TtoEvent *self,
                           const char *const *permissions)
{
  g_return_if_fail (TTO_IS_EVENT (self));

  g_strfreev (self->permissions);
  self->permissions = g_strdupv ((char **) permissions);
}

/* The creator holds every permission; others what was delegated. */
gboolean
tto_event_has_permission (TtoEvent *self,
                          const char *permission)
{
  g_return_val_if_fail (TTO_IS_EVENT (self), FALSE);

  if (tto_event_is_creator (self))
    return TRUE;

  return self->permissions != NULL &&
         g_strv_contains ((const char *const *) self->permissions, permission);
}

const char *const *
tto_event_get_forms (TtoEvent *self)
{
  g_return_val_if_fail (TTO_IS_EVENT (self), NULL);

  return (const char *const *) self->forms;
}

/* Keeps the forms in the canonical order, without repeats. */
void
tto_event_set_forms (TtoEvent *self,
                     const char *const *forms)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  const char *const *all = tto_protocol_all_forms ();

  g_return_if_fail (TTO_IS_EVENT (self));

  for (guint i = 0; all[i] != NULL; i++)
    if (forms != NULL && g_strv_contains (forms, all[i]))
      g_strv_builder_add (builder, all[i]);

  g_strfreev (self->forms);
  self->forms = g_strv_builder_end (builder);
}

gboolean
tto_event_has_form (TtoEvent *self,
                    const char *form)
{
  g_return_val_if_fail (TTO_IS_EVENT (self), FALSE);

  return self->forms != NULL && g_strv_contains ((const char *const *) self->forms, form);
}

static gboolean *
rule_field (TtoEvent *self,
            const char *rule)
{
  if (g_strcmp0 (rule, "auto_approve_third_party") == 0)
    return &self->auto_approve_third_party;
  if (g_strcmp0 (rule, "require_id_verified") == 0)
    return &self->require_id_verified;
  if (g_strcmp0 (rule, "require_phone_verified") == 0)
    return &self->require_phone_verified;
  return NULL;
}

/* The join rules of PROTOCOL.md; unknown names read as off. */
gboolean
tto_event_get_rule (TtoEvent *self,
                    const char *rule)
{
  gboolean *field;

  g_return_val_if_fail (TTO_IS_EVENT (self), FALSE);

  field = rule_field (self, rule);
  return field != NULL && *field;
}

void
tto_event_set_rule (TtoEvent *self,
                    const char *rule,
                    gboolean enabled)
{
  gboolean *field;

  g_return_if_fail (TTO_IS_EVENT (self));

  field = rule_field (self, rule);
  g_return_if_fail (field != NULL);
  *field = enabled;
}

gint64
tto_event_get_invite_expires_at (TtoEvent *self)
{
  g_return_val_if_fail (TTO_IS_EVENT (self), 0);

  return self->invite_expires_at;
}

void
tto_event_set_invite_expires_at (TtoEvent *self,
                                 gint64 expires_at)
{
  g_return_if_fail (TTO_IS_EVENT (self));

  self->invite_expires_at = MAX (expires_at, 0);
}

const char *const *
tto_event_get_ip_allow (TtoEvent *self)
{
  g_return_val_if_fail (TTO_IS_EVENT (self), NULL);

  return (const char *const *) self->ip_allow;
}

/* @networks: CIDR strings as PROTOCOL.md allows them (checked before they
 * get here); NULL or empty allows every address. */
void
tto_event_set_ip_allow (TtoEvent *self,
                        const char *const *networks)
{
  static const char *const none[] = { NULL };

  g_return_if_fail (TTO_IS_EVENT (self));

  if (networks == NULL)
    networks = none;
  if (g_strv_equal ((const char *const *) self->ip_allow, networks))
    return;

  g_strfreev (self->ip_allow);
  self->ip_allow = g_strdupv ((char **) networks);
  tto_cidr_list_free (self->ip_allow_list);
  self->ip_allow_list = tto_cidr_list_new (networks, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IP_ALLOW]);
}

/* Whether a member may reach the event from @address (NULL: unknown). A
 * list that does not parse admits nobody rather than everybody. The
 * creator's exemption is the relay's business, not this one's. */
gboolean
tto_event_ip_allows (TtoEvent *self,
                     GInetAddress *address)
{
  g_return_val_if_fail (TTO_IS_EVENT (self), FALSE);

  if (self->ip_allow[0] == NULL)
    return TRUE;
  if (self->ip_allow_list == NULL || address == NULL)
    return FALSE;

  return tto_cidr_list_allows (self->ip_allow_list, address);
}
