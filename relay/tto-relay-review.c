/* tto-relay-review.c: who may join: admission, join rules, applications
 * and their review, removing members, rotating invite codes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <string.h>

#include "tto-ids.h"
#include "tto-relay-access.h"
#include "tto-relay-private.h"

typedef struct
{
  TtoRelay *relay;
  TtoRelayConn *conn;
  char *id;
  char *event_id;
  TtoRelayApplication *application; /* to install once stored */
  GStrv identity_ids;
  char *decision;
  char *message;
  char *code;
  gint64 expires_at;
} ReviewRequest;

static ReviewRequest *
review_request_new (TtoRelayConn *conn,
                    TtoFrame *frame,
                    TtoRelayRoom *room)
{
  ReviewRequest *request = g_new0 (ReviewRequest, 1);

  request->relay = conn->relay;
  request->conn = tto_relay_conn_ref (conn);
  request->id = g_strdup (frame->id);
  request->event_id = g_strdup (tto_relay_room_get_id (room));

  return request;
}

static void
review_request_free (ReviewRequest *request)
{
  tto_relay_conn_unref (request->conn);
  g_free (request->id);
  g_free (request->event_id);
  tto_relay_application_free (request->application);
  g_strfreev (request->identity_ids);
  g_free (request->decision);
  g_free (request->message);
  g_free (request->code);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReviewRequest, review_request_free)

static gboolean
store_ok (ReviewRequest *request,
          GAsyncResult *result)
{
  g_autoptr (GError) error = NULL;

  if (tto_relay_store_finish (request->relay->store, result, &error))
    return TRUE;

  g_warning ("database request failed: %s", error->message);
  if (request->conn->relay != NULL)
    tto_relay_reply_error (request->conn, request->id,
                           g_error_matches (error, TTO_RELAY_STORE_ERROR,
                                            TTO_RELAY_STORE_ERROR_CONNECT)
                             ? TTO_PROTOCOL_ERROR_UNAVAILABLE
                             : TTO_PROTOCOL_ERROR_INTERNAL,
                           "the request could not be stored; try again");
  return FALSE;
}

/* The creator, or a member holding `review`. */
static gboolean
may_review (TtoRelayRoom *room,
            const char *identity_id)
{
  TtoMember *member = tto_relay_room_get_member (room, identity_id);

  return member != NULL && tto_member_has_permission (member, TTO_PERMISSION_REVIEW);
}

/* review.new to everyone who may decide, on the networks the event's
 * allow-list lets in. */
static void
push_to_reviewers (TtoRelay *relay,
                   TtoRelayRoom *room,
                   const TtoRelayApplication *application)
{
  GHashTableIter iter;
  gpointer id;
  gpointer member;
  JsonObject *body = json_object_new ();
  g_autoptr (TtoFrame) frame = NULL;

  json_object_set_string_member (body, "event_id", tto_relay_room_get_id (room));
  json_object_set_object_member (body, "application",
                                 tto_relay_application_to_json (application,
                                                                tto_relay_room_get_id (room)));
  frame = tto_frame_new (TTO_FRAME_REVIEW_NEW, NULL, body);

  tto_relay_room_iter_members (room, &iter);
  while (g_hash_table_iter_next (&iter, &id, &member))
    if (tto_member_has_permission (member, TTO_PERMISSION_REVIEW))
      tto_relay_access_send_to_identity (relay, room, id, frame);
}

/* Evidence must be the applicant's own uploads to this event. */
static gboolean
check_evidence (TtoRelayConn *conn,
                TtoFrame *frame,
                TtoRelayRoom *room,
                GStrv *out)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  if (tto_frame_has (frame, "evidence"))
    {
      array = json_object_get_array_member (frame->body, "evidence");
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *blob_id = json_array_get_string_element (array, i);
          const TtoRelayBlob *blob = tto_relay_blobs_get (conn->relay->blobs,
                                                          tto_relay_room_get_id (room), blob_id);

          if (blob == NULL || g_strcmp0 (blob->owner_id, conn->identity_id) != 0)
            {
              tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_NOT_FOUND,
                                     "body.evidence[%u] is not an upload of yours to this event",
                                     i);
              return FALSE;
            }
          g_strv_builder_add (builder, blob_id);
        }
    }

  *out = g_strv_builder_end (builder);
  return TRUE;
}

static void
on_application_saved (GObject *source,
                      GAsyncResult *result,
                      gpointer user_data)
{
  g_autoptr (ReviewRequest) request = user_data;
  TtoRelayRoom *room;
  TtoRelayApplication *application;
  JsonObject *body;
  JsonObject *event;

  if (!store_ok (request, result))
    return;

  room = tto_relay_find_room (request->relay, request->event_id);
  if (room == NULL)
    return;

  application = g_steal_pointer (&request->application);
  tto_relay_room_put_application (room, application);
  push_to_reviewers (request->relay, room, application);

  if (request->conn->relay == NULL)
    return;

  /* The applicant is no member yet: only what the invite shows. */
  event = json_object_new ();
  json_object_set_string_member (event, "event_id", request->event_id);
  json_object_set_string_member (event, "title",
                                 tto_event_get_title (tto_relay_room_get_event (room)));
  json_object_set_string_member (event, "admission", "review");
  body = json_object_new ();
  json_object_set_object_member (body, "application",
                                 tto_relay_application_to_json (application, request->event_id));
  json_object_set_object_member (body, "event", event);
  tto_relay_reply_ok (request->conn, request->id, body);
}

static void
save_application (TtoRelayConn *conn,
                  TtoFrame *frame,
                  TtoRelayRoom *room,
                  const TtoRelayApplication *previous,
                  GStrv evidence)
{
  ReviewRequest *request = review_request_new (conn, frame, room);
  TtoRelayApplication *application = g_new0 (TtoRelayApplication, 1);
  g_autofree char *joined = g_strjoinv (",", evidence);

  application->identity_id = g_strdup (conn->identity_id);
  application->display_name = g_strdup (conn->display_name);
  application->reason = g_strdup (tto_frame_has (frame, "reason")
                                    ? tto_frame_get_string (frame, "reason")
                                    : (previous != NULL ? previous->reason : ""));
  application->evidence = (tto_frame_has (frame, "evidence") || previous == NULL)
                            ? g_strdupv (evidence)
                            : g_strdupv (previous->evidence);
  application->status = g_strdup ("pending");
  application->message = g_strdup ("");
  application->created_at = previous != NULL ? previous->created_at : tto_relay_now_seconds ();
  application->third_party_verified = conn->third_party_verified;
  application->phone_verified = conn->phone_verified;
  application->id_verified = conn->id_verified;
  request->application = application;

  g_free (joined);
  joined = g_strjoinv (",", application->evidence);
  tto_relay_store_save_application_async (conn->relay->store, request->event_id,
                                          conn->identity_id, application->reason, joined,
                                          "pending", "", application->created_at,
                                          on_application_saved, request);
}

/* Decides how event.join proceeds for a non-member. TRUE: join now (the
 * caller adds the member). FALSE: answered here (refused, or an
 * application was filed). */
gboolean
tto_relay_review_admit (TtoRelayConn *conn,
                        TtoFrame *frame,
                        TtoRelayRoom *room)
{
  TtoEvent *event = tto_relay_room_get_event (room);
  const char *admission = tto_event_get_admission (event);
  gint64 expires = tto_event_get_invite_expires_at (event);
  g_auto (GStrv) evidence = NULL;

  if (expires > 0 && expires <= tto_relay_now_seconds ())
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_EXPIRED,
                             "this invite code has expired; ask for a new one");
      return FALSE;
    }
  if (g_str_equal (admission, "closed"))
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN,
                             "the event is closed to new members");
      return FALSE;
    }
  if (tto_event_get_rule (event, "require_id_verified") && !conn->id_verified)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN,
                             "only people with a checked ID may join this event");
      return FALSE;
    }
  if (tto_event_get_rule (event, "require_phone_verified") && !conn->phone_verified)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN,
                             "only people with a verified phone number may join this event");
      return FALSE;
    }

  if (g_str_equal (admission, "open"))
    return TRUE;
  if (tto_event_get_rule (event, "auto_approve_third_party") && conn->third_party_verified)
    return TRUE;

  /* Review: file (or refile) an application. */
  if (!check_evidence (conn, frame, room, &evidence))
    return FALSE;
  save_application (conn, frame, room, tto_relay_room_get_application (room, conn->identity_id),
                    evidence);
  return FALSE;
}

/* application.update: more reason or evidence, e.g. after "more". */
void
tto_relay_handle_application_update (TtoRelayConn *conn,
                                     TtoFrame *frame)
{
  TtoRelayRoom *room = tto_relay_find_room (conn->relay, tto_frame_get_string (frame, "event_id"));
  TtoRelayApplication *previous;
  g_auto (GStrv) evidence = NULL;

  /* Adding to an application is part of joining: the same refusal as
   * event.join from outside the allow-list. */
  if (room != NULL && !tto_relay_access_conn_allowed (conn, room))
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN,
                             TTO_RELAY_ACCESS_REFUSED);
      return;
    }
  previous = room != NULL ? tto_relay_room_get_application (room, conn->identity_id) : NULL;
  if (previous == NULL)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_NOT_FOUND,
                             "you have no application to this event");
      return;
    }
  if (!check_evidence (conn, frame, room, &evidence))
    return;

  save_application (conn, frame, room, previous, evidence);
}

void
tto_relay_handle_review_list (TtoRelayConn *conn,
                              TtoFrame *frame)
{
  TtoRelayRoom *room = tto_relay_member_room (conn, frame);
  g_autoptr (GList) applications = NULL;
  JsonArray *array;
  JsonObject *body;

  if (room == NULL)
    return;
  if (!may_review (room, conn->identity_id))
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN,
                             "reviewing needs the creator or the review permission");
      return;
    }

  applications = tto_relay_room_get_applications (room);
  array = json_array_new ();
  for (GList *l = applications; l != NULL; l = l->next)
    json_array_add_object_element (array,
                                   tto_relay_application_to_json (l->data,
                                                                  tto_relay_room_get_id (room)));
  body = json_object_new ();
  json_object_set_array_member (body, "applications", array);
  tto_relay_reply_ok (conn, frame->id, body);
}

static void
on_decided (GObject *source,
            GAsyncResult *result,
            gpointer user_data)
{
  g_autoptr (ReviewRequest) request = user_data;
  TtoRelayRoom *room;
  JsonArray *decided;
  JsonObject *body;

  if (!store_ok (request, result))
    return;

  room = tto_relay_find_room (request->relay, request->event_id);
  if (room == NULL)
    return;

  decided = json_array_new ();
  for (guint i = 0; request->identity_ids[i] != NULL; i++)
    {
      const char *id = request->identity_ids[i];
      TtoRelayApplication *application = tto_relay_room_get_application (room, id);
      JsonObject *push = json_object_new ();
      g_autoptr (TtoFrame) frame = NULL;

      if (application == NULL)
        {
          json_object_unref (push);
          continue;
        }

      json_object_set_string_member (push, "event_id", request->event_id);
      json_object_set_string_member (push, "decision", request->decision);
      json_object_set_string_member (push, "message", request->message);

      if (g_str_equal (request->decision, "approve"))
        {
          g_autoptr (TtoMember) member = tto_member_new (id, application->display_name, "member");
          g_autoptr (JsonObject) joined = json_object_new ();
          g_autoptr (TtoFrame) joined_frame = NULL;
          g_autofree char *text = NULL;

          tto_relay_room_add_member (room, member);
          tto_relay_room_remove_application (room, id);
          json_object_set_object_member (push, "event", tto_relay_event_json (room, id));

          json_object_set_string_member (joined, "event_id", request->event_id);
          json_object_set_object_member (joined, "member", tto_member_to_json (member));
          json_object_set_int_member (joined, "member_count",
                                      tto_relay_room_get_member_count (room));
          joined_frame = tto_frame_new (TTO_FRAME_MEMBER_JOINED, NULL, json_object_ref (joined));
          text = tto_frame_serialize (joined_frame, NULL);
          tto_relay_send_to_room (request->relay, room, text, id);
        }
      else if (g_str_equal (request->decision, "reject"))
        tto_relay_room_remove_application (room, id);
      else
        {
          g_free (application->status);
          application->status = g_strdup ("more_info");
          g_free (application->message);
          application->message = g_strdup (request->message);
        }

      frame = tto_frame_new (TTO_FRAME_REVIEW_DECIDED, NULL, push);
      tto_relay_access_send_to_identity (request->relay, room, id, frame);
      json_array_add_string_element (decided, id);
    }

  if (request->conn->relay != NULL)
    {
      body = json_object_new ();
      json_object_set_array_member (body, "decided", decided);
      tto_relay_reply_ok (request->conn, request->id, body);
    }
  else
    json_array_unref (decided);
}

/* review.decide: one or many applicants, one decision. */
void
tto_relay_handle_review_decide (TtoRelayConn *conn,
                                TtoFrame *frame)
{
  TtoRelayRoom *room = tto_relay_member_room (conn, frame);
  JsonArray *ids = json_object_get_array_member (frame->body, "identity_ids");
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  const char *decision = tto_frame_get_string (frame, "decision");
  ReviewRequest *request;

  if (room == NULL)
    return;
  if (!may_review (room, conn->identity_id))
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN,
                             "reviewing needs the creator or the review permission");
      return;
    }

  /* All or nothing: every id must be a waiting applicant. */
  for (guint i = 0; i < json_array_get_length (ids); i++)
    {
      const char *id = json_array_get_string_element (ids, i);

      if (tto_relay_room_get_application (room, id) == NULL)
        {
          tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_NOT_FOUND,
                                 "body.identity_ids[%u] has no application to this event", i);
          return;
        }
      g_strv_builder_add (builder, id);
    }
  if (g_str_equal (decision, "more") && !tto_frame_has (frame, "message"))
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_BAD_FRAME,
                             "body.message must say what more is needed");
      return;
    }

  request = review_request_new (conn, frame, room);
  request->identity_ids = g_strv_builder_end (builder);
  request->decision = g_strdup (decision);
  request->message = g_strdup (tto_frame_has (frame, "message")
                                 ? tto_frame_get_string (frame, "message")
                                 : "");
  tto_relay_store_decide_applications_async (conn->relay->store, request->event_id,
                                             (const char *const *) request->identity_ids,
                                             decision, request->message, tto_relay_now_seconds (),
                                             on_decided, request);
}

static void
on_member_removed (GObject *source,
                   GAsyncResult *result,
                   gpointer user_data)
{
  g_autoptr (ReviewRequest) request = user_data;
  const char *removed = request->identity_ids[0];
  TtoRelayRoom *room;
  JsonObject *body;
  g_autoptr (TtoFrame) gone = NULL;
  g_autoptr (TtoFrame) left = NULL;
  g_autofree char *text = NULL;

  if (!store_ok (request, result))
    return;

  room = tto_relay_find_room (request->relay, request->event_id);
  if (room != NULL && tto_relay_room_remove_member (room, removed))
    {
      /* The removed member's devices hear it first, and nothing after.
       * Like event.ended it only takes the event away, so it reaches
       * devices the allow-list locks out too. */
      body = json_object_new ();
      json_object_set_string_member (body, "event_id", request->event_id);
      gone = tto_frame_new (TTO_FRAME_EVENT_REMOVED, NULL, body);
      {
        GPtrArray *conns = g_hash_table_lookup (request->relay->online, removed);

        for (guint i = 0; conns != NULL && i < conns->len; i++)
          tto_relay_send (conns->pdata[i], gone);
      }

      body = json_object_new ();
      json_object_set_string_member (body, "event_id", request->event_id);
      json_object_set_string_member (body, "identity_id", removed);
      json_object_set_int_member (body, "member_count", tto_relay_room_get_member_count (room));
      left = tto_frame_new (TTO_FRAME_MEMBER_LEFT, NULL, body);
      text = tto_frame_serialize (left, NULL);
      tto_relay_send_to_room (request->relay, room, text, NULL);
      tto_relay_calls_member_removed (request->relay, request->event_id, removed);
    }

  if (request->conn->relay != NULL)
    tto_relay_reply_ok (request->conn, request->id, NULL);
}

void
tto_relay_handle_member_remove (TtoRelayConn *conn,
                                TtoFrame *frame)
{
  TtoRelayRoom *room = tto_relay_member_room (conn, frame);
  const char *identity_id = tto_frame_get_string (frame, "identity_id");
  TtoMember *member;
  ReviewRequest *request;

  if (room == NULL)
    return;
  if (g_strcmp0 (tto_event_get_creator_id (tto_relay_room_get_event (room)),
                 conn->identity_id) != 0)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN,
                             "only the creator may remove members");
      return;
    }
  member = tto_relay_room_get_member (room, identity_id);
  if (member == NULL)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_NOT_FOUND,
                             "body.identity_id is not a member of the event");
      return;
    }
  if (g_str_equal (tto_member_get_role (member), "creator"))
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_CONFLICT,
                             "the creator cannot be removed; end the event instead");
      return;
    }

  request = review_request_new (conn, frame, room);
  request->identity_ids = g_new0 (char *, 2);
  request->identity_ids[0] = g_strdup (identity_id);
  tto_relay_store_remove_member_async (conn->relay->store, request->event_id, identity_id,
                                      on_member_removed, request);
}

static void
on_code_rotated (GObject *source,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (ReviewRequest) request = user_data;
  TtoRelayRoom *room;
  TtoEvent *event;
  JsonObject *body;

  if (!store_ok (request, result))
    return;

  room = tto_relay_find_room (request->relay, request->event_id);
  if (room == NULL)
    return;

  /* The old code stops working now. */
  event = tto_relay_room_get_event (room);
  g_hash_table_remove (request->relay->invites, tto_event_get_invite_code (event));
  tto_relay_room_set_invite_code (room, request->code);
  tto_event_set_invite_expires_at (event, request->expires_at);
  g_hash_table_replace (request->relay->invites, g_strdup (request->code), room);

  if (request->conn->relay != NULL)
    {
      body = json_object_new ();
      json_object_set_object_member (body, "event",
                                     tto_relay_event_json (room, request->conn->identity_id));
      tto_relay_reply_ok (request->conn, request->id, body);
    }
}

/* event.rotate_code: a new code, optionally expiring; the old one dies. */
void
tto_relay_handle_rotate_code (TtoRelayConn *conn,
                              TtoFrame *frame)
{
  TtoRelayRoom *room = tto_relay_member_room (conn, frame);
  gint64 expires_at = tto_frame_get_int (frame, "expires_at", 0);
  g_autoptr (TtoEvent) copy = NULL;
  TtoEvent *event;
  ReviewRequest *request;

  if (room == NULL)
    return;
  event = tto_relay_room_get_event (room);
  if (g_strcmp0 (tto_event_get_creator_id (event), conn->identity_id) != 0)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_FORBIDDEN,
                             "only the creator may change the invite code");
      return;
    }
  if (expires_at != 0 && expires_at <= tto_relay_now_seconds ())
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_BAD_FRAME,
                             "body.expires_at is in the past");
      return;
    }

  request = review_request_new (conn, frame, room);
  do
    {
      g_free (request->code);
      request->code = tto_invite_code_new ();
    }
  while (tto_relay_find_room_by_invite (conn->relay, request->code) != NULL);
  request->expires_at = expires_at;

  /* The store writes the whole settings row: a copy with the new code. */
  copy = tto_event_new (request->event_id);
  tto_event_update_from (copy, event);
  tto_event_set_invite_code (copy, request->code);
  tto_event_set_invite_expires_at (copy, expires_at);
  tto_relay_store_update_event_async (conn->relay->store, copy, on_code_rotated, request);
}
