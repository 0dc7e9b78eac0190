/* tto-sticker-library.h: the user's own sticker packs, kept on the device
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tto-sticker.h"

G_BEGIN_DECLS

#define TTO_STICKER_LIBRARY_ERROR (tto_sticker_library_error_quark ())

typedef enum
{
  TTO_STICKER_LIBRARY_ERROR_NOT_AN_IMAGE,
  /* An image, but not PNG, WebP or GIF. */
  TTO_STICKER_LIBRARY_ERROR_UNSUPPORTED_FORMAT,
  /* Over 512 KiB even at ≤ 512 px. */
  TTO_STICKER_LIBRARY_ERROR_TOO_LARGE,
  /* A pack name that cannot be a folder name. */
  TTO_STICKER_LIBRARY_ERROR_INVALID_NAME,
  TTO_STICKER_LIBRARY_ERROR_NOT_FOUND,
} TtoStickerLibraryError;

GQuark tto_sticker_library_error_quark (void);

#define TTO_STICKER_LIBRARY_MAX_BYTES (512 * 1024)
#define TTO_STICKER_LIBRARY_MAX_SIDE 512

#define TTO_TYPE_STICKER_LIBRARY (tto_sticker_library_get_type ())
G_DECLARE_FINAL_TYPE (TtoStickerLibrary, tto_sticker_library, TTO, STICKER_LIBRARY, GObject)

TtoStickerLibrary *tto_sticker_library_new (GFile *root);
GFile *tto_sticker_library_get_root (TtoStickerLibrary *self);
GListModel *tto_sticker_library_get_packs (TtoStickerLibrary *self);
GListModel *tto_sticker_library_get_stickers (TtoStickerLibrary *self,
                                              const char *pack);
TtoSticker *tto_sticker_library_import (TtoStickerLibrary *self,
                                        const char *pack,
                                        GFile *file,
                                        GCancellable *cancellable,
                                        GError **error);
gboolean tto_sticker_library_remove (TtoStickerLibrary *self,
                                     TtoSticker *sticker,
                                     GError **error);
gboolean tto_sticker_library_remove_pack (TtoStickerLibrary *self,
                                          const char *pack,
                                          GError **error);
gboolean tto_sticker_library_reload (TtoStickerLibrary *self,
                                     GError **error);

G_END_DECLS
