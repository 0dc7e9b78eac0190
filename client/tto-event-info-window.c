/* tto-event-info-window.c: what an event is, its invitation, its end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gi18n.h>

#include "tto-admission.h"
#include "tto-client.h"
#include "tto-invite-card.h"
#include "tto-ip-allow-row.h"
#include "tto-review-window.h"

#include "tto-event-info-window.h"

struct _TtoEventInfoWindow
{
  AdwWindow parent_instance;

  AdwToastOverlay *toast_overlay;
  AdwActionRow *title_row;
  AdwActionRow *creator_row;
  AdwActionRow *members_row;
  AdwActionRow *deadline_row;
  AdwPreferencesGroup *content_group;
  GtkLabel *content_label;
  AdwPreferencesGroup *announcement_group;
  GtkLabel *announcement_label;
  AdwActionRow *code_row;
  AdwActionRow *event_id_row;
  AdwPreferencesGroup *end_group;
  AdwPreferencesGroup *messages_group;
  AdwComboRow *edit_window_row;
  AdwComboRow *recall_window_row;
  GtkListBox *member_list;
  AdwPreferencesGroup *invite_group;
  TtoInviteCard *invite_card;
  AdwPreferencesGroup *review_group;
  GtkLabel *review_count_label;
  AdwPreferencesGroup *admission_group;
  AdwComboRow *admission_row;
  AdwActionRow *third_party_row;
  GtkSwitch *third_party_switch;
  GtkSwitch *id_rule_switch;
  GtkSwitch *phone_rule_switch;
  TtoIpAllowRow *ip_allow_row;
  AdwPreferencesGroup *forms_group;
  GHashTable *form_switches; /* form name → GtkSwitch (unowned) */
  GListModel *review_queue;

  TtoSession *session;
  TtoEvent *event;
  GCancellable *cancellable;
  gboolean updating; /* the rows follow the event, not the user */
};

G_DEFINE_FINAL_TYPE (TtoEventInfoWindow, tto_event_info_window, ADW_TYPE_WINDOW)

static gboolean
is_set (const char *text)
{
  return text != NULL && *text != '\0';
}

static void update_governance (TtoEventInfoWindow *self);

static void
update (TtoEventInfoWindow *self)
{
  g_autofree char *members = NULL;
  g_autofree char *deadline = NULL;
  g_autofree char *code = NULL;
  const char *invite_code = tto_event_get_invite_code (self->event);
  gboolean creator = tto_event_is_creator (self->event);
  gboolean ended = tto_event_get_ended (self->event);

  adw_action_row_set_subtitle (self->title_row, tto_event_get_title (self->event));
  adw_action_row_set_subtitle (self->creator_row,
                               is_set (tto_event_get_creator_name (self->event))
                                 ? tto_event_get_creator_name (self->event)
                                 : (creator ? _("You") : ""));
  gtk_widget_set_visible (GTK_WIDGET (self->creator_row),
                          creator || is_set (tto_event_get_creator_name (self->event)));
  members = tto_client_format_member_count (tto_event_get_member_count (self->event));
  adw_action_row_set_subtitle (self->members_row, members);

  if (tto_event_get_deadline (self->event) > 0)
    {
      g_autoptr (GDateTime) time =
        g_date_time_new_from_unix_local (tto_event_get_deadline (self->event));

      /* Translators: a deadline's date and time, see strftime(3) */
      deadline = time != NULL ? g_date_time_format (time, _("%a %e %b %Y, %H:%M")) : NULL;
    }
  adw_action_row_set_subtitle (self->deadline_row, deadline != NULL ? deadline : _("None"));

  gtk_label_set_label (self->content_label, tto_event_get_content (self->event));
  gtk_widget_set_visible (GTK_WIDGET (self->content_group),
                          is_set (tto_event_get_content (self->event)));
  gtk_label_set_label (self->announcement_label, tto_event_get_announcement (self->event));
  gtk_widget_set_visible (GTK_WIDGET (self->announcement_group),
                          is_set (tto_event_get_announcement (self->event)));

  if (invite_code != NULL && strlen (invite_code) == TTO_INVITE_CODE_LENGTH)
    code = tto_invite_code_format (invite_code);
  adw_action_row_set_subtitle (self->code_row, code != NULL ? code : "");
  /* Only the creator receives the code. */
  gtk_widget_set_visible (GTK_WIDGET (self->code_row), code != NULL && !ended);
  adw_action_row_set_subtitle (self->event_id_row, tto_event_get_id (self->event));

  gtk_widget_set_visible (GTK_WIDGET (self->end_group), creator && !ended);

  /* Everyone sees the windows; only the creator changes them. */
  self->updating = TRUE;
  if (tto_client_get_window_row_seconds (self->edit_window_row) !=
        tto_event_get_edit_window (self->event) ||
      adw_combo_row_get_model (self->edit_window_row) == NULL)
    tto_client_setup_window_row (self->edit_window_row, tto_event_get_edit_window (self->event));
  if (tto_client_get_window_row_seconds (self->recall_window_row) !=
        tto_event_get_recall_window (self->event) ||
      adw_combo_row_get_model (self->recall_window_row) == NULL)
    tto_client_setup_window_row (self->recall_window_row,
                                 tto_event_get_recall_window (self->event));
  self->updating = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->edit_window_row), creator && !ended);
  gtk_widget_set_sensitive (GTK_WIDGET (self->recall_window_row), creator && !ended);
  gtk_widget_set_visible (GTK_WIDGET (self->messages_group), !ended);
  update_governance (self);
}

static void
show_toast (TtoEventInfoWindow *self,
            const char *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static void
on_update_ready (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (TtoEventInfoWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  if (tto_session_update_event_finish (TTO_SESSION (object), result, &error))
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  text = tto_client_describe_error (error);
  show_toast (self, text);
  /* Back to what the relay has. */
  update (self);
}

static void
on_session_event_changed (TtoSession *session,
                          TtoEvent *event,
                          TtoEventInfoWindow *self)
{
  if (event == self->event)
    update (self);
}

static void
on_window_row_changed (TtoEventInfoWindow *self)
{
  guint edit = tto_client_get_window_row_seconds (self->edit_window_row);
  guint recall = tto_client_get_window_row_seconds (self->recall_window_row);

  if (self->updating || self->event == NULL || !tto_event_is_creator (self->event))
    return;
  if (edit == tto_event_get_edit_window (self->event) &&
      recall == tto_event_get_recall_window (self->event))
    return;

  tto_session_update_event_async (self->session, self->event,
                                  edit != tto_event_get_edit_window (self->event) ? (int) edit : -1,
                                  recall != tto_event_get_recall_window (self->event)
                                    ? (int) recall
                                    : -1,
                                  self->cancellable, on_update_ready, g_object_ref (self));
}

/* Members */

static const char *
permission_title (const char *permission)
{
  if (g_strcmp0 (permission, TTO_PERMISSION_EXPORT) == 0)
    return _("Export");
  if (g_strcmp0 (permission, TTO_PERMISSION_FLOW_EDIT) == 0)
    return _("Edit Flow");
  if (g_strcmp0 (permission, TTO_PERMISSION_TOPIC_MANAGE) == 0)
    return _("Manage Topics");
  if (g_strcmp0 (permission, TTO_PERMISSION_REVIEW) == 0)
    return _("Review Requests");
  return permission;
}

static const char *const all_permissions[] = { TTO_PERMISSION_FLOW_EDIT,
                                               TTO_PERMISSION_TOPIC_MANAGE,
                                               TTO_PERMISSION_EXPORT, TTO_PERMISSION_REVIEW };

static char *
describe_member (TtoEventInfoWindow *self,
                 TtoMember *member)
{
  g_autoptr (GString) text = g_string_new (NULL);

  if (g_strcmp0 (tto_member_get_role (member), "creator") == 0)
    return g_strdup (_("Creator"));

  for (guint i = 0; i < G_N_ELEMENTS (all_permissions); i++)
    {
      gint64 until = 0;
      g_autofree char *item = NULL;

      if (!tto_member_get_permission (member, all_permissions[i], &until))
        continue;
      if (until <= 0)
        /* Translators: %s is a permission, e.g. "Export" */
        item = g_strdup_printf (_("%s until the end"), permission_title (all_permissions[i]));
      else
        {
          g_autoptr (GDateTime) time = g_date_time_new_from_unix_local (until);
          /* Translators: a time of day, see strftime(3) */
          g_autofree char *when = time != NULL ? g_date_time_format (time, _("%e %b, %H:%M"))
                                               : g_strdup ("");

          /* Translators: %s is a permission, the second a date and time */
          item = g_strdup_printf (_("%s until %s"), permission_title (all_permissions[i]),
                                  g_strstrip (when));
        }
      if (text->len > 0)
        g_string_append (text, " · ");
      g_string_append (text, item);
    }
  if (text->len == 0)
    return g_strdup (_("Member"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
append_action (GMenu *menu,
               const char *label,
               const char *action,
               GVariant *target)
{
  g_autoptr (GMenuItem) item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target_value (item, action, target);
  g_menu_append_item (menu, item);
}

static GtkWidget *
create_member_row (gpointer item,
                   gpointer user_data)
{
  TtoEventInfoWindow *self = user_data;
  TtoMember *member = item;
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *subtitle = describe_member (self, member);
  const char *id = tto_member_get_identity_id (member);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), tto_member_get_display_name (member));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  if (tto_event_is_creator (self->event) && !tto_event_get_ended (self->event) &&
      g_strcmp0 (tto_member_get_role (member), "creator") != 0)
    {
      g_autoptr (GMenu) menu = g_menu_new ();
      g_autoptr (GMenu) grants = g_menu_new ();
      g_autoptr (GMenu) remove = g_menu_new ();
      GtkWidget *button = gtk_menu_button_new ();
      g_autofree char *label = NULL;

      for (guint i = 0; i < G_N_ELEMENTS (all_permissions); i++)
        {
          g_autoptr (GMenu) choices = g_menu_new ();
          const char *permission = all_permissions[i];

          append_action (choices, _("For 1 _Hour"), "info.grant",
                         g_variant_new ("(ssx)", id, permission, (gint64) 3600));
          append_action (choices, _("For 1 _Day"), "info.grant",
                         g_variant_new ("(ssx)", id, permission, (gint64) 86400));
          append_action (choices, _("_Until the Event Ends"), "info.grant",
                         g_variant_new ("(ssx)", id, permission, (gint64) 0));
          if (tto_member_has_permission (member, permission))
            append_action (choices, _("_Revoke"), "info.revoke",
                           g_variant_new ("(ss)", id, permission));
          g_menu_append_submenu (grants, permission_title (permission), G_MENU_MODEL (choices));
        }
      g_menu_append_section (menu, _("Permissions"), G_MENU_MODEL (grants));
      append_action (remove, _("Re_move From Event…"), "info.remove-member",
                     g_variant_new_string (id));
      g_menu_append_section (menu, NULL, G_MENU_MODEL (remove));
      gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
      gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "view-more-symbolic");
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_size_request (button, 44, 44);
      gtk_widget_add_css_class (button, "flat");
      /* Translators: %s is a display name */
      label = g_strdup_printf (_("Permissions of %s"), tto_member_get_display_name (member));
      gtk_widget_set_tooltip_text (button, label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      label, -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }

  /* Calling one member: each other member, where calls are on. */
  if (!tto_event_get_ended (self->event) &&
      g_strcmp0 (id, tto_session_get_identity_id (self->session)) != 0 &&
      (tto_event_has_form (self->event, TTO_FORM_VOICE_CALL) ||
       tto_event_has_form (self->event, TTO_FORM_VIDEO_CALL)))
    {
      g_autoptr (GMenu) calls = g_menu_new ();
      GtkWidget *call_button = gtk_menu_button_new ();
      g_autofree char *call_label = NULL;

      if (tto_event_has_form (self->event, TTO_FORM_VOICE_CALL))
        append_action (calls, _("Voice Call"), "info.call-member",
                       g_variant_new ("(ss)", "audio", id));
      if (tto_event_has_form (self->event, TTO_FORM_VIDEO_CALL))
        append_action (calls, _("Video Call"), "info.call-member",
                       g_variant_new ("(ss)", "video", id));
      gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (call_button), G_MENU_MODEL (calls));
      gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (call_button), "call-start-symbolic");
      gtk_widget_set_valign (call_button, GTK_ALIGN_CENTER);
      gtk_widget_set_size_request (call_button, 44, 44);
      gtk_widget_add_css_class (call_button, "flat");
      /* Translators: %s is a display name */
      call_label = g_strdup_printf (_("Call %s"), tto_member_get_display_name (member));
      gtk_widget_set_tooltip_text (call_button, call_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (call_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      call_label, -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), call_button);
    }
  return row;
}

/* The call itself belongs to the main window: hand over, and get out of
 * the way so the call page shows. */
static void
call_member_action (GtkWidget *widget,
                    const char *action_name,
                    GVariant *parameter)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (widget));

  if (parent == NULL)
    return;
  gtk_widget_activate_action_variant (GTK_WIDGET (parent), "win.call-member", parameter);
  gtk_window_close (GTK_WINDOW (widget));
}

static void
on_member_ready (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (TtoEventInfoWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  if (tto_session_member_change_finish (TTO_SESSION (object), result, &error))
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  text = tto_client_describe_error (error);
  show_toast (self, text);
}

static void
grant_export_action (GtkWidget *widget,
                     const char *action_name,
                     GVariant *parameter)
{
  TtoEventInfoWindow *self = TTO_EVENT_INFO_WINDOW (widget);
  const char *id;
  gint64 duration;

  g_variant_get (parameter, "(&sx)", &id, &duration);
  tto_session_grant_async (self->session, self->event, id, TTO_PERMISSION_EXPORT, duration,
                           self->cancellable, on_member_ready, g_object_ref (self));
}

static void
revoke_export_action (GtkWidget *widget,
                      const char *action_name,
                      GVariant *parameter)
{
  TtoEventInfoWindow *self = TTO_EVENT_INFO_WINDOW (widget);

  tto_session_revoke_async (self->session, self->event, g_variant_get_string (parameter, NULL),
                            TTO_PERMISSION_EXPORT, self->cancellable, on_member_ready,
                            g_object_ref (self));
}

static void
grant_action (GtkWidget *widget,
              const char *action_name,
              GVariant *parameter)
{
  TtoEventInfoWindow *self = TTO_EVENT_INFO_WINDOW (widget);
  const char *id;
  const char *permission;
  gint64 duration;

  g_variant_get (parameter, "(&s&sx)", &id, &permission, &duration);
  tto_session_grant_async (self->session, self->event, id, permission, duration,
                           self->cancellable, on_member_ready, g_object_ref (self));
}

static void
revoke_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  TtoEventInfoWindow *self = TTO_EVENT_INFO_WINDOW (widget);
  const char *id;
  const char *permission;

  g_variant_get (parameter, "(&s&s)", &id, &permission);
  tto_session_revoke_async (self->session, self->event, id, permission, self->cancellable,
                            on_member_ready, g_object_ref (self));
}

static void
on_remove_ready (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (TtoEventInfoWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  if (tto_session_governance_finish (TTO_SESSION (object), result, &error))
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  text = tto_client_describe_error (error);
  show_toast (self, text);
}

/* Removes @identity_id at once, without asking (the menu asks first). */
void
tto_event_info_window_remove_member (TtoEventInfoWindow *self,
                                     const char *identity_id)
{
  g_return_if_fail (TTO_IS_EVENT_INFO_WINDOW (self));
  g_return_if_fail (identity_id != NULL);

  tto_session_remove_member_async (self->session, self->event, identity_id, self->cancellable,
                                   on_remove_ready, g_object_ref (self));
}

static void
on_remove_response (AdwMessageDialog *dialog,
                    const char *response,
                    TtoEventInfoWindow *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "identity-id");

  if (g_strcmp0 (response, "remove") == 0 && id != NULL)
    tto_event_info_window_remove_member (self, id);
}

static void
remove_member_action (GtkWidget *widget,
                      const char *action_name,
                      GVariant *parameter)
{
  TtoEventInfoWindow *self = TTO_EVENT_INFO_WINDOW (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  TtoMember *member = tto_session_lookup_member (self->session, self->event, id);
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  /* Translators: %s is a member's display name */
  heading = g_strdup_printf (_("Remove %s?"),
                             member != NULL ? tto_member_get_display_name (member) : "");
  dialog = ADW_MESSAGE_DIALOG (
    adw_message_dialog_new (GTK_WINDOW (self), heading,
                            _("They lose access to the event and its messages at once, and "
                              "leave its calls. They can only come back with a new invitation.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "identity-id", g_strdup (id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Governance: admission, rules, forms, join requests */

static void
update_review_count (TtoEventInfoWindow *self)
{
  guint n = self->review_queue != NULL ? g_list_model_get_n_items (self->review_queue) : 0;
  g_autofree char *count = g_strdup_printf ("%u", n);
  g_autofree char *description =
    g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u request waiting", "%u requests waiting", n),
                     n);

  gtk_label_set_label (self->review_count_label, count);
  gtk_widget_set_visible (GTK_WIDGET (self->review_count_label), n > 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->review_count_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);
}

static void
update_governance (TtoEventInfoWindow *self)
{
  gboolean creator = tto_event_is_creator (self->event);
  gboolean ended = tto_event_get_ended (self->event);
  GHashTableIter iter;
  gpointer form, toggle;

  gtk_widget_set_visible (GTK_WIDGET (self->invite_group), creator && !ended);
  /* The card shows the code; the old row stays for the event ID only. */
  if (creator)
    gtk_widget_set_visible (GTK_WIDGET (self->code_row), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->review_group),
                          tto_session_can_review (self->session, self->event));
  gtk_widget_set_visible (GTK_WIDGET (self->admission_group), creator && !ended);
  gtk_widget_set_visible (GTK_WIDGET (self->forms_group), !ended);

  self->updating = TRUE;
  tto_admission_setup_row (self->admission_row, tto_event_get_admission (self->event));
  gtk_switch_set_active (self->third_party_switch,
                         tto_event_get_rule (self->event, TTO_RULE_AUTO_APPROVE_THIRD_PARTY));
  gtk_switch_set_active (self->id_rule_switch,
                         tto_event_get_rule (self->event, TTO_RULE_REQUIRE_ID_VERIFIED));
  gtk_switch_set_active (self->phone_rule_switch,
                         tto_event_get_rule (self->event, TTO_RULE_REQUIRE_PHONE_VERIFIED));
  gtk_widget_set_sensitive (GTK_WIDGET (self->third_party_row),
                            g_strcmp0 (tto_event_get_admission (self->event),
                                       TTO_ADMISSION_REVIEW) == 0);
  g_hash_table_iter_init (&iter, self->form_switches);
  while (g_hash_table_iter_next (&iter, &form, &toggle))
    {
      gtk_switch_set_active (toggle, tto_event_has_form (self->event, form));
      /* Everyone sees what is allowed; only the creator changes it. */
      gtk_widget_set_sensitive (toggle, creator && !ended);
    }
  self->updating = FALSE;
  update_review_count (self);
}

static void
on_settings_ready (GObject *object,
                   GAsyncResult *result,
                   gpointer user_data)
{
  g_autoptr (TtoEventInfoWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  if (tto_session_governance_finish (TTO_SESSION (object), result, &error))
    {
      update (self);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  text = tto_client_describe_error (error);
  show_toast (self, text);
  /* Back to what the relay has. */
  update (self);
}

static void
send_settings (TtoEventInfoWindow *self,
               JsonObject *fields)
{
  tto_session_update_settings_async (self->session, self->event, fields, self->cancellable,
                                     on_settings_ready, g_object_ref (self));
}

static void
on_admission_changed (TtoEventInfoWindow *self)
{
  g_autoptr (JsonObject) fields = NULL;
  const char *admission;

  if (self->updating || self->event == NULL || !tto_event_is_creator (self->event))
    return;
  admission = tto_admission_get_row (self->admission_row);
  if (g_strcmp0 (admission, tto_event_get_admission (self->event)) == 0)
    return;
  fields = json_object_new ();
  json_object_set_string_member (fields, "admission", admission);
  send_settings (self, fields);
}

static void
on_rule_changed (TtoEventInfoWindow *self)
{
  g_autoptr (JsonObject) fields = NULL;
  JsonObject *rules;

  if (self->updating || self->event == NULL || !tto_event_is_creator (self->event))
    return;
  fields = json_object_new ();
  rules = json_object_new ();
  json_object_set_boolean_member (rules, TTO_RULE_AUTO_APPROVE_THIRD_PARTY,
                                  gtk_switch_get_active (self->third_party_switch));
  json_object_set_boolean_member (rules, TTO_RULE_REQUIRE_ID_VERIFIED,
                                  gtk_switch_get_active (self->id_rule_switch));
  json_object_set_boolean_member (rules, TTO_RULE_REQUIRE_PHONE_VERIFIED,
                                  gtk_switch_get_active (self->phone_rule_switch));
  json_object_set_object_member (fields, "rules", rules);
  send_settings (self, fields);
}

static void
on_form_changed (TtoEventInfoWindow *self)
{
  g_autoptr (JsonObject) fields = NULL;
  JsonArray *forms;
  const char *const *all = tto_protocol_all_forms ();

  if (self->updating || self->event == NULL || !tto_event_is_creator (self->event))
    return;
  fields = json_object_new ();
  forms = json_array_new ();
  for (guint i = 0; all[i] != NULL; i++)
    {
      GtkSwitch *toggle = g_hash_table_lookup (self->form_switches, all[i]);

      if (toggle != NULL && gtk_switch_get_active (toggle))
        json_array_add_string_element (forms, all[i]);
    }
  json_object_set_array_member (fields, "forms", forms);
  send_settings (self, fields);
}

static void
review_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  TtoEventInfoWindow *self = TTO_EVENT_INFO_WINDOW (widget);

  gtk_window_present (GTK_WINDOW (tto_review_window_new (GTK_WINDOW (self), self->session,
                                                         self->event)));
}

static void
setup_governance (TtoEventInfoWindow *self)
{
  const char *const *forms = tto_protocol_all_forms ();

  for (guint i = 0; forms[i] != NULL; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *toggle = gtk_switch_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), tto_form_get_title (forms[i]));
      gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
      adw_preferences_group_add (self->forms_group, row);
      g_hash_table_insert (self->form_switches, (gpointer) forms[i], toggle);
      g_signal_connect_swapped (toggle, "notify::active", G_CALLBACK (on_form_changed), self);
    }
  g_signal_connect_swapped (self->admission_row, "notify::selected",
                            G_CALLBACK (on_admission_changed), self);
  g_signal_connect_swapped (self->third_party_switch, "notify::active",
                            G_CALLBACK (on_rule_changed), self);
  g_signal_connect_swapped (self->id_rule_switch, "notify::active", G_CALLBACK (on_rule_changed),
                            self);
  g_signal_connect_swapped (self->phone_rule_switch, "notify::active",
                            G_CALLBACK (on_rule_changed), self);

  self->review_queue = g_object_ref (tto_session_get_review_queue (self->session, self->event));
  g_signal_connect_swapped (self->review_queue, "items-changed",
                            G_CALLBACK (update_review_count), self);
  tto_session_load_review_queue (self->session, self->event);
  tto_invite_card_set_event (self->invite_card, self->session, self->event);
  tto_ip_allow_row_set_event (self->ip_allow_row, self->session, self->event);
}

TtoInviteCard *
tto_event_info_window_get_invite_card (TtoEventInfoWindow *self)
{
  g_return_val_if_fail (TTO_IS_EVENT_INFO_WINDOW (self), NULL);

  return self->invite_card;
}

TtoIpAllowRow *
tto_event_info_window_get_ip_allow_row (TtoEventInfoWindow *self)
{
  g_return_val_if_fail (TTO_IS_EVENT_INFO_WINDOW (self), NULL);

  return self->ip_allow_row;
}

static void
copy_text (TtoEventInfoWindow *self,
           const char *text,
           const char *toast)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (toast));
}

static void
copy_code_action (GtkWidget *widget,
                  const char *action_name,
                  GVariant *parameter)
{
  TtoEventInfoWindow *self = TTO_EVENT_INFO_WINDOW (widget);

  copy_text (self, adw_action_row_get_subtitle (self->code_row), _("Invite code copied"));
}

static void
copy_id_action (GtkWidget *widget,
                const char *action_name,
                GVariant *parameter)
{
  TtoEventInfoWindow *self = TTO_EVENT_INFO_WINDOW (widget);

  copy_text (self, tto_event_get_id (self->event), _("Event ID copied"));
}

static void
on_end_ready (GObject *object,
              GAsyncResult *result,
              gpointer user_data)
{
  g_autoptr (TtoEventInfoWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!tto_session_end_event_finish (TTO_SESSION (object), result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "info.end", TRUE);
      text = tto_client_describe_error (error);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
      return;
    }

  gtk_window_close (GTK_WINDOW (self));
}

static void
on_confirm_response (AdwMessageDialog *dialog,
                     const char *response,
                     TtoEventInfoWindow *self)
{
  if (g_strcmp0 (response, "end") != 0)
    return;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "info.end", FALSE);
  tto_session_end_event_async (self->session, self->event, self->cancellable, on_end_ready,
                               g_object_ref (self));
}

static void
end_action (GtkWidget *widget,
            const char *action_name,
            GVariant *parameter)
{
  TtoEventInfoWindow *self = TTO_EVENT_INFO_WINDOW (widget);
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("End This Event?"),
                                                       _("Everyone is removed and every message is deleted for good. This cannot be undone.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "end", _("_End Event"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "end", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_confirm_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
tto_event_info_window_dispose (GObject *object)
{
  TtoEventInfoWindow *self = (TtoEventInfoWindow *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->event != NULL)
    g_signal_handlers_disconnect_by_data (self->event, self);
  g_clear_object (&self->event);
  if (self->review_queue != NULL)
    g_signal_handlers_disconnect_by_data (self->review_queue, self);
  g_clear_object (&self->review_queue);
  g_clear_pointer (&self->form_switches, g_hash_table_unref);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_EVENT_INFO_WINDOW);

  G_OBJECT_CLASS (tto_event_info_window_parent_class)->dispose (object);
}

static void
tto_event_info_window_class_init (TtoEventInfoWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_event_info_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-event-info-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, title_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, creator_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, members_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, deadline_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, content_group);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, content_label);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, announcement_group);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, announcement_label);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, code_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, event_id_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, end_group);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, messages_group);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, edit_window_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, recall_window_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, member_list);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, invite_group);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, invite_card);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, review_group);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, review_count_label);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, admission_group);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, admission_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, third_party_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, third_party_switch);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, id_rule_switch);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, phone_rule_switch);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, ip_allow_row);
  gtk_widget_class_bind_template_child (widget_class, TtoEventInfoWindow, forms_group);

  gtk_widget_class_install_action (widget_class, "info.copy-code", NULL, copy_code_action);
  gtk_widget_class_install_action (widget_class, "info.copy-id", NULL, copy_id_action);
  gtk_widget_class_install_action (widget_class, "info.end", NULL, end_action);
  gtk_widget_class_install_action (widget_class, "info.grant-export", "(sx)",
                                   grant_export_action);
  gtk_widget_class_install_action (widget_class, "info.revoke-export", "s",
                                   revoke_export_action);
  gtk_widget_class_install_action (widget_class, "info.grant", "(ssx)", grant_action);
  gtk_widget_class_install_action (widget_class, "info.call-member", "(ss)", call_member_action);
  gtk_widget_class_install_action (widget_class, "info.revoke", "(ss)", revoke_action);
  gtk_widget_class_install_action (widget_class, "info.remove-member", "s",
                                   remove_member_action);
  gtk_widget_class_install_action (widget_class, "info.review", NULL, review_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tto_event_info_window_init (TtoEventInfoWindow *self)
{
  g_type_ensure (TTO_TYPE_INVITE_CARD);
  g_type_ensure (TTO_TYPE_IP_ALLOW_ROW);
  gtk_widget_init_template (GTK_WIDGET (self));
  self->form_switches = g_hash_table_new (g_str_hash, g_str_equal);
  self->cancellable = g_cancellable_new ();
}

TtoEventInfoWindow *
tto_event_info_window_new (GtkWindow *parent,
                           TtoSession *session,
                           TtoEvent *event)
{
  TtoEventInfoWindow *self;

  g_return_val_if_fail (TTO_IS_SESSION (session), NULL);
  g_return_val_if_fail (TTO_IS_EVENT (event), NULL);

  self = g_object_new (TTO_TYPE_EVENT_INFO_WINDOW, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->event = g_object_ref (event);
  setup_governance (self);
  g_signal_connect_swapped (event, "notify", G_CALLBACK (update), self);
  g_signal_connect_object (session, "event-changed", G_CALLBACK (on_session_event_changed), self,
                           0);
  update (self);
  g_signal_connect_swapped (self->edit_window_row, "notify::selected",
                            G_CALLBACK (on_window_row_changed), self);
  g_signal_connect_swapped (self->recall_window_row, "notify::selected",
                            G_CALLBACK (on_window_row_changed), self);
  gtk_list_box_bind_model (self->member_list, tto_session_get_members (session, event),
                           create_member_row, self, NULL);
  tto_session_load_event (session, event);
  return self;
}
