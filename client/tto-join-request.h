/* tto-join-request.h: one application to join an event under review
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define TTO_TYPE_JOIN_REQUEST (tto_join_request_get_type ())
G_DECLARE_FINAL_TYPE (TtoJoinRequest, tto_join_request, TTO, JOIN_REQUEST, GObject)

/* status: "pending", "more_info" (the reviewer asked for more), and on the
 * applicant's side after the decision "approved" or "rejected". */
#define TTO_JOIN_REQUEST_PENDING "pending"
#define TTO_JOIN_REQUEST_MORE_INFO "more_info"
#define TTO_JOIN_REQUEST_APPROVED "approved"
#define TTO_JOIN_REQUEST_REJECTED "rejected"

TtoJoinRequest *tto_join_request_new_from_json (JsonObject *application,
                                                GError **error);
void tto_join_request_update_from_json (TtoJoinRequest *self,
                                        JsonObject *application);
const char *tto_join_request_get_event_id (TtoJoinRequest *self);
const char *tto_join_request_get_event_title (TtoJoinRequest *self);
void tto_join_request_set_event_title (TtoJoinRequest *self,
                                       const char *title);
const char *tto_join_request_get_identity_id (TtoJoinRequest *self);
const char *tto_join_request_get_display_name (TtoJoinRequest *self);
const char *tto_join_request_get_reason (TtoJoinRequest *self);
const char *tto_join_request_get_status (TtoJoinRequest *self);
void tto_join_request_set_status (TtoJoinRequest *self,
                                  const char *status,
                                  const char *message);
const char *tto_join_request_get_message (TtoJoinRequest *self);
gint64 tto_join_request_get_created_at (TtoJoinRequest *self);
gboolean tto_join_request_get_badge (TtoJoinRequest *self,
                                     const char *badge);
const char *const *tto_join_request_get_evidence (TtoJoinRequest *self);

G_END_DECLS
