/* tto-account-window.h: your identity: name, lifetime, what it proved, the
 * identity card check, signing this device out, and "Delete me"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-session.h"

G_BEGIN_DECLS

#define TTO_TYPE_ACCOUNT_WINDOW (tto_account_window_get_type ())
G_DECLARE_FINAL_TYPE (TtoAccountWindow, tto_account_window, TTO, ACCOUNT_WINDOW,
                      AdwPreferencesWindow)

TtoAccountWindow *tto_account_window_new (GtkWindow *parent,
                                          TtoSession *session);
void tto_account_window_set_display_name (TtoAccountWindow *self,
                                          const char *name);
void tto_account_window_fill_id_check (TtoAccountWindow *self,
                                       const char *name,
                                       const char *id_number);
const char *tto_account_window_get_id_status (TtoAccountWindow *self);
const char *tto_account_window_get_lifetime_text (TtoAccountWindow *self);
gboolean tto_account_window_get_badge (TtoAccountWindow *self,
                                       const char *what);
const char *tto_account_window_get_last_error (TtoAccountWindow *self);

G_END_DECLS
