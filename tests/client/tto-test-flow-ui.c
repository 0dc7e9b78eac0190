/* tto-test-flow-ui.c: the event flow in the client
 *
 * From JSON flow objects (the relay's documented shape): the flow chart
 * lays out 1, 3 and 12 stages at 360 and 1280 px without overlap, every
 * title inside its node; the progress view and the table agree with the
 * model, also after an update in place; the stage report renders as a PDF
 * (pdftoppm) holding the stage names (pdftotext), and as Markdown; a
 * meeting exports as iCalendar that parses back. Against a real relay and
 * MariaDB: a creator advances a stage and a member's TtoFlow follows (with
 * the system line in the chat and the header entry), the member completes
 * a text-form task in the sheet, and a wrong form shows the client's own
 * sentence for the relay's reason. Screenshots of the chart, the table, the progress and a form
 * task at 360×720 and 1280×800 go to $G_TEST_BUILDDIR/screenshots/.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <adwaita.h>

#include "tto-client.h"
#include "tto-flow-chart.h"
#include "tto-flow-page.h"
#include "tto-flow-report.h"
#include "tto-flow-task-sheet.h"
#include "tto-event-row.h"
#include "tto-home-page.h"
#include "tto-message-row.h"
#include "tto-system-text.h"
#include "tto-test-gui.h"
#include "tto-test-harness.h"
#include "tto-window.h"

#define EVENT_ID "k3v9q2m8x4t7c1ab"

/* Fixtures: flow objects as the relay sends them */

static const char *stage_titles[] = {
  "Needs discussion", "Plan confirmation with the whole neighbourhood committee", "Execution",
  "Team forming", "Ideas", "Build", "Demo", "Judging", "Requirements", "Quotes",
  "Evaluation of every supplier's offer", "Order",
};

/* @n stages, the one at @current active; the active one has two tasks
 * (one done by two members), the first done stage a conclusion. */
static JsonObject *
flow_fixture (guint n,
              guint current)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  gint64 base = 1798675200;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "stages");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("s%015u", i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, id);
      json_builder_set_member_name (builder, "title");
      json_builder_add_string_value (builder, stage_titles[i % G_N_ELEMENTS (stage_titles)]);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, i < current    ? "done"
                                              : i == current ? "active"
                                                             : "pending");
      json_builder_set_member_name (builder, "started_at");
      if (i <= current)
        json_builder_add_int_value (builder, base + i * 86400);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "ended_at");
      if (i < current)
        json_builder_add_int_value (builder, base + (i + 1) * 86400);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "conclusion");
      if (i == 0 && current > 0)
        json_builder_add_string_value (builder, "We build the app, budget 1,200");
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "participants");
      json_builder_add_int_value (builder, i <= current ? 4 - (i % 3) : 0);
      json_builder_set_member_name (builder, "tasks");
      json_builder_begin_array (builder);
      if (i == current)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, "t000000000000001");
          json_builder_set_member_name (builder, "title");
          json_builder_add_string_value (builder, "Budget");
          json_builder_set_member_name (builder, "form");
          json_builder_add_string_value (builder, "text_form");
          json_builder_set_member_name (builder, "required");
          json_builder_add_boolean_value (builder, TRUE);
          json_builder_set_member_name (builder, "fields");
          json_builder_begin_array (builder);
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, "Amount");
          json_builder_set_member_name (builder, "type");
          json_builder_add_string_value (builder, "number");
          json_builder_end_object (builder);
          json_builder_end_array (builder);
          json_builder_set_member_name (builder, "done_by");
          json_builder_begin_array (builder);
          json_builder_add_string_value (builder, "h4f8aaaaaaaaaaaa");
          json_builder_add_string_value (builder, "q7c3aaaaaaaaaaaa");
          json_builder_end_array (builder);
          json_builder_set_member_name (builder, "status");
          json_builder_add_string_value (builder, "open");
          json_builder_end_object (builder);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, "t000000000000002");
          json_builder_set_member_name (builder, "title");
          json_builder_add_string_value (builder, "Site photos");
          json_builder_set_member_name (builder, "form");
          json_builder_add_string_value (builder, "file");
          json_builder_set_member_name (builder, "done_by");
          json_builder_begin_array (builder);
          json_builder_end_array (builder);
          json_builder_set_member_name (builder, "status");
          json_builder_add_string_value (builder, "open");
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "current");
  json_builder_add_int_value (builder, current);
  json_builder_set_member_name (builder, "rules");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "points");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "approval");
  json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "elimination");
  json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "points");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "h4f8aaaaaaaaaaaa");
  json_builder_add_int_value (builder, 15);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "eliminated");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "pending");
  json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "meetings");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_object_ref (json_node_get_object (root));
}

static TtoFlow *
flow_new (guint n,
          guint current)
{
  g_autoptr (JsonObject) object = flow_fixture (n, current);
  g_autoptr (GError) error = NULL;
  TtoFlow *flow = tto_flow_new (EVENT_ID);

  g_assert_true (tto_flow_update_from_json (flow, object, &error));
  g_assert_no_error (error);
  return flow;
}

/* The model itself: parsing, refusal of a bad shape, update in place. */
static void
test_model (void)
{
  g_autoptr (TtoFlow) flow = flow_new (3, 1);
  g_autoptr (JsonObject) bad = json_object_new ();
  g_autoptr (JsonObject) next = flow_fixture (3, 2);
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoFlowStage) first = NULL;
  TtoFlowStage *stage;

  g_assert_cmpuint (tto_flow_get_n_stages (flow), ==, 3);
  g_assert_cmpuint (tto_flow_get_current (flow), ==, 1);
  stage = tto_flow_get_current_stage (flow);
  g_assert_cmpstr (tto_flow_stage_get_title (stage), ==, stage_titles[1]);
  g_assert_cmpint (tto_flow_stage_get_status (stage), ==, TTO_FLOW_STAGE_ACTIVE);
  g_assert_cmpuint (tto_flow_stage_get_n_tasks (stage), ==, 2);
  g_assert_cmpuint (tto_flow_stage_get_n_tasks_done (stage), ==, 1);
  g_assert_cmpstr (tto_flow_stage_get_conclusion (tto_flow_get_previous_stage (flow)), ==,
                   "We build the app, budget 1,200");
  g_assert_cmpint (tto_flow_get_points (flow, "h4f8aaaaaaaaaaaa"), ==, 15);
  g_assert_cmpint (tto_flow_get_points (flow, "nobody"), ==, 0);
  g_assert_true (tto_flow_get_points_enabled (flow));
  g_assert_null (tto_flow_get_approval_mode (flow));
  g_assert_cmpuint (tto_flow_get_stage_day (flow, 1798675200 + 86400 + 3600), ==, 1);
  g_assert_cmpuint (tto_flow_get_stage_day (flow, 1798675200 + 3 * 86400 + 60), ==, 3);

  /* No stages: refused, nothing changes. */
  g_assert_false (tto_flow_update_from_json (flow, bad, &error));
  g_assert_error (error, TTO_FLOW_ERROR, TTO_FLOW_ERROR_INVALID);
  g_assert_cmpuint (tto_flow_get_n_stages (flow), ==, 3);

  /* An update keeps the stage objects. */
  first = g_object_ref (tto_flow_get_stage (flow, 0));
  g_assert_true (tto_flow_update_from_json (flow, next, NULL));
  g_assert_true (tto_flow_get_stage (flow, 0) == first);
  g_assert_cmpuint (tto_flow_get_current (flow), ==, 2);
  g_assert_cmpint (tto_flow_stage_get_status (tto_flow_get_stage (flow, 1)), ==,
                   TTO_FLOW_STAGE_DONE);
}

/* Chart */

static gboolean
rect_contains (const graphene_rect_t *outer,
               const graphene_rect_t *inner)
{
  return inner->origin.x >= outer->origin.x - 0.01 && inner->origin.y >= outer->origin.y - 0.01 &&
         inner->origin.x + inner->size.width <= outer->origin.x + outer->size.width + 0.01 &&
         inner->origin.y + inner->size.height <= outer->origin.y + outer->size.height + 0.01;
}

static void
check_chart (TtoFlowChart *chart,
             guint n,
             int width)
{
  g_autoptr (GArray) titles = NULL;
  g_autoptr (GArray) nodes = tto_flow_chart_get_node_rects (chart, &titles);
  int height = gtk_widget_get_height (GTK_WIDGET (chart));

  g_assert_cmpuint (nodes->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      graphene_rect_t *node = &g_array_index (nodes, graphene_rect_t, i);
      graphene_rect_t *title = &g_array_index (titles, graphene_rect_t, i);
      graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, width, height);

      /* Readable: a node is wide enough for a few words, and on screen. */
      g_assert_cmpfloat (node->size.width, >=, 120);
      g_assert_cmpfloat (node->size.height, >=, 44);
      g_assert_true (rect_contains (&bounds, node));
      if (!rect_contains (node, title))
        g_error ("stage %u's title (%g,%g %gx%g) leaves its node (%g,%g %gx%g) at %d px", i,
                 title->origin.x, title->origin.y, title->size.width, title->size.height,
                 node->origin.x, node->origin.y, node->size.width, node->size.height, width);
      g_assert_cmpfloat (title->size.height, >, 0);
      for (guint j = i + 1; j < n; j++)
        g_assert_false (graphene_rect_intersection (node,
                                                    &g_array_index (nodes, graphene_rect_t, j),
                                                    NULL));
    }
}

static void
test_chart (void)
{
  const guint counts[] = { 1, 3, 12 };
  GtkWidget *window = adw_window_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *chart = tto_flow_chart_new ();

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), chart);
  adw_window_set_content (ADW_WINDOW (window), scrolled);
  tto_test_gui_present (GTK_WINDOW (window));

  for (guint c = 0; c < G_N_ELEMENTS (counts); c++)
    {
      g_autoptr (TtoFlow) flow = flow_new (counts[c], counts[c] / 2);
      g_autofree char *description = NULL;
      g_autofree char *name = NULL;

      tto_flow_chart_set_flow (TTO_FLOW_CHART (chart), flow);
      description = tto_flow_chart_describe (flow);
      g_assert_nonnull (strstr (description, "Stage 1 of"));
      name = g_strdup_printf ("flow-chart-%u", counts[c]);

      tto_test_gui_resize (GTK_WINDOW (window), 1280, 800);
      check_chart (TTO_FLOW_CHART (chart), counts[c], gtk_widget_get_width (chart));
      if (counts[c] > 1)
        {
          /* Wide: side by side (nodes of one row share a top). */
          g_autoptr (GArray) nodes = tto_flow_chart_get_node_rects (TTO_FLOW_CHART (chart), NULL);

          g_assert_cmpfloat (g_array_index (nodes, graphene_rect_t, 0).origin.y, ==,
                             g_array_index (nodes, graphene_rect_t, 1).origin.y);
        }
      tto_test_gui_screenshot (GTK_WINDOW (window), name);

      tto_test_gui_resize (GTK_WINDOW (window), 360, 720);
      check_chart (TTO_FLOW_CHART (chart), counts[c], gtk_widget_get_width (chart));
      if (counts[c] > 1)
        {
          /* Narrow: one column. */
          g_autoptr (GArray) nodes = tto_flow_chart_get_node_rects (TTO_FLOW_CHART (chart), NULL);

          g_assert_cmpfloat (g_array_index (nodes, graphene_rect_t, 0).origin.x, ==,
                             g_array_index (nodes, graphene_rect_t, 1).origin.x);
        }
      tto_test_gui_screenshot (GTK_WINDOW (window), name);
      tto_flow_chart_set_flow (TTO_FLOW_CHART (chart), NULL);
    }
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Page views from a fixture */

static void
collect_cells (GtkWidget *widget,
               const char *name,
               GPtrArray *out)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LABEL (child) && g_strcmp0 (gtk_widget_get_name (child), name) == 0)
        g_ptr_array_add (out, child);
      collect_cells (child, name, out);
    }
}

static int
compare_y (gconstpointer a,
           gconstpointer b)
{
  GtkWidget *x = *(GtkWidget **) a, *y = *(GtkWidget **) b;
  graphene_point_t px, py;

  g_assert_true (gtk_widget_compute_point (x, gtk_widget_get_parent (gtk_widget_get_parent (gtk_widget_get_parent (x))),
                                           &GRAPHENE_POINT_INIT (0, 0), &px));
  g_assert_true (gtk_widget_compute_point (y, gtk_widget_get_parent (gtk_widget_get_parent (gtk_widget_get_parent (y))),
                                           &GRAPHENE_POINT_INIT (0, 0), &py));
  return px.y < py.y ? -1 : px.y > py.y;
}

/* The column's cell texts, top to bottom. */
static GPtrArray *
column_texts (GtkColumnView *table,
              const char *column)
{
  g_autofree char *name = g_strconcat ("cell-", column, NULL);
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();
  GPtrArray *texts = g_ptr_array_new ();

  collect_cells (GTK_WIDGET (table), name, labels);
  g_ptr_array_sort (labels, compare_y);
  for (guint i = 0; i < labels->len; i++)
    if (gtk_widget_get_mapped (g_ptr_array_index (labels, i)))
      g_ptr_array_add (texts, (gpointer) gtk_label_get_label (g_ptr_array_index (labels, i)));
  return texts;
}

static void
check_views (TtoFlowPage *page,
             TtoFlow *flow)
{
  guint n = tto_flow_get_n_stages (flow);
  guint current = tto_flow_get_current (flow);
  TtoFlowStage *stage = tto_flow_get_current_stage (flow);
  g_autofree char *progress = g_strdup_printf ("Stage %u of %u: %s", current + 1, n,
                                               tto_flow_stage_get_title (stage));
  g_autofree char *tasks = g_strdup_printf ("Tasks: %u of %u done",
                                            tto_flow_stage_get_n_tasks_done (stage),
                                            tto_flow_stage_get_n_tasks (stage));
  GtkColumnView *table = tto_flow_page_get_table (page);
  g_autoptr (GPtrArray) statuses = NULL;
  g_autoptr (GPtrArray) counts = NULL;
  g_autoptr (GPtrArray) titles = NULL;

  g_assert_cmpstr (tto_flow_page_get_progress_text (page), ==, progress);
  g_assert_cmpfloat_with_epsilon (gtk_progress_bar_get_fraction (tto_flow_page_get_stage_bar (page)),
                                  (double) (current + 1) / n, 1e-9);
  if (tto_flow_stage_get_n_tasks (stage) > 0)
    {
      g_assert_cmpstr (tto_flow_page_get_tasks_text (page), ==, tasks);
      g_assert_cmpfloat_with_epsilon (
        gtk_progress_bar_get_fraction (tto_flow_page_get_tasks_bar (page)),
        (double) tto_flow_stage_get_n_tasks_done (stage) / tto_flow_stage_get_n_tasks (stage),
        1e-9);
    }

  tto_flow_page_set_view (page, "table");
  tto_test_gui_settle (300);
  statuses = column_texts (table, "status");
  counts = column_texts (table, "tasks");
  titles = column_texts (table, "stage");
  g_assert_cmpuint (statuses->len, ==, n);
  g_assert_cmpuint (counts->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      TtoFlowStage *s = tto_flow_get_stage (flow, i);
      g_autofree char *count = g_strdup_printf ("%u/%u", tto_flow_stage_get_n_tasks_done (s),
                                                tto_flow_stage_get_n_tasks (s));
      const char *expected = i < current ? "✓ Done" : i == current ? "● Ongoing" : "○ Pending";

      g_assert_cmpstr (g_ptr_array_index (statuses, i), ==, expected);
      g_assert_cmpstr (g_ptr_array_index (counts, i), ==, count);
      g_assert_cmpstr (g_ptr_array_index (titles, i), ==, tto_flow_stage_get_title (s));
    }
}

static JsonObject *
event_fixture (void)
{
  return tto_test_json_object ("{\"event_id\":\"%s\",\"title\":\"Picnic committee\","
                               "\"role\":\"creator\",\"member_count\":3,\"created_at\":1798675200}",
                               EVENT_ID);
}

static void
test_views (void)
{
  g_autoptr (TtoSession) session = tto_session_new ("ws://127.0.0.1:1/v1/ws");
  g_autoptr (JsonObject) event_object = event_fixture ();
  g_autoptr (TtoEvent) event = tto_event_new_from_json (event_object, NULL);
  g_autoptr (JsonObject) object = flow_fixture (3, 1);
  g_autoptr (JsonObject) later = flow_fixture (3, 2);
  TtoFlow *flow = tto_session_get_flow (session, EVENT_ID);
  GtkWidget *window = adw_window_new ();
  GtkWidget *page = tto_flow_page_new ();

  g_assert_nonnull (event);
  g_assert_true (tto_flow_update_from_json (flow, object, NULL));
  tto_flow_page_set_session (TTO_FLOW_PAGE (page), session);
  tto_flow_page_set_event (TTO_FLOW_PAGE (page), event);
  adw_window_set_content (ADW_WINDOW (window), page);
  tto_test_gui_present (GTK_WINDOW (window));

  g_assert_cmpstr (tto_flow_page_get_previous_text (TTO_FLOW_PAGE (page)), ==,
                   "Previous stage: Needs discussion · 4 participants");
  check_views (TTO_FLOW_PAGE (page), flow);
  tto_test_gui_screenshot (GTK_WINDOW (window), "flow-table");
  tto_test_gui_resize (GTK_WINDOW (window), 1280, 800);
  check_views (TTO_FLOW_PAGE (page), flow);
  tto_test_gui_screenshot (GTK_WINDOW (window), "flow-table");
  tto_flow_page_set_view (TTO_FLOW_PAGE (page), "progress");
  tto_test_gui_screenshot (GTK_WINDOW (window), "flow-progress");
  tto_flow_page_set_view (TTO_FLOW_PAGE (page), "chart");
  tto_test_gui_screenshot (GTK_WINDOW (window), "flow-page");
  tto_test_gui_resize (GTK_WINDOW (window), 360, 720);
  tto_flow_page_set_view (TTO_FLOW_PAGE (page), "progress");
  tto_test_gui_screenshot (GTK_WINDOW (window), "flow-progress");
  tto_flow_page_set_view (TTO_FLOW_PAGE (page), "chart");
  tto_test_gui_screenshot (GTK_WINDOW (window), "flow-page");

  /* A flow.updated: the views follow in place. */
  g_assert_true (tto_flow_update_from_json (flow, later, NULL));
  tto_test_gui_settle (100);
  check_views (TTO_FLOW_PAGE (page), flow);
  g_assert_cmpstr (tto_flow_page_get_progress_text (TTO_FLOW_PAGE (page)), ==,
                   "Stage 3 of 3: Execution");

  /* A meeting in 15 minutes is reminded of at once, one in an hour not yet. */
  {
    gint64 now = g_get_real_time () / G_USEC_PER_SEC;
    g_autoptr (JsonObject) soon = tto_test_json_object (
      "{\"id\":\"m1aaaaaaaaaaaaaa\",\"title\":\"Walk\",\"starts_at\":%" G_GINT64_FORMAT
      ",\"ends_at\":%" G_GINT64_FORMAT ",\"place\":\"Gate 3\",\"agenda\":\"\",\"attended\":[]}",
      now + 15 * 60 - 30, now + 3600);
    g_autoptr (JsonObject) later_meeting = tto_test_json_object (
      "{\"id\":\"m2aaaaaaaaaaaaaa\",\"title\":\"Lunch\",\"starts_at\":%" G_GINT64_FORMAT
      ",\"ends_at\":%" G_GINT64_FORMAT ",\"place\":\"Hall\",\"agenda\":\"\",\"attended\":[]}",
      now + 3600, now + 7200);
    JsonArray *meetings = json_object_get_array_member (later, "meetings");

    json_array_add_object_element (meetings, json_object_ref (soon));
    json_array_add_object_element (meetings, json_object_ref (later_meeting));
    g_assert_cmpuint (tto_session_get_reminders_sent (session), ==, 0);
    g_assert_true (tto_flow_update_from_json (flow, later, NULL));
    WAIT_FOR (tto_session_get_reminders_sent (session) == 1);
    tto_test_gui_settle (200);
    g_assert_cmpuint (tto_session_get_reminders_sent (session), ==, 1);
    g_assert_cmpuint (g_list_model_get_n_items (tto_flow_get_meetings (flow)), ==, 2);
    /* Again (another update): not twice. */
    g_assert_true (tto_flow_update_from_json (flow, later, NULL));
    tto_test_gui_settle (100);
    g_assert_cmpuint (tto_session_get_reminders_sent (session), ==, 1);
  }

  /* The flow entry reads the stage and its day. */
  {
    g_autofree char *entry = tto_flow_format_entry (flow, 1798675200 + 2 * 86400 + 3600 * 30);

    g_assert_cmpstr (entry, ==, "Execution · day 2");
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Report */

static char *
run (const char *const *argv)
{
  g_autoptr (GError) error = NULL;
  char *out = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

static void
test_report (void)
{
  g_autoptr (TtoFlow) flow = flow_new (12, 4);
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tto-flow-XXXXXX", NULL);
  g_autofree char *pdf = g_build_filename (dir, "report.pdf", NULL);
  g_autofree char *prefix = g_build_filename (dir, "page", NULL);
  g_autofree char *png = g_build_filename (dir, "page-01.png", NULL);
  g_autofree char *text = NULL;
  g_autofree char *markdown = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree guchar *pixels = NULL;
  gsize dark = 0, colored = 0;
  int width, height;

  if (g_find_program_in_path ("pdftoppm") == NULL || g_find_program_in_path ("pdftotext") == NULL)
    {
      g_test_skip ("poppler-utils (pdftoppm, pdftotext) is not installed");
      return;
    }
  g_hash_table_insert (names, "h4f8aaaaaaaaaaaa", "Ana");
  g_hash_table_insert (names, "q7c3aaaaaaaaaaaa", "Bo");
  g_assert_true (tto_flow_report_write_pdf (flow, "Picnic committee", names, 1798675200, pdf,
                                            &error));
  g_assert_no_error (error);

  run ((const char *[]){ "pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", pdf, prefix, NULL });
  if (!g_file_test (png, G_FILE_TEST_EXISTS))
    {
      g_free (png);
      png = g_build_filename (dir, "page-1.png", NULL);
    }
  texture = gdk_texture_new_from_filename (png, &error);
  g_assert_no_error (error);
  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  pixels = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, pixels, (gsize) width * 4);
  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      guchar *p = pixels + i * 4; /* B G R A */

      dark += p[0] < 128 && p[1] < 128 && p[2] < 128;
      colored += p[0] > p[2] + 60; /* the blue current stage */
    }
  g_test_message ("report page 1: %d×%d, %zu dark, %zu blue pixels", width, height, dark, colored);
  g_assert_cmpuint (dark, >, 2000);
  g_assert_cmpuint (colored, >, 500);

  text = run ((const char *[]){ "pdftotext", pdf, "-", NULL });
  /* Long titles wrap: compare with every run of white space as one space. */
  {
    g_autoptr (GRegex) spaces = g_regex_new ("\\s+", 0, 0, NULL);
    char *flat = g_regex_replace_literal (spaces, text, -1, 0, " ", 0, NULL);

    g_free (text);
    text = flat;
  }
  for (guint i = 0; i < G_N_ELEMENTS (stage_titles); i++)
    {
      /* Titles may wrap in the chart; the stage list has them whole. */
      if (strstr (text, stage_titles[i]) == NULL)
        g_error ("the PDF lacks the stage “%s”:\n%s", stage_titles[i], text);
    }
  g_assert_nonnull (strstr (text, "Picnic committee"));
  g_assert_nonnull (strstr (text, "We build the app"));
  g_assert_nonnull (strstr (text, "Ana"));

  markdown = tto_flow_report_markdown (flow, "Picnic committee", names, 1798675200);
  g_assert_true (g_str_has_prefix (markdown, "# Picnic committee\n"));
  g_assert_nonnull (strstr (markdown, "### 5. Ideas (Ongoing)"));
  g_assert_nonnull (strstr (markdown, "| Ana | 15 |"));
  g_assert_nonnull (strstr (markdown, "Budget — Text form, required — Open, completed by 2"));
  /* The untitled default stage is named in the report, as the client names it. */
  {
    g_autoptr (JsonObject) object = flow_fixture (1, 0);
    g_autoptr (TtoFlow) untitled = tto_flow_new (EVENT_ID);
    g_autofree char *md = NULL;

    json_object_set_string_member (
      json_array_get_object_element (json_object_get_array_member (object, "stages"), 0), "title",
      "");
    g_assert_true (tto_flow_update_from_json (untitled, object, NULL));
    md = tto_flow_report_markdown (untitled, "Picnic committee", names, 1798675200);
    g_assert_nonnull (strstr (md, "### 1. Main stage (Ongoing)"));
  }

  g_remove (png);
  g_remove (pdf);
  g_rmdir (dir);
}

/* iCalendar */

static void
test_ics (void)
{
  g_autoptr (JsonObject) object = tto_test_json_object (
    "{\"id\":\"m2aaaaaaaaaaaaaa\",\"title\":\"Site visit; gate, north\",\"starts_at\":1798765200,"
    "\"ends_at\":1798772400,\"place\":\"Gate 3, Hall\\\\B\",\"lat\":52.52,\"lon\":13.405,"
    "\"agenda\":\"Walk the site\\nMeasure the plot — %s\",\"attended\":[]}",
    "a long line so that the description has to be folded at seventy-five octets, with ünïcödé");
  g_autoptr (TtoFlowMeeting) meeting = tto_flow_meeting_new_from_json (object);
  g_autofree char *ics = tto_flow_meeting_to_ics (meeting, "Picnic", 1798675200);
  g_auto (GStrv) lines = NULL;
  g_autoptr (GPtrArray) unfolded = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) props = g_hash_table_new (g_str_hash, g_str_equal);
  guint begins = 0, ends = 0;

  g_assert_true (g_str_has_suffix (ics, "END:VCALENDAR\r\n"));
  lines = g_strsplit (ics, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_assert_null (strchr (lines[i], '\n'));
      g_assert_cmpuint (strlen (lines[i]), <=, 75);
      g_assert_true (g_utf8_validate (lines[i], -1, NULL));
      if (lines[i][0] == ' ')
        {
          char *joined;

          g_assert_cmpuint (unfolded->len, >, 0);
          joined = g_strconcat (g_ptr_array_index (unfolded, unfolded->len - 1), lines[i] + 1,
                                NULL);
          g_free (g_ptr_array_index (unfolded, unfolded->len - 1));
          g_ptr_array_index (unfolded, unfolded->len - 1) = joined;
        }
      else
        g_ptr_array_add (unfolded, g_strdup (lines[i]));
    }
  for (guint i = 0; i < unfolded->len; i++)
    {
      char *line = g_ptr_array_index (unfolded, i);
      char *colon = strchr (line, ':');

      g_assert_nonnull (colon);
      *colon = '\0';
      begins += g_str_equal (line, "BEGIN");
      ends += g_str_equal (line, "END");
      if (!g_hash_table_contains (props, line))
        g_hash_table_insert (props, line, colon + 1);
    }
  g_assert_cmpuint (begins, ==, 3);
  g_assert_cmpuint (ends, ==, 3);
  g_assert_cmpstr (g_hash_table_lookup (props, "VERSION"), ==, "2.0");
  g_assert_cmpstr (g_hash_table_lookup (props, "UID"), ==, "m2aaaaaaaaaaaaaa@threetwoone.org");
  g_assert_cmpstr (g_hash_table_lookup (props, "DTSTAMP"), ==, "20261231T000000Z");
  g_assert_cmpstr (g_hash_table_lookup (props, "DTSTART"), ==, "20270101T010000Z");
  g_assert_cmpstr (g_hash_table_lookup (props, "DTEND"), ==, "20270101T030000Z");
  g_assert_cmpstr (g_hash_table_lookup (props, "SUMMARY"), ==, "Site visit\\; gate\\, north");
  g_assert_cmpstr (g_hash_table_lookup (props, "LOCATION"), ==, "Gate 3\\, Hall\\\\B");
  g_assert_cmpstr (g_hash_table_lookup (props, "GEO"), ==, "52.520000;13.405000");
  g_assert_true (g_str_has_prefix (g_hash_table_lookup (props, "DESCRIPTION"),
                                   "Walk the site\\nMeasure the plot — a long line"));
  g_assert_nonnull (strstr (g_hash_table_lookup (props, "DESCRIPTION"), "ünïcödé"));
  g_assert_cmpstr (g_hash_table_lookup (props, "TRIGGER"), ==, "-PT30M");
  g_assert_cmpstr (g_hash_table_lookup (props, "ACTION"), ==, "DISPLAY");
}

/* Against the relay */

static JsonObject *
flow_request (TtoSession *session,
              TtoEvent *event,
              const char *type,
              JsonObject *body,
              GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  tto_session_flow_request_async (session, event, type, body, NULL, tto_test_gui_store_result,
                                  &result);
  WAIT_FOR (result != NULL);
  return tto_session_flow_request_finish (session, result, error);
}

static gboolean
has_system_message (TtoSession *session,
                    TtoEvent *event,
                    const char *prefix)
{
  GListModel *messages = tto_session_get_messages (session, event);

  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr (TtoMessage) message = g_list_model_get_item (messages, i);

      if (tto_message_get_system (message) &&
          g_str_has_prefix (tto_message_get_text (message), prefix))
        return TRUE;
    }
  return FALSE;
}

/* The chat row showing a system message whose system_event is of @kind
 * (and names @stage, when given); NULL while none is shown. */
static TtoMessageRow *
find_system_row (GtkWidget *widget,
                 const char *kind,
                 const char *stage)
{
  if (TTO_IS_MESSAGE_ROW (widget))
    {
      TtoMessage *message = tto_message_row_get_message (TTO_MESSAGE_ROW (widget));
      JsonObject *event = message != NULL ? tto_message_get_system_event (message) : NULL;

      if (event != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (event, "kind", NULL), kind) == 0 &&
          (stage == NULL ||
           g_strcmp0 (json_object_get_string_member_with_default (event, "stage", NULL), stage) == 0))
        return TTO_MESSAGE_ROW (widget);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      TtoMessageRow *row = find_system_row (child, kind, stage);

      if (row != NULL)
        return row;
    }
  return NULL;
}

/* The row shows the client's sentence made from system_event, @want,
 * not the relay's English "text". */
static void
check_system_row (TtoWindow *window,
                  const char *kind,
                  const char *stage,
                  const char *want)
{
  GtkWidget *list = GTK_WIDGET (tto_chat_page_get_message_list (tto_window_get_chat_page (window)));
  TtoMessageRow *row = NULL;
  TtoMessage *message;
  g_autofree char *built = NULL;

  WAIT_FOR ((row = find_system_row (list, kind, stage)) != NULL);
  message = tto_message_row_get_message (row);
  built = tto_system_text_describe (tto_message_get_system_event (message));
  g_assert_cmpstr (built, ==, want);
  g_assert_cmpstr (tto_message_row_get_text (row), ==, want);
  g_assert_cmpstr (tto_message_row_get_text (row), !=, tto_message_get_text (message));
}

static void
test_relay (void)
{
  TtoTestRelay *relay;
  TtoWindow *ana_window, *bo_window;
  TtoSession *ana, *bo;
  TtoEvent *event, *bo_event;
  TtoFlow *ana_flow, *bo_flow;
  TtoFlowTask *task;
  TtoFlowTaskSheet *sheet;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) answer = NULL;
  g_autofree char *task_id = NULL;
  g_autofree char *video_task_id = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *png = NULL;
  g_autoptr (GFile) png_file = NULL;
  GtkWidget *page;
  GtkWidget *flow_window;

  relay = tto_test_relay_start (60);
  if (relay == NULL)
    return; /* skipped: no relay or MariaDB */

  ana_window = tto_test_gui_new_window ();
  tto_test_gui_sign_in (ana_window, tto_test_relay_get_ws_url (relay), "Ana");
  ana = tto_window_get_session (ana_window);
  event = tto_test_gui_session_create_event (ana, "Picnic committee", "Plan the picnic");

  bo_window = tto_test_gui_new_window ();
  tto_test_gui_sign_in (bo_window, tto_test_relay_get_ws_url (relay), "Bo");
  bo = tto_window_get_session (bo_window);
  bo_event = tto_test_gui_join (bo, tto_event_get_invite_code (event));

  /* Opening the chat loads the flow: one untitled stage. */
  tto_window_open_event (ana_window, event);
  tto_window_open_event (bo_window, bo_event);
  ana_flow = tto_session_get_flow (ana, tto_event_get_id (event));
  bo_flow = tto_session_get_flow (bo, tto_event_get_id (bo_event));
  WAIT_FOR (tto_flow_get_loaded (ana_flow) && tto_flow_get_loaded (bo_flow));
  g_assert_cmpuint (tto_flow_get_n_stages (bo_flow), ==, 1);
  /* It is untitled: the client shows its own, translated name. */
  g_assert_cmpstr (tto_flow_stage_get_title (tto_flow_get_current_stage (bo_flow)), ==, "");
  g_assert_cmpstr (tto_flow_stage_get_display_title (tto_flow_get_current_stage (bo_flow)), ==,
                   "Main stage");
  WAIT_FOR (g_str_has_prefix (tto_chat_page_get_flow_text (tto_window_get_chat_page (bo_window)),
                              "Main stage · day 1"));

  /* Stages from a template; Bo's model follows the push. */
  answer = flow_request (ana, event, TTO_FRAME_FLOW_TEMPLATE,
                         tto_test_json_object ("{\"template\":\"discuss_plan_execute\"}"), &error);
  g_assert_no_error (error);
  g_clear_pointer (&answer, json_object_unref);
  WAIT_FOR (tto_flow_get_n_stages (bo_flow) == 3);
  g_assert_cmpstr (tto_flow_stage_get_title (tto_flow_get_current_stage (bo_flow)), ==,
                   "Needs discussion");
  WAIT_FOR (g_str_has_prefix (tto_chat_page_get_flow_text (tto_window_get_chat_page (bo_window)),
                              "Needs discussion · day 1"));

  /* A text-form task, and one that needs a video message. */
  answer = flow_request (ana, event, TTO_FRAME_TASK_ADD,
                         tto_test_json_object (
                           "{\"stage_id\":\"%s\",\"title\":\"Budget\",\"form\":\"text_form\","
                           "\"required\":true,\"fields\":[{\"name\":\"Amount\",\"type\":\"number\"},"
                           "{\"name\":\"Supplier\",\"type\":\"choice\",\"choices\":[\"A\",\"B\"]},"
                           "{\"name\":\"Due\",\"type\":\"date\"},{\"name\":\"Notes\",\"type\":\"text\"}]}",
                           tto_flow_stage_get_id (tto_flow_get_current_stage (ana_flow))),
                         &error);
  g_assert_no_error (error);
  task_id = g_strdup (json_object_get_string_member (answer, "task_id"));
  g_clear_pointer (&answer, json_object_unref);
  answer = flow_request (ana, event, TTO_FRAME_TASK_ADD,
                         tto_test_json_object (
                           "{\"stage_id\":\"%s\",\"title\":\"Say hello on video\","
                           "\"form\":\"video_message\"}",
                           tto_flow_stage_get_id (tto_flow_get_current_stage (ana_flow))),
                         &error);
  g_assert_no_error (error);
  video_task_id = g_strdup (json_object_get_string_member (answer, "task_id"));
  g_clear_pointer (&answer, json_object_unref);
  WAIT_FOR (tto_flow_find_task (bo_flow, video_task_id, NULL) != NULL);

  /* Bo's flow page and the form task sheet. */
  flow_window = adw_window_new ();
  page = tto_flow_page_new ();
  tto_flow_page_set_session (TTO_FLOW_PAGE (page), bo);
  tto_flow_page_set_event (TTO_FLOW_PAGE (page), bo_event);
  adw_window_set_content (ADW_WINDOW (flow_window), page);
  tto_test_gui_present (GTK_WINDOW (flow_window));
  sheet = TTO_FLOW_TASK_SHEET (tto_flow_page_open_task (TTO_FLOW_PAGE (page), task_id));
  g_assert_nonnull (sheet);
  g_assert_cmpuint (tto_flow_task_sheet_get_n_fields (sheet), ==, 4);
  g_assert_true (GTK_IS_SPIN_BUTTON (tto_flow_task_sheet_get_field (sheet, 0)));
  g_assert_true (GTK_IS_DROP_DOWN (tto_flow_task_sheet_get_field (sheet, 1)));
  g_assert_true (GTK_IS_ENTRY (tto_flow_task_sheet_get_field (sheet, 2)));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (tto_flow_task_sheet_get_field (sheet, 0)), 1200);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (tto_flow_task_sheet_get_field (sheet, 1)), 1);
  /* Not a day: the sheet does not submit. */
  gtk_editable_set_text (GTK_EDITABLE (tto_flow_task_sheet_get_field (sheet, 2)), "2026-02-30");
  gtk_editable_set_text (GTK_EDITABLE (tto_flow_task_sheet_get_field (sheet, 3)), "Cheaper");
  g_assert_false (tto_flow_task_sheet_get_valid (sheet));
  g_assert_true (gtk_widget_has_css_class (tto_flow_task_sheet_get_field (sheet, 2), "error"));
  gtk_editable_set_text (GTK_EDITABLE (tto_flow_task_sheet_get_field (sheet, 2)), "2026-12-01");
  g_assert_true (tto_flow_task_sheet_get_valid (sheet));
  g_object_ref (sheet);
  gtk_window_set_default_size (GTK_WINDOW (sheet), 360, 720);
  tto_test_gui_resize (GTK_WINDOW (sheet), 360, 720);
  tto_test_gui_screenshot (GTK_WINDOW (sheet), "flow-form-task");
  tto_test_gui_resize (GTK_WINDOW (sheet), 1280, 800);
  tto_test_gui_screenshot (GTK_WINDOW (sheet), "flow-form-task");
  tto_flow_task_sheet_submit (sheet);
  WAIT_FOR (tto_flow_task_sheet_get_completed (sheet) || tto_flow_task_sheet_get_error (sheet));
  g_assert_null (tto_flow_task_sheet_get_error (sheet));
  g_object_unref (sheet);
  task = tto_flow_find_task (ana_flow, task_id, NULL);
  WAIT_FOR (tto_flow_task_is_done_by (task, tto_session_get_identity_id (bo)));

  /* A picture for a video message: the relay's wrong_form (reason
   * wrong_form), shown in the client's words, not the relay's. */
  dir = g_dir_make_tmp ("tto-flow-XXXXXX", NULL);
  png = g_build_filename (dir, "not-a-video.png", NULL);
  {
    g_autoptr (GdkTexture) texture = NULL;
    guchar pixel[4 * 4 * 4] = { 0 };
    g_autoptr (GBytes) bytes = g_bytes_new (pixel, sizeof pixel);

    texture = gdk_memory_texture_new (4, 4, GDK_MEMORY_R8G8B8A8, bytes, 16);
    g_assert_true (gdk_texture_save_to_png (texture, png));
  }
  png_file = g_file_new_for_path (png);
  sheet = TTO_FLOW_TASK_SHEET (tto_flow_page_open_task (TTO_FLOW_PAGE (page), video_task_id));
  g_object_ref (sheet);
  g_assert_false (tto_flow_task_sheet_get_valid (sheet));
  tto_flow_task_sheet_set_file (sheet, png_file);
  g_assert_true (tto_flow_task_sheet_get_valid (sheet));
  tto_flow_task_sheet_submit (sheet);
  WAIT_FOR (tto_flow_task_sheet_get_error (sheet) != NULL);
  g_test_message ("wrong form: %s", tto_flow_task_sheet_get_error (sheet));
  g_assert_cmpstr (tto_flow_task_sheet_get_error (sheet), ==,
                   "This task must be completed as “Video message”.");
  g_assert_false (tto_flow_task_sheet_get_completed (sheet));
  g_assert_false (tto_flow_task_is_done_by (tto_flow_find_task (bo_flow, video_task_id, NULL),
                                            tto_session_get_identity_id (bo)));
  gtk_window_destroy (GTK_WINDOW (sheet));
  g_object_unref (sheet);
  g_remove (png);
  g_rmdir (dir);

  /* A member cannot advance: the refusal is a toast. */
  tto_flow_page_advance (TTO_FLOW_PAGE (page), "next", NULL);
  WAIT_FOR (tto_flow_page_get_last_toast (TTO_FLOW_PAGE (page)) != NULL);
  g_assert_cmpstr (tto_flow_page_get_last_toast (TTO_FLOW_PAGE (page)), ==,
                   "Only the creator and members allowed to edit the flow can do this.");
  g_assert_cmpuint (tto_flow_get_current (bo_flow), ==, 0);

  /* Ana advances with a conclusion; Bo's model, page and chat follow. */
  answer = flow_request (ana, event, TTO_FRAME_FLOW_ADVANCE,
                         tto_test_json_object ("{\"direction\":\"next\",\"conclusion\":\"We go\"}"),
                         &error);
  g_assert_no_error (error);
  g_clear_pointer (&answer, json_object_unref);
  WAIT_FOR (tto_flow_get_current (bo_flow) == 1);
  g_assert_cmpstr (tto_flow_stage_get_conclusion (tto_flow_get_stage (bo_flow, 0)), ==, "We go");
  g_assert_cmpuint (tto_flow_stage_get_participants (tto_flow_get_stage (bo_flow, 0)), >=, 1);
  g_assert_cmpstr (tto_flow_page_get_progress_text (TTO_FLOW_PAGE (page)), ==,
                   "Stage 2 of 3: Plan confirmation");
  WAIT_FOR (has_system_message (bo, bo_event, "Stage: Plan confirmation"));
  /* The chat words it from system_event; the relay's English line has "—". */
  check_system_row (bo_window, "stage_changed", "Plan confirmation",
                    "Moved on to the stage “Plan confirmation”\n"
                    "Conclusion of “Needs discussion”: We go");
  g_assert_true (has_system_message (bo, bo_event,
                                     "Stage: Plan confirmation — conclusion of Needs discussion"));
  g_assert_null (strstr (tto_message_row_get_text (find_system_row (
                           GTK_WIDGET (tto_chat_page_get_message_list (
                             tto_window_get_chat_page (bo_window))),
                           "stage_changed", "Plan confirmation")),
                         "—"));
  check_system_row (bo_window, "stage_changed", "Needs discussion",
                    "The stages come from a template, starting with “Needs discussion”");
  WAIT_FOR (g_str_has_prefix (tto_chat_page_get_flow_text (tto_window_get_chat_page (bo_window)),
                              "Plan confirmation"));
  {
    g_autofree char *previous = g_strdup (tto_flow_page_get_previous_text (TTO_FLOW_PAGE (page)));

    g_assert_true (g_str_has_prefix (previous, "Previous stage: Needs discussion"));
  }
  tto_test_gui_resize (GTK_WINDOW (bo_window), 360, 720);
  tto_test_gui_screenshot (GTK_WINDOW (bo_window), "flow-chat-entry");

  gtk_window_destroy (GTK_WINDOW (flow_window));
  gtk_window_destroy (GTK_WINDOW (bo_window));
  gtk_window_destroy (GTK_WINDOW (ana_window));
  tto_test_gui_settle (100);
  tto_test_relay_stop (relay);
}

/* The editors' dialogs, approval, elimination and the home list, driven
 * through the page's own dialogs against the relay */

static GPtrArray *
list_rows (GtkWidget *list)
{
  GPtrArray *rows = g_ptr_array_new ();

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (GTK_IS_LIST_BOX_ROW (row))
      g_ptr_array_add (rows, row);
  return rows;
}

/* The check button of @identity_id in a list of member checks. */
static gboolean
is_member_check (GtkWidget *widget,
                 gconstpointer identity_id)
{
  return GTK_IS_CHECK_BUTTON (widget) &&
         g_strcmp0 (g_object_get_data (G_OBJECT (widget), "tto-id"), identity_id) == 0;
}

static GtkWindow *
open_dialog (TtoFlowPage *page,
             const char *action,
             GVariant *target)
{
  GtkWindow *dialog;
  GtkWindow *parent = GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (page)));

  g_assert_null (tto_flow_page_get_dialog (page));
  /* Phone first: dialog_shots () leaves the parent wide. */
  if (gtk_widget_get_width (GTK_WIDGET (parent)) != 360)
    tto_test_gui_resize (parent, 360, 720);
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (page), action, target));
  dialog = tto_flow_page_get_dialog (page);
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  tto_test_gui_settle (100);
  return dialog;
}

static gboolean
ok_enabled (GtkWindow *dialog)
{
  return adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "ok");
}

/* Answers the dialog as the button would and waits for the relay's answer;
 * @toast: whether a refusal is expected (else none may come). */
static void
respond_ok (TtoFlowPage *page,
            GtkWindow *dialog,
            gboolean toast)
{
  g_autofree char *before = g_strdup (tto_flow_page_get_last_toast (page));

  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "ok");
  if (tto_flow_page_get_dialog (page) == dialog)
    gtk_window_destroy (dialog);
  WAIT_FOR (tto_flow_page_get_dialog (page) == NULL);
  WAIT_FOR (!tto_flow_page_get_busy (page));
  if (!toast && g_strcmp0 (before, tto_flow_page_get_last_toast (page)) != 0)
    g_error ("the relay refused: %s", tto_flow_page_get_last_toast (page));
}

static void
dialog_shots (TtoFlowPage *page,
              GtkWindow *parent,
              GtkWindow *dialog,
              const char *name)
{
  g_autofree char *narrow = g_strconcat (name, "-phone", NULL);
  g_autofree char *wide = g_strconcat (name, "-desktop", NULL);

  /* A message dialog takes its size from its parent's: opened over a
   * phone-sized window, then with the window made wide. */
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (parent)), ==, 360);
  tto_test_gui_screenshot (dialog, narrow);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (dialog)), <=, 360);
  tto_test_gui_resize (parent, 1280, 800);
  /* Mapped again, the parent took the focus: the dialog's back. */
  tto_test_gui_refocus (dialog);
  tto_test_gui_settle (200);
  tto_test_gui_screenshot (dialog, wide);
}

static GtkWindow *
page_window (TtoSession *session,
             TtoEvent *event,
             TtoFlowPage **out_page)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *page = tto_flow_page_new ();

  tto_flow_page_set_session (TTO_FLOW_PAGE (page), session);
  tto_flow_page_set_event (TTO_FLOW_PAGE (page), event);
  adw_window_set_content (ADW_WINDOW (window), page);
  tto_test_gui_present (GTK_WINDOW (window));
  *out_page = TTO_FLOW_PAGE (page);
  return GTK_WINDOW (window);
}

/* Whether @widget is a home row showing @event. */
static gboolean
shows_event (GtkWidget *widget,
             gconstpointer event)
{
  return TTO_IS_EVENT_ROW (widget) && tto_event_row_get_event (TTO_EVENT_ROW (widget)) == event;
}

static gboolean
home_row_says (GtkListView *list,
               TtoEvent *event,
               const char *subtitle)
{
  TtoEventRow *row = tto_test_gui_find_widget (list, shows_event, event);

  return row != NULL && g_strcmp0 (tto_event_row_get_subtitle (row), subtitle) == 0;
}

static guint
member_index (TtoSession *session,
              TtoEvent *event,
              const char *identity_id)
{
  GListModel *members = tto_session_get_members (session, event);

  for (guint i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr (TtoMember) member = g_list_model_get_item (members, i);

      if (g_strcmp0 (tto_member_get_identity_id (member), identity_id) == 0)
        return i;
    }
  g_error ("%s is not a member", identity_id);
}

static const char *
json_field (TtoFlowTask *task,
            guint index,
            const char *member)
{
  JsonObject *field = json_array_get_object_element (tto_flow_task_get_fields (task), index);

  return json_object_get_string_member (field, member);
}

static void
on_send_failed (TtoSession *session,
                TtoMessage *message,
                GError *error,
                GError **out)
{
  g_clear_error (out);
  *out = g_error_copy (error);
}

/* Message rows whose time label leaves the row: drawn clipped. */
static void
check_times_inside (GtkWidget *widget,
                    guint *n_checked)
{
  if (TTO_IS_MESSAGE_ROW (widget) && gtk_widget_get_mapped (widget))
    {
      GtkWidget *time = NULL;
      graphene_rect_t bounds;

      /* The edited mark comes first, hidden; the time follows it. */
      time = tto_test_gui_find_widget_by_css_class (widget, "message-time");
      g_assert_nonnull (time);
      time = gtk_widget_get_next_sibling (time);
      g_assert_true (GTK_IS_LABEL (time));
      if (gtk_widget_get_mapped (time))
        {
          g_assert_true (gtk_widget_compute_bounds (time, widget, &bounds));
          if (bounds.origin.x < -0.5 || bounds.origin.y < -0.5 ||
              bounds.origin.x + bounds.size.width > gtk_widget_get_width (widget) + 0.5 ||
              bounds.origin.y + bounds.size.height > gtk_widget_get_height (widget) + 0.5)
            g_error ("the time of “%s” (%g,%g %g×%g) leaves its %d×%d row",
                     tto_message_get_text (tto_message_row_get_message (TTO_MESSAGE_ROW (widget))),
                     bounds.origin.x, bounds.origin.y, bounds.size.width, bounds.size.height,
                     gtk_widget_get_width (widget), gtk_widget_get_height (widget));
          (*n_checked)++;
        }
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    check_times_inside (child, n_checked);
}

static void
test_editors (void)
{
  TtoTestRelay *relay;
  TtoWindow *ana_window, *bo_window, *cy_window;
  TtoSession *ana, *bo, *cy;
  TtoEvent *event, *bo_event, *cy_event;
  TtoFlow *ana_flow, *bo_flow, *cy_flow;
  TtoFlowPage *ana_page, *bo_page;
  GtkWindow *ana_page_window, *bo_page_window;
  GtkWindow *dialog;
  GtkListView *cy_joined, *ana_created;
  TtoFlowTask *task;
  TtoFlowMeeting *meeting;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) send_error = NULL;
  g_autofree char *task_id = NULL;
  g_autofree char *meeting_id = NULL;
  g_autofree char *meeting_task_id = NULL;
  g_autofree char *kept_id = NULL;
  const char *bo_id, *cy_id;
  double lat, lon;
  guint n_times = 0;

  relay = tto_test_relay_start (60);
  if (relay == NULL)
    return; /* skipped: no relay or MariaDB */

  /* Ana on a desktop (the home list beside the chat); Bo and Cy on phones. */
  ana_window = tto_test_gui_new_window ();
  tto_test_gui_resize (GTK_WINDOW (ana_window), 1280, 800);
  tto_test_gui_sign_in (ana_window, tto_test_relay_get_ws_url (relay), "Ana");
  ana = tto_window_get_session (ana_window);
  event = tto_test_gui_session_create_event (ana, "Picnic committee", "Plan the picnic");

  bo_window = tto_test_gui_new_window ();
  tto_test_gui_sign_in (bo_window, tto_test_relay_get_ws_url (relay), "Bo");
  bo = tto_window_get_session (bo_window);
  bo_event = tto_test_gui_join (bo, tto_event_get_invite_code (event));
  bo_id = tto_session_get_identity_id (bo);

  cy_window = tto_test_gui_new_window ();
  tto_test_gui_sign_in (cy_window, tto_test_relay_get_ws_url (relay), "Cy");
  cy = tto_window_get_session (cy_window);
  cy_event = tto_test_gui_join (cy, tto_event_get_invite_code (event));
  cy_id = tto_session_get_identity_id (cy);

  /* Cy's home list asks for the flow without the chat being opened. */
  cy_joined = tto_home_page_get_joined_list (tto_window_get_home_page (cy_window));
  WAIT_FOR (home_row_says (cy_joined, cy_event, "Main stage · 3 members"));
  cy_flow = tto_session_get_flow (cy, tto_event_get_id (cy_event));
  g_assert_true (tto_flow_get_loaded (cy_flow));

  tto_window_open_event (ana_window, event);
  tto_window_open_event (bo_window, bo_event);
  ana_flow = tto_session_get_flow (ana, tto_event_get_id (event));
  bo_flow = tto_session_get_flow (bo, tto_event_get_id (bo_event));
  WAIT_FOR (tto_flow_get_loaded (ana_flow) && tto_flow_get_loaded (bo_flow));
  WAIT_FOR (g_list_model_get_n_items (tto_session_get_members (ana, event)) == 3);
  ana_created = tto_home_page_get_created_list (tto_window_get_home_page (ana_window));
  WAIT_FOR (home_row_says (ana_created, event, "Main stage · 3 members"));

  ana_page_window = page_window (ana, event, &ana_page);
  g_assert_cmpstr (tto_flow_page_get_progress_text (ana_page), ==, "Stage 1 of 1: Main stage");
  bo_page_window = page_window (bo, bo_event, &bo_page);

  /* Points are off: the relay refuses an award, the page says why. */
  dialog = open_dialog (ana_page, "flow.award", NULL);
  adw_combo_row_set_selected (ADW_COMBO_ROW (tto_test_gui_named (dialog, "award-member")),
                              member_index (ana, event, bo_id));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (tto_test_gui_named (dialog, "award-delta")), 5);
  respond_ok (ana_page, dialog, TRUE);
  /* The client's sentence for reason points_off, not the relay's English. */
  g_assert_cmpstr (tto_flow_page_get_last_toast (ana_page), ==,
                   "Points are turned off in this event.");
  g_assert_cmpint (tto_flow_get_points (ana_flow, bo_id), ==, 0);

  /* Stages: the untouched flow takes a template whole… */
  dialog = open_dialog (ana_page, "flow.edit-stages", NULL);
  {
    g_autoptr (GPtrArray) rows = list_rows (tto_test_gui_named (dialog, "stages-list"));

    g_assert_cmpuint (rows->len, ==, 1);
    /* The untitled default stage: its entry is empty and may stay so. */
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (rows->pdata[0])), ==, "");
    g_assert_cmpstr (adw_preferences_row_get_title (rows->pdata[0]), ==,
                     "Stage title (empty: “Main stage”)");
    g_assert_true (ok_enabled (dialog));
    /* The active stage stays. */
    g_assert_null (tto_test_gui_find_widget_by_name (rows->pdata[0], "remove-stage"));
  }
  tto_test_gui_screenshot (dialog, "flow-dialog-untitled");
  adw_combo_row_set_selected (ADW_COMBO_ROW (tto_test_gui_named (dialog, "template")), 1);
  g_signal_emit_by_name (tto_test_gui_named (dialog, "apply-template"), "clicked");
  WAIT_FOR (tto_flow_page_get_dialog (ana_page) == NULL);
  WAIT_FOR (!tto_flow_page_get_busy (ana_page));
  g_assert_cmpstr (tto_flow_page_get_last_toast (ana_page), ==,
                   "Points are turned off in this event."); /* nothing new */
  WAIT_FOR (tto_flow_get_n_stages (bo_flow) == 5);
  g_assert_cmpstr (tto_flow_stage_get_title (tto_flow_get_stage (bo_flow, 0)), ==, "Team forming");
  g_assert_cmpstr (tto_flow_stage_get_title (tto_flow_get_stage (bo_flow, 4)), ==, "Judging");
  /* The home lists follow the push. */
  WAIT_FOR (home_row_says (cy_joined, cy_event, "Team forming · 3 members"));
  WAIT_FOR (home_row_says (ana_created, event, "Team forming · 3 members"));

  /* …later a template replaces only the pending stages. */
  dialog = open_dialog (ana_page, "flow.edit-stages", NULL);
  adw_combo_row_set_selected (ADW_COMBO_ROW (tto_test_gui_named (dialog, "template")), 0);
  g_signal_emit_by_name (tto_test_gui_named (dialog, "apply-template"), "clicked");
  WAIT_FOR (!tto_flow_page_get_busy (ana_page));
  WAIT_FOR (tto_flow_get_n_stages (bo_flow) == 4);
  g_assert_cmpstr (tto_flow_stage_get_title (tto_flow_get_stage (bo_flow, 0)), ==, "Team forming");
  g_assert_cmpstr (tto_flow_stage_get_title (tto_flow_get_stage (bo_flow, 1)), ==,
                   "Needs discussion");
  kept_id = g_strdup (tto_flow_stage_get_id (tto_flow_get_stage (bo_flow, 1)));

  /* By hand: rename, remove, add; an emptied title cannot be saved. */
  dialog = open_dialog (ana_page, "flow.edit-stages", NULL);
  {
    g_autoptr (GPtrArray) rows = list_rows (tto_test_gui_named (dialog, "stages-list"));
    GtkWidget *added;

    g_assert_cmpuint (rows->len, ==, 4);
    g_assert_nonnull (tto_test_gui_find_widget_by_name (rows->pdata[1], "remove-stage"));
    gtk_editable_set_text (GTK_EDITABLE (rows->pdata[0]), " ");
    g_assert_false (ok_enabled (dialog));
    g_assert_true (gtk_widget_has_css_class (rows->pdata[0], "error"));
    gtk_editable_set_text (GTK_EDITABLE (rows->pdata[0]), "Team forming");
    g_assert_true (ok_enabled (dialog));
    gtk_editable_set_text (GTK_EDITABLE (rows->pdata[1]), "Ideas and sketches");
    g_signal_emit_by_name (tto_test_gui_named (rows->pdata[2], "remove-stage"), "clicked");
    g_signal_emit_by_name (tto_test_gui_named (dialog, "add-stage"), "clicked");
    g_ptr_array_unref (rows);
    rows = list_rows (tto_test_gui_named (dialog, "stages-list"));
    g_assert_cmpuint (rows->len, ==, 4);
    added = rows->pdata[3];
    gtk_editable_set_text (GTK_EDITABLE (added), "Party");
    /* Left empty: ignored. */
    g_signal_emit_by_name (tto_test_gui_named (dialog, "add-stage"), "clicked");
  }
  dialog_shots (ana_page, ana_page_window, dialog, "flow-dialog-stages");
  respond_ok (ana_page, dialog, FALSE);
  WAIT_FOR (tto_flow_get_n_stages (bo_flow) == 4 &&
            g_strcmp0 (tto_flow_stage_get_title (tto_flow_get_stage (bo_flow, 3)), "Party") == 0);
  g_assert_cmpstr (tto_flow_stage_get_title (tto_flow_get_stage (bo_flow, 1)), ==,
                   "Ideas and sketches");
  g_assert_cmpstr (tto_flow_stage_get_id (tto_flow_get_stage (bo_flow, 1)), ==, kept_id);
  g_assert_cmpstr (tto_flow_stage_get_title (tto_flow_get_stage (bo_flow, 2)), ==, "Execution");

  /* Rules: points and approval by a majority… */
  dialog = open_dialog (ana_page, "flow.edit-rules", NULL);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (tto_test_gui_named (dialog, "rules-points"))));
  g_assert_false (gtk_widget_get_visible (
      gtk_widget_get_parent (tto_test_gui_named (dialog, "rules-approvers"))));
  gtk_switch_set_active (GTK_SWITCH (tto_test_gui_named (dialog, "rules-points")), TRUE);
  adw_combo_row_set_selected (ADW_COMBO_ROW (tto_test_gui_named (dialog, "rules-approval")), 2);
  respond_ok (ana_page, dialog, FALSE);
  WAIT_FOR (g_strcmp0 (tto_flow_get_approval_mode (bo_flow), "majority") == 0);
  g_assert_true (tto_flow_get_points_enabled (bo_flow));
  WAIT_FOR (has_system_message (bo, bo_event, "Rules: points on; stage changes need approval by a majority"));
  check_system_row (bo_window, "rules_changed", NULL,
                    "New rules: points on; stage changes need approval by a majority; "
                    "no elimination");

  /* …then by one named member, with elimination. */
  dialog = open_dialog (ana_page, "flow.edit-rules", NULL);
  g_assert_cmpuint (
      adw_combo_row_get_selected (ADW_COMBO_ROW (tto_test_gui_named (dialog, "rules-approval"))),
      ==, 2);
  adw_combo_row_set_selected (ADW_COMBO_ROW (tto_test_gui_named (dialog, "rules-approval")), 1);
  g_assert_true (gtk_widget_get_visible (
      gtk_widget_get_parent (tto_test_gui_named (dialog, "rules-approvers"))));
  g_assert_false (ok_enabled (dialog)); /* nobody named yet */
  gtk_check_button_set_active (tto_test_gui_find_widget (dialog, is_member_check, bo_id), TRUE);
  g_assert_true (ok_enabled (dialog));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (tto_test_gui_named (dialog, "rules-count")), 3);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (
                       GTK_SPIN_BUTTON (tto_test_gui_named (dialog, "rules-count"))),
                   ==, 1); /* no more approvals than approvers */
  g_assert_false (gtk_widget_get_sensitive (gtk_widget_get_ancestor (
      tto_test_gui_named (dialog, "rules-below-points"), ADW_TYPE_ACTION_ROW)));
  gtk_switch_set_active (GTK_SWITCH (tto_test_gui_named (dialog, "rules-below")), TRUE);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (tto_test_gui_named (dialog, "rules-below-points")),
                             1);
  gtk_switch_set_active (GTK_SWITCH (tto_test_gui_named (dialog, "rules-missed")), TRUE);
  dialog_shots (ana_page, ana_page_window, dialog, "flow-dialog-rules");
  respond_ok (ana_page, dialog, FALSE);
  WAIT_FOR (g_strcmp0 (tto_flow_get_approval_mode (bo_flow), "members") == 0);
  {
    g_auto (GStrv) approvers = tto_flow_dup_approval_members (bo_flow);
    gboolean has_below = FALSE, missed = FALSE;
    gint64 below = 0;

    g_assert_cmpuint (g_strv_length (approvers), ==, 1);
    g_assert_cmpstr (approvers[0], ==, bo_id);
    g_assert_cmpuint (tto_flow_get_approval_count (bo_flow), ==, 1);
    g_assert_true (tto_flow_get_elimination (bo_flow, &has_below, &below, &missed));
    g_assert_true (has_below);
    g_assert_cmpint (below, ==, 1);
    g_assert_true (missed);
  }

  /* A required text form, designed field by field. */
  dialog = open_dialog (ana_page, "flow.add-task", NULL);
  g_assert_false (ok_enabled (dialog));
  gtk_editable_set_text (GTK_EDITABLE (tto_test_gui_named (dialog, "task-title")),
                         "Introduce yourself");
  g_assert_cmpuint (
      adw_combo_row_get_selected (ADW_COMBO_ROW (tto_test_gui_named (dialog, "task-form"))), ==, 0);
  gtk_switch_set_active (GTK_SWITCH (tto_test_gui_named (dialog, "task-required")), TRUE);
  {
    const char *names[] = { "Name", "Age", "Role", "Arrival" };
    GtkWidget *fields = tto_test_gui_named (dialog, "task-fields");

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autoptr (GPtrArray) rows = NULL;
        GtkWidget *row;

        if (i > 0)
          g_signal_emit_by_name (tto_test_gui_named (dialog, "add-field"), "clicked");
        rows = list_rows (fields);
        g_assert_cmpuint (rows->len, ==, i + 1);
        row = rows->pdata[i];
        gtk_editable_set_text (GTK_EDITABLE (tto_test_gui_named (row, "field-name")), names[i]);
        gtk_drop_down_set_selected (GTK_DROP_DOWN (tto_test_gui_named (row, "field-type")), i);
        g_assert_cmpint (gtk_widget_get_visible (tto_test_gui_named (row, "field-choices")), ==,
                         i == 2);
        if (i == 2)
          {
            /* A choice needs its options. */
            g_assert_false (ok_enabled (dialog));
            gtk_editable_set_text (GTK_EDITABLE (tto_test_gui_named (row, "field-choices")),
                                   "Design, Code ,, Pitch");
          }
        g_assert_true (ok_enabled (dialog));
      }
    /* Two fields of one name cannot be told apart. */
    {
      g_autoptr (GPtrArray) rows = list_rows (fields);

      gtk_editable_set_text (GTK_EDITABLE (tto_test_gui_named (rows->pdata[3], "field-name")),
                             "Name");
      g_assert_false (ok_enabled (dialog));
      gtk_editable_set_text (GTK_EDITABLE (tto_test_gui_named (rows->pdata[3], "field-name")),
                             "Arrival");
    }
  }
  dialog_shots (ana_page, ana_page_window, dialog, "flow-dialog-task");
  respond_ok (ana_page, dialog, FALSE);
  WAIT_FOR (tto_flow_stage_get_n_tasks (tto_flow_get_current_stage (bo_flow)) == 1);
  {
    g_autoptr (TtoFlowTask) added = g_list_model_get_item (
      tto_flow_stage_get_tasks (tto_flow_get_current_stage (bo_flow)), 0);
    JsonArray *choices;

    task_id = g_strdup (tto_flow_task_get_id (added));
    g_assert_cmpstr (tto_flow_task_get_title (added), ==, "Introduce yourself");
    g_assert_cmpstr (tto_flow_task_get_form (added), ==, "text_form");
    g_assert_true (tto_flow_task_get_required (added));
    g_assert_cmpuint (json_array_get_length (tto_flow_task_get_fields (added)), ==, 4);
    g_assert_cmpstr (json_field (added, 0, "type"), ==, "text");
    g_assert_cmpstr (json_field (added, 1, "type"), ==, "number");
    g_assert_cmpstr (json_field (added, 2, "type"), ==, "choice");
    g_assert_cmpstr (json_field (added, 3, "type"), ==, "date");
    g_assert_cmpstr (json_field (added, 3, "name"), ==, "Arrival");
    choices = json_object_get_array_member (
      json_array_get_object_element (tto_flow_task_get_fields (added), 2), "choices");
    g_assert_cmpuint (json_array_get_length (choices), ==, 3);
    g_assert_cmpstr (json_array_get_string_element (choices, 0), ==, "Design");
    g_assert_cmpstr (json_array_get_string_element (choices, 1), ==, "Code");
    g_assert_cmpstr (json_array_get_string_element (choices, 2), ==, "Pitch");
  }

  /* Bo fills it in; Cy does not. */
  {
    TtoFlowTaskSheet *sheet = TTO_FLOW_TASK_SHEET (tto_flow_page_open_task (bo_page, task_id));

    g_object_ref (sheet);
    gtk_editable_set_text (GTK_EDITABLE (tto_flow_task_sheet_get_field (sheet, 0)), "Bo");
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (tto_flow_task_sheet_get_field (sheet, 1)), 31);
    gtk_drop_down_set_selected (GTK_DROP_DOWN (tto_flow_task_sheet_get_field (sheet, 2)), 1);
    gtk_editable_set_text (GTK_EDITABLE (tto_flow_task_sheet_get_field (sheet, 3)), "2027-06-01");
    g_assert_true (tto_flow_task_sheet_get_valid (sheet));
    tto_flow_task_sheet_submit (sheet);
    WAIT_FOR (tto_flow_task_sheet_get_completed (sheet) || tto_flow_task_sheet_get_error (sheet));
    g_assert_null (tto_flow_task_sheet_get_error (sheet));
    gtk_window_destroy (GTK_WINDOW (sheet));
    g_object_unref (sheet);
  }
  task = tto_flow_find_task (ana_flow, task_id, NULL);
  WAIT_FOR (tto_flow_task_is_done_by (task, bo_id));
  g_assert_false (tto_flow_task_is_done_by (task, cy_id));

  /* Marked done, not done, open again: Bo sees each. */
  {
    const char *marks[] = { "done", "not_done", "open" };

    for (guint i = 0; i < G_N_ELEMENTS (marks); i++)
      {
        g_assert_true (gtk_widget_activate_action (GTK_WIDGET (ana_page), "flow.mark-task",
                                                   "(ss)", task_id, marks[i]));
        WAIT_FOR (!tto_flow_page_get_busy (ana_page));
        g_assert_cmpstr (tto_flow_page_get_last_toast (ana_page), ==,
                         "Points are turned off in this event."); /* nothing new */
        WAIT_FOR (g_strcmp0 (tto_flow_task_get_status (tto_flow_find_task (bo_flow, task_id, NULL)),
                             marks[i]) == 0);
      }
  }

  /* Points with a reason; the leaderboard follows. */
  dialog = open_dialog (ana_page, "flow.award", NULL);
  adw_combo_row_set_selected (ADW_COMBO_ROW (tto_test_gui_named (dialog, "award-member")),
                              member_index (ana, event, bo_id));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (tto_test_gui_named (dialog, "award-delta")), 0);
  g_assert_false (ok_enabled (dialog));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (tto_test_gui_named (dialog, "award-delta")), 5);
  gtk_editable_set_text (GTK_EDITABLE (tto_test_gui_named (dialog, "award-reason")), "Great intro");
  dialog_shots (ana_page, ana_page_window, dialog, "flow-dialog-award");
  respond_ok (ana_page, dialog, FALSE);
  WAIT_FOR (tto_flow_get_points (bo_flow, bo_id) == 5);
  WAIT_FOR (gtk_widget_get_first_child (GTK_WIDGET (tto_flow_page_get_points_list (bo_page))) !=
            NULL);
  {
    g_autoptr (GPtrArray) rows = list_rows (GTK_WIDGET (tto_flow_page_get_points_list (bo_page)));

    g_assert_cmpuint (rows->len, ==, 3);
    g_assert_cmpstr (adw_preferences_row_get_title (rows->pdata[0]), ==, "1. Bo");
  }

  /* A meeting with a place and coordinates; half a position is refused. */
  dialog = open_dialog (ana_page, "flow.add-meeting", NULL);
  g_assert_false (ok_enabled (dialog));
  gtk_editable_set_text (GTK_EDITABLE (tto_test_gui_named (dialog, "meeting-title")), "Site visit");
  gtk_editable_set_text (GTK_EDITABLE (tto_test_gui_named (dialog, "meeting-date")), "2027-01-15");
  gtk_editable_set_text (GTK_EDITABLE (tto_test_gui_named (dialog, "meeting-time")), "25:00");
  g_assert_false (ok_enabled (dialog));
  g_assert_true (gtk_widget_has_css_class (tto_test_gui_named (dialog, "meeting-time"), "error"));
  gtk_editable_set_text (GTK_EDITABLE (tto_test_gui_named (dialog, "meeting-time")), "10:30");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (tto_test_gui_named (dialog, "meeting-minutes")), 90);
  gtk_editable_set_text (GTK_EDITABLE (tto_test_gui_named (dialog, "meeting-place")), "Gate 3");
  gtk_editable_set_text (GTK_EDITABLE (tto_test_gui_named (dialog, "meeting-lat")), "52.52");
  g_assert_false (ok_enabled (dialog));
  g_assert_true (gtk_widget_has_css_class (tto_test_gui_named (dialog, "meeting-lon"), "error"));
  gtk_editable_set_text (GTK_EDITABLE (tto_test_gui_named (dialog, "meeting-lon")), "13.405");
  g_assert_true (ok_enabled (dialog));
  gtk_editable_set_text (GTK_EDITABLE (tto_test_gui_named (dialog, "meeting-lat")), "95");
  g_assert_false (ok_enabled (dialog));
  gtk_editable_set_text (GTK_EDITABLE (tto_test_gui_named (dialog, "meeting-lat")), "52.52");
  gtk_text_buffer_set_text (
      gtk_text_view_get_buffer (GTK_TEXT_VIEW (tto_test_gui_named (dialog, "meeting-agenda"))),
      "Walk the site", -1);
  dialog_shots (ana_page, ana_page_window, dialog, "flow-dialog-meeting");
  respond_ok (ana_page, dialog, FALSE);
  WAIT_FOR (g_list_model_get_n_items (tto_flow_get_meetings (bo_flow)) == 1);
  meeting = g_list_model_get_item (tto_flow_get_meetings (bo_flow), 0);
  g_object_unref (meeting); /* the flow holds it */
  meeting_id = g_strdup (tto_flow_meeting_get_id (meeting));
  {
    g_autoptr (GDateTime) when = g_date_time_new_local (2027, 1, 15, 10, 30, 0);

    g_assert_cmpstr (tto_flow_meeting_get_title (meeting), ==, "Site visit");
    g_assert_cmpint (tto_flow_meeting_get_starts_at (meeting), ==, g_date_time_to_unix (when));
    g_assert_cmpint (tto_flow_meeting_get_ends_at (meeting), ==, g_date_time_to_unix (when) + 5400);
    g_assert_cmpstr (tto_flow_meeting_get_place (meeting), ==, "Gate 3");
    g_assert_true (tto_flow_meeting_get_coordinates (meeting, &lat, &lon));
    g_assert_cmpfloat_with_epsilon (lat, 52.52, 1e-9);
    g_assert_cmpfloat_with_epsilon (lon, 13.405, 1e-9);
    g_assert_cmpstr (tto_flow_meeting_get_agenda (meeting), ==, "Walk the site");
  }

  /* A task completed by attending it, then attendance confirmed. */
  dialog = open_dialog (ana_page, "flow.add-task", NULL);
  gtk_editable_set_text (GTK_EDITABLE (tto_test_gui_named (dialog, "task-title")),
                         "Come to the site");
  adw_combo_row_set_selected (ADW_COMBO_ROW (tto_test_gui_named (dialog, "task-form")), 5);
  g_assert_false (
      gtk_widget_get_visible (gtk_widget_get_parent (tto_test_gui_named (dialog, "task-fields"))));
  g_assert_true (gtk_widget_get_visible (tto_test_gui_named (dialog, "task-meeting")));
  respond_ok (ana_page, dialog, FALSE);
  WAIT_FOR (tto_flow_stage_get_n_tasks (tto_flow_get_current_stage (bo_flow)) == 2);
  {
    g_autoptr (TtoFlowTask) added = g_list_model_get_item (
      tto_flow_stage_get_tasks (tto_flow_get_current_stage (bo_flow)), 1);

    g_assert_cmpstr (tto_flow_task_get_form (added), ==, "offline_meeting");
    g_assert_cmpstr (tto_flow_task_get_meeting_id (added), ==, meeting_id);
    meeting_task_id = g_strdup (tto_flow_task_get_id (added));
  }
  dialog = open_dialog (ana_page, "flow.attend", g_variant_new_string (meeting_id));
  g_assert_false (
      gtk_check_button_get_active (tto_test_gui_find_widget (dialog, is_member_check, bo_id)));
  gtk_check_button_set_active (tto_test_gui_find_widget (dialog, is_member_check, bo_id), TRUE);
  dialog_shots (ana_page, ana_page_window, dialog, "flow-dialog-attend");
  respond_ok (ana_page, dialog, FALSE);
  WAIT_FOR (tto_flow_task_is_done_by (tto_flow_find_task (bo_flow, meeting_task_id, NULL), bo_id));
  meeting = tto_flow_find_meeting (bo_flow, meeting_id);
  g_assert_true (g_strv_contains (tto_flow_meeting_get_attended (meeting), bo_id));
  g_assert_false (g_strv_contains (tto_flow_meeting_get_attended (meeting), cy_id));

  /* Ana asks to move on: it waits for Bo, the one named approver. */
  dialog = open_dialog (ana_page, "flow.advance", g_variant_new_string ("next"));
  gtk_text_buffer_set_text (
      gtk_text_view_get_buffer (GTK_TEXT_VIEW (tto_test_gui_named (dialog, "conclusion"))),
      "Teams set", -1);
  respond_ok (ana_page, dialog, FALSE);
  WAIT_FOR (tto_flow_page_get_pending_text (bo_page) != NULL);
  g_assert_cmpuint (tto_flow_get_current (bo_flow), ==, 0);
  g_test_message ("pending: %s", tto_flow_page_get_pending_text (bo_page));
  g_assert_nonnull (strstr (tto_flow_page_get_pending_text (bo_page),
                            "Move to “Ideas and sketches” waits for approval: 0 of 1"));
  g_assert_nonnull (strstr (tto_flow_page_get_pending_text (bo_page), "Approvers: Bo"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (tto_flow_page_get_approve_button (bo_page))));
  WAIT_FOR (tto_flow_page_get_pending_text (ana_page) != NULL);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (tto_flow_page_get_approve_button (ana_page))));
  WAIT_FOR (tto_flow_get_pending (cy_flow, NULL, NULL, NULL, NULL, NULL));
  WAIT_FOR (g_str_has_suffix (tto_chat_page_get_flow_text (tto_window_get_chat_page (bo_window)),
                              " · approval pending"));
  tto_test_gui_resize (GTK_WINDOW (bo_window), 360, 720);
  tto_test_gui_screenshot (GTK_WINDOW (bo_window), "flow-chat-pending");
  g_assert_false (tto_flow_can_approve (cy_flow, cy_id));
  tto_test_gui_resize (bo_page_window, 360, 720);
  tto_test_gui_screenshot (bo_page_window, "flow-pending-approval");
  tto_test_gui_resize (bo_page_window, 1280, 800);
  tto_test_gui_screenshot (bo_page_window, "flow-pending-approval");

  /* Bo approves: the stage changes for everyone, and Cy (no points, no
   * form) is eliminated. */
  g_signal_emit_by_name (tto_flow_page_get_approve_button (bo_page), "clicked");
  WAIT_FOR (!tto_flow_page_get_busy (bo_page));
  g_assert_null (tto_flow_page_get_last_toast (bo_page));
  WAIT_FOR (tto_flow_get_current (ana_flow) == 1 && tto_flow_get_current (bo_flow) == 1 &&
            tto_flow_get_current (cy_flow) == 1);
  g_assert_null (tto_flow_page_get_pending_text (bo_page));
  WAIT_FOR (g_str_has_prefix (tto_chat_page_get_flow_text (tto_window_get_chat_page (bo_window)),
                              "Ideas and sketches · day 1"));
  g_assert_false (g_str_has_suffix (tto_chat_page_get_flow_text (tto_window_get_chat_page (bo_window)),
                                    " · approval pending"));
  g_assert_cmpstr (tto_flow_stage_get_conclusion (tto_flow_get_stage (cy_flow, 0)), ==,
                   "Teams set");
  g_assert_true (tto_flow_is_eliminated (ana_flow, cy_id));
  g_assert_false (tto_flow_is_eliminated (ana_flow, bo_id));
  WAIT_FOR (has_system_message (bo, bo_event, "Eliminated: Cy"));
  check_system_row (bo_window, "eliminated", NULL, "Cy was eliminated and can now only read along");
  WAIT_FOR (home_row_says (cy_joined, cy_event, "Ideas and sketches · 3 members"));
  WAIT_FOR (home_row_says (ana_created, event, "Ideas and sketches · 3 members"));
  tto_test_gui_screenshot (GTK_WINDOW (ana_window), "flow-home-stages");
  tto_test_gui_resize (GTK_WINDOW (cy_window), 360, 720);
  tto_test_gui_screenshot (GTK_WINDOW (cy_window), "flow-home-stages");

  /* Cy reads on, but the composer gives way to the reason… */
  tto_window_open_event (cy_window, cy_event);
  WAIT_FOR (tto_chat_page_get_send_blocked_text (tto_window_get_chat_page (cy_window)) != NULL);
  g_assert_cmpstr (tto_chat_page_get_send_blocked_text (tto_window_get_chat_page (cy_window)), ==,
                   "You were eliminated at the stage change: you can read but no longer send.");
  {
    GtkWidget *composer = tto_test_gui_find_widget_by_type (
        GTK_WIDGET (tto_window_get_chat_page (cy_window)), GTK_TYPE_TEXT_VIEW);

    g_assert_nonnull (composer);
    g_assert_false (gtk_widget_is_sensitive (composer));
    g_assert_false (gtk_widget_is_drawable (composer));
  }
  g_assert_null (tto_chat_page_get_send_blocked_text (tto_window_get_chat_page (bo_window)));
  WAIT_FOR (has_system_message (cy, cy_event, "Eliminated: Cy"));
  tto_test_gui_screenshot (GTK_WINDOW (cy_window), "flow-eliminated");
  tto_test_gui_resize (GTK_WINDOW (cy_window), 1280, 800);
  tto_test_gui_screenshot (GTK_WINDOW (cy_window), "flow-eliminated");

  /* …and the relay refuses what Cy sends anyway. */
  g_signal_connect (cy, "send-failed", G_CALLBACK (on_send_failed), &send_error);
  g_assert_nonnull (tto_session_send_message (cy, cy_event, "Wait for me", &error));
  g_assert_no_error (error);
  WAIT_FOR (send_error != NULL);
  g_assert_error (send_error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_FORBIDDEN);
  g_signal_handlers_disconnect_by_func (cy, on_send_failed, &send_error);

  /* System lines in a phone's chat keep their time inside the row. */
  tto_test_gui_resize (GTK_WINDOW (bo_window), 360, 720);
  tto_test_gui_screenshot (GTK_WINDOW (bo_window), "flow-chat-system");
  check_times_inside (GTK_WIDGET (tto_chat_page_get_message_list (tto_window_get_chat_page (bo_window))),
                      &n_times);
  g_assert_cmpuint (n_times, >=, 4);

  gtk_window_destroy (ana_page_window);
  gtk_window_destroy (bo_page_window);
  gtk_window_destroy (GTK_WINDOW (cy_window));
  gtk_window_destroy (GTK_WINDOW (bo_window));
  gtk_window_destroy (GTK_WINDOW (ana_window));
  tto_test_gui_settle (100);
  tto_test_relay_stop (relay);
}

int
main (int argc,
      char *argv[])
{
  tto_test_gui_init (&argc, &argv);

  g_test_add_func ("/flow/model", test_model);
  g_test_add_func ("/flow/chart", test_chart);
  g_test_add_func ("/flow/views", test_views);
  g_test_add_func ("/flow/report", test_report);
  g_test_add_func ("/flow/ics", test_ics);
  g_test_add_func ("/flow/relay", test_relay);
  g_test_add_func ("/flow/editors", test_editors);

  return g_test_run ();
}
