/* tto-waveform.h: a voice message's levels as bars
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TTO_TYPE_WAVEFORM (tto_waveform_get_type ())
G_DECLARE_FINAL_TYPE (TtoWaveform, tto_waveform, TTO, WAVEFORM, GtkWidget)

GtkWidget *tto_waveform_new (void);
void tto_waveform_set_levels (TtoWaveform *self,
                              const guint8 *levels,
                              gsize n_levels);
gsize tto_waveform_get_n_levels (TtoWaveform *self);
void tto_waveform_set_progress (TtoWaveform *self,
                                double progress);

G_END_DECLS
