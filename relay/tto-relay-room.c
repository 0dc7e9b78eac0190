/* tto-relay-room.c: one live event in relay memory: members and message log
 *
 * The log is the only place message content lives. It is an array indexed
 * by seq - 1, so resume is a slice and seq stays gap-free. This module is
 * the seam where a shared in-memory engine (Valkey without persistence)
 * could later replace the array.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <string.h>

#include "tto-ids.h"
#include "tto-relay-room.h"
#include "tto-frame.h"
#include "tto-message.h"

struct _TtoRelayRoom
{
  TtoEvent *event;
  GHashTable *members;     /* identity id → TtoMember */
  GPtrArray *log;          /* TtoRelayEntry, seq = index + 1 */
  GHashTable *by_client_id;/* "sender id/client msg id" → TtoRelayEntry */
  gsize bytes_held;
  gboolean ending; /* its rows are being deleted */
};

static void
entry_free (gpointer data)
{
  TtoRelayEntry *entry = data;

  g_free (entry->msg_id);
  g_free (entry->client_msg_id);
  g_free (entry->sender_id);
  if (entry->frame != NULL)
    explicit_bzero (entry->frame, entry->frame_length);
  g_free (entry->frame);
  g_free (entry);
}

TtoRelayRoom *
tto_relay_room_new (TtoEvent *event)
{
  TtoRelayRoom *room = g_new0 (TtoRelayRoom, 1);

  room->event = g_object_ref (event);
  room->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  room->log = g_ptr_array_new_with_free_func (entry_free);
  room->by_client_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  return room;
}

void
tto_relay_room_free (TtoRelayRoom *room)
{
  if (room == NULL)
    return;

  tto_relay_room_wipe (room);
  g_ptr_array_unref (room->log);
  g_hash_table_unref (room->by_client_id);
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

/* Appends a message, or returns the one already sent with the same client
 * message id by the same sender, so that retries are harmless. */
const TtoRelayEntry *
tto_relay_room_append (TtoRelayRoom *room,
                       TtoMember *sender,
                       const char *client_msg_id,
                       const char *text,
                       gint64 ts,
                       gboolean *out_duplicate)
{
  g_autofree char *key = g_strdup_printf ("%s/%s", tto_member_get_identity_id (sender),
                                          client_msg_id);
  g_autoptr (JsonObject) body = json_object_new ();
  g_autoptr (TtoFrame) frame = NULL;
  TtoRelayEntry *entry;

  entry = g_hash_table_lookup (room->by_client_id, key);
  *out_duplicate = entry != NULL;
  if (entry != NULL)
    return entry;

  entry = g_new0 (TtoRelayEntry, 1);
  entry->seq = (gint64) room->log->len + 1;
  entry->ts = ts;
  entry->msg_id = tto_id_new ();
  entry->client_msg_id = g_strdup (client_msg_id);
  entry->sender_id = g_strdup (tto_member_get_identity_id (sender));
  entry->text_length = strlen (text);

  json_object_set_string_member (body, "event_id", tto_relay_room_get_id (room));
  json_object_set_int_member (body, "seq", entry->seq);
  json_object_set_string_member (body, "msg_id", entry->msg_id);
  json_object_set_string_member (body, "client_msg_id", client_msg_id);
  json_object_set_string_member (body, "sender_id", entry->sender_id);
  json_object_set_string_member (body, "sender_name", tto_member_get_display_name (sender));
  json_object_set_string_member (body, "text", text);
  json_object_set_int_member (body, "ts", ts);
  frame = tto_frame_new (TTO_FRAME_MSG_NEW, NULL, json_object_ref (body));
  entry->frame = tto_frame_serialize (frame, &entry->frame_length);
  /* The builder's copy of the text is ours to wipe too. */
  tto_frame_wipe (frame);

  g_ptr_array_add (room->log, entry);
  g_hash_table_insert (room->by_client_id, g_steal_pointer (&key), entry);
  room->bytes_held += entry->frame_length;
  tto_event_set_last_seq (room->event, entry->seq);

  return entry;
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

gint64
tto_relay_room_get_last_seq (TtoRelayRoom *room)
{
  return (gint64) room->log->len;
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

/* Zeroes and frees every message. The event's end calls this; so does
 * freeing the room. */
void
tto_relay_room_wipe (TtoRelayRoom *room)
{
  g_hash_table_remove_all (room->by_client_id);
  g_ptr_array_set_size (room->log, 0);
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
