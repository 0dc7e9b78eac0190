/* tto-relay-private.h: state shared by the relay's modules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "tto-frame.h"
#include "tto-relay-blobs.h"
#include "tto-relay-clock.h"
#include "tto-relay-config.h"
#include "tto-relay-room.h"
#include "tto-relay-store.h"
#include "tto-relay-wire.h"
#include "tto-relay.h"

G_BEGIN_DECLS

typedef struct _TtoRelayConn TtoRelayConn;
typedef struct _TtoRelayIdentity TtoRelayIdentity;
typedef struct _TtoRelayOidc TtoRelayOidc;

#define TTO_RELAY_READS_BATCH_MS 200

struct _TtoRelay
{
  TtoRelayConfig *config;
  TtoRelayStore *store;
  TtoRelayBlobs *blobs;
  SoupServer *server;
  guint port;

  GHashTable *rooms;   /* event id → TtoRelayRoom */
  GHashTable *invites; /* invite code → TtoRelayRoom (borrowed) */
  GHashTable *online;  /* identity id → GPtrArray of TtoRelayConn (borrowed) */
  GHashTable *conns;   /* TtoRelayConn set (one reference each) */

  GHashTable *calls;   /* call id → TtoRelayCall (tto-relay-calls.c) */
  guint sweep_source;
  guint keepalive_source;
  gboolean sweeping_identities;
  TtoRelayIdentity *identity; /* codes and rate limits (tto-relay-identity.c) */
  TtoRelayOidc *oidc;         /* third-party sign-in (tto-relay-oidc.c) */
};

struct _TtoRelayConn
{
  gatomicrefcount ref;
  TtoRelay *relay; /* NULL once the relay or the socket is gone */
  TtoRelayWire *wire;
  char *identity_id;
  char *identity_kind;
  char *display_name;
  /* While identity.create or auth is in flight, later frames wait here so a
   * client may pipeline "auth, resume". */
  gboolean authenticating;
  GQueue held_frames; /* GBytes */
  /* What the identity has proven; join rules look at these. */
  gboolean third_party_verified;
  gboolean phone_verified;
  gboolean id_verified;
  gboolean email_verified;
  char *peer_address; /* the client's IP address, for rate limits */
  /* The hash of the token this connection signed in or authenticated with,
   * for identity.sign_out and for replacing it on a new sign-in. */
  guint8 token_hash[TTO_RELAY_TOKEN_HASH_BYTES];
  gboolean has_token_hash;
  GInetAddress *peer_inet; /* the same, for events' allow-lists (tto-relay-access.c) */
};

typedef void (*TtoRelayHandler) (TtoRelayConn *conn,
                                 TtoFrame *frame);

/* One frame type a module answers. Each module with frames of its own
 * exports a table of these, listed in route_tables in tto-relay-handlers.c. */
typedef struct
{
  const char *type;
  gboolean needs_identity;
  TtoRelayHandler handler;
} TtoRelayRoute;

TtoRelayConn *tto_relay_conn_ref (TtoRelayConn *conn);
void tto_relay_conn_unref (TtoRelayConn *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TtoRelayConn, tto_relay_conn_unref)

/* tto-relay.c: registry and fan-out */
void tto_relay_add_room (TtoRelay *relay,
                         TtoRelayRoom *room);
TtoRelayRoom *tto_relay_find_room (TtoRelay *relay,
                                   const char *event_id);
TtoRelayRoom *tto_relay_find_room_by_invite (TtoRelay *relay,
                                             const char *code);
void tto_relay_end_room (TtoRelay *relay,
                         const char *event_id,
                         const char *reason);
void tto_relay_set_online (TtoRelay *relay,
                           TtoRelayConn *conn,
                           const char *identity_id,
                           const char *kind,
                           const char *display_name);
void tto_relay_send (TtoRelayConn *conn,
                     const TtoFrame *frame);
void tto_relay_send_raw (TtoRelayConn *conn,
                         const char *text);
void tto_relay_send_bytes (TtoRelayConn *conn,
                           GBytes *frame);
void tto_relay_send_to_room (TtoRelay *relay,
                             TtoRelayRoom *room,
                             const char *text,
                             const char *except_identity_id);
JsonObject *tto_relay_event_json (TtoRelayRoom *room,
                                  const char *identity_id);
GStrv tto_relay_online_ids (TtoRelay *relay);
void tto_relay_schedule_reads (TtoRelay *relay,
                               TtoRelayRoom *room);
void tto_relay_push_event_updated (TtoRelay *relay,
                                   TtoRelayRoom *room);
void tto_relay_push_member_updated (TtoRelay *relay,
                                    TtoRelayRoom *room,
                                    TtoMember *member);
void tto_relay_forget_identity (TtoRelay *relay,
                                const char *identity_id);

/* tto-relay-http.c */
gboolean tto_relay_http_start (TtoRelay *relay,
                               GError **error);
void tto_relay_http_stop (TtoRelay *relay);

/* tto-relay-handlers.c */
void tto_relay_reply_ok (TtoRelayConn *conn,
                         const char *id,
                         JsonObject *body);
void tto_relay_reply_error (TtoRelayConn *conn,
                            const char *id,
                            TtoProtocolError code,
                            const char *format,
                            ...) G_GNUC_PRINTF (4, 5);
TtoRelayRoom *tto_relay_member_room (TtoRelayConn *conn,
                                     TtoFrame *frame);
gboolean tto_relay_form_enabled (TtoRelayConn *conn,
                                 TtoFrame *frame,
                                 TtoRelayRoom *room,
                                 const char *form);
void tto_relay_handle_text (TtoRelayConn *conn,
                            GBytes *message);
void tto_relay_conn_closed (TtoRelayConn *conn);

/* tto-relay-calls.c */
void tto_relay_handle_call_config (TtoRelayConn *conn,
                                   TtoFrame *frame);
void tto_relay_handle_call_invite (TtoRelayConn *conn,
                                   TtoFrame *frame);
void tto_relay_handle_call_accept (TtoRelayConn *conn,
                                   TtoFrame *frame);
void tto_relay_handle_call_decline (TtoRelayConn *conn,
                                    TtoFrame *frame);
void tto_relay_handle_call_hangup (TtoRelayConn *conn,
                                   TtoFrame *frame);
void tto_relay_handle_call_signal (TtoRelayConn *conn,
                                   TtoFrame *frame);
void tto_relay_handle_call_recording (TtoRelayConn *conn,
                                      TtoFrame *frame);
void tto_relay_calls_identity_offline (TtoRelay *relay,
                                       const char *identity_id);
void tto_relay_calls_end_event (TtoRelay *relay,
                                const char *event_id);
void tto_relay_calls_member_removed (TtoRelay *relay,
                                     const char *event_id,
                                     const char *identity_id);

/* tto-relay-review.c */
gboolean tto_relay_review_admit (TtoRelayConn *conn,
                                 TtoFrame *frame,
                                 TtoRelayRoom *room);
void tto_relay_handle_application_update (TtoRelayConn *conn,
                                          TtoFrame *frame);
void tto_relay_handle_review_list (TtoRelayConn *conn,
                                   TtoFrame *frame);
void tto_relay_handle_review_decide (TtoRelayConn *conn,
                                     TtoFrame *frame);
void tto_relay_handle_member_remove (TtoRelayConn *conn,
                                     TtoFrame *frame);
void tto_relay_handle_rotate_code (TtoRelayConn *conn,
                                   TtoFrame *frame);

/* tto-relay-history.c */
extern const TtoRelayRoute tto_relay_history_routes[];
extern const guint tto_relay_history_n_routes;

/* tto-relay-identity.c */
extern const TtoRelayRoute tto_relay_identity_routes[];
extern const guint tto_relay_identity_n_routes;
void tto_relay_finish_authenticating (TtoRelayConn *conn);

/* tto-relay-oidc.c */
extern const TtoRelayRoute tto_relay_oidc_routes[];
extern const guint tto_relay_oidc_n_routes;

/* tto-relay-sweeper.c */
void tto_relay_sweeper_start (TtoRelay *relay);
void tto_relay_sweeper_stop (TtoRelay *relay);
void tto_relay_sweep (TtoRelay *relay);

G_END_DECLS
