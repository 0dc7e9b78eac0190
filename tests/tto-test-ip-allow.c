/* tto-test-ip-allow.c: per-event IP allow-lists against a real relay and
 * MariaDB
 *
 * The harness's clients connect from 127.0.0.1 (the relay binds there), so
 * a list of 10.0.0.0/8 shuts them out and 127.0.0.0/8 lets them in. Covered:
 * joining refused and admitted, a member locked out of every frame, resume
 * and file transfers after the creator narrows the list and let in again
 * when it widens, the creator never locked out, bad lists refused with
 * bad_frame and nothing changed, the list absent from other members' Event
 * objects, the database row, X-Forwarded-For counted only from a proxy
 * named in [relay] trusted_proxies, pushes meant for one person filtered
 * per connection, and application.update refused like event.join.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>
#include <unistd.h>

#include "tto-shared.h"
#include "tto-test-harness.h"

#define GRACE 600

typedef struct
{
  TtoTestRelay *relay;
  SoupSession *session;
} Fixture;

static void
fixture_init (Fixture *f,
              const char *const *relay_args)
{
  memset (f, 0, sizeof *f);
  f->relay = tto_test_relay_start_with_args (GRACE, relay_args);
  if (f->relay != NULL)
    f->session = soup_session_new ();
}

static void
fixture_clear (Fixture *f)
{
  g_clear_object (&f->session);
  if (f->relay != NULL)
    tto_test_relay_stop (f->relay);
}

/* A connection from @forwarded_for (NULL: the relay's own loopback);
 * the relay believes it only from a trusted proxy. */
static TtoTestClient *
connect_from (Fixture *f,
              const char *forwarded_for)
{
  const char *const headers[] = { "X-Forwarded-For", forwarded_for, NULL };

  return tto_test_client_connect_with_headers (f->relay, forwarded_for != NULL ? headers : NULL);
}

static TtoTestClient *
person (Fixture *f,
        const char *name,
        const char *forwarded_for)
{
  TtoTestClient *c = connect_from (f, forwarded_for);

  tto_test_client_create_identity (c, name);
  return c;
}

/* event.create with @ip_allow (a JSON array); returns the creator's Event. */
static JsonObject *
create_event (TtoTestClient *c,
              const char *title,
              const char *ip_allow)
{
  g_autoptr (TtoFrame) answer = tto_test_client_request_ok (
    c, TTO_FRAME_EVENT_CREATE,
    tto_test_json_object ("{\"title\":\"%s\",\"ip_allow\":%s}", title, ip_allow));

  return json_object_ref (json_object_get_object_member (answer->body, "event"));
}

static JsonObject *
set_list (TtoTestClient *creator,
          const char *event_id,
          const char *ip_allow)
{
  g_autoptr (TtoFrame) answer = tto_test_client_request_ok (
    creator, TTO_FRAME_EVENT_UPDATE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"ip_allow\":%s}", event_id, ip_allow));

  return json_object_ref (json_object_get_object_member (answer->body, "event"));
}

/* The Event's ip_allow joined with ' ', or NULL when it has none. */
static char *
list_of (JsonObject *event)
{
  g_autoptr (GString) text = g_string_new (NULL);
  JsonArray *array;

  if (!json_object_has_member (event, "ip_allow"))
    return NULL;
  array = json_object_get_array_member (event, "ip_allow");
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_string_append_printf (text, "%s%s", i > 0 ? " " : "",
                            json_array_get_string_element (array, i));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
assert_forbidden (TtoTestClient *c,
                  const char *type,
                  JsonObject *body,
                  const char *message)
{
  g_autoptr (TtoFrame) answer = tto_test_client_request_error (c, type, body, "forbidden");

  g_assert_cmpstr (tto_frame_get_string (answer, "message"), ==, message);
}

static char *
db_list (Fixture *f,
         const char *event_id)
{
  return tto_test_relay_query_stringf (f->relay, "SELECT ip_allow FROM events WHERE id = '%s'",
                                       event_id);
}

/* A relay config file holding @text, for the caller to remove. */
static char *
write_config (const char *text)
{
  g_autoptr (GError) error = NULL;
  char *path = NULL;
  int fd;

  fd = g_file_open_tmp ("tto-ip-allow-XXXXXX.conf", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, text, -1, &error));
  return path;
}

/* A relay that believes X-Forwarded-For from @proxies ([relay]
 * trusted_proxies); @config_path: the config file to remove afterwards. */
static gboolean
proxy_fixture_init (Fixture *f,
                    const char *proxies,
                    char **config_path)
{
  g_autofree char *text = g_strdup_printf ("[relay]\ntrusted_proxies=%s\n", proxies);
  const char *args[] = { "--config", NULL, NULL };

  *config_path = write_config (text);
  args[1] = *config_path;
  fixture_init (f, args);
  if (f->relay == NULL)
    {
      g_unlink (*config_path);
      return FALSE;
    }
  return TRUE;
}

/* HTTP with the identity's token; @forwarded_for: an X-Forwarded-For. */
static guint
http (Fixture *f,
      const char *method,
      const char *path,
      TtoTestClient *who,
      const char *forwarded_for,
      GBytes *body,
      char **out_body)
{
  g_autofree char *url = g_strconcat (tto_test_relay_get_http_base (f->relay), path, NULL);
  g_autofree char *bearer = g_strconcat ("Bearer ", tto_test_client_get_token (who), NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autoptr (GBytes) answer = NULL;
  g_autoptr (GError) error = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", bearer);
  if (forwarded_for != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Forwarded-For",
                                  forwarded_for);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/octet-stream", body);
  answer = soup_session_send_and_read (f->session, msg, NULL, &error);
  g_assert_no_error (error);
  if (out_body != NULL)
    *out_body = g_strndup (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer));

  return soup_message_get_status (msg);
}

static char *
upload (Fixture *f,
        TtoTestClient *who,
        const char *event_id)
{
  static const char data[] = "\0\xff ip-allow test bytes";
  g_autoptr (GBytes) bytes = g_bytes_new_static (data, sizeof data);
  g_autofree char *path = g_strdup_printf ("/v1/events/%s/blobs", event_id);
  g_autofree char *text = NULL;
  g_autoptr (JsonObject) object = NULL;

  g_assert_cmpuint (http (f, "PUT", path, who, NULL, bytes, &text), ==, 201);
  object = tto_test_json_object ("%s", text);
  return g_strdup (json_object_get_string_member (object, "blob_id"));
}

static guint
download (Fixture *f,
          TtoTestClient *who,
          const char *forwarded_for,
          const char *event_id,
          const char *blob_id,
          char **out_body)
{
  g_autofree char *path = g_strdup_printf ("/v1/events/%s/blobs/%s", event_id, blob_id);

  return http (f, "GET", path, who, forwarded_for, NULL, out_body);
}

static JsonObject *
resume_state (TtoTestClient *c,
              const char *event_id)
{
  g_autoptr (TtoFrame) answer = tto_test_client_request_ok (
    c, TTO_FRAME_RESUME, tto_test_json_object ("{\"events\":{\"%s\":0}}", event_id));
  JsonObject *events = json_object_get_object_member (answer->body, "events");

  if (!json_object_has_member (events, event_id))
    return NULL;
  return json_object_ref (json_object_get_object_member (events, event_id));
}

/* Joining from outside the list is refused before anything else; inside
 * it is admitted; the list stays the creator's to see. */
static void
test_join (void)
{
  Fixture f;
  TtoTestClient *ana, *bo, *cy;
  g_autoptr (JsonObject) event = NULL;
  g_autoptr (JsonObject) updated = NULL;
  g_autofree char *event_id = NULL;
  g_autofree char *code = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *stored = NULL;

  fixture_init (&f, NULL);
  if (f.relay == NULL)
    return;

  ana = person (&f, "Ana", NULL);
  bo = person (&f, "Bo", NULL);
  /* A relay without trusted_proxies ignores the header. */
  cy = person (&f, "Cy", "10.1.2.3");

  event = create_event (ana, "Lab day", "[\"10.0.0.0/8\"]");
  event_id = g_strdup (json_object_get_string_member (event, "event_id"));
  code = g_strdup (json_object_get_string_member (event, "invite_code"));
  shown = list_of (event);
  g_assert_cmpstr (shown, ==, "10.0.0.0/8");
  stored = db_list (&f, event_id);
  g_assert_cmpstr (stored, ==, "10.0.0.0/8");

  assert_forbidden (bo, TTO_FRAME_EVENT_JOIN,
                    tto_test_json_object ("{\"invite_code\":\"%s\"}", code),
                    "your network is not allowed to join this event");
  assert_forbidden (cy, TTO_FRAME_EVENT_JOIN,
                    tto_test_json_object ("{\"invite_code\":\"%s\"}", code),
                    "your network is not allowed to join this event");
  /* Refused, so not a member, and nobody was told of a join. */
  tto_test_client_request_error (bo, TTO_FRAME_EVENT_GET,
                                 tto_test_json_object ("{\"event_id\":\"%s\"}", event_id),
                                 "forbidden");
  g_assert_cmpuint (tto_test_client_count_pushes (ana, TTO_FRAME_MEMBER_JOINED), ==, 0);
  g_assert_cmpint (tto_test_relay_query_intf (f.relay,
                                              "SELECT COUNT(*) FROM members WHERE event_id = '%s'",
                                              event_id), ==, 1);

  /* The creator, from 127.0.0.1 too, is never refused. */
  tto_frame_free (tto_test_client_send_message (ana, event_id, "m1", "Anyone there?"));
  tto_frame_free (tto_test_client_request_ok (
    ana, TTO_FRAME_EVENT_GET, tto_test_json_object ("{\"event_id\":\"%s\"}", event_id)));

  /* Canonical spelling, repeats dropped; loopback now allowed. */
  updated = set_list (ana, event_id, "[\"10.0.0.0/8\", \"127.0.0.0/8\", \"2001:DB8::/32\", "
                                     "\"10.0.0.0/8\", \"192.0.2.7\"]");
  g_free (shown);
  shown = list_of (updated);
  g_assert_cmpstr (shown, ==, "10.0.0.0/8 127.0.0.0/8 2001:db8::/32 192.0.2.7/32");
  g_free (stored);
  stored = db_list (&f, event_id);
  g_assert_cmpstr (stored, ==, "10.0.0.0/8,127.0.0.0/8,2001:db8::/32,192.0.2.7/32");

  {
    g_autoptr (JsonObject) joined = tto_test_client_join (bo, code);
    g_autoptr (TtoFrame) get = NULL;
    g_autoptr (TtoFrame) list = NULL;
    g_autoptr (TtoFrame) push = NULL;
    JsonArray *array;

    /* Bo's view of the event has no list, wherever he reads it. */
    g_assert_false (json_object_has_member (joined, "ip_allow"));
    g_assert_true (json_object_get_null_member (joined, "invite_code"));
    get = tto_test_client_request_ok (bo, TTO_FRAME_EVENT_GET,
                                      tto_test_json_object ("{\"event_id\":\"%s\"}", event_id));
    g_assert_false (json_object_has_member (json_object_get_object_member (get->body, "event"),
                                            "ip_allow"));
    list = tto_test_client_request_ok (bo, TTO_FRAME_EVENT_LIST, NULL);
    array = json_object_get_array_member (list->body, "joined");
    g_assert_cmpuint (json_array_get_length (array), ==, 1);
    g_assert_false (json_object_has_member (json_array_get_object_element (array, 0),
                                            "ip_allow"));

    /* event.updated: the creator's copy has it, Bo's has not. */
    tto_test_client_discard_pushes (ana);
    json_object_unref (set_list (ana, event_id, "[\"127.0.0.0/8\"]"));
    push = tto_test_client_wait_push (bo, TTO_FRAME_EVENT_UPDATED, 5000);
    g_assert_nonnull (push);
    g_assert_false (json_object_has_member (json_object_get_object_member (push->body, "event"),
                                            "ip_allow"));
    g_clear_pointer (&push, tto_frame_free);
    push = tto_test_client_wait_push (ana, TTO_FRAME_EVENT_UPDATED, 5000);
    g_assert_nonnull (push);
    g_free (shown);
    shown = list_of (json_object_get_object_member (push->body, "event"));
    g_assert_cmpstr (shown, ==, "127.0.0.0/8");
  }

  /* Joining again from inside: harmless; an empty list admits anyone. */
  json_object_unref (tto_test_client_join (bo, code));
  g_clear_pointer (&updated, json_object_unref);
  updated = set_list (ana, event_id, "[]");
  g_free (shown);
  shown = list_of (updated);
  g_assert_cmpstr (shown, ==, "");
  g_free (stored);
  stored = db_list (&f, event_id);
  g_assert_cmpstr (stored, ==, "");
  json_object_unref (tto_test_client_join (cy, code));

  tto_test_client_close (ana);
  tto_test_client_close (bo);
  tto_test_client_close (cy);
  fixture_clear (&f);
}

/* A member whose network the creator takes off the list is shut out of
 * every frame and file of the event, and let back in when it is widened;
 * the creator never is. */
static void
test_lock_out (void)
{
  Fixture f;
  TtoTestClient *ana, *bo;
  g_autoptr (JsonObject) event = NULL;
  g_autoptr (JsonObject) state = NULL;
  g_autofree char *event_id = NULL;
  g_autofree char *blob_id = NULL;
  g_autofree char *text = NULL;
  const char *locked = "your network is not allowed in this event";

  fixture_init (&f, NULL);
  if (f.relay == NULL)
    return;

  ana = person (&f, "Ana", NULL);
  bo = person (&f, "Bo", NULL);
  event = tto_test_client_create_event (ana, "Site visit", 0);
  event_id = g_strdup (json_object_get_string_member (event, "event_id"));
  json_object_unref (tto_test_client_join (bo, json_object_get_string_member (event,
                                                                              "invite_code")));
  tto_frame_free (tto_test_client_send_message (ana, event_id, "m1", "Gate code is on the sign"));
  blob_id = upload (&f, ana, event_id);
  g_assert_cmpuint (download (&f, bo, NULL, event_id, blob_id, NULL), ==, 200);

  /* Narrowed to a network Bo is not on. */
  json_object_unref (set_list (ana, event_id, "[\"10.0.0.0/8\"]"));
  tto_test_client_discard_pushes (bo);

  assert_forbidden (bo, TTO_FRAME_MSG_SEND,
                    tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"b1\","
                                          "\"text\":\"Hello?\"}", event_id),
                    locked);
  assert_forbidden (bo, TTO_FRAME_RECEIPT_READ,
                    tto_test_json_object ("{\"event_id\":\"%s\",\"seq\":1}", event_id), locked);
  assert_forbidden (bo, TTO_FRAME_EVENT_GET,
                    tto_test_json_object ("{\"event_id\":\"%s\"}", event_id), locked);
  assert_forbidden (bo, TTO_FRAME_EXPORT_FETCH,
                    tto_test_json_object ("{\"event_id\":\"%s\"}", event_id), locked);
  /* Resume leaves the event out: neither caught up nor called ended. */
  state = resume_state (bo, event_id);
  g_assert_null (state);
  g_assert_cmpuint (tto_test_client_count_pushes (bo, TTO_FRAME_MSG_NEW), ==, 0);
  /* Files too, both ways. */
  g_assert_cmpuint (download (&f, bo, NULL, event_id, blob_id, &text), ==, 403);
  g_assert_nonnull (strstr (text, "\"forbidden\""));
  g_assert_nonnull (strstr (text, locked));
  g_clear_pointer (&text, g_free);
  {
    g_autoptr (GBytes) bytes = g_bytes_new_static ("\0\xff more", 7);
    g_autofree char *path = g_strdup_printf ("/v1/events/%s/blobs", event_id);

    g_assert_cmpuint (http (&f, "PUT", path, bo, NULL, bytes, NULL), ==, 403);
  }
  /* Nor does what others send reach him. */
  tto_frame_free (tto_test_client_send_message (ana, event_id, "m2", "Meet at the north gate"));
  tto_test_iterate_ms (300);
  g_assert_cmpuint (tto_test_client_count_pushes (bo, TTO_FRAME_MSG_NEW), ==, 0);

  /* Ana, from the same address, is the creator: never locked out. */
  tto_frame_free (tto_test_client_request_ok (
    ana, TTO_FRAME_EVENT_GET, tto_test_json_object ("{\"event_id\":\"%s\"}", event_id)));
  tto_frame_free (tto_test_client_request_ok (
    ana, TTO_FRAME_RECEIPT_READ, tto_test_json_object ("{\"event_id\":\"%s\",\"seq\":2}",
                                                       event_id)));
  g_assert_cmpuint (download (&f, ana, NULL, event_id, blob_id, NULL), ==, 200);
  {
    g_autoptr (JsonObject) ana_state = resume_state (ana, event_id);

    g_assert_nonnull (ana_state);
    g_assert_cmpstr (json_object_get_string_member (ana_state, "state"), ==, "active");
  }

  /* Widened: Bo is back, and catches up with resume. */
  json_object_unref (set_list (ana, event_id, "[\"10.0.0.0/8\",\"127.0.0.0/8\"]"));
  tto_frame_free (tto_test_client_send_message (bo, event_id, "b2", "I am back"));
  g_assert_cmpuint (download (&f, bo, NULL, event_id, blob_id, NULL), ==, 200);
  tto_frame_free (tto_test_client_wait_push (bo, TTO_FRAME_MSG_NEW, 5000));
  tto_test_client_discard_pushes (bo);
  state = resume_state (bo, event_id);
  g_assert_nonnull (state);
  g_assert_cmpstr (json_object_get_string_member (state, "state"), ==, "active");
  g_assert_cmpint (json_object_get_int_member (state, "last_seq"), ==, 3);
  g_assert_cmpuint (tto_test_client_count_pushes (bo, TTO_FRAME_MSG_NEW), ==, 3);

  /* The end reaches even a member locked out at that moment. */
  json_object_unref (set_list (ana, event_id, "[\"10.0.0.0/8\"]"));
  tto_test_client_discard_pushes (bo);
  tto_frame_free (tto_test_client_request_ok (
    ana, TTO_FRAME_EVENT_END, tto_test_json_object ("{\"event_id\":\"%s\"}", event_id)));
  {
    g_autoptr (TtoFrame) ended = tto_test_client_wait_push (bo, TTO_FRAME_EVENT_ENDED, 5000);

    g_assert_nonnull (ended);
  }

  tto_test_client_close (ana);
  tto_test_client_close (bo);
  fixture_clear (&f);
}

static void
assert_bad (TtoTestClient *c,
            const char *type,
            JsonObject *body,
            const char *in_message)
{
  g_autoptr (TtoFrame) answer = tto_test_client_request_error (c, type, body, "bad_frame");

  if (strstr (tto_frame_get_string (answer, "message"), in_message) == NULL)
    g_error ("%s: \"%s\" lacks \"%s\"", type, tto_frame_get_string (answer, "message"),
             in_message);
}

/* Bad lists are bad_frame, naming the entry; a refused update changes
 * nothing; only the creator sets the list. */
static void
test_bad_lists (void)
{
  Fixture f;
  TtoTestClient *ana, *bo;
  g_autoptr (JsonObject) event = NULL;
  g_autoptr (GString) many = g_string_new ("[");
  g_autofree char *event_id = NULL;
  g_autofree char *stored = NULL;
  static const struct
  {
    const char *list;
    const char *in_message;
  } bad[] = {
    { "[\"300.1.1.1/8\"]", "body.ip_allow[0]: \"300.1.1.1\" is not an IPv4 or IPv6 address" },
    { "[\"127.0.0.0/8\",\"10.0.0.0/33\"]", "body.ip_allow[1]: the prefix length of \"10.0.0.0/33\"" },
    { "[\"abc\"]", "body.ip_allow[0]: \"abc\" is not" },
    { "[\"10.1.2.3/8\"]", "the network is 10.0.0.0/8" },
    { "[null]", "body.ip_allow[0] must be a string" },
    { "\"10.0.0.0/8\"", "body.ip_allow" },
  };

  fixture_init (&f, NULL);
  if (f.relay == NULL)
    return;

  ana = person (&f, "Ana", NULL);
  bo = person (&f, "Bo", NULL);
  for (guint i = 0; i < TTO_CIDR_MAX_ENTRIES + 1; i++)
    g_string_append_printf (many, "%s\"10.%u.0.0/16\"", i > 0 ? "," : "", i);
  g_string_append (many, "]");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_bad (ana, TTO_FRAME_EVENT_CREATE,
                tto_test_json_object ("{\"title\":\"Bad\",\"ip_allow\":%s}", bad[i].list),
                bad[i].in_message);
  assert_bad (ana, TTO_FRAME_EVENT_CREATE,
              tto_test_json_object ("{\"title\":\"Bad\",\"ip_allow\":%s}", many->str),
              "body.ip_allow has 33 networks; at most 32 are allowed");
  /* None of those made an event. */
  g_assert_cmpint (tto_test_relay_query_int (f.relay, "SELECT COUNT(*) FROM events"), ==, 0);

  event = create_event (ana, "Good", "[\"127.0.0.0/8\"]");
  event_id = g_strdup (json_object_get_string_member (event, "event_id"));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_bad (ana, TTO_FRAME_EVENT_UPDATE,
                tto_test_json_object ("{\"event_id\":\"%s\",\"ip_allow\":%s}", event_id,
                                      bad[i].list),
                bad[i].in_message);
  assert_bad (ana, TTO_FRAME_EVENT_UPDATE,
              tto_test_json_object ("{\"event_id\":\"%s\",\"ip_allow\":%s}", event_id, many->str),
              "at most 32");
  stored = db_list (&f, event_id);
  g_assert_cmpstr (stored, ==, "127.0.0.0/8");

  /* Exactly 32 is fine. */
  {
    g_autoptr (GString) full = g_string_new ("[");
    g_autoptr (JsonObject) updated = NULL;

    for (guint i = 0; i < TTO_CIDR_MAX_ENTRIES; i++)
      g_string_append_printf (full, "%s\"10.%u.0.0/16\"", i > 0 ? "," : "", i);
    g_string_append (full, "]");
    updated = set_list (ana, event_id, full->str);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (updated, "ip_allow")),
                      ==, TTO_CIDR_MAX_ENTRIES);
  }

  /* A member may not change it. */
  json_object_unref (set_list (ana, event_id, "[\"127.0.0.0/8\"]"));
  json_object_unref (tto_test_client_join (bo, json_object_get_string_member (event,
                                                                              "invite_code")));
  tto_frame_free (tto_test_client_request_error (
    bo, TTO_FRAME_EVENT_UPDATE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"ip_allow\":[]}", event_id), "forbidden"));
  g_free (stored);
  stored = db_list (&f, event_id);
  g_assert_cmpstr (stored, ==, "127.0.0.0/8");

  tto_test_client_close (ana);
  tto_test_client_close (bo);
  fixture_clear (&f);
}

/* With [relay] trusted_proxies naming 127.0.0.1, the harness plays a
 * reverse proxy: X-Forwarded-For says where the client is. */
static void
test_trusted_proxy (void)
{
  Fixture f;
  TtoTestClient *ana, *bo, *cy, *di, *eve;
  g_autoptr (JsonObject) event = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *event_id = NULL;
  g_autofree char *code = NULL;
  g_autofree char *blob_id = NULL;

  if (!proxy_fixture_init (&f, "127.0.0.1;::1", &config_path))
    return;

  ana = person (&f, "Ana", NULL);
  bo = person (&f, "Bo", "10.1.2.3");
  /* Straight from the proxy's own address: no header, so 127.0.0.1. */
  cy = person (&f, "Cy", NULL);
  /* The proxy appends the address it saw: the rightmost hop counts. */
  di = person (&f, "Di", "10.9.9.9, 192.0.2.44");
  eve = person (&f, "Eve", "192.0.2.44, 10.7.7.7");

  event = create_event (ana, "Behind the proxy", "[\"10.0.0.0/8\"]");
  event_id = g_strdup (json_object_get_string_member (event, "event_id"));
  code = g_strdup (json_object_get_string_member (event, "invite_code"));

  json_object_unref (tto_test_client_join (bo, code));
  json_object_unref (tto_test_client_join (eve, code));
  assert_forbidden (cy, TTO_FRAME_EVENT_JOIN,
                    tto_test_json_object ("{\"invite_code\":\"%s\"}", code),
                    "your network is not allowed to join this event");
  assert_forbidden (di, TTO_FRAME_EVENT_JOIN,
                    tto_test_json_object ("{\"invite_code\":\"%s\"}", code),
                    "your network is not allowed to join this event");
  tto_frame_free (tto_test_client_send_message (bo, event_id, "b1", "Through the proxy"));

  /* Files: the header of each request counts. */
  blob_id = upload (&f, ana, event_id);
  g_assert_cmpuint (download (&f, bo, "10.1.2.3", event_id, blob_id, NULL), ==, 200);
  g_assert_cmpuint (download (&f, bo, NULL, event_id, blob_id, NULL), ==, 403);
  g_assert_cmpuint (download (&f, bo, "10.1.2.3, 198.51.100.1", event_id, blob_id, NULL), ==,
                    403);
  /* A hop that is no address ends the chain at the proxy itself. */
  g_assert_cmpuint (download (&f, bo, "10.1.2.3, not-an-address", event_id, blob_id, NULL), ==,
                    403);
  g_assert_cmpuint (download (&f, bo, "[::ffff:10.1.2.3]", event_id, blob_id, NULL), ==, 200);

  /* Per-event health is for this host's operators: a client behind the
   * proxy (on loopback) is not one of them. */
  {
    g_autofree char *path = g_strdup_printf ("/v1/health?event=%s", event_id);
    g_autofree char *text = NULL;

    g_assert_cmpuint (http (&f, "GET", path, bo, "10.1.2.3", NULL, &text), ==, 200);
    g_assert_null (strstr (text, "\"live\""));
    g_clear_pointer (&text, g_free);
    g_assert_cmpuint (http (&f, "GET", path, bo, NULL, NULL, &text), ==, 200);
    g_assert_nonnull (strstr (text, "\"live\":true"));
  }

  tto_test_client_close (ana);
  tto_test_client_close (bo);
  tto_test_client_close (cy);
  tto_test_client_close (di);
  tto_test_client_close (eve);
  fixture_clear (&f);
  g_unlink (config_path);
}

/* A second connection of @who's identity, from @forwarded_for (NULL:
 * the relay's own loopback, outside 10.0.0.0/8). */
static TtoTestClient *
device (Fixture *f,
        TtoTestClient *who,
        const char *forwarded_for)
{
  TtoTestClient *c = connect_from (f, forwarded_for);

  tto_test_client_auth (c, tto_test_client_get_token (who));
  return c;
}

static char *
db_reason (Fixture *f,
           const char *event_id,
           TtoTestClient *applicant)
{
  return tto_test_relay_query_stringf (f->relay,
                                       "SELECT reason FROM applications"
                                       " WHERE event_id = '%s' AND identity_id = '%s'",
                                       event_id, tto_test_client_get_identity_id (applicant));
}

static void
send_tagged (TtoTestClient *c,
             const char *event_id,
             const char *prefix,
             const char *tag)
{
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("%s%u", prefix, i);
      g_autofree char *text = g_strdup_printf ("%s, take %u", tag, i);

      tto_frame_free (tto_test_client_send_message (c, event_id, id, text));
    }
}

static JsonObject *
wait_body (TtoTestClient *c,
           const char *type)
{
  g_autoptr (TtoFrame) push = tto_test_client_wait_push (c, type, 5000);

  if (push == NULL)
    g_error ("no %s arrived", type);
  return json_object_ref (push->body);
}

/* Joins by review: the creator grants @reviewer "review" (and @more, if
 * any) and turns the event's admission to review. */
static void
admit_by_review (TtoTestClient *creator,
                 const char *event_id,
                 TtoTestClient *reviewer,
                 const char *more)
{
  const char *permissions[] = { "review", more };

  for (guint i = 0; i < G_N_ELEMENTS (permissions) && permissions[i] != NULL; i++)
    tto_frame_free (tto_test_client_request_ok (
      creator, TTO_FRAME_MEMBER_GRANT,
      tto_test_json_object ("{\"event_id\":\"%s\",\"identity_id\":\"%s\",\"permission\":\"%s\","
                            "\"duration\":null}", event_id,
                            tto_test_client_get_identity_id (reviewer), permissions[i])));
  tto_frame_free (tto_test_client_request_ok (
    creator, TTO_FRAME_EVENT_UPDATE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"admission\":\"review\"}", event_id)));
}

/* The creator asks @applicant for more with @message. */
static void
ask_more (TtoTestClient *creator,
          const char *event_id,
          TtoTestClient *applicant,
          const char *message)
{
  tto_frame_free (tto_test_client_request_ok (
    creator, TTO_FRAME_REVIEW_DECIDE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"identity_ids\":[\"%s\"],\"decision\":\"more\","
                          "\"message\":\"%s\"}", event_id,
                          tto_test_client_get_identity_id (applicant), message)));
}

/* Both reviewers hear review.new with the application's @reason. */
static void
assert_reviewers_hear (TtoTestClient *one,
                       TtoTestClient *other,
                       const char *reason)
{
  g_autoptr (JsonObject) to_one = wait_body (one, TTO_FRAME_REVIEW_NEW);
  g_autoptr (JsonObject) to_other = wait_body (other, TTO_FRAME_REVIEW_NEW);

  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (to_one, "application"), "reason"),
                   ==, reason);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (to_other, "application"), "reason"),
                   ==, reason);
}

/* Pushes meant for one person (review.new to reviewers, review.decided to
 * an applicant, topic.proposed and topic.decided to topic managers, each
 * member's own event.updated) reach only the connections the list lets
 * in: the same identity hears them on its 10.x device and not on its
 * loopback one. The creator hears them from anywhere; event.removed, like
 * event.ended, reaches a locked-out device too. */
static void
test_one_person_pushes (void)
{
  Fixture f;
  TtoTestClient *ana, *bo_in, *bo_out, *cy_in, *cy_out;
  g_autoptr (JsonObject) event = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *event_id = NULL;
  g_autofree char *proposal_id = NULL;

  /* Believing X-Forwarded-For from loopback, one test can hold
   * connections inside (10.x) and outside (127.0.0.1) a list of 10.0.0.0/8. */
  if (!proxy_fixture_init (&f, "127.0.0.1", &config_path))
    return;

  ana = person (&f, "Ana", NULL);
  bo_in = person (&f, "Bo", "10.1.2.3");
  bo_out = device (&f, bo_in, NULL);
  cy_in = person (&f, "Cy", "10.5.5.5");
  cy_out = device (&f, cy_in, NULL);

  event = create_event (ana, "Reviewed lab", "[\"10.0.0.0/8\"]");
  event_id = g_strdup (json_object_get_string_member (event, "event_id"));
  json_object_unref (tto_test_client_join (bo_in,
                                           json_object_get_string_member (event, "invite_code")));
  admit_by_review (ana, event_id, bo_in, "topic_manage");
  tto_test_iterate_ms (200);
  tto_test_client_discard_pushes (ana);
  tto_test_client_discard_pushes (bo_in);
  tto_test_client_discard_pushes (bo_out);

  /* review.new: the creator (on loopback) and Bo's 10.x device. */
  {
    g_autoptr (TtoFrame) applied = tto_test_client_request_ok (
      cy_in, TTO_FRAME_EVENT_JOIN,
      tto_test_json_object ("{\"invite_code\":\"%s\",\"reason\":\"Team Red\"}",
                            json_object_get_string_member (event, "invite_code")));

    assert_reviewers_hear (ana, bo_in, "Team Red");
    g_assert_true (json_object_has_member (applied->body, "application"));
  }

  /* review.decided: to Cy's 10.x device only. */
  ask_more (ana, event_id, cy_in, "Which team?");
  {
    g_autoptr (JsonObject) decided = wait_body (cy_in, TTO_FRAME_REVIEW_DECIDED);

    g_assert_cmpstr (json_object_get_string_member (decided, "message"), ==, "Which team?");
  }

  /* topic.proposed and topic.decided: the creator and Bo's 10.x device. */
  send_tagged (ana, event_id, "t", "#budget");
  {
    g_autoptr (JsonObject) to_ana = wait_body (ana, TTO_FRAME_TOPIC_PROPOSED);
    g_autoptr (JsonObject) to_bo = wait_body (bo_in, TTO_FRAME_TOPIC_PROPOSED);
    JsonObject *proposal = json_object_get_object_member (to_bo, "proposal");

    g_assert_cmpstr (json_object_get_string_member (proposal, "tag"), ==, "#budget");
    proposal_id = g_strdup (json_object_get_string_member (proposal, "id"));
    g_assert_cmpstr (json_object_get_string_member (
                       json_object_get_object_member (to_ana, "proposal"), "id"),
                     ==, proposal_id);
  }
  tto_frame_free (tto_test_client_request_ok (
    ana, TTO_FRAME_TOPIC_DECIDE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"proposal_id\":\"%s\",\"accept\":false}",
                          event_id, proposal_id)));
  {
    g_autoptr (JsonObject) to_bo = wait_body (bo_in, TTO_FRAME_TOPIC_DECIDED);

    g_assert_cmpstr (json_object_get_string_member (to_bo, "proposal_id"), ==, proposal_id);
    g_assert_false (json_object_get_boolean_member (to_bo, "accepted"));
  }

  /* event.updated: each member's own copy, also only inside the list. */
  tto_test_client_discard_pushes (bo_in);
  tto_frame_free (tto_test_client_request_ok (
    ana, TTO_FRAME_EVENT_UPDATE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"announcement\":\"Bring ID\"}", event_id)));
  {
    g_autoptr (JsonObject) to_bo = wait_body (bo_in, TTO_FRAME_EVENT_UPDATED);

    g_assert_cmpstr (json_object_get_string_member (
                       json_object_get_object_member (to_bo, "event"), "announcement"),
                     ==, "Bring ID");
  }

  /* call.ring, and call signalling from a participant: Bo's 10.x device. */
  {
    g_autoptr (TtoFrame) started = tto_test_client_request_ok (
      ana, TTO_FRAME_CALL_INVITE,
      tto_test_json_object ("{\"event_id\":\"%s\",\"kind\":\"audio\",\"to\":[\"%s\"]}",
                            event_id, tto_test_client_get_identity_id (bo_in)));
    const char *call_id = json_object_get_string_member (
      json_object_get_object_member (started->body, "call"), "call_id");
    g_autoptr (JsonObject) ring = wait_body (bo_in, TTO_FRAME_CALL_RING);
    g_autoptr (JsonObject) offer = NULL;

    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (ring, "call"),
                                                    "call_id"),
                     ==, call_id);
    tto_frame_free (tto_test_client_request_ok (
      bo_in, TTO_FRAME_CALL_ACCEPT,
      tto_test_json_object ("{\"event_id\":\"%s\",\"call_id\":\"%s\"}", event_id, call_id)));
    tto_frame_free (tto_test_client_request_ok (
      ana, TTO_FRAME_CALL_OFFER,
      tto_test_json_object ("{\"event_id\":\"%s\",\"call_id\":\"%s\",\"to\":\"%s\","
                            "\"sdp\":\"v=0\\r\\n\"}",
                            event_id, call_id, tto_test_client_get_identity_id (bo_in))));
    offer = wait_body (bo_in, TTO_FRAME_CALL_OFFER);
    g_assert_cmpstr (json_object_get_string_member (offer, "from"), ==,
                     tto_test_client_get_identity_id (ana));
  }

  /* The loopback devices heard none of it. Widening lets them in and
   * pushes them the widening's event.updated: had any earlier push gone
   * to them, it would be queued before it. */
  tto_test_iterate_ms (300);
  tto_frame_free (tto_test_client_request_ok (
    ana, TTO_FRAME_EVENT_UPDATE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"announcement\":\"Open to all\","
                          "\"ip_allow\":[\"10.0.0.0/8\",\"127.0.0.0/8\"]}", event_id)));
  {
    g_autoptr (JsonObject) to_bo = wait_body (bo_out, TTO_FRAME_EVENT_UPDATED);

    g_assert_cmpstr (json_object_get_string_member (
                       json_object_get_object_member (to_bo, "event"), "announcement"),
                     ==, "Open to all");
  }
  g_assert_cmpuint (tto_test_client_count_pushes (bo_out, TTO_FRAME_REVIEW_NEW), ==, 0);
  g_assert_cmpuint (tto_test_client_count_pushes (bo_out, TTO_FRAME_TOPIC_PROPOSED), ==, 0);
  g_assert_cmpuint (tto_test_client_count_pushes (bo_out, TTO_FRAME_TOPIC_DECIDED), ==, 0);
  g_assert_cmpuint (tto_test_client_count_pushes (bo_out, TTO_FRAME_EVENT_UPDATED), ==, 0);
  g_assert_cmpuint (tto_test_client_count_pushes (bo_out, TTO_FRAME_CALL_RING), ==, 0);
  g_assert_cmpuint (tto_test_client_count_pushes (bo_out, TTO_FRAME_CALL_OFFER), ==, 0);
  /* Now inside, the same pushes reach the loopback devices. */
  ask_more (ana, event_id, cy_in, "And your role?");
  {
    g_autoptr (JsonObject) decided = wait_body (cy_out, TTO_FRAME_REVIEW_DECIDED);

    g_assert_cmpstr (json_object_get_string_member (decided, "message"), ==, "And your role?");
    g_assert_cmpuint (tto_test_client_count_pushes (cy_out, TTO_FRAME_REVIEW_DECIDED), ==, 0);
  }
  send_tagged (ana, event_id, "u", "#food");
  {
    g_autoptr (JsonObject) to_bo = wait_body (bo_out, TTO_FRAME_TOPIC_PROPOSED);

    g_assert_cmpstr (json_object_get_string_member (
                       json_object_get_object_member (to_bo, "proposal"), "tag"),
                     ==, "#food");
  }

  /* Removal reaches a device the list locks out: it only takes the event
   * away, as event.ended does. */
  json_object_unref (set_list (ana, event_id, "[\"10.0.0.0/8\"]"));
  tto_frame_free (tto_test_client_request_ok (
    ana, TTO_FRAME_MEMBER_REMOVE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"identity_id\":\"%s\"}", event_id,
                          tto_test_client_get_identity_id (bo_in))));
  {
    g_autoptr (JsonObject) removed = wait_body (bo_out, TTO_FRAME_EVENT_REMOVED);

    g_assert_cmpstr (json_object_get_string_member (removed, "event_id"), ==, event_id);
  }

  tto_test_client_close (ana);
  tto_test_client_close (bo_in);
  tto_test_client_close (bo_out);
  tto_test_client_close (cy_in);
  tto_test_client_close (cy_out);
  fixture_clear (&f);
  g_unlink (config_path);
}

/* application.update is part of joining: from outside the list it gets
 * the refusal event.join gets, and the application stays as it was;
 * from inside it goes through. */
static void
test_application_update (void)
{
  Fixture f;
  TtoTestClient *ana, *bo, *cy_in, *cy_out, *di_out;
  g_autoptr (JsonObject) event = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *event_id = NULL;
  g_autofree char *reason = NULL;
  const char *refused = "your network is not allowed to join this event";

  if (!proxy_fixture_init (&f, "127.0.0.1", &config_path))
    return;

  ana = person (&f, "Ana", NULL);
  bo = person (&f, "Bo", "10.1.2.3");
  cy_in = person (&f, "Cy", "10.5.5.5");
  cy_out = device (&f, cy_in, NULL);
  di_out = person (&f, "Di", NULL);

  event = create_event (ana, "Applications", "[\"10.0.0.0/8\"]");
  event_id = g_strdup (json_object_get_string_member (event, "event_id"));
  json_object_unref (tto_test_client_join (bo, json_object_get_string_member (event,
                                                                              "invite_code")));
  admit_by_review (ana, event_id, bo, NULL);
  tto_frame_free (tto_test_client_request_ok (
    cy_in, TTO_FRAME_EVENT_JOIN,
    tto_test_json_object ("{\"invite_code\":\"%s\",\"reason\":\"Team Red\"}",
                          json_object_get_string_member (event, "invite_code"))));
  ask_more (ana, event_id, cy_in, "Which team?");
  tto_test_iterate_ms (200);
  tto_test_client_discard_pushes (ana);
  tto_test_client_discard_pushes (bo);

  /* From loopback: refused as a join is, nothing stored, nobody told. */
  assert_forbidden (cy_out, TTO_FRAME_APPLICATION_UPDATE,
                    tto_test_json_object ("{\"event_id\":\"%s\",\"reason\":\"Team Blue\"}",
                                          event_id),
                    refused);
  reason = db_reason (&f, event_id, cy_in);
  g_assert_cmpstr (reason, ==, "Team Red");
  g_assert_cmpint (tto_test_relay_query_intf (f.relay,
                                              "SELECT COUNT(*) FROM applications WHERE"
                                              " event_id = '%s' AND status = 'more_info'",
                                              event_id), ==, 1);
  /* The list comes first, as for event.join: even without an application. */
  assert_forbidden (di_out, TTO_FRAME_APPLICATION_UPDATE,
                    tto_test_json_object ("{\"event_id\":\"%s\",\"reason\":\"Me too\"}", event_id),
                    refused);
  tto_frame_free (tto_test_client_request_error (
    di_out, TTO_FRAME_APPLICATION_UPDATE,
    tto_test_json_object ("{\"event_id\":\"k3v9q2m8x4t7c1ab\",\"reason\":\"Me too\"}"),
    "not_found"));

  /* From 10.x: stored, pending again, and the reviewers hear it; it is
   * the first review.new they get, so the refused one sent nothing. */
  tto_frame_free (tto_test_client_request_ok (
    cy_in, TTO_FRAME_APPLICATION_UPDATE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"reason\":\"Team Blue\"}", event_id)));
  assert_reviewers_hear (bo, ana, "Team Blue");
  g_free (reason);
  reason = db_reason (&f, event_id, cy_in);
  g_assert_cmpstr (reason, ==, "Team Blue");
  g_assert_cmpint (tto_test_relay_query_intf (f.relay,
                                              "SELECT COUNT(*) FROM applications WHERE"
                                              " event_id = '%s' AND status = 'pending'",
                                              event_id), ==, 1);
  /* Inside the list, no application is not_found, not forbidden. */
  tto_frame_free (tto_test_client_request_error (
    bo, TTO_FRAME_APPLICATION_UPDATE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"reason\":\"Hm\"}", event_id), "not_found"));

  /* Widened: the loopback device may add to it too. */
  json_object_unref (set_list (ana, event_id, "[\"10.0.0.0/8\",\"127.0.0.1\"]"));
  tto_frame_free (tto_test_client_request_ok (
    cy_out, TTO_FRAME_APPLICATION_UPDATE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"reason\":\"Team Green\"}", event_id)));
  g_free (reason);
  reason = db_reason (&f, event_id, cy_in);
  g_assert_cmpstr (reason, ==, "Team Green");

  tto_test_client_close (ana);
  tto_test_client_close (bo);
  tto_test_client_close (cy_in);
  tto_test_client_close (cy_out);
  tto_test_client_close (di_out);
  fixture_clear (&f);
  g_unlink (config_path);
}

/* A bad trusted_proxies entry stops the relay before it starts. */
static void
test_bad_config (void)
{
  const char *relay_bin = g_getenv ("TTO_RELAY_BIN");
  g_autofree char *config_path = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  if (relay_bin == NULL)
    {
      g_test_skip ("TTO_RELAY_BIN is not set");
      return;
    }

  config_path = write_config ("[relay]\ntrusted_proxies=10.0.0.0/40\n");
  {
    const char *argv[] = { relay_bin, "--config", config_path, "--port", "0", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                                 NULL, NULL, &err, &status, &error));
  }
  g_assert_no_error (error);
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  if (strstr (err, "[relay] trusted_proxies") == NULL || strstr (err, "10.0.0.0/40") == NULL)
    g_error ("the relay's complaint does not name the entry: %s", err);
  g_unlink (config_path);
}

int
main (int argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ip-allow/join", test_join);
  g_test_add_func ("/ip-allow/lock-out", test_lock_out);
  g_test_add_func ("/ip-allow/bad-lists", test_bad_lists);
  g_test_add_func ("/ip-allow/trusted-proxy", test_trusted_proxy);
  g_test_add_func ("/ip-allow/bad-config", test_bad_config);
  g_test_add_func ("/ip-allow/one-person-pushes", test_one_person_pushes);
  g_test_add_func ("/ip-allow/application-update", test_application_update);

  return g_test_run ();
}
