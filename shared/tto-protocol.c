/* tto-protocol.c: wire error codes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tto-protocol.h"

/* An extended error domain (GLib 2.68): a protocol GError carries the
 * error frame's optional machine-readable reason and params itself, so
 * they survive g_error_copy() and every GTask hop to the UI. */
typedef struct
{
  char *reason;       /* snake_case, or NULL */
  JsonObject *params; /* or NULL */
} TtoProtocolErrorPrivate;

static TtoProtocolErrorPrivate *
get_private (const GError *error)
{
  /* The layout g_error_domain_register() uses (as G_DEFINE_EXTENDED_ERROR). */
  const gsize sa = 2 * sizeof (gsize);
  const gsize as = (sizeof (TtoProtocolErrorPrivate) + (sa - 1)) & -sa;

  return (TtoProtocolErrorPrivate *) (((guint8 *) error) - as);
}

static void
private_init (GError *error)
{
  TtoProtocolErrorPrivate *priv = get_private (error);

  priv->reason = NULL;
  priv->params = NULL;
}

static void
private_copy (const GError *src,
              GError *dest)
{
  const TtoProtocolErrorPrivate *from = get_private (src);
  TtoProtocolErrorPrivate *to = get_private (dest);

  to->reason = g_strdup (from->reason);
  to->params = from->params != NULL ? json_object_ref (from->params) : NULL;
}

static void
private_clear (GError *error)
{
  TtoProtocolErrorPrivate *priv = get_private (error);

  g_clear_pointer (&priv->reason, g_free);
  g_clear_pointer (&priv->params, json_object_unref);
}

GQuark
tto_protocol_error_quark (void)
{
  static GQuark quark;
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      quark = g_error_domain_register_static ("tto-protocol-error-quark",
                                              sizeof (TtoProtocolErrorPrivate),
                                              private_init, private_copy, private_clear);
      g_once_init_leave (&initialized, 1);
    }
  return quark;
}

/* Gives @error (TTO_PROTOCOL_ERROR) the reason and params an error frame
 * sends beside code and message; @params is referenced. */
void
tto_protocol_error_set_reason (GError *error,
                               const char *reason,
                               JsonObject *params)
{
  TtoProtocolErrorPrivate *priv;

  g_return_if_fail (error != NULL && error->domain == TTO_PROTOCOL_ERROR);

  priv = get_private (error);
  g_free (priv->reason);
  priv->reason = g_strdup (reason);
  if (params != NULL)
    json_object_ref (params);
  g_clear_pointer (&priv->params, json_object_unref);
  priv->params = params;
}

/* The machine-readable reason of a refusal, or NULL (also for errors of
 * other domains). */
const char *
tto_protocol_error_get_reason (const GError *error)
{
  if (error == NULL || error->domain != TTO_PROTOCOL_ERROR)
    return NULL;
  return get_private (error)->reason;
}

/* The reason's params (strings or integers by name), or NULL. */
JsonObject *
tto_protocol_error_get_params (const GError *error)
{
  if (error == NULL || error->domain != TTO_PROTOCOL_ERROR)
    return NULL;
  return get_private (error)->params;
}

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
