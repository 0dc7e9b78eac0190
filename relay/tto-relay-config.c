/* tto-relay-config.c: relay settings from a key file and the command line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <string.h>

#include <gio/gio.h>

#include "tto-cidr.h"
#include "tto-relay-config.h"

G_DEFINE_QUARK (tto-relay-config-error-quark, tto_relay_config_error)

/* The grace period may not outlast the promise that temporary identity data
 * is gone within one hour. */
#define MAX_IDENTITY_GRACE 3600

TtoRelayConfig *
tto_relay_config_new (void)
{
  TtoRelayConfig *config = g_new0 (TtoRelayConfig, 1);

  config->bind_address = g_strdup ("127.0.0.1");
  config->port = 8321;
  config->mysql_user = g_strdup ("root");
  config->mysql_database = g_strdup ("tto");
  config->mysql_port = 3306;
  config->sweep_interval = 30;
  config->identity_grace = 600;
  config->max_connections = 10000;
  config->max_blob_kib = 25 * 1024;
  config->max_event_blobs_kib = 256 * 1024;
  config->max_blobs_kib = 1024 * 1024;
  config->turn_ttl = 3600;

  return config;
}

void
tto_relay_config_free (TtoRelayConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->path);
  g_free (config->bind_address);
  g_free (config->mysql_socket);
  g_free (config->mysql_host);
  g_free (config->mysql_user);
  if (config->mysql_password != NULL)
    explicit_bzero (config->mysql_password, strlen (config->mysql_password));
  g_free (config->mysql_password);
  g_free (config->mysql_database);
  g_strfreev (config->stun_urls);
  g_strfreev (config->turn_urls);
  if (config->turn_secret != NULL)
    explicit_bzero (config->turn_secret, strlen (config->turn_secret));
  g_free (config->turn_secret);
  g_free (config->tls_certificate);
  g_free (config->tls_key);
  g_free (config->sms_gateway_url);
  g_free (config->smtp_url);
  g_free (config->smtp_from);
  g_free (config->smtp_username);
  if (config->smtp_password != NULL)
    explicit_bzero (config->smtp_password, strlen (config->smtp_password));
  g_free (config->smtp_password);
  g_free (config->link_key_file);
  g_strfreev (config->trusted_proxies);
  g_free (config);
}

static gboolean
read_string (GKeyFile *file,
             const char *group,
             const char *key,
             char **out,
             GError **error)
{
  g_autoptr (GError) local_error = NULL;
  char *value = g_key_file_get_string (file, group, key, &local_error);

  if (value == NULL)
    {
      if (g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND) ||
          g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  g_free (*out);
  *out = value;
  return TRUE;
}

static gboolean
read_list (GKeyFile *file,
           const char *group,
           const char *key,
           char ***out,
           GError **error)
{
  g_autoptr (GError) local_error = NULL;
  char **value = g_key_file_get_string_list (file, group, key, NULL, &local_error);

  if (value == NULL)
    {
      if (g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND) ||
          g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  g_strfreev (*out);
  *out = value;
  return TRUE;
}

static gboolean
read_uint (GKeyFile *file,
           const char *group,
           const char *key,
           guint *out,
           GError **error)
{
  g_autoptr (GError) local_error = NULL;
  gint value = g_key_file_get_integer (file, group, key, &local_error);

  if (local_error != NULL)
    {
      if (g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND) ||
          g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND))
        return TRUE;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "[%s] %s: ", group, key);
      return FALSE;
    }
  if (value < 0)
    {
      g_set_error (error, TTO_RELAY_CONFIG_ERROR, TTO_RELAY_CONFIG_ERROR_INVALID,
                   "[%s] %s must not be negative", group, key);
      return FALSE;
    }

  *out = (guint) value;
  return TRUE;
}

gboolean
tto_relay_config_load_file (TtoRelayConfig *config,
                            const char *path,
                            GError **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }

  if (!read_string (file, "relay", "bind", &config->bind_address, error) ||
      !read_uint (file, "relay", "port", &config->port, error) ||
      !read_uint (file, "relay", "max_connections", &config->max_connections, error) ||
      !read_uint (file, "relay", "sweep_interval", &config->sweep_interval, error) ||
      !read_list (file, "relay", "trusted_proxies", &config->trusted_proxies, error) ||
      !read_uint (file, "identities", "one_time_grace", &config->identity_grace, error) ||
      !read_string (file, "identities", "link_key_file", &config->link_key_file, error) ||
      !read_string (file, "sms", "gateway_url", &config->sms_gateway_url, error) ||
      !read_string (file, "smtp", "url", &config->smtp_url, error) ||
      !read_string (file, "smtp", "from", &config->smtp_from, error) ||
      !read_string (file, "smtp", "username", &config->smtp_username, error) ||
      !read_string (file, "smtp", "password", &config->smtp_password, error) ||
      !read_uint (file, "attachments", "max_blob_kib", &config->max_blob_kib, error) ||
      !read_uint (file, "attachments", "max_event_kib", &config->max_event_blobs_kib, error) ||
      !read_uint (file, "attachments", "max_total_kib", &config->max_blobs_kib, error) ||
      !read_list (file, "calls", "stun", &config->stun_urls, error) ||
      !read_list (file, "calls", "turn", &config->turn_urls, error) ||
      !read_string (file, "calls", "turn_secret", &config->turn_secret, error) ||
      !read_uint (file, "calls", "turn_ttl", &config->turn_ttl, error) ||
      !read_string (file, "tls", "certificate", &config->tls_certificate, error) ||
      !read_string (file, "tls", "key", &config->tls_key, error) ||
      !read_string (file, "mysql", "socket", &config->mysql_socket, error) ||
      !read_string (file, "mysql", "host", &config->mysql_host, error) ||
      !read_uint (file, "mysql", "port", &config->mysql_port, error) ||
      !read_string (file, "mysql", "user", &config->mysql_user, error) ||
      !read_string (file, "mysql", "password", &config->mysql_password, error) ||
      !read_string (file, "mysql", "database", &config->mysql_database, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }

  return TRUE;
}

/* Flags override the file; the file is read first so that --config can sit
 * anywhere on the command line. */
gboolean
tto_relay_config_parse_args (TtoRelayConfig *config,
                             int *argc,
                             char ***argv,
                             GError **error)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *bind = NULL;
  g_autofree char *socket_path = NULL;
  g_autofree char *user = NULL;
  g_autofree char *password = NULL;
  g_autofree char *database = NULL;
  gint port = -1;
  gint sweep = -1;
  gint grace = -1;
  gint max_blob = -1;
  gint max_event_blobs = -1;
  gint max_blobs = -1;
  g_auto (GStrv) stun = NULL;
  g_auto (GStrv) turn = NULL;
  g_autofree char *turn_secret = NULL;
  gboolean test_clock = FALSE;
  g_autofree char *tls_certificate = NULL;
  g_autofree char *tls_key = NULL;
  g_autofree char *sms_gateway = NULL;
  g_autofree char *smtp_url = NULL;
  g_autofree char *smtp_from = NULL;
  g_autofree char *link_key_file = NULL;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, "Read settings from FILE", "FILE" },
    { "bind", 0, 0, G_OPTION_ARG_STRING, &bind, "Listen on ADDRESS (default 127.0.0.1)",
      "ADDRESS" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "Listen on PORT (default 8321; 0 picks one)",
      "PORT" },
    { "mysql-socket", 0, 0, G_OPTION_ARG_FILENAME, &socket_path, "MariaDB unix socket", "PATH" },
    { "mysql-user", 0, 0, G_OPTION_ARG_STRING, &user, "MariaDB user (default root)", "USER" },
    { "mysql-password", 0, 0, G_OPTION_ARG_STRING, &password, "MariaDB password", "PASSWORD" },
    { "mysql-database", 0, 0, G_OPTION_ARG_STRING, &database, "Database (default tto)", "NAME" },
    { "sweep-interval", 0, 0, G_OPTION_ARG_INT, &sweep,
      "Seconds between expiry sweeps (default 30)", "SECONDS" },
    { "identity-grace", 0, 0, G_OPTION_ARG_INT, &grace,
      "Seconds a one-time identity outlives its last connection (default 600, at most 3600)",
      "SECONDS" },
    { "max-blob-kib", 0, 0, G_OPTION_ARG_INT, &max_blob,
      "Largest attachment, KiB (default 25600)", "KIB" },
    { "max-event-blobs-kib", 0, 0, G_OPTION_ARG_INT, &max_event_blobs,
      "Attachments of one event, KiB (default 262144)", "KIB" },
    { "max-blobs-kib", 0, 0, G_OPTION_ARG_INT, &max_blobs,
      "Attachments the relay holds, KiB (default 1048576)", "KIB" },
    { "stun", 0, 0, G_OPTION_ARG_STRING_ARRAY, &stun, "STUN server for calls (repeatable)",
      "URL" },
    { "turn", 0, 0, G_OPTION_ARG_STRING_ARRAY, &turn, "TURN server for calls (repeatable)",
      "URL" },
    { "turn-secret", 0, 0, G_OPTION_ARG_STRING, &turn_secret,
      "coturn static-auth-secret for short-lived TURN credentials", "SECRET" },
    { "test-clock", 0, 0, G_OPTION_ARG_NONE, &test_clock,
      "Let POST /v1/test/clock move the relay's clock forward (tests only; loopback only)", NULL },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_certificate,
      "Serve HTTPS/WSS with this PEM certificate (chain)", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, "PEM private key of --tls-cert", "FILE" },
    { "sms-gateway", 0, 0, G_OPTION_ARG_STRING, &sms_gateway,
      "POST phone sign-in codes as JSON {\"to\",\"text\"} to URL", "URL" },
    { "smtp-url", 0, 0, G_OPTION_ARG_STRING, &smtp_url,
      "Send email sign-in codes through this SMTP server (smtp:// or smtps://)", "URL" },
    { "smtp-from", 0, 0, G_OPTION_ARG_STRING, &smtp_from, "Sender address of code emails",
      "ADDRESS" },
    { "link-key-file", 0, 0, G_OPTION_ARG_FILENAME, &link_key_file,
      "Key of the hashes that link sign-in methods (made on first start; default: kept in "
      "the database)", "FILE" },
    { NULL }
  };

  context = g_option_context_new ("- ThreeTwoOne relay");
  g_option_context_set_summary (context,
                                "Relays the messages of temporary events. Messages live only in "
                                "memory; MariaDB holds identities, events and members.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  if (config_path != NULL && !tto_relay_config_load_file (config, config_path, error))
    return FALSE;
  config->path = g_steal_pointer (&config_path);

  if (bind != NULL)
    {
      g_free (config->bind_address);
      config->bind_address = g_steal_pointer (&bind);
    }
  if (port >= 0)
    config->port = (guint) port;
  if (socket_path != NULL)
    {
      g_free (config->mysql_socket);
      config->mysql_socket = g_steal_pointer (&socket_path);
    }
  if (user != NULL)
    {
      g_free (config->mysql_user);
      config->mysql_user = g_steal_pointer (&user);
    }
  if (password != NULL)
    {
      g_free (config->mysql_password);
      config->mysql_password = g_steal_pointer (&password);
    }
  if (database != NULL)
    {
      g_free (config->mysql_database);
      config->mysql_database = g_steal_pointer (&database);
    }
  if (sweep >= 0)
    config->sweep_interval = (guint) sweep;
  if (grace >= 0)
    config->identity_grace = (guint) grace;
  if (max_blob >= 0)
    config->max_blob_kib = (guint) max_blob;
  if (max_event_blobs >= 0)
    config->max_event_blobs_kib = (guint) max_event_blobs;
  if (max_blobs >= 0)
    config->max_blobs_kib = (guint) max_blobs;
  if (stun != NULL)
    {
      g_strfreev (config->stun_urls);
      config->stun_urls = g_steal_pointer (&stun);
    }
  if (turn != NULL)
    {
      g_strfreev (config->turn_urls);
      config->turn_urls = g_steal_pointer (&turn);
    }
  if (turn_secret != NULL)
    {
      g_free (config->turn_secret);
      config->turn_secret = g_steal_pointer (&turn_secret);
    }
  config->test_clock = test_clock;
  if (tls_certificate != NULL)
    {
      g_free (config->tls_certificate);
      config->tls_certificate = g_steal_pointer (&tls_certificate);
    }
  if (tls_key != NULL)
    {
      g_free (config->tls_key);
      config->tls_key = g_steal_pointer (&tls_key);
    }
  if (sms_gateway != NULL)
    {
      g_free (config->sms_gateway_url);
      config->sms_gateway_url = g_steal_pointer (&sms_gateway);
    }
  if (smtp_url != NULL)
    {
      g_free (config->smtp_url);
      config->smtp_url = g_steal_pointer (&smtp_url);
    }
  if (smtp_from != NULL)
    {
      g_free (config->smtp_from);
      config->smtp_from = g_steal_pointer (&smtp_from);
    }
  if (link_key_file != NULL)
    {
      g_free (config->link_key_file);
      config->link_key_file = g_steal_pointer (&link_key_file);
    }

  return tto_relay_config_validate (config, error);
}

/* Passwords, codes and tokens cross this socket: beyond loopback, only over
 * TLS. The address is checked here too so that the refusal names it. */
static gboolean
validate_tls (TtoRelayConfig *config,
              GError **error)
{
  g_autoptr (GInetAddress) address = NULL;
  gboolean has_certificate = config->tls_certificate != NULL && config->tls_certificate[0] != '\0';
  gboolean has_key = config->tls_key != NULL && config->tls_key[0] != '\0';

  if (has_certificate != has_key)
    {
      g_set_error_literal (error, TTO_RELAY_CONFIG_ERROR, TTO_RELAY_CONFIG_ERROR_INVALID,
                           has_certificate ? "[tls] certificate is set but key is not (--tls-key)"
                                           : "[tls] key is set but certificate is not (--tls-cert)");
      return FALSE;
    }

  if (has_certificate)
    {
      g_autoptr (GError) local_error = NULL;
      g_autoptr (GTlsCertificate) certificate = NULL;

      /* Read now, so that a wrong path or a key of another certificate
       * stops the relay before it touches the database. */
      certificate = g_tls_certificate_new_from_files (config->tls_certificate, config->tls_key,
                                                      &local_error);
      if (certificate == NULL)
        {
          g_set_error (error, TTO_RELAY_CONFIG_ERROR, TTO_RELAY_CONFIG_ERROR_INVALID,
                       "[tls] cannot use certificate %s with key %s: %s",
                       config->tls_certificate, config->tls_key, local_error->message);
          return FALSE;
        }
    }

  address = g_inet_address_new_from_string (config->bind_address);
  if (address == NULL)
    {
      g_set_error (error, TTO_RELAY_CONFIG_ERROR, TTO_RELAY_CONFIG_ERROR_INVALID,
                   "bind address '%s' is not an IP address", config->bind_address);
      return FALSE;
    }
  if (!has_certificate && !g_inet_address_get_is_loopback (address))
    {
      g_set_error (error, TTO_RELAY_CONFIG_ERROR, TTO_RELAY_CONFIG_ERROR_INVALID,
                   "refusing to listen on %s without TLS: plain ws:// is allowed on loopback "
                   "only; set [tls] certificate and key (--tls-cert, --tls-key)",
                   config->bind_address);
      return FALSE;
    }

  return TRUE;
}

/* The relay serves HTTPS/WSS when a certificate is configured. */
gboolean
tto_relay_config_uses_tls (const TtoRelayConfig *config)
{
  return config->tls_certificate != NULL && config->tls_certificate[0] != '\0';
}

gboolean
tto_relay_config_validate (TtoRelayConfig *config,
                           GError **error)
{
  if (config->port > 65535)
    {
      g_set_error (error, TTO_RELAY_CONFIG_ERROR, TTO_RELAY_CONFIG_ERROR_INVALID,
                   "port %u is out of range (0-65535)", config->port);
      return FALSE;
    }
  if (config->sweep_interval == 0)
    {
      g_set_error_literal (error, TTO_RELAY_CONFIG_ERROR, TTO_RELAY_CONFIG_ERROR_INVALID,
                           "sweep interval must be at least 1 second");
      return FALSE;
    }
  if (config->identity_grace > MAX_IDENTITY_GRACE)
    {
      g_set_error (error, TTO_RELAY_CONFIG_ERROR, TTO_RELAY_CONFIG_ERROR_INVALID,
                   "one-time identity grace of %u s exceeds the limit of %u s", config->identity_grace,
                   MAX_IDENTITY_GRACE);
      return FALSE;
    }
  if (config->mysql_database == NULL || config->mysql_database[0] == '\0')
    {
      g_set_error_literal (error, TTO_RELAY_CONFIG_ERROR, TTO_RELAY_CONFIG_ERROR_INVALID,
                           "a MariaDB database name is required");
      return FALSE;
    }
  if (!validate_tls (config, error))
    return FALSE;
  for (guint i = 0; config->trusted_proxies != NULL && config->trusted_proxies[i] != NULL; i++)
    {
      g_autoptr (GInetAddressMask) mask = NULL;
      g_autoptr (GError) local_error = NULL;

      mask = tto_cidr_parse (g_strstrip (config->trusted_proxies[i]), &local_error);
      if (mask == NULL)
        {
          g_set_error (error, TTO_RELAY_CONFIG_ERROR, TTO_RELAY_CONFIG_ERROR_INVALID,
                       "[relay] trusted_proxies: %s", local_error->message);
          return FALSE;
        }
    }
  for (const char *p = config->mysql_database; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      {
        g_set_error (error, TTO_RELAY_CONFIG_ERROR, TTO_RELAY_CONFIG_ERROR_INVALID,
                     "database name '%s' may hold only letters, digits and '_'",
                     config->mysql_database);
        return FALSE;
      }

  return TRUE;
}
