/* tto-call-util.h: small helpers of the call engine (no GObject)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

char *tto_call_candidate_get_address (const char *candidate);
gboolean tto_call_candidate_is_loopback (const char *candidate);
void tto_call_ice_servers_to_uris (JsonArray *ice_servers,
                                   char **out_stun,
                                   GPtrArray *out_turn);

G_END_DECLS
