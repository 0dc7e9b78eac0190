/* tto-test-gui.h: what every GUI test of the client does with its windows
 *
 * Waiting on the main context, mapping windows at phone and desktop sizes
 * under Xvfb (no window manager), screenshots into
 * $G_TEST_BUILDDIR/screenshots/, finding widgets, and signing in through
 * the window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-client.h"
#include "tto-identity.h"
#include "tto-window.h"

G_BEGIN_DECLS

/* How long TTO_TEST_GUI_WAIT_FOR waits before failing the test. */
#define TTO_TEST_GUI_TIMEOUT_MS 15000

/* Iterates the main context until @cond holds; fails the test, naming
 * @cond, after TTO_TEST_GUI_TIMEOUT_MS. */
#define TTO_TEST_GUI_WAIT_FOR(cond)                                                               \
  G_STMT_START                                                                                    \
  {                                                                                               \
    gint64 tto_test_gui_end_ = tto_test_gui_wait_deadline ();                                     \
    while (!(cond))                                                                               \
      tto_test_gui_wait_step (tto_test_gui_end_, #cond);                                          \
  }                                                                                               \
  G_STMT_END

#define WAIT_FOR(cond) TTO_TEST_GUI_WAIT_FOR (cond)

gint64 tto_test_gui_wait_deadline (void);
void tto_test_gui_wait_step (gint64 deadline,
                             const char *what);

/* Called on every turn of the waits, e.g. to drive a peer living in the
 * same thread. */
void tto_test_gui_set_pump (GFunc pump,
                            gpointer user_data);

/* Runs the main context for @ms milliseconds. */
void tto_test_gui_settle (guint ms);

/* The locale, g_test_init (), the client's types, GTK, libadwaita and the
 * app's CSS; no cursor blinking and the pointer away from every window. */
void tto_test_gui_init (int *argc,
                        char ***argv);

/* Skips the test with @reason (a string), for g_test_add_data_func ()
 * when a test cannot run here. */
void tto_test_gui_skip (gconstpointer reason);

/* Shows @window at 360×720 (the first one shown measures the invisible
 * frame around client-side decorated windows). */
void tto_test_gui_present (GtkWindow *window);
/* A new main window, presented at 360×720. */
TtoWindow *tto_test_gui_new_window (void);
/* Maps @window again at @width×@height, focused. */
void tto_test_gui_resize (GtkWindow *window,
                          int width,
                          int height);
/* Gives @window the focus again, as after a dialog over it closed: without
 * a window manager it does not come back by itself. */
void tto_test_gui_refocus (GtkWindow *window);
/* The first mapped toplevel of @type, or NULL. */
gpointer tto_test_gui_find_toplevel (GType type);

/* Screenshots of windows made after every name with @prefix ("" unless set). */
void tto_test_gui_set_screenshot_prefix (const char *prefix);
/* Renders @window into screenshots/NAME-WxH.png: the size given to
 * tto_test_gui_resize (), or the window's own. */
void tto_test_gui_screenshot (GtkWindow *window,
                              const char *name);
/* The same into screenshots/NAME.png, for a window sized by its content. */
void tto_test_gui_screenshot_unsized (GtkWindow *window,
                                      const char *name);
/* The same as tto_test_gui_screenshot () with @popover drawn over it: a
 * popover is a surface of its own, not in the window's rendering. */
void tto_test_gui_screenshot_with_popover (GtkWindow *window,
                                           GtkPopover *popover,
                                           const char *name);
/* The same as tto_test_gui_screenshot () with @dialog centred over
 * @window, the window dimmed as a compositor shows a modal dialog (without
 * a window manager they are separate surfaces); asserts that the dialog
 * fits the window. */
void tto_test_gui_screenshot_with_dialog (GtkWindow *window,
                                          GtkWindow *dialog,
                                          const char *name);
/* At 1280×800 and at 360×720, ending at the phone's size. */
void tto_test_gui_screenshots (GtkWindow *window,
                               const char *name);

typedef gboolean (*TtoTestGuiMatch) (GtkWidget *widget,
                                     gconstpointer data);

/* @root or the first widget under it, depth first, for which @match holds. */
gpointer tto_test_gui_find_widget (gpointer root,
                                   TtoTestGuiMatch match,
                                   gconstpointer data);
gpointer tto_test_gui_find_widget_by_type (gpointer root,
                                           GType type);
gpointer tto_test_gui_find_widget_by_name (gpointer root,
                                           const char *name);
gpointer tto_test_gui_find_widget_by_css_class (gpointer root,
                                                const char *css_class);
/* A button whose action is @action / whose tooltip is @tooltip. */
gpointer tto_test_gui_find_button_by_action (gpointer root,
                                             const char *action);
gpointer tto_test_gui_find_button_by_tooltip (gpointer root,
                                              const char *tooltip);
/* The widget named @name under @root; fails the test if there is none. */
gpointer tto_test_gui_named (gpointer root,
                             const char *name);
/* Every widget of @type under @root, @root included. */
GPtrArray *tto_test_gui_collect_widgets (gpointer root,
                                         GType type);

/* Signs in on @window's sign-in page; asserts a connected session. */
void tto_test_gui_sign_in (TtoWindow *window,
                           const char *url,
                           const char *name);
/* Joins with @code and waits for the event (asserting no error); the
 * caller owns the reference returned, as with the next. */
TtoEvent *tto_test_gui_join (TtoSession *session,
                             const char *code);
/* Creates an event through @window's create page, open to all who have
 * the code (the page keeps it). */
TtoEvent *tto_test_gui_create_event (TtoWindow *window,
                                     const char *title,
                                     const char *content,
                                     const char *announcement);
/* Creates an event through the session (asserting no error). */
TtoEvent *tto_test_gui_session_create_event (TtoSession *session,
                                             const char *title,
                                             const char *content);
/* Types @text into the chat's composer and sends it; asserts it left. */
void tto_test_gui_type_and_send (TtoWindow *window,
                                 const char *text);
/* The message at @position of @model (the model keeps it). */
TtoMessage *tto_test_gui_message_at (GListModel *model,
                                     guint position);
/* The chat's row for @message, once the list made it. */
TtoMessageRow *tto_test_gui_wait_row (TtoChatPage *chat,
                                      TtoMessage *message);
/* A GAsyncReadyCallback storing a reference to the result in
 * *(GAsyncResult **) @user_data. */
void tto_test_gui_store_result (GObject *object,
                                GAsyncResult *result,
                                gpointer user_data);

/* The name of the main window's visible page: "signin", "main", … */
const char *tto_test_gui_stack_page (TtoWindow *window);
/* Scrolls the scrolled window around @widget so that it shows near the
 * top, for a screenshot. */
void tto_test_gui_scroll_to (GtkWidget *widget);

/* Starts gnome-keyring-daemon on the test's private D-Bus session, its
 * files in $G_TEST_BUILDDIR/@home_name (emptied of an earlier run's
 * keyrings), unlocked with a password on stdin; FALSE when no Secret
 * Service can run here. */
gboolean tto_test_gui_start_keyring (const char *home_name);
/* The keyring's identity for @relay_url, or NULL. */
TtoIdentity *tto_test_gui_keyring_lookup (const char *relay_url);

/* Runs the GStreamer pipeline @description into the file @path, to its end. */
void tto_test_gui_record (const char *description,
                          const char *path);

G_END_DECLS
