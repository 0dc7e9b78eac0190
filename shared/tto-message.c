/* tto-message.c: one chat message
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
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
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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
