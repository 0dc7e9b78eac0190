/* tto-application.c: the application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-client.h"
#include "tto-invite-uri.h"
#include "tto-join-dialog.h"
#include "tto-window.h"

#include "tto-application.h"

struct _TtoApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (TtoApplication, tto_application, ADW_TYPE_APPLICATION)

static void
on_quit (GSimpleAction *action,
         GVariant *parameter,
         gpointer user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GList *windows = gtk_application_get_windows (app);

  /* Closing the windows ends the sessions, which wipes what they hold. */
  while (windows != NULL)
    {
      gtk_window_destroy (windows->data);
      windows = gtk_application_get_windows (app);
    }
}

static void
on_about (GSimpleAction *action,
          GVariant *parameter,
          gpointer user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", _("ThreeTwoOne"),
                        "application-icon", APP_ID,
                        "version", TTO_VERSION,
                        "comments", _("Private, temporary chat rooms for one event."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: put your names here, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

/* A notification was clicked: show its event. */
static void
on_open_event (GSimpleAction *action,
               GVariant *parameter,
               gpointer user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GtkWindow *window = gtk_application_get_active_window (app);
  TtoSession *session;
  TtoEvent *event;

  if (!TTO_IS_WINDOW (window))
    return;
  gtk_window_present (window);
  session = tto_window_get_session (TTO_WINDOW (window));
  event = session != NULL ? tto_session_lookup_event (session, g_variant_get_string (parameter,
                                                                                      NULL))
                          : NULL;
  if (event != NULL && !tto_event_get_ended (event))
    tto_window_open_event (TTO_WINDOW (window), event);
}

static void
tto_application_startup (GApplication *application)
{
  static const GActionEntry entries[] = {
    { .name = "quit", .activate = on_quit },
    { .name = "about", .activate = on_about },
    { .name = "open-event", .activate = on_open_event, .parameter_type = "s" },
  };
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };

  G_APPLICATION_CLASS (tto_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (application), entries, G_N_ELEMENTS (entries),
                                   application);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "window.close",
                                         close_accels);
}

static void
tto_application_activate (GApplication *application)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (window == NULL)
    window = GTK_WINDOW (tto_window_new (GTK_APPLICATION (application)));
  gtk_window_present (window);
}

/* tto://join/… links */

static void
join_with_link (TtoWindow *window,
                const char *uri)
{
  TtoJoinDialog *dialog;

  dialog = tto_join_dialog_new (GTK_WINDOW (window), tto_window_get_session (window));
  g_signal_connect_object (dialog, "joined", G_CALLBACK (tto_window_open_event), window,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
  tto_join_dialog_open_invite (dialog, uri);
}

/* The link waited for the sign-in. */
static void
on_window_session (TtoWindow *window,
                   GParamSpec *pspec,
                   gpointer user_data)
{
  g_autofree char *uri = g_object_steal_data (G_OBJECT (window), "tto-pending-invite");

  g_signal_handlers_disconnect_by_func (window, on_window_session, user_data);
  if (uri != NULL && tto_window_get_session (window) != NULL)
    join_with_link (window, uri);
}

static void
tto_application_open (GApplication *application,
                      GFile **files,
                      int n_files,
                      const char *hint)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (application));
  TtoWindow *window;

  if (!TTO_IS_WINDOW (active))
    active = GTK_WINDOW (tto_window_new (GTK_APPLICATION (application)));
  window = TTO_WINDOW (active);
  gtk_window_present (active);

  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *uri = g_file_get_uri (files[i]);
      g_autoptr (GError) error = NULL;
      g_autoptr (TtoInvite) invite = tto_invite_uri_parse (uri, &error);
      TtoSession *session = tto_window_get_session (window);
      const char *relay;

      if (invite == NULL)
        {
          tto_window_add_toast (window, _("This link is not a ThreeTwoOne invitation."));
          continue;
        }
      if (session == NULL)
        {
          /* Sign in first, to the invitation's relay; then join. */
          if (invite->relay_url != NULL)
            tto_sign_in_page_set_relay_url (tto_window_get_sign_in_page (window),
                                            invite->relay_url);
          g_object_set_data_full (G_OBJECT (window), "tto-pending-invite", g_strdup (uri),
                                  g_free);
          g_signal_handlers_disconnect_by_func (window, on_window_session, NULL);
          g_signal_connect (window, "notify::session", G_CALLBACK (on_window_session), NULL);
          tto_window_add_toast (window, _("Sign in to join the event you were invited to."));
          continue;
        }
      relay = tto_connection_get_url (tto_session_get_connection (session));
      if (invite->relay_url != NULL && !tto_invite_uri_same_relay (invite->relay_url, relay))
        {
          g_autofree char *text = NULL;

          /* Translators: %s is a relay address like wss://relay.example.org/v1/ws */
          text = g_strdup_printf (_("This invitation is for another relay (%s). Sign out and "
                                    "sign in to that relay to join it."),
                                  invite->relay_url);
          tto_window_add_toast (window, text);
          continue;
        }
      join_with_link (window, uri);
    }
}

static void
tto_application_class_init (TtoApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->startup = tto_application_startup;
  app_class->activate = tto_application_activate;
  app_class->open = tto_application_open;
}

static void
tto_application_init (TtoApplication *self)
{
  tto_client_init ();
}

TtoApplication *
tto_application_new (void)
{
  return g_object_new (TTO_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/org/threetwoone/Tto",
                       NULL);
}
