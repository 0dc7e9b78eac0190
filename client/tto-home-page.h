/* tto-home-page.h: the lists of events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-session.h"

G_BEGIN_DECLS

#define TTO_TYPE_HOME_PAGE (tto_home_page_get_type ())
G_DECLARE_FINAL_TYPE (TtoHomePage, tto_home_page, TTO, HOME_PAGE, AdwBin)

void tto_home_page_set_session (TtoHomePage *self,
                                TtoSession *session);
GtkListView *tto_home_page_get_created_list (TtoHomePage *self);
GtkListView *tto_home_page_get_joined_list (TtoHomePage *self);
GtkListView *tto_home_page_get_history_list (TtoHomePage *self);

void tto_home_page_set_selected_event (TtoHomePage *self,
                                       TtoEvent *event);
TtoEvent *tto_home_page_get_selected_event (TtoHomePage *self);

G_END_DECLS
