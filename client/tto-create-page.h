/* tto-create-page.h: the form that creates an event
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-invite-card.h"
#include "tto-session.h"

G_BEGIN_DECLS

#define TTO_TYPE_CREATE_PAGE (tto_create_page_get_type ())
G_DECLARE_FINAL_TYPE (TtoCreatePage, tto_create_page, TTO, CREATE_PAGE, AdwBin)

void tto_create_page_set_session (TtoCreatePage *self,
                                  TtoSession *session);
void tto_create_page_reset (TtoCreatePage *self);
void tto_create_page_focus (TtoCreatePage *self);
void tto_create_page_fill (TtoCreatePage *self,
                           const char *title,
                           const char *content,
                           const char *announcement);
void tto_create_page_set_deadline (TtoCreatePage *self,
                                   GDateTime *deadline);
TtoEvent *tto_create_page_get_created_event (TtoCreatePage *self);
const char *tto_create_page_get_error (TtoCreatePage *self);

void tto_create_page_set_windows (TtoCreatePage *self,
                                  guint edit_window,
                                  guint recall_window);

void tto_create_page_set_admission (TtoCreatePage *self,
                                    const char *admission);
TtoInviteCard *tto_create_page_get_invite_card (TtoCreatePage *self);

G_END_DECLS
