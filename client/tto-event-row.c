/* tto-event-row.c: one event in the home lists
 *
 * Title; the current stage of the event's flow, the member count; badges
 * for unread messages and mentions. The flow comes from the session
 * (asked for once per event) and updates with every flow.updated.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-client.h"

#include "tto-event-row.h"

struct _TtoEventRow
{
  GtkBox parent_instance;

  GtkLabel *title_label;
  GtkLabel *subtitle_label;
  GtkLabel *unread_label;
  GtkLabel *mention_label;

  TtoSession *session;
  TtoEvent *event;
  TtoFlow *flow;
};

G_DEFINE_FINAL_TYPE (TtoEventRow, tto_event_row, GTK_TYPE_BOX)

static void
update (TtoEventRow *self)
{
  g_autofree char *subtitle = NULL;
  g_autofree char *unread = NULL;
  g_autofree char *unread_description = NULL;
  guint unread_count;
  guint mentions;

  if (self->event == NULL)
    return;

  gtk_label_set_label (self->title_label, tto_event_get_title (self->event));
  if (tto_event_get_ended (self->event))
    subtitle = g_strdup (_("Ended"));
  else
    {
      g_autofree char *members = tto_client_format_member_count (tto_event_get_member_count (self->event));
      TtoFlowStage *stage = self->flow != NULL && tto_flow_get_loaded (self->flow)
                              ? tto_flow_get_current_stage (self->flow)
                              : NULL;

      if (stage != NULL)
        /* Translators: an event in the home list: "Plan confirmation · 12 members" */
        subtitle = g_strdup_printf (_("%s · %s"), tto_flow_stage_get_display_title (stage),
                                    members);
      else
        subtitle = g_steal_pointer (&members);
    }
  gtk_label_set_label (self->subtitle_label, subtitle);

  unread_count = tto_event_get_unread_count (self->event);
  unread = unread_count > 99 ? g_strdup ("99+") : g_strdup_printf ("%u", unread_count);
  gtk_label_set_label (self->unread_label, unread);
  unread_description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u unread message",
                                                     "%u unread messages", unread_count),
                                        unread_count);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->unread_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, unread_description, -1);
  gtk_widget_set_visible (GTK_WIDGET (self->unread_label), unread_count > 0);

  mentions = self->session != NULL ? tto_session_get_unread_mentions (self->session, self->event)
                                   : 0;
  if (mentions > 0)
    {
      g_autofree char *badge = mentions > 99 ? g_strdup ("@99+") : g_strdup_printf ("@%u", mentions);
      g_autofree char *description =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u unread mention of you",
                                      "%u unread mentions of you", mentions),
                         mentions);

      gtk_label_set_label (self->mention_label, badge);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->mention_label),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->mention_label), mentions > 0);
}

/* The flow of the event shown, once both are known. */
static void
attach_flow (TtoEventRow *self)
{
  TtoFlow *flow = NULL;

  if (self->session != NULL && self->event != NULL)
    flow = tto_session_ensure_flow (self->session, self->event);
  if (flow == self->flow)
    return;
  if (self->flow != NULL)
    g_signal_handlers_disconnect_by_data (self->flow, self);
  g_set_object (&self->flow, flow);
  if (flow != NULL)
    g_signal_connect_swapped (flow, "changed", G_CALLBACK (update), self);
}

static void
on_session_event_changed (TtoSession *session,
                          TtoEvent *event,
                          TtoEventRow *self)
{
  if (event == self->event)
    update (self);
}

static void
tto_event_row_dispose (GObject *object)
{
  TtoEventRow *self = (TtoEventRow *) object;

  tto_event_row_set_event (self, NULL);
  tto_event_row_set_session (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_EVENT_ROW);

  G_OBJECT_CLASS (tto_event_row_parent_class)->dispose (object);
}

static void
tto_event_row_class_init (TtoEventRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_event_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-event-row.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoEventRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, TtoEventRow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, TtoEventRow, unread_label);
  gtk_widget_class_bind_template_child (widget_class, TtoEventRow, mention_label);
}

static void
tto_event_row_init (TtoEventRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

TtoEventRow *
tto_event_row_new (void)
{
  return g_object_new (TTO_TYPE_EVENT_ROW, NULL);
}

void
tto_event_row_set_event (TtoEventRow *self,
                         TtoEvent *event)
{
  g_return_if_fail (TTO_IS_EVENT_ROW (self));

  if (self->event == event)
    return;

  if (self->event != NULL)
    g_signal_handlers_disconnect_by_data (self->event, self);
  g_set_object (&self->event, event);
  if (event != NULL)
    {
      g_signal_connect_swapped (event, "notify::title", G_CALLBACK (update), self);
      g_signal_connect_swapped (event, "notify::member-count", G_CALLBACK (update), self);
      g_signal_connect_swapped (event, "notify::unread-count", G_CALLBACK (update), self);
      g_signal_connect_swapped (event, "notify::ended", G_CALLBACK (update), self);
    }
  attach_flow (self);
  update (self);
}

TtoEvent *
tto_event_row_get_event (TtoEventRow *self)
{
  g_return_val_if_fail (TTO_IS_EVENT_ROW (self), NULL);

  return self->event;
}

/* The session counts the unread mentions shown beside the unread count. */
void
tto_event_row_set_session (TtoEventRow *self,
                           TtoSession *session)
{
  g_return_if_fail (TTO_IS_EVENT_ROW (self));

  if (self->session == session)
    return;
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    g_signal_connect (session, "event-changed", G_CALLBACK (on_session_event_changed), self);
  attach_flow (self);
  update (self);
}

guint
tto_event_row_get_mention_count (TtoEventRow *self)
{
  g_return_val_if_fail (TTO_IS_EVENT_ROW (self), 0);

  return gtk_widget_get_visible (GTK_WIDGET (self->mention_label)) && self->session != NULL &&
             self->event != NULL
           ? tto_session_get_unread_mentions (self->session, self->event)
           : 0;
}

/* "Plan confirmation · 12 members" as shown (tests). */
const char *
tto_event_row_get_subtitle (TtoEventRow *self)
{
  g_return_val_if_fail (TTO_IS_EVENT_ROW (self), NULL);

  return gtk_label_get_label (self->subtitle_label);
}
