/* tto-sign-in-page.c: relay address, display name, one-time identity
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-client.h"
#include "tto-session.h"

#include "tto-sign-in-page.h"

struct _TtoSignInPage
{
  AdwBin parent_instance;

  AdwEntryRow *name_row;
  AdwEntryRow *relay_row;
  GtkLabel *error_label;
  GtkButton *sign_in_button;
  GtkSpinner *spinner;

  GCancellable *cancellable;
  gboolean busy;
};

G_DEFINE_FINAL_TYPE (TtoSignInPage, tto_sign_in_page, ADW_TYPE_BIN)

enum
{
  SIGNED_IN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_busy (TtoSignInPage *self,
          gboolean busy)
{
  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->name_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->relay_row), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.submit", !busy);
}

static void
on_entry_changed (TtoSignInPage *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->relay_row), "error");
}

static void
on_sign_in_ready (GObject *object,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (TtoSignInPage) self = user_data;
  g_autoptr (GError) error = NULL;
  TtoSession *session = TTO_SESSION (object);

  if (!tto_session_sign_in_finish (session, result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      text = tto_client_describe_error (error);
      tto_sign_in_page_show_error (self, text);
      if (error->domain == TTO_CONNECTION_ERROR)
        gtk_widget_add_css_class (GTK_WIDGET (self->relay_row), "error");
      else if (error->domain == TTO_SESSION_ERROR)
        gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
      return;
    }

  set_busy (self, FALSE);
  g_signal_emit (self, signals[SIGNED_IN], 0, session);
}

static void
submit_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  TtoSignInPage *self = TTO_SIGN_IN_PAGE (widget);
  g_autoptr (TtoSession) session = NULL;
  g_autofree char *name = NULL;
  g_autofree char *url = NULL;

  if (self->busy)
    return;

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->relay_row))));
  if (*name == '\0')
    {
      tto_sign_in_page_show_error (self, _("Enter the name others will see."));
      gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      return;
    }
  if (*url == '\0')
    {
      tto_sign_in_page_show_error (self, _("Enter the relay address, for example ws://relay.example.org:8321/v1/ws."));
      gtk_widget_add_css_class (GTK_WIDGET (self->relay_row), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->relay_row));
      return;
    }

  on_entry_changed (self);
  set_busy (self, TRUE);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  session = tto_session_new (url);
  tto_session_sign_in_async (session, name, self->cancellable, on_sign_in_ready,
                             g_object_ref (self));
}

static void
tto_sign_in_page_dispose (GObject *object)
{
  TtoSignInPage *self = (TtoSignInPage *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_SIGN_IN_PAGE);

  G_OBJECT_CLASS (tto_sign_in_page_parent_class)->dispose (object);
}

static void
tto_sign_in_page_class_init (TtoSignInPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_sign_in_page_dispose;

  /* The session, signed in. */
  signals[SIGNED_IN] = g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, TTO_TYPE_SESSION);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, relay_row);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_changed);

  gtk_widget_class_install_action (widget_class, "sign-in.submit", NULL, submit_action);
}

static void
on_map (GtkWidget *widget,
        TtoSignInPage *self)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  if (GTK_IS_WINDOW (root))
    gtk_window_set_default_widget (GTK_WINDOW (root), GTK_WIDGET (self->sign_in_button));
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
}

static void
tto_sign_in_page_init (TtoSignInPage *self)
{
  g_autofree char *url = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  url = tto_client_get_default_relay_url ();
  gtk_editable_set_text (GTK_EDITABLE (self->relay_row), url);
  g_signal_connect (self, "map", G_CALLBACK (on_map), self);
}

void
tto_sign_in_page_set_display_name (TtoSignInPage *self,
                                   const char *name)
{
  g_return_if_fail (TTO_IS_SIGN_IN_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name != NULL ? name : "");
}

void
tto_sign_in_page_set_relay_url (TtoSignInPage *self,
                                const char *url)
{
  g_return_if_fail (TTO_IS_SIGN_IN_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->relay_row), url != NULL ? url : "");
}

void
tto_sign_in_page_show_error (TtoSignInPage *self,
                             const char *message)
{
  g_return_if_fail (TTO_IS_SIGN_IN_PAGE (self));

  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* The error shown, or NULL. */
const char *
tto_sign_in_page_get_error (TtoSignInPage *self)
{
  g_return_val_if_fail (TTO_IS_SIGN_IN_PAGE (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_label (self->error_label);
}
