/* tto-evidence.c: one file an applicant attaches to a join request
 *
 * A picture, a short video or any other file, chosen on this device and
 * uploaded to the event once the application exists (the relay accepts
 * uploads from applicants), or one sent earlier, known only by its blob id
 * and what this session remembers of it. The relay keeps no names: only
 * the applicant's device knows them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-client.h"
#include "tto-shared.h"

#include "tto-evidence.h"

struct _TtoEvidence
{
  GObject parent_instance;

  GFile *file;
  char *name;
  char *kind;
  goffset size;
  GdkPaintable *preview;
  TtoEvidenceState state;
  double progress;
  char *blob_id;
  GError *error;
};

G_DEFINE_FINAL_TYPE (TtoEvidence, tto_evidence, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_NAME,
  PROP_KIND,
  PROP_SIZE,
  PROP_PREVIEW,
  PROP_STATE,
  PROP_PROGRESS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tto_evidence_dispose (GObject *object)
{
  TtoEvidence *self = TTO_EVIDENCE (object);

  g_clear_object (&self->file);
  g_clear_object (&self->preview);

  G_OBJECT_CLASS (tto_evidence_parent_class)->dispose (object);
}

static void
tto_evidence_finalize (GObject *object)
{
  TtoEvidence *self = TTO_EVIDENCE (object);

  g_free (self->name);
  g_free (self->kind);
  g_free (self->blob_id);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (tto_evidence_parent_class)->finalize (object);
}

static void
tto_evidence_get_property (GObject *object,
                           guint prop_id,
                           GValue *value,
                           GParamSpec *pspec)
{
  TtoEvidence *self = TTO_EVIDENCE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_KIND:
      g_value_set_string (value, self->kind);
      break;
    case PROP_SIZE:
      g_value_set_int64 (value, self->size);
      break;
    case PROP_PREVIEW:
      g_value_set_object (value, self->preview);
      break;
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_evidence_class_init (TtoEvidenceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tto_evidence_dispose;
  object_class->finalize = tto_evidence_finalize;
  object_class->get_property = tto_evidence_get_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                                                 G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_KIND] = g_param_spec_string ("kind", NULL, NULL, TTO_EVIDENCE_FILE,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                                                 G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SIZE] = g_param_spec_int64 ("size", NULL, NULL, -1, G_MAXINT64, -1,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                                                G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PREVIEW] = g_param_spec_object ("preview", NULL, NULL, GDK_TYPE_PAINTABLE,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                                                    G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, TTO_EVIDENCE_WAITING,
                                             TTO_EVIDENCE_FAILED, TTO_EVIDENCE_WAITING,
                                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                                               G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PROGRESS] = g_param_spec_double ("progress", NULL, NULL, 0.0, 1.0, 0.0,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                                                     G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tto_evidence_init (TtoEvidence *self)
{
  self->kind = g_strdup (TTO_EVIDENCE_FILE);
  self->size = -1;
}

/* @file on this device; its details follow with tto_evidence_set_details(). */
TtoEvidence *
tto_evidence_new_for_file (GFile *file)
{
  TtoEvidence *self;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  self = g_object_new (TTO_TYPE_EVIDENCE, NULL);
  self->file = g_object_ref (file);
  self->name = g_file_get_basename (file);
  return self;
}

/* Evidence uploaded earlier whose file this session no longer knows. */
TtoEvidence *
tto_evidence_new_sent (const char *blob_id)
{
  TtoEvidence *self;

  g_return_val_if_fail (blob_id != NULL, NULL);

  self = g_object_new (TTO_TYPE_EVIDENCE, NULL);
  self->name = g_strdup (_("File sent earlier"));
  self->blob_id = g_strdup (blob_id);
  self->state = TTO_EVIDENCE_SENT;
  self->progress = 1.0;
  return self;
}

GFile *
tto_evidence_get_file (TtoEvidence *self)
{
  g_return_val_if_fail (TTO_IS_EVIDENCE (self), NULL);
  return self->file;
}

const char *
tto_evidence_get_name (TtoEvidence *self)
{
  g_return_val_if_fail (TTO_IS_EVIDENCE (self), NULL);
  return self->name;
}

/* TTO_EVIDENCE_PICTURE, TTO_EVIDENCE_VIDEO or TTO_EVIDENCE_FILE */
const char *
tto_evidence_get_kind (TtoEvidence *self)
{
  g_return_val_if_fail (TTO_IS_EVIDENCE (self), NULL);
  return self->kind;
}

/* In bytes; -1 while unknown. */
goffset
tto_evidence_get_size (TtoEvidence *self)
{
  g_return_val_if_fail (TTO_IS_EVIDENCE (self), -1);
  return self->size;
}

void
tto_evidence_set_details (TtoEvidence *self,
                          const char *name,
                          const char *kind,
                          goffset size)
{
  g_return_if_fail (TTO_IS_EVIDENCE (self));
  g_return_if_fail (kind != NULL);

  if (name != NULL && g_strcmp0 (name, self->name) != 0)
    {
      g_free (self->name);
      self->name = g_strdup (name);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
    }
  if (g_strcmp0 (kind, self->kind) != 0)
    {
      g_free (self->kind);
      self->kind = g_strdup (kind);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND]);
    }
  if (size != self->size)
    {
      self->size = size;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
    }
}

/* A small picture of a picture; NULL for other kinds. */
GdkPaintable *
tto_evidence_get_preview (TtoEvidence *self)
{
  g_return_val_if_fail (TTO_IS_EVIDENCE (self), NULL);
  return self->preview;
}

void
tto_evidence_set_preview (TtoEvidence *self,
                          GdkPaintable *preview)
{
  g_return_if_fail (TTO_IS_EVIDENCE (self));

  if (g_set_object (&self->preview, preview))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREVIEW]);
}

TtoEvidenceState
tto_evidence_get_state (TtoEvidence *self)
{
  g_return_val_if_fail (TTO_IS_EVIDENCE (self), TTO_EVIDENCE_WAITING);
  return self->state;
}

double
tto_evidence_get_progress (TtoEvidence *self)
{
  g_return_val_if_fail (TTO_IS_EVIDENCE (self), 0);
  return self->progress;
}

/* The relay's id once sent, else NULL. */
const char *
tto_evidence_get_blob_id (TtoEvidence *self)
{
  g_return_val_if_fail (TTO_IS_EVIDENCE (self), NULL);
  return self->blob_id;
}

/* Why the upload failed, while failed. */
const GError *
tto_evidence_get_error (TtoEvidence *self)
{
  g_return_val_if_fail (TTO_IS_EVIDENCE (self), NULL);
  return self->error;
}

static void
set_state (TtoEvidence *self,
           TtoEvidenceState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
tto_evidence_set_progress (TtoEvidence *self,
                           double progress)
{
  g_return_if_fail (TTO_IS_EVIDENCE (self));

  progress = CLAMP (progress, 0.0, 1.0);
  if (progress == self->progress)
    return;
  self->progress = progress;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
}

void
tto_evidence_set_uploading (TtoEvidence *self)
{
  g_return_if_fail (TTO_IS_EVIDENCE (self));

  g_clear_error (&self->error);
  tto_evidence_set_progress (self, 0);
  set_state (self, TTO_EVIDENCE_UPLOADING);
}

void
tto_evidence_set_sent (TtoEvidence *self,
                       const char *blob_id)
{
  g_return_if_fail (TTO_IS_EVIDENCE (self));
  g_return_if_fail (blob_id != NULL);

  g_free (self->blob_id);
  self->blob_id = g_strdup (blob_id);
  g_clear_error (&self->error);
  tto_evidence_set_progress (self, 1.0);
  set_state (self, TTO_EVIDENCE_SENT);
}

void
tto_evidence_set_failed (TtoEvidence *self,
                         const GError *error)
{
  g_return_if_fail (TTO_IS_EVIDENCE (self));
  g_return_if_fail (error != NULL);

  g_clear_error (&self->error);
  self->error = g_error_copy (error);
  tto_evidence_set_progress (self, 0);
  /* Notified even when it failed before: the reason may be another. */
  self->state = TTO_EVIDENCE_FAILED;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* What went wrong with this file's upload, for people; NULL unless failed.
 * The relay's codes become the app's own words (its messages are English,
 * for developers). */
char *
tto_evidence_describe_error (TtoEvidence *self)
{
  g_autofree char *description = NULL;

  g_return_val_if_fail (TTO_IS_EVIDENCE (self), NULL);

  if (self->state != TTO_EVIDENCE_FAILED || self->error == NULL)
    return NULL;
  if (g_error_matches (self->error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_TOO_LARGE))
    /* Translators: %s is a file name */
    return g_strdup_printf (_("“%s” is too large for this relay."), self->name);
  if (g_error_matches (self->error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_FORBIDDEN))
    /* Translators: %s is a file name */
    return g_strdup_printf (_("The relay did not accept “%s”: only people who asked to join "
                              "may add files to their request."),
                            self->name);
  if (g_error_matches (self->error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_NOT_FOUND))
    /* Translators: %s is a file name */
    return g_strdup_printf (_("“%s” could not be sent: the event has ended."), self->name);
  if (g_error_matches (self->error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
      g_error_matches (self->error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) ||
      g_error_matches (self->error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY))
    /* Translators: %s is a file name */
    return g_strdup_printf (_("“%s” could not be read on this device."), self->name);
  description = tto_client_describe_error (self->error);
  /* Translators: the first %s is a file name, the second says what went wrong */
  return g_strdup_printf (_("“%s” could not be sent: %s"), self->name, description);
}

/* A @size × @size texture of the middle of @thumbnail (an encoded picture,
 * as the thumbnailer makes them): previews fill their square, and a
 * GtkImage shows it at any pixel size without taking more room. */
GdkTexture *
tto_evidence_make_square (GBytes *thumbnail,
                          int size,
                          GError **error)
{
  g_autoptr (GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  g_autoptr (GdkPixbuf) square = NULL;
  g_autoptr (GdkPixbuf) scaled = NULL;
  GdkPixbuf *pixbuf;
  int width, height, side;

  g_return_val_if_fail (thumbnail != NULL, NULL);
  g_return_val_if_fail (size > 0, NULL);

  if (!gdk_pixbuf_loader_write_bytes (loader, thumbnail, error) ||
      !gdk_pixbuf_loader_close (loader, error))
    return NULL;
  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (pixbuf == NULL)
    {
      g_set_error_literal (error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_CORRUPT_IMAGE,
                           "no picture in the thumbnail");
      return NULL;
    }
  width = gdk_pixbuf_get_width (pixbuf);
  height = gdk_pixbuf_get_height (pixbuf);
  side = MIN (width, height);
  square = gdk_pixbuf_new_subpixbuf (pixbuf, (width - side) / 2, (height - side) / 2, side, side);
  scaled = gdk_pixbuf_scale_simple (square, size, size, GDK_INTERP_BILINEAR);
  return gdk_texture_new_for_pixbuf (scaled);
}
