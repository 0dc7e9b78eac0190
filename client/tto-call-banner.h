/* tto-call-banner.h: "Ana is calling" with Accept/Decline, and "Call in
 * progress — Join" for the event on screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-call-manager.h"

G_BEGIN_DECLS

typedef enum
{
  TTO_CALL_BANNER_MODE_HIDDEN,
  TTO_CALL_BANNER_MODE_RING, /* an invitation rings */
  TTO_CALL_BANNER_MODE_JOIN, /* a call runs in the event on screen */
} TtoCallBannerMode;

#define TTO_TYPE_CALL_BANNER (tto_call_banner_get_type ())
G_DECLARE_FINAL_TYPE (TtoCallBanner, tto_call_banner, TTO, CALL_BANNER, AdwBin)

GtkWidget *tto_call_banner_new (void);
void tto_call_banner_set_manager (TtoCallBanner *self,
                                  TtoCallManager *manager);
TtoCallBannerMode tto_call_banner_get_mode (TtoCallBanner *self);
const char *tto_call_banner_get_title (TtoCallBanner *self);

G_END_DECLS
