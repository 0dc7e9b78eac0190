/* tto-topic.h: one topic of an event's topic tree
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define TTO_TOPIC_ERROR (tto_topic_error_quark ())

typedef enum
{
  TTO_TOPIC_ERROR_INVALID,         /* a topic object without an id or a title */
  TTO_TOPIC_ERROR_EMPTY_TITLE,     /* a title of only spaces */
  TTO_TOPIC_ERROR_TITLE_TOO_LONG,  /* over TTO_PROTOCOL_MAX_TOPIC_TITLE_CHARS */
  TTO_TOPIC_ERROR_NOT_LOADED,      /* the relay has not sent the tree yet */
} TtoTopicError;

GQuark tto_topic_error_quark (void);

#define TTO_TYPE_TOPIC (tto_topic_get_type ())
G_DECLARE_FINAL_TYPE (TtoTopic, tto_topic, TTO, TOPIC, GObject)

TtoTopic *tto_topic_new (const char *id);
gboolean tto_topic_validate_json (JsonObject *object,
                                  GError **error);
void tto_topic_update_from_json (TtoTopic *self,
                                 JsonObject *object);

const char *tto_topic_get_id (TtoTopic *self);
gboolean tto_topic_is_main (TtoTopic *self);
const char *tto_topic_get_parent_id (TtoTopic *self);
const char *tto_topic_get_title (TtoTopic *self);
char *tto_topic_dup_display_title (TtoTopic *self);
const char *tto_topic_get_from_msg_id (TtoTopic *self);
const char *tto_topic_get_created_by (TtoTopic *self);
gint64 tto_topic_get_created_at (TtoTopic *self);
guint tto_topic_get_relay_message_count (TtoTopic *self);
gint64 tto_topic_get_last_seq (TtoTopic *self);

guint tto_topic_get_message_count (TtoTopic *self);
void tto_topic_set_message_count (TtoTopic *self,
                                  guint count);
guint tto_topic_get_unread_count (TtoTopic *self);
void tto_topic_set_unread_count (TtoTopic *self,
                                 guint count);

GListModel *tto_topic_get_children (TtoTopic *self);
GListStore *tto_topic_get_children_store (TtoTopic *self);

G_END_DECLS
