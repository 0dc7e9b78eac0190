/* tto-topic-bar.c: the chat's current topic, under its header
 *
 * In a sub-topic the chat shows where it is ("Main topic › Budget"), a way
 * back to the main topic, and the message the topic started from, quoted
 * as its first entry. In the main topic the bar hides.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <glib/gi18n.h>

#include "tto-topic-bar.h"

struct _TtoTopicBar
{
  AdwBin parent_instance;

  GtkRevealer *revealer;
  GtkButton *main_button;
  GtkLabel *path_label;
  GtkLabel *origin_label;

  TtoSession *session;
  TtoEvent *event;
  TtoTopicTree *tree;
};

G_DEFINE_FINAL_TYPE (TtoTopicBar, tto_topic_bar, ADW_TYPE_BIN)

static TtoMessage *
find_message (TtoTopicBar *self,
              const char *msg_id)
{
  GListModel *messages = tto_session_get_messages (self->session, self->event);

  /* Topics start from recent messages: look from the end. */
  for (guint i = g_list_model_get_n_items (messages); msg_id != NULL && i-- > 0;)
    {
      g_autoptr (TtoMessage) message = g_list_model_get_item (messages, i);

      if (g_strcmp0 (tto_message_get_msg_id (message), msg_id) == 0)
        return message; /* the session's store keeps it */
    }
  return NULL;
}

static void
update (TtoTopicBar *self)
{
  TtoTopic *topic = NULL;
  TtoMessage *origin = NULL;
  g_autofree char *path = NULL;
  const char *shown;

  if (self->tree != NULL)
    topic = tto_topic_tree_lookup (self->tree, tto_topic_tree_get_current (self->tree));
  gtk_revealer_set_reveal_child (self->revealer, topic != NULL && !tto_topic_is_main (topic));
  if (topic == NULL || tto_topic_is_main (topic))
    return;

  /* The button names the main topic; the label says the rest. */
  path = tto_topic_tree_dup_path (self->tree, tto_topic_get_id (topic));
  shown = strstr (path, " › ");
  gtk_label_set_label (self->path_label, shown != NULL ? shown + strlen (" › ") : path);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->path_label), path);

  origin = find_message (self, tto_topic_get_from_msg_id (topic));
  if (origin != NULL && !tto_message_get_recalled (origin))
    {
      g_autofree char *excerpt = tto_message_make_excerpt (tto_message_get_text (origin));
      g_autofree char *text = NULL;

      /* Translators: the message a sub-topic started from; %s the sender, %s its first line. */
      text = g_strdup_printf (_("From %s: “%s”"), tto_message_get_sender_name (origin), excerpt);
      gtk_label_set_label (self->origin_label, text);
      tto_str_wipe_free (g_steal_pointer (&excerpt));
      tto_str_wipe_free (g_steal_pointer (&text));
    }
  else
    gtk_label_set_label (self->origin_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->origin_label), origin != NULL &&
                                                           !tto_message_get_recalled (origin));
}

static void
on_main_clicked (TtoTopicBar *self)
{
  if (self->tree != NULL)
    tto_topic_tree_set_current (self->tree, TTO_TOPIC_MAIN);
}

static void
tto_topic_bar_dispose (GObject *object)
{
  TtoTopicBar *self = (TtoTopicBar *) object;

  tto_topic_bar_set_context (self, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_TOPIC_BAR);

  G_OBJECT_CLASS (tto_topic_bar_parent_class)->dispose (object);
}

static void
tto_topic_bar_class_init (TtoTopicBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_topic_bar_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-topic-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoTopicBar, main_button);
  gtk_widget_class_bind_template_child (widget_class, TtoTopicBar, path_label);
  gtk_widget_class_bind_template_child (widget_class, TtoTopicBar, origin_label);
  gtk_widget_class_bind_template_callback (widget_class, on_main_clicked);
}

static void
tto_topic_bar_init (TtoTopicBar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The template's root: not bound, so disposing the template leaves it to AdwBin. */
  self->revealer = GTK_REVEALER (adw_bin_get_child (ADW_BIN (self)));
}

/* Follows @event's current topic (NULL: hides). */
void
tto_topic_bar_set_context (TtoTopicBar *self,
                           TtoSession *session,
                           TtoEvent *event)
{
  g_return_if_fail (TTO_IS_TOPIC_BAR (self));
  g_return_if_fail (session == NULL || TTO_IS_SESSION (session));
  g_return_if_fail (event == NULL || TTO_IS_EVENT (event));

  if (self->tree != NULL)
    g_signal_handlers_disconnect_by_data (self->tree, self);
  g_clear_object (&self->tree);
  g_clear_object (&self->event);
  g_clear_object (&self->session);
  if (session != NULL && event != NULL)
    {
      self->session = g_object_ref (session);
      self->event = g_object_ref (event);
      self->tree = g_object_ref (tto_session_get_topic_tree (session, event));
      g_signal_connect_object (self->tree, "notify::current", G_CALLBACK (update), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->tree, "changed", G_CALLBACK (update), self,
                               G_CONNECT_SWAPPED);
    }
  update (self);
}

gboolean
tto_topic_bar_get_revealed (TtoTopicBar *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_BAR (self), FALSE);

  return gtk_revealer_get_reveal_child (self->revealer);
}

/* "Main topic › Budget" as shown, or NULL in the main topic. */
char *
tto_topic_bar_dup_path (TtoTopicBar *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_BAR (self), NULL);

  if (!tto_topic_bar_get_revealed (self))
    return NULL;
  return g_strdup_printf ("%s › %s", _("Main topic"), gtk_label_get_label (self->path_label));
}

GtkButton *
tto_topic_bar_get_main_button (TtoTopicBar *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_BAR (self), NULL);

  return self->main_button;
}
