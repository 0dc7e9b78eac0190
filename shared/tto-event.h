/* tto-event.h: one event as both sides see it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define TTO_TYPE_EVENT (tto_event_get_type ())
G_DECLARE_FINAL_TYPE (TtoEvent, tto_event, TTO, EVENT, GObject)

TtoEvent *tto_event_new (const char *id);
TtoEvent *tto_event_new_from_json (JsonObject *object,
                                   GError **error);
JsonObject *tto_event_to_json (TtoEvent *self,
                               gboolean with_invite_code);
void tto_event_update_from (TtoEvent *self,
                            TtoEvent *other);

const char *tto_event_get_id (TtoEvent *self);
const char *tto_event_get_title (TtoEvent *self);
void tto_event_set_title (TtoEvent *self,
                          const char *title);
const char *tto_event_get_content (TtoEvent *self);
void tto_event_set_content (TtoEvent *self,
                            const char *content);
const char *tto_event_get_announcement (TtoEvent *self);
void tto_event_set_announcement (TtoEvent *self,
                                 const char *announcement);
gint64 tto_event_get_deadline (TtoEvent *self);
void tto_event_set_deadline (TtoEvent *self,
                             gint64 deadline);
const char *tto_event_get_admission (TtoEvent *self);
void tto_event_set_admission (TtoEvent *self,
                              const char *admission);
const char *tto_event_get_creator_id (TtoEvent *self);
void tto_event_set_creator_id (TtoEvent *self,
                               const char *creator_id);
const char *tto_event_get_creator_name (TtoEvent *self);
void tto_event_set_creator_name (TtoEvent *self,
                                 const char *creator_name);
const char *tto_event_get_invite_code (TtoEvent *self);
void tto_event_set_invite_code (TtoEvent *self,
                                const char *invite_code);
gint64 tto_event_get_created_at (TtoEvent *self);
void tto_event_set_created_at (TtoEvent *self,
                               gint64 created_at);
guint tto_event_get_member_count (TtoEvent *self);
void tto_event_set_member_count (TtoEvent *self,
                                 guint member_count);
gint64 tto_event_get_last_seq (TtoEvent *self);
void tto_event_set_last_seq (TtoEvent *self,
                             gint64 last_seq);
const char *tto_event_get_role (TtoEvent *self);
void tto_event_set_role (TtoEvent *self,
                         const char *role);
gboolean tto_event_get_ended (TtoEvent *self);
const char *tto_event_get_end_reason (TtoEvent *self);
void tto_event_set_ended (TtoEvent *self,
                          const char *reason);
guint tto_event_get_unread_count (TtoEvent *self);
void tto_event_set_unread_count (TtoEvent *self,
                                 guint unread_count);
gboolean tto_event_is_creator (TtoEvent *self);
guint tto_event_get_edit_window (TtoEvent *self);
void tto_event_set_edit_window (TtoEvent *self,
                                guint seconds);
guint tto_event_get_recall_window (TtoEvent *self);
void tto_event_set_recall_window (TtoEvent *self,
                                  guint seconds);
const char *const *tto_event_get_permissions (TtoEvent *self);
void tto_event_set_permissions (TtoEvent *self,
                                const char *const *permissions);
gboolean tto_event_has_permission (TtoEvent *self,
                                   const char *permission);
const char *const *tto_event_get_forms (TtoEvent *self);
void tto_event_set_forms (TtoEvent *self,
                          const char *const *forms);
gboolean tto_event_has_form (TtoEvent *self,
                             const char *form);
gboolean tto_event_get_rule (TtoEvent *self,
                             const char *rule);
void tto_event_set_rule (TtoEvent *self,
                         const char *rule,
                         gboolean enabled);
gint64 tto_event_get_invite_expires_at (TtoEvent *self);
void tto_event_set_invite_expires_at (TtoEvent *self,
                                      gint64 expires_at);
const char *const *tto_event_get_ip_allow (TtoEvent *self);
void tto_event_set_ip_allow (TtoEvent *self,
                             const char *const *networks);
gboolean tto_event_ip_allows (TtoEvent *self,
                              GInetAddress *address);

G_END_DECLS
