/* tto-ids.c: identifiers and invite codes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "tto-ids.h"

/* Lower-case Crockford base32: readable, case-folds cleanly, no i/l/o/u. */
static const char id_alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";

/* Identifiers and codes are capabilities, so they come from the kernel's
 * CSPRNG, never from GRand. */
void
tto_random_bytes (guint8 *buffer,
                  gsize length)
{
  gsize done = 0;

  while (done < length)
    {
      ssize_t n = getrandom (buffer + done, length - done, 0);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          g_error ("getrandom() failed: %s", g_strerror (errno));
        }
      done += (gsize) n;
    }
}

static char *
random_string (const char *alphabet,
               gsize length)
{
  g_autofree guint8 *bytes = g_malloc (length);
  char *out = g_malloc (length + 1);

  g_assert (strlen (alphabet) == 32);

  tto_random_bytes (bytes, length);
  for (gsize i = 0; i < length; i++)
    out[i] = alphabet[bytes[i] & 31];
  out[length] = '\0';

  return out;
}

/* 16 symbols of 5 bits: 80 random bits. */
char *
tto_id_new (void)
{
  return random_string (id_alphabet, TTO_ID_LENGTH);
}

gboolean
tto_id_is_valid (const char *id)
{
  if (id == NULL || strlen (id) != TTO_ID_LENGTH)
    return FALSE;

  for (const char *p = id; *p; p++)
    if (strchr (id_alphabet, *p) == NULL)
      return FALSE;

  return TRUE;
}

char *
tto_invite_code_new (void)
{
  return random_string (TTO_INVITE_CODE_ALPHABET, TTO_INVITE_CODE_LENGTH);
}

/* Accepts what people type: any case, spaces and dashes between groups.
 * Returns the canonical code or NULL when it cannot be one. */
char *
tto_invite_code_normalize (const char *input)
{
  g_autoptr (GString) code = g_string_new (NULL);

  g_return_val_if_fail (input != NULL, NULL);

  for (const char *p = input; *p; p++)
    {
      char c = g_ascii_toupper (*p);

      if (c == ' ' || c == '-' || c == '\t')
        continue;
      if (strchr (TTO_INVITE_CODE_ALPHABET, c) == NULL || c == '\0')
        return NULL;
      g_string_append_c (code, c);
      if (code->len > TTO_INVITE_CODE_LENGTH)
        return NULL;
    }

  if (code->len != TTO_INVITE_CODE_LENGTH)
    return NULL;

  return g_string_free (g_steal_pointer (&code), FALSE);
}

/* "ABCD-EFGH", for display. */
char *
tto_invite_code_format (const char *code)
{
  g_return_val_if_fail (code != NULL && strlen (code) == TTO_INVITE_CODE_LENGTH, NULL);

  return g_strdup_printf ("%.4s-%.4s", code, code + 4);
}
