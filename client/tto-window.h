/* tto-window.h: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-call-banner.h"
#include "tto-call-page.h"
#include "tto-chat-page.h"
#include "tto-create-page.h"
#include "tto-home-page.h"
#include "tto-session.h"
#include "tto-sign-in-page.h"
#include "tto-trust-dialog.h"

G_BEGIN_DECLS

#define TTO_TYPE_WINDOW (tto_window_get_type ())
G_DECLARE_FINAL_TYPE (TtoWindow, tto_window, TTO, WINDOW, AdwApplicationWindow)

TtoWindow *tto_window_new (GtkApplication *application);
TtoSession *tto_window_get_session (TtoWindow *self);
void tto_window_open_event (TtoWindow *self,
                            TtoEvent *event);
void tto_window_add_toast (TtoWindow *self,
                           const char *title);
gboolean tto_window_get_folded (TtoWindow *self);
guint tto_window_get_notifications_sent (TtoWindow *self);

TtoSignInPage *tto_window_get_sign_in_page (TtoWindow *self);
TtoHomePage *tto_window_get_home_page (TtoWindow *self);
TtoChatPage *tto_window_get_chat_page (TtoWindow *self);
TtoCreatePage *tto_window_get_create_page (TtoWindow *self);
TtoTrustDialog *tto_window_get_trust_dialog (TtoWindow *self);

/* Calls */
TtoCallManager *tto_window_get_call_manager (TtoWindow *self);
TtoCallPage *tto_window_get_call_page (TtoWindow *self);
TtoCallBanner *tto_window_get_call_banner (TtoWindow *self);

/* Identity */
#include "tto-identity-bar.h"
TtoIdentityBar *tto_window_get_identity_bar (TtoWindow *self);

G_END_DECLS
