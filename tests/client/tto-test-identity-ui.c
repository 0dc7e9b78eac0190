/* tto-test-identity-ui.c: the sign-in page, lifetimes, the keyring, the
 * expiry warning and the account page, against real peers
 *
 * A real relay (harness) with a real MariaDB, a real SMTP server (Debian's
 * aiosmtpd, tests/smtp-sink.py) and an SMS gateway recording each POST
 * (both the harness's, as tests/tto-test-identity.c uses them); a real
 * Secret Service
 * (gnome-keyring-daemon, started here on the private D-Bus session of
 * dbus-run-session, its files in the build folder). The test drives the
 * window as a person would: it types into the rows and activates the
 * buttons' actions, reads codes from the text message and the mail, and
 * moves the relay's clock (--test-clock) to reach the expiry warning and
 * the end. Screenshots go to $G_TEST_BUILDDIR/screenshots/identity-*.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <glib/gi18n.h>
#include <adwaita.h>

#include "tto-account-window.h"
#include "tto-client.h"
#include "tto-code-request.h"
#include "tto-test-gui.h"
#include "tto-test-harness.h"
#include "tto-window.h"

static struct
{
  TtoTestSmsEndpoint *sms;
  TtoTestSmtpSink *smtp;
  char *config_path;
  gboolean keyring;
  TtoTestRelay *relay;
} peers;

/* ---------------------------------------------------------------- peers */

static void
start_peers (void)
{
  g_autofree char *config = NULL;

  peers.sms = tto_test_sms_endpoint_start ();
  peers.smtp = tto_test_smtp_sink_start ();

  /* One provider, as a relay's operator configures it: its button and its
   * page are what this test shows (the browser flow has its own tests). */
  peers.config_path = g_build_filename (tto_test_smtp_sink_get_dir (peers.smtp), "relay.conf",
                                        NULL);
  config = g_strdup ("[provider wechat]\n"
                     "type=oauth2\n"
                     "name=WeChat\n"
                     "authorization_endpoint=http://127.0.0.1:9/connect/authorize\n"
                     "token_endpoint=http://127.0.0.1:9/sns/token\n"
                     "userinfo_endpoint=http://127.0.0.1:9/sns/userinfo\n"
                     "subject_field=openid\n"
                     "client_id=wx-app\n"
                     "client_secret=wx-secret\n"
                     "scopes=snsapi_login\n");
  g_assert_true (g_file_set_contents (peers.config_path, config, -1, NULL));
}

static void
stop_peers (void)
{
  if (peers.relay != NULL)
    tto_test_relay_stop (peers.relay);
  /* The relay's configuration goes with the sink's folder. */
  tto_test_smtp_sink_stop (peers.smtp);
  tto_test_sms_endpoint_stop (peers.sms);
}

static char *
sms_code (const char *to)
{
  return tto_test_sms_endpoint_get_code (peers.sms, to);
}

/* NULL until the mail came: the relay sends it after it answers. */
static char *
mail_code (const char *to)
{
  return tto_test_smtp_sink_get_code (peers.smtp, to);
}

/* ---------------------------------------------------------------- window */

static void
close_window (TtoWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  tto_test_gui_settle (300);
}

/* The keyring's identity for the test relay, or NULL. */
static TtoIdentity *
keyring_lookup (void)
{
  return tto_test_gui_keyring_lookup (tto_test_relay_get_ws_url (peers.relay));
}

static gboolean
keyring_is_empty (void)
{
  g_autoptr (TtoIdentity) stored = keyring_lookup ();

  return stored == NULL;
}

/* ---------------------------------------------------------------- tests */

/* Every method's view, at phone and desktop size. */
static void
test_screens (void)
{
  TtoWindow *window = tto_test_gui_new_window ();
  TtoSignInPage *page = tto_window_get_sign_in_page (window);
  const char *views[] = { "choose", "name", "phone", "email-login", "email-register",
                          "provider" };
  const int sizes[][2] = { { 360, 720 }, { 1280, 800 } };

  WAIT_FOR (tto_sign_in_page_get_methods_loaded (page));
  /* The relay names its provider; nothing about it is in the client. */
  g_assert_cmpuint (tto_sign_in_page_get_n_providers (page), ==, 1);

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      tto_test_gui_resize (GTK_WINDOW (window), sizes[s][0], sizes[s][1]);
      for (guint v = 0; v < G_N_ELEMENTS (views); v++)
        {
          if (g_str_equal (views[v], "provider"))
            g_assert_true (tto_sign_in_page_open_provider (page, "wechat"));
          else if (g_str_has_prefix (views[v], "email-"))
            {
              tto_sign_in_page_show_view (page, "email");
              tto_email_sign_in_set_mode (tto_sign_in_page_get_email (page), views[v] + 6);
            }
          else
            tto_sign_in_page_show_view (page, views[v]);
          tto_test_gui_screenshot (GTK_WINDOW (window), views[v]);
        }
      tto_sign_in_page_show_view (page, "choose");
    }
  /* Unknown providers do not open. */
  g_assert_false (tto_sign_in_page_open_provider (page, "nonesuch"));
  close_window (window);
}

/* Phone: a wrong code, the right one, a timed identity; the warning 5
 * minutes before its end (the relay's clock moved), verifying again, and
 * the end. */
static void
test_phone_and_expiry (void)
{
  TtoWindow *window = tto_test_gui_new_window ();
  TtoSignInPage *page = tto_window_get_sign_in_page (window);
  TtoPhoneSignIn *phone = tto_sign_in_page_get_phone (page);
  TtoIdentity *identity;
  TtoSession *session;
  g_autofree char *code = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *id = NULL;
  g_autoptr (TtoIdentity) stored = NULL;
  gint64 first_expiry;
  guint posts;

  WAIT_FOR (tto_sign_in_page_get_methods_loaded (page));
  tto_sign_in_page_show_view (page, "phone");
  /* Not a number: refused here, nothing sent. */
  tto_phone_sign_in_fill (phone, "+86", "12ab", "Ana");
  posts = tto_test_sms_endpoint_count (peers.sms);
  gtk_widget_activate_action (GTK_WIDGET (phone), "phone.send-code", NULL);
  g_assert_nonnull (tto_phone_sign_in_get_error (phone));
  g_assert_cmpuint (tto_test_sms_endpoint_count (peers.sms), ==, posts);

  tto_phone_sign_in_fill (phone, "+86", "138 0013 8000", "Ana");
  g_assert_true (tto_lifetime_row_select (tto_phone_sign_in_get_lifetime_row (phone),
                                          "timed", 3600));
  gtk_widget_activate_action (GTK_WIDGET (phone), "phone.send-code", NULL);
  WAIT_FOR (tto_phone_sign_in_get_code_sent (phone) || tto_phone_sign_in_get_error (phone));
  g_assert_null (tto_phone_sign_in_get_error (phone));
  g_assert_cmpuint (tto_test_sms_endpoint_count (peers.sms), ==, posts + 1);
  /* The resend countdown runs. */
  g_assert_true (g_str_has_prefix (tto_phone_sign_in_get_send_label (phone), "Resend in "));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (phone), "phone.send-code", NULL) &&
                  tto_test_sms_endpoint_count (peers.sms) != posts + 1);
  code = sms_code ("+8613800138000");

  /* A wrong code: the error says how many attempts are left. */
  wrong = g_strdup (g_str_equal (code, "000000") ? "111111" : "000000");
  tto_phone_sign_in_set_code (phone, wrong);
  gtk_widget_activate_action (GTK_WIDGET (phone), "phone.submit", NULL);
  WAIT_FOR (tto_phone_sign_in_get_error (phone) != NULL);
  g_assert_cmpstr (tto_phone_sign_in_get_error (phone), ==, "Wrong code. 4 attempts left.");
  g_assert_null (tto_window_get_session (window));
  tto_test_gui_screenshot (GTK_WINDOW (window), "phone-wrong-code");

  tto_phone_sign_in_set_code (phone, code);
  gtk_widget_activate_action (GTK_WIDGET (phone), "phone.submit", NULL);
  WAIT_FOR (tto_window_get_session (window) != NULL || tto_phone_sign_in_get_error (phone));
  g_assert_null (tto_phone_sign_in_get_error (phone));
  WAIT_FOR (g_strcmp0 (tto_test_gui_stack_page (window), "main") == 0);
  session = tto_window_get_session (window);
  identity = tto_session_get_identity (session);
  id = g_strdup (tto_identity_get_id (identity));
  g_assert_cmpstr (tto_identity_get_kind (identity), ==, "timed");
  g_assert_true (tto_identity_get_verified (identity, "phone"));
  first_expiry = tto_identity_get_expires_at (identity);
  g_assert_cmpint (first_expiry, >, 0);
  g_assert_cmpint (tto_test_relay_query_intf (peers.relay,
                                              "SELECT COUNT(*) FROM identities WHERE id = '%s'",
                                              id), ==, 1);
  /* Timed identities outlive the app: in the keyring with their end. */
  if (peers.keyring)
    {
      WAIT_FOR ((stored = keyring_lookup ()) != NULL);
      g_assert_cmpstr (tto_identity_get_id (stored), ==, id);
      g_assert_cmpint (tto_identity_get_expires_at (stored), ==, first_expiry);
      g_assert_cmpstr (tto_identity_get_method (stored), ==, "phone");
      g_clear_object (&stored);
    }
  g_assert_false (tto_identity_bar_get_shown (tto_window_get_identity_bar (window)));

  /* 4 minutes before the end on the relay's clock: the warning shows (the
   * client measured the relay's clock, not its own). */
  tto_test_relay_advance_clock (peers.relay, 3600 - 240);
  WAIT_FOR (tto_identity_bar_get_shown (tto_window_get_identity_bar (window)));
  g_assert_nonnull (strstr (tto_identity_bar_get_text (tto_window_get_identity_bar (window)),
                            "expires in 4 minutes"));
  tto_test_gui_screenshot (GTK_WINDOW (window), "expiry-warning");
  tto_test_gui_resize (GTK_WINDOW (window), 1280, 800);
  tto_test_gui_screenshot (GTK_WINDOW (window), "expiry-warning");
  tto_test_gui_resize (GTK_WINDOW (window), 360, 720);

  /* Verify again: the phone view over the session's own connection. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.verify-identity", NULL));
  g_assert_cmpstr (tto_test_gui_stack_page (window), ==, "signin");
  g_assert_cmpstr (tto_sign_in_page_get_view (page), ==, "phone");
  posts = tto_test_sms_endpoint_count (peers.sms);
  gtk_widget_activate_action (GTK_WIDGET (phone), "phone.send-code", NULL);
  WAIT_FOR (tto_phone_sign_in_get_code_sent (phone) || tto_phone_sign_in_get_error (phone));
  g_assert_null (tto_phone_sign_in_get_error (phone));
  g_assert_cmpuint (tto_test_sms_endpoint_count (peers.sms), ==, posts + 1);
  g_free (code);
  code = sms_code ("+8613800138000");
  tto_phone_sign_in_set_code (phone, code);
  gtk_widget_activate_action (GTK_WIDGET (phone), "phone.submit", NULL);
  WAIT_FOR (g_strcmp0 (tto_test_gui_stack_page (window), "main") == 0 ||
            tto_phone_sign_in_get_error (phone));
  g_assert_null (tto_phone_sign_in_get_error (phone));
  /* The same session and identity, a later end, no warning. */
  g_assert_true (tto_window_get_session (window) == session);
  g_assert_cmpstr (tto_identity_get_id (identity), ==, id);
  g_assert_cmpint (tto_identity_get_expires_at (identity), >, first_expiry);
  WAIT_FOR (!tto_identity_bar_get_shown (tto_window_get_identity_bar (window)));

  /* Past the end: back to sign-in with a message; the keyring forgets it. */
  tto_test_relay_advance_clock (peers.relay, 3600 + 60);
  WAIT_FOR (g_strcmp0 (tto_test_gui_stack_page (window), "signin") == 0);
  g_assert_null (tto_window_get_session (window));
  g_assert_nonnull (strstr (tto_sign_in_page_get_error (page), "ended"));
  if (peers.keyring)
    WAIT_FOR (keyring_is_empty ());
  close_window (window);
}

/* Email: a weak password refused, registration, a permanent identity in
 * the keyring, the next start signing in by itself, then the account page:
 * name, identity card, "Delete me". */
static void
test_email_account_delete (void)
{
  TtoWindow *window = tto_test_gui_new_window ();
  TtoSignInPage *page = tto_window_get_sign_in_page (window);
  TtoEmailSignIn *email = tto_sign_in_page_get_email (page);
  TtoAccountWindow *account;
  AdwMessageDialog *dialog;
  TtoIdentity *identity;
  g_autoptr (TtoIdentity) stored = NULL;
  g_autofree char *code = NULL;
  g_autofree char *id = NULL;

  WAIT_FOR (tto_sign_in_page_get_methods_loaded (page));
  tto_sign_in_page_show_view (page, "email");
  tto_email_sign_in_set_mode (email, "register");
  tto_email_sign_in_fill_register (email, "ana@example.org", "ana.k", "abcdefghijkl", "Ana K");
  g_assert_true (tto_lifetime_row_select (tto_email_sign_in_get_lifetime_row (email),
                                          "permanent", 0));
  /* The checklist: long enough, but one kind of character. */
  g_assert_cmpint (tto_email_sign_in_get_rules_met (email), ==,
                   TTO_PASSWORD_RULE_LENGTH | TTO_PASSWORD_RULE_DISTINCT);
  gtk_widget_activate_action (GTK_WIDGET (email), "email.send-code", NULL);
  WAIT_FOR (tto_email_sign_in_get_code_sent (email) || tto_email_sign_in_get_error (email));
  g_assert_null (tto_email_sign_in_get_error (email));
  WAIT_FOR ((code = mail_code ("ana@example.org")) != NULL);
  tto_email_sign_in_set_code (email, code);

  /* The relay refuses the weak password, and says so inline. */
  gtk_widget_activate_action (GTK_WIDGET (email), "email.submit", NULL);
  WAIT_FOR (tto_email_sign_in_get_error (email) != NULL);
  g_assert_true (g_str_has_prefix (tto_email_sign_in_get_error (email),
                                   "The relay refused this password: "));
  g_assert_null (tto_window_get_session (window));
  tto_test_gui_screenshot (GTK_WINDOW (window), "email-weak-password");

  tto_email_sign_in_fill_register (email, NULL, NULL, "correct horse 7", NULL);
  g_assert_cmpint (tto_email_sign_in_get_rules_met (email), ==, TTO_PASSWORD_RULES_ALL);
  gtk_widget_activate_action (GTK_WIDGET (email), "email.submit", NULL);
  WAIT_FOR (tto_window_get_session (window) != NULL || tto_email_sign_in_get_error (email));
  g_assert_null (tto_email_sign_in_get_error (email));
  identity = tto_session_get_identity (tto_window_get_session (window));
  id = g_strdup (tto_identity_get_id (identity));
  g_assert_cmpstr (tto_identity_get_kind (identity), ==, "permanent");
  g_assert_true (tto_identity_get_verified (identity, "email"));
  g_assert_cmpint (tto_identity_get_expires_at (identity), ==, 0);

  if (peers.keyring)
    {
      /* Stored in the keyring; the next start signs in with it. */
      WAIT_FOR ((stored = keyring_lookup ()) != NULL);
      g_assert_cmpstr (tto_identity_get_id (stored), ==, id);
      g_assert_cmpstr (tto_identity_get_token (stored), ==, tto_identity_get_token (identity));
      g_clear_object (&stored);
      close_window (window);
      window = tto_test_gui_new_window ();
      page = tto_window_get_sign_in_page (window);
      WAIT_FOR (tto_window_get_session (window) != NULL);
      identity = tto_session_get_identity (tto_window_get_session (window));
      g_assert_cmpstr (tto_identity_get_id (identity), ==, id);
      g_assert_cmpstr (tto_identity_get_display_name (identity), ==, "Ana K");
    }
  else
    g_test_message ("no Secret Service here: keyring store and lookup not tested");
  WAIT_FOR (g_strcmp0 (tto_test_gui_stack_page (window), "main") == 0);

  /* The account page */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.account", NULL));
  WAIT_FOR ((account = tto_test_gui_find_toplevel (TTO_TYPE_ACCOUNT_WINDOW)) != NULL);
  g_assert_true (tto_account_window_get_badge (account, "email"));
  g_assert_false (tto_account_window_get_badge (account, "phone"));
  g_assert_cmpstr (tto_account_window_get_lifetime_text (account), ==,
                   "Permanent: kept until you delete it");
  tto_account_window_set_display_name (account, "Ana Kim");
  WAIT_FOR (g_strcmp0 (tto_identity_get_display_name (identity), "Ana Kim") == 0);

  /* A wrong check digit never leaves the device. */
  tto_account_window_fill_id_check (account, "Zhang San", "110105194912310021");
  gtk_widget_activate_action (GTK_WIDGET (account), "account.verify-id", NULL);
  g_assert_cmpstr (tto_account_window_get_id_status (account), ==,
                   "The last character does not match the others: check the number.");
  tto_test_gui_screenshot_unsized (GTK_WINDOW (account), "account");
  tto_account_window_fill_id_check (account, "Zhang San", "11010519491231002X");
  gtk_widget_activate_action (GTK_WIDGET (account), "account.verify-id", NULL);
  WAIT_FOR (tto_account_window_get_badge (account, "id") ||
            tto_account_window_get_last_error (account) != NULL);
  g_assert_null (tto_account_window_get_last_error (account));
  g_assert_true (tto_identity_get_verified (identity, "id"));

  /* Delete me: confirm, then nothing of the identity is left. */
  gtk_widget_activate_action (GTK_WIDGET (account), "account.delete", NULL);
  WAIT_FOR ((dialog = tto_test_gui_find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL);
  tto_test_gui_screenshot_unsized (GTK_WINDOW (dialog), "delete-dialog");
  adw_message_dialog_response (dialog, "delete");
  WAIT_FOR (g_strcmp0 (tto_test_gui_stack_page (window), "signin") == 0);
  g_assert_null (tto_window_get_session (window));
  g_assert_nonnull (strstr (tto_sign_in_page_get_error (page), "deleted"));
  g_assert_cmpint (tto_test_relay_query_intf (peers.relay,
                                              "SELECT COUNT(*) FROM identities WHERE id = '%s'",
                                              id), ==, 0);
  g_assert_cmpint (tto_test_relay_query_intf (peers.relay,
                                              "SELECT COUNT(*) FROM identity_links "
                                              "WHERE identity_id = '%s'", id), ==, 0);
  if (peers.keyring)
    WAIT_FOR (keyring_is_empty ());
  tto_test_gui_screenshot (GTK_WINDOW (window), "after-delete");
  close_window (window);
}

/* What a TtoCodeRequest reported. */
typedef struct
{
  guint sent;
  guint failed;
  char *message;
  gboolean bad_address;
} CodeEvents;

static void
on_code_sent (TtoCodeRequest *code,
              CodeEvents *events)
{
  events->sent++;
}

static void
on_code_failed (TtoCodeRequest *code,
                const char *message,
                gboolean bad_address,
                CodeEvents *events)
{
  events->failed++;
  g_free (events->message);
  events->message = g_strdup (message);
  events->bad_address = bad_address;
}

/* identity.code.verify with @code; the relay's refusal as the code request
 * words it. */
static char *
verify_wrong (TtoConnection *connection,
              TtoCodeRequest *code,
              const char *wrong)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) answer = NULL;
  GAsyncResult *result = NULL;
  JsonObject *body = json_object_new ();
  char *text;

  json_object_set_string_member (body, "channel", "phone");
  json_object_set_string_member (body, "address", tto_code_request_get_address (code));
  json_object_set_string_member (body, "code", wrong);
  json_object_set_string_member (body, "display_name", "Code Test");
  tto_connection_request_async (connection, TTO_FRAME_IDENTITY_CODE_VERIFY, body, NULL,
                                tto_test_gui_store_result, &result);
  WAIT_FOR (result != NULL);
  answer = tto_connection_request_finish (connection, result, &error);
  g_assert_null (answer);
  g_assert_nonnull (error);
  text = tto_code_request_describe_error (code, error, tto_connection_get_error_body (result));
  g_object_unref (result);
  return text;
}

/* The code request both sign-in views share, against the relay: a refused
 * address, a code sent and its countdown, wrong codes counted, the relay's
 * own wait after a reset. */
static void
test_code_request (void)
{
  const char *number = "+8613700137000";
  g_autoptr (TtoConnection) connection = tto_connection_new (tto_test_relay_get_ws_url (peers.relay));
  g_autoptr (TtoCodeRequest) code = tto_code_request_new ("phone", "sign_in");
  g_autofree char *sent_text = NULL;
  g_autofree char *right = NULL;
  g_autofree char *wrong = NULL;
  CodeEvents events = { 0 };
  guint posts = tto_test_sms_endpoint_count (peers.sms);

  g_signal_connect (code, "sent", G_CALLBACK (on_code_sent), &events);
  g_signal_connect (code, "failed", G_CALLBACK (on_code_failed), &events);

  /* No connection yet: nothing goes out. */
  g_assert_false (tto_code_request_send (code, number));
  g_assert_false (tto_code_request_get_busy (code));
  g_assert_true (tto_code_request_set_connection (code, connection));
  g_assert_false (tto_code_request_set_connection (code, connection));
  g_assert_cmpstr (tto_code_request_get_send_label (code), ==, "Send Code");

  /* An address the relay refuses: the address's fault, no wait. */
  g_assert_true (tto_code_request_send (code, "+1"));
  g_assert_true (tto_code_request_get_sending (code));
  g_assert_true (tto_code_request_get_busy (code));
  WAIT_FOR (events.failed == 1);
  g_assert_cmpuint (events.sent, ==, 0);
  g_assert_true (events.bad_address);
  g_assert_true (g_str_has_prefix (events.message, "The relay did not accept this: "));
  g_assert_false (tto_code_request_get_busy (code));
  g_assert_null (tto_code_request_get_address (code));
  g_assert_cmpuint (tto_test_sms_endpoint_count (peers.sms), ==, posts);

  /* A code sent: the countdown runs from the relay's resend_after. */
  g_assert_true (tto_code_request_send (code, number));
  g_assert_false (tto_code_request_send (code, number));
  WAIT_FOR (events.sent == 1 || events.failed == 2);
  g_assert_cmpuint (events.sent, ==, 1);
  g_assert_cmpuint (tto_test_sms_endpoint_count (peers.sms), ==, posts + 1);
  g_assert_cmpstr (tto_code_request_get_address (code), ==, number);
  g_assert_false (tto_code_request_get_sending (code));
  g_assert_cmpuint (tto_code_request_get_countdown (code), >, 50);
  g_assert_cmpuint (tto_code_request_get_countdown (code), <=, TTO_CODE_REQUEST_RESEND_SECONDS);
  g_assert_true (g_str_has_prefix (tto_code_request_get_send_label (code), "Resend in "));
  sent_text = tto_code_request_dup_sent_text (code);
  g_assert_cmpstr (sent_text, ==, "Code sent to +8613700137000. It is valid for 10 minutes.");
  g_assert_false (tto_code_request_send (code, number));
  g_assert_cmpuint (tto_test_sms_endpoint_count (peers.sms), ==, posts + 1);

  /* Wrong codes: each says how many tries are left; after the 5th the
   * relay no longer takes the code. */
  right = sms_code (number);
  g_assert_true (tto_code_request_is_code (right));
  g_assert_false (tto_code_request_is_code ("12345"));
  g_assert_false (tto_code_request_is_code ("12345a"));
  g_assert_false (tto_code_request_is_code ("1234567"));
  wrong = g_strdup (g_str_equal (right, "000000") ? "111111" : "000000");
  for (guint left = TTO_CODE_REQUEST_ATTEMPTS; left-- > 0;)
    {
      g_autofree char *text = verify_wrong (connection, code, wrong);
      g_autofree char *expected = g_strdup_printf (left == 1 ? "Wrong code. %u attempt left."
                                                             : "Wrong code. %u attempts left.",
                                                   left);

      g_assert_cmpstr (text, ==, expected);
    }
  {
    g_autofree char *text = verify_wrong (connection, code, right);

    g_assert_true (g_str_has_prefix (text, "Too many tries. Try again in "));
  }

  /* Reset forgets the code, but the relay's wait holds: its retry_after
   * starts the countdown, and nothing is sent. */
  tto_code_request_reset (code);
  g_assert_null (tto_code_request_get_address (code));
  g_assert_cmpuint (tto_code_request_get_countdown (code), ==, 0);
  g_assert_cmpstr (tto_code_request_get_send_label (code), ==, "Send Code");
  g_assert_true (tto_code_request_send (code, number));
  WAIT_FOR (events.failed == 2 || events.sent == 2);
  g_assert_cmpuint (events.failed, ==, 2);
  g_assert_false (events.bad_address);
  g_assert_true (g_str_has_prefix (events.message, "Too many tries. Try again in "));
  g_assert_cmpuint (tto_code_request_get_countdown (code), >, 0);
  g_assert_cmpuint (tto_code_request_get_countdown (code), <=, TTO_CODE_REQUEST_RESEND_SECONDS);
  g_assert_true (tto_code_request_get_busy (code));
  g_assert_true (g_str_has_prefix (tto_code_request_get_send_label (code), "Resend in "));
  g_assert_null (tto_code_request_get_address (code));
  g_assert_cmpuint (tto_test_sms_endpoint_count (peers.sms), ==, posts + 1);

  tto_connection_close (connection);
  g_free (events.message);
}

/* Just a name: one-time, memory only. */
static void
test_one_time (void)
{
  TtoWindow *window = tto_test_gui_new_window ();
  TtoSignInPage *page = tto_window_get_sign_in_page (window);
  TtoIdentity *identity;
  g_autoptr (TtoIdentity) stored = NULL;

  WAIT_FOR (tto_sign_in_page_get_methods_loaded (page));
  tto_sign_in_page_show_view (page, "name");
  tto_sign_in_page_set_display_name (page, "Bo");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "sign-in.submit", NULL));
  WAIT_FOR (tto_window_get_session (window) != NULL || tto_sign_in_page_get_error (page));
  g_assert_null (tto_sign_in_page_get_error (page));
  identity = tto_session_get_identity (tto_window_get_session (window));
  g_assert_cmpstr (tto_identity_get_kind (identity), ==, "one_time");
  g_assert_cmpstr (tto_identity_get_display_name (identity), ==, "Bo");
  tto_test_gui_settle (300);
  if (peers.keyring)
    {
      stored = keyring_lookup ();
      g_assert_null (stored);
    }
  close_window (window);
}

/* shared/tto-id-number.c: GB 11643 checks, client side (no relay). */
static void
test_id_number (void)
{
  static const struct
  {
    const char *number;
    int error; /* -1: valid */
  } cases[] = {
    { "11010519491231002X", -1 },
    { "11010519491231002x", -1 },
    { "440524198801010011", -1 },
    { "110105194912310021", TTO_ID_NUMBER_ERROR_CHECK_DIGIT },
    { "11010519491231002", TTO_ID_NUMBER_ERROR_LENGTH },
    { "11010519491231002XX", TTO_ID_NUMBER_ERROR_LENGTH },
    { "", TTO_ID_NUMBER_ERROR_LENGTH },
    { "1101051949123100AX", TTO_ID_NUMBER_ERROR_CHARACTERS },
    { "11010519491231002Y", TTO_ID_NUMBER_ERROR_CHARACTERS },
    { "110105194902300021", TTO_ID_NUMBER_ERROR_BIRTH_DATE }, /* 30 February */
    { "110105189912310021", TTO_ID_NUMBER_ERROR_BIRTH_DATE }, /* before 1900 */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      gboolean valid = tto_id_number_is_valid (cases[i].number, &error);

      if (cases[i].error < 0)
        {
          g_assert_no_error (error);
          g_assert_true (valid);
        }
      else
        {
          g_assert_false (valid);
          g_assert_error (error, TTO_ID_NUMBER_ERROR, cases[i].error);
          /* The message names the problem, never the number. */
          g_assert_null (strstr (error->message, cases[i].number[0] ? cases[i].number : "-"));
        }
    }
  g_assert_cmpint (tto_id_number_check_digit ("11010519491231002"), ==, 'X');
  g_assert_cmpint (tto_id_number_check_digit ("44052419880101001"), ==, '1');
  g_assert_cmpint (tto_id_number_check_digit ("4405241880010100a"), ==, '\0');
}

int
main (int argc,
      char *argv[])
{
  char *reason = NULL;
  int status;

  tto_test_gui_init (&argc, &argv);
  tto_test_gui_set_screenshot_prefix ("identity-");

  g_test_add_func ("/identity-ui/id-number", test_id_number);
  if (!tto_test_relay_available (&reason))
    {
      g_test_add_data_func_full ("/identity-ui/skipped", reason, tto_test_gui_skip, g_free);
      return g_test_run ();
    }

  peers.keyring = tto_test_gui_start_keyring ("identity-home");
  if (!peers.keyring)
    g_printerr ("# no Secret Service could run here: the keyring checks are skipped\n");
  /* Clock measured every second, so a moved relay clock is seen at once. */
  g_setenv ("TTO_CLOCK_SYNC_SECONDS", "1", TRUE);

  start_peers ();
  {
    const char *const args[] = { "--test-clock",
                                 "--config", peers.config_path,
                                 "--sms-gateway", tto_test_sms_endpoint_get_url (peers.sms),
                                 "--smtp-url", tto_test_smtp_sink_get_url (peers.smtp),
                                 "--smtp-from", "relay@tto.invalid",
                                 NULL };

    peers.relay = tto_test_relay_start_with_args (60, args);
  }
  g_setenv ("TTO_RELAY_URL", tto_test_relay_get_ws_url (peers.relay), TRUE);

  g_test_add_func ("/identity-ui/code-request", test_code_request);
  g_test_add_func ("/identity-ui/screens", test_screens);
  g_test_add_func ("/identity-ui/phone-and-expiry", test_phone_and_expiry);
  g_test_add_func ("/identity-ui/email-account-delete", test_email_account_delete);
  g_test_add_func ("/identity-ui/one-time", test_one_time);

  status = g_test_run ();
  stop_peers ();
  return status;
}
