/* tto-cidr.c: IP networks in CIDR notation, for per-event allow-lists
 *
 * "10.0.0.0/8", "2001:db8::/32"; a bare address is one host (/32, /128).
 * Parsing is strict, so what the creator typed is what the relay enforces:
 * host bits beyond the prefix are an error, not silently cleared.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "tto-cidr.h"

G_DEFINE_QUARK (tto-cidr-error-quark, tto_cidr_error)

/* Longer than any address with prefix ("ffff:…:255.255.255.255/128" is 49). */
#define MAX_TEXT_LENGTH 64

struct _TtoCidrList
{
  GPtrArray *masks; /* GInetAddressMask */
};

static guint
family_bits (GSocketFamily family)
{
  return family == G_SOCKET_FAMILY_IPV4 ? 32 : 128;
}

/* Splits "address[/prefix]" and reads both; no check of host bits. */
static GInetAddress *
parse_parts (const char *text,
             guint *out_length,
             GError **error)
{
  g_autofree char *address_text = NULL;
  g_autoptr (GInetAddress) address = NULL;
  const char *slash;
  guint64 length;
  guint bits;

  if (text == NULL || *text == '\0')
    {
      g_set_error_literal (error, TTO_CIDR_ERROR, TTO_CIDR_ERROR_ADDRESS,
                           "an empty string is not a network");
      return NULL;
    }
  if (strlen (text) > MAX_TEXT_LENGTH)
    {
      g_set_error (error, TTO_CIDR_ERROR, TTO_CIDR_ERROR_ADDRESS,
                   "a network is at most %d characters long", MAX_TEXT_LENGTH);
      return NULL;
    }

  slash = strchr (text, '/');
  address_text = slash != NULL ? g_strndup (text, slash - text) : g_strdup (text);
  /* Zone ids ("fe80::1%eth0") name an interface of one host: meaningless
   * to a relay elsewhere. */
  if (strchr (address_text, '%') != NULL ||
      (address = g_inet_address_new_from_string (address_text)) == NULL)
    {
      g_set_error (error, TTO_CIDR_ERROR, TTO_CIDR_ERROR_ADDRESS,
                   "\"%s\" is not an IPv4 or IPv6 address", address_text);
      return NULL;
    }

  bits = family_bits (g_inet_address_get_family (address));
  if (slash == NULL)
    length = bits;
  else
    {
      const char *digits = slash + 1;
      gsize n = strlen (digits);

      length = G_MAXUINT64;
      if (n >= 1 && n <= 3 && strspn (digits, "0123456789") == n)
        length = g_ascii_strtoull (digits, NULL, 10);
      if (length > bits)
        {
          g_set_error (error, TTO_CIDR_ERROR, TTO_CIDR_ERROR_PREFIX,
                       "the prefix length of \"%s\" must be a number from 0 to %u", text, bits);
          return NULL;
        }
    }

  *out_length = (guint) length;
  return g_steal_pointer (&address);
}

/* @address with every bit past @length cleared. */
static GInetAddress *
network_address (GInetAddress *address,
                 guint length)
{
  guint8 bytes[16];
  gsize size = g_inet_address_get_native_size (address);

  memcpy (bytes, g_inet_address_to_bytes (address), size);
  for (gsize i = 0; i < size; i++)
    {
      guint first_bit = (guint) i * 8;

      if (first_bit >= length)
        bytes[i] = 0;
      else if (first_bit + 8 > length)
        bytes[i] &= (guint8) (0xff << (8 - (length - first_bit)));
    }

  return g_inet_address_new_from_bytes (bytes, g_inet_address_get_family (address));
}

/**
 * tto_cidr_parse:
 * @text: "a.b.c.d/n", "x::/n" or a bare address
 *
 * Returns: (transfer full): the network, or %NULL with @error in
 * %TTO_CIDR_ERROR; the message quotes @text.
 */
GInetAddressMask *
tto_cidr_parse (const char *text,
                GError **error)
{
  g_autoptr (GInetAddress) address = NULL;
  g_autoptr (GInetAddress) network = NULL;
  guint length = 0;

  address = parse_parts (text, &length, error);
  if (address == NULL)
    return NULL;

  network = network_address (address, length);
  if (!g_inet_address_equal (network, address))
    {
      g_autofree char *shown = g_inet_address_to_string (network);

      g_set_error (error, TTO_CIDR_ERROR, TTO_CIDR_ERROR_HOST_BITS,
                   "\"%s\" has bits set beyond its prefix length; the network is %s/%u", text,
                   shown, length);
      return NULL;
    }

  return g_inet_address_mask_new (address, length, error);
}

/* The canonical spelling: lower-case, compressed IPv6, always with the
 * prefix ("192.0.2.7" → "192.0.2.7/32"). */
char *
tto_cidr_normalize (const char *text,
                    GError **error)
{
  g_autoptr (GInetAddressMask) mask = tto_cidr_parse (text, error);
  g_autofree char *address = NULL;

  if (mask == NULL)
    return NULL;

  address = g_inet_address_to_string (g_inet_address_mask_get_address (mask));
  return g_strdup_printf ("%s/%u", address, g_inet_address_mask_get_length (mask));
}

/* The network @text lies in, host bits cleared ("10.1.2.3/8" →
 * "10.0.0.0/8"), for suggesting a fix; %NULL when the address or prefix
 * itself is wrong. */
char *
tto_cidr_network_of (const char *text)
{
  g_autoptr (GInetAddress) address = NULL;
  g_autoptr (GInetAddress) network = NULL;
  g_autofree char *shown = NULL;
  guint length = 0;

  address = parse_parts (text, &length, NULL);
  if (address == NULL)
    return NULL;

  network = network_address (address, length);
  shown = g_inet_address_to_string (network);
  return g_strdup_printf ("%s/%u", shown, length);
}

/* A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; IPv4 networks
 * must still match them. */
static GInetAddress *
unmap_ipv4 (GInetAddress *address)
{
  static const guint8 prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
  const guint8 *bytes;

  if (g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6)
    return NULL;

  bytes = g_inet_address_to_bytes (address);
  if (memcmp (bytes, prefix, sizeof prefix) != 0)
    return NULL;

  return g_inet_address_new_from_bytes (bytes + 12, G_SOCKET_FAMILY_IPV4);
}

gboolean
tto_cidr_matches (GInetAddressMask *mask,
                  GInetAddress *address)
{
  g_autoptr (GInetAddress) unmapped = NULL;

  g_return_val_if_fail (G_IS_INET_ADDRESS_MASK (mask), FALSE);
  g_return_val_if_fail (G_IS_INET_ADDRESS (address), FALSE);

  if (g_inet_address_mask_get_family (mask) == g_inet_address_get_family (address) &&
      g_inet_address_mask_matches (mask, address))
    return TRUE;

  unmapped = unmap_ipv4 (address);
  return unmapped != NULL && g_inet_address_mask_get_family (mask) == G_SOCKET_FAMILY_IPV4 &&
         g_inet_address_mask_matches (mask, unmapped);
}

/**
 * tto_cidr_list_new:
 * @entries: (nullable): networks as tto_cidr_parse() reads them
 *
 * Returns: (transfer full): the list, or %NULL when an entry is bad or
 * there are more than %TTO_CIDR_MAX_ENTRIES.
 */
TtoCidrList *
tto_cidr_list_new (const char *const *entries,
                   GError **error)
{
  g_autoptr (TtoCidrList) list = g_new0 (TtoCidrList, 1);
  guint n = entries != NULL ? g_strv_length ((char **) entries) : 0;

  if (n > TTO_CIDR_MAX_ENTRIES)
    {
      g_set_error (error, TTO_CIDR_ERROR, TTO_CIDR_ERROR_TOO_MANY,
                   "%u networks; at most %d are allowed", n, TTO_CIDR_MAX_ENTRIES);
      return NULL;
    }

  list->masks = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n; i++)
    {
      GInetAddressMask *mask = tto_cidr_parse (entries[i], error);

      if (mask == NULL)
        return NULL;
      g_ptr_array_add (list->masks, mask);
    }

  return g_steal_pointer (&list);
}

void
tto_cidr_list_free (TtoCidrList *list)
{
  if (list == NULL)
    return;

  g_clear_pointer (&list->masks, g_ptr_array_unref);
  g_free (list);
}

guint
tto_cidr_list_get_length (TtoCidrList *list)
{
  g_return_val_if_fail (list != NULL, 0);

  return list->masks->len;
}

/* TRUE when @list is empty or one of its networks holds @address. */
gboolean
tto_cidr_list_allows (TtoCidrList *list,
                      GInetAddress *address)
{
  g_return_val_if_fail (list != NULL, FALSE);

  if (list->masks->len == 0)
    return TRUE;
  if (address == NULL)
    return FALSE;

  for (guint i = 0; i < list->masks->len; i++)
    if (tto_cidr_matches (list->masks->pdata[i], address))
      return TRUE;

  return FALSE;
}

/* Each entry in its canonical spelling, repeats dropped, order kept. */
GStrv
tto_cidr_list_normalize (const char *const *entries,
                         GError **error)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n = entries != NULL ? g_strv_length ((char **) entries) : 0;

  if (n > TTO_CIDR_MAX_ENTRIES)
    {
      g_set_error (error, TTO_CIDR_ERROR, TTO_CIDR_ERROR_TOO_MANY,
                   "%u networks; at most %d are allowed", n, TTO_CIDR_MAX_ENTRIES);
      return NULL;
    }

  for (guint i = 0; i < n; i++)
    {
      char *canonical = tto_cidr_normalize (entries[i], error);

      if (canonical == NULL)
        return NULL;
      if (g_hash_table_add (seen, canonical))
        g_strv_builder_add (builder, canonical);
    }

  return g_strv_builder_end (builder);
}
