/* tto-chat-page.h: one event's chat
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-session.h"

G_BEGIN_DECLS

#define TTO_TYPE_CHAT_PAGE (tto_chat_page_get_type ())
G_DECLARE_FINAL_TYPE (TtoChatPage, tto_chat_page, TTO, CHAT_PAGE, AdwBin)

void tto_chat_page_set_session (TtoChatPage *self,
                                TtoSession *session);
TtoEvent *tto_chat_page_get_event (TtoChatPage *self);
void tto_chat_page_set_event (TtoChatPage *self,
                              TtoEvent *event);
void tto_chat_page_focus_composer (TtoChatPage *self);
GtkTextBuffer *tto_chat_page_get_composer_buffer (TtoChatPage *self);
GtkListView *tto_chat_page_get_message_list (TtoChatPage *self);
gboolean tto_chat_page_get_showing_ended (TtoChatPage *self);
gboolean tto_chat_page_get_banner_revealed (TtoChatPage *self);

G_END_DECLS
