/* tto-relay-store.h: every SQL statement of the relay, run off the main loop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tto-event.h"
#include "tto-member.h"
#include "tto-relay-config.h"

G_BEGIN_DECLS

#define TTO_RELAY_STORE_ERROR (tto_relay_store_error_quark ())

typedef enum
{
  TTO_RELAY_STORE_ERROR_CONNECT, /* the database cannot be reached */
  TTO_RELAY_STORE_ERROR_QUERY,   /* a statement failed */
  TTO_RELAY_STORE_ERROR_CONFLICT,/* a unique key collided */
} TtoRelayStoreError;

#define TTO_RELAY_TOKEN_HASH_BYTES 32

typedef struct _TtoRelayStore TtoRelayStore;

typedef struct
{
  char *id;
  char *kind;
  char *display_name;
  gboolean third_party_verified;
  gboolean phone_verified;
  gboolean id_verified;
} TtoRelayStoredIdentity;

typedef struct
{
  const char *event_id;
  const char *identity_id;
  const char *display_name;
  const char *reason;
  const char *evidence; /* comma-separated blob ids */
  const char *status;
  const char *message;
  gint64 created_at;
  gboolean third_party_verified;
  gboolean phone_verified;
  gboolean id_verified;
} TtoRelayStoredApplication;

typedef void (*TtoRelayStoreApplicationFunc) (const TtoRelayStoredApplication *application,
                                              gpointer user_data);

typedef struct
{
  GPtrArray *identity_ids; /* char*, deleted identities */
  GPtrArray *event_ids;    /* char*, events they created, now gone */
} TtoRelayDeletion;

typedef void (*TtoRelayStoreEventFunc) (TtoEvent *event,
                                        gpointer user_data);
typedef void (*TtoRelayStoreMemberFunc) (const char *event_id,
                                         TtoMember *member,
                                         gpointer user_data);

GQuark tto_relay_store_error_quark (void);

TtoRelayStore *tto_relay_store_open (const TtoRelayConfig *config,
                                     GError **error);
void tto_relay_store_free (TtoRelayStore *store);
int tto_relay_store_get_schema_version (TtoRelayStore *store);

/* Start-up only, before the main loop runs. */
gboolean tto_relay_store_load (TtoRelayStore *store,
                               TtoRelayStoreEventFunc event_func,
                               TtoRelayStoreMemberFunc member_func,
                               gpointer user_data,
                               GError **error);
gboolean tto_relay_store_expire_orphans (TtoRelayStore *store,
                                         gint64 expires_at,
                                         GError **error);

void tto_relay_store_insert_identity_async (TtoRelayStore *store,
                                            const char *id,
                                            const char *kind,
                                            const char *display_name,
                                            const guint8 *token_hash,
                                            gint64 created_at,
                                            GAsyncReadyCallback callback,
                                            gpointer user_data);
void tto_relay_store_find_identity_async (TtoRelayStore *store,
                                          const guint8 *token_hash,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);
TtoRelayStoredIdentity *tto_relay_store_find_identity_finish (TtoRelayStore *store,
                                                              GAsyncResult *result,
                                                              GError **error);
void tto_relay_store_set_identity_expiry_async (TtoRelayStore *store,
                                                const char *id,
                                                gint64 expires_at,
                                                GAsyncReadyCallback callback,
                                                gpointer user_data);
void tto_relay_store_insert_event_async (TtoRelayStore *store,
                                         TtoEvent *event,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
void tto_relay_store_insert_member_async (TtoRelayStore *store,
                                          const char *event_id,
                                          const char *identity_id,
                                          const char *role,
                                          gint64 joined_at,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);
/* tto-relay-store-history.c */
void tto_relay_store_list_history_async (TtoRelayStore *store,
                                         const char *identity_id,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
JsonArray *tto_relay_store_list_history_finish (TtoRelayStore *store,
                                                GAsyncResult *result,
                                                GError **error);
void tto_relay_store_delete_history_async (TtoRelayStore *store,
                                           const char *identity_id,
                                           gint64 entry_id,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data);
gboolean tto_relay_store_delete_history_finish (TtoRelayStore *store,
                                                GAsyncResult *result,
                                                gboolean *deleted,
                                                GError **error);

void tto_relay_store_delete_event_async (TtoRelayStore *store,
                                         const char *event_id,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
void tto_relay_store_delete_expired_identities_async (TtoRelayStore *store,
                                                      gint64 now,
                                                      const char *const *online_ids,
                                                      GAsyncReadyCallback callback,
                                                      gpointer user_data);
TtoRelayDeletion *tto_relay_store_delete_expired_identities_finish (TtoRelayStore *store,
                                                                    GAsyncResult *result,
                                                                    GError **error);
void tto_relay_store_update_event_async (TtoRelayStore *store,
                                         TtoEvent *event,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
void tto_relay_store_set_grant_async (TtoRelayStore *store,
                                      const char *event_id,
                                      const char *identity_id,
                                      const char *permission,
                                      gboolean grant,
                                      gint64 until,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
void tto_relay_store_delete_expired_grants_async (TtoRelayStore *store,
                                                  gint64 now,
                                                  GAsyncReadyCallback callback,
                                                  gpointer user_data);
gboolean tto_relay_store_load_applications (TtoRelayStore *store,
                                            TtoRelayStoreApplicationFunc func,
                                            gpointer user_data,
                                            GError **error);
void tto_relay_store_save_application_async (TtoRelayStore *store,
                                             const char *event_id,
                                             const char *identity_id,
                                             const char *reason,
                                             const char *evidence,
                                             const char *status,
                                             const char *message,
                                             gint64 created_at,
                                             GAsyncReadyCallback callback,
                                             gpointer user_data);
void tto_relay_store_decide_applications_async (TtoRelayStore *store,
                                                const char *event_id,
                                                const char *const *identity_ids,
                                                const char *decision,
                                                const char *message,
                                                gint64 now,
                                                GAsyncReadyCallback callback,
                                                gpointer user_data);
void tto_relay_store_remove_member_async (TtoRelayStore *store,
                                          const char *event_id,
                                          const char *identity_id,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);
/* For the jobs that return only success. */
gboolean tto_relay_store_finish (TtoRelayStore *store,
                                 GAsyncResult *result,
                                 GError **error);

void tto_relay_stored_identity_free (TtoRelayStoredIdentity *identity);
void tto_relay_deletion_free (TtoRelayDeletion *deletion);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TtoRelayStoredIdentity, tto_relay_stored_identity_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TtoRelayDeletion, tto_relay_deletion_free)

G_END_DECLS
