/* tto-history.h: the events a permanent identity took part in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tto-connection.h"
#include "tto-history-entry.h"

G_BEGIN_DECLS

#define TTO_TYPE_HISTORY (tto_history_get_type ())
G_DECLARE_FINAL_TYPE (TtoHistory, tto_history, TTO, HISTORY, GObject)

TtoHistory *tto_history_new (TtoConnection *connection);
GListModel *tto_history_get_entries (TtoHistory *self);
void tto_history_refresh (TtoHistory *self);
void tto_history_delete_async (TtoHistory *self,
                               TtoHistoryEntry *entry,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
gboolean tto_history_delete_finish (TtoHistory *self,
                                    GAsyncResult *result,
                                    GError **error);

G_END_DECLS
