/* tto-topic-bar.h: the chat's current topic, under its header
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-session.h"

G_BEGIN_DECLS

#define TTO_TYPE_TOPIC_BAR (tto_topic_bar_get_type ())
G_DECLARE_FINAL_TYPE (TtoTopicBar, tto_topic_bar, TTO, TOPIC_BAR, AdwBin)

void tto_topic_bar_set_context (TtoTopicBar *self,
                                TtoSession *session,
                                TtoEvent *event);
gboolean tto_topic_bar_get_revealed (TtoTopicBar *self);
char *tto_topic_bar_dup_path (TtoTopicBar *self);
GtkButton *tto_topic_bar_get_main_button (TtoTopicBar *self);

G_END_DECLS
