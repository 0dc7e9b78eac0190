/* tto-message-row.h: one message in the chat
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tto-session.h"

G_BEGIN_DECLS

#define TTO_TYPE_MESSAGE_ROW (tto_message_row_get_type ())
G_DECLARE_FINAL_TYPE (TtoMessageRow, tto_message_row, TTO, MESSAGE_ROW, GtkWidget)

TtoMessageRow *tto_message_row_new (void);
void tto_message_row_set_context (TtoMessageRow *self,
                                  TtoSession *session,
                                  TtoEvent *event);
void tto_message_row_set_message (TtoMessageRow *self,
                                  TtoMessage *message,
                                  gboolean own);
TtoMessage *tto_message_row_get_message (TtoMessageRow *self);
void tto_message_row_set_show_divider (TtoMessageRow *self,
                                       gboolean show);
gboolean tto_message_row_get_show_divider (TtoMessageRow *self);
void tto_message_row_update_receipts (TtoMessageRow *self);
const char *tto_message_row_get_receipt_text (TtoMessageRow *self);
const char *tto_message_row_get_text (TtoMessageRow *self);
const char *tto_message_row_get_quote_sender (TtoMessageRow *self);
const char *tto_message_row_get_quote_text (TtoMessageRow *self);
gboolean tto_message_row_get_edited_shown (TtoMessageRow *self);
gboolean tto_message_row_get_mentions_me (TtoMessageRow *self);
GMenuModel *tto_message_row_build_menu (TtoMessageRow *self);
void tto_message_row_popup_menu (TtoMessageRow *self,
                                 double x,
                                 double y);
void tto_message_row_show_receipts (TtoMessageRow *self);
GtkPopover *tto_message_row_get_receipts_popover (TtoMessageRow *self);
void tto_message_row_flash (TtoMessageRow *self);
GtkWidget *tto_message_row_get_attachment_view (TtoMessageRow *self);

G_END_DECLS
