/* tto-relay-oidc.h: third-party sign-in (OpenID Connect and plain OAuth 2)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "tto-relay-private.h"

G_BEGIN_DECLS

#define TTO_RELAY_OIDC_ERROR (tto_relay_oidc_error_quark ())

typedef enum
{
  TTO_RELAY_OIDC_ERROR_CONFIG,      /* a [provider …] group of the key file is wrong */
  TTO_RELAY_OIDC_ERROR_PROVIDER,    /* the provider is unreachable or answered nonsense */
  TTO_RELAY_OIDC_ERROR_REFUSED,     /* the provider refused the code or the access token */
  TTO_RELAY_OIDC_ERROR_TOKEN,       /* the ID token failed a check; the message names it */
  TTO_RELAY_OIDC_ERROR_UNKNOWN_KEY, /* no key of the JWKS matches the ID token's kid */
} TtoRelayOidcError;

GQuark tto_relay_oidc_error_quark (void);

/* Reads the [provider <id>] groups of @config_path (NULL: none). */
TtoRelayOidc *tto_relay_oidc_new (const char *config_path,
                                  GError **error);
/* SIGHUP: the new provider list, or the running one kept on error. Sign-ins
 * already under way finish with the settings they started with. */
gboolean tto_relay_oidc_reload (TtoRelayOidc *self,
                                const char *config_path,
                                GError **error);
void tto_relay_oidc_free (TtoRelayOidc *self);

/* identity.methods' "providers": [{"id", "name", "icon", "type"}], in the
 * order of the key file. */
JsonArray *tto_relay_oidc_providers_json (TtoRelay *relay);

/* identity.oidc.begin and identity.oidc.finish: tto_relay_oidc_routes
 * (tto-relay-private.h). */

/* Checks an ID token (compact JWS) against @jwks ({"keys": […]}): the
 * signature (RS256/384/512, ES256/384), iss, aud and azp, exp, iat and
 * nonce, at time @now. Returns the claims, or NULL with a
 * TTO_RELAY_OIDC_ERROR_TOKEN (or _UNKNOWN_KEY) error naming the check. */
JsonObject *tto_relay_oidc_verify_id_token (const char *id_token,
                                            JsonObject *jwks,
                                            const char *issuer,
                                            const char *client_id,
                                            const char *nonce,
                                            gint64 now,
                                            GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TtoRelayOidc, tto_relay_oidc_free)

G_END_DECLS
