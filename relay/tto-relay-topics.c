/* tto-relay-topics.c: each event's topic tree and sub-topic proposals
 *
 * The tree is metadata: kept in RAM for the room and mirrored in MySQL
 * (tto-relay-store-topics.c), rows first, so a failed write changes
 * nothing. Which message is in which topic is the message's own topic_id,
 * in RAM with the message. Proposals come from tto-relay-topic-detect.c
 * and live in RAM only; their tags are wiped with the room.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <string.h>

#include "tto-ids.h"
#include "tto-relay-access.h"
#include "tto-relay-topic-detect.h"
#include "tto-relay-topics.h"
#include "tto-util.h"

typedef struct
{
  char *id;
  char *parent_id;
  char *title;
  char *from_msg_id;
  char *created_by;
  gint64 created_at;
  gint64 position;
  gboolean removing; /* its deletion is on its way to the database */
} Topic;

/* One room's state, hung on the room (tto_relay_room_set_topics). */
typedef struct
{
  GPtrArray *topics; /* Topic by position; the main topic is implicit */
  gint64 next_position;
  guint reserved;    /* creations waiting for the database */
  TtoTopicDetector *detector;
} Tree;

typedef struct
{
  gint64 count;
  gint64 last_seq;
} Count;

/* A request waiting for the store. */
typedef struct
{
  TtoRelay *relay;
  TtoRelayConn *conn;
  char *id;
  char *event_id;
  char *topic_id;
  char *title;
  char *proposal_id;
  Topic *topic; /* the new one: topic.create, an accepted proposal */
} Request;

static void
topic_free (Topic *topic)
{
  if (topic == NULL)
    return;

  g_free (topic->id);
  g_free (topic->parent_id);
  g_free (topic->title);
  g_free (topic->from_msg_id);
  g_free (topic->created_by);
  g_free (topic);
}

static void
tree_free (gpointer data)
{
  Tree *tree = data;

  g_ptr_array_unref (tree->topics);
  /* Wipes the tags proposals and the index hold. */
  tto_topic_detector_free (tree->detector);
  g_free (tree);
}

static Tree *
tree_get (TtoRelayRoom *room)
{
  Tree *tree = tto_relay_room_get_topics (room);

  if (tree == NULL)
    {
      tree = g_new0 (Tree, 1);
      tree->topics = g_ptr_array_new_with_free_func ((GDestroyNotify) topic_free);
      tree->next_position = 1;
      tree->detector = tto_topic_detector_new ();
      tto_relay_room_set_topics (room, tree, tree_free);
    }

  return tree;
}

static Topic *
tree_find (Tree *tree,
           const char *topic_id)
{
  for (guint i = 0; topic_id != NULL && i < tree->topics->len; i++)
    {
      Topic *topic = tree->topics->pdata[i];

      if (g_str_equal (topic->id, topic_id))
        return topic;
    }

  return NULL;
}

static gboolean
tree_has (Tree *tree,
          const char *topic_id)
{
  return g_strcmp0 (topic_id, TTO_TOPIC_MAIN) == 0 || tree_find (tree, topic_id) != NULL;
}

static void
request_free (Request *request)
{
  tto_relay_conn_unref (request->conn);
  g_free (request->id);
  g_free (request->event_id);
  g_free (request->topic_id);
  g_free (request->title);
  g_free (request->proposal_id);
  topic_free (request->topic);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static Request *
request_new (TtoRelayConn *conn,
             TtoFrame *frame,
             TtoRelayRoom *room)
{
  Request *request = g_new0 (Request, 1);

  request->relay = conn->relay;
  request->conn = tto_relay_conn_ref (conn);
  request->id = g_strdup (frame->id);
  request->event_id = g_strdup (tto_relay_room_get_id (room));

  return request;
}

static gboolean
conn_is_open (TtoRelayConn *conn)
{
  return conn->relay != NULL;
}

/* Answers a store failure, or the event having ended meanwhile; returns
 * the room when the request may go on. */
static TtoRelayRoom *
request_finish (Request *request,
                GAsyncResult *result)
{
  g_autoptr (GError) error = NULL;
  TtoRelayRoom *room;

  if (!tto_relay_store_finish (request->relay->store, result, &error))
    {
      g_warning ("database request failed: %s", error->message);
      if (!conn_is_open (request->conn))
        return NULL;
      if (g_error_matches (error, TTO_RELAY_STORE_ERROR, TTO_RELAY_STORE_ERROR_CONNECT))
        tto_relay_reply_error (request->conn, request->id, TTO_PROTOCOL_ERROR_UNAVAILABLE,
                               "the relay's database is unavailable; try again");
      else if (tto_relay_find_room (request->relay, request->event_id) == NULL)
        tto_relay_reply_error (request->conn, request->id, TTO_PROTOCOL_ERROR_NOT_FOUND,
                               "the event has ended");
      else
        tto_relay_reply_error (request->conn, request->id, TTO_PROTOCOL_ERROR_INTERNAL,
                               "internal relay error");
      return NULL;
    }

  room = tto_relay_find_room (request->relay, request->event_id);
  if (room == NULL && conn_is_open (request->conn))
    tto_relay_reply_error (request->conn, request->id, TTO_PROTOCOL_ERROR_NOT_FOUND,
                           "the event has ended");

  return room;
}

/* JSON */

static GHashTable *
count_messages (TtoRelayRoom *room)
{
  GHashTable *counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  gint64 last = tto_relay_room_get_last_seq (room);

  for (gint64 seq = 1; seq <= last; seq++)
    {
      const TtoRelayEntry *entry = tto_relay_room_get_entry (room, seq);
      const char *topic_id = tto_message_get_topic_id (entry->message);
      Count *count = g_hash_table_lookup (counts, topic_id);

      if (count == NULL)
        {
          count = g_new0 (Count, 1);
          g_hash_table_insert (counts, g_strdup (topic_id), count);
        }
      count->count++;
      count->last_seq = seq;
    }

  return counts;
}

static void
set_string_or_null (JsonObject *object,
                    const char *name,
                    const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, name, value);
  else
    json_object_set_null_member (object, name);
}

static JsonObject *
topic_json (TtoRelayRoom *room,
            const Topic *topic,
            GHashTable *counts)
{
  JsonObject *object = json_object_new ();
  const char *id = topic != NULL ? topic->id : TTO_TOPIC_MAIN;
  Count *count = g_hash_table_lookup (counts, id);

  json_object_set_string_member (object, "id", id);
  if (topic == NULL)
    {
      /* The main topic: clients name it in their own language. */
      json_object_set_null_member (object, "parent_id");
      json_object_set_string_member (object, "title", "");
      json_object_set_null_member (object, "from_msg_id");
      json_object_set_null_member (object, "created_by");
      json_object_set_int_member (object, "created_at",
                                  tto_event_get_created_at (tto_relay_room_get_event (room)));
    }
  else
    {
      json_object_set_string_member (object, "parent_id", topic->parent_id);
      json_object_set_string_member (object, "title", topic->title);
      set_string_or_null (object, "from_msg_id", topic->from_msg_id);
      set_string_or_null (object, "created_by", topic->created_by);
      json_object_set_int_member (object, "created_at", topic->created_at);
    }
  json_object_set_int_member (object, "message_count", count != NULL ? count->count : 0);
  json_object_set_int_member (object, "last_seq", count != NULL ? count->last_seq : 0);

  return object;
}

static void
add_subtree (JsonArray *array,
             TtoRelayRoom *room,
             Tree *tree,
             const char *parent_id,
             GHashTable *counts,
             guint depth)
{
  /* Parents were made before their sub-topics, so the tree has no cycle;
   * the depth bound only guards against a damaged database. */
  if (depth > TTO_PROTOCOL_MAX_TOPICS)
    return;

  for (guint i = 0; i < tree->topics->len; i++)
    {
      Topic *topic = tree->topics->pdata[i];

      if (!g_str_equal (topic->parent_id, parent_id))
        continue;
      json_array_add_object_element (array, topic_json (room, topic, counts));
      add_subtree (array, room, tree, topic->id, counts, depth + 1);
    }
}

/* Tree order: main first, each topic before its sub-topics, siblings
 * oldest first. */
static JsonArray *
topics_json (TtoRelayRoom *room,
             Tree *tree)
{
  g_autoptr (GHashTable) counts = count_messages (room);
  JsonArray *array = json_array_new ();

  json_array_add_object_element (array, topic_json (room, NULL, counts));
  add_subtree (array, room, tree, TTO_TOPIC_MAIN, counts, 0);

  return array;
}

static JsonObject *
one_topic_json (TtoRelayRoom *room,
                const Topic *topic)
{
  g_autoptr (GHashTable) counts = count_messages (room);

  return topic_json (room, topic, counts);
}

static JsonObject *
proposal_json (const TtoTopicProposal *proposal)
{
  JsonObject *object = json_object_new ();
  JsonArray *msg_ids = json_array_new ();

  for (guint i = 0; i < proposal->msg_ids->len; i++)
    json_array_add_string_element (msg_ids, proposal->msg_ids->pdata[i]);

  json_object_set_string_member (object, "id", proposal->id);
  json_object_set_string_member (object, "kind",
                                 tto_topic_proposal_kind_to_string (proposal->kind));
  set_string_or_null (object, "tag", proposal->tag);
  json_object_set_array_member (object, "msg_ids", msg_ids);
  json_object_set_string_member (object, "parent_id", proposal->parent_id);
  json_object_set_string_member (object, "title", proposal->title);

  return object;
}

/* Pushes */

static gboolean
may_manage (TtoRelayRoom *room,
            const char *identity_id)
{
  TtoMember *member = tto_relay_room_get_member (room, identity_id);

  return member != NULL && tto_member_has_permission (member, TTO_PERMISSION_TOPIC_MANAGE);
}

/* Serialises @body as a @type push; wipes the tree (it may hold tags). */
static char *
push_text (const char *type,
           JsonObject *body)
{
  g_autoptr (TtoFrame) frame = tto_frame_new (type, NULL, body);
  char *text = tto_frame_serialize (frame, NULL);

  tto_frame_wipe (frame);
  return text;
}

/* To the creator and every topic_manage holder, on the networks the
 * event's allow-list lets in (proposals quote messages). */
static void
send_to_managers (TtoRelay *relay,
                  TtoRelayRoom *room,
                  const char *text)
{
  GHashTableIter iter;
  gpointer id;
  gpointer member;

  tto_relay_room_iter_members (room, &iter);
  while (g_hash_table_iter_next (&iter, &id, &member))
    if (tto_member_has_permission (member, TTO_PERMISSION_TOPIC_MANAGE))
      tto_relay_access_send_text_to_identity (relay, room, id, text);
}

static void
push_tree (TtoRelay *relay,
           TtoRelayRoom *room)
{
  JsonObject *body = json_object_new ();
  g_autofree char *text = NULL;

  json_object_set_string_member (body, "event_id", tto_relay_room_get_id (room));
  json_object_set_array_member (body, "topics", topics_json (room, tree_get (room)));
  text = push_text (TTO_FRAME_TOPIC_UPDATED, body);
  tto_relay_send_to_room (relay, room, text, NULL);
}

static void
push_proposed (TtoRelay *relay,
               TtoRelayRoom *room,
               const TtoTopicProposal *proposal)
{
  JsonObject *body = json_object_new ();
  g_autofree char *text = NULL;

  json_object_set_string_member (body, "event_id", tto_relay_room_get_id (room));
  json_object_set_object_member (body, "proposal", proposal_json (proposal));
  text = push_text (TTO_FRAME_TOPIC_PROPOSED, body);
  send_to_managers (relay, room, text);
  explicit_bzero (text, strlen (text));
}

static void
push_decided (TtoRelay *relay,
              TtoRelayRoom *room,
              const char *proposal_id,
              const char *topic_id)
{
  JsonObject *body = json_object_new ();
  g_autofree char *text = NULL;

  json_object_set_string_member (body, "event_id", tto_relay_room_get_id (room));
  json_object_set_string_member (body, "proposal_id", proposal_id);
  json_object_set_boolean_member (body, "accepted", topic_id != NULL);
  set_string_or_null (body, "topic_id", topic_id);
  text = push_text (TTO_FRAME_TOPIC_DECIDED, body);
  send_to_managers (relay, room, text);
}

/* Proposals whose messages moved away are dropped; reviewers hear so. */
static void
drop_stale (TtoRelay *relay,
            TtoRelayRoom *room,
            Tree *tree)
{
  g_autoptr (GPtrArray) stale = tto_topic_detector_take_stale (tree->detector);

  for (guint i = 0; i < stale->len; i++)
    push_decided (relay, room, ((TtoTopicProposal *) stale->pdata[i])->id, NULL);
}

/* Moves messages and pushes a msg.updated for each, numbered like edits. */
static void
move_messages (TtoRelay *relay,
               TtoRelayRoom *room,
               Tree *tree,
               GPtrArray *entries,
               const char *topic_id)
{
  g_autoptr (GPtrArray) changed = g_ptr_array_new ();
  gint64 useq = 0;

  for (guint i = 0; i < entries->len; i++)
    {
      const TtoRelayEntry *entry = entries->pdata[i];

      useq = tto_relay_room_set_topic (room, entry, topic_id, changed);
      tto_topic_detector_move (tree->detector, tto_message_get_msg_id (entry->message), topic_id);
    }

  useq = useq - (gint64) changed->len + 1;
  for (guint i = 0; i < changed->len; i++, useq++)
    {
      g_autofree char *text = tto_relay_room_update_frame (room, changed->pdata[i], useq);

      tto_relay_send_to_room (relay, room, text, NULL);
      explicit_bzero (text, strlen (text));
    }
}

/* Hooks from msg.send, msg.edit and msg.recall */

gboolean
tto_relay_topics_check_send (TtoRelayConn *conn,
                             TtoFrame *frame,
                             TtoRelayRoom *room)
{
  const char *topic_id = tto_frame_get_string (frame, "topic_id");

  if (topic_id == NULL || tree_has (tree_get (room), topic_id))
    return TRUE;

  tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_NOT_FOUND,
                         "body.topic_id names no topic of this event");
  return FALSE;
}

void
tto_relay_topics_place_message (TtoRelayRoom *room,
                                const TtoRelayEntry *entry,
                                const char *topic_id)
{
  if (topic_id != NULL && !g_str_equal (topic_id, TTO_TOPIC_MAIN))
    tto_relay_room_set_topic (room, entry, topic_id, NULL);
}

void
tto_relay_topics_note_message (TtoRelay *relay,
                               TtoRelayRoom *room,
                               const TtoRelayEntry *entry)
{
  Tree *tree = tree_get (room);
  TtoMessage *message = entry->message;
  TtoTopicDetectMessage input = {
    tto_message_get_msg_id (message),
    tto_message_get_reply_to_msg_id (message),
    tto_message_get_topic_id (message),
    tto_message_get_text (message),
  };
  g_autoptr (GPtrArray) changed = tto_topic_detector_note (tree->detector, &input);

  for (guint i = 0; i < changed->len; i++)
    push_proposed (relay, room, changed->pdata[i]);
}

void
tto_relay_topics_note_change (TtoRelayRoom *room,
                              const TtoRelayEntry *entry)
{
  Tree *tree = tree_get (room);
  TtoMessage *message = entry->message;

  tto_topic_detector_retext (tree->detector, tto_message_get_msg_id (message),
                             tto_message_get_recalled (message) ? NULL
                                                                : tto_message_get_text (message));
}

/* topic.list */

static void
handle_topic_list (TtoRelayConn *conn,
                   TtoFrame *frame)
{
  TtoRelayRoom *room = tto_relay_member_room (conn, frame);
  JsonArray *proposals;
  JsonObject *body;
  Tree *tree;
  g_autoptr (TtoFrame) answer = NULL;

  if (room == NULL)
    return;

  tree = tree_get (room);
  proposals = json_array_new ();
  if (may_manage (room, conn->identity_id))
    {
      GPtrArray *pending = tto_topic_detector_get_pending (tree->detector);

      for (guint i = 0; i < pending->len; i++)
        json_array_add_object_element (proposals, proposal_json (pending->pdata[i]));
    }

  body = json_object_new ();
  json_object_set_array_member (body, "topics", topics_json (room, tree));
  json_object_set_array_member (body, "proposals", proposals);
  answer = tto_frame_new_ok (frame->id, body);
  if (frame->id != NULL)
    tto_relay_send (conn, answer);
  /* Proposals quote tags. */
  tto_frame_wipe (answer);
}

/* topic.create and accepting a proposal both add a topic. */

static gboolean
room_for_more (TtoRelayConn *conn,
               TtoFrame *frame,
               Tree *tree)
{
  /* The main topic counts. */
  if (1 + tree->topics->len + tree->reserved < TTO_PROTOCOL_MAX_TOPICS)
    return TRUE;

  tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_CONFLICT,
                         "the event has %d topics; no more are allowed", TTO_PROTOCOL_MAX_TOPICS);
  return FALSE;
}

static Topic *
topic_new (Tree *tree,
           const char *parent_id,
           const char *title,
           const char *from_msg_id,
           const char *created_by)
{
  Topic *topic = g_new0 (Topic, 1);

  topic->id = tto_id_new ();
  topic->parent_id = g_strdup (parent_id);
  topic->title = g_strstrip (g_strdup (title));
  topic->from_msg_id = g_strdup (from_msg_id);
  topic->created_by = g_strdup (created_by);
  topic->created_at = tto_relay_now_seconds ();
  topic->position = tree->next_position++;

  return topic;
}

static void
insert_topic (TtoRelay *relay,
              TtoRelayRoom *room,
              const Topic *topic,
              GAsyncReadyCallback callback,
              Request *request)
{
  TtoRelayStoredTopic stored = {
    tto_relay_room_get_id (room), topic->id, topic->parent_id, topic->title, topic->from_msg_id,
    topic->created_by, topic->created_at, topic->position,
  };

  tree_get (room)->reserved++;
  tto_relay_store_insert_topic_async (relay->store, &stored, callback, request);
}

/* The store answered an insert: the count of topics under way drops. */
static void
release_reservation (Request *request)
{
  TtoRelayRoom *room = tto_relay_find_room (request->relay, request->event_id);

  if (room != NULL)
    tree_get (room)->reserved--;
}

static void
on_topic_created (GObject *source,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (Request) request = user_data;
  TtoRelayRoom *room;
  JsonObject *body;
  Tree *tree;

  release_reservation (request);
  room = request_finish (request, result);
  if (room == NULL)
    return;

  tree = tree_get (room);
  g_ptr_array_add (tree->topics, g_steal_pointer (&request->topic));

  if (conn_is_open (request->conn))
    {
      body = json_object_new ();
      json_object_set_object_member (body, "topic",
                                     one_topic_json (room, g_ptr_array_index (tree->topics,
                                                                              tree->topics->len - 1)));
      tto_relay_reply_ok (request->conn, request->id, body);
    }
  push_tree (request->relay, room);
}

/* Any member starts a sub-topic from a message. */
static void
handle_topic_create (TtoRelayConn *conn,
                     TtoFrame *frame)
{
  TtoRelayRoom *room = tto_relay_member_room (conn, frame);
  const TtoRelayEntry *from;
  const char *parent_id;
  Request *request;
  Topic *parent;
  Tree *tree;

  if (room == NULL)
    return;

  tree = tree_get (room);
  from = tto_relay_room_find (room, tto_frame_get_string (frame, "from_msg_id"));
  if (from == NULL)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_NOT_FOUND,
                             "body.from_msg_id names no message of this event");
      return;
    }
  if (tto_message_get_recalled (from->message))
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_CONFLICT,
                             "the message was recalled");
      return;
    }
  parent_id = tto_message_get_topic_id (from->message);
  parent = tree_find (tree, parent_id);
  if (parent != NULL && parent->removing)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_CONFLICT,
                             "the message's topic is being removed");
      return;
    }
  if (!room_for_more (conn, frame, tree))
    return;

  request = request_new (conn, frame, room);
  request->topic = topic_new (tree, parent_id, tto_frame_get_string (frame, "title"),
                              tto_message_get_msg_id (from->message), conn->identity_id);
  insert_topic (conn->relay, room, request->topic, on_topic_created, request);
}

/* topic.rename and topic.remove: the event's creator, topic_manage, or
 * the topic's own creator. */
static Topic *
editable_topic (TtoRelayConn *conn,
                TtoFrame *frame,
                TtoRelayRoom *room,
                const char *what)
{
  const char *topic_id = tto_frame_get_string (frame, "topic_id");
  Topic *topic = tree_find (tree_get (room), topic_id);

  if (topic == NULL && !g_str_equal (topic_id, TTO_TOPIC_MAIN))
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_NOT_FOUND,
                             "body.topic_id names no topic of this event");
      return NULL;
    }
  if (topic == NULL)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_CONFLICT,
                             "the main topic cannot be %s", what);
      return NULL;
    }
  if (!may_manage (room, conn->identity_id) &&
      g_strcmp0 (topic->created_by, conn->identity_id) != 0)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN,
                             "only the topic's creator, the event's creator or a member "
                             "with topic_manage may do this");
      return NULL;
    }
  if (topic->removing)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_CONFLICT,
                             "the topic is being removed");
      return NULL;
    }

  return topic;
}

static void
on_topic_renamed (GObject *source,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (Request) request = user_data;
  TtoRelayRoom *room = request_finish (request, result);
  Topic *topic;

  if (room == NULL)
    return;

  topic = tree_find (tree_get (room), request->topic_id);
  if (topic == NULL)
    {
      if (conn_is_open (request->conn))
        tto_relay_reply_error (request->conn, request->id, TTO_PROTOCOL_ERROR_NOT_FOUND,
                               "the topic was removed meanwhile");
      return;
    }
  g_free (topic->title);
  topic->title = g_steal_pointer (&request->title);

  if (conn_is_open (request->conn))
    {
      JsonObject *body = json_object_new ();

      json_object_set_object_member (body, "topic", one_topic_json (room, topic));
      tto_relay_reply_ok (request->conn, request->id, body);
    }
  push_tree (request->relay, room);
}

static void
handle_topic_rename (TtoRelayConn *conn,
                     TtoFrame *frame)
{
  TtoRelayRoom *room = tto_relay_member_room (conn, frame);
  Request *request;
  Topic *topic;

  if (room == NULL || (topic = editable_topic (conn, frame, room, "renamed")) == NULL)
    return;

  request = request_new (conn, frame, room);
  request->topic_id = g_strdup (topic->id);
  request->title = g_strstrip (g_strdup (tto_frame_get_string (frame, "title")));
  tto_relay_store_rename_topic_async (conn->relay->store, request->event_id, request->topic_id,
                                      request->title, on_topic_renamed, request);
}

static void
on_topic_removed (GObject *source,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (Request) request = user_data;
  g_autoptr (GPtrArray) entries = NULL;
  TtoRelayRoom *room;
  Topic *topic;
  Tree *tree;
  gint64 last;

  /* On failure the topic stays as it was. */
  room = tto_relay_find_room (request->relay, request->event_id);
  if (room != NULL && g_task_had_error (G_TASK (result)) &&
      (topic = tree_find (tree_get (room), request->topic_id)) != NULL)
    topic->removing = FALSE;

  room = request_finish (request, result);
  if (room == NULL)
    return;

  tree = tree_get (room);
  topic = tree_find (tree, request->topic_id);
  g_assert (topic != NULL && topic->removing);

  /* The rows are gone: its sub-topics move up, its messages too. */
  for (guint i = 0; i < tree->topics->len; i++)
    {
      Topic *child = tree->topics->pdata[i];

      if (g_str_equal (child->parent_id, topic->id))
        {
          g_free (child->parent_id);
          child->parent_id = g_strdup (topic->parent_id);
        }
    }

  entries = g_ptr_array_new ();
  last = tto_relay_room_get_last_seq (room);
  for (gint64 seq = 1; seq <= last; seq++)
    {
      const TtoRelayEntry *entry = tto_relay_room_get_entry (room, seq);

      if (g_str_equal (tto_message_get_topic_id (entry->message), topic->id))
        g_ptr_array_add (entries, (gpointer) entry);
    }

  if (conn_is_open (request->conn))
    tto_relay_reply_ok (request->conn, request->id, NULL);
  move_messages (request->relay, room, tree, entries, topic->parent_id);
  g_ptr_array_remove (tree->topics, topic);
  drop_stale (request->relay, room, tree);
  push_tree (request->relay, room);
}

static void
handle_topic_remove (TtoRelayConn *conn,
                     TtoFrame *frame)
{
  TtoRelayRoom *room = tto_relay_member_room (conn, frame);
  GPtrArray *pending;
  Request *request;
  Topic *topic;

  if (room == NULL || (topic = editable_topic (conn, frame, room, "removed")) == NULL)
    return;

  /* An accepted proposal is about to become its sub-topic. */
  pending = tto_topic_detector_get_pending (tree_get (room)->detector);
  for (guint i = 0; i < pending->len; i++)
    {
      TtoTopicProposal *proposal = pending->pdata[i];

      if (proposal->busy && g_str_equal (proposal->parent_id, topic->id))
        {
          tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_CONFLICT,
                                 "a proposal in this topic is being accepted; try again");
          return;
        }
    }

  topic->removing = TRUE;
  request = request_new (conn, frame, room);
  request->topic_id = g_strdup (topic->id);
  tto_relay_store_remove_topic_async (conn->relay->store, request->event_id, topic->id,
                                      topic->parent_id, on_topic_removed, request);
}

/* topic.decide */

static void
on_proposal_accepted (GObject *source,
                      GAsyncResult *result,
                      gpointer user_data)
{
  g_autoptr (Request) request = user_data;
  g_autoptr (GPtrArray) entries = NULL;
  TtoTopicProposal *proposal;
  TtoRelayRoom *room;
  Topic *topic;
  Tree *tree;

  release_reservation (request);
  room = tto_relay_find_room (request->relay, request->event_id);
  if (room != NULL && g_task_had_error (G_TASK (result)) &&
      (proposal = tto_topic_detector_lookup (tree_get (room)->detector,
                                             request->proposal_id)) != NULL)
    proposal->busy = FALSE;
  room = request_finish (request, result);
  if (room == NULL)
    return;

  tree = tree_get (room);
  proposal = tto_topic_detector_lookup (tree->detector, request->proposal_id);
  g_assert (proposal != NULL && proposal->busy);

  topic = g_steal_pointer (&request->topic);
  g_ptr_array_add (tree->topics, topic);

  /* The messages still in the proposal's topic move into the new one. */
  entries = g_ptr_array_new ();
  for (guint i = 0; i < proposal->msg_ids->len; i++)
    {
      const TtoRelayEntry *entry = tto_relay_room_find (room, proposal->msg_ids->pdata[i]);

      if (entry != NULL && g_str_equal (tto_message_get_topic_id (entry->message),
                                        proposal->parent_id))
        g_ptr_array_add (entries, (gpointer) entry);
    }

  tto_topic_detector_decide (tree->detector, request->proposal_id, topic->id);
  move_messages (request->relay, room, tree, entries, topic->id);
  if (conn_is_open (request->conn))
    {
      JsonObject *body = json_object_new ();

      json_object_set_object_member (body, "topic", one_topic_json (room, topic));
      tto_relay_reply_ok (request->conn, request->id, body);
    }
  push_decided (request->relay, room, request->proposal_id, topic->id);
  drop_stale (request->relay, room, tree);
  push_tree (request->relay, room);
}

static void
handle_topic_decide (TtoRelayConn *conn,
                     TtoFrame *frame)
{
  TtoRelayRoom *room = tto_relay_member_room (conn, frame);
  TtoTopicProposal *proposal;
  Request *request;
  Tree *tree;

  if (room == NULL)
    return;

  if (!may_manage (room, conn->identity_id))
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN,
                             "only the event's creator or a member with topic_manage may "
                             "decide on proposals");
      return;
    }

  tree = tree_get (room);
  proposal = tto_topic_detector_lookup (tree->detector,
                                        tto_frame_get_string (frame, "proposal_id"));
  if (proposal == NULL)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_NOT_FOUND,
                             "body.proposal_id names no pending proposal of this event");
      return;
    }
  if (proposal->busy)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_CONFLICT,
                             "the proposal is being accepted");
      return;
    }

  if (!json_object_get_boolean_member (frame->body, "accept"))
    {
      g_autofree char *id = g_strdup (proposal->id);

      tto_topic_detector_decide (tree->detector, id, NULL);
      tto_relay_reply_ok (conn, frame->id, NULL);
      push_decided (conn->relay, room, id, NULL);
      return;
    }

  if (!room_for_more (conn, frame, tree))
    return;

  request = request_new (conn, frame, room);
  request->proposal_id = g_strdup (proposal->id);
  request->topic = topic_new (tree, proposal->parent_id,
                              tto_frame_has (frame, "title") ? tto_frame_get_string (frame, "title")
                                                             : proposal->title,
                              NULL, conn->identity_id);
  proposal->busy = TRUE;
  insert_topic (conn->relay, room, request->topic, on_proposal_accepted, request);
}

/* Start-up */

static void
on_topic_loaded (const TtoRelayStoredTopic *stored,
                 gpointer user_data)
{
  TtoRelayRoom *room = tto_relay_find_room (user_data, stored->event_id);
  Topic *topic;
  Tree *tree;

  if (room == NULL)
    return;

  tree = tree_get (room);
  topic = g_new0 (Topic, 1);
  topic->id = g_strdup (stored->id);
  topic->parent_id = g_strdup (stored->parent_id);
  topic->title = g_strdup (stored->title);
  topic->from_msg_id = g_strdup (stored->from_msg_id);
  topic->created_by = g_strdup (stored->created_by);
  topic->created_at = stored->created_at;
  topic->position = stored->position;
  tree->next_position = MAX (tree->next_position, stored->position + 1);
  g_ptr_array_add (tree->topics, topic);
}

gboolean
tto_relay_topics_load (TtoRelay *relay,
                       GError **error)
{
  return tto_relay_store_load_topics (relay->store, on_topic_loaded, relay, error);
}

const TtoRelayRoute tto_relay_topics_routes[] = {
  { TTO_FRAME_TOPIC_LIST, TRUE, handle_topic_list },
  { TTO_FRAME_TOPIC_CREATE, TRUE, handle_topic_create },
  { TTO_FRAME_TOPIC_RENAME, TRUE, handle_topic_rename },
  { TTO_FRAME_TOPIC_REMOVE, TRUE, handle_topic_remove },
  { TTO_FRAME_TOPIC_DECIDE, TRUE, handle_topic_decide },
};
const guint tto_relay_topics_n_routes = G_N_ELEMENTS (tto_relay_topics_routes);
