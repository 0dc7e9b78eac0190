/* tto-relay-store-private.h: what the store's files share
 *
 * The store is one module whose SQL is split by concern into
 * tto-relay-store*.c files. They all run on the store's one worker thread
 * through tto_store_run (), so statements keep their order.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <mysql.h>

#include "tto-relay-store.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MYSQL_RES, mysql_free_result)

typedef gpointer (*TtoStoreJobFunc) (MYSQL *db,
                                     gpointer data,
                                     GError **error);

/* Runs func (db, data) on the worker; its result or error completes a GTask
 * whose source tag is source_tag. data_free frees data afterwards. */
void tto_store_run (TtoRelayStore *store,
                    gpointer source_tag,
                    TtoStoreJobFunc func,
                    gpointer data,
                    GDestroyNotify data_free,
                    GAsyncReadyCallback callback,
                    gpointer user_data);

void tto_store_set_db_error (GError **error,
                             MYSQL *db,
                             const char *what);
gboolean tto_store_exec (MYSQL *db,
                         const char *sql,
                         GError **error);
G_GNUC_PRINTF (3, 4)
gboolean tto_store_execf (MYSQL *db,
                          GError **error,
                          const char *format,
                          ...);
char *tto_store_quote (MYSQL *db,
                       const char *value);
char *tto_store_quote_hash (const guint8 *hash);
char *tto_store_quote_int_or_null (gint64 value);
gboolean tto_store_in_transaction (MYSQL *db,
                                   gboolean (*body) (MYSQL *db, gpointer data, GError **error),
                                   gpointer data,
                                   GError **error);
gint64 tto_store_row_int (const char *value);
TtoRelayStoredIdentity *tto_store_select_identity (MYSQL *db,
                                                   const char *column,
                                                   const char *quoted_value,
                                                   GError **error);

/* Start-up loads only, before the worker runs: the store's connection. */
MYSQL *tto_store_get_startup_db (TtoRelayStore *store);

/* tto-relay-store-flow.c */
extern const char *const tto_relay_store_flow_schema[];

/* tto-relay-store-topics.c */
extern const char *const tto_relay_store_topics_schema[];

/* tto-relay-store-history.c */
extern const char *const tto_relay_store_history_schema[];
gboolean tto_store_record_history (MYSQL *db,
                                   const char *quoted_event_id,
                                   GError **error);

/* tto-relay-store-identity.c */
extern const char *const tto_relay_store_identity_schema[];

/* tto-relay-store-tokens.c: one token per sign-in, at most this many per
 * identity (the least recently used goes). */
#define TTO_RELAY_TOKENS_PER_IDENTITY 10
extern const char *const tto_relay_store_tokens_schema[];
gboolean tto_store_add_token (MYSQL *db,
                              const char *quoted_id,
                              const guint8 *token_hash,
                              const guint8 *replace_hash,
                              gint64 now,
                              gint64 expires_at,
                              GError **error);
gboolean tto_store_set_tokens_expiry (MYSQL *db,
                                      const char *quoted_id,
                                      gint64 expires_at,
                                      GError **error);
TtoRelayStoredIdentity *tto_store_find_token_identity (MYSQL *db,
                                                       const guint8 *token_hash,
                                                       GError **error);

/* tto-relay-store.c: for the identity jobs */
MYSQL *tto_store_get_db (TtoRelayStore *store); /* start-up only */
gboolean tto_store_delete_identity (MYSQL *db,
                                    const char *identity_id,
                                    TtoRelayDeletion *deletion,
                                    GError **error);

G_END_DECLS
