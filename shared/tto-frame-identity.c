/* tto-frame-identity.c: the sign-in frames and their lifetime fields
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tto-frame-private.h"

#define MAX_ADDRESS_CHARS 254
#define MAX_PASSWORD_CHARS 1024

static const FieldSpec no_fields[] = { END_FIELDS };

static const FieldSpec code_request_fields[] = {
  { "channel", FIELD_STRING, TRUE, FALSE, 1, 16 },
  { "address", FIELD_STRING, TRUE, FALSE, 1, MAX_ADDRESS_CHARS },
  { "purpose", FIELD_STRING, FALSE, FALSE, 1, 16 },
  END_FIELDS
};

static const FieldSpec code_verify_fields[] = {
  { "channel", FIELD_STRING, TRUE, FALSE, 1, 16 },
  { "address", FIELD_STRING, TRUE, FALSE, 1, MAX_ADDRESS_CHARS },
  { "code", FIELD_STRING, TRUE, FALSE, 1, 16 },
  { "display_name", FIELD_STRING, FALSE, FALSE, 1, TTO_PROTOCOL_MAX_NAME_CHARS },
  { "lifetime", FIELD_STRING, FALSE, FALSE, 1, 16 },
  { "ttl", FIELD_INT, FALSE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec register_fields[] = {
  { "email", FIELD_STRING, TRUE, FALSE, 1, MAX_ADDRESS_CHARS },
  { "code", FIELD_STRING, TRUE, FALSE, 1, 16 },
  { "username", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "password", FIELD_STRING, TRUE, FALSE, 1, MAX_PASSWORD_CHARS },
  { "display_name", FIELD_STRING, TRUE, FALSE, 1, TTO_PROTOCOL_MAX_NAME_CHARS },
  { "lifetime", FIELD_STRING, TRUE, FALSE, 1, 16 },
  { "ttl", FIELD_INT, FALSE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec login_fields[] = {
  { "login", FIELD_STRING, TRUE, FALSE, 1, MAX_ADDRESS_CHARS },
  { "password", FIELD_STRING, TRUE, FALSE, 1, MAX_PASSWORD_CHARS },
  { "lifetime", FIELD_STRING, FALSE, FALSE, 1, 16 },
  { "ttl", FIELD_INT, FALSE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec id_check_fields[] = {
  { "name", FIELD_STRING, TRUE, FALSE, 1, TTO_PROTOCOL_MAX_NAME_CHARS },
  { "id_number", FIELD_STRING, TRUE, FALSE, 1, 32 },
  END_FIELDS
};

static const FieldSpec update_fields[] = {
  { "display_name", FIELD_STRING, TRUE, FALSE, 1, TTO_PROTOCOL_MAX_NAME_CHARS },
  END_FIELDS
};

static gboolean
check_one_of (JsonObject *body,
              const char *member,
              const char *const *allowed,
              GError **error)
{
  const char *value;

  if (!json_object_has_member (body, member))
    return TRUE;

  value = json_object_get_string_member (body, member);
  if (g_strv_contains (allowed, value))
    return TRUE;

  {
    g_autofree char *list = g_strjoinv ("', '", (char **) allowed);

    g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                 "body.%s must be one of '%s'", member, list);
  }
  return FALSE;
}

/* lifetime and ttl, as every sign-in frame takes them. Accounts (register,
 * login) are never one-time. */
static gboolean
check_lifetime (JsonObject *body,
                gboolean account,
                GError **error)
{
  static const char *const any[] = { "one_time", "timed", "permanent", NULL };
  static const char *const accounts[] = { "timed", "permanent", NULL };
  const char *lifetime;
  gint64 ttl;

  if (!check_one_of (body, "lifetime", account ? accounts : any, error))
    return FALSE;

  lifetime = json_object_get_string_member_with_default (body, "lifetime", "one_time");
  if (!g_str_equal (lifetime, "timed"))
    return TRUE;

  ttl = json_object_get_int_member_with_default (body, "ttl", 0);
  if (ttl != TTO_PROTOCOL_TTL_HOUR && ttl != TTO_PROTOCOL_TTL_DAY && ttl != TTO_PROTOCOL_TTL_WEEK)
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "body.ttl is required for a timed identity and must be %d, %d or %d seconds",
                   TTO_PROTOCOL_TTL_HOUR, TTO_PROTOCOL_TTL_DAY, TTO_PROTOCOL_TTL_WEEK);
      return FALSE;
    }

  return TRUE;
}

static const char *const channels[] = { "phone", "email", NULL };

static gboolean
check_code_request (JsonObject *body,
                    GError **error)
{
  static const char *const purposes[] = { "sign_in", "register", NULL };

  return check_one_of (body, "channel", channels, error) &&
         check_one_of (body, "purpose", purposes, error);
}

static gboolean
check_code_verify (JsonObject *body,
                   GError **error)
{
  return check_one_of (body, "channel", channels, error) && check_lifetime (body, FALSE, error);
}

static gboolean
check_account (JsonObject *body,
               GError **error)
{
  return check_lifetime (body, TRUE, error);
}

const FrameSpec tto_frame_identity_specs[] = {
  { TTO_FRAME_IDENTITY_METHODS, TTO_FRAME_FROM_CLIENT, no_fields, NULL },
  { TTO_FRAME_IDENTITY_CODE_REQUEST, TTO_FRAME_FROM_CLIENT, code_request_fields,
    check_code_request },
  { TTO_FRAME_IDENTITY_CODE_VERIFY, TTO_FRAME_FROM_CLIENT, code_verify_fields, check_code_verify },
  { TTO_FRAME_IDENTITY_REGISTER, TTO_FRAME_FROM_CLIENT, register_fields, check_account },
  { TTO_FRAME_IDENTITY_LOGIN, TTO_FRAME_FROM_CLIENT, login_fields, check_account },
  { TTO_FRAME_IDENTITY_ID_CHECK, TTO_FRAME_FROM_CLIENT, id_check_fields, NULL },
  { TTO_FRAME_IDENTITY_DELETE, TTO_FRAME_FROM_CLIENT, no_fields, NULL },
  { TTO_FRAME_IDENTITY_SIGN_OUT, TTO_FRAME_FROM_CLIENT, no_fields, NULL },
  { TTO_FRAME_IDENTITY_UPDATE, TTO_FRAME_FROM_CLIENT, update_fields, NULL },
};
const guint tto_frame_identity_n_specs = G_N_ELEMENTS (tto_frame_identity_specs);
