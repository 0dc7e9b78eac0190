/* tto-relay-access.h: where a client connects from, and whether an event's
 * IP allow-list lets it in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tto-relay-private.h"

G_BEGIN_DECLS

/* What members outside an event's allow-list are told. */
#define TTO_RELAY_ACCESS_REFUSED "your network is not allowed to join this event"
#define TTO_RELAY_ACCESS_LOCKED_OUT "your network is not allowed in this event"

GInetAddress *tto_relay_access_client_address (TtoRelayConfig *config,
                                               SoupServerMessage *msg);
gboolean tto_relay_access_allows (TtoRelayRoom *room,
                                  const char *identity_id,
                                  GInetAddress *address);
gboolean tto_relay_access_conn_allowed (TtoRelayConn *conn,
                                        TtoRelayRoom *room);

/* Pushes meant for one person (proposals, review, call rings): only to
 * the connections @room's allow-list lets in; the creator's all. */
guint tto_relay_access_send_text_to_identity (TtoRelay *relay,
                                              TtoRelayRoom *room,
                                              const char *identity_id,
                                              const char *text);
guint tto_relay_access_send_to_identity (TtoRelay *relay,
                                         TtoRelayRoom *room,
                                         const char *identity_id,
                                         const TtoFrame *frame);

G_END_DECLS
