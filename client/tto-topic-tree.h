/* tto-topic-tree.h: one event's topics, proposals and unread counts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tto-connection.h"
#include "tto-shared.h"
#include "tto-topic-proposal.h"
#include "tto-topic.h"

G_BEGIN_DECLS

#define TTO_TYPE_TOPIC_TREE (tto_topic_tree_get_type ())
G_DECLARE_FINAL_TYPE (TtoTopicTree, tto_topic_tree, TTO, TOPIC_TREE, GObject)

TtoTopicTree *tto_topic_tree_new (TtoConnection *connection,
                                  const char *event_id);
const char *tto_topic_tree_get_event_id (TtoTopicTree *self);
gboolean tto_topic_tree_get_loaded (TtoTopicTree *self);

/* Models */
GListModel *tto_topic_tree_get_roots (TtoTopicTree *self);
GtkTreeListModel *tto_topic_tree_create_tree_model (TtoTopicTree *self);
GListModel *tto_topic_tree_get_proposals (TtoTopicTree *self);
TtoTopic *tto_topic_tree_lookup (TtoTopicTree *self,
                                 const char *topic_id);
TtoTopicProposal *tto_topic_tree_lookup_proposal (TtoTopicTree *self,
                                                  const char *proposal_id);
guint tto_topic_tree_get_n_topics (TtoTopicTree *self);
char *tto_topic_tree_dup_path (TtoTopicTree *self,
                               const char *topic_id);

/* What the relay sends */
gboolean tto_topic_tree_apply_list (TtoTopicTree *self,
                                    JsonObject *body,
                                    gint64 read_position,
                                    GError **error);
gboolean tto_topic_tree_apply_topics (TtoTopicTree *self,
                                      JsonArray *topics,
                                      GError **error);
gboolean tto_topic_tree_handle_push (TtoTopicTree *self,
                                     const char *type,
                                     JsonObject *body);

/* Messages and reading */
const char *tto_topic_tree_message_topic (TtoMessage *message);
void tto_topic_tree_set_messages (TtoTopicTree *self,
                                  GListModel *messages);
void tto_topic_tree_message_changed (TtoTopicTree *self,
                                     TtoMessage *message);
void tto_topic_tree_mark_read (TtoTopicTree *self,
                               const char *topic_id,
                               gint64 seq);
gint64 tto_topic_tree_get_read_position (TtoTopicTree *self,
                                         const char *topic_id);
void tto_topic_tree_recount (TtoTopicTree *self);

/* The topic the chat shows and sends to */
const char *tto_topic_tree_get_current (TtoTopicTree *self);
void tto_topic_tree_set_current (TtoTopicTree *self,
                                 const char *topic_id);
gboolean tto_topic_tree_shows (TtoTopicTree *self,
                               TtoMessage *message);

/* Permissions, as the event grants them */
gboolean tto_topic_tree_can_manage (TtoTopicTree *self,
                                    TtoEvent *event);
gboolean tto_topic_tree_can_rename (TtoTopicTree *self,
                                    TtoEvent *event,
                                    TtoTopic *topic);

/* Requests */
char *tto_topic_tree_check_title (const char *title,
                                  GError **error);
char *tto_topic_tree_suggest_title (const char *text);
void tto_topic_tree_create_async (TtoTopicTree *self,
                                  const char *from_msg_id,
                                  const char *title,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
void tto_topic_tree_rename_async (TtoTopicTree *self,
                                  const char *topic_id,
                                  const char *title,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
void tto_topic_tree_remove_async (TtoTopicTree *self,
                                  const char *topic_id,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
void tto_topic_tree_decide_async (TtoTopicTree *self,
                                  const char *proposal_id,
                                  gboolean accept,
                                  const char *title,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
/* @out_topic: the topic created (create, an accepted decide), else NULL. */
gboolean tto_topic_tree_request_finish (TtoTopicTree *self,
                                        GAsyncResult *result,
                                        TtoTopic **out_topic,
                                        GError **error);

G_END_DECLS
