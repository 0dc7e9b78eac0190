/* tto-qr-code.c: a QR code as a paintable, sharp at any size
 *
 * libqrencode gives the modules; the paintable draws each run of dark
 * modules as one rectangle, with the module size rounded to whole device
 * pixels where the space allows, so the code never blurs when scaled.
 * The quiet zone (4 modules of white) is part of what is drawn.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>
#include <qrencode.h>

#include "tto-qr-code.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QRcode, QRcode_free)
G_DEFINE_QUARK (tto-qr-code-error-quark, tto_qr_code_error)

struct _TtoQrCode
{
  GObject parent_instance;

  char *text;
  guint modules;  /* width of the code in modules, without quiet zone */
  guint8 *dark;   /* modules × modules, 1 = dark */
};

static void tto_qr_code_paintable_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TtoQrCode, tto_qr_code, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE,
                                                      tto_qr_code_paintable_init))

static guint
total_modules (TtoQrCode *self)
{
  return self->modules + 2 * TTO_QR_CODE_QUIET_ZONE;
}

static void
tto_qr_code_snapshot (GdkPaintable *paintable,
                      GdkSnapshot *snapshot,
                      double width,
                      double height)
{
  TtoQrCode *self = TTO_QR_CODE (paintable);
  GdkRGBA white = { 1, 1, 1, 1 };
  GdkRGBA black = { 0, 0, 0, 1 };
  double side = MIN (width, height);
  double module = side / total_modules (self);
  double x0, y0;

  /* Whole pixels per module when there is room: no blurred edges. */
  if (module >= 1)
    module = floor (module);
  x0 = floor ((width - module * total_modules (self)) / 2);
  y0 = floor ((height - module * total_modules (self)) / 2);

  gtk_snapshot_append_color (GTK_SNAPSHOT (snapshot), &white,
                             &GRAPHENE_RECT_INIT (x0, y0, module * total_modules (self),
                                                  module * total_modules (self)));
  for (guint y = 0; y < self->modules; y++)
    for (guint x = 0; x < self->modules;)
      {
        guint run = 0;

        while (x + run < self->modules && self->dark[y * self->modules + x + run])
          run++;
        if (run == 0)
          {
            x++;
            continue;
          }
        gtk_snapshot_append_color (
          GTK_SNAPSHOT (snapshot), &black,
          &GRAPHENE_RECT_INIT (x0 + (x + TTO_QR_CODE_QUIET_ZONE) * module,
                               y0 + (y + TTO_QR_CODE_QUIET_ZONE) * module, run * module,
                               module));
        x += run;
      }
}

static GdkPaintableFlags
tto_qr_code_get_flags (GdkPaintable *paintable)
{
  return GDK_PAINTABLE_STATIC_CONTENTS | GDK_PAINTABLE_STATIC_SIZE;
}

static int
tto_qr_code_get_intrinsic_width (GdkPaintable *paintable)
{
  /* 4 px per module: a comfortable size to scan from a screen. */
  return (int) total_modules (TTO_QR_CODE (paintable)) * 4;
}

static double
tto_qr_code_get_intrinsic_aspect_ratio (GdkPaintable *paintable)
{
  return 1.0;
}

static void
tto_qr_code_paintable_init (GdkPaintableInterface *iface)
{
  iface->snapshot = tto_qr_code_snapshot;
  iface->get_flags = tto_qr_code_get_flags;
  iface->get_intrinsic_width = tto_qr_code_get_intrinsic_width;
  iface->get_intrinsic_height = tto_qr_code_get_intrinsic_width;
  iface->get_intrinsic_aspect_ratio = tto_qr_code_get_intrinsic_aspect_ratio;
}

static void
tto_qr_code_finalize (GObject *object)
{
  TtoQrCode *self = (TtoQrCode *) object;

  g_free (self->text);
  g_free (self->dark);

  G_OBJECT_CLASS (tto_qr_code_parent_class)->finalize (object);
}

static void
tto_qr_code_class_init (TtoQrCodeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tto_qr_code_finalize;
}

static void
tto_qr_code_init (TtoQrCode *self)
{
}

/* Error correction level M: survives some glare and a crumpled print
 * while keeping an invitation link at version 5–6. */
TtoQrCode *
tto_qr_code_new (const char *text,
                 GError **error)
{
  g_autoptr (QRcode) code = NULL;
  TtoQrCode *self;

  g_return_val_if_fail (text != NULL, NULL);

  code = QRcode_encodeString8bit (text, 0, QR_ECLEVEL_M);
  if (code == NULL || code->width <= 0)
    {
      g_set_error (error, TTO_QR_CODE_ERROR, TTO_QR_CODE_ERROR_ENCODE,
                   "Could not encode %zu bytes as a QR code", strlen (text));
      return NULL;
    }

  self = g_object_new (TTO_TYPE_QR_CODE, NULL);
  self->text = g_strdup (text);
  self->modules = (guint) code->width;
  self->dark = g_malloc ((gsize) self->modules * self->modules);
  for (guint i = 0; i < self->modules * self->modules; i++)
    self->dark[i] = code->data[i] & 1;
  return self;
}

const char *
tto_qr_code_get_text (TtoQrCode *self)
{
  g_return_val_if_fail (TTO_IS_QR_CODE (self), NULL);

  return self->text;
}

/* Without the quiet zone. */
guint
tto_qr_code_get_modules (TtoQrCode *self)
{
  g_return_val_if_fail (TTO_IS_QR_CODE (self), 0);

  return self->modules;
}

gboolean
tto_qr_code_get_module (TtoQrCode *self,
                        guint x,
                        guint y)
{
  g_return_val_if_fail (TTO_IS_QR_CODE (self), FALSE);
  g_return_val_if_fail (x < self->modules && y < self->modules, FALSE);

  return self->dark[y * self->modules + x];
}

/* The code with its quiet zone, @module_px pixels per module, opaque
 * black on white. */
GdkTexture *
tto_qr_code_to_texture (TtoQrCode *self,
                        guint module_px)
{
  g_autoptr (GBytes) bytes = NULL;
  guint side;
  guint8 *pixels;

  g_return_val_if_fail (TTO_IS_QR_CODE (self), NULL);
  g_return_val_if_fail (module_px > 0 && module_px <= 64, NULL);

  side = total_modules (self) * module_px;
  pixels = g_malloc ((gsize) side * side * 3);
  for (guint py = 0; py < side; py++)
    for (guint px = 0; px < side; px++)
      {
        guint mx = px / module_px;
        guint my = py / module_px;
        gboolean dark = FALSE;
        guint8 value;

        if (mx >= TTO_QR_CODE_QUIET_ZONE && my >= TTO_QR_CODE_QUIET_ZONE &&
            mx < self->modules + TTO_QR_CODE_QUIET_ZONE &&
            my < self->modules + TTO_QR_CODE_QUIET_ZONE)
          dark = self->dark[(my - TTO_QR_CODE_QUIET_ZONE) * self->modules +
                            mx - TTO_QR_CODE_QUIET_ZONE];
        value = dark ? 0 : 255;
        pixels[(py * side + px) * 3] = value;
        pixels[(py * side + px) * 3 + 1] = value;
        pixels[(py * side + px) * 3 + 2] = value;
      }
  bytes = g_bytes_new_take (pixels, (gsize) side * side * 3);
  return gdk_memory_texture_new ((int) side, (int) side, GDK_MEMORY_R8G8B8, bytes, side * 3);
}

gboolean
tto_qr_code_save_png (TtoQrCode *self,
                      const char *path,
                      guint module_px,
                      GError **error)
{
  g_autoptr (GdkTexture) texture = NULL;

  g_return_val_if_fail (TTO_IS_QR_CODE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  texture = tto_qr_code_to_texture (self, module_px);
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_autofree char *name = g_filename_display_name (path);

      g_set_error (error, TTO_QR_CODE_ERROR, TTO_QR_CODE_ERROR_SAVE, "Could not write %s", name);
      return FALSE;
    }
  return TRUE;
}
