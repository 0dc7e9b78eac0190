/* tto-session.h: what one signed-in identity sees (events and messages)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tto-connection.h"
#include "tto-shared.h"

G_BEGIN_DECLS

#define TTO_SESSION_ERROR (tto_session_error_quark ())

typedef enum
{
  TTO_SESSION_ERROR_EMPTY_NAME,
  TTO_SESSION_ERROR_NAME_TOO_LONG,
  TTO_SESSION_ERROR_EMPTY_TITLE,
  TTO_SESSION_ERROR_TITLE_TOO_LONG,
  TTO_SESSION_ERROR_CONTENT_TOO_LONG,
  TTO_SESSION_ERROR_ANNOUNCEMENT_TOO_LONG,
  TTO_SESSION_ERROR_DEADLINE_PASSED,
  TTO_SESSION_ERROR_MALFORMED_CODE,
  TTO_SESSION_ERROR_EMPTY_MESSAGE,
  TTO_SESSION_ERROR_MESSAGE_TOO_LONG,
  TTO_SESSION_ERROR_EVENT_ENDED,
} TtoSessionError;

GQuark tto_session_error_quark (void);

#define TTO_TYPE_SESSION (tto_session_get_type ())
G_DECLARE_FINAL_TYPE (TtoSession, tto_session, TTO, SESSION, GObject)

TtoSession *tto_session_new (const char *relay_url);
TtoConnection *tto_session_get_connection (TtoSession *self);
const char *tto_session_get_identity_id (TtoSession *self);
GListModel *tto_session_get_events (TtoSession *self);
GListModel *tto_session_get_created_events (TtoSession *self);
GListModel *tto_session_get_joined_events (TtoSession *self);
TtoEvent *tto_session_lookup_event (TtoSession *self,
                                    const char *event_id);
GListModel *tto_session_get_messages (TtoSession *self,
                                      TtoEvent *event);
TtoEvent *tto_session_get_open_event (TtoSession *self);
void tto_session_set_open_event (TtoSession *self,
                                 TtoEvent *event);

void tto_session_sign_in_async (TtoSession *self,
                                const char *display_name,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
gboolean tto_session_sign_in_finish (TtoSession *self,
                                     GAsyncResult *result,
                                     GError **error);

void tto_session_create_event_async (TtoSession *self,
                                     const char *title,
                                     const char *content,
                                     const char *announcement,
                                     gint64 deadline,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
TtoEvent *tto_session_create_event_finish (TtoSession *self,
                                           GAsyncResult *result,
                                           GError **error);

void tto_session_join_event_async (TtoSession *self,
                                   const char *invite_code,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
TtoEvent *tto_session_join_event_finish (TtoSession *self,
                                         GAsyncResult *result,
                                         GError **error);

void tto_session_end_event_async (TtoSession *self,
                                  TtoEvent *event,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
gboolean tto_session_end_event_finish (TtoSession *self,
                                       GAsyncResult *result,
                                       GError **error);

TtoMessage *tto_session_send_message (TtoSession *self,
                                      TtoEvent *event,
                                      const char *text,
                                      GError **error);

void tto_session_sign_out (TtoSession *self);

G_END_DECLS
