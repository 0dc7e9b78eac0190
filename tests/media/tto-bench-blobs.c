/* tto-bench-blobs.c: attachments through a real relay with TtoBlobTransfer:
 * throughput of a 20 MiB blob up and down over loopback, and the relay's
 * resident memory before, after 100 uploads of 1 MiB, and after event.end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   meson test -C _build --benchmark --suite media
 *
 * Needs TTO_TEST_MYSQL_SOCKET and TTO_RELAY_BIN, as the relay tests do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tto-blob-transfer.h"
#include "tto-test-harness.h"

#define GRACE 600
#define BIG_BLOB (20 * 1024 * 1024)
#define BIG_ROUNDS 3
#define SMALL_BLOB (1024 * 1024)
#define SMALL_COUNT 100

/* Room for 100 MiB and the 20 MiB rounds in one event (default: 256 MiB). */
static const char *const relay_args[] = { "--max-event-blobs-kib", "1048576", "--max-blobs-kib",
                                          "2097152", NULL };

static void
on_result (GObject *source,
           GAsyncResult *result,
           gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *result;
}

static GBytes *
random_bytes (gsize size)
{
  guint8 *data = g_malloc (size);
  guint32 *words = (guint32 *) data;

  for (gsize i = 0; i < size / 4; i++)
    words[i] = g_random_int ();
  /* No file signature: the relay sniffs application/octet-stream. */
  data[0] = 0;
  data[1] = 0xff;

  return g_bytes_new_take (data, size);
}

/* The relay this process started: a child whose executable is TTO_RELAY_BIN. */
static int
find_relay_pid (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc", 0, NULL);
  g_autofree char *relay_bin = g_canonicalize_filename (g_getenv ("TTO_RELAY_BIN"), NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *stat_path = g_build_filename ("/proc", name, "stat", NULL);
      g_autofree char *exe_path = g_build_filename ("/proc", name, "exe", NULL);
      g_autofree char *stat = NULL;
      g_autofree char *exe = NULL;
      const char *after_name;
      int ppid = 0;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (stat_path, &stat, NULL, NULL))
        continue;
      /* "pid (comm) state ppid …"; comm may hold spaces. */
      after_name = strrchr (stat, ')');
      if (after_name == NULL || sscanf (after_name + 1, " %*c %d", &ppid) != 1 ||
          ppid != getpid ())
        continue;
      exe = g_file_read_link (exe_path, NULL);
      if (exe != NULL && g_strcmp0 (exe, relay_bin) == 0)
        return atoi (name);
    }

  return -1;
}

static gint64
rss_kib (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL) ||
      (line = strstr (status, "VmRSS:")) == NULL)
    return -1;

  return g_ascii_strtoll (line + 6, NULL, 10);
}

static gint64
blob_bytes_held (TtoTestRelay *relay)
{
  g_autoptr (JsonObject) health = tto_test_relay_get_health (relay, NULL);

  return json_object_get_int_member (health, "blob_bytes_held");
}

static TtoBlobInfo *
upload (TtoBlobTransfer *transfer,
        const char *event_id,
        GBytes *data)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  TtoBlobInfo *info;

  tto_blob_transfer_upload_bytes_async (transfer, event_id, data, NULL, NULL, NULL, NULL,
                                        on_result, &result);
  info = tto_blob_transfer_upload_finish (transfer, wait_result (&result), &error);
  g_assert_no_error (error);

  return info;
}

static GBytes *
download (TtoBlobTransfer *transfer,
          const char *event_id,
          const char *blob_id)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GBytes *bytes;

  tto_blob_transfer_download_async (transfer, event_id, blob_id, NULL, NULL, NULL, NULL, NULL,
                                    on_result, &result);
  bytes = tto_blob_transfer_download_finish (transfer, wait_result (&result), &error);
  g_assert_no_error (error);

  return bytes;
}

static double
mib_per_s (gsize bytes,
           gint64 usec)
{
  return (bytes / (1024.0 * 1024.0)) / (MAX (usec, 1) / 1e6);
}

static void
bench_blobs (void)
{
  g_autoptr (JsonObject) event = NULL;
  g_autoptr (TtoBlobTransfer) ana_transfer = NULL;
  g_autoptr (TtoBlobTransfer) bo_transfer = NULL;
  g_autoptr (GBytes) big = random_bytes (BIG_BLOB);
  g_autoptr (GBytes) small = random_bytes (SMALL_BLOB);
  TtoTestRelay *relay;
  TtoTestClient *ana;
  TtoTestClient *bo;
  const char *event_id;
  double best_up = 0;
  double best_down = 0;
  gint64 rss_before;
  gint64 rss_after_uploads;
  gint64 rss_after_end;
  gint64 wait_start;
  gint64 start;
  int pid;

  relay = tto_test_relay_start_with_args (GRACE, relay_args);
  if (relay == NULL)
    return;

  pid = find_relay_pid ();
  g_assert_cmpint (pid, >, 0);

  ana = tto_test_client_connect (relay);
  bo = tto_test_client_connect (relay);
  tto_test_client_create_identity (ana, "Ana");
  tto_test_client_create_identity (bo, "Bo");
  event = tto_test_client_create_event (ana, "Bench", 0);
  event_id = json_object_get_string_member (event, "event_id");
  json_object_unref (tto_test_client_join (bo, json_object_get_string_member (event,
                                                                              "invite_code")));
  ana_transfer = tto_blob_transfer_new (NULL, tto_test_relay_get_ws_url (relay),
                                        tto_test_client_get_token (ana));
  bo_transfer = tto_blob_transfer_new (NULL, tto_test_relay_get_ws_url (relay),
                                       tto_test_client_get_token (bo));
  rss_before = rss_kib (pid);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < SMALL_COUNT; i++)
    {
      g_autoptr (TtoBlobInfo) info = upload (ana_transfer, event_id, small);

      g_assert_cmpint (info->size, ==, SMALL_BLOB);
    }
  g_print ("%d uploads of 1 MiB: %.0f ms (%.1f MiB/s)\n", SMALL_COUNT,
           (g_get_monotonic_time () - start) / 1000.0,
           mib_per_s ((gsize) SMALL_COUNT * SMALL_BLOB, g_get_monotonic_time () - start));
  rss_after_uploads = rss_kib (pid);

  tto_frame_free (tto_test_client_request_ok (
    ana, "event.end", tto_test_json_object ("{\"event_id\":\"%s\"}", event_id)));
  tto_frame_free (tto_test_client_wait_push (bo, "event.ended", 5000));
  /* The relay wipes the event's memory once its rows are gone from MySQL. */
  wait_start = g_get_monotonic_time ();
  while (blob_bytes_held (relay) > 0 && g_get_monotonic_time () - wait_start < 5 * G_USEC_PER_SEC)
    tto_test_iterate_ms (20);
  g_print ("blobs wiped %.0f ms after event.end's answer\n",
           (g_get_monotonic_time () - wait_start) / 1000.0);
  rss_after_end = rss_kib (pid);
  g_print ("relay VmRSS: %" G_GINT64_FORMAT " KiB before, %" G_GINT64_FORMAT
           " KiB with %d x 1 MiB held, %" G_GINT64_FORMAT " KiB after event.end\n",
           rss_before, rss_after_uploads, SMALL_COUNT, rss_after_end);

  /* Throughput, in a second event. */
  g_clear_pointer (&event, json_object_unref);
  event = tto_test_client_create_event (ana, "Bench 2", 0);
  event_id = json_object_get_string_member (event, "event_id");
  json_object_unref (tto_test_client_join (bo, json_object_get_string_member (event,
                                                                              "invite_code")));

  for (guint round = 0; round < BIG_ROUNDS; round++)
    {
      g_autoptr (TtoBlobInfo) info = NULL;
      g_autoptr (GBytes) back = NULL;
      gint64 up_usec;
      gint64 down_usec;

      start = g_get_monotonic_time ();
      info = upload (ana_transfer, event_id, big);
      up_usec = g_get_monotonic_time () - start;

      start = g_get_monotonic_time ();
      back = download (bo_transfer, event_id, info->blob_id);
      down_usec = g_get_monotonic_time () - start;
      g_assert_true (g_bytes_equal (back, big));

      g_print ("20 MiB round %u: upload %.1f MiB/s (%.0f ms), download %.1f MiB/s (%.0f ms)\n",
               round + 1, mib_per_s (BIG_BLOB, up_usec), up_usec / 1000.0,
               mib_per_s (BIG_BLOB, down_usec), down_usec / 1000.0);
      best_up = MAX (best_up, mib_per_s (BIG_BLOB, up_usec));
      best_down = MAX (best_down, mib_per_s (BIG_BLOB, down_usec));
    }

  g_print ("best: upload %.1f MiB/s, download %.1f MiB/s (20 MiB, loopback)\n", best_up,
           best_down);

  tto_test_client_close (ana);
  tto_test_client_close (bo);
  tto_test_relay_stop (relay);
}

int
main (int argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);

  g_test_add_func ("/media/bench/blobs", bench_blobs);

  return g_test_run ();
}
