/* tto-relay-wire.h: the relay's own WebSocket transport (RFC 6455, server
 * side) on a connection libsoup has upgraded
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _TtoRelayWire TtoRelayWire;

typedef struct
{
  /* A whole message (fragments joined). @payload's bytes may be zeroed by
   * the callee once used. */
  void (*message) (TtoRelayWire *wire,
                   gboolean is_text,
                   GBytes *payload,
                   gpointer user_data);
  /* The connection is gone, for whatever reason; called once. */
  void (*closed) (TtoRelayWire *wire,
                  gpointer user_data);
} TtoRelayWireCallbacks;

TtoRelayWire *tto_relay_wire_new (GIOStream *stream,
                                  GSocket *socket,
                                  gsize max_payload,
                                  gsize max_queued,
                                  const TtoRelayWireCallbacks *callbacks,
                                  gpointer user_data);
void tto_relay_wire_start (TtoRelayWire *wire);
void tto_relay_wire_free (TtoRelayWire *wire);

GBytes *tto_relay_wire_encode_text (const char *text,
                                    gsize length);
void tto_relay_wire_send (TtoRelayWire *wire,
                          GBytes *frame);
void tto_relay_wire_send_text (TtoRelayWire *wire,
                               const char *text);
void tto_relay_wire_close (TtoRelayWire *wire,
                           gushort code,
                           const char *reason);
gboolean tto_relay_wire_is_open (TtoRelayWire *wire);
void tto_relay_wire_keepalive (TtoRelayWire *wire,
                               gint64 now,
                               gint64 idle_timeout);
void tto_relay_wire_flush_all (void);

G_END_DECLS
