/* tto-test-tls.c: transport security, for real
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Certificates are made here with openssl: a test CA and a server
 * certificate it signed, and two self-signed ones. Then:
 *   - the relay: refuses plain ws:// beyond loopback and unusable
 *     certificates; over wss:// two clients exchange messages (a burst,
 *     the longest message) and an attachment over https://;
 *   - the client (TtoConnection, libtto-client): a CA-trusted certificate
 *     connects without a pin; a self-signed one is refused until pinned,
 *     reporting its SHA-256 fingerprint, then connects; a changed one is
 *     refused on reconnect and on a new connection, the pin unchanged and
 *     no frame exchanged, and a connection waiting on it resumes at once
 *     when the person changes the pin;
 *   - the trust dialog and the window's wiring (with a display only):
 *     screenshots in $G_TEST_BUILDDIR/screenshots/.
 *
 * Runs under xvfb-run and dbus-run-session (tests/meson.build); the relay
 * parts need TTO_TEST_MYSQL_SOCKET and TTO_RELAY_BIN.
 */
#include <stdlib.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "tto-cert-pins.h"
#include "tto-client.h"
#include "tto-connection.h"
#include "tto-trust-dialog.h"
#include "tto-window.h"

#include "tto-test-harness.h"

#define WAIT_MS 10000

typedef struct
{
  char *certificate;
  char *key;
  char *fingerprint; /* as openssl prints it, colons removed, lowercase */
} Cert;

static char *work_dir;
static Cert ca, server, self1, self2;
static gboolean have_certs;
static gboolean have_display;

/* Helpers */

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until *@flag or WAIT_MS; returns *@flag. */
static gboolean
wait_for (const gboolean *flag)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add (WAIT_MS, on_timeout, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (source);

  return *flag;
}

static char *
run_openssl (const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status;

  g_ptr_array_add (argv, "openssl");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (work_dir, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                     &err, &status, &error))
    g_error ("openssl: %s", error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("openssl %s failed: %s\n%s", args[0], error->message, err);

  return out;
}

/* SHA-256 of the DER certificate, as openssl computes it. */
static char *
openssl_fingerprint (const char *certificate)
{
  const char *args[] = { "x509", "-in", certificate, "-noout", "-fingerprint", "-sha256", NULL };
  g_autofree char *out = run_openssl (args);
  const char *equals = strchr (out, '=');
  GString *hex = g_string_new (NULL);

  g_assert_nonnull (equals);
  for (const char *p = equals + 1; *p != '\0' && *p != '\n'; p++)
    if (*p != ':')
      g_string_append_c (hex, g_ascii_tolower (*p));
  g_assert_cmpuint (hex->len, ==, 64);

  return g_string_free (hex, FALSE);
}

static void
self_signed (Cert *cert,
             const char *name)
{
  g_autofree char *key = g_strdup_printf ("%s.key", name);
  g_autofree char *crt = g_strdup_printf ("%s.crt", name);
  const char *args[] = { "req", "-x509", "-newkey", "ec", "-pkeyopt",
                         "ec_paramgen_curve:P-256", "-nodes", "-days", "30", "-subj",
                         "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                         "-keyout", key, "-out", crt, NULL };

  g_free (run_openssl (args));
  cert->certificate = g_build_filename (work_dir, crt, NULL);
  cert->key = g_build_filename (work_dir, key, NULL);
  cert->fingerprint = openssl_fingerprint (cert->certificate);
}

static void
make_certificates (void)
{
  const char *ca_args[] = { "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                            "-nodes", "-days", "30", "-subj", "/CN=ThreeTwoOne Test CA",
                            "-addext", "basicConstraints=critical,CA:TRUE",
                            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                            "-keyout", "ca.key", "-out", "ca.crt", NULL };
  const char *csr_args[] = { "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                             "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key",
                             "-out", "server.csr", NULL };
  const char *sign_args[] = { "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey",
                              "ca.key", "-CAcreateserial", "-days", "30", "-extfile",
                              "server.ext", "-out", "server.crt", NULL };
  g_autofree char *ext_path = g_build_filename (work_dir, "server.ext", NULL);
  g_autoptr (GError) error = NULL;

  if (g_find_program_in_path ("openssl") == NULL)
    return;

  g_free (run_openssl (ca_args));
  ca.certificate = g_build_filename (work_dir, "ca.crt", NULL);
  ca.key = g_build_filename (work_dir, "ca.key", NULL);

  g_file_set_contents (ext_path,
                       "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                       "basicConstraints=critical,CA:FALSE\n"
                       "keyUsage=critical,digitalSignature\n"
                       "extendedKeyUsage=serverAuth\n",
                       -1, &error);
  g_assert_no_error (error);
  g_free (run_openssl (csr_args));
  g_free (run_openssl (sign_args));
  server.certificate = g_build_filename (work_dir, "server.crt", NULL);
  server.key = g_build_filename (work_dir, "server.key", NULL);
  server.fingerprint = openssl_fingerprint (server.certificate);

  self_signed (&self1, "self1");
  self_signed (&self2, "self2");
  g_assert_cmpstr (self1.fingerprint, !=, self2.fingerprint);
  have_certs = TRUE;
}

static gboolean
need_certs (void)
{
  if (!have_certs)
    g_test_skip ("openssl is not installed");
  return have_certs;
}

static int
relay_port (TtoTestRelay *relay)
{
  g_autoptr (GUri) uri = g_uri_parse (tto_test_relay_get_ws_url (relay), G_URI_FLAGS_NONE, NULL);

  g_assert_nonnull (uri);
  return g_uri_get_port (uri);
}

static gint64
count_identities (TtoTestRelay *relay)
{
  return tto_test_relay_query_int (relay, "SELECT COUNT(*) FROM identities");
}

static void
remove_pins (void)
{
  g_remove (tto_cert_pins_get_path (tto_cert_pins_get_default ()));
}

/* Refusals as the connection and the pins store report them. */
typedef struct
{
  guint count;
  char *host_port;
  char *fingerprint;
  char *pinned;
} Rejections;

static void
rejections_clear (Rejections *r)
{
  g_clear_pointer (&r->host_port, g_free);
  g_clear_pointer (&r->fingerprint, g_free);
  g_clear_pointer (&r->pinned, g_free);
  r->count = 0;
}

static void
on_rejected (GObject *source,
             const char *host_port,
             const char *fingerprint,
             const char *pinned,
             Rejections *r)
{
  r->count++;
  g_free (r->host_port);
  r->host_port = g_strdup (host_port);
  g_free (r->fingerprint);
  r->fingerprint = g_strdup (fingerprint);
  g_free (r->pinned);
  r->pinned = g_strdup (pinned);
}

typedef struct
{
  gboolean done;
  gboolean ok;
  GError *error;
} SignIn;

static void
on_identity_created (GObject *object,
                     GAsyncResult *result,
                     gpointer user_data)
{
  SignIn *s = user_data;

  s->ok = tto_connection_create_identity_finish (TTO_CONNECTION (object), result, &s->error);
  s->done = TRUE;
}

/* Opens @connection and creates a one-time identity; FALSE with @error. */
static gboolean
sign_in (TtoConnection *connection,
         GError **error)
{
  SignIn s = { FALSE, FALSE, NULL };

  tto_connection_create_identity_async (connection, "Ana", NULL, on_identity_created, &s);
  if (!wait_for (&s.done))
    g_error ("signing in did not finish within %d ms", WAIT_MS);
  if (!s.ok)
    g_propagate_error (error, s.error);

  return s.ok;
}

typedef struct
{
  gboolean done;
  char *event_id;
  TtoBlobInfo *info;
  GError *error;
} Answer;

static void
on_request_answered (GObject *object,
                     GAsyncResult *result,
                     gpointer user_data)
{
  Answer *a = user_data;
  g_autoptr (JsonObject) body = NULL;

  /* Copied now: the answer's strings are wiped once this returns. */
  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &a->error);
  if (body != NULL)
    a->event_id = g_strdup (json_object_get_string_member (
      json_object_get_object_member (body, "event"), "event_id"));
  a->done = TRUE;
}

static void
on_uploaded (GObject *object,
             GAsyncResult *result,
             gpointer user_data)
{
  Answer *a = user_data;

  a->info = tto_blob_transfer_upload_finish (TTO_BLOB_TRANSFER (object), result, &a->error);
  a->done = TRUE;
}

/* Attachments share the connection's HTTP session, and so its trust: an
 * event, then an upload to it over https://. */
static void
assert_upload_works (TtoConnection *connection)
{
  g_autoptr (GBytes) data = g_bytes_new_static ("\0\xff attached over TLS", 22);
  Answer created = { FALSE, NULL, NULL, NULL };
  Answer uploaded = { FALSE, NULL, NULL, NULL };
  JsonObject *body = json_object_new ();

  json_object_set_string_member (body, "title", "Pinned");
  tto_connection_request_async (connection, TTO_FRAME_EVENT_CREATE, body, NULL,
                                on_request_answered, &created);
  g_assert_true (wait_for (&created.done));
  g_assert_no_error (created.error);
  tto_blob_transfer_upload_bytes_async (tto_connection_get_blob_transfer (connection),
                                        created.event_id, data, NULL, NULL, NULL, NULL,
                                        on_uploaded, &uploaded);
  g_assert_true (wait_for (&uploaded.done));
  g_assert_no_error (uploaded.error);
  g_assert_cmpint (uploaded.info->size, ==, 22);
  tto_blob_info_free (uploaded.info);
  g_free (created.event_id);
}

static TtoConnection *
new_connection (TtoTestRelay *relay,
                Rejections *rejections)
{
  TtoConnection *connection = tto_connection_new (tto_test_relay_get_ws_url (relay));

  g_signal_connect (connection, "certificate-rejected", G_CALLBACK (on_rejected), rejections);
  return connection;
}

/* Relay */

static void
expect_refusal (const char *const *args,
                int expected_status,
                const char *expected_message)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;

  g_ptr_array_add (argv, (char *) g_getenv ("TTO_RELAY_BIN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char *const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, expected_status);
  g_assert_nonnull (strstr (err, expected_message));
}

/* Plain ws:// beyond loopback would carry passwords and tokens in clear:
 * the relay does not start, and says why, before touching the database. */
static void
test_relay_refuses (void)
{
  g_autofree char *missing = NULL;

  if (g_getenv ("TTO_RELAY_BIN") == NULL || !need_certs ())
    {
      if (g_getenv ("TTO_RELAY_BIN") == NULL)
        g_test_skip ("TTO_RELAY_BIN is not set");
      return;
    }
  missing = g_build_filename (work_dir, "missing.crt", NULL);

  {
    const char *args[] = { "--bind", "0.0.0.0", "--port", "0", NULL };

    expect_refusal (args, 2, "refusing to listen on 0.0.0.0 without TLS");
  }
  {
    const char *args[] = { "--bind", "::", "--port", "0", NULL };

    expect_refusal (args, 2, "refusing to listen on :: without TLS");
  }
  {
    const char *args[] = { "--port", "0", "--tls-cert", self1.certificate, NULL };

    expect_refusal (args, 2, "[tls] certificate is set but key is not");
  }
  {
    const char *args[] = { "--port", "0", "--tls-cert", missing, "--tls-key", self1.key, NULL };

    expect_refusal (args, 2, "[tls] cannot use certificate");
  }
}

typedef struct
{
  guint status;
  GBytes *body;
} Response;

static Response
http (TtoTestRelay *relay,
      SoupSession *session,
      const char *method,
      const char *path,
      const char *token,
      GBytes *body)
{
  g_autofree char *url = g_strconcat (tto_test_relay_get_http_base (relay), path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autofree char *authorization = g_strconcat ("Bearer ", token, NULL);
  g_autoptr (GError) error = NULL;
  Response r = { 0 };

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                authorization);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/octet-stream", body);
  r.body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  r.status = soup_message_get_status (msg);

  return r;
}

/* The next msg.new at @c whose text starts with @prefix; others (the
 * echo of one's own messages) are skipped. */
static char *
next_text (TtoTestClient *c,
           const char *prefix)
{
  for (;;)
    {
      g_autoptr (TtoFrame) push = tto_test_client_wait_push (c, TTO_FRAME_MSG_NEW, 5000);
      const char *text;

      g_assert_nonnull (push);
      text = json_object_get_string_member (push->body, "text");
      if (g_str_has_prefix (text, prefix))
        return g_strdup (text);
    }
}

/* Everything the relay serves works over TLS: WebSocket frames both ways
 * (the longest message, a burst that fills many records), HTTPS uploads
 * and downloads. */
static void
test_relay_wss (void)
{
  TtoTestRelay *relay;
  TtoTestClient *ana, *bo;
  g_autoptr (JsonObject) event = NULL;
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (GBytes) data = NULL;
  g_autofree char *event_id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *blob_path = NULL;
  g_autoptr (JsonObject) uploaded = NULL;
  g_autoptr (JsonObject) health = NULL;
  guint8 *bytes;
  Response r;

  if (!need_certs ())
    return;
  relay = tto_test_relay_start_tls (60, server.certificate, server.key, ca.certificate, NULL);
  if (relay == NULL)
    return;
  g_assert_true (g_str_has_prefix (tto_test_relay_get_ws_url (relay), "wss://"));
  g_assert_true (g_str_has_prefix (tto_test_relay_get_http_base (relay), "https://"));

  ana = tto_test_client_connect (relay);
  bo = tto_test_client_connect (relay);
  tto_test_client_create_identity (ana, "Ana");
  tto_test_client_create_identity (bo, "Bo");
  event = tto_test_client_create_event (ana, "Over TLS", 0);
  event_id = g_strdup (json_object_get_string_member (event, "event_id"));
  json_object_unref (tto_test_client_join (bo, json_object_get_string_member (event,
                                                                             "invite_code")));
  tto_test_client_discard_pushes (ana);
  tto_test_client_discard_pushes (bo);

  /* One message each way, then a burst: every frame arrives, in order. */
  tto_frame_free (tto_test_client_send_message (ana, event_id, "a0", "hello over wss"));
  {
    g_autofree char *text = next_text (bo, "hello");

    g_assert_cmpstr (text, ==, "hello over wss");
  }
  tto_frame_free (tto_test_client_send_message (bo, event_id, "b0", "and back"));
  {
    g_autofree char *text = next_text (ana, "and");

    g_assert_cmpstr (text, ==, "and back");
  }

  /* Sent without waiting for answers: the relay's writes batch them. */
  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *frame = g_strdup_printf (
        "{\"v\":1,\"type\":\"msg.send\",\"id\":\"burst%u\",\"body\":{\"event_id\":\"%s\","
        "\"client_msg_id\":\"burst%u\",\"text\":\"burst message %u\"}}",
        i, event_id, i, i);

      tto_test_client_send_raw (ana, frame);
    }
  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *expected = g_strdup_printf ("burst message %u", i);
      g_autofree char *text = next_text (bo, "burst");

      g_assert_cmpstr (text, ==, expected);
    }
  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *id = g_strdup_printf ("burst%u", i);

      tto_frame_free (tto_test_client_wait_answer (ana, id, 5000));
    }

  /* The longest text, 4000 four-byte characters: a frame filling a whole
   * TLS record each way (the burst above split frames across records). */
  {
    GString *text = g_string_new (NULL);
    g_autofree char *received = NULL;

    for (guint i = 0; i < TTO_PROTOCOL_MAX_TEXT_CHARS; i++)
      g_string_append (text, "\xf0\x9f\x94\x92"); /* U+1F512 LOCK */
    g_assert_cmpuint (text->len, ==, 16000);
    tto_frame_free (tto_test_client_send_message (ana, event_id, "big", text->str));
    received = next_text (bo, "\xf0\x9f\x94\x92");
    g_assert_cmpstr (received, ==, text->str);
    g_string_free (text, TRUE);
  }

  /* An attachment over HTTPS: up by Ana, down by Bo, byte for byte. */
  session = soup_session_new ();
  soup_session_set_tls_database (session, tto_test_relay_get_tls_database (relay));
  bytes = g_malloc (300 * 1024);
  for (gsize i = 0; i < 300 * 1024; i++)
    bytes[i] = (guint8) (i * 7 + 3);
  bytes[0] = 0;
  data = g_bytes_new_take (bytes, 300 * 1024);
  path = g_strdup_printf ("/v1/events/%s/blobs", event_id);
  r = http (relay, session, "PUT", path, tto_test_client_get_token (ana), data);
  g_assert_cmpuint (r.status, ==, 201);
  uploaded = tto_test_json_object ("%.*s", (int) g_bytes_get_size (r.body),
                                   (const char *) g_bytes_get_data (r.body, NULL));
  g_bytes_unref (r.body);
  blob_path = g_strdup_printf ("%s/%s", path, json_object_get_string_member (uploaded, "blob_id"));
  r = http (relay, session, "GET", blob_path, tto_test_client_get_token (bo), NULL);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_true (g_bytes_equal (r.body, data));
  g_bytes_unref (r.body);

  health = tto_test_relay_get_health (relay, NULL);
  g_assert_cmpint (json_object_get_int_member (health, "connections"), ==, 2);

  /* A client that trusts only the system's CAs does not get in. */
  {
    g_autoptr (SoupSession) untrusting = soup_session_new ();
    g_autofree char *url = g_strconcat (tto_test_relay_get_http_base (relay), "/v1/health", NULL);
    g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
    g_autoptr (GBytes) body = NULL;
    g_autoptr (GError) error = NULL;

    body = soup_session_send_and_read (untrusting, msg, NULL, &error);
    g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  }

  tto_test_client_close (ana);
  tto_test_client_close (bo);
  tto_test_relay_stop (relay);
}

/* Client */

/* A certificate a trusted CA signed needs no pin and no question. Without
 * that CA the same relay is refused: the CA is what made it pass. */
static void
test_client_trusted (void)
{
  TtoTestRelay *relay;
  g_autoptr (TtoConnection) connection = NULL;
  g_autoptr (TtoConnection) without_ca = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *host_port = NULL;
  g_autofree char *pin = NULL;
  Rejections rejections = { 0 };
  Rejections reported = { 0 };
  gulong handler;

  if (!need_certs ())
    return;
  relay = tto_test_relay_start_tls (60, server.certificate, server.key, ca.certificate, NULL);
  if (relay == NULL)
    return;
  remove_pins ();
  handler = g_signal_connect (tto_cert_pins_get_default (), "rejected", G_CALLBACK (on_rejected),
                              &reported);
  host_port = g_strdup_printf ("127.0.0.1:%d", relay_port (relay));

  g_setenv ("TTO_CA_FILE", ca.certificate, TRUE);
  connection = new_connection (relay, &rejections);
  g_unsetenv ("TTO_CA_FILE");
  g_assert_true (sign_in (connection, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tto_connection_get_state (connection), ==, TTO_CONNECTION_STATE_CONNECTED);
  g_assert_cmpuint (rejections.count, ==, 0);
  g_assert_cmpuint (reported.count, ==, 0);
  pin = tto_cert_pins_lookup (tto_cert_pins_get_default (), host_port);
  g_assert_null (pin);
  g_assert_false (g_file_test (tto_cert_pins_get_path (tto_cert_pins_get_default ()),
                               G_FILE_TEST_EXISTS));
  g_assert_cmpint (count_identities (relay), ==, 1);

  /* The system CAs do not know the test CA. */
  without_ca = new_connection (relay, &rejections);
  g_assert_false (sign_in (without_ca, &error));
  g_assert_error (error, TTO_CONNECTION_ERROR, TTO_CONNECTION_ERROR_UNTRUSTED_CERTIFICATE);
  g_assert_cmpuint (rejections.count, ==, 1);
  g_assert_cmpstr (rejections.fingerprint, ==, server.fingerprint);
  g_assert_cmpuint (reported.count, ==, 1);
  g_assert_cmpint (count_identities (relay), ==, 1);

  g_signal_handler_disconnect (tto_cert_pins_get_default (), handler);
  rejections_clear (&rejections);
  rejections_clear (&reported);
  tto_connection_close (connection);
  tto_test_relay_stop (relay);
}

/* Trust on first use: refused with the fingerprint to show, accepted once
 * that fingerprint is pinned for this host and port. */
static void
test_client_pinned (void)
{
  TtoTestRelay *relay;
  g_autoptr (TtoConnection) connection = NULL;
  g_autoptr (TtoConnection) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *host_port = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *pin = NULL;
  Rejections rejections = { 0 };
  Rejections reported = { 0 };
  gulong handler;

  if (!need_certs ())
    return;
  relay = tto_test_relay_start_tls (60, self1.certificate, self1.key, NULL, NULL);
  if (relay == NULL)
    return;
  remove_pins ();
  handler = g_signal_connect (tto_cert_pins_get_default (), "rejected", G_CALLBACK (on_rejected),
                              &reported);
  host_port = g_strdup_printf ("127.0.0.1:%d", relay_port (relay));

  connection = new_connection (relay, &rejections);
  g_assert_false (sign_in (connection, &error));
  g_assert_error (error, TTO_CONNECTION_ERROR, TTO_CONNECTION_ERROR_UNTRUSTED_CERTIFICATE);
  shown = tto_cert_pins_format_fingerprint (self1.fingerprint);
  g_assert_nonnull (strstr (error->message, shown));
  g_assert_cmpint (tto_connection_get_state (connection), ==, TTO_CONNECTION_STATE_DISCONNECTED);
  g_assert_cmpuint (rejections.count, ==, 1);
  g_assert_cmpstr (rejections.host_port, ==, host_port);
  g_assert_cmpstr (rejections.fingerprint, ==, self1.fingerprint);
  g_assert_null (rejections.pinned);
  /* The window hears of it through the pins store. */
  g_assert_cmpuint (reported.count, ==, 1);
  g_assert_cmpstr (reported.fingerprint, ==, self1.fingerprint);
  g_assert_null (reported.pinned);
  /* Nothing reached the relay's protocol. */
  g_assert_cmpint (count_identities (relay), ==, 0);
  pin = tto_cert_pins_lookup (tto_cert_pins_get_default (), host_port);
  g_assert_null (pin);
  g_clear_error (&error);

  /* The person compared and trusted it. */
  g_assert_true (tto_cert_pins_pin (tto_cert_pins_get_default (), host_port, rejections.fingerprint,
                                    &error));
  g_assert_no_error (error);
  g_assert_true (sign_in (connection, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tto_connection_get_state (connection), ==, TTO_CONNECTION_STATE_CONNECTED);
  g_assert_cmpuint (rejections.count, ==, 1);
  g_assert_cmpint (count_identities (relay), ==, 1);
  assert_upload_works (connection);
  g_assert_cmpuint (rejections.count, ==, 1);

  /* A new connection (the app started again) reads the pin from disk. */
  again = new_connection (relay, &rejections);
  g_assert_true (sign_in (again, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rejections.count, ==, 1);
  g_assert_cmpint (count_identities (relay), ==, 2);

  /* The pin is for this host and port only. */
  g_clear_pointer (&pin, g_free);
  pin = tto_cert_pins_lookup (tto_cert_pins_get_default (), "localhost:1");
  g_assert_null (pin);

  g_signal_handler_disconnect (tto_cert_pins_get_default (), handler);
  rejections_clear (&rejections);
  rejections_clear (&reported);
  tto_connection_close (connection);
  tto_connection_close (again);
  tto_test_relay_stop (relay);
}

static void
on_identity_lost (TtoConnection *connection,
                  gboolean *lost)
{
  *lost = TRUE;
}

/* The relay comes back on the same port with another certificate: the
 * connection that was using it is refused and says so once (no frame
 * crosses), a new one is refused with both fingerprints, and the pin stays.
 * Once the person forgets the old pin and trusts the new certificate, the
 * waiting connection goes on at once by itself. */
static void
test_client_changed (void)
{
  TtoTestRelay *relay;
  TtoTestRelay *impostor;
  g_autoptr (TtoConnection) connection = NULL;
  g_autoptr (TtoConnection) fresh = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *host_port = NULL;
  g_autofree char *port = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *shown_new = NULL;
  g_autofree char *shown_old = NULL;
  g_autofree char *pins_before = NULL;
  g_autofree char *pins_after = NULL;
  Rejections rejections = { 0 };
  Rejections fresh_rejections = { 0 };
  gboolean lost = FALSE;

  if (!need_certs ())
    return;
  relay = tto_test_relay_start_tls (60, self1.certificate, self1.key, NULL, NULL);
  if (relay == NULL)
    return;
  remove_pins ();
  host_port = g_strdup_printf ("127.0.0.1:%d", relay_port (relay));
  port = g_strdup_printf ("%d", relay_port (relay));
  g_assert_true (tto_cert_pins_pin (tto_cert_pins_get_default (), host_port, self1.fingerprint,
                                    &error));
  g_assert_no_error (error);

  connection = new_connection (relay, &rejections);
  g_signal_connect (connection, "identity-lost", G_CALLBACK (on_identity_lost), &lost);
  g_assert_true (sign_in (connection, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rejections.count, ==, 0);

  /* Same address, another certificate. */
  tto_test_relay_stop (relay);
  {
    const char *args[] = { "--port", port, NULL };

    impostor = tto_test_relay_start_tls (60, self2.certificate, self2.key, NULL, args);
  }
  g_assert_cmpint (relay_port (impostor), ==, atoi (port));
  g_assert_true (g_file_get_contents (tto_cert_pins_get_path (tto_cert_pins_get_default ()),
                                      &pins_before, NULL, NULL));

  /* The connection notices the drop, reconnects (after its backoff), and
   * is refused. */
  {
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

    while (rejections.count == 0 && g_get_monotonic_time () < deadline)
      tto_test_iterate_ms (50);
    g_assert_cmpuint (rejections.count, ==, 1);
  }
  g_assert_cmpstr (rejections.host_port, ==, host_port);
  g_assert_cmpstr (rejections.fingerprint, ==, self2.fingerprint);
  g_assert_cmpstr (rejections.pinned, ==, self1.fingerprint);
  /* It asked once; its quiet retries (every 15 s, in case the trusted
   * certificate comes back) do not ask again about the same one. */
  tto_test_iterate_ms (16500);
  g_assert_cmpuint (rejections.count, ==, 1);
  g_assert_cmpint (tto_connection_get_state (connection), !=, TTO_CONNECTION_STATE_CONNECTED);

  /* A new connection is refused the same way, with both fingerprints. */
  fresh = new_connection (impostor, &fresh_rejections);
  g_assert_false (sign_in (fresh, &error));
  g_assert_error (error, TTO_CONNECTION_ERROR, TTO_CONNECTION_ERROR_CERTIFICATE_CHANGED);
  shown_new = tto_cert_pins_format_fingerprint (self2.fingerprint);
  shown_old = tto_cert_pins_format_fingerprint (self1.fingerprint);
  g_assert_nonnull (strstr (error->message, shown_new));
  g_assert_nonnull (strstr (error->message, shown_old));
  g_assert_cmpuint (fresh_rejections.count, ==, 1);
  g_assert_cmpstr (fresh_rejections.pinned, ==, self1.fingerprint);
  g_clear_error (&error);

  /* The pin is untouched; no frame crossed: no identity, no connection. */
  pin = tto_cert_pins_lookup (tto_cert_pins_get_default (), host_port);
  g_assert_cmpstr (pin, ==, self1.fingerprint);
  g_assert_true (g_file_get_contents (tto_cert_pins_get_path (tto_cert_pins_get_default ()),
                                      &pins_after, NULL, NULL));
  g_assert_cmpstr (pins_after, ==, pins_before);
  g_assert_cmpint (count_identities (impostor), ==, 0);
  {
    g_autoptr (SoupSession) session = soup_session_new ();
    g_autofree char *url = g_strconcat (tto_test_relay_get_http_base (impostor), "/v1/health",
                                        NULL);
    g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
    g_autoptr (GBytes) body = NULL;
    g_autoptr (JsonObject) health = NULL;
    g_autoptr (GTlsDatabase) database = g_tls_file_database_new (self2.certificate, &error);

    g_assert_no_error (error);
    soup_session_set_tls_database (session, database);
    body = soup_session_send_and_read (session, msg, NULL, &error);
    g_assert_no_error (error);
    health = tto_test_json_object ("%.*s", (int) g_bytes_get_size (body),
                                   (const char *) g_bytes_get_data (body, NULL));
    g_assert_cmpint (json_object_get_int_member (health, "connections"), ==, 0);
  }
  g_assert_false (lost);

  /* Deliberately: forget the old pin, trust the new certificate. The
   * waiting connection reconnects at once; this relay never knew its
   * identity, which is how we see it got through. */
  g_assert_true (tto_cert_pins_forget (tto_cert_pins_get_default (), host_port, &error));
  g_assert_no_error (error);
  g_assert_true (tto_cert_pins_pin (tto_cert_pins_get_default (), host_port, self2.fingerprint,
                                    &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (&lost));

  rejections_clear (&rejections);
  rejections_clear (&fresh_rejections);
  tto_connection_close (connection);
  tto_test_relay_stop (impostor);
}

/* Pins store */

static void
test_pins_store (void)
{
  g_autofree char *path = g_build_filename (work_dir, "store", "pins.ini", NULL);
  g_autoptr (TtoCertPins) pins = tto_cert_pins_new (path);
  g_autoptr (GError) error = NULL;
  g_autofree char *formatted = NULL;
  g_autofree char *value = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autofree char *key = NULL;
  g_autofree char *shown = NULL;
  const char *fp = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
  GStatBuf st;

  g_assert_null (tto_cert_pins_lookup (pins, "relay.example.org:8321"));
  g_assert_true (tto_cert_pins_pin (pins, "relay.example.org:8321", fp, &error));
  g_assert_no_error (error);
  value = tto_cert_pins_lookup (pins, "relay.example.org:8321");
  g_assert_cmpstr (value, ==, fp);
  /* Only the person may read it. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  formatted = tto_cert_pins_format_fingerprint (fp);
  g_assert_cmpstr (formatted, ==,
                   "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                   "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF");

  /* Default ports; IPv6 without brackets in the key, with them shown. */
  uri = g_uri_parse ("wss://Relay.Example.org/v1/ws", G_URI_FLAGS_NONE, NULL);
  key = tto_cert_pins_host_port (uri);
  g_assert_cmpstr (key, ==, "relay.example.org:443");
  g_clear_pointer (&uri, g_uri_unref);
  g_clear_pointer (&key, g_free);
  uri = g_uri_parse ("wss://[::1]:8443/v1/ws", G_URI_FLAGS_NONE, NULL);
  key = tto_cert_pins_host_port (uri);
  g_assert_cmpstr (key, ==, "::1:8443");
  shown = tto_cert_pins_display_host (key);
  g_assert_cmpstr (shown, ==, "[::1]:8443");

  /* A damaged entry is no pin (the connection asks; never accepts). */
  g_assert_true (g_file_set_contents (path, "[relay.example.org:8321]\nsha256=nonsense\n", -1,
                                      &error));
  g_test_expect_message ("tto", G_LOG_LEVEL_WARNING, "*malformed certificate pin*");
  g_clear_pointer (&value, g_free);
  value = tto_cert_pins_lookup (pins, "relay.example.org:8321");
  g_test_assert_expected_messages ();
  g_assert_null (value);

  g_assert_true (tto_cert_pins_forget (pins, "relay.example.org:8321", &error));
  g_assert_no_error (error);
  g_assert_null (tto_cert_pins_lookup (pins, "relay.example.org:8321"));
}

/* Dialogs (with a display) */

static void
settle (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (5000);
    }
}

static void
screenshot (GtkWidget *widget,
            const char *name)
{
  g_autoptr (GdkPaintable) paintable = NULL;
  g_autoptr (GtkSnapshot) snapshot = NULL;
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  int width, height;

  settle (400);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".",
                          "screenshots", NULL);
  g_mkdir_with_parents (dir, 0755);
  file = g_strdup_printf ("%s/%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, file));
  g_test_message ("screenshot: %s (%d×%d)", file, width, height);
}

static gboolean
label_shows (GtkWidget *widget,
             const char *text)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_label (GTK_LABEL (widget)), text) != NULL)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_get_visible (child) && label_shows (child, text))
      return TRUE;

  return FALSE;
}

static GtkWindow *
find_toplevel (GType type,
               gconstpointer except)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i);

      if ((gconstpointer) window != except && G_TYPE_CHECK_INSTANCE_TYPE (window, type) &&
          gtk_widget_get_mapped (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

static GtkWindow *
new_parent (int width,
            int height)
{
  GtkWindow *parent = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_default_size (parent, width, height);
  gtk_window_present (parent);
  settle (200);
  return parent;
}

static void
on_trusted (TtoTrustDialog *dialog,
            const char *host_port,
            char **out)
{
  g_free (*out);
  *out = g_strdup (host_port);
}

/* First use: the host, the fingerprint in pairs; "Cancel" is the default;
 * "Trust and Connect" pins. */
static void
test_dialog_trust (void)
{
  g_autofree char *path = g_build_filename (work_dir, "dialog-pins.ini", NULL);
  g_autoptr (TtoCertPins) pins = tto_cert_pins_new (path);
  g_autofree char *trusted = NULL;
  g_autofree char *pin = NULL;
  const int sizes[][2] = { { 360, 720 }, { 1280, 800 } };

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      GtkWindow *parent = new_parent (sizes[i][0], sizes[i][1]);
      TtoTrustDialog *dialog = tto_trust_dialog_new (parent, pins, "127.0.0.1:8321",
                                                     self1.fingerprint, NULL);
      g_autofree char *name = g_strdup_printf ("trust-dialog-%dx%d", sizes[i][0], sizes[i][1]);
      AdwMessageDialog *message = ADW_MESSAGE_DIALOG (dialog);

      g_signal_connect (dialog, "trusted", G_CALLBACK (on_trusted), &trusted);
      gtk_window_present (GTK_WINDOW (dialog));
      settle (300);
      g_assert_false (tto_trust_dialog_get_changed (dialog));
      g_assert_true (label_shows (GTK_WIDGET (dialog), "127.0.0.1:8321"));
      /* The first pairs of the fingerprint, as openssl prints them. */
      {
        g_autofree char *formatted = tto_cert_pins_format_fingerprint (self1.fingerprint);

        formatted[23] = '\0'; /* 8 pairs: the first line */
        g_assert_true (label_shows (GTK_WIDGET (dialog), formatted));
      }
      g_assert_true (adw_message_dialog_has_response (message, "trust"));
      g_assert_cmpstr (adw_message_dialog_get_default_response (message), ==, "cancel");
      g_assert_cmpstr (adw_message_dialog_get_close_response (message), ==, "cancel");
      screenshot (GTK_WIDGET (dialog), name);

      if (i == 0)
        {
          /* Cancel trusts nothing. */
          adw_message_dialog_response (message, "cancel");
          gtk_window_close (GTK_WINDOW (dialog));
          g_assert_null (trusted);
          g_assert_null (tto_cert_pins_lookup (pins, "127.0.0.1:8321"));
        }
      else
        {
          adw_message_dialog_response (message, "trust");
          gtk_window_close (GTK_WINDOW (dialog));
          g_assert_cmpstr (trusted, ==, "127.0.0.1:8321");
          pin = tto_cert_pins_lookup (pins, "127.0.0.1:8321");
          g_assert_cmpstr (pin, ==, self1.fingerprint);
        }
      gtk_window_destroy (parent);
      settle (100);
    }
}

/* Changed: both fingerprints, no way to connect from here; forgetting the
 * old pin takes a second, explicit confirmation, and trusts nothing new. */
static void
test_dialog_changed (void)
{
  g_autofree char *path = g_build_filename (work_dir, "changed-pins.ini", NULL);
  g_autoptr (TtoCertPins) pins = tto_cert_pins_new (path);
  g_autoptr (GError) error = NULL;
  g_autofree char *trusted = NULL;
  g_autofree char *pin = NULL;
  const int sizes[][2] = { { 360, 720 }, { 1280, 800 } };

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  g_assert_true (tto_cert_pins_pin (pins, "127.0.0.1:8321", self1.fingerprint, &error));
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      GtkWindow *parent = new_parent (sizes[i][0], sizes[i][1]);
      TtoTrustDialog *dialog = tto_trust_dialog_new (parent, pins, "127.0.0.1:8321",
                                                     self2.fingerprint, self1.fingerprint);
      g_autofree char *name = g_strdup_printf ("changed-dialog-%dx%d", sizes[i][0], sizes[i][1]);
      AdwMessageDialog *message = ADW_MESSAGE_DIALOG (dialog);
      g_autofree char *new_line = tto_cert_pins_format_fingerprint (self2.fingerprint);
      g_autofree char *old_line = tto_cert_pins_format_fingerprint (self1.fingerprint);
      AdwMessageDialog *confirm;

      new_line[23] = '\0';
      old_line[23] = '\0';
      g_signal_connect (dialog, "trusted", G_CALLBACK (on_trusted), &trusted);
      gtk_window_present (GTK_WINDOW (dialog));
      settle (300);
      g_assert_true (tto_trust_dialog_get_changed (dialog));
      g_assert_cmpstr (adw_message_dialog_get_heading (message), ==,
                       "The Relay’s Certificate Changed");
      g_assert_true (label_shows (GTK_WIDGET (dialog), new_line));
      g_assert_true (label_shows (GTK_WIDGET (dialog), old_line));
      g_assert_false (adw_message_dialog_has_response (message, "trust"));
      g_assert_true (adw_message_dialog_has_response (message, "forget"));
      g_assert_cmpint (adw_message_dialog_get_response_appearance (message, "forget"), ==,
                       ADW_RESPONSE_DESTRUCTIVE);
      g_assert_cmpstr (adw_message_dialog_get_default_response (message), ==, "close");
      screenshot (GTK_WIDGET (dialog), name);

      /* Forget, then the confirmation. */
      adw_message_dialog_response (message, "forget");
      gtk_window_close (GTK_WINDOW (dialog));
      settle (300);
      /* @dialog is gone: closing destroyed it. */
      confirm = ADW_MESSAGE_DIALOG (find_toplevel (ADW_TYPE_MESSAGE_DIALOG, dialog));
      g_assert_nonnull (confirm);
      g_assert_false (TTO_IS_TRUST_DIALOG (confirm));
      g_assert_cmpstr (adw_message_dialog_get_default_response (confirm), ==, "cancel");
      /* Still pinned while the confirmation waits. */
      g_clear_pointer (&pin, g_free);
      pin = tto_cert_pins_lookup (pins, "127.0.0.1:8321");
      g_assert_cmpstr (pin, ==, self1.fingerprint);
      if (i == 0)
        {
          screenshot (GTK_WIDGET (confirm), "forget-confirm-360x720");
          adw_message_dialog_response (confirm, "cancel");
          gtk_window_close (GTK_WINDOW (confirm));
          g_clear_pointer (&pin, g_free);
          pin = tto_cert_pins_lookup (pins, "127.0.0.1:8321");
          g_assert_cmpstr (pin, ==, self1.fingerprint);
        }
      else
        {
          adw_message_dialog_response (confirm, "forget");
          gtk_window_close (GTK_WINDOW (confirm));
          g_clear_pointer (&pin, g_free);
          pin = tto_cert_pins_lookup (pins, "127.0.0.1:8321");
          /* Forgotten, and the new one not trusted by that. */
          g_assert_null (pin);
        }
      g_assert_null (trusted);
      gtk_window_destroy (parent);
      settle (100);
    }
}

/* The window shows the dialog for a refusal any connection reports, one
 * at a time, and pins on "Trust and Connect". */
static void
test_window_wiring (void)
{
  TtoWindow *window;
  TtoTrustDialog *dialog;
  g_autofree char *pin = NULL;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  remove_pins ();
  window = tto_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 720);
  gtk_window_present (GTK_WINDOW (window));
  settle (300);
  g_assert_null (tto_window_get_trust_dialog (window));

  tto_cert_pins_report_rejected (tto_cert_pins_get_default (), "127.0.0.1:9", self1.fingerprint,
                                 NULL);
  settle (200);
  dialog = tto_window_get_trust_dialog (window);
  g_assert_nonnull (dialog);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  g_assert_false (tto_trust_dialog_get_changed (dialog));

  /* A reconnect reporting the same again does not stack dialogs. */
  tto_cert_pins_report_rejected (tto_cert_pins_get_default (), "127.0.0.1:9", self1.fingerprint,
                                 NULL);
  settle (100);
  g_assert_true (tto_window_get_trust_dialog (window) == dialog);

  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "trust");
  gtk_window_close (GTK_WINDOW (dialog));
  settle (200);
  g_assert_null (tto_window_get_trust_dialog (window));
  pin = tto_cert_pins_lookup (tto_cert_pins_get_default (), "127.0.0.1:9");
  g_assert_cmpstr (pin, ==, self1.fingerprint);

  /* Changed: the warning, not the question. */
  tto_cert_pins_report_rejected (tto_cert_pins_get_default (), "127.0.0.1:9", self2.fingerprint,
                                 self1.fingerprint);
  settle (200);
  dialog = tto_window_get_trust_dialog (window);
  g_assert_nonnull (dialog);
  g_assert_true (tto_trust_dialog_get_changed (dialog));

  /* The window goes first; the dialog with it. */
  gtk_window_destroy (GTK_WINDOW (window));
  settle (100);
  remove_pins ();
}

int
main (int argc,
      char *argv[])
{
  g_autofree char *data_home = NULL;
  int status;

  /* Pins go to a private data dir, set before anything reads it. */
  work_dir = g_dir_make_tmp ("tto-test-tls-XXXXXX", NULL);
  g_assert_nonnull (work_dir);
  data_home = g_build_filename (work_dir, "data", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_unsetenv ("TTO_CA_FILE");

  g_test_init (&argc, &argv, NULL);
  tto_client_init ();
  have_display = gtk_init_check ();
  if (have_display)
    {
      adw_init ();
      tto_client_load_css ();
      /* No window manager: a cursor blinking in a window that never becomes
       * active would warn. */
      g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE, NULL);
    }
  make_certificates ();

  g_test_add_func ("/tls/pins/store", test_pins_store);
  g_test_add_func ("/tls/relay/refuses", test_relay_refuses);
  g_test_add_func ("/tls/relay/wss", test_relay_wss);
  g_test_add_func ("/tls/client/trusted", test_client_trusted);
  g_test_add_func ("/tls/client/pinned", test_client_pinned);
  g_test_add_func ("/tls/client/changed", test_client_changed);
  g_test_add_func ("/tls/dialog/trust", test_dialog_trust);
  g_test_add_func ("/tls/dialog/changed", test_dialog_changed);
  g_test_add_func ("/tls/window", test_window_wiring);

  status = g_test_run ();

  if (g_getenv ("TTO_TEST_KEEP_TLS") == NULL)
    {
      g_autoptr (GFile) dir = g_file_new_for_path (work_dir);
      g_autoptr (GFileEnumerator) children = NULL;

      /* Two levels: certificates, data/tto/pins.ini, store/pins.ini. */
      const char *const leftovers[] = { "data/tto/pins.ini", "data/tto", "data",
                                        "store/pins.ini", "store", NULL };

      for (guint i = 0; leftovers[i] != NULL; i++)
        {
          g_autofree char *p = g_build_filename (work_dir, leftovers[i], NULL);

          g_remove (p);
        }
      children = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME, 0, NULL, NULL);
      while (children != NULL)
        {
          GFileInfo *info = g_file_enumerator_next_file (children, NULL, NULL);
          g_autofree char *p = NULL;

          if (info == NULL)
            break;
          p = g_build_filename (work_dir, g_file_info_get_name (info), NULL);
          g_remove (p);
          g_object_unref (info);
        }
      g_remove (work_dir);
    }

  return status;
}
