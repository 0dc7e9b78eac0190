/* tto-topic-view.c: an event's topic tree, its proposals and topic dialogs
 *
 * The tree is a GtkListView over a GtkTreeListModel of the event's
 * TtoTopicTree: one row per topic with its expander, title, message count
 * and unread badge, and a menu (rename, remove) for those allowed. Above it,
 * for the creator and topic_manage holders, a card per proposal the relay
 * made, with the title editable, Accept and Dismiss. Picking a topic makes
 * it the tree's current topic, which the chat shows; "topic-chosen" tells
 * the page holding this view (on a phone it then shows the chat again).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-client.h"

#include "tto-topic-view.h"

struct _TtoTopicView
{
  AdwBin parent_instance;

  AdwHeaderBar *header_bar;
  GtkButton *back_button;
  GtkWidget *proposal_box;
  GtkListBox *proposal_list;
  GtkListView *topic_list;

  TtoSession *session;
  TtoEvent *event;
  TtoTopicTree *tree;
  GtkTreeListModel *tree_model;
  GtkSingleSelection *selection;
  GCancellable *cancellable;
  AdwMessageDialog *dialog; /* the title or confirmation dialog open, unowned */
  GtkEditable *dialog_entry;
  GPtrArray *rows; /* the bound row widgets (GtkTreeExpander) */
  gboolean folded;
  gboolean syncing;
};

G_DEFINE_FINAL_TYPE (TtoTopicView, tto_topic_view, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_FOLDED,
  N_PROPS
};

enum
{
  TOPIC_CHOSEN,
  CLOSE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef enum
{
  DIALOG_CREATE, /* target: the message's msg_id */
  DIALOG_RENAME, /* target: the topic id */
  DIALOG_REMOVE, /* target: the topic id */
} DialogKind;

static void
toast (TtoTopicView *self,
       const char *text)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", text);
}

static char *
describe_error (const GError *error)
{
  if (error->domain == TTO_TOPIC_ERROR)
    return g_strdup (error->message);
  if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_NOT_FOUND))
    return g_strdup (_("This topic or message no longer exists."));
  if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_CONFLICT))
    return g_strdup (_("This cannot be done with this topic or message now."));
  if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_TOO_LARGE))
    return g_strdup_printf (g_dngettext (NULL, "A topic title has at most %d character",
                                         "A topic title has at most %d characters",
                                         TTO_PROTOCOL_MAX_TOPIC_TITLE_CHARS),
                            TTO_PROTOCOL_MAX_TOPIC_TITLE_CHARS);
  return tto_client_describe_error (error);
}

static void
show_error (TtoTopicView *self,
            const GError *error)
{
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  text = describe_error (error);
  toast (self, text);
}

static TtoTopic *
topic_at (TtoTopicView *self,
          guint position)
{
  g_autoptr (GtkTreeListRow) row = NULL;

  if (self->tree_model == NULL)
    return NULL;
  row = g_list_model_get_item (G_LIST_MODEL (self->tree_model), position);
  return row != NULL ? gtk_tree_list_row_get_item (row) : NULL;
}

/* The selection follows the current topic. */
static void
sync_selection (TtoTopicView *self)
{
  const char *current;
  guint n;

  if (self->tree == NULL || self->selection == NULL)
    return;
  current = tto_topic_tree_get_current (self->tree);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->tree_model));
  self->syncing = TRUE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TtoTopic) topic = topic_at (self, i);

      if (topic != NULL && g_strcmp0 (tto_topic_get_id (topic), current) == 0)
        {
          if (gtk_single_selection_get_selected (self->selection) != i)
            gtk_single_selection_set_selected (self->selection, i);
          self->syncing = FALSE;
          return;
        }
    }
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  self->syncing = FALSE;
}

/* Shows @topic_id in the chat, as if the user picked it here. */
void
tto_topic_view_choose (TtoTopicView *self,
                       const char *topic_id)
{
  g_return_if_fail (TTO_IS_TOPIC_VIEW (self));

  if (self->tree == NULL)
    return;
  tto_topic_tree_set_current (self->tree, topic_id);
  sync_selection (self);
  g_signal_emit (self, signals[TOPIC_CHOSEN], 0, tto_topic_tree_get_current (self->tree));
}

static void
on_selected_item_changed (TtoTopicView *self)
{
  g_autoptr (TtoTopic) topic = NULL;
  guint selected;

  if (self->syncing || self->tree == NULL)
    return;
  selected = gtk_single_selection_get_selected (self->selection);
  if (selected == GTK_INVALID_LIST_POSITION)
    return;
  topic = topic_at (self, selected);
  if (topic != NULL &&
      g_strcmp0 (tto_topic_get_id (topic), tto_topic_tree_get_current (self->tree)) != 0)
    tto_topic_view_choose (self, tto_topic_get_id (topic));
}

static void
on_topic_list_activate (GtkListView *list,
                        guint position,
                        TtoTopicView *self)
{
  g_autoptr (TtoTopic) topic = topic_at (self, position);

  if (topic != NULL)
    tto_topic_view_choose (self, tto_topic_get_id (topic));
}

static void
on_back_clicked (TtoTopicView *self)
{
  g_signal_emit (self, signals[CLOSE], 0);
}

/* Rows */

static void
update_row (GtkWidget *expander,
            TtoTopic *topic)
{
  GtkLabel *title = g_object_get_data (G_OBJECT (expander), "title");
  GtkLabel *count = g_object_get_data (G_OBJECT (expander), "count");
  GtkLabel *badge = g_object_get_data (G_OBJECT (expander), "badge");
  GtkWidget *box = gtk_tree_expander_get_child (GTK_TREE_EXPANDER (expander));
  g_autofree char *display = tto_topic_dup_display_title (topic);
  g_autofree char *messages = NULL;
  g_autofree char *unread = NULL;
  g_autofree char *description = NULL;
  guint n = tto_topic_get_message_count (topic);
  guint u = tto_topic_get_unread_count (topic);

  gtk_label_set_label (title, display);
  messages = g_strdup_printf ("%u", n);
  gtk_label_set_label (count, messages);
  unread = g_strdup_printf ("%u", u);
  gtk_label_set_label (badge, unread);
  gtk_widget_set_visible (GTK_WIDGET (badge), u > 0);
  gtk_widget_set_visible (GTK_WIDGET (count), u == 0);

  /* One sentence for screen readers instead of three numbers. */
  if (u > 0)
    description = g_strdup_printf (g_dngettext (NULL, "%s, %u unread message",
                                                "%s, %u unread messages", u),
                                   display, u);
  else
    description = g_strdup_printf (g_dngettext (NULL, "%s, %u message", "%s, %u messages", n),
                                   display, n);
  gtk_widget_set_tooltip_text (box, description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  description, -1);
}

static void
on_topic_notify (TtoTopic *topic,
                 GParamSpec *pspec,
                 GtkWidget *expander)
{
  update_row (expander, topic);
}

static void
on_row_released (GtkGestureClick *gesture,
                 int n_press,
                 double x,
                 double y,
                 TtoTopicView *self)
{
  GtkWidget *expander = gtk_widget_get_parent (
    gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture)));
  TtoTopic *topic = g_object_get_data (G_OBJECT (expander), "topic");

  /* Tapping the topic shown already: back to its chat (on a phone). */
  if (topic != NULL && self->tree != NULL &&
      g_strcmp0 (tto_topic_get_id (topic), tto_topic_tree_get_current (self->tree)) == 0)
    g_signal_emit (self, signals[TOPIC_CHOSEN], 0, tto_topic_get_id (topic));
}

static void
on_factory_setup (GtkSignalListItemFactory *factory,
                  GtkListItem *item,
                  TtoTopicView *self)
{
  GtkWidget *expander = gtk_tree_expander_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *count = gtk_label_new (NULL);
  GtkWidget *badge = gtk_label_new (NULL);
  GtkWidget *menu = gtk_menu_button_new ();
  GtkGesture *gesture = gtk_gesture_click_new ();

  gtk_widget_set_size_request (box, -1, 44);
  gtk_widget_add_css_class (box, "topic-row");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_add_css_class (count, "dim-label");
  gtk_widget_add_css_class (count, "numeric");
  gtk_widget_set_valign (count, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (badge, "unread-badge");
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu), "view-more-symbolic");
  gtk_menu_button_set_has_frame (GTK_MENU_BUTTON (menu), FALSE);
  gtk_widget_set_valign (menu, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (menu, _("Topic Menu"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (menu), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Topic menu"), -1);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), count);
  gtk_box_append (GTK_BOX (box), badge);
  gtk_box_append (GTK_BOX (box), menu);
  g_signal_connect (gesture, "released", G_CALLBACK (on_row_released), self);
  gtk_widget_add_controller (box, GTK_EVENT_CONTROLLER (gesture));
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (expander), box);
  g_object_set_data (G_OBJECT (expander), "title", title);
  g_object_set_data (G_OBJECT (expander), "count", count);
  g_object_set_data (G_OBJECT (expander), "badge", badge);
  g_object_set_data (G_OBJECT (expander), "menu", menu);
  gtk_list_item_set_child (item, expander);
}

static void
update_row_menu (TtoTopicView *self,
                 GtkWidget *expander)
{
  GtkWidget *menu = g_object_get_data (G_OBJECT (expander), "menu");
  TtoTopic *topic = g_object_get_data (G_OBJECT (expander), "topic");
  g_autoptr (GMenuModel) model = NULL;

  if (topic == NULL)
    return;
  model = tto_topic_view_build_topic_menu (self, topic);
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (menu), model);
  gtk_widget_set_visible (menu, g_menu_model_get_n_items (model) > 0);
}

static void
on_factory_bind (GtkSignalListItemFactory *factory,
                 GtkListItem *item,
                 TtoTopicView *self)
{
  GtkTreeListRow *row = gtk_list_item_get_item (item);
  GtkWidget *expander = gtk_list_item_get_child (item);
  g_autoptr (TtoTopic) topic = gtk_tree_list_row_get_item (row);

  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), row);
  g_object_set_data_full (G_OBJECT (expander), "topic", g_object_ref (topic), g_object_unref);
  update_row (expander, topic);
  g_signal_connect_object (topic, "notify::display-title", G_CALLBACK (on_topic_notify),
                           expander, 0);
  g_signal_connect_object (topic, "notify::message-count", G_CALLBACK (on_topic_notify),
                           expander, 0);
  g_signal_connect_object (topic, "notify::unread-count", G_CALLBACK (on_topic_notify),
                           expander, 0);

  update_row_menu (self, expander);
  g_ptr_array_add (self->rows, expander);
}

static void
on_factory_unbind (GtkSignalListItemFactory *factory,
                   GtkListItem *item,
                   TtoTopicView *self)
{
  GtkWidget *expander = gtk_list_item_get_child (item);
  TtoTopic *topic = g_object_get_data (G_OBJECT (expander), "topic");

  if (topic != NULL)
    g_signal_handlers_disconnect_by_data (topic, expander);
  g_ptr_array_remove_fast (self->rows, expander);
  g_object_set_data (G_OBJECT (expander), "topic", NULL);
  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), NULL);
}

/* Rename for managers and the topic's starter, remove for managers. */
GMenuModel *
tto_topic_view_build_topic_menu (TtoTopicView *self,
                                 TtoTopic *topic)
{
  GMenu *menu = g_menu_new ();

  g_return_val_if_fail (TTO_IS_TOPIC_VIEW (self), G_MENU_MODEL (menu));
  g_return_val_if_fail (TTO_IS_TOPIC (topic), G_MENU_MODEL (menu));

  if (self->tree == NULL || self->event == NULL || tto_topic_is_main (topic))
    return G_MENU_MODEL (menu);
  if (tto_topic_tree_can_rename (self->tree, self->event, topic))
    {
      g_autoptr (GMenuItem) item = g_menu_item_new (_("_Rename…"), NULL);

      g_menu_item_set_action_and_target_value (item, "topics.rename",
                                               g_variant_new_string (tto_topic_get_id (topic)));
      g_menu_append_item (menu, item);
    }
  if (tto_topic_tree_can_rename (self->tree, self->event, topic))
    {
      g_autoptr (GMenuItem) item = g_menu_item_new (_("Re_move…"), NULL);

      g_menu_item_set_action_and_target_value (item, "topics.remove",
                                               g_variant_new_string (tto_topic_get_id (topic)));
      g_menu_append_item (menu, item);
    }
  return G_MENU_MODEL (menu);
}

/* Proposals */

static void
on_decide_ready (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (TtoTopicView) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoTopic) topic = NULL;

  if (!tto_topic_tree_request_finish (TTO_TOPIC_TREE (object), result, &topic, &error))
    {
      show_error (self, error);
      return;
    }
  if (topic != NULL)
    {
      g_autofree char *title = tto_topic_dup_display_title (topic);
      g_autofree char *text = g_strdup_printf (_("“%s” is a sub-topic now"), title);

      toast (self, text);
    }
}

static void
on_proposal_accept (GtkButton *button,
                    TtoTopicView *self)
{
  TtoTopicProposal *proposal = g_object_get_data (G_OBJECT (button), "proposal");
  GtkEditable *entry = g_object_get_data (G_OBJECT (button), "entry");
  g_autoptr (GError) error = NULL;
  g_autofree char *title = NULL;

  if (self->tree == NULL)
    return;
  title = tto_topic_tree_check_title (gtk_editable_get_text (entry), &error);
  if (title == NULL)
    {
      show_error (self, error);
      gtk_widget_grab_focus (GTK_WIDGET (entry));
      return;
    }
  gtk_widget_set_sensitive (gtk_widget_get_parent (GTK_WIDGET (button)), FALSE);
  tto_topic_tree_decide_async (self->tree, tto_topic_proposal_get_id (proposal), TRUE, title,
                               self->cancellable, on_decide_ready, g_object_ref (self));
}

static void
on_proposal_dismiss (GtkButton *button,
                     TtoTopicView *self)
{
  TtoTopicProposal *proposal = g_object_get_data (G_OBJECT (button), "proposal");

  if (self->tree == NULL)
    return;
  gtk_widget_set_sensitive (gtk_widget_get_parent (GTK_WIDGET (button)), FALSE);
  tto_topic_tree_decide_async (self->tree, tto_topic_proposal_get_id (proposal), FALSE, NULL,
                               self->cancellable, on_decide_ready, g_object_ref (self));
}

static GtkWidget *
create_proposal_row (gpointer item,
                     gpointer user_data)
{
  TtoTopicView *self = user_data;
  TtoTopicProposal *proposal = item;
  g_autofree char *summary = tto_topic_proposal_dup_summary (proposal);
  g_autofree char *title = tto_topic_proposal_dup_suggested_title (proposal);
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *label = gtk_label_new (summary);
  GtkWidget *entry = gtk_entry_new ();
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *dismiss = gtk_button_new_with_mnemonic (_("_Dismiss"));
  GtkWidget *accept = gtk_button_new_with_mnemonic (_("_Accept"));
  GtkWidget *row = gtk_list_box_row_new ();

  gtk_widget_add_css_class (card, "card");
  gtk_widget_add_css_class (card, "topic-proposal");
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_editable_set_text (GTK_EDITABLE (entry), title);
  gtk_entry_set_max_length (GTK_ENTRY (entry), TTO_PROTOCOL_MAX_TOPIC_TITLE_CHARS);
  gtk_widget_set_tooltip_text (entry, _("Title of the new sub-topic"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Title of the new sub-topic"), -1);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_widget_add_css_class (accept, "suggested-action");
  gtk_widget_set_size_request (dismiss, -1, 44);
  gtk_widget_set_size_request (accept, -1, 44);
  g_object_set_data_full (G_OBJECT (accept), "proposal", g_object_ref (proposal), g_object_unref);
  g_object_set_data_full (G_OBJECT (dismiss), "proposal", g_object_ref (proposal), g_object_unref);
  g_object_set_data (G_OBJECT (accept), "entry", entry);
  g_object_set_data (G_OBJECT (row), "entry", entry);
  g_object_set_data (G_OBJECT (row), "accept", accept);
  g_object_set_data (G_OBJECT (row), "dismiss", dismiss);
  g_signal_connect_object (accept, "clicked", G_CALLBACK (on_proposal_accept), self, 0);
  g_signal_connect_object (dismiss, "clicked", G_CALLBACK (on_proposal_dismiss), self, 0);
  g_signal_connect_object (entry, "activate", G_CALLBACK (gtk_widget_activate), accept,
                           G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (buttons), dismiss);
  gtk_box_append (GTK_BOX (buttons), accept);
  gtk_box_append (GTK_BOX (card), label);
  gtk_box_append (GTK_BOX (card), entry);
  gtk_box_append (GTK_BOX (card), buttons);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), card);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_focusable (row, FALSE);
  return row;
}

static void
update_proposals (TtoTopicView *self)
{
  gboolean show = self->tree != NULL && self->event != NULL &&
                  tto_topic_tree_can_manage (self->tree, self->event) &&
                  g_list_model_get_n_items (tto_topic_tree_get_proposals (self->tree)) > 0;

  gtk_widget_set_visible (self->proposal_box, show);
}

/* Dialogs */

static void
on_request_ready (GObject *object,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (TtoTopicView) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!tto_topic_tree_request_finish (TTO_TOPIC_TREE (object), result, NULL, &error))
    show_error (self, error);
}

static void
on_create_ready (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (TtoTopicView) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoTopic) topic = NULL;

  if (!tto_topic_tree_request_finish (TTO_TOPIC_TREE (object), result, &topic, &error))
    {
      show_error (self, error);
      return;
    }
  /* The chat goes to the new topic. */
  if (topic != NULL && self->tree == TTO_TOPIC_TREE (object))
    tto_topic_view_choose (self, tto_topic_get_id (topic));
}

/* The dialog closed (after a response, or by its close button). */
static void
on_dialog_destroy (TtoTopicView *self)
{
  self->dialog = NULL;
  self->dialog_entry = NULL;
}

static void
forget_dialog (TtoTopicView *self)
{
  AdwMessageDialog *dialog = self->dialog;

  if (dialog == NULL)
    return;
  g_signal_handlers_disconnect_by_data (dialog, self);
  if (self->dialog_entry != NULL)
    g_signal_handlers_disconnect_by_data (self->dialog_entry, self);
  self->dialog = NULL;
  self->dialog_entry = NULL;
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
on_dialog_entry_changed (TtoTopicView *self)
{
  g_autofree char *title = NULL;

  if (self->dialog == NULL || self->dialog_entry == NULL)
    return;
  title = tto_topic_tree_check_title (gtk_editable_get_text (self->dialog_entry), NULL);
  adw_message_dialog_set_response_enabled (self->dialog, "ok", title != NULL);
}

static void
on_dialog_entry_activate (TtoTopicView *self)
{
  AdwMessageDialog *dialog = self->dialog;

  /* As the button would: answer, then close. */
  if (dialog != NULL && adw_message_dialog_get_response_enabled (dialog, "ok"))
    {
      adw_message_dialog_response (dialog, "ok");
      gtk_window_close (GTK_WINDOW (dialog));
    }
}

static void
on_dialog_response (AdwMessageDialog *dialog,
                    const char *response,
                    TtoTopicView *self)
{
  DialogKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "kind"));
  const char *target = g_object_get_data (G_OBJECT (dialog), "target");
  g_autoptr (GError) error = NULL;
  g_autofree char *title = NULL;

  if (g_strcmp0 (response, "ok") != 0 || self->tree == NULL)
    return;
  if (kind == DIALOG_REMOVE)
    {
      tto_topic_tree_remove_async (self->tree, target, self->cancellable, on_request_ready,
                                   g_object_ref (self));
      return;
    }
  title = tto_topic_tree_check_title (gtk_editable_get_text (self->dialog_entry), &error);
  if (title == NULL)
    {
      show_error (self, error);
      return;
    }
  if (kind == DIALOG_CREATE)
    tto_topic_tree_create_async (self->tree, target, title, self->cancellable, on_create_ready,
                                 g_object_ref (self));
  else
    tto_topic_tree_rename_async (self->tree, target, title, self->cancellable, on_request_ready,
                                 g_object_ref (self));
}

static AdwMessageDialog *
open_dialog (TtoTopicView *self,
             DialogKind kind,
             const char *target,
             const char *heading,
             const char *body,
             const char *response_label,
             const char *initial_title)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog;

  forget_dialog (self);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root)
                                                                            : NULL,
                                                       heading, body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "ok", response_label, NULL);
  adw_message_dialog_set_response_appearance (dialog, "ok",
                                              kind == DIALOG_REMOVE
                                                ? ADW_RESPONSE_DESTRUCTIVE
                                                : ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, kind == DIALOG_REMOVE ? "cancel" : "ok");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "kind", GINT_TO_POINTER (kind));
  g_object_set_data_full (G_OBJECT (dialog), "target", g_strdup (target), g_free);

  self->dialog_entry = NULL;
  if (kind != DIALOG_REMOVE)
    {
      GtkWidget *entry = gtk_entry_new ();

      gtk_entry_set_max_length (GTK_ENTRY (entry), TTO_PROTOCOL_MAX_TOPIC_TITLE_CHARS);
      gtk_editable_set_text (GTK_EDITABLE (entry), initial_title != NULL ? initial_title : "");
      gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Topic title"), -1);
      adw_message_dialog_set_extra_child (dialog, entry);
      self->dialog_entry = GTK_EDITABLE (entry);
      g_signal_connect_object (entry, "changed", G_CALLBACK (on_dialog_entry_changed), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (entry, "activate", G_CALLBACK (on_dialog_entry_activate), self,
                               G_CONNECT_SWAPPED);
    }
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_dialog_response), self, 0);
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (on_dialog_destroy), self,
                           G_CONNECT_SWAPPED);
  self->dialog = dialog;
  on_dialog_entry_changed (self);
  gtk_window_present (GTK_WINDOW (dialog));
  if (self->dialog_entry != NULL)
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->dialog_entry));
      gtk_editable_select_region (self->dialog_entry, 0, -1);
    }
  return dialog;
}

/* "Discuss this separately": asks for a title (the message's first words
 * to start with), then starts the sub-topic and shows it. */
void
tto_topic_view_discuss (TtoTopicView *self,
                        TtoMessage *message)
{
  g_autofree char *title = NULL;

  g_return_if_fail (TTO_IS_TOPIC_VIEW (self));
  g_return_if_fail (TTO_IS_MESSAGE (message));

  if (self->tree == NULL || tto_message_get_msg_id (message) == NULL)
    return;
  title = tto_topic_tree_suggest_title (tto_message_get_text (message));
  open_dialog (self, DIALOG_CREATE, tto_message_get_msg_id (message), _("Discuss Separately"),
               _("A sub-topic starts from this message. The message stays where it is."),
               _("_Start Topic"), title);
  tto_str_wipe_free (g_steal_pointer (&title));
}

static void
rename_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  TtoTopicView *self = TTO_TOPIC_VIEW (widget);
  TtoTopic *topic;

  if (self->tree == NULL ||
      (topic = tto_topic_tree_lookup (self->tree, g_variant_get_string (parameter, NULL))) == NULL)
    return;
  open_dialog (self, DIALOG_RENAME, tto_topic_get_id (topic), _("Rename Topic"), NULL,
               _("_Rename"), tto_topic_get_title (topic));
}

static void
remove_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  TtoTopicView *self = TTO_TOPIC_VIEW (widget);
  TtoTopic *topic;
  TtoTopic *parent;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *parent_title = NULL;

  if (self->tree == NULL ||
      (topic = tto_topic_tree_lookup (self->tree, g_variant_get_string (parameter, NULL))) == NULL)
    return;
  parent = tto_topic_tree_lookup (self->tree, tto_topic_get_parent_id (topic));
  parent_title = parent != NULL ? tto_topic_dup_display_title (parent) : g_strdup (_("Main topic"));
  heading = g_strdup_printf (_("Remove “%s”?"), tto_topic_get_title (topic));
  body = g_strdup_printf (_("Its messages and sub-topics move to “%s”."), parent_title);
  open_dialog (self, DIALOG_REMOVE, tto_topic_get_id (topic), heading, body, _("_Remove"), NULL);
}

/* GObject */

static void
on_tree_current_changed (TtoTopicView *self)
{
  sync_selection (self);
}

static void
on_tree_changed (TtoTopicView *self)
{
  /* Permissions may differ per topic: rows bind again on the next change;
   * the selection must follow moved rows now. */
  sync_selection (self);
  update_proposals (self);
}

/* The menus and the proposals depend on what the user may do. */
static void
on_event_permissions_changed (TtoTopicView *self)
{
  update_proposals (self);
  for (guint i = 0; i < self->rows->len; i++)
    update_row_menu (self, g_ptr_array_index (self->rows, i));
}

static void
clear_context (TtoTopicView *self)
{
  if (self->tree != NULL)
    g_signal_handlers_disconnect_by_data (self->tree, self);
  if (self->event != NULL)
    g_signal_handlers_disconnect_by_data (self->event, self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  forget_dialog (self);
  gtk_list_view_set_model (self->topic_list, NULL);
  gtk_list_box_bind_model (self->proposal_list, NULL, NULL, NULL, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->tree_model);
  g_clear_object (&self->tree);
  g_clear_object (&self->event);
  g_clear_object (&self->session);
}

static void
tto_topic_view_dispose (GObject *object)
{
  TtoTopicView *self = (TtoTopicView *) object;

  g_cancellable_cancel (self->cancellable);
  clear_context (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_TOPIC_VIEW);

  G_OBJECT_CLASS (tto_topic_view_parent_class)->dispose (object);
}

static void
tto_topic_view_finalize (GObject *object)
{
  TtoTopicView *self = (TtoTopicView *) object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (tto_topic_view_parent_class)->finalize (object);
}

static void
tto_topic_view_get_property (GObject *object,
                             guint prop_id,
                             GValue *value,
                             GParamSpec *pspec)
{
  TtoTopicView *self = TTO_TOPIC_VIEW (object);

  switch (prop_id)
    {
    case PROP_FOLDED:
      g_value_set_boolean (value, self->folded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_topic_view_set_property (GObject *object,
                             guint prop_id,
                             const GValue *value,
                             GParamSpec *pspec)
{
  TtoTopicView *self = TTO_TOPIC_VIEW (object);

  switch (prop_id)
    {
    case PROP_FOLDED:
      tto_topic_view_set_folded (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_topic_view_class_init (TtoTopicViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_topic_view_dispose;
  object_class->finalize = tto_topic_view_finalize;
  object_class->get_property = tto_topic_view_get_property;
  object_class->set_property = tto_topic_view_set_property;

  /* A page of its own (phone) rather than a sidebar. */
  properties[PROP_FOLDED] = g_param_spec_boolean ("folded", NULL, NULL, FALSE,
                                                  G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                                    G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[TOPIC_CHOSEN] = g_signal_new ("topic-chosen", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                        G_TYPE_STRING);
  signals[CLOSE] = g_signal_new ("close", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                 NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-topic-view.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoTopicView, header_bar);
  gtk_widget_class_bind_template_child (widget_class, TtoTopicView, back_button);
  gtk_widget_class_bind_template_child (widget_class, TtoTopicView, proposal_box);
  gtk_widget_class_bind_template_child (widget_class, TtoTopicView, proposal_list);
  gtk_widget_class_bind_template_child (widget_class, TtoTopicView, topic_list);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_topic_list_activate);

  gtk_widget_class_install_action (widget_class, "topics.rename", "s", rename_action);
  gtk_widget_class_install_action (widget_class, "topics.remove", "s", remove_action);
}

static void
tto_topic_view_init (TtoTopicView *self)
{
  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->rows = g_ptr_array_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (on_factory_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (on_factory_bind), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (on_factory_unbind), self);
  gtk_list_view_set_factory (self->topic_list, factory);
}

/* Public API */

TtoTopicView *
tto_topic_view_new (void)
{
  return g_object_new (TTO_TYPE_TOPIC_VIEW, NULL);
}

/* Shows @event's tree (NULL: nothing). */
void
tto_topic_view_set_context (TtoTopicView *self,
                            TtoSession *session,
                            TtoEvent *event)
{
  g_return_if_fail (TTO_IS_TOPIC_VIEW (self));
  g_return_if_fail (session == NULL || TTO_IS_SESSION (session));
  g_return_if_fail (event == NULL || TTO_IS_EVENT (event));

  if (self->session == session && self->event == event)
    return;
  clear_context (self);
  if (session == NULL || event == NULL)
    return;

  self->session = g_object_ref (session);
  self->event = g_object_ref (event);
  self->tree = g_object_ref (tto_session_get_topic_tree (session, event));
  self->tree_model = tto_topic_tree_create_tree_model (self->tree);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->tree_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_list_view_set_model (self->topic_list, GTK_SELECTION_MODEL (self->selection));
  gtk_list_box_bind_model (self->proposal_list, tto_topic_tree_get_proposals (self->tree),
                           create_proposal_row, self, NULL);

  g_signal_connect_object (self->selection, "notify::selected",
                           G_CALLBACK (on_selected_item_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "items-changed", G_CALLBACK (sync_selection), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tree, "notify::current", G_CALLBACK (on_tree_current_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tree, "changed", G_CALLBACK (on_tree_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (tto_topic_tree_get_proposals (self->tree), "items-changed",
                           G_CALLBACK (update_proposals), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (event, "notify::permissions",
                           G_CALLBACK (on_event_permissions_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (event, "notify::role", G_CALLBACK (on_event_permissions_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (event, "notify::ended", G_CALLBACK (on_event_permissions_changed),
                           self, G_CONNECT_SWAPPED);
  update_proposals (self);
  sync_selection (self);
}

TtoTopicTree *
tto_topic_view_get_tree (TtoTopicView *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_VIEW (self), NULL);

  return self->tree;
}

gboolean
tto_topic_view_get_folded (TtoTopicView *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_VIEW (self), FALSE);

  return self->folded;
}

/* Folded, the view is a page of its own with a way back and the window's
 * buttons; unfolded, a sidebar between the event list and the chat. */
void
tto_topic_view_set_folded (TtoTopicView *self,
                           gboolean folded)
{
  g_return_if_fail (TTO_IS_TOPIC_VIEW (self));

  folded = !!folded;
  if (self->folded == folded)
    return;
  self->folded = folded;
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), folded);
  adw_header_bar_set_show_end_title_buttons (self->header_bar, folded);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLDED]);
}

GtkListView *
tto_topic_view_get_list_view (TtoTopicView *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_VIEW (self), NULL);

  return self->topic_list;
}

GtkTreeListModel *
tto_topic_view_get_tree_model (TtoTopicView *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_VIEW (self), NULL);

  return self->tree_model;
}

GtkSingleSelection *
tto_topic_view_get_selection (TtoTopicView *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_VIEW (self), NULL);

  return self->selection;
}

/* The title or confirmation dialog open, or NULL. */
AdwMessageDialog *
tto_topic_view_get_dialog (TtoTopicView *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_VIEW (self), NULL);

  return self->dialog;
}

GtkEditable *
tto_topic_view_get_dialog_entry (TtoTopicView *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_VIEW (self), NULL);

  return self->dialog_entry;
}

gboolean
tto_topic_view_get_proposals_visible (TtoTopicView *self)
{
  g_return_val_if_fail (TTO_IS_TOPIC_VIEW (self), FALSE);

  return gtk_widget_get_visible (self->proposal_box);
}

GtkEditable *
tto_topic_view_get_proposal_entry (TtoTopicView *self,
                                   guint index)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (TTO_IS_TOPIC_VIEW (self), NULL);

  row = gtk_list_box_get_row_at_index (self->proposal_list, index);
  return row != NULL ? g_object_get_data (G_OBJECT (row), "entry") : NULL;
}

GtkButton *
tto_topic_view_get_proposal_button (TtoTopicView *self,
                                    guint index,
                                    gboolean accept)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (TTO_IS_TOPIC_VIEW (self), NULL);

  row = gtk_list_box_get_row_at_index (self->proposal_list, index);
  return row != NULL ? g_object_get_data (G_OBJECT (row), accept ? "accept" : "dismiss") : NULL;
}
