/* tto-evidence-list.c: the files attached to one join request
 *
 * A GListModel of TtoEvidence, at most as many as the protocol allows on
 * an application (files sent earlier count too). Adding files learns their
 * name, size and kind, and makes a small preview of each picture (the
 * thumbnailer refuses pictures too big to decode safely). Uploading sends
 * every file not sent yet, one after another, over the same HTTP path as
 * chat attachments (TtoBlobTransfer); a file that fails is marked with the
 * relay's reason and the others still go, so nothing accepted is lost.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tto-shared.h"
#include "tto-media.h"

#include "tto-evidence-list.h"

#define INFO_QUERY                                                                                \
  G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME "," G_FILE_ATTRIBUTE_STANDARD_SIZE                       \
  "," G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE "," G_FILE_ATTRIBUTE_STANDARD_TYPE

/* Pictures over this get no preview (the relay would refuse them anyway). */
#define MAX_PREVIEW_BYTES (32 * 1024 * 1024)

struct _TtoEvidenceList
{
  GObject parent_instance;

  GListStore *items;
  GCancellable *cancellable; /* the previews */
  gboolean busy;
};

static void tto_evidence_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TtoEvidenceList, tto_evidence_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      tto_evidence_list_model_init))

G_DEFINE_QUARK (tto-evidence-list-error-quark, tto_evidence_list_error)

enum
{
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* GListModel */

static GType
model_get_item_type (GListModel *model)
{
  return TTO_TYPE_EVIDENCE;
}

static guint
model_get_n_items (GListModel *model)
{
  return g_list_model_get_n_items (G_LIST_MODEL (TTO_EVIDENCE_LIST (model)->items));
}

static gpointer
model_get_item (GListModel *model,
                guint position)
{
  return g_list_model_get_item (G_LIST_MODEL (TTO_EVIDENCE_LIST (model)->items), position);
}

static void
tto_evidence_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = model_get_item_type;
  iface->get_n_items = model_get_n_items;
  iface->get_item = model_get_item;
}

static void
on_items_changed (GListModel *store,
                  guint position,
                  guint removed,
                  guint added,
                  TtoEvidenceList *self)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

/* GObject */

static void
tto_evidence_list_dispose (GObject *object)
{
  TtoEvidenceList *self = TTO_EVIDENCE_LIST (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->items != NULL)
    g_signal_handlers_disconnect_by_data (self->items, self);
  g_clear_object (&self->items);

  G_OBJECT_CLASS (tto_evidence_list_parent_class)->dispose (object);
}

static void
tto_evidence_list_get_property (GObject *object,
                                guint prop_id,
                                GValue *value,
                                GParamSpec *pspec)
{
  TtoEvidenceList *self = TTO_EVIDENCE_LIST (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_evidence_list_class_init (TtoEvidenceListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tto_evidence_list_dispose;
  object_class->get_property = tto_evidence_list_get_property;

  /* Uploading: the list should not change meanwhile. */
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                                                  G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tto_evidence_list_init (TtoEvidenceList *self)
{
  self->items = g_list_store_new (TTO_TYPE_EVIDENCE);
  self->cancellable = g_cancellable_new ();
  g_signal_connect (self->items, "items-changed", G_CALLBACK (on_items_changed), self);
}

TtoEvidenceList *
tto_evidence_list_new (void)
{
  return g_object_new (TTO_TYPE_EVIDENCE_LIST, NULL);
}

/* How many files an application may carry. */
guint
tto_evidence_list_get_max (TtoEvidenceList *self)
{
  g_return_val_if_fail (TTO_IS_EVIDENCE_LIST (self), 0);

  return TTO_PROTOCOL_MAX_EVIDENCE;
}

/* Details and previews */

typedef struct
{
  TtoEvidence *evidence;
  GCancellable *cancellable;
  TtoThumbnailer *thumbnailer;
} Details;

static void
details_free (Details *details)
{
  g_object_unref (details->evidence);
  g_object_unref (details->cancellable);
  g_clear_object (&details->thumbnailer);
  g_free (details);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Details, details_free)

static void
on_preview_ready (GObject *object,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (Details) details = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = NULL;

  if (!tto_thumbnailer_run_finish (details->thumbnailer, result, &error))
    {
      /* Named like a picture but none GdkPixbuf reads: it goes as a file. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tto_evidence_set_details (details->evidence, NULL, TTO_EVIDENCE_FILE,
                                  tto_evidence_get_size (details->evidence));
      return;
    }
  /* 2× the row's 48 px, for sharp previews on 2× screens. */
  texture = tto_evidence_make_square (tto_thumbnailer_get_thumbnail (details->thumbnailer), 96,
                                      &error);
  if (texture == NULL)
    {
      g_debug ("Preview not shown (%s %d)", g_quark_to_string (error->domain), error->code);
      return;
    }
  tto_evidence_set_preview (details->evidence, GDK_PAINTABLE (texture));
}

static void
on_picture_loaded (GObject *object,
                   GAsyncResult *result,
                   gpointer user_data)
{
  g_autoptr (Details) details = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  Details *next;

  bytes = g_file_load_bytes_finish (G_FILE (object), result, NULL, &error);
  if (bytes == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Picture not read for its preview (%s %d)",
                 g_quark_to_string (error->domain), error->code);
      return;
    }
  details->thumbnailer = tto_thumbnailer_new (bytes, TTO_THUMBNAILER_DEFAULT_MAX_SIZE);
  next = g_steal_pointer (&details);
  tto_thumbnailer_run_async (next->thumbnailer, next->cancellable, on_preview_ready, next);
}

static const char *
kind_of (const char *content_type,
         const char *name)
{
  g_autofree char *mime = NULL;
  g_autofree char *guessed = NULL;

  if (content_type != NULL && !g_content_type_is_unknown (content_type))
    mime = g_content_type_get_mime_type (content_type);
  if (mime == NULL && name != NULL)
    {
      guessed = g_content_type_guess (name, NULL, 0, NULL);
      mime = g_content_type_get_mime_type (guessed);
    }
  if (mime != NULL && g_str_has_prefix (mime, "image/"))
    return TTO_EVIDENCE_PICTURE;
  if (mime != NULL && g_str_has_prefix (mime, "video/"))
    return TTO_EVIDENCE_VIDEO;
  return TTO_EVIDENCE_FILE;
}

static void
on_info_ready (GObject *object,
               GAsyncResult *result,
               gpointer user_data)
{
  g_autoptr (Details) details = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GFileInfo) info = NULL;
  const char *name;
  const char *kind;
  Details *next;

  info = g_file_query_info_finish (G_FILE (object), result, &error);
  if (info == NULL)
    {
      /* The upload will say why (it reads the file). */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No details of a chosen file (%s %d)",
                 g_quark_to_string (error->domain), error->code);
      return;
    }

  name = g_file_info_get_display_name (info);
  kind = kind_of (g_file_info_get_content_type (info), name);
  tto_evidence_set_details (details->evidence, name, kind, g_file_info_get_size (info));
  if (!g_str_equal (kind, TTO_EVIDENCE_PICTURE) || g_file_info_get_size (info) > MAX_PREVIEW_BYTES)
    return;
  next = g_steal_pointer (&details);
  g_file_load_bytes_async (G_FILE (object), next->cancellable, on_picture_loaded, next);
}

/* Adding and removing */

/* Adds what fits of @files (in order) as waiting evidence. Returns how
 * many were added; when some did not fit, @error says so
 * (TTO_EVIDENCE_LIST_ERROR_FULL). */
guint
tto_evidence_list_add_files (TtoEvidenceList *self,
                             GFile *const *files,
                             guint n_files,
                             GError **error)
{
  guint added = 0;

  g_return_val_if_fail (TTO_IS_EVIDENCE_LIST (self), 0);
  g_return_val_if_fail (files != NULL || n_files == 0, 0);

  for (guint i = 0; i < n_files; i++)
    {
      g_autoptr (TtoEvidence) evidence = NULL;
      Details *details;

      if (g_list_model_get_n_items (G_LIST_MODEL (self->items)) >= TTO_PROTOCOL_MAX_EVIDENCE)
        {
          g_set_error (error, TTO_EVIDENCE_LIST_ERROR, TTO_EVIDENCE_LIST_ERROR_FULL,
                       "at most %d files; %u not added", TTO_PROTOCOL_MAX_EVIDENCE,
                       n_files - i);
          break;
        }
      evidence = tto_evidence_new_for_file (files[i]);
      g_list_store_append (self->items, evidence);
      added++;

      details = g_new0 (Details, 1);
      details->evidence = g_object_ref (evidence);
      details->cancellable = g_object_ref (self->cancellable);
      g_file_query_info_async (files[i], INFO_QUERY, G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT,
                               details->cancellable, on_info_ready, details);
    }
  return added;
}

/* Evidence sent earlier (it counts towards the limit). */
void
tto_evidence_list_add (TtoEvidenceList *self,
                       TtoEvidence *evidence)
{
  g_return_if_fail (TTO_IS_EVIDENCE_LIST (self));
  g_return_if_fail (TTO_IS_EVIDENCE (evidence));

  if (g_list_model_get_n_items (G_LIST_MODEL (self->items)) >= TTO_PROTOCOL_MAX_EVIDENCE)
    return;
  g_list_store_append (self->items, evidence);
}

/* Takes @evidence off the request (a file sent earlier stops being named
 * by it). Not while it goes up: returns FALSE then. */
gboolean
tto_evidence_list_remove (TtoEvidenceList *self,
                          TtoEvidence *evidence)
{
  guint position;

  g_return_val_if_fail (TTO_IS_EVIDENCE_LIST (self), FALSE);
  g_return_val_if_fail (TTO_IS_EVIDENCE (evidence), FALSE);

  if (tto_evidence_get_state (evidence) == TTO_EVIDENCE_UPLOADING ||
      !g_list_store_find (self->items, evidence, &position))
    return FALSE;
  g_list_store_remove (self->items, position);
  return TRUE;
}

/* Files still to upload (waiting or failed). */
guint
tto_evidence_list_count_unsent (TtoEvidenceList *self)
{
  guint count = 0;

  g_return_val_if_fail (TTO_IS_EVIDENCE_LIST (self), 0);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->items)); i++)
    {
      g_autoptr (TtoEvidence) evidence = g_list_model_get_item (G_LIST_MODEL (self->items), i);

      if (tto_evidence_get_state (evidence) != TTO_EVIDENCE_SENT)
        count++;
    }
  return count;
}

gboolean
tto_evidence_list_get_busy (TtoEvidenceList *self)
{
  g_return_val_if_fail (TTO_IS_EVIDENCE_LIST (self), FALSE);

  return self->busy;
}

/* The blob ids of the files the relay holds, in the list's order. */
GStrv
tto_evidence_list_dup_blob_ids (TtoEvidenceList *self)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (TTO_IS_EVIDENCE_LIST (self), NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->items)); i++)
    {
      g_autoptr (TtoEvidence) evidence = g_list_model_get_item (G_LIST_MODEL (self->items), i);

      if (tto_evidence_get_state (evidence) == TTO_EVIDENCE_SENT)
        g_strv_builder_add (builder, tto_evidence_get_blob_id (evidence));
    }
  return g_strv_builder_end (builder);
}

/* Uploading */

typedef struct
{
  TtoBlobTransfer *transfer;
  char *event_id;
  GHashTable *tried; /* TtoEvidence tried in this run */
  TtoEvidence *current;
  GError *first_error;
} Upload;

static void
upload_free (Upload *upload)
{
  g_object_unref (upload->transfer);
  g_free (upload->event_id);
  g_hash_table_unref (upload->tried);
  g_clear_object (&upload->current);
  g_clear_error (&upload->first_error);
  g_free (upload);
}

static void
set_busy (TtoEvidenceList *self,
          gboolean busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void upload_next (GTask *task);

static void
on_upload_progress (goffset done,
                    goffset total,
                    gpointer user_data)
{
  TtoEvidence *evidence = user_data;

  if (total <= 0)
    total = tto_evidence_get_size (evidence);
  if (total > 0)
    tto_evidence_set_progress (evidence, (double) done / (double) total);
}

static void
on_uploaded (GObject *object,
             GAsyncResult *result,
             gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Upload *upload = g_task_get_task_data (task);
  g_autoptr (TtoBlobInfo) info = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoEvidence) evidence = g_steal_pointer (&upload->current);

  info = tto_blob_transfer_upload_finish (TTO_BLOB_TRANSFER (object), result, &error);
  if (info == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          TtoEvidenceList *self = g_task_get_source_object (task);

          tto_evidence_set_failed (evidence, error);
          set_busy (self, FALSE);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      /* Only the reason's code goes to the log; the relay's text may echo
       * a file's size, never its content. */
      g_debug ("Evidence upload failed: %s %d", g_quark_to_string (error->domain), error->code);
      tto_evidence_set_failed (evidence, error);
      if (upload->first_error == NULL)
        upload->first_error = g_steal_pointer (&error);
    }
  else
    tto_evidence_set_sent (evidence, info->blob_id);
  upload_next (task);
}

static void
upload_next (GTask *task)
{
  TtoEvidenceList *self = g_task_get_source_object (task);
  Upload *upload = g_task_get_task_data (task);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->items)); i++)
    {
      g_autoptr (TtoEvidence) evidence = g_list_model_get_item (G_LIST_MODEL (self->items), i);

      if (tto_evidence_get_state (evidence) == TTO_EVIDENCE_SENT ||
          tto_evidence_get_file (evidence) == NULL ||
          g_hash_table_contains (upload->tried, evidence))
        continue;

      g_hash_table_add (upload->tried, g_object_ref (evidence));
      upload->current = g_object_ref (evidence);
      tto_evidence_set_uploading (evidence);
      tto_blob_transfer_upload_file_async (upload->transfer, upload->event_id,
                                           tto_evidence_get_file (evidence), on_upload_progress,
                                           g_object_ref (evidence), g_object_unref,
                                           g_task_get_cancellable (task), on_uploaded,
                                           g_object_ref (task));
      return;
    }

  set_busy (self, FALSE);
  if (upload->first_error != NULL)
    g_task_return_error (task, g_steal_pointer (&upload->first_error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Uploads every file not sent yet to @event_id (which must hold this
 * identity's application, or membership), one after another. Fails with
 * the first file's error when any failed; the others are sent all the
 * same (tto_evidence_list_dup_blob_ids() names them). */
void
tto_evidence_list_upload_async (TtoEvidenceList *self,
                                TtoBlobTransfer *transfer,
                                const char *event_id,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  Upload *upload;

  g_return_if_fail (TTO_IS_EVIDENCE_LIST (self));
  g_return_if_fail (TTO_IS_BLOB_TRANSFER (transfer));
  g_return_if_fail (event_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_evidence_list_upload_async);
  if (self->busy)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "already uploading");
      return;
    }

  upload = g_new0 (Upload, 1);
  upload->transfer = g_object_ref (transfer);
  upload->event_id = g_strdup (event_id);
  upload->tried = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  g_task_set_task_data (task, upload, (GDestroyNotify) upload_free);
  set_busy (self, TRUE);
  upload_next (task);
}

gboolean
tto_evidence_list_upload_finish (TtoEvidenceList *self,
                                 GAsyncResult *result,
                                 GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
