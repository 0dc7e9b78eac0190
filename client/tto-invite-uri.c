/* tto-invite-uri.c: tto://join/… links that carry an invitation
 *
 * The link is what the invite QR code encodes and what the desktop opens
 * the app with:
 *
 *   tto://join/<event-id>?code=<invite code>&relay=<relay ws url, percent-encoded>
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "tto-shared.h"

#include "tto-invite-uri.h"

G_DEFINE_QUARK (tto-invite-uri-error-quark, tto_invite_uri_error)

/* A QR code holds a few hundred bytes comfortably; longer is not ours. */
#define MAX_URI_LENGTH 1024

void
tto_invite_free (TtoInvite *invite)
{
  if (invite == NULL)
    return;
  g_free (invite->event_id);
  g_free (invite->code);
  g_free (invite->relay_url);
  g_free (invite);
}

static gboolean
is_relay_url (const char *url)
{
  g_autoptr (GUri) uri = NULL;
  const char *scheme;

  if (url == NULL)
    return FALSE;
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return FALSE;
  scheme = g_uri_get_scheme (uri);
  return (g_ascii_strcasecmp (scheme, "ws") == 0 || g_ascii_strcasecmp (scheme, "wss") == 0) &&
         g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0';
}

/* Returns NULL when an argument is not valid. */
char *
tto_invite_uri_build (const char *event_id,
                      const char *code,
                      const char *relay_url)
{
  g_autofree char *normal = NULL;
  g_autofree char *escaped = NULL;

  g_return_val_if_fail (event_id != NULL, NULL);
  g_return_val_if_fail (code != NULL, NULL);

  normal = tto_invite_code_normalize (code);
  if (!tto_id_is_valid (event_id) || normal == NULL)
    return NULL;
  if (relay_url == NULL)
    return g_strdup_printf ("tto://join/%s?code=%s", event_id, normal);
  if (!is_relay_url (relay_url))
    return NULL;

  /* Everything but unreserved characters, so ':' '/' '?' '&' '=' are escaped. */
  escaped = g_uri_escape_string (relay_url, NULL, FALSE);
  return g_strdup_printf ("tto://join/%s?code=%s&relay=%s", event_id, normal, escaped);
}

TtoInvite *
tto_invite_uri_parse (const char *text,
                      GError **error)
{
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GHashTable) params = NULL;
  g_autoptr (TtoInvite) invite = NULL;
  g_autofree char *trimmed = NULL;
  const char *path;
  const char *code;
  const char *relay;

  g_return_val_if_fail (text != NULL, NULL);

  trimmed = g_strstrip (g_strdup (text));
  if (g_ascii_strncasecmp (trimmed, "tto:", 4) != 0)
    {
      g_set_error_literal (error, TTO_INVITE_URI_ERROR, TTO_INVITE_URI_ERROR_NOT_TTO,
                           "Not a ThreeTwoOne link");
      return NULL;
    }
  if (strlen (trimmed) > MAX_URI_LENGTH)
    {
      g_set_error_literal (error, TTO_INVITE_URI_ERROR, TTO_INVITE_URI_ERROR_MALFORMED,
                           "The link is too long");
      return NULL;
    }

  uri = g_uri_parse (trimmed, G_URI_FLAGS_ENCODED_QUERY, NULL);
  if (uri == NULL || g_strcmp0 (g_uri_get_host (uri), "join") != 0 ||
      g_uri_get_query (uri) == NULL)
    {
      g_set_error_literal (error, TTO_INVITE_URI_ERROR, TTO_INVITE_URI_ERROR_MALFORMED,
                           "Not an invitation link");
      return NULL;
    }

  path = g_uri_get_path (uri);
  if (path[0] != '/' || !tto_id_is_valid (path + 1))
    {
      g_set_error_literal (error, TTO_INVITE_URI_ERROR, TTO_INVITE_URI_ERROR_MALFORMED,
                           "The link names no event");
      return NULL;
    }

  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  code = params != NULL ? g_hash_table_lookup (params, "code") : NULL;
  relay = params != NULL ? g_hash_table_lookup (params, "relay") : NULL;

  invite = g_new0 (TtoInvite, 1);
  invite->event_id = g_strdup (path + 1);
  invite->code = code != NULL ? tto_invite_code_normalize (code) : NULL;
  if (invite->code == NULL)
    {
      g_set_error_literal (error, TTO_INVITE_URI_ERROR, TTO_INVITE_URI_ERROR_MALFORMED,
                           "The link has no valid invite code");
      return NULL;
    }
  if (relay != NULL)
    {
      if (!is_relay_url (relay))
        {
          g_set_error_literal (error, TTO_INVITE_URI_ERROR, TTO_INVITE_URI_ERROR_BAD_RELAY,
                               "The link's relay address is not a WebSocket URL");
          return NULL;
        }
      invite->relay_url = g_strdup (relay);
    }
  return g_steal_pointer (&invite);
}

/* Whether two relay URLs name the same relay: scheme and host compare
 * without case, the port with its default, the path as is. */
gboolean
tto_invite_uri_same_relay (const char *a,
                           const char *b)
{
  g_autoptr (GUri) ua = NULL;
  g_autoptr (GUri) ub = NULL;
  int pa, pb;

  if (a == NULL || b == NULL)
    return FALSE;
  ua = g_uri_parse (a, G_URI_FLAGS_NONE, NULL);
  ub = g_uri_parse (b, G_URI_FLAGS_NONE, NULL);
  if (ua == NULL || ub == NULL)
    return FALSE;
  pa = g_uri_get_port (ua);
  pb = g_uri_get_port (ub);
  if (pa < 0)
    pa = g_ascii_strcasecmp (g_uri_get_scheme (ua), "wss") == 0 ? 443 : 80;
  if (pb < 0)
    pb = g_ascii_strcasecmp (g_uri_get_scheme (ub), "wss") == 0 ? 443 : 80;
  return g_ascii_strcasecmp (g_uri_get_scheme (ua), g_uri_get_scheme (ub)) == 0 &&
         g_ascii_strcasecmp (g_uri_get_host (ua), g_uri_get_host (ub)) == 0 && pa == pb &&
         g_strcmp0 (g_uri_get_path (ua), g_uri_get_path (ub)) == 0;
}
