/* tto-identity-bar.h: "Your identity expires in 5 minutes" with "Verify Again"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-identity.h"

G_BEGIN_DECLS

#define TTO_TYPE_IDENTITY_BAR (tto_identity_bar_get_type ())
G_DECLARE_FINAL_TYPE (TtoIdentityBar, tto_identity_bar, TTO, IDENTITY_BAR, AdwBin)

void tto_identity_bar_set_identity (TtoIdentityBar *self,
                                    TtoIdentity *identity);
gboolean tto_identity_bar_get_shown (TtoIdentityBar *self);
const char *tto_identity_bar_get_text (TtoIdentityBar *self);

G_END_DECLS
