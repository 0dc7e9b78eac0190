/* tto-blob-transfer.c: attachments up to and down from the relay over HTTP
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   PUT /v1/events/{event_id}/blobs             → 201 {blob_id, size, mime_type, sha256}
 *   GET /v1/events/{event_id}/blobs/{blob_id}   → 200 the bytes
 *
 * Both with "Authorization: Bearer TOKEN". Uploads send
 * "Expect: 100-continue": the relay refuses what does not fit from the
 * headers alone, so a 25 MiB upload over a slow phone link is not sent only
 * to be told too_large. The token is never logged nor put into an error.
 *
 * Uploads also send "Connection: close". libsoup 3.2 (Debian 12) mishandles
 * a final answer that arrives while it waits for "100 Continue": once the
 * answer's body is read, it still moves its writer from FINISHING to DONE,
 * which sets the reader back to HEADERS, so closing the response stream
 * (soup_session_send_and_read_async does, asynchronously) would block
 * waiting for a next response; on that path SoupClientInputStream's
 * close_async builds its GSource from soup_message_get_io_data () cast to
 * the wrong struct and reads past it: a crash in g_cancellable_source_new
 * or g_type_check_instance_cast, depending on the heap. Without keep-alive
 * the answer is read up to the end of the connection, where that reader
 * finds the end of the stream and the close fails cleanly (the answer is
 * already read). The cost is one connection per upload.
 */
#define G_LOG_DOMAIN "tto-media"

#include <json-glib/json-glib.h>
#include <string.h>

#include "tto-blob-transfer.h"
#include "tto-protocol.h"

#define READ_CHUNK (64 * 1024)
/* Larger than any relay limit: a download never grows past this. */
#define MAX_DOWNLOAD (1024 * 1024 * 1024)

struct _TtoBlobTransfer
{
  GObject parent_instance;

  SoupSession *session;
  char *base_url;
  char *token;
};

G_DEFINE_QUARK (tto-blob-transfer-error-quark, tto_blob_transfer_error)

G_DEFINE_FINAL_TYPE (TtoBlobTransfer, tto_blob_transfer, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (TtoBlobInfo, tto_blob_info, tto_blob_info_copy, tto_blob_info_free)

TtoBlobInfo *
tto_blob_info_copy (const TtoBlobInfo *info)
{
  TtoBlobInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_new0 (TtoBlobInfo, 1);
  copy->blob_id = g_strdup (info->blob_id);
  copy->size = info->size;
  copy->mime_type = g_strdup (info->mime_type);
  copy->sha256 = g_strdup (info->sha256);

  return copy;
}

void
tto_blob_info_free (TtoBlobInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->blob_id);
  g_free (info->mime_type);
  g_free (info->sha256);
  g_free (info);
}

/* One upload or download. */
typedef struct
{
  TtoBlobProgressFunc progress;
  gpointer progress_data;
  GDestroyNotify progress_destroy;
  SoupMessage *msg;
  GInputStream *stream;
  GByteArray *body;
  goffset done;
  goffset total;
  char *expected_sha256;
  GFile *destination;
} Transfer;

static void
transfer_free (Transfer *transfer)
{
  if (transfer->progress_destroy != NULL)
    transfer->progress_destroy (transfer->progress_data);
  g_clear_object (&transfer->msg);
  g_clear_object (&transfer->stream);
  g_clear_pointer (&transfer->body, g_byte_array_unref);
  g_free (transfer->expected_sha256);
  g_clear_object (&transfer->destination);
  g_free (transfer);
}

static Transfer *
transfer_new (TtoBlobProgressFunc progress,
              gpointer progress_data,
              GDestroyNotify progress_destroy)
{
  Transfer *transfer = g_new0 (Transfer, 1);

  transfer->progress = progress;
  transfer->progress_data = progress_data;
  transfer->progress_destroy = progress_destroy;
  transfer->total = -1;

  return transfer;
}

static void
transfer_report (Transfer *transfer)
{
  if (transfer->progress != NULL)
    transfer->progress (transfer->done, transfer->total, transfer->progress_data);
}

/* The relay's {"code", "message"} as TTO_PROTOCOL_ERROR; without one, the
 * code the HTTP status stands for. */
static GError *
error_from_response (SoupMessage *msg,
                     GBytes *body)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  guint status = soup_message_get_status (msg);
  gsize length = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &length) : NULL;
  TtoProtocolError code;

  if (data != NULL && length > 0 && json_parser_load_from_data (parser, data, length, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *object = json_node_get_object (json_parser_get_root (parser));
      const char *wire_code = json_object_get_string_member_with_default (object, "code", NULL);
      const char *message = json_object_get_string_member_with_default (object, "message",
                                                                         NULL);

      if (wire_code != NULL)
        return g_error_new (TTO_PROTOCOL_ERROR, tto_protocol_error_from_code (wire_code), "%s",
                            message != NULL && message[0] != '\0' ? message : wire_code);
    }

  switch (status)
    {
    case SOUP_STATUS_UNAUTHORIZED:
      code = TTO_PROTOCOL_ERROR_UNAUTHORIZED;
      break;
    case SOUP_STATUS_FORBIDDEN:
      code = TTO_PROTOCOL_ERROR_FORBIDDEN;
      break;
    case SOUP_STATUS_NOT_FOUND:
    case SOUP_STATUS_GONE:
      code = TTO_PROTOCOL_ERROR_NOT_FOUND;
      break;
    case SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE:
      code = TTO_PROTOCOL_ERROR_TOO_LARGE;
      break;
    case 429: /* Too Many Requests; libsoup 3.2 has no name for it */
      code = TTO_PROTOCOL_ERROR_RATE_LIMITED;
      break;
    case SOUP_STATUS_SERVICE_UNAVAILABLE:
    case SOUP_STATUS_BAD_GATEWAY:
    case SOUP_STATUS_GATEWAY_TIMEOUT:
      code = TTO_PROTOCOL_ERROR_UNAVAILABLE;
      break;
    case SOUP_STATUS_BAD_REQUEST:
    case SOUP_STATUS_LENGTH_REQUIRED:
    case SOUP_STATUS_METHOD_NOT_ALLOWED:
    case SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE:
      code = TTO_PROTOCOL_ERROR_BAD_FRAME;
      break;
    default:
      code = TTO_PROTOCOL_ERROR_INTERNAL;
      break;
    }

  return g_error_new (TTO_PROTOCOL_ERROR, code, "the relay answered %u %s", status,
                      soup_message_get_reason_phrase (msg) != NULL
                        ? soup_message_get_reason_phrase (msg)
                        : "");
}

static SoupMessage *
new_message (TtoBlobTransfer *self,
             const char *method,
             const char *event_id,
             const char *blob_id,
             GError **error)
{
  g_autofree char *event_part = NULL;
  g_autofree char *blob_part = NULL;
  g_autofree char *url = NULL;
  g_autofree char *authorization = NULL;
  SoupMessage *msg;

  if (self->base_url == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no usable relay address");
      return NULL;
    }
  if (self->token == NULL)
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_UNAUTHORIZED,
                   "no identity token");
      return NULL;
    }

  event_part = g_uri_escape_string (event_id, NULL, FALSE);
  if (blob_id != NULL)
    {
      blob_part = g_uri_escape_string (blob_id, NULL, FALSE);
      url = g_strdup_printf ("%s/v1/events/%s/blobs/%s", self->base_url, event_part, blob_part);
    }
  else
    {
      url = g_strdup_printf ("%s/v1/events/%s/blobs", self->base_url, event_part);
    }

  msg = soup_message_new (method, url);
  if (msg == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "not a usable URL: %s", url);
      return NULL;
    }

  authorization = g_strconcat ("Bearer ", self->token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                authorization);
  /* The header's copy lives as long as the message; ours goes now. */
  memset (authorization, 0, strlen (authorization));

  return msg;
}

/* Upload */

static TtoBlobInfo *
parse_upload_answer (GBytes *body,
                     GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (TtoBlobInfo) info = g_new0 (TtoBlobInfo, 1);
  gsize length = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &length) : NULL;
  JsonObject *object;

  if (data == NULL || !json_parser_load_from_data (parser, data, length, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    goto invalid;

  object = json_node_get_object (json_parser_get_root (parser));
  info->blob_id = g_strdup (json_object_get_string_member_with_default (object, "blob_id", NULL));
  info->size = json_object_get_int_member_with_default (object, "size", -1);
  info->mime_type = g_strdup (json_object_get_string_member_with_default (object, "mime_type",
                                                                          NULL));
  info->sha256 = g_strdup (json_object_get_string_member_with_default (object, "sha256", NULL));
  if (info->blob_id == NULL || info->size < 0 || info->mime_type == NULL || info->sha256 == NULL)
    goto invalid;

  return g_steal_pointer (&info);

invalid:
  g_set_error (error, TTO_BLOB_TRANSFER_ERROR, TTO_BLOB_TRANSFER_ERROR_INVALID_RESPONSE,
               "the relay's answer to the upload is not understood");
  return NULL;
}

static void
on_wrote_body_data (SoupMessage *msg,
                    guint chunk_size,
                    gpointer user_data)
{
  Transfer *transfer = user_data;

  transfer->done += chunk_size;
  transfer_report (transfer);
}

static void
on_upload_sent (GObject *source,
                GAsyncResult *result,
                gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Transfer *transfer = g_task_get_task_data (task);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;
  TtoBlobInfo *info;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_signal_handlers_disconnect_by_func (transfer->msg, on_wrote_body_data, transfer);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (soup_message_get_status (transfer->msg) != SOUP_STATUS_CREATED)
    {
      g_task_return_error (task, error_from_response (transfer->msg, body));
      return;
    }

  info = parse_upload_answer (body, &error);
  if (info == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, info, (GDestroyNotify) tto_blob_info_free);
}

static void
send_upload (TtoBlobTransfer *self,
             GTask *task)
{
  Transfer *transfer = g_task_get_task_data (task);
  SoupMessageHeaders *headers = soup_message_get_request_headers (transfer->msg);

  soup_message_headers_set_expectations (headers, SOUP_EXPECTATION_CONTINUE);
  /* Never kept alive: see the top of the file. */
  soup_message_headers_replace (headers, "Connection", "close");
  g_signal_connect (transfer->msg, "wrote-body-data", G_CALLBACK (on_wrote_body_data),
                    transfer);
  transfer_report (transfer);
  soup_session_send_and_read_async (self->session, transfer->msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), on_upload_sent,
                                    g_object_ref (task));
}

static GTask *
upload_task_new (TtoBlobTransfer *self,
                 const char *event_id,
                 TtoBlobProgressFunc progress,
                 gpointer progress_data,
                 GDestroyNotify progress_destroy,
                 GCancellable *cancellable,
                 GAsyncReadyCallback callback,
                 gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Transfer *transfer = transfer_new (progress, progress_data, progress_destroy);
  GError *error = NULL;

  g_task_set_source_tag (task, tto_blob_transfer_upload_bytes_async);
  g_task_set_task_data (task, transfer, (GDestroyNotify) transfer_free);
  transfer->msg = new_message (self, SOUP_METHOD_PUT, event_id, NULL, &error);
  if (transfer->msg == NULL)
    g_task_return_error (task, error);

  return task;
}

/* Uploads @data; completes with the relay's TtoBlobInfo. Cancel with
 * @cancellable: G_IO_ERROR_CANCELLED. */
void
tto_blob_transfer_upload_bytes_async (TtoBlobTransfer *self,
                                      const char *event_id,
                                      GBytes *data,
                                      TtoBlobProgressFunc progress,
                                      gpointer progress_data,
                                      GDestroyNotify progress_destroy,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  Transfer *transfer;

  g_return_if_fail (TTO_IS_BLOB_TRANSFER (self));
  g_return_if_fail (event_id != NULL);
  g_return_if_fail (data != NULL);

  task = upload_task_new (self, event_id, progress, progress_data, progress_destroy,
                          cancellable, callback, user_data);
  transfer = g_task_get_task_data (task);
  if (transfer->msg == NULL)
    return;

  transfer->total = (goffset) g_bytes_get_size (data);
  /* The relay sniffs the type; it ignores this one. */
  soup_message_set_request_body_from_bytes (transfer->msg, "application/octet-stream", data);
  send_upload (self, task);
}

static void
on_file_read (GObject *source,
              GAsyncResult *result,
              gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  TtoBlobTransfer *self = g_task_get_source_object (task);
  Transfer *transfer = g_task_get_task_data (task);
  g_autoptr (GFileInputStream) stream = NULL;
  g_autoptr (GFileInfo) info = NULL;
  g_autoptr (GError) error = NULL;

  stream = g_file_read_finish (G_FILE (source), result, &error);
  if (stream != NULL)
    info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                           g_task_get_cancellable (task), &error);
  if (info == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  transfer->total = g_file_info_get_size (info);
  soup_message_set_request_body (transfer->msg, "application/octet-stream",
                                 G_INPUT_STREAM (stream), transfer->total);
  send_upload (self, task);
}

/* Uploads the file's bytes, streamed from the disk. */
void
tto_blob_transfer_upload_file_async (TtoBlobTransfer *self,
                                     const char *event_id,
                                     GFile *file,
                                     TtoBlobProgressFunc progress,
                                     gpointer progress_data,
                                     GDestroyNotify progress_destroy,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  Transfer *transfer;

  g_return_if_fail (TTO_IS_BLOB_TRANSFER (self));
  g_return_if_fail (event_id != NULL);
  g_return_if_fail (G_IS_FILE (file));

  task = upload_task_new (self, event_id, progress, progress_data, progress_destroy,
                          cancellable, callback, user_data);
  transfer = g_task_get_task_data (task);
  if (transfer->msg == NULL)
    return;

  g_file_read_async (file, G_PRIORITY_DEFAULT, cancellable, on_file_read,
                     g_steal_pointer (&task));
}

TtoBlobInfo *
tto_blob_transfer_upload_finish (TtoBlobTransfer *self,
                                 GAsyncResult *result,
                                 GError **error)
{
  g_return_val_if_fail (TTO_IS_BLOB_TRANSFER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Download */

static void
on_written (GObject *source,
            GAsyncResult *result,
            gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;

  if (g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
download_complete (GTask *task)
{
  Transfer *transfer = g_task_get_task_data (task);
  g_autoptr (GBytes) bytes = g_byte_array_free_to_bytes (g_steal_pointer (&transfer->body));
  guint status = soup_message_get_status (transfer->msg);

  if (status != SOUP_STATUS_OK && status != SOUP_STATUS_PARTIAL_CONTENT)
    {
      g_task_return_error (task, error_from_response (transfer->msg, bytes));
      return;
    }

  if (transfer->expected_sha256 != NULL)
    {
      g_autofree char *sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);

      if (g_ascii_strcasecmp (sum, transfer->expected_sha256) != 0)
        {
          g_task_return_new_error (task, TTO_BLOB_TRANSFER_ERROR,
                                   TTO_BLOB_TRANSFER_ERROR_CHECKSUM_MISMATCH,
                                   "the downloaded attachment is damaged (SHA-256 differs)");
          return;
        }
    }

  if (transfer->destination != NULL)
    {
      /* Written to a temporary file, then renamed: never half a file. */
      g_file_replace_contents_bytes_async (transfer->destination, bytes, NULL, FALSE,
                                           G_FILE_CREATE_REPLACE_DESTINATION,
                                           g_task_get_cancellable (task), on_written,
                                           g_object_ref (task));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&bytes), (GDestroyNotify) g_bytes_unref);
}

static void on_read (GObject *source,
                     GAsyncResult *result,
                     gpointer user_data);

static void
read_next (GTask *task)
{
  Transfer *transfer = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (transfer->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), on_read, task);
}

static void
on_read (GObject *source,
         GAsyncResult *result,
         gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Transfer *transfer = g_task_get_task_data (task);
  g_autoptr (GBytes) chunk = NULL;
  g_autoptr (GError) error = NULL;
  gboolean success;
  gsize size;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (chunk == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  size = g_bytes_get_size (chunk);
  if (size == 0)
    {
      download_complete (task);
      return;
    }
  if (transfer->body->len + size > MAX_DOWNLOAD)
    {
      g_task_return_new_error (task, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_TOO_LARGE,
                               "the attachment is larger than any relay allows");
      return;
    }

  g_byte_array_append (transfer->body, g_bytes_get_data (chunk, NULL), (guint) size);
  success = SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (transfer->msg));
  if (success)
    {
      transfer->done += (goffset) size;
      transfer_report (transfer);
    }

  read_next (g_steal_pointer (&task));
}

static void
on_download_sent (GObject *source,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Transfer *transfer = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  SoupMessageHeaders *headers;

  transfer->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (transfer->stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  headers = soup_message_get_response_headers (transfer->msg);
  if (SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (transfer->msg)) &&
      soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    transfer->total = soup_message_headers_get_content_length (headers);
  transfer->body = g_byte_array_sized_new (
    (guint) CLAMP (transfer->total, READ_CHUNK, 64 * 1024 * 1024));
  transfer_report (transfer);

  read_next (g_steal_pointer (&task));
}

static void
start_download (TtoBlobTransfer *self,
                GTask *task,
                const char *event_id,
                const char *blob_id)
{
  Transfer *transfer = g_task_get_task_data (task);
  GError *error = NULL;

  transfer->msg = new_message (self, SOUP_METHOD_GET, event_id, blob_id, &error);
  if (transfer->msg == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  soup_session_send_async (self->session, transfer->msg, G_PRIORITY_DEFAULT,
                           g_task_get_cancellable (task), on_download_sent, g_object_ref (task));
}

/* Downloads a blob into memory; with @expected_sha256 (the attachment's
 * sha256), damaged bytes are an error. */
void
tto_blob_transfer_download_async (TtoBlobTransfer *self,
                                  const char *event_id,
                                  const char *blob_id,
                                  const char *expected_sha256,
                                  TtoBlobProgressFunc progress,
                                  gpointer progress_data,
                                  GDestroyNotify progress_destroy,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  Transfer *transfer;

  g_return_if_fail (TTO_IS_BLOB_TRANSFER (self));
  g_return_if_fail (event_id != NULL);
  g_return_if_fail (blob_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_blob_transfer_download_async);
  transfer = transfer_new (progress, progress_data, progress_destroy);
  transfer->expected_sha256 = g_strdup (expected_sha256);
  g_task_set_task_data (task, transfer, (GDestroyNotify) transfer_free);
  start_download (self, task, event_id, blob_id);
}

GBytes *
tto_blob_transfer_download_finish (TtoBlobTransfer *self,
                                   GAsyncResult *result,
                                   GError **error)
{
  g_return_val_if_fail (TTO_IS_BLOB_TRANSFER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                          tto_blob_transfer_download_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Downloads a blob and saves it as @destination (replaced whole, or left
 * alone on failure). */
void
tto_blob_transfer_download_to_file_async (TtoBlobTransfer *self,
                                          const char *event_id,
                                          const char *blob_id,
                                          const char *expected_sha256,
                                          GFile *destination,
                                          TtoBlobProgressFunc progress,
                                          gpointer progress_data,
                                          GDestroyNotify progress_destroy,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  Transfer *transfer;

  g_return_if_fail (TTO_IS_BLOB_TRANSFER (self));
  g_return_if_fail (event_id != NULL);
  g_return_if_fail (blob_id != NULL);
  g_return_if_fail (G_IS_FILE (destination));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_blob_transfer_download_to_file_async);
  transfer = transfer_new (progress, progress_data, progress_destroy);
  transfer->expected_sha256 = g_strdup (expected_sha256);
  transfer->destination = g_object_ref (destination);
  g_task_set_task_data (task, transfer, (GDestroyNotify) transfer_free);
  start_download (self, task, event_id, blob_id);
}

gboolean
tto_blob_transfer_download_to_file_finish (TtoBlobTransfer *self,
                                           GAsyncResult *result,
                                           GError **error)
{
  g_return_val_if_fail (TTO_IS_BLOB_TRANSFER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Object */

/* "ws://host:port/v1/ws" or "http://host:port" → "http://host:port". */
static char *
base_url_from_relay_url (const char *relay_url)
{
  g_autoptr (GUri) uri = g_uri_parse (relay_url, G_URI_FLAGS_NONE, NULL);
  const char *scheme;
  const char *http_scheme;
  g_autofree char *host = NULL;

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return NULL;

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "ws") == 0 || g_ascii_strcasecmp (scheme, "http") == 0)
    http_scheme = "http";
  else if (g_ascii_strcasecmp (scheme, "wss") == 0 || g_ascii_strcasecmp (scheme, "https") == 0)
    http_scheme = "https";
  else
    return NULL;

  /* An IPv6 literal needs its brackets back. */
  host = strchr (g_uri_get_host (uri), ':') != NULL
           ? g_strdup_printf ("[%s]", g_uri_get_host (uri))
           : g_strdup (g_uri_get_host (uri));
  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s://%s:%d", http_scheme, host, g_uri_get_port (uri));

  return g_strdup_printf ("%s://%s", http_scheme, host);
}

static void
tto_blob_transfer_finalize (GObject *object)
{
  TtoBlobTransfer *self = TTO_BLOB_TRANSFER (object);

  g_clear_object (&self->session);
  g_free (self->base_url);
  tto_blob_transfer_set_token (self, NULL);

  G_OBJECT_CLASS (tto_blob_transfer_parent_class)->finalize (object);
}

static void
tto_blob_transfer_class_init (TtoBlobTransferClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tto_blob_transfer_finalize;
}

static void
tto_blob_transfer_init (TtoBlobTransfer *self)
{
}

/* @session: the app's SoupSession, or NULL for one of its own;
 * @relay_url: the relay's WebSocket URL (ws://, wss://) or HTTP base;
 * @token: the identity's bearer token. */
TtoBlobTransfer *
tto_blob_transfer_new (SoupSession *session,
                       const char *relay_url,
                       const char *token)
{
  TtoBlobTransfer *self;

  g_return_val_if_fail (session == NULL || SOUP_IS_SESSION (session), NULL);
  g_return_val_if_fail (relay_url != NULL, NULL);

  self = g_object_new (TTO_TYPE_BLOB_TRANSFER, NULL);
  self->session = session != NULL ? g_object_ref (session)
                                  : soup_session_new_with_options ("user-agent",
                                                                   "tto/" TTO_VERSION, NULL);
  self->base_url = base_url_from_relay_url (relay_url);
  tto_blob_transfer_set_token (self, token);

  return self;
}

/* "http://host:port", or NULL when the relay URL was not usable. */
const char *
tto_blob_transfer_get_base_url (TtoBlobTransfer *self)
{
  g_return_val_if_fail (TTO_IS_BLOB_TRANSFER (self), NULL);

  return self->base_url;
}

/* For transfers started after the call. */
void
tto_blob_transfer_set_token (TtoBlobTransfer *self,
                             const char *token)
{
  g_return_if_fail (TTO_IS_BLOB_TRANSFER (self));

  if (self->token != NULL)
    {
      memset (self->token, 0, strlen (self->token));
      g_clear_pointer (&self->token, g_free);
    }
  self->token = g_strdup (token);
}
