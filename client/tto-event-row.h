/* tto-event-row.h: one event in the home lists
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tto-session.h"

G_BEGIN_DECLS

#define TTO_TYPE_EVENT_ROW (tto_event_row_get_type ())
G_DECLARE_FINAL_TYPE (TtoEventRow, tto_event_row, TTO, EVENT_ROW, GtkBox)

TtoEventRow *tto_event_row_new (void);
void tto_event_row_set_event (TtoEventRow *self,
                              TtoEvent *event);
TtoEvent *tto_event_row_get_event (TtoEventRow *self);
void tto_event_row_set_session (TtoEventRow *self,
                                TtoSession *session);
guint tto_event_row_get_mention_count (TtoEventRow *self);
const char *tto_event_row_get_subtitle (TtoEventRow *self);

G_END_DECLS
