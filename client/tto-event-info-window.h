/* tto-event-info-window.h: what an event is, its invitation, its end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-invite-card.h"
#include "tto-ip-allow-row.h"
#include "tto-session.h"

G_BEGIN_DECLS

#define TTO_TYPE_EVENT_INFO_WINDOW (tto_event_info_window_get_type ())
G_DECLARE_FINAL_TYPE (TtoEventInfoWindow, tto_event_info_window, TTO, EVENT_INFO_WINDOW,
                      AdwWindow)

TtoEventInfoWindow *tto_event_info_window_new (GtkWindow *parent,
                                               TtoSession *session,
                                               TtoEvent *event);

void tto_event_info_window_remove_member (TtoEventInfoWindow *self,
                                         const char *identity_id);
TtoInviteCard *tto_event_info_window_get_invite_card (TtoEventInfoWindow *self);
TtoIpAllowRow *tto_event_info_window_get_ip_allow_row (TtoEventInfoWindow *self);

G_END_DECLS
