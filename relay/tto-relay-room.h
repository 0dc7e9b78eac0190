/* tto-relay-room.h: one live event in relay memory: members and message log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "tto-event.h"
#include "tto-member.h"

G_BEGIN_DECLS

typedef struct _TtoRelayRoom TtoRelayRoom;

/* One accepted message. @frame is the serialised msg.new, made once and
 * sent as is to every member. */
typedef struct
{
  gint64 seq;
  gint64 ts;
  char *msg_id;
  char *client_msg_id;
  char *sender_id;
  char *frame;
  gsize frame_length;
  gsize text_length;
} TtoRelayEntry;

typedef void (*TtoRelayEntryFunc) (const TtoRelayEntry *entry,
                                   gpointer user_data);

TtoRelayRoom *tto_relay_room_new (TtoEvent *event);
void tto_relay_room_free (TtoRelayRoom *room);

TtoEvent *tto_relay_room_get_event (TtoRelayRoom *room);
const char *tto_relay_room_get_id (TtoRelayRoom *room);

void tto_relay_room_add_member (TtoRelayRoom *room,
                                TtoMember *member);
TtoMember *tto_relay_room_get_member (TtoRelayRoom *room,
                                      const char *identity_id);
gboolean tto_relay_room_remove_member (TtoRelayRoom *room,
                                       const char *identity_id);
guint tto_relay_room_get_member_count (TtoRelayRoom *room);
GList *tto_relay_room_get_members (TtoRelayRoom *room);

const TtoRelayEntry *tto_relay_room_append (TtoRelayRoom *room,
                                            TtoMember *sender,
                                            const char *client_msg_id,
                                            const char *text,
                                            gint64 ts,
                                            gboolean *out_duplicate);
void tto_relay_room_foreach_since (TtoRelayRoom *room,
                                   gint64 after_seq,
                                   TtoRelayEntryFunc func,
                                   gpointer user_data);
gint64 tto_relay_room_get_last_seq (TtoRelayRoom *room);
guint tto_relay_room_get_message_count (TtoRelayRoom *room);
gsize tto_relay_room_get_bytes_held (TtoRelayRoom *room);
void tto_relay_room_wipe (TtoRelayRoom *room);
gboolean tto_relay_room_get_ending (TtoRelayRoom *room);
void tto_relay_room_set_ending (TtoRelayRoom *room);

G_END_DECLS
