/* main.c: ThreeTwoOne, private and temporary chat rooms for one event
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-application.h"
#include "tto-client.h"

int
main (int argc,
      char *argv[])
{
  g_autoptr (TtoApplication) app = NULL;

  tto_client_init ();
  g_set_application_name (_("ThreeTwoOne"));
  app = tto_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
