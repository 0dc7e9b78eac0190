/* tto-relay-room.c: one live event in relay memory
 *
 * The log is the only place message content lives. It is an array indexed
 * by seq - 1, so resume is a slice and seq stays gap-free; edits and recalls
 * change an entry in place and append to the updates list, numbered by useq.
 * This module is the seam where a shared in-memory engine (Valkey without
 * persistence) could later replace the arrays.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <string.h>

#include "tto-frame.h"
#include "tto-ids.h"
#include "tto-relay-room.h"

typedef struct
{
  gint64 useq;
  gint64 seq;
} Update;

struct _TtoRelayRoom
{
  TtoEvent *event;
  GHashTable *members;      /* identity id → TtoMember */
  GPtrArray *log;           /* TtoRelayEntry, seq = index + 1 */
  GHashTable *by_client_id; /* "sender id/client msg id" → TtoRelayEntry */
  GHashTable *by_msg_id;    /* msg id → TtoRelayEntry */
  GArray *updates;          /* Update, useq = index + 1 */
  GHashTable *reads;        /* identity id → gint64* read position */
  GHashTable *pending_reads;/* identity ids whose position changed since the last push */
  GHashTable *applications; /* identity id → TtoRelayApplication */
  gsize bytes_held;
  guint flush_source;
  gboolean ending;          /* its rows are being deleted */
  gpointer flow;            /* tto-relay-flow.c's state, freed with the room */
  GDestroyNotify flow_free;
  gpointer topics;          /* tto-relay-topics.c's state, freed with the room */
  GDestroyNotify topics_free;
};

static gsize
entry_bytes (const TtoRelayEntry *entry)
{
  return entry->frame_length + strlen (tto_message_get_text (entry->message));
}

static void
entry_free (gpointer data)
{
  TtoRelayEntry *entry = data;

  /* The message wipes its own text when finalised. */
  g_clear_object (&entry->message);
  if (entry->frame != NULL)
    explicit_bzero (entry->frame, entry->frame_length);
  g_free (entry->frame);
  g_free (entry);
}

/* (Re)makes the entry's msg.new from the message as it is now. Callers
 * account for bytes_held around it. */
static void
entry_serialize (TtoRelayRoom *room,
                 TtoRelayEntry *entry)
{
  g_autoptr (TtoFrame) frame = NULL;

  if (entry->frame != NULL)
    {
      explicit_bzero (entry->frame, entry->frame_length);
      g_clear_pointer (&entry->frame, g_free);
      entry->frame_length = 0;
    }

  frame = tto_frame_new (TTO_FRAME_MSG_NEW, NULL, tto_message_to_json (entry->message));
  entry->frame = tto_frame_serialize (frame, &entry->frame_length);
  /* The JSON tree's copy of the text is ours to wipe too. */
  tto_frame_wipe (frame);
}

TtoRelayRoom *
tto_relay_room_new (TtoEvent *event)
{
  TtoRelayRoom *room = g_new0 (TtoRelayRoom, 1);

  room->event = g_object_ref (event);
  room->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  room->log = g_ptr_array_new_with_free_func (entry_free);
  room->by_client_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  room->by_msg_id = g_hash_table_new (g_str_hash, g_str_equal);
  room->updates = g_array_new (FALSE, FALSE, sizeof (Update));
  room->reads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  room->pending_reads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  room->applications = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                              (GDestroyNotify) tto_relay_application_free);

  return room;
}

void
tto_relay_room_free (TtoRelayRoom *room)
{
  if (room == NULL)
    return;

  tto_relay_room_wipe (room);
  if (room->flow != NULL && room->flow_free != NULL)
    room->flow_free (g_steal_pointer (&room->flow));
  if (room->topics != NULL && room->topics_free != NULL)
    room->topics_free (g_steal_pointer (&room->topics));
  g_clear_handle_id (&room->flush_source, g_source_remove);
  g_hash_table_unref (room->by_msg_id);
  g_hash_table_unref (room->by_client_id);
  g_ptr_array_unref (room->log);
  g_array_unref (room->updates);
  g_hash_table_unref (room->reads);
  g_hash_table_unref (room->pending_reads);
  g_hash_table_unref (room->applications);
  g_hash_table_unref (room->members);
  g_object_unref (room->event);
  g_free (room);
}

TtoEvent *
tto_relay_room_get_event (TtoRelayRoom *room)
{
  return room->event;
}

const char *
tto_relay_room_get_id (TtoRelayRoom *room)
{
  return tto_event_get_id (room->event);
}

void
tto_relay_room_add_member (TtoRelayRoom *room,
                           TtoMember *member)
{
  g_hash_table_replace (room->members, g_strdup (tto_member_get_identity_id (member)),
                        g_object_ref (member));
  tto_event_set_member_count (room->event, g_hash_table_size (room->members));
}

TtoMember *
tto_relay_room_get_member (TtoRelayRoom *room,
                           const char *identity_id)
{
  if (identity_id == NULL)
    return NULL;

  return g_hash_table_lookup (room->members, identity_id);
}

gboolean
tto_relay_room_remove_member (TtoRelayRoom *room,
                              const char *identity_id)
{
  gboolean removed = g_hash_table_remove (room->members, identity_id);

  g_hash_table_remove (room->reads, identity_id);
  g_hash_table_remove (room->pending_reads, identity_id);
  tto_event_set_member_count (room->event, g_hash_table_size (room->members));
  return removed;
}

guint
tto_relay_room_get_member_count (TtoRelayRoom *room)
{
  return g_hash_table_size (room->members);
}

/* Members in no particular order; the list is the caller's, the members
 * are not. */
GList *
tto_relay_room_get_members (TtoRelayRoom *room)
{
  return g_hash_table_get_values (room->members);
}

/* Walks the members without allocating: fan-out runs this per message.
 * Values are TtoMember, keys identity ids. */
void
tto_relay_room_iter_members (TtoRelayRoom *room,
                             GHashTableIter *iter)
{
  g_hash_table_iter_init (iter, room->members);
}

/* Appends a message, or returns the one already sent with the same client
 * message id by the same sender, so that retries are harmless. */
const TtoRelayEntry *
tto_relay_room_append (TtoRelayRoom *room,
                       TtoMember *sender,
                       const char *client_msg_id,
                       const char *text,
                       gint64 ts,
                       const TtoRelayEntry *reply_to,
                       const char *const *mentions,
                       JsonObject *attachment,
                       gboolean *out_duplicate)
{
  g_autofree char *key = g_strdup_printf ("%s/%s", tto_member_get_identity_id (sender),
                                          client_msg_id);
  g_autofree char *msg_id = NULL;
  TtoRelayEntry *entry;

  entry = g_hash_table_lookup (room->by_client_id, key);
  *out_duplicate = entry != NULL;
  if (entry != NULL)
    return entry;

  entry = g_new0 (TtoRelayEntry, 1);
  entry->message = tto_message_new_pending (tto_relay_room_get_id (room), client_msg_id,
                                            tto_member_get_identity_id (sender),
                                            tto_member_get_display_name (sender), text, ts);
  msg_id = tto_id_new ();
  tto_message_confirm (entry->message, msg_id, (gint64) room->log->len + 1, ts);

  if (reply_to != NULL)
    {
      TtoMessage *original = reply_to->message;
      g_autofree char *excerpt = tto_message_make_excerpt (tto_message_get_text (original));

      tto_message_set_reply_to (entry->message, tto_message_get_msg_id (original),
                                tto_message_get_seq (original),
                                tto_message_get_sender_id (original),
                                tto_message_get_sender_name (original), excerpt,
                                tto_message_get_recalled (original));
      explicit_bzero (excerpt, strlen (excerpt));
    }
  if (mentions != NULL && mentions[0] != NULL)
    tto_message_set_mentions (entry->message, mentions);
  if (attachment != NULL)
    tto_message_set_attachment (entry->message, attachment);

  entry_serialize (room, entry);
  room->bytes_held += entry_bytes (entry);

  g_ptr_array_add (room->log, entry);
  g_hash_table_insert (room->by_client_id, g_steal_pointer (&key), entry);
  g_hash_table_insert (room->by_msg_id, (char *) tto_message_get_msg_id (entry->message), entry);
  tto_event_set_last_seq (room->event, tto_message_get_seq (entry->message));

  return entry;
}

/* A message the relay writes itself (flow changes), sent in @sender's name
 * and marked "system"; @system_event is what it says as data (copied). */
const TtoRelayEntry *
tto_relay_room_append_system (TtoRelayRoom *room,
                              TtoMember *sender,
                              const char *text,
                              JsonObject *system_event,
                              gint64 ts)
{
  g_autofree char *id = tto_id_new ();
  g_autofree char *client_msg_id = g_strconcat ("system-", id, NULL);
  TtoRelayEntry *entry;
  gboolean duplicate;

  entry = (TtoRelayEntry *) tto_relay_room_append (room, sender, client_msg_id, text, ts, NULL,
                                                   NULL, NULL, &duplicate);
  room->bytes_held -= entry_bytes (entry);
  tto_message_set_system (entry->message, TRUE);
  tto_message_set_system_event (entry->message, system_event);
  entry_serialize (room, entry);
  room->bytes_held += entry_bytes (entry);

  return entry;
}

gpointer
tto_relay_room_get_flow (TtoRelayRoom *room)
{
  return room->flow;
}

void
tto_relay_room_set_flow (TtoRelayRoom *room,
                         gpointer flow,
                         GDestroyNotify flow_free)
{
  g_assert (room->flow == NULL);
  room->flow = flow;
  room->flow_free = flow_free;
}

const TtoRelayEntry *
tto_relay_room_find_sent (TtoRelayRoom *room,
                          const char *sender_id,
                          const char *client_msg_id)
{
  g_autofree char *key = g_strdup_printf ("%s/%s", sender_id, client_msg_id);

  return g_hash_table_lookup (room->by_client_id, key);
}

const TtoRelayEntry *
tto_relay_room_find (TtoRelayRoom *room,
                     const char *msg_id)
{
  return msg_id != NULL ? g_hash_table_lookup (room->by_msg_id, msg_id) : NULL;
}

const TtoRelayEntry *
tto_relay_room_get_entry (TtoRelayRoom *room,
                          gint64 seq)
{
  if (seq < 1 || seq > (gint64) room->log->len)
    return NULL;

  return room->log->pdata[seq - 1];
}

static gint64
add_update (TtoRelayRoom *room,
            const TtoRelayEntry *entry,
            GPtrArray *changed)
{
  Update update = { (gint64) room->updates->len + 1, tto_message_get_seq (entry->message) };

  g_array_append_val (room->updates, update);
  if (changed != NULL)
    g_ptr_array_add (changed, (gpointer) entry);

  return update.useq;
}

/* Returns the useq of the update; @changed receives the entries whose
 * msg.updated must go out. */
gint64
tto_relay_room_edit (TtoRelayRoom *room,
                     const TtoRelayEntry *entry,
                     const char *text,
                     gint64 edited_at,
                     GPtrArray *changed)
{
  TtoRelayEntry *e = (TtoRelayEntry *) entry;

  room->bytes_held -= entry_bytes (e);
  tto_message_edit (e->message, text, edited_at);
  entry_serialize (room, e);
  room->bytes_held += entry_bytes (e);

  return add_update (room, e, changed);
}

/* Wipes the text, and the excerpt of every message that quoted it: a
 * recalled message leaves nothing of itself behind. */
gint64
tto_relay_room_recall (TtoRelayRoom *room,
                       const TtoRelayEntry *entry,
                       const char *recalled_by,
                       GPtrArray *changed)
{
  TtoRelayEntry *e = (TtoRelayEntry *) entry;
  const char *msg_id = tto_message_get_msg_id (e->message);
  gint64 useq;

  room->bytes_held -= entry_bytes (e);
  tto_message_recall (e->message, recalled_by);
  entry_serialize (room, e);
  room->bytes_held += entry_bytes (e);
  useq = add_update (room, e, changed);

  for (guint i = (guint) tto_message_get_seq (e->message); i < room->log->len; i++)
    {
      TtoRelayEntry *quoting = room->log->pdata[i];

      if (g_strcmp0 (tto_message_get_reply_to_msg_id (quoting->message), msg_id) != 0 ||
          tto_message_get_reply_to_recalled (quoting->message))
        continue;

      room->bytes_held -= entry_bytes (quoting);
      tto_message_mark_reply_recalled (quoting->message);
      entry_serialize (room, quoting);
      room->bytes_held += entry_bytes (quoting);
      useq = add_update (room, quoting, changed);
    }

  return useq;
}

/* Puts a message into another topic. With @changed NULL the message was
 * just appended and not sent yet, so no update is recorded and 0 returned;
 * otherwise as tto_relay_room_edit (). */
gint64
tto_relay_room_set_topic (TtoRelayRoom *room,
                          const TtoRelayEntry *entry,
                          const char *topic_id,
                          GPtrArray *changed)
{
  TtoRelayEntry *e = (TtoRelayEntry *) entry;

  room->bytes_held -= entry_bytes (e);
  tto_message_set_topic_id (e->message, topic_id);
  entry_serialize (room, e);
  room->bytes_held += entry_bytes (e);

  return changed != NULL ? add_update (room, e, changed) : 0;
}

gpointer
tto_relay_room_get_topics (TtoRelayRoom *room)
{
  return room->topics;
}

void
tto_relay_room_set_topics (TtoRelayRoom *room,
                           gpointer topics,
                           GDestroyNotify topics_free)
{
  g_assert (room->topics == NULL);
  room->topics = topics;
  room->topics_free = topics_free;
}

/* A msg.updated frame for @entry as it is now. */
char *
tto_relay_room_update_frame (TtoRelayRoom *room,
                             const TtoRelayEntry *entry,
                             gint64 useq)
{
  g_autoptr (TtoFrame) frame = NULL;
  JsonObject *body = json_object_new ();
  char *text;

  json_object_set_string_member (body, "event_id", tto_relay_room_get_id (room));
  json_object_set_int_member (body, "useq", useq);
  json_object_set_object_member (body, "message", tto_message_to_json (entry->message));
  frame = tto_frame_new (TTO_FRAME_MSG_UPDATED, NULL, body);
  text = tto_frame_serialize (frame, NULL);
  tto_frame_wipe (frame);

  return text;
}

void
tto_relay_room_foreach_since (TtoRelayRoom *room,
                              gint64 after_seq,
                              TtoRelayEntryFunc func,
                              gpointer user_data)
{
  for (guint i = (guint) MAX (after_seq, 0); i < room->log->len; i++)
    func (room->log->pdata[i], user_data);
}

/* Calls @func once per message updated after @after_useq that has a seq up
 * to @up_to_seq (later ones were sent whole), with the newest useq. */
void
tto_relay_room_foreach_update_since (TtoRelayRoom *room,
                                     gint64 after_useq,
                                     gint64 up_to_seq,
                                     void (*func) (const TtoRelayEntry *entry,
                                                   gint64 useq,
                                                   gpointer user_data),
                                     gpointer user_data)
{
  g_autoptr (GHashTable) newest = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr (GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = (guint) MAX (after_useq, 0); i < room->updates->len; i++)
    {
      Update *update = &g_array_index (room->updates, Update, i);

      if (update->seq > up_to_seq)
        continue;
      if (!g_hash_table_contains (newest, &update->seq))
        g_array_append_val (order, i);
      g_hash_table_insert (newest, &update->seq, update);
    }

  for (guint k = 0; k < order->len; k++)
    {
      Update *first = &g_array_index (room->updates, Update, g_array_index (order, guint, k));
      Update *last = g_hash_table_lookup (newest, &first->seq);

      func (room->log->pdata[last->seq - 1], last->useq, user_data);
    }
}

gint64
tto_relay_room_get_last_seq (TtoRelayRoom *room)
{
  return (gint64) room->log->len;
}

gint64
tto_relay_room_get_last_useq (TtoRelayRoom *room)
{
  return (gint64) room->updates->len;
}

guint
tto_relay_room_get_message_count (TtoRelayRoom *room)
{
  return room->log->len;
}

gsize
tto_relay_room_get_bytes_held (TtoRelayRoom *room)
{
  return room->bytes_held;
}

gint64
tto_relay_room_get_read (TtoRelayRoom *room,
                         const char *identity_id)
{
  gint64 *seq = g_hash_table_lookup (room->reads, identity_id);

  return seq != NULL ? *seq : 0;
}

/* Moves a member's read position forward; never back. */
gboolean
tto_relay_room_set_read (TtoRelayRoom *room,
                         const char *identity_id,
                         gint64 seq)
{
  if (seq <= tto_relay_room_get_read (room, identity_id))
    return FALSE;

  g_hash_table_replace (room->reads, g_strdup (identity_id), g_memdup2 (&seq, sizeof seq));
  g_hash_table_add (room->pending_reads, g_strdup (identity_id));
  return TRUE;
}

/* Every member's position, 0 for those who read nothing yet. */
JsonObject *
tto_relay_room_reads_json (TtoRelayRoom *room)
{
  JsonObject *reads = json_object_new ();
  GHashTableIter iter;
  gpointer id;

  g_hash_table_iter_init (&iter, room->members);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    json_object_set_int_member (reads, id, tto_relay_room_get_read (room, id));

  return reads;
}

/* The positions changed since the last call, or NULL. */
JsonObject *
tto_relay_room_take_pending_reads (TtoRelayRoom *room)
{
  JsonObject *reads;
  GHashTableIter iter;
  gpointer id;

  if (g_hash_table_size (room->pending_reads) == 0)
    return NULL;

  reads = json_object_new ();
  g_hash_table_iter_init (&iter, room->pending_reads);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    json_object_set_int_member (reads, id, tto_relay_room_get_read (room, id));
  g_hash_table_remove_all (room->pending_reads);

  return reads;
}

/* Zeroes and frees every message. The event's end calls this; so does
 * freeing the room. */
void
tto_relay_room_wipe (TtoRelayRoom *room)
{
  g_hash_table_remove_all (room->by_client_id);
  g_hash_table_remove_all (room->by_msg_id);
  g_ptr_array_set_size (room->log, 0);
  g_array_set_size (room->updates, 0);
  g_hash_table_remove_all (room->reads);
  g_hash_table_remove_all (room->pending_reads);
  room->bytes_held = 0;
}

gboolean
tto_relay_room_get_ending (TtoRelayRoom *room)
{
  return room->ending;
}

void
tto_relay_room_set_ending (TtoRelayRoom *room)
{
  room->ending = TRUE;
}

guint
tto_relay_room_get_flush_source (TtoRelayRoom *room)
{
  return room->flush_source;
}

void
tto_relay_room_set_flush_source (TtoRelayRoom *room,
                                 guint source_id)
{
  room->flush_source = source_id;
}

void
tto_relay_application_free (TtoRelayApplication *application)
{
  if (application == NULL)
    return;

  g_free (application->identity_id);
  g_free (application->display_name);
  g_free (application->reason);
  g_strfreev (application->evidence);
  g_free (application->status);
  g_free (application->message);
  g_free (application);
}

JsonObject *
tto_relay_application_to_json (const TtoRelayApplication *application,
                               const char *event_id)
{
  JsonObject *object = json_object_new ();
  JsonObject *badges = json_object_new ();
  JsonArray *evidence = json_array_new ();

  for (guint i = 0; application->evidence != NULL && application->evidence[i] != NULL; i++)
    json_array_add_string_element (evidence, application->evidence[i]);
  json_object_set_boolean_member (badges, "third_party", application->third_party_verified);
  json_object_set_boolean_member (badges, "phone", application->phone_verified);
  json_object_set_boolean_member (badges, "id", application->id_verified);

  json_object_set_string_member (object, "event_id", event_id);
  json_object_set_string_member (object, "identity_id", application->identity_id);
  json_object_set_string_member (object, "display_name", application->display_name);
  json_object_set_string_member (object, "reason", application->reason);
  json_object_set_array_member (object, "evidence", evidence);
  json_object_set_string_member (object, "status", application->status);
  json_object_set_string_member (object, "message", application->message);
  json_object_set_int_member (object, "created_at", application->created_at);
  json_object_set_object_member (object, "badges", badges);

  return object;
}

/* Takes @application, replacing an earlier one of the same identity. */
void
tto_relay_room_put_application (TtoRelayRoom *room,
                                TtoRelayApplication *application)
{
  g_hash_table_replace (room->applications, application->identity_id, application);
}

TtoRelayApplication *
tto_relay_room_get_application (TtoRelayRoom *room,
                                const char *identity_id)
{
  return identity_id != NULL ? g_hash_table_lookup (room->applications, identity_id) : NULL;
}

gboolean
tto_relay_room_remove_application (TtoRelayRoom *room,
                                   const char *identity_id)
{
  return g_hash_table_remove (room->applications, identity_id);
}

static gint
compare_applications (gconstpointer a,
                      gconstpointer b)
{
  const TtoRelayApplication *x = a;
  const TtoRelayApplication *y = b;

  return (x->created_at > y->created_at) - (x->created_at < y->created_at);
}

/* Oldest first; the list is the caller's, the applications are not. */
GList *
tto_relay_room_get_applications (TtoRelayRoom *room)
{
  return g_list_sort (g_hash_table_get_values (room->applications), compare_applications);
}

void
tto_relay_room_set_invite_code (TtoRelayRoom *room,
                                const char *code)
{
  tto_event_set_invite_code (room->event, code);
}
