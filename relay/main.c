/* main.c: tto-relay entry point
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>

#include "tto-relay-auth.h"
#include "tto-relay.h"

static gboolean
on_quit_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

/* g_unix_signal_add runs this from the main loop, not the signal handler,
 * so reloading here is safe. */
static gboolean
on_hangup_signal (gpointer user_data)
{
  tto_relay_reload (user_data);
  return G_SOURCE_CONTINUE;
}

int
main (int argc,
      char *argv[])
{
  g_autoptr (TtoRelayConfig) config = tto_relay_config_new ();
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (GError) error = NULL;
  TtoRelay *relay;
  gboolean tls;

  setlocale (LC_ALL, "");

  if (!tto_relay_config_parse_args (config, &argc, &argv, &error))
    {
      g_printerr ("tto-relay: %s\n", error->message);
      return 2;
    }

  if (!tto_relay_auth_init ())
    {
      g_printerr ("tto-relay: libsodium could not be initialised\n");
      return 1;
    }

  tls = tto_relay_config_uses_tls (config);
  relay = tto_relay_new (g_steal_pointer (&config), &error);
  if (relay == NULL || !tto_relay_listen (relay, &error))
    {
      g_printerr ("tto-relay: %s\n", error->message);
      tto_relay_free (relay);
      return 1;
    }

  /* Scripts and tests wait for exactly this line. */
  g_print ("relay listening on %s://%s:%u/v1/ws\n", tls ? "wss" : "ws",
           tto_relay_get_bind_address (relay), tto_relay_get_port (relay));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_quit_signal, loop);
  g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  g_unix_signal_add (SIGHUP, on_hangup_signal, relay);
  g_main_loop_run (loop);

  g_message ("shutting down; every message held in memory is wiped");
  tto_relay_free (relay);

  return 0;
}
