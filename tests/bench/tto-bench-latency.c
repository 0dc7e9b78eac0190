/* tto-bench-latency.c: message latency through a real relay on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts a relay (tests/tto-test-harness.c), connects two clients to one
 * event and sends messages from A one at a time; for each, measures the time
 * from A's send to the msg.new at B. Prints p50/p95/p99/max in ms and the
 * rate. The target is p99 < 50 ms.
 *
 *   tto-bench-latency [--messages N] [--size BYTES]
 *
 * Needs TTO_TEST_MYSQL_SOCKET and TTO_RELAY_BIN (meson sets the latter).
 * The figures include the client side (libsoup + frame parsing), so they are
 * an upper bound of what the relay adds.
 */
#include <stdlib.h>
#include <string.h>

#include "tto-test-harness.h"

static int n_messages = 1000;
static int text_size = 100;

static GOptionEntry entries[] = {
  { "messages", 'n', 0, G_OPTION_ARG_INT, &n_messages, "Messages to send (1000)", "N" },
  { "size", 's', 0, G_OPTION_ARG_INT, &text_size, "Bytes of text per message (100)", "BYTES" },
  { NULL }
};

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static double
percentile_ms (const gint64 *sorted_us,
               guint n,
               double p)
{
  guint index = (guint) (p * (n - 1) + 0.5);

  return sorted_us[MIN (index, n - 1)] / 1000.0;
}

int
main (int argc,
      char *argv[])
{
  g_autoptr (GOptionContext) context = g_option_context_new ("- relay latency benchmark");
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) event = NULL;
  g_autoptr (JsonObject) joined = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *event_id = NULL;
  g_autofree char *text = NULL;
  g_autofree gint64 *latencies = NULL;
  TtoTestRelay *relay;
  TtoTestClient *a;
  TtoTestClient *b;
  gint64 start;
  gint64 elapsed;
  gint64 sum = 0;
  double p99;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (n_messages < 1 || text_size < 1 || text_size > 4000)
    {
      g_printerr ("--messages must be positive, --size 1..4000\n");
      return 2;
    }

  if (!tto_test_relay_available (&reason))
    {
      g_print ("skipped: %s\n", reason);
      return 77;
    }

  relay = tto_test_relay_start (60);
  a = tto_test_client_connect (relay);
  b = tto_test_client_connect (relay);
  tto_test_client_create_identity (a, "Bench A");
  tto_test_client_create_identity (b, "Bench B");
  event = tto_test_client_create_event (a, "Latency bench", 0);
  event_id = g_strdup (json_object_get_string_member (event, "event_id"));
  joined = tto_test_client_join (b, json_object_get_string_member (event, "invite_code"));
  tto_test_client_discard_pushes (a);
  tto_test_client_discard_pushes (b);

  text = g_strnfill (text_size, 'x');
  latencies = g_new0 (gint64, n_messages);

  start = g_get_monotonic_time ();
  for (int i = 0; i < n_messages; i++)
    {
      g_autofree char *id = g_strdup_printf ("b%d", i);
      g_autofree char *cmid = g_strdup_printf ("bench-%d", i);
      g_autofree char *wire = NULL;
      g_autoptr (TtoFrame) request = NULL;
      g_autoptr (TtoFrame) push = NULL;
      g_autoptr (TtoFrame) ok = NULL;
      JsonObject *body = json_object_new ();
      gint64 t0;

      json_object_set_string_member (body, "event_id", event_id);
      json_object_set_string_member (body, "client_msg_id", cmid);
      json_object_set_string_member (body, "text", text);
      request = tto_frame_new (TTO_FRAME_MSG_SEND, id, body);
      wire = tto_frame_serialize (request, NULL);

      t0 = g_get_monotonic_time ();
      tto_test_client_send_raw (a, wire);
      push = tto_test_client_wait_push (b, TTO_FRAME_MSG_NEW, 5000);
      latencies[i] = g_get_monotonic_time () - t0;

      if (push == NULL)
        g_error ("message %d did not reach B within 5 s", i);
      if (tto_frame_get_int (push, "seq", -1) != i + 1)
        g_error ("message %d arrived with seq %" G_GINT64_FORMAT, i,
                 tto_frame_get_int (push, "seq", -1));

      ok = tto_test_client_wait_answer (a, id, 5000);
      if (ok == NULL || !tto_frame_is (ok, TTO_FRAME_OK))
        g_error ("message %d: no ok for A", i);
      tto_test_client_discard_pushes (a);
    }
  elapsed = g_get_monotonic_time () - start;

  for (int i = 0; i < n_messages; i++)
    sum += latencies[i];
  qsort (latencies, n_messages, sizeof (gint64), compare_gint64);
  p99 = percentile_ms (latencies, n_messages, 0.99);

  g_print ("messages:   %d of %d bytes, one at a time, A -> relay -> B\n", n_messages, text_size);
  g_print ("latency ms: p50 %.3f  p95 %.3f  p99 %.3f  max %.3f  mean %.3f\n",
           percentile_ms (latencies, n_messages, 0.50),
           percentile_ms (latencies, n_messages, 0.95), p99,
           latencies[n_messages - 1] / 1000.0, (double) sum / n_messages / 1000.0);
  g_print ("rate:       %.0f messages/s (sequential round trips)\n",
           n_messages / (elapsed / (double) G_USEC_PER_SEC));
  g_print ("target:     p99 < 50 ms: %s\n", p99 < 50.0 ? "met" : "MISSED");

  tto_test_client_close (a);
  tto_test_client_close (b);
  tto_test_relay_stop (relay);

  return 0;
}
