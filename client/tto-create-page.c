/* tto-create-page.c: the form that creates an event
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gi18n.h>

#include "tto-admission.h"
#include "tto-client.h"
#include "tto-invite-card.h"

#include "tto-create-page.h"

struct _TtoCreatePage
{
  AdwBin parent_instance;

  AdwHeaderBar *header_bar;
  GtkStack *stack;
  AdwEntryRow *title_row;
  GtkTextView *content_view;
  AdwEntryRow *announcement_row;
  GtkSwitch *deadline_switch;
  AdwActionRow *date_row;
  AdwActionRow *time_row;
  GtkMenuButton *date_button;
  GtkCalendar *calendar;
  GtkSpinButton *hour_spin;
  GtkSpinButton *minute_spin;
  AdwExpanderRow *advanced_row;
  AdwComboRow *edit_window_row;
  AdwComboRow *recall_window_row;
  GtkLabel *error_label;
  GtkSpinner *spinner;
  TtoInviteCard *invite_card;
  AdwComboRow *admission_row;
  AdwActionRow *third_party_row;
  GtkSwitch *third_party_switch;
  GtkSwitch *id_rule_switch;
  GtkSwitch *phone_rule_switch;

  TtoSession *session;
  TtoEvent *created_event;
  GCancellable *cancellable;
  gboolean folded;
};

G_DEFINE_FINAL_TYPE (TtoCreatePage, tto_create_page, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_FOLDED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
show_error (TtoCreatePage *self,
            const char *message)
{
  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_busy (TtoCreatePage *self,
          gboolean busy)
{
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "create.submit", !busy);
}

static void
on_title_changed (TtoCreatePage *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->title_row), "error");
  show_error (self, NULL);
}

static void
update_date_label (TtoCreatePage *self)
{
  g_autoptr (GDateTime) date = gtk_calendar_get_date (self->calendar);
  /* Translators: a date as shown on the deadline button, see strftime(3) */
  g_autofree char *label = g_date_time_format (date, _("%a %e %b %Y"));

  gtk_menu_button_set_label (self->date_button, label);
}

static void
on_calendar_day_selected (TtoCreatePage *self)
{
  update_date_label (self);
  show_error (self, NULL);
}

static void
on_deadline_switch_changed (TtoCreatePage *self)
{
  gboolean active = gtk_switch_get_active (self->deadline_switch);

  gtk_widget_set_visible (GTK_WIDGET (self->date_row), active);
  gtk_widget_set_visible (GTK_WIDGET (self->time_row), active);
  show_error (self, NULL);
}

static gboolean
on_spin_output (GtkSpinButton *spin,
                gpointer user_data)
{
  g_autofree char *text = g_strdup_printf ("%02d", gtk_spin_button_get_value_as_int (spin));

  gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static gint64
get_deadline (TtoCreatePage *self)
{
  g_autoptr (GDateTime) date = NULL;
  g_autoptr (GDateTime) deadline = NULL;

  if (!gtk_switch_get_active (self->deadline_switch))
    return 0;

  date = gtk_calendar_get_date (self->calendar);
  deadline = g_date_time_new_local (g_date_time_get_year (date), g_date_time_get_month (date),
                                    g_date_time_get_day_of_month (date),
                                    gtk_spin_button_get_value_as_int (self->hour_spin),
                                    gtk_spin_button_get_value_as_int (self->minute_spin), 0);
  return deadline != NULL ? g_date_time_to_unix (deadline) : 0;
}

static char *
get_content (TtoCreatePage *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->content_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
}

static void
on_create_ready (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (TtoCreatePage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoEvent) event = NULL;

  event = tto_session_create_event_finish (TTO_SESSION (object), result, &error);
  if (event == NULL)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      text = tto_client_describe_error (error);
      show_error (self, text);
      if (g_error_matches (error, TTO_SESSION_ERROR, TTO_SESSION_ERROR_EMPTY_TITLE) ||
          g_error_matches (error, TTO_SESSION_ERROR, TTO_SESSION_ERROR_TITLE_TOO_LONG))
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->title_row), "error");
          gtk_widget_grab_focus (GTK_WIDGET (self->title_row));
        }
      return;
    }

  set_busy (self, FALSE);
  g_set_object (&self->created_event, event);
  tto_invite_card_set_event (self->invite_card, self->session, event);
  adw_window_title_set_title (ADW_WINDOW_TITLE (adw_header_bar_get_title_widget (self->header_bar)),
                              tto_event_get_title (event));
  gtk_stack_set_visible_child_name (self->stack, "done");
}

static void
submit_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  TtoCreatePage *self = TTO_CREATE_PAGE (widget);
  g_autofree char *content = NULL;
  g_autofree char *announcement = NULL;
  g_autoptr (JsonObject) settings = NULL;
  JsonObject *rules;
  const char *title;

  if (self->session == NULL)
    return;

  title = gtk_editable_get_text (GTK_EDITABLE (self->title_row));
  content = get_content (self);
  announcement = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->announcement_row))));

  show_error (self, NULL);
  set_busy (self, TRUE);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  settings = json_object_new ();
  json_object_set_string_member (settings, "admission", tto_admission_get_row (self->admission_row));
  rules = json_object_new ();
  json_object_set_boolean_member (rules, TTO_RULE_AUTO_APPROVE_THIRD_PARTY,
                                  gtk_switch_get_active (self->third_party_switch));
  json_object_set_boolean_member (rules, TTO_RULE_REQUIRE_ID_VERIFIED,
                                  gtk_switch_get_active (self->id_rule_switch));
  json_object_set_boolean_member (rules, TTO_RULE_REQUIRE_PHONE_VERIFIED,
                                  gtk_switch_get_active (self->phone_rule_switch));
  json_object_set_object_member (settings, "rules", rules);
  tto_session_create_event_with_settings_async (
    self->session, title, content, announcement, get_deadline (self),
    (int) tto_client_get_window_row_seconds (self->edit_window_row),
    (int) tto_client_get_window_row_seconds (self->recall_window_row), settings,
    self->cancellable, on_create_ready, g_object_ref (self));
}

static void
open_chat_action (GtkWidget *widget,
                  const char *action_name,
                  GVariant *parameter)
{
  TtoCreatePage *self = TTO_CREATE_PAGE (widget);

  if (self->created_event != NULL)
    gtk_widget_activate_action (widget, "win.open-event", "s",
                                tto_event_get_id (self->created_event));
}

static void
tto_create_page_dispose (GObject *object)
{
  TtoCreatePage *self = (TtoCreatePage *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->created_event);
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_CREATE_PAGE);

  G_OBJECT_CLASS (tto_create_page_parent_class)->dispose (object);
}

static void
tto_create_page_get_property (GObject *object,
                              guint prop_id,
                              GValue *value,
                              GParamSpec *pspec)
{
  TtoCreatePage *self = TTO_CREATE_PAGE (object);

  switch (prop_id)
    {
    case PROP_FOLDED:
      g_value_set_boolean (value, self->folded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_create_page_set_property (GObject *object,
                              guint prop_id,
                              const GValue *value,
                              GParamSpec *pspec)
{
  TtoCreatePage *self = TTO_CREATE_PAGE (object);

  switch (prop_id)
    {
    case PROP_FOLDED:
      self->folded = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_create_page_class_init (TtoCreatePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_create_page_dispose;
  object_class->get_property = tto_create_page_get_property;
  object_class->set_property = tto_create_page_set_property;

  properties[PROP_FOLDED] = g_param_spec_boolean ("folded", NULL, NULL, FALSE,
                                                  G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-create-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoCreatePage, header_bar);
  gtk_widget_class_bind_template_child (widget_class, TtoCreatePage, stack);
  gtk_widget_class_bind_template_child (widget_class, TtoCreatePage, title_row);
  gtk_widget_class_bind_template_child (widget_class, TtoCreatePage, content_view);
  gtk_widget_class_bind_template_child (widget_class, TtoCreatePage, announcement_row);
  gtk_widget_class_bind_template_child (widget_class, TtoCreatePage, deadline_switch);
  gtk_widget_class_bind_template_child (widget_class, TtoCreatePage, date_row);
  gtk_widget_class_bind_template_child (widget_class, TtoCreatePage, time_row);
  gtk_widget_class_bind_template_child (widget_class, TtoCreatePage, date_button);
  gtk_widget_class_bind_template_child (widget_class, TtoCreatePage, calendar);
  gtk_widget_class_bind_template_child (widget_class, TtoCreatePage, hour_spin);
  gtk_widget_class_bind_template_child (widget_class, TtoCreatePage, minute_spin);
  gtk_widget_class_bind_template_child (widget_class, TtoCreatePage, advanced_row);
  gtk_widget_class_bind_template_child (widget_class, TtoCreatePage, edit_window_row);
  gtk_widget_class_bind_template_child (widget_class, TtoCreatePage, recall_window_row);
  gtk_widget_class_bind_template_child (widget_class, TtoCreatePage, error_label);
  gtk_widget_class_bind_template_child (widget_class, TtoCreatePage, spinner);
  gtk_widget_class_bind_template_child (widget_class, TtoCreatePage, invite_card);
  gtk_widget_class_bind_template_child (widget_class, TtoCreatePage, admission_row);
  gtk_widget_class_bind_template_child (widget_class, TtoCreatePage, third_party_row);
  gtk_widget_class_bind_template_child (widget_class, TtoCreatePage, third_party_switch);
  gtk_widget_class_bind_template_child (widget_class, TtoCreatePage, id_rule_switch);
  gtk_widget_class_bind_template_child (widget_class, TtoCreatePage, phone_rule_switch);
  gtk_widget_class_bind_template_callback (widget_class, on_title_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_calendar_day_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_deadline_switch_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_spin_output);

  gtk_widget_class_install_action (widget_class, "create.submit", NULL, submit_action);
  gtk_widget_class_install_action (widget_class, "create.open-chat", NULL, open_chat_action);
}

static void
on_admission_changed (TtoCreatePage *self)
{
  /* Skipping review means nothing when there is no review. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->third_party_row),
                            g_strcmp0 (tto_admission_get_row (self->admission_row),
                                       TTO_ADMISSION_REVIEW) == 0);
}

static void
tto_create_page_init (TtoCreatePage *self)
{
  g_type_ensure (TTO_TYPE_INVITE_CARD);
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self->admission_row, "notify::selected",
                            G_CALLBACK (on_admission_changed), self);
  tto_create_page_reset (self);
}

void
tto_create_page_set_session (TtoCreatePage *self,
                             TtoSession *session)
{
  g_return_if_fail (TTO_IS_CREATE_PAGE (self));

  g_set_object (&self->session, session);
  tto_create_page_reset (self);
}

/* An empty form; the deadline defaults to this time tomorrow. */
void
tto_create_page_reset (TtoCreatePage *self)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) tomorrow = g_date_time_add_days (now, 1);

  g_return_if_fail (TTO_IS_CREATE_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  set_busy (self, FALSE);
  g_clear_object (&self->created_event);
  gtk_editable_set_text (GTK_EDITABLE (self->title_row), "");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->content_view), "", -1);
  gtk_editable_set_text (GTK_EDITABLE (self->announcement_row), "");
  gtk_switch_set_active (self->deadline_switch, FALSE);
  gtk_calendar_select_day (self->calendar, tomorrow);
  gtk_spin_button_set_value (self->hour_spin, g_date_time_get_hour (now));
  gtk_spin_button_set_value (self->minute_spin, 0);
  update_date_label (self);
  tto_client_setup_window_row (self->edit_window_row, TTO_PROTOCOL_DEFAULT_EDIT_WINDOW);
  tto_client_setup_window_row (self->recall_window_row, TTO_PROTOCOL_DEFAULT_RECALL_WINDOW);
  adw_expander_row_set_expanded (self->advanced_row, FALSE);
  /* The app proposes review: an invite code that leaks admits nobody. */
  tto_admission_setup_row (self->admission_row, TTO_ADMISSION_REVIEW);
  gtk_switch_set_active (self->third_party_switch, FALSE);
  gtk_switch_set_active (self->id_rule_switch, FALSE);
  gtk_switch_set_active (self->phone_rule_switch, FALSE);
  on_admission_changed (self);
  tto_invite_card_set_event (self->invite_card, NULL, NULL);
  gtk_widget_remove_css_class (GTK_WIDGET (self->title_row), "error");
  show_error (self, NULL);
  adw_window_title_set_title (ADW_WINDOW_TITLE (adw_header_bar_get_title_widget (self->header_bar)),
                              _("New Event"));
  gtk_stack_set_visible_child_name (self->stack, "form");
}

void
tto_create_page_focus (TtoCreatePage *self)
{
  g_return_if_fail (TTO_IS_CREATE_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->title_row));
}

void
tto_create_page_fill (TtoCreatePage *self,
                      const char *title,
                      const char *content,
                      const char *announcement)
{
  g_return_if_fail (TTO_IS_CREATE_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->title_row), title != NULL ? title : "");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->content_view),
                            content != NULL ? content : "", -1);
  gtk_editable_set_text (GTK_EDITABLE (self->announcement_row),
                         announcement != NULL ? announcement : "");
}

/* @deadline: NULL for none */
void
tto_create_page_set_deadline (TtoCreatePage *self,
                              GDateTime *deadline)
{
  g_return_if_fail (TTO_IS_CREATE_PAGE (self));

  gtk_switch_set_active (self->deadline_switch, deadline != NULL);
  if (deadline == NULL)
    return;

  gtk_calendar_select_day (self->calendar, deadline);
  gtk_spin_button_set_value (self->hour_spin, g_date_time_get_hour (deadline));
  gtk_spin_button_set_value (self->minute_spin, g_date_time_get_minute (deadline));
  update_date_label (self);
}

/* The event made by the last successful submit, or NULL. */
TtoEvent *
tto_create_page_get_created_event (TtoCreatePage *self)
{
  g_return_val_if_fail (TTO_IS_CREATE_PAGE (self), NULL);

  return self->created_event;
}

const char *
tto_create_page_get_error (TtoCreatePage *self)
{
  g_return_val_if_fail (TTO_IS_CREATE_PAGE (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_label (self->error_label);
}

/* Edit and recall windows in seconds, as if chosen in the advanced
 * section. */
void
tto_create_page_set_windows (TtoCreatePage *self,
                             guint edit_window,
                             guint recall_window)
{
  g_return_if_fail (TTO_IS_CREATE_PAGE (self));

  tto_client_setup_window_row (self->edit_window_row, edit_window);
  tto_client_setup_window_row (self->recall_window_row, recall_window);
}

/* @admission: "open", "review" or "closed", as if chosen in the form. */
void
tto_create_page_set_admission (TtoCreatePage *self,
                               const char *admission)
{
  g_return_if_fail (TTO_IS_CREATE_PAGE (self));

  tto_admission_setup_row (self->admission_row, admission);
}

TtoInviteCard *
tto_create_page_get_invite_card (TtoCreatePage *self)
{
  g_return_val_if_fail (TTO_IS_CREATE_PAGE (self), NULL);

  return self->invite_card;
}
