/* tto-relay-room.h: one live event in relay memory: members, message log,
 * updates and read positions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "tto-event.h"
#include "tto-member.h"
#include "tto-message.h"

G_BEGIN_DECLS

typedef struct _TtoRelayRoom TtoRelayRoom;

/* One accepted message. @frame is its msg.new as it is now (edited or
 * recalled), made once per change and sent as is to every member. */
typedef struct
{
  TtoMessage *message;
  char *frame;
  gsize frame_length;
} TtoRelayEntry;

/* A request to join an event under review. */
typedef struct
{
  char *identity_id;
  char *display_name;
  char *reason;
  GStrv evidence; /* blob ids */
  char *status;   /* "pending" or "more_info" */
  char *message;  /* what the reviewer asked for */
  gint64 created_at;
  gboolean third_party_verified;
  gboolean phone_verified;
  gboolean id_verified;
} TtoRelayApplication;

void tto_relay_application_free (TtoRelayApplication *application);
JsonObject *tto_relay_application_to_json (const TtoRelayApplication *application,
                                           const char *event_id);

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
void tto_relay_room_iter_members (TtoRelayRoom *room,
                                  GHashTableIter *iter);

const TtoRelayEntry *tto_relay_room_append (TtoRelayRoom *room,
                                            TtoMember *sender,
                                            const char *client_msg_id,
                                            const char *text,
                                            gint64 ts,
                                            const TtoRelayEntry *reply_to,
                                            const char *const *mentions,
                                            JsonObject *attachment,
                                            gboolean *out_duplicate);
const TtoRelayEntry *tto_relay_room_append_system (TtoRelayRoom *room,
                                                   TtoMember *sender,
                                                   const char *text,
                                                   JsonObject *system_event,
                                                   gint64 ts);
/* The flow module's state (tto-relay-flow.c), freed with the room. */
gpointer tto_relay_room_get_flow (TtoRelayRoom *room);
void tto_relay_room_set_flow (TtoRelayRoom *room,
                              gpointer flow,
                              GDestroyNotify flow_free);
const TtoRelayEntry *tto_relay_room_find_sent (TtoRelayRoom *room,
                                               const char *sender_id,
                                               const char *client_msg_id);
const TtoRelayEntry *tto_relay_room_find (TtoRelayRoom *room,
                                          const char *msg_id);
const TtoRelayEntry *tto_relay_room_get_entry (TtoRelayRoom *room,
                                               gint64 seq);
gint64 tto_relay_room_edit (TtoRelayRoom *room,
                            const TtoRelayEntry *entry,
                            const char *text,
                            gint64 edited_at,
                            GPtrArray *changed);
gint64 tto_relay_room_recall (TtoRelayRoom *room,
                              const TtoRelayEntry *entry,
                              const char *recalled_by,
                              GPtrArray *changed);
gint64 tto_relay_room_set_topic (TtoRelayRoom *room,
                                 const TtoRelayEntry *entry,
                                 const char *topic_id,
                                 GPtrArray *changed);
/* The topic tree's state (tto-relay-topics.c), freed with the room. */
gpointer tto_relay_room_get_topics (TtoRelayRoom *room);
void tto_relay_room_set_topics (TtoRelayRoom *room,
                                gpointer topics,
                                GDestroyNotify topics_free);
char *tto_relay_room_update_frame (TtoRelayRoom *room,
                                   const TtoRelayEntry *entry,
                                   gint64 useq);
void tto_relay_room_foreach_since (TtoRelayRoom *room,
                                   gint64 after_seq,
                                   TtoRelayEntryFunc func,
                                   gpointer user_data);
void tto_relay_room_foreach_update_since (TtoRelayRoom *room,
                                          gint64 after_useq,
                                          gint64 up_to_seq,
                                          void (*func) (const TtoRelayEntry *entry,
                                                        gint64 useq,
                                                        gpointer user_data),
                                          gpointer user_data);
gint64 tto_relay_room_get_last_seq (TtoRelayRoom *room);
gint64 tto_relay_room_get_last_useq (TtoRelayRoom *room);
guint tto_relay_room_get_message_count (TtoRelayRoom *room);
gsize tto_relay_room_get_bytes_held (TtoRelayRoom *room);

gint64 tto_relay_room_get_read (TtoRelayRoom *room,
                                const char *identity_id);
gboolean tto_relay_room_set_read (TtoRelayRoom *room,
                                  const char *identity_id,
                                  gint64 seq);
JsonObject *tto_relay_room_reads_json (TtoRelayRoom *room);
JsonObject *tto_relay_room_take_pending_reads (TtoRelayRoom *room);

void tto_relay_room_put_application (TtoRelayRoom *room,
                                     TtoRelayApplication *application);
TtoRelayApplication *tto_relay_room_get_application (TtoRelayRoom *room,
                                                     const char *identity_id);
gboolean tto_relay_room_remove_application (TtoRelayRoom *room,
                                            const char *identity_id);
GList *tto_relay_room_get_applications (TtoRelayRoom *room);
void tto_relay_room_set_invite_code (TtoRelayRoom *room,
                                     const char *code);

void tto_relay_room_wipe (TtoRelayRoom *room);
gboolean tto_relay_room_get_ending (TtoRelayRoom *room);
void tto_relay_room_set_ending (TtoRelayRoom *room);
guint tto_relay_room_get_flush_source (TtoRelayRoom *room);
void tto_relay_room_set_flush_source (TtoRelayRoom *room,
                                      guint source_id);

G_END_DECLS
