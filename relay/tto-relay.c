/* tto-relay.c: the relay's registry of rooms and connections, and fan-out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "tto-relay-access.h"
#include "tto-relay-identity.h"
#include "tto-relay-oidc.h"
#include "tto-relay-flow.h"
#include "tto-relay-private.h"
#include "tto-relay-topics.h"
#include "tto-util.h"

static void send_to_room (TtoRelay *relay,
                          TtoRelayRoom *room,
                          const char *text,
                          const char *except_identity_id,
                          gboolean everyone);

/* Seconds added to the system clock; only tests move it (--test-clock). */
static gint clock_offset;

gint64
tto_relay_now_ms (void)
{
  return g_get_real_time () / 1000 + (gint64) g_atomic_int_get (&clock_offset) * 1000;
}

gint64
tto_relay_now_seconds (void)
{
  return tto_relay_now_ms () / 1000;
}

void
tto_relay_clock_advance (gint64 seconds)
{
  g_atomic_int_add (&clock_offset, (gint) seconds);
}

TtoRelayConn *
tto_relay_conn_ref (TtoRelayConn *conn)
{
  g_atomic_ref_count_inc (&conn->ref);
  return conn;
}

void
tto_relay_conn_unref (TtoRelayConn *conn)
{
  if (!g_atomic_ref_count_dec (&conn->ref))
    return;

  g_queue_clear_full (&conn->held_frames, (GDestroyNotify) g_bytes_unref);
  g_clear_pointer (&conn->wire, tto_relay_wire_free);
  g_free (conn->identity_id);
  g_free (conn->identity_kind);
  g_free (conn->display_name);
  g_free (conn->peer_address);
  g_clear_object (&conn->peer_inet);
  explicit_bzero (conn->token_hash, sizeof conn->token_hash);
  g_free (conn);
}

static void
on_event_loaded (TtoEvent *event,
                 gpointer user_data)
{
  tto_relay_add_room (user_data, tto_relay_room_new (event));
}

static void
on_member_loaded (const char *event_id,
                  TtoMember *member,
                  gpointer user_data)
{
  TtoRelayRoom *room = tto_relay_find_room (user_data, event_id);

  if (room != NULL)
    tto_relay_room_add_member (room, member);
}

static void
on_application_loaded (const TtoRelayStoredApplication *stored,
                       gpointer user_data)
{
  TtoRelayRoom *room = tto_relay_find_room (user_data, stored->event_id);
  TtoRelayApplication *application;

  if (room == NULL)
    return;

  application = g_new0 (TtoRelayApplication, 1);
  application->identity_id = g_strdup (stored->identity_id);
  application->display_name = g_strdup (stored->display_name);
  application->reason = g_strdup (stored->reason);
  application->evidence = stored->evidence[0] != '\0' ? g_strsplit (stored->evidence, ",", -1)
                                                       : g_new0 (char *, 1);
  application->status = g_strdup (stored->status);
  application->message = g_strdup (stored->message);
  application->created_at = stored->created_at;
  application->third_party_verified = stored->third_party_verified;
  application->phone_verified = stored->phone_verified;
  application->id_verified = stored->id_verified;
  tto_relay_room_put_application (room, application);
}

/* Takes @config. Connects to MariaDB, migrates the schema and loads the
 * live events (metadata only: messages never outlive a relay process). */
TtoRelay *
tto_relay_new (TtoRelayConfig *config,
               GError **error)
{
  g_autoptr (TtoRelay) relay = g_new0 (TtoRelay, 1);

  relay->config = config;
  relay->rooms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) tto_relay_room_free);
  relay->invites = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  relay->online = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_ptr_array_unref);
  relay->conns = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) tto_relay_conn_unref, NULL);

  /* [provider …] groups of the same key file; wrong ones stop the start
   * before the database is touched. */
  relay->oidc = tto_relay_oidc_new (config->path, error);
  if (relay->oidc == NULL)
    return NULL;

  relay->blobs = tto_relay_blobs_new ((gsize) config->max_blob_kib * 1024,
                                      (gsize) config->max_event_blobs_kib * 1024,
                                      (gsize) config->max_blobs_kib * 1024);
  relay->store = tto_relay_store_open (config, error);
  if (relay->store == NULL)
    return NULL;

  if (!tto_relay_store_expire_orphans (relay->store,
                                       tto_relay_now_seconds () +
                                         config->identity_grace,
                                       error) ||
      !tto_relay_store_load (relay->store, on_event_loaded, on_member_loaded, relay, error) ||
      !tto_relay_store_load_applications (relay->store, on_application_loaded, relay, error) ||
      !tto_relay_topics_load (relay, error) ||
      !tto_relay_flow_load (relay, error))
    return NULL;

  relay->identity = tto_relay_identity_new (relay, error);
  if (relay->identity == NULL)
    return NULL;

  return g_steal_pointer (&relay);
}

gboolean
tto_relay_listen (TtoRelay *relay,
                  GError **error)
{
  if (!tto_relay_http_start (relay, error))
    return FALSE;

  tto_relay_sweeper_start (relay);
  /* Deadlines may have passed while the relay was down. */
  tto_relay_sweep (relay);

  return TRUE;
}

guint
tto_relay_get_port (TtoRelay *relay)
{
  return relay->port;
}

const char *
tto_relay_get_bind_address (TtoRelay *relay)
{
  return relay->config->bind_address;
}

/* SIGHUP: takes over the settings that can change while running. Listening
 * address and database need a restart, as they hold open sockets. */
void
tto_relay_reload (TtoRelay *relay)
{
  g_autoptr (TtoRelayConfig) fresh = tto_relay_config_new ();
  g_autoptr (GError) error = NULL;

  if (relay->config->path == NULL)
    {
      g_message ("reload: no configuration file was given; nothing to reload");
      return;
    }

  if (!tto_relay_config_load_file (fresh, relay->config->path, &error) ||
      !tto_relay_config_validate (fresh, &error))
    {
      g_warning ("reload failed, keeping the running settings: %s", error->message);
      return;
    }

  relay->config->identity_grace = fresh->identity_grace;
  relay->config->max_connections = fresh->max_connections;
  g_strfreev (relay->config->trusted_proxies);
  relay->config->trusted_proxies = g_steal_pointer (&fresh->trusted_proxies);
  if (relay->config->sweep_interval != fresh->sweep_interval)
    {
      relay->config->sweep_interval = fresh->sweep_interval;
      tto_relay_sweeper_stop (relay);
      tto_relay_sweeper_start (relay);
    }
  if (!tto_relay_oidc_reload (relay->oidc, relay->config->path, &error))
    g_warning ("reload: keeping the running sign-in providers: %s", error->message);
  g_message ("configuration reloaded");
}

void
tto_relay_free (TtoRelay *relay)
{
  GHashTableIter iter;
  gpointer conn;

  if (relay == NULL)
    return;

  tto_relay_sweeper_stop (relay);

  g_hash_table_iter_init (&iter, relay->conns);
  while (g_hash_table_iter_next (&iter, &conn, NULL))
    {
      TtoRelayConn *c = conn;

      c->relay = NULL;
      tto_relay_wire_close (c->wire, 1001, "relay shutting down");
    }
  tto_relay_wire_flush_all ();
  tto_relay_http_stop (relay);
  g_clear_pointer (&relay->oidc, tto_relay_oidc_free);

  /* Rooms wipe their logs when freed. */
  g_clear_pointer (&relay->invites, g_hash_table_unref);
  g_clear_pointer (&relay->rooms, g_hash_table_unref);
  g_clear_pointer (&relay->online, g_hash_table_unref);
  g_clear_pointer (&relay->conns, g_hash_table_unref);
  g_clear_pointer (&relay->calls, g_hash_table_unref);
  g_clear_pointer (&relay->identity, tto_relay_identity_free);
  g_clear_pointer (&relay->store, tto_relay_store_free);
  g_clear_pointer (&relay->blobs, tto_relay_blobs_free);
  g_clear_pointer (&relay->config, tto_relay_config_free);
  g_free (relay);
}

void
tto_relay_add_room (TtoRelay *relay,
                    TtoRelayRoom *room)
{
  TtoEvent *event = tto_relay_room_get_event (room);

  g_hash_table_replace (relay->rooms, g_strdup (tto_event_get_id (event)), room);
  g_hash_table_replace (relay->invites, g_strdup (tto_event_get_invite_code (event)), room);
}

TtoRelayRoom *
tto_relay_find_room (TtoRelay *relay,
                     const char *event_id)
{
  return g_hash_table_lookup (relay->rooms, event_id);
}

TtoRelayRoom *
tto_relay_find_room_by_invite (TtoRelay *relay,
                               const char *code)
{
  return g_hash_table_lookup (relay->invites, code);
}

/* Tells every member, then wipes the log and forgets the room. The
 * database rows must already be gone or be on their way. */
void
tto_relay_end_room (TtoRelay *relay,
                    const char *event_id,
                    const char *reason)
{
  g_autoptr (JsonObject) body = json_object_new ();
  g_autoptr (TtoFrame) frame = NULL;
  g_autofree char *text = NULL;
  g_autofree char *id = g_strdup (event_id);
  g_autofree char *shown = tto_redact_id (event_id);
  TtoRelayRoom *room = tto_relay_find_room (relay, id);

  if (room == NULL)
    return;

  json_object_set_string_member (body, "event_id", id);
  json_object_set_string_member (body, "reason", reason);
  frame = tto_frame_new (TTO_FRAME_EVENT_ENDED, NULL, json_object_ref (body));
  text = tto_frame_serialize (frame, NULL);
  /* Even members locked out by the allow-list learn that it is over. */
  send_to_room (relay, room, text, NULL, TRUE);

  tto_relay_room_wipe (room);
  tto_relay_blobs_wipe_event (relay->blobs, id);
#ifdef __GLIBC__
  /* Hand the freed pages back: an ended event's files should not keep the
   * relay's footprint up (glibc keeps freed heap otherwise). */
  malloc_trim (0);
#endif
  tto_relay_calls_end_event (relay, id);
  g_hash_table_remove (relay->invites, tto_event_get_invite_code (tto_relay_room_get_event (room)));
  g_hash_table_remove (relay->rooms, id);
  g_message ("event %s %s; %u live", shown, reason, g_hash_table_size (relay->rooms));
}

void
tto_relay_set_online (TtoRelay *relay,
                      TtoRelayConn *conn,
                      const char *identity_id,
                      const char *kind,
                      const char *display_name)
{
  GPtrArray *conns = g_hash_table_lookup (relay->online, identity_id);

  conn->identity_id = g_strdup (identity_id);
  conn->identity_kind = g_strdup (kind);
  conn->display_name = g_strdup (display_name);

  if (conns == NULL)
    {
      conns = g_ptr_array_new ();
      g_hash_table_insert (relay->online, g_strdup (identity_id), conns);
      /* In use again: no expiry while a connection holds it. */
      if (g_str_equal (kind, "one_time"))
        tto_relay_store_set_identity_expiry_async (relay->store, identity_id, 0, NULL, NULL);
    }
  g_ptr_array_add (conns, conn);
}

/* Drops every connection of an identity the sweeper deleted. */
void
tto_relay_forget_identity (TtoRelay *relay,
                           const char *identity_id)
{
  GPtrArray *conns = g_hash_table_lookup (relay->online, identity_id);
  GHashTableIter iter;
  gpointer room;

  g_hash_table_iter_init (&iter, relay->rooms);
  while (g_hash_table_iter_next (&iter, NULL, &room))
    {
      tto_relay_room_remove_member (room, identity_id);
      tto_relay_room_remove_application (room, identity_id);
    }

  for (guint i = 0; conns != NULL && i < conns->len; i++)
    {
      TtoRelayConn *conn = conns->pdata[i];

      tto_relay_wire_close (conn->wire, 1008, "identity expired");
    }
}

GStrv
tto_relay_online_ids (TtoRelay *relay)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  GHashTableIter iter;
  gpointer id;

  g_hash_table_iter_init (&iter, relay->online);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    g_strv_builder_add (builder, id);

  return g_strv_builder_end (builder);
}

void
tto_relay_send_raw (TtoRelayConn *conn,
                    const char *text)
{
  if (!tto_relay_wire_is_open (conn->wire))
    return;

  tto_relay_wire_send_text (conn->wire, text);
}

/* An encoded frame, shared between recipients. */
void
tto_relay_send_bytes (TtoRelayConn *conn,
                      GBytes *frame)
{
  if (!tto_relay_wire_is_open (conn->wire))
    return;

  tto_relay_wire_send (conn->wire, frame);
}

void
tto_relay_send (TtoRelayConn *conn,
                const TtoFrame *frame)
{
  g_autofree char *text = tto_frame_serialize (frame, NULL);

  tto_relay_send_raw (conn, text);
}

/* The same serialised bytes go to every connection of every member;
 * unless @everyone, not to connections the event's allow-list locks out. */
static void
send_to_room (TtoRelay *relay,
              TtoRelayRoom *room,
              const char *text,
              const char *except_identity_id,
              gboolean everyone)
{
  g_autoptr (GBytes) frame = tto_relay_wire_encode_text (text, strlen (text));
  gboolean filtered = !everyone &&
                      tto_event_get_ip_allow (tto_relay_room_get_event (room))[0] != NULL;
  GHashTableIter iter;
  gpointer id;

  tto_relay_room_iter_members (room, &iter);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    {
      GPtrArray *conns;

      if (except_identity_id != NULL && g_str_equal (id, except_identity_id))
        continue;

      conns = g_hash_table_lookup (relay->online, id);
      for (guint i = 0; conns != NULL && i < conns->len; i++)
        if (!filtered || tto_relay_access_conn_allowed (conns->pdata[i], room))
          tto_relay_send_bytes (conns->pdata[i], frame);
    }
}

void
tto_relay_send_to_room (TtoRelay *relay,
                        TtoRelayRoom *room,
                        const char *text,
                        const char *except_identity_id)
{
  send_to_room (relay, room, text, except_identity_id, FALSE);
}

/* The event object of PROTOCOL.md as @identity_id sees it: only the
 * creator sees the invite code. */
JsonObject *
tto_relay_event_json (TtoRelayRoom *room,
                      const char *identity_id)
{
  TtoEvent *event = tto_relay_room_get_event (room);
  TtoMember *member = tto_relay_room_get_member (room, identity_id);
  gboolean creator = g_strcmp0 (tto_event_get_creator_id (event), identity_id) == 0;
  JsonObject *object = tto_event_to_json (event, creator);

  json_object_set_string_member (object, "role",
                                 member != NULL ? tto_member_get_role (member) : "none");
  json_object_set_array_member (object, "permissions",
                                member != NULL ? tto_member_permissions_to_json (member)
                                               : json_array_new ());
  return object;
}

typedef struct
{
  TtoRelay *relay;
  TtoRelayRoom *room;
} ReadsFlush;

static gboolean
on_flush_reads (gpointer user_data)
{
  ReadsFlush *flush = user_data;
  g_autoptr (JsonObject) reads = tto_relay_room_take_pending_reads (flush->room);

  /* The room removes this source when freed, so it is alive here. */
  tto_relay_room_set_flush_source (flush->room, 0);
  if (reads != NULL)
    {
      JsonObject *body = json_object_new ();
      g_autoptr (TtoFrame) frame = NULL;
      g_autofree char *text = NULL;

      json_object_set_string_member (body, "event_id", tto_relay_room_get_id (flush->room));
      json_object_set_object_member (body, "reads", json_object_ref (reads));
      frame = tto_frame_new (TTO_FRAME_RECEIPTS_UPDATED, NULL, body);
      text = tto_frame_serialize (frame, NULL);
      tto_relay_send_to_room (flush->relay, flush->room, text, NULL);
    }

  return G_SOURCE_REMOVE;
}

/* Read positions go out in batches: one frame per event per 200 ms at most,
 * however many members read meanwhile. */
void
tto_relay_schedule_reads (TtoRelay *relay,
                          TtoRelayRoom *room)
{
  ReadsFlush *flush;

  if (tto_relay_room_get_flush_source (room) != 0)
    return;

  flush = g_new0 (ReadsFlush, 1);
  flush->relay = relay;
  flush->room = room;
  tto_relay_room_set_flush_source (room, g_timeout_add_full (G_PRIORITY_DEFAULT,
                                                             TTO_RELAY_READS_BATCH_MS,
                                                             on_flush_reads, flush, g_free));
}

/* Sends each member the event as that member sees it (role, code,
 * permissions differ), as event.updated; like every push to the members,
 * not to connections the event's allow-list locks out. */
void
tto_relay_push_event_updated (TtoRelay *relay,
                              TtoRelayRoom *room)
{
  g_autoptr (GList) members = tto_relay_room_get_members (room);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *id = tto_member_get_identity_id (l->data);
      GPtrArray *conns = g_hash_table_lookup (relay->online, id);
      g_autoptr (TtoFrame) frame = NULL;
      g_autofree char *text = NULL;
      JsonObject *body;

      if (conns == NULL)
        continue;

      body = json_object_new ();
      json_object_set_object_member (body, "event", tto_relay_event_json (room, id));
      frame = tto_frame_new (TTO_FRAME_EVENT_UPDATED, NULL, body);
      text = tto_frame_serialize (frame, NULL);
      tto_relay_access_send_text_to_identity (relay, room, id, text);
    }
}

void
tto_relay_push_member_updated (TtoRelay *relay,
                               TtoRelayRoom *room,
                               TtoMember *member)
{
  g_autoptr (TtoFrame) frame = NULL;
  g_autofree char *text = NULL;
  JsonObject *body = json_object_new ();

  json_object_set_string_member (body, "event_id", tto_relay_room_get_id (room));
  json_object_set_object_member (body, "member", tto_member_to_json (member));
  frame = tto_frame_new (TTO_FRAME_MEMBER_UPDATED, NULL, body);
  text = tto_frame_serialize (frame, NULL);
  tto_relay_send_to_room (relay, room, text, NULL);
}
