/* tto-join-dialog.c: asks for an invite code and joins its event
 *
 * The code is typed ("Enter Code") or read from an invitation's QR code
 * ("Scan QR Code": camera or picture). The dialog stays open on an error,
 * which it shows under the entry, so the user can fix the code. An event
 * under review turns the join into an application: the dialog then says
 * it waits for approval (the home page keeps showing it).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-client.h"
#include "tto-invite-uri.h"
#include "tto-scan-view.h"

#include "tto-join-dialog.h"

struct _TtoJoinDialog
{
  AdwWindow parent_instance;

  AdwEntryRow *code_row;
  AdwEntryRow *reason_row;
  GtkLabel *error_label;
  GtkStack *mode_stack;
  GtkWidget *mode_switcher;
  TtoScanView *scan_view;
  AdwStatusPage *waiting_page;
  GtkButton *join_button;
  GtkSpinner *spinner;

  TtoSession *session;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (TtoJoinDialog, tto_join_dialog, ADW_TYPE_WINDOW)

enum
{
  JOINED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_error (TtoJoinDialog *self,
            const char *message)
{
  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->code_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->code_row), "error");
}

static void
set_busy (TtoJoinDialog *self,
          gboolean busy)
{
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->code_row), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "join.submit", !busy);
}

static void
on_code_changed (TtoJoinDialog *self)
{
  show_error (self, NULL);
}

static void
on_join_ready (GObject *object,
               GAsyncResult *result,
               gpointer user_data)
{
  g_autoptr (TtoJoinDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoEvent) event = NULL;
  g_autoptr (TtoJoinRequest) request = NULL;

  event = tto_session_join_with_reason_finish (TTO_SESSION (object), result, &request, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);
  if (request != NULL)
    {
      g_autofree char *description = NULL;

      /* Translators: %s is an event's title */
      description = g_strdup_printf (_("Your request to join “%s” was sent. The event opens "
                                       "here as soon as the organiser approves it; your events "
                                       "list shows it meanwhile."),
                                     tto_join_request_get_event_title (request));
      adw_status_page_set_description (self->waiting_page, description);
      gtk_stack_set_visible_child_name (self->mode_stack, "waiting");
      gtk_widget_set_visible (self->mode_switcher, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->join_button), FALSE);
      return;
    }
  if (event == NULL)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME))
        text = g_strdup (_("An invite code has 8 letters and digits, like ABCD-EFGH."));
      else if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_EXPIRED))
        text = g_strdup (_("This invite code has expired. Ask the organiser for a new one."));
      else if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_FORBIDDEN))
        text = g_strdup (_("This event does not take new members, or you do not meet its "
                           "rules for joining."));
      else
        text = tto_client_describe_error (error);
      gtk_stack_set_visible_child_name (self->mode_stack, "code");
      show_error (self, text);
      gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
      return;
    }

  g_signal_emit (self, signals[JOINED], 0, event);
  gtk_window_close (GTK_WINDOW (self));
}

static void
submit_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  TtoJoinDialog *self = TTO_JOIN_DIALOG (widget);
  g_autofree char *code = NULL;
  g_autofree char *reason = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->code_row));

  code = tto_invite_code_normalize (text);
  if (code == NULL)
    {
      /* Malformed codes never reach the relay. */
      show_error (self, *text == '\0'
                          ? _("Enter the invite code.")
                          : _("An invite code has 8 letters and digits, like ABCD-EFGH."));
      gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
      return;
    }

  show_error (self, NULL);
  set_busy (self, TRUE);
  reason = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->reason_row))));
  tto_session_join_with_reason_async (self->session, code, reason, self->cancellable,
                                      on_join_ready, g_object_ref (self));
}

static void
on_mode_changed (TtoJoinDialog *self)
{
  const char *mode = gtk_stack_get_visible_child_name (self->mode_stack);

  if (g_strcmp0 (mode, "scan") == 0)
    tto_scan_view_start (self->scan_view);
  else
    tto_scan_view_stop (self->scan_view);
  gtk_widget_set_visible (GTK_WIDGET (self->join_button), g_strcmp0 (mode, "waiting") != 0);
}

static void
on_scan_decoded (TtoJoinDialog *self,
                 const char *text)
{
  tto_join_dialog_open_invite (self, text);
}

static void
tto_join_dialog_dispose (GObject *object)
{
  TtoJoinDialog *self = (TtoJoinDialog *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_JOIN_DIALOG);

  G_OBJECT_CLASS (tto_join_dialog_parent_class)->dispose (object);
}

static void
tto_join_dialog_class_init (TtoJoinDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_join_dialog_dispose;

  /* The joined event */
  signals[JOINED] = g_signal_new ("joined", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 1, TTO_TYPE_EVENT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-join-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, code_row);
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, reason_row);
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, mode_stack);
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, mode_switcher);
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, scan_view);
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, waiting_page);
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, join_button);
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_code_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_mode_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_scan_decoded);

  gtk_widget_class_install_action (widget_class, "join.submit", NULL, submit_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tto_join_dialog_init (TtoJoinDialog *self)
{
  g_type_ensure (TTO_TYPE_SCAN_VIEW);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->join_button));
}

TtoJoinDialog *
tto_join_dialog_new (GtkWindow *parent,
                     TtoSession *session)
{
  TtoJoinDialog *self;

  g_return_val_if_fail (TTO_IS_SESSION (session), NULL);

  self = g_object_new (TTO_TYPE_JOIN_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  return self;
}

void
tto_join_dialog_set_code (TtoJoinDialog *self,
                          const char *code)
{
  g_return_if_fail (TTO_IS_JOIN_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->code_row), code != NULL ? code : "");
}

const char *
tto_join_dialog_get_error (TtoJoinDialog *self)
{
  g_return_val_if_fail (TTO_IS_JOIN_DIALOG (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_label (self->error_label);
}

/* Takes the text of a scanned QR code or an opened tto:// link: an
 * invitation to this relay joins at once; anything else says why not.
 * Returns whether the join was started. */
gboolean
tto_join_dialog_open_invite (TtoJoinDialog *self,
                             const char *uri)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoInvite) invite = NULL;
  const char *relay;

  g_return_val_if_fail (TTO_IS_JOIN_DIALOG (self), FALSE);
  g_return_val_if_fail (uri != NULL, FALSE);

  invite = tto_invite_uri_parse (uri, &error);
  if (invite == NULL)
    {
      if (g_error_matches (error, TTO_INVITE_URI_ERROR, TTO_INVITE_URI_ERROR_NOT_TTO))
        tto_scan_view_set_status (self->scan_view,
                                  _("This QR code is not a ThreeTwoOne invitation."), TRUE);
      else
        tto_scan_view_set_status (self->scan_view,
                                  _("This ThreeTwoOne link is damaged or incomplete."), TRUE);
      return FALSE;
    }

  relay = tto_connection_get_url (tto_session_get_connection (self->session));
  if (invite->relay_url != NULL && !tto_invite_uri_same_relay (invite->relay_url, relay))
    {
      g_autofree char *text = NULL;

      /* Translators: %s is a relay address like wss://relay.example.org/v1/ws */
      text = g_strdup_printf (_("This invitation is for another relay (%s). Sign out and sign "
                                "in to that relay to join it."),
                              invite->relay_url);
      tto_scan_view_set_status (self->scan_view, text, TRUE);
      gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
      show_error (self, text);
      return FALSE;
    }

  tto_scan_view_set_status (self->scan_view, _("Invitation found; joining…"), FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), invite->code);
  gtk_widget_activate_action (GTK_WIDGET (self), "join.submit", NULL);
  return TRUE;
}

/* "code", "scan" or "waiting" */
void
tto_join_dialog_set_mode (TtoJoinDialog *self,
                          const char *mode)
{
  g_return_if_fail (TTO_IS_JOIN_DIALOG (self));

  gtk_stack_set_visible_child_name (self->mode_stack, mode);
}

const char *
tto_join_dialog_get_mode (TtoJoinDialog *self)
{
  g_return_val_if_fail (TTO_IS_JOIN_DIALOG (self), NULL);

  return gtk_stack_get_visible_child_name (self->mode_stack);
}

void
tto_join_dialog_set_reason (TtoJoinDialog *self,
                            const char *reason)
{
  g_return_if_fail (TTO_IS_JOIN_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->reason_row), reason != NULL ? reason : "");
}

TtoScanView *
tto_join_dialog_get_scan_view (TtoJoinDialog *self)
{
  g_return_val_if_fail (TTO_IS_JOIN_DIALOG (self), NULL);

  return self->scan_view;
}
