/* tto-relay-wire.c: the relay's own WebSocket transport
 *
 * libsoup does the HTTP upgrade; then the relay takes the socket. Two things
 * make fan-out cheap here, which SoupWebsocketConnection cannot do: a frame
 * to many members is encoded once and the same bytes are queued to all of
 * them (server frames are not masked), and each connection's queue is
 * written with one writev () per main-loop turn, however many frames
 * arrived for it meanwhile. All sockets share one epoll set behind a
 * single GSource, so a main-loop turn costs the same with ten connections
 * or ten thousand (GLib would poll and check one source per socket).
 *
 * Over TLS the bytes on the socket are records, so reads and writes go
 * through the GTlsConnection's pollable streams instead, still driven by
 * the same epoll set on the socket underneath. Two things differ: a turn's
 * frames are copied into one buffer of a TLS record's size and written in
 * one call (one record, one send (), instead of one record per frame), and
 * a read drains what the TLS library decrypted, since bytes it buffered
 * leave the socket quiet and epoll would never report them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <gio/gfiledescriptorbased.h>

#include "tto-relay-wire.h"

#define OPCODE_CONTINUATION 0x0
#define OPCODE_TEXT 0x1
#define OPCODE_BINARY 0x2
#define OPCODE_CLOSE 0x8
#define OPCODE_PING 0x9
#define OPCODE_PONG 0xA

#define READ_CHUNK (64 * 1024)
#define MAX_IOV 64
/* The largest TLS record's payload (RFC 8446 5.1): what one write sends. */
#define TLS_RECORD_SIZE (16 * 1024)
/* Chunks one TLS connection may read per turn before the others' turn. */
#define TLS_READS_PER_TURN 8

typedef enum
{
  WIRE_OPEN,
  WIRE_CLOSING, /* our close frame is queued; nothing else goes out */
  WIRE_CLOSED,
} WireState;

struct _TtoRelayWire
{
  GIOStream *stream;
  GSocket *socket;
  int fd;
  gboolean want_write; /* EPOLLOUT is in its interest set */
  /* TLS: reads and writes go through these; NULL on a plain socket. */
  GPollableInputStream *tls_input;
  GPollableOutputStream *tls_output;
  gboolean read_pending; /* in the pending-reads list */

  const TtoRelayWireCallbacks *callbacks;
  gpointer user_data;

  gsize max_payload;
  gsize max_queued;

  GByteArray *in;        /* bytes read, not yet a whole frame */
  GByteArray *fragments; /* a fragmented message being joined */
  guint8 fragments_opcode;

  GQueue out;        /* GBytes frames */
  gsize out_offset;  /* sent bytes of the head frame */
  gsize out_bytes;   /* queued, not yet sent */
  gboolean dirty;    /* in the flush list */

  WireState state;
  gint64 last_seen;  /* monotonic µs of the last byte read */
  gboolean ping_sent;
  gboolean notified;
  guint notify_source;
};

/* Connections with frames waiting, written once per main-loop turn. */
static GPtrArray *dirty_wires;
static guint flush_source;

/* The epoll set of every wire, and the one GSource that watches it. */
static int epoll_fd = -1;
static GSource *epoll_source;

/* TLS wires that stopped reading with bytes perhaps still decrypted inside
 * the TLS library; read again in the next turn. */
static GPtrArray *pending_reads;

#define MAX_EVENTS 256

static void wire_shutdown (TtoRelayWire *wire);

static GBytes *
encode_frame (guint8 opcode,
                             const void *payload,
                             gsize length)
{
  gsize header = length < 126 ? 2 : length <= G_MAXUINT16 ? 4 : 10;
  guint8 *frame = g_malloc (header + length);

  frame[0] = 0x80 | opcode; /* FIN: the relay never fragments */
  if (length < 126)
    frame[1] = (guint8) length;
  else if (length <= G_MAXUINT16)
    {
      frame[1] = 126;
      frame[2] = (guint8) (length >> 8);
      frame[3] = (guint8) length;
    }
  else
    {
      frame[1] = 127;
      for (int i = 0; i < 8; i++)
        frame[2 + i] = (guint8) ((guint64) length >> (56 - 8 * i));
    }
  if (length > 0)
    memcpy (frame + header, payload, length);

  return g_bytes_new_take (frame, header + length);
}

GBytes *
tto_relay_wire_encode_text (const char *text,
                            gsize length)
{
  return encode_frame (OPCODE_TEXT, text, length);
}

static gboolean
on_flush (gpointer user_data)
{
  tto_relay_wire_flush_all ();
  flush_source = 0;
  return G_SOURCE_REMOVE;
}

static void
mark_dirty (TtoRelayWire *wire)
{
  if (wire->dirty)
    return;

  wire->dirty = TRUE;
  if (dirty_wires == NULL)
    dirty_wires = g_ptr_array_new ();
  g_ptr_array_add (dirty_wires, wire);

  /* Default priority, so a busy stream of reads cannot starve it; it runs
   * in the next turn, after this turn's reads have queued their frames. */
  if (flush_source == 0)
    {
      GSource *source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, on_flush, NULL, NULL);
      g_source_set_static_name (source, "[tto-relay] flush");
      flush_source = g_source_attach (source, NULL);
      g_source_unref (source);
    }
}


/* One writev () of up to 64 frames. Returns the bytes written, 0 when the
 * socket is full, -1 when the peer is gone. */
static gssize
write_plain (TtoRelayWire *wire)
{
  struct iovec iov[MAX_IOV];
  int n = 0;
  ssize_t written;

  for (GList *l = wire->out.head; l != NULL && n < MAX_IOV; l = l->next, n++)
    {
      gsize size;
      const guint8 *data = g_bytes_get_data (l->data, &size);

      iov[n].iov_base = (void *) (data + (n == 0 ? wire->out_offset : 0));
      iov[n].iov_len = size - (n == 0 ? wire->out_offset : 0);
    }

  do
    written = writev (wire->fd, iov, n);
  while (written < 0 && errno == EINTR);

  if (written < 0)
    return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;

  return written;
}

/* One TLS record of the queued frames, copied together. After a would-block
 * the TLS library keeps the record it encrypted and must be handed the same
 * bytes again: the queue has not moved, so the copy starts alike. */
static gssize
write_tls (TtoRelayWire *wire)
{
  static guint8 record[TLS_RECORD_SIZE];
  g_autoptr (GError) error = NULL;
  gsize length = 0;
  gssize written;

  for (GList *l = wire->out.head; l != NULL && length < sizeof record; l = l->next)
    {
      gsize size;
      const guint8 *data = g_bytes_get_data (l->data, &size);
      gsize skip = l == wire->out.head ? wire->out_offset : 0;
      gsize take = MIN (size - skip, sizeof record - length);

      memcpy (record + length, data + skip, take);
      length += take;
    }

  written = g_pollable_output_stream_write_nonblocking (wire->tls_output, record, length, NULL,
                                                        &error);
  /* Frames may hold message text. */
  explicit_bzero (record, length);

  if (written < 0)
    return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK) ? 0 : -1;

  return written;
}

/* Writes as much of the queue as the socket takes: on a plain socket one
 * writev () per 64 frames, over TLS one write per record. */
static void
wire_write (TtoRelayWire *wire)
{
  while (wire->out.length > 0)
    {
      gssize written = wire->tls_output != NULL ? write_tls (wire) : write_plain (wire);

      if (written == 0)
        break;
      if (written < 0)
        {
          /* The peer is gone (EPIPE, ECONNRESET, a TLS error). */
          wire_shutdown (wire);
          return;
        }

      wire->out_bytes -= (gsize) written;
      while (written > 0)
        {
          gsize size = g_bytes_get_size (wire->out.head->data) - wire->out_offset;

          if ((gsize) written < size)
            {
              wire->out_offset += (gsize) written;
              written = 0;
            }
          else
            {
              written -= (gssize) size;
              wire->out_offset = 0;
              g_bytes_unref (g_queue_pop_head (&wire->out));
            }
        }
    }

  /* Ask epoll to say when a full socket can take more. */
  if ((wire->out.length > 0) != wire->want_write && wire->state != WIRE_CLOSED)
    {
      struct epoll_event event = { 0 };

      wire->want_write = wire->out.length > 0;
      event.events = EPOLLIN | EPOLLRDHUP | (wire->want_write ? EPOLLOUT : 0);
      event.data.ptr = wire;
      epoll_ctl (epoll_fd, EPOLL_CTL_MOD, wire->fd, &event);
    }

  /* Our close frame is out: the conversation is over. */
  if (wire->out.length == 0 && wire->state == WIRE_CLOSING)
    wire_shutdown (wire);
}


void
tto_relay_wire_flush_all (void)
{
  g_autoptr (GPtrArray) wires = g_steal_pointer (&dirty_wires);

  for (guint i = 0; wires != NULL && i < wires->len; i++)
    {
      TtoRelayWire *wire = wires->pdata[i];

      /* NULL: the wire was freed after it was queued. */
      if (wire == NULL)
        continue;
      wire->dirty = FALSE;
      if (wire->state != WIRE_CLOSED)
        wire_write (wire);
    }
}

static void
queue_frame (TtoRelayWire *wire,
             GBytes *frame)
{
  if (wire->state != WIRE_OPEN)
    return;

  /* A reader that cannot keep up is dropped rather than buffered without
   * bound; it resumes from its last seq when it comes back. */
  if (wire->out_bytes + g_bytes_get_size (frame) > wire->max_queued)
    {
      g_debug ("dropping a connection whose queue exceeds %" G_GSIZE_FORMAT " bytes",
               wire->max_queued);
      wire_shutdown (wire);
      return;
    }

  g_queue_push_tail (&wire->out, g_bytes_ref (frame));
  wire->out_bytes += g_bytes_get_size (frame);
  mark_dirty (wire);
}

void
tto_relay_wire_send (TtoRelayWire *wire,
                     GBytes *frame)
{
  g_return_if_fail (wire != NULL);

  queue_frame (wire, frame);
}

void
tto_relay_wire_send_text (TtoRelayWire *wire,
                          const char *text)
{
  g_autoptr (GBytes) frame = tto_relay_wire_encode_text (text, strlen (text));

  queue_frame (wire, frame);
}

static void
send_control (TtoRelayWire *wire,
              guint8 opcode,
              const void *payload,
              gsize length)
{
  g_autoptr (GBytes) frame = encode_frame (opcode, payload, length);

  queue_frame (wire, frame);
}

void
tto_relay_wire_close (TtoRelayWire *wire,
                      gushort code,
                      const char *reason)
{
  guint8 payload[125];
  gsize length = 2;

  if (wire->state != WIRE_OPEN)
    return;

  payload[0] = (guint8) (code >> 8);
  payload[1] = (guint8) code;
  if (reason != NULL)
    {
      gsize reason_length = MIN (strlen (reason), sizeof payload - 2);

      memcpy (payload + 2, reason, reason_length);
      length += reason_length;
    }
  send_control (wire, OPCODE_CLOSE, payload, length);
  wire->state = WIRE_CLOSING;
  /* Do not wait for the turn's flush: nothing else goes after a close. */
  wire_write (wire);
}

gboolean
tto_relay_wire_is_open (TtoRelayWire *wire)
{
  return wire != NULL && wire->state == WIRE_OPEN;
}

/* Pings a quiet connection; drops one that stayed silent after a ping. */
void
tto_relay_wire_keepalive (TtoRelayWire *wire,
                          gint64 now,
                          gint64 idle_timeout)
{
  if (wire->state != WIRE_OPEN || now - wire->last_seen < idle_timeout)
    return;

  if (wire->ping_sent)
    {
      wire_shutdown (wire);
      return;
    }

  send_control (wire, OPCODE_PING, NULL, 0);
  wire->ping_sent = TRUE;
}

static gboolean
on_notify_closed (gpointer user_data)
{
  TtoRelayWire *wire = user_data;

  wire->notify_source = 0;
  wire->notified = TRUE;
  wire->callbacks->closed (wire, wire->user_data);

  return G_SOURCE_REMOVE;
}

/* Closes the socket at once and tells the owner, once. */
static void
wire_shutdown (TtoRelayWire *wire)
{
  if (wire->state == WIRE_CLOSED)
    return;

  wire->state = WIRE_CLOSED;
  epoll_ctl (epoll_fd, EPOLL_CTL_DEL, wire->fd, NULL);
  g_queue_clear_full (&wire->out, (GDestroyNotify) g_bytes_unref);
  wire->out_bytes = 0;
  /* Closing a TLS stream writes close_notify, waiting for a full socket
   * (a reader too slow is why we may be here): end the sending side first
   * so that the write fails at once instead of stalling the relay. */
  if (wire->tls_output != NULL)
    g_socket_shutdown (wire->socket, FALSE, TRUE, NULL);
  g_io_stream_close (wire->stream, NULL, NULL);

  /* Tell the owner from a clean stack: it may free the wire. */
  if (!wire->notified && wire->notify_source == 0)
    wire->notify_source = g_idle_add (on_notify_closed, wire);
}

/* Protocol violations close with a code, as RFC 6455 asks. */
static void
fail (TtoRelayWire *wire,
      gushort code,
      const char *reason)
{
  tto_relay_wire_close (wire, code, reason);
  if (wire->state != WIRE_CLOSED)
    wire_shutdown (wire);
}

static void
deliver (TtoRelayWire *wire,
         guint8 opcode,
         guint8 *payload,
         gsize length)
{
  g_autoptr (GBytes) bytes = NULL;

  if (opcode == OPCODE_TEXT && !g_utf8_validate ((const char *) payload, (gssize) length, NULL))
    {
      fail (wire, 1007, "text frame is not valid UTF-8");
      return;
    }

  bytes = g_bytes_new (payload, length);
  wire->callbacks->message (wire, opcode == OPCODE_TEXT, bytes, wire->user_data);
}

/* Handles one whole frame; returns FALSE when the wire is closed. */
static gboolean
handle_frame (TtoRelayWire *wire,
              gboolean fin,
              guint8 opcode,
              guint8 *payload,
              gsize length)
{
  switch (opcode)
    {
    case OPCODE_PING:
      send_control (wire, OPCODE_PONG, payload, length);
      return TRUE;

    case OPCODE_PONG:
      return TRUE;

    case OPCODE_CLOSE:
      /* Echo the code, then hang up. */
      if (wire->state == WIRE_OPEN)
        {
          gushort code = length >= 2 ? (gushort) ((payload[0] << 8) | payload[1]) : 1000;

          tto_relay_wire_close (wire, code == 1005 || code == 1006 ? 1000 : code, NULL);
        }
      if (wire->state != WIRE_CLOSED)
        wire_shutdown (wire);
      return FALSE;

    case OPCODE_TEXT:
    case OPCODE_BINARY:
      if (wire->fragments->len > 0)
        {
          fail (wire, 1002, "new message inside a fragmented one");
          return FALSE;
        }
      if (fin)
        {
          deliver (wire, opcode, payload, length);
          return wire->state == WIRE_OPEN;
        }
      wire->fragments_opcode = opcode;
      g_byte_array_append (wire->fragments, payload, (guint) length);
      return TRUE;

    case OPCODE_CONTINUATION:
      if (wire->fragments_opcode == 0)
        {
          fail (wire, 1002, "continuation without a message");
          return FALSE;
        }
      if (wire->fragments->len + length > wire->max_payload)
        {
          fail (wire, 1009, "message too big");
          return FALSE;
        }
      g_byte_array_append (wire->fragments, payload, (guint) length);
      if (fin)
        {
          guint8 kind = wire->fragments_opcode;

          deliver (wire, kind, wire->fragments->data, wire->fragments->len);
          explicit_bzero (wire->fragments->data, wire->fragments->len);
          g_byte_array_set_size (wire->fragments, 0);
          wire->fragments_opcode = 0;
        }
      return wire->state == WIRE_OPEN;

    default:
      fail (wire, 1002, "unknown opcode");
      return FALSE;
    }
}

/* Parses every whole frame in the input buffer. */
static void
parse_frames (TtoRelayWire *wire)
{
  gsize consumed = 0;

  while (wire->state == WIRE_OPEN)
    {
      guint8 *p = wire->in->data + consumed;
      gsize available = wire->in->len - consumed;
      gsize header = 2;
      guint64 length;
      guint8 mask[4];
      gboolean fin;
      guint8 opcode;

      if (available < 2)
        break;

      fin = (p[0] & 0x80) != 0;
      opcode = p[0] & 0x0F;
      if ((p[0] & 0x70) != 0)
        {
          fail (wire, 1002, "reserved bits set (no extension was negotiated)");
          return;
        }
      /* RFC 6455 5.1: a client masks every frame. */
      if ((p[1] & 0x80) == 0)
        {
          fail (wire, 1002, "client frames must be masked");
          return;
        }

      length = p[1] & 0x7F;
      if (length == 126)
        {
          if (available < 4)
            break;
          length = ((guint64) p[2] << 8) | p[3];
          header = 4;
        }
      else if (length == 127)
        {
          if (available < 10)
            break;
          length = 0;
          for (int i = 0; i < 8; i++)
            length = (length << 8) | p[2 + i];
          header = 10;
        }

      if ((opcode & 0x8) != 0 && (length > 125 || !fin))
        {
          fail (wire, 1002, "bad control frame");
          return;
        }
      if (length > wire->max_payload)
        {
          fail (wire, 1009, "message too big");
          return;
        }
      if (available < header + 4 + length)
        break;

      memcpy (mask, p + header, 4);
      p += header + 4;
      for (guint64 i = 0; i < length; i++)
        p[i] ^= mask[i & 3];

      consumed += header + 4 + length;
      if (!handle_frame (wire, fin, opcode, p, (gsize) length))
        return;
    }

  if (wire->state == WIRE_CLOSED)
    return;

  if (consumed > 0)
    {
      explicit_bzero (wire->in->data, consumed);
      g_byte_array_remove_range (wire->in, 0, (guint) consumed);
    }
}

static void
add_pending_read (TtoRelayWire *wire)
{
  if (wire->read_pending)
    return;

  wire->read_pending = TRUE;
  if (pending_reads == NULL)
    pending_reads = g_ptr_array_new ();
  g_ptr_array_add (pending_reads, wire);
}

/* Reads what the TLS library has, a few chunks at most, and handles every
 * whole frame. Until it would block: a record decrypted and kept inside the
 * library leaves the socket quiet, so epoll would not call again. */
static void
wire_read_tls (TtoRelayWire *wire)
{
  for (int i = 0; i < TLS_READS_PER_TURN; i++)
    {
      g_autoptr (GError) error = NULL;
      guint old_length = wire->in->len;
      gssize n;

      g_byte_array_set_size (wire->in, old_length + READ_CHUNK);
      n = g_pollable_input_stream_read_nonblocking (wire->tls_input, wire->in->data + old_length,
                                                    READ_CHUNK, NULL, &error);
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_byte_array_set_size (wire->in, old_length);
          return;
        }
      if (n <= 0)
        {
          /* EOF, or a TLS error (a peer that went without close_notify). */
          g_byte_array_set_size (wire->in, old_length);
          wire_shutdown (wire);
          return;
        }

      g_byte_array_set_size (wire->in, old_length + (guint) n);
      wire->last_seen = g_get_monotonic_time ();
      wire->ping_sent = FALSE;
      parse_frames (wire);
      if (wire->state == WIRE_CLOSED)
        return;
    }

  /* Fair to the other connections: the rest waits for the next turn. */
  add_pending_read (wire);
}

/* Reads what the socket has (one chunk) and handles every whole frame. */
static void
wire_read (TtoRelayWire *wire)
{
  guint old_length = wire->in->len;
  ssize_t n;

  if (wire->tls_input != NULL)
    {
      wire_read_tls (wire);
      return;
    }

  g_byte_array_set_size (wire->in, old_length + READ_CHUNK);
  do
    n = read (wire->fd, wire->in->data + old_length, READ_CHUNK);
  while (n < 0 && errno == EINTR);

  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    {
      g_byte_array_set_size (wire->in, old_length);
      return;
    }
  if (n <= 0)
    {
      /* EOF or error: the peer went without a close frame. */
      g_byte_array_set_size (wire->in, old_length);
      wire_shutdown (wire);
      return;
    }

  g_byte_array_set_size (wire->in, old_length + (guint) n);
  wire->last_seen = g_get_monotonic_time ();
  wire->ping_sent = FALSE;
  parse_frames (wire);
}

static gboolean
on_epoll_ready (gpointer user_data)
{
  g_autoptr (GPtrArray) again = g_steal_pointer (&pending_reads);
  struct epoll_event events[MAX_EVENTS];
  int n;

  for (guint i = 0; again != NULL && i < again->len; i++)
    {
      TtoRelayWire *wire = again->pdata[i];

      /* NULL: freed since it was listed. */
      if (wire == NULL)
        continue;
      wire->read_pending = FALSE;
      if (wire->state != WIRE_CLOSED)
        wire_read (wire);
    }

  do
    n = epoll_wait (epoll_fd, events, MAX_EVENTS, 0);
  while (n < 0 && errno == EINTR);

  for (int i = 0; i < n; i++)
    {
      TtoRelayWire *wire = events[i].data.ptr;

      /* Closed earlier in this batch: its fd is out of the set, but the
       * event was already taken. Wires are freed only from idle callbacks,
       * never during this loop. */
      if (wire->state == WIRE_CLOSED)
        continue;
      if ((events[i].events & EPOLLOUT) != 0)
        wire_write (wire);
      if (wire->state != WIRE_CLOSED &&
          (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0)
        wire_read (wire);
    }

  /* Every frame this batch produced goes out now, one writev each. */
  tto_relay_wire_flush_all ();

  return G_SOURCE_CONTINUE;
}

/* Ready at once while TLS wires have reads left over from the last turn;
 * otherwise when the epoll fd is. */
static gboolean
epoll_source_prepare (GSource *source,
                      gint *timeout)
{
  *timeout = -1;
  return pending_reads != NULL && pending_reads->len > 0;
}

static gboolean
epoll_source_check (GSource *source)
{
  return pending_reads != NULL && pending_reads->len > 0;
}

static gboolean
epoll_source_dispatch (GSource *source,
                       GSourceFunc callback,
                       gpointer user_data)
{
  return callback (user_data);
}

static GSourceFuncs epoll_source_funcs = {
  epoll_source_prepare, epoll_source_check, epoll_source_dispatch, NULL, NULL, NULL,
};

static void
ensure_epoll (void)
{
  if (epoll_fd >= 0)
    return;

  epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (epoll_fd < 0)
    g_error ("epoll_create1 failed: %s", g_strerror (errno));

  epoll_source = g_source_new (&epoll_source_funcs, sizeof (GSource));
  g_source_add_unix_fd (epoll_source, epoll_fd, G_IO_IN);
  g_source_set_callback (epoll_source, on_epoll_ready, NULL, NULL);
  g_source_set_static_name (epoll_source, "[tto-relay] sockets");
  g_source_attach (epoll_source, NULL);
}

TtoRelayWire *
tto_relay_wire_new (GIOStream *stream,
                    GSocket *socket,
                    gsize max_payload,
                    gsize max_queued,
                    const TtoRelayWireCallbacks *callbacks,
                    gpointer user_data)
{
  TtoRelayWire *wire;
  GInputStream *input = g_io_stream_get_input_stream (stream);
  GOutputStream *output = g_io_stream_get_output_stream (stream);
  /* Bytes written to the stream reach the socket as they are only when the
   * stream writes to that very fd; anything else (TLS) goes through it. */
  gboolean plain = G_IS_FILE_DESCRIPTOR_BASED (output) &&
                   g_file_descriptor_based_get_fd (G_FILE_DESCRIPTOR_BASED (output)) ==
                     g_socket_get_fd (socket);

  g_return_val_if_fail (G_IS_POLLABLE_INPUT_STREAM (input), NULL);
  g_return_val_if_fail (plain || G_IS_POLLABLE_OUTPUT_STREAM (output), NULL);

  wire = g_new0 (TtoRelayWire, 1);

  ensure_epoll ();

  wire->stream = g_object_ref (stream);
  wire->socket = g_object_ref (socket);
  wire->fd = g_socket_get_fd (socket);
  wire->callbacks = callbacks;
  wire->user_data = user_data;
  wire->max_payload = max_payload;
  wire->max_queued = max_queued;
  wire->in = g_byte_array_new ();
  wire->fragments = g_byte_array_new ();
  wire->last_seen = g_get_monotonic_time ();
  g_queue_init (&wire->out);

  if (!plain)
    {
      wire->tls_input = G_POLLABLE_INPUT_STREAM (g_object_ref (input));
      wire->tls_output = G_POLLABLE_OUTPUT_STREAM (g_object_ref (output));
    }

  /* libsoup's stream may hold bytes read past the handshake: take them,
   * then read the socket directly (over TLS: all the TLS library has). */
  for (;;)
    {
      guint8 buffer[4096];
      gssize n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (input), buffer,
                                                           sizeof buffer, NULL, NULL);

      if (n <= 0)
        break;
      g_byte_array_append (wire->in, buffer, (guint) n);
    }

  return wire;
}

/* Starts reading. Separate from _new () so that the owner has stored the
 * wire before the first message (perhaps already buffered) reaches it. */
void
tto_relay_wire_start (TtoRelayWire *wire)
{
  struct epoll_event event = { 0 };

  event.events = EPOLLIN | EPOLLRDHUP;
  event.data.ptr = wire;
  if (epoll_ctl (epoll_fd, EPOLL_CTL_ADD, wire->fd, &event) < 0)
    {
      g_warning ("epoll_ctl failed: %s", g_strerror (errno));
      wire_shutdown (wire);
      return;
    }

  if (wire->in->len > 0)
    parse_frames (wire);
}

/* Closes without telling the owner (it is the one freeing). */
void
tto_relay_wire_free (TtoRelayWire *wire)
{
  if (wire == NULL)
    return;

  wire->notified = TRUE;
  wire_shutdown (wire);
  g_clear_handle_id (&wire->notify_source, g_source_remove);

  if (wire->dirty && dirty_wires != NULL)
    for (guint i = 0; i < dirty_wires->len; i++)
      if (dirty_wires->pdata[i] == wire)
        dirty_wires->pdata[i] = NULL;
  if (wire->read_pending && pending_reads != NULL)
    for (guint i = 0; i < pending_reads->len; i++)
      if (pending_reads->pdata[i] == wire)
        pending_reads->pdata[i] = NULL;

  explicit_bzero (wire->in->data, wire->in->len);
  g_byte_array_unref (wire->in);
  explicit_bzero (wire->fragments->data, wire->fragments->len);
  g_byte_array_unref (wire->fragments);
  g_clear_object (&wire->tls_input);
  g_clear_object (&wire->tls_output);
  g_object_unref (wire->socket);
  g_object_unref (wire->stream);
  g_free (wire);
}
