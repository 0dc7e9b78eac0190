/* tto-message.h: one chat message
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  TTO_MESSAGE_STATE_PENDING, /* queued on the client, not yet accepted */
  TTO_MESSAGE_STATE_SENT,    /* has a seq from the relay */
} TtoMessageState;

#define TTO_TYPE_MESSAGE (tto_message_get_type ())
G_DECLARE_FINAL_TYPE (TtoMessage, tto_message, TTO, MESSAGE, GObject)

TtoMessage *tto_message_new_pending (const char *event_id,
                                     const char *client_msg_id,
                                     const char *sender_id,
                                     const char *sender_name,
                                     const char *text,
                                     gint64 ts);
TtoMessage *tto_message_new_from_json (JsonObject *object,
                                       GError **error);
JsonObject *tto_message_to_json (TtoMessage *self);

const char *tto_message_get_event_id (TtoMessage *self);
const char *tto_message_get_msg_id (TtoMessage *self);
const char *tto_message_get_client_msg_id (TtoMessage *self);
const char *tto_message_get_sender_id (TtoMessage *self);
const char *tto_message_get_sender_name (TtoMessage *self);
const char *tto_message_get_text (TtoMessage *self);
gint64 tto_message_get_seq (TtoMessage *self);
gint64 tto_message_get_ts (TtoMessage *self);
TtoMessageState tto_message_get_state (TtoMessage *self);
void tto_message_confirm (TtoMessage *self,
                          const char *msg_id,
                          gint64 seq,
                          gint64 ts);

/* Reply, mentions, edits and recall */
void tto_message_set_reply_to (TtoMessage *self,
                               const char *msg_id,
                               gint64 seq,
                               const char *sender_id,
                               const char *sender_name,
                               const char *excerpt,
                               gboolean recalled);
const char *tto_message_get_reply_to_msg_id (TtoMessage *self);
gint64 tto_message_get_reply_to_seq (TtoMessage *self);
const char *tto_message_get_reply_to_sender_name (TtoMessage *self);
const char *tto_message_get_reply_to_excerpt (TtoMessage *self);
gboolean tto_message_get_reply_to_recalled (TtoMessage *self);
void tto_message_set_mentions (TtoMessage *self,
                               const char *const *mentions);
const char *const *tto_message_get_mentions (TtoMessage *self);
gboolean tto_message_mentions (TtoMessage *self,
                               const char *identity_id);
gint64 tto_message_get_edited_at (TtoMessage *self);
gboolean tto_message_get_recalled (TtoMessage *self);
const char *tto_message_get_recalled_by (TtoMessage *self);
void tto_message_update_from (TtoMessage *self,
                              TtoMessage *other);
char *tto_message_make_excerpt (const char *text);
void tto_message_edit (TtoMessage *self,
                       const char *text,
                       gint64 edited_at);
void tto_message_recall (TtoMessage *self,
                         const char *recalled_by);
void tto_message_mark_reply_recalled (TtoMessage *self);
JsonObject *tto_message_get_attachment (TtoMessage *self);
void tto_message_set_attachment (TtoMessage *self,
                                 JsonObject *attachment);
const char *tto_message_get_attachment_string (TtoMessage *self,
                                               const char *field);
gint64 tto_message_get_attachment_int (TtoMessage *self,
                                       const char *field);

/* The topic the message belongs to: "main" unless sent into or moved to a
 * sub-topic. */
const char *tto_message_get_topic_id (TtoMessage *self);
void tto_message_set_topic_id (TtoMessage *self,
                               const char *topic_id);
/* A message the relay wrote itself (a stage change, a rule change). */
gboolean tto_message_get_system (TtoMessage *self);
void tto_message_set_system (TtoMessage *self,
                             gboolean system);
/* What a system message says, as data (PROTOCOL.md "Event flow"), so that
 * clients word it in their own language; NULL for ordinary messages. */
JsonObject *tto_message_get_system_event (TtoMessage *self);
void tto_message_set_system_event (TtoMessage *self,
                                   JsonObject *system_event);

G_END_DECLS
