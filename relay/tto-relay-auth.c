/* tto-relay-auth.c: identity tokens
 *
 * A token is 256 random bits; the relay keeps only its BLAKE2b hash. With
 * that much entropy a fast hash is enough: nobody can guess a preimage.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <sodium.h>
#include <string.h>

#include "tto-protocol.h"
#include "tto-relay-auth.h"

#define TOKEN_BYTES 32

gboolean
tto_relay_auth_init (void)
{
  return sodium_init () >= 0;
}

char *
tto_relay_auth_new_token (guint8 hash[TTO_RELAY_TOKEN_HASH_BYTES])
{
  guint8 raw[TOKEN_BYTES];
  gsize length = sodium_base64_ENCODED_LEN (TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  char *token = g_malloc (length);

  randombytes_buf (raw, sizeof raw);
  sodium_bin2base64 (token, length, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero (raw, sizeof raw);
  tto_relay_auth_hash_token (token, hash);

  return token;
}

void
tto_relay_auth_hash_token (const char *token,
                           guint8 hash[TTO_RELAY_TOKEN_HASH_BYTES])
{
  crypto_generichash (hash, TTO_RELAY_TOKEN_HASH_BYTES, (const guint8 *) token, strlen (token),
                      NULL, 0);
}

/* Trims, folds runs of white space and control characters to one space.
 * Returns NULL when nothing is left. */
char *
tto_relay_auth_clean_display_name (const char *name)
{
  g_autoptr (GString) out = g_string_new (NULL);
  gboolean space = FALSE;

  for (const char *p = name; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        {
          space = out->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_unichar (out, c);
    }

  if (out->len == 0)
    return NULL;

  return g_string_free (g_steal_pointer (&out), FALSE);
}
