/* tto-test-tokens.c: one token per sign-in (device), against a real relay,
 * MariaDB and a real SMTP server (tests/smtp-sink.py): tokens side by
 * side, identity.sign_out, "delete me", expiry, the cap, and the
 * migration from one token per identity
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "tto-shared.h"
#include "tto-test-accounts.h"
#include "tto-test-harness.h"

#define GRACE 600
#define PASSWORD "horse battery 7"
#define TOKENS_PER_IDENTITY 10
/* The schema version that moved tokens into identity_tokens (its place
 * in the migrations list of relay/tto-relay-store.c, counted from 1). */
#define TOKENS_MIGRATION 11

static TtoTestSmtpSink *smtp;

/* ------------------------------------------------------------- helpers */

static TtoTestRelay *
start_relay (void)
{
  const char *const args[] = { "--test-clock",
                               "--smtp-url", tto_test_smtp_sink_get_url (smtp),
                               "--smtp-from", "relay@tto.invalid",
                               NULL };

  if (smtp == NULL)
    {
      g_test_skip ("no relay or MariaDB");
      return NULL;
    }
  return tto_test_relay_start_with_args (GRACE, args);
}

/* An email + password account on a new connection, left open in *out. */
static TtoFrame *
register_account (TtoTestRelay *relay,
                  TtoTestClient **out,
                  const char *email,
                  const char *username,
                  const char *lifetime)
{
  return tto_test_accounts_register (relay, smtp, email, username, PASSWORD, lifetime, out);
}

/* Signs in on a new connection, as another device would; returns its
 * token, and the connection in *out (or closes it when out is NULL). */
static char *
login_device (TtoTestRelay *relay,
              const char *username,
              const char *identity_id,
              TtoTestClient **out)
{
  TtoTestClient *c = tto_test_client_connect (relay);
  g_autoptr (TtoFrame) answer = tto_test_accounts_login (c, username, PASSWORD);
  char *token = g_strdup (tto_frame_get_string (answer, "token"));

  g_assert_cmpstr (tto_frame_get_string (answer, "identity_id"), ==, identity_id);
  g_assert_nonnull (token);
  g_assert_cmpuint (strlen (token), ==, 43);
  if (out != NULL)
    *out = c;
  else
    tto_test_client_close (c);
  return token;
}

static TtoFrame *
auth (TtoTestClient *c,
      const char *token)
{
  return tto_test_client_request (c, TTO_FRAME_AUTH,
                                  tto_test_json_object ("{\"token\":\"%s\"}", token));
}

/* A new connection authenticates with @token as @identity_id. */
static void
auth_works (TtoTestRelay *relay,
            const char *token,
            const char *identity_id)
{
  TtoTestClient *c = tto_test_client_connect (relay);
  g_autoptr (TtoFrame) answer = auth (c, token);

  if (!tto_frame_is (answer, TTO_FRAME_OK))
    g_error ("auth: %s", tto_frame_serialize (answer, NULL));
  g_assert_cmpstr (tto_frame_get_string (answer, "identity_id"), ==, identity_id);
  tto_test_client_close (c);
}

/* What a new connection hears for a token the relay never issued. */
static char *
unknown_token_message (TtoTestRelay *relay)
{
  TtoTestClient *c = tto_test_client_connect (relay);
  char *message = tto_test_expect_error (auth (c, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                                         "unauthorized");

  tto_test_client_close (c);
  return message;
}

/* A new connection is refused @token exactly as an unknown one. */
static void
auth_refused (TtoTestRelay *relay,
              const char *token)
{
  TtoTestClient *c = tto_test_client_connect (relay);
  g_autofree char *message = tto_test_expect_error (auth (c, token), "unauthorized");
  g_autofree char *unknown = unknown_token_message (relay);

  g_assert_cmpstr (message, ==, unknown);
  tto_test_client_close (c);
}

/* The tokens of @identity_id that end at @expires_at. */
static gint64
count_tokens_until (TtoTestRelay *relay,
                    const char *identity_id,
                    gint64 expires_at)
{
  return tto_test_relay_query_intf (relay,
                                    "SELECT COUNT(*) FROM identity_tokens WHERE"
                                    " identity_id = '%s' AND expires_at = %" G_GINT64_FORMAT,
                                    identity_id, expires_at);
}

/* The one-token-per-identity schema's column: 1 while identities has it. */
static gint64
count_old_token_columns (TtoTestRelay *relay)
{
  return tto_test_relay_query_intf (relay,
                                    "SELECT COUNT(*) FROM information_schema.columns"
                                    " WHERE table_schema = '%s' AND table_name ="
                                    " 'identities' AND column_name = 'token_hash'",
                                    tto_test_relay_get_database (relay));
}

/* -------------------------------------------------------------- tests */

/* Two devices sign in to one account: both tokens work, each stored as a
 * hash only; signing in again on one device replaces only its token. */
static void
test_devices (void)
{
  TtoTestRelay *relay = start_relay ();
  TtoTestClient *first;
  TtoTestClient *phone;
  g_autoptr (TtoFrame) account = NULL;
  g_autofree char *first_token = NULL;
  g_autofree char *desktop_token = NULL;
  g_autofree char *phone_token = NULL;
  g_autofree char *phone_again = NULL;
  const char *identity_id;

  if (relay == NULL)
    return;

  account = register_account (relay, &first, "ana@example.org", "ana.k", "\"lifetime\":\"permanent\"");
  identity_id = tto_frame_get_string (account, "identity_id");
  first_token = g_strdup (tto_frame_get_string (account, "token"));
  tto_test_client_close (first);

  desktop_token = login_device (relay, "ana.k", identity_id, NULL);
  phone_token = login_device (relay, "ana@example.org", identity_id, &phone);
  g_assert_cmpstr (desktop_token, !=, phone_token);
  g_assert_cmpstr (desktop_token, !=, first_token);

  /* Every sign-in's token authenticates new connections. */
  auth_works (relay, first_token, identity_id);
  auth_works (relay, desktop_token, identity_id);
  auth_works (relay, phone_token, identity_id);
  g_assert_cmpint (tto_test_accounts_count_tokens (relay, identity_id), ==, 3);
  /* Hashes only, each 32 bytes, none the token itself. */
  g_assert_cmpint (tto_test_relay_query_intf (relay,
                                              "SELECT COUNT(*) FROM identity_tokens"
                                              " WHERE identity_id = '%s' AND LENGTH(token_hash) = 32"
                                              " AND expires_at IS NULL",
                                              identity_id),
                   ==, 3);
  g_assert_cmpint (tto_test_relay_query_intf (relay,
                                              "SELECT COUNT(*) FROM identity_tokens WHERE"
                                              " token_hash IN ('%s', '%s', '%s')",
                                              first_token, desktop_token, phone_token),
                   ==, 0);
  g_assert_cmpint (count_old_token_columns (relay), ==, 0);

  /* Signing in again on the phone's connection replaces the phone's token
   * and no other. */
  {
    g_autoptr (TtoFrame) again = tto_test_accounts_login (phone, "ana.k", PASSWORD);

    phone_again = g_strdup (tto_frame_get_string (again, "token"));
  }
  g_assert_cmpstr (phone_again, !=, phone_token);
  auth_refused (relay, phone_token);
  auth_works (relay, phone_again, identity_id);
  auth_works (relay, desktop_token, identity_id);
  auth_works (relay, first_token, identity_id);
  g_assert_cmpint (tto_test_accounts_count_tokens (relay, identity_id), ==, 3);

  tto_test_client_close (phone);
  tto_test_relay_stop (relay);
}

/* identity.sign_out revokes the sending connection's token only. */
static void
test_sign_out (void)
{
  TtoTestRelay *relay = start_relay ();
  TtoTestClient *first;
  TtoTestClient *desktop;
  TtoTestClient *phone;
  TtoTestClient *anonymous;
  TtoTestClient *tablet;
  g_autoptr (TtoFrame) account = NULL;
  g_autoptr (TtoFrame) signed_out = NULL;
  g_autofree char *desktop_token = NULL;
  g_autofree char *phone_token = NULL;
  g_autofree char *message = NULL;
  const char *identity_id;

  if (relay == NULL)
    return;

  account = register_account (relay, &first, "bo@example.org", "bo_b", "\"lifetime\":\"permanent\"");
  identity_id = tto_frame_get_string (account, "identity_id");
  tto_test_client_close (first);
  desktop_token = login_device (relay, "bo_b", identity_id, &desktop);
  phone_token = login_device (relay, "bo_b", identity_id, &phone);
  g_assert_cmpint (tto_test_accounts_count_tokens (relay, identity_id), ==, 3);

  /* Not signed in: nothing to sign out. */
  anonymous = tto_test_client_connect (relay);
  message = tto_test_expect_error (
      tto_test_client_request (anonymous, TTO_FRAME_IDENTITY_SIGN_OUT, json_object_new ()),
      "unauthorized");
  tto_test_client_close (anonymous);

  /* The desktop signs out: answered, then its connection closes. */
  signed_out = tto_test_client_request_ok (desktop, TTO_FRAME_IDENTITY_SIGN_OUT,
                                           json_object_new ());
  g_assert_cmpuint (json_object_get_size (signed_out->body), ==, 0);
  g_assert_true (tto_test_client_wait_closed (desktop, TTO_TEST_REQUEST_TIMEOUT_MS));
  g_assert_cmpuint (tto_test_client_get_close_code (desktop), ==, 1000);
  g_assert_cmpint (tto_test_accounts_count_tokens (relay, identity_id), ==, 2);

  /* Its token answers as an unknown one; the phone goes on. */
  auth_refused (relay, desktop_token);
  g_assert_true (tto_test_client_is_open (phone));
  tto_frame_free (tto_test_client_request_ok (phone, TTO_FRAME_IDENTITY_UPDATE,
                                              tto_test_json_object ("{\"display_name\":\"Bo\"}")));
  auth_works (relay, phone_token, identity_id);
  g_assert_cmpint (tto_test_relay_query_intf (relay, "SELECT COUNT(*) FROM identities WHERE id = '%s'",
                                              identity_id),
                   ==, 1);

  /* A connection that authenticated with auth signs out that token: the
   * phone's own connection, signed in with it, stays open. */
  tablet = tto_test_client_connect (relay);
  tto_test_client_auth (tablet, phone_token);
  tto_frame_free (tto_test_client_request_ok (tablet, TTO_FRAME_IDENTITY_SIGN_OUT,
                                              json_object_new ()));
  g_assert_true (tto_test_client_wait_closed (tablet, TTO_TEST_REQUEST_TIMEOUT_MS));
  auth_refused (relay, phone_token);
  g_assert_cmpint (tto_test_accounts_count_tokens (relay, identity_id), ==, 1);
  g_assert_true (tto_test_client_is_open (phone));
  tto_frame_free (tto_test_client_request_ok (phone, TTO_FRAME_PING, NULL));

  tto_test_client_close (tablet);
  tto_test_client_close (desktop);
  tto_test_client_close (phone);
  tto_test_relay_stop (relay);
}

/* "Delete me" on one device ends every device's token. */
static void
test_delete_me (void)
{
  TtoTestRelay *relay = start_relay ();
  TtoTestClient *desktop;
  TtoTestClient *phone;
  g_autoptr (TtoFrame) account = NULL;
  g_autofree char *identity_id = NULL;
  g_autofree char *desktop_token = NULL;
  g_autofree char *phone_token = NULL;

  if (relay == NULL)
    return;

  account = register_account (relay, &desktop, "cy@example.org", "cy_c", "\"lifetime\":\"permanent\"");
  identity_id = g_strdup (tto_frame_get_string (account, "identity_id"));
  desktop_token = g_strdup (tto_frame_get_string (account, "token"));
  phone_token = login_device (relay, "cy_c", identity_id, &phone);
  g_assert_cmpint (tto_test_accounts_count_tokens (relay, identity_id), ==, 2);

  tto_frame_free (tto_test_client_request_ok (phone, TTO_FRAME_IDENTITY_DELETE,
                                              json_object_new ()));
  g_assert_true (tto_test_client_wait_closed (phone, TTO_TEST_REQUEST_TIMEOUT_MS));
  g_assert_true (tto_test_client_wait_closed (desktop, TTO_TEST_REQUEST_TIMEOUT_MS));
  g_assert_cmpint (tto_test_accounts_count_tokens (relay, identity_id), ==, 0);
  auth_refused (relay, desktop_token);
  auth_refused (relay, phone_token);

  tto_test_client_close (desktop);
  tto_test_client_close (phone);
  tto_test_relay_stop (relay);
}

/* A timed identity's tokens move with its expiry and end with it. */
static void
test_expiry (void)
{
  TtoTestRelay *relay = start_relay ();
  TtoTestClient *desktop;
  TtoTestClient *phone;
  g_autoptr (TtoFrame) account = NULL;
  g_autoptr (TtoFrame) extended = NULL;
  g_autofree char *identity_id = NULL;
  g_autofree char *desktop_token = NULL;
  g_autofree char *phone_token = NULL;
  gint64 expires_at;

  if (relay == NULL)
    return;

  account = register_account (relay, &desktop, "di@example.org", "di_d",
                              "\"lifetime\":\"timed\",\"ttl\":3600");
  identity_id = g_strdup (tto_frame_get_string (account, "identity_id"));
  desktop_token = g_strdup (tto_frame_get_string (account, "token"));
  expires_at = json_object_get_int_member (account->body, "expires_at");
  tto_test_client_close (desktop);
  phone_token = login_device (relay, "di_d", identity_id, &phone);
  g_assert_cmpint (count_tokens_until (relay, identity_id, expires_at), ==, 2);

  /* A day's sign-in on the phone extends the identity, and the desktop's
   * token with it. */
  tto_test_relay_advance_clock (relay, 1800);
  extended = tto_test_client_request_ok (
    phone, TTO_FRAME_IDENTITY_LOGIN,
    tto_test_json_object ("{\"login\":\"di_d\",\"password\":\"" PASSWORD "\","
                          "\"lifetime\":\"timed\",\"ttl\":86400}"));
  g_free (phone_token);
  phone_token = g_strdup (tto_frame_get_string (extended, "token"));
  expires_at = json_object_get_int_member (extended->body, "expires_at");
  g_assert_cmpint (count_tokens_until (relay, identity_id, expires_at), ==, 2);
  tto_test_relay_advance_clock (relay, 3600);
  auth_works (relay, desktop_token, identity_id);

  /* At its end every device's token stops. */
  tto_test_relay_advance_clock (relay, 86400);
  tto_test_relay_wait_identity_gone (relay, identity_id);
  g_assert_cmpint (tto_test_accounts_count_tokens (relay, identity_id), ==, 0);
  g_assert_true (tto_test_client_wait_closed (phone, TTO_TEST_REQUEST_TIMEOUT_MS));
  auth_refused (relay, desktop_token);
  auth_refused (relay, phone_token);

  tto_test_client_close (phone);
  tto_test_relay_stop (relay);
}

/* At most 10 tokens: a new sign-in drops the least recently used. */
static void
test_cap (void)
{
  TtoTestRelay *relay = start_relay ();
  TtoTestClient *first;
  g_autoptr (TtoFrame) account = NULL;
  g_autoptr (GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  const char *identity_id;

  if (relay == NULL)
    return;

  /* tokens[0]: the registration's; tokens[1]: the next sign-in. */
  account = register_account (relay, &first, "ed@example.org", "ed_e", "\"lifetime\":\"permanent\"");
  identity_id = tto_frame_get_string (account, "identity_id");
  g_ptr_array_add (tokens, g_strdup (tto_frame_get_string (account, "token")));
  tto_test_client_close (first);
  tto_test_relay_advance_clock (relay, 1);
  g_ptr_array_add (tokens, login_device (relay, "ed_e", identity_id, NULL));
  /* The first device is in use: it is not the one to go. */
  tto_test_relay_advance_clock (relay, 1);
  auth_works (relay, tokens->pdata[0], identity_id);

  while (tokens->len < TOKENS_PER_IDENTITY)
    {
      tto_test_relay_advance_clock (relay, 1);
      g_ptr_array_add (tokens, login_device (relay, "ed_e", identity_id, NULL));
    }
  g_assert_cmpint (tto_test_accounts_count_tokens (relay, identity_id), ==, TOKENS_PER_IDENTITY);

  /* The 11th sign-in drops the least recently used: tokens[1], not the
   * older but used tokens[0]. */
  tto_test_relay_advance_clock (relay, 1);
  g_ptr_array_add (tokens, login_device (relay, "ed_e", identity_id, NULL));
  g_assert_cmpint (tto_test_accounts_count_tokens (relay, identity_id), ==, TOKENS_PER_IDENTITY);
  auth_refused (relay, tokens->pdata[1]);
  for (guint i = 0; i < tokens->len; i++)
    if (i != 1)
      auth_works (relay, tokens->pdata[i], identity_id);

  /* All of them used in the same second: the oldest sign-in goes next. */
  tto_test_relay_advance_clock (relay, 1);
  g_ptr_array_add (tokens, login_device (relay, "ed_e", identity_id, NULL));
  g_assert_cmpint (tto_test_accounts_count_tokens (relay, identity_id), ==, TOKENS_PER_IDENTITY);
  auth_refused (relay, tokens->pdata[0]);
  for (guint i = 2; i < tokens->len; i++)
    auth_works (relay, tokens->pdata[i], identity_id);

  tto_test_relay_stop (relay);
}

/* A database of the one-token-per-identity schema: the upgrade carries
 * each identity's token over, with its lifetime. */
static void
test_migration (void)
{
  TtoTestRelay *relay = start_relay ();
  TtoTestRelay *again;
  TtoTestClient *first;
  TtoTestClient *one;
  g_autoptr (TtoFrame) account = NULL;
  g_autofree char *identity_id = NULL;
  g_autofree char *token = NULL;
  g_autofree char *one_id = NULL;
  g_autofree char *one_token = NULL;
  g_autofree char *sql = NULL;
  gint64 version;

  if (relay == NULL)
    return;

  account = register_account (relay, &first, "fa@example.org", "fa_f", "\"lifetime\":\"permanent\"");
  identity_id = g_strdup (tto_frame_get_string (account, "identity_id"));
  token = g_strdup (tto_frame_get_string (account, "token"));
  tto_test_client_close (first);
  one = tto_test_client_connect (relay);
  one_id = g_strdup (tto_test_client_create_identity (one, "Gu"));
  one_token = g_strdup (tto_test_client_get_token (one));

  /* The tables as an older relay left them: one token_hash per identity. */
  g_assert_cmpint (tto_test_relay_query_intf (relay,
                                              "SELECT COUNT(*) FROM information_schema.tables"
                                              " WHERE table_schema = '%s' AND table_name ="
                                              " 'identity_tokens'",
                                              tto_test_relay_get_database (relay)),
                   ==, 1);
  tto_test_relay_exec (relay, "ALTER TABLE identities ADD COLUMN token_hash BINARY(32) NULL UNIQUE");
  tto_test_relay_exec (relay, "UPDATE identities i SET token_hash ="
                              " (SELECT t.token_hash FROM identity_tokens t"
                              "  WHERE t.identity_id = i.id ORDER BY t.id DESC LIMIT 1)");
  tto_test_relay_exec (relay, "DROP TABLE identity_tokens");
  sql = g_strdup_printf ("UPDATE identities SET kind = 'timed', expires_at = 4102444800"
                         " WHERE id = '%s'", identity_id);
  g_assert_cmpuint (tto_test_relay_exec (relay, sql), ==, 1);
  version = tto_test_relay_forget_migrations (relay, TOKENS_MIGRATION);
  g_assert_cmpint (tto_test_relay_query_int (relay, "SELECT COUNT(*) FROM identities"
                                                    " WHERE LENGTH(token_hash) = 32"),
                   ==, 2);

  /* A relay starting on that database migrates it. */
  again = tto_test_relay_start_on_database (relay, GRACE);
  g_assert_cmpint (tto_test_relay_query_int (relay, "SELECT MAX(version) FROM schema_version"),
                   ==, version);
  g_assert_cmpint (tto_test_accounts_count_tokens (relay, identity_id), ==, 1);
  g_assert_cmpint (tto_test_accounts_count_tokens (relay, one_id), ==, 1);
  g_assert_cmpint (tto_test_relay_query_intf (relay,
                                              "SELECT COUNT(*) FROM identity_tokens WHERE"
                                              " identity_id = '%s' AND expires_at = 4102444800",
                                              identity_id),
                   ==, 1);
  g_assert_cmpint (tto_test_relay_query_intf (relay,
                                              "SELECT COUNT(*) FROM identity_tokens WHERE"
                                              " identity_id = '%s' AND expires_at IS NULL",
                                              one_id),
                   ==, 1);
  g_assert_cmpint (count_old_token_columns (relay), ==, 0);

  /* The old tokens work on the upgraded relay, and the account gets a
   * second device beside the carried-over token. */
  auth_works (again, token, identity_id);
  auth_works (again, one_token, one_id);
  {
    g_autofree char *second = login_device (again, "fa_f", identity_id, NULL);

    auth_works (again, second, identity_id);
    auth_works (again, token, identity_id);
  }
  auth_refused (again, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB");

  tto_test_relay_stop (again);
  tto_test_client_close (one);
  tto_test_relay_stop (relay);
}

int
main (int argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  /* Without MariaDB or the relay each test skips itself. */
  if (tto_test_relay_available (NULL))
    smtp = tto_test_smtp_sink_start ();

  g_test_add_func ("/tokens/devices", test_devices);
  g_test_add_func ("/tokens/sign-out", test_sign_out);
  g_test_add_func ("/tokens/delete-me", test_delete_me);
  g_test_add_func ("/tokens/expiry", test_expiry);
  g_test_add_func ("/tokens/cap", test_cap);
  g_test_add_func ("/tokens/migration", test_migration);

  status = g_test_run ();
  if (smtp != NULL)
    tto_test_smtp_sink_stop (smtp);
  return status;
}
