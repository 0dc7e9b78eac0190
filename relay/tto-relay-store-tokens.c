/* tto-relay-store-tokens.c: the SQL of identity tokens, one per sign-in
 *
 * Each sign-in (a device) gets a token of its own, so a phone and a
 * desktop stay signed in side by side. Only BLAKE2b hashes of tokens
 * reach MySQL (tto-relay-auth.c); a revoked token's row is deleted, not
 * flagged. A token lives as long as its identity: its expiry follows the
 * identity's, and deleting the identity deletes its tokens (cascade).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <sodium.h>
#include <string.h>

#include "tto-relay-clock.h"
#include "tto-relay-store-private.h"

/* Schema: the tokens move out of identities.token_hash into a table of
 * their own. Every statement may run twice (a test replays the migration on
 * a database that has it): token_hash is added back empty if missing, so
 * the copy finds it, copies nothing, and the column goes again. */
const char *const tto_relay_store_tokens_schema[] = {
  "CREATE TABLE IF NOT EXISTS identity_tokens ("
  " id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
  " token_hash BINARY(32) NOT NULL,"
  " identity_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " created_at BIGINT NOT NULL,"
  " last_used_at BIGINT NOT NULL,"
  " expires_at BIGINT NULL,"
  " UNIQUE INDEX identity_tokens_hash (token_hash),"
  " INDEX identity_tokens_identity (identity_id, last_used_at),"
  " INDEX identity_tokens_expires (expires_at),"
  " CONSTRAINT identity_tokens_identity FOREIGN KEY (identity_id) REFERENCES identities (id)"
  "  ON DELETE CASCADE"
  ") ENGINE=InnoDB",
  "ALTER TABLE identities ADD COLUMN IF NOT EXISTS token_hash BINARY(32) NULL",
  "INSERT IGNORE INTO identity_tokens (token_hash, identity_id, created_at, last_used_at,"
  " expires_at)"
  " SELECT token_hash, id, created_at, created_at, IF(kind = 'timed', expires_at, NULL)"
  " FROM identities WHERE token_hash IS NOT NULL ORDER BY created_at",
  "ALTER TABLE identities DROP COLUMN IF EXISTS token_hash",
  NULL
};

/* Adds @token_hash to the identity @quoted_id, valid until @expires_at (0:
 * as long as the identity lives). @replace_hash (or NULL): the token the
 * signing-in connection holds, which the new one replaces. Then keeps the
 * TTO_RELAY_TOKENS_PER_IDENTITY most recently used. Runs inside the
 * caller's transaction. */
gboolean
tto_store_add_token (MYSQL *db,
                     const char *quoted_id,
                     const guint8 *token_hash,
                     const guint8 *replace_hash,
                     gint64 now,
                     gint64 expires_at,
                     GError **error)
{
  g_autofree char *hash = tto_store_quote_hash (token_hash);
  g_autofree char *expires = tto_store_quote_int_or_null (expires_at);
  g_autoptr (MYSQL_RES) result = NULL;
  MYSQL_ROW row;

  if (replace_hash != NULL)
    {
      g_autofree char *old = tto_store_quote_hash (replace_hash);

      if (!tto_store_execf (db, error,
                            "DELETE FROM identity_tokens WHERE token_hash = %s AND identity_id = %s",
                            old, quoted_id))
        return FALSE;
    }

  if (!tto_store_execf (db, error,
                        "INSERT INTO identity_tokens (token_hash, identity_id, created_at,"
                        " last_used_at, expires_at)"
                        " VALUES (%s, %s, %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", %s)",
                        hash, quoted_id, now, now, expires))
    return FALSE;

  /* The newest token that must go, if any: older than the cap allows. */
  if (!tto_store_execf (db, error,
                        "SELECT last_used_at, id FROM identity_tokens WHERE identity_id = %s"
                        " ORDER BY last_used_at DESC, id DESC LIMIT 1 OFFSET %d FOR UPDATE",
                        quoted_id, TTO_RELAY_TOKENS_PER_IDENTITY))
    return FALSE;
  result = mysql_store_result (db);
  if (result == NULL || (row = mysql_fetch_row (result)) == NULL)
    return TRUE;

  return tto_store_execf (db, error,
                          "DELETE FROM identity_tokens WHERE identity_id = %s AND"
                          " (last_used_at < %" G_GINT64_FORMAT " OR (last_used_at = %"
                          G_GINT64_FORMAT " AND id <= %" G_GINT64_FORMAT "))",
                          quoted_id, tto_store_row_int (row[0]), tto_store_row_int (row[0]),
                          tto_store_row_int (row[1]));
}

/* Every token of @quoted_id follows the identity's new expiry (0: none). */
gboolean
tto_store_set_tokens_expiry (MYSQL *db,
                             const char *quoted_id,
                             gint64 expires_at,
                             GError **error)
{
  g_autofree char *expires = tto_store_quote_int_or_null (expires_at);

  return tto_store_execf (db, error, "UPDATE identity_tokens SET expires_at = %s WHERE identity_id = %s",
                          expires, quoted_id);
}

/* auth and HTTP bearer tokens: the live identity holding @token_hash, or
 * NULL without error. A revoked, unknown or expired token, or one of a
 * timed identity past its end that the sweeper has not deleted yet, all
 * look the same. Marks the token used. */
TtoRelayStoredIdentity *
tto_store_find_token_identity (MYSQL *db,
                               const guint8 *token_hash,
                               GError **error)
{
  g_autofree char *hash = tto_store_quote_hash (token_hash);
  g_autofree char *quoted_id = NULL;
  g_autoptr (MYSQL_RES) result = NULL;
  gint64 now = tto_relay_now_seconds ();
  MYSQL_ROW row;

  if (!tto_store_execf (db, error,
                        "SELECT t.identity_id FROM identity_tokens t"
                        " JOIN identities i ON i.id = t.identity_id"
                        " WHERE t.token_hash = %s"
                        " AND (t.expires_at IS NULL OR t.expires_at > %" G_GINT64_FORMAT ")"
                        " AND NOT (i.kind = 'timed' AND i.expires_at IS NOT NULL"
                        "  AND i.expires_at <= %" G_GINT64_FORMAT ")",
                        hash, now, now))
    return NULL;
  result = mysql_store_result (db);
  if (result == NULL || (row = mysql_fetch_row (result)) == NULL)
    return NULL;
  quoted_id = tto_store_quote (db, row[0]);

  if (!tto_store_execf (db, error,
                        "UPDATE identity_tokens SET last_used_at = %" G_GINT64_FORMAT
                        " WHERE token_hash = %s",
                        now, hash))
    return NULL;

  return tto_store_select_identity (db, "id", quoted_id, error);
}

/* identity.sign_out */

typedef struct
{
  char *identity_id;
  guint8 token_hash[TTO_RELAY_TOKEN_HASH_BYTES];
} RevokeData;

static void
revoke_data_free (gpointer data)
{
  RevokeData *d = data;

  g_free (d->identity_id);
  sodium_memzero (d->token_hash, sizeof d->token_hash);
  g_free (d);
}

static gpointer
revoke_token_job (MYSQL *db,
                  gpointer data,
                  GError **error)
{
  RevokeData *d = data;
  g_autofree char *hash = tto_store_quote_hash (d->token_hash);
  g_autofree char *quoted_id = tto_store_quote (db, d->identity_id);

  if (!tto_store_execf (db, error,
                        "DELETE FROM identity_tokens WHERE token_hash = %s AND identity_id = %s",
                        hash, quoted_id))
    return NULL;

  return GINT_TO_POINTER (TRUE);
}

void
tto_relay_store_revoke_token_async (TtoRelayStore *store,
                                    const char *identity_id,
                                    const guint8 *token_hash,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  RevokeData *d = g_new0 (RevokeData, 1);

  d->identity_id = g_strdup (identity_id);
  memcpy (d->token_hash, token_hash, sizeof d->token_hash);
  tto_store_run (store, tto_relay_store_revoke_token_async, revoke_token_job, d, revoke_data_free,
                 callback, user_data);
}
