/* tto-session.h: what one signed-in identity sees (events and messages)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tto-connection.h"
#include "tto-identity.h"
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
  TTO_SESSION_ERROR_RECALLED, /* the quoted message was recalled */
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
                                     int edit_window,
                                     int recall_window,
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

TtoMessage *tto_session_send_message_full (TtoSession *self,
                                           TtoEvent *event,
                                           const char *text,
                                           TtoMessage *reply_to,
                                           const char *const *mentions,
                                           GError **error);
TtoMessage *tto_session_find_message (TtoSession *self,
                                      TtoEvent *event,
                                      gint64 seq,
                                      guint *out_position);

GListModel *tto_session_get_members (TtoSession *self,
                                     TtoEvent *event);
TtoMember *tto_session_lookup_member (TtoSession *self,
                                      TtoEvent *event,
                                      const char *identity_id);
void tto_session_load_event (TtoSession *self,
                             TtoEvent *event);
gint64 tto_session_get_read_position (TtoSession *self,
                                      TtoEvent *event,
                                      const char *identity_id);
gint64 tto_session_get_own_read_position (TtoSession *self,
                                          TtoEvent *event);
guint tto_session_list_readers (TtoSession *self,
                                TtoEvent *event,
                                TtoMessage *message,
                                GPtrArray *read,
                                GPtrArray *unread,
                                guint *out_total);
void tto_session_mark_read (TtoSession *self,
                            TtoEvent *event,
                            gint64 seq);
guint tto_session_get_unread_mentions (TtoSession *self,
                                       TtoEvent *event);

gboolean tto_session_can_edit (TtoSession *self,
                               TtoEvent *event,
                               TtoMessage *message,
                               gint64 now_ms);
gboolean tto_session_can_recall (TtoSession *self,
                                 TtoEvent *event,
                                 TtoMessage *message,
                                 gint64 now_ms);
void tto_session_edit_message_async (TtoSession *self,
                                     TtoEvent *event,
                                     TtoMessage *message,
                                     const char *text,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
gboolean tto_session_edit_message_finish (TtoSession *self,
                                          GAsyncResult *result,
                                          GError **error);
void tto_session_recall_message_async (TtoSession *self,
                                       TtoEvent *event,
                                       TtoMessage *message,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
gboolean tto_session_recall_message_finish (TtoSession *self,
                                            GAsyncResult *result,
                                            GError **error);

void tto_session_update_event_async (TtoSession *self,
                                     TtoEvent *event,
                                     int edit_window,
                                     int recall_window,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
gboolean tto_session_update_event_finish (TtoSession *self,
                                          GAsyncResult *result,
                                          GError **error);
void tto_session_grant_async (TtoSession *self,
                              TtoEvent *event,
                              const char *identity_id,
                              const char *permission,
                              gint64 duration,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
void tto_session_revoke_async (TtoSession *self,
                               TtoEvent *event,
                               const char *identity_id,
                               const char *permission,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
gboolean tto_session_member_change_finish (TtoSession *self,
                                           GAsyncResult *result,
                                           GError **error);

void tto_session_sign_out (TtoSession *self);
void tto_session_sign_out_async (TtoSession *self,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
gboolean tto_session_sign_out_finish (TtoSession *self,
                                      GAsyncResult *result,
                                      GError **error);

/* Identity: a session over a connection signed in by any method */
TtoSession *tto_session_new_for_identity (TtoConnection *connection,
                                          TtoIdentity *identity);
TtoIdentity *tto_session_get_identity (TtoSession *self);
void tto_session_load_async (TtoSession *self,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data);
gboolean tto_session_load_finish (TtoSession *self,
                                  GAsyncResult *result,
                                  GError **error);

TtoMessage *tto_session_add_pending_attachment (TtoSession *self,
                                                TtoEvent *event,
                                                const char *caption,
                                                JsonObject *attachment,
                                                GError **error);
void tto_session_send_pending_attachment (TtoSession *self,
                                          TtoMessage *message,
                                          JsonObject *attachment);
void tto_session_discard_pending (TtoSession *self,
                                  TtoMessage *message);

/* Governance: admission, join review, member removal, invite rotation */

#include "tto-join-request.h"

/* The end reason of an event whose creator removed this identity. */
#define TTO_SESSION_END_REASON_REMOVED "removed"

void tto_session_create_event_with_settings_async (TtoSession *self,
                                                   const char *title,
                                                   const char *content,
                                                   const char *announcement,
                                                   gint64 deadline,
                                                   int edit_window,
                                                   int recall_window,
                                                   JsonObject *settings,
                                                   GCancellable *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer user_data);
void tto_session_join_with_reason_async (TtoSession *self,
                                         const char *invite_code,
                                         const char *reason,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
TtoEvent *tto_session_join_with_reason_finish (TtoSession *self,
                                               GAsyncResult *result,
                                               TtoJoinRequest **out_request,
                                               GError **error);
GListModel *tto_session_get_applications (TtoSession *self);
void tto_session_dismiss_application (TtoSession *self,
                                      TtoJoinRequest *request);
GListModel *tto_session_get_review_queue (TtoSession *self,
                                          TtoEvent *event);
gboolean tto_session_can_review (TtoSession *self,
                                 TtoEvent *event);
void tto_session_load_review_queue (TtoSession *self,
                                    TtoEvent *event);
gboolean tto_session_governance_finish (TtoSession *self,
                                        GAsyncResult *result,
                                        GError **error);
void tto_session_update_settings_async (TtoSession *self,
                                        TtoEvent *event,
                                        JsonObject *fields,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
void tto_session_rotate_code_async (TtoSession *self,
                                    TtoEvent *event,
                                    gint64 expires_at,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
void tto_session_review_decide_async (TtoSession *self,
                                      TtoEvent *event,
                                      const char *const *identity_ids,
                                      const char *decision,
                                      const char *message,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
void tto_session_remove_member_async (TtoSession *self,
                                      TtoEvent *event,
                                      const char *identity_id,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
void tto_session_update_application_async (TtoSession *self,
                                           TtoJoinRequest *application,
                                           const char *reason,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data);
void tto_session_update_application_with_evidence_async (TtoSession *self,
                                                         TtoJoinRequest *application,
                                                         const char *reason,
                                                         const char *const *evidence,
                                                         GCancellable *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer user_data);

/* Event flow: stages, rules, tasks, points, meetings */

#include "tto-flow.h"

TtoFlow *tto_session_get_flow (TtoSession *self,
                               const char *event_id);
void tto_session_load_flow (TtoSession *self,
                            TtoEvent *event);
TtoFlow *tto_session_ensure_flow (TtoSession *self,
                                  TtoEvent *event);
gboolean tto_session_can_edit_flow (TtoSession *self,
                                    TtoEvent *event);
void tto_session_flow_request_async (TtoSession *self,
                                     TtoEvent *event,
                                     const char *type,
                                     JsonObject *body,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
JsonObject *tto_session_flow_request_finish (TtoSession *self,
                                             GAsyncResult *result,
                                             GError **error);
guint tto_session_get_reminders_sent (TtoSession *self);

/* Topics: the tree of sub-topics of each event */

#include "tto-topic-tree.h"

TtoTopicTree *tto_session_get_topic_tree (TtoSession *self,
                                          TtoEvent *event);
void tto_session_load_topics (TtoSession *self,
                              TtoEvent *event);

G_END_DECLS
