/* tto-flow-chart.c: the flow as a chart of stage nodes and arrows
 *
 * Layout and drawing are apart from the widget: a TtoFlowChartLayout is
 * the geometry for one width (nodes, their Pango layouts, the connectors),
 * and one drawing routine paints it through a small painter table that
 * either appends GtkSnapshot nodes (the widget) or draws with cairo (the
 * PDF report), so both show the same chart.
 *
 * Narrow widths (a phone) stack the stages in one column; wider ones put
 * them in rows, as many per row as fit at a readable node width, with an
 * elbow arrow from the end of one row to the start of the next. Titles
 * wrap inside their node (at most three lines, then ellipsized), and every
 * row is as tall as its tallest node, so nothing overlaps. The current
 * stage is filled with the accent colour; every node also says its state
 * in words with a mark (✓ done, ● ongoing, ○ pending), not by colour only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-flow-chart.h"

#define MARGIN 12.f
#define GAP_H 36.f      /* between nodes in a row: room for an arrow */
#define GAP_V 32.f      /* between rows */
#define PAD 10.f        /* inside a node */
#define RADIUS 10.f
#define MIN_NODE_W 132.f
#define MAX_NODE_W 220.f
#define VERTICAL_BELOW 560 /* widths below this stack the stages */
#define ARROW 7.f

typedef struct
{
  graphene_rect_t rect;
  graphene_point_t title_at;
  graphene_point_t status_at;
  PangoLayout *title;
  PangoLayout *status;
  TtoFlowStageStatus state;
} Node;

struct _TtoFlowChartLayout
{
  GArray *nodes;      /* Node */
  GArray *segments;   /* graphene_rect_t: connector lines as thin rectangles */
  GArray *heads;      /* graphene_point_t + direction in z (0 right, 1 down) */
  float width;
  float height;
  gboolean vertical;
};

typedef struct
{
  float x, y;
  int direction; /* 0: points right, 1: points down */
} Head;

static void
node_clear (Node *node)
{
  g_clear_object (&node->title);
  g_clear_object (&node->status);
}

void
tto_flow_chart_layout_free (TtoFlowChartLayout *layout)
{
  if (layout == NULL)
    return;
  g_array_unref (layout->nodes);
  g_array_unref (layout->segments);
  g_array_unref (layout->heads);
  g_free (layout);
}

static char *
status_text (TtoFlowStageStatus state)
{
  switch (state)
    {
    case TTO_FLOW_STAGE_DONE:
      /* Translators: the state line of a done stage in the flow chart */
      return g_strdup_printf ("✓ %s", tto_flow_stage_status_name (state));
    case TTO_FLOW_STAGE_ACTIVE:
      return g_strdup_printf ("● %s", tto_flow_stage_status_name (state));
    case TTO_FLOW_STAGE_PENDING:
    default:
      return g_strdup_printf ("○ %s", tto_flow_stage_status_name (state));
    }
}

/* Makes the node's layouts for @inner width; returns its content height. */
static float
fill_node (Node *node,
           PangoContext *context,
           TtoFlowStage *stage,
           guint index,
           float inner)
{
  g_autoptr (PangoAttrList) attrs = pango_attr_list_new ();
  g_autofree char *title = NULL;
  g_autofree char *status = status_text (tto_flow_stage_get_status (stage));
  PangoRectangle title_rect, status_rect;

  node->state = tto_flow_stage_get_status (stage);
  title = g_strdup_printf ("%u. %s", index + 1, tto_flow_stage_get_display_title (stage));
  node->title = pango_layout_new (context);
  pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  pango_layout_set_attributes (node->title, attrs);
  pango_layout_set_text (node->title, title, -1);
  pango_layout_set_width (node->title, (int) (inner * PANGO_SCALE));
  pango_layout_set_wrap (node->title, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_height (node->title, -3);
  pango_layout_set_ellipsize (node->title, PANGO_ELLIPSIZE_END);
  pango_layout_set_alignment (node->title, PANGO_ALIGN_CENTER);

  node->status = pango_layout_new (context);
  pango_layout_set_text (node->status, status, -1);
  pango_layout_set_width (node->status, (int) (inner * PANGO_SCALE));
  pango_layout_set_ellipsize (node->status, PANGO_ELLIPSIZE_END);
  pango_layout_set_alignment (node->status, PANGO_ALIGN_CENTER);

  pango_layout_get_pixel_extents (node->title, NULL, &title_rect);
  pango_layout_get_pixel_extents (node->status, NULL, &status_rect);
  return title_rect.height + 4 + status_rect.height;
}

static void
add_segment (TtoFlowChartLayout *layout,
             float x0,
             float y0,
             float x1,
             float y1)
{
  graphene_rect_t rect;

  /* Connectors are axis-aligned: a 2 px wide rectangle each. */
  if (x0 == x1)
    graphene_rect_init (&rect, x0 - 1, MIN (y0, y1), 2, ABS (y1 - y0));
  else
    graphene_rect_init (&rect, MIN (x0, x1), y0 - 1, ABS (x1 - x0), 2);
  g_array_append_val (layout->segments, rect);
}

static void
add_head (TtoFlowChartLayout *layout,
          float x,
          float y,
          int direction)
{
  Head head = { x, y, direction };

  g_array_append_val (layout->heads, head);
}

/* Places the titles inside their nodes once the node height is known. */
static void
place_texts (Node *node)
{
  PangoRectangle title_rect, status_rect;
  float content;

  pango_layout_get_pixel_extents (node->title, NULL, &title_rect);
  pango_layout_get_pixel_extents (node->status, NULL, &status_rect);
  content = title_rect.height + 4 + status_rect.height;
  node->title_at.x = node->rect.origin.x + PAD;
  node->title_at.y = node->rect.origin.y + (node->rect.size.height - content) / 2;
  node->status_at.x = node->rect.origin.x + PAD;
  node->status_at.y = node->title_at.y + title_rect.height + 4;
}

/* Lays out @flow's stages for @width pixels. */
TtoFlowChartLayout *
tto_flow_chart_layout_new (PangoContext *context,
                           TtoFlow *flow,
                           int width)
{
  TtoFlowChartLayout *layout;
  GListModel *stages;
  guint n;
  float avail;

  g_return_val_if_fail (PANGO_IS_CONTEXT (context), NULL);
  g_return_val_if_fail (TTO_IS_FLOW (flow), NULL);

  layout = g_new0 (TtoFlowChartLayout, 1);
  layout->nodes = g_array_new (FALSE, TRUE, sizeof (Node));
  g_array_set_clear_func (layout->nodes, (GDestroyNotify) node_clear);
  layout->segments = g_array_new (FALSE, TRUE, sizeof (graphene_rect_t));
  layout->heads = g_array_new (FALSE, TRUE, sizeof (Head));
  layout->width = MAX (width, 1);

  stages = tto_flow_get_stages (flow);
  n = g_list_model_get_n_items (stages);
  avail = MAX (layout->width - 2 * MARGIN, 60);
  g_array_set_size (layout->nodes, n);
  if (n == 0)
    {
      layout->height = 0;
      return layout;
    }

  layout->vertical = width < VERTICAL_BELOW;
  if (layout->vertical)
    {
      float node_w = MIN (avail, 360);
      float x = MARGIN + (avail - node_w) / 2;
      float y = MARGIN;

      for (guint i = 0; i < n; i++)
        {
          g_autoptr (TtoFlowStage) stage = g_list_model_get_item (stages, i);
          Node *node = &g_array_index (layout->nodes, Node, i);
          float h = fill_node (node, context, stage, i, node_w - 2 * PAD) + 2 * PAD;

          h = MAX (h, 44); /* a touch target's height */
          graphene_rect_init (&node->rect, x, y, node_w, h);
          place_texts (node);
          if (i > 0)
            {
              add_segment (layout, x + node_w / 2, y - GAP_V + 2, x + node_w / 2, y - ARROW);
              add_head (layout, x + node_w / 2, y - 1, 1);
            }
          y += h + GAP_V;
        }
      layout->height = y - GAP_V + MARGIN;
      return layout;
    }

  {
    guint per_row = MAX (1, (guint) ((avail + GAP_H) / (MIN_NODE_W + GAP_H)));
    guint rows = (n + per_row - 1) / per_row;
    float node_w;
    float y = MARGIN;

    per_row = (n + rows - 1) / rows; /* balance the rows */
    node_w = MIN (MAX_NODE_W, (avail - (per_row - 1) * GAP_H) / per_row);

    for (guint r = 0; r < rows; r++)
      {
        guint first = r * per_row;
        guint last = MIN (n, first + per_row);
        float row_w = (last - first) * node_w + (last - first - 1) * GAP_H;
        float x0 = MARGIN + (avail - row_w) / 2;
        float row_h = 44;

        for (guint i = first; i < last; i++)
          {
            g_autoptr (TtoFlowStage) stage = g_list_model_get_item (stages, i);
            Node *node = &g_array_index (layout->nodes, Node, i);

            row_h = MAX (row_h, fill_node (node, context, stage, i, node_w - 2 * PAD) + 2 * PAD);
          }
        for (guint i = first; i < last; i++)
          {
            Node *node = &g_array_index (layout->nodes, Node, i);
            float x = x0 + (i - first) * (node_w + GAP_H);

            graphene_rect_init (&node->rect, x, y, node_w, row_h);
            place_texts (node);
            if (i > first)
              {
                add_segment (layout, x - GAP_H + 2, y + row_h / 2, x - ARROW, y + row_h / 2);
                add_head (layout, x - 1, y + row_h / 2, 0);
              }
          }
        if (r > 0)
          {
            /* From the bottom of the previous row's last node, down, across,
             * and down into this row's first node. */
            Node *prev = &g_array_index (layout->nodes, Node, first - 1);
            Node *next = &g_array_index (layout->nodes, Node, first);
            float px = prev->rect.origin.x + prev->rect.size.width / 2;
            float py = prev->rect.origin.y + prev->rect.size.height;
            float nx = next->rect.origin.x + next->rect.size.width / 2;
            float mid = py + GAP_V / 2;

            add_segment (layout, px, py + 2, px, mid);
            add_segment (layout, MIN (px, nx) - 1, mid, MAX (px, nx) + 1, mid);
            add_segment (layout, nx, mid, nx, y - ARROW);
            add_head (layout, nx, y - 1, 1);
          }
        y += row_h + GAP_V;
      }
    layout->height = y - GAP_V + MARGIN;
  }
  return layout;
}

int
tto_flow_chart_layout_get_height (TtoFlowChartLayout *layout)
{
  g_return_val_if_fail (layout != NULL, 0);
  return (int) ceilf (layout->height);
}

gboolean
tto_flow_chart_layout_is_vertical (TtoFlowChartLayout *layout)
{
  g_return_val_if_fail (layout != NULL, FALSE);
  return layout->vertical;
}

guint
tto_flow_chart_layout_get_n_nodes (TtoFlowChartLayout *layout)
{
  g_return_val_if_fail (layout != NULL, 0);
  return layout->nodes->len;
}

/* @node: the node's box; @title: where its title's logical extents land. */
void
tto_flow_chart_layout_get_node (TtoFlowChartLayout *layout,
                                guint index,
                                graphene_rect_t *node,
                                graphene_rect_t *title)
{
  Node *n;

  g_return_if_fail (layout != NULL);
  g_return_if_fail (index < layout->nodes->len);

  n = &g_array_index (layout->nodes, Node, index);
  if (node != NULL)
    *node = n->rect;
  if (title != NULL)
    {
      PangoRectangle logical;

      pango_layout_get_pixel_extents (n->title, NULL, &logical);
      graphene_rect_init (title, n->title_at.x + logical.x, n->title_at.y + logical.y,
                          logical.width, logical.height);
    }
}

/* Drawing, once, through either backend */

typedef struct
{
  void (*fill_rounded) (gpointer target,
                        const graphene_rect_t *rect,
                        const GdkRGBA *color);
  void (*stroke_rounded) (gpointer target,
                          const graphene_rect_t *rect,
                          float width,
                          const GdkRGBA *color);
  void (*fill_rect) (gpointer target,
                     const graphene_rect_t *rect,
                     const GdkRGBA *color);
  void (*arrow_head) (gpointer target,
                      const Head *head,
                      const GdkRGBA *color);
  void (*text) (gpointer target,
                PangoLayout *layout,
                const graphene_point_t *at,
                const GdkRGBA *color);
} Painter;

static void
draw (TtoFlowChartLayout *layout,
      const TtoFlowChartPalette *palette,
      const Painter *painter,
      gpointer target)
{
  for (guint i = 0; i < layout->segments->len; i++)
    painter->fill_rect (target, &g_array_index (layout->segments, graphene_rect_t, i),
                        &palette->dim);
  for (guint i = 0; i < layout->heads->len; i++)
    painter->arrow_head (target, &g_array_index (layout->heads, Head, i), &palette->dim);

  for (guint i = 0; i < layout->nodes->len; i++)
    {
      Node *node = &g_array_index (layout->nodes, Node, i);
      const GdkRGBA *title_color = &palette->fg;
      const GdkRGBA *status_color = &palette->dim;

      switch (node->state)
        {
        case TTO_FLOW_STAGE_ACTIVE:
          painter->fill_rounded (target, &node->rect, &palette->accent_bg);
          title_color = status_color = &palette->accent_fg;
          break;
        case TTO_FLOW_STAGE_DONE:
          painter->fill_rounded (target, &node->rect, &palette->node_bg);
          painter->stroke_rounded (target, &node->rect, 1, &palette->border);
          status_color = &palette->success;
          break;
        case TTO_FLOW_STAGE_PENDING:
        default:
          painter->stroke_rounded (target, &node->rect, 1, &palette->dim);
          break;
        }
      painter->text (target, node->title, &node->title_at, title_color);
      painter->text (target, node->status, &node->status_at, status_color);
    }
}

/* cairo */

static void
rounded_path (cairo_t *cr,
              const graphene_rect_t *r,
              float radius)
{
  float x = r->origin.x, y = r->origin.y, w = r->size.width, h = r->size.height;

  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - radius, y + radius, radius, -G_PI / 2, 0);
  cairo_arc (cr, x + w - radius, y + h - radius, radius, 0, G_PI / 2);
  cairo_arc (cr, x + radius, y + h - radius, radius, G_PI / 2, G_PI);
  cairo_arc (cr, x + radius, y + radius, radius, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

static void
cairo_fill_rounded (gpointer target,
                    const graphene_rect_t *rect,
                    const GdkRGBA *color)
{
  cairo_t *cr = target;

  rounded_path (cr, rect, RADIUS);
  gdk_cairo_set_source_rgba (cr, color);
  cairo_fill (cr);
}

static void
cairo_stroke_rounded (gpointer target,
                      const graphene_rect_t *rect,
                      float width,
                      const GdkRGBA *color)
{
  cairo_t *cr = target;
  graphene_rect_t inset;

  graphene_rect_inset_r (rect, width / 2, width / 2, &inset);
  rounded_path (cr, &inset, RADIUS - width / 2);
  gdk_cairo_set_source_rgba (cr, color);
  cairo_set_line_width (cr, width);
  cairo_stroke (cr);
}

static void
cairo_fill_rect (gpointer target,
                 const graphene_rect_t *rect,
                 const GdkRGBA *color)
{
  cairo_t *cr = target;

  cairo_rectangle (cr, rect->origin.x, rect->origin.y, rect->size.width, rect->size.height);
  gdk_cairo_set_source_rgba (cr, color);
  cairo_fill (cr);
}

static void
head_path (cairo_t *cr,
           const Head *head)
{
  if (head->direction == 0)
    {
      cairo_move_to (cr, head->x, head->y);
      cairo_line_to (cr, head->x - ARROW - 2, head->y - ARROW / 1.4f);
      cairo_line_to (cr, head->x - ARROW - 2, head->y + ARROW / 1.4f);
    }
  else
    {
      cairo_move_to (cr, head->x, head->y);
      cairo_line_to (cr, head->x - ARROW / 1.4f, head->y - ARROW - 2);
      cairo_line_to (cr, head->x + ARROW / 1.4f, head->y - ARROW - 2);
    }
  cairo_close_path (cr);
}

static void
cairo_arrow_head (gpointer target,
                  const Head *head,
                  const GdkRGBA *color)
{
  cairo_t *cr = target;

  head_path (cr, head);
  gdk_cairo_set_source_rgba (cr, color);
  cairo_fill (cr);
}

static void
cairo_text (gpointer target,
            PangoLayout *layout,
            const graphene_point_t *at,
            const GdkRGBA *color)
{
  cairo_t *cr = target;

  cairo_move_to (cr, at->x, at->y);
  gdk_cairo_set_source_rgba (cr, color);
  pango_cairo_update_layout (cr, layout);
  pango_cairo_show_layout (cr, layout);
}

static const Painter cairo_painter = {
  cairo_fill_rounded, cairo_stroke_rounded, cairo_fill_rect, cairo_arrow_head, cairo_text,
};

/* Draws at the cairo context's origin (the report's PDF page). */
void
tto_flow_chart_layout_draw_cairo (TtoFlowChartLayout *layout,
                                  cairo_t *cr,
                                  const TtoFlowChartPalette *palette)
{
  g_return_if_fail (layout != NULL);
  g_return_if_fail (cr != NULL);

  cairo_save (cr);
  draw (layout, palette, &cairo_painter, cr);
  cairo_restore (cr);
}

/* GtkSnapshot */

static void
snapshot_fill_rounded (gpointer target,
                       const graphene_rect_t *rect,
                       const GdkRGBA *color)
{
  GtkSnapshot *snapshot = target;
  GskRoundedRect rounded;

  gsk_rounded_rect_init_from_rect (&rounded, rect, RADIUS);
  gtk_snapshot_push_rounded_clip (snapshot, &rounded);
  gtk_snapshot_append_color (snapshot, color, rect);
  gtk_snapshot_pop (snapshot);
}

static void
snapshot_stroke_rounded (gpointer target,
                         const graphene_rect_t *rect,
                         float width,
                         const GdkRGBA *color)
{
  GtkSnapshot *snapshot = target;
  GskRoundedRect rounded;
  const float widths[4] = { width, width, width, width };
  const GdkRGBA colors[4] = { *color, *color, *color, *color };

  gsk_rounded_rect_init_from_rect (&rounded, rect, RADIUS);
  gtk_snapshot_append_border (snapshot, &rounded, widths, colors);
}

static void
snapshot_fill_rect (gpointer target,
                    const graphene_rect_t *rect,
                    const GdkRGBA *color)
{
  gtk_snapshot_append_color (target, color, rect);
}

static void
snapshot_arrow_head (gpointer target,
                     const Head *head,
                     const GdkRGBA *color)
{
  GtkSnapshot *snapshot = target;
  graphene_rect_t bounds;
  cairo_t *cr;

  /* GTK 4.8 has no path nodes: the small triangle goes through cairo. */
  graphene_rect_init (&bounds, head->x - ARROW - 4, head->y - ARROW - 4, 2 * ARROW + 8,
                      2 * ARROW + 8);
  cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  head_path (cr, head);
  gdk_cairo_set_source_rgba (cr, color);
  cairo_fill (cr);
  cairo_destroy (cr);
}

static void
snapshot_text (gpointer target,
               PangoLayout *layout,
               const graphene_point_t *at,
               const GdkRGBA *color)
{
  GtkSnapshot *snapshot = target;

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, at);
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static const Painter snapshot_painter = {
  snapshot_fill_rounded, snapshot_stroke_rounded, snapshot_fill_rect, snapshot_arrow_head,
  snapshot_text,
};

void
tto_flow_chart_layout_draw_snapshot (TtoFlowChartLayout *layout,
                                     GtkSnapshot *snapshot,
                                     const TtoFlowChartPalette *palette)
{
  g_return_if_fail (layout != NULL);
  g_return_if_fail (GTK_IS_SNAPSHOT (snapshot));

  draw (layout, palette, &snapshot_painter, snapshot);
}

/* Colours for paper: dark text, a blue current stage. */
void
tto_flow_chart_palette_init_print (TtoFlowChartPalette *palette)
{
  g_return_if_fail (palette != NULL);

  gdk_rgba_parse (&palette->fg, "#241f31");
  gdk_rgba_parse (&palette->dim, "#5e5c64");
  gdk_rgba_parse (&palette->node_bg, "#f6f5f4");
  gdk_rgba_parse (&palette->border, "#9a9996");
  gdk_rgba_parse (&palette->accent_bg, "#1c71d8");
  gdk_rgba_parse (&palette->accent_fg, "#ffffff");
  gdk_rgba_parse (&palette->success, "#26a269");
}

/* Read aloud: every stage with its number and state. */
char *
tto_flow_chart_describe (TtoFlow *flow)
{
  GString *text = g_string_new (NULL);
  guint n;

  g_return_val_if_fail (TTO_IS_FLOW (flow), NULL);

  n = tto_flow_get_n_stages (flow);
  for (guint i = 0; i < n; i++)
    {
      TtoFlowStage *stage = tto_flow_get_stage (flow, i);

      if (text->len > 0)
        g_string_append (text, " ");
      /* Translators: one stage in the flow chart's spoken description:
       * "Stage 2 of 3: Plan confirmation, ongoing." */
      g_string_append_printf (text, _("Stage %u of %u: %s, %s."), i + 1, n,
                              tto_flow_stage_get_display_title (stage),
                              tto_flow_stage_status_name (tto_flow_stage_get_status (stage)));
    }
  return g_string_free (text, FALSE);
}

/* The widget */

struct _TtoFlowChart
{
  GtkWidget parent_instance;

  TtoFlow *flow;
  TtoFlowChartLayout *layout; /* for layout_width; NULL when stale */
  int layout_width;
};

G_DEFINE_FINAL_TYPE (TtoFlowChart, tto_flow_chart, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_FLOW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static TtoFlowChartLayout *
ensure_layout (TtoFlowChart *self,
               int width)
{
  if (self->layout != NULL && self->layout_width == width)
    return self->layout;
  g_clear_pointer (&self->layout, tto_flow_chart_layout_free);
  if (self->flow == NULL)
    return NULL;
  self->layout = tto_flow_chart_layout_new (gtk_widget_get_pango_context (GTK_WIDGET (self)),
                                            self->flow, width);
  self->layout_width = width;
  return self->layout;
}

static void
update_accessible (TtoFlowChart *self)
{
  g_autofree char *description = self->flow != NULL ? tto_flow_chart_describe (self->flow)
                                                    : g_strdup ("");

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Flow chart"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
}

static void
on_flow_changed (TtoFlowChart *self)
{
  g_clear_pointer (&self->layout, tto_flow_chart_layout_free);
  update_accessible (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
lookup_color (GtkStyleContext *context,
              const char *name,
              const char *fallback,
              GdkRGBA *color)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (context, name, color))
    gdk_rgba_parse (color, fallback);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
theme_palette (TtoFlowChart *self,
               TtoFlowChartPalette *palette)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));

  gtk_style_context_get_color (context, &palette->fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  palette->dim = palette->fg;
  palette->dim.alpha *= 0.6f;
  palette->border = palette->fg;
  palette->border.alpha *= 0.25f;
  lookup_color (context, "card_bg_color", "#ffffff", &palette->node_bg);
  lookup_color (context, "accent_bg_color", "#3584e4", &palette->accent_bg);
  lookup_color (context, "accent_fg_color", "#ffffff", &palette->accent_fg);
  lookup_color (context, "success_color", "#26a269", &palette->success);
}

static void
tto_flow_chart_snapshot (GtkWidget *widget,
                         GtkSnapshot *snapshot)
{
  TtoFlowChart *self = TTO_FLOW_CHART (widget);
  TtoFlowChartLayout *layout = ensure_layout (self, gtk_widget_get_width (widget));
  TtoFlowChartPalette palette;

  if (layout == NULL)
    return;
  theme_palette (self, &palette);
  tto_flow_chart_layout_draw_snapshot (layout, snapshot, &palette);
}

static void
tto_flow_chart_measure (GtkWidget *widget,
                        GtkOrientation orientation,
                        int for_size,
                        int *minimum,
                        int *natural,
                        int *minimum_baseline,
                        int *natural_baseline)
{
  TtoFlowChart *self = TTO_FLOW_CHART (widget);
  guint n = self->flow != NULL ? tto_flow_get_n_stages (self->flow) : 0;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 160;
      *natural = MAX (*minimum, (int) MIN (1200, 2 * MARGIN + n * 180 + (n > 0 ? n - 1 : 0) * GAP_H));
    }
  else
    {
      int width = for_size >= 0 ? for_size : 360;
      g_autoptr (TtoFlowChartLayout) layout = NULL;

      if (self->flow == NULL)
        *minimum = *natural = 0;
      else
        {
          layout = tto_flow_chart_layout_new (gtk_widget_get_pango_context (widget), self->flow,
                                              width);
          *minimum = *natural = tto_flow_chart_layout_get_height (layout);
        }
    }
}

static GtkSizeRequestMode
tto_flow_chart_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
tto_flow_chart_size_allocate (GtkWidget *widget,
                              int width,
                              int height,
                              int baseline)
{
  ensure_layout (TTO_FLOW_CHART (widget), width);
}

static void
tto_flow_chart_css_changed (GtkWidget *widget,
                            GtkCssStyleChange *change)
{
  TtoFlowChart *self = TTO_FLOW_CHART (widget);

  GTK_WIDGET_CLASS (tto_flow_chart_parent_class)->css_changed (widget, change);
  /* Fonts may have changed with the style. */
  g_clear_pointer (&self->layout, tto_flow_chart_layout_free);
  gtk_widget_queue_resize (widget);
}

static void
tto_flow_chart_dispose (GObject *object)
{
  TtoFlowChart *self = TTO_FLOW_CHART (object);

  tto_flow_chart_set_flow (self, NULL);
  G_OBJECT_CLASS (tto_flow_chart_parent_class)->dispose (object);
}

static void
tto_flow_chart_get_property (GObject *object,
                             guint prop_id,
                             GValue *value,
                             GParamSpec *pspec)
{
  TtoFlowChart *self = TTO_FLOW_CHART (object);

  switch (prop_id)
    {
    case PROP_FLOW:
      g_value_set_object (value, self->flow);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_flow_chart_set_property (GObject *object,
                             guint prop_id,
                             const GValue *value,
                             GParamSpec *pspec)
{
  TtoFlowChart *self = TTO_FLOW_CHART (object);

  switch (prop_id)
    {
    case PROP_FLOW:
      tto_flow_chart_set_flow (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_flow_chart_class_init (TtoFlowChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_flow_chart_dispose;
  object_class->get_property = tto_flow_chart_get_property;
  object_class->set_property = tto_flow_chart_set_property;
  widget_class->snapshot = tto_flow_chart_snapshot;
  widget_class->measure = tto_flow_chart_measure;
  widget_class->get_request_mode = tto_flow_chart_get_request_mode;
  widget_class->size_allocate = tto_flow_chart_size_allocate;
  widget_class->css_changed = tto_flow_chart_css_changed;

  properties[PROP_FLOW] = g_param_spec_object ("flow", NULL, NULL, TTO_TYPE_FLOW,
                                               G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                                 G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "flowchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
tto_flow_chart_init (TtoFlowChart *self)
{
  update_accessible (self);
}

GtkWidget *
tto_flow_chart_new (void)
{
  return g_object_new (TTO_TYPE_FLOW_CHART, NULL);
}

TtoFlow *
tto_flow_chart_get_flow (TtoFlowChart *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_CHART (self), NULL);
  return self->flow;
}

void
tto_flow_chart_set_flow (TtoFlowChart *self,
                         TtoFlow *flow)
{
  g_return_if_fail (TTO_IS_FLOW_CHART (self));
  g_return_if_fail (flow == NULL || TTO_IS_FLOW (flow));

  if (self->flow == flow)
    return;
  if (self->flow != NULL)
    g_signal_handlers_disconnect_by_data (self->flow, self);
  g_set_object (&self->flow, flow);
  if (flow != NULL)
    g_signal_connect_swapped (flow, "changed", G_CALLBACK (on_flow_changed), self);
  on_flow_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FLOW]);
}

/* The node rectangles at the current width, in widget coordinates (for
 * tests); the titles' logical extents in @out_title_rects if wanted. */
GArray *
tto_flow_chart_get_node_rects (TtoFlowChart *self,
                               GArray **out_title_rects)
{
  GArray *nodes = g_array_new (FALSE, FALSE, sizeof (graphene_rect_t));
  TtoFlowChartLayout *layout;

  g_return_val_if_fail (TTO_IS_FLOW_CHART (self), nodes);

  if (out_title_rects != NULL)
    *out_title_rects = g_array_new (FALSE, FALSE, sizeof (graphene_rect_t));
  layout = ensure_layout (self, gtk_widget_get_width (GTK_WIDGET (self)));
  for (guint i = 0; layout != NULL && i < layout->nodes->len; i++)
    {
      graphene_rect_t node, title;

      tto_flow_chart_layout_get_node (layout, i, &node, &title);
      g_array_append_val (nodes, node);
      if (out_title_rects != NULL)
        g_array_append_val (*out_title_rects, title);
    }
  return nodes;
}
