/* tto-call-page.h: the call in progress: tiles, timer and controls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-call-manager.h"
#include "tto-call-tile.h"

G_BEGIN_DECLS

#define TTO_TYPE_CALL_PAGE (tto_call_page_get_type ())
G_DECLARE_FINAL_TYPE (TtoCallPage, tto_call_page, TTO, CALL_PAGE, AdwBin)

GtkWidget *tto_call_page_new (void);
void tto_call_page_set_manager (TtoCallPage *self,
                                TtoCallManager *manager);
TtoCallManager *tto_call_page_get_manager (TtoCallPage *self);

gboolean tto_call_page_get_narrow (TtoCallPage *self);
TtoCallTile *tto_call_page_get_local_tile (TtoCallPage *self);
TtoCallTile *tto_call_page_find_tile (TtoCallPage *self,
                                      const char *identity_id);
TtoCallTile *tto_call_page_get_main_tile (TtoCallPage *self);
gboolean tto_call_page_get_recording_shown (TtoCallPage *self);
const char *tto_call_page_get_timer_text (TtoCallPage *self);
GtkWidget *tto_call_page_get_control (TtoCallPage *self,
                                      const char *name);

G_END_DECLS
