/* tto-media-viewer.h: an image or video message, full size
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-session.h"

G_BEGIN_DECLS

#define TTO_TYPE_MEDIA_VIEWER (tto_media_viewer_get_type ())
G_DECLARE_FINAL_TYPE (TtoMediaViewer, tto_media_viewer, TTO, MEDIA_VIEWER, AdwWindow)

TtoMediaViewer *tto_media_viewer_new (GtkWindow *parent,
                                      TtoSession *session,
                                      TtoMessage *message);
double tto_media_viewer_get_zoom (TtoMediaViewer *self);
void tto_media_viewer_set_zoom (TtoMediaViewer *self,
                                double zoom);
gboolean tto_media_viewer_get_loaded (TtoMediaViewer *self);
void tto_media_viewer_save_to_file (TtoMediaViewer *self,
                                    GFile *file);

G_END_DECLS
