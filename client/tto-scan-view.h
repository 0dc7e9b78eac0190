/* tto-scan-view.h: reads a QR code from the camera or from a picture
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TTO_TYPE_SCAN_VIEW (tto_scan_view_get_type ())
G_DECLARE_FINAL_TYPE (TtoScanView, tto_scan_view, TTO, SCAN_VIEW, AdwBin)

TtoScanView *tto_scan_view_new (void);
void tto_scan_view_start (TtoScanView *self);
void tto_scan_view_stop (TtoScanView *self);
gboolean tto_scan_view_has_camera (TtoScanView *self);
void tto_scan_view_decode_file (TtoScanView *self,
                                GFile *file);
void tto_scan_view_set_status (TtoScanView *self,
                               const char *text,
                               gboolean is_error);
const char *tto_scan_view_get_status (TtoScanView *self);

G_END_DECLS
