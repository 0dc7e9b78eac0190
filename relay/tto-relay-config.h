/* tto-relay-config.h: relay settings from a key file and the command line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TTO_RELAY_CONFIG_ERROR (tto_relay_config_error_quark ())

typedef enum
{
  TTO_RELAY_CONFIG_ERROR_INVALID,
} TtoRelayConfigError;

typedef struct
{
  char *path; /* the key file read, for SIGHUP */
  char *bind_address;
  guint port;
  char *mysql_socket;
  char *mysql_host;
  guint mysql_port;
  char *mysql_user;
  char *mysql_password;
  char *mysql_database;
  guint sweep_interval;   /* seconds */
  guint identity_grace;   /* seconds a one-time identity outlives its last connection */
  guint max_connections;
  guint max_blob_kib;         /* one attachment */
  guint max_event_blobs_kib;  /* all attachments of one event */
  guint max_blobs_kib;        /* all attachments the relay holds */
  char **stun_urls;           /* handed to call peers */
  char **turn_urls;
  char *turn_secret;          /* coturn's static-auth-secret (REST API scheme) */
  guint turn_ttl;             /* seconds a TURN credential lasts */
  gboolean test_clock;        /* POST /v1/test/clock moves time (tests only) */
  char *tls_certificate;      /* PEM paths; both set: HTTPS/WSS */
  char *tls_key;
  char *sms_gateway_url;      /* [sms] gateway_url: phone codes are POSTed here */
  char *smtp_url;             /* [smtp] url, e.g. smtps://mail.example.org */
  char *smtp_from;
  char *smtp_username;
  char *smtp_password;
  char *link_key_file;        /* [identities] link_key_file; unset: key kept in MariaDB */
  char **trusted_proxies;     /* [relay] trusted_proxies: CIDRs whose X-Forwarded-For counts */
} TtoRelayConfig;

GQuark tto_relay_config_error_quark (void);
TtoRelayConfig *tto_relay_config_new (void);
gboolean tto_relay_config_load_file (TtoRelayConfig *config,
                                     const char *path,
                                     GError **error);
gboolean tto_relay_config_parse_args (TtoRelayConfig *config,
                                      int *argc,
                                      char ***argv,
                                      GError **error);
gboolean tto_relay_config_validate (TtoRelayConfig *config,
                                    GError **error);
gboolean tto_relay_config_uses_tls (const TtoRelayConfig *config);
void tto_relay_config_free (TtoRelayConfig *config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TtoRelayConfig, tto_relay_config_free)

G_END_DECLS
