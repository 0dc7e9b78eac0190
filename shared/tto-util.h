/* tto-util.h: small helpers shared by both sides
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

gboolean tto_set_str (char **str_pointer,
                      const char *new_str);
void tto_str_wipe_free (char *str);
char *tto_redact_id (const char *id);
JsonNode *tto_json_node_deep_copy (JsonNode *node);
JsonObject *tto_json_object_deep_copy (JsonObject *object);

G_END_DECLS
