/* tto-relay-identity.c: sign-in by phone or email code, email + password
 * accounts, ID checks, identity lifetimes and "delete me"
 *
 * Codes live only here, in memory: a keyed hash of the 6 digits per
 * address, wiped when used or expired. Addresses reach neither MySQL nor
 * the log; tables and windows are keyed by keyed hashes of them.
 * Everything a person typed (addresses, codes, passwords, ID numbers) is
 * wiped from memory once used.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "tto-id-number.h"
#include "tto-ids.h"
#include "tto-relay-auth.h"
#include "tto-relay-identity.h"
#include "tto-relay-oidc.h"
#include "tto-util.h"

#define CODE_DIGITS 6
#define CODE_TTL 600             /* seconds a code is valid */
#define CODE_ATTEMPTS 5
#define CODE_RESEND_AFTER 60     /* seconds between codes to one address */
#define CODES_PER_ADDRESS 5      /* per CODE_WINDOW */
#define CODES_PER_SOURCE 20      /* per CODE_WINDOW, from one network address */
#define CODE_WINDOW 3600
#define LOGIN_WINDOW 900
#define LOGIN_FAILURES_PER_ACCOUNT 5
#define LOGIN_FAILURES_PER_SOURCE 20
#define PASSWORD_MIN_CHARS 10
#define USERNAME_MIN_CHARS 3
#define USERNAME_MAX_CHARS 32
#define SEND_TIMEOUT_SECONDS 30

struct _TtoRelayIdentity
{
  TtoRelay *relay;
  guint8 link_key[TTO_RELAY_LINK_KEY_BYTES];
  guint8 code_key[crypto_generichash_KEYBYTES]; /* per process: codes never outlive it */
  GHashTable *codes;   /* "channel:hex of the address hash" → Code */
  GHashTable *windows; /* "what:key" → GArray of gint64 times */
  SoupSession *session;
  char *dummy_hash;    /* verified against when a login is unknown, for even timing */
};

typedef struct
{
  guint8 hash[crypto_generichash_BYTES];
  char *purpose;
  gint64 expires_at;
  guint attempts_left;
} Code;

static void
code_free (Code *code)
{
  sodium_memzero (code->hash, sizeof code->hash);
  g_free (code->purpose);
  g_free (code);
}

static void
wipe_free (char *value)
{
  if (value != NULL)
    sodium_memzero (value, strlen (value));
  g_free (value);
}

/* One request waiting for a thread, a peer or the store. */
typedef struct
{
  TtoRelay *relay;
  TtoRelayConn *conn;
  char *id;
  char *channel;
  char *code_key;       /* key in identity->codes */
  char *method;
  char *value;          /* normalised address or username */
  char *display_name;
  char *kind;
  gint64 expires_at;
  TtoRelayVerified verified;
  char *token;
  guint8 token_hash[TTO_RELAY_TOKEN_HASH_BYTES];
  guint8 key_hash[TTO_RELAY_LINK_KEY_BYTES];
  guint8 key_hash2[TTO_RELAY_LINK_KEY_BYTES];
  char *code;           /* the digits, until sent */
  char *purpose;
  char *password;
  char *password_hash;
  char *account_id;
  Code *taken_code;     /* consumed; given back if the sign-in fails */
  gboolean held;        /* the connection holds later frames for us */
} Op;

static Op *
op_new (TtoRelayConn *conn,
        TtoFrame *frame)
{
  Op *op = g_new0 (Op, 1);

  op->relay = conn->relay;
  op->conn = tto_relay_conn_ref (conn);
  op->id = g_strdup (frame != NULL ? frame->id : NULL);
  return op;
}

static void
op_free (Op *op)
{
  tto_relay_conn_unref (op->conn);
  g_free (op->id);
  g_free (op->channel);
  g_free (op->code_key);
  g_free (op->method);
  wipe_free (op->value);
  g_free (op->display_name);
  g_free (op->kind);
  wipe_free (op->token);
  sodium_memzero (op->token_hash, sizeof op->token_hash);
  sodium_memzero (op->key_hash, sizeof op->key_hash);
  sodium_memzero (op->key_hash2, sizeof op->key_hash2);
  wipe_free (op->code);
  g_free (op->purpose);
  wipe_free (op->password);
  wipe_free (op->password_hash);
  g_free (op->account_id);
  g_clear_pointer (&op->taken_code, code_free);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Op, op_free)

static gboolean
conn_is_open (TtoRelayConn *conn)
{
  return conn->relay != NULL;
}

/* Holds the connection's later frames until this op answers, as auth does. */
static void
op_hold (Op *op)
{
  op->held = TRUE;
  op->conn->authenticating = TRUE;
}

static void
op_release (Op *op)
{
  if (op->held)
    tto_relay_finish_authenticating (op->conn);
  op->held = FALSE;
}

static char *
hex (const guint8 *bytes,
     gsize length)
{
  char *out = g_malloc (length * 2 + 1);

  sodium_bin2hex (out, length * 2 + 1, bytes, length);
  return out;
}

/* Rate-limit windows: the times of recent attempts per key */

static GArray *
window_get (TtoRelayIdentity *self,
            const char *key,
            gint64 span,
            gint64 now)
{
  GArray *times = g_hash_table_lookup (self->windows, key);
  guint keep = 0;

  if (times == NULL)
    return NULL;

  while (keep < times->len && g_array_index (times, gint64, keep) <= now - span)
    keep++;
  g_array_remove_range (times, 0, keep);
  return times;
}

/* Seconds until the window holds fewer than @limit attempts; 0 when it
 * does now. */
static gint64
window_wait (TtoRelayIdentity *self,
             const char *key,
             gint64 span,
             guint limit,
             gint64 now)
{
  GArray *times = window_get (self, key, span, now);

  if (times == NULL || times->len < limit)
    return 0;

  return MAX (1, g_array_index (times, gint64, times->len - limit) + span - now);
}

/* Seconds until another code may go to the address of @key. */
static gint64
resend_wait (TtoRelayIdentity *self,
             const char *key,
             gint64 now)
{
  GArray *times = window_get (self, key, CODE_WINDOW, now);

  if (times == NULL || times->len == 0)
    return 0;

  return MAX (0, g_array_index (times, gint64, times->len - 1) + CODE_RESEND_AFTER - now);
}

static void
window_add (TtoRelayIdentity *self,
            const char *key,
            gint64 now)
{
  GArray *times = g_hash_table_lookup (self->windows, key);

  if (times == NULL)
    {
      times = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (self->windows, g_strdup (key), times);
    }
  g_array_append_val (times, now);
}

static void
window_clear (TtoRelayIdentity *self,
              const char *key)
{
  g_hash_table_remove (self->windows, key);
}

/* Keys and hashes */

void
tto_relay_identity_link_hash (TtoRelay *relay,
                              const char *method,
                              const char *value,
                              guint8 out[TTO_RELAY_LINK_KEY_BYTES])
{
  crypto_generichash_state state;

  crypto_generichash_init (&state, relay->identity->link_key, TTO_RELAY_LINK_KEY_BYTES,
                           TTO_RELAY_LINK_KEY_BYTES);
  crypto_generichash_update (&state, (const guint8 *) method, strlen (method));
  crypto_generichash_update (&state, (const guint8 *) "\n", 1);
  crypto_generichash_update (&state, (const guint8 *) value, strlen (value));
  crypto_generichash_final (&state, out, TTO_RELAY_LINK_KEY_BYTES);
  sodium_memzero (&state, sizeof state);
}

static void
hash_code (TtoRelayIdentity *self,
           const char *code,
           guint8 out[crypto_generichash_BYTES])
{
  crypto_generichash (out, crypto_generichash_BYTES, (const guint8 *) code, strlen (code),
                      self->code_key, sizeof self->code_key);
}

/* Validation and normalisation of what people type */

/* E.164: "+" and 8–15 digits. */
static char *
normalise_phone (const char *address)
{
  gsize length = strlen (address);

  if (length < 9 || length > 16 || address[0] != '+')
    return NULL;
  for (gsize i = 1; i < length; i++)
    if (!g_ascii_isdigit (address[i]))
      return NULL;

  return g_strdup (address);
}

/* Lower case; one "@" with text on both sides, a dot inside the domain,
 * nothing that could break a mail header. */
static char *
normalise_email (const char *address)
{
  g_autofree char *lower = NULL;
  const char *at;
  const char *dot;

  if (strlen (address) > 254 || !g_utf8_validate (address, -1, NULL))
    return NULL;
  for (const char *p = address; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c) || c == '<' || c == '>' || c == ',' ||
          c == '"' || c == '\\' || c == '(' || c == ')' || c == ';' || c == ':')
        return NULL;
    }

  at = strchr (address, '@');
  if (at == NULL || at == address || strchr (at + 1, '@') != NULL)
    return NULL;
  dot = strchr (at + 1, '.');
  if (dot == NULL || dot == at + 1 || dot[1] == '\0' || address[strlen (address) - 1] == '.')
    return NULL;

  lower = g_utf8_strdown (address, -1);
  return g_steal_pointer (&lower);
}

static char *
normalise_address (const char *channel,
                   const char *address)
{
  return g_str_equal (channel, "phone") ? normalise_phone (address) : normalise_email (address);
}

/* 3–32 of [a-z0-9_.-] after folding upper case. */
static char *
normalise_username (const char *username)
{
  g_autofree char *lower = g_utf8_strdown (username, -1);
  gsize length = strlen (lower);

  if (length < USERNAME_MIN_CHARS || length > USERNAME_MAX_CHARS)
    return NULL;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_islower (lower[i]) && !g_ascii_isdigit (lower[i]) && lower[i] != '_' &&
        lower[i] != '.' && lower[i] != '-')
      return NULL;

  return g_steal_pointer (&lower);
}

/* NULL when @password follows the rules, else the rule it breaks. */
static const char *
password_problem (const char *password,
                  const char *username,
                  const char *email)
{
  gboolean letters = FALSE, digits = FALSE, other = FALSE;
  g_autofree char *folded = NULL;
  g_autofree char *folded_username = NULL;
  g_autofree char *folded_email = NULL;
  gboolean same;

  if (g_utf8_strlen (password, -1) < PASSWORD_MIN_CHARS)
    return "the password needs at least 10 characters";

  for (const char *p = password; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isalpha (c))
        letters = TRUE;
      else if (g_unichar_isdigit (c))
        digits = TRUE;
      else
        other = TRUE;
    }
  if (letters + digits + other < 2)
    return "the password needs characters of two kinds: letters, digits, other characters";

  folded = g_utf8_casefold (password, -1);
  folded_username = g_utf8_casefold (username, -1);
  folded_email = g_utf8_casefold (email, -1);
  same = g_str_equal (folded, folded_username) || g_str_equal (folded, folded_email);
  sodium_memzero (folded, strlen (folded));
  if (same)
    return "the password must not be the username or the email address";

  return NULL;
}

/* Answers */

JsonObject *
tto_relay_identity_body (const TtoRelayStoredIdentity *identity,
                         const char *token)
{
  JsonObject *body = json_object_new ();
  JsonObject *verified = json_object_new ();

  json_object_set_string_member (body, "identity_id", identity->id);
  json_object_set_string_member (body, "display_name", identity->display_name);
  json_object_set_string_member (body, "kind", identity->kind);
  if (token != NULL)
    json_object_set_string_member (body, "token", token);
  /* A one-time identity's grace expiry is the relay's business. */
  if (g_strcmp0 (identity->kind, "timed") == 0 && identity->expires_at > 0)
    json_object_set_int_member (body, "expires_at", identity->expires_at);
  else
    json_object_set_null_member (body, "expires_at");
  json_object_set_boolean_member (verified, "third_party", identity->third_party_verified);
  json_object_set_boolean_member (verified, "phone", identity->phone_verified);
  json_object_set_boolean_member (verified, "email", identity->email_verified);
  json_object_set_boolean_member (verified, "id", identity->id_verified);
  json_object_set_object_member (body, "verified", verified);

  return body;
}

void
tto_relay_identity_reply_rate_limited (TtoRelayConn *conn,
                                       const char *frame_id,
                                       gint64 retry_after,
                                       const char *message)
{
  g_autoptr (TtoFrame) frame = NULL;
  g_autofree char *text = g_strdup_printf ("%s; try again in %" G_GINT64_FORMAT " seconds",
                                           message, retry_after);

  frame = tto_frame_new_error (frame_id, TTO_PROTOCOL_ERROR_RATE_LIMITED, text);
  json_object_set_int_member (frame->body, "retry_after", retry_after);
  tto_relay_send (conn, frame);
}

static void
reply_store_error (TtoRelayConn *conn,
                   const char *id,
                   const GError *error)
{
  g_warning ("identity database request failed: %s", error->message);

  if (g_error_matches (error, TTO_RELAY_STORE_ERROR, TTO_RELAY_STORE_ERROR_CONNECT))
    tto_relay_reply_error (conn, id, TTO_PROTOCOL_ERROR_UNAVAILABLE,
                           "the relay's database is unavailable; try again");
  else
    tto_relay_reply_error (conn, id, TTO_PROTOCOL_ERROR_INTERNAL, "internal error");
}

static const char *
source_of (TtoRelayConn *conn)
{
  return conn->peer_address != NULL ? conn->peer_address : "unknown";
}

void
tto_relay_identity_frame_lifetime (TtoFrame *frame,
                                   const char *fallback,
                                   const char **kind,
                                   gint64 *expires_at)
{
  const char *lifetime = tto_frame_get_string (frame, "lifetime");

  *kind = lifetime != NULL ? lifetime : fallback;
  *expires_at = 0;
  if (g_strcmp0 (*kind, "timed") == 0)
    *expires_at = tto_relay_now_seconds () + json_object_get_int_member (frame->body, "ttl");
}

/* Every connection of @identity learns what it now proves. */
static void
update_connections (TtoRelay *relay,
                    const TtoRelayStoredIdentity *identity)
{
  GPtrArray *conns = g_hash_table_lookup (relay->online, identity->id);

  for (guint i = 0; conns != NULL && i < conns->len; i++)
    {
      TtoRelayConn *conn = conns->pdata[i];

      g_free (conn->identity_kind);
      conn->identity_kind = g_strdup (identity->kind);
      g_free (conn->display_name);
      conn->display_name = g_strdup (identity->display_name);
      conn->third_party_verified = identity->third_party_verified;
      conn->phone_verified = identity->phone_verified;
      conn->email_verified = identity->email_verified;
      conn->id_verified = identity->id_verified;
    }
}

/* The sign-in succeeded: the connection becomes the identity and gets the
 * token once. */
static void
complete_sign_in (Op *op,
                  const TtoRelayStoredIdentity *identity)
{
  TtoRelayConn *conn = op->conn;

  if (!conn_is_open (conn))
    {
      /* Nobody holds the token of a new one-time identity: its grace starts. */
      if (g_str_equal (identity->kind, "one_time"))
        tto_relay_store_set_identity_expiry_async (op->relay->store, identity->id,
                                                   tto_relay_now_seconds () +
                                                     op->relay->config->identity_grace,
                                                   NULL, NULL);
      return;
    }

  if (conn->identity_id == NULL)
    tto_relay_set_online (conn->relay, conn, identity->id, identity->kind,
                          identity->display_name);
  if (op->token != NULL)
    {
      memcpy (conn->token_hash, op->token_hash, sizeof conn->token_hash);
      conn->has_token_hash = TRUE;
    }
  update_connections (op->relay, identity);

  {
    g_autoptr (TtoFrame) frame = tto_frame_new_ok (op->id, tto_relay_identity_body (identity,
                                                                                   op->token));

    if (op->id != NULL)
      tto_relay_send (conn, frame);
    tto_frame_wipe (frame);
  }
}

/* The token a signed-in connection holds: a new sign-in on it replaces
 * that one instead of adding a token (one per device). */
static const guint8 *
token_to_replace (TtoRelayConn *conn)
{
  return conn->identity_id != NULL && conn->has_token_hash ? conn->token_hash : NULL;
}

/* Codes */

static void
give_back_code (Op *op)
{
  TtoRelayIdentity *self = op->relay->identity;

  /* Unless a newer code replaced it meanwhile. */
  if (op->taken_code != NULL && !g_hash_table_contains (self->codes, op->code_key))
    g_hash_table_insert (self->codes, g_strdup (op->code_key), g_steal_pointer (&op->taken_code));
}

/* Checks @code against the one pending for op->code_key. On success the
 * code moves to op->taken_code; otherwise the answer is sent. */
static gboolean
take_code (Op *op,
           const char *code,
           const char *purpose)
{
  TtoRelayIdentity *self = op->relay->identity;
  Code *pending = g_hash_table_lookup (self->codes, op->code_key);
  guint8 hash[crypto_generichash_BYTES];
  gboolean match;

  if (pending != NULL && pending->expires_at <= tto_relay_now_seconds ())
    {
      g_hash_table_remove (self->codes, op->code_key);
      pending = NULL;
    }
  if (pending == NULL)
    {
      tto_relay_reply_error (op->conn, op->id, TTO_PROTOCOL_ERROR_EXPIRED,
                             "no code is pending for this address (never sent, used, or older "
                             "than 10 minutes); request a new one");
      return FALSE;
    }
  if (pending->attempts_left == 0)
    {
      tto_relay_identity_reply_rate_limited (
        op->conn, op->id, MAX (1, resend_wait (self, op->code_key, tto_relay_now_seconds ())),
        "this code had 5 wrong attempts and no longer works; request a new one");
      return FALSE;
    }

  hash_code (self, code, hash);
  match = strlen (code) == CODE_DIGITS && sodium_memcmp (hash, pending->hash, sizeof hash) == 0;
  sodium_memzero (hash, sizeof hash);
  if (match && !g_str_equal (pending->purpose, purpose))
    match = FALSE;

  if (!match)
    {
      pending->attempts_left--;
      tto_relay_reply_error (op->conn, op->id, TTO_PROTOCOL_ERROR_BAD_CODE,
                             "wrong code; %u attempt%s left", pending->attempts_left,
                             pending->attempts_left == 1 ? "" : "s");
      return FALSE;
    }

  op->taken_code = g_hash_table_lookup (self->codes, op->code_key);
  g_hash_table_steal (self->codes, op->code_key);
  return TRUE;
}

static void
code_key_for (TtoRelay *relay,
              const char *channel,
              const char *address,
              Op *op)
{
  guint8 hash[TTO_RELAY_LINK_KEY_BYTES];
  g_autofree char *digest = NULL;

  tto_relay_identity_link_hash (relay, channel, address, hash);
  digest = hex (hash, sizeof hash);
  sodium_memzero (hash, sizeof hash);
  op->code_key = g_strdup_printf ("%s:%s", channel, digest);
}

/* identity.methods */

static void
handle_methods (TtoRelayConn *conn,
                TtoFrame *frame)
{
  TtoRelayConfig *config = conn->relay->config;
  JsonObject *body = json_object_new ();
  JsonArray *ttls = json_array_new ();

  json_object_set_array_member (body, "providers", tto_relay_oidc_providers_json (conn->relay));
  json_object_set_boolean_member (body, "phone",
                                  config->sms_gateway_url != NULL && *config->sms_gateway_url);
  json_object_set_boolean_member (body, "email", config->smtp_url != NULL && *config->smtp_url);
  json_array_add_int_element (ttls, TTO_PROTOCOL_TTL_HOUR);
  json_array_add_int_element (ttls, TTO_PROTOCOL_TTL_DAY);
  json_array_add_int_element (ttls, TTO_PROTOCOL_TTL_WEEK);
  json_object_set_array_member (body, "ttls", ttls);
  tto_relay_reply_ok (conn, frame->id, body);
}

/* identity.code.request: the SMS gateway */

static void
wipe_bytes (gpointer data)
{
  char *text = data;

  wipe_free (text);
}

static void
on_sms_sent (GObject *source,
             GAsyncResult *result,
             gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr (GBytes) answer = NULL;
  GError *error = NULL;
  guint status;

  answer = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  status = soup_message_get_status (msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "the SMS gateway answered %u",
                             status);
  else
    g_task_return_boolean (task, TRUE);
}

static void
send_sms (TtoRelayIdentity *self,
          const char *to,
          const char *text,
          GAsyncReadyCallback callback,
          gpointer user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);
  g_autoptr (GBytes) body = NULL;
  SoupMessage *msg;
  char *json;

  msg = soup_message_new (SOUP_METHOD_POST, self->relay->config->sms_gateway_url);
  if (msg == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "[sms] gateway_url is not a usable URL");
      g_object_unref (task);
      return;
    }
  g_task_set_task_data (task, msg, g_object_unref);

  /* Printed, not built with json-glib, so no copy of the code is left in
   * a tree: "to" is "+" and digits, "text" ours, neither needs escaping. */
  json = g_strdup_printf ("{\"to\": \"%s\", \"text\": \"%s\"}", to, text);
  body = g_bytes_new_with_free_func (json, strlen (json), wipe_bytes, json);
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, NULL, on_sms_sent,
                                    task);
}

/* identity.code.request: SMTP through libcurl, in a thread */

typedef struct
{
  char *url;
  char *from;
  char *to;
  char *username;
  char *password;
  char *payload;
  gsize offset;
} Mail;

static void
mail_free (Mail *mail)
{
  g_free (mail->url);
  g_free (mail->from);
  wipe_free (mail->to);
  g_free (mail->username);
  wipe_free (mail->password);
  wipe_free (mail->payload);
  g_free (mail);
}

static size_t
read_payload (char *buffer,
              size_t size,
              size_t count,
              void *user_data)
{
  Mail *mail = user_data;
  gsize left = strlen (mail->payload) - mail->offset;
  gsize n = MIN (left, size * count);

  memcpy (buffer, mail->payload + mail->offset, n);
  mail->offset += n;
  return n;
}

static void
mail_thread (GTask *task,
             gpointer source,
             gpointer task_data,
             GCancellable *cancellable)
{
  Mail *mail = task_data;
  g_autofree char *from = g_strdup_printf ("<%s>", mail->from);
  g_autofree char *to = g_strdup_printf ("<%s>", mail->to);
  char error_text[CURL_ERROR_SIZE] = "";
  struct curl_slist *recipients = NULL;
  CURL *curl = curl_easy_init ();
  CURLcode code;

  if (curl == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "libcurl did not start");
      return;
    }

  recipients = curl_slist_append (NULL, to);
  curl_easy_setopt (curl, CURLOPT_URL, mail->url);
  curl_easy_setopt (curl, CURLOPT_MAIL_FROM, from);
  curl_easy_setopt (curl, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt (curl, CURLOPT_READFUNCTION, read_payload);
  curl_easy_setopt (curl, CURLOPT_READDATA, mail);
  curl_easy_setopt (curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, (long) SEND_TIMEOUT_SECONDS);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, error_text);
  /* smtps:// is TLS from the start; on smtp:// take STARTTLS when offered. */
  curl_easy_setopt (curl, CURLOPT_USE_SSL, (long) CURLUSESSL_TRY);
  if (mail->username != NULL && *mail->username)
    {
      curl_easy_setopt (curl, CURLOPT_USERNAME, mail->username);
      curl_easy_setopt (curl, CURLOPT_PASSWORD, mail->password != NULL ? mail->password : "");
    }

  code = curl_easy_perform (curl);
  curl_slist_free_all (recipients);
  curl_easy_cleanup (curl);
  sodium_memzero (to, strlen (to));

  /* libcurl's messages name the server, never the recipient. */
  if (code != CURLE_OK)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "SMTP: %s",
                             *error_text ? error_text : curl_easy_strerror (code));
  else
    g_task_return_boolean (task, TRUE);
}

static char *
mail_date (void)
{
  static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  g_autoptr (GDateTime) now = g_date_time_new_from_unix_utc (tto_relay_now_seconds ());

  return g_strdup_printf ("%s, %02d %s %d %02d:%02d:%02d +0000",
                          days[g_date_time_get_day_of_week (now) - 1],
                          g_date_time_get_day_of_month (now),
                          months[g_date_time_get_month (now) - 1], g_date_time_get_year (now),
                          g_date_time_get_hour (now), g_date_time_get_minute (now),
                          g_date_time_get_second (now));
}

static void
send_mail (TtoRelayIdentity *self,
           const char *to,
           const char *code,
           const char *purpose,
           GAsyncReadyCallback callback,
           gpointer user_data)
{
  TtoRelayConfig *config = self->relay->config;
  GTask *task = g_task_new (NULL, NULL, callback, user_data);
  Mail *mail = g_new0 (Mail, 1);
  g_autofree char *date = mail_date ();
  g_autofree char *message_id = tto_id_new ();
  const char *from = config->smtp_from != NULL ? config->smtp_from : "tto-relay@localhost";
  const char *what = g_str_equal (purpose, "register") ? "create your ThreeTwoOne account"
                                                       : "sign in to ThreeTwoOne";

  mail->url = g_strdup (config->smtp_url);
  mail->from = g_strdup (from);
  mail->to = g_strdup (to);
  mail->username = g_strdup (config->smtp_username);
  mail->password = g_strdup (config->smtp_password);
  mail->payload = g_strdup_printf ("Date: %s\r\n"
                                   "From: ThreeTwoOne <%s>\r\n"
                                   "To: <%s>\r\n"
                                   "Subject: Your ThreeTwoOne code\r\n"
                                   "Message-ID: <%s@tto-relay>\r\n"
                                   "MIME-Version: 1.0\r\n"
                                   "Content-Type: text/plain; charset=utf-8\r\n"
                                   "Content-Transfer-Encoding: 8bit\r\n"
                                   "\r\n"
                                   "Your code to %s is %s.\r\n"
                                   "It is valid for 10 minutes. If you did not ask for it, "
                                   "ignore this message.\r\n",
                                   date, from, to, message_id, what, code);
  g_task_set_task_data (task, mail, (GDestroyNotify) mail_free);
  g_task_run_in_thread (task, mail_thread);
  g_object_unref (task);
}

static void
on_code_sent (GObject *source,
              GAsyncResult *result,
              gpointer user_data)
{
  g_autoptr (Op) op = user_data;
  TtoRelayIdentity *self;
  g_autoptr (GError) error = NULL;
  Code *code;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_warning ("could not send a %s code: %s", op->channel, error->message);
      if (conn_is_open (op->conn))
        tto_relay_reply_error (op->conn, op->id, TTO_PROTOCOL_ERROR_UNAVAILABLE,
                               "the %s could not be sent; try again later",
                               g_str_equal (op->channel, "phone") ? "text message" : "email");
      return;
    }

  if (op->relay->identity == NULL)
    return;
  self = op->relay->identity;

  /* Only now is the code real: a failed send leaves nothing to guess. */
  code = g_new0 (Code, 1);
  hash_code (self, op->code, code->hash);
  code->purpose = g_strdup (op->purpose);
  code->expires_at = tto_relay_now_seconds () + CODE_TTL;
  code->attempts_left = CODE_ATTEMPTS;
  g_hash_table_replace (self->codes, g_strdup (op->code_key), code);

  if (conn_is_open (op->conn))
    {
      JsonObject *body = json_object_new ();

      json_object_set_int_member (body, "expires_in", CODE_TTL);
      json_object_set_int_member (body, "resend_after", CODE_RESEND_AFTER);
      tto_relay_reply_ok (op->conn, op->id, body);
    }
}

static void
handle_code_request (TtoRelayConn *conn,
                     TtoFrame *frame)
{
  TtoRelayIdentity *self = conn->relay->identity;
  TtoRelayConfig *config = conn->relay->config;
  const char *channel = tto_frame_get_string (frame, "channel");
  const char *purpose = tto_frame_get_string (frame, "purpose");
  g_autoptr (Op) op = NULL;
  g_autofree char *source_key = NULL;
  gint64 now = tto_relay_now_seconds ();
  gint64 wait;

  if (g_str_equal (channel, "phone") ? config->sms_gateway_url == NULL || !*config->sms_gateway_url
                                     : config->smtp_url == NULL || !*config->smtp_url)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_UNAVAILABLE,
                             "this relay sends no %s codes (identity.methods lists what it offers)",
                             channel);
      return;
    }

  op = op_new (conn, frame);
  op->channel = g_strdup (channel);
  op->purpose = g_strdup (purpose != NULL ? purpose : "sign_in");
  op->value = normalise_address (channel, tto_frame_get_string (frame, "address"));
  if (op->value == NULL)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_BAD_FRAME,
                             g_str_equal (channel, "phone")
                               ? "body.address must be a phone number in E.164 form: + and 8 to "
                                 "15 digits, e.g. +8613812345678"
                               : "body.address is not an email address");
      return;
    }
  code_key_for (conn->relay, channel, op->value, op);
  source_key = g_strdup_printf ("code-source:%s", source_of (conn));

  wait = resend_wait (self, op->code_key, now);
  if (wait > 0)
    {
      tto_relay_identity_reply_rate_limited (conn, frame->id, wait,
                                             "a code was sent to this address less than 60 "
                                             "seconds ago");
      return;
    }
  wait = window_wait (self, op->code_key, CODE_WINDOW, CODES_PER_ADDRESS, now);
  if (wait == 0)
    wait = window_wait (self, source_key, CODE_WINDOW, CODES_PER_SOURCE, now);
  if (wait > 0)
    {
      tto_relay_identity_reply_rate_limited (conn, frame->id, wait,
                                             "too many codes were asked for");
      return;
    }
  window_add (self, op->code_key, now);
  window_add (self, source_key, now);

  op->code = g_strdup_printf ("%06u", randombytes_uniform (1000000));
  if (g_str_equal (channel, "phone"))
    {
      g_autofree char *text = g_strdup_printf ("ThreeTwoOne code: %s (valid 10 minutes). "
                                               "Do not share it.", op->code);

      send_sms (self, op->value, text, on_code_sent, op);
      sodium_memzero (text, strlen (text));
    }
  else
    send_mail (self, op->value, op->code, op->purpose, on_code_sent, op);
  g_steal_pointer (&op);
}

/* Signing in through a linked method: identity.code.verify, and
 * tto_relay_identity_sign_in () for third-party sign-in */

static void
on_linked (GObject *source,
           GAsyncResult *result,
           gpointer user_data)
{
  g_autoptr (Op) op = user_data;
  g_autoptr (TtoRelayStoredIdentity) identity = NULL;
  g_autoptr (GError) error = NULL;

  identity = tto_relay_store_link_identity_finish (op->relay->store, result, &error);
  if (identity == NULL)
    {
      if (op->relay->identity != NULL)
        give_back_code (op);
      if (!conn_is_open (op->conn))
        return;
      if (g_error_matches (error, TTO_RELAY_STORE_ERROR, TTO_RELAY_STORE_ERROR_CONFLICT))
        tto_relay_reply_error (op->conn, op->id, TTO_PROTOCOL_ERROR_CONFLICT,
                               "this connection has another identity; sign in on a new "
                               "connection");
      else if (error != NULL)
        reply_store_error (op->conn, op->id, error);
      else
        tto_relay_reply_error (op->conn, op->id, TTO_PROTOCOL_ERROR_BAD_FRAME,
                               "body.display_name is required: no identity is linked to this "
                               "address yet");
      op_release (op);
      return;
    }

  g_clear_pointer (&op->taken_code, code_free);
  complete_sign_in (op, identity);
  op_release (op);
}

static void
link_and_sign_in (Op *op)
{
  op->token = tto_relay_auth_new_token (op->token_hash);
  op_hold (op);
  tto_relay_store_link_identity_full_async (op->relay->store, op->method, op->key_hash,
                                            op->display_name, op->kind, op->expires_at,
                                            op->verified, op->token_hash,
                                            tto_relay_now_seconds (), op->conn->identity_id,
                                            token_to_replace (op->conn), on_linked, op);
}

void
tto_relay_identity_sign_in (TtoRelayConn *conn,
                            const char *frame_id,
                            const char *method,
                            const char *value,
                            const char *display_name,
                            const char *kind,
                            gint64 expires_at,
                            TtoRelayVerified verified)
{
  Op *op;

  g_return_if_fail (conn != NULL && method != NULL && value != NULL && kind != NULL);

  if (!conn_is_open (conn))
    return;
  if (conn->identity_id != NULL && g_str_equal (kind, "one_time"))
    {
      tto_relay_reply_error (conn, frame_id, TTO_PROTOCOL_ERROR_CONFLICT,
                             "this connection already has an identity");
      return;
    }

  op = g_new0 (Op, 1);
  op->relay = conn->relay;
  op->conn = tto_relay_conn_ref (conn);
  op->id = g_strdup (frame_id);
  op->method = g_strdup (method);
  op->display_name = g_strdup (display_name);
  op->kind = g_strdup (kind);
  op->expires_at = expires_at;
  op->verified = verified;
  tto_relay_identity_link_hash (conn->relay, method, value, op->key_hash);
  link_and_sign_in (op);
}

static void
handle_code_verify (TtoRelayConn *conn,
                    TtoFrame *frame)
{
  const char *channel = tto_frame_get_string (frame, "channel");
  const char *name = tto_frame_get_string (frame, "display_name");
  const char *kind;
  g_autoptr (Op) op = op_new (conn, frame);

  tto_relay_identity_frame_lifetime (frame, "one_time", &kind, &op->expires_at);
  op->kind = g_strdup (kind);
  if (name != NULL)
    {
      op->display_name = tto_relay_auth_clean_display_name (name);
      if (op->display_name == NULL)
        {
          tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_BAD_FRAME,
                                 "body.display_name must contain a visible character");
          return;
        }
    }
  else if (g_str_equal (kind, "one_time"))
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_BAD_FRAME,
                             "body.display_name is required for a one-time identity");
      return;
    }
  if (conn->identity_id != NULL && g_str_equal (kind, "one_time"))
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_CONFLICT,
                             "this connection already has an identity");
      return;
    }

  op->value = normalise_address (channel, tto_frame_get_string (frame, "address"));
  if (op->value == NULL)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_BAD_FRAME,
                             "body.address is not a valid %s",
                             g_str_equal (channel, "phone") ? "E.164 phone number"
                                                            : "email address");
      return;
    }
  code_key_for (conn->relay, channel, op->value, op);
  if (!take_code (op, tto_frame_get_string (frame, "code"), "sign_in"))
    return;

  op->method = g_strdup (channel);
  op->verified = g_str_equal (channel, "phone") ? TTO_RELAY_VERIFIED_PHONE
                                                : TTO_RELAY_VERIFIED_EMAIL;
  tto_relay_identity_link_hash (conn->relay, channel, op->value, op->key_hash);
  link_and_sign_in (g_steal_pointer (&op));
}

/* identity.register */

/* Argon2id takes 64 MiB and a core for ~100 ms: at most this many run at
 * once, the others wait their turn, so a burst of sign-ins cannot take
 * the relay's memory. */
#define MAX_PASSWORD_HASHES 2

static GMutex pwhash_lock;
static GCond pwhash_cond;
static guint pwhash_running;

static void
pwhash_enter (void)
{
  g_mutex_lock (&pwhash_lock);
  while (pwhash_running >= MAX_PASSWORD_HASHES)
    g_cond_wait (&pwhash_cond, &pwhash_lock);
  pwhash_running++;
  g_mutex_unlock (&pwhash_lock);
}

static void
pwhash_leave (void)
{
  g_mutex_lock (&pwhash_lock);
  pwhash_running--;
  g_cond_signal (&pwhash_cond);
  g_mutex_unlock (&pwhash_lock);
}

static void
hash_password_thread (GTask *task,
                      gpointer source,
                      gpointer task_data,
                      GCancellable *cancellable)
{
  Op *op = task_data;
  char hash[crypto_pwhash_STRBYTES];
  int failed;

  pwhash_enter ();
  failed = crypto_pwhash_str (hash, op->password, strlen (op->password),
                              crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE);
  pwhash_leave ();
  if (failed != 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                               "not enough memory to hash a password");
      return;
    }
  op->password_hash = g_strdup (hash);
  sodium_memzero (hash, sizeof hash);
  wipe_free (g_steal_pointer (&op->password));
  g_task_return_boolean (task, TRUE);
}

static void
on_registered (GObject *source,
               GAsyncResult *result,
               gpointer user_data)
{
  g_autoptr (Op) op = user_data;
  g_autoptr (TtoRelayStoredIdentity) identity = NULL;
  g_autoptr (GError) error = NULL;

  identity = tto_relay_store_link_identity_finish (op->relay->store, result, &error);
  if (identity == NULL)
    {
      /* The code proved the address; a taken username costs no new code. */
      if (op->relay->identity != NULL)
        give_back_code (op);
      if (conn_is_open (op->conn))
        {
          if (g_error_matches (error, TTO_RELAY_STORE_ERROR, TTO_RELAY_STORE_ERROR_CONFLICT))
            tto_relay_reply_error (op->conn, op->id, TTO_PROTOCOL_ERROR_CONFLICT,
                                   g_str_equal (error->message, "username")
                                     ? "this username is taken; choose another"
                                     : "an account with this email address exists; sign in "
                                       "with identity.login");
          else
            reply_store_error (op->conn, op->id, error);
        }
      op_release (op);
      return;
    }

  g_clear_pointer (&op->taken_code, code_free);
  complete_sign_in (op, identity);
  op_release (op);
}

static void
on_password_hashed (GObject *source,
                    GAsyncResult *result,
                    gpointer user_data)
{
  Op *op = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_warning ("%s", error->message);
      if (op->relay->identity != NULL)
        give_back_code (op);
      if (conn_is_open (op->conn))
        tto_relay_reply_error (op->conn, op->id, TTO_PROTOCOL_ERROR_UNAVAILABLE,
                               "the relay is short of memory; try again");
      op_release (op);
      op_free (op);
      return;
    }

  op->token = tto_relay_auth_new_token (op->token_hash);
  tto_relay_store_register_account_async (op->relay->store, op->account_id, op->display_name,
                                          op->kind, op->expires_at, op->token_hash,
                                          op->password_hash, op->key_hash2, op->key_hash,
                                          tto_relay_now_seconds (), on_registered, op);
}

static void
handle_register (TtoRelayConn *conn,
                 TtoFrame *frame)
{
  const char *password = tto_frame_get_string (frame, "password");
  const char *problem;
  g_autofree char *username = NULL;
  const char *kind;
  g_autoptr (Op) op = op_new (conn, frame);
  GTask *task;

  op->value = normalise_email (tto_frame_get_string (frame, "email"));
  if (op->value == NULL)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_BAD_FRAME,
                             "body.email is not an email address");
      return;
    }
  username = normalise_username (tto_frame_get_string (frame, "username"));
  if (username == NULL)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_BAD_FRAME,
                             "body.username must have 3 to 32 of a-z, 0-9, '_', '.', '-'");
      return;
    }
  op->display_name = tto_relay_auth_clean_display_name (tto_frame_get_string (frame,
                                                                              "display_name"));
  if (op->display_name == NULL)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_BAD_FRAME,
                             "body.display_name must contain a visible character");
      return;
    }
  problem = password_problem (password, username, op->value);
  if (problem != NULL)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_WEAK_PASSWORD, "%s", problem);
      return;
    }
  if (conn->identity_id != NULL)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_CONFLICT,
                             "this connection already has an identity; register on a new "
                             "connection");
      return;
    }

  code_key_for (conn->relay, "email", op->value, op);
  if (!take_code (op, tto_frame_get_string (frame, "code"), "register"))
    return;

  tto_relay_identity_frame_lifetime (frame, "permanent", &kind, &op->expires_at);
  op->kind = g_strdup (kind);
  op->account_id = tto_id_new ();
  tto_relay_identity_link_hash (conn->relay, "username", username, op->key_hash);
  tto_relay_identity_link_hash (conn->relay, "email", op->value, op->key_hash2);
  sodium_memzero (username, strlen (username));
  op->password = g_strdup (password);
  op_hold (op);

  /* Argon2id takes ~100 ms and 64 MiB: never on the main loop. */
  task = g_task_new (NULL, NULL, on_password_hashed, NULL);
  g_task_set_task_data (task, g_steal_pointer (&op), NULL);
  g_task_run_in_thread (task, hash_password_thread);
  g_object_unref (task);
}

/* identity.login */

static void
on_login_renewed (GObject *source,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (Op) op = user_data;
  g_autoptr (TtoRelayStoredIdentity) identity = NULL;
  g_autoptr (GError) error = NULL;

  identity = tto_relay_store_link_identity_finish (op->relay->store, result, &error);
  if (identity == NULL)
    {
      if (conn_is_open (op->conn))
        reply_store_error (op->conn, op->id, error);
      op_release (op);
      return;
    }

  complete_sign_in (op, identity);
  op_release (op);
}

static void
verify_password_thread (GTask *task,
                        gpointer source,
                        gpointer task_data,
                        GCancellable *cancellable)
{
  Op *op = task_data;
  gboolean match;

  pwhash_enter ();
  match = crypto_pwhash_str_verify (op->password_hash, op->password, strlen (op->password)) == 0;
  pwhash_leave ();
  wipe_free (g_steal_pointer (&op->password));
  g_task_return_boolean (task, match && op->account_id != NULL);
}

static void
login_failed (Op *op)
{
  TtoRelayIdentity *self = op->relay->identity;
  g_autofree char *source_key = g_strdup_printf ("login-source:%s", source_of (op->conn));
  gint64 now = tto_relay_now_seconds ();

  if (self != NULL)
    {
      window_add (self, op->code_key, now);
      window_add (self, source_key, now);
    }
  if (conn_is_open (op->conn))
    tto_relay_reply_error (op->conn, op->id, TTO_PROTOCOL_ERROR_UNAUTHORIZED,
                           "login or password is wrong");
}

static void
on_password_checked (GObject *source,
                     GAsyncResult *result,
                     gpointer user_data)
{
  Op *op = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), NULL))
    {
      login_failed (op);
      op_release (op);
      op_free (op);
      return;
    }

  if (op->relay->identity != NULL)
    window_clear (op->relay->identity, op->code_key);
  if (!conn_is_open (op->conn) ||
      (op->conn->identity_id != NULL && !g_str_equal (op->conn->identity_id, op->account_id)))
    {
      if (conn_is_open (op->conn))
        tto_relay_reply_error (op->conn, op->id, TTO_PROTOCOL_ERROR_CONFLICT,
                               "this connection has another identity; sign in on a new "
                               "connection");
      op_release (op);
      op_free (op);
      return;
    }

  op->token = tto_relay_auth_new_token (op->token_hash);
  tto_relay_store_renew_identity_async (op->relay->store, op->account_id, op->kind,
                                        op->expires_at, TTO_RELAY_VERIFIED_NONE, op->token_hash,
                                        tto_relay_now_seconds (), token_to_replace (op->conn),
                                        on_login_renewed, op);
}

static void
on_account_found (GObject *source,
                  GAsyncResult *result,
                  gpointer user_data)
{
  Op *op = user_data;
  g_auto (GStrv) account = NULL;
  g_autoptr (GError) error = NULL;
  GTask *task;

  account = tto_relay_store_find_account_finish (op->relay->store, result, &error);
  if (error != NULL || op->relay->identity == NULL)
    {
      if (error != NULL && conn_is_open (op->conn))
        reply_store_error (op->conn, op->id, error);
      op_release (op);
      op_free (op);
      return;
    }

  /* An unknown login costs the same Argon2id check as a known one. */
  if (account != NULL)
    {
      op->account_id = g_strdup (account[0]);
      op->password_hash = g_strdup (account[1]);
      sodium_memzero (account[1], strlen (account[1]));
    }
  else
    op->password_hash = g_strdup (op->relay->identity->dummy_hash);

  task = g_task_new (NULL, NULL, on_password_checked, NULL);
  g_task_set_task_data (task, op, NULL);
  g_task_run_in_thread (task, verify_password_thread);
  g_object_unref (task);
}

static void
handle_login (TtoRelayConn *conn,
              TtoFrame *frame)
{
  TtoRelayIdentity *self = conn->relay->identity;
  const char *login = tto_frame_get_string (frame, "login");
  g_autofree char *source_key = g_strdup_printf ("login-source:%s", source_of (conn));
  g_autofree char *digest = NULL;
  gint64 now = tto_relay_now_seconds ();
  const char *kind;
  gint64 wait;
  g_autoptr (Op) op = op_new (conn, frame);
  Op *pending;

  if (strchr (login, '@') != NULL)
    {
      op->method = g_strdup ("email");
      op->value = normalise_email (login);
    }
  else
    {
      op->method = g_strdup ("username");
      op->value = normalise_username (login);
    }
  /* A malformed login matches no account: the same answer as any other. */
  if (op->value == NULL)
    op->value = g_strdup (login);
  tto_relay_identity_link_hash (conn->relay, op->method, op->value, op->key_hash);
  digest = hex (op->key_hash, sizeof op->key_hash);
  op->code_key = g_strdup_printf ("login-account:%s", digest);

  wait = window_wait (self, op->code_key, LOGIN_WINDOW, LOGIN_FAILURES_PER_ACCOUNT, now);
  if (wait == 0)
    wait = window_wait (self, source_key, LOGIN_WINDOW, LOGIN_FAILURES_PER_SOURCE, now);
  if (wait > 0)
    {
      tto_relay_identity_reply_rate_limited (conn, frame->id, wait,
                                             "too many failed sign-ins");
      return;
    }

  tto_relay_identity_frame_lifetime (frame, NULL, &kind, &op->expires_at);
  op->kind = g_strdup (kind);
  op->password = g_strdup (tto_frame_get_string (frame, "password"));
  op_hold (op);
  pending = g_steal_pointer (&op);
  tto_relay_store_find_account_async (conn->relay->store, pending->method, pending->key_hash, now,
                                      on_account_found, pending);
}

/* identity.id_check */

static void
on_id_checked (GObject *source,
               GAsyncResult *result,
               gpointer user_data)
{
  g_autoptr (Op) op = user_data;
  g_autoptr (GError) error = NULL;
  TtoRelayConn *conn = op->conn;

  if (!tto_relay_store_finish (op->relay->store, result, &error))
    {
      if (!conn_is_open (conn))
        return;
      if (g_error_matches (error, TTO_RELAY_STORE_ERROR, TTO_RELAY_STORE_ERROR_CONFLICT))
        tto_relay_reply_error (conn, op->id, TTO_PROTOCOL_ERROR_CONFLICT,
                               "this ID number verified another identity already");
      else
        reply_store_error (conn, op->id, error);
      return;
    }

  if (conn_is_open (conn) && conn->identity_id != NULL)
    {
      GPtrArray *conns = g_hash_table_lookup (conn->relay->online, conn->identity_id);
      JsonObject *body = json_object_new ();
      JsonObject *verified = json_object_new ();

      for (guint i = 0; conns != NULL && i < conns->len; i++)
        ((TtoRelayConn *) conns->pdata[i])->id_verified = TRUE;
      json_object_set_boolean_member (verified, "third_party", conn->third_party_verified);
      json_object_set_boolean_member (verified, "phone", conn->phone_verified);
      json_object_set_boolean_member (verified, "email", conn->email_verified);
      json_object_set_boolean_member (verified, "id", TRUE);
      json_object_set_object_member (body, "verified", verified);
      tto_relay_reply_ok (conn, op->id, body);
    }
}

static void
handle_id_check (TtoRelayConn *conn,
                 TtoFrame *frame)
{
  g_autofree char *name = tto_relay_auth_clean_display_name (tto_frame_get_string (frame, "name"));
  g_autofree char *number = g_strstrip (g_strdup (tto_frame_get_string (frame, "id_number")));
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) today = NULL;
  g_autofree char *today_text = NULL;
  g_autoptr (Op) op = NULL;
  Op *pending;

  if (name == NULL)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_BAD_FRAME,
                             "body.name must contain a visible character");
      wipe_free (g_steal_pointer (&number));
      return;
    }
  /* The name is asked for, as on the card, but never kept. */
  sodium_memzero (name, strlen (name));

  if (!tto_id_number_is_valid (number, &error))
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_BAD_FRAME, "body.id_number: %s",
                             error->message);
      wipe_free (g_steal_pointer (&number));
      return;
    }
  today = g_date_time_new_from_unix_utc (tto_relay_now_seconds ());
  today_text = g_date_time_format (today, "%Y%m%d");
  if (strncmp (number + 6, today_text, 8) > 0)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_BAD_FRAME,
                             "body.id_number: the birth date is in the future");
      wipe_free (g_steal_pointer (&number));
      return;
    }
  number[17] = g_ascii_toupper (number[17]);

  op = op_new (conn, frame);
  tto_relay_identity_link_hash (conn->relay, "id_number", number, op->key_hash);
  wipe_free (g_steal_pointer (&number));
  pending = g_steal_pointer (&op);
  tto_relay_store_set_id_check_async (conn->relay->store, conn->identity_id, pending->key_hash,
                                      on_id_checked, pending);
}

/* identity.update */

static void
on_name_set (GObject *source,
             GAsyncResult *result,
             gpointer user_data)
{
  g_autoptr (Op) op = user_data;
  g_autoptr (TtoRelayStoredIdentity) identity = NULL;
  g_autoptr (GError) error = NULL;

  identity = tto_relay_store_link_identity_finish (op->relay->store, result, &error);
  if (!conn_is_open (op->conn))
    return;
  if (identity == NULL)
    {
      if (error != NULL)
        reply_store_error (op->conn, op->id, error);
      else
        tto_relay_reply_error (op->conn, op->id, TTO_PROTOCOL_ERROR_UNAUTHORIZED,
                               "the identity no longer exists");
      return;
    }

  update_connections (op->relay, identity);
  tto_relay_reply_ok (op->conn, op->id, tto_relay_identity_body (identity, NULL));
}

static void
handle_update (TtoRelayConn *conn,
               TtoFrame *frame)
{
  g_autofree char *name = tto_relay_auth_clean_display_name (tto_frame_get_string (frame,
                                                                                   "display_name"));

  if (name == NULL)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_BAD_FRAME,
                             "body.display_name must contain a visible character");
      return;
    }

  tto_relay_store_set_display_name_async (conn->relay->store, conn->identity_id, name,
                                          on_name_set, op_new (conn, frame));
}

/* identity.delete */

static void
on_identity_deleted (GObject *source,
                     GAsyncResult *result,
                     gpointer user_data)
{
  g_autoptr (Op) op = user_data;
  g_autoptr (TtoRelayDeletion) deletion = NULL;
  g_autoptr (GError) error = NULL;
  TtoRelay *relay = op->relay;
  GPtrArray *conns;

  deletion = tto_relay_store_delete_expired_identities_finish (relay->store, result, &error);
  if (deletion == NULL)
    {
      if (conn_is_open (op->conn))
        reply_store_error (op->conn, op->id, error);
      op_release (op);
      return;
    }

  if (conn_is_open (op->conn))
    tto_relay_reply_ok (op->conn, op->id, json_object_new ());
  op_release (op);

  /* As when a one-time identity's grace ends: its events end, then it is
   * forgotten and its connections close. */
  for (guint i = 0; i < deletion->event_ids->len; i++)
    tto_relay_end_room (relay, deletion->event_ids->pdata[i], "creator_left");
  conns = g_hash_table_lookup (relay->online, op->account_id);
  for (guint i = 0; conns != NULL && i < conns->len; i++)
    tto_relay_wire_close (((TtoRelayConn *) conns->pdata[i])->wire, 1000, "identity deleted");
  tto_relay_forget_identity (relay, op->account_id);
  g_message ("an identity was deleted at its request (%u events ended)",
             deletion->event_ids->len);
}

static void
handle_delete (TtoRelayConn *conn,
               TtoFrame *frame)
{
  Op *op = op_new (conn, frame);

  op->account_id = g_strdup (conn->identity_id);
  op_hold (op);
  tto_relay_store_delete_identity_async (conn->relay->store, conn->identity_id,
                                         on_identity_deleted, op);
}

/* identity.sign_out: this device's token goes; the identity, its other
 * tokens and its other connections stay. */

static void
on_token_revoked (GObject *source,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (Op) op = user_data;
  g_autoptr (GError) error = NULL;
  TtoRelayConn *conn = op->conn;

  if (!tto_relay_store_finish (op->relay->store, result, &error))
    {
      if (conn_is_open (conn))
        reply_store_error (conn, op->id, error);
      op_release (op);
      return;
    }

  if (conn_is_open (conn))
    {
      sodium_memzero (conn->token_hash, sizeof conn->token_hash);
      conn->has_token_hash = FALSE;
      tto_relay_reply_ok (conn, op->id, json_object_new ());
      /* Signed out: the connection is no longer that identity's, and
       * frames sent after sign_out are not run as it. */
      g_queue_clear_full (&conn->held_frames, (GDestroyNotify) g_bytes_unref);
      tto_relay_wire_close (conn->wire, 1000, "signed out");
    }
  op_release (op);
}

static void
handle_sign_out (TtoRelayConn *conn,
                 TtoFrame *frame)
{
  Op *op;

  /* Every way to an identity records its token; nothing to revoke is a
   * relay bug, not the client's. */
  if (!conn->has_token_hash)
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_INTERNAL,
                             "this connection holds no token");
      return;
    }

  op = op_new (conn, frame);
  op_hold (op);
  tto_relay_store_revoke_token_async (conn->relay->store, conn->identity_id, conn->token_hash,
                                      on_token_revoked, op);
}

const TtoRelayRoute tto_relay_identity_routes[] = {
  { TTO_FRAME_IDENTITY_METHODS, FALSE, handle_methods },
  { TTO_FRAME_IDENTITY_CODE_REQUEST, FALSE, handle_code_request },
  { TTO_FRAME_IDENTITY_CODE_VERIFY, FALSE, handle_code_verify },
  { TTO_FRAME_IDENTITY_REGISTER, FALSE, handle_register },
  { TTO_FRAME_IDENTITY_LOGIN, FALSE, handle_login },
  { TTO_FRAME_IDENTITY_ID_CHECK, TRUE, handle_id_check },
  { TTO_FRAME_IDENTITY_UPDATE, TRUE, handle_update },
  { TTO_FRAME_IDENTITY_DELETE, TRUE, handle_delete },
  { TTO_FRAME_IDENTITY_SIGN_OUT, TRUE, handle_sign_out },
};
const guint tto_relay_identity_n_routes = G_N_ELEMENTS (tto_relay_identity_routes);

/* Set-up */

/* The key of link hashes from a file, made on first start. */
static gboolean
load_key_file (const char *path,
               guint8 *key,
               GError **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr (GError) local_error = NULL;

  if (g_file_get_contents (path, &contents, &length, &local_error))
    {
      gboolean ok = length == TTO_RELAY_LINK_KEY_BYTES;

      if (ok)
        memcpy (key, contents, TTO_RELAY_LINK_KEY_BYTES);
      sodium_memzero (contents, length);
      if (!ok)
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                     "%s: a link key file holds exactly 32 bytes", path);
      return ok;
    }
  if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "link key: ");
      return FALSE;
    }

  randombytes_buf (key, TTO_RELAY_LINK_KEY_BYTES);
  {
    int fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    gboolean written;

    if (fd < 0)
      {
        int saved = errno;

        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                     "cannot create the link key %s: %s", path, g_strerror (saved));
        return FALSE;
      }
    written = write (fd, key, TTO_RELAY_LINK_KEY_BYTES) == TTO_RELAY_LINK_KEY_BYTES;
    written = close (fd) == 0 && written;
    if (!written)
      {
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, "cannot write the link key %s", path);
        return FALSE;
      }
  }
  g_message ("made a new link key in %s", path);
  return TRUE;
}

TtoRelayIdentity *
tto_relay_identity_new (TtoRelay *relay,
                        GError **error)
{
  TtoRelayIdentity *self;
  char dummy[crypto_pwhash_STRBYTES];
  guint8 noise[16];

  if (sodium_init () < 0 || curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "libsodium or libcurl did not start");
      return NULL;
    }

  self = g_new0 (TtoRelayIdentity, 1);
  self->relay = relay;
  if (relay->config->link_key_file != NULL && *relay->config->link_key_file)
    {
      if (!load_key_file (relay->config->link_key_file, self->link_key, error))
        {
          tto_relay_identity_free (self);
          return NULL;
        }
    }
  else if (!tto_relay_store_load_link_key (relay->store, self->link_key, error))
    {
      tto_relay_identity_free (self);
      return NULL;
    }
  randombytes_buf (self->code_key, sizeof self->code_key);

  self->codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) code_free);
  self->windows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_array_unref);
  self->session = soup_session_new_with_options ("timeout", SEND_TIMEOUT_SECONDS,
                                                 "user-agent", "tto-relay", NULL);

  randombytes_buf (noise, sizeof noise);
  if (crypto_pwhash_str (dummy, (const char *) noise, sizeof noise,
                         crypto_pwhash_OPSLIMIT_INTERACTIVE,
                         crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                           "not enough memory for Argon2id");
      tto_relay_identity_free (self);
      return NULL;
    }
  self->dummy_hash = g_strdup (dummy);

  return self;
}

void
tto_relay_identity_free (TtoRelayIdentity *self)
{
  if (self == NULL)
    return;

  sodium_memzero (self->link_key, sizeof self->link_key);
  sodium_memzero (self->code_key, sizeof self->code_key);
  g_clear_pointer (&self->codes, g_hash_table_unref);
  g_clear_pointer (&self->windows, g_hash_table_unref);
  g_clear_object (&self->session);
  g_free (self->dummy_hash);
  g_free (self);
}

void
tto_relay_identity_sweep (TtoRelay *relay)
{
  TtoRelayIdentity *self = relay->identity;
  gint64 now = tto_relay_now_seconds ();
  GHashTableIter iter;
  gpointer value;

  if (self == NULL)
    return;

  g_hash_table_iter_init (&iter, self->codes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((Code *) value)->expires_at <= now)
      g_hash_table_iter_remove (&iter);

  /* The longest window is an hour. */
  g_hash_table_iter_init (&iter, self->windows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GArray *times = value;

      if (times->len == 0 || g_array_index (times, gint64, times->len - 1) <= now - CODE_WINDOW)
        g_hash_table_iter_remove (&iter);
    }
}
