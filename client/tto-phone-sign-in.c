/* tto-phone-sign-in.c: sign in with a phone number and a 6-digit SMS code
 *
 * "Send Code" asks the relay to text a code (a TtoCodeRequest, as the email
 * view does); the button then counts down the 60 s before another may be
 * sent. "Sign In" emits "submit" with an identity.code.verify request; the
 * sign-in page sends it and reports back with tto_phone_sign_in_set_result().
 * The code allows 5 attempts: after each wrong one the attempts left are
 * shown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <glib/gi18n.h>

#include "tto-code-request.h"
#include "tto-identity.h"
#include "tto-shared.h"

#include "tto-phone-sign-in.h"

struct _TtoPhoneSignIn
{
  AdwBin parent_instance;

  AdwEntryRow *country_row;
  AdwEntryRow *number_row;
  GtkButton *send_button;
  GtkSpinner *send_spinner;
  GtkLabel *send_label;
  GtkLabel *status_label;
  AdwEntryRow *code_row;
  AdwEntryRow *name_row;
  TtoLifetimeRow *lifetime_row;
  GtkLabel *error_label;
  GtkSpinner *submit_spinner;

  TtoCodeRequest *code; /* the code texted, its resend countdown */
  gboolean submitting;
};

G_DEFINE_FINAL_TYPE (TtoPhoneSignIn, tto_phone_sign_in, ADW_TYPE_BIN)

enum
{
  SUBMIT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_error (TtoPhoneSignIn *self,
            const char *message)
{
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
update_actions (TtoPhoneSignIn *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "phone.send-code",
                                 !tto_code_request_get_busy (self->code));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "phone.submit", !self->submitting);
  gtk_widget_set_visible (GTK_WIDGET (self->submit_spinner), self->submitting);
  gtk_spinner_set_spinning (self->submit_spinner, self->submitting);
}

static void
on_code_sent (TtoPhoneSignIn *self)
{
  g_autofree char *status = tto_code_request_dup_sent_text (self->code);

  gtk_label_set_label (self->status_label, status);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
}

static void
on_code_failed (TtoPhoneSignIn *self,
                const char *message,
                gboolean bad_address)
{
  show_error (self, message);
  if (bad_address)
    gtk_widget_add_css_class (GTK_WIDGET (self->number_row), "error");
}

/* "+86", "138 1234-5678" → "+8613812345678", or NULL when that is no
 * E.164 number (+ and 8–15 digits). */
static char *
get_address (TtoPhoneSignIn *self)
{
  g_autoptr (GString) address = g_string_new ("+");
  const char *parts[] = { gtk_editable_get_text (GTK_EDITABLE (self->country_row)),
                          gtk_editable_get_text (GTK_EDITABLE (self->number_row)) };

  for (guint p = 0; p < G_N_ELEMENTS (parts); p++)
    for (const char *c = parts[p]; *c != '\0'; c++)
      {
        if (g_ascii_isdigit (*c))
          g_string_append_c (address, *c);
        else if (*c != ' ' && *c != '-' && *c != '(' && *c != ')' && *c != '.' &&
                 !(*c == '+' && p == 0 && c == parts[p]))
          return NULL;
      }
  if (address->len < 1 + 8 || address->len > 1 + 15)
    return NULL;
  return g_string_free (g_steal_pointer (&address), FALSE);
}

static void
on_address_changed (TtoPhoneSignIn *self)
{
  show_error (self, NULL);
  gtk_widget_remove_css_class (GTK_WIDGET (self->number_row), "error");
}

static void
on_code_changed (TtoPhoneSignIn *self)
{
  show_error (self, NULL);
  gtk_widget_remove_css_class (GTK_WIDGET (self->code_row), "error");
}

static void
on_number_activated (TtoPhoneSignIn *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "phone.send-code", NULL);
}

static void
on_code_activated (TtoPhoneSignIn *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "phone.submit", NULL);
}

static void
send_code_action (GtkWidget *widget,
                  const char *action_name,
                  GVariant *parameter)
{
  TtoPhoneSignIn *self = TTO_PHONE_SIGN_IN (widget);
  g_autofree char *address = NULL;

  if (!tto_code_request_can_send (self->code))
    return;

  address = get_address (self);
  if (address == NULL)
    {
      show_error (self, _("Enter the phone number with its country code, for example +86 and 138 1234 5678."));
      gtk_widget_add_css_class (GTK_WIDGET (self->number_row), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->number_row));
      return;
    }

  show_error (self, NULL);
  tto_code_request_send (self->code, address);
}

static void
submit_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  TtoPhoneSignIn *self = TTO_PHONE_SIGN_IN (widget);
  g_autofree char *code = NULL;
  g_autofree char *name = NULL;
  g_autoptr (JsonObject) body = NULL;

  if (self->submitting)
    return;
  if (tto_code_request_get_address (self->code) == NULL)
    {
      show_error (self, _("Send a code to your phone first."));
      return;
    }

  code = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->code_row))));
  if (!tto_code_request_is_code (code))
    {
      show_error (self, _("The code has 6 digits."));
      gtk_widget_add_css_class (GTK_WIDGET (self->code_row), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
      return;
    }
  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  if (g_utf8_strlen (name, -1) > TTO_PROTOCOL_MAX_NAME_CHARS)
    {
      show_error (self, _("The name is too long."));
      return;
    }

  body = json_object_new ();
  json_object_set_string_member (body, "channel", "phone");
  json_object_set_string_member (body, "address", tto_code_request_get_address (self->code));
  json_object_set_string_member (body, "code", code);
  if (*name != '\0')
    json_object_set_string_member (body, "display_name", name);
  tto_lifetime_row_apply (self->lifetime_row, body);
  explicit_bzero (code, strlen (code));

  show_error (self, NULL);
  self->submitting = TRUE;
  update_actions (self);
  g_signal_emit (self, signals[SUBMIT], 0, TTO_FRAME_IDENTITY_CODE_VERIFY, body,
                 TTO_IDENTITY_METHOD_PHONE);
}

static void
tto_phone_sign_in_dispose (GObject *object)
{
  TtoPhoneSignIn *self = (TtoPhoneSignIn *) object;

  if (self->code != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->code, self);
      tto_code_request_reset (self->code);
      g_clear_object (&self->code);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_PHONE_SIGN_IN);

  G_OBJECT_CLASS (tto_phone_sign_in_parent_class)->dispose (object);
}

static void
tto_phone_sign_in_class_init (TtoPhoneSignInClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_phone_sign_in_dispose;

  /* (frame type, request body, method): sign in with this request. */
  signals[SUBMIT] = g_signal_new ("submit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                  NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, JSON_TYPE_OBJECT,
                                  G_TYPE_STRING);

  g_type_ensure (TTO_TYPE_LIFETIME_ROW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-phone-sign-in.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoPhoneSignIn, country_row);
  gtk_widget_class_bind_template_child (widget_class, TtoPhoneSignIn, number_row);
  gtk_widget_class_bind_template_child (widget_class, TtoPhoneSignIn, send_button);
  gtk_widget_class_bind_template_child (widget_class, TtoPhoneSignIn, send_spinner);
  gtk_widget_class_bind_template_child (widget_class, TtoPhoneSignIn, send_label);
  gtk_widget_class_bind_template_child (widget_class, TtoPhoneSignIn, status_label);
  gtk_widget_class_bind_template_child (widget_class, TtoPhoneSignIn, code_row);
  gtk_widget_class_bind_template_child (widget_class, TtoPhoneSignIn, name_row);
  gtk_widget_class_bind_template_child (widget_class, TtoPhoneSignIn, lifetime_row);
  gtk_widget_class_bind_template_child (widget_class, TtoPhoneSignIn, error_label);
  gtk_widget_class_bind_template_child (widget_class, TtoPhoneSignIn, submit_spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_address_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_code_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_number_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_code_activated);

  gtk_widget_class_install_action (widget_class, "phone.send-code", NULL, send_code_action);
  gtk_widget_class_install_action (widget_class, "phone.submit", NULL, submit_action);
}

static void
tto_phone_sign_in_init (TtoPhoneSignIn *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->code = tto_code_request_new ("phone", "sign_in");
  g_object_bind_property (self->code, "send-label", self->send_label, "label",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->code, "sending", self->send_spinner, "visible",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->code, "sending", self->send_spinner, "spinning",
                          G_BINDING_SYNC_CREATE);
  g_signal_connect_swapped (self->code, "notify::busy", G_CALLBACK (update_actions), self);
  g_signal_connect_swapped (self->code, "sent", G_CALLBACK (on_code_sent), self);
  g_signal_connect_swapped (self->code, "failed", G_CALLBACK (on_code_failed), self);
  update_actions (self);
}

/* Public API */

/* The connection code requests go over (the sign-in page's). */
void
tto_phone_sign_in_set_connection (TtoPhoneSignIn *self,
                                  TtoConnection *connection)
{
  g_return_if_fail (TTO_IS_PHONE_SIGN_IN (self));

  if (tto_code_request_set_connection (self->code, connection))
    tto_phone_sign_in_reset (self);
}

TtoLifetimeRow *
tto_phone_sign_in_get_lifetime_row (TtoPhoneSignIn *self)
{
  g_return_val_if_fail (TTO_IS_PHONE_SIGN_IN (self), NULL);
  return self->lifetime_row;
}

/* Forgets the code sent (another relay, or signed in). */
void
tto_phone_sign_in_reset (TtoPhoneSignIn *self)
{
  g_return_if_fail (TTO_IS_PHONE_SIGN_IN (self));

  self->submitting = FALSE;
  tto_code_request_reset (self->code);
  update_actions (self);
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), FALSE);
  show_error (self, NULL);
}

void
tto_phone_sign_in_fill (TtoPhoneSignIn *self,
                        const char *country_code,
                        const char *number,
                        const char *display_name)
{
  g_return_if_fail (TTO_IS_PHONE_SIGN_IN (self));

  if (country_code != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->country_row), country_code);
  if (number != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->number_row), number);
  if (display_name != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->name_row), display_name);
}

void
tto_phone_sign_in_set_code (TtoPhoneSignIn *self,
                            const char *code)
{
  g_return_if_fail (TTO_IS_PHONE_SIGN_IN (self));

  gtk_editable_set_text (GTK_EDITABLE (self->code_row), code != NULL ? code : "");
}

/* The sign-in page's answer to "submit": NULL @error for success. */
void
tto_phone_sign_in_set_result (TtoPhoneSignIn *self,
                              const GError *error,
                              JsonObject *error_body)
{
  g_autofree char *text = NULL;

  g_return_if_fail (TTO_IS_PHONE_SIGN_IN (self));

  self->submitting = FALSE;
  update_actions (self);
  if (error == NULL)
    {
      tto_phone_sign_in_reset (self);
      return;
    }

  /* The relay stops a code after its 5th wrong try, and says rate_limited. */
  if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_RATE_LIMITED))
    text = g_strdup (_("Too many wrong codes: this one no longer works. Send a new code."));
  else
    text = tto_code_request_describe_error (self->code, error, error_body);
  if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_CODE))
    gtk_widget_add_css_class (GTK_WIDGET (self->code_row), "error");
  show_error (self, text);
}

const char *
tto_phone_sign_in_get_error (TtoPhoneSignIn *self)
{
  g_return_val_if_fail (TTO_IS_PHONE_SIGN_IN (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_label (self->error_label);
}

const char *
tto_phone_sign_in_get_status (TtoPhoneSignIn *self)
{
  g_return_val_if_fail (TTO_IS_PHONE_SIGN_IN (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->status_label)))
    return NULL;
  return gtk_label_get_label (self->status_label);
}

gboolean
tto_phone_sign_in_get_code_sent (TtoPhoneSignIn *self)
{
  g_return_val_if_fail (TTO_IS_PHONE_SIGN_IN (self), FALSE);
  return tto_code_request_get_address (self->code) != NULL;
}

const char *
tto_phone_sign_in_get_send_label (TtoPhoneSignIn *self)
{
  g_return_val_if_fail (TTO_IS_PHONE_SIGN_IN (self), NULL);
  return gtk_label_get_label (self->send_label);
}
