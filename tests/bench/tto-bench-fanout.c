/* tto-bench-fanout.c: fan-out throughput and latency, tto-relay against Mosquitto 2
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * N clients in E events (client i is in event i % E; clients 0..E-1 create
 * the events, the others join with the invite code). In the measured phase
 * every client sends at R messages/s; the relay delivers each msg.new to
 * every member of the event, the sender included (the relay echoes it, and
 * an MQTT client subscribed to the topic it publishes on gets its own
 * message back too), so one message is `members` deliveries on both servers
 * and every delivery is counted.
 *
 * The same shape then runs against Mosquitto (MQTT 3.1.1 over TCP, topic
 * "ev/<k>" per event, QoS 0, payloads as long as the relay's msg.new frames).
 *
 * Latency is receive time - send time on CLOCK_MONOTONIC: the sender puts
 * "t=<ns>" at the start of the message text. Server CPU is utime+stime of
 * the server process (/proc/PID/stat) over the measured phase; RSS is
 * VmRSS at its end. The generator's own CPU (getrusage) is printed too: it
 * must stay well under one core (100 %) or it, not the server, is measured.
 *
 * The clients are a lean epoll WebSocket/MQTT client on plain sockets: a
 * libsoup client spends ~60 us per received frame, three times what the
 * relay spends per delivery, so it would saturate first.
 *
 *   tto-bench-fanout [--clients 1000] [--events 10] [--rate 0.5[,1,...]]
 *                    [--seconds 10] [--size 100] [--threads 1]
 *                    [--server both|relay|mosquitto]
 *
 * Needs TTO_TEST_MYSQL_SOCKET and TTO_RELAY_BIN for the relay (meson sets
 * the latter) and `mosquitto` (Debian package; TTO_MOSQUITTO_BIN, PATH or
 * /usr/sbin) for the comparison.
 *
 * Columns: offered/s is clients x rate x members; deliveries/s is what
 * arrived, over first send to last delivery; "CPU s/1k del" is server CPU
 * per 1,000 deliveries, the fair figure on a shared box; "other %" is the
 * machine's CPU used by anything else (another job on the box makes a run
 * noisy). A row ending "(lost/late)" did not get every delivery within 10 s
 * of the last send: the server was saturated.
 *
 * To profile the relay, point TTO_RELAY_BIN at a script that does
 * `exec valgrind --tool=callgrind tto-relay "$@"` (exec keeps the pid this
 * program measures) and run with --server relay.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tto-test-harness.h"

/* The relay's own limit; a msg.new frame is well below it. */
#define MAX_FRAME (64 * 1024)
#define RX_CHUNK (32 * 1024)
#define SETUP_TIMEOUT_S 60
/* After the last send: wait this long at most for the deliveries still due. */
#define DRAIN_NS (10 * G_GINT64_CONSTANT (1000000000))
/* A server is quiet when nothing arrived for this long. */
#define QUIET_MS 300
/* "t=" and 19 digits of nanoseconds */
#define STAMP_LEN 21

typedef enum
{
  SERVER_RELAY,
  SERVER_MOSQUITTO,
} ServerKind;

typedef struct _Worker Worker;

typedef struct
{
  int fd;
  guint index;
  guint event;
  Worker *worker;
  char *rx;
  gsize rx_len;
  gsize rx_cap;
  char *tx;                /* bytes the socket did not take yet */
  gsize tx_len;
  gsize tx_cap;
  guint32 mask_seed;
  guint sent;
  gboolean closed;
  gboolean want_out;
} Client;

typedef struct
{
  ServerKind kind;
  const char *name;
  guint n_clients;
  guint n_events;
  Client *clients;
  char **event_ids;        /* relay: event id; Mosquitto: topic */
  guint *members;
  int port;
  pid_t pid;
  gsize payload_size;      /* bytes the server delivers per message */
  gsize frame_size;        /* the relay's observed msg.new frame size */
  gint *event_sends;       /* per event, atomic: messages sent this phase */
} Bench;

struct _Worker
{
  Bench *bench;
  guint first;
  guint count;
  int epfd;
  double rate;
  gint64 start_ns;
  gint64 send_end_ns;
  GArray *latencies;       /* gint64 ns */
  guint64 sent;
  guint64 received;
  guint64 other_frames;
  gsize frame_bytes;       /* bytes of received msg.new frames, for their mean size */
  gint64 last_rx_ns;
  guint disconnects;
  GThread *thread;
};

typedef struct
{
  const char *server;
  double rate;
  guint64 sent;
  guint64 expected;
  guint64 received;
  double seconds;          /* first send to last delivery */
  double p50_ms;
  double p99_ms;
  double max_ms;
  double server_user_s;
  double server_sys_s;
  double server_rss_mib;
  double server_hwm_mib;
  double generator_cpu_s;
  double other_cpu_s;      /* the whole machine's busy time less server and generator */
  guint disconnects;
} Result;

static int n_clients = 1000;
static int n_events = 10;
static char *rates_arg = NULL;
static double seconds = 10;
static int text_size = 100;
static int n_threads = 1;
static char *server_arg = NULL;

static GOptionEntry entries[] = {
  { "clients", 'c', 0, G_OPTION_ARG_INT, &n_clients, "Clients (1000)", "N" },
  { "events", 'e', 0, G_OPTION_ARG_INT, &n_events, "Events = rooms = topics (10)", "E" },
  { "rate", 'r', 0, G_OPTION_ARG_STRING, &rates_arg,
    "Messages/s each client sends; a comma list runs each (0.5)", "R[,R...]" },
  { "seconds", 't', 0, G_OPTION_ARG_DOUBLE, &seconds, "Seconds of sending per rate (10)", "S" },
  { "size", 's', 0, G_OPTION_ARG_INT, &text_size, "Bytes of message text (100)", "BYTES" },
  { "threads", 'j', 0, G_OPTION_ARG_INT, &n_threads, "Generator threads (1)", "N" },
  { "server", 0, 0, G_OPTION_ARG_STRING, &server_arg, "both, relay or mosquitto (both)", "S" },
  { NULL }
};

/* Set by the main thread: the workers leave their loops. */
static gint stop_flag;
/* Counted by the workers, read by the main thread to end the drain early. */
static gint senders_done;
static gint64 received_total;
static GMutex received_lock;

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static void
die_errno (const char *what)
{
  g_printerr ("tto-bench-fanout: %s: %s\n", what, g_strerror (errno));
  exit (1);
}

/* Process statistics */

static gboolean
proc_cpu (pid_t pid,
          double *user_s,
          double *sys_s)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  unsigned long utime, stime;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (p = strrchr (text, ')')) == NULL)
    return FALSE;
  /* Fields 3..15 after the command name: state ppid pgrp session tty tpgid
   * flags minflt cminflt majflt cmajflt utime stime. */
  if (sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
    return FALSE;
  *user_s = (double) utime / sysconf (_SC_CLK_TCK);
  *sys_s = (double) stime / sysconf (_SC_CLK_TCK);
  return TRUE;
}

static double
proc_status_mib (pid_t pid,
                 const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *text = NULL;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (p = strstr (text, field)) == NULL)
    return 0;
  return g_ascii_strtod (p + strlen (field), NULL) / 1024.0;
}

/* Busy CPU seconds of the whole machine: on a shared box, others' load
 * shows here and explains a noisy run. */
static double
machine_busy_s (void)
{
  g_autofree char *text = NULL;
  unsigned long long user, nice, sys, idle, iowait, irq, softirq, steal;

  if (!g_file_get_contents ("/proc/stat", &text, NULL, NULL) ||
      sscanf (text, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &sys, &idle,
              &iowait, &irq, &softirq, &steal) != 8)
    return 0;
  return (double) (user + nice + sys + irq + softirq + steal) / sysconf (_SC_CLK_TCK);
}

static double
self_cpu_s (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* The harness does not expose the relay's pid: it is our child whose
 * command line names its database (also when TTO_RELAY_BIN execs valgrind). */
static pid_t
find_relay_pid (const char *database)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *stat_path = g_strdup_printf ("/proc/%s/stat", name);
      g_autofree char *cmd_path = g_strdup_printf ("/proc/%s/cmdline", name);
      g_autofree char *stat = NULL;
      g_autofree char *cmdline = NULL;
      gsize length;
      const char *p;
      int ppid;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (stat_path, &stat, NULL, NULL) ||
          (p = strrchr (stat, ')')) == NULL || sscanf (p + 2, "%*c %d", &ppid) != 1 ||
          ppid != getpid () || !g_file_get_contents (cmd_path, &cmdline, &length, NULL))
        continue;
      /* cmdline separates arguments with NUL */
      for (gsize i = 0; i < length; i++)
        if (cmdline[i] == '\0')
          cmdline[i] = ' ';
      if (strstr (cmdline, database) != NULL)
        return atoi (name);
    }
  return 0;
}

/* Sockets */

static int
connect_loopback (int port)
{
  struct sockaddr_in addr = { 0 };
  struct timeval timeout = { SETUP_TIMEOUT_S, 0 };
  int one = 1;
  int fd;

  fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    die_errno ("socket");
  addr.sin_family = AF_INET;
  addr.sin_port = htons (port);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      close (fd);
      return -1;
    }
  /* Small frames: do not let Nagle hold a send back for an ack. */
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  /* Setup reads block; a server that stops answering fails the run. */
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  return fd;
}

static void
buffer_reserve (char **data,
                gsize *cap,
                gsize needed)
{
  if (needed <= *cap)
    return;
  *cap = MAX (needed, *cap * 2);
  *data = g_realloc (*data, *cap);
}

static void
client_set_out (Client *c,
                gboolean want)
{
  struct epoll_event ev = { .events = EPOLLIN | (want ? EPOLLOUT : 0), .data.ptr = c };

  if (c->want_out == want || c->worker == NULL)
    return;
  c->want_out = want;
  epoll_ctl (c->worker->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void
client_flush (Client *c)
{
  gsize done = 0;

  while (done < c->tx_len)
    {
      ssize_t n = write (c->fd, c->tx + done, c->tx_len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        break;
      if (n < 0)
        {
          c->closed = TRUE;
          c->tx_len = 0;
          return;
        }
      done += n;
    }
  memmove (c->tx, c->tx + done, c->tx_len - done);
  c->tx_len -= done;
  client_set_out (c, c->tx_len > 0);
}

/* Writes now, or keeps what the socket does not take for EPOLLOUT. */
static void
client_write (Client *c,
              const void *data,
              gsize length)
{
  if (c->closed)
    return;
  buffer_reserve (&c->tx, &c->tx_cap, c->tx_len + length);
  memcpy (c->tx + c->tx_len, data, length);
  c->tx_len += length;
  client_flush (c);
}

/* Reads what is there (blocking in setup, not after); FALSE on EOF/error. */
static gboolean
client_read (Client *c)
{
  ssize_t n;

  buffer_reserve (&c->rx, &c->rx_cap, c->rx_len + RX_CHUNK);
  do
    n = read (c->fd, c->rx + c->rx_len, c->rx_cap - c->rx_len);
  while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EAGAIN)
    return TRUE;
  if (n <= 0)
    {
      c->closed = TRUE;
      return FALSE;
    }
  c->rx_len += n;
  return TRUE;
}

/* Framing: RFC 6455 for the relay, MQTT 3.1.1 for Mosquitto */

/* A client frame: FIN, opcode, masked as RFC 6455 requires of clients. */
static void
ws_send (Client *c,
         guint opcode,
         const char *payload,
         gsize length)
{
  guint8 frame[16 + 8192];
  guint8 *mask;
  gsize header = 2;
  guint32 key;

  g_assert (length <= sizeof frame - 16);
  frame[0] = 0x80 | opcode;
  if (length < 126)
    frame[1] = 0x80 | length;
  else
    {
      frame[1] = 0x80 | 126;
      frame[2] = length >> 8;
      frame[3] = length & 0xff;
      header = 4;
    }
  /* xorshift: the mask only has to vary, not to be secret, on loopback */
  key = c->mask_seed;
  key ^= key << 13;
  key ^= key >> 17;
  key ^= key << 5;
  c->mask_seed = key;
  mask = frame + header;
  memcpy (mask, &key, 4);
  for (gsize i = 0; i < length; i++)
    frame[header + 4 + i] = payload[i] ^ mask[i & 3];
  client_write (c, frame, header + 4 + length);
}

static gsize
mqtt_put_length (guint8 *out,
                 gsize length)
{
  gsize n = 0;

  do
    {
      out[n] = length & 0x7f;
      length >>= 7;
      if (length > 0)
        out[n] |= 0x80;
      n++;
    }
  while (length > 0);
  return n;
}

static void
mqtt_send (Client *c,
           guint8 first_byte,
           const void *head,
           gsize head_length,
           const void *payload,
           gsize length)
{
  guint8 frame[16 + 8192];
  gsize n = 1;

  g_assert (head_length + length <= sizeof frame - 16);
  frame[0] = first_byte;
  n += mqtt_put_length (frame + 1, head_length + length);
  memcpy (frame + n, head, head_length);
  memcpy (frame + n + head_length, payload, length);
  client_write (c, frame, n + head_length + length);
}

/* The frame at the start of @data: returns its whole length, or 0 when it
 * has not fully arrived; *type is the WebSocket opcode or MQTT packet type,
 * *payload the application data (MQTT: after the fixed header). */
static gsize
frame_at (ServerKind kind,
          const guint8 *data,
          gsize available,
          guint *type,
          const guint8 **payload,
          gsize *length)
{
  gsize header;
  guint64 len;

  if (available < 2)
    return 0;

  if (kind == SERVER_RELAY)
    {
      *type = data[0] & 0x0f;
      len = data[1] & 0x7f;
      header = 2;
      if (len == 126)
        {
          if (available < 4)
            return 0;
          len = (data[2] << 8) | data[3];
          header = 4;
        }
      else if (len == 127)
        {
          if (available < 10)
            return 0;
          len = 0;
          for (int i = 0; i < 8; i++)
            len = (len << 8) | data[2 + i];
          header = 10;
        }
      if (!(data[0] & 0x80) || (data[1] & 0x80) || len > MAX_FRAME)
        {
          g_printerr ("tto-bench-fanout: unexpected WebSocket frame (fragmented, masked or huge)\n");
          exit (1);
        }
    }
  else
    {
      guint shift = 0;

      *type = data[0] >> 4;
      len = 0;
      header = 1;
      do
        {
          if (header >= available)
            return 0;
          len |= (guint64) (data[header] & 0x7f) << shift;
          shift += 7;
        }
      while (data[header++] & 0x80);
    }

  if (available < header + len)
    return 0;
  *payload = data + header;
  *length = len;
  return header + len;
}

/* Generator hot path */

static void
worker_on_message (Worker *w,
                   const guint8 *payload,
                   gsize length,
                   gsize frame_length,
                   gint64 now)
{
  const guint8 *stamp;
  gint64 sent_ns = 0;

  if (w->bench->kind == SERVER_RELAY)
    {
      /* Only "msg.new" pushes carry a stamp; the text follows "text":". */
      if (memmem (payload, MIN (length, 48), "\"msg.new\"", 9) == NULL ||
          (stamp = memmem (payload, length, "\"text\":\"t=", 10)) == NULL)
        {
          w->other_frames++;
          return;
        }
      stamp += 8;
      w->frame_bytes += frame_length;
    }
  else
    {
      gsize topic_length = (payload[0] << 8) | payload[1];

      stamp = payload + 2 + topic_length;
    }
  if (stamp + STAMP_LEN > payload + length || stamp[0] != 't' || stamp[1] != '=')
    {
      w->other_frames++;
      return;
    }
  for (int i = 2; i < STAMP_LEN; i++)
    sent_ns = sent_ns * 10 + (stamp[i] - '0');

  g_array_append_vals (w->latencies, &(gint64) { now - sent_ns }, 1);
  w->received++;
}

/* Reads and handles everything that has arrived; with @w NULL (between
 * phases) messages are discarded. Returns how many frames were handled. */
static guint
client_on_readable (Client *c,
                    Worker *w,
                    ServerKind kind)
{
  gsize offset = 0;
  guint frames = 0;
  gint64 now;

  if (!client_read (c))
    return 0;
  /* One clock read per read(): frames that came together arrived together. */
  now = now_ns ();

  for (;;)
    {
      const guint8 *payload;
      gsize length;
      guint type;
      gsize size = frame_at (kind, (guint8 *) c->rx + offset, c->rx_len - offset, &type,
                             &payload, &length);

      if (size == 0)
        break;
      frames++;
      if (kind == SERVER_RELAY && type == 0x9)
        ws_send (c, 0xA, (const char *) payload, length); /* pong */
      else if (kind == SERVER_RELAY && type == 0x8)
        c->closed = TRUE;
      else if (w != NULL && ((kind == SERVER_RELAY && type == 0x1) ||
                             (kind == SERVER_MOSQUITTO && type == 3)))
        worker_on_message (w, payload, length, size, now);
      else if (w != NULL)
        w->other_frames++;
      offset += size;
    }
  memmove (c->rx, c->rx + offset, c->rx_len - offset);
  c->rx_len -= offset;
  if (w != NULL && frames > 0)
    w->last_rx_ns = now;
  return frames;
}

static void
client_send_message (Bench *b,
                     Client *c)
{
  g_autofree char *padding = NULL;
  char text[8192];
  gint64 now;
  int n;

  now = now_ns ();
  if (b->kind == SERVER_RELAY)
    {
      padding = g_strnfill (text_size - STAMP_LEN, 'x');
      /* No "id": the relay answers no ok, as an MQTT QoS 0 publish gets no ack. */
      n = snprintf (text, sizeof text,
                    "{\"v\":1,\"type\":\"msg.send\",\"body\":{\"event_id\":\"%s\","
                    "\"client_msg_id\":\"b%u-%u\",\"text\":\"t=%019" G_GINT64_FORMAT "%s\"}}",
                    b->event_ids[c->event], c->index, c->sent, now, padding);
      ws_send (c, 0x1, text, n);
    }
  else
    {
      const char *topic = b->event_ids[c->event];
      gsize topic_length = strlen (topic);
      guint8 head[128];

      head[0] = topic_length >> 8;
      head[1] = topic_length & 0xff;
      memcpy (head + 2, topic, topic_length);
      n = snprintf (text, sizeof text, "t=%019" G_GINT64_FORMAT, now);
      memset (text + n, 'x', b->payload_size - n);
      mqtt_send (c, 0x30, head, 2 + topic_length, text, b->payload_size);
    }
  c->sent++;
}

/* Sends client after client at evenly spaced times, so the offered load is
 * smooth, and handles what arrives in between. */
static gpointer
worker_run (gpointer data)
{
  Worker *w = data;
  Bench *b = w->bench;
  struct epoll_event events[256];
  double interval_ns = 1e9 / (w->count * w->rate);
  guint64 k = 0;
  gboolean sending = TRUE;
  guint64 batch_received = 0;

  while (!g_atomic_int_get (&stop_flag))
    {
      gint64 now = now_ns ();
      int timeout_ms = 50;
      int n;

      while (sending)
        {
          gint64 due = w->start_ns + (gint64) (k * interval_ns);
          Client *c = &b->clients[w->first + k % w->count];

          if (due >= w->send_end_ns)
            {
              sending = FALSE;
              g_atomic_int_inc (&senders_done);
              break;
            }
          if (due > now)
            {
              timeout_ms = (int) ((due - now + 999999) / 1000000);
              break;
            }
          k++;
          if (c->closed)
            continue;
          client_send_message (b, c);
          g_atomic_int_inc (&b->event_sends[c->event]);
          w->sent++;
        }

      n = epoll_wait (w->epfd, events, G_N_ELEMENTS (events), timeout_ms);
      for (int i = 0; i < n; i++)
        {
          Client *c = events[i].data.ptr;

          if (events[i].events & EPOLLOUT)
            client_flush (c);
          if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
            client_on_readable (c, w, b->kind);
          if (c->closed)
            {
              epoll_ctl (w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
              w->disconnects++;
            }
        }

      if (w->received - batch_received > 0)
        {
          g_mutex_lock (&received_lock);
          received_total += w->received - batch_received;
          g_mutex_unlock (&received_lock);
          batch_received = w->received;
        }
    }

  if (sending)
    g_atomic_int_inc (&senders_done);
  return NULL;
}

/* Reads and drops whatever is in flight until the server is quiet. */
static void
quiesce (Bench *b)
{
  int epfd = epoll_create1 (EPOLL_CLOEXEC);
  struct epoll_event events[256];
  guint open = 0;

  for (guint i = 0; i < b->n_clients; i++)
    {
      struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &b->clients[i] };

      if (!b->clients[i].closed && epoll_ctl (epfd, EPOLL_CTL_ADD, b->clients[i].fd, &ev) == 0)
        open++;
    }
  for (;;)
    {
      int n = epoll_wait (epfd, events, G_N_ELEMENTS (events), QUIET_MS);

      if (n <= 0)
        break;
      for (int i = 0; i < n; i++)
        {
          Client *c = events[i].data.ptr;

          client_on_readable (c, NULL, b->kind);
          if (c->closed)
            epoll_ctl (epfd, EPOLL_CTL_DEL, c->fd, NULL);
        }
    }
  close (epfd);
  (void) open;
}

/* Setup (blocking sockets; not measured) */

/* Waits for the answer to request @id, dropping pushes; returns its body. */
static JsonObject *
relay_wait_answer (Client *c,
                   const char *id)
{
  g_autofree char *needle = g_strdup_printf ("\"re\":\"%s\"", id);

  for (;;)
    {
      const guint8 *payload;
      gsize length;
      guint type;
      gsize size;

      while ((size = frame_at (SERVER_RELAY, (guint8 *) c->rx, c->rx_len, &type, &payload,
                               &length)) > 0)
        {
          g_autofree char *text = NULL;
          g_autoptr (JsonNode) root = NULL;
          g_autoptr (GError) error = NULL;
          JsonObject *frame;

          if (type == 0x1 && memmem (payload, length, needle, strlen (needle)) != NULL)
            {
              text = g_strndup ((const char *) payload, length);
              root = json_from_string (text, &error);
              if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
                g_error ("client %u: answer is not a JSON object: %s", c->index, text);
              frame = json_node_get_object (root);
              if (g_strcmp0 (json_object_get_string_member_with_default (frame, "type", ""),
                             "ok") != 0)
                g_error ("client %u: request %s failed: %s", c->index, id, text);
              memmove (c->rx, c->rx + size, c->rx_len - size);
              c->rx_len -= size;
              return json_object_ref (json_object_get_object_member (frame, "body"));
            }
          if (type == 0x9)
            ws_send (c, 0xA, (const char *) payload, length);
          memmove (c->rx, c->rx + size, c->rx_len - size);
          c->rx_len -= size;
        }
      if (!client_read (c))
        g_error ("client %u: the relay closed the connection waiting for %s", c->index, id);
    }
}

static void
relay_request (Client *c,
               const char *id,
               const char *type,
               const char *body_json)
{
  g_autofree char *text = g_strdup_printf ("{\"v\":1,\"type\":\"%s\",\"id\":\"%s\",\"body\":%s}",
                                           type, id, body_json);

  ws_send (c, 0x1, text, strlen (text));
}

static void
relay_handshake (Client *c,
                 int port)
{
  g_autofree char *request = g_strdup_printf (
    "GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n", port);
  const char *end;

  client_write (c, request, strlen (request));
  while ((end = memmem (c->rx, c->rx_len, "\r\n\r\n", 4)) == NULL)
    if (!client_read (c))
      g_error ("client %u: no WebSocket handshake answer", c->index);
  if (c->rx_len < 12 || memcmp (c->rx + 9, "101", 3) != 0)
    g_error ("client %u: WebSocket upgrade refused: %.*s", c->index, (int) (end - c->rx), c->rx);
  /* Frames may follow the headers in the same read. */
  c->rx_len -= end + 4 - c->rx;
  memmove (c->rx, end + 4, c->rx_len);
}

static void
relay_setup (Bench *b)
{
  for (guint i = 0; i < b->n_clients; i++)
    {
      Client *c = &b->clients[i];

      if ((c->fd = connect_loopback (b->port)) < 0)
        die_errno ("connect to the relay");
      relay_handshake (c, b->port);
    }

  /* Pipelined: all requests of a step out, then all answers in, so the
   * relay's SQL pool works on many at once. */
  for (guint i = 0; i < b->n_clients; i++)
    {
      g_autofree char *body = g_strdup_printf (
        "{\"kind\":\"one_time\",\"display_name\":\"bench %u\"}", i);

      relay_request (&b->clients[i], "i", "identity.create", body);
    }
  for (guint i = 0; i < b->n_clients; i++)
    json_object_unref (relay_wait_answer (&b->clients[i], "i"));

  for (guint e = 0; e < b->n_events; e++)
    {
      g_autofree char *body = g_strdup_printf ("{\"title\":\"Fan-out bench %u\"}", e);

      relay_request (&b->clients[e], "e", "event.create", body);
    }
  {
    g_auto (GStrv) invites = g_new0 (char *, b->n_events + 1);

    for (guint e = 0; e < b->n_events; e++)
      {
        g_autoptr (JsonObject) body = relay_wait_answer (&b->clients[e], "e");
        JsonObject *event = json_object_get_object_member (body, "event");

        b->event_ids[e] = g_strdup (json_object_get_string_member (event, "event_id"));
        invites[e] = g_strdup (json_object_get_string_member (event, "invite_code"));
      }
    for (guint i = b->n_events; i < b->n_clients; i++)
      {
        g_autofree char *body = g_strdup_printf ("{\"invite_code\":\"%s\"}",
                                                 invites[b->clients[i].event]);

        relay_request (&b->clients[i], "j", "event.join", body);
      }
  }
  for (guint i = b->n_events; i < b->n_clients; i++)
    json_object_unref (relay_wait_answer (&b->clients[i], "j"));
}

static void
mqtt_wait_packet (Client *c,
                  guint expected_type)
{
  for (;;)
    {
      const guint8 *payload;
      gsize length;
      guint type;
      gsize size = frame_at (SERVER_MOSQUITTO, (guint8 *) c->rx, c->rx_len, &type, &payload,
                             &length);

      if (size > 0)
        {
          memmove (c->rx, c->rx + size, c->rx_len - size);
          c->rx_len -= size;
          if (type == expected_type)
            return;
          continue;
        }
      if (!client_read (c))
        g_error ("client %u: Mosquitto closed the connection", c->index);
    }
}

static void
mqtt_setup (Bench *b)
{
  for (guint i = 0; i < b->n_clients; i++)
    {
      Client *c = &b->clients[i];
      g_autofree char *client_id = g_strdup_printf ("bench-%u", i);
      gsize id_length = strlen (client_id);
      /* CONNECT: "MQTT", level 4 (3.1.1), clean session, keep-alive 0 (off) */
      guint8 head[64] = { 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 0, 0, id_length };

      if ((c->fd = connect_loopback (b->port)) < 0)
        die_errno ("connect to Mosquitto");
      mqtt_send (c, 0x10, head, 12, client_id, id_length);
      mqtt_wait_packet (c, 2); /* CONNACK */
    }
  for (guint i = 0; i < b->n_clients; i++)
    {
      Client *c = &b->clients[i];
      const char *topic = b->event_ids[c->event];
      gsize topic_length = strlen (topic);
      guint8 head[4] = { 0, 1, topic_length >> 8, topic_length & 0xff };
      guint8 qos = 0;
      g_autofree char *tail = g_strdup_printf ("%s%c", topic, qos);

      mqtt_send (c, 0x82, head, 4, tail, topic_length + 1); /* SUBSCRIBE, packet id 1 */
    }
  for (guint i = 0; i < b->n_clients; i++)
    mqtt_wait_packet (&b->clients[i], 9); /* SUBACK */
}

/* Servers */

static int
free_port (void)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t length = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int port;

  if (fd < 0 || bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0 ||
      getsockname (fd, (struct sockaddr *) &addr, &length) < 0)
    die_errno ("finding a free port");
  port = ntohs (addr.sin_port);
  close (fd);
  return port;
}

static void
mosquitto_child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static char *
find_mosquitto (void)
{
  const char *env = g_getenv ("TTO_MOSQUITTO_BIN");
  char *path;

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  path = g_find_program_in_path ("mosquitto");
  if (path == NULL && g_file_test ("/usr/sbin/mosquitto", G_FILE_TEST_IS_EXECUTABLE))
    path = g_strdup ("/usr/sbin/mosquitto");
  return path;
}

static pid_t
mosquitto_start (const char *binary,
                 int port,
                 char **out_dir)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tto-bench-mosquitto-XXXXXX", &error);
  g_autofree char *conf = NULL;
  g_autofree char *text = NULL;
  const char *argv[] = { binary, "-c", NULL, NULL };
  GPid pid;
  int fd;

  if (dir == NULL)
    g_error ("%s", error->message);
  conf = g_build_filename (dir, "mosquitto.conf", NULL);
  /* max_queued_messages: QoS 0 messages to a busy client are queued, not
   * dropped, up to this bound, as the relay queues them too.
   * set_tcp_nodelay: the relay's sockets (libsoup) have TCP_NODELAY; with
   * Mosquitto's default (Nagle on) its writes wait for acks, which saves it
   * CPU per delivery and costs ~40 ms (delayed ack) of p99 latency. */
  text = g_strdup_printf ("listener %d 127.0.0.1\nallow_anonymous true\n"
                          "max_queued_messages 100000\npersistence false\n"
                          "set_tcp_nodelay true\n"
                          "log_dest stderr\nlog_type error\nlog_type warning\n", port);
  if (!g_file_set_contents (conf, text, -1, &error))
    g_error ("%s", error->message);
  argv[2] = conf;
  if (!g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                      mosquitto_child_setup, NULL, &pid, &error))
    g_error ("cannot start %s: %s", binary, error->message);

  for (int tries = 0; tries < 100; tries++)
    {
      if ((fd = connect_loopback (port)) >= 0)
        {
          close (fd);
          *out_dir = g_steal_pointer (&dir);
          return pid;
        }
      g_usleep (50000);
    }
  g_error ("Mosquitto did not listen on port %d within 5 s", port);
}

/* Measurement */

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static double
percentile_ms (GArray *sorted,
               double p)
{
  guint index;

  if (sorted->len == 0)
    return 0;
  index = (guint) (p * (sorted->len - 1) + 0.5);
  return g_array_index (sorted, gint64, MIN (index, sorted->len - 1)) / 1e6;
}

static Result
run_phase (Bench *b,
           Worker *workers,
           double rate)
{
  Result r = { .server = b->name, .rate = rate };
  g_autoptr (GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));
  double user0, sys0, user1, sys1, gen0, busy0;
  gint64 start, last_rx = 0;
  gsize frame_bytes = 0;

  g_atomic_int_set (&stop_flag, 0);
  g_atomic_int_set (&senders_done, 0);
  received_total = 0;
  for (guint e = 0; e < b->n_events; e++)
    b->event_sends[e] = 0;

  if (!proc_cpu (b->pid, &user0, &sys0))
    g_error ("cannot read /proc/%d/stat: the server is gone", (int) b->pid);
  gen0 = self_cpu_s ();
  busy0 = machine_busy_s ();
  start = now_ns () + 20 * G_GINT64_CONSTANT (1000000);

  for (int t = 0; t < n_threads; t++)
    {
      Worker *w = &workers[t];

      w->rate = rate;
      /* Threads interleave their send times instead of sending together. */
      w->start_ns = start + (gint64) (1e9 / (b->n_clients * rate) * t);
      w->send_end_ns = start + (gint64) (seconds * 1e9);
      w->latencies = g_array_sized_new (FALSE, FALSE, sizeof (gint64),
                                        (guint) MIN (seconds * rate * w->count * 200, 4e7));
      w->sent = w->received = w->other_frames = 0;
      w->frame_bytes = 0;
      w->last_rx_ns = 0;
      w->thread = g_thread_new ("fanout-worker", worker_run, w);
    }

  /* The main thread only watches: it iterates the default context (the
   * harness reads the relay's stdout there) and ends the drain. */
  for (;;)
    {
      gint64 now;
      gint64 received;

      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (10000);
      now = now_ns ();
      if (g_atomic_int_get (&senders_done) < n_threads)
        continue;
      r.expected = 0;
      for (guint e = 0; e < b->n_events; e++)
        r.expected += (guint64) g_atomic_int_get (&b->event_sends[e]) * b->members[e];
      g_mutex_lock (&received_lock);
      received = received_total;
      g_mutex_unlock (&received_lock);
      if ((guint64) received >= r.expected || now > start + (gint64) (seconds * 1e9) + DRAIN_NS)
        break;
    }
  g_atomic_int_set (&stop_flag, 1);
  for (int t = 0; t < n_threads; t++)
    g_thread_join (workers[t].thread);

  if (!proc_cpu (b->pid, &user1, &sys1))
    g_error ("cannot read /proc/%d/stat: the server is gone", (int) b->pid);
  r.generator_cpu_s = self_cpu_s () - gen0;
  r.server_user_s = user1 - user0;
  r.server_sys_s = sys1 - sys0;
  r.other_cpu_s = MAX (0, machine_busy_s () - busy0 - r.server_user_s - r.server_sys_s -
                          r.generator_cpu_s);
  r.server_rss_mib = proc_status_mib (b->pid, "VmRSS:");
  r.server_hwm_mib = proc_status_mib (b->pid, "VmHWM:");

  for (int t = 0; t < n_threads; t++)
    {
      Worker *w = &workers[t];

      r.sent += w->sent;
      r.received += w->received;
      r.disconnects += w->disconnects;
      frame_bytes += w->frame_bytes;
      last_rx = MAX (last_rx, w->last_rx_ns);
      g_array_append_vals (all, w->latencies->data, w->latencies->len);
      g_clear_pointer (&w->latencies, g_array_unref);
    }
  if (b->kind == SERVER_RELAY && r.received > 0)
    b->frame_size = frame_bytes / r.received;
  r.seconds = (last_rx > start ? last_rx - start : 1) / 1e9;
  g_array_sort (all, compare_gint64);
  r.p50_ms = percentile_ms (all, 0.50);
  r.p99_ms = percentile_ms (all, 0.99);
  r.max_ms = all->len > 0 ? g_array_index (all, gint64, all->len - 1) / 1e6 : 0;

  quiesce (b);
  return r;
}

static void
bench_init (Bench *b,
            ServerKind kind)
{
  memset (b, 0, sizeof *b);
  b->kind = kind;
  b->name = kind == SERVER_RELAY ? "tto-relay" : "mosquitto";
  b->n_clients = n_clients;
  b->n_events = n_events;
  b->clients = g_new0 (Client, n_clients);
  b->event_ids = g_new0 (char *, n_events + 1);
  b->members = g_new0 (guint, n_events);
  b->event_sends = g_new0 (gint, n_events);
  for (guint i = 0; i < b->n_clients; i++)
    {
      b->clients[i].index = i;
      b->clients[i].event = i % n_events;
      b->clients[i].fd = -1;
      b->clients[i].mask_seed = 2463534242u + i;
      b->members[i % n_events]++;
    }
}

static void
bench_clear (Bench *b)
{
  for (guint i = 0; i < b->n_clients; i++)
    {
      if (b->clients[i].fd >= 0)
        close (b->clients[i].fd);
      g_free (b->clients[i].rx);
      g_free (b->clients[i].tx);
    }
  g_free (b->clients);
  g_strfreev (b->event_ids);
  g_free (b->members);
  g_free (b->event_sends);
}

/* Connected and set up: the sockets go non-blocking into the workers' epolls. */
static void
workers_init (Bench *b,
              Worker *workers)
{
  for (int t = 0; t < n_threads; t++)
    {
      Worker *w = &workers[t];

      memset (w, 0, sizeof *w);
      w->bench = b;
      w->first = b->n_clients * t / n_threads;
      w->count = b->n_clients * (t + 1) / n_threads - w->first;
      w->epfd = epoll_create1 (EPOLL_CLOEXEC);
      for (guint i = w->first; i < w->first + w->count; i++)
        {
          Client *c = &b->clients[i];
          struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

          fcntl (c->fd, F_SETFL, fcntl (c->fd, F_GETFL) | O_NONBLOCK);
          c->worker = w;
          if (epoll_ctl (w->epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0)
            die_errno ("epoll_ctl");
        }
    }
}

static void
workers_clear (Worker *workers)
{
  for (int t = 0; t < n_threads; t++)
    close (workers[t].epfd);
}

static void
run_server (ServerKind kind,
            const double *rates,
            guint n_rates,
            gsize relay_frame_size,
            GArray *results,
            gsize *out_frame_size)
{
  g_autofree Worker *workers = g_new0 (Worker, n_threads);
  g_autofree char *mosquitto_dir = NULL;
  g_autofree char *mosquitto_bin = NULL;
  TtoTestRelay *relay = NULL;
  Bench b;
  gint64 t0;

  bench_init (&b, kind);
  t0 = g_get_monotonic_time ();
  if (kind == SERVER_RELAY)
    {
      g_autoptr (GUri) uri = NULL;

      relay = tto_test_relay_start (600);
      uri = g_uri_parse (tto_test_relay_get_ws_url (relay), G_URI_FLAGS_NONE, NULL);
      b.port = g_uri_get_port (uri);
      b.pid = find_relay_pid (tto_test_relay_get_database (relay));
      if (b.pid == 0)
        g_error ("cannot find the relay's process");
      relay_setup (&b);
    }
  else
    {
      mosquitto_bin = find_mosquitto ();
      b.port = free_port ();
      b.pid = mosquitto_start (mosquitto_bin, b.port, &mosquitto_dir);
      for (guint e = 0; e < b.n_events; e++)
        b.event_ids[e] = g_strdup_printf ("ev/%u", e);
      /* Deliver as many bytes per message as the relay did: its msg.new frame
       * (or an estimate when it did not run) less PUBLISH header and topic. */
      b.payload_size = relay_frame_size > 0 ? relay_frame_size : (gsize) text_size + 210;
      b.payload_size = CLAMP (b.payload_size - 5 - strlen (b.event_ids[0]), STAMP_LEN + 1, 8000);
      mqtt_setup (&b);
    }
  g_print ("%s: %u clients in %u events set up in %.1f s (pid %d)\n", b.name, b.n_clients,
           b.n_events, (g_get_monotonic_time () - t0) / 1e6, (int) b.pid);

  workers_init (&b, workers);
  quiesce (&b);

  for (guint i = 0; i < n_rates; i++)
    {
      Result r = run_phase (&b, workers, rates[i]);

      g_print ("%s: rate %.3g/s: sent %" G_GUINT64_FORMAT ", delivered %" G_GUINT64_FORMAT
               " of %" G_GUINT64_FORMAT ", server CPU user %.2f s sys %.2f s, peak RSS %.1f MiB%s\n",
               b.name, r.rate, r.sent, r.received, r.expected, r.server_user_s, r.server_sys_s,
               r.server_hwm_mib, r.disconnects > 0 ? " (clients disconnected!)" : "");
      g_array_append_val (results, r);
    }
  if (kind == SERVER_RELAY)
    *out_frame_size = b.frame_size;
  else
    g_print ("mosquitto: payload %zu bytes per message (relay msg.new frame: %zu)\n",
             b.payload_size, relay_frame_size);

  workers_clear (workers);
  bench_clear (&b);
  if (relay != NULL)
    tto_test_relay_stop (relay);
  if (kind == SERVER_MOSQUITTO)
    {
      kill (b.pid, SIGTERM);
      waitpid (b.pid, NULL, 0);
      g_spawn_close_pid (b.pid);
      if (mosquitto_dir != NULL)
        {
          g_autofree char *conf = g_build_filename (mosquitto_dir, "mosquitto.conf", NULL);

          unlink (conf);
          rmdir (mosquitto_dir);
        }
    }
}

/* Output */

static double
deliveries_per_s (const Result *r)
{
  return r->received / r->seconds;
}

static double
cpu_per_1k (const Result *r)
{
  return r->received > 0 ? (r->server_user_s + r->server_sys_s) / r->received * 1000 : 0;
}

static void
print_results (GArray *results)
{
  g_print ("\n%-10s %7s %6s %7s %11s %13s %7s %7s %8s %12s %9s %9s %10s %8s\n", "server", "clients",
           "events", "rate/s", "offered/s", "deliveries/s", "p50 ms", "p99 ms", "max ms",
           "CPU s/1k del", "server %", "RSS MiB", "gen CPU %", "other %");
  for (guint i = 0; i < results->len; i++)
    {
      Result *r = &g_array_index (results, Result, i);
      double offered = n_clients * r->rate * ((double) n_clients / n_events);

      g_print ("%-10s %7d %6d %7.3g %11.0f %13.0f %7.2f %7.2f %8.2f %12.4f %9.0f %9.1f %10.0f %8.0f%s\n",
               r->server, n_clients, n_events, r->rate, offered, deliveries_per_s (r), r->p50_ms,
               r->p99_ms, r->max_ms, cpu_per_1k (r),
               (r->server_user_s + r->server_sys_s) / r->seconds * 100, r->server_rss_mib,
               r->generator_cpu_s / r->seconds * 100, r->other_cpu_s / r->seconds * 100,
               r->received < r->expected ? "  (lost/late)" : "");
    }

  g_print ("\n");
  for (guint i = 0; i < results->len; i++)
    {
      Result *t = &g_array_index (results, Result, i);

      if (!g_str_equal (t->server, "tto-relay"))
        continue;
      for (guint j = 0; j < results->len; j++)
        {
          Result *m = &g_array_index (results, Result, j);

          if (!g_str_equal (m->server, "mosquitto") || m->rate != t->rate)
            continue;
          g_print ("ratio (tto/mosquitto) at rate %.3g/s: deliveries/s %.2f  CPU per delivery %.2f"
                   "  p99 %.2f\n", t->rate, deliveries_per_s (t) / deliveries_per_s (m),
                   cpu_per_1k (m) > 0 ? cpu_per_1k (t) / cpu_per_1k (m) : 0,
                   m->p99_ms > 0 ? t->p99_ms / m->p99_ms : 0);
        }
    }
  for (guint i = 0; i < results->len; i++)
    {
      Result *r = &g_array_index (results, Result, i);

      /* One core's worth of CPU at the measured cost: a ceiling, not a measurement. */
      if (cpu_per_1k (r) > 0)
        g_print ("%s at rate %.3g/s: %.1f us CPU per delivery (user %.0f%%), one core would "
                 "carry ~%.0f deliveries/s\n", r->server, r->rate, cpu_per_1k (r) * 1000,
                 r->server_user_s / (r->server_user_s + r->server_sys_s) * 100,
                 1000 / cpu_per_1k (r));
      if (g_str_equal (r->server, "tto-relay") && deliveries_per_s (r) > 45000 &&
          deliveries_per_s (r) < 55000)
        g_print ("target p99 < 5 ms at ~50,000 deliveries/s: %s (p99 %.2f ms at %.0f/s)\n",
                 r->p99_ms < 5 ? "met" : "MISSED", r->p99_ms, deliveries_per_s (r));
    }
}

int
main (int argc,
      char *argv[])
{
  g_autoptr (GOptionContext) context = g_option_context_new ("- fan-out benchmark, relay vs Mosquitto");
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) results = g_array_new (FALSE, FALSE, sizeof (Result));
  g_autoptr (GArray) rates = g_array_new (FALSE, FALSE, sizeof (double));
  g_auto (GStrv) rate_list = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *mosquitto = NULL;
  gboolean want_relay, want_mosquitto;
  gsize frame_size = 0;
  struct rlimit limit;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  rate_list = g_strsplit (rates_arg != NULL ? rates_arg : "0.5", ",", -1);
  for (guint i = 0; rate_list[i] != NULL; i++)
    {
      double rate = g_ascii_strtod (rate_list[i], NULL);

      if (rate <= 0)
        {
          g_printerr ("--rate: '%s' is not a positive number\n", rate_list[i]);
          return 2;
        }
      g_array_append_val (rates, rate);
    }
  if (n_clients < 1 || n_events < 1 || n_events > n_clients || seconds <= 0 ||
      text_size < STAMP_LEN + 1 || text_size > 4000 || n_threads < 1 || n_threads > n_clients)
    {
      g_printerr ("need 1 <= --events <= --clients, --seconds > 0, --size %d..4000, "
                  "1 <= --threads <= --clients\n", STAMP_LEN + 1);
      return 2;
    }
  want_relay = server_arg == NULL || g_str_equal (server_arg, "both") ||
               g_str_equal (server_arg, "relay");
  want_mosquitto = server_arg == NULL || g_str_equal (server_arg, "both") ||
                   g_str_equal (server_arg, "mosquitto");

  /* One socket per client on our side, and on the server's (they inherit it). */
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
      if (limit.rlim_cur < (rlim_t) n_clients + 64)
        g_printerr ("warning: only %lu open files allowed for %d clients\n",
                    (unsigned long) limit.rlim_cur, n_clients);
    }
  /* A server that drops a client must not kill us with SIGPIPE. */
  signal (SIGPIPE, SIG_IGN);

  if (want_relay && !tto_test_relay_available (&reason))
    {
      g_print ("relay skipped: %s\n", reason);
      want_relay = FALSE;
    }
  mosquitto = find_mosquitto ();
  if (want_mosquitto && mosquitto == NULL)
    {
      g_print ("mosquitto skipped: not found (apt-get install mosquitto, or TTO_MOSQUITTO_BIN)\n");
      want_mosquitto = FALSE;
    }
  if (!want_relay && !want_mosquitto)
    return 77;

  g_print ("fan-out: %d clients, %d events (%d members each), %d-byte text, %.0f s per rate, "
           "%d generator thread(s); every member counts, the sender's echo included\n",
           n_clients, n_events, n_clients / n_events, text_size, seconds, n_threads);

  if (want_relay)
    run_server (SERVER_RELAY, (double *) rates->data, rates->len, 0, results, &frame_size);
  if (want_mosquitto)
    run_server (SERVER_MOSQUITTO, (double *) rates->data, rates->len, frame_size, results, NULL);

  print_results (results);
  return 0;
}
