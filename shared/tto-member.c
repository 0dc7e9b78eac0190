/* tto-member.c: one member of an event
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tto-member.h"
#include "tto-protocol.h"

struct _TtoMember
{
  GObject parent_instance;

  char *identity_id;
  char *display_name;
  char *role; /* "creator" or "member" */
};

G_DEFINE_FINAL_TYPE (TtoMember, tto_member, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_IDENTITY_ID,
  PROP_DISPLAY_NAME,
  PROP_ROLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tto_member_finalize (GObject *object)
{
  TtoMember *self = (TtoMember *) object;

  g_free (self->identity_id);
  g_free (self->display_name);
  g_free (self->role);

  G_OBJECT_CLASS (tto_member_parent_class)->finalize (object);
}

static void
tto_member_get_property (GObject *object,
                         guint prop_id,
                         GValue *value,
                         GParamSpec *pspec)
{
  TtoMember *self = TTO_MEMBER (object);

  switch (prop_id)
    {
    case PROP_IDENTITY_ID:
      g_value_set_string (value, self->identity_id);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_ROLE:
      g_value_set_string (value, self->role);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_member_class_init (TtoMemberClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tto_member_finalize;
  object_class->get_property = tto_member_get_property;

  properties[PROP_IDENTITY_ID] = g_param_spec_string ("identity-id", NULL, NULL, NULL, ro);
  properties[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL, ro);
  properties[PROP_ROLE] = g_param_spec_string ("role", NULL, NULL, NULL, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tto_member_init (TtoMember *self)
{
}

TtoMember *
tto_member_new (const char *identity_id,
                const char *display_name,
                const char *role)
{
  TtoMember *self;

  g_return_val_if_fail (identity_id != NULL, NULL);

  self = g_object_new (TTO_TYPE_MEMBER, NULL);
  self->identity_id = g_strdup (identity_id);
  self->display_name = g_strdup (display_name);
  self->role = g_strdup (role != NULL ? role : "member");

  return self;
}

TtoMember *
tto_member_new_from_json (JsonObject *object,
                          GError **error)
{
  const char *id = json_object_get_string_member_with_default (object, "identity_id", NULL);

  if (id == NULL)
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "member needs identity_id as a string");
      return NULL;
    }

  return tto_member_new (id,
                         json_object_get_string_member_with_default (object, "display_name", ""),
                         json_object_get_string_member_with_default (object, "role", "member"));
}

JsonObject *
tto_member_to_json (TtoMember *self)
{
  JsonObject *object;

  g_return_val_if_fail (TTO_IS_MEMBER (self), NULL);

  object = json_object_new ();
  json_object_set_string_member (object, "identity_id", self->identity_id);
  json_object_set_string_member (object, "display_name",
                                 self->display_name ? self->display_name : "");
  json_object_set_string_member (object, "role", self->role);

  return object;
}

const char *
tto_member_get_identity_id (TtoMember *self)
{
  g_return_val_if_fail (TTO_IS_MEMBER (self), NULL);
  return self->identity_id;
}

const char *
tto_member_get_display_name (TtoMember *self)
{
  g_return_val_if_fail (TTO_IS_MEMBER (self), NULL);
  return self->display_name;
}

const char *
tto_member_get_role (TtoMember *self)
{
  g_return_val_if_fail (TTO_IS_MEMBER (self), NULL);
  return self->role;
}
