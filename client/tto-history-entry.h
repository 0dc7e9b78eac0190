/* tto-history-entry.h: one event a permanent identity took part in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define TTO_TYPE_HISTORY_ENTRY (tto_history_entry_get_type ())
G_DECLARE_FINAL_TYPE (TtoHistoryEntry, tto_history_entry, TTO, HISTORY_ENTRY, GObject)

TtoHistoryEntry *tto_history_entry_new_from_json (JsonObject *object);
const char *tto_history_entry_get_id (TtoHistoryEntry *self);
const char *tto_history_entry_get_title (TtoHistoryEntry *self);
const char *tto_history_entry_get_role (TtoHistoryEntry *self);
gint64 tto_history_entry_get_started_at (TtoHistoryEntry *self);
gint64 tto_history_entry_get_ended_at (TtoHistoryEntry *self);
char *tto_history_entry_format_dates (TtoHistoryEntry *self);

G_END_DECLS
