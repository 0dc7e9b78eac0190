/* tto-media-probe.c: decodes a voice or video message to learn its length
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   giostreamsrc (GMemoryInputStream) → decodebin → fakesink per stream
 *
 * The memory stream is seekable, so demuxers run in pull mode and find the
 * length even of an Ogg file, which says it nowhere up front. Every buffer is
 * decoded, as fast as the CPU allows; the length is the span of the decoded
 * timestamps, which holds even for a file whose header has no duration.
 */
#define G_LOG_DOMAIN "tto-media"

#include "tto-media-private.h"
#include "tto-media-probe.h"

struct _TtoMediaProbe
{
  GObject parent_instance;

  GBytes *media;
  GMainContext *context;
  GstElement *pipeline;
  GSource *bus_watch;
  GTask *task;
  gulong cancelled_id;

  /* Written by streaming threads. */
  GMutex lock;
  GstClockTime first_pts;
  GstClockTime last_end;
  guint audio_buffers;
  guint video_frames;
  guint width;
  guint height;
  guint duration_ms;
};

G_DEFINE_QUARK (tto-media-probe-error-quark, tto_media_probe_error)

G_DEFINE_FINAL_TYPE (TtoMediaProbe, tto_media_probe, G_TYPE_OBJECT)

static void
teardown (TtoMediaProbe *self)
{
  if (self->bus_watch != NULL)
    {
      g_source_destroy (self->bus_watch);
      g_clear_pointer (&self->bus_watch, g_source_unref);
    }
  if (self->pipeline != NULL)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      g_clear_pointer (&self->pipeline, gst_object_unref);
    }
}

static void
complete (TtoMediaProbe *self,
          GError *error)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->task);

  teardown (self);
  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }

  g_cancellable_disconnect (g_task_get_cancellable (task), self->cancelled_id);
  self->cancelled_id = 0;
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
finish (TtoMediaProbe *self)
{
  gint64 duration = -1;

  g_mutex_lock (&self->lock);
  if (GST_CLOCK_TIME_IS_VALID (self->first_pts) && self->last_end > self->first_pts)
    self->duration_ms = (guint) ((self->last_end - self->first_pts) / GST_MSECOND);
  g_mutex_unlock (&self->lock);

  if (self->duration_ms == 0 &&
      gst_element_query_duration (self->pipeline, GST_FORMAT_TIME, &duration) && duration > 0)
    self->duration_ms = (guint) (duration / GST_MSECOND);

  if (self->audio_buffers == 0 && self->video_frames == 0)
    complete (self, g_error_new (TTO_MEDIA_PROBE_ERROR, TTO_MEDIA_PROBE_ERROR_NOT_MEDIA,
                                 "no audio or video could be decoded"));
  else
    complete (self, NULL);
}

static gboolean
on_bus_message (GstBus *bus,
                GstMessage *message,
                gpointer user_data)
{
  TtoMediaProbe *self = user_data;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      {
        g_autoptr (GError) gst_error = NULL;
        gboolean not_media;

        gst_message_parse_error (message, &gst_error, NULL);
        not_media = g_error_matches (gst_error, GST_STREAM_ERROR,
                                     GST_STREAM_ERROR_TYPE_NOT_FOUND) ||
                    g_error_matches (gst_error, GST_STREAM_ERROR, GST_STREAM_ERROR_WRONG_TYPE) ||
                    g_error_matches (gst_error, GST_STREAM_ERROR, GST_STREAM_ERROR_DEMUX);
        g_debug ("probe: %s", gst_error->message);
        complete (self, g_error_new (TTO_MEDIA_PROBE_ERROR,
                                     not_media ? TTO_MEDIA_PROBE_ERROR_NOT_MEDIA
                                               : TTO_MEDIA_PROBE_ERROR_FAILED,
                                     "cannot decode the media: %s", gst_error->message));
        return G_SOURCE_CONTINUE;
      }

    case GST_MESSAGE_EOS:
      finish (self);
      return G_SOURCE_CONTINUE;

    default:
      return G_SOURCE_CONTINUE;
    }
}

/* Streaming threads: every decoded buffer. */
static GstPadProbeReturn
on_decoded_buffer (GstPad *pad,
                   GstPadProbeInfo *info,
                   gpointer user_data)
{
  TtoMediaProbe *self = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  GstClockTime duration = GST_BUFFER_DURATION (buffer);
  gboolean is_video = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (pad), "tto-video"));

  g_mutex_lock (&self->lock);
  if (is_video)
    self->video_frames++;
  else
    self->audio_buffers++;
  if (GST_CLOCK_TIME_IS_VALID (pts))
    {
      GstClockTime end = pts + (GST_CLOCK_TIME_IS_VALID (duration) ? duration : 0);

      if (!GST_CLOCK_TIME_IS_VALID (self->first_pts) || pts < self->first_pts)
        self->first_pts = pts;
      if (!GST_CLOCK_TIME_IS_VALID (self->last_end) || end > self->last_end)
        self->last_end = end;
    }
  g_mutex_unlock (&self->lock);

  return GST_PAD_PROBE_OK;
}

/* Streaming thread: decodebin found a stream. */
static void
on_pad_added (GstElement *decodebin,
              GstPad *pad,
              gpointer user_data)
{
  TtoMediaProbe *self = user_data;
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  g_autoptr (GstPad) sink_pad = NULL;
  GstStructure *structure;
  GstElement *pipeline = GST_ELEMENT (gst_element_get_parent (decodebin));
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  gboolean is_video = FALSE;

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  structure = gst_caps_get_structure (caps, 0);
  if (gst_structure_has_name (structure, "video/x-raw"))
    {
      int width = 0;
      int height = 0;

      is_video = TRUE;
      gst_structure_get_int (structure, "width", &width);
      gst_structure_get_int (structure, "height", &height);
      g_mutex_lock (&self->lock);
      self->width = (guint) MAX (width, 0);
      self->height = (guint) MAX (height, 0);
      g_mutex_unlock (&self->lock);
    }

  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (pipeline), sink);
  sink_pad = gst_element_get_static_pad (sink, "sink");
  g_object_set_data (G_OBJECT (sink_pad), "tto-video", GINT_TO_POINTER (is_video));
  gst_pad_add_probe (sink_pad, GST_PAD_PROBE_TYPE_BUFFER, on_decoded_buffer, self, NULL);
  gst_element_sync_state_with_parent (sink);
  if (gst_pad_link (pad, sink_pad) != GST_PAD_LINK_OK)
    g_debug ("probe: cannot link a decoded stream");

  gst_object_unref (pipeline);
}

static gboolean
on_cancelled_idle (gpointer user_data)
{
  TtoMediaProbe *self = user_data;

  if (self->task != NULL)
    complete (self, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "probing was cancelled"));

  return G_SOURCE_REMOVE;
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer user_data)
{
  TtoMediaProbe *self = user_data;

  /* Maybe another thread: finish on the probe's context. */
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, on_cancelled_idle,
                              g_object_ref (self), g_object_unref);
}

static void
tto_media_probe_dispose (GObject *object)
{
  TtoMediaProbe *self = TTO_MEDIA_PROBE (object);

  teardown (self);

  G_OBJECT_CLASS (tto_media_probe_parent_class)->dispose (object);
}

static void
tto_media_probe_finalize (GObject *object)
{
  TtoMediaProbe *self = TTO_MEDIA_PROBE (object);

  g_clear_pointer (&self->media, g_bytes_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (tto_media_probe_parent_class)->finalize (object);
}

static void
tto_media_probe_class_init (TtoMediaProbeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tto_media_probe_dispose;
  object_class->finalize = tto_media_probe_finalize;

  tto_media_ensure_gst ();
}

static void
tto_media_probe_init (TtoMediaProbe *self)
{
  g_mutex_init (&self->lock);
  self->first_pts = GST_CLOCK_TIME_NONE;
  self->last_end = GST_CLOCK_TIME_NONE;
}

/* @media: an attachment's bytes (Ogg/Opus, WebM, …). */
TtoMediaProbe *
tto_media_probe_new (GBytes *media)
{
  TtoMediaProbe *self;

  g_return_val_if_fail (media != NULL, NULL);

  self = g_object_new (TTO_TYPE_MEDIA_PROBE, NULL);
  self->media = g_bytes_ref (media);

  return self;
}

/* Decodes everything once; afterwards the getters tell what was found. */
void
tto_media_probe_run_async (TtoMediaProbe *self,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GInputStream) stream = NULL;
  g_autoptr (GError) error = NULL;
  GstElement *source;
  GstElement *decodebin;

  g_return_if_fail (TTO_IS_MEDIA_PROBE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_media_probe_run_async);

  if (self->task != NULL || self->pipeline != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "already probing");
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  self->pipeline = gst_pipeline_new ("tto-media-probe");
  gst_object_ref_sink (self->pipeline);
  source = tto_media_make_element ("giostreamsrc", NULL, &error);
  decodebin = source != NULL ? tto_media_make_element ("decodebin", NULL, &error) : NULL;
  if (decodebin == NULL)
    {
      g_clear_pointer (&source, gst_object_unref);
      teardown (self);
      g_task_return_new_error (task, TTO_MEDIA_PROBE_ERROR, TTO_MEDIA_PROBE_ERROR_FAILED, "%s",
                               error->message);
      return;
    }
  gst_bin_add_many (GST_BIN (self->pipeline), source, decodebin, NULL);

  stream = g_memory_input_stream_new_from_bytes (self->media);
  g_object_set (source, "stream", stream, NULL);
  g_signal_connect (decodebin, "pad-added", G_CALLBACK (on_pad_added), self);
  gst_element_link (source, decodebin);

  self->task = g_object_ref (task);
  if (cancellable != NULL)
    self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), self,
                                                NULL);
  self->bus_watch = tto_media_add_bus_watch (self->pipeline, self->context, on_bus_message,
                                             self);
  gst_element_set_state (self->pipeline, GST_STATE_PLAYING);
}

gboolean
tto_media_probe_run_finish (TtoMediaProbe *self,
                            GAsyncResult *result,
                            GError **error)
{
  g_return_val_if_fail (TTO_IS_MEDIA_PROBE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The span of the decoded timestamps, of all streams. */
guint
tto_media_probe_get_duration_ms (TtoMediaProbe *self)
{
  g_return_val_if_fail (TTO_IS_MEDIA_PROBE (self), 0);

  return self->duration_ms;
}

guint
tto_media_probe_get_audio_buffers (TtoMediaProbe *self)
{
  guint n;

  g_return_val_if_fail (TTO_IS_MEDIA_PROBE (self), 0);

  g_mutex_lock (&self->lock);
  n = self->audio_buffers;
  g_mutex_unlock (&self->lock);

  return n;
}

guint
tto_media_probe_get_video_frames (TtoMediaProbe *self)
{
  guint n;

  g_return_val_if_fail (TTO_IS_MEDIA_PROBE (self), 0);

  g_mutex_lock (&self->lock);
  n = self->video_frames;
  g_mutex_unlock (&self->lock);

  return n;
}

guint
tto_media_probe_get_width (TtoMediaProbe *self)
{
  g_return_val_if_fail (TTO_IS_MEDIA_PROBE (self), 0);

  return self->width;
}

guint
tto_media_probe_get_height (TtoMediaProbe *self)
{
  g_return_val_if_fail (TTO_IS_MEDIA_PROBE (self), 0);

  return self->height;
}
