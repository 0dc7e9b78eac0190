/* tto-message-row.c: one message in the chat
 *
 * Own messages sit on the right in an accent bubble, others' on the left
 * under their sender's name; a clock shows while the relay has not yet
 * confirmed the message.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-client.h"

#include "tto-message-row.h"

/* Room left on the far side of a bubble, so one can tell who speaks. */
#define BUBBLE_INSET 48

struct _TtoMessageRow
{
  GtkBox parent_instance;

  GtkLabel *sender_label;
  GtkWidget *bubble;
  GtkLabel *text_label;
  GtkLabel *time_label;
  GtkImage *pending_image;

  TtoMessage *message;
};

G_DEFINE_FINAL_TYPE (TtoMessageRow, tto_message_row, GTK_TYPE_BOX)

static void
update_state (TtoMessageRow *self)
{
  g_autofree char *time = NULL;

  if (self->message == NULL)
    return;

  time = tto_client_format_time (tto_message_get_ts (self->message));
  gtk_label_set_label (self->time_label, time);
  gtk_widget_set_visible (GTK_WIDGET (self->pending_image),
                          tto_message_get_state (self->message) == TTO_MESSAGE_STATE_PENDING);
}

static void
tto_message_row_dispose (GObject *object)
{
  TtoMessageRow *self = (TtoMessageRow *) object;

  tto_message_row_set_message (self, NULL, FALSE);
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_MESSAGE_ROW);

  G_OBJECT_CLASS (tto_message_row_parent_class)->dispose (object);
}

static void
tto_message_row_class_init (TtoMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_message_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoMessageRow, sender_label);
  gtk_widget_class_bind_template_child (widget_class, TtoMessageRow, bubble);
  gtk_widget_class_bind_template_child (widget_class, TtoMessageRow, text_label);
  gtk_widget_class_bind_template_child (widget_class, TtoMessageRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, TtoMessageRow, pending_image);
}

static void
tto_message_row_init (TtoMessageRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

TtoMessageRow *
tto_message_row_new (void)
{
  return g_object_new (TTO_TYPE_MESSAGE_ROW, NULL);
}

/* @own: the message is the user's own */
void
tto_message_row_set_message (TtoMessageRow *self,
                             TtoMessage *message,
                             gboolean own)
{
  g_return_if_fail (TTO_IS_MESSAGE_ROW (self));
  g_return_if_fail (message == NULL || TTO_IS_MESSAGE (message));

  if (self->message != NULL)
    g_signal_handlers_disconnect_by_data (self->message, self);
  g_set_object (&self->message, message);

  if (message == NULL)
    {
      /* The label may hold message text: clear it when the row is reused. */
      gtk_label_set_label (self->text_label, "");
      return;
    }

  g_signal_connect_swapped (message, "notify::pending", G_CALLBACK (update_state), self);
  g_signal_connect_swapped (message, "notify::ts", G_CALLBACK (update_state), self);

  gtk_label_set_label (self->text_label, tto_message_get_text (message));
  gtk_label_set_label (self->sender_label, tto_message_get_sender_name (message));
  gtk_widget_set_visible (GTK_WIDGET (self->sender_label), !own);
  gtk_widget_set_halign (GTK_WIDGET (self), own ? GTK_ALIGN_END : GTK_ALIGN_START);
  gtk_widget_set_margin_start (GTK_WIDGET (self), own ? BUBBLE_INSET : 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self), own ? 12 : BUBBLE_INSET);
  if (own)
    gtk_widget_add_css_class (self->bubble, "own");
  else
    gtk_widget_remove_css_class (self->bubble, "own");
  update_state (self);
}

TtoMessage *
tto_message_row_get_message (TtoMessageRow *self)
{
  g_return_val_if_fail (TTO_IS_MESSAGE_ROW (self), NULL);

  return self->message;
}
