/* tto-relay-topic-detect.h: proposes sub-topics from reply chains and
 * repeated #tags, deterministically, from the messages alone
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A reply chain of this many messages is proposed as a sub-topic. */
#define TTO_TOPIC_DETECT_CHAIN_LENGTH 4
/* This many messages of one topic sharing a tag are proposed. */
#define TTO_TOPIC_DETECT_TAG_COUNT 3
/* Characters after '#' a tag may have; a longer run is no tag. */
#define TTO_TOPIC_DETECT_MAX_TAG_CHARS 64
/* Distinct tags looked at per message. */
#define TTO_TOPIC_DETECT_MAX_TAGS 16
/* Steps a chain is followed back; longer chains are not proposed (bounds
 * the work per message). */
#define TTO_TOPIC_DETECT_MAX_WALK 1000
/* Messages one proposal holds, and proposals pending at once: a
 * topic.proposed push and a topic.list answer stay well within the 64 KiB
 * a frame may have. */
#define TTO_TOPIC_DETECT_MAX_PROPOSAL_MESSAGES 50
#define TTO_TOPIC_DETECT_MAX_PENDING 10

typedef enum
{
  TTO_TOPIC_PROPOSAL_REPLY_CHAIN,
  TTO_TOPIC_PROPOSAL_TAG,
} TtoTopicProposalKind;

/* One pending proposal. Its tag and title come from message text, so they
 * are wiped when it is freed. */
typedef struct
{
  char *id;
  TtoTopicProposalKind kind;
  char *tag;          /* case-folded, with its '#', or NULL for a reply chain */
  char *title;        /* the suggestion: the tag as first written, or "Reply thread" */
  char *parent_id;    /* the topic the messages are in */
  GPtrArray *msg_ids; /* char *, in the order the messages were noted */
  gboolean busy;      /* the relay is storing a decision on it */
  GHashTable *held;   /* private: the ids of msg_ids, as a set */
} TtoTopicProposal;

/* What the detector needs of a message. */
typedef struct
{
  const char *msg_id;
  const char *reply_to; /* msg id, or NULL */
  const char *topic_id; /* NULL means "main" */
  const char *text;     /* may be NULL */
} TtoTopicDetectMessage;

typedef struct _TtoTopicDetector TtoTopicDetector;

const char *tto_topic_proposal_kind_to_string (TtoTopicProposalKind kind);
void tto_topic_proposal_free (TtoTopicProposal *proposal);

TtoTopicDetector *tto_topic_detector_new (void);
void tto_topic_detector_free (TtoTopicDetector *detector);

GPtrArray *tto_topic_detector_note (TtoTopicDetector *detector,
                                    const TtoTopicDetectMessage *message);
void tto_topic_detector_retext (TtoTopicDetector *detector,
                                const char *msg_id,
                                const char *text);
void tto_topic_detector_move (TtoTopicDetector *detector,
                              const char *msg_id,
                              const char *topic_id);
const char *tto_topic_detector_get_topic (TtoTopicDetector *detector,
                                          const char *msg_id);
GPtrArray *tto_topic_detector_take_stale (TtoTopicDetector *detector);
TtoTopicProposal *tto_topic_detector_lookup (TtoTopicDetector *detector,
                                             const char *proposal_id);
void tto_topic_detector_decide (TtoTopicDetector *detector,
                                const char *proposal_id,
                                const char *new_topic_id);
GPtrArray *tto_topic_detector_get_pending (TtoTopicDetector *detector);

GPtrArray *tto_topic_detect (const TtoTopicDetectMessage *messages,
                             guint n_messages);
GPtrArray *tto_topic_extract_tags (const char *text,
                                   GPtrArray **out_written);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TtoTopicDetector, tto_topic_detector_free)

G_END_DECLS
