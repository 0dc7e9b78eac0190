/* tto-sticker-library.c: the user's own sticker packs, kept on the device
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   $XDG_DATA_HOME/tto/stickers/<pack>/<name>.png|webp|gif
 *
 * Importing copies a file in after checking it: a PNG, WebP or GIF that
 * decodes whole; larger than 512 px on a side it is scaled down (as a PNG of
 * its first frame); the stored file is at most 512 KiB. Smaller files are
 * kept byte for byte, so animations survive. Nothing here talks to the relay.
 */
#define G_LOG_DOMAIN "tto-media"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "tto-sticker-library.h"

/* A file bigger than this is not even read. */
#define MAX_INPUT_BYTES (16 * 1024 * 1024)
#define MAX_PACK_CHARS 64
#define MAX_NAME_CHARS 64

struct _TtoStickerLibrary
{
  GObject parent_instance;

  GFile *root;
  GtkStringList *packs;
  GHashTable *stickers; /* pack name → GListStore of TtoSticker */
};

G_DEFINE_QUARK (tto-sticker-library-error-quark, tto_sticker_library_error)

G_DEFINE_FINAL_TYPE (TtoStickerLibrary, tto_sticker_library, G_TYPE_OBJECT)

static const char *
extension_for_format (const char *format)
{
  if (g_strcmp0 (format, "png") == 0)
    return "png";
  if (g_strcmp0 (format, "webp") == 0)
    return "webp";
  if (g_strcmp0 (format, "gif") == 0)
    return "gif";

  return NULL;
}

static gboolean
is_sticker_file (const char *basename)
{
  return basename[0] != '.' &&
         (g_str_has_suffix (basename, ".png") || g_str_has_suffix (basename, ".webp") ||
          g_str_has_suffix (basename, ".gif"));
}

static gboolean
check_pack_name (const char *pack,
                 GError **error)
{
  if (pack == NULL || pack[0] == '\0' || pack[0] == '.' || strchr (pack, '/') != NULL ||
      strchr (pack, '\\') != NULL || !g_utf8_validate (pack, -1, NULL) ||
      g_utf8_strlen (pack, -1) > MAX_PACK_CHARS)
    {
      g_set_error (error, TTO_STICKER_LIBRARY_ERROR, TTO_STICKER_LIBRARY_ERROR_INVALID_NAME,
                   "a pack's name is 1 to %d characters, without '/' and not starting with '.'",
                   MAX_PACK_CHARS);
      return FALSE;
    }

  return TRUE;
}

/* The file's name less its extension, made safe as a file name. */
static char *
sticker_name_from_file (GFile *file)
{
  g_autofree char *basename = g_file_get_basename (file);
  g_autofree char *display = g_filename_display_name (basename);
  char *dot = strrchr (display, '.');
  GString *name = g_string_new (NULL);
  guint chars = 0;

  if (dot != NULL && dot != display)
    *dot = '\0';

  for (const char *p = display; *p != '\0' && chars < MAX_NAME_CHARS; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '/' || c == '\\' || g_unichar_iscntrl (c) || (name->len == 0 && c == '.'))
        c = '_';
      g_string_append_unichar (name, c);
      chars++;
    }
  if (name->len == 0)
    g_string_append (name, "sticker");

  return g_string_free (name, FALSE);
}

static int
compare_stickers (gconstpointer a,
                  gconstpointer b,
                  gpointer user_data)
{
  return g_utf8_collate (tto_sticker_get_name ((TtoSticker *) a),
                         tto_sticker_get_name ((TtoSticker *) b));
}

/* The store of @pack; new or unlisted packs are listed, in name order. */
static GListStore *
ensure_pack (TtoStickerLibrary *self,
             const char *pack)
{
  GListStore *store = g_hash_table_lookup (self->stickers, pack);
  guint n;
  guint position;

  if (store == NULL)
    {
      store = g_list_store_new (TTO_TYPE_STICKER);
      g_hash_table_insert (self->stickers, g_strdup (pack), store);
    }
  else if (g_object_get_data (G_OBJECT (store), "tto-unlisted") == NULL)
    {
      return store;
    }
  g_object_set_data (G_OBJECT (store), "tto-unlisted", NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->packs));
  for (position = 0; position < n; position++)
    if (g_utf8_collate (pack, gtk_string_list_get_string (self->packs, position)) < 0)
      break;
  gtk_string_list_splice (self->packs, position, 0, (const char *const[]) { pack, NULL });

  return store;
}

static gboolean
find_pack_position (TtoStickerLibrary *self,
                    const char *pack,
                    guint *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->packs));

  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->packs, i), pack) == 0)
      {
        *position = i;
        return TRUE;
      }

  return FALSE;
}

static gboolean
scan_pack (TtoStickerLibrary *self,
           GFile *dir,
           const char *pack,
           GError **error)
{
  g_autoptr (GFileEnumerator) enumerator = NULL;
  GListStore *store = ensure_pack (self, pack);

  enumerator = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                          G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                          G_FILE_QUERY_INFO_NONE, NULL, error);
  if (enumerator == NULL)
    return FALSE;

  for (;;)
    {
      GFileInfo *info;
      GFile *child;
      const char *basename;

      if (!g_file_enumerator_iterate (enumerator, &info, &child, NULL, error))
        return FALSE;
      if (info == NULL)
        break;

      basename = g_file_info_get_name (info);
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR && is_sticker_file (basename))
        {
          g_autoptr (TtoSticker) sticker = NULL;
          g_autofree char *name = sticker_name_from_file (child);

          sticker = tto_sticker_new (pack, name, child);
          g_list_store_insert_sorted (store, sticker, compare_stickers, NULL);
        }
    }

  return TRUE;
}

/* Image checks */

typedef struct
{
  GBytes *bytes;
  const char *extension;
} Prepared;

/* @data as a sticker's bytes: checked, maybe scaled down. */
static gboolean
prepare_image (GBytes *data,
               Prepared *prepared,
               GError **error)
{
  g_autoptr (GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  g_autoptr (GError) local_error = NULL;
  g_autofree char *format_name = NULL;
  GdkPixbufFormat *format;
  GdkPixbuf *pixbuf;
  int width;
  int height;

  if (!gdk_pixbuf_loader_write_bytes (loader, data, &local_error))
    gdk_pixbuf_loader_close (loader, NULL);
  else
    gdk_pixbuf_loader_close (loader, &local_error);
  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (local_error != NULL || pixbuf == NULL)
    {
      g_set_error (error, TTO_STICKER_LIBRARY_ERROR, TTO_STICKER_LIBRARY_ERROR_NOT_AN_IMAGE,
                   "not an image%s%s", local_error != NULL ? ": " : "",
                   local_error != NULL ? local_error->message : "");
      return FALSE;
    }

  format = gdk_pixbuf_loader_get_format (loader);
  format_name = format != NULL ? gdk_pixbuf_format_get_name (format) : NULL;
  prepared->extension = extension_for_format (format_name);
  if (prepared->extension == NULL)
    {
      g_set_error (error, TTO_STICKER_LIBRARY_ERROR,
                   TTO_STICKER_LIBRARY_ERROR_UNSUPPORTED_FORMAT,
                   "stickers are PNG, WebP or GIF images, not %s",
                   format_name != NULL ? format_name : "this format");
      return FALSE;
    }

  width = gdk_pixbuf_get_width (pixbuf);
  height = gdk_pixbuf_get_height (pixbuf);
  if (width > TTO_STICKER_LIBRARY_MAX_SIDE || height > TTO_STICKER_LIBRARY_MAX_SIDE)
    {
      double scale = (double) TTO_STICKER_LIBRARY_MAX_SIDE / MAX (width, height);
      g_autoptr (GdkPixbuf) scaled = NULL;
      g_autofree char *buffer = NULL;
      gsize length;

      scaled = gdk_pixbuf_scale_simple (pixbuf,
                                        CLAMP ((int) lround (width * scale), 1,
                                               TTO_STICKER_LIBRARY_MAX_SIDE),
                                        CLAMP ((int) lround (height * scale), 1,
                                               TTO_STICKER_LIBRARY_MAX_SIDE),
                                        GDK_INTERP_BILINEAR);
      if (!gdk_pixbuf_save_to_buffer (scaled, &buffer, &length, "png", error,
                                      "compression", "9", NULL))
        return FALSE;
      prepared->bytes = g_bytes_new_take (g_steal_pointer (&buffer), length);
      prepared->extension = "png";
    }
  else
    {
      prepared->bytes = g_bytes_ref (data);
    }

  if (g_bytes_get_size (prepared->bytes) > TTO_STICKER_LIBRARY_MAX_BYTES)
    {
      g_clear_pointer (&prepared->bytes, g_bytes_unref);
      g_set_error (error, TTO_STICKER_LIBRARY_ERROR, TTO_STICKER_LIBRARY_ERROR_TOO_LARGE,
                   "a sticker may have at most %d KiB", TTO_STICKER_LIBRARY_MAX_BYTES / 1024);
      return FALSE;
    }

  return TRUE;
}

/* Object */

static void
tto_sticker_library_finalize (GObject *object)
{
  TtoStickerLibrary *self = TTO_STICKER_LIBRARY (object);

  g_clear_object (&self->root);
  g_clear_object (&self->packs);
  g_clear_pointer (&self->stickers, g_hash_table_unref);

  G_OBJECT_CLASS (tto_sticker_library_parent_class)->finalize (object);
}

static void
tto_sticker_library_class_init (TtoStickerLibraryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tto_sticker_library_finalize;
}

static void
tto_sticker_library_init (TtoStickerLibrary *self)
{
  self->packs = gtk_string_list_new (NULL);
  self->stickers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

/* @root: the library's folder, or NULL for
 * $XDG_DATA_HOME/tto/stickers. Reads what is there. */
TtoStickerLibrary *
tto_sticker_library_new (GFile *root)
{
  TtoStickerLibrary *self;
  g_autoptr (GError) error = NULL;

  g_return_val_if_fail (root == NULL || G_IS_FILE (root), NULL);

  self = g_object_new (TTO_TYPE_STICKER_LIBRARY, NULL);
  if (root != NULL)
    {
      self->root = g_object_ref (root);
    }
  else
    {
      g_autofree char *path = g_build_filename (g_get_user_data_dir (), "tto", "stickers", NULL);

      self->root = g_file_new_for_path (path);
    }

  if (!tto_sticker_library_reload (self, &error))
    g_debug ("cannot read the sticker library: %s", error->message);

  return self;
}

GFile *
tto_sticker_library_get_root (TtoStickerLibrary *self)
{
  g_return_val_if_fail (TTO_IS_STICKER_LIBRARY (self), NULL);

  return self->root;
}

/* The packs' names, sorted: a GtkStringList, kept up to date. */
GListModel *
tto_sticker_library_get_packs (TtoStickerLibrary *self)
{
  g_return_val_if_fail (TTO_IS_STICKER_LIBRARY (self), NULL);

  return G_LIST_MODEL (self->packs);
}

/* The stickers of @pack, sorted by name, kept up to date (empty for a
 * pack that does not exist yet, and filled if it is created).
 * Returns: (transfer full) */
GListModel *
tto_sticker_library_get_stickers (TtoStickerLibrary *self,
                                  const char *pack)
{
  GListStore *store;

  g_return_val_if_fail (TTO_IS_STICKER_LIBRARY (self), NULL);
  g_return_val_if_fail (pack != NULL, NULL);

  store = g_hash_table_lookup (self->stickers, pack);
  if (store == NULL)
    {
      /* Not listed as a pack until something is imported into it. */
      store = g_list_store_new (TTO_TYPE_STICKER);
      g_object_set_data (G_OBJECT (store), "tto-unlisted", GINT_TO_POINTER (TRUE));
      g_hash_table_insert (self->stickers, g_strdup (pack), store);
    }

  return g_object_ref (G_LIST_MODEL (store));
}

/* Copies @file into @pack (created if new) after checking it.
 * Returns: (transfer full) the new sticker */
TtoSticker *
tto_sticker_library_import (TtoStickerLibrary *self,
                            const char *pack,
                            GFile *file,
                            GCancellable *cancellable,
                            GError **error)
{
  g_autoptr (GFileInfo) info = NULL;
  g_autoptr (GBytes) data = NULL;
  g_autoptr (GFile) dir = NULL;
  g_autoptr (GFile) destination = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *base_name = NULL;
  g_autofree char *name = NULL;
  Prepared prepared = { NULL, NULL };
  GListStore *store;
  TtoSticker *sticker;

  g_return_val_if_fail (TTO_IS_STICKER_LIBRARY (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  if (!check_pack_name (pack, error))
    return NULL;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                            cancellable, error);
  if (info == NULL)
    return NULL;
  if (g_file_info_get_size (info) > MAX_INPUT_BYTES)
    {
      g_set_error (error, TTO_STICKER_LIBRARY_ERROR, TTO_STICKER_LIBRARY_ERROR_TOO_LARGE,
                   "the file is too large for a sticker");
      return NULL;
    }

  data = g_file_load_bytes (file, cancellable, NULL, error);
  if (data == NULL || !prepare_image (data, &prepared, error))
    return NULL;

  dir = g_file_get_child (self->root, pack);
  if (!g_file_make_directory_with_parents (dir, cancellable, &local_error) &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      g_bytes_unref (prepared.bytes);
      return NULL;
    }

  /* A free name: "cat", "cat-2", … */
  base_name = sticker_name_from_file (file);
  name = g_strdup (base_name);
  for (guint i = 2;; i++)
    {
      g_autofree char *filename = g_strdup_printf ("%s.%s", name, prepared.extension);
      gboolean taken = FALSE;

      g_clear_object (&destination);
      destination = g_file_get_child (dir, filename);
      for (const char *const *ext = (const char *const[]) { "png", "webp", "gif", NULL };
           *ext != NULL; ext++)
        {
          g_autofree char *other = g_strdup_printf ("%s.%s", name, *ext);
          g_autoptr (GFile) other_file = g_file_get_child (dir, other);

          taken = taken || g_file_query_exists (other_file, cancellable);
        }
      if (!taken)
        break;

      g_free (name);
      name = g_strdup_printf ("%s-%u", base_name, i);
    }

  if (!g_file_replace_contents (destination, g_bytes_get_data (prepared.bytes, NULL),
                                g_bytes_get_size (prepared.bytes), NULL, FALSE,
                                G_FILE_CREATE_NONE, NULL, cancellable, error))
    {
      g_bytes_unref (prepared.bytes);
      return NULL;
    }
  g_bytes_unref (prepared.bytes);

  store = ensure_pack (self, pack);
  sticker = tto_sticker_new (pack, name, destination);
  g_list_store_insert_sorted (store, sticker, compare_stickers, NULL);

  return sticker;
}

/* Deletes the sticker's file and drops it from its pack. */
gboolean
tto_sticker_library_remove (TtoStickerLibrary *self,
                            TtoSticker *sticker,
                            GError **error)
{
  GListStore *store;
  guint position;

  g_return_val_if_fail (TTO_IS_STICKER_LIBRARY (self), FALSE);
  g_return_val_if_fail (TTO_IS_STICKER (sticker), FALSE);

  store = g_hash_table_lookup (self->stickers, tto_sticker_get_pack (sticker));
  if (store == NULL || !g_list_store_find (store, sticker, &position))
    {
      g_set_error (error, TTO_STICKER_LIBRARY_ERROR, TTO_STICKER_LIBRARY_ERROR_NOT_FOUND,
                   "no such sticker in the library");
      return FALSE;
    }

  if (!g_file_delete (tto_sticker_get_file (sticker), NULL, error))
    return FALSE;

  g_list_store_remove (store, position);
  return TRUE;
}

/* Deletes a pack and all its stickers. */
gboolean
tto_sticker_library_remove_pack (TtoStickerLibrary *self,
                                 const char *pack,
                                 GError **error)
{
  g_autoptr (GFile) dir = NULL;
  GListStore *store;
  guint position;

  g_return_val_if_fail (TTO_IS_STICKER_LIBRARY (self), FALSE);

  if (!check_pack_name (pack, error))
    return FALSE;
  if (!find_pack_position (self, pack, &position))
    {
      g_set_error (error, TTO_STICKER_LIBRARY_ERROR, TTO_STICKER_LIBRARY_ERROR_NOT_FOUND,
                   "no such sticker pack");
      return FALSE;
    }

  store = g_hash_table_lookup (self->stickers, pack);
  while (store != NULL && g_list_model_get_n_items (G_LIST_MODEL (store)) > 0)
    {
      g_autoptr (TtoSticker) sticker = g_list_model_get_item (G_LIST_MODEL (store), 0);

      if (!tto_sticker_library_remove (self, sticker, error))
        return FALSE;
    }

  dir = g_file_get_child (self->root, pack);
  if (!g_file_delete (dir, NULL, error))
    return FALSE;

  gtk_string_list_remove (self->packs, position);
  if (store != NULL)
    g_object_set_data (G_OBJECT (store), "tto-unlisted", GINT_TO_POINTER (TRUE));

  return TRUE;
}

/* Reads the folder again (after another program changed it). */
gboolean
tto_sticker_library_reload (TtoStickerLibrary *self,
                            GError **error)
{
  g_autoptr (GFileEnumerator) enumerator = NULL;
  g_autoptr (GError) local_error = NULL;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (TTO_IS_STICKER_LIBRARY (self), FALSE);

  /* Stores handed out stay valid: emptied, then filled again. */
  g_hash_table_iter_init (&iter, self->stickers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_list_store_remove_all (value);
      g_object_set_data (G_OBJECT (value), "tto-unlisted", GINT_TO_POINTER (TRUE));
    }
  gtk_string_list_splice (self->packs, 0, g_list_model_get_n_items (G_LIST_MODEL (self->packs)),
                          NULL);

  enumerator = g_file_enumerate_children (self->root, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                          G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                          G_FILE_QUERY_INFO_NONE, NULL, &local_error);
  if (enumerator == NULL)
    {
      /* No library yet is an empty one. */
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  for (;;)
    {
      GFileInfo *info;
      GFile *child;
      const char *basename;

      if (!g_file_enumerator_iterate (enumerator, &info, &child, NULL, error))
        return FALSE;
      if (info == NULL)
        break;

      basename = g_file_info_get_name (info);
      if (g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY ||
          !check_pack_name (basename, NULL))
        continue;

      if (!scan_pack (self, child, basename, error))
        return FALSE;
    }

  return TRUE;
}
