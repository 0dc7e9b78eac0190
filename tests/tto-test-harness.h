/* tto-test-harness.h: a real relay, a real MariaDB database and real
 * WebSocket clients for integration tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything here runs on the default main context of the calling thread:
 * the waiting functions iterate it, so WebSocket traffic of every open
 * client is processed while a test waits for one of them.
 *
 * Environment:
 *   TTO_TEST_MYSQL_SOCKET    unix socket of the MariaDB server (unset: skip)
 *   TTO_TEST_MYSQL_USER      user (default root)
 *   TTO_TEST_MYSQL_PASSWORD  password (default none)
 *   TTO_RELAY_BIN            the tto-relay executable (unset: skip)
 *   TTO_TEST_KEEP_DATABASE   set: do not drop the test database at the end
 *   TTO_TEST_RELAY_STDERR_FILE  set: the relay's stderr goes to this file and its
 *                            later stdout lines to FILE.stdout
 */
#pragma once

#include <json-glib/json-glib.h>

#include "tto-shared.h"

G_BEGIN_DECLS

/* How long a request waits for its ok/error before the test fails. */
#define TTO_TEST_REQUEST_TIMEOUT_MS 5000

/* Relay process and its test database */

typedef struct _TtoTestRelay TtoTestRelay;

gboolean tto_test_relay_available (char **out_reason);
TtoTestRelay *tto_test_relay_start (guint identity_grace_seconds);
TtoTestRelay *tto_test_relay_start_with_args (guint identity_grace_seconds,
                                              const char *const *extra_args);
TtoTestRelay *tto_test_relay_start_tls (guint identity_grace_seconds,
                                        const char *certificate,
                                        const char *key,
                                        const char *ca_file,
                                        const char *const *extra_args);
GTlsDatabase *tto_test_relay_get_tls_database (TtoTestRelay *relay);
const char *tto_test_relay_get_ws_url (TtoTestRelay *relay);
const char *tto_test_relay_get_http_base (TtoTestRelay *relay);
const char *tto_test_relay_get_database (TtoTestRelay *relay);
gint64 tto_test_relay_query_int (TtoTestRelay *relay,
                                 const char *sql);
gint64 tto_test_relay_query_intf (TtoTestRelay *relay,
                                  const char *format,
                                  ...) G_GNUC_PRINTF (2, 3);
guint64 tto_test_relay_exec (TtoTestRelay *relay,
                             const char *sql);
GPtrArray *tto_test_relay_query_rows (TtoTestRelay *relay,
                                      const char *sql);
char *tto_test_relay_query_stringf (TtoTestRelay *relay,
                                    const char *format,
                                    ...) G_GNUC_PRINTF (2, 3);
void tto_test_relay_wait_identity_gone (TtoTestRelay *relay,
                                        const char *identity_id);
gint64 tto_test_relay_forget_migrations (TtoTestRelay *relay,
                                         gint64 first_migration);
TtoTestRelay *tto_test_relay_start_on_database (TtoTestRelay *relay,
                                                guint identity_grace_seconds);
JsonObject *tto_test_relay_get_health (TtoTestRelay *relay,
                                       const char *event_id_or_null);
/* Moves the relay's clock forward and runs its sweeper; the relay must have
 * been started with "--test-clock". Returns the relay's new time. */
gint64 tto_test_relay_advance_clock (TtoTestRelay *relay,
                                     gint64 seconds);
gboolean tto_test_relay_is_running (TtoTestRelay *relay);
void tto_test_relay_stop (TtoTestRelay *relay);

/* One WebSocket connection */

typedef struct _TtoTestClient TtoTestClient;

TtoTestClient *tto_test_client_connect (TtoTestRelay *relay);
TtoTestClient *tto_test_client_connect_with_headers (TtoTestRelay *relay,
                                                     const char *const *headers);
TtoFrame *tto_test_client_request (TtoTestClient *c,
                                   const char *type,
                                   JsonObject *body);
TtoFrame *tto_test_client_request_ok (TtoTestClient *c,
                                      const char *type,
                                      JsonObject *body);
TtoFrame *tto_test_client_request_error (TtoTestClient *c,
                                         const char *type,
                                         JsonObject *body,
                                         const char *expected_code);
void tto_test_client_send_raw (TtoTestClient *c,
                               const char *text);
void tto_test_client_send_binary (TtoTestClient *c,
                                  const void *data,
                                  gsize length);
TtoFrame *tto_test_client_wait_answer (TtoTestClient *c,
                                       const char *id,
                                       guint timeout_ms);
TtoFrame *tto_test_client_wait_push (TtoTestClient *c,
                                     const char *type,
                                     guint timeout_ms);
guint tto_test_client_count_pushes (TtoTestClient *c,
                                    const char *type);
void tto_test_client_discard_pushes (TtoTestClient *c);
char *tto_test_client_next_id (TtoTestClient *c);
gboolean tto_test_client_wait_closed (TtoTestClient *c,
                                      guint timeout_ms);
gboolean tto_test_client_is_open (TtoTestClient *c);
gushort tto_test_client_get_close_code (TtoTestClient *c);
void tto_test_client_close (TtoTestClient *c);
void tto_test_client_drop (TtoTestClient *c);

/* Conveniences over the protocol; each asserts success. */
const char *tto_test_client_create_identity (TtoTestClient *c,
                                             const char *display_name);
void tto_test_client_auth (TtoTestClient *c,
                           const char *token);
const char *tto_test_client_get_identity_id (TtoTestClient *c);
const char *tto_test_client_get_token (TtoTestClient *c);
JsonObject *tto_test_client_create_event (TtoTestClient *c,
                                          const char *title,
                                          gint64 deadline);
JsonObject *tto_test_client_join (TtoTestClient *c,
                                  const char *invite_code);
TtoFrame *tto_test_client_send_message (TtoTestClient *c,
                                        const char *event_id,
                                        const char *client_msg_id,
                                        const char *text);

/* Asserts that @answer is an error frame with @code; frees it and
 * returns its message. */
char *tto_test_expect_error (TtoFrame *answer,
                             const char *code);

/* Misc */
JsonObject *tto_test_json_object (const char *format,
                                  ...) G_GNUC_PRINTF (1, 2);
void tto_test_iterate_ms (guint ms);

/* The relay's peers for identity codes. A real SMTP server on loopback
 * (Debian's aiosmtpd, tests/smtp-sink.py): each mail it takes is a file in
 * its folder, which goes when it stops (with whatever else a test put
 * there). */
typedef struct _TtoTestSmtpSink TtoTestSmtpSink;

TtoTestSmtpSink *tto_test_smtp_sink_start (void);
const char *tto_test_smtp_sink_get_url (TtoTestSmtpSink *sink);
const char *tto_test_smtp_sink_get_dir (TtoTestSmtpSink *sink);
guint tto_test_smtp_sink_count (TtoTestSmtpSink *sink);
/* The 6-digit code in the newest mail to @to, or NULL when none came. */
char *tto_test_smtp_sink_get_code (TtoTestSmtpSink *sink,
                                   const char *to);
void tto_test_smtp_sink_stop (TtoTestSmtpSink *sink);

/* An HTTP SMS gateway (the relay's --sms-gateway): records the JSON body
 * ({"to", "text"}) of each POST and answers with the status set. */
typedef struct _TtoTestSmsEndpoint TtoTestSmsEndpoint;

TtoTestSmsEndpoint *tto_test_sms_endpoint_start (void);
const char *tto_test_sms_endpoint_get_url (TtoTestSmsEndpoint *sms);
guint tto_test_sms_endpoint_count (TtoTestSmsEndpoint *sms);
void tto_test_sms_endpoint_set_status (TtoTestSmsEndpoint *sms,
                                       guint status);
/* The 6-digit code in the newest text message to @to; fails the test when
 * none came. */
char *tto_test_sms_endpoint_get_code (TtoTestSmsEndpoint *sms,
                                      const char *to);
void tto_test_sms_endpoint_stop (TtoTestSmsEndpoint *sms);

G_END_DECLS
