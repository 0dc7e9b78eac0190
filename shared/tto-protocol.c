/* tto-protocol.c: wire error codes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tto-protocol.h"

G_DEFINE_QUARK (tto-protocol-error-quark, tto_protocol_error)

/* Indexed by TtoProtocolError: the one place where codes meet the wire. */
static const char *const error_codes[] = {
  [TTO_PROTOCOL_ERROR_BAD_FRAME] = "bad_frame",
  [TTO_PROTOCOL_ERROR_UNSUPPORTED_VERSION] = "unsupported_version",
  [TTO_PROTOCOL_ERROR_UNAUTHORIZED] = "unauthorized",
  [TTO_PROTOCOL_ERROR_FORBIDDEN] = "forbidden",
  [TTO_PROTOCOL_ERROR_NOT_FOUND] = "not_found",
  [TTO_PROTOCOL_ERROR_TOO_LARGE] = "too_large",
  [TTO_PROTOCOL_ERROR_RATE_LIMITED] = "rate_limited",
  [TTO_PROTOCOL_ERROR_EXPIRED] = "expired",
  [TTO_PROTOCOL_ERROR_CONFLICT] = "conflict",
  [TTO_PROTOCOL_ERROR_WRONG_FORM] = "wrong_form",
  [TTO_PROTOCOL_ERROR_UNAVAILABLE] = "unavailable",
  [TTO_PROTOCOL_ERROR_INTERNAL] = "internal",
  [TTO_PROTOCOL_ERROR_BAD_CODE] = "bad_code",
  [TTO_PROTOCOL_ERROR_WEAK_PASSWORD] = "weak_password",
};

G_STATIC_ASSERT (G_N_ELEMENTS (error_codes) == TTO_PROTOCOL_ERROR_LAST + 1);

const char *
tto_protocol_error_to_code (TtoProtocolError error)
{
  g_return_val_if_fail (error <= TTO_PROTOCOL_ERROR_LAST, "internal");

  return error_codes[error];
}

/* Unknown codes (from a newer relay) read as internal, so that a client
 * still shows the message that came with them. */
TtoProtocolError
tto_protocol_error_from_code (const char *code)
{
  for (guint i = 0; code != NULL && i < G_N_ELEMENTS (error_codes); i++)
    if (g_str_equal (code, error_codes[i]))
      return (TtoProtocolError) i;

  return TTO_PROTOCOL_ERROR_INTERNAL;
}

gboolean
tto_protocol_is_permission (const char *name)
{
  static const char *const permissions[] = {
    TTO_PERMISSION_EXPORT, TTO_PERMISSION_FLOW_EDIT, TTO_PERMISSION_TOPIC_MANAGE,
    TTO_PERMISSION_REVIEW, NULL
  };

  return name != NULL && g_strv_contains (permissions, name);
}

static const char *const forms[] = {
  TTO_FORM_TEXT, TTO_FORM_FILE, TTO_FORM_VOICE_MESSAGE, TTO_FORM_VIDEO_MESSAGE,
  TTO_FORM_VOICE_CALL, TTO_FORM_VIDEO_CALL, TTO_FORM_OFFLINE_MEETING, NULL
};

/* Every form, in display order; a new event enables them all. */
const char *const *
tto_protocol_all_forms (void)
{
  return forms;
}

gboolean
tto_protocol_is_form (const char *name)
{
  return name != NULL && g_strv_contains (forms, name);
}
