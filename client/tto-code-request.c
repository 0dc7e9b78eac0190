/* tto-code-request.c: a 6-digit code sent by text message or mail, as the
 * phone and email sign-in views ask for it and check it; no UI
 *
 * tto_code_request_send() opens the connection if need be and sends
 * identity.code.request for one channel, address and purpose. Until the
 * relay's resend_after (60 s) has passed no other code may be asked for:
 * "countdown" says how many seconds are left, and a rate_limited answer
 * starts it from its retry_after. The views show what "sent" and "failed"
 * report, bind their send button's label and spinner to "send-label" and
 * "sending", and enable it while not "busy". Wrong codes are counted here,
 * against the 5 the relay allows, so the message says how many attempts
 * are left.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <glib/gi18n.h>

#include "tto-identity.h"
#include "tto-shared.h"

#include "tto-code-request.h"

struct _TtoCodeRequest
{
  GObject parent_instance;

  char *channel;
  char *purpose;
  TtoConnection *connection;
  GCancellable *cancellable;
  char *address; /* where the code went */
  char *send_label;
  guint countdown_source;
  guint countdown;
  guint wrong_codes;
  gboolean sending;
};

G_DEFINE_FINAL_TYPE (TtoCodeRequest, tto_code_request, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_CHANNEL,
  PROP_PURPOSE,
  PROP_ADDRESS,
  PROP_SENDING,
  PROP_COUNTDOWN,
  PROP_BUSY,
  PROP_SEND_LABEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SENT,
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* One request: the address travels with it, so an answer that comes after
 * a reset and a new request cannot take the newer one's address. */
typedef struct
{
  TtoCodeRequest *self;
  char *address;
} SendData;

static void
send_data_free (SendData *data)
{
  g_object_unref (data->self);
  g_free (data->address);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SendData, send_data_free)

static char *
make_send_label (TtoCodeRequest *self)
{
  if (self->countdown > 0)
    /* Translators: %u is a number of seconds */
    return g_strdup_printf (_("Resend in %u s"), self->countdown);
  if (self->address != NULL)
    return g_strdup (_("Resend Code"));
  return g_strdup (_("Send Code"));
}

/* After address, sending or countdown changed: what follows from them. */
static void
update_derived (TtoCodeRequest *self,
                gboolean was_busy)
{
  g_autofree char *label = make_send_label (self);

  if (g_strcmp0 (label, self->send_label) != 0)
    {
      g_free (self->send_label);
      self->send_label = g_steal_pointer (&label);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEND_LABEL]);
    }
  if (was_busy != tto_code_request_get_busy (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
set_sending (TtoCodeRequest *self,
             gboolean sending)
{
  gboolean was_busy = tto_code_request_get_busy (self);

  if (self->sending == sending)
    return;
  self->sending = sending;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SENDING]);
  update_derived (self, was_busy);
}

static void
set_countdown (TtoCodeRequest *self,
               guint countdown)
{
  gboolean was_busy = tto_code_request_get_busy (self);

  if (self->countdown == countdown)
    return;
  self->countdown = countdown;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNTDOWN]);
  update_derived (self, was_busy);
}

static void
set_address (TtoCodeRequest *self,
             char *address)
{
  gboolean was_busy = tto_code_request_get_busy (self);

  g_free (self->address);
  self->address = address;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ADDRESS]);
  update_derived (self, was_busy);
}

static gboolean
on_countdown_tick (gpointer user_data)
{
  TtoCodeRequest *self = user_data;
  guint left = self->countdown > 0 ? self->countdown - 1 : 0;

  /* Cleared before notifying: a handler may start another countdown. */
  if (left == 0)
    self->countdown_source = 0;
  set_countdown (self, left);
  return left > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
start_countdown (TtoCodeRequest *self,
                 guint seconds)
{
  g_clear_handle_id (&self->countdown_source, g_source_remove);
  if (seconds > 0)
    self->countdown_source = g_timeout_add_seconds (1, on_countdown_tick, self);
  set_countdown (self, seconds);
}

/* The relay's seconds, kept to what a button can sensibly count down. */
static guint
clamp_seconds (gint64 seconds)
{
  return (guint) CLAMP (seconds, 1, 3600);
}

static void
on_code_requested (GObject *object,
                   GAsyncResult *result,
                   gpointer user_data)
{
  g_autoptr (SendData) data = user_data;
  TtoCodeRequest *self = data->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_sending (self, FALSE);
  if (body == NULL)
    {
      JsonObject *error_body = tto_connection_get_error_body (result);
      g_autofree char *text = tto_identity_describe_error (error, error_body);
      gboolean retry = error_body != NULL && json_object_has_member (error_body, "retry_after");

      /* A malformed address is the address row's fault; a wait is no one's. */
      g_signal_emit (self, signals[FAILED], 0, text,
                     !retry && g_error_matches (error, TTO_PROTOCOL_ERROR,
                                                TTO_PROTOCOL_ERROR_BAD_FRAME));
      if (retry)
        start_countdown (self, clamp_seconds (json_object_get_int_member (error_body,
                                                                          "retry_after")));
      return;
    }

  self->wrong_codes = 0;
  set_address (self, g_steal_pointer (&data->address));
  start_countdown (self, clamp_seconds (json_object_get_int_member_with_default (
                           body, "resend_after", TTO_CODE_REQUEST_RESEND_SECONDS)));
  g_signal_emit (self, signals[SENT], 0);
}

static void
on_open_for_code (GObject *object,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (SendData) data = user_data;
  TtoCodeRequest *self = data->self;
  g_autoptr (GError) error = NULL;
  JsonObject *body;

  if (!tto_connection_open_finish (TTO_CONNECTION (object), result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_sending (self, FALSE);
      text = tto_identity_describe_error (error, NULL);
      g_signal_emit (self, signals[FAILED], 0, text, FALSE);
      return;
    }

  body = json_object_new ();
  json_object_set_string_member (body, "channel", self->channel);
  json_object_set_string_member (body, "address", data->address);
  json_object_set_string_member (body, "purpose", self->purpose);
  tto_connection_request_async (TTO_CONNECTION (object), TTO_FRAME_IDENTITY_CODE_REQUEST, body,
                                self->cancellable, on_code_requested, g_steal_pointer (&data));
}

static void
tto_code_request_dispose (GObject *object)
{
  TtoCodeRequest *self = (TtoCodeRequest *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->countdown_source, g_source_remove);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (tto_code_request_parent_class)->dispose (object);
}

static void
tto_code_request_finalize (GObject *object)
{
  TtoCodeRequest *self = (TtoCodeRequest *) object;

  g_free (self->channel);
  g_free (self->purpose);
  g_free (self->address);
  g_free (self->send_label);

  G_OBJECT_CLASS (tto_code_request_parent_class)->finalize (object);
}

static void
tto_code_request_get_property (GObject *object,
                               guint prop_id,
                               GValue *value,
                               GParamSpec *pspec)
{
  TtoCodeRequest *self = TTO_CODE_REQUEST (object);

  switch (prop_id)
    {
    case PROP_CHANNEL:
      g_value_set_string (value, self->channel);
      break;
    case PROP_PURPOSE:
      g_value_set_string (value, self->purpose);
      break;
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_SENDING:
      g_value_set_boolean (value, self->sending);
      break;
    case PROP_COUNTDOWN:
      g_value_set_uint (value, self->countdown);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, tto_code_request_get_busy (self));
      break;
    case PROP_SEND_LABEL:
      g_value_set_string (value, self->send_label);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_code_request_set_property (GObject *object,
                               guint prop_id,
                               const GValue *value,
                               GParamSpec *pspec)
{
  TtoCodeRequest *self = TTO_CODE_REQUEST (object);

  switch (prop_id)
    {
    case PROP_CHANNEL:
      self->channel = g_value_dup_string (value);
      break;
    case PROP_PURPOSE:
      self->purpose = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_code_request_class_init (TtoCodeRequestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tto_code_request_dispose;
  object_class->finalize = tto_code_request_finalize;
  object_class->get_property = tto_code_request_get_property;
  object_class->set_property = tto_code_request_set_property;

  properties[PROP_CHANNEL] =
    g_param_spec_string ("channel", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PURPOSE] =
    g_param_spec_string ("purpose", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Where the code went, or NULL before one was sent (or after a reset). */
  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SENDING] =
    g_param_spec_boolean ("sending", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Seconds before another code may be asked for. */
  properties[PROP_COUNTDOWN] =
    g_param_spec_uint ("countdown", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Sending, or counting down: no other code may be asked for now. */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* For the send button: "Send Code", "Resend in 42 s" or "Resend Code". */
  properties[PROP_SEND_LABEL] =
    g_param_spec_string ("send-label", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The code is on its way to "address". */
  signals[SENT] = g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                NULL, NULL, G_TYPE_NONE, 0);
  /* (message, bad address): no code was sent; the message says why, for
   * people. "bad address" when the relay refused the address itself. */
  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                  NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BOOLEAN);
}

static void
tto_code_request_init (TtoCodeRequest *self)
{
  self->send_label = make_send_label (self);
}

/* Public API */

TtoCodeRequest *
tto_code_request_new (const char *channel,
                      const char *purpose)
{
  g_return_val_if_fail (channel != NULL, NULL);
  g_return_val_if_fail (purpose != NULL, NULL);

  return g_object_new (TTO_TYPE_CODE_REQUEST, "channel", channel, "purpose", purpose, NULL);
}

/* The connection codes are asked for over; TRUE when it changed (the
 * caller then resets what it shows). */
gboolean
tto_code_request_set_connection (TtoCodeRequest *self,
                                 TtoConnection *connection)
{
  g_return_val_if_fail (TTO_IS_CODE_REQUEST (self), FALSE);

  return g_set_object (&self->connection, connection);
}

/* Asks the relay to send a code to @address; FALSE (nothing sent) while
 * a request is out, the countdown runs or there is no connection. */
gboolean
tto_code_request_send (TtoCodeRequest *self,
                       const char *address)
{
  SendData *data;

  g_return_val_if_fail (TTO_IS_CODE_REQUEST (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

  if (!tto_code_request_can_send (self))
    return FALSE;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_sending (self, TRUE);
  data = g_new0 (SendData, 1);
  data->self = g_object_ref (self);
  data->address = g_strdup (address);
  tto_connection_open_async (self->connection, self->cancellable, on_open_for_code, data);
  return TRUE;
}

/* Forgets the code sent and any request out (another relay, or signed in). */
void
tto_code_request_reset (TtoCodeRequest *self)
{
  g_return_if_fail (TTO_IS_CODE_REQUEST (self));

  g_cancellable_cancel (self->cancellable);
  self->wrong_codes = 0;
  if (self->address != NULL)
    set_address (self, NULL);
  set_sending (self, FALSE);
  start_countdown (self, 0);
}

const char *
tto_code_request_get_address (TtoCodeRequest *self)
{
  g_return_val_if_fail (TTO_IS_CODE_REQUEST (self), NULL);
  return self->address;
}

gboolean
tto_code_request_get_sending (TtoCodeRequest *self)
{
  g_return_val_if_fail (TTO_IS_CODE_REQUEST (self), FALSE);
  return self->sending;
}

guint
tto_code_request_get_countdown (TtoCodeRequest *self)
{
  g_return_val_if_fail (TTO_IS_CODE_REQUEST (self), 0);
  return self->countdown;
}

gboolean
tto_code_request_get_busy (TtoCodeRequest *self)
{
  g_return_val_if_fail (TTO_IS_CODE_REQUEST (self), FALSE);
  return self->sending || self->countdown > 0;
}

gboolean
tto_code_request_can_send (TtoCodeRequest *self)
{
  g_return_val_if_fail (TTO_IS_CODE_REQUEST (self), FALSE);
  return !tto_code_request_get_busy (self) && self->connection != NULL;
}

const char *
tto_code_request_get_send_label (TtoCodeRequest *self)
{
  g_return_val_if_fail (TTO_IS_CODE_REQUEST (self), NULL);
  return self->send_label;
}

/* What to tell once the code is on its way. */
char *
tto_code_request_dup_sent_text (TtoCodeRequest *self)
{
  g_return_val_if_fail (TTO_IS_CODE_REQUEST (self), NULL);
  g_return_val_if_fail (self->address != NULL, NULL);

  /* Translators: %s is the phone number or email address the code went to */
  return g_strdup_printf (_("Code sent to %s. It is valid for 10 minutes."), self->address);
}

/* The message for the relay's refusal of a request that carried the code
 * (identity.code.verify, identity.register); a wrong code counts against
 * the attempts left. */
char *
tto_code_request_describe_error (TtoCodeRequest *self,
                                 const GError *error,
                                 JsonObject *error_body)
{
  guint left;

  g_return_val_if_fail (TTO_IS_CODE_REQUEST (self), NULL);
  g_return_val_if_fail (error != NULL, NULL);

  if (!g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_CODE))
    return tto_identity_describe_error (error, error_body);

  self->wrong_codes++;
  left = self->wrong_codes < TTO_CODE_REQUEST_ATTEMPTS
           ? TTO_CODE_REQUEST_ATTEMPTS - self->wrong_codes
           : 0;
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Wrong code. %u attempt left.",
                                       "Wrong code. %u attempts left.", left),
                          left);
}

/* Six ASCII digits, as every code is. */
gboolean
tto_code_request_is_code (const char *code)
{
  g_return_val_if_fail (code != NULL, FALSE);

  if (strlen (code) != TTO_CODE_REQUEST_DIGITS)
    return FALSE;
  for (guint i = 0; i < TTO_CODE_REQUEST_DIGITS; i++)
    if (!g_ascii_isdigit (code[i]))
      return FALSE;
  return TRUE;
}
