/* tto-phone-sign-in.h: sign in with a phone number and a 6-digit SMS code
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-connection.h"
#include "tto-lifetime-row.h"

G_BEGIN_DECLS

#define TTO_TYPE_PHONE_SIGN_IN (tto_phone_sign_in_get_type ())
G_DECLARE_FINAL_TYPE (TtoPhoneSignIn, tto_phone_sign_in, TTO, PHONE_SIGN_IN, AdwBin)

void tto_phone_sign_in_set_connection (TtoPhoneSignIn *self,
                                       TtoConnection *connection);
TtoLifetimeRow *tto_phone_sign_in_get_lifetime_row (TtoPhoneSignIn *self);
void tto_phone_sign_in_reset (TtoPhoneSignIn *self);
void tto_phone_sign_in_fill (TtoPhoneSignIn *self,
                             const char *country_code,
                             const char *number,
                             const char *display_name);
void tto_phone_sign_in_set_code (TtoPhoneSignIn *self,
                                 const char *code);
void tto_phone_sign_in_set_result (TtoPhoneSignIn *self,
                                   const GError *error,
                                   JsonObject *error_body);
const char *tto_phone_sign_in_get_error (TtoPhoneSignIn *self);
const char *tto_phone_sign_in_get_status (TtoPhoneSignIn *self);
gboolean tto_phone_sign_in_get_code_sent (TtoPhoneSignIn *self);
const char *tto_phone_sign_in_get_send_label (TtoPhoneSignIn *self);

G_END_DECLS
