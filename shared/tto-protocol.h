/* tto-protocol.h: constants and error codes of the ThreeTwoOne wire protocol v1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define TTO_PROTOCOL_VERSION 1
/* A text frame larger than this is refused with bad_frame. */
#define TTO_PROTOCOL_MAX_FRAME_BYTES (64 * 1024)
/* Longest message text, in Unicode characters; longer is too_large. */
#define TTO_PROTOCOL_MAX_TEXT_CHARS 4000
#define TTO_PROTOCOL_MAX_NAME_CHARS 64
#define TTO_PROTOCOL_MAX_TITLE_CHARS 120
#define TTO_PROTOCOL_MAX_CONTENT_CHARS 4000
#define TTO_PROTOCOL_MAX_ANNOUNCEMENT_CHARS 2000
#define TTO_PROTOCOL_MAX_CLIENT_MSG_ID 64

#define TTO_PROTOCOL_ERROR (tto_protocol_error_quark ())

/* One value per wire error code; see shared/PROTOCOL.md. Keep in step with
 * the table in tto-protocol.c. */
typedef enum
{
  TTO_PROTOCOL_ERROR_BAD_FRAME,
  TTO_PROTOCOL_ERROR_UNSUPPORTED_VERSION,
  TTO_PROTOCOL_ERROR_UNAUTHORIZED,
  TTO_PROTOCOL_ERROR_FORBIDDEN,
  TTO_PROTOCOL_ERROR_NOT_FOUND,
  TTO_PROTOCOL_ERROR_TOO_LARGE,
  TTO_PROTOCOL_ERROR_RATE_LIMITED,
  TTO_PROTOCOL_ERROR_EXPIRED,
  TTO_PROTOCOL_ERROR_CONFLICT,
  TTO_PROTOCOL_ERROR_WRONG_FORM,
  TTO_PROTOCOL_ERROR_UNAVAILABLE,
  TTO_PROTOCOL_ERROR_INTERNAL,
  TTO_PROTOCOL_ERROR_BAD_CODE,
  TTO_PROTOCOL_ERROR_WEAK_PASSWORD,
} TtoProtocolError;

#define TTO_PROTOCOL_ERROR_LAST TTO_PROTOCOL_ERROR_WEAK_PASSWORD

GQuark tto_protocol_error_quark (void);
const char *tto_protocol_error_to_code (TtoProtocolError error);
TtoProtocolError tto_protocol_error_from_code (const char *code);
void tto_protocol_error_set_reason (GError *error,
                                    const char *reason,
                                    JsonObject *params);
const char *tto_protocol_error_get_reason (const GError *error);
JsonObject *tto_protocol_error_get_params (const GError *error);

/* Who sends a frame type. */
typedef enum
{
  TTO_FRAME_FROM_CLIENT = 1 << 0,
  TTO_FRAME_FROM_RELAY = 1 << 1,
} TtoFrameOrigin;

/* Frame types of protocol v1 */
#define TTO_FRAME_OK "ok"
#define TTO_FRAME_ERROR "error"
#define TTO_FRAME_IDENTITY_CREATE "identity.create"
#define TTO_FRAME_AUTH "auth"
#define TTO_FRAME_IDENTITY_METHODS "identity.methods"
#define TTO_FRAME_IDENTITY_CODE_REQUEST "identity.code.request"
#define TTO_FRAME_IDENTITY_CODE_VERIFY "identity.code.verify"
#define TTO_FRAME_IDENTITY_REGISTER "identity.register"
#define TTO_FRAME_IDENTITY_LOGIN "identity.login"
#define TTO_FRAME_IDENTITY_ID_CHECK "identity.id_check"
#define TTO_FRAME_IDENTITY_DELETE "identity.delete"
#define TTO_FRAME_IDENTITY_SIGN_OUT "identity.sign_out"
#define TTO_FRAME_IDENTITY_UPDATE "identity.update"
#define TTO_FRAME_IDENTITY_OIDC_BEGIN "identity.oidc.begin"
#define TTO_FRAME_IDENTITY_OIDC_FINISH "identity.oidc.finish"
#define TTO_FRAME_EVENT_CREATE "event.create"
#define TTO_FRAME_EVENT_GET "event.get"
#define TTO_FRAME_EVENT_JOIN "event.join"
#define TTO_FRAME_EVENT_LIST "event.list"
#define TTO_FRAME_HISTORY_LIST "history.list"
#define TTO_FRAME_HISTORY_DELETE "history.delete"
#define TTO_FRAME_EVENT_END "event.end"
/* Topics (shared/tto-frame-topics.c) */
#define TTO_FRAME_TOPIC_LIST "topic.list"
#define TTO_FRAME_TOPIC_CREATE "topic.create"
#define TTO_FRAME_TOPIC_RENAME "topic.rename"
#define TTO_FRAME_TOPIC_REMOVE "topic.remove"
#define TTO_FRAME_TOPIC_DECIDE "topic.decide"
#define TTO_FRAME_TOPIC_UPDATED "topic.updated"
#define TTO_FRAME_TOPIC_PROPOSED "topic.proposed"
#define TTO_FRAME_TOPIC_DECIDED "topic.decided"
#define TTO_TOPIC_MAIN "main"
#define TTO_PROTOCOL_MAX_TOPIC_TITLE_CHARS 80
#define TTO_PROTOCOL_MAX_TOPICS 100
#define TTO_FRAME_EVENT_ENDED "event.ended"
#define TTO_FRAME_MEMBER_JOINED "member.joined"
#define TTO_FRAME_MSG_SEND "msg.send"
#define TTO_FRAME_MSG_NEW "msg.new"
#define TTO_FRAME_RESUME "resume"
#define TTO_FRAME_PING "ping"
#define TTO_FRAME_MSG_EDIT "msg.edit"
#define TTO_FRAME_MSG_RECALL "msg.recall"
#define TTO_FRAME_MSG_UPDATED "msg.updated"
#define TTO_FRAME_RECEIPT_READ "receipt.read"
#define TTO_FRAME_RECEIPTS_UPDATED "receipts.updated"
#define TTO_FRAME_EVENT_UPDATE "event.update"
#define TTO_FRAME_EVENT_UPDATED "event.updated"
#define TTO_FRAME_MEMBER_GRANT "member.grant"
#define TTO_FRAME_MEMBER_REVOKE "member.revoke"
#define TTO_FRAME_MEMBER_UPDATED "member.updated"
#define TTO_FRAME_EXPORT_FETCH "export.fetch"

#define TTO_FRAME_CALL_CONFIG "call.config"
#define TTO_FRAME_CALL_INVITE "call.invite"
#define TTO_FRAME_CALL_ACCEPT "call.accept"
#define TTO_FRAME_CALL_DECLINE "call.decline"
#define TTO_FRAME_CALL_OFFER "call.offer"
#define TTO_FRAME_CALL_ANSWER "call.answer"
#define TTO_FRAME_CALL_ICE "call.ice"
#define TTO_FRAME_CALL_HANGUP "call.hangup"
#define TTO_FRAME_CALL_RECORDING "call.recording"
#define TTO_FRAME_CALL_RING "call.ring"
#define TTO_FRAME_CALL_STATE "call.state"

#define TTO_FRAME_EVENT_ROTATE_CODE "event.rotate_code"
#define TTO_FRAME_REVIEW_LIST "review.list"
#define TTO_FRAME_REVIEW_DECIDE "review.decide"
#define TTO_FRAME_APPLICATION_UPDATE "application.update"
#define TTO_FRAME_MEMBER_REMOVE "member.remove"
#define TTO_FRAME_REVIEW_NEW "review.new"
#define TTO_FRAME_REVIEW_DECIDED "review.decided"
#define TTO_FRAME_EVENT_REMOVED "event.removed"
#define TTO_FRAME_MEMBER_LEFT "member.left"

/* Event flow: stages, rules, points, tasks, meetings */
#define TTO_FRAME_FLOW_GET "flow.get"
#define TTO_FRAME_FLOW_SET_STAGES "flow.set_stages"
#define TTO_FRAME_FLOW_TEMPLATE "flow.template"
#define TTO_FRAME_FLOW_ADVANCE "flow.advance"
#define TTO_FRAME_FLOW_APPROVE "flow.approve"
#define TTO_FRAME_FLOW_RULES "flow.rules"
#define TTO_FRAME_FLOW_REPORT "flow.report"
#define TTO_FRAME_FLOW_UPDATED "flow.updated"
#define TTO_FRAME_POINTS_AWARD "points.award"
#define TTO_FRAME_POINTS_LIST "points.list"
#define TTO_FRAME_POINTS_AWARDED "points.awarded"
#define TTO_FRAME_TASK_ADD "task.add"
#define TTO_FRAME_TASK_REMOVE "task.remove"
#define TTO_FRAME_TASK_COMPLETE "task.complete"
#define TTO_FRAME_TASK_ANSWERS "task.answers"
#define TTO_FRAME_TASK_MARK "task.mark"
#define TTO_FRAME_MEETING_SET "meeting.set"
#define TTO_FRAME_MEETING_ATTEND "meeting.attend"

/* Task forms (how a task must be completed) */
#define TTO_TASK_FORM_TEXT_FORM "text_form"
#define TTO_TASK_FORM_FILE "file"
#define TTO_TASK_FORM_VOICE_MESSAGE "voice_message"
#define TTO_TASK_FORM_VIDEO_MESSAGE "video_message"
#define TTO_TASK_FORM_VIDEO_CALL "video_call"
#define TTO_TASK_FORM_OFFLINE_MEETING "offline_meeting"

#define TTO_PROTOCOL_MAX_STAGES 30
#define TTO_PROTOCOL_MAX_STAGE_TASKS 50
#define TTO_PROTOCOL_MAX_FORM_FIELDS 20
#define TTO_PROTOCOL_MAX_FIELD_CHOICES 20
#define TTO_PROTOCOL_MAX_MEETINGS 50
#define TTO_PROTOCOL_MAX_CONCLUSION_CHARS 2000
#define TTO_PROTOCOL_MAX_POINTS_REASON_CHARS 200
#define TTO_PROTOCOL_MAX_POINTS_DELTA 1000

#define TTO_PROTOCOL_MAX_REASON_CHARS 1000
#define TTO_PROTOCOL_MAX_EVIDENCE 5

/* Calls are a full mesh: each peer sends to every other. */
#define TTO_PROTOCOL_MAX_CALL_PEERS 6
#define TTO_PROTOCOL_MAX_SDP_BYTES (32 * 1024)

/* Communication forms the creator enables per event */
#define TTO_FORM_TEXT "text"
#define TTO_FORM_FILE "file"
#define TTO_FORM_VOICE_MESSAGE "voice_message"
#define TTO_FORM_VIDEO_MESSAGE "video_message"
#define TTO_FORM_VOICE_CALL "voice_call"
#define TTO_FORM_VIDEO_CALL "video_call"
#define TTO_FORM_OFFLINE_MEETING "offline_meeting"

const char *const *tto_protocol_all_forms (void);
gboolean tto_protocol_is_form (const char *name);

/* Limits of the chat frames */
#define TTO_PROTOCOL_MAX_WINDOW_SECONDS 86400
#define TTO_PROTOCOL_DEFAULT_EDIT_WINDOW 900
#define TTO_PROTOCOL_DEFAULT_RECALL_WINDOW 120
#define TTO_PROTOCOL_MAX_MENTIONS 50
#define TTO_PROTOCOL_MAX_EXPORT_PAGE 500
#define TTO_PROTOCOL_EXCERPT_CHARS 100
#define TTO_PROTOCOL_MIN_GRANT_SECONDS 1
#define TTO_PROTOCOL_MAX_GRANT_SECONDS 2592000

/* Identity lifetimes: the ttl values a timed identity may take */
#define TTO_PROTOCOL_TTL_HOUR 3600
#define TTO_PROTOCOL_TTL_DAY 86400
#define TTO_PROTOCOL_TTL_WEEK 604800

/* Delegated permissions */
#define TTO_PERMISSION_EXPORT "export"
#define TTO_PERMISSION_FLOW_EDIT "flow_edit"
#define TTO_PERMISSION_TOPIC_MANAGE "topic_manage"
#define TTO_PERMISSION_REVIEW "review"

gboolean tto_protocol_is_permission (const char *name);

gboolean tto_protocol_is_known_type (const char *type,
                                     TtoFrameOrigin origin);

G_END_DECLS
