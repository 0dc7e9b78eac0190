/* tto-client.c: set-up and small helpers of the client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <adwaita.h>

#include "tto-connection.h"
#include "tto-flow-task.h"
#include "tto-session.h"
#include "tto-shared.h"

#include "tto-client.h"

void tto_register_resource (void);

/* Registers the GResource, the icons in it and the translation domain.
 * Safe to call more than once (the tests call it without an application). */
void
tto_client_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      const char *localedir = g_getenv ("TTO_LOCALEDIR");

      tto_register_resource ();
      /* TTO_LOCALEDIR: translations from the build folder, for tests. */
      bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
      g_once_init_leave (&initialized, 1);
    }
}

/* AdwApplication loads style.css from the resource base path by itself;
 * widgets shown without the application (tests) need this. */
void
tto_client_load_css (void)
{
  static gboolean loaded;
  g_autoptr (GtkCssProvider) provider = NULL;

  if (loaded)
    return;
  loaded = TRUE;

  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    "/org/threetwoone/Tto/icons");
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/org/threetwoone/Tto/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

/* The app's settings, or NULL when its schema is not installed (running
 * from the build folder without GSETTINGS_SCHEMA_DIR). */
GSettings *
tto_client_get_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    return NULL;

  return g_settings_new_full (schema, NULL, NULL);
}

/* TTO_RELAY_URL wins over the relay-url setting. */
char *
tto_client_get_default_relay_url (void)
{
  const char *env = g_getenv ("TTO_RELAY_URL");
  g_autoptr (GSettings) settings = NULL;

  if (env != NULL && *env != '\0')
    return g_strdup (env);

  settings = tto_client_get_settings ();
  if (settings != NULL)
    return g_settings_get_string (settings, "relay-url");

  return g_strdup (TTO_DEFAULT_RELAY_URL);
}

/* The relay's error messages are English for developers; the user reads
 * our own, translated words chosen by the error code. */
char *
tto_client_describe_error (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == TTO_CONNECTION_ERROR)
    {
      switch ((TtoConnectionError) error->code)
        {
        case TTO_CONNECTION_ERROR_BAD_URL:
          return g_strdup (_("The relay address must start with ws:// or wss://"));
        case TTO_CONNECTION_ERROR_UNREACHABLE:
          return g_strdup (_("Could not reach the relay. Check the address and your network."));
        case TTO_CONNECTION_ERROR_DISCONNECTED:
          return g_strdup (_("Not connected to the relay. Try again in a moment."));
        case TTO_CONNECTION_ERROR_NOT_SIGNED_IN:
        case TTO_CONNECTION_ERROR_IDENTITY_LOST:
          return g_strdup (_("Your one-time identity has expired. Sign in again."));
        case TTO_CONNECTION_ERROR_CLOSED:
          return g_strdup (_("The connection was closed."));
        case TTO_CONNECTION_ERROR_UNTRUSTED_CERTIFICATE:
          return g_strdup (_("The relay’s certificate is not trusted yet. Compare its fingerprint before trusting it."));
        case TTO_CONNECTION_ERROR_CERTIFICATE_CHANGED:
          return g_strdup (_("The relay’s certificate changed, so ThreeTwoOne did not connect."));
        default:
          break;
        }
    }
  else if (error->domain == TTO_SESSION_ERROR)
    {
      switch ((TtoSessionError) error->code)
        {
        case TTO_SESSION_ERROR_EMPTY_NAME:
          return g_strdup (_("Enter the name others will see."));
        case TTO_SESSION_ERROR_NAME_TOO_LONG:
          return g_strdup_printf (_("The name can have at most %d characters."),
                                  TTO_PROTOCOL_MAX_NAME_CHARS);
        case TTO_SESSION_ERROR_EMPTY_TITLE:
          return g_strdup (_("Give the event a title."));
        case TTO_SESSION_ERROR_TITLE_TOO_LONG:
          return g_strdup_printf (_("The title can have at most %d characters."),
                                  TTO_PROTOCOL_MAX_TITLE_CHARS);
        case TTO_SESSION_ERROR_CONTENT_TOO_LONG:
          return g_strdup_printf (_("The discussion content can have at most %d characters."),
                                  TTO_PROTOCOL_MAX_CONTENT_CHARS);
        case TTO_SESSION_ERROR_ANNOUNCEMENT_TOO_LONG:
          return g_strdup_printf (_("The announcement can have at most %d characters."),
                                  TTO_PROTOCOL_MAX_ANNOUNCEMENT_CHARS);
        case TTO_SESSION_ERROR_DEADLINE_PASSED:
          return g_strdup (_("The deadline must be in the future."));
        case TTO_SESSION_ERROR_MALFORMED_CODE:
          return g_strdup (_("An invite code has 8 letters and digits, like ABCD-EFGH."));
        case TTO_SESSION_ERROR_EMPTY_MESSAGE:
          return g_strdup (_("The message is empty."));
        case TTO_SESSION_ERROR_MESSAGE_TOO_LONG:
          return g_strdup_printf (_("A message can have at most %d characters."),
                                  TTO_PROTOCOL_MAX_TEXT_CHARS);
        case TTO_SESSION_ERROR_EVENT_ENDED:
          return g_strdup (_("This event has ended."));
        default:
          break;
        }
    }
  else if (error->domain == TTO_PROTOCOL_ERROR)
    {
      switch ((TtoProtocolError) error->code)
        {
        case TTO_PROTOCOL_ERROR_NOT_FOUND:
          return g_strdup (_("No live event has this invite code. Check it with the person who invited you."));
        case TTO_PROTOCOL_ERROR_UNAUTHORIZED:
          return g_strdup (_("Your one-time identity has expired. Sign in again."));
        case TTO_PROTOCOL_ERROR_FORBIDDEN:
          return g_strdup (_("You are not allowed to do this."));
        case TTO_PROTOCOL_ERROR_TOO_LARGE:
          return g_strdup (_("This is too long for the relay."));
        case TTO_PROTOCOL_ERROR_RATE_LIMITED:
          return g_strdup (_("Too many requests. Wait a moment and try again."));
        case TTO_PROTOCOL_ERROR_EXPIRED:
          return g_strdup (_("This event has ended."));
        case TTO_PROTOCOL_ERROR_UNAVAILABLE:
          return g_strdup (_("The relay is busy right now. Try again in a moment."));
        case TTO_PROTOCOL_ERROR_BAD_FRAME:
        case TTO_PROTOCOL_ERROR_UNSUPPORTED_VERSION:
          return g_strdup (_("The relay did not accept this request. The app or the relay may need an update."));
        case TTO_PROTOCOL_ERROR_CONFLICT:
        case TTO_PROTOCOL_ERROR_WRONG_FORM:
        case TTO_PROTOCOL_ERROR_INTERNAL:
        default:
          break;
        }
    }

  return g_strdup (_("Something went wrong. Try again."));
}

/* The client's own sentence for a relay refusal that names a reason
 * (shared/PROTOCOL.md, "Errors"), or NULL for unknown reasons and other
 * errors: the caller falls back to what it showed before. */
char *
tto_client_describe_refusal (const GError *error)
{
  const char *reason = tto_protocol_error_get_reason (error);
  JsonObject *params = tto_protocol_error_get_params (error);
  gint64 max;

  if (reason == NULL)
    return NULL;

  max = params != NULL ? json_object_get_int_member_with_default (params, "max", 0) : 0;
  if (g_str_equal (reason, "no_next_stage"))
    return g_strdup (_("This is the last stage; there is no next one."));
  if (g_str_equal (reason, "no_previous_stage"))
    return g_strdup (_("This is the first stage; there is none before it."));
  if (g_str_equal (reason, "no_pending_change"))
    return g_strdup (_("No stage change is waiting for approval."));
  if (g_str_equal (reason, "change_pending"))
    return g_strdup (_("A stage change is already waiting for approval."));
  if (g_str_equal (reason, "not_an_approver"))
    return g_strdup (_("Only the approvers named in the rules can approve this stage change."));
  if (g_str_equal (reason, "points_off"))
    return g_strdup (_("Points are turned off in this event."));
  if (g_str_equal (reason, "stage_done"))
    return g_strdup (_("This stage is done; it takes no new tasks."));
  if (g_str_equal (reason, "stage_task_limit") && max > 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "A stage can hold at most %d task.",
                                         "A stage can hold at most %d tasks.", (gulong) max),
                            (int) max);
  if (g_str_equal (reason, "wrong_form") && params != NULL)
    {
      const char *required = json_object_get_string_member_with_default (params, "required", NULL);
      const char *given = json_object_get_string_member_with_default (params, "given", NULL);

      if (required == NULL)
        return NULL;
      if (given == NULL)
        /* Translators: %s is a task form, e.g. "Video message". */
        return g_strdup_printf (_("This task must be completed as “%s”."),
                                tto_flow_task_form_name (required));
      /* Translators: both %s are task forms, e.g. "Video message" and "File". */
      return g_strdup_printf (_("This task must be completed as “%s”, not as “%s”."),
                              tto_flow_task_form_name (required),
                              tto_flow_task_form_name (given));
    }
  if (g_str_equal (reason, "stage_not_active"))
    return g_strdup (_("Only tasks of the active stage can be completed."));
  if (g_str_equal (reason, "eliminated"))
    return g_strdup (_("You were eliminated from this event’s flow. You can still read, but no longer take part."));
  if (g_str_equal (reason, "meeting_limit") && max > 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "An event can hold at most %d meeting.",
                                         "An event can hold at most %d meetings.", (gulong) max),
                            (int) max);
  if (g_str_equal (reason, "not_flow_editor"))
    return g_strdup (_("Only the creator and members allowed to edit the flow can do this."));

  return NULL;
}

/* HH:MM in local time */
char *
tto_client_format_time (gint64 ts_ms)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_local (ts_ms / 1000);

  if (time == NULL)
    return g_strdup ("");

  return g_date_time_format (time, "%H:%M");
}

char *
tto_client_format_member_count (guint count)
{
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u member", "%u members", count), count);
}

char *
tto_client_format_end_reason (const char *reason)
{
  if (g_strcmp0 (reason, "expired") == 0)
    return g_strdup (_("The event reached its deadline. Its messages have been deleted."));
  if (g_strcmp0 (reason, "creator_left") == 0)
    return g_strdup (_("The creator left, so the event ended. Its messages have been deleted."));
  if (g_strcmp0 (reason, "removed") == 0)
    return g_strdup (_("The creator removed you from this event. Its messages are no longer "
                       "available to you."));
  return g_strdup (_("The creator ended the event. Its messages have been deleted."));
}

/* How long after sending a message may be edited or recalled: the choices
 * offered, in seconds (the protocol allows 0–86,400). */
static const guint window_presets[] = { 0, 60, 120, 300, 900, 1800, 3600, 21600, 86400 };

/* "Off", "2 minutes", "1 hour", … */
char *
tto_client_format_window (guint seconds)
{
  if (seconds == 0)
    return g_strdup (C_("time window", "Off"));
  if (seconds % 3600 == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u hour", "%u hours", seconds / 3600),
                            seconds / 3600);
  if (seconds % 60 == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u minute", "%u minutes",
                                         seconds / 60),
                            seconds / 60);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u second", "%u seconds", seconds),
                          seconds);
}

/* Fills @row with the window choices and selects @seconds (added when it
 * is not one of them). */
void
tto_client_setup_window_row (AdwComboRow *row,
                             guint seconds)
{
  g_autoptr (GtkStringList) model = gtk_string_list_new (NULL);
  g_autoptr (GArray) values = g_array_new (FALSE, FALSE, sizeof (guint));
  guint selected = 0;
  gboolean placed = FALSE;

  g_return_if_fail (ADW_IS_COMBO_ROW (row));

  seconds = MIN (seconds, TTO_PROTOCOL_MAX_WINDOW_SECONDS);
  for (guint i = 0; i < G_N_ELEMENTS (window_presets); i++)
    {
      if (!placed && seconds < window_presets[i])
        {
          g_array_append_val (values, seconds);
          placed = TRUE;
        }
      if (seconds == window_presets[i])
        placed = TRUE;
      g_array_append_val (values, window_presets[i]);
    }

  for (guint i = 0; i < values->len; i++)
    {
      guint value = g_array_index (values, guint, i);
      g_autofree char *label = tto_client_format_window (value);

      gtk_string_list_append (model, label);
      if (value == seconds)
        selected = i;
    }

  g_object_set_data_full (G_OBJECT (row), "tto-window-values", g_array_ref (values),
                          (GDestroyNotify) g_array_unref);
  adw_combo_row_set_model (row, G_LIST_MODEL (model));
  adw_combo_row_set_selected (row, selected);
}

/* The seconds chosen in a row set up by tto_client_setup_window_row(). */
guint
tto_client_get_window_row_seconds (AdwComboRow *row)
{
  GArray *values;
  guint selected;

  g_return_val_if_fail (ADW_IS_COMBO_ROW (row), 0);

  values = g_object_get_data (G_OBJECT (row), "tto-window-values");
  selected = adw_combo_row_get_selected (row);
  if (values == NULL || selected >= values->len)
    return 0;
  return g_array_index (values, guint, selected);
}

/* Per-event mute of notifications, in the muted-events setting (in memory
 * when the schema is not installed). */
static GHashTable *
muted_fallback (void)
{
  static GHashTable *muted;

  if (muted == NULL)
    muted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return muted;
}

gboolean
tto_client_is_event_muted (const char *event_id)
{
  g_autoptr (GSettings) settings = tto_client_get_settings ();
  g_auto (GStrv) muted = NULL;

  g_return_val_if_fail (event_id != NULL, FALSE);

  if (settings == NULL)
    return g_hash_table_contains (muted_fallback (), event_id);
  muted = g_settings_get_strv (settings, "muted-events");
  return g_strv_contains ((const char *const *) muted, event_id);
}

void
tto_client_set_event_muted (const char *event_id,
                            gboolean muted)
{
  g_autoptr (GSettings) settings = tto_client_get_settings ();
  g_auto (GStrv) old = NULL;
  g_autoptr (GStrvBuilder) builder = NULL;
  g_auto (GStrv) updated = NULL;

  g_return_if_fail (event_id != NULL);

  if (settings == NULL)
    {
      if (muted)
        g_hash_table_add (muted_fallback (), g_strdup (event_id));
      else
        g_hash_table_remove (muted_fallback (), event_id);
      return;
    }

  old = g_settings_get_strv (settings, "muted-events");
  builder = g_strv_builder_new ();
  for (guint i = 0; old[i] != NULL; i++)
    {
      if (!g_str_equal (old[i], event_id))
        g_strv_builder_add (builder, old[i]);
    }
  if (muted)
    g_strv_builder_add (builder, event_id);
  updated = g_strv_builder_end (builder);
  g_settings_set_strv (settings, "muted-events", (const char *const *) updated);
}
