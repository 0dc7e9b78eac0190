/* tto-chat-page.h: one event's chat
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-export.h"
#include "tto-media.h"
#include "tto-message-row.h"
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
GtkTextView *tto_chat_page_get_composer_view (TtoChatPage *self);
const char *tto_chat_page_get_reply_title (TtoChatPage *self);
const char *tto_chat_page_get_reply_text (TtoChatPage *self);
gboolean tto_chat_page_get_jump_visible (TtoChatPage *self);
GListModel *tto_chat_page_get_mention_candidates (TtoChatPage *self);
TtoMessageRow *tto_chat_page_find_row (TtoChatPage *self,
                                       TtoMessage *message);
void tto_chat_page_export_to_file (TtoChatPage *self,
                                   GFile *file,
                                   TtoExportFormat format);
gboolean tto_chat_page_get_exporting (TtoChatPage *self);
const GError *tto_chat_page_get_export_error (TtoChatPage *self);
void tto_chat_page_send_file (TtoChatPage *self,
                              GFile *file);
void tto_chat_page_start_voice (TtoChatPage *self);
void tto_chat_page_finish_voice (TtoChatPage *self,
                                 gboolean send);
gboolean tto_chat_page_get_recording (TtoChatPage *self);
void tto_chat_page_send_sticker (TtoChatPage *self,
                                 TtoSticker *sticker);
TtoStickerLibrary *tto_chat_page_get_sticker_library (TtoChatPage *self);
TtoSticker *tto_chat_page_import_sticker (TtoChatPage *self,
                                          GFile *file,
                                          GError **error);
void tto_chat_page_show_sticker_picker (TtoChatPage *self,
                                        gboolean show);
GtkPopover *tto_chat_page_get_sticker_popover (TtoChatPage *self);
GtkGridView *tto_chat_page_get_sticker_grid (TtoChatPage *self);
void tto_chat_page_open_video_message (TtoChatPage *self);
void tto_chat_page_record_video_message (TtoChatPage *self,
                                         gboolean record);
void tto_chat_page_send_video_message (TtoChatPage *self);
void tto_chat_page_cancel_video_message (TtoChatPage *self);
TtoRecorderState tto_chat_page_get_video_state (TtoChatPage *self);
GtkWindow *tto_chat_page_get_video_dialog (TtoChatPage *self);

/* Topics */
#include "tto-topic-bar.h"
#include "tto-topic-view.h"

TtoTopicView *tto_chat_page_get_topic_view (TtoChatPage *self);
TtoTopicBar *tto_chat_page_get_topic_bar (TtoChatPage *self);
GtkWidget *tto_chat_page_get_topics_button (TtoChatPage *self);

const char *tto_chat_page_get_flow_text (TtoChatPage *self);
const char *tto_chat_page_get_send_blocked_text (TtoChatPage *self);

G_END_DECLS
