/* tto-chat-page.c: one event's chat
 *
 * A list view over the event's messages that follows new ones while the
 * user is at the bottom, a composer (Enter sends, Shift+Enter breaks the
 * line, an input method may take Enter first) and the states around them:
 * connection lost, event ended. Replies and edits show a bar above the
 * composer; "@" offers the members to mention. The highest message seen
 * in a focused window is reported as read; a divider marks where the
 * unread messages began, and a button jumps back to the latest.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gi18n.h>

#include "tto-client.h"
#include "tto-event-info-window.h"
#include "tto-export.h"
#include "tto-attachment-view.h"
#include "tto-media-upload.h"
#include "tto-message-row.h"
#include "tto-system-text.h"
#include "tto-flow-page.h"
#include "tto-topic-bar.h"
#include "tto-topic-view.h"

#include "tto-chat-page.h"

/* The counter shows from here on. */
#define COUNTER_THRESHOLD (TTO_PROTOCOL_MAX_TEXT_CHARS - 500)
/* Mention queries longer than this are not names. */
#define MAX_MENTION_QUERY 64

struct _TtoChatPage
{
  AdwBin parent_instance;

  GtkLabel *title_label; /* two lines at most: the header is narrow on a phone */
  GtkLabel *subtitle_label;
  /* Event flow: the entry under the header */
  GtkWidget *flow_button;
  GtkLabel *flow_label;
  TtoFlow *flow;
  GtkWidget *call_button; /* calls */
  GMenu *calls_section;   /* the calls in the chat menu, when folded */
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
  GtkLabel *eliminated_label; /* event flow: why an eliminated member cannot send */
  GtkTextView *composer_view;
  GtkLabel *counter_label;
  GtkButton *send_button;
  GtkWidget *attach_button;
  GtkWidget *sticker_button;
  GtkWidget *video_button;
  GtkWidget *voice_button;
  GtkWidget *composer_scroll;
  GtkLabel *recording_label;
  AdwStatusPage *ended_status;
  GtkMenuButton *menu_button;
  GtkRevealer *jump_revealer;
  GtkRevealer *reply_revealer;
  GtkImage *reply_icon;
  GtkLabel *reply_title_label;
  GtkLabel *reply_text_label;
  GtkButton *reply_cancel_button;

  /* Topics: the list shows the current topic's messages only. */
  AdwLeaflet *topics_leaflet;
  TtoTopicView *topic_view;
  GtkWidget *topics_button;
  GtkWidget *info_button;
  TtoTopicBar *topic_bar;
  TtoTopicTree *topics;
  GtkFilter *topic_filter;

  GtkPopover *mention_popover;
  GtkListView *mention_list;
  GListStore *mention_candidates; /* TtoMember; "all" for everyone */
  GtkFilterListModel *mention_filtered;
  GtkSingleSelection *mention_selection;
  char *mention_query;
  GHashTable *mentions; /* display name → identity id, as inserted */

  TtoSession *session;
  TtoEvent *event;
  GListModel *messages;
  GPtrArray *rows; /* the bound TtoMessageRows */
  TtoMessage *reply_to;
  TtoMessage *editing;
  gint64 divider_seq; /* the first unread message when the chat opened */
  gboolean scroll_to_divider;
  GtkWindow *root;
  guint read_source;
  guint flash_source;
  TtoMessage *flash_message;
  GCancellable *cancellable;

  AdwMessageDialog *export_dialog;
  GtkProgressBar *export_progress;
  GCancellable *export_cancellable;
  GtkFileChooserNative *export_chooser;
  GtkFileChooserNative *attach_chooser;
  GtkFileChooserNative *sticker_chooser;
  TtoStickerLibrary *sticker_library;
  GtkPopover *sticker_popover;
  GtkDropDown *sticker_packs;
  GtkGridView *sticker_grid;
  GtkStack *sticker_stack;
  GtkWindow *video_dialog;
  TtoVideoRecorder *video_recorder;
  GtkPicture *video_picture;
  GtkLabel *video_label;
  GtkButton *video_record_button;
  GtkWidget *video_send_button;
  GBytes *video_recording;
  TtoEvent *video_event;
  GCancellable *video_cancellable;
  gboolean video_send_when_stopped;
  TtoVoiceRecorder *recorder;
  GCancellable *voice_cancellable;
  guint recording_source;
  gboolean voice_send_on_start; /* released before the microphone opened */
  gboolean exporting;
  GError *export_error;

  gboolean folded;
  gboolean stick_to_bottom;
};

G_DEFINE_FINAL_TYPE (TtoChatPage, tto_chat_page, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_FOLDED,
  PROP_MUTED,
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
  /* Event flow: eliminated members read on but the relay takes nothing
   * from them; the composer gives way to the reason. */
  gboolean eliminated = !ended && self->flow != NULL && self->session != NULL &&
                        tto_flow_is_eliminated (self->flow,
                                                tto_session_get_identity_id (self->session));

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

  gtk_widget_set_sensitive (self->composer, !ended && !eliminated);
  /* An ended event takes no more messages; a greyed text field would still
   * look like it does. */
  gtk_widget_set_visible (self->composer, (self->event == NULL || !ended) && !eliminated);
  gtk_widget_set_visible (GTK_WIDGET (self->eliminated_label), eliminated);
  ended = ended || eliminated;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.send",
                                 !ended && has_text && chars <= TTO_PROTOCOL_MAX_TEXT_CHARS);
  gtk_widget_set_visible (self->attach_button,
                          self->recorder == NULL && self->event != NULL &&
                          tto_event_has_form (self->event, TTO_FORM_FILE));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.attach",
                                 !ended && self->event != NULL &&
                                 tto_event_has_form (self->event, TTO_FORM_FILE));
  gtk_widget_set_visible (self->sticker_button,
                          self->recorder == NULL && self->event != NULL &&
                          tto_event_has_form (self->event, TTO_FORM_FILE));
  /* On a phone the composer has no room for it: the menu has it too. */
  gtk_widget_set_visible (self->video_button,
                          !self->folded && self->recorder == NULL && self->event != NULL &&
                          tto_event_has_form (self->event, TTO_FORM_VIDEO_MESSAGE));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.video-message",
                                 !ended && self->event != NULL &&
                                 tto_event_has_form (self->event, TTO_FORM_VIDEO_MESSAGE));
  gtk_widget_set_visible (self->voice_button,
                          self->event != NULL &&
                          tto_event_has_form (self->event, TTO_FORM_VOICE_MESSAGE));
}

/* Event flow: "Needs discussion · day 2", once the flow is known. */
static void
update_flow_entry (TtoChatPage *self)
{
  g_autofree char *text = NULL;

  if (self->flow != NULL && tto_flow_get_loaded (self->flow))
    text = tto_flow_format_entry (self->flow, g_get_real_time () / G_USEC_PER_SEC);
  gtk_label_set_label (self->flow_label, text != NULL ? text : "");
  gtk_widget_set_visible (self->flow_button, text != NULL && self->event != NULL &&
                                               !tto_event_get_ended (self->event));
  update_composer (self); /* elimination */
  if (text != NULL)
    {
      /* Translators: the accessible name of the flow entry; %s is "Stage · day N" */
      g_autofree char *name = g_strdup_printf (_("Event flow: %s"), text);

      gtk_accessible_update_property (GTK_ACCESSIBLE (self->flow_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
    }
}

/* Why the composer is gone for an eliminated member, or NULL (tests). */
const char *
tto_chat_page_get_send_blocked_text (TtoChatPage *self)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self->eliminated_label))
           ? gtk_label_get_label (self->eliminated_label)
           : NULL;
}

/* The flow entry's text, or "" while hidden (tests). */
const char *
tto_chat_page_get_flow_text (TtoChatPage *self)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), NULL);

  return gtk_widget_get_visible (self->flow_button) ? gtk_label_get_label (self->flow_label) : "";
}

static void
update_header (TtoChatPage *self)
{
  g_autofree char *subtitle = NULL;
  const char *announcement;

  if (self->event == NULL)
    {
      gtk_label_set_label (self->title_label, "");
      gtk_widget_set_visible (self->call_button, FALSE); /* calls */
      g_menu_remove_all (self->calls_section);
      gtk_label_set_label (self->subtitle_label, "");
      gtk_revealer_set_reveal_child (self->announcement_revealer, FALSE);
      return;
    }

  gtk_label_set_label (self->title_label, tto_event_get_title (self->event));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), tto_event_get_title (self->event));
  /* Calls: one button (the header must fit 360 px) with the forms the
   * creator enabled, while the event lives. */
  {
    g_autoptr (GMenu) calls = g_menu_new ();

    if (tto_event_has_form (self->event, TTO_FORM_VOICE_CALL))
      g_menu_append (calls, _("Voice Call"), "win.call-start::audio");
    if (tto_event_has_form (self->event, TTO_FORM_VIDEO_CALL))
      g_menu_append (calls, _("Video Call"), "win.call-start::video");
    gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (self->call_button), G_MENU_MODEL (calls));
    /* On a phone the title needs the room: the calls go into the menu. */
    gtk_widget_set_visible (self->call_button,
                            !self->folded && g_menu_model_get_n_items (G_MENU_MODEL (calls)) > 0);
    gtk_widget_set_sensitive (self->call_button, !tto_event_get_ended (self->event));
    g_menu_remove_all (self->calls_section);
    for (int i = 0; self->folded && !tto_event_get_ended (self->event) &&
                    i < g_menu_model_get_n_items (G_MENU_MODEL (calls));
         i++)
      {
        g_autoptr (GMenuItem) item = g_menu_item_new_from_model (G_MENU_MODEL (calls), i);

        g_menu_append_item (self->calls_section, item);
      }
  }
  if (tto_event_get_ended (self->event))
    subtitle = g_strdup (_("Ended"));
  else
    subtitle = tto_client_format_member_count (tto_event_get_member_count (self->event));
  gtk_label_set_label (self->subtitle_label, subtitle);

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

static void schedule_read_check (TtoChatPage *self);

static void
toast (TtoChatPage *self,
       const char *text)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", text);
}

static void
scroll_to_bottom (TtoChatPage *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);
  guint n = self->messages != NULL ? g_list_model_get_n_items (self->messages) : 0;

  /* The list only estimates the height of rows it has not made, so the
   * adjustment's end is not always the last message: ask for that one. */
  if (n > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->message_list), "list.scroll-to-item", "u",
                                n - 1);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) -
                                          gtk_adjustment_get_page_size (adjustment));
}

static void
update_jump_button (TtoChatPage *self)
{
  gboolean show = !self->stick_to_bottom && self->messages != NULL &&
                  g_list_model_get_n_items (self->messages) > 0;

  gtk_revealer_set_reveal_child (self->jump_revealer, show);
  gtk_widget_set_can_target (GTK_WIDGET (self->jump_revealer), show);
}

static void
scroll_to_position (TtoChatPage *self,
                    guint position)
{
  self->stick_to_bottom = FALSE;
  gtk_widget_activate_action (GTK_WIDGET (self->message_list), "list.scroll-to-item", "u",
                              position);
  update_jump_button (self);
}

/* Seqs have no gaps: the first unread message is the one after the read
 * position, whether it has arrived yet or not. */
static void
reset_divider (TtoChatPage *self)
{
  gint64 read;

  self->divider_seq = 0;
  self->scroll_to_divider = FALSE;
  if (self->session == NULL || self->event == NULL)
    return;

  read = tto_session_get_own_read_position (self->session, self->event);
  if (tto_event_get_last_seq (self->event) > read)
    {
      self->divider_seq = read + 1;
      self->scroll_to_divider = read > 0;
      self->stick_to_bottom = read == 0;
    }
}

/* Topics: where @message is in the list shown (the current topic's).
 * Sent messages are in seq order, pending ones after them. */
static gboolean
find_shown_position (TtoChatPage *self,
                     TtoMessage *message,
                     guint *position)
{
  guint n = self->messages != NULL ? g_list_model_get_n_items (self->messages) : 0;
  guint lo = 0, hi = n;
  gint64 seq;

  if (message == NULL)
    return FALSE;
  if (tto_message_get_state (message) != TTO_MESSAGE_STATE_SENT)
    {
      for (guint i = n; i-- > 0;)
        {
          g_autoptr (TtoMessage) item = g_list_model_get_item (self->messages, i);

          if (item == message)
            {
              *position = i;
              return TRUE;
            }
        }
      return FALSE;
    }

  seq = tto_message_get_seq (message);
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      g_autoptr (TtoMessage) item = g_list_model_get_item (self->messages, mid);

      if (item == message)
        {
          *position = mid;
          return TRUE;
        }
      if (tto_message_get_state (item) == TTO_MESSAGE_STATE_SENT &&
          tto_message_get_seq (item) < seq)
        lo = mid + 1;
      else
        hi = mid;
    }
  return FALSE;
}

/* The divider goes above the first message after the read position. */
static void
place_divider (TtoChatPage *self)
{
  guint position;

  if (self->divider_seq == 0 || self->session == NULL || self->event == NULL)
    return;

  for (guint i = 0; i < self->rows->len; i++)
    {
      TtoMessageRow *row = g_ptr_array_index (self->rows, i);
      TtoMessage *message = tto_message_row_get_message (row);

      tto_message_row_set_show_divider (row, message != NULL &&
                                               tto_message_get_seq (message) == self->divider_seq);
    }

  if (self->scroll_to_divider &&
      find_shown_position (self, tto_session_find_message (self->session, self->event,
                                                           self->divider_seq, NULL),
                           &position))
    {
      self->scroll_to_divider = FALSE;
      scroll_to_position (self, position);
    }
}

static void
on_adjustment_changed (GtkAdjustment *adjustment,
                       GParamSpec *pspec,
                       TtoChatPage *self)
{
  if (self->stick_to_bottom)
    scroll_to_bottom (self);
  schedule_read_check (self);
}

static void
on_adjustment_value_changed (GtkAdjustment *adjustment,
                             TtoChatPage *self)
{
  self->stick_to_bottom = gtk_adjustment_get_value (adjustment) +
                            gtk_adjustment_get_page_size (adjustment) >=
                          gtk_adjustment_get_upper (adjustment) - 16;
  update_jump_button (self);
  schedule_read_check (self);
}

static void
on_messages_changed (GListModel *model,
                     guint position,
                     guint removed,
                     guint added,
                     TtoChatPage *self)
{
  update_view (self);
  place_divider (self);
  if (self->stick_to_bottom)
    scroll_to_bottom (self);
  update_jump_button (self);
  schedule_read_check (self);
}

/* Read receipts: the newest confirmed message visible in a focused window
 * counts as read, with everything before it. */

static gboolean
check_read (gpointer user_data)
{
  TtoChatPage *self = user_data;
  graphene_rect_t bounds;
  int height;
  gint64 seen = 0;

  self->read_source = 0;
  if (self->session == NULL || self->event == NULL || self->root == NULL ||
      !gtk_window_is_active (self->root) ||
      tto_session_get_open_event (self->session) != self->event ||
      !gtk_widget_get_mapped (GTK_WIDGET (self->message_list)))
    return G_SOURCE_REMOVE;

  height = gtk_widget_get_height (GTK_WIDGET (self->scrolled_window));
  for (guint i = 0; i < self->rows->len; i++)
    {
      TtoMessageRow *row = g_ptr_array_index (self->rows, i);
      TtoMessage *message = tto_message_row_get_message (row);

      if (message == NULL || tto_message_get_state (message) != TTO_MESSAGE_STATE_SENT ||
          !gtk_widget_get_mapped (GTK_WIDGET (row)) ||
          !gtk_widget_compute_bounds (GTK_WIDGET (row), GTK_WIDGET (self->scrolled_window),
                                      &bounds))
        continue;
      /* Half of it on screen is enough. */
      if (bounds.origin.y + bounds.size.height / 2 >= 0 &&
          bounds.origin.y + bounds.size.height / 2 <= height)
        seen = MAX (seen, tto_message_get_seq (message));
    }

  if (seen > 0)
    tto_session_mark_read (self->session, self->event, seen);
  if (seen > 0 && self->topics != NULL)
    tto_topic_tree_mark_read (self->topics, tto_topic_tree_get_current (self->topics), seen);
  return G_SOURCE_REMOVE;
}

static void
schedule_read_check (TtoChatPage *self)
{
  if (self->read_source == 0)
    self->read_source = g_timeout_add (50, check_read, self);
}

static void
on_root_active_changed (TtoChatPage *self)
{
  schedule_read_check (self);
}

static void
on_map (GtkWidget *widget)
{
  TtoChatPage *self = TTO_CHAT_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (self->root != NULL)
    g_signal_handlers_disconnect_by_data (self->root, self);
  self->root = GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
  if (self->root != NULL)
    g_signal_connect_swapped (self->root, "notify::is-active",
                              G_CALLBACK (on_root_active_changed), self);
  schedule_read_check (self);
}

static void
on_unmap (GtkWidget *widget)
{
  TtoChatPage *self = TTO_CHAT_PAGE (widget);

  if (self->root != NULL)
    g_signal_handlers_disconnect_by_data (self->root, self);
  self->root = NULL;
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
  TtoMessageRow *row = TTO_MESSAGE_ROW (gtk_list_item_get_child (item));
  gboolean own = self->session != NULL &&
                 g_strcmp0 (tto_message_get_sender_id (message),
                            tto_session_get_identity_id (self->session)) == 0;

  tto_message_row_set_context (row, self->session, self->event);
  tto_message_row_set_message (row, message, own);
  tto_message_row_set_show_divider (row, self->divider_seq != 0 &&
                                           tto_message_get_seq (message) == self->divider_seq);
  g_ptr_array_add (self->rows, row);
  schedule_read_check (self);
}

static void
on_factory_unbind (GtkSignalListItemFactory *factory,
                   GtkListItem *item,
                   TtoChatPage *self)
{
  TtoMessageRow *row = TTO_MESSAGE_ROW (gtk_list_item_get_child (item));

  g_ptr_array_remove_fast (self->rows, row);
  tto_message_row_set_message (row, NULL, FALSE);
  tto_message_row_set_show_divider (row, FALSE);
}

static TtoMessageRow *
find_bound_row (TtoChatPage *self,
                TtoMessage *message)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      TtoMessageRow *row = g_ptr_array_index (self->rows, i);

      if (tto_message_row_get_message (row) == message)
        return row;
    }
  return NULL;
}

static void
on_session_receipts_changed (TtoSession *session,
                             TtoEvent *event,
                             TtoChatPage *self)
{
  if (event != self->event)
    return;
  for (guint i = 0; i < self->rows->len; i++)
    tto_message_row_update_receipts (g_ptr_array_index (self->rows, i));
}

/* Reply and edit bar */

static void
clear_mentions (TtoChatPage *self)
{
  g_hash_table_remove_all (self->mentions);
}

static void
set_composer_text (TtoChatPage *self,
                   const char *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->composer_view), text, -1);
}

static void
update_reply_bar (TtoChatPage *self)
{
  TtoMessage *message = self->editing != NULL ? self->editing : self->reply_to;
  g_autofree char *title = NULL;
  g_autofree char *excerpt = NULL;

  if (message == NULL)
    {
      gtk_revealer_set_reveal_child (self->reply_revealer, FALSE);
      gtk_label_set_label (self->reply_text_label, "");
      return;
    }

  if (self->editing != NULL)
    {
      title = g_strdup (_("Edit Message"));
      gtk_image_set_from_icon_name (self->reply_icon, "document-edit-symbolic");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->reply_cancel_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Cancel editing"), -1);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->reply_cancel_button), _("Cancel Editing"));
    }
  else
    {
      /* Translators: %s is a display name */
      title = g_strdup_printf (_("Reply to %s"), tto_message_get_sender_name (message));
      gtk_image_set_from_icon_name (self->reply_icon, "mail-reply-sender-symbolic");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->reply_cancel_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Cancel reply"), -1);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->reply_cancel_button), _("Cancel Reply"));
    }
  if (tto_message_get_system (message))
    {
      /* The relay's text is English; quote the line as the chat shows it. */
      g_autofree char *line = tto_system_text_for_message (message);

      excerpt = tto_message_make_excerpt (line);
    }
  else
    excerpt = tto_message_make_excerpt (tto_message_get_text (message));
  gtk_label_set_label (self->reply_title_label, title);
  gtk_label_set_label (self->reply_text_label, excerpt);
  tto_str_wipe_free (g_steal_pointer (&excerpt));
  gtk_revealer_set_reveal_child (self->reply_revealer, TRUE);
}

static void
on_reply_target_notify (TtoMessage *message,
                        GParamSpec *pspec,
                        TtoChatPage *self)
{
  /* The message went away under the bar (recalled): drop the bar. */
  if (tto_message_get_recalled (message))
    {
      gboolean was_editing = message == self->editing;

      g_signal_handlers_disconnect_by_data (message, self);
      if (was_editing)
        {
          g_clear_object (&self->editing);
          set_composer_text (self, "");
        }
      else
        g_clear_object (&self->reply_to);
      update_reply_bar (self);
    }
}

static void
set_target (TtoChatPage *self,
            TtoMessage **slot,
            TtoMessage *message)
{
  if (*slot != NULL)
    g_signal_handlers_disconnect_by_data (*slot, self);
  g_set_object (slot, message);
  if (message != NULL)
    g_signal_connect (message, "notify::recalled", G_CALLBACK (on_reply_target_notify), self);
}

static void
cancel_reply (TtoChatPage *self)
{
  if (self->editing != NULL)
    {
      set_target (self, &self->editing, NULL);
      set_composer_text (self, "");
    }
  set_target (self, &self->reply_to, NULL);
  update_reply_bar (self);
}

/* Mention completion */

static gboolean
filter_mention (gpointer item,
                gpointer user_data)
{
  TtoChatPage *self = user_data;
  g_autofree char *name = NULL;
  g_autofree char *query = NULL;

  if (self->mention_query == NULL || *self->mention_query == '\0')
    return TRUE;
  name = g_utf8_casefold (tto_member_get_display_name (item), -1);
  query = g_utf8_casefold (self->mention_query, -1);
  return strstr (name, query) != NULL;
}

static void
fill_mention_candidates (TtoChatPage *self)
{
  GListModel *members = tto_session_get_members (self->session, self->event);
  const char *me = tto_session_get_identity_id (self->session);

  g_list_store_remove_all (self->mention_candidates);
  /* Only the creator may mention everyone. */
  if (tto_event_is_creator (self->event))
    {
      g_autoptr (TtoMember) all = tto_member_new ("all", "all", "member");

      g_list_store_append (self->mention_candidates, all);
    }
  for (guint i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr (TtoMember) member = g_list_model_get_item (members, i);

      if (g_strcmp0 (tto_member_get_identity_id (member), me) != 0)
        g_list_store_append (self->mention_candidates, member);
    }
}

static void
hide_mentions (TtoChatPage *self)
{
  g_clear_pointer (&self->mention_query, g_free);
  if (gtk_widget_get_visible (GTK_WIDGET (self->mention_popover)))
    gtk_popover_popdown (self->mention_popover);
}

/* Finds "@query" right before the cursor; @start is set at the "@". */
static char *
find_mention_query (TtoChatPage *self,
                    GtkTextIter *start)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->composer_view);
  GtkTextIter cursor, iter;
  int chars = 0;

  gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
  iter = cursor;
  while (gtk_text_iter_backward_char (&iter))
    {
      gunichar c = gtk_text_iter_get_char (&iter);

      if (c == '@')
        {
          GtkTextIter before = iter;

          /* "ana@example.org" is no mention. */
          if (gtk_text_iter_backward_char (&before) &&
              !g_unichar_isspace (gtk_text_iter_get_char (&before)))
            return NULL;
          *start = iter;
          gtk_text_iter_forward_char (&iter);
          return gtk_text_iter_get_text (&iter, &cursor);
        }
      if (g_unichar_isspace (c) || ++chars > MAX_MENTION_QUERY)
        return NULL;
    }
  return NULL;
}

static void
update_mentions (TtoChatPage *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->composer_view);
  g_autofree char *query = NULL;
  GtkTextIter start, cursor;
  GdkRectangle location;
  graphene_point_t point;
  int x, y;

  if (self->session == NULL || self->event == NULL || tto_event_get_ended (self->event) ||
      (query = find_mention_query (self, &start)) == NULL)
    {
      hide_mentions (self);
      return;
    }

  g_free (self->mention_query);
  self->mention_query = g_steal_pointer (&query);
  if (!gtk_widget_get_visible (GTK_WIDGET (self->mention_popover)))
    fill_mention_candidates (self);
  gtk_filter_changed (gtk_filter_list_model_get_filter (self->mention_filtered),
                      GTK_FILTER_CHANGE_DIFFERENT);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->mention_filtered)) == 0)
    {
      gtk_popover_popdown (self->mention_popover);
      return;
    }
  gtk_single_selection_set_selected (self->mention_selection, 0);

  /* Point at the "@". */
  gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
  gtk_text_view_get_iter_location (self->composer_view, &start, &location);
  gtk_text_view_buffer_to_window_coords (self->composer_view, GTK_TEXT_WINDOW_WIDGET, location.x,
                                         location.y, &x, &y);
  if (!gtk_widget_compute_point (GTK_WIDGET (self->composer_view), GTK_WIDGET (self),
                                 &GRAPHENE_POINT_INIT (x, y), &point))
    point = GRAPHENE_POINT_INIT (0, 0);
  gtk_popover_set_pointing_to (self->mention_popover,
                               &(GdkRectangle){ (int) point.x, (int) point.y, 1,
                                                location.height });
  gtk_popover_popup (self->mention_popover);
}

static void
insert_mention (TtoChatPage *self,
                TtoMember *member)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->composer_view);
  g_autofree char *query = NULL;
  g_autofree char *text = NULL;
  GtkTextIter start, cursor;

  query = find_mention_query (self, &start);
  if (query == NULL)
    return;

  text = g_strdup_printf ("@%s ", tto_member_get_display_name (member));
  gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_delete (buffer, &start, &cursor);
  gtk_text_buffer_insert (buffer, &start, text, -1);
  gtk_text_buffer_end_user_action (buffer);
  g_hash_table_insert (self->mentions, g_strdup (tto_member_get_display_name (member)),
                       g_strdup (tto_member_get_identity_id (member)));
  hide_mentions (self);
}

static void
on_mention_activate (GtkListView *list,
                     guint position,
                     TtoChatPage *self)
{
  g_autoptr (TtoMember) member = g_list_model_get_item (G_LIST_MODEL (self->mention_filtered),
                                                        position);

  if (member != NULL)
    insert_mention (self, member);
  gtk_widget_grab_focus (GTK_WIDGET (self->composer_view));
}

static void
on_mention_setup (GtkSignalListItemFactory *factory,
                  GtkListItem *item,
                  gpointer user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_size_request (label, -1, 44);
  gtk_list_item_set_child (item, label);
}

static void
on_mention_bind (GtkSignalListItemFactory *factory,
                 GtkListItem *item,
                 gpointer user_data)
{
  TtoMember *member = gtk_list_item_get_item (item);
  g_autofree char *text = NULL;

  if (g_str_equal (tto_member_get_identity_id (member), "all"))
    text = g_strdup_printf ("@all — %s", _("everyone"));
  else
    text = g_strdup_printf ("@%s", tto_member_get_display_name (member));
  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

/* The identity ids whose "@Name" is still in @text. */
static GStrv
collect_mentions (TtoChatPage *self,
                  const char *text)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GHashTable) added = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer name, id;
  guint count = 0;

  g_hash_table_iter_init (&iter, self->mentions);
  while (g_hash_table_iter_next (&iter, &name, &id))
    {
      g_autofree char *needle = g_strdup_printf ("@%s", (char *) name);

      if (strstr (text, needle) == NULL || g_hash_table_contains (added, id) ||
          count >= TTO_PROTOCOL_MAX_MENTIONS)
        continue;
      g_hash_table_add (added, id);
      g_strv_builder_add (builder, id);
      count++;
    }
  return g_strv_builder_end (builder);
}

static void
on_composer_changed (TtoChatPage *self)
{
  update_composer (self);
  update_mentions (self);
}

/* Actions */

static void
on_edit_ready (GObject *object,
               GAsyncResult *result,
               gpointer user_data)
{
  g_autoptr (TtoChatPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  if (tto_session_edit_message_finish (TTO_SESSION (object), result, &error))
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_EXPIRED))
    text = g_strdup (_("The time to edit this message has passed."));
  else if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_FORBIDDEN))
    text = g_strdup (_("Only the sender can edit a message."));
  else if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_CONFLICT))
    text = g_strdup (_("This message was recalled."));
  else
    text = tto_client_describe_error (error);
  toast (self, text);
}

static void
send_action (GtkWidget *widget,
             const char *action_name,
             GVariant *parameter)
{
  TtoChatPage *self = TTO_CHAT_PAGE (widget);
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) mentions = NULL;
  char *text;
  TtoMessage *message;

  if (self->session == NULL || self->event == NULL)
    return;

  text = get_composer_text (self);
  if (self->editing != NULL)
    {
      tto_session_edit_message_async (self->session, self->event, self->editing, text,
                                      self->cancellable, on_edit_ready, g_object_ref (self));
      tto_str_wipe_free (text);
      set_target (self, &self->editing, NULL);
      set_composer_text (self, "");
      clear_mentions (self);
      update_reply_bar (self);
      return;
    }

  mentions = collect_mentions (self, text);
  message = tto_session_send_message_full (self->session, self->event, text, self->reply_to,
                                           (const char *const *) mentions, &error);
  tto_str_wipe_free (text);
  if (message == NULL)
    {
      g_autofree char *description = NULL;

      if (g_error_matches (error, TTO_SESSION_ERROR, TTO_SESSION_ERROR_RECALLED))
        description = g_strdup (_("The original message was recalled."));
      else
        description = tto_client_describe_error (error);
      toast (self, description);
      return;
    }

  set_composer_text (self, "");
  clear_mentions (self);
  set_target (self, &self->reply_to, NULL);
  update_reply_bar (self);
  self->stick_to_bottom = TRUE;
  scroll_to_bottom (self);
}

static TtoMessage *
message_for_seq (TtoChatPage *self,
                 GVariant *parameter,
                 guint *position)
{
  if (self->session == NULL || self->event == NULL)
    return NULL;
  return tto_session_find_message (self->session, self->event, g_variant_get_int64 (parameter),
                                   position);
}

static void
reply_action (GtkWidget *widget,
              const char *action_name,
              GVariant *parameter)
{
  TtoChatPage *self = TTO_CHAT_PAGE (widget);
  TtoMessage *message = message_for_seq (self, parameter, NULL);

  if (message == NULL || tto_message_get_recalled (message) || tto_event_get_ended (self->event))
    return;

  if (self->editing != NULL)
    {
      set_target (self, &self->editing, NULL);
      set_composer_text (self, "");
    }
  set_target (self, &self->reply_to, message);
  update_reply_bar (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->composer_view));
}

static void
edit_action (GtkWidget *widget,
             const char *action_name,
             GVariant *parameter)
{
  TtoChatPage *self = TTO_CHAT_PAGE (widget);
  TtoMessage *message = message_for_seq (self, parameter, NULL);

  if (message == NULL)
    return;
  if (!tto_session_can_edit (self->session, self->event, message, 0))
    {
      toast (self, _("The time to edit this message has passed."));
      return;
    }

  set_target (self, &self->reply_to, NULL);
  set_target (self, &self->editing, message);
  set_composer_text (self, tto_message_get_text (message));
  update_reply_bar (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->composer_view));
}

static void
cancel_reply_action (GtkWidget *widget,
                     const char *action_name,
                     GVariant *parameter)
{
  cancel_reply (TTO_CHAT_PAGE (widget));
}

static void
on_recall_ready (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (TtoChatPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  if (tto_session_recall_message_finish (TTO_SESSION (object), result, &error))
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_EXPIRED))
    text = g_strdup (_("The time to recall this message has passed."));
  else if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_FORBIDDEN))
    text = g_strdup (_("Only the sender or the creator can recall a message."));
  else
    text = tto_client_describe_error (error);
  toast (self, text);
}

static void
on_recall_response (AdwMessageDialog *dialog,
                    const char *response,
                    TtoChatPage *self)
{
  TtoMessage *message = g_object_get_data (G_OBJECT (dialog), "tto-message");

  if (g_strcmp0 (response, "recall") != 0 || message == NULL || self->session == NULL ||
      self->event == NULL)
    return;

  tto_session_recall_message_async (self->session, self->event, message, self->cancellable,
                                    on_recall_ready, g_object_ref (self));
}

static void
recall_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  TtoChatPage *self = TTO_CHAT_PAGE (widget);
  TtoMessage *message = message_for_seq (self, parameter, NULL);
  AdwMessageDialog *dialog;

  if (message == NULL)
    return;
  if (!tto_session_can_recall (self->session, self->event, message, 0))
    {
      toast (self, _("The time to recall this message has passed."));
      return;
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                                       _("Recall Message?"),
                                                       _("The message is deleted for everyone. They will see that it was recalled.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "recall", _("_Recall"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "recall", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "tto-message", g_object_ref (message),
                          g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_recall_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
flash_row_later (gpointer user_data)
{
  TtoChatPage *self = user_data;
  TtoMessageRow *row;

  self->flash_source = 0;
  row = self->flash_message != NULL ? find_bound_row (self, self->flash_message) : NULL;
  if (row != NULL)
    tto_message_row_flash (row);
  g_clear_object (&self->flash_message);
  return G_SOURCE_REMOVE;
}

static void
show_original_action (GtkWidget *widget,
                      const char *action_name,
                      GVariant *parameter)
{
  TtoChatPage *self = TTO_CHAT_PAGE (widget);
  guint position;
  TtoMessage *message = message_for_seq (self, parameter, NULL);

  if (message == NULL)
    {
      toast (self, _("The original message is not loaded."));
      return;
    }
  if (tto_message_get_recalled (message))
    {
      toast (self, _("The original message was recalled."));
      return;
    }

  /* Quoted from another topic: go there. */
  if (self->topics != NULL && !tto_topic_tree_shows (self->topics, message))
    tto_topic_tree_set_current (self->topics, tto_topic_tree_message_topic (message));
  if (!find_shown_position (self, message, &position))
    return;
  scroll_to_position (self, position);
  g_set_object (&self->flash_message, message);
  g_clear_handle_id (&self->flash_source, g_source_remove);
  /* The row exists once the list has scrolled there. */
  self->flash_source = g_timeout_add (100, flash_row_later, self);
}

static void
jump_action (GtkWidget *widget,
             const char *action_name,
             GVariant *parameter)
{
  TtoChatPage *self = TTO_CHAT_PAGE (widget);

  self->stick_to_bottom = TRUE;
  scroll_to_bottom (self);
  update_jump_button (self);
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

static void
update_menu_actions (TtoChatPage *self)
{
  gboolean live = self->event != NULL && !tto_event_get_ended (self->event);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.export",
                                 live && !self->exporting &&
                                   tto_event_has_permission (self->event, TTO_PERMISSION_EXPORT));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.mute", live);
}

static void
on_session_event_changed (TtoSession *session,
                          TtoEvent *event,
                          TtoChatPage *self)
{
  if (event == self->event)
    {
      update_menu_actions (self);
      update_composer (self);
      for (guint i = 0; i < self->rows->len; i++)
        tto_message_row_update_receipts (g_ptr_array_index (self->rows, i));
    }
}

static void
on_members_changed (TtoSession *session,
                    TtoEvent *event,
                    TtoChatPage *self)
{
  if (event == self->event && gtk_widget_get_visible (GTK_WIDGET (self->mention_popover)))
    {
      fill_mention_candidates (self);
      update_mentions (self);
    }
}

/* Export */

static void
on_export_progress (double fraction,
                    gpointer user_data)
{
  TtoChatPage *self = user_data;

  if (self->export_progress != NULL)
    gtk_progress_bar_set_fraction (self->export_progress, fraction);
}

static void
on_export_ready (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (TtoChatPage) self = user_data;
  g_autoptr (GError) error = NULL;

  self->exporting = FALSE;
  g_clear_object (&self->export_cancellable);
  if (self->export_dialog != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->export_dialog, self);
      gtk_window_destroy (GTK_WINDOW (self->export_dialog));
      self->export_dialog = NULL;
      self->export_progress = NULL;
    }
  update_menu_actions (self);

  if (tto_export_finish (result, &error))
    {
      toast (self, _("Conversation exported"));
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_error (&self->export_error);
  self->export_error = g_error_copy (error);
  if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_FORBIDDEN))
    toast (self, _("You are not allowed to export this conversation."));
  else if (error->domain == G_IO_ERROR)
    {
      /* Translators: %s says why a file could not be written */
      g_autofree char *text = g_strdup_printf (_("Could not save the file: %s"), error->message);

      toast (self, text);
    }
  else
    {
      g_autofree char *text = tto_client_describe_error (error);

      toast (self, text);
    }
}

static void
on_export_dialog_response (AdwMessageDialog *dialog,
                           const char *response,
                           TtoChatPage *self)
{
  if (self->export_cancellable != NULL)
    g_cancellable_cancel (self->export_cancellable);
}

static GHashTable *
member_names (TtoChatPage *self)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GListModel *members = tto_session_get_members (self->session, self->event);

  for (guint i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr (TtoMember) member = g_list_model_get_item (members, i);

      g_hash_table_insert (names, g_strdup (tto_member_get_identity_id (member)),
                           g_strdup (tto_member_get_display_name (member)));
    }
  return names;
}

static void
on_export_chooser_response (GtkNativeDialog *chooser,
                            int response,
                            TtoChatPage *self)
{
  g_autoptr (GFile) file = NULL;
  const char *format;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      format = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (chooser), "format");
      if (file != NULL)
        tto_chat_page_export_to_file (self, file,
                                      g_strcmp0 (format, "json") == 0 ? TTO_EXPORT_FORMAT_JSON
                                                                       : TTO_EXPORT_FORMAT_HTML);
    }
  g_clear_object (&self->export_chooser);
}

static void
export_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  TtoChatPage *self = TTO_CHAT_PAGE (widget);
  static const char *formats[] = { "html", "json", NULL };
  const char *labels[] = { _("HTML (readable page)"), _("JSON (data)"), NULL };
  g_autofree char *name = NULL;

  if (self->event == NULL || self->exporting || self->export_chooser != NULL)
    return;

  /* A portal-friendly native dialog: the sandboxed app sees one file. */
  self->export_chooser = gtk_file_chooser_native_new (_("Export Conversation"),
                                                      GTK_WINDOW (gtk_widget_get_root (widget)),
                                                      GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"),
                                                      _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->export_chooser), TRUE);
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (self->export_chooser), "format", _("Format"),
                               formats, labels);
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (self->export_chooser), "format", "html");
  name = g_strdup_printf ("%s.html", tto_event_get_title (self->event));
  g_strdelimit (name, "/\\", '-');
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->export_chooser), name);
  g_signal_connect (self->export_chooser, "response", G_CALLBACK (on_export_chooser_response),
                    self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->export_chooser));
}

/* Attachments */

#define ATTACH_QUERY G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE "," \
                     G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME "," G_FILE_ATTRIBUTE_STANDARD_SIZE

/* A picture bigger than this goes as a file, without being decoded here. */
#define MAX_IMAGE_BYTES (25 * 1024 * 1024)

typedef struct
{
  TtoChatPage *self;
  TtoEvent *event;
  GFile *file;
  char *name;
  char *content_type;
  goffset size;
  GBytes *bytes;
  TtoThumbnailer *thumbnailer;
} SendFile;

static void
send_file_free (SendFile *send)
{
  g_object_unref (send->self);
  g_object_unref (send->event);
  g_clear_object (&send->file);
  g_free (send->name);
  g_free (send->content_type);
  g_clear_pointer (&send->bytes, g_bytes_unref);
  g_clear_object (&send->thumbnailer);
  g_free (send);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SendFile, send_file_free)

static void
show_send_error (TtoChatPage *self,
                 const GError *error)
{
  g_autofree char *description = NULL;
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_TOO_LARGE))
    {
      toast (self, _("The file is too large to send."));
      return;
    }
  description = tto_client_describe_error (error);
  /* Translators: %s says what went wrong */
  text = g_strdup_printf (_("Could not send the file: %s"), description);
  toast (self, text);
}

static void
on_upload_failed (TtoMediaUpload *upload,
                  const GError *error,
                  TtoChatPage *self)
{
  show_send_error (self, error);
}

static void
start_upload (SendFile *send,
              TtoMediaUpload *upload)
{
  TtoChatPage *self = send->self;
  g_autoptr (GError) error = NULL;

  /* The pending message keeps the upload alive; its failure comes later. */
  g_signal_connect_object (upload, "failed", G_CALLBACK (on_upload_failed), self, 0);
  if (tto_media_upload_start (upload, &error) == NULL)
    {
      show_send_error (self, error);
      return;
    }
  if (send->event == self->event)
    {
      self->stick_to_bottom = TRUE;
      scroll_to_bottom (self);
    }
}

static void
send_as_file (SendFile *send)
{
  g_autoptr (TtoMediaUpload) upload = NULL;

  upload = tto_media_upload_new_file (send->self->session, send->event, send->file, send->name,
                                      send->size, send->content_type);
  start_upload (send, upload);
}

static void
on_thumbnail_ready (GObject *object,
                    GAsyncResult *result,
                    gpointer user_data)
{
  g_autoptr (SendFile) send = user_data;
  g_autoptr (TtoMediaUpload) upload = NULL;
  g_autoptr (GError) error = NULL;

  if (!tto_thumbnailer_run_finish (send->thumbnailer, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Not a picture after all (or too big to decode): send it as a file. */
      send_as_file (send);
      return;
    }

  upload = tto_media_upload_new_bytes (send->self->session, send->event, "image", send->bytes,
                                       send->name);
  tto_media_upload_set_thumbnail (upload, tto_thumbnailer_get_thumbnail (send->thumbnailer),
                                  tto_thumbnailer_get_width (send->thumbnailer),
                                  tto_thumbnailer_get_height (send->thumbnailer));
  start_upload (send, upload);
}

static void
on_image_loaded (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (SendFile) send = user_data;
  g_autoptr (GError) error = NULL;
  SendFile *next;

  send->bytes = g_file_load_bytes_finish (G_FILE (object), result, NULL, &error);
  if (send->bytes == NULL)
    {
      show_send_error (send->self, error);
      return;
    }

  send->thumbnailer = tto_thumbnailer_new (send->bytes, TTO_THUMBNAILER_DEFAULT_MAX_SIZE);
  next = g_steal_pointer (&send);
  tto_thumbnailer_run_async (next->thumbnailer, next->self->cancellable, on_thumbnail_ready,
                             next);
}

static gboolean
content_type_is_image (const char *content_type,
                       const char *name)
{
  g_autofree char *mime = NULL;
  g_autofree char *guessed = NULL;

  if (content_type != NULL && !g_content_type_is_unknown (content_type))
    mime = g_content_type_get_mime_type (content_type);
  if (mime == NULL && name != NULL)
    {
      guessed = g_content_type_guess (name, NULL, 0, NULL);
      mime = g_content_type_get_mime_type (guessed);
    }
  return mime != NULL && g_str_has_prefix (mime, "image/");
}

static void
on_send_file_info (GObject *object,
                   GAsyncResult *result,
                   gpointer user_data)
{
  g_autoptr (SendFile) send = user_data;
  g_autoptr (GFileInfo) info = NULL;
  g_autoptr (GError) error = NULL;
  SendFile *next;

  info = g_file_query_info_finish (G_FILE (object), result, &error);
  if (info == NULL)
    {
      show_send_error (send->self, error);
      return;
    }
  if (send->self->session == NULL || tto_event_get_ended (send->event))
    return;

  send->name = g_strdup (g_file_info_get_display_name (info));
  send->content_type = g_strdup (g_file_info_get_content_type (info));
  send->size = g_file_info_get_size (info);

  if (send->size <= MAX_IMAGE_BYTES && content_type_is_image (send->content_type, send->name))
    {
      next = g_steal_pointer (&send);
      g_file_load_bytes_async (next->file, next->self->cancellable, on_image_loaded, next);
      return;
    }
  send_as_file (send);
}

/* Sends @file in the open event: a picture (an image type) with a thumbnail,
 * anything else as a file. Progress shows in its row; errors as toasts. */
void
tto_chat_page_send_file (TtoChatPage *self,
                         GFile *file)
{
  SendFile *send;

  g_return_if_fail (TTO_IS_CHAT_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->session == NULL || self->event == NULL || tto_event_get_ended (self->event))
    return;
  if (!tto_event_has_form (self->event, TTO_FORM_FILE))
    {
      toast (self, _("Files cannot be sent in this event."));
      return;
    }

  send = g_new0 (SendFile, 1);
  send->self = g_object_ref (self);
  send->event = g_object_ref (self->event);
  send->file = g_object_ref (file);
  g_file_query_info_async (file, ATTACH_QUERY, G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT,
                           self->cancellable, on_send_file_info, send);
}

static void
on_attach_chooser_response (GtkNativeDialog *chooser,
                            int response,
                            TtoChatPage *self)
{
  g_autoptr (GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->attach_chooser);
  if (file != NULL)
    tto_chat_page_send_file (self, file);
}

static void
attach_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  TtoChatPage *self = TTO_CHAT_PAGE (widget);

  if (self->event == NULL || self->attach_chooser != NULL)
    return;

  self->attach_chooser = gtk_file_chooser_native_new (_("Send a File"),
                                                      GTK_WINDOW (gtk_widget_get_root (widget)),
                                                      GTK_FILE_CHOOSER_ACTION_OPEN, _("_Send"),
                                                      _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->attach_chooser), TRUE);
  g_signal_connect (self->attach_chooser, "response", G_CALLBACK (on_attach_chooser_response),
                    self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->attach_chooser));
}

/* Stickers: a picker of the user's own sticker library (TtoStickerLibrary),
 * shown from the composer; a sticker goes out as a "sticker" attachment. */

/* The pack imports go to. Not translated: it is a folder name, and a change
 * of language would otherwise start a second pack. */
#define MY_STICKERS_PACK "My stickers"

/* Sends @sticker's bytes in the open event as a "sticker" attachment. */
void
tto_chat_page_send_sticker (TtoChatPage *self,
                            TtoSticker *sticker)
{
  g_autoptr (TtoMediaUpload) upload = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  SendFile *send;

  g_return_if_fail (TTO_IS_CHAT_PAGE (self));
  g_return_if_fail (TTO_IS_STICKER (sticker));

  if (self->session == NULL || self->event == NULL || tto_event_get_ended (self->event))
    return;
  if (!tto_event_has_form (self->event, TTO_FORM_FILE))
    {
      toast (self, _("Files cannot be sent in this event."));
      return;
    }

  bytes = tto_sticker_load_bytes (sticker, NULL, &error);
  if (bytes == NULL)
    {
      show_send_error (self, error);
      return;
    }

  upload = tto_media_upload_new_bytes (self->session, self->event, "sticker", bytes, NULL);
  /* Its size, when GDK can read it (the relay takes a sticker without). */
  texture = gdk_texture_new_from_bytes (bytes, NULL);
  if (texture != NULL)
    tto_media_upload_set_thumbnail (upload, NULL, gdk_texture_get_width (texture),
                                    gdk_texture_get_height (texture));

  send = g_new0 (SendFile, 1);
  send->self = g_object_ref (self);
  send->event = g_object_ref (self->event);
  start_upload (send, upload);
  send_file_free (send);

  if (self->sticker_popover != NULL)
    gtk_popover_popdown (self->sticker_popover);
}

static TtoStickerLibrary *
ensure_sticker_library (TtoChatPage *self)
{
  if (self->sticker_library == NULL)
    self->sticker_library = tto_sticker_library_new (NULL);
  return self->sticker_library;
}

/* The library the picker shows: $XDG_DATA_HOME/tto/stickers. */
TtoStickerLibrary *
tto_chat_page_get_sticker_library (TtoChatPage *self)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), NULL);

  return ensure_sticker_library (self);
}

/* The grid shows the pack chosen in the drop-down. */
static void
update_sticker_grid (TtoChatPage *self)
{
  GListModel *packs;
  g_autoptr (GtkSelectionModel) selection = NULL;
  g_autoptr (GListModel) stickers = NULL;
  GtkStringObject *pack;

  if (self->sticker_grid == NULL)
    return;
  packs = tto_sticker_library_get_packs (ensure_sticker_library (self));
  pack = gtk_drop_down_get_selected_item (self->sticker_packs);
  gtk_widget_set_visible (GTK_WIDGET (self->sticker_packs), g_list_model_get_n_items (packs) > 0);
  if (pack == NULL)
    {
      gtk_grid_view_set_model (self->sticker_grid, NULL);
      gtk_stack_set_visible_child_name (self->sticker_stack, "empty");
      return;
    }
  stickers = tto_sticker_library_get_stickers (self->sticker_library,
                                               gtk_string_object_get_string (pack));
  selection = GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (stickers)));
  gtk_grid_view_set_model (self->sticker_grid, selection);
  gtk_stack_set_visible_child_name (self->sticker_stack, "stickers");
}

static void
select_sticker_pack (TtoChatPage *self,
                     const char *name)
{
  GListModel *packs = tto_sticker_library_get_packs (ensure_sticker_library (self));
  guint n = g_list_model_get_n_items (packs);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GtkStringObject) pack = g_list_model_get_item (packs, i);

      if (g_strcmp0 (gtk_string_object_get_string (pack), name) == 0)
        {
          gtk_drop_down_set_selected (self->sticker_packs, i);
          break;
        }
    }
  update_sticker_grid (self);
}

/* Imports @file into the "My stickers" pack, as the Import… button does.
 * Returns: (transfer full) (nullable): the new sticker */
TtoSticker *
tto_chat_page_import_sticker (TtoChatPage *self,
                              GFile *file,
                              GError **error)
{
  TtoSticker *sticker;
  const char *pack = MY_STICKERS_PACK;

  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  sticker = tto_sticker_library_import (ensure_sticker_library (self), pack, file, NULL, error);
  if (sticker != NULL)
    select_sticker_pack (self, pack);
  return sticker;
}

static void
on_sticker_chooser_response (GtkNativeDialog *chooser,
                             int response,
                             TtoChatPage *self)
{
  g_autoptr (GListModel) files = NULL;
  guint n;

  if (response == GTK_RESPONSE_ACCEPT)
    files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->sticker_chooser);
  if (files == NULL)
    return;

  n = g_list_model_get_n_items (files);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GFile) file = g_list_model_get_item (files, i);
      g_autoptr (TtoSticker) sticker = NULL;
      g_autoptr (GError) error = NULL;

      sticker = tto_chat_page_import_sticker (self, file, &error);
      if (sticker == NULL)
        {
          g_autofree char *text = NULL;

          if (g_error_matches (error, TTO_STICKER_LIBRARY_ERROR,
                               TTO_STICKER_LIBRARY_ERROR_TOO_LARGE))
            text = g_strdup (_("The picture is too large for a sticker."));
          else if (g_error_matches (error, TTO_STICKER_LIBRARY_ERROR,
                                    TTO_STICKER_LIBRARY_ERROR_NOT_AN_IMAGE) ||
                   g_error_matches (error, TTO_STICKER_LIBRARY_ERROR,
                                    TTO_STICKER_LIBRARY_ERROR_UNSUPPORTED_FORMAT))
            text = g_strdup (_("Stickers can be PNG, WebP or GIF pictures."));
          else
            /* Translators: %s says what went wrong */
            text = g_strdup_printf (_("Could not import the sticker: %s"), error->message);
          toast (self, text);
        }
    }
}

static void
import_sticker_action (GtkWidget *widget,
                       const char *action_name,
                       GVariant *parameter)
{
  TtoChatPage *self = TTO_CHAT_PAGE (widget);
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->sticker_chooser != NULL)
    return;

  if (self->sticker_popover != NULL)
    gtk_popover_popdown (self->sticker_popover);
  gtk_file_filter_set_name (filter, _("Stickers (PNG, WebP, GIF)"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_filter_add_mime_type (filter, "image/webp");
  gtk_file_filter_add_mime_type (filter, "image/gif");
  self->sticker_chooser = gtk_file_chooser_native_new (_("Import Stickers"),
                                                       GTK_WINDOW (gtk_widget_get_root (widget)),
                                                       GTK_FILE_CHOOSER_ACTION_OPEN,
                                                       _("_Import"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->sticker_chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->sticker_chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->sticker_chooser), TRUE);
  g_signal_connect (self->sticker_chooser, "response", G_CALLBACK (on_sticker_chooser_response),
                    self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->sticker_chooser));
}

static void
on_sticker_item_setup (GtkSignalListItemFactory *factory,
                       GtkListItem *item,
                       TtoChatPage *self)
{
  GtkWidget *picture = gtk_picture_new ();

  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_widget_set_size_request (picture, 72, 72);
  gtk_widget_add_css_class (picture, "sticker-cell");
  gtk_list_item_set_child (item, picture);
}

static void
on_sticker_item_bind (GtkSignalListItemFactory *factory,
                      GtkListItem *item,
                      TtoChatPage *self)
{
  TtoSticker *sticker = gtk_list_item_get_item (item);
  GtkWidget *picture = gtk_list_item_get_child (item);

  gtk_picture_set_file (GTK_PICTURE (picture), tto_sticker_get_file (sticker));
  gtk_picture_set_alternative_text (GTK_PICTURE (picture), tto_sticker_get_name (sticker));
  gtk_widget_set_tooltip_text (picture, tto_sticker_get_name (sticker));
}

static void
on_sticker_activate (GtkGridView *grid,
                     guint position,
                     TtoChatPage *self)
{
  GListModel *model = G_LIST_MODEL (gtk_grid_view_get_model (grid));
  g_autoptr (TtoSticker) sticker = NULL;

  if (model == NULL)
    return;
  sticker = g_list_model_get_item (model, position);
  if (sticker != NULL)
    tto_chat_page_send_sticker (self, sticker);
}

static void
on_sticker_popover_show (TtoChatPage *self)
{
  GtkStringObject *selected = gtk_drop_down_get_selected_item (self->sticker_packs);
  g_autofree char *pack = selected != NULL ? g_strdup (gtk_string_object_get_string (selected))
                                           : NULL;

  /* Pick up what other programs (or windows) changed. */
  tto_sticker_library_reload (ensure_sticker_library (self), NULL);
  select_sticker_pack (self, pack);
}

/* The sticker button's popover: the pack drop-down and Import…, then the
 * grid of the pack's stickers. Built when the page is. */
static void
setup_sticker_picker (TtoChatPage *self)
{
  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr (GtkExpression) expression = NULL;
  GtkWidget *box, *header, *import, *scrolled, *empty;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (box), header);

  expression = gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string");
  self->sticker_packs = GTK_DROP_DOWN (gtk_drop_down_new (NULL, g_steal_pointer (&expression)));
  gtk_widget_set_hexpand (GTK_WIDGET (self->sticker_packs), TRUE);
  gtk_widget_set_size_request (GTK_WIDGET (self->sticker_packs), -1, 44);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->sticker_packs),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Sticker pack"), -1);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->sticker_packs));
  g_signal_connect_swapped (self->sticker_packs, "notify::selected",
                            G_CALLBACK (update_sticker_grid), self);

  import = gtk_button_new_with_mnemonic (_("_Import…"));
  gtk_widget_set_halign (import, GTK_ALIGN_END);
  gtk_widget_set_hexpand (import, TRUE);
  gtk_widget_set_size_request (import, -1, 44);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (import), "chat.import-sticker");
  gtk_widget_set_tooltip_text (import, _("Import PNG, WebP or GIF Pictures as Stickers"));
  gtk_box_append (GTK_BOX (header), import);

  self->sticker_stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_set_vhomogeneous (self->sticker_stack, TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->sticker_stack));

  empty = gtk_label_new (_("No stickers yet. Import PNG, WebP or GIF pictures to make your own."));
  gtk_label_set_wrap (GTK_LABEL (empty), TRUE);
  gtk_label_set_justify (GTK_LABEL (empty), GTK_JUSTIFY_CENTER);
  gtk_label_set_max_width_chars (GTK_LABEL (empty), 28);
  gtk_widget_add_css_class (empty, "dim-label");
  gtk_stack_add_named (self->sticker_stack, empty, "empty");

  g_signal_connect (factory, "setup", G_CALLBACK (on_sticker_item_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (on_sticker_item_bind), self);
  self->sticker_grid = GTK_GRID_VIEW (gtk_grid_view_new (NULL, g_object_ref (factory)));
  gtk_grid_view_set_min_columns (self->sticker_grid, 3);
  gtk_grid_view_set_max_columns (self->sticker_grid, 4);
  gtk_grid_view_set_single_click_activate (self->sticker_grid, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->sticker_grid),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Stickers"), -1);
  g_signal_connect (self->sticker_grid, "activate", G_CALLBACK (on_sticker_activate), self);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_width (GTK_SCROLLED_WINDOW (scrolled), 280);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 240);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled),
                                 GTK_WIDGET (self->sticker_grid));
  gtk_stack_add_named (self->sticker_stack, scrolled, "stickers");

  self->sticker_popover = GTK_POPOVER (gtk_popover_new ());
  gtk_popover_set_child (self->sticker_popover, box);
  gtk_widget_add_css_class (GTK_WIDGET (self->sticker_popover), "sticker-picker");
  g_signal_connect_swapped (self->sticker_popover, "show", G_CALLBACK (on_sticker_popover_show),
                            self);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (self->sticker_button),
                               GTK_WIDGET (self->sticker_popover));

  gtk_drop_down_set_model (self->sticker_packs,
                           tto_sticker_library_get_packs (ensure_sticker_library (self)));
  update_sticker_grid (self);
}

/* Opens (or closes) the sticker picker. */
void
tto_chat_page_show_sticker_picker (TtoChatPage *self,
                                   gboolean show)
{
  g_return_if_fail (TTO_IS_CHAT_PAGE (self));

  if (show)
    gtk_menu_button_popup (GTK_MENU_BUTTON (self->sticker_button));
  else
    gtk_menu_button_popdown (GTK_MENU_BUTTON (self->sticker_button));
}

/* The picker's popover and grid, for tests. */
GtkPopover *
tto_chat_page_get_sticker_popover (TtoChatPage *self)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), NULL);

  return self->sticker_popover;
}

GtkGridView *
tto_chat_page_get_sticker_grid (TtoChatPage *self)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), NULL);

  return self->sticker_grid;
}

/* Video messages: a dialog with the camera's preview, Record/Stop, Send and
 * Cancel; at most a minute (the recorder stops itself). */

static void video_dialog_update (TtoChatPage *self);

static void
video_clear (TtoChatPage *self)
{
  if (self->video_cancellable != NULL)
    g_cancellable_cancel (self->video_cancellable);
  g_clear_object (&self->video_cancellable);
  if (self->video_recorder != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->video_recorder, self);
      tto_video_recorder_cancel (self->video_recorder);
      g_clear_object (&self->video_recorder);
    }
  g_clear_pointer (&self->video_recording, g_bytes_unref);
  g_clear_object (&self->video_event);
  self->video_send_when_stopped = FALSE;
}

static void
on_video_dialog_destroy (GtkWidget *dialog,
                         TtoChatPage *self)
{
  video_clear (self);
  self->video_dialog = NULL;
  self->video_picture = NULL;
  self->video_label = NULL;
  self->video_record_button = NULL;
  self->video_send_button = NULL;
}

static void
send_video_recording (TtoChatPage *self)
{
  g_autoptr (TtoMediaUpload) upload = NULL;
  g_autoptr (TtoThumbnailer) thumbnailer = NULL;
  g_autoptr (GBytes) poster = NULL;
  GdkTexture *preview;
  SendFile *send;

  if (self->session == NULL || self->video_event == NULL || self->video_recording == NULL ||
      tto_event_get_ended (self->video_event))
    return;

  upload = tto_media_upload_new_bytes (self->session, self->video_event, "video",
                                       self->video_recording, NULL);
  tto_media_upload_set_duration (upload, tto_video_recorder_get_duration_ms (self->video_recorder));
  /* The last frame seen is the poster. */
  preview = tto_video_recorder_get_preview_texture (self->video_recorder);
  if (preview != NULL)
    {
      poster = gdk_texture_save_to_png_bytes (preview);
      thumbnailer = tto_thumbnailer_new (poster, TTO_THUMBNAILER_DEFAULT_MAX_SIZE);
      if (tto_thumbnailer_run (thumbnailer, NULL, NULL))
        tto_media_upload_set_thumbnail (upload, tto_thumbnailer_get_thumbnail (thumbnailer),
                                        tto_video_recorder_get_width (self->video_recorder),
                                        tto_video_recorder_get_height (self->video_recorder));
    }
  else
    tto_media_upload_set_thumbnail (upload, NULL,
                                    tto_video_recorder_get_width (self->video_recorder),
                                    tto_video_recorder_get_height (self->video_recorder));

  send = g_new0 (SendFile, 1);
  send->self = g_object_ref (self);
  send->event = g_object_ref (self->video_event);
  start_upload (send, upload);
  send_file_free (send);
}

static void
on_video_stopped (GObject *object,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (TtoChatPage) self = user_data;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;

  bytes = tto_video_recorder_stop_finish (TTO_VIDEO_RECORDER (object), result, &error);
  if ((TtoVideoRecorder *) object != self->video_recorder)
    return;
  if (bytes == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, _("Could not record a video message"));
      if (self->video_dialog != NULL)
        gtk_window_destroy (self->video_dialog);
      return;
    }
  self->video_recording = g_bytes_ref (bytes);
  if (self->video_send_when_stopped)
    {
      send_video_recording (self);
      if (self->video_dialog != NULL)
        gtk_window_destroy (self->video_dialog);
      return;
    }
  video_dialog_update (self);
}

static void
video_stop (TtoChatPage *self)
{
  TtoRecorderState state;

  if (self->video_recorder == NULL)
    return;
  state = tto_video_recorder_get_state (self->video_recorder);
  if (state != TTO_RECORDER_STATE_RECORDING && state != TTO_RECORDER_STATE_FINISHED)
    return;
  tto_video_recorder_stop_async (self->video_recorder, self->video_cancellable, on_video_stopped,
                                 g_object_ref (self));
  video_dialog_update (self);
}

static void
on_video_state (TtoVideoRecorder *recorder,
                GParamSpec *pspec,
                TtoChatPage *self)
{
  /* The minute is up: the recorder has stopped itself. */
  if (tto_video_recorder_get_state (recorder) == TTO_RECORDER_STATE_FINISHED &&
      self->video_recording == NULL)
    video_stop (self);
  else
    video_dialog_update (self);
}

static void
on_video_started (GObject *object,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (TtoChatPage) self = user_data;
  g_autoptr (GError) error = NULL;

  if (tto_video_recorder_start_finish (TTO_VIDEO_RECORDER (object), result, &error))
    {
      video_dialog_update (self);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      (TtoVideoRecorder *) object != self->video_recorder)
    return;
  if (g_error_matches (error, TTO_VIDEO_RECORDER_ERROR, TTO_VIDEO_RECORDER_ERROR_NO_CAMERA))
    toast (self, _("No camera found"));
  else if (g_error_matches (error, TTO_VIDEO_RECORDER_ERROR,
                            TTO_VIDEO_RECORDER_ERROR_NO_MICROPHONE))
    toast (self, _("No microphone found"));
  else
    toast (self, _("Could not record a video message"));
  if (self->video_dialog != NULL)
    gtk_window_destroy (self->video_dialog);
}

/* Starts (@record) or stops recording in the open video message dialog. */
void
tto_chat_page_record_video_message (TtoChatPage *self,
                                    gboolean record)
{
  const char *video_source = g_getenv ("TTO_TEST_VIDEO_SOURCE");
  const char *audio_source = g_getenv ("TTO_TEST_AUDIO_SOURCE");

  g_return_if_fail (TTO_IS_CHAT_PAGE (self));

  if (self->video_dialog == NULL)
    return;
  if (!record)
    {
      video_stop (self);
      return;
    }
  if (self->video_recorder != NULL && self->video_recording == NULL)
    return; /* already recording */

  /* Again: the last take is dropped. */
  video_clear (self);
  self->video_event = g_object_ref (self->event);
  self->video_cancellable = g_cancellable_new ();
  self->video_recorder = tto_video_recorder_new ();
  if (video_source != NULL && *video_source != '\0')
    tto_video_recorder_set_source (self->video_recorder, video_source);
  if (audio_source != NULL && *audio_source != '\0')
    tto_video_recorder_set_audio_source (self->video_recorder, audio_source);
  tto_video_recorder_set_max_duration_ms (self->video_recorder,
                                          TTO_VIDEO_RECORDER_DEFAULT_MAX_DURATION_MS);
  g_signal_connect (self->video_recorder, "notify::state", G_CALLBACK (on_video_state), self);
  g_signal_connect_swapped (self->video_recorder, "notify::duration-ms",
                            G_CALLBACK (video_dialog_update), self);
  gtk_picture_set_paintable (self->video_picture, GDK_PAINTABLE (self->video_recorder));
  tto_video_recorder_start_async (self->video_recorder, self->video_cancellable,
                                  on_video_started, g_object_ref (self));
  video_dialog_update (self);
}

/* Sends the take (stopping first if still recording) and closes the
 * dialog. */
void
tto_chat_page_send_video_message (TtoChatPage *self)
{
  g_return_if_fail (TTO_IS_CHAT_PAGE (self));

  if (self->video_dialog == NULL || self->video_recorder == NULL)
    return;
  if (self->video_recording != NULL)
    {
      send_video_recording (self);
      gtk_window_destroy (self->video_dialog);
      return;
    }
  self->video_send_when_stopped = TRUE;
  video_stop (self);
}

/* Closes the dialog; nothing is sent. */
void
tto_chat_page_cancel_video_message (TtoChatPage *self)
{
  g_return_if_fail (TTO_IS_CHAT_PAGE (self));

  if (self->video_dialog != NULL)
    gtk_window_destroy (self->video_dialog);
}

/* The recorder's state; IDLE with no dialog open. */
TtoRecorderState
tto_chat_page_get_video_state (TtoChatPage *self)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), TTO_RECORDER_STATE_IDLE);

  if (self->video_recorder == NULL)
    return TTO_RECORDER_STATE_IDLE;
  return tto_video_recorder_get_state (self->video_recorder);
}

GtkWindow *
tto_chat_page_get_video_dialog (TtoChatPage *self)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), NULL);

  return self->video_dialog;
}

static void
video_dialog_update (TtoChatPage *self)
{
  TtoRecorderState state = TTO_RECORDER_STATE_IDLE;
  g_autofree char *duration = NULL;
  g_autofree char *text = NULL;
  gboolean recording;

  if (self->video_dialog == NULL)
    return;
  if (self->video_recorder != NULL)
    state = tto_video_recorder_get_state (self->video_recorder);
  recording = state == TTO_RECORDER_STATE_STARTING || state == TTO_RECORDER_STATE_RECORDING;

  if (self->video_recorder != NULL)
    duration =
      tto_attachment_format_duration (tto_video_recorder_get_duration_ms (self->video_recorder));
  if (recording)
    /* Translators: %s is the time recorded so far, "0:12" */
    text = g_strdup_printf (_("Recording %s · up to 1 minute"), duration);
  else if (self->video_recording != NULL)
    /* Translators: %s is the length, "0:12" */
    text = g_strdup_printf (_("Recorded %s"), duration);
  else
    text = g_strdup (_("Up to 1 minute"));
  gtk_label_set_label (self->video_label, text);

  gtk_button_set_label (self->video_record_button, recording ? _("_Stop") : _("_Record"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->video_record_button),
                            state != TTO_RECORDER_STATE_STOPPING);
  if (recording)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->video_record_button), "destructive-action");
      gtk_widget_remove_css_class (GTK_WIDGET (self->video_record_button), "suggested-action");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->video_record_button), "destructive-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->video_record_button), "suggested-action");
    }
  gtk_widget_set_sensitive (self->video_send_button,
                            self->video_recording != NULL || state == TTO_RECORDER_STATE_RECORDING);
}

static void
on_video_record_clicked (TtoChatPage *self)
{
  TtoRecorderState state = tto_chat_page_get_video_state (self);

  tto_chat_page_record_video_message (self, !(state == TTO_RECORDER_STATE_RECORDING ||
                                              state == TTO_RECORDER_STATE_STARTING));
}

/* Opens the video message dialog (without recording yet). */
void
tto_chat_page_open_video_message (TtoChatPage *self)
{
  GtkWidget *dialog, *toolbar, *header, *box, *picture, *frame, *label, *buttons, *button;
  GtkWindow *root;

  g_return_if_fail (TTO_IS_CHAT_PAGE (self));

  if (self->video_dialog != NULL)
    {
      gtk_window_present (self->video_dialog);
      return;
    }
  if (self->session == NULL || self->event == NULL || tto_event_get_ended (self->event) ||
      !tto_event_has_form (self->event, TTO_FORM_VIDEO_MESSAGE))
    return;

  root = GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self)));
  dialog = adw_window_new ();
  gtk_window_set_title (GTK_WINDOW (dialog), _("Video Message"));
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), root);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 360, 520);

  toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  button = gtk_button_new_with_mnemonic (_("_Cancel"));
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (tto_chat_page_cancel_video_message),
                            self);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), button);
  button = gtk_button_new_with_mnemonic (_("_Send"));
  gtk_widget_add_css_class (button, "suggested-action");
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (tto_chat_page_send_video_message),
                            self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), button);
  self->video_send_button = button;
  gtk_box_append (GTK_BOX (toolbar), header);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_vexpand (box, TRUE);

  picture = gtk_picture_new ();
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_picture_set_alternative_text (GTK_PICTURE (picture), _("Camera preview"));
  self->video_picture = GTK_PICTURE (picture);
  frame = gtk_frame_new (NULL);
  gtk_widget_add_css_class (frame, "video-preview");
  gtk_widget_set_vexpand (frame, TRUE);
  gtk_frame_set_child (GTK_FRAME (frame), picture);
  gtk_box_append (GTK_BOX (box), frame);

  label = gtk_label_new (NULL);
  gtk_widget_add_css_class (label, "numeric");
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Recording time"), -1);
  self->video_label = GTK_LABEL (label);
  gtk_box_append (GTK_BOX (box), label);

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_halign (buttons, GTK_ALIGN_CENTER);
  button = gtk_button_new_with_mnemonic (_("_Record"));
  gtk_widget_set_size_request (button, 120, 46);
  gtk_widget_add_css_class (button, "pill");
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (on_video_record_clicked), self);
  self->video_record_button = GTK_BUTTON (button);
  gtk_box_append (GTK_BOX (buttons), button);
  gtk_box_append (GTK_BOX (box), buttons);
  gtk_box_append (GTK_BOX (toolbar), box);

  adw_window_set_content (ADW_WINDOW (dialog), toolbar);
  self->video_dialog = GTK_WINDOW (dialog);
  g_signal_connect (dialog, "destroy", G_CALLBACK (on_video_dialog_destroy), self);
  video_dialog_update (self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
video_message_action (GtkWidget *widget,
                      const char *action_name,
                      GVariant *parameter)
{
  tto_chat_page_open_video_message (TTO_CHAT_PAGE (widget));
}

/* Voice messages: the microphone button records while held (or from one
 * activation to the next, by keyboard); releasing sends. */

/* Shorter recordings are taken for a slip of the finger. */
#define MIN_VOICE_MS 500

static void
update_recording (TtoChatPage *self)
{
  gboolean recording = self->recorder != NULL;

  gtk_widget_set_visible (self->composer_scroll, !recording);
  gtk_widget_set_visible (GTK_WIDGET (self->recording_label), recording);
  gtk_widget_set_visible (self->attach_button,
                          !recording && self->event != NULL &&
                          tto_event_has_form (self->event, TTO_FORM_FILE));
  if (recording)
    {
      g_autofree char *duration =
        tto_attachment_format_duration (tto_voice_recorder_get_duration_ms (self->recorder));
      /* Translators: %s is a duration, "0:05" */
      g_autofree char *text = g_strdup_printf (_("Recording %s · release to send"), duration);

      gtk_label_set_label (self->recording_label, text);
      gtk_widget_add_css_class (self->voice_button, "destructive-action");
      gtk_widget_remove_css_class (self->voice_button, "flat");
    }
  else
    {
      gtk_widget_remove_css_class (self->voice_button, "destructive-action");
      gtk_widget_add_css_class (self->voice_button, "flat");
    }
}

static gboolean
on_recording_tick (gpointer user_data)
{
  update_recording (user_data);
  return G_SOURCE_CONTINUE;
}

static void
stop_recording_ui (TtoChatPage *self)
{
  g_clear_handle_id (&self->recording_source, g_source_remove);
  g_clear_object (&self->recorder);
  g_clear_object (&self->voice_cancellable);
  self->voice_send_on_start = FALSE;
  update_recording (self);
}

static void
on_voice_stopped (GObject *object,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (SendFile) send = user_data;
  TtoVoiceRecorder *recorder = TTO_VOICE_RECORDER (object);
  g_autoptr (TtoMediaUpload) upload = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  const guint8 *levels;
  gsize n_levels = 0;

  bytes = tto_voice_recorder_stop_finish (recorder, result, &error);
  if (bytes == NULL)
    {
      show_send_error (send->self, error);
      return;
    }
  if (send->self->session == NULL || tto_event_get_ended (send->event))
    return;

  upload = tto_media_upload_new_bytes (send->self->session, send->event, "voice", bytes, NULL);
  tto_media_upload_set_duration (upload, tto_voice_recorder_get_duration_ms (recorder));
  levels = tto_voice_recorder_get_waveform (recorder, &n_levels);
  if (levels != NULL && n_levels > 0)
    tto_media_upload_set_waveform (upload, levels, n_levels);
  start_upload (send, upload);
}

/* Ends the recording: @send it, or throw it away. */
void
tto_chat_page_finish_voice (TtoChatPage *self,
                            gboolean send)
{
  SendFile *data;

  g_return_if_fail (TTO_IS_CHAT_PAGE (self));

  if (self->recorder == NULL)
    return;

  if (tto_voice_recorder_get_state (self->recorder) == TTO_RECORDER_STATE_STARTING)
    {
      /* Still opening the microphone: decide once it is open. */
      if (send)
        self->voice_send_on_start = TRUE;
      else
        {
          g_cancellable_cancel (self->voice_cancellable);
          tto_voice_recorder_cancel (self->recorder);
          stop_recording_ui (self);
        }
      return;
    }

  if (!send || self->event == NULL ||
      tto_voice_recorder_get_duration_ms (self->recorder) < MIN_VOICE_MS)
    {
      tto_voice_recorder_cancel (self->recorder);
      if (send)
        toast (self, _("Hold the button to record a voice message"));
      stop_recording_ui (self);
      return;
    }

  data = g_new0 (SendFile, 1);
  data->self = g_object_ref (self);
  data->event = g_object_ref (self->event);
  data->file = NULL;
  tto_voice_recorder_stop_async (self->recorder, self->cancellable, on_voice_stopped, data);
  stop_recording_ui (self);
}

static void
on_voice_started (GObject *object,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (TtoChatPage) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!tto_voice_recorder_start_finish (TTO_VOICE_RECORDER (object), result, &error))
    {
      if ((TtoVoiceRecorder *) object == self->recorder)
        stop_recording_ui (self);
      if (g_error_matches (error, TTO_VOICE_RECORDER_ERROR, TTO_VOICE_RECORDER_ERROR_NO_MICROPHONE))
        toast (self, _("No microphone found"));
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, _("Could not record a voice message"));
      return;
    }
  if ((TtoVoiceRecorder *) object != self->recorder)
    return;
  if (self->voice_send_on_start)
    tto_chat_page_finish_voice (self, TRUE);
}

/* Starts recording a voice message (the microphone button's press). */
void
tto_chat_page_start_voice (TtoChatPage *self)
{
  const char *source = g_getenv ("TTO_TEST_AUDIO_SOURCE");

  g_return_if_fail (TTO_IS_CHAT_PAGE (self));

  if (self->recorder != NULL || self->session == NULL || self->event == NULL ||
      tto_event_get_ended (self->event) ||
      !tto_event_has_form (self->event, TTO_FORM_VOICE_MESSAGE))
    return;

  self->recorder = tto_voice_recorder_new ();
  if (source != NULL && *source != '\0')
    tto_voice_recorder_set_source (self->recorder, source);
  self->voice_cancellable = g_cancellable_new ();
  self->voice_send_on_start = FALSE;
  tto_voice_recorder_start_async (self->recorder, self->voice_cancellable, on_voice_started,
                                  g_object_ref (self));
  self->recording_source = g_timeout_add (200, on_recording_tick, self);
  update_recording (self);
}

gboolean
tto_chat_page_get_recording (TtoChatPage *self)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), FALSE);

  return self->recorder != NULL &&
         tto_voice_recorder_get_state (self->recorder) == TTO_RECORDER_STATE_RECORDING;
}

static void
on_voice_pressed (GtkGestureClick *gesture,
                  int n_press,
                  double x,
                  double y,
                  TtoChatPage *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  tto_chat_page_start_voice (self);
}

static void
on_voice_released (GtkGestureClick *gesture,
                   int n_press,
                   double x,
                   double y,
                   TtoChatPage *self)
{
  tto_chat_page_finish_voice (self, TRUE);
}

static void
on_voice_cancelled (GtkGesture *gesture,
                    GdkEventSequence *sequence,
                    TtoChatPage *self)
{
  tto_chat_page_finish_voice (self, FALSE);
}

/* Sliding away from the held microphone throws the recording away. */
#define VOICE_CANCEL_DISTANCE 64.0

static void
on_voice_dragged (GtkGestureDrag *gesture,
                  double offset_x,
                  double offset_y,
                  TtoChatPage *self)
{
  if (self->recorder == NULL ||
      offset_x * offset_x + offset_y * offset_y < VOICE_CANCEL_DISTANCE * VOICE_CANCEL_DISTANCE)
    return;

  tto_chat_page_finish_voice (self, FALSE);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s",
                              _("Voice message discarded"));
}

/* By keyboard: one activation starts, the next sends. */
static void
on_voice_clicked (TtoChatPage *self)
{
  if (self->recorder == NULL)
    tto_chat_page_start_voice (self);
  else
    tto_chat_page_finish_voice (self, TRUE);
}

/* Keys */

static gboolean
move_mention_selection (TtoChatPage *self,
                        int delta)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->mention_filtered));
  guint selected = gtk_single_selection_get_selected (self->mention_selection);

  if (n == 0)
    return FALSE;
  if (selected == GTK_INVALID_LIST_POSITION)
    selected = 0;
  else
    selected = (selected + n + delta) % n;
  gtk_single_selection_set_selected (self->mention_selection, selected);
  gtk_widget_activate_action (GTK_WIDGET (self->mention_list), "list.scroll-to-item", "u",
                              selected);
  return TRUE;
}

static gboolean
on_composer_key_pressed (GtkEventControllerKey *controller,
                         guint keyval,
                         guint keycode,
                         GdkModifierType state,
                         TtoChatPage *self)
{
  gboolean enter = keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter ||
                   keyval == GDK_KEY_ISO_Enter;
  gboolean plain = (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK)) == 0;
  GdkEvent *event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (controller));

  /* An input method composing text (pinyin, kana) takes Enter, arrows and
   * Escape first: Enter then commits its text instead of sending. */
  if ((enter || keyval == GDK_KEY_Escape || keyval == GDK_KEY_Up || keyval == GDK_KEY_Down ||
       keyval == GDK_KEY_Tab) &&
      event != NULL && gtk_text_view_im_context_filter_keypress (self->composer_view, event))
    return TRUE;

  if (gtk_widget_get_visible (GTK_WIDGET (self->mention_popover)))
    {
      switch (keyval)
        {
        case GDK_KEY_Up:
          return move_mention_selection (self, -1);
        case GDK_KEY_Down:
          return move_mention_selection (self, 1);
        case GDK_KEY_Escape:
          hide_mentions (self);
          return TRUE;
        case GDK_KEY_Return:
        case GDK_KEY_KP_Enter:
        case GDK_KEY_ISO_Enter:
        case GDK_KEY_Tab:
          {
            g_autoptr (TtoMember) member =
              gtk_single_selection_get_selected_item (self->mention_selection) != NULL
                ? g_object_ref (gtk_single_selection_get_selected_item (self->mention_selection))
                : NULL;

            if (member != NULL)
              {
                insert_mention (self, member);
                return TRUE;
              }
          }
          break;
        default:
          break;
        }
    }

  if (keyval == GDK_KEY_Escape && (self->reply_to != NULL || self->editing != NULL))
    {
      cancel_reply (self);
      return TRUE;
    }

  if (enter && plain)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "chat.send", NULL);
      return TRUE;
    }
  return FALSE;
}

static void
on_composer_focus_leave (TtoChatPage *self)
{
  hide_mentions (self);
}

/* GObject */

/* Topics */

static gboolean
filter_topic (gpointer item,
              gpointer user_data)
{
  TtoChatPage *self = user_data;

  return self->topics == NULL || tto_topic_tree_shows (self->topics, item);
}

/* Topics came or went, or messages changed topic. */
static void
on_topics_changed (TtoChatPage *self)
{
  gtk_filter_changed (self->topic_filter, GTK_FILTER_CHANGE_DIFFERENT);
}

/* Another topic: its latest messages, from the bottom. */
static void
on_current_topic_changed (TtoChatPage *self)
{
  self->stick_to_bottom = TRUE;
  gtk_filter_changed (self->topic_filter, GTK_FILTER_CHANGE_DIFFERENT);
  scroll_to_bottom (self);
  update_jump_button (self);
  schedule_read_check (self);
}

/* Beside the chat the tree needs no button; folded it is a page, and the
 * header makes room for its button: Event Info stays in the chat menu. */
static void
on_topics_folded (TtoChatPage *self)
{
  gboolean folded;

  if (self->topics_leaflet == NULL)
    return; /* still building the template */
  folded = adw_leaflet_get_folded (self->topics_leaflet);

  gtk_widget_set_visible (self->topics_button, folded);
  gtk_widget_set_visible (self->info_button, !folded);
  tto_topic_view_set_folded (self->topic_view, folded);
}

static void
on_topic_chosen (TtoChatPage *self)
{
  adw_leaflet_set_visible_child_name (self->topics_leaflet, "chat");
}

static void
show_topics_action (GtkWidget *widget,
                    const char *action_name,
                    GVariant *parameter)
{
  TtoChatPage *self = TTO_CHAT_PAGE (widget);

  adw_leaflet_set_visible_child_name (self->topics_leaflet, "topics");
  gtk_widget_grab_focus (GTK_WIDGET (tto_topic_view_get_list_view (self->topic_view)));
}

/* "Discuss this separately" from a message's menu. */
static void
discuss_action (GtkWidget *widget,
                const char *action_name,
                GVariant *parameter)
{
  TtoChatPage *self = TTO_CHAT_PAGE (widget);
  TtoMessage *message = message_for_seq (self, parameter, NULL);

  if (message != NULL && !tto_message_get_recalled (message))
    tto_topic_view_discuss (self->topic_view, message);
}

TtoTopicView *
tto_chat_page_get_topic_view (TtoChatPage *self)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), NULL);

  return self->topic_view;
}

TtoTopicBar *
tto_chat_page_get_topic_bar (TtoChatPage *self)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), NULL);

  return self->topic_bar;
}

GtkWidget *
tto_chat_page_get_topics_button (TtoChatPage *self)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), NULL);

  return self->topics_button;
}

static void
tto_chat_page_size_allocate (GtkWidget *widget,
                             int width,
                             int height,
                             int baseline)
{
  TtoChatPage *self = TTO_CHAT_PAGE (widget);

  GTK_WIDGET_CLASS (tto_chat_page_parent_class)->size_allocate (widget, width, height, baseline);
  /* The completion popover is our child: it must be positioned with us. */
  gtk_popover_present (self->mention_popover);
}

static void
tto_chat_page_dispose (GObject *object)
{
  TtoChatPage *self = (TtoChatPage *) object;

  g_cancellable_cancel (self->cancellable);
  if (self->export_cancellable != NULL)
    g_cancellable_cancel (self->export_cancellable);
  if (self->export_chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->export_chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->export_chooser));
      g_clear_object (&self->export_chooser);
    }
  if (self->recorder != NULL)
    {
      tto_voice_recorder_cancel (self->recorder);
      stop_recording_ui (self);
    }
  if (self->attach_chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->attach_chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->attach_chooser));
      g_clear_object (&self->attach_chooser);
    }
  if (self->sticker_chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->sticker_chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->sticker_chooser));
      g_clear_object (&self->sticker_chooser);
    }
  g_clear_object (&self->sticker_library);
  if (self->video_dialog != NULL)
    gtk_window_destroy (self->video_dialog);
  g_clear_handle_id (&self->read_source, g_source_remove);
  g_clear_handle_id (&self->flash_source, g_source_remove);
  g_clear_object (&self->flash_message);
  tto_chat_page_set_event (self, NULL);
  tto_chat_page_set_session (self, NULL);
  if (self->root != NULL)
    g_signal_handlers_disconnect_by_data (self->root, self);
  self->root = NULL;
  if (self->mention_popover != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->mention_popover));
      self->mention_popover = NULL;
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_CHAT_PAGE);

  G_OBJECT_CLASS (tto_chat_page_parent_class)->dispose (object);
}

static void
tto_chat_page_finalize (GObject *object)
{
  TtoChatPage *self = (TtoChatPage *) object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->mention_candidates);
  g_clear_object (&self->mention_filtered);
  g_clear_object (&self->mention_selection);
  g_free (self->mention_query);
  g_hash_table_unref (self->mentions);
  g_ptr_array_unref (self->rows);
  g_clear_error (&self->export_error);
  g_clear_object (&self->topic_filter);

  G_OBJECT_CLASS (tto_chat_page_parent_class)->finalize (object);
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
    case PROP_MUTED:
      g_value_set_boolean (value, self->event != NULL &&
                                    tto_client_is_event_muted (tto_event_get_id (self->event)));
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
      update_composer (self);
      update_header (self);
      break;
    case PROP_MUTED:
      if (self->event != NULL)
        tto_client_set_event_muted (tto_event_get_id (self->event), g_value_get_boolean (value));
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
  object_class->finalize = tto_chat_page_finalize;
  object_class->get_property = tto_chat_page_get_property;
  object_class->set_property = tto_chat_page_set_property;
  widget_class->size_allocate = tto_chat_page_size_allocate;

  properties[PROP_FOLDED] = g_param_spec_boolean ("folded", NULL, NULL, FALSE,
                                                  G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /* Notifications of the open event are muted. */
  properties[PROP_MUTED] = g_param_spec_boolean ("muted", NULL, NULL, FALSE,
                                                 G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TTO_TYPE_TOPIC_VIEW);
  g_type_ensure (TTO_TYPE_TOPIC_BAR);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-chat-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, topic_view);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, topics_button);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, info_button);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, topic_bar);
  gtk_widget_class_bind_template_callback (widget_class, on_topics_folded);
  gtk_widget_class_bind_template_callback (widget_class, on_topic_chosen);
  gtk_widget_class_install_action (widget_class, "chat.show-topics", NULL, show_topics_action);
  gtk_widget_class_install_action (widget_class, "chat.discuss", "x", discuss_action);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, flow_button);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, flow_label);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, eliminated_label);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, call_button);
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
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, attach_button);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, sticker_button);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, video_button);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, voice_button);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, composer_scroll);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, recording_label);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, ended_status);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, menu_button);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, calls_section);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, jump_revealer);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, reply_revealer);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, reply_icon);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, reply_title_label);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, reply_text_label);
  gtk_widget_class_bind_template_child (widget_class, TtoChatPage, reply_cancel_button);

  gtk_widget_class_install_action (widget_class, "chat.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "chat.attach", NULL, attach_action);
  gtk_widget_class_install_action (widget_class, "chat.import-sticker", NULL,
                                   import_sticker_action);
  gtk_widget_class_install_action (widget_class, "chat.video-message", NULL,
                                   video_message_action);
  gtk_widget_class_install_action (widget_class, "chat.info", NULL, info_action);
  gtk_widget_class_install_action (widget_class, "chat.reply", "x", reply_action);
  gtk_widget_class_install_action (widget_class, "chat.edit", "x", edit_action);
  gtk_widget_class_install_action (widget_class, "chat.recall", "x", recall_action);
  gtk_widget_class_install_action (widget_class, "chat.cancel-reply", NULL, cancel_reply_action);
  gtk_widget_class_install_action (widget_class, "chat.show-original", "x",
                                   show_original_action);
  gtk_widget_class_install_action (widget_class, "chat.jump-to-latest", NULL, jump_action);
  gtk_widget_class_install_action (widget_class, "chat.export", NULL, export_action);
  gtk_widget_class_install_property_action (widget_class, "chat.mute", "muted");
}

static void
tto_chat_page_init (TtoChatPage *self)
{
  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr (GtkListItemFactory) mention_factory = gtk_signal_list_item_factory_new ();
  GtkEventController *controller;
  GtkAdjustment *adjustment;
  GtkWidget *scrolled;
  GtkGesture *gesture;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The microphone records while held: its own gesture, before the
   * button's click. */
  gesture = gtk_gesture_click_new ();
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (gesture), GTK_PHASE_CAPTURE);
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_voice_pressed), self);
  g_signal_connect (gesture, "released", G_CALLBACK (on_voice_released), self);
  g_signal_connect (gesture, "cancel", G_CALLBACK (on_voice_cancelled), self);
  gtk_widget_add_controller (self->voice_button, GTK_EVENT_CONTROLLER (gesture));
  {
    GtkGesture *drag = gtk_gesture_drag_new ();

    /* Grouped with the click, so the claimed press still reports motion. */
    gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (drag), GTK_PHASE_CAPTURE);
    g_signal_connect (drag, "drag-update", G_CALLBACK (on_voice_dragged), self);
    gtk_widget_add_controller (self->voice_button, GTK_EVENT_CONTROLLER (drag));
    gtk_gesture_group (gesture, drag);
  }
  g_signal_connect_swapped (self->voice_button, "clicked", G_CALLBACK (on_voice_clicked), self);
  setup_sticker_picker (self);

  self->stick_to_bottom = TRUE;
  self->rows = g_ptr_array_new ();
  self->mentions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->cancellable = g_cancellable_new ();
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

  controller = gtk_event_controller_focus_new ();
  g_signal_connect_swapped (controller, "leave", G_CALLBACK (on_composer_focus_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self->composer_view), controller);

  /* The member completion under "@": it never takes the focus, typing goes
   * on in the composer, and arrows, Enter and Escape drive it from there. */
  self->mention_candidates = g_list_store_new (TTO_TYPE_MEMBER);
  self->mention_filtered =
    gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->mention_candidates)),
                               GTK_FILTER (gtk_custom_filter_new (filter_mention, self, NULL)));
  self->mention_selection =
    gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->mention_filtered)));
  gtk_single_selection_set_autoselect (self->mention_selection, TRUE);
  g_signal_connect (mention_factory, "setup", G_CALLBACK (on_mention_setup), NULL);
  g_signal_connect (mention_factory, "bind", G_CALLBACK (on_mention_bind), NULL);
  self->mention_list = GTK_LIST_VIEW (gtk_list_view_new (
    GTK_SELECTION_MODEL (g_object_ref (self->mention_selection)), g_object_ref (mention_factory)));
  gtk_list_view_set_single_click_activate (self->mention_list, TRUE);
  gtk_widget_set_can_focus (GTK_WIDGET (self->mention_list), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->mention_list), "mention-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->mention_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Members to mention"), -1);
  g_signal_connect (self->mention_list, "activate", G_CALLBACK (on_mention_activate), self);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_propagate_natural_width (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 240);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->mention_list));
  gtk_widget_set_size_request (scrolled, 200, -1);
  self->mention_popover = GTK_POPOVER (gtk_popover_new ());
  gtk_popover_set_child (self->mention_popover, scrolled);
  gtk_popover_set_autohide (self->mention_popover, FALSE);
  gtk_popover_set_has_arrow (self->mention_popover, FALSE);
  gtk_popover_set_position (self->mention_popover, GTK_POS_TOP);
  gtk_widget_set_can_focus (GTK_WIDGET (self->mention_popover), FALSE);
  gtk_widget_set_parent (GTK_WIDGET (self->mention_popover), GTK_WIDGET (self));

  g_signal_connect_object (gtk_text_view_get_buffer (self->composer_view), "changed",
                           G_CALLBACK (on_composer_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "map", G_CALLBACK (on_map), NULL);
  g_signal_connect (self, "unmap", G_CALLBACK (on_unmap), NULL);
  update_view (self);
  update_menu_actions (self);
  self->topic_filter = GTK_FILTER (gtk_custom_filter_new (filter_topic, self, NULL));
  /* The template's root: not bound, so disposing the template leaves it to AdwBin. */
  self->topics_leaflet = ADW_LEAFLET (adw_bin_get_child (ADW_BIN (self)));
  adw_leaflet_set_visible_child_name (self->topics_leaflet, "chat");
  on_topics_folded (self);
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
    {
      g_signal_handlers_disconnect_by_data (tto_session_get_connection (self->session), self);
      g_signal_handlers_disconnect_by_data (self->session, self);
    }
  g_set_object (&self->session, session);
  if (session != NULL)
    {
      g_signal_connect_object (tto_session_get_connection (session), "notify::state",
                               G_CALLBACK (update_banner), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "receipts-changed",
                               G_CALLBACK (on_session_receipts_changed), self, 0);
      g_signal_connect_object (session, "event-changed", G_CALLBACK (on_session_event_changed),
                               self, 0);
      g_signal_connect_object (session, "members-changed", G_CALLBACK (on_members_changed), self,
                               0);
      g_signal_connect_object (session, "notify::open-event", G_CALLBACK (schedule_read_check),
                               self, G_CONNECT_SWAPPED);
    }
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
    {
      /* Opened again: mark what arrived meanwhile. */
      reset_divider (self);
      place_divider (self);
      return;
    }

  if (self->recorder != NULL)
    {
      tto_voice_recorder_cancel (self->recorder);
      stop_recording_ui (self);
    }
  if (self->event != NULL)
    g_signal_handlers_disconnect_by_data (self->event, self);
  if (self->messages != NULL)
    g_signal_handlers_disconnect_by_data (self->messages, self);
  g_clear_object (&self->messages);
  if (self->topics != NULL)
    g_signal_handlers_disconnect_by_data (self->topics, self);
  g_clear_object (&self->topics);
  set_target (self, &self->reply_to, NULL);
  set_target (self, &self->editing, NULL);
  update_reply_bar (self);
  hide_mentions (self);
  clear_mentions (self);
  g_set_object (&self->event, event);
  set_composer_text (self, "");
  if (self->flow != NULL)
    g_signal_handlers_disconnect_by_func (self->flow, update_flow_entry, self);
  g_clear_object (&self->flow);
  if (event != NULL && self->session != NULL)
    {
      self->flow = g_object_ref (tto_session_get_flow (self->session, tto_event_get_id (event)));
      g_signal_connect_swapped (self->flow, "changed", G_CALLBACK (update_flow_entry), self);
      g_signal_connect_swapped (event, "notify::ended", G_CALLBACK (update_flow_entry), self);
    }
  update_flow_entry (self);
  self->stick_to_bottom = TRUE;
  self->divider_seq = 0;
  self->scroll_to_divider = FALSE;

  if (event != NULL && self->session != NULL)
    {
      g_autoptr (GtkNoSelection) selection = NULL;

      reset_divider (self);
      self->topics = g_object_ref (tto_session_get_topic_tree (self->session, event));
      g_signal_connect_swapped (self->topics, "changed", G_CALLBACK (on_topics_changed), self);
      g_signal_connect_swapped (self->topics, "notify::current",
                                G_CALLBACK (on_current_topic_changed), self);
      self->messages = G_LIST_MODEL (gtk_filter_list_model_new (
        g_object_ref (tto_session_get_messages (self->session, event)),
        g_object_ref (self->topic_filter)));
      selection = gtk_no_selection_new (g_object_ref (self->messages));
      gtk_list_view_set_model (self->message_list, GTK_SELECTION_MODEL (selection));
      g_signal_connect (self->messages, "items-changed", G_CALLBACK (on_messages_changed), self);
      g_signal_connect_swapped (event, "notify::title", G_CALLBACK (update_header), self);
      g_signal_connect_swapped (event, "notify::announcement", G_CALLBACK (update_header), self);
      g_signal_connect_swapped (event, "notify::member-count", G_CALLBACK (update_header), self);
      g_signal_connect_swapped (event, "notify::ended", G_CALLBACK (update_view), self);
      g_signal_connect_swapped (event, "notify::ended", G_CALLBACK (update_menu_actions), self);
      g_signal_connect_swapped (event, "notify::role", G_CALLBACK (update_menu_actions), self);
      tto_session_load_event (self->session, event);
      /* Before the first layout: the list then makes rows only where it
       * opens, not at the top first. */
      if (self->stick_to_bottom)
        scroll_to_bottom (self);
      place_divider (self);
    }
  else
    gtk_list_view_set_model (self->message_list, NULL);
  tto_topic_view_set_context (self->topic_view, event != NULL ? self->session : NULL, event);
  tto_topic_bar_set_context (self->topic_bar, event != NULL ? self->session : NULL, event);

  update_view (self);
  update_menu_actions (self);
  update_jump_button (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MUTED]);
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

GtkTextView *
tto_chat_page_get_composer_view (TtoChatPage *self)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), NULL);

  return self->composer_view;
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

/* The reply or edit bar: its title ("Reply to Bo") and quoted line, or
 * NULL when hidden. */
const char *
tto_chat_page_get_reply_title (TtoChatPage *self)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), NULL);

  return gtk_revealer_get_reveal_child (self->reply_revealer)
           ? gtk_label_get_label (self->reply_title_label)
           : NULL;
}

const char *
tto_chat_page_get_reply_text (TtoChatPage *self)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), NULL);

  return gtk_revealer_get_reveal_child (self->reply_revealer)
           ? gtk_label_get_label (self->reply_text_label)
           : NULL;
}

gboolean
tto_chat_page_get_jump_visible (TtoChatPage *self)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), FALSE);

  return gtk_revealer_get_reveal_child (self->jump_revealer);
}

/* The completion popover's entries as shown ("@Bo"), or NULL when closed. */
GListModel *
tto_chat_page_get_mention_candidates (TtoChatPage *self)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self->mention_popover))
           ? G_LIST_MODEL (self->mention_filtered)
           : NULL;
}

/* The message row showing @message, if the list made one. */
TtoMessageRow *
tto_chat_page_find_row (TtoChatPage *self,
                        TtoMessage *message)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), NULL);

  return find_bound_row (self, message);
}

/* Writes the whole conversation to @file; shows progress, then a toast. */
void
tto_chat_page_export_to_file (TtoChatPage *self,
                              GFile *file,
                              TtoExportFormat format)
{
  g_autoptr (GHashTable) names = NULL;
  GtkWidget *progress;

  g_return_if_fail (TTO_IS_CHAT_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->session == NULL || self->event == NULL || self->exporting)
    return;

  self->exporting = TRUE;
  g_clear_error (&self->export_error);
  update_menu_actions (self);
  self->export_cancellable = g_cancellable_new ();

  self->export_dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
    GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), _("Exporting Conversation…"),
    _("The messages are fetched from the relay and saved on this device only.")));
  progress = gtk_progress_bar_new ();
  gtk_accessible_update_property (GTK_ACCESSIBLE (progress), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Export progress"), -1);
  self->export_progress = GTK_PROGRESS_BAR (progress);
  adw_message_dialog_set_extra_child (self->export_dialog, progress);
  adw_message_dialog_add_response (self->export_dialog, "cancel", _("_Cancel"));
  adw_message_dialog_set_close_response (self->export_dialog, "cancel");
  g_signal_connect (self->export_dialog, "response", G_CALLBACK (on_export_dialog_response),
                    self);
  gtk_window_present (GTK_WINDOW (self->export_dialog));

  names = member_names (self);
  tto_export_async (tto_session_get_connection (self->session), self->event, names, format, file,
                    on_export_progress, self, self->export_cancellable, on_export_ready,
                    g_object_ref (self));
}

gboolean
tto_chat_page_get_exporting (TtoChatPage *self)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), FALSE);

  return self->exporting;
}

/* Why the last export failed, or NULL. */
const GError *
tto_chat_page_get_export_error (TtoChatPage *self)
{
  g_return_val_if_fail (TTO_IS_CHAT_PAGE (self), NULL);

  return self->export_error;
}
