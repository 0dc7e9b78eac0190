/* tto-media-cache.c: attachments downloaded on demand, kept in memory only
 *
 * One cache per session. A blob is downloaded the first time a row or a
 * viewer needs it and kept in RAM (never on disk) up to a budget; the
 * oldest entries go first. Several requests for the same blob share one
 * download. The sender's own uploads are put in at once, so they need no
 * download at all.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "tto-media-cache.h"

/* What the cache keeps at most; a blob over this is handed out, not kept. */
#define CACHE_BUDGET (96 * 1024 * 1024)

typedef struct
{
  char *key; /* "event_id/blob_id" */
  GBytes *bytes;
} Entry;

typedef struct
{
  GPtrArray *tasks; /* GTask waiting for the same blob */
  GCancellable *cancellable;
} Fetch;

struct _TtoMediaCache
{
  GObject parent_instance;

  TtoConnection *connection;
  GQueue entries;     /* Entry, oldest first */
  GHashTable *lookup; /* key → GList link of entries */
  GHashTable *fetches; /* key → Fetch */
  gsize size;
};

G_DEFINE_FINAL_TYPE (TtoMediaCache, tto_media_cache, G_TYPE_OBJECT)

static guint progress_signal;

static char *
make_key (const char *event_id,
          const char *blob_id)
{
  return g_strconcat (event_id, "/", blob_id, NULL);
}

static void
entry_free (Entry *entry)
{
  g_free (entry->key);
  g_bytes_unref (entry->bytes);
  g_free (entry);
}

static void
fetch_free (Fetch *fetch)
{
  g_ptr_array_unref (fetch->tasks);
  g_object_unref (fetch->cancellable);
  g_free (fetch);
}

static void
remove_link (TtoMediaCache *self,
             GList *link)
{
  Entry *entry = link->data;

  self->size -= g_bytes_get_size (entry->bytes);
  g_hash_table_remove (self->lookup, entry->key);
  g_queue_delete_link (&self->entries, link);
  entry_free (entry);
}

static void
tto_media_cache_dispose (GObject *object)
{
  TtoMediaCache *self = TTO_MEDIA_CACHE (object);

  g_clear_object (&self->connection);

  G_OBJECT_CLASS (tto_media_cache_parent_class)->dispose (object);
}

static void
tto_media_cache_finalize (GObject *object)
{
  TtoMediaCache *self = TTO_MEDIA_CACHE (object);

  g_hash_table_unref (self->lookup);
  g_queue_clear_full (&self->entries, (GDestroyNotify) entry_free);
  g_hash_table_unref (self->fetches);

  G_OBJECT_CLASS (tto_media_cache_parent_class)->finalize (object);
}

static void
tto_media_cache_class_init (TtoMediaCacheClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tto_media_cache_dispose;
  object_class->finalize = tto_media_cache_finalize;

  /* A download goes on: blob id, bytes done, bytes in all (-1: unknown). */
  progress_signal = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_INT64,
                                  G_TYPE_INT64);
}

static void
tto_media_cache_init (TtoMediaCache *self)
{
  g_queue_init (&self->entries);
  self->lookup = g_hash_table_new (g_str_hash, g_str_equal);
  self->fetches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) fetch_free);
}

/* The session's cache, made on first use; it goes with the session. */
TtoMediaCache *
tto_media_cache_get_for_session (TtoSession *session)
{
  TtoMediaCache *self;

  g_return_val_if_fail (TTO_IS_SESSION (session), NULL);

  self = g_object_get_data (G_OBJECT (session), "tto-media-cache");
  if (self == NULL)
    {
      self = g_object_new (TTO_TYPE_MEDIA_CACHE, NULL);
      self->connection = g_object_ref (tto_session_get_connection (session));
      g_object_set_data_full (G_OBJECT (session), "tto-media-cache", self, g_object_unref);
    }
  return self;
}

void
tto_media_cache_insert (TtoMediaCache *self,
                        const char *event_id,
                        const char *blob_id,
                        GBytes *bytes)
{
  g_autofree char *key = NULL;
  GList *link;
  Entry *entry;

  g_return_if_fail (TTO_IS_MEDIA_CACHE (self));
  g_return_if_fail (event_id != NULL && blob_id != NULL && bytes != NULL);

  if (g_bytes_get_size (bytes) > CACHE_BUDGET)
    return;

  key = make_key (event_id, blob_id);
  link = g_hash_table_lookup (self->lookup, key);
  if (link != NULL)
    remove_link (self, link);

  while (self->size + g_bytes_get_size (bytes) > CACHE_BUDGET && self->entries.head != NULL)
    remove_link (self, self->entries.head);

  entry = g_new0 (Entry, 1);
  entry->key = g_steal_pointer (&key);
  entry->bytes = g_bytes_ref (bytes);
  g_queue_push_tail (&self->entries, entry);
  g_hash_table_insert (self->lookup, entry->key, self->entries.tail);
  self->size += g_bytes_get_size (bytes);
}

/* The bytes if they are here (a new reference), or NULL. */
GBytes *
tto_media_cache_lookup (TtoMediaCache *self,
                        const char *event_id,
                        const char *blob_id)
{
  g_autofree char *key = NULL;
  GList *link;

  g_return_val_if_fail (TTO_IS_MEDIA_CACHE (self), NULL);

  if (event_id == NULL || blob_id == NULL)
    return NULL;
  key = make_key (event_id, blob_id);
  link = g_hash_table_lookup (self->lookup, key);
  if (link == NULL)
    return NULL;

  /* Used again: it goes last in line for eviction. */
  g_queue_unlink (&self->entries, link);
  g_queue_push_tail_link (&self->entries, link);
  return g_bytes_ref (((Entry *) link->data)->bytes);
}

/* The event ended: what it held goes. */
void
tto_media_cache_forget_event (TtoMediaCache *self,
                              const char *event_id)
{
  g_autofree char *prefix = NULL;
  GList *link;

  g_return_if_fail (TTO_IS_MEDIA_CACHE (self));
  g_return_if_fail (event_id != NULL);

  prefix = g_strconcat (event_id, "/", NULL);
  link = self->entries.head;
  while (link != NULL)
    {
      GList *next = link->next;

      if (g_str_has_prefix (((Entry *) link->data)->key, prefix))
        remove_link (self, link);
      link = next;
    }
}

gsize
tto_media_cache_get_size (TtoMediaCache *self)
{
  g_return_val_if_fail (TTO_IS_MEDIA_CACHE (self), 0);

  return self->size;
}

typedef struct
{
  TtoMediaCache *cache;
  char *key;
  char *event_id;
  char *blob_id;
} FetchData;

static void
fetch_data_free (FetchData *data)
{
  g_object_unref (data->cache);
  g_free (data->key);
  g_free (data->event_id);
  g_free (data->blob_id);
  g_free (data);
}

static void
on_downloaded (GObject *object,
               GAsyncResult *result,
               gpointer user_data)
{
  FetchData *data = user_data;
  TtoMediaCache *self = data->cache;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GPtrArray) tasks = NULL;
  Fetch *fetch;

  bytes = tto_blob_transfer_download_finish (TTO_BLOB_TRANSFER (object), result, &error);
  fetch = g_hash_table_lookup (self->fetches, data->key);
  if (fetch != NULL)
    {
      tasks = g_ptr_array_ref (fetch->tasks);
      g_hash_table_remove (self->fetches, data->key);
    }
  if (bytes != NULL)
    tto_media_cache_insert (self, data->event_id, data->blob_id, bytes);

  for (guint i = 0; tasks != NULL && i < tasks->len; i++)
    {
      GTask *task = g_ptr_array_index (tasks, i);

      if (g_task_return_error_if_cancelled (task))
        continue;
      if (bytes != NULL)
        g_task_return_pointer (task, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
      else
        g_task_return_error (task, g_error_copy (error));
    }
  fetch_data_free (data);
}

static void
on_fetch_cancelled (GCancellable *cancellable,
                    gpointer user_data)
{
  g_autoptr (GTask) task = g_object_ref (user_data);
  TtoMediaCache *self = g_task_get_source_object (task);
  const char *key = g_task_get_task_data (task);
  Fetch *fetch = g_hash_table_lookup (self->fetches, key);
  gboolean others = FALSE;

  if (fetch == NULL)
    return;
  for (guint i = 0; i < fetch->tasks->len; i++)
    {
      GTask *other = g_ptr_array_index (fetch->tasks, i);

      if (other != task && !g_cancellable_is_cancelled (g_task_get_cancellable (other)))
        others = TRUE;
    }
  /* Nobody waits any more: stop the download. */
  if (!others)
    g_cancellable_cancel (fetch->cancellable);
}

typedef struct
{
  GWeakRef cache;
  char *blob_id;
} ProgressData;

static void
progress_data_free (gpointer user_data)
{
  ProgressData *data = user_data;

  g_weak_ref_clear (&data->cache);
  g_free (data->blob_id);
  g_free (data);
}

static void
on_download_progress (goffset done,
                      goffset total,
                      gpointer user_data)
{
  ProgressData *data = user_data;
  g_autoptr (TtoMediaCache) self = g_weak_ref_get (&data->cache);

  if (self != NULL)
    g_signal_emit (self, progress_signal, 0, data->blob_id, (gint64) done, (gint64) total);
}

/* The blob's bytes, from memory or downloaded once (checked against
 * @sha256 when given); "progress" follows the download. */
void
tto_media_cache_fetch_async (TtoMediaCache *self,
                             const char *event_id,
                             const char *blob_id,
                             const char *sha256,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *key = NULL;
  ProgressData *progress;
  FetchData *data;
  Fetch *fetch;

  g_return_if_fail (TTO_IS_MEDIA_CACHE (self));
  g_return_if_fail (event_id != NULL && blob_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_media_cache_fetch_async);
  key = make_key (event_id, blob_id);
  g_task_set_task_data (task, g_strdup (key), g_free);

  bytes = tto_media_cache_lookup (self, event_id, blob_id);
  if (bytes != NULL)
    {
      g_task_return_pointer (task, g_steal_pointer (&bytes), (GDestroyNotify) g_bytes_unref);
      return;
    }

  if (cancellable != NULL)
    g_cancellable_connect (cancellable, G_CALLBACK (on_fetch_cancelled), g_object_ref (task),
                           g_object_unref);

  fetch = g_hash_table_lookup (self->fetches, key);
  if (fetch != NULL)
    {
      g_ptr_array_add (fetch->tasks, g_steal_pointer (&task));
      return;
    }

  fetch = g_new0 (Fetch, 1);
  fetch->tasks = g_ptr_array_new_with_free_func (g_object_unref);
  fetch->cancellable = g_cancellable_new ();
  g_ptr_array_add (fetch->tasks, g_steal_pointer (&task));
  g_hash_table_insert (self->fetches, g_strdup (key), fetch);

  data = g_new0 (FetchData, 1);
  data->cache = g_object_ref (self);
  data->key = g_steal_pointer (&key);
  data->event_id = g_strdup (event_id);
  data->blob_id = g_strdup (blob_id);
  progress = g_new0 (ProgressData, 1);
  g_weak_ref_init (&progress->cache, self);
  progress->blob_id = g_strdup (blob_id);
  tto_blob_transfer_download_async (tto_connection_get_blob_transfer (self->connection), event_id,
                                    blob_id, sha256, on_download_progress, progress,
                                    progress_data_free, fetch->cancellable, on_downloaded, data);
}

GBytes *
tto_media_cache_fetch_finish (TtoMediaCache *self,
                              GAsyncResult *result,
                              GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
