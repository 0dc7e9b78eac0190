/* tto-topic-tree.c: one event's topics, proposals and unread counts
 *
 * The relay sends the whole tree (topic.list, topic.updated); this object
 * keeps one TtoTopic per id across updates, so a view bound to it keeps its
 * rows, their expanded state and the selection. The roots model holds the
 * main topic; each topic's children store holds its sub-topics, ready for a
 * GtkTreeListModel.
 *
 * Counts shown are computed here from the messages this client holds: a
 * topic's message count is the relay's plus what arrived after the relay
 * counted, its unread count the messages of others after this client's
 * read position in that topic. The relay keeps one read position per event
 * and member; reading one topic must not mark the others read, so the
 * positions per topic live here, in memory, starting from the event's
 * position when the tree was first loaded (a new topic starts from its
 * parent's).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <glib/gi18n.h>

#include "tto-topic-tree.h"

struct _TtoTopicTree
{
  GObject parent_instance;

  TtoConnection *connection;
  char *event_id;
  GListStore *roots;      /* TtoTopic: the main topic */
  GHashTable *topics;     /* id → TtoTopic */
  GListStore *proposals;  /* TtoTopicProposal, oldest first */
  GHashTable *reads;      /* topic id → gint64 * seq read up to */
  gint64 read_base;
  gboolean based;         /* read_base came from the first topic.list */
  gboolean loaded;
  GListModel *messages;   /* TtoMessage, the session's store */
  guint recount_source;
  char *current;
};

G_DEFINE_FINAL_TYPE (TtoTopicTree, tto_topic_tree, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_CURRENT,
  PROP_LOADED,
  N_PROPS
};

enum
{
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void on_messages_changed (GListModel *model,
                                 guint position,
                                 guint removed,
                                 guint added,
                                 TtoTopicTree *self);

static void
tto_topic_tree_dispose (GObject *object)
{
  TtoTopicTree *self = (TtoTopicTree *) object;

  g_clear_handle_id (&self->recount_source, g_source_remove);
  if (self->messages != NULL)
    g_signal_handlers_disconnect_by_func (self->messages, on_messages_changed, self);
  g_clear_object (&self->messages);
  g_clear_object (&self->connection);
  if (self->roots != NULL)
    g_list_store_remove_all (self->roots);
  if (self->proposals != NULL)
    g_list_store_remove_all (self->proposals);
  if (self->topics != NULL)
    g_hash_table_remove_all (self->topics);

  G_OBJECT_CLASS (tto_topic_tree_parent_class)->dispose (object);
}

static void
tto_topic_tree_finalize (GObject *object)
{
  TtoTopicTree *self = (TtoTopicTree *) object;

  g_clear_object (&self->roots);
  g_clear_object (&self->proposals);
  g_clear_pointer (&self->topics, g_hash_table_unref);
  g_clear_pointer (&self->reads, g_hash_table_unref);
  g_free (self->event_id);
  g_free (self->current);

  G_OBJECT_CLASS (tto_topic_tree_parent_class)->finalize (object);
}

static void
tto_topic_tree_get_property (GObject *object,
                             guint prop_id,
                             GValue *value,
                             GParamSpec *pspec)
{
  TtoTopicTree *self = TTO_TOPIC_TREE (object);

  switch (prop_id)
    {
    case PROP_CURRENT:
      g_value_set_string (value, self->current);
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_topic_tree_class_init (TtoTopicTreeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = tto_topic_tree_dispose;
  object_class->finalize = tto_topic_tree_finalize;
  object_class->get_property = tto_topic_tree_get_property;

  properties[PROP_CURRENT] = g_param_spec_string ("current", NULL, NULL, TTO_TOPIC_MAIN, ro);
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Topics came, went or moved, or messages changed topic: whatever shows
   * the messages of one topic filters again. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
tto_topic_tree_init (TtoTopicTree *self)
{
  g_autoptr (TtoTopic) main_topic = tto_topic_new (TTO_TOPIC_MAIN);
  g_autoptr (JsonObject) object = json_object_new ();

  self->roots = g_list_store_new (TTO_TYPE_TOPIC);
  self->proposals = g_list_store_new (TTO_TYPE_TOPIC_PROPOSAL);
  self->topics = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  self->reads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->current = g_strdup (TTO_TOPIC_MAIN);

  /* Every event has its main topic, before the relay says more. */
  json_object_set_string_member (object, "id", TTO_TOPIC_MAIN);
  json_object_set_string_member (object, "title", "");
  tto_topic_update_from_json (main_topic, object);
  g_hash_table_insert (self->topics, (gpointer) tto_topic_get_id (main_topic),
                       g_object_ref (main_topic));
  g_list_store_append (self->roots, main_topic);
}

TtoTopicTree *
tto_topic_tree_new (TtoConnection *connection,
                    const char *event_id)
{
  TtoTopicTree *self;

  g_return_val_if_fail (connection == NULL || TTO_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (event_id != NULL, NULL);

  self = g_object_new (TTO_TYPE_TOPIC_TREE, NULL);
  self->connection = connection != NULL ? g_object_ref (connection) : NULL;
  self->event_id = g_strdup (event_id);
  return self;
}

const char *
tto_topic_tree_get_event_id (TtoTopicTree *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_TREE (self), NULL);

  return self->event_id;
}

/* TRUE once the relay sent the tree (an older relay never does). */
gboolean
tto_topic_tree_get_loaded (TtoTopicTree *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_TREE (self), FALSE);

  return self->loaded;
}

/* Models */

GListModel *
tto_topic_tree_get_roots (TtoTopicTree *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_TREE (self), NULL);

  return G_LIST_MODEL (self->roots);
}

/* A leaf has no child model, so its row shows no expander; the tree puts a
 * topic in its parent again when it gains or loses its first child. */
static GListModel *
create_child_model (gpointer item,
                    gpointer user_data)
{
  GListModel *children = tto_topic_get_children (item);

  if (g_list_model_get_n_items (children) == 0)
    return NULL;
  return g_object_ref (children);
}

/* The tree for a GtkListView: every topic starts expanded. */
GtkTreeListModel *
tto_topic_tree_create_tree_model (TtoTopicTree *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_TREE (self), NULL);

  return gtk_tree_list_model_new (g_object_ref (G_LIST_MODEL (self->roots)), FALSE, TRUE,
                                  create_child_model, NULL, NULL);
}

/* Pending proposals (TtoTopicProposal); empty for members who cannot decide. */
GListModel *
tto_topic_tree_get_proposals (TtoTopicTree *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_TREE (self), NULL);

  return G_LIST_MODEL (self->proposals);
}

TtoTopic *
tto_topic_tree_lookup (TtoTopicTree *self,
                       const char *topic_id)
{
  g_return_val_if_fail (TTO_IS_TOPIC_TREE (self), NULL);

  if (topic_id == NULL)
    return NULL;
  return g_hash_table_lookup (self->topics, topic_id);
}

static gboolean
find_proposal (TtoTopicTree *self,
               const char *proposal_id,
               guint *out_position)
{
  GListModel *model = G_LIST_MODEL (self->proposals);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (TtoTopicProposal) proposal = g_list_model_get_item (model, i);

      if (g_strcmp0 (tto_topic_proposal_get_id (proposal), proposal_id) == 0)
        {
          if (out_position != NULL)
            *out_position = i;
          return TRUE;
        }
    }
  return FALSE;
}

TtoTopicProposal *
tto_topic_tree_lookup_proposal (TtoTopicTree *self,
                                const char *proposal_id)
{
  guint position;
  TtoTopicProposal *proposal;

  g_return_val_if_fail (TTO_IS_TOPIC_TREE (self), NULL);

  if (proposal_id == NULL || !find_proposal (self, proposal_id, &position))
    return NULL;
  proposal = g_list_model_get_item (G_LIST_MODEL (self->proposals), position);
  g_object_unref (proposal); /* the store keeps it */
  return proposal;
}

guint
tto_topic_tree_get_n_topics (TtoTopicTree *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_TREE (self), 0);

  return g_hash_table_size (self->topics);
}

/* "Main topic › Budget › Venue". */
char *
tto_topic_tree_dup_path (TtoTopicTree *self,
                         const char *topic_id)
{
  g_autoptr (GPtrArray) titles = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) path = g_string_new (NULL);
  TtoTopic *topic;

  g_return_val_if_fail (TTO_IS_TOPIC_TREE (self), NULL);

  topic = tto_topic_tree_lookup (self, topic_id);
  /* The relay limits the tree's size; the bound also stops a loop. */
  for (guint depth = 0; topic != NULL && depth <= g_hash_table_size (self->topics); depth++)
    {
      g_ptr_array_insert (titles, 0, tto_topic_dup_display_title (topic));
      topic = tto_topic_tree_lookup (self, tto_topic_get_parent_id (topic));
    }
  for (guint i = 0; i < titles->len; i++)
    {
      if (i > 0)
        g_string_append (path, " › ");
      g_string_append (path, g_ptr_array_index (titles, i));
    }
  return g_string_free (g_steal_pointer (&path), FALSE);
}

/* What the relay sends */

static gint64
read_position (TtoTopicTree *self,
               const char *topic_id)
{
  gint64 *seq = g_hash_table_lookup (self->reads, topic_id);

  return seq != NULL ? *seq : self->read_base;
}

static void
set_read_position (TtoTopicTree *self,
                   const char *topic_id,
                   gint64 seq)
{
  g_hash_table_insert (self->reads, g_strdup (topic_id), g_memdup2 (&seq, sizeof seq));
}

/* Where @topic hangs: its parent if that exists and is no descendant of it. */
static TtoTopic *
effective_parent (TtoTopicTree *self,
                  TtoTopic *topic)
{
  TtoTopic *parent;
  TtoTopic *up;
  guint n = g_hash_table_size (self->topics);

  if (tto_topic_is_main (topic))
    return NULL;
  parent = tto_topic_tree_lookup (self, tto_topic_get_parent_id (topic));
  if (parent == NULL)
    return tto_topic_tree_lookup (self, TTO_TOPIC_MAIN);
  up = parent;
  for (guint depth = 0; up != NULL && depth <= n; depth++)
    {
      if (up == topic)
        return tto_topic_tree_lookup (self, TTO_TOPIC_MAIN); /* a loop */
      if (tto_topic_is_main (up))
        return parent;
      up = tto_topic_tree_lookup (self, tto_topic_get_parent_id (up));
    }
  return tto_topic_tree_lookup (self, TTO_TOPIC_MAIN);
}

static GListStore *
store_holding (TtoTopicTree *self,
               TtoTopic *topic)
{
  TtoTopic *parent = effective_parent (self, topic);

  return parent != NULL ? tto_topic_get_children_store (parent) : self->roots;
}

static gboolean
same_items (GListModel *model,
            GPtrArray *items)
{
  if (g_list_model_get_n_items (model) != items->len)
    return FALSE;
  for (guint i = 0; i < items->len; i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (model, i);

      if (item != g_ptr_array_index (items, i))
        return FALSE;
    }
  return TRUE;
}

/* Puts @topic into its store again, so a tree model asks anew whether it
 * has children. */
static void
reinsert (TtoTopicTree *self,
          TtoTopic *topic)
{
  GListStore *store = store_holding (self, topic);
  guint position;

  if (g_list_store_find (store, topic, &position))
    g_list_store_splice (store, position, 1, (gpointer *) &topic, 1);
}

static gboolean
check_topics (JsonArray *topics,
              GError **error)
{
  for (guint i = 0; i < json_array_get_length (topics); i++)
    {
      JsonNode *node = json_array_get_element (topics, i);

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, TTO_TOPIC_ERROR, TTO_TOPIC_ERROR_INVALID,
                       "topics[%u] is not an object", i);
          return FALSE;
        }
      if (!tto_topic_validate_json (json_node_get_object (node), error))
        return FALSE;
    }
  return TRUE;
}

/* Makes the tree what @topics says (the relay's whole list, tree order).
 * Nothing changes if an entry is malformed. */
gboolean
tto_topic_tree_apply_topics (TtoTopicTree *self,
                             JsonArray *topics,
                             GError **error)
{
  g_autoptr (GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) old_parents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                              g_free);
  g_autoptr (GHashTable) children = g_hash_table_new_full (NULL, NULL, NULL,
                                                           (GDestroyNotify) g_ptr_array_unref);
  g_autoptr (GPtrArray) order = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) added = g_ptr_array_new ();
  g_autoptr (GHashTable) had_children = g_hash_table_new (NULL, NULL);
  g_autoptr (GPtrArray) all = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (TTO_IS_TOPIC_TREE (self), FALSE);
  g_return_val_if_fail (topics != NULL, FALSE);

  if (!check_topics (topics, error))
    return FALSE;

  g_hash_table_iter_init (&iter, self->topics);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_hash_table_insert (old_parents, g_strdup (key),
                           g_strdup (tto_topic_get_parent_id (value)));
      if (g_list_model_get_n_items (tto_topic_get_children (value)) > 0)
        g_hash_table_add (had_children, value);
    }

  /* Update or create every listed topic. */
  for (guint i = 0; i < json_array_get_length (topics); i++)
    {
      JsonObject *object = json_array_get_object_element (topics, i);
      const char *id = json_object_get_string_member (object, "id");
      TtoTopic *topic = tto_topic_tree_lookup (self, id);

      if (g_hash_table_contains (listed, id))
        continue; /* listed twice: the first wins */
      if (topic == NULL)
        {
          topic = tto_topic_new (id);
          g_hash_table_insert (self->topics, (gpointer) tto_topic_get_id (topic), topic);
          g_ptr_array_add (added, topic);
        }
      tto_topic_update_from_json (topic, object);
      g_hash_table_add (listed, (gpointer) tto_topic_get_id (topic));
      g_ptr_array_add (order, g_object_ref (topic));
    }

  /* Forget the topics no longer listed (never the main topic); the stores
   * holding them are rebuilt below. */
  all = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->topics);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (all, value);
  for (guint i = 0; i < all->len; i++)
    {
      TtoTopic *topic = g_ptr_array_index (all, i);

      if (!tto_topic_is_main (topic) && !g_hash_table_contains (listed, tto_topic_get_id (topic)))
        {
          g_autoptr (TtoTopic) gone = g_object_ref (topic);

          g_hash_table_remove (self->topics, tto_topic_get_id (gone));
          g_hash_table_remove (self->reads, tto_topic_get_id (gone));
          g_list_store_remove_all (tto_topic_get_children_store (gone));
        }
    }
  if (!g_hash_table_contains (listed, TTO_TOPIC_MAIN))
    g_ptr_array_insert (order, 0, g_object_ref (tto_topic_tree_lookup (self, TTO_TOPIC_MAIN)));

  /* New topics start where their parent's reading stands. */
  for (guint i = 0; i < added->len && self->loaded; i++)
    {
      TtoTopic *topic = g_ptr_array_index (added, i);
      TtoTopic *parent = effective_parent (self, topic);

      set_read_position (self, tto_topic_get_id (topic),
                         read_position (self, parent != NULL ? tto_topic_get_id (parent)
                                                             : TTO_TOPIC_MAIN));
    }

  /* Every parent's children, in the relay's order. */
  for (guint i = 0; i < order->len; i++)
    {
      TtoTopic *topic = g_ptr_array_index (order, i);
      TtoTopic *parent = effective_parent (self, topic);
      GPtrArray *list;

      if (parent == NULL)
        continue;
      list = g_hash_table_lookup (children, parent);
      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (children, parent, list);
        }
      g_ptr_array_add (list, topic);
    }
  /* Deepest first: a topic enters its parent with its own children set, so
   * a tree model sees at once whether it can expand. */
  for (guint i = order->len; i-- > 0;)
    {
      TtoTopic *topic = g_ptr_array_index (order, i);
      GListStore *store = tto_topic_get_children_store (topic);
      GPtrArray *list = g_hash_table_lookup (children, topic);
      g_autoptr (GPtrArray) none = g_ptr_array_new ();

      if (list == NULL)
        list = none;
      if (!same_items (G_LIST_MODEL (store), list))
        g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)),
                             list->pdata, list->len);
    }
  for (guint i = 0; i < order->len; i++)
    {
      TtoTopic *topic = g_ptr_array_index (order, i);
      gboolean has = g_list_model_get_n_items (tto_topic_get_children (topic)) > 0;

      if (has != g_hash_table_contains (had_children, topic) &&
          !g_ptr_array_find (added, topic, NULL))
        reinsert (self, topic);
    }

  /* The topic shown went away: its messages went to the nearest ancestor. */
  if (tto_topic_tree_lookup (self, self->current) == NULL)
    {
      const char *up = g_hash_table_lookup (old_parents, self->current);
      guint n = g_hash_table_size (old_parents);

      for (guint depth = 0; up != NULL && tto_topic_tree_lookup (self, up) == NULL && depth <= n;
           depth++)
        up = g_hash_table_lookup (old_parents, up);
      tto_topic_tree_set_current (self, up != NULL ? up : TTO_TOPIC_MAIN);
    }

  if (!self->loaded)
    {
      self->loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
    }
  tto_topic_tree_recount (self);
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

static void
put_proposal (TtoTopicTree *self,
              JsonObject *object)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoTopicProposal) proposal = tto_topic_proposal_new_from_json (object, &error);
  guint position;

  if (proposal == NULL)
    {
      g_message ("Ignoring a malformed topic proposal: %s", error->message);
      return;
    }
  if (find_proposal (self, tto_topic_proposal_get_id (proposal), &position))
    {
      g_autoptr (TtoTopicProposal) known =
        g_list_model_get_item (G_LIST_MODEL (self->proposals), position);

      tto_topic_proposal_update_from (known, proposal);
      /* Rows showing it bind again. */
      g_list_store_splice (self->proposals, position, 1, (gpointer *) &known, 1);
    }
  else
    g_list_store_append (self->proposals, proposal);
}

static void
drop_proposal (TtoTopicTree *self,
               const char *proposal_id)
{
  guint position;

  if (proposal_id != NULL && find_proposal (self, proposal_id, &position))
    g_list_store_remove (self->proposals, position);
}

/* The answer to topic.list; @read_position is the event's, from which
 * every topic's reading starts. */
gboolean
tto_topic_tree_apply_list (TtoTopicTree *self,
                           JsonObject *body,
                           gint64 read_position,
                           GError **error)
{
  JsonNode *topics;
  JsonNode *proposals;

  g_return_val_if_fail (TTO_IS_TOPIC_TREE (self), FALSE);
  g_return_val_if_fail (body != NULL, FALSE);

  topics = json_object_get_member (body, "topics");
  proposals = json_object_get_member (body, "proposals");
  if (topics == NULL || !JSON_NODE_HOLDS_ARRAY (topics))
    {
      g_set_error_literal (error, TTO_TOPIC_ERROR, TTO_TOPIC_ERROR_INVALID,
                           "topic.list answered without topics");
      return FALSE;
    }
  /* Only once: later the event's position also moves with other topics. */
  if (!self->based)
    {
      self->read_base = MAX (self->read_base, read_position);
      self->based = TRUE;
    }
  if (!tto_topic_tree_apply_topics (self, json_node_get_array (topics), error))
    return FALSE;

  /* The list is the relay's state: proposals decided meanwhile go. */
  g_list_store_remove_all (self->proposals);
  if (proposals != NULL && JSON_NODE_HOLDS_ARRAY (proposals))
    {
      JsonArray *array = json_node_get_array (proposals);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_OBJECT (node))
            put_proposal (self, json_node_get_object (node));
        }
    }
  return TRUE;
}

/* topic.updated, topic.proposed, topic.decided for this event. Returns
 * FALSE for what it does not understand. */
gboolean
tto_topic_tree_handle_push (TtoTopicTree *self,
                            const char *type,
                            JsonObject *body)
{
  g_autoptr (GError) error = NULL;
  JsonNode *node;

  g_return_val_if_fail (TTO_IS_TOPIC_TREE (self), FALSE);
  g_return_val_if_fail (type != NULL, FALSE);
  g_return_val_if_fail (body != NULL, FALSE);

  if (g_strcmp0 (type, TTO_FRAME_TOPIC_UPDATED) == 0)
    {
      node = json_object_get_member (body, "topics");
      if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
        return FALSE;
      if (!tto_topic_tree_apply_topics (self, json_node_get_array (node), &error))
        {
          g_message ("Ignoring a malformed topic tree: %s", error->message);
          return FALSE;
        }
      return TRUE;
    }
  if (g_strcmp0 (type, TTO_FRAME_TOPIC_PROPOSED) == 0)
    {
      node = json_object_get_member (body, "proposal");
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        return FALSE;
      put_proposal (self, json_node_get_object (node));
      return TRUE;
    }
  if (g_strcmp0 (type, TTO_FRAME_TOPIC_DECIDED) == 0)
    {
      drop_proposal (self, json_object_get_string_member_with_default (body, "proposal_id", NULL));
      return TRUE;
    }
  return FALSE;
}

/* Messages and reading */

/* The topic @message belongs to ("main" unless it says otherwise). */
const char *
tto_topic_tree_message_topic (TtoMessage *message)
{
  const char *topic_id;

  g_return_val_if_fail (TTO_IS_MESSAGE (message), TTO_TOPIC_MAIN);

  topic_id = tto_message_get_topic_id (message);
  return topic_id != NULL && *topic_id != '\0' ? topic_id : TTO_TOPIC_MAIN;
}

static gboolean
on_recount_idle (gpointer user_data)
{
  TtoTopicTree *self = user_data;

  self->recount_source = 0;
  tto_topic_tree_recount (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_recount (TtoTopicTree *self)
{
  if (self->recount_source == 0)
    self->recount_source = g_idle_add (on_recount_idle, self);
}

/* One more message of someone: its topic's counts, without a recount. */
static void
count_new (TtoTopicTree *self,
           TtoMessage *message,
           const char *me)
{
  TtoTopic *topic;
  gint64 seq;

  if (tto_message_get_state (message) != TTO_MESSAGE_STATE_SENT)
    return;
  topic = tto_topic_tree_lookup (self, tto_topic_tree_message_topic (message));
  if (topic == NULL)
    return;
  seq = tto_message_get_seq (message);
  if (seq > tto_topic_get_last_seq (topic))
    tto_topic_set_message_count (topic, tto_topic_get_message_count (topic) + 1);
  if (seq > read_position (self, tto_topic_get_id (topic)) &&
      g_strcmp0 (tto_message_get_sender_id (message), me) != 0 &&
      !tto_message_get_recalled (message))
    tto_topic_set_unread_count (topic, tto_topic_get_unread_count (topic) + 1);
}

/* Arrivals count one by one (a resume brings thousands, one insertion
 * each); anything else counts everything again once idle. */
static void
on_messages_changed (GListModel *model,
                     guint position,
                     guint removed,
                     guint added,
                     TtoTopicTree *self)
{
  const char *me;

  if (removed > 0 || self->recount_source != 0)
    {
      schedule_recount (self);
      return;
    }
  me = self->connection != NULL ? tto_connection_get_identity_id (self->connection) : NULL;
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (TtoMessage) message = g_list_model_get_item (model, i);

      count_new (self, message, me);
    }
}

/* The messages the counts come from (the session's list for this event). */
void
tto_topic_tree_set_messages (TtoTopicTree *self,
                             GListModel *messages)
{
  g_return_if_fail (TTO_IS_TOPIC_TREE (self));
  g_return_if_fail (messages == NULL || G_IS_LIST_MODEL (messages));

  if (self->messages == messages)
    return;
  if (self->messages != NULL)
    g_signal_handlers_disconnect_by_func (self->messages, on_messages_changed, self);
  g_set_object (&self->messages, messages);
  if (messages != NULL)
    g_signal_connect (messages, "items-changed", G_CALLBACK (on_messages_changed), self);
  schedule_recount (self);
}

/* @message changed in place (edited, recalled, moved to another topic). */
void
tto_topic_tree_message_changed (TtoTopicTree *self,
                                TtoMessage *message)
{
  g_return_if_fail (TTO_IS_TOPIC_TREE (self));
  g_return_if_fail (TTO_IS_MESSAGE (message));

  schedule_recount (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* The user saw @topic_id's messages up to @seq. */
void
tto_topic_tree_mark_read (TtoTopicTree *self,
                          const char *topic_id,
                          gint64 seq)
{
  g_return_if_fail (TTO_IS_TOPIC_TREE (self));
  g_return_if_fail (topic_id != NULL);

  if (seq <= read_position (self, topic_id))
    return;
  set_read_position (self, topic_id, seq);
  schedule_recount (self);
}

gint64
tto_topic_tree_get_read_position (TtoTopicTree *self,
                                  const char *topic_id)
{
  g_return_val_if_fail (TTO_IS_TOPIC_TREE (self), 0);
  g_return_val_if_fail (topic_id != NULL, 0);

  return read_position (self, topic_id);
}

typedef struct
{
  guint newer; /* messages after the relay's last_seq for the topic */
  guint unread;
} Counts;

/* Counts every topic's messages and unread messages now. */
void
tto_topic_tree_recount (TtoTopicTree *self)
{
  g_autoptr (GHashTable) counts = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  const char *me;
  guint n;
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (TTO_IS_TOPIC_TREE (self));

  g_clear_handle_id (&self->recount_source, g_source_remove);
  me = self->connection != NULL ? tto_connection_get_identity_id (self->connection) : NULL;
  n = self->messages != NULL ? g_list_model_get_n_items (self->messages) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TtoMessage) message = g_list_model_get_item (self->messages, i);
      TtoTopic *topic;
      Counts *c;
      gint64 seq;

      if (tto_message_get_state (message) != TTO_MESSAGE_STATE_SENT)
        continue;
      topic = tto_topic_tree_lookup (self, tto_topic_tree_message_topic (message));
      if (topic == NULL)
        continue;
      c = g_hash_table_lookup (counts, topic);
      if (c == NULL)
        {
          c = g_new0 (Counts, 1);
          g_hash_table_insert (counts, topic, c);
        }
      seq = tto_message_get_seq (message);
      if (seq > tto_topic_get_last_seq (topic))
        c->newer++;
      if (seq > read_position (self, tto_topic_get_id (topic)) &&
          g_strcmp0 (tto_message_get_sender_id (message), me) != 0 &&
          !tto_message_get_recalled (message))
        c->unread++;
    }

  g_hash_table_iter_init (&iter, self->topics);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TtoTopic *topic = value;
      Counts *c = g_hash_table_lookup (counts, topic);

      tto_topic_set_message_count (topic, tto_topic_get_relay_message_count (topic) +
                                            (c != NULL ? c->newer : 0));
      tto_topic_set_unread_count (topic, c != NULL ? c->unread : 0);
    }
}

/* The topic the chat shows and sends to */

const char *
tto_topic_tree_get_current (TtoTopicTree *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_TREE (self), TTO_TOPIC_MAIN);

  return self->current;
}

/* Shows @topic_id (an unknown one means the main topic); new messages go
 * there too. */
void
tto_topic_tree_set_current (TtoTopicTree *self,
                            const char *topic_id)
{
  g_return_if_fail (TTO_IS_TOPIC_TREE (self));

  if (topic_id == NULL || tto_topic_tree_lookup (self, topic_id) == NULL)
    topic_id = TTO_TOPIC_MAIN;
  if (self->connection != NULL)
    tto_connection_set_send_topic (self->connection, self->event_id, topic_id);
  if (tto_set_str (&self->current, topic_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT]);
}

/* Whether the chat, showing the current topic, shows @message. */
gboolean
tto_topic_tree_shows (TtoTopicTree *self,
                      TtoMessage *message)
{
  g_return_val_if_fail (TTO_IS_TOPIC_TREE (self), TRUE);
  g_return_val_if_fail (TTO_IS_MESSAGE (message), TRUE);

  return g_strcmp0 (tto_topic_tree_message_topic (message), self->current) == 0;
}

/* Permissions */

/* Deciding proposals, renaming and removing any topic. */
gboolean
tto_topic_tree_can_manage (TtoTopicTree *self,
                           TtoEvent *event)
{
  g_return_val_if_fail (TTO_IS_TOPIC_TREE (self), FALSE);
  g_return_val_if_fail (TTO_IS_EVENT (event), FALSE);

  return !tto_event_get_ended (event) &&
         tto_event_has_permission (event, TTO_PERMISSION_TOPIC_MANAGE);
}

/* Managers, and whoever started @topic. */
gboolean
tto_topic_tree_can_rename (TtoTopicTree *self,
                           TtoEvent *event,
                           TtoTopic *topic)
{
  const char *me;

  g_return_val_if_fail (TTO_IS_TOPIC_TREE (self), FALSE);
  g_return_val_if_fail (TTO_IS_EVENT (event), FALSE);
  g_return_val_if_fail (TTO_IS_TOPIC (topic), FALSE);

  if (tto_topic_is_main (topic) || tto_event_get_ended (event))
    return FALSE;
  if (tto_topic_tree_can_manage (self, event))
    return TRUE;
  me = self->connection != NULL ? tto_connection_get_identity_id (self->connection) : NULL;
  return me != NULL && g_strcmp0 (tto_topic_get_created_by (topic), me) == 0;
}

/* Requests */

/* @title trimmed, or NULL with an error the user can read. */
char *
tto_topic_tree_check_title (const char *title,
                            GError **error)
{
  g_autofree char *trimmed = NULL;
  glong chars;

  trimmed = g_strstrip (g_strdup (title != NULL ? title : ""));
  chars = g_utf8_strlen (trimmed, -1);
  if (chars == 0)
    {
      g_set_error_literal (error, TTO_TOPIC_ERROR, TTO_TOPIC_ERROR_EMPTY_TITLE,
                           _("The topic needs a title"));
      return NULL;
    }
  if (chars > TTO_PROTOCOL_MAX_TOPIC_TITLE_CHARS)
    {
      g_set_error (error, TTO_TOPIC_ERROR, TTO_TOPIC_ERROR_TITLE_TOO_LONG,
                   g_dngettext (NULL, "A topic title has at most %d character",
                                "A topic title has at most %d characters",
                                TTO_PROTOCOL_MAX_TOPIC_TITLE_CHARS),
                   TTO_PROTOCOL_MAX_TOPIC_TITLE_CHARS);
      return NULL;
    }
  return g_steal_pointer (&trimmed);
}

#define SUGGEST_WORDS 6
#define SUGGEST_CHARS 40

/* Cuts @string to @length bytes, zeroing what goes (message text). */
static void
truncate_wiped (GString *string,
                gsize length)
{
  explicit_bzero (string->str + length, string->len - length);
  g_string_truncate (string, length);
}

/* A title from the first words of a message's first line: computed here,
 * never sent anywhere unless the user keeps it. */
char *
tto_topic_tree_suggest_title (const char *text)
{
  /* Sized once: a growing buffer would leave copies of the text behind. */
  g_autoptr (GString) title = g_string_sized_new (text != NULL ? strlen (text) + 1 : 1);
  char *line = NULL;
  char **words = NULL;
  guint taken = 0;

  if (text == NULL)
    return g_strdup ("");
  line = g_strndup (text, strcspn (text, "\n"));
  g_strstrip (line);
  words = g_strsplit_set (line, " \t", -1);
  tto_str_wipe_free (line);
  for (guint i = 0; words[i] != NULL && taken < SUGGEST_WORDS; i++)
    {
      if (*words[i] == '\0')
        continue;
      if (title->len > 0 &&
          g_utf8_strlen (title->str, -1) + 1 + g_utf8_strlen (words[i], -1) > SUGGEST_CHARS)
        break;
      if (title->len > 0)
        g_string_append_c (title, ' ');
      g_string_append (title, words[i]);
      taken++;
    }
  /* Message text: wiped, not just freed. */
  for (guint i = 0; words[i] != NULL; i++)
    tto_str_wipe_free (words[i]);
  g_free (words);

  /* One long word: cut it at a character boundary. */
  if (g_utf8_strlen (title->str, -1) > SUGGEST_CHARS)
    {
      const char *end = g_utf8_offset_to_pointer (title->str, SUGGEST_CHARS);

      truncate_wiped (title, end - title->str);
    }
  /* Trailing punctuation reads oddly in a title. */
  while (title->len > 0)
    {
      const char *last = g_utf8_find_prev_char (title->str, title->str + title->len);
      gunichar c = last != NULL ? g_utf8_get_char (last) : 0;

      if (last == NULL || !(g_unichar_type (c) == G_UNICODE_OTHER_PUNCTUATION ||
                            g_unichar_type (c) == G_UNICODE_DASH_PUNCTUATION ||
                            g_unichar_isspace (c)))
        break;
      truncate_wiped (title, last - title->str);
    }
  return g_string_free (g_steal_pointer (&title), FALSE);
}

/* Adds or updates one topic from an answer, before topic.updated arrives. */
static TtoTopic *
put_topic (TtoTopicTree *self,
           JsonObject *object)
{
  TtoTopic *topic;
  TtoTopic *parent;
  GListStore *store;
  gboolean was_leaf;

  if (!tto_topic_validate_json (object, NULL))
    return NULL;
  topic = tto_topic_tree_lookup (self, json_object_get_string_member (object, "id"));
  if (topic != NULL)
    {
      tto_topic_update_from_json (topic, object);
      return topic;
    }

  topic = tto_topic_new (json_object_get_string_member (object, "id"));
  tto_topic_update_from_json (topic, object);
  g_hash_table_insert (self->topics, (gpointer) tto_topic_get_id (topic), topic);
  parent = effective_parent (self, topic);
  set_read_position (self, tto_topic_get_id (topic),
                     read_position (self, parent != NULL ? tto_topic_get_id (parent)
                                                         : TTO_TOPIC_MAIN));
  store = store_holding (self, topic);
  was_leaf = g_list_model_get_n_items (G_LIST_MODEL (store)) == 0;
  g_list_store_append (store, topic);
  if (was_leaf && parent != NULL)
    reinsert (self, parent);
  tto_topic_tree_recount (self);
  g_signal_emit (self, signals[CHANGED], 0);
  return topic;
}

static void
on_request_ready (GObject *object,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  TtoTopicTree *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;
  const char *proposal_id = g_task_get_task_data (task);
  TtoTopic *topic = NULL;
  JsonNode *node;

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (body == NULL)
    {
      /* Decided by someone else meanwhile: the card goes either way. */
      if (proposal_id != NULL && g_error_matches (error, TTO_PROTOCOL_ERROR,
                                                  TTO_PROTOCOL_ERROR_NOT_FOUND))
        drop_proposal (self, proposal_id);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  node = json_object_get_member (body, "topic");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    topic = put_topic (self, json_node_get_object (node));
  if (proposal_id != NULL)
    drop_proposal (self, proposal_id);
  g_task_return_pointer (task, topic != NULL ? g_object_ref (topic) : NULL, g_object_unref);
}

static void
request (TtoTopicTree *self,
         const char *type,
         JsonObject *body,
         const char *proposal_id,
         GCancellable *cancellable,
         GAsyncReadyCallback callback,
         gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, request);
  g_task_set_task_data (task, g_strdup (proposal_id), g_free);
  if (self->connection == NULL || !self->loaded)
    {
      json_object_unref (body);
      g_task_return_new_error (task, TTO_TOPIC_ERROR, TTO_TOPIC_ERROR_NOT_LOADED,
                               _("Topics are not available yet"));
      return;
    }
  json_object_set_string_member (body, "event_id", self->event_id);
  /* The connection takes @body over. */
  tto_connection_request_async (self->connection, type, body, cancellable, on_request_ready,
                                g_steal_pointer (&task));
}

/* "Discuss this separately": a sub-topic of @from_msg_id's topic. */
void
tto_topic_tree_create_async (TtoTopicTree *self,
                             const char *from_msg_id,
                             const char *title,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  JsonObject *body;

  g_return_if_fail (TTO_IS_TOPIC_TREE (self));
  g_return_if_fail (from_msg_id != NULL);
  g_return_if_fail (title != NULL);

  body = json_object_new ();
  json_object_set_string_member (body, "from_msg_id", from_msg_id);
  json_object_set_string_member (body, "title", title);
  request (self, TTO_FRAME_TOPIC_CREATE, body, NULL, cancellable, callback, user_data);
}

void
tto_topic_tree_rename_async (TtoTopicTree *self,
                             const char *topic_id,
                             const char *title,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  JsonObject *body;

  g_return_if_fail (TTO_IS_TOPIC_TREE (self));
  g_return_if_fail (topic_id != NULL);
  g_return_if_fail (title != NULL);

  body = json_object_new ();
  json_object_set_string_member (body, "topic_id", topic_id);
  json_object_set_string_member (body, "title", title);
  request (self, TTO_FRAME_TOPIC_RENAME, body, NULL, cancellable, callback, user_data);
}

/* Its messages and sub-topics go to its parent. */
void
tto_topic_tree_remove_async (TtoTopicTree *self,
                             const char *topic_id,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  JsonObject *body;

  g_return_if_fail (TTO_IS_TOPIC_TREE (self));
  g_return_if_fail (topic_id != NULL);

  body = json_object_new ();
  json_object_set_string_member (body, "topic_id", topic_id);
  request (self, TTO_FRAME_TOPIC_REMOVE, body, NULL, cancellable, callback, user_data);
}

/* Accepts (with @title, or the suggestion when NULL) or dismisses. */
void
tto_topic_tree_decide_async (TtoTopicTree *self,
                             const char *proposal_id,
                             gboolean accept,
                             const char *title,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  JsonObject *body;

  g_return_if_fail (TTO_IS_TOPIC_TREE (self));
  g_return_if_fail (proposal_id != NULL);

  body = json_object_new ();
  json_object_set_string_member (body, "proposal_id", proposal_id);
  json_object_set_boolean_member (body, "accept", accept);
  if (accept && title != NULL)
    json_object_set_string_member (body, "title", title);
  request (self, TTO_FRAME_TOPIC_DECIDE, body, proposal_id, cancellable, callback, user_data);
}

gboolean
tto_topic_tree_request_finish (TtoTopicTree *self,
                               GAsyncResult *result,
                               TtoTopic **out_topic,
                               GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (TtoTopic) topic = NULL;

  g_return_val_if_fail (TTO_IS_TOPIC_TREE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  topic = g_task_propagate_pointer (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (out_topic != NULL)
    *out_topic = g_steal_pointer (&topic);
  return TRUE;
}
