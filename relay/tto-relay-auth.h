/* tto-relay-auth.h: identity tokens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "tto-relay-store.h"

G_BEGIN_DECLS

gboolean tto_relay_auth_init (void);
char *tto_relay_auth_new_token (guint8 hash[TTO_RELAY_TOKEN_HASH_BYTES]);
void tto_relay_auth_hash_token (const char *token,
                                guint8 hash[TTO_RELAY_TOKEN_HASH_BYTES]);
char *tto_relay_auth_clean_display_name (const char *name);

G_END_DECLS
