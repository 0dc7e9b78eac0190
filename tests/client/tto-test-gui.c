/* tto-test-gui.c: what every GUI test of the client does with its windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tto-test-gui.h"

#include <locale.h>
#include <string.h>

#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>
#include <gst/gst.h>

#include "tto-identity-store.h"

static GFunc pump;
static gpointer pump_data;

/* The window the test presented last: its size goes into timeout errors. */
static GtkWidget *last_window;

/* The invisible frame around a client-side decorated window: the same for
 * every window, measured once. */
static int frame_size = -1;

static char *screenshot_prefix;

/* Waiting */

gint64
tto_test_gui_wait_deadline (void)
{
  return g_get_monotonic_time () + TTO_TEST_GUI_TIMEOUT_MS * 1000;
}

void
tto_test_gui_wait_step (gint64 deadline,
                        const char *what)
{
  if (g_get_monotonic_time () > deadline)
    {
      if (last_window != NULL)
        g_error ("timed out waiting for: %s (window %d×%d)", what,
                 gtk_widget_get_width (last_window), gtk_widget_get_height (last_window));
      g_error ("timed out waiting for: %s", what);
    }
  g_main_context_iteration (NULL, FALSE);
  if (pump != NULL)
    pump (pump_data, NULL);
  g_usleep (2000);
}

void
tto_test_gui_set_pump (GFunc func,
                       gpointer user_data)
{
  pump = func;
  pump_data = user_data;
}

void
tto_test_gui_settle (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      if (pump != NULL)
        pump (pump_data, NULL);
      g_usleep (5000);
    }
}

void
tto_test_gui_init (int *argc,
                   char ***argv)
{
  GdkDisplay *display;

  setlocale (LC_ALL, "");
  g_test_init (argc, argv, NULL);
  tto_client_init ();
  gtk_init ();
  adw_init ();
  tto_client_load_css ();
  /* Without a window manager the window never becomes active; a blinking
   * cursor would then warn that it lost focus unnoticed. */
  g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE, NULL);
  /* The pointer away from every window (the screen's far corner): a
   * tooltip timing out while a window is mapped again at another size
   * would have no surface. */
  display = gdk_display_get_default ();
  if (GDK_IS_X11_DISPLAY (display))
    {
      Display *x = gdk_x11_display_get_xdisplay (display);
      int screen = DefaultScreen (x);

      XWarpPointer (x, None, RootWindow (x, screen), 0, 0, 0, 0, DisplayWidth (x, screen) - 1,
                    DisplayHeight (x, screen) - 1);
      XFlush (x);
    }
}

/* Windows */

void
tto_test_gui_skip (gconstpointer reason)
{
  g_test_skip (reason);
}

void
tto_test_gui_present (GtkWindow *window)
{
  g_set_weak_pointer (&last_window, GTK_WIDGET (window));
  gtk_window_set_default_size (window, 360, 720);
  gtk_window_present (window);
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (window)));
  tto_test_gui_settle (200);
  if (frame_size < 0)
    frame_size = 720 - gtk_widget_get_height (GTK_WIDGET (window));
  tto_test_gui_resize (window, 360, 720);
}

TtoWindow *
tto_test_gui_new_window (void)
{
  TtoWindow *window = tto_window_new (NULL);

  tto_test_gui_present (GTK_WINDOW (window));
  return window;
}

void
tto_test_gui_resize (GtkWindow *window,
                     int width,
                     int height)
{
  GtkWidget *widget = GTK_WIDGET (window);
  gint64 end;

  g_assert_cmpint (frame_size, >=, 0); /* measured by tto_test_gui_present () */
  /* Screenshots are named after the size asked for. */
  g_object_set_data (G_OBJECT (window), "tto-test-gui-width", GINT_TO_POINTER (width));
  g_object_set_data (G_OBJECT (window), "tto-test-gui-height", GINT_TO_POINTER (height));
  /* Without a window manager a mapped X11 window keeps its size: map it
   * again at the new one. */
  gtk_widget_set_visible (widget, FALSE);
  gtk_widget_unrealize (widget);
  tto_test_gui_settle (50);
  /* The default size counts the invisible frame around a client-side
   * decorated window; the screenshot shows what is inside it. */
  gtk_window_set_default_size (window, width + frame_size, height + frame_size);
  gtk_widget_set_visible (widget, TRUE);
  end = tto_test_gui_wait_deadline ();
  while (gtk_widget_get_width (widget) != width || gtk_widget_get_height (widget) != height)
    {
      if (g_get_monotonic_time () > end)
        {
          int min_w = 0, min_h = 0;

          gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min_w, NULL, NULL, NULL);
          gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, width, &min_h, NULL, NULL, NULL);
          g_error ("the window is %d×%d, not %d×%d (it needs at least %d×%d)",
                   gtk_widget_get_width (widget), gtk_widget_get_height (widget), width, height,
                   min_w, min_h);
        }
      tto_test_gui_wait_step (end, "the window's size");
    }
  /* Without a window manager the focus does not come back by itself (read
   * receipts need a focused window): the window asks for it. */
  tto_test_gui_refocus (window);
  tto_test_gui_settle (300);
}

void
tto_test_gui_refocus (GtkWindow *window)
{
  gtk_window_present (window);
  WAIT_FOR (gtk_window_is_active (window));
}

gpointer
tto_test_gui_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_mapped (GTK_WIDGET (window)))
        return window; /* GTK keeps it */
    }
  return NULL;
}

/* Screenshots */

void
tto_test_gui_set_screenshot_prefix (const char *prefix)
{
  g_free (screenshot_prefix);
  screenshot_prefix = g_strdup (prefix);
}

/* Renders @window (and @popover over it, or @dialog centred over it with
 * the window dimmed, if any) into screenshots/NAME.png, or NAME-WxH.png if
 * @sized: the size asked of tto_test_gui_resize (), or the window's own. */
static void
render (GtkWindow *window,
        GtkPopover *popover,
        GtkWindow *dialog,
        const char *name,
        gboolean sized)
{
  g_autoptr (GdkPaintable) paintable = NULL;
  g_autoptr (GdkPaintable) overlay_paintable = NULL;
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  const char *prefix = screenshot_prefix ? screenshot_prefix : "";
  int width, height, x = 0, y = 0, overlay_width = 0, overlay_height = 0;
  GdkRGBA dim = { 0, 0, 0, 0.4 };

  tto_test_gui_settle (400);
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (window)));
  /* Video keeps drawing: the frame shown is the one drawn now. */
  gtk_widget_queue_draw (GTK_WIDGET (window));
  tto_test_gui_settle (100);
  width = gtk_widget_get_width (GTK_WIDGET (window));
  height = gtk_widget_get_height (GTK_WIDGET (window));
  paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  if (popover != NULL)
    {
      GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (popover));
      double window_dx, window_dy, popover_dx, popover_dy;

      g_assert_true (GDK_IS_POPUP (surface));
      gtk_native_get_surface_transform (GTK_NATIVE (window), &window_dx, &window_dy);
      gtk_native_get_surface_transform (GTK_NATIVE (popover), &popover_dx, &popover_dy);
      x = gdk_popup_get_position_x (GDK_POPUP (surface)) - (int) window_dx + (int) popover_dx;
      y = gdk_popup_get_position_y (GDK_POPUP (surface)) - (int) window_dy + (int) popover_dy;
      overlay_width = gtk_widget_get_width (GTK_WIDGET (popover));
      overlay_height = gtk_widget_get_height (GTK_WIDGET (popover));
      overlay_paintable = gtk_widget_paintable_new (GTK_WIDGET (popover));
    }
  else if (dialog != NULL)
    {
      /* Without a window manager the two are separate surfaces; the
       * picture puts them together as a person sees them. */
      overlay_width = gtk_widget_get_width (GTK_WIDGET (dialog));
      overlay_height = gtk_widget_get_height (GTK_WIDGET (dialog));
      /* The dialog fits the window (the phone's screen). */
      g_assert_cmpint (overlay_width, <=, width);
      g_assert_cmpint (overlay_height, <=, height);
      x = (width - overlay_width) / 2;
      y = (height - overlay_height) / 2;
      overlay_paintable = gtk_widget_paintable_new (GTK_WIDGET (dialog));
    }
  /* Right after a dialog closed, or a new frame of video, the window may
   * have no render node yet: ask again once it has drawn. */
  for (guint tries = 0; node == NULL && tries < 50; tries++)
    {
      g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();

      if (tries > 0)
        tto_test_gui_settle (50);
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      /* As a compositor shows a modal dialog. */
      if (dialog != NULL)
        gtk_snapshot_append_color (snapshot, &dim, &GRAPHENE_RECT_INIT (0, 0, width, height));
      if (overlay_paintable != NULL)
        {
          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
          gdk_paintable_snapshot (overlay_paintable, GDK_SNAPSHOT (snapshot), overlay_width,
                                  overlay_height);
          gtk_snapshot_restore (snapshot);
        }
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".",
                          "screenshots", NULL);
  g_mkdir_with_parents (dir, 0755);
  if (sized)
    {
      int asked_width = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (window), "tto-test-gui-width"));
      int asked_height = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (window),
                                                             "tto-test-gui-height"));

      file = g_strdup_printf ("%s%s-%dx%d.png", prefix, name, asked_width ? asked_width : width,
                              asked_height ? asked_height : height);
    }
  else
    file = g_strdup_printf ("%s%s.png", prefix, name);
  path = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s (%d×%d)", path, width, height);
}

void
tto_test_gui_screenshot (GtkWindow *window,
                         const char *name)
{
  render (window, NULL, NULL, name, TRUE);
}

void
tto_test_gui_screenshot_unsized (GtkWindow *window,
                                 const char *name)
{
  render (window, NULL, NULL, name, FALSE);
}

void
tto_test_gui_screenshot_with_popover (GtkWindow *window,
                                      GtkPopover *popover,
                                      const char *name)
{
  render (window, popover, NULL, name, TRUE);
}

void
tto_test_gui_screenshot_with_dialog (GtkWindow *window,
                                     GtkWindow *dialog,
                                     const char *name)
{
  render (window, NULL, dialog, name, TRUE);
}

void
tto_test_gui_screenshots (GtkWindow *window,
                          const char *name)
{
  tto_test_gui_resize (window, 1280, 800);
  tto_test_gui_screenshot (window, name);
  tto_test_gui_resize (window, 360, 720);
  tto_test_gui_screenshot (window, name);
}

/* Widgets */

gpointer
tto_test_gui_find_widget (gpointer root,
                          TtoTestGuiMatch match,
                          gconstpointer data)
{
  if (match (GTK_WIDGET (root), data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (root)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      gpointer found = tto_test_gui_find_widget (child, match, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_type (GtkWidget *widget,
         gconstpointer type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

gpointer
tto_test_gui_find_widget_by_type (gpointer root,
                                  GType type)
{
  return tto_test_gui_find_widget (root, is_type, GSIZE_TO_POINTER (type));
}

static gboolean
is_named (GtkWidget *widget,
          gconstpointer name)
{
  return g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

gpointer
tto_test_gui_find_widget_by_name (gpointer root,
                                  const char *name)
{
  return tto_test_gui_find_widget (root, is_named, name);
}

gpointer
tto_test_gui_named (gpointer root,
                    const char *name)
{
  gpointer found = tto_test_gui_find_widget_by_name (root, name);

  if (found == NULL)
    g_error ("no widget named %s", name);
  return found;
}

static gboolean
has_css_class (GtkWidget *widget,
               gconstpointer css_class)
{
  return gtk_widget_has_css_class (widget, css_class);
}

gpointer
tto_test_gui_find_widget_by_css_class (gpointer root,
                                       const char *css_class)
{
  return tto_test_gui_find_widget (root, has_css_class, css_class);
}

/* Only what is shown: what a person could press. */
static gboolean
is_button_for_action (GtkWidget *widget,
                      gconstpointer action)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_is_drawable (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0;
}

gpointer
tto_test_gui_find_button_by_action (gpointer root,
                                    const char *action)
{
  return tto_test_gui_find_widget (root, is_button_for_action, action);
}

static gboolean
is_button_with_tooltip (GtkWidget *widget,
                        gconstpointer tooltip)
{
  return (GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget)) &&
         gtk_widget_is_drawable (widget) &&
         g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0;
}

gpointer
tto_test_gui_find_button_by_tooltip (gpointer root,
                                     const char *tooltip)
{
  return tto_test_gui_find_widget (root, is_button_with_tooltip, tooltip);
}

static void
collect (GtkWidget *widget,
         GType type,
         GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect (child, type, found);
}

GPtrArray *
tto_test_gui_collect_widgets (gpointer root,
                              GType type)
{
  GPtrArray *found = g_ptr_array_new ();

  collect (GTK_WIDGET (root), type, found);
  return found;
}

/* Sessions */

void
tto_test_gui_sign_in (TtoWindow *window,
                      const char *url,
                      const char *name)
{
  TtoSignInPage *page = tto_window_get_sign_in_page (window);

  tto_sign_in_page_set_relay_url (page, url);
  tto_sign_in_page_set_display_name (page, name);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "sign-in.submit", NULL));
  WAIT_FOR (tto_window_get_session (window) != NULL || tto_sign_in_page_get_error (page) != NULL);
  g_assert_null (tto_sign_in_page_get_error (page));
  g_assert_cmpint (tto_connection_get_state (tto_session_get_connection (
                     tto_window_get_session (window))),
                   ==, TTO_CONNECTION_STATE_CONNECTED);
}

void
tto_test_gui_store_result (GObject *object,
                           GAsyncResult *result,
                           gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

TtoEvent *
tto_test_gui_join (TtoSession *session,
                   const char *code)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  TtoEvent *event;

  tto_session_join_event_async (session, code, NULL, tto_test_gui_store_result, &result);
  WAIT_FOR (result != NULL);
  event = tto_session_join_event_finish (session, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (event);
  return event;
}

TtoEvent *
tto_test_gui_session_create_event (TtoSession *session,
                                   const char *title,
                                   const char *content)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  TtoEvent *event;

  tto_session_create_event_async (session, title, content, NULL, 0, -1, -1, NULL,
                                  tto_test_gui_store_result, &result);
  WAIT_FOR (result != NULL);
  event = tto_session_create_event_finish (session, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (event);
  return event;
}

TtoEvent *
tto_test_gui_create_event (TtoWindow *window,
                           const char *title,
                           const char *content,
                           const char *announcement)
{
  TtoCreatePage *page = tto_window_get_create_page (window);
  TtoEvent *event;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.create-event", NULL));
  tto_create_page_fill (page, title, content, announcement);
  /* Harness clients join at once (the app proposes review). */
  tto_create_page_set_admission (page, "open");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "create.submit", NULL));
  WAIT_FOR (tto_create_page_get_created_event (page) != NULL ||
            tto_create_page_get_error (page) != NULL);
  g_assert_null (tto_create_page_get_error (page));
  event = tto_create_page_get_created_event (page);
  g_assert_cmpstr (tto_event_get_title (event), ==, title);
  g_assert_cmpuint (strlen (tto_event_get_invite_code (event)), ==, 8);
  return event;
}

void
tto_test_gui_type_and_send (TtoWindow *window,
                            const char *text)
{
  TtoChatPage *chat = tto_window_get_chat_page (window);

  gtk_text_buffer_set_text (tto_chat_page_get_composer_buffer (chat), text, -1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chat), "chat.send", NULL));
  /* The composer is cleared once the message is queued. */
  g_assert_cmpint (gtk_text_buffer_get_char_count (tto_chat_page_get_composer_buffer (chat)), ==,
                   0);
}

TtoMessage *
tto_test_gui_message_at (GListModel *model,
                         guint position)
{
  g_autoptr (TtoMessage) message = g_list_model_get_item (model, position);

  return message; /* the model keeps it */
}

TtoMessageRow *
tto_test_gui_wait_row (TtoChatPage *chat,
                       TtoMessage *message)
{
  WAIT_FOR (tto_chat_page_find_row (chat, message) != NULL);
  return tto_chat_page_find_row (chat, message);
}

/* Media */

void
tto_test_gui_record (const char *description,
                     const char *path)
{
  g_autofree char *launch = g_strdup_printf ("%s ! filesink location=\"%s\"", description, path);
  g_autoptr (GstElement) pipeline = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstMessage) message = NULL;
  g_autoptr (GError) error = NULL;

  pipeline = gst_parse_launch (launch, &error);
  g_assert_no_error (error);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  bus = gst_element_get_bus (pipeline);
  message = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (message);
  g_assert_cmpint (GST_MESSAGE_TYPE (message), ==, GST_MESSAGE_EOS);
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

/* The window's state */

const char *
tto_test_gui_stack_page (TtoWindow *window)
{
  GtkWidget *page = GTK_WIDGET (tto_window_get_sign_in_page (window));

  return gtk_stack_get_visible_child_name (GTK_STACK (gtk_widget_get_parent (page)));
}

void
tto_test_gui_scroll_to (GtkWidget *widget)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;
  double x, y;

  g_assert_nonnull (scrolled);
  tto_test_gui_settle (200);
  g_assert_true (gtk_widget_translate_coordinates (widget, scrolled, 0, 0, &x, &y));
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + y - 64);
  tto_test_gui_settle (200);
}

/* The Secret Service */

/* The forked daemon owns org.freedesktop.secrets a moment after the
 * launcher returns; a lookup before that would make D-Bus start another
 * daemon, one with a locked keyring of its own. */
static gboolean
wait_for_secret_service (void)
{
  g_autoptr (GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);

  for (guint i = 0; bus != NULL && i < 100; i++)
    {
      g_autoptr (GVariant) reply = g_dbus_connection_call_sync (
        bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
        "NameHasOwner", g_variant_new ("(s)", "org.freedesktop.secrets"), G_VARIANT_TYPE ("(b)"),
        G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
      gboolean owned = FALSE;

      if (reply != NULL)
        g_variant_get (reply, "(b)", &owned);
      if (owned)
        return TRUE;
      g_usleep (50 * 1000);
    }
  return FALSE;
}

gboolean
tto_test_gui_start_keyring (const char *home_name)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) daemon = NULL;
  g_autoptr (GBytes) password = g_bytes_new_static ("test", 4);
  g_autofree char *home = NULL;
  g_autofree char *data = NULL;
  g_autofree char *keyrings = NULL;
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL ||
      g_find_program_in_path ("gnome-keyring-daemon") == NULL)
    return FALSE;
  home = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".",
                           home_name, NULL);
  data = g_build_filename (home, "data", NULL);
  g_mkdir_with_parents (data, 0700);
  /* A keyring left by an earlier run would hold another password. */
  keyrings = g_build_filename (data, "keyrings", NULL);
  dir = g_dir_open (keyrings, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (keyrings, name, NULL);

      g_unlink (path);
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  /* The daemon is a peer here, not the code under test: the test's
   * G_DEBUG=fatal-warnings would abort it at its first warning (it warns
   * when an item is replaced). */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  daemon = g_subprocess_launcher_spawn (launcher, NULL, "gnome-keyring-daemon", "--unlock",
                                        "--components=secrets", NULL);
  if (daemon == NULL || !g_subprocess_communicate (daemon, password, NULL, NULL, NULL, NULL))
    return FALSE;
  if (!g_subprocess_get_if_exited (daemon) || g_subprocess_get_exit_status (daemon) != 0)
    return FALSE;
  return wait_for_secret_service ();
}

TtoIdentity *
tto_test_gui_keyring_lookup (const char *relay_url)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  TtoIdentity *identity;

  tto_identity_store_lookup_async (relay_url, NULL, tto_test_gui_store_result, &result);
  WAIT_FOR (result != NULL);
  identity = tto_identity_store_lookup_finish (result, &error);
  g_assert_no_error (error);
  return identity;
}
