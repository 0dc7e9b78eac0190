/* tto-relay-http.c: the HTTP side: /v1/ws and /v1/health
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include "tto-relay-private.h"

/* Frames between 64 KiB and this get a bad_frame answer; larger ones close
 * the socket (1009) before they are buffered. */
#define MAX_INCOMING_PAYLOAD (1024 * 1024)
#define KEEPALIVE_SECONDS 30

static void
on_ws_message (SoupWebsocketConnection *ws,
               gint type,
               GBytes *message,
               gpointer user_data)
{
  TtoRelayConn *conn = user_data;
  g_autoptr (TtoFrame) error = NULL;

  if (conn->relay == NULL)
    return;

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      error = tto_frame_new_error (NULL, TTO_PROTOCOL_ERROR_BAD_FRAME,
                                   "binary frames are not part of protocol v1; send JSON text");
      tto_relay_send (conn, error);
      return;
    }

  tto_relay_handle_text (conn, message);
}

static void
on_ws_closed (SoupWebsocketConnection *ws,
              gpointer user_data)
{
  TtoRelayConn *conn = user_data;
  TtoRelay *relay = conn->relay;

  if (relay == NULL)
    return;

  tto_relay_conn_closed (conn);
  conn->relay = NULL;
  g_signal_handlers_disconnect_by_data (ws, conn);
  g_debug ("connection closed; %u open", g_hash_table_size (relay->conns) - 1);
  g_hash_table_remove (relay->conns, conn);
}

static void
on_ws_open (SoupServer *server,
            SoupServerMessage *msg,
            const char *path,
            SoupWebsocketConnection *ws,
            gpointer user_data)
{
  TtoRelay *relay = user_data;
  TtoRelayConn *conn;

  if (g_hash_table_size (relay->conns) >= relay->config->max_connections)
    {
      /* 1013: try again later (no libsoup constant) */
      soup_websocket_connection_close (ws, 1013,
                                       "relay is at its connection limit");
      return;
    }

  conn = g_new0 (TtoRelayConn, 1);
  g_atomic_ref_count_init (&conn->ref);
  conn->relay = relay;
  conn->ws = g_object_ref (ws);
  g_queue_init (&conn->held_frames);

  soup_websocket_connection_set_max_incoming_payload_size (ws, MAX_INCOMING_PAYLOAD);
  soup_websocket_connection_set_keepalive_interval (ws, KEEPALIVE_SECONDS);
  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), conn);
  g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), conn);

  g_hash_table_add (relay->conns, conn);
  g_debug ("connection opened; %u open", g_hash_table_size (relay->conns));
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
  /* libsoup checks its payload limit before inflating: with compression a
   * 1 MiB frame could grow to a gigabyte in relay memory. */
  soup_server_remove_websocket_extension (relay->server, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  soup_server_add_handler (relay->server, "/v1/health", on_health, relay, NULL);
  soup_server_add_websocket_handler (relay->server, "/v1/ws", NULL, NULL, on_ws_open, relay,
                                     NULL);

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
  if (relay->server == NULL)
    return;

  soup_server_disconnect (relay->server);
  g_clear_object (&relay->server);
}
