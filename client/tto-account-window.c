/* tto-account-window.c: your identity: name, lifetime, what it proved, the
 * identity card check, signing this device out, and "Delete me"
 *
 * The identity card number is checked here first (GB 11643 check digit,
 * shared/tto-id-number.c) so a typo never leaves the device; the relay
 * checks again and keeps only a flag. "Delete me" asks once, listing what
 * goes, then sends identity.delete; the window hears "deleted" and goes
 * back to sign-in.
 *
 * "Sign Out" signs only this device out (identity.sign_out): the relay
 * revokes this device's token, the keyring forgets it, other devices stay
 * signed in. An account (timed or permanent, linked to a phone number, an
 * email address, a username or a provider) can sign in again; a one-time
 * identity cannot, so its confirmation says so and points at "Delete me".
 * When the relay cannot be reached nothing is forgotten unless the person
 * chooses to forget the identity on this device anyway.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <glib/gi18n.h>

#include "tto-identity-store.h"
#include "tto-shared.h"

#include "tto-account-window.h"

struct _TtoAccountWindow
{
  AdwPreferencesWindow parent_instance;

  AdwEntryRow *name_row;
  AdwActionRow *lifetime_row;
  AdwActionRow *phone_badge;
  AdwActionRow *email_badge;
  AdwActionRow *third_party_badge;
  AdwActionRow *id_badge;
  GtkImage *phone_icon;
  GtkImage *email_icon;
  GtkImage *third_party_icon;
  GtkImage *id_icon;
  AdwPreferencesGroup *id_group;
  AdwEntryRow *id_name_row;
  AdwEntryRow *id_number_row;
  AdwActionRow *id_status_row;
  AdwActionRow *sign_out_row;
  GtkSpinner *sign_out_spinner;

  TtoSession *session;
  TtoIdentity *identity;
  GCancellable *cancellable;
  char *last_error;
  guint lifetime_source;
  gboolean signing_out;
};

G_DEFINE_FINAL_TYPE (TtoAccountWindow, tto_account_window, ADW_TYPE_PREFERENCES_WINDOW)

enum
{
  DELETED,
  SIGNED_OUT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
toast (TtoAccountWindow *self,
       const char *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 5);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
}

static void
report_error (TtoAccountWindow *self,
              const GError *error,
              JsonObject *error_body)
{
  g_autofree char *text = tto_identity_describe_error (error, error_body);

  g_free (self->last_error);
  self->last_error = g_strdup (text);
  toast (self, text);
}

static void
set_badge (AdwActionRow *row,
           GtkImage *icon,
           gboolean verified)
{
  gtk_image_set_from_icon_name (icon, verified ? "emblem-ok-symbolic" : "window-close-symbolic");
  if (verified)
    {
      gtk_widget_add_css_class (GTK_WIDGET (icon), "success");
      gtk_widget_remove_css_class (GTK_WIDGET (icon), "dim-label");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (icon), "success");
      gtk_widget_add_css_class (GTK_WIDGET (icon), "dim-label");
    }
  adw_action_row_set_subtitle (row, verified ? _("Verified") : _("Not verified"));
}

static void
update_badges (TtoAccountWindow *self)
{
  set_badge (self->phone_badge, self->phone_icon,
             tto_identity_get_verified (self->identity, "phone"));
  set_badge (self->email_badge, self->email_icon,
             tto_identity_get_verified (self->identity, "email"));
  set_badge (self->third_party_badge, self->third_party_icon,
             tto_identity_get_verified (self->identity, "third_party"));
  set_badge (self->id_badge, self->id_icon, tto_identity_get_verified (self->identity, "id"));
  /* Verified once is enough (the relay refuses a second number). */
  gtk_widget_set_visible (GTK_WIDGET (self->id_group),
                          !tto_identity_get_verified (self->identity, "id"));
}

static void
update_sign_out (TtoAccountWindow *self)
{
  if (tto_identity_is_one_time (self->identity))
    adw_action_row_set_subtitle (
      self->sign_out_row,
      _("A one-time identity cannot be signed in again: signing out loses it for good"));
  else
    adw_action_row_set_subtitle (
      self->sign_out_row,
      _("Sign in again later with the same account. Your other devices stay signed in."));
}

static void
update_lifetime (TtoAccountWindow *self)
{
  g_autofree char *text = tto_identity_format_lifetime (self->identity);

  adw_action_row_set_subtitle (self->lifetime_row, text);
  update_sign_out (self);
}

static gboolean
on_lifetime_tick (gpointer user_data)
{
  update_lifetime (user_data);
  return G_SOURCE_CONTINUE;
}

static void
update_name (TtoAccountWindow *self)
{
  const char *name = tto_identity_get_display_name (self->identity);

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name != NULL ? name : "");
}

/* Display name */

static void
on_name_updated (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (TtoAccountWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (body == NULL)
    {
      report_error (self, error, tto_connection_get_error_body (result));
      update_name (self);
      return;
    }
  tto_identity_update_from_json (self->identity, body);
  toast (self, _("Name changed"));
}

static void
on_name_applied (TtoAccountWindow *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (
    GTK_EDITABLE (self->name_row))));
  JsonObject *body;

  if (*name == '\0' || g_utf8_strlen (name, -1) > TTO_PROTOCOL_MAX_NAME_CHARS)
    {
      toast (self, *name == '\0' ? _("Enter the name others will see.")
                                 : _("The name is too long."));
      update_name (self);
      return;
    }
  body = json_object_new ();
  json_object_set_string_member (body, "display_name", name);
  tto_connection_request_async (tto_session_get_connection (self->session),
                                TTO_FRAME_IDENTITY_UPDATE, body, self->cancellable,
                                on_name_updated, g_object_ref (self));
}

/* Identity card */

static void
set_id_status (TtoAccountWindow *self,
               const char *text,
               gboolean error)
{
  adw_action_row_set_subtitle (self->id_status_row, text);
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->id_status_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->id_status_row), "error");
}

static void
on_id_changed (TtoAccountWindow *self)
{
  set_id_status (self, NULL, FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->id_number_row), "error");
}

static void
on_id_activated (TtoAccountWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "account.verify-id", NULL);
}

static void
on_id_checked (GObject *object,
               GAsyncResult *result,
               gpointer user_data)
{
  g_autoptr (TtoAccountWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.verify-id", TRUE);
  if (body == NULL)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_CONFLICT))
        text = g_strdup (_("This number has verified another identity already."));
      else
        text = tto_identity_describe_error (error, tto_connection_get_error_body (result));
      set_id_status (self, text, TRUE);
      g_free (self->last_error);
      self->last_error = g_strdup (text);
      return;
    }
  tto_identity_update_from_json (self->identity, body);
  gtk_editable_set_text (GTK_EDITABLE (self->id_name_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->id_number_row), "");
  set_id_status (self, NULL, FALSE);
  toast (self, _("Identity card verified"));
}

static void
verify_id_action (GtkWidget *widget,
                  const char *action_name,
                  GVariant *parameter)
{
  TtoAccountWindow *self = TTO_ACCOUNT_WINDOW (widget);
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;
  g_autoptr (GString) number = g_string_new (NULL);
  JsonObject *body;

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->id_name_row))));
  for (const char *c = gtk_editable_get_text (GTK_EDITABLE (self->id_number_row)); *c != '\0';
       c++)
    if (*c != ' ' && *c != '-')
      g_string_append_c (number, g_ascii_toupper (*c));

  if (*name == '\0')
    {
      set_id_status (self, _("Enter the name on the card."), TRUE);
      return;
    }
  if (!tto_id_number_is_valid (number->str, &error))
    {
      const char *text;

      switch ((TtoIdNumberError) error->code)
        {
        case TTO_ID_NUMBER_ERROR_LENGTH:
          text = _("The number has 18 characters.");
          break;
        case TTO_ID_NUMBER_ERROR_CHARACTERS:
          text = _("The number has 17 digits and ends with a digit or X.");
          break;
        case TTO_ID_NUMBER_ERROR_BIRTH_DATE:
          text = _("Characters 7 to 14 must be the birth date (YYYYMMDD).");
          break;
        case TTO_ID_NUMBER_ERROR_CHECK_DIGIT:
        default:
          text = _("The last character does not match the others: check the number.");
          break;
        }
      set_id_status (self, text, TRUE);
      gtk_widget_add_css_class (GTK_WIDGET (self->id_number_row), "error");
      explicit_bzero (number->str, number->len);
      return;
    }

  body = json_object_new ();
  json_object_set_string_member (body, "name", name);
  json_object_set_string_member (body, "id_number", number->str);
  explicit_bzero (number->str, number->len);
  set_id_status (self, _("Checking…"), FALSE);
  gtk_widget_action_set_enabled (widget, "account.verify-id", FALSE);
  tto_connection_request_async (tto_session_get_connection (self->session),
                                TTO_FRAME_IDENTITY_ID_CHECK, body, self->cancellable,
                                on_id_checked, g_object_ref (self));
}

/* Delete me */

static void
on_keyring_cleared (GObject *object,
                    GAsyncResult *result,
                    gpointer user_data)
{
  g_autoptr (TtoAccountWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!tto_identity_store_clear_finish (result, &error))
    g_message ("Could not delete the stored identity: %s", error->message);
  g_signal_emit (self, signals[DELETED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_deleted (GObject *object,
            GAsyncResult *result,
            gpointer user_data)
{
  g_autoptr (TtoAccountWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;
  const char *relay_url;

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.delete", TRUE);
  if (body == NULL)
    {
      report_error (self, error, tto_connection_get_error_body (result));
      return;
    }

  /* The relay closes our connections next: no reconnect, no token. */
  tto_session_sign_out (self->session);
  relay_url = tto_identity_get_relay_url (self->identity);
  if (relay_url == NULL)
    relay_url = tto_connection_get_url (tto_session_get_connection (self->session));
  tto_identity_store_clear_async (relay_url, NULL, on_keyring_cleared, g_object_ref (self));
}

static void
on_delete_response (AdwMessageDialog *dialog,
                    const char *response,
                    TtoAccountWindow *self)
{
  if (g_strcmp0 (response, "delete") != 0)
    return;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.delete", FALSE);
  tto_connection_request_async (tto_session_get_connection (self->session),
                                TTO_FRAME_IDENTITY_DELETE, NULL, self->cancellable, on_deleted,
                                g_object_ref (self));
}

static void
delete_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  TtoAccountWindow *self = TTO_ACCOUNT_WINDOW (widget);
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Delete Your Identity?"), NULL);
  adw_message_dialog_format_body (
    ADW_MESSAGE_DIALOG (dialog), "%s\n\n• %s\n• %s\n• %s\n• %s\n• %s\n\n%s",
    _("This deletes, on the relay and on this device:"),
    _("your identity and its display name"),
    _("its sign-in links: phone number, email address, username, third-party account"),
    _("its password and its identity card mark"),
    _("your memberships, permissions and join applications"),
    _("every event you created, for all its members, with its messages"),
    _("This cannot be undone."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "delete", _("_Delete Me"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Sign out (this device only) */

static void start_sign_out (TtoAccountWindow *self);

static void
set_signing_out (TtoAccountWindow *self,
                 gboolean signing_out)
{
  self->signing_out = signing_out;
  gtk_widget_set_visible (GTK_WIDGET (self->sign_out_spinner), signing_out);
  gtk_spinner_set_spinning (self->sign_out_spinner, signing_out);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.sign-out", !signing_out);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.delete", !signing_out);
}

/* The device forgot the identity: the main window goes back to sign-in. */
static void
finish_signed_out (TtoAccountWindow *self)
{
  set_signing_out (self, FALSE);
  g_signal_emit (self, signals[SIGNED_OUT], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_forgotten (GObject *object,
              GAsyncResult *result,
              gpointer user_data)
{
  g_autoptr (TtoAccountWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  if (tto_identity_store_clear_finish (result, &error))
    {
      /* Chosen by the person: the relay still holds the token, the device
       * no longer does. */
      tto_session_sign_out (self->session);
      tto_identity_set_token (self->identity, NULL);
      finish_signed_out (self);
      return;
    }
  /* Still in the keyring, so the next start would sign in with it: say so
   * and stay signed in. */
  set_signing_out (self, FALSE);
  /* Translators: %s is the keyring's explanation */
  text = g_strdup_printf (_("Could not remove the identity from the keyring: %s"),
                          error->message);
  g_free (self->last_error);
  self->last_error = g_strdup (text);
  toast (self, text);
}

static void
forget_on_device (TtoAccountWindow *self)
{
  const char *relay_url = tto_identity_get_relay_url (self->identity);

  if (relay_url == NULL)
    relay_url = tto_connection_get_url (tto_session_get_connection (self->session));
  set_signing_out (self, TRUE);
  tto_identity_store_clear_async (relay_url, NULL, on_forgotten, g_object_ref (self));
}

static void
on_sign_out_error_response (AdwMessageDialog *dialog,
                            const char *response,
                            TtoAccountWindow *self)
{
  if (g_strcmp0 (response, "retry") == 0)
    start_sign_out (self);
  else if (g_strcmp0 (response, "forget") == 0)
    forget_on_device (self);
}

static void
show_sign_out_error (TtoAccountWindow *self,
                     const GError *error,
                     JsonObject *error_body)
{
  g_autofree char *reason = tto_identity_describe_error (error, error_body);
  GtkWidget *dialog;

  g_free (self->last_error);
  self->last_error = g_strdup (reason);

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Could Not Sign Out on the Relay"),
                                   NULL);
  gtk_widget_set_name (dialog, "sign-out-error");
  adw_message_dialog_format_body (
    ADW_MESSAGE_DIALOG (dialog), "%s\n\n%s", reason,
    tto_identity_is_one_time (self->identity)
      ? _("If you forget the identity on this device anyway, nobody can use it again and the relay deletes it a few minutes later.")
      : _("If you forget the identity on this device anyway, this device’s sign-in stays valid on the relay until the identity ends or is deleted. You can still sign in again with the same account."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Stay Signed In"),
                                    "retry", _("_Try Again"), "forget",
                                    _("_Forget on This Device"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "forget",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "retry");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_sign_out_error_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_signed_out (GObject *object,
               GAsyncResult *result,
               gpointer user_data)
{
  g_autoptr (TtoAccountWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  if (tto_session_sign_out_finish (TTO_SESSION (object), result, &error))
    {
      finish_signed_out (self);
      return;
    }
  set_signing_out (self, FALSE);
  show_sign_out_error (self, error, NULL);
}

static void
start_sign_out (TtoAccountWindow *self)
{
  set_signing_out (self, TRUE);
  /* Not cancelled with the window: the window stays open until the relay
   * answered (see on_close_request), and the app must hear the outcome. */
  tto_session_sign_out_async (self->session, NULL, on_signed_out, g_object_ref (self));
}

static void
on_sign_out_response (AdwMessageDialog *dialog,
                      const char *response,
                      TtoAccountWindow *self)
{
  if (g_strcmp0 (response, "sign-out") == 0)
    start_sign_out (self);
  else if (g_strcmp0 (response, "delete") == 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "account.delete", NULL);
}

/* How the identity signs in again, for the confirmation. */
static const char *
describe_way_back (TtoIdentity *identity)
{
  const char *method = tto_identity_get_method (identity);

  if (g_strcmp0 (method, TTO_IDENTITY_METHOD_PHONE) == 0)
    return _("To come back, sign in again with the same phone number.");
  if (g_strcmp0 (method, TTO_IDENTITY_METHOD_EMAIL) == 0)
    return _("To come back, sign in again with the same email address or username.");
  if (method != NULL && g_str_has_prefix (method, TTO_IDENTITY_METHOD_OIDC_PREFIX))
    return _("To come back, sign in again with the same third-party account.");
  return _("To come back, sign in again with the same account.");
}

static void
sign_out_action (GtkWidget *widget,
                 const char *action_name,
                 GVariant *parameter)
{
  TtoAccountWindow *self = TTO_ACCOUNT_WINDOW (widget);
  AdwMessageDialog *dialog;

  if (self->signing_out)
    return;

  if (tto_identity_is_one_time (self->identity))
    {
      dialog = ADW_MESSAGE_DIALOG (
        adw_message_dialog_new (GTK_WINDOW (self), _("Sign Out and Lose This Identity?"), NULL));
      adw_message_dialog_format_body (
        dialog, "%s\n\n%s\n\n%s",
        _("This is a one-time identity: it has no phone number, email address or password to sign in with again. Once you sign out, nobody can get it back, on this device or any other."),
        _("The relay deletes it a few minutes later. Events you created end for everyone then, and you leave the events you joined."),
        _("To delete it and end its events right away, choose Delete Me instead."));
      adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "delete",
                                        _("_Delete Me Instead…"), "sign-out", _("_Sign Out"),
                                        NULL);
      adw_message_dialog_set_response_appearance (dialog, "sign-out", ADW_RESPONSE_DESTRUCTIVE);
    }
  else
    {
      g_autofree char *lifetime = NULL;

      dialog = ADW_MESSAGE_DIALOG (
        adw_message_dialog_new (GTK_WINDOW (self), _("Sign Out of This Device?"), NULL));
      if (g_strcmp0 (tto_identity_get_kind (self->identity), TTO_IDENTITY_TIMED) == 0)
        {
          g_autofree char *ends = tto_identity_format_lifetime (self->identity);

          /* Translators: %s is when the identity ends, e.g. "Ends 11/25/26 21:30 (in 59 minutes)" */
          lifetime = g_strdup_printf (_("%s. You can sign in again until then."), ends);
        }
      adw_message_dialog_format_body (
        dialog, "%s %s\n\n%s%s%s",
        _("This device forgets your sign-in."), describe_way_back (self->identity),
        _("Your identity, its events and your other devices stay as they are."),
        lifetime != NULL ? "\n\n" : "", lifetime != NULL ? lifetime : "");
      adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "sign-out",
                                        _("_Sign Out"), NULL);
    }
  gtk_widget_set_name (GTK_WIDGET (dialog), "sign-out-confirm");
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_sign_out_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Closing while the relay is asked would lose its answer: at most the
 * sign-out timeout. */
static gboolean
on_close_request (TtoAccountWindow *self)
{
  return self->signing_out;
}

/* GObject */

static void
tto_account_window_dispose (GObject *object)
{
  TtoAccountWindow *self = (TtoAccountWindow *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->lifetime_source, g_source_remove);
  if (self->identity != NULL)
    g_signal_handlers_disconnect_by_data (self->identity, self);
  g_clear_object (&self->identity);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_ACCOUNT_WINDOW);

  G_OBJECT_CLASS (tto_account_window_parent_class)->dispose (object);
}

static void
tto_account_window_finalize (GObject *object)
{
  TtoAccountWindow *self = (TtoAccountWindow *) object;

  g_free (self->last_error);

  G_OBJECT_CLASS (tto_account_window_parent_class)->finalize (object);
}

static void
tto_account_window_class_init (TtoAccountWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_account_window_dispose;
  object_class->finalize = tto_account_window_finalize;

  /* The relay deleted the identity; the keyring forgot it. */
  signals[DELETED] = g_signal_new ("deleted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The relay revoked this device's token (or the person chose to forget
   * the identity here) and the keyring forgot it; the session is closed. */
  signals[SIGNED_OUT] = g_signal_new ("signed-out", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-account-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoAccountWindow, name_row);
  gtk_widget_class_bind_template_child (widget_class, TtoAccountWindow, lifetime_row);
  gtk_widget_class_bind_template_child (widget_class, TtoAccountWindow, phone_badge);
  gtk_widget_class_bind_template_child (widget_class, TtoAccountWindow, email_badge);
  gtk_widget_class_bind_template_child (widget_class, TtoAccountWindow, third_party_badge);
  gtk_widget_class_bind_template_child (widget_class, TtoAccountWindow, id_badge);
  gtk_widget_class_bind_template_child (widget_class, TtoAccountWindow, phone_icon);
  gtk_widget_class_bind_template_child (widget_class, TtoAccountWindow, email_icon);
  gtk_widget_class_bind_template_child (widget_class, TtoAccountWindow, third_party_icon);
  gtk_widget_class_bind_template_child (widget_class, TtoAccountWindow, id_icon);
  gtk_widget_class_bind_template_child (widget_class, TtoAccountWindow, id_group);
  gtk_widget_class_bind_template_child (widget_class, TtoAccountWindow, id_name_row);
  gtk_widget_class_bind_template_child (widget_class, TtoAccountWindow, id_number_row);
  gtk_widget_class_bind_template_child (widget_class, TtoAccountWindow, id_status_row);
  gtk_widget_class_bind_template_child (widget_class, TtoAccountWindow, sign_out_row);
  gtk_widget_class_bind_template_child (widget_class, TtoAccountWindow, sign_out_spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_name_applied);
  gtk_widget_class_bind_template_callback (widget_class, on_id_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_id_activated);

  gtk_widget_class_install_action (widget_class, "account.verify-id", NULL, verify_id_action);
  gtk_widget_class_install_action (widget_class, "account.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "account.sign-out", NULL, sign_out_action);
}

static void
tto_account_window_init (TtoAccountWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  g_signal_connect (self, "close-request", G_CALLBACK (on_close_request), NULL);
}

/* Public API */

TtoAccountWindow *
tto_account_window_new (GtkWindow *parent,
                        TtoSession *session)
{
  TtoAccountWindow *self;

  g_return_val_if_fail (TTO_IS_SESSION (session), NULL);
  g_return_val_if_fail (tto_session_get_identity (session) != NULL, NULL);

  self = g_object_new (TTO_TYPE_ACCOUNT_WINDOW, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->identity = g_object_ref (tto_session_get_identity (session));
  g_signal_connect_swapped (self->identity, "notify::display-name", G_CALLBACK (update_name),
                            self);
  g_signal_connect_swapped (self->identity, "notify::verified", G_CALLBACK (update_badges),
                            self);
  g_signal_connect_swapped (self->identity, "notify::expires-at", G_CALLBACK (update_lifetime),
                            self);
  g_signal_connect_swapped (self->identity, "notify::kind", G_CALLBACK (update_lifetime), self);
  update_name (self);
  update_badges (self);
  update_lifetime (self);
  self->lifetime_source = g_timeout_add_seconds (30, on_lifetime_tick, self);
  return self;
}

/* Types a new name and applies it, as the apply button does. */
void
tto_account_window_set_display_name (TtoAccountWindow *self,
                                     const char *name)
{
  g_return_if_fail (TTO_IS_ACCOUNT_WINDOW (self));

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
  on_name_applied (self);
}

void
tto_account_window_fill_id_check (TtoAccountWindow *self,
                                  const char *name,
                                  const char *id_number)
{
  g_return_if_fail (TTO_IS_ACCOUNT_WINDOW (self));

  gtk_editable_set_text (GTK_EDITABLE (self->id_name_row), name);
  gtk_editable_set_text (GTK_EDITABLE (self->id_number_row), id_number);
}

/* What the identity card section says under its button (NULL: nothing). */
const char *
tto_account_window_get_id_status (TtoAccountWindow *self)
{
  g_return_val_if_fail (TTO_IS_ACCOUNT_WINDOW (self), NULL);
  return adw_action_row_get_subtitle (self->id_status_row);
}

const char *
tto_account_window_get_lifetime_text (TtoAccountWindow *self)
{
  g_return_val_if_fail (TTO_IS_ACCOUNT_WINDOW (self), NULL);
  return adw_action_row_get_subtitle (self->lifetime_row);
}

/* Whether the badge of @what ("phone", "email", "third_party", "id")
 * shows as verified. */
gboolean
tto_account_window_get_badge (TtoAccountWindow *self,
                              const char *what)
{
  GtkImage *icon = NULL;

  g_return_val_if_fail (TTO_IS_ACCOUNT_WINDOW (self), FALSE);

  if (g_strcmp0 (what, "phone") == 0)
    icon = self->phone_icon;
  else if (g_strcmp0 (what, "email") == 0)
    icon = self->email_icon;
  else if (g_strcmp0 (what, "third_party") == 0)
    icon = self->third_party_icon;
  else if (g_strcmp0 (what, "id") == 0)
    icon = self->id_icon;
  return icon != NULL && gtk_widget_has_css_class (GTK_WIDGET (icon), "success");
}

const char *
tto_account_window_get_last_error (TtoAccountWindow *self)
{
  g_return_val_if_fail (TTO_IS_ACCOUNT_WINDOW (self), NULL);
  return self->last_error;
}
