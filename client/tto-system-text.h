/* tto-system-text.h: the relay's system messages, worded in the user's language
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "tto-message.h"

G_BEGIN_DECLS

char *tto_system_text_describe (JsonObject *system_event);
char *tto_system_text_for_message (TtoMessage *message);

G_END_DECLS
