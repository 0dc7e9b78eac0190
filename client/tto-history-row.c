/* tto-history-row.c: a row of the home page's history
 *
 * The event's title and dates, and a button that removes the entry
 * (home.delete-history with the entry's id, set when an entry is bound).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-history-row.h"

struct _TtoHistoryRow
{
  GtkBox parent_instance;

  GtkLabel *title_label;
  GtkLabel *dates_label;
  GtkButton *delete_button;
};

G_DEFINE_FINAL_TYPE (TtoHistoryRow, tto_history_row, GTK_TYPE_BOX)

static void
tto_history_row_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), TTO_TYPE_HISTORY_ROW);

  G_OBJECT_CLASS (tto_history_row_parent_class)->dispose (object);
}

static void
tto_history_row_class_init (TtoHistoryRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_history_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-history-row.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoHistoryRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, TtoHistoryRow, dates_label);
  gtk_widget_class_bind_template_child (widget_class, TtoHistoryRow, delete_button);
}

static void
tto_history_row_init (TtoHistoryRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
tto_history_row_new (void)
{
  return g_object_new (TTO_TYPE_HISTORY_ROW, NULL);
}

void
tto_history_row_set_entry (TtoHistoryRow *self,
                           TtoHistoryEntry *entry)
{
  g_autofree char *dates = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (TTO_IS_HISTORY_ROW (self));
  g_return_if_fail (entry == NULL || TTO_IS_HISTORY_ENTRY (entry));

  if (entry == NULL)
    {
      gtk_label_set_text (self->title_label, "");
      gtk_label_set_text (self->dates_label, "");
      return;
    }

  dates = tto_history_entry_format_dates (entry);
  gtk_label_set_text (self->title_label, tto_history_entry_get_title (entry));
  gtk_label_set_text (self->dates_label, dates);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->delete_button), "s",
                                    tto_history_entry_get_id (entry));
  /* Named only now: without a target the action could not be resolved. */
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->delete_button), "home.delete-history");
  /* Translators: accessible name of the button that removes one history
   * entry; %s is the event's title */
  label = g_strdup_printf (_("Remove “%s” from History"), tto_history_entry_get_title (entry));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->delete_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}
