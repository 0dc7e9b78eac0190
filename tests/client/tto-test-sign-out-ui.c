/* tto-test-sign-out-ui.c: "Sign Out" of this device in the account window,
 * against a real relay, MariaDB, SMTP server and Secret Service
 *
 * The account is made as a person makes it (an email code through the
 * real SMTP server, tests/smtp-sink.py) on a harness connection; the
 * window then signs in with its username and password, so the keyring
 * holds its token, and a second device (another harness connection)
 * signs in too. Signing out through the account window must revoke the
 * window's token on the relay (an auth with it is refused exactly as an
 * unknown token), empty the keyring, show the sign-in page, and leave the
 * other device signed in. With the relay stopped, the error dialog shows
 * and the keyring keeps the token until the person chooses to forget it.
 * A one-time identity's confirmation warns that it cannot come back.
 * Screenshots go to $G_TEST_BUILDDIR/screenshots/sign-out-*.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <adwaita.h>

#include "tto-account-window.h"
#include "tto-client.h"
#include "tto-test-accounts.h"
#include "tto-test-gui.h"
#include "tto-test-harness.h"
#include "tto-window.h"

#define PASSWORD "correct horse 7"

static struct
{
  TtoTestSmtpSink *smtp;
  gboolean keyring;
} peers;

/* ---------------------------------------------------------------- peers */

static TtoTestRelay *
start_relay (void)
{
  const char *const args[] = { "--smtp-url", tto_test_smtp_sink_get_url (peers.smtp),
                               "--smtp-from", "relay@tto.invalid", NULL };

  return tto_test_relay_start_with_args (60, args);
}

/* An email + password account with @lifetime (JSON members), made on a
 * harness connection that is closed again. */
static void
register_account (TtoTestRelay *relay,
                  const char *email,
                  const char *username,
                  const char *lifetime)
{
  tto_frame_free (tto_test_accounts_register (relay, peers.smtp, email, username, PASSWORD,
                                              lifetime, NULL));
}

/* Another device signs in with the password; its connection stays open. */
static TtoTestClient *
login_device (TtoTestRelay *relay,
              const char *username,
              char **out_token)
{
  TtoTestClient *c = tto_test_client_connect (relay);
  g_autoptr (TtoFrame) answer = tto_test_accounts_login (c, username, PASSWORD);

  *out_token = g_strdup (tto_frame_get_string (answer, "token"));
  g_assert_nonnull (*out_token);
  return c;
}

/* What a fresh connection hears for auth with @token: NULL when it is
 * accepted, else "code: message". */
static char *
auth_answer (TtoTestRelay *relay,
             const char *token)
{
  TtoTestClient *c = tto_test_client_connect (relay);
  g_autoptr (TtoFrame) answer = tto_test_client_request (
    c, TTO_FRAME_AUTH, tto_test_json_object ("{\"token\":\"%s\"}", token));
  char *text = NULL;

  g_assert_nonnull (answer);
  if (tto_frame_is (answer, TTO_FRAME_ERROR))
    text = g_strdup_printf ("%s: %s", tto_frame_get_string (answer, "code"),
                            tto_frame_get_string (answer, "message"));
  tto_test_client_close (c);
  return text;
}

/* ---------------------------------------------------------------- window */

/* The token the keyring holds for @relay_url (NULL: none). */
static char *
keyring_token (const char *relay_url)
{
  g_autoptr (TtoIdentity) stored = tto_test_gui_keyring_lookup (relay_url);

  return stored != NULL ? g_strdup (tto_identity_get_token (stored)) : NULL;
}

/* A new window on @relay that signs in with @username's password. */
static TtoWindow *
sign_in_with_password (TtoTestRelay *relay,
                       const char *username)
{
  TtoWindow *window;
  TtoSignInPage *page;
  TtoEmailSignIn *email;

  g_setenv ("TTO_RELAY_URL", tto_test_relay_get_ws_url (relay), TRUE);
  window = tto_test_gui_new_window ();
  page = tto_window_get_sign_in_page (window);
  email = tto_sign_in_page_get_email (page);
  WAIT_FOR (tto_sign_in_page_get_methods_loaded (page));
  tto_sign_in_page_show_view (page, "email");
  tto_email_sign_in_set_mode (email, "login");
  tto_email_sign_in_fill_login (email, username, PASSWORD);
  gtk_widget_activate_action (GTK_WIDGET (email), "email.submit", NULL);
  WAIT_FOR (tto_window_get_session (window) != NULL || tto_email_sign_in_get_error (email));
  g_assert_null (tto_email_sign_in_get_error (email));
  WAIT_FOR (g_strcmp0 (tto_test_gui_stack_page (window), "main") == 0);
  return window;
}

static TtoAccountWindow *
open_account (TtoWindow *window)
{
  TtoAccountWindow *account;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.account", NULL));
  WAIT_FOR ((account = tto_test_gui_find_toplevel (TTO_TYPE_ACCOUNT_WINDOW)) != NULL);
  /* Sized as the tests size windows (the first is measured there). */
  tto_test_gui_present (GTK_WINDOW (account));
  return account;
}

/* The mapped message dialog named @name, or NULL. */
static AdwMessageDialog *
find_dialog (const char *name)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_mapped (GTK_WIDGET (window)) &&
          g_strcmp0 (gtk_widget_get_name (GTK_WIDGET (window)), name) == 0)
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static AdwMessageDialog *
wait_dialog (const char *name)
{
  AdwMessageDialog *dialog;

  WAIT_FOR ((dialog = find_dialog (name)) != NULL);
  tto_test_gui_settle (200);
  return dialog;
}

/* Clicks @dialog's button labelled @label, as a person does (the dialog
 * closes itself then, which adw_message_dialog_response () alone does
 * not do). */
static gboolean
match_label (GtkWidget *widget,
             gconstpointer label)
{
  return GTK_IS_BUTTON (widget) &&
         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static void
click (AdwMessageDialog *dialog,
       const char *label)
{
  GtkWidget *button = tto_test_gui_find_widget (dialog, match_label, label);
  GtkWidget *shown = GTK_WIDGET (dialog);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_object_add_weak_pointer (G_OBJECT (shown), (gpointer *) &shown);
  g_signal_emit_by_name (button, "clicked");
  WAIT_FOR (shown == NULL || !gtk_widget_get_mapped (shown));
  if (shown != NULL)
    g_object_remove_weak_pointer (G_OBJECT (shown), (gpointer *) &shown);
}

/* Moves the keyboard focus with Tab from the start of @window until it
 * reaches @target; TRUE if it did. */
static gboolean
tab_to (GtkWindow *window,
        GtkWidget *target)
{
  gtk_window_set_focus (window, NULL);
  for (guint i = 0; i < 200; i++)
    {
      GtkWidget *focus;

      if (!gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD))
        return FALSE;
      focus = gtk_window_get_focus (window);
      if (focus == target || (focus != NULL && gtk_widget_is_ancestor (focus, target)))
        return TRUE;
    }
  return FALSE;
}

/* @dialog over @account at 1280×800 and 360×720 (ending at the phone's
 * size); the dialog goes with its parent while it is mapped again. */
static void
screenshot_dialog_sizes (TtoAccountWindow *account,
                         AdwMessageDialog **dialog,
                         const char *dialog_name,
                         const char *name)
{
  const int sizes[][2] = { { 1280, 800 }, { 360, 720 } };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      /* Mapped again at the size, the dialog over it shown again. */
      gtk_widget_set_visible (GTK_WIDGET (*dialog), FALSE);
      tto_test_gui_resize (GTK_WINDOW (account), sizes[s][0], sizes[s][1]);
      gtk_window_present (GTK_WINDOW (*dialog));
      *dialog = wait_dialog (dialog_name);
      /* The row it came from shows behind it. */
      tto_test_gui_scroll_to (tto_test_gui_find_button_by_action (account, "account.sign-out"));
      tto_test_gui_screenshot_with_dialog (GTK_WINDOW (account), GTK_WINDOW (*dialog), name);
    }
}

/* ---------------------------------------------------------------- tests */

/* An account signs out of this device: the relay revokes only this
 * device's token, the keyring forgets it, the window shows sign-in. */
static void
test_account_sign_out (void)
{
  TtoTestRelay *relay = start_relay ();
  g_autofree char *url = g_strdup (tto_test_relay_get_ws_url (relay));
  g_autofree char *token = NULL;
  g_autofree char *phone_token = NULL;
  g_autofree char *unknown = NULL;
  g_autofree char *refused = NULL;
  g_autofree char *identity_id = NULL;
  TtoTestClient *phone;
  TtoWindow *window;
  TtoAccountWindow *account;
  AdwMessageDialog *dialog;
  g_autoptr (TtoIdentity) identity = NULL;
  GtkWidget *button;
  const char *body;

  register_account (relay, "ana@example.org", "ana.k", "\"lifetime\":\"permanent\"");
  phone = login_device (relay, "ana.k", &phone_token);
  window = sign_in_with_password (relay, "ana.k");
  identity = g_object_ref (tto_session_get_identity (tto_window_get_session (window)));
  g_assert_cmpstr (tto_identity_get_kind (identity), ==, "permanent");
  identity_id = g_strdup (tto_identity_get_id (identity));
  token = g_strdup (tto_identity_get_token (identity));
  g_assert_nonnull (token);
  g_assert_null (auth_answer (relay, token));
  if (peers.keyring)
    {
      g_autofree char *stored = NULL;

      WAIT_FOR ((stored = keyring_token (url)) != NULL);
      g_assert_cmpstr (stored, ==, token);
    }
  g_assert_cmpint (tto_test_accounts_count_tokens (relay, identity_id), ==, 3);

  account = open_account (window);
  button = tto_test_gui_find_button_by_action (account, "account.sign-out");
  g_assert_nonnull (button);
  /* A normal action, not the red one; big enough for a finger; a label. */
  g_assert_false (gtk_widget_has_css_class (button, "destructive-action"));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "_Sign Out…");
  g_assert_true (gtk_widget_is_sensitive (button));
  tto_test_gui_scroll_to (button);
  {
    graphene_rect_t bounds;

    /* The border box: gtk_widget_get_height() leaves out the padding. */
    g_assert_true (gtk_widget_compute_bounds (button, button, &bounds));
    g_assert_cmpfloat (bounds.size.width, >=, 44);
    g_assert_cmpfloat (bounds.size.height, >=, 44);
  }
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (
                              gtk_widget_get_ancestor (button, ADW_TYPE_ACTION_ROW))),
                            "other devices stay signed in"));
  /* Everything fits the phone's width. */
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (account)), ==, 360);
  tto_test_gui_screenshot (GTK_WINDOW (account), "row");
  tto_test_gui_resize (GTK_WINDOW (account), 1280, 800);
  tto_test_gui_scroll_to (button);
  tto_test_gui_screenshot (GTK_WINDOW (account), "row");
  tto_test_gui_resize (GTK_WINDOW (account), 360, 720);

  /* By keyboard: Tab reaches it, Enter opens the confirmation. */
  g_assert_true (tab_to (GTK_WINDOW (account), button));
  g_assert_true (gtk_widget_activate (button));
  dialog = wait_dialog ("sign-out-confirm");
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Sign Out of This Device?");
  body = adw_message_dialog_get_body (dialog);
  g_assert_nonnull (strstr (body, "sign in again with the same email address or username"));
  g_assert_nonnull (strstr (body, "your other devices stay as they are"));
  g_assert_true (adw_message_dialog_has_response (dialog, "sign-out"));
  g_assert_false (adw_message_dialog_has_response (dialog, "delete"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "sign-out"), ==,
                   ADW_RESPONSE_DEFAULT);
  screenshot_dialog_sizes (account, &dialog, "sign-out-confirm", "confirm");

  /* Cancel: nothing happens. */
  click (dialog, "_Cancel");
  tto_test_gui_settle (300);
  g_assert_true (tto_window_get_session (window) != NULL);
  g_assert_null (auth_answer (relay, token));

  /* Confirmed: signed out on the relay, forgotten here, sign-in shown. */
  gtk_widget_activate_action (GTK_WIDGET (account), "account.sign-out", NULL);
  dialog = wait_dialog ("sign-out-confirm");
  click (dialog, "_Sign Out");
  WAIT_FOR (g_strcmp0 (tto_test_gui_stack_page (window), "signin") == 0);
  g_assert_null (tto_window_get_session (window));
  g_assert_null (tto_test_gui_find_toplevel (TTO_TYPE_ACCOUNT_WINDOW));
  /* Signing out is no error. */
  g_assert_null (tto_sign_in_page_get_error (tto_window_get_sign_in_page (window)));
  g_assert_null (tto_identity_get_token (identity));
  if (peers.keyring)
    {
      g_autofree char *stored = keyring_token (url);

      g_assert_null (stored);
    }
  /* The relay refuses the old token as one it never issued. */
  unknown = auth_answer (relay, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  refused = auth_answer (relay, token);
  g_assert_nonnull (unknown);
  g_assert_true (g_str_has_prefix (unknown, "unauthorized: "));
  g_assert_cmpstr (refused, ==, unknown);
  g_assert_cmpint (tto_test_accounts_count_tokens (relay, identity_id), ==, 2);
  /* The other device stays signed in, the identity stays. */
  g_assert_true (tto_test_client_is_open (phone));
  tto_frame_free (tto_test_client_request_ok (phone, TTO_FRAME_PING, NULL));
  g_assert_null (auth_answer (relay, phone_token));
  g_assert_cmpint (tto_test_relay_query_intf (relay,
                                              "SELECT COUNT(*) FROM identities WHERE id = '%s'",
                                              identity_id),
                   ==, 1);
  tto_test_gui_screenshot (GTK_WINDOW (window), "after");

  tto_test_client_close (phone);
  gtk_window_destroy (GTK_WINDOW (window));
  tto_test_gui_settle (300);
  tto_test_relay_stop (relay);
}

/* The relay is gone when the person confirms: an error dialog, the token
 * kept (staying signed in, trying again) until the person chooses to
 * forget the identity on this device. */
static void
test_relay_unreachable (void)
{
  TtoTestRelay *relay = start_relay ();
  g_autofree char *url = g_strdup (tto_test_relay_get_ws_url (relay));
  g_autofree char *token = NULL;
  TtoWindow *window;
  TtoSession *session;
  TtoAccountWindow *account;
  AdwMessageDialog *dialog;
  const char *body;

  /* Timed: the confirmation says until when it can come back. */
  register_account (relay, "bo@example.org", "bo.b", "\"lifetime\":\"timed\",\"ttl\":3600");
  window = sign_in_with_password (relay, "bo.b");
  session = tto_window_get_session (window);
  token = g_strdup (tto_identity_get_token (tto_session_get_identity (session)));
  if (peers.keyring)
    {
      g_autofree char *stored = NULL;

      WAIT_FOR ((stored = keyring_token (url)) != NULL);
      g_assert_cmpstr (stored, ==, token);
    }
  account = open_account (window);

  g_assert_cmpstr (tto_identity_get_kind (tto_session_get_identity (session)), ==, "timed");
  gtk_widget_activate_action (GTK_WIDGET (account), "account.sign-out", NULL);
  dialog = wait_dialog ("sign-out-confirm");
  body = adw_message_dialog_get_body (dialog);
  g_assert_nonnull (strstr (body, "sign in again with the same email address or username"));
  if (strstr (body, "\n\nEnds ") == NULL ||
      strstr (body, "). You can sign in again until then.") == NULL)
    g_error ("no end in: %s", body);
  screenshot_dialog_sizes (account, &dialog, "sign-out-confirm", "timed");
  tto_test_relay_stop (relay);
  WAIT_FOR (tto_connection_get_state (tto_session_get_connection (session)) !=
            TTO_CONNECTION_STATE_CONNECTED);
  click (dialog, "_Sign Out");

  dialog = wait_dialog ("sign-out-error");
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Could Not Sign Out on the Relay");
  body = adw_message_dialog_get_body (dialog);
  g_assert_true (g_str_has_prefix (body, "Not connected to the relay."));
  g_assert_nonnull (strstr (body, "stays valid on the relay"));
  g_assert_true (adw_message_dialog_has_response (dialog, "retry"));
  g_assert_true (adw_message_dialog_has_response (dialog, "forget"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "forget"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  g_assert_nonnull (tto_account_window_get_last_error (account));
  screenshot_dialog_sizes (account, &dialog, "sign-out-error", "error");

  /* Staying signed in keeps everything. */
  click (dialog, "_Stay Signed In");
  tto_test_gui_settle (300);
  g_assert_true (tto_window_get_session (window) == session);
  g_assert_cmpstr (tto_test_gui_stack_page (window), ==, "main");
  g_assert_nonnull (tto_test_gui_find_toplevel (TTO_TYPE_ACCOUNT_WINDOW));
  g_assert_cmpstr (tto_identity_get_token (tto_session_get_identity (session)), ==, token);
  if (peers.keyring)
    {
      g_autofree char *stored = keyring_token (url);

      g_assert_cmpstr (stored, ==, token);
    }

  /* Trying again while the relay is still down: the same dialog, the
   * token still kept. */
  gtk_widget_activate_action (GTK_WIDGET (account), "account.sign-out", NULL);
  click (wait_dialog ("sign-out-confirm"), "_Sign Out");
  dialog = wait_dialog ("sign-out-error");
  click (dialog, "_Try Again");
  tto_test_gui_settle (200);
  dialog = wait_dialog ("sign-out-error");
  g_assert_true (tto_window_get_session (window) == session);
  if (peers.keyring)
    {
      g_autofree char *stored = keyring_token (url);

      g_assert_cmpstr (stored, ==, token);
    }

  /* The person's choice: forgotten here, sign-in shown. */
  click (dialog, "_Forget on This Device");
  WAIT_FOR (g_strcmp0 (tto_test_gui_stack_page (window), "signin") == 0);
  g_assert_null (tto_window_get_session (window));
  g_assert_null (tto_test_gui_find_toplevel (TTO_TYPE_ACCOUNT_WINDOW));
  if (peers.keyring)
    {
      g_autofree char *stored = keyring_token (url);

      g_assert_null (stored);
    }
  gtk_window_destroy (GTK_WINDOW (window));
  tto_test_gui_settle (300);
}

/* A one-time identity: the confirmation says it cannot come back and
 * offers Delete Me instead; signing out revokes its token. */
static void
test_one_time (void)
{
  TtoTestRelay *relay = start_relay ();
  g_autofree char *token = NULL;
  g_autofree char *refused = NULL;
  TtoWindow *window;
  TtoAccountWindow *account;
  AdwMessageDialog *dialog;
  GtkWidget *button;
  const char *body;

  window = tto_test_gui_new_window ();
  tto_test_gui_sign_in (window, tto_test_relay_get_ws_url (relay), "Cy");
  token = g_strdup (tto_identity_get_token (tto_session_get_identity (
    tto_window_get_session (window))));
  g_assert_nonnull (token);
  account = open_account (window);
  button = tto_test_gui_find_button_by_action (account, "account.sign-out");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (
                              gtk_widget_get_ancestor (button, ADW_TYPE_ACTION_ROW))),
                            "cannot be signed in again"));

  gtk_widget_activate_action (GTK_WIDGET (account), "account.sign-out", NULL);
  dialog = wait_dialog ("sign-out-confirm");
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Sign Out and Lose This Identity?");
  body = adw_message_dialog_get_body (dialog);
  g_assert_nonnull (strstr (body, "nobody can get it back"));
  g_assert_nonnull (strstr (body, "Events you created end for everyone"));
  g_assert_nonnull (strstr (body, "Delete Me instead"));
  g_assert_true (adw_message_dialog_has_response (dialog, "delete"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "sign-out"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  screenshot_dialog_sizes (account, &dialog, "sign-out-confirm", "one-time");

  /* "Delete Me Instead" leads to the delete confirmation, not away. */
  click (dialog, "_Delete Me Instead…");
  WAIT_FOR ((dialog = tto_test_gui_find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL &&
            find_dialog ("sign-out-confirm") == NULL);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Delete Your Identity?");
  click (dialog, "_Cancel");
  tto_test_gui_settle (300);
  g_assert_nonnull (tto_window_get_session (window));

  gtk_widget_activate_action (GTK_WIDGET (account), "account.sign-out", NULL);
  click (wait_dialog ("sign-out-confirm"), "_Sign Out");
  WAIT_FOR (g_strcmp0 (tto_test_gui_stack_page (window), "signin") == 0);
  g_assert_null (tto_window_get_session (window));
  refused = auth_answer (relay, token);
  g_assert_nonnull (refused);
  g_assert_true (g_str_has_prefix (refused, "unauthorized: "));

  gtk_window_destroy (GTK_WINDOW (window));
  tto_test_gui_settle (300);
  tto_test_relay_stop (relay);
}

int
main (int argc,
      char *argv[])
{
  char *reason = NULL;
  int status;

  tto_test_gui_init (&argc, &argv);
  tto_test_gui_set_screenshot_prefix ("sign-out-");
  if (!tto_test_relay_available (&reason))
    {
      g_test_add_data_func_full ("/sign-out-ui/skipped", reason, tto_test_gui_skip, g_free);
      return g_test_run ();
    }

  peers.keyring = tto_test_gui_start_keyring ("sign-out-home");
  if (!peers.keyring)
    g_printerr ("# no Secret Service could run here: the keyring checks are skipped\n");
  peers.smtp = tto_test_smtp_sink_start ();

  g_test_add_func ("/sign-out-ui/account", test_account_sign_out);
  g_test_add_func ("/sign-out-ui/relay-unreachable", test_relay_unreachable);
  g_test_add_func ("/sign-out-ui/one-time", test_one_time);

  status = g_test_run ();
  tto_test_smtp_sink_stop (peers.smtp);
  return status;
}
