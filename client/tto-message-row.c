/* tto-message-row.c: one message in the chat
 *
 * Own messages sit on the right in an accent bubble, others' on the left
 * under their sender's name; a clock shows while the relay has not yet
 * confirmed the message. A reply shows the quoted sender and first line
 * (tap to go there), an edited message says so, a recalled one only who
 * recalled it, and the user's own messages say how many have read them
 * (tap for who). Right click, long press, the Menu key or Shift+F10 open
 * the message's menu; on touch a swipe to the right replies.
 *
 * The row is a plain widget with a handful of labels (no AdwActionRow),
 * built in code rather than from a template (a list makes ~200 of them when
 * a room opens, and parsing XML for each costs more than the rest), and
 * lays its bubble out itself: at most MAX_BUBBLE_WIDTH wide, so lines stay
 * readable on a wide window. Popovers, the quote, the unread divider and
 * the swipe and pending icons are made on demand.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <adwaita.h>

#include "tto-client.h"

#include "tto-attachment-view.h"
#include "tto-message-row.h"
#include "tto-system-text.h"

/* Room left on the far side of a bubble, so one can tell who speaks. */
#define BUBBLE_INSET 48
/* Wider lines are hard to read. */
#define MAX_BUBBLE_WIDTH 600
/* A swipe this far replies; the bubble follows the finger up to the max. */
#define SWIPE_THRESHOLD 72
#define SWIPE_MAX 110

struct _TtoMessageRow
{
  GtkWidget parent_instance;

  GtkLabel *divider_label;
  GtkImage *swipe_image;
  GtkWidget *content;
  GtkLabel *sender_label;
  GtkWidget *bubble;
  GtkButton *quote_button;
  GtkLabel *quote_sender_label;
  GtkLabel *quote_text_label;
  TtoAttachmentView *attachment_view;
  GtkLabel *text_label;
  GtkLabel *edited_label;
  GtkLabel *time_label;
  GtkImage *pending_image;
  GtkLabel *receipt_label;

  GtkPopover *menu_popover;
  GtkPopover *receipts_popover;

  TtoSession *session;
  TtoEvent *event;
  TtoMessage *message;
  gboolean own;
  gboolean mentions_me;

  double swipe_offset;
  gboolean swiping;
  AdwAnimation *swipe_animation;
  guint flash_source;
};

G_DEFINE_FINAL_TYPE (TtoMessageRow, tto_message_row, GTK_TYPE_WIDGET)

static void ensure_divider (TtoMessageRow *self);
static void ensure_swipe_image (TtoMessageRow *self);
static void ensure_quote (TtoMessageRow *self);
static void ensure_pending_image (TtoMessageRow *self);

/* Parts made on first need may not be there: not there is not shown. */
static gboolean
shown (gpointer widget)
{
  return widget != NULL && gtk_widget_get_visible (GTK_WIDGET (widget));
}

static const char *
recaller_name (TtoMessageRow *self,
               const char *identity_id)
{
  TtoMember *member;

  if (identity_id == NULL)
    return NULL;
  if (g_strcmp0 (identity_id, tto_message_get_sender_id (self->message)) == 0)
    return tto_message_get_sender_name (self->message);
  if (self->session != NULL && self->event != NULL)
    {
      member = tto_session_lookup_member (self->session, self->event, identity_id);
      if (member != NULL)
        return tto_member_get_display_name (member);
      if (g_strcmp0 (identity_id, tto_event_get_creator_id (self->event)) == 0)
        return tto_event_get_creator_name (self->event);
    }
  return NULL;
}

static char *
describe_recall (TtoMessageRow *self)
{
  const char *by = tto_message_get_recalled_by (self->message);
  const char *name;

  if (self->session != NULL && g_strcmp0 (by, tto_session_get_identity_id (self->session)) == 0)
    return g_strdup (_("You recalled a message"));
  name = recaller_name (self, by);
  if (name == NULL || *name == '\0')
    return g_strdup (_("A message was recalled"));
  /* Translators: %s is a display name */
  return g_strdup_printf (_("%s recalled a message"), name);
}

static void
update_quote (TtoMessageRow *self)
{
  const char *reply_to = tto_message_get_reply_to_msg_id (self->message);
  const char *excerpt = tto_message_get_reply_to_excerpt (self->message);
  const char *sender = tto_message_get_reply_to_sender_name (self->message);
  g_autofree char *description = NULL;

  if (reply_to == NULL)
    {
      if (self->quote_button != NULL)
        {
          gtk_widget_set_visible (GTK_WIDGET (self->quote_button), FALSE);
          gtk_label_set_label (self->quote_text_label, "");
        }
      return;
    }

  ensure_quote (self);
  gtk_widget_set_visible (GTK_WIDGET (self->quote_button),
                          !tto_message_get_recalled (self->message));
  gtk_label_set_label (self->quote_sender_label, sender != NULL ? sender : "");
  if (tto_message_get_reply_to_recalled (self->message) || excerpt == NULL || *excerpt == '\0')
    gtk_label_set_label (self->quote_text_label, _("Recalled message"));
  else
    gtk_label_set_label (self->quote_text_label, excerpt);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->quote_button), "x",
                                    tto_message_get_reply_to_seq (self->message));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->quote_button), "chat.show-original");
  /* Translators: %s is a display name */
  description = g_strdup_printf (_("Reply to %s, show the original message"),
                                 sender != NULL ? sender : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->quote_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);
}

/* The attachment's view sits above the text; it is made once per message
 * and goes when the message is recalled. A sticker has no bubble. */
static void
update_attachment (TtoMessageRow *self)
{
  gboolean want = self->message != NULL &&
                  tto_message_get_attachment (self->message) != NULL &&
                  !tto_message_get_recalled (self->message);
  gboolean sticker;
  const char *text;

  if (self->attachment_view != NULL &&
      (!want || tto_attachment_view_get_message (self->attachment_view) != self->message))
    {
      gtk_box_remove (GTK_BOX (self->bubble), GTK_WIDGET (self->attachment_view));
      self->attachment_view = NULL;
    }
  if (want && self->attachment_view == NULL)
    {
      self->attachment_view = tto_attachment_view_new (self->session, self->message);
      /* After the quote, or first when there is none. */
      gtk_box_insert_child_after (GTK_BOX (self->bubble), GTK_WIDGET (self->attachment_view),
                                  (GtkWidget *) self->quote_button);
    }

  sticker = self->attachment_view != NULL &&
            g_strcmp0 (tto_attachment_view_get_kind (self->attachment_view), "sticker") == 0;
  if (sticker)
    gtk_widget_add_css_class (self->bubble, "sticker");
  else
    gtk_widget_remove_css_class (self->bubble, "sticker");
  if (self->attachment_view != NULL)
    gtk_widget_add_css_class (self->bubble, "has-attachment");
  else
    gtk_widget_remove_css_class (self->bubble, "has-attachment");

  /* An attachment's caption is optional. */
  text = self->message != NULL ? tto_message_get_text (self->message) : NULL;
  gtk_widget_set_visible (GTK_WIDGET (self->text_label),
                          self->attachment_view == NULL || (text != NULL && *text != '\0'));
}

/* A wrapped label finds its minimum width by laying its text out
 * width-chars wide. At one character Pango breaks the text between every
 * pair of characters, each break a new shaping run: for a room's first
 * ~200 rows that cost more than all else in opening it. A text can take a
 * wider minimum, with fewer breaks, as long as it is no wider than the
 * text's longest line, so its natural width (the bubble's) stays the same:
 * a printing character is more than a fifth of the label's character
 * width (the widest of its average letter and digit). The minimum stays
 * at most MIN_TEXT_CHARS, as wide as a quote's, so the row's minimum width
 * (it only bounds the window's) barely moves. */
#define MIN_TEXT_CHARS 8

static int
text_width_chars (const char *text)
{
  guint line = 0, longest = 0;

  for (const char *p = text; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      switch (g_unichar_break_type (c))
        {
        case G_UNICODE_BREAK_MANDATORY:
        case G_UNICODE_BREAK_CARRIAGE_RETURN:
        case G_UNICODE_BREAK_LINE_FEED:
        case G_UNICODE_BREAK_NEXT_LINE:
          line = 0;
          break;
        default:
          if ((c == ' ' || g_unichar_isgraph (c)) && !g_unichar_iszerowidth (c) &&
              !g_unichar_ismark (c))
            longest = MAX (longest, ++line);
          if (longest >= 5 * MIN_TEXT_CHARS)
            return MIN_TEXT_CHARS;
          break;
        }
    }
  return MAX (1, longest / 5);
}

static void
set_text (TtoMessageRow *self,
          const char *text)
{
  gtk_label_set_label (self->text_label, text);
  gtk_label_set_width_chars (self->text_label, text_width_chars (text));
}

static void
update_text (TtoMessageRow *self)
{
  gboolean recalled = tto_message_get_recalled (self->message);
  const char *me = self->session != NULL ? tto_session_get_identity_id (self->session) : NULL;

  if (recalled)
    {
      g_autofree char *text = describe_recall (self);

      set_text (self, text);
      gtk_widget_add_css_class (self->bubble, "recalled");
    }
  else if (tto_message_get_system (self->message))
    {
      /* The relay's flow line, worded from its data in the user's language. */
      char *text = tto_system_text_for_message (self->message);

      set_text (self, text);
      tto_str_wipe_free (text);
      gtk_widget_remove_css_class (self->bubble, "recalled");
    }
  else
    {
      set_text (self, tto_message_get_text (self->message));
      gtk_widget_remove_css_class (self->bubble, "recalled");
    }

  gtk_widget_set_visible (GTK_WIDGET (self->edited_label),
                          !recalled && tto_message_get_edited_at (self->message) > 0);
  self->mentions_me = !self->own && tto_message_mentions (self->message, me);
  if (self->mentions_me)
    gtk_widget_add_css_class (self->bubble, "mention");
  else
    gtk_widget_remove_css_class (self->bubble, "mention");
  update_quote (self);
  update_attachment (self);
}

static void
update_state (TtoMessageRow *self)
{
  g_autofree char *time = NULL;

  if (self->message == NULL)
    return;

  time = tto_client_format_time (tto_message_get_ts (self->message));
  gtk_label_set_label (self->time_label, time);
  if (tto_message_get_state (self->message) == TTO_MESSAGE_STATE_PENDING)
    {
      ensure_pending_image (self);
      gtk_widget_set_visible (GTK_WIDGET (self->pending_image), TRUE);
    }
  else if (self->pending_image != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->pending_image), FALSE);
  tto_message_row_update_receipts (self);
}

static void
on_message_notify (TtoMessage *message,
                   GParamSpec *pspec,
                   TtoMessageRow *self)
{
  if (g_str_equal (pspec->name, "pending") || g_str_equal (pspec->name, "ts") ||
      g_str_equal (pspec->name, "seq"))
    update_state (self);
  else
    {
      update_text (self);
      tto_message_row_update_receipts (self);
    }
}

/* Layout: the divider spans the row, the bubble's column is at most
 * MAX_BUBBLE_WIDTH wide and follows a swipe. */

static int
content_width_for (TtoMessageRow *self,
                   int width)
{
  int nat = 0;

  gtk_widget_measure (self->content, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &nat, NULL, NULL);
  return MIN (width, MIN (nat, MAX_BUBBLE_WIDTH + BUBBLE_INSET + 12));
}

static void
tto_message_row_measure (GtkWidget *widget,
                         GtkOrientation orientation,
                         int for_size,
                         int *minimum,
                         int *natural,
                         int *minimum_baseline,
                         int *natural_baseline)
{
  TtoMessageRow *self = TTO_MESSAGE_ROW (widget);
  int min = 0, nat = 0;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      gtk_widget_measure (self->content, orientation, -1, &min, &nat, NULL, NULL);
      nat = MIN (nat, MAX_BUBBLE_WIDTH + BUBBLE_INSET + 12);
      if (shown (self->divider_label))
        {
          int dmin, dnat;

          gtk_widget_measure (GTK_WIDGET (self->divider_label), orientation, -1, &dmin, &dnat,
                              NULL, NULL);
          min = MAX (min, dmin);
          nat = MAX (nat, dnat);
        }
      nat = MAX (nat, min);
    }
  else
    {
      int width = for_size >= 0 ? content_width_for (self, for_size) : -1;

      gtk_widget_measure (self->content, orientation, width, &min, &nat, NULL, NULL);
      if (shown (self->divider_label))
        {
          int dmin, dnat;

          gtk_widget_measure (GTK_WIDGET (self->divider_label), orientation, for_size, &dmin,
                              &dnat, NULL, NULL);
          min += dmin;
          nat += dnat;
        }
    }

  *minimum = min;
  *natural = nat;
  *minimum_baseline = -1;
  *natural_baseline = -1;
}

static void
tto_message_row_size_allocate (GtkWidget *widget,
                               int width,
                               int height,
                               int baseline)
{
  TtoMessageRow *self = TTO_MESSAGE_ROW (widget);
  int top = 0;
  int content_width = content_width_for (self, width);
  int x = self->own ? width - content_width : 0;
  int content_height;

  /* Event flow: the relay's own lines (stage and rule changes) sit centred. */
  if (self->message != NULL && tto_message_get_system (self->message))
    x = (width - content_width) / 2;

  if (shown (self->divider_label))
    {
      gtk_widget_measure (GTK_WIDGET (self->divider_label), GTK_ORIENTATION_VERTICAL, width,
                          NULL, &top, NULL, NULL);
      gtk_widget_size_allocate (GTK_WIDGET (self->divider_label),
                                &(GtkAllocation){ 0, 0, width, top }, -1);
    }
  content_height = height - top;

  if (shown (self->swipe_image))
    {
      int size = 24;

      gtk_widget_size_allocate (GTK_WIDGET (self->swipe_image),
                                &(GtkAllocation){ 12, top + (content_height - size) / 2, size,
                                                  size },
                                -1);
      gtk_widget_set_opacity (GTK_WIDGET (self->swipe_image),
                              MIN (1.0, self->swipe_offset / SWIPE_THRESHOLD));
    }

  gtk_widget_allocate (self->content, content_width, content_height, -1,
                       gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (x + self->swipe_offset,
                                                                            top)));

  if (self->menu_popover != NULL)
    gtk_popover_present (self->menu_popover);
  if (self->receipts_popover != NULL)
    gtk_popover_present (self->receipts_popover);
}

/* Menus and popovers */

static gboolean
unparent_idle (gpointer user_data)
{
  GtkWidget *popover = user_data;

  if (gtk_widget_get_parent (popover) != NULL)
    gtk_widget_unparent (popover);
  g_object_unref (popover);
  return G_SOURCE_REMOVE;
}

static void
on_popover_closed (GtkPopover *popover,
                   TtoMessageRow *self)
{
  if (popover == self->menu_popover)
    self->menu_popover = NULL;
  else if (popover == self->receipts_popover)
    self->receipts_popover = NULL;
  g_signal_handlers_disconnect_by_data (popover, self);
  /* Not inside ::closed: the popover is still finishing its hiding. The
   * menu's action runs before this idle. */
  g_idle_add (unparent_idle, g_object_ref (popover));
}

static void
clear_popovers (TtoMessageRow *self)
{
  if (self->menu_popover != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->menu_popover, self);
      gtk_widget_unparent (GTK_WIDGET (self->menu_popover));
      self->menu_popover = NULL;
    }
  if (self->receipts_popover != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->receipts_popover, self);
      gtk_widget_unparent (GTK_WIDGET (self->receipts_popover));
      self->receipts_popover = NULL;
    }
}

static void
point_at (GtkPopover *popover,
          TtoMessageRow *self,
          double x,
          double y)
{
  graphene_rect_t bounds;

  if (x >= 0 && y >= 0)
    gtk_popover_set_pointing_to (popover, &(GdkRectangle){ (int) x, (int) y, 1, 1 });
  else if (gtk_widget_compute_bounds (self->bubble, GTK_WIDGET (self), &bounds))
    gtk_popover_set_pointing_to (popover,
                                 &(GdkRectangle){ (int) bounds.origin.x, (int) bounds.origin.y,
                                                  (int) bounds.size.width,
                                                  (int) bounds.size.height });
}

static void
copy_action (GtkWidget *widget,
             const char *action_name,
             GVariant *parameter)
{
  TtoMessageRow *self = TTO_MESSAGE_ROW (widget);

  if (self->message == NULL || tto_message_get_recalled (self->message))
    return;
  /* A system line is copied as shown, in the user's language. */
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget),
                          tto_message_get_system (self->message)
                            ? gtk_label_get_label (self->text_label)
                            : tto_message_get_text (self->message));
  gtk_widget_activate_action (widget, "win.toast", "s", _("Message copied"));
}

static void
menu_action (GtkWidget *widget,
             const char *action_name,
             GVariant *parameter)
{
  tto_message_row_popup_menu (TTO_MESSAGE_ROW (widget), -1, -1);
}

static void
receipts_action (GtkWidget *widget,
                 const char *action_name,
                 GVariant *parameter)
{
  tto_message_row_show_receipts (TTO_MESSAGE_ROW (widget));
}

/* Input */

static void
on_right_click_pressed (GtkGestureClick *gesture,
                        int n_press,
                        double x,
                        double y,
                        TtoMessageRow *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  tto_message_row_popup_menu (self, x, y);
}

static void
on_long_press (GtkGestureLongPress *gesture,
               double x,
               double y,
               TtoMessageRow *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  tto_message_row_popup_menu (self, x, y);
}

static void
on_bubble_released (GtkGestureClick *gesture,
                    int n_press,
                    double x,
                    double y,
                    TtoMessageRow *self)
{
  if (n_press == 1 && self->own && !self->swiping)
    tto_message_row_show_receipts (self);
}

static void
set_swipe_offset (TtoMessageRow *self,
                  double offset)
{
  self->swipe_offset = offset;
  if (offset > 0)
    ensure_swipe_image (self);
  if (self->swipe_image != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->swipe_image), offset > 0);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static void
on_swipe_animation_value (double value,
                          TtoMessageRow *self)
{
  set_swipe_offset (self, value);
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double dx,
                double dy,
                TtoMessageRow *self)
{
  if (!self->swiping)
    {
      /* A vertical move is scrolling; a clear move to the right, a reply. */
      if (ABS (dy) > 12 && ABS (dy) > ABS (dx))
        {
          gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
          return;
        }
      if (dx < 12 || dx < 2 * ABS (dy) || self->message == NULL ||
          tto_message_get_recalled (self->message))
        return;
      self->swiping = TRUE;
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
    }
  set_swipe_offset (self, CLAMP (dx, 0, SWIPE_MAX));
}

static void
on_drag_end (GtkGestureDrag *gesture,
             double dx,
             double dy,
             TtoMessageRow *self)
{
  if (!self->swiping)
    return;

  if (self->swipe_offset >= SWIPE_THRESHOLD && self->message != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "chat.reply", "x",
                                tto_message_get_seq (self->message));
  /* Made on first use: most rows are never swiped. */
  if (self->swipe_animation == NULL)
    self->swipe_animation =
      adw_timed_animation_new (GTK_WIDGET (self), 0, 0, 180,
                               adw_callback_animation_target_new ((AdwAnimationTargetFunc)
                                                                    on_swipe_animation_value,
                                                                  self, NULL));
  adw_timed_animation_set_value_from (ADW_TIMED_ANIMATION (self->swipe_animation),
                                      self->swipe_offset);
  adw_animation_play (self->swipe_animation);
  self->swiping = FALSE;
}

static void
on_drag_cancel (GtkGesture *gesture,
                GdkEventSequence *sequence,
                TtoMessageRow *self)
{
  self->swiping = FALSE;
  set_swipe_offset (self, 0);
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint keyval,
                guint keycode,
                GdkModifierType state,
                TtoMessageRow *self)
{
  if (keyval == GDK_KEY_Menu || (keyval == GDK_KEY_F10 && (state & GDK_SHIFT_MASK)))
    {
      tto_message_row_popup_menu (self, -1, -1);
      return TRUE;
    }
  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_space) &&
      self->own)
    {
      tto_message_row_show_receipts (self);
      return TRUE;
    }
  return FALSE;
}

/* GObject */

static void
tto_message_row_dispose (GObject *object)
{
  TtoMessageRow *self = (TtoMessageRow *) object;

  g_clear_handle_id (&self->flash_source, g_source_remove);
  tto_message_row_set_message (self, NULL, FALSE);
  clear_popovers (self);
  g_clear_object (&self->swipe_animation);
  g_clear_object (&self->session);
  g_clear_object (&self->event);
  if (self->content != NULL)
    {
      if (self->divider_label != NULL)
        gtk_widget_unparent (GTK_WIDGET (self->divider_label));
      if (self->swipe_image != NULL)
        gtk_widget_unparent (GTK_WIDGET (self->swipe_image));
      gtk_widget_unparent (self->content);
      self->divider_label = NULL;
      self->swipe_image = NULL;
      self->content = NULL;
    }

  G_OBJECT_CLASS (tto_message_row_parent_class)->dispose (object);
}

/* Wrapped text: the height depends on the width the list gives (GTK's
 * default would measure every row at its natural, unwrapped width). */
static GtkSizeRequestMode
tto_message_row_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
tto_message_row_class_init (TtoMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_message_row_dispose;
  widget_class->measure = tto_message_row_measure;
  widget_class->get_request_mode = tto_message_row_get_request_mode;
  widget_class->size_allocate = tto_message_row_size_allocate;

  gtk_widget_class_install_action (widget_class, "msg.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "msg.menu", NULL, menu_action);
  gtk_widget_class_install_action (widget_class, "msg.show-receipts", NULL, receipts_action);

  gtk_widget_class_set_css_name (widget_class, "messagerow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static GtkLabel *
new_label (const char *css_class,
           const char *css_class2)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  if (css_class2 != NULL)
    gtk_widget_add_css_class (label, css_class2);
  return GTK_LABEL (label);
}

/* The parts most rows never show are made on first need, like the
 * popovers: a list makes ~200 rows when a room opens, and a tooltip alone
 * asks the display server where the pointer is. They are kept for the
 * row's next messages. */

static void
ensure_divider (TtoMessageRow *self)
{
  if (self->divider_label != NULL)
    return;

  self->divider_label = new_label ("unread-divider", NULL);
  gtk_label_set_label (self->divider_label, _("New Messages"));
  gtk_label_set_xalign (self->divider_label, 0.5);
  gtk_widget_insert_after (GTK_WIDGET (self->divider_label), GTK_WIDGET (self), NULL);
}

/* Under the bubble while it follows a swipe. */
static void
ensure_swipe_image (TtoMessageRow *self)
{
  if (self->swipe_image != NULL)
    return;

  self->swipe_image = GTK_IMAGE (gtk_image_new_from_icon_name ("mail-reply-sender-symbolic"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->swipe_image),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Reply"), -1);
  gtk_widget_add_css_class (GTK_WIDGET (self->swipe_image), "dim-label");
  gtk_widget_set_visible (GTK_WIDGET (self->swipe_image), FALSE);
  gtk_widget_insert_before (GTK_WIDGET (self->swipe_image), GTK_WIDGET (self), self->content);
}

/* First in the bubble. */
static void
ensure_quote (TtoMessageRow *self)
{
  GtkWidget *quote_box;

  if (self->quote_button != NULL)
    return;

  self->quote_button = GTK_BUTTON (gtk_button_new ());
  gtk_widget_add_css_class (GTK_WIDGET (self->quote_button), "quote");
  gtk_widget_add_css_class (GTK_WIDGET (self->quote_button), "flat");
  quote_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  self->quote_sender_label = new_label ("quote-sender", NULL);
  gtk_label_set_ellipsize (self->quote_sender_label, PANGO_ELLIPSIZE_END);
  self->quote_text_label = new_label ("quote-text", NULL);
  gtk_label_set_ellipsize (self->quote_text_label, PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (self->quote_text_label, TRUE);
  gtk_label_set_width_chars (self->quote_text_label, MIN_TEXT_CHARS);
  gtk_box_append (GTK_BOX (quote_box), GTK_WIDGET (self->quote_sender_label));
  gtk_box_append (GTK_BOX (quote_box), GTK_WIDGET (self->quote_text_label));
  gtk_button_set_child (self->quote_button, quote_box);
  gtk_box_insert_child_after (GTK_BOX (self->bubble), GTK_WIDGET (self->quote_button), NULL);
}

/* After the time, before the receipts. */
static void
ensure_pending_image (TtoMessageRow *self)
{
  if (self->pending_image != NULL)
    return;

  self->pending_image = GTK_IMAGE (gtk_image_new_from_icon_name ("tto-pending-symbolic"));
  gtk_image_set_pixel_size (self->pending_image, 12);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->pending_image), _("Sending…"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->pending_image),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Sending"), -1);
  gtk_widget_add_css_class (GTK_WIDGET (self->pending_image), "dim-label");
  gtk_box_insert_child_after (GTK_BOX (gtk_widget_get_parent (GTK_WIDGET (self->time_label))),
                              GTK_WIDGET (self->pending_image), GTK_WIDGET (self->time_label));
}

static void
build (TtoMessageRow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkWidget *meta;

  gtk_widget_set_focusable (widget, TRUE);
  gtk_widget_set_overflow (widget, GTK_OVERFLOW_HIDDEN);

  self->content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_margin_start (self->content, 12);
  gtk_widget_set_margin_end (self->content, 12);
  gtk_widget_set_margin_top (self->content, 3);
  gtk_widget_set_margin_bottom (self->content, 3);
  gtk_widget_set_parent (self->content, widget);

  self->sender_label = new_label ("message-sender", "dim-label");
  gtk_label_set_ellipsize (self->sender_label, PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (self->content), GTK_WIDGET (self->sender_label));

  self->bubble = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_add_css_class (self->bubble, "message-bubble");
  gtk_box_append (GTK_BOX (self->content), self->bubble);

  self->text_label = new_label (NULL, NULL);
  gtk_label_set_wrap (self->text_label, TRUE);
  gtk_label_set_wrap_mode (self->text_label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_width_chars (self->text_label, 1);
  gtk_box_append (GTK_BOX (self->bubble), GTK_WIDGET (self->text_label));

  meta = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  gtk_widget_set_halign (meta, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (self->bubble), meta);
  self->edited_label = new_label ("message-time", "dim-label");
  gtk_label_set_label (self->edited_label, _("edited"));
  gtk_widget_set_visible (GTK_WIDGET (self->edited_label), FALSE);
  gtk_box_append (GTK_BOX (meta), GTK_WIDGET (self->edited_label));
  self->time_label = new_label ("message-time", "dim-label");
  gtk_box_append (GTK_BOX (meta), GTK_WIDGET (self->time_label));
  self->receipt_label = new_label ("message-time", "message-receipt");
  gtk_widget_set_visible (GTK_WIDGET (self->receipt_label), FALSE);
  gtk_box_append (GTK_BOX (meta), GTK_WIDGET (self->receipt_label));
}

static void
tto_message_row_init (TtoMessageRow *self)
{
  GtkGesture *gesture;
  GtkEventController *controller;

  build (self);

  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_right_click_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_long_press_new ();
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (gesture), TRUE);
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_long_press), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_drag_new ();
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (gesture), TRUE);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (gesture, "drag-end", G_CALLBACK (on_drag_end), self);
  g_signal_connect (gesture, "cancel", G_CALLBACK (on_drag_cancel), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  /* A tap on one's own bubble shows who read it: the whole bubble is the
   * touch target. */
  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_PRIMARY);
  g_signal_connect (gesture, "released", G_CALLBACK (on_bubble_released), self);
  gtk_widget_add_controller (self->bubble, GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

/* Public API */

TtoMessageRow *
tto_message_row_new (void)
{
  return g_object_new (TTO_TYPE_MESSAGE_ROW, NULL);
}

/* Who is looking (for own messages, names, receipts) and where. */
void
tto_message_row_set_context (TtoMessageRow *self,
                             TtoSession *session,
                             TtoEvent *event)
{
  g_return_if_fail (TTO_IS_MESSAGE_ROW (self));

  g_set_object (&self->session, session);
  g_set_object (&self->event, event);
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
  clear_popovers (self);
  if (self->swipe_offset != 0)
    {
      if (self->swipe_animation != NULL)
        adw_animation_reset (self->swipe_animation);
      set_swipe_offset (self, 0);
    }

  if (message == NULL)
    {
      /* The labels may hold message text: clear them when the row is reused. */
      set_text (self, "");
      if (self->quote_text_label != NULL)
        gtk_label_set_label (self->quote_text_label, "");
      update_attachment (self);
      return;
    }

  self->own = own;
  g_signal_connect (message, "notify", G_CALLBACK (on_message_notify), self);

  gtk_label_set_label (self->sender_label, tto_message_get_sender_name (message));
  gtk_widget_set_visible (GTK_WIDGET (self->sender_label), !own);
  gtk_widget_set_halign (self->content, own ? GTK_ALIGN_END : GTK_ALIGN_START);
  gtk_widget_set_margin_start (self->content, own ? BUBBLE_INSET : 12);
  gtk_widget_set_margin_end (self->content, own ? 12 : BUBBLE_INSET);
  if (own)
    gtk_widget_add_css_class (self->bubble, "own");
  else
    gtk_widget_remove_css_class (self->bubble, "own");
  /* Event flow: a system message is a muted line without sender or bubble. */
  if (tto_message_get_system (message))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->sender_label), FALSE);
      gtk_widget_set_halign (self->content, GTK_ALIGN_CENTER);
      gtk_widget_set_margin_start (self->content, 12);
      gtk_widget_set_margin_end (self->content, 12);
      gtk_widget_remove_css_class (self->bubble, "own");
      gtk_widget_add_css_class (GTK_WIDGET (self), "system");
    }
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "system");
  gtk_label_set_xalign (self->text_label, tto_message_get_system (message) ? 0.5 : 0);
  gtk_label_set_justify (self->text_label, tto_message_get_system (message) ? GTK_JUSTIFY_CENTER
                                                                             : GTK_JUSTIFY_LEFT);
  update_text (self);
  update_state (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

TtoMessage *
tto_message_row_get_message (TtoMessageRow *self)
{
  g_return_val_if_fail (TTO_IS_MESSAGE_ROW (self), NULL);

  return self->message;
}

/* The "New Messages" line above this message. */
void
tto_message_row_set_show_divider (TtoMessageRow *self,
                                  gboolean show)
{
  g_return_if_fail (TTO_IS_MESSAGE_ROW (self));

  if (show)
    ensure_divider (self);
  if (self->divider_label != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->divider_label), show);
}

gboolean
tto_message_row_get_show_divider (TtoMessageRow *self)
{
  g_return_val_if_fail (TTO_IS_MESSAGE_ROW (self), FALSE);

  return shown (self->divider_label);
}

/* "All read", "Read by 3 of 7" or "Unread" under the user's own messages. */
void
tto_message_row_update_receipts (TtoMessageRow *self)
{
  g_autofree char *text = NULL;
  guint total = 0;
  guint n_read;

  g_return_if_fail (TTO_IS_MESSAGE_ROW (self));

  if (self->message == NULL || !self->own || self->session == NULL || self->event == NULL ||
      tto_message_get_state (self->message) != TTO_MESSAGE_STATE_SENT ||
      tto_message_get_recalled (self->message) ||
      tto_message_get_system (self->message)) /* the relay's line, not the editor's */
    {
      gtk_widget_set_visible (GTK_WIDGET (self->receipt_label), FALSE);
      return;
    }

  n_read = tto_session_list_readers (self->session, self->event, self->message, NULL, NULL,
                                     &total);
  if (total == 0)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->receipt_label), FALSE);
      return;
    }

  if (n_read >= total)
    text = g_strdup (_("All read"));
  else if (n_read == 0)
    text = g_strdup (_("Unread"));
  else
    /* Translators: "Read by 3 of 7" members */
    text = g_strdup_printf (_("Read by %u of %u"), n_read, total);
  gtk_label_set_label (self->receipt_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->receipt_label), TRUE);
}

const char *
tto_message_row_get_receipt_text (TtoMessageRow *self)
{
  g_return_val_if_fail (TTO_IS_MESSAGE_ROW (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->receipt_label)))
    return NULL;
  return gtk_label_get_label (self->receipt_label);
}

const char *
tto_message_row_get_text (TtoMessageRow *self)
{
  g_return_val_if_fail (TTO_IS_MESSAGE_ROW (self), NULL);

  return gtk_label_get_label (self->text_label);
}

const char *
tto_message_row_get_quote_sender (TtoMessageRow *self)
{
  g_return_val_if_fail (TTO_IS_MESSAGE_ROW (self), NULL);

  if (!shown (self->quote_button))
    return NULL;
  return gtk_label_get_label (self->quote_sender_label);
}

const char *
tto_message_row_get_quote_text (TtoMessageRow *self)
{
  g_return_val_if_fail (TTO_IS_MESSAGE_ROW (self), NULL);

  if (!shown (self->quote_button))
    return NULL;
  return gtk_label_get_label (self->quote_text_label);
}

gboolean
tto_message_row_get_edited_shown (TtoMessageRow *self)
{
  g_return_val_if_fail (TTO_IS_MESSAGE_ROW (self), FALSE);

  return gtk_widget_get_visible (GTK_WIDGET (self->edited_label));
}

gboolean
tto_message_row_get_mentions_me (TtoMessageRow *self)
{
  g_return_val_if_fail (TTO_IS_MESSAGE_ROW (self), FALSE);

  return self->mentions_me;
}

static void
append_item (GMenu *section,
             const char *label,
             const char *action,
             GVariant *target)
{
  g_autoptr (GMenuItem) item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target_value (item, action, target);
  g_menu_append_item (section, item);
}

/* The message's menu as it is now: Edit and Recall only while allowed. */
GMenuModel *
tto_message_row_build_menu (TtoMessageRow *self)
{
  GMenu *menu = g_menu_new ();
  g_autoptr (GMenu) first = g_menu_new ();
  g_autoptr (GMenu) second = g_menu_new ();
  gint64 seq;
  gboolean sent;
  gboolean ended;

  g_return_val_if_fail (TTO_IS_MESSAGE_ROW (self), NULL);

  if (self->message == NULL || self->session == NULL || self->event == NULL)
    return G_MENU_MODEL (menu);

  seq = tto_message_get_seq (self->message);
  sent = tto_message_get_state (self->message) == TTO_MESSAGE_STATE_SENT;
  ended = tto_event_get_ended (self->event);

  if (!tto_message_get_recalled (self->message))
    {
      if (sent && !ended)
        append_item (first, _("_Reply"), "chat.reply", g_variant_new_int64 (seq));
      append_item (first, _("_Copy Text"), "msg.copy", NULL);
      /* Topics: a sub-topic starting from this message. */
      if (sent && !ended)
        append_item (first, _("_Discuss Separately…"), "chat.discuss", g_variant_new_int64 (seq));
    }
  if (self->own && sent && !tto_message_get_recalled (self->message))
    append_item (first, _("Read _By…"), "msg.show-receipts", NULL);
  if (tto_session_can_edit (self->session, self->event, self->message, 0))
    append_item (second, _("_Edit"), "chat.edit", g_variant_new_int64 (seq));
  if (tto_session_can_recall (self->session, self->event, self->message, 0))
    append_item (second, _("Re_call…"), "chat.recall", g_variant_new_int64 (seq));

  g_menu_append_section (menu, NULL, G_MENU_MODEL (first));
  if (g_menu_model_get_n_items (G_MENU_MODEL (second)) > 0)
    g_menu_append_section (menu, NULL, G_MENU_MODEL (second));
  return G_MENU_MODEL (menu);
}

/* Opens the menu at (@x, @y) in row coordinates, or at the bubble. */
void
tto_message_row_popup_menu (TtoMessageRow *self,
                            double x,
                            double y)
{
  g_autoptr (GMenuModel) model = NULL;

  g_return_if_fail (TTO_IS_MESSAGE_ROW (self));

  if (self->message == NULL)
    return;

  clear_popovers (self);
  model = tto_message_row_build_menu (self);
  self->menu_popover = GTK_POPOVER (gtk_popover_menu_new_from_model (model));
  gtk_widget_set_parent (GTK_WIDGET (self->menu_popover), GTK_WIDGET (self));
  gtk_popover_set_has_arrow (self->menu_popover, x < 0);
  point_at (self->menu_popover, self, x, y);
  g_signal_connect (self->menu_popover, "closed", G_CALLBACK (on_popover_closed), self);
  gtk_popover_popup (self->menu_popover);
}

static void
add_names (GtkBox *box,
           const char *heading,
           GPtrArray *members)
{
  GtkWidget *label;

  if (members->len == 0)
    return;

  label = gtk_label_new (heading);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (box, label);
  for (guint i = 0; i < members->len; i++)
    {
      label = gtk_label_new (tto_member_get_display_name (g_ptr_array_index (members, i)));
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_box_append (box, label);
    }
}

/* Who has read the user's own message, and who has not. */
void
tto_message_row_show_receipts (TtoMessageRow *self)
{
  g_autoptr (GPtrArray) read = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) unread = g_ptr_array_new_with_free_func (g_object_unref);
  GtkWidget *box;
  GtkWidget *scrolled;

  g_return_if_fail (TTO_IS_MESSAGE_ROW (self));

  if (self->message == NULL || !self->own || self->session == NULL || self->event == NULL ||
      tto_message_get_state (self->message) != TTO_MESSAGE_STATE_SENT ||
      tto_message_get_recalled (self->message))
    return;

  tto_session_list_readers (self->session, self->event, self->message, read, unread, NULL);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  add_names (GTK_BOX (box), _("Read By"), read);
  add_names (GTK_BOX (box), _("Not Read Yet"), unread);
  if (read->len + unread->len == 0)
    gtk_box_append (GTK_BOX (box), gtk_label_new (_("No one else is here yet")));

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 320);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), box);

  clear_popovers (self);
  self->receipts_popover = GTK_POPOVER (gtk_popover_new ());
  gtk_widget_add_css_class (GTK_WIDGET (self->receipts_popover), "receipts");
  gtk_popover_set_child (self->receipts_popover, scrolled);
  gtk_widget_set_parent (GTK_WIDGET (self->receipts_popover), GTK_WIDGET (self));
  point_at (self->receipts_popover, self, -1, -1);
  g_signal_connect (self->receipts_popover, "closed", G_CALLBACK (on_popover_closed), self);
  gtk_popover_popup (self->receipts_popover);
}

GtkPopover *
tto_message_row_get_receipts_popover (TtoMessageRow *self)
{
  g_return_val_if_fail (TTO_IS_MESSAGE_ROW (self), NULL);

  return self->receipts_popover;
}

static gboolean
on_flash_timeout (gpointer user_data)
{
  TtoMessageRow *self = user_data;

  self->flash_source = 0;
  gtk_widget_remove_css_class (self->bubble, "flash");
  return G_SOURCE_REMOVE;
}

/* Briefly marks the bubble, after jumping to it. */
void
tto_message_row_flash (TtoMessageRow *self)
{
  g_return_if_fail (TTO_IS_MESSAGE_ROW (self));

  gtk_widget_add_css_class (self->bubble, "flash");
  g_clear_handle_id (&self->flash_source, g_source_remove);
  self->flash_source = g_timeout_add (1200, on_flash_timeout, self);
}

/* The message's TtoAttachmentView, or NULL. */
GtkWidget *
tto_message_row_get_attachment_view (TtoMessageRow *self)
{
  g_return_val_if_fail (TTO_IS_MESSAGE_ROW (self), NULL);

  return (GtkWidget *) self->attachment_view;
}
