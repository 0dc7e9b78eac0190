/* tto-event-info-window.c: what an event is, its invitation, its end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gi18n.h>

#include "tto-client.h"

#include "tto-event-info-window.h"

struct _TtoEventInfoWindow
{
  AdwWindow parent_instance;

  AdwToastOverlay *toast_overlay;
  AdwActionRow *title_row;
  AdwActionRow *creator_row;
  AdwActionRow *members_row;
  AdwActionRow *deadline_row;
  AdwPreferencesGroup *content_group;
  GtkLabel *content_label;
  AdwPreferencesGroup *announcement_group;
  GtkLabel *announcement_label;
  AdwActionRow *code_row;
  AdwActionRow *event_id_row;
  AdwPreferencesGroup *end_group;
  AdwPreferencesGroup *messages_group;
  AdwComboRow *edit_window_row;
  AdwComboRow *recall_window_row;
  GtkListBox *member_list;

  TtoSession *session;
  TtoEvent *event;
  GCancellable *cancellable;
  gboolean updating; /* the rows follow the event, not the user */
};

G_DEFINE_FINAL_TYPE (TtoEventInfoWindow, tto_event_info_window, ADW_TYPE_WINDOW)

static gboolean
is_set (const char *text)
{
  return text != NULL && *text != '\0';
}

static void
update (TtoEventInfoWindow *self)
{
  g_autofree char *members = NULL;
  g_autofree char *deadline = NULL;
  g_autofree char *code = NULL;
  const char *invite_code = tto_event_get_invite_code (self->event);
  gboolean creator = tto_event_is_creator (self->event);
  gboolean ended = tto_event_get_ended (self->event);

  adw_action_row_set_subtitle (self->title_row, tto_event_get_title (self->event));
  adw_action_row_set_subtitle (self->creator_row,
                               is_set (tto_event_get_creator_name (self->event))
                                 ? tto_event_get_creator_name (self->event)
                                 : (creator ? _("You") : ""));
  gtk_widget_set_visible (GTK_WIDGET (self->creator_row),
                          creator || is_set (tto_event_get_creator_name (self->event)));
  members = tto_client_format_member_count (tto_event_get_member_count (self->event));
  adw_action_row_set_subtitle (self->members_row, members);

  if (tto_event_get_deadline (self->event) > 0)
    {
      g_autoptr (GDateTime) time =
        g_date_time_new_from_unix_local (tto_event_get_deadline (self->event));

      /* Translators: a deadline's date and time, see strftime(3) */
      deadline = time != NULL ? g_date_time_format (time, _("%a %e %b %Y, %H:%M")) : NULL;
    }
  adw_action_row_set_subtitle (self->deadline_row, deadline != NULL ? deadline : _("None"));

  gtk_label_set_label (self->content_label, tto_event_get_content (self->event));
  gtk_widget_set_visible (GTK_WIDGET (self->content_group),
                          is_set (tto_event_get_content (self->event)));
  gtk_label_set_label (self->announcement_label, tto_event_get_announcement (self->event));
  gtk_widget_set_visible (GTK_WIDGET (self->announcement_group),
                          is_set (tto_event_get_announcement (self->event)));

  if (invite_code != NULL && strlen (invite_code) == TTO_INVITE_CODE_LENGTH)
    code = tto_invite_code_format (invite_code);
  adw_action_row_set_subtitle (self->code_row, code != NULL ? code : "");
  /* Only the creator receives the code. */
  gtk_widget_set_visible (GTK_WIDGET (self->code_row), code != NULL && !ended);
  adw_action_row_set_subtitle (self->event_id_row, tto_event_get_id (self->event));

  gtk_widget_set_visible (GTK_WIDGET (self->end_group), creator && !ended);

  /* Everyone sees the windows; only the creator changes them. */
  self->updating = TRUE;
  if (tto_client_get_window_row_seconds (self->edit_window_row) !=
        tto_event_get_edit_window (self->event) ||
      adw_combo_row_get_model (self->edit_window_row) == NULL)
    tto_client_setup_window_row (self->edit_window_row, tto_event_get_edit_window (self->event));
  if (tto_client_get_window_row_seconds (self->recall_window_row) !=
        tto_event_get_recall_window (self->event) ||
      adw_combo_row_get_model (self->recall_window_row) == NULL)
    tto_client_setup_window_row (self->recall_window_row,
                                 tto_event_get_recall_window (self->event));
  self->updating = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->edit_window_row), creator && !ended);
  gtk_widget_set_sensitive (GTK_WIDGET (self->recall_window_row), creator && !ended);
  gtk_widget_set_visible (GTK_WIDGET (self->messages_group), !ended);
}

static void
show_toast (TtoEventInfoWindow *self,
            const char *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static void
on_update_ready (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (TtoEventInfoWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  if (tto_session_update_event_finish (TTO_SESSION (object), result, &error))
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  text = tto_client_describe_error (error);
  show_toast (self, text);
  /* Back to what the relay has. */
  update (self);
}

static void
on_window_row_changed (TtoEventInfoWindow *self)
{
  guint edit = tto_client_get_window_row_seconds (self->edit_window_row);
  guint recall = tto_client_get_window_row_seconds (self->recall_window_row);

  if (self->updating || self->event == NULL || !tto_event_is_creator (self->event))
    return;
  if (edit == tto_event_get_edit_window (self->event) &&
      recall == tto_event_get_recall_window (self->event))
    return;

  tto_session_update_event_async (self->session, self->event,
                                  edit != tto_event_get_edit_window (self->event) ? (int) edit : -1,
                                  recall != tto_event_get_recall_window (self->event)
                                    ? (int) recall
                                    : -1,
                                  self->cancellable, on_update_ready, g_object_ref (self));
}

/* Members */

static char *
describe_member (TtoEventInfoWindow *self,
                 TtoMember *member)
{
  gint64 until = 0;

  if (g_strcmp0 (tto_member_get_role (member), "creator") == 0)
    return g_strdup (_("Creator"));
  if (tto_member_get_permission (member, TTO_PERMISSION_EXPORT, &until))
    {
      g_autoptr (GDateTime) time = NULL;
      g_autofree char *when = NULL;

      if (until <= 0)
        return g_strdup (_("May export the conversation until the event ends"));
      time = g_date_time_new_from_unix_local (until);
      /* Translators: a time of day, see strftime(3) */
      when = time != NULL ? g_date_time_format (time, _("%e %b, %H:%M")) : g_strdup ("");
      /* Translators: %s is a date and time */
      return g_strdup_printf (_("May export the conversation until %s"), when);
    }
  return g_strdup (_("Member"));
}

static void
append_action (GMenu *menu,
               const char *label,
               const char *action,
               GVariant *target)
{
  g_autoptr (GMenuItem) item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target_value (item, action, target);
  g_menu_append_item (menu, item);
}

static GtkWidget *
create_member_row (gpointer item,
                   gpointer user_data)
{
  TtoEventInfoWindow *self = user_data;
  TtoMember *member = item;
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *subtitle = describe_member (self, member);
  const char *id = tto_member_get_identity_id (member);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), tto_member_get_display_name (member));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  if (tto_event_is_creator (self->event) && !tto_event_get_ended (self->event) &&
      g_strcmp0 (tto_member_get_role (member), "creator") != 0)
    {
      g_autoptr (GMenu) menu = g_menu_new ();
      g_autoptr (GMenu) grants = g_menu_new ();
      GtkWidget *button = gtk_menu_button_new ();
      g_autofree char *label = NULL;

      append_action (grants, _("Allow Export for 1 _Hour"), "info.grant-export",
                     g_variant_new ("(sx)", id, (gint64) 3600));
      append_action (grants, _("Allow Export for 1 _Day"), "info.grant-export",
                     g_variant_new ("(sx)", id, (gint64) 86400));
      append_action (grants, _("Allow Export _Until the Event Ends"), "info.grant-export",
                     g_variant_new ("(sx)", id, (gint64) 0));
      g_menu_append_section (menu, NULL, G_MENU_MODEL (grants));
      if (tto_member_has_permission (member, TTO_PERMISSION_EXPORT))
        {
          g_autoptr (GMenu) revoke = g_menu_new ();

          append_action (revoke, _("_Revoke Export"), "info.revoke-export",
                         g_variant_new_string (id));
          g_menu_append_section (menu, NULL, G_MENU_MODEL (revoke));
        }
      gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
      gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "view-more-symbolic");
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_size_request (button, 44, 44);
      gtk_widget_add_css_class (button, "flat");
      /* Translators: %s is a display name */
      label = g_strdup_printf (_("Permissions of %s"), tto_member_get_display_name (member));
      gtk_widget_set_tooltip_text (button, label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      label, -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }
  return row;
}

static void
on_member_ready (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (TtoEventInfoWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  if (tto_session_member_change_finish (TTO_SESSION (object), result, &error))
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  text = tto_client_describe_error (error);
  show_toast (self, text);
}

static void
grant_export_action (GtkWidget *widget,
                     const char *action_name,
                     GVariant *parameter)
{
  TtoEventInfoWindow *self = TTO_EVENT_INFO_WINDOW (widget);
  const char *id;
  gint64 duration;

  g_variant_get (parameter, "(&sx)", &id, &duration);
  tto_session_grant_async (self->session, self->event, id, TTO_PERMISSION_EXPORT, duration,
                           self->cancellable, on_member_ready, g_object_ref (self));
}

static void
revoke_export_action (GtkWidget *widget,
                      const char *action_name,
                      GVariant *parameter)
{
  TtoEventInfoWindow *self = TTO_EVENT_INFO_WINDOW (widget);

  tto_session_revoke_async (self->session, self->event, g_variant_get_string (parameter, NULL),
                            TTO_PERMISSION_EXPORT, self->cancellable, on_member_ready,
                            g_object_ref (self));
}

static void
copy_text (TtoEventInfoWindow *self,
           const char *text,
           const char *toast)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (toast));
}

static void
copy_code_action (GtkWidget *widget,
                  const char *action_name,
                  GVariant *parameter)
{
  TtoEventInfoWindow *self = TTO_EVENT_INFO_WINDOW (widget);

  copy_text (self, adw_action_row_get_subtitle (self->code_row), _("Invite code copied"));
}

static void
copy_id_action (GtkWidget *widget,
                const char *action_name,
                GVariant *parameter)
{
  TtoEventInfoWindow *self = TTO_EVENT_INFO_WINDOW (widget);

  copy_text (self, tto_event_get_id (self->event), _("Event ID copied"));
}

static void
on_end_ready (GObject *object,
              GAsyncResult *result,
              gpointer user_data)
{
  g_autoptr (TtoEventInfoWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!tto_session_end_event_finish (TTO_SESSION (object), result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "info.end", TRUE);
      text = tto_client_describe_error (error);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
      return;
    }

  gtk_window_close (GTK_WINDOW (self));
}

static void
on_confirm_response (AdwMessageDialog *dialog,
                     const char *response,
                     TtoEventInfoWindow *self)
{
  if (g_strcmp0 (response, "end") != 0)
    return;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "info.end", FALSE);
  tto_session_end_event_async (self->session, self->event, self->cancellable, on_end_ready,
                               g_object_ref (self));
}

static void
end_action (GtkWidget *widget,
            const char *action_name,
            GVariant *parameter)
{
  TtoEventInfoWindow *self = TTO_EVENT_INFO_WINDOW (widget);
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("End This Event?"),
                                                       _("Everyone is removed and every message is deleted for good. This cannot be undone.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "end", _("_End Event"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "end", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_confirm_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
tto_event_info_window_dispose (GObject *object)
{
  TtoEventInfoWindow *self = (TtoEventInfoWindow *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->event != NULL)
    g_signal_handlers_disconnect_by_data (self->event, self);
  g_clear_object (&self->event);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_EVENT_INFO_WINDOW);

  G_OBJECT_CLASS (tto_event_info_window_parent_class)->dispose (object);
}

static void
tto_event_info_window_class_init (TtoEventInfoWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_event_info_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-event-info-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, title_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, creator_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, members_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, deadline_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, content_group);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, content_label);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, announcement_group);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, announcement_label);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, code_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, event_id_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, end_group);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, messages_group);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, edit_window_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, recall_window_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, member_list);

  gtk_widget_class_install_action (widget_class, "info.copy-code", NULL, copy_code_action);
  gtk_widget_class_install_action (widget_class, "info.copy-id", NULL, copy_id_action);
  gtk_widget_class_install_action (widget_class, "info.end", NULL, end_action);
  gtk_widget_class_install_action (widget_class, "info.grant-export", "(sx)",
                                   grant_export_action);
  gtk_widget_class_install_action (widget_class, "info.revoke-export", "s",
                                   revoke_export_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tto_event_info_window_init (TtoEventInfoWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

TtoEventInfoWindow *
tto_event_info_window_new (GtkWindow *parent,
                           TtoSession *session,
                           TtoEvent *event)
{
  TtoEventInfoWindow *self;

  g_return_val_if_fail (TTO_IS_SESSION (session), NULL);
  g_return_val_if_fail (TTO_IS_EVENT (event), NULL);

  self = g_object_new (TTO_TYPE_EVENT_INFO_WINDOW, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->event = g_object_ref (event);
  g_signal_connect_swapped (event, "notify", G_CALLBACK (update), self);
  update (self);
  g_signal_connect_swapped (self->edit_window_row, "notify::selected",
                            G_CALLBACK (on_window_row_changed), self);
  g_signal_connect_swapped (self->recall_window_row, "notify::selected",
                            G_CALLBACK (on_window_row_changed), self);
  gtk_list_box_bind_model (self->member_list, tto_session_get_members (session, event),
                           create_member_row, self, NULL);
  tto_session_load_event (session, event);
  return self;
}
