/* test-client.c: the client's window against a real relay and MariaDB
 *
 * Runs under xvfb-run and dbus-run-session (see meson.build). Signs in with
 * a one-time identity, creates an event, sends through the composer, has a
 * second user (a harness client) join and answer, drops the connection and
 * checks that a message typed meanwhile arrives once, ends the event; and
 * renders screenshots of the main pages at phone and desktop sizes into
 * $G_TEST_BUILDDIR/screenshots/.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <adwaita.h>

#include "tto-client.h"
#include "tto-event-info-window.h"
#include "tto-join-dialog.h"
#include "tto-message-row.h"
#include "tto-test-gui.h"
#include "tto-test-harness.h"
#include "tto-window.h"

/* Whether @widget is the TtoMessageRow showing @message. */
static gboolean
shows_message (GtkWidget *widget,
               gconstpointer message)
{
  return TTO_IS_MESSAGE_ROW (widget) &&
         tto_message_row_get_message (TTO_MESSAGE_ROW (widget)) == message;
}

/* Without a relay: the sign-in page checks its input. */
static void
test_sign_in_errors (void)
{
  TtoWindow *window = tto_test_gui_new_window ();
  TtoSignInPage *page = tto_window_get_sign_in_page (window);

  tto_test_gui_screenshot (GTK_WINDOW (window), "signin");

  tto_sign_in_page_set_display_name (page, "   ");
  gtk_widget_activate_action (GTK_WIDGET (page), "sign-in.submit", NULL);
  g_assert_cmpstr (tto_sign_in_page_get_error (page), ==, _("Enter the name others will see."));

  tto_sign_in_page_set_display_name (page, "Ana");
  tto_sign_in_page_set_relay_url (page, "http://example.org/");
  gtk_widget_activate_action (GTK_WIDGET (page), "sign-in.submit", NULL);
  WAIT_FOR (tto_sign_in_page_get_error (page) != NULL);
  g_assert_cmpstr (tto_sign_in_page_get_error (page), ==,
                   _("The relay address must start with ws:// or wss://"));
  g_assert_null (tto_window_get_session (window));

  /* Nobody listens on port 9 (discard) of loopback. */
  tto_sign_in_page_set_relay_url (page, "ws://127.0.0.1:9/v1/ws");
  gtk_widget_activate_action (GTK_WIDGET (page), "sign-in.submit", NULL);
  WAIT_FOR (tto_sign_in_page_get_error (page) != NULL);
  g_assert_cmpstr (tto_sign_in_page_get_error (page), ==,
                   _("Could not reach the relay. Check the address and your network."));

  tto_test_gui_resize (GTK_WINDOW (window), 1280, 800);
  tto_sign_in_page_show_error (page, NULL);
  tto_sign_in_page_set_relay_url (page, TTO_DEFAULT_RELAY_URL);
  tto_test_gui_screenshot (GTK_WINDOW (window), "signin");

  gtk_window_destroy (GTK_WINDOW (window));
  tto_test_gui_settle (50);
}

static void
test_join_errors (TtoWindow *window)
{
  TtoSession *session = tto_window_get_session (window);
  TtoJoinDialog *dialog = tto_join_dialog_new (GTK_WINDOW (window), session);

  gtk_window_present (GTK_WINDOW (dialog));
  tto_test_gui_settle (100);

  tto_join_dialog_set_code (dialog, "abc");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "join.submit", NULL);
  g_assert_cmpstr (tto_join_dialog_get_error (dialog), ==,
                   _("An invite code has 8 letters and digits, like ABCD-EFGH."));

  /* Well formed, but no event has it (Z is in the alphabet, the relay's
   * codes are random: 32^8 makes a clash negligible). */
  tto_join_dialog_set_code (dialog, "zzzz-zzzz");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "join.submit", NULL);
  WAIT_FOR (tto_join_dialog_get_error (dialog) != NULL);
  g_assert_cmpstr (tto_join_dialog_get_error (dialog), ==,
                   _("No live event has this invite code. Check it with the person who invited you."));

  gtk_window_destroy (GTK_WINDOW (dialog));
  tto_test_gui_refocus (GTK_WINDOW (window));
}

static void
test_flow (void)
{
  TtoTestRelay *relay = tto_test_relay_start (60);
  TtoWindow *window;
  TtoSession *session;
  TtoConnection *connection;
  TtoChatPage *chat;
  TtoEvent *event;
  GListModel *messages;
  TtoMessage *message;
  TtoTestClient *bo;
  g_autofree char *code = NULL;
  g_autofree char *typed_code = NULL;
  g_autoptr (JsonObject) joined = NULL;
  g_autoptr (TtoFrame) sent = NULL;
  g_autoptr (TtoFrame) sent2 = NULL;
  g_autoptr (TtoFrame) pushed = NULL;
  g_autoptr (TtoFrame) ended = NULL;
  GtkWindow *info;
  GtkWindow *confirm;

  if (relay == NULL)
    return;

  window = tto_test_gui_new_window ();
  chat = tto_window_get_chat_page (window);
  tto_test_gui_sign_in (window, tto_test_relay_get_ws_url (relay), "Ana");
  tto_test_gui_settle (100);
  g_assert_true (tto_window_get_folded (window));
  session = tto_window_get_session (window);
  connection = tto_session_get_connection (session);
  tto_test_gui_screenshot (GTK_WINDOW (window), "home-empty");

  test_join_errors (window);

  /* Create an event; the done view shows its code. */
  event = tto_test_gui_create_event (window, "Hackathon team Blue",
                        "Build a bike-sharing app in 48 hours.\nDemo on Sunday at 15:00.",
                        "Kick-off at 9:00 in room 2");
  g_object_ref (event);
  tto_test_gui_screenshot (GTK_WINDOW (window), "created");
  g_assert_cmpuint (g_list_model_get_n_items (tto_session_get_created_events (session)), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (tto_session_get_joined_events (session)), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tto_window_get_create_page (window)),
                                             "create.open-chat", NULL));
  g_assert_true (tto_chat_page_get_event (chat) == event);
  g_assert_true (tto_session_get_open_event (session) == event);
  tto_test_gui_screenshot (GTK_WINDOW (window), "chat-empty");

  /* Send through the composer: shown at once as pending, then seq 1. */
  messages = tto_session_get_messages (session, event);
  tto_test_gui_type_and_send (window, "Who brings the projector?");
  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, 1);
  message = tto_test_gui_message_at (messages, 0);
  g_assert_cmpint (tto_message_get_state (message), ==, TTO_MESSAGE_STATE_PENDING);
  WAIT_FOR (tto_message_get_state (tto_test_gui_message_at (messages, 0)) ==
            TTO_MESSAGE_STATE_SENT);
  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, 1);
  message = tto_test_gui_message_at (messages, 0);
  g_assert_cmpint (tto_message_get_seq (message), ==, 1);
  g_assert_cmpstr (tto_message_get_text (message), ==, "Who brings the projector?");
  g_assert_cmpstr (tto_message_get_sender_name (message), ==, "Ana");
  WAIT_FOR (tto_test_gui_find_widget (tto_chat_page_get_message_list (chat), shows_message,
                                      message) != NULL);

  /* Bo joins with the code as a person types it, and answers. */
  code = g_strdup (tto_event_get_invite_code (event));
  typed_code = g_strdup_printf ("%c%c%c%c - %c%c%c%c", g_ascii_tolower (code[0]),
                                g_ascii_tolower (code[1]), code[2], code[3],
                                g_ascii_tolower (code[4]), code[5], code[6], code[7]);
  bo = tto_test_client_connect (relay);
  tto_test_client_create_identity (bo, "Bo");
  joined = tto_test_client_join (bo, typed_code);
  g_assert_cmpstr (json_object_get_string_member (joined, "event_id"), ==,
                   tto_event_get_id (event));
  WAIT_FOR (tto_event_get_member_count (event) == 2);

  sent = tto_test_client_send_message (bo, tto_event_get_id (event), "bo-1",
                                       "I do. I also bring the extension cord and a spare HDMI "
                                       "adapter, in case the room has none.");
  WAIT_FOR (g_list_model_get_n_items (messages) == 2);
  message = tto_test_gui_message_at (messages, 1);
  g_assert_cmpint (tto_message_get_seq (message), ==, 2);
  g_assert_cmpstr (tto_message_get_sender_name (message), ==, "Bo");
  WAIT_FOR (tto_test_gui_find_widget (tto_chat_page_get_message_list (chat), shows_message,
                                      message) != NULL);
  /* The chat is open: nothing is unread. */
  g_assert_cmpuint (tto_event_get_unread_count (event), ==, 0);
  tto_test_gui_type_and_send (window, "Great, thanks!");
  WAIT_FOR (tto_message_get_seq (tto_test_gui_message_at (messages, 2)) == 3);
  tto_test_gui_screenshot (GTK_WINDOW (window), "chat");

  /* Back on the list, Bo's next message counts as unread. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.back", NULL));
  g_assert_null (tto_session_get_open_event (session));
  sent2 = tto_test_client_send_message (bo, tto_event_get_id (event), "bo-2", "See you at nine.");
  WAIT_FOR (tto_event_get_unread_count (event) == 1);
  tto_test_gui_screenshot (GTK_WINDOW (window), "home");

  /* Wide: list and chat side by side. */
  tto_test_gui_resize (GTK_WINDOW (window), 1280, 800);
  g_assert_false (tto_window_get_folded (window));
  tto_test_gui_screenshot (GTK_WINDOW (window), "home");
  tto_window_open_event (window, event);
  g_assert_cmpuint (tto_event_get_unread_count (event), ==, 0);
  tto_test_gui_screenshot (GTK_WINDOW (window), "chat");
  tto_test_gui_resize (GTK_WINDOW (window), 360, 720);

  /* The network drops: the banner shows, a message typed meanwhile waits
   * and arrives exactly once after the reconnect. */
  tto_test_client_discard_pushes (bo);
  tto_connection_drop (connection);
  g_assert_cmpint (tto_connection_get_state (connection), !=, TTO_CONNECTION_STATE_CONNECTED);
  g_assert_true (tto_chat_page_get_banner_revealed (chat));
  tto_test_gui_type_and_send (window, "Typed while offline");
  g_assert_cmpuint (tto_connection_get_outbox_length (connection), ==, 1);
  tto_test_gui_screenshot (GTK_WINDOW (window), "chat-offline");
  WAIT_FOR (tto_connection_get_state (connection) == TTO_CONNECTION_STATE_CONNECTED);
  WAIT_FOR (tto_connection_get_outbox_length (connection) == 0);
  WAIT_FOR (g_list_model_get_n_items (messages) == 5 &&
            tto_message_get_state (tto_test_gui_message_at (messages, 4)) ==
              TTO_MESSAGE_STATE_SENT);
  g_assert_cmpint (tto_message_get_seq (tto_test_gui_message_at (messages, 3)), ==, 4);
  g_assert_cmpint (tto_message_get_seq (tto_test_gui_message_at (messages, 4)), ==, 5);
  g_assert_false (tto_chat_page_get_banner_revealed (chat));
  pushed = tto_test_client_wait_push (bo, TTO_FRAME_MSG_NEW, TTO_TEST_REQUEST_TIMEOUT_MS);
  g_assert_nonnull (pushed);
  g_assert_cmpstr (tto_frame_get_string (pushed, "text"), ==, "Typed while offline");
  tto_test_iterate_ms (300);
  g_assert_cmpuint (tto_test_client_count_pushes (bo, TTO_FRAME_MSG_NEW), ==, 0);

  /* End the event: messages go, the chat says so, the composer is off. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chat), "chat.info", NULL));
  WAIT_FOR ((info = tto_test_gui_find_toplevel (TTO_TYPE_EVENT_INFO_WINDOW)) != NULL);
  tto_test_gui_screenshot_unsized (info, "event-info");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (info), "info.end", NULL));
  WAIT_FOR ((confirm = tto_test_gui_find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (confirm), "end");
  WAIT_FOR (tto_event_get_ended (event));
  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, 0);
  WAIT_FOR (tto_chat_page_get_showing_ended (chat));
  WAIT_FOR (tto_test_gui_find_toplevel (TTO_TYPE_EVENT_INFO_WINDOW) == NULL);
  ended = tto_test_client_wait_push (bo, TTO_FRAME_EVENT_ENDED, TTO_TEST_REQUEST_TIMEOUT_MS);
  g_assert_nonnull (ended);
  g_assert_cmpstr (tto_frame_get_string (ended, "reason"), ==, "ended");
  tto_test_gui_screenshot (GTK_WINDOW (window), "chat-ended");

  tto_test_client_close (bo);
  g_object_unref (event);
  gtk_window_destroy (GTK_WINDOW (window));
  tto_test_gui_settle (100);
  tto_test_relay_stop (relay);
}

/* The chat in Chinese, for translators and reviewers. */
static void
test_screenshots_zh_cn (void)
{
  TtoTestRelay *relay;
  TtoWindow *window;
  TtoSession *session;
  TtoEvent *event;
  TtoTestClient *bo;
  g_autoptr (JsonObject) joined = NULL;
  g_autoptr (TtoFrame) sent = NULL;

  if (g_strcmp0 (_("Events"), "Events") == 0)
    {
      g_test_skip ("zh_CN translations not loaded (set LANGUAGE=zh_CN and TTO_LOCALEDIR)");
      return;
    }

  relay = tto_test_relay_start (60);
  if (relay == NULL)
    return;

  window = tto_test_gui_new_window ();
  tto_test_gui_screenshot (GTK_WINDOW (window), "signin-zh_CN");
  tto_test_gui_sign_in (window, tto_test_relay_get_ws_url (relay), "安娜");
  session = tto_window_get_session (window);
  event = tto_test_gui_create_event (window, "蓝队黑客松", "48 小时内做一个共享单车应用。", "九点在二号会议室开始");
  bo = tto_test_client_connect (relay);
  tto_test_client_create_identity (bo, "波");
  joined = tto_test_client_join (bo, tto_event_get_invite_code (event));
  gtk_widget_activate_action (GTK_WIDGET (tto_window_get_create_page (window)),
                              "create.open-chat", NULL);
  tto_test_gui_type_and_send (window, "谁带投影仪？");
  WAIT_FOR (tto_message_get_state (tto_test_gui_message_at (
              tto_session_get_messages (session, event), 0)) == TTO_MESSAGE_STATE_SENT);
  sent = tto_test_client_send_message (bo, tto_event_get_id (event), "bo-zh", "我带，还有延长线。");
  WAIT_FOR (g_list_model_get_n_items (tto_session_get_messages (session, event)) == 2);
  tto_test_gui_screenshot (GTK_WINDOW (window), "chat-zh_CN");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.back", NULL);
  tto_test_gui_screenshot (GTK_WINDOW (window), "home-zh_CN");

  tto_test_client_close (bo);
  gtk_window_destroy (GTK_WINDOW (window));
  tto_test_gui_settle (100);
  tto_test_relay_stop (relay);
}

int
main (int argc,
      char *argv[])
{
  tto_test_gui_init (&argc, &argv);

  g_test_add_func ("/client/sign-in-errors", test_sign_in_errors);
  g_test_add_func ("/client/flow", test_flow);
  g_test_add_func ("/client/screenshots-zh_CN", test_screenshots_zh_cn);

  return g_test_run ();
}
