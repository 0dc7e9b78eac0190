/* tto-flow-chart.h: the flow as a chart of stage nodes and arrows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tto-flow.h"

G_BEGIN_DECLS

/* Geometry of one drawing of the chart, for the widget, the PDF report and
 * tests alike (the same code lays out and draws both). */
typedef struct _TtoFlowChartLayout TtoFlowChartLayout;

typedef struct
{
  GdkRGBA fg;        /* titles, arrows */
  GdkRGBA dim;       /* status lines, pending borders */
  GdkRGBA node_bg;   /* done and pending nodes */
  GdkRGBA border;
  GdkRGBA accent_bg; /* the current stage */
  GdkRGBA accent_fg;
  GdkRGBA success;   /* the done mark */
} TtoFlowChartPalette;

TtoFlowChartLayout *tto_flow_chart_layout_new (PangoContext *context,
                                               TtoFlow *flow,
                                               int width);
void tto_flow_chart_layout_free (TtoFlowChartLayout *layout);
int tto_flow_chart_layout_get_height (TtoFlowChartLayout *layout);
gboolean tto_flow_chart_layout_is_vertical (TtoFlowChartLayout *layout);
guint tto_flow_chart_layout_get_n_nodes (TtoFlowChartLayout *layout);
void tto_flow_chart_layout_get_node (TtoFlowChartLayout *layout,
                                     guint index,
                                     graphene_rect_t *node,
                                     graphene_rect_t *title);
void tto_flow_chart_layout_draw_cairo (TtoFlowChartLayout *layout,
                                       cairo_t *cr,
                                       const TtoFlowChartPalette *palette);
void tto_flow_chart_layout_draw_snapshot (TtoFlowChartLayout *layout,
                                          GtkSnapshot *snapshot,
                                          const TtoFlowChartPalette *palette);
void tto_flow_chart_palette_init_print (TtoFlowChartPalette *palette);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TtoFlowChartLayout, tto_flow_chart_layout_free)

#define TTO_TYPE_FLOW_CHART (tto_flow_chart_get_type ())
G_DECLARE_FINAL_TYPE (TtoFlowChart, tto_flow_chart, TTO, FLOW_CHART, GtkWidget)

GtkWidget *tto_flow_chart_new (void);
TtoFlow *tto_flow_chart_get_flow (TtoFlowChart *self);
void tto_flow_chart_set_flow (TtoFlowChart *self,
                              TtoFlow *flow);
GArray *tto_flow_chart_get_node_rects (TtoFlowChart *self,
                                       GArray **out_title_rects);
char *tto_flow_chart_describe (TtoFlow *flow);

G_END_DECLS
