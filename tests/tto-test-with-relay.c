/* tto-test-with-relay.c: runs a program against a fresh relay
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   tto-test-with-relay PROGRAM [ARGS…]
 *
 * Starts a relay on a fresh test database (see tto-test-harness.h), runs
 * PROGRAM ARGS… WS_URL, stops the relay and exits with the program's status.
 * Exits 77 (skipped, for meson) when there is no MariaDB to test against.
 */
#include <stdlib.h>

#include <gio/gio.h>

#include "tto-test-harness.h"

int
main (int argc,
      char *argv[])
{
  g_autoptr (GSubprocess) child = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) child_argv = NULL;
  g_autofree char *reason = NULL;
  TtoTestRelay *relay;
  int status;

  if (argc < 2)
    {
      g_printerr ("usage: %s PROGRAM [ARGS…]\n", argv[0]);
      return 2;
    }

  if (!tto_test_relay_available (&reason))
    {
      g_print ("skipped: %s\n", reason);
      return 77;
    }

  relay = tto_test_relay_start (60);
  g_assert_nonnull (relay);

  child_argv = g_ptr_array_new ();
  for (int i = 1; i < argc; i++)
    g_ptr_array_add (child_argv, argv[i]);
  g_ptr_array_add (child_argv, (char *) tto_test_relay_get_ws_url (relay));
  g_ptr_array_add (child_argv, NULL);

  child = g_subprocess_newv ((const char *const *) child_argv->pdata, G_SUBPROCESS_FLAGS_NONE,
                             &error);
  if (child == NULL)
    {
      g_printerr ("cannot run %s: %s\n", argv[1], error->message);
      tto_test_relay_stop (relay);
      return 1;
    }

  /* The relay's stdout is drained by the main loop, so wait by iterating. */
  while (g_subprocess_get_identifier (child) != NULL)
    tto_test_iterate_ms (50);

  if (g_subprocess_get_if_exited (child))
    status = g_subprocess_get_exit_status (child);
  else
    {
      g_printerr ("%s died by signal %d\n", argv[1], g_subprocess_get_term_sig (child));
      status = 1;
    }

  if (!tto_test_relay_is_running (relay))
    {
      g_printerr ("the relay is gone at the end of the run\n");
      status = status != 0 ? status : 1;
    }
  tto_test_relay_stop (relay);

  return status;
}
