/* tto-identity.h: who a session is, how long that lasts, what it proved
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "tto-connection.h"

G_BEGIN_DECLS

/* Identity lifetimes (shared/PROTOCOL.md) */
#define TTO_IDENTITY_ONE_TIME "one_time"
#define TTO_IDENTITY_TIMED "timed"
#define TTO_IDENTITY_PERMANENT "permanent"

/* How the identity was proven; "oidc:<provider id>" for a provider. */
#define TTO_IDENTITY_METHOD_NAME "name"
#define TTO_IDENTITY_METHOD_PHONE "phone"
#define TTO_IDENTITY_METHOD_EMAIL "email"
#define TTO_IDENTITY_METHOD_OIDC_PREFIX "oidc:"

/* The warning comes this long before a timed identity ends. */
#define TTO_IDENTITY_WARNING_SECONDS (5 * 60)

#define TTO_TYPE_IDENTITY (tto_identity_get_type ())
G_DECLARE_FINAL_TYPE (TtoIdentity, tto_identity, TTO, IDENTITY, GObject)

TtoIdentity *tto_identity_new_from_json (JsonObject *body,
                                         const char *relay_url,
                                         const char *method);
void tto_identity_update_from_json (TtoIdentity *self,
                                    JsonObject *body);
const char *tto_identity_get_id (TtoIdentity *self);
const char *tto_identity_get_display_name (TtoIdentity *self);
const char *tto_identity_get_kind (TtoIdentity *self);
gboolean tto_identity_is_one_time (TtoIdentity *self);
gint64 tto_identity_get_expires_at (TtoIdentity *self);
const char *tto_identity_get_method (TtoIdentity *self);
const char *tto_identity_get_relay_url (TtoIdentity *self);
const char *tto_identity_get_token (TtoIdentity *self);
void tto_identity_set_token (TtoIdentity *self,
                             const char *token);
gboolean tto_identity_get_verified (TtoIdentity *self,
                                    const char *what);

/* The relay's clock, learnt from ping: every time shown or compared is the
 * relay's, so a device whose clock is wrong still warns in time. */
void tto_identity_note_relay_time (TtoIdentity *self,
                                   gint64 relay_ms,
                                   gint64 sent_us,
                                   gint64 received_us);
gint64 tto_identity_get_clock_offset_ms (TtoIdentity *self);
gint64 tto_identity_relay_now (TtoIdentity *self);
gint64 tto_identity_get_seconds_left (TtoIdentity *self);
gint64 tto_identity_relay_to_local (TtoIdentity *self,
                                    gint64 relay_seconds);
gboolean tto_identity_is_expiring (TtoIdentity *self);

void tto_identity_watch (TtoIdentity *self,
                         TtoConnection *connection);
void tto_identity_sync_clock (TtoIdentity *self);
void tto_identity_unwatch (TtoIdentity *self);

char *tto_identity_describe_error (const GError *error,
                                   JsonObject *error_body);
char *tto_identity_format_lifetime (TtoIdentity *self);

G_END_DECLS
