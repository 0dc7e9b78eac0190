/* tto-call-engine.c: one call's media, a full WebRTC mesh, no UI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One pipeline per call. The local streams are captured and encoded once:
 *
 *   audio-source ─ audioconvert ─ audioresample ─ volume ─ tee ─ opusenc ─ tee ─ peer …
 *                                                           └ recording
 *   video-source ─ videoconvert ─ videoscale ─ videorate ─ I420 WxH@F ─ tee ─┬ queue ─ vp8enc ─ tee ─ peer …
 *                                                                           ├ preview appsink
 *                                                                           └ recording
 *
 * and each remote participant is a TtoCallPeer bin (webrtcbin) fed by the
 * tees. Who offers to whom follows PROTOCOL.md: the member who joined the
 * call later offers to those already in. A local recording
 * (TtoCallRecorder) mixes the raw tees with every peer's decoded media.
 */
#include <string.h>

#include <gst/app/app.h>
#include <gst/video/video.h>

#include "tto-call-engine.h"
#include "tto-call-recorder.h"
#include "tto-call-util.h"
#include "tto-calls-private.h"
#include "tto-shared.h"

#define DEFAULT_WIDTH 640
#define DEFAULT_HEIGHT 360
#define DEFAULT_FRAMERATE 24
#define DEFAULT_VIDEO_KBPS 800
#define DEFAULT_AUDIO_KBPS 32
#define MIN_VIDEO_KBPS 150
#define STATS_INTERVAL_S 2
#define DEFAULT_RECORDING_WIDTH 1280
#define DEFAULT_RECORDING_HEIGHT 720
#define RECORDING_FRAMERATE 24
#define RECORDING_STOP_TIMEOUT_MS 3000

enum
{
  PROP_0,
  PROP_SELF_ID,
  PROP_EVENT_ID,
  PROP_CALL_ID,
  PROP_KIND,
  PROP_STATE,
  PROP_AUDIO_SOURCE,
  PROP_VIDEO_SOURCE,
  PROP_AUDIO_SINK,
  PROP_VIDEO_WIDTH,
  PROP_VIDEO_HEIGHT,
  PROP_VIDEO_FRAMERATE,
  PROP_VIDEO_BITRATE,
  PROP_LOOPBACK_ONLY,
  PROP_RELAY_ONLY,
  PROP_PREVIEW,
  PROP_H264_ENCODER,
  PROP_ADAPTIVE_BITRATE,
  PROP_MUTED,
  PROP_CAMERA_ENABLED,
  PROP_RECORDING,
  PROP_RECORDING_WIDTH,
  PROP_RECORDING_HEIGHT,
  N_PROPS
};

enum
{
  SIGNAL_SEND_FRAME,
  SIGNAL_PEER_ADDED,
  SIGNAL_PEER_REMOVED,
  SIGNAL_LOCAL_VIDEO_FRAME,
  SIGNAL_ENDED,
  SIGNAL_RECORDING_FAILED,
  N_SIGNALS
};

static GParamSpec *props[N_PROPS];
static guint signals[N_SIGNALS];

struct _TtoCallEngine
{
  GObject parent_instance;

  char *self_id;
  char *event_id;
  char *call_id;
  TtoCallKind kind;
  TtoCallEngineState state;
  GMainContext *context;

  /* Settings, read at start. */
  char *audio_source;
  char *video_source;
  char *audio_sink;
  guint width;
  guint height;
  guint framerate;
  gboolean loopback_only;
  gboolean relay_only;
  gboolean preview;
  gboolean adaptive_bitrate;
  char *h264_encoder; /* NULL: a hardware one, if any; "": none */
  guint recording_width;
  guint recording_height;
  char *stun_server;
  GPtrArray *turn_servers;

  /* Live controls. */
  guint video_kbps;         /* wanted */
  guint current_video_kbps; /* after congestion control */
  gboolean muted;
  gint camera_enabled; /* atomic: read by a streaming thread */

  GstPipeline *pipeline;
  guint bus_watch;
  guint stats_source;
  GstElement *volume;
  GstElement *raw_audio_tee;
  GstElement *audio_tee;
  GstElement *video_encoder;
  GstElement *vp8_valve;  /* closed while no peer takes VP8 */
  GstElement *video_source_bin;  /* replaced when the camera switches */
  GstElement *video_convert;
  GstElement *raw_video_tee;
  GstElement *video_tee;
  char *h264_factory;     /* resolved at start; NULL: VP8 only */
  GstElement *h264_encoder_element;
  GstElement *h264_valve;
  GstElement *h264_tee;   /* built for the first peer that takes H.264 */

  TtoCallRecorder *recorder;

  GListStore *peers;
  GPtrArray *local_candidates;

  GMutex lock; /* the preview frame */
  GstSample *preview_sample;
  gboolean preview_scheduled;
  GdkTexture *local_frame;
};

G_DEFINE_QUARK (tto-call-error-quark, tto_call_error)
G_DEFINE_TYPE (TtoCallEngine, tto_call_engine, G_TYPE_OBJECT)
G_DEFINE_ENUM_TYPE (TtoCallKind, tto_call_kind,
                    G_DEFINE_ENUM_VALUE (TTO_CALL_KIND_AUDIO, "audio"),
                    G_DEFINE_ENUM_VALUE (TTO_CALL_KIND_VIDEO, "video"))
G_DEFINE_ENUM_TYPE (TtoCallEngineState, tto_call_engine_state,
                    G_DEFINE_ENUM_VALUE (TTO_CALL_ENGINE_STATE_IDLE, "idle"),
                    G_DEFINE_ENUM_VALUE (TTO_CALL_ENGINE_STATE_RUNNING, "running"),
                    G_DEFINE_ENUM_VALUE (TTO_CALL_ENGINE_STATE_ENDED, "ended"))

static void stop_media (TtoCallEngine *self);
static gboolean finish_recording (TtoCallEngine *self);
static void recording_failed (TtoCallEngine *self,
                              const char *reason);

/* ------------------------------------------------------------ signalling */

void
tto_call_engine_send_signal (TtoCallEngine *self,
                             const char *type,
                             const char *to,
                             JsonObject *fields)
{
  g_autoptr (JsonObject) body = fields != NULL ? fields : json_object_new ();

  g_assert (TTO_IS_CALL_ENGINE (self));

  json_object_set_string_member (body, "event_id", self->event_id);
  json_object_set_string_member (body, "call_id", self->call_id);
  if (to != NULL)
    json_object_set_string_member (body, "to", to);
  g_signal_emit (self, signals[SIGNAL_SEND_FRAME], 0, type, body);
}

void
tto_call_engine_note_candidate (TtoCallEngine *self,
                                const char *candidate)
{
  g_ptr_array_add (self->local_candidates, g_strdup (candidate));
}

/* --------------------------------------------------------------- peers */

/* An encoder works only while some peer takes its codec: a phone with a
 * hardware H.264 encoder spends nothing on VP8 in an all-H.264 call. */
static void
update_valves (TtoCallEngine *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->peers));
  gboolean vp8 = FALSE, h264 = FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TtoCallPeer) peer = g_list_model_get_item (G_LIST_MODEL (self->peers), i);
      const char *codec = tto_call_peer_get_video_codec (peer);

      vp8 |= g_strcmp0 (codec, "VP8") == 0;
      h264 |= g_strcmp0 (codec, "H264") == 0;
    }
  if (self->vp8_valve != NULL)
    g_object_set (self->vp8_valve, "drop", !vp8, NULL);
  if (self->h264_valve != NULL)
    g_object_set (self->h264_valve, "drop", !h264, NULL);
}

static gboolean
find_peer_index (TtoCallEngine *self,
                 const char *identity_id,
                 guint *out_index)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->peers));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TtoCallPeer) peer = g_list_model_get_item (G_LIST_MODEL (self->peers), i);

      if (g_str_equal (tto_call_peer_get_identity_id (peer), identity_id))
        {
          *out_index = i;
          return TRUE;
        }
    }

  return FALSE;
}

static void
remove_peer_at (TtoCallEngine *self,
                guint index,
                gboolean pipeline_stopped)
{
  g_autoptr (TtoCallPeer) peer = g_list_model_get_item (G_LIST_MODEL (self->peers), index);

  g_list_store_remove (self->peers, index);
  update_valves (self);
  /* Out of the recording first: the peer's tees go with its bin. */
  if (self->recorder != NULL && !pipeline_stopped)
    tto_call_recorder_remove_inputs (self->recorder, peer);
  tto_call_peer_detach (peer, pipeline_stopped);
  g_signal_emit (self, signals[SIGNAL_PEER_REMOVED], 0, peer);
}

static TtoCallPeer *
add_peer (TtoCallEngine *self,
          const char *identity_id,
          const char *display_name,
          gint64 joined_at,
          gboolean offerer,
          gboolean h264)
{
  g_autoptr (TtoCallPeer) peer = NULL;
  g_autoptr (GError) error = NULL;
  GstElement *video_tee = self->video_tee;

  /* The H.264 branch exists when this device has an encoder (build_h264 ()). */
  if (h264 && video_tee != NULL)
    {
      video_tee = self->h264_tee;
      if (video_tee == NULL)
        {
          g_message ("cannot send H.264: this device has no H.264 encoder");
          return NULL;
        }
    }
  peer = tto_call_peer_new (self, identity_id, display_name, joined_at, offerer);
  if (!tto_call_peer_attach (peer, GST_BIN (self->pipeline), self->audio_tee, video_tee,
                             h264 ? "H264" : "VP8", &error))
    {
      g_message ("cannot connect to a call peer: %s", error->message);
      tto_call_peer_detach (peer, FALSE);
      return NULL;
    }
  g_list_store_append (self->peers, peer);
  update_valves (self);
  g_signal_emit (self, signals[SIGNAL_PEER_ADDED], 0, peer);

  return peer;
}

/* Offers go from the later joiner to the earlier; ids break a tie. */
static gboolean
i_offer (TtoCallEngine *self,
         gint64 my_joined_at,
         const char *other_id,
         gint64 other_joined_at)
{
  if (my_joined_at != other_joined_at)
    return my_joined_at > other_joined_at;

  return strcmp (self->self_id, other_id) > 0;
}

static void
end_call (TtoCallEngine *self)
{
  if (self->state == TTO_CALL_ENGINE_STATE_ENDED)
    return;
  /* Ended by the relay: the file is still finished properly. */
  finish_recording (self);
  stop_media (self);
  self->state = TTO_CALL_ENGINE_STATE_ENDED;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
  g_signal_emit (self, signals[SIGNAL_ENDED], 0);
}

/* A Call object (call.accept's answer or call.state): the peers to have. */
static void
apply_call (TtoCallEngine *self,
            JsonObject *call)
{
  JsonArray *participants;
  gint64 my_joined_at = -1;
  gboolean my_h264 = FALSE;
  g_autoptr (GHashTable) present = g_hash_table_new (g_str_hash, g_str_equal);
  guint n;

  if (json_object_get_boolean_member_with_default (call, "ended", FALSE))
    {
      end_call (self);
      return;
    }

  participants = json_object_get_array_member (call, "participants");
  n = participants != NULL ? json_array_get_length (participants) : 0;
  for (guint i = 0; i < n; i++)
    {
      JsonObject *p = json_array_get_object_element (participants, i);

      if (p != NULL && g_strcmp0 (json_object_get_string_member_with_default (p, "identity_id",
                                                                             NULL),
                                  self->self_id) == 0)
        {
          my_joined_at = json_object_get_int_member_with_default (p, "joined_at", 0);
          my_h264 = json_object_get_boolean_member_with_default (p, "h264", FALSE);
        }
    }
  if (my_joined_at < 0)
    {
      /* The relay says we are out (hung up elsewhere, or dropped). */
      end_call (self);
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      JsonObject *p = json_array_get_object_element (participants, i);
      const char *id;
      gint64 joined_at;
      guint index;

      if (p == NULL)
        continue;
      id = json_object_get_string_member_with_default (p, "identity_id", NULL);
      if (id == NULL || g_str_equal (id, self->self_id))
        continue;
      joined_at = json_object_get_int_member_with_default (p, "joined_at", 0);
      g_hash_table_add (present, (gpointer) id);

      if (find_peer_index (self, id, &index))
        {
          g_autoptr (TtoCallPeer) peer = g_list_model_get_item (G_LIST_MODEL (self->peers),
                                                                index);

          if (tto_call_peer_get_joined_at (peer) == joined_at)
            continue;
          /* Left and came back in between: a new connection. */
          remove_peer_at (self, index, FALSE);
        }
      /* Both ends read the same Call, so both pick the same codec. */
      add_peer (self, id, json_object_get_string_member_with_default (p, "display_name", NULL),
                joined_at, i_offer (self, my_joined_at, id, joined_at),
                my_h264 && self->h264_factory != NULL
                  && json_object_get_boolean_member_with_default (p, "h264", FALSE));
    }

  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->peers)); i > 0; i--)
    {
      g_autoptr (TtoCallPeer) peer = g_list_model_get_item (G_LIST_MODEL (self->peers), i - 1);

      if (!g_hash_table_contains (present, tto_call_peer_get_identity_id (peer)))
        remove_peer_at (self, i - 1, FALSE);
    }
}

/* --------------------------------------------------------------- media */

static gboolean
on_bus_message (GstBus *bus,
                GstMessage *message,
                gpointer user_data)
{
  TtoCallEngine *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *debug = NULL;
  g_autofree char *source = NULL;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      gst_message_parse_error (message, &error, &debug);
      if (self->recorder != NULL
          && tto_call_recorder_owns (self->recorder, GST_MESSAGE_SRC (message)))
        {
          recording_failed (self, error->message);
          break;
        }
      source = gst_object_get_path_string (GST_MESSAGE_SRC (message));
      /* One peer's trouble should not end the call for the others. */
      g_message ("call media error from %s: %s", source, error->message);
      break;
    case GST_MESSAGE_WARNING:
      gst_message_parse_warning (message, &error, &debug);
      source = gst_object_get_path_string (GST_MESSAGE_SRC (message));
      g_debug ("call media warning from %s: %s", source, error->message);
      break;
    default:
      break;
    }

  return G_SOURCE_CONTINUE;
}

static void
publish_preview (TtoCallEngine *self)
{
  GstSample *sample;
  g_autoptr (GdkTexture) texture = NULL;

  g_mutex_lock (&self->lock);
  sample = g_steal_pointer (&self->preview_sample);
  self->preview_scheduled = FALSE;
  g_mutex_unlock (&self->lock);

  if (sample == NULL)
    return;
  texture = tto_call_texture_from_sample (sample);
  gst_sample_unref (sample);
  if (texture == NULL || self->state != TTO_CALL_ENGINE_STATE_RUNNING)
    return;
  g_set_object (&self->local_frame, texture);
  g_signal_emit (self, signals[SIGNAL_LOCAL_VIDEO_FRAME], 0, texture);
}

static gboolean
on_preview_idle (gpointer user_data)
{
  publish_preview (user_data);

  return G_SOURCE_REMOVE;
}

static GstFlowReturn
on_preview_sample (GstAppSink *sink,
                   gpointer user_data)
{
  TtoCallEngine *self = user_data;
  GstSample *sample = gst_app_sink_pull_sample (sink);
  GstSample *old;
  gboolean schedule;

  if (sample == NULL)
    return GST_FLOW_EOS;

  g_mutex_lock (&self->lock);
  old = self->preview_sample;
  self->preview_sample = sample;
  schedule = !self->preview_scheduled;
  self->preview_scheduled = TRUE;
  g_mutex_unlock (&self->lock);

  if (old != NULL)
    gst_sample_unref (old);
  if (schedule)
    {
      g_autoptr (GSource) source = g_idle_source_new ();

      g_source_set_callback (source, on_preview_idle, g_object_ref (self), g_object_unref);
      g_source_attach (source, self->context);
    }

  return GST_FLOW_OK;
}

/* Camera off: the stream keeps flowing, black, so nobody renegotiates. */
static GstPadProbeReturn
on_raw_video (GstPad *pad,
              GstPadProbeInfo *info,
              gpointer user_data)
{
  TtoCallEngine *self = user_data;
  GstBuffer *buffer;
  GstVideoInfo video_info;
  GstVideoFrame frame;
  g_autoptr (GstCaps) caps = NULL;

  if (g_atomic_int_get (&self->camera_enabled))
    return GST_PAD_PROBE_OK;

  caps = gst_pad_get_current_caps (pad);
  if (caps == NULL || !gst_video_info_from_caps (&video_info, caps))
    return GST_PAD_PROBE_OK;

  buffer = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
  GST_PAD_PROBE_INFO_DATA (info) = buffer;
  if (gst_video_frame_map (&frame, &video_info, buffer, GST_MAP_WRITE))
    {
      /* I420: Y 16, U and V 128 is black. */
      for (guint plane = 0; plane < GST_VIDEO_FRAME_N_PLANES (&frame); plane++)
        memset (GST_VIDEO_FRAME_PLANE_DATA (&frame, plane), plane == 0 ? 16 : 128,
                GST_VIDEO_FRAME_PLANE_STRIDE (&frame, plane)
                  * GST_VIDEO_FRAME_COMP_HEIGHT (&frame, plane));
      gst_video_frame_unmap (&frame);
    }

  return GST_PAD_PROBE_OK;
}

static GstElement *
make_element (GstBin *bin,
              const char *factory,
              GError **error)
{
  GstElement *element;

  if (error != NULL && *error != NULL)
    return NULL;

  element = gst_element_factory_make (factory, NULL);
  if (element == NULL)
    {
      g_set_error (error, TTO_CALL_ERROR, TTO_CALL_ERROR_MISSING_ELEMENT,
                   "GStreamer element %s is missing", factory);
      return NULL;
    }
  gst_bin_add (bin, element);

  return element;
}

static GstElement *
make_source (GstBin *bin,
             const char *description,
             GError **error)
{
  GstElement *source;

  if (error != NULL && *error != NULL)
    return NULL;

  source = gst_parse_bin_from_description (description, TRUE, error);
  if (source == NULL)
    {
      g_prefix_error (error, "source \"%s\": ", description);
      return NULL;
    }
  gst_bin_add (bin, source);

  return source;
}

static gboolean
link_all (GstElement **elements,
          guint n,
          GError **error)
{
  if (*error != NULL)
    return FALSE;

  for (guint i = 0; i + 1 < n; i++)
    if (!gst_element_link (elements[i], elements[i + 1]))
      {
        g_set_error (error, TTO_CALL_ERROR, TTO_CALL_ERROR_FAILED, "could not link %s to %s",
                     GST_OBJECT_NAME (elements[i]), GST_OBJECT_NAME (elements[i + 1]));
        return FALSE;
      }

  return TRUE;
}

/* ----------------------------------------------------------------- H.264 */

/* A phone encodes H.264 only in hardware (v4l2, VA, …): in software, VP8
 * costs less for the same picture. Decoding may be software. NULL when
 * the device lacks either. */
char *
tto_call_engine_find_h264_encoder (void)
{
  g_autoptr (GstCaps) h264 = NULL;
  GList *encoders;
  GList *found;
  GList *all;
  GList *decoders;
  char *name = NULL;

  gst_init (NULL, NULL);
  h264 = gst_caps_new_empty_simple ("video/x-h264");
  encoders = gst_element_factory_list_get_elements (GST_ELEMENT_FACTORY_TYPE_VIDEO_ENCODER
                                                      | GST_ELEMENT_FACTORY_TYPE_HARDWARE,
                                                    GST_RANK_MARGINAL);
  found = gst_element_factory_list_filter (encoders, h264, GST_PAD_SRC, FALSE);
  found = g_list_sort (found, gst_plugin_feature_rank_compare_func);
  all = gst_element_factory_list_get_elements (GST_ELEMENT_FACTORY_TYPE_DECODER
                                                 | GST_ELEMENT_FACTORY_TYPE_MEDIA_VIDEO,
                                               GST_RANK_MARGINAL);
  decoders = gst_element_factory_list_filter (all, h264, GST_PAD_SINK, FALSE);
  if (found != NULL && decoders != NULL)
    name = g_strdup (gst_plugin_feature_get_name (found->data));

  gst_plugin_feature_list_free (encoders);
  gst_plugin_feature_list_free (found);
  gst_plugin_feature_list_free (all);
  gst_plugin_feature_list_free (decoders);

  return name;
}

/* Encoders disagree on the unit: bit/s for openh264enc and v4l2's
 * control, kbit/s for x264enc, vaapi, va, nv and the rest. */
static void
set_h264_kbps (GstElement *encoder,
               guint kbps)
{
  const char *factory = gst_plugin_feature_get_name (gst_element_get_factory (encoder));
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (encoder), "bitrate");
  guint value = g_str_equal (factory, "openh264enc") ? kbps * 1000 : kbps;

  if (g_str_has_prefix (factory, "v4l2"))
    {
      g_autoptr (GstStructure) controls = gst_structure_new ("controls", "video_bitrate",
                                                             G_TYPE_INT, (int) kbps * 1000,
                                                             NULL);

      g_object_set (encoder, "extra-controls", controls, NULL);
    }
  else if (pspec != NULL && pspec->value_type == G_TYPE_UINT)
    g_object_set (encoder, "bitrate", value, NULL);
  else if (pspec != NULL && pspec->value_type == G_TYPE_INT)
    g_object_set (encoder, "bitrate", (int) value, NULL);
}

static void
apply_video_kbps (TtoCallEngine *self)
{
  if (self->video_encoder != NULL)
    g_object_set (self->video_encoder, "target-bitrate", (int) self->current_video_kbps * 1000,
                  NULL);
  if (self->h264_encoder_element != NULL)
    set_h264_kbps (self->h264_encoder_element, self->current_video_kbps);
}

/* The H.264 branch beside VP8's, from the same raw video, built with the
 * rest before the pipeline plays (adding it to a pipeline on its way to
 * playing left it unnegotiated now and then) and idle behind its valve
 * until a peer takes H.264:
 *   raw tee ─ queue ─ valve ─ videoconvert ─ encoder ─ h264parse ─ capsfilter ─ tee */
static gboolean
build_h264 (TtoCallEngine *self,
            GError **error)
{
  GstBin *bin = GST_BIN (self->pipeline);
  GstElement *chain[8];
  g_autoptr (GstCaps) caps = NULL;

  chain[0] = self->raw_video_tee;
  chain[1] = make_element (bin, "queue", error);
  chain[2] = self->h264_valve = make_element (bin, "valve", error);
  chain[3] = make_element (bin, "videoconvert", error);
  chain[4] = self->h264_encoder_element = make_element (bin, self->h264_factory, error);
  chain[5] = make_element (bin, "h264parse", error);
  chain[6] = make_element (bin, "capsfilter", error);
  chain[7] = self->h264_tee = make_element (bin, "tee", error);
  if (*error != NULL)
    return FALSE;

  g_object_set (chain[1], "max-size-buffers", 2, "max-size-time", (guint64) 0,
                "max-size-bytes", 0, "leaky", 2 /* downstream */, NULL);
  g_object_set (self->h264_valve, "drop", TRUE, NULL);
  if (g_str_equal (self->h264_factory, "openh264enc"))
    {
      /* Real time and a key frame at least every 2 s, as VP8's. */
      gst_util_set_object_arg (G_OBJECT (chain[4]), "rate-control", "bitrate");
      gst_util_set_object_arg (G_OBJECT (chain[4]), "usage-type", "camera");
      gst_util_set_object_arg (G_OBJECT (chain[4]), "complexity", "low");
      g_object_set (chain[4], "gop-size", self->framerate * 2, "multi-thread", 1, NULL);
    }
  set_h264_kbps (chain[4], self->current_video_kbps);
  caps = gst_caps_new_simple ("video/x-h264", "profile", G_TYPE_STRING, "constrained-baseline",
                              "stream-format", G_TYPE_STRING, "byte-stream", "alignment",
                              G_TYPE_STRING, "au", NULL);
  g_object_set (chain[6], "caps", caps, NULL);
  g_object_set (self->h264_tee, "allow-not-linked", TRUE, NULL);

  return link_all (chain, G_N_ELEMENTS (chain), error);
}

static gboolean
build_audio (TtoCallEngine *self,
             GError **error)
{
  GstBin *bin = GST_BIN (self->pipeline);
  GstElement *chain[7];

  chain[0] = make_source (bin, self->audio_source, error);
  chain[1] = make_element (bin, "audioconvert", error);
  chain[2] = make_element (bin, "audioresample", error);
  chain[3] = self->volume = make_element (bin, "volume", error);
  chain[4] = self->raw_audio_tee = make_element (bin, "tee", error);
  chain[5] = make_element (bin, "opusenc", error);
  chain[6] = self->audio_tee = make_element (bin, "tee", error);
  if (*error != NULL)
    return FALSE;

  g_object_set (self->volume, "mute", self->muted, NULL);
  g_object_set (chain[5], "bitrate", DEFAULT_AUDIO_KBPS * 1000, "audio-type", 2048 /* voice */,
                "frame-size", 20, NULL);
  g_object_set (self->raw_audio_tee, "allow-not-linked", TRUE, NULL);
  g_object_set (self->audio_tee, "allow-not-linked", TRUE, NULL);

  return link_all (chain, G_N_ELEMENTS (chain), error);
}

static gboolean
build_video (TtoCallEngine *self,
             GError **error)
{
  GstBin *bin = GST_BIN (self->pipeline);
  GstElement *chain[10];
  GstElement *raw_tee;
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (GstPad) probed = NULL;

  chain[0] = make_source (bin, self->video_source, error);
  chain[1] = make_element (bin, "videoconvert", error);
  chain[2] = make_element (bin, "videoscale", error);
  chain[3] = make_element (bin, "videorate", error);
  chain[4] = make_element (bin, "capsfilter", error);
  chain[5] = raw_tee = make_element (bin, "tee", error);
  chain[6] = make_element (bin, "queue", error);
  chain[7] = self->vp8_valve = make_element (bin, "valve", error);
  chain[8] = self->video_encoder = make_element (bin, "vp8enc", error);
  chain[9] = self->video_tee = make_element (bin, "tee", error);
  if (*error != NULL)
    return FALSE;

  caps = gst_caps_new_simple ("video/x-raw",
                              "format", G_TYPE_STRING, "I420",
                              "width", G_TYPE_INT, self->width,
                              "height", G_TYPE_INT, self->height,
                              "framerate", GST_TYPE_FRACTION, self->framerate, 1,
                              "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                              NULL);
  g_object_set (chain[4], "caps", caps, NULL);
  g_object_set (raw_tee, "allow-not-linked", TRUE, NULL);
  /* Real time, no look-ahead, constant rate, a key frame at least every
   * 2 s (and on demand when someone connects). One thread: libvpx's VP8
   * threads spin while they wait (measured: 60x the CPU at 320x180 with
   * threads=2), and a call has other work for the second core. */
  g_object_set (chain[6], "max-size-buffers", 2, "max-size-time", (guint64) 0,
                "max-size-bytes", 0, "leaky", 2 /* downstream */, NULL);
  g_object_set (self->video_encoder,
                "deadline", (gint64) 1,
                "cpu-used", 8,
                "end-usage", 1 /* cbr */,
                "lag-in-frames", 0,
                "threads", 1,
                "error-resilient", 1 /* default */,
                "keyframe-max-dist", (int) self->framerate * 2,
                "target-bitrate", (int) self->current_video_kbps * 1000,
                NULL);
  g_object_set (self->video_tee, "allow-not-linked", TRUE, NULL);
  /* Nobody to send to yet. */
  g_object_set (self->vp8_valve, "drop", TRUE, NULL);

  if (!link_all (chain, G_N_ELEMENTS (chain), error))
    return FALSE;
  self->video_source_bin = chain[0];
  self->video_convert = chain[1];
  self->raw_video_tee = raw_tee;

  probed = gst_element_get_static_pad (chain[4], "src");
  gst_pad_add_probe (probed, GST_PAD_PROBE_TYPE_BUFFER, on_raw_video, self, NULL);

  if (self->h264_factory != NULL && !build_h264 (self, error))
    return FALSE;

  if (self->preview)
    {
      GstElement *preview[5];
      g_autoptr (GstCaps) rgba = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING,
                                                      "RGBA", NULL);
      GstAppSinkCallbacks callbacks = { .new_sample = on_preview_sample };

      preview[0] = raw_tee;
      preview[1] = make_element (bin, "queue", error);
      preview[2] = make_element (bin, "videoconvert", error);
      preview[3] = make_element (bin, "capsfilter", error);
      preview[4] = make_element (bin, "appsink", error);
      if (*error != NULL)
        return FALSE;
      g_object_set (preview[1], "max-size-buffers", 1, "leaky", 2, NULL);
      g_object_set (preview[3], "caps", rgba, NULL);
      g_object_set (preview[4], "max-buffers", 1, "drop", TRUE, "sync", FALSE, "async", FALSE,
                    "enable-last-sample", FALSE, NULL);
      gst_app_sink_set_callbacks (GST_APP_SINK (preview[4]), &callbacks, self, NULL);
      if (!link_all (preview, G_N_ELEMENTS (preview), error))
        return FALSE;
    }

  return TRUE;
}

static void
stop_media (TtoCallEngine *self)
{
  g_clear_handle_id (&self->stats_source, g_source_remove);
  if (self->pipeline == NULL)
    return;

  gst_element_set_state (GST_ELEMENT (self->pipeline), GST_STATE_NULL);
  while (g_list_model_get_n_items (G_LIST_MODEL (self->peers)) > 0)
    remove_peer_at (self, 0, TRUE);

  if (self->recorder != NULL)
    {
      /* Stopped without finishing (the file may lack its index). */
      tto_call_recorder_stop (self->recorder, 0);
      g_clear_object (&self->recorder);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RECORDING]);
    }

  g_clear_handle_id (&self->bus_watch, g_source_remove);
  self->volume = NULL;
  self->raw_audio_tee = NULL;
  self->audio_tee = NULL;
  self->video_encoder = NULL;
  self->vp8_valve = NULL;
  self->raw_video_tee = NULL;
  self->video_tee = NULL;
  self->h264_encoder_element = NULL;
  self->h264_valve = NULL;
  self->h264_tee = NULL;
  self->video_source_bin = NULL;
  self->video_convert = NULL;
  g_clear_object (&self->pipeline);
  g_clear_pointer (&self->preview_sample, gst_sample_unref);
  g_clear_object (&self->local_frame);
}

/* Congestion: webrtcbin 1.22 has no bandwidth estimator, so the encoder
 * follows the worst loss the receivers report in RTCP (counted per peer,
 * see tto_call_peer_poll_stats ()): -15 % above 10 % loss, +5 % below
 * 2 %, never under MIN_VIDEO_KBPS nor over the wanted rate. */
static gboolean
on_stats_timeout (gpointer user_data)
{
  TtoCallEngine *self = user_data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->peers));
  double loss = 0;
  guint kbps = self->current_video_kbps;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TtoCallPeer) peer = g_list_model_get_item (G_LIST_MODEL (self->peers), i);

      loss = MAX (loss, tto_call_peer_get_video_loss (peer));
      tto_call_peer_poll_stats (peer);
    }

  if (loss > 0.10)
    kbps = MAX (MIN_VIDEO_KBPS, kbps * 85 / 100);
  else if (loss < 0.02)
    kbps = MIN (self->video_kbps, kbps * 105 / 100 + 10);
  if (kbps != self->current_video_kbps)
    {
      self->current_video_kbps = kbps;
      apply_video_kbps (self);
    }

  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------ recording */

static void
announce_recording (TtoCallEngine *self,
                    gboolean recording)
{
  JsonObject *fields = json_object_new ();

  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RECORDING]);
  json_object_set_boolean_member (fields, "recording", recording);
  tto_call_engine_send_signal (self, TTO_FRAME_CALL_RECORDING, NULL, fields);
}

/* Records the whole call, everyone mixed: the own microphone and camera
 * (as sent: muted is silence, camera off is black) and every peer's
 * decoded audio and video, in a grid, into a WebM file at path. Local
 * only; the relay is told that this member records, so everyone sees it. */
gboolean
tto_call_engine_start_recording (TtoCallEngine *self,
                                 const char *path,
                                 GError **error)
{
  guint n;

  g_return_val_if_fail (TTO_IS_CALL_ENGINE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->state != TTO_CALL_ENGINE_STATE_RUNNING || self->recorder != NULL)
    {
      g_set_error (error, TTO_CALL_ERROR, TTO_CALL_ERROR_WRONG_STATE,
                   self->recorder != NULL ? "already recording" : "the call is not running");
      return FALSE;
    }

  self->recorder = tto_call_recorder_new (GST_BIN (self->pipeline), path,
                                          self->raw_video_tee != NULL, self->recording_width,
                                          self->recording_height, RECORDING_FRAMERATE, error);
  if (self->recorder == NULL)
    return FALSE;

  /* Own picture first: the top left of the grid. */
  tto_call_recorder_add_input (self->recorder, self, TTO_CALL_MEDIA_AUDIO, self->raw_audio_tee);
  if (self->raw_video_tee != NULL)
    tto_call_recorder_add_input (self->recorder, self, TTO_CALL_MEDIA_VIDEO, self->raw_video_tee);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->peers));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TtoCallPeer) peer = g_list_model_get_item (G_LIST_MODEL (self->peers), i);

      for (TtoCallMedia media = TTO_CALL_MEDIA_AUDIO; media <= TTO_CALL_MEDIA_VIDEO; media++)
        {
          GstElement *tee = tto_call_peer_get_decoded_tee (peer, media);

          if (tee != NULL)
            tto_call_recorder_add_input (self->recorder, peer, media, tee);
        }
    }

  announce_recording (self, TRUE);

  return TRUE;
}

/* A peer's decoded stream started (main context): into the recording. */
void
tto_call_engine_add_peer_media (TtoCallEngine *self,
                                TtoCallPeer *peer,
                                TtoCallMedia media,
                                GstElement *tee)
{
  if (self->recorder != NULL)
    tto_call_recorder_add_input (self->recorder, peer, media, tee);
}

/* Blocks until the muxer wrote the file's duration and index (at most
 * RECORDING_STOP_TIMEOUT_MS). FALSE when there was no recording. */
static gboolean
finish_recording (TtoCallEngine *self)
{
  g_autoptr (TtoCallRecorder) recorder = g_steal_pointer (&self->recorder);

  if (recorder == NULL)
    return FALSE;
  tto_call_recorder_stop (recorder, RECORDING_STOP_TIMEOUT_MS);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RECORDING]);

  return TRUE;
}

/* The file cannot be written: waiting for the muxer to finish it would
 * only block, so the recording goes at once; the call goes on. */
static void
recording_failed (TtoCallEngine *self,
                  const char *reason)
{
  g_autoptr (TtoCallRecorder) recorder = g_steal_pointer (&self->recorder);

  g_message ("the recording failed: %s", reason);
  tto_call_recorder_stop (recorder, 0);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RECORDING]);
  announce_recording (self, FALSE);
  g_signal_emit (self, signals[SIGNAL_RECORDING_FAILED], 0, reason);
}

void
tto_call_engine_stop_recording (TtoCallEngine *self)
{
  g_return_if_fail (TTO_IS_CALL_ENGINE (self));

  if (!finish_recording (self))
    return;
  announce_recording (self, FALSE);
}

gboolean
tto_call_engine_get_recording (TtoCallEngine *self)
{
  g_return_val_if_fail (TTO_IS_CALL_ENGINE (self), FALSE);

  return self->recorder != NULL;
}

/* Tests: how many streams the recording mixes now. */
guint
tto_call_engine_get_recording_inputs (TtoCallEngine *self,
                                      gboolean video)
{
  g_return_val_if_fail (TTO_IS_CALL_ENGINE (self), 0);

  if (self->recorder == NULL)
    return 0;

  return tto_call_recorder_get_n_inputs (self->recorder,
                                         video ? TTO_CALL_MEDIA_VIDEO : TTO_CALL_MEDIA_AUDIO);
}

/* --------------------------------------------------------------- private */

void
tto_call_engine_request_key_frame (TtoCallEngine *self)
{
  GstElement *encoders[] = { self->video_encoder, self->h264_encoder_element };

  for (guint i = 0; i < G_N_ELEMENTS (encoders); i++)
    {
      g_autoptr (GstPad) pad = NULL;

      if (encoders[i] == NULL)
        continue;
      pad = gst_element_get_static_pad (encoders[i], "src");
      gst_pad_send_event (pad, gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
                                                                           TRUE, 0));
    }
}

GMainContext *
tto_call_engine_get_context (TtoCallEngine *self)
{
  return self->context;
}

gboolean
tto_call_engine_get_loopback_only (TtoCallEngine *self)
{
  return self->loopback_only;
}

gboolean
tto_call_engine_get_relay_only (TtoCallEngine *self)
{
  return self->relay_only;
}

const char *
tto_call_engine_get_stun_server (TtoCallEngine *self)
{
  return self->stun_server;
}

GPtrArray *
tto_call_engine_get_turn_servers (TtoCallEngine *self)
{
  return self->turn_servers;
}

const char *
tto_call_engine_get_audio_sink (TtoCallEngine *self)
{
  return self->audio_sink;
}

/* --------------------------------------------------------------- GObject */

static void
tto_call_engine_dispose (GObject *object)
{
  TtoCallEngine *self = TTO_CALL_ENGINE (object);

  stop_media (self);

  G_OBJECT_CLASS (tto_call_engine_parent_class)->dispose (object);
}

static void
tto_call_engine_finalize (GObject *object)
{
  TtoCallEngine *self = TTO_CALL_ENGINE (object);

  g_clear_object (&self->peers);
  g_ptr_array_unref (self->local_candidates);
  g_ptr_array_unref (self->turn_servers);
  g_main_context_unref (self->context);
  g_free (self->self_id);
  g_free (self->event_id);
  g_free (self->call_id);
  g_free (self->audio_source);
  g_free (self->video_source);
  g_free (self->h264_encoder);
  g_free (self->h264_factory);
  g_free (self->audio_sink);
  g_free (self->stun_server);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (tto_call_engine_parent_class)->finalize (object);
}

static void
tto_call_engine_get_property (GObject *object,
                              guint prop_id,
                              GValue *value,
                              GParamSpec *pspec)
{
  TtoCallEngine *self = TTO_CALL_ENGINE (object);

  switch (prop_id)
    {
    case PROP_SELF_ID:
      g_value_set_string (value, self->self_id);
      break;
    case PROP_EVENT_ID:
      g_value_set_string (value, self->event_id);
      break;
    case PROP_CALL_ID:
      g_value_set_string (value, self->call_id);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_AUDIO_SOURCE:
      g_value_set_string (value, self->audio_source);
      break;
    case PROP_VIDEO_SOURCE:
      g_value_set_string (value, self->video_source);
      break;
    case PROP_AUDIO_SINK:
      g_value_set_string (value, self->audio_sink);
      break;
    case PROP_VIDEO_WIDTH:
      g_value_set_uint (value, self->width);
      break;
    case PROP_VIDEO_HEIGHT:
      g_value_set_uint (value, self->height);
      break;
    case PROP_VIDEO_FRAMERATE:
      g_value_set_uint (value, self->framerate);
      break;
    case PROP_VIDEO_BITRATE:
      g_value_set_uint (value, self->video_kbps);
      break;
    case PROP_LOOPBACK_ONLY:
      g_value_set_boolean (value, self->loopback_only);
      break;
    case PROP_RELAY_ONLY:
      g_value_set_boolean (value, self->relay_only);
      break;
    case PROP_PREVIEW:
      g_value_set_boolean (value, self->preview);
      break;
    case PROP_H264_ENCODER:
      g_value_set_string (value, self->h264_encoder);
      break;
    case PROP_ADAPTIVE_BITRATE:
      g_value_set_boolean (value, self->adaptive_bitrate);
      break;
    case PROP_MUTED:
      g_value_set_boolean (value, self->muted);
      break;
    case PROP_CAMERA_ENABLED:
      g_value_set_boolean (value, g_atomic_int_get (&self->camera_enabled));
      break;
    case PROP_RECORDING:
      g_value_set_boolean (value, self->recorder != NULL);
      break;
    case PROP_RECORDING_WIDTH:
      g_value_set_uint (value, self->recording_width);
      break;
    case PROP_RECORDING_HEIGHT:
      g_value_set_uint (value, self->recording_height);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_start_setting (TtoCallEngine *self,
                   char **field,
                   const GValue *value)
{
  if (self->state != TTO_CALL_ENGINE_STATE_IDLE)
    {
      g_warning ("call media settings apply before tto_call_engine_start () only");
      return;
    }
  g_free (*field);
  *field = g_value_dup_string (value);
}

static void
tto_call_engine_set_property (GObject *object,
                              guint prop_id,
                              const GValue *value,
                              GParamSpec *pspec)
{
  TtoCallEngine *self = TTO_CALL_ENGINE (object);

  switch (prop_id)
    {
    case PROP_SELF_ID:
      self->self_id = g_value_dup_string (value);
      break;
    case PROP_EVENT_ID:
      self->event_id = g_value_dup_string (value);
      break;
    case PROP_CALL_ID:
      self->call_id = g_value_dup_string (value);
      break;
    case PROP_KIND:
      self->kind = g_value_get_enum (value);
      break;
    case PROP_AUDIO_SOURCE:
      set_start_setting (self, &self->audio_source, value);
      break;
    case PROP_VIDEO_SOURCE:
      set_start_setting (self, &self->video_source, value);
      break;
    case PROP_AUDIO_SINK:
      set_start_setting (self, &self->audio_sink, value);
      break;
    case PROP_VIDEO_WIDTH:
      self->width = g_value_get_uint (value);
      break;
    case PROP_VIDEO_HEIGHT:
      self->height = g_value_get_uint (value);
      break;
    case PROP_VIDEO_FRAMERATE:
      self->framerate = g_value_get_uint (value);
      break;
    case PROP_VIDEO_BITRATE:
      tto_call_engine_set_video_bitrate (self, g_value_get_uint (value));
      break;
    case PROP_LOOPBACK_ONLY:
      self->loopback_only = g_value_get_boolean (value);
      break;
    case PROP_RELAY_ONLY:
      self->relay_only = g_value_get_boolean (value);
      break;
    case PROP_PREVIEW:
      self->preview = g_value_get_boolean (value);
      break;
    case PROP_H264_ENCODER:
      g_free (self->h264_encoder);
      self->h264_encoder = g_value_dup_string (value);
      break;
    case PROP_ADAPTIVE_BITRATE:
      self->adaptive_bitrate = g_value_get_boolean (value);
      break;
    case PROP_MUTED:
      tto_call_engine_set_muted (self, g_value_get_boolean (value));
      break;
    case PROP_CAMERA_ENABLED:
      tto_call_engine_set_camera_enabled (self, g_value_get_boolean (value));
      break;
    case PROP_RECORDING_WIDTH:
      self->recording_width = g_value_get_uint (value);
      break;
    case PROP_RECORDING_HEIGHT:
      self->recording_height = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_call_engine_class_init (TtoCallEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags setting = G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS;
  GParamFlags live = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tto_call_engine_dispose;
  object_class->finalize = tto_call_engine_finalize;
  object_class->get_property = tto_call_engine_get_property;
  object_class->set_property = tto_call_engine_set_property;

  props[PROP_SELF_ID] = g_param_spec_string ("self-id", NULL, NULL, NULL, construct);
  props[PROP_EVENT_ID] = g_param_spec_string ("event-id", NULL, NULL, NULL, construct);
  props[PROP_CALL_ID] = g_param_spec_string ("call-id", NULL, NULL, NULL, construct);
  props[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, TTO_TYPE_CALL_KIND,
                                        TTO_CALL_KIND_VIDEO, construct);
  props[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, TTO_TYPE_CALL_ENGINE_STATE,
                       TTO_CALL_ENGINE_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /* Sources and the audio sink are gst-launch descriptions, e.g.
   * "audiotestsrc is-live=true" or "v4l2src device=/dev/video2". */
  props[PROP_AUDIO_SOURCE] = g_param_spec_string ("audio-source", NULL, NULL, "autoaudiosrc",
                                                  setting);
  props[PROP_VIDEO_SOURCE] = g_param_spec_string ("video-source", NULL, NULL, "autovideosrc",
                                                  setting);
  props[PROP_AUDIO_SINK] = g_param_spec_string ("audio-sink", NULL, NULL, "autoaudiosink",
                                                setting);
  props[PROP_VIDEO_WIDTH] = g_param_spec_uint ("video-width", NULL, NULL, 16, 3840,
                                               DEFAULT_WIDTH, setting);
  props[PROP_VIDEO_HEIGHT] = g_param_spec_uint ("video-height", NULL, NULL, 16, 2160,
                                                DEFAULT_HEIGHT, setting);
  props[PROP_VIDEO_FRAMERATE] = g_param_spec_uint ("video-framerate", NULL, NULL, 1, 60,
                                                   DEFAULT_FRAMERATE, setting);
  props[PROP_VIDEO_BITRATE] = g_param_spec_uint ("video-bitrate", NULL, "kbit/s", 50, 20000,
                                                 DEFAULT_VIDEO_KBPS,
                                                 live | G_PARAM_CONSTRUCT);
  /* Tests: gather on 127.0.0.1 only and drop any other candidate. */
  props[PROP_LOOPBACK_ONLY] = g_param_spec_boolean ("loopback-only", NULL, NULL, FALSE, setting);
  /* ICE transport policy "relay": TURN only. */
  props[PROP_RELAY_ONLY] = g_param_spec_boolean ("relay-only", NULL, NULL, FALSE, setting);
  props[PROP_PREVIEW] = g_param_spec_boolean ("preview", NULL, NULL, FALSE, setting);
  /* The H.264 encoder factory: NULL finds a hardware one
   * (tto_call_engine_find_h264_encoder ()), "" sends VP8 only; tests name
   * openh264enc. It must match the "h264" flag sent when joining. */
  props[PROP_H264_ENCODER] = g_param_spec_string ("h264-encoder", NULL, NULL, NULL, setting);
  /* Lower the video rate when receivers report loss (see on_stats_timeout ()). */
  props[PROP_ADAPTIVE_BITRATE] = g_param_spec_boolean ("adaptive-bitrate", NULL, NULL, TRUE,
                                                       setting);
  props[PROP_MUTED] = g_param_spec_boolean ("muted", NULL, NULL, FALSE, live);
  props[PROP_CAMERA_ENABLED] = g_param_spec_boolean ("camera-enabled", NULL, NULL, TRUE,
                                                     live | G_PARAM_CONSTRUCT);
  props[PROP_RECORDING] = g_param_spec_boolean ("recording", NULL, NULL, FALSE,
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY
                                                  | G_PARAM_STATIC_STRINGS);
  /* The recording's picture, whatever the sent video's size: 1280x720,
   * or e.g. 640x360 where encoding 720p would be too much for the device.
   * Read when a recording starts. */
  props[PROP_RECORDING_WIDTH] = g_param_spec_uint ("recording-width", NULL, NULL, 16, 3840,
                                                   DEFAULT_RECORDING_WIDTH,
                                                   live | G_PARAM_CONSTRUCT);
  props[PROP_RECORDING_HEIGHT] = g_param_spec_uint ("recording-height", NULL, NULL, 16, 2160,
                                                    DEFAULT_RECORDING_HEIGHT,
                                                    live | G_PARAM_CONSTRUCT);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /* A frame for the relay: type ("call.offer", …) and a complete body
   * (event_id, call_id, to, …). The app sends it as a request and may
   * ignore the answer. */
  signals[SIGNAL_SEND_FRAME] =
    g_signal_new ("send-frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_STRING, JSON_TYPE_OBJECT);
  signals[SIGNAL_PEER_ADDED] =
    g_signal_new ("peer-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, TTO_TYPE_CALL_PEER);
  signals[SIGNAL_PEER_REMOVED] =
    g_signal_new ("peer-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, TTO_TYPE_CALL_PEER);
  /* The own camera, when "preview" is set. */
  signals[SIGNAL_LOCAL_VIDEO_FRAME] =
    g_signal_new ("local-video-frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, GDK_TYPE_TEXTURE);
  /* Hung up here, or the relay ended the call or took us out of it. */
  signals[SIGNAL_ENDED] =
    g_signal_new ("ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  /* The recording stopped by itself (a full disk, a removed card): the
   * reason, GStreamer's words. The call goes on. */
  signals[SIGNAL_RECORDING_FAILED] =
    g_signal_new ("recording-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
tto_call_engine_init (TtoCallEngine *self)
{
  g_mutex_init (&self->lock);
  self->context = g_main_context_ref_thread_default ();
  self->peers = g_list_store_new (TTO_TYPE_CALL_PEER);
  self->local_candidates = g_ptr_array_new_with_free_func (g_free);
  self->turn_servers = g_ptr_array_new_with_free_func (g_free);
  self->camera_enabled = TRUE;
}

/* ------------------------------------------------------------ public API */

TtoCallEngine *
tto_call_engine_new (const char *self_id,
                     const char *event_id,
                     const char *call_id,
                     TtoCallKind kind)
{
  g_return_val_if_fail (self_id != NULL, NULL);
  g_return_val_if_fail (event_id != NULL, NULL);
  g_return_val_if_fail (call_id != NULL, NULL);

  return g_object_new (TTO_TYPE_CALL_ENGINE,
                       "self-id", self_id,
                       "event-id", event_id,
                       "call-id", call_id,
                       "kind", kind,
                       NULL);
}

const char *
tto_call_engine_get_self_id (TtoCallEngine *self)
{
  g_return_val_if_fail (TTO_IS_CALL_ENGINE (self), NULL);

  return self->self_id;
}

const char *
tto_call_engine_get_event_id (TtoCallEngine *self)
{
  g_return_val_if_fail (TTO_IS_CALL_ENGINE (self), NULL);

  return self->event_id;
}

const char *
tto_call_engine_get_call_id (TtoCallEngine *self)
{
  g_return_val_if_fail (TTO_IS_CALL_ENGINE (self), NULL);

  return self->call_id;
}

TtoCallKind
tto_call_engine_get_kind (TtoCallEngine *self)
{
  g_return_val_if_fail (TTO_IS_CALL_ENGINE (self), TTO_CALL_KIND_AUDIO);

  return self->kind;
}

TtoCallEngineState
tto_call_engine_get_state (TtoCallEngine *self)
{
  g_return_val_if_fail (TTO_IS_CALL_ENGINE (self), TTO_CALL_ENGINE_STATE_ENDED);

  return self->state;
}

void
tto_call_engine_set_ice_servers (TtoCallEngine *self,
                                 JsonArray *ice_servers)
{
  g_return_if_fail (TTO_IS_CALL_ENGINE (self));

  g_clear_pointer (&self->stun_server, g_free);
  g_ptr_array_set_size (self->turn_servers, 0);
  tto_call_ice_servers_to_uris (ice_servers, &self->stun_server, self->turn_servers);
}

/* call: the Call object of call.invite's or call.accept's answer. */
gboolean
tto_call_engine_start (TtoCallEngine *self,
                       JsonObject *call,
                       GError **error)
{
  g_autoptr (GstBus) bus = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (TTO_IS_CALL_ENGINE (self), FALSE);
  g_return_val_if_fail (call != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->state != TTO_CALL_ENGINE_STATE_IDLE)
    {
      g_set_error (error, TTO_CALL_ERROR, TTO_CALL_ERROR_WRONG_STATE, "the call was started");
      return FALSE;
    }
  if (g_strcmp0 (json_object_get_string_member_with_default (call, "call_id", NULL),
                 self->call_id) != 0)
    {
      g_set_error (error, TTO_CALL_ERROR, TTO_CALL_ERROR_BAD_FRAME, "not this call");
      return FALSE;
    }

  gst_init (NULL, NULL);
  self->pipeline = GST_PIPELINE (gst_object_ref_sink (gst_pipeline_new ("tto-call")));
  self->current_video_kbps = self->video_kbps;
  g_clear_pointer (&self->h264_factory, g_free);
  if (self->kind == TTO_CALL_KIND_VIDEO)
    self->h264_factory = self->h264_encoder == NULL ? tto_call_engine_find_h264_encoder ()
                         : *self->h264_encoder != '\0' ? g_strdup (self->h264_encoder)
                                                       : NULL;

  build_audio (self, &local_error);
  if (local_error == NULL && self->kind == TTO_CALL_KIND_VIDEO)
    build_video (self, &local_error);
  if (local_error != NULL)
    {
      g_clear_object (&self->pipeline);
      self->volume = self->raw_audio_tee = self->audio_tee = NULL;
      self->video_encoder = self->raw_video_tee = self->video_tee = NULL;
      self->video_source_bin = self->video_convert = NULL;
      g_propagate_error (error, local_error);
      return FALSE;
    }

  bus = gst_pipeline_get_bus (self->pipeline);
  self->bus_watch = gst_bus_add_watch (bus, on_bus_message, self);
  if (gst_element_set_state (GST_ELEMENT (self->pipeline), GST_STATE_PLAYING)
      == GST_STATE_CHANGE_FAILURE)
    {
      stop_media (self);
      g_set_error (error, TTO_CALL_ERROR, TTO_CALL_ERROR_FAILED,
                   "the camera or microphone could not start");
      return FALSE;
    }

  self->state = TTO_CALL_ENGINE_STATE_RUNNING;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
  if (self->kind == TTO_CALL_KIND_VIDEO && self->adaptive_bitrate)
    self->stats_source = g_timeout_add_seconds (STATS_INTERVAL_S, on_stats_timeout, self);

  apply_call (self, call);

  return TRUE;
}

/* call.state, call.offer, call.answer, call.ice pushes. FALSE with an error
 * when the frame is not for this call or not usable; other types are
 * ignored (TRUE). */
gboolean
tto_call_engine_handle_frame (TtoCallEngine *self,
                              const char *type,
                              JsonObject *body,
                              GError **error)
{
  const char *from;
  guint index;
  g_autoptr (TtoCallPeer) peer = NULL;

  g_return_val_if_fail (TTO_IS_CALL_ENGINE (self), FALSE);
  g_return_val_if_fail (type != NULL && body != NULL, FALSE);

  if (g_str_equal (type, TTO_FRAME_CALL_STATE))
    {
      JsonObject *call = json_object_get_object_member (body, "call");

      if (call == NULL || g_strcmp0 (json_object_get_string_member_with_default (call, "call_id",
                                                                                 NULL),
                                     self->call_id) != 0)
        {
          g_set_error (error, TTO_CALL_ERROR, TTO_CALL_ERROR_BAD_FRAME, "not this call");
          return FALSE;
        }
      if (self->state == TTO_CALL_ENGINE_STATE_RUNNING)
        apply_call (self, call);
      return TRUE;
    }

  if (!g_str_equal (type, TTO_FRAME_CALL_OFFER) && !g_str_equal (type, TTO_FRAME_CALL_ANSWER)
      && !g_str_equal (type, TTO_FRAME_CALL_ICE))
    return TRUE;

  if (g_strcmp0 (json_object_get_string_member_with_default (body, "call_id", NULL),
                 self->call_id) != 0)
    {
      g_set_error (error, TTO_CALL_ERROR, TTO_CALL_ERROR_BAD_FRAME, "not this call");
      return FALSE;
    }
  from = json_object_get_string_member_with_default (body, "from", NULL);
  if (from == NULL || g_str_equal (from, self->self_id))
    {
      g_set_error (error, TTO_CALL_ERROR, TTO_CALL_ERROR_BAD_FRAME, "no sender");
      return FALSE;
    }
  if (self->state != TTO_CALL_ENGINE_STATE_RUNNING)
    return TRUE;

  if (find_peer_index (self, from, &index))
    peer = g_list_model_get_item (G_LIST_MODEL (self->peers), index);

  if (g_str_equal (type, TTO_FRAME_CALL_OFFER))
    {
      const char *sdp = json_object_get_string_member_with_default (body, "sdp", NULL);
      gboolean h264;

      if (sdp == NULL)
        {
          g_set_error (error, TTO_CALL_ERROR, TTO_CALL_ERROR_BAD_FRAME, "an offer without sdp");
          return FALSE;
        }
      /* The offer names one video codec; an answer must send the same. */
      h264 = self->h264_factory != NULL && strstr (sdp, " H264/90000") != NULL;
      /* An offer from someone we have not seen join yet, or who came back,
       * or whose codec the Call did not let us foresee: the relay only
       * forwards from participants, so take it. */
      if (peer != NULL && (tto_call_peer_get_offerer (peer)
                           || tto_call_peer_has_remote_description (peer)
                           || (self->kind == TTO_CALL_KIND_VIDEO
                               && g_strcmp0 (tto_call_peer_get_video_codec (peer),
                                             h264 ? "H264" : "VP8") != 0)))
        {
          gint64 joined_at = tto_call_peer_get_joined_at (peer);
          g_autofree char *name = g_strdup (tto_call_peer_get_display_name (peer));

          remove_peer_at (self, index, FALSE);
          g_clear_object (&peer);
          peer = add_peer (self, from, name, joined_at, FALSE, h264);
          if (peer != NULL)
            g_object_ref (peer);
        }
      else if (peer == NULL)
        {
          peer = add_peer (self, from, NULL, G_MAXINT64, FALSE, h264);
          if (peer != NULL)
            g_object_ref (peer);
        }
      if (peer != NULL)
        tto_call_peer_handle_offer (peer, sdp);
    }
  else if (peer == NULL)
    g_debug ("call signalling from an unknown peer; ignored");
  else if (g_str_equal (type, TTO_FRAME_CALL_ANSWER))
    {
      const char *sdp = json_object_get_string_member_with_default (body, "sdp", NULL);

      if (sdp == NULL)
        {
          g_set_error (error, TTO_CALL_ERROR, TTO_CALL_ERROR_BAD_FRAME, "an answer without sdp");
          return FALSE;
        }
      tto_call_peer_handle_answer (peer, sdp);
    }
  else
    {
      const char *candidate = json_object_get_string_member_with_default (body, "candidate",
                                                                          NULL);

      if (candidate == NULL)
        {
          g_set_error (error, TTO_CALL_ERROR, TTO_CALL_ERROR_BAD_FRAME,
                       "an ICE frame without candidate");
          return FALSE;
        }
      tto_call_peer_handle_ice (peer,
                                json_object_get_int_member_with_default (body, "sdp_mline_index",
                                                                         0),
                                candidate);
    }

  return TRUE;
}

/* Leaves the call: asks the app to send call.hangup, stops every pipeline
 * and releases the devices. */
void
tto_call_engine_hangup (TtoCallEngine *self)
{
  g_return_if_fail (TTO_IS_CALL_ENGINE (self));

  if (self->state == TTO_CALL_ENGINE_STATE_ENDED)
    return;
  if (self->state == TTO_CALL_ENGINE_STATE_RUNNING)
    {
      if (self->recorder != NULL)
        tto_call_engine_stop_recording (self);
      tto_call_engine_send_signal (self, TTO_FRAME_CALL_HANGUP, NULL, NULL);
    }
  end_call (self);
}

GListModel *
tto_call_engine_get_peers (TtoCallEngine *self)
{
  g_return_val_if_fail (TTO_IS_CALL_ENGINE (self), NULL);

  return G_LIST_MODEL (self->peers);
}

TtoCallPeer *
tto_call_engine_find_peer (TtoCallEngine *self,
                           const char *identity_id)
{
  guint index;
  g_autoptr (TtoCallPeer) peer = NULL;

  g_return_val_if_fail (TTO_IS_CALL_ENGINE (self), NULL);
  g_return_val_if_fail (identity_id != NULL, NULL);

  if (!find_peer_index (self, identity_id, &index))
    return NULL;
  peer = g_list_model_get_item (G_LIST_MODEL (self->peers), index);

  /* The store keeps it alive. */
  return peer;
}

void
tto_call_engine_set_muted (TtoCallEngine *self,
                           gboolean muted)
{
  g_return_if_fail (TTO_IS_CALL_ENGINE (self));

  muted = !!muted;
  if (self->muted == muted)
    return;
  self->muted = muted;
  if (self->volume != NULL)
    g_object_set (self->volume, "mute", muted, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MUTED]);
}

gboolean
tto_call_engine_get_muted (TtoCallEngine *self)
{
  g_return_val_if_fail (TTO_IS_CALL_ENGINE (self), FALSE);

  return self->muted;
}

void
tto_call_engine_set_camera_enabled (TtoCallEngine *self,
                                    gboolean enabled)
{
  g_return_if_fail (TTO_IS_CALL_ENGINE (self));

  enabled = !!enabled;
  if (g_atomic_int_get (&self->camera_enabled) == enabled)
    return;
  g_atomic_int_set (&self->camera_enabled, enabled);
  if (enabled)
    tto_call_engine_request_key_frame (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CAMERA_ENABLED]);
}

/* Swaps the camera during a call (e.g. front and back on a phone). The old
 * source stops before it is unlinked, so it never pushes into nothing;
 * videoscale and the caps filter keep the encoded size. */
gboolean
tto_call_engine_switch_video_source (TtoCallEngine *self,
                                     const char *description,
                                     GError **error)
{
  GstElement *next;
  GstElement *old;

  g_return_val_if_fail (TTO_IS_CALL_ENGINE (self), FALSE);
  g_return_val_if_fail (description != NULL, FALSE);

  if (self->video_source_bin == NULL || self->pipeline == NULL)
    {
      g_set_error_literal (error, TTO_CALL_ERROR, TTO_CALL_ERROR_WRONG_STATE,
                           "no video is being sent");
      return FALSE;
    }

  next = gst_parse_bin_from_description (description, TRUE, error);
  if (next == NULL)
    {
      g_prefix_error (error, "source \"%s\": ", description);
      return FALSE;
    }

  old = self->video_source_bin;
  gst_element_set_state (old, GST_STATE_NULL);
  gst_element_unlink (old, self->video_convert);
  gst_bin_remove (GST_BIN (self->pipeline), old);

  gst_bin_add (GST_BIN (self->pipeline), next);
  if (!gst_element_link (next, self->video_convert))
    {
      g_set_error (error, TTO_CALL_ERROR, TTO_CALL_ERROR_FAILED,
                   "source \"%s\" gives no video the call can use", description);
      gst_bin_remove (GST_BIN (self->pipeline), next);
      self->video_source_bin = NULL;
      return FALSE;
    }
  gst_element_sync_state_with_parent (next);
  self->video_source_bin = next;
  g_free (self->video_source);
  self->video_source = g_strdup (description);
  /* The peers' decoders need a fresh key frame from the new picture. */
  tto_call_engine_request_key_frame (self);

  return TRUE;
}

gboolean
tto_call_engine_get_camera_enabled (TtoCallEngine *self)
{
  g_return_val_if_fail (TTO_IS_CALL_ENGINE (self), FALSE);

  return g_atomic_int_get (&self->camera_enabled);
}

void
tto_call_engine_set_video_bitrate (TtoCallEngine *self,
                                   guint kbps)
{
  g_return_if_fail (TTO_IS_CALL_ENGINE (self));

  if (self->video_kbps == kbps)
    return;
  self->video_kbps = kbps;
  self->current_video_kbps = kbps;
  apply_video_kbps (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_VIDEO_BITRATE]);
}

guint
tto_call_engine_get_video_bitrate (TtoCallEngine *self)
{
  g_return_val_if_fail (TTO_IS_CALL_ENGINE (self), 0);

  return self->video_kbps;
}

/* The encoder's rate now, after congestion control. */
guint
tto_call_engine_get_current_video_bitrate (TtoCallEngine *self)
{
  g_return_val_if_fail (TTO_IS_CALL_ENGINE (self), 0);

  return self->current_video_kbps;
}

/* Every local ICE candidate gathered, sent or not (loopback-only drops
 * the others). Strings. */
GPtrArray *
tto_call_engine_get_local_candidates (TtoCallEngine *self)
{
  g_return_val_if_fail (TTO_IS_CALL_ENGINE (self), NULL);

  return self->local_candidates;
}

/* NULL before start and after the end. */
GstElement *
tto_call_engine_get_pipeline (TtoCallEngine *self)
{
  g_return_val_if_fail (TTO_IS_CALL_ENGINE (self), NULL);

  return self->pipeline != NULL ? GST_ELEMENT (self->pipeline) : NULL;
}

GdkTexture *
tto_call_engine_get_local_frame (TtoCallEngine *self)
{
  g_return_val_if_fail (TTO_IS_CALL_ENGINE (self), NULL);

  return self->local_frame;
}
