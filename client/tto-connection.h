/* tto-connection.h: the one WebSocket to the relay
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "tto-blob-transfer.h"

G_BEGIN_DECLS

#define TTO_CONNECTION_ERROR (tto_connection_error_quark ())

typedef enum
{
  TTO_CONNECTION_ERROR_BAD_URL,       /* the relay address is not a ws:// or wss:// URL */
  TTO_CONNECTION_ERROR_UNREACHABLE,   /* the WebSocket could not be opened */
  TTO_CONNECTION_ERROR_DISCONNECTED,  /* the request was lost with the connection */
  TTO_CONNECTION_ERROR_NOT_SIGNED_IN, /* no identity yet */
  TTO_CONNECTION_ERROR_IDENTITY_LOST, /* the relay no longer knows our identity */
  TTO_CONNECTION_ERROR_CLOSED,        /* tto_connection_close() was called */
  /* TLS: the certificate no CA vouches for is not pinned yet (ask, TOFU) */
  TTO_CONNECTION_ERROR_UNTRUSTED_CERTIFICATE,
  /* TLS: the relay shows another certificate than the one pinned (refused) */
  TTO_CONNECTION_ERROR_CERTIFICATE_CHANGED,
} TtoConnectionError;

GQuark tto_connection_error_quark (void);

typedef enum
{
  TTO_CONNECTION_STATE_DISCONNECTED,
  TTO_CONNECTION_STATE_CONNECTING,
  TTO_CONNECTION_STATE_CONNECTED,
} TtoConnectionState;

GType tto_connection_state_get_type (void);
#define TTO_TYPE_CONNECTION_STATE (tto_connection_state_get_type ())

#define TTO_TYPE_CONNECTION (tto_connection_get_type ())
G_DECLARE_FINAL_TYPE (TtoConnection, tto_connection, TTO, CONNECTION, GObject)

TtoConnection *tto_connection_new (const char *url);
const char *tto_connection_get_url (TtoConnection *self);
TtoConnectionState tto_connection_get_state (TtoConnection *self);
const char *tto_connection_get_identity_id (TtoConnection *self);
const char *tto_connection_get_display_name (TtoConnection *self);

void tto_connection_create_identity_async (TtoConnection *self,
                                           const char *display_name,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data);
gboolean tto_connection_create_identity_finish (TtoConnection *self,
                                                GAsyncResult *result,
                                                GError **error);

void tto_connection_open_async (TtoConnection *self,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
gboolean tto_connection_open_finish (TtoConnection *self,
                                     GAsyncResult *result,
                                     GError **error);
void tto_connection_sign_in_async (TtoConnection *self,
                                   const char *type,
                                   JsonObject *body,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
JsonObject *tto_connection_sign_in_finish (TtoConnection *self,
                                           GAsyncResult *result,
                                           GError **error);
JsonObject *tto_connection_get_error_body (GAsyncResult *result);
void tto_connection_set_token (TtoConnection *self,
                               const char *token);

void tto_connection_request_async (TtoConnection *self,
                                   const char *type,
                                   JsonObject *body,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
JsonObject *tto_connection_request_finish (TtoConnection *self,
                                           GAsyncResult *result,
                                           GError **error);

void tto_connection_send_message_async (TtoConnection *self,
                                        const char *event_id,
                                        const char *client_msg_id,
                                        const char *text,
                                        const char *reply_to,
                                        const char *const *mentions,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
void tto_connection_send_attachment_async (TtoConnection *self,
                                           const char *event_id,
                                           const char *client_msg_id,
                                           const char *text,
                                           JsonObject *attachment,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data);
JsonObject *tto_connection_send_message_finish (TtoConnection *self,
                                                GAsyncResult *result,
                                                GError **error);

void tto_connection_watch_event (TtoConnection *self,
                                 const char *event_id,
                                 gint64 last_seq);
gint64 tto_connection_get_useq (TtoConnection *self,
                                const char *event_id);
void tto_connection_note_useq (TtoConnection *self,
                               const char *event_id,
                               gint64 useq);
void tto_connection_forget_event (TtoConnection *self,
                                  const char *event_id);
guint tto_connection_get_outbox_length (TtoConnection *self);
void tto_connection_drop (TtoConnection *self);
TtoBlobTransfer *tto_connection_get_blob_transfer (TtoConnection *self);
void tto_connection_close (TtoConnection *self);

/* Topics: new messages go to the topic the chat shows. */
void tto_connection_set_send_topic (TtoConnection *self,
                                    const char *event_id,
                                    const char *topic_id);
const char *tto_connection_get_send_topic (TtoConnection *self,
                                           const char *event_id);

G_END_DECLS
