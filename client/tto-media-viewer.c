/* tto-media-viewer.c: an image or video message, full size
 *
 * A window with the picture in a scrolled window: pinch (GtkGestureZoom),
 * Ctrl+scroll, or the − / + buttons zoom between 10 % and 800 %; "fit"
 * goes back to the window's size. A video message plays here (appsink →
 * GdkMemoryTexture through TtoMediaPlayer). "Save…" writes the bytes the
 * viewer already holds to a file the user picks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-media-cache.h"
#include "tto-media-player.h"

#include "tto-media-viewer.h"

#define ZOOM_MIN 0.1
#define ZOOM_MAX 8.0
#define ZOOM_STEP 1.25

struct _TtoMediaViewer
{
  AdwWindow parent_instance;

  TtoSession *session;
  TtoMessage *message;
  gboolean video;
  GBytes *bytes;
  GdkPaintable *paintable;
  TtoMediaPlayer *player;

  AdwWindowTitle *title;
  GtkStack *stack;
  GtkScrolledWindow *scrolled;
  GtkPicture *picture;
  GtkWidget *zoom_out_button;
  GtkWidget *zoom_in_button;
  GtkWidget *fit_button;
  GtkWidget *save_button;
  GtkButton *play_button;
  GtkFileChooserNative *chooser;
  GCancellable *cancellable;

  double zoom; /* 0: fit the window */
  double gesture_start_zoom;
};

G_DEFINE_FINAL_TYPE (TtoMediaViewer, tto_media_viewer, ADW_TYPE_WINDOW)

static double
fit_zoom (TtoMediaViewer *self)
{
  int width = gdk_paintable_get_intrinsic_width (self->paintable);
  int height = gdk_paintable_get_intrinsic_height (self->paintable);
  int view_width = gtk_widget_get_width (GTK_WIDGET (self->scrolled));
  int view_height = gtk_widget_get_height (GTK_WIDGET (self->scrolled));

  if (width <= 0 || height <= 0 || view_width <= 0 || view_height <= 0)
    return 1.0;
  return MIN (1.0, MIN ((double) view_width / width, (double) view_height / height));
}

static void
apply_zoom (TtoMediaViewer *self)
{
  gboolean fit = self->zoom <= 0;
  int width, height;

  if (self->paintable == NULL)
    return;
  width = gdk_paintable_get_intrinsic_width (self->paintable);
  height = gdk_paintable_get_intrinsic_height (self->paintable);
  if (fit || width <= 0 || height <= 0)
    {
      gtk_widget_set_size_request (GTK_WIDGET (self->picture), -1, -1);
      gtk_picture_set_can_shrink (self->picture, TRUE);
    }
  else
    {
      gtk_picture_set_can_shrink (self->picture, FALSE);
      gtk_widget_set_size_request (GTK_WIDGET (self->picture), (int) (width * self->zoom),
                                   (int) (height * self->zoom));
    }
  gtk_widget_set_sensitive (self->zoom_out_button, !self->video &&
                                                     (fit || self->zoom > ZOOM_MIN + 0.001));
  gtk_widget_set_sensitive (self->zoom_in_button, !self->video && self->zoom < ZOOM_MAX - 0.001);
  gtk_widget_set_sensitive (self->fit_button, !fit);
}

static void
zoom_by (TtoMediaViewer *self,
         double factor)
{
  double current = self->zoom > 0 ? self->zoom : fit_zoom (self);

  tto_media_viewer_set_zoom (self, current * factor);
}

static void
zoom_in_action (GtkWidget *widget,
                const char *action_name,
                GVariant *parameter)
{
  zoom_by (TTO_MEDIA_VIEWER (widget), ZOOM_STEP);
}

static void
zoom_out_action (GtkWidget *widget,
                 const char *action_name,
                 GVariant *parameter)
{
  zoom_by (TTO_MEDIA_VIEWER (widget), 1 / ZOOM_STEP);
}

static void
zoom_fit_action (GtkWidget *widget,
                 const char *action_name,
                 GVariant *parameter)
{
  tto_media_viewer_set_zoom (TTO_MEDIA_VIEWER (widget), 0);
}

static void
on_zoom_begin (GtkGesture *gesture,
               GdkEventSequence *sequence,
               TtoMediaViewer *self)
{
  self->gesture_start_zoom = self->zoom > 0 ? self->zoom : fit_zoom (self);
}

static void
on_zoom_scale_changed (GtkGestureZoom *gesture,
                       double scale,
                       TtoMediaViewer *self)
{
  if (!self->video)
    tto_media_viewer_set_zoom (self, self->gesture_start_zoom * scale);
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double dx,
           double dy,
           TtoMediaViewer *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (
    GTK_EVENT_CONTROLLER (controller));

  if ((state & GDK_CONTROL_MASK) == 0 || self->video || dy == 0)
    return FALSE;
  zoom_by (self, dy < 0 ? ZOOM_STEP : 1 / ZOOM_STEP);
  return TRUE;
}

/* Video */

static void
update_play_button (TtoMediaViewer *self)
{
  gboolean playing = self->player != NULL && tto_media_player_get_playing (self->player);
  const char *label = playing ? _("Pause") : _("Play");

  gtk_button_set_icon_name (self->play_button, playing ? "media-playback-pause-symbolic"
                                                       : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->play_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static void
on_play_clicked (TtoMediaViewer *self)
{
  if (self->player == NULL)
    return;
  if (tto_media_player_get_playing (self->player))
    tto_media_player_pause (self->player);
  else
    tto_media_player_play (self->player);
}

static void
on_player_error (TtoMediaPlayer *player,
                 GError *error,
                 TtoMediaViewer *self)
{
  g_debug ("Video playback failed: %s", error->message);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

/* Loading */

static void
show_bytes (TtoMediaViewer *self)
{
  g_autoptr (GError) error = NULL;

  if (self->video)
    {
      self->player = tto_media_player_new (self->bytes, TRUE);
      g_signal_connect_swapped (self->player, "notify::playing", G_CALLBACK (update_play_button),
                                self);
      g_signal_connect (self->player, "error", G_CALLBACK (on_player_error), self);
      self->paintable = g_object_ref (GDK_PAINTABLE (self->player));
      gtk_picture_set_paintable (self->picture, self->paintable);
      gtk_widget_set_visible (GTK_WIDGET (self->play_button), TRUE);
      tto_media_player_play (self->player);
    }
  else
    {
      GdkTexture *texture = gdk_texture_new_from_bytes (self->bytes, &error);

      if (texture == NULL)
        {
          g_debug ("Image not shown: %s", error->message);
          gtk_stack_set_visible_child_name (self->stack, "error");
          return;
        }
      self->paintable = GDK_PAINTABLE (texture);
      gtk_picture_set_paintable (self->picture, self->paintable);
    }
  gtk_stack_set_visible_child_name (self->stack, "media");
  gtk_widget_set_sensitive (self->save_button, TRUE);
  apply_zoom (self);
}

static void
on_fetched (GObject *object,
            GAsyncResult *result,
            gpointer user_data)
{
  g_autoptr (TtoMediaViewer) self = user_data;
  g_autoptr (GError) error = NULL;

  self->bytes = tto_media_cache_fetch_finish (TTO_MEDIA_CACHE (object), result, &error);
  if (self->bytes == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }
  show_bytes (self);
}

/* Saving */

static void
on_written (GObject *object,
            GAsyncResult *result,
            gpointer user_data)
{
  g_autoptr (TtoMediaViewer) self = user_data;
  g_autoptr (GError) error = NULL;
  AdwToast *toast;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("Saving failed: %s", error->message);
      toast = adw_toast_new (_("The file could not be saved."));
    }
  else
    toast = adw_toast_new (_("File saved"));
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (adw_window_get_content (ADW_WINDOW (self))),
                               toast);
}

static void
on_save_response (GtkNativeDialog *dialog,
                  int response,
                  TtoMediaViewer *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        tto_media_viewer_save_to_file (self, file);
    }
  g_clear_object (&self->chooser);
}

static void
save_action (GtkWidget *widget,
             const char *action_name,
             GVariant *parameter)
{
  TtoMediaViewer *self = TTO_MEDIA_VIEWER (widget);
  const char *name = tto_message_get_attachment_string (self->message, "name");

  if (self->bytes == NULL || self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Save File"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"),
                                               _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser),
                                     name != NULL ? name
                                     : self->video ? _("video message.webm")
                                                   : _("image"));
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* Building */

static GtkWidget *
header_button (const char *icon,
               const char *label,
               const char *action)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  return button;
}

static void
build (TtoMediaViewer *self)
{
  GtkWidget *toasts = adw_toast_overlay_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *overlay = gtk_overlay_new ();
  GtkWidget *status;
  GtkGesture *zoom;
  GtkEventController *scroll;

  self->title = ADW_WINDOW_TITLE (adw_window_title_new ("", NULL));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->title));
  self->save_button = header_button ("document-save-symbolic", _("Save…"), "viewer.save");
  gtk_widget_set_sensitive (self->save_button, FALSE);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), self->save_button);
  self->zoom_in_button = header_button ("zoom-in-symbolic", _("Zoom In"), "viewer.zoom-in");
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->zoom_in_button);
  self->fit_button = header_button ("zoom-fit-best-symbolic", _("Fit to Window"),
                                    "viewer.zoom-fit");
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->fit_button);
  self->zoom_out_button = header_button ("zoom-out-symbolic", _("Zoom Out"), "viewer.zoom-out");
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->zoom_out_button);
  gtk_box_append (GTK_BOX (box), header);

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  status = gtk_spinner_new ();
  gtk_spinner_start (GTK_SPINNER (status));
  gtk_widget_set_size_request (status, 32, 32);
  gtk_widget_set_halign (status, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (status, GTK_ALIGN_CENTER);
  gtk_stack_add_named (self->stack, status, "loading");
  status = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (status), "image-missing-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (status), _("Cannot Show This Attachment"));
  adw_status_page_set_description (ADW_STATUS_PAGE (status),
                                   _("It may have been recalled, or it is not in a format this "
                                     "device can show."));
  gtk_stack_add_named (self->stack, status, "error");

  self->picture = GTK_PICTURE (gtk_picture_new ());
  gtk_picture_set_can_shrink (self->picture, TRUE);
  gtk_widget_set_halign (GTK_WIDGET (self->picture), GTK_ALIGN_CENTER);
  gtk_widget_set_valign (GTK_WIDGET (self->picture), GTK_ALIGN_CENTER);
  self->scrolled = GTK_SCROLLED_WINDOW (gtk_scrolled_window_new ());
  gtk_scrolled_window_set_child (self->scrolled, GTK_WIDGET (self->picture));
  gtk_overlay_set_child (GTK_OVERLAY (overlay), GTK_WIDGET (self->scrolled));
  self->play_button = GTK_BUTTON (gtk_button_new ());
  gtk_widget_set_size_request (GTK_WIDGET (self->play_button), 56, 56);
  gtk_widget_add_css_class (GTK_WIDGET (self->play_button), "circular");
  gtk_widget_add_css_class (GTK_WIDGET (self->play_button), "osd");
  gtk_widget_set_halign (GTK_WIDGET (self->play_button), GTK_ALIGN_CENTER);
  gtk_widget_set_valign (GTK_WIDGET (self->play_button), GTK_ALIGN_END);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->play_button), 18);
  gtk_widget_set_visible (GTK_WIDGET (self->play_button), FALSE);
  g_signal_connect_swapped (self->play_button, "clicked", G_CALLBACK (on_play_clicked), self);
  update_play_button (self);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), GTK_WIDGET (self->play_button));
  gtk_stack_add_named (self->stack, overlay, "media");
  gtk_stack_set_visible_child_name (self->stack, "loading");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));

  zoom = gtk_gesture_zoom_new ();
  g_signal_connect (zoom, "begin", G_CALLBACK (on_zoom_begin), self);
  g_signal_connect (zoom, "scale-changed", G_CALLBACK (on_zoom_scale_changed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->scrolled), GTK_EVENT_CONTROLLER (zoom));
  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  gtk_event_controller_set_propagation_phase (scroll, GTK_PHASE_CAPTURE);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self->scrolled), scroll);

  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (toasts), box);
  adw_window_set_content (ADW_WINDOW (self), toasts);
}

/* GObject */

static void
tto_media_viewer_dispose (GObject *object)
{
  TtoMediaViewer *self = TTO_MEDIA_VIEWER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->player != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->player, self);
      tto_media_player_stop (self->player);
    }
  g_clear_object (&self->player);
  g_clear_object (&self->paintable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->session);
  g_clear_object (&self->message);

  G_OBJECT_CLASS (tto_media_viewer_parent_class)->dispose (object);
}

static void
tto_media_viewer_finalize (GObject *object)
{
  TtoMediaViewer *self = TTO_MEDIA_VIEWER (object);

  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (tto_media_viewer_parent_class)->finalize (object);
}

static void
tto_media_viewer_class_init (TtoMediaViewerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_media_viewer_dispose;
  object_class->finalize = tto_media_viewer_finalize;

  gtk_widget_class_install_action (widget_class, "viewer.zoom-in", NULL, zoom_in_action);
  gtk_widget_class_install_action (widget_class, "viewer.zoom-out", NULL, zoom_out_action);
  gtk_widget_class_install_action (widget_class, "viewer.zoom-fit", NULL, zoom_fit_action);
  gtk_widget_class_install_action (widget_class, "viewer.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK,
                                       "viewer.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK,
                                       "viewer.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK,
                                       "viewer.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK,
                                       "viewer.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "viewer.save",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tto_media_viewer_init (TtoMediaViewer *self)
{
  self->cancellable = g_cancellable_new ();
  build (self);
  gtk_window_set_default_size (GTK_WINDOW (self), 720, 560);
}

/* Shows @message's image or video; the bytes come from the session's cache
 * (downloaded on demand). */
TtoMediaViewer *
tto_media_viewer_new (GtkWindow *parent,
                      TtoSession *session,
                      TtoMessage *message)
{
  TtoMediaViewer *self;
  const char *name;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (TTO_IS_SESSION (session), NULL);
  g_return_val_if_fail (TTO_IS_MESSAGE (message), NULL);

  self = g_object_new (TTO_TYPE_MEDIA_VIEWER, "transient-for", parent, "modal", FALSE, NULL);
  self->session = g_object_ref (session);
  self->message = g_object_ref (message);
  self->video = g_strcmp0 (tto_message_get_attachment_string (message, "kind"), "video") == 0;
  name = tto_message_get_attachment_string (message, "name");
  adw_window_title_set_title (self->title, name != NULL ? name
                                           : self->video ? _("Video Message")
                                                         : _("Image"));
  adw_window_title_set_subtitle (self->title, tto_message_get_sender_name (message));
  gtk_window_set_title (GTK_WINDOW (self), self->video ? _("Video Message") : _("Image"));
  gtk_widget_set_visible (self->zoom_in_button, !self->video);
  gtk_widget_set_visible (self->zoom_out_button, !self->video);
  gtk_widget_set_visible (self->fit_button, !self->video);
  apply_zoom (self);

  tto_media_cache_fetch_async (tto_media_cache_get_for_session (session),
                               tto_message_get_event_id (message),
                               tto_message_get_attachment_string (message, "blob_id"),
                               tto_message_get_attachment_string (message, "sha256"),
                               self->cancellable, on_fetched, g_object_ref (self));
  return self;
}

/* The scale the picture is drawn at; 0 while it fits the window. */
double
tto_media_viewer_get_zoom (TtoMediaViewer *self)
{
  g_return_val_if_fail (TTO_IS_MEDIA_VIEWER (self), 0);

  return self->zoom;
}

/* @zoom: 0.1–8, or 0 to fit the window. */
void
tto_media_viewer_set_zoom (TtoMediaViewer *self,
                           double zoom)
{
  g_return_if_fail (TTO_IS_MEDIA_VIEWER (self));

  self->zoom = zoom <= 0 ? 0 : CLAMP (zoom, ZOOM_MIN, ZOOM_MAX);
  apply_zoom (self);
}

gboolean
tto_media_viewer_get_loaded (TtoMediaViewer *self)
{
  g_return_val_if_fail (TTO_IS_MEDIA_VIEWER (self), FALSE);

  return self->bytes != NULL;
}

/* Writes the attachment's bytes to @file (what "Save…" does). */
void
tto_media_viewer_save_to_file (TtoMediaViewer *self,
                               GFile *file)
{
  g_return_if_fail (TTO_IS_MEDIA_VIEWER (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->bytes == NULL)
    return;
  g_file_replace_contents_bytes_async (file, self->bytes, NULL, FALSE,
                                       G_FILE_CREATE_REPLACE_DESTINATION, self->cancellable,
                                       on_written, g_object_ref (self));
}
