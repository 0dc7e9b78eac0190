/* tto-relay-http.c: the HTTP side: /v1/ws and /v1/health
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <string.h>

#include "tto-relay-access.h"
#include "tto-relay-auth.h"
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
  /* Behind a trusted proxy, the address it forwards for. */
  conn->peer_inet = tto_relay_access_client_address (relay->config, msg);
  if (conn->peer_inet != NULL)
    conn->peer_address = g_inet_address_to_string (conn->peer_inet);
  conn->wire = tto_relay_wire_new (stream, socket, MAX_INCOMING_PAYLOAD, MAX_QUEUED_BYTES,
                                   &wire_callbacks, conn);
  g_hash_table_add (relay->conns, conn);
  g_debug ("connection opened; %u open", g_hash_table_size (relay->conns));

  if (g_hash_table_size (relay->conns) > relay->config->max_connections)
    tto_relay_wire_close (conn->wire, 1013, "relay is at its connection limit");
  else
    tto_relay_wire_start (conn->wire);
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

/* A reverse proxy on this host is loopback too: look behind it. */
static gboolean
is_loopback (TtoRelay *relay,
             SoupServerMessage *msg)
{
  g_autoptr (GInetAddress) address = tto_relay_access_client_address (relay->config, msg);

  return address != NULL && g_inet_address_get_is_loopback (address);
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
  json_builder_add_int_value (builder,
                              (gint64) (bytes + tto_relay_blobs_get_total_bytes (relay->blobs)));
  json_builder_set_member_name (builder, "blobs_held");
  json_builder_add_int_value (builder, tto_relay_blobs_get_total_count (relay->blobs));
  json_builder_set_member_name (builder, "blob_bytes_held");
  json_builder_add_int_value (builder, (gint64) tto_relay_blobs_get_total_bytes (relay->blobs));

  /* Whether an event is live is for operators on this host only. */
  if (event_id != NULL && is_loopback (relay, msg))
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
      json_builder_add_int_value (
        builder, (r != NULL ? (gint64) tto_relay_room_get_bytes_held (r) : 0) +
                   (gint64) tto_relay_blobs_get_event_bytes (relay->blobs, event_id));
      json_builder_set_member_name (builder, "blobs_held");
      json_builder_add_int_value (builder,
                                  tto_relay_blobs_get_event_count (relay->blobs, event_id));
      json_builder_set_member_name (builder, "blob_bytes_held");
      json_builder_add_int_value (builder,
                                  (gint64) tto_relay_blobs_get_event_bytes (relay->blobs, event_id));
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

/* Attachments: PUT /v1/events/{id}/blobs, GET /v1/events/{id}/blobs/{blob} */

G_GNUC_PRINTF (4, 5)
static void
http_error (SoupServerMessage *msg,
            guint status,
            TtoProtocolError code,
            const char *format,
            ...)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *message = NULL;
  char *text;
  gsize length;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, tto_protocol_error_to_code (code));
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);

  soup_server_message_set_status (msg, status, NULL);
  if (status == SOUP_STATUS_UNAUTHORIZED)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "WWW-Authenticate", "Bearer");
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, length);
}

/* Splits "/v1/events/{id}/blobs[/{blob}]". */
static gboolean
parse_blob_path (const char *path,
                 char **event_id,
                 char **blob_id)
{
  g_auto (GStrv) parts = g_strsplit (path, "/", -1);
  guint n = g_strv_length (parts);

  /* "", "v1", "events", id, "blobs"[, blob] */
  if ((n != 5 && n != 6) || !g_str_equal (parts[4], "blobs") || parts[3][0] == '\0' ||
      (n == 6 && parts[5][0] == '\0'))
    return FALSE;

  *event_id = g_strdup (parts[3]);
  *blob_id = n == 6 ? g_strdup (parts[5]) : NULL;
  return TRUE;
}

/* An early answer leaves the body unread, and the client may still send it
 * (it may after Expect: 100-continue): hang up rather than parse it as the
 * next request. Kept alive, the connection also sends libsoup 3.2 clients
 * down a crashing path (see client/media/tto-blob-transfer.c). */
static void
refuse_early (SoupServerMessage *msg)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");
}

/* Before the body is read: refuse what cannot fit, so nobody makes the
 * relay buffer 25 MiB only to be told no. */
static void
on_blob_headers (SoupServer *server,
                 SoupServerMessage *msg,
                 const char *path,
                 GHashTable *query,
                 gpointer user_data)
{
  TtoRelay *relay = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autofree char *event_id = NULL;
  g_autofree char *blob_id = NULL;
  g_autoptr (GError) error = NULL;

  if (soup_server_message_get_method (msg) != SOUP_METHOD_PUT ||
      !parse_blob_path (path, &event_id, &blob_id) || blob_id != NULL)
    return;

  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    {
      http_error (msg, SOUP_STATUS_LENGTH_REQUIRED, TTO_PROTOCOL_ERROR_BAD_FRAME,
                  "uploads need a Content-Length");
      refuse_early (msg);
      return;
    }

  if (!tto_relay_blobs_check_room (relay->blobs, event_id,
                                   (gsize) soup_message_headers_get_content_length (headers),
                                   &error))
    {
      http_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, TTO_PROTOCOL_ERROR_TOO_LARGE, "%s",
                  error->message);
      refuse_early (msg);
    }
}

typedef struct
{
  TtoRelay *relay;
  SoupServerMessage *msg;
  char *event_id;
  char *blob_id;
} BlobRequest;

static void
blob_request_free (BlobRequest *request)
{
  g_object_unref (request->msg);
  g_free (request->event_id);
  g_free (request->blob_id);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BlobRequest, blob_request_free)

static void
store_upload (BlobRequest *request,
              const char *identity_id)
{
  SoupMessageBody *body = soup_server_message_get_request_body (request->msg);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  const TtoRelayBlob *blob;
  guint8 *data;
  char *text;
  gsize length;

  /* Our own copy, zeroed when the blob goes; libsoup's is zeroed now. */
  data = g_malloc (MAX (body->length, 1));
  memcpy (data, body->data, body->length);
  explicit_bzero ((char *) body->data, body->length);

  blob = tto_relay_blobs_add (request->relay->blobs, request->event_id, identity_id, data,
                              body->length, &error);
  if (blob == NULL)
    {
      http_error (request->msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                  TTO_PROTOCOL_ERROR_TOO_LARGE, "%s", error->message);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "blob_id");
  json_builder_add_string_value (builder, blob->blob_id);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, (gint64) blob->size);
  json_builder_set_member_name (builder, "mime_type");
  json_builder_add_string_value (builder, blob->mime_type);
  json_builder_set_member_name (builder, "sha256");
  json_builder_add_string_value (builder, blob->sha256);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);

  soup_server_message_set_status (request->msg, SOUP_STATUS_CREATED, NULL);
  soup_server_message_set_response (request->msg, "application/json", SOUP_MEMORY_TAKE, text,
                                    length);
}

/* "bytes=a-b", "bytes=a-" or "bytes=-n"; FALSE when it is no single range
 * (then the whole blob is served, as RFC 9110 allows). */
static gboolean
parse_range (const char *header,
             gsize size,
             gsize *start,
             gsize *end,
             gboolean *satisfiable)
{
  const char *spec;
  char *dash;
  guint64 a;
  guint64 b;

  *satisfiable = TRUE;
  if (header == NULL || !g_str_has_prefix (header, "bytes=") || strchr (header, ',') != NULL)
    return FALSE;

  spec = header + 6;
  dash = strchr (spec, '-');
  if (dash == NULL)
    return FALSE;

  if (dash == spec)
    {
      /* The last n bytes. */
      if (!g_ascii_string_to_unsigned (dash + 1, 10, 1, G_MAXUINT64, &b, NULL))
        return FALSE;
      *start = size - MIN ((gsize) b, size);
      *end = size - 1;
      *satisfiable = size > 0;
      return TRUE;
    }

  {
    g_autofree char *first = g_strndup (spec, dash - spec);

    if (!g_ascii_string_to_unsigned (first, 10, 0, G_MAXUINT64, &a, NULL))
      return FALSE;
  }
  if (dash[1] == '\0')
    b = size > 0 ? size - 1 : 0;
  else if (!g_ascii_string_to_unsigned (dash + 1, 10, 0, G_MAXUINT64, &b, NULL) || b < a)
    return FALSE;

  if (a >= size)
    {
      *satisfiable = FALSE;
      return TRUE;
    }

  *start = (gsize) a;
  *end = MIN ((gsize) b, size - 1);
  return TRUE;
}

static void
serve_blob (BlobRequest *request)
{
  const TtoRelayBlob *blob = tto_relay_blobs_get (request->relay->blobs, request->event_id,
                                                  request->blob_id);
  SoupMessageHeaders *headers;
  g_autoptr (GBytes) part = NULL;
  gboolean satisfiable;
  gsize start = 0;
  gsize end = 0;

  if (blob == NULL)
    {
      http_error (request->msg, SOUP_STATUS_NOT_FOUND, TTO_PROTOCOL_ERROR_NOT_FOUND,
                  "no such attachment in this event (it may have been recalled)");
      return;
    }

  headers = soup_server_message_get_response_headers (request->msg);
  soup_message_headers_replace (headers, "Accept-Ranges", "bytes");
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_set_content_type (headers, blob->mime_type, NULL);

  if (parse_range (soup_message_headers_get_one (soup_server_message_get_request_headers (
                                                   request->msg),
                                                 "Range"),
                   blob->size, &start, &end, &satisfiable))
    {
      if (!satisfiable)
        {
          g_autofree char *range = g_strdup_printf ("bytes */%" G_GSIZE_FORMAT, blob->size);

          soup_message_headers_replace (headers, "Content-Range", range);
          http_error (request->msg, SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE,
                      TTO_PROTOCOL_ERROR_BAD_FRAME, "the range lies beyond the attachment");
          return;
        }

      {
        g_autofree char *range = g_strdup_printf ("bytes %" G_GSIZE_FORMAT "-%" G_GSIZE_FORMAT
                                                  "/%" G_GSIZE_FORMAT,
                                                  start, end, blob->size);

        soup_message_headers_replace (headers, "Content-Range", range);
      }
      part = g_bytes_new_from_bytes (blob->bytes, start, end - start + 1);
      soup_server_message_set_status (request->msg, SOUP_STATUS_PARTIAL_CONTENT, NULL);
    }
  else
    {
      part = g_bytes_ref (blob->bytes);
      soup_server_message_set_status (request->msg, SOUP_STATUS_OK, NULL);
    }

  /* The response holds a reference, not a copy: a recall during a download
   * zeroes the bytes once the download lets go. */
  soup_message_body_append_bytes (soup_server_message_get_response_body (request->msg), part);
}

static void
on_blob_identity (GObject *source,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (BlobRequest) request = user_data;
  g_autoptr (TtoRelayStoredIdentity) identity = NULL;
  g_autoptr (GError) error = NULL;
  TtoRelayRoom *room;

  soup_server_message_unpause (request->msg);

  identity = tto_relay_store_find_identity_finish (request->relay->store, result, &error);
  if (error != NULL)
    {
      http_error (request->msg, SOUP_STATUS_SERVICE_UNAVAILABLE, TTO_PROTOCOL_ERROR_UNAVAILABLE,
                  "the relay's database is unavailable; try again");
      return;
    }
  if (identity == NULL)
    {
      http_error (request->msg, SOUP_STATUS_UNAUTHORIZED, TTO_PROTOCOL_ERROR_UNAUTHORIZED,
                  "unknown or expired token");
      return;
    }

  room = tto_relay_find_room (request->relay, request->event_id);
  if (room == NULL || tto_relay_room_get_ending (room))
    {
      http_error (request->msg, SOUP_STATUS_NOT_FOUND, TTO_PROTOCOL_ERROR_NOT_FOUND,
                  "no live event has this id");
      return;
    }
  /* Members; and applicants, to upload evidence for their application. */
  if (tto_relay_room_get_member (room, identity->id) == NULL &&
      (request->blob_id != NULL ||
       tto_relay_room_get_application (room, identity->id) == NULL))
    {
      http_error (request->msg, SOUP_STATUS_FORBIDDEN, TTO_PROTOCOL_ERROR_FORBIDDEN,
                  "only members of the event may do this");
      return;
    }
  /* The event's allow-list holds for files as for frames. */
  {
    g_autoptr (GInetAddress) from = tto_relay_access_client_address (request->relay->config,
                                                                     request->msg);

    if (!tto_relay_access_allows (room, identity->id, from))
      {
        http_error (request->msg, SOUP_STATUS_FORBIDDEN, TTO_PROTOCOL_ERROR_FORBIDDEN,
                    TTO_RELAY_ACCESS_LOCKED_OUT);
        return;
      }
  }

  if (request->blob_id == NULL)
    store_upload (request, identity->id);
  else
    serve_blob (request);
}

static void
on_blob_request (SoupServer *server,
                 SoupServerMessage *msg,
                 const char *path,
                 GHashTable *query,
                 gpointer user_data)
{
  TtoRelay *relay = user_data;
  const char *method = soup_server_message_get_method (msg);
  const char *authorization;
  g_autofree char *event_id = NULL;
  g_autofree char *blob_id = NULL;
  guint8 hash[TTO_RELAY_TOKEN_HASH_BYTES];
  BlobRequest *request;

  if (!parse_blob_path (path, &event_id, &blob_id))
    {
      http_error (msg, SOUP_STATUS_NOT_FOUND, TTO_PROTOCOL_ERROR_NOT_FOUND, "no such resource");
      return;
    }
  if ((blob_id == NULL && method != SOUP_METHOD_PUT) ||
      (blob_id != NULL && method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    blob_id == NULL ? "PUT" : "GET, HEAD");
      http_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, TTO_PROTOCOL_ERROR_BAD_FRAME,
                  "method not allowed here");
      return;
    }

  authorization = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                "Authorization");
  if (authorization == NULL || !g_str_has_prefix (authorization, "Bearer ") ||
      authorization[7] == '\0')
    {
      http_error (msg, SOUP_STATUS_UNAUTHORIZED, TTO_PROTOCOL_ERROR_UNAUTHORIZED,
                  "send the identity token as Authorization: Bearer TOKEN");
      return;
    }

  request = g_new0 (BlobRequest, 1);
  request->relay = relay;
  request->msg = g_object_ref (msg);
  request->event_id = g_steal_pointer (&event_id);
  request->blob_id = g_steal_pointer (&blob_id);

  tto_relay_auth_hash_token (authorization + 7, hash);
  soup_server_message_pause (msg);
  tto_relay_store_find_identity_async (relay->store, hash, on_blob_identity, request);
  explicit_bzero (hash, sizeof hash);
}

/* POST /v1/test/clock?advance=SECONDS: tests move time forward instead of
 * sleeping, then the sweeper runs at once. Registered only with --test-clock
 * on a loopback address. */
static void
on_test_clock (SoupServer *server,
               SoupServerMessage *msg,
               const char *path,
               GHashTable *query,
               gpointer user_data)
{
  TtoRelay *relay = user_data;
  const char *advance = query != NULL ? g_hash_table_lookup (query, "advance") : NULL;
  gint64 seconds = 0;
  g_autofree char *body = NULL;

  if (soup_server_message_get_method (msg) != SOUP_METHOD_POST || advance == NULL ||
      !g_ascii_string_to_signed (advance, 10, 0, G_MAXINT32, &seconds, NULL))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
      return;
    }

  tto_relay_clock_advance (seconds);
  tto_relay_sweep (relay);
  body = g_strdup_printf ("{\"now\":%" G_GINT64_FORMAT "}", tto_relay_now_seconds ());
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body,
                                    strlen (body));
}

gboolean
tto_relay_http_start (TtoRelay *relay,
                      GError **error)
{
  g_autoptr (GInetAddress) address = NULL;
  g_autoptr (GSocketAddress) socket_address = NULL;
  SoupServerListenOptions options = 0;
  GSList *uris;

  address = g_inet_address_new_from_string (relay->config->bind_address);
  if (address == NULL)
    {
      g_set_error (error, TTO_RELAY_CONFIG_ERROR, TTO_RELAY_CONFIG_ERROR_INVALID,
                   "bind address '%s' is not an IP address", relay->config->bind_address);
      return FALSE;
    }

  relay->server = soup_server_new ("server-header", "tto-relay/" TTO_VERSION, NULL);
  if (tto_relay_config_uses_tls (relay->config))
    {
      g_autoptr (GTlsCertificate) certificate = NULL;

      /* GnuTLS through glib-networking; the key file may hold the chain too. */
      certificate = g_tls_certificate_new_from_files (relay->config->tls_certificate,
                                                      relay->config->tls_key, error);
      if (certificate == NULL)
        {
          g_prefix_error (error, "TLS certificate %s, key %s: ", relay->config->tls_certificate,
                          relay->config->tls_key);
          return FALSE;
        }
      soup_server_set_tls_certificate (relay->server, certificate);
      options |= SOUP_SERVER_LISTEN_HTTPS;
    }
  soup_server_add_handler (relay->server, "/v1/health", on_health, relay, NULL);
  soup_server_add_handler (relay->server, "/v1/ws", on_ws_request, relay, NULL);
  soup_server_add_early_handler (relay->server, "/v1/events", on_blob_headers, relay, NULL);
  soup_server_add_handler (relay->server, "/v1/events", on_blob_request, relay, NULL);
  if (relay->config->test_clock && g_inet_address_get_is_loopback (address))
    soup_server_add_handler (relay->server, "/v1/test/clock", on_test_clock, relay, NULL);
  relay->keepalive_source = g_timeout_add_seconds (IDLE_SECONDS / 2, on_keepalive, relay);

  socket_address = g_inet_socket_address_new (address, (guint16) relay->config->port);
  if (!soup_server_listen (relay->server, socket_address, options, error))
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
