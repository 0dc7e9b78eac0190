/* tto-test-ip-allow-ui.c: the creator's "Allowed Networks" in the event
 * settings, against a real relay and MariaDB
 *
 * Bad networks are refused in place (the reason under the entry, nothing
 * sent); good ones reach the relay's event row in canonical form; remove
 * buttons take them off again; a member outside the list is refused by
 * the relay. Screenshots at 360×720 and 1280×800 go to
 * $G_TEST_BUILDDIR/screenshots/.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gi18n.h>
#include <adwaita.h>

#include "tto-client.h"
#include "tto-event-info-window.h"
#include "tto-ip-allow-row.h"
#include "tto-test-gui.h"
#include "tto-test-harness.h"
#include "tto-window.h"

static char *
db_list (TtoTestRelay *relay,
         TtoEvent *event)
{
  return tto_test_relay_query_stringf (relay, "SELECT ip_allow FROM events WHERE id = '%s'",
                                       tto_event_get_id (event));
}

/* Types @text and presses Enter, as a person would. */
static void
type_network (TtoIpAllowRow *row,
              const char *text)
{
  AdwEntryRow *entry = tto_ip_allow_row_get_entry (row);

  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  g_signal_emit_by_name (entry, "entry-activated");
}

static void
assert_refused (TtoTestRelay *relay,
                TtoEvent *event,
                TtoIpAllowRow *row,
                const char *text,
                const char *in_error,
                const char *still_stored)
{
  g_autofree char *stored = NULL;

  type_network (row, text);
  g_assert_false (tto_ip_allow_row_get_busy (row));
  g_assert_nonnull (tto_ip_allow_row_get_error (row));
  if (strstr (tto_ip_allow_row_get_error (row), in_error) == NULL)
    g_error ("\"%s\": the error \"%s\" lacks \"%s\"", text, tto_ip_allow_row_get_error (row),
             in_error);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (tto_ip_allow_row_get_entry (row)),
                                           "error"));
  /* What was typed stays, to be fixed. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (tto_ip_allow_row_get_entry (row))), ==,
                   text);
  tto_test_gui_settle (100);
  stored = db_list (relay, event);
  g_assert_cmpstr (stored, ==, still_stored);
}

static void
test_allowed_networks (void)
{
  TtoTestRelay *relay;
  TtoWindow *window;
  TtoSession *session;
  TtoEventInfoWindow *info;
  TtoIpAllowRow *row;
  TtoTestClient *bo;
  GtkWidget *remove;
  g_autoptr (TtoEvent) event = NULL;
  g_autofree char *stored = NULL;

  relay = tto_test_relay_start (60);
  if (relay == NULL)
    return; /* skipped: no relay or MariaDB */

  window = tto_test_gui_new_window ();
  tto_test_gui_sign_in (window, tto_test_relay_get_ws_url (relay), "Ana");
  session = tto_window_get_session (window);
  event = tto_test_gui_session_create_event (session, "Lab day", "Bench work in room 4");
  g_assert_null (tto_event_get_ip_allow (event)[0]);

  info = tto_event_info_window_new (GTK_WINDOW (window), session, event);
  tto_test_gui_present (GTK_WINDOW (info));
  row = tto_event_info_window_get_ip_allow_row (info);
  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (row)));
  g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row)), ==,
                   "Everyone may join");
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
  g_assert_null (tto_ip_allow_row_get_error (row));

  /* Bad ones stay here, with the reason. */
  assert_refused (relay, event, row, "10.0.0.0/33", "0–32", "");
  assert_refused (relay, event, row, "300.1.1.1", "“300.1.1.1” is not an IP address", "");
  assert_refused (relay, event, row, "   ", "Type a network first", "");
  assert_refused (relay, event, row, "10.1.2.3/8", "Did you mean 10.0.0.0/8?", "");
  tto_test_gui_scroll_to (GTK_WIDGET (row));
  tto_test_gui_resize (GTK_WINDOW (info), 1280, 800);
  tto_test_gui_scroll_to (GTK_WIDGET (row));
  tto_test_gui_screenshot (GTK_WINDOW (info), "ip-allow-error");
  tto_test_gui_resize (GTK_WINDOW (info), 360, 720);
  tto_test_gui_scroll_to (GTK_WIDGET (row));
  tto_test_gui_screenshot (GTK_WINDOW (info), "ip-allow-error");
  /* Typing again puts the hint back. */
  gtk_editable_set_text (GTK_EDITABLE (tto_ip_allow_row_get_entry (row)), "127.0.0.");
  g_assert_null (tto_ip_allow_row_get_error (row));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (tto_ip_allow_row_get_entry (row)),
                                            "error"));

  /* A good one goes to the relay; the entry empties. */
  type_network (row, " 127.0.0.0/8 ");
  g_assert_true (tto_ip_allow_row_get_busy (row));
  WAIT_FOR (!tto_ip_allow_row_get_busy (row));
  g_assert_null (tto_ip_allow_row_get_error (row));
  WAIT_FOR (tto_event_get_ip_allow (event)[0] != NULL);
  g_assert_cmpstr (tto_event_get_ip_allow (event)[0], ==, "127.0.0.0/8");
  stored = db_list (relay, event);
  g_assert_cmpstr (stored, ==, "127.0.0.0/8");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (tto_ip_allow_row_get_entry (row))), ==,
                   "");

  /* The add button does the same; IPv6 in canonical form. */
  gtk_editable_set_text (GTK_EDITABLE (tto_ip_allow_row_get_entry (row)), "2001:DB8::/32");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "ip-allow.add", NULL));
  WAIT_FOR (!tto_ip_allow_row_get_busy (row));
  WAIT_FOR (g_strv_length ((char **) tto_event_get_ip_allow (event)) == 2);
  g_free (stored);
  stored = db_list (relay, event);
  g_assert_cmpstr (stored, ==, "127.0.0.0/8,2001:db8::/32");
  g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row)), ==,
                   "Only from 2 networks");

  /* One that is there already is said so, nothing sent. */
  assert_refused (relay, event, row, "127.0.0.0/8", "on the list already",
                  "127.0.0.0/8,2001:db8::/32");
  gtk_editable_set_text (GTK_EDITABLE (tto_ip_allow_row_get_entry (row)), "");

  /* Remove buttons: touch-sized, named. */
  remove = tto_ip_allow_row_get_remove_button (row, "127.0.0.0/8");
  g_assert_nonnull (remove);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (remove), ==, "Remove 127.0.0.0/8");
  tto_test_gui_settle (200);
  {
    graphene_rect_t bounds;

    /* The border box: gtk_widget_get_width() leaves out the padding. */
    g_assert_true (gtk_widget_compute_bounds (remove, remove, &bounds));
    g_assert_cmpfloat (bounds.size.width, >=, 44);
    g_assert_cmpfloat (bounds.size.height, >=, 44);
  }
  tto_test_gui_scroll_to (GTK_WIDGET (row));
  tto_test_gui_resize (GTK_WINDOW (info), 1280, 800);
  tto_test_gui_scroll_to (GTK_WIDGET (row));
  tto_test_gui_screenshot (GTK_WINDOW (info), "ip-allow-list");
  tto_test_gui_resize (GTK_WINDOW (info), 360, 720);
  tto_test_gui_scroll_to (GTK_WIDGET (row));
  tto_test_gui_screenshot (GTK_WINDOW (info), "ip-allow-list");

  /* Bo joins from 127.0.0.1: on the list. */
  bo = tto_test_client_connect (relay);
  tto_test_client_create_identity (bo, "Bo");
  json_object_unref (tto_test_client_join (bo, tto_event_get_invite_code (event)));

  /* Taking loopback off shuts Bo out at once; Ana, the creator, stays. */
  remove = tto_ip_allow_row_get_remove_button (row, "127.0.0.0/8");
  g_assert_true (gtk_widget_activate (remove));
  WAIT_FOR (!tto_ip_allow_row_get_busy (row));
  WAIT_FOR (g_strv_length ((char **) tto_event_get_ip_allow (event)) == 1);
  g_assert_null (tto_ip_allow_row_get_remove_button (row, "127.0.0.0/8"));
  g_free (stored);
  stored = db_list (relay, event);
  g_assert_cmpstr (stored, ==, "2001:db8::/32");
  tto_frame_free (tto_test_client_request_error (
    bo, TTO_FRAME_MSG_SEND,
    tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":\"b1\",\"text\":\"Hi\"}",
                          tto_event_get_id (event)),
    "forbidden"));
  tto_frame_free (tto_test_client_request_ok (
    bo, TTO_FRAME_EVENT_LIST, NULL));

  /* Empty again: everyone. */
  g_assert_true (gtk_widget_activate (tto_ip_allow_row_get_remove_button (row, "2001:db8::/32")));
  WAIT_FOR (!tto_ip_allow_row_get_busy (row));
  WAIT_FOR (tto_event_get_ip_allow (event)[0] == NULL);
  g_free (stored);
  stored = db_list (relay, event);
  g_assert_cmpstr (stored, ==, "");
  g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row)), ==,
                   "Everyone may join");
  tto_frame_free (tto_test_client_send_message (bo, tto_event_get_id (event), "b2", "Hi again"));

  tto_test_client_close (bo);
  gtk_window_destroy (GTK_WINDOW (info));
  gtk_window_destroy (GTK_WINDOW (window));
  tto_test_gui_settle (100);
  tto_test_relay_stop (relay);
}

int
main (int argc,
      char *argv[])
{
  tto_test_gui_init (&argc, &argv);

  g_test_add_func ("/ip-allow-ui/allowed-networks", test_allowed_networks);

  return g_test_run ();
}
