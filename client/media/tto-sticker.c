/* tto-sticker.c: one sticker of the local sticker library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A file in a pack's folder; the name is the file's name less its extension.
 * It goes to the relay only when sent, as an image blob of kind "sticker".
 */
#define G_LOG_DOMAIN "tto-media"

#include "tto-sticker.h"

struct _TtoSticker
{
  GObject parent_instance;

  char *pack;
  char *name;
  GFile *file;
};

G_DEFINE_FINAL_TYPE (TtoSticker, tto_sticker, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PACK,
  PROP_NAME,
  PROP_FILE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tto_sticker_finalize (GObject *object)
{
  TtoSticker *self = TTO_STICKER (object);

  g_free (self->pack);
  g_free (self->name);
  g_clear_object (&self->file);

  G_OBJECT_CLASS (tto_sticker_parent_class)->finalize (object);
}

static void
tto_sticker_get_property (GObject *object,
                          guint prop_id,
                          GValue *value,
                          GParamSpec *pspec)
{
  TtoSticker *self = TTO_STICKER (object);

  switch (prop_id)
    {
    case PROP_PACK:
      g_value_set_string (value, self->pack);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_sticker_set_property (GObject *object,
                          guint prop_id,
                          const GValue *value,
                          GParamSpec *pspec)
{
  TtoSticker *self = TTO_STICKER (object);

  switch (prop_id)
    {
    case PROP_PACK:
      self->pack = g_value_dup_string (value);
      break;
    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;
    case PROP_FILE:
      self->file = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_sticker_class_init (TtoStickerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tto_sticker_finalize;
  object_class->get_property = tto_sticker_get_property;
  object_class->set_property = tto_sticker_set_property;

  properties[PROP_PACK] =
    g_param_spec_string ("pack", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FILE] =
    g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tto_sticker_init (TtoSticker *self)
{
}

TtoSticker *
tto_sticker_new (const char *pack,
                 const char *name,
                 GFile *file)
{
  g_return_val_if_fail (pack != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  return g_object_new (TTO_TYPE_STICKER, "pack", pack, "name", name, "file", file, NULL);
}

const char *
tto_sticker_get_pack (TtoSticker *self)
{
  g_return_val_if_fail (TTO_IS_STICKER (self), NULL);

  return self->pack;
}

const char *
tto_sticker_get_name (TtoSticker *self)
{
  g_return_val_if_fail (TTO_IS_STICKER (self), NULL);

  return self->name;
}

/* The image file (PNG, WebP or GIF), for gdk_texture_new_from_file(). */
GFile *
tto_sticker_get_file (TtoSticker *self)
{
  g_return_val_if_fail (TTO_IS_STICKER (self), NULL);

  return self->file;
}

/* From the file's extension, which the library chose from its content. */
const char *
tto_sticker_get_mime_type (TtoSticker *self)
{
  g_autofree char *basename = NULL;

  g_return_val_if_fail (TTO_IS_STICKER (self), NULL);

  basename = g_file_get_basename (self->file);
  if (g_str_has_suffix (basename, ".webp"))
    return "image/webp";
  if (g_str_has_suffix (basename, ".gif"))
    return "image/gif";

  return "image/png";
}

/* The bytes to upload when the sticker is sent. */
GBytes *
tto_sticker_load_bytes (TtoSticker *self,
                        GCancellable *cancellable,
                        GError **error)
{
  g_return_val_if_fail (TTO_IS_STICKER (self), NULL);

  return g_file_load_bytes (self->file, cancellable, NULL, error);
}
