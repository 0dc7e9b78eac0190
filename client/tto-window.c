/* tto-window.c: the main window
 *
 * A stack of the sign-in page and the main view. The main view is an
 * AdwLeaflet: the event lists beside the open chat on a wide screen, one
 * after the other on a phone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-account-window.h"
#include "tto-client.h"
#include "tto-identity-bar.h"
#include "tto-identity-store.h"
#include "tto-join-dialog.h"
#include "tto-flow-page.h"

#include "tto-window.h"

struct _TtoWindow
{
  AdwApplicationWindow parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkStack *stack;
  AdwLeaflet *leaflet;
  GtkStack *content_stack;
  TtoSignInPage *sign_in_page;
  TtoHomePage *home_page;
  TtoChatPage *chat_page;
  TtoFlowPage *flow_page;
  TtoCreatePage *create_page;
  TtoCallPage *call_page;
  TtoCallBanner *call_banner;
  TtoCallManager *call_manager;
  TtoIdentityBar *identity_bar;

  TtoSession *session;
  GSettings *settings;
  guint notifications_sent;
  TtoTrustDialog *trust_dialog; /* weak: the one asking now */
};

G_DEFINE_FINAL_TYPE (TtoWindow, tto_window, ADW_TYPE_APPLICATION_WINDOW)

static void calls_class_init (GtkWidgetClass *widget_class);
static void calls_init (TtoWindow *self);
static void calls_dispose (TtoWindow *self);
static void identity_class_init (GtkWidgetClass *widget_class);
static void identity_forget (TtoIdentity *identity);
static void identity_set_session (TtoWindow *self,
                                  TtoSession *session);

enum
{
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
content_is_visible (TtoWindow *self)
{
  return !adw_leaflet_get_folded (self->leaflet) ||
         g_strcmp0 (adw_leaflet_get_visible_child_name (self->leaflet), "content") == 0;
}

/* Only a chat the user can see counts its messages as read. */
static void
update_open_event (TtoWindow *self)
{
  TtoEvent *event = NULL;

  if (self->session == NULL)
    return;

  if (content_is_visible (self) &&
      g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "chat") == 0)
    event = tto_chat_page_get_event (self->chat_page);

  tto_session_set_open_event (self->session, event);

  /* Beside the chat, the list shows which event is open. */
  if (adw_leaflet_get_folded (self->leaflet) ||
      g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "chat") != 0)
    tto_home_page_set_selected_event (self->home_page, NULL);
  else
    tto_home_page_set_selected_event (self->home_page, tto_chat_page_get_event (self->chat_page));

  if (event != NULL)
    {
      GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
      g_autofree char *id = g_strdup_printf ("event-%s", tto_event_get_id (event));

      if (app != NULL)
        g_application_withdraw_notification (app, id);
    }
}

/* Mentions and replies raise a notification while the window is not
 * focused, unless the event is muted. It names who and where, never the
 * text: notification daemons may keep what they show. */
static void
on_session_message_for_me (TtoSession *session,
                           TtoEvent *event,
                           TtoMessage *message,
                           gboolean mention,
                           TtoWindow *self)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr (GNotification) notification = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;

  if (gtk_window_is_active (GTK_WINDOW (self)) ||
      tto_client_is_event_muted (tto_event_get_id (event)))
    return;

  self->notifications_sent++;
  if (app == NULL)
    return;

  if (mention)
    /* Translators: %s is a display name */
    body = g_strdup_printf (_("%s mentioned you"), tto_message_get_sender_name (message));
  else
    /* Translators: %s is a display name */
    body = g_strdup_printf (_("%s replied to you"), tto_message_get_sender_name (message));
  notification = g_notification_new (tto_event_get_title (event));
  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.open-event", "s",
                                                tto_event_get_id (event));
  id = g_strdup_printf ("event-%s", tto_event_get_id (event));
  g_application_send_notification (app, id, notification);
}

static void
on_leaflet_folded_changed (TtoWindow *self)
{
  update_open_event (self);
}

static void
on_leaflet_visible_child_changed (TtoWindow *self)
{
  update_open_event (self);
}

static void
show_content (TtoWindow *self,
              const char *name)
{
  gtk_stack_set_visible_child_name (self->content_stack, name);
  adw_leaflet_set_visible_child_name (self->leaflet, "content");
  update_open_event (self);
}

static void
on_session_send_failed (TtoSession *session,
                        TtoMessage *message,
                        GError *error,
                        TtoWindow *self)
{
  g_autofree char *reason = tto_client_describe_error (error);
  g_autofree char *text = g_strdup_printf (_("Message not sent: %s"), reason);

  tto_window_add_toast (self, text);
}

static void
set_session (TtoWindow *self,
             TtoSession *session)
{
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  if (!g_set_object (&self->session, session))
    return;

  if (session != NULL)
    {
      g_signal_connect_object (session, "send-failed", G_CALLBACK (on_session_send_failed), self,
                               0);
      g_signal_connect_object (session, "message-for-me",
                               G_CALLBACK (on_session_message_for_me), self, 0);
    }
  tto_home_page_set_session (self->home_page, session);
  tto_chat_page_set_session (self->chat_page, session);
  tto_flow_page_set_session (self->flow_page, session);
  tto_create_page_set_session (self->create_page, session);
  tto_call_manager_set_session (self->call_manager, session);
  identity_set_session (self, session); /* identity block at the end of this file */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

static void
on_session_identity_lost (TtoSession *session,
                          TtoWindow *self)
{
  g_autoptr (TtoSession) keep = g_object_ref (session);

  tto_chat_page_set_event (self->chat_page, NULL);
  set_session (self, NULL);
  gtk_stack_set_visible_child_name (self->content_stack, "empty");
  gtk_stack_set_visible_child_name (self->stack, "signin");
  if (tto_session_get_identity (session) != NULL &&
      !tto_identity_is_one_time (tto_session_get_identity (session)))
    identity_forget (tto_session_get_identity (session)); /* identity block */
  if (tto_session_get_identity (session) != NULL &&
      !tto_identity_is_one_time (tto_session_get_identity (session)))
    tto_sign_in_page_show_error (self->sign_in_page,
                                 _("The relay no longer knows your identity: it ended or was deleted. Sign in again."));
  else
    tto_sign_in_page_show_error (self->sign_in_page,
                                 _("You were away too long, so your one-time identity and its events were deleted. Sign in again to start over."));
}

static void
on_sign_in_page_signed_in (TtoSignInPage *page,
                           TtoSession *session,
                           TtoWindow *self)
{
  if (session == self->session)
    {
      /* Verified again (or not now): back to where the person was. */
      gtk_stack_set_visible_child_name (self->stack, "main");
      return;
    }
  set_session (self, session);
  g_signal_connect_object (session, "identity-lost", G_CALLBACK (on_session_identity_lost),
                           self, 0);
  gtk_stack_set_visible_child_name (self->content_stack, "empty");
  adw_leaflet_set_visible_child_name (self->leaflet, "sidebar");
  gtk_stack_set_visible_child_name (self->stack, "main");
}

/* Actions */

static void
back_action (GtkWidget *widget,
             const char *action_name,
             GVariant *parameter)
{
  TtoWindow *self = TTO_WINDOW (widget);

  /* Event flow: back from the flow page is back to its chat. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "flow") == 0)
    {
      tto_flow_page_set_event (self->flow_page, NULL);
      show_content (self, "chat");
      return;
    }
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "create") == 0)
    {
      TtoEvent *event = tto_chat_page_get_event (self->chat_page);

      gtk_stack_set_visible_child_name (self->content_stack, event != NULL ? "chat" : "empty");
    }
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "sidebar");
  update_open_event (self);
}

/* Event flow: the open chat's flow, pushed over the chat on a phone, in a
 * window of its own beside the chat on a wider screen. */
static void
show_flow_action (GtkWidget *widget,
                  const char *action_name,
                  GVariant *parameter)
{
  TtoWindow *self = TTO_WINDOW (widget);
  TtoEvent *event = tto_chat_page_get_event (self->chat_page);
  GtkWidget *window;
  GtkWidget *page;

  if (event == NULL || self->session == NULL)
    return;
  if (adw_leaflet_get_folded (self->leaflet))
    {
      tto_flow_page_set_event (self->flow_page, event);
      tto_flow_page_set_show_back (self->flow_page, TRUE);
      show_content (self, "flow");
      return;
    }
  window = adw_window_new ();
  page = tto_flow_page_new ();
  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (self));
  gtk_window_set_destroy_with_parent (GTK_WINDOW (window), TRUE);
  gtk_window_set_title (GTK_WINDOW (window), tto_event_get_title (event));
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 720);
  tto_flow_page_set_session (TTO_FLOW_PAGE (page), self->session);
  tto_flow_page_set_event (TTO_FLOW_PAGE (page), event);
  adw_window_set_content (ADW_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
}

static void
create_event_action (GtkWidget *widget,
                     const char *action_name,
                     GVariant *parameter)
{
  TtoWindow *self = TTO_WINDOW (widget);

  tto_create_page_reset (self->create_page);
  show_content (self, "create");
  tto_create_page_focus (self->create_page);
}

static void
on_join_dialog_joined (TtoJoinDialog *dialog,
                       TtoEvent *event,
                       TtoWindow *self)
{
  tto_window_open_event (self, event);
}

static void
join_event_action (GtkWidget *widget,
                   const char *action_name,
                   GVariant *parameter)
{
  TtoWindow *self = TTO_WINDOW (widget);
  TtoJoinDialog *dialog;

  if (self->session == NULL)
    return;

  dialog = tto_join_dialog_new (GTK_WINDOW (self), self->session);
  g_signal_connect_object (dialog, "joined", G_CALLBACK (on_join_dialog_joined), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
open_event_action (GtkWidget *widget,
                   const char *action_name,
                   GVariant *parameter)
{
  TtoWindow *self = TTO_WINDOW (widget);
  TtoEvent *event;

  if (self->session == NULL)
    return;

  event = tto_session_lookup_event (self->session, g_variant_get_string (parameter, NULL));
  if (event != NULL)
    tto_window_open_event (self, event);
}

static void
toast_action (GtkWidget *widget,
              const char *action_name,
              GVariant *parameter)
{
  tto_window_add_toast (TTO_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

/* Certificates: any connection that refused one (the sign-in page's, the
 * session's reconnects) reports it on the pins store; the person decides
 * here, in a dialog that does not block the main loop. */

static void
on_trust_dialog_trusted (TtoTrustDialog *dialog,
                         const char *host_port,
                         TtoWindow *self)
{
  /* A session's connection retries by itself once the pin changes; the
   * sign-in page asks the relay again. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "signin") == 0)
    gtk_widget_activate_action (GTK_WIDGET (self->sign_in_page), "sign-in.refresh-methods",
                                NULL);
}

static void
on_certificate_rejected (TtoCertPins *pins,
                         const char *host_port,
                         const char *fingerprint,
                         const char *pinned_fingerprint,
                         TtoWindow *self)
{
  if (self->trust_dialog != NULL &&
      g_strcmp0 (tto_trust_dialog_get_host_port (self->trust_dialog), host_port) == 0)
    return;

  self->trust_dialog = tto_trust_dialog_new (GTK_WINDOW (self), pins, host_port, fingerprint,
                                             pinned_fingerprint);
  g_object_add_weak_pointer (G_OBJECT (self->trust_dialog), (gpointer *) &self->trust_dialog);
  g_signal_connect_object (self->trust_dialog, "trusted", G_CALLBACK (on_trust_dialog_trusted),
                           self, 0);
  gtk_window_present (GTK_WINDOW (self->trust_dialog));
}

/* The dialog asking about a relay's certificate now, or NULL (tests). */
TtoTrustDialog *
tto_window_get_trust_dialog (TtoWindow *self)
{
  g_return_val_if_fail (TTO_IS_WINDOW (self), NULL);

  return self->trust_dialog;
}

/* GObject */

static gboolean
tto_window_close_request (GtkWindow *window)
{
  TtoWindow *self = TTO_WINDOW (window);

  if (self->settings != NULL)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized",
                              gtk_window_is_maximized (window));
    }

  return GTK_WINDOW_CLASS (tto_window_parent_class)->close_request (window);
}

static void
tto_window_dispose (GObject *object)
{
  TtoWindow *self = (TtoWindow *) object;

  set_session (self, NULL);
  calls_dispose (self);
  /* The dialog may outlive the window (destroyed with it, freed later). */
  if (self->trust_dialog != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->trust_dialog), (gpointer *) &self->trust_dialog);
  self->trust_dialog = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tto_window_parent_class)->dispose (object);
}

static void
tto_window_get_property (GObject *object,
                         guint prop_id,
                         GValue *value,
                         GParamSpec *pspec)
{
  TtoWindow *self = TTO_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_window_class_init (TtoWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = tto_window_dispose;
  object_class->get_property = tto_window_get_property;
  window_class->close_request = tto_window_close_request;

  properties[PROP_SESSION] = g_param_spec_object ("session", NULL, NULL, TTO_TYPE_SESSION,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TTO_TYPE_SIGN_IN_PAGE);
  g_type_ensure (TTO_TYPE_HOME_PAGE);
  g_type_ensure (TTO_TYPE_CHAT_PAGE);
  g_type_ensure (TTO_TYPE_FLOW_PAGE);
  g_type_ensure (TTO_TYPE_CREATE_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TtoWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, TtoWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, TtoWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, TtoWindow, sign_in_page);
  gtk_widget_class_bind_template_child (widget_class, TtoWindow, home_page);
  gtk_widget_class_bind_template_child (widget_class, TtoWindow, chat_page);
  gtk_widget_class_bind_template_child (widget_class, TtoWindow, flow_page);
  gtk_widget_class_bind_template_child (widget_class, TtoWindow, create_page);
  gtk_widget_class_bind_template_callback (widget_class, on_sign_in_page_signed_in);
  gtk_widget_class_bind_template_callback (widget_class, on_leaflet_folded_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_leaflet_visible_child_changed);
  calls_class_init (widget_class);
  identity_class_init (widget_class);

  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "win.show-flow", NULL, show_flow_action);
  gtk_widget_class_install_action (widget_class, "win.create-event", NULL, create_event_action);
  gtk_widget_class_install_action (widget_class, "win.join-event", NULL, join_event_action);
  gtk_widget_class_install_action (widget_class, "win.open-event", "s", open_event_action);
  gtk_widget_class_install_action (widget_class, "win.toast", "s", toast_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.create-event", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_j, GDK_CONTROL_MASK,
                                       "win.join-event", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.back",
                                       NULL);
}

static void
tto_window_init (TtoWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  calls_init (self);
  g_signal_connect_object (tto_cert_pins_get_default (), "rejected",
                           G_CALLBACK (on_certificate_rejected), self, 0);

  g_object_bind_property (self->leaflet, "folded", self->chat_page, "folded",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->leaflet, "folded", self->create_page, "folded",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->leaflet, "folded", self->home_page, "folded",
                          G_BINDING_SYNC_CREATE);

  self->settings = tto_client_get_settings ();
  if (self->settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }
}

/* Public API */

TtoWindow *
tto_window_new (GtkApplication *application)
{
  return g_object_new (TTO_TYPE_WINDOW, "application", application, NULL);
}

TtoSession *
tto_window_get_session (TtoWindow *self)
{
  g_return_val_if_fail (TTO_IS_WINDOW (self), NULL);

  return self->session;
}

void
tto_window_open_event (TtoWindow *self,
                       TtoEvent *event)
{
  g_return_if_fail (TTO_IS_WINDOW (self));
  g_return_if_fail (TTO_IS_EVENT (event));

  tto_chat_page_set_event (self->chat_page, event);
  show_content (self, "chat");
  tto_chat_page_focus_composer (self->chat_page);
}

void
tto_window_add_toast (TtoWindow *self,
                      const char *title)
{
  AdwToast *toast;

  g_return_if_fail (TTO_IS_WINDOW (self));
  g_return_if_fail (title != NULL);

  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 4);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

gboolean
tto_window_get_folded (TtoWindow *self)
{
  g_return_val_if_fail (TTO_IS_WINDOW (self), FALSE);

  return adw_leaflet_get_folded (self->leaflet);
}

TtoSignInPage *
tto_window_get_sign_in_page (TtoWindow *self)
{
  g_return_val_if_fail (TTO_IS_WINDOW (self), NULL);

  return self->sign_in_page;
}

TtoHomePage *
tto_window_get_home_page (TtoWindow *self)
{
  g_return_val_if_fail (TTO_IS_WINDOW (self), NULL);

  return self->home_page;
}

TtoChatPage *
tto_window_get_chat_page (TtoWindow *self)
{
  g_return_val_if_fail (TTO_IS_WINDOW (self), NULL);

  return self->chat_page;
}

TtoCreatePage *
tto_window_get_create_page (TtoWindow *self)
{
  g_return_val_if_fail (TTO_IS_WINDOW (self), NULL);

  return self->create_page;
}

/* How many notifications the window raised (or would have, without an
 * application), for tests. */
guint
tto_window_get_notifications_sent (TtoWindow *self)
{
  g_return_val_if_fail (TTO_IS_WINDOW (self), 0);

  return self->notifications_sent;
}

/* Calls
 *
 * The call manager lives as long as the window and follows its session.
 * While this device is in a call (or joining one) the call page covers
 * the window; the banner floats above every page. */

static void
on_call_manager_state_changed (TtoWindow *self)
{
  TtoCallManagerState state = tto_call_manager_get_state (self->call_manager);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.call-start",
                                 state == TTO_CALL_MANAGER_STATE_IDLE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.call-member",
                                 state == TTO_CALL_MANAGER_STATE_IDLE);
  if (state != TTO_CALL_MANAGER_STATE_IDLE)
    gtk_stack_set_visible_child_name (self->stack, "call");
  else if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "call") == 0)
    gtk_stack_set_visible_child_name (self->stack, self->session != NULL ? "main" : "signin");
}

static void
on_call_manager_failed (TtoCallManager *manager,
                        const char *message,
                        TtoWindow *self)
{
  tto_window_add_toast (self, message);
}

/* "audio" or "video", in the open chat's event, ringing everyone. */
static void
call_start_action (GtkWidget *widget,
                   const char *action_name,
                   GVariant *parameter)
{
  TtoWindow *self = TTO_WINDOW (widget);
  TtoEvent *event = tto_chat_page_get_event (self->chat_page);
  gboolean video = g_strcmp0 (g_variant_get_string (parameter, NULL), "audio") != 0;
  g_autoptr (GError) error = NULL;

  if (event == NULL)
    return;
  if (!tto_call_manager_start (self->call_manager, event,
                               video ? TTO_CALL_KIND_VIDEO : TTO_CALL_KIND_AUDIO, NULL, &error))
    {
      if (g_error_matches (error, TTO_CALL_MANAGER_ERROR, TTO_CALL_MANAGER_ERROR_ENDED))
        tto_window_add_toast (self, _("This event has ended."));
      else if (g_error_matches (error, TTO_CALL_MANAGER_ERROR, TTO_CALL_MANAGER_ERROR_BUSY))
        tto_window_add_toast (self, _("Hang up first to start another call."));
      else
        {
          g_autofree char *reason = tto_client_describe_error (error);

          tto_window_add_toast (self, reason);
        }
    }
}

/* ("audio" | "video", identity id): ringing one member of the open event. */
static void
call_member_action (GtkWidget *widget,
                    const char *action_name,
                    GVariant *parameter)
{
  TtoWindow *self = TTO_WINDOW (widget);
  TtoEvent *event = tto_chat_page_get_event (self->chat_page);
  const char *kind = NULL;
  const char *identity_id = NULL;
  g_autoptr (GError) error = NULL;

  g_variant_get (parameter, "(&s&s)", &kind, &identity_id);
  if (event == NULL)
    return;
  if (!tto_call_manager_start (self->call_manager, event,
                               g_str_equal (kind, "video") ? TTO_CALL_KIND_VIDEO
                                                           : TTO_CALL_KIND_AUDIO,
                               (const char *const[]) { identity_id, NULL }, &error))
    {
      g_autofree char *reason = tto_client_describe_error (error);

      tto_window_add_toast (self, reason);
    }
}

static void
calls_class_init (GtkWidgetClass *widget_class)
{
  g_type_ensure (TTO_TYPE_CALL_PAGE);
  g_type_ensure (TTO_TYPE_CALL_BANNER);
  gtk_widget_class_bind_template_child (widget_class, TtoWindow, call_page);
  gtk_widget_class_bind_template_child (widget_class, TtoWindow, call_banner);
  gtk_widget_class_install_action (widget_class, "win.call-start", "s", call_start_action);
  gtk_widget_class_install_action (widget_class, "win.call-member", "(ss)", call_member_action);
}

static void
calls_init (TtoWindow *self)
{
  self->call_manager = tto_call_manager_new ();
  g_signal_connect_object (self->call_manager, "notify::state",
                           G_CALLBACK (on_call_manager_state_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->call_manager, "failed", G_CALLBACK (on_call_manager_failed),
                           self, 0);
  tto_call_page_set_manager (self->call_page, self->call_manager);
  tto_call_banner_set_manager (self->call_banner, self->call_manager);
}

static void
calls_dispose (TtoWindow *self)
{
  if (self->call_manager == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->call_manager, self);
  tto_call_manager_set_session (self->call_manager, NULL);
  tto_call_page_set_manager (self->call_page, NULL);
  tto_call_banner_set_manager (self->call_banner, NULL);
  g_clear_object (&self->call_manager);
}

TtoCallManager *
tto_window_get_call_manager (TtoWindow *self)
{
  g_return_val_if_fail (TTO_IS_WINDOW (self), NULL);

  return self->call_manager;
}

TtoCallPage *
tto_window_get_call_page (TtoWindow *self)
{
  g_return_val_if_fail (TTO_IS_WINDOW (self), NULL);

  return self->call_page;
}

TtoCallBanner *
tto_window_get_call_banner (TtoWindow *self)
{
  g_return_val_if_fail (TTO_IS_WINDOW (self), NULL);

  return self->call_banner;
}

/* Identity
 *
 * A timed identity warns 5 minutes before its end (the bar at the top,
 * "Verify Again" opens the method it was proven with); at the end the
 * window returns to sign-in. The account page is in the main menu. */

static void
on_identity_store_cleared (GObject *object,
                           GAsyncResult *result,
                           gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!tto_identity_store_clear_finish (result, &error))
    g_message ("Could not delete the stored identity: %s", error->message);
}

static void
return_to_sign_in (TtoWindow *self,
                   const char *message)
{
  g_autoptr (TtoSession) session = self->session != NULL ? g_object_ref (self->session) : NULL;

  tto_chat_page_set_event (self->chat_page, NULL);
  set_session (self, NULL);
  if (session != NULL)
    tto_session_sign_out (session);
  gtk_stack_set_visible_child_name (self->content_stack, "empty");
  tto_sign_in_page_show_view (self->sign_in_page, "choose");
  gtk_stack_set_visible_child_name (self->stack, "signin");
  tto_sign_in_page_show_error (self->sign_in_page, message);
}

/* The relay no longer knows it: the keyring forgets its token. */
static void
identity_forget (TtoIdentity *identity)
{
  if (tto_identity_get_relay_url (identity) != NULL)
    tto_identity_store_clear_async (tto_identity_get_relay_url (identity), NULL,
                                    on_identity_store_cleared, NULL);
}

static void
on_identity_expired (TtoIdentity *identity,
                     TtoWindow *self)
{
  identity_forget (identity);
  return_to_sign_in (self, _("Your identity has ended and the relay deleted it with its events. Sign in again to go on."));
}

static void
identity_set_session (TtoWindow *self,
                      TtoSession *session)
{
  TtoIdentity *identity = session != NULL ? tto_session_get_identity (session) : NULL;

  if (identity != NULL)
    g_signal_connect_object (identity, "expired", G_CALLBACK (on_identity_expired), self, 0);
  tto_identity_bar_set_identity (self->identity_bar, identity);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.account", identity != NULL);
}

static void
on_account_deleted (TtoAccountWindow *account,
                    TtoWindow *self)
{
  return_to_sign_in (self, _("Your identity and everything linked to it were deleted."));
}

/* This device signed out (account window): sign-in, no error shown. */
static void
on_account_signed_out (TtoAccountWindow *account,
                       TtoWindow *self)
{
  return_to_sign_in (self, NULL);
  tto_window_add_toast (self, _("Signed out on this device"));
}

static void
account_action (GtkWidget *widget,
                const char *action_name,
                GVariant *parameter)
{
  TtoWindow *self = TTO_WINDOW (widget);
  TtoAccountWindow *account;

  if (self->session == NULL || tto_session_get_identity (self->session) == NULL)
    return;
  account = tto_account_window_new (GTK_WINDOW (self), self->session);
  g_signal_connect_object (account, "deleted", G_CALLBACK (on_account_deleted), self, 0);
  g_signal_connect_object (account, "signed-out", G_CALLBACK (on_account_signed_out), self, 0);
  gtk_window_present (GTK_WINDOW (account));
}

static void
verify_identity_action (GtkWidget *widget,
                        const char *action_name,
                        GVariant *parameter)
{
  TtoWindow *self = TTO_WINDOW (widget);

  if (self->session == NULL)
    return;
  tto_sign_in_page_reverify (self->sign_in_page, self->session);
  gtk_stack_set_visible_child_name (self->stack, "signin");
}

static void
identity_class_init (GtkWidgetClass *widget_class)
{
  g_type_ensure (TTO_TYPE_IDENTITY_BAR);
  gtk_widget_class_bind_template_child (widget_class, TtoWindow, identity_bar);
  gtk_widget_class_install_action (widget_class, "win.account", NULL, account_action);
  gtk_widget_class_install_action (widget_class, "win.verify-identity", NULL,
                                   verify_identity_action);
}

TtoIdentityBar *
tto_window_get_identity_bar (TtoWindow *self)
{
  g_return_val_if_fail (TTO_IS_WINDOW (self), NULL);

  return self->identity_bar;
}
