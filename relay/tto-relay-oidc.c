/* tto-relay-oidc.c: third-party sign-in (OpenID Connect and plain OAuth 2)
 *
 * The client runs the native-app flow of RFC 8252 (system browser,
 * loopback redirect, PKCE); the relay holds the client secret, so it builds
 * the authorization URL (identity.oidc.begin) and exchanges the code
 * (identity.oidc.finish). Of everything the provider says, only its stable
 * subject is kept, and only as a keyed hash (identity_links). Codes,
 * tokens and subjects never reach the log and are wiped after use.
 *
 * Two provider types, one [provider <id>] group each in the key file:
 *   oidc    issuer → discovery document → JWKS; the ID token is verified
 *           here (signature, iss, aud/azp, exp, iat, nonce).
 *   oauth2  WeChat/QQ/Weibo style, no ID token: the subject is a field of
 *           the token answer or of the user-info answer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <sodium.h>
#include <string.h>

#include "tto-relay-auth.h"
#include "tto-relay-identity.h"
#include "tto-relay-oidc.h"
#include "tto-util.h"

G_DEFINE_QUARK (tto-relay-oidc-error-quark, tto_relay_oidc_error)

/* RFC 8252 wants sign-in state to be short-lived; the protocol says 10 min. */
#define STATE_TTL_SECONDS 600
/* At most this many sign-ins begun and not finished, relay-wide: each holds
 * a little RAM, and nothing else limits begin. */
#define MAX_PENDING 10000
#define STATE_BYTES 16
#define NONCE_BYTES 16
/* Discovery documents change rarely; keys rotate, which the unknown-kid
 * refetch covers. */
#define DISCOVERY_TTL_SECONDS 86400
/* Clocks of relay and provider differ a little. */
#define CLOCK_LEEWAY_SECONDS 60
#define HTTP_TIMEOUT_SECONDS 15
#define MAX_ID_TOKEN_BYTES (16 * 1024)
#define MAX_PROVIDER_ID_CHARS 40 /* "oidc:" + id fits identity_links.method */
#define MAX_REDIRECT_URI_CHARS 512

typedef enum
{
  PROVIDER_OIDC,
  PROVIDER_OAUTH2,
} ProviderType;

typedef enum
{
  AUTH_DEFAULT, /* oidc: from discovery; oauth2: client_secret_post */
  AUTH_BASIC,
  AUTH_POST,
} TokenAuth;

/* Where an oauth2 provider says who the person is. */
typedef enum
{
  SUBJECT_EITHER,   /* subject_field: the token answer's, else the user info's */
  SUBJECT_TOKEN,    /* subject_from=token:<field> */
  SUBJECT_USERINFO, /* subject_from=userinfo:<field> */
} SubjectSource;

/* One [provider <id>] group. Reference-counted (g_rc_box): a reload
 * replaces the list while sign-ins under way keep theirs. */
typedef struct
{
  char *id;
  ProviderType type;
  char *name;
  char *icon;
  char *client_id;
  char *client_secret;
  char *scopes; /* space-separated, as the authorization URL wants them */
  char *issuer;
  char *authorization_endpoint;
  char *token_endpoint;
  char *userinfo_endpoint;
  char *jwks_uri;
  char *subject_field;
  char *name_field;
  TokenAuth token_auth;
  gboolean userinfo_token_in_query;
  /* oauth2 only; the defaults are RFC 6749's POST form */
  gboolean token_get;
  char *client_id_param;
  char *client_secret_param;
  SubjectSource subject_source;
  GStrv userinfo_query; /* "name=value" or "name={token answer field}" */

  /* oidc: discovery and keys, fetched on first use */
  gboolean discovered;
  gint64 discovered_at;
  gboolean fetching;
  GQueue waiters; /* GTask, completed when the fetch ends */
  JsonObject *jwks;
} Provider;

/* One sign-in begun: what the relay must remember of it until finish. */
typedef struct
{
  Provider *provider;
  char *nonce;
  char *redirect_uri;
  char *code_challenge;
  gint64 expires_at;
} Pending;

struct _TtoRelayOidc
{
  GPtrArray *providers; /* Provider, in key file order */
  GHashTable *pending;  /* hex BLAKE2b of the state → Pending */
  GHashTable *busy;     /* TtoRelayConn with a finish under way (borrowed) */
  SoupSession *session;
  GCancellable *cancellable; /* cancelled when the relay stops */
};

static void
wipe_str (char *str)
{
  if (str != NULL)
    sodium_memzero (str, strlen (str));
}

/* Clears every string of @object (token answers, user info, claims)
 * before json-glib frees them. */
static void
wipe_json_object (JsonObject *object)
{
  JsonObjectIter iter;
  JsonNode *node;

  if (object == NULL)
    return;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, NULL, &node))
    {
      if (JSON_NODE_HOLDS_OBJECT (node))
        wipe_json_object (json_node_get_object (node));
      else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        wipe_str ((char *) json_node_get_string (node));
    }
}

static void
wipe_bytes (GBytes *bytes)
{
  gsize length;
  const void *data;

  if (bytes == NULL)
    return;

  data = g_bytes_get_data (bytes, &length);
  if (data != NULL)
    sodium_memzero ((void *) data, length);
}

/* Providers */

static void
provider_clear (Provider *p)
{
  g_free (p->id);
  g_free (p->name);
  g_free (p->icon);
  g_free (p->client_id);
  tto_str_wipe_free (p->client_secret);
  g_free (p->scopes);
  g_free (p->issuer);
  g_free (p->authorization_endpoint);
  g_free (p->token_endpoint);
  g_free (p->userinfo_endpoint);
  g_free (p->jwks_uri);
  g_free (p->subject_field);
  g_free (p->name_field);
  g_free (p->client_id_param);
  g_free (p->client_secret_param);
  g_strfreev (p->userinfo_query);
  /* Fetches hold a reference, so no waiter is left here. */
  g_assert (g_queue_is_empty (&p->waiters));
  g_clear_pointer (&p->jwks, json_object_unref);
}

static Provider *
provider_ref (Provider *p)
{
  return g_rc_box_acquire (p);
}

static void
provider_unref (Provider *p)
{
  g_rc_box_release_full (p, (GDestroyNotify) provider_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Provider, provider_unref)

static void
pending_free (Pending *pending)
{
  provider_unref (pending->provider);
  tto_str_wipe_free (pending->nonce);
  g_free (pending->redirect_uri);
  g_free (pending->code_challenge);
  g_free (pending);
}

/* Endpoints must be HTTPS; plain HTTP only on loopback, for tests and
 * development. */
static gboolean
endpoint_is_acceptable (const char *url)
{
  g_autoptr (GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *host;

  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    return FALSE;
  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0)
    return TRUE;

  host = g_uri_get_host (uri);
  return g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") == 0 &&
         (g_str_equal (host, "127.0.0.1") || g_str_equal (host, "::1") ||
          g_ascii_strcasecmp (host, "localhost") == 0);
}

static char *
group_string (GKeyFile *file,
              const char *group,
              const char *key,
              gboolean required,
              GError **error)
{
  g_autofree char *value = g_key_file_get_string (file, group, key, NULL);

  if (value != NULL)
    g_strstrip (value);
  if (value != NULL && value[0] != '\0')
    return g_steal_pointer (&value);

  if (required)
    g_set_error (error, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_CONFIG,
                 "[%s] %s is required", group, key);
  return NULL;
}

static gboolean
group_endpoint (GKeyFile *file,
                const char *group,
                const char *key,
                gboolean required,
                char **out,
                GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autofree char *value = group_string (file, group, key, required, &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (value != NULL && !endpoint_is_acceptable (value))
    {
      g_set_error (error, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_CONFIG,
                   "[%s] %s must be an https:// URL (http:// only on loopback)", group, key);
      return FALSE;
    }

  *out = g_steal_pointer (&value);
  return TRUE;
}

/* "openid profile", "openid;profile" and "openid, profile" all become
 * "openid profile". */
static char *
normalise_scopes (const char *value)
{
  g_auto (GStrv) parts = g_strsplit_set (value, " \t;,", -1);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) scopes = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      g_strv_builder_add (builder, parts[i]);
  scopes = g_strv_builder_end (builder);

  return g_strjoinv (" ", scopes);
}

static gboolean
is_param_name (const char *name)
{
  return g_regex_match_simple ("^[A-Za-z0-9_.-]{1,64}$", name, 0, 0);
}

/* A request parameter's name: @key of the group, else @fallback. */
static char *
group_param_name (GKeyFile *file,
                  const char *group,
                  const char *key,
                  const char *fallback,
                  GError **error)
{
  g_autofree char *name = group_string (file, group, key, FALSE, NULL);

  if (name == NULL)
    return g_strdup (fallback);
  if (!is_param_name (name))
    {
      g_set_error (error, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_CONFIG,
                   "[%s] %s must be 1 to 64 of A-Z a-z 0-9 _ . -", group, key);
      return NULL;
    }
  return g_steal_pointer (&name);
}

/* userinfo_query: "name=value&name={field}"; a value in braces is that
 * field of the token answer, any other value is sent as written. */
static gboolean
parse_userinfo_query (const char *group,
                      const char *text,
                      GStrv *out,
                      GError **error)
{
  g_auto (GStrv) pairs = g_strsplit (text, "&", -1);

  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char *eq = strchr (pairs[i], '=');
      g_autofree char *name = eq != NULL ? g_strndup (pairs[i], eq - pairs[i]) : NULL;
      const char *value = eq != NULL ? eq + 1 : NULL;
      gsize length = value != NULL ? strlen (value) : 0;
      gboolean field = length > 0 && value[0] == '{';

      if (name == NULL || !is_param_name (name) ||
          (field && (length < 3 || value[length - 1] != '}' ||
                     strpbrk (value + 1, "{") != NULL ||
                     strchr (value, '}') != value + length - 1)) ||
          (!field && strpbrk (value, "{}") != NULL))
        {
          g_set_error (error, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_CONFIG,
                       "[%s] userinfo_query must be name=value or name={field} pairs joined "
                       "by '&'", group);
          return FALSE;
        }
    }

  *out = g_steal_pointer (&pairs);
  return TRUE;
}

/* subject_from=token:<field> | userinfo:<field>, or the older
 * subject_field=<field> (token answer, else user info). */
static gboolean
parse_subject (GKeyFile *file,
               const char *group,
               Provider *p,
               GError **error)
{
  g_autofree char *from = group_string (file, group, "subject_from", FALSE, NULL);
  const char *colon = from != NULL ? strchr (from, ':') : NULL;

  p->subject_field = group_string (file, group, "subject_field", FALSE, NULL);
  if (from == NULL && p->subject_field == NULL)
    {
      g_set_error (error, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_CONFIG,
                   "[%s] subject_from is required (token:<field> or userinfo:<field>)", group);
      return FALSE;
    }
  if (from == NULL)
    {
      p->subject_source = SUBJECT_EITHER;
      return TRUE;
    }
  if (p->subject_field != NULL)
    {
      g_set_error (error, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_CONFIG,
                   "[%s] set subject_from or subject_field, not both", group);
      return FALSE;
    }

  if (colon != NULL && colon[1] != '\0' && g_str_has_prefix (from, "token:"))
    p->subject_source = SUBJECT_TOKEN;
  else if (colon != NULL && colon[1] != '\0' && g_str_has_prefix (from, "userinfo:"))
    p->subject_source = SUBJECT_USERINFO;
  else
    {
      g_set_error (error, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_CONFIG,
                   "[%s] subject_from must be token:<field> or userinfo:<field>", group);
      return FALSE;
    }
  p->subject_field = g_strdup (colon + 1);

  if (p->subject_source == SUBJECT_USERINFO && p->userinfo_endpoint == NULL)
    {
      g_set_error (error, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_CONFIG,
                   "[%s] subject_from=userinfo:<field> needs userinfo_endpoint", group);
      return FALSE;
    }
  return TRUE;
}

static Provider *
provider_parse (GKeyFile *file,
                const char *group,
                GError **error)
{
  g_autoptr (Provider) p = g_rc_box_new0 (Provider);
  g_autofree char *type = NULL;
  g_autofree char *scopes = NULL;
  g_autofree char *auth = NULL;
  g_autofree char *userinfo_token = NULL;
  g_autofree char *token_method = NULL;
  g_autofree char *userinfo_query = NULL;
  const char *id = group + strlen ("provider");

  g_queue_init (&p->waiters);

  while (*id == ' ' || *id == '\t')
    id++;
  if (id[0] == '\0' || strlen (id) > MAX_PROVIDER_ID_CHARS)
    {
      g_set_error (error, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_CONFIG,
                   "[%s]: a provider id of 1 to %d characters must follow \"provider \"", group,
                   MAX_PROVIDER_ID_CHARS);
      return NULL;
    }
  for (const char *c = id; *c; c++)
    if (!g_ascii_islower (*c) && !g_ascii_isdigit (*c) && *c != '_' && *c != '-')
      {
        g_set_error (error, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_CONFIG,
                     "[%s]: a provider id may hold only a-z, 0-9, '_' and '-'", group);
        return NULL;
      }
  p->id = g_strdup (id);

  type = group_string (file, group, "type", FALSE, NULL);
  if (type == NULL || g_str_equal (type, "oidc"))
    p->type = PROVIDER_OIDC;
  else if (g_str_equal (type, "oauth2"))
    p->type = PROVIDER_OAUTH2;
  else
    {
      g_set_error (error, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_CONFIG,
                   "[%s] type must be oidc or oauth2", group);
      return NULL;
    }

  p->name = group_string (file, group, "name", FALSE, NULL);
  if (p->name == NULL)
    p->name = g_strdup (p->id);
  p->icon = group_string (file, group, "icon", FALSE, NULL);
  if (p->icon == NULL)
    p->icon = g_strdup ("");
  p->client_id = group_string (file, group, "client_id", TRUE, error);
  if (p->client_id == NULL)
    return NULL;
  p->client_secret = group_string (file, group, "client_secret", TRUE, error);
  if (p->client_secret == NULL)
    return NULL;

  scopes = group_string (file, group, "scopes", FALSE, NULL);
  if (scopes == NULL)
    scopes = g_strdup (p->type == PROVIDER_OIDC ? "openid profile" : "");
  p->scopes = normalise_scopes (scopes);
  if (p->type == PROVIDER_OIDC && !g_regex_match_simple ("(^| )openid( |$)", p->scopes, 0, 0))
    {
      g_set_error (error, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_CONFIG,
                   "[%s] scopes of an oidc provider must include openid", group);
      return NULL;
    }

  auth = group_string (file, group, "token_auth", FALSE, NULL);
  if (auth == NULL)
    p->token_auth = AUTH_DEFAULT;
  else if (g_str_equal (auth, "client_secret_basic"))
    p->token_auth = AUTH_BASIC;
  else if (g_str_equal (auth, "client_secret_post"))
    p->token_auth = AUTH_POST;
  else
    {
      g_set_error (error, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_CONFIG,
                   "[%s] token_auth must be client_secret_basic or client_secret_post", group);
      return NULL;
    }

  p->name_field = group_string (file, group, "name_field", FALSE, NULL);
  if (p->name_field == NULL)
    p->name_field = g_strdup ("name");
  p->client_id_param = g_strdup ("client_id");
  p->client_secret_param = g_strdup ("client_secret");

  if (p->type == PROVIDER_OIDC)
    {
      if (!group_endpoint (file, group, "issuer", TRUE, &p->issuer, error))
        return NULL;
      return g_steal_pointer (&p);
    }

  if (!group_endpoint (file, group, "authorization_endpoint", TRUE, &p->authorization_endpoint,
                       error) ||
      !group_endpoint (file, group, "token_endpoint", TRUE, &p->token_endpoint, error) ||
      !group_endpoint (file, group, "userinfo_endpoint", FALSE, &p->userinfo_endpoint, error))
    return NULL;
  if (!parse_subject (file, group, p, error))
    return NULL;

  /* Some providers (WeChat) want the token request as a GET with its
   * parameters in the query, under their own names. */
  token_method = group_string (file, group, "token_method", FALSE, NULL);
  if (token_method != NULL && !g_str_equal (token_method, "get") &&
      !g_str_equal (token_method, "post"))
    {
      g_set_error (error, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_CONFIG,
                   "[%s] token_method must be get or post", group);
      return NULL;
    }
  p->token_get = g_strcmp0 (token_method, "get") == 0;
  g_free (p->client_id_param);
  p->client_id_param = group_param_name (file, group, "client_id_param", "client_id", error);
  if (p->client_id_param == NULL)
    return NULL;
  g_free (p->client_secret_param);
  p->client_secret_param = group_param_name (file, group, "client_secret_param",
                                             "client_secret", error);
  if (p->client_secret_param == NULL)
    return NULL;

  userinfo_query = group_string (file, group, "userinfo_query", FALSE, NULL);
  if (userinfo_query != NULL &&
      !parse_userinfo_query (group, userinfo_query, &p->userinfo_query, error))
    return NULL;

  userinfo_token = group_string (file, group, "userinfo_token", FALSE, NULL);
  if (userinfo_token != NULL && !g_str_equal (userinfo_token, "header") &&
      !g_str_equal (userinfo_token, "query"))
    {
      g_set_error (error, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_CONFIG,
                   "[%s] userinfo_token must be header or query", group);
      return NULL;
    }
  p->userinfo_token_in_query = g_strcmp0 (userinfo_token, "query") == 0;
  p->discovered = TRUE;

  return g_steal_pointer (&p);
}

static GPtrArray *
providers_load (const char *config_path,
                GError **error)
{
  g_autoptr (GPtrArray) providers = NULL;
  g_autoptr (GKeyFile) file = NULL;
  g_auto (GStrv) groups = NULL;

  providers = g_ptr_array_new_with_free_func ((GDestroyNotify) provider_unref);
  if (config_path == NULL)
    return g_steal_pointer (&providers);

  file = g_key_file_new ();
  if (!g_key_file_load_from_file (file, config_path, G_KEY_FILE_NONE, error))
    {
      g_prefix_error (error, "%s: ", config_path);
      return NULL;
    }

  groups = g_key_file_get_groups (file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      Provider *p;

      if (!g_str_has_prefix (groups[i], "provider ") && !g_str_has_prefix (groups[i], "provider\t"))
        continue;

      p = provider_parse (file, groups[i], error);
      if (p == NULL)
        {
          g_prefix_error (error, "%s: ", config_path);
          return NULL;
        }
      for (guint j = 0; j < providers->len; j++)
        if (g_str_equal (((Provider *) providers->pdata[j])->id, p->id))
          {
            g_set_error (error, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_CONFIG,
                         "%s: provider %s is configured twice", config_path, p->id);
            provider_unref (p);
            return NULL;
          }
      g_ptr_array_add (providers, p);
    }

  return g_steal_pointer (&providers);
}

static Provider *
find_provider (TtoRelayOidc *self,
               const char *id)
{
  for (guint i = 0; i < self->providers->len; i++)
    if (g_str_equal (((Provider *) self->providers->pdata[i])->id, id))
      return self->providers->pdata[i];

  return NULL;
}

TtoRelayOidc *
tto_relay_oidc_new (const char *config_path,
                    GError **error)
{
  g_autoptr (TtoRelayOidc) self = g_new0 (TtoRelayOidc, 1);

  self->providers = providers_load (config_path, error);
  if (self->providers == NULL)
    return NULL;

  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) pending_free);
  self->busy = g_hash_table_new (NULL, NULL);
  self->cancellable = g_cancellable_new ();
  self->session = soup_session_new_with_options ("timeout", HTTP_TIMEOUT_SECONDS,
                                                 "user-agent", "tto-relay ", NULL);

  return g_steal_pointer (&self);
}

gboolean
tto_relay_oidc_reload (TtoRelayOidc *self,
                       const char *config_path,
                       GError **error)
{
  GPtrArray *providers = providers_load (config_path, error);

  if (providers == NULL)
    return FALSE;

  g_ptr_array_unref (self->providers);
  self->providers = providers;
  return TRUE;
}

void
tto_relay_oidc_free (TtoRelayOidc *self)
{
  if (self == NULL)
    return;

  /* Requests under way see the cancellation and no longer touch @self. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->busy, g_hash_table_unref);
  g_clear_pointer (&self->providers, g_ptr_array_unref);
  g_free (self);
}

JsonArray *
tto_relay_oidc_providers_json (TtoRelay *relay)
{
  JsonArray *array = json_array_new ();

  g_return_val_if_fail (relay != NULL, array);

  for (guint i = 0; relay->oidc != NULL && i < relay->oidc->providers->len; i++)
    {
      Provider *p = relay->oidc->providers->pdata[i];
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "id", p->id);
      json_object_set_string_member (object, "name", p->name);
      json_object_set_string_member (object, "icon", p->icon);
      json_object_set_string_member (object, "type", p->type == PROVIDER_OIDC ? "oidc" : "oauth2");
      json_array_add_object_element (array, object);
    }

  return array;
}

/* base64url */

static GBytes *
base64url_decode (const char *text,
                  gsize length)
{
  gsize max = length * 3 / 4 + 3;
  guint8 *data = g_malloc (max);
  size_t decoded = 0;

  if (sodium_base642bin (data, max, text, length, NULL, &decoded, NULL,
                         sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    {
      g_free (data);
      return NULL;
    }

  return g_bytes_new_take (data, decoded);
}

static char *
base64url_encode (const guint8 *data,
                  gsize length)
{
  gsize size = sodium_base64_ENCODED_LEN (length, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  char *text = g_malloc (size);

  sodium_bin2base64 (text, size, data, length, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return text;
}

static char *
random_token (gsize bytes)
{
  guint8 raw[32];
  char *text;

  g_assert (bytes <= sizeof raw);
  randombytes_buf (raw, bytes);
  text = base64url_encode (raw, bytes);
  sodium_memzero (raw, sizeof raw);
  return text;
}

/* The state's key in the pending table: the state itself need not be kept. */
static char *
state_key (const char *state)
{
  guint8 hash[32];

  crypto_generichash (hash, sizeof hash, (const guint8 *) state, strlen (state), NULL, 0);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, hash, sizeof hash);
}

static gboolean
strings_equal_constant_time (const char *a,
                             const char *b)
{
  gsize length = strlen (a);

  return length == strlen (b) && sodium_memcmp (a, b, length) == 0;
}

/* ID token verification */

static JsonObject *
parse_json_object (const char *data,
                   gsize length)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, data, (gssize) length, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  return json_object_ref (json_node_get_object (root));
}

static JsonObject *
decode_json_segment (const char *segment,
                     gsize length)
{
  g_autoptr (GBytes) bytes = base64url_decode (segment, length);
  JsonObject *object;

  if (bytes == NULL)
    return NULL;
  object = parse_json_object (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  wipe_bytes (bytes);
  return object;
}

typedef struct
{
  const char *alg;
  const char *kty;
  gnutls_sign_algorithm_t sign;
  gnutls_ecc_curve_t curve; /* EC only */
  const char *crv;
  gsize coordinate_bytes;   /* EC only: r and s are this long each */
} Algorithm;

static const Algorithm algorithms[] = {
  { "RS256", "RSA", GNUTLS_SIGN_RSA_SHA256, 0, NULL, 0 },
  { "RS384", "RSA", GNUTLS_SIGN_RSA_SHA384, 0, NULL, 0 },
  { "RS512", "RSA", GNUTLS_SIGN_RSA_SHA512, 0, NULL, 0 },
  { "ES256", "EC", GNUTLS_SIGN_ECDSA_SHA256, GNUTLS_ECC_CURVE_SECP256R1, "P-256", 32 },
  { "ES384", "EC", GNUTLS_SIGN_ECDSA_SHA384, GNUTLS_ECC_CURVE_SECP384R1, "P-384", 48 },
};

static const Algorithm *
find_algorithm (const char *alg)
{
  for (guint i = 0; alg != NULL && i < G_N_ELEMENTS (algorithms); i++)
    if (g_str_equal (algorithms[i].alg, alg))
      return &algorithms[i];

  return NULL;
}

static const char *
jwk_string (JsonObject *jwk,
            const char *member)
{
  JsonNode *node = json_object_get_member (jwk, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
import_datum (JsonObject *jwk,
              const char *member,
              GBytes **out)
{
  const char *text = jwk_string (jwk, member);

  *out = text != NULL ? base64url_decode (text, strlen (text)) : NULL;
  return *out != NULL && g_bytes_get_size (*out) > 0;
}

static gnutls_datum_t
datum (GBytes *bytes)
{
  gnutls_datum_t d = { (unsigned char *) g_bytes_get_data (bytes, NULL),
                       (unsigned int) g_bytes_get_size (bytes) };

  return d;
}

/* TRUE when @jwk is a key of @algorithm's type that signed @input into
 * @signature. */
static gboolean
jwk_verifies (JsonObject *jwk,
              const Algorithm *algorithm,
              const gnutls_datum_t *input,
              GBytes *signature)
{
  gnutls_pubkey_t key = NULL;
  gnutls_datum_t sig = datum (signature);
  gnutls_datum_t der = { NULL, 0 };
  const char *use = jwk_string (jwk, "use");
  const char *alg = jwk_string (jwk, "alg");
  gboolean verified = FALSE;
  int ret;

  if (g_strcmp0 (jwk_string (jwk, "kty"), algorithm->kty) != 0 ||
      (use != NULL && !g_str_equal (use, "sig")) ||
      (alg != NULL && !g_str_equal (alg, algorithm->alg)))
    return FALSE;

  if (gnutls_pubkey_init (&key) < 0)
    return FALSE;

  if (algorithm->crv == NULL)
    {
      g_autoptr (GBytes) n = NULL;
      g_autoptr (GBytes) e = NULL;
      gnutls_datum_t dn, de;

      /* RSA keys under 2048 bits are refused (RFC 7518 3.3). */
      if (!import_datum (jwk, "n", &n) || !import_datum (jwk, "e", &e) ||
          g_bytes_get_size (n) < 256)
        goto out;
      dn = datum (n);
      de = datum (e);
      if (gnutls_pubkey_import_rsa_raw (key, &dn, &de) < 0)
        goto out;
      ret = gnutls_pubkey_verify_data2 (key, algorithm->sign, 0, input, &sig);
    }
  else
    {
      g_autoptr (GBytes) x = NULL;
      g_autoptr (GBytes) y = NULL;
      gnutls_datum_t dx, dy, r, s;

      if (g_strcmp0 (jwk_string (jwk, "crv"), algorithm->crv) != 0 ||
          !import_datum (jwk, "x", &x) || !import_datum (jwk, "y", &y) ||
          sig.size != 2 * algorithm->coordinate_bytes)
        goto out;
      dx = datum (x);
      dy = datum (y);
      if (gnutls_pubkey_import_ecc_raw (key, algorithm->curve, &dx, &dy) < 0)
        goto out;
      /* JWS carries r || s; GnuTLS wants the DER sequence. */
      r.data = sig.data;
      r.size = (unsigned int) algorithm->coordinate_bytes;
      s.data = sig.data + algorithm->coordinate_bytes;
      s.size = (unsigned int) algorithm->coordinate_bytes;
      if (gnutls_encode_rs_value (&der, &r, &s) < 0)
        goto out;
      ret = gnutls_pubkey_verify_data2 (key, algorithm->sign, 0, input, &der);
    }
  verified = ret >= 0;

out:
  gnutls_free (der.data);
  gnutls_pubkey_deinit (key);
  return verified;
}

static gboolean
claim_time (JsonObject *claims,
            const char *name,
            gint64 *out)
{
  JsonNode *node = json_object_get_member (claims, name);
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    *out = json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *out = (gint64) json_node_get_double (node);
  else
    return FALSE;

  return TRUE;
}

static gboolean
token_error (GError **error,
             const char *message)
{
  g_set_error_literal (error, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_TOKEN, message);
  return FALSE;
}

/* aud holds @client_id; with several audiences, azp must name us (OpenID
 * Connect Core 3.1.3.7, items 3 to 5). */
static gboolean
check_audience (JsonObject *claims,
                const char *client_id,
                GError **error)
{
  JsonNode *aud = json_object_get_member (claims, "aud");
  const char *azp = jwk_string (claims, "azp");
  gboolean found = FALSE;
  guint count = 0;

  if (aud != NULL && JSON_NODE_HOLDS_VALUE (aud) && json_node_get_value_type (aud) == G_TYPE_STRING)
    {
      found = g_str_equal (json_node_get_string (aud), client_id);
      count = 1;
    }
  else if (aud != NULL && JSON_NODE_HOLDS_ARRAY (aud))
    {
      JsonArray *array = json_node_get_array (aud);

      count = json_array_get_length (array);
      for (guint i = 0; i < count; i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) &&
              json_node_get_value_type (element) == G_TYPE_STRING &&
              g_str_equal (json_node_get_string (element), client_id))
            found = TRUE;
        }
    }

  if (!found)
    return token_error (error, "the ID token was issued to another client (aud)");
  if ((count > 1 && azp == NULL) || (azp != NULL && !g_str_equal (azp, client_id)))
    return token_error (error, "the ID token's authorized party (azp) is not this relay");

  return TRUE;
}

JsonObject *
tto_relay_oidc_verify_id_token (const char *id_token,
                                JsonObject *jwks,
                                const char *issuer,
                                const char *client_id,
                                const char *nonce,
                                gint64 now,
                                GError **error)
{
  g_auto (GStrv) parts = NULL;
  g_autoptr (JsonObject) header = NULL;
  g_autoptr (JsonObject) claims = NULL;
  g_autoptr (GBytes) signature = NULL;
  const Algorithm *algorithm;
  const char *kid;
  const char *claim_nonce;
  const char *sub;
  JsonArray *keys;
  gnutls_datum_t input;
  gboolean key_found = FALSE;
  gboolean verified = FALSE;
  gint64 exp, iat;

  g_return_val_if_fail (id_token != NULL && issuer != NULL && client_id != NULL, NULL);

  if (strlen (id_token) > MAX_ID_TOKEN_BYTES)
    {
      token_error (error, "the ID token is too large");
      return NULL;
    }
  parts = g_strsplit (id_token, ".", -1);
  if (g_strv_length (parts) != 3)
    {
      token_error (error, "the ID token is not a signed JWT (three parts)");
      return NULL;
    }

  header = decode_json_segment (parts[0], strlen (parts[0]));
  claims = decode_json_segment (parts[1], strlen (parts[1]));
  signature = base64url_decode (parts[2], strlen (parts[2]));
  if (header == NULL || claims == NULL || signature == NULL)
    {
      token_error (error, "the ID token is not well-formed");
      goto fail;
    }

  /* "none" and HMAC algorithms are refused: only the provider's public
   * keys may vouch for a token. */
  algorithm = find_algorithm (jwk_string (header, "alg"));
  if (algorithm == NULL)
    {
      token_error (error, "the ID token's signature algorithm (alg) is not supported");
      goto fail;
    }
  if (json_object_has_member (header, "crit"))
    {
      token_error (error, "the ID token has critical header extensions (crit) the relay does "
                          "not understand");
      goto fail;
    }

  /* The signing input is the first two parts as sent. */
  input.data = (unsigned char *) id_token;
  input.size = (unsigned int) (strlen (parts[0]) + 1 + strlen (parts[1]));
  kid = jwk_string (header, "kid");
  keys = jwks != NULL && json_object_has_member (jwks, "keys") &&
             JSON_NODE_HOLDS_ARRAY (json_object_get_member (jwks, "keys"))
           ? json_object_get_array_member (jwks, "keys")
           : NULL;
  for (guint i = 0; keys != NULL && i < json_array_get_length (keys) && !verified; i++)
    {
      JsonNode *node = json_array_get_element (keys, i);
      JsonObject *jwk;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      jwk = json_node_get_object (node);
      if (kid != NULL && g_strcmp0 (jwk_string (jwk, "kid"), kid) != 0)
        continue;
      key_found = TRUE;
      verified = jwk_verifies (jwk, algorithm, &input, signature);
    }

  if (!key_found)
    {
      g_set_error_literal (error, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_UNKNOWN_KEY,
                           "no key of the provider's JWKS matches the ID token (kid)");
      goto fail;
    }
  if (!verified)
    {
      token_error (error, "the ID token's signature does not verify against the provider's keys");
      goto fail;
    }

  if (g_strcmp0 (jwk_string (claims, "iss"), issuer) != 0)
    {
      token_error (error, "the ID token was issued by someone other than the provider (iss)");
      goto fail;
    }
  if (!check_audience (claims, client_id, error))
    goto fail;
  if (!claim_time (claims, "exp", &exp) || now > exp + CLOCK_LEEWAY_SECONDS)
    {
      token_error (error, "the ID token has expired (exp)");
      goto fail;
    }
  /* Issued just now: the code it came with lives minutes at most. */
  if (!claim_time (claims, "iat", &iat) || iat > now + CLOCK_LEEWAY_SECONDS ||
      iat < now - STATE_TTL_SECONDS - CLOCK_LEEWAY_SECONDS)
    {
      token_error (error, "the ID token's issue time (iat) is not plausible");
      goto fail;
    }
  claim_nonce = jwk_string (claims, "nonce");
  if (nonce != NULL && (claim_nonce == NULL || !strings_equal_constant_time (claim_nonce, nonce)))
    {
      token_error (error, "the ID token's nonce does not match this sign-in");
      goto fail;
    }
  sub = jwk_string (claims, "sub");
  if (sub == NULL || sub[0] == '\0' || strlen (sub) > 255)
    {
      token_error (error, "the ID token has no valid subject (sub)");
      goto fail;
    }

  wipe_json_object (header);
  return g_steal_pointer (&claims);

fail:
  wipe_json_object (header);
  wipe_json_object (claims);
  return NULL;
}

/* HTTP with the provider */

typedef struct
{
  SoupMessage *msg;
  GBytes *request_body; /* wiped when done: it holds the code and the secret */
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_clear_object (&fetch->msg);
  wipe_bytes (fetch->request_body);
  g_clear_pointer (&fetch->request_body, g_bytes_unref);
  g_free (fetch);
}

/* TRUE when @object is a refusal, even under HTTP 200: an "error" member
 * (RFC 6749 5.2; some providers answer it with 200) or a non-zero
 * "errcode" (WeChat style, always 200). @detail: the error code when it is
 * a fixed word or a number, else NULL; descriptions (error_description,
 * errmsg) may echo input, so they stay out. */
static gboolean
provider_refusal (JsonObject *object,
                  char **detail)
{
  JsonNode *errcode = object != NULL ? json_object_get_member (object, "errcode") : NULL;
  JsonNode *code = object != NULL ? json_object_get_member (object, "error") : NULL;

  *detail = NULL;
  if (errcode != NULL && JSON_NODE_HOLDS_VALUE (errcode))
    {
      GType type = json_node_get_value_type (errcode);
      const char *text = type == G_TYPE_STRING ? json_node_get_string (errcode) : NULL;
      gint64 number = type == G_TYPE_INT64 ? json_node_get_int (errcode)
                      : type == G_TYPE_DOUBLE ? (gint64) json_node_get_double (errcode)
                                              : 0;

      if (text != NULL && g_regex_match_simple ("^-?[0-9]{1,18}$", text, 0, 0))
        number = g_ascii_strtoll (text, NULL, 10);
      if (number != 0)
        {
          *detail = g_strdup_printf ("errcode %" G_GINT64_FORMAT, number);
          return TRUE;
        }
      if (text != NULL && text[0] != '\0' && !g_str_equal (text, "0"))
        return TRUE;
    }

  if (code != NULL && JSON_NODE_HOLDS_VALUE (code))
    {
      GType type = json_node_get_value_type (code);
      const char *text = type == G_TYPE_STRING ? json_node_get_string (code) : NULL;

      if (type == G_TYPE_INT64)
        {
          *detail = g_strdup_printf ("error %" G_GINT64_FORMAT, json_node_get_int (code));
          return TRUE;
        }
      if (text != NULL && text[0] != '\0')
        {
          if (strlen (text) <= 64 && g_regex_match_simple ("^[a-z_]+$", text, 0, 0))
            *detail = g_strdup (text);
          return TRUE;
        }
    }

  return FALSE;
}

static void
on_fetch_done (GObject *source,
               GAsyncResult *result,
               gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonObject) object = NULL;
  g_autofree char *detail = NULL;
  Fetch *fetch = g_task_get_task_data (task);
  gboolean refused;
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_PROVIDER,
                                 "the provider could not be reached (%s)", error->message);
      return;
    }

  status = soup_message_get_status (fetch->msg);
  object = parse_json_object (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  wipe_bytes (body);

  refused = provider_refusal (object, &detail);
  if (SOUP_STATUS_IS_SUCCESSFUL (status) && object != NULL && !refused)
    {
      g_task_return_pointer (task, g_steal_pointer (&object), (GDestroyNotify) json_object_unref);
      return;
    }

  if ((SOUP_STATUS_IS_SUCCESSFUL (status) && refused) || status == SOUP_STATUS_BAD_REQUEST ||
      status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    {
      /* The error code (RFC 6749 5.2) is a fixed word such as
       * invalid_grant, or a number such as errcode 40163. */
      if (detail == NULL && !SOUP_STATUS_IS_SUCCESSFUL (status))
        detail = g_strdup_printf ("HTTP %u", status);
      if (detail != NULL)
        g_task_return_new_error (task, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_REFUSED,
                                 "the provider refused (%s)", detail);
      else
        g_task_return_new_error (task, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_REFUSED,
                                 "the provider refused");
    }
  else
    g_task_return_new_error (task, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_PROVIDER,
                             "the provider answered HTTP %u%s", status,
                             object == NULL ? " without JSON" : "");
  wipe_json_object (object);
}

/* GET or POST @url; completes with the JSON object answered. */
static void
fetch_json_async (TtoRelayOidc *self,
                  SoupMessage *msg,
                  GBytes *request_body,
                  GAsyncReadyCallback callback,
                  gpointer user_data)
{
  GTask *task = g_task_new (NULL, self->cancellable, callback, user_data);
  Fetch *fetch = g_new0 (Fetch, 1);

  fetch->msg = msg;
  fetch->request_body = request_body;
  g_task_set_task_data (task, fetch, (GDestroyNotify) fetch_free);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/json");
  if (request_body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded",
                                              request_body);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, self->cancellable,
                                    on_fetch_done, task);
}

static JsonObject *
fetch_json_finish (GAsyncResult *result,
                   GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Discovery and keys */

static void provider_fetch_jwks (TtoRelayOidc *self,
                                 Provider *p);

static void
provider_complete_waiters (Provider *p,
                           const GError *error)
{
  GTask *task;

  p->fetching = FALSE;
  while ((task = g_queue_pop_head (&p->waiters)) != NULL)
    {
      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
}

static char *
discovered_endpoint (JsonObject *doc,
                     const char *member,
                     gboolean required,
                     GError **error)
{
  const char *url = jwk_string (doc, member);

  if (url == NULL && !required)
    return NULL;
  if (url == NULL || !endpoint_is_acceptable (url))
    {
      g_set_error (error, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_PROVIDER,
                   "the provider's discovery document lacks a usable %s", member);
      return NULL;
    }
  return g_strdup (url);
}

static gboolean
apply_discovery (Provider *p,
                 JsonObject *doc,
                 GError **error)
{
  g_autofree char *authorization = NULL;
  g_autofree char *token = NULL;
  g_autofree char *jwks = NULL;
  g_autofree char *userinfo = NULL;
  JsonNode *methods;

  /* OpenID Connect Discovery 4.3: the issuer must be exactly the one asked. */
  if (g_strcmp0 (jwk_string (doc, "issuer"), p->issuer) != 0)
    {
      g_set_error (error, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_PROVIDER,
                   "the provider's discovery document names another issuer");
      return FALSE;
    }

  authorization = discovered_endpoint (doc, "authorization_endpoint", TRUE, error);
  if (authorization == NULL)
    return FALSE;
  token = discovered_endpoint (doc, "token_endpoint", TRUE, error);
  if (token == NULL)
    return FALSE;
  jwks = discovered_endpoint (doc, "jwks_uri", TRUE, error);
  if (jwks == NULL)
    return FALSE;
  userinfo = discovered_endpoint (doc, "userinfo_endpoint", FALSE, NULL);

  g_free (p->authorization_endpoint);
  p->authorization_endpoint = g_steal_pointer (&authorization);
  g_free (p->token_endpoint);
  p->token_endpoint = g_steal_pointer (&token);
  g_free (p->jwks_uri);
  p->jwks_uri = g_steal_pointer (&jwks);
  g_free (p->userinfo_endpoint);
  p->userinfo_endpoint = g_steal_pointer (&userinfo);

  /* Basic is the default when the provider does not say (Discovery 3). */
  methods = json_object_get_member (doc, "token_endpoint_auth_methods_supported");
  if (p->token_auth == AUTH_DEFAULT && methods != NULL && JSON_NODE_HOLDS_ARRAY (methods))
    {
      JsonArray *array = json_node_get_array (methods);
      gboolean basic = FALSE, post = FALSE;

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *m = json_array_get_string_element (array, i);

          basic |= g_strcmp0 (m, "client_secret_basic") == 0;
          post |= g_strcmp0 (m, "client_secret_post") == 0;
        }
      if (!basic && post)
        p->token_auth = AUTH_POST;
    }

  return TRUE;
}

typedef struct
{
  TtoRelayOidc *self;
  Provider *provider;
} ProviderFetch;

static void
provider_fetch_free (ProviderFetch *fetch)
{
  provider_unref (fetch->provider);
  g_free (fetch);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProviderFetch, provider_fetch_free)

static void
on_jwks_fetched (GObject *source,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (ProviderFetch) fetch = user_data;
  g_autoptr (JsonObject) jwks = NULL;
  g_autoptr (GError) error = NULL;
  Provider *p = fetch->provider;

  jwks = fetch_json_finish (result, &error);
  if (jwks != NULL && !(json_object_has_member (jwks, "keys") &&
                        JSON_NODE_HOLDS_ARRAY (json_object_get_member (jwks, "keys"))))
    error = g_error_new_literal (TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_PROVIDER,
                                 "the provider's JWKS has no keys");

  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("oidc provider %s: keys not loaded: %s", p->id, error->message);
      provider_complete_waiters (p, error);
      return;
    }

  g_clear_pointer (&p->jwks, json_object_unref);
  p->jwks = g_steal_pointer (&jwks);
  p->discovered = TRUE;
  p->discovered_at = tto_relay_now_seconds ();
  provider_complete_waiters (p, NULL);
}

static void
provider_fetch_jwks (TtoRelayOidc *self,
                     Provider *p)
{
  ProviderFetch *fetch = g_new0 (ProviderFetch, 1);

  fetch->self = self;
  fetch->provider = provider_ref (p);
  fetch_json_async (self, soup_message_new (SOUP_METHOD_GET, p->jwks_uri), NULL, on_jwks_fetched,
                    fetch);
}

static void
on_discovery_fetched (GObject *source,
                      GAsyncResult *result,
                      gpointer user_data)
{
  g_autoptr (ProviderFetch) fetch = user_data;
  g_autoptr (JsonObject) doc = NULL;
  g_autoptr (GError) error = NULL;
  Provider *p = fetch->provider;

  doc = fetch_json_finish (result, &error);
  if (doc == NULL || !apply_discovery (p, doc, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("oidc provider %s: discovery failed: %s", p->id, error->message);
      provider_complete_waiters (p, error);
      return;
    }

  provider_fetch_jwks (fetch->self, p);
}

/* Completes when @p's endpoints and keys are known: at once for oauth2
 * and for a fresh discovery, else after fetching them. @refresh_keys:
 * fetch the JWKS again (an ID token named a kid we do not know). */
static void
provider_ready_async (TtoRelayOidc *self,
                      Provider *p,
                      gboolean refresh_keys,
                      GAsyncReadyCallback callback,
                      gpointer user_data)
{
  GTask *task = g_task_new (NULL, self->cancellable, callback, user_data);
  gboolean fresh = p->discovered &&
                   (p->type == PROVIDER_OAUTH2 ||
                    tto_relay_now_seconds () - p->discovered_at < DISCOVERY_TTL_SECONDS);

  if (fresh && !refresh_keys)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  g_queue_push_tail (&p->waiters, task);
  if (p->fetching)
    return;

  p->fetching = TRUE;
  if (fresh)
    provider_fetch_jwks (self, p);
  else
    {
      ProviderFetch *fetch = g_new0 (ProviderFetch, 1);
      g_autofree char *url = g_strconcat (p->issuer,
                                          g_str_has_suffix (p->issuer, "/") ? "" : "/",
                                          ".well-known/openid-configuration", NULL);

      fetch->self = self;
      fetch->provider = provider_ref (p);
      fetch_json_async (self, soup_message_new (SOUP_METHOD_GET, url), NULL,
                        on_discovery_fetched, fetch);
    }
}

static gboolean
provider_ready_finish (GAsyncResult *result,
                       GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* identity.oidc.begin */

/* RFC 8252 7.3: http, a loopback address (or localhost), any port. */
static gboolean
redirect_uri_is_loopback (const char *text)
{
  g_autoptr (GUri) uri = NULL;
  const char *host;

  if (strlen (text) > MAX_REDIRECT_URI_CHARS)
    return FALSE;
  uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") != 0 ||
      g_uri_get_userinfo (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    return FALSE;

  host = g_uri_get_host (uri);
  return host != NULL && (g_str_equal (host, "127.0.0.1") || g_str_equal (host, "::1") ||
                          g_ascii_strcasecmp (host, "localhost") == 0);
}

typedef struct
{
  TtoRelayOidc *self;
  TtoRelayConn *conn;
  char *id;
  Provider *provider;
  char *redirect_uri;
  char *code_challenge;
} Begin;

static void
begin_free (Begin *begin)
{
  tto_relay_conn_unref (begin->conn);
  g_free (begin->id);
  provider_unref (begin->provider);
  g_free (begin->redirect_uri);
  g_free (begin->code_challenge);
  g_free (begin);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Begin, begin_free)

static void
drop_expired_states (TtoRelayOidc *self)
{
  GHashTableIter iter;
  gpointer value;
  gint64 now = tto_relay_now_seconds ();

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((Pending *) value)->expires_at <= now)
      g_hash_table_iter_remove (&iter);
}

static void
append_query (GString *url,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

  g_string_append_c (url, url->len > 0 && strchr (url->str, '?') != NULL ? '&' : '?');
  g_string_append (url, name);
  g_string_append_c (url, '=');
  g_string_append (url, escaped);
  wipe_str (escaped);
}

static void
on_begin_provider_ready (GObject *source,
                         GAsyncResult *result,
                         gpointer user_data)
{
  g_autoptr (Begin) begin = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) url = NULL;
  g_autofree char *state = NULL;
  TtoRelayOidc *self = begin->self;
  Provider *p = begin->provider;
  Pending *pending;
  JsonObject *body;

  if (!provider_ready_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (begin->conn->relay != NULL)
        tto_relay_reply_error (begin->conn, begin->id, TTO_PROTOCOL_ERROR_UNAVAILABLE,
                               "%s sign-in is unavailable right now; try again later", p->name);
      return;
    }
  if (begin->conn->relay == NULL)
    return;

  drop_expired_states (self);
  if (g_hash_table_size (self->pending) >= MAX_PENDING)
    {
      tto_relay_reply_error (begin->conn, begin->id, TTO_PROTOCOL_ERROR_RATE_LIMITED,
                             "too many sign-ins under way; try again in a few minutes");
      return;
    }

  state = random_token (STATE_BYTES);
  pending = g_new0 (Pending, 1);
  pending->provider = provider_ref (p);
  pending->nonce = random_token (NONCE_BYTES);
  pending->redirect_uri = g_steal_pointer (&begin->redirect_uri);
  pending->code_challenge = g_steal_pointer (&begin->code_challenge);
  pending->expires_at = tto_relay_now_seconds () + STATE_TTL_SECONDS;
  g_hash_table_insert (self->pending, state_key (state), pending);

  url = g_string_new (p->authorization_endpoint);
  append_query (url, "response_type", "code");
  append_query (url, p->client_id_param, p->client_id);
  append_query (url, "redirect_uri", pending->redirect_uri);
  if (p->scopes[0] != '\0')
    append_query (url, "scope", p->scopes);
  append_query (url, "state", state);
  if (p->type == PROVIDER_OIDC)
    append_query (url, "nonce", pending->nonce);
  append_query (url, "code_challenge", pending->code_challenge);
  append_query (url, "code_challenge_method", "S256");

  body = json_object_new ();
  json_object_set_string_member (body, "authorization_url", url->str);
  json_object_set_string_member (body, "state", state);
  json_object_set_int_member (body, "expires_in", STATE_TTL_SECONDS);
  tto_relay_reply_ok (begin->conn, begin->id, body);
}

static void
handle_oidc_begin (TtoRelayConn *conn,
                   TtoFrame *frame)
{
  TtoRelayOidc *self = conn->relay->oidc;
  const char *provider_id = tto_frame_get_string (frame, "provider");
  const char *redirect_uri = tto_frame_get_string (frame, "redirect_uri");
  Provider *p = find_provider (self, provider_id);
  Begin *begin;

  /* A signed-in connection may begin too: signing in again verifies the
   * identity anew (see tto_relay_identity_sign_in). */
  if (p == NULL)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_NOT_FOUND,
                             "this relay has no sign-in provider of that id; "
                             "identity.methods lists them");
      return;
    }
  if (!redirect_uri_is_loopback (redirect_uri))
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_BAD_FRAME,
                             "body.redirect_uri must be a loopback http URI such as "
                             "http://127.0.0.1:PORT/callback (RFC 8252 7.3)");
      return;
    }

  begin = g_new0 (Begin, 1);
  begin->self = self;
  begin->conn = tto_relay_conn_ref (conn);
  begin->id = g_strdup (frame->id);
  begin->provider = provider_ref (p);
  begin->redirect_uri = g_strdup (redirect_uri);
  begin->code_challenge = g_strdup (tto_frame_get_string (frame, "code_challenge"));
  provider_ready_async (self, p, FALSE, on_begin_provider_ready, begin);
}

/* identity.oidc.finish */

typedef struct
{
  TtoRelayOidc *self;    /* alive while cancellable is not cancelled */
  GCancellable *cancellable;
  TtoRelayConn *conn;
  char *id;
  Pending *pending;
  char *code;
  char *code_verifier;
  char *display_name; /* asked for, or NULL */
  char *kind;
  gint64 expires_at;
  char *access_token;
  char *subject;
  char *provider_name; /* the name claim or field */
  gboolean keys_refreshed;
  JsonObject *token_answer;
} Finish;

static void
finish_free (Finish *finish)
{
  /* The relay may be gone (cancelled): then self is not touched. */
  if (!g_cancellable_is_cancelled (finish->cancellable))
    g_hash_table_remove (finish->self->busy, finish->conn);
  g_object_unref (finish->cancellable);
  tto_relay_conn_unref (finish->conn);
  g_free (finish->id);
  g_clear_pointer (&finish->pending, pending_free);
  tto_str_wipe_free (finish->code);
  tto_str_wipe_free (finish->code_verifier);
  g_free (finish->display_name);
  g_free (finish->kind);
  tto_str_wipe_free (finish->access_token);
  tto_str_wipe_free (finish->subject);
  tto_str_wipe_free (finish->provider_name);
  wipe_json_object (finish->token_answer);
  g_clear_pointer (&finish->token_answer, json_object_unref);
  g_free (finish);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Finish, finish_free)

static gboolean
finish_is_live (Finish *finish,
                const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;
  return finish->conn->relay != NULL;
}

/* Every failure after the state was taken: unauthorized with the reason,
 * which names the check, never the token. */
static void
finish_fail (Finish *finish,
             const GError *error)
{
  Provider *p = finish->pending->provider;

  if (error->domain == TTO_RELAY_OIDC_ERROR && error->code == TTO_RELAY_OIDC_ERROR_PROVIDER)
    {
      g_message ("oidc provider %s: sign-in failed: %s", p->id, error->message);
      tto_relay_reply_error (finish->conn, finish->id, TTO_PROTOCOL_ERROR_UNAVAILABLE,
                             "%s sign-in failed: %s", p->name, error->message);
      return;
    }

  g_message ("oidc provider %s: sign-in refused: %s", p->id, error->message);
  tto_relay_reply_error (finish->conn, finish->id, TTO_PROTOCOL_ERROR_UNAUTHORIZED,
                         "%s sign-in refused: %s", p->name, error->message);
}

static void
finish_sign_in (Finish *finish)
{
  Provider *p = finish->pending->provider;
  g_autofree char *method = g_strconcat ("oidc:", p->id, NULL);
  g_autofree char *fallback = g_strdup_printf ("%s user", p->name);
  g_autofree char *from_provider = NULL;
  const char *name = finish->display_name;

  if (name == NULL && finish->provider_name != NULL)
    {
      from_provider = tto_relay_auth_clean_display_name (finish->provider_name);
      if (from_provider != NULL && g_utf8_strlen (from_provider, -1) > TTO_PROTOCOL_MAX_NAME_CHARS)
        g_clear_pointer (&from_provider, g_free);
      name = from_provider;
    }
  if (name == NULL)
    name = fallback;

  tto_relay_identity_sign_in (finish->conn, finish->id, method, finish->subject, name,
                              finish->kind, finish->expires_at, TTO_RELAY_VERIFIED_THIRD_PARTY);
}

static const char *
answer_string (JsonObject *object,
               const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

/* A string member, or a number's decimal text (Weibo's uid may be one). */
static char *
answer_text (JsonObject *object,
             const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;
  const char *text;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));

  text = answer_string (object, member);
  if (text == NULL || text[0] == '\0')
    return NULL;
  return g_strdup (text);
}

static char *
answer_subject (JsonObject *object,
                const char *member)
{
  char *text = answer_text (object, member);

  if (text != NULL && strlen (text) > 255)
    g_clear_pointer (&text, tto_str_wipe_free);
  return text;
}

static void
on_userinfo_fetched (GObject *source,
                     GAsyncResult *result,
                     gpointer user_data)
{
  g_autoptr (Finish) finish = user_data;
  g_autoptr (JsonObject) info = NULL;
  g_autoptr (GError) error = NULL;
  Provider *p = finish->pending->provider;

  info = fetch_json_finish (result, &error);
  if (!finish_is_live (finish, error))
    {
      wipe_json_object (info);
      return;
    }

  if (info == NULL)
    {
      /* The name is a nicety when the subject is known already (from the
       * ID token, or the token answer). */
      if (finish->subject != NULL)
        finish_sign_in (finish);
      else
        {
          g_prefix_error (&error, "user info failed: ");
          finish_fail (finish, error);
        }
      return;
    }

  {
    /* OpenID Connect Core 5.3.2: user info of another subject is ignored;
     * so is an oauth2 answer naming another id than the token answer (one
     * without that field speaks of the token's holder). */
    g_autofree char *sub = answer_subject (info, p->type == PROVIDER_OIDC ? "sub"
                                                                           : p->subject_field);
    gboolean same;

    if (finish->subject == NULL && p->type == PROVIDER_OAUTH2)
      finish->subject = g_strdup (sub);
    same = sub != NULL ? g_strcmp0 (sub, finish->subject) == 0 : p->type == PROVIDER_OAUTH2;
    if (same && finish->provider_name == NULL)
      finish->provider_name = g_strdup (answer_string (info, p->name_field));
    wipe_str (sub);
  }
  wipe_json_object (info);

  if (finish->subject == NULL)
    {
      g_autoptr (GError) missing = g_error_new (TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_REFUSED,
                                                "the provider's user info has no %s",
                                                p->subject_field);

      finish_fail (finish, missing);
      return;
    }

  finish_sign_in (finish);
}

/* Appends @p's userinfo_query to @url, each {field} taken from the token
 * answer. FALSE, with *@missing the field, when the answer lacks one. */
static gboolean
append_userinfo_query (GString *url,
                       Provider *p,
                       JsonObject *token_answer,
                       char **missing)
{
  for (guint i = 0; p->userinfo_query != NULL && p->userinfo_query[i] != NULL; i++)
    {
      const char *pair = p->userinfo_query[i];
      const char *value = strchr (pair, '=') + 1;
      g_autofree char *name = g_strndup (pair, value - 1 - pair);
      g_autofree char *field = NULL;
      g_autofree char *filled = NULL;

      if (value[0] != '{')
        {
          append_query (url, name, value);
          continue;
        }

      field = g_strndup (value + 1, strlen (value) - 2);
      filled = answer_text (token_answer, field);
      if (filled == NULL)
        {
          *missing = g_steal_pointer (&field);
          return FALSE;
        }
      append_query (url, name, filled);
      wipe_str (filled);
    }

  return TRUE;
}

static void
fetch_userinfo (Finish *finish_)
{
  g_autoptr (Finish) finish = finish_;
  Provider *p = finish->pending->provider;
  g_autoptr (GString) url = g_string_new (p->userinfo_endpoint);
  g_autofree char *missing = NULL;
  TtoRelayOidc *self;
  SoupMessage *msg;

  /* Some providers (WeChat, QQ) take the token only in the query, and
   * want more of the token answer with it (WeChat's openid). */
  if (p->userinfo_token_in_query)
    append_query (url, "access_token", finish->access_token);
  if (!append_userinfo_query (url, p, finish->token_answer, &missing))
    {
      wipe_str (url->str);
      if (finish->subject != NULL)
        finish_sign_in (finish);
      else
        {
          g_autoptr (GError) error = g_error_new (TTO_RELAY_OIDC_ERROR,
                                                  TTO_RELAY_OIDC_ERROR_REFUSED,
                                                  "the provider's token answer has no %s",
                                                  missing);

          finish_fail (finish, error);
        }
      return;
    }
  /* subject_field's older rule: the subject goes along in the query. */
  if (p->userinfo_token_in_query && p->userinfo_query == NULL &&
      p->subject_source == SUBJECT_EITHER && p->type == PROVIDER_OAUTH2 &&
      finish->subject != NULL)
    append_query (url, p->subject_field, finish->subject);

  msg = soup_message_new (SOUP_METHOD_GET, url->str);
  wipe_str (url->str);
  if (!p->userinfo_token_in_query)
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", finish->access_token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    bearer);
      wipe_str (bearer);
    }

  self = finish->self; /* before the steal: argument order is unspecified */
  fetch_json_async (self, msg, NULL, on_userinfo_fetched, g_steal_pointer (&finish));
}

static void verify_id_token (Finish *finish);

static void
on_keys_refreshed (GObject *source,
                   GAsyncResult *result,
                   gpointer user_data)
{
  g_autoptr (Finish) finish = user_data;
  g_autoptr (GError) error = NULL;

  provider_ready_finish (result, &error);
  if (!finish_is_live (finish, error))
    return;
  if (error != NULL)
    {
      finish_fail (finish, error);
      return;
    }

  verify_id_token (g_steal_pointer (&finish));
}

static void
verify_id_token (Finish *finish_)
{
  g_autoptr (Finish) finish = finish_;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) claims = NULL;
  Provider *p = finish->pending->provider;
  const char *id_token = answer_string (finish->token_answer, "id_token");

  if (id_token == NULL)
    {
      g_autoptr (GError) missing = g_error_new_literal (TTO_RELAY_OIDC_ERROR,
                                                        TTO_RELAY_OIDC_ERROR_REFUSED,
                                                        "the provider's token answer has no "
                                                        "ID token");

      finish_fail (finish, missing);
      return;
    }

  claims = tto_relay_oidc_verify_id_token (id_token, p->jwks, p->issuer, p->client_id,
                                           finish->pending->nonce, tto_relay_now_seconds (),
                                           &error);
  if (claims == NULL &&
      g_error_matches (error, TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_UNKNOWN_KEY) &&
      !finish->keys_refreshed)
    {
      /* The provider may have rotated its keys since we fetched them.
       * (self first: the order arguments are evaluated in is unspecified.) */
      TtoRelayOidc *self = finish->self;

      finish->keys_refreshed = TRUE;
      provider_ready_async (self, p, TRUE, on_keys_refreshed, g_steal_pointer (&finish));
      return;
    }
  if (claims == NULL)
    {
      finish_fail (finish, error);
      return;
    }

  finish->subject = g_strdup (answer_string (claims, "sub"));
  finish->provider_name = g_strdup (answer_string (claims, p->name_field));
  wipe_json_object (claims);

  /* Many providers keep the name out of the ID token (OpenID Connect Core
   * 5.4): ask user info for it. */
  if (finish->display_name == NULL && finish->provider_name == NULL &&
      p->userinfo_endpoint != NULL && finish->access_token != NULL)
    {
      fetch_userinfo (g_steal_pointer (&finish));
      return;
    }

  finish_sign_in (finish);
}

static void
on_token_answered (GObject *source,
                   GAsyncResult *result,
                   gpointer user_data)
{
  g_autoptr (Finish) finish = user_data;
  g_autoptr (GError) error = NULL;
  Provider *p = finish->pending->provider;

  finish->token_answer = fetch_json_finish (result, &error);
  if (!finish_is_live (finish, error))
    return;
  if (finish->token_answer == NULL)
    {
      g_prefix_error (&error, "token exchange failed: ");
      finish_fail (finish, error);
      return;
    }

  finish->access_token = g_strdup (answer_string (finish->token_answer, "access_token"));
  if (p->type == PROVIDER_OIDC)
    {
      verify_id_token (g_steal_pointer (&finish));
      return;
    }

  /* oauth2: some providers answer the subject with the token already
   * (WeChat's openid, Weibo's uid). */
  if (p->subject_source != SUBJECT_USERINFO)
    finish->subject = answer_subject (finish->token_answer, p->subject_field);
  if (finish->subject == NULL &&
      (p->subject_source == SUBJECT_TOKEN || p->userinfo_endpoint == NULL))
    {
      g_autoptr (GError) missing = g_error_new (TTO_RELAY_OIDC_ERROR, TTO_RELAY_OIDC_ERROR_REFUSED,
                                                "the provider's token answer has no %s",
                                                p->subject_field);

      finish_fail (finish, missing);
      return;
    }
  if (p->userinfo_endpoint != NULL && (finish->subject == NULL || finish->display_name == NULL))
    {
      if (finish->access_token != NULL)
        {
          fetch_userinfo (g_steal_pointer (&finish));
          return;
        }
      if (finish->subject == NULL)
        {
          g_autoptr (GError) missing = g_error_new_literal (TTO_RELAY_OIDC_ERROR,
                                                            TTO_RELAY_OIDC_ERROR_REFUSED,
                                                            "the provider's token answer has "
                                                            "no access_token");

          finish_fail (finish, missing);
          return;
        }
    }

  finish_sign_in (finish);
}

/* One form or query parameter, escaped; the escaped copy is wiped (codes,
 * the secret). */
static void
append_param (GString *params,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

  if (params->len > 0)
    g_string_append_c (params, '&');
  g_string_append_printf (params, "%s=%s", name, escaped);
  wipe_str (escaped);
}

static void
exchange_code (Finish *finish)
{
  Provider *p = finish->pending->provider;
  g_autoptr (GString) params = g_string_new (NULL);
  gboolean basic = !(p->token_auth == AUTH_POST ||
                     (p->token_auth == AUTH_DEFAULT && p->type == PROVIDER_OAUTH2));
  GBytes *body = NULL;
  SoupMessage *msg;

  append_param (params, "grant_type", "authorization_code");
  append_param (params, "code", finish->code);
  append_param (params, "redirect_uri", finish->pending->redirect_uri);
  append_param (params, "code_verifier", finish->code_verifier);
  if (!basic)
    {
      append_param (params, p->client_id_param, p->client_id);
      append_param (params, p->client_secret_param, p->client_secret);
    }

  if (p->token_get)
    {
      /* token_method=get: the parameters go in the query (WeChat). */
      g_autofree char *url = g_strconcat (p->token_endpoint,
                                          strchr (p->token_endpoint, '?') != NULL ? "&" : "?",
                                          params->str, NULL);

      msg = soup_message_new (SOUP_METHOD_GET, url);
      wipe_str (url);
      wipe_str (params->str);
    }
  else
    {
      gsize length = params->len;

      msg = soup_message_new (SOUP_METHOD_POST, p->token_endpoint);
      body = g_bytes_new_take (g_string_free (g_steal_pointer (&params), FALSE), length);
    }

  if (basic)
    {
      /* RFC 6749 2.3.1: both parts form-encoded before base64. */
      g_autofree char *client_id = g_uri_escape_string (p->client_id, NULL, FALSE);
      g_autofree char *secret = g_uri_escape_string (p->client_secret, NULL, FALSE);
      g_autofree char *pair = g_strconcat (client_id, ":", secret, NULL);
      g_autofree char *b64 = g_base64_encode ((const guchar *) pair, strlen (pair));
      g_autofree char *header = g_strconcat ("Basic ", b64, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    header);
      wipe_str (secret);
      wipe_str (pair);
      wipe_str (b64);
      wipe_str (header);
    }

  fetch_json_async (finish->self, msg, body, on_token_answered, finish);
}

static void
on_finish_provider_ready (GObject *source,
                          GAsyncResult *result,
                          gpointer user_data)
{
  g_autoptr (Finish) finish = user_data;
  g_autoptr (GError) error = NULL;

  provider_ready_finish (result, &error);
  if (!finish_is_live (finish, error))
    return;
  if (error != NULL)
    {
      finish_fail (finish, error);
      return;
    }

  exchange_code (g_steal_pointer (&finish));
}

static void
handle_oidc_finish (TtoRelayConn *conn,
                    TtoFrame *frame)
{
  TtoRelayOidc *self = conn->relay->oidc;
  g_autofree char *key = state_key (tto_frame_get_string (frame, "state"));
  const char *verifier = tto_frame_get_string (frame, "code_verifier");
  guint8 digest[crypto_hash_sha256_BYTES];
  g_autofree char *challenge = NULL;
  const char *kind = NULL;
  gint64 expires_at = 0;
  gpointer stolen_key, stolen_value;
  Pending *pending;
  Finish *finish;

  tto_relay_identity_frame_lifetime (frame, "one_time", &kind, &expires_at);
  if (conn->identity_id != NULL && g_str_equal (kind, "one_time"))
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_CONFLICT,
                             "this connection already has an identity; a one-time sign-in "
                             "needs a new connection");
      return;
    }
  if (g_hash_table_contains (self->busy, conn))
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_CONFLICT,
                             "a sign-in is already under way on this connection");
      return;
    }

  /* Single use: the state is gone from here on, whatever happens next. */
  if (!g_hash_table_steal_extended (self->pending, key, &stolen_key, &stolen_value))
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_EXPIRED,
                             "this sign-in is unknown, already used or expired; start again");
      return;
    }
  g_free (stolen_key);
  pending = stolen_value;
  if (pending->expires_at <= tto_relay_now_seconds ())
    {
      pending_free (pending);
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_EXPIRED,
                             "this sign-in is unknown, already used or expired; start again");
      return;
    }

  /* The relay checks PKCE itself too: plain OAuth 2 providers often do
   * not, and only the client that began may finish. */
  crypto_hash_sha256 (digest, (const guint8 *) verifier, strlen (verifier));
  challenge = base64url_encode (digest, sizeof digest);
  if (!strings_equal_constant_time (challenge, pending->code_challenge))
    {
      g_message ("oidc provider %s: sign-in refused: PKCE verifier mismatch",
                 pending->provider->id);
      pending_free (pending);
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_UNAUTHORIZED,
                             "code_verifier does not match the code_challenge of "
                             "identity.oidc.begin");
      return;
    }

  finish = g_new0 (Finish, 1);
  finish->self = self;
  finish->cancellable = g_object_ref (self->cancellable);
  finish->conn = tto_relay_conn_ref (conn);
  finish->id = g_strdup (frame->id);
  finish->pending = pending;
  finish->code = g_strdup (tto_frame_get_string (frame, "code"));
  finish->code_verifier = g_strdup (verifier);
  if (tto_frame_has (frame, "display_name"))
    finish->display_name =
      tto_relay_auth_clean_display_name (tto_frame_get_string (frame, "display_name"));
  finish->kind = g_strdup (kind);
  finish->expires_at = expires_at;
  g_hash_table_add (self->busy, conn);

  provider_ready_async (self, pending->provider, FALSE, on_finish_provider_ready, finish);
}

const TtoRelayRoute tto_relay_oidc_routes[] = {
  { TTO_FRAME_IDENTITY_OIDC_BEGIN, FALSE, handle_oidc_begin },
  { TTO_FRAME_IDENTITY_OIDC_FINISH, FALSE, handle_oidc_finish },
};

const guint tto_relay_oidc_n_routes = G_N_ELEMENTS (tto_relay_oidc_routes);
