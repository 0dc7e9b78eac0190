/* tto-call-banner.c: "Ana is calling" with Accept/Decline, and "Call in
 * progress — Join" for the event on screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A card that slides in at the top of the window, over whatever page is
 * shown: an invitation must be seen from anywhere. The join offer only
 * shows while the chat of an event with a running call is on screen (the
 * session's open event) and this device is in no call.
 */
#include <glib/gi18n.h>

#include "tto-call-banner.h"

struct _TtoCallBanner
{
  AdwBin parent_instance;

  GtkRevealer *revealer;
  AdwAvatar *avatar;
  GtkLabel *title_label;
  GtkLabel *subtitle_label;
  GtkWidget *decline_button;
  GtkWidget *accept_button;
  GtkWidget *join_button;

  TtoCallManager *manager;
  TtoSession *session;
  TtoCallBannerMode mode;
};

G_DEFINE_FINAL_TYPE (TtoCallBanner, tto_call_banner, ADW_TYPE_BIN)

static const char *
caller_name (JsonObject *call)
{
  const char *started_by = json_object_get_string_member_with_default (call, "started_by", NULL);
  JsonArray *participants = json_object_has_member (call, "participants")
                              ? json_object_get_array_member (call, "participants")
                              : NULL;
  const char *first = NULL;

  for (guint i = 0; participants != NULL && i < json_array_get_length (participants); i++)
    {
      JsonObject *participant = json_array_get_object_element (participants, i);
      const char *id = json_object_get_string_member_with_default (participant, "identity_id",
                                                                   NULL);
      const char *name = json_object_get_string_member_with_default (participant,
                                                                     "display_name", NULL);

      if (first == NULL)
        first = name;
      if (g_strcmp0 (id, started_by) == 0)
        return name;
    }

  return first;
}

static guint
count_participants (JsonObject *call)
{
  return json_object_has_member (call, "participants")
           ? json_array_get_length (json_object_get_array_member (call, "participants"))
           : 0;
}

static gboolean
is_video (JsonObject *call)
{
  return g_strcmp0 (json_object_get_string_member_with_default (call, "kind", NULL), "audio") != 0;
}

static void
update (TtoCallBanner *self)
{
  TtoCallBannerMode mode = TTO_CALL_BANNER_MODE_HIDDEN;
  TtoEvent *event = NULL;
  JsonObject *call = NULL;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  if (self->manager != NULL && tto_call_manager_get_ringing (self->manager))
    {
      mode = TTO_CALL_BANNER_MODE_RING;
      event = tto_call_manager_get_ring_event (self->manager);
      call = tto_call_manager_get_ring_call (self->manager);
    }
  else if (self->manager != NULL && self->session != NULL &&
           tto_call_manager_get_state (self->manager) == TTO_CALL_MANAGER_STATE_IDLE)
    {
      event = tto_session_get_open_event (self->session);
      call = event != NULL ? tto_call_manager_lookup_running_call (self->manager, event) : NULL;
      if (call != NULL)
        mode = TTO_CALL_BANNER_MODE_JOIN;
    }

  self->mode = mode;
  if (mode == TTO_CALL_BANNER_MODE_RING)
    {
      const char *name = caller_name (call);

      if (name != NULL)
        /* Translators: %s is a display name */
        title = g_strdup_printf (is_video (call) ? _("%s is video calling")
                                                 : _("%s is calling"), name);
      else
        title = g_strdup (is_video (call) ? _("Incoming video call") : _("Incoming call"));
      subtitle = g_strdup (tto_event_get_title (event));
      adw_avatar_set_text (self->avatar, name);
      adw_avatar_set_show_initials (self->avatar, name != NULL);
    }
  else if (mode == TTO_CALL_BANNER_MODE_JOIN)
    {
      guint n = count_participants (call);

      title = g_strdup (is_video (call) ? _("Video call in progress") : _("Call in progress"));
      subtitle = g_strdup_printf (ngettext ("%u person in the call", "%u people in the call", n),
                                  n);
      adw_avatar_set_text (self->avatar, NULL);
      adw_avatar_set_show_initials (self->avatar, FALSE);
    }

  if (title != NULL)
    {
      gtk_label_set_label (self->title_label, title);
      gtk_label_set_label (self->subtitle_label, subtitle);
      adw_avatar_set_icon_name (self->avatar, call != NULL && is_video (call)
                                                ? "camera-video-symbolic"
                                                : "call-start-symbolic");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle, -1);
    }
  gtk_widget_set_visible (self->decline_button, mode == TTO_CALL_BANNER_MODE_RING);
  gtk_widget_set_visible (self->accept_button, mode == TTO_CALL_BANNER_MODE_RING);
  gtk_widget_set_visible (self->join_button, mode == TTO_CALL_BANNER_MODE_JOIN);
  gtk_revealer_set_reveal_child (self->revealer, mode != TTO_CALL_BANNER_MODE_HIDDEN);
  /* The hidden card must not take clicks meant for the page under it. */
  gtk_widget_set_can_target (GTK_WIDGET (self), mode != TTO_CALL_BANNER_MODE_HIDDEN);
}

static void
on_revealer_child_revealed (TtoCallBanner *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self), gtk_revealer_get_reveal_child (self->revealer) ||
                                               gtk_revealer_get_child_revealed (self->revealer));
}

static void
set_session (TtoCallBanner *self,
             TtoSession *session)
{
  if (self->session == session)
    return;
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    g_signal_connect_swapped (session, "notify::open-event", G_CALLBACK (update), self);
  update (self);
}

static void
on_manager_session_changed (TtoCallBanner *self)
{
  set_session (self, tto_call_manager_get_session (self->manager));
}

/* Actions */

static void
report (TtoCallBanner *self,
        GError *error)
{
  g_autofree char *text = NULL;

  if (g_error_matches (error, TTO_CALL_MANAGER_ERROR, TTO_CALL_MANAGER_ERROR_BUSY))
    text = g_strdup (_("Hang up first to join another call."));
  else if (g_error_matches (error, TTO_CALL_MANAGER_ERROR, TTO_CALL_MANAGER_ERROR_ENDED))
    text = g_strdup (_("This event has ended."));
  else
    text = g_strdup (_("This call has already ended."));
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", text);
}

static void
accept_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  TtoCallBanner *self = TTO_CALL_BANNER (widget);
  g_autoptr (GError) error = NULL;

  if (self->manager != NULL && !tto_call_manager_accept (self->manager, &error))
    report (self, error);
}

static void
decline_action (GtkWidget *widget,
                const char *action_name,
                GVariant *parameter)
{
  TtoCallBanner *self = TTO_CALL_BANNER (widget);

  if (self->manager != NULL)
    tto_call_manager_decline (self->manager);
}

static void
join_action (GtkWidget *widget,
             const char *action_name,
             GVariant *parameter)
{
  TtoCallBanner *self = TTO_CALL_BANNER (widget);
  g_autoptr (GError) error = NULL;
  TtoEvent *event = self->session != NULL ? tto_session_get_open_event (self->session) : NULL;

  if (self->manager != NULL && event != NULL &&
      !tto_call_manager_join (self->manager, event, &error))
    report (self, error);
}

/* GObject */

static void
tto_call_banner_dispose (GObject *object)
{
  TtoCallBanner *self = TTO_CALL_BANNER (object);

  tto_call_banner_set_manager (self, NULL);

  G_OBJECT_CLASS (tto_call_banner_parent_class)->dispose (object);
}

static void
tto_call_banner_class_init (TtoCallBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_call_banner_dispose;

  gtk_widget_class_install_action (widget_class, "banner.accept", NULL, accept_action);
  gtk_widget_class_install_action (widget_class, "banner.decline", NULL, decline_action);
  gtk_widget_class_install_action (widget_class, "banner.join", NULL, join_action);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_ALERT);
}

static GtkWidget *
round_button (const char *icon_name,
              const char *label,
              const char *action_name,
              const char *css_class)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "circular");
  gtk_widget_add_css_class (button, css_class);

  return button;
}

static void
tto_call_banner_init (TtoCallBanner *self)
{
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);

  gtk_widget_set_halign (GTK_WIDGET (self), GTK_ALIGN_CENTER);
  gtk_widget_set_valign (GTK_WIDGET (self), GTK_ALIGN_START);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);

  self->revealer = GTK_REVEALER (gtk_revealer_new ());
  gtk_revealer_set_transition_type (self->revealer, GTK_REVEALER_TRANSITION_TYPE_SLIDE_DOWN);
  g_signal_connect_swapped (self->revealer, "notify::child-revealed",
                            G_CALLBACK (on_revealer_child_revealed), self);
  g_signal_connect_swapped (self->revealer, "notify::reveal-child",
                            G_CALLBACK (on_revealer_child_revealed), self);
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->revealer));

  gtk_widget_add_css_class (card, "call-banner");
  gtk_widget_set_size_request (card, 336, -1);
  self->avatar = ADW_AVATAR (adw_avatar_new (44, NULL, TRUE));
  gtk_widget_set_valign (GTK_WIDGET (self->avatar), GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (card), GTK_WIDGET (self->avatar));

  gtk_widget_set_hexpand (texts, TRUE);
  gtk_widget_set_valign (texts, GTK_ALIGN_CENTER);
  self->title_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->title_label, 0);
  gtk_label_set_ellipsize (self->title_label, PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (GTK_WIDGET (self->title_label), "heading");
  gtk_box_append (GTK_BOX (texts), GTK_WIDGET (self->title_label));
  self->subtitle_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->subtitle_label, 0);
  gtk_label_set_ellipsize (self->subtitle_label, PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (GTK_WIDGET (self->subtitle_label), "dim-label");
  gtk_box_append (GTK_BOX (texts), GTK_WIDGET (self->subtitle_label));
  gtk_box_append (GTK_BOX (card), texts);

  self->decline_button = round_button ("call-stop-symbolic", _("Decline"), "banner.decline",
                                       "decline");
  gtk_box_append (GTK_BOX (card), self->decline_button);
  self->accept_button = round_button ("call-start-symbolic", _("Accept"), "banner.accept",
                                      "accept");
  gtk_box_append (GTK_BOX (card), self->accept_button);
  self->join_button = gtk_button_new_with_mnemonic (_("_Join"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->join_button), "banner.join");
  gtk_widget_set_valign (self->join_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->join_button, "pill");
  gtk_widget_add_css_class (self->join_button, "join");
  gtk_box_append (GTK_BOX (card), self->join_button);

  gtk_revealer_set_child (self->revealer, card);
  update (self);
}

/* Public API */

GtkWidget *
tto_call_banner_new (void)
{
  return g_object_new (TTO_TYPE_CALL_BANNER, NULL);
}

void
tto_call_banner_set_manager (TtoCallBanner *self,
                             TtoCallManager *manager)
{
  g_return_if_fail (TTO_IS_CALL_BANNER (self));
  g_return_if_fail (manager == NULL || TTO_IS_CALL_MANAGER (manager));

  if (self->manager == manager)
    return;
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_set_object (&self->manager, manager);
  if (manager != NULL)
    {
      g_signal_connect_swapped (manager, "notify::ringing", G_CALLBACK (update), self);
      g_signal_connect_swapped (manager, "notify::state", G_CALLBACK (update), self);
      g_signal_connect_swapped (manager, "calls-changed", G_CALLBACK (update), self);
      g_signal_connect_swapped (manager, "notify::session",
                                G_CALLBACK (on_manager_session_changed), self);
    }
  set_session (self, manager != NULL ? tto_call_manager_get_session (manager) : NULL);
  update (self);
}

TtoCallBannerMode
tto_call_banner_get_mode (TtoCallBanner *self)
{
  g_return_val_if_fail (TTO_IS_CALL_BANNER (self), TTO_CALL_BANNER_MODE_HIDDEN);

  return self->mode;
}

const char *
tto_call_banner_get_title (TtoCallBanner *self)
{
  g_return_val_if_fail (TTO_IS_CALL_BANNER (self), NULL);

  return gtk_label_get_label (self->title_label);
}
