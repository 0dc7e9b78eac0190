/* tto-media-player.c: plays a voice or video message from memory
 *
 *   playbin (uri appsrc://) ← appsrc fed from the GBytes (random access)
 *     audio → autoaudiosink (or $TTO_TEST_AUDIO_SINK)
 *     video → appsink (RGBA) → GdkMemoryTexture, this object's paintable
 *
 * No temporary file: appsrc hands out slices of the downloaded bytes and
 * seeks within them, so the demuxers can read the length and the player
 * can start over.
 *
 * appsrc runs in push mode ("seekable"), not pull mode ("random-access"):
 * in pull mode decodebin plugs the demuxer from typefind's streaming thread
 * and activating the demuxer activates appsrc again from that thread. When
 * the player is stopped at that moment (a viewer closed right after it
 * opened), the main thread has just deactivated appsrc on its way to NULL,
 * the streaming thread starts it again while it is still PAUSED, and
 * GstBaseSrc asserts (gst_base_src_set_format: GST_STATE (src) <= READY).
 * In push mode only appsrc's own state change starts it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "tto-media-player.h"

#define POSITION_INTERVAL_MS 100
/* Bytes handed to appsrc at a time (its own hint is 4 KiB). */
#define CHUNK_SIZE (64 * 1024)

struct _TtoMediaPlayer
{
  GObject parent_instance;

  GBytes *media;
  gboolean with_video;
  GstElement *playbin;
  guint bus_watch;
  guint position_source;
  gboolean playing;
  guint position_ms;
  guint duration_ms;
  guint frames;

  GMutex lock;
  guint64 offset;             /* appsrc's read position, streaming thread */
  GdkTexture *pending_frame;  /* lock */
  gboolean frame_scheduled;   /* lock */
  GdkTexture *frame;
};

static void paintable_iface_init (GdkPaintableInterface *iface);

G_DEFINE_QUARK (tto-media-player-error-quark, tto_media_player_error)
G_DEFINE_FINAL_TYPE_WITH_CODE (TtoMediaPlayer, tto_media_player, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE, paintable_iface_init))

enum
{
  PROP_0,
  PROP_PLAYING,
  PROP_POSITION_MS,
  PROP_DURATION_MS,
  N_PROPS
};

enum
{
  ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Paintable */

static void
player_snapshot (GdkPaintable *paintable,
                 GdkSnapshot *snapshot,
                 double width,
                 double height)
{
  TtoMediaPlayer *self = TTO_MEDIA_PLAYER (paintable);

  if (self->frame != NULL)
    gdk_paintable_snapshot (GDK_PAINTABLE (self->frame), snapshot, width, height);
}

static int
player_get_intrinsic_width (GdkPaintable *paintable)
{
  TtoMediaPlayer *self = TTO_MEDIA_PLAYER (paintable);

  return self->frame != NULL ? gdk_texture_get_width (self->frame) : 0;
}

static int
player_get_intrinsic_height (GdkPaintable *paintable)
{
  TtoMediaPlayer *self = TTO_MEDIA_PLAYER (paintable);

  return self->frame != NULL ? gdk_texture_get_height (self->frame) : 0;
}

static void
paintable_iface_init (GdkPaintableInterface *iface)
{
  iface->snapshot = player_snapshot;
  iface->get_intrinsic_width = player_get_intrinsic_width;
  iface->get_intrinsic_height = player_get_intrinsic_height;
}

/* Streaming threads */

static void
on_need_data (GstAppSrc *src,
              guint length,
              gpointer user_data)
{
  TtoMediaPlayer *self = user_data;
  gsize size = g_bytes_get_size (self->media);
  guint64 offset;
  GstBuffer *buffer;

  g_mutex_lock (&self->lock);
  offset = self->offset;
  if (offset < size)
    {
      gsize chunk = MIN (MAX ((gsize) length, (gsize) CHUNK_SIZE), size - offset);

      self->offset += chunk;
      g_mutex_unlock (&self->lock);
      buffer = gst_buffer_new_wrapped_bytes (g_bytes_new_from_bytes (self->media, offset, chunk));
      GST_BUFFER_OFFSET (buffer) = offset;
      gst_app_src_push_buffer (src, buffer);
      return;
    }
  g_mutex_unlock (&self->lock);
  gst_app_src_end_of_stream (src);
}

static gboolean
on_seek_data (GstAppSrc *src,
              guint64 offset,
              gpointer user_data)
{
  TtoMediaPlayer *self = user_data;

  if (offset > g_bytes_get_size (self->media))
    return FALSE;
  g_mutex_lock (&self->lock);
  self->offset = offset;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static void
on_source_setup (GstElement *playbin,
                 GstElement *source,
                 TtoMediaPlayer *self)
{
  GstAppSrcCallbacks callbacks = { 0 };

  callbacks.need_data = on_need_data;
  callbacks.seek_data = on_seek_data;

  /* Push mode: see the comment at the top. The source is still in NULL
   * here, so its format can be set. */
  g_object_set (source, "stream-type", GST_APP_STREAM_TYPE_SEEKABLE, "format", GST_FORMAT_BYTES,
                "size", (gint64) g_bytes_get_size (self->media), NULL);
  gst_app_src_set_callbacks (GST_APP_SRC (source), &callbacks, self, NULL);
}

static gboolean
on_frame_ready (gpointer user_data)
{
  TtoMediaPlayer *self = user_data;
  g_autoptr (GdkTexture) texture = NULL;
  gboolean resized;

  g_mutex_lock (&self->lock);
  texture = g_steal_pointer (&self->pending_frame);
  self->frame_scheduled = FALSE;
  g_mutex_unlock (&self->lock);
  if (texture == NULL)
    return G_SOURCE_REMOVE;

  resized = self->frame == NULL ||
            gdk_texture_get_width (self->frame) != gdk_texture_get_width (texture) ||
            gdk_texture_get_height (self->frame) != gdk_texture_get_height (texture);
  g_set_object (&self->frame, texture);
  self->frames++;
  if (resized)
    gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
  return G_SOURCE_REMOVE;
}

static void
unmap_buffer (gpointer data)
{
  GstMapInfo *map = data;
  GstBuffer *buffer = map->user_data[0];

  gst_buffer_unmap (buffer, map);
  gst_buffer_unref (buffer);
  g_free (map);
}

static GstFlowReturn
on_new_sample (GstAppSink *sink,
               gpointer user_data)
{
  TtoMediaPlayer *self = user_data;
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);
  g_autoptr (GBytes) bytes = NULL;
  GstBuffer *buffer;
  GstVideoInfo info;
  GstMapInfo *map;
  GdkTexture *texture;
  gboolean schedule;

  if (sample == NULL)
    return GST_FLOW_EOS;
  buffer = gst_sample_get_buffer (sample);
  if (buffer == NULL || !gst_video_info_from_caps (&info, gst_sample_get_caps (sample)))
    return GST_FLOW_OK;

  map = g_new0 (GstMapInfo, 1);
  if (!gst_buffer_map (buffer, map, GST_MAP_READ))
    {
      g_free (map);
      return GST_FLOW_OK;
    }
  map->user_data[0] = gst_buffer_ref (buffer);
  bytes = g_bytes_new_with_free_func (map->data, map->size, unmap_buffer, map);
  texture = gdk_memory_texture_new (GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info),
                                    GDK_MEMORY_R8G8B8A8, bytes,
                                    GST_VIDEO_INFO_PLANE_STRIDE (&info, 0));

  g_mutex_lock (&self->lock);
  g_clear_object (&self->pending_frame);
  self->pending_frame = texture;
  schedule = !self->frame_scheduled;
  self->frame_scheduled = TRUE;
  g_mutex_unlock (&self->lock);
  if (schedule)
    g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, on_frame_ready, g_object_ref (self),
                                g_object_unref);
  return GST_FLOW_OK;
}

/* Main thread */

static void
set_playing (TtoMediaPlayer *self,
             gboolean playing)
{
  if (self->playing == playing)
    return;
  self->playing = playing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}

static void
query_times (TtoMediaPlayer *self)
{
  gint64 position = 0;
  gint64 duration = 0;

  if (self->playbin == NULL)
    return;
  if (gst_element_query_duration (self->playbin, GST_FORMAT_TIME, &duration) && duration > 0 &&
      (guint) (duration / GST_MSECOND) != self->duration_ms)
    {
      self->duration_ms = duration / GST_MSECOND;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION_MS]);
    }
  if (gst_element_query_position (self->playbin, GST_FORMAT_TIME, &position) && position >= 0 &&
      (guint) (position / GST_MSECOND) != self->position_ms)
    {
      self->position_ms = position / GST_MSECOND;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION_MS]);
    }
}

static gboolean
on_position_timeout (gpointer user_data)
{
  query_times (user_data);
  return G_SOURCE_CONTINUE;
}

static void
finish (TtoMediaPlayer *self)
{
  g_clear_handle_id (&self->position_source, g_source_remove);
  if (self->playbin != NULL)
    gst_element_set_state (self->playbin, GST_STATE_NULL);
  g_mutex_lock (&self->lock);
  self->offset = 0;
  g_mutex_unlock (&self->lock);
  if (self->position_ms != 0)
    {
      self->position_ms = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION_MS]);
    }
  set_playing (self, FALSE);
}

static gboolean
on_bus_message (GstBus *bus,
                GstMessage *message,
                gpointer user_data)
{
  TtoMediaPlayer *self = user_data;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_EOS:
      finish (self);
      break;
    case GST_MESSAGE_ERROR:
      {
        g_autoptr (GError) gst_error = NULL;
        g_autoptr (GError) error = NULL;

        gst_message_parse_error (message, &gst_error, NULL);
        error = g_error_new (TTO_MEDIA_PLAYER_ERROR, TTO_MEDIA_PLAYER_ERROR_FAILED,
                             "Cannot play: %s", gst_error->message);
        finish (self);
        g_signal_emit (self, signals[ERROR], 0, error);
        break;
      }
    case GST_MESSAGE_DURATION_CHANGED:
    case GST_MESSAGE_ASYNC_DONE:
      query_times (self);
      break;
    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

static GstElement *
make_pipeline (TtoMediaPlayer *self,
               GError **error)
{
  g_autoptr (GstElement) playbin = NULL;
  const char *audio_sink_name = g_getenv ("TTO_TEST_AUDIO_SINK");
  GstElement *audio_sink;
  GstBus *bus;

  if (!gst_is_initialized ())
    gst_init (NULL, NULL);

  playbin = gst_element_factory_make ("playbin", NULL);
  /* The test sink is a gst-launch description ("fakesink sync=true"), as
   * for the call engine. */
  if (audio_sink_name != NULL && *audio_sink_name != '\0')
    audio_sink = gst_parse_bin_from_description (audio_sink_name, TRUE, NULL);
  else
    audio_sink = gst_element_factory_make ("autoaudiosink", NULL);
  if (playbin == NULL || audio_sink == NULL)
    {
      g_clear_object (&audio_sink);
      g_set_error_literal (error, TTO_MEDIA_PLAYER_ERROR, TTO_MEDIA_PLAYER_ERROR_FAILED,
                           "GStreamer's playbin or an audio sink is missing");
      return NULL;
    }
  gst_object_ref_sink (playbin);
  g_object_set (playbin, "uri", "appsrc://", "audio-sink", audio_sink, NULL);

  if (self->with_video)
    {
      GstElement *video_sink = gst_element_factory_make ("appsink", NULL);
      g_autoptr (GstCaps) caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING,
                                                      "RGBA", NULL);
      GstAppSinkCallbacks callbacks = { 0 };

      if (video_sink == NULL)
        {
          g_set_error_literal (error, TTO_MEDIA_PLAYER_ERROR, TTO_MEDIA_PLAYER_ERROR_FAILED,
                               "GStreamer's appsink is missing");
          return NULL;
        }
      callbacks.new_sample = on_new_sample;
      g_object_set (video_sink, "caps", caps, "max-buffers", 2, "drop", TRUE, NULL);
      gst_app_sink_set_callbacks (GST_APP_SINK (video_sink), &callbacks, self, NULL);
      g_object_set (playbin, "video-sink", video_sink, NULL);
    }
  else
    {
      int flags;

      /* Audio only: no video branch at all. */
      g_object_get (playbin, "flags", &flags, NULL);
      g_object_set (playbin, "flags", flags & ~0x1, NULL);
    }

  g_signal_connect (playbin, "source-setup", G_CALLBACK (on_source_setup), self);
  bus = gst_element_get_bus (playbin);
  self->bus_watch = gst_bus_add_watch (bus, on_bus_message, self);
  gst_object_unref (bus);
  return g_steal_pointer (&playbin);
}

static void
tto_media_player_dispose (GObject *object)
{
  TtoMediaPlayer *self = TTO_MEDIA_PLAYER (object);

  g_clear_handle_id (&self->position_source, g_source_remove);
  g_clear_handle_id (&self->bus_watch, g_source_remove);
  if (self->playbin != NULL)
    {
      gst_element_set_state (self->playbin, GST_STATE_NULL);
      g_clear_pointer (&self->playbin, gst_object_unref);
    }
  g_clear_object (&self->frame);
  g_clear_object (&self->pending_frame);

  G_OBJECT_CLASS (tto_media_player_parent_class)->dispose (object);
}

static void
tto_media_player_finalize (GObject *object)
{
  TtoMediaPlayer *self = TTO_MEDIA_PLAYER (object);

  g_clear_pointer (&self->media, g_bytes_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (tto_media_player_parent_class)->finalize (object);
}

static void
tto_media_player_get_property (GObject *object,
                               guint prop_id,
                               GValue *value,
                               GParamSpec *pspec)
{
  TtoMediaPlayer *self = TTO_MEDIA_PLAYER (object);

  switch (prop_id)
    {
    case PROP_PLAYING:
      g_value_set_boolean (value, self->playing);
      break;
    case PROP_POSITION_MS:
      g_value_set_uint (value, self->position_ms);
      break;
    case PROP_DURATION_MS:
      g_value_set_uint (value, self->duration_ms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_media_player_class_init (TtoMediaPlayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = tto_media_player_dispose;
  object_class->finalize = tto_media_player_finalize;
  object_class->get_property = tto_media_player_get_property;

  properties[PROP_PLAYING] = g_param_spec_boolean ("playing", NULL, NULL, FALSE, flags);
  properties[PROP_POSITION_MS] = g_param_spec_uint ("position-ms", NULL, NULL, 0, G_MAXUINT, 0,
                                                    flags);
  properties[PROP_DURATION_MS] = g_param_spec_uint ("duration-ms", NULL, NULL, 0, G_MAXUINT, 0,
                                                    flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Playing failed (GError); the player stopped. */
  signals[ERROR] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                 NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
tto_media_player_init (TtoMediaPlayer *self)
{
  g_mutex_init (&self->lock);
}

/* @media: an Ogg/Opus voice message or a WebM video message. */
TtoMediaPlayer *
tto_media_player_new (GBytes *media,
                      gboolean with_video)
{
  TtoMediaPlayer *self;

  g_return_val_if_fail (media != NULL, NULL);

  self = g_object_new (TTO_TYPE_MEDIA_PLAYER, NULL);
  self->media = g_bytes_ref (media);
  self->with_video = with_video;
  return self;
}

void
tto_media_player_play (TtoMediaPlayer *self)
{
  g_return_if_fail (TTO_IS_MEDIA_PLAYER (self));

  if (self->playbin == NULL)
    {
      g_autoptr (GError) error = NULL;

      self->playbin = make_pipeline (self, &error);
      if (self->playbin == NULL)
        {
          g_signal_emit (self, signals[ERROR], 0, error);
          return;
        }
    }
  if (gst_element_set_state (self->playbin, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_autoptr (GError) error = g_error_new_literal (TTO_MEDIA_PLAYER_ERROR,
                                                      TTO_MEDIA_PLAYER_ERROR_FAILED,
                                                      "Cannot start playing");

      finish (self);
      g_signal_emit (self, signals[ERROR], 0, error);
      return;
    }
  if (self->position_source == 0)
    self->position_source = g_timeout_add (POSITION_INTERVAL_MS, on_position_timeout, self);
  set_playing (self, TRUE);
}

void
tto_media_player_pause (TtoMediaPlayer *self)
{
  g_return_if_fail (TTO_IS_MEDIA_PLAYER (self));

  if (self->playbin == NULL || !self->playing)
    return;
  gst_element_set_state (self->playbin, GST_STATE_PAUSED);
  g_clear_handle_id (&self->position_source, g_source_remove);
  query_times (self);
  set_playing (self, FALSE);
}

/* Back to the start. */
void
tto_media_player_stop (TtoMediaPlayer *self)
{
  g_return_if_fail (TTO_IS_MEDIA_PLAYER (self));

  finish (self);
}

gboolean
tto_media_player_get_playing (TtoMediaPlayer *self)
{
  g_return_val_if_fail (TTO_IS_MEDIA_PLAYER (self), FALSE);

  return self->playing;
}

guint
tto_media_player_get_position_ms (TtoMediaPlayer *self)
{
  g_return_val_if_fail (TTO_IS_MEDIA_PLAYER (self), 0);

  return self->position_ms;
}

guint
tto_media_player_get_duration_ms (TtoMediaPlayer *self)
{
  g_return_val_if_fail (TTO_IS_MEDIA_PLAYER (self), 0);

  return self->duration_ms;
}

/* Video frames shown so far. */
guint
tto_media_player_get_frames (TtoMediaPlayer *self)
{
  g_return_val_if_fail (TTO_IS_MEDIA_PLAYER (self), 0);

  return self->frames;
}
