/* tto-sticker.h: one sticker of the local sticker library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TTO_TYPE_STICKER (tto_sticker_get_type ())
G_DECLARE_FINAL_TYPE (TtoSticker, tto_sticker, TTO, STICKER, GObject)

TtoSticker *tto_sticker_new (const char *pack,
                             const char *name,
                             GFile *file);
const char *tto_sticker_get_pack (TtoSticker *self);
const char *tto_sticker_get_name (TtoSticker *self);
GFile *tto_sticker_get_file (TtoSticker *self);
const char *tto_sticker_get_mime_type (TtoSticker *self);
GBytes *tto_sticker_load_bytes (TtoSticker *self,
                                GCancellable *cancellable,
                                GError **error);

G_END_DECLS
