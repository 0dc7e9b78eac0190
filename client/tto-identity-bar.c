/* tto-identity-bar.c: "Your identity expires in 5 minutes" with "Verify Again"
 *
 * libadwaita 1.2 has no AdwBanner: a revealer at the top of the window
 * does the same. It shows while a timed identity has less than
 * TTO_IDENTITY_WARNING_SECONDS left (TtoIdentity "expiring") and counts
 * the minutes down; "Verify Again" activates win.verify-identity.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-identity-bar.h"

struct _TtoIdentityBar
{
  AdwBin parent_instance;

  GtkRevealer *revealer;
  GtkLabel *label;

  TtoIdentity *identity;
  guint tick_source;
};

G_DEFINE_FINAL_TYPE (TtoIdentityBar, tto_identity_bar, ADW_TYPE_BIN)

static void
update_text (TtoIdentityBar *self)
{
  gint64 left = self->identity != NULL ? tto_identity_get_seconds_left (self->identity) : -1;
  g_autofree char *text = NULL;
  int minutes = (int) ((MAX (left, 0) + 59) / 60);

  if (minutes <= 1)
    text = g_strdup (_("Your identity expires in less than a minute — verify again to keep it"));
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Your identity expires in %d minute — verify again to keep it",
                                         "Your identity expires in %d minutes — verify again to keep it",
                                         minutes),
                            minutes);
  gtk_label_set_label (self->label, text);
}

static gboolean
on_tick (gpointer user_data)
{
  update_text (user_data);
  return G_SOURCE_CONTINUE;
}

static void
update (TtoIdentityBar *self)
{
  gboolean shown = self->identity != NULL && tto_identity_is_expiring (self->identity);

  if (shown)
    {
      update_text (self);
      if (self->tick_source == 0)
        self->tick_source = g_timeout_add_seconds (15, on_tick, self);
    }
  else
    g_clear_handle_id (&self->tick_source, g_source_remove);
  gtk_revealer_set_reveal_child (self->revealer, shown);
}

static void
tto_identity_bar_dispose (GObject *object)
{
  TtoIdentityBar *self = (TtoIdentityBar *) object;

  tto_identity_bar_set_identity (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_IDENTITY_BAR);

  G_OBJECT_CLASS (tto_identity_bar_parent_class)->dispose (object);
}

static void
tto_identity_bar_class_init (TtoIdentityBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_identity_bar_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-identity-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoIdentityBar, revealer);
  gtk_widget_class_bind_template_child (widget_class, TtoIdentityBar, label);
}

static void
tto_identity_bar_init (TtoIdentityBar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_text (self);
}

void
tto_identity_bar_set_identity (TtoIdentityBar *self,
                               TtoIdentity *identity)
{
  g_return_if_fail (TTO_IS_IDENTITY_BAR (self));

  if (self->identity == identity)
    return;
  if (self->identity != NULL)
    g_signal_handlers_disconnect_by_data (self->identity, self);
  g_set_object (&self->identity, identity);
  if (identity != NULL)
    {
      g_signal_connect_swapped (identity, "notify::expiring", G_CALLBACK (update), self);
      g_signal_connect_swapped (identity, "notify::expires-at", G_CALLBACK (update), self);
    }
  update (self);
}

gboolean
tto_identity_bar_get_shown (TtoIdentityBar *self)
{
  g_return_val_if_fail (TTO_IS_IDENTITY_BAR (self), FALSE);
  return gtk_revealer_get_reveal_child (self->revealer);
}

const char *
tto_identity_bar_get_text (TtoIdentityBar *self)
{
  g_return_val_if_fail (TTO_IS_IDENTITY_BAR (self), NULL);
  return gtk_label_get_label (self->label);
}
