/* tto-voice-recorder.c: voice messages, recorded to Ogg/Opus in memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   source → audioconvert → audioresample → mono → level → opusenc → oggmux → appsink
 *
 * The bytes never touch the disk. The source is the default microphone (a
 * GstDevice) or a gst-launch description ("audiotestsrc is-live=true" in
 * tests). Streaming threads only write fields under the lock; a tick on the
 * recorder's main context reads them and moves the state on.
 */
#define G_LOG_DOMAIN "tto-media"

#include <gst/app/gstappsink.h>
#include <string.h>

#include "tto-media-private.h"
#include "tto-voice-recorder.h"

#define TICK_MS 50
#define DEFAULT_MAX_DURATION_MS (5 * 60 * 1000)
#define LEVEL_INTERVAL_NS (50 * GST_MSECOND)
#define OPUS_VOICE_BITRATE 32000

struct _TtoVoiceRecorder
{
  GObject parent_instance;

  char *source;
  guint max_duration_ms;

  TtoRecorderState state;
  GMainContext *context;
  GstElement *pipeline;
  GstElement *source_element;
  GSource *bus_watch;
  GSource *tick;
  GSource *timeout;
  GTask *start_task;
  GTask *stop_task;

  guint duration_ms;
  double level;
  GArray *levels;   /* guint8, one per level message */
  GArray *waveform; /* guint8, ≤ TTO_VOICE_RECORDER_MAX_WAVEFORM */
  GBytes *recording;
  GError *failure;

  /* Written by streaming threads. */
  GMutex lock;
  GByteArray *data;
  GstClockTime max_duration;
  GstClockTime first_pts;
  GstClockTime last_end;
  gboolean first_seen;
  gboolean limit_hit;
};

G_DEFINE_QUARK (tto-voice-recorder-error-quark, tto_voice_recorder_error)

G_DEFINE_FINAL_TYPE (TtoVoiceRecorder, tto_voice_recorder, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SOURCE,
  PROP_MAX_DURATION_MS,
  PROP_STATE,
  PROP_DURATION_MS,
  PROP_LEVEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_state (TtoVoiceRecorder *self,
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

static void
teardown_pipeline (TtoVoiceRecorder *self)
{
  clear_source (&self->bus_watch);
  clear_source (&self->tick);
  clear_source (&self->timeout);

  if (self->pipeline != NULL)
    {
      /* Joins the streaming threads: nothing writes the locked fields after. */
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      g_clear_pointer (&self->pipeline, gst_object_unref);
      self->source_element = NULL;
    }
}

static void
wipe_data (TtoVoiceRecorder *self)
{
  g_mutex_lock (&self->lock);
  if (self->data != NULL)
    {
      memset (self->data->data, 0, self->data->len);
      g_clear_pointer (&self->data, g_byte_array_unref);
    }
  g_mutex_unlock (&self->lock);
}

static void
fail (TtoVoiceRecorder *self,
      GError *error)
{
  g_autoptr (GTask) start_task = g_steal_pointer (&self->start_task);
  g_autoptr (GTask) stop_task = g_steal_pointer (&self->stop_task);

  teardown_pipeline (self);
  wipe_data (self);
  g_clear_error (&self->failure);
  self->failure = error;
  set_state (self, TTO_RECORDER_STATE_FAILED);

  if (start_task != NULL)
    g_task_return_error (start_task, g_error_copy (error));
  if (stop_task != NULL)
    g_task_return_error (stop_task, g_error_copy (error));
}

static void
finish (TtoVoiceRecorder *self)
{
  g_autoptr (GTask) stop_task = g_steal_pointer (&self->stop_task);
  GByteArray *data;

  teardown_pipeline (self);

  g_mutex_lock (&self->lock);
  data = g_steal_pointer (&self->data);
  if (self->first_seen && self->last_end > self->first_pts)
    self->duration_ms = (guint) ((self->last_end - self->first_pts) / GST_MSECOND);
  g_mutex_unlock (&self->lock);

  self->recording = g_byte_array_free_to_bytes (data);
  self->waveform = tto_media_reduce_waveform (self->levels, TTO_VOICE_RECORDER_MAX_WAVEFORM);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION_MS]);
  set_state (self, TTO_RECORDER_STATE_FINISHED);

  if (stop_task != NULL)
    g_task_return_pointer (stop_task, g_bytes_ref (self->recording),
                           (GDestroyNotify) g_bytes_unref);
}

static gboolean
on_stop_timeout (gpointer user_data)
{
  TtoVoiceRecorder *self = user_data;

  g_clear_pointer (&self->timeout, g_source_unref);
  fail (self, g_error_new (TTO_VOICE_RECORDER_ERROR, TTO_VOICE_RECORDER_ERROR_FAILED,
                           "the recording did not finish in time"));

  return G_SOURCE_REMOVE;
}

static GSource *
add_timeout (TtoVoiceRecorder *self,
             guint ms,
             GSourceFunc func)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);

  return source;
}

static void
begin_stop (TtoVoiceRecorder *self)
{
  g_assert (self->state == TTO_RECORDER_STATE_RECORDING);

  set_state (self, TTO_RECORDER_STATE_STOPPING);
  clear_source (&self->timeout);
  self->timeout = add_timeout (self, TTO_MEDIA_STOP_TIMEOUT_MS, on_stop_timeout);
  /* The source ends its stream; oggmux writes the last page, then EOS. */
  gst_element_send_event (self->pipeline, gst_event_new_eos ());
}

static gboolean
on_tick (gpointer user_data)
{
  TtoVoiceRecorder *self = user_data;
  gboolean first_seen;
  gboolean limit_hit;
  guint duration_ms = 0;

  g_mutex_lock (&self->lock);
  first_seen = self->first_seen;
  limit_hit = self->limit_hit;
  if (first_seen && self->last_end > self->first_pts)
    duration_ms = (guint) ((self->last_end - self->first_pts) / GST_MSECOND);
  g_mutex_unlock (&self->lock);

  if (self->state == TTO_RECORDER_STATE_STARTING && first_seen)
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
  TtoVoiceRecorder *self = user_data;

  g_clear_pointer (&self->timeout, g_source_unref);
  fail (self, g_error_new (TTO_VOICE_RECORDER_ERROR, TTO_VOICE_RECORDER_ERROR_NO_MICROPHONE,
                           "the microphone sends no sound"));

  return G_SOURCE_REMOVE;
}

static gboolean
on_bus_message (GstBus *bus,
                GstMessage *message,
                gpointer user_data)
{
  TtoVoiceRecorder *self = user_data;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      {
        g_autofree char *text = tto_media_describe_error (message);

        if (self->state == TTO_RECORDER_STATE_STARTING &&
            tto_media_message_is_from (message, self->source_element))
          fail (self, g_error_new (TTO_VOICE_RECORDER_ERROR,
                                   TTO_VOICE_RECORDER_ERROR_NO_MICROPHONE,
                                   "the microphone cannot be used: %s", text));
        else
          fail (self, g_error_new (TTO_VOICE_RECORDER_ERROR, TTO_VOICE_RECORDER_ERROR_FAILED,
                                   "recording failed: %s", text));
        /* fail() removed this watch. */
        return G_SOURCE_CONTINUE;
      }

    case GST_MESSAGE_EOS:
      if (self->state == TTO_RECORDER_STATE_STOPPING)
        finish (self);
      return G_SOURCE_CONTINUE;

    case GST_MESSAGE_ELEMENT:
      {
        const GstStructure *structure = gst_message_get_structure (message);

        if (gst_structure_has_name (structure, "level"))
          {
            guint8 peak = tto_media_peak_from_level_message (structure);

            if (self->state == TTO_RECORDER_STATE_RECORDING ||
                self->state == TTO_RECORDER_STATE_STARTING)
              g_array_append_val (self->levels, peak);
            self->level = peak / 255.0;
            g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LEVEL]);
          }
        return G_SOURCE_CONTINUE;
      }

    default:
      return G_SOURCE_CONTINUE;
    }
}

/* Streaming thread: the raw audio going into the encoder. */
static GstPadProbeReturn
on_encoder_buffer (GstPad *pad,
                   GstPadProbeInfo *info,
                   gpointer user_data)
{
  TtoVoiceRecorder *self = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  GstClockTime duration = GST_BUFFER_DURATION (buffer);
  gboolean drop = FALSE;

  if (!GST_CLOCK_TIME_IS_VALID (pts))
    return GST_PAD_PROBE_OK;

  g_mutex_lock (&self->lock);
  if (!self->first_seen)
    {
      self->first_seen = TRUE;
      self->first_pts = pts;
      self->last_end = pts;
    }
  if (pts >= self->first_pts && pts - self->first_pts >= self->max_duration)
    {
      /* Past the limit: nothing more goes in while the stop is on its way. */
      self->limit_hit = TRUE;
      drop = TRUE;
    }
  else
    {
      self->last_end = MAX (self->last_end,
                            pts + (GST_CLOCK_TIME_IS_VALID (duration) ? duration : 0));
    }
  g_mutex_unlock (&self->lock);

  return drop ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

/* Streaming thread: Ogg pages, headers first. */
static GstFlowReturn
on_new_sample (GstAppSink *sink,
               gpointer user_data)
{
  TtoVoiceRecorder *self = user_data;
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);
  GstBuffer *buffer;
  GstMapInfo map;

  if (sample == NULL)
    return GST_FLOW_EOS;

  buffer = gst_sample_get_buffer (sample);
  if (buffer != NULL && gst_buffer_map (buffer, &map, GST_MAP_READ))
    {
      g_mutex_lock (&self->lock);
      if (self->data != NULL)
        g_byte_array_append (self->data, map.data, (guint) map.size);
      g_mutex_unlock (&self->lock);
      gst_buffer_unmap (buffer, &map);
    }

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

static gboolean
build_pipeline (TtoVoiceRecorder *self,
                GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GstElement) pipeline = gst_pipeline_new ("tto-voice-recorder");
  g_autoptr (GstCaps) mono = gst_caps_new_simple ("audio/x-raw", "channels", G_TYPE_INT, 1,
                                                  NULL);
  g_autoptr (GstPad) encoder_pad = NULL;
  GstAppSinkCallbacks callbacks = { NULL, NULL, on_new_sample };
  GstElement *source;
  GstElement *convert;
  GstElement *resample;
  GstElement *filter;
  GstElement *level;
  GstElement *encoder;
  GstElement *mux;
  GstElement *sink;

  gst_object_ref_sink (pipeline);

  source = tto_media_make_source (self->source, "Audio/Source", &local_error);
  if (source == NULL)
    {
      g_set_error (error, TTO_VOICE_RECORDER_ERROR,
                   g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
                     ? TTO_VOICE_RECORDER_ERROR_NO_MICROPHONE
                     : TTO_VOICE_RECORDER_ERROR_FAILED,
                   "%s", local_error->message);
      return FALSE;
    }
  gst_bin_add (GST_BIN (pipeline), source);

  if ((convert = add_element (pipeline, "audioconvert", &local_error)) == NULL ||
      (resample = add_element (pipeline, "audioresample", &local_error)) == NULL ||
      (filter = add_element (pipeline, "capsfilter", &local_error)) == NULL ||
      (level = add_element (pipeline, "level", &local_error)) == NULL ||
      (encoder = add_element (pipeline, "opusenc", &local_error)) == NULL ||
      (mux = add_element (pipeline, "oggmux", &local_error)) == NULL ||
      (sink = add_element (pipeline, "appsink", &local_error)) == NULL)
    {
      g_set_error (error, TTO_VOICE_RECORDER_ERROR, TTO_VOICE_RECORDER_ERROR_FAILED, "%s",
                   local_error->message);
      return FALSE;
    }

  g_object_set (filter, "caps", mono, NULL);
  g_object_set (level, "interval", (guint64) LEVEL_INTERVAL_NS, "post-messages", TRUE, NULL);
  g_object_set (encoder, "bitrate", OPUS_VOICE_BITRATE, NULL);
  gst_util_set_object_arg (G_OBJECT (encoder), "audio-type", "voice");
  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, self, NULL);

  if (!gst_element_link_many (source, convert, resample, filter, level, encoder, mux, sink,
                              NULL))
    {
      g_set_error (error, TTO_VOICE_RECORDER_ERROR, TTO_VOICE_RECORDER_ERROR_FAILED,
                   "cannot link the recording pipeline");
      return FALSE;
    }

  encoder_pad = gst_element_get_static_pad (encoder, "sink");
  gst_pad_add_probe (encoder_pad, GST_PAD_PROBE_TYPE_BUFFER, on_encoder_buffer, self, NULL);

  self->pipeline = g_steal_pointer (&pipeline);
  self->source_element = source;

  return TRUE;
}

static void
reset (TtoVoiceRecorder *self)
{
  g_clear_pointer (&self->recording, g_bytes_unref);
  g_clear_pointer (&self->waveform, g_array_unref);
  g_clear_error (&self->failure);
  g_array_set_size (self->levels, 0);
  self->duration_ms = 0;
  self->level = 0.0;
  wipe_data (self);

  g_mutex_lock (&self->lock);
  self->data = g_byte_array_new ();
  self->max_duration = (GstClockTime) self->max_duration_ms * GST_MSECOND;
  self->first_pts = GST_CLOCK_TIME_NONE;
  self->last_end = GST_CLOCK_TIME_NONE;
  self->first_seen = FALSE;
  self->limit_hit = FALSE;
  g_mutex_unlock (&self->lock);
}

static void
tto_voice_recorder_dispose (GObject *object)
{
  TtoVoiceRecorder *self = TTO_VOICE_RECORDER (object);

  teardown_pipeline (self);
  wipe_data (self);

  G_OBJECT_CLASS (tto_voice_recorder_parent_class)->dispose (object);
}

static void
tto_voice_recorder_finalize (GObject *object)
{
  TtoVoiceRecorder *self = TTO_VOICE_RECORDER (object);

  g_free (self->source);
  g_clear_pointer (&self->levels, g_array_unref);
  g_clear_pointer (&self->waveform, g_array_unref);
  g_clear_pointer (&self->recording, g_bytes_unref);
  g_clear_error (&self->failure);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (tto_voice_recorder_parent_class)->finalize (object);
}

static void
tto_voice_recorder_get_property (GObject *object,
                                 guint prop_id,
                                 GValue *value,
                                 GParamSpec *pspec)
{
  TtoVoiceRecorder *self = TTO_VOICE_RECORDER (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      g_value_set_string (value, self->source);
      break;
    case PROP_MAX_DURATION_MS:
      g_value_set_uint (value, self->max_duration_ms);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_DURATION_MS:
      g_value_set_uint (value, self->duration_ms);
      break;
    case PROP_LEVEL:
      g_value_set_double (value, self->level);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_voice_recorder_set_property (GObject *object,
                                 guint prop_id,
                                 const GValue *value,
                                 GParamSpec *pspec)
{
  TtoVoiceRecorder *self = TTO_VOICE_RECORDER (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      tto_voice_recorder_set_source (self, g_value_get_string (value));
      break;
    case PROP_MAX_DURATION_MS:
      tto_voice_recorder_set_max_duration_ms (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_voice_recorder_class_init (TtoVoiceRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tto_voice_recorder_dispose;
  object_class->finalize = tto_voice_recorder_finalize;
  object_class->get_property = tto_voice_recorder_get_property;
  object_class->set_property = tto_voice_recorder_set_property;

  /* A gst-launch description of the audio source; NULL: the default
   * microphone. */
  properties[PROP_SOURCE] =
    g_param_spec_string ("source", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The recording stops by itself at this length; 0: no limit. */
  properties[PROP_MAX_DURATION_MS] =
    g_param_spec_uint ("max-duration-ms", NULL, NULL, 0, G_MAXUINT, DEFAULT_MAX_DURATION_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, TTO_TYPE_RECORDER_STATE, TTO_RECORDER_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Recorded so far, for the UI's timer. */
  properties[PROP_DURATION_MS] =
    g_param_spec_uint ("duration-ms", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The last peak, 0-1, for a live meter. */
  properties[PROP_LEVEL] =
    g_param_spec_double ("level", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  tto_media_ensure_gst ();
}

static void
tto_voice_recorder_init (TtoVoiceRecorder *self)
{
  g_mutex_init (&self->lock);
  self->max_duration_ms = DEFAULT_MAX_DURATION_MS;
  self->levels = g_array_new (FALSE, TRUE, sizeof (guint8));
  self->context = g_main_context_ref_thread_default ();
}

TtoVoiceRecorder *
tto_voice_recorder_new (void)
{
  return g_object_new (TTO_TYPE_VOICE_RECORDER, NULL);
}

const char *
tto_voice_recorder_get_source (TtoVoiceRecorder *self)
{
  g_return_val_if_fail (TTO_IS_VOICE_RECORDER (self), NULL);

  return self->source;
}

/* Takes effect at the next start. */
void
tto_voice_recorder_set_source (TtoVoiceRecorder *self,
                               const char *description)
{
  g_return_if_fail (TTO_IS_VOICE_RECORDER (self));

  if (g_strcmp0 (self->source, description) == 0)
    return;

  g_free (self->source);
  self->source = g_strdup (description);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
}

guint
tto_voice_recorder_get_max_duration_ms (TtoVoiceRecorder *self)
{
  g_return_val_if_fail (TTO_IS_VOICE_RECORDER (self), 0);

  return self->max_duration_ms;
}

void
tto_voice_recorder_set_max_duration_ms (TtoVoiceRecorder *self,
                                        guint max_duration_ms)
{
  g_return_if_fail (TTO_IS_VOICE_RECORDER (self));

  if (max_duration_ms == 0)
    max_duration_ms = G_MAXUINT;
  if (self->max_duration_ms == max_duration_ms)
    return;

  self->max_duration_ms = max_duration_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_DURATION_MS]);
}

/* Completes once sound arrives (state "recording"), or with
 * TTO_VOICE_RECORDER_ERROR_NO_MICROPHONE when there is no usable input. */
void
tto_voice_recorder_start_async (TtoVoiceRecorder *self,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (TTO_IS_VOICE_RECORDER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_voice_recorder_start_async);

  if (self->state == TTO_RECORDER_STATE_STARTING ||
      self->state == TTO_RECORDER_STATE_RECORDING ||
      self->state == TTO_RECORDER_STATE_STOPPING)
    {
      g_task_return_new_error (task, TTO_VOICE_RECORDER_ERROR, TTO_VOICE_RECORDER_ERROR_BUSY,
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
  /* A failure posts an error on the bus; on_bus_message reports it. */
  gst_element_set_state (self->pipeline, GST_STATE_PLAYING);
}

gboolean
tto_voice_recorder_start_finish (TtoVoiceRecorder *self,
                                 GAsyncResult *result,
                                 GError **error)
{
  g_return_val_if_fail (TTO_IS_VOICE_RECORDER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Ends the recording and gives its bytes (Ogg/Opus). Also works once the
 * recording stopped by itself at max-duration-ms. */
void
tto_voice_recorder_stop_async (TtoVoiceRecorder *self,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (TTO_IS_VOICE_RECORDER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_voice_recorder_stop_async);

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
        g_task_return_new_error (task, TTO_VOICE_RECORDER_ERROR, TTO_VOICE_RECORDER_ERROR_BUSY,
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
      g_task_return_new_error (task, TTO_VOICE_RECORDER_ERROR, TTO_VOICE_RECORDER_ERROR_BUSY,
                               "not recording");
      break;
    }
}

GBytes *
tto_voice_recorder_stop_finish (TtoVoiceRecorder *self,
                                GAsyncResult *result,
                                GError **error)
{
  g_return_val_if_fail (TTO_IS_VOICE_RECORDER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Drops the recording, whatever the state; pending calls get
 * G_IO_ERROR_CANCELLED. */
void
tto_voice_recorder_cancel (TtoVoiceRecorder *self)
{
  g_autoptr (GTask) start_task = NULL;
  g_autoptr (GTask) stop_task = NULL;

  g_return_if_fail (TTO_IS_VOICE_RECORDER (self));

  start_task = g_steal_pointer (&self->start_task);
  stop_task = g_steal_pointer (&self->stop_task);
  teardown_pipeline (self);
  wipe_data (self);
  g_clear_pointer (&self->recording, g_bytes_unref);
  g_clear_pointer (&self->waveform, g_array_unref);
  g_array_set_size (self->levels, 0);
  set_state (self, TTO_RECORDER_STATE_IDLE);

  if (start_task != NULL)
    g_task_return_new_error (start_task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             "the recording was cancelled");
  if (stop_task != NULL)
    g_task_return_new_error (stop_task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             "the recording was cancelled");
}

TtoRecorderState
tto_voice_recorder_get_state (TtoVoiceRecorder *self)
{
  g_return_val_if_fail (TTO_IS_VOICE_RECORDER (self), TTO_RECORDER_STATE_IDLE);

  return self->state;
}

guint
tto_voice_recorder_get_duration_ms (TtoVoiceRecorder *self)
{
  g_return_val_if_fail (TTO_IS_VOICE_RECORDER (self), 0);

  return self->duration_ms;
}

double
tto_voice_recorder_get_level (TtoVoiceRecorder *self)
{
  g_return_val_if_fail (TTO_IS_VOICE_RECORDER (self), 0.0);

  return self->level;
}

/* The finished recording's waveform: ≤ 128 levels 0-255, for the message's
 * attachment.waveform. NULL before it finished. */
const guint8 *
tto_voice_recorder_get_waveform (TtoVoiceRecorder *self,
                                 gsize *n_levels)
{
  g_return_val_if_fail (TTO_IS_VOICE_RECORDER (self), NULL);

  if (n_levels != NULL)
    *n_levels = self->waveform != NULL ? self->waveform->len : 0;

  return self->waveform != NULL ? (const guint8 *) self->waveform->data : NULL;
}

/* The finished recording (Ogg/Opus), or NULL. */
GBytes *
tto_voice_recorder_get_recording (TtoVoiceRecorder *self)
{
  g_return_val_if_fail (TTO_IS_VOICE_RECORDER (self), NULL);

  return self->recording;
}
