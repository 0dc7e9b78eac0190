/* tto-relay-topics.h: each event's topic tree and sub-topic proposals
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tto-relay-private.h"

G_BEGIN_DECLS

/* The topic frames, listed in route_tables in tto-relay-handlers.c. */
extern const TtoRelayRoute tto_relay_topics_routes[];
extern const guint tto_relay_topics_n_routes;

/* Start-up, after the rooms: reads every event's tree from the database. */
gboolean tto_relay_topics_load (TtoRelay *relay,
                                GError **error);

/* msg.send, before the message is appended: FALSE (and not_found
 * answered) when body.topic_id names no topic of the event. */
gboolean tto_relay_topics_check_send (TtoRelayConn *conn,
                                      TtoFrame *frame,
                                      TtoRelayRoom *room);

/* msg.send, once appended and before it goes out: puts the message into
 * body.topic_id ("main" when absent). */
void tto_relay_topics_place_message (TtoRelayRoom *room,
                                     const TtoRelayEntry *entry,
                                     const char *topic_id);

/* msg.send, after the message went out: runs the proposal detector and
 * pushes what it proposes. */
void tto_relay_topics_note_message (TtoRelay *relay,
                                    TtoRelayRoom *room,
                                    const TtoRelayEntry *entry);

/* msg.edit and msg.recall: the detector follows the text (a recalled
 * message's tags are wiped). */
void tto_relay_topics_note_change (TtoRelayRoom *room,
                                   const TtoRelayEntry *entry);

/* tto-relay-store-topics.c (its schema: tto-relay-store-private.h) */
typedef struct
{
  const char *event_id;
  const char *id;
  const char *parent_id;   /* "main" or a topic id */
  const char *title;
  const char *from_msg_id; /* or NULL */
  const char *created_by;  /* or NULL */
  gint64 created_at;
  gint64 position;         /* creation order within the event */
} TtoRelayStoredTopic;

typedef void (*TtoRelayStoreTopicFunc) (const TtoRelayStoredTopic *topic,
                                        gpointer user_data);

gboolean tto_relay_store_load_topics (TtoRelayStore *store,
                                      TtoRelayStoreTopicFunc func,
                                      gpointer user_data,
                                      GError **error);
/* Each finishes with tto_relay_store_finish (). */
void tto_relay_store_insert_topic_async (TtoRelayStore *store,
                                         const TtoRelayStoredTopic *topic,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
void tto_relay_store_rename_topic_async (TtoRelayStore *store,
                                         const char *event_id,
                                         const char *topic_id,
                                         const char *title,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
void tto_relay_store_remove_topic_async (TtoRelayStore *store,
                                         const char *event_id,
                                         const char *topic_id,
                                         const char *parent_id,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);

G_END_DECLS
