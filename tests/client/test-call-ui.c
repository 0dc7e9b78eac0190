/* test-call-ui.c: calls in the client's window against a real relay
 *
 * Runs under xvfb-run and dbus-run-session (see meson.build). Ana signs in
 * through the window; Bo is a harness client driving a real TtoCallEngine
 * (tests/calls/tto-calls-test-util.c). Ana starts a video call from the
 * chat header, Bo accepts, media flows both ways; mute and camera reach
 * the engine and the tiles; Bo's recording shows the red pill; hanging up
 * returns to the chat and drops the engine. Then Bo calls: the banner
 * rings, Accept joins; after Ana leaves, the banner offers to join again.
 * Screenshots of the call page at 360×720 and 1280×800.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <adwaita.h>

#include "tto-calls-test-util.h"
#include "tto-client.h"
#include "tto-test-gui.h"
#include "tto-window.h"

static TtoCallsRoom room; /* Bo's side; pumped while waiting */
static gboolean room_open;

/* Bo's engine lives in this thread: it runs on every turn of the waits. */
static void
pump_room (gpointer data,
           gpointer user_data)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
  if (room_open)
    tto_calls_room_pump (&room);
}

/* The chat header's call button: a menu of win.call-start items. */
static gboolean
is_call_button (GtkWidget *widget,
                gconstpointer data)
{
  return GTK_IS_MENU_BUTTON (widget) &&
         g_strcmp0 (gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (widget)),
                    "call-start-symbolic") == 0;
}

static gboolean
menu_has_action (GMenuModel *model,
                 const char *action)
{
  for (int i = 0; model != NULL && i < g_menu_model_get_n_items (model); i++)
    {
      g_autofree char *name = NULL;
      g_autoptr (GMenuLinkIter) links = NULL;

      if (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_ACTION, "s", &name) &&
          g_strcmp0 (name, action) == 0)
        return TRUE;
      links = g_menu_model_iterate_item_links (model, i);
      while (g_menu_link_iter_next (links))
        {
          g_autoptr (GMenuModel) link = g_menu_link_iter_get_value (links);

          if (menu_has_action (link, action))
            return TRUE;
        }
    }
  return FALSE;
}

/* A visible menu button under @widget, other than @except, whose menu
 * offers @action. */
static gboolean
some_menu_offers (GtkWidget *widget,
                  GtkWidget *except,
                  const char *action)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (child != except && GTK_IS_MENU_BUTTON (child) && gtk_widget_get_visible (child) &&
          menu_has_action (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (child)), action))
        return TRUE;
      if (some_menu_offers (child, except, action))
        return TRUE;
    }
  return FALSE;
}

static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_get_visible (button));
  g_signal_emit_by_name (button, "clicked");
}

static TtoCallPeer *
bo_peer_for_ana (const char *ana_id)
{
  return room.sides[0].engine != NULL
           ? tto_call_engine_find_peer (room.sides[0].engine, ana_id)
           : NULL;
}

static gboolean
stack_shows (TtoWindow *window,
             const char *name)
{
  GtkWidget *page = GTK_WIDGET (tto_window_get_call_page (window));
  GtkStack *stack = GTK_STACK (gtk_widget_get_parent (page));

  return g_strcmp0 (gtk_stack_get_visible_child_name (stack), name) == 0;
}

static void
test_calls (void)
{
  TtoTestRelay *relay = tto_test_relay_start (60);
  TtoTestClient *bo;
  TtoWindow *window;
  TtoSession *session;
  TtoCallManager *manager;
  TtoCallPage *page;
  TtoCallBanner *banner;
  TtoCallTile *bo_tile;
  TtoCallEngine *engine;
  TtoEvent *event = NULL;
  JsonObject *created;
  const char *ana_id;
  GtkMenuButton *call_button;
  g_autoptr (TtoFrame) config = NULL;
  g_autoptr (TtoFrame) ring = NULL;
  g_autoptr (TtoFrame) frame = NULL;
  g_autofree char *recordings = NULL;
  guint64 frames;

  if (relay == NULL)
    return;

  /* Bo creates the event; Ana joins it in the window. */
  bo = tto_test_client_connect (relay);
  tto_test_client_create_identity (bo, "Bo");
  created = tto_test_client_create_event (bo, "Site visit", 0);

  window = tto_test_gui_new_window ();
  tto_test_gui_sign_in (window, tto_test_relay_get_ws_url (relay), "Ana");
  session = tto_window_get_session (window);
  ana_id = tto_session_get_identity_id (session);
  manager = tto_window_get_call_manager (window);
  page = tto_window_get_call_page (window);
  banner = tto_window_get_call_banner (window);
  recordings = g_dir_make_tmp ("tto-call-ui-XXXXXX", NULL);
  tto_call_manager_set_recordings_dir (manager, recordings);

  event = tto_test_gui_join (session, json_object_get_string_member (created, "invite_code"));
  tto_window_open_event (window, event);
  tto_test_gui_settle (200);

  memset (&room, 0, sizeof room);
  room.relay = relay;
  room.n = 1;
  room.sides[0].client = bo;
  room.event_id = g_strdup (json_object_get_string_member (created, "event_id"));
  room.width = 320;
  room.height = 180;
  room.framerate = 15;
  room.bitrate = 300;
  room.fake_audio_sink = TRUE;
  config = tto_test_client_request_ok (bo, TTO_FRAME_CALL_CONFIG, NULL);
  room.ice_servers = json_array_ref (json_object_get_array_member (config->body, "ice_servers"));
  tto_test_client_discard_pushes (bo);

  /* Voice and video calls: on a phone in the chat's menu, which leaves the
   * header to the title; beside the list a button of their own. */
  call_button = tto_test_gui_find_widget (tto_window_get_chat_page (window), is_call_button, NULL);
  g_assert_nonnull (call_button);
  g_assert_cmpint (g_menu_model_get_n_items (gtk_menu_button_get_menu_model (call_button)), ==, 2);
  g_assert_true (tto_window_get_folded (window));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (call_button)));
  g_assert_true (some_menu_offers (GTK_WIDGET (tto_window_get_chat_page (window)),
                                   GTK_WIDGET (call_button), "win.call-start"));
  tto_test_gui_resize (GTK_WINDOW (window), 1280, 800);
  g_assert_false (tto_window_get_folded (window));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (call_button)));
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (call_button)));
  g_assert_false (some_menu_offers (GTK_WIDGET (tto_window_get_chat_page (window)),
                                    GTK_WIDGET (call_button), "win.call-start"));
  tto_test_gui_resize (GTK_WINDOW (window), 360, 720);

  /* Ana starts a video call; Bo's devices ring; Bo accepts. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (call_button), "win.call-start", "s",
                                             "video"));
  WAIT_FOR (tto_call_manager_get_state (manager) == TTO_CALL_MANAGER_STATE_IN_CALL);
  g_assert_true (stack_shows (window, "call"));
  ring = tto_test_client_wait_push (bo, TTO_FRAME_CALL_RING, 5000);
  g_assert_nonnull (ring);
  room.call_id = g_strdup (json_object_get_string_member (
    json_object_get_object_member (ring->body, "call"), "call_id"));
  tto_test_client_discard_pushes (bo);
  room_open = TRUE;
  tto_calls_room_accept (&room, 0);

  WAIT_FOR (tto_call_page_find_tile (page, tto_test_client_get_identity_id (bo)) != NULL);
  bo_tile = tto_call_page_find_tile (page, tto_test_client_get_identity_id (bo));
  WAIT_FOR (tto_call_tile_get_frames (bo_tile) > 3 && bo_peer_for_ana (ana_id) != NULL &&
            tto_call_peer_get_video_frames (bo_peer_for_ana (ana_id)) > 3 &&
            tto_call_peer_get_audio_buffers (bo_peer_for_ana (ana_id)) > 0);
  WAIT_FOR (tto_call_tile_get_showing_video (bo_tile));
  g_assert_true (tto_call_page_get_narrow (page));
  g_assert_true (tto_call_page_get_main_tile (page) == bo_tile);
  WAIT_FOR (tto_call_tile_get_frames (tto_call_page_get_local_tile (page)) > 0);
  g_assert_cmpstr (tto_call_tile_get_name (bo_tile), ==, "Bo");

  /* Mute and camera reach the engine and the own tile. */
  engine = tto_call_manager_get_engine (manager);
  g_object_add_weak_pointer (G_OBJECT (engine), (gpointer *) &engine);
  click (tto_call_page_get_control (page, "mute"));
  g_assert_true (tto_call_engine_get_muted (engine));
  g_assert_true (tto_call_tile_get_muted (tto_call_page_get_local_tile (page)));
  g_assert_true (gtk_toggle_button_get_active (
    GTK_TOGGLE_BUTTON (tto_call_page_get_control (page, "mute"))));
  click (tto_call_page_get_control (page, "camera"));
  g_assert_false (tto_call_engine_get_camera_enabled (engine));
  g_assert_false (tto_call_tile_get_showing_video (tto_call_page_get_local_tile (page)));
  click (tto_call_page_get_control (page, "camera"));
  g_assert_true (tto_call_engine_get_camera_enabled (engine));
  g_assert_true (tto_call_tile_get_showing_video (tto_call_page_get_local_tile (page)));
  click (tto_call_page_get_control (page, "mute"));
  g_assert_false (tto_call_engine_get_muted (engine));
  g_assert_false (tto_call_tile_get_muted (tto_call_page_get_local_tile (page)));

  /* Bo records: the pill shows for Ana. */
  g_assert_false (tto_call_page_get_recording_shown (page));
  frame = tto_test_client_request_ok (
    bo, TTO_FRAME_CALL_RECORDING,
    tto_test_json_object ("{\"event_id\":\"%s\",\"call_id\":\"%s\",\"recording\":true}",
                          room.event_id, room.call_id));
  WAIT_FOR (tto_call_page_get_recording_shown (page));

  /* Ana records on her device too: a WebM file in the folder chosen. */
  click (tto_call_page_get_control (page, "record"));
  g_assert_true (tto_call_engine_get_recording (engine));
  tto_test_gui_settle (1500);
  click (tto_call_page_get_control (page, "record"));
  g_assert_false (tto_call_engine_get_recording (engine));
  {
    g_autoptr (GDir) dir = g_dir_open (recordings, 0, NULL);
    const char *name = g_dir_read_name (dir);
    g_autofree char *path = NULL;
    GStatBuf st;

    g_assert_nonnull (name);
    g_assert_true (g_str_has_suffix (name, ".webm"));
    path = g_build_filename (recordings, name, NULL);
    g_assert_cmpint (g_stat (path, &st), ==, 0);
    g_assert_cmpint (st.st_size, >, 1000);
    g_unlink (path);
  }
  g_rmdir (recordings);

  tto_test_gui_screenshot (GTK_WINDOW (window), "call-video");
  tto_test_gui_resize (GTK_WINDOW (window), 1280, 800);
  WAIT_FOR (!tto_call_page_get_narrow (page) && tto_call_page_get_main_tile (page) == NULL);
  frames = tto_call_tile_get_frames (bo_tile);
  WAIT_FOR (tto_call_tile_get_frames (bo_tile) > frames + 3);
  tto_test_gui_screenshot (GTK_WINDOW (window), "call-video");

  /* Hanging up returns to the chat and drops the engine. */
  click (tto_call_page_get_control (page, "hangup"));
  WAIT_FOR (tto_call_manager_get_state (manager) == TTO_CALL_MANAGER_STATE_IDLE);
  WAIT_FOR (engine == NULL);
  g_assert_true (stack_shows (window, "main"));

  /* Bo is still in his call: the chat offers to join it. */
  WAIT_FOR (tto_call_banner_get_mode (banner) == TTO_CALL_BANNER_MODE_JOIN);
  tto_calls_room_hangup (&room, 0);
  WAIT_FOR (tto_call_banner_get_mode (banner) == TTO_CALL_BANNER_MODE_HIDDEN);

  /* Bo calls: the banner rings, Accept joins. */
  tto_calls_room_invite (&room, 0);
  WAIT_FOR (tto_call_banner_get_mode (banner) == TTO_CALL_BANNER_MODE_RING);
  g_assert_cmpstr (tto_call_banner_get_title (banner), ==, "Bo is video calling");
  tto_test_gui_screenshot (GTK_WINDOW (window), "call-ringing");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (banner), "banner.accept", NULL));
  WAIT_FOR (tto_call_manager_get_state (manager) == TTO_CALL_MANAGER_STATE_IN_CALL);
  WAIT_FOR (tto_call_banner_get_mode (banner) == TTO_CALL_BANNER_MODE_HIDDEN);
  WAIT_FOR (tto_call_page_find_tile (page, tto_test_client_get_identity_id (bo)) != NULL);
  bo_tile = tto_call_page_find_tile (page, tto_test_client_get_identity_id (bo));
  WAIT_FOR (tto_call_tile_get_frames (bo_tile) > 3 && bo_peer_for_ana (ana_id) != NULL &&
            tto_call_peer_get_video_frames (bo_peer_for_ana (ana_id)) > 3);
  g_assert_false (tto_call_page_get_recording_shown (page));

  /* Bo leaves last-but-one: the call goes on for Ana until she hangs up. */
  engine = tto_call_manager_get_engine (manager);
  g_object_add_weak_pointer (G_OBJECT (engine), (gpointer *) &engine);
  tto_calls_room_hangup (&room, 0);
  WAIT_FOR (tto_call_page_find_tile (page, tto_test_client_get_identity_id (bo)) == NULL);
  click (tto_call_page_get_control (page, "hangup"));
  WAIT_FOR (engine == NULL && stack_shows (window, "main"));

  /* Calling one member (the member list's call button): only Bo is rung.
   * Bo's engine is gone; his pushes stay queued for the test to read. */
  room.sides[0].client = NULL;
  tto_test_client_discard_pushes (bo);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.call-member", "(ss)",
                                             "audio", tto_test_client_get_identity_id (bo)));
  WAIT_FOR (tto_call_manager_get_state (manager) == TTO_CALL_MANAGER_STATE_IN_CALL);
  {
    g_autoptr (TtoFrame) one = tto_test_client_wait_push (bo, TTO_FRAME_CALL_RING, 5000);
    JsonObject *call;
    JsonArray *invited;

    g_assert_nonnull (one);
    call = json_object_get_object_member (one->body, "call");
    invited = json_object_get_array_member (call, "invited");
    g_assert_cmpstr (json_object_get_string_member (call, "kind"), ==, "audio");
    g_assert_cmpuint (json_array_get_length (invited), ==, 1);
    g_assert_cmpstr (json_array_get_string_element (invited, 0), ==,
                     tto_test_client_get_identity_id (bo));
  }
  click (tto_call_page_get_control (page, "hangup"));
  WAIT_FOR (tto_call_manager_get_state (manager) != TTO_CALL_MANAGER_STATE_IN_CALL &&
            stack_shows (window, "main"));

  room_open = FALSE;
  tto_test_client_close (bo);
  g_clear_pointer (&room.ice_servers, json_array_unref);
  g_free (room.event_id);
  g_free (room.call_id);
  json_object_unref (created);
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
  gst_init (&argc, &argv);
  tto_test_gui_set_pump (pump_room, NULL);

  g_test_add_func ("/calls/ui", test_calls);

  return g_test_run ();
}
