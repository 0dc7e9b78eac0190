/* tto-call-peer.c: one remote participant of a call
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A peer is a bin in the engine's pipeline:
 *
 *   engine's opus tee ─ queue ─ rtpopuspay ─ capsfilter ─┐
 *   engine's vp8 tee  ─ queue ─ rtpvp8pay  ─ capsfilter ─┴ webrtcbin ─ decodebin ─┬ tee ─ audio sink
 *                                                                                 └ tee ─ RGBA appsink
 *
 * (or the engine's H.264 tee and rtph264pay, when both ends send H.264:
 * PROTOCOL.md, Codecs). The encoded streams are shared: each peer only
 * payloads them, so a mesh of n people encodes once per codec and sends
 * n - 1 times. The tees after decoding
 * let a local recording take the peer's media too.
 */
#include <string.h>

#include <gst/app/app.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

#include "tto-call-peer.h"
#include "tto-call-util.h"
#include "tto-calls-private.h"
#include "tto-shared.h"

enum
{
  PROP_0,
  PROP_IDENTITY_ID,
  PROP_DISPLAY_NAME,
  PROP_STATE,
  PROP_OFFERER,
  N_PROPS
};

enum
{
  SIGNAL_VIDEO_FRAME,
  N_SIGNALS
};

static GParamSpec *props[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct
{
  guint mline_index;
  char *candidate;
} PendingIce;

struct _TtoCallPeer
{
  GObject parent_instance;

  TtoCallEngine *engine; /* not owned; NULL once detached */
  GMainContext *context;
  char *identity_id;
  char *display_name;
  gint64 joined_at;
  gboolean offerer;
  const char *video_codec; /* static string; NULL in voice calls */
  TtoCallPeerState state;

  GstBin *pipeline; /* the engine's, while attached */
  GstBin *bin;
  GstElement *webrtc;
  GstPad *tee_pads[2];
  GstElement *decoded_tees[2]; /* TtoCallMedia; main context */
  gint links_left;
  gboolean offer_sent;
  gboolean remote_set;
  GPtrArray *pending_ice;
  gboolean closed; /* detached: deferred work is dropped */

  gint audio_buffers; /* atomic */
  gint video_frames;  /* atomic */

  GMutex lock; /* the fields below */
  GstSample *pending_sample;
  gboolean frame_scheduled;
  gint64 first_frame_time;
  double video_loss;
  GArray *loss_marks; /* LossMark */

  GdkTexture *last_frame;
};

G_DEFINE_TYPE (TtoCallPeer, tto_call_peer, G_TYPE_OBJECT)
G_DEFINE_ENUM_TYPE (TtoCallPeerState, tto_call_peer_state,
                    G_DEFINE_ENUM_VALUE (TTO_CALL_PEER_STATE_NEW, "new"),
                    G_DEFINE_ENUM_VALUE (TTO_CALL_PEER_STATE_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (TTO_CALL_PEER_STATE_CONNECTED, "connected"),
                    G_DEFINE_ENUM_VALUE (TTO_CALL_PEER_STATE_FAILED, "failed"),
                    G_DEFINE_ENUM_VALUE (TTO_CALL_PEER_STATE_CLOSED, "closed"))

/* ------------------------------------------------ main-context deferral */

typedef void (*PeerFunc) (TtoCallPeer *self,
                          gpointer data);

typedef struct
{
  TtoCallPeer *peer;
  PeerFunc func;
  gpointer data;
  GDestroyNotify free_data;
} Deferred;

static gboolean
deferred_run (gpointer user_data)
{
  Deferred *deferred = user_data;

  if (!deferred->peer->closed)
    deferred->func (deferred->peer, deferred->data);

  return G_SOURCE_REMOVE;
}

static void
deferred_free (gpointer user_data)
{
  Deferred *deferred = user_data;

  if (deferred->free_data != NULL && deferred->data != NULL)
    deferred->free_data (deferred->data);
  g_object_unref (deferred->peer);
  g_free (deferred);
}

/* Runs func on the engine's main context, later, even when called there:
 * webrtcbin emits some signals synchronously from our own calls. */
static void
peer_defer (TtoCallPeer *self,
            PeerFunc func,
            gpointer data,
            GDestroyNotify free_data)
{
  Deferred *deferred = g_new0 (Deferred, 1);
  g_autoptr (GSource) source = g_idle_source_new ();

  deferred->peer = g_object_ref (self);
  deferred->func = func;
  deferred->data = data;
  deferred->free_data = free_data;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, deferred_run, deferred, deferred_free);
  g_source_set_static_name (source, "[tto] call peer");
  g_source_attach (source, self->context);
}

static void
pending_ice_free (gpointer data)
{
  PendingIce *ice = data;

  g_free (ice->candidate);
  g_free (ice);
}

static void
set_state (TtoCallPeer *self,
           TtoCallPeerState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
}

/* ------------------------------------------------------------ signalling */

static void
send_description (TtoCallPeer *self,
                  gpointer data)
{
  GstWebRTCSessionDescription *desc = data;
  g_autofree char *text = gst_sdp_message_as_text (desc->sdp);
  JsonObject *fields = json_object_new ();
  const char *type = desc->type == GST_WEBRTC_SDP_TYPE_OFFER ? TTO_FRAME_CALL_OFFER
                                                             : TTO_FRAME_CALL_ANSWER;

  if (self->engine == NULL)
    {
      json_object_unref (fields);
      return;
    }
  json_object_set_string_member (fields, "sdp", text);
  tto_call_engine_send_signal (self->engine, type, self->identity_id, fields);
}

/* webrtcbin's thread: the offer or answer we asked for. */
static void
on_description_created (GstPromise *promise,
                        gpointer user_data)
{
  TtoCallPeer *self = user_data;
  const GstStructure *reply;
  GstWebRTCSessionDescription *desc = NULL;
  const char *field;

  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED)
    {
      gst_promise_unref (promise);
      return;
    }
  reply = gst_promise_get_reply (promise);
  field = gst_structure_has_field (reply, "offer") ? "offer" : "answer";
  gst_structure_get (reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc, NULL);
  gst_promise_unref (promise);

  if (desc == NULL)
    {
      g_message ("webrtcbin created no %s", field);
      return;
    }

  g_signal_emit_by_name (self->webrtc, "set-local-description", desc, NULL);
  peer_defer (self, send_description, desc,
              (GDestroyNotify) gst_webrtc_session_description_free);
}

static void
create_offer (TtoCallPeer *self,
              gpointer data)
{
  GstPromise *promise;

  if (self->offer_sent || !self->offerer || self->webrtc == NULL)
    return;
  self->offer_sent = TRUE;
  set_state (self, TTO_CALL_PEER_STATE_CONNECTING);
  promise = gst_promise_new_with_change_func (on_description_created, g_object_ref (self),
                                              g_object_unref);
  g_signal_emit_by_name (self->webrtc, "create-offer", NULL, promise);
}

static void
on_negotiation_needed (GstElement *webrtc,
                       gpointer user_data)
{
  TtoCallPeer *self = user_data;

  /* Only the one who joined later offers (PROTOCOL.md, Calls). */
  if (self->offerer)
    peer_defer (self, create_offer, NULL, NULL);
}

static void
send_candidate (TtoCallPeer *self,
                gpointer data)
{
  PendingIce *ice = data;
  JsonObject *fields;

  if (self->engine == NULL)
    return;

  tto_call_engine_note_candidate (self->engine, ice->candidate);
  if (tto_call_engine_get_loopback_only (self->engine)
      && !tto_call_candidate_is_loopback (ice->candidate))
    return;

  fields = json_object_new ();
  json_object_set_string_member (fields, "candidate", ice->candidate);
  json_object_set_int_member (fields, "sdp_mline_index", ice->mline_index);
  tto_call_engine_send_signal (self->engine, TTO_FRAME_CALL_ICE, self->identity_id, fields);
}

static void
on_ice_candidate (GstElement *webrtc,
                  guint mline_index,
                  const char *candidate,
                  gpointer user_data)
{
  TtoCallPeer *self = user_data;
  PendingIce *ice;

  /* The end of gathering comes as an empty candidate; trickle has no use
   * for it here. */
  if (candidate == NULL || *candidate == '\0')
    return;

  ice = g_new0 (PendingIce, 1);
  ice->mline_index = mline_index;
  ice->candidate = g_strdup (candidate);
  peer_defer (self, send_candidate, ice, pending_ice_free);
}

static void
update_connection_state (TtoCallPeer *self,
                         gpointer data)
{
  GstWebRTCPeerConnectionState state = GST_WEBRTC_PEER_CONNECTION_STATE_NEW;

  if (self->webrtc == NULL)
    return;
  g_object_get (self->webrtc, "connection-state", &state, NULL);
  switch (state)
    {
    case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTING:
      set_state (self, TTO_CALL_PEER_STATE_CONNECTING);
      break;
    case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED:
      if (self->state != TTO_CALL_PEER_STATE_CONNECTED && self->engine != NULL)
        /* Whoever was streaming already, the newcomer needs a key frame. */
        tto_call_engine_request_key_frame (self->engine);
      set_state (self, TTO_CALL_PEER_STATE_CONNECTED);
      break;
    case GST_WEBRTC_PEER_CONNECTION_STATE_FAILED:
      set_state (self, TTO_CALL_PEER_STATE_FAILED);
      break;
    case GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED:
      set_state (self, TTO_CALL_PEER_STATE_CLOSED);
      break;
    case GST_WEBRTC_PEER_CONNECTION_STATE_NEW:
    case GST_WEBRTC_PEER_CONNECTION_STATE_DISCONNECTED:
    default:
      break;
    }
}

static void
on_connection_state_notify (GObject *webrtc,
                            GParamSpec *pspec,
                            gpointer user_data)
{
  peer_defer (user_data, update_connection_state, NULL, NULL);
}

static void
flush_pending_ice (TtoCallPeer *self)
{
  for (guint i = 0; i < self->pending_ice->len; i++)
    {
      PendingIce *ice = g_ptr_array_index (self->pending_ice, i);

      g_signal_emit_by_name (self->webrtc, "add-ice-candidate", ice->mline_index, ice->candidate);
    }
  g_ptr_array_set_size (self->pending_ice, 0);
}

/* webrtcbin's thread: the remote offer is set, ask for our answer. */
static void
on_remote_offer_set (GstPromise *promise,
                     gpointer user_data)
{
  TtoCallPeer *self = user_data;
  GstPromise *answer;

  gst_promise_unref (promise);
  if (self->webrtc == NULL)
    return;
  answer = gst_promise_new_with_change_func (on_description_created, g_object_ref (self),
                                             g_object_unref);
  g_signal_emit_by_name (self->webrtc, "create-answer", NULL, answer);
}

static gboolean
set_remote (TtoCallPeer *self,
            GstWebRTCSDPType type,
            const char *sdp)
{
  GstSDPMessage *message = NULL;
  GstWebRTCSessionDescription *desc;
  GstPromise *promise;

  if (self->webrtc == NULL)
    return FALSE;
  if (gst_sdp_message_new_from_text (sdp, &message) != GST_SDP_OK)
    {
      g_message ("unreadable SDP from a peer; ignored");
      return FALSE;
    }
  desc = gst_webrtc_session_description_new (type, message);
  if (type == GST_WEBRTC_SDP_TYPE_OFFER)
    promise = gst_promise_new_with_change_func (on_remote_offer_set, g_object_ref (self),
                                                g_object_unref);
  else
    promise = NULL;
  g_signal_emit_by_name (self->webrtc, "set-remote-description", desc, promise);
  gst_webrtc_session_description_free (desc);

  /* webrtcbin runs its operations in order: these come after the
   * description. */
  self->remote_set = TRUE;
  flush_pending_ice (self);

  return TRUE;
}

void
tto_call_peer_handle_offer (TtoCallPeer *self,
                            const char *sdp)
{
  g_return_if_fail (TTO_IS_CALL_PEER (self));
  g_return_if_fail (sdp != NULL);

  if (self->offerer || self->remote_set)
    {
      g_message ("an offer the peer should not have sent; ignored");
      return;
    }
  set_state (self, TTO_CALL_PEER_STATE_CONNECTING);
  set_remote (self, GST_WEBRTC_SDP_TYPE_OFFER, sdp);
}

void
tto_call_peer_handle_answer (TtoCallPeer *self,
                             const char *sdp)
{
  g_return_if_fail (TTO_IS_CALL_PEER (self));
  g_return_if_fail (sdp != NULL);

  if (!self->offerer || !self->offer_sent || self->remote_set)
    {
      g_message ("an answer to no offer of ours; ignored");
      return;
    }
  set_remote (self, GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
}

void
tto_call_peer_handle_ice (TtoCallPeer *self,
                          guint mline_index,
                          const char *candidate)
{
  PendingIce *ice;

  g_return_if_fail (TTO_IS_CALL_PEER (self));
  g_return_if_fail (candidate != NULL);

  if (self->webrtc == NULL || *candidate == '\0')
    return;
  if (self->engine != NULL && tto_call_engine_get_loopback_only (self->engine)
      && !tto_call_candidate_is_loopback (candidate))
    return;

  if (self->remote_set)
    {
      g_signal_emit_by_name (self->webrtc, "add-ice-candidate", mline_index, candidate);
      return;
    }
  ice = g_new0 (PendingIce, 1);
  ice->mline_index = mline_index;
  ice->candidate = g_strdup (candidate);
  g_ptr_array_add (self->pending_ice, ice);
}

/* ---------------------------------------------------------- remote media */

static void
publish_frame (TtoCallPeer *self,
               gpointer data)
{
  GstSample *sample;
  g_autoptr (GdkTexture) texture = NULL;

  g_mutex_lock (&self->lock);
  sample = g_steal_pointer (&self->pending_sample);
  self->frame_scheduled = FALSE;
  g_mutex_unlock (&self->lock);

  if (sample == NULL)
    return;
  texture = tto_call_texture_from_sample (sample);
  gst_sample_unref (sample);
  if (texture == NULL)
    return;

  g_set_object (&self->last_frame, texture);
  g_signal_emit (self, signals[SIGNAL_VIDEO_FRAME], 0, texture);
}

/* appsink's streaming thread: keep the newest frame, publish it on the
 * main context; frames the UI has no time for are dropped. */
static GstFlowReturn
on_new_sample (GstAppSink *sink,
               gpointer user_data)
{
  TtoCallPeer *self = user_data;
  GstSample *sample = gst_app_sink_pull_sample (sink);
  GstSample *old;
  gboolean schedule;

  if (sample == NULL)
    return GST_FLOW_EOS;

  g_atomic_int_inc (&self->video_frames);
  g_mutex_lock (&self->lock);
  if (self->first_frame_time == 0)
    self->first_frame_time = g_get_monotonic_time ();
  old = self->pending_sample;
  self->pending_sample = sample;
  schedule = !self->frame_scheduled;
  self->frame_scheduled = TRUE;
  g_mutex_unlock (&self->lock);

  if (old != NULL)
    gst_sample_unref (old);
  if (schedule)
    peer_defer (self, publish_frame, NULL, NULL);

  return GST_FLOW_OK;
}

static GstPadProbeReturn
on_audio_buffer (GstPad *pad,
                 GstPadProbeInfo *info,
                 gpointer user_data)
{
  TtoCallPeer *self = user_data;

  g_atomic_int_inc (&self->audio_buffers);

  return GST_PAD_PROBE_OK;
}

static GstElement *
make (const char *factory)
{
  GstElement *element = gst_element_factory_make (factory, NULL);

  if (element == NULL)
    g_message ("GStreamer element %s is missing", factory);

  return element;
}

static gboolean
add_chain (GstBin *bin,
           GstPad *source,
           GstElement **elements,
           guint n)
{
  g_autoptr (GstPad) sink = NULL;

  for (guint i = 0; i < n; i++)
    if (elements[i] == NULL)
      {
        for (guint j = 0; j < n; j++)
          if (elements[j] != NULL)
            gst_object_unref (gst_object_ref_sink (elements[j]));
        return FALSE;
      }

  for (guint i = 0; i < n; i++)
    gst_bin_add (bin, elements[i]);
  for (guint i = 0; i + 1 < n; i++)
    if (!gst_element_link (elements[i], elements[i + 1]))
      return FALSE;
  for (guint i = n; i > 0; i--)
    gst_element_sync_state_with_parent (elements[i - 1]);

  sink = gst_element_get_static_pad (elements[0], "sink");
  return gst_pad_link (source, sink) == GST_PAD_LINK_OK;
}

typedef struct
{
  TtoCallMedia media;
  GstElement *tee;
} DecodedMedia;

static void
decoded_media_free (gpointer data)
{
  DecodedMedia *decoded = data;

  gst_object_unref (decoded->tee);
  g_free (decoded);
}

static void
publish_decoded_tee (TtoCallPeer *self,
                     gpointer data)
{
  DecodedMedia *decoded = data;

  if (self->bin == NULL || self->decoded_tees[decoded->media] != NULL)
    return;
  self->decoded_tees[decoded->media] = gst_object_ref (decoded->tee);
  if (self->engine != NULL)
    tto_call_engine_add_peer_media (self->engine, self, decoded->media, decoded->tee);
}

/* Streaming thread: the tee carries decoded media; the engine hears of it
 * on its main context. */
static void
offer_decoded_tee (TtoCallPeer *self,
                   TtoCallMedia media,
                   GstElement *tee)
{
  DecodedMedia *decoded = g_new0 (DecodedMedia, 1);

  decoded->media = media;
  decoded->tee = gst_object_ref (tee);
  peer_defer (self, publish_decoded_tee, decoded, decoded_media_free);
}

static GstElement *
make_tee (void)
{
  GstElement *tee = make ("tee");

  /* The recording comes and goes; the peer's playback never waits. */
  if (tee != NULL)
    g_object_set (tee, "allow-not-linked", TRUE, NULL);

  return tee;
}

static void
add_video_output (TtoCallPeer *self,
                  GstPad *pad)
{
  GstElement *elements[5] = {
    make_tee (), make ("queue"), make ("videoconvert"), make ("capsfilter"), make ("appsink"),
  };
  g_autoptr (GstCaps) caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "RGBA",
                                                  NULL);
  GstAppSinkCallbacks callbacks = { .new_sample = on_new_sample };

  if (elements[3] != NULL)
    g_object_set (elements[3], "caps", caps, NULL);
  if (elements[4] != NULL)
    {
      g_object_set (elements[4], "max-buffers", 2, "drop", TRUE, "sync", TRUE,
                    "enable-last-sample", FALSE, NULL);
      gst_app_sink_set_callbacks (GST_APP_SINK (elements[4]), &callbacks, self, NULL);
    }
  if (!add_chain (self->bin, pad, elements, G_N_ELEMENTS (elements)))
    {
      g_message ("could not show a peer's video");
      return;
    }
  offer_decoded_tee (self, TTO_CALL_MEDIA_VIDEO, elements[0]);
}

static void
add_audio_output (TtoCallPeer *self,
                  GstPad *pad,
                  const char *sink_description)
{
  g_autoptr (GError) error = NULL;
  GstElement *sink = gst_parse_bin_from_description (sink_description, TRUE, &error);
  GstElement *elements[5] = {
    make_tee (), make ("queue"), make ("audioconvert"), make ("audioresample"), sink,
  };

  if (sink == NULL)
    g_message ("audio sink \"%s\": %s", sink_description, error->message);
  if (!add_chain (self->bin, pad, elements, G_N_ELEMENTS (elements)))
    {
      g_message ("could not play a peer's audio");
      return;
    }
  {
    g_autoptr (GstPad) counted = gst_element_get_static_pad (elements[1], "src");

    gst_pad_add_probe (counted, GST_PAD_PROBE_TYPE_BUFFER, on_audio_buffer, self, NULL);
  }
  offer_decoded_tee (self, TTO_CALL_MEDIA_AUDIO, elements[0]);
}

static void
on_decodebin_pad_added (GstElement *decodebin,
                        GstPad *pad,
                        gpointer user_data)
{
  TtoCallPeer *self = user_data;
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  const char *name;

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  name = gst_structure_get_name (gst_caps_get_structure (caps, 0));

  if (g_str_has_prefix (name, "video/"))
    add_video_output (self, pad);
  else if (g_str_has_prefix (name, "audio/"))
    add_audio_output (self, pad, self->engine != NULL
                                   ? tto_call_engine_get_audio_sink (self->engine)
                                   : "fakesink");
}

/* Tune what decodebin plugs: wait for a key frame and ask for one rather
 * than decode garbage, and never fail a call over corrupt frames. */
static void
on_deep_element_added (GstBin *bin,
                       GstBin *sub_bin,
                       GstElement *element,
                       gpointer user_data)
{
  GstElementFactory *factory = gst_element_get_factory (element);
  const char *name = factory != NULL ? gst_plugin_feature_get_name (factory) : "";

  if (g_str_equal (name, "rtpvp8depay"))
    g_object_set (element, "wait-for-keyframe", TRUE, "request-keyframe", TRUE, NULL);
  else if (g_object_class_find_property (G_OBJECT_GET_CLASS (element), "max-errors") != NULL)
    g_object_set (element, "max-errors", -1, NULL);
}

static void
on_webrtc_pad_added (GstElement *webrtc,
                     GstPad *pad,
                     gpointer user_data)
{
  TtoCallPeer *self = user_data;
  GstElement *decodebin;
  g_autoptr (GstPad) sink = NULL;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;

  decodebin = gst_element_factory_make ("decodebin", NULL);
  g_signal_connect (decodebin, "pad-added", G_CALLBACK (on_decodebin_pad_added), self);
  g_signal_connect (decodebin, "deep-element-added", G_CALLBACK (on_deep_element_added), self);
  gst_bin_add (self->bin, decodebin);
  gst_element_sync_state_with_parent (decodebin);
  sink = gst_element_get_static_pad (decodebin, "sink");
  if (gst_pad_link (pad, sink) != GST_PAD_LINK_OK)
    g_message ("could not decode a peer's stream");
}

#define RTCP_INTERVAL_NS (GST_SECOND)

/* libnice tries UPnP port mappings on every interface by default; a call
 * app has no business opening ports on the router (nor, in tests, talking
 * beyond 127.0.0.1). The agent is reachable through webrtcbin's nicesrc,
 * created before gathering starts. */
static void
on_transport_element_added (GstBin *bin,
                            GstBin *sub_bin,
                            GstElement *element,
                            gpointer user_data)
{
  GstElementFactory *factory = gst_element_get_factory (element);
  g_autoptr (GObject) agent = NULL;

  if (factory == NULL)
    return;
  /* Receiver reports every second or so rather than every 5 s (RFC 3550's
   * minimum, meant for multicast), as browsers do: the sender learns about
   * loss in time to lower its rate. The reports stay a few hundred bytes
   * a second. */
  if (g_str_equal (gst_plugin_feature_get_name (factory), "rtpsession"))
    {
      g_object_set (element, "rtcp-min-interval", (guint64) RTCP_INTERVAL_NS, NULL);
      return;
    }
  if (!g_str_equal (gst_plugin_feature_get_name (factory), "nicesrc"))
    return;
  g_object_get (element, "agent", &agent, NULL);
  if (agent != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (agent), "upnp") != NULL)
    g_object_set (agent, "upnp", FALSE, NULL);
}

/* ------------------------------------------------------------ statistics */

/* How much of what we send this peer loses. GStreamer 1.22's webrtcbin
 * mislabels its statistics under BUNDLE (every stream has the first
 * transceiver's "kind"; remote-inbound-rtp "fraction-lost" stays 0 while
 * the receiver reports losses), but remote-inbound-rtp "packets-lost"
 * (cumulative, from the receiver's reports) and outbound-rtp
 * "packets-sent" per SSRC are right; so the loss is counted from those:
 * packets lost / packets sent between two reports that changed it. */
#define LOSS_HOLD_US (4 * G_USEC_PER_SEC)

typedef struct
{
  guint ssrc;
  gint64 lost;
  guint64 sent;
  gint64 since;
  double loss;
} LossMark;

typedef struct
{
  GArray *sent; /* ssrc, packets-sent pairs as guint64 */
  GArray *lost; /* ssrc, packets-lost pairs as gint64 */
} StatsScan;

static gboolean
scan_stats (GQuark field,
            const GValue *value,
            gpointer user_data)
{
  StatsScan *scan = user_data;
  const GstStructure *stats;
  GstWebRTCStatsType type;
  guint ssrc;

  if (!GST_VALUE_HOLDS_STRUCTURE (value))
    return TRUE;
  stats = gst_value_get_structure (value);
  if (!gst_structure_get (stats, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type, NULL)
      || !gst_structure_get_uint (stats, "ssrc", &ssrc))
    return TRUE;
  if (type == GST_WEBRTC_STATS_OUTBOUND_RTP)
    {
      guint64 pair[2] = { ssrc, 0 };

      if (gst_structure_get_uint64 (stats, "packets-sent", &pair[1]))
        g_array_append_vals (scan->sent, pair, 2);
    }
  else if (type == GST_WEBRTC_STATS_REMOTE_INBOUND_RTP)
    {
      gint64 pair[2] = { ssrc, 0 };

      if (gst_structure_get_int64 (stats, "packets-lost", &pair[1]))
        g_array_append_vals (scan->lost, pair, 2);
    }

  return TRUE;
}

/* self->lock held. */
static double
update_loss_locked (TtoCallPeer *self,
                    guint ssrc,
                    gint64 lost,
                    guint64 sent,
                    gint64 now)
{
  LossMark *mark = NULL;

  for (guint i = 0; i < self->loss_marks->len; i++)
    if (g_array_index (self->loss_marks, LossMark, i).ssrc == ssrc)
      mark = &g_array_index (self->loss_marks, LossMark, i);
  if (mark == NULL)
    {
      LossMark fresh = { ssrc, lost, sent, now, 0 };

      g_array_append_val (self->loss_marks, fresh);
      return 0;
    }

  if (lost > mark->lost && sent > mark->sent)
    {
      mark->loss = CLAMP ((double) (lost - mark->lost) / (double) (sent - mark->sent), 0, 1);
      mark->lost = lost;
      mark->sent = sent;
      mark->since = now;
    }
  else if (now - mark->since > LOSS_HOLD_US)
    {
      /* Reports came and lost nothing more. */
      mark->loss = 0;
      mark->lost = MAX (mark->lost, lost);
      mark->sent = sent;
      mark->since = now;
    }

  return mark->loss;
}

static void
on_stats (GstPromise *promise,
          gpointer user_data)
{
  TtoCallPeer *self = user_data;
  StatsScan scan = {
    g_array_new (FALSE, FALSE, sizeof (guint64)), g_array_new (FALSE, FALSE, sizeof (gint64)),
  };
  gint64 now = g_get_monotonic_time ();
  double loss = 0;

  if (gst_promise_wait (promise) == GST_PROMISE_RESULT_REPLIED)
    gst_structure_foreach (gst_promise_get_reply (promise), scan_stats, &scan);
  gst_promise_unref (promise);

  g_mutex_lock (&self->lock);
  for (guint i = 0; i + 1 < scan.lost->len; i += 2)
    for (guint j = 0; j + 1 < scan.sent->len; j += 2)
      if ((guint64) g_array_index (scan.lost, gint64, i) == g_array_index (scan.sent, guint64, j))
        loss = MAX (loss, update_loss_locked (self, (guint) g_array_index (scan.sent, guint64, j),
                                              g_array_index (scan.lost, gint64, i + 1),
                                              g_array_index (scan.sent, guint64, j + 1), now));
  self->video_loss = loss;
  g_mutex_unlock (&self->lock);

  g_array_unref (scan.sent);
  g_array_unref (scan.lost);
}

void
tto_call_peer_poll_stats (TtoCallPeer *self)
{
  GstPromise *promise;

  g_return_if_fail (TTO_IS_CALL_PEER (self));

  if (self->webrtc == NULL || self->state != TTO_CALL_PEER_STATE_CONNECTED)
    return;
  promise = gst_promise_new_with_change_func (on_stats, g_object_ref (self), g_object_unref);
  g_signal_emit_by_name (self->webrtc, "get-stats", NULL, promise);
}

double
tto_call_peer_get_video_loss (TtoCallPeer *self)
{
  double loss;

  g_return_val_if_fail (TTO_IS_CALL_PEER (self), 0);

  g_mutex_lock (&self->lock);
  loss = self->video_loss;
  g_mutex_unlock (&self->lock);

  return loss;
}

/* ----------------------------------------------------------- local media */

static GstPad *
add_sending_branch (TtoCallPeer *self,
                    const char *payloader,
                    const char *media,
                    const char *encoding,
                    guint pt,
                    guint clock_rate,
                    GError **error)
{
  GstElement *queue = make ("queue");
  GstElement *pay = make (payloader);
  GstElement *filter = make ("capsfilter");
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (GstPad) queue_sink = NULL;
  g_autoptr (GstPad) filter_src = NULL;
  g_autoptr (GstPad) webrtc_sink = NULL;
  GstPad *ghost;

  if (queue == NULL || pay == NULL || filter == NULL)
    {
      g_set_error (error, TTO_CALL_ERROR, TTO_CALL_ERROR_MISSING_ELEMENT,
                   "GStreamer element %s is missing", payloader);
      g_clear_pointer (&queue, gst_object_unref);
      g_clear_pointer (&pay, gst_object_unref);
      g_clear_pointer (&filter, gst_object_unref);
      return NULL;
    }

  /* webrtcbin builds its offer from these caps: all four fields needed. */
  caps = gst_caps_new_simple ("application/x-rtp",
                              "media", G_TYPE_STRING, media,
                              "encoding-name", G_TYPE_STRING, encoding,
                              "payload", G_TYPE_INT, pt,
                              "clock-rate", G_TYPE_INT, clock_rate,
                              NULL);
  if (g_str_equal (media, "video"))
    gst_caps_set_simple (caps, "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE, NULL);
  /* What browsers and phones decode: constrained baseline, level 3.1. */
  if (g_str_equal (encoding, "H264"))
    gst_caps_set_simple (caps, "packetization-mode", G_TYPE_STRING, "1",
                         "profile-level-id", G_TYPE_STRING, "42e01f", NULL);
  g_object_set (queue, "max-size-time", (guint64) 200 * GST_MSECOND, "max-size-bytes", 0,
                "max-size-buffers", 0, "leaky", 2 /* downstream */, NULL);
  g_object_set (pay, "pt", pt, NULL);
  if (g_str_equal (payloader, "rtpvp8pay"))
    g_object_set (pay, "picture-id-mode", 2 /* 15 bit */, NULL);
  /* Parameter sets with every key frame: a peer that lost them, or joined
   * late, decodes from the next one. */
  if (g_str_equal (payloader, "rtph264pay"))
    g_object_set (pay, "config-interval", -1, "aggregate-mode", 1 /* zero-latency */, NULL);
  g_object_set (filter, "caps", caps, NULL);

  gst_bin_add_many (self->bin, queue, pay, filter, NULL);
  if (!gst_element_link_many (queue, pay, filter, NULL))
    {
      g_set_error (error, TTO_CALL_ERROR, TTO_CALL_ERROR_FAILED, "could not link %s", payloader);
      return NULL;
    }
  filter_src = gst_element_get_static_pad (filter, "src");
  webrtc_sink = gst_element_request_pad_simple (self->webrtc, "sink_%u");
  if (webrtc_sink == NULL || gst_pad_link (filter_src, webrtc_sink) != GST_PAD_LINK_OK)
    {
      g_set_error (error, TTO_CALL_ERROR, TTO_CALL_ERROR_FAILED,
                   "could not link %s to webrtcbin", payloader);
      return NULL;
    }

  queue_sink = gst_element_get_static_pad (queue, "sink");
  ghost = gst_ghost_pad_new (media, queue_sink);
  gst_element_add_pad (GST_ELEMENT (self->bin), ghost);

  return ghost;
}

gboolean
tto_call_peer_attach (TtoCallPeer *self,
                      GstBin *pipeline,
                      GstElement *audio_tee,
                      GstElement *video_tee,
                      const char *video_codec,
                      GError **error)
{
  static guint counter;
  g_autofree char *name = NULL;
  GstPad *inputs[2] = { NULL, NULL };
  GstElement *tees[2] = { audio_tee, video_tee };
  GObject *agent = NULL;
  const char *stun;
  GPtrArray *turn;

  g_return_val_if_fail (TTO_IS_CALL_PEER (self), FALSE);
  g_return_val_if_fail (self->bin == NULL, FALSE);
  g_return_val_if_fail (self->engine != NULL, FALSE);

  self->webrtc = gst_element_factory_make ("webrtcbin", NULL);
  if (self->webrtc == NULL)
    {
      g_set_error (error, TTO_CALL_ERROR, TTO_CALL_ERROR_MISSING_ELEMENT,
                   "webrtcbin is missing (gstreamer1.0-plugins-bad, gstreamer1.0-nice)");
      return FALSE;
    }
  name = g_strdup_printf ("peer%u", g_atomic_int_add (&counter, 1));
  self->bin = GST_BIN (gst_object_ref_sink (gst_bin_new (name)));
  g_signal_connect (self->bin, "deep-element-added", G_CALLBACK (on_transport_element_added),
                    NULL);
  gst_bin_add (self->bin, self->webrtc);

  g_object_set (self->webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
  stun = tto_call_engine_get_stun_server (self->engine);
  if (stun != NULL)
    g_object_set (self->webrtc, "stun-server", stun, NULL);
  turn = tto_call_engine_get_turn_servers (self->engine);
  for (guint i = 0; i < turn->len; i++)
    {
      gboolean added = FALSE;

      g_signal_emit_by_name (self->webrtc, "add-turn-server", g_ptr_array_index (turn, i),
                             &added);
      if (!added)
        g_message ("webrtcbin refused a TURN server");
    }
  if (tto_call_engine_get_relay_only (self->engine))
    g_object_set (self->webrtc, "ice-transport-policy", GST_WEBRTC_ICE_TRANSPORT_POLICY_RELAY,
                  NULL);
  if (tto_call_engine_get_loopback_only (self->engine))
    {
      gboolean added = FALSE;

      /* libnice then gathers on this address only. */
      g_object_get (self->webrtc, "ice-agent", &agent, NULL);
      if (agent != NULL)
        g_signal_emit_by_name (agent, "add-local-ip-address", "127.0.0.1", &added);
      g_clear_object (&agent);
      if (!added)
        g_message ("could not restrict ICE to 127.0.0.1");
    }

  g_signal_connect (self->webrtc, "on-negotiation-needed", G_CALLBACK (on_negotiation_needed),
                    self);
  g_signal_connect (self->webrtc, "on-ice-candidate", G_CALLBACK (on_ice_candidate), self);
  g_signal_connect (self->webrtc, "notify::connection-state",
                    G_CALLBACK (on_connection_state_notify), self);
  g_signal_connect (self->webrtc, "pad-added", G_CALLBACK (on_webrtc_pad_added), self);

  inputs[0] = add_sending_branch (self, "rtpopuspay", "audio", "OPUS", TTO_CALL_PT_OPUS, 48000,
                                  error);
  if (inputs[0] == NULL)
    return FALSE;
  if (video_tee != NULL)
    {
      gboolean h264 = g_strcmp0 (video_codec, "H264") == 0;

      self->video_codec = h264 ? "H264" : "VP8";
      inputs[1] = add_sending_branch (self, h264 ? "rtph264pay" : "rtpvp8pay", "video",
                                      self->video_codec, h264 ? TTO_CALL_PT_H264 : TTO_CALL_PT_VP8,
                                      90000, error);
      if (inputs[1] == NULL)
        return FALSE;
    }

  self->pipeline = g_object_ref (pipeline);
  gst_bin_add (pipeline, GST_ELEMENT (self->bin));
  /* Playing before linking: a tee pushing into a flushing pad would stop
   * the encoder for everyone. */
  gst_element_sync_state_with_parent (GST_ELEMENT (self->bin));

  for (guint i = 0; i < G_N_ELEMENTS (tees); i++)
    {
      if (tees[i] == NULL)
        continue;
      self->tee_pads[i] = gst_element_request_pad_simple (tees[i], "src_%u");
      if (gst_pad_link (self->tee_pads[i], inputs[i]) != GST_PAD_LINK_OK)
        {
          g_set_error (error, TTO_CALL_ERROR, TTO_CALL_ERROR_FAILED,
                       "could not link the encoders to a peer");
          return FALSE;
        }
    }

  set_state (self, TTO_CALL_PEER_STATE_NEW);

  return TRUE;
}

/* -------------------------------------------------------------- teardown */

static void
release_bin (TtoCallPeer *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->tee_pads); i++)
    {
      GstPad *pad = g_steal_pointer (&self->tee_pads[i]);
      g_autoptr (GstElement) tee = NULL;

      if (pad == NULL)
        continue;
      tee = gst_pad_get_parent_element (pad);
      if (tee != NULL)
        gst_element_release_request_pad (tee, pad);
      gst_object_unref (pad);
    }

  if (self->bin != NULL)
    {
      gst_element_set_state (GST_ELEMENT (self->bin), GST_STATE_NULL);
      g_signal_handlers_disconnect_by_data (self->webrtc, self);
      if (self->pipeline != NULL
          && GST_OBJECT_PARENT (self->bin) == GST_OBJECT (self->pipeline))
        gst_bin_remove (self->pipeline, GST_ELEMENT (self->bin));
    }
  self->webrtc = NULL;
  for (guint i = 0; i < G_N_ELEMENTS (self->decoded_tees); i++)
    g_clear_pointer (&self->decoded_tees[i], gst_object_unref);
  g_clear_pointer (&self->bin, gst_object_unref);
  g_clear_object (&self->pipeline);
  set_state (self, TTO_CALL_PEER_STATE_CLOSED);
}

static gboolean
finish_detach (gpointer user_data)
{
  release_bin (user_data);

  return G_SOURCE_REMOVE;
}

/* Streaming thread (or ours, when the pad is idle): nothing flows through
 * the tee pad now, so it can be unlinked without the tee seeing a flushing
 * peer. */
static GstPadProbeReturn
on_tee_pad_idle (GstPad *pad,
                 GstPadProbeInfo *info,
                 gpointer user_data)
{
  TtoCallPeer *self = user_data;
  g_autoptr (GstPad) peer = gst_pad_get_peer (pad);

  if (peer != NULL)
    gst_pad_unlink (pad, peer);
  if (g_atomic_int_dec_and_test (&self->links_left))
    {
      g_autoptr (GSource) source = g_idle_source_new ();

      g_source_set_callback (source, finish_detach, g_object_ref (self), g_object_unref);
      g_source_attach (source, self->context);
    }

  return GST_PAD_PROBE_REMOVE;
}

void
tto_call_peer_detach (TtoCallPeer *self,
                      gboolean pipeline_stopped)
{
  guint links = 0;

  g_return_if_fail (TTO_IS_CALL_PEER (self));

  if (self->closed)
    return;
  self->closed = TRUE;
  self->engine = NULL;

  if (pipeline_stopped || self->bin == NULL)
    {
      release_bin (self);
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (self->tee_pads); i++)
    if (self->tee_pads[i] != NULL)
      links++;
  if (links == 0)
    {
      release_bin (self);
      return;
    }
  g_atomic_int_set (&self->links_left, links);
  for (guint i = 0; i < G_N_ELEMENTS (self->tee_pads); i++)
    if (self->tee_pads[i] != NULL)
      gst_pad_add_probe (self->tee_pads[i], GST_PAD_PROBE_TYPE_IDLE, on_tee_pad_idle,
                         g_object_ref (self), g_object_unref);
}

/* --------------------------------------------------------------- GObject */

static void
tto_call_peer_finalize (GObject *object)
{
  TtoCallPeer *self = TTO_CALL_PEER (object);

  g_assert (self->bin == NULL);

  g_clear_pointer (&self->pending_sample, gst_sample_unref);
  g_clear_object (&self->last_frame);
  g_ptr_array_unref (self->pending_ice);
  g_array_unref (self->loss_marks);
  g_main_context_unref (self->context);
  g_free (self->identity_id);
  g_free (self->display_name);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (tto_call_peer_parent_class)->finalize (object);
}

static void
tto_call_peer_get_property (GObject *object,
                            guint prop_id,
                            GValue *value,
                            GParamSpec *pspec)
{
  TtoCallPeer *self = TTO_CALL_PEER (object);

  switch (prop_id)
    {
    case PROP_IDENTITY_ID:
      g_value_set_string (value, self->identity_id);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_OFFERER:
      g_value_set_boolean (value, self->offerer);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_call_peer_class_init (TtoCallPeerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tto_call_peer_finalize;
  object_class->get_property = tto_call_peer_get_property;

  props[PROP_IDENTITY_ID] =
    g_param_spec_string ("identity-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, TTO_TYPE_CALL_PEER_STATE, TTO_CALL_PEER_STATE_NEW,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  props[PROP_OFFERER] =
    g_param_spec_boolean ("offerer", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /* A decoded frame of the peer's video, on the main context, at most as
   * often as the main loop can take them. */
  signals[SIGNAL_VIDEO_FRAME] =
    g_signal_new ("video-frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, GDK_TYPE_TEXTURE);
}

static void
tto_call_peer_init (TtoCallPeer *self)
{
  g_mutex_init (&self->lock);
  self->pending_ice = g_ptr_array_new_with_free_func (pending_ice_free);
  self->loss_marks = g_array_new (FALSE, FALSE, sizeof (LossMark));
}

TtoCallPeer *
tto_call_peer_new (TtoCallEngine *engine,
                   const char *identity_id,
                   const char *display_name,
                   gint64 joined_at,
                   gboolean offerer)
{
  TtoCallPeer *self;

  g_return_val_if_fail (TTO_IS_CALL_ENGINE (engine), NULL);
  g_return_val_if_fail (identity_id != NULL, NULL);

  self = g_object_new (TTO_TYPE_CALL_PEER, NULL);
  self->engine = engine;
  self->context = g_main_context_ref (tto_call_engine_get_context (engine));
  self->identity_id = g_strdup (identity_id);
  self->display_name = g_strdup (display_name != NULL ? display_name : "");
  self->joined_at = joined_at;
  self->offerer = offerer;

  return self;
}

/* ------------------------------------------------------------ public API */

/* The tee carrying the peer's decoded audio or video, once it flows. */
GstElement *
tto_call_peer_get_decoded_tee (TtoCallPeer *self,
                               TtoCallMedia media)
{
  g_return_val_if_fail (TTO_IS_CALL_PEER (self), NULL);

  return self->decoded_tees[media];
}

const char *
tto_call_peer_get_identity_id (TtoCallPeer *self)
{
  g_return_val_if_fail (TTO_IS_CALL_PEER (self), NULL);

  return self->identity_id;
}

const char *
tto_call_peer_get_display_name (TtoCallPeer *self)
{
  g_return_val_if_fail (TTO_IS_CALL_PEER (self), NULL);

  return self->display_name;
}

TtoCallPeerState
tto_call_peer_get_state (TtoCallPeer *self)
{
  g_return_val_if_fail (TTO_IS_CALL_PEER (self), TTO_CALL_PEER_STATE_CLOSED);

  return self->state;
}

gboolean
tto_call_peer_get_offerer (TtoCallPeer *self)
{
  g_return_val_if_fail (TTO_IS_CALL_PEER (self), FALSE);

  return self->offerer;
}

/* "VP8" or "H264": what this peer and we send each other; NULL in voice
 * calls. */
const char *
tto_call_peer_get_video_codec (TtoCallPeer *self)
{
  g_return_val_if_fail (TTO_IS_CALL_PEER (self), NULL);

  return self->video_codec;
}

gint64
tto_call_peer_get_joined_at (TtoCallPeer *self)
{
  g_return_val_if_fail (TTO_IS_CALL_PEER (self), 0);

  return self->joined_at;
}

gboolean
tto_call_peer_has_remote_description (TtoCallPeer *self)
{
  g_return_val_if_fail (TTO_IS_CALL_PEER (self), FALSE);

  return self->remote_set;
}

guint64
tto_call_peer_get_audio_buffers (TtoCallPeer *self)
{
  g_return_val_if_fail (TTO_IS_CALL_PEER (self), 0);

  return (guint) g_atomic_int_get (&self->audio_buffers);
}

guint64
tto_call_peer_get_video_frames (TtoCallPeer *self)
{
  g_return_val_if_fail (TTO_IS_CALL_PEER (self), 0);

  return (guint) g_atomic_int_get (&self->video_frames);
}

GdkTexture *
tto_call_peer_get_last_frame (TtoCallPeer *self)
{
  g_return_val_if_fail (TTO_IS_CALL_PEER (self), NULL);

  return self->last_frame;
}

/* Monotonic time (µs) of the first decoded video frame, 0 before it. */
gint64
tto_call_peer_get_first_frame_time (TtoCallPeer *self)
{
  gint64 time;

  g_return_val_if_fail (TTO_IS_CALL_PEER (self), 0);

  g_mutex_lock (&self->lock);
  time = self->first_frame_time;
  g_mutex_unlock (&self->lock);

  return time;
}
