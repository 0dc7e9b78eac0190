/* tto-lifetime-row.h: how long a new identity lives, chosen at sign-in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define TTO_TYPE_LIFETIME_ROW (tto_lifetime_row_get_type ())
G_DECLARE_FINAL_TYPE (TtoLifetimeRow, tto_lifetime_row, TTO, LIFETIME_ROW, AdwComboRow)

void tto_lifetime_row_set_ttls (TtoLifetimeRow *self,
                                JsonArray *ttls);
void tto_lifetime_row_set_allow_one_time (TtoLifetimeRow *self,
                                          gboolean allow);
const char *tto_lifetime_row_get_lifetime (TtoLifetimeRow *self);
gint64 tto_lifetime_row_get_ttl (TtoLifetimeRow *self);
gboolean tto_lifetime_row_select (TtoLifetimeRow *self,
                                  const char *lifetime,
                                  gint64 ttl);
void tto_lifetime_row_apply (TtoLifetimeRow *self,
                             JsonObject *body);

G_END_DECLS
