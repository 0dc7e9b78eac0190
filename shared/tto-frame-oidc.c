/* tto-frame-oidc.c: third-party sign-in frames (identity.oidc.*)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "tto-frame-private.h"

/* RFC 7636 4.1: a verifier is 43 to 128 unreserved characters; an S256
 * challenge is the 43-character base64url of a SHA-256 digest. */
#define VERIFIER_MIN_CHARS 43
#define VERIFIER_MAX_CHARS 128
#define S256_CHALLENGE_CHARS 43

static const FieldSpec begin_fields[] = {
  { "provider", FIELD_STRING, TRUE, FALSE, 1, 40 },
  { "redirect_uri", FIELD_STRING, TRUE, FALSE, 1, 512 },
  { "code_challenge", FIELD_STRING, TRUE, FALSE, 1, VERIFIER_MAX_CHARS },
  { "code_challenge_method", FIELD_STRING, FALSE, FALSE, 1, 16 },
  END_FIELDS
};

static const FieldSpec finish_fields[] = {
  { "state", FIELD_STRING, TRUE, FALSE, 1, 128 },
  { "code", FIELD_STRING, TRUE, FALSE, 1, 2048 },
  { "code_verifier", FIELD_STRING, TRUE, FALSE, 1, VERIFIER_MAX_CHARS },
  { "display_name", FIELD_STRING, FALSE, FALSE, 1, TTO_PROTOCOL_MAX_NAME_CHARS },
  { "lifetime", FIELD_STRING, FALSE, FALSE, 1, 16 },
  { "ttl", FIELD_INT, FALSE, FALSE, 0, 0 },
  END_FIELDS
};

static gboolean
only_chars (const char *text,
            const char *extra)
{
  for (const char *c = text; *c; c++)
    if (!g_ascii_isalnum (*c) && strchr (extra, *c) == NULL)
      return FALSE;

  return TRUE;
}

static gboolean
check_begin (JsonObject *body,
             GError **error)
{
  const char *method = json_object_get_string_member_with_default (body, "code_challenge_method",
                                                                   "S256");
  const char *challenge = json_object_get_string_member (body, "code_challenge");

  /* "plain" would hand the verifier to whoever sees the browser's URL. */
  if (!g_str_equal (method, "S256"))
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.code_challenge_method must be S256");
      return FALSE;
    }
  if (strlen (challenge) != S256_CHALLENGE_CHARS || !only_chars (challenge, "-_"))
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "body.code_challenge must be the %d-character base64url SHA-256 of the "
                   "code verifier",
                   S256_CHALLENGE_CHARS);
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_finish (JsonObject *body,
              GError **error)
{
  static const char *const lifetimes[] = { "one_time", "timed", "permanent", NULL };
  const char *verifier = json_object_get_string_member (body, "code_verifier");
  const char *lifetime = json_object_get_string_member_with_default (body, "lifetime", "one_time");
  gint64 ttl = json_object_get_int_member_with_default (body, "ttl", 0);

  if (strlen (verifier) < VERIFIER_MIN_CHARS || !only_chars (verifier, "-._~"))
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "body.code_verifier must be %d to %d characters of A-Z, a-z, 0-9, '-', '.', "
                   "'_' and '~'",
                   VERIFIER_MIN_CHARS, VERIFIER_MAX_CHARS);
      return FALSE;
    }
  if (!g_strv_contains (lifetimes, lifetime))
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.lifetime must be one of 'one_time', 'timed', 'permanent'");
      return FALSE;
    }
  if (g_str_equal (lifetime, "timed") && ttl != TTO_PROTOCOL_TTL_HOUR &&
      ttl != TTO_PROTOCOL_TTL_DAY && ttl != TTO_PROTOCOL_TTL_WEEK)
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "body.ttl is required for a timed identity and must be %d, %d or %d seconds",
                   TTO_PROTOCOL_TTL_HOUR, TTO_PROTOCOL_TTL_DAY, TTO_PROTOCOL_TTL_WEEK);
      return FALSE;
    }

  return TRUE;
}

const FrameSpec tto_frame_oidc_specs[] = {
  { TTO_FRAME_IDENTITY_OIDC_BEGIN, TTO_FRAME_FROM_CLIENT, begin_fields, check_begin },
  { TTO_FRAME_IDENTITY_OIDC_FINISH, TTO_FRAME_FROM_CLIENT, finish_fields, check_finish },
};

const guint tto_frame_oidc_n_specs = G_N_ELEMENTS (tto_frame_oidc_specs);
