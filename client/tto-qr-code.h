/* tto-qr-code.h: a QR code as a paintable, sharp at any size
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TTO_QR_CODE_ERROR (tto_qr_code_error_quark ())

typedef enum
{
  TTO_QR_CODE_ERROR_ENCODE, /* libqrencode could not encode the text (too long) */
  TTO_QR_CODE_ERROR_SAVE,   /* the PNG could not be written */
} TtoQrCodeError;

GQuark tto_qr_code_error_quark (void);

/* Modules of white around the code, as the standard asks. */
#define TTO_QR_CODE_QUIET_ZONE 4

#define TTO_TYPE_QR_CODE (tto_qr_code_get_type ())
G_DECLARE_FINAL_TYPE (TtoQrCode, tto_qr_code, TTO, QR_CODE, GObject)

TtoQrCode *tto_qr_code_new (const char *text,
                            GError **error);
const char *tto_qr_code_get_text (TtoQrCode *self);
guint tto_qr_code_get_modules (TtoQrCode *self);
gboolean tto_qr_code_get_module (TtoQrCode *self,
                                 guint x,
                                 guint y);
GdkTexture *tto_qr_code_to_texture (TtoQrCode *self,
                                    guint module_px);
gboolean tto_qr_code_save_png (TtoQrCode *self,
                               const char *path,
                               guint module_px,
                               GError **error);

G_END_DECLS
