/* tto-util.c: small helpers shared by both sides
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "tto-util.h"

/* g_set_str() arrives in GLib 2.76; Debian 12 has 2.74. */
gboolean
tto_set_str (char **str_pointer,
             const char *new_str)
{
  char *copy;

  if (*str_pointer == new_str || g_strcmp0 (*str_pointer, new_str) == 0)
    return FALSE;

  copy = g_strdup (new_str);
  g_free (*str_pointer);
  *str_pointer = copy;

  return TRUE;
}

/* For strings that held message content. */
void
tto_str_wipe_free (char *str)
{
  if (str == NULL)
    return;

  explicit_bzero (str, strlen (str));
  g_free (str);
}

/* Logs name an id by its first four symbols only: enough to follow one
 * event through a log, not enough to join it. */
char *
tto_redact_id (const char *id)
{
  if (id == NULL)
    return g_strdup ("(none)");

  return g_strdup_printf ("%.4s…", id);
}
