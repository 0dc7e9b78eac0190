/* tto-qr-decode.h: finds and reads a QR code in a picture
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>

G_BEGIN_DECLS

#define TTO_QR_DECODE_ERROR (tto_qr_decode_error_quark ())

typedef enum
{
  TTO_QR_DECODE_ERROR_NOT_IMAGE, /* the file is not a picture GdkPixbuf can read */
  TTO_QR_DECODE_ERROR_NO_CODE,   /* the picture holds no readable QR code */
} TtoQrDecodeError;

GQuark tto_qr_decode_error_quark (void);

char *tto_qr_decode_grey (const guint8 *pixels,
                          guint width,
                          guint height,
                          guint stride,
                          GError **error);
char *tto_qr_decode_pixbuf (GdkPixbuf *pixbuf,
                            GError **error);
void tto_qr_decode_file_async (GFile *file,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
char *tto_qr_decode_file_finish (GAsyncResult *result,
                                 GError **error);

G_END_DECLS
