/* tto-media-upload.c: one attachment on its way out
 *
 * The message shows at once, pending, with the upload's progress; the
 * attachment's bytes go up by HTTP (TtoBlobTransfer), then its thumbnail;
 * only once the relay stored both does msg.send name them. Cancelling or a
 * failure takes the pending message away again; "failed" says why (the
 * relay's too_large or forbidden come as TTO_PROTOCOL_ERROR).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tto-media-cache.h"

#include "tto-media-upload.h"

#define UPLOAD_KEY "tto-media-upload"

struct _TtoMediaUpload
{
  GObject parent_instance;

  TtoSession *session;
  TtoEvent *event;
  TtoMessage *message;
  JsonObject *attachment;
  GBytes *data;
  GFile *file;
  goffset size;
  GBytes *thumbnail;
  char *blob_id;
  GCancellable *cancellable;
  TtoMediaUploadState state;
  double progress;
  GError *error;
};

G_DEFINE_FINAL_TYPE (TtoMediaUpload, tto_media_upload, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_PROGRESS,
  N_PROPS
};

enum
{
  FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_state (TtoMediaUpload *self,
           TtoMediaUploadState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_progress (TtoMediaUpload *self,
              double progress)
{
  progress = CLAMP (progress, 0.0, 1.0);
  if (progress == self->progress)
    return;
  self->progress = progress;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
}

/* The message no longer needs its upload (sent, failed or cancelled). */
static void
detach (TtoMediaUpload *self)
{
  if (self->message != NULL && g_object_get_data (G_OBJECT (self->message), UPLOAD_KEY) == self)
    g_object_set_data (G_OBJECT (self->message), UPLOAD_KEY, NULL);
}

static void
fail (TtoMediaUpload *self,
      GError *error)
{
  g_autoptr (TtoMediaUpload) keep = g_object_ref (self);
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_clear_error (&self->error);
  self->error = error;
  if (self->session != NULL && self->message != NULL)
    tto_session_discard_pending (self->session, self->message);
  set_state (self, cancelled ? TTO_MEDIA_UPLOAD_CANCELLED : TTO_MEDIA_UPLOAD_FAILED);
  if (!cancelled)
    g_signal_emit (self, signals[FAILED], 0, self->error);
  detach (self);
}

static void
on_progress (goffset done,
             goffset total,
             gpointer user_data)
{
  TtoMediaUpload *self = user_data;

  if (total <= 0)
    total = self->size;
  /* The thumbnail is small: the main upload is most of the way. */
  if (total > 0)
    set_progress (self, 0.95 * (double) done / (double) total);
}

static void
send_now (TtoMediaUpload *self)
{
  g_autoptr (TtoMediaUpload) keep = g_object_ref (self);

  set_progress (self, 1.0);
  set_state (self, TTO_MEDIA_UPLOAD_SENT);
  tto_session_send_pending_attachment (self->session, self->message, self->attachment);
  detach (self);
}

static void
on_thumbnail_uploaded (GObject *object,
                       GAsyncResult *result,
                       gpointer user_data)
{
  g_autoptr (TtoMediaUpload) self = user_data;
  g_autoptr (TtoBlobInfo) info = NULL;
  GError *error = NULL;

  info = tto_blob_transfer_upload_finish (TTO_BLOB_TRANSFER (object), result, &error);
  if (info == NULL)
    {
      fail (self, error);
      return;
    }

  json_object_set_string_member (self->attachment, "thumbnail_blob_id", info->blob_id);
  tto_media_cache_insert (tto_media_cache_get_for_session (self->session),
                          tto_event_get_id (self->event), info->blob_id, self->thumbnail);
  send_now (self);
}

static void
on_uploaded (GObject *object,
             GAsyncResult *result,
             gpointer user_data)
{
  g_autoptr (TtoMediaUpload) self = user_data;
  g_autoptr (TtoBlobInfo) info = NULL;
  GError *error = NULL;

  info = tto_blob_transfer_upload_finish (TTO_BLOB_TRANSFER (object), result, &error);
  if (info == NULL)
    {
      fail (self, error);
      return;
    }

  json_object_set_string_member (self->attachment, "blob_id", info->blob_id);
  if (info->mime_type != NULL)
    json_object_set_string_member (self->attachment, "mime_type", info->mime_type);
  json_object_set_int_member (self->attachment, "size", info->size);
  if (info->sha256 != NULL)
    json_object_set_string_member (self->attachment, "sha256", info->sha256);
  if (self->data != NULL)
    tto_media_cache_insert (tto_media_cache_get_for_session (self->session),
                            tto_event_get_id (self->event), info->blob_id, self->data);

  if (self->thumbnail == NULL)
    {
      send_now (self);
      return;
    }
  tto_blob_transfer_upload_bytes_async (
    tto_connection_get_blob_transfer (tto_session_get_connection (self->session)),
    tto_event_get_id (self->event), self->thumbnail, NULL, NULL, NULL, self->cancellable,
    on_thumbnail_uploaded, g_object_ref (self));
}

static void
tto_media_upload_dispose (GObject *object)
{
  TtoMediaUpload *self = TTO_MEDIA_UPLOAD (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->event);
  g_clear_object (&self->message);

  G_OBJECT_CLASS (tto_media_upload_parent_class)->dispose (object);
}

static void
tto_media_upload_finalize (GObject *object)
{
  TtoMediaUpload *self = TTO_MEDIA_UPLOAD (object);

  g_clear_pointer (&self->attachment, json_object_unref);
  g_clear_pointer (&self->data, g_bytes_unref);
  g_clear_pointer (&self->thumbnail, g_bytes_unref);
  g_clear_object (&self->file);
  g_free (self->blob_id);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (tto_media_upload_parent_class)->finalize (object);
}

static void
tto_media_upload_get_property (GObject *object,
                               guint prop_id,
                               GValue *value,
                               GParamSpec *pspec)
{
  TtoMediaUpload *self = TTO_MEDIA_UPLOAD (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_media_upload_class_init (TtoMediaUploadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tto_media_upload_dispose;
  object_class->finalize = tto_media_upload_finalize;
  object_class->get_property = tto_media_upload_get_property;

  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, TTO_MEDIA_UPLOAD_IDLE,
                                             TTO_MEDIA_UPLOAD_CANCELLED, TTO_MEDIA_UPLOAD_IDLE,
                                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                                               G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PROGRESS] = g_param_spec_double ("progress", NULL, NULL, 0.0, 1.0, 0.0,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                                                     G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The upload or the send failed (GError); the pending message is gone. */
  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
tto_media_upload_init (TtoMediaUpload *self)
{
  self->attachment = json_object_new ();
  self->cancellable = g_cancellable_new ();
}

static TtoMediaUpload *
upload_new (TtoSession *session,
            TtoEvent *event,
            const char *kind,
            const char *name)
{
  TtoMediaUpload *self = g_object_new (TTO_TYPE_MEDIA_UPLOAD, NULL);

  self->session = g_object_ref (session);
  self->event = g_object_ref (event);
  json_object_set_string_member (self->attachment, "kind", kind);
  if (name != NULL && *name != '\0')
    {
      /* The protocol allows 255 characters. */
      g_autofree char *clipped = g_utf8_substring (name, 0, MIN (g_utf8_strlen (name, -1), 255));

      json_object_set_string_member (self->attachment, "name", clipped);
    }
  return self;
}

/* @kind: "image", "voice", "video", "sticker" or "file"; @data: the bytes
 * to upload. */
TtoMediaUpload *
tto_media_upload_new_bytes (TtoSession *session,
                            TtoEvent *event,
                            const char *kind,
                            GBytes *data,
                            const char *name)
{
  TtoMediaUpload *self;

  g_return_val_if_fail (TTO_IS_SESSION (session), NULL);
  g_return_val_if_fail (TTO_IS_EVENT (event), NULL);
  g_return_val_if_fail (kind != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);

  self = upload_new (session, event, kind, name);
  self->data = g_bytes_ref (data);
  self->size = g_bytes_get_size (data);
  json_object_set_int_member (self->attachment, "size", self->size);
  return self;
}

/* A file sent as it is, read from disk while it goes up. */
TtoMediaUpload *
tto_media_upload_new_file (TtoSession *session,
                           TtoEvent *event,
                           GFile *file,
                           const char *name,
                           goffset size,
                           const char *content_type)
{
  TtoMediaUpload *self;

  g_return_val_if_fail (TTO_IS_SESSION (session), NULL);
  g_return_val_if_fail (TTO_IS_EVENT (event), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  self = upload_new (session, event, "file", name);
  self->file = g_object_ref (file);
  self->size = size;
  json_object_set_int_member (self->attachment, "size", size);
  if (content_type != NULL)
    {
      g_autofree char *mime = g_content_type_get_mime_type (content_type);

      if (mime != NULL)
        json_object_set_string_member (self->attachment, "mime_type", mime);
    }
  return self;
}

/* A preview made here (≤ 320 px); @width and @height are the original's. */
void
tto_media_upload_set_thumbnail (TtoMediaUpload *self,
                                GBytes *thumbnail,
                                guint width,
                                guint height)
{
  g_return_if_fail (TTO_IS_MEDIA_UPLOAD (self));

  g_clear_pointer (&self->thumbnail, g_bytes_unref);
  if (thumbnail != NULL)
    self->thumbnail = g_bytes_ref (thumbnail);
  if (width > 0 && height > 0)
    {
      json_object_set_int_member (self->attachment, "width", width);
      json_object_set_int_member (self->attachment, "height", height);
    }
}

void
tto_media_upload_set_duration (TtoMediaUpload *self,
                               guint duration_ms)
{
  g_return_if_fail (TTO_IS_MEDIA_UPLOAD (self));

  json_object_set_int_member (self->attachment, "duration_ms", duration_ms);
}

void
tto_media_upload_set_waveform (TtoMediaUpload *self,
                               const guint8 *levels,
                               gsize n_levels)
{
  JsonArray *array;

  g_return_if_fail (TTO_IS_MEDIA_UPLOAD (self));

  array = json_array_new ();
  for (gsize i = 0; i < MIN (n_levels, TTO_VOICE_RECORDER_MAX_WAVEFORM); i++)
    json_array_add_int_element (array, levels[i]);
  json_object_set_array_member (self->attachment, "waveform", array);
}

/* Shows the pending message and starts the upload. Returns the message
 * (owned by the session's list), or NULL with @error. */
TtoMessage *
tto_media_upload_start (TtoMediaUpload *self,
                        GError **error)
{
  TtoBlobTransfer *transfer;
  TtoMessage *message;

  g_return_val_if_fail (TTO_IS_MEDIA_UPLOAD (self), NULL);
  g_return_val_if_fail (self->state == TTO_MEDIA_UPLOAD_IDLE, NULL);

  message = tto_session_add_pending_attachment (self->session, self->event, NULL,
                                                self->attachment, error);
  if (message == NULL)
    return NULL;

  self->message = g_object_ref (message);
  g_object_set_data_full (G_OBJECT (message), UPLOAD_KEY, g_object_ref (self), g_object_unref);
  set_state (self, TTO_MEDIA_UPLOAD_UPLOADING);

  transfer = tto_connection_get_blob_transfer (tto_session_get_connection (self->session));
  if (self->data != NULL)
    tto_blob_transfer_upload_bytes_async (transfer, tto_event_get_id (self->event), self->data,
                                          on_progress, self, NULL, self->cancellable,
                                          on_uploaded, g_object_ref (self));
  else
    tto_blob_transfer_upload_file_async (transfer, tto_event_get_id (self->event), self->file,
                                         on_progress, self, NULL, self->cancellable,
                                         on_uploaded, g_object_ref (self));
  return message;
}

/* Stops the upload; the pending message goes. */
void
tto_media_upload_cancel (TtoMediaUpload *self)
{
  g_return_if_fail (TTO_IS_MEDIA_UPLOAD (self));

  if (self->state == TTO_MEDIA_UPLOAD_UPLOADING)
    g_cancellable_cancel (self->cancellable);
}

/* The upload of a pending message, or NULL (none, or it is done). */
TtoMediaUpload *
tto_media_upload_for_message (TtoMessage *message)
{
  g_return_val_if_fail (TTO_IS_MESSAGE (message), NULL);

  return g_object_get_data (G_OBJECT (message), UPLOAD_KEY);
}

TtoMediaUploadState
tto_media_upload_get_state (TtoMediaUpload *self)
{
  g_return_val_if_fail (TTO_IS_MEDIA_UPLOAD (self), TTO_MEDIA_UPLOAD_FAILED);

  return self->state;
}

double
tto_media_upload_get_progress (TtoMediaUpload *self)
{
  g_return_val_if_fail (TTO_IS_MEDIA_UPLOAD (self), 0.0);

  return self->progress;
}

TtoMessage *
tto_media_upload_get_message (TtoMediaUpload *self)
{
  g_return_val_if_fail (TTO_IS_MEDIA_UPLOAD (self), NULL);

  return self->message;
}

/* The bytes being sent (NULL for a file read from disk). */
GBytes *
tto_media_upload_get_data (TtoMediaUpload *self)
{
  g_return_val_if_fail (TTO_IS_MEDIA_UPLOAD (self), NULL);

  return self->data;
}

GBytes *
tto_media_upload_get_thumbnail (TtoMediaUpload *self)
{
  g_return_val_if_fail (TTO_IS_MEDIA_UPLOAD (self), NULL);

  return self->thumbnail;
}

const GError *
tto_media_upload_get_error (TtoMediaUpload *self)
{
  g_return_val_if_fail (TTO_IS_MEDIA_UPLOAD (self), NULL);

  return self->error;
}
