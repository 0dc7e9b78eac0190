/* tto-call-recorder.c: the local recording of a call, everyone mixed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A bin in the call's pipeline, fed by tees of raw media (the engine's own
 * capture, each peer's decoded streams):
 *
 *   tee ─ queue ─ audioconvert ─ audioresample ─┐
 *   tee ─ …                                     ├ audiomixer ─ S16 48 kHz ─ opusenc ─ queue ─┐
 *   tee ─ queue ─┐                                                                           ├ webmmux ─ filesink
 *   tee ─ queue ─┴ compositor (grid) ─ I420 WxH@24 ─ queue ─ vp8enc ─ queue ──────────────────┘
 *
 * Inputs come and go while it records (people join and leave); the mixers
 * are live aggregators that time out on inputs with nothing yet, so a peer
 * whose video has not started does not hold the others back. Nothing here
 * ever blocks the call: the input queues are leaky, and no flow error of
 * the recording goes back up the tees (see on_input_chain ()).
 *
 * Threads: everything but the pad probes runs on the main context the
 * recorder was created on.
 */
#include "tto-call-engine.h"
#include "tto-call-recorder.h"

/* Decoded peer media arrives late by webrtcbin's jitter buffer (200 ms)
 * plus decoding; the mixers wait that long for every input. Peers plugged
 * in later must not raise the latency mid-recording, so it is fixed. */
#define UPSTREAM_LATENCY (300 * GST_MSECOND)
#define MIXER_LATENCY (100 * GST_MSECOND)
#define INPUT_QUEUE_TIME (1 * GST_SECOND)
#define VIDEO_KBPS 1200
#define AUDIO_KBPS 64

typedef struct
{
  GMutex lock;
  GMainContext *context;
  TtoCallRecorder *recorder; /* main context; NULL once it let go */
  gconstpointer owner;
  TtoCallMedia media;

  GstElement *tee;
  GstPad *tee_pad;       /* requested from the tee */
  GstElement *outer_bin; /* the tee's bin (a peer), when not the pipeline */
  GstPad *outer_ghost;   /* tee_pad, ghosted on outer_bin */
  GstBin *bin;           /* the recorder's */
  GstPad *ghost_sink;    /* on the recorder's bin */
  GstElement *branch[3];
  guint n_branch;
  GstElement *mixer;
  GstPad *mixer_pad;

  gboolean unlinked; /* the lock: the tee no longer feeds the branch */
  gboolean stopping; /* recording ends: EOS through the branch */
  gboolean eos_sent;
  gboolean finished;
} Input;

struct _TtoCallRecorder
{
  GObject parent_instance;

  GMainContext *context;
  GstBin *pipeline;
  GstBin *bin;
  GstElement *audio_mixer;
  GstElement *video_mixer; /* NULL for audio calls */
  guint width;
  guint height;

  GPtrArray *inputs;  /* Input, in the order they came: the grid's order */
  GPtrArray *leaving; /* Input being unlinked */
  guint counter;
  gint done; /* atomic: the muxer's EOS reached the file */
  gboolean stopped;
};

G_DEFINE_TYPE (TtoCallRecorder, tto_call_recorder, G_TYPE_OBJECT)

/* ---------------------------------------------------------------- inputs */

static Input *
input_ref (Input *input)
{
  return g_atomic_rc_box_acquire (input);
}

static void
input_clear (Input *input)
{
  g_mutex_clear (&input->lock);
  g_main_context_unref (input->context);
  g_clear_object (&input->tee);
  g_clear_object (&input->tee_pad);
  g_clear_object (&input->outer_bin);
  g_clear_object (&input->outer_ghost);
  g_clear_object (&input->bin);
  g_clear_object (&input->ghost_sink);
  for (guint i = 0; i < input->n_branch; i++)
    g_clear_object (&input->branch[i]);
  g_clear_object (&input->mixer);
  g_clear_object (&input->mixer_pad);
}

static void
input_unref (gpointer data)
{
  g_atomic_rc_box_release_full (data, (GDestroyNotify) input_clear);
}

static gboolean
input_has_data (Input *input)
{
  g_autoptr (GstPad) sink = gst_element_get_static_pad (input->branch[0], "sink");
  g_autoptr (GstEvent) start = gst_pad_get_sticky_event (sink, GST_EVENT_STREAM_START, 0);

  return start != NULL;
}

/* input->lock held. */
static void
input_unlink_locked (Input *input)
{
  GstPad *source = input->outer_ghost != NULL ? input->outer_ghost : input->tee_pad;

  if (input->unlinked)
    return;
  input->unlinked = TRUE;
  gst_pad_unlink (source, input->ghost_sink);
  /* What is queued still reaches the file, then the mixer takes this input
   * as finished. A branch that never saw a stream has nothing to end (and
   * an EOS before stream-start is an error): its mixer pad is released. */
  if (input->stopping && input_has_data (input))
    {
      gst_pad_send_event (input->ghost_sink, gst_event_new_eos ());
      input->eos_sent = TRUE;
    }
}

/* Main context: takes the branch out of the recorder and gives the tee its
 * pad back. Once per input. */
static void
input_finish (Input *input,
              gboolean release_mixer_pad)
{
  g_mutex_lock (&input->lock);
  if (input->finished)
    {
      g_mutex_unlock (&input->lock);
      return;
    }
  input->finished = TRUE;
  input_unlink_locked (input);
  g_mutex_unlock (&input->lock);

  for (guint i = 0; i < input->n_branch; i++)
    gst_element_set_state (input->branch[i], GST_STATE_NULL);
  if (release_mixer_pad && input->mixer_pad != NULL)
    {
      /* Nothing pushes into it any more: end it and let it go. */
      gst_pad_send_event (input->mixer_pad, gst_event_new_eos ());
      gst_element_release_request_pad (input->mixer, input->mixer_pad);
    }
  for (guint i = 0; i < input->n_branch; i++)
    if (GST_OBJECT_PARENT (input->branch[i]) == GST_OBJECT (input->bin))
      gst_bin_remove (input->bin, input->branch[i]);

  gst_pad_set_active (input->ghost_sink, FALSE);
  if (GST_OBJECT_PARENT (input->ghost_sink) == GST_OBJECT (input->bin))
    gst_element_remove_pad (GST_ELEMENT (input->bin), input->ghost_sink);
  if (input->outer_ghost != NULL)
    {
      gst_pad_set_active (input->outer_ghost, FALSE);
      if (GST_OBJECT_PARENT (input->outer_ghost) == GST_OBJECT (input->outer_bin))
        gst_element_remove_pad (input->outer_bin, input->outer_ghost);
    }
  if (GST_OBJECT_PARENT (input->tee_pad) == GST_OBJECT (input->tee))
    gst_element_release_request_pad (input->tee, input->tee_pad);

  /* A peer's bin is large: not kept for as long as the recording runs. */
  g_mutex_lock (&input->lock);
  g_clear_object (&input->outer_ghost);
  g_clear_object (&input->outer_bin);
  g_clear_object (&input->tee_pad);
  g_clear_object (&input->tee);
  g_mutex_unlock (&input->lock);
}

static gboolean
on_input_finish_idle (gpointer user_data)
{
  Input *input = user_data;

  input_finish (input, TRUE);
  if (input->recorder != NULL)
    g_ptr_array_remove (input->recorder->leaving, input);

  return G_SOURCE_REMOVE;
}

/* Streaming thread, or ours when the pad is idle already: nothing flows
 * from the tee into the branch now, so it can be unlinked without the tee
 * ever pushing into a pad that is going away. */
static GstPadProbeReturn
on_tee_pad_idle (GstPad *pad,
                 GstPadProbeInfo *info,
                 gpointer user_data)
{
  Input *input = user_data;
  gboolean leaving;

  g_mutex_lock (&input->lock);
  input_unlink_locked (input);
  leaving = !input->stopping && !input->finished;
  g_mutex_unlock (&input->lock);

  if (leaving)
    {
      g_autoptr (GSource) source = g_idle_source_new ();

      g_source_set_callback (source, on_input_finish_idle, input_ref (input), input_unref);
      g_source_attach (source, input->context);
    }

  return GST_PAD_PROBE_REMOVE;
}

/* Streaming thread of the tee's source. A queue hands back what its
 * downstream returned, leaky or not: a mixer that flushes a pad, ends, or
 * fails (the disk is full) would otherwise stop the tee, and with it the
 * source: the own capture, or a peer's whole transport, audio and video
 * (basesrc pauses on anything but OK). The call never hears of the
 * recording's trouble; the bus does. */
static GstFlowReturn
on_input_chain (GstPad *pad,
                GstObject *parent,
                GstBuffer *buffer)
{
  GstFlowReturn ret = gst_proxy_pad_chain_default (pad, parent, buffer);

  if (ret != GST_FLOW_OK)
    GST_DEBUG_OBJECT (pad, "the recording returned %s, not passed on", gst_flow_get_name (ret));

  return GST_FLOW_OK;
}

static GstFlowReturn
on_input_chain_list (GstPad *pad,
                     GstObject *parent,
                     GstBufferList *list)
{
  GstFlowReturn ret = gst_proxy_pad_chain_list_default (pad, parent, list);

  if (ret != GST_FLOW_OK)
    GST_DEBUG_OBJECT (pad, "the recording returned %s, not passed on", gst_flow_get_name (ret));

  return GST_FLOW_OK;
}

static void
input_unlink_when_idle (Input *input)
{
  gst_pad_add_probe (input->tee_pad, GST_PAD_PROBE_TYPE_IDLE, on_tee_pad_idle,
                     input_ref (input), input_unref);
}

/* ---------------------------------------------------------------- layout */

/* Everyone's picture in a grid of equal cells, filled row by row, the last
 * row centred: 1 full, 2 side by side, 3–4 in 2×2, 5–6 in 3×2. */
static void
relayout (TtoCallRecorder *self)
{
  guint n = 0;
  guint columns;
  guint rows;
  guint cell_width;
  guint cell_height;
  guint index = 0;

  if (self->video_mixer == NULL)
    return;
  for (guint i = 0; i < self->inputs->len; i++)
    if (((Input *) g_ptr_array_index (self->inputs, i))->media == TTO_CALL_MEDIA_VIDEO)
      n++;
  if (n == 0)
    return;

  columns = 1;
  while (columns * columns < n)
    columns++;
  rows = (n + columns - 1) / columns;
  cell_width = self->width / columns;
  cell_height = self->height / rows;

  for (guint i = 0; i < self->inputs->len; i++)
    {
      Input *input = g_ptr_array_index (self->inputs, i);
      guint row = index / columns;
      guint column = index % columns;
      guint in_row = MIN (columns, n - row * columns);
      guint offset = (columns - in_row) * cell_width / 2;

      if (input->media != TTO_CALL_MEDIA_VIDEO)
        continue;
      g_object_set (input->mixer_pad,
                    "xpos", (int) (offset + column * cell_width),
                    "ypos", (int) (row * cell_height),
                    "width", (int) cell_width,
                    "height", (int) cell_height,
                    NULL);
      index++;
    }
}

/* ------------------------------------------------------------ public API */

static GstElement *
add_element (GstBin *bin,
             const char *factory,
             GError **error)
{
  GstElement *element;

  if (*error != NULL)
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

static gboolean
link_chain (GstElement **elements,
            guint n,
            GError **error)
{
  if (*error != NULL)
    return FALSE;
  for (guint i = 0; i + 1 < n; i++)
    if (!gst_element_link (elements[i], elements[i + 1]))
      {
        g_set_error (error, TTO_CALL_ERROR, TTO_CALL_ERROR_FAILED,
                     "the recording could not link %s to %s", GST_OBJECT_NAME (elements[i]),
                     GST_OBJECT_NAME (elements[i + 1]));
        return FALSE;
      }

  return TRUE;
}

static void
setup_mixer (GstElement *mixer)
{
  /* Output starts with the first input, not at the pipeline's time zero
   * (the recording starts mid-call); inputs that never sent anything are
   * not waited for. */
  g_object_set (mixer,
                "latency", (guint64) MIXER_LATENCY,
                "min-upstream-latency", (guint64) UPSTREAM_LATENCY,
                "start-time-selection", 1 /* first */,
                "ignore-inactive-pads", TRUE,
                NULL);
}

static GstPadProbeReturn
on_file_eos (GstPad *pad,
             GstPadProbeInfo *info,
             gpointer user_data)
{
  TtoCallRecorder *self = user_data;

  /* The muxer wrote its index before it sent this: the file is whole once
   * the sink has handled it (the state change to NULL waits for that). */
  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS)
    g_atomic_int_set (&self->done, TRUE);

  return GST_PAD_PROBE_OK;
}

static gboolean
build (TtoCallRecorder *self,
       const char *path,
       guint framerate,
       GError **error)
{
  GstElement *audio[6];
  GstElement *mux;
  GstElement *file;
  g_autoptr (GstCaps) audio_caps = NULL;
  g_autoptr (GstPad) file_sink = NULL;

  audio[0] = self->audio_mixer = add_element (self->bin, "audiomixer", error);
  audio[1] = add_element (self->bin, "capsfilter", error);
  audio[2] = add_element (self->bin, "audioconvert", error);
  audio[3] = add_element (self->bin, "opusenc", error);
  audio[4] = add_element (self->bin, "queue", error);
  audio[5] = mux = add_element (self->bin, "webmmux", error);
  file = add_element (self->bin, "filesink", error);
  if (*error != NULL)
    return FALSE;

  setup_mixer (self->audio_mixer);
  audio_caps = gst_caps_new_simple ("audio/x-raw",
                                    "format", G_TYPE_STRING, "S16LE",
                                    "rate", G_TYPE_INT, 48000,
                                    "channels", G_TYPE_INT, 2,
                                    NULL);
  g_object_set (audio[1], "caps", audio_caps, NULL);
  g_object_set (audio[3], "bitrate", AUDIO_KBPS * 1000, NULL);
  g_object_set (audio[4], "max-size-time", (guint64) 2 * GST_SECOND, "max-size-buffers", 0,
                "max-size-bytes", 0, NULL);
  /* Not streamable: on EOS the muxer goes back to write the duration and
   * the index, so the file can be seeked. Timestamps start at zero. */
  g_object_set (mux, "streamable", FALSE, "offset-to-zero", TRUE,
                "writing-app", "ThreeTwoOne", NULL);
  g_object_set (file, "location", path, "sync", FALSE, "async", FALSE, NULL);
  if (!link_chain (audio, G_N_ELEMENTS (audio), error) || !gst_element_link (mux, file))
    {
      if (*error == NULL)
        g_set_error_literal (error, TTO_CALL_ERROR, TTO_CALL_ERROR_FAILED,
                             "the recording could not reach its file");
      return FALSE;
    }

  if (self->video_mixer != NULL)
    {
      GstElement *video[6];
      g_autoptr (GstCaps) video_caps = NULL;

      video[0] = self->video_mixer;
      video[1] = add_element (self->bin, "capsfilter", error);
      video[2] = add_element (self->bin, "queue", error);
      video[3] = add_element (self->bin, "vp8enc", error);
      video[4] = add_element (self->bin, "queue", error);
      video[5] = mux;
      if (*error != NULL)
        return FALSE;

      setup_mixer (self->video_mixer);
      g_object_set (self->video_mixer, "background", 1 /* black */, NULL);
      video_caps = gst_caps_new_simple ("video/x-raw",
                                        "format", G_TYPE_STRING, "I420",
                                        "width", G_TYPE_INT, self->width,
                                        "height", G_TYPE_INT, self->height,
                                        "framerate", GST_TYPE_FRACTION, framerate, 1,
                                        "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                                        NULL);
      g_object_set (video[1], "caps", video_caps, NULL);
      /* A slow encoder drops frames rather than holding up the mixer. */
      g_object_set (video[2], "max-size-time", (guint64) GST_SECOND, "max-size-buffers", 0,
                    "max-size-bytes", 0, "leaky", 2 /* downstream */, NULL);
      /* Real time, no look-ahead; a key frame every 2 s so the file seeks.
       * One thread: libvpx's second VP8 thread spins while it waits
       * (measured here at 1280x720@24: 1.3 s of CPU per 10 s with one
       * thread, 4.6 s with two). */
      g_object_set (video[3],
                    "deadline", (gint64) 1,
                    "cpu-used", 8,
                    "threads", 1,
                    "lag-in-frames", 0,
                    "keyframe-max-dist", (int) framerate * 2,
                    "target-bitrate", VIDEO_KBPS * 1000,
                    NULL);
      g_object_set (video[4], "max-size-time", (guint64) 2 * GST_SECOND, "max-size-buffers", 0,
                    "max-size-bytes", 0, NULL);
      if (!link_chain (video, G_N_ELEMENTS (video), error))
        return FALSE;
    }

  file_sink = gst_element_get_static_pad (file, "sink");
  gst_pad_add_probe (file_sink, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_file_eos, self, NULL);

  return TRUE;
}

/* Starts recording into path (overwritten) and puts the recorder into the
 * running pipeline; inputs follow with tto_call_recorder_add_input (). */
TtoCallRecorder *
tto_call_recorder_new (GstBin *pipeline,
                       const char *path,
                       gboolean with_video,
                       guint width,
                       guint height,
                       guint framerate,
                       GError **error)
{
  g_autoptr (TtoCallRecorder) self = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (GST_IS_BIN (pipeline), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (TTO_TYPE_CALL_RECORDER, NULL);
  self->pipeline = gst_object_ref (pipeline);
  self->bin = GST_BIN (gst_object_ref_sink (gst_bin_new (NULL)));
  self->width = width & ~1u;
  self->height = height & ~1u;
  if (with_video)
    {
      self->video_mixer = gst_element_factory_make ("compositor", NULL);
      if (self->video_mixer == NULL)
        {
          self->stopped = TRUE;
          g_set_error_literal (error, TTO_CALL_ERROR, TTO_CALL_ERROR_MISSING_ELEMENT,
                               "GStreamer element compositor is missing");
          return NULL;
        }
      gst_bin_add (self->bin, self->video_mixer);
    }
  if (!build (self, path, framerate, &local_error))
    {
      self->stopped = TRUE;
      g_propagate_error (error, local_error);
      return NULL;
    }

  gst_bin_add (pipeline, GST_ELEMENT (self->bin));
  if (!gst_element_sync_state_with_parent (GST_ELEMENT (self->bin)))
    {
      gst_element_set_state (GST_ELEMENT (self->bin), GST_STATE_NULL);
      gst_bin_remove (pipeline, GST_ELEMENT (self->bin));
      self->stopped = TRUE;
      g_set_error (error, TTO_CALL_ERROR, TTO_CALL_ERROR_FAILED,
                   "the recording file could not be opened");
      return NULL;
    }

  return g_steal_pointer (&self);
}

/* Mixes what comes out of tee (raw audio or video, in the pipeline or in a
 * bin directly inside it) into the recording, until the owner's inputs are
 * removed or the recording stops. */
gboolean
tto_call_recorder_add_input (TtoCallRecorder *self,
                             gconstpointer owner,
                             TtoCallMedia media,
                             GstElement *tee)
{
  GstObject *parent;
  Input *input;
  GError *error = NULL;
  g_autoptr (GstPad) branch_sink = NULL;
  g_autoptr (GstPad) branch_src = NULL;
  g_autofree char *name = NULL;
  GstPad *source;

  g_return_val_if_fail (TTO_IS_CALL_RECORDER (self), FALSE);
  g_return_val_if_fail (GST_IS_ELEMENT (tee), FALSE);

  if (self->stopped)
    return FALSE;
  if (media == TTO_CALL_MEDIA_VIDEO && self->video_mixer == NULL)
    return FALSE;
  parent = GST_OBJECT_PARENT (tee);
  if (parent == NULL || (parent != GST_OBJECT (self->pipeline)
                         && GST_OBJECT_PARENT (parent) != GST_OBJECT (self->pipeline)))
    {
      g_warning ("a recording input from outside the call");
      return FALSE;
    }

  input = g_atomic_rc_box_new0 (Input);
  g_mutex_init (&input->lock);
  input->context = g_main_context_ref (self->context);
  input->recorder = self;
  input->owner = owner;
  input->media = media;
  input->tee = gst_object_ref (tee);
  input->bin = gst_object_ref (self->bin);
  input->mixer = gst_object_ref (media == TTO_CALL_MEDIA_AUDIO ? self->audio_mixer
                                                              : self->video_mixer);
  for (guint i = 0; i < (media == TTO_CALL_MEDIA_AUDIO ? 3 : 1); i++)
    {
      static const char *const factories[] = { "queue", "audioconvert", "audioresample" };
      GstElement *element = add_element (self->bin, factories[i], &error);

      if (element != NULL)
        input->branch[input->n_branch++] = gst_object_ref (element);
    }
  if (error == NULL)
    {
      g_object_set (input->branch[0], "max-size-time", (guint64) INPUT_QUEUE_TIME,
                    "max-size-buffers", 0, "max-size-bytes", 0, "leaky", 2 /* downstream */,
                    NULL);
      link_chain (input->branch, input->n_branch, &error);
    }
  if (error != NULL)
    {
      g_message ("%s", error->message);
      g_error_free (error);
      for (guint i = 0; i < input->n_branch; i++)
        gst_bin_remove (self->bin, input->branch[i]);
      input_unref (input);
      return FALSE;
    }

  input->mixer_pad = gst_element_request_pad_simple (input->mixer, "sink_%u");
  if (media == TTO_CALL_MEDIA_VIDEO)
    g_object_set (input->mixer_pad, "sizing-policy", 1 /* keep-aspect-ratio */, NULL);
  branch_src = gst_element_get_static_pad (input->branch[input->n_branch - 1], "src");
  gst_pad_link (branch_src, input->mixer_pad);
  for (guint i = input->n_branch; i > 0; i--)
    gst_element_sync_state_with_parent (input->branch[i - 1]);

  name = g_strdup_printf ("record_%u", self->counter++);
  branch_sink = gst_element_get_static_pad (input->branch[0], "sink");
  input->ghost_sink = gst_object_ref (gst_ghost_pad_new (name, branch_sink));
  gst_pad_set_chain_function (input->ghost_sink, on_input_chain);
  gst_pad_set_chain_list_function (input->ghost_sink, on_input_chain_list);
  gst_pad_set_active (input->ghost_sink, TRUE);
  gst_element_add_pad (GST_ELEMENT (self->bin), input->ghost_sink);

  input->tee_pad = gst_element_request_pad_simple (tee, "src_%u");
  source = input->tee_pad;
  if (parent != GST_OBJECT (self->pipeline))
    {
      input->outer_bin = GST_ELEMENT (gst_object_ref (parent));
      input->outer_ghost = gst_object_ref (gst_ghost_pad_new (name, input->tee_pad));
      gst_pad_set_active (input->outer_ghost, TRUE);
      gst_element_add_pad (input->outer_bin, input->outer_ghost);
      source = input->outer_ghost;
    }

  g_ptr_array_add (self->inputs, input);
  relayout (self);
  if (gst_pad_link (source, input->ghost_sink) != GST_PAD_LINK_OK)
    {
      g_message ("a recording input could not be linked");
      g_ptr_array_remove (self->inputs, input);
      input->unlinked = TRUE;
      input_finish (input, TRUE);
      input_unref (input);
      relayout (self);
      return FALSE;
    }

  return TRUE;
}

/* Takes out the inputs of owner (someone left), without stopping. */
void
tto_call_recorder_remove_inputs (TtoCallRecorder *self,
                                 gconstpointer owner)
{
  g_return_if_fail (TTO_IS_CALL_RECORDER (self));

  if (self->stopped)
    return;
  for (guint i = self->inputs->len; i > 0; i--)
    {
      Input *input = g_ptr_array_index (self->inputs, i - 1);

      if (input->owner != owner)
        continue;
      g_ptr_array_add (self->leaving, input_ref (input));
      input_unlink_when_idle (input);
      g_ptr_array_remove_index (self->inputs, i - 1);
    }
  relayout (self);
}

guint
tto_call_recorder_get_n_inputs (TtoCallRecorder *self,
                                TtoCallMedia media)
{
  guint n = 0;

  g_return_val_if_fail (TTO_IS_CALL_RECORDER (self), 0);

  for (guint i = 0; i < self->inputs->len; i++)
    if (((Input *) g_ptr_array_index (self->inputs, i))->media == media)
      n++;

  return n;
}

static gboolean
all_unlinked (TtoCallRecorder *self)
{
  for (guint i = 0; i < self->inputs->len; i++)
    {
      Input *input = g_ptr_array_index (self->inputs, i);
      gboolean unlinked;

      g_mutex_lock (&input->lock);
      unlinked = input->unlinked;
      g_mutex_unlock (&input->lock);
      if (!unlinked)
        return FALSE;
    }

  return TRUE;
}

/* Ends every input, waits (at most timeout_ms, blocking) for the muxer to
 * write the duration and index, and takes the recorder out of the
 * pipeline. FALSE if the file could not be finished in time. With 0, the
 * recording is dropped at once (the call's pipeline is stopping). */
gboolean
tto_call_recorder_stop (TtoCallRecorder *self,
                        guint timeout_ms)
{
  gint64 deadline;
  gboolean done;

  g_return_val_if_fail (TTO_IS_CALL_RECORDER (self), FALSE);

  if (self->stopped)
    return g_atomic_int_get (&self->done);
  self->stopped = TRUE;
  deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  /* Someone who just left: done with now, so the mixers do not wait for
   * their end. */
  for (guint i = 0; i < self->leaving->len; i++)
    {
      Input *input = g_ptr_array_index (self->leaving, i);

      input->recorder = NULL;
      input_finish (input, TRUE);
    }
  g_ptr_array_set_size (self->leaving, 0);

  if (timeout_ms > 0)
    {
      for (guint i = 0; i < self->inputs->len; i++)
        {
          Input *input = g_ptr_array_index (self->inputs, i);

          g_mutex_lock (&input->lock);
          input->stopping = TRUE;
          g_mutex_unlock (&input->lock);
          input_unlink_when_idle (input);
        }
      while (!all_unlinked (self) && g_get_monotonic_time () < deadline)
        g_usleep (2 * 1000);
      /* Branches that never carried a stream got no EOS: without them the
       * mixers finish with the others. */
      for (guint i = 0; i < self->inputs->len; i++)
        {
          Input *input = g_ptr_array_index (self->inputs, i);
          gboolean eos_sent;

          g_mutex_lock (&input->lock);
          eos_sent = input->eos_sent;
          g_mutex_unlock (&input->lock);
          if (!eos_sent)
            input_finish (input, TRUE);
        }

      while (!g_atomic_int_get (&self->done) && g_get_monotonic_time () < deadline)
        g_usleep (5 * 1000);
      if (!g_atomic_int_get (&self->done))
        g_message ("the recording did not finish in time; the file may lack its index");
    }
  done = g_atomic_int_get (&self->done);

  gst_element_set_state (GST_ELEMENT (self->bin), GST_STATE_NULL);
  for (guint i = 0; i < self->inputs->len; i++)
    input_finish (g_ptr_array_index (self->inputs, i), FALSE);
  g_ptr_array_set_size (self->inputs, 0);
  if (GST_OBJECT_PARENT (self->bin) == GST_OBJECT (self->pipeline))
    gst_bin_remove (self->pipeline, GST_ELEMENT (self->bin));

  return done;
}

/* Whether a bus message's source is part of this recording. */
gboolean
tto_call_recorder_owns (TtoCallRecorder *self,
                        GstObject *object)
{
  g_return_val_if_fail (TTO_IS_CALL_RECORDER (self), FALSE);

  return object != NULL && self->bin != NULL
         && gst_object_has_as_ancestor (object, GST_OBJECT (self->bin));
}

/* --------------------------------------------------------------- GObject */

static void
tto_call_recorder_dispose (GObject *object)
{
  TtoCallRecorder *self = TTO_CALL_RECORDER (object);

  if (self->bin != NULL && !self->stopped)
    tto_call_recorder_stop (self, 0);

  G_OBJECT_CLASS (tto_call_recorder_parent_class)->dispose (object);
}

static void
tto_call_recorder_finalize (GObject *object)
{
  TtoCallRecorder *self = TTO_CALL_RECORDER (object);

  for (guint i = 0; i < self->leaving->len; i++)
    ((Input *) g_ptr_array_index (self->leaving, i))->recorder = NULL;
  g_ptr_array_unref (self->inputs);
  g_ptr_array_unref (self->leaving);
  g_clear_object (&self->bin);
  g_clear_object (&self->pipeline);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (tto_call_recorder_parent_class)->finalize (object);
}

static void
tto_call_recorder_class_init (TtoCallRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tto_call_recorder_dispose;
  object_class->finalize = tto_call_recorder_finalize;
}

static void
tto_call_recorder_init (TtoCallRecorder *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->inputs = g_ptr_array_new_with_free_func (input_unref);
  self->leaving = g_ptr_array_new_with_free_func (input_unref);
}
