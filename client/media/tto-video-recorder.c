/* tto-video-recorder.c: video messages, recorded to WebM (VP8 + Opus) in
 * memory, with a live preview
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   camera → videoconvert → videoscale → videorate ≤ 24 fps → I420 640×360 → tee
 *     tee → queue → vp8enc (realtime) → webmmux → giostreamsink (GMemoryOutputStream)
 *     tee → leaky queue → videoconvert → RGB → appsink → GdkMemoryTexture (the preview)
 *   microphone → audioconvert → audioresample → mono → queue → opusenc → webmmux
 *
 * The muxer writes into a GMemoryOutputStream rather than an appsink: the
 * stream is seekable, so webmmux goes back at the end to write the duration
 * and the cues, which players need to show a length and to seek. Nothing
 * touches the disk. gtk4paintablesink is not in Debian 12, so the preview is
 * this object itself, a GdkPaintable fed by the appsink.
 */
#define G_LOG_DOMAIN "tto-media"

#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <string.h>

#include "tto-media-private.h"
#include "tto-video-recorder.h"

#define TICK_MS 50
#define DEFAULT_WIDTH 640
#define DEFAULT_HEIGHT 360
#define MAX_FRAMERATE 24
#define VP8_BITRATE 800000
#define OPUS_BITRATE 48000

struct _TtoVideoRecorder
{
  GObject parent_instance;

  char *source;
  char *audio_source;
  gboolean with_audio;
  guint max_duration_ms;
  guint width;
  guint height;

  TtoRecorderState state;
  GMainContext *context;
  GstElement *pipeline;
  GstElement *video_source;
  GstElement *audio_source_element;
  GOutputStream *output;
  GSource *bus_watch;
  GSource *tick;
  GSource *timeout;
  GTask *start_task;
  GTask *stop_task;

  guint duration_ms;
  GdkTexture *preview;
  guint preview_frames;
  GBytes *recording;
  GError *failure;

  /* Written by streaming threads. */
  GMutex lock;
  GstClockTime max_duration;
  GstClockTime first_pts;
  GstClockTime last_end;
  gboolean video_seen;
  gboolean audio_seen;
  gboolean limit_hit;
  GdkTexture *pending_preview;
  gboolean preview_scheduled;
};

static void tto_video_recorder_paintable_init (GdkPaintableInterface *iface);

G_DEFINE_QUARK (tto-video-recorder-error-quark, tto_video_recorder_error)

G_DEFINE_FINAL_TYPE_WITH_CODE (TtoVideoRecorder, tto_video_recorder, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE,
                                                      tto_video_recorder_paintable_init))

enum
{
  PROP_0,
  PROP_SOURCE,
  PROP_AUDIO_SOURCE,
  PROP_WITH_AUDIO,
  PROP_MAX_DURATION_MS,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_STATE,
  PROP_DURATION_MS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_state (TtoVideoRecorder *self,
           TtoRecorderState state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static GSource *
add_timeout (TtoVideoRecorder *self,
             guint ms,
             GSourceFunc func)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);

  return source;
}

static void
teardown_pipeline (TtoVideoRecorder *self)
{
  clear_source (&self->bus_watch);
  clear_source (&self->tick);
  clear_source (&self->timeout);

  if (self->pipeline != NULL)
    {
      /* Joins the streaming threads: nothing writes the locked fields after. */
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      g_clear_pointer (&self->pipeline, gst_object_unref);
      self->video_source = NULL;
      self->audio_source_element = NULL;
    }

  g_mutex_lock (&self->lock);
  g_clear_object (&self->pending_preview);
  g_mutex_unlock (&self->lock);
}

static void
drop_output (TtoVideoRecorder *self)
{
  if (self->output == NULL)
    return;

  g_output_stream_close (self->output, NULL, NULL);
  {
    g_autoptr (GBytes) bytes =
      g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (self->output));
    gsize size;
    guint8 *data = (guint8 *) g_bytes_get_data (bytes, &size);

    if (data != NULL)
      memset (data, 0, size);
  }
  g_clear_object (&self->output);
}

static void
fail (TtoVideoRecorder *self,
      GError *error)
{
  g_autoptr (GTask) start_task = g_steal_pointer (&self->start_task);
  g_autoptr (GTask) stop_task = g_steal_pointer (&self->stop_task);

  teardown_pipeline (self);
  drop_output (self);
  g_clear_error (&self->failure);
  self->failure = error;
  set_state (self, TTO_RECORDER_STATE_FAILED);

  if (start_task != NULL)
    g_task_return_error (start_task, g_error_copy (error));
  if (stop_task != NULL)
    g_task_return_error (stop_task, g_error_copy (error));
}

static guint
locked_duration_ms (TtoVideoRecorder *self)
{
  if (!GST_CLOCK_TIME_IS_VALID (self->first_pts) || self->last_end <= self->first_pts)
    return 0;

  return (guint) ((self->last_end - self->first_pts) / GST_MSECOND);
}

static void
finish (TtoVideoRecorder *self)
{
  g_autoptr (GTask) stop_task = g_steal_pointer (&self->stop_task);

  teardown_pipeline (self);

  g_mutex_lock (&self->lock);
  self->duration_ms = locked_duration_ms (self);
  g_mutex_unlock (&self->lock);

  g_output_stream_close (self->output, NULL, NULL);
  self->recording = g_memory_output_stream_steal_as_bytes (
    G_MEMORY_OUTPUT_STREAM (self->output));
  g_clear_object (&self->output);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION_MS]);
  set_state (self, TTO_RECORDER_STATE_FINISHED);

  if (stop_task != NULL)
    g_task_return_pointer (stop_task, g_bytes_ref (self->recording),
                           (GDestroyNotify) g_bytes_unref);
}

static gboolean
on_stop_timeout (gpointer user_data)
{
  TtoVideoRecorder *self = user_data;

  g_clear_pointer (&self->timeout, g_source_unref);
  fail (self, g_error_new (TTO_VIDEO_RECORDER_ERROR, TTO_VIDEO_RECORDER_ERROR_FAILED,
                           "the recording did not finish in time"));

  return G_SOURCE_REMOVE;
}

static void
begin_stop (TtoVideoRecorder *self)
{
  g_assert (self->state == TTO_RECORDER_STATE_RECORDING);

  set_state (self, TTO_RECORDER_STATE_STOPPING);
  clear_source (&self->timeout);
  self->timeout = add_timeout (self, TTO_MEDIA_STOP_TIMEOUT_MS, on_stop_timeout);
  /* Every source ends its stream; webmmux then finishes the file. */
  gst_element_send_event (self->pipeline, gst_event_new_eos ());
}

static gboolean
on_tick (gpointer user_data)
{
  TtoVideoRecorder *self = user_data;
  gboolean started;
  gboolean limit_hit;
  guint duration_ms;

  g_mutex_lock (&self->lock);
  started = self->video_seen && (self->audio_seen || self->audio_source_element == NULL);
  limit_hit = self->limit_hit;
  duration_ms = locked_duration_ms (self);
  g_mutex_unlock (&self->lock);

  if (self->state == TTO_RECORDER_STATE_STARTING && started)
    {
      g_autoptr (GTask) task = g_steal_pointer (&self->start_task);

      clear_source (&self->timeout);
      set_state (self, TTO_RECORDER_STATE_RECORDING);
      if (task != NULL)
        g_task_return_boolean (task, TRUE);
    }

  if (duration_ms != self->duration_ms)
    {
      self->duration_ms = duration_ms;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION_MS]);
    }

  if (limit_hit && self->state == TTO_RECORDER_STATE_RECORDING)
    begin_stop (self);

  return G_SOURCE_CONTINUE;
}

static gboolean
on_first_buffer_timeout (gpointer user_data)
{
  TtoVideoRecorder *self = user_data;
  gboolean video_seen;

  g_mutex_lock (&self->lock);
  video_seen = self->video_seen;
  g_mutex_unlock (&self->lock);

  g_clear_pointer (&self->timeout, g_source_unref);
  if (!video_seen)
    fail (self, g_error_new (TTO_VIDEO_RECORDER_ERROR, TTO_VIDEO_RECORDER_ERROR_NO_CAMERA,
                             "the camera sends no picture"));
  else
    fail (self, g_error_new (TTO_VIDEO_RECORDER_ERROR, TTO_VIDEO_RECORDER_ERROR_NO_MICROPHONE,
                             "the microphone sends no sound"));

  return G_SOURCE_REMOVE;
}

static gboolean
on_bus_message (GstBus *bus,
                GstMessage *message,
                gpointer user_data)
{
  TtoVideoRecorder *self = user_data;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      {
        g_autofree char *text = tto_media_describe_error (message);

        if (self->state == TTO_RECORDER_STATE_STARTING &&
            tto_media_message_is_from (message, self->video_source))
          fail (self, g_error_new (TTO_VIDEO_RECORDER_ERROR, TTO_VIDEO_RECORDER_ERROR_NO_CAMERA,
                                   "the camera cannot be used: %s", text));
        else if (self->state == TTO_RECORDER_STATE_STARTING &&
                 self->audio_source_element != NULL &&
                 tto_media_message_is_from (message, self->audio_source_element))
          fail (self, g_error_new (TTO_VIDEO_RECORDER_ERROR,
                                   TTO_VIDEO_RECORDER_ERROR_NO_MICROPHONE,
                                   "the microphone cannot be used: %s", text));
        else
          fail (self, g_error_new (TTO_VIDEO_RECORDER_ERROR, TTO_VIDEO_RECORDER_ERROR_FAILED,
                                   "recording failed: %s", text));
        return G_SOURCE_CONTINUE;
      }

    case GST_MESSAGE_EOS:
      if (self->state == TTO_RECORDER_STATE_STOPPING)
        finish (self);
      return G_SOURCE_CONTINUE;

    default:
      return G_SOURCE_CONTINUE;
    }
}

/* Streaming threads: raw video and audio going into the encoders. */
static GstPadProbeReturn
on_encoder_buffer (GstPad *pad,
                   GstPadProbeInfo *info,
                   gpointer user_data)
{
  TtoVideoRecorder *self = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  GstClockTime duration = GST_BUFFER_DURATION (buffer);
  gboolean is_video = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (pad), "tto-video"));
  gboolean drop = FALSE;

  if (!GST_CLOCK_TIME_IS_VALID (pts))
    return GST_PAD_PROBE_OK;

  g_mutex_lock (&self->lock);
  if (is_video)
    self->video_seen = TRUE;
  else
    self->audio_seen = TRUE;
  if (!GST_CLOCK_TIME_IS_VALID (self->first_pts) || pts < self->first_pts)
    self->first_pts = pts;
  if (pts - self->first_pts >= self->max_duration)
    {
      self->limit_hit = TRUE;
      drop = TRUE;
    }
  else
    {
      GstClockTime end = pts + (GST_CLOCK_TIME_IS_VALID (duration) ? duration : 0);

      if (!GST_CLOCK_TIME_IS_VALID (self->last_end) || end > self->last_end)
        self->last_end = end;
    }
  g_mutex_unlock (&self->lock);

  return drop ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

static gboolean
on_preview_ready (gpointer user_data)
{
  TtoVideoRecorder *self = user_data;
  g_autoptr (GdkTexture) texture = NULL;
  gboolean resized;

  g_mutex_lock (&self->lock);
  texture = g_steal_pointer (&self->pending_preview);
  self->preview_scheduled = FALSE;
  g_mutex_unlock (&self->lock);

  if (texture == NULL)
    return G_SOURCE_REMOVE;

  resized = self->preview == NULL ||
            gdk_texture_get_width (self->preview) != gdk_texture_get_width (texture) ||
            gdk_texture_get_height (self->preview) != gdk_texture_get_height (texture);
  g_set_object (&self->preview, texture);
  self->preview_frames++;
  if (resized)
    gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));

  return G_SOURCE_REMOVE;
}

typedef struct
{
  GstBuffer *buffer;
  GstMapInfo map;
} MappedBuffer;

static void
mapped_buffer_free (gpointer data)
{
  MappedBuffer *mapped = data;

  gst_buffer_unmap (mapped->buffer, &mapped->map);
  gst_buffer_unref (mapped->buffer);
  g_free (mapped);
}

/* Streaming thread: one RGB preview frame. The texture wraps the buffer's
 * memory, no copy; only the newest frame waits for the main loop. */
static GstFlowReturn
on_preview_sample (GstAppSink *sink,
                   gpointer user_data)
{
  TtoVideoRecorder *self = user_data;
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);
  g_autoptr (GBytes) bytes = NULL;
  GstVideoInfo info;
  MappedBuffer *mapped;
  GdkTexture *texture;
  gboolean schedule;

  if (sample == NULL)
    return GST_FLOW_EOS;
  if (gst_sample_get_buffer (sample) == NULL ||
      !gst_video_info_from_caps (&info, gst_sample_get_caps (sample)))
    return GST_FLOW_OK;

  mapped = g_new0 (MappedBuffer, 1);
  mapped->buffer = gst_buffer_ref (gst_sample_get_buffer (sample));
  if (!gst_buffer_map (mapped->buffer, &mapped->map, GST_MAP_READ))
    {
      gst_buffer_unref (mapped->buffer);
      g_free (mapped);
      return GST_FLOW_OK;
    }
  bytes = g_bytes_new_with_free_func (mapped->map.data, mapped->map.size, mapped_buffer_free,
                                      mapped);
  texture = gdk_memory_texture_new (GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info),
                                    GDK_MEMORY_R8G8B8, bytes,
                                    GST_VIDEO_INFO_PLANE_STRIDE (&info, 0));

  g_mutex_lock (&self->lock);
  g_clear_object (&self->pending_preview);
  self->pending_preview = texture;
  schedule = !self->preview_scheduled;
  self->preview_scheduled = TRUE;
  g_mutex_unlock (&self->lock);

  if (schedule)
    g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, on_preview_ready,
                                g_object_ref (self), g_object_unref);

  return GST_FLOW_OK;
}

static GstElement *
add_element (GstElement *pipeline,
             const char *factory,
             GError **error)
{
  GstElement *element = tto_media_make_element (factory, NULL, error);

  if (element != NULL)
    gst_bin_add (GST_BIN (pipeline), element);

  return element;
}

static void
watch_encoder_input (TtoVideoRecorder *self,
                     GstElement *encoder,
                     gboolean is_video)
{
  g_autoptr (GstPad) pad = gst_element_get_static_pad (encoder, "sink");

  g_object_set_data (G_OBJECT (pad), "tto-video", GINT_TO_POINTER (is_video));
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_encoder_buffer, self, NULL);
}

static gboolean
build_audio_branch (TtoVideoRecorder *self,
                    GstElement *pipeline,
                    GstElement *mux,
                    GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GstCaps) mono = gst_caps_new_simple ("audio/x-raw", "channels", G_TYPE_INT, 1,
                                                  NULL);
  GstElement *source;
  GstElement *convert;
  GstElement *resample;
  GstElement *filter;
  GstElement *queue;
  GstElement *encoder;

  source = tto_media_make_source (self->audio_source, "Audio/Source", &local_error);
  if (source == NULL)
    {
      g_set_error (error, TTO_VIDEO_RECORDER_ERROR,
                   g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
                     ? TTO_VIDEO_RECORDER_ERROR_NO_MICROPHONE
                     : TTO_VIDEO_RECORDER_ERROR_FAILED,
                   "%s", local_error->message);
      return FALSE;
    }
  gst_bin_add (GST_BIN (pipeline), source);

  if ((convert = add_element (pipeline, "audioconvert", &local_error)) == NULL ||
      (resample = add_element (pipeline, "audioresample", &local_error)) == NULL ||
      (filter = add_element (pipeline, "capsfilter", &local_error)) == NULL ||
      (queue = add_element (pipeline, "queue", &local_error)) == NULL ||
      (encoder = add_element (pipeline, "opusenc", &local_error)) == NULL)
    {
      g_set_error (error, TTO_VIDEO_RECORDER_ERROR, TTO_VIDEO_RECORDER_ERROR_FAILED, "%s",
                   local_error->message);
      return FALSE;
    }

  g_object_set (filter, "caps", mono, NULL);
  g_object_set (encoder, "bitrate", OPUS_BITRATE, NULL);
  if (!gst_element_link_many (source, convert, resample, filter, queue, encoder, mux, NULL))
    {
      g_set_error (error, TTO_VIDEO_RECORDER_ERROR, TTO_VIDEO_RECORDER_ERROR_FAILED,
                   "cannot link the sound of the recording pipeline");
      return FALSE;
    }

  watch_encoder_input (self, encoder, FALSE);
  self->audio_source_element = source;

  return TRUE;
}

static gboolean
build_pipeline (TtoVideoRecorder *self,
                GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GstElement) pipeline = gst_pipeline_new ("tto-video-recorder");
  g_autoptr (GstCaps) size = NULL;
  g_autoptr (GstCaps) rgb = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "RGB",
                                                 NULL);
  GstAppSinkCallbacks callbacks = { NULL, NULL, on_preview_sample };
  GstElement *source;
  GstElement *convert;
  GstElement *scale;
  GstElement *rate;
  GstElement *filter;
  GstElement *tee;
  GstElement *queue;
  GstElement *encoder;
  GstElement *mux;
  GstElement *sink;
  GstElement *preview_queue;
  GstElement *preview_convert;
  GstElement *preview_filter;
  GstElement *preview_sink;

  gst_object_ref_sink (pipeline);
  size = gst_caps_new_simple ("video/x-raw",
                              "format", G_TYPE_STRING, "I420",
                              "width", G_TYPE_INT, (int) self->width,
                              "height", G_TYPE_INT, (int) self->height,
                              "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                              NULL);

  source = tto_media_make_source (self->source, "Video/Source", &local_error);
  if (source == NULL)
    {
      g_set_error (error, TTO_VIDEO_RECORDER_ERROR,
                   g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
                     ? TTO_VIDEO_RECORDER_ERROR_NO_CAMERA
                     : TTO_VIDEO_RECORDER_ERROR_FAILED,
                   "%s", local_error->message);
      return FALSE;
    }
  gst_bin_add (GST_BIN (pipeline), source);

  if ((convert = add_element (pipeline, "videoconvert", &local_error)) == NULL ||
      (scale = add_element (pipeline, "videoscale", &local_error)) == NULL ||
      (rate = add_element (pipeline, "videorate", &local_error)) == NULL ||
      (filter = add_element (pipeline, "capsfilter", &local_error)) == NULL ||
      (tee = add_element (pipeline, "tee", &local_error)) == NULL ||
      (queue = add_element (pipeline, "queue", &local_error)) == NULL ||
      (encoder = add_element (pipeline, "vp8enc", &local_error)) == NULL ||
      (mux = add_element (pipeline, "webmmux", &local_error)) == NULL ||
      (sink = add_element (pipeline, "giostreamsink", &local_error)) == NULL ||
      (preview_queue = add_element (pipeline, "queue", &local_error)) == NULL ||
      (preview_convert = add_element (pipeline, "videoconvert", &local_error)) == NULL ||
      (preview_filter = add_element (pipeline, "capsfilter", &local_error)) == NULL ||
      (preview_sink = add_element (pipeline, "appsink", &local_error)) == NULL)
    {
      g_set_error (error, TTO_VIDEO_RECORDER_ERROR, TTO_VIDEO_RECORDER_ERROR_FAILED, "%s",
                   local_error->message);
      return FALSE;
    }

  /* Phones' cameras differ: scale to one size, black borders keep the
   * picture's proportions. */
  g_object_set (rate, "max-rate", MAX_FRAMERATE, NULL);
  g_object_set (filter, "caps", size, NULL);
  g_object_set (encoder,
                "deadline", (gint64) 1,
                "cpu-used", 8,
                "target-bitrate", VP8_BITRATE,
                "keyframe-max-dist", 2 * MAX_FRAMERATE,
                "threads", MAX (1, (int) g_get_num_processors () - 1),
                NULL);
  gst_util_set_object_arg (G_OBJECT (encoder), "end-usage", "cbr");
  self->output = g_memory_output_stream_new_resizable ();
  g_object_set (sink, "stream", self->output, "sync", FALSE, "async", FALSE, NULL);

  /* The preview never holds the recording back: old frames are dropped. */
  g_object_set (preview_queue, "leaky", 2, "max-size-buffers", 1, "max-size-bytes", 0,
                "max-size-time", (guint64) 0, NULL);
  g_object_set (preview_filter, "caps", rgb, NULL);
  g_object_set (preview_sink, "sync", FALSE, "async", FALSE, "max-buffers", 1, "drop", TRUE,
                NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (preview_sink), &callbacks, self, NULL);

  if (!gst_element_link_many (source, convert, scale, rate, filter, tee, NULL) ||
      !gst_element_link_many (tee, queue, encoder, mux, sink, NULL) ||
      !gst_element_link_many (tee, preview_queue, preview_convert, preview_filter, preview_sink,
                              NULL))
    {
      g_set_error (error, TTO_VIDEO_RECORDER_ERROR, TTO_VIDEO_RECORDER_ERROR_FAILED,
                   "cannot link the recording pipeline");
      return FALSE;
    }
  watch_encoder_input (self, encoder, TRUE);
  self->video_source = source;

  if (self->with_audio && !build_audio_branch (self, pipeline, mux, error))
    return FALSE;

  self->pipeline = g_steal_pointer (&pipeline);

  return TRUE;
}

static void
reset (TtoVideoRecorder *self)
{
  g_clear_pointer (&self->recording, g_bytes_unref);
  g_clear_error (&self->failure);
  g_clear_object (&self->preview);
  drop_output (self);
  self->duration_ms = 0;
  self->preview_frames = 0;

  g_mutex_lock (&self->lock);
  self->max_duration = (GstClockTime) self->max_duration_ms * GST_MSECOND;
  self->first_pts = GST_CLOCK_TIME_NONE;
  self->last_end = GST_CLOCK_TIME_NONE;
  self->video_seen = FALSE;
  self->audio_seen = FALSE;
  self->limit_hit = FALSE;
  g_mutex_unlock (&self->lock);
}

static void
tto_video_recorder_snapshot (GdkPaintable *paintable,
                             GdkSnapshot *snapshot,
                             double width,
                             double height)
{
  TtoVideoRecorder *self = TTO_VIDEO_RECORDER (paintable);

  if (self->preview != NULL)
    gdk_paintable_snapshot (GDK_PAINTABLE (self->preview), snapshot, width, height);
}

static GdkPaintable *
tto_video_recorder_get_current_image (GdkPaintable *paintable)
{
  TtoVideoRecorder *self = TTO_VIDEO_RECORDER (paintable);

  if (self->preview != NULL)
    return g_object_ref (GDK_PAINTABLE (self->preview));

  return gdk_paintable_new_empty ((int) self->width, (int) self->height);
}

static int
tto_video_recorder_get_intrinsic_width (GdkPaintable *paintable)
{
  TtoVideoRecorder *self = TTO_VIDEO_RECORDER (paintable);

  return self->preview != NULL ? gdk_texture_get_width (self->preview) : (int) self->width;
}

static int
tto_video_recorder_get_intrinsic_height (GdkPaintable *paintable)
{
  TtoVideoRecorder *self = TTO_VIDEO_RECORDER (paintable);

  return self->preview != NULL ? gdk_texture_get_height (self->preview) : (int) self->height;
}

static void
tto_video_recorder_paintable_init (GdkPaintableInterface *iface)
{
  iface->snapshot = tto_video_recorder_snapshot;
  iface->get_current_image = tto_video_recorder_get_current_image;
  iface->get_intrinsic_width = tto_video_recorder_get_intrinsic_width;
  iface->get_intrinsic_height = tto_video_recorder_get_intrinsic_height;
}

static void
tto_video_recorder_dispose (GObject *object)
{
  TtoVideoRecorder *self = TTO_VIDEO_RECORDER (object);

  teardown_pipeline (self);
  drop_output (self);
  g_clear_object (&self->preview);

  G_OBJECT_CLASS (tto_video_recorder_parent_class)->dispose (object);
}

static void
tto_video_recorder_finalize (GObject *object)
{
  TtoVideoRecorder *self = TTO_VIDEO_RECORDER (object);

  g_free (self->source);
  g_free (self->audio_source);
  g_clear_pointer (&self->recording, g_bytes_unref);
  g_clear_error (&self->failure);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (tto_video_recorder_parent_class)->finalize (object);
}

static void
tto_video_recorder_get_property (GObject *object,
                                 guint prop_id,
                                 GValue *value,
                                 GParamSpec *pspec)
{
  TtoVideoRecorder *self = TTO_VIDEO_RECORDER (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      g_value_set_string (value, self->source);
      break;
    case PROP_AUDIO_SOURCE:
      g_value_set_string (value, self->audio_source);
      break;
    case PROP_WITH_AUDIO:
      g_value_set_boolean (value, self->with_audio);
      break;
    case PROP_MAX_DURATION_MS:
      g_value_set_uint (value, self->max_duration_ms);
      break;
    case PROP_WIDTH:
      g_value_set_uint (value, self->width);
      break;
    case PROP_HEIGHT:
      g_value_set_uint (value, self->height);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_DURATION_MS:
      g_value_set_uint (value, self->duration_ms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_video_recorder_set_property (GObject *object,
                                 guint prop_id,
                                 const GValue *value,
                                 GParamSpec *pspec)
{
  TtoVideoRecorder *self = TTO_VIDEO_RECORDER (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      tto_video_recorder_set_source (self, g_value_get_string (value));
      break;
    case PROP_AUDIO_SOURCE:
      tto_video_recorder_set_audio_source (self, g_value_get_string (value));
      break;
    case PROP_WITH_AUDIO:
      tto_video_recorder_set_with_audio (self, g_value_get_boolean (value));
      break;
    case PROP_MAX_DURATION_MS:
      tto_video_recorder_set_max_duration_ms (self, g_value_get_uint (value));
      break;
    case PROP_WIDTH:
      self->width = g_value_get_uint (value);
      break;
    case PROP_HEIGHT:
      self->height = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_video_recorder_class_init (TtoVideoRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tto_video_recorder_dispose;
  object_class->finalize = tto_video_recorder_finalize;
  object_class->get_property = tto_video_recorder_get_property;
  object_class->set_property = tto_video_recorder_set_property;

  /* gst-launch descriptions of the sources; NULL: the default camera and
   * microphone. */
  properties[PROP_SOURCE] =
    g_param_spec_string ("source", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AUDIO_SOURCE] =
    g_param_spec_string ("audio-source", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WITH_AUDIO] =
    g_param_spec_boolean ("with-audio", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_DURATION_MS] =
    g_param_spec_uint ("max-duration-ms", NULL, NULL, 1, G_MAXUINT,
                       TTO_VIDEO_RECORDER_DEFAULT_MAX_DURATION_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The recorded picture's size; changes apply at the next start. */
  properties[PROP_WIDTH] =
    g_param_spec_uint ("width", NULL, NULL, 16, 1920, DEFAULT_WIDTH,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  properties[PROP_HEIGHT] =
    g_param_spec_uint ("height", NULL, NULL, 16, 1920, DEFAULT_HEIGHT,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, TTO_TYPE_RECORDER_STATE, TTO_RECORDER_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DURATION_MS] =
    g_param_spec_uint ("duration-ms", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  tto_media_ensure_gst ();
}

static void
tto_video_recorder_init (TtoVideoRecorder *self)
{
  g_mutex_init (&self->lock);
  self->with_audio = TRUE;
  self->max_duration_ms = TTO_VIDEO_RECORDER_DEFAULT_MAX_DURATION_MS;
  self->context = g_main_context_ref_thread_default ();
}

TtoVideoRecorder *
tto_video_recorder_new (void)
{
  return g_object_new (TTO_TYPE_VIDEO_RECORDER, NULL);
}

const char *
tto_video_recorder_get_source (TtoVideoRecorder *self)
{
  g_return_val_if_fail (TTO_IS_VIDEO_RECORDER (self), NULL);

  return self->source;
}

void
tto_video_recorder_set_source (TtoVideoRecorder *self,
                               const char *description)
{
  g_return_if_fail (TTO_IS_VIDEO_RECORDER (self));

  if (g_strcmp0 (self->source, description) == 0)
    return;

  g_free (self->source);
  self->source = g_strdup (description);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
}

const char *
tto_video_recorder_get_audio_source (TtoVideoRecorder *self)
{
  g_return_val_if_fail (TTO_IS_VIDEO_RECORDER (self), NULL);

  return self->audio_source;
}

void
tto_video_recorder_set_audio_source (TtoVideoRecorder *self,
                                     const char *description)
{
  g_return_if_fail (TTO_IS_VIDEO_RECORDER (self));

  if (g_strcmp0 (self->audio_source, description) == 0)
    return;

  g_free (self->audio_source);
  self->audio_source = g_strdup (description);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUDIO_SOURCE]);
}

gboolean
tto_video_recorder_get_with_audio (TtoVideoRecorder *self)
{
  g_return_val_if_fail (TTO_IS_VIDEO_RECORDER (self), FALSE);

  return self->with_audio;
}

/* FALSE: a silent video, as when there is no microphone. */
void
tto_video_recorder_set_with_audio (TtoVideoRecorder *self,
                                   gboolean with_audio)
{
  g_return_if_fail (TTO_IS_VIDEO_RECORDER (self));

  with_audio = !!with_audio;
  if (self->with_audio == with_audio)
    return;

  self->with_audio = with_audio;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WITH_AUDIO]);
}

guint
tto_video_recorder_get_max_duration_ms (TtoVideoRecorder *self)
{
  g_return_val_if_fail (TTO_IS_VIDEO_RECORDER (self), 0);

  return self->max_duration_ms;
}

void
tto_video_recorder_set_max_duration_ms (TtoVideoRecorder *self,
                                        guint max_duration_ms)
{
  g_return_if_fail (TTO_IS_VIDEO_RECORDER (self));
  g_return_if_fail (max_duration_ms > 0);

  if (self->max_duration_ms == max_duration_ms)
    return;

  self->max_duration_ms = max_duration_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_DURATION_MS]);
}

guint
tto_video_recorder_get_width (TtoVideoRecorder *self)
{
  g_return_val_if_fail (TTO_IS_VIDEO_RECORDER (self), 0);

  return self->width;
}

guint
tto_video_recorder_get_height (TtoVideoRecorder *self)
{
  g_return_val_if_fail (TTO_IS_VIDEO_RECORDER (self), 0);

  return self->height;
}

/* Completes once picture (and sound) arrive, with state "recording"; or with
 * NO_CAMERA / NO_MICROPHONE when a device is missing or silent. The preview
 * runs from then until the recording stops. */
void
tto_video_recorder_start_async (TtoVideoRecorder *self,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (TTO_IS_VIDEO_RECORDER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_video_recorder_start_async);

  if (self->state == TTO_RECORDER_STATE_STARTING ||
      self->state == TTO_RECORDER_STATE_RECORDING ||
      self->state == TTO_RECORDER_STATE_STOPPING)
    {
      g_task_return_new_error (task, TTO_VIDEO_RECORDER_ERROR, TTO_VIDEO_RECORDER_ERROR_BUSY,
                               "already recording");
      return;
    }

  reset (self);
  if (!build_pipeline (self, &error))
    {
      fail (self, g_error_copy (error));
      g_task_return_error (task, error);
      return;
    }

  self->start_task = g_steal_pointer (&task);
  set_state (self, TTO_RECORDER_STATE_STARTING);
  self->bus_watch = tto_media_add_bus_watch (self->pipeline, self->context, on_bus_message,
                                             self);
  self->tick = add_timeout (self, TICK_MS, on_tick);
  self->timeout = add_timeout (self, TTO_MEDIA_FIRST_BUFFER_TIMEOUT_MS,
                               on_first_buffer_timeout);
  gst_element_set_state (self->pipeline, GST_STATE_PLAYING);
}

gboolean
tto_video_recorder_start_finish (TtoVideoRecorder *self,
                                 GAsyncResult *result,
                                 GError **error)
{
  g_return_val_if_fail (TTO_IS_VIDEO_RECORDER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Ends the recording and gives its bytes (WebM). Also works once the
 * recording stopped by itself at max-duration-ms. */
void
tto_video_recorder_stop_async (TtoVideoRecorder *self,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (TTO_IS_VIDEO_RECORDER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_video_recorder_stop_async);

  switch (self->state)
    {
    case TTO_RECORDER_STATE_RECORDING:
      self->stop_task = g_steal_pointer (&task);
      begin_stop (self);
      break;

    case TTO_RECORDER_STATE_STOPPING:
      if (self->stop_task == NULL)
        self->stop_task = g_steal_pointer (&task);
      else
        g_task_return_new_error (task, TTO_VIDEO_RECORDER_ERROR, TTO_VIDEO_RECORDER_ERROR_BUSY,
                                 "already stopping");
      break;

    case TTO_RECORDER_STATE_FINISHED:
      g_task_return_pointer (task, g_bytes_ref (self->recording),
                             (GDestroyNotify) g_bytes_unref);
      break;

    case TTO_RECORDER_STATE_FAILED:
      g_task_return_error (task, g_error_copy (self->failure));
      break;

    case TTO_RECORDER_STATE_IDLE:
    case TTO_RECORDER_STATE_STARTING:
    default:
      g_task_return_new_error (task, TTO_VIDEO_RECORDER_ERROR, TTO_VIDEO_RECORDER_ERROR_BUSY,
                               "not recording");
      break;
    }
}

GBytes *
tto_video_recorder_stop_finish (TtoVideoRecorder *self,
                                GAsyncResult *result,
                                GError **error)
{
  g_return_val_if_fail (TTO_IS_VIDEO_RECORDER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Drops the recording, whatever the state; pending calls get
 * G_IO_ERROR_CANCELLED. */
void
tto_video_recorder_cancel (TtoVideoRecorder *self)
{
  g_autoptr (GTask) start_task = NULL;
  g_autoptr (GTask) stop_task = NULL;

  g_return_if_fail (TTO_IS_VIDEO_RECORDER (self));

  start_task = g_steal_pointer (&self->start_task);
  stop_task = g_steal_pointer (&self->stop_task);
  teardown_pipeline (self);
  drop_output (self);
  g_clear_pointer (&self->recording, g_bytes_unref);
  set_state (self, TTO_RECORDER_STATE_IDLE);

  if (start_task != NULL)
    g_task_return_new_error (start_task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             "the recording was cancelled");
  if (stop_task != NULL)
    g_task_return_new_error (stop_task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             "the recording was cancelled");
}

TtoRecorderState
tto_video_recorder_get_state (TtoVideoRecorder *self)
{
  g_return_val_if_fail (TTO_IS_VIDEO_RECORDER (self), TTO_RECORDER_STATE_IDLE);

  return self->state;
}

guint
tto_video_recorder_get_duration_ms (TtoVideoRecorder *self)
{
  g_return_val_if_fail (TTO_IS_VIDEO_RECORDER (self), 0);

  return self->duration_ms;
}

/* Preview frames shown so far in this recording (frames the main loop was
 * too slow for are skipped, not counted). */
guint
tto_video_recorder_get_preview_frames (TtoVideoRecorder *self)
{
  g_return_val_if_fail (TTO_IS_VIDEO_RECORDER (self), 0);

  return self->preview_frames;
}

/* The newest preview frame, or NULL. */
GdkTexture *
tto_video_recorder_get_preview_texture (TtoVideoRecorder *self)
{
  g_return_val_if_fail (TTO_IS_VIDEO_RECORDER (self), NULL);

  return self->preview;
}

/* The finished recording (WebM), or NULL. */
GBytes *
tto_video_recorder_get_recording (TtoVideoRecorder *self)
{
  g_return_val_if_fail (TTO_IS_VIDEO_RECORDER (self), NULL);

  return self->recording;
}
