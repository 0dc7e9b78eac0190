/* tto-test-accounts.h: email + password accounts for relay tests, made as
 * a person makes them (a code mailed through tests/smtp-sink.py)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tto-test-harness.h"

G_BEGIN_DECLS

/* identity.register's body, the display name "Ana"; @lifetime: the
 * lifetime's JSON members, e.g. "\"lifetime\":\"permanent\"". */
JsonObject *tto_test_accounts_register_body (const char *email,
                                             const char *code,
                                             const char *username,
                                             const char *password,
                                             const char *lifetime);
/* identity.login's body: @login is a username or an email address. */
JsonObject *tto_test_accounts_login_body (const char *login,
                                          const char *password);

/* The code in the mail to @email, once it came; fails the test when none
 * comes within TTO_TEST_REQUEST_TIMEOUT_MS. */
char *tto_test_accounts_wait_code (TtoTestSmtpSink *smtp,
                                   const char *email);

/* Registers @username on a new connection: the code requested, read from
 * @smtp, then identity.register (each asserted ok). Returns the ok frame;
 * the connection goes to *out, or is closed when @out is NULL. */
TtoFrame *tto_test_accounts_register (TtoTestRelay *relay,
                                      TtoTestSmtpSink *smtp,
                                      const char *email,
                                      const char *username,
                                      const char *password,
                                      const char *lifetime,
                                      TtoTestClient **out);

/* How many tokens (signed-in devices) @identity_id has on @relay. */
gint64 tto_test_accounts_count_tokens (TtoTestRelay *relay,
                                       const char *identity_id);

/* identity.login on @c, asserted ok; returns the ok frame. */
TtoFrame *tto_test_accounts_login (TtoTestClient *c,
                                   const char *login,
                                   const char *password);

G_END_DECLS
