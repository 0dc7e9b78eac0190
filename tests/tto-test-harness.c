/* tto-test-harness.c: a real relay, a real MariaDB database and real
 * WebSocket clients for integration tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-test"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <mysql.h>

#include "tto-test-harness.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MYSQL_RES, mysql_free_result)

#define RELAY_READY_TIMEOUT_MS 20000
#define RELAY_STOP_TIMEOUT_MS 10000
#define READY_PREFIX "relay listening on "

struct _TtoTestRelay
{
  GSubprocess *process;
  GDataInputStream *stdout_stream;
  GCancellable *cancellable;
  gboolean exited;
  char *database;
  char *ws_url;
  char *http_base;
  MYSQL *mysql;
  SoupSession *http;
  GTlsDatabase *tls_database; /* wss://: the CAs clients trust */
};

struct _TtoTestClient
{
  TtoTestRelay *relay;
  SoupSession *session;
  SoupWebsocketConnection *conn;
  GSocket *socket;        /* to drop the connection without a close handshake */
  GHashTable *answers;    /* re → TtoFrame, not yet claimed */
  GHashTable *answered;   /* every re seen, to catch a second answer */
  GQueue pushes;          /* TtoFrame without re, oldest first */
  guint next_id;
  gboolean closed;
  char *identity_id;
  char *token;
};

/* Fails the running test with a formatted message, from anywhere. */
G_GNUC_PRINTF (4, 5) G_GNUC_NORETURN static void
harness_fail (const char *file,
              int line,
              const char *func,
              const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_assertion_message (G_LOG_DOMAIN, file, line, func, message);
  g_abort ();
}

#define FAIL(...) harness_fail (__FILE__, __LINE__, G_STRFUNC, __VA_ARGS__)

static gboolean
on_timeout_flag (gpointer user_data)
{
  gboolean *flag = user_data;

  *flag = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the default main context until *done or the timeout; returns *done. */
static gboolean
iterate_until (const gboolean *done,
               guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint source;

  if (*done)
    return TRUE;

  source = g_timeout_add (timeout_ms, on_timeout_flag, &timed_out);
  while (!*done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (source);

  return *done;
}

void
tto_test_iterate_ms (guint ms)
{
  gboolean never = FALSE;

  iterate_until (&never, ms);
}

JsonObject *
tto_test_json_object (const char *format,
                      ...)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  va_list args;
  JsonNode *root;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  if (!json_parser_load_from_data (parser, text, -1, &error))
    FAIL ("test bug: not JSON: %s: %s", error->message, text);
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    FAIL ("test bug: not a JSON object: %s", text);

  return json_object_ref (json_node_get_object (root));
}

char *
tto_test_expect_error (TtoFrame *answer,
                       const char *code)
{
  char *message;

  g_assert_nonnull (answer);
  if (!tto_frame_is (answer, TTO_FRAME_ERROR))
    g_error ("expected error %s, got %s", code, tto_frame_serialize (answer, NULL));
  g_assert_cmpstr (tto_frame_get_string (answer, "code"), ==, code);
  message = g_strdup (tto_frame_get_string (answer, "message"));
  tto_frame_free (answer);
  return message;
}

/* ---------------------------------------------------------------- relay */

gboolean
tto_test_relay_available (char **out_reason)
{
  const char *reason = NULL;

  if (g_getenv ("TTO_TEST_MYSQL_SOCKET") == NULL || *g_getenv ("TTO_TEST_MYSQL_SOCKET") == '\0')
    reason = "TTO_TEST_MYSQL_SOCKET is not set (start MariaDB, e.g. with build-aux/dev)";
  else if (g_getenv ("TTO_RELAY_BIN") == NULL || *g_getenv ("TTO_RELAY_BIN") == '\0')
    reason = "TTO_RELAY_BIN is not set";

  if (out_reason != NULL)
    *out_reason = g_strdup (reason);

  return reason == NULL;
}

static MYSQL *
mysql_connect_or_fail (void)
{
  const char *socket_path = g_getenv ("TTO_TEST_MYSQL_SOCKET");
  const char *user = g_getenv ("TTO_TEST_MYSQL_USER");
  const char *password = g_getenv ("TTO_TEST_MYSQL_PASSWORD");
  MYSQL *mysql = mysql_init (NULL);

  g_assert_nonnull (mysql);
  if (mysql_real_connect (mysql, NULL, user != NULL ? user : "root", password, NULL, 0,
                          socket_path, 0) == NULL)
    FAIL ("cannot connect to MariaDB at %s: %s", socket_path, mysql_error (mysql));
  if (mysql_set_character_set (mysql, "utf8mb4") != 0)
    FAIL ("cannot set utf8mb4: %s", mysql_error (mysql));

  return mysql;
}

static void
relay_exec (TtoTestRelay *relay,
            const char *sql)
{
  if (mysql_query (relay->mysql, sql) != 0)
    FAIL ("SQL failed: %s: %s", mysql_error (relay->mysql), sql);
}

static void
on_relay_exited (GObject *source,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  TtoTestRelay *relay;

  if (!g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  relay = user_data;
  relay->exited = TRUE;
}

typedef struct
{
  gboolean done;
  char *line;
  GError *error;
} LineRead;

static void
on_ready_line (GObject *source,
               GAsyncResult *result,
               gpointer user_data)
{
  LineRead *read = user_data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                          NULL, &read->error);
  read->done = TRUE;
}

/* After the ready line, stdout is drained so that the relay never blocks on
 * a full pipe; whatever it prints goes to the test log. */
static void
on_stdout_line (GObject *source,
                GAsyncResult *result,
                gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  GCancellable *cancellable = user_data;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL,
                                                    &error);
  if (line == NULL)
    return;

  g_test_message ("relay stdout: %s", line);
  /* Tests that search the relay's output for secrets read it here too. */
  if (g_getenv ("TTO_TEST_RELAY_STDERR_FILE") != NULL)
    {
      g_autofree char *path = g_strconcat (g_getenv ("TTO_TEST_RELAY_STDERR_FILE"), ".stdout",
                                           NULL);
      FILE *copy = fopen (path, "a");

      if (copy != NULL)
        {
          fprintf (copy, "%s\n", line);
          fclose (copy);
        }
    }
  if (!g_cancellable_is_cancelled (cancellable))
    g_data_input_stream_read_line_async (G_DATA_INPUT_STREAM (source), G_PRIORITY_DEFAULT,
                                         cancellable, on_stdout_line, cancellable);
}

/* The relay dies with the test program, even when an assertion aborts it. */
static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

TtoTestRelay *
tto_test_relay_start (guint identity_grace_seconds)
{
  return tto_test_relay_start_with_args (identity_grace_seconds, NULL);
}

/* @tls_certificate, @tls_key: PEM files for the relay to serve wss:// with,
 * or NULL for ws://; @ca_file: the CAs the harness's clients then trust. */
static TtoTestRelay *
relay_start (guint identity_grace_seconds,
             const char *tls_certificate,
             const char *tls_key,
             const char *ca_file,
             const char *const *extra_args)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) argv = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *grace = NULL;
  g_autoptr (GUri) uri = NULL;
  TtoTestRelay *relay;
  const char *password;
  guint8 random[6];
  LineRead read = { FALSE, NULL, NULL };

  if (!tto_test_relay_available (&reason))
    {
      g_test_skip (reason);
      return NULL;
    }

  relay = g_new0 (TtoTestRelay, 1);
  relay->cancellable = g_cancellable_new ();

  tto_random_bytes (random, sizeof random);
  relay->database = g_strdup_printf ("tto_test_%02x%02x%02x%02x%02x%02x", random[0], random[1],
                                     random[2], random[3], random[4], random[5]);
  relay->mysql = mysql_connect_or_fail ();
  sql = g_strdup_printf ("CREATE DATABASE `%s` CHARACTER SET utf8mb4", relay->database);
  relay_exec (relay, sql);
  if (mysql_select_db (relay->mysql, relay->database) != 0)
    FAIL ("cannot use %s: %s", relay->database, mysql_error (relay->mysql));

  grace = g_strdup_printf ("%u", identity_grace_seconds);
  argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (char *) g_getenv ("TTO_RELAY_BIN"));
  g_ptr_array_add (argv, "--port");
  g_ptr_array_add (argv, "0");
  g_ptr_array_add (argv, "--bind");
  g_ptr_array_add (argv, "127.0.0.1");
  g_ptr_array_add (argv, "--mysql-socket");
  g_ptr_array_add (argv, (char *) g_getenv ("TTO_TEST_MYSQL_SOCKET"));
  g_ptr_array_add (argv, "--mysql-user");
  g_ptr_array_add (argv, g_getenv ("TTO_TEST_MYSQL_USER") != NULL
                           ? (char *) g_getenv ("TTO_TEST_MYSQL_USER") : "root");
  password = g_getenv ("TTO_TEST_MYSQL_PASSWORD");
  if (password != NULL)
    {
      g_ptr_array_add (argv, "--mysql-password");
      g_ptr_array_add (argv, (char *) password);
    }
  g_ptr_array_add (argv, "--mysql-database");
  g_ptr_array_add (argv, relay->database);
  g_ptr_array_add (argv, "--sweep-interval");
  g_ptr_array_add (argv, "1");
  g_ptr_array_add (argv, "--identity-grace");
  g_ptr_array_add (argv, grace);
  if (tls_certificate != NULL)
    {
      g_ptr_array_add (argv, "--tls-cert");
      g_ptr_array_add (argv, (char *) tls_certificate);
      g_ptr_array_add (argv, "--tls-key");
      g_ptr_array_add (argv, (char *) tls_key);
    }
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) extra_args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  /* The tests run with G_DEBUG=fatal-warnings; a relay warning must show in
   * the log, not kill the relay under the test. */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  /* TTO_TEST_RELAY_STDERR_FILE: the relay's stderr goes to this file (its
   * later stdout lines to FILE.stdout), for tests that read its logs. */
  if (g_getenv ("TTO_TEST_RELAY_STDERR_FILE") != NULL)
    g_subprocess_launcher_set_stderr_file_path (launcher, g_getenv ("TTO_TEST_RELAY_STDERR_FILE"));
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  relay->process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata,
                                                 &error);
  if (relay->process == NULL)
    FAIL ("cannot start %s: %s", (char *) argv->pdata[0], error->message);

  g_subprocess_wait_async (relay->process, relay->cancellable, on_relay_exited, relay);

  relay->stdout_stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (relay->process));
  g_data_input_stream_read_line_async (relay->stdout_stream, G_PRIORITY_DEFAULT,
                                       relay->cancellable, on_ready_line, &read);
  iterate_until (&read.done, RELAY_READY_TIMEOUT_MS);
  if (!read.done)
    FAIL ("the relay did not print its ready line within %d s", RELAY_READY_TIMEOUT_MS / 1000);
  if (read.line == NULL)
    FAIL ("the relay closed stdout before it was ready (%s)",
          read.error != NULL ? read.error->message : "end of file; see its log above");
  g_clear_error (&read.error);

  if (!g_str_has_prefix (read.line, READY_PREFIX))
    FAIL ("the relay's first line is not its ready line: '%s'", read.line);
  relay->ws_url = g_strdup (read.line + strlen (READY_PREFIX));
  g_free (read.line);

  uri = g_uri_parse (relay->ws_url, G_URI_FLAGS_NONE, &error);
  if (uri == NULL ||
      g_strcmp0 (g_uri_get_scheme (uri), tls_certificate != NULL ? "wss" : "ws") != 0 ||
      g_uri_get_port (uri) <= 0 || g_strcmp0 (g_uri_get_path (uri), "/v1/ws") != 0)
    FAIL ("the relay's ready line has no usable %s:// URL: '%s'",
          tls_certificate != NULL ? "wss" : "ws", relay->ws_url);
  relay->http_base = g_strdup_printf ("%s://%s:%d", tls_certificate != NULL ? "https" : "http",
                                      g_uri_get_host (uri), g_uri_get_port (uri));

  g_data_input_stream_read_line_async (relay->stdout_stream, G_PRIORITY_DEFAULT,
                                       relay->cancellable, on_stdout_line, relay->cancellable);

  relay->http = soup_session_new ();
  if (ca_file != NULL)
    {
      relay->tls_database = g_tls_file_database_new (ca_file, &error);
      if (relay->tls_database == NULL)
        FAIL ("cannot read the test CA %s: %s", ca_file, error->message);
      soup_session_set_tls_database (relay->http, relay->tls_database);
    }
  g_test_message ("relay %s on database %s", relay->ws_url, relay->database);

  return relay;
}

/* @extra_args: more relay flags (e.g. smaller limits), NULL-terminated. */
TtoTestRelay *
tto_test_relay_start_with_args (guint identity_grace_seconds,
                                const char *const *extra_args)
{
  return relay_start (identity_grace_seconds, NULL, NULL, NULL, extra_args);
}

/* A relay serving wss:// and https:// with @certificate and @key (PEM
 * files); the harness's clients trust the CAs in @ca_file (NULL: the
 * system's, so a self-signed relay fails their handshake). */
TtoTestRelay *
tto_test_relay_start_tls (guint identity_grace_seconds,
                          const char *certificate,
                          const char *key,
                          const char *ca_file,
                          const char *const *extra_args)
{
  g_assert_nonnull (certificate);
  g_assert_nonnull (key);

  return relay_start (identity_grace_seconds, certificate, key, ca_file, extra_args);
}

/* What the harness's clients trust on a wss:// relay; NULL on ws://. */
GTlsDatabase *
tto_test_relay_get_tls_database (TtoTestRelay *relay)
{
  g_assert_nonnull (relay);
  return relay->tls_database;
}

const char *
tto_test_relay_get_ws_url (TtoTestRelay *relay)
{
  g_assert_nonnull (relay);
  return relay->ws_url;
}

const char *
tto_test_relay_get_http_base (TtoTestRelay *relay)
{
  g_assert_nonnull (relay);
  return relay->http_base;
}

const char *
tto_test_relay_get_database (TtoTestRelay *relay)
{
  g_assert_nonnull (relay);
  return relay->database;
}

gboolean
tto_test_relay_is_running (TtoTestRelay *relay)
{
  g_assert_nonnull (relay);

  /* Let a pending exit notification through first. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  return !relay->exited;
}

/* Every row, each a GStrv of its columns (SQL NULL as NULL would end the
 * vector early, so it reads as the string "NULL"). */
GPtrArray *
tto_test_relay_query_rows (TtoTestRelay *relay,
                           const char *sql)
{
  g_autoptr (MYSQL_RES) result = NULL;
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  unsigned int n_fields;
  MYSQL_ROW row;

  g_assert_nonnull (relay);

  relay_exec (relay, sql);
  result = mysql_store_result (relay->mysql);
  if (result == NULL)
    FAIL ("SQL returned no result set: %s: %s", sql, mysql_error (relay->mysql));

  n_fields = mysql_num_fields (result);
  while ((row = mysql_fetch_row (result)) != NULL)
    {
      char **columns = g_new0 (char *, n_fields + 1);

      for (unsigned int i = 0; i < n_fields; i++)
        columns[i] = g_strdup (row[i] != NULL ? row[i] : "NULL");
      g_ptr_array_add (rows, columns);
    }

  return rows;
}

/* Runs a statement without a result (UPDATE, DELETE); returns the rows
 * it touched. */
guint64
tto_test_relay_exec (TtoTestRelay *relay,
                     const char *sql)
{
  g_assert_nonnull (relay);

  relay_exec (relay, sql);
  return mysql_affected_rows (relay->mysql);
}

/* The first column of the first row; -1 when there is no row or it is NULL. */
gint64
tto_test_relay_query_int (TtoTestRelay *relay,
                          const char *sql)
{
  g_autoptr (MYSQL_RES) result = NULL;
  MYSQL_ROW row;
  gint64 value;
  char *end;

  g_assert_nonnull (relay);

  relay_exec (relay, sql);
  result = mysql_store_result (relay->mysql);
  if (result == NULL)
    FAIL ("SQL returned no result set: %s: %s", sql, mysql_error (relay->mysql));

  row = mysql_fetch_row (result);
  if (row == NULL || row[0] == NULL)
    return -1;

  value = g_ascii_strtoll (row[0], &end, 10);
  if (end == row[0] || *end != '\0')
    FAIL ("SQL result '%s' is not an integer: %s", row[0], sql);

  return value;
}

gint64
tto_test_relay_query_intf (TtoTestRelay *relay,
                           const char *format,
                           ...)
{
  g_autofree char *sql = NULL;
  va_list args;

  va_start (args, format);
  sql = g_strdup_vprintf (format, args);
  va_end (args);

  return tto_test_relay_query_int (relay, sql);
}

/* The one row @format (printf-style SQL) selects: its first column;
 * fails the test unless exactly one row comes. */
char *
tto_test_relay_query_stringf (TtoTestRelay *relay,
                              const char *format,
                              ...)
{
  g_autofree char *sql = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  va_list args;

  va_start (args, format);
  sql = g_strdup_vprintf (format, args);
  va_end (args);

  rows = tto_test_relay_query_rows (relay, sql);
  g_assert_cmpuint (rows->len, ==, 1);
  return g_strdup (((char **) rows->pdata[0])[0]);
}

/* Waits for the sweeper's deletion of @identity_id. */
void
tto_test_relay_wait_identity_gone (TtoTestRelay *relay,
                                   const char *identity_id)
{
  for (guint i = 0; i < 100; i++)
    {
      if (tto_test_relay_query_intf (relay, "SELECT COUNT(*) FROM identities WHERE id = '%s'",
                                     identity_id) == 0)
        return;
      tto_test_iterate_ms (50);
    }
  g_error ("identity %s is still in the database", identity_id);
}

/* Forgets that the migrations from @first_migration on ran on @relay's
 * database (asserting they had), so that the next relay on it runs them
 * again; returns the schema version the database had. */
gint64
tto_test_relay_forget_migrations (TtoTestRelay *relay,
                                  gint64 first_migration)
{
  g_autofree char *sql = g_strdup_printf ("DELETE FROM schema_version WHERE version >= %"
                                          G_GINT64_FORMAT, first_migration);
  gint64 version = tto_test_relay_query_int (relay, "SELECT MAX(version) FROM schema_version");

  g_assert_cmpint (version, >=, first_migration);
  g_assert_cmpuint (tto_test_relay_exec (relay, sql), ==,
                    (guint64) (version - first_migration + 1));
  return version;
}

/* A second relay serving @relay's database, as after a restart or an
 * upgrade (it makes a database of its own too, left empty). */
TtoTestRelay *
tto_test_relay_start_on_database (TtoTestRelay *relay,
                                  guint identity_grace_seconds)
{
  const char *const args[] = { "--mysql-database", tto_test_relay_get_database (relay), NULL };
  TtoTestRelay *again = tto_test_relay_start_with_args (identity_grace_seconds, args);

  g_assert_nonnull (again);
  return again;
}

JsonObject *
tto_test_relay_get_health (TtoTestRelay *relay,
                           const char *event_id_or_null)
{
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *url = NULL;
  JsonNode *root;

  g_assert_nonnull (relay);

  if (event_id_or_null != NULL)
    url = g_strdup_printf ("%s/v1/health?event=%s", relay->http_base, event_id_or_null);
  else
    url = g_strdup_printf ("%s/v1/health", relay->http_base);

  msg = soup_message_new (SOUP_METHOD_GET, url);
  bytes = soup_session_send_and_read (relay->http, msg, NULL, &error);
  if (bytes == NULL)
    FAIL ("GET %s failed: %s", url, error->message);
  if (soup_message_get_status (msg) != SOUP_STATUS_OK)
    FAIL ("GET %s answered %u", url, soup_message_get_status (msg));

  if (!json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                   (gssize) g_bytes_get_size (bytes), &error))
    FAIL ("GET %s answered no JSON: %s", url, error->message);
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    FAIL ("GET %s answered no JSON object", url);

  return json_object_ref (json_node_get_object (root));
}

gint64
tto_test_relay_advance_clock (TtoTestRelay *relay,
                              gint64 seconds)
{
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *url = NULL;
  JsonNode *root;

  g_assert_nonnull (relay);

  url = g_strdup_printf ("%s/v1/test/clock?advance=%" G_GINT64_FORMAT, relay->http_base, seconds);
  msg = soup_message_new (SOUP_METHOD_POST, url);
  bytes = soup_session_send_and_read (relay->http, msg, NULL, &error);
  if (bytes == NULL)
    FAIL ("POST %s failed: %s", url, error->message);
  if (soup_message_get_status (msg) != SOUP_STATUS_OK)
    FAIL ("POST %s answered %u (was the relay started with --test-clock?)", url,
          soup_message_get_status (msg));
  if (!json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                   (gssize) g_bytes_get_size (bytes), &error))
    FAIL ("POST %s answered no JSON: %s", url, error->message);
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    FAIL ("POST %s answered no JSON object", url);

  return json_object_get_int_member (json_node_get_object (root), "now");
}

void
tto_test_relay_stop (TtoTestRelay *relay)
{
  g_autofree char *sql = NULL;
  gboolean was_running;

  if (relay == NULL)
    return;

  was_running = tto_test_relay_is_running (relay);
  if (was_running)
    {
      g_subprocess_send_signal (relay->process, SIGTERM);
      if (!iterate_until (&relay->exited, RELAY_STOP_TIMEOUT_MS))
        {
          g_subprocess_force_exit (relay->process);
          FAIL ("the relay did not exit within %d s of SIGTERM", RELAY_STOP_TIMEOUT_MS / 1000);
        }
    }

  if (g_subprocess_get_if_signaled (relay->process))
    FAIL ("the relay %s by signal %d", was_running ? "died" : "had died",
          g_subprocess_get_term_sig (relay->process));
  if (!was_running)
    FAIL ("the relay exited (status %d) before the test stopped it",
          g_subprocess_get_exit_status (relay->process));
  if (g_subprocess_get_exit_status (relay->process) != 0)
    FAIL ("the relay exited with status %d after SIGTERM; expected 0",
          g_subprocess_get_exit_status (relay->process));

  g_cancellable_cancel (relay->cancellable);
  /* Let the cancelled reads finish before their stream goes. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  if (g_getenv ("TTO_TEST_KEEP_DATABASE") == NULL)
    {
      sql = g_strdup_printf ("DROP DATABASE IF EXISTS `%s`", relay->database);
      relay_exec (relay, sql);
    }
  mysql_close (relay->mysql);

  g_clear_object (&relay->http);
  g_clear_object (&relay->tls_database);
  g_clear_object (&relay->stdout_stream);
  g_clear_object (&relay->process);
  g_clear_object (&relay->cancellable);
  g_free (relay->database);
  g_free (relay->ws_url);
  g_free (relay->http_base);
  g_free (relay);
}

/* --------------------------------------------------------------- client */

static void
on_ws_message (SoupWebsocketConnection *conn,
               gint data_type,
               GBytes *message,
               gpointer user_data)
{
  TtoTestClient *c = user_data;
  g_autoptr (GError) error = NULL;
  TtoFrame *frame;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  if (data_type != SOUP_WEBSOCKET_DATA_TEXT)
    FAIL ("the relay sent a binary frame; protocol v1 has text frames only");

  frame = tto_frame_parse (data, length, TTO_FRAME_FROM_RELAY, NULL, &error);
  if (frame == NULL)
    FAIL ("the relay sent a frame libtto-shared rejects (%s): %.*s", error->message,
          (int) MIN (length, 2000), data);

  if (frame->id != NULL)
    FAIL ("a relay frame carries an id: %.*s", (int) MIN (length, 2000), data);

  if (frame->re != NULL)
    {
      if (!tto_frame_is (frame, TTO_FRAME_OK) && !tto_frame_is (frame, TTO_FRAME_ERROR))
        FAIL ("a %s frame carries re; only ok and error may", frame->type);
      if (g_hash_table_contains (c->answered, frame->re))
        FAIL ("a second answer to request %s: %.*s", frame->re, (int) MIN (length, 2000), data);
      g_hash_table_add (c->answered, g_strdup (frame->re));
      g_hash_table_insert (c->answers, g_strdup (frame->re), frame);
    }
  else
    {
      if (tto_frame_is (frame, TTO_FRAME_OK))
        FAIL ("an ok frame without re: %.*s", (int) MIN (length, 2000), data);
      g_queue_push_tail (&c->pushes, frame);
    }
}

static void
on_ws_closed (SoupWebsocketConnection *conn,
              gpointer user_data)
{
  TtoTestClient *c = user_data;

  c->closed = TRUE;
}

static void
on_ws_error (SoupWebsocketConnection *conn,
             GError *error,
             gpointer user_data)
{
  g_test_message ("websocket error: %s", error->message);
}

static void
on_network_event (SoupMessage *msg,
                  GSocketClientEvent event,
                  GIOStream *connection,
                  gpointer user_data)
{
  TtoTestClient *c = user_data;

  if (event == G_SOCKET_CLIENT_CONNECTED && G_IS_SOCKET_CONNECTION (connection))
    g_set_object (&c->socket, g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection)));
}

typedef struct
{
  gboolean done;
  SoupWebsocketConnection *conn;
  GError *error;
} ConnectData;

static void
on_connected (GObject *source,
              GAsyncResult *result,
              gpointer user_data)
{
  ConnectData *data = user_data;

  data->conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), result,
                                                      &data->error);
  data->done = TRUE;
}

TtoTestClient *
tto_test_client_connect (TtoTestRelay *relay)
{
  return tto_test_client_connect_with_headers (relay, NULL);
}

/* @headers: name, value, name, value, …, NULL: added to the upgrade
 * request (e.g. X-Forwarded-For as a reverse proxy would send it). */
TtoTestClient *
tto_test_client_connect_with_headers (TtoTestRelay *relay,
                                      const char *const *headers)
{
  g_autoptr (SoupMessage) msg = NULL;
  TtoTestClient *c;
  ConnectData data = { FALSE, NULL, NULL };

  g_assert_nonnull (relay);

  c = g_new0 (TtoTestClient, 1);
  c->relay = relay;
  c->session = soup_session_new ();
  if (relay->tls_database != NULL)
    soup_session_set_tls_database (c->session, relay->tls_database);
  c->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) tto_frame_free);
  c->answered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&c->pushes);

  msg = soup_message_new (SOUP_METHOD_GET, relay->ws_url);
  for (guint i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL; i += 2)
    soup_message_headers_append (soup_message_get_request_headers (msg), headers[i],
                                 headers[i + 1]);
  g_signal_connect (msg, "network-event", G_CALLBACK (on_network_event), c);
  soup_session_websocket_connect_async (c->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_connected, &data);
  if (!iterate_until (&data.done, TTO_TEST_REQUEST_TIMEOUT_MS))
    FAIL ("WebSocket connection to %s not open within %d ms", relay->ws_url,
          TTO_TEST_REQUEST_TIMEOUT_MS);
  if (data.conn == NULL)
    FAIL ("WebSocket connection to %s failed: %s", relay->ws_url, data.error->message);
  g_signal_handlers_disconnect_by_func (msg, on_network_event, c);
  if (c->socket == NULL)
    FAIL ("harness bug: did not see the connection's socket");

  c->conn = data.conn;
  soup_websocket_connection_set_max_incoming_payload_size (c->conn, 4 * 1024 * 1024);
  g_signal_connect (c->conn, "message", G_CALLBACK (on_ws_message), c);
  g_signal_connect (c->conn, "closed", G_CALLBACK (on_ws_closed), c);
  g_signal_connect (c->conn, "error", G_CALLBACK (on_ws_error), c);

  return c;
}

char *
tto_test_client_next_id (TtoTestClient *c)
{
  return g_strdup_printf ("t%u", ++c->next_id);
}

void
tto_test_client_send_raw (TtoTestClient *c,
                          const char *text)
{
  g_assert_nonnull (c);

  if (c->closed)
    FAIL ("cannot send: the relay closed the connection (code %u)",
          soup_websocket_connection_get_close_code (c->conn));
  soup_websocket_connection_send_text (c->conn, text);
}

void
tto_test_client_send_binary (TtoTestClient *c,
                             const void *data,
                             gsize length)
{
  g_assert_nonnull (c);
  soup_websocket_connection_send_binary (c->conn, data, length);
}

TtoFrame *
tto_test_client_wait_answer (TtoTestClient *c,
                             const char *id,
                             guint timeout_ms)
{
  gboolean timed_out = FALSE;
  gpointer key, value;
  guint source;

  g_assert_nonnull (c);

  source = g_timeout_add (timeout_ms, on_timeout_flag, &timed_out);
  while (!g_hash_table_contains (c->answers, id) && !timed_out && !c->closed)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (source);

  if (!g_hash_table_steal_extended (c->answers, id, &key, &value))
    return NULL;
  g_free (key);

  return value;
}

TtoFrame *
tto_test_client_request (TtoTestClient *c,
                         const char *type,
                         JsonObject *body)
{
  g_autoptr (TtoFrame) request = NULL;
  g_autofree char *text = NULL;
  g_autofree char *id = NULL;
  TtoFrame *answer;

  g_assert_nonnull (c);

  id = tto_test_client_next_id (c);
  request = tto_frame_new (type, id, body);
  text = tto_frame_serialize (request, NULL);
  tto_test_client_send_raw (c, text);

  answer = tto_test_client_wait_answer (c, id, TTO_TEST_REQUEST_TIMEOUT_MS);
  if (answer == NULL && c->closed)
    FAIL ("the relay closed the connection (code %u) instead of answering %s",
          soup_websocket_connection_get_close_code (c->conn), text);
  if (answer == NULL)
    FAIL ("no answer within %d ms to %s", TTO_TEST_REQUEST_TIMEOUT_MS, text);

  return answer;
}

static char *
frame_to_string (const TtoFrame *frame)
{
  return tto_frame_serialize (frame, NULL);
}

TtoFrame *
tto_test_client_request_ok (TtoTestClient *c,
                            const char *type,
                            JsonObject *body)
{
  TtoFrame *answer = tto_test_client_request (c, type, body);

  if (!tto_frame_is (answer, TTO_FRAME_OK))
    {
      g_autofree char *shown = frame_to_string (answer);

      FAIL ("%s: expected ok, got %s", type, shown);
    }

  return answer;
}

TtoFrame *
tto_test_client_request_error (TtoTestClient *c,
                               const char *type,
                               JsonObject *body,
                               const char *expected_code)
{
  TtoFrame *answer = tto_test_client_request (c, type, body);

  if (!tto_frame_is (answer, TTO_FRAME_ERROR) ||
      g_strcmp0 (tto_frame_get_string (answer, "code"), expected_code) != 0)
    {
      g_autofree char *shown = frame_to_string (answer);

      FAIL ("%s: expected error %s, got %s", type, expected_code, shown);
    }

  return answer;
}

static TtoFrame *
take_push (TtoTestClient *c,
           const char *type)
{
  for (GList *l = c->pushes.head; l != NULL; l = l->next)
    {
      TtoFrame *frame = l->data;

      if (type == NULL || tto_frame_is (frame, type))
        {
          g_queue_delete_link (&c->pushes, l);
          return frame;
        }
    }

  return NULL;
}

TtoFrame *
tto_test_client_wait_push (TtoTestClient *c,
                           const char *type,
                           guint timeout_ms)
{
  gboolean timed_out = FALSE;
  TtoFrame *frame;
  guint source;

  g_assert_nonnull (c);

  frame = take_push (c, type);
  if (frame != NULL)
    return frame;

  source = g_timeout_add (timeout_ms, on_timeout_flag, &timed_out);
  while (frame == NULL && !timed_out)
    {
      g_main_context_iteration (NULL, TRUE);
      frame = take_push (c, type);
    }
  if (!timed_out)
    g_source_remove (source);

  return frame;
}

guint
tto_test_client_count_pushes (TtoTestClient *c,
                              const char *type)
{
  guint n = 0;

  g_assert_nonnull (c);

  for (GList *l = c->pushes.head; l != NULL; l = l->next)
    if (type == NULL || tto_frame_is (l->data, type))
      n++;

  return n;
}

void
tto_test_client_discard_pushes (TtoTestClient *c)
{
  g_assert_nonnull (c);
  g_queue_clear_full (&c->pushes, (GDestroyNotify) tto_frame_free);
}

gboolean
tto_test_client_wait_closed (TtoTestClient *c,
                             guint timeout_ms)
{
  g_assert_nonnull (c);
  return iterate_until (&c->closed, timeout_ms);
}

gboolean
tto_test_client_is_open (TtoTestClient *c)
{
  g_assert_nonnull (c);
  return !c->closed &&
         soup_websocket_connection_get_state (c->conn) == SOUP_WEBSOCKET_STATE_OPEN;
}

gushort
tto_test_client_get_close_code (TtoTestClient *c)
{
  g_assert_nonnull (c);
  return soup_websocket_connection_get_close_code (c->conn);
}

static void
client_free (TtoTestClient *c)
{
  g_signal_handlers_disconnect_by_data (c->conn, c);
  g_clear_object (&c->conn);
  g_clear_object (&c->socket);
  g_clear_object (&c->session);
  g_hash_table_unref (c->answers);
  g_hash_table_unref (c->answered);
  g_queue_clear_full (&c->pushes, (GDestroyNotify) tto_frame_free);
  g_free (c->identity_id);
  tto_str_wipe_free (c->token);
  g_free (c);
}

/* A clean close: close frame, wait for the relay's close frame. */
void
tto_test_client_close (TtoTestClient *c)
{
  if (c == NULL)
    return;

  if (!c->closed)
    {
      soup_websocket_connection_close (c->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      if (!tto_test_client_wait_closed (c, TTO_TEST_REQUEST_TIMEOUT_MS))
        FAIL ("the relay did not finish the close handshake within %d ms",
              TTO_TEST_REQUEST_TIMEOUT_MS);
    }

  if (g_hash_table_size (c->answers) > 0)
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, c->answers);
      g_hash_table_iter_next (&iter, &key, NULL);
      g_test_message ("closing a client with %u unclaimed answers (e.g. to %s)",
                      g_hash_table_size (c->answers), (const char *) key);
    }

  client_free (c);
}

/* An abrupt end, as when a phone leaves the network: the TCP connection goes
 * without a WebSocket close handshake. */
void
tto_test_client_drop (TtoTestClient *c)
{
  g_autoptr (GError) error = NULL;

  if (c == NULL)
    return;

  g_signal_handlers_disconnect_by_data (c->conn, c);
  if (!g_socket_shutdown (c->socket, TRUE, TRUE, &error))
    g_test_message ("shutdown: %s", error->message);
  g_clear_error (&error);
  if (!g_socket_close (c->socket, &error))
    g_test_message ("close: %s", error->message);

  client_free (c);
  /* Let libsoup notice its dead connection now rather than in a later wait. */
  tto_test_iterate_ms (10);
}

/* --------------------------------------------------------- conveniences */

const char *
tto_test_client_create_identity (TtoTestClient *c,
                                 const char *display_name)
{
  g_autoptr (TtoFrame) answer = NULL;
  JsonObject *body = json_object_new ();

  json_object_set_string_member (body, "kind", "one_time");
  json_object_set_string_member (body, "display_name", display_name);
  answer = tto_test_client_request_ok (c, TTO_FRAME_IDENTITY_CREATE, body);

  if (!tto_id_is_valid (tto_frame_get_string (answer, "identity_id")))
    FAIL ("identity.create: identity_id '%s' is not a valid id",
          tto_frame_get_string (answer, "identity_id"));
  if (tto_frame_get_string (answer, "token") == NULL)
    FAIL ("identity.create: no token in the answer");

  tto_set_str (&c->identity_id, tto_frame_get_string (answer, "identity_id"));
  tto_str_wipe_free (c->token);
  c->token = g_strdup (tto_frame_get_string (answer, "token"));

  return c->identity_id;
}

void
tto_test_client_auth (TtoTestClient *c,
                      const char *token)
{
  g_autoptr (TtoFrame) answer = NULL;
  JsonObject *body = json_object_new ();

  json_object_set_string_member (body, "token", token);
  answer = tto_test_client_request_ok (c, TTO_FRAME_AUTH, body);

  if (!tto_id_is_valid (tto_frame_get_string (answer, "identity_id")))
    FAIL ("auth: identity_id '%s' is not a valid id",
          tto_frame_get_string (answer, "identity_id"));
  tto_set_str (&c->identity_id, tto_frame_get_string (answer, "identity_id"));
  if (c->token != token)
    {
      tto_str_wipe_free (c->token);
      c->token = g_strdup (token);
    }
}

const char *
tto_test_client_get_identity_id (TtoTestClient *c)
{
  g_assert_nonnull (c);
  return c->identity_id;
}

const char *
tto_test_client_get_token (TtoTestClient *c)
{
  g_assert_nonnull (c);
  return c->token;
}

static JsonObject *
answer_event (TtoFrame *answer,
              const char *type)
{
  JsonNode *node = json_object_get_member (answer->body, "event");

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    FAIL ("%s: the ok has no event object", type);

  return json_object_ref (json_node_get_object (node));
}

/* deadline: seconds since the epoch, or 0 for none. Returns the Event object. */
JsonObject *
tto_test_client_create_event (TtoTestClient *c,
                              const char *title,
                              gint64 deadline)
{
  g_autoptr (TtoFrame) answer = NULL;
  JsonObject *body = json_object_new ();

  json_object_set_string_member (body, "title", title);
  if (deadline > 0)
    json_object_set_int_member (body, "deadline", deadline);
  answer = tto_test_client_request_ok (c, TTO_FRAME_EVENT_CREATE, body);

  return answer_event (answer, TTO_FRAME_EVENT_CREATE);
}

JsonObject *
tto_test_client_join (TtoTestClient *c,
                      const char *invite_code)
{
  g_autoptr (TtoFrame) answer = NULL;
  JsonObject *body = json_object_new ();

  json_object_set_string_member (body, "invite_code", invite_code);
  answer = tto_test_client_request_ok (c, TTO_FRAME_EVENT_JOIN, body);

  return answer_event (answer, TTO_FRAME_EVENT_JOIN);
}

TtoFrame *
tto_test_client_send_message (TtoTestClient *c,
                              const char *event_id,
                              const char *client_msg_id,
                              const char *text)
{
  JsonObject *body = json_object_new ();

  json_object_set_string_member (body, "event_id", event_id);
  json_object_set_string_member (body, "client_msg_id", client_msg_id);
  json_object_set_string_member (body, "text", text);

  return tto_test_client_request_ok (c, TTO_FRAME_MSG_SEND, body);
}

/* ------------------------------------------------------- identity peers */

struct _TtoTestSmtpSink
{
  GSubprocess *process;
  char *dir;
  char *url;
};

TtoTestSmtpSink *
tto_test_smtp_sink_start (void)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  TtoTestSmtpSink *sink = g_new0 (TtoTestSmtpSink, 1);

  sink->dir = g_dir_make_tmp ("tto-test-mail-XXXXXX", &error);
  if (sink->dir == NULL)
    FAIL ("no folder for the SMTP sink: %s", error->message);
  /* The sink stops when its stdin closes, at the latest when the test ends. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  sink->process = g_subprocess_launcher_spawn (launcher, &error, "/usr/bin/python3",
                                               TTO_TEST_SMTP_SINK_SCRIPT, sink->dir, NULL);
  if (sink->process == NULL)
    FAIL ("could not start %s: %s", TTO_TEST_SMTP_SINK_SCRIPT, error->message);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sink->process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  if (line == NULL || !g_str_has_prefix (line, "ready "))
    FAIL ("the SMTP sink did not start: %s", error != NULL ? error->message : "no ready line");
  sink->url = g_strdup_printf ("smtp://127.0.0.1:%s", line + strlen ("ready "));
  return sink;
}

const char *
tto_test_smtp_sink_get_url (TtoTestSmtpSink *sink)
{
  return sink->url;
}

const char *
tto_test_smtp_sink_get_dir (TtoTestSmtpSink *sink)
{
  return sink->dir;
}

static char *
smtp_sink_mail_path (TtoTestSmtpSink *sink,
                     guint n)
{
  g_autofree char *name = g_strdup_printf ("%u.eml", n);

  return g_build_filename (sink->dir, name, NULL);
}

/* How many mails came: the sink numbers them 1.eml, 2.eml, … */
guint
tto_test_smtp_sink_count (TtoTestSmtpSink *sink)
{
  guint n = 0;

  for (;; n++)
    {
      g_autofree char *path = smtp_sink_mail_path (sink, n + 1);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        return n;
    }
}

char *
tto_test_smtp_sink_get_code (TtoTestSmtpSink *sink,
                             const char *to)
{
  g_autoptr (GRegex) regex = g_regex_new (" is ([0-9]{6})\\.", 0, 0, NULL);
  g_autofree char *rcpt = g_strdup_printf ("X-Rcpt-To: %s\r\n", to);
  char *code = NULL;

  for (guint n = 1;; n++)
    {
      g_autofree char *path = smtp_sink_mail_path (sink, n);
      g_autofree char *contents = NULL;
      g_autoptr (GMatchInfo) match = NULL;

      if (!g_file_get_contents (path, &contents, NULL, NULL))
        break;
      if (strstr (contents, rcpt) == NULL)
        continue;
      if (strstr (contents, "Subject: Your ThreeTwoOne code") == NULL)
        FAIL ("mail %u to %s is not a code mail", n, to);
      if (g_regex_match (regex, contents, 0, &match))
        {
          g_free (code);
          code = g_match_info_fetch (match, 1);
        }
    }
  return code;
}

void
tto_test_smtp_sink_stop (TtoTestSmtpSink *sink)
{
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (sink == NULL)
    return;
  g_output_stream_close (g_subprocess_get_stdin_pipe (sink->process), NULL, NULL);
  g_subprocess_wait (sink->process, NULL, NULL);
  g_clear_object (&sink->process);
  dir = g_dir_open (sink->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (sink->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (sink->dir);
  g_free (sink->dir);
  g_free (sink->url);
  g_free (sink);
}

struct _TtoTestSmsEndpoint
{
  SoupServer *server;
  char *url;
  GPtrArray *posts; /* JsonObject {"to", "text"} */
  guint status;     /* what the gateway answers */
};

static void
on_sms_post (SoupServer *server,
             SoupServerMessage *msg,
             const char *path,
             GHashTable *query,
             gpointer user_data)
{
  TtoTestSmsEndpoint *sms = user_data;
  g_autoptr (GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr (JsonParser) parser = json_parser_new ();
  const char *type = soup_message_headers_get_content_type (
    soup_server_message_get_request_headers (msg), NULL);
  JsonNode *root;

  if (g_strcmp0 (soup_server_message_get_method (msg), SOUP_METHOD_POST) != 0)
    FAIL ("the SMS gateway got a %s", soup_server_message_get_method (msg));
  if (g_strcmp0 (type, "application/json") != 0)
    FAIL ("the SMS gateway got a POST of %s", type != NULL ? type : "no type");
  if (!json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                   (gssize) g_bytes_get_size (bytes), NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    FAIL ("the SMS gateway got a POST that is no JSON object");
  if (json_object_get_string_member_with_default (json_node_get_object (root), "to", NULL) == NULL ||
      json_object_get_string_member_with_default (json_node_get_object (root), "text", NULL) == NULL)
    FAIL ("the SMS gateway got a POST without \"to\" and \"text\"");
  g_ptr_array_add (sms->posts, json_object_ref (json_node_get_object (root)));
  soup_server_message_set_status (msg, sms->status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
}

TtoTestSmsEndpoint *
tto_test_sms_endpoint_start (void)
{
  g_autoptr (GError) error = NULL;
  TtoTestSmsEndpoint *sms = g_new0 (TtoTestSmsEndpoint, 1);
  GSList *uris;

  sms->posts = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  sms->status = SOUP_STATUS_OK;
  sms->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (sms->server, "/send", on_sms_post, sms, NULL);
  if (!soup_server_listen_local (sms->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    FAIL ("the SMS gateway cannot listen: %s", error->message);
  uris = soup_server_get_uris (sms->server);
  sms->url = g_strdup_printf ("http://127.0.0.1:%d/send", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return sms;
}

const char *
tto_test_sms_endpoint_get_url (TtoTestSmsEndpoint *sms)
{
  return sms->url;
}

guint
tto_test_sms_endpoint_count (TtoTestSmsEndpoint *sms)
{
  return sms->posts->len;
}

/* The HTTP status the next POSTs get (e.g. 500: the gateway fails). */
void
tto_test_sms_endpoint_set_status (TtoTestSmsEndpoint *sms,
                                  guint status)
{
  sms->status = status;
}

char *
tto_test_sms_endpoint_get_code (TtoTestSmsEndpoint *sms,
                                const char *to)
{
  g_autoptr (GRegex) regex = g_regex_new ("\\b([0-9]{6})\\b", 0, 0, NULL);

  for (guint i = sms->posts->len; i > 0; i--)
    {
      JsonObject *post = sms->posts->pdata[i - 1];
      g_autoptr (GMatchInfo) match = NULL;

      if (g_strcmp0 (json_object_get_string_member (post, "to"), to) != 0)
        continue;
      if (g_regex_match (regex, json_object_get_string_member (post, "text"), 0, &match))
        return g_match_info_fetch (match, 1);
    }
  FAIL ("no text message with a code went to %s", to);
}

void
tto_test_sms_endpoint_stop (TtoTestSmsEndpoint *sms)
{
  if (sms == NULL)
    return;
  soup_server_disconnect (sms->server);
  g_clear_object (&sms->server);
  g_clear_pointer (&sms->posts, g_ptr_array_unref);
  g_free (sms->url);
  g_free (sms);
}
