/* tto-flow-report.c: the stage report of a flow, as Markdown or PDF
 *
 * What the flow holds and nothing else: stages with their dates,
 * conclusions and participant counts, tasks with their required form and
 * status, the points table and meetings. No message text and no form
 * answers exist here to go in. The PDF (cairo, A4) starts with the flow
 * chart drawn by the chart widget's own layout and drawing code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gi18n.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "tto-flow-chart.h"
#include "tto-flow-report.h"

#define PAGE_W 595.0 /* A4 in points */
#define PAGE_H 842.0
#define PAGE_MARGIN 50.0
#define CHART_WIDTH 760 /* laid out this wide, then scaled to the text width */

static char *
format_date (gint64 seconds)
{
  g_autoptr (GDateTime) utc = NULL;
  g_autoptr (GDateTime) local = NULL;

  if (seconds <= 0)
    return g_strdup ("—");
  utc = g_date_time_new_from_unix_utc (seconds);
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

static const char *
name_of (GHashTable *names,
         const char *identity_id)
{
  const char *name = names != NULL ? g_hash_table_lookup (names, identity_id) : NULL;

  return name != NULL ? name : _("Former member");
}

typedef struct
{
  const char *id;
  const char *name;
  gint64 points;
} Standing;

static int
compare_standing (gconstpointer a,
                  gconstpointer b)
{
  const Standing *x = a, *y = b;

  if (x->points != y->points)
    return x->points > y->points ? -1 : 1;
  return g_utf8_collate (x->name, y->name);
}

/* Everyone with points or a name, highest first. */
static GArray *
standings (TtoFlow *flow,
           GHashTable *names)
{
  GArray *rows = g_array_new (FALSE, FALSE, sizeof (Standing));
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GList) holders = tto_flow_get_point_holders (flow);

  for (GList *l = holders; l != NULL; l = l->next)
    {
      Standing row = { l->data, name_of (names, l->data), tto_flow_get_points (flow, l->data) };

      g_hash_table_add (seen, l->data);
      g_array_append_val (rows, row);
    }
  if (names != NULL)
    {
      GHashTableIter iter;
      gpointer id, name;

      g_hash_table_iter_init (&iter, names);
      while (g_hash_table_iter_next (&iter, &id, &name))
        if (!g_hash_table_contains (seen, id))
          {
            Standing row = { id, name, 0 };

            g_array_append_val (rows, row);
          }
    }
  g_array_sort (rows, compare_standing);
  return rows;
}

static char *
task_line (TtoFlowTask *task)
{
  guint n = tto_flow_task_get_n_done (task);

  /* Translators: a task in the report: "Budget — Text form, required — Open, completed by 2" */
  return g_strdup_printf (_("%s — %s%s — %s, completed by %u"), tto_flow_task_get_title (task),
                          tto_flow_task_form_name (tto_flow_task_get_form (task)),
                          tto_flow_task_get_required (task) ? _(", required") : "",
                          tto_flow_task_status_name (tto_flow_task_get_status (task)), n);
}

/* Markdown */

/* Backslash-escapes what Markdown would read as inline markup; every text
 * goes after a prefix of ours, so line-start markers cannot occur. */
static void
append_md (GString *out,
           const char *text)
{
  for (const char *p = text != NULL ? text : ""; *p != '\0'; p++)
    {
      if (*p != '\0' && strchr ("\\`*_[]<>|#", *p) != NULL)
        g_string_append_c (out, '\\');
      if (*p == '\n')
        g_string_append (out, "  \n");
      else
        g_string_append_c (out, *p);
    }
}

char *
tto_flow_report_markdown (TtoFlow *flow,
                          const char *title,
                          GHashTable *names,
                          gint64 now)
{
  GString *out;
  g_autofree char *generated = NULL;
  g_autoptr (GArray) rows = NULL;
  guint n;

  g_return_val_if_fail (TTO_IS_FLOW (flow), NULL);

  out = g_string_new ("# ");
  append_md (out, title);
  g_string_append (out, "\n\n");
  generated = format_date (now);
  /* Translators: %s is a date and time */
  g_string_append_printf (out, _("Flow report, %s"), generated);
  g_string_append (out, "\n\n## ");
  g_string_append (out, _("Stages"));
  g_string_append (out, "\n\n");

  n = tto_flow_get_n_stages (flow);
  for (guint i = 0; i < n; i++)
    {
      TtoFlowStage *stage = tto_flow_get_stage (flow, i);
      GListModel *tasks = tto_flow_stage_get_tasks (stage);
      g_autofree char *started = format_date (tto_flow_stage_get_started_at (stage));
      g_autofree char *ended = format_date (tto_flow_stage_get_ended_at (stage));
      const char *conclusion = tto_flow_stage_get_conclusion (stage);

      g_string_append_printf (out, "### %u. ", i + 1);
      append_md (out, tto_flow_stage_get_display_title (stage));
      g_string_append_printf (out, " (%s)\n\n",
                              tto_flow_stage_status_name (tto_flow_stage_get_status (stage)));
      g_string_append_printf (out, "- %s: %s\n- %s: %s\n- %s: %u\n", _("Started"), started,
                              _("Ended"), ended, _("Participants"),
                              tto_flow_stage_get_participants (stage));
      g_string_append_printf (out, "- %s: %u/%u\n", _("Tasks done"),
                              tto_flow_stage_get_n_tasks_done (stage),
                              tto_flow_stage_get_n_tasks (stage));
      if (conclusion != NULL && *conclusion != '\0')
        {
          g_string_append_printf (out, "- %s: ", _("Conclusion"));
          append_md (out, conclusion);
          g_string_append_c (out, '\n');
        }
      if (g_list_model_get_n_items (tasks) > 0)
        {
          g_string_append_printf (out, "\n%s:\n\n", _("Tasks"));
          for (guint t = 0; t < g_list_model_get_n_items (tasks); t++)
            {
              g_autoptr (TtoFlowTask) task = g_list_model_get_item (tasks, t);
              g_autofree char *line = task_line (task);

              g_string_append (out, "- ");
              append_md (out, line);
              g_string_append_c (out, '\n');
            }
        }
      g_string_append_c (out, '\n');
    }

  rows = standings (flow, names);
  if (tto_flow_get_points_enabled (flow) || rows->len > 0)
    {
      g_string_append_printf (out, "## %s\n\n| %s | %s |\n|---|---:|\n", _("Points"), _("Member"),
                              _("Points"));
      for (guint i = 0; i < rows->len; i++)
        {
          Standing *row = &g_array_index (rows, Standing, i);

          g_string_append (out, "| ");
          append_md (out, row->name);
          g_string_append_printf (out, " | %" G_GINT64_FORMAT " |\n", row->points);
        }
      g_string_append_c (out, '\n');
    }

  if (g_list_model_get_n_items (tto_flow_get_meetings (flow)) > 0)
    {
      GListModel *meetings = tto_flow_get_meetings (flow);

      g_string_append_printf (out, "## %s\n\n", _("Meetings"));
      for (guint i = 0; i < g_list_model_get_n_items (meetings); i++)
        {
          g_autoptr (TtoFlowMeeting) meeting = g_list_model_get_item (meetings, i);
          g_autofree char *when = format_date (tto_flow_meeting_get_starts_at (meeting));

          g_string_append (out, "- ");
          append_md (out, tto_flow_meeting_get_title (meeting));
          g_string_append_printf (out, " — %s, ", when);
          append_md (out, tto_flow_meeting_get_place (meeting));
          g_string_append_c (out, '\n');
        }
    }
  return g_string_free (out, FALSE);
}

/* PDF */

typedef struct
{
  cairo_t *cr;
  PangoContext *context;
  double y;
} Page;

static void
next_page (Page *page)
{
  cairo_show_page (page->cr);
  page->y = PAGE_MARGIN;
}

/* Draws @text in @font, wrapped to the text width, on a new page if it
 * does not fit on this one. */
static void
put_text (Page *page,
          const char *text,
          const char *font,
          double space_after)
{
  g_autoptr (PangoLayout) layout = pango_layout_new (page->context);
  g_autoptr (PangoFontDescription) desc = pango_font_description_from_string (font);
  int width, height;

  pango_layout_set_font_description (layout, desc);
  pango_layout_set_width (layout, (int) ((PAGE_W - 2 * PAGE_MARGIN) * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &width, &height);
  if (page->y + height > PAGE_H - PAGE_MARGIN && page->y > PAGE_MARGIN)
    next_page (page);
  cairo_move_to (page->cr, PAGE_MARGIN, page->y);
  cairo_set_source_rgb (page->cr, 0.14, 0.12, 0.19);
  pango_cairo_show_layout (page->cr, layout);
  page->y += height + space_after;
}

gboolean
tto_flow_report_write_pdf (TtoFlow *flow,
                           const char *title,
                           GHashTable *names,
                           gint64 now,
                           const char *path,
                           GError **error)
{
  cairo_surface_t *surface;
  cairo_status_t status;
  Page page = { 0 };
  g_autofree char *generated = NULL;
  g_autofree char *subtitle = NULL;
  g_autoptr (GArray) rows = NULL;
  g_autoptr (PangoFontDescription) chart_font = NULL;
  guint n;

  g_return_val_if_fail (TTO_IS_FLOW (flow), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  surface = cairo_pdf_surface_create (path, PAGE_W, PAGE_H);
  page.cr = cairo_create (surface);
  page.context = pango_cairo_create_context (page.cr);
  page.y = PAGE_MARGIN;
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, title != NULL ? title : "");

  put_text (&page, title != NULL ? title : "", "Sans Bold 20", 4);
  generated = format_date (now);
  subtitle = g_strdup_printf (_("Flow report, %s"), generated);
  put_text (&page, subtitle, "Sans 10", 16);

  /* The chart, as on screen. */
  chart_font = pango_font_description_from_string ("Sans 10");
  pango_context_set_font_description (page.context, chart_font);
  {
    g_autoptr (TtoFlowChartLayout) layout = tto_flow_chart_layout_new (page.context, flow,
                                                                       CHART_WIDTH);
    TtoFlowChartPalette palette;
    double scale = (PAGE_W - 2 * PAGE_MARGIN) / CHART_WIDTH;
    double height = tto_flow_chart_layout_get_height (layout) * scale;

    tto_flow_chart_palette_init_print (&palette);
    if (page.y + height > PAGE_H - PAGE_MARGIN)
      next_page (&page);
    cairo_save (page.cr);
    cairo_translate (page.cr, PAGE_MARGIN, page.y);
    cairo_scale (page.cr, scale, scale);
    tto_flow_chart_layout_draw_cairo (layout, page.cr, &palette);
    cairo_restore (page.cr);
    page.y += height + 16;
  }

  n = tto_flow_get_n_stages (flow);
  for (guint i = 0; i < n; i++)
    {
      TtoFlowStage *stage = tto_flow_get_stage (flow, i);
      GListModel *tasks = tto_flow_stage_get_tasks (stage);
      g_autofree char *heading = NULL;
      g_autofree char *started = format_date (tto_flow_stage_get_started_at (stage));
      g_autofree char *ended = format_date (tto_flow_stage_get_ended_at (stage));
      g_autofree char *facts = NULL;
      const char *conclusion = tto_flow_stage_get_conclusion (stage);

      heading = g_strdup_printf ("%u. %s — %s", i + 1, tto_flow_stage_get_display_title (stage),
                                 tto_flow_stage_status_name (tto_flow_stage_get_status (stage)));
      put_text (&page, heading, "Sans Bold 13", 4);
      /* Translators: the facts line of a stage in the PDF report */
      facts = g_strdup_printf (_("Started %s · ended %s · %u participants · %u of %u tasks done"),
                               started, ended, tto_flow_stage_get_participants (stage),
                               tto_flow_stage_get_n_tasks_done (stage),
                               tto_flow_stage_get_n_tasks (stage));
      put_text (&page, facts, "Sans 10", 4);
      if (conclusion != NULL && *conclusion != '\0')
        {
          g_autofree char *text = g_strdup_printf (_("Conclusion: %s"), conclusion);

          put_text (&page, text, "Sans Italic 10", 4);
        }
      for (guint t = 0; t < g_list_model_get_n_items (tasks); t++)
        {
          g_autoptr (TtoFlowTask) task = g_list_model_get_item (tasks, t);
          g_autofree char *line = task_line (task);
          g_autofree char *bullet = g_strconcat ("• ", line, NULL);

          put_text (&page, bullet, "Sans 10", 2);
        }
      page.y += 10;
    }

  rows = standings (flow, names);
  if (tto_flow_get_points_enabled (flow) || rows->len > 0)
    {
      put_text (&page, _("Points"), "Sans Bold 13", 4);
      for (guint i = 0; i < rows->len; i++)
        {
          Standing *row = &g_array_index (rows, Standing, i);
          g_autofree char *line = g_strdup_printf ("%u. %s — %" G_GINT64_FORMAT, i + 1,
                                                   row->name, row->points);

          put_text (&page, line, "Sans 10", 2);
        }
    }

  cairo_show_page (page.cr);
  g_object_unref (page.context);
  cairo_destroy (page.cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write the report: %s"),
                   cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}
