/* tto-test-chat.c: the relay's rich-chat frames against a real relay and
 * MariaDB: replies, mentions, edit and recall windows, read receipts,
 * event settings, delegated export, resume with useq
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "tto-shared.h"
#include "tto-test-harness.h"

#define GRACE 600

typedef struct
{
  TtoTestRelay *relay;
  TtoTestClient *ana; /* creator */
  TtoTestClient *bo;
  TtoTestClient *cy;
  char *event_id;
} Room;

/* Three members in one event; @edit and @recall are the windows. */
static gboolean
room_open (Room *room,
           gint64 edit,
           gint64 recall)
{
  g_autoptr (TtoFrame) answer = NULL;
  JsonObject *event;
  const char *code;

  memset (room, 0, sizeof *room);
  room->relay = tto_test_relay_start (GRACE);
  if (room->relay == NULL)
    return FALSE;

  room->ana = tto_test_client_connect (room->relay);
  room->bo = tto_test_client_connect (room->relay);
  room->cy = tto_test_client_connect (room->relay);
  tto_test_client_create_identity (room->ana, "Ana");
  tto_test_client_create_identity (room->bo, "Bo");
  tto_test_client_create_identity (room->cy, "Cy");

  answer = tto_test_client_request_ok (
    room->ana, TTO_FRAME_EVENT_CREATE,
    tto_test_json_object ("{\"title\":\"Picnic\",\"edit_window\":%" G_GINT64_FORMAT
                          ",\"recall_window\":%" G_GINT64_FORMAT "}",
                          edit, recall));
  event = json_object_get_object_member (answer->body, "event");
  g_assert_cmpint (json_object_get_int_member (event, "edit_window"), ==, edit);
  g_assert_cmpint (json_object_get_int_member (event, "recall_window"), ==, recall);
  room->event_id = g_strdup (json_object_get_string_member (event, "event_id"));
  code = json_object_get_string_member (event, "invite_code");
  json_object_unref (tto_test_client_join (room->bo, code));
  json_object_unref (tto_test_client_join (room->cy, code));
  tto_test_client_discard_pushes (room->ana);
  tto_test_client_discard_pushes (room->bo);
  tto_test_client_discard_pushes (room->cy);

  return TRUE;
}

static void
room_close (Room *room)
{
  tto_test_client_close (room->ana);
  tto_test_client_close (room->bo);
  tto_test_client_close (room->cy);
  tto_test_relay_stop (room->relay);
  g_free (room->event_id);
}

/* Sends and returns the msg_id; every member's msg.new is consumed. */
static char *
send_text (Room *room,
           TtoTestClient *from,
           const char *client_msg_id,
           const char *text)
{
  g_autoptr (TtoFrame) ok = tto_test_client_send_message (from, room->event_id, client_msg_id,
                                                          text);
  TtoTestClient *all[] = { room->ana, room->bo, room->cy };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    tto_frame_free (tto_test_client_wait_push (all[i], TTO_FRAME_MSG_NEW, 5000));

  return g_strdup (tto_frame_get_string (ok, "msg_id"));
}

static TtoFrame *
request_ok (TtoTestClient *c,
            const char *type,
            JsonObject *body)
{
  return tto_test_client_request_ok (c, type, body);
}

static void
expect_error (TtoTestClient *c,
              const char *type,
              JsonObject *body,
              const char *code)
{
  tto_frame_free (tto_test_client_request_error (c, type, body, code));
}

/* ------------------------------------------------------------ replies */

static void
test_reply (void)
{
  Room room;
  g_autofree char *original = NULL;
  g_autoptr (TtoFrame) push = NULL;
  JsonObject *reply;

  if (!room_open (&room, 900, 120))
    return;

  original = send_text (&room, room.bo, "b1", "Who brings the projector?\nAnd the cable?");
  tto_frame_free (request_ok (
    room.ana, TTO_FRAME_MSG_SEND,
    tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"a1\",\"text\":\"I do\","
                          "\"reply_to\":\"%s\"}",
                          room.event_id, original)));

  push = tto_test_client_wait_push (room.cy, TTO_FRAME_MSG_NEW, 5000);
  g_assert_nonnull (push);
  reply = json_object_get_object_member (push->body, "reply_to");
  g_assert_nonnull (reply);
  g_assert_cmpstr (json_object_get_string_member (reply, "msg_id"), ==, original);
  g_assert_cmpint (json_object_get_int_member (reply, "seq"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (reply, "sender_name"), ==, "Bo");
  /* The first line only. */
  g_assert_cmpstr (json_object_get_string_member (reply, "excerpt"), ==,
                   "Who brings the projector?");
  g_assert_false (json_object_get_boolean_member (reply, "recalled"));

  /* An unknown message, and one of another event, are not found. */
  expect_error (room.ana, TTO_FRAME_MSG_SEND,
                tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"a2\","
                                      "\"text\":\"x\",\"reply_to\":\"0000000000000000\"}",
                                      room.event_id),
                "not_found");
  {
    JsonObject *other = tto_test_client_create_event (room.bo, "Other", 0);
    g_autoptr (TtoFrame) ok = tto_test_client_send_message (
      room.bo, json_object_get_string_member (other, "event_id"), "o1", "elsewhere");

    expect_error (room.bo, TTO_FRAME_MSG_SEND,
                  tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"b2\","
                                        "\"text\":\"x\",\"reply_to\":\"%s\"}",
                                        room.event_id, tto_frame_get_string (ok, "msg_id")),
                  "not_found");
    json_object_unref (other);
  }
  /* Nothing of the refused sends was stored. */
  g_assert_cmpint (json_object_get_int_member (tto_test_relay_get_health (room.relay, room.event_id),
                                               "events_live"), ==, 2);
  {
    g_autoptr (JsonObject) health = tto_test_relay_get_health (room.relay, room.event_id);

    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (health, "event"),
                                                 "messages_held"), ==, 2);
  }

  room_close (&room);
}

/* ----------------------------------------------------------- mentions */

static void
test_mentions (void)
{
  Room room;
  g_autoptr (TtoFrame) push = NULL;
  const char *bo = NULL;
  JsonArray *mentions;

  if (!room_open (&room, 900, 120))
    return;
  bo = tto_test_client_get_identity_id (room.bo);

  /* Repeats collapse; the order stays. */
  tto_frame_free (request_ok (
    room.cy, TTO_FRAME_MSG_SEND,
    tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"c1\",\"text\":\"@Bo hi\","
                          "\"mentions\":[\"%s\",\"%s\"]}",
                          room.event_id, bo, bo)));
  push = tto_test_client_wait_push (room.bo, TTO_FRAME_MSG_NEW, 5000);
  mentions = json_object_get_array_member (push->body, "mentions");
  g_assert_cmpuint (json_array_get_length (mentions), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (mentions, 0), ==, bo);

  /* A stranger is not a member: bad_frame naming the entry. */
  {
    g_autoptr (TtoFrame) error = tto_test_client_request_error (
      room.cy, TTO_FRAME_MSG_SEND,
      tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"c2\",\"text\":\"x\","
                            "\"mentions\":[\"%s\",\"zzzzzzzzzzzzzzzz\"]}",
                            room.event_id, bo),
      "bad_frame");

    g_assert_nonnull (strstr (tto_frame_get_string (error, "message"), "mentions[1]"));
  }
  /* Wrong types are bad frames too. */
  expect_error (room.cy, TTO_FRAME_MSG_SEND,
                tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"c3\","
                                      "\"text\":\"x\",\"mentions\":[7]}",
                                      room.event_id),
                "bad_frame");

  /* @all: the creator only. */
  expect_error (room.cy, TTO_FRAME_MSG_SEND,
                tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"c4\","
                                      "\"text\":\"x\",\"mentions\":[\"all\"]}",
                                      room.event_id),
                "forbidden");
  tto_frame_free (request_ok (
    room.ana, TTO_FRAME_MSG_SEND,
    tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"a1\",\"text\":\"@all go\","
                          "\"mentions\":[\"all\"]}",
                          room.event_id)));

  room_close (&room);
}

/* ------------------------------------------------------ edit / recall */

static JsonObject *
wait_updated (TtoTestClient *c,
              gint64 *out_useq)
{
  g_autoptr (TtoFrame) push = tto_test_client_wait_push (c, TTO_FRAME_MSG_UPDATED, 5000);

  g_assert_nonnull (push);
  if (out_useq != NULL)
    *out_useq = tto_frame_get_int (push, "useq", -1);

  return json_object_ref (json_object_get_object_member (push->body, "message"));
}

static void
test_edit_window (void)
{
  Room room;
  g_autofree char *id = NULL;
  g_autoptr (JsonObject) message = NULL;
  g_autoptr (TtoFrame) ok = NULL;
  gint64 useq = 0;

  /* A 2 s window: an edit 1 s in succeeds, one 3 s in is refused. */
  if (!room_open (&room, 2, 120))
    return;

  id = send_text (&room, room.bo, "b1", "Picnic at noon");
  tto_test_iterate_ms (1000);
  ok = request_ok (room.bo, TTO_FRAME_MSG_EDIT,
                   tto_test_json_object ("{\"event_id\":\"%s\",\"msg_id\":\"%s\","
                                         "\"text\":\"Picnic at one\"}",
                                         room.event_id, id));
  g_assert_cmpint (tto_frame_get_int (ok, "edited_at", 0), >, 0);

  message = wait_updated (room.cy, &useq);
  g_assert_cmpint (useq, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (message, "text"), ==, "Picnic at one");
  g_assert_cmpint (json_object_get_int_member (message, "edited_at"), ==,
                   tto_frame_get_int (ok, "edited_at", 0));
  g_assert_cmpint (json_object_get_int_member (message, "seq"), ==, 1);

  /* Only the sender edits. */
  expect_error (room.ana, TTO_FRAME_MSG_EDIT,
                tto_test_json_object ("{\"event_id\":\"%s\",\"msg_id\":\"%s\",\"text\":\"x\"}",
                                      room.event_id, id),
                "forbidden");
  /* Unknown message. */
  expect_error (room.bo, TTO_FRAME_MSG_EDIT,
                tto_test_json_object ("{\"event_id\":\"%s\",\"msg_id\":\"nope\",\"text\":\"x\"}",
                                      room.event_id),
                "not_found");
  /* Too long. */
  {
    g_autofree char *long_text = g_strnfill (4001, 'x');

    expect_error (room.bo, TTO_FRAME_MSG_EDIT,
                  tto_test_json_object ("{\"event_id\":\"%s\",\"msg_id\":\"%s\",\"text\":\"%s\"}",
                                        room.event_id, id, long_text),
                  "too_large");
  }

  tto_test_iterate_ms (2100);
  expect_error (room.bo, TTO_FRAME_MSG_EDIT,
                tto_test_json_object ("{\"event_id\":\"%s\",\"msg_id\":\"%s\",\"text\":\"late\"}",
                                      room.event_id, id),
                "expired");
  /* The refused edit changed nothing. */
  {
    g_autoptr (TtoFrame) page = request_ok (
      room.ana, TTO_FRAME_EXPORT_FETCH,
      tto_test_json_object ("{\"event_id\":\"%s\"}", room.event_id));
    JsonArray *messages = json_object_get_array_member (page->body, "messages");

    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 0),
                                                    "text"),
                     ==, "Picnic at one");
  }

  room_close (&room);
}

static void
test_recall (void)
{
  Room room;
  g_autofree char *secret = NULL;
  g_autofree char *quoting = NULL;
  g_autofree char *late = NULL;
  gint64 bytes_before;
  gint64 bytes_after;

  /* Recall window 2 s. */
  if (!room_open (&room, 900, 2))
    return;

  secret = send_text (&room, room.bo, "b1", "the door code is 4711");
  {
    g_autoptr (TtoFrame) ok = request_ok (
      room.cy, TTO_FRAME_MSG_SEND,
      tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"c1\",\"text\":\"thanks\","
                            "\"reply_to\":\"%s\"}",
                            room.event_id, secret));

    quoting = g_strdup (tto_frame_get_string (ok, "msg_id"));
    tto_test_client_discard_pushes (room.ana);
    tto_test_client_discard_pushes (room.bo);
    tto_test_client_discard_pushes (room.cy);
  }

  {
    g_autoptr (JsonObject) health = tto_test_relay_get_health (room.relay, room.event_id);

    bytes_before = json_object_get_int_member (json_object_get_object_member (health, "event"),
                                               "bytes_held");
  }

  /* Another member may not recall it. */
  expect_error (room.cy, TTO_FRAME_MSG_RECALL,
                tto_test_json_object ("{\"event_id\":\"%s\",\"msg_id\":\"%s\"}", room.event_id,
                                      secret),
                "forbidden");

  tto_frame_free (request_ok (room.bo, TTO_FRAME_MSG_RECALL,
                              tto_test_json_object ("{\"event_id\":\"%s\",\"msg_id\":\"%s\"}",
                                                    room.event_id, secret)));
  {
    g_autoptr (JsonObject) recalled = wait_updated (room.ana, NULL);
    g_autoptr (JsonObject) quote = wait_updated (room.ana, NULL);
    JsonObject *reply;

    g_assert_cmpstr (json_object_get_string_member (recalled, "msg_id"), ==, secret);
    g_assert_true (json_object_get_boolean_member (recalled, "recalled"));
    g_assert_cmpstr (json_object_get_string_member (recalled, "text"), ==, "");
    g_assert_cmpstr (json_object_get_string_member (recalled, "recalled_by"), ==,
                     tto_test_client_get_identity_id (room.bo));
    /* The quote of it loses its excerpt too. */
    g_assert_cmpstr (json_object_get_string_member (quote, "msg_id"), ==, quoting);
    reply = json_object_get_object_member (quote, "reply_to");
    g_assert_true (json_object_get_boolean_member (reply, "recalled"));
    g_assert_cmpstr (json_object_get_string_member (reply, "excerpt"), ==, "");
  }

  /* Gone from relay memory: fewer bytes held, and the export shows none of it. */
  {
    g_autoptr (JsonObject) health = tto_test_relay_get_health (room.relay, room.event_id);
    g_autoptr (TtoFrame) page = request_ok (
      room.ana, TTO_FRAME_EXPORT_FETCH,
      tto_test_json_object ("{\"event_id\":\"%s\"}", room.event_id));
    g_autofree char *all = NULL;
    g_autoptr (JsonGenerator) generator = json_generator_new ();
    JsonNode *node = json_node_new (JSON_NODE_OBJECT);

    bytes_after = json_object_get_int_member (json_object_get_object_member (health, "event"),
                                              "bytes_held");
    g_assert_cmpint (bytes_after, <, bytes_before);
    json_node_set_object (node, page->body);
    json_generator_set_root (generator, node);
    all = json_generator_to_data (generator, NULL);
    g_assert_null (strstr (all, "4711"));
    json_node_unref (node);
  }

  /* Recalling twice is harmless; editing a recalled message conflicts. */
  tto_frame_free (request_ok (room.bo, TTO_FRAME_MSG_RECALL,
                              tto_test_json_object ("{\"event_id\":\"%s\",\"msg_id\":\"%s\"}",
                                                    room.event_id, secret)));
  expect_error (room.bo, TTO_FRAME_MSG_EDIT,
                tto_test_json_object ("{\"event_id\":\"%s\",\"msg_id\":\"%s\",\"text\":\"x\"}",
                                      room.event_id, secret),
                "conflict");

  /* After the window the sender may not; the creator still may. */
  late = send_text (&room, room.bo, "b2", "oops");
  tto_test_iterate_ms (2500);
  expect_error (room.bo, TTO_FRAME_MSG_RECALL,
                tto_test_json_object ("{\"event_id\":\"%s\",\"msg_id\":\"%s\"}", room.event_id,
                                      late),
                "expired");
  tto_frame_free (request_ok (room.ana, TTO_FRAME_MSG_RECALL,
                              tto_test_json_object ("{\"event_id\":\"%s\",\"msg_id\":\"%s\"}",
                                                    room.event_id, late)));

  room_close (&room);
}

/* ----------------------------------------------------------- receipts */

static void
test_receipts (void)
{
  Room room;
  g_autoptr (TtoFrame) push = NULL;
  g_autoptr (TtoFrame) info = NULL;
  JsonObject *reads;
  g_autofree char *m1 = NULL;
  g_autofree char *m2 = NULL;
  g_autofree char *m3 = NULL;

  if (!room_open (&room, 900, 120))
    return;

  m1 = send_text (&room, room.ana, "a1", "one");
  m2 = send_text (&room, room.ana, "a2", "two");
  m3 = send_text (&room, room.ana, "a3", "three");

  /* Bo read two, Cy all three, within one batch. */
  {
    g_autoptr (TtoFrame) ok = request_ok (
      room.bo, TTO_FRAME_RECEIPT_READ,
      tto_test_json_object ("{\"event_id\":\"%s\",\"seq\":2}", room.event_id));

    g_assert_cmpint (tto_frame_get_int (ok, "seq", 0), ==, 2);
  }
  tto_frame_free (request_ok (room.cy, TTO_FRAME_RECEIPT_READ,
                              tto_test_json_object ("{\"event_id\":\"%s\",\"seq\":3}",
                                                    room.event_id)));

  push = tto_test_client_wait_push (room.ana, TTO_FRAME_RECEIPTS_UPDATED, 2000);
  g_assert_nonnull (push);
  reads = json_object_get_object_member (push->body, "reads");
  g_assert_cmpint (json_object_get_int_member (reads, tto_test_client_get_identity_id (room.bo)),
                   ==, 2);
  g_assert_cmpint (json_object_get_int_member (reads, tto_test_client_get_identity_id (room.cy)),
                   ==, 3);
  /* One frame for the batch, not one per reader. */
  tto_test_iterate_ms (400);
  g_assert_cmpuint (tto_test_client_count_pushes (room.ana, TTO_FRAME_RECEIPTS_UPDATED), ==, 0);

  /* Going back changes nothing and pushes nothing. */
  {
    g_autoptr (TtoFrame) ok = request_ok (
      room.bo, TTO_FRAME_RECEIPT_READ,
      tto_test_json_object ("{\"event_id\":\"%s\",\"seq\":1}", room.event_id));

    g_assert_cmpint (tto_frame_get_int (ok, "seq", 0), ==, 2);
  }
  tto_test_iterate_ms (400);
  g_assert_cmpuint (tto_test_client_count_pushes (room.ana, TTO_FRAME_RECEIPTS_UPDATED), ==, 0);

  /* Beyond the last message, and negative: bad frames. */
  expect_error (room.bo, TTO_FRAME_RECEIPT_READ,
                tto_test_json_object ("{\"event_id\":\"%s\",\"seq\":4}", room.event_id),
                "bad_frame");
  expect_error (room.bo, TTO_FRAME_RECEIPT_READ,
                tto_test_json_object ("{\"event_id\":\"%s\",\"seq\":-1}", room.event_id),
                "bad_frame");

  /* event.get has every member's position. */
  info = request_ok (room.ana, TTO_FRAME_EVENT_GET,
                     tto_test_json_object ("{\"event_id\":\"%s\"}", room.event_id));
  reads = json_object_get_object_member (info->body, "reads");
  g_assert_cmpint (json_object_get_int_member (reads, tto_test_client_get_identity_id (room.ana)),
                   ==, 0);
  g_assert_cmpint (json_object_get_int_member (reads, tto_test_client_get_identity_id (room.bo)),
                   ==, 2);
  g_assert_cmpint (json_object_get_int_member (reads, tto_test_client_get_identity_id (room.cy)),
                   ==, 3);

  room_close (&room);
}

/* ------------------------------------------------ settings and export */

static void
test_event_update (void)
{
  Room room;
  g_autoptr (TtoFrame) ok = NULL;
  g_autoptr (TtoFrame) push = NULL;
  JsonObject *event;

  if (!room_open (&room, 900, 120))
    return;

  expect_error (room.bo, TTO_FRAME_EVENT_UPDATE,
                tto_test_json_object ("{\"event_id\":\"%s\",\"edit_window\":10}", room.event_id),
                "forbidden");
  expect_error (room.ana, TTO_FRAME_EVENT_UPDATE,
                tto_test_json_object ("{\"event_id\":\"%s\",\"edit_window\":86401}",
                                      room.event_id),
                "bad_frame");
  expect_error (room.ana, TTO_FRAME_EVENT_UPDATE,
                tto_test_json_object ("{\"event_id\":\"%s\",\"recall_window\":\"1\"}",
                                      room.event_id),
                "bad_frame");

  ok = request_ok (room.ana, TTO_FRAME_EVENT_UPDATE,
                   tto_test_json_object ("{\"event_id\":\"%s\",\"edit_window\":0,"
                                         "\"recall_window\":86400}",
                                         room.event_id));
  event = json_object_get_object_member (ok->body, "event");
  g_assert_cmpint (json_object_get_int_member (event, "edit_window"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (event, "recall_window"), ==, 86400);

  push = tto_test_client_wait_push (room.bo, TTO_FRAME_EVENT_UPDATED, 5000);
  g_assert_nonnull (push);
  event = json_object_get_object_member (push->body, "event");
  g_assert_cmpint (json_object_get_int_member (event, "edit_window"), ==, 0);
  /* As Bo sees it: no invite code, role member. */
  g_assert_true (json_object_get_null_member (event, "invite_code"));
  g_assert_cmpstr (json_object_get_string_member (event, "role"), ==, "member");

  /* Kept in the database. */
  g_assert_cmpint (tto_test_relay_query_intf (room.relay,
                                              "SELECT recall_window FROM events WHERE id = '%s'",
                                              room.event_id),
                   ==, 86400);

  /* An edit window of 0: no edits at all. */
  {
    g_autofree char *id = send_text (&room, room.bo, "b1", "fixed");

    expect_error (room.bo, TTO_FRAME_MSG_EDIT,
                  tto_test_json_object ("{\"event_id\":\"%s\",\"msg_id\":\"%s\",\"text\":\"x\"}",
                                        room.event_id, id),
                  "expired");
  }

  room_close (&room);
}

static void
test_export_permission (void)
{
  Room room;
  const char *bo;
  g_autoptr (TtoFrame) push = NULL;
  JsonObject *member;

  if (!room_open (&room, 900, 120))
    return;
  bo = tto_test_client_get_identity_id (room.bo);

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *client_id = g_strdup_printf ("a%u", i);
      g_autofree char *text = g_strdup_printf ("message %u", i + 1);
      g_autofree char *id = send_text (&room, room.ana, client_id, text);
    }

  expect_error (room.bo, TTO_FRAME_EXPORT_FETCH,
                tto_test_json_object ("{\"event_id\":\"%s\"}", room.event_id), "forbidden");
  expect_error (room.bo, TTO_FRAME_MEMBER_GRANT,
                tto_test_json_object ("{\"event_id\":\"%s\",\"identity_id\":\"%s\","
                                      "\"permission\":\"export\",\"duration\":null}",
                                      room.event_id, bo),
                "forbidden");
  expect_error (room.ana, TTO_FRAME_MEMBER_GRANT,
                tto_test_json_object ("{\"event_id\":\"%s\",\"identity_id\":\"%s\","
                                      "\"permission\":\"launch\",\"duration\":null}",
                                      room.event_id, bo),
                "bad_frame");

  /* Granted for 2 s. */
  tto_frame_free (request_ok (room.ana, TTO_FRAME_MEMBER_GRANT,
                              tto_test_json_object ("{\"event_id\":\"%s\",\"identity_id\":\"%s\","
                                                    "\"permission\":\"export\",\"duration\":2}",
                                                    room.event_id, bo)));
  push = tto_test_client_wait_push (room.cy, TTO_FRAME_MEMBER_UPDATED, 5000);
  member = json_object_get_object_member (push->body, "member");
  g_assert_cmpstr (json_object_get_string_member (member, "identity_id"), ==, bo);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (member, "permissions")),
                    ==, 1);
  g_assert_cmpint (tto_test_relay_query_intf (room.relay,
                                              "SELECT COUNT(*) FROM grants WHERE event_id = '%s'",
                                              room.event_id),
                   ==, 1);

  /* Paged: 2 + 2 + 1. */
  {
    gint64 after = 0;
    guint pages = 0;
    gboolean more = TRUE;

    while (more)
      {
        g_autoptr (TtoFrame) page = request_ok (
          room.bo, TTO_FRAME_EXPORT_FETCH,
          tto_test_json_object ("{\"event_id\":\"%s\",\"after_seq\":%" G_GINT64_FORMAT
                                ",\"limit\":2}",
                                room.event_id, after));
        JsonArray *messages = json_object_get_array_member (page->body, "messages");

        g_assert_cmpuint (json_array_get_length (messages), >, 0);
        for (guint i = 0; i < json_array_get_length (messages); i++)
          {
            JsonObject *m = json_array_get_object_element (messages, i);

            g_assert_cmpint (json_object_get_int_member (m, "seq"), ==, after + 1);
            after++;
          }
        more = json_object_get_boolean_member (page->body, "more");
        pages++;
      }
    g_assert_cmpuint (pages, ==, 3);
    g_assert_cmpint (after, ==, 5);
  }
  expect_error (room.bo, TTO_FRAME_EXPORT_FETCH,
                tto_test_json_object ("{\"event_id\":\"%s\",\"limit\":501}", room.event_id),
                "bad_frame");

  /* The grant runs out visibly, and the rows go. */
  tto_frame_free (tto_test_client_wait_push (room.bo, TTO_FRAME_MEMBER_UPDATED, 5000));
  {
    g_autoptr (TtoFrame) expired = tto_test_client_wait_push (room.bo, TTO_FRAME_MEMBER_UPDATED,
                                                              5000);

    g_assert_nonnull (expired);
    member = json_object_get_object_member (expired->body, "member");
    g_assert_cmpuint (
      json_array_get_length (json_object_get_array_member (member, "permissions")), ==, 0);
  }
  expect_error (room.bo, TTO_FRAME_EXPORT_FETCH,
                tto_test_json_object ("{\"event_id\":\"%s\"}", room.event_id), "forbidden");
  tto_test_iterate_ms (300);
  g_assert_cmpint (tto_test_relay_query_intf (room.relay,
                                              "SELECT COUNT(*) FROM grants WHERE event_id = '%s'",
                                              room.event_id),
                   ==, 0);

  /* Until the end, then revoked by hand. */
  tto_frame_free (request_ok (room.ana, TTO_FRAME_MEMBER_GRANT,
                              tto_test_json_object ("{\"event_id\":\"%s\",\"identity_id\":\"%s\","
                                                    "\"permission\":\"export\",\"duration\":null}",
                                                    room.event_id, bo)));
  tto_frame_free (request_ok (room.bo, TTO_FRAME_EXPORT_FETCH,
                              tto_test_json_object ("{\"event_id\":\"%s\"}", room.event_id)));
  tto_frame_free (request_ok (room.ana, TTO_FRAME_MEMBER_REVOKE,
                              tto_test_json_object ("{\"event_id\":\"%s\",\"identity_id\":\"%s\","
                                                    "\"permission\":\"export\"}",
                                                    room.event_id, bo)));
  expect_error (room.bo, TTO_FRAME_EXPORT_FETCH,
                tto_test_json_object ("{\"event_id\":\"%s\"}", room.event_id), "forbidden");

  room_close (&room);
}

/* ------------------------------------------------------------- resume */

static void
test_resume_updates (void)
{
  Room room;
  g_autofree char *m1 = NULL;
  g_autofree char *m2 = NULL;
  g_autofree char *m3 = NULL;
  g_autofree char *token = NULL;
  g_autoptr (TtoFrame) answer = NULL;
  TtoTestClient *bo2;
  JsonObject *state;
  guint news = 0;
  guint updates = 0;

  if (!room_open (&room, 900, 900))
    return;

  m1 = send_text (&room, room.ana, "a1", "first");
  m2 = send_text (&room, room.ana, "a2", "second");
  token = g_strdup (tto_test_client_get_token (room.bo));
  tto_test_client_drop (room.bo);

  /* While Bo is away: an edit, a recall and a new message. */
  tto_frame_free (request_ok (room.ana, TTO_FRAME_MSG_EDIT,
                              tto_test_json_object ("{\"event_id\":\"%s\",\"msg_id\":\"%s\","
                                                    "\"text\":\"first, edited\"}",
                                                    room.event_id, m1)));
  tto_frame_free (request_ok (room.ana, TTO_FRAME_MSG_RECALL,
                              tto_test_json_object ("{\"event_id\":\"%s\",\"msg_id\":\"%s\"}",
                                                    room.event_id, m2)));
  {
    g_autoptr (TtoFrame) ok = tto_test_client_send_message (room.ana, room.event_id, "a3",
                                                            "third");

    m3 = g_strdup (tto_frame_get_string (ok, "msg_id"));
  }

  bo2 = tto_test_client_connect (room.relay);
  tto_test_client_auth (bo2, token);
  room.bo = bo2;
  answer = request_ok (bo2, TTO_FRAME_RESUME,
                       tto_test_json_object ("{\"events\":{\"%s\":{\"seq\":2,\"useq\":0}}}",
                                             room.event_id));
  state = json_object_get_object_member (json_object_get_object_member (answer->body, "events"),
                                         room.event_id);
  g_assert_cmpint (json_object_get_int_member (state, "last_seq"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (state, "last_useq"), ==, 2);
  g_assert_true (json_object_has_member (json_object_get_object_member (state, "reads"),
                                         tto_test_client_get_identity_id (room.ana)));

  /* Exactly: msg.new for seq 3, msg.updated for seq 1 and 2. */
  for (;;)
    {
      g_autoptr (TtoFrame) push = tto_test_client_wait_push (bo2, NULL, 200);
      JsonObject *message;

      if (push == NULL)
        break;
      if (tto_frame_is (push, TTO_FRAME_MSG_NEW))
        {
          g_assert_cmpint (tto_frame_get_int (push, "seq", 0), ==, 3);
          news++;
        }
      else if (tto_frame_is (push, TTO_FRAME_MSG_UPDATED))
        {
          message = json_object_get_object_member (push->body, "message");
          if (json_object_get_int_member (message, "seq") == 1)
            g_assert_cmpstr (json_object_get_string_member (message, "text"), ==,
                             "first, edited");
          else
            {
              g_assert_cmpint (json_object_get_int_member (message, "seq"), ==, 2);
              g_assert_true (json_object_get_boolean_member (message, "recalled"));
            }
          updates++;
        }
    }
  g_assert_cmpuint (news, ==, 1);
  g_assert_cmpuint (updates, ==, 2);

  /* A fresh start (seq 0) gets every message as it is now, no updates. */
  {
    g_autoptr (TtoFrame) again = request_ok (
      bo2, TTO_FRAME_RESUME,
      tto_test_json_object ("{\"events\":{\"%s\":{\"seq\":0,\"useq\":0}}}", room.event_id));

    g_assert_cmpuint (tto_test_client_count_pushes (bo2, TTO_FRAME_MSG_NEW), ==, 3);
    g_assert_cmpuint (tto_test_client_count_pushes (bo2, TTO_FRAME_MSG_UPDATED), ==, 0);
  }
  /* A malformed position is a bad frame. */
  expect_error (bo2, TTO_FRAME_RESUME,
                tto_test_json_object ("{\"events\":{\"%s\":{\"useq\":1}}}", room.event_id),
                "bad_frame");

  room_close (&room);
}

int
main (int argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chat/reply", test_reply);
  g_test_add_func ("/chat/mentions", test_mentions);
  g_test_add_func ("/chat/edit-window", test_edit_window);
  g_test_add_func ("/chat/recall", test_recall);
  g_test_add_func ("/chat/receipts", test_receipts);
  g_test_add_func ("/chat/event-update", test_event_update);
  g_test_add_func ("/chat/export-permission", test_export_permission);
  g_test_add_func ("/chat/resume-updates", test_resume_updates);

  return g_test_run ();
}
