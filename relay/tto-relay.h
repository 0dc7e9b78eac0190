/* tto-relay.h: the relay daemon as a whole
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "tto-relay-config.h"

G_BEGIN_DECLS

typedef struct _TtoRelay TtoRelay;

TtoRelay *tto_relay_new (TtoRelayConfig *config,
                         GError **error);
gboolean tto_relay_listen (TtoRelay *relay,
                           GError **error);
guint tto_relay_get_port (TtoRelay *relay);
const char *tto_relay_get_bind_address (TtoRelay *relay);
void tto_relay_reload (TtoRelay *relay);
void tto_relay_free (TtoRelay *relay);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TtoRelay, tto_relay_free)

G_END_DECLS
