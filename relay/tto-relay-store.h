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
  gboolean email_verified;
  gint64 expires_at; /* 0: none */
  gboolean created;  /* tto_relay_store_link_identity_async made it just now */
} TtoRelayStoredIdentity;

/* What a sign-in proved; ORed into the identity's verified flags. */
typedef enum
{
  TTO_RELAY_VERIFIED_NONE = 0,
  TTO_RELAY_VERIFIED_THIRD_PARTY = 1 << 0,
  TTO_RELAY_VERIFIED_PHONE = 1 << 1,
  TTO_RELAY_VERIFIED_EMAIL = 1 << 2,
  TTO_RELAY_VERIFIED_ID = 1 << 3,
} TtoRelayVerified;

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
/* The live identity holding the token of @token_hash (auth, HTTP); marks
 * the token used. Revoked, unknown and expired tokens: NULL, no error. */
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

/* tto-relay-store-identity.c: sign-in methods, accounts, ID checks.
 *
 * tto_relay_store_link_identity_async: finds the identity linked to
 * (@method, @key_hash) and signs it in, or creates one and links it.
 *   @method: "phone", "email", "username" or "oidc:<provider id>" (ASCII, at most 48)
 *   @key_hash: 32 bytes, tto_relay_identity_link_hash () of the normalised value
 *   @display_name: for a new identity (an existing one keeps its name)
 *   @kind: "one_time" (never linked: always a new identity), "timed" or "permanent"
 *   @expires_at: for "timed", now + ttl; otherwise ignored
 *   @verified: flags the method proved, ORed into the identity's
 *   @token_hash: 32 bytes, tto_relay_auth_new_token ()'s hash; one more token of the
 *     identity (tto-relay-store-tokens.c keeps at most 10)
 *   @now: tto_relay_now_seconds ()
 * Signing in again never shortens a lifetime: timed -> later of the two
 * expiries, permanent stays permanent. A link to an expired timed identity
 * is dropped and a new identity made. Finish with
 * tto_relay_store_link_identity_finish (): the identity (->created says
 * whether it is new), or NULL with an error.
 * Most callers want tto_relay_identity_sign_in () (tto-relay-identity.h),
 * which does this plus the token, the connection and the answer. */
void tto_relay_store_link_identity_async (TtoRelayStore *store,
                                          const char *method,
                                          const guint8 *key_hash,
                                          const char *display_name,
                                          const char *kind,
                                          gint64 expires_at,
                                          TtoRelayVerified verified,
                                          const guint8 *token_hash,
                                          gint64 now,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);
/* The same; @display_name NULL: only an identity linked already is signed
 * in (NULL result without error otherwise). @expect_id non-NULL: the
 * linked identity must be this one, else TTO_RELAY_STORE_ERROR_CONFLICT.
 * @replace_hash non-NULL: the token this connection holds, replaced by the
 * new one (signing in again on one device leaves it one token). */
void tto_relay_store_link_identity_full_async (TtoRelayStore *store,
                                               const char *method,
                                               const guint8 *key_hash,
                                               const char *display_name,
                                               const char *kind,
                                               gint64 expires_at,
                                               TtoRelayVerified verified,
                                               const guint8 *token_hash,
                                               gint64 now,
                                               const char *expect_id,
                                               const guint8 *replace_hash,
                                               GAsyncReadyCallback callback,
                                               gpointer user_data);
TtoRelayStoredIdentity *tto_relay_store_link_identity_finish (TtoRelayStore *store,
                                                              GAsyncResult *result,
                                                              GError **error);
/* identity.register: a new account with an email and a username link.
 * TTO_RELAY_STORE_ERROR_CONFLICT with message "username" or "email" when a
 * live identity holds that link already. */
void tto_relay_store_register_account_async (TtoRelayStore *store,
                                             const char *id,
                                             const char *display_name,
                                             const char *kind,
                                             gint64 expires_at,
                                             const guint8 *token_hash,
                                             const char *password_hash,
                                             const guint8 *email_key,
                                             const guint8 *username_key,
                                             gint64 now,
                                             GAsyncReadyCallback callback,
                                             gpointer user_data);
/* identity.login: (identity id, Argon2id string) of the live account
 * linked to (@method, @key_hash), as a GStrv of two, or NULL. */
void tto_relay_store_find_account_async (TtoRelayStore *store,
                                         const char *method,
                                         const guint8 *key_hash,
                                         gint64 now,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
GStrv tto_relay_store_find_account_finish (TtoRelayStore *store,
                                           GAsyncResult *result,
                                           GError **error);
/* Signs an existing identity in again: new token (replacing
 * @replace_hash, or NULL, as in link_identity_full), lifetime grown as in
 * link_identity. Finish with tto_relay_store_link_identity_finish (). */
void tto_relay_store_renew_identity_async (TtoRelayStore *store,
                                           const char *id,
                                           const char *kind,
                                           gint64 expires_at,
                                           TtoRelayVerified verified,
                                           const guint8 *token_hash,
                                           gint64 now,
                                           const guint8 *replace_hash,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data);
/* identity.id_check: CONFLICT when another identity holds @id_hash. */
void tto_relay_store_set_id_check_async (TtoRelayStore *store,
                                         const char *id,
                                         const guint8 *id_hash,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
/* Finish with tto_relay_store_link_identity_finish (): the identity. */
void tto_relay_store_set_display_name_async (TtoRelayStore *store,
                                             const char *id,
                                             const char *display_name,
                                             GAsyncReadyCallback callback,
                                             gpointer user_data);
/* identity.sign_out: deletes the token of @token_hash if @identity_id
 * holds it (tto-relay-store-tokens.c). Finish with tto_relay_store_finish (). */
void tto_relay_store_revoke_token_async (TtoRelayStore *store,
                                         const char *identity_id,
                                         const guint8 *token_hash,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
/* identity.delete: the identity, its rows and the events it created.
 * Finish with tto_relay_store_delete_expired_identities_finish (). */
void tto_relay_store_delete_identity_async (TtoRelayStore *store,
                                            const char *id,
                                            GAsyncReadyCallback callback,
                                            gpointer user_data);
/* Start-up only: the key of link and ID hashes kept in the database
 * (relay_secrets), made on first use. */
gboolean tto_relay_store_load_link_key (TtoRelayStore *store,
                                        guint8 *key,
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
