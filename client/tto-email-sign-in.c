/* tto-email-sign-in.c: email + password accounts: register with a code, or
 * sign in with username or email and password
 *
 * Registering takes an email code (a TtoCodeRequest, purpose "register",
 * as the phone view's), a username, a password and a name; a checklist shows the
 * relay's password rules as they are met, so a refusal (weak_password) is
 * rare, and shown inline when it comes. Both modes emit "submit"; the
 * sign-in page sends the request and answers with set_result().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <glib/gi18n.h>

#include "tto-code-request.h"
#include "tto-identity.h"
#include "tto-shared.h"

#include "tto-email-sign-in.h"

struct _TtoEmailSignIn
{
  AdwBin parent_instance;

  GtkStack *mode_stack;
  AdwEntryRow *login_row;
  AdwPasswordEntryRow *login_password_row;
  TtoLifetimeRow *login_lifetime_row;
  AdwEntryRow *email_row;
  GtkSpinner *send_spinner;
  GtkLabel *send_label;
  GtkLabel *status_label;
  AdwEntryRow *code_row;
  AdwEntryRow *username_row;
  AdwPasswordEntryRow *password_row;
  AdwEntryRow *name_row;
  TtoLifetimeRow *register_lifetime_row;
  GtkLevelBar *strength_bar;
  GtkImage *rule_length_icon;
  GtkImage *rule_classes_icon;
  GtkImage *rule_distinct_icon;
  GtkLabel *error_label;
  GtkSpinner *submit_spinner;
  GtkLabel *submit_label;

  TtoCodeRequest *code; /* the code mailed, its resend countdown */
  gboolean submitting;
};

G_DEFINE_FINAL_TYPE (TtoEmailSignIn, tto_email_sign_in, ADW_TYPE_BIN)

enum
{
  SUBMIT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Which rules @password meets, and a strength 0–4 for the bar. */
TtoPasswordRules
tto_password_check (const char *password,
                    const char *username,
                    const char *email,
                    guint *out_strength)
{
  TtoPasswordRules met = 0;
  gboolean letters = FALSE, digits = FALSE, other = FALSE;
  glong length;
  guint classes;
  g_autofree char *folded = NULL;

  g_return_val_if_fail (password != NULL, 0);

  length = g_utf8_strlen (password, -1);
  for (const char *p = password; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isalpha (c))
        letters = TRUE;
      else if (g_unichar_isdigit (c))
        digits = TRUE;
      else
        other = TRUE;
    }
  classes = (letters ? 1 : 0) + (digits ? 1 : 0) + (other ? 1 : 0);

  if (length >= TTO_PASSWORD_MIN_CHARS)
    met |= TTO_PASSWORD_RULE_LENGTH;
  if (classes >= 2)
    met |= TTO_PASSWORD_RULE_CLASSES;
  folded = g_utf8_casefold (password, -1);
  if (*password != '\0')
    {
      g_autofree char *user = username != NULL ? g_utf8_casefold (username, -1) : NULL;
      g_autofree char *mail = email != NULL ? g_utf8_casefold (email, -1) : NULL;

      if (g_strcmp0 (folded, user) != 0 && g_strcmp0 (folded, mail) != 0)
        met |= TTO_PASSWORD_RULE_DISTINCT;
    }
  explicit_bzero (folded, strlen (folded));

  if (out_strength != NULL)
    *out_strength = (length >= TTO_PASSWORD_MIN_CHARS ? 1 : 0) + (length >= 14 ? 1 : 0) +
                    (classes >= 2 ? 1 : 0) + (classes >= 3 ? 1 : 0);
  return met;
}

static gboolean
is_register (TtoEmailSignIn *self)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->mode_stack), "register") == 0;
}

static void
show_error (TtoEmailSignIn *self,
            const char *message)
{
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
update_actions (TtoEmailSignIn *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "email.send-code",
                                 !tto_code_request_get_busy (self->code));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "email.submit", !self->submitting);
  gtk_widget_set_visible (GTK_WIDGET (self->submit_spinner), self->submitting);
  gtk_spinner_set_spinning (self->submit_spinner, self->submitting);
}

static void
on_code_sent (TtoEmailSignIn *self)
{
  g_autofree char *status = tto_code_request_dup_sent_text (self->code);

  gtk_label_set_label (self->status_label, status);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
}

static void
on_code_failed (TtoEmailSignIn *self,
                const char *message,
                gboolean bad_address)
{
  show_error (self, message);
  if (bad_address)
    gtk_widget_add_css_class (GTK_WIDGET (self->email_row), "error");
}

static void
set_rule_icon (GtkImage *icon,
               gboolean met)
{
  gtk_image_set_from_icon_name (icon, met ? "object-select-symbolic" : "window-close-symbolic");
  if (met)
    {
      gtk_widget_add_css_class (GTK_WIDGET (icon), "success");
      gtk_widget_remove_css_class (GTK_WIDGET (icon), "dim-label");
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (icon), "dim-label");
      gtk_widget_remove_css_class (GTK_WIDGET (icon), "success");
    }
  gtk_accessible_update_state (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_STATE_CHECKED,
                               met ? GTK_ACCESSIBLE_TRISTATE_TRUE : GTK_ACCESSIBLE_TRISTATE_FALSE,
                               -1);
}

static void
update_checklist (TtoEmailSignIn *self)
{
  guint strength = 0;
  TtoPasswordRules met = tto_email_sign_in_get_rules_met (self);

  tto_password_check (gtk_editable_get_text (GTK_EDITABLE (self->password_row)), NULL, NULL,
                      &strength);
  set_rule_icon (self->rule_length_icon, met & TTO_PASSWORD_RULE_LENGTH);
  set_rule_icon (self->rule_classes_icon, met & TTO_PASSWORD_RULE_CLASSES);
  set_rule_icon (self->rule_distinct_icon, met & TTO_PASSWORD_RULE_DISTINCT);
  gtk_level_bar_set_value (self->strength_bar, met == TTO_PASSWORD_RULES_ALL ? strength : 0);
}

static void
on_changed (TtoEmailSignIn *self)
{
  show_error (self, NULL);
  gtk_widget_remove_css_class (GTK_WIDGET (self->code_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->login_password_row), "error");
}

static void
on_email_changed (TtoEmailSignIn *self)
{
  on_changed (self);
  gtk_widget_remove_css_class (GTK_WIDGET (self->email_row), "error");
  update_checklist (self);
}

static void
on_password_changed (TtoEmailSignIn *self)
{
  on_changed (self);
  gtk_widget_remove_css_class (GTK_WIDGET (self->password_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->username_row), "error");
  update_checklist (self);
}

static void
on_submit_activated (TtoEmailSignIn *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "email.submit", NULL);
}

static void
on_mode_changed (TtoEmailSignIn *self)
{
  show_error (self, NULL);
  gtk_label_set_label (self->submit_label, is_register (self) ? _("Create Account") : _("Sign In"));
}

/* One @ with text on both sides and a dot in the domain, no spaces: the
 * relay's own check, so a typo is caught here. */
static gboolean
looks_like_email (const char *email)
{
  const char *at = strchr (email, '@');

  return at != NULL && at != email && strchr (at + 1, '@') == NULL &&
         strchr (at + 1, '.') != NULL && at[1] != '.' && strchr (email, ' ') == NULL &&
         email[strlen (email) - 1] != '.' && strlen (email) <= 254;
}

static void
send_code_action (GtkWidget *widget,
                  const char *action_name,
                  GVariant *parameter)
{
  TtoEmailSignIn *self = TTO_EMAIL_SIGN_IN (widget);
  g_autofree char *email = NULL;

  if (!tto_code_request_can_send (self->code))
    return;

  email = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->email_row))));
  if (!looks_like_email (email))
    {
      show_error (self, _("Enter an email address such as ana@example.org."));
      gtk_widget_add_css_class (GTK_WIDGET (self->email_row), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->email_row));
      return;
    }

  show_error (self, NULL);
  tto_code_request_send (self->code, email);
}

static gboolean
is_username (const char *username)
{
  glong length = strlen (username);

  if (length < 3 || length > 32)
    return FALSE;
  for (const char *c = username; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '_' && *c != '.' && *c != '-')
      return FALSE;
  return TRUE;
}

static JsonObject *
build_register (TtoEmailSignIn *self)
{
  g_autofree char *code = NULL;
  g_autofree char *username = NULL;
  g_autofree char *name = NULL;
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  JsonObject *body;

  if (tto_code_request_get_address (self->code) == NULL)
    {
      show_error (self, _("Send a code to your email address first."));
      return NULL;
    }
  code = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->code_row))));
  if (!tto_code_request_is_code (code))
    {
      show_error (self, _("The code has 6 digits."));
      gtk_widget_add_css_class (GTK_WIDGET (self->code_row), "error");
      return NULL;
    }
  username = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->username_row))));
  if (!is_username (username))
    {
      show_error (self, _("A username has 3 to 32 of the letters a–z, digits and _ . -"));
      gtk_widget_add_css_class (GTK_WIDGET (self->username_row), "error");
      return NULL;
    }
  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  if (*name == '\0' || g_utf8_strlen (name, -1) > TTO_PROTOCOL_MAX_NAME_CHARS)
    {
      show_error (self, _("Enter the name others will see."));
      gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
      return NULL;
    }
  /* The password goes as typed: the relay's rules are the ones that count
   * (the checklist only helps). */
  body = json_object_new ();
  json_object_set_string_member (body, "email", tto_code_request_get_address (self->code));
  json_object_set_string_member (body, "code", code);
  json_object_set_string_member (body, "username", username);
  json_object_set_string_member (body, "password", password);
  json_object_set_string_member (body, "display_name", name);
  tto_lifetime_row_apply (self->register_lifetime_row, body);
  explicit_bzero (code, strlen (code));
  return body;
}

static JsonObject *
build_login (TtoEmailSignIn *self)
{
  g_autofree char *login = NULL;
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->login_password_row));
  JsonObject *body;

  login = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->login_row))));
  if (*login == '\0' || *password == '\0')
    {
      show_error (self, _("Enter your username or email and your password."));
      return NULL;
    }
  body = json_object_new ();
  json_object_set_string_member (body, "login", login);
  json_object_set_string_member (body, "password", password);
  tto_lifetime_row_apply (self->login_lifetime_row, body);
  return body;
}

static void
submit_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  TtoEmailSignIn *self = TTO_EMAIL_SIGN_IN (widget);
  g_autoptr (JsonObject) body = NULL;
  gboolean registering = is_register (self);

  if (self->submitting)
    return;

  body = registering ? build_register (self) : build_login (self);
  if (body == NULL)
    return;

  show_error (self, NULL);
  self->submitting = TRUE;
  update_actions (self);
  g_signal_emit (self, signals[SUBMIT], 0,
                 registering ? TTO_FRAME_IDENTITY_REGISTER : TTO_FRAME_IDENTITY_LOGIN, body,
                 TTO_IDENTITY_METHOD_EMAIL);
}

static void
tto_email_sign_in_dispose (GObject *object)
{
  TtoEmailSignIn *self = (TtoEmailSignIn *) object;

  if (self->code != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->code, self);
      tto_code_request_reset (self->code);
      g_clear_object (&self->code);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_EMAIL_SIGN_IN);

  G_OBJECT_CLASS (tto_email_sign_in_parent_class)->dispose (object);
}

static void
tto_email_sign_in_class_init (TtoEmailSignInClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_email_sign_in_dispose;

  /* (frame type, request body, method): sign in with this request. */
  signals[SUBMIT] = g_signal_new ("submit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                  NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, JSON_TYPE_OBJECT,
                                  G_TYPE_STRING);

  g_type_ensure (TTO_TYPE_LIFETIME_ROW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-email-sign-in.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoEmailSignIn, mode_stack);
  gtk_widget_class_bind_template_child (widget_class, TtoEmailSignIn, login_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEmailSignIn, login_password_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEmailSignIn, login_lifetime_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEmailSignIn, email_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEmailSignIn, send_spinner);
  gtk_widget_class_bind_template_child (widget_class, TtoEmailSignIn, send_label);
  gtk_widget_class_bind_template_child (widget_class, TtoEmailSignIn, status_label);
  gtk_widget_class_bind_template_child (widget_class, TtoEmailSignIn, code_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEmailSignIn, username_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEmailSignIn, password_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEmailSignIn, name_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEmailSignIn, register_lifetime_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEmailSignIn, strength_bar);
  gtk_widget_class_bind_template_child (widget_class, TtoEmailSignIn, rule_length_icon);
  gtk_widget_class_bind_template_child (widget_class, TtoEmailSignIn, rule_classes_icon);
  gtk_widget_class_bind_template_child (widget_class, TtoEmailSignIn, rule_distinct_icon);
  gtk_widget_class_bind_template_child (widget_class, TtoEmailSignIn, error_label);
  gtk_widget_class_bind_template_child (widget_class, TtoEmailSignIn, submit_spinner);
  gtk_widget_class_bind_template_child (widget_class, TtoEmailSignIn, submit_label);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_email_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_password_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_submit_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_mode_changed);

  gtk_widget_class_install_action (widget_class, "email.send-code", NULL, send_code_action);
  gtk_widget_class_install_action (widget_class, "email.submit", NULL, submit_action);
}

static void
tto_email_sign_in_init (TtoEmailSignIn *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->code = tto_code_request_new ("email", "register");
  g_object_bind_property (self->code, "send-label", self->send_label, "label",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->code, "sending", self->send_spinner, "visible",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->code, "sending", self->send_spinner, "spinning",
                          G_BINDING_SYNC_CREATE);
  g_signal_connect_swapped (self->code, "notify::busy", G_CALLBACK (update_actions), self);
  g_signal_connect_swapped (self->code, "sent", G_CALLBACK (on_code_sent), self);
  g_signal_connect_swapped (self->code, "failed", G_CALLBACK (on_code_failed), self);
  /* An account is registered for a while or for good, never one-time. */
  tto_lifetime_row_set_allow_one_time (self->login_lifetime_row, FALSE);
  tto_lifetime_row_set_allow_one_time (self->register_lifetime_row, FALSE);
  update_checklist (self);
  update_actions (self);
  on_mode_changed (self);
}

/* Public API */

void
tto_email_sign_in_set_connection (TtoEmailSignIn *self,
                                  TtoConnection *connection)
{
  g_return_if_fail (TTO_IS_EMAIL_SIGN_IN (self));

  if (tto_code_request_set_connection (self->code, connection))
    tto_email_sign_in_reset (self);
}

/* "login" or "register". */
void
tto_email_sign_in_set_mode (TtoEmailSignIn *self,
                            const char *mode)
{
  g_return_if_fail (TTO_IS_EMAIL_SIGN_IN (self));

  gtk_stack_set_visible_child_name (self->mode_stack, mode);
}

const char *
tto_email_sign_in_get_mode (TtoEmailSignIn *self)
{
  g_return_val_if_fail (TTO_IS_EMAIL_SIGN_IN (self), NULL);
  return gtk_stack_get_visible_child_name (self->mode_stack);
}

/* The lifetime row of the visible mode. */
TtoLifetimeRow *
tto_email_sign_in_get_lifetime_row (TtoEmailSignIn *self)
{
  g_return_val_if_fail (TTO_IS_EMAIL_SIGN_IN (self), NULL);
  return is_register (self) ? self->register_lifetime_row : self->login_lifetime_row;
}

void
tto_email_sign_in_reset (TtoEmailSignIn *self)
{
  g_return_if_fail (TTO_IS_EMAIL_SIGN_IN (self));

  self->submitting = FALSE;
  tto_code_request_reset (self->code);
  update_actions (self);
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->login_password_row), "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), FALSE);
  show_error (self, NULL);
}

void
tto_email_sign_in_fill_register (TtoEmailSignIn *self,
                                 const char *email,
                                 const char *username,
                                 const char *password,
                                 const char *display_name)
{
  g_return_if_fail (TTO_IS_EMAIL_SIGN_IN (self));

  if (email != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->email_row), email);
  if (username != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->username_row), username);
  if (password != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
  if (display_name != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->name_row), display_name);
}

void
tto_email_sign_in_set_code (TtoEmailSignIn *self,
                            const char *code)
{
  g_return_if_fail (TTO_IS_EMAIL_SIGN_IN (self));

  gtk_editable_set_text (GTK_EDITABLE (self->code_row), code != NULL ? code : "");
}

void
tto_email_sign_in_fill_login (TtoEmailSignIn *self,
                              const char *login,
                              const char *password)
{
  g_return_if_fail (TTO_IS_EMAIL_SIGN_IN (self));

  if (login != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->login_row), login);
  if (password != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->login_password_row), password);
}

/* The password rules the registration form meets now. */
TtoPasswordRules
tto_email_sign_in_get_rules_met (TtoEmailSignIn *self)
{
  g_autofree char *username = NULL;
  g_autofree char *email = NULL;

  g_return_val_if_fail (TTO_IS_EMAIL_SIGN_IN (self), 0);

  username = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->username_row))));
  email = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->email_row))));
  return tto_password_check (gtk_editable_get_text (GTK_EDITABLE (self->password_row)), username,
                             email, NULL);
}

void
tto_email_sign_in_set_result (TtoEmailSignIn *self,
                              const GError *error,
                              JsonObject *error_body)
{
  g_autofree char *text = NULL;

  g_return_if_fail (TTO_IS_EMAIL_SIGN_IN (self));

  self->submitting = FALSE;
  update_actions (self);
  if (error == NULL)
    {
      tto_email_sign_in_reset (self);
      return;
    }

  /* The row to blame, then the message (a wrong code counts an attempt). */
  if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_CODE))
    gtk_widget_add_css_class (GTK_WIDGET (self->code_row), "error");
  else if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_WEAK_PASSWORD))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->password_row), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
    }
  else if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_UNAUTHORIZED) &&
           !is_register (self))
    {
      text = g_strdup (_("Wrong username, email or password."));
      gtk_widget_add_css_class (GTK_WIDGET (self->login_password_row), "error");
    }
  else if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_CONFLICT))
    gtk_widget_add_css_class (GTK_WIDGET (self->username_row), "error");
  if (text == NULL)
    text = tto_code_request_describe_error (self->code, error, error_body);
  show_error (self, text);
}

const char *
tto_email_sign_in_get_error (TtoEmailSignIn *self)
{
  g_return_val_if_fail (TTO_IS_EMAIL_SIGN_IN (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_label (self->error_label);
}

gboolean
tto_email_sign_in_get_code_sent (TtoEmailSignIn *self)
{
  g_return_val_if_fail (TTO_IS_EMAIL_SIGN_IN (self), FALSE);
  return tto_code_request_get_address (self->code) != NULL;
}
