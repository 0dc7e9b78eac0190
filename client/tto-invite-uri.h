/* tto-invite-uri.h: tto://join/… links that carry an invitation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TTO_INVITE_URI_ERROR (tto_invite_uri_error_quark ())

typedef enum
{
  TTO_INVITE_URI_ERROR_NOT_TTO,    /* not a tto:// link at all (another QR code, a web page) */
  TTO_INVITE_URI_ERROR_MALFORMED,  /* a tto:// link that is not a well-formed invitation */
  TTO_INVITE_URI_ERROR_BAD_RELAY,  /* the relay address is not a ws:// or wss:// URL */
} TtoInviteUriError;

GQuark tto_invite_uri_error_quark (void);

typedef struct
{
  char *event_id;  /* 16 symbols of Crockford base32 */
  char *code;      /* normalised: 8 symbols, upper case, no dash */
  char *relay_url; /* ws:// or wss:// URL, or NULL when the link has none */
} TtoInvite;

void tto_invite_free (TtoInvite *invite);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TtoInvite, tto_invite_free)

char *tto_invite_uri_build (const char *event_id,
                            const char *code,
                            const char *relay_url);
TtoInvite *tto_invite_uri_parse (const char *uri,
                                 GError **error);
gboolean tto_invite_uri_same_relay (const char *a,
                                    const char *b);

G_END_DECLS
