/* tto-call-page.c: the call in progress: tiles, timer and controls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * On a phone (narrow) one large tile shows the active speaker (the remote
 * video that started last, or the first peer; a tap on a small tile pins
 * it) above a strip of small tiles, the own preview among them. On a wide
 * window every tile sits in a grid. The controls stay at the bottom,
 * within a thumb's reach; a red "Recording" pill shows whenever anyone in
 * the call records it.
 */
#include <glib/gi18n.h>

#include "tto-call-audio.h"
#include "tto-call-page.h"

/* Below this width the page uses the phone layout. */
#define NARROW_WIDTH 600
/* More controls than this do not fit 360 px at full size. */
#define MAX_FULL_SIZE_CONTROLS 5

struct _TtoCallPage
{
  AdwBin parent_instance;

  AdwWindowTitle *window_title;
  GtkStack *layout_stack;
  GtkBox *main_slot;
  GtkWidget *strip_scroll;
  GtkBox *strip_box;
  GtkGrid *grid;
  GtkWidget *recording_pill;
  GtkWidget *controls;
  GtkToggleButton *mute_button;
  GtkToggleButton *camera_button;
  GtkToggleButton *record_button;
  GtkToggleButton *speaker_button;
  GtkWidget *switch_camera_button;
  GPtrArray *cameras; /* gst-launch descriptions of the cameras found */
  gboolean cameras_probed;
  GtkWidget *hangup_button;

  TtoCallManager *manager;
  GPtrArray *bindings;
  TtoCallAudio *audio;              /* speaker/earpiece where callaudiod runs */
  GCancellable *speaker_cancellable; /* the page's life */
  TtoCallEngine *engine;
  GHashTable *tiles; /* identity id → TtoCallTile (strong) */
  GPtrArray *order;  /* remote tiles in joining order (weak; the table holds them) */
  TtoCallTile *local_tile;
  TtoCallTile *pinned;
  TtoCallTile *main_tile;
  gboolean narrow;
  gboolean layout_valid;
  guint relayout_source;
  guint timer_source;
  char *timer_text;
};

G_DEFINE_FINAL_TYPE (TtoCallPage, tto_call_page, ADW_TYPE_BIN)

static void queue_relayout (TtoCallPage *self);
static void update_density (TtoCallPage *self);

static void
detach (GtkWidget *tile)
{
  GtkWidget *parent = gtk_widget_get_parent (tile);

  if (parent == NULL)
    return;
  if (GTK_IS_BOX (parent))
    gtk_box_remove (GTK_BOX (parent), tile);
  else if (GTK_IS_GRID (parent))
    gtk_grid_remove (GTK_GRID (parent), tile);
  else
    g_assert_not_reached ();
}

static TtoCallTile *
pick_main (TtoCallPage *self)
{
  TtoCallTile *latest = NULL;

  if (self->pinned != NULL)
    return self->pinned;
  /* The remote video that started last; else the first peer. */
  for (guint i = 0; i < self->order->len; i++)
    {
      TtoCallTile *tile = g_ptr_array_index (self->order, i);
      gint64 first = tto_call_tile_get_first_frame_time (tile);

      if (first > 0 && (latest == NULL || first > tto_call_tile_get_first_frame_time (latest)))
        latest = tile;
    }
  if (latest != NULL)
    return latest;
  if (self->order->len > 0)
    return g_ptr_array_index (self->order, 0);

  return self->local_tile;
}

static void
relayout (TtoCallPage *self)
{
  g_autoptr (GPtrArray) all = g_ptr_array_new ();

  for (guint i = 0; i < self->order->len; i++)
    g_ptr_array_add (all, g_ptr_array_index (self->order, i));
  if (self->local_tile != NULL)
    g_ptr_array_add (all, self->local_tile);
  for (guint i = 0; i < all->len; i++)
    detach (g_ptr_array_index (all, i));

  self->main_tile = NULL;
  if (self->narrow)
    {
      guint strip = 0;

      self->main_tile = pick_main (self);
      for (guint i = 0; i < all->len; i++)
        {
          TtoCallTile *tile = g_ptr_array_index (all, i);
          gboolean main = tile == self->main_tile;

          tto_call_tile_set_compact (tile, !main);
          tto_call_tile_set_fit_cover (tile, TRUE);
          gtk_widget_set_hexpand (GTK_WIDGET (tile), main);
          gtk_widget_set_vexpand (GTK_WIDGET (tile), main);
          gtk_widget_set_size_request (GTK_WIDGET (tile), main ? -1 : 112, main ? -1 : 84);
          if (main)
            gtk_box_append (self->main_slot, GTK_WIDGET (tile));
          else
            {
              gtk_box_append (self->strip_box, GTK_WIDGET (tile));
              strip++;
            }
        }
      gtk_widget_set_visible (self->strip_scroll, strip > 0);
      gtk_stack_set_visible_child_name (self->layout_stack, "narrow");
    }
  else
    {
      guint n = all->len;
      guint columns = n <= 1 ? 1 : n <= 4 ? 2 : 3;

      for (guint i = 0; i < n; i++)
        {
          TtoCallTile *tile = g_ptr_array_index (all, i);

          tto_call_tile_set_compact (tile, FALSE);
          tto_call_tile_set_fit_cover (tile, FALSE);
          gtk_widget_set_hexpand (GTK_WIDGET (tile), TRUE);
          gtk_widget_set_vexpand (GTK_WIDGET (tile), TRUE);
          gtk_widget_set_size_request (GTK_WIDGET (tile), -1, -1);
          gtk_grid_attach (self->grid, GTK_WIDGET (tile), i % columns, i / columns, 1, 1);
        }
      gtk_stack_set_visible_child_name (self->layout_stack, "wide");
    }
  self->layout_valid = TRUE;
  update_density (self);
}

static gboolean
on_relayout (gpointer data)
{
  TtoCallPage *self = data;

  self->relayout_source = 0;
  relayout (self);
  return G_SOURCE_REMOVE;
}

/* Never inside size allocation: the tiles move between containers. */
static void
queue_relayout (TtoCallPage *self)
{
  self->layout_valid = FALSE;
  if (self->relayout_source == 0)
    self->relayout_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE, on_relayout, self, NULL);
}

/* Timer and title */

static gboolean
any_peer_connected (TtoCallPage *self)
{
  for (guint i = 0; i < self->order->len; i++)
    {
      TtoCallPeer *peer = tto_call_tile_get_peer (g_ptr_array_index (self->order, i));

      if (peer != NULL && tto_call_peer_get_state (peer) == TTO_CALL_PEER_STATE_CONNECTED)
        return TRUE;
    }
  return FALSE;
}

static void
update_timer (TtoCallPage *self)
{
  TtoCallManagerState state = self->manager != NULL ? tto_call_manager_get_state (self->manager)
                                                    : TTO_CALL_MANAGER_STATE_IDLE;
  gint64 started_at = self->manager != NULL ? tto_call_manager_get_started_at (self->manager) : 0;
  char *text;

  if (state == TTO_CALL_MANAGER_STATE_STARTING)
    text = g_strdup (_("Connecting…"));
  else if (state == TTO_CALL_MANAGER_STATE_IN_CALL && self->order->len == 0)
    text = g_strdup (_("Waiting for others to join…"));
  else if (state == TTO_CALL_MANAGER_STATE_IN_CALL && !any_peer_connected (self))
    text = g_strdup (_("Connecting…"));
  else if (state == TTO_CALL_MANAGER_STATE_IN_CALL && started_at > 0)
    {
      gint64 seconds = MAX (0, (g_get_real_time () / 1000 - started_at) / 1000);

      if (seconds >= 3600)
        text = g_strdup_printf ("%d:%02d:%02d", (int) (seconds / 3600),
                                (int) (seconds / 60 % 60), (int) (seconds % 60));
      else
        text = g_strdup_printf ("%02d:%02d", (int) (seconds / 60), (int) (seconds % 60));
    }
  else
    text = g_strdup ("");

  if (g_strcmp0 (text, self->timer_text) != 0)
    adw_window_title_set_subtitle (self->window_title, text);
  g_free (self->timer_text);
  self->timer_text = text;
}

static gboolean
on_timer (gpointer data)
{
  update_timer (data);
  return G_SOURCE_CONTINUE;
}

static void
update_title (TtoCallPage *self)
{
  TtoEvent *event = self->manager != NULL ? tto_call_manager_get_event (self->manager) : NULL;

  adw_window_title_set_title (self->window_title,
                              event != NULL ? tto_event_get_title (event) : "");
}

/* Controls */

static void
update_controls (TtoCallPage *self)
{
  gboolean in_call = self->manager != NULL &&
                     tto_call_manager_get_state (self->manager) == TTO_CALL_MANAGER_STATE_IN_CALL;
  gboolean video = self->manager != NULL &&
                   tto_call_manager_get_kind (self->manager) == TTO_CALL_KIND_VIDEO;
  gboolean muted = gtk_toggle_button_get_active (self->mute_button);
  gboolean camera_off = gtk_toggle_button_get_active (self->camera_button);
  gboolean recording = gtk_toggle_button_get_active (self->record_button);

  gtk_widget_set_sensitive (GTK_WIDGET (self->mute_button), in_call);
  gtk_widget_set_sensitive (GTK_WIDGET (self->camera_button), in_call);
  gtk_widget_set_sensitive (GTK_WIDGET (self->record_button), in_call);
  gtk_widget_set_sensitive (GTK_WIDGET (self->speaker_button), in_call);
  gtk_widget_set_visible (GTK_WIDGET (self->camera_button), video);
  /* Only where there is another camera to switch to. */
  gtk_widget_set_visible (self->switch_camera_button,
                          video && self->cameras != NULL && self->cameras->len > 1);
  gtk_widget_set_sensitive (self->switch_camera_button, in_call && !camera_off);

  gtk_button_set_icon_name (GTK_BUTTON (self->mute_button),
                            muted ? "microphone-disabled-symbolic"
                                  : "audio-input-microphone-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->mute_button), muted ? _("Unmute") : _("Mute"));
  gtk_button_set_icon_name (GTK_BUTTON (self->camera_button),
                            camera_off ? "camera-disabled-symbolic" : "camera-video-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->camera_button),
                               camera_off ? _("Turn Camera On") : _("Turn Camera Off"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->record_button),
                               recording ? _("Stop Recording") : _("Record on This Device"));

  if (self->local_tile != NULL)
    {
      tto_call_tile_set_muted (self->local_tile, muted);
      tto_call_tile_set_video_expected (self->local_tile, video && !camera_off);
    }
  update_density (self);
}

/* On a phone with two cameras and callaudiod, six controls: smaller
 * (still ≥ 44 px) and closer, so that they fit 360 px. */
static void
update_density (TtoCallPage *self)
{
  guint shown = 0;
  gboolean compact;

  if (self->controls == NULL)
    return;
  for (GtkWidget *child = gtk_widget_get_first_child (self->controls); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_get_visible (child))
      shown++;
  compact = self->narrow && shown > MAX_FULL_SIZE_CONTROLS;
  if (compact)
    gtk_widget_add_css_class (self->controls, "compact");
  else
    gtk_widget_remove_css_class (self->controls, "compact");
  gtk_box_set_spacing (GTK_BOX (self->controls), compact ? 8 : 16);
}

static void
on_speaker_switched (GObject *source,
                     GAsyncResult *result,
                     gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  TtoCallPage *self;

  if (tto_call_audio_enable_speaker_finish (TTO_CALL_AUDIO (source), result, &error))
    return; /* "speaker" follows the daemon's report */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* the page is gone */
  self = TTO_CALL_PAGE (user_data);
  g_debug ("speaker: %s", error->message);
  /* Back to what the daemon really plays through. */
  gtk_toggle_button_set_active (self->speaker_button,
                                tto_call_audio_get_speaker (self->audio));
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s",
                              gtk_toggle_button_get_active (self->speaker_button)
                                ? _("Could not switch to the earpiece")
                                : _("Could not switch to the speaker"));
}

/* Only a person's click asks the daemon: the binding from "speaker" sets
 * the button without a click. */
static void
on_speaker_clicked (TtoCallPage *self)
{
  tto_call_audio_enable_speaker_async (self->audio,
                                       gtk_toggle_button_get_active (self->speaker_button),
                                       self->speaker_cancellable, on_speaker_switched, self);
}

static void
update_recording (TtoCallPage *self)
{
  gboolean shown = self->manager != NULL && tto_call_manager_get_someone_recording (self->manager);
  g_autofree char *names = shown ? tto_call_manager_dup_recording_names (self->manager) : NULL;
  g_autofree char *tooltip = NULL;

  gtk_widget_set_visible (self->recording_pill, shown);
  if (names != NULL && *names != '\0')
    /* Translators: %s is a list of names */
    tooltip = g_strdup_printf (_("Recorded by %s"), names);
  gtk_widget_set_tooltip_text (self->recording_pill, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->recording_pill),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  tooltip != NULL ? tooltip : _("Recording"), -1);
}

static void
hangup_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  TtoCallPage *self = TTO_CALL_PAGE (widget);

  if (self->manager != NULL)
    tto_call_manager_hangup (self->manager);
}

/* Tiles */

static void
on_tile_pressed (GtkGestureClick *gesture,
                 int n_press,
                 double x,
                 double y,
                 TtoCallPage *self)
{
  TtoCallTile *tile = TTO_CALL_TILE (gtk_event_controller_get_widget (
    GTK_EVENT_CONTROLLER (gesture)));

  if (!self->narrow || tile == self->main_tile)
    return;
  self->pinned = tile;
  queue_relayout (self);
}

static TtoCallTile *
make_tile (TtoCallPage *self,
           const char *name,
           gboolean local)
{
  GtkWidget *tile = tto_call_tile_new (name, local);
  GtkGesture *click = gtk_gesture_click_new ();

  g_signal_connect (click, "pressed", G_CALLBACK (on_tile_pressed), self);
  gtk_widget_add_controller (tile, GTK_EVENT_CONTROLLER (click));

  return TTO_CALL_TILE (g_object_ref_sink (tile));
}

static void
on_peer_video_frame (TtoCallPeer *peer,
                     GdkTexture *texture,
                     TtoCallPage *self)
{
  TtoCallTile *tile = g_hash_table_lookup (self->tiles, tto_call_peer_get_identity_id (peer));

  /* A video that just started becomes the active speaker. */
  if (tile != NULL && tto_call_tile_get_frames (tile) == 1 && self->narrow)
    queue_relayout (self);
}

static void
on_peer_state_changed (TtoCallPage *self)
{
  update_timer (self);
}

static void
add_peer (TtoCallPage *self,
          TtoCallPeer *peer)
{
  const char *id = tto_call_peer_get_identity_id (peer);
  TtoCallTile *tile;

  if (g_hash_table_contains (self->tiles, id))
    return;
  tile = make_tile (self, tto_call_peer_get_display_name (peer), FALSE);
  tto_call_tile_set_video_expected (tile, tto_call_manager_get_kind (self->manager) ==
                                            TTO_CALL_KIND_VIDEO);
  tto_call_tile_set_peer (tile, peer);
  g_hash_table_insert (self->tiles, g_strdup (id), tile);
  g_ptr_array_add (self->order, tile);
  g_signal_connect_after (peer, "video-frame", G_CALLBACK (on_peer_video_frame), self);
  g_signal_connect_swapped (peer, "notify::state", G_CALLBACK (on_peer_state_changed), self);
  queue_relayout (self);
  update_timer (self);
}

static void
on_engine_peer_added (TtoCallEngine *engine,
                      TtoCallPeer *peer,
                      TtoCallPage *self)
{
  add_peer (self, peer);
}

static void
remove_tile (TtoCallPage *self,
             const char *identity_id)
{
  TtoCallTile *tile = g_hash_table_lookup (self->tiles, identity_id);
  TtoCallPeer *peer;

  if (tile == NULL)
    return;
  peer = tto_call_tile_get_peer (tile);
  if (peer != NULL)
    g_signal_handlers_disconnect_by_data (peer, self);
  tto_call_tile_set_peer (tile, NULL);
  if (self->pinned == tile)
    self->pinned = NULL;
  if (self->main_tile == tile)
    self->main_tile = NULL;
  g_ptr_array_remove (self->order, tile);
  detach (GTK_WIDGET (tile));
  g_hash_table_remove (self->tiles, identity_id);
  queue_relayout (self);
  update_timer (self);
}

static void
on_engine_peer_removed (TtoCallEngine *engine,
                        TtoCallPeer *peer,
                        TtoCallPage *self)
{
  remove_tile (self, tto_call_peer_get_identity_id (peer));
}

static void
on_engine_local_video_frame (TtoCallEngine *engine,
                             GdkTexture *texture,
                             TtoCallPage *self)
{
  if (self->local_tile != NULL)
    tto_call_tile_set_texture (self->local_tile, texture);
}

static void
clear_tiles (TtoCallPage *self)
{
  /* Remote tiles, newest first (removal shrinks the array). */
  while (self->order->len > 0)
    {
      TtoCallTile *tile = g_ptr_array_index (self->order, self->order->len - 1);
      TtoCallPeer *peer = tto_call_tile_get_peer (tile);
      g_autofree char *id = peer != NULL ? g_strdup (tto_call_peer_get_identity_id (peer)) : NULL;

      if (id != NULL && g_hash_table_contains (self->tiles, id))
        remove_tile (self, id);
      else
        {
          g_ptr_array_remove_index (self->order, self->order->len - 1);
          detach (GTK_WIDGET (tile));
        }
    }
  g_hash_table_remove_all (self->tiles);
  if (self->local_tile != NULL)
    {
      detach (GTK_WIDGET (self->local_tile));
      g_clear_object (&self->local_tile);
    }
  self->pinned = NULL;
  self->main_tile = NULL;
}

static void
ensure_local_tile (TtoCallPage *self)
{
  TtoSession *session;
  TtoConnection *connection;

  if (self->local_tile != NULL || self->manager == NULL ||
      tto_call_manager_get_state (self->manager) == TTO_CALL_MANAGER_STATE_IDLE)
    return;
  session = tto_call_manager_get_session (self->manager);
  connection = session != NULL ? tto_session_get_connection (session) : NULL;
  self->local_tile = make_tile (self,
                                connection != NULL ? tto_connection_get_display_name (connection)
                                                   : NULL,
                                TRUE);
  update_controls (self);
  queue_relayout (self);
}

/* V4L2 cameras the engine can open by description (a phone's front and
 * back camera are two of them). */
static GPtrArray *
find_cameras (void)
{
  GPtrArray *cameras = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GstDeviceMonitor) monitor = gst_device_monitor_new ();
  GList *devices;

  gst_device_monitor_add_filter (monitor, "Video/Source", NULL);
  devices = gst_device_monitor_get_devices (monitor);
  for (GList *l = devices; l != NULL; l = l->next)
    {
      g_autoptr (GstStructure) properties = gst_device_get_properties (l->data);
      const char *path = properties != NULL
                           ? gst_structure_get_string (properties, "device.path")
                           : NULL;

      if (path == NULL && properties != NULL)
        path = gst_structure_get_string (properties, "api.v4l2.path");
      if (path != NULL)
        g_ptr_array_add (cameras, g_strdup_printf ("v4l2src device=%s", path));
    }
  g_list_free_full (devices, gst_object_unref);

  return cameras;
}

static void
set_engine (TtoCallPage *self,
            TtoCallEngine *engine)
{
  if (self->engine == engine)
    return;
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  clear_tiles (self);
  g_set_object (&self->engine, engine);
  ensure_local_tile (self);

  /* GStreamer is up once an engine exists: look for cameras then, once. */
  if (engine != NULL && !self->cameras_probed && self->cameras != NULL)
    {
      g_autoptr (GPtrArray) found = find_cameras ();

      self->cameras_probed = TRUE;
      for (guint i = 0; i < found->len; i++)
        g_ptr_array_add (self->cameras, g_strdup (found->pdata[i]));
    }

  if (engine != NULL)
    {
      GListModel *peers = tto_call_engine_get_peers (engine);

      g_signal_connect (engine, "peer-added", G_CALLBACK (on_engine_peer_added), self);
      g_signal_connect (engine, "peer-removed", G_CALLBACK (on_engine_peer_removed), self);
      g_signal_connect (engine, "local-video-frame", G_CALLBACK (on_engine_local_video_frame),
                        self);
      for (guint i = 0; i < g_list_model_get_n_items (peers); i++)
        {
          g_autoptr (TtoCallPeer) peer = g_list_model_get_item (peers, i);

          add_peer (self, peer);
        }
    }
  update_controls (self);
  queue_relayout (self);
}

/* Manager */

static void
on_manager_state_changed (TtoCallPage *self)
{
  TtoCallManagerState state = tto_call_manager_get_state (self->manager);

  /* callaudiod's voice call mode for as long as the call. */
  tto_call_audio_set_in_call (self->audio, state != TTO_CALL_MANAGER_STATE_IDLE);
  if (state == TTO_CALL_MANAGER_STATE_IDLE)
    g_clear_handle_id (&self->timer_source, g_source_remove);
  else if (self->timer_source == 0)
    self->timer_source = g_timeout_add_seconds (1, on_timer, self);

  if (state == TTO_CALL_MANAGER_STATE_IDLE)
    {
      set_engine (self, NULL);
      clear_tiles (self);
    }
  else
    ensure_local_tile (self);
  update_title (self);
  update_timer (self);
  update_controls (self);
}

static void
on_manager_engine_changed (TtoCallPage *self)
{
  set_engine (self, tto_call_manager_get_engine (self->manager));
}

static void
on_toggle_changed (TtoCallPage *self)
{
  update_controls (self);
}

/* GtkWidget */

/* Each frame: the allocated width picks the layout (relayout happens
 * outside allocation, as tiles move between containers). */
static gboolean
on_tick (GtkWidget *widget,
         GdkFrameClock *clock,
         gpointer data)
{
  TtoCallPage *self = TTO_CALL_PAGE (widget);
  int width = gtk_widget_get_width (widget);
  gboolean narrow = width < NARROW_WIDTH;

  if (width > 0 && (narrow != self->narrow || !self->layout_valid))
    {
      self->narrow = narrow;
      queue_relayout (self);
    }
  return G_SOURCE_CONTINUE;
}

/* GObject */

static void
tto_call_page_dispose (GObject *object)
{
  TtoCallPage *self = TTO_CALL_PAGE (object);

  tto_call_page_set_manager (self, NULL);
  set_engine (self, NULL);
  clear_tiles (self);
  g_clear_handle_id (&self->relayout_source, g_source_remove);
  g_clear_handle_id (&self->timer_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_CALL_PAGE);

  g_clear_pointer (&self->cameras, g_ptr_array_unref);
  g_cancellable_cancel (self->speaker_cancellable);
  g_clear_object (&self->speaker_cancellable);
  g_clear_object (&self->audio);
  G_OBJECT_CLASS (tto_call_page_parent_class)->dispose (object);
}

static void
tto_call_page_finalize (GObject *object)
{
  TtoCallPage *self = TTO_CALL_PAGE (object);

  g_hash_table_unref (self->tiles);
  g_ptr_array_unref (self->order);
  g_ptr_array_unref (self->bindings);
  g_free (self->timer_text);

  G_OBJECT_CLASS (tto_call_page_parent_class)->finalize (object);
}

static void
tto_call_page_class_init (TtoCallPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_call_page_dispose;
  object_class->finalize = tto_call_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-call-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoCallPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, TtoCallPage, layout_stack);
  gtk_widget_class_bind_template_child (widget_class, TtoCallPage, main_slot);
  gtk_widget_class_bind_template_child (widget_class, TtoCallPage, strip_scroll);
  gtk_widget_class_bind_template_child (widget_class, TtoCallPage, strip_box);
  gtk_widget_class_bind_template_child (widget_class, TtoCallPage, grid);
  gtk_widget_class_bind_template_child (widget_class, TtoCallPage, recording_pill);
  gtk_widget_class_bind_template_child (widget_class, TtoCallPage, controls);
  gtk_widget_class_bind_template_child (widget_class, TtoCallPage, mute_button);
  gtk_widget_class_bind_template_child (widget_class, TtoCallPage, camera_button);
  gtk_widget_class_bind_template_child (widget_class, TtoCallPage, record_button);
  gtk_widget_class_bind_template_child (widget_class, TtoCallPage, speaker_button);
  gtk_widget_class_bind_template_child (widget_class, TtoCallPage, switch_camera_button);
  gtk_widget_class_bind_template_child (widget_class, TtoCallPage, hangup_button);

  gtk_widget_class_install_action (widget_class, "call.hangup", NULL, hangup_action);
}

static void
load_css (void)
{
  static gboolean loaded;
  g_autoptr (GtkCssProvider) provider = NULL;
  GdkDisplay *display = gdk_display_get_default ();

  if (loaded || display == NULL)
    return;
  loaded = TRUE;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/org/threetwoone/Tto/tto-call.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
on_switch_camera_clicked (TtoCallPage *self)
{
  TtoCallEngine *engine = self->manager != NULL ? tto_call_manager_get_engine (self->manager)
                                                : NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *current = NULL;
  guint next = 0;

  if (engine == NULL || self->cameras == NULL || self->cameras->len < 2)
    return;

  g_object_get (engine, "video-source", &current, NULL);
  for (guint i = 0; i < self->cameras->len; i++)
    if (g_strcmp0 (current, self->cameras->pdata[i]) == 0)
      next = (i + 1) % self->cameras->len;

  if (!tto_call_engine_switch_video_source (engine, self->cameras->pdata[next], &error))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s",
                                _("Could not switch the camera."));
}

static void
tto_call_page_init (TtoCallPage *self)
{
  load_css ();
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);

  self->tiles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->order = g_ptr_array_new ();
  self->bindings = g_ptr_array_new ();
  self->narrow = TRUE;

  g_signal_connect_swapped (self->mute_button, "notify::active", G_CALLBACK (on_toggle_changed),
                            self);
  g_signal_connect_swapped (self->camera_button, "notify::active",
                            G_CALLBACK (on_toggle_changed), self);
  g_signal_connect_swapped (self->record_button, "notify::active",
                            G_CALLBACK (on_toggle_changed), self);
  self->cameras = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect_swapped (self->switch_camera_button, "clicked",
                            G_CALLBACK (on_switch_camera_clicked), self);

  self->audio = tto_call_audio_new ();
  self->speaker_cancellable = g_cancellable_new ();
  g_object_bind_property (self->audio, "available", self->speaker_button, "visible",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->audio, "speaker", self->speaker_button, "active",
                          G_BINDING_SYNC_CREATE);
  /* After the toggle's own handler: "active" is then the state asked for. */
  g_signal_connect_object (self->speaker_button, "clicked", G_CALLBACK (on_speaker_clicked), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (self->speaker_button, "notify::visible", G_CALLBACK (update_density),
                           self, G_CONNECT_SWAPPED);
  update_controls (self);
}

/* Public API */

GtkWidget *
tto_call_page_new (void)
{
  return g_object_new (TTO_TYPE_CALL_PAGE, NULL);
}

void
tto_call_page_set_manager (TtoCallPage *self,
                           TtoCallManager *manager)
{
  g_return_if_fail (TTO_IS_CALL_PAGE (self));
  g_return_if_fail (manager == NULL || TTO_IS_CALL_MANAGER (manager));

  if (self->manager == manager)
    return;
  if (self->manager != NULL)
    {
      for (guint i = 0; i < self->bindings->len; i++)
        g_binding_unbind (g_ptr_array_index (self->bindings, i));
      g_ptr_array_set_size (self->bindings, 0);
      g_signal_handlers_disconnect_by_data (self->manager, self);
    }
  g_set_object (&self->manager, manager);
  if (manager == NULL)
    {
      if (self->audio != NULL)
        tto_call_audio_set_in_call (self->audio, FALSE);
      return;
    }

  g_ptr_array_add (self->bindings,
                   g_object_bind_property (manager, "muted", self->mute_button, "active",
                                           G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE));
  g_ptr_array_add (self->bindings,
                   g_object_bind_property (manager, "camera-enabled", self->camera_button,
                                           "active",
                                           G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE |
                                             G_BINDING_INVERT_BOOLEAN));
  g_ptr_array_add (self->bindings,
                   g_object_bind_property (manager, "recording", self->record_button, "active",
                                           G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE));
  g_signal_connect_swapped (manager, "notify::state", G_CALLBACK (on_manager_state_changed),
                            self);
  g_signal_connect_swapped (manager, "notify::engine", G_CALLBACK (on_manager_engine_changed),
                            self);
  g_signal_connect_swapped (manager, "notify::kind", G_CALLBACK (update_controls), self);
  g_signal_connect_swapped (manager, "notify::someone-recording",
                            G_CALLBACK (update_recording), self);
  g_signal_connect_swapped (manager, "call-changed", G_CALLBACK (update_recording), self);
  g_signal_connect_swapped (manager, "notify::event", G_CALLBACK (update_title), self);
  on_manager_state_changed (self);
  update_recording (self);
}

TtoCallManager *
tto_call_page_get_manager (TtoCallPage *self)
{
  g_return_val_if_fail (TTO_IS_CALL_PAGE (self), NULL);

  return self->manager;
}

/* Whether the phone layout (one large tile and a strip) is in use. */
gboolean
tto_call_page_get_narrow (TtoCallPage *self)
{
  g_return_val_if_fail (TTO_IS_CALL_PAGE (self), FALSE);

  return self->narrow;
}

TtoCallTile *
tto_call_page_get_local_tile (TtoCallPage *self)
{
  g_return_val_if_fail (TTO_IS_CALL_PAGE (self), NULL);

  return self->local_tile;
}

TtoCallTile *
tto_call_page_find_tile (TtoCallPage *self,
                         const char *identity_id)
{
  g_return_val_if_fail (TTO_IS_CALL_PAGE (self), NULL);
  g_return_val_if_fail (identity_id != NULL, NULL);

  return g_hash_table_lookup (self->tiles, identity_id);
}

/* The large tile of the phone layout, or NULL in the grid. */
TtoCallTile *
tto_call_page_get_main_tile (TtoCallPage *self)
{
  g_return_val_if_fail (TTO_IS_CALL_PAGE (self), NULL);

  return self->main_tile;
}

gboolean
tto_call_page_get_recording_shown (TtoCallPage *self)
{
  g_return_val_if_fail (TTO_IS_CALL_PAGE (self), FALSE);

  return gtk_widget_get_visible (self->recording_pill);
}

const char *
tto_call_page_get_timer_text (TtoCallPage *self)
{
  g_return_val_if_fail (TTO_IS_CALL_PAGE (self), NULL);

  return self->timer_text;
}

/* "mute", "camera", "speaker", "record" or "hangup". */
GtkWidget *
tto_call_page_get_control (TtoCallPage *self,
                           const char *name)
{
  g_return_val_if_fail (TTO_IS_CALL_PAGE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (g_str_equal (name, "mute"))
    return GTK_WIDGET (self->mute_button);
  if (g_str_equal (name, "camera"))
    return GTK_WIDGET (self->camera_button);
  if (g_str_equal (name, "speaker"))
    return GTK_WIDGET (self->speaker_button);
  if (g_str_equal (name, "record"))
    return GTK_WIDGET (self->record_button);
  if (g_str_equal (name, "hangup"))
    return self->hangup_button;
  return NULL;
}
