/* tto-test-relay.c: integration tests against a real relay process and a
 * real MariaDB database, over real WebSocket connections
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test starts its own relay on a fresh database, so tests do not see
 * each other's events and can run in any order.
 */
#include <string.h>

#include "tto-test-harness.h"

#define DEFAULT_GRACE 60
/* How long to watch for something that must not arrive. */
#define QUIET_MS 300

/* ---------------------------------------------------------------- helpers */

static JsonObject *
event_id_body (const char *event_id)
{
  JsonObject *body = json_object_new ();

  json_object_set_string_member (body, "event_id", event_id);
  return body;
}

static const char *
obj_str (JsonObject *object,
         const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static gint64
obj_int (JsonObject *object,
         const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_autofree char *shown = NULL;
      g_autoptr (JsonNode) whole = json_node_init_object (json_node_alloc (), object);

      shown = json_to_string (whole, FALSE);
      g_error ("member %s is not an integer in %s", member, shown);
    }

  return json_node_get_int (node);
}

static gboolean
obj_is_null (JsonObject *object,
             const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_NULL (node);
}

static JsonObject *
obj_obj (JsonObject *object,
         const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    g_error ("member %s is not an object", member);

  return json_node_get_object (node);
}

static gboolean
is_invite_code (const char *code)
{
  if (code == NULL || strlen (code) != TTO_INVITE_CODE_LENGTH)
    return FALSE;

  for (const char *p = code; *p; p++)
    if (strchr (TTO_INVITE_CODE_ALPHABET, *p) == NULL)
      return FALSE;

  return TRUE;
}

static char *
dashed_lower (const char *code)
{
  g_autofree char *shown = tto_invite_code_format (code);

  return g_ascii_strdown (shown, -1);
}

static gint64
count_event_rows (TtoTestRelay *relay,
                  const char *table,
                  const char *column,
                  const char *id)
{
  return tto_test_relay_query_intf (relay, "SELECT COUNT(*) FROM %s WHERE %s = '%s'", table,
                                    column, id);
}

/* Polls @sql every 100 ms until it returns @expected or @timeout_ms pass. */
static gboolean
wait_for_sql (TtoTestRelay *relay,
              const char *sql,
              gint64 expected,
              guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (tto_test_relay_query_int (relay, sql) != expected)
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      tto_test_iterate_ms (100);
    }

  return TRUE;
}

static TtoTestClient *
connect_as (TtoTestRelay *relay,
            const char *name)
{
  TtoTestClient *c = tto_test_client_connect (relay);

  tto_test_client_create_identity (c, name);
  return c;
}

/* A creates an event, B joins it; returns the event id. */
static char *
setup_pair (TtoTestRelay *relay,
            TtoTestClient **a,
            TtoTestClient **b,
            char **out_code)
{
  g_autoptr (JsonObject) event = NULL;
  g_autoptr (JsonObject) joined = NULL;
  g_autoptr (TtoFrame) push = NULL;

  *a = connect_as (relay, "Ana");
  *b = connect_as (relay, "Bo");
  event = tto_test_client_create_event (*a, "Picnic", 0);
  joined = tto_test_client_join (*b, obj_str (event, "invite_code"));
  push = tto_test_client_wait_push (*a, TTO_FRAME_MEMBER_JOINED, 2000);
  g_assert_nonnull (push);

  if (out_code != NULL)
    *out_code = g_strdup (obj_str (event, "invite_code"));

  return g_strdup (obj_str (event, "event_id"));
}

/* Asserts that @c receives msg.new frames with seq first..last in order and
 * returns them. */
static GPtrArray *
collect_messages (TtoTestClient *c,
                  const char *event_id,
                  gint64 first,
                  gint64 last)
{
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) tto_frame_free);

  for (gint64 seq = first; seq <= last; seq++)
    {
      TtoFrame *push = tto_test_client_wait_push (c, TTO_FRAME_MSG_NEW, 3000);

      if (push == NULL)
        g_error ("msg.new with seq %" G_GINT64_FORMAT " did not arrive (expected %" G_GINT64_FORMAT
                 "..%" G_GINT64_FORMAT ")",
                 seq, first, last);
      g_assert_cmpstr (tto_frame_get_string (push, "event_id"), ==, event_id);
      if (tto_frame_get_int (push, "seq", -1) != seq)
        g_error ("msg.new out of order or with a gap: got seq %" G_GINT64_FORMAT
                 ", expected %" G_GINT64_FORMAT,
                 tto_frame_get_int (push, "seq", -1), seq);
      g_ptr_array_add (frames, push);
    }

  return frames;
}

/* ------------------------------------------------ identity and auth */

static void
test_identity_auth (void)
{
  TtoTestRelay *relay = tto_test_relay_start (DEFAULT_GRACE);
  TtoTestClient *a;
  TtoTestClient *again;
  TtoFrame *answer;
  g_autofree char *token = NULL;
  g_autofree char *identity_id = NULL;
  JsonObject *body;

  if (relay == NULL)
    return;

  a = tto_test_client_connect (relay);
  body = tto_test_json_object ("{\"kind\":\"one_time\",\"display_name\":\"  Ana  \"}");
  answer = tto_test_client_request_ok (a, TTO_FRAME_IDENTITY_CREATE, body);
  identity_id = g_strdup (tto_frame_get_string (answer, "identity_id"));
  token = g_strdup (tto_frame_get_string (answer, "token"));
  g_assert_true (tto_id_is_valid (identity_id));
  g_assert_cmpstr (tto_frame_get_string (answer, "display_name"), ==, "Ana");
  g_assert_cmpstr (tto_frame_get_string (answer, "kind"), ==, "one_time");
  /* 256 random bits as base64url without padding. */
  g_assert_nonnull (token);
  g_assert_cmpuint (strlen (token), ==, 43);
  for (const char *p = token; *p; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
  tto_frame_free (answer);

  /* The row exists; the token is stored only as a hash. */
  g_assert_cmpint (tto_test_relay_query_intf (relay,
                                              "SELECT COUNT(*) FROM identities WHERE id = '%s' "
                                              "AND kind = 'one_time' AND display_name = 'Ana'",
                                              identity_id),
                   ==, 1);
  g_assert_cmpint (tto_test_relay_query_intf (relay,
                                              "SELECT COUNT(*) FROM identity_tokens "
                                              "WHERE token_hash LIKE '%%%s%%'",
                                              token),
                   ==, 0);
  g_assert_cmpint (tto_test_relay_query_intf (relay,
                                              "SELECT COUNT(*) FROM identity_tokens "
                                              "WHERE identity_id = '%s' AND LENGTH(token_hash) = 32",
                                              identity_id),
                   ==, 1);

  /* A second connection authenticates with the token. */
  again = tto_test_client_connect (relay);
  body = tto_test_json_object ("{\"token\":\"%s\"}", token);
  answer = tto_test_client_request_ok (again, TTO_FRAME_AUTH, body);
  g_assert_cmpstr (tto_frame_get_string (answer, "identity_id"), ==, identity_id);
  g_assert_cmpstr (tto_frame_get_string (answer, "display_name"), ==, "Ana");
  g_assert_cmpstr (tto_frame_get_string (answer, "kind"), ==, "one_time");
  g_assert_null (tto_frame_get_string (answer, "token"));
  tto_frame_free (answer);
  tto_test_client_close (again);

  /* Unknown token: unauthorized, and the connection stays anonymous. */
  again = tto_test_client_connect (relay);
  body = tto_test_json_object ("{\"token\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}");
  tto_frame_free (tto_test_client_request_error (again, TTO_FRAME_AUTH, body, "unauthorized"));
  tto_frame_free (tto_test_client_request_error (again, TTO_FRAME_EVENT_LIST, NULL,
                                                 "unauthorized"));
  /* Same length as a real token, one character changed. */
  {
    g_autofree char *wrong = g_strdup (token);

    wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
    body = tto_test_json_object ("{\"token\":\"%s\"}", wrong);
    tto_frame_free (tto_test_client_request_error (again, TTO_FRAME_AUTH, body,
                                                   "unauthorized"));
  }
  tto_test_client_close (again);

  /* Bad identity.create bodies. */
  body = tto_test_json_object ("{\"kind\":\"permanent\",\"display_name\":\"Ana\"}");
  tto_frame_free (tto_test_client_request_error (a, TTO_FRAME_IDENTITY_CREATE, body, "bad_frame"));
  body = tto_test_json_object ("{\"kind\":\"one_time\",\"display_name\":\"\"}");
  tto_frame_free (tto_test_client_request_error (a, TTO_FRAME_IDENTITY_CREATE, body, "bad_frame"));
  body = json_object_new ();
  json_object_set_string_member (body, "kind", "one_time");
  {
    g_autofree char *long_name = g_strnfill (65, 'n');

    json_object_set_string_member (body, "display_name", long_name);
  }
  tto_frame_free (tto_test_client_request_error (a, TTO_FRAME_IDENTITY_CREATE, body, "too_large"));
  g_assert_cmpint (tto_test_relay_query_int (relay, "SELECT COUNT(*) FROM identities"), ==, 1);

  tto_test_client_close (a);
  tto_test_relay_stop (relay);
}

static void
test_before_auth (void)
{
  TtoTestRelay *relay = tto_test_relay_start (DEFAULT_GRACE);
  TtoTestClient *c;
  TtoFrame *answer;
  gint64 now_ms;

  if (relay == NULL)
    return;

  c = tto_test_client_connect (relay);

  /* ping is allowed before auth and carries the relay's clock. */
  now_ms = g_get_real_time () / 1000;
  answer = tto_test_client_request_ok (c, TTO_FRAME_PING, NULL);
  g_assert_cmpint (ABS (tto_frame_get_int (answer, "ts", 0) - now_ms), <, 60000);
  tto_frame_free (answer);

  tto_frame_free (tto_test_client_request_error (c, TTO_FRAME_EVENT_CREATE,
                                                 tto_test_json_object ("{\"title\":\"x\"}"),
                                                 "unauthorized"));
  tto_frame_free (tto_test_client_request_error (c, TTO_FRAME_EVENT_LIST, NULL, "unauthorized"));
  tto_frame_free (tto_test_client_request_error (c, TTO_FRAME_EVENT_GET,
                                                 event_id_body ("k3v9q2m8x4t7c1ab"),
                                                 "unauthorized"));
  tto_frame_free (tto_test_client_request_error (c, TTO_FRAME_EVENT_JOIN,
                                                 tto_test_json_object (
                                                   "{\"invite_code\":\"7KQ4MZ2P\"}"),
                                                 "unauthorized"));
  tto_frame_free (tto_test_client_request_error (c, TTO_FRAME_EVENT_END,
                                                 event_id_body ("k3v9q2m8x4t7c1ab"),
                                                 "unauthorized"));
  tto_frame_free (tto_test_client_request_error (c, TTO_FRAME_MSG_SEND,
                                                 tto_test_json_object (
                                                   "{\"event_id\":\"k3v9q2m8x4t7c1ab\","
                                                   "\"client_msg_id\":\"a\",\"text\":\"t\"}"),
                                                 "unauthorized"));
  tto_frame_free (tto_test_client_request_error (c, TTO_FRAME_RESUME,
                                                 tto_test_json_object (
                                                   "{\"events\":{\"k3v9q2m8x4t7c1ab\":0}}"),
                                                 "unauthorized"));
  g_assert_cmpint (tto_test_relay_query_int (relay, "SELECT COUNT(*) FROM events"), ==, 0);

  /* After identity.create the same connection may. */
  tto_test_client_create_identity (c, "Ana");
  {
    g_autoptr (JsonObject) event = tto_test_client_create_event (c, "Now it works", 0);

    g_assert_nonnull (obj_str (event, "event_id"));
  }

  tto_test_client_close (c);
  tto_test_relay_stop (relay);
}

/* --------------------------------------------------------- bad frames */

/* Waits for an error answer to @id or, when the relay could not read the id,
 * an error push; returns its code. */
static char *
wait_error (TtoTestClient *c,
            const char *id)
{
  gint64 end = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end)
    {
      g_autoptr (TtoFrame) frame = NULL;

      frame = id != NULL ? tto_test_client_wait_answer (c, id, 50) : NULL;
      if (frame == NULL)
        frame = tto_test_client_wait_push (c, TTO_FRAME_ERROR, 50);
      if (frame != NULL)
        {
          g_assert_cmpstr (frame->type, ==, "error");
          return g_strdup (tto_frame_get_string (frame, "code"));
        }
    }

  return NULL;
}

static void
assert_still_usable (TtoTestClient *c)
{
  TtoFrame *answer;

  g_assert_true (tto_test_client_is_open (c));
  answer = tto_test_client_request_ok (c, TTO_FRAME_PING, NULL);
  tto_frame_free (answer);
}

static void
test_bad_frames (void)
{
  TtoTestRelay *relay = tto_test_relay_start (DEFAULT_GRACE);
  struct
  {
    const char *text;
    const char *id; /* NULL: the relay cannot know it */
    const char *code;
    const char *message_part;
  } cases[] = {
    { "{\"v\":1,\"type\":", NULL, "bad_frame", NULL },
    { "[1,2,3]", NULL, "bad_frame", NULL },
    { "\"ping\"", NULL, "bad_frame", NULL },
    { "{\"v\":1,\"type\":\"msg.delete\",\"id\":\"@ID@\"}", "b1", "bad_frame", "msg.delete" },
    { "{\"v\":2,\"type\":\"ping\",\"id\":\"@ID@\"}", "b2", "unsupported_version", NULL },
    { "{\"type\":\"ping\",\"id\":\"@ID@\"}", "b3", "bad_frame", "v" },
    { "{\"v\":1,\"type\":\"event.create\",\"id\":\"@ID@\",\"body\":{}}", "b4", "bad_frame",
      "body.title" },
    { "{\"v\":1,\"type\":\"event.create\",\"id\":\"@ID@\",\"body\":{\"title\":5}}", "b5",
      "bad_frame", "body.title" },
    { "{\"v\":1,\"type\":\"event.create\",\"id\":\"@ID@\",\"body\":{\"title\":\"t\","
      "\"deadline\":\"tomorrow\"}}",
      "b6", "bad_frame", "body.deadline" },
    { "{\"v\":1,\"type\":\"msg.new\",\"id\":\"@ID@\",\"body\":{}}", "b7", "bad_frame", NULL },
    { "{\"v\":1,\"type\":\"ping\",\"id\":\"@ID@\",\"body\":[]}", "b8", "bad_frame", "body" },
  };
  TtoTestClient *c;

  if (relay == NULL)
    return;

  c = tto_test_client_connect (relay);

  /* Before and after authentication alike. */
  for (guint round = 0; round < 2; round++)
    {
      if (round == 1)
        tto_test_client_create_identity (c, "Ana");

      for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
        {
          g_autofree char *code = NULL;
          g_autofree char *id = g_strdup_printf ("%s-%u", cases[i].id ? cases[i].id : "none", round);
          g_auto (GStrv) parts = g_strsplit (cases[i].text, "@ID@", -1);
          g_autofree char *text = g_strjoinv (id, parts);

          tto_test_client_send_raw (c, text);
          if (cases[i].id != NULL)
            {
              g_autoptr (TtoFrame) answer = tto_test_client_wait_answer (c, id, 3000);

              if (answer == NULL)
                g_error ("no error answer with re '%s' to %s", id, text);
              g_assert_cmpstr (answer->type, ==, "error");
              g_assert_cmpstr (answer->re, ==, id);
              code = g_strdup (tto_frame_get_string (answer, "code"));
              if (cases[i].message_part != NULL &&
                  strstr (tto_frame_get_string (answer, "message"), cases[i].message_part) == NULL)
                g_error ("error message '%s' to %s does not name %s",
                         tto_frame_get_string (answer, "message"), text,
                         cases[i].message_part);
            }
          else
            {
              g_autoptr (TtoFrame) push = tto_test_client_wait_push (c, TTO_FRAME_ERROR, 3000);

              if (push == NULL)
                g_error ("no error frame in answer to %s", text);
              g_assert_null (push->re);
              code = g_strdup (tto_frame_get_string (push, "code"));
            }
          if (g_strcmp0 (code, cases[i].code) != 0)
            g_error ("%s got %s, expected %s", text, code, cases[i].code);

          assert_still_usable (c);
        }
    }

  /* A binary frame. */
  {
    g_autofree char *code = NULL;

    tto_test_client_send_binary (c, "{\"v\":1,\"type\":\"ping\"}", 22);
    code = wait_error (c, NULL);
    g_assert_cmpstr (code, ==, "bad_frame");
    assert_still_usable (c);
  }

  /* Over 64 KiB: bad_frame; the connection stays. */
  {
    g_autofree char *pad = g_strnfill (70 * 1024, 'x');
    g_autofree char *text = g_strdup_printf ("{\"v\":1,\"type\":\"ping\",\"id\":\"big1\","
                                             "\"body\":{\"pad\":\"%s\"}}",
                                             pad);
    g_autofree char *code = NULL;

    tto_test_client_send_raw (c, text);
    code = wait_error (c, "big1");
    g_assert_cmpstr (code, ==, "bad_frame");
    assert_still_usable (c);
  }

  /* Nothing of that created anything. */
  g_assert_cmpint (tto_test_relay_query_int (relay, "SELECT COUNT(*) FROM events"), ==, 0);

  tto_test_client_close (c);
  tto_test_relay_stop (relay);
}

/* PROTOCOL.md: frames over 1 MiB close the connection. */
static void
test_huge_frame (void)
{
  TtoTestRelay *relay = tto_test_relay_start (DEFAULT_GRACE);
  TtoTestClient *c;
  TtoTestClient *big;

  if (relay == NULL)
    return;

  c = tto_test_client_connect (relay);
  tto_test_client_create_identity (c, "Ana");
  big = tto_test_client_connect (relay);
  {
    /* Random letters: no compression could shrink it below the limit. */
    GString *pad = g_string_sized_new (1100 * 1024);
    g_autofree char *text = NULL;

    for (guint i = 0; i < 1100 * 1024; i++)
      g_string_append_c (pad, 'a' + g_random_int_range (0, 26));
    text = g_strdup_printf ("{\"v\":1,\"type\":\"ping\",\"id\":\"big2\","
                            "\"body\":{\"pad\":\"%s\"}}",
                            pad->str);
    g_string_free (pad, TRUE);

    tto_test_client_send_raw (big, text);
    if (!tto_test_client_wait_closed (big, 5000))
      g_error ("a frame over 1 MiB did not close the connection");
    /* The relay sends close code 1009, but it drops the socket while this
     * client is still writing, so the code may not arrive (PROTOCOL.md). */
    g_assert_true (tto_test_client_get_close_code (big) == 1009 ||
                   tto_test_client_get_close_code (big) == 0 ||
                   tto_test_client_get_close_code (big) == 1006);
  }
  tto_test_client_close (big);

  /* The other connection did not notice. */
  tto_frame_free (tto_test_client_request_ok (c, TTO_FRAME_PING, NULL));
  g_assert_true (tto_test_relay_is_running (relay));

  tto_test_client_close (c);
  tto_test_relay_stop (relay);
}

/* ------------------------------------------------------------- events */

static void
test_create_event (void)
{
  TtoTestRelay *relay = tto_test_relay_start (DEFAULT_GRACE);
  g_autoptr (GPtrArray) suspicious = NULL;
  g_autofree char *event_id = NULL;
  TtoTestClient *a;
  TtoFrame *answer;
  JsonObject *event;
  JsonObject *body;
  gint64 now;

  if (relay == NULL)
    return;

  a = connect_as (relay, "Ana");
  now = g_get_real_time () / G_USEC_PER_SEC;
  body = tto_test_json_object ("{\"title\":\"Hackathon team Blue\","
                               "\"content\":\"Build a bike-sharing app in 48 hours\","
                               "\"announcement\":\"Kick-off at 9:00 in room 2\","
                               "\"deadline\":%" G_GINT64_FORMAT ",\"admission\":\"open\"}",
                               now + 3600);
  answer = tto_test_client_request_ok (a, TTO_FRAME_EVENT_CREATE, body);
  event = obj_obj (answer->body, "event");
  event_id = g_strdup (obj_str (event, "event_id"));

  g_assert_true (tto_id_is_valid (event_id));
  g_assert_cmpstr (obj_str (event, "title"), ==, "Hackathon team Blue");
  g_assert_cmpstr (obj_str (event, "content"), ==, "Build a bike-sharing app in 48 hours");
  g_assert_cmpstr (obj_str (event, "announcement"), ==, "Kick-off at 9:00 in room 2");
  g_assert_cmpint (obj_int (event, "deadline"), ==, now + 3600);
  g_assert_cmpstr (obj_str (event, "admission"), ==, "open");
  g_assert_cmpstr (obj_str (event, "creator_id"), ==, tto_test_client_get_identity_id (a));
  g_assert_cmpstr (obj_str (event, "creator_name"), ==, "Ana");
  g_assert_true (is_invite_code (obj_str (event, "invite_code")));
  g_assert_cmpint (ABS (obj_int (event, "created_at") - now), <=, 5);
  g_assert_cmpint (obj_int (event, "member_count"), ==, 1);
  g_assert_cmpint (obj_int (event, "last_seq"), ==, 0);
  g_assert_cmpstr (obj_str (event, "role"), ==, "creator");
  g_assert_cmpstr (obj_str (event, "state"), ==, "active");

  /* The rows: one event, its creator as the one member. */
  g_assert_cmpint (tto_test_relay_query_intf (relay,
                                              "SELECT COUNT(*) FROM events WHERE id = '%s' AND "
                                              "creator_id = '%s' AND invite_code = '%s' AND "
                                              "title = 'Hackathon team Blue'",
                                              event_id, tto_test_client_get_identity_id (a),
                                              obj_str (event, "invite_code")),
                   ==, 1);
  g_assert_cmpint (tto_test_relay_query_intf (relay,
                                              "SELECT COUNT(*) FROM members WHERE event_id = '%s' "
                                              "AND identity_id = '%s' AND role = 'creator'",
                                              event_id, tto_test_client_get_identity_id (a)),
                   ==, 1);
  g_assert_cmpint (count_event_rows (relay, "members", "event_id", event_id), ==, 1);
  tto_frame_free (answer);

  /* No column anywhere could hold message text: only events.content is
   * allowed a name like that (it is the event's description). */
  suspicious = tto_test_relay_query_rows (relay,
                                          "SELECT table_name, column_name FROM "
                                          "information_schema.columns WHERE table_schema = "
                                          "DATABASE() AND (column_name LIKE '%text%' OR "
                                          "column_name LIKE '%body%' OR column_name LIKE "
                                          "'%content%' OR column_name LIKE '%message%' OR "
                                          "column_name LIKE '%msg%') AND NOT (table_name = "
                                          "'events' AND column_name = 'content')");
  for (guint i = 0; i < suspicious->len; i++)
    {
      char **row = g_ptr_array_index (suspicious, i);

      g_test_message ("column %s.%s may hold message text", row[0], row[1]);
    }
  g_assert_cmpuint (suspicious->len, ==, 0);
  /* The fixed tables exist. */
  g_assert_cmpint (tto_test_relay_query_int (relay,
                                             "SELECT COUNT(*) FROM information_schema.tables "
                                             "WHERE table_schema = DATABASE() AND table_name IN "
                                             "('identities','events','members','schema_version')"),
                   ==, 4);
  g_assert_cmpint (tto_test_relay_query_int (relay, "SELECT COUNT(*) FROM schema_version"), >=, 1);

  /* Bad event.create bodies change nothing. */
  tto_frame_free (tto_test_client_request_error (a, TTO_FRAME_EVENT_CREATE,
                                                 tto_test_json_object ("{\"content\":\"x\"}"),
                                                 "bad_frame"));
  tto_frame_free (tto_test_client_request_error (a, TTO_FRAME_EVENT_CREATE,
                                                 tto_test_json_object ("{\"title\":\"\"}"),
                                                 "bad_frame"));
  body = json_object_new ();
  {
    g_autofree char *long_title = g_strnfill (121, 't');

    json_object_set_string_member (body, "title", long_title);
  }
  tto_frame_free (tto_test_client_request_error (a, TTO_FRAME_EVENT_CREATE, body, "too_large"));
  /* A deadline in the past. */
  tto_frame_free (tto_test_client_request_error (a, TTO_FRAME_EVENT_CREATE,
                                                 tto_test_json_object (
                                                   "{\"title\":\"t\",\"deadline\":%" G_GINT64_FORMAT
                                                   "}",
                                                   now - 60),
                                                 "bad_frame"));
  g_assert_cmpint (tto_test_relay_query_int (relay, "SELECT COUNT(*) FROM events"), ==, 1);

  /* The creator's event.get shows the code and the member list. */
  answer = tto_test_client_request_ok (a, TTO_FRAME_EVENT_GET, event_id_body (event_id));
  event = obj_obj (answer->body, "event");
  g_assert_cmpstr (obj_str (event, "event_id"), ==, event_id);
  g_assert_true (is_invite_code (obj_str (event, "invite_code")));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (answer->body, "members")),
                    ==, 1);
  tto_frame_free (answer);

  /* Unknown event: not_found. */
  tto_frame_free (tto_test_client_request_error (a, TTO_FRAME_EVENT_GET,
                                                 event_id_body ("zzzzzzzzzzzzzzzz"), "not_found"));

  tto_test_client_close (a);
  tto_test_relay_stop (relay);
}

static void
test_join (void)
{
  TtoTestRelay *relay = tto_test_relay_start (DEFAULT_GRACE);
  g_autofree char *event_id = NULL;
  g_autofree char *code = NULL;
  g_autofree char *typed = NULL;
  g_autofree char *unknown = NULL;
  g_autoptr (JsonObject) event = NULL;
  g_autoptr (JsonObject) joined = NULL;
  g_autoptr (JsonObject) joined_again = NULL;
  TtoTestClient *a;
  TtoTestClient *b;
  TtoFrame *push;
  TtoFrame *answer;
  JsonObject *member;
  JsonArray *members;

  if (relay == NULL)
    return;

  a = connect_as (relay, "Ana");
  b = connect_as (relay, "Bo");
  event = tto_test_client_create_event (a, "Site visit", 0);
  event_id = g_strdup (obj_str (event, "event_id"));
  code = g_strdup (obj_str (event, "invite_code"));

  /* Malformed codes: bad_frame. Unknown well-formed code: not_found. */
  tto_frame_free (tto_test_client_request_error (b, TTO_FRAME_EVENT_JOIN,
                                                 tto_test_json_object (
                                                   "{\"invite_code\":\"0OOO1III\"}"),
                                                 "bad_frame"));
  tto_frame_free (tto_test_client_request_error (b, TTO_FRAME_EVENT_JOIN,
                                                 tto_test_json_object (
                                                   "{\"invite_code\":\"7KQ4MZ2\"}"),
                                                 "bad_frame"));
  tto_frame_free (tto_test_client_request_error (b, TTO_FRAME_EVENT_JOIN,
                                                 tto_test_json_object (
                                                   "{\"invite_code\":\"7KQ4MZ2PX\"}"),
                                                 "bad_frame"));
  do
    {
      g_free (unknown);
      unknown = tto_invite_code_new ();
    }
  while (g_str_equal (unknown, code));
  tto_frame_free (tto_test_client_request_error (b, TTO_FRAME_EVENT_JOIN,
                                                 tto_test_json_object ("{\"invite_code\":\"%s\"}",
                                                                       unknown),
                                                 "not_found"));
  g_assert_cmpint (count_event_rows (relay, "members", "event_id", event_id), ==, 1);
  g_assert_null (tto_test_client_wait_push (a, TTO_FRAME_MEMBER_JOINED, 50));

  /* Not a member yet: event.get is forbidden. */
  tto_frame_free (tto_test_client_request_error (b, TTO_FRAME_EVENT_GET, event_id_body (event_id),
                                                 "forbidden"));

  /* The code as people type it: lower case with a dash. */
  typed = dashed_lower (code);
  joined = tto_test_client_join (b, typed);
  g_assert_cmpstr (obj_str (joined, "event_id"), ==, event_id);
  g_assert_cmpstr (obj_str (joined, "title"), ==, "Site visit");
  g_assert_cmpstr (obj_str (joined, "role"), ==, "member");
  g_assert_cmpint (obj_int (joined, "member_count"), ==, 2);
  g_assert_cmpstr (obj_str (joined, "creator_id"), ==, tto_test_client_get_identity_id (a));
  g_assert_cmpstr (obj_str (joined, "creator_name"), ==, "Ana");
  g_assert_cmpstr (obj_str (joined, "state"), ==, "active");
  /* Only the creator receives the code. */
  g_assert_true (obj_is_null (joined, "invite_code"));

  push = tto_test_client_wait_push (a, TTO_FRAME_MEMBER_JOINED, 2000);
  g_assert_nonnull (push);
  g_assert_cmpstr (tto_frame_get_string (push, "event_id"), ==, event_id);
  g_assert_cmpint (tto_frame_get_int (push, "member_count", -1), ==, 2);
  member = obj_obj (push->body, "member");
  g_assert_cmpstr (obj_str (member, "identity_id"), ==, tto_test_client_get_identity_id (b));
  g_assert_cmpstr (obj_str (member, "display_name"), ==, "Bo");
  g_assert_cmpstr (obj_str (member, "role"), ==, "member");
  tto_frame_free (push);

  g_assert_cmpint (tto_test_relay_query_intf (relay,
                                              "SELECT COUNT(*) FROM members WHERE event_id = '%s' "
                                              "AND identity_id = '%s' AND role = 'member'",
                                              event_id, tto_test_client_get_identity_id (b)),
                   ==, 1);

  /* Joining again succeeds and changes nothing. */
  joined_again = tto_test_client_join (b, code);
  g_assert_cmpint (obj_int (joined_again, "member_count"), ==, 2);
  g_assert_cmpint (count_event_rows (relay, "members", "event_id", event_id), ==, 2);
  g_assert_null (tto_test_client_wait_push (a, TTO_FRAME_MEMBER_JOINED, QUIET_MS));
  /* The creator joining its own event changes nothing either. */
  {
    g_autoptr (JsonObject) own = tto_test_client_join (a, code);

    g_assert_cmpstr (obj_str (own, "role"), ==, "creator");
    g_assert_cmpint (obj_int (own, "member_count"), ==, 2);
  }
  g_assert_cmpint (count_event_rows (relay, "members", "event_id", event_id), ==, 2);

  /* A member's event.get: both members, no code. */
  answer = tto_test_client_request_ok (b, TTO_FRAME_EVENT_GET, event_id_body (event_id));
  g_assert_true (obj_is_null (obj_obj (answer->body, "event"), "invite_code"));
  members = json_object_get_array_member (answer->body, "members");
  g_assert_cmpuint (json_array_get_length (members), ==, 2);
  tto_frame_free (answer);

  tto_test_client_close (a);
  tto_test_client_close (b);
  tto_test_relay_stop (relay);
}

static gboolean
list_has (JsonArray *list,
          const char *event_id)
{
  for (guint i = 0; i < json_array_get_length (list); i++)
    if (g_strcmp0 (obj_str (json_array_get_object_element (list, i), "event_id"), event_id) == 0)
      return TRUE;

  return FALSE;
}

static void
test_event_list (void)
{
  TtoTestRelay *relay = tto_test_relay_start (DEFAULT_GRACE);
  g_autoptr (JsonObject) e1 = NULL;
  g_autoptr (JsonObject) e2 = NULL;
  g_autoptr (JsonObject) e3 = NULL;
  g_autoptr (JsonObject) joined = NULL;
  TtoTestClient *a;
  TtoTestClient *b;
  TtoFrame *answer;
  JsonArray *created;
  JsonArray *joined_list;

  if (relay == NULL)
    return;

  a = connect_as (relay, "Ana");
  b = connect_as (relay, "Bo");
  e1 = tto_test_client_create_event (a, "One", 0);
  e2 = tto_test_client_create_event (a, "Two", 0);
  e3 = tto_test_client_create_event (b, "Three", 0);
  joined = tto_test_client_join (b, obj_str (e1, "invite_code"));

  answer = tto_test_client_request_ok (a, TTO_FRAME_EVENT_LIST, NULL);
  created = json_object_get_array_member (answer->body, "created");
  joined_list = json_object_get_array_member (answer->body, "joined");
  g_assert_nonnull (created);
  g_assert_nonnull (joined_list);
  g_assert_cmpuint (json_array_get_length (created), ==, 2);
  g_assert_true (list_has (created, obj_str (e1, "event_id")));
  g_assert_true (list_has (created, obj_str (e2, "event_id")));
  g_assert_cmpuint (json_array_get_length (joined_list), ==, 0);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *e = json_array_get_object_element (created, i);

      g_assert_cmpstr (obj_str (e, "role"), ==, "creator");
      g_assert_true (is_invite_code (obj_str (e, "invite_code")));
      if (g_str_equal (obj_str (e, "event_id"), obj_str (e1, "event_id")))
        g_assert_cmpint (obj_int (e, "member_count"), ==, 2);
    }
  tto_frame_free (answer);

  answer = tto_test_client_request_ok (b, TTO_FRAME_EVENT_LIST, NULL);
  created = json_object_get_array_member (answer->body, "created");
  joined_list = json_object_get_array_member (answer->body, "joined");
  g_assert_cmpuint (json_array_get_length (created), ==, 1);
  g_assert_true (list_has (created, obj_str (e3, "event_id")));
  g_assert_cmpuint (json_array_get_length (joined_list), ==, 1);
  g_assert_true (list_has (joined_list, obj_str (e1, "event_id")));
  g_assert_cmpstr (obj_str (json_array_get_object_element (joined_list, 0), "role"), ==, "member");
  g_assert_true (obj_is_null (json_array_get_object_element (joined_list, 0), "invite_code"));
  tto_frame_free (answer);

  /* A fresh identity has nothing. */
  {
    TtoTestClient *c = connect_as (relay, "Cy");

    answer = tto_test_client_request_ok (c, TTO_FRAME_EVENT_LIST, NULL);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (answer->body,
                                                                           "created")),
                      ==, 0);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (answer->body,
                                                                           "joined")),
                      ==, 0);
    tto_frame_free (answer);
    tto_test_client_close (c);
  }

  tto_test_client_close (a);
  tto_test_client_close (b);
  tto_test_relay_stop (relay);
}

/* ----------------------------------------------------------- messages */

static void
check_same_log (GPtrArray *at_a,
                GPtrArray *at_b)
{
  g_assert_cmpuint (at_a->len, ==, at_b->len);
  for (guint i = 0; i < at_a->len; i++)
    {
      TtoFrame *fa = g_ptr_array_index (at_a, i);
      TtoFrame *fb = g_ptr_array_index (at_b, i);

      g_assert_cmpstr (tto_frame_get_string (fa, "msg_id"), ==,
                       tto_frame_get_string (fb, "msg_id"));
      g_assert_cmpstr (tto_frame_get_string (fa, "text"), ==, tto_frame_get_string (fb, "text"));
      g_assert_cmpstr (tto_frame_get_string (fa, "sender_id"), ==,
                       tto_frame_get_string (fb, "sender_id"));
      g_assert_cmpint (tto_frame_get_int (fa, "ts", -1), ==, tto_frame_get_int (fb, "ts", -2));
    }
}

static void
test_exchange (void)
{
  TtoTestRelay *relay = tto_test_relay_start (DEFAULT_GRACE);
  g_autoptr (GPtrArray) at_a = NULL;
  g_autoptr (GPtrArray) at_b = NULL;
  g_autoptr (GPtrArray) columns = NULL;
  g_autoptr (GHashTable) msg_ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *event_id = NULL;
  g_autofree char *marker = NULL;
  TtoTestClient *a;
  TtoTestClient *b;
  TtoTestClient *clients[2];
  guint next_from[2] = { 0, 0 };
  gint64 last_ts = 0;

  if (relay == NULL)
    return;

  event_id = setup_pair (relay, &a, &b, NULL);
  clients[0] = a;
  clients[1] = b;
  /* Found nowhere in the database afterwards. */
  marker = tto_id_new ();

  /* 25 rounds one request at a time, alternating senders. */
  for (guint i = 0; i < 25; i++)
    for (guint s = 0; s < 2; s++)
      {
        g_autofree char *cmid = g_strdup_printf ("%c-%u", 'a' + s, i);
        g_autofree char *text = g_strdup_printf ("%s from %c #%u", marker, 'A' + s, i);
        g_autoptr (TtoFrame) ok = tto_test_client_send_message (clients[s], event_id, cmid, text);

        g_assert_cmpint (tto_frame_get_int (ok, "seq", -1), ==, i * 2 + s + 1);
        g_assert_true (tto_id_is_valid (tto_frame_get_string (ok, "msg_id")));
        g_assert_cmpint (tto_frame_get_int (ok, "ts", 0), >=, last_ts);
        last_ts = tto_frame_get_int (ok, "ts", 0);
      }

  /* 25 rounds pipelined: both send without waiting for answers. */
  for (guint i = 25; i < 50; i++)
    for (guint s = 0; s < 2; s++)
      {
        g_autofree char *cmid = g_strdup_printf ("%c-%u", 'a' + s, i);
        g_autofree char *text = g_strdup_printf ("%s from %c #%u", marker, 'A' + s, i);
        g_autofree char *id = g_strdup_printf ("p%c%u", 'a' + s, i);
        g_autoptr (TtoFrame) frame = NULL;
        g_autofree char *wire = NULL;
        JsonObject *body = json_object_new ();

        json_object_set_string_member (body, "event_id", event_id);
        json_object_set_string_member (body, "client_msg_id", cmid);
        json_object_set_string_member (body, "text", text);
        frame = tto_frame_new (TTO_FRAME_MSG_SEND, id, body);
        wire = tto_frame_serialize (frame, NULL);
        tto_test_client_send_raw (clients[s], wire);
      }
  for (guint i = 25; i < 50; i++)
    for (guint s = 0; s < 2; s++)
      {
        g_autofree char *id = g_strdup_printf ("p%c%u", 'a' + s, i);
        g_autoptr (TtoFrame) ok = tto_test_client_wait_answer (clients[s], id, 5000);

        if (ok == NULL)
          g_error ("no answer to pipelined msg.send %s", id);
        g_assert_cmpstr (ok->type, ==, "ok");
        g_assert_cmpint (tto_frame_get_int (ok, "seq", -1), >, 50);
        g_assert_cmpint (tto_frame_get_int (ok, "seq", -1), <=, 100);
      }

  /* Both see seq 1..100, no gap, the same log. */
  at_a = collect_messages (a, event_id, 1, 100);
  at_b = collect_messages (b, event_id, 1, 100);
  check_same_log (at_a, at_b);
  g_assert_null (tto_test_client_wait_push (a, TTO_FRAME_MSG_NEW, QUIET_MS));
  g_assert_null (tto_test_client_wait_push (b, TTO_FRAME_MSG_NEW, 10));

  /* Each sender's messages in the order it sent them, with its name. */
  for (guint i = 0; i < at_a->len; i++)
    {
      TtoFrame *f = g_ptr_array_index (at_a, i);
      const char *sender = tto_frame_get_string (f, "sender_id");
      guint s = g_strcmp0 (sender, tto_test_client_get_identity_id (a)) == 0 ? 0 : 1;
      g_autofree char *cmid = g_strdup_printf ("%c-%u", 'a' + s, next_from[s]);
      g_autofree char *text = g_strdup_printf ("%s from %c #%u", marker, 'A' + s, next_from[s]);

      g_assert_cmpstr (sender, ==, tto_test_client_get_identity_id (clients[s]));
      g_assert_cmpstr (tto_frame_get_string (f, "sender_name"), ==, s == 0 ? "Ana" : "Bo");
      g_assert_cmpstr (tto_frame_get_string (f, "client_msg_id"), ==, cmid);
      g_assert_cmpstr (tto_frame_get_string (f, "text"), ==, text);
      g_assert_false (g_hash_table_contains (msg_ids, tto_frame_get_string (f, "msg_id")));
      g_hash_table_add (msg_ids, (gpointer) tto_frame_get_string (f, "msg_id"));
      next_from[s]++;
    }
  g_assert_cmpuint (next_from[0], ==, 50);
  g_assert_cmpuint (next_from[1], ==, 50);

  /* event.get reports last_seq; health counts the messages held. */
  {
    g_autoptr (TtoFrame) answer = tto_test_client_request_ok (b, TTO_FRAME_EVENT_GET,
                                                              event_id_body (event_id));
    g_autoptr (JsonObject) health = tto_test_relay_get_health (relay, event_id);
    JsonObject *e = obj_obj (health, "event");

    g_assert_cmpint (obj_int (obj_obj (answer->body, "event"), "last_seq"), ==, 100);
    g_assert_cmpstr (obj_str (health, "status"), ==, "ok");
    g_assert_cmpint (obj_int (health, "messages_held"), ==, 100);
    g_assert_cmpint (obj_int (health, "bytes_held"), >=, 100 * (gint64) strlen (marker));
    g_assert_cmpint (obj_int (health, "connections"), ==, 2);
    g_assert_cmpint (obj_int (health, "events_live"), ==, 1);
    g_assert_cmpstr (obj_str (e, "event_id"), ==, event_id);
    g_assert_true (json_object_get_boolean_member (e, "live"));
    g_assert_cmpint (obj_int (e, "messages_held"), ==, 100);
    g_assert_cmpint (obj_int (e, "bytes_held"), >=, 100 * (gint64) strlen (marker));
  }

  /* No text reached the database: search every string column. */
  columns = tto_test_relay_query_rows (relay,
                                       "SELECT table_name, column_name FROM "
                                       "information_schema.columns WHERE table_schema = "
                                       "DATABASE() AND data_type IN ('char','varchar','tinytext',"
                                       "'text','mediumtext','longtext','binary','varbinary',"
                                       "'tinyblob','blob','mediumblob','longblob','json')");
  g_assert_cmpuint (columns->len, >, 0);
  for (guint i = 0; i < columns->len; i++)
    {
      char **row = g_ptr_array_index (columns, i);

      if (tto_test_relay_query_intf (relay, "SELECT COUNT(*) FROM `%s` WHERE `%s` LIKE '%%%s%%'",
                                     row[0], row[1], marker) != 0)
        g_error ("message text found in the database, column %s.%s", row[0], row[1]);
    }

  tto_test_client_close (a);
  tto_test_client_close (b);
  tto_test_relay_stop (relay);
}

static void
test_idempotent_resend (void)
{
  TtoTestRelay *relay = tto_test_relay_start (DEFAULT_GRACE);
  g_autofree char *event_id = NULL;
  g_autoptr (TtoFrame) first = NULL;
  g_autoptr (TtoFrame) second = NULL;
  g_autoptr (TtoFrame) other = NULL;
  g_autoptr (TtoFrame) from_b = NULL;
  TtoTestClient *a;
  TtoTestClient *b;
  TtoTestClient *a2;

  if (relay == NULL)
    return;

  event_id = setup_pair (relay, &a, &b, NULL);

  first = tto_test_client_send_message (a, event_id, "dup-1", "only once");
  second = tto_test_client_send_message (a, event_id, "dup-1", "only once");
  g_assert_cmpint (tto_frame_get_int (first, "seq", -1), ==, 1);
  g_assert_cmpint (tto_frame_get_int (second, "seq", -1), ==, 1);
  g_assert_cmpstr (tto_frame_get_string (second, "msg_id"), ==,
                   tto_frame_get_string (first, "msg_id"));
  g_assert_cmpint (tto_frame_get_int (second, "ts", -1), ==, tto_frame_get_int (first, "ts", -2));

  /* After a reconnect (the ok never arrived), still the same. */
  a2 = tto_test_client_connect (relay);
  tto_test_client_auth (a2, tto_test_client_get_token (a));
  {
    g_autoptr (TtoFrame) third = tto_test_client_send_message (a2, event_id, "dup-1",
                                                               "only once");

    g_assert_cmpint (tto_frame_get_int (third, "seq", -1), ==, 1);
    g_assert_cmpstr (tto_frame_get_string (third, "msg_id"), ==,
                     tto_frame_get_string (first, "msg_id"));
  }

  /* The same client_msg_id from another sender is another message. */
  from_b = tto_test_client_send_message (b, event_id, "dup-1", "mine");
  g_assert_cmpint (tto_frame_get_int (from_b, "seq", -1), ==, 2);
  g_assert_cmpstr (tto_frame_get_string (from_b, "msg_id"), !=,
                   tto_frame_get_string (first, "msg_id"));
  other = tto_test_client_send_message (a, event_id, "dup-2", "next");
  g_assert_cmpint (tto_frame_get_int (other, "seq", -1), ==, 3);

  /* Each connection got each message once. */
  tto_test_iterate_ms (QUIET_MS);
  g_assert_cmpuint (tto_test_client_count_pushes (a, TTO_FRAME_MSG_NEW), ==, 3);
  g_assert_cmpuint (tto_test_client_count_pushes (b, TTO_FRAME_MSG_NEW), ==, 3);
  /* a2 joined the event's delivery when it authenticated as a member, after
   * seq 1: it may see 2 and 3, never 1 twice. */
  g_assert_cmpuint (tto_test_client_count_pushes (a2, TTO_FRAME_MSG_NEW), <=, 2);
  {
    g_autoptr (GPtrArray) log = collect_messages (b, event_id, 1, 3);

    g_assert_cmpstr (tto_frame_get_string (g_ptr_array_index (log, 0), "text"), ==, "only once");
    g_assert_cmpstr (tto_frame_get_string (g_ptr_array_index (log, 1), "text"), ==, "mine");
  }

  {
    g_autoptr (JsonObject) health = tto_test_relay_get_health (relay, event_id);

    g_assert_cmpint (obj_int (obj_obj (health, "event"), "messages_held"), ==, 3);
  }

  tto_test_client_close (a2);
  tto_test_client_close (a);
  tto_test_client_close (b);
  tto_test_relay_stop (relay);
}

static void
test_text_limit (void)
{
  TtoTestRelay *relay = tto_test_relay_start (DEFAULT_GRACE);
  g_autofree char *event_id = NULL;
  GString *text = g_string_new (NULL);
  g_autofree char *long_text = NULL;
  TtoTestClient *a;
  TtoTestClient *b;
  TtoFrame *answer;
  JsonObject *body;

  if (relay == NULL)
    return;

  event_id = setup_pair (relay, &a, &b, NULL);

  /* 4001 characters of two bytes each. */
  for (guint i = 0; i < 4001; i++)
    g_string_append (text, "\xc3\xa9");
  long_text = g_string_free (text, FALSE);

  body = json_object_new ();
  json_object_set_string_member (body, "event_id", event_id);
  json_object_set_string_member (body, "client_msg_id", "long-1");
  json_object_set_string_member (body, "text", long_text);
  answer = tto_test_client_request_error (a, TTO_FRAME_MSG_SEND, body, "too_large");
  g_assert_nonnull (strstr (tto_frame_get_string (answer, "message"), "body.text"));
  tto_frame_free (answer);

  /* Nothing stored, nothing delivered. */
  g_assert_null (tto_test_client_wait_push (b, TTO_FRAME_MSG_NEW, QUIET_MS));
  g_assert_cmpuint (tto_test_client_count_pushes (a, TTO_FRAME_MSG_NEW), ==, 0);
  {
    g_autoptr (JsonObject) health = tto_test_relay_get_health (relay, event_id);

    g_assert_cmpint (obj_int (obj_obj (health, "event"), "messages_held"), ==, 0);
    g_assert_cmpint (obj_int (obj_obj (health, "event"), "bytes_held"), ==, 0);
  }

  /* 4000 of them go through, and the same client_msg_id is free to use:
   * the failed request changed nothing. */
  long_text[strlen (long_text) - 2] = '\0';
  g_assert_cmpint (g_utf8_strlen (long_text, -1), ==, 4000);
  {
    g_autoptr (TtoFrame) ok = tto_test_client_send_message (a, event_id, "long-1", long_text);
    g_autoptr (TtoFrame) push = tto_test_client_wait_push (b, TTO_FRAME_MSG_NEW, 2000);
    g_autoptr (JsonObject) health = tto_test_relay_get_health (relay, event_id);

    g_assert_cmpint (tto_frame_get_int (ok, "seq", -1), ==, 1);
    g_assert_nonnull (push);
    g_assert_cmpstr (tto_frame_get_string (push, "text"), ==, long_text);
    g_assert_cmpint (obj_int (obj_obj (health, "event"), "messages_held"), ==, 1);
    g_assert_cmpint (obj_int (obj_obj (health, "event"), "bytes_held"), >=, 8000);
  }

  /* Empty text: bad_frame. */
  tto_frame_free (tto_test_client_request_error (a, TTO_FRAME_MSG_SEND,
                                                 tto_test_json_object (
                                                   "{\"event_id\":\"%s\",\"client_msg_id\":"
                                                   "\"e\",\"text\":\"\"}",
                                                   event_id),
                                                 "bad_frame"));

  tto_test_client_close (a);
  tto_test_client_close (b);
  tto_test_relay_stop (relay);
}

static void
test_non_member (void)
{
  TtoTestRelay *relay = tto_test_relay_start (DEFAULT_GRACE);
  g_autofree char *event_id = NULL;
  TtoTestClient *a;
  TtoTestClient *b;
  TtoTestClient *c;

  if (relay == NULL)
    return;

  event_id = setup_pair (relay, &a, &b, NULL);
  c = connect_as (relay, "Cy");

  tto_frame_free (tto_test_client_request_error (c, TTO_FRAME_MSG_SEND,
                                                 tto_test_json_object (
                                                   "{\"event_id\":\"%s\",\"client_msg_id\":"
                                                   "\"x1\",\"text\":\"let me in\"}",
                                                   event_id),
                                                 "forbidden"));
  tto_frame_free (tto_test_client_request_error (c, TTO_FRAME_EVENT_GET, event_id_body (event_id),
                                                 "forbidden"));
  tto_frame_free (tto_test_client_request_error (c, TTO_FRAME_EVENT_END, event_id_body (event_id),
                                                 "forbidden"));
  /* Unknown events are not_found, for members of others too. */
  tto_frame_free (tto_test_client_request_error (c, TTO_FRAME_MSG_SEND,
                                                 tto_test_json_object (
                                                   "{\"event_id\":\"zzzzzzzzzzzzzzzz\","
                                                   "\"client_msg_id\":\"x2\",\"text\":\"hi\"}"),
                                                 "not_found"));

  /* A resume for an event one is not a member of says ended, pushes nothing. */
  {
    g_autoptr (TtoFrame) answer =
      tto_test_client_request_ok (c, TTO_FRAME_RESUME,
                                  tto_test_json_object ("{\"events\":{\"%s\":0}}", event_id));
    JsonObject *state = obj_obj (obj_obj (answer->body, "events"), event_id);

    g_assert_cmpstr (obj_str (state, "state"), ==, "ended");
  }

  g_assert_null (tto_test_client_wait_push (a, TTO_FRAME_MSG_NEW, QUIET_MS));
  g_assert_cmpuint (tto_test_client_count_pushes (b, TTO_FRAME_MSG_NEW), ==, 0);
  g_assert_cmpuint (tto_test_client_count_pushes (c, NULL), ==, 0);
  g_assert_cmpint (count_event_rows (relay, "members", "event_id", event_id), ==, 2);

  tto_test_client_close (a);
  tto_test_client_close (b);
  tto_test_client_close (c);
  tto_test_relay_stop (relay);
}

/* ------------------------------------------------------------- resume */

static void
test_resume (void)
{
  TtoTestRelay *relay = tto_test_relay_start (DEFAULT_GRACE);
  g_autofree char *event_id = NULL;
  g_autofree char *b_token = NULL;
  g_autoptr (GPtrArray) seen = NULL;
  g_autoptr (GPtrArray) missed = NULL;
  g_autoptr (TtoFrame) answer = NULL;
  TtoTestClient *a;
  TtoTestClient *b;
  JsonObject *state;

  if (relay == NULL)
    return;

  event_id = setup_pair (relay, &a, &b, NULL);

  /* Three messages B sees live. */
  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *cmid = g_strdup_printf ("before-%u", i);

      tto_frame_free (tto_test_client_send_message (a, event_id, cmid, "seen live"));
    }
  seen = collect_messages (b, event_id, 1, 3);

  /* B's phone leaves the network. */
  b_token = g_strdup (tto_test_client_get_token (b));
  tto_test_client_drop (b);

  for (guint i = 1; i <= 5; i++)
    {
      g_autofree char *cmid = g_strdup_printf ("missed-%u", i);
      g_autofree char *text = g_strdup_printf ("missed %u", i);
      g_autoptr (TtoFrame) ok = tto_test_client_send_message (a, event_id, cmid, text);

      g_assert_cmpint (tto_frame_get_int (ok, "seq", -1), ==, 3 + i);
    }

  /* B comes back: auth, resume from seq 3. */
  b = tto_test_client_connect (relay);
  tto_test_client_auth (b, b_token);
  answer = tto_test_client_request_ok (b, TTO_FRAME_RESUME,
                                       tto_test_json_object ("{\"events\":{\"%s\":3}}", event_id));
  state = obj_obj (obj_obj (answer->body, "events"), event_id);
  g_assert_cmpint (obj_int (state, "last_seq"), ==, 8);
  g_assert_cmpstr (obj_str (state, "state"), ==, "active");

  /* The missed ones were pushed before the ok: exactly 5, in order. */
  g_assert_cmpuint (tto_test_client_count_pushes (b, TTO_FRAME_MSG_NEW), ==, 5);
  missed = collect_messages (b, event_id, 4, 8);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *text = g_strdup_printf ("missed %u", i + 1);

      g_assert_cmpstr (tto_frame_get_string (g_ptr_array_index (missed, i), "text"), ==, text);
    }
  g_assert_null (tto_test_client_wait_push (b, TTO_FRAME_MSG_NEW, QUIET_MS));

  /* Live delivery continues after the resume. */
  tto_frame_free (tto_test_client_send_message (a, event_id, "after", "live again"));
  g_clear_pointer (&missed, g_ptr_array_unref);
  missed = collect_messages (b, event_id, 9, 9);

  /* Resume from 0 fetches the whole log. */
  g_clear_pointer (&answer, tto_frame_free);
  answer = tto_test_client_request_ok (b, TTO_FRAME_RESUME,
                                       tto_test_json_object ("{\"events\":{\"%s\":0}}", event_id));
  g_assert_cmpint (obj_int (obj_obj (obj_obj (answer->body, "events"), event_id), "last_seq"), ==,
                   9);
  g_clear_pointer (&missed, g_ptr_array_unref);
  missed = collect_messages (b, event_id, 1, 9);
  g_assert_null (tto_test_client_wait_push (b, TTO_FRAME_MSG_NEW, 10));

  /* Resuming an unknown event says ended. */
  g_clear_pointer (&answer, tto_frame_free);
  answer = tto_test_client_request_ok (b, TTO_FRAME_RESUME,
                                       tto_test_json_object (
                                         "{\"events\":{\"zzzzzzzzzzzzzzzz\":4}}"));
  g_assert_cmpstr (obj_str (obj_obj (obj_obj (answer->body, "events"), "zzzzzzzzzzzzzzzz"),
                            "state"),
                   ==, "ended");

  tto_test_client_close (a);
  tto_test_client_close (b);
  tto_test_relay_stop (relay);
}

/* ---------------------------------------------------------------- end */

/* RAM is wiped by the time event.ended arrives. Rows too, unless
 * @rows_wait_ms allows them to follow (the sweeper ends an expired room
 * first and deletes its rows after). */
static void
assert_event_gone (TtoTestRelay *relay,
                   const char *event_id,
                   guint rows_wait_ms)
{
  g_autoptr (JsonObject) health = tto_test_relay_get_health (relay, event_id);
  g_autofree char *events_sql = g_strdup_printf ("SELECT COUNT(*) FROM events WHERE id = '%s'",
                                                 event_id);
  g_autofree char *members_sql =
    g_strdup_printf ("SELECT COUNT(*) FROM members WHERE event_id = '%s'", event_id);
  JsonObject *e = obj_obj (health, "event");

  g_assert_false (json_object_get_boolean_member (e, "live"));
  g_assert_cmpint (obj_int (e, "bytes_held"), ==, 0);
  g_assert_cmpint (obj_int (e, "messages_held"), ==, 0);

  if (!wait_for_sql (relay, events_sql, 0, rows_wait_ms))
    g_error ("the events row of an ended event is still there %u ms after event.ended",
             rows_wait_ms);
  if (!wait_for_sql (relay, members_sql, 0, rows_wait_ms))
    g_error ("members rows of an ended event are still there %u ms after event.ended",
             rows_wait_ms);
}

static void
assert_ended_push (TtoTestClient *c,
                   const char *event_id,
                   const char *reason,
                   guint timeout_ms)
{
  g_autoptr (TtoFrame) push = tto_test_client_wait_push (c, TTO_FRAME_EVENT_ENDED, timeout_ms);

  if (push == NULL)
    g_error ("no event.ended (%s) within %u ms", reason, timeout_ms);
  g_assert_cmpstr (tto_frame_get_string (push, "event_id"), ==, event_id);
  g_assert_cmpstr (tto_frame_get_string (push, "reason"), ==, reason);
}

static void
test_end (void)
{
  TtoTestRelay *relay = tto_test_relay_start (DEFAULT_GRACE);
  g_autofree char *event_id = NULL;
  g_autofree char *code = NULL;
  g_autoptr (TtoFrame) answer = NULL;
  g_autoptr (JsonObject) other = NULL;
  TtoTestClient *a;
  TtoTestClient *b;

  if (relay == NULL)
    return;

  event_id = setup_pair (relay, &a, &b, &code);
  other = tto_test_client_create_event (a, "Another one", 0);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *cmid = g_strdup_printf ("m%u", i);

      tto_frame_free (tto_test_client_send_message (i % 2 ? a : b, event_id, cmid,
                                                    "soon forgotten"));
    }
  g_ptr_array_unref (collect_messages (a, event_id, 1, 4));
  g_ptr_array_unref (collect_messages (b, event_id, 1, 4));
  {
    g_autoptr (JsonObject) health = tto_test_relay_get_health (relay, event_id);

    g_assert_cmpint (obj_int (obj_obj (health, "event"), "messages_held"), ==, 4);
    g_assert_cmpint (obj_int (obj_obj (health, "event"), "bytes_held"), >=, 4 * 14);
  }

  /* Only the creator may end it. */
  tto_frame_free (tto_test_client_request_error (b, TTO_FRAME_EVENT_END, event_id_body (event_id),
                                                 "forbidden"));
  g_assert_cmpint (count_event_rows (relay, "events", "id", event_id), ==, 1);

  answer = tto_test_client_request_ok (a, TTO_FRAME_EVENT_END, event_id_body (event_id));
  assert_ended_push (a, event_id, "ended", 2000);
  assert_ended_push (b, event_id, "ended", 2000);

  /* Rows and RAM gone by the time of the ok. */
  assert_event_gone (relay, event_id, 0);
  /* The other event lives on. */
  g_assert_cmpint (count_event_rows (relay, "events", "id", obj_str (other, "event_id")), ==, 1);
  {
    g_autoptr (JsonObject) health = tto_test_relay_get_health (relay, NULL);

    g_assert_cmpint (obj_int (health, "events_live"), ==, 1);
    g_assert_cmpint (obj_int (health, "messages_held"), ==, 0);
    g_assert_cmpint (obj_int (health, "bytes_held"), ==, 0);
  }

  /* Later requests naming it: not_found. */
  tto_frame_free (tto_test_client_request_error (b, TTO_FRAME_MSG_SEND,
                                                 tto_test_json_object (
                                                   "{\"event_id\":\"%s\",\"client_msg_id\":"
                                                   "\"late\",\"text\":\"hello?\"}",
                                                   event_id),
                                                 "not_found"));
  tto_frame_free (tto_test_client_request_error (a, TTO_FRAME_EVENT_GET, event_id_body (event_id),
                                                 "not_found"));
  tto_frame_free (tto_test_client_request_error (a, TTO_FRAME_EVENT_END, event_id_body (event_id),
                                                 "not_found"));
  tto_frame_free (tto_test_client_request_error (b, TTO_FRAME_EVENT_JOIN,
                                                 tto_test_json_object ("{\"invite_code\":\"%s\"}",
                                                                       code),
                                                 "not_found"));
  {
    g_autoptr (TtoFrame) resumed =
      tto_test_client_request_ok (b, TTO_FRAME_RESUME,
                                  tto_test_json_object ("{\"events\":{\"%s\":0}}", event_id));

    g_assert_cmpstr (obj_str (obj_obj (obj_obj (resumed->body, "events"), event_id), "state"), ==,
                     "ended");
    g_assert_null (tto_test_client_wait_push (b, TTO_FRAME_MSG_NEW, QUIET_MS));
  }
  {
    g_autoptr (TtoFrame) list = tto_test_client_request_ok (b, TTO_FRAME_EVENT_LIST, NULL);

    g_assert_false (list_has (json_object_get_array_member (list->body, "joined"), event_id));
  }
  g_assert_null (tto_test_client_wait_push (a, TTO_FRAME_EVENT_ENDED, 10));

  tto_test_client_close (a);
  tto_test_client_close (b);
  tto_test_relay_stop (relay);
}

static void
test_deadline (void)
{
  TtoTestRelay *relay = tto_test_relay_start (DEFAULT_GRACE);
  g_autofree char *event_id = NULL;
  g_autofree char *code = NULL;
  g_autoptr (JsonObject) event = NULL;
  g_autoptr (JsonObject) joined = NULL;
  g_autoptr (JsonObject) lasting = NULL;
  TtoTestClient *a;
  TtoTestClient *b;
  gint64 start;

  if (relay == NULL)
    return;

  a = connect_as (relay, "Ana");
  b = connect_as (relay, "Bo");
  start = g_get_monotonic_time ();
  event = tto_test_client_create_event (a, "Two seconds", g_get_real_time () / G_USEC_PER_SEC + 2);
  lasting = tto_test_client_create_event (a, "An hour",
                                          g_get_real_time () / G_USEC_PER_SEC + 3600);
  event_id = g_strdup (obj_str (event, "event_id"));
  code = g_strdup (obj_str (event, "invite_code"));
  joined = tto_test_client_join (b, code);
  tto_frame_free (tto_test_client_send_message (b, event_id, "m1", "before the deadline"));

  assert_ended_push (a, event_id, "expired", 6000);
  assert_ended_push (b, event_id, "expired", 1000);
  g_test_message ("expired after %.1f s", (g_get_monotonic_time () - start) / 1e6);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 1 * G_USEC_PER_SEC);

  assert_event_gone (relay, event_id, 2000);
  tto_frame_free (tto_test_client_request_error (b, TTO_FRAME_MSG_SEND,
                                                 tto_test_json_object (
                                                   "{\"event_id\":\"%s\",\"client_msg_id\":"
                                                   "\"m2\",\"text\":\"too late\"}",
                                                   event_id),
                                                 "not_found"));
  /* The event with a later deadline is untouched. */
  g_assert_cmpint (count_event_rows (relay, "events", "id", obj_str (lasting, "event_id")), ==, 1);

  tto_test_client_close (a);
  tto_test_client_close (b);
  tto_test_relay_stop (relay);
}

static void
test_identity_grace (void)
{
  TtoTestRelay *relay = tto_test_relay_start (1);
  g_autofree char *event_id = NULL;
  g_autofree char *a_id = NULL;
  g_autofree char *b_id = NULL;
  g_autofree char *a_token = NULL;
  g_autofree char *sql = NULL;
  TtoTestClient *a;
  TtoTestClient *b;
  gint64 start;

  if (relay == NULL)
    return;

  event_id = setup_pair (relay, &a, &b, NULL);
  a_id = g_strdup (tto_test_client_get_identity_id (a));
  b_id = g_strdup (tto_test_client_get_identity_id (b));
  a_token = g_strdup (tto_test_client_get_token (a));
  tto_frame_free (tto_test_client_send_message (a, event_id, "m1", "bye soon"));

  /* While connected, past the grace period, an identity lives. */
  tto_test_iterate_ms (2500);
  g_assert_cmpint (count_event_rows (relay, "identities", "id", a_id), ==, 1);
  g_assert_cmpint (count_event_rows (relay, "events", "id", event_id), ==, 1);

  /* A's last connection closes. */
  start = g_get_monotonic_time ();
  tto_test_client_close (a);

  sql = g_strdup_printf ("SELECT COUNT(*) FROM identities WHERE id = '%s'", a_id);
  if (!wait_for_sql (relay, sql, 0, 6000))
    g_error ("one-time identity still there 6 s after its last connection closed (grace 1 s)");
  g_test_message ("identity deleted after %.1f s", (g_get_monotonic_time () - start) / 1e6);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC - 100000);

  assert_ended_push (b, event_id, "creator_left", 3000);
  assert_event_gone (relay, event_id, 0);
  g_assert_cmpint (tto_test_relay_query_intf (relay,
                                              "SELECT COUNT(*) FROM members WHERE identity_id = "
                                              "'%s'",
                                              a_id),
                   ==, 0);
  /* B is still connected: its identity stays. */
  g_assert_cmpint (count_event_rows (relay, "identities", "id", b_id), ==, 1);

  /* A's token is dead. */
  {
    TtoTestClient *again = tto_test_client_connect (relay);

    tto_frame_free (tto_test_client_request_error (again, TTO_FRAME_AUTH,
                                                   tto_test_json_object ("{\"token\":\"%s\"}",
                                                                         a_token),
                                                   "unauthorized"));
    tto_test_client_close (again);
  }

  tto_test_client_close (b);
  tto_test_relay_stop (relay);
}

static void
test_health (void)
{
  TtoTestRelay *relay = tto_test_relay_start (DEFAULT_GRACE);
  g_autoptr (JsonObject) health = NULL;
  g_autoptr (JsonObject) unknown = NULL;
  TtoTestClient *a;

  if (relay == NULL)
    return;

  health = tto_test_relay_get_health (relay, NULL);
  g_assert_cmpstr (obj_str (health, "status"), ==, "ok");
  g_assert_nonnull (obj_str (health, "version"));
  g_assert_cmpint (obj_int (health, "connections"), ==, 0);
  g_assert_cmpint (obj_int (health, "events_live"), ==, 0);
  g_assert_cmpint (obj_int (health, "messages_held"), ==, 0);
  g_assert_cmpint (obj_int (health, "bytes_held"), ==, 0);
  g_assert_false (json_object_has_member (health, "event"));
  g_clear_pointer (&health, json_object_unref);

  a = connect_as (relay, "Ana");
  tto_test_iterate_ms (50);
  health = tto_test_relay_get_health (relay, NULL);
  g_assert_cmpint (obj_int (health, "connections"), ==, 1);

  unknown = tto_test_relay_get_health (relay, "zzzzzzzzzzzzzzzz");
  g_assert_false (json_object_get_boolean_member (obj_obj (unknown, "event"), "live"));
  g_assert_cmpint (obj_int (obj_obj (unknown, "event"), "bytes_held"), ==, 0);

  tto_test_client_close (a);
  tto_test_relay_stop (relay);
}

int
main (int argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/relay/identity-auth", test_identity_auth);
  g_test_add_func ("/relay/before-auth", test_before_auth);
  g_test_add_func ("/relay/bad-frames", test_bad_frames);
  g_test_add_func ("/relay/health", test_health);
  g_test_add_func ("/relay/event/create", test_create_event);
  g_test_add_func ("/relay/event/join", test_join);
  g_test_add_func ("/relay/event/list", test_event_list);
  g_test_add_func ("/relay/msg/exchange", test_exchange);
  g_test_add_func ("/relay/msg/idempotent-resend", test_idempotent_resend);
  g_test_add_func ("/relay/msg/text-limit", test_text_limit);
  g_test_add_func ("/relay/msg/non-member", test_non_member);
  g_test_add_func ("/relay/resume", test_resume);
  g_test_add_func ("/relay/event/end", test_end);
  g_test_add_func ("/relay/event/deadline", test_deadline);
  g_test_add_func ("/relay/identity/grace", test_identity_grace);
  g_test_add_func ("/relay/limits/huge-frame", test_huge_frame);

  return g_test_run ();
}
