/* tto-message.c: one chat message
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "tto-frame.h"
#include "tto-message.h"
#include "tto-protocol.h"
#include "tto-util.h"

struct _TtoMessage
{
  GObject parent_instance;

  char *event_id;
  char *msg_id;
  char *client_msg_id;
  char *sender_id;
  char *sender_name;
  char *text;
  gint64 seq;
  gint64 ts; /* milliseconds since the Unix epoch, relay clock */
  TtoMessageState state;

  char *reply_msg_id;
  char *reply_sender_id;
  char *reply_sender_name;
  char *reply_excerpt;
  gint64 reply_seq;
  gboolean reply_recalled;
  GStrv mentions;
  gint64 edited_at; /* milliseconds, 0 if never */
  gboolean recalled;
  char *recalled_by;
  JsonObject *attachment; /* blob reference: blob_id, kind, name, mime_type, size, … */
  char *topic_id;         /* NULL means the main topic */
  gboolean system;        /* written by the relay: stage or rule change */
  JsonObject *system_event; /* what the relay's line says, as data */
};

G_DEFINE_FINAL_TYPE (TtoMessage, tto_message, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_EVENT_ID,
  PROP_MSG_ID,
  PROP_CLIENT_MSG_ID,
  PROP_SENDER_ID,
  PROP_SENDER_NAME,
  PROP_TEXT,
  PROP_SEQ,
  PROP_TS,
  PROP_PENDING,
  PROP_REPLY_TO_MSG_ID,
  PROP_REPLY_TO_SENDER_NAME,
  PROP_REPLY_TO_EXCERPT,
  PROP_EDITED_AT,
  PROP_RECALLED,
  PROP_RECALLED_BY,
  PROP_HAS_ATTACHMENT,
  PROP_TOPIC_ID,
  PROP_SYSTEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* A stage change's conclusion is member text: wiped like the text. */
static void
clear_system_event (TtoMessage *self)
{
  TtoFrame wrapper = { .body = self->system_event };

  if (self->system_event == NULL)
    return;
  tto_frame_wipe (&wrapper);
  g_clear_pointer (&self->system_event, json_object_unref);
}

static void
tto_message_finalize (GObject *object)
{
  TtoMessage *self = (TtoMessage *) object;

  g_free (self->event_id);
  g_free (self->msg_id);
  g_free (self->client_msg_id);
  g_free (self->sender_id);
  g_free (self->sender_name);
  /* The text is the conversation: never leave it in freed memory. */
  tto_str_wipe_free (self->text);
  g_free (self->reply_msg_id);
  g_free (self->reply_sender_id);
  g_free (self->reply_sender_name);
  tto_str_wipe_free (self->reply_excerpt);
  g_strfreev (self->mentions);
  g_free (self->recalled_by);
  g_clear_pointer (&self->attachment, json_object_unref);
  clear_system_event (self);
  g_free (self->topic_id);

  G_OBJECT_CLASS (tto_message_parent_class)->finalize (object);
}

static void
tto_message_get_property (GObject *object,
                          guint prop_id,
                          GValue *value,
                          GParamSpec *pspec)
{
  TtoMessage *self = TTO_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_EVENT_ID:
      g_value_set_string (value, self->event_id);
      break;
    case PROP_MSG_ID:
      g_value_set_string (value, self->msg_id);
      break;
    case PROP_CLIENT_MSG_ID:
      g_value_set_string (value, self->client_msg_id);
      break;
    case PROP_SENDER_ID:
      g_value_set_string (value, self->sender_id);
      break;
    case PROP_SENDER_NAME:
      g_value_set_string (value, self->sender_name);
      break;
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    case PROP_SEQ:
      g_value_set_int64 (value, self->seq);
      break;
    case PROP_TS:
      g_value_set_int64 (value, self->ts);
      break;
    case PROP_PENDING:
      g_value_set_boolean (value, self->state == TTO_MESSAGE_STATE_PENDING);
      break;
    case PROP_REPLY_TO_MSG_ID:
      g_value_set_string (value, self->reply_msg_id);
      break;
    case PROP_REPLY_TO_SENDER_NAME:
      g_value_set_string (value, self->reply_sender_name);
      break;
    case PROP_REPLY_TO_EXCERPT:
      g_value_set_string (value, self->reply_excerpt);
      break;
    case PROP_EDITED_AT:
      g_value_set_int64 (value, self->edited_at);
      break;
    case PROP_RECALLED:
      g_value_set_boolean (value, self->recalled);
      break;
    case PROP_RECALLED_BY:
      g_value_set_string (value, self->recalled_by);
      break;
    case PROP_HAS_ATTACHMENT:
      g_value_set_boolean (value, self->attachment != NULL);
      break;
    case PROP_TOPIC_ID:
      g_value_set_string (value, tto_message_get_topic_id (self));
      break;
    case PROP_SYSTEM:
      g_value_set_boolean (value, self->system);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_message_class_init (TtoMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tto_message_finalize;
  object_class->get_property = tto_message_get_property;

  properties[PROP_EVENT_ID] = g_param_spec_string ("event-id", NULL, NULL, NULL, ro);
  properties[PROP_MSG_ID] = g_param_spec_string ("msg-id", NULL, NULL, NULL, ro);
  properties[PROP_CLIENT_MSG_ID] = g_param_spec_string ("client-msg-id", NULL, NULL, NULL, ro);
  properties[PROP_SENDER_ID] = g_param_spec_string ("sender-id", NULL, NULL, NULL, ro);
  properties[PROP_SENDER_NAME] = g_param_spec_string ("sender-name", NULL, NULL, NULL, ro);
  properties[PROP_TEXT] = g_param_spec_string ("text", NULL, NULL, NULL, ro);
  properties[PROP_SEQ] = g_param_spec_int64 ("seq", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_TS] = g_param_spec_int64 ("ts", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_PENDING] = g_param_spec_boolean ("pending", NULL, NULL, FALSE, ro);
  properties[PROP_REPLY_TO_MSG_ID] = g_param_spec_string ("reply-to-msg-id", NULL, NULL, NULL, ro);
  properties[PROP_REPLY_TO_SENDER_NAME] = g_param_spec_string ("reply-to-sender-name", NULL, NULL,
                                                               NULL, ro);
  properties[PROP_REPLY_TO_EXCERPT] = g_param_spec_string ("reply-to-excerpt", NULL, NULL, NULL,
                                                           ro);
  properties[PROP_EDITED_AT] = g_param_spec_int64 ("edited-at", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_RECALLED] = g_param_spec_boolean ("recalled", NULL, NULL, FALSE, ro);
  properties[PROP_RECALLED_BY] = g_param_spec_string ("recalled-by", NULL, NULL, NULL, ro);
  properties[PROP_HAS_ATTACHMENT] = g_param_spec_boolean ("has-attachment", NULL, NULL, FALSE, ro);
  properties[PROP_TOPIC_ID] = g_param_spec_string ("topic-id", NULL, NULL, TTO_TOPIC_MAIN, ro);
  properties[PROP_SYSTEM] = g_param_spec_boolean ("system", NULL, NULL, FALSE, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tto_message_init (TtoMessage *self)
{
}

TtoMessage *
tto_message_new_pending (const char *event_id,
                         const char *client_msg_id,
                         const char *sender_id,
                         const char *sender_name,
                         const char *text,
                         gint64 ts)
{
  TtoMessage *self;

  g_return_val_if_fail (event_id != NULL, NULL);
  g_return_val_if_fail (client_msg_id != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  self = g_object_new (TTO_TYPE_MESSAGE, NULL);
  self->event_id = g_strdup (event_id);
  self->client_msg_id = g_strdup (client_msg_id);
  self->sender_id = g_strdup (sender_id);
  self->sender_name = g_strdup (sender_name);
  self->text = g_strdup (text);
  self->ts = ts;
  self->state = TTO_MESSAGE_STATE_PENDING;

  return self;
}

/* Reads the body of a msg.new frame. */
TtoMessage *
tto_message_new_from_json (JsonObject *object,
                           GError **error)
{
  TtoMessage *self;
  const char *required[] = { "event_id", "msg_id", "client_msg_id", "sender_id", "sender_name",
                             "text" };

  g_return_val_if_fail (object != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    {
      JsonNode *node = json_object_get_member (object, required[i]);

      if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
          json_node_get_value_type (node) != G_TYPE_STRING)
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "message needs %s as a string", required[i]);
          return NULL;
        }
    }

  self = g_object_new (TTO_TYPE_MESSAGE, NULL);
  self->event_id = g_strdup (json_object_get_string_member (object, "event_id"));
  self->msg_id = g_strdup (json_object_get_string_member (object, "msg_id"));
  self->client_msg_id = g_strdup (json_object_get_string_member (object, "client_msg_id"));
  self->sender_id = g_strdup (json_object_get_string_member (object, "sender_id"));
  self->sender_name = g_strdup (json_object_get_string_member (object, "sender_name"));
  self->text = g_strdup (json_object_get_string_member (object, "text"));
  self->seq = json_object_get_int_member_with_default (object, "seq", 0);
  self->ts = json_object_get_int_member_with_default (object, "ts", 0);
  self->state = TTO_MESSAGE_STATE_SENT;
  self->recalled = json_object_get_boolean_member_with_default (object, "recalled", FALSE);
  self->system = json_object_get_boolean_member_with_default (object, "system", FALSE);
  if (self->system && json_object_has_member (object, "system_event") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "system_event")))
    self->system_event = tto_json_object_deep_copy (json_object_get_object_member (object,
                                                                                  "system_event"));
  self->recalled_by = g_strdup (json_object_get_string_member_with_default (object, "recalled_by",
                                                                            NULL));
  if (json_object_has_member (object, "edited_at") &&
      !json_object_get_null_member (object, "edited_at"))
    self->edited_at = json_object_get_int_member_with_default (object, "edited_at", 0);

  if (json_object_has_member (object, "reply_to") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "reply_to")))
    {
      JsonObject *reply = json_object_get_object_member (object, "reply_to");

      self->reply_msg_id = g_strdup (json_object_get_string_member_with_default (reply, "msg_id",
                                                                                 NULL));
      self->reply_seq = json_object_get_int_member_with_default (reply, "seq", 0);
      self->reply_sender_id =
        g_strdup (json_object_get_string_member_with_default (reply, "sender_id", NULL));
      self->reply_sender_name =
        g_strdup (json_object_get_string_member_with_default (reply, "sender_name", NULL));
      self->reply_excerpt = g_strdup (json_object_get_string_member_with_default (reply, "excerpt",
                                                                                  ""));
      self->reply_recalled = json_object_get_boolean_member_with_default (reply, "recalled", FALSE);
    }

  if (json_object_has_member (object, "attachment") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "attachment")))
    {
      self->attachment = tto_json_object_deep_copy (json_object_get_object_member (object,
                                                                                  "attachment"));
    }

  tto_message_set_topic_id (self, json_object_get_string_member_with_default (object, "topic_id",
                                                                              NULL));

  if (json_object_has_member (object, "mentions") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "mentions")))
    {
      JsonArray *array = json_object_get_array_member (object, "mentions");
      g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (node));
        }
      self->mentions = g_strv_builder_end (builder);
    }

  return self;
}

JsonObject *
tto_message_to_json (TtoMessage *self)
{
  JsonObject *object;

  g_return_val_if_fail (TTO_IS_MESSAGE (self), NULL);

  object = json_object_new ();
  json_object_set_string_member (object, "event_id", self->event_id);
  json_object_set_int_member (object, "seq", self->seq);
  json_object_set_string_member (object, "msg_id", self->msg_id ? self->msg_id : "");
  json_object_set_string_member (object, "client_msg_id", self->client_msg_id);
  json_object_set_string_member (object, "sender_id", self->sender_id ? self->sender_id : "");
  json_object_set_string_member (object, "sender_name",
                                 self->sender_name ? self->sender_name : "");
  json_object_set_string_member (object, "text", self->text);
  json_object_set_int_member (object, "ts", self->ts);

  if (self->reply_msg_id != NULL)
    {
      JsonObject *reply = json_object_new ();

      json_object_set_string_member (reply, "msg_id", self->reply_msg_id);
      json_object_set_int_member (reply, "seq", self->reply_seq);
      json_object_set_string_member (reply, "sender_id",
                                     self->reply_sender_id ? self->reply_sender_id : "");
      json_object_set_string_member (reply, "sender_name",
                                     self->reply_sender_name ? self->reply_sender_name : "");
      json_object_set_string_member (reply, "excerpt",
                                     self->reply_excerpt ? self->reply_excerpt : "");
      json_object_set_boolean_member (reply, "recalled", self->reply_recalled);
      json_object_set_object_member (object, "reply_to", reply);
    }
  else
    json_object_set_null_member (object, "reply_to");

  {
    JsonArray *mentions = json_array_new ();

    for (guint i = 0; self->mentions != NULL && self->mentions[i] != NULL; i++)
      json_array_add_string_element (mentions, self->mentions[i]);
    json_object_set_array_member (object, "mentions", mentions);
  }

  if (self->attachment != NULL)
    {
      /* A deep copy: the relay wipes serialised trees. */
      json_object_set_object_member (object, "attachment",
                                     tto_json_object_deep_copy (self->attachment));
    }
  else
    json_object_set_null_member (object, "attachment");

  if (self->edited_at > 0)
    json_object_set_int_member (object, "edited_at", self->edited_at);
  else
    json_object_set_null_member (object, "edited_at");
  json_object_set_boolean_member (object, "recalled", self->recalled);
  /* Only relay-written lines carry it, so ordinary messages stay as they were. */
  if (self->system)
    json_object_set_boolean_member (object, "system", TRUE);
  if (self->system && self->system_event != NULL)
    json_object_set_object_member (object, "system_event",
                                   tto_json_object_deep_copy (self->system_event));
  if (self->recalled_by != NULL)
    json_object_set_string_member (object, "recalled_by", self->recalled_by);
  else
    json_object_set_null_member (object, "recalled_by");
  json_object_set_string_member (object, "topic_id", tto_message_get_topic_id (self));

  return object;
}

/* A pending message became part of the event's log. */
void
tto_message_confirm (TtoMessage *self,
                     const char *msg_id,
                     gint64 seq,
                     gint64 ts)
{
  g_return_if_fail (TTO_IS_MESSAGE (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (tto_set_str (&self->msg_id, msg_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MSG_ID]);
  if (self->seq != seq)
    {
      self->seq = seq;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEQ]);
    }
  if (self->ts != ts)
    {
      self->ts = ts;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TS]);
    }
  if (self->state != TTO_MESSAGE_STATE_SENT)
    {
      self->state = TTO_MESSAGE_STATE_SENT;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

#define GETTER(type, field, def)                                                                 \
  type tto_message_get_##field (TtoMessage *self)                                                \
  {                                                                                              \
    g_return_val_if_fail (TTO_IS_MESSAGE (self), def);                                           \
    return self->field;                                                                          \
  }

GETTER (const char *, event_id, NULL)
GETTER (const char *, msg_id, NULL)
GETTER (const char *, client_msg_id, NULL)
GETTER (const char *, sender_id, NULL)
GETTER (const char *, sender_name, NULL)
GETTER (const char *, text, NULL)
GETTER (gint64, seq, 0)
GETTER (gint64, ts, 0)
GETTER (TtoMessageState, state, TTO_MESSAGE_STATE_PENDING)

void
tto_message_set_reply_to (TtoMessage *self,
                          const char *msg_id,
                          gint64 seq,
                          const char *sender_id,
                          const char *sender_name,
                          const char *excerpt,
                          gboolean recalled)
{
  g_return_if_fail (TTO_IS_MESSAGE (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (tto_set_str (&self->reply_msg_id, msg_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPLY_TO_MSG_ID]);
  self->reply_seq = seq;
  tto_set_str (&self->reply_sender_id, sender_id);
  if (tto_set_str (&self->reply_sender_name, sender_name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPLY_TO_SENDER_NAME]);
  if (g_strcmp0 (self->reply_excerpt, excerpt) != 0)
    {
      tto_str_wipe_free (self->reply_excerpt);
      self->reply_excerpt = g_strdup (excerpt);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPLY_TO_EXCERPT]);
    }
  self->reply_recalled = recalled;
  g_object_thaw_notify (G_OBJECT (self));
}

GETTER (gint64, edited_at, 0)
GETTER (gboolean, recalled, FALSE)
GETTER (const char *, recalled_by, NULL)

#define REPLY_GETTER(type, name, field, def)                                                     \
  type tto_message_get_reply_to_##name (TtoMessage *self)                                        \
  {                                                                                              \
    g_return_val_if_fail (TTO_IS_MESSAGE (self), def);                                           \
    return self->field;                                                                          \
  }

REPLY_GETTER (const char *, msg_id, reply_msg_id, NULL)
REPLY_GETTER (gint64, seq, reply_seq, 0)
REPLY_GETTER (const char *, sender_name, reply_sender_name, NULL)
REPLY_GETTER (const char *, excerpt, reply_excerpt, NULL)
REPLY_GETTER (gboolean, recalled, reply_recalled, FALSE)

void
tto_message_set_mentions (TtoMessage *self,
                          const char *const *mentions)
{
  g_return_if_fail (TTO_IS_MESSAGE (self));

  g_strfreev (self->mentions);
  self->mentions = g_strdupv ((char **) mentions);
}

const char *const *
tto_message_get_mentions (TtoMessage *self)
{
  g_return_val_if_fail (TTO_IS_MESSAGE (self), NULL);

  return (const char *const *) self->mentions;
}

/* TRUE when @identity_id is mentioned by name or through "all". */
gboolean
tto_message_mentions (TtoMessage *self,
                      const char *identity_id)
{
  g_return_val_if_fail (TTO_IS_MESSAGE (self), FALSE);

  if (self->mentions == NULL || identity_id == NULL || self->recalled)
    return FALSE;

  return g_strv_contains ((const char *const *) self->mentions, identity_id) ||
         g_strv_contains ((const char *const *) self->mentions, "all");
}

/* Takes over an edit or a recall (the body of msg.updated). */
void
tto_message_update_from (TtoMessage *self,
                         TtoMessage *other)
{
  g_return_if_fail (TTO_IS_MESSAGE (self));
  g_return_if_fail (TTO_IS_MESSAGE (other));

  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (self->text, other->text) != 0)
    {
      tto_str_wipe_free (self->text);
      self->text = g_strdup (other->text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
    }
  if (self->edited_at != other->edited_at)
    {
      self->edited_at = other->edited_at;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EDITED_AT]);
    }
  if (self->recalled != other->recalled)
    {
      self->recalled = other->recalled;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECALLED]);
    }
  if (tto_set_str (&self->recalled_by, other->recalled_by))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECALLED_BY]);
  /* A move to another topic arrives as an update too. */
  tto_message_set_topic_id (self, other->topic_id);
  if (other->recalled)
    {
      tto_message_set_reply_to (self, NULL, 0, NULL, NULL, NULL, FALSE);
      g_clear_pointer (&self->mentions, g_strfreev);
      tto_message_set_attachment (self, NULL);
      clear_system_event (self);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/* The first line of @text, at most TTO_PROTOCOL_EXCERPT_CHARS characters. */
char *
tto_message_make_excerpt (const char *text)
{
  const char *end;
  glong chars;

  g_return_val_if_fail (text != NULL, NULL);

  while (*text == '\n' || *text == '\r')
    text++;
  end = strpbrk (text, "\r\n");
  if (end == NULL)
    end = text + strlen (text);

  chars = g_utf8_strlen (text, end - text);
  if (chars > TTO_PROTOCOL_EXCERPT_CHARS)
    {
      g_autofree char *cut = g_utf8_substring (text, 0, TTO_PROTOCOL_EXCERPT_CHARS - 1);

      return g_strconcat (cut, "…", NULL);
    }

  return g_strndup (text, end - text);
}

/* The relay's side of msg.edit. The old text is wiped. */
void
tto_message_edit (TtoMessage *self,
                  const char *text,
                  gint64 edited_at)
{
  g_return_if_fail (TTO_IS_MESSAGE (self));
  g_return_if_fail (text != NULL);

  tto_str_wipe_free (self->text);
  self->text = g_strdup (text);
  self->edited_at = edited_at;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EDITED_AT]);
}

/* The relay's side of msg.recall: nothing of the content stays. */
void
tto_message_recall (TtoMessage *self,
                    const char *recalled_by)
{
  g_return_if_fail (TTO_IS_MESSAGE (self));

  tto_str_wipe_free (self->text);
  self->text = g_strdup ("");
  self->recalled = TRUE;
  tto_set_str (&self->recalled_by, recalled_by);
  tto_message_set_reply_to (self, NULL, 0, NULL, NULL, NULL, FALSE);
  g_clear_pointer (&self->mentions, g_strfreev);
  tto_message_set_attachment (self, NULL);
  clear_system_event (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECALLED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECALLED_BY]);
}

/* The quoted message was recalled: its excerpt must go too. */
void
tto_message_mark_reply_recalled (TtoMessage *self)
{
  g_return_if_fail (TTO_IS_MESSAGE (self));

  if (self->reply_msg_id == NULL)
    return;

  tto_str_wipe_free (self->reply_excerpt);
  self->reply_excerpt = g_strdup ("");
  self->reply_recalled = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPLY_TO_EXCERPT]);
}

/* The attachment object of PROTOCOL.md, or NULL for a text message. */
JsonObject *
tto_message_get_attachment (TtoMessage *self)
{
  g_return_val_if_fail (TTO_IS_MESSAGE (self), NULL);

  return self->attachment;
}

/* Keeps a copy of @attachment (may be NULL). */
void
tto_message_set_attachment (TtoMessage *self,
                            JsonObject *attachment)
{
  g_return_if_fail (TTO_IS_MESSAGE (self));

  if (self->attachment == attachment)
    return;

  g_clear_pointer (&self->attachment, json_object_unref);
  if (attachment != NULL)
    self->attachment = tto_json_object_deep_copy (attachment);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_ATTACHMENT]);
}

const char *
tto_message_get_attachment_string (TtoMessage *self,
                                   const char *field)
{
  g_return_val_if_fail (TTO_IS_MESSAGE (self), NULL);

  if (self->attachment == NULL)
    return NULL;

  return json_object_get_string_member_with_default (self->attachment, field, NULL);
}

gint64
tto_message_get_attachment_int (TtoMessage *self,
                                const char *field)
{
  g_return_val_if_fail (TTO_IS_MESSAGE (self), 0);

  if (self->attachment == NULL)
    return 0;

  return json_object_get_int_member_with_default (self->attachment, field, 0);
}

gboolean
tto_message_get_system (TtoMessage *self)
{
  g_return_val_if_fail (TTO_IS_MESSAGE (self), FALSE);

  return self->system;
}

void
tto_message_set_system (TtoMessage *self,
                        gboolean system)
{
  g_return_if_fail (TTO_IS_MESSAGE (self));

  if (self->system == !!system)
    return;

  self->system = !!system;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYSTEM]);
}

JsonObject *
tto_message_get_system_event (TtoMessage *self)
{
  g_return_val_if_fail (TTO_IS_MESSAGE (self), NULL);

  return self->system_event;
}

/* Keeps a copy of @system_event (may be NULL); notifies "text", since
 * clients show the line made from it. */
void
tto_message_set_system_event (TtoMessage *self,
                              JsonObject *system_event)
{
  g_return_if_fail (TTO_IS_MESSAGE (self));

  if (self->system_event == system_event)
    return;

  clear_system_event (self);
  if (system_event != NULL)
    self->system_event = tto_json_object_deep_copy (system_event);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

const char *
tto_message_get_topic_id (TtoMessage *self)
{
  g_return_val_if_fail (TTO_IS_MESSAGE (self), TTO_TOPIC_MAIN);

  return self->topic_id != NULL ? self->topic_id : TTO_TOPIC_MAIN;
}

/* NULL, "" or "main" put the message in the main topic. */
void
tto_message_set_topic_id (TtoMessage *self,
                          const char *topic_id)
{
  g_return_if_fail (TTO_IS_MESSAGE (self));

  if (g_strcmp0 (topic_id, TTO_TOPIC_MAIN) == 0 || (topic_id != NULL && topic_id[0] == '\0'))
    topic_id = NULL;
  if (tto_set_str (&self->topic_id, topic_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOPIC_ID]);
}
