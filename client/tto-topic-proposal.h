/* tto-topic-proposal.h: a sub-topic the relay suggests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define TTO_TOPIC_PROPOSAL_REPLY_CHAIN "reply_chain"
#define TTO_TOPIC_PROPOSAL_TAG "tag"

#define TTO_TYPE_TOPIC_PROPOSAL (tto_topic_proposal_get_type ())
G_DECLARE_FINAL_TYPE (TtoTopicProposal, tto_topic_proposal, TTO, TOPIC_PROPOSAL, GObject)

TtoTopicProposal *tto_topic_proposal_new_from_json (JsonObject *object,
                                                    GError **error);
void tto_topic_proposal_update_from (TtoTopicProposal *self,
                                     TtoTopicProposal *other);

const char *tto_topic_proposal_get_id (TtoTopicProposal *self);
const char *tto_topic_proposal_get_kind (TtoTopicProposal *self);
const char *tto_topic_proposal_get_tag (TtoTopicProposal *self);
const char *tto_topic_proposal_get_parent_id (TtoTopicProposal *self);
const char *const *tto_topic_proposal_get_msg_ids (TtoTopicProposal *self);
guint tto_topic_proposal_get_n_messages (TtoTopicProposal *self);
char *tto_topic_proposal_dup_summary (TtoTopicProposal *self);
char *tto_topic_proposal_dup_suggested_title (TtoTopicProposal *self);

G_END_DECLS
