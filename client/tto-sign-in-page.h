/* tto-sign-in-page.h: the first screen: how to prove who you are, and for
 * how long
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-email-sign-in.h"
#include "tto-phone-sign-in.h"
#include "tto-session.h"

G_BEGIN_DECLS

#define TTO_TYPE_SIGN_IN_PAGE (tto_sign_in_page_get_type ())
G_DECLARE_FINAL_TYPE (TtoSignInPage, tto_sign_in_page, TTO, SIGN_IN_PAGE, AdwBin)

void tto_sign_in_page_set_display_name (TtoSignInPage *self,
                                        const char *name);
void tto_sign_in_page_set_relay_url (TtoSignInPage *self,
                                     const char *url);
void tto_sign_in_page_show_error (TtoSignInPage *self,
                                  const char *message);
const char *tto_sign_in_page_get_error (TtoSignInPage *self);

/* Views: "choose", "name", "phone", "email", "provider", "restoring" */
void tto_sign_in_page_show_view (TtoSignInPage *self,
                                 const char *view);
const char *tto_sign_in_page_get_view (TtoSignInPage *self);
void tto_sign_in_page_refresh_methods (TtoSignInPage *self);
gboolean tto_sign_in_page_get_methods_loaded (TtoSignInPage *self);
guint tto_sign_in_page_get_n_providers (TtoSignInPage *self);
gboolean tto_sign_in_page_open_provider (TtoSignInPage *self,
                                         const char *provider_id);
TtoPhoneSignIn *tto_sign_in_page_get_phone (TtoSignInPage *self);
TtoEmailSignIn *tto_sign_in_page_get_email (TtoSignInPage *self);
TtoLifetimeRow *tto_sign_in_page_get_provider_lifetime_row (TtoSignInPage *self);

void tto_sign_in_page_restore (TtoSignInPage *self);
gboolean tto_sign_in_page_get_busy (TtoSignInPage *self);
void tto_sign_in_page_reverify (TtoSignInPage *self,
                                TtoSession *session);

G_END_DECLS
