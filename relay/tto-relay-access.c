/* tto-relay-access.c: where a client connects from, and whether an event's
 * IP allow-list lets it in
 *
 * The client's address is the socket's peer, unless that peer is a reverse
 * proxy listed in [relay] trusted_proxies: then X-Forwarded-For says who is
 * behind it. Anyone can write that header, so it counts only from there.
 *
 * An event's creator is never locked out of the event: a list that
 * excludes the creator's own network cannot take the event away from them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <string.h>

#include "tto-cidr.h"
#include "tto-relay-access.h"

static gboolean
is_trusted_proxy (TtoRelayConfig *config,
                  GInetAddress *address)
{
  for (guint i = 0; config->trusted_proxies != NULL && config->trusted_proxies[i] != NULL; i++)
    {
      /* Checked at start-up; a bad entry here trusts nobody. */
      g_autoptr (GInetAddressMask) mask = tto_cidr_parse (config->trusted_proxies[i], NULL);

      if (mask != NULL && tto_cidr_matches (mask, address))
        return TRUE;
    }

  return FALSE;
}

/* One hop of X-Forwarded-For: "203.0.113.7", "2001:db8::1" or
 * "[2001:db8::1]"; ports are not part of the de-facto format. */
static GInetAddress *
parse_hop (const char *hop)
{
  g_autofree char *text = g_strstrip (g_strdup (hop));
  gsize length = strlen (text);

  if (length >= 2 && text[0] == '[' && text[length - 1] == ']')
    {
      text[length - 1] = '\0';
      memmove (text, text + 1, length - 1);
    }
  if (strchr (text, '%') != NULL)
    return NULL;

  return g_inet_address_new_from_string (text);
}

/**
 * tto_relay_access_client_address:
 *
 * Returns: (transfer full) (nullable): the address the request comes from,
 * seen through trusted proxies.
 */
GInetAddress *
tto_relay_access_client_address (TtoRelayConfig *config,
                                 SoupServerMessage *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);
  g_autoptr (GInetAddress) client = NULL;
  g_auto (GStrv) hops = NULL;
  const char *forwarded;

  if (!G_IS_INET_SOCKET_ADDRESS (remote))
    return NULL;

  client = g_object_ref (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
  if (!is_trusted_proxy (config, client))
    return g_steal_pointer (&client);

  /* Several X-Forwarded-For headers come joined with ", ". */
  forwarded = soup_message_headers_get_list (soup_server_message_get_request_headers (msg),
                                             "X-Forwarded-For");
  if (forwarded == NULL)
    return g_steal_pointer (&client);
  hops = g_strsplit (forwarded, ",", -1);

  /* From the nearest hop outwards: each trusted proxy vouches for the next;
   * the first one that is not a proxy is the client. A hop that does not
   * parse ends the chain at the last address vouched for. */
  for (guint i = g_strv_length (hops); i > 0; i--)
    {
      g_autoptr (GInetAddress) hop = parse_hop (hops[i - 1]);

      if (hop == NULL)
        {
          g_debug ("X-Forwarded-For holds something that is no address; using the proxy's");
          break;
        }
      g_set_object (&client, hop);
      if (!is_trusted_proxy (config, client))
        break;
    }

  return g_steal_pointer (&client);
}

/* Whether @identity_id may act in @room from @address: always for the
 * creator, otherwise as the event's ip_allow says. */
gboolean
tto_relay_access_allows (TtoRelayRoom *room,
                         const char *identity_id,
                         GInetAddress *address)
{
  TtoEvent *event = tto_relay_room_get_event (room);

  if (tto_event_get_ip_allow (event)[0] == NULL)
    return TRUE;
  if (g_strcmp0 (tto_event_get_creator_id (event), identity_id) == 0)
    return TRUE;

  return tto_event_ip_allows (event, address);
}

gboolean
tto_relay_access_conn_allowed (TtoRelayConn *conn,
                               TtoRelayRoom *room)
{
  return tto_relay_access_allows (room, conn->identity_id, conn->peer_inet);
}

/**
 * tto_relay_access_send_text_to_identity:
 * @relay: the relay
 * @room: the event the push is about
 * @identity_id: whom it is for
 * @text: a serialised frame
 *
 * Sends @text to each connection of @identity_id that @room's allow-list
 * lets in: all of them for the creator or when the list is empty, none
 * whose address the list refuses. The bytes are encoded once.
 *
 * Returns: how many connections it went to.
 */
guint
tto_relay_access_send_text_to_identity (TtoRelay *relay,
                                        TtoRelayRoom *room,
                                        const char *identity_id,
                                        const char *text)
{
  GPtrArray *conns;
  g_autoptr (GBytes) bytes = NULL;
  guint sent = 0;

  g_return_val_if_fail (relay != NULL, 0);
  g_return_val_if_fail (room != NULL, 0);
  g_return_val_if_fail (identity_id != NULL, 0);
  g_return_val_if_fail (text != NULL, 0);

  conns = g_hash_table_lookup (relay->online, identity_id);
  for (guint i = 0; conns != NULL && i < conns->len; i++)
    {
      TtoRelayConn *conn = conns->pdata[i];

      if (!tto_relay_access_allows (room, identity_id, conn->peer_inet))
        continue;
      if (bytes == NULL)
        bytes = tto_relay_wire_encode_text (text, strlen (text));
      tto_relay_send_bytes (conn, bytes);
      sent++;
    }

  return sent;
}

/**
 * tto_relay_access_send_to_identity:
 *
 * As tto_relay_access_send_text_to_identity(), for a frame; the serialised
 * copy is wiped afterwards (pushes may quote member text).
 *
 * Returns: how many connections it went to.
 */
guint
tto_relay_access_send_to_identity (TtoRelay *relay,
                                   TtoRelayRoom *room,
                                   const char *identity_id,
                                   const TtoFrame *frame)
{
  g_autofree char *text = NULL;
  guint sent;

  g_return_val_if_fail (frame != NULL, 0);

  text = tto_frame_serialize (frame, NULL);
  sent = tto_relay_access_send_text_to_identity (relay, room, identity_id, text);
  explicit_bzero (text, strlen (text));
  return sent;
}
