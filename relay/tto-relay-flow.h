/* tto-relay-flow.h: the event flow (stages, rules, points, tasks, meetings)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tto-relay-private.h"

G_BEGIN_DECLS

/* The flow frames, listed in route_tables in tto-relay-handlers.c. */
extern const TtoRelayRoute tto_relay_flow_routes[];
extern const guint tto_relay_flow_n_routes;

/* Start-up: reads every event's flow from the database. */
gboolean tto_relay_flow_load (TtoRelay *relay,
                              GError **error);

/* event.create: the new event's first stages (NULL: one stage "Main"). */
void tto_relay_flow_event_created (TtoRelay *relay,
                                   TtoRelayRoom *room,
                                   const char *const *stage_titles);

/* msg.send: FALSE (and the error answered) when the sender was
 * eliminated. */
gboolean tto_relay_flow_may_send (TtoRelayConn *conn,
                                  TtoFrame *frame,
                                  TtoRelayRoom *room);

/* msg.send accepted: the sender took part in the active stage. */
void tto_relay_flow_note_activity (TtoRelay *relay,
                                   TtoRelayRoom *room,
                                   const char *identity_id);

/* tto-relay-calls.c, before @identity_id leaves a call (also its last
 * participant, ending it): @participants maps identity ids to gint64*
 * join times in ms, the leaver still in it. */
void tto_relay_flow_call_leaving (TtoRelay *relay,
                                  const char *event_id,
                                  const char *kind,
                                  GHashTable *participants,
                                  const char *identity_id);

/* tto-relay-store-flow.c (its schema: tto-relay-store-private.h) */
typedef void (*TtoRelayStoreFlowFunc) (const char *event_id,
                                       JsonObject *flow,
                                       gpointer user_data);

gboolean tto_relay_store_load_flows (TtoRelayStore *store,
                                     TtoRelayStoreFlowFunc func,
                                     gpointer user_data,
                                     GError **error);
/* Replaces every flow row of the event by @flow (taken; the flow object
 * with "participant_ids" on each stage). */
void tto_relay_store_save_flow_async (TtoRelayStore *store,
                                      const char *event_id,
                                      JsonObject *flow,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);

G_END_DECLS
