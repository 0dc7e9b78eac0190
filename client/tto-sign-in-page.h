/* tto-sign-in-page.h: relay address, display name, one-time identity
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

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

G_END_DECLS
