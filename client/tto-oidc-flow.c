/* tto-oidc-flow.c: third-party sign-in as a native app (RFC 8252), no UI
 *
 * The system browser does the sign-in at the provider and comes back to a
 * one-shot HTTP listener on 127.0.0.1 (loopback redirect, RFC 8252 7.3).
 * PKCE (RFC 7636, S256) ties the code to this run: the verifier never
 * leaves this process until identity.oidc.finish, and is wiped after.
 * The relay holds the client secret and exchanges the code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "tto-shared.h"

#include "tto-oidc-flow.h"

#define VERIFIER_BYTES 32 /* 43 base64url characters, as RFC 7636 4.1 suggests */
/* The relay forgets a sign-in after 10 min; waiting longer is pointless. */
#define WAIT_SECONDS 600

G_DEFINE_QUARK (tto-oidc-flow-error-quark, tto_oidc_flow_error)

struct _TtoOidcFlow
{
  GObject parent_instance;

  char *provider_id;
  char *display_name;
  char *lifetime;
  guint ttl;
  TtoOidcFlowRequestFunc request;
  gpointer request_data;
  GDestroyNotify request_data_destroy;

  /* One run */
  GTask *task;
  guint run; /* answers to an earlier run's requests are dropped */
  SoupServer *server;
  char *redirect_uri;
  char *verifier; /* secret until finish */
  char *state;
  guint timeout_source;
  gulong cancelled_handler;
  gboolean came_back; /* the browser brought a code: later visits are refused */
};

enum
{
  PROP_0,
  PROP_PROVIDER_ID,
  N_PROPS
};

enum
{
  OPEN_URI,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TtoOidcFlow, tto_oidc_flow, G_TYPE_OBJECT)

static void
wipe_free (char *str)
{
  if (str != NULL)
    explicit_bzero (str, strlen (str));
  g_free (str);
}

static char *
base64url (const guint8 *data,
           gsize length)
{
  char *text = g_base64_encode (data, length);
  char *end = text + strlen (text);

  for (char *c = text; *c; c++)
    if (*c == '+')
      *c = '-';
    else if (*c == '/')
      *c = '_';
  while (end > text && end[-1] == '=')
    *--end = '\0';

  return text;
}

static char *
s256_challenge (const char *verifier)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize length = sizeof digest;

  g_checksum_update (checksum, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (checksum, digest, &length);
  return base64url (digest, length);
}

/* Disconnecting at once could cut the page the browser is still reading;
 * this runs after the last response went out. */
static gboolean
on_disconnect_idle (gpointer user_data)
{
  soup_server_disconnect (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_callback_response_finished (SoupServerMessage *msg,
                               gpointer user_data)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, on_disconnect_idle, g_object_ref (user_data),
                   g_object_unref);
}

static void
close_listener (TtoOidcFlow *self)
{
  if (self->server == NULL)
    return;

  /* Later visits get 404. With the code in, the server lives on until its
   * response to the browser is out, then disconnects. */
  soup_server_remove_handler (self->server, "/callback");
  if (!self->came_back)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
}

/* Ends the run, successfully with @body or with @error. */
static void
complete (TtoOidcFlow *self,
          JsonObject *body,
          GError *error)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->task);

  g_assert (task != NULL);

  g_clear_handle_id (&self->timeout_source, g_source_remove);
  if (self->cancelled_handler != 0)
    g_cancellable_disconnect (g_task_get_cancellable (task), self->cancelled_handler);
  self->cancelled_handler = 0;
  close_listener (self);
  g_clear_pointer (&self->redirect_uri, g_free);
  g_clear_pointer (&self->verifier, wipe_free);
  g_clear_pointer (&self->state, wipe_free);
  self->came_back = FALSE;

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, body, (GDestroyNotify) json_object_unref);
}

static void
send_request (TtoOidcFlow *self,
              const char *type,
              JsonObject *body,
              GAsyncReadyCallback callback)
{
  GTask *task = g_task_new (self, g_task_get_cancellable (self->task), callback,
                            GUINT_TO_POINTER (self->run));

  self->request (self, type, body, task, self->request_data);
  g_object_unref (task);
}

static void
on_finish_answered (GObject *object,
                    GAsyncResult *result,
                    gpointer user_data)
{
  TtoOidcFlow *self = TTO_OIDC_FLOW (object);
  g_autoptr (GError) error = NULL;
  JsonObject *body;

  body = g_task_propagate_pointer (G_TASK (result), &error);
  if (self->task == NULL || GPOINTER_TO_UINT (user_data) != self->run)
    {
      /* Cancelled meanwhile: the identity is not wanted, nor its token. */
      const char *token = body != NULL
                            ? json_object_get_string_member_with_default (body, "token", NULL)
                            : NULL;

      if (token != NULL)
        explicit_bzero ((char *) token, strlen (token));
      g_clear_pointer (&body, json_object_unref);
      return;
    }

  complete (self, body, g_steal_pointer (&error));
}

static void
send_finish (TtoOidcFlow *self,
             const char *code)
{
  JsonObject *body = json_object_new ();

  json_object_set_string_member (body, "state", self->state);
  json_object_set_string_member (body, "code", code);
  json_object_set_string_member (body, "code_verifier", self->verifier);
  json_object_set_string_member (body, "lifetime", self->lifetime);
  if (g_str_equal (self->lifetime, "timed"))
    json_object_set_int_member (body, "ttl", self->ttl);
  if (self->display_name != NULL)
    json_object_set_string_member (body, "display_name", self->display_name);

  send_request (self, TTO_FRAME_IDENTITY_OIDC_FINISH, body, on_finish_answered);
}

static void
respond_page (SoupServerMessage *msg,
              guint status,
              const char *heading,
              const char *text)
{
  g_autofree char *title = g_markup_escape_text (_("ThreeTwoOne"), -1);
  g_autofree char *h = g_markup_escape_text (heading, -1);
  g_autofree char *p = g_markup_escape_text (text, -1);
  g_autofree char *html = g_strdup_printf (
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    "<title>%s</title>"
    "<style>body{font-family:sans-serif;margin:20vh 1.5em 0;text-align:center}"
    "@media (prefers-color-scheme:dark){body{background:#242424;color:#fff}}</style>"
    "</head><body><h1>%s</h1><p>%s</p></body></html>\n",
    title, h, p);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  /* The code is in this page's URL: keep it out of caches and referrers. */
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY, html,
                                    strlen (html));
}

static gboolean
state_matches (const char *expected,
               const char *got)
{
  gsize length = strlen (expected);
  guint8 diff = 0;

  if (got == NULL || strlen (got) != length)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    diff |= (guint8) (expected[i] ^ got[i]);
  return diff == 0;
}

static void
on_callback (SoupServer *server,
             SoupServerMessage *msg,
             const char *path,
             GHashTable *query,
             gpointer user_data)
{
  TtoOidcFlow *self = user_data;
  const char *state = query != NULL ? g_hash_table_lookup (query, "state") : NULL;
  const char *code = query != NULL ? g_hash_table_lookup (query, "code") : NULL;
  const char *refusal = query != NULL ? g_hash_table_lookup (query, "error") : NULL;

  if (!g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_GET))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }

  /* Another page may call this port too (RFC 8252 8.1): only the state
   * handed out for this run counts. */
  if (self->task == NULL || self->came_back || self->state == NULL ||
      !state_matches (self->state, state))
    {
      respond_page (msg, SOUP_STATUS_BAD_REQUEST, _("This sign-in is not the one under way"),
                    _("ThreeTwoOne is not waiting for this page. Close it and start signing in "
                      "again from the app."));
      return;
    }

  /* The page goes out before the server closes (see close_listener). */
  self->came_back = TRUE;
  g_signal_connect_data (msg, "finished", G_CALLBACK (on_callback_response_finished),
                         g_object_ref (server), (GClosureNotify) (void (*) (void)) g_object_unref,
                         0);

  if (refusal != NULL || code == NULL || code[0] == '\0')
    {
      /* RFC 6749 4.1.2.1: error is a fixed word; anything else is not shown. */
      gboolean plain = refusal != NULL && refusal[0] != '\0' && strlen (refusal) <= 64 &&
                       strspn (refusal, "abcdefghijklmnopqrstuvwxyz_") == strlen (refusal);

      respond_page (msg, SOUP_STATUS_OK, _("Sign-in did not finish"),
                    _("The provider did not sign you in. Close this tab and try again in "
                      "ThreeTwoOne."));
      complete (self, NULL,
                g_error_new (TTO_OIDC_FLOW_ERROR, TTO_OIDC_FLOW_ERROR_DENIED,
                             _("The provider did not sign you in (%s)"),
                             plain ? refusal : "no code"));
      return;
    }

  respond_page (msg, SOUP_STATUS_OK, _("You can return to ThreeTwoOne"),
                _("Signing in is almost done. Close this tab and go back to the app."));
  send_finish (self, code);
  /* The query table is libsoup's: clear the code it holds. */
  explicit_bzero ((char *) code, strlen (code));
}

static void
on_browser_launched (GObject *object,
                     GAsyncResult *result,
                     gpointer user_data)
{
  g_autoptr (TtoOidcFlow) self = user_data;
  g_autoptr (GError) error = NULL;

  if (g_app_info_launch_default_for_uri_finish (result, &error) || self->task == NULL)
    return;

  complete (self, NULL,
            g_error_new (TTO_OIDC_FLOW_ERROR, TTO_OIDC_FLOW_ERROR_BROWSER,
                         _("Could not open the web browser: %s"), error->message));
}

static gboolean
tto_oidc_flow_real_open_uri (TtoOidcFlow *self,
                             const char *uri)
{
  g_app_info_launch_default_for_uri_async (uri, NULL, g_task_get_cancellable (self->task),
                                           on_browser_launched, g_object_ref (self));
  return TRUE;
}

static void
on_begin_answered (GObject *object,
                   GAsyncResult *result,
                   gpointer user_data)
{
  TtoOidcFlow *self = TTO_OIDC_FLOW (object);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;
  const char *url;
  const char *state;
  gboolean handled = FALSE;

  body = g_task_propagate_pointer (G_TASK (result), &error);
  if (self->task == NULL || GPOINTER_TO_UINT (user_data) != self->run)
    return;
  if (body == NULL)
    {
      complete (self, NULL, g_steal_pointer (&error));
      return;
    }

  url = json_object_get_string_member_with_default (body, "authorization_url", NULL);
  state = json_object_get_string_member_with_default (body, "state", NULL);
  if (url == NULL || state == NULL || state[0] == '\0' ||
      !(g_str_has_prefix (url, "https://") || g_str_has_prefix (url, "http://")))
    {
      complete (self, NULL,
                g_error_new_literal (TTO_OIDC_FLOW_ERROR, TTO_OIDC_FLOW_ERROR_BAD_ANSWER,
                                     _("The relay's answer does not say where to sign in")));
      return;
    }

  self->state = g_strdup (state);
  g_signal_emit (self, signals[OPEN_URI], 0, url, &handled);
}

static gboolean
on_cancelled_idle (gpointer user_data)
{
  TtoOidcFlow *self = user_data;

  if (self->task != NULL && g_cancellable_is_cancelled (g_task_get_cancellable (self->task)))
    complete (self, NULL,
              g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Sign-in cancelled")));
  return G_SOURCE_REMOVE;
}

/* Cancelling may happen in another thread, or inside g_cancellable_connect
 * (): the run ends from an idle on our context. */
static void
on_cancelled (GCancellable *cancellable,
              gpointer user_data)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, on_cancelled_idle, g_object_ref (user_data),
                   g_object_unref);
}

static gboolean
on_timeout (gpointer user_data)
{
  TtoOidcFlow *self = user_data;

  self->timeout_source = 0;
  complete (self, NULL,
            g_error_new_literal (TTO_OIDC_FLOW_ERROR, TTO_OIDC_FLOW_ERROR_TIMED_OUT,
                                 _("Nobody came back from the web browser in time; start "
                                   "signing in again")));
  return G_SOURCE_REMOVE;
}

void
tto_oidc_flow_run_async (TtoOidcFlow *self,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GTask) task = NULL;
  g_autoptr (GCancellable) own_cancellable = NULL;
  g_autofree char *challenge = NULL;
  guint8 random[VERIFIER_BYTES];
  GSList *uris;
  JsonObject *body;
  guint port;

  g_return_if_fail (TTO_IS_OIDC_FLOW (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* The run needs a cancellable of its own to hand to each request. */
  if (cancellable == NULL)
    cancellable = own_cancellable = g_cancellable_new ();
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_oidc_flow_run_async);

  if (self->task != NULL)
    {
      g_task_return_new_error (task, TTO_OIDC_FLOW_ERROR, TTO_OIDC_FLOW_ERROR_BUSY,
                               _("This sign-in is under way already"));
      return;
    }

  self->server = soup_server_new ("server-header", NULL, NULL);
  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      g_clear_object (&self->server);
      g_task_return_new_error (task, TTO_OIDC_FLOW_ERROR, TTO_OIDC_FLOW_ERROR_LISTEN,
                               _("Could not listen on this device for the web browser: %s"),
                               error->message);
      return;
    }
  uris = soup_server_get_uris (self->server);
  port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  soup_server_add_handler (self->server, "/callback", on_callback, self, NULL);

  self->task = g_steal_pointer (&task);
  self->run++;
  self->redirect_uri = g_strdup_printf ("http://127.0.0.1:%u/callback", port);
  tto_random_bytes (random, sizeof random);
  self->verifier = base64url (random, sizeof random);
  explicit_bzero (random, sizeof random);
  challenge = s256_challenge (self->verifier);

  self->timeout_source = g_timeout_add_seconds (WAIT_SECONDS, on_timeout, self);
  self->cancelled_handler = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), self,
                                                   NULL);

  body = json_object_new ();
  json_object_set_string_member (body, "provider", self->provider_id);
  json_object_set_string_member (body, "redirect_uri", self->redirect_uri);
  json_object_set_string_member (body, "code_challenge", challenge);
  json_object_set_string_member (body, "code_challenge_method", "S256");
  send_request (self, TTO_FRAME_IDENTITY_OIDC_BEGIN, body, on_begin_answered);
}

JsonObject *
tto_oidc_flow_run_finish (TtoOidcFlow *self,
                          GAsyncResult *result,
                          GError **error)
{
  g_return_val_if_fail (TTO_IS_OIDC_FLOW (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

TtoOidcFlow *
tto_oidc_flow_new (const char *provider_id,
                   TtoOidcFlowRequestFunc request,
                   gpointer request_data,
                   GDestroyNotify request_data_destroy)
{
  TtoOidcFlow *self;

  g_return_val_if_fail (provider_id != NULL, NULL);
  g_return_val_if_fail (request != NULL, NULL);

  self = g_object_new (TTO_TYPE_OIDC_FLOW, "provider-id", provider_id, NULL);
  self->request = request;
  self->request_data = request_data;
  self->request_data_destroy = request_data_destroy;
  return self;
}

static void
on_connection_answered (GObject *object,
                        GAsyncResult *result,
                        gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  JsonObject *body;

  if (g_async_result_is_tagged (result, tto_connection_sign_in_async))
    body = tto_connection_sign_in_finish (TTO_CONNECTION (object), result, &error);
  else
    body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);

  if (body == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, body, (GDestroyNotify) json_object_unref);
}

static void
on_connection_open (GObject *object,
                    GAsyncResult *result,
                    gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  JsonObject *body = g_task_get_task_data (task);

  if (!tto_connection_open_finish (TTO_CONNECTION (object), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  tto_connection_request_async (TTO_CONNECTION (object), TTO_FRAME_IDENTITY_OIDC_BEGIN,
                                json_object_ref (body), g_task_get_cancellable (task),
                                on_connection_answered, g_object_ref (task));
}

static void
connection_request (TtoOidcFlow *flow,
                    const char *type,
                    JsonObject *body,
                    GTask *task,
                    gpointer user_data)
{
  TtoConnection *connection = user_data;

  if (g_str_equal (type, TTO_FRAME_IDENTITY_OIDC_FINISH))
    {
      tto_connection_sign_in_async (connection, type, body, g_task_get_cancellable (task),
                                    on_connection_answered, g_object_ref (task));
      return;
    }

  g_task_set_task_data (task, body, (GDestroyNotify) json_object_unref);
  tto_connection_open_async (connection, g_task_get_cancellable (task), on_connection_open,
                             g_object_ref (task));
}

TtoOidcFlow *
tto_oidc_flow_new_for_connection (const char *provider_id,
                                  TtoConnection *connection)
{
  g_return_val_if_fail (TTO_IS_CONNECTION (connection), NULL);

  return tto_oidc_flow_new (provider_id, connection_request, g_object_ref (connection),
                            g_object_unref);
}

const char *
tto_oidc_flow_get_provider_id (TtoOidcFlow *self)
{
  g_return_val_if_fail (TTO_IS_OIDC_FLOW (self), NULL);

  return self->provider_id;
}

void
tto_oidc_flow_set_display_name (TtoOidcFlow *self,
                                const char *display_name)
{
  g_return_if_fail (TTO_IS_OIDC_FLOW (self));

  tto_set_str (&self->display_name, display_name != NULL && display_name[0] != '\0'
                                      ? display_name
                                      : NULL);
}

void
tto_oidc_flow_set_lifetime (TtoOidcFlow *self,
                            const char *lifetime,
                            guint ttl)
{
  g_return_if_fail (TTO_IS_OIDC_FLOW (self));
  g_return_if_fail (lifetime != NULL);

  tto_set_str (&self->lifetime, lifetime);
  self->ttl = ttl;
}

const char *
tto_oidc_flow_get_redirect_uri (TtoOidcFlow *self)
{
  g_return_val_if_fail (TTO_IS_OIDC_FLOW (self), NULL);

  return self->redirect_uri;
}

static void
tto_oidc_flow_dispose (GObject *object)
{
  TtoOidcFlow *self = TTO_OIDC_FLOW (object);

  /* A run holds a reference through its requests, so none is left here. */
  g_assert (self->task == NULL);
  close_listener (self);
  if (self->request_data_destroy != NULL)
    g_clear_pointer (&self->request_data, self->request_data_destroy);

  G_OBJECT_CLASS (tto_oidc_flow_parent_class)->dispose (object);
}

static void
tto_oidc_flow_finalize (GObject *object)
{
  TtoOidcFlow *self = TTO_OIDC_FLOW (object);

  g_free (self->provider_id);
  g_free (self->display_name);
  g_free (self->lifetime);
  g_free (self->redirect_uri);
  wipe_free (self->verifier);
  wipe_free (self->state);

  G_OBJECT_CLASS (tto_oidc_flow_parent_class)->finalize (object);
}

static void
tto_oidc_flow_get_property (GObject *object,
                            guint prop_id,
                            GValue *value,
                            GParamSpec *pspec)
{
  TtoOidcFlow *self = TTO_OIDC_FLOW (object);

  switch (prop_id)
    {
    case PROP_PROVIDER_ID:
      g_value_set_string (value, self->provider_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_oidc_flow_set_property (GObject *object,
                            guint prop_id,
                            const GValue *value,
                            GParamSpec *pspec)
{
  TtoOidcFlow *self = TTO_OIDC_FLOW (object);

  switch (prop_id)
    {
    case PROP_PROVIDER_ID:
      self->provider_id = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_oidc_flow_class_init (TtoOidcFlowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tto_oidc_flow_dispose;
  object_class->finalize = tto_oidc_flow_finalize;
  object_class->get_property = tto_oidc_flow_get_property;
  object_class->set_property = tto_oidc_flow_set_property;

  properties[PROP_PROVIDER_ID] =
    g_param_spec_string ("provider-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TtoOidcFlow::open-uri:
   * @uri: the provider's authorization URL
   *
   * Asks for @uri to be shown to the person. Return TRUE when handled;
   * the default handler opens the system browser. Tests connect here and
   * play the browser with an HTTP client.
   */
  signals[OPEN_URI] =
    g_signal_new_class_handler ("open-uri", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                G_CALLBACK (tto_oidc_flow_real_open_uri),
                                g_signal_accumulator_true_handled, NULL, NULL, G_TYPE_BOOLEAN, 1,
                                G_TYPE_STRING);
}

static void
tto_oidc_flow_init (TtoOidcFlow *self)
{
  self->lifetime = g_strdup ("one_time");
}
