/* tto-topic.c: one topic of an event's topic tree
 *
 * A topic is metadata (title, where it branched off, who started it); its
 * messages are the event's messages carrying its id. The relay's counts are
 * kept as they came; the counts shown (messages, unread) are the tree's,
 * which adds what arrived since (see tto-topic-tree.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <glib/gi18n.h>

#include "tto-shared.h"

#include "tto-topic.h"

struct _TtoTopic
{
  GObject parent_instance;

  char *id;
  char *parent_id;
  char *title;
  char *from_msg_id;
  char *created_by;
  gint64 created_at;
  guint relay_message_count;
  gint64 last_seq;
  guint message_count;
  guint unread_count;
  GListStore *children; /* TtoTopic, in the order the relay lists them */
};

G_DEFINE_FINAL_TYPE (TtoTopic, tto_topic, G_TYPE_OBJECT)
G_DEFINE_QUARK (tto-topic-error-quark, tto_topic_error)

enum
{
  PROP_0,
  PROP_ID,
  PROP_PARENT_ID,
  PROP_TITLE,
  PROP_DISPLAY_TITLE,
  PROP_FROM_MSG_ID,
  PROP_MESSAGE_COUNT,
  PROP_UNREAD_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tto_topic_dispose (GObject *object)
{
  TtoTopic *self = (TtoTopic *) object;

  if (self->children != NULL)
    g_list_store_remove_all (self->children);

  G_OBJECT_CLASS (tto_topic_parent_class)->dispose (object);
}

static void
tto_topic_finalize (GObject *object)
{
  TtoTopic *self = (TtoTopic *) object;

  g_clear_object (&self->children);
  g_free (self->id);
  g_free (self->parent_id);
  g_free (self->title);
  g_free (self->from_msg_id);
  g_free (self->created_by);

  G_OBJECT_CLASS (tto_topic_parent_class)->finalize (object);
}

static void
tto_topic_get_property (GObject *object,
                        guint prop_id,
                        GValue *value,
                        GParamSpec *pspec)
{
  TtoTopic *self = TTO_TOPIC (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_PARENT_ID:
      g_value_set_string (value, self->parent_id);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_DISPLAY_TITLE:
      g_value_take_string (value, tto_topic_dup_display_title (self));
      break;
    case PROP_FROM_MSG_ID:
      g_value_set_string (value, self->from_msg_id);
      break;
    case PROP_MESSAGE_COUNT:
      g_value_set_uint (value, self->message_count);
      break;
    case PROP_UNREAD_COUNT:
      g_value_set_uint (value, self->unread_count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_topic_set_property (GObject *object,
                        guint prop_id,
                        const GValue *value,
                        GParamSpec *pspec)
{
  TtoTopic *self = TTO_TOPIC (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_topic_class_init (TtoTopicClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = tto_topic_dispose;
  object_class->finalize = tto_topic_finalize;
  object_class->get_property = tto_topic_get_property;
  object_class->set_property = tto_topic_set_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL,
                                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                               G_PARAM_STATIC_STRINGS);
  properties[PROP_PARENT_ID] = g_param_spec_string ("parent-id", NULL, NULL, NULL, ro);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, ro);
  /* The title as shown: the main topic's in the user's language. */
  properties[PROP_DISPLAY_TITLE] = g_param_spec_string ("display-title", NULL, NULL, NULL, ro);
  properties[PROP_FROM_MSG_ID] = g_param_spec_string ("from-msg-id", NULL, NULL, NULL, ro);
  properties[PROP_MESSAGE_COUNT] = g_param_spec_uint ("message-count", NULL, NULL, 0, G_MAXUINT,
                                                      0, ro);
  properties[PROP_UNREAD_COUNT] = g_param_spec_uint ("unread-count", NULL, NULL, 0, G_MAXUINT, 0,
                                                     ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tto_topic_init (TtoTopic *self)
{
  self->children = g_list_store_new (TTO_TYPE_TOPIC);
}

TtoTopic *
tto_topic_new (const char *id)
{
  g_return_val_if_fail (id != NULL && *id != '\0', NULL);

  return g_object_new (TTO_TYPE_TOPIC, "id", id, NULL);
}

static const char *
get_string (JsonObject *object,
            const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* A topic object needs at least an id and a title; the rest may be absent. */
gboolean
tto_topic_validate_json (JsonObject *object,
                         GError **error)
{
  const char *id;
  const char *title;

  g_return_val_if_fail (object != NULL, FALSE);

  id = get_string (object, "id");
  title = get_string (object, "title");
  if (id == NULL || *id == '\0' || strlen (id) > 64)
    {
      g_set_error_literal (error, TTO_TOPIC_ERROR, TTO_TOPIC_ERROR_INVALID,
                           "A topic has no id");
      return FALSE;
    }
  if (title == NULL)
    {
      g_set_error_literal (error, TTO_TOPIC_ERROR, TTO_TOPIC_ERROR_INVALID,
                           "A topic has no title");
      return FALSE;
    }
  return TRUE;
}

/* Takes the fields of a validated topic object (its id must be ours). */
void
tto_topic_update_from_json (TtoTopic *self,
                            JsonObject *object)
{
  const char *parent_id;
  gint64 count;

  g_return_if_fail (TTO_IS_TOPIC (self));
  g_return_if_fail (object != NULL);
  g_return_if_fail (g_strcmp0 (get_string (object, "id"), self->id) == 0);

  g_object_freeze_notify (G_OBJECT (self));
  /* The main topic is the root whatever the object says. */
  parent_id = tto_topic_is_main (self) ? NULL : get_string (object, "parent_id");
  if (parent_id == NULL && !tto_topic_is_main (self))
    parent_id = TTO_TOPIC_MAIN;
  if (tto_set_str (&self->parent_id, parent_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARENT_ID]);
  if (tto_set_str (&self->title, get_string (object, "title")))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_TITLE]);
    }
  if (tto_set_str (&self->from_msg_id, get_string (object, "from_msg_id")))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FROM_MSG_ID]);
  tto_set_str (&self->created_by, get_string (object, "created_by"));
  self->created_at = json_object_get_int_member_with_default (object, "created_at", 0);
  count = json_object_get_int_member_with_default (object, "message_count", 0);
  self->relay_message_count = (guint) CLAMP (count, 0, G_MAXUINT);
  self->last_seq = MAX (0, json_object_get_int_member_with_default (object, "last_seq", 0));
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
tto_topic_get_id (TtoTopic *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC (self), NULL);

  return self->id;
}

gboolean
tto_topic_is_main (TtoTopic *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC (self), FALSE);

  return g_strcmp0 (self->id, TTO_TOPIC_MAIN) == 0;
}

/* NULL for the main topic. */
const char *
tto_topic_get_parent_id (TtoTopic *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC (self), NULL);

  return self->parent_id;
}

const char *
tto_topic_get_title (TtoTopic *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC (self), NULL);

  return self->title;
}

/* The relay names the main topic in no particular language: show ours. */
char *
tto_topic_dup_display_title (TtoTopic *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC (self), NULL);

  if (tto_topic_is_main (self))
    return g_strdup (_("Main topic"));
  return g_strdup (self->title != NULL ? self->title : "");
}

const char *
tto_topic_get_from_msg_id (TtoTopic *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC (self), NULL);

  return self->from_msg_id;
}

const char *
tto_topic_get_created_by (TtoTopic *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC (self), NULL);

  return self->created_by;
}

gint64
tto_topic_get_created_at (TtoTopic *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC (self), 0);

  return self->created_at;
}

/* How many messages the relay counted when it last sent this topic. */
guint
tto_topic_get_relay_message_count (TtoTopic *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC (self), 0);

  return self->relay_message_count;
}

/* The seq of the newest message the relay counted (0 when none). */
gint64
tto_topic_get_last_seq (TtoTopic *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC (self), 0);

  return self->last_seq;
}

guint
tto_topic_get_message_count (TtoTopic *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC (self), 0);

  return self->message_count;
}

void
tto_topic_set_message_count (TtoTopic *self,
                             guint count)
{
  g_return_if_fail (TTO_IS_TOPIC (self));

  if (self->message_count == count)
    return;
  self->message_count = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE_COUNT]);
}

guint
tto_topic_get_unread_count (TtoTopic *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC (self), 0);

  return self->unread_count;
}

void
tto_topic_set_unread_count (TtoTopic *self,
                            guint count)
{
  g_return_if_fail (TTO_IS_TOPIC (self));

  if (self->unread_count == count)
    return;
  self->unread_count = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD_COUNT]);
}

/* The sub-topics (TtoTopic); the tree keeps them up to date. */
GListModel *
tto_topic_get_children (TtoTopic *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC (self), NULL);

  return G_LIST_MODEL (self->children);
}

GListStore *
tto_topic_get_children_store (TtoTopic *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC (self), NULL);

  return self->children;
}
