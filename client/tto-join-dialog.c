/* tto-join-dialog.c: asks for an invite code and joins its event
 *
 * The code is typed ("Enter Code") or read from an invitation's QR code
 * ("Scan QR Code": camera or picture). The dialog stays open on an error,
 * which it shows under the entry, so the user can fix the code. An event
 * under review turns the join into an application: the dialog then says
 * it waits for approval (the home page keeps showing it).
 *
 * Evidence (pictures, a short video, any file) can go with the request.
 * The relay takes uploads only from applicants, so the files go up once
 * event.join has filed the application, and application.update then names
 * them, keeping the reason. A file the relay refuses (too large, …) says
 * why in its row; the application and the files it did take stay, and
 * "Send" tries again. Opened for an existing application (the home page's
 * "Add Evidence"), the dialog adds to it the same way.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-client.h"
#include "tto-evidence-editor.h"
#include "tto-invite-uri.h"
#include "tto-scan-view.h"

#include "tto-join-dialog.h"

struct _TtoJoinDialog
{
  AdwWindow parent_instance;

  AdwEntryRow *code_row;
  AdwEntryRow *reason_row;
  AdwPreferencesGroup *code_group;
  AdwPreferencesGroup *reason_group;
  GtkLabel *request_label;
  TtoEvidenceEditor *evidence_editor;
  GtkLabel *join_label;
  GtkLabel *error_label;
  GtkStack *mode_stack;
  GtkWidget *mode_switcher;
  TtoScanView *scan_view;
  AdwStatusPage *waiting_page;
  GtkButton *join_button;
  GtkSpinner *spinner;

  TtoSession *session;
  GCancellable *cancellable;
  TtoEvidenceList *evidence;
  TtoJoinRequest *application; /* once filed, or the one added to */
  gboolean adding;             /* opened for an existing application */
  GError *upload_error;        /* of the last upload, while it is answered */
};

/* The evidence an application's files were sent as, kept on the
 * application so "Add Evidence" shows their names again (the relay keeps
 * only ids). */
#define SENT_EVIDENCE_KEY "tto-sent-evidence"

G_DEFINE_FINAL_TYPE (TtoJoinDialog, tto_join_dialog, ADW_TYPE_WINDOW)

enum
{
  JOINED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_error (TtoJoinDialog *self,
            const char *message)
{
  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->code_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->code_row), "error");
}

static void
set_busy (TtoJoinDialog *self,
          gboolean busy)
{
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->code_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->reason_row), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "join.submit", !busy);
}

static void
show_waiting (TtoJoinDialog *self)
{
  g_autofree char *description = NULL;
  g_auto (GStrv) ids = tto_evidence_list_dup_blob_ids (self->evidence);
  const char *title = tto_join_request_get_event_title (self->application);
  guint n = g_strv_length (ids);

  if (self->adding)
    /* Translators: %s is an event's title */
    description = g_strdup_printf (_("Your request to join “%s” was updated. The organiser "
                                     "sees what you added."),
                                   title);
  else
    /* Translators: %s is an event's title */
    description = g_strdup_printf (_("Your request to join “%s” was sent. The event opens "
                                     "here as soon as the organiser approves it; your events "
                                     "list shows it meanwhile."),
                                   title);
  if (n > 0)
    {
      g_autofree char *files = NULL;
      g_autofree char *both = NULL;

      /* Translators: %u is a number of files */
      files = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u file goes with it.",
                                            "%u files go with it.", n),
                               n);
      both = g_strconcat (description, " ", files, NULL);
      g_free (description);
      description = g_steal_pointer (&both);
    }
  adw_status_page_set_description (self->waiting_page, description);
  gtk_stack_set_visible_child_name (self->mode_stack, "waiting");
  gtk_widget_set_visible (self->mode_switcher, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->join_button), FALSE);
}

/* The application exists: what is left is adding to it. */
static void
show_application (TtoJoinDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->code_group), FALSE);
  gtk_widget_set_visible (self->mode_switcher, FALSE);
  gtk_stack_set_visible_child_name (self->mode_stack, "code");
  gtk_label_set_label (self->join_label, _("_Send"));
}

static void
remember_evidence (TtoJoinDialog *self)
{
  GPtrArray *sent = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->evidence)); i++)
    {
      g_autoptr (TtoEvidence) evidence = g_list_model_get_item (G_LIST_MODEL (self->evidence), i);

      if (tto_evidence_get_state (evidence) == TTO_EVIDENCE_SENT)
        g_ptr_array_add (sent, g_object_ref (evidence));
    }
  g_object_set_data_full (G_OBJECT (self->application), SENT_EVIDENCE_KEY, sent,
                          (GDestroyNotify) g_ptr_array_unref);
}

/* Says which files did not go, and that the rest did. */
static void
show_upload_failure (TtoJoinDialog *self)
{
  g_autofree char *first = NULL;
  g_autofree char *text = NULL;
  guint failed = 0;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->evidence)); i++)
    {
      g_autoptr (TtoEvidence) evidence = g_list_model_get_item (G_LIST_MODEL (self->evidence), i);

      if (tto_evidence_get_state (evidence) != TTO_EVIDENCE_FAILED)
        continue;
      if (first == NULL)
        first = tto_evidence_describe_error (evidence);
      failed++;
    }
  if (failed == 1)
    /* Translators: %s says which file failed and why */
    text = g_strdup_printf (_("%s Your request is kept with the other files. Remove this file "
                              "or try again."),
                            first);
  else if (failed > 1)
    /* Translators: %u is a number of files */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u file could not be sent; its row says why. Your "
                                         "request is kept with the other files.",
                                         "%u files could not be sent; their rows say why. Your "
                                         "request is kept with the other files.",
                                         failed),
                            failed);
  else
    text = tto_client_describe_error (self->upload_error);
  show_error (self, text);
  gtk_widget_remove_css_class (GTK_WIDGET (self->code_row), "error");
}

static void
on_application_updated (GObject *object,
                        GAsyncResult *result,
                        gpointer user_data)
{
  g_autoptr (TtoJoinDialog) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!tto_session_governance_finish (TTO_SESSION (object), result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_NOT_FOUND))
        text = g_strdup (_("This request is no longer open: it was decided, or the event has "
                           "ended."));
      else if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_TOO_LARGE))
        text = g_strdup_printf (_("The reason can have at most %d characters."),
                                TTO_PROTOCOL_MAX_REASON_CHARS);
      else
        text = tto_client_describe_error (error);
      show_error (self, text);
      return;
    }
  set_busy (self, FALSE);
  if (self->upload_error != NULL)
    {
      show_upload_failure (self);
      return;
    }
  show_waiting (self);
}

/* application.update with the reason and every file the relay holds,
 * unless that is what the application says already. */
static void
update_application (TtoJoinDialog *self)
{
  g_auto (GStrv) ids = tto_evidence_list_dup_blob_ids (self->evidence);
  g_autofree char *reason = NULL;
  gboolean changed;

  reason = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->reason_row))));
  remember_evidence (self);
  changed = !g_strv_equal ((const char *const *) ids,
                           tto_join_request_get_evidence (self->application)) ||
            g_strcmp0 (reason, tto_join_request_get_reason (self->application)) != 0 ||
            g_strcmp0 (tto_join_request_get_status (self->application),
                       TTO_JOIN_REQUEST_MORE_INFO) == 0;
  if (!changed)
    {
      set_busy (self, FALSE);
      if (self->upload_error != NULL)
        show_upload_failure (self);
      else
        show_waiting (self);
      return;
    }
  tto_session_update_application_with_evidence_async (self->session, self->application, reason,
                                                      (const char *const *) ids,
                                                      self->cancellable, on_application_updated,
                                                      g_object_ref (self));
}

static void
on_evidence_uploaded (GObject *object,
                      GAsyncResult *result,
                      gpointer user_data)
{
  g_autoptr (TtoJoinDialog) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!tto_evidence_list_upload_finish (TTO_EVIDENCE_LIST (object), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_error (&self->upload_error);
  self->upload_error = g_steal_pointer (&error);
  update_application (self);
}

/* Uploads the files not sent yet, then updates the application. */
static void
send_evidence (TtoJoinDialog *self)
{
  TtoBlobTransfer *transfer;

  g_assert (self->application != NULL);

  show_error (self, NULL);
  set_busy (self, TRUE);
  g_clear_error (&self->upload_error);
  if (tto_evidence_list_count_unsent (self->evidence) == 0)
    {
      update_application (self);
      return;
    }
  transfer = tto_connection_get_blob_transfer (tto_session_get_connection (self->session));
  tto_evidence_list_upload_async (self->evidence, transfer,
                                  tto_join_request_get_event_id (self->application),
                                  self->cancellable, on_evidence_uploaded, g_object_ref (self));
}

static void
on_code_changed (TtoJoinDialog *self)
{
  show_error (self, NULL);
}

static void
on_join_ready (GObject *object,
               GAsyncResult *result,
               gpointer user_data)
{
  g_autoptr (TtoJoinDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoEvent) event = NULL;
  g_autoptr (TtoJoinRequest) request = NULL;

  event = tto_session_join_with_reason_finish (TTO_SESSION (object), result, &request, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);
  if (request != NULL)
    {
      g_set_object (&self->application, request);
      if (g_list_model_get_n_items (G_LIST_MODEL (self->evidence)) == 0)
        {
          show_waiting (self);
          return;
        }
      /* The files can go up now that the application exists. */
      show_application (self);
      send_evidence (self);
      return;
    }
  if (event == NULL)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME))
        text = g_strdup (_("An invite code has 8 letters and digits, like ABCD-EFGH."));
      else if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_EXPIRED))
        text = g_strdup (_("This invite code has expired. Ask the organiser for a new one."));
      else if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_FORBIDDEN))
        text = g_strdup (_("This event does not take new members, or you do not meet its "
                           "rules for joining."));
      else
        text = tto_client_describe_error (error);
      gtk_stack_set_visible_child_name (self->mode_stack, "code");
      show_error (self, text);
      gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
      return;
    }

  g_signal_emit (self, signals[JOINED], 0, event);
  gtk_window_close (GTK_WINDOW (self));
}

static void
submit_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  TtoJoinDialog *self = TTO_JOIN_DIALOG (widget);
  g_autofree char *code = NULL;
  g_autofree char *reason = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->code_row));

  reason = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->reason_row))));
  if (g_utf8_strlen (reason, -1) > TTO_PROTOCOL_MAX_REASON_CHARS)
    {
      g_autofree char *message = g_strdup_printf (_("The reason can have at most %d characters."),
                                                  TTO_PROTOCOL_MAX_REASON_CHARS);

      show_error (self, message);
      gtk_widget_remove_css_class (GTK_WIDGET (self->code_row), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->reason_row));
      return;
    }
  if (self->application != NULL)
    {
      send_evidence (self);
      return;
    }

  code = tto_invite_code_normalize (text);
  if (code == NULL)
    {
      /* Malformed codes never reach the relay. */
      show_error (self, *text == '\0'
                          ? _("Enter the invite code.")
                          : _("An invite code has 8 letters and digits, like ABCD-EFGH."));
      gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
      return;
    }

  show_error (self, NULL);
  set_busy (self, TRUE);
  tto_session_join_with_reason_async (self->session, code, reason, self->cancellable,
                                      on_join_ready, g_object_ref (self));
}

static void
on_mode_changed (TtoJoinDialog *self)
{
  const char *mode = gtk_stack_get_visible_child_name (self->mode_stack);

  if (g_strcmp0 (mode, "scan") == 0)
    tto_scan_view_start (self->scan_view);
  else
    tto_scan_view_stop (self->scan_view);
  gtk_widget_set_visible (GTK_WIDGET (self->join_button), g_strcmp0 (mode, "waiting") != 0);
}

static void
on_scan_decoded (TtoJoinDialog *self,
                 const char *text)
{
  tto_join_dialog_open_invite (self, text);
}

static void
tto_join_dialog_dispose (GObject *object)
{
  TtoJoinDialog *self = (TtoJoinDialog *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->evidence);
  g_clear_object (&self->application);
  g_clear_error (&self->upload_error);
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_JOIN_DIALOG);

  G_OBJECT_CLASS (tto_join_dialog_parent_class)->dispose (object);
}

static void
tto_join_dialog_class_init (TtoJoinDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_join_dialog_dispose;

  /* The joined event */
  signals[JOINED] = g_signal_new ("joined", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 1, TTO_TYPE_EVENT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-join-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, code_row);
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, reason_row);
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, code_group);
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, reason_group);
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, request_label);
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, evidence_editor);
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, join_label);
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, mode_stack);
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, mode_switcher);
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, scan_view);
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, waiting_page);
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, join_button);
  gtk_widget_class_bind_template_child (widget_class, TtoJoinDialog, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_code_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_mode_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_scan_decoded);

  gtk_widget_class_install_action (widget_class, "join.submit", NULL, submit_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tto_join_dialog_init (TtoJoinDialog *self)
{
  g_type_ensure (TTO_TYPE_SCAN_VIEW);
  g_type_ensure (TTO_TYPE_EVIDENCE_EDITOR);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->evidence = tto_evidence_list_new ();
  tto_evidence_editor_set_list (self->evidence_editor, self->evidence);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->join_button));
}

TtoJoinDialog *
tto_join_dialog_new (GtkWindow *parent,
                     TtoSession *session)
{
  TtoJoinDialog *self;

  g_return_val_if_fail (TTO_IS_SESSION (session), NULL);

  self = g_object_new (TTO_TYPE_JOIN_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  return self;
}

/* Adds to @application (this identity's, waiting for a decision): a new
 * reason, more files, or fewer. */
TtoJoinDialog *
tto_join_dialog_new_for_application (GtkWindow *parent,
                                     TtoSession *session,
                                     TtoJoinRequest *application)
{
  TtoJoinDialog *self;
  GPtrArray *sent;
  const char *const *ids;
  const char *message;
  g_autofree char *text = NULL;

  g_return_val_if_fail (TTO_IS_SESSION (session), NULL);
  g_return_val_if_fail (TTO_IS_JOIN_REQUEST (application), NULL);

  self = tto_join_dialog_new (parent, session);
  self->application = g_object_ref (application);
  self->adding = TRUE;
  gtk_window_set_title (GTK_WINDOW (self), _("Add to Your Request"));
  show_application (self);

  message = tto_join_request_get_message (application);
  if (g_strcmp0 (tto_join_request_get_status (application), TTO_JOIN_REQUEST_MORE_INFO) == 0 &&
      message != NULL && *message != '\0')
    /* Translators: %s is what the organiser asked for */
    text = g_strdup_printf (_("The organiser asks: %s"), message);
  else
    /* Translators: %s is an event's title */
    text = g_strdup_printf (_("Your request to join “%s” waits for the organiser. You can say "
                              "more or add files."),
                            tto_join_request_get_event_title (application));
  gtk_label_set_label (self->request_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->request_label), TRUE);
  adw_preferences_group_set_description (self->reason_group,
                                         _("Answer the organiser, or say more about who you "
                                           "are."));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->reason_row), _("Reason"));
  gtk_editable_set_text (GTK_EDITABLE (self->reason_row),
                         tto_join_request_get_reason (application));

  /* What was sent before, by name where this session still knows it. */
  sent = g_object_get_data (G_OBJECT (application), SENT_EVIDENCE_KEY);
  ids = tto_join_request_get_evidence (application);
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    {
      g_autoptr (TtoEvidence) evidence = NULL;

      for (guint j = 0; sent != NULL && j < sent->len && evidence == NULL; j++)
        if (g_strcmp0 (tto_evidence_get_blob_id (g_ptr_array_index (sent, j)), ids[i]) == 0)
          evidence = g_object_ref (g_ptr_array_index (sent, j));
      if (evidence == NULL)
        evidence = tto_evidence_new_sent (ids[i]);
      tto_evidence_list_add (self->evidence, evidence);
    }
  return self;
}

void
tto_join_dialog_set_code (TtoJoinDialog *self,
                          const char *code)
{
  g_return_if_fail (TTO_IS_JOIN_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->code_row), code != NULL ? code : "");
}

const char *
tto_join_dialog_get_error (TtoJoinDialog *self)
{
  g_return_val_if_fail (TTO_IS_JOIN_DIALOG (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_label (self->error_label);
}

/* Takes the text of a scanned QR code or an opened tto:// link: an
 * invitation to this relay joins at once; anything else says why not.
 * Returns whether the join was started. */
gboolean
tto_join_dialog_open_invite (TtoJoinDialog *self,
                             const char *uri)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoInvite) invite = NULL;
  const char *relay;

  g_return_val_if_fail (TTO_IS_JOIN_DIALOG (self), FALSE);
  g_return_val_if_fail (uri != NULL, FALSE);

  invite = tto_invite_uri_parse (uri, &error);
  if (invite == NULL)
    {
      if (g_error_matches (error, TTO_INVITE_URI_ERROR, TTO_INVITE_URI_ERROR_NOT_TTO))
        tto_scan_view_set_status (self->scan_view,
                                  _("This QR code is not a ThreeTwoOne invitation."), TRUE);
      else
        tto_scan_view_set_status (self->scan_view,
                                  _("This ThreeTwoOne link is damaged or incomplete."), TRUE);
      return FALSE;
    }

  relay = tto_connection_get_url (tto_session_get_connection (self->session));
  if (invite->relay_url != NULL && !tto_invite_uri_same_relay (invite->relay_url, relay))
    {
      g_autofree char *text = NULL;

      /* Translators: %s is a relay address like wss://relay.example.org/v1/ws */
      text = g_strdup_printf (_("This invitation is for another relay (%s). Sign out and sign "
                                "in to that relay to join it."),
                              invite->relay_url);
      tto_scan_view_set_status (self->scan_view, text, TRUE);
      gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
      show_error (self, text);
      return FALSE;
    }

  tto_scan_view_set_status (self->scan_view, _("Invitation found; joining…"), FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), invite->code);
  gtk_widget_activate_action (GTK_WIDGET (self), "join.submit", NULL);
  return TRUE;
}

/* "code", "scan" or "waiting" */
void
tto_join_dialog_set_mode (TtoJoinDialog *self,
                          const char *mode)
{
  g_return_if_fail (TTO_IS_JOIN_DIALOG (self));

  gtk_stack_set_visible_child_name (self->mode_stack, mode);
}

const char *
tto_join_dialog_get_mode (TtoJoinDialog *self)
{
  g_return_val_if_fail (TTO_IS_JOIN_DIALOG (self), NULL);

  return gtk_stack_get_visible_child_name (self->mode_stack);
}

void
tto_join_dialog_set_reason (TtoJoinDialog *self,
                            const char *reason)
{
  g_return_if_fail (TTO_IS_JOIN_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->reason_row), reason != NULL ? reason : "");
}

TtoScanView *
tto_join_dialog_get_scan_view (TtoJoinDialog *self)
{
  g_return_val_if_fail (TTO_IS_JOIN_DIALOG (self), NULL);

  return self->scan_view;
}

TtoEvidenceEditor *
tto_join_dialog_get_evidence_editor (TtoJoinDialog *self)
{
  g_return_val_if_fail (TTO_IS_JOIN_DIALOG (self), NULL);

  return self->evidence_editor;
}

/* The application once filed (or the one added to), else NULL. */
TtoJoinRequest *
tto_join_dialog_get_application (TtoJoinDialog *self)
{
  g_return_val_if_fail (TTO_IS_JOIN_DIALOG (self), NULL);

  return self->application;
}

/* Whether files are going up or the relay's answer is awaited. */
gboolean
tto_join_dialog_get_busy (TtoJoinDialog *self)
{
  g_return_val_if_fail (TTO_IS_JOIN_DIALOG (self), FALSE);

  return gtk_widget_get_visible (GTK_WIDGET (self->spinner));
}
