/* tto-invite-card.c: the invitation to an event, as code, link and QR code
 *
 * Shown to the creator (only the creator receives the invite code) after
 * creating an event and in the event's info window. The QR code encodes
 * the tto://join/… link, which carries the relay's address so a phone
 * that scans it knows where to go. Rotating the code makes the old code,
 * link and QR code stop working at once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gi18n.h>

#include "tto-client.h"
#include "tto-invite-uri.h"

#include "tto-invite-card.h"

/* Pixels per module of a saved QR code: about 450 px for a typical link,
 * sharp enough to print. */
#define SAVED_MODULE_PX 10

struct _TtoInviteCard
{
  AdwBin parent_instance;

  GtkPicture *qr_picture;
  GtkWidget *qr_frame;
  GtkLabel *code_label;
  GtkLabel *expiry_label;
  AdwActionRow *event_id_row;

  TtoSession *session;
  TtoEvent *event;
  TtoQrCode *qr_code;
  GCancellable *cancellable;
  AdwComboRow *expiry_row; /* in the rotate dialog, while it is open */
};

G_DEFINE_FINAL_TYPE (TtoInviteCard, tto_invite_card, ADW_TYPE_BIN)

/* The expiry choices of a new code, in seconds (0: never). */
static const gint64 expiry_choices[] = { 0, 3600, 86400, 7 * 86400 };

static void
toast (TtoInviteCard *self,
       const char *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
  else
    gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", text);
}

char *
tto_invite_card_dup_link (TtoInviteCard *self)
{
  const char *code;

  g_return_val_if_fail (TTO_IS_INVITE_CARD (self), NULL);

  if (self->event == NULL || self->session == NULL)
    return NULL;
  code = tto_event_get_invite_code (self->event);
  if (code == NULL)
    return NULL;
  return tto_invite_uri_build (tto_event_get_id (self->event), code,
                               tto_connection_get_url (tto_session_get_connection (self->session)));
}

/* A mailto: URI carrying the invitation: the desktop's mail program (or,
 * in a sandbox, the OpenURI portal) lets the person pick who gets it. */
char *
tto_invite_card_dup_share_uri (TtoInviteCard *self)
{
  g_autofree char *link = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *body = NULL;
  g_autofree char *subject_escaped = NULL;
  g_autofree char *body_escaped = NULL;

  g_return_val_if_fail (TTO_IS_INVITE_CARD (self), NULL);

  link = tto_invite_card_dup_link (self);
  if (link == NULL)
    return NULL;

  /* Translators: subject of an invitation mail; %s is the event's title */
  subject = g_strdup_printf (_("Join “%s” on ThreeTwoOne"), tto_event_get_title (self->event));
  /* Translators: body of an invitation mail; the first %s is the event's
   * title, the second the invite code, the third the link */
  body = g_strdup_printf (_("You are invited to “%1$s”.\n\nOpen this link with ThreeTwoOne:\n"
                            "%3$s\n\nOr join with the invite code %2$s."),
                          tto_event_get_title (self->event),
                          tto_event_get_invite_code (self->event), link);
  subject_escaped = g_uri_escape_string (subject, NULL, FALSE);
  body_escaped = g_uri_escape_string (body, NULL, FALSE);

  return g_strdup_printf ("mailto:?subject=%s&body=%s", subject_escaped, body_escaped);
}

/* Sharing needs something to hand the mail to: a mail program, or the
 * portal when sandboxed. */
static gboolean
can_share_by_mail (void)
{
  g_autoptr (GAppInfo) mailer = NULL;

  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    return TRUE;
  mailer = g_app_info_get_default_for_uri_scheme ("mailto");
  return mailer != NULL;
}

static void
on_share_launched (GObject *object,
                   GAsyncResult *result,
                   gpointer user_data)
{
  g_autoptr (TtoInviteCard) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    toast (self, _("Could not open a mail program"));
}

static void
share_action (GtkWidget *widget,
              const char *action_name,
              GVariant *parameter)
{
  TtoInviteCard *self = TTO_INVITE_CARD (widget);
  g_autofree char *uri = tto_invite_card_dup_share_uri (self);
  g_autoptr (GAppLaunchContext) context = NULL;

  if (uri == NULL)
    return;
  context = G_APP_LAUNCH_CONTEXT (gdk_display_get_app_launch_context (
    gtk_widget_get_display (widget)));
  g_app_info_launch_default_for_uri_async (uri, context, NULL, on_share_launched,
                                           g_object_ref (self));
}

static void
update (TtoInviteCard *self)
{
  g_autofree char *link = NULL;
  g_autofree char *code = NULL;
  g_autofree char *description = NULL;
  g_autoptr (GError) error = NULL;
  const char *invite_code;
  gint64 expires_at;

  if (self->event == NULL)
    return;

  invite_code = tto_event_get_invite_code (self->event);
  if (invite_code != NULL && strlen (invite_code) == TTO_INVITE_CODE_LENGTH)
    code = tto_invite_code_format (invite_code);
  gtk_label_set_label (self->code_label, code != NULL ? code : "");
  adw_action_row_set_subtitle (self->event_id_row, tto_event_get_id (self->event));

  expires_at = tto_event_get_invite_expires_at (self->event);
  if (expires_at > 0)
    {
      g_autoptr (GDateTime) time = g_date_time_new_from_unix_local (expires_at);
      /* Translators: when an invite code expires, see strftime(3) */
      g_autofree char *when = time != NULL ? g_date_time_format (time, _("%a %e %b, %H:%M"))
                                           : g_strdup ("");

      /* Translators: %s is a date and time */
      description = g_strdup_printf (_("The code works until %s."), when);
      gtk_label_set_label (self->expiry_label, description);
    }
  else
    gtk_label_set_label (self->expiry_label, _("The code works until the event ends."));

  link = tto_invite_card_dup_link (self);
  if (link != NULL && (self->qr_code == NULL ||
                       g_strcmp0 (tto_qr_code_get_text (self->qr_code), link) != 0))
    {
      g_clear_object (&self->qr_code);
      self->qr_code = tto_qr_code_new (link, &error);
      if (self->qr_code == NULL)
        g_warning ("Could not make the invite QR code: %s", error->message);
    }
  gtk_picture_set_paintable (self->qr_picture, GDK_PAINTABLE (self->qr_code));
  gtk_widget_set_visible (self->qr_frame, self->qr_code != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "invite.copy-link", link != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "invite.share", link != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "invite.save-qr", self->qr_code != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "invite.rotate",
                                 tto_event_is_creator (self->event) &&
                                   !tto_event_get_ended (self->event));
}

static void
on_session_event_changed (TtoSession *session,
                          TtoEvent *event,
                          TtoInviteCard *self)
{
  if (event == self->event)
    update (self);
}

static void
copy_link_action (GtkWidget *widget,
                  const char *action_name,
                  GVariant *parameter)
{
  TtoInviteCard *self = TTO_INVITE_CARD (widget);
  g_autofree char *link = tto_invite_card_dup_link (self);

  if (link == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), link);
  toast (self, _("Invite link copied"));
}

static void
copy_code_action (GtkWidget *widget,
                  const char *action_name,
                  GVariant *parameter)
{
  TtoInviteCard *self = TTO_INVITE_CARD (widget);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget),
                          gtk_label_get_label (self->code_label));
  toast (self, _("Invite code copied"));
}

static void
copy_id_action (GtkWidget *widget,
                const char *action_name,
                GVariant *parameter)
{
  TtoInviteCard *self = TTO_INVITE_CARD (widget);

  if (self->event == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), tto_event_get_id (self->event));
  toast (self, _("Event ID copied"));
}

static void
on_save_response (GtkNativeDialog *dialog,
                  int response,
                  TtoInviteCard *self)
{
  g_autoptr (GFile) file = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT && self->qr_code != NULL)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      path = file != NULL ? g_file_get_path (file) : NULL;
      if (path == NULL)
        toast (self, _("Could not save the QR code there"));
      else if (!tto_qr_code_save_png (self->qr_code, path, SAVED_MODULE_PX, &error))
        toast (self, _("Could not save the QR code"));
      else
        toast (self, _("QR code saved"));
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
save_qr_action (GtkWidget *widget,
                const char *action_name,
                GVariant *parameter)
{
  TtoInviteCard *self = TTO_INVITE_CARD (widget);
  GtkFileChooserNative *chooser;
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = NULL;

  if (self->qr_code == NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Save QR Code"),
                                         GTK_WINDOW (gtk_widget_get_root (widget)),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_filter_set_name (filter, _("PNG Images"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  /* Translators: file name of a saved QR code; %s is the invite code */
  name = g_strdup_printf (_("invite-%s.png"), gtk_label_get_label (self->code_label));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_signal_connect (chooser, "response", G_CALLBACK (on_save_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_rotate_ready (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (TtoInviteCard) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!tto_session_governance_finish (TTO_SESSION (object), result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = tto_client_describe_error (error);
      toast (self, text);
      return;
    }
  update (self);
  toast (self, _("New invite code made; the old one no longer works"));
}

/* @expires_in_seconds: 0 for a code that works until the event ends. */
void
tto_invite_card_rotate (TtoInviteCard *self,
                        gint64 expires_in_seconds)
{
  gint64 expires_at = 0;

  g_return_if_fail (TTO_IS_INVITE_CARD (self));
  g_return_if_fail (self->event != NULL);

  if (expires_in_seconds > 0)
    expires_at = g_get_real_time () / G_USEC_PER_SEC + expires_in_seconds;
  tto_session_rotate_code_async (self->session, self->event, expires_at, self->cancellable,
                                 on_rotate_ready, g_object_ref (self));
}

static void
on_rotate_response (AdwMessageDialog *dialog,
                    const char *response,
                    TtoInviteCard *self)
{
  guint selected = self->expiry_row != NULL ? adw_combo_row_get_selected (self->expiry_row) : 0;

  self->expiry_row = NULL;
  if (g_strcmp0 (response, "rotate") != 0 || selected >= G_N_ELEMENTS (expiry_choices))
    return;
  tto_invite_card_rotate (self, expiry_choices[selected]);
}

static void
rotate_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  TtoInviteCard *self = TTO_INVITE_CARD (widget);
  const char *choices[] = { _("Never"), _("In 1 hour"), _("In 1 day"), _("In 7 days"), NULL };
  AdwMessageDialog *dialog;
  GtkWidget *list;
  GtkWidget *row;

  dialog = ADW_MESSAGE_DIALOG (
    adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), _("Make a New Invite Code?"),
                            _("The current code, link and QR code stop working at once. People "
                              "who already joined stay.")));
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("New Code Expires"));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (gtk_string_list_new (choices)));
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  self->expiry_row = ADW_COMBO_ROW (row);
  adw_message_dialog_set_extra_child (dialog, list);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "rotate", _("_Make New Code"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "rotate", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_rotate_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
icon_button (const char *icon,
             const char *label,
             const char *action)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (button, 44, 44);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  return button;
}

static GtkWidget *
pill_button (const char *icon,
             const char *label,
             const char *action)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *content = adw_button_content_new ();

  adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), icon);
  adw_button_content_set_label (ADW_BUTTON_CONTENT (content), label);
  adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (content), TRUE);
  gtk_button_set_child (GTK_BUTTON (button), content);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_set_size_request (button, -1, 44);
  gtk_widget_add_css_class (button, "pill");
  return button;
}

static void
tto_invite_card_dispose (GObject *object)
{
  TtoInviteCard *self = (TtoInviteCard *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  if (self->event != NULL)
    g_signal_handlers_disconnect_by_data (self->event, self);
  g_clear_object (&self->session);
  g_clear_object (&self->event);
  g_clear_object (&self->qr_code);

  G_OBJECT_CLASS (tto_invite_card_parent_class)->dispose (object);
}

static void
tto_invite_card_class_init (TtoInviteCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_invite_card_dispose;

  gtk_widget_class_install_action (widget_class, "invite.copy-link", NULL, copy_link_action);
  gtk_widget_class_install_action (widget_class, "invite.copy-code", NULL, copy_code_action);
  gtk_widget_class_install_action (widget_class, "invite.copy-id", NULL, copy_id_action);
  gtk_widget_class_install_action (widget_class, "invite.save-qr", NULL, save_qr_action);
  gtk_widget_class_install_action (widget_class, "invite.share", NULL, share_action);
  gtk_widget_class_install_action (widget_class, "invite.rotate", NULL, rotate_action);
  gtk_widget_class_set_css_name (widget_class, "invitecard");
}

static void
tto_invite_card_init (TtoInviteCard *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *code_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *buttons = gtk_flow_box_new ();
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *row;

  self->cancellable = g_cancellable_new ();

  /* The QR code on white, whatever the style: scanners need the contrast. */
  self->qr_picture = GTK_PICTURE (gtk_picture_new ());
  gtk_picture_set_can_shrink (self->qr_picture, TRUE);
  gtk_picture_set_content_fit (self->qr_picture, GTK_CONTENT_FIT_CONTAIN);
  gtk_widget_set_size_request (GTK_WIDGET (self->qr_picture), 220, 220);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->qr_picture),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("QR code of the invite link"), -1);
  self->qr_frame = gtk_frame_new (NULL);
  gtk_frame_set_child (GTK_FRAME (self->qr_frame), GTK_WIDGET (self->qr_picture));
  gtk_widget_set_halign (self->qr_frame, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->qr_frame, "qr-frame");
  gtk_box_append (GTK_BOX (box), self->qr_frame);

  self->code_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_selectable (self->code_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->code_label), "title-1");
  gtk_widget_add_css_class (GTK_WIDGET (self->code_label), "monospace");
  gtk_box_append (GTK_BOX (code_box), GTK_WIDGET (self->code_label));
  gtk_box_append (GTK_BOX (code_box), icon_button ("edit-copy-symbolic", _("Copy invite code"),
                                                   "invite.copy-code"));
  gtk_widget_set_halign (code_box, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), code_box);

  self->expiry_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->expiry_label, TRUE);
  gtk_label_set_justify (self->expiry_label, GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->expiry_label), "dim-label");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->expiry_label));

  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (buttons), GTK_SELECTION_NONE);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (buttons), FALSE);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (buttons), 6);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (buttons), 6);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (buttons), 3);
  gtk_widget_set_halign (buttons, GTK_ALIGN_CENTER);
  gtk_flow_box_append (GTK_FLOW_BOX (buttons),
                       pill_button ("edit-copy-symbolic", _("Copy _Link"), "invite.copy-link"));
  gtk_flow_box_append (GTK_FLOW_BOX (buttons),
                       pill_button ("document-save-symbolic", _("_Save QR Code…"),
                                    "invite.save-qr"));
  if (can_share_by_mail ())
    gtk_flow_box_append (GTK_FLOW_BOX (buttons),
                         pill_button ("mail-send-symbolic", _("Share by _Mail…"), "invite.share"));
  gtk_flow_box_append (GTK_FLOW_BOX (buttons),
                       pill_button ("view-refresh-symbolic", _("_New Code…"), "invite.rotate"));
  gtk_box_append (GTK_BOX (box), buttons);

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  row = adw_action_row_new ();
  self->event_id_row = ADW_ACTION_ROW (row);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Event ID"));
  gtk_widget_add_css_class (row, "property");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             icon_button ("edit-copy-symbolic", _("Copy event ID"),
                                          "invite.copy-id"));
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  gtk_box_append (GTK_BOX (box), list);

  adw_bin_set_child (ADW_BIN (self), box);
}

TtoInviteCard *
tto_invite_card_new (void)
{
  return g_object_new (TTO_TYPE_INVITE_CARD, NULL);
}

void
tto_invite_card_set_event (TtoInviteCard *self,
                           TtoSession *session,
                           TtoEvent *event)
{
  g_return_if_fail (TTO_IS_INVITE_CARD (self));

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  if (self->event != NULL)
    g_signal_handlers_disconnect_by_data (self->event, self);
  g_set_object (&self->session, session);
  g_set_object (&self->event, event);
  g_clear_object (&self->qr_code);
  if (session != NULL)
    g_signal_connect_object (session, "event-changed", G_CALLBACK (on_session_event_changed),
                             self, 0);
  if (event != NULL)
    g_signal_connect_swapped (event, "notify::invite-code", G_CALLBACK (update), self);
  update (self);
}

TtoQrCode *
tto_invite_card_get_qr_code (TtoInviteCard *self)
{
  g_return_val_if_fail (TTO_IS_INVITE_CARD (self), NULL);

  return self->qr_code;
}
