/* tto-history-row.h: a row of the home page's history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tto-history-entry.h"

G_BEGIN_DECLS

#define TTO_TYPE_HISTORY_ROW (tto_history_row_get_type ())
G_DECLARE_FINAL_TYPE (TtoHistoryRow, tto_history_row, TTO, HISTORY_ROW, GtkBox)

GtkWidget *tto_history_row_new (void);
void tto_history_row_set_entry (TtoHistoryRow *self,
                                TtoHistoryEntry *entry);

G_END_DECLS
