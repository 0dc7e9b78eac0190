/* tto-relay-store.c: every SQL statement of the relay, run off the main loop
 *
 * libmysqlclient blocks, so the main loop never calls it after start-up:
 * jobs go to one worker thread that owns the connection. One worker keeps
 * the jobs in order (an identity's "offline" and "online again" updates
 * cannot overtake each other), and no job is on the message path.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <string.h>

#include "tto-relay-store-private.h"

G_DEFINE_QUARK (tto-relay-store-error-quark, tto_relay_store_error)


struct _TtoRelayStore
{
  MYSQL *db;
  GThreadPool *pool;
  int schema_version;
};

typedef struct
{
  TtoStoreJobFunc func;
  gpointer data;
  GDestroyNotify data_free;
} Job;

/* Each entry is one schema version; the store applies those it lacks, in
 * order, each in its own transaction where MariaDB allows. */
static const char *const migration_v1[] = {
  "CREATE TABLE identities ("
  " id CHAR(16) CHARACTER SET ascii NOT NULL PRIMARY KEY,"
  " kind VARCHAR(16) CHARACTER SET ascii NOT NULL,"
  " display_name VARCHAR(64) NOT NULL,"
  " token_hash BINARY(32) NOT NULL UNIQUE,"
  " created_at BIGINT NOT NULL,"
  " expires_at BIGINT NULL,"
  " INDEX identities_expires (expires_at)"
  ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
  "CREATE TABLE events ("
  " id CHAR(16) CHARACTER SET ascii NOT NULL PRIMARY KEY,"
  " creator_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " title VARCHAR(120) NOT NULL,"
  " content TEXT NOT NULL,"
  " announcement TEXT NOT NULL,"
  " admission VARCHAR(16) CHARACTER SET ascii NOT NULL,"
  " invite_code CHAR(8) CHARACTER SET ascii NOT NULL UNIQUE,"
  " deadline BIGINT NULL,"
  " created_at BIGINT NOT NULL,"
  " INDEX events_deadline (deadline),"
  " CONSTRAINT events_creator FOREIGN KEY (creator_id) REFERENCES identities (id)"
  "  ON DELETE CASCADE"
  ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
  "CREATE TABLE members ("
  " event_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " identity_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " role VARCHAR(16) CHARACTER SET ascii NOT NULL,"
  " joined_at BIGINT NOT NULL,"
  " PRIMARY KEY (event_id, identity_id),"
  " INDEX members_identity (identity_id),"
  " CONSTRAINT members_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE,"
  " CONSTRAINT members_identity FOREIGN KEY (identity_id) REFERENCES identities (id)"
  "  ON DELETE CASCADE"
  ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
  NULL
};

/* v2: the chat settings of an event, and permissions the creator
 * delegates for a time. */
static const char *const migration_v2[] = {
  "ALTER TABLE events"
  " ADD COLUMN edit_window INT NOT NULL DEFAULT 900,"
  " ADD COLUMN recall_window INT NOT NULL DEFAULT 120",
  "CREATE TABLE grants ("
  " event_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " identity_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " permission VARCHAR(16) CHARACTER SET ascii NOT NULL,"
  " expires_at BIGINT NULL,"
  " PRIMARY KEY (event_id, identity_id, permission),"
  " INDEX grants_expires (expires_at),"
  " CONSTRAINT grants_member FOREIGN KEY (event_id, identity_id)"
  "  REFERENCES members (event_id, identity_id) ON DELETE CASCADE"
  ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
  NULL
};

/* v3: which communication forms the creator enabled. */
static const char *const migration_v3[] = {
  "ALTER TABLE events ADD COLUMN forms VARCHAR(255) CHARACTER SET ascii NOT NULL"
  " DEFAULT 'text,file,voice_message,video_message,voice_call,video_call,offline_meeting'",
  NULL
};

/* v4: admission rules, invite expiry, join applications, and the
 * verification flags rules look at (set by the identity work). */
static const char *const migration_v4[] = {
  "ALTER TABLE identities"
  " ADD COLUMN third_party_verified TINYINT(1) NOT NULL DEFAULT 0,"
  " ADD COLUMN phone_verified TINYINT(1) NOT NULL DEFAULT 0,"
  " ADD COLUMN id_verified TINYINT(1) NOT NULL DEFAULT 0",
  "ALTER TABLE events"
  " ADD COLUMN auto_approve_third_party TINYINT(1) NOT NULL DEFAULT 0,"
  " ADD COLUMN require_id_verified TINYINT(1) NOT NULL DEFAULT 0,"
  " ADD COLUMN require_phone_verified TINYINT(1) NOT NULL DEFAULT 0,"
  " ADD COLUMN invite_expires_at BIGINT NULL",
  "CREATE TABLE applications ("
  " event_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " identity_id CHAR(16) CHARACTER SET ascii NOT NULL,"
  " reason TEXT NOT NULL,"
  " evidence VARCHAR(128) CHARACTER SET ascii NOT NULL DEFAULT '',"
  " status VARCHAR(16) CHARACTER SET ascii NOT NULL,"
  " asked_for VARCHAR(500) NOT NULL DEFAULT '',"
  " created_at BIGINT NOT NULL,"
  " PRIMARY KEY (event_id, identity_id),"
  " CONSTRAINT applications_event FOREIGN KEY (event_id) REFERENCES events (id)"
  "  ON DELETE CASCADE,"
  " CONSTRAINT applications_identity FOREIGN KEY (identity_id) REFERENCES identities (id)"
  "  ON DELETE CASCADE"
  ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
  NULL
};

/* The creator's IP allow-list: canonical CIDRs joined with ','; '' allows
 * every address (32 IPv6 networks fit). */
static const char *const migration_ip_allow[] = {
  "ALTER TABLE events ADD COLUMN ip_allow VARCHAR(1600) CHARACTER SET ascii NOT NULL DEFAULT ''",
  NULL
};

/* The default stage used to be titled "Main"; it is untitled now and each
 * client names it in its own language. Nothing recorded whether a first
 * stage called exactly "Main" (BINARY: case and trailing spaces count) was
 * the default, so every such stage is taken for it; titles set by hand
 * are never empty, so an empty one always means the default. */
static const char *const migration_default_stage[] = {
  "UPDATE stages SET title = '' WHERE position = 0 AND BINARY title = 'Main'",
  NULL
};

static const char *const *const migrations[] = {
  migration_v1,
  migration_v2,
  migration_v3,
  migration_v4,
  tto_relay_store_history_schema,
  tto_relay_store_identity_schema,
  tto_relay_store_topics_schema,
  tto_relay_store_flow_schema,
  migration_ip_allow,
  migration_default_stage,
  tto_relay_store_tokens_schema, /* tokens per sign-in (tto-relay-store-tokens.c) */
};

void
tto_store_set_db_error (GError **error,
                        MYSQL *db,
                        const char *what)
{
  unsigned int code = mysql_errno (db);
  int domain_code = TTO_RELAY_STORE_ERROR_QUERY;

  if (code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST || code == CR_CONNECTION_ERROR ||
      code == CR_CONN_HOST_ERROR)
    domain_code = TTO_RELAY_STORE_ERROR_CONNECT;
  else if (code == ER_DUP_ENTRY)
    domain_code = TTO_RELAY_STORE_ERROR_CONFLICT;

  /* A duplicate-key message quotes the value (an invite code, a token
   * hash): keep it out of errors, which end up in logs. */
  if (code == ER_DUP_ENTRY)
    g_set_error (error, TTO_RELAY_STORE_ERROR, domain_code, "%s: duplicate key (%u)", what, code);
  else
    g_set_error (error, TTO_RELAY_STORE_ERROR, domain_code, "%s: %s (%u)", what, mysql_error (db),
                 code);
}

gboolean
tto_store_exec (MYSQL *db,
                const char *sql,
                GError **error)
{
  if (mysql_real_query (db, sql, strlen (sql)) != 0)
    {
      tto_store_set_db_error (error, db, "query failed");
      return FALSE;
    }

  return TRUE;
}

G_GNUC_PRINTF (3, 4)
gboolean
tto_store_execf (MYSQL *db,
                 GError **error,
                 const char *format,
                 ...)
{
  g_autofree char *sql = NULL;
  va_list args;

  va_start (args, format);
  sql = g_strdup_vprintf (format, args);
  va_end (args);

  return tto_store_exec (db, sql, error);
}

/* Quotes a value for SQL; NULL becomes NULL. Safe because the connection's
 * character set is utf8mb4 and mysql_real_escape_string knows it. */
char *
tto_store_quote (MYSQL *db,
                 const char *value)
{
  gsize length;
  char *out;
  unsigned long n;

  if (value == NULL)
    return g_strdup ("NULL");

  length = strlen (value);
  out = g_malloc (length * 2 + 3);
  out[0] = '\'';
  n = mysql_real_escape_string (db, out + 1, value, length);
  out[n + 1] = '\'';
  out[n + 2] = '\0';

  return out;
}

char *
tto_store_quote_hash (const guint8 *hash)
{
  GString *s = g_string_new ("X'");

  for (guint i = 0; i < TTO_RELAY_TOKEN_HASH_BYTES; i++)
    g_string_append_printf (s, "%02x", hash[i]);
  g_string_append_c (s, '\'');

  return g_string_free (s, FALSE);
}

char *
tto_store_quote_int_or_null (gint64 value)
{
  return value > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, value) : g_strdup ("NULL");
}

gboolean
tto_store_in_transaction (MYSQL *db,
                          gboolean (*body) (MYSQL *db, gpointer data, GError **error),
                          gpointer data,
                          GError **error)
{
  if (!tto_store_exec (db, "START TRANSACTION", error))
    return FALSE;

  if (!body (db, data, error))
    {
      mysql_rollback (db);
      return FALSE;
    }

  if (mysql_commit (db) != 0)
    {
      tto_store_set_db_error (error, db, "commit failed");
      mysql_rollback (db);
      return FALSE;
    }

  return TRUE;
}

gint64
tto_store_row_int (const char *value)
{
  return value != NULL ? g_ascii_strtoll (value, NULL, 10) : 0;
}

static gboolean
migrate (TtoRelayStore *store,
         GError **error)
{
  g_autoptr (MYSQL_RES) result = NULL;
  MYSQL_ROW row;
  int version = 0;

  if (!tto_store_exec (store->db, "CREATE TABLE IF NOT EXISTS schema_version (version INT NOT NULL)"
                        " ENGINE=InnoDB",
             error))
    return FALSE;

  if (!tto_store_exec (store->db, "SELECT MAX(version) FROM schema_version", error))
    return FALSE;
  result = mysql_store_result (store->db);
  if (result != NULL && (row = mysql_fetch_row (result)) != NULL && row[0] != NULL)
    version = (int) tto_store_row_int (row[0]);

  if (version > (int) G_N_ELEMENTS (migrations))
    {
      g_set_error (error, TTO_RELAY_STORE_ERROR, TTO_RELAY_STORE_ERROR_QUERY,
                   "database schema version %d is newer than this relay knows (%u)", version,
                   (guint) G_N_ELEMENTS (migrations));
      return FALSE;
    }

  for (int v = version; v < (int) G_N_ELEMENTS (migrations); v++)
    {
      for (const char *const *sql = migrations[v]; *sql != NULL; sql++)
        if (!tto_store_exec (store->db, *sql, error))
          {
            g_prefix_error (error, "schema migration to version %d: ", v + 1);
            return FALSE;
          }
      if (!tto_store_execf (store->db, error, "INSERT INTO schema_version (version) VALUES (%d)", v + 1))
        return FALSE;
      g_message ("database schema migrated to version %d", v + 1);
    }

  store->schema_version = (int) G_N_ELEMENTS (migrations);
  return TRUE;
}

static void
run_job (gpointer task_data,
         gpointer pool_data)
{
  g_autoptr (GTask) task = task_data;
  TtoRelayStore *store = pool_data;
  Job *job = g_task_get_task_data (task);
  GError *error = NULL;
  gpointer result;

  mysql_thread_init ();

  /* Reconnects transparently after the server went away. */
  if (mysql_ping (store->db) != 0)
    {
      tto_store_set_db_error (&error, store->db, "database unreachable");
      g_task_return_error (task, error);
      return;
    }

  result = job->func (store->db, job->data, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, NULL);
}

static void
job_free (gpointer data)
{
  Job *job = data;

  if (job->data_free != NULL)
    job->data_free (job->data);
  g_free (job);
}

void
tto_store_run (TtoRelayStore *store,
               gpointer source_tag,
               TtoStoreJobFunc func,
               gpointer data,
               GDestroyNotify data_free,
               GAsyncReadyCallback callback,
               gpointer user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);
  Job *job = g_new0 (Job, 1);

  job->func = func;
  job->data = data;
  job->data_free = data_free;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, job_free);
  g_thread_pool_push (store->pool, task, NULL);
}

TtoRelayStore *
tto_relay_store_open (const TtoRelayConfig *config,
                      GError **error)
{
  g_autoptr (GError) local_error = NULL;
  TtoRelayStore *store;
  my_bool reconnect = 1;
  unsigned int timeout = 10;

  if (mysql_library_init (0, NULL, NULL) != 0)
    {
      g_set_error_literal (error, TTO_RELAY_STORE_ERROR, TTO_RELAY_STORE_ERROR_CONNECT,
                           "could not initialise the MariaDB client library");
      return NULL;
    }

  store = g_new0 (TtoRelayStore, 1);
  store->db = mysql_init (NULL);
  mysql_options (store->db, MYSQL_OPT_RECONNECT, &reconnect);
  mysql_options (store->db, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_options (store->db, MYSQL_SET_CHARSET_NAME, "utf8mb4");

  if (mysql_real_connect (store->db, config->mysql_socket != NULL ? NULL : config->mysql_host,
                          config->mysql_user, config->mysql_password, NULL,
                          config->mysql_port, config->mysql_socket, 0) == NULL)
    {
      tto_store_set_db_error (error, store->db, "cannot connect to MariaDB");
      tto_relay_store_free (store);
      return NULL;
    }

  /* The name was checked to hold only [A-Za-z0-9_]. */
  if (!tto_store_execf (store->db, error,
              "CREATE DATABASE IF NOT EXISTS `%s` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
              config->mysql_database) ||
      mysql_select_db (store->db, config->mysql_database) != 0)
    {
      if (error != NULL && *error == NULL)
        tto_store_set_db_error (error, store->db, "cannot use the database");
      tto_relay_store_free (store);
      return NULL;
    }

  if (!tto_store_exec (store->db, "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'",
             error) ||
      !migrate (store, error))
    {
      tto_relay_store_free (store);
      return NULL;
    }

  store->pool = g_thread_pool_new (run_job, store, 1, TRUE, &local_error);
  if (store->pool == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      tto_relay_store_free (store);
      return NULL;
    }

  return store;
}

void
tto_relay_store_free (TtoRelayStore *store)
{
  if (store == NULL)
    return;

  /* Let queued jobs (deletions among them) finish before closing. */
  if (store->pool != NULL)
    g_thread_pool_free (store->pool, FALSE, TRUE);
  if (store->db != NULL)
    mysql_close (store->db);
  g_free (store);
}

MYSQL *
tto_store_get_db (TtoRelayStore *store)
{
  return store->db;
}

MYSQL *
tto_store_get_startup_db (TtoRelayStore *store)
{
  return store->db;
}

int
tto_relay_store_get_schema_version (TtoRelayStore *store)
{
  return store->schema_version;
}

gboolean
tto_relay_store_load (TtoRelayStore *store,
                      TtoRelayStoreEventFunc event_func,
                      TtoRelayStoreMemberFunc member_func,
                      gpointer user_data,
                      GError **error)
{
  g_autoptr (MYSQL_RES) events = NULL;
  g_autoptr (MYSQL_RES) members = NULL;
  MYSQL_ROW row;

  if (!tto_store_exec (store->db,
             "SELECT e.id, e.creator_id, e.title, e.content, e.announcement, e.admission,"
             " e.invite_code, e.deadline, e.created_at, i.display_name, e.edit_window,"
             " e.recall_window, e.forms, e.auto_approve_third_party, e.require_id_verified,"
             " e.require_phone_verified, e.invite_expires_at, e.ip_allow"
             " FROM events e JOIN identities i ON i.id = e.creator_id ORDER BY e.created_at",
             error))
    return FALSE;
  events = mysql_store_result (store->db);
  while (events != NULL && (row = mysql_fetch_row (events)) != NULL)
    {
      g_autoptr (TtoEvent) event = tto_event_new (row[0]);

      tto_event_set_creator_id (event, row[1]);
      tto_event_set_title (event, row[2]);
      tto_event_set_content (event, row[3]);
      tto_event_set_announcement (event, row[4]);
      tto_event_set_admission (event, row[5]);
      tto_event_set_invite_code (event, row[6]);
      tto_event_set_deadline (event, tto_store_row_int (row[7]));
      tto_event_set_created_at (event, tto_store_row_int (row[8]));
      tto_event_set_creator_name (event, row[9]);
      tto_event_set_edit_window (event, (guint) tto_store_row_int (row[10]));
      tto_event_set_recall_window (event, (guint) tto_store_row_int (row[11]));
      {
        g_auto (GStrv) forms = g_strsplit (row[12] != NULL ? row[12] : "", ",", -1);

        tto_event_set_forms (event, (const char *const *) forms);
      }
      tto_event_set_rule (event, "auto_approve_third_party", tto_store_row_int (row[13]) != 0);
      tto_event_set_rule (event, "require_id_verified", tto_store_row_int (row[14]) != 0);
      tto_event_set_rule (event, "require_phone_verified", tto_store_row_int (row[15]) != 0);
      tto_event_set_invite_expires_at (event, tto_store_row_int (row[16]));
      if (row[17] != NULL && row[17][0] != '\0')
        {
          g_auto (GStrv) networks = g_strsplit (row[17], ",", -1);

          tto_event_set_ip_allow (event, (const char *const *) networks);
        }
      event_func (event, user_data);
    }

  /* One row per member and grant; the grants of a member come together. */
  if (!tto_store_exec (store->db,
             "SELECT m.event_id, m.identity_id, i.display_name, m.role, g.permission,"
             " g.expires_at"
             " FROM members m JOIN identities i ON i.id = m.identity_id"
             " LEFT JOIN grants g ON g.event_id = m.event_id AND g.identity_id = m.identity_id"
             " ORDER BY m.joined_at, m.event_id, m.identity_id",
             error))
    return FALSE;
  members = mysql_store_result (store->db);
  {
    g_autoptr (TtoMember) member = NULL;
    g_autofree char *member_event = NULL;

    while (members != NULL && (row = mysql_fetch_row (members)) != NULL)
      {
        if (member == NULL || g_strcmp0 (member_event, row[0]) != 0 ||
            g_strcmp0 (tto_member_get_identity_id (member), row[1]) != 0)
          {
            if (member != NULL)
              member_func (member_event, member, user_data);
            g_clear_object (&member);
            g_free (member_event);
            member = tto_member_new (row[1], row[2], row[3]);
            member_event = g_strdup (row[0]);
          }
        if (row[4] != NULL)
          tto_member_set_permission (member, row[4], tto_store_row_int (row[5]));
      }
    if (member != NULL)
      member_func (member_event, member, user_data);
  }

  return TRUE;
}

/* After a crash no connection is open: every one-time identity without an
 * expiry is offline now and starts its grace period. */
gboolean
tto_relay_store_expire_orphans (TtoRelayStore *store,
                                gint64 expires_at,
                                GError **error)
{
  return tto_store_execf (store->db, error,
                "UPDATE identities SET expires_at = %" G_GINT64_FORMAT
                " WHERE kind = 'one_time' AND expires_at IS NULL",
                expires_at);
}

/* identity.create */

typedef struct
{
  char *id;
  char *kind;
  char *display_name;
  guint8 token_hash[TTO_RELAY_TOKEN_HASH_BYTES];
  gint64 created_at;
  gint64 expires_at;
} IdentityData;

static void
identity_data_free (gpointer data)
{
  IdentityData *d = data;

  g_free (d->id);
  g_free (d->kind);
  g_free (d->display_name);
  explicit_bzero (d->token_hash, sizeof d->token_hash);
  g_free (d);
}

static gboolean
insert_identity_body (MYSQL *db,
                      gpointer data,
                      GError **error)
{
  IdentityData *d = data;
  g_autofree char *id = tto_store_quote (db, d->id);
  g_autofree char *kind = tto_store_quote (db, d->kind);
  g_autofree char *name = tto_store_quote (db, d->display_name);

  return tto_store_execf (db, error,
                          "INSERT INTO identities (id, kind, display_name, created_at, expires_at)"
                          " VALUES (%s, %s, %s, %" G_GINT64_FORMAT ", NULL)",
                          id, kind, name, d->created_at) &&
         tto_store_add_token (db, id, d->token_hash, NULL, d->created_at, 0, error);
}

static gpointer
insert_identity_job (MYSQL *db,
                     gpointer data,
                     GError **error)
{
  if (!tto_store_in_transaction (db, insert_identity_body, data, error))
    return NULL;

  return GINT_TO_POINTER (TRUE);
}

void
tto_relay_store_insert_identity_async (TtoRelayStore *store,
                                       const char *id,
                                       const char *kind,
                                       const char *display_name,
                                       const guint8 *token_hash,
                                       gint64 created_at,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data)
{
  IdentityData *d = g_new0 (IdentityData, 1);

  d->id = g_strdup (id);
  d->kind = g_strdup (kind);
  d->display_name = g_strdup (display_name);
  memcpy (d->token_hash, token_hash, sizeof d->token_hash);
  d->created_at = created_at;
  tto_store_run (store, tto_relay_store_insert_identity_async, insert_identity_job, d,
             identity_data_free, callback, user_data);
}

/* auth */

/* Reads the identity whose @column (a column name of this file's, never
 * input) equals @quoted_value; NULL without error when there is none. */
TtoRelayStoredIdentity *
tto_store_select_identity (MYSQL *db,
                           const char *column,
                           const char *quoted_value,
                           GError **error)
{
  g_autoptr (MYSQL_RES) result = NULL;
  TtoRelayStoredIdentity *identity;
  MYSQL_ROW row;

  if (!tto_store_execf (db, error,
                        "SELECT id, kind, display_name, third_party_verified, phone_verified,"
                        " id_verified, email_verified, expires_at FROM identities WHERE %s = %s",
                        column, quoted_value))
    return NULL;

  result = mysql_store_result (db);
  if (result == NULL || (row = mysql_fetch_row (result)) == NULL)
    return NULL;

  identity = g_new0 (TtoRelayStoredIdentity, 1);
  identity->id = g_strdup (row[0]);
  identity->kind = g_strdup (row[1]);
  identity->display_name = g_strdup (row[2]);
  identity->third_party_verified = tto_store_row_int (row[3]) != 0;
  identity->phone_verified = tto_store_row_int (row[4]) != 0;
  identity->id_verified = tto_store_row_int (row[5]) != 0;
  identity->email_verified = tto_store_row_int (row[6]) != 0;
  identity->expires_at = tto_store_row_int (row[7]);

  return identity;
}

static gpointer
find_identity_job (MYSQL *db,
                   gpointer data,
                   GError **error)
{
  IdentityData *d = data;

  return tto_store_find_token_identity (db, d->token_hash, error);
}

void
tto_relay_store_find_identity_async (TtoRelayStore *store,
                                     const guint8 *token_hash,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  IdentityData *d = g_new0 (IdentityData, 1);

  memcpy (d->token_hash, token_hash, sizeof d->token_hash);
  tto_store_run (store, tto_relay_store_find_identity_async, find_identity_job, d, identity_data_free,
             callback, user_data);
}

/* Returns NULL without error when no identity has this token. */
TtoRelayStoredIdentity *
tto_relay_store_find_identity_finish (TtoRelayStore *store,
                                      GAsyncResult *result,
                                      GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
set_identity_expiry_job (MYSQL *db,
                         gpointer data,
                         GError **error)
{
  IdentityData *d = data;
  g_autofree char *id = tto_store_quote (db, d->id);
  g_autofree char *expires = tto_store_quote_int_or_null (d->expires_at);

  if (!tto_store_execf (db, error, "UPDATE identities SET expires_at = %s WHERE id = %s", expires, id))
    return NULL;

  return GINT_TO_POINTER (TRUE);
}

/* @expires_at: seconds since the epoch, or 0 for "in use, no expiry". */
void
tto_relay_store_set_identity_expiry_async (TtoRelayStore *store,
                                           const char *id,
                                           gint64 expires_at,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data)
{
  IdentityData *d = g_new0 (IdentityData, 1);

  d->id = g_strdup (id);
  d->expires_at = expires_at;
  tto_store_run (store, tto_relay_store_set_identity_expiry_async, set_identity_expiry_job, d,
             identity_data_free, callback, user_data);
}

/* event.create */

static gboolean
insert_event_body (MYSQL *db,
                   gpointer data,
                   GError **error)
{
  TtoEvent *event = data;
  g_autofree char *id = tto_store_quote (db, tto_event_get_id (event));
  g_autofree char *creator = tto_store_quote (db, tto_event_get_creator_id (event));
  g_autofree char *title = tto_store_quote (db, tto_event_get_title (event));
  g_autofree char *content = tto_store_quote (db, tto_event_get_content (event) ? tto_event_get_content (event) : "");
  g_autofree char *announcement =
    tto_store_quote (db, tto_event_get_announcement (event) ? tto_event_get_announcement (event) : "");
  g_autofree char *admission = tto_store_quote (db, tto_event_get_admission (event));
  g_autofree char *code = tto_store_quote (db, tto_event_get_invite_code (event));
  g_autofree char *deadline = tto_store_quote_int_or_null (tto_event_get_deadline (event));
  g_autofree char *joined = g_strjoinv (",", (char **) tto_event_get_forms (event));
  g_autofree char *forms = tto_store_quote (db, joined);
  g_autofree char *expires = tto_store_quote_int_or_null (tto_event_get_invite_expires_at (event));
  g_autofree char *joined_networks = g_strjoinv (",", (char **) tto_event_get_ip_allow (event));
  g_autofree char *networks = tto_store_quote (db, joined_networks);

  return tto_store_execf (db, error,
                "INSERT INTO events (id, creator_id, title, content, announcement, admission,"
                " invite_code, deadline, created_at, edit_window, recall_window, forms,"
                " auto_approve_third_party, require_id_verified, require_phone_verified,"
                " invite_expires_at, ip_allow)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %" G_GINT64_FORMAT
                ", %u, %u, %s, %d, %d, %d, %s, %s)",
                id, creator, title, content, announcement, admission, code, deadline,
                tto_event_get_created_at (event), tto_event_get_edit_window (event),
                tto_event_get_recall_window (event), forms,
                tto_event_get_rule (event, "auto_approve_third_party"),
                tto_event_get_rule (event, "require_id_verified"),
                tto_event_get_rule (event, "require_phone_verified"), expires, networks) &&
         tto_store_execf (db, error,
                "INSERT INTO members (event_id, identity_id, role, joined_at)"
                " VALUES (%s, %s, 'creator', %" G_GINT64_FORMAT ")",
                id, creator, tto_event_get_created_at (event));
}

static gpointer
insert_event_job (MYSQL *db,
                  gpointer data,
                  GError **error)
{
  if (!tto_store_in_transaction (db, insert_event_body, data, error))
    return NULL;

  return GINT_TO_POINTER (TRUE);
}

/* Inserts the event and its creator as first member, in one transaction. */
void
tto_relay_store_insert_event_async (TtoRelayStore *store,
                                    TtoEvent *event,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  tto_store_run (store, tto_relay_store_insert_event_async, insert_event_job, g_object_ref (event),
             g_object_unref, callback, user_data);
}

/* event.join */

typedef struct
{
  char *event_id;
  char *identity_id;
  char *role;
  gint64 joined_at;
} MemberData;

static void
member_data_free (gpointer data)
{
  MemberData *d = data;

  g_free (d->event_id);
  g_free (d->identity_id);
  g_free (d->role);
  g_free (d);
}

static gpointer
insert_member_job (MYSQL *db,
                   gpointer data,
                   GError **error)
{
  MemberData *d = data;
  g_autofree char *event_id = tto_store_quote (db, d->event_id);
  g_autofree char *identity_id = tto_store_quote (db, d->identity_id);
  g_autofree char *role = tto_store_quote (db, d->role);

  if (!tto_store_execf (db, error,
              "INSERT IGNORE INTO members (event_id, identity_id, role, joined_at)"
              " VALUES (%s, %s, %s, %" G_GINT64_FORMAT ")",
              event_id, identity_id, role, d->joined_at))
    return NULL;

  return GINT_TO_POINTER (TRUE);
}

void
tto_relay_store_insert_member_async (TtoRelayStore *store,
                                     const char *event_id,
                                     const char *identity_id,
                                     const char *role,
                                     gint64 joined_at,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  MemberData *d = g_new0 (MemberData, 1);

  d->event_id = g_strdup (event_id);
  d->identity_id = g_strdup (identity_id);
  d->role = g_strdup (role);
  d->joined_at = joined_at;
  tto_store_run (store, tto_relay_store_insert_member_async, insert_member_job, d, member_data_free,
             callback, user_data);
}

/* event.end and expiry */

static gboolean
delete_event_body (MYSQL *db,
                   gpointer data,
                   GError **error)
{
  g_autofree char *id = tto_store_quote (db, data);

  return tto_store_record_history (db, id, error) &&
         tto_store_execf (db, error, "DELETE FROM applications WHERE event_id = %s", id) &&
         tto_store_execf (db, error, "DELETE FROM grants WHERE event_id = %s", id) &&
         tto_store_execf (db, error, "DELETE FROM members WHERE event_id = %s", id) &&
         tto_store_execf (db, error, "DELETE FROM events WHERE id = %s", id);
}

static gpointer
delete_event_job (MYSQL *db,
                  gpointer data,
                  GError **error)
{
  if (!tto_store_in_transaction (db, delete_event_body, data, error))
    return NULL;

  return GINT_TO_POINTER (TRUE);
}

void
tto_relay_store_delete_event_async (TtoRelayStore *store,
                                    const char *event_id,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  tto_store_run (store, tto_relay_store_delete_event_async, delete_event_job, g_strdup (event_id),
             g_free, callback, user_data);
}

/* Sweeper: one-time identities past their grace period */

typedef struct
{
  gint64 now;
  GStrv online_ids;
  TtoRelayDeletion *deletion;
} SweepData;

static void
sweep_data_free (gpointer data)
{
  SweepData *d = data;

  g_strfreev (d->online_ids);
  g_free (d);
}

static gboolean
delete_identity_body (MYSQL *db,
                      gpointer data,
                      GError **error)
{
  const char *identity_id = ((gpointer *) data)[0];
  TtoRelayDeletion *deletion = ((gpointer *) data)[1];
  g_autofree char *id = tto_store_quote (db, identity_id);
  g_autoptr (MYSQL_RES) result = NULL;
  g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func (g_free);
  MYSQL_ROW row;

  if (!tto_store_execf (db, error, "SELECT id FROM events WHERE creator_id = %s FOR UPDATE", id))
    return FALSE;
  result = mysql_store_result (db);
  while (result != NULL && (row = mysql_fetch_row (result)) != NULL)
    g_ptr_array_add (events, g_strdup (row[0]));

  for (guint i = 0; i < events->len; i++)
    if (!delete_event_body (db, events->pdata[i], error))
      return FALSE;

  if (!tto_store_execf (db, error, "DELETE FROM applications WHERE identity_id = %s", id) ||
      !tto_store_execf (db, error, "DELETE FROM grants WHERE identity_id = %s", id) ||
      !tto_store_execf (db, error, "DELETE FROM members WHERE identity_id = %s", id) ||
      !tto_store_execf (db, error, "DELETE FROM identities WHERE id = %s", id))
    return FALSE;

  for (guint i = 0; i < events->len; i++)
    g_ptr_array_add (deletion->event_ids, g_strdup (events->pdata[i]));
  g_ptr_array_add (deletion->identity_ids, g_strdup (identity_id));

  return TRUE;
}

/* identity.delete: the same purge as at expiry (tto-relay-store-identity.c). */
gboolean
tto_store_delete_identity (MYSQL *db,
                           const char *identity_id,
                           TtoRelayDeletion *deletion,
                           GError **error)
{
  gpointer pair[2] = { (gpointer) identity_id, deletion };

  return tto_store_in_transaction (db, delete_identity_body, pair, error);
}

static gpointer
delete_expired_identities_job (MYSQL *db,
                               gpointer data,
                               GError **error)
{
  SweepData *d = data;
  g_autoptr (TtoRelayDeletion) deletion = g_new0 (TtoRelayDeletion, 1);
  g_autoptr (MYSQL_RES) result = NULL;
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  MYSQL_ROW row;

  deletion->identity_ids = g_ptr_array_new_with_free_func (g_free);
  deletion->event_ids = g_ptr_array_new_with_free_func (g_free);

  /* Tokens past their expiry go even if their identity's deletion fails. */
  if (!tto_store_execf (db, error,
              "DELETE FROM identity_tokens WHERE expires_at IS NOT NULL AND expires_at <= %"
              G_GINT64_FORMAT, d->now) ||
      !tto_store_execf (db, error,
              "SELECT id, kind FROM identities WHERE expires_at IS NOT NULL AND expires_at <= %"
              G_GINT64_FORMAT " LIMIT 500",
              d->now))
    return NULL;
  result = mysql_store_result (db);
  /* A one-time identity in use has no expiry that counts; a timed one
   * ends at its expiry, connected or not. */
  while (result != NULL && (row = mysql_fetch_row (result)) != NULL)
    if (d->online_ids == NULL || g_strcmp0 (row[1], "one_time") != 0 ||
        !g_strv_contains ((const char *const *) d->online_ids, row[0]))
      g_ptr_array_add (ids, g_strdup (row[0]));

  /* One transaction per identity: one failure does not keep the rest. */
  for (guint i = 0; i < ids->len; i++)
    {
      gpointer pair[2] = { ids->pdata[i], deletion };
      g_autoptr (GError) local_error = NULL;

      if (!tto_store_in_transaction (db, delete_identity_body, pair, &local_error))
        g_warning ("could not delete an expired identity: %s", local_error->message);
    }

  return g_steal_pointer (&deletion);
}

void
tto_relay_store_delete_expired_identities_async (TtoRelayStore *store,
                                                 gint64 now,
                                                 const char *const *online_ids,
                                                 GAsyncReadyCallback callback,
                                                 gpointer user_data)
{
  SweepData *d = g_new0 (SweepData, 1);

  d->now = now;
  d->online_ids = g_strdupv ((char **) online_ids);
  tto_store_run (store, tto_relay_store_delete_expired_identities_async,
             delete_expired_identities_job, d, sweep_data_free, callback, user_data);
}

TtoRelayDeletion *
tto_relay_store_delete_expired_identities_finish (TtoRelayStore *store,
                                                  GAsyncResult *result,
                                                  GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
tto_relay_store_finish (TtoRelayStore *store,
                        GAsyncResult *result,
                        GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
}

void
tto_relay_stored_identity_free (TtoRelayStoredIdentity *identity)
{
  if (identity == NULL)
    return;

  g_free (identity->id);
  g_free (identity->kind);
  g_free (identity->display_name);
  g_free (identity);
}

void
tto_relay_deletion_free (TtoRelayDeletion *deletion)
{
  if (deletion == NULL)
    return;

  g_clear_pointer (&deletion->identity_ids, g_ptr_array_unref);
  g_clear_pointer (&deletion->event_ids, g_ptr_array_unref);
  g_free (deletion);
}

/* event.update */

static gpointer
update_event_job (MYSQL *db,
                  gpointer data,
                  GError **error)
{
  TtoEvent *event = data;
  g_autofree char *id = tto_store_quote (db, tto_event_get_id (event));
  g_autofree char *announcement = tto_store_quote (db, tto_event_get_announcement (event));
  g_autofree char *joined = g_strjoinv (",", (char **) tto_event_get_forms (event));
  g_autofree char *forms = tto_store_quote (db, joined);
  g_autofree char *admission = tto_store_quote (db, tto_event_get_admission (event));
  g_autofree char *code = tto_store_quote (db, tto_event_get_invite_code (event));
  g_autofree char *expires = tto_store_quote_int_or_null (tto_event_get_invite_expires_at (event));
  g_autofree char *joined_networks = g_strjoinv (",", (char **) tto_event_get_ip_allow (event));
  g_autofree char *networks = tto_store_quote (db, joined_networks);

  if (!tto_store_execf (db, error,
              "UPDATE events SET edit_window = %u, recall_window = %u, announcement = %s,"
              " forms = %s, admission = %s, auto_approve_third_party = %d,"
              " require_id_verified = %d, require_phone_verified = %d, invite_code = %s,"
              " invite_expires_at = %s, ip_allow = %s WHERE id = %s",
              tto_event_get_edit_window (event), tto_event_get_recall_window (event),
              announcement, forms, admission, tto_event_get_rule (event, "auto_approve_third_party"),
              tto_event_get_rule (event, "require_id_verified"),
              tto_event_get_rule (event, "require_phone_verified"), code, expires, networks, id))
    return NULL;

  return GINT_TO_POINTER (TRUE);
}

/* Writes the settings @event holds now; the caller passes a copy. */
void
tto_relay_store_update_event_async (TtoRelayStore *store,
                                    TtoEvent *event,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  tto_store_run (store, tto_relay_store_update_event_async, update_event_job, g_object_ref (event),
             g_object_unref, callback, user_data);
}

/* member.grant and member.revoke */

typedef struct
{
  char *event_id;
  char *identity_id;
  char *permission;
  gint64 until;
  gboolean grant;
} GrantData;

static void
grant_data_free (gpointer data)
{
  GrantData *d = data;

  g_free (d->event_id);
  g_free (d->identity_id);
  g_free (d->permission);
  g_free (d);
}

static gpointer
grant_job (MYSQL *db,
           gpointer data,
           GError **error)
{
  GrantData *d = data;
  g_autofree char *event_id = tto_store_quote (db, d->event_id);
  g_autofree char *identity_id = tto_store_quote (db, d->identity_id);
  g_autofree char *permission = tto_store_quote (db, d->permission);
  g_autofree char *until = tto_store_quote_int_or_null (d->until);
  gboolean ok;

  if (d->grant)
    ok = tto_store_execf (db, error,
                "INSERT INTO grants (event_id, identity_id, permission, expires_at)"
                " VALUES (%s, %s, %s, %s) ON DUPLICATE KEY UPDATE expires_at = VALUES(expires_at)",
                event_id, identity_id, permission, until);
  else
    ok = tto_store_execf (db, error,
                "DELETE FROM grants WHERE event_id = %s AND identity_id = %s AND permission = %s",
                event_id, identity_id, permission);

  return ok ? GINT_TO_POINTER (TRUE) : NULL;
}

/* @until: seconds since the epoch, 0 for "until the event ends". */
void
tto_relay_store_set_grant_async (TtoRelayStore *store,
                                 const char *event_id,
                                 const char *identity_id,
                                 const char *permission,
                                 gboolean grant,
                                 gint64 until,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  GrantData *d = g_new0 (GrantData, 1);

  d->event_id = g_strdup (event_id);
  d->identity_id = g_strdup (identity_id);
  d->permission = g_strdup (permission);
  d->grant = grant;
  d->until = until;
  tto_store_run (store, tto_relay_store_set_grant_async, grant_job, d, grant_data_free, callback,
             user_data);
}

static gpointer
delete_expired_grants_job (MYSQL *db,
                           gpointer data,
                           GError **error)
{
  gint64 now = *(gint64 *) data;

  if (!tto_store_execf (db, error,
              "DELETE FROM grants WHERE expires_at IS NOT NULL AND expires_at <= %"
              G_GINT64_FORMAT, now))
    return NULL;

  return GINT_TO_POINTER (TRUE);
}

void
tto_relay_store_delete_expired_grants_async (TtoRelayStore *store,
                                             gint64 now,
                                             GAsyncReadyCallback callback,
                                             gpointer user_data)
{
  tto_store_run (store, tto_relay_store_delete_expired_grants_async, delete_expired_grants_job,
             g_memdup2 (&now, sizeof now), g_free, callback, user_data);
}

/* Join review */

typedef struct
{
  char *event_id;
  char *identity_id;
  char *reason;
  char *evidence;
  char *status;
  char *message;
  gint64 created_at;
  GStrv identity_ids;
  char *decision;
} ApplicationData;

static void
application_data_free (gpointer data)
{
  ApplicationData *d = data;

  g_free (d->event_id);
  g_free (d->identity_id);
  g_free (d->reason);
  g_free (d->evidence);
  g_free (d->status);
  g_free (d->message);
  g_strfreev (d->identity_ids);
  g_free (d->decision);
  g_free (d);
}

static gpointer
save_application_job (MYSQL *db,
                      gpointer data,
                      GError **error)
{
  ApplicationData *d = data;
  g_autofree char *event_id = tto_store_quote (db, d->event_id);
  g_autofree char *identity_id = tto_store_quote (db, d->identity_id);
  g_autofree char *reason = tto_store_quote (db, d->reason);
  g_autofree char *evidence = tto_store_quote (db, d->evidence);
  g_autofree char *status = tto_store_quote (db, d->status);
  g_autofree char *message = tto_store_quote (db, d->message);

  if (!tto_store_execf (db, error,
              "INSERT INTO applications (event_id, identity_id, reason, evidence, status,"
              " asked_for, created_at) VALUES (%s, %s, %s, %s, %s, %s, %" G_GINT64_FORMAT ")"
              " ON DUPLICATE KEY UPDATE reason = VALUES(reason), evidence = VALUES(evidence),"
              " status = VALUES(status), asked_for = VALUES(asked_for)",
              event_id, identity_id, reason, evidence, status, message, d->created_at))
    return NULL;

  return GINT_TO_POINTER (TRUE);
}

/* Creates or replaces an application (status "pending" or "more_info"). */
void
tto_relay_store_save_application_async (TtoRelayStore *store,
                                        const char *event_id,
                                        const char *identity_id,
                                        const char *reason,
                                        const char *evidence,
                                        const char *status,
                                        const char *message,
                                        gint64 created_at,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data)
{
  ApplicationData *d = g_new0 (ApplicationData, 1);

  d->event_id = g_strdup (event_id);
  d->identity_id = g_strdup (identity_id);
  d->reason = g_strdup (reason != NULL ? reason : "");
  d->evidence = g_strdup (evidence != NULL ? evidence : "");
  d->status = g_strdup (status);
  d->message = g_strdup (message != NULL ? message : "");
  d->created_at = created_at;
  tto_store_run (store, tto_relay_store_save_application_async, save_application_job, d,
             application_data_free, callback, user_data);
}

static gboolean
decide_body (MYSQL *db,
             gpointer data,
             GError **error)
{
  ApplicationData *d = data;
  g_autofree char *event_id = tto_store_quote (db, d->event_id);
  g_autofree char *message = tto_store_quote (db, d->message);

  for (guint i = 0; d->identity_ids[i] != NULL; i++)
    {
      g_autofree char *identity_id = tto_store_quote (db, d->identity_ids[i]);
      gboolean ok;

      if (g_str_equal (d->decision, "approve"))
        ok = tto_store_execf (db, error,
                    "INSERT IGNORE INTO members (event_id, identity_id, role, joined_at)"
                    " VALUES (%s, %s, 'member', %" G_GINT64_FORMAT ")",
                    event_id, identity_id, d->created_at) &&
             tto_store_execf (db, error, "DELETE FROM applications WHERE event_id = %s AND identity_id = %s",
                    event_id, identity_id);
      else if (g_str_equal (d->decision, "reject"))
        ok = tto_store_execf (db, error, "DELETE FROM applications WHERE event_id = %s AND identity_id = %s",
                    event_id, identity_id);
      else
        ok = tto_store_execf (db, error,
                    "UPDATE applications SET status = 'more_info', asked_for = %s"
                    " WHERE event_id = %s AND identity_id = %s",
                    message, event_id, identity_id);
      if (!ok)
        return FALSE;
    }

  return TRUE;
}

static gpointer
decide_job (MYSQL *db,
            gpointer data,
            GError **error)
{
  return tto_store_in_transaction (db, decide_body, data, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

/* One transaction for a batch: approve (member now, application gone),
 * reject (gone) or more (waits for more verification). */
void
tto_relay_store_decide_applications_async (TtoRelayStore *store,
                                           const char *event_id,
                                           const char *const *identity_ids,
                                           const char *decision,
                                           const char *message,
                                           gint64 now,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data)
{
  ApplicationData *d = g_new0 (ApplicationData, 1);

  d->event_id = g_strdup (event_id);
  d->identity_ids = g_strdupv ((char **) identity_ids);
  d->decision = g_strdup (decision);
  d->message = g_strdup (message != NULL ? message : "");
  d->created_at = now;
  tto_store_run (store, tto_relay_store_decide_applications_async, decide_job, d,
             application_data_free, callback, user_data);
}

static gboolean
remove_member_body (MYSQL *db,
                    gpointer data,
                    GError **error)
{
  MemberData *d = data;
  g_autofree char *event_id = tto_store_quote (db, d->event_id);
  g_autofree char *identity_id = tto_store_quote (db, d->identity_id);

  return tto_store_execf (db, error, "DELETE FROM grants WHERE event_id = %s AND identity_id = %s",
                event_id, identity_id) &&
         tto_store_execf (db, error, "DELETE FROM members WHERE event_id = %s AND identity_id = %s",
                event_id, identity_id);
}

static gpointer
remove_member_job (MYSQL *db,
                   gpointer data,
                   GError **error)
{
  return tto_store_in_transaction (db, remove_member_body, data, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

void
tto_relay_store_remove_member_async (TtoRelayStore *store,
                                     const char *event_id,
                                     const char *identity_id,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  MemberData *d = g_new0 (MemberData, 1);

  d->event_id = g_strdup (event_id);
  d->identity_id = g_strdup (identity_id);
  tto_store_run (store, tto_relay_store_remove_member_async, remove_member_job, d, member_data_free,
             callback, user_data);
}

gboolean
tto_relay_store_load_applications (TtoRelayStore *store,
                                   TtoRelayStoreApplicationFunc func,
                                   gpointer user_data,
                                   GError **error)
{
  g_autoptr (MYSQL_RES) result = NULL;
  MYSQL_ROW row;

  if (!tto_store_exec (store->db,
             "SELECT a.event_id, a.identity_id, i.display_name, a.reason, a.evidence, a.status,"
             " a.asked_for, a.created_at, i.third_party_verified, i.phone_verified, i.id_verified"
             " FROM applications a JOIN identities i ON i.id = a.identity_id"
             " ORDER BY a.created_at",
             error))
    return FALSE;

  result = mysql_store_result (store->db);
  while (result != NULL && (row = mysql_fetch_row (result)) != NULL)
    {
      TtoRelayStoredApplication application = {
        row[0], row[1], row[2], row[3], row[4], row[5], row[6], tto_store_row_int (row[7]),
        tto_store_row_int (row[8]) != 0, tto_store_row_int (row[9]) != 0, tto_store_row_int (row[10]) != 0
      };

      func (&application, user_data);
    }

  return TRUE;
}
