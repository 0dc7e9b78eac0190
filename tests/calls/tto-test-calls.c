/* tto-test-calls.c: real WebRTC calls between call engines in this process,
 * signalled through a real relay: 1:1, a 3-party mesh with a rejoin, TURN
 * through Debian's coturn, the mixed local recording (read back from the
 * file), loss-based bitrate adaptation, helpers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Media stays on 127.0.0.1 (engines in loopback-only mode), with test
 * sources at 320x180@15 and fakesinks for audio.
 */
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sys/resource.h>

#include <gst/app/app.h>
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>
#include <gst/video/video.h>

#include "tto-call-util.h"
#include "tto-calls-test-util.h"

typedef struct
{
  guint64 audio;
  guint64 video;
} Counts;

static Counts
counts_of (TtoCallPeer *peer)
{
  Counts counts = { 0, 0 };

  g_assert_nonnull (peer);
  counts.audio = tto_call_peer_get_audio_buffers (peer);
  counts.video = tto_call_peer_get_video_frames (peer);

  return counts;
}

static void
assert_only_loopback_candidates (TtoCallEngine *engine,
                                 const char *required_type)
{
  GPtrArray *candidates = tto_call_engine_get_local_candidates (engine);
  gboolean seen_type = required_type == NULL;

  g_assert_cmpuint (candidates->len, >, 0);
  for (guint i = 0; i < candidates->len; i++)
    {
      const char *candidate = g_ptr_array_index (candidates, i);
      g_autofree char *address = tto_call_candidate_get_address (candidate);
      g_autofree char *typ = required_type != NULL ? g_strdup_printf (" typ %s", required_type)
                                                   : NULL;

      if (g_strcmp0 (address, "127.0.0.1") != 0)
        g_error ("a gathered candidate names another address: %s", candidate);
      if (typ != NULL && strstr (candidate, typ) != NULL)
        seen_type = TRUE;
    }
  g_assert_true (seen_type);
}

static void
on_video_frame (TtoCallPeer *peer,
                GdkTexture *texture,
                gpointer user_data)
{
  guint *textures = user_data;

  g_assert_cmpint (gdk_texture_get_width (texture), ==, 320);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 180);
  (*textures)++;
}

/* Both sides of the pair are in the call (hung-up sides have no engine). */
static gboolean
in_call (TtoCallsRoom *room,
         guint i,
         guint j)
{
  return room->sides[i].engine != NULL && room->sides[j].engine != NULL;
}

/* Media decoded on both sides of every pair grows by at least this much
 * over `ms` (15 fps video, 20 ms Opus frames). */
static void
assert_media_grows (TtoCallsRoom *room,
                    guint ms)
{
  Counts before[TTO_CALLS_MAX_SIDES][TTO_CALLS_MAX_SIDES];
  guint min_video = ms * 15 / 1000 / 3;
  guint min_audio = ms * 50 / 1000 / 3;

  for (guint i = 0; i < room->n; i++)
    for (guint j = 0; j < room->n; j++)
      if (i != j && in_call (room, i, j))
        before[i][j] = counts_of (tto_calls_room_peer (room, i, j));

  tto_calls_room_run (room, ms);

  for (guint i = 0; i < room->n; i++)
    for (guint j = 0; j < room->n; j++)
      {
        Counts after;

        if (i == j || !in_call (room, i, j))
          continue;
        after = counts_of (tto_calls_room_peer (room, i, j));
        g_test_message ("%u from %u: +%" G_GUINT64_FORMAT " video frames, +%" G_GUINT64_FORMAT
                        " audio buffers", i, j, after.video - before[i][j].video,
                        after.audio - before[i][j].audio);
        g_assert_cmpuint (after.video - before[i][j].video, >=, min_video);
        g_assert_cmpuint (after.audio - before[i][j].audio, >=, min_audio);
      }
}

static gboolean
peers_gone_from_0 (TtoCallsRoom *room)
{
  return g_list_model_get_n_items (tto_call_engine_get_peers (room->sides[0].engine)) == 0;
}

static void
wait_finalized (gpointer *pointers,
                guint n)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  for (;;)
    {
      gboolean all = TRUE;

      for (guint i = 0; i < n; i++)
        if (pointers[i] != NULL)
          all = FALSE;
      if (all)
        return;
      if (g_get_monotonic_time () > deadline)
        break;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  for (guint i = 0; i < n; i++)
    if (pointers[i] != NULL)
      g_error ("object %u (%s) was not finalized", i, G_OBJECT_TYPE_NAME (pointers[i]));
}

/* Two engines, a real relay: invite, ring, accept, offer/answer/ICE through
 * the relay; media both ways; camera off keeps the stream; local recording;
 * hang-up stops and frees everything. */
static void
test_one_to_one (void)
{
  TtoCallsRoom room;
  g_autoptr (TtoFrame) ring = NULL;
  gint64 started;
  guint textures = 0;
  gpointer objects[6] = { NULL };
  GstElement *pipelines[2];
  GstState state;

  if (!tto_calls_room_open (&room, 2, NULL))
    return;

  started = g_get_monotonic_time ();
  tto_calls_room_invite (&room, 0);
  ring = tto_test_client_wait_push (room.sides[1].client, TTO_FRAME_CALL_RING, 5000);
  g_assert_nonnull (ring);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (ring->body,
                                                                                 "call"),
                                                  "call_id"), ==, room.call_id);
  tto_calls_room_accept (&room, 1);

  g_assert_true (tto_calls_room_run_until (&room, tto_calls_room_all_media_flowing, 15000));
  g_test_message ("invite to media both ways: %.0f ms",
                  (g_get_monotonic_time () - started) / 1000.0);

  /* The later joiner offered. */
  g_assert_true (tto_call_peer_get_offerer (tto_calls_room_peer (&room, 1, 0)));
  g_assert_false (tto_call_peer_get_offerer (tto_calls_room_peer (&room, 0, 1)));
  g_assert_cmpint (tto_call_peer_get_state (tto_calls_room_peer (&room, 0, 1)), ==,
                   TTO_CALL_PEER_STATE_CONNECTED);

  g_signal_connect (tto_calls_room_peer (&room, 0, 1), "video-frame",
                    G_CALLBACK (on_video_frame), &textures);
  assert_media_grows (&room, 3000);
  g_assert_cmpuint (textures, >, 5);
  g_assert_nonnull (tto_call_peer_get_last_frame (tto_calls_room_peer (&room, 1, 0)));

  assert_only_loopback_candidates (room.sides[0].engine, "host");
  assert_only_loopback_candidates (room.sides[1].engine, "host");

  /* Camera off, muted: black and silence keep flowing. */
  tto_call_engine_set_camera_enabled (room.sides[0].engine, FALSE);
  tto_call_engine_set_muted (room.sides[0].engine, TRUE);
  assert_media_grows (&room, 1500);
  tto_call_engine_set_camera_enabled (room.sides[0].engine, TRUE);
  tto_call_engine_set_muted (room.sides[0].engine, FALSE);

  /* Switching the camera mid-call: the other side keeps decoding, from the
   * new source; a source that cannot give video is refused. */
  {
    g_autoptr (GError) error = NULL;
    guint64 before = tto_call_peer_get_video_frames (tto_calls_room_peer (&room, 1, 0));

    g_assert_true (tto_call_engine_switch_video_source (
      room.sides[0].engine, "videotestsrc is-live=true pattern=snow", &error));
    g_assert_no_error (error);
    tto_calls_room_run (&room, 1500);
    g_assert_cmpuint (tto_call_peer_get_video_frames (tto_calls_room_peer (&room, 1, 0)), >,
                      before + 10);
    g_assert_false (tto_call_engine_switch_video_source (room.sides[0].engine,
                                                         "no-such-element-here", &error));
    g_assert_nonnull (error);
  }

  /* Hang up: pipelines to NULL, engines and peers finalized. */
  for (guint i = 0; i < 2; i++)
    {
      pipelines[i] = gst_object_ref (tto_call_engine_get_pipeline (room.sides[i].engine));
      objects[i] = room.sides[i].engine;
      objects[2 + i] = tto_calls_room_peer (&room, i, 1 - i);
      objects[4 + i] = pipelines[i];
      for (guint k = 0; k < 2; k++)
        g_object_add_weak_pointer (objects[2 * k + i], &objects[2 * k + i]);
      g_object_add_weak_pointer (objects[4 + i], &objects[4 + i]);
    }

  tto_calls_room_hangup (&room, 1);
  g_assert_true (tto_calls_room_run_until (&room, peers_gone_from_0, 5000));
  g_assert_cmpint (tto_call_engine_get_state (room.sides[0].engine), ==,
                   TTO_CALL_ENGINE_STATE_RUNNING);
  tto_calls_room_hangup (&room, 0);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpint (gst_element_get_state (pipelines[i], &state, NULL, 0), ==,
                       GST_STATE_CHANGE_SUCCESS);
      g_assert_cmpint (state, ==, GST_STATE_NULL);
      gst_object_unref (pipelines[i]);
    }
  wait_finalized (objects, G_N_ELEMENTS (objects));

  tto_calls_room_close (&room);
}

/* ------------------------------------------------------------ recording */

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec
         + usage.ru_stime.tv_usec / 1e6;
}

static char *
recording_path (const char *name)
{
  g_assert_true (g_mkdir_with_parents (g_get_user_data_dir (), 0700) == 0);

  return g_build_filename (g_get_user_data_dir (), name, NULL);
}

/* What GStreamer's discoverer finds in the file: one Opus and one VP8
 * stream (none when audio_only), a duration, and the picture's size. */
static GstClockTime
assert_recording_valid (const char *path,
                        gboolean audio_only)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstDiscoverer) discoverer = gst_discoverer_new (5 * GST_SECOND, &error);
  g_autofree char *uri = gst_filename_to_uri (path, NULL);
  g_autoptr (GstDiscovererInfo) info = NULL;
  GList *audio;
  GList *video;
  g_autoptr (GstCaps) audio_caps = NULL;
  GStatBuf buf;
  GstClockTime duration;

  g_assert_no_error (error);
  info = gst_discoverer_discover_uri (discoverer, uri, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gst_discoverer_info_get_result (info), ==, GST_DISCOVERER_OK);
  /* The muxer went back to write the duration and the index. */
  g_assert_true (gst_discoverer_info_get_seekable (info));
  duration = gst_discoverer_info_get_duration (info);
  g_assert_cmpuint (duration, !=, GST_CLOCK_TIME_NONE);

  audio = gst_discoverer_info_get_audio_streams (info);
  video = gst_discoverer_info_get_video_streams (info);
  g_assert_cmpuint (g_list_length (audio), ==, 1);
  audio_caps = gst_discoverer_stream_info_get_caps (audio->data);
  g_assert_cmpstr (gst_structure_get_name (gst_caps_get_structure (audio_caps, 0)), ==,
                   "audio/x-opus");
  if (audio_only)
    g_assert_cmpuint (g_list_length (video), ==, 0);
  else
    {
      g_autoptr (GstCaps) video_caps = NULL;

      g_assert_cmpuint (g_list_length (video), ==, 1);
      video_caps = gst_discoverer_stream_info_get_caps (video->data);
      g_assert_cmpstr (gst_structure_get_name (gst_caps_get_structure (video_caps, 0)), ==,
                       "video/x-vp8");
      g_assert_cmpuint (gst_discoverer_video_info_get_width (video->data), ==, 1280);
      g_assert_cmpuint (gst_discoverer_video_info_get_height (video->data), ==, 720);
    }
  gst_discoverer_stream_info_list_free (audio);
  gst_discoverer_stream_info_list_free (video);

  g_assert_cmpint (g_stat (path, &buf), ==, 0);
  g_test_message ("%s: %.2f s, %" G_GUINT64_FORMAT " bytes, %.0f kB/s", path,
                  duration / (double) GST_SECOND, (guint64) buf.st_size,
                  buf.st_size / 1000.0 / (duration / (double) GST_SECOND));

  return duration;
}

typedef struct
{
  double r;
  double g;
  double b;
} Colour;

/* Mean colours of the centres of the recording's left and right halves at
 * position, decoded from the file. */
static void
colours_at (const char *path,
            GstClockTime position,
            Colour *left,
            Colour *right)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *description = g_strdup_printf (
    "filesrc location=\"%s\" ! matroskademux name=demux demux.video_0 ! queue ! vp8dec ! "
    "videoconvert ! video/x-raw,format=RGB ! appsink name=sink sync=false", path);
  g_autoptr (GstElement) pipeline = gst_parse_launch (description, &error);
  g_autoptr (GstElement) sink = NULL;
  g_autoptr (GstSample) sample = NULL;
  GstVideoInfo info;
  GstVideoFrame frame;
  Colour *sides[2] = { left, right };

  g_assert_no_error (error);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PAUSED), !=,
                   GST_STATE_CHANGE_FAILURE);
  g_assert_cmpint (gst_element_get_state (pipeline, NULL, NULL, 5 * GST_SECOND), ==,
                   GST_STATE_CHANGE_SUCCESS);
  g_assert_true (gst_element_seek_simple (pipeline, GST_FORMAT_TIME,
                                          GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE,
                                          position));
  g_assert_cmpint (gst_element_get_state (pipeline, NULL, NULL, 5 * GST_SECOND), ==,
                   GST_STATE_CHANGE_SUCCESS);
  sample = gst_app_sink_pull_preroll (GST_APP_SINK (sink));
  g_assert_nonnull (sample);
  g_assert_true (gst_video_info_from_caps (&info, gst_sample_get_caps (sample)));
  g_assert_true (gst_video_frame_map (&frame, &info, gst_sample_get_buffer (sample), GST_MAP_READ));

  for (guint side = 0; side < 2; side++)
    {
      guint width = GST_VIDEO_INFO_WIDTH (&info);
      guint height = GST_VIDEO_INFO_HEIGHT (&info);
      guint x0 = side * width / 2 + width / 8;
      guint x1 = side * width / 2 + 3 * width / 8;
      double sum[3] = { 0, 0, 0 };
      guint n = 0;

      for (guint y = 3 * height / 8; y < 5 * height / 8; y++)
        {
          const guint8 *row = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0)
                              + y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0);

          for (guint x = x0; x < x1; x++, n++)
            for (guint c = 0; c < 3; c++)
              sum[c] += row[3 * x + c];
        }
      sides[side]->r = sum[0] / n;
      sides[side]->g = sum[1] / n;
      sides[side]->b = sum[2] / n;
    }
  gst_video_frame_unmap (&frame);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_test_message ("at %.2f s: left %.0f,%.0f,%.0f right %.0f,%.0f,%.0f",
                  position / (double) GST_SECOND, left->r, left->g, left->b, right->r, right->g,
                  right->b);
}

static void
assert_colour (const Colour *colour,
               const char *name)
{
  double want[3] = { 0, 0, 0 };
  double got[3] = { colour->r, colour->g, colour->b };

  want[g_str_equal (name, "red") ? 0 : g_str_equal (name, "green") ? 1 : 2] = 255;
  for (guint c = 0; c < 3; c++)
    if (ABS (got[c] - want[c]) > 60)
      g_error ("expected %s, got %.0f,%.0f,%.0f", name, got[0], got[1], got[2]);
}

static gboolean
recorder_has_three (TtoCallsRoom *room)
{
  return tto_calls_room_all_media_flowing (room)
         && tto_call_engine_get_recording_inputs (room->sides[0].engine, TRUE) == 3;
}

/* A records a 1:1 call: the file holds both people, A (red) on the left
 * and B (blue) on the right, with their voices mixed; the call goes on. */
static void
test_recording (void)
{
  TtoCallsRoom room;
  g_autofree char *path = recording_path ("mixed.webm");
  g_autoptr (GError) error = NULL;
  GstClockTime duration;
  Colour left, right;
  double cpu;
  double cpu_recording;
  gint64 wall;

  if (!tto_calls_room_open (&room, 2, NULL))
    return;
  room.patterns[0] = "red";
  room.patterns[1] = "blue";
  tto_calls_room_invite (&room, 0);
  tto_calls_room_accept (&room, 1);
  g_assert_true (tto_calls_room_run_until (&room, tto_calls_room_all_media_flowing, 15000));

  /* The call without and with the recording, for the CPU it costs. */
  cpu = cpu_seconds ();
  wall = g_get_monotonic_time ();
  tto_calls_room_run (&room, 1500);
  cpu = (cpu_seconds () - cpu) / ((g_get_monotonic_time () - wall) / 1e6);

  g_assert_true (tto_call_engine_start_recording (room.sides[0].engine, path, &error));
  g_assert_no_error (error);
  g_assert_true (tto_call_engine_get_recording (room.sides[0].engine));
  g_assert_false (tto_call_engine_start_recording (room.sides[0].engine, path, &error));
  g_assert_error (error, TTO_CALL_ERROR, TTO_CALL_ERROR_WRONG_STATE);
  g_assert_cmpuint (tto_call_engine_get_recording_inputs (room.sides[0].engine, TRUE), ==, 2);
  g_assert_cmpuint (tto_call_engine_get_recording_inputs (room.sides[0].engine, FALSE), ==, 2);

  cpu_recording = cpu_seconds ();
  wall = g_get_monotonic_time ();
  /* The call goes on meanwhile. */
  assert_media_grows (&room, 3000);
  cpu_recording = (cpu_recording - cpu_seconds ()) / -((g_get_monotonic_time () - wall) / 1e6);
  tto_call_engine_stop_recording (room.sides[0].engine);
  g_assert_false (tto_call_engine_get_recording (room.sides[0].engine));
  g_test_message ("process CPU: %.0f %% of a core without recording, %.0f %% while recording "
                  "(two engines, 320x180@15 calls, 1280x720@24 recording)",
                  cpu * 100, cpu_recording * 100);
  assert_media_grows (&room, 1000);

  duration = assert_recording_valid (path, FALSE);
  g_assert_cmpuint (duration, >=, 2 * GST_SECOND);
  colours_at (path, duration / 2, &left, &right);
  assert_colour (&left, "red");
  assert_colour (&right, "blue");

  for (guint i = 0; i < 2; i++)
    tto_calls_room_hangup (&room, i);
  tto_calls_room_close (&room);
}

/* A records while C joins and B leaves: the recording takes C in, lets B
 * go, and never stops; the file ends with A and C side by side. */
static void
test_recording_join_leave (void)
{
  TtoCallsRoom room;
  g_autofree char *path = recording_path ("join-leave.webm");
  g_autoptr (GError) error = NULL;
  GstClockTime duration;
  Colour left, right;

  if (!tto_calls_room_open (&room, 3, NULL))
    return;
  room.patterns[0] = "red";
  room.patterns[1] = "blue";
  room.patterns[2] = "green";
  tto_calls_room_invite (&room, 0);
  tto_calls_room_accept (&room, 1);
  g_assert_true (tto_calls_room_run_until (&room, tto_calls_room_all_media_flowing, 15000));

  g_assert_true (tto_call_engine_start_recording (room.sides[0].engine, path, &error));
  g_assert_no_error (error);
  tto_calls_room_run (&room, 1000);

  tto_calls_room_accept (&room, 2);
  g_assert_true (tto_calls_room_run_until (&room, recorder_has_three, 15000));
  g_assert_cmpuint (tto_call_engine_get_recording_inputs (room.sides[0].engine, FALSE), ==, 3);
  tto_calls_room_run (&room, 1000);

  tto_calls_room_hangup (&room, 1);
  g_assert_true (tto_calls_room_run_until (&room, tto_calls_room_all_media_flowing, 1000));
  tto_calls_room_run (&room, 300);
  g_assert_null (tto_calls_room_peer (&room, 0, 1));
  g_assert_true (tto_call_engine_get_recording (room.sides[0].engine));
  g_assert_cmpuint (tto_call_engine_get_recording_inputs (room.sides[0].engine, TRUE), ==, 2);
  g_assert_cmpuint (tto_call_engine_get_recording_inputs (room.sides[0].engine, FALSE), ==, 2);
  assert_media_grows (&room, 1500);

  tto_call_engine_stop_recording (room.sides[0].engine);
  duration = assert_recording_valid (path, FALSE);
  g_assert_cmpuint (duration, >=, 3 * GST_SECOND);
  /* After B left: A and C, side by side. */
  colours_at (path, duration - 500 * GST_MSECOND, &left, &right);
  assert_colour (&left, "red");
  assert_colour (&right, "green");

  tto_calls_room_hangup (&room, 0);
  tto_calls_room_hangup (&room, 2);
  tto_calls_room_close (&room);
}

/* The recording fails (the disk is full): the call's media never depends
 * on it, in either direction. */
static void
on_recording_failed (TtoCallEngine *engine,
                     const char *reason,
                     char **out)
{
  g_free (*out);
  *out = g_strdup (reason);
}

static void
on_recording_frame (TtoCallEngine *engine,
                    const char *type,
                    JsonObject *body,
                    gboolean *announced_stop)
{
  if (g_str_equal (type, TTO_FRAME_CALL_RECORDING)
      && !json_object_get_boolean_member (body, "recording"))
    *announced_stop = TRUE;
}

static gboolean
not_recording_0 (TtoCallsRoom *room)
{
  return !tto_call_engine_get_recording (room->sides[0].engine);
}

static void
test_recording_failure (void)
{
  TtoCallsRoom room;
  g_autoptr (GError) error = NULL;
  g_autofree char *reason = NULL;
  gboolean announced_stop = FALSE;
  gint64 started;

  if (!tto_calls_room_open (&room, 2, NULL))
    return;
  tto_calls_room_invite (&room, 0);
  tto_calls_room_accept (&room, 1);
  g_assert_true (tto_calls_room_run_until (&room, tto_calls_room_all_media_flowing, 15000));

  g_signal_connect (room.sides[0].engine, "recording-failed", G_CALLBACK (on_recording_failed),
                    &reason);
  g_signal_connect (room.sides[0].engine, "send-frame", G_CALLBACK (on_recording_frame),
                    &announced_stop);
  g_assert_true (tto_call_engine_start_recording (room.sides[0].engine, "/dev/full", &error));
  g_assert_no_error (error);
  /* The first write fails: the recording stops by itself, at once, says
   * why, and tells the others it no longer records. */
  started = g_get_monotonic_time ();
  g_assert_true (tto_calls_room_run_until (&room, not_recording_0, 5000));
  g_test_message ("recording to a full disk stopped after %.0f ms",
                  (g_get_monotonic_time () - started) / 1000.0);
  g_assert_nonnull (reason);
  g_test_message ("reason: %s", reason);
  g_assert_cmpuint (strlen (reason), >, 0);
  g_assert_true (announced_stop);
  /* Stopping again is harmless; the call goes on. */
  tto_call_engine_stop_recording (room.sides[0].engine);
  g_assert_false (tto_call_engine_get_recording (room.sides[0].engine));
  assert_media_grows (&room, 1500);

  for (guint i = 0; i < 2; i++)
    tto_calls_room_hangup (&room, i);
  tto_calls_room_close (&room);
}

/* ------------------------------------------------------ adaptive bitrate */

typedef struct
{
  gint drop_percent; /* atomic */
  guint counter;
} Dropper;

/* The network loses every fourth RTP packet, audio and video alike, as a
 * congested link would. Only RTP: STUN and DTLS keep the connection up,
 * and RTCP (RFC 5761: second byte 192-223) carries the reports. SRTP
 * leaves the RTP header readable. */
static GstPadProbeReturn
on_rtp_out (GstPad *pad,
            GstPadProbeInfo *info,
            gpointer user_data)
{
  Dropper *dropper = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  guint8 head[2];
  guint percent;

  if (gst_buffer_extract (buffer, 0, head, 2) != 2 || (head[0] & 0xc0) != 0x80
      || (head[1] >= 192 && head[1] <= 223))
    return GST_PAD_PROBE_OK;
  percent = (guint) g_atomic_int_get (&dropper->drop_percent);
  if (percent > 0 && dropper->counter++ % (100 / percent) == 0)
    return GST_PAD_PROBE_DROP;

  return GST_PAD_PROBE_OK;
}

/* Every element of the pipeline (bins included) made by that factory. */
static GPtrArray *
find_elements (GstElement *pipeline,
               const char *factory_name)
{
  g_autoptr (GstIterator) it = gst_bin_iterate_recurse (GST_BIN (pipeline));
  GPtrArray *found = g_ptr_array_new_with_free_func (gst_object_unref);
  GValue item = G_VALUE_INIT;

  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK)
    {
      GstElement *element = g_value_get_object (&item);
      GstElementFactory *factory = gst_element_get_factory (element);

      if (factory != NULL && g_str_equal (gst_plugin_feature_get_name (factory), factory_name))
        g_ptr_array_add (found, gst_object_ref (element));
      g_value_reset (&item);
    }
  g_value_unset (&item);

  return found;
}

/* The one element of that factory; the pipeline keeps it alive. */
static GstElement *
find_only_element (GstElement *pipeline,
                   const char *factory_name)
{
  g_autoptr (GPtrArray) found = find_elements (pipeline, factory_name);

  g_assert_cmpuint (found->len, ==, 1);

  return found->pdata[0];
}

static void
add_loss (GstElement *pipeline,
          Dropper *dropper)
{
  g_autoptr (GstPad) src = gst_element_get_static_pad (find_only_element (pipeline, "nicesrc"),
                                                       "src");

  gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER, on_rtp_out, dropper, NULL);
}

static guint
encoder_kbps (GstElement *pipeline)
{
  gint bitrate = -1;

  /* The call's encoder: the only vp8enc while nobody records. */
  g_object_get (find_only_element (pipeline, "vp8enc"), "target-bitrate", &bitrate, NULL);
  g_assert_cmpint (bitrate, >, 0);

  return bitrate / 1000;
}

static gboolean
bitrate_lowered (TtoCallsRoom *room)
{
  return tto_call_engine_get_current_video_bitrate (room->sides[0].engine) < room->bitrate * 3 / 4;
}

static gboolean
bitrate_recovering (TtoCallsRoom *room)
{
  static guint lowest;
  guint now = tto_call_engine_get_current_video_bitrate (room->sides[0].engine);

  if (lowest == 0 || now < lowest)
    lowest = now;

  return now > lowest;
}

/* Receivers report loss in RTCP; the sender lowers its video rate and
 * raises it again once the loss is gone, without any GLib critical from
 * webrtcbin's statistics (criticals are fatal here). */
static void
test_adaptive_bitrate (void)
{
  TtoCallsRoom room;
  Dropper dropper = { 0, 0 };
  GstElement *pipeline;
  guint lowered;

  if (!tto_calls_room_open (&room, 2, NULL))
    return;
  /* On by default, as the room's engines are. */
  {
    g_autoptr (TtoCallEngine) fresh = tto_call_engine_new ("me", "ev", "c", TTO_CALL_KIND_VIDEO);
    gboolean adaptive = FALSE;

    g_object_get (fresh, "adaptive-bitrate", &adaptive, NULL);
    g_assert_true (adaptive);
  }
  /* A moving picture, so video fills its rate (smpte barely moves). */
  room.patterns[0] = "ball";
  tto_calls_room_invite (&room, 0);
  tto_calls_room_accept (&room, 1);
  g_assert_true (tto_calls_room_run_until (&room, tto_calls_room_all_media_flowing, 15000));
  pipeline = tto_call_engine_get_pipeline (room.sides[0].engine);

  /* No loss: the rate stays. */
  tto_calls_room_run (&room, 2000);
  g_assert_cmpuint (tto_call_engine_get_current_video_bitrate (room.sides[0].engine), ==,
                    room.bitrate);

  g_atomic_int_set (&dropper.drop_percent, 25);
  add_loss (tto_call_engine_get_pipeline (room.sides[1].engine), &dropper);
  /* Loss reaches the sender through RTCP receiver reports, sent at random
   * intervals of a few seconds: give it several. */
  g_assert_true (tto_calls_room_run_until (&room, bitrate_lowered, 30000));
  lowered = tto_call_engine_get_current_video_bitrate (room.sides[0].engine);
  g_test_message ("25 %% loss: video %u -> %u kbit/s", room.bitrate, lowered);
  g_assert_cmpuint (encoder_kbps (pipeline), ==, lowered);
  /* Side 1 keeps decoding through the loss. */
  assert_media_grows (&room, 1000);

  g_atomic_int_set (&dropper.drop_percent, 0);
  g_assert_true (tto_calls_room_run_until (&room, bitrate_recovering, 30000));
  g_test_message ("loss gone: back up to %u kbit/s",
                  tto_call_engine_get_current_video_bitrate (room.sides[0].engine));
  g_assert_cmpuint (encoder_kbps (pipeline), ==,
                    tto_call_engine_get_current_video_bitrate (room.sides[0].engine));

  for (guint i = 0; i < 2; i++)
    tto_calls_room_hangup (&room, i);
  tto_calls_room_close (&room);
}

/* ------------------------------------------------------------------ H.264 */

static guint
count_elements (GstElement *pipeline,
                const char *factory_name)
{
  g_autoptr (GPtrArray) found = find_elements (pipeline, factory_name);

  return found->len;
}

static gboolean
two_peers_left (TtoCallsRoom *room)
{
  return g_list_model_get_n_items (tto_call_engine_get_peers (room->sides[0].engine)) == 1
         && g_list_model_get_n_items (tto_call_engine_get_peers (room->sides[1].engine)) == 1;
}

static GstPadProbeReturn
count_buffer (GstPad *pad,
              GstPadProbeInfo *info,
              gpointer user_data)
{
  g_atomic_int_inc ((gint *) user_data);

  return GST_PAD_PROBE_OK;
}

/* Buffers out of the pipeline's (only) encoder of that factory over ms. */
static guint
encoded_buffers (GstElement *pipeline,
                 const char *factory_name,
                 guint ms,
                 TtoCallsRoom *room)
{
  g_autoptr (GstPad) src = gst_element_get_static_pad (find_only_element (pipeline, factory_name),
                                                       "src");
  gint count = 0;
  gulong probe;

  probe = gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, &count, NULL);
  tto_calls_room_run (room, ms);
  gst_pad_remove_probe (src, probe);

  return (guint) g_atomic_int_get (&count);
}

/* Two devices that encode H.264 use it between them and VP8 with a third
 * that does not, in one mesh: each offer names one codec, both ends agree,
 * and every stream decodes. openh264enc stands in for a phone's hardware
 * encoder. */
static void
test_h264 (void)
{
  TtoCallsRoom room;
  static const char *const expected[3][3] = {
    { NULL, "H264", "VP8" },
    { "H264", NULL, "VP8" },
    { "VP8", "VP8", NULL },
  };

  if (gst_init (NULL, NULL), gst_element_factory_find ("openh264enc") == NULL)
    {
      g_test_skip ("openh264enc is not installed (gstreamer1.0-plugins-bad)");
      return;
    }
  if (!tto_calls_room_open (&room, 3, NULL))
    return;
  room.h264_encoders[0] = "openh264enc";
  room.h264_encoders[1] = "openh264enc";
  tto_calls_room_invite (&room, 0);
  tto_calls_room_accept (&room, 1);
  tto_calls_room_accept (&room, 2);
  g_assert_true (tto_calls_room_run_until (&room, tto_calls_room_all_media_flowing, 20000));

  for (guint i = 0; i < 3; i++)
    for (guint j = 0; j < 3; j++)
      if (i != j)
        g_assert_cmpstr (tto_call_peer_get_video_codec (tto_calls_room_peer (&room, i, j)), ==,
                         expected[i][j]);
  /* One H.264 encoder however many peers take it; none where unused. */
  g_assert_cmpuint (count_elements (tto_call_engine_get_pipeline (room.sides[0].engine),
                                    "openh264enc"), ==, 1);
  g_assert_cmpuint (count_elements (tto_call_engine_get_pipeline (room.sides[2].engine),
                                    "openh264enc"), ==, 0);
  g_assert_cmpuint (count_elements (tto_call_engine_get_pipeline (room.sides[1].engine),
                                    "rtph264depay"), ==, 1);
  g_assert_cmpuint (count_elements (tto_call_engine_get_pipeline (room.sides[2].engine),
                                    "rtph264depay"), ==, 0);
  assert_media_grows (&room, 2000);

  /* The VP8 peer leaves: the others' VP8 encoders rest, H.264 goes on. */
  tto_calls_room_hangup (&room, 2);
  g_assert_true (tto_calls_room_run_until (&room, two_peers_left, 10000));
  tto_calls_room_run (&room, 300);
  for (guint i = 0; i < 2; i++)
    {
      guint vp8 = encoded_buffers (tto_call_engine_get_pipeline (room.sides[i].engine), "vp8enc",
                                   1000, &room);

      g_test_message ("side %u: %u VP8 buffers in 1 s with only an H.264 peer", i, vp8);
      g_assert_cmpuint (vp8, ==, 0);
    }
  g_assert_cmpuint (encoded_buffers (tto_call_engine_get_pipeline (room.sides[0].engine),
                                     "openh264enc", 1000, &room), >=, 10);

  for (guint i = 0; i < 2; i++)
    tto_calls_room_hangup (&room, i);
  tto_calls_room_close (&room);
}

/* Three engines, everyone with everyone; one leaves and comes back. */
static void
test_mesh (void)
{
  TtoCallsRoom room;
  gint64 started;

  if (!tto_calls_room_open (&room, 3, NULL))
    return;

  started = g_get_monotonic_time ();
  tto_calls_room_invite (&room, 0);
  tto_calls_room_accept (&room, 1);
  tto_calls_room_accept (&room, 2);
  g_assert_true (tto_calls_room_run_until (&room, tto_calls_room_all_media_flowing, 20000));
  g_test_message ("3-party mesh up in %.0f ms", (g_get_monotonic_time () - started) / 1000.0);
  /* The last to join offers to both others. */
  g_assert_true (tto_call_peer_get_offerer (tto_calls_room_peer (&room, 2, 0)));
  g_assert_true (tto_call_peer_get_offerer (tto_calls_room_peer (&room, 2, 1)));
  g_assert_true (tto_call_peer_get_offerer (tto_calls_room_peer (&room, 1, 0)));
  assert_media_grows (&room, 2000);

  /* Side 2 leaves: the others drop it and keep talking. */
  tto_calls_room_hangup (&room, 2);
  room.n = 2;
  g_assert_true (tto_calls_room_run_until (&room, tto_calls_room_all_media_flowing, 1000));
  tto_calls_room_run (&room, 500);
  g_assert_null (tto_calls_room_peer (&room, 0, 2));
  g_assert_null (tto_calls_room_peer (&room, 1, 2));
  assert_media_grows (&room, 1000);

  /* And comes back: a fresh engine offers to both again. */
  room.n = 3;
  tto_test_client_discard_pushes (room.sides[2].client);
  started = g_get_monotonic_time ();
  tto_calls_room_accept (&room, 2);
  g_assert_true (tto_calls_room_run_until (&room, tto_calls_room_all_media_flowing, 20000));
  g_test_message ("rejoined in %.0f ms", (g_get_monotonic_time () - started) / 1000.0);
  assert_media_grows (&room, 2000);

  for (guint i = 0; i < 3; i++)
    tto_calls_room_hangup (&room, i);
  tto_calls_room_close (&room);
}

static guint16
free_udp_port (void)
{
  g_autoptr (GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                             G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* TURN: the relay hands out coturn REST credentials (call.config), the
 * engines allocate with them at a local coturn and talk through it only
 * (ICE transport policy "relay"). */
static void
test_turn (void)
{
  static const char secret[] = "turn-secret-for-tests";
  g_autofree char *turnserver = g_find_program_in_path ("turnserver");
  g_autofree char *port = NULL;
  g_autofree char *turn_url = NULL;
  g_autofree char *min_port = NULL;
  g_autofree char *max_port = NULL;
  g_autofree char *secret_arg = g_strdup_printf ("--static-auth-secret=%s", secret);
  g_autoptr (GSubprocess) coturn = NULL;
  g_autoptr (GError) error = NULL;
  TtoCallsRoom room;
  const char *relay_args[5];
  guint16 base;

  GLogLevelFlags always_fatal;

  if (turnserver == NULL)
    {
      g_test_skip ("turnserver (Debian package coturn) is not installed");
      return;
    }

  port = g_strdup_printf ("--listening-port=%u", free_udp_port ());
  base = 40000 + g_random_int_range (0, 200) * 100;
  min_port = g_strdup_printf ("--min-port=%u", base);
  max_port = g_strdup_printf ("--max-port=%u", base + 99);
  coturn = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                             &error, turnserver, "-n", "--use-auth-secret", secret_arg,
                             "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", port,
                             min_port, max_port, "--no-tls", "--no-dtls", "--realm=tto",
                             "--no-cli", "--allow-loopback-peers", "--log-file=stdout",
                             "--simple-log", NULL);
  g_assert_no_error (error);

  turn_url = g_strdup_printf ("turn:127.0.0.1:%s?transport=udp",
                              port + strlen ("--listening-port="));
  relay_args[0] = "--turn";
  relay_args[1] = turn_url;
  relay_args[2] = "--turn-secret";
  relay_args[3] = secret;
  relay_args[4] = NULL;
  if (!tto_calls_room_open (&room, 2, relay_args))
    {
      g_subprocess_force_exit (coturn);
      return;
    }
  room.relay_only = TRUE;

  /* libnice 0.1.21 warns when webrtcbin 1.22 drops an agent that still
   * refreshes a TURN allocation (webrtcbin never calls
   * nice_agent_close_async ()): harmless, not ours to fix, but fatal under
   * G_DEBUG=fatal-warnings, and printed as a TAP "Bail out!" before any
   * fatal handler could excuse it. So here warnings are fatal in our own
   * domains only. */
  always_fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_log_set_fatal_mask ("tto-test", G_LOG_FATAL_MASK | G_LOG_LEVEL_WARNING);
  g_log_set_fatal_mask ("tto-calls", G_LOG_FATAL_MASK | G_LOG_LEVEL_WARNING);

  tto_calls_room_invite (&room, 0);
  tto_calls_room_accept (&room, 1);
  g_assert_true (tto_calls_room_run_until (&room, tto_calls_room_all_media_flowing, 15000));
  assert_media_grows (&room, 1500);

  /* Only relayed candidates, allocated on coturn's 127.0.0.1 ports. */
  for (guint i = 0; i < 2; i++)
    {
      GPtrArray *candidates = tto_call_engine_get_local_candidates (room.sides[i].engine);

      assert_only_loopback_candidates (room.sides[i].engine, "relay");
      for (guint k = 0; k < candidates->len; k++)
        g_assert_nonnull (strstr (g_ptr_array_index (candidates, k), " typ relay"));
    }

  for (guint i = 0; i < 2; i++)
    tto_calls_room_hangup (&room, i);
  tto_calls_room_close (&room);
  g_log_set_always_fatal (always_fatal);
  g_subprocess_send_signal (coturn, SIGTERM);
  g_subprocess_wait (coturn, NULL, NULL);
}

static void
test_ice_servers (void)
{
  g_autoptr (JsonNode) node = json_from_string (
    "[{\"urls\":[\"stun:stun.example.org:3478\",\"stun:other:3478\"]},"
    " {\"urls\":[\"turn:127.0.0.1:3478?transport=udp\",\"turns:t.example.org:5349\"],"
    "  \"username\":\"1798678812:p2m7\",\"credential\":\"a+b/c=\"},"
    " {\"urls\":\"turn:solo:3478\"}]", NULL);
  g_autoptr (GPtrArray) turn = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *stun = NULL;
  g_autofree char *address = NULL;

  tto_call_ice_servers_to_uris (json_node_get_array (node), &stun, turn);
  g_assert_cmpstr (stun, ==, "stun://stun.example.org:3478");
  g_assert_cmpuint (turn->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (turn, 0), ==,
                   "turn://1798678812%3Ap2m7:a%2Bb%2Fc%3D@127.0.0.1:3478?transport=udp");
  g_assert_cmpstr (g_ptr_array_index (turn, 1), ==,
                   "turns://1798678812%3Ap2m7:a%2Bb%2Fc%3D@t.example.org:5349");
  g_assert_cmpstr (g_ptr_array_index (turn, 2), ==, "turn://solo:3478");

  address = tto_call_candidate_get_address ("candidate:1 1 UDP 2015363327 10.0.0.7 46011 typ host");
  g_assert_cmpstr (address, ==, "10.0.0.7");
  g_assert_true (tto_call_candidate_is_loopback ("a=candidate:1 1 UDP 1 127.0.0.1 5 typ host"));
  g_assert_false (tto_call_candidate_is_loopback ("candidate:1 1 UDP 1 127.0.0.10 5 typ host"));
  g_assert_false (tto_call_candidate_is_loopback ("garbage"));
}

/* Frames for another call, or without a sender, are refused; the engine
 * never starts twice. */
static void
test_engine_refusals (void)
{
  g_autoptr (TtoCallEngine) engine = tto_call_engine_new ("me", "ev", "c1", TTO_CALL_KIND_AUDIO);
  g_autoptr (JsonObject) other = tto_test_json_object ("{\"call_id\":\"c2\",\"participants\":[]}");
  g_autoptr (JsonObject) offer = tto_test_json_object (
    "{\"event_id\":\"ev\",\"call_id\":\"c1\",\"sdp\":\"v=0\"}");
  g_autoptr (GError) error = NULL;

  g_assert_false (tto_call_engine_start (engine, other, &error));
  g_assert_error (error, TTO_CALL_ERROR, TTO_CALL_ERROR_BAD_FRAME);
  g_clear_error (&error);
  g_assert_false (tto_call_engine_handle_frame (engine, TTO_FRAME_CALL_OFFER, offer, &error));
  g_assert_error (error, TTO_CALL_ERROR, TTO_CALL_ERROR_BAD_FRAME);
  g_assert_cmpint (tto_call_engine_get_state (engine), ==, TTO_CALL_ENGINE_STATE_IDLE);
  g_assert_null (tto_call_engine_get_pipeline (engine));
}

int
main (int argc,
      char *argv[])
{
  /* libsoup's proxy lookup would read GSettings schemas, which isolated
   * XDG_DATA_DIRS hide. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gst_init (&argc, &argv);

  g_test_add_func ("/calls/ice-servers", test_ice_servers);
  g_test_add_func ("/calls/engine-refusals", test_engine_refusals);
  g_test_add_func ("/calls/one-to-one", test_one_to_one);
  g_test_add_func ("/calls/mesh", test_mesh);
  g_test_add_func ("/calls/turn", test_turn);
  g_test_add_func ("/calls/recording", test_recording);
  g_test_add_func ("/calls/recording-join-leave", test_recording_join_leave);
  g_test_add_func ("/calls/recording-failure", test_recording_failure);
  g_test_add_func ("/calls/adaptive-bitrate", test_adaptive_bitrate);
  g_test_add_func ("/calls/h264", test_h264);

  return g_test_run ();
}
