/* tto-bench-call.c: call setup time and the cost of a call, on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   meson test -C _build --benchmark --suite calls
 *
 * All engines run in this process (the relay in its own), so CPU and RSS
 * "per peer" are this process's figures divided by the number of engines:
 * each engine encodes its own stream once and decodes every other one.
 * Video: videotestsrc, VP8, converted to RGBA for the UI as in the app;
 * audio: audiotestsrc, Opus, decoded into a fakesink.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gst/gst.h>

#include "tto-calls-test-util.h"

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec
         + usage.ru_stime.tv_usec / 1e6;
}

static double
rss_mib (void)
{
  g_autofree char *statm = NULL;
  unsigned long size = 0, resident = 0;

  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL)
      || sscanf (statm, "%lu %lu", &size, &resident) != 2)
    return 0;

  return resident * (double) sysconf (_SC_PAGESIZE) / (1024.0 * 1024.0);
}

static gboolean
first_frames_everywhere (TtoCallsRoom *room)
{
  for (guint i = 0; i < room->n; i++)
    for (guint j = 0; j < room->n; j++)
      {
        TtoCallPeer *peer;

        if (i == j)
          continue;
        peer = tto_calls_room_peer (room, i, j);
        if (peer == NULL || tto_call_peer_get_first_frame_time (peer) == 0)
          return FALSE;
      }

  return TRUE;
}

static guint64
total_frames (TtoCallsRoom *room)
{
  guint64 frames = 0;

  for (guint i = 0; i < room->n; i++)
    for (guint j = 0; j < room->n; j++)
      if (i != j && tto_calls_room_peer (room, i, j) != NULL)
        frames += tto_call_peer_get_video_frames (tto_calls_room_peer (room, i, j));

  return frames;
}

/* Invite → the first decoded video frame, on the callee's side and on the
 * caller's, in ms. */
static void
bench_setup (guint runs)
{
  g_autoptr (GArray) callee_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) caller_ms = g_array_new (FALSE, FALSE, sizeof (double));
  double sum_callee = 0, sum_caller = 0, max_both = 0;

  for (guint run = 0; run < runs; run++)
    {
      TtoCallsRoom room;
      gint64 start;
      double callee, caller;

      if (!tto_calls_room_open (&room, 2, NULL))
        return;
      room.width = 640;
      room.height = 360;
      room.framerate = 24;
      room.bitrate = 800;

      start = g_get_monotonic_time ();
      tto_calls_room_invite (&room, 0);
      /* The callee accepts as soon as it rings. */
      tto_frame_free (tto_test_client_wait_push (room.sides[1].client, TTO_FRAME_CALL_RING, 5000));
      tto_calls_room_accept (&room, 1);
      if (!tto_calls_room_run_until (&room, first_frames_everywhere, 20000))
        g_error ("no video within 20 s");

      callee = (tto_call_peer_get_first_frame_time (tto_calls_room_peer (&room, 1, 0)) - start)
               / 1000.0;
      caller = (tto_call_peer_get_first_frame_time (tto_calls_room_peer (&room, 0, 1)) - start)
               / 1000.0;
      g_array_append_val (callee_ms, callee);
      g_array_append_val (caller_ms, caller);
      sum_callee += callee;
      sum_caller += caller;
      max_both = MAX (max_both, MAX (callee, caller));

      for (guint i = 0; i < 2; i++)
        tto_calls_room_hangup (&room, i);
      tto_calls_room_close (&room);
    }

  g_print ("call setup, invite → first decoded video frame (640x360, %u runs, loopback, "
           "relay + ring + accept included):\n", runs);
  g_print ("  callee sees caller: mean %.0f ms; caller sees callee: mean %.0f ms; worst %.0f ms\n",
           sum_callee / runs, sum_caller / runs, max_both);
}

static void
bench_call (guint n,
            guint width,
            guint height,
            guint framerate,
            guint kbps,
            guint seconds,
            const char *h264_encoder)
{
  TtoCallsRoom room;
  double rss_before, rss_during, cpu_before, cpu_after;
  gint64 wall_before, wall_after;
  guint64 frames_before, frames_after;
  double cpu_percent;
  guint streams = n * (n - 1);

  if (!tto_calls_room_open (&room, n, NULL))
    return;
  room.width = width;
  room.height = height;
  room.framerate = framerate;
  room.bitrate = kbps;
  for (guint i = 0; i < n; i++)
    room.h264_encoders[i] = h264_encoder;

  tto_calls_room_run (&room, 200);
  rss_before = rss_mib ();

  tto_calls_room_invite (&room, 0);
  for (guint i = 1; i < n; i++)
    tto_calls_room_accept (&room, i);
  if (!tto_calls_room_run_until (&room, tto_calls_room_all_media_flowing, 30000))
    g_error ("%u-way call: media did not flow within 30 s", n);
  /* Settle: encoders at rate, jitter buffers filled. */
  tto_calls_room_run (&room, 2000);

  cpu_before = cpu_seconds ();
  wall_before = g_get_monotonic_time ();
  frames_before = total_frames (&room);
  tto_calls_room_run (&room, seconds * 1000);
  cpu_after = cpu_seconds ();
  wall_after = g_get_monotonic_time ();
  frames_after = total_frames (&room);
  rss_during = rss_mib ();

  cpu_percent = 100.0 * (cpu_after - cpu_before) / ((wall_after - wall_before) / 1e6);
  g_print ("%u-way call, %ux%u@%u %s %u kbit/s + Opus, %u s, %ld cores:\n", n, width, height,
           framerate, h264_encoder != NULL ? h264_encoder : "VP8", kbps, seconds,
           sysconf (_SC_NPROCESSORS_ONLN));
  g_print ("  process: %.0f %% CPU, RSS +%.1f MiB (%.1f MiB total)\n", cpu_percent,
           rss_during - rss_before, rss_during);
  g_print ("  per peer (1 encode + %u decodes): %.0f %% CPU, %.1f MiB RSS\n", n - 1,
           cpu_percent / n, (rss_during - rss_before) / n);
  g_print ("  decoded video: %.1f fps per stream over %u streams (sent at %u)\n",
           (frames_after - frames_before) / ((wall_after - wall_before) / 1e6) / streams, streams,
           framerate);

  for (guint i = 0; i < n; i++)
    tto_calls_room_hangup (&room, i);
  tto_calls_room_close (&room);
}

int
main (int argc,
      char *argv[])
{
  g_autofree char *reason = NULL;

  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  gst_init (&argc, &argv);
  if (!tto_test_relay_available (&reason))
    {
      g_print ("skipped: %s\n", reason);
      return 77;
    }
  /* The harness asserts with g_test; it wants to be initialised. */
  g_test_init (&argc, &argv, NULL);
  /* GStreamer 1.22's rtpsession sometimes logs a GLib critical from its
   * RTCP thread in a 6-way mesh (g_hash_table_foreach on a table changed
   * under it); a benchmark reports, it does not judge. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK);

  /* Optional: one scenario, "setup" or N W H FPS KBPS [H264-ENCODER]. */
  if (argc > 1 && g_str_equal (argv[1], "setup"))
    bench_setup (3);
  else if (argc > 5)
    bench_call (atoi (argv[1]), atoi (argv[2]), atoi (argv[3]), atoi (argv[4]), atoi (argv[5]), 8,
                argc > 6 ? argv[6] : NULL);
  else
    {
      bench_setup (3);
      bench_call (2, 640, 360, 24, 800, 8, NULL);
      bench_call (6, 640, 360, 24, 800, 8, NULL);
      bench_call (6, 320, 180, 15, 300, 8, NULL);
    }

  return 0;
}
