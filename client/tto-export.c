/* tto-export.c: a conversation saved on the user's own device
 *
 * Fetches the event's messages with export.fetch, 500 at a time, and
 * writes them as a self-contained HTML page (everything escaped, styles
 * inline, nothing loaded from elsewhere) or as JSON (the protocol's Message
 * objects). The relay writes nothing: the file is assembled here, and the
 * buffers that held the conversation are wiped once written.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gi18n.h>

#include "tto-export.h"

G_DEFINE_QUARK (tto-export-error-quark, tto_export_error)

typedef struct
{
  TtoConnection *connection;
  TtoEvent *event;
  GHashTable *names; /* identity id → display name, may be NULL */
  TtoExportFormat format;
  GFile *file;
  TtoExportProgressFunc progress;
  gpointer progress_data;
  GPtrArray *messages; /* TtoMessage */
  gint64 after_seq;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_clear_object (&data->connection);
  g_clear_object (&data->event);
  g_clear_pointer (&data->names, g_hash_table_unref);
  g_clear_object (&data->file);
  g_clear_pointer (&data->messages, g_ptr_array_unref);
  g_free (data);
}

static void
wipe_free (gpointer data)
{
  tto_str_wipe_free (data);
}

static const char *
name_of (GHashTable *names,
         const char *identity_id,
         TtoMessage *message)
{
  const char *name = NULL;

  if (identity_id == NULL)
    return NULL;
  if (g_strcmp0 (identity_id, tto_message_get_sender_id (message)) == 0)
    return tto_message_get_sender_name (message);
  if (names != NULL)
    name = g_hash_table_lookup (names, identity_id);
  return name;
}

static void
append_escaped (GString *out,
                const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text != NULL ? text : "", -1);

  g_string_append (out, escaped);
  explicit_bzero (escaped, strlen (escaped));
}

static char *
format_local (gint64 ms,
              const char *format)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_local (ms / 1000);

  return time != NULL ? g_date_time_format (time, format) : g_strdup ("");
}

static void
render_html (GString *out,
             TtoEvent *event,
             GPtrArray *messages,
             GHashTable *names,
             gint64 exported_at_ms)
{
  g_autofree char *exported = format_local (exported_at_ms, "%Y-%m-%d %H:%M");
  g_autofree char *exported_line = NULL;

  g_string_append (out,
                   "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<title>");
  append_escaped (out, tto_event_get_title (event));
  g_string_append (out,
                   "</title>\n<style>\n"
                   "body{font-family:sans-serif;max-width:42em;margin:2em auto;padding:0 1em;"
                   "line-height:1.45;color:#222;background:#fafafa}\n"
                   "h1{font-size:1.4em;margin-bottom:.2em}\n"
                   ".meta{color:#666;font-size:.85em}\n"
                   ".msg{margin:.8em 0;padding:.5em .8em;border-radius:.6em;background:#fff;"
                   "box-shadow:0 1px 2px rgba(0,0,0,.08)}\n"
                   ".sender{font-weight:bold}\n"
                   ".text{white-space:pre-wrap;overflow-wrap:anywhere}\n"
                   ".quote{border-left:3px solid #3584e4;padding-left:.6em;color:#555;"
                   "font-size:.9em;margin:.3em 0}\n"
                   ".recalled{color:#777;font-style:italic}\n"
                   "@media (prefers-color-scheme: dark){body{background:#1e1e1e;color:#ddd}"
                   ".msg{background:#2a2a2a}.meta,.quote,.recalled{color:#aaa}}\n"
                   "</style>\n</head>\n<body>\n<h1>");
  append_escaped (out, tto_event_get_title (event));
  g_string_append (out, "</h1>\n<p class=\"meta\">");
  /* Translators: %s is a date and time */
  exported_line = g_strdup_printf (_("Exported from ThreeTwoOne on %s"), exported);
  append_escaped (out, exported_line);
  g_string_append (out, "</p>\n");

  for (guint i = 0; i < messages->len; i++)
    {
      TtoMessage *message = g_ptr_array_index (messages, i);
      g_autofree char *when = format_local (tto_message_get_ts (message), "%Y-%m-%d %H:%M");

      g_string_append_printf (out, "<div class=\"msg\" id=\"m%" G_GINT64_FORMAT "\">\n",
                              tto_message_get_seq (message));
      g_string_append (out, "<div><span class=\"sender\">");
      append_escaped (out, tto_message_get_sender_name (message));
      g_string_append (out, "</span> <span class=\"meta\">");
      append_escaped (out, when);
      if (tto_message_get_edited_at (message) > 0 && !tto_message_get_recalled (message))
        {
          g_string_append (out, " · ");
          append_escaped (out, _("edited"));
        }
      g_string_append (out, "</span></div>\n");

      if (tto_message_get_recalled (message))
        {
          const char *by = name_of (names, tto_message_get_recalled_by (message), message);
          g_autofree char *line = NULL;

          if (by != NULL)
            /* Translators: %s is a display name */
            line = g_strdup_printf (_("%s recalled a message"), by);
          else
            line = g_strdup (_("A message was recalled"));
          g_string_append (out, "<div class=\"recalled\">");
          append_escaped (out, line);
          g_string_append (out, "</div>\n</div>\n");
          continue;
        }

      if (tto_message_get_reply_to_msg_id (message) != NULL)
        {
          g_string_append_printf (out, "<div class=\"quote\"><a href=\"#m%" G_GINT64_FORMAT "\">",
                                  tto_message_get_reply_to_seq (message));
          append_escaped (out, tto_message_get_reply_to_sender_name (message));
          g_string_append (out, "</a>: ");
          if (tto_message_get_reply_to_recalled (message))
            append_escaped (out, _("Recalled message"));
          else
            append_escaped (out, tto_message_get_reply_to_excerpt (message));
          g_string_append (out, "</div>\n");
        }
      g_string_append (out, "<div class=\"text\">");
      append_escaped (out, tto_message_get_text (message));
      g_string_append (out, "</div>\n</div>\n");
    }
  g_string_append (out, "</body>\n</html>\n");
}

static void
render_json (GString *out,
             TtoEvent *event,
             GPtrArray *messages,
             gint64 exported_at_ms)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  gsize length;
  char *data;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event_id");
  json_builder_add_string_value (builder, tto_event_get_id (event));
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, tto_event_get_title (event));
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "exported_at");
  json_builder_add_int_value (builder, exported_at_ms);
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  for (guint i = 0; i < messages->len; i++)
    {
      JsonNode *node = json_node_new (JSON_NODE_OBJECT);

      json_node_take_object (node, tto_message_to_json (g_ptr_array_index (messages, i)));
      json_builder_add_value (builder, node);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  data = json_generator_to_data (generator, &length);
  g_string_append_len (out, data, length);
  g_string_append_c (out, '\n');
  explicit_bzero (data, length);
  g_free (data);
}

/* The file's content; wipe it (explicit_bzero) when done. @names maps
 * identity ids to display names for "… recalled a message". */
char *
tto_export_render (TtoEvent *event,
                   GPtrArray *messages,
                   GHashTable *names,
                   TtoExportFormat format,
                   gint64 exported_at_ms,
                   gsize *out_length)
{
  GString *out;

  g_return_val_if_fail (TTO_IS_EVENT (event), NULL);
  g_return_val_if_fail (messages != NULL, NULL);

  /* Large enough for most rooms: growing copies, and copies would need
   * wiping too. */
  out = g_string_sized_new (4096 + messages->len * 256);
  if (format == TTO_EXPORT_FORMAT_JSON)
    render_json (out, event, messages, exported_at_ms);
  else
    render_html (out, event, messages, names, exported_at_ms);

  if (out_length != NULL)
    *out_length = out->len;
  return g_string_free (out, FALSE);
}

static void fetch_page (GTask *task);

static void
on_written (GObject *object,
            GAsyncResult *result,
            gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
write_file (GTask *task)
{
  ExportData *data = g_task_get_task_data (task);
  g_autoptr (GBytes) bytes = NULL;
  gsize length;
  char *content;

  content = tto_export_render (data->event, data->messages, data->names, data->format,
                               g_get_real_time () / 1000, &length);
  /* The messages are in the buffer now; let them go. */
  g_ptr_array_set_size (data->messages, 0);
  bytes = g_bytes_new_with_free_func (content, length, wipe_free, content);
  g_file_replace_contents_bytes_async (data->file, bytes, NULL, FALSE,
                                       G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                       g_task_get_cancellable (task), on_written,
                                       g_object_ref (task));
}

static void
on_page (GObject *object,
         GAsyncResult *result,
         gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;
  ExportData *data = g_task_get_task_data (task);
  JsonNode *node;
  JsonArray *array;
  gint64 last_seq;

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  node = json_object_get_member (body, "messages");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_task_return_new_error (task, TTO_EXPORT_ERROR, TTO_EXPORT_ERROR_MALFORMED,
                               "export.fetch answer lacks messages");
      return;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      TtoMessage *message;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      message = tto_message_new_from_json (json_node_get_object (element), NULL);
      if (message == NULL || tto_message_get_seq (message) <= data->after_seq)
        {
          g_clear_object (&message);
          continue;
        }
      data->after_seq = tto_message_get_seq (message);
      g_ptr_array_add (data->messages, message);
    }

  last_seq = json_object_get_int_member_with_default (body, "last_seq", data->after_seq);
  if (data->progress != NULL)
    data->progress (last_seq > 0 ? MIN (1.0, (double) data->after_seq / last_seq) : 1.0,
                    data->progress_data);

  /* A page that brings nothing new ends it, whatever "more" says. */
  if (json_object_get_boolean_member_with_default (body, "more", FALSE) &&
      json_array_get_length (array) > 0)
    fetch_page (g_steal_pointer (&task));
  else
    write_file (task);
}

static void
fetch_page (GTask *task)
{
  ExportData *data = g_task_get_task_data (task);
  JsonObject *body = json_object_new ();

  json_object_set_string_member (body, "event_id", tto_event_get_id (data->event));
  json_object_set_int_member (body, "after_seq", data->after_seq);
  json_object_set_int_member (body, "limit", TTO_PROTOCOL_MAX_EXPORT_PAGE);
  tto_connection_request_async (data->connection, TTO_FRAME_EXPORT_FETCH, body,
                                g_task_get_cancellable (task), on_page, task);
}

/* Fetches every message of @event and writes them to @file. */
void
tto_export_async (TtoConnection *connection,
                  TtoEvent *event,
                  GHashTable *names,
                  TtoExportFormat format,
                  GFile *file,
                  TtoExportProgressFunc progress,
                  gpointer progress_data,
                  GCancellable *cancellable,
                  GAsyncReadyCallback callback,
                  gpointer user_data)
{
  GTask *task;
  ExportData *data;

  g_return_if_fail (TTO_IS_CONNECTION (connection));
  g_return_if_fail (TTO_IS_EVENT (event));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (connection, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_export_async);
  data = g_new0 (ExportData, 1);
  data->connection = g_object_ref (connection);
  data->event = g_object_ref (event);
  data->names = names != NULL ? g_hash_table_ref (names) : NULL;
  data->format = format;
  data->file = g_object_ref (file);
  data->progress = progress;
  data->progress_data = progress_data;
  data->messages = g_ptr_array_new_with_free_func (g_object_unref);
  g_task_set_task_data (task, data, (GDestroyNotify) export_data_free);

  fetch_page (task);
}

gboolean
tto_export_finish (GAsyncResult *result,
                   GError **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
