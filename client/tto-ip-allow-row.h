/* tto-ip-allow-row.h: the creator's list of networks members may join from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-session.h"

G_BEGIN_DECLS

#define TTO_TYPE_IP_ALLOW_ROW (tto_ip_allow_row_get_type ())
G_DECLARE_FINAL_TYPE (TtoIpAllowRow, tto_ip_allow_row, TTO, IP_ALLOW_ROW, AdwExpanderRow)

void tto_ip_allow_row_set_event (TtoIpAllowRow *self,
                                 TtoSession *session,
                                 TtoEvent *event);
gboolean tto_ip_allow_row_add (TtoIpAllowRow *self,
                               const char *text);
void tto_ip_allow_row_remove (TtoIpAllowRow *self,
                              const char *network);
const char *tto_ip_allow_row_get_error (TtoIpAllowRow *self);
AdwEntryRow *tto_ip_allow_row_get_entry (TtoIpAllowRow *self);
GtkWidget *tto_ip_allow_row_get_remove_button (TtoIpAllowRow *self,
                                               const char *network);
gboolean tto_ip_allow_row_get_busy (TtoIpAllowRow *self);

G_END_DECLS
