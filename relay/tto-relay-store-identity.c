/* tto-relay-store-identity.c: the SQL of sign-in methods, accounts and
 * ID checks
 *
 * No phone number, email address, username, name or ID number reaches
 * MySQL: links and ID checks hold keyed BLAKE2b hashes, passwords Argon2id
 * strings (tto-relay-identity.c makes both).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <sodium.h>
#include <string.h>

#include "tto-ids.h"
#include "tto-relay-store-private.h"

/* Schema: identities learn passwords, ID checks and email verification;
 * identity_links maps a method's hashed value to an identity;
 * relay_secrets holds the link key when no key file is configured. */
const char *const tto_relay_store_identity_schema[] = {
  "ALTER TABLE identities"
  " ADD COLUMN password_hash VARCHAR(128) CHARACTER SET ascii NULL,"
  " ADD COLUMN id_check_hash BINARY(32) NULL,"
  " ADD COLUMN email_verified TINYINT(1) NOT NULL DEFAULT 0,"
  " ADD UNIQUE INDEX identities_id_check (id_check_hash)",
  "CREATE TABLE identity_links ("
  " method VARCHAR(48) CHARACTER SET ascii NOT NULL,"
  " key_hash BINARY(32) NOT NULL,"
  " identity_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " created_at BIGINT NOT NULL,"
  " PRIMARY KEY (method, key_hash),"
  " INDEX identity_links_identity (identity_id),"
  " CONSTRAINT identity_links_identity FOREIGN KEY (identity_id) REFERENCES identities (id)"
  "  ON DELETE CASCADE"
  ") ENGINE=InnoDB",
  "CREATE TABLE relay_secrets ("
  " id TINYINT NOT NULL PRIMARY KEY,"
  " link_key BINARY(32) NOT NULL"
  ") ENGINE=InnoDB",
  NULL
};

typedef struct
{
  char *id;
  char *method;
  char *display_name;
  char *kind;
  char *password_hash;
  char *expect_id;
  gint64 expires_at;
  gint64 now;
  TtoRelayVerified verified;
  guint8 key_hash[TTO_RELAY_TOKEN_HASH_BYTES];
  guint8 key_hash2[TTO_RELAY_TOKEN_HASH_BYTES];
  guint8 token_hash[TTO_RELAY_TOKEN_HASH_BYTES];
  guint8 replace_hash[TTO_RELAY_TOKEN_HASH_BYTES];
  gboolean replace;     /* replace_hash holds the connection's token */
  TtoRelayStoredIdentity *result;
} LinkData;

static LinkData *
link_data_new (void)
{
  return g_new0 (LinkData, 1);
}

static void
link_data_free (gpointer data)
{
  LinkData *d = data;

  g_free (d->id);
  g_free (d->method);
  g_free (d->display_name);
  g_free (d->kind);
  g_free (d->expect_id);
  if (d->password_hash != NULL)
    sodium_memzero (d->password_hash, strlen (d->password_hash));
  g_free (d->password_hash);
  sodium_memzero (d->key_hash, sizeof d->key_hash);
  sodium_memzero (d->key_hash2, sizeof d->key_hash2);
  sodium_memzero (d->token_hash, sizeof d->token_hash);
  sodium_memzero (d->replace_hash, sizeof d->replace_hash);
  g_clear_pointer (&d->result, tto_relay_stored_identity_free);
  g_free (d);
}

/* Reads one identity row; NULL when there is none. */
static TtoRelayStoredIdentity *
select_identity (MYSQL *db,
                 const char *quoted_id,
                 GError **error)
{
  return tto_store_select_identity (db, "id", quoted_id, error);
}

static gboolean
is_dead (const char *kind,
         gint64 expires_at,
         gint64 now)
{
  return g_strcmp0 (kind, "timed") == 0 && expires_at > 0 && expires_at <= now;
}

/* The live identity linked to (method, key); drops a link to one past its
 * expiry (the sweeper deletes that identity soon). */
static char *
find_link (MYSQL *db,
           const char *method,
           const guint8 *key_hash,
           gint64 now,
           GError **error)
{
  g_autofree char *quoted_method = tto_store_quote (db, method);
  g_autofree char *key = tto_store_quote_hash (key_hash);
  g_autoptr (MYSQL_RES) result = NULL;
  MYSQL_ROW row;

  if (!tto_store_execf (db, error,
                        "SELECT l.identity_id, i.kind, i.expires_at FROM identity_links l"
                        " JOIN identities i ON i.id = l.identity_id"
                        " WHERE l.method = %s AND l.key_hash = %s FOR UPDATE",
                        quoted_method, key))
    return NULL;

  result = mysql_store_result (db);
  if (result == NULL || (row = mysql_fetch_row (result)) == NULL)
    return NULL;

  if (is_dead (row[1], tto_store_row_int (row[2]), now))
    {
      tto_store_execf (db, error, "DELETE FROM identity_links WHERE method = %s AND key_hash = %s",
                       quoted_method, key);
      return NULL;
    }

  return g_strdup (row[0]);
}

static gboolean
insert_link (MYSQL *db,
             const char *quoted_id,
             const char *method,
             const guint8 *key_hash,
             gint64 now,
             GError **error)
{
  g_autofree char *quoted_method = tto_store_quote (db, method);
  g_autofree char *key = tto_store_quote_hash (key_hash);

  return tto_store_execf (db, error,
                          "INSERT INTO identity_links (method, key_hash, identity_id, created_at)"
                          " VALUES (%s, %s, %s, %" G_GINT64_FORMAT ")",
                          quoted_method, key, quoted_id, now);
}

static gboolean
insert_identity (MYSQL *db,
                 LinkData *d,
                 const char *quoted_id,
                 GError **error)
{
  g_autofree char *kind = tto_store_quote (db, d->kind);
  g_autofree char *name = tto_store_quote (db, d->display_name);
  g_autofree char *password = tto_store_quote (db, d->password_hash);
  gint64 expiry = g_str_equal (d->kind, "timed") ? d->expires_at : 0;
  g_autofree char *expires = tto_store_quote_int_or_null (expiry);
  gboolean ok;

  ok = tto_store_execf (db, error,
                        "INSERT INTO identities (id, kind, display_name, created_at,"
                        " expires_at, third_party_verified, phone_verified, email_verified,"
                        " id_verified, password_hash)"
                        " VALUES (%s, %s, %s, %" G_GINT64_FORMAT ", %s, %d, %d, %d, %d, %s)",
                        quoted_id, kind, name, d->now, expires,
                        (d->verified & TTO_RELAY_VERIFIED_THIRD_PARTY) != 0,
                        (d->verified & TTO_RELAY_VERIFIED_PHONE) != 0,
                        (d->verified & TTO_RELAY_VERIFIED_EMAIL) != 0,
                        (d->verified & TTO_RELAY_VERIFIED_ID) != 0, password);
  if (password != NULL)
    sodium_memzero (password, strlen (password));

  return ok && tto_store_add_token (db, quoted_id, d->token_hash, NULL, d->now, expiry, error);
}

/* A new token beside the identity's others (or instead of the one this
 * connection holds), the proven flags, and a lifetime that only grows:
 * timed moves to the later expiry, permanent stays permanent. d->kind NULL
 * keeps the lifetime as it is. Every token follows the lifetime. */
static gboolean
renew_identity (MYSQL *db,
                LinkData *d,
                const char *quoted_id,
                GError **error)
{
  g_autoptr (TtoRelayStoredIdentity) current = NULL;
  g_autofree char *kind = NULL;
  g_autofree char *expires = NULL;
  const char *new_kind;
  gint64 new_expiry;

  current = select_identity (db, quoted_id, error);
  if (current == NULL)
    return FALSE;

  new_kind = current->kind;
  new_expiry = current->expires_at;
  if (d->kind != NULL && !g_str_equal (current->kind, "permanent"))
    {
      if (g_str_equal (d->kind, "permanent"))
        {
          new_kind = "permanent";
          new_expiry = 0;
        }
      else if (g_str_equal (d->kind, "timed"))
        {
          new_kind = "timed";
          new_expiry = g_str_equal (current->kind, "timed") ? MAX (current->expires_at, d->expires_at)
                                                              : d->expires_at;
        }
    }

  kind = tto_store_quote (db, new_kind);
  /* One-time identities keep the grace expiry the relay manages. */
  expires = g_str_equal (new_kind, "one_time") ? tto_store_quote_int_or_null (current->expires_at)
                                               : tto_store_quote_int_or_null (new_expiry);

  return tto_store_execf (db, error,
                          "UPDATE identities SET kind = %s, expires_at = %s,"
                          " third_party_verified = third_party_verified OR %d,"
                          " phone_verified = phone_verified OR %d,"
                          " email_verified = email_verified OR %d,"
                          " id_verified = id_verified OR %d"
                          " WHERE id = %s",
                          kind, expires,
                          (d->verified & TTO_RELAY_VERIFIED_THIRD_PARTY) != 0,
                          (d->verified & TTO_RELAY_VERIFIED_PHONE) != 0,
                          (d->verified & TTO_RELAY_VERIFIED_EMAIL) != 0,
                          (d->verified & TTO_RELAY_VERIFIED_ID) != 0, quoted_id) &&
         tto_store_add_token (db, quoted_id, d->token_hash, d->replace ? d->replace_hash : NULL,
                              d->now, 0, error) &&
         tto_store_set_tokens_expiry (db, quoted_id,
                                      g_str_equal (new_kind, "timed") ? new_expiry : 0, error);
}

static gboolean
link_identity_body (MYSQL *db,
                    gpointer data,
                    GError **error)
{
  LinkData *d = data;
  g_autofree char *linked = NULL;
  g_autofree char *quoted_id = NULL;
  GError *local_error = NULL;
  gboolean created = FALSE;

  /* One-time identities are never linked: each such sign-in is new. */
  if (!g_str_equal (d->kind, "one_time"))
    {
      linked = find_link (db, d->method, d->key_hash, d->now, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
    }

  /* A connection that has an identity may only sign that one in again. */
  if (d->expect_id != NULL && g_strcmp0 (linked, d->expect_id) != 0)
    {
      g_set_error_literal (error, TTO_RELAY_STORE_ERROR, TTO_RELAY_STORE_ERROR_CONFLICT,
                           "another identity");
      return FALSE;
    }
  /* Nothing linked and no name to make a new identity with. */
  if (linked == NULL && d->display_name == NULL)
    return TRUE;

  if (linked != NULL)
    {
      quoted_id = tto_store_quote (db, linked);
      if (!renew_identity (db, d, quoted_id, error))
        {
          if (error != NULL && *error == NULL)
            g_set_error_literal (error, TTO_RELAY_STORE_ERROR, TTO_RELAY_STORE_ERROR_QUERY,
                                 "a linked identity vanished");
          return FALSE;
        }
    }
  else
    {
      quoted_id = tto_store_quote (db, d->id);
      if (!insert_identity (db, d, quoted_id, error))
        return FALSE;
      if (!g_str_equal (d->kind, "one_time") &&
          !insert_link (db, quoted_id, d->method, d->key_hash, d->now, error))
        return FALSE;
      created = TRUE;
    }

  d->result = select_identity (db, quoted_id, error);
  if (d->result == NULL)
    return FALSE;
  d->result->created = created;

  return TRUE;
}

static gpointer
link_identity_job (MYSQL *db,
                   gpointer data,
                   GError **error)
{
  LinkData *d = data;

  if (!tto_store_in_transaction (db, link_identity_body, d, error))
    return NULL;

  return g_steal_pointer (&d->result);
}

void
tto_relay_store_link_identity_async (TtoRelayStore *store,
                                     const char *method,
                                     const guint8 *key_hash,
                                     const char *display_name,
                                     const char *kind,
                                     gint64 expires_at,
                                     TtoRelayVerified verified,
                                     const guint8 *token_hash,
                                     gint64 now,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  g_return_if_fail (display_name != NULL);

  tto_relay_store_link_identity_full_async (store, method, key_hash, display_name, kind,
                                            expires_at, verified, token_hash, now, NULL, NULL,
                                            callback, user_data);
}

void
tto_relay_store_link_identity_full_async (TtoRelayStore *store,
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
                                          gpointer user_data)
{
  LinkData *d;

  g_return_if_fail (method != NULL && key_hash != NULL && token_hash != NULL && kind != NULL);

  d = link_data_new ();
  d->expect_id = g_strdup (expect_id);
  d->id = tto_id_new ();
  d->method = g_strdup (method);
  d->display_name = g_strdup (display_name);
  d->kind = g_strdup (kind);
  d->expires_at = expires_at;
  d->verified = verified;
  d->now = now;
  memcpy (d->key_hash, key_hash, sizeof d->key_hash);
  memcpy (d->token_hash, token_hash, sizeof d->token_hash);
  if (replace_hash != NULL)
    memcpy (d->replace_hash, replace_hash, sizeof d->replace_hash);
  d->replace = replace_hash != NULL;
  tto_store_run (store, tto_relay_store_link_identity_async, link_identity_job, d, link_data_free,
                 callback, user_data);
}

TtoRelayStoredIdentity *
tto_relay_store_link_identity_finish (TtoRelayStore *store,
                                      GAsyncResult *result,
                                      GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* identity.login: after the password matched */

static gboolean
renew_body (MYSQL *db,
            gpointer data,
            GError **error)
{
  LinkData *d = data;
  g_autofree char *quoted_id = tto_store_quote (db, d->id);

  if (!renew_identity (db, d, quoted_id, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, TTO_RELAY_STORE_ERROR, TTO_RELAY_STORE_ERROR_QUERY,
                             "the identity is gone");
      return FALSE;
    }

  d->result = select_identity (db, quoted_id, error);
  return d->result != NULL;
}

static gpointer
renew_job (MYSQL *db,
           gpointer data,
           GError **error)
{
  LinkData *d = data;

  if (!tto_store_in_transaction (db, renew_body, d, error))
    return NULL;

  return g_steal_pointer (&d->result);
}

void
tto_relay_store_renew_identity_async (TtoRelayStore *store,
                                      const char *id,
                                      const char *kind,
                                      gint64 expires_at,
                                      TtoRelayVerified verified,
                                      const guint8 *token_hash,
                                      gint64 now,
                                      const guint8 *replace_hash,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  LinkData *d = link_data_new ();

  d->id = g_strdup (id);
  d->kind = g_strdup (kind);
  d->expires_at = expires_at;
  d->verified = verified;
  d->now = now;
  memcpy (d->token_hash, token_hash, sizeof d->token_hash);
  if (replace_hash != NULL)
    memcpy (d->replace_hash, replace_hash, sizeof d->replace_hash);
  d->replace = replace_hash != NULL;
  tto_store_run (store, tto_relay_store_renew_identity_async, renew_job, d, link_data_free,
                 callback, user_data);
}

/* identity.register */

static gboolean
register_body (MYSQL *db,
               gpointer data,
               GError **error)
{
  LinkData *d = data;
  g_autofree char *quoted_id = tto_store_quote (db, d->id);
  g_autofree char *by_username = NULL;
  g_autofree char *by_email = NULL;
  GError *local_error = NULL;

  /* key_hash is the username's, key_hash2 the email's. */
  by_username = find_link (db, "username", d->key_hash, d->now, &local_error);
  if (local_error == NULL && by_username == NULL)
    by_email = find_link (db, "email", d->key_hash2, d->now, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (by_username != NULL || by_email != NULL)
    {
      g_set_error_literal (error, TTO_RELAY_STORE_ERROR, TTO_RELAY_STORE_ERROR_CONFLICT,
                           by_username != NULL ? "username" : "email");
      return FALSE;
    }

  if (!insert_identity (db, d, quoted_id, error) ||
      !insert_link (db, quoted_id, "username", d->key_hash, d->now, error) ||
      !insert_link (db, quoted_id, "email", d->key_hash2, d->now, error))
    return FALSE;

  d->result = select_identity (db, quoted_id, error);
  if (d->result == NULL)
    return FALSE;
  d->result->created = TRUE;

  return TRUE;
}

static gpointer
register_job (MYSQL *db,
              gpointer data,
              GError **error)
{
  LinkData *d = data;

  if (!tto_store_in_transaction (db, register_body, d, error))
    return NULL;

  return g_steal_pointer (&d->result);
}

void
tto_relay_store_register_account_async (TtoRelayStore *store,
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
                                        gpointer user_data)
{
  LinkData *d = link_data_new ();

  d->id = g_strdup (id);
  d->display_name = g_strdup (display_name);
  d->kind = g_strdup (kind);
  d->expires_at = expires_at;
  d->password_hash = g_strdup (password_hash);
  d->verified = TTO_RELAY_VERIFIED_EMAIL;
  d->now = now;
  memcpy (d->token_hash, token_hash, sizeof d->token_hash);
  memcpy (d->key_hash, username_key, sizeof d->key_hash);
  memcpy (d->key_hash2, email_key, sizeof d->key_hash2);
  tto_store_run (store, tto_relay_store_register_account_async, register_job, d, link_data_free,
                 callback, user_data);
}

/* identity.login: the account behind a username or email */

static gpointer
find_account_job (MYSQL *db,
                  gpointer data,
                  GError **error)
{
  LinkData *d = data;
  g_autofree char *quoted_method = tto_store_quote (db, d->method);
  g_autofree char *key = tto_store_quote_hash (d->key_hash);
  g_autoptr (MYSQL_RES) result = NULL;
  g_autoptr (GStrvBuilder) builder = NULL;
  MYSQL_ROW row;

  if (!tto_store_execf (db, error,
                        "SELECT i.id, i.password_hash, i.kind, i.expires_at FROM identity_links l"
                        " JOIN identities i ON i.id = l.identity_id"
                        " WHERE l.method = %s AND l.key_hash = %s AND i.password_hash IS NOT NULL",
                        quoted_method, key))
    return NULL;

  result = mysql_store_result (db);
  if (result == NULL || (row = mysql_fetch_row (result)) == NULL ||
      is_dead (row[2], tto_store_row_int (row[3]), d->now))
    return NULL;

  builder = g_strv_builder_new ();
  g_strv_builder_add (builder, row[0]);
  g_strv_builder_add (builder, row[1]);
  return g_strv_builder_end (builder);
}

void
tto_relay_store_find_account_async (TtoRelayStore *store,
                                    const char *method,
                                    const guint8 *key_hash,
                                    gint64 now,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  LinkData *d = link_data_new ();

  d->method = g_strdup (method);
  d->now = now;
  memcpy (d->key_hash, key_hash, sizeof d->key_hash);
  tto_store_run (store, tto_relay_store_find_account_async, find_account_job, d, link_data_free,
                 callback, user_data);
}

/* NULL without error: no such live account. The caller wipes the hash. */
GStrv
tto_relay_store_find_account_finish (TtoRelayStore *store,
                                     GAsyncResult *result,
                                     GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* identity.id_check */

static gpointer
set_id_check_job (MYSQL *db,
                  gpointer data,
                  GError **error)
{
  LinkData *d = data;
  g_autofree char *quoted_id = tto_store_quote (db, d->id);
  g_autofree char *hash = tto_store_quote_hash (d->key_hash);

  /* The unique index refuses a number another identity verified. */
  if (!tto_store_execf (db, error,
                        "UPDATE identities SET id_verified = 1, id_check_hash = %s WHERE id = %s",
                        hash, quoted_id))
    return NULL;

  return GINT_TO_POINTER (TRUE);
}

void
tto_relay_store_set_id_check_async (TtoRelayStore *store,
                                    const char *id,
                                    const guint8 *id_hash,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  LinkData *d = link_data_new ();

  d->id = g_strdup (id);
  memcpy (d->key_hash, id_hash, sizeof d->key_hash);
  tto_store_run (store, tto_relay_store_set_id_check_async, set_id_check_job, d, link_data_free,
                 callback, user_data);
}

/* identity.update */

static gpointer
set_display_name_job (MYSQL *db,
                      gpointer data,
                      GError **error)
{
  LinkData *d = data;
  g_autofree char *quoted_id = tto_store_quote (db, d->id);
  g_autofree char *name = tto_store_quote (db, d->display_name);

  if (!tto_store_execf (db, error, "UPDATE identities SET display_name = %s WHERE id = %s", name,
                        quoted_id))
    return NULL;

  return select_identity (db, quoted_id, error);
}

void
tto_relay_store_set_display_name_async (TtoRelayStore *store,
                                        const char *id,
                                        const char *display_name,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data)
{
  LinkData *d = link_data_new ();

  d->id = g_strdup (id);
  d->display_name = g_strdup (display_name);
  tto_store_run (store, tto_relay_store_set_display_name_async, set_display_name_job, d,
                 link_data_free, callback, user_data);
}

/* identity.delete */

static gpointer
delete_identity_job (MYSQL *db,
                     gpointer data,
                     GError **error)
{
  g_autoptr (TtoRelayDeletion) deletion = g_new0 (TtoRelayDeletion, 1);

  deletion->identity_ids = g_ptr_array_new_with_free_func (g_free);
  deletion->event_ids = g_ptr_array_new_with_free_func (g_free);
  if (!tto_store_delete_identity (db, data, deletion, error))
    return NULL;

  return g_steal_pointer (&deletion);
}

void
tto_relay_store_delete_identity_async (TtoRelayStore *store,
                                       const char *id,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data)
{
  tto_store_run (store, tto_relay_store_delete_identity_async, delete_identity_job, g_strdup (id),
                 g_free, callback, user_data);
}

/* Start-up: the link key kept in the database */

gboolean
tto_relay_store_load_link_key (TtoRelayStore *store,
                               guint8 *key,
                               GError **error)
{
  MYSQL *db = tto_store_get_db (store);
  guint8 fresh[TTO_RELAY_TOKEN_HASH_BYTES];
  g_autofree char *quoted = NULL;
  g_autoptr (MYSQL_RES) result = NULL;
  unsigned long *lengths;
  MYSQL_ROW row;

  /* First start: a random key; later starts (and other relays sharing the
   * database) read the same one, so links keep matching. */
  randombytes_buf (fresh, sizeof fresh);
  quoted = tto_store_quote_hash (fresh);
  sodium_memzero (fresh, sizeof fresh);
  if (!tto_store_execf (db, error, "INSERT IGNORE INTO relay_secrets (id, link_key) VALUES (1, %s)",
                        quoted))
    return FALSE;
  sodium_memzero (quoted, strlen (quoted));

  if (!tto_store_exec (db, "SELECT link_key FROM relay_secrets WHERE id = 1", error))
    return FALSE;
  result = mysql_store_result (db);
  if (result == NULL || (row = mysql_fetch_row (result)) == NULL ||
      (lengths = mysql_fetch_lengths (result)) == NULL || lengths[0] != TTO_RELAY_TOKEN_HASH_BYTES)
    {
      g_set_error_literal (error, TTO_RELAY_STORE_ERROR, TTO_RELAY_STORE_ERROR_QUERY,
                           "relay_secrets holds no link key");
      return FALSE;
    }

  memcpy (key, row[0], TTO_RELAY_TOKEN_HASH_BYTES);
  sodium_memzero (row[0], TTO_RELAY_TOKEN_HASH_BYTES);
  return TRUE;
}
