/* tto-topic-proposal.c: a sub-topic the relay suggests
 *
 * The relay notices a chain of replies or a #tag repeated in one topic and
 * proposes to move those messages into a sub-topic of their own; only the
 * creator and topic_manage holders receive proposals, and they accept or
 * dismiss them. The suggested title of a reply chain is the client's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-shared.h"
#include "tto-topic.h"

#include "tto-topic-proposal.h"

struct _TtoTopicProposal
{
  GObject parent_instance;

  char *id;
  char *kind;
  char *tag;
  char *parent_id;
  char *title;
  GStrv msg_ids;
};

G_DEFINE_FINAL_TYPE (TtoTopicProposal, tto_topic_proposal, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SUMMARY,
  PROP_N_MESSAGES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tto_topic_proposal_finalize (GObject *object)
{
  TtoTopicProposal *self = (TtoTopicProposal *) object;

  g_free (self->id);
  g_free (self->kind);
  g_free (self->tag);
  g_free (self->parent_id);
  g_free (self->title);
  g_strfreev (self->msg_ids);

  G_OBJECT_CLASS (tto_topic_proposal_parent_class)->finalize (object);
}

static void
tto_topic_proposal_get_property (GObject *object,
                                 guint prop_id,
                                 GValue *value,
                                 GParamSpec *pspec)
{
  TtoTopicProposal *self = TTO_TOPIC_PROPOSAL (object);

  switch (prop_id)
    {
    case PROP_SUMMARY:
      g_value_take_string (value, tto_topic_proposal_dup_summary (self));
      break;
    case PROP_N_MESSAGES:
      g_value_set_uint (value, tto_topic_proposal_get_n_messages (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_topic_proposal_class_init (TtoTopicProposalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = tto_topic_proposal_finalize;
  object_class->get_property = tto_topic_proposal_get_property;

  properties[PROP_SUMMARY] = g_param_spec_string ("summary", NULL, NULL, NULL, ro);
  properties[PROP_N_MESSAGES] = g_param_spec_uint ("n-messages", NULL, NULL, 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tto_topic_proposal_init (TtoTopicProposal *self)
{
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

TtoTopicProposal *
tto_topic_proposal_new_from_json (JsonObject *object,
                                  GError **error)
{
  g_autoptr (TtoTopicProposal) self = NULL;
  g_autoptr (GStrvBuilder) ids = g_strv_builder_new ();
  JsonNode *node;
  const char *id;
  const char *kind;

  g_return_val_if_fail (object != NULL, NULL);

  id = get_string (object, "id");
  kind = get_string (object, "kind");
  node = json_object_get_member (object, "msg_ids");
  if (id == NULL || *id == '\0' || kind == NULL || node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error_literal (error, TTO_TOPIC_ERROR, TTO_TOPIC_ERROR_INVALID,
                           "A proposal needs an id, a kind and msg_ids");
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (node), i);

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
        g_strv_builder_add (ids, json_node_get_string (element));
    }

  self = g_object_new (TTO_TYPE_TOPIC_PROPOSAL, NULL);
  self->id = g_strdup (id);
  self->kind = g_strdup (kind);
  self->tag = g_strdup (get_string (object, "tag"));
  self->parent_id = g_strdup (get_string (object, "parent_id"));
  if (self->parent_id == NULL)
    self->parent_id = g_strdup (TTO_TOPIC_MAIN);
  self->title = g_strdup (get_string (object, "title"));
  self->msg_ids = g_strv_builder_end (ids);
  return g_steal_pointer (&self);
}

/* A pending proposal grows (later replies in the chain join it). */
void
tto_topic_proposal_update_from (TtoTopicProposal *self,
                                TtoTopicProposal *other)
{
  g_return_if_fail (TTO_IS_TOPIC_PROPOSAL (self));
  g_return_if_fail (TTO_IS_TOPIC_PROPOSAL (other));

  tto_set_str (&self->kind, other->kind);
  tto_set_str (&self->tag, other->tag);
  tto_set_str (&self->parent_id, other->parent_id);
  tto_set_str (&self->title, other->title);
  g_strfreev (self->msg_ids);
  self->msg_ids = g_strdupv (other->msg_ids);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_MESSAGES]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
}

const char *
tto_topic_proposal_get_id (TtoTopicProposal *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_PROPOSAL (self), NULL);

  return self->id;
}

const char *
tto_topic_proposal_get_kind (TtoTopicProposal *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_PROPOSAL (self), NULL);

  return self->kind;
}

/* "#budget" for a tag proposal, NULL for a reply chain. */
const char *
tto_topic_proposal_get_tag (TtoTopicProposal *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_PROPOSAL (self), NULL);

  return self->tag;
}

const char *
tto_topic_proposal_get_parent_id (TtoTopicProposal *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_PROPOSAL (self), NULL);

  return self->parent_id;
}

const char *const *
tto_topic_proposal_get_msg_ids (TtoTopicProposal *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_PROPOSAL (self), NULL);

  return (const char *const *) self->msg_ids;
}

guint
tto_topic_proposal_get_n_messages (TtoTopicProposal *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_PROPOSAL (self), 0);

  return self->msg_ids != NULL ? g_strv_length (self->msg_ids) : 0;
}

/* What the card says, e.g. "3 replies became a thread — make it a sub-topic?". */
char *
tto_topic_proposal_dup_summary (TtoTopicProposal *self)
{
  guint n;

  g_return_val_if_fail (TTO_IS_TOPIC_PROPOSAL (self), NULL);

  n = tto_topic_proposal_get_n_messages (self);
  if (g_strcmp0 (self->kind, TTO_TOPIC_PROPOSAL_TAG) == 0 && self->tag != NULL)
    /* Translators: %s is a hashtag such as #budget, %u how many messages carry it. */
    return g_strdup_printf (g_dngettext (NULL, "%s appeared %u time — make it a sub-topic?",
                                         "%s appeared %u times — make it a sub-topic?", n),
                            self->tag, n);

  /* The chain's first message is not a reply; the others are. */
  n = n > 0 ? n - 1 : 0;
  return g_strdup_printf (g_dngettext (NULL, "%u reply became a thread — make it a sub-topic?",
                                       "%u replies became a thread — make it a sub-topic?", n),
                          n);
}

/* The title the accept form starts with. */
char *
tto_topic_proposal_dup_suggested_title (TtoTopicProposal *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_PROPOSAL (self), NULL);

  if (g_strcmp0 (self->kind, TTO_TOPIC_PROPOSAL_REPLY_CHAIN) == 0)
    return g_strdup (_("Reply thread"));
  if (self->title != NULL && *self->title != '\0')
    return g_strdup (self->title);
  return g_strdup (self->tag != NULL ? self->tag : "");
}
