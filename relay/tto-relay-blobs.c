/* tto-relay-blobs.c: attachments held in relay memory
 *
 * A blob is the bytes of one image, file, voice or video message or
 * sticker. It lives in RAM only, in one event, within three limits (per
 * blob, per event, whole relay), and is zeroed when recalled or when its
 * event ends. The limits are checked before anything is stored, so a
 * refused upload never drops what is already there.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <gio/gio.h>
#include <string.h>

#include "tto-ids.h"
#include "tto-relay-blobs.h"

G_DEFINE_QUARK (tto-relay-blobs-error-quark, tto_relay_blobs_error)

typedef struct
{
  GHashTable *blobs; /* blob id → TtoRelayBlob */
  gsize bytes;
} EventBlobs;

struct _TtoRelayBlobs
{
  GHashTable *events; /* event id → EventBlobs */
  gsize max_blob;
  gsize max_event;
  gsize max_total;
  gsize total_bytes;
  guint total_count;
};

static void
wipe_free (gpointer data)
{
  gsize *block = data;

  /* The size sits in front of the bytes. */
  explicit_bzero (block, block[0] + sizeof (gsize));
  g_free (block);
}

static void
blob_free (gpointer data)
{
  TtoRelayBlob *blob = data;

  g_clear_pointer (&blob->bytes, g_bytes_unref);
  g_free (blob->blob_id);
  g_free (blob->event_id);
  g_free (blob->owner_id);
  g_free (blob->mime_type);
  g_free (blob->sha256);
  g_free (blob->msg_id);
  g_free (blob);
}

static void
event_blobs_free (gpointer data)
{
  EventBlobs *event = data;

  g_hash_table_unref (event->blobs);
  g_free (event);
}

TtoRelayBlobs *
tto_relay_blobs_new (gsize max_blob,
                     gsize max_event,
                     gsize max_total)
{
  TtoRelayBlobs *blobs = g_new0 (TtoRelayBlobs, 1);

  blobs->events = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, event_blobs_free);
  blobs->max_blob = max_blob;
  blobs->max_event = max_event;
  blobs->max_total = max_total;

  return blobs;
}

void
tto_relay_blobs_free (TtoRelayBlobs *blobs)
{
  if (blobs == NULL)
    return;

  g_hash_table_unref (blobs->events);
  g_free (blobs);
}

/* Whether @size more bytes fit, for @event_id and for the relay. */
gboolean
tto_relay_blobs_check_room (TtoRelayBlobs *blobs,
                            const char *event_id,
                            gsize size,
                            GError **error)
{
  gsize event_bytes = tto_relay_blobs_get_event_bytes (blobs, event_id);

  if (size > blobs->max_blob)
    {
      g_set_error (error, TTO_RELAY_BLOBS_ERROR, TTO_RELAY_BLOBS_ERROR_TOO_LARGE,
                   "the file has %" G_GSIZE_FORMAT " bytes; at most %" G_GSIZE_FORMAT
                   " are allowed per file",
                   size, blobs->max_blob);
      return FALSE;
    }
  if (event_bytes + size > blobs->max_event)
    {
      g_set_error (error, TTO_RELAY_BLOBS_ERROR, TTO_RELAY_BLOBS_ERROR_TOO_LARGE,
                   "the event's attachments would exceed %" G_GSIZE_FORMAT " bytes",
                   blobs->max_event);
      return FALSE;
    }
  if (blobs->total_bytes + size > blobs->max_total)
    {
      g_set_error_literal (error, TTO_RELAY_BLOBS_ERROR, TTO_RELAY_BLOBS_ERROR_TOO_LARGE,
                           "the relay holds as many attachments as it may; try later");
      return FALSE;
    }

  return TRUE;
}

static char *
sniff_mime_type (const guint8 *data,
                 gsize size)
{
  g_autofree char *content_type = NULL;
  gboolean uncertain = FALSE;
  char *mime;

  /* From the bytes only: a client's file name or header is not trusted. */
  content_type = g_content_type_guess (NULL, data, MIN (size, 4096), &uncertain);
  mime = content_type != NULL ? g_content_type_get_mime_type (content_type) : NULL;
  if (mime == NULL)
    mime = g_strdup ("application/octet-stream");

  return mime;
}

/* Takes @data (g_malloc'd); wipes it when refused. */
const TtoRelayBlob *
tto_relay_blobs_add (TtoRelayBlobs *blobs,
                     const char *event_id,
                     const char *owner_id,
                     guint8 *data,
                     gsize size,
                     GError **error)
{
  EventBlobs *event;
  TtoRelayBlob *blob;

  if (!tto_relay_blobs_check_room (blobs, event_id, size, error))
    {
      explicit_bzero (data, size);
      g_free (data);
      return NULL;
    }

  event = g_hash_table_lookup (blobs->events, event_id);
  if (event == NULL)
    {
      event = g_new0 (EventBlobs, 1);
      event->blobs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, blob_free);
      g_hash_table_insert (blobs->events, g_strdup (event_id), event);
    }

  blob = g_new0 (TtoRelayBlob, 1);
  blob->blob_id = tto_id_new ();
  blob->event_id = g_strdup (event_id);
  blob->owner_id = g_strdup (owner_id);
  blob->size = size;
  blob->mime_type = sniff_mime_type (data, size);
  blob->sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, size);
  {
    /* One block: [size][bytes], zeroed whole when the last user lets go. */
    gsize *block = g_malloc (sizeof (gsize) + size);

    block[0] = size;
    memcpy (block + 1, data, size);
    explicit_bzero (data, size);
    g_free (data);
    blob->bytes = g_bytes_new_with_free_func (block + 1, size, wipe_free, block);
  }

  g_hash_table_insert (event->blobs, blob->blob_id, blob);
  event->bytes += size;
  blobs->total_bytes += size;
  blobs->total_count++;

  return blob;
}

const TtoRelayBlob *
tto_relay_blobs_get (TtoRelayBlobs *blobs,
                     const char *event_id,
                     const char *blob_id)
{
  EventBlobs *event = g_hash_table_lookup (blobs->events, event_id);

  if (event == NULL || blob_id == NULL)
    return NULL;

  return g_hash_table_lookup (event->blobs, blob_id);
}

gboolean
tto_relay_blobs_wipe (TtoRelayBlobs *blobs,
                      const char *event_id,
                      const char *blob_id)
{
  EventBlobs *event = g_hash_table_lookup (blobs->events, event_id);
  TtoRelayBlob *blob;

  if (event == NULL || blob_id == NULL)
    return FALSE;

  blob = g_hash_table_lookup (event->blobs, blob_id);
  if (blob == NULL)
    return FALSE;

  event->bytes -= blob->size;
  blobs->total_bytes -= blob->size;
  blobs->total_count--;
  g_hash_table_remove (event->blobs, blob_id);

  return TRUE;
}

/* One blob, one message: recalling it must not take another's file. */
gboolean
tto_relay_blobs_attach (TtoRelayBlobs *blobs,
                        const char *event_id,
                        const char *blob_id,
                        const char *msg_id)
{
  TtoRelayBlob *blob = (TtoRelayBlob *) tto_relay_blobs_get (blobs, event_id, blob_id);

  if (blob == NULL || blob->msg_id != NULL)
    return FALSE;

  blob->msg_id = g_strdup (msg_id);
  return TRUE;
}

void
tto_relay_blobs_wipe_event (TtoRelayBlobs *blobs,
                            const char *event_id)
{
  EventBlobs *event = g_hash_table_lookup (blobs->events, event_id);

  if (event == NULL)
    return;

  blobs->total_bytes -= event->bytes;
  blobs->total_count -= g_hash_table_size (event->blobs);
  /* Each blob zeroes its bytes as it is freed. */
  g_hash_table_remove (blobs->events, event_id);
}

gsize
tto_relay_blobs_get_event_bytes (TtoRelayBlobs *blobs,
                                 const char *event_id)
{
  EventBlobs *event = g_hash_table_lookup (blobs->events, event_id);

  return event != NULL ? event->bytes : 0;
}

guint
tto_relay_blobs_get_event_count (TtoRelayBlobs *blobs,
                                 const char *event_id)
{
  EventBlobs *event = g_hash_table_lookup (blobs->events, event_id);

  return event != NULL ? g_hash_table_size (event->blobs) : 0;
}

gsize
tto_relay_blobs_get_total_bytes (TtoRelayBlobs *blobs)
{
  return blobs->total_bytes;
}

guint
tto_relay_blobs_get_total_count (TtoRelayBlobs *blobs)
{
  return blobs->total_count;
}

gsize
tto_relay_blobs_get_max_blob (TtoRelayBlobs *blobs)
{
  return blobs->max_blob;
}
