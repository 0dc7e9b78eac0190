/* tto-identity.c: who a session is, how long that lasts, what it proved
 *
 * A timed identity ends at expires_at on the relay's clock. The device's
 * clock may be off (phones often are), so the offset between the two is
 * measured with ping (the relay answers its time) when watching starts and
 * every minute after; the warning and the end are scheduled on the relay's
 * time. The token is a secret: it is wiped when replaced or freed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <glib/gi18n.h>

#include "tto-client.h"
#include "tto-shared.h"

#include "tto-identity.h"

#define DEFAULT_SYNC_SECONDS 60

struct _TtoIdentity
{
  GObject parent_instance;

  char *id;
  char *display_name;
  char *kind;
  char *method;
  char *relay_url;
  char *token; /* secret */
  gint64 expires_at; /* relay seconds, 0 when none */
  gboolean verified_phone;
  gboolean verified_email;
  gboolean verified_third_party;
  gboolean verified_id;

  gint64 offset_ms; /* relay clock minus local clock */
  gboolean warned;
  gboolean ended;

  TtoConnection *connection; /* weak while watching */
  guint sync_source;
  guint warning_source;
  guint expiry_source;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (TtoIdentity, tto_identity, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_DISPLAY_NAME,
  PROP_KIND,
  PROP_EXPIRES_AT,
  PROP_EXPIRING,
  PROP_VERIFIED,
  N_PROPS
};

enum
{
  EXPIRING,
  EXPIRED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void schedule (TtoIdentity *self);

static gint64
local_now_ms (void)
{
  return g_get_real_time () / 1000;
}

static gint64
relay_now_ms (TtoIdentity *self)
{
  return local_now_ms () + self->offset_ms;
}

static gboolean
on_warning_timeout (gpointer user_data)
{
  TtoIdentity *self = user_data;

  self->warning_source = 0;
  schedule (self);
  return G_SOURCE_REMOVE;
}

static gboolean
on_expiry_timeout (gpointer user_data)
{
  TtoIdentity *self = user_data;

  self->expiry_source = 0;
  schedule (self);
  return G_SOURCE_REMOVE;
}

static guint
clamp_delay (gint64 ms)
{
  /* Timeouts are re-armed at every clock sync, so a long one need not be
   * exact; 1 s more lands safely after the moment. */
  return (guint) CLAMP (ms + 1000, 0, 24 * 3600 * 1000);
}

/* Emits what is due and arms timeouts for what is not. */
static void
schedule (TtoIdentity *self)
{
  gint64 now_ms;
  gint64 warn_at_ms;
  gint64 end_ms;

  g_clear_handle_id (&self->warning_source, g_source_remove);
  g_clear_handle_id (&self->expiry_source, g_source_remove);
  if (self->expires_at <= 0 || self->ended || self->connection == NULL)
    return;

  now_ms = relay_now_ms (self);
  end_ms = self->expires_at * 1000;
  warn_at_ms = end_ms - TTO_IDENTITY_WARNING_SECONDS * 1000;

  if (now_ms >= end_ms)
    {
      g_object_ref (self);
      self->ended = TRUE;
      g_signal_emit (self, signals[EXPIRED], 0);
      g_object_unref (self);
      return;
    }
  if (now_ms >= warn_at_ms)
    {
      if (!self->warned)
        {
          self->warned = TRUE;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPIRING]);
          g_signal_emit (self, signals[EXPIRING], 0);
        }
    }
  else
    {
      if (self->warned)
        {
          self->warned = FALSE;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPIRING]);
        }
      self->warning_source = g_timeout_add (clamp_delay (warn_at_ms - now_ms), on_warning_timeout,
                                            self);
    }
  self->expiry_source = g_timeout_add (clamp_delay (end_ms - now_ms), on_expiry_timeout, self);
}

typedef struct
{
  TtoIdentity *identity;
  gint64 sent_us;
} PingData;

static void
on_ping_answer (GObject *object,
                GAsyncResult *result,
                gpointer user_data)
{
  PingData *data = user_data;
  g_autoptr (TtoIdentity) self = data->identity;
  g_autoptr (JsonObject) body = NULL;
  g_autoptr (GError) error = NULL;
  gint64 received_us = g_get_real_time ();

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (body != NULL && json_object_has_member (body, "ts"))
    tto_identity_note_relay_time (self, json_object_get_int_member (body, "ts"), data->sent_us,
                                  received_us);
  else if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Clock sync failed: %s", error->message);
  g_free (data);
}

static gboolean
on_sync_timeout (gpointer user_data)
{
  tto_identity_sync_clock (user_data);
  return G_SOURCE_CONTINUE;
}

/* GObject */

static void
tto_identity_dispose (GObject *object)
{
  TtoIdentity *self = (TtoIdentity *) object;

  tto_identity_unwatch (self);

  G_OBJECT_CLASS (tto_identity_parent_class)->dispose (object);
}

static void
tto_identity_finalize (GObject *object)
{
  TtoIdentity *self = (TtoIdentity *) object;

  g_free (self->id);
  g_free (self->display_name);
  g_free (self->kind);
  g_free (self->method);
  g_free (self->relay_url);
  tto_str_wipe_free (self->token);

  G_OBJECT_CLASS (tto_identity_parent_class)->finalize (object);
}

static void
tto_identity_get_property (GObject *object,
                           guint prop_id,
                           GValue *value,
                           GParamSpec *pspec)
{
  TtoIdentity *self = TTO_IDENTITY (object);

  switch (prop_id)
    {
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_KIND:
      g_value_set_string (value, self->kind);
      break;
    case PROP_EXPIRES_AT:
      g_value_set_int64 (value, self->expires_at);
      break;
    case PROP_EXPIRING:
      g_value_set_boolean (value, self->warned);
      break;
    case PROP_VERIFIED:
      g_value_set_uint (value, (self->verified_phone ? 1 : 0) | (self->verified_email ? 2 : 0) |
                                 (self->verified_third_party ? 4 : 0) |
                                 (self->verified_id ? 8 : 0));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_identity_class_init (TtoIdentityClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tto_identity_dispose;
  object_class->finalize = tto_identity_finalize;
  object_class->get_property = tto_identity_get_property;

  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_KIND] =
    g_param_spec_string ("kind", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_EXPIRES_AT] =
    g_param_spec_int64 ("expires-at", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* Less than TTO_IDENTITY_WARNING_SECONDS are left. */
  properties[PROP_EXPIRING] =
    g_param_spec_boolean ("expiring", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* Bits: 1 phone, 2 email, 4 third party, 8 identity card. */
  properties[PROP_VERIFIED] =
    g_param_spec_uint ("verified", NULL, NULL, 0, 15, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A timed identity has TTO_IDENTITY_WARNING_SECONDS left. */
  signals[EXPIRING] = g_signal_new ("expiring", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A timed identity reached its end on the relay's clock. */
  signals[EXPIRED] = g_signal_new ("expired", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
tto_identity_init (TtoIdentity *self)
{
  self->kind = g_strdup (TTO_IDENTITY_ONE_TIME);
  self->method = g_strdup (TTO_IDENTITY_METHOD_NAME);
}

/* Public API */

/* An identity from the body of a sign-in answer (identity.create,
 * identity.code.verify, identity.register, identity.login,
 * identity.oidc.finish or auth). The caller wipes the body's token. */
TtoIdentity *
tto_identity_new_from_json (JsonObject *body,
                            const char *relay_url,
                            const char *method)
{
  TtoIdentity *self;

  g_return_val_if_fail (body != NULL, NULL);

  self = g_object_new (TTO_TYPE_IDENTITY, NULL);
  self->relay_url = g_strdup (relay_url);
  if (method != NULL)
    tto_set_str (&self->method, method);
  tto_identity_update_from_json (self, body);
  return self;
}

static gboolean
update_flag (gboolean *flag,
             JsonObject *verified,
             const char *name)
{
  gboolean value;

  if (verified == NULL || !json_object_has_member (verified, name))
    return FALSE;
  value = json_object_get_boolean_member_with_default (verified, name, FALSE);
  if (value == *flag)
    return FALSE;
  *flag = value;
  return TRUE;
}

/* Takes what @body has (an identity body, or identity.update's or
 * identity.id_check's answer); absent members keep their value. */
void
tto_identity_update_from_json (TtoIdentity *self,
                               JsonObject *body)
{
  JsonNode *node;
  JsonObject *verified = NULL;
  gboolean verified_changed = FALSE;
  const char *token;

  g_return_if_fail (TTO_IS_IDENTITY (self));
  g_return_if_fail (body != NULL);

  g_object_freeze_notify (G_OBJECT (self));
  if (json_object_has_member (body, "identity_id"))
    tto_set_str (&self->id, json_object_get_string_member_with_default (body, "identity_id",
                                                                         NULL));
  if (json_object_has_member (body, "display_name") &&
      tto_set_str (&self->display_name,
                   json_object_get_string_member_with_default (body, "display_name", "")))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
  if (json_object_has_member (body, "kind") &&
      tto_set_str (&self->kind, json_object_get_string_member_with_default (
                                  body, "kind", TTO_IDENTITY_ONE_TIME)))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND]);

  node = json_object_get_member (body, "expires_at");
  if (node != NULL)
    {
      gint64 expires_at = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_int (node) : 0;

      if (expires_at != self->expires_at)
        {
          self->expires_at = expires_at;
          self->ended = FALSE;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPIRES_AT]);
          schedule (self);
        }
    }

  token = json_object_get_string_member_with_default (body, "token", NULL);
  if (token != NULL && *token != '\0')
    tto_identity_set_token (self, token);

  node = json_object_get_member (body, "verified");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    verified = json_node_get_object (node);
  verified_changed |= update_flag (&self->verified_phone, verified, "phone");
  verified_changed |= update_flag (&self->verified_email, verified, "email");
  verified_changed |= update_flag (&self->verified_third_party, verified, "third_party");
  verified_changed |= update_flag (&self->verified_id, verified, "id");
  if (verified_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERIFIED]);
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
tto_identity_get_id (TtoIdentity *self)
{
  g_return_val_if_fail (TTO_IS_IDENTITY (self), NULL);
  return self->id;
}

const char *
tto_identity_get_display_name (TtoIdentity *self)
{
  g_return_val_if_fail (TTO_IS_IDENTITY (self), NULL);
  return self->display_name;
}

const char *
tto_identity_get_kind (TtoIdentity *self)
{
  g_return_val_if_fail (TTO_IS_IDENTITY (self), NULL);
  return self->kind;
}

gboolean
tto_identity_is_one_time (TtoIdentity *self)
{
  g_return_val_if_fail (TTO_IS_IDENTITY (self), TRUE);
  return g_strcmp0 (self->kind, TTO_IDENTITY_ONE_TIME) == 0;
}

/* Relay seconds, or 0 when the identity has no end. */
gint64
tto_identity_get_expires_at (TtoIdentity *self)
{
  g_return_val_if_fail (TTO_IS_IDENTITY (self), 0);
  return self->expires_at;
}

const char *
tto_identity_get_method (TtoIdentity *self)
{
  g_return_val_if_fail (TTO_IS_IDENTITY (self), NULL);
  return self->method;
}

const char *
tto_identity_get_relay_url (TtoIdentity *self)
{
  g_return_val_if_fail (TTO_IS_IDENTITY (self), NULL);
  return self->relay_url;
}

const char *
tto_identity_get_token (TtoIdentity *self)
{
  g_return_val_if_fail (TTO_IS_IDENTITY (self), NULL);
  return self->token;
}

void
tto_identity_set_token (TtoIdentity *self,
                        const char *token)
{
  g_return_if_fail (TTO_IS_IDENTITY (self));

  if (token == self->token)
    return;
  tto_str_wipe_free (self->token);
  self->token = g_strdup (token);
}

/* @what: "phone", "email", "third_party" or "id". */
gboolean
tto_identity_get_verified (TtoIdentity *self,
                           const char *what)
{
  g_return_val_if_fail (TTO_IS_IDENTITY (self), FALSE);
  g_return_val_if_fail (what != NULL, FALSE);

  if (g_str_equal (what, "phone"))
    return self->verified_phone;
  if (g_str_equal (what, "email"))
    return self->verified_email;
  if (g_str_equal (what, "third_party"))
    return self->verified_third_party;
  if (g_str_equal (what, "id"))
    return self->verified_id;
  return FALSE;
}

/* The relay said its time was @relay_ms between @sent_us and @received_us
 * (local wall clock, µs): it is taken to be the middle of the round trip. */
void
tto_identity_note_relay_time (TtoIdentity *self,
                              gint64 relay_ms,
                              gint64 sent_us,
                              gint64 received_us)
{
  g_return_if_fail (TTO_IS_IDENTITY (self));

  self->offset_ms = relay_ms - (sent_us + received_us) / 2000;
  schedule (self);
}

gint64
tto_identity_get_clock_offset_ms (TtoIdentity *self)
{
  g_return_val_if_fail (TTO_IS_IDENTITY (self), 0);
  return self->offset_ms;
}

/* The relay's time now, in seconds. */
gint64
tto_identity_relay_now (TtoIdentity *self)
{
  g_return_val_if_fail (TTO_IS_IDENTITY (self), 0);
  return relay_now_ms (self) / 1000;
}

/* Seconds until the end (0 when past), or -1 when it has none. */
gint64
tto_identity_get_seconds_left (TtoIdentity *self)
{
  g_return_val_if_fail (TTO_IS_IDENTITY (self), -1);

  if (self->expires_at <= 0)
    return -1;
  return MAX (0, self->expires_at - tto_identity_relay_now (self));
}

/* A relay time in local seconds, for showing it with the device's clock. */
gint64
tto_identity_relay_to_local (TtoIdentity *self,
                             gint64 relay_seconds)
{
  g_return_val_if_fail (TTO_IS_IDENTITY (self), relay_seconds);
  return relay_seconds - self->offset_ms / 1000;
}

gboolean
tto_identity_is_expiring (TtoIdentity *self)
{
  g_return_val_if_fail (TTO_IS_IDENTITY (self), FALSE);
  return self->warned;
}

/* Starts measuring the relay's clock over @connection and emits
 * "expiring" and "expired" in time. TTO_CLOCK_SYNC_SECONDS changes how
 * often the clock is measured (tests move the relay's clock). */
void
tto_identity_watch (TtoIdentity *self,
                    TtoConnection *connection)
{
  const char *env = g_getenv ("TTO_CLOCK_SYNC_SECONDS");
  guint interval = DEFAULT_SYNC_SECONDS;

  g_return_if_fail (TTO_IS_IDENTITY (self));
  g_return_if_fail (TTO_IS_CONNECTION (connection));

  tto_identity_unwatch (self);
  if (env != NULL && g_ascii_strtoull (env, NULL, 10) > 0)
    interval = (guint) g_ascii_strtoull (env, NULL, 10);

  self->connection = connection;
  g_object_add_weak_pointer (G_OBJECT (connection), (gpointer *) &self->connection);
  self->cancellable = g_cancellable_new ();
  self->sync_source = g_timeout_add_seconds (interval, on_sync_timeout, self);
  tto_identity_sync_clock (self);
  schedule (self);
}

/* Measures the relay's clock now (a ping); re-arms the timeouts. */
void
tto_identity_sync_clock (TtoIdentity *self)
{
  PingData *data;

  g_return_if_fail (TTO_IS_IDENTITY (self));

  if (self->connection == NULL ||
      tto_connection_get_state (self->connection) != TTO_CONNECTION_STATE_CONNECTED)
    return;
  data = g_new0 (PingData, 1);
  data->identity = g_object_ref (self);
  data->sent_us = g_get_real_time ();
  tto_connection_request_async (self->connection, TTO_FRAME_PING, NULL, self->cancellable,
                                on_ping_answer, data);
}

void
tto_identity_unwatch (TtoIdentity *self)
{
  g_return_if_fail (TTO_IS_IDENTITY (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->sync_source, g_source_remove);
  g_clear_handle_id (&self->warning_source, g_source_remove);
  g_clear_handle_id (&self->expiry_source, g_source_remove);
  if (self->connection != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->connection), (gpointer *) &self->connection);
  self->connection = NULL;
}

static char *
format_duration (gint64 seconds)
{
  if (seconds < 90)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d second", "%d seconds", seconds),
                            (int) seconds);
  if (seconds < 90 * 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute", "%d minutes",
                                         (seconds + 59) / 60),
                            (int) ((seconds + 59) / 60));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour", "%d hours",
                                       (seconds + 3599) / 3600),
                          (int) ((seconds + 3599) / 3600));
}

/* Our words for the errors of the identity frames; @error_body is the
 * error frame's body (tto_connection_get_error_body()) or NULL. Where the
 * relay's message is the only one that names the problem (which password
 * rule, what is taken), it is quoted. */
char *
tto_identity_describe_error (const GError *error,
                             JsonObject *error_body)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain != TTO_PROTOCOL_ERROR)
    return tto_client_describe_error (error);

  switch ((TtoProtocolError) error->code)
    {
    case TTO_PROTOCOL_ERROR_BAD_CODE:
      if (error_body != NULL && json_object_has_member (error_body, "attempts_left"))
        {
          gint64 left = json_object_get_int_member (error_body, "attempts_left");

          return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                               "Wrong code. %d attempt left.",
                                               "Wrong code. %d attempts left.", left),
                                  (int) left);
        }
      return g_strdup_printf (_("Wrong code: %s"), error->message);
    case TTO_PROTOCOL_ERROR_EXPIRED:
      return g_strdup (_("This has expired. Ask for a new code and try again."));
    case TTO_PROTOCOL_ERROR_RATE_LIMITED:
      if (error_body != NULL && json_object_has_member (error_body, "retry_after"))
        {
          g_autofree char *wait = format_duration (
            MAX (1, json_object_get_int_member (error_body, "retry_after")));

          /* Translators: %s is a duration, e.g. "45 seconds" */
          return g_strdup_printf (_("Too many tries. Try again in %s."), wait);
        }
      return g_strdup (_("Too many tries. Ask for a new code or wait a while."));
    case TTO_PROTOCOL_ERROR_WEAK_PASSWORD:
      /* Translators: %s is the relay's explanation (English) */
      return g_strdup_printf (_("The relay refused this password: %s"), error->message);
    case TTO_PROTOCOL_ERROR_CONFLICT:
      /* Translators: %s is the relay's explanation (English) */
      return g_strdup_printf (_("Already in use: %s"), error->message);
    case TTO_PROTOCOL_ERROR_UNAUTHORIZED:
      /* Translators: %s is the relay's explanation (English) */
      return g_strdup_printf (_("The relay refused the sign-in: %s"), error->message);
    case TTO_PROTOCOL_ERROR_BAD_FRAME:
      /* Translators: %s is the relay's explanation (English) */
      return g_strdup_printf (_("The relay did not accept this: %s"), error->message);
    default:
      return tto_client_describe_error (error);
    }
}

/* "One-time", "Permanent", or "Timed, ends at 14:30 (in 2 hours)". */
char *
tto_identity_format_lifetime (TtoIdentity *self)
{
  g_autoptr (GDateTime) end = NULL;
  g_autofree char *at = NULL;
  g_autofree char *left = NULL;

  g_return_val_if_fail (TTO_IS_IDENTITY (self), NULL);

  if (g_strcmp0 (self->kind, TTO_IDENTITY_PERMANENT) == 0)
    return g_strdup (_("Permanent: kept until you delete it"));
  if (tto_identity_is_one_time (self) || self->expires_at <= 0)
    return g_strdup (_("One-time: deleted soon after you close the app"));

  end = g_date_time_new_from_unix_local (tto_identity_relay_to_local (self, self->expires_at));
  at = g_date_time_format (end, "%x %H:%M");
  left = format_duration (tto_identity_get_seconds_left (self));
  /* Translators: the first %s is a date and time, the second a duration */
  return g_strdup_printf (_("Ends %s (in %s)"), at, left);
}
