/* tto-join-dialog.c: asks for an invite code and joins its event
 *
 * The dialog stays open on an error, which it shows under the entry, so the
 * user can fix the code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-client.h"

#include "tto-join-dialog.h"

struct _TtoJoinDialog
{
  AdwWindow parent_instance;

  AdwEntryRow *code_row;
  GtkLabel *error_label;
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

  event = tto_session_join_event_finish (TTO_SESSION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);
  if (event == NULL)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME))
        text = g_strdup (_("An invite code has 8 letters and digits, like ABCD-EFGH."));
      else
        text = tto_client_describe_error (error);
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
  tto_session_join_event_async (self->session, code, self->cancellable, on_join_ready,
                                g_object_ref (self));
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
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, join_button);
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_code_changed);

  gtk_widget_class_install_action (widget_class, "join.submit", NULL, submit_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tto_join_dialog_init (TtoJoinDialog *self)
{
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
