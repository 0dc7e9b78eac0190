/* tto-email-sign-in.h: email + password accounts: register with a code, or
 * sign in with username or email and password
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-connection.h"
#include "tto-lifetime-row.h"

G_BEGIN_DECLS

#define TTO_PASSWORD_MIN_CHARS 10

/* The rules the relay checks (shared/PROTOCOL.md, identity.register). */
typedef enum
{
  TTO_PASSWORD_RULE_LENGTH = 1 << 0,   /* at least 10 characters */
  TTO_PASSWORD_RULE_CLASSES = 1 << 1,  /* two of letters, digits, other */
  TTO_PASSWORD_RULE_DISTINCT = 1 << 2, /* not the username or the email */
} TtoPasswordRules;

#define TTO_PASSWORD_RULES_ALL                                                                    \
  (TTO_PASSWORD_RULE_LENGTH | TTO_PASSWORD_RULE_CLASSES | TTO_PASSWORD_RULE_DISTINCT)

TtoPasswordRules tto_password_check (const char *password,
                                     const char *username,
                                     const char *email,
                                     guint *out_strength);

#define TTO_TYPE_EMAIL_SIGN_IN (tto_email_sign_in_get_type ())
G_DECLARE_FINAL_TYPE (TtoEmailSignIn, tto_email_sign_in, TTO, EMAIL_SIGN_IN, AdwBin)

void tto_email_sign_in_set_connection (TtoEmailSignIn *self,
                                       TtoConnection *connection);
void tto_email_sign_in_set_mode (TtoEmailSignIn *self,
                                 const char *mode);
const char *tto_email_sign_in_get_mode (TtoEmailSignIn *self);
TtoLifetimeRow *tto_email_sign_in_get_lifetime_row (TtoEmailSignIn *self);
void tto_email_sign_in_reset (TtoEmailSignIn *self);
void tto_email_sign_in_fill_register (TtoEmailSignIn *self,
                                      const char *email,
                                      const char *username,
                                      const char *password,
                                      const char *display_name);
void tto_email_sign_in_set_code (TtoEmailSignIn *self,
                                 const char *code);
void tto_email_sign_in_fill_login (TtoEmailSignIn *self,
                                   const char *login,
                                   const char *password);
TtoPasswordRules tto_email_sign_in_get_rules_met (TtoEmailSignIn *self);
void tto_email_sign_in_set_result (TtoEmailSignIn *self,
                                   const GError *error,
                                   JsonObject *error_body);
const char *tto_email_sign_in_get_error (TtoEmailSignIn *self);
gboolean tto_email_sign_in_get_code_sent (TtoEmailSignIn *self);

G_END_DECLS
