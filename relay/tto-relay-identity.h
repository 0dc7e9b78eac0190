/* tto-relay-identity.h: sign-in methods, lifetimes and "delete me"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tto-relay-private.h"

G_BEGIN_DECLS

#define TTO_RELAY_LINK_KEY_BYTES 32

typedef struct _TtoRelayIdentity TtoRelayIdentity;

/* Start-up, after the store is open: loads or makes the link key. */
TtoRelayIdentity *tto_relay_identity_new (TtoRelay *relay,
                                          GError **error);
void tto_relay_identity_free (TtoRelayIdentity *identity);
/* From the sweeper: drops expired codes and rate-limit windows. */
void tto_relay_identity_sweep (TtoRelay *relay);

/* Keyed BLAKE2b of "@method\n@value" with the link key: what
 * identity_links.key_hash holds. @value must be normalised already
 * (e.g. the provider's subject as is). */
void tto_relay_identity_link_hash (TtoRelay *relay,
                                   const char *method,
                                   const char *value,
                                   guint8 out[TTO_RELAY_LINK_KEY_BYTES]);

/* The lifetime fields of a sign-in frame ("lifetime", "ttl"; schema
 * checked already): kind and, for "timed", the expiry. */
void tto_relay_identity_frame_lifetime (TtoFrame *frame,
                                        const char *fallback,
                                        const char **kind,
                                        gint64 *expires_at);

/* Finishes a sign-in whose method is proven: finds the identity linked to
 * (@method, tto_relay_identity_link_hash (@method, @value)) or makes one
 * (see tto_relay_store_link_identity_async), issues a new token,
 * authenticates @conn as it and answers @frame_id with the identity body.
 * @display_name: for a new identity. @kind/@expires_at: from
 * tto_relay_identity_frame_lifetime (). Errors are answered too. The
 * connection holds later frames until this is done. */
void tto_relay_identity_sign_in (TtoRelayConn *conn,
                                 const char *frame_id,
                                 const char *method,
                                 const char *value,
                                 const char *display_name,
                                 const char *kind,
                                 gint64 expires_at,
                                 TtoRelayVerified verified);

/* The identity body of PROTOCOL.md; @token NULL leaves it out. */
JsonObject *tto_relay_identity_body (const TtoRelayStoredIdentity *identity,
                                     const char *token);

/* Answers an error with "retry_after" in its body. */
void tto_relay_identity_reply_rate_limited (TtoRelayConn *conn,
                                            const char *frame_id,
                                            gint64 retry_after,
                                            const char *message);

G_END_DECLS
