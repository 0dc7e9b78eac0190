/* tto-call-tile.h: one participant of a call: video, or their initials
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tto-call-peer.h"

G_BEGIN_DECLS

#define TTO_TYPE_CALL_TILE (tto_call_tile_get_type ())
G_DECLARE_FINAL_TYPE (TtoCallTile, tto_call_tile, TTO, CALL_TILE, GtkWidget)

GtkWidget *tto_call_tile_new (const char *name,
                              gboolean local);
const char *tto_call_tile_get_name (TtoCallTile *self);
gboolean tto_call_tile_get_local (TtoCallTile *self);

void tto_call_tile_set_peer (TtoCallTile *self,
                             TtoCallPeer *peer);
TtoCallPeer *tto_call_tile_get_peer (TtoCallTile *self);
void tto_call_tile_set_texture (TtoCallTile *self,
                                GdkTexture *texture);
guint64 tto_call_tile_get_frames (TtoCallTile *self);
gint64 tto_call_tile_get_first_frame_time (TtoCallTile *self);

void tto_call_tile_set_muted (TtoCallTile *self,
                              gboolean muted);
gboolean tto_call_tile_get_muted (TtoCallTile *self);
void tto_call_tile_set_video_expected (TtoCallTile *self,
                                       gboolean expected);
gboolean tto_call_tile_get_showing_video (TtoCallTile *self);
void tto_call_tile_set_compact (TtoCallTile *self,
                                gboolean compact);
void tto_call_tile_set_fit_cover (TtoCallTile *self,
                                  gboolean cover);

G_END_DECLS
