/* tto-member.h: one member of an event
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define TTO_TYPE_MEMBER (tto_member_get_type ())
G_DECLARE_FINAL_TYPE (TtoMember, tto_member, TTO, MEMBER, GObject)

TtoMember *tto_member_new (const char *identity_id,
                           const char *display_name,
                           const char *role);
TtoMember *tto_member_new_from_json (JsonObject *object,
                                     GError **error);
JsonObject *tto_member_to_json (TtoMember *self);
const char *tto_member_get_identity_id (TtoMember *self);
const char *tto_member_get_display_name (TtoMember *self);
const char *tto_member_get_role (TtoMember *self);
void tto_member_set_permission (TtoMember *self,
                                const char *permission,
                                gint64 until);
gboolean tto_member_remove_permission (TtoMember *self,
                                       const char *permission);
gboolean tto_member_get_permission (TtoMember *self,
                                    const char *permission,
                                    gint64 *until);
gboolean tto_member_has_permission (TtoMember *self,
                                    const char *permission);
GList *tto_member_list_permissions (TtoMember *self);
JsonArray *tto_member_permissions_to_json (TtoMember *self);

G_END_DECLS
