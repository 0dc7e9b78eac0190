/* tto-cert-pins.c: relay certificates the person chose to trust
 *
 * A relay whose certificate no system CA vouches for (a self-signed one, as
 * `build-aux/dev run` makes) is trusted on first use: the person compares
 * the SHA-256 fingerprint shown with the one the relay's operator gave, and
 * the fingerprint is pinned for that host and port. Later connections
 * accept exactly that certificate there and refuse any other. The pins live
 * in $XDG_DATA_HOME/tto/pins.ini, one group per relay:
 *
 *   [relay.example.org:8321]
 *   sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
 *
 * The file is read again for every question, so two windows (or a person
 * editing it) never disagree with what is on disk.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <string.h>

#include "tto-cert-pins.h"

#define PIN_KEY "sha256"

struct _TtoCertPins
{
  GObject parent_instance;

  char *path;
};

G_DEFINE_FINAL_TYPE (TtoCertPins, tto_cert_pins, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PATH,
  N_PROPS
};

enum
{
  CHANGED,
  REJECTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
is_fingerprint (const char *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

/* A missing file is an empty one. */
static GKeyFile *
load (TtoCertPins *self,
      GError **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError) local_error = NULL;

  if (!g_key_file_load_from_file (file, self->path, G_KEY_FILE_KEEP_COMMENTS, &local_error) &&
      !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", self->path);
      return NULL;
    }

  return g_steal_pointer (&file);
}

static gboolean
save (TtoCertPins *self,
      GKeyFile *file,
      GError **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autofree char *data = NULL;
  gsize length;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno), "%s: %s", dir,
                   g_strerror (saved_errno));
      return FALSE;
    }

  data = g_key_file_to_data (file, &length, NULL);
  /* Atomic: a crash leaves the old pins or the new ones, never half. */
  return g_file_set_contents_full (self->path, data, (gssize) length,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

static void
tto_cert_pins_finalize (GObject *object)
{
  TtoCertPins *self = (TtoCertPins *) object;

  g_free (self->path);

  G_OBJECT_CLASS (tto_cert_pins_parent_class)->finalize (object);
}

static void
tto_cert_pins_get_property (GObject *object,
                            guint prop_id,
                            GValue *value,
                            GParamSpec *pspec)
{
  TtoCertPins *self = TTO_CERT_PINS (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_cert_pins_set_property (GObject *object,
                            guint prop_id,
                            const GValue *value,
                            GParamSpec *pspec)
{
  TtoCertPins *self = TTO_CERT_PINS (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_cert_pins_class_init (TtoCertPinsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tto_cert_pins_finalize;
  object_class->get_property = tto_cert_pins_get_property;
  object_class->set_property = tto_cert_pins_set_property;

  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL,
                                               G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                                 G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* host:port whose pin was added or removed. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* A connection refused a certificate: host:port, its fingerprint, and the
   * pinned fingerprint it differs from (NULL when there is no pin yet). The
   * window listens here, so it hears of connections it does not hold. */
  signals[REJECTED] = g_signal_new ("rejected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING,
                                    G_TYPE_STRING, G_TYPE_STRING);
}

static void
tto_cert_pins_init (TtoCertPins *self)
{
}

/* Public API */

/* @path: the pins file; created when the first pin is added. */
TtoCertPins *
tto_cert_pins_new (const char *path)
{
  g_return_val_if_fail (path != NULL, NULL);

  return g_object_new (TTO_TYPE_CERT_PINS, "path", path, NULL);
}

/* The person's own pins, $XDG_DATA_HOME/tto/pins.ini. */
TtoCertPins *
tto_cert_pins_get_default (void)
{
  static TtoCertPins *pins;

  if (pins == NULL)
    {
      g_autofree char *path = g_build_filename (g_get_user_data_dir (), "tto", "pins.ini", NULL);

      pins = tto_cert_pins_new (path);
    }

  return pins;
}

const char *
tto_cert_pins_get_path (TtoCertPins *self)
{
  g_return_val_if_fail (TTO_IS_CERT_PINS (self), NULL);

  return self->path;
}

/* The pinned fingerprint (64 lowercase hex digits) for @host_port, or NULL.
 * An unreadable file or a malformed entry counts as no pin: the connection
 * then asks, and never accepts silently. */
char *
tto_cert_pins_lookup (TtoCertPins *self,
                      const char *host_port)
{
  g_autoptr (GKeyFile) file = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *value = NULL;

  g_return_val_if_fail (TTO_IS_CERT_PINS (self), NULL);
  g_return_val_if_fail (host_port != NULL, NULL);

  file = load (self, &error);
  if (file == NULL)
    {
      g_warning ("Cannot read the certificate pins: %s", error->message);
      return NULL;
    }

  value = g_key_file_get_string (file, host_port, PIN_KEY, NULL);
  if (value == NULL)
    return NULL;
  g_strstrip (value);
  if (!is_fingerprint (value))
    {
      g_warning ("Ignoring a malformed certificate pin for %s in %s", host_port, self->path);
      return NULL;
    }

  return g_steal_pointer (&value);
}

/* Trusts the certificate with @fingerprint at @host_port from now on. */
gboolean
tto_cert_pins_pin (TtoCertPins *self,
                   const char *host_port,
                   const char *fingerprint,
                   GError **error)
{
  g_autoptr (GKeyFile) file = NULL;

  g_return_val_if_fail (TTO_IS_CERT_PINS (self), FALSE);
  g_return_val_if_fail (host_port != NULL && *host_port != '\0', FALSE);
  g_return_val_if_fail (is_fingerprint (fingerprint), FALSE);

  file = load (self, error);
  if (file == NULL)
    return FALSE;

  g_key_file_set_string (file, host_port, PIN_KEY, fingerprint);
  if (!save (self, file, error))
    return FALSE;

  g_signal_emit (self, signals[CHANGED], 0, host_port);
  return TRUE;
}

/* Drops the pin of @host_port: the next connection there asks again. */
gboolean
tto_cert_pins_forget (TtoCertPins *self,
                      const char *host_port,
                      GError **error)
{
  g_autoptr (GKeyFile) file = NULL;

  g_return_val_if_fail (TTO_IS_CERT_PINS (self), FALSE);
  g_return_val_if_fail (host_port != NULL, FALSE);

  file = load (self, error);
  if (file == NULL)
    return FALSE;

  if (!g_key_file_has_group (file, host_port))
    return TRUE;

  g_key_file_remove_group (file, host_port, NULL);
  if (!save (self, file, error))
    return FALSE;

  g_signal_emit (self, signals[CHANGED], 0, host_port);
  return TRUE;
}

/* Called by the connection that refused the certificate; see "rejected". */
void
tto_cert_pins_report_rejected (TtoCertPins *self,
                               const char *host_port,
                               const char *fingerprint,
                               const char *pinned_fingerprint)
{
  g_return_if_fail (TTO_IS_CERT_PINS (self));
  g_return_if_fail (host_port != NULL && fingerprint != NULL);

  g_signal_emit (self, signals[REJECTED], 0, host_port, fingerprint, pinned_fingerprint);
}

/* SHA-256 of the certificate's DER encoding, 64 lowercase hex digits: what
 * `openssl x509 -fingerprint -sha256` prints, without the colons. */
char *
tto_cert_pins_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr (GByteArray) der = NULL;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
}

/* "AB:CD:…", the way fingerprints are read aloud and compared. */
char *
tto_cert_pins_format_fingerprint (const char *fingerprint)
{
  GString *text;

  g_return_val_if_fail (fingerprint != NULL, NULL);

  text = g_string_sized_new (strlen (fingerprint) * 3 / 2);
  for (gsize i = 0; fingerprint[i] != '\0'; i++)
    {
      if (i > 0 && i % 2 == 0)
        g_string_append_c (text, ':');
      g_string_append_c (text, g_ascii_toupper (fingerprint[i]));
    }

  return g_string_free (text, FALSE);
}

/* The key a pin is stored under: lowercase host, ":", port (the scheme's
 * default when the URI has none). IPv6 hosts go without brackets, as
 * key file group names cannot hold them. */
char *
tto_cert_pins_host_port (GUri *uri)
{
  const char *scheme;
  g_autofree char *host = NULL;
  int port;

  g_return_val_if_fail (uri != NULL, NULL);

  if (g_uri_get_host (uri) == NULL)
    return NULL;

  scheme = g_uri_get_scheme (uri);
  port = g_uri_get_port (uri);
  if (port <= 0)
    port = g_ascii_strcasecmp (scheme, "wss") == 0 || g_ascii_strcasecmp (scheme, "https") == 0
             ? 443
             : 80;
  host = g_ascii_strdown (g_uri_get_host (uri), -1);

  return g_strdup_printf ("%s:%d", host, port);
}

/* @host_port as a person writes it: "[::1]:8443" for IPv6. */
char *
tto_cert_pins_display_host (const char *host_port)
{
  const char *colon;

  g_return_val_if_fail (host_port != NULL, NULL);

  colon = strrchr (host_port, ':');
  if (colon == NULL || memchr (host_port, ':', colon - host_port) == NULL)
    return g_strdup (host_port);

  return g_strdup_printf ("[%.*s]%s", (int) (colon - host_port), host_port, colon);
}
