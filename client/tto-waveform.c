/* tto-waveform.c: a voice message's levels as bars
 *
 * Draws attachment.waveform (up to 128 levels, 0–255) as rounded bars with
 * GtkSnapshot, resampled to the width there is; the part already played
 * is drawn in the full foreground colour, the rest dimmed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tto-waveform.h"

#define BAR_WIDTH 3
#define BAR_GAP 2
#define MIN_BAR_HEIGHT 3

struct _TtoWaveform
{
  GtkWidget parent_instance;

  GByteArray *levels;
  double progress;
};

G_DEFINE_FINAL_TYPE (TtoWaveform, tto_waveform, GTK_TYPE_WIDGET)

static void
tto_waveform_measure (GtkWidget *widget,
                      GtkOrientation orientation,
                      int for_size,
                      int *minimum,
                      int *natural,
                      int *minimum_baseline,
                      int *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 48;
      *natural = 160;
    }
  else
    *minimum = *natural = 28;
}

static guint8
level_at (TtoWaveform *self,
          guint bar,
          guint n_bars)
{
  guint n = self->levels->len;
  guint from, to, peak = 0;

  if (n == 0)
    return 0;
  from = (guint) ((guint64) bar * n / n_bars);
  to = MAX (from + 1, (guint) ((guint64) (bar + 1) * n / n_bars));
  for (guint i = from; i < MIN (to, n); i++)
    peak = MAX (peak, self->levels->data[i]);
  return peak;
}

static void
tto_waveform_snapshot (GtkWidget *widget,
                       GtkSnapshot *snapshot)
{
  TtoWaveform *self = TTO_WAVEFORM (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  guint n_bars = MAX (1, (width + BAR_GAP) / (BAR_WIDTH + BAR_GAP));
  GdkRGBA color, dim;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  dim = color;
  dim.alpha *= 0.35;

  for (guint i = 0; i < n_bars; i++)
    {
      guint8 level = level_at (self, i, n_bars);
      float bar_height = MAX (MIN_BAR_HEIGHT, (float) height * level / 255.0f);
      float x = (float) i * (BAR_WIDTH + BAR_GAP);
      GskRoundedRect rect;

      gsk_rounded_rect_init_from_rect (&rect,
                                       &GRAPHENE_RECT_INIT (x, (height - bar_height) / 2.0f,
                                                            BAR_WIDTH, bar_height),
                                       BAR_WIDTH / 2.0f);
      gtk_snapshot_push_rounded_clip (snapshot, &rect);
      gtk_snapshot_append_color (snapshot, (double) (i + 1) / n_bars <= self->progress ? &color
                                                                                     : &dim,
                                 &rect.bounds);
      gtk_snapshot_pop (snapshot);
    }
}

static void
tto_waveform_finalize (GObject *object)
{
  TtoWaveform *self = TTO_WAVEFORM (object);

  g_byte_array_unref (self->levels);

  G_OBJECT_CLASS (tto_waveform_parent_class)->finalize (object);
}

static void
tto_waveform_class_init (TtoWaveformClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = tto_waveform_finalize;
  widget_class->measure = tto_waveform_measure;
  widget_class->snapshot = tto_waveform_snapshot;
  gtk_widget_class_set_css_name (widget_class, "waveform");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
tto_waveform_init (TtoWaveform *self)
{
  self->levels = g_byte_array_new ();
}

GtkWidget *
tto_waveform_new (void)
{
  return g_object_new (TTO_TYPE_WAVEFORM, NULL);
}

void
tto_waveform_set_levels (TtoWaveform *self,
                         const guint8 *levels,
                         gsize n_levels)
{
  g_return_if_fail (TTO_IS_WAVEFORM (self));

  g_byte_array_set_size (self->levels, 0);
  if (levels != NULL && n_levels > 0)
    g_byte_array_append (self->levels, levels, n_levels);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gsize
tto_waveform_get_n_levels (TtoWaveform *self)
{
  g_return_val_if_fail (TTO_IS_WAVEFORM (self), 0);

  return self->levels->len;
}

/* 0–1: how much has been played. */
void
tto_waveform_set_progress (TtoWaveform *self,
                           double progress)
{
  g_return_if_fail (TTO_IS_WAVEFORM (self));

  progress = CLAMP (progress, 0.0, 1.0);
  if (progress == self->progress)
    return;
  self->progress = progress;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
