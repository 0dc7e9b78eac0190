/* test-chat.c: rich chat in the client's window against a real relay
 *
 * Runs under xvfb-run and dbus-run-session (see meson.build). Ana signs in
 * through the window and creates an event; Bo and Cy are harness clients.
 * Checks replies (bar, quote, jump to the original), @mention completion
 * (members listed, Enter inserts, ids sent), read receipts as the others
 * read, edit and recall (menus inside and after the windows, the creator's
 * settings), export to HTML and JSON, unread mentions on the home page,
 * read positions kept on disk, and resume with useq after a dropped
 * connection; and renders the conversation at phone and desktop sizes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <adwaita.h>

#include "tto-client.h"
#include "tto-event-info-window.h"
#include "tto-event-row.h"
#include "tto-message-row.h"
#include "tto-test-gui.h"
#include "tto-test-harness.h"
#include "tto-window.h"

/* Whether @message's row is inside the visible part of the list. */
static gboolean
row_on_screen (TtoChatPage *chat,
               TtoMessage *message)
{
  TtoMessageRow *row = tto_chat_page_find_row (chat, message);
  GtkWidget *viewport = gtk_widget_get_parent (GTK_WIDGET (tto_chat_page_get_message_list (chat)));
  graphene_rect_t bounds;

  if (row == NULL || !gtk_widget_get_mapped (GTK_WIDGET (row)) ||
      !gtk_widget_compute_bounds (GTK_WIDGET (row), viewport, &bounds))
    return FALSE;
  return bounds.origin.y + bounds.size.height > 0 &&
         bounds.origin.y < gtk_widget_get_height (viewport);
}

static gboolean
menu_has (GMenuModel *menu,
          const char *action)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autoptr (GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);
      g_autofree char *name = NULL;

      if (section != NULL && menu_has (section, action))
        return TRUE;
      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &name) &&
          g_str_equal (name, action))
        return TRUE;
    }
  return FALSE;
}

static gboolean
row_menu_has (TtoMessageRow *row,
              const char *action)
{
  g_autoptr (GMenuModel) menu = tto_message_row_build_menu (row);

  return menu_has (menu, action);
}

/* Emits key-pressed on the composer's key controller, as typing would. */
static gboolean
press_key (TtoChatPage *chat,
           guint keyval)
{
  g_autoptr (GListModel) controllers =
    gtk_widget_observe_controllers (GTK_WIDGET (tto_chat_page_get_composer_view (chat)));
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller) &&
          gtk_event_controller_get_propagation_phase (controller) == GTK_PHASE_CAPTURE)
        {
          g_signal_emit_by_name (controller, "key-pressed", keyval, 0, 0, &handled);
          return handled;
        }
    }
  g_error ("no key controller on the composer");
  return FALSE;
}

static void
type_text (TtoChatPage *chat,
           const char *text)
{
  GtkTextBuffer *buffer = tto_chat_page_get_composer_buffer (chat);
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, text, -1);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);
}

static char *
read_file (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  return contents;
}

static void
test_rich (void)
{
  TtoTestRelay *relay = tto_test_relay_start (60);
  TtoWindow *window;
  TtoSession *session;
  TtoConnection *connection;
  TtoChatPage *chat;
  TtoEvent *event;
  GListModel *messages;
  TtoMessage *first, *bo_quote, *mine, *last;
  TtoMessageRow *row;
  TtoTestClient *bo, *cy;
  g_autoptr (JsonObject) joined = NULL;
  g_autoptr (TtoFrame) frame = NULL;
  g_autoptr (TtoFrame) pushed = NULL;
  g_autofree char *html_path = NULL;
  g_autofree char *json_path = NULL;
  g_autofree char *html = NULL;
  g_autofree char *json = NULL;
  g_autofree char *state = NULL;
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) file = NULL;
  g_autofree char *tmpdir = NULL;
  GListModel *candidates;
  GtkWindow *info;
  GtkWindow *dialog;
  const char *ana_id;
  guint n;

  if (relay == NULL)
    return;

  window = tto_test_gui_new_window ();
  chat = tto_window_get_chat_page (window);
  tto_test_gui_sign_in (window, tto_test_relay_get_ws_url (relay), "Ana");
  session = tto_window_get_session (window);
  connection = tto_session_get_connection (session);
  ana_id = tto_session_get_identity_id (session);

  /* The advanced section sets the windows at creation. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.create-event", NULL));
  tto_create_page_fill (tto_window_get_create_page (window), "Site visit", "Plan the visit", NULL);
  /* Harness clients join at once (the app proposes review). */
  tto_create_page_set_admission (tto_window_get_create_page (window), "open");
  tto_create_page_set_windows (tto_window_get_create_page (window), 600, 300);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tto_window_get_create_page (window)),
                                             "create.submit", NULL));
  WAIT_FOR (tto_create_page_get_created_event (tto_window_get_create_page (window)) != NULL);
  event = g_object_ref (tto_create_page_get_created_event (tto_window_get_create_page (window)));
  g_assert_cmpuint (tto_event_get_edit_window (event), ==, 600);
  g_assert_cmpuint (tto_event_get_recall_window (event), ==, 300);

  bo = tto_test_client_connect (relay);
  tto_test_client_create_identity (bo, "Bo");
  joined = tto_test_client_join (bo, tto_event_get_invite_code (event));
  cy = tto_test_client_connect (relay);
  tto_test_client_create_identity (cy, "Cy");
  g_clear_pointer (&joined, json_object_unref);
  joined = tto_test_client_join (cy, tto_event_get_invite_code (event));
  WAIT_FOR (tto_event_get_member_count (event) == 3);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tto_window_get_create_page (window)),
                                             "create.open-chat", NULL));
  WAIT_FOR (g_list_model_get_n_items (tto_session_get_members (session, event)) == 3);
  messages = tto_session_get_messages (session, event);

  /* Receipts: nobody, one, both others read Ana's message. */
  tto_test_gui_type_and_send (window, "Who brings the projector?");
  WAIT_FOR (tto_message_get_seq (tto_test_gui_message_at (messages, 0)) == 1);
  first = tto_test_gui_message_at (messages, 0);
  row = tto_test_gui_wait_row (chat, first);
  WAIT_FOR (g_strcmp0 (tto_message_row_get_receipt_text (row), _("Unread")) == 0);
  frame = tto_test_client_request_ok (
      bo, TTO_FRAME_RECEIPT_READ,
      tto_test_json_object ("{\"event_id\":\"%s\",\"seq\":1}", tto_event_get_id (event)));
  g_clear_pointer (&frame, tto_frame_free);
  WAIT_FOR (g_strcmp0 (tto_message_row_get_receipt_text (row), "Read by 1 of 2") == 0);
  frame = tto_test_client_request_ok (
      cy, TTO_FRAME_RECEIPT_READ,
      tto_test_json_object ("{\"event_id\":\"%s\",\"seq\":1}", tto_event_get_id (event)));
  g_clear_pointer (&frame, tto_frame_free);
  WAIT_FOR (g_strcmp0 (tto_message_row_get_receipt_text (row), _("All read")) == 0);
  tto_message_row_show_receipts (row);
  WAIT_FOR (tto_message_row_get_receipts_popover (row) != NULL);
  gtk_popover_popdown (tto_message_row_get_receipts_popover (row));
  tto_test_gui_settle (50);

  /* Bo answers quoting Ana and mentioning her; plenty follows. */
  frame = tto_test_client_request_ok (
      bo, TTO_FRAME_MSG_SEND,
      tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"bo-q\","
                            "\"text\":\"I do, @Ana. And <b>cables</b> & co.\","
                            "\"reply_to\":\"%s\",\"mentions\":[\"%s\"]}",
                            tto_event_get_id (event), tto_message_get_msg_id (first), ana_id));
  g_clear_pointer (&frame, tto_frame_free);
  WAIT_FOR (g_list_model_get_n_items (messages) == 2);
  bo_quote = tto_test_gui_message_at (messages, 1);
  row = tto_test_gui_wait_row (chat, bo_quote);
  g_assert_cmpstr (tto_message_row_get_quote_sender (row), ==, "Ana");
  g_assert_cmpstr (tto_message_row_get_quote_text (row), ==, "Who brings the projector?");
  g_assert_true (tto_message_row_get_mentions_me (row));
  /* Ana has read up to here (the window is focused): the receipt follows. */
  WAIT_FOR (tto_session_get_own_read_position (session, event) == 2);
  for (int i = 0; i < 30; i++)
    {
      g_autofree char *id = g_strdup_printf ("cy-%d", i);
      g_autofree char *text = g_strdup_printf ("Filler message %d to scroll the chat", i);
      g_autoptr (TtoFrame) sent = tto_test_client_send_message (cy, tto_event_get_id (event), id,
                                                                text);
    }
  WAIT_FOR (g_list_model_get_n_items (messages) == 32);
  tto_test_gui_settle (300);

  /* Tapping the quote goes back to the original, far up. */
  row = tto_test_gui_wait_row (chat, tto_test_gui_message_at (messages, 31));
  g_assert_false (row_on_screen (chat, first));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chat), "chat.show-original", "x",
                                             (gint64) 1));
  WAIT_FOR (row_on_screen (chat, first));
  WAIT_FOR (tto_chat_page_get_jump_visible (chat));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chat), "chat.jump-to-latest", NULL));
  tto_test_gui_settle (200);

  /* Reply to Bo through the message's action: the bar shows, the frame
   * carries reply_to. */
  tto_test_client_discard_pushes (bo);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chat), "chat.reply", "x",
                                             tto_message_get_seq (bo_quote)));
  g_assert_cmpstr (tto_chat_page_get_reply_title (chat), ==, "Reply to Bo");
  g_assert_cmpstr (tto_chat_page_get_reply_text (chat), ==, "I do, @Ana. And <b>cables</b> & co.");

  /* @mention: the popover lists the members, Enter inserts one. */
  type_text (chat, "Thanks @B");
  candidates = tto_chat_page_get_mention_candidates (chat);
  g_assert_nonnull (candidates);
  n = g_list_model_get_n_items (candidates);
  g_assert_cmpuint (n, ==, 1);
  {
    g_autoptr (TtoMember) member = g_list_model_get_item (candidates, 0);

    g_assert_cmpstr (tto_member_get_display_name (member), ==, "Bo");
  }
  tto_test_gui_screenshot (GTK_WINDOW (window), "chat-mention");
  g_assert_true (press_key (chat, GDK_KEY_Return));
  g_assert_null (tto_chat_page_get_mention_candidates (chat));
  type_text (chat, "see you at 9");
  {
    GtkTextBuffer *buffer = tto_chat_page_get_composer_buffer (chat);
    GtkTextIter start, end;
    g_autofree char *text = NULL;

    gtk_text_buffer_get_bounds (buffer, &start, &end);
    text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    g_assert_cmpstr (text, ==, "Thanks @Bo see you at 9");
  }
  /* "@all" only for the creator, who Ana is. */
  g_assert_true (press_key (chat, GDK_KEY_Return));
  pushed = tto_test_client_wait_push (bo, TTO_FRAME_MSG_NEW, TTO_TEST_REQUEST_TIMEOUT_MS);
  g_assert_nonnull (pushed);
  {
    JsonNode *reply = json_object_get_member (pushed->body, "reply_to");
    JsonArray *mentions = json_object_get_array_member (pushed->body, "mentions");

    g_assert_true (reply != NULL && JSON_NODE_HOLDS_OBJECT (reply));
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (reply), "msg_id"), ==,
                     tto_message_get_msg_id (bo_quote));
    g_assert_cmpuint (json_array_get_length (mentions), ==, 1);
    g_assert_cmpstr (json_array_get_string_element (mentions, 0), ==,
                     tto_test_client_get_identity_id (bo));
  }
  g_assert_null (tto_chat_page_get_reply_title (chat));
  WAIT_FOR (tto_message_get_seq (tto_test_gui_message_at (messages, 32)) == 33);
  mine = tto_test_gui_message_at (messages, 32);

  /* Edit and recall while the windows are open. */
  row = tto_test_gui_wait_row (chat, mine);
  g_assert_true (row_menu_has (row, "chat.reply"));
  g_assert_true (row_menu_has (row, "chat.edit"));
  g_assert_true (row_menu_has (row, "chat.recall"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chat), "chat.edit", "x",
                                             tto_message_get_seq (mine)));
  g_assert_cmpstr (tto_chat_page_get_reply_title (chat), ==, "Edit Message");
  gtk_text_buffer_set_text (tto_chat_page_get_composer_buffer (chat),
                            "Thanks @Bo, see you at 9:30", -1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chat), "chat.send", NULL));
  WAIT_FOR (tto_message_get_edited_at (mine) > 0);
  g_assert_cmpstr (tto_message_get_text (mine), ==, "Thanks @Bo, see you at 9:30");
  WAIT_FOR (tto_message_row_get_edited_shown (tto_test_gui_wait_row (chat, mine)));

  tto_test_gui_type_and_send (window, "Oops, wrong chat");
  WAIT_FOR (g_list_model_get_n_items (messages) == 34 &&
            tto_message_get_seq (tto_test_gui_message_at (messages, 33)) == 34);
  last = tto_test_gui_message_at (messages, 33);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chat), "chat.recall", "x",
                                             tto_message_get_seq (last)));
  WAIT_FOR ((dialog = tto_test_gui_find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "recall");
  WAIT_FOR (tto_message_get_recalled (last));
  g_assert_cmpstr (tto_message_get_text (last), ==, "");
  WAIT_FOR (g_strcmp0 (tto_message_row_get_text (tto_test_gui_wait_row (chat, last)),
                       _("You recalled a message")) == 0);

  /* Bo quotes then recalls one of his: the quote says so. */
  frame = tto_test_client_request_ok (
      bo, TTO_FRAME_MSG_SEND,
      tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"bo-r\","
                            "\"text\":\"Room 2 is booked\"}",
                            tto_event_get_id (event)));
  g_clear_pointer (&frame, tto_frame_free);
  WAIT_FOR (g_list_model_get_n_items (messages) == 35);
  frame = tto_test_client_request_ok (
      bo, TTO_FRAME_MSG_RECALL,
      tto_test_json_object ("{\"event_id\":\"%s\",\"msg_id\":\"%s\"}", tto_event_get_id (event),
                            tto_message_get_msg_id (tto_test_gui_message_at (messages, 34))));
  g_clear_pointer (&frame, tto_frame_free);
  WAIT_FOR (tto_message_get_recalled (tto_test_gui_message_at (messages, 34)));
  WAIT_FOR (g_strcmp0 (tto_message_row_get_text (
                           tto_test_gui_wait_row (chat, tto_test_gui_message_at (messages, 34))),
                       "Bo recalled a message") == 0);
  g_assert_true (
      gtk_widget_activate_action (GTK_WIDGET (chat), "chat.show-original", "x",
                                  tto_message_get_seq (tto_test_gui_message_at (messages, 34))));

  /* Offline while Cy edits: resume brings the update (useq). */
  g_assert_cmpint (tto_connection_get_useq (connection, tto_event_get_id (event)), >=, 2);
  tto_connection_drop (connection);
  frame = tto_test_client_request_ok (
      cy, TTO_FRAME_MSG_EDIT,
      tto_test_json_object ("{\"event_id\":\"%s\",\"msg_id\":\"%s\","
                            "\"text\":\"Filler, edited offline\"}",
                            tto_event_get_id (event),
                            tto_message_get_msg_id (tto_test_gui_message_at (messages, 2))));
  g_clear_pointer (&frame, tto_frame_free);
  WAIT_FOR (tto_connection_get_state (connection) == TTO_CONNECTION_STATE_CONNECTED);
  WAIT_FOR (tto_test_gui_message_at (messages, 2) != NULL &&
            g_strcmp0 (tto_message_get_text (tto_test_gui_message_at (messages, 2)),
                       "Filler, edited offline") == 0);
  g_assert_cmpint (tto_message_get_edited_at (tto_test_gui_message_at (messages, 2)), >, 0);

  /* Screenshots of the conversation: reply, mention, receipts, edited,
   * recalled. */
  tto_test_gui_settle (300);
  tto_test_gui_screenshot (GTK_WINDOW (window), "chat-rich");
  tto_test_gui_resize (GTK_WINDOW (window), 1280, 800);
  g_assert_true (tto_home_page_get_selected_event (tto_window_get_home_page (window)) == event);
  tto_test_gui_screenshot (GTK_WINDOW (window), "chat-rich");

  /* The creator closes the windows in the info window: edit goes, the
   * creator's recall stays. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chat), "chat.info", NULL));
  WAIT_FOR ((info = tto_test_gui_find_toplevel (TTO_TYPE_EVENT_INFO_WINDOW)) != NULL);
  tto_test_gui_settle (200);
  tto_test_gui_screenshot_unsized (info, "event-info-rich");
  {
    GtkWidget *edit_row = NULL;
    GtkWidget *recall_row = NULL;
    GtkWidget *w = GTK_WIDGET (info);
    GList *stack = g_list_prepend (NULL, w);

    while (stack != NULL)
      {
        GtkWidget *current = stack->data;

        stack = g_list_delete_link (stack, stack);
        if (ADW_IS_COMBO_ROW (current))
          {
            const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (current));

            if (g_str_equal (title, "Edit Within"))
              edit_row = current;
            else if (g_str_equal (title, "Recall Within"))
              recall_row = current;
          }
        for (GtkWidget *child = gtk_widget_get_first_child (current); child != NULL;
             child = gtk_widget_get_next_sibling (child))
          stack = g_list_prepend (stack, child);
      }
    g_assert_nonnull (edit_row);
    g_assert_nonnull (recall_row);
    g_assert_cmpuint (tto_client_get_window_row_seconds (ADW_COMBO_ROW (edit_row)), ==, 600);
    adw_combo_row_set_selected (ADW_COMBO_ROW (edit_row), 0);
    WAIT_FOR (tto_event_get_edit_window (event) == 0);
    adw_combo_row_set_selected (ADW_COMBO_ROW (recall_row), 0);
    WAIT_FOR (tto_event_get_recall_window (event) == 0);
  }
  g_clear_pointer (&pushed, tto_frame_free);
  pushed = tto_test_client_wait_push (cy, TTO_FRAME_EVENT_UPDATED, TTO_TEST_REQUEST_TIMEOUT_MS);
  g_assert_nonnull (pushed);

  /* Ana grants Bo the export for an hour from the member list. */
  tto_test_client_discard_pushes (bo);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (info), "info.grant-export", "(sx)",
                                             tto_test_client_get_identity_id (bo),
                                             (gint64) 3600));
  g_clear_pointer (&pushed, tto_frame_free);
  pushed = tto_test_client_wait_push (bo, TTO_FRAME_MEMBER_UPDATED, TTO_TEST_REQUEST_TIMEOUT_MS);
  g_assert_nonnull (pushed);
  WAIT_FOR (tto_member_has_permission (tto_session_lookup_member (
                                         session, event, tto_test_client_get_identity_id (bo)),
                                       TTO_PERMISSION_EXPORT));
  gtk_window_destroy (info);
  tto_test_gui_settle (100);

  row = tto_test_gui_wait_row (chat, mine);
  g_assert_false (row_menu_has (row, "chat.edit"));
  g_assert_true (row_menu_has (row, "chat.recall")); /* the creator, any time */
  g_assert_false (tto_session_can_edit (session, event, mine, 0));

  /* Export: HTML escaped, JSON parses. */
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (chat)));
  tmpdir = g_dir_make_tmp ("tto-export-XXXXXX", &error);
  g_assert_no_error (error);
  html_path = g_build_filename (tmpdir, "site visit.html", NULL);
  json_path = g_build_filename (tmpdir, "site visit.json", NULL);
  file = g_file_new_for_path (html_path);
  tto_chat_page_export_to_file (chat, file, TTO_EXPORT_FORMAT_HTML);
  WAIT_FOR (!tto_chat_page_get_exporting (chat));
  g_assert_null (tto_chat_page_get_export_error (chat));
  html = read_file (html_path);
  g_assert_nonnull (strstr (html, "I do, @Ana. And &lt;b&gt;cables&lt;/b&gt; &amp; co."));
  g_assert_null (strstr (html, "<b>cables</b>"));
  g_assert_nonnull (strstr (html, "Thanks @Bo, see you at 9:30"));
  g_assert_nonnull (strstr (html, "Ana recalled a message"));
  g_clear_object (&file);
  file = g_file_new_for_path (json_path);
  tto_chat_page_export_to_file (chat, file, TTO_EXPORT_FORMAT_JSON);
  WAIT_FOR (!tto_chat_page_get_exporting (chat));
  json = read_file (json_path);
  parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_node_get_object (json_parser_get_root (parser)), "messages")),
                    ==, 35);
  g_unlink (html_path);
  g_unlink (json_path);
  g_rmdir (tmpdir);

  /* Away from the chat, a mention counts on the home page. */
  tto_test_gui_resize (GTK_WINDOW (window), 360, 720);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.back", NULL));
  g_assert_null (tto_home_page_get_selected_event (tto_window_get_home_page (window)));
  frame = tto_test_client_request_ok (
      bo, TTO_FRAME_MSG_SEND,
      tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"bo-m\","
                            "\"text\":\"@Ana the key is at the desk\","
                            "\"mentions\":[\"%s\"]}",
                            tto_event_get_id (event), ana_id));
  g_clear_pointer (&frame, tto_frame_free);
  WAIT_FOR (tto_event_get_unread_count (event) == 1);
  WAIT_FOR (tto_session_get_unread_mentions (session, event) == 1);
  tto_test_gui_screenshot (GTK_WINDOW (window), "home-mention");

  /* The read position is on disk for the next start (no text in it). */
  state = g_build_filename (g_get_user_state_dir (), "tto", "read-positions", NULL);
  WAIT_FOR (g_file_test (state, G_FILE_TEST_EXISTS));
  tto_test_gui_settle (1200);
  {
    g_autofree char *contents = read_file (state);

    g_assert_nonnull (strstr (contents, tto_event_get_id (event)));
    g_assert_null (strstr (contents, "projector"));
  }

  /* Opening again: the divider sits above the unread message. */
  tto_window_open_event (window, event);
  WAIT_FOR (tto_message_row_get_show_divider (
      tto_test_gui_wait_row (chat, tto_test_gui_message_at (messages, 35))));
  tto_test_gui_screenshot (GTK_WINDOW (window), "chat-unread");

  tto_test_client_close (bo);
  tto_test_client_close (cy);
  g_object_unref (event);
  gtk_window_destroy (GTK_WINDOW (window));
  tto_test_gui_settle (100);
  tto_test_relay_stop (relay);
}

int
main (int argc,
      char *argv[])
{
  tto_test_gui_init (&argc, &argv);

  g_test_add_func ("/chat/rich", test_rich);

  return g_test_run ();
}
