/* tto-relay-blobs.h: attachments held in relay memory, and their HTTP side
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TTO_RELAY_BLOBS_ERROR (tto_relay_blobs_error_quark ())

typedef enum
{
  TTO_RELAY_BLOBS_ERROR_TOO_LARGE,
} TtoRelayBlobsError;

typedef struct _TtoRelayBlobs TtoRelayBlobs;

typedef struct
{
  char *blob_id;
  char *event_id;
  char *owner_id;
  char *mime_type;
  char *sha256;
  GBytes *bytes; /* wiped when the last reference goes, e.g. after a download */
  gsize size;
  char *msg_id;  /* the message it is attached to, once sent */
} TtoRelayBlob;

GQuark tto_relay_blobs_error_quark (void);

TtoRelayBlobs *tto_relay_blobs_new (gsize max_blob,
                                    gsize max_event,
                                    gsize max_total);
void tto_relay_blobs_free (TtoRelayBlobs *blobs);
gboolean tto_relay_blobs_check_room (TtoRelayBlobs *blobs,
                                     const char *event_id,
                                     gsize size,
                                     GError **error);
const TtoRelayBlob *tto_relay_blobs_add (TtoRelayBlobs *blobs,
                                         const char *event_id,
                                         const char *owner_id,
                                         guint8 *data,
                                         gsize size,
                                         GError **error);
const TtoRelayBlob *tto_relay_blobs_get (TtoRelayBlobs *blobs,
                                         const char *event_id,
                                         const char *blob_id);
gboolean tto_relay_blobs_wipe (TtoRelayBlobs *blobs,
                               const char *event_id,
                               const char *blob_id);
gboolean tto_relay_blobs_attach (TtoRelayBlobs *blobs,
                                 const char *event_id,
                                 const char *blob_id,
                                 const char *msg_id);
void tto_relay_blobs_wipe_event (TtoRelayBlobs *blobs,
                                 const char *event_id);
gsize tto_relay_blobs_get_event_bytes (TtoRelayBlobs *blobs,
                                       const char *event_id);
guint tto_relay_blobs_get_event_count (TtoRelayBlobs *blobs,
                                       const char *event_id);
gsize tto_relay_blobs_get_total_bytes (TtoRelayBlobs *blobs);
guint tto_relay_blobs_get_total_count (TtoRelayBlobs *blobs);
gsize tto_relay_blobs_get_max_blob (TtoRelayBlobs *blobs);

G_END_DECLS
