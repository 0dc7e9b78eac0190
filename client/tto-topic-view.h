/* tto-topic-view.h: an event's topic tree, its proposals and topic dialogs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-session.h"

G_BEGIN_DECLS

#define TTO_TYPE_TOPIC_VIEW (tto_topic_view_get_type ())
G_DECLARE_FINAL_TYPE (TtoTopicView, tto_topic_view, TTO, TOPIC_VIEW, AdwBin)

TtoTopicView *tto_topic_view_new (void);
void tto_topic_view_set_context (TtoTopicView *self,
                                 TtoSession *session,
                                 TtoEvent *event);
TtoTopicTree *tto_topic_view_get_tree (TtoTopicView *self);
gboolean tto_topic_view_get_folded (TtoTopicView *self);
void tto_topic_view_set_folded (TtoTopicView *self,
                                gboolean folded);
void tto_topic_view_choose (TtoTopicView *self,
                            const char *topic_id);
void tto_topic_view_discuss (TtoTopicView *self,
                             TtoMessage *message);

/* For tests and keyboard shortcuts */
GtkListView *tto_topic_view_get_list_view (TtoTopicView *self);
GtkTreeListModel *tto_topic_view_get_tree_model (TtoTopicView *self);
GtkSingleSelection *tto_topic_view_get_selection (TtoTopicView *self);
AdwMessageDialog *tto_topic_view_get_dialog (TtoTopicView *self);
GtkEditable *tto_topic_view_get_dialog_entry (TtoTopicView *self);
gboolean tto_topic_view_get_proposals_visible (TtoTopicView *self);
GtkEditable *tto_topic_view_get_proposal_entry (TtoTopicView *self,
                                                guint index);
GtkButton *tto_topic_view_get_proposal_button (TtoTopicView *self,
                                               guint index,
                                               gboolean accept);
GMenuModel *tto_topic_view_build_topic_menu (TtoTopicView *self,
                                             TtoTopic *topic);

G_END_DECLS
