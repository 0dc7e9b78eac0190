/* tto-evidence-strip.c: an applicant's evidence, as the reviewer sees it
 *
 * One tile per file the application names. The relay keeps only blob ids,
 * so each file is fetched with the reviewer's token through the session's
 * media cache (in memory only; shared with the chat's attachments) and its
 * kind sniffed from the bytes: a picture shows as a thumbnail (made by the
 * thumbnailer, which refuses pictures too big to decode safely), a video
 * and any other file as a chip. A picture or a video opens in the media
 * viewer; another file is saved where the reviewer chooses. The tiles
 * sit in one line that scrolls sideways on a phone: a row of the review
 * list keeps one height whatever its width (GtkListView measures rows
 * before it knows their width, so a wrapping box would leave gaps).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-media-cache.h"
#include "tto-media-viewer.h"
#include "tto-media.h"
#include "tto-evidence.h"

#include "tto-evidence-strip.h"

#define TILE_SIZE 72
/* Thumbnails for a 72 px tile on a 2× screen. */
#define THUMBNAIL_SIZE 144

typedef struct
{
  TtoEvidenceStrip *strip; /* unowned; valid until the tile is cancelled */
  GCancellable *cancellable;
  char *blob_id;
  guint index;
  char *kind; /* NULL while loading; "image", "video", "file" or "missing" */
  char *content_type;
  GBytes *bytes;
  TtoThumbnailer *thumbnailer;
  GtkWidget *button;
  GtkWidget *stack;
  GtkWidget *picture;
  GtkWidget *icon;
  GtkWidget *label;
} Tile;

struct _TtoEvidenceStrip
{
  AdwBin parent_instance;

  GtkBox *box;
  GPtrArray *tiles; /* Tile, rc-boxed */

  TtoSession *session;
  char *event_id;
  char *applicant_name;
  GStrv blob_ids;
  GtkFileChooserNative *chooser;
  GFile *saving; /* the file chosen, while it is written */
};

G_DEFINE_FINAL_TYPE (TtoEvidenceStrip, tto_evidence_strip, ADW_TYPE_BIN)

static void
tile_clear (Tile *tile)
{
  g_object_unref (tile->cancellable);
  g_free (tile->blob_id);
  g_free (tile->kind);
  g_free (tile->content_type);
  g_clear_pointer (&tile->bytes, g_bytes_unref);
  g_clear_object (&tile->thumbnailer);
}

static void
tile_unref (Tile *tile)
{
  g_rc_box_release_full (tile, (GDestroyNotify) tile_clear);
}

/* Tiles */

static void
toast (TtoEvidenceStrip *self,
       const char *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

static void
describe_tile (Tile *tile)
{
  TtoEvidenceStrip *self = tile->strip;
  g_autofree char *size = NULL;
  g_autofree char *label = NULL;
  const char *name = self->applicant_name != NULL ? self->applicant_name : "";

  if (tile->bytes != NULL)
    size = g_format_size (g_bytes_get_size (tile->bytes));

  if (tile->kind == NULL)
    /* Translators: %u counts an applicant's files, %s is the applicant's name */
    label = g_strdup_printf (_("File %u from %s, loading"), tile->index + 1, name);
  else if (g_str_equal (tile->kind, "image"))
    /* Translators: %u counts an applicant's files, %s is the applicant's name */
    label = g_strdup_printf (_("Picture %u from %s: open"), tile->index + 1, name);
  else if (g_str_equal (tile->kind, "video"))
    /* Translators: %u counts an applicant's files; then the applicant's name and the size */
    label = g_strdup_printf (_("Video %u from %s, %s: play"), tile->index + 1, name, size);
  else if (g_str_equal (tile->kind, "file"))
    {
      g_autofree char *type = g_content_type_get_description (tile->content_type);

      /* Translators: %u counts an applicant's files; then the applicant's name, the kind of
       * file ("PDF document") and the size */
      label = g_strdup_printf (_("File %u from %s, %s, %s: save"), tile->index + 1, name, type,
                               size);
    }
  else
    /* Translators: %u counts an applicant's files, %s is the applicant's name */
    label = g_strdup_printf (_("File %u from %s could not be loaded"), tile->index + 1, name);

  gtk_widget_set_tooltip_text (tile->button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (tile->button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  label, -1);
}

static void
show_chip (Tile *tile,
           const char *kind,
           const char *icon,
           const char *text)
{
  g_free (tile->kind);
  tile->kind = g_strdup (kind);
  gtk_image_set_from_icon_name (GTK_IMAGE (tile->icon), icon);
  gtk_label_set_label (GTK_LABEL (tile->label), text);
  gtk_stack_set_visible_child_name (GTK_STACK (tile->stack), "chip");
  gtk_widget_set_sensitive (tile->button, !g_str_equal (kind, "missing"));
  describe_tile (tile);
}

/* A chip for what is no picture: "Video" or the file's type, and its size. */
static void
show_file_chip (Tile *tile)
{
  g_autofree char *size = g_format_size (g_bytes_get_size (tile->bytes));
  g_autofree char *mime = g_content_type_get_mime_type (tile->content_type);

  if (mime != NULL && g_str_has_prefix (mime, "video/"))
    show_chip (tile, "video", "video-x-generic-symbolic", size);
  else
    show_chip (tile, "file", "text-x-generic-symbolic", size);
}

static void
on_thumbnail_ready (GObject *object,
                    GAsyncResult *result,
                    gpointer user_data)
{
  Tile *tile = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = NULL;

  if (g_cancellable_is_cancelled (tile->cancellable))
    goto out;
  if (!tto_thumbnailer_run_finish (TTO_THUMBNAILER (object), result, &error) ||
      (texture = tto_evidence_make_square (tto_thumbnailer_get_thumbnail (tile->thumbnailer),
                                           THUMBNAIL_SIZE, &error)) == NULL)
    {
      /* Not a picture GdkPixbuf can (safely) decode: offer it as a file. */
      g_debug ("No thumbnail for evidence (%s %d)", g_quark_to_string (error->domain), error->code);
      show_file_chip (tile);
      goto out;
    }
  g_free (tile->kind);
  tile->kind = g_strdup ("image");
  gtk_image_set_from_paintable (GTK_IMAGE (tile->picture), GDK_PAINTABLE (texture));
  gtk_stack_set_visible_child_name (GTK_STACK (tile->stack), "picture");
  describe_tile (tile);

out:
  tile_unref (tile);
}

static void
on_fetched (GObject *object,
            GAsyncResult *result,
            gpointer user_data)
{
  Tile *tile = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *mime = NULL;
  gboolean uncertain = FALSE;

  tile->bytes = tto_media_cache_fetch_finish (TTO_MEDIA_CACHE (object), result, &error);
  if (g_cancellable_is_cancelled (tile->cancellable))
    goto out;
  if (tile->bytes == NULL)
    {
      g_debug ("Evidence not loaded (%s %d)", g_quark_to_string (error->domain), error->code);
      show_chip (tile, "missing", "image-missing-symbolic", _("Not available"));
      goto out;
    }

  /* The relay sniffed the type too; it does not say it with the bytes. */
  tile->content_type = g_content_type_guess (NULL, g_bytes_get_data (tile->bytes, NULL),
                                             MIN (g_bytes_get_size (tile->bytes), 4096),
                                             &uncertain);
  mime = g_content_type_get_mime_type (tile->content_type);
  if (mime != NULL && g_str_has_prefix (mime, "image/"))
    {
      tile->thumbnailer = tto_thumbnailer_new (tile->bytes, TTO_THUMBNAILER_DEFAULT_MAX_SIZE);
      tto_thumbnailer_run_async (tile->thumbnailer, tile->cancellable, on_thumbnail_ready,
                                 g_rc_box_acquire (tile));
      goto out;
    }
  show_file_chip (tile);

out:
  tile_unref (tile);
}

static void
on_tile_clicked (GtkButton *button,
                 TtoEvidenceStrip *self)
{
  Tile *tile = g_object_get_data (G_OBJECT (button), "tile");

  if (tile != NULL)
    tto_evidence_strip_open (self, tile->index);
}

static Tile *
tile_new (TtoEvidenceStrip *self,
          const char *blob_id,
          guint index)
{
  Tile *tile = g_rc_box_new0 (Tile);
  GtkWidget *spinner = gtk_spinner_new ();
  GtkWidget *chip = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);

  tile->strip = self;
  tile->cancellable = g_cancellable_new ();
  tile->blob_id = g_strdup (blob_id);
  tile->index = index;

  tile->button = gtk_button_new ();
  gtk_widget_set_size_request (tile->button, TILE_SIZE, TILE_SIZE);
  gtk_widget_set_overflow (tile->button, GTK_OVERFLOW_HIDDEN);
  gtk_widget_add_css_class (tile->button, "evidence-tile");
  g_object_set_data (G_OBJECT (tile->button), "tile", tile);
  g_signal_connect (tile->button, "clicked", G_CALLBACK (on_tile_clicked), self);

  tile->stack = gtk_stack_new ();
  gtk_spinner_start (GTK_SPINNER (spinner));
  gtk_widget_set_halign (spinner, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (spinner, GTK_ALIGN_CENTER);
  gtk_stack_add_named (GTK_STACK (tile->stack), spinner, "loading");

  tile->picture = gtk_image_new ();
  gtk_image_set_pixel_size (GTK_IMAGE (tile->picture), TILE_SIZE);
  gtk_widget_add_css_class (tile->picture, "evidence-thumbnail");
  gtk_stack_add_named (GTK_STACK (tile->stack), tile->picture, "picture");

  tile->icon = gtk_image_new ();
  gtk_image_set_pixel_size (GTK_IMAGE (tile->icon), 24);
  tile->label = gtk_label_new (NULL);
  gtk_label_set_ellipsize (GTK_LABEL (tile->label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (tile->label), 8);
  gtk_widget_add_css_class (tile->label, "caption");
  gtk_box_append (GTK_BOX (chip), tile->icon);
  gtk_box_append (GTK_BOX (chip), tile->label);
  gtk_widget_set_valign (chip, GTK_ALIGN_CENTER);
  gtk_stack_add_named (GTK_STACK (tile->stack), chip, "chip");

  gtk_stack_set_visible_child_name (GTK_STACK (tile->stack), "loading");
  gtk_button_set_child (GTK_BUTTON (tile->button), tile->stack);
  describe_tile (tile);
  return tile;
}

/* Stops what the tiles fetch; with @remove, takes them off the box too. */
static void
clear_tiles (TtoEvidenceStrip *self,
             gboolean remove)
{
  GtkWidget *child;

  for (guint i = 0; i < self->tiles->len; i++)
    {
      Tile *tile = g_ptr_array_index (self->tiles, i);

      g_cancellable_cancel (tile->cancellable);
      g_object_set_data (G_OBJECT (tile->button), "tile", NULL);
    }
  g_ptr_array_set_size (self->tiles, 0);
  while (remove && (child = gtk_widget_get_first_child (GTK_WIDGET (self->box))) != NULL)
    gtk_box_remove (self->box, child);
}

/* Saving a file */

static void
on_written (GObject *object,
            GAsyncResult *result,
            gpointer user_data)
{
  g_autoptr (TtoEvidenceStrip) self = user_data;
  g_autoptr (GError) error = NULL;

  g_clear_object (&self->saving);
  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("Saving evidence failed (%s %d)", g_quark_to_string (error->domain), error->code);
      toast (self, _("The file could not be saved."));
      return;
    }
  toast (self, _("File saved"));
}

static void
on_save_response (GtkNativeDialog *dialog,
                  int response,
                  TtoEvidenceStrip *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "index"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        tto_evidence_strip_save_to_file (self, index, file);
    }
  g_clear_object (&self->chooser);
}

static void
choose_file (TtoEvidenceStrip *self,
             Tile *tile)
{
  g_autofree char *name = NULL;

  if (self->chooser != NULL)
    return;
  /* The relay keeps no file names: one says whose and which it is. */
  /* Translators: a file name; %s is the applicant's name, %u counts their files */
  name = g_strdup_printf (_("%s, evidence %u"), self->applicant_name, tile->index + 1);
  self->chooser = gtk_file_chooser_native_new (_("Save File"),
                                               GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"),
                                               _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_object_set_data (G_OBJECT (self->chooser), "index", GUINT_TO_POINTER (tile->index));
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* GObject */

static void
tto_evidence_strip_dispose (GObject *object)
{
  TtoEvidenceStrip *self = TTO_EVIDENCE_STRIP (object);

  clear_tiles (self, FALSE);
  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  g_clear_object (&self->session);

  G_OBJECT_CLASS (tto_evidence_strip_parent_class)->dispose (object);
}

static void
tto_evidence_strip_finalize (GObject *object)
{
  TtoEvidenceStrip *self = TTO_EVIDENCE_STRIP (object);

  g_ptr_array_unref (self->tiles);
  g_free (self->event_id);
  g_free (self->applicant_name);
  g_strfreev (self->blob_ids);
  g_clear_object (&self->saving);

  G_OBJECT_CLASS (tto_evidence_strip_parent_class)->finalize (object);
}

static void
tto_evidence_strip_class_init (TtoEvidenceStripClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_evidence_strip_dispose;
  object_class->finalize = tto_evidence_strip_finalize;

  gtk_widget_class_set_css_name (widget_class, "evidencestrip");
}

static void
tto_evidence_strip_init (TtoEvidenceStrip *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  self->tiles = g_ptr_array_new_with_free_func ((GDestroyNotify) tile_unref);
  self->box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->box), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Evidence"), -1);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_AUTOMATIC,
                                  GTK_POLICY_NEVER);
  gtk_scrolled_window_set_propagate_natural_width (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->box));
  gtk_widget_set_halign (scrolled, GTK_ALIGN_START);
  adw_bin_set_child (ADW_BIN (self), scrolled);
}

TtoEvidenceStrip *
tto_evidence_strip_new (void)
{
  return g_object_new (TTO_TYPE_EVIDENCE_STRIP, NULL);
}

/* Shows the files @blob_ids of @event_id (fetched with @session's token);
 * @applicant_name names them for screen readers and file names. The same
 * files again change nothing, so rows can rebind freely. */
void
tto_evidence_strip_set_evidence (TtoEvidenceStrip *self,
                                 TtoSession *session,
                                 const char *event_id,
                                 const char *applicant_name,
                                 const char *const *blob_ids)
{
  g_return_if_fail (TTO_IS_EVIDENCE_STRIP (self));
  g_return_if_fail (TTO_IS_SESSION (session));
  g_return_if_fail (event_id != NULL);

  if (self->session == session && g_strcmp0 (self->event_id, event_id) == 0 &&
      g_strcmp0 (self->applicant_name, applicant_name) == 0 && self->blob_ids != NULL &&
      blob_ids != NULL && g_strv_equal ((const char *const *) self->blob_ids, blob_ids))
    return;

  clear_tiles (self, TRUE);
  g_set_object (&self->session, session);
  g_free (self->event_id);
  self->event_id = g_strdup (event_id);
  g_free (self->applicant_name);
  self->applicant_name = g_strdup (applicant_name);
  g_strfreev (self->blob_ids);
  self->blob_ids = g_strdupv ((char **) blob_ids);

  for (guint i = 0; blob_ids != NULL && blob_ids[i] != NULL; i++)
    {
      Tile *tile = tile_new (self, blob_ids[i], i);

      g_ptr_array_add (self->tiles, tile);
      gtk_box_append (self->box, tile->button);
      tto_media_cache_fetch_async (tto_media_cache_get_for_session (session), event_id,
                                   blob_ids[i], NULL, tile->cancellable, on_fetched,
                                   g_rc_box_acquire (tile));
    }
  gtk_widget_set_visible (GTK_WIDGET (self), self->tiles->len > 0);
}

guint
tto_evidence_strip_get_n_items (TtoEvidenceStrip *self)
{
  g_return_val_if_fail (TTO_IS_EVIDENCE_STRIP (self), 0);

  return self->tiles->len;
}

/* "image", "video", "file", "missing" (could not be fetched), or NULL
 * while it loads. */
const char *
tto_evidence_strip_get_kind (TtoEvidenceStrip *self,
                             guint index)
{
  g_return_val_if_fail (TTO_IS_EVIDENCE_STRIP (self), NULL);
  g_return_val_if_fail (index < self->tiles->len, NULL);

  return ((Tile *) g_ptr_array_index (self->tiles, index))->kind;
}

GtkWidget *
tto_evidence_strip_get_tile (TtoEvidenceStrip *self,
                             guint index)
{
  g_return_val_if_fail (TTO_IS_EVIDENCE_STRIP (self), NULL);
  g_return_val_if_fail (index < self->tiles->len, NULL);

  return ((Tile *) g_ptr_array_index (self->tiles, index))->button;
}

/* What a click does: a picture or a video opens in the media viewer,
 * another file asks where to save it. */
void
tto_evidence_strip_open (TtoEvidenceStrip *self,
                         guint index)
{
  Tile *tile;
  g_autoptr (TtoMessage) carrier = NULL;
  g_autoptr (JsonObject) attachment = NULL;
  g_autofree char *mime = NULL;
  GtkRoot *root;
  TtoMediaViewer *viewer;

  g_return_if_fail (TTO_IS_EVIDENCE_STRIP (self));
  g_return_if_fail (index < self->tiles->len);

  tile = g_ptr_array_index (self->tiles, index);
  if (tile->kind == NULL || g_str_equal (tile->kind, "missing"))
    return;
  if (g_str_equal (tile->kind, "file"))
    {
      choose_file (self, tile);
      return;
    }

  /* The viewer shows attachments: this file, as one, from the applicant. */
  attachment = json_object_new ();
  json_object_set_string_member (attachment, "blob_id", tile->blob_id);
  json_object_set_string_member (attachment, "kind", tile->kind);
  mime = g_content_type_get_mime_type (tile->content_type);
  if (mime != NULL)
    json_object_set_string_member (attachment, "mime_type", mime);
  json_object_set_int_member (attachment, "size", g_bytes_get_size (tile->bytes));
  carrier = tto_message_new_pending (self->event_id, tile->blob_id, NULL, self->applicant_name,
                                     "", 0);
  tto_message_set_attachment (carrier, attachment);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  viewer = tto_media_viewer_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->session,
                                 carrier);
  gtk_window_present (GTK_WINDOW (viewer));
}

/* Writes the file at @index to @file (what "save" does). */
void
tto_evidence_strip_save_to_file (TtoEvidenceStrip *self,
                                 guint index,
                                 GFile *file)
{
  Tile *tile;

  g_return_if_fail (TTO_IS_EVIDENCE_STRIP (self));
  g_return_if_fail (index < self->tiles->len);
  g_return_if_fail (G_IS_FILE (file));

  tile = g_ptr_array_index (self->tiles, index);
  if (tile->bytes == NULL || self->saving != NULL)
    return;
  self->saving = g_object_ref (file);
  g_file_replace_contents_bytes_async (file, tile->bytes, NULL, FALSE,
                                       G_FILE_CREATE_REPLACE_DESTINATION, tile->cancellable,
                                       on_written, g_object_ref (self));
}
