/* tto-test-oidc.c: third-party sign-in against real peers
 *
 * A real OpenID Connect provider (npm oidc-provider, tests/oidc/provider.mjs)
 * and a real relay with MariaDB; the client's TtoOidcFlow runs the
 * native-app flow (loopback redirect, PKCE), and an HTTP client plays the
 * browser: it follows the authorization URL, fills in the provider's login
 * and consent forms and lands on the flow's loopback callback.
 *
 * The plain OAuth 2 type (WeChat, QQ, Weibo: no ID token, a user-info
 * endpoint) has no provider on npm to run, so this test serves one itself
 * on loopback with SoupServer, in two shapes. WeChat's: the token request
 * is a GET with appid and secret in the query, the answer carries the
 * openid, errors are HTTP 200 with an errcode, user info wants the access
 * token and the openid in the query. And RFC 6749's: a POST form with
 * client_id and client_secret, the uid in the token answer (Weibo), a bad
 * code answered HTTP 200 with an error (as GitHub does).
 *
 * Skipped (each case, with the reason) without MariaDB, without node or
 * without tests/oidc/node_modules (build-aux/dev runs npm ci there).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "tto-oidc-flow.h"
#include "tto-relay-oidc.h"
#include "tto-test-harness.h"

#define WAIT_MS 30000
#define WX_OPENID "wx-openid-42"
#define PO_UID "1404376560"

static char *skip_reason;
static GSubprocess *provider_process;
static char *issuer;
static char *tmp_dir;
static char *config_path;
static TtoTestRelay *shared_relay;

/* The WeChat-like provider */
static SoupServer *wx_server;
static guint wx_port;
static GHashTable *wx_codes;      /* code → redirect_uri, until exchanged */
static GHashTable *wx_used_codes; /* codes exchanged once */
static GHashTable *wx_tokens;     /* access token set */
static guint wx_userinfo_calls;
static guint wx_token_gets;  /* WeChat-style token requests */
static guint po_token_posts; /* POST-style token requests */

static gboolean
on_flag_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
iterate_until (const gboolean *done,
               guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add (timeout_ms, on_flag_timeout, &timed_out);

  while (!*done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (source);
  return *done;
}

static gboolean
skip_if_unavailable (void)
{
  if (skip_reason == NULL)
    return FALSE;

  g_test_skip (skip_reason);
  return TRUE;
}

/* A WebSocket to the relay, answering requests asynchronously, as the
 * client's connection does. */

typedef struct
{
  SoupSession *session;
  SoupWebsocketConnection *ws;
  GHashTable *pending; /* request id → GTask */
  guint next_id;
  JsonObject *last_finish; /* copy of the last identity.oidc.finish body sent */
} Ws;

static void
on_ws_message (SoupWebsocketConnection *connection,
               gint type,
               GBytes *message,
               gpointer user_data)
{
  Ws *ws = user_data;
  g_autoptr (TtoFrame) frame = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GTask) task = NULL;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  frame = tto_frame_parse (data, length, TTO_FRAME_FROM_RELAY, NULL, &error);
  g_assert_no_error (error);
  if (frame->re == NULL || !g_hash_table_steal_extended (ws->pending, frame->re, NULL,
                                                         (gpointer *) &task))
    return; /* a push */

  if (tto_frame_propagate_error (frame, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, json_object_ref (frame->body),
                           (GDestroyNotify) json_object_unref);
}

static void
on_ws_open (GObject *source,
            GAsyncResult *result,
            gpointer user_data)
{
  Ws *ws = user_data;
  g_autoptr (GError) error = NULL;

  ws->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

static Ws *
ws_connect (TtoTestRelay *relay)
{
  Ws *ws = g_new0 (Ws, 1);
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_GET,
                                                  tto_test_relay_get_ws_url (relay));

  ws->session = soup_session_new ();
  ws->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  soup_session_websocket_connect_async (ws->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_ws_open, ws);
  while (ws->ws == NULL)
    g_main_context_iteration (NULL, TRUE);
  soup_websocket_connection_set_max_incoming_payload_size (ws->ws, 0);
  g_signal_connect (ws->ws, "message", G_CALLBACK (on_ws_message), ws);
  return ws;
}

static void
ws_free (Ws *ws)
{
  if (soup_websocket_connection_get_state (ws->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (ws->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_signal_handlers_disconnect_by_data (ws->ws, ws);
  g_object_unref (ws->ws);
  g_object_unref (ws->session);
  g_hash_table_unref (ws->pending);
  g_clear_pointer (&ws->last_finish, json_object_unref);
  g_free (ws);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Ws, ws_free)

static void
ws_send (Ws *ws,
         const char *type,
         JsonObject *body,
         GTask *task)
{
  g_autofree char *id = g_strdup_printf ("r%u", ++ws->next_id);
  g_autoptr (TtoFrame) frame = tto_frame_new (type, id, body);
  g_autofree char *text = tto_frame_serialize (frame, NULL);

  g_hash_table_insert (ws->pending, g_strdup (id), g_object_ref (task));
  soup_websocket_connection_send_text (ws->ws, text);
}

/* TtoOidcFlowRequestFunc */
static void
ws_request_func (TtoOidcFlow *flow,
                 const char *type,
                 JsonObject *body,
                 GTask *task,
                 gpointer user_data)
{
  Ws *ws = user_data;

  if (g_str_equal (type, TTO_FRAME_IDENTITY_OIDC_FINISH))
    {
      g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), body);
      g_autoptr (JsonNode) copy = json_node_copy (node);

      g_clear_pointer (&ws->last_finish, json_object_unref);
      ws->last_finish = json_object_ref (json_node_get_object (copy));
    }
  ws_send (ws, type, body, task);
}

static void
on_sync_answer (GObject *source,
                GAsyncResult *result,
                gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Sends @body (transfer full) and waits: the answer's body, or NULL and
 * @error. */
static JsonObject *
ws_request (Ws *ws,
            const char *type,
            JsonObject *body,
            GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GTask) task = g_task_new (NULL, NULL, on_sync_answer, &result);

  ws_send (ws, type, body, task);
  g_clear_object (&task);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
ws_request_error (Ws *ws,
                  const char *type,
                  JsonObject *body,
                  TtoProtocolError expected,
                  const char *message_part)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) answer = ws_request (ws, type, body, &error);

  g_assert_null (answer);
  g_assert_error (error, TTO_PROTOCOL_ERROR, (gint) expected);
  if (message_part != NULL && strstr (error->message, message_part) == NULL)
    g_error ("error message '%s' does not name '%s'", error->message, message_part);
}

/* The browser: follows redirects by hand, fills in oidc-provider's login
 * and consent forms, stops at (or loads) the loopback callback. */

typedef void (*BrowserHook) (gpointer data);

typedef struct
{
  SoupSession *session;
  char *login;
  char *callback_prefix; /* the redirect_uri of the authorization URL */
  gboolean stop_at_callback;
  gboolean abort_login; /* "abort" on the login page instead of signing in */
  BrowserHook before_callback;
  gpointer hook_data;
  guint steps;
  /* results */
  gboolean done;
  char *callback_url;
  guint status;
  char *body;
} Browser;

static void browser_go (Browser *b,
                        const char *url,
                        const char *form);

static Browser *
browser_new (const char *login)
{
  Browser *b = g_new0 (Browser, 1);

  b->session = soup_session_new ();
  soup_session_add_feature_by_type (b->session, SOUP_TYPE_COOKIE_JAR);
  b->login = g_strdup (login);
  return b;
}

static void
browser_free (Browser *b)
{
  g_object_unref (b->session);
  g_free (b->login);
  g_free (b->callback_prefix);
  g_free (b->callback_url);
  g_free (b->body);
  g_free (b);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Browser, browser_free)

static char *
html_match (const char *html,
            const char *pattern)
{
  g_autoptr (GRegex) regex = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;

  if (!g_regex_match (regex, html, 0, &match))
    return NULL;
  return g_match_info_fetch (match, 1);
}

static void
browser_finish (Browser *b,
                guint status,
                const char *body)
{
  b->status = status;
  b->body = g_strdup (body);
  b->done = TRUE;
}

static void
on_browser_page (GObject *source,
                 GAsyncResult *result,
                 gpointer user_data)
{
  Browser *b = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                                &error);
  g_autofree char *url = g_uri_to_string (soup_message_get_uri (msg));
  g_autofree char *html = NULL;
  guint status;

  g_assert_no_error (error);
  status = soup_message_get_status (msg);
  html = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  if (++b->steps > 20)
    g_error ("the browser went round in circles at %s", url);

  if (SOUP_STATUS_IS_REDIRECTION (status))
    {
      const char *location = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                           "Location");
      g_autofree char *next = g_uri_resolve_relative (url, location, G_URI_FLAGS_NONE, NULL);

      g_assert_nonnull (next);
      if (b->callback_prefix != NULL && g_str_has_prefix (next, b->callback_prefix))
        {
          b->callback_url = g_strdup (next);
          if (b->stop_at_callback)
            {
              browser_finish (b, status, NULL);
              return;
            }
          if (b->before_callback != NULL)
            b->before_callback (b->hook_data);
        }
      browser_go (b, next, NULL);
      return;
    }

  if (status == SOUP_STATUS_OK &&
      !(b->callback_prefix != NULL && g_str_has_prefix (url, b->callback_prefix)))
    {
      g_autofree char *action = html_match (html, "<form[^>]* action=\"([^\"]+)\"");
      g_autofree char *prompt = html_match (html, "name=\"prompt\" value=\"([a-z]+)\"");

      if (action != NULL && g_strcmp0 (prompt, "login") == 0 && b->abort_login)
        {
          g_autofree char *abort = g_strconcat (action, "/abort", NULL);
          g_autofree char *next = g_uri_resolve_relative (url, abort, G_URI_FLAGS_NONE, NULL);

          browser_go (b, next, NULL);
          return;
        }
      if (action != NULL && prompt != NULL)
        {
          g_autofree char *next = g_uri_resolve_relative (url, action, G_URI_FLAGS_NONE, NULL);
          g_autofree char *login = g_uri_escape_string (b->login, NULL, FALSE);
          g_autofree char *form = g_strdup_printf ("prompt=%s&login=%s&password=any-password",
                                                   prompt, login);

          browser_go (b, next, form);
          return;
        }
    }

  browser_finish (b, status, html);
}

static void
browser_go (Browser *b,
            const char *url,
            const char *form)
{
  SoupMessage *msg = soup_message_new (form != NULL ? SOUP_METHOD_POST : SOUP_METHOD_GET, url);

  g_assert_nonnull (msg);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  if (form != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (form, strlen (form));

      soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", bytes);
    }
  soup_session_send_and_read_async (b->session, msg, G_PRIORITY_DEFAULT, NULL, on_browser_page,
                                    b);
  g_object_unref (msg);
}

/* Opens @authorization_url; the callback is the URL's redirect_uri. */
static void
browser_open (Browser *b,
              const char *authorization_url)
{
  g_autoptr (GUri) uri = g_uri_parse (authorization_url, G_URI_FLAGS_NONE, NULL);
  g_autoptr (GHashTable) query = NULL;

  g_assert_nonnull (uri);
  query = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  g_assert_nonnull (g_hash_table_lookup (query, "redirect_uri"));
  g_free (b->callback_prefix);
  b->callback_prefix = g_strdup (g_hash_table_lookup (query, "redirect_uri"));
  browser_go (b, authorization_url, NULL);
}

static char *
query_param (const char *url,
             const char *name)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autoptr (GHashTable) query = NULL;

  g_assert_nonnull (uri);
  if (g_uri_get_query (uri) == NULL)
    return NULL;
  query = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  return g_strdup (g_hash_table_lookup (query, name));
}

/* A whole sign-in through TtoOidcFlow */

typedef struct
{
  Browser *browser;
  gboolean done;
  JsonObject *body;
  GError *error;
  /* Before the browser: another page calls the loopback port with a wrong
   * state (probe), or the person gives up (cancel). */
  gboolean probe;
  guint probe_status;
  GCancellable *cancel;
  char *authorization_url;
  char *redirect_uri;
} FlowRun;

static void
on_probe_done (GObject *source,
               GAsyncResult *result,
               gpointer user_data)
{
  FlowRun *run = user_data;
  g_autoptr (GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                                NULL);

  run->probe_status = soup_message_get_status (
    soup_session_get_async_result_message (SOUP_SESSION (source), result));
  browser_open (run->browser, run->authorization_url);
}

static gboolean
on_open_uri (TtoOidcFlow *flow,
             const char *uri,
             gpointer user_data)
{
  FlowRun *run = user_data;

  run->redirect_uri = g_strdup (tto_oidc_flow_get_redirect_uri (flow));
  run->authorization_url = g_strdup (uri);
  if (run->cancel != NULL)
    g_cancellable_cancel (run->cancel);
  else if (run->probe)
    {
      g_autofree char *url = g_strconcat (run->redirect_uri, "?code=stolen&state=guessed", NULL);
      g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);

      soup_session_send_and_read_async (run->browser->session, msg, G_PRIORITY_DEFAULT, NULL,
                                        on_probe_done, run);
    }
  else
    browser_open (run->browser, uri);
  return TRUE;
}

static void
on_flow_done (GObject *source,
              GAsyncResult *result,
              gpointer user_data)
{
  FlowRun *run = user_data;

  run->body = tto_oidc_flow_run_finish (TTO_OIDC_FLOW (source), result, &run->error);
  run->done = TRUE;
}

static void
flow_run_clear (FlowRun *run)
{
  g_clear_pointer (&run->body, json_object_unref);
  g_clear_error (&run->error);
  g_free (run->authorization_url);
  g_free (run->redirect_uri);
}

/* Runs the flow for @provider as @run says. */
static void
run_flow (Ws *ws,
          const char *provider,
          const char *lifetime,
          guint ttl,
          FlowRun *run)
{
  g_autoptr (TtoOidcFlow) flow = tto_oidc_flow_new (provider, ws_request_func, ws, NULL);

  if (lifetime != NULL)
    tto_oidc_flow_set_lifetime (flow, lifetime, ttl);
  g_signal_connect (flow, "open-uri", G_CALLBACK (on_open_uri), run);
  tto_oidc_flow_run_async (flow, run->cancel, on_flow_done, run);
  if (!iterate_until (&run->done, WAIT_MS))
    g_error ("the sign-in did not end within %d s", WAIT_MS / 1000);
  /* The browser has its page before the relay answers finish; on errors it
   * may still be on its way. */
  if (run->cancel == NULL)
    iterate_until (&run->browser->done, WAIT_MS);

  g_assert_null (tto_oidc_flow_get_redirect_uri (flow));
}

/* Runs the flow for @provider with @browser; the identity body or NULL. */
static JsonObject *
sign_in_with (Ws *ws,
              const char *provider,
              const char *lifetime,
              guint ttl,
              Browser *browser,
              GError **error)
{
  FlowRun run = { browser, FALSE, NULL, NULL };
  JsonObject *body;

  run_flow (ws, provider, lifetime, ttl, &run);
  if (run.error != NULL)
    g_propagate_error (error, g_steal_pointer (&run.error));
  body = g_steal_pointer (&run.body);
  flow_run_clear (&run);
  return body;
}

static JsonObject *
sign_in (Ws *ws,
         const char *provider,
         const char *lifetime,
         const char *login)
{
  g_autoptr (Browser) browser = browser_new (login);
  g_autoptr (GError) error = NULL;
  JsonObject *body = sign_in_with (ws, provider, lifetime, 0, browser, &error);

  g_assert_no_error (error);
  g_assert_nonnull (body);
  g_assert_cmpuint (browser->status, ==, SOUP_STATUS_OK);
  g_assert_nonnull (strstr (browser->body, "You can return to ThreeTwoOne"));
  return body;
}

static void
assert_third_party (JsonObject *body)
{
  JsonObject *verified = json_object_get_object_member (body, "verified");

  g_assert_nonnull (verified);
  g_assert_true (json_object_get_boolean_member (verified, "third_party"));
  g_assert_cmpstr (json_object_get_string_member (body, "token"), !=, "");
  g_assert_cmpuint (strlen (json_object_get_string_member (body, "identity_id")), >, 0);
}

/* The connection is authenticated: a frame that needs an identity works. */
static void
assert_signed_in (Ws *ws)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) answer = ws_request (ws, TTO_FRAME_EVENT_LIST, json_object_new (),
                                              &error);

  g_assert_no_error (error);
  g_assert_nonnull (answer);
}

static void
assert_not_signed_in (Ws *ws)
{
  ws_request_error (ws, TTO_FRAME_EVENT_LIST, json_object_new (), TTO_PROTOCOL_ERROR_UNAUTHORIZED,
                    NULL);
}

/* Tests */

/* identity.oidc.finish's body. */
static JsonObject *
finish_body (const char *state,
             const char *code,
             const char *verifier)
{
  return tto_test_json_object ("{\"state\": \"%s\", \"code\": \"%s\", "
                               "\"code_verifier\": \"%s\"}",
                               state, code, verifier);
}

/* How many identities are linked to @provider's accounts. */
static gint64
count_links (const char *provider)
{
  return tto_test_relay_query_intf (shared_relay,
                                    "SELECT COUNT(*) FROM identity_links WHERE method = 'oidc:%s'",
                                    provider);
}

static void
test_methods_list_providers (void)
{
  g_autoptr (Ws) ws = NULL;
  g_autoptr (JsonObject) answer = NULL;
  g_autoptr (GError) error = NULL;
  JsonArray *providers;
  JsonObject *first;

  if (skip_if_unavailable ())
    return;

  ws = ws_connect (shared_relay);
  answer = ws_request (ws, TTO_FRAME_IDENTITY_METHODS, json_object_new (), &error);
  g_assert_no_error (error);
  providers = json_object_get_array_member (answer, "providers");
  g_assert_cmpuint (json_array_get_length (providers), ==, 6);
  first = json_array_get_object_element (providers, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "id"), ==, "testop");
  g_assert_cmpstr (json_object_get_string_member (first, "name"), ==, "Test OP");
  g_assert_cmpstr (json_object_get_string_member (first, "icon"), ==, "test-op-symbolic");
  g_assert_cmpstr (json_object_get_string_member (first, "type"), ==, "oidc");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (providers, 3),
                                                  "type"),
                   ==, "oauth2");
  /* The secret stays on the relay. */
  g_assert_false (json_object_has_member (first, "client_secret"));
}

static void
test_sign_in_permanent (void)
{
  g_autoptr (Ws) ws = NULL;
  g_autoptr (Ws) again = NULL;
  g_autoptr (Ws) other = NULL;
  g_autoptr (JsonObject) first = NULL;
  g_autoptr (JsonObject) second = NULL;
  g_autoptr (JsonObject) bob = NULL;
  const char *id;

  if (skip_if_unavailable ())
    return;

  ws = ws_connect (shared_relay);
  first = sign_in (ws, "testop", "permanent", "alice");
  assert_third_party (first);
  id = json_object_get_string_member (first, "identity_id");
  g_assert_cmpstr (json_object_get_string_member (first, "kind"), ==, "permanent");
  g_assert_true (json_object_get_null_member (first, "expires_at"));
  /* Not in the ID token: the relay asked the user-info endpoint. */
  g_assert_cmpstr (json_object_get_string_member (first, "display_name"), ==, "Alice Example");
  assert_signed_in (ws);

  /* Only a keyed hash of the subject is stored. */
  g_assert_cmpint (tto_test_relay_query_intf (shared_relay,
                                              "SELECT COUNT(*) FROM identity_links WHERE "
                                              "method = 'oidc:testop' AND identity_id = '%s'",
                                              id),
                   ==, 1);
  g_assert_cmpint (tto_test_relay_query_int (shared_relay,
                                             "SELECT COUNT(*) FROM identity_links WHERE "
                                             "LOCATE('alice', key_hash) > 0"),
                   ==, 0);
  g_assert_cmpint (tto_test_relay_query_intf (shared_relay,
                                              "SELECT third_party_verified FROM identities "
                                              "WHERE id = '%s'",
                                              id),
                   ==, 1);

  /* Signing in again with the same provider account: the same identity. */
  again = ws_connect (shared_relay);
  second = sign_in (again, "testop", "permanent", "alice");
  assert_third_party (second);
  g_assert_cmpstr (json_object_get_string_member (second, "identity_id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (second, "token"), !=,
                   json_object_get_string_member (first, "token"));

  /* Another account of the provider is another identity. */
  other = ws_connect (shared_relay);
  bob = sign_in (other, "testop", "permanent", "bob");
  g_assert_cmpstr (json_object_get_string_member (bob, "identity_id"), !=, id);
  g_assert_cmpstr (json_object_get_string_member (bob, "display_name"), ==, "Bob Example");

  /* On a signed-in connection: verifying again is fine, another person's
   * account or a one-time identity is not. */
  {
    g_autoptr (JsonObject) renewed = sign_in (ws, "testop", "permanent", "alice");
    g_autoptr (Browser) browser = browser_new ("bob");
    g_autoptr (Browser) one_time = browser_new ("alice");
    g_autoptr (GError) error = NULL;
    g_autoptr (JsonObject) none = NULL;

    g_assert_cmpstr (json_object_get_string_member (renewed, "identity_id"), ==, id);
    none = sign_in_with (ws, "testop", "permanent", 0, browser, &error);
    g_assert_null (none);
    g_assert_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_CONFLICT);
    g_clear_error (&error);
    none = sign_in_with (ws, "testop", "one_time", 0, one_time, &error);
    g_assert_null (none);
    g_assert_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_CONFLICT);
  }
}

static void
test_sign_in_es256_timed (void)
{
  g_autoptr (Ws) ws = NULL;
  g_autoptr (JsonObject) body = NULL;
  g_autoptr (Browser) browser = NULL;
  g_autoptr (GError) error = NULL;

  if (skip_if_unavailable ())
    return;

  /* The same person through a client whose ID tokens are ES256, timed. */
  ws = ws_connect (shared_relay);
  browser = browser_new ("alice");
  body = sign_in_with (ws, "testes", "timed", 3600, browser, &error);
  g_assert_no_error (error);
  assert_third_party (body);
  g_assert_cmpstr (json_object_get_string_member (body, "kind"), ==, "timed");
  g_assert_false (json_object_get_null_member (body, "expires_at"));
  assert_signed_in (ws);
}

static void
test_replayed_state (void)
{
  g_autoptr (Ws) ws = NULL;
  g_autoptr (Ws) replay = NULL;
  g_autoptr (JsonObject) body = NULL;
  JsonObject *copy;

  if (skip_if_unavailable ())
    return;

  ws = ws_connect (shared_relay);
  body = sign_in (ws, "testop", NULL, "alice");
  g_assert_cmpstr (json_object_get_string_member (body, "kind"), ==, "one_time");
  g_assert_nonnull (ws->last_finish);

  /* The very same finish again, from another connection: the state was
   * used up. */
  replay = ws_connect (shared_relay);
  copy = json_object_new ();
  json_object_set_string_member (copy, "state",
                                 json_object_get_string_member (ws->last_finish, "state"));
  json_object_set_string_member (copy, "code",
                                 json_object_get_string_member (ws->last_finish, "code"));
  json_object_set_string_member (copy, "code_verifier",
                                 json_object_get_string_member (ws->last_finish,
                                                                "code_verifier"));
  ws_request_error (replay, TTO_FRAME_IDENTITY_OIDC_FINISH, copy, TTO_PROTOCOL_ERROR_EXPIRED,
                    "already used");

  /* A state never handed out. */
  ws_request_error (replay, TTO_FRAME_IDENTITY_OIDC_FINISH,
                    finish_body ("made-up-state", "x",
                                 "0123456789012345678901234567890123456789abc"),
                    TTO_PROTOCOL_ERROR_EXPIRED, NULL);
}

/* Begins by hand with @challenge; the browser stops at the callback. */
static char *
begin_and_get_code (Ws *ws,
                    const char *provider,
                    const char *challenge,
                    char **out_state)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) answer = NULL;
  g_autoptr (Browser) browser = browser_new ("alice");
  g_autofree char *state = NULL;

  answer = ws_request (ws, TTO_FRAME_IDENTITY_OIDC_BEGIN,
                       tto_test_json_object ("{\"provider\": \"%s\", \"redirect_uri\": "
                                             "\"http://127.0.0.1:9/callback\", "
                                             "\"code_challenge\": \"%s\", "
                                             "\"code_challenge_method\": \"S256\"}",
                                             provider, challenge),
                       &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (answer, "expires_in"), ==, 600);
  browser->stop_at_callback = TRUE;
  browser_open (browser, json_object_get_string_member (answer, "authorization_url"));
  g_assert_true (iterate_until (&browser->done, WAIT_MS));
  g_assert_nonnull (browser->callback_url);

  state = query_param (browser->callback_url, "state");
  g_assert_cmpstr (state, ==, json_object_get_string_member (answer, "state"));
  *out_state = g_steal_pointer (&state);
  return query_param (browser->callback_url, "code");
}

/* RFC 7636 appendix B */
#define RFC7636_VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define RFC7636_CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

/* identity.oidc.finish with a code the provider never issued. */
static JsonObject *
unissued_code_body (const char *state,
                    const char *code)
{
  g_autofree char *altered = g_strconcat (code, "x", NULL);

  return finish_body (state, altered, RFC7636_VERIFIER);
}

static void
test_pkce_and_code_checked (void)
{
  g_autoptr (Ws) ws = NULL;
  g_autofree char *state = NULL;
  g_autofree char *code = NULL;
  g_autofree char *state2 = NULL;
  g_autofree char *code2 = NULL;

  if (skip_if_unavailable ())
    return;

  ws = ws_connect (shared_relay);

  /* A verifier that is not the challenge's: refused by the relay itself,
   * and the state is spent. */
  code = begin_and_get_code (ws, "testop", RFC7636_CHALLENGE, &state);
  ws_request_error (ws, TTO_FRAME_IDENTITY_OIDC_FINISH,
                    finish_body (state, code, "wrong-verifier-wrong-verifier-wrong-verifier"),
                    TTO_PROTOCOL_ERROR_UNAUTHORIZED, "code_verifier");
  ws_request_error (ws, TTO_FRAME_IDENTITY_OIDC_FINISH, finish_body (state, code, RFC7636_VERIFIER),
                    TTO_PROTOCOL_ERROR_EXPIRED, NULL);

  /* A code the provider did not issue: the token exchange fails. */
  code2 = begin_and_get_code (ws, "testop", RFC7636_CHALLENGE, &state2);
  ws_request_error (ws, TTO_FRAME_IDENTITY_OIDC_FINISH, unissued_code_body (state2, code2),
                    TTO_PROTOCOL_ERROR_UNAUTHORIZED,
                    "token exchange failed: the provider refused (invalid_grant)");
}

static void
test_bad_begin (void)
{
  static const char *const refused[] = {
    "http://example.org/callback",        /* not loopback */
    "https://127.0.0.1:8080/callback",    /* loopback redirects are http */
    "http://127.0.0.1.example.org/cb",    /* looks like loopback */
    "http://me@127.0.0.1:8080/callback",  /* user info */
    "http://127.0.0.1:8080/callback#x",   /* fragment */
    "com.example.app:/callback",          /* private-use scheme: not this flow */
    "not a uri",
  };
  static const char *const accepted[] = {
    "http://127.0.0.1:8080/callback",
    "http://[::1]:8080/callback",
    "http://localhost:8080/callback",
  };
  g_autoptr (Ws) ws = NULL;

  if (skip_if_unavailable ())
    return;

  ws = ws_connect (shared_relay);
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    ws_request_error (ws, TTO_FRAME_IDENTITY_OIDC_BEGIN,
                      tto_test_json_object ("{\"provider\": \"testop\", \"redirect_uri\": \"%s\", "
                                            "\"code_challenge\": \"%s\"}",
                                            refused[i], RFC7636_CHALLENGE),
                      TTO_PROTOCOL_ERROR_BAD_FRAME, "redirect_uri");
  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonObject) answer = NULL;
      g_autofree char *redirect = NULL;

      answer = ws_request (ws, TTO_FRAME_IDENTITY_OIDC_BEGIN,
                           tto_test_json_object ("{\"provider\": \"testop\", \"redirect_uri\": "
                                                 "\"%s\", \"code_challenge\": \"%s\"}",
                                                 accepted[i], RFC7636_CHALLENGE),
                           &error);
      g_assert_no_error (error);
      redirect = query_param (json_object_get_string_member (answer, "authorization_url"),
                              "redirect_uri");
      g_assert_cmpstr (redirect, ==, accepted[i]);
    }

  /* PKCE: only S256, and a challenge of the right shape. */
  ws_request_error (ws, TTO_FRAME_IDENTITY_OIDC_BEGIN,
                    tto_test_json_object ("{\"provider\": \"testop\", \"redirect_uri\": "
                                          "\"http://127.0.0.1:1/callback\", \"code_challenge\": "
                                          "\"%s\", \"code_challenge_method\": \"plain\"}",
                                          RFC7636_VERIFIER),
                    TTO_PROTOCOL_ERROR_BAD_FRAME, "S256");
  ws_request_error (ws, TTO_FRAME_IDENTITY_OIDC_BEGIN,
                    tto_test_json_object ("{\"provider\": \"testop\", \"redirect_uri\": "
                                          "\"http://127.0.0.1:1/callback\", \"code_challenge\": "
                                          "\"short\"}"),
                    TTO_PROTOCOL_ERROR_BAD_FRAME, "code_challenge");
  /* Lifetime fields of finish are checked before any state is spent. */
  ws_request_error (ws, TTO_FRAME_IDENTITY_OIDC_FINISH,
                    tto_test_json_object ("{\"state\": \"s\", \"code\": \"c\", "
                                          "\"code_verifier\": \"%s\", \"lifetime\": \"timed\"}",
                                          RFC7636_VERIFIER),
                    TTO_PROTOCOL_ERROR_BAD_FRAME, "ttl");

  ws_request_error (ws, TTO_FRAME_IDENTITY_OIDC_BEGIN,
                    tto_test_json_object ("{\"provider\": \"nobody\", \"redirect_uri\": "
                                          "\"http://127.0.0.1:1/callback\", \"code_challenge\": "
                                          "\"%s\"}",
                                          RFC7636_CHALLENGE),
                    TTO_PROTOCOL_ERROR_NOT_FOUND, "identity.methods");
  /* A provider whose discovery cannot be fetched. */
  ws_request_error (ws, TTO_FRAME_IDENTITY_OIDC_BEGIN,
                    tto_test_json_object ("{\"provider\": \"down\", \"redirect_uri\": "
                                          "\"http://127.0.0.1:1/callback\", \"code_challenge\": "
                                          "\"%s\"}",
                                          RFC7636_CHALLENGE),
                    TTO_PROTOCOL_ERROR_UNAVAILABLE, "Unreachable");
}

static void
advance_relay_clock (gpointer data)
{
  /* Past the ID token's 120 s (and the relay's 60 s leeway), well inside
   * the sign-in state's 10 minutes. */
  tto_test_relay_advance_clock (data, 400);
}

static void
test_expired_id_token (void)
{
  g_autoptr (Ws) ws = NULL;
  g_autoptr (Browser) browser = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;
  const char *args[] = { "--config", config_path, "--test-clock", NULL };
  TtoTestRelay *relay;

  if (skip_if_unavailable ())
    return;

  /* Its own relay: the clock moves. */
  relay = tto_test_relay_start_with_args (60, args);
  ws = ws_connect (relay);
  browser = browser_new ("alice");
  browser->before_callback = advance_relay_clock;
  browser->hook_data = relay;
  body = sign_in_with (ws, "testop", "permanent", 0, browser, &error);
  g_assert_null (body);
  g_assert_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_UNAUTHORIZED);
  g_assert_nonnull (strstr (error->message, "expired (exp)"));
  g_assert_cmpint (tto_test_relay_query_int (relay, "SELECT COUNT(*) FROM identity_links"), ==, 0);

  g_clear_pointer (&ws, ws_free);
  tto_test_relay_stop (relay);
}

static void
on_closed_probe (GObject *source,
                 GAsyncResult *result,
                 gpointer user_data)
{
  GError **error = user_data;
  g_autoptr (GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                                error);

  if (*error == NULL)
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "no error");
}

/* Nobody listens on @url any more. */
static void
assert_listener_closed (const char *url)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr (GError) error = NULL;

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, on_closed_probe,
                                    &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

static void
test_flow_loopback (void)
{
  g_autoptr (Ws) ws = NULL;
  g_autoptr (Browser) browser = NULL;
  g_autoptr (Browser) refusing = NULL;
  g_autoptr (Browser) unused = NULL;
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  FlowRun probed = { NULL, FALSE, NULL, NULL };
  FlowRun denied = { NULL, FALSE, NULL, NULL };
  FlowRun cancelled = { NULL, FALSE, NULL, NULL };

  if (skip_if_unavailable ())
    return;

  ws = ws_connect (shared_relay);

  /* A page calling the loopback port with another state is turned away;
   * the sign-in goes on, and its listener closes after. */
  browser = browser_new ("alice");
  probed.browser = browser;
  probed.probe = TRUE;
  run_flow (ws, "testop", NULL, 0, &probed);
  g_assert_cmpuint (probed.probe_status, ==, SOUP_STATUS_BAD_REQUEST);
  g_assert_no_error (probed.error);
  assert_third_party (probed.body);
  g_assert_true (g_str_has_prefix (probed.redirect_uri, "http://127.0.0.1:"));
  assert_listener_closed (probed.redirect_uri);
  flow_run_clear (&probed);

  /* The person says no at the provider. */
  g_clear_pointer (&ws, ws_free);
  ws = ws_connect (shared_relay);
  refusing = browser_new ("alice");
  refusing->abort_login = TRUE;
  denied.browser = refusing;
  run_flow (ws, "testop", NULL, 0, &denied);
  g_assert_null (denied.body);
  g_assert_error (denied.error, TTO_OIDC_FLOW_ERROR, TTO_OIDC_FLOW_ERROR_DENIED);
  g_assert_nonnull (strstr (denied.error->message, "access_denied"));
  g_assert_nonnull (strstr (refusing->body, "Sign-in did not finish"));
  assert_listener_closed (denied.redirect_uri);
  flow_run_clear (&denied);

  /* Cancelled while the browser is out. */
  unused = browser_new ("alice");
  cancelled.browser = unused;
  cancelled.cancel = cancel;
  run_flow (ws, "testop", NULL, 0, &cancelled);
  g_assert_error (cancelled.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_listener_closed (cancelled.redirect_uri);
  flow_run_clear (&cancelled);
}

static void
on_connection_request_done (GObject *source,
                            GAsyncResult *result,
                            gpointer user_data)
{
  GError *error = NULL;
  JsonObject *body = tto_connection_request_finish (TTO_CONNECTION (source), result, &error);

  g_assert_no_error (error);
  *(JsonObject **) user_data = body;
}

/* The way the sign-in page runs it: through the client's connection, which
 * is signed in afterwards. */
static void
test_flow_through_connection (void)
{
  g_autoptr (TtoConnection) connection = NULL;
  g_autoptr (TtoOidcFlow) flow = NULL;
  g_autoptr (Browser) browser = NULL;
  g_autoptr (JsonObject) events = NULL;
  FlowRun run = { NULL, FALSE, NULL, NULL };

  if (skip_if_unavailable ())
    return;

  connection = tto_connection_new (tto_test_relay_get_ws_url (shared_relay));
  flow = tto_oidc_flow_new_for_connection ("testop", connection);
  tto_oidc_flow_set_lifetime (flow, "permanent", 0);
  tto_oidc_flow_set_display_name (flow, "Ana from OP");
  browser = browser_new ("alice");
  run.browser = browser;
  g_signal_connect (flow, "open-uri", G_CALLBACK (on_open_uri), &run);
  tto_oidc_flow_run_async (flow, NULL, on_flow_done, &run);
  g_assert_true (iterate_until (&run.done, WAIT_MS));
  g_assert_no_error (run.error);
  assert_third_party (run.body);
  g_assert_cmpstr (tto_connection_get_identity_id (connection), ==,
                   json_object_get_string_member (run.body, "identity_id"));
  g_assert_cmpint (tto_connection_get_state (connection), ==, TTO_CONNECTION_STATE_CONNECTED);

  tto_connection_request_async (connection, TTO_FRAME_EVENT_LIST, json_object_new (), NULL,
                                on_connection_request_done, &events);
  while (events == NULL)
    g_main_context_iteration (NULL, TRUE);
  flow_run_clear (&run);
  tto_connection_close (connection);
}

/* The ID token checks, on tokens the real provider issued */

static JsonObject *
fetch_json (const char *url,
            const char *basic_user,
            const char *basic_password,
            const char *form)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (SoupMessage) msg = soup_message_new (form != NULL ? SOUP_METHOD_POST
                                                               : SOUP_METHOD_GET,
                                                  url);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (basic_user != NULL)
    {
      g_autofree char *pair = g_strconcat (basic_user, ":", basic_password, NULL);
      g_autofree char *b64 = g_base64_encode ((const guchar *) pair, strlen (pair));
      g_autofree char *header = g_strconcat ("Basic ", b64, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    header);
    }
  if (form != NULL)
    {
      g_autoptr (GBytes) body = g_bytes_new (form, strlen (form));

      soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", body);
    }
  /* The provider is another process: waiting here blocks nothing it needs. */
  bytes = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);
  json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                              &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* An ID token from the provider for @client_id, with @nonce, as a relay
 * would get it (code flow with PKCE). */
static char *
provider_id_token (const char *client_id,
                   const char *secret,
                   const char *nonce)
{
  g_autoptr (Browser) browser = browser_new ("alice");
  g_autoptr (JsonObject) answer = NULL;
  g_autofree char *url = NULL;
  g_autofree char *code = NULL;
  g_autofree char *form = NULL;
  g_autofree char *token_url = g_strconcat (issuer, "/token", NULL);

  url = g_strdup_printf ("%s/auth?response_type=code&client_id=%s&redirect_uri=%s&scope=openid"
                         "&state=st&nonce=%s&code_challenge=%s&code_challenge_method=S256",
                         issuer, client_id, "http%3A%2F%2F127.0.0.1%3A9%2Fcallback", nonce,
                         RFC7636_CHALLENGE);
  browser->stop_at_callback = TRUE;
  browser_open (browser, url);
  g_assert_true (iterate_until (&browser->done, WAIT_MS));
  code = query_param (browser->callback_url, "code");
  g_assert_nonnull (code);

  form = g_strdup_printf ("grant_type=authorization_code&code=%s&redirect_uri=%s"
                          "&code_verifier=%s",
                          code, "http%3A%2F%2F127.0.0.1%3A9%2Fcallback", RFC7636_VERIFIER);
  answer = fetch_json (token_url, client_id, secret, form);
  return g_strdup (json_object_get_string_member (answer, "id_token"));
}

static char *
replace_part (const char *token,
              guint index,
              const char *json)
{
  g_auto (GStrv) parts = g_strsplit (token, ".", 3);
  g_autofree char *b64 = g_base64_encode ((const guchar *) json, strlen (json));
  char *end;

  /* base64url without padding */
  g_strdelimit (b64, "+", '-');
  g_strdelimit (b64, "/", '_');
  end = strchr (b64, '=');
  if (end != NULL)
    *end = '\0';
  g_free (parts[index]);
  parts[index] = g_steal_pointer (&b64);
  return g_strjoinv (".", parts);
}

static void
assert_refused (const char *token,
                JsonObject *jwks,
                const char *client_id,
                const char *nonce,
                gint64 now,
                gint code,
                const char *check)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) claims = tto_relay_oidc_verify_id_token (token, jwks, issuer, client_id,
                                                                  nonce, now, &error);

  g_assert_null (claims);
  g_assert_error (error, TTO_RELAY_OIDC_ERROR, code);
  if (strstr (error->message, check) == NULL)
    g_error ("'%s' does not name '%s'", error->message, check);
}

static void
test_id_token_checks (void)
{
  g_autofree char *jwks_url = NULL;
  g_autoptr (JsonObject) jwks = NULL;
  g_autoptr (JsonObject) claims = NULL;
  g_autoptr (JsonObject) es_claims = NULL;
  g_autoptr (JsonObject) other_jwks = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *rs = NULL;
  g_autofree char *es = NULL;
  g_autofree char *other = NULL;
  g_autofree char *tampered = NULL;
  g_autofree char *forged = NULL;
  g_autofree char *unsigned_token = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 exp;
  gsize length;

  if (skip_if_unavailable ())
    return;

  jwks_url = g_strconcat (issuer, "/jwks", NULL);
  jwks = fetch_json (jwks_url, NULL, NULL, NULL);
  rs = provider_id_token ("tto-relay", "tto-relay-secret", "nonce-1");
  es = provider_id_token ("tto-relay-es", "tto-relay-es-secret", "nonce-2");
  other = provider_id_token ("other-app", "other-app-secret", "nonce-3");

  /* Genuine tokens pass, RS256 and ES256. */
  claims = tto_relay_oidc_verify_id_token (rs, jwks, issuer, "tto-relay", "nonce-1", now, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (claims, "sub"), ==, "alice");
  es_claims = tto_relay_oidc_verify_id_token (es, jwks, issuer, "tto-relay-es", "nonce-2", now,
                                              &error);
  g_assert_no_error (error);
  g_assert_nonnull (es_claims);

  /* A flipped byte of the signature, in the RSA and the ECDSA token. */
  tampered = g_strdup (rs);
  length = strlen (tampered);
  tampered[length - 10] = tampered[length - 10] == 'A' ? 'B' : 'A';
  assert_refused (tampered, jwks, "tto-relay", "nonce-1", now, TTO_RELAY_OIDC_ERROR_TOKEN,
                  "signature");
  g_free (tampered);
  tampered = g_strdup (es);
  length = strlen (tampered);
  tampered[length - 10] = tampered[length - 10] == 'A' ? 'B' : 'A';
  assert_refused (tampered, jwks, "tto-relay-es", "nonce-2", now, TTO_RELAY_OIDC_ERROR_TOKEN,
                  "signature");

  /* Claims changed under the provider's signature. */
  exp = json_object_get_int_member (claims, "exp");
  {
    g_autofree char *payload = g_strdup_printf ("{\"sub\":\"mallory\",\"nonce\":\"nonce-1\","
                                                "\"aud\":\"tto-relay\",\"exp\":%" G_GINT64_FORMAT
                                                ",\"iat\":%" G_GINT64_FORMAT ",\"iss\":\"%s\"}",
                                                exp, exp - 120, issuer);

    forged = replace_part (rs, 1, payload);
  }
  assert_refused (forged, jwks, "tto-relay", "nonce-1", now, TTO_RELAY_OIDC_ERROR_TOKEN,
                  "signature");

  /* alg none, and an unsigned token */
  unsigned_token = replace_part (forged, 0, "{\"alg\":\"none\"}");
  assert_refused (unsigned_token, jwks, "tto-relay", "nonce-1", now, TTO_RELAY_OIDC_ERROR_TOKEN,
                  "(alg)");
  g_free (unsigned_token);
  unsigned_token = replace_part (forged, 0, "{\"alg\":\"HS256\",\"kid\":\"test-rsa-1\"}");
  assert_refused (unsigned_token, jwks, "tto-relay", "nonce-1", now, TTO_RELAY_OIDC_ERROR_TOKEN,
                  "(alg)");

  /* A genuine token for another client: wrong audience. */
  assert_refused (other, jwks, "tto-relay", "nonce-3", now, TTO_RELAY_OIDC_ERROR_TOKEN, "(aud)");
  /* Another issuer, another nonce, expired, issued in the future. */
  {
    g_autofree char *elsewhere = g_strconcat (issuer, "/elsewhere", NULL);
    g_autoptr (GError) local_error = NULL;
    g_autoptr (JsonObject) none = tto_relay_oidc_verify_id_token (rs, jwks, elsewhere,
                                                                  "tto-relay", "nonce-1", now,
                                                                  &local_error);

    g_assert_null (none);
    g_assert_nonnull (strstr (local_error->message, "(iss)"));
  }
  assert_refused (rs, jwks, "tto-relay", "nonce-x", now, TTO_RELAY_OIDC_ERROR_TOKEN, "nonce");
  assert_refused (rs, jwks, "tto-relay", "nonce-1", exp + 61, TTO_RELAY_OIDC_ERROR_TOKEN, "(exp)");
  assert_refused (rs, jwks, "tto-relay", "nonce-1", exp - 120 - 61, TTO_RELAY_OIDC_ERROR_TOKEN,
                  "(iat)");

  /* Keys the token's kid is not among: the relay fetches the JWKS again. */
  other_jwks = tto_test_json_object ("{\"keys\": [{\"kty\": \"RSA\", \"kid\": \"old\", "
                                     "\"n\": \"AQAB\", \"e\": \"AQAB\"}]}");
  assert_refused (rs, other_jwks, "tto-relay", "nonce-1", now, TTO_RELAY_OIDC_ERROR_UNKNOWN_KEY,
                  "kid");
}

/* The WeChat-like plain OAuth 2 provider */

static void
wx_json (SoupServerMessage *msg,
         guint status,
         const char *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json,
                                    strlen (json));
}

/* WeChat's answers: HTTP 200, JSON as text/plain. */
static void
wx_text (SoupServerMessage *msg,
         const char *json)
{
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_COPY, json, strlen (json));
}

static const char *
param (GHashTable *params,
       const char *name)
{
  return params != NULL ? g_hash_table_lookup (params, name) : NULL;
}

/* Consent is implied: the person scanned the QR code already. */
static void
authorize (SoupServerMessage *msg,
           GHashTable *query)
{
  const char *redirect = param (query, "redirect_uri");
  g_autofree char *code = g_strdup_printf ("wx-code-%u", g_random_int ());
  g_autofree char *escaped = g_uri_escape_string (param (query, "state"), NULL, FALSE);
  g_autofree char *location = g_strdup_printf ("%s?code=%s&state=%s", redirect, code, escaped);

  g_assert_null (param (query, "nonce"));
  g_hash_table_insert (wx_codes, g_strdup (code), g_strdup (redirect));
  soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, location);
}

/* WeChat answers every error with HTTP 200, an errcode and an errmsg. */
static void
wx_error (SoupServerMessage *msg,
          guint errcode,
          const char *errmsg)
{
  g_autofree char *json = g_strdup_printf ("{\"errcode\": %u, \"errmsg\": \"%s, rid: "
                                           "6563f1a2-1b2c3d4e\"}",
                                           errcode, errmsg);

  wx_text (msg, json);
}

/* GET /sns/oauth2/access_token?appid=…&secret=…&code=…&grant_type=… */
static void
wx_token (SoupServerMessage *msg,
          GHashTable *query)
{
  const char *code = param (query, "code");
  g_autofree char *token = g_strdup_printf ("wx-token-%u", g_random_int ());
  g_autofree char *json = NULL;

  if (soup_server_message_get_method (msg) != SOUP_METHOD_GET)
    {
      wx_error (msg, 43001, "require GET method");
      return;
    }
  wx_token_gets++;
  if (g_strcmp0 (param (query, "appid"), "wx-app") != 0)
    {
      wx_error (msg, 40013, "invalid appid");
      return;
    }
  if (g_strcmp0 (param (query, "secret"), "wx-secret") != 0)
    {
      wx_error (msg, 40125, "invalid appsecret");
      return;
    }
  if (g_strcmp0 (param (query, "grant_type"), "authorization_code") != 0)
    {
      wx_error (msg, 40002, "invalid grant_type");
      return;
    }
  if (code != NULL && g_hash_table_contains (wx_used_codes, code))
    {
      wx_error (msg, 40163, "code been used");
      return;
    }
  if (code == NULL || !g_hash_table_contains (wx_codes, code))
    {
      wx_error (msg, 40029, "invalid code");
      return;
    }

  g_hash_table_remove (wx_codes, code);
  g_hash_table_add (wx_used_codes, g_strdup (code));
  g_hash_table_add (wx_tokens, g_strdup (token));
  json = g_strdup_printf ("{\"access_token\": \"%s\", \"expires_in\": 7200, "
                          "\"refresh_token\": \"wx-refresh\", \"openid\": \"" WX_OPENID "\", "
                          "\"scope\": \"snsapi_login\", \"unionid\": \"wx-union-7\"}",
                          token);
  wx_text (msg, json);
}

/* GET /sns/userinfo?access_token=…&openid=… */
static void
wx_userinfo (SoupServerMessage *msg,
             GHashTable *query)
{
  const char *token = param (query, "access_token");
  static const char info[] = "{\"openid\": \"" WX_OPENID "\", \"nickname\": \"Wei Xin\", "
                             "\"sex\": 0, \"unionid\": \"wx-union-7\"}";

  wx_userinfo_calls++;
  if (token == NULL || !g_hash_table_contains (wx_tokens, token))
    {
      wx_error (msg, 40001, "invalid credential, access_token is invalid or not latest");
      return;
    }
  if (param (query, "openid") == NULL)
    {
      wx_error (msg, 41009, "missing openid");
      return;
    }
  if (!g_str_equal (param (query, "openid"), WX_OPENID))
    {
      wx_error (msg, 40003, "invalid openid");
      return;
    }
  wx_text (msg, info);
}

/* POST /oauth2/access_token, RFC 6749's form; the answer names the uid. */
static void
po_token (SoupServerMessage *msg)
{
  SoupMessageBody *request = soup_server_message_get_request_body (msg);
  g_autoptr (GBytes) bytes = soup_message_body_flatten (request);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_autoptr (GHashTable) form = NULL;
  const char *code;
  const char *redirect;
  g_autofree char *token = g_strdup_printf ("po-token-%u", g_random_int ());
  g_autofree char *json = NULL;

  if (soup_server_message_get_method (msg) != SOUP_METHOD_POST)
    {
      wx_json (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "{\"error\": \"invalid_request\"}");
      return;
    }
  po_token_posts++;
  form = soup_form_decode (text);
  code = g_hash_table_lookup (form, "code");
  redirect = code != NULL ? g_hash_table_lookup (wx_codes, code) : NULL;
  if (g_strcmp0 (g_hash_table_lookup (form, "client_id"), "po-app") != 0 ||
      g_strcmp0 (g_hash_table_lookup (form, "client_secret"), "po-secret") != 0)
    {
      wx_json (msg, SOUP_STATUS_UNAUTHORIZED, "{\"error\": \"invalid_client\"}");
      return;
    }
  /* The code only once, for its redirect_uri; refused with HTTP 200. */
  if (redirect == NULL || g_strcmp0 (g_hash_table_lookup (form, "redirect_uri"), redirect) != 0 ||
      g_strcmp0 (g_hash_table_lookup (form, "grant_type"), "authorization_code") != 0)
    {
      wx_json (msg, SOUP_STATUS_OK,
               "{\"error\": \"bad_verification_code\", "
               "\"error_description\": \"The code passed is incorrect or expired.\"}");
      return;
    }
  g_hash_table_remove (wx_codes, code);
  g_hash_table_add (wx_tokens, g_strdup (token));
  json = g_strdup_printf ("{\"access_token\": \"%s\", \"remind_in\": \"157679999\", "
                          "\"expires_in\": 157679999, \"uid\": \"" PO_UID "\"}",
                          token);
  wx_json (msg, SOUP_STATUS_OK, json);
}

/* GET /2/users/show.json?access_token=…&uid=… (no uid field in the answer) */
static void
po_userinfo (SoupServerMessage *msg,
             GHashTable *query)
{
  const char *token = param (query, "access_token");

  if (token == NULL || !g_hash_table_contains (wx_tokens, token) ||
      g_strcmp0 (param (query, "uid"), PO_UID) != 0)
    {
      wx_json (msg, SOUP_STATUS_BAD_REQUEST, "{\"error\": \"invalid_access_token\"}");
      return;
    }
  wx_json (msg, SOUP_STATUS_OK,
           "{\"id\": " PO_UID ", \"idstr\": \"" PO_UID "\", \"screen_name\": \"Wei Bo\"}");
}

static void
on_wx_request (SoupServer *server,
               SoupServerMessage *msg,
               const char *path,
               GHashTable *query,
               gpointer user_data)
{
  if (g_str_equal (path, "/connect/qrconnect"))
    {
      /* WeChat names the client id appid, in the authorization URL too. */
      g_assert_cmpstr (param (query, "appid"), ==, "wx-app");
      g_assert_null (param (query, "client_id"));
      g_assert_cmpstr (param (query, "scope"), ==, "snsapi_login");
      authorize (msg, query);
    }
  else if (g_str_equal (path, "/sns/oauth2/access_token"))
    wx_token (msg, query);
  else if (g_str_equal (path, "/sns/userinfo"))
    wx_userinfo (msg, query);
  else if (g_str_equal (path, "/oauth2/authorize"))
    {
      g_assert_cmpstr (param (query, "client_id"), ==, "po-app");
      authorize (msg, query);
    }
  else if (g_str_equal (path, "/oauth2/access_token"))
    po_token (msg);
  else if (g_str_equal (path, "/2/users/show.json"))
    po_userinfo (msg, query);
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

static void
test_oauth2_provider (void)
{
  g_autoptr (Ws) ws = NULL;
  g_autoptr (Ws) again = NULL;
  g_autoptr (JsonObject) first = NULL;
  g_autoptr (JsonObject) second = NULL;
  guint calls = wx_userinfo_calls;
  guint gets = wx_token_gets;
  guint used;

  if (skip_if_unavailable ())
    return;
  used = g_hash_table_size (wx_used_codes);

  ws = ws_connect (shared_relay);
  first = sign_in (ws, "wxlike", "permanent", "anyone");
  assert_third_party (first);
  /* The token request was a GET the server took (appid, secret, code),
   * and user info answered with the openid passed along. */
  g_assert_cmpuint (wx_token_gets, ==, gets + 1);
  g_assert_cmpuint (g_hash_table_size (wx_used_codes), ==, used + 1);
  g_assert_cmpuint (wx_userinfo_calls, ==, calls + 1);
  g_assert_cmpstr (json_object_get_string_member (first, "display_name"), ==, "Wei Xin");
  g_assert_cmpint (count_links ("wxlike"), ==, 1);
  assert_signed_in (ws);

  again = ws_connect (shared_relay);
  second = sign_in (again, "wxlike", "permanent", "anyone");
  g_assert_cmpstr (json_object_get_string_member (second, "identity_id"), ==,
                   json_object_get_string_member (first, "identity_id"));
  g_assert_cmpuint (g_hash_table_size (wx_used_codes), ==, used + 2);
}

/* errcode 40125 with HTTP 200: refused, not signed in, nothing linked. */
static void
test_oauth2_wrong_secret (void)
{
  g_autoptr (Ws) ws = NULL;
  g_autofree char *state = NULL;
  g_autofree char *code = NULL;
  guint gets = wx_token_gets;

  if (skip_if_unavailable ())
    return;

  ws = ws_connect (shared_relay);
  code = begin_and_get_code (ws, "wxwrong", RFC7636_CHALLENGE, &state);
  ws_request_error (ws, TTO_FRAME_IDENTITY_OIDC_FINISH, finish_body (state, code, RFC7636_VERIFIER),
                    TTO_PROTOCOL_ERROR_UNAUTHORIZED,
                    "token exchange failed: the provider refused (errcode 40125)");
  g_assert_cmpuint (wx_token_gets, ==, gets + 1);
  assert_not_signed_in (ws);
  g_assert_cmpint (count_links ("wxwrong"), ==, 0);
}

/* A code used once (errcode 40163) does not sign anyone in again. */
static void
test_oauth2_replayed_code (void)
{
  g_autoptr (Ws) ws = NULL;
  g_autoptr (Ws) thief = NULL;
  g_autoptr (JsonObject) body = NULL;
  g_autoptr (JsonObject) none = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *state = NULL;
  g_autofree char *code = NULL;
  g_autofree char *state2 = NULL;
  g_autofree char *code2 = NULL;

  if (skip_if_unavailable ())
    return;

  ws = ws_connect (shared_relay);
  code = begin_and_get_code (ws, "wxlike", RFC7636_CHALLENGE, &state);
  body = ws_request (ws, TTO_FRAME_IDENTITY_OIDC_FINISH,
                     finish_body (state, code, RFC7636_VERIFIER), &error);
  g_assert_no_error (error);
  assert_third_party (body);
  g_assert_true (g_hash_table_contains (wx_used_codes, code));

  /* A new sign-in on another connection, finished with the old code. */
  thief = ws_connect (shared_relay);
  code2 = begin_and_get_code (thief, "wxlike", RFC7636_CHALLENGE, &state2);
  none = ws_request (thief, TTO_FRAME_IDENTITY_OIDC_FINISH,
                     finish_body (state2, code, RFC7636_VERIFIER), &error);
  g_assert_null (none);
  g_assert_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_UNAUTHORIZED);
  if (strstr (error->message, "token exchange failed: the provider refused (errcode 40163)") ==
      NULL)
    g_error ("error message '%s' does not name errcode 40163", error->message);
  /* The provider's errmsg may echo input: it stays out. */
  g_assert_null (strstr (error->message, "rid:"));
  assert_not_signed_in (thief);
}

/* RFC 6749's POST form works as before; HTTP 200 with "error" is a
 * refusal. */
static void
test_oauth2_post_provider (void)
{
  g_autoptr (Ws) ws = NULL;
  g_autoptr (Ws) other = NULL;
  g_autoptr (JsonObject) body = NULL;
  g_autofree char *state = NULL;
  g_autofree char *code = NULL;
  guint posts = po_token_posts;
  guint gets = wx_token_gets;

  if (skip_if_unavailable ())
    return;

  ws = ws_connect (shared_relay);
  body = sign_in (ws, "postlike", "permanent", "anyone");
  assert_third_party (body);
  g_assert_cmpuint (po_token_posts, ==, posts + 1);
  g_assert_cmpuint (wx_token_gets, ==, gets);
  /* The uid of the token answer went to user info, whose answer has no
   * uid field but the name. */
  g_assert_cmpstr (json_object_get_string_member (body, "display_name"), ==, "Wei Bo");
  g_assert_cmpint (count_links ("postlike"), ==, 1);
  assert_signed_in (ws);

  other = ws_connect (shared_relay);
  code = begin_and_get_code (other, "postlike", RFC7636_CHALLENGE, &state);
  ws_request_error (other, TTO_FRAME_IDENTITY_OIDC_FINISH, unissued_code_body (state, code),
                    TTO_PROTOCOL_ERROR_UNAUTHORIZED,
                    "token exchange failed: the provider refused (bad_verification_code)");
  g_assert_cmpuint (po_token_posts, ==, posts + 2);
  assert_not_signed_in (other);
}

static void
test_bad_config_refused (void)
{
  g_autofree char *path = NULL;
  g_autoptr (GSubprocess) relay = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  static const char *const cases[][2] = {
    { "[provider bad]\nissuer=http://example.org\nclient_id=a\nclient_secret=b\n",
      "issuer must be an https:// URL" },
    { "[provider Bad]\nissuer=https://example.org\nclient_id=a\nclient_secret=b\n",
      "may hold only" },
    { "[provider x]\ntype=oauth2\nauthorization_endpoint=https://example.org/a\n"
      "token_endpoint=https://example.org/t\nclient_id=a\nclient_secret=b\n",
      "subject_from is required" },
    { "[provider x]\ntype=oauth2\nauthorization_endpoint=https://example.org/a\n"
      "token_endpoint=https://example.org/t\nclient_id=a\nclient_secret=b\n"
      "subject_from=header:openid\n",
      "subject_from must be token:<field> or userinfo:<field>" },
    { "[provider x]\ntype=oauth2\nauthorization_endpoint=https://example.org/a\n"
      "token_endpoint=https://example.org/t\nclient_id=a\nclient_secret=b\n"
      "subject_from=userinfo:id\n",
      "subject_from=userinfo:<field> needs userinfo_endpoint" },
    { "[provider x]\ntype=oauth2\nauthorization_endpoint=https://example.org/a\n"
      "token_endpoint=https://example.org/t\nclient_id=a\nclient_secret=b\n"
      "subject_from=token:openid\ntoken_method=put\n",
      "token_method must be get or post" },
    { "[provider x]\ntype=oauth2\nauthorization_endpoint=https://example.org/a\n"
      "token_endpoint=https://example.org/t\nclient_id=a\nclient_secret=b\n"
      "subject_from=token:openid\nclient_id_param=app id\n",
      "client_id_param must be" },
    { "[provider x]\ntype=oauth2\nauthorization_endpoint=https://example.org/a\n"
      "token_endpoint=https://example.org/t\nuserinfo_endpoint=https://example.org/u\n"
      "client_id=a\nclient_secret=b\nsubject_from=token:openid\n"
      "userinfo_query=openid={openid\n",
      "userinfo_query must be" },
    { "[provider x]\nissuer=https://example.org\nclient_id=a\n", "client_secret is required" },
  };

  if (g_getenv ("TTO_RELAY_BIN") == NULL)
    {
      g_test_skip ("TTO_RELAY_BIN is not set");
      return;
    }

  path = g_build_filename (tmp_dir != NULL ? tmp_dir : g_get_tmp_dir (), "bad.conf", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_file_set_contents (path, cases[i][0], -1, &error);
      g_assert_no_error (error);
      /* Refused before any database is used. */
      relay = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                &error, g_getenv ("TTO_RELAY_BIN"), "--config", path,
                                "--mysql-socket", "/nonexistent/socket", NULL);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (relay, NULL, NULL, NULL, &err, &error);
      g_assert_no_error (error);
      g_assert_cmpint (g_subprocess_get_exit_status (relay), ==, 1);
      if (strstr (err, cases[i][1]) == NULL)
        g_error ("relay said '%s', not '%s'", err, cases[i][1]);
      g_clear_object (&relay);
      g_clear_pointer (&err, g_free);
    }
  g_unlink (path);
}

/* Set-up: the provider process, the WeChat-like server, the relay */

typedef struct
{
  gboolean done;
  char *line;
} ReadyLine;

static void
on_provider_line (GObject *source,
                  GAsyncResult *result,
                  gpointer user_data)
{
  ReadyLine *ready = user_data;

  ready->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                           NULL, NULL);
  ready->done = TRUE;
}

static gboolean
start_provider (void)
{
  g_autofree char *node = g_find_program_in_path ("node");
  g_autofree char *modules = g_test_build_filename (G_TEST_DIST, "oidc", "node_modules",
                                                    "oidc-provider", NULL);
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "oidc", "provider.mjs", NULL);
  g_autoptr (GDataInputStream) out = NULL;
  g_autoptr (GError) error = NULL;
  ReadyLine ready = { FALSE, NULL };

  if (node == NULL)
    {
      skip_reason = g_strdup ("node is not installed (build-aux/dev installs it)");
      return FALSE;
    }
  if (!g_file_test (modules, G_FILE_TEST_IS_DIR))
    {
      skip_reason = g_strdup_printf ("%s is missing: run npm ci in tests/oidc "
                                     "(build-aux/dev does)",
                                     modules);
      return FALSE;
    }

  /* Its stdin is ours: the provider exits when this test does. */
  provider_process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                         G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                       &error, node, script, "0", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (provider_process));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, on_provider_line, &ready);
  if (!iterate_until (&ready.done, WAIT_MS) || ready.line == NULL ||
      !g_str_has_prefix (ready.line, "ready "))
    g_error ("the OIDC provider did not start (first line: %s)",
             ready.line != NULL ? ready.line : "none");

  issuer = g_strdup_printf ("http://127.0.0.1:%s", ready.line + strlen ("ready "));
  g_free (ready.line);
  return TRUE;
}

static void
start_wx_server (void)
{
  g_autoptr (GError) error = NULL;
  GSList *uris;

  wx_codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  wx_used_codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  wx_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  wx_server = soup_server_new (NULL, NULL);
  soup_server_add_handler (wx_server, NULL, on_wx_request, NULL, NULL);
  soup_server_listen_local (wx_server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (wx_server);
  wx_port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
write_config (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  tmp_dir = g_dir_make_tmp ("tto-test-oidc-XXXXXX", &error);
  g_assert_no_error (error);
  config_path = g_build_filename (tmp_dir, "relay.conf", NULL);
  text = g_strdup_printf ("[provider testop]\n"
                          "type=oidc\n"
                          "name=Test OP\n"
                          "icon=test-op-symbolic\n"
                          "issuer=%s\n"
                          "client_id=tto-relay\n"
                          "client_secret=tto-relay-secret\n"
                          "scopes=openid profile\n"
                          "\n"
                          "[provider testes]\n"
                          "name=Test OP (ES256)\n"
                          "issuer=%s\n"
                          "client_id=tto-relay-es\n"
                          "client_secret=tto-relay-es-secret\n"
                          "\n"
                          "[provider down]\n"
                          "name=Unreachable\n"
                          "issuer=http://127.0.0.1:1\n"
                          "client_id=nobody\n"
                          "client_secret=nothing\n"
                          "\n"
                          "[provider wxlike]\n"
                          "type=oauth2\n"
                          "name=WeChat-like\n"
                          "authorization_endpoint=http://127.0.0.1:%u/connect/qrconnect\n"
                          "token_endpoint=http://127.0.0.1:%u/sns/oauth2/access_token\n"
                          "token_method=get\n"
                          "client_id_param=appid\n"
                          "client_secret_param=secret\n"
                          "subject_from=token:openid\n"
                          "userinfo_endpoint=http://127.0.0.1:%u/sns/userinfo\n"
                          "userinfo_token=query\n"
                          "userinfo_query=openid={openid}\n"
                          "name_field=nickname\n"
                          "client_id=wx-app\n"
                          "client_secret=wx-secret\n"
                          "scopes=snsapi_login\n"
                          "\n"
                          "[provider wxwrong]\n"
                          "type=oauth2\n"
                          "name=WeChat-like, wrong secret\n"
                          "authorization_endpoint=http://127.0.0.1:%u/connect/qrconnect\n"
                          "token_endpoint=http://127.0.0.1:%u/sns/oauth2/access_token\n"
                          "token_method=get\n"
                          "client_id_param=appid\n"
                          "client_secret_param=secret\n"
                          "subject_from=token:openid\n"
                          "client_id=wx-app\n"
                          "client_secret=not-the-secret\n"
                          "scopes=snsapi_login\n"
                          "\n"
                          /* The keys as they were before token_method and
                           * subject_from: the uid goes to user info too. */
                          "[provider postlike]\n"
                          "type=oauth2\n"
                          "name=POST-like\n"
                          "authorization_endpoint=http://127.0.0.1:%u/oauth2/authorize\n"
                          "token_endpoint=http://127.0.0.1:%u/oauth2/access_token\n"
                          "userinfo_endpoint=http://127.0.0.1:%u/2/users/show.json\n"
                          "userinfo_token=query\n"
                          "subject_field=uid\n"
                          "name_field=screen_name\n"
                          "client_id=po-app\n"
                          "client_secret=po-secret\n",
                          issuer, issuer, wx_port, wx_port, wx_port, wx_port, wx_port, wx_port,
                          wx_port, wx_port);
  g_file_set_contents (config_path, text, -1, &error);
  g_assert_no_error (error);
}

int
main (int argc,
      char *argv[])
{
  g_autofree char *reason = NULL;
  const char *args[] = { "--config", NULL, NULL };
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/oidc/bad-config-refused", test_bad_config_refused);
  g_test_add_func ("/oidc/methods-list-providers", test_methods_list_providers);
  g_test_add_func ("/oidc/sign-in-permanent", test_sign_in_permanent);
  g_test_add_func ("/oidc/sign-in-es256-timed", test_sign_in_es256_timed);
  g_test_add_func ("/oidc/replayed-state", test_replayed_state);
  g_test_add_func ("/oidc/flow-loopback", test_flow_loopback);
  g_test_add_func ("/oidc/flow-through-connection", test_flow_through_connection);
  g_test_add_func ("/oidc/pkce-and-code-checked", test_pkce_and_code_checked);
  g_test_add_func ("/oidc/bad-begin", test_bad_begin);
  g_test_add_func ("/oidc/id-token-checks", test_id_token_checks);
  g_test_add_func ("/oidc/expired-id-token", test_expired_id_token);
  g_test_add_func ("/oidc/oauth2-provider", test_oauth2_provider);
  g_test_add_func ("/oidc/oauth2-wrong-secret", test_oauth2_wrong_secret);
  g_test_add_func ("/oidc/oauth2-replayed-code", test_oauth2_replayed_code);
  g_test_add_func ("/oidc/oauth2-post-provider", test_oauth2_post_provider);

  if (!tto_test_relay_available (&reason))
    skip_reason = g_steal_pointer (&reason);
  else if (start_provider ())
    {
      start_wx_server ();
      write_config ();
      args[1] = config_path;
      shared_relay = tto_test_relay_start_with_args (60, args);
    }

  status = g_test_run ();

  tto_test_relay_stop (shared_relay);
  if (provider_process != NULL)
    {
      g_subprocess_send_signal (provider_process, SIGTERM);
      g_subprocess_wait (provider_process, NULL, NULL);
      g_clear_object (&provider_process);
    }
  g_clear_object (&wx_server);
  if (config_path != NULL)
    g_unlink (config_path);
  if (tmp_dir != NULL)
    g_rmdir (tmp_dir);
  return status;
}
