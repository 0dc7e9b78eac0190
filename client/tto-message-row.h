/* tto-message-row.h: one message in the chat
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tto-shared.h"

G_BEGIN_DECLS

#define TTO_TYPE_MESSAGE_ROW (tto_message_row_get_type ())
G_DECLARE_FINAL_TYPE (TtoMessageRow, tto_message_row, TTO, MESSAGE_ROW, GtkBox)

TtoMessageRow *tto_message_row_new (void);
void tto_message_row_set_message (TtoMessageRow *self,
                                  TtoMessage *message,
                                  gboolean own);
TtoMessage *tto_message_row_get_message (TtoMessageRow *self);

G_END_DECLS
