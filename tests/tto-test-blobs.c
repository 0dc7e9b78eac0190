/* tto-test-blobs.c: attachments in relay memory, over real HTTP against a
 * real relay and MariaDB: round trips, ranges, limits at each level,
 * access, sniffing, attaching, recall and event end wiping them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <libsoup/soup.h>
#include <string.h>

#include "tto-shared.h"
#include "tto-test-harness.h"

#define GRACE 600

/* Small limits, so each level is reachable in a test. */
static const char *const limit_args[] = {
  "--max-blob-kib", "64", "--max-event-blobs-kib", "128", "--max-blobs-kib", "192", NULL
};

typedef struct
{
  TtoTestRelay *relay;
  SoupSession *session;
  TtoTestClient *ana;
  TtoTestClient *bo;
  char *event_id;
} Fixture;

static gboolean
fixture_open (Fixture *f)
{
  JsonObject *event;

  memset (f, 0, sizeof *f);
  f->relay = tto_test_relay_start_with_args (GRACE, limit_args);
  if (f->relay == NULL)
    return FALSE;

  f->session = soup_session_new ();
  f->ana = tto_test_client_connect (f->relay);
  f->bo = tto_test_client_connect (f->relay);
  tto_test_client_create_identity (f->ana, "Ana");
  tto_test_client_create_identity (f->bo, "Bo");
  event = tto_test_client_create_event (f->ana, "Photos", 0);
  f->event_id = g_strdup (json_object_get_string_member (event, "event_id"));
  json_object_unref (tto_test_client_join (f->bo, json_object_get_string_member (event,
                                                                                "invite_code")));
  json_object_unref (event);
  tto_test_client_discard_pushes (f->ana);
  tto_test_client_discard_pushes (f->bo);

  return TRUE;
}

static void
fixture_close (Fixture *f)
{
  tto_test_client_close (f->ana);
  tto_test_client_close (f->bo);
  g_object_unref (f->session);
  tto_test_relay_stop (f->relay);
  g_free (f->event_id);
}

typedef struct
{
  guint status;
  GBytes *body;
  SoupMessageHeaders *headers;
} Response;

static void
response_clear (Response *r)
{
  g_clear_pointer (&r->body, g_bytes_unref);
  g_clear_pointer (&r->headers, soup_message_headers_unref);
}

static Response
http (Fixture *f,
      const char *method,
      const char *path,
      const char *token,
      GBytes *body,
      const char *range)
{
  g_autofree char *url = g_strconcat (tto_test_relay_get_http_base (f->relay), path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autoptr (GError) error = NULL;
  Response r = { 0 };

  g_assert_nonnull (msg);
  if (token != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    value);
    }
  if (range != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Range", range);
  if (body != NULL)
    /* A lying Content-Type: the relay must sniff. */
    soup_message_set_request_body_from_bytes (msg, "application/x-lie", body);

  r.body = soup_session_send_and_read (f->session, msg, NULL, &error);
  g_assert_no_error (error);
  r.status = soup_message_get_status (msg);
  r.headers = soup_message_headers_ref (soup_message_get_response_headers (msg));

  return r;
}

static JsonObject *
body_json (Response *r)
{
  return tto_test_json_object ("%.*s", (int) g_bytes_get_size (r->body),
                               (const char *) g_bytes_get_data (r->body, NULL));
}

static void
assert_error (Response *r,
              guint status,
              const char *code)
{
  g_autoptr (JsonObject) object = NULL;

  g_assert_cmpuint (r->status, ==, status);
  object = body_json (r);
  g_assert_cmpstr (json_object_get_string_member (object, "code"), ==, code);
  g_assert_cmpstr (json_object_get_string_member (object, "message"), !=, "");
}

static GBytes *
random_bytes (gsize size)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) g_random_int_range (0, 256);
  /* No file signature starts with a zero byte and "\0\xff": keeps the
   * sniffed type stable. */
  data[0] = 0;
  if (size > 1)
    data[1] = 0xff;

  return g_bytes_new_take (data, size);
}

static char *
upload (Fixture *f,
        TtoTestClient *who,
        const char *event_id,
        GBytes *data)
{
  g_autofree char *path = g_strdup_printf ("/v1/events/%s/blobs", event_id);
  Response r = http (f, "PUT", path, tto_test_client_get_token (who), data, NULL);
  g_autoptr (JsonObject) object = NULL;
  char *blob_id;

  g_assert_cmpuint (r.status, ==, 201);
  object = body_json (&r);
  blob_id = g_strdup (json_object_get_string_member (object, "blob_id"));
  g_assert_cmpint (json_object_get_int_member (object, "size"), ==, g_bytes_get_size (data));
  response_clear (&r);

  return blob_id;
}

static gint64
health_int (Fixture *f,
            const char *event_id,
            const char *field)
{
  g_autoptr (JsonObject) health = tto_test_relay_get_health (f->relay, event_id);

  if (event_id != NULL)
    return json_object_get_int_member (json_object_get_object_member (health, "event"), field);

  return json_object_get_int_member (health, field);
}

static void
test_round_trip (void)
{
  Fixture f;
  g_autoptr (GBytes) data = NULL;
  g_autofree char *path = NULL;
  g_autofree char *blob_path = NULL;
  g_autofree char *expected_sum = NULL;
  g_autoptr (JsonObject) answer = NULL;
  Response r;

  if (!fixture_open (&f))
    return;

  data = random_bytes (50 * 1024);
  expected_sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);
  path = g_strdup_printf ("/v1/events/%s/blobs", f.event_id);
  r = http (&f, "PUT", path, tto_test_client_get_token (f.bo), data, NULL);
  g_assert_cmpuint (r.status, ==, 201);
  answer = body_json (&r);
  g_assert_cmpstr (json_object_get_string_member (answer, "sha256"), ==, expected_sum);
  g_assert_cmpstr (json_object_get_string_member (answer, "mime_type"), ==,
                   "application/octet-stream");
  blob_path = g_strdup_printf ("%s/%s", path, json_object_get_string_member (answer, "blob_id"));
  response_clear (&r);

  /* Another member fetches the same bytes. */
  r = http (&f, "GET", blob_path, tto_test_client_get_token (f.ana), NULL, NULL);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_true (g_bytes_equal (r.body, data));
  g_assert_cmpstr (soup_message_headers_get_one (r.headers, "Accept-Ranges"), ==, "bytes");
  g_assert_cmpstr (soup_message_headers_get_one (r.headers, "Cache-Control"), ==, "no-store");
  response_clear (&r);

  g_assert_cmpint (health_int (&f, f.event_id, "blobs_held"), ==, 1);
  g_assert_cmpint (health_int (&f, f.event_id, "blob_bytes_held"), ==, 50 * 1024);

  /* Ranges: a slice, an open end, a suffix, and one beyond the end. */
  r = http (&f, "GET", blob_path, tto_test_client_get_token (f.ana), NULL, "bytes=10-19");
  g_assert_cmpuint (r.status, ==, 206);
  g_assert_cmpuint (g_bytes_get_size (r.body), ==, 10);
  g_assert_cmpmem (g_bytes_get_data (r.body, NULL), 10,
                   (const guint8 *) g_bytes_get_data (data, NULL) + 10, 10);
  g_assert_cmpstr (soup_message_headers_get_one (r.headers, "Content-Range"), ==,
                   "bytes 10-19/51200");
  response_clear (&r);

  r = http (&f, "GET", blob_path, tto_test_client_get_token (f.ana), NULL, "bytes=51000-");
  g_assert_cmpuint (r.status, ==, 206);
  g_assert_cmpuint (g_bytes_get_size (r.body), ==, 200);
  response_clear (&r);

  r = http (&f, "GET", blob_path, tto_test_client_get_token (f.ana), NULL, "bytes=-5");
  g_assert_cmpuint (r.status, ==, 206);
  g_assert_cmpmem (g_bytes_get_data (r.body, NULL), 5,
                   (const guint8 *) g_bytes_get_data (data, NULL) + 51195, 5);
  response_clear (&r);

  r = http (&f, "GET", blob_path, tto_test_client_get_token (f.ana), NULL, "bytes=60000-");
  g_assert_cmpuint (r.status, ==, 416);
  g_assert_cmpstr (soup_message_headers_get_one (r.headers, "Content-Range"), ==,
                   "bytes */51200");
  response_clear (&r);

  fixture_close (&f);
}

static void
test_access (void)
{
  Fixture f;
  g_autoptr (GBytes) data = random_bytes (1000);
  g_autofree char *blob_id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *blob_path = NULL;
  TtoTestClient *stranger;
  Response r;

  if (!fixture_open (&f))
    return;

  blob_id = upload (&f, f.ana, f.event_id, data);
  path = g_strdup_printf ("/v1/events/%s/blobs", f.event_id);
  blob_path = g_strdup_printf ("%s/%s", path, blob_id);

  stranger = tto_test_client_connect (f.relay);
  tto_test_client_create_identity (stranger, "Eve");

  r = http (&f, "GET", blob_path, NULL, NULL, NULL);
  assert_error (&r, 401, "unauthorized");
  response_clear (&r);
  r = http (&f, "GET", blob_path, "not-a-token", NULL, NULL);
  assert_error (&r, 401, "unauthorized");
  response_clear (&r);
  r = http (&f, "GET", blob_path, tto_test_client_get_token (stranger), NULL, NULL);
  assert_error (&r, 403, "forbidden");
  response_clear (&r);
  r = http (&f, "PUT", path, tto_test_client_get_token (stranger), data, NULL);
  assert_error (&r, 403, "forbidden");
  response_clear (&r);
  r = http (&f, "GET", "/v1/events/0000000000000000/blobs/x", tto_test_client_get_token (f.ana),
            NULL, NULL);
  assert_error (&r, 404, "not_found");
  response_clear (&r);
  {
    g_autofree char *missing = g_strdup_printf ("%s/zzzz", path);

    r = http (&f, "GET", missing, tto_test_client_get_token (f.ana), NULL, NULL);
    assert_error (&r, 404, "not_found");
    response_clear (&r);
  }
  r = http (&f, "DELETE", blob_path, tto_test_client_get_token (f.ana), NULL, NULL);
  assert_error (&r, 405, "bad_frame");
  response_clear (&r);

  /* Nothing the refusals did changed what is stored. */
  g_assert_cmpint (health_int (&f, f.event_id, "blobs_held"), ==, 1);

  tto_test_client_close (stranger);
  fixture_close (&f);
}

static void
test_sniffing (void)
{
  Fixture f;
  /* The 8-byte PNG signature and an IHDR start. */
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13,
                                'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0 };
  g_autoptr (GBytes) image = g_bytes_new_static (png, sizeof png);
  g_autoptr (GBytes) ogg = g_bytes_new_static ("OggS\0\2\0\0\0\0\0\0\0\0", 14);
  g_autofree char *path = NULL;
  Response r;

  if (!fixture_open (&f))
    return;

  path = g_strdup_printf ("/v1/events/%s/blobs", f.event_id);
  r = http (&f, "PUT", path, tto_test_client_get_token (f.ana), image, NULL);
  {
    g_autoptr (JsonObject) answer = body_json (&r);

    g_assert_cmpstr (json_object_get_string_member (answer, "mime_type"), ==, "image/png");
  }
  response_clear (&r);
  r = http (&f, "PUT", path, tto_test_client_get_token (f.ana), ogg, NULL);
  {
    g_autoptr (JsonObject) answer = body_json (&r);

    g_assert_true (g_str_has_suffix (json_object_get_string_member (answer, "mime_type"), "ogg"));
  }
  response_clear (&r);

  fixture_close (&f);
}

static void
test_limits (void)
{
  Fixture f;
  g_autoptr (GBytes) big = random_bytes (65 * 1024);
  g_autoptr (GBytes) part = random_bytes (60 * 1024);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *path = NULL;
  JsonObject *other;
  g_autofree char *other_id = NULL;
  Response r;

  if (!fixture_open (&f))
    return;
  path = g_strdup_printf ("/v1/events/%s/blobs", f.event_id);

  /* Per blob: 64 KiB. */
  r = http (&f, "PUT", path, tto_test_client_get_token (f.ana), big, NULL);
  assert_error (&r, 413, "too_large");
  response_clear (&r);

  /* Per event: 128 KiB; the third 60 KiB upload does not fit. */
  first = upload (&f, f.ana, f.event_id, part);
  second = upload (&f, f.bo, f.event_id, part);
  r = http (&f, "PUT", path, tto_test_client_get_token (f.ana), part, NULL);
  assert_error (&r, 413, "too_large");
  response_clear (&r);

  /* Whole relay: 192 KiB; another event takes one more, then no more. */
  other = tto_test_client_create_event (f.ana, "Other", 0);
  other_id = g_strdup (json_object_get_string_member (other, "event_id"));
  json_object_unref (other);
  g_free (upload (&f, f.ana, other_id, part));
  {
    g_autofree char *other_path = g_strdup_printf ("/v1/events/%s/blobs", other_id);

    r = http (&f, "PUT", other_path, tto_test_client_get_token (f.ana), part, NULL);
    assert_error (&r, 413, "too_large");
    response_clear (&r);
  }

  /* Nothing already stored was dropped. */
  {
    g_autofree char *blob_path = g_strdup_printf ("%s/%s", path, first);

    r = http (&f, "GET", blob_path, tto_test_client_get_token (f.bo), NULL, NULL);
    g_assert_cmpuint (r.status, ==, 200);
    g_assert_true (g_bytes_equal (r.body, part));
    response_clear (&r);
  }
  g_assert_cmpint (health_int (&f, NULL, "blobs_held"), ==, 3);
  g_assert_cmpint (health_int (&f, NULL, "blob_bytes_held"), ==, 3 * 60 * 1024);

  fixture_close (&f);
}

static void
test_attach_recall_end (void)
{
  Fixture f;
  g_autoptr (GBytes) data = random_bytes (4000);
  g_autofree char *mine = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *blob_path = NULL;
  g_autoptr (TtoFrame) push = NULL;
  g_autoptr (TtoFrame) ok = NULL;
  JsonObject *attachment;
  Response r;

  if (!fixture_open (&f))
    return;

  mine = upload (&f, f.bo, f.event_id, data);
  theirs = upload (&f, f.ana, f.event_id, data);
  blob_path = g_strdup_printf ("/v1/events/%s/blobs/%s", f.event_id, mine);

  /* Someone else's upload, an unknown one, a bad kind. */
  tto_frame_free (tto_test_client_request_error (
    f.bo, TTO_FRAME_MSG_SEND,
    tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"b0\",\"text\":\"\","
                          "\"attachment\":{\"blob_id\":\"%s\",\"kind\":\"file\"}}",
                          f.event_id, theirs),
    "forbidden"));
  tto_frame_free (tto_test_client_request_error (
    f.bo, TTO_FRAME_MSG_SEND,
    tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"b0\",\"text\":\"\","
                          "\"attachment\":{\"blob_id\":\"nope\",\"kind\":\"file\"}}",
                          f.event_id),
    "not_found"));
  tto_frame_free (tto_test_client_request_error (
    f.bo, TTO_FRAME_MSG_SEND,
    tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"b0\",\"text\":\"\","
                          "\"attachment\":{\"blob_id\":\"%s\",\"kind\":\"hologram\"}}",
                          f.event_id, mine),
    "bad_frame"));
  /* Empty text without an attachment is no message. */
  tto_frame_free (tto_test_client_request_error (
    f.bo, TTO_FRAME_MSG_SEND,
    tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"b0\",\"text\":\"\"}",
                          f.event_id),
    "bad_frame"));

  ok = tto_test_client_request_ok (
    f.bo, TTO_FRAME_MSG_SEND,
    tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"b1\",\"text\":\"\","
                          "\"attachment\":{\"blob_id\":\"%s\",\"kind\":\"file\","
                          "\"name\":\"notes.bin\",\"size\":1}}",
                          f.event_id, mine));
  push = tto_test_client_wait_push (f.ana, TTO_FRAME_MSG_NEW, 5000);
  attachment = json_object_get_object_member (push->body, "attachment");
  g_assert_cmpstr (json_object_get_string_member (attachment, "blob_id"), ==, mine);
  g_assert_cmpstr (json_object_get_string_member (attachment, "name"), ==, "notes.bin");
  /* The relay's size, not the sender's claim. */
  g_assert_cmpint (json_object_get_int_member (attachment, "size"), ==, 4000);
  g_assert_cmpstr (json_object_get_string_member (attachment, "mime_type"), ==,
                   "application/octet-stream");

  /* Attached once only. */
  tto_frame_free (tto_test_client_request_error (
    f.bo, TTO_FRAME_MSG_SEND,
    tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"b2\",\"text\":\"again\","
                          "\"attachment\":{\"blob_id\":\"%s\",\"kind\":\"file\"}}",
                          f.event_id, mine),
    "conflict"));

  /* Recall wipes the file. */
  tto_frame_free (tto_test_client_request_ok (
    f.bo, TTO_FRAME_MSG_RECALL,
    tto_test_json_object ("{\"event_id\":\"%s\",\"msg_id\":\"%s\"}", f.event_id,
                          tto_frame_get_string (ok, "msg_id"))));
  r = http (&f, "GET", blob_path, tto_test_client_get_token (f.ana), NULL, NULL);
  assert_error (&r, 404, "not_found");
  response_clear (&r);
  g_assert_cmpint (health_int (&f, f.event_id, "blobs_held"), ==, 1);

  /* The end wipes the rest: nothing held, for the event or the relay. */
  tto_frame_free (tto_test_client_request_ok (
    f.ana, TTO_FRAME_EVENT_END, tto_test_json_object ("{\"event_id\":\"%s\"}", f.event_id)));
  g_assert_cmpint (health_int (&f, f.event_id, "blobs_held"), ==, 0);
  g_assert_cmpint (health_int (&f, f.event_id, "bytes_held"), ==, 0);
  g_assert_cmpint (health_int (&f, NULL, "blob_bytes_held"), ==, 0);
  g_assert_cmpint (health_int (&f, NULL, "bytes_held"), ==, 0);

  fixture_close (&f);
}

int
main (int argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/blobs/round-trip-and-ranges", test_round_trip);
  g_test_add_func ("/blobs/access", test_access);
  g_test_add_func ("/blobs/sniffing", test_sniffing);
  g_test_add_func ("/blobs/limits", test_limits);
  g_test_add_func ("/blobs/attach-recall-end", test_attach_recall_end);

  return g_test_run ();
}
