/* tto-test-identity.c: sign-in by phone and email codes, email + password
 * accounts, ID checks, lifetimes and "delete me", against a real relay,
 * MariaDB, a real SMTP server (Debian's aiosmtpd, tests/smtp-sink.py) and
 * an HTTP SMS gateway served by this program
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "tto-shared.h"
#include "tto-test-accounts.h"
#include "tto-test-harness.h"

#define GRACE 600
#define PHONE "+8613812345678"
#define ID_NUMBER "11010519491231002X"

/* The peers the relay talks to, shared by every test of this program. */
static struct
{
  TtoTestSmsEndpoint *sms;
  TtoTestSmtpSink *smtp;
  char *log_path;
} peers;

/* --------------------------------------------------------------- peers */

static void
start_peers (void)
{
  peers.sms = tto_test_sms_endpoint_start ();
  peers.smtp = tto_test_smtp_sink_start ();
  peers.log_path = g_build_filename (tto_test_smtp_sink_get_dir (peers.smtp), "relay.log", NULL);
}

static void
stop_peers (void)
{
  tto_test_smtp_sink_stop (peers.smtp);
  tto_test_sms_endpoint_stop (peers.sms);
}

static TtoTestRelay *
start_relay (void)
{
  const char *const args[] = { "--test-clock",
                               "--sms-gateway", tto_test_sms_endpoint_get_url (peers.sms),
                               "--smtp-url", tto_test_smtp_sink_get_url (peers.smtp),
                               "--smtp-from", "relay@tto.invalid",
                               NULL };

  return tto_test_relay_start_with_args (GRACE, args);
}

/* The code in the newest text message to @to. */
static char *
sms_code (const char *to)
{
  return tto_test_sms_endpoint_get_code (peers.sms, to);
}

/* The code in the newest mail to @to, as the SMTP server received it. */
static char *
mail_code (const char *to)
{
  char *code = tto_test_smtp_sink_get_code (peers.smtp, to);

  if (code == NULL)
    g_error ("no mail with a code went to %s", to);
  return code;
}

static guint
count_mails (void)
{
  return tto_test_smtp_sink_count (peers.smtp);
}

/* ------------------------------------------------------------- helpers */

static TtoFrame *
request_code (TtoTestClient *c,
              const char *channel,
              const char *address,
              const char *purpose)
{
  return tto_test_client_request (
    c, TTO_FRAME_IDENTITY_CODE_REQUEST,
    tto_test_json_object ("{\"channel\":\"%s\",\"address\":\"%s\",\"purpose\":\"%s\"}", channel,
                          address, purpose));
}

static void
request_code_ok (TtoTestClient *c,
                 const char *channel,
                 const char *address,
                 const char *purpose)
{
  TtoFrame *answer = request_code (c, channel, address, purpose);

  if (!tto_frame_is (answer, TTO_FRAME_OK))
    g_error ("identity.code.request: %s", tto_frame_serialize (answer, NULL));
  g_assert_cmpint (json_object_get_int_member (answer->body, "expires_in"), ==, 600);
  g_assert_cmpint (json_object_get_int_member (answer->body, "resend_after"), ==, 60);
  tto_frame_free (answer);
}

static TtoFrame *
verify_phone (TtoTestClient *c,
              const char *phone,
              const char *code,
              const char *extra)
{
  return tto_test_client_request (
    c, TTO_FRAME_IDENTITY_CODE_VERIFY,
    tto_test_json_object ("{\"channel\":\"phone\",\"address\":\"%s\",\"code\":\"%s\"%s}", phone,
                          code, extra));
}

static TtoFrame *
register_account (TtoTestClient *c,
                  const char *email,
                  const char *code,
                  const char *username,
                  const char *password)
{
  return tto_test_client_request (c, TTO_FRAME_IDENTITY_REGISTER,
                                  tto_test_accounts_register_body (email, code, username, password,
                                                                   "\"lifetime\":\"permanent\""));
}

static TtoFrame *
login (TtoTestClient *c,
       const char *who,
       const char *password)
{
  return tto_test_client_request (c, TTO_FRAME_IDENTITY_LOGIN,
                                  tto_test_accounts_login_body (who, password));
}

/* Signs a new connection in by phone; returns the ok frame. */
static TtoFrame *
phone_sign_in (TtoTestRelay *relay,
               TtoTestClient **out_client,
               const char *phone,
               const char *extra)
{
  TtoTestClient *c = tto_test_client_connect (relay);
  g_autofree char *code = NULL;
  TtoFrame *answer;

  request_code_ok (c, "phone", phone, "sign_in");
  code = sms_code (phone);
  answer = verify_phone (c, phone, code, extra);
  if (!tto_frame_is (answer, TTO_FRAME_OK))
    g_error ("identity.code.verify: %s", tto_frame_serialize (answer, NULL));
  *out_client = c;
  return answer;
}

/* Registers name/email with password on a new connection. */
static TtoFrame *
email_register (TtoTestRelay *relay,
                TtoTestClient **out_client,
                const char *email,
                const char *username,
                const char *password)
{
  TtoTestClient *c = tto_test_client_connect (relay);
  g_autofree char *code = NULL;
  TtoFrame *answer;

  request_code_ok (c, "email", email, "register");
  code = mail_code (email);
  answer = register_account (c, email, code, username, password);
  if (!tto_frame_is (answer, TTO_FRAME_OK))
    g_error ("identity.register: %s", tto_frame_serialize (answer, NULL));
  *out_client = c;
  return answer;
}

static gboolean
verified (TtoFrame *frame,
          const char *what)
{
  return json_object_get_boolean_member (json_object_get_object_member (frame->body, "verified"),
                                         what);
}

static void
auth_refused (TtoTestRelay *relay,
              const char *token)
{
  TtoTestClient *c = tto_test_client_connect (relay);
  g_autofree char *message = NULL;

  message = tto_test_expect_error (
      tto_test_client_request (c, TTO_FRAME_AUTH,
                               tto_test_json_object ("{\"token\":\"%s\"}", token)),
      "unauthorized");
  tto_test_client_close (c);
}

static TtoFrame *
auth_ok (TtoTestClient *c,
         const char *token)
{
  return tto_test_client_request_ok (c, TTO_FRAME_AUTH,
                                     tto_test_json_object ("{\"token\":\"%s\"}", token));
}

static gint64
relay_now (TtoTestRelay *relay)
{
  return tto_test_relay_advance_clock (relay, 0);
}

/* Every row of every table with an identity_id (or creator_id) column that
 * names @identity_id, found through information_schema, so tables added
 * later are checked too. */
static gint64
rows_referring_to (TtoTestRelay *relay,
                   const char *identity_id)
{
  g_autofree char *sql = g_strdup_printf (
    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = '%s'"
    " AND column_name IN ('identity_id', 'creator_id', 'owner_id', 'id')",
    tto_test_relay_get_database (relay));
  g_autoptr (GPtrArray) columns = tto_test_relay_query_rows (relay, sql);
  gint64 total = 0;
  guint tables_with_identity_id = 0;

  for (guint i = 0; i < columns->len; i++)
    {
      char **row = columns->pdata[i];

      /* "id" is the identity's own key only in identities. */
      if (g_str_equal (row[1], "id") && !g_str_equal (row[0], "identities"))
        continue;
      if (g_str_equal (row[1], "identity_id"))
        tables_with_identity_id++;
      total += tto_test_relay_query_intf (relay, "SELECT COUNT(*) FROM `%s` WHERE `%s` = '%s'",
                                          row[0], row[1], identity_id);
    }
  /* members, grants, applications, identity_links at least */
  g_assert_cmpuint (tables_with_identity_id, >=, 4);
  return total;
}

/* -------------------------------------------------------------- tests */

static void
test_methods (void)
{
  TtoTestRelay *relay = start_relay ();
  TtoTestRelay *bare;
  TtoTestClient *c;
  g_autoptr (TtoFrame) methods = NULL;
  g_autoptr (TtoFrame) bare_methods = NULL;
  g_autofree char *message = NULL;
  JsonArray *ttls;

  if (relay == NULL)
    return;

  c = tto_test_client_connect (relay);
  methods = tto_test_client_request_ok (c, TTO_FRAME_IDENTITY_METHODS, json_object_new ());
  g_assert_true (json_object_get_boolean_member (methods->body, "phone"));
  g_assert_true (json_object_get_boolean_member (methods->body, "email"));
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (methods->body, "providers")));
  ttls = json_object_get_array_member (methods->body, "ttls");
  g_assert_cmpuint (json_array_get_length (ttls), ==, 3);
  g_assert_cmpint (json_array_get_int_element (ttls, 0), ==, 3600);
  g_assert_cmpint (json_array_get_int_element (ttls, 1), ==, 86400);
  g_assert_cmpint (json_array_get_int_element (ttls, 2), ==, 604800);

  /* identity.create makes one-time identities only. */
  message = tto_test_expect_error (
      tto_test_client_request (c, TTO_FRAME_IDENTITY_CREATE,
                               tto_test_json_object ("{\"lifetime\":\"permanent\","
                                                     "\"display_name\":\"Ana\"}")),
      "bad_frame");
  g_assert_nonnull (strstr (message, "identity.register"));
  g_clear_pointer (&message, g_free);
  message = tto_test_expect_error (
      tto_test_client_request (c, TTO_FRAME_IDENTITY_CREATE,
                               tto_test_json_object ("{\"kind\":\"timed\","
                                                     "\"display_name\":\"Ana\"}")),
      "bad_frame");
  g_clear_pointer (&message, g_free);

  /* A one-time identity says so, with the new members of the body. */
  {
    g_autoptr (TtoFrame) created = tto_test_client_request_ok (
      c, TTO_FRAME_IDENTITY_CREATE, tto_test_json_object ("{\"display_name\":\"Ana\"}"));

    g_assert_cmpstr (tto_frame_get_string (created, "kind"), ==, "one_time");
    g_assert_true (json_object_get_null_member (created->body, "expires_at"));
    g_assert_false (verified (created, "phone"));
    g_assert_false (verified (created, "id"));
  }

  /* Lifetime fields are checked. */
  message = tto_test_expect_error (verify_phone (c, PHONE, "123456", ",\"lifetime\":\"timed\""),
                                   "bad_frame");
  g_assert_nonnull (strstr (message, "ttl"));
  g_clear_pointer (&message, g_free);
  message = tto_test_expect_error (
      verify_phone (c, PHONE, "123456", ",\"lifetime\":\"timed\",\"ttl\":1000"), "bad_frame");
  g_clear_pointer (&message, g_free);
  message = tto_test_expect_error (verify_phone (c, PHONE, "123456", ",\"lifetime\":\"forever\""),
                                   "bad_frame");
  g_clear_pointer (&message, g_free);
  tto_test_client_close (c);

  /* A relay without gateway or SMTP offers neither. */
  {
    const char *const args[] = { "--test-clock", NULL };

    bare = tto_test_relay_start_with_args (GRACE, args);
  }
  c = tto_test_client_connect (bare);
  bare_methods = tto_test_client_request_ok (c, TTO_FRAME_IDENTITY_METHODS, json_object_new ());
  g_assert_false (json_object_get_boolean_member (bare_methods->body, "phone"));
  g_assert_false (json_object_get_boolean_member (bare_methods->body, "email"));
  message = tto_test_expect_error (request_code (c, "phone", PHONE, "sign_in"), "unavailable");
  g_clear_pointer (&message, g_free);
  message = tto_test_expect_error (request_code (c, "email", "ana@example.org", "register"),
                                   "unavailable");
  tto_test_client_close (c);
  tto_test_relay_stop (bare);
  tto_test_relay_stop (relay);
}

static void
test_phone (void)
{
  TtoTestRelay *relay = start_relay ();
  TtoTestClient *c;
  TtoTestClient *again;
  g_autoptr (TtoFrame) signed_in = NULL;
  g_autoptr (TtoFrame) second = NULL;
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;
  g_autofree char *token = NULL;
  g_autofree char *identity_id = NULL;
  g_autoptr (TtoFrame) rate = NULL;
  guint posts;
  gint64 now;

  if (relay == NULL)
    return;

  c = tto_test_client_connect (relay);

  /* Bad numbers never reach the gateway. */
  posts = tto_test_sms_endpoint_count (peers.sms);
  g_clear_pointer (&message, g_free);
  message =
      tto_test_expect_error (request_code (c, "phone", "13812345678", "sign_in"), "bad_frame");
  g_assert_nonnull (strstr (message, "E.164"));
  g_clear_pointer (&message, g_free);
  message =
      tto_test_expect_error (request_code (c, "phone", "+86 138 1234", "sign_in"), "bad_frame");
  g_clear_pointer (&message, g_free);
  message = tto_test_expect_error (request_code (c, "fax", PHONE, "sign_in"), "bad_frame");
  g_clear_pointer (&message, g_free);
  g_assert_cmpuint (tto_test_sms_endpoint_count (peers.sms), ==, posts);

  /* The gateway gets {"to", "text"} with the code. */
  request_code_ok (c, "phone", PHONE, "sign_in");
  g_assert_cmpuint (tto_test_sms_endpoint_count (peers.sms), ==, posts + 1);
  code = sms_code (PHONE);
  g_assert_cmpuint (strlen (code), ==, 6);

  /* Resending within 60 s is refused with the seconds left. */
  rate = request_code (c, "phone", PHONE, "sign_in");
  g_assert_cmpstr (tto_frame_get_string (rate, "code"), ==, "rate_limited");
  g_assert_cmpint (json_object_get_int_member (rate->body, "retry_after"), >, 0);
  g_assert_cmpint (json_object_get_int_member (rate->body, "retry_after"), <=, 60);
  g_assert_nonnull (strstr (tto_frame_get_string (rate, "message"), "seconds"));
  g_assert_cmpuint (tto_test_sms_endpoint_count (peers.sms), ==, posts + 1);

  /* A wrong code says how many attempts are left; the right one still works. */
  message =
      tto_test_expect_error (verify_phone (c, PHONE, strcmp (code, "000000") ? "000000" : "111111",
                                           ",\"display_name\":\"Ana\",\"lifetime\":\"timed\","
                                           "\"ttl\":86400"),
                             "bad_code");
  g_assert_nonnull (strstr (message, "4 attempts left"));
  g_clear_pointer (&message, g_free);

  /* A new timed identity needs a name; the code survives the refusal. */
  message = tto_test_expect_error (
      verify_phone (c, PHONE, code, ",\"lifetime\":\"timed\",\"ttl\":86400"), "bad_frame");
  g_assert_nonnull (strstr (message, "display_name"));
  g_clear_pointer (&message, g_free);

  now = relay_now (relay);
  signed_in = verify_phone (c, PHONE, code,
                            ",\"display_name\":\"Ana\",\"lifetime\":\"timed\",\"ttl\":86400");
  g_assert_true (tto_frame_is (signed_in, TTO_FRAME_OK));
  g_assert_cmpstr (tto_frame_get_string (signed_in, "kind"), ==, "timed");
  g_assert_cmpstr (tto_frame_get_string (signed_in, "display_name"), ==, "Ana");
  g_assert_true (verified (signed_in, "phone"));
  g_assert_false (verified (signed_in, "email"));
  g_assert_cmpint (json_object_get_int_member (signed_in->body, "expires_at"), >=, now + 86400);
  g_assert_cmpint (json_object_get_int_member (signed_in->body, "expires_at"), <=, now + 86402);
  token = g_strdup (tto_frame_get_string (signed_in, "token"));
  identity_id = g_strdup (tto_frame_get_string (signed_in, "identity_id"));

  /* The code is used up. */
  message = tto_test_expect_error (verify_phone (c, PHONE, code, ",\"display_name\":\"Ana\""),
                                   "conflict");
  g_clear_pointer (&message, g_free);
  tto_test_client_close (c);
  c = tto_test_client_connect (relay);
  message =
      tto_test_expect_error (verify_phone (c, PHONE, code, ",\"display_name\":\"Ana\""), "expired");
  g_clear_pointer (&message, g_free);

  /* auth answers kind, expiry and flags. */
  {
    g_autoptr (TtoFrame) authed = auth_ok (c, token);

    g_assert_cmpstr (tto_frame_get_string (authed, "identity_id"), ==, identity_id);
    g_assert_cmpstr (tto_frame_get_string (authed, "kind"), ==, "timed");
    g_assert_null (tto_frame_get_string (authed, "token"));
    g_assert_cmpint (json_object_get_int_member (authed->body, "expires_at"), ==,
                     json_object_get_int_member (signed_in->body, "expires_at"));
    g_assert_true (verified (authed, "phone"));
  }

  /* Signing in again later (another device) finds the same identity,
   * extends it, and issues a token of its own: the first device's token
   * keeps working, with the later expiry (tests/tto-test-tokens.c). */
  tto_test_relay_advance_clock (relay, 61);
  second = phone_sign_in (relay, &again, PHONE, ",\"lifetime\":\"timed\",\"ttl\":604800");
  g_assert_cmpstr (tto_frame_get_string (second, "identity_id"), ==, identity_id);
  g_assert_cmpstr (tto_frame_get_string (second, "display_name"), ==, "Ana");
  g_assert_cmpint (json_object_get_int_member (second->body, "expires_at"), >,
                   json_object_get_int_member (signed_in->body, "expires_at"));
  g_assert_cmpstr (tto_frame_get_string (second, "token"), !=, token);
  {
    TtoTestClient *first_device = tto_test_client_connect (relay);
    g_autoptr (TtoFrame) authed = auth_ok (first_device, token);

    g_assert_cmpint (json_object_get_int_member (authed->body, "expires_at"), ==,
                     json_object_get_int_member (second->body, "expires_at"));
    tto_test_client_close (first_device);
  }
  tto_test_client_close (again);
  tto_test_client_close (c);

  /* A shorter ttl never shortens the lifetime. */
  tto_test_relay_advance_clock (relay, 61);
  {
    g_autoptr (TtoFrame) third = phone_sign_in (relay, &again, PHONE,
                                                ",\"lifetime\":\"timed\",\"ttl\":3600");

    g_assert_cmpint (json_object_get_int_member (third->body, "expires_at"), ==,
                     json_object_get_int_member (second->body, "expires_at"));
    tto_test_client_close (again);
  }

  /* One-time sign-ins by phone are never linked: each is new. */
  {
    g_autoptr (TtoFrame) one = NULL;
    g_autoptr (TtoFrame) two = NULL;

    one = phone_sign_in (relay, &again, "+8613900000001", ",\"display_name\":\"Bo\"");
    g_assert_cmpstr (tto_frame_get_string (one, "kind"), ==, "one_time");
    g_assert_true (verified (one, "phone"));
    tto_test_client_close (again);
    tto_test_relay_advance_clock (relay, 61);
    two = phone_sign_in (relay, &again, "+8613900000001", ",\"display_name\":\"Bo\"");
    g_assert_cmpstr (tto_frame_get_string (one, "identity_id"), !=,
                     tto_frame_get_string (two, "identity_id"));
    tto_test_client_close (again);
  }

  /* Five wrong attempts kill the code: the sixth is rate_limited even
   * with the right digits. */
  c = tto_test_client_connect (relay);
  g_clear_pointer (&code, g_free);
  request_code_ok (c, "phone", "+8613900000002", "sign_in");
  code = sms_code ("+8613900000002");
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *wrong = g_strdup_printf ("%06u", (guint) (g_ascii_strtoull (code, NULL, 10)
                                                                 + 1 + i) % 1000000);

      message = tto_test_expect_error (
          verify_phone (c, "+8613900000002", wrong, ",\"display_name\":\"Cy\""), "bad_code");
      g_assert_nonnull (strstr (message, i == 3 ? "1 attempt left" : "attempts left"));
      g_clear_pointer (&message, g_free);
    }
  {
    TtoFrame *sixth = verify_phone (c, "+8613900000002", code, ",\"display_name\":\"Cy\"");

    g_assert_cmpstr (tto_frame_get_string (sixth, "code"), ==, "rate_limited");
    g_assert_true (json_object_has_member (sixth->body, "retry_after"));
    tto_frame_free (sixth);
  }

  /* A code expires after 10 minutes (relay clock). */
  g_clear_pointer (&code, g_free);
  request_code_ok (c, "phone", "+8613900000003", "sign_in");
  code = sms_code ("+8613900000003");
  tto_test_relay_advance_clock (relay, 601);
  message = tto_test_expect_error (
      verify_phone (c, "+8613900000003", code, ",\"display_name\":\"Di\""), "expired");
  g_clear_pointer (&message, g_free);

  /* A gateway that refuses: unavailable, and no code to guess. */
  tto_test_sms_endpoint_set_status (peers.sms, SOUP_STATUS_INTERNAL_SERVER_ERROR);
  message =
      tto_test_expect_error (request_code (c, "phone", "+8613900000004", "sign_in"), "unavailable");
  g_clear_pointer (&message, g_free);
  tto_test_sms_endpoint_set_status (peers.sms, SOUP_STATUS_OK);
  message = tto_test_expect_error (
      verify_phone (c, "+8613900000004", "123456", ",\"display_name\":\"E\""), "expired");
  g_clear_pointer (&message, g_free);

  /* Per address: 5 codes an hour. */
  tto_test_relay_advance_clock (relay, 3600);
  for (guint i = 0; i < 5; i++)
    {
      request_code_ok (c, "phone", "+8613900000005", "sign_in");
      tto_test_relay_advance_clock (relay, 61);
    }
  message = tto_test_expect_error (request_code (c, "phone", "+8613900000005", "sign_in"),
                                   "rate_limited");
  g_clear_pointer (&message, g_free);

  /* Per source address: 20 code requests an hour, whatever the number. */
  tto_test_relay_advance_clock (relay, 3600);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *phone = g_strdup_printf ("+86139000001%02u", i);

      request_code_ok (c, "phone", phone, "sign_in");
    }
  message = tto_test_expect_error (request_code (c, "phone", "+8613900000199", "sign_in"),
                                   "rate_limited");
  g_clear_pointer (&message, g_free);

  tto_test_client_close (c);
  tto_test_relay_stop (relay);
}

static void
test_email_account (void)
{
  TtoTestRelay *relay = start_relay ();
  TtoTestClient *c;
  TtoTestClient *other;
  g_autoptr (TtoFrame) account = NULL;
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;
  guint mails;
  const char *email = "ana.k@example.org";

  if (relay == NULL)
    return;

  c = tto_test_client_connect (relay);
  message = tto_test_expect_error (request_code (c, "email", "ana at example.org", "register"),
                                   "bad_frame");
  g_clear_pointer (&message, g_free);
  message = tto_test_expect_error (
      request_code (c, "email", "ana@example.org\\r\\nBcc: x@y.org", "register"), "bad_frame");
  g_clear_pointer (&message, g_free);

  /* The code arrives by SMTP. */
  mails = count_mails ();
  request_code_ok (c, "email", "Ana.K@Example.org", "register");
  g_assert_cmpuint (count_mails (), ==, mails + 1);
  code = mail_code (email);

  /* Bad usernames, then each password rule, named in the message. */
  message = tto_test_expect_error (register_account (c, email, code, "a", "horse battery 7"),
                                   "bad_frame");
  g_assert_nonnull (strstr (message, "username"));
  g_clear_pointer (&message, g_free);
  message = tto_test_expect_error (register_account (c, email, code, "ana k", "horse battery 7"),
                                   "bad_frame");
  g_clear_pointer (&message, g_free);
  message = tto_test_expect_error (register_account (c, email, code, "ana.k", "short 7"),
                                   "weak_password");
  g_assert_nonnull (strstr (message, "10 characters"));
  g_clear_pointer (&message, g_free);
  message = tto_test_expect_error (register_account (c, email, code, "ana.k", "onlyletterswords"),
                                   "weak_password");
  g_assert_nonnull (strstr (message, "two kinds"));
  g_clear_pointer (&message, g_free);
  message = tto_test_expect_error (register_account (c, email, code, "ana.k", "12345678901234"),
                                   "weak_password");
  g_assert_nonnull (strstr (message, "two kinds"));
  g_clear_pointer (&message, g_free);
  message = tto_test_expect_error (register_account (c, email, code, "ana.k2024x", "ANA.K2024X"),
                                   "weak_password");
  g_assert_nonnull (strstr (message, "username"));
  g_clear_pointer (&message, g_free);
  message = tto_test_expect_error (register_account (c, email, code, "ana.k", "Ana.K@example.org"),
                                   "weak_password");
  g_assert_nonnull (strstr (message, "email"));
  g_clear_pointer (&message, g_free);

  /* A wrong code, and a sign-in code used for registering, are refused. */
  message = tto_test_expect_error (register_account (c, email,
                                                     strcmp (code, "000000") ? "000000" : "999999",
                                                     "ana.k", "horse battery 7"),
                                   "bad_code");
  g_clear_pointer (&message, g_free);

  account = register_account (c, email, code, "Ana.K", "horse battery 7");
  g_assert_true (tto_frame_is (account, TTO_FRAME_OK));
  g_assert_cmpstr (tto_frame_get_string (account, "kind"), ==, "permanent");
  g_assert_true (json_object_get_null_member (account->body, "expires_at"));
  g_assert_true (verified (account, "email"));
  g_assert_nonnull (tto_frame_get_string (account, "token"));
  g_assert_cmpint (tto_test_relay_query_intf (
                     relay, "SELECT COUNT(*) FROM identities WHERE id = '%s' AND password_hash "
                            "LIKE '$argon2id$%%'",
                     tto_frame_get_string (account, "identity_id")),
                   ==, 1);
  g_assert_cmpint (tto_test_relay_query_intf (
                     relay, "SELECT COUNT(*) FROM identity_links WHERE identity_id = '%s'",
                     tto_frame_get_string (account, "identity_id")),
                   ==, 2);

  /* identity.update renames and answers without a token. */
  {
    g_autoptr (TtoFrame) renamed = tto_test_client_request_ok (
      c, TTO_FRAME_IDENTITY_UPDATE, tto_test_json_object ("{\"display_name\":\"  Ana   K. \"}"));

    g_assert_cmpstr (tto_frame_get_string (renamed, "display_name"), ==, "Ana K.");
    g_assert_null (tto_frame_get_string (renamed, "token"));
    g_assert_true (verified (renamed, "email"));
  }
  tto_test_client_close (c);

  /* The same username with another email: conflict, and the code stays
   * good for a second try with another username. */
  other = tto_test_client_connect (relay);
  g_clear_pointer (&code, g_free);
  request_code_ok (other, "email", "bo@example.org", "register");
  code = mail_code ("bo@example.org");
  message = tto_test_expect_error (
      register_account (other, "bo@example.org", code, "ana.k", "horse battery 8"), "conflict");
  g_assert_nonnull (strstr (message, "username"));
  g_clear_pointer (&message, g_free);
  {
    g_autoptr (TtoFrame) bo = register_account (other, "bo@example.org", code, "bo.b",
                                                "horse battery 8");

    if (!tto_frame_is (bo, TTO_FRAME_OK))
      g_error ("second try: %s", tto_frame_serialize (bo, NULL));
  }
  tto_test_client_close (other);

  /* The same email again: conflict. */
  other = tto_test_client_connect (relay);
  tto_test_relay_advance_clock (relay, 61);
  g_clear_pointer (&code, g_free);
  request_code_ok (other, "email", email, "register");
  code = mail_code (email);
  message = tto_test_expect_error (
      register_account (other, email, code, "ana.other", "horse battery 9"), "conflict");
  g_assert_nonnull (strstr (message, "email"));
  g_clear_pointer (&message, g_free);

  /* A register code does not sign in by code.verify, and vice versa. */
  message = tto_test_expect_error (
      tto_test_client_request (other, TTO_FRAME_IDENTITY_CODE_VERIFY,
                               tto_test_json_object ("{\"channel\":\"email\",\"address\":\"%s\","
                                                     "\"code\":\"%s\",\"display_name\":\"A\"}",
                                                     email, code)),
      "bad_code");
  g_clear_pointer (&message, g_free);
  tto_test_client_close (other);

  /* Email code sign-in finds the account. */
  tto_test_relay_advance_clock (relay, 61);
  other = tto_test_client_connect (relay);
  g_clear_pointer (&code, g_free);
  request_code_ok (other, "email", email, "sign_in");
  code = mail_code (email);
  {
    g_autoptr (TtoFrame) by_code = tto_test_client_request_ok (
      other, TTO_FRAME_IDENTITY_CODE_VERIFY,
      tto_test_json_object ("{\"channel\":\"email\",\"address\":\"%s\",\"code\":\"%s\","
                            "\"lifetime\":\"timed\",\"ttl\":3600}",
                            email, code));

    g_assert_cmpstr (tto_frame_get_string (by_code, "identity_id"), ==,
                     tto_frame_get_string (account, "identity_id"));
    /* Permanent stays permanent. */
    g_assert_cmpstr (tto_frame_get_string (by_code, "kind"), ==, "permanent");
    g_assert_cmpstr (tto_frame_get_string (by_code, "display_name"), ==, "Ana K.");
  }
  tto_test_client_close (other);
  tto_test_relay_stop (relay);
}

static void
test_login (void)
{
  TtoTestRelay *relay = start_relay ();
  TtoTestClient *c;
  g_autoptr (TtoFrame) account = NULL;
  g_autofree char *wrong_password = NULL;
  g_autofree char *unknown_user = NULL;
  g_autofree char *message = NULL;
  const char *identity_id;

  if (relay == NULL)
    return;

  account = email_register (relay, &c, "cy@example.org", "cy_2", "horse battery 7");
  identity_id = tto_frame_get_string (account, "identity_id");
  tto_test_client_close (c);

  /* By username (any case) and by email. */
  c = tto_test_client_connect (relay);
  {
    g_autoptr (TtoFrame) ok = login (c, "CY_2", "horse battery 7");

    g_assert_true (tto_frame_is (ok, TTO_FRAME_OK));
    g_assert_cmpstr (tto_frame_get_string (ok, "identity_id"), ==, identity_id);
    g_assert_cmpstr (tto_frame_get_string (ok, "kind"), ==, "permanent");
    g_assert_true (verified (ok, "email"));
  }
  tto_test_client_close (c);
  c = tto_test_client_connect (relay);
  {
    g_autoptr (TtoFrame) ok = login (c, "Cy@Example.org", "horse battery 7");

    g_assert_cmpstr (tto_frame_get_string (ok, "identity_id"), ==, identity_id);
  }
  tto_test_client_close (c);

  /* Wrong password and unknown user: one answer. */
  c = tto_test_client_connect (relay);
  wrong_password = tto_test_expect_error (login (c, "cy_2", "horse battery 8"), "unauthorized");
  unknown_user =
      tto_test_expect_error (login (c, "nobody_here", "horse battery 7"), "unauthorized");
  g_assert_cmpstr (wrong_password, ==, unknown_user);
  g_assert_cmpstr (wrong_password, ==, "login or password is wrong");

  /* 5 failures per account in 15 minutes: then even the right password
   * waits. */
  for (guint i = 0; i < 4; i++)
    {
      message = tto_test_expect_error (login (c, "cy_2", "horse battery 8"), "unauthorized");
      g_clear_pointer (&message, g_free);
    }
  {
    TtoFrame *limited = login (c, "cy_2", "horse battery 7");

    g_assert_cmpstr (tto_frame_get_string (limited, "code"), ==, "rate_limited");
    g_assert_cmpint (json_object_get_int_member (limited->body, "retry_after"), >, 0);
    g_assert_cmpint (json_object_get_int_member (limited->body, "retry_after"), <=, 900);
    tto_frame_free (limited);
  }
  tto_test_relay_advance_clock (relay, 901);
  {
    g_autoptr (TtoFrame) ok = login (c, "cy_2", "horse battery 7");

    g_assert_true (tto_frame_is (ok, TTO_FRAME_OK));
  }
  tto_test_client_close (c);

  /* 20 failures from one network address, whatever the login. */
  c = tto_test_client_connect (relay);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *who = g_strdup_printf ("nobody%u", i);

      message = tto_test_expect_error (login (c, who, "horse battery 7"), "unauthorized");
      g_clear_pointer (&message, g_free);
    }
  message = tto_test_expect_error (login (c, "cy_2", "horse battery 7"), "rate_limited");
  g_clear_pointer (&message, g_free);
  tto_test_client_close (c);
  tto_test_relay_stop (relay);
}

static void
test_id_check (void)
{
  TtoTestRelay *relay = start_relay ();
  TtoTestClient *ana;
  TtoTestClient *bo;
  g_autofree char *message = NULL;
  g_autoptr (TtoFrame) checked = NULL;
  struct
  {
    const char *number;
    const char *says;
  } bad[] = {
    { "11010519491231002", "18 characters" },
    { "1101051949123100X2", "not a digit" },
    { "11010519491231002Y", "digit or X" },
    { "110105194912310021", "check digit" },
    { "110105194913310028", "birth date" }, /* month 13 */
    { "110105189912310026", "birth date" }, /* 1899 */
    { "110105209912310029", "future" },
  };

  if (relay == NULL)
    return;

  ana = tto_test_client_connect (relay);
  message = tto_test_expect_error (
      tto_test_client_request (
          ana, TTO_FRAME_IDENTITY_ID_CHECK,
          tto_test_json_object ("{\"name\":\"张三\",\"id_number\":\"%s\"}", ID_NUMBER)),
      "unauthorized");
  g_clear_pointer (&message, g_free);
  tto_test_client_create_identity (ana, "Ana");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      message = tto_test_expect_error (
          tto_test_client_request (
              ana, TTO_FRAME_IDENTITY_ID_CHECK,
              tto_test_json_object ("{\"name\":\"张三\",\"id_number\":\"%s\"}", bad[i].number)),
          "bad_frame");
      if (strstr (message, bad[i].says) == NULL)
        g_error ("%s: '%s' does not say '%s'", bad[i].number, message, bad[i].says);
      g_clear_pointer (&message, g_free);
    }
  message = tto_test_expect_error (
      tto_test_client_request (
          ana, TTO_FRAME_IDENTITY_ID_CHECK,
          tto_test_json_object ("{\"name\":\"  \",\"id_number\":\"%s\"}", ID_NUMBER)),
      "bad_frame");
  g_clear_pointer (&message, g_free);
  g_assert_cmpint (tto_test_relay_query_int (relay, "SELECT COUNT(*) FROM identities WHERE "
                                                    "id_verified = 1"),
                   ==, 0);

  /* A lower-case x is the same check character. */
  checked = tto_test_client_request_ok (
    ana, TTO_FRAME_IDENTITY_ID_CHECK,
    tto_test_json_object ("{\"name\":\"张三\",\"id_number\":\"11010519491231002x\"}"));
  g_assert_true (json_object_get_boolean_member (
    json_object_get_object_member (checked->body, "verified"), "id"));
  g_assert_cmpint (tto_test_relay_query_intf (
                     relay, "SELECT COUNT(*) FROM identities WHERE id = '%s' AND id_verified = 1"
                            " AND id_check_hash IS NOT NULL",
                     tto_test_client_get_identity_id (ana)),
                   ==, 1);

  /* The flag outlives a reconnect. */
  {
    TtoTestClient *again = tto_test_client_connect (relay);
    g_autoptr (TtoFrame) authed = auth_ok (again, tto_test_client_get_token (ana));

    g_assert_true (verified (authed, "id"));
    tto_test_client_close (again);
  }

  /* The same number cannot verify a second identity. */
  bo = tto_test_client_connect (relay);
  tto_test_client_create_identity (bo, "Bo");
  message = tto_test_expect_error (
      tto_test_client_request (
          bo, TTO_FRAME_IDENTITY_ID_CHECK,
          tto_test_json_object ("{\"name\":\"李四\",\"id_number\":\"%s\"}", ID_NUMBER)),
      "conflict");
  g_clear_pointer (&message, g_free);

  tto_test_client_close (bo);
  tto_test_client_close (ana);
  tto_test_relay_stop (relay);
}

static void
test_lifetime_expiry (void)
{
  TtoTestRelay *relay = start_relay ();
  TtoTestClient *ana;
  TtoTestClient *bo;
  g_autoptr (TtoFrame) signed_in = NULL;
  g_autoptr (JsonObject) event = NULL;
  g_autoptr (TtoFrame) ended = NULL;
  g_autofree char *identity_id = NULL;
  g_autofree char *token = NULL;

  if (relay == NULL)
    return;

  signed_in = phone_sign_in (relay, &ana, PHONE,
                             ",\"display_name\":\"Ana\",\"lifetime\":\"timed\",\"ttl\":3600");
  identity_id = g_strdup (tto_frame_get_string (signed_in, "identity_id"));
  token = g_strdup (tto_frame_get_string (signed_in, "token"));
  event = tto_test_client_create_event (ana, "Site visit", 0);
  bo = tto_test_client_connect (relay);
  tto_test_client_create_identity (bo, "Bo");
  tto_test_client_join (bo, json_object_get_string_member (event, "invite_code"));

  /* Still there just before the hour, connected or not. */
  tto_test_relay_advance_clock (relay, 3500);
  tto_test_iterate_ms (200);
  g_assert_cmpint (tto_test_relay_query_intf (relay, "SELECT COUNT(*) FROM identities WHERE id = "
                                                     "'%s'",
                                              identity_id),
                   ==, 1);

  /* At expiry the sweeper deletes it although it is connected. */
  tto_test_relay_advance_clock (relay, 101);
  tto_test_relay_wait_identity_gone (relay, identity_id);
  g_assert_cmpint (rows_referring_to (relay, identity_id), ==, 0);
  g_assert_true (tto_test_client_wait_closed (ana, TTO_TEST_REQUEST_TIMEOUT_MS));
  ended = tto_test_client_wait_push (bo, TTO_FRAME_EVENT_ENDED, TTO_TEST_REQUEST_TIMEOUT_MS);
  g_assert_nonnull (ended);
  g_assert_cmpstr (tto_frame_get_string (ended, "reason"), ==, "creator_left");
  auth_refused (relay, token);

  tto_test_client_close (ana);
  tto_test_client_close (bo);
  tto_test_relay_stop (relay);
}

static void
test_delete_me (void)
{
  TtoTestRelay *relay = start_relay ();
  TtoTestClient *ana;
  TtoTestClient *ana_phone;
  TtoTestClient *bo;
  g_autoptr (TtoFrame) account = NULL;
  g_autoptr (JsonObject) event = NULL;
  g_autoptr (JsonObject) bo_event = NULL;
  g_autoptr (TtoFrame) ended = NULL;
  g_autoptr (TtoFrame) deleted = NULL;
  g_autofree char *identity_id = NULL;
  g_autofree char *token = NULL;
  g_autofree char *message = NULL;

  if (relay == NULL)
    return;

  account = email_register (relay, &ana, "di@example.org", "di.d", "horse battery 7");
  identity_id = g_strdup (tto_frame_get_string (account, "identity_id"));
  token = g_strdup (tto_frame_get_string (account, "token"));
  tto_frame_free (tto_test_client_request_ok (
    ana, TTO_FRAME_IDENTITY_ID_CHECK,
    tto_test_json_object ("{\"name\":\"张三\",\"id_number\":\"%s\"}", ID_NUMBER)));

  /* Ana creates an event, joins Bo's, and holds a second connection. */
  event = tto_test_client_create_event (ana, "Wedding helpers", 0);
  bo = tto_test_client_connect (relay);
  tto_test_client_create_identity (bo, "Bo");
  tto_test_client_join (bo, json_object_get_string_member (event, "invite_code"));
  bo_event = tto_test_client_create_event (bo, "Bo's board", 0);
  tto_test_client_join (ana, json_object_get_string_member (bo_event, "invite_code"));
  ana_phone = tto_test_client_connect (relay);
  tto_frame_free (auth_ok (ana_phone, token));
  g_assert_cmpint (rows_referring_to (relay, identity_id), >=, 5);

  deleted = tto_test_client_request_ok (ana, TTO_FRAME_IDENTITY_DELETE, json_object_new ());
  g_assert_cmpuint (json_object_get_size (deleted->body), ==, 0);

  /* Every connection closes; her event ends for Bo; no row names her. */
  g_assert_true (tto_test_client_wait_closed (ana, TTO_TEST_REQUEST_TIMEOUT_MS));
  g_assert_true (tto_test_client_wait_closed (ana_phone, TTO_TEST_REQUEST_TIMEOUT_MS));
  ended = tto_test_client_wait_push (bo, TTO_FRAME_EVENT_ENDED, TTO_TEST_REQUEST_TIMEOUT_MS);
  g_assert_nonnull (ended);
  g_assert_cmpstr (tto_frame_get_string (ended, "event_id"), ==,
                   json_object_get_string_member (event, "event_id"));
  g_assert_cmpstr (tto_frame_get_string (ended, "reason"), ==, "creator_left");
  g_assert_cmpint (rows_referring_to (relay, identity_id), ==, 0);
  g_assert_cmpint (tto_test_relay_query_intf (relay, "SELECT COUNT(*) FROM events WHERE id = '%s'",
                                              json_object_get_string_member (event, "event_id")),
                   ==, 0);
  /* Bo's event lives on without her. */
  g_assert_cmpint (tto_test_relay_query_intf (relay, "SELECT COUNT(*) FROM members WHERE "
                                                     "event_id = '%s'",
                                              json_object_get_string_member (bo_event,
                                                                             "event_id")),
                   ==, 1);
  auth_refused (relay, token);

  /* Her username and email are free again; the password is gone. */
  {
    TtoTestClient *c = tto_test_client_connect (relay);

    message = tto_test_expect_error (login (c, "di.d", "horse battery 7"), "unauthorized");
    tto_test_client_close (c);
  }
  {
    TtoTestClient *c = NULL;
    g_autoptr (TtoFrame) again = NULL;

    tto_test_relay_advance_clock (relay, 61);
    again = email_register (relay, &c, "di@example.org", "di.d", "horse battery 7");
    g_assert_cmpstr (tto_frame_get_string (again, "identity_id"), !=, identity_id);
    tto_test_client_close (c);
  }

  tto_test_client_close (ana);
  tto_test_client_close (ana_phone);
  tto_test_client_close (bo);
  tto_test_relay_stop (relay);
}

/* One-time identities (also those made by a phone code) go within the
 * hour after their last connection closes. */
static void
test_one_time_sweep (void)
{
  TtoTestRelay *relay = start_relay ();
  TtoTestClient *ana;
  TtoTestClient *bo;
  g_autoptr (TtoFrame) signed_in = NULL;
  g_autofree char *ana_id = NULL;
  g_autofree char *bo_id = NULL;

  if (relay == NULL)
    return;

  ana = tto_test_client_connect (relay);
  ana_id = g_strdup (tto_test_client_create_identity (ana, "Ana"));
  json_object_unref (tto_test_client_create_event (ana, "Quick one", 0));
  json_object_unref (tto_test_client_create_event (ana, "Another", 0));
  signed_in = phone_sign_in (relay, &bo, PHONE, ",\"display_name\":\"Bo\"");
  bo_id = g_strdup (tto_frame_get_string (signed_in, "identity_id"));
  tto_test_client_close (ana);
  tto_test_client_close (bo);
  /* The grace starts when the relay has seen both connections close. */
  for (guint i = 0; tto_test_relay_query_intf (relay,
                                               "SELECT COUNT(*) FROM identities WHERE id IN"
                                               " ('%s', '%s') AND expires_at IS NOT NULL",
                                               ana_id, bo_id) < 2;
       i++)
    {
      g_assert_cmpuint (i, <, 200);
      tto_test_iterate_ms (50);
    }

  /* Within the grace they stay; after it, within one sweep, they are gone. */
  tto_test_relay_advance_clock (relay, GRACE - 60);
  tto_test_iterate_ms (200);
  g_assert_cmpint (tto_test_relay_query_intf (relay, "SELECT COUNT(*) FROM identities WHERE id "
                                                     "IN ('%s', '%s')",
                                              ana_id, bo_id),
                   ==, 2);
  tto_test_relay_advance_clock (relay, 61);
  tto_test_relay_wait_identity_gone (relay, ana_id);
  tto_test_relay_wait_identity_gone (relay, bo_id);
  g_assert_cmpint (rows_referring_to (relay, ana_id), ==, 0);
  g_assert_cmpint (rows_referring_to (relay, bo_id), ==, 0);
  g_assert_cmpint (GRACE, <=, 3600);
  tto_test_relay_stop (relay);
}

/* No table holds a phone number, email, username, password, ID number or
 * code in clear, and the relay's output shows none of them. */
static void
test_nothing_in_clear (void)
{
  TtoTestRelay *relay;
  TtoTestClient *c;
  g_autoptr (TtoFrame) phone = NULL;
  g_autoptr (TtoFrame) account = NULL;
  g_autoptr (GPtrArray) secrets = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) columns = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *log = NULL;
  g_autofree char *log_out = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *message = NULL;

  if (peers.log_path == NULL)
    {
      g_test_skip ("no relay or MariaDB");
      return;
    }
  g_setenv ("TTO_TEST_RELAY_STDERR_FILE", peers.log_path, TRUE);
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  relay = start_relay ();
  g_unsetenv ("TTO_TEST_RELAY_STDERR_FILE");
  g_unsetenv ("G_MESSAGES_DEBUG");
  if (relay == NULL)
    return;

  phone = phone_sign_in (relay, &c, "+8613712345670",
                         ",\"display_name\":\"Ana\",\"lifetime\":\"permanent\"");
  g_ptr_array_add (secrets, g_strdup ("13712345670"));
  g_ptr_array_add (secrets, sms_code ("+8613712345670"));
  g_ptr_array_add (secrets, g_strdup (tto_frame_get_string (phone, "token")));
  tto_frame_free (tto_test_client_request_ok (
    c, TTO_FRAME_IDENTITY_ID_CHECK,
    tto_test_json_object ("{\"name\":\"王小明\",\"id_number\":\"%s\"}", ID_NUMBER)));
  g_ptr_array_add (secrets, g_strdup ("110105194912310"));
  g_ptr_array_add (secrets, g_strdup ("王小明"));
  tto_test_client_close (c);

  account = email_register (relay, &c, "secret.person@example.org", "hidden_user",
                            "Tr0ub4dor&3 horse");
  g_ptr_array_add (secrets, g_strdup ("secret.person"));
  g_ptr_array_add (secrets, g_strdup ("hidden_user"));
  g_ptr_array_add (secrets, g_strdup ("Tr0ub4dor"));
  g_ptr_array_add (secrets, mail_code ("secret.person@example.org"));
  g_ptr_array_add (secrets, g_strdup (tto_frame_get_string (account, "token")));
  tto_test_client_close (c);
  c = tto_test_client_connect (relay);
  message = tto_test_expect_error (login (c, "hidden_user", "wrong horse 12"), "unauthorized");
  tto_frame_free (login (c, "hidden_user", "Tr0ub4dor&3 horse"));
  tto_test_client_close (c);

  /* Every text or binary column of every table, searched for each value. */
  sql = g_strdup_printf ("SELECT table_name, column_name FROM information_schema.columns WHERE "
                         "table_schema = '%s' AND data_type IN ('char', 'varchar', 'text', "
                         "'mediumtext', 'longtext', 'tinytext', 'binary', 'varbinary', 'blob', "
                         "'mediumblob', 'longblob')",
                         tto_test_relay_get_database (relay));
  columns = tto_test_relay_query_rows (relay, sql);
  g_assert_cmpuint (columns->len, >, 10);
  for (guint i = 0; i < columns->len; i++)
    {
      char **row = columns->pdata[i];

      for (guint s = 0; s < secrets->len; s++)
        {
          gint64 found = tto_test_relay_query_intf (
            relay, "SELECT COUNT(*) FROM `%s` WHERE CAST(`%s` AS BINARY) LIKE "
                   "CONCAT('%%', CAST('%s' AS BINARY), '%%')",
            row[0], row[1], (const char *) secrets->pdata[s]);

          if (found != 0)
            g_error ("%s.%s holds a test secret in clear", row[0], row[1]);
        }
    }

  tto_test_relay_stop (relay);

  /* The relay's stderr and stdout. */
  g_assert_true (g_file_get_contents (peers.log_path, &log, NULL, NULL));
  out_path = g_strconcat (peers.log_path, ".stdout", NULL);
  if (!g_file_get_contents (out_path, &log_out, NULL, NULL))
    log_out = g_strdup ("");
  g_test_message ("relay wrote %zu bytes to stderr, %zu to stdout", strlen (log), strlen (log_out));
  g_assert_nonnull (strstr (log, "schema")); /* it did log: the file is the right one */
  for (guint s = 0; s < secrets->len; s++)
    {
      const char *secret = secrets->pdata[s];

      if (strstr (log, secret) != NULL || strstr (log_out, secret) != NULL)
        g_error ("the relay's output shows a test secret (%u)", s);
    }
  g_unlink (out_path);
}

int
main (int argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  /* Without MariaDB or the relay each test skips itself. */
  if (tto_test_relay_available (NULL))
    start_peers ();

  g_test_add_func ("/identity/methods", test_methods);
  g_test_add_func ("/identity/phone", test_phone);
  g_test_add_func ("/identity/email-account", test_email_account);
  g_test_add_func ("/identity/login", test_login);
  g_test_add_func ("/identity/id-check", test_id_check);
  g_test_add_func ("/identity/lifetime-expiry", test_lifetime_expiry);
  g_test_add_func ("/identity/delete-me", test_delete_me);
  g_test_add_func ("/identity/one-time-sweep", test_one_time_sweep);
  g_test_add_func ("/identity/nothing-in-clear", test_nothing_in_clear);

  status = g_test_run ();
  if (peers.smtp != NULL)
    stop_peers ();
  return status;
}
