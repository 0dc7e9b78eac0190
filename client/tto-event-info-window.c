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

  TtoSession *session;
  TtoEvent *event;
  GCancellable *cancellable;
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

  gtk_widget_class_install_action (widget_class, "info.copy-code", NULL, copy_code_action);
  gtk_widget_class_install_action (widget_class, "info.copy-id", NULL, copy_id_action);
  gtk_widget_class_install_action (widget_class, "info.end", NULL, end_action);
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
  return self;
}
