/* tto-evidence-editor.c: choose the files a join request carries
 *
 * "Pictures", "Video" and "File" open the file chooser (several files at
 * once); each chosen file gets a row with its preview or icon, its size,
 * the upload's progress or the relay's reason for refusing it, and a button
 * to take it off before (or after) sending. More files than a request may
 * carry are refused with a message under the list. The upload itself is
 * TtoEvidenceList's; the join dialog starts it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-evidence-editor.h"

struct _TtoEvidenceEditor
{
  AdwBin parent_instance;

  GtkListBox *list_box;
  GtkLabel *count_label;
  GtkLabel *notice_label;

  TtoEvidenceList *list;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (TtoEvidenceEditor, tto_evidence_editor, ADW_TYPE_BIN)

static void
set_notice (TtoEvidenceEditor *self,
            const char *text)
{
  gtk_label_set_label (self->notice_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->notice_label), text != NULL);
}

static void
update_count (TtoEvidenceEditor *self)
{
  guint n = self->list != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->list)) : 0;
  guint max = self->list != NULL ? tto_evidence_list_get_max (self->list) : 0;
  gboolean busy = self->list != NULL && tto_evidence_list_get_busy (self->list);
  g_autofree char *count = NULL;

  /* Translators: how many files are attached of how many are allowed, e.g. "2 of 5" */
  count = g_strdup_printf (_("%u of %u"), n, max);
  gtk_label_set_label (self->count_label, count);
  gtk_widget_set_visible (GTK_WIDGET (self->count_label), n > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->list_box), n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "evidence.add", self->list != NULL && !busy);
}

/* Rows */

static void
update_row (GtkWidget *row)
{
  TtoEvidence *evidence = g_object_get_data (G_OBJECT (row), "evidence");
  GtkWidget *status = g_object_get_data (G_OBJECT (row), "status");
  GtkWidget *progress = g_object_get_data (G_OBJECT (row), "progress");
  GtkWidget *remove = g_object_get_data (G_OBJECT (row), "remove");
  GtkStack *preview = g_object_get_data (G_OBJECT (row), "preview");
  GtkWidget *icon = g_object_get_data (G_OBJECT (row), "icon");
  const char *kind = tto_evidence_get_kind (evidence);
  TtoEvidenceState state = tto_evidence_get_state (evidence);
  g_autofree char *text = NULL;
  g_autofree char *size = NULL;
  g_autofree char *remove_label = NULL;
  const char *kind_text;

  gtk_label_set_label (g_object_get_data (G_OBJECT (row), "name"),
                       tto_evidence_get_name (evidence));
  if (tto_evidence_get_preview (evidence) != NULL)
    {
      gtk_image_set_from_paintable (g_object_get_data (G_OBJECT (row), "picture"),
                                    tto_evidence_get_preview (evidence));
      gtk_stack_set_visible_child_name (preview, "picture");
    }
  else
    {
      gtk_image_set_from_icon_name (GTK_IMAGE (icon),
                                    g_str_equal (kind, TTO_EVIDENCE_PICTURE)
                                      ? "image-x-generic-symbolic"
                                    : g_str_equal (kind, TTO_EVIDENCE_VIDEO)
                                      ? "video-x-generic-symbolic"
                                      : "text-x-generic-symbolic");
      gtk_stack_set_visible_child_name (preview, "icon");
    }

  kind_text = g_str_equal (kind, TTO_EVIDENCE_PICTURE) ? _("Picture")
              : g_str_equal (kind, TTO_EVIDENCE_VIDEO) ? _("Video")
                                                        : _("File");
  if (tto_evidence_get_size (evidence) >= 0)
    size = g_format_size (tto_evidence_get_size (evidence));

  gtk_widget_remove_css_class (status, "error");
  switch (state)
    {
    case TTO_EVIDENCE_UPLOADING:
      /* Translators: %d is a percentage */
      text = g_strdup_printf (_("Sending… %d %%"),
                              (int) (tto_evidence_get_progress (evidence) * 100 + 0.5));
      break;
    case TTO_EVIDENCE_SENT:
      text = g_strdup (tto_evidence_get_file (evidence) != NULL ? _("Sent") : _("Sent earlier"));
      break;
    case TTO_EVIDENCE_FAILED:
      text = tto_evidence_describe_error (evidence);
      gtk_widget_add_css_class (status, "error");
      break;
    case TTO_EVIDENCE_WAITING:
    default:
      /* Translators: a kind of file ("Picture") and its size ("12.3 kB") */
      text = size != NULL ? g_strdup_printf (_("%s · %s"), kind_text, size) : g_strdup (kind_text);
      break;
    }
  gtk_label_set_label (GTK_LABEL (status), text);

  gtk_widget_set_visible (progress, state == TTO_EVIDENCE_UPLOADING);
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (progress),
                                 tto_evidence_get_progress (evidence));
  gtk_widget_set_sensitive (remove, state != TTO_EVIDENCE_UPLOADING);
  /* Translators: %s is a file name */
  remove_label = g_strdup_printf (_("Remove “%s”"), tto_evidence_get_name (evidence));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  remove_label, -1);
}

static void
on_remove_clicked (GtkButton *button,
                   TtoEvidenceEditor *self)
{
  TtoEvidence *evidence = g_object_get_data (G_OBJECT (button), "evidence");

  if (self->list != NULL && tto_evidence_list_remove (self->list, evidence))
    set_notice (self, NULL);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  TtoEvidenceEditor *self = user_data;
  TtoEvidence *evidence = item;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *preview = gtk_stack_new ();
  GtkWidget *picture = gtk_image_new ();
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *status = gtk_label_new (NULL);
  GtkWidget *progress = gtk_progress_bar_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_margin_start (box, 8);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);

  gtk_widget_set_size_request (preview, 48, 48);
  gtk_widget_set_valign (preview, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (preview, "evidence-preview");
  gtk_widget_set_overflow (preview, GTK_OVERFLOW_HIDDEN);
  gtk_image_set_pixel_size (GTK_IMAGE (picture), 48);
  gtk_image_set_pixel_size (GTK_IMAGE (icon), 24);
  gtk_stack_add_named (GTK_STACK (preview), icon, "icon");
  gtk_stack_add_named (GTK_STACK (preview), picture, "picture");

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_xalign (GTK_LABEL (status), 0);
  gtk_label_set_wrap (GTK_LABEL (status), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (status), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (status, "caption");
  gtk_widget_add_css_class (status, "dim-label");
  gtk_widget_set_visible (progress, FALSE);
  gtk_box_append (GTK_BOX (text), name);
  gtk_box_append (GTK_BOX (text), status);
  gtk_box_append (GTK_BOX (text), progress);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_valign (text, GTK_ALIGN_CENTER);

  gtk_widget_set_size_request (remove, 44, 44);
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_add_css_class (remove, "circular");
  gtk_widget_set_tooltip_text (remove, _("Remove"));
  g_object_set_data_full (G_OBJECT (remove), "evidence", g_object_ref (evidence), g_object_unref);
  g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_clicked), self);

  gtk_box_append (GTK_BOX (box), preview);
  gtk_box_append (GTK_BOX (box), text);
  gtk_box_append (GTK_BOX (box), remove);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  g_object_set_data_full (G_OBJECT (row), "evidence", g_object_ref (evidence), g_object_unref);
  g_object_set_data (G_OBJECT (row), "preview", preview);
  g_object_set_data (G_OBJECT (row), "picture", picture);
  g_object_set_data (G_OBJECT (row), "icon", icon);
  g_object_set_data (G_OBJECT (row), "name", name);
  g_object_set_data (G_OBJECT (row), "status", status);
  g_object_set_data (G_OBJECT (row), "progress", progress);
  g_object_set_data (G_OBJECT (row), "remove", remove);
  g_signal_connect_object (evidence, "notify", G_CALLBACK (update_row), row, G_CONNECT_SWAPPED);
  update_row (row);
  return row;
}

/* Choosing files */

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int response,
                     TtoEvidenceEditor *self)
{
  g_autoptr (GListModel) files = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (files != NULL)
    {
      g_autoptr (GPtrArray) array = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        g_ptr_array_add (array, g_list_model_get_item (files, i));
      tto_evidence_editor_add_files (self, (GFile *const *) array->pdata, array->len);
    }
}

static void
add_action (GtkWidget *widget,
            const char *action_name,
            GVariant *parameter)
{
  TtoEvidenceEditor *self = TTO_EVIDENCE_EDITOR (widget);
  const char *what = g_variant_get_string (parameter, NULL);
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();
  const char *title;

  if (self->list == NULL || self->chooser != NULL)
    return;
  /* Full: say so at once rather than after the choice. */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->list)) >=
      tto_evidence_list_get_max (self->list))
    {
      tto_evidence_editor_add_files (self, NULL, 1);
      return;
    }

  if (g_str_equal (what, "pictures"))
    {
      title = _("Attach Pictures");
      gtk_file_filter_set_name (filter, _("Pictures"));
      gtk_file_filter_add_mime_type (filter, "image/*");
    }
  else if (g_str_equal (what, "video"))
    {
      title = _("Attach a Short Video");
      gtk_file_filter_set_name (filter, _("Videos"));
      gtk_file_filter_add_mime_type (filter, "video/*");
    }
  else
    {
      title = _("Attach Files");
      gtk_file_filter_set_name (filter, _("All Files"));
      gtk_file_filter_add_pattern (filter, "*");
    }

  self->chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (gtk_widget_get_root (widget)),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Attach"),
                                               _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* GObject */

static void
tto_evidence_editor_dispose (GObject *object)
{
  TtoEvidenceEditor *self = TTO_EVIDENCE_EDITOR (object);

  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  if (self->list != NULL)
    g_signal_handlers_disconnect_by_data (self->list, self);
  g_clear_object (&self->list);
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_EVIDENCE_EDITOR);

  G_OBJECT_CLASS (tto_evidence_editor_parent_class)->dispose (object);
}

static void
tto_evidence_editor_class_init (TtoEvidenceEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_evidence_editor_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-evidence-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoEvidenceEditor, list_box);
  gtk_widget_class_bind_template_child (widget_class, TtoEvidenceEditor, count_label);
  gtk_widget_class_bind_template_child (widget_class, TtoEvidenceEditor, notice_label);

  /* "pictures", "video" or "file" */
  gtk_widget_class_install_action (widget_class, "evidence.add", "s", add_action);
}

static void
tto_evidence_editor_init (TtoEvidenceEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_count (self);
}

TtoEvidenceList *
tto_evidence_editor_get_list (TtoEvidenceEditor *self)
{
  g_return_val_if_fail (TTO_IS_EVIDENCE_EDITOR (self), NULL);

  return self->list;
}

/* Shows and edits @list (the join dialog owns the upload). */
void
tto_evidence_editor_set_list (TtoEvidenceEditor *self,
                              TtoEvidenceList *list)
{
  g_return_if_fail (TTO_IS_EVIDENCE_EDITOR (self));
  g_return_if_fail (list == NULL || TTO_IS_EVIDENCE_LIST (list));

  if (self->list != NULL)
    g_signal_handlers_disconnect_by_data (self->list, self);
  if (!g_set_object (&self->list, list))
    return;
  gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (list), list != NULL ? create_row : NULL,
                           self, NULL);
  if (list != NULL)
    {
      g_signal_connect_swapped (list, "items-changed", G_CALLBACK (update_count), self);
      g_signal_connect_swapped (list, "notify::busy", G_CALLBACK (update_count), self);
    }
  set_notice (self, NULL);
  update_count (self);
}

/* Attaches what fits of @files; the rest is refused with a message under
 * the list. Returns how many were attached. */
guint
tto_evidence_editor_add_files (TtoEvidenceEditor *self,
                               GFile *const *files,
                               guint n_files)
{
  g_autoptr (GError) error = NULL;
  guint max;
  guint added;

  g_return_val_if_fail (TTO_IS_EVIDENCE_EDITOR (self), 0);

  if (self->list == NULL || n_files == 0)
    return 0;
  max = tto_evidence_list_get_max (self->list);
  added = files != NULL ? tto_evidence_list_add_files (self->list, files, n_files, &error) : 0;
  if (added == n_files)
    {
      set_notice (self, NULL);
      return added;
    }

  if (added == 0)
    {
      g_autofree char *text = NULL;

      /* Translators: %u is the most files a join request may carry (5) */
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "A request can carry at most %u file. Remove one to "
                                           "attach another.",
                                           "A request can carry at most %u files. Remove one to "
                                           "attach another.",
                                           max),
                              max);
      set_notice (self, text);
    }
  else
    {
      g_autofree char *text = NULL;
      g_autofree char *limit = NULL;

      /* Translators: %u is the most files a join request may carry (5) */
      limit = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "a request can carry at most %u file",
                                            "a request can carry at most %u files", max),
                               max);
      /* Translators: %u is a number of files; %s is "a request can carry at most 5 files" */
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u file was not attached: %s.",
                                           "%u files were not attached: %s.", n_files - added),
                              n_files - added, limit);
      set_notice (self, text);
    }
  return added;
}

/* The message under the list (the limit), or NULL. */
const char *
tto_evidence_editor_get_notice (TtoEvidenceEditor *self)
{
  g_return_val_if_fail (TTO_IS_EVIDENCE_EDITOR (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->notice_label)))
    return NULL;
  return gtk_label_get_label (self->notice_label);
}

/* The row showing the list's item at @position (for tests), or NULL. */
GtkWidget *
tto_evidence_editor_get_row (TtoEvidenceEditor *self,
                             guint position)
{
  g_return_val_if_fail (TTO_IS_EVIDENCE_EDITOR (self), NULL);

  return GTK_WIDGET (gtk_list_box_get_row_at_index (self->list_box, (int) position));
}
