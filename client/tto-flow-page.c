/* tto-flow-page.c: an event's flow: views, editor controls, tasks, meetings
 *
 * Three views of the same TtoFlow, switched with an AdwViewStack: the
 * chart (TtoFlowChart), the progress (stage k of n, and the tasks done in
 * the current stage) and the table (GtkColumnView, one row per stage).
 * Above them the current stage, the previous stage's participants and
 * conclusion, and a pending stage change with its Approve button. Editors
 * (the creator, or flow_edit) get the controls to advance, edit stages and
 * rules, add tasks, mark them, award points and set meetings; members
 * complete tasks in a TtoFlowTaskSheet. Everything re-renders from the
 * flow's "changed" signal: the page holds no state of its own.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-client.h"
#include "tto-flow-report.h"
#include "tto-flow-task-sheet.h"
#include "tto-flow-page.h"

struct _TtoFlowPage
{
  AdwBin parent_instance;

  TtoSession *session;
  TtoEvent *event;
  TtoFlow *flow;
  TtoFlowStage *tasks_stage; /* whose tasks the list shows */
  GCancellable *cancellable;
  char *last_toast;
  GtkFileChooserNative *chooser;
  GtkWindow *dialog; /* the editor dialog open now (weak) */
  guint n_requests;  /* flow requests waiting for the relay */

  AdwToastOverlay *toast_overlay;
  GtkButton *back_button;
  GtkMenuButton *report_button;
  GtkLabel *stage_label;
  GtkLabel *previous_label;
  GtkLabel *conclusion_label;
  GtkBox *pending_box;
  GtkLabel *pending_label;
  GtkButton *approve_button;
  GtkButton *cancel_pending_button;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewSwitcherBar *switcher_bar;
  AdwViewStack *view_stack;
  TtoFlowChart *chart;
  GtkLabel *progress_label;
  GtkProgressBar *stage_bar;
  GtkLabel *tasks_label;
  GtkProgressBar *tasks_bar;
  GtkColumnView *table;
  AdwPreferencesGroup *editor_group;
  GtkButton *next_button;
  GtkButton *back_stage_button;
  GtkButton *award_button;
  AdwPreferencesGroup *tasks_group;
  GtkListBox *tasks_list;
  AdwPreferencesGroup *points_group;
  GtkListBox *points_list;
  AdwPreferencesGroup *meetings_group;
  GtkListBox *meetings_list;
};

G_DEFINE_FINAL_TYPE (TtoFlowPage, tto_flow_page, ADW_TYPE_BIN)

static gboolean
can_edit (TtoFlowPage *self)
{
  return self->session != NULL && self->event != NULL &&
         tto_session_can_edit_flow (self->session, self->event);
}

static const char *
own_id (TtoFlowPage *self)
{
  return self->session != NULL ? tto_session_get_identity_id (self->session) : NULL;
}

void
tto_flow_page_show_toast (TtoFlowPage *self,
                          const char *text)
{
  g_return_if_fail (TTO_IS_FLOW_PAGE (self));

  g_free (self->last_toast);
  self->last_toast = g_strdup (text);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static void
toast_error (TtoFlowPage *self,
             const GError *error)
{
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* Our own words for refusals with a known reason; else the relay's
   * words say what was wrong (conflict, wrong_form, …). */
  text = tto_client_describe_refusal (error);
  if (text == NULL)
    text = error->domain == TTO_PROTOCOL_ERROR ? g_strdup (error->message)
                                               : tto_client_describe_error (error);
  tto_flow_page_show_toast (self, text);
}

static void
on_request_done (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (TtoFlowPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;

  body = tto_session_flow_request_finish (TTO_SESSION (object), result, &error);
  self->n_requests--;
  if (body == NULL)
    toast_error (self, error);
}

/* Sends @type with @body (taken); failures become toasts. */
static void
request (TtoFlowPage *self,
         const char *type,
         JsonObject *body)
{
  if (self->session == NULL || self->event == NULL)
    {
      g_clear_pointer (&body, json_object_unref);
      return;
    }
  self->n_requests++;
  tto_session_flow_request_async (self->session, self->event, type, body, self->cancellable,
                                  on_request_done, g_object_ref (self));
}

/* Formatting */

/* A day and time: stages last days, so the date matters. */
static char *
format_date (gint64 seconds)
{
  g_autoptr (GDateTime) utc = NULL;
  g_autoptr (GDateTime) local = NULL;

  if (seconds <= 0)
    return g_strdup ("—");
  utc = g_date_time_new_from_unix_utc (seconds);
  local = g_date_time_to_local (utc);
  /* Translators: a stage's start or end in the flow table, see strftime */
  return g_date_time_format (local, _("%b %-d, %H:%M"));
}

static char *
status_cell (TtoFlowStageStatus status)
{
  const char *mark = status == TTO_FLOW_STAGE_DONE ? "✓" : status == TTO_FLOW_STAGE_ACTIVE ? "●"
                                                                                            : "○";

  return g_strdup_printf ("%s %s", mark, tto_flow_stage_status_name (status));
}

/* "Needs discussion · day 2": the flow entry of the chat header. */
char *
tto_flow_format_entry (TtoFlow *flow,
                       gint64 now)
{
  TtoFlowStage *stage;
  guint day;
  char *text;

  g_return_val_if_fail (TTO_IS_FLOW (flow), NULL);

  stage = tto_flow_get_current_stage (flow);
  if (stage == NULL)
    return NULL;
  day = tto_flow_get_stage_day (flow, now);
  /* A stage change waiting for approvals shows in the chat too, one tap
   * from the Approve button; it matters more than the day then. */
  if (tto_flow_get_pending (flow, NULL, NULL, NULL, NULL, NULL))
    /* Translators: the current stage in the chat header while a change
     * waits for approvals: "Ideas · approval pending" */
    text = g_strdup_printf (_("%s · approval pending"),
                            tto_flow_stage_get_display_title (stage));
  else if (day == 0)
    text = g_strdup (tto_flow_stage_get_display_title (stage));
  else
    /* Translators: the current stage in the chat header: "Needs discussion · day 2" */
    text = g_strdup_printf (_("%s · day %u"), tto_flow_stage_get_display_title (stage), day);
  return text;
}

/* The table */

typedef enum
{
  COLUMN_STAGE,
  COLUMN_STATUS,
  COLUMN_STARTED,
  COLUMN_ENDED,
  COLUMN_PARTICIPANTS,
  COLUMN_TASKS,
  COLUMN_CONCLUSION,
  N_COLUMNS
} Column;

static const char *column_ids[N_COLUMNS] = {
  "stage", "status", "started", "ended", "participants", "tasks", "conclusion",
};

static void
update_cell (GtkListItem *item)
{
  TtoFlowStage *stage = gtk_list_item_get_item (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  Column column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (label), "tto-column"));
  g_autofree char *text = NULL;

  if (stage == NULL)
    return;
  switch (column)
    {
    case COLUMN_STAGE:
      text = g_strdup (tto_flow_stage_get_display_title (stage));
      break;
    case COLUMN_STATUS:
      text = status_cell (tto_flow_stage_get_status (stage));
      break;
    case COLUMN_STARTED:
      text = format_date (tto_flow_stage_get_started_at (stage));
      break;
    case COLUMN_ENDED:
      text = format_date (tto_flow_stage_get_ended_at (stage));
      break;
    case COLUMN_PARTICIPANTS:
      text = g_strdup_printf ("%u", tto_flow_stage_get_participants (stage));
      break;
    case COLUMN_TASKS:
      text = g_strdup_printf ("%u/%u", tto_flow_stage_get_n_tasks_done (stage),
                              tto_flow_stage_get_n_tasks (stage));
      break;
    case COLUMN_CONCLUSION:
    default:
      text = g_strdup (tto_flow_stage_get_conclusion (stage) ?: "—");
      gtk_widget_set_tooltip_text (GTK_WIDGET (label), tto_flow_stage_get_conclusion (stage));
      break;
    }
  gtk_label_set_label (label, text);
}

static void
on_cell_setup (GtkSignalListItemFactory *factory,
               GtkListItem *item,
               gpointer user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), column == COLUMN_PARTICIPANTS ||
                                               column == COLUMN_TASKS
                                             ? 1
                                             : 0);
  /* Narrow screens scroll the table sideways rather than cut every cell. */
  if (column == COLUMN_STAGE || column == COLUMN_CONCLUSION)
    {
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_width_chars (GTK_LABEL (label), 14);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 28);
    }
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  /* Tests find the cells by name. */
  {
    g_autofree char *name = g_strconcat ("cell-", column_ids[column], NULL);

    gtk_widget_set_name (label, name);
  }
  g_object_set_data (G_OBJECT (label), "tto-column", user_data);
  gtk_list_item_set_child (item, label);
}

static void
on_cell_bind (GtkSignalListItemFactory *factory,
              GtkListItem *item,
              gpointer user_data)
{
  TtoFlowStage *stage = gtk_list_item_get_item (item);

  update_cell (item);
  g_signal_connect_object (stage, "notify", G_CALLBACK (update_cell), item, G_CONNECT_SWAPPED);
}

static void
on_cell_unbind (GtkSignalListItemFactory *factory,
                GtkListItem *item,
                gpointer user_data)
{
  TtoFlowStage *stage = gtk_list_item_get_item (item);

  if (stage != NULL)
    g_signal_handlers_disconnect_by_func (stage, update_cell, item);
}

static void
setup_table (TtoFlowPage *self)
{
  const char *titles[N_COLUMNS] = {
    _("Stage"), _("Status"), _("Started"), _("Ended"), _("Participants"), _("Tasks"),
    _("Conclusion"),
  };

  for (guint i = 0; i < N_COLUMNS; i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr (GtkColumnViewColumn) column = NULL;

      g_signal_connect (factory, "setup", G_CALLBACK (on_cell_setup), GINT_TO_POINTER (i));
      g_signal_connect (factory, "bind", G_CALLBACK (on_cell_bind), GINT_TO_POINTER (i));
      g_signal_connect (factory, "unbind", G_CALLBACK (on_cell_unbind), GINT_TO_POINTER (i));
      column = gtk_column_view_column_new (titles[i], factory);
      gtk_column_view_column_set_expand (column, i == COLUMN_STAGE || i == COLUMN_CONCLUSION);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_append_column (self->table, column);
    }
}

/* Tasks */

static gboolean
stage_is_active (TtoFlowPage *self,
                 TtoFlowStage *stage)
{
  return stage != NULL && tto_flow_stage_get_status (stage) == TTO_FLOW_STAGE_ACTIVE;
}

static gboolean
can_complete (TtoFlowPage *self,
              TtoFlowTask *task)
{
  const char *form = tto_flow_task_get_form (task);

  return self->event != NULL && !tto_event_get_ended (self->event) &&
         stage_is_active (self, self->tasks_stage) &&
         !tto_flow_is_eliminated (self->flow, own_id (self)) &&
         g_strcmp0 (form, TTO_TASK_FORM_VIDEO_CALL) != 0 &&
         g_strcmp0 (form, TTO_TASK_FORM_OFFLINE_MEETING) != 0;
}

static void
update_task_row (AdwActionRow *row)
{
  TtoFlowPage *self = g_object_get_data (G_OBJECT (row), "tto-page");
  TtoFlowTask *task = g_object_get_data (G_OBJECT (row), "tto-task");
  GtkImage *image = g_object_get_data (G_OBJECT (row), "tto-mark");
  GtkWidget *complete = g_object_get_data (G_OBJECT (row), "tto-complete");
  gboolean mine = tto_flow_task_is_done_by (task, own_id (self));
  g_autoptr (GString) subtitle = g_string_new (tto_flow_task_form_name (tto_flow_task_get_form (task)));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), tto_flow_task_get_title (task));
  if (tto_flow_task_get_required (task))
    g_string_append_printf (subtitle, " · %s", _("Required"));
  /* Translators: how many members completed a task */
  g_string_append_printf (subtitle, " · ");
  g_string_append_printf (subtitle, g_dngettext (NULL, "completed by %u", "completed by %u",
                                                 tto_flow_task_get_n_done (task)),
                          tto_flow_task_get_n_done (task));
  if (g_strcmp0 (tto_flow_task_get_status (task), "open") != 0)
    g_string_append_printf (subtitle, " · %s",
                            tto_flow_task_status_name (tto_flow_task_get_status (task)));
  if (mine)
    g_string_append_printf (subtitle, " · %s", _("done by you"));
  adw_action_row_set_subtitle (row, subtitle->str);

  gtk_image_set_from_icon_name (image, tto_flow_task_is_done (task) || mine
                                         ? "checkbox-checked-symbolic"
                                         : "checkbox-symbolic");
  gtk_accessible_update_property (GTK_ACCESSIBLE (image), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  tto_flow_task_is_done (task) ? _("Done") : _("Not done yet"),
                                  -1);
  gtk_widget_set_visible (complete, can_complete (self, task));
  gtk_button_set_label (GTK_BUTTON (complete), mine ? _("Redo…") : _("Complete…"));
}

static GMenuModel *
task_menu (TtoFlowTask *task)
{
  GMenu *menu = g_menu_new ();
  const char *id = tto_flow_task_get_id (task);
  GMenuItem *item;

  const struct
  {
    const char *label;
    const char *status;
  } marks[] = {
    { N_("Mark _Done"), "done" },
    { N_("Mark _Not Done"), "not_done" },
    { N_("_Reopen"), "open" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (marks); i++)
    {
      if (g_strcmp0 (tto_flow_task_get_status (task), marks[i].status) == 0)
        continue;
      item = g_menu_item_new (_(marks[i].label), NULL);
      g_menu_item_set_action_and_target (item, "flow.mark-task", "(ss)", id, marks[i].status);
      g_menu_append_item (menu, item);
      g_object_unref (item);
    }
  item = g_menu_item_new (_("Re_move"), NULL);
  g_menu_item_set_action_and_target (item, "flow.remove-task", "s", id);
  g_menu_append_item (menu, item);
  g_object_unref (item);
  return G_MENU_MODEL (menu);
}

static GtkWidget *
create_task_row (gpointer item,
                 gpointer user_data)
{
  TtoFlowPage *self = user_data;
  TtoFlowTask *task = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *image = gtk_image_new ();
  GtkWidget *complete = gtk_button_new ();

  g_object_set_data (G_OBJECT (row), "tto-page", self);
  g_object_set_data_full (G_OBJECT (row), "tto-task", g_object_ref (task), g_object_unref);
  g_object_set_data (G_OBJECT (row), "tto-mark", image);
  g_object_set_data (G_OBJECT (row), "tto-complete", complete);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), image);

  gtk_widget_set_valign (complete, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (complete), "flow.open-task");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (complete), "s", tto_flow_task_get_id (task));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), complete);
  /* Video call and meeting tasks: the row opens the sheet that says how
   * they complete. */
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "flow.open-task");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "s", tto_flow_task_get_id (task));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);

  if (can_edit (self))
    {
      GtkWidget *menu = gtk_menu_button_new ();
      g_autoptr (GMenuModel) model = task_menu (task);

      gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu), "view-more-symbolic");
      gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (menu), model);
      gtk_widget_set_valign (menu, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (menu, "flat");
      gtk_widget_set_tooltip_text (menu, _("Task Menu"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (menu), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Task menu"), -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), menu);
    }
  update_task_row (ADW_ACTION_ROW (row));
  g_signal_connect_object (task, "notify", G_CALLBACK (update_task_row), row, G_CONNECT_SWAPPED);
  return row;
}

/* Leaderboard and meetings */

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

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static void
update_points (TtoFlowPage *self)
{
  GListModel *members;
  g_autoptr (GArray) rows = g_array_new (FALSE, FALSE, sizeof (Standing));
  guint n;

  clear_list (self->points_list);
  gtk_widget_set_visible (GTK_WIDGET (self->points_group),
                          tto_flow_get_points_enabled (self->flow));
  gtk_widget_set_visible (GTK_WIDGET (self->award_button),
                          tto_flow_get_points_enabled (self->flow));
  if (!tto_flow_get_points_enabled (self->flow))
    return;

  members = tto_session_get_members (self->session, self->event);
  n = g_list_model_get_n_items (members);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TtoMember) member = g_list_model_get_item (members, i);
      Standing row = { tto_member_get_identity_id (member), tto_member_get_display_name (member),
                       tto_flow_get_points (self->flow, tto_member_get_identity_id (member)) };

      g_array_append_val (rows, row);
    }
  g_array_sort (rows, compare_standing);
  gtk_widget_set_visible (GTK_WIDGET (self->points_group), rows->len > 0);
  for (guint i = 0; i < rows->len; i++)
    {
      Standing *standing = &g_array_index (rows, Standing, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = g_strdup_printf ("%u. %s", i + 1, standing->name);
      g_autofree char *points = g_strdup_printf ("%" G_GINT64_FORMAT, standing->points);
      GtkWidget *label = gtk_label_new (points);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      if (tto_flow_is_eliminated (self->flow, standing->id))
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Eliminated: can read, cannot send"));
      gtk_widget_add_css_class (label, "numeric");
      gtk_widget_add_css_class (label, "heading");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
      gtk_list_box_append (self->points_list, row);
    }
}

static void
update_meetings (TtoFlowPage *self)
{
  GListModel *meetings = tto_flow_get_meetings (self->flow);
  guint n = g_list_model_get_n_items (meetings);

  clear_list (self->meetings_list);
  gtk_widget_set_visible (GTK_WIDGET (self->meetings_group), n > 0);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TtoFlowMeeting) meeting = g_list_model_get_item (meetings, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button = gtk_button_new_from_icon_name ("x-office-calendar-symbolic");
      g_autofree char *when = format_date (tto_flow_meeting_get_starts_at (meeting));
      g_autofree char *subtitle = NULL;
      double lat, lon;

      if (tto_flow_meeting_get_coordinates (meeting, &lat, &lon))
        subtitle = g_strdup_printf ("%s · %s (%.5f, %.5f)", when,
                                    tto_flow_meeting_get_place (meeting), lat, lon);
      else
        subtitle = g_strdup_printf ("%s · %s", when, tto_flow_meeting_get_place (meeting));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     tto_flow_meeting_get_title (meeting));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_widget_set_tooltip_text (button, _("Add to Calendar (.ics)"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Add to calendar"), -1);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "flow.export-ics");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s",
                                        tto_flow_meeting_get_id (meeting));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      if (can_edit (self))
        {
          GtkWidget *attend = gtk_button_new_from_icon_name ("object-select-symbolic");

          gtk_widget_set_tooltip_text (attend, _("Confirm Attendance"));
          gtk_accessible_update_property (GTK_ACCESSIBLE (attend), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          _("Confirm attendance"), -1);
          gtk_widget_set_valign (attend, GTK_ALIGN_CENTER);
          gtk_widget_add_css_class (attend, "flat");
          gtk_actionable_set_action_name (GTK_ACTIONABLE (attend), "flow.attend");
          gtk_actionable_set_action_target (GTK_ACTIONABLE (attend), "s",
                                            tto_flow_meeting_get_id (meeting));
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), attend);
        }
      gtk_list_box_append (self->meetings_list, row);
    }
}

static GHashTable *member_names (TtoFlowPage *self);

/* The whole page from the flow */

static void
update (TtoFlowPage *self)
{
  TtoFlowStage *stage, *previous;
  guint n, current;
  const char *direction = NULL;
  guint approvals = 0, needed = 0;
  gboolean editor = can_edit (self);

  if (self->flow == NULL)
    return;

  n = tto_flow_get_n_stages (self->flow);
  current = tto_flow_get_current (self->flow);
  stage = tto_flow_get_current_stage (self->flow);
  previous = tto_flow_get_previous_stage (self->flow);

  if (stage != NULL)
    {
      g_autofree char *text = NULL;
      g_autofree char *tasks = NULL;
      guint total = tto_flow_stage_get_n_tasks (stage);
      guint done = tto_flow_stage_get_n_tasks_done (stage);

      /* Translators: "Stage 2 of 3: Plan confirmation" */
      text = g_strdup_printf (_("Stage %u of %u: %s"), current + 1, n,
                              tto_flow_stage_get_display_title (stage));
      gtk_label_set_label (self->stage_label, text);
      gtk_label_set_label (self->progress_label, text);
      gtk_progress_bar_set_fraction (self->stage_bar, (double) (current + 1) / MAX (n, 1));
      if (total == 0)
        tasks = g_strdup (_("No tasks in this stage"));
      else
        /* Translators: tasks of the current stage */
        tasks = g_strdup_printf (_("Tasks: %u of %u done"), done, total);
      gtk_label_set_label (self->tasks_label, tasks);
      gtk_progress_bar_set_fraction (self->tasks_bar, total > 0 ? (double) done / total : 0);
      gtk_widget_set_visible (GTK_WIDGET (self->tasks_bar), total > 0);
    }
  else
    {
      gtk_label_set_label (self->stage_label, _("Loading the flow…"));
      gtk_label_set_label (self->progress_label, "");
      gtk_label_set_label (self->tasks_label, "");
    }

  if (previous != NULL)
    {
      g_autofree char *text = NULL;
      const char *conclusion = tto_flow_stage_get_conclusion (previous);

      /* Translators: "Previous stage: Needs discussion · 4 participants" */
      text = g_strdup_printf (g_dngettext (NULL, "Previous stage: %s · %u participant",
                                           "Previous stage: %s · %u participants",
                                           tto_flow_stage_get_participants (previous)),
                              tto_flow_stage_get_display_title (previous),
                              tto_flow_stage_get_participants (previous));
      gtk_label_set_label (self->previous_label, text);
      if (conclusion != NULL && *conclusion != '\0')
        {
          g_autofree char *line = g_strdup_printf (_("Conclusion: %s"), conclusion);

          gtk_label_set_label (self->conclusion_label, line);
        }
      else
        gtk_label_set_label (self->conclusion_label, _("No conclusion was given."));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->previous_label), previous != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->conclusion_label), previous != NULL);

  if (tto_flow_get_pending (self->flow, &direction, NULL, NULL, &approvals, &needed))
    {
      g_autofree char *text = NULL;
      TtoFlowStage *target = tto_flow_get_stage (self->flow, g_strcmp0 (direction, "back") == 0
                                                               ? current - 1
                                                               : current + 1);

      /* Translators: a stage change waiting for approvals: "Move to “Execution”
       * waits for approval: 1 of 2" */
      text = g_strdup_printf (_("Move to “%s” waits for approval: %u of %u"),
                              target != NULL ? tto_flow_stage_get_display_title (target) : "",
                              approvals, needed);
      /* Members who cannot approve see who can. */
      if (g_strcmp0 (tto_flow_get_approval_mode (self->flow), "members") == 0)
        {
          g_auto (GStrv) ids = tto_flow_dup_approval_members (self->flow);
          g_autoptr (GHashTable) names = member_names (self);
          g_autoptr (GString) who = g_string_new (NULL);
          char *with;

          for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
            {
              const char *name = g_hash_table_lookup (names, ids[i]);

              g_string_append_printf (who, "%s%s%s", who->len > 0 ? ", " : "",
                                      name != NULL ? name : _("a former member"),
                                      tto_flow_has_approved (self->flow, ids[i]) ? " ✓" : "");
            }
          /* Translators: "Approvers: Bo ✓, Cy" (✓: approved already) */
          with = g_strdup_printf (_("%s\nApprovers: %s"), text, who->str);
          g_free (text);
          text = with;
        }
      else
        {
          char *with = g_strdup_printf (_("%s\nAny member may approve."), text);

          g_free (text);
          text = with;
        }
      gtk_label_set_label (self->pending_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->pending_box),
                          tto_flow_get_pending (self->flow, NULL, NULL, NULL, NULL, NULL));
  gtk_widget_set_visible (GTK_WIDGET (self->approve_button),
                          tto_flow_can_approve (self->flow, own_id (self)));
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_pending_button), editor);

  gtk_widget_set_visible (GTK_WIDGET (self->editor_group), editor);
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), current + 1 < n);
  gtk_widget_set_sensitive (GTK_WIDGET (self->back_stage_button), current > 0);

  if (stage != self->tasks_stage)
    {
      self->tasks_stage = stage;
      gtk_list_box_bind_model (self->tasks_list,
                               stage != NULL ? tto_flow_stage_get_tasks (stage) : NULL,
                               create_task_row, self, NULL);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->tasks_group),
                          stage != NULL && tto_flow_stage_get_n_tasks (stage) > 0);
  update_points (self);
  update_meetings (self);
}

/* Dialogs */

typedef void (*DialogDone) (TtoFlowPage *self,
                            gpointer data);

typedef struct
{
  TtoFlowPage *self;
  DialogDone done;
  gpointer data;
  GDestroyNotify destroy;
} DialogData;

static void
dialog_data_free (gpointer user_data,
                  GClosure *closure)
{
  DialogData *data = user_data;

  if (data->destroy != NULL)
    data->destroy (data->data);
  g_object_unref (data->self);
  g_free (data);
}

static void
on_dialog_response (AdwMessageDialog *dialog,
                    const char *response,
                    DialogData *data)
{
  if (g_str_equal (response, "ok"))
    data->done (data->self, data->data);
}

static AdwMessageDialog *
new_dialog (TtoFlowPage *self,
            const char *heading,
            const char *body,
            const char *ok_label,
            GtkWidget *extra,
            DialogDone done,
            gpointer data,
            GDestroyNotify destroy)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                              heading, body);
  DialogData *dialog_data = g_new0 (DialogData, 1);

  dialog_data->self = g_object_ref (self);
  dialog_data->done = done;
  dialog_data->data = data;
  dialog_data->destroy = destroy;
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "ok",
                                    ok_label, NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "ok",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "ok");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  if (extra != NULL)
    adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), extra);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_dialog_response), dialog_data,
                         dialog_data_free, 0);
  g_set_weak_pointer (&self->dialog, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
  return ADW_MESSAGE_DIALOG (dialog);
}

/* Names the dialogs' inputs, so tests (and CSS) can find them. */
static GtkWidget *
named (gpointer widget,
       const char *name)
{
  gtk_widget_set_name (GTK_WIDGET (widget), name);
  return widget;
}

static GtkWidget *
new_text_view (const char *placeholder_label,
               GtkTextView **out_view)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new (placeholder_label);
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *view = gtk_text_view_new ();

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
  gtk_widget_set_size_request (view, -1, 88);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 8);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  label, NULL, -1);
  gtk_frame_set_child (GTK_FRAME (frame), view);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), frame);
  *out_view = GTK_TEXT_VIEW (view);
  return box;
}

static char *
text_view_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
}

/* Advance */

/* Sends flow.advance; @conclusion may be NULL or empty. */
void
tto_flow_page_advance (TtoFlowPage *self,
                       const char *direction,
                       const char *conclusion)
{
  JsonObject *body;

  g_return_if_fail (TTO_IS_FLOW_PAGE (self));
  g_return_if_fail (direction != NULL);

  body = json_object_new ();
  json_object_set_string_member (body, "direction", direction);
  if (conclusion != NULL && *conclusion != '\0')
    json_object_set_string_member (body, "conclusion", conclusion);
  request (self, TTO_FRAME_FLOW_ADVANCE, body);
}

typedef struct
{
  char *direction;
  GtkTextView *view;
} AdvanceData;

static void
advance_data_free (AdvanceData *data)
{
  g_free (data->direction);
  g_free (data);
}

static void
on_advance_ok (TtoFlowPage *self,
               gpointer user_data)
{
  AdvanceData *data = user_data;
  g_autofree char *conclusion = text_view_text (data->view);

  tto_flow_page_advance (self, data->direction, conclusion);
}

static void
advance_action (GtkWidget *widget,
                const char *action_name,
                GVariant *parameter)
{
  TtoFlowPage *self = TTO_FLOW_PAGE (widget);
  const char *direction = g_variant_get_string (parameter, NULL);
  gboolean next = g_str_equal (direction, "next");
  guint current = tto_flow_get_current (self->flow);
  TtoFlowStage *from = tto_flow_get_current_stage (self->flow);
  TtoFlowStage *to = tto_flow_get_stage (self->flow, next ? current + 1 : current - 1);
  AdvanceData *data;
  GtkWidget *extra;
  g_autofree char *body = NULL;

  if (from == NULL || to == NULL)
    return;
  data = g_new0 (AdvanceData, 1);
  data->direction = g_strdup (direction);
  extra = new_text_view (_("Conclusion of this stage (optional)"), &data->view);
  named (data->view, "conclusion");
  if (next)
    /* Translators: stage titles */
    body = g_strdup_printf (_("“%s” closes and “%s” starts for everyone."),
                            tto_flow_stage_get_display_title (from),
                            tto_flow_stage_get_display_title (to));
  else
    body = g_strdup_printf (_("“%s” becomes pending again and “%s” reopens."),
                            tto_flow_stage_get_display_title (from),
                            tto_flow_stage_get_display_title (to));
  if (tto_flow_get_approval_mode (self->flow) != NULL)
    {
      char *with = g_strconcat (body, " ", _("The change takes effect once enough members approve it."),
                                NULL);

      g_free (body);
      body = with;
    }
  new_dialog (self, next ? _("Move to the Next Stage?") : _("Go Back a Stage?"), body,
              next ? _("_Next Stage") : _("_Go Back"), extra, on_advance_ok, data,
              (GDestroyNotify) advance_data_free);
}

static void
approve_action (GtkWidget *widget,
                const char *action_name,
                GVariant *parameter)
{
  request (TTO_FLOW_PAGE (widget), TTO_FRAME_FLOW_APPROVE, NULL);
}

static void
cancel_pending_action (GtkWidget *widget,
                       const char *action_name,
                       GVariant *parameter)
{
  JsonObject *body = json_object_new ();

  json_object_set_string_member (body, "direction", "cancel");
  request (TTO_FLOW_PAGE (widget), TTO_FRAME_FLOW_ADVANCE, body);
}

/* Edit stages */

typedef struct
{
  AdwMessageDialog *dialog;
  GtkListBox *list;
  AdwComboRow *template_row;
} StagesData;

static const char *templates[] = { "discuss_plan_execute", "hackathon", "procurement" };

/* The templates' stages as the relay names them in English (PROTOCOL.md,
 * flow.template); the client sends them translated, so a creator's stages
 * are named in the creator's language. */
static const char *const template_stages[][6] = {
  /* Translators: stages of the "Discuss, plan, execute" template */
  { NC_("flow stage", "Needs discussion"), NC_("flow stage", "Plan confirmation"),
    NC_("flow stage", "Execution"), NULL },
  /* Translators: stages of the "Hackathon" template */
  { NC_("flow stage", "Team forming"), NC_("flow stage", "Ideas"), NC_("flow stage", "Build"),
    NC_("flow stage", "Demo"), NC_("flow stage", "Judging"), NULL },
  /* Translators: stages of the "Procurement" template */
  { NC_("flow stage", "Requirements"), NC_("flow stage", "Quotes"),
    NC_("flow stage", "Evaluation"), NC_("flow stage", "Approval"), NC_("flow stage", "Order"),
    NULL },
};

/* Every kept stage needs a title, but the untitled default stage may stay
 * untitled; empty new rows are left out. */
static void
update_stages_dialog (StagesData *data)
{
  gboolean valid = TRUE;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (data->list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      const char *id = g_object_get_data (G_OBJECT (row), "tto-stage-id");
      gboolean untitled = g_object_get_data (G_OBJECT (row), "tto-untitled") != NULL;
      g_autofree char *title = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
      gboolean bad = (id != NULL && *title == '\0' && !untitled) ||
                     g_utf8_strlen (title, -1) > 120;

      if (bad)
        gtk_widget_add_css_class (row, "error");
      else
        gtk_widget_remove_css_class (row, "error");
      valid = valid && !bad;
    }
  adw_message_dialog_set_response_enabled (data->dialog, "ok", valid);
}

static void
on_remove_stage_clicked (GtkButton *button,
                         StagesData *data)
{
  gtk_list_box_remove (data->list, g_object_get_data (G_OBJECT (button), "tto-row"));
  update_stages_dialog (data);
}

static GtkWidget *
add_stage_row (StagesData *data,
               const char *id,
               const char *title,
               gboolean removable)
{
  GtkWidget *row = named (adw_entry_row_new (), "stage-row");

  if (id != NULL && *title == '\0')
    {
      g_autofree char *hint = NULL;

      /* The untitled default stage: left empty, it keeps its translated name. */
      /* Translators: the title of the entry for the untitled default stage;
       * %s is its name as shown, "Main stage" */
      hint = g_strdup_printf (_("Stage title (empty: “%s”)"),
                              tto_flow_stage_title_for_display (""));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), hint);
      g_object_set_data (G_OBJECT (row), "tto-untitled", GINT_TO_POINTER (TRUE));
    }
  else
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Stage title"));
  gtk_editable_set_text (GTK_EDITABLE (row), title);
  g_object_set_data_full (G_OBJECT (row), "tto-stage-id", g_strdup (id), g_free);
  if (removable)
    {
      GtkWidget *remove = named (gtk_button_new_from_icon_name ("user-trash-symbolic"),
                                 "remove-stage");

      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, _("Remove Stage"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Remove stage"), -1);
      g_object_set_data (G_OBJECT (remove), "tto-row", row);
      g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_stage_clicked), data);
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), remove);
    }
  else
    {
      /* Done and ongoing stages stay: say why they have no remove button. */
      GtkWidget *lock = gtk_image_new_from_icon_name ("changes-prevent-symbolic");

      gtk_widget_set_tooltip_text (lock, _("Started stages can be renamed, not removed"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (lock), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Started stages can be renamed, not removed"), -1);
      gtk_widget_add_css_class (lock, "dim-label");
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), lock);
    }
  g_signal_connect_swapped (row, "changed", G_CALLBACK (update_stages_dialog), data);
  gtk_list_box_append (data->list, row);
  return row;
}

static void
on_add_stage_clicked (StagesData *data)
{
  GtkWidget *row = add_stage_row (data, NULL, "", TRUE);

  gtk_widget_grab_focus (row);
  update_stages_dialog (data);
}

static void
on_stages_ok (TtoFlowPage *self,
              gpointer user_data)
{
  StagesData *data = user_data;
  JsonObject *body = json_object_new ();
  JsonArray *stages = json_array_new ();

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (data->list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      JsonObject *stage;
      const char *id = g_object_get_data (G_OBJECT (row), "tto-stage-id");
      g_autofree char *title = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

      if (*title == '\0' && id == NULL)
        continue; /* an empty new row adds nothing */
      stage = json_object_new ();
      if (id != NULL)
        json_object_set_string_member (stage, "id", id);
      /* Without a title a kept stage keeps its own (the untitled default). */
      if (*title != '\0')
        json_object_set_string_member (stage, "title", title);
      json_array_add_object_element (stages, stage);
    }
  json_object_set_array_member (body, "stages", stages);
  request (self, TTO_FRAME_FLOW_SET_STAGES, body);
}

static void
on_apply_template_clicked (GtkButton *button,
                           TtoFlowPage *self)
{
  StagesData *data = g_object_get_data (G_OBJECT (button), "tto-data");
  guint selected = MIN (adw_combo_row_get_selected (data->template_row), 2);
  JsonObject *body = json_object_new ();
  JsonArray *titles = json_array_new ();

  json_object_set_string_member (body, "template", templates[selected]);
  for (guint i = 0; template_stages[selected][i] != NULL; i++)
    json_array_add_string_element (titles,
                                   g_dpgettext2 (NULL, "flow stage", template_stages[selected][i]));
  json_object_set_array_member (body, "titles", titles);
  request (self, TTO_FRAME_FLOW_TEMPLATE, body);
  gtk_window_close (GTK_WINDOW (data->dialog));
}

static GtkWidget *
heading_label (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "heading");
  return label;
}

static void
edit_stages_action (GtkWidget *widget,
                    const char *action_name,
                    GVariant *parameter)
{
  TtoFlowPage *self = TTO_FLOW_PAGE (widget);
  StagesData *data = g_new0 (StagesData, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *add = named (gtk_button_new_with_mnemonic (_("_Add Stage")), "add-stage");
  GtkWidget *templates_list = gtk_list_box_new ();
  GtkWidget *apply = named (gtk_button_new_with_mnemonic (_("A_pply Template")), "apply-template");
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  g_autoptr (GtkStringList) names = gtk_string_list_new ((const char *[]){
    _("Discuss, plan, execute"), _("Hackathon"), _("Procurement"), NULL });
  guint n = tto_flow_get_n_stages (self->flow);

  data->list = GTK_LIST_BOX (named (gtk_list_box_new (), "stages-list"));
  gtk_list_box_set_selection_mode (data->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (data->list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (data->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Stages"), -1);
  for (guint i = 0; i < n; i++)
    {
      TtoFlowStage *stage = tto_flow_get_stage (self->flow, i);
      gboolean pending = tto_flow_stage_get_status (stage) == TTO_FLOW_STAGE_PENDING;

      add_stage_row (data, tto_flow_stage_get_id (stage), tto_flow_stage_get_title (stage),
                     pending);
    }
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (data->list));
  g_signal_connect_swapped (add, "clicked", G_CALLBACK (on_add_stage_clicked), data);
  gtk_widget_set_halign (add, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (box), add);

  gtk_box_append (GTK_BOX (box), heading_label (_("Start from a template")));
  data->template_row = ADW_COMBO_ROW (named (adw_combo_row_new (), "template"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (data->template_row), _("Template"));
  adw_combo_row_set_use_subtitle (data->template_row, TRUE); /* long names, narrow phones */
  adw_combo_row_set_model (data->template_row, G_LIST_MODEL (names));
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (templates_list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (templates_list, "boxed-list");
  gtk_list_box_append (GTK_LIST_BOX (templates_list), GTK_WIDGET (data->template_row));
  gtk_box_append (GTK_BOX (box), templates_list);
  g_object_set_data (G_OBJECT (apply), "tto-data", data);
  g_signal_connect (apply, "clicked", G_CALLBACK (on_apply_template_clicked), self);
  gtk_widget_set_halign (apply, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (box), apply);

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), box);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 440);
  data->dialog = new_dialog (self, _("Edit Stages"),
                             _("Done and ongoing stages can be renamed. Pending ones can also be removed; a template replaces them."),
                             _("_Save"), scrolled, on_stages_ok, data, g_free);
  update_stages_dialog (data);
}

/* Rules */

typedef struct
{
  AdwMessageDialog *dialog;
  GtkSwitch *points;
  AdwComboRow *approval;
  GtkWidget *approvers_box;
  GPtrArray *approvers; /* GtkCheckButton with "tto-id" */
  GtkWidget *count_row;
  GtkSpinButton *count;
  GtkSwitch *below;
  GtkWidget *below_points_row;
  GtkSpinButton *below_points;
  GtkSwitch *missed;
} RulesData;

static void
rules_data_free (RulesData *data)
{
  g_ptr_array_unref (data->approvers);
  g_free (data);
}

static GtkWidget *
switch_row (const char *title,
            const char *subtitle,
            gboolean active,
            GtkSwitch **out)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *sw = gtk_switch_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_switch_set_active (GTK_SWITCH (sw), active);
  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (sw), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), sw);
  *out = GTK_SWITCH (sw);
  return row;
}

static GtkWidget *
spin_row (const char *title,
          double min,
          double max,
          double value,
          GtkSpinButton **out)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (min, max, 1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  *out = GTK_SPIN_BUTTON (spin);
  return row;
}

static GtkWidget *
boxed_list (void)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  return list;
}

/* A check button per member, @checked ones ticked. */
static GtkWidget *
member_checks (TtoFlowPage *self,
               const char *const *checked,
               GPtrArray *out)
{
  GtkWidget *list = boxed_list ();
  GListModel *members = tto_session_get_members (self->session, self->event);

  for (guint i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr (TtoMember) member = g_list_model_get_item (members, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     tto_member_get_display_name (member));
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                   checked != NULL &&
                                     g_strv_contains (checked, tto_member_get_identity_id (member)));
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      tto_member_get_display_name (member), -1);
      g_object_set_data_full (G_OBJECT (check), "tto-id",
                              g_strdup (tto_member_get_identity_id (member)), g_free);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
      g_ptr_array_add (out, check);
    }
  return list;
}

static JsonArray *
checked_ids (GPtrArray *checks)
{
  JsonArray *ids = json_array_new ();

  for (guint i = 0; i < checks->len; i++)
    if (gtk_check_button_get_active (g_ptr_array_index (checks, i)))
      json_array_add_string_element (ids, g_object_get_data (g_ptr_array_index (checks, i),
                                                              "tto-id"));
  return ids;
}

static guint
n_checked (GPtrArray *checks)
{
  guint n = 0;

  for (guint i = 0; i < checks->len; i++)
    n += gtk_check_button_get_active (g_ptr_array_index (checks, i));
  return n;
}

/* Shows what the chosen rules need, and allows saving only what the relay
 * accepts: named approval needs approvers, and at most as many approvals
 * as there are approvers. */
static void
update_rules_dialog (RulesData *data)
{
  gboolean named_mode = adw_combo_row_get_selected (data->approval) == 1;
  guint approvers = n_checked (data->approvers);

  gtk_widget_set_visible (data->approvers_box, named_mode);
  gtk_widget_set_visible (data->count_row, named_mode);
  gtk_spin_button_set_range (data->count, 1, MAX (approvers, 1));
  gtk_widget_set_sensitive (data->below_points_row, gtk_switch_get_active (data->below));
  adw_message_dialog_set_response_enabled (data->dialog, "ok", !named_mode || approvers > 0);
}

static void
on_rules_ok (TtoFlowPage *self,
             gpointer user_data)
{
  RulesData *data = user_data;
  JsonObject *body = json_object_new ();
  JsonObject *rules = json_object_new ();
  guint approval = adw_combo_row_get_selected (data->approval);

  json_object_set_boolean_member (rules, "points", gtk_switch_get_active (data->points));
  if (approval == 0)
    json_object_set_null_member (rules, "approval");
  else
    {
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "mode", approval == 1 ? "members" : "majority");
      if (approval == 1)
        {
          json_object_set_array_member (object, "members", checked_ids (data->approvers));
          json_object_set_int_member (object, "count",
                                      gtk_spin_button_get_value_as_int (data->count));
        }
      json_object_set_object_member (rules, "approval", object);
    }
  if (!gtk_switch_get_active (data->below) && !gtk_switch_get_active (data->missed))
    json_object_set_null_member (rules, "elimination");
  else
    {
      JsonObject *object = json_object_new ();

      if (gtk_switch_get_active (data->below))
        json_object_set_int_member (object, "below_points",
                                    gtk_spin_button_get_value_as_int (data->below_points));
      else
        json_object_set_null_member (object, "below_points");
      json_object_set_boolean_member (object, "missed_required_task",
                                      gtk_switch_get_active (data->missed));
      json_object_set_object_member (rules, "elimination", object);
    }
  json_object_set_object_member (body, "rules", rules);
  request (self, TTO_FRAME_FLOW_RULES, body);
}

static void
edit_rules_action (GtkWidget *widget,
                   const char *action_name,
                   GVariant *parameter)
{
  TtoFlowPage *self = TTO_FLOW_PAGE (widget);
  RulesData *data = g_new0 (RulesData, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *list = boxed_list ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *approvers;
  const char *mode = tto_flow_get_approval_mode (self->flow);
  g_auto (GStrv) named_ids = tto_flow_dup_approval_members (self->flow);
  g_autoptr (GtkStringList) modes = gtk_string_list_new ((const char *[]){
    _("None: changes apply at once"), _("Named members"), _("A majority of members"), NULL });
  gboolean has_below = FALSE, missed = FALSE;
  gint64 below = 0;

  data->approvers = g_ptr_array_new ();
  tto_flow_get_elimination (self->flow, &has_below, &below, &missed);

  gtk_box_append (GTK_BOX (box), heading_label (_("Points")));
  gtk_list_box_append (GTK_LIST_BOX (list),
                       switch_row (_("Keep points"), _("Editors award and deduct points"),
                                   tto_flow_get_points_enabled (self->flow), &data->points));
  named (data->points, "rules-points");
  gtk_box_append (GTK_BOX (box), list);

  gtk_box_append (GTK_BOX (box), heading_label (_("Approval of stage changes")));
  list = boxed_list ();
  data->approval = ADW_COMBO_ROW (named (adw_combo_row_new (), "rules-approval"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (data->approval), _("Who approves"));
  adw_combo_row_set_use_subtitle (data->approval, TRUE);
  adw_combo_row_set_model (data->approval, G_LIST_MODEL (modes));
  adw_combo_row_set_selected (data->approval, g_strcmp0 (mode, "members") == 0    ? 1
                                              : g_strcmp0 (mode, "majority") == 0 ? 2
                                                                                  : 0);
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (data->approval));
  data->count_row = spin_row (_("Approvals needed"), 1, 100,
                              MAX (1, tto_flow_get_approval_count (self->flow)), &data->count);
  named (data->count, "rules-count");
  gtk_list_box_append (GTK_LIST_BOX (list), data->count_row);
  gtk_box_append (GTK_BOX (box), list);

  data->approvers_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  gtk_box_append (GTK_BOX (data->approvers_box), heading_label (_("Named approvers")));
  approvers = named (member_checks (self, (const char *const *) named_ids, data->approvers),
                     "rules-approvers");
  gtk_accessible_update_property (GTK_ACCESSIBLE (approvers), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Named approvers"), -1);
  gtk_box_append (GTK_BOX (data->approvers_box), approvers);
  gtk_box_append (GTK_BOX (box), data->approvers_box);

  gtk_box_append (GTK_BOX (box), heading_label (_("Elimination at a stage change")));
  list = boxed_list ();
  gtk_list_box_append (GTK_LIST_BOX (list),
                       switch_row (_("Eliminate below a points total"), NULL, has_below,
                                   &data->below));
  named (data->below, "rules-below");
  data->below_points_row = spin_row (_("Points threshold"), -100000, 100000, below,
                                     &data->below_points);
  named (data->below_points, "rules-below-points");
  gtk_list_box_append (GTK_LIST_BOX (list), data->below_points_row);
  gtk_list_box_append (GTK_LIST_BOX (list),
                       switch_row (_("Eliminate for a missed required task"), NULL, missed,
                                   &data->missed));
  named (data->missed, "rules-missed");
  gtk_box_append (GTK_BOX (box), list);
  {
    GtkWidget *note = gtk_label_new (_("Eliminated members can still read but no longer send. The creator is never eliminated."));

    gtk_label_set_xalign (GTK_LABEL (note), 0);
    gtk_label_set_wrap (GTK_LABEL (note), TRUE);
    gtk_widget_add_css_class (note, "dim-label");
    gtk_widget_add_css_class (note, "caption");
    gtk_box_append (GTK_BOX (box), note);
  }

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), box);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 440);
  data->dialog = new_dialog (self, _("Rules"),
                             _("Everyone sees the rules; a change is announced in the chat."),
                             _("_Save"), scrolled, on_rules_ok, data,
                             (GDestroyNotify) rules_data_free);
  for (guint i = 0; i < data->approvers->len; i++)
    g_signal_connect_swapped (g_ptr_array_index (data->approvers, i), "toggled",
                              G_CALLBACK (update_rules_dialog), data);
  g_signal_connect_swapped (data->approval, "notify::selected", G_CALLBACK (update_rules_dialog),
                            data);
  g_signal_connect_swapped (data->below, "notify::active", G_CALLBACK (update_rules_dialog), data);
  update_rules_dialog (data);
  /* The range follows the approvers; keep the count the rules had. */
  gtk_spin_button_set_value (data->count, MAX (1, tto_flow_get_approval_count (self->flow)));
}

/* Add task, with the text form's field designer */

typedef struct
{
  TtoFlowPage *self;
  AdwMessageDialog *dialog;
  AdwEntryRow *title;
  AdwComboRow *stage;
  GPtrArray *stage_ids;
  AdwComboRow *form;
  GtkSwitch *required;
  GtkBox *fields_box;
  GtkListBox *fields;
  GtkBox *call_box;
  GPtrArray *participants;
  GtkSpinButton *minutes;
  AdwComboRow *meeting;
  GPtrArray *meeting_ids;
} TaskData;

static const char *forms[] = {
  TTO_TASK_FORM_TEXT_FORM, TTO_TASK_FORM_FILE,       TTO_TASK_FORM_VOICE_MESSAGE,
  TTO_TASK_FORM_VIDEO_MESSAGE, TTO_TASK_FORM_VIDEO_CALL, TTO_TASK_FORM_OFFLINE_MEETING,
};
static const char *field_types[] = { TTO_FIELD_TEXT, TTO_FIELD_NUMBER, TTO_FIELD_CHOICE,
                                     TTO_FIELD_DATE };

static void
task_data_free (TaskData *data)
{
  g_ptr_array_unref (data->stage_ids);
  g_ptr_array_unref (data->participants);
  g_ptr_array_unref (data->meeting_ids);
  g_free (data);
}

static const char *
task_form (TaskData *data)
{
  return forms[MIN (adw_combo_row_get_selected (data->form), G_N_ELEMENTS (forms) - 1)];
}

static gboolean
task_valid (TaskData *data)
{
  g_autofree char *title = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (data->title))));
  const char *form = task_form (data);

  if (*title == '\0' || data->stage_ids->len == 0)
    return FALSE;
  if (g_str_equal (form, TTO_TASK_FORM_TEXT_FORM))
    {
      g_autoptr (GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      guint n = 0;

      for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (data->fields)); row != NULL;
           row = gtk_widget_get_next_sibling (row), n++)
        {
          GtkEditable *name = g_object_get_data (G_OBJECT (row), "tto-name");
          GtkDropDown *type = g_object_get_data (G_OBJECT (row), "tto-type");
          GtkEditable *choices = g_object_get_data (G_OBJECT (row), "tto-choices");
          char *stripped = g_strstrip (g_strdup (gtk_editable_get_text (name)));

          if (*stripped == '\0' || !g_hash_table_add (names, stripped))
            return FALSE; /* names must be there and differ */
          if (gtk_drop_down_get_selected (type) == 2)
            {
              g_auto (GStrv) list = g_strsplit (gtk_editable_get_text (choices), ",", -1);
              guint k = 0;

              for (guint i = 0; list[i] != NULL; i++)
                k += *g_strstrip (list[i]) != '\0';
              if (k == 0)
                return FALSE;
            }
        }
      return n > 0;
    }
  if (g_str_equal (form, TTO_TASK_FORM_VIDEO_CALL))
    {
      g_autoptr (JsonArray) ids = checked_ids (data->participants);

      return json_array_get_length (ids) > 0;
    }
  if (g_str_equal (form, TTO_TASK_FORM_OFFLINE_MEETING))
    return data->meeting_ids->len > 0;
  return TRUE;
}

static void
update_task_dialog (TaskData *data)
{
  const char *form = task_form (data);

  gtk_widget_set_visible (GTK_WIDGET (data->fields_box),
                          g_str_equal (form, TTO_TASK_FORM_TEXT_FORM));
  gtk_widget_set_visible (GTK_WIDGET (data->call_box), g_str_equal (form, TTO_TASK_FORM_VIDEO_CALL));
  gtk_widget_set_visible (GTK_WIDGET (data->meeting),
                          g_str_equal (form, TTO_TASK_FORM_OFFLINE_MEETING));
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (data->fields)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkDropDown *type = g_object_get_data (G_OBJECT (row), "tto-type");
      GtkWidget *choices = g_object_get_data (G_OBJECT (row), "tto-choices");

      gtk_widget_set_visible (choices, gtk_drop_down_get_selected (type) == 2);
    }
  adw_message_dialog_set_response_enabled (data->dialog, "ok", task_valid (data));
}

static void
on_remove_field_clicked (GtkButton *button,
                         TaskData *data)
{
  gtk_list_box_remove (data->fields, g_object_get_data (G_OBJECT (button), "tto-row"));
  update_task_dialog (data);
}

static void
on_add_field_clicked (TaskData *data)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *name = named (gtk_entry_new (), "field-name");
  g_autoptr (GtkStringList) types = gtk_string_list_new ((const char *[]){
    _("Text"), _("Number"), _("Choice"), _("Date"), NULL });
  GtkWidget *type = named (gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&types)), NULL),
                           "field-type");
  GtkWidget *choices = named (gtk_entry_new (), "field-choices");
  GtkWidget *remove = named (gtk_button_new_from_icon_name ("user-trash-symbolic"), "remove-field");

  gtk_entry_set_placeholder_text (GTK_ENTRY (name), _("Field name"));
  gtk_entry_set_max_length (GTK_ENTRY (name), 64);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (name), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Field name"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (type), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Field type"), -1);
  gtk_entry_set_placeholder_text (GTK_ENTRY (choices), _("Choices, separated by commas"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (choices), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Choices, separated by commas"), -1);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _("Remove Field"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Remove field"), -1);
  g_object_set_data (G_OBJECT (remove), "tto-row", row);
  g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_field_clicked), data);
  g_signal_connect_swapped (name, "changed", G_CALLBACK (update_task_dialog), data);
  g_signal_connect_swapped (choices, "changed", G_CALLBACK (update_task_dialog), data);
  g_signal_connect_swapped (type, "notify::selected", G_CALLBACK (update_task_dialog), data);

  gtk_box_append (GTK_BOX (line), name);
  gtk_box_append (GTK_BOX (line), type);
  gtk_box_append (GTK_BOX (line), remove);
  gtk_box_append (GTK_BOX (box), line);
  gtk_box_append (GTK_BOX (box), choices);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  g_object_set_data (G_OBJECT (row), "tto-name", name);
  g_object_set_data (G_OBJECT (row), "tto-type", type);
  g_object_set_data (G_OBJECT (row), "tto-choices", choices);
  gtk_list_box_append (data->fields, row);
  update_task_dialog (data);
}

static void
on_task_ok (TtoFlowPage *self,
            gpointer user_data)
{
  TaskData *data = user_data;
  JsonObject *body = json_object_new ();
  const char *form = task_form (data);
  g_autofree char *title = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (data->title))));

  json_object_set_string_member (body, "stage_id",
                                 g_ptr_array_index (data->stage_ids,
                                                    MIN (adw_combo_row_get_selected (data->stage),
                                                         data->stage_ids->len - 1)));
  json_object_set_string_member (body, "title", title);
  json_object_set_string_member (body, "form", form);
  json_object_set_boolean_member (body, "required", gtk_switch_get_active (data->required));
  if (g_str_equal (form, TTO_TASK_FORM_TEXT_FORM))
    {
      JsonArray *fields = json_array_new ();

      for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (data->fields)); row != NULL;
           row = gtk_widget_get_next_sibling (row))
        {
          JsonObject *field = json_object_new ();
          GtkEditable *name = g_object_get_data (G_OBJECT (row), "tto-name");
          GtkDropDown *type = g_object_get_data (G_OBJECT (row), "tto-type");
          GtkEditable *choices = g_object_get_data (G_OBJECT (row), "tto-choices");
          guint t = MIN (gtk_drop_down_get_selected (type), G_N_ELEMENTS (field_types) - 1);
          g_autofree char *stripped = g_strstrip (g_strdup (gtk_editable_get_text (name)));

          json_object_set_string_member (field, "name", stripped);
          json_object_set_string_member (field, "type", field_types[t]);
          if (t == 2)
            {
              g_auto (GStrv) list = g_strsplit (gtk_editable_get_text (choices), ",", -1);
              JsonArray *array = json_array_new ();

              for (guint i = 0; list[i] != NULL; i++)
                if (*g_strstrip (list[i]) != '\0')
                  json_array_add_string_element (array, list[i]);
              json_object_set_array_member (field, "choices", array);
            }
          json_array_add_object_element (fields, field);
        }
      json_object_set_array_member (body, "fields", fields);
    }
  else if (g_str_equal (form, TTO_TASK_FORM_VIDEO_CALL))
    {
      JsonObject *call = json_object_new ();

      json_object_set_array_member (call, "participants", checked_ids (data->participants));
      json_object_set_int_member (call, "min_seconds",
                                  gtk_spin_button_get_value_as_int (data->minutes) * 60);
      json_object_set_object_member (body, "call", call);
    }
  else if (g_str_equal (form, TTO_TASK_FORM_OFFLINE_MEETING))
    json_object_set_string_member (body, "meeting_id",
                                   g_ptr_array_index (data->meeting_ids,
                                                      MIN (adw_combo_row_get_selected (data->meeting),
                                                           data->meeting_ids->len - 1)));
  request (self, TTO_FRAME_TASK_ADD, body);
}

static void
add_task_action (GtkWidget *widget,
                 const char *action_name,
                 GVariant *parameter)
{
  TtoFlowPage *self = TTO_FLOW_PAGE (widget);
  TaskData *data = g_new0 (TaskData, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *list = boxed_list ();
  GtkWidget *add_field = named (gtk_button_new_with_mnemonic (_("Add _Field")), "add-field");
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  g_autoptr (GtkStringList) stage_names = gtk_string_list_new (NULL);
  g_autoptr (GtkStringList) form_names = gtk_string_list_new (NULL);
  g_autoptr (GtkStringList) meeting_names = gtk_string_list_new (NULL);
  GListModel *meetings = tto_flow_get_meetings (self->flow);
  guint n = tto_flow_get_n_stages (self->flow);

  data->self = self;
  data->stage_ids = g_ptr_array_new_with_free_func (g_free);
  data->participants = g_ptr_array_new ();
  data->meeting_ids = g_ptr_array_new_with_free_func (g_free);

  data->title = ADW_ENTRY_ROW (named (adw_entry_row_new (), "task-title"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (data->title), _("Task title"));
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (data->title));
  for (guint i = tto_flow_get_current (self->flow); i < n; i++)
    {
      TtoFlowStage *stage = tto_flow_get_stage (self->flow, i);

      gtk_string_list_append (stage_names, tto_flow_stage_get_display_title (stage));
      g_ptr_array_add (data->stage_ids, g_strdup (tto_flow_stage_get_id (stage)));
    }
  data->stage = ADW_COMBO_ROW (named (adw_combo_row_new (), "task-stage"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (data->stage), _("Stage"));
  adw_combo_row_set_model (data->stage, G_LIST_MODEL (stage_names));
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (data->stage));
  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    gtk_string_list_append (form_names, tto_flow_task_form_name (forms[i]));
  data->form = ADW_COMBO_ROW (named (adw_combo_row_new (), "task-form"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (data->form), _("Completed as"));
  adw_combo_row_set_model (data->form, G_LIST_MODEL (form_names));
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (data->form));
  gtk_list_box_append (GTK_LIST_BOX (list),
                       switch_row (_("Required"), _("Missing it can eliminate a member"), FALSE,
                                   &data->required));
  named (data->required, "task-required");
  for (guint i = 0; i < g_list_model_get_n_items (meetings); i++)
    {
      g_autoptr (TtoFlowMeeting) meeting = g_list_model_get_item (meetings, i);

      gtk_string_list_append (meeting_names, tto_flow_meeting_get_title (meeting));
      g_ptr_array_add (data->meeting_ids, g_strdup (tto_flow_meeting_get_id (meeting)));
    }
  data->meeting = ADW_COMBO_ROW (named (adw_combo_row_new (), "task-meeting"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (data->meeting), _("Meeting"));
  if (data->meeting_ids->len == 0)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (data->meeting), _("Add a meeting first"));
  adw_combo_row_set_model (data->meeting, G_LIST_MODEL (meeting_names));
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (data->meeting));
  gtk_box_append (GTK_BOX (box), list);

  /* Text form: the fields members fill in. */
  data->fields_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 8));
  gtk_box_append (data->fields_box, heading_label (_("Form fields")));
  data->fields = GTK_LIST_BOX (named (boxed_list (), "task-fields"));
  gtk_box_append (data->fields_box, GTK_WIDGET (data->fields));
  gtk_widget_set_halign (add_field, GTK_ALIGN_START);
  g_signal_connect_swapped (add_field, "clicked", G_CALLBACK (on_add_field_clicked), data);
  gtk_box_append (data->fields_box, add_field);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (data->fields_box));

  /* Video call: who must be in it together, and how long. */
  data->call_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 8));
  gtk_box_append (data->call_box, heading_label (_("Participants of the call")));
  gtk_box_append (data->call_box,
                  named (member_checks (self, NULL, data->participants), "task-participants"));
  list = boxed_list ();
  gtk_list_box_append (GTK_LIST_BOX (list),
                       spin_row (_("Minutes together at least"), 1, 1440, 10, &data->minutes));
  named (data->minutes, "task-minutes");
  gtk_box_append (data->call_box, list);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (data->call_box));
  for (guint i = 0; i < data->participants->len; i++)
    g_signal_connect_swapped (g_ptr_array_index (data->participants, i), "toggled",
                              G_CALLBACK (update_task_dialog), data);

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), box);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 440);
  data->dialog = new_dialog (self, _("Add Task"), NULL, _("_Add"), scrolled, on_task_ok, data,
                             (GDestroyNotify) task_data_free);
  g_signal_connect_swapped (data->title, "changed", G_CALLBACK (update_task_dialog), data);
  g_signal_connect_swapped (data->form, "notify::selected", G_CALLBACK (update_task_dialog), data);
  on_add_field_clicked (data);
}

/* Points */

typedef struct
{
  AdwMessageDialog *dialog;
  AdwComboRow *member;
  GPtrArray *ids;
  GtkSpinButton *delta;
  AdwEntryRow *reason;
} AwardData;

static void
award_data_free (AwardData *data)
{
  g_ptr_array_unref (data->ids);
  g_free (data);
}

/* A member, a number of points other than 0, and a short reason. */
static void
update_award_dialog (AwardData *data)
{
  gboolean long_reason = g_utf8_strlen (gtk_editable_get_text (GTK_EDITABLE (data->reason)), -1) >
                         200;

  if (long_reason)
    gtk_widget_add_css_class (GTK_WIDGET (data->reason), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (data->reason), "error");
  adw_message_dialog_set_response_enabled (data->dialog, "ok",
                                           data->ids->len > 0 && !long_reason &&
                                             gtk_spin_button_get_value_as_int (data->delta) != 0);
}

static void
on_award_ok (TtoFlowPage *self,
             gpointer user_data)
{
  AwardData *data = user_data;
  JsonObject *body = json_object_new ();
  int delta = gtk_spin_button_get_value_as_int (data->delta);
  g_autofree char *reason = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (data->reason))));

  json_object_set_string_member (body, "identity_id",
                                 g_ptr_array_index (data->ids,
                                                    MIN (adw_combo_row_get_selected (data->member),
                                                         data->ids->len - 1)));
  json_object_set_int_member (body, "delta", delta);
  json_object_set_string_member (body, "reason", reason);
  request (self, TTO_FRAME_POINTS_AWARD, body);
}

static void
award_action (GtkWidget *widget,
              const char *action_name,
              GVariant *parameter)
{
  TtoFlowPage *self = TTO_FLOW_PAGE (widget);
  AwardData *data = g_new0 (AwardData, 1);
  GtkWidget *list = boxed_list ();
  g_autoptr (GtkStringList) names = gtk_string_list_new (NULL);
  GListModel *members = tto_session_get_members (self->session, self->event);

  data->ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr (TtoMember) member = g_list_model_get_item (members, i);

      gtk_string_list_append (names, tto_member_get_display_name (member));
      g_ptr_array_add (data->ids, g_strdup (tto_member_get_identity_id (member)));
    }
  data->member = ADW_COMBO_ROW (named (adw_combo_row_new (), "award-member"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (data->member), _("Member"));
  adw_combo_row_set_model (data->member, G_LIST_MODEL (names));
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (data->member));
  gtk_list_box_append (GTK_LIST_BOX (list),
                       spin_row (_("Points (negative deducts)"), -1000, 1000, 1, &data->delta));
  named (data->delta, "award-delta");
  data->reason = ADW_ENTRY_ROW (named (adw_entry_row_new (), "award-reason"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (data->reason), _("Reason"));
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (data->reason));
  data->dialog = new_dialog (self, _("Award Points"),
                             _("Everyone in the event sees the award and its reason."), _("_Award"),
                             list, on_award_ok, data, (GDestroyNotify) award_data_free);
  g_signal_connect_swapped (data->delta, "value-changed", G_CALLBACK (update_award_dialog), data);
  g_signal_connect_swapped (data->reason, "changed", G_CALLBACK (update_award_dialog), data);
  update_award_dialog (data);
}

/* Meetings */

typedef struct
{
  AdwMessageDialog *dialog;
  AdwEntryRow *title;
  AdwEntryRow *date;
  AdwEntryRow *time;
  GtkSpinButton *minutes;
  AdwEntryRow *place;
  AdwEntryRow *lat;
  AdwEntryRow *lon;
  GtkTextView *agenda;
} MeetingData;

static gboolean
parse_coordinate (const char *text,
                  double limit,
                  double *out)
{
  char *end = NULL;

  if (text == NULL || *text == '\0')
    return FALSE;
  *out = g_ascii_strtod (text, &end);
  return end != NULL && *end == '\0' && *out >= -limit && *out <= limit;
}

/* Local date and time to seconds since the epoch; -1 if invalid. */
static gint64
parse_local_time (const char *date,
                  const char *time)
{
  int y, mo, d, h, mi;
  char end;
  g_autoptr (GDateTime) when = NULL;

  if (sscanf (date, "%4d-%2d-%2d%c", &y, &mo, &d, &end) != 3 || !g_date_valid_dmy (d, mo, y))
    return -1;
  if (sscanf (time, "%2d:%2d%c", &h, &mi, &end) != 2 || h < 0 || h > 23 || mi < 0 || mi > 59)
    return -1;
  when = g_date_time_new_local (y, mo, d, h, mi, 0);
  return when != NULL ? g_date_time_to_unix (when) : -1;
}

static void
mark_error (gpointer widget,
            gboolean error)
{
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (widget), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (widget), "error");
}

/* Checks the inputs and marks the wrong ones. */
static gboolean
meeting_valid (MeetingData *data)
{
  const char *date = gtk_editable_get_text (GTK_EDITABLE (data->date));
  const char *time = gtk_editable_get_text (GTK_EDITABLE (data->time));
  const char *lat = gtk_editable_get_text (GTK_EDITABLE (data->lat));
  const char *lon = gtk_editable_get_text (GTK_EDITABLE (data->lon));
  double value;
  g_autofree char *title = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (data->title))));
  gboolean when_ok = parse_local_time (date, time) >= 0;
  /* Both coordinates or neither. */
  gboolean lat_ok = *lat == '\0' ? *lon == '\0' : parse_coordinate (lat, 90, &value);
  gboolean lon_ok = *lon == '\0' ? *lat == '\0' : parse_coordinate (lon, 180, &value);
  gboolean place_ok = g_utf8_strlen (gtk_editable_get_text (GTK_EDITABLE (data->place)), -1) <= 200;

  mark_error (data->date, !when_ok && *date != '\0');
  mark_error (data->time, !when_ok && *time != '\0');
  mark_error (data->lat, !lat_ok);
  mark_error (data->lon, !lon_ok);
  mark_error (data->place, !place_ok);
  return *title != '\0' && g_utf8_strlen (title, -1) <= 120 && when_ok && lat_ok && lon_ok &&
         place_ok;
}

static void
update_meeting_dialog (MeetingData *data)
{
  adw_message_dialog_set_response_enabled (data->dialog, "ok", meeting_valid (data));
}

static void
on_meeting_ok (TtoFlowPage *self,
               gpointer user_data)
{
  MeetingData *data = user_data;
  JsonObject *body = json_object_new ();
  JsonObject *meeting = json_object_new ();
  gint64 starts = parse_local_time (gtk_editable_get_text (GTK_EDITABLE (data->date)),
                                    gtk_editable_get_text (GTK_EDITABLE (data->time)));
  g_autofree char *agenda = text_view_text (data->agenda);
  double lat, lon;

  json_object_set_string_member (meeting, "title", gtk_editable_get_text (GTK_EDITABLE (data->title)));
  json_object_set_int_member (meeting, "starts_at", starts);
  json_object_set_int_member (meeting, "ends_at",
                              starts + gtk_spin_button_get_value_as_int (data->minutes) * 60);
  json_object_set_string_member (meeting, "place", gtk_editable_get_text (GTK_EDITABLE (data->place)));
  if (parse_coordinate (gtk_editable_get_text (GTK_EDITABLE (data->lat)), 90, &lat) &&
      parse_coordinate (gtk_editable_get_text (GTK_EDITABLE (data->lon)), 180, &lon))
    {
      json_object_set_double_member (meeting, "lat", lat);
      json_object_set_double_member (meeting, "lon", lon);
    }
  json_object_set_string_member (meeting, "agenda", agenda);
  json_object_set_object_member (body, "meeting", meeting);
  request (self, TTO_FRAME_MEETING_SET, body);
}

static AdwEntryRow *
entry_row (GtkWidget *list,
           const char *name,
           const char *title,
           const char *text)
{
  GtkWidget *row = named (adw_entry_row_new (), name);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (text != NULL)
    gtk_editable_set_text (GTK_EDITABLE (row), text);
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  return ADW_ENTRY_ROW (row);
}

static void
add_meeting_action (GtkWidget *widget,
                    const char *action_name,
                    GVariant *parameter)
{
  TtoFlowPage *self = TTO_FLOW_PAGE (widget);
  MeetingData *data = g_new0 (MeetingData, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *list = boxed_list ();
  GtkWidget *where = boxed_list ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) tomorrow = g_date_time_add_days (now, 1);
  g_autofree char *date = g_date_time_format (tomorrow, "%Y-%m-%d");

  data->title = entry_row (list, "meeting-title", _("Title"), NULL);
  /* Translators: keep the letters YYYY-MM-DD, they show the format */
  data->date = entry_row (list, "meeting-date", _("Date (YYYY-MM-DD)"), date);
  /* Translators: keep HH:MM, it shows the format */
  data->time = entry_row (list, "meeting-time", _("Time (HH:MM)"), "10:00");
  gtk_list_box_append (GTK_LIST_BOX (list),
                       spin_row (_("Duration in minutes"), 5, 1440, 60, &data->minutes));
  named (data->minutes, "meeting-minutes");
  gtk_box_append (GTK_BOX (box), list);
  data->place = entry_row (where, "meeting-place", _("Place"), NULL);
  data->lat = entry_row (where, "meeting-lat", _("Latitude (optional)"), NULL);
  data->lon = entry_row (where, "meeting-lon", _("Longitude (optional)"), NULL);
  gtk_box_append (GTK_BOX (box), where);
  gtk_box_append (GTK_BOX (box), new_text_view (_("Agenda"), &data->agenda));
  named (data->agenda, "meeting-agenda");

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), box);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 440);
  data->dialog = new_dialog (self, _("Add Meeting"),
                             _("Members see it in the flow, can add it to their calendar and get a reminder."),
                             _("_Add"), scrolled, on_meeting_ok, data, g_free);
  {
    AdwEntryRow *rows[] = { data->title, data->date, data->time, data->place, data->lat, data->lon };

    for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
      g_signal_connect_swapped (rows[i], "changed", G_CALLBACK (update_meeting_dialog), data);
  }
  update_meeting_dialog (data);
}

typedef struct
{
  char *meeting_id;
  GPtrArray *checks;
} AttendData;

static void
attend_data_free (AttendData *data)
{
  g_free (data->meeting_id);
  g_ptr_array_unref (data->checks);
  g_free (data);
}

static void
on_attend_ok (TtoFlowPage *self,
              gpointer user_data)
{
  AttendData *data = user_data;
  TtoFlowMeeting *meeting = tto_flow_find_meeting (self->flow, data->meeting_id);
  const char *const *attended = meeting != NULL ? tto_flow_meeting_get_attended (meeting) : NULL;
  JsonArray *present = json_array_new ();
  JsonArray *absent = json_array_new ();

  for (guint i = 0; i < data->checks->len; i++)
    {
      GtkCheckButton *check = g_ptr_array_index (data->checks, i);
      const char *id = g_object_get_data (G_OBJECT (check), "tto-id");
      gboolean was = attended != NULL && g_strv_contains (attended, id);

      if (gtk_check_button_get_active (check) && !was)
        json_array_add_string_element (present, id);
      else if (!gtk_check_button_get_active (check) && was)
        json_array_add_string_element (absent, id);
    }
  for (guint k = 0; k < 2; k++)
    {
      JsonArray *ids = k == 0 ? present : absent;
      JsonObject *body;

      if (json_array_get_length (ids) == 0)
        {
          json_array_unref (ids);
          continue;
        }
      body = json_object_new ();
      json_object_set_string_member (body, "meeting_id", data->meeting_id);
      json_object_set_array_member (body, "identity_ids", ids);
      json_object_set_boolean_member (body, "attended", k == 0);
      request (self, TTO_FRAME_MEETING_ATTEND, body);
    }
}

static void
attend_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  TtoFlowPage *self = TTO_FLOW_PAGE (widget);
  TtoFlowMeeting *meeting = tto_flow_find_meeting (self->flow,
                                                   g_variant_get_string (parameter, NULL));
  AttendData *data;
  GtkWidget *list;

  if (meeting == NULL)
    return;
  data = g_new0 (AttendData, 1);
  data->meeting_id = g_strdup (tto_flow_meeting_get_id (meeting));
  data->checks = g_ptr_array_new ();
  list = named (member_checks (self, tto_flow_meeting_get_attended (meeting), data->checks),
                "attend-list");
  new_dialog (self, _("Confirm Attendance"), tto_flow_meeting_get_title (meeting), _("_Save"),
              list, on_attend_ok, data, (GDestroyNotify) attend_data_free);
}

/* Task actions */

/* Opens the sheet that completes @task_id (or says how it completes). */
GtkWindow *
tto_flow_page_open_task (TtoFlowPage *self,
                         const char *task_id)
{
  TtoFlowTask *task;
  TtoFlowTaskSheet *sheet;

  g_return_val_if_fail (TTO_IS_FLOW_PAGE (self), NULL);

  task = self->flow != NULL ? tto_flow_find_task (self->flow, task_id, NULL) : NULL;
  if (task == NULL)
    return NULL;
  sheet = tto_flow_task_sheet_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   self->session, self->event, task);
  gtk_window_present (GTK_WINDOW (sheet));
  return GTK_WINDOW (sheet);
}

static void
open_task_action (GtkWidget *widget,
                  const char *action_name,
                  GVariant *parameter)
{
  tto_flow_page_open_task (TTO_FLOW_PAGE (widget), g_variant_get_string (parameter, NULL));
}

static void
mark_task_action (GtkWidget *widget,
                  const char *action_name,
                  GVariant *parameter)
{
  const char *task_id, *status;
  JsonObject *body = json_object_new ();

  g_variant_get (parameter, "(&s&s)", &task_id, &status);
  json_object_set_string_member (body, "task_id", task_id);
  json_object_set_string_member (body, "status", status);
  request (TTO_FLOW_PAGE (widget), TTO_FRAME_TASK_MARK, body);
}

static void
remove_task_action (GtkWidget *widget,
                    const char *action_name,
                    GVariant *parameter)
{
  JsonObject *body = json_object_new ();

  json_object_set_string_member (body, "task_id", g_variant_get_string (parameter, NULL));
  request (TTO_FLOW_PAGE (widget), TTO_FRAME_TASK_REMOVE, body);
}

/* Export: stage report and calendar files */

static GHashTable *
member_names (TtoFlowPage *self)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GListModel *members = tto_session_get_members (self->session, self->event);

  for (guint i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr (TtoMember) member = g_list_model_get_item (members, i);

      g_hash_table_insert (names, g_strdup (tto_member_get_identity_id (member)),
                           g_strdup (tto_member_get_display_name (member)));
    }
  return names;
}

gboolean
tto_flow_page_export_report (TtoFlowPage *self,
                             GFile *file,
                             gboolean pdf,
                             GError **error)
{
  g_autoptr (GHashTable) names = NULL;
  g_autofree char *path = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_return_val_if_fail (TTO_IS_FLOW_PAGE (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  names = member_names (self);
  if (pdf)
    {
      path = g_file_get_path (file);
      if (path == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("The report can only be saved to a local file."));
          return FALSE;
        }
      return tto_flow_report_write_pdf (self->flow, tto_event_get_title (self->event), names, now,
                                        path, error);
    }
  {
    g_autofree char *text = tto_flow_report_markdown (self->flow, tto_event_get_title (self->event),
                                                      names, now);

    return g_file_replace_contents (file, text, strlen (text), NULL, FALSE,
                                    G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, error);
  }
}

gboolean
tto_flow_page_export_meeting (TtoFlowPage *self,
                              const char *meeting_id,
                              GFile *file,
                              GError **error)
{
  TtoFlowMeeting *meeting;
  g_autofree char *text = NULL;

  g_return_val_if_fail (TTO_IS_FLOW_PAGE (self), FALSE);

  meeting = tto_flow_find_meeting (self->flow, meeting_id);
  if (meeting == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("The meeting was removed."));
      return FALSE;
    }
  text = tto_flow_meeting_to_ics (meeting, tto_event_get_title (self->event),
                                  g_get_real_time () / G_USEC_PER_SEC);
  return g_file_replace_contents (file, text, strlen (text), NULL, FALSE,
                                  G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, error);
}

static void
on_save_response (GtkNativeDialog *dialog,
                  int response,
                  TtoFlowPage *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) file = NULL;
  const char *kind = g_object_get_data (G_OBJECT (dialog), "tto-kind");
  gboolean ok;

  if (response != GTK_RESPONSE_ACCEPT)
    {
      g_clear_object (&self->chooser);
      return;
    }
  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  if (g_str_equal (kind, "ics"))
    ok = tto_flow_page_export_meeting (self, g_object_get_data (G_OBJECT (dialog), "tto-meeting"),
                                       file, &error);
  else
    ok = tto_flow_page_export_report (self, file, g_str_equal (kind, "pdf"), &error);
  if (ok)
    tto_flow_page_show_toast (self, _("Saved"));
  else
    toast_error (self, error);
  g_clear_object (&self->chooser);
}

static void
save_as (TtoFlowPage *self,
         const char *kind,
         const char *name,
         const char *meeting_id)
{
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Save"), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"),
                                               _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_object_set_data_full (G_OBJECT (self->chooser), "tto-kind", g_strdup (kind), g_free);
  g_object_set_data_full (G_OBJECT (self->chooser), "tto-meeting", g_strdup (meeting_id), g_free);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
export_pdf_action (GtkWidget *widget,
                   const char *action_name,
                   GVariant *parameter)
{
  /* Translators: the suggested file name of the PDF report */
  save_as (TTO_FLOW_PAGE (widget), "pdf", _("flow-report.pdf"), NULL);
}

static void
export_markdown_action (GtkWidget *widget,
                        const char *action_name,
                        GVariant *parameter)
{
  save_as (TTO_FLOW_PAGE (widget), "md", _("flow-report.md"), NULL);
}

static void
export_ics_action (GtkWidget *widget,
                   const char *action_name,
                   GVariant *parameter)
{
  save_as (TTO_FLOW_PAGE (widget), "ics", _("meeting.ics"), g_variant_get_string (parameter, NULL));
}

/* GObject */

static void
tto_flow_page_dispose (GObject *object)
{
  TtoFlowPage *self = TTO_FLOW_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->dialog != NULL)
    gtk_window_destroy (self->dialog);
  g_clear_weak_pointer (&self->dialog);
  tto_flow_page_set_event (self, NULL);
  g_clear_object (&self->session);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  /* The switchers let go of the stack before it goes. */
  if (self->switcher_title != NULL)
    adw_view_switcher_title_set_stack (self->switcher_title, NULL);
  if (self->switcher_bar != NULL)
    adw_view_switcher_bar_set_stack (self->switcher_bar, NULL);
  /* Its pages drop their children before the template disposes them. */
  if (self->view_stack != NULL)
    {
      GtkWidget *child;

      while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->view_stack))) != NULL)
        adw_view_stack_remove (self->view_stack, child);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_FLOW_PAGE);

  G_OBJECT_CLASS (tto_flow_page_parent_class)->dispose (object);
}

static void
tto_flow_page_finalize (GObject *object)
{
  TtoFlowPage *self = TTO_FLOW_PAGE (object);

  g_clear_object (&self->cancellable);
  g_free (self->last_toast);
  G_OBJECT_CLASS (tto_flow_page_parent_class)->finalize (object);
}

static void
tto_flow_page_class_init (TtoFlowPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_flow_page_dispose;
  object_class->finalize = tto_flow_page_finalize;

  g_type_ensure (TTO_TYPE_FLOW_CHART);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-flow-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, report_button);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, stage_label);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, previous_label);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, conclusion_label);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, pending_box);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, pending_label);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, approve_button);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, cancel_pending_button);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, chart);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, progress_label);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, stage_bar);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, tasks_label);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, tasks_bar);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, table);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, editor_group);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, next_button);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, back_stage_button);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, award_button);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, tasks_group);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, tasks_list);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, points_group);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, points_list);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, meetings_group);
  gtk_widget_class_bind_template_child (widget_class, TtoFlowPage, meetings_list);

  gtk_widget_class_install_action (widget_class, "flow.advance", "s", advance_action);
  gtk_widget_class_install_action (widget_class, "flow.approve", NULL, approve_action);
  gtk_widget_class_install_action (widget_class, "flow.cancel-pending", NULL,
                                   cancel_pending_action);
  gtk_widget_class_install_action (widget_class, "flow.edit-stages", NULL, edit_stages_action);
  gtk_widget_class_install_action (widget_class, "flow.edit-rules", NULL, edit_rules_action);
  gtk_widget_class_install_action (widget_class, "flow.add-task", NULL, add_task_action);
  gtk_widget_class_install_action (widget_class, "flow.award", NULL, award_action);
  gtk_widget_class_install_action (widget_class, "flow.add-meeting", NULL, add_meeting_action);
  gtk_widget_class_install_action (widget_class, "flow.attend", "s", attend_action);
  gtk_widget_class_install_action (widget_class, "flow.open-task", "s", open_task_action);
  gtk_widget_class_install_action (widget_class, "flow.mark-task", "(ss)", mark_task_action);
  gtk_widget_class_install_action (widget_class, "flow.remove-task", "s", remove_task_action);
  gtk_widget_class_install_action (widget_class, "flow.export-pdf", NULL, export_pdf_action);
  gtk_widget_class_install_action (widget_class, "flow.export-markdown", NULL,
                                   export_markdown_action);
  gtk_widget_class_install_action (widget_class, "flow.export-ics", "s", export_ics_action);
}

static void
tto_flow_page_init (TtoFlowPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The bin's own child: not a bound template child, which AdwBin would
   * unparent again after the template let go of it. */
  self->toast_overlay = ADW_TOAST_OVERLAY (adw_bin_get_child (ADW_BIN (self)));
  self->cancellable = g_cancellable_new ();
  setup_table (self);
}

GtkWidget *
tto_flow_page_new (void)
{
  return g_object_new (TTO_TYPE_FLOW_PAGE, NULL);
}

void
tto_flow_page_set_session (TtoFlowPage *self,
                           TtoSession *session)
{
  g_return_if_fail (TTO_IS_FLOW_PAGE (self));

  if (self->session == session)
    return;
  tto_flow_page_set_event (self, NULL);
  g_set_object (&self->session, session);
}

static void
on_members_changed (TtoSession *session,
                    TtoEvent *event,
                    TtoFlowPage *self)
{
  if (event == self->event)
    update (self);
}

void
tto_flow_page_set_event (TtoFlowPage *self,
                         TtoEvent *event)
{
  g_return_if_fail (TTO_IS_FLOW_PAGE (self));

  if (self->event == event)
    return;
  if (self->flow != NULL)
    g_signal_handlers_disconnect_by_data (self->flow, self);
  if (self->event != NULL)
    g_signal_handlers_disconnect_by_data (self->event, self);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_func (self->session, on_members_changed, self);
  g_clear_object (&self->flow);
  g_set_object (&self->event, event);
  self->tasks_stage = NULL;
  gtk_list_box_bind_model (self->tasks_list, NULL, NULL, NULL, NULL);

  if (event != NULL && self->session != NULL)
    {
      g_autoptr (GtkNoSelection) selection = NULL;

      self->flow = g_object_ref (tto_session_get_flow (self->session, tto_event_get_id (event)));
      g_signal_connect_swapped (self->flow, "changed", G_CALLBACK (update), self);
      g_signal_connect_swapped (event, "notify::role", G_CALLBACK (update), self);
      g_signal_connect_swapped (event, "notify::ended", G_CALLBACK (update), self);
      g_signal_connect (self->session, "members-changed", G_CALLBACK (on_members_changed), self);
      selection = gtk_no_selection_new (g_object_ref (tto_flow_get_stages (self->flow)));
      gtk_column_view_set_model (self->table, GTK_SELECTION_MODEL (selection));
      tto_flow_chart_set_flow (self->chart, self->flow);
      if (!tto_flow_get_loaded (self->flow))
        tto_session_load_flow (self->session, event);
      update (self);
    }
  else
    {
      gtk_column_view_set_model (self->table, NULL);
      tto_flow_chart_set_flow (self->chart, NULL);
    }
}

TtoEvent *
tto_flow_page_get_event (TtoFlowPage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_PAGE (self), NULL);
  return self->event;
}

/* The back button (to the chat) on a phone, where the page replaces it. */
void
tto_flow_page_set_show_back (TtoFlowPage *self,
                             gboolean show_back)
{
  g_return_if_fail (TTO_IS_FLOW_PAGE (self));
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), show_back);
}

/* "chart", "progress" or "table" */
void
tto_flow_page_set_view (TtoFlowPage *self,
                        const char *name)
{
  g_return_if_fail (TTO_IS_FLOW_PAGE (self));
  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

TtoFlowChart *
tto_flow_page_get_chart (TtoFlowPage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_PAGE (self), NULL);
  return self->chart;
}

GtkColumnView *
tto_flow_page_get_table (TtoFlowPage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_PAGE (self), NULL);
  return self->table;
}

GtkProgressBar *
tto_flow_page_get_stage_bar (TtoFlowPage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_PAGE (self), NULL);
  return self->stage_bar;
}

GtkProgressBar *
tto_flow_page_get_tasks_bar (TtoFlowPage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_PAGE (self), NULL);
  return self->tasks_bar;
}

const char *
tto_flow_page_get_progress_text (TtoFlowPage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_PAGE (self), NULL);
  return gtk_label_get_label (self->progress_label);
}

const char *
tto_flow_page_get_tasks_text (TtoFlowPage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_PAGE (self), NULL);
  return gtk_label_get_label (self->tasks_label);
}

const char *
tto_flow_page_get_previous_text (TtoFlowPage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_PAGE (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->previous_label))
           ? gtk_label_get_label (self->previous_label)
           : NULL;
}

GtkListBox *
tto_flow_page_get_tasks_list (TtoFlowPage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_PAGE (self), NULL);
  return self->tasks_list;
}

const char *
tto_flow_page_get_last_toast (TtoFlowPage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_PAGE (self), NULL);
  return self->last_toast;
}

/* The editor dialog open now, or NULL (tests drive it). */
GtkWindow *
tto_flow_page_get_dialog (TtoFlowPage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_PAGE (self), NULL);
  return self->dialog;
}

/* Whether requests sent from the page wait for the relay's answer. */
gboolean
tto_flow_page_get_busy (TtoFlowPage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_PAGE (self), FALSE);
  return self->n_requests > 0;
}

/* The pending stage change as shown, or NULL while none is. */
const char *
tto_flow_page_get_pending_text (TtoFlowPage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_PAGE (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->pending_box))
           ? gtk_label_get_label (self->pending_label)
           : NULL;
}

GtkButton *
tto_flow_page_get_approve_button (TtoFlowPage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_PAGE (self), NULL);
  return self->approve_button;
}

GtkListBox *
tto_flow_page_get_points_list (TtoFlowPage *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_PAGE (self), NULL);
  return self->points_list;
}
