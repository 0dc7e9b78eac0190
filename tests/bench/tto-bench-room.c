/* tto-bench-room.c: opening and scrolling a room of 10,000 messages
 *
 * Not a test: prints figures. Builds a room of 10,000 messages (mixed
 * lengths, every 7th a reply, every 11th a mention) straight into the
 * session's models — no relay, so the figures are the client's alone — and
 * opens it in the real TtoChatPage under Xvfb. Reports the time from
 * tto_chat_page_set_event() to the first painted frame, the RSS after
 * opening, and the RSS after scrolling from the top to the bottom page by
 * page (it must stay flat: the list recycles its light rows).
 *
 *   meson test -C _build --benchmark --suite bench room
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <adwaita.h>

#include "tto-chat-page.h"
#include "tto-client.h"
#include "tto-message-row.h"

#define N_MESSAGES 10000
#define N_SENDERS 10
#define TARGET_OPEN_MS 200.0

static const char *words[] = {
  "projector", "cable", "room", "nine", "agenda", "coffee", "slides", "demo", "budget",
  "tomorrow", "thanks", "ok", "maybe", "the", "we", "bring", "plan", "later", "visit", "team",
};

static long
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line != NULL ? strtol (line + 6, NULL, 10) : -1;
}

static void
iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean painted;

static void
on_after_paint (GdkFrameClock *clock,
                gpointer user_data)
{
  painted = TRUE;
}

static guint
count_rows (GtkWidget *widget)
{
  guint n = TTO_IS_MESSAGE_ROW (widget) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_rows (child);
  return n;
}

static char *
make_text (GRand *rand,
           guint i)
{
  GString *text = g_string_new (NULL);
  /* Mostly short, some paragraphs. */
  guint n_words = g_rand_int_range (rand, 0, 10) < 8 ? g_rand_int_range (rand, 1, 14)
                                                     : g_rand_int_range (rand, 30, 120);

  for (guint w = 0; w < n_words; w++)
    {
      if (w > 0)
        g_string_append_c (text, w % 17 == 0 ? '\n' : ' ');
      g_string_append (text, words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
    }
  g_string_append_printf (text, " #%u", i);
  return g_string_free (text, FALSE);
}

int
main (int argc,
      char *argv[])
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (321);
  g_autoptr (TtoSession) session = NULL;
  g_autoptr (TtoEvent) event = NULL;
  g_autoptr (GPtrArray) messages = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *event_id = tto_id_new ();
  char *senders[N_SENDERS];
  GtkWidget *window;
  TtoChatPage *page;
  GtkAdjustment *adjustment;
  GdkFrameClock *clock;
  gint64 start, first_frame;
  long rss_before, rss_open, rss_scrolled;
  guint max_rows = 0;
  double open_ms;

  tto_client_init ();
  gtk_init ();
  adw_init ();
  tto_client_load_css ();

  for (guint s = 0; s < N_SENDERS; s++)
    senders[s] = tto_id_new ();

  session = tto_session_new ("ws://127.0.0.1:9/v1/ws");
  event = tto_event_new (event_id);
  tto_event_set_title (event, "Benchmark room");
  tto_event_set_member_count (event, N_SENDERS);
  tto_event_set_last_seq (event, N_MESSAGES);

  for (guint i = 1; i <= N_MESSAGES; i++)
    {
      g_autoptr (JsonObject) object = json_object_new ();
      g_autofree char *text = make_text (rand, i);
      g_autofree char *msg_id = g_strdup_printf ("m%015u", i);
      guint sender = g_rand_int_range (rand, 0, N_SENDERS);
      TtoMessage *message;

      json_object_set_string_member (object, "event_id", event_id);
      json_object_set_int_member (object, "seq", i);
      json_object_set_string_member (object, "msg_id", msg_id);
      json_object_set_string_member (object, "client_msg_id", msg_id);
      json_object_set_string_member (object, "sender_id", senders[sender]);
      json_object_set_string_member (object, "sender_name", words[sender]);
      json_object_set_string_member (object, "text", text);
      json_object_set_int_member (object, "ts", 1798675200000 + i * 1000);
      message = tto_message_new_from_json (object, NULL);
      g_assert (message != NULL);
      if (i % 7 == 0 && i > 1)
        {
          TtoMessage *quoted = g_ptr_array_index (messages, i - 2);
          g_autofree char *excerpt = tto_message_make_excerpt (tto_message_get_text (quoted));

          tto_message_set_reply_to (message, tto_message_get_msg_id (quoted), i - 1,
                                    tto_message_get_sender_id (quoted),
                                    tto_message_get_sender_name (quoted), excerpt, FALSE);
        }
      if (i % 11 == 0)
        {
          const char *mentions[] = { senders[(sender + 1) % N_SENDERS], NULL };

          tto_message_set_mentions (message, mentions);
        }
      g_ptr_array_add (messages, message);
    }
  g_list_store_splice (G_LIST_STORE (tto_session_get_messages (session, event)), 0, 0,
                       messages->pdata, messages->len);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 720);
  page = g_object_new (TTO_TYPE_CHAT_PAGE, NULL);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  tto_chat_page_set_session (page, session);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (window))
    iterate ();
  for (int i = 0; i < 20; i++)
    {
      iterate ();
      g_usleep (5000);
    }

  rss_before = rss_kib ();
  clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
  painted = FALSE;
  start = g_get_monotonic_time ();
  tto_chat_page_set_event (page, event);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  first_frame = g_get_monotonic_time ();
  open_ms = (first_frame - start) / 1000.0;
  for (int i = 0; i < 20; i++)
    {
      iterate ();
      g_usleep (5000);
    }
  rss_open = rss_kib ();

  /* Top to bottom, a page at a time, each page painted. */
  adjustment = gtk_scrolled_window_get_vadjustment (
    GTK_SCROLLED_WINDOW (gtk_widget_get_parent (GTK_WIDGET (tto_chat_page_get_message_list (page)))));
  gtk_adjustment_set_value (adjustment, 0);
  iterate ();
  while (gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment) <
         gtk_adjustment_get_upper (adjustment) - 1)
    {
      painted = FALSE;
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) +
                                              gtk_adjustment_get_page_size (adjustment));
      while (!painted)
        g_main_context_iteration (NULL, TRUE);
      max_rows = MAX (max_rows, count_rows (GTK_WIDGET (tto_chat_page_get_message_list (page))));
    }
  iterate ();
  rss_scrolled = rss_kib ();

  printf ("room: %u messages (every 7th a reply, every 11th a mention), 360x720\n", N_MESSAGES);
  printf ("time to first frame: %.1f ms (target < %.0f ms)%s\n", open_ms, TARGET_OPEN_MS,
          open_ms < TARGET_OPEN_MS ? "" : "  ABOVE TARGET");
  printf ("RSS before open: %ld KiB, after open: %ld KiB, after scrolling to the bottom: %ld KiB "
          "(%+ld KiB)\n",
          rss_before, rss_open, rss_scrolled, rss_scrolled - rss_open);
  printf ("message rows alive while scrolling: at most %u\n", max_rows);

  tto_chat_page_set_event (page, NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  for (guint s = 0; s < N_SENDERS; s++)
    g_free (senders[s]);
  return 0;
}
