/* tto-attachment-view.c: a message's attachment inside its row
 *
 * image    the thumbnail (thumbnail_blob_id), tap opens the viewer
 * video    a poster (the thumbnail) with a play button, plays in the viewer
 * sticker  the image itself, small, without a bubble around it
 * voice    play/pause, the waveform the sender measured, the duration
 * file     icon, name, size and type, "Save…" with progress
 *
 * Blobs come from the session's TtoMediaCache when first shown (memory
 * only). While the sender's own upload runs, the view shows the local bytes,
 * a progress bar and a button to cancel.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-media-cache.h"
#include "tto-media-player.h"
#include "tto-media-upload.h"
#include "tto-media-viewer.h"
#include "tto-waveform.h"

#include "tto-attachment-view.h"

#define PICTURE_MAX 240
#define STICKER_MAX 144
#define TOUCH_TARGET 44

struct _TtoAttachmentView
{
  GtkWidget parent_instance;

  TtoSession *session;
  TtoMessage *message;
  TtoMediaUpload *upload;
  char *kind;

  GtkWidget *box;
  GtkPicture *picture;
  GtkWidget *spinner;
  GtkProgressBar *progress;
  GtkWidget *cancel_button;
  GtkButton *play_button;
  TtoWaveform *waveform;
  GtkLabel *duration_label;
  GtkButton *save_button;
  GtkFileChooserNative *save_chooser;

  TtoMediaPlayer *player;
  GCancellable *cancellable;
  GCancellable *save_cancellable;
  char *duration_text;
  gboolean has_picture;
};

G_DEFINE_FINAL_TYPE (TtoAttachmentView, tto_attachment_view, GTK_TYPE_WIDGET)

/* "1:05" */
char *
tto_attachment_format_duration (guint duration_ms)
{
  guint seconds = (duration_ms + 500) / 1000;

  return g_strdup_printf ("%u:%02u", seconds / 60, seconds % 60);
}

static const char *
attachment_string (TtoAttachmentView *self,
                   const char *field)
{
  return tto_message_get_attachment_string (self->message, field);
}

static void
set_duration_text (TtoAttachmentView *self,
                   guint ms)
{
  g_free (self->duration_text);
  self->duration_text = tto_attachment_format_duration (ms);
  if (self->duration_label != NULL)
    gtk_label_set_label (self->duration_label, self->duration_text);
}

static void
show_texture_from_bytes (TtoAttachmentView *self,
                         GBytes *bytes)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = NULL;

  if (self->picture == NULL || bytes == NULL)
    return;
  texture = gdk_texture_new_from_bytes (bytes, &error);
  if (self->spinner != NULL)
    gtk_widget_set_visible (self->spinner, FALSE);
  if (texture == NULL)
    {
      g_debug ("Attachment picture not shown: %s", error->message);
      return;
    }
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (texture));
  self->has_picture = TRUE;
}

static void
on_picture_fetched (GObject *object,
                    GAsyncResult *result,
                    gpointer user_data)
{
  g_autoptr (TtoAttachmentView) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  bytes = tto_media_cache_fetch_finish (TTO_MEDIA_CACHE (object), result, &error);
  if (bytes == NULL)
    {
      if (self->spinner != NULL)
        gtk_widget_set_visible (self->spinner, FALSE);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Attachment picture not loaded: %s", error->message);
      return;
    }
  show_texture_from_bytes (self, bytes);
}

static void
load_picture (TtoAttachmentView *self)
{
  const char *blob_id = attachment_string (self, "thumbnail_blob_id");
  const char *sha256 = NULL;

  if (self->upload != NULL)
    {
      GBytes *local = tto_media_upload_get_thumbnail (self->upload);

      show_texture_from_bytes (self, local != NULL ? local : tto_media_upload_get_data (self->upload));
      return;
    }

  /* A sticker is small: the blob itself. */
  if (blob_id == NULL && g_strcmp0 (self->kind, "video") != 0)
    {
      blob_id = attachment_string (self, "blob_id");
      sha256 = attachment_string (self, "sha256");
    }
  if (blob_id == NULL || self->session == NULL)
    {
      if (self->spinner != NULL)
        gtk_widget_set_visible (self->spinner, FALSE);
      return;
    }
  tto_media_cache_fetch_async (tto_media_cache_get_for_session (self->session),
                               tto_message_get_event_id (self->message), blob_id, sha256,
                               self->cancellable, on_picture_fetched, g_object_ref (self));
}

/* A picture's natural size is its paintable's (a photo's thousands of
 * pixels): this layout gives it exactly its size request instead. */

static GtkSizeRequestMode
fixed_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_CONSTANT_SIZE;
}

static void
fixed_measure (GtkWidget *widget,
               GtkOrientation orientation,
               int for_size,
               int *minimum,
               int *natural,
               int *minimum_baseline,
               int *natural_baseline)
{
  *minimum = 0;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_min = 0;

      gtk_widget_measure (child, orientation, -1, &child_min, NULL, NULL, NULL);
      *minimum = MAX (*minimum, child_min);
    }
  *natural = *minimum;
}

static void
fixed_allocate (GtkWidget *widget,
                int width,
                int height,
                int baseline)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_widget_allocate (child, width, height, -1, NULL);
}

/* Upload */

static void
update_upload (TtoAttachmentView *self)
{
  gboolean uploading = self->upload != NULL &&
                       tto_media_upload_get_state (self->upload) == TTO_MEDIA_UPLOAD_UPLOADING;

  if (self->progress != NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->progress), uploading);
      if (self->upload != NULL)
        gtk_progress_bar_set_fraction (self->progress,
                                       tto_media_upload_get_progress (self->upload));
    }
  if (self->cancel_button != NULL)
    gtk_widget_set_visible (self->cancel_button, uploading);
  if (self->play_button != NULL)
    gtk_widget_set_sensitive (GTK_WIDGET (self->play_button), !uploading);
  if (self->save_button != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->save_button), !uploading);
}

static void
on_upload_notify (TtoAttachmentView *self)
{
  update_upload (self);
}

static void
on_cancel_clicked (TtoAttachmentView *self)
{
  if (self->upload != NULL)
    tto_media_upload_cancel (self->upload);
}

/* Voice */

static void
update_player (TtoAttachmentView *self)
{
  gboolean playing = self->player != NULL && tto_media_player_get_playing (self->player);
  guint duration = (guint) tto_message_get_attachment_int (self->message, "duration_ms");
  guint position = self->player != NULL ? tto_media_player_get_position_ms (self->player) : 0;

  if (duration == 0 && self->player != NULL)
    duration = tto_media_player_get_duration_ms (self->player);
  gtk_button_set_icon_name (self->play_button, playing ? "media-playback-pause-symbolic"
                                                       : "media-playback-start-symbolic");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->play_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  playing ? _("Pause") : _("Play Voice Message"), -1);
  if (self->waveform != NULL)
    tto_waveform_set_progress (self->waveform,
                               duration > 0 && (playing || position > 0)
                                 ? (double) position / duration
                                 : 0.0);
  set_duration_text (self, playing || position > 0 ? position : duration);
}

static void
on_player_error (TtoMediaPlayer *player,
                 GError *error,
                 TtoAttachmentView *self)
{
  g_autofree char *text = g_strdup (_("The voice message cannot be played."));

  g_debug ("Playback failed: %s", error->message);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", text);
}

static void
start_player (TtoAttachmentView *self,
              GBytes *bytes)
{
  if (self->player == NULL)
    {
      self->player = tto_media_player_new (bytes, FALSE);
      g_signal_connect_swapped (self->player, "notify::playing", G_CALLBACK (update_player), self);
      g_signal_connect_swapped (self->player, "notify::position-ms", G_CALLBACK (update_player),
                                self);
      g_signal_connect (self->player, "error", G_CALLBACK (on_player_error), self);
    }
  tto_media_player_play (self->player);
}

static void
on_voice_fetched (GObject *object,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (TtoAttachmentView) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  bytes = tto_media_cache_fetch_finish (TTO_MEDIA_CACHE (object), result, &error);
  gtk_widget_set_sensitive (GTK_WIDGET (self->play_button), TRUE);
  if (bytes == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *text = g_strdup (_("The voice message could not be loaded."));

          gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", text);
        }
      return;
    }
  start_player (self, bytes);
}

static void
on_play_clicked (TtoAttachmentView *self)
{
  if (self->player != NULL && tto_media_player_get_playing (self->player))
    {
      tto_media_player_pause (self->player);
      return;
    }
  if (self->player != NULL)
    {
      tto_media_player_play (self->player);
      return;
    }
  if (self->upload != NULL && tto_media_upload_get_data (self->upload) != NULL)
    {
      start_player (self, tto_media_upload_get_data (self->upload));
      return;
    }
  if (attachment_string (self, "blob_id") == NULL || self->session == NULL)
    return;
  gtk_widget_set_sensitive (GTK_WIDGET (self->play_button), FALSE);
  tto_media_cache_fetch_async (tto_media_cache_get_for_session (self->session),
                               tto_message_get_event_id (self->message),
                               attachment_string (self, "blob_id"),
                               attachment_string (self, "sha256"), self->cancellable,
                               on_voice_fetched, g_object_ref (self));
}

/* Save */

static void
on_save_progress (goffset done,
                  goffset total,
                  gpointer user_data)
{
  TtoAttachmentView *self = user_data;

  if (total > 0)
    gtk_progress_bar_set_fraction (self->progress, (double) done / total);
  else
    gtk_progress_bar_pulse (self->progress);
}

static void
on_saved (GObject *object,
          GAsyncResult *result,
          gpointer user_data)
{
  g_autoptr (TtoAttachmentView) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->progress), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), TRUE);
  g_clear_object (&self->save_cancellable);
  if (tto_blob_transfer_download_to_file_finish (TTO_BLOB_TRANSFER (object), result, &error))
    text = g_strdup (_("File saved"));
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  else
    {
      g_debug ("Saving an attachment failed: %s", error->message);
      text = g_strdup (_("The file could not be saved."));
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", text);
}

/* Downloads the attachment into @file, with progress in the row. */
static void
save_to (TtoAttachmentView *self,
         GFile *file)
{
  if (self->session == NULL || attachment_string (self, "blob_id") == NULL)
    return;
  g_clear_object (&self->save_cancellable);
  self->save_cancellable = g_cancellable_new ();
  gtk_progress_bar_set_fraction (self->progress, 0.0);
  gtk_widget_set_visible (GTK_WIDGET (self->progress), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), FALSE);
  tto_blob_transfer_download_to_file_async (
    tto_connection_get_blob_transfer (tto_session_get_connection (self->session)),
    tto_message_get_event_id (self->message), attachment_string (self, "blob_id"),
    attachment_string (self, "sha256"), file, on_save_progress, self, NULL,
    self->save_cancellable, on_saved, g_object_ref (self));
}

static void
on_save_response (GtkNativeDialog *dialog,
                  int response,
                  TtoAttachmentView *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        save_to (self, file);
    }
  g_clear_object (&self->save_chooser);
}

static void
on_save_clicked (TtoAttachmentView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *name = attachment_string (self, "name");

  if (self->save_chooser != NULL)
    return;
  self->save_chooser = gtk_file_chooser_native_new (_("Save File"),
                                                    GTK_IS_WINDOW (root) ? GTK_WINDOW (root)
                                                                         : NULL,
                                                    GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"),
                                                    _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->save_chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->save_chooser),
                                     name != NULL ? name : _("attachment"));
  g_signal_connect (self->save_chooser, "response", G_CALLBACK (on_save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->save_chooser));
}

/* Building */

static GtkWidget *
new_icon_button (const char *icon,
                 const char *label)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_size_request (button, TOUCH_TARGET, TOUCH_TARGET);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "circular");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  return button;
}

static GtkProgressBar *
new_progress (void)
{
  GtkProgressBar *progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());

  gtk_widget_add_css_class (GTK_WIDGET (progress), "attachment-progress");
  gtk_widget_set_visible (GTK_WIDGET (progress), FALSE);
  return progress;
}

static void
picture_size (TtoAttachmentView *self,
              int max,
              int *out_width,
              int *out_height)
{
  double width = tto_message_get_attachment_int (self->message, "width");
  double height = tto_message_get_attachment_int (self->message, "height");
  double scale;

  if (width <= 0 || height <= 0)
    {
      width = max;
      height = g_str_equal (self->kind, "sticker") ? max : max * 3 / 4;
    }
  scale = MIN (1.0, MIN (max / width, max / height));
  /* A very narrow image still gets a tappable size. */
  *out_width = MAX (TOUCH_TARGET * 2, (int) (width * scale));
  *out_height = MAX (TOUCH_TARGET * 2, (int) (height * scale));
}

static void
build_picture (TtoAttachmentView *self)
{
  gboolean sticker = g_str_equal (self->kind, "sticker");
  gboolean video = g_str_equal (self->kind, "video");
  GtkWidget *overlay = gtk_overlay_new ();
  GtkWidget *frame;
  int width, height;

  picture_size (self, sticker ? STICKER_MAX : PICTURE_MAX, &width, &height);
  self->picture = GTK_PICTURE (gtk_picture_new ());
  gtk_picture_set_can_shrink (self->picture, TRUE);
  gtk_picture_set_content_fit (self->picture, sticker ? GTK_CONTENT_FIT_CONTAIN
                                                      : GTK_CONTENT_FIT_COVER);
  gtk_widget_set_size_request (GTK_WIDGET (self->picture), width, height);
  frame = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_layout_manager (frame, gtk_custom_layout_new (fixed_request_mode, fixed_measure,
                                                               fixed_allocate));
  gtk_box_append (GTK_BOX (frame), GTK_WIDGET (self->picture));
  gtk_overlay_set_child (GTK_OVERLAY (overlay), frame);
  gtk_widget_add_css_class (overlay, sticker ? "attachment-sticker" : "attachment-picture");
  gtk_widget_set_overflow (overlay, GTK_OVERFLOW_HIDDEN);

  self->spinner = gtk_spinner_new ();
  gtk_spinner_start (GTK_SPINNER (self->spinner));
  gtk_widget_set_halign (self->spinner, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (self->spinner, GTK_ALIGN_CENTER);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), self->spinner);

  if (video)
    {
      GtkWidget *play = gtk_image_new_from_icon_name ("media-playback-start-symbolic");

      gtk_image_set_pixel_size (GTK_IMAGE (play), 24);
      gtk_widget_set_size_request (play, 56, 56);
      gtk_widget_set_halign (play, GTK_ALIGN_CENTER);
      gtk_widget_set_valign (play, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (play, "attachment-play");
      gtk_widget_add_css_class (play, "osd");
      gtk_overlay_add_overlay (GTK_OVERLAY (overlay), play);

      self->duration_label = GTK_LABEL (gtk_label_new (NULL));
      gtk_widget_add_css_class (GTK_WIDGET (self->duration_label), "attachment-duration");
      gtk_widget_add_css_class (GTK_WIDGET (self->duration_label), "osd");
      gtk_widget_set_halign (GTK_WIDGET (self->duration_label), GTK_ALIGN_START);
      gtk_widget_set_valign (GTK_WIDGET (self->duration_label), GTK_ALIGN_END);
      gtk_overlay_add_overlay (GTK_OVERLAY (overlay), GTK_WIDGET (self->duration_label));
      set_duration_text (self,
                         (guint) tto_message_get_attachment_int (self->message, "duration_ms"));
    }

  self->progress = new_progress ();
  gtk_widget_set_valign (GTK_WIDGET (self->progress), GTK_ALIGN_END);
  gtk_widget_add_css_class (GTK_WIDGET (self->progress), "osd");
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), GTK_WIDGET (self->progress));
  self->cancel_button = new_icon_button ("window-close-symbolic", _("Cancel Upload"));
  gtk_widget_add_css_class (self->cancel_button, "osd");
  gtk_widget_set_halign (self->cancel_button, GTK_ALIGN_CENTER);
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (on_cancel_clicked), self);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), self->cancel_button);

  if (sticker)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->picture),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Sticker"), -1);
      frame = overlay;
    }
  else
    {
      /* The picture is a button: it opens the viewer. */
      frame = gtk_button_new ();
      gtk_button_set_child (GTK_BUTTON (frame), overlay);
      gtk_widget_add_css_class (frame, "flat");
      gtk_widget_add_css_class (frame, "attachment-button");
      gtk_accessible_update_property (GTK_ACCESSIBLE (frame), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      video ? _("Play Video Message") : _("Open Image"), -1);
      g_signal_connect_swapped (frame, "clicked", G_CALLBACK (tto_attachment_view_activate),
                                self);
    }
  gtk_widget_set_halign (frame, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (self->box), frame);
  load_picture (self);
}

static void
build_voice (TtoAttachmentView *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  JsonObject *attachment = tto_message_get_attachment (self->message);
  JsonArray *levels = attachment != NULL && json_object_has_member (attachment, "waveform") &&
                          JSON_NODE_HOLDS_ARRAY (json_object_get_member (attachment, "waveform"))
                        ? json_object_get_array_member (attachment, "waveform")
                        : NULL;
  g_autoptr (GByteArray) bytes = g_byte_array_new ();

  gtk_widget_add_css_class (row, "attachment-voice");
  self->play_button = GTK_BUTTON (new_icon_button ("media-playback-start-symbolic",
                                                   _("Play Voice Message")));
  gtk_widget_add_css_class (GTK_WIDGET (self->play_button), "suggested-action");
  g_signal_connect_swapped (self->play_button, "clicked", G_CALLBACK (on_play_clicked), self);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->play_button));

  self->waveform = TTO_WAVEFORM (tto_waveform_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (self->waveform), TRUE);
  gtk_widget_set_valign (GTK_WIDGET (self->waveform), GTK_ALIGN_CENTER);
  for (guint i = 0; levels != NULL && i < json_array_get_length (levels); i++)
    {
      guint8 level = (guint8) CLAMP (json_array_get_int_element (levels, i), 0, 255);

      g_byte_array_append (bytes, &level, 1);
    }
  tto_waveform_set_levels (self->waveform, bytes->data, bytes->len);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->waveform),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Voice message"), -1);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->waveform));

  self->duration_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->duration_label), "numeric");
  gtk_widget_add_css_class (GTK_WIDGET (self->duration_label), "dim-label");
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->duration_label));

  self->cancel_button = new_icon_button ("window-close-symbolic", _("Cancel Upload"));
  gtk_widget_add_css_class (self->cancel_button, "flat");
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (on_cancel_clicked), self);
  gtk_box_append (GTK_BOX (row), self->cancel_button);

  gtk_box_append (GTK_BOX (self->box), row);
  self->progress = new_progress ();
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->progress));
  update_player (self);
}

static void
build_file (TtoAttachmentView *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  const char *mime = attachment_string (self, "mime_type");
  const char *name = attachment_string (self, "name");
  g_autofree char *content_type = mime != NULL ? g_content_type_from_mime_type (mime) : NULL;
  g_autofree char *description = content_type != NULL ? g_content_type_get_description (content_type)
                                                      : NULL;
  g_autofree char *size = g_format_size (tto_message_get_attachment_int (self->message, "size"));
  g_autofree char *info = NULL;
  g_autoptr (GIcon) icon = NULL;
  GtkWidget *image;
  GtkWidget *label;

  gtk_widget_add_css_class (row, "attachment-file");
  icon = content_type != NULL ? g_content_type_get_symbolic_icon (content_type)
                              : g_themed_icon_new ("text-x-generic-symbolic");
  image = gtk_image_new_from_gicon (icon);
  gtk_image_set_pixel_size (GTK_IMAGE (image), 32);
  gtk_widget_add_css_class (image, "attachment-file-icon");
  gtk_box_append (GTK_BOX (row), image);

  label = gtk_label_new (name != NULL ? name : _("File"));
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_width_chars (GTK_LABEL (label), 8);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 28);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (texts), label);
  /* Translators: file size · file type, e.g. "12.3 kB · PDF document" */
  info = g_strdup_printf (_("%s · %s"), size, description != NULL ? description : _("File"));
  label = gtk_label_new (info);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (texts), label);
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_widget_set_valign (texts, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (row), texts);

  self->save_button = GTK_BUTTON (new_icon_button ("document-save-symbolic", _("Save…")));
  g_signal_connect_swapped (self->save_button, "clicked", G_CALLBACK (on_save_clicked), self);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->save_button));
  self->cancel_button = new_icon_button ("window-close-symbolic", _("Cancel Upload"));
  gtk_widget_add_css_class (self->cancel_button, "flat");
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (on_cancel_clicked), self);
  gtk_box_append (GTK_BOX (row), self->cancel_button);

  gtk_box_append (GTK_BOX (self->box), row);
  self->progress = new_progress ();
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->progress));
}

/* GObject */

static void
tto_attachment_view_dispose (GObject *object)
{
  TtoAttachmentView *self = TTO_ATTACHMENT_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->save_cancellable != NULL)
    g_cancellable_cancel (self->save_cancellable);
  g_clear_object (&self->save_cancellable);
  if (self->save_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->save_chooser));
  g_clear_object (&self->save_chooser);
  if (self->upload != NULL)
    g_signal_handlers_disconnect_by_data (self->upload, self);
  g_clear_object (&self->upload);
  if (self->player != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->player, self);
      tto_media_player_stop (self->player);
    }
  g_clear_object (&self->player);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->session);
  g_clear_object (&self->message);

  G_OBJECT_CLASS (tto_attachment_view_parent_class)->dispose (object);
}

static void
tto_attachment_view_finalize (GObject *object)
{
  TtoAttachmentView *self = TTO_ATTACHMENT_VIEW (object);

  g_clear_object (&self->cancellable);
  g_free (self->kind);
  g_free (self->duration_text);

  G_OBJECT_CLASS (tto_attachment_view_parent_class)->finalize (object);
}

static void
tto_attachment_view_class_init (TtoAttachmentViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_attachment_view_dispose;
  object_class->finalize = tto_attachment_view_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "attachment");
}

static void
tto_attachment_view_init (TtoAttachmentView *self)
{
  self->cancellable = g_cancellable_new ();
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
}

/* The view of @message's attachment (the message must have one). */
TtoAttachmentView *
tto_attachment_view_new (TtoSession *session,
                         TtoMessage *message)
{
  TtoAttachmentView *self;
  const char *kind;

  g_return_val_if_fail (session == NULL || TTO_IS_SESSION (session), NULL);
  g_return_val_if_fail (TTO_IS_MESSAGE (message), NULL);

  self = g_object_new (TTO_TYPE_ATTACHMENT_VIEW, NULL);
  self->session = session != NULL ? g_object_ref (session) : NULL;
  self->message = g_object_ref (message);
  kind = tto_message_get_attachment_string (message, "kind");
  self->kind = g_strdup (kind != NULL ? kind : "file");
  self->upload = tto_media_upload_for_message (message);
  if (self->upload != NULL)
    {
      g_object_ref (self->upload);
      g_signal_connect_swapped (self->upload, "notify", G_CALLBACK (on_upload_notify), self);
    }

  if (g_str_equal (self->kind, "image") || g_str_equal (self->kind, "sticker") ||
      g_str_equal (self->kind, "video"))
    build_picture (self);
  else if (g_str_equal (self->kind, "voice"))
    build_voice (self);
  else
    build_file (self);
  gtk_widget_add_css_class (GTK_WIDGET (self), self->kind);
  update_upload (self);
  return self;
}

TtoMessage *
tto_attachment_view_get_message (TtoAttachmentView *self)
{
  g_return_val_if_fail (TTO_IS_ATTACHMENT_VIEW (self), NULL);

  return self->message;
}

const char *
tto_attachment_view_get_kind (TtoAttachmentView *self)
{
  g_return_val_if_fail (TTO_IS_ATTACHMENT_VIEW (self), NULL);

  return self->kind;
}

/* Whether a picture (thumbnail or sticker) is shown. */
gboolean
tto_attachment_view_has_picture (TtoAttachmentView *self)
{
  g_return_val_if_fail (TTO_IS_ATTACHMENT_VIEW (self), FALSE);

  return self->has_picture;
}

/* "0:03" for voice and video, else NULL. */
const char *
tto_attachment_view_get_duration_text (TtoAttachmentView *self)
{
  g_return_val_if_fail (TTO_IS_ATTACHMENT_VIEW (self), NULL);

  return self->duration_text;
}

gboolean
tto_attachment_view_get_uploading (TtoAttachmentView *self)
{
  g_return_val_if_fail (TTO_IS_ATTACHMENT_VIEW (self), FALSE);

  return self->upload != NULL &&
         tto_media_upload_get_state (self->upload) == TTO_MEDIA_UPLOAD_UPLOADING;
}

/* Opens the viewer (image, video) or plays (voice). */
void
tto_attachment_view_activate (TtoAttachmentView *self)
{
  GtkRoot *root;

  g_return_if_fail (TTO_IS_ATTACHMENT_VIEW (self));

  if (g_str_equal (self->kind, "voice"))
    {
      on_play_clicked (self);
      return;
    }
  if (!g_str_equal (self->kind, "image") && !g_str_equal (self->kind, "video"))
    return;
  if (self->session == NULL || tto_attachment_view_get_uploading (self) ||
      tto_message_get_attachment_string (self->message, "blob_id") == NULL)
    return;
  root = gtk_widget_get_root (GTK_WIDGET (self));
  gtk_window_present (GTK_WINDOW (tto_media_viewer_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root)
                                                                             : NULL,
                                                        self->session, self->message)));
}
