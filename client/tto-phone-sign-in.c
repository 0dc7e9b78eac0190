/* tto-phone-sign-in.c: sign in with a phone number and a 6-digit SMS code
 *
 * "Send Code" asks the relay (identity.code.request) to text a code; the
 * button then counts down the 60 s before another may be sent. "Sign In"
 * emits "submit" with an identity.code.verify request; the sign-in page
 * sends it and reports back with tto_phone_sign_in_set_result(). The code
 * allows 5 attempts: after each wrong one the attempts left are shown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <glib/gi18n.h>

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

  TtoConnection *connection;
  GCancellable *cancellable;
  char *code_address; /* the number the code went to */
  char *pending_address; /* the number a code request is out for */
  guint countdown_source;
  guint countdown;
  guint wrong_codes;
  gboolean sending;
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
                                 !self->sending && self->countdown == 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "phone.submit", !self->submitting);
  gtk_widget_set_visible (GTK_WIDGET (self->send_spinner), self->sending);
  gtk_spinner_set_spinning (self->send_spinner, self->sending);
  gtk_widget_set_visible (GTK_WIDGET (self->submit_spinner), self->submitting);
  gtk_spinner_set_spinning (self->submit_spinner, self->submitting);
}

static void
update_send_label (TtoPhoneSignIn *self)
{
  g_autofree char *label = NULL;

  if (self->countdown > 0)
    /* Translators: %u is a number of seconds */
    label = g_strdup_printf (_("Resend in %u s"), self->countdown);
  else if (self->code_address != NULL)
    label = g_strdup (_("Resend Code"));
  else
    label = g_strdup (_("Send Code"));
  gtk_label_set_label (self->send_label, label);
}

static gboolean
on_countdown_tick (gpointer user_data)
{
  TtoPhoneSignIn *self = user_data;

  if (self->countdown > 0)
    self->countdown--;
  update_send_label (self);
  update_actions (self);
  if (self->countdown == 0)
    {
      self->countdown_source = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
start_countdown (TtoPhoneSignIn *self,
                 guint seconds)
{
  g_clear_handle_id (&self->countdown_source, g_source_remove);
  self->countdown = seconds;
  if (seconds > 0)
    self->countdown_source = g_timeout_add_seconds (1, on_countdown_tick, self);
  update_send_label (self);
  update_actions (self);
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
on_code_requested (GObject *object,
                   GAsyncResult *result,
                   gpointer user_data)
{
  g_autoptr (TtoPhoneSignIn) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;
  g_autofree char *status = NULL;
  JsonObject *error_body;
  char *address = g_steal_pointer (&self->pending_address);

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_free (address);
      return;
    }
  self->sending = FALSE;
  if (body == NULL)
    {
      g_autofree char *text = NULL;

      g_free (address);
      error_body = tto_connection_get_error_body (result);
      text = tto_identity_describe_error (error, error_body);
      show_error (self, text);
      if (error_body != NULL && json_object_has_member (error_body, "retry_after"))
        start_countdown (self, (guint) CLAMP (json_object_get_int_member (error_body,
                                                                          "retry_after"),
                                              1, 3600));
      else if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME))
        gtk_widget_add_css_class (GTK_WIDGET (self->number_row), "error");
      update_actions (self);
      return;
    }

  g_free (self->code_address);
  self->code_address = address;
  self->wrong_codes = 0;
  /* Translators: %s is the phone number the code went to */
  status = g_strdup_printf (_("Code sent to %s. It is valid for 10 minutes."), address);
  gtk_label_set_label (self->status_label, status);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), TRUE);
  start_countdown (self, (guint) CLAMP (json_object_get_int_member_with_default (
                                          body, "resend_after", TTO_PHONE_SIGN_IN_RESEND_SECONDS),
                                        1, 3600));
  gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
}

static void
send_code_request (TtoPhoneSignIn *self,
                   const char *address)
{
  JsonObject *body = json_object_new ();

  g_free (self->pending_address);
  self->pending_address = g_strdup (address);

  json_object_set_string_member (body, "channel", "phone");
  json_object_set_string_member (body, "address", address);
  json_object_set_string_member (body, "purpose", "sign_in");
  tto_connection_request_async (self->connection, TTO_FRAME_IDENTITY_CODE_REQUEST, body,
                                self->cancellable, on_code_requested, g_object_ref (self));
}

typedef struct
{
  TtoPhoneSignIn *self;
  char *address;
} OpenData;

static void
on_open_for_code (GObject *object,
                  GAsyncResult *result,
                  gpointer user_data)
{
  OpenData *data = user_data;
  g_autoptr (TtoPhoneSignIn) self = data->self;
  g_autofree char *address = data->address;
  g_autoptr (GError) error = NULL;

  g_free (data);
  if (!tto_connection_open_finish (TTO_CONNECTION (object), result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->sending = FALSE;
      text = tto_identity_describe_error (error, NULL);
      show_error (self, text);
      update_actions (self);
      return;
    }
  send_code_request (self, address);
}

static void
send_code_action (GtkWidget *widget,
                  const char *action_name,
                  GVariant *parameter)
{
  TtoPhoneSignIn *self = TTO_PHONE_SIGN_IN (widget);
  g_autofree char *address = NULL;
  OpenData *data;

  if (self->sending || self->countdown > 0 || self->connection == NULL)
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
  self->sending = TRUE;
  update_actions (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  data = g_new0 (OpenData, 1);
  data->self = g_object_ref (self);
  data->address = g_steal_pointer (&address);
  tto_connection_open_async (self->connection, self->cancellable, on_open_for_code, data);
}

static gboolean
is_code (const char *code)
{
  if (strlen (code) != 6)
    return FALSE;
  for (guint i = 0; i < 6; i++)
    if (!g_ascii_isdigit (code[i]))
      return FALSE;
  return TRUE;
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
  if (self->code_address == NULL)
    {
      show_error (self, _("Send a code to your phone first."));
      return;
    }

  code = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->code_row))));
  if (!is_code (code))
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
  json_object_set_string_member (body, "address", self->code_address);
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

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->countdown_source, g_source_remove);
  g_clear_object (&self->connection);
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_PHONE_SIGN_IN);

  G_OBJECT_CLASS (tto_phone_sign_in_parent_class)->dispose (object);
}

static void
tto_phone_sign_in_finalize (GObject *object)
{
  TtoPhoneSignIn *self = (TtoPhoneSignIn *) object;

  g_free (self->code_address);
  g_free (self->pending_address);

  G_OBJECT_CLASS (tto_phone_sign_in_parent_class)->finalize (object);
}

static void
tto_phone_sign_in_class_init (TtoPhoneSignInClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_phone_sign_in_dispose;
  object_class->finalize = tto_phone_sign_in_finalize;

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
  update_actions (self);
}

/* Public API */

/* The connection code requests go over (the sign-in page's). */
void
tto_phone_sign_in_set_connection (TtoPhoneSignIn *self,
                                  TtoConnection *connection)
{
  g_return_if_fail (TTO_IS_PHONE_SIGN_IN (self));

  if (g_set_object (&self->connection, connection))
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

  g_cancellable_cancel (self->cancellable);
  g_clear_pointer (&self->code_address, g_free);
  self->sending = FALSE;
  self->submitting = FALSE;
  self->wrong_codes = 0;
  start_countdown (self, 0);
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

  if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_CODE))
    {
      guint left;

      self->wrong_codes++;
      left = self->wrong_codes < TTO_PHONE_SIGN_IN_ATTEMPTS
               ? TTO_PHONE_SIGN_IN_ATTEMPTS - self->wrong_codes
               : 0;
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Wrong code. %u attempt left.",
                                           "Wrong code. %u attempts left.", left),
                              left);
      gtk_widget_add_css_class (GTK_WIDGET (self->code_row), "error");
    }
  else if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_RATE_LIMITED))
    text = g_strdup (_("Too many wrong codes: this one no longer works. Send a new code."));
  else
    text = tto_identity_describe_error (error, error_body);
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
  return self->code_address != NULL;
}

const char *
tto_phone_sign_in_get_send_label (TtoPhoneSignIn *self)
{
  g_return_val_if_fail (TTO_IS_PHONE_SIGN_IN (self), NULL);
  return gtk_label_get_label (self->send_label);
}
