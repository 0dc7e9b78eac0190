/* tto-util.h: small helpers shared by both sides
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean tto_set_str (char **str_pointer,
                      const char *new_str);
void tto_str_wipe_free (char *str);
char *tto_redact_id (const char *id);

G_END_DECLS
