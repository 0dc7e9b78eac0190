/* tto-blob-transfer.h: attachments up to and down from the relay over HTTP
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Failures the relay reports come as TTO_PROTOCOL_ERROR (too_large,
 * forbidden, not_found, unauthorized, …); network failures as G_IO_ERROR or
 * SOUP errors; these are the rest. */
#define TTO_BLOB_TRANSFER_ERROR (tto_blob_transfer_error_quark ())

typedef enum
{
  /* The relay's answer is not what the protocol says. */
  TTO_BLOB_TRANSFER_ERROR_INVALID_RESPONSE,
  /* The downloaded bytes do not match the expected SHA-256. */
  TTO_BLOB_TRANSFER_ERROR_CHECKSUM_MISMATCH,
} TtoBlobTransferError;

GQuark tto_blob_transfer_error_quark (void);

/* What the relay answers to an upload: the attachment's fields. */
typedef struct
{
  char *blob_id;
  gint64 size;
  char *mime_type;
  char *sha256;
} TtoBlobInfo;

#define TTO_TYPE_BLOB_INFO (tto_blob_info_get_type ())
GType tto_blob_info_get_type (void);
TtoBlobInfo *tto_blob_info_copy (const TtoBlobInfo *info);
void tto_blob_info_free (TtoBlobInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TtoBlobInfo, tto_blob_info_free)

/* Called on the caller's main context as bytes go: @done of @total
 * (@total -1 when unknown). */
typedef void (*TtoBlobProgressFunc) (goffset done,
                                     goffset total,
                                     gpointer user_data);

#define TTO_TYPE_BLOB_TRANSFER (tto_blob_transfer_get_type ())
G_DECLARE_FINAL_TYPE (TtoBlobTransfer, tto_blob_transfer, TTO, BLOB_TRANSFER, GObject)

TtoBlobTransfer *tto_blob_transfer_new (SoupSession *session,
                                        const char *relay_url,
                                        const char *token);
const char *tto_blob_transfer_get_base_url (TtoBlobTransfer *self);
void tto_blob_transfer_set_token (TtoBlobTransfer *self,
                                  const char *token);

void tto_blob_transfer_upload_bytes_async (TtoBlobTransfer *self,
                                           const char *event_id,
                                           GBytes *data,
                                           TtoBlobProgressFunc progress,
                                           gpointer progress_data,
                                           GDestroyNotify progress_destroy,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data);
void tto_blob_transfer_upload_file_async (TtoBlobTransfer *self,
                                          const char *event_id,
                                          GFile *file,
                                          TtoBlobProgressFunc progress,
                                          gpointer progress_data,
                                          GDestroyNotify progress_destroy,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);
TtoBlobInfo *tto_blob_transfer_upload_finish (TtoBlobTransfer *self,
                                              GAsyncResult *result,
                                              GError **error);

void tto_blob_transfer_download_async (TtoBlobTransfer *self,
                                       const char *event_id,
                                       const char *blob_id,
                                       const char *expected_sha256,
                                       TtoBlobProgressFunc progress,
                                       gpointer progress_data,
                                       GDestroyNotify progress_destroy,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
GBytes *tto_blob_transfer_download_finish (TtoBlobTransfer *self,
                                           GAsyncResult *result,
                                           GError **error);
void tto_blob_transfer_download_to_file_async (TtoBlobTransfer *self,
                                               const char *event_id,
                                               const char *blob_id,
                                               const char *expected_sha256,
                                               GFile *destination,
                                               TtoBlobProgressFunc progress,
                                               gpointer progress_data,
                                               GDestroyNotify progress_destroy,
                                               GCancellable *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer user_data);
gboolean tto_blob_transfer_download_to_file_finish (TtoBlobTransfer *self,
                                                    GAsyncResult *result,
                                                    GError **error);

G_END_DECLS
