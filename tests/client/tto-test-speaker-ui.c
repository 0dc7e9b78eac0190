/* tto-test-speaker-ui.c: the call page's Speaker toggle against the real
 * callaudiod
 *
 * Runs under xvfb-run and dbus-run-session (see meson.build). The test
 * starts a private PulseAudio (one null sink, its own runtime folder) and
 * callaudiod on the test's session bus, while Ana is in a video call in
 * the window. The toggle is hidden until the daemon owns its name and
 * hidden again when it leaves; the call puts the daemon in its call mode
 * and back; a click asks the daemon for the speaker, and the button
 * follows the daemon's answer. A bus monitor (BecomeMonitor) sees the
 * calls the client makes; nothing stands in for the daemon.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <adwaita.h>
#include <signal.h>
#include <sys/prctl.h>

#include "tto-test-harness.h"
#include "tto-client.h"
#include "tto-test-gui.h"
#include "tto-window.h"

#define CALL_AUDIO_NAME "org.mobian_project.CallAudio"
#define CALL_AUDIO_PATH "/org/mobian_project/CallAudio"
#define CALL_AUDIO_INTERFACE "org.mobian_project.CallAudio"

/* What the monitor saw: "Member(arguments)", oldest first. */
static GMutex seen_lock;
static GPtrArray *seen;

static GDBusMessage *
on_monitored (GDBusConnection *connection,
              GDBusMessage *message,
              gboolean incoming,
              gpointer user_data)
{
  GVariant *body;
  g_autofree char *arguments = NULL;

  /* Runs in GDBus' worker thread. A monitor must never answer: every
   * method call it sees is dropped here. */
  if (!incoming || g_dbus_message_get_message_type (message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL)
    return message;
  if (g_strcmp0 (g_dbus_message_get_interface (message), CALL_AUDIO_INTERFACE) == 0)
    {
      body = g_dbus_message_get_body (message);
      arguments = body != NULL ? g_variant_print (body, FALSE) : g_strdup ("()");
      g_mutex_lock (&seen_lock);
      g_ptr_array_add (seen,
                       g_strdup_printf ("%s%s", g_dbus_message_get_member (message), arguments));
      g_mutex_unlock (&seen_lock);
    }
  g_object_unref (message);
  return NULL;
}

static GDBusConnection *
start_monitor (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  GDBusConnection *monitor;
  const char *rules[] = { "type='method_call',interface='" CALL_AUDIO_INTERFACE "'", NULL };
  g_autoptr (GVariant) reply = NULL;

  g_assert_no_error (error);
  seen = g_ptr_array_new_with_free_func (g_free);
  monitor = g_dbus_connection_new_for_address_sync (
    address,
    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
    NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_add_filter (monitor, on_monitored, NULL, NULL);
  reply = g_dbus_connection_call_sync (monitor, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus.Monitoring", "BecomeMonitor",
                                       g_variant_new ("(^asu)", rules, 0), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  return monitor;
}

/* Whether the monitor saw @call; forgets it and all before it. */
static gboolean
saw (const char *call)
{
  gboolean found = FALSE;

  g_mutex_lock (&seen_lock);
  for (guint i = 0; i < seen->len; i++)
    if (g_str_equal (g_ptr_array_index (seen, i), call))
      {
        g_ptr_array_remove_range (seen, 0, i + 1);
        found = TRUE;
        break;
      }
  g_mutex_unlock (&seen_lock);
  return found;
}

static guint
n_seen (void)
{
  guint n;

  g_mutex_lock (&seen_lock);
  n = seen->len;
  g_mutex_unlock (&seen_lock);
  return n;
}

/* The daemon, asked directly: whether it names an owner, and its
 * SpeakerState. */
static gboolean
daemon_on_bus (void)
{
  g_autoptr (GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr (GVariant) reply = NULL;
  gboolean has = FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", CALL_AUDIO_NAME), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  g_assert_nonnull (reply);
  g_variant_get (reply, "(b)", &has);
  return has;
}

static guint
daemon_speaker_state (void)
{
  g_autoptr (GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) value = NULL;

  reply = g_dbus_connection_call_sync (bus, CALL_AUDIO_NAME, CALL_AUDIO_PATH,
                                       "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", CALL_AUDIO_INTERFACE,
                                                      "SpeakerState"),
                                       G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                                       -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  return g_variant_get_uint32 (value);
}

/* PulseAudio and callaudiod */

/* In the child: it dies with the test, even one that aborts. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocessLauncher *
audio_launcher (const char *runtime_dir)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *pulse_dir = g_build_filename (runtime_dir, "pulse", NULL);
  g_autofree char *server = g_strdup_printf ("unix:%s/native", pulse_dir);
  g_autofree char *log = g_build_filename (runtime_dir, "audio.log", NULL);

  /* Their own folders, so no desktop sound server is touched. */
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "PULSE_RUNTIME_PATH", pulse_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "PULSE_SERVER", server, TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", runtime_dir, TRUE);
  /* callaudiod logs criticals when it finds no sound card: not fatal to it. */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  /* Neither may write into the TAP stream. */
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  return launcher;
}

static GSubprocess *
start_pulseaudio (GSubprocessLauncher *launcher,
                  const char *runtime_dir)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *socket = g_build_filename (runtime_dir, "pulse", "native", NULL);
  GSubprocess *pulse = g_subprocess_launcher_spawn (
    launcher, &error, "pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1",
    "--disable-shm=yes", "-L", "module-null-sink", "-L", "module-native-protocol-unix", NULL);

  g_assert_no_error (error);
  WAIT_FOR (g_file_test (socket, G_FILE_TEST_EXISTS));
  return pulse;
}

static GSubprocess *
start_callaudiod (GSubprocessLauncher *launcher)
{
  g_autoptr (GError) error = NULL;
  GSubprocess *daemon = g_subprocess_launcher_spawn (launcher, &error, "callaudiod", NULL);

  g_assert_no_error (error);
  return daemon;
}

static void
stop (GSubprocess *process)
{
  g_subprocess_send_signal (process, SIGTERM);
  g_assert_true (g_subprocess_wait (process, NULL, NULL));
  g_object_unref (process);
}

/* The daemons' runtime folder: sockets, PulseAudio's cookie, the log. */
static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static gboolean
has_label_text (GtkWidget *widget,
                gconstpointer text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

static void
test_speaker (void)
{
  TtoTestRelay *relay = tto_test_relay_start (60);
  TtoTestClient *bo;
  TtoWindow *window;
  TtoSession *session;
  TtoCallManager *manager;
  TtoCallPage *page;
  GtkWidget *speaker;
  TtoEvent *event;
  JsonObject *created;
  g_autoptr (GDBusConnection) monitor = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autofree char *runtime_dir = NULL;
  g_autofree char *callaudiod = g_find_program_in_path ("callaudiod");
  g_autofree char *pulseaudio = g_find_program_in_path ("pulseaudio");
  GSubprocess *pulse;
  GSubprocess *daemon;

  if (relay == NULL)
    return;
  if (callaudiod == NULL || pulseaudio == NULL)
    {
      g_test_skip ("callaudiod or pulseaudio is not installed (build-aux/dev installs them)");
      tto_test_relay_stop (relay);
      return;
    }

  /* Ana is in a video call of Bo's event; nobody answers yet. */
  bo = tto_test_client_connect (relay);
  tto_test_client_create_identity (bo, "Bo");
  created = tto_test_client_create_event (bo, "Site visit", 0);
  window = tto_test_gui_new_window ();
  tto_test_gui_sign_in (window, tto_test_relay_get_ws_url (relay), "Ana");
  session = tto_window_get_session (window);
  manager = tto_window_get_call_manager (window);
  page = tto_window_get_call_page (window);
  event = tto_test_gui_join (session, json_object_get_string_member (created, "invite_code"));
  tto_window_open_event (window, event);
  tto_test_gui_settle (200);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.call-start", "s",
                                             "video"));
  WAIT_FOR (tto_call_manager_get_state (manager) == TTO_CALL_MANAGER_STATE_IN_CALL);
  WAIT_FOR (tto_call_page_get_local_tile (page) != NULL &&
            tto_call_tile_get_frames (tto_call_page_get_local_tile (page)) > 0);

  /* No callaudiod: no Speaker (and the client did not start it). */
  speaker = tto_call_page_get_control (page, "speaker");
  g_assert_nonnull (speaker);
  tto_test_gui_settle (300);
  g_assert_false (daemon_on_bus ());
  g_assert_false (gtk_widget_get_visible (speaker));

  /* The daemon appears: the toggle shows, the call puts it in call mode. */
  monitor = start_monitor ();
  runtime_dir = g_dir_make_tmp ("tto-speaker-XXXXXX", NULL);
  g_chmod (runtime_dir, 0700);
  launcher = audio_launcher (runtime_dir);
  pulse = start_pulseaudio (launcher, runtime_dir);
  daemon = start_callaudiod (launcher);
  WAIT_FOR (gtk_widget_get_visible (speaker));
  g_assert_true (daemon_on_bus ());
  WAIT_FOR (saw ("SelectMode(1,)"));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (speaker), ==, "Speaker");
  g_assert_true (gtk_widget_is_sensitive (speaker));
  g_assert_true (gtk_widget_get_focusable (speaker));
  tto_test_gui_settle (100);
  g_assert_cmpint (gtk_widget_get_width (speaker), >=, 44);
  g_assert_cmpint (gtk_widget_get_height (speaker), >=, 44);
  g_assert_true (gtk_widget_grab_focus (speaker));
  g_assert_true (gtk_widget_is_focus (speaker));
  /* The button shows what the daemon reports (earpiece: it starts so). */
  g_assert_cmpuint (daemon_speaker_state (), ==, 0);
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (speaker)));

  tto_test_gui_screenshot (GTK_WINDOW (window), "call-speaker");
  tto_test_gui_resize (GTK_WINDOW (window), 1280, 800);
  tto_test_gui_settle (300);
  g_assert_true (gtk_widget_get_visible (speaker));
  tto_test_gui_screenshot (GTK_WINDOW (window), "call-speaker");
  tto_test_gui_resize (GTK_WINDOW (window), 360, 720);
  tto_test_gui_settle (200);

  /* A click asks the daemon. On a null sink callaudiod finds no card with
   * a speaker port and answers false: the page says so and the button
   * returns to what the daemon really plays through. */
  g_signal_emit_by_name (speaker, "clicked");
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (speaker)));
  WAIT_FOR (saw ("EnableSpeaker(true,)"));
  WAIT_FOR (tto_test_gui_find_widget (window, has_label_text,
                                      "Could not switch to the speaker") != NULL);
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (speaker)));
  g_assert_cmpuint (daemon_speaker_state (), ==, 0);
  tto_test_gui_screenshot (GTK_WINDOW (window), "call-speaker-refused");
  g_assert_cmpuint (n_seen (), ==, 0);

  /* The daemon stops: the toggle goes; it comes back with the daemon,
   * which is put in call mode again (the call goes on). */
  stop (daemon);
  WAIT_FOR (!gtk_widget_get_visible (speaker));
  g_assert_false (daemon_on_bus ());
  daemon = start_callaudiod (launcher);
  WAIT_FOR (gtk_widget_get_visible (speaker));
  WAIT_FOR (saw ("SelectMode(1,)"));

  /* Hanging up returns the daemon to its default mode. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "call.hangup", NULL));
  WAIT_FOR (tto_call_manager_get_state (manager) == TTO_CALL_MANAGER_STATE_IDLE);
  WAIT_FOR (saw ("SelectMode(0,)"));

  stop (daemon);
  WAIT_FOR (!gtk_widget_get_visible (speaker));
  stop (pulse);
  g_dbus_connection_close_sync (monitor, NULL, NULL);

  tto_test_client_close (bo);
  json_object_unref (created);
  g_object_unref (event);
  gtk_window_destroy (GTK_WINDOW (window));
  tto_test_gui_settle (100);
  tto_test_relay_stop (relay);
  remove_tree (runtime_dir);
  g_ptr_array_unref (seen);
}

int
main (int argc,
      char *argv[])
{
  tto_test_gui_init (&argc, &argv);
  gst_init (&argc, &argv);

  g_test_add_func ("/calls/speaker", test_speaker);

  return g_test_run ();
}
