/* tto-relay-clock.h: the relay's clock
 *
 * Every deadline, expiry and timestamp reads it, so tests can move time
 * forward (--test-clock) instead of sleeping. Safe from any thread: store
 * jobs read it too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gint64 tto_relay_now_ms (void);
gint64 tto_relay_now_seconds (void);
void tto_relay_clock_advance (gint64 seconds);

G_END_DECLS
