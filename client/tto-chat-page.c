/* tto-chat-page.c: one event's chat
 *
 * A list view over the event's messages that follows new ones while the
 * user is at the bottom, a composer (Enter sends, Shift+Enter breaks the
 * line) and the states around them: connection lost, event ended.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-client.h"
#include "tto-event-info-window.h"
#include "tto-message-row.h"

#include "tto-chat-page.h"

/* The counter shows from here on. */
#define COUNTER_THRESHOLD (TTO_PROTOCOL_MAX_TEXT_CHARS - 500)

struct _TtoChatPage
{
  AdwBin parent_instance;

  AdwWindowTitle *window_title;
  GtkButton *back_button;
  GtkRevealer *banner_revealer;
  GtkSpinner *banner_spinner;
  GtkRevealer *announcement_revealer;
  GtkLabel *announcement_label;
  GtkStack *view_stack;
  AdwStatusPage *empty_status;
  GtkScrolledWindow *scrolled_window;
  GtkListView *message_list;
  GtkWidget *composer;
  GtkTextView *composer_view;
  GtkLabel *counter_label;
  GtkButton *send_button;
  AdwStatusPage *ended_status;

  TtoSession *session;
  TtoEvent *event;
  GListModel *messages;
  gboolean folded;
  gboolean stick_to_bottom;
};

G_DEFINE_FINAL_TYPE (TtoChatPage, tto_chat_page, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_FOLDED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
get_composer_text (TtoChatPage *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->composer_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
update_composer (TtoChatPage *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->composer_view);
  int chars = gtk_text_buffer_get_char_count (buffer);
  gboolean ended = self->event == NULL || tto_event_get_ended (self->event);
  gboolean has_text = FALSE;

  if (chars > 0)
    {
      GtkTextIter iter;

      /* Blank messages are not sent. */
      gtk_text_buffer_get_start_iter (buffer, &iter);
      do
        {
          if (!g_unichar_isspace (gtk_text_iter_get_char (&iter)))
            {
              has_text = TRUE;
              break;
            }
        }
      while (gtk_text_iter_forward_char (&iter));
    }

  if (chars >= COUNTER_THRESHOLD)
    {
      int left = TTO_PROTOCOL_MAX_TEXT_CHARS - chars;
      g_autofree char *text = g_strdup_printf ("%d", left);
      g_autofree char *description = NULL;

      if (left >= 0)
        description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d character left",
                                                    "%d characters left", left),
                                       left);
      else
        description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d character too many",
                                                    "%d characters too many", -left),
                                       -left);
      gtk_label_set_label (self->counter_label, text);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->counter_label), description);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->counter_label),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);
      if (left < 0)
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->counter_label), "error");
          gtk_widget_remove_css_class (GTK_WIDGET (self->counter_label), "dim-label");
        }
      else
        {
          gtk_widget_remove_css_class (GTK_WIDGET (self->counter_label), "error");
          gtk_widget_add_css_class (GTK_WIDGET (self->counter_label), "dim-label");
        }
    }
  gtk_widget_set_visible (GTK_WIDGET (self->counter_label), chars >= COUNTER_THRESHOLD);

  gtk_widget_set_sensitive (self->composer, !ended);
  /* An ended event takes no more messages; a greyed text field would still
   * look like it does. */
  gtk_widget_set_visible (self->composer, self->event == NULL || !ended);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.send",
                                 !ended && has_text && chars <= TTO_PROTOCOL_MAX_TEXT_CHARS);
}

static void
update_header (TtoChatPage *self)
{
  g_autofree char *subtitle = NULL;
  const char *announcement;

  if (self->event == NULL)
    {
      adw_window_title_set_title (self->window_title, "");
      adw_window_title_set_subtitle (self->window_title, NULL);
      gtk_revealer_set_reveal_child (self->announcement_revealer, FALSE);
      return;
    }

  adw_window_title_set_title (self->window_title, tto_event_get_title (self->event));
  if (tto_event_get_ended (self->event))
    subtitle = g_strdup (_("Ended"));
  else
    subtitle = tto_client_format_member_count (tto_event_get_member_count (self->event));
  adw_window_title_set_subtitle (self->window_title, subtitle);

  announcement = tto_event_get_announcement (self->event);
  gtk_label_set_label (self->announcement_label, announcement != NULL ? announcement : "");
  gtk_revealer_set_reveal_child (self->announcement_revealer,
                                 announcement != NULL && *announcement != '\0' &&
                                   !tto_event_get_ended (self->event));
}

static void
update_view (TtoChatPage *self)
{
  gboolean ended = self->event != NULL && tto_event_get_ended (self->event);
  gboolean empty = self->messages == NULL || g_list_model_get_n_items (self->messages) == 0;

  if (ended)
    {
      g_autofree char *reason = tto_client_format_end_reason (tto_event_get_end_reason (self->event));

      adw_status_page_set_description (self->ended_status, reason);
      gtk_stack_set_visible_child_name (self->view_stack, "ended");
    }
  else
    gtk_stack_set_visible_child_name (self->view_stack, "messages");

  gtk_widget_set_visible (GTK_WIDGET (self->empty_status), empty);
  update_header (self);
  update_composer (self);
}

static void
update_banner (TtoChatPage *self)
{
  gboolean lost = FALSE;

  if (self->session != NULL)
    lost = tto_connection_get_state (tto_session_get_connection (self->session)) !=
           TTO_CONNECTION_STATE_CONNECTED;

  gtk_revealer_set_reveal_child (self->banner_revealer, lost);
  gtk_spinner_set_spinning (self->banner_spinner, lost);
}

static void
scroll_to_bottom (TtoChatPage *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) -
                                          gtk_adjustment_get_page_size (adjustment));
}

static void
on_adjustment_changed (GtkAdjustment *adjustment,
                       GParamSpec *pspec,
                       TtoChatPage *self)
{
  if (self->stick_to_bottom)
    scroll_to_bottom (self);
}

static void
on_adjustment_value_changed (GtkAdjustment *adjustment,
                             TtoChatPage *self)
{
  self->stick_to_bottom = gtk_adjustment_get_value (adjustment) +
                            gtk_adjustment_get_page_size (adjustment) >=
                          gtk_adjustment_get_upper (adjustment) - 16;
}

static void
on_messages_changed (GListModel *model,
                     guint position,
                     guint removed,
                     guint added,
                     TtoChatPage *self)
{
  update_view (self);
  if (self->stick_to_bottom)
    scroll_to_bottom (self);
}

/* Factory */

static void
on_factory_setup (GtkSignalListItemFactory *factory,
                  GtkListItem *item,
                  gpointer user_data)
{
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_child (item, GTK_WIDGET (tto_message_row_new ()));
}

static void
on_factory_bind (GtkSignalListItemFactory *factory,
                 GtkListItem *item,
                 TtoChatPage *self)
{
  TtoMessage *message = gtk_list_item_get_item (item);
  gboolean own = self->session != NULL &&
                 g_strcmp0 (tto_message_get_sender_id (message),
                            tto_session_get_identity_id (self->session)) == 0;

  tto_message_row_set_message (TTO_MESSAGE_ROW (gtk_list_item_get_child (item)), message, own);
}

static void
on_factory_unbind (GtkSignalListItemFactory *factory,
                   GtkListItem *item,
                   gpointer user_data)
{
  tto_message_row_set_message (TTO_MESSAGE_ROW (gtk_list_item_get_child (item)), NULL, FALSE);
}

/* Actions */

static void
send_action (GtkWidget *widget,
             const char *action_name,
             GVariant *parameter)
{
  TtoChatPage *self = TTO_CHAT_PAGE (widget);
  g_autoptr (GError) error = NULL;
  char *text;
  TtoMessage *message;

  if (self->session == NULL || self->event == NULL)
    return;

  text = get_composer_text (self);
  message = tto_session_send_message (self->session, self->event, text, &error);
  tto_str_wipe_free (text);
  if (message == NULL)
    {
      g_autofree char *description = tto_client_describe_error (error);

      gtk_widget_activate_action (widget, "win.toast", "s", description);
      return;
    }

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->composer_view), "", -1);
  self->stick_to_bottom = TRUE;
  scroll_to_bottom (self);
}

static void
info_action (GtkWidget *widget,
             const char *action_name,
             GVariant *parameter)
{
  TtoChatPage *self = TTO_CHAT_PAGE (widget);
  TtoEventInfoWindow *window;

  if (self->session == NULL || self->event == NULL)
    return;

  window = tto_event_info_window_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->session,
                                      self->event);
  gtk_window_present (GTK_WINDOW (window));
}

static gboolean
on_composer_key_pressed (GtkEventControllerKey *controller,
                         guint keyval,
                         guint keycode,
                         GdkModifierType state,
                         TtoChatPage *self)
{
  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_ISO_Enter) &&
      (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK)) == 0)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "chat.send", NULL);
      return TRUE;
    }
  return FALSE;
}

/* GObject */

static void
tto_chat_page_dispose (GObject *object)
{
  TtoChatPage *self = (TtoChatPage *) object;

  tto_chat_page_set_event (self, NULL);
  tto_chat_page_set_session (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_CHAT_PAGE);

  G_OBJECT_CLASS (tto_chat_page_parent_class)->dispose (object);
}

static void
tto_chat_page_get_property (GObject *object,
                            guint prop_id,
                            GValue *value,
                            GParamSpec *pspec)
{
  TtoChatPage *self = TTO_CHAT_PAGE (object);

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
tto_chat_page_set_property (GObject *object,
                            guint prop_id,
                            const GValue *value,
                            GParamSpec *pspec)
{
  TtoChatPage *self = TTO_CHAT_PAGE (object);

  switch (prop_id)
    {
    case PROP_FOLDED:
      self->folded = g_value_get_boolean (value);
      gtk_widget_set_visible (GTK_WIDGET (self->back_button), self->folded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_chat_page_class_init (TtoChatPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_chat_page_dispose;
  object_class->get_property = tto_chat_page_get_property;
  object_class->set_property = tto_chat_page_set_property;

  properties[PROP_FOLDED] = g_param_spec_boolean ("folded", NULL, NULL, FALSE,
                                                  G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-chat-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, banner_spinner);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, announcement_revealer);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, announcement_label);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, empty_status);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, message_list);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, composer);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, composer_view);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, counter_label);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, send_button);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, ended_status);

  gtk_widget_class_install_action (widget_class, "chat.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "chat.info", NULL, info_action);
}

static void
tto_chat_page_init (TtoChatPage *self)
{
  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkEventController *controller;
  GtkAdjustment *adjustment;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->stick_to_bottom = TRUE;
  g_signal_connect (factory, "setup", G_CALLBACK (on_factory_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (on_factory_bind), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (on_factory_unbind), self);
  gtk_list_view_set_factory (self->message_list, factory);

  adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);
  g_signal_connect_object (adjustment, "notify::upper", G_CALLBACK (on_adjustment_changed), self,
                           0);
  g_signal_connect_object (adjustment, "notify::page-size", G_CALLBACK (on_adjustment_changed),
                           self, 0);
  g_signal_connect_object (adjustment, "value-changed", G_CALLBACK (on_adjustment_value_changed),
                           self, 0);

  /* Capture phase: Enter must send before the text view inserts a line. */
  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "key-pressed", G_CALLBACK (on_composer_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->composer_view), controller);

  g_signal_connect_object (gtk_text_view_get_buffer (self->composer_view), "changed",
                           G_CALLBACK (update_composer), self, G_CONNECT_SWAPPED);
  update_view (self);
}

/* Public API */

void
tto_chat_page_set_session (TtoChatPage *self,
                           TtoSession *session)
{
  g_return_if_fail (TTO_IS_CHAT_PAGE (self));
  g_return_if_fail (session == NULL || TTO_IS_SESSION (session));

  if (self->session == session)
    return;

  tto_chat_page_set_event (self, NULL);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (tto_session_get_connection (self->session), self);
  g_set_object (&self->session, session);
  if (session != NULL)
    g_signal_connect_object (tto_session_get_connection (session), "notify::state",
                             G_CALLBACK (update_banner), self, G_CONNECT_SWAPPED);
  update_banner (self);
}

TtoEvent *
tto_chat_page_get_event (TtoChatPage *self)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), NULL);

  return self->event;
}

void
tto_chat_page_set_event (TtoChatPage *self,
                         TtoEvent *event)
{
  g_return_if_fail (TTO_IS_CHAT_PAGE (self));
  g_return_if_fail (event == NULL || TTO_IS_EVENT (event));

  if (self->event == event)
    return;

  if (self->event != NULL)
    g_signal_handlers_disconnect_by_data (self->event, self);
  if (self->messages != NULL)
    g_signal_handlers_disconnect_by_data (self->messages, self);
  g_clear_object (&self->messages);
  g_set_object (&self->event, event);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->composer_view), "", -1);
  self->stick_to_bottom = TRUE;

  if (event != NULL && self->session != NULL)
    {
      g_autoptr (GtkNoSelection) selection = NULL;

      self->messages = g_object_ref (tto_session_get_messages (self->session, event));
      selection = gtk_no_selection_new (g_object_ref (self->messages));
      gtk_list_view_set_model (self->message_list, GTK_SELECTION_MODEL (selection));
      g_signal_connect (self->messages, "items-changed", G_CALLBACK (on_messages_changed), self);
      g_signal_connect_swapped (event, "notify::title", G_CALLBACK (update_header), self);
      g_signal_connect_swapped (event, "notify::announcement", G_CALLBACK (update_header), self);
      g_signal_connect_swapped (event, "notify::member-count", G_CALLBACK (update_header), self);
      g_signal_connect_swapped (event, "notify::ended", G_CALLBACK (update_view), self);
    }
  else
    gtk_list_view_set_model (self->message_list, NULL);

  update_view (self);
}

void
tto_chat_page_focus_composer (TtoChatPage *self)
{
  g_return_if_fail (TTO_IS_CHAT_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->composer_view));
}

GtkTextBuffer *
tto_chat_page_get_composer_buffer (TtoChatPage *self)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), NULL);

  return gtk_text_view_get_buffer (self->composer_view);
}

GtkListView *
tto_chat_page_get_message_list (TtoChatPage *self)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), NULL);

  return self->message_list;
}

gboolean
tto_chat_page_get_showing_ended (TtoChatPage *self)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), FALSE);

  return g_strcmp0 (gtk_stack_get_visible_child_name (self->view_stack), "ended") == 0 &&
         !gtk_widget_get_sensitive (self->composer);
}

gboolean
tto_chat_page_get_banner_revealed (TtoChatPage *self)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), FALSE);

  return gtk_revealer_get_reveal_child (self->banner_revealer);
}
