/* tto-call-tile.c: one participant of a call: video, or their initials
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shows the latest frame of a peer (or of the own camera) and, over it,
 * the name and a muted microphone. Without video (an audio call, a camera
 * turned off, no frame for a while) the initials take its place. The tile
 * asks for little space: the call page decides how large it is, so the
 * video's own size never stretches a strip or a grid.
 */
#include <glib/gi18n.h>
#include <adwaita.h>

#include "tto-call-tile.h"

/* A remote video with no frame for this long counts as stopped. */
#define STALE_US (2 * G_USEC_PER_SEC)

struct _TtoCallTile
{
  GtkWidget parent_instance;

  GtkWidget *picture;
  GtkWidget *no_video_view; /* avatar and status, centred, when there is no picture */
  AdwAvatar *avatar;
  GtkLabel *status_label;
  GtkWidget *info;
  GtkLabel *name_label;
  GtkWidget *muted_icon;

  char *name;
  gboolean local;
  gboolean muted;
  gboolean video_expected;
  gboolean compact;
  TtoCallPeer *peer;
  guint64 frames;
  gint64 first_frame_time;
  gint64 last_frame_time;
  guint tick;
};

G_DEFINE_FINAL_TYPE (TtoCallTile, tto_call_tile, GTK_TYPE_WIDGET)

static void
update (TtoCallTile *self)
{
  gboolean video = tto_call_tile_get_showing_video (self);
  const char *status = NULL;

  gtk_widget_set_visible (self->picture, video);
  gtk_widget_set_visible (self->no_video_view, !video);
  gtk_widget_set_visible (self->muted_icon, self->muted);
  adw_avatar_set_size (self->avatar, self->compact ? 40 : 88);

  if (self->peer != NULL)
    switch (tto_call_peer_get_state (self->peer))
      {
      case TTO_CALL_PEER_STATE_NEW:
      case TTO_CALL_PEER_STATE_CONNECTING:
        status = _("Connecting…");
        break;
      case TTO_CALL_PEER_STATE_FAILED:
        status = _("Connection failed");
        break;
      case TTO_CALL_PEER_STATE_CONNECTED:
      case TTO_CALL_PEER_STATE_CLOSED:
      default:
        break;
      }
  else if (!self->local)
    status = _("Waiting…");
  gtk_label_set_label (self->status_label, status != NULL ? status : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), status != NULL && !self->compact);
}

static gboolean
on_tick (gpointer data)
{
  update (TTO_CALL_TILE (data));
  return G_SOURCE_CONTINUE;
}

static void
on_peer_video_frame (TtoCallPeer *peer,
                     GdkTexture *texture,
                     TtoCallTile *self)
{
  tto_call_tile_set_texture (self, texture);
}

static void
on_peer_state_changed (TtoCallTile *self)
{
  update (self);
}

/* GtkWidget */

static void
tto_call_tile_measure (GtkWidget *widget,
                       GtkOrientation orientation,
                       int for_size,
                       int *minimum,
                       int *natural,
                       int *minimum_baseline,
                       int *natural_baseline)
{
  TtoCallTile *self = TTO_CALL_TILE (widget);
  int min = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_min = 0;

      if (!gtk_widget_should_layout (child) || child == self->picture)
        continue;
      gtk_widget_measure (child, orientation, -1, &child_min, NULL, NULL, NULL);
      min = MAX (min, child_min);
    }
  *minimum = min;
  /* 16:9 by default; the page gives the real size. */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *natural = MAX (min, self->compact ? 112 : 320);
  else
    *natural = MAX (min, self->compact ? 84 : 180);
}

static void
tto_call_tile_size_allocate (GtkWidget *widget,
                             int width,
                             int height,
                             int baseline)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_should_layout (child))
      gtk_widget_allocate (child, width, height, -1, NULL);
}

static void
tto_call_tile_map (GtkWidget *widget)
{
  TtoCallTile *self = TTO_CALL_TILE (widget);

  GTK_WIDGET_CLASS (tto_call_tile_parent_class)->map (widget);
  if (!self->local && self->tick == 0)
    self->tick = g_timeout_add (500, on_tick, self);
}

static void
tto_call_tile_unmap (GtkWidget *widget)
{
  TtoCallTile *self = TTO_CALL_TILE (widget);

  g_clear_handle_id (&self->tick, g_source_remove);
  GTK_WIDGET_CLASS (tto_call_tile_parent_class)->unmap (widget);
}

/* GObject */

static void
tto_call_tile_dispose (GObject *object)
{
  TtoCallTile *self = TTO_CALL_TILE (object);
  GtkWidget *child;

  tto_call_tile_set_peer (self, NULL);
  g_clear_handle_id (&self->tick, g_source_remove);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (tto_call_tile_parent_class)->dispose (object);
}

static void
tto_call_tile_finalize (GObject *object)
{
  TtoCallTile *self = TTO_CALL_TILE (object);

  g_free (self->name);

  G_OBJECT_CLASS (tto_call_tile_parent_class)->finalize (object);
}

static void
tto_call_tile_class_init (TtoCallTileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_call_tile_dispose;
  object_class->finalize = tto_call_tile_finalize;
  widget_class->measure = tto_call_tile_measure;
  widget_class->size_allocate = tto_call_tile_size_allocate;
  widget_class->map = tto_call_tile_map;
  widget_class->unmap = tto_call_tile_unmap;

  gtk_widget_class_set_css_name (widget_class, "call-tile");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
tto_call_tile_init (TtoCallTile *self)
{
  GtkWidget *box;

  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  self->video_expected = TRUE;

  self->picture = gtk_picture_new ();
  gtk_picture_set_can_shrink (GTK_PICTURE (self->picture), TRUE);
  gtk_picture_set_content_fit (GTK_PICTURE (self->picture), GTK_CONTENT_FIT_CONTAIN);
  gtk_widget_set_parent (self->picture, GTK_WIDGET (self));

  self->no_video_view = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  gtk_widget_set_halign (self->no_video_view, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (self->no_video_view, GTK_ALIGN_CENTER);
  self->avatar = ADW_AVATAR (adw_avatar_new (88, NULL, TRUE));
  gtk_box_append (GTK_BOX (self->no_video_view), GTK_WIDGET (self->avatar));
  self->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "call-tile-status");
  gtk_box_append (GTK_BOX (self->no_video_view), GTK_WIDGET (self->status_label));
  gtk_widget_set_parent (self->no_video_view, GTK_WIDGET (self));

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  gtk_widget_add_css_class (box, "call-tile-info");
  gtk_widget_set_halign (box, GTK_ALIGN_START);
  gtk_widget_set_valign (box, GTK_ALIGN_END);
  self->muted_icon = gtk_image_new_from_icon_name ("microphone-disabled-symbolic");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->muted_icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Muted"), -1);
  gtk_box_append (GTK_BOX (box), self->muted_icon);
  self->name_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_ellipsize (self->name_label, PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (self->name_label, 18);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->name_label));
  self->info = box;
  gtk_widget_set_parent (box, GTK_WIDGET (self));

  update (self);
}

/* Public API */

/* A tile for @name; @local: the own camera. */
GtkWidget *
tto_call_tile_new (const char *name,
                   gboolean local)
{
  TtoCallTile *self = g_object_new (TTO_TYPE_CALL_TILE, NULL);

  self->name = g_strdup (name != NULL ? name : "");
  self->local = local;
  adw_avatar_set_text (self->avatar, self->name);
  gtk_label_set_label (self->name_label, local ? _("You") : self->name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  local ? _("You") : self->name, -1);
  if (local)
    gtk_widget_add_css_class (GTK_WIDGET (self), "local");
  update (self);

  return GTK_WIDGET (self);
}

const char *
tto_call_tile_get_name (TtoCallTile *self)
{
  g_return_val_if_fail (TTO_IS_CALL_TILE (self), NULL);

  return self->name;
}

gboolean
tto_call_tile_get_local (TtoCallTile *self)
{
  g_return_val_if_fail (TTO_IS_CALL_TILE (self), FALSE);

  return self->local;
}

/* Follows @peer's video and connection state. */
void
tto_call_tile_set_peer (TtoCallTile *self,
                        TtoCallPeer *peer)
{
  g_return_if_fail (TTO_IS_CALL_TILE (self));
  g_return_if_fail (peer == NULL || TTO_IS_CALL_PEER (peer));

  if (self->peer == peer)
    return;
  if (self->peer != NULL)
    g_signal_handlers_disconnect_by_data (self->peer, self);
  g_set_object (&self->peer, peer);
  if (peer != NULL)
    {
      g_signal_connect (peer, "video-frame", G_CALLBACK (on_peer_video_frame), self);
      g_signal_connect_swapped (peer, "notify::state", G_CALLBACK (on_peer_state_changed), self);
      if (tto_call_peer_get_last_frame (peer) != NULL)
        tto_call_tile_set_texture (self, tto_call_peer_get_last_frame (peer));
    }
  update (self);
}

TtoCallPeer *
tto_call_tile_get_peer (TtoCallTile *self)
{
  g_return_val_if_fail (TTO_IS_CALL_TILE (self), NULL);

  return self->peer;
}

void
tto_call_tile_set_texture (TtoCallTile *self,
                           GdkTexture *texture)
{
  gboolean was_showing;

  g_return_if_fail (TTO_IS_CALL_TILE (self));
  g_return_if_fail (texture == NULL || GDK_IS_TEXTURE (texture));

  was_showing = tto_call_tile_get_showing_video (self);
  gtk_picture_set_paintable (GTK_PICTURE (self->picture), GDK_PAINTABLE (texture));
  if (texture == NULL)
    return;
  self->last_frame_time = g_get_monotonic_time ();
  if (self->frames++ == 0)
    self->first_frame_time = self->last_frame_time;
  if (was_showing != tto_call_tile_get_showing_video (self))
    update (self);
}

/* Frames shown so far. */
guint64
tto_call_tile_get_frames (TtoCallTile *self)
{
  g_return_val_if_fail (TTO_IS_CALL_TILE (self), 0);

  return self->frames;
}

/* When the first frame came (monotonic µs), or 0. */
gint64
tto_call_tile_get_first_frame_time (TtoCallTile *self)
{
  g_return_val_if_fail (TTO_IS_CALL_TILE (self), 0);

  return self->first_frame_time;
}

void
tto_call_tile_set_muted (TtoCallTile *self,
                         gboolean muted)
{
  g_return_if_fail (TTO_IS_CALL_TILE (self));

  self->muted = !!muted;
  update (self);
}

gboolean
tto_call_tile_get_muted (TtoCallTile *self)
{
  g_return_val_if_fail (TTO_IS_CALL_TILE (self), FALSE);

  return self->muted;
}

/* FALSE for audio calls and a camera turned off: initials instead. */
void
tto_call_tile_set_video_expected (TtoCallTile *self,
                                  gboolean expected)
{
  g_return_if_fail (TTO_IS_CALL_TILE (self));

  self->video_expected = !!expected;
  update (self);
}

gboolean
tto_call_tile_get_showing_video (TtoCallTile *self)
{
  g_return_val_if_fail (TTO_IS_CALL_TILE (self), FALSE);

  if (!self->video_expected || self->frames == 0)
    return FALSE;
  /* The own preview runs on this machine; a remote one may stall. */
  return self->local || g_get_monotonic_time () - self->last_frame_time < STALE_US;
}

/* A small tile in a strip: smaller initials, no status text. */
void
tto_call_tile_set_compact (TtoCallTile *self,
                           gboolean compact)
{
  g_return_if_fail (TTO_IS_CALL_TILE (self));

  self->compact = !!compact;
  if (compact)
    gtk_widget_add_css_class (GTK_WIDGET (self), "compact");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "compact");
  update (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/* Fill the tile, cropping the video (else letterbox it). */
void
tto_call_tile_set_fit_cover (TtoCallTile *self,
                             gboolean cover)
{
  g_return_if_fail (TTO_IS_CALL_TILE (self));

  gtk_picture_set_content_fit (GTK_PICTURE (self->picture),
                               cover ? GTK_CONTENT_FIT_COVER : GTK_CONTENT_FIT_CONTAIN);
}
