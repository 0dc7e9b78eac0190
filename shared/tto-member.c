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
  GHashTable *permissions; /* name → gint64* until (seconds; 0 = until the event ends) */
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
  g_hash_table_unref (self->permissions);

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
  self->permissions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
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

  {
    TtoMember *self = tto_member_new (
      id, json_object_get_string_member_with_default (object, "display_name", ""),
      json_object_get_string_member_with_default (object, "role", "member"));
    JsonNode *node = json_object_get_member (object, "permissions");

    if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            JsonNode *element = json_array_get_element (array, i);
            JsonObject *grant;

            if (!JSON_NODE_HOLDS_OBJECT (element))
              continue;
            grant = json_node_get_object (element);
            if (json_object_get_string_member_with_default (grant, "permission", NULL) == NULL)
              continue;
            tto_member_set_permission (
              self, json_object_get_string_member (grant, "permission"),
              json_object_get_int_member_with_default (grant, "until", 0));
          }
      }

    return self;
  }
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
  json_object_set_array_member (object, "permissions", tto_member_permissions_to_json (self));

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

/* @until: seconds since the epoch, or 0 for "until the event ends". */
void
tto_member_set_permission (TtoMember *self,
                           const char *permission,
                           gint64 until)
{
  g_return_if_fail (TTO_IS_MEMBER (self));
  g_return_if_fail (permission != NULL);

  g_hash_table_replace (self->permissions, g_strdup (permission), g_memdup2 (&until, sizeof until));
}

gboolean
tto_member_remove_permission (TtoMember *self,
                              const char *permission)
{
  g_return_val_if_fail (TTO_IS_MEMBER (self), FALSE);

  return g_hash_table_remove (self->permissions, permission);
}

gboolean
tto_member_get_permission (TtoMember *self,
                           const char *permission,
                           gint64 *until)
{
  gint64 *value;

  g_return_val_if_fail (TTO_IS_MEMBER (self), FALSE);

  value = g_hash_table_lookup (self->permissions, permission);
  if (value == NULL)
    return FALSE;
  if (until != NULL)
    *until = *value;

  return TRUE;
}

/* The creator holds every permission implicitly. */
gboolean
tto_member_has_permission (TtoMember *self,
                           const char *permission)
{
  g_return_val_if_fail (TTO_IS_MEMBER (self), FALSE);

  return g_strcmp0 (self->role, "creator") == 0 ||
         g_hash_table_contains (self->permissions, permission);
}

/* Sorted names; the list is the caller's, the strings are not. */
GList *
tto_member_list_permissions (TtoMember *self)
{
  g_return_val_if_fail (TTO_IS_MEMBER (self), NULL);

  return g_list_sort (g_hash_table_get_keys (self->permissions), (GCompareFunc) g_strcmp0);
}

JsonArray *
tto_member_permissions_to_json (TtoMember *self)
{
  g_autoptr (GList) names = tto_member_list_permissions (self);
  JsonArray *array = json_array_new ();

  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonObject *grant = json_object_new ();
      gint64 until = *(gint64 *) g_hash_table_lookup (self->permissions, l->data);

      json_object_set_string_member (grant, "permission", l->data);
      if (until > 0)
        json_object_set_int_member (grant, "until", until);
      else
        json_object_set_null_member (grant, "until");
      json_array_add_object_element (array, grant);
    }

  return array;
}
