/* tto-media-player.h: plays a voice or video message from memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TTO_MEDIA_PLAYER_ERROR (tto_media_player_error_quark ())

typedef enum
{
  /* A GStreamer element is missing or the bytes do not play. */
  TTO_MEDIA_PLAYER_ERROR_FAILED,
} TtoMediaPlayerError;

GQuark tto_media_player_error_quark (void);

/* Also a GdkPaintable: the video's current frame (empty for voice). */
#define TTO_TYPE_MEDIA_PLAYER (tto_media_player_get_type ())
G_DECLARE_FINAL_TYPE (TtoMediaPlayer, tto_media_player, TTO, MEDIA_PLAYER, GObject)

TtoMediaPlayer *tto_media_player_new (GBytes *media,
                                      gboolean with_video);
void tto_media_player_play (TtoMediaPlayer *self);
void tto_media_player_pause (TtoMediaPlayer *self);
void tto_media_player_stop (TtoMediaPlayer *self);
gboolean tto_media_player_get_playing (TtoMediaPlayer *self);
guint tto_media_player_get_position_ms (TtoMediaPlayer *self);
guint tto_media_player_get_duration_ms (TtoMediaPlayer *self);
guint tto_media_player_get_frames (TtoMediaPlayer *self);

G_END_DECLS
