/* tto-relay-http.c: the HTTP side: /v1/ws and /v1/health
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <string.h>

#include "tto-relay-private.h"

/* Frames between 64 KiB and this get a bad_frame answer; larger ones close
 * the socket (1009) before they are buffered. */
#define MAX_INCOMING_PAYLOAD (1024 * 1024)

/* A connection's queue may hold this much before the reader is dropped as
 * too slow (it resumes from its last seq). */
#define MAX_QUEUED_BYTES (8 * 1024 * 1024)
/* A connection silent this long gets a ping; silent for another period
 * after it, it is dropped. */
#define IDLE_SECONDS 30

static void
on_wire_message (TtoRelayWire *wire,
                 gboolean is_text,
                 GBytes *message,
                 gpointer user_data)
{
  TtoRelayConn *conn = user_data;
  g_autoptr (TtoFrame) error = NULL;

  if (conn->relay == NULL)
    return;

  if (!is_text)
    {
      error = tto_frame_new_error (NULL, TTO_PROTOCOL_ERROR_BAD_FRAME,
                                   "binary frames are not part of protocol v1; send JSON text");
      tto_relay_send (conn, error);
      return;
    }

  tto_relay_handle_text (conn, message);
}

static void
on_wire_closed (TtoRelayWire *wire,
                gpointer user_data)
{
  TtoRelayConn *conn = user_data;
  TtoRelay *relay = conn->relay;

  if (relay == NULL)
    return;

  tto_relay_conn_closed (conn);
  conn->relay = NULL;
  g_debug ("connection closed; %u open", g_hash_table_size (relay->conns) - 1);
  g_hash_table_remove (relay->conns, conn);
}

static const TtoRelayWireCallbacks wire_callbacks = {
  on_wire_message,
  on_wire_closed,
};

/* The 101 answer is on the wire: from here on the socket is the relay's. */
static void
on_upgrade_written (SoupServerMessage *msg,
                    gpointer user_data)
{
  TtoRelay *relay = user_data;
  g_autoptr (GSocket) socket = g_object_ref (soup_server_message_get_socket (msg));
  g_autoptr (GIOStream) stream = soup_server_message_steal_connection (msg);
  TtoRelayConn *conn;

  if (stream == NULL)
    return;

  conn = g_new0 (TtoRelayConn, 1);
  g_atomic_ref_count_init (&conn->ref);
  conn->relay = relay;
  g_queue_init (&conn->held_frames);
  conn->wire = tto_relay_wire_new (stream, socket, MAX_INCOMING_PAYLOAD, MAX_QUEUED_BYTES,
                                   &wire_callbacks, conn);
  g_hash_table_add (relay->conns, conn);
  g_debug ("connection opened; %u open", g_hash_table_size (relay->conns));

  if (g_hash_table_size (relay->conns) > relay->config->max_connections)
    tto_relay_wire_close (conn->wire, 1013, "relay is at its connection limit");
}

static void
on_ws_request (SoupServer *server,
               SoupServerMessage *msg,
               const char *path,
               GHashTable *query,
               gpointer user_data)
{
  g_autoptr (GPtrArray) no_extensions = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;

  /* No extensions: limits then apply to the bytes that arrive, so a small
   * compressed frame cannot inflate in relay memory. */
  if (!soup_websocket_server_check_handshake (msg, NULL, NULL, no_extensions, &error))
    {
      const char *text = "this is the ThreeTwoOne WebSocket endpoint (protocol v1)\n";

      soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, text,
                                        strlen (text));
      return;
    }

  soup_websocket_server_process_handshake (msg, NULL, NULL, no_extensions, NULL);
  g_signal_connect (msg, "wrote-informational", G_CALLBACK (on_upgrade_written), user_data);
}

static gboolean
on_keepalive (gpointer user_data)
{
  TtoRelay *relay = user_data;
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer conn;

  g_hash_table_iter_init (&iter, relay->conns);
  while (g_hash_table_iter_next (&iter, &conn, NULL))
    tto_relay_wire_keepalive (((TtoRelayConn *) conn)->wire, now, IDLE_SECONDS * G_USEC_PER_SEC);

  return G_SOURCE_CONTINUE;
}

static gboolean
is_loopback (SoupServerMessage *msg)
{
  GSocketAddress *address = soup_server_message_get_remote_address (msg);

  return G_IS_INET_SOCKET_ADDRESS (address) &&
         g_inet_address_get_is_loopback (
           g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
}

static void
on_health (SoupServer *server,
           SoupServerMessage *msg,
           const char *path,
           GHashTable *query,
           gpointer user_data)
{
  TtoRelay *relay = user_data;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  const char *event_id = query != NULL ? g_hash_table_lookup (query, "event") : NULL;
  GHashTableIter iter;
  gpointer room;
  guint64 messages = 0;
  guint64 bytes = 0;
  char *text;
  gsize length;

  if (soup_server_message_get_method (msg) != SOUP_METHOD_GET &&
      soup_server_message_get_method (msg) != SOUP_METHOD_HEAD)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }

  g_hash_table_iter_init (&iter, relay->rooms);
  while (g_hash_table_iter_next (&iter, NULL, &room))
    {
      messages += tto_relay_room_get_message_count (room);
      bytes += tto_relay_room_get_bytes_held (room);
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "ok");
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, TTO_VERSION);
  json_builder_set_member_name (builder, "connections");
  json_builder_add_int_value (builder, g_hash_table_size (relay->conns));
  json_builder_set_member_name (builder, "events_live");
  json_builder_add_int_value (builder, g_hash_table_size (relay->rooms));
  json_builder_set_member_name (builder, "messages_held");
  json_builder_add_int_value (builder, (gint64) messages);
  json_builder_set_member_name (builder, "bytes_held");
  json_builder_add_int_value (builder, (gint64) bytes);

  /* Whether an event is live is for operators on this host only. */
  if (event_id != NULL && is_loopback (msg))
    {
      TtoRelayRoom *r = tto_relay_find_room (relay, event_id);

      json_builder_set_member_name (builder, "event");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "event_id");
      json_builder_add_string_value (builder, event_id);
      json_builder_set_member_name (builder, "live");
      json_builder_add_boolean_value (builder, r != NULL);
      json_builder_set_member_name (builder, "messages_held");
      json_builder_add_int_value (builder, r != NULL ? tto_relay_room_get_message_count (r) : 0);
      json_builder_set_member_name (builder, "bytes_held");
      json_builder_add_int_value (builder,
                                  r != NULL ? (gint64) tto_relay_room_get_bytes_held (r) : 0);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control",
                                "no-store");
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, length);
}

gboolean
tto_relay_http_start (TtoRelay *relay,
                      GError **error)
{
  g_autoptr (GInetAddress) address = NULL;
  g_autoptr (GSocketAddress) socket_address = NULL;
  GSList *uris;

  address = g_inet_address_new_from_string (relay->config->bind_address);
  if (address == NULL)
    {
      g_set_error (error, TTO_RELAY_CONFIG_ERROR, TTO_RELAY_CONFIG_ERROR_INVALID,
                   "bind address '%s' is not an IP address", relay->config->bind_address);
      return FALSE;
    }

  relay->server = soup_server_new ("server-header", "tto-relay/" TTO_VERSION, NULL);
  soup_server_add_handler (relay->server, "/v1/health", on_health, relay, NULL);
  soup_server_add_handler (relay->server, "/v1/ws", on_ws_request, relay, NULL);
  relay->keepalive_source = g_timeout_add_seconds (IDLE_SECONDS / 2, on_keepalive, relay);

  socket_address = g_inet_socket_address_new (address, (guint16) relay->config->port);
  if (!soup_server_listen (relay->server, socket_address, 0, error))
    return FALSE;

  uris = soup_server_get_uris (relay->server);
  relay->port = uris != NULL ? (guint) g_uri_get_port (uris->data) : relay->config->port;
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return TRUE;
}

void
tto_relay_http_stop (TtoRelay *relay)
{
  g_clear_handle_id (&relay->keepalive_source, g_source_remove);
  if (relay->server == NULL)
    return;

  soup_server_disconnect (relay->server);
  g_clear_object (&relay->server);
}
