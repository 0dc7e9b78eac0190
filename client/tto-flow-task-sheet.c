/* tto-flow-task-sheet.c: completing one task in its required form
 *
 * The sheet matches the task's form: a text form shows the fields the
 * editor defined (text entry, number spin button, choice drop-down, date
 * entry with a calendar) and submits only when every field is valid; a
 * file, voice or video task uploads what the member chose or recorded with
 * the same blob transfer the chat's attachments use, then sends
 * task.complete with the blob id; video call and meeting tasks explain how
 * they complete, since the relay completes them. A refusal shows our own
 * sentence for its reason (wrong_form, …) or else the relay's message
 * (bad_frame naming a field, …) in a toast, and keeps what was entered.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-client.h"
#include "tto-media.h"
#include "tto-flow-task-sheet.h"

struct _TtoFlowTaskSheet
{
  AdwWindow parent_instance;

  TtoSession *session;
  TtoEvent *event;
  TtoFlowTask *task;
  GCancellable *cancellable;

  AdwToastOverlay *toast_overlay;
  GtkButton *submit_button;
  GtkBox *content;
  GtkProgressBar *progress;
  GtkLabel *file_label;
  GtkButton *record_button;

  GPtrArray *fields; /* input widgets, in field order */
  GFile *file;       /* chosen file (file / voice / video tasks) */
  GBytes *recording; /* or a recording */
  TtoVoiceRecorder *voice;
  TtoVideoRecorder *video;
  GtkFileChooserNative *chooser;

  gboolean busy;
  gboolean completed;
  char *error;
};

G_DEFINE_FINAL_TYPE (TtoFlowTaskSheet, tto_flow_task_sheet, ADW_TYPE_WINDOW)

static const char *
form (TtoFlowTaskSheet *self)
{
  return tto_flow_task_get_form (self->task);
}

static gboolean
is_blob_form (TtoFlowTaskSheet *self)
{
  return g_strcmp0 (form (self), TTO_TASK_FORM_FILE) == 0 ||
         g_strcmp0 (form (self), TTO_TASK_FORM_VOICE_MESSAGE) == 0 ||
         g_strcmp0 (form (self), TTO_TASK_FORM_VIDEO_MESSAGE) == 0;
}

static JsonObject *
field_at (TtoFlowTaskSheet *self,
          guint index)
{
  JsonArray *fields = tto_flow_task_get_fields (self->task);
  JsonNode *node = fields != NULL && index < json_array_get_length (fields)
                     ? json_array_get_element (fields, index)
                     : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* "YYYY-MM-DD" naming a real day */
static gboolean
parse_date (const char *text,
            GDate *date)
{
  int y, m, d;
  char end;

  if (text == NULL || strlen (text) != 10 || sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3)
    return FALSE;
  if (!g_date_valid_dmy (d, m, y))
    return FALSE;
  g_date_set_dmy (date, d, m, y);
  return TRUE;
}

static gboolean
field_valid (TtoFlowTaskSheet *self,
             guint index)
{
  JsonObject *field = field_at (self, index);
  GtkWidget *widget = g_ptr_array_index (self->fields, index);
  const char *type = json_object_get_string_member_with_default (field, "type", "text");

  if (g_str_equal (type, TTO_FIELD_DATE))
    {
      GDate date;

      return parse_date (gtk_editable_get_text (GTK_EDITABLE (widget)), &date);
    }
  if (g_str_equal (type, TTO_FIELD_CHOICE))
    return gtk_drop_down_get_selected (GTK_DROP_DOWN (widget)) != GTK_INVALID_LIST_POSITION;
  if (g_str_equal (type, TTO_FIELD_NUMBER))
    return TRUE; /* a spin button holds a number */
  {
    const char *text = gtk_editable_get_text (GTK_EDITABLE (widget));
    g_autofree char *stripped = g_strstrip (g_strdup (text));

    return *stripped != '\0' && g_utf8_strlen (text, -1) <= 2000;
  }
}

gboolean
tto_flow_task_sheet_get_valid (TtoFlowTaskSheet *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_TASK_SHEET (self), FALSE);

  if (g_strcmp0 (form (self), TTO_TASK_FORM_TEXT_FORM) == 0)
    {
      if (self->fields->len == 0)
        return FALSE;
      for (guint i = 0; i < self->fields->len; i++)
        if (!field_valid (self, i))
          return FALSE;
      return TRUE;
    }
  if (is_blob_form (self))
    return self->file != NULL || self->recording != NULL;
  return FALSE;
}

/* Whether this task is completed from the sheet at all. */
gboolean
tto_flow_task_sheet_can_submit (TtoFlowTaskSheet *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_TASK_SHEET (self), FALSE);

  return g_strcmp0 (form (self), TTO_TASK_FORM_TEXT_FORM) == 0 || is_blob_form (self);
}

static void
update_submit (TtoFlowTaskSheet *self)
{
  gboolean recording = (self->voice != NULL &&
                        tto_voice_recorder_get_state (self->voice) == TTO_RECORDER_STATE_RECORDING) ||
                       (self->video != NULL &&
                        tto_video_recorder_get_state (self->video) == TTO_RECORDER_STATE_RECORDING);

  gtk_widget_set_sensitive (GTK_WIDGET (self->submit_button),
                            !self->busy && !recording && tto_flow_task_sheet_get_valid (self));
  for (guint i = 0; i < self->fields->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (self->fields, i);
      gboolean empty = GTK_IS_EDITABLE (widget) &&
                       *gtk_editable_get_text (GTK_EDITABLE (widget)) == '\0';

      /* Mark what is wrong, not what is still empty. */
      if (!empty && !field_valid (self, i))
        gtk_widget_add_css_class (widget, "error");
      else
        gtk_widget_remove_css_class (widget, "error");
    }
}

static void
show_error (TtoFlowTaskSheet *self,
            const char *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static void
set_busy (TtoFlowTaskSheet *self,
          gboolean busy)
{
  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->progress), busy && is_blob_form (self));
  gtk_widget_set_sensitive (GTK_WIDGET (self->content), !busy);
  update_submit (self);
}

static void
on_complete_answer (GObject *object,
                    GAsyncResult *result,
                    gpointer user_data)
{
  g_autoptr (TtoFlowTaskSheet) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;

  body = tto_session_flow_request_finish (TTO_SESSION (object), result, &error);
  set_busy (self, FALSE);
  if (body == NULL)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Our own words for refusals with a known reason (wrong_form says
       * which form the task needs); else the relay's message. */
      text = tto_client_describe_refusal (error);
      if (text == NULL)
        text = error->domain == TTO_PROTOCOL_ERROR ? g_strdup (error->message)
                                                   : tto_client_describe_error (error);
      show_error (self, text);
      return;
    }
  self->completed = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

static void
send_complete (TtoFlowTaskSheet *self,
               JsonObject *body)
{
  json_object_set_string_member (body, "task_id", tto_flow_task_get_id (self->task));
  json_object_set_string_member (body, "form", form (self));
  tto_session_flow_request_async (self->session, self->event, TTO_FRAME_TASK_COMPLETE, body,
                                  self->cancellable, on_complete_answer, g_object_ref (self));
}

static void
on_upload_progress (goffset done,
                    goffset total,
                    gpointer user_data)
{
  TtoFlowTaskSheet *self = user_data;

  if (total > 0)
    gtk_progress_bar_set_fraction (self->progress, (double) done / total);
}

static void
on_uploaded (GObject *object,
             GAsyncResult *result,
             gpointer user_data)
{
  g_autoptr (TtoFlowTaskSheet) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoBlobInfo) info = NULL;
  JsonObject *body;

  info = tto_blob_transfer_upload_finish (TTO_BLOB_TRANSFER (object), result, &error);
  if (info == NULL)
    {
      g_autofree char *text = NULL;

      set_busy (self, FALSE);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = tto_client_describe_error (error);
      show_error (self, text);
      return;
    }
  body = json_object_new ();
  json_object_set_string_member (body, "blob_id", info->blob_id);
  send_complete (self, body);
}

/* Sends the answers (text form) or uploads and sends the blob. */
void
tto_flow_task_sheet_submit (TtoFlowTaskSheet *self)
{
  g_return_if_fail (TTO_IS_FLOW_TASK_SHEET (self));

  if (self->busy || !tto_flow_task_sheet_get_valid (self))
    return;
  set_busy (self, TRUE);

  if (g_strcmp0 (form (self), TTO_TASK_FORM_TEXT_FORM) == 0)
    {
      JsonObject *body = json_object_new ();
      JsonObject *answers = json_object_new ();

      for (guint i = 0; i < self->fields->len; i++)
        {
          JsonObject *field = field_at (self, i);
          const char *name = json_object_get_string_member_with_default (field, "name", "");
          const char *type = json_object_get_string_member_with_default (field, "type", "text");
          GtkWidget *widget = g_ptr_array_index (self->fields, i);

          if (g_str_equal (type, TTO_FIELD_NUMBER))
            {
              double value = gtk_spin_button_get_value (GTK_SPIN_BUTTON (widget));

              if (value == (double) (gint64) value)
                json_object_set_int_member (answers, name, (gint64) value);
              else
                json_object_set_double_member (answers, name, value);
            }
          else if (g_str_equal (type, TTO_FIELD_CHOICE))
            {
              GtkStringObject *item = gtk_drop_down_get_selected_item (GTK_DROP_DOWN (widget));

              json_object_set_string_member (answers, name, gtk_string_object_get_string (item));
            }
          else
            {
              g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (
                GTK_EDITABLE (widget))));

              json_object_set_string_member (answers, name, text);
            }
        }
      json_object_set_object_member (body, "answers", answers);
      send_complete (self, body);
      return;
    }

  {
    TtoBlobTransfer *transfer =
      tto_connection_get_blob_transfer (tto_session_get_connection (self->session));

    gtk_progress_bar_set_fraction (self->progress, 0);
    if (self->recording != NULL)
      tto_blob_transfer_upload_bytes_async (transfer, tto_event_get_id (self->event),
                                            self->recording, on_upload_progress, self, NULL,
                                            self->cancellable, on_uploaded, g_object_ref (self));
    else
      tto_blob_transfer_upload_file_async (transfer, tto_event_get_id (self->event), self->file,
                                           on_upload_progress, self, NULL, self->cancellable,
                                           on_uploaded, g_object_ref (self));
  }
}

/* Files and recordings */

static void
show_chosen (TtoFlowTaskSheet *self)
{
  if (self->file_label == NULL)
    return;
  if (self->file != NULL)
    {
      g_autofree char *name = g_file_get_basename (self->file);

      gtk_label_set_label (self->file_label, name);
    }
  else if (self->recording != NULL)
    {
      g_autofree char *text = NULL;
      guint ms = self->voice != NULL ? tto_voice_recorder_get_duration_ms (self->voice)
               : self->video != NULL ? tto_video_recorder_get_duration_ms (self->video)
                                     : 0;

      /* Translators: %u is a number of seconds */
      text = g_strdup_printf (_("Recording of %u s, ready to send"), (ms + 500) / 1000);
      gtk_label_set_label (self->file_label, text);
    }
  else
    gtk_label_set_label (self->file_label, _("Nothing chosen yet"));
}

/* What to send for a file, voice or video task (tests; the chooser). */
void
tto_flow_task_sheet_set_file (TtoFlowTaskSheet *self,
                              GFile *file)
{
  g_return_if_fail (TTO_IS_FLOW_TASK_SHEET (self));

  g_set_object (&self->file, file);
  g_clear_pointer (&self->recording, g_bytes_unref);
  show_chosen (self);
  update_submit (self);
}

static void
on_chooser_response (GtkNativeDialog *dialog,
                     int response,
                     TtoFlowTaskSheet *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      tto_flow_task_sheet_set_file (self, file);
    }
  g_clear_object (&self->chooser);
}

static void
on_choose_clicked (TtoFlowTaskSheet *self)
{
  self->chooser = gtk_file_chooser_native_new (_("Choose a File"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"),
                                               _("_Cancel"));
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
update_record_button (TtoFlowTaskSheet *self)
{
  gboolean recording = (self->voice != NULL &&
                        tto_voice_recorder_get_state (self->voice) == TTO_RECORDER_STATE_RECORDING) ||
                       (self->video != NULL &&
                        tto_video_recorder_get_state (self->video) == TTO_RECORDER_STATE_RECORDING);

  gtk_button_set_label (self->record_button, recording ? _("_Stop") : _("_Record"));
  if (recording)
    {
      g_autofree char *text = NULL;
      guint ms = self->voice != NULL ? tto_voice_recorder_get_duration_ms (self->voice)
                                     : tto_video_recorder_get_duration_ms (self->video);

      text = g_strdup_printf (_("Recording… %u s"), ms / 1000);
      gtk_label_set_label (self->file_label, text);
    }
  update_submit (self);
}

static void
on_recording_stopped (GObject *object,
                      GAsyncResult *result,
                      gpointer user_data)
{
  g_autoptr (TtoFlowTaskSheet) self = user_data;
  g_autoptr (GError) error = NULL;
  GBytes *bytes;

  if (TTO_IS_VOICE_RECORDER (object))
    bytes = tto_voice_recorder_stop_finish (TTO_VOICE_RECORDER (object), result, &error);
  else
    bytes = tto_video_recorder_stop_finish (TTO_VIDEO_RECORDER (object), result, &error);
  if (bytes == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *text = tto_client_describe_error (error);

          show_error (self, text);
        }
      update_record_button (self);
      return;
    }
  g_clear_object (&self->file);
  g_clear_pointer (&self->recording, g_bytes_unref);
  self->recording = bytes;
  show_chosen (self);
  update_record_button (self);
}

static void
on_recording_started (GObject *object,
                      GAsyncResult *result,
                      gpointer user_data)
{
  g_autoptr (TtoFlowTaskSheet) self = user_data;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  if (TTO_IS_VOICE_RECORDER (object))
    ok = tto_voice_recorder_start_finish (TTO_VOICE_RECORDER (object), result, &error);
  else
    ok = tto_video_recorder_start_finish (TTO_VIDEO_RECORDER (object), result, &error);
  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = tto_client_describe_error (error);

      show_error (self, text);
    }
  update_record_button (self);
}

static void
on_record_clicked (TtoFlowTaskSheet *self)
{
  const char *audio_source = g_getenv ("TTO_TEST_AUDIO_SOURCE");
  const char *video_source = g_getenv ("TTO_TEST_VIDEO_SOURCE");
  gboolean voice = g_strcmp0 (form (self), TTO_TASK_FORM_VOICE_MESSAGE) == 0;

  if (voice && self->voice != NULL &&
      tto_voice_recorder_get_state (self->voice) == TTO_RECORDER_STATE_RECORDING)
    {
      tto_voice_recorder_stop_async (self->voice, self->cancellable, on_recording_stopped,
                                     g_object_ref (self));
      return;
    }
  if (!voice && self->video != NULL &&
      tto_video_recorder_get_state (self->video) == TTO_RECORDER_STATE_RECORDING)
    {
      tto_video_recorder_stop_async (self->video, self->cancellable, on_recording_stopped,
                                     g_object_ref (self));
      return;
    }

  if (voice)
    {
      if (self->voice != NULL)
        g_signal_handlers_disconnect_by_data (self->voice, self);
      g_clear_object (&self->voice);
      self->voice = tto_voice_recorder_new ();
      if (audio_source != NULL && *audio_source != '\0')
        tto_voice_recorder_set_source (self->voice, audio_source);
      g_signal_connect_swapped (self->voice, "notify::duration-ms",
                                G_CALLBACK (update_record_button), self);
      tto_voice_recorder_start_async (self->voice, self->cancellable, on_recording_started,
                                      g_object_ref (self));
    }
  else
    {
      if (self->video != NULL)
        g_signal_handlers_disconnect_by_data (self->video, self);
      g_clear_object (&self->video);
      self->video = tto_video_recorder_new ();
      if (video_source != NULL && *video_source != '\0')
        tto_video_recorder_set_source (self->video, video_source);
      if (audio_source != NULL && *audio_source != '\0')
        tto_video_recorder_set_audio_source (self->video, audio_source);
      g_signal_connect_swapped (self->video, "notify::duration-ms",
                                G_CALLBACK (update_record_button), self);
      tto_video_recorder_start_async (self->video, self->cancellable, on_recording_started,
                                      g_object_ref (self));
    }
}

/* Building the sheet */

static GtkWidget *
new_label (const char *text,
           const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static void
on_calendar_day_selected (GtkCalendar *calendar,
                          GtkEditable *entry)
{
  g_autoptr (GDateTime) date = gtk_calendar_get_date (calendar);
  g_autofree char *text = g_date_time_format (date, "%Y-%m-%d");
  GtkWidget *popover = gtk_widget_get_ancestor (GTK_WIDGET (calendar), GTK_TYPE_POPOVER);

  gtk_editable_set_text (entry, text);
  if (popover != NULL)
    gtk_popover_popdown (GTK_POPOVER (popover));
}

static GtkWidget *
build_field (TtoFlowTaskSheet *self,
             JsonObject *field,
             GtkWidget **out_input)
{
  const char *name = json_object_get_string_member_with_default (field, "name", "");
  const char *type = json_object_get_string_member_with_default (field, "type", "text");
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = new_label (name, "heading");
  GtkWidget *input;

  gtk_box_append (GTK_BOX (box), label);
  if (g_str_equal (type, TTO_FIELD_NUMBER))
    {
      input = gtk_spin_button_new_with_range (-1e12, 1e12, 1);
      gtk_spin_button_set_digits (GTK_SPIN_BUTTON (input), 2);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (input), 0);
      gtk_box_append (GTK_BOX (box), input);
    }
  else if (g_str_equal (type, TTO_FIELD_CHOICE))
    {
      g_autoptr (GtkStringList) choices = gtk_string_list_new (NULL);
      JsonNode *node = json_object_get_member (field, "choices");

      if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
        for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
          {
            JsonNode *choice = json_array_get_element (json_node_get_array (node), i);

            if (json_node_get_value_type (choice) == G_TYPE_STRING)
              gtk_string_list_append (choices, json_node_get_string (choice));
          }
      input = gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&choices)), NULL);
      gtk_box_append (GTK_BOX (box), input);
    }
  else if (g_str_equal (type, TTO_FIELD_DATE))
    {
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *button = gtk_menu_button_new ();
      GtkWidget *popover = gtk_popover_new ();
      GtkWidget *calendar = gtk_calendar_new ();

      input = gtk_entry_new ();
      gtk_widget_set_hexpand (input, TRUE);
      /* Translators: the format a date field expects; keep the letters */
      gtk_entry_set_placeholder_text (GTK_ENTRY (input), _("YYYY-MM-DD"));
      gtk_entry_set_input_purpose (GTK_ENTRY (input), GTK_INPUT_PURPOSE_DIGITS);
      gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "x-office-calendar-symbolic");
      gtk_widget_set_tooltip_text (button, _("Pick a Date"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Pick a date"), -1);
      gtk_popover_set_child (GTK_POPOVER (popover), calendar);
      gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);
      g_signal_connect (calendar, "day-selected", G_CALLBACK (on_calendar_day_selected), input);
      gtk_box_append (GTK_BOX (row), input);
      gtk_box_append (GTK_BOX (row), button);
      gtk_box_append (GTK_BOX (box), row);
    }
  else
    {
      input = gtk_entry_new ();
      gtk_entry_set_max_length (GTK_ENTRY (input), 2000);
      gtk_box_append (GTK_BOX (box), input);
    }

  gtk_accessible_update_relation (GTK_ACCESSIBLE (input), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  label, NULL, -1);
  if (GTK_IS_EDITABLE (input) && !GTK_IS_SPIN_BUTTON (input))
    g_signal_connect_swapped (input, "changed", G_CALLBACK (update_submit), self);
  else if (GTK_IS_DROP_DOWN (input))
    g_signal_connect_swapped (input, "notify::selected", G_CALLBACK (update_submit), self);
  *out_input = input;
  return box;
}

static char *
describe_automatic (TtoFlowTaskSheet *self)
{
  if (g_strcmp0 (form (self), TTO_TASK_FORM_VIDEO_CALL) == 0)
    {
      const char *const *ids = tto_flow_task_get_call_participants (self->task);
      g_autoptr (GString) names = g_string_new (NULL);
      guint minutes = (guint) ((tto_flow_task_get_call_min_seconds (self->task) + 59) / 60);

      for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
        {
          TtoMember *member = tto_session_lookup_member (self->session, self->event, ids[i]);

          if (names->len > 0)
            g_string_append (names, ", ");
          g_string_append (names, member != NULL ? tto_member_get_display_name (member)
                                                 : _("a former member"));
        }
      /* Translators: %s is a list of names, %u minutes */
      return g_strdup_printf (_("Completed automatically when a video call in this event has had %s in it together for at least %u minutes."),
                              names->str, minutes);
    }
  if (g_strcmp0 (form (self), TTO_TASK_FORM_OFFLINE_MEETING) == 0)
    {
      TtoFlow *flow = tto_session_get_flow (self->session, tto_event_get_id (self->event));
      TtoFlowMeeting *meeting = tto_flow_find_meeting (flow,
                                                       tto_flow_task_get_meeting_id (self->task));

      if (meeting != NULL)
        {
          g_autofree char *when = tto_client_format_time (
            tto_flow_meeting_get_starts_at (meeting) * 1000);

          /* Translators: meeting title, time, place */
          return g_strdup_printf (_("Completed when an organiser confirms you attended “%s” (%s, %s)."),
                                  tto_flow_meeting_get_title (meeting), when,
                                  tto_flow_meeting_get_place (meeting));
        }
      return g_strdup (_("Completed when an organiser confirms you attended the meeting."));
    }
  return NULL;
}

static void
build (TtoFlowTaskSheet *self)
{
  g_autofree char *automatic = describe_automatic (self);
  const char *hint = NULL;

  gtk_box_append (self->content, new_label (tto_flow_task_get_title (self->task), "title-2"));
  if (g_strcmp0 (form (self), TTO_TASK_FORM_TEXT_FORM) == 0)
    hint = _("Fill in every field, then submit.");
  else if (g_strcmp0 (form (self), TTO_TASK_FORM_FILE) == 0)
    hint = _("Complete this task by sending a file.");
  else if (g_strcmp0 (form (self), TTO_TASK_FORM_VOICE_MESSAGE) == 0)
    hint = _("Complete this task with a voice message: record one, or choose an audio file.");
  else if (g_strcmp0 (form (self), TTO_TASK_FORM_VIDEO_MESSAGE) == 0)
    hint = _("Complete this task with a video message: record one, or choose a video file.");
  gtk_box_append (self->content, new_label (automatic != NULL ? automatic : hint, "dim-label"));

  if (g_strcmp0 (form (self), TTO_TASK_FORM_TEXT_FORM) == 0)
    {
      JsonArray *fields = tto_flow_task_get_fields (self->task);

      for (guint i = 0; fields != NULL && i < json_array_get_length (fields); i++)
        {
          JsonNode *node = json_array_get_element (fields, i);
          GtkWidget *input = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (node))
            continue;
          gtk_box_append (self->content, build_field (self, json_node_get_object (node), &input));
          g_ptr_array_add (self->fields, input);
        }
    }
  else if (is_blob_form (self))
    {
      GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
      GtkWidget *choose = gtk_button_new_with_mnemonic (_("_Choose a File…"));

      if (g_strcmp0 (form (self), TTO_TASK_FORM_FILE) != 0)
        {
          self->record_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Record")));
          gtk_widget_add_css_class (GTK_WIDGET (self->record_button), "pill");
          g_signal_connect_swapped (self->record_button, "clicked",
                                    G_CALLBACK (on_record_clicked), self);
          gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->record_button));
        }
      gtk_widget_add_css_class (choose, "pill");
      g_signal_connect_swapped (choose, "clicked", G_CALLBACK (on_choose_clicked), self);
      gtk_box_append (GTK_BOX (buttons), choose);
      gtk_box_append (self->content, buttons);
      self->file_label = GTK_LABEL (new_label (NULL, NULL));
      gtk_box_append (self->content, GTK_WIDGET (self->file_label));
      show_chosen (self);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->submit_button), tto_flow_task_sheet_can_submit (self));
  update_submit (self);
}

/* GObject */

static void
tto_flow_task_sheet_close_request_cleanup (TtoFlowTaskSheet *self)
{
  g_cancellable_cancel (self->cancellable);
  if (self->voice != NULL)
    tto_voice_recorder_cancel (self->voice);
  if (self->video != NULL)
    tto_video_recorder_cancel (self->video);
}

static gboolean
tto_flow_task_sheet_close_request (GtkWindow *window)
{
  tto_flow_task_sheet_close_request_cleanup (TTO_FLOW_TASK_SHEET (window));
  return GTK_WINDOW_CLASS (tto_flow_task_sheet_parent_class)->close_request (window);
}

static void
tto_flow_task_sheet_dispose (GObject *object)
{
  TtoFlowTaskSheet *self = TTO_FLOW_TASK_SHEET (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->voice != NULL)
    g_signal_handlers_disconnect_by_data (self->voice, self);
  if (self->video != NULL)
    g_signal_handlers_disconnect_by_data (self->video, self);
  g_clear_object (&self->voice);
  g_clear_object (&self->video);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->event);
  g_clear_object (&self->task);
  g_clear_object (&self->file);
  g_clear_pointer (&self->recording, g_bytes_unref);
  g_clear_pointer (&self->fields, g_ptr_array_unref);

  G_OBJECT_CLASS (tto_flow_task_sheet_parent_class)->dispose (object);
}

static void
tto_flow_task_sheet_finalize (GObject *object)
{
  TtoFlowTaskSheet *self = TTO_FLOW_TASK_SHEET (object);

  g_free (self->error);
  G_OBJECT_CLASS (tto_flow_task_sheet_parent_class)->finalize (object);
}

static void
tto_flow_task_sheet_class_init (TtoFlowTaskSheetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = tto_flow_task_sheet_dispose;
  object_class->finalize = tto_flow_task_sheet_finalize;
  window_class->close_request = tto_flow_task_sheet_close_request;
}

static void
tto_flow_task_sheet_init (TtoFlowTaskSheet *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();

  self->cancellable = g_cancellable_new ();
  self->fields = g_ptr_array_new ();

  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (self), 420, 560);
  gtk_window_set_title (GTK_WINDOW (self), _("Complete Task"));

  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "window.close");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  self->submit_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Submit")));
  gtk_widget_add_css_class (GTK_WIDGET (self->submit_button), "suggested-action");
  g_signal_connect_swapped (self->submit_button, "clicked",
                            G_CALLBACK (tto_flow_task_sheet_submit), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), GTK_WIDGET (self->submit_button));
  gtk_box_append (GTK_BOX (box), header);

  self->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_widget_add_css_class (GTK_WIDGET (self->progress), "osd");
  gtk_widget_set_visible (GTK_WIDGET (self->progress), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->progress));

  self->content = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 18));
  gtk_widget_set_margin_top (GTK_WIDGET (self->content), 18);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->content), 18);
  gtk_widget_set_margin_start (GTK_WIDGET (self->content), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->content), 12);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 520);
  adw_clamp_set_child (ADW_CLAMP (clamp), GTK_WIDGET (self->content));
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  self->toast_overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toast_overlay, scrolled);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->toast_overlay));
  adw_window_set_content (ADW_WINDOW (self), box);
}

TtoFlowTaskSheet *
tto_flow_task_sheet_new (GtkWindow *parent,
                         TtoSession *session,
                         TtoEvent *event,
                         TtoFlowTask *task)
{
  TtoFlowTaskSheet *self;

  g_return_val_if_fail (TTO_IS_SESSION (session), NULL);
  g_return_val_if_fail (TTO_IS_EVENT (event), NULL);
  g_return_val_if_fail (TTO_IS_FLOW_TASK (task), NULL);

  self = g_object_new (TTO_TYPE_FLOW_TASK_SHEET, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->event = g_object_ref (event);
  self->task = g_object_ref (task);
  build (self);
  return self;
}

TtoFlowTask *
tto_flow_task_sheet_get_task (TtoFlowTaskSheet *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_TASK_SHEET (self), NULL);
  return self->task;
}

guint
tto_flow_task_sheet_get_n_fields (TtoFlowTaskSheet *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_TASK_SHEET (self), 0);
  return self->fields->len;
}

/* The input of field @index: a GtkEntry (text, date), GtkSpinButton
 * (number) or GtkDropDown (choice). */
GtkWidget *
tto_flow_task_sheet_get_field (TtoFlowTaskSheet *self,
                               guint index)
{
  g_return_val_if_fail (TTO_IS_FLOW_TASK_SHEET (self), NULL);
  g_return_val_if_fail (index < self->fields->len, NULL);
  return g_ptr_array_index (self->fields, index);
}

gboolean
tto_flow_task_sheet_get_busy (TtoFlowTaskSheet *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_TASK_SHEET (self), FALSE);
  return self->busy;
}

gboolean
tto_flow_task_sheet_get_completed (TtoFlowTaskSheet *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_TASK_SHEET (self), FALSE);
  return self->completed;
}

/* The last refusal or failure shown, or NULL. */
const char *
tto_flow_task_sheet_get_error (TtoFlowTaskSheet *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_TASK_SHEET (self), NULL);
  return self->error;
}
