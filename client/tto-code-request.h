/* tto-code-request.h: a 6-digit code sent by text message or mail, as the
 * phone and email sign-in views ask for it and check it; no UI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "tto-connection.h"

G_BEGIN_DECLS

/* Before the relay says otherwise (resend_after). */
#define TTO_CODE_REQUEST_RESEND_SECONDS 60
/* Wrong codes the relay takes before the code stops working. */
#define TTO_CODE_REQUEST_ATTEMPTS 5
#define TTO_CODE_REQUEST_DIGITS 6

#define TTO_TYPE_CODE_REQUEST (tto_code_request_get_type ())
G_DECLARE_FINAL_TYPE (TtoCodeRequest, tto_code_request, TTO, CODE_REQUEST, GObject)

/* @channel: "phone" or "email"; @purpose: "sign_in" or "register". */
TtoCodeRequest *tto_code_request_new (const char *channel,
                                      const char *purpose);
gboolean tto_code_request_set_connection (TtoCodeRequest *self,
                                          TtoConnection *connection);
gboolean tto_code_request_send (TtoCodeRequest *self,
                                const char *address);
void tto_code_request_reset (TtoCodeRequest *self);
const char *tto_code_request_get_address (TtoCodeRequest *self);
gboolean tto_code_request_get_sending (TtoCodeRequest *self);
guint tto_code_request_get_countdown (TtoCodeRequest *self);
gboolean tto_code_request_get_busy (TtoCodeRequest *self);
gboolean tto_code_request_can_send (TtoCodeRequest *self);
const char *tto_code_request_get_send_label (TtoCodeRequest *self);
char *tto_code_request_dup_sent_text (TtoCodeRequest *self);
char *tto_code_request_describe_error (TtoCodeRequest *self,
                                       const GError *error,
                                       JsonObject *error_body);

gboolean tto_code_request_is_code (const char *code);

G_END_DECLS
