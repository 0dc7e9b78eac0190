/* tto-ip-allow-row.c: the creator's list of networks members may join from
 *
 * An expander in the event's settings: an entry to add a network (checked
 * here with shared/tto-cidr before it is sent, the reason shown under it),
 * then one row per network with its remove button. Every change is one
 * event.update carrying the whole list; the rows follow the event as the
 * relay reports it back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-cidr.h"
#include "tto-client.h"
#include "tto-ip-allow-row.h"

struct _TtoIpAllowRow
{
  AdwExpanderRow parent_instance;

  AdwEntryRow *entry;
  GtkButton *add_button;
  GtkListBoxRow *message_row;
  GtkLabel *message_label;

  GPtrArray *network_rows; /* AdwActionRow, added to the expander */
  TtoSession *session;
  TtoEvent *event;
  GCancellable *cancellable;
  char *error; /* shown under the entry; NULL: the hint is */
  gboolean busy;
};

G_DEFINE_FINAL_TYPE (TtoIpAllowRow, tto_ip_allow_row, ADW_TYPE_EXPANDER_ROW)

static void
show_message (TtoIpAllowRow *self,
              const char *error)
{
  g_free (self->error);
  self->error = g_strdup (error);

  if (error != NULL)
    {
      gtk_label_set_label (self->message_label, error);
      gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->entry), "error");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->entry),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, error, -1);
      return;
    }

  gtk_label_set_label (self->message_label,
                       _("Leave empty to allow everyone. Otherwise add networks such as "
                         "192.168.1.0/24 or 2001:db8::/32, or single addresses: members on "
                         "other networks are shut out. You never are."));
  gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
  gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "dim-label");
  gtk_widget_remove_css_class (GTK_WIDGET (self->entry), "error");
  gtk_accessible_reset_property (GTK_ACCESSIBLE (self->entry),
                                 GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

static GtkWidget *
create_network_row (const char *network)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  /* Translators: %s is a network, e.g. 10.0.0.0/8 */
  g_autofree char *label = g_strdup_printf (_("Remove %s"), network);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), network);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (button, 44, 44);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "ip-allow.remove");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", network);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  g_object_set_data_full (G_OBJECT (row), "network", g_strdup (network), g_free);
  g_object_set_data (G_OBJECT (row), "remove-button", button);

  return row;
}

/* The rows as the relay has the list now. */
static void
sync_rows (TtoIpAllowRow *self)
{
  const char *const *networks = self->event != NULL ? tto_event_get_ip_allow (self->event) : NULL;
  guint n = networks != NULL ? g_strv_length ((char **) networks) : 0;
  g_autofree char *subtitle = NULL;

  for (guint i = 0; i < self->network_rows->len; i++)
    adw_expander_row_remove (ADW_EXPANDER_ROW (self), self->network_rows->pdata[i]);
  g_ptr_array_set_size (self->network_rows, 0);

  for (guint i = 0; i < n; i++)
    {
      GtkWidget *row = create_network_row (networks[i]);

      adw_expander_row_add_row (ADW_EXPANDER_ROW (self), row);
      g_ptr_array_add (self->network_rows, row);
    }

  if (n == 0)
    subtitle = g_strdup (_("Everyone may join"));
  else
    subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Only from %u network",
                                             "Only from %u networks", n),
                                n);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (self), subtitle);
}

static void
on_saved (GObject *object,
          GAsyncResult *result,
          gpointer user_data)
{
  g_autoptr (TtoIpAllowRow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  self->busy = FALSE;
  if (tto_session_governance_finish (TTO_SESSION (object), result, &error))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
      show_message (self, NULL);
      sync_rows (self);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  text = tto_client_describe_error (error);
  show_message (self, text);
}

static void
send_list (TtoIpAllowRow *self,
           const char *const *networks)
{
  g_autoptr (JsonObject) fields = json_object_new ();
  JsonArray *array = json_array_new ();

  for (guint i = 0; networks[i] != NULL; i++)
    json_array_add_string_element (array, networks[i]);
  json_object_set_array_member (fields, "ip_allow", array);

  self->busy = TRUE;
  tto_session_update_settings_async (self->session, self->event, fields, self->cancellable,
                                     on_saved, g_object_ref (self));
}

/* What a person can do about each mistake, in their language. */
static char *
describe_cidr_error (const char *text,
                     const GError *error)
{
  if (g_error_matches (error, TTO_CIDR_ERROR, TTO_CIDR_ERROR_HOST_BITS))
    {
      g_autofree char *network = tto_cidr_network_of (text);

      /* Translators: the first %s is what was typed, the second the network it lies in */
      return g_strdup_printf (_("“%s” is not the start of a network. Did you mean %s?"), text,
                              network);
    }
  if (g_error_matches (error, TTO_CIDR_ERROR, TTO_CIDR_ERROR_PREFIX))
    return g_strdup (_("The number after “/” must be 0–32 for IPv4 or 0–128 for IPv6."));
  if (g_error_matches (error, TTO_CIDR_ERROR, TTO_CIDR_ERROR_TOO_MANY))
    return g_strdup_printf (_("At most %d networks fit on the list."), TTO_CIDR_MAX_ENTRIES);

  /* Translators: %s is what was typed */
  return g_strdup_printf (_("“%s” is not an IP address or network."), text);
}

/**
 * tto_ip_allow_row_add:
 * @text: a network as typed
 *
 * Checks @text and, when it is a network not on the list yet, sends the
 * longer list. Returns: %FALSE when @text was refused (the reason shows
 * under the entry).
 */
gboolean
tto_ip_allow_row_add (TtoIpAllowRow *self,
                      const char *text)
{
  g_autofree char *typed = NULL;
  g_autofree char *network = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GStrvBuilder) builder = NULL;
  g_auto (GStrv) networks = NULL;
  const char *const *current;

  g_return_val_if_fail (TTO_IS_IP_ALLOW_ROW (self), FALSE);
  g_return_val_if_fail (self->event != NULL, FALSE);

  if (self->busy)
    return FALSE;

  typed = g_strstrip (g_strdup (text != NULL ? text : ""));
  if (typed[0] == '\0')
    {
      show_message (self, _("Type a network first, such as 192.168.1.0/24."));
      return FALSE;
    }

  network = tto_cidr_normalize (typed, &error);
  if (network == NULL)
    {
      g_autofree char *message = describe_cidr_error (typed, error);

      show_message (self, message);
      return FALSE;
    }

  current = tto_event_get_ip_allow (self->event);
  if (g_strv_contains (current, network))
    {
      /* Translators: %s is a network, e.g. 10.0.0.0/8 */
      g_autofree char *message = g_strdup_printf (_("%s is on the list already."), network);

      show_message (self, message);
      return FALSE;
    }
  if (g_strv_length ((char **) current) >= TTO_CIDR_MAX_ENTRIES)
    {
      g_autofree char *message = g_strdup_printf (_("At most %d networks fit on the list."),
                                                  TTO_CIDR_MAX_ENTRIES);

      show_message (self, message);
      return FALSE;
    }

  builder = g_strv_builder_new ();
  g_strv_builder_addv (builder, (const char **) current);
  g_strv_builder_add (builder, network);
  networks = g_strv_builder_end (builder);
  show_message (self, NULL);
  send_list (self, (const char *const *) networks);
  return TRUE;
}

void
tto_ip_allow_row_remove (TtoIpAllowRow *self,
                         const char *network)
{
  g_autoptr (GStrvBuilder) builder = NULL;
  g_auto (GStrv) networks = NULL;
  const char *const *current;

  g_return_if_fail (TTO_IS_IP_ALLOW_ROW (self));
  g_return_if_fail (self->event != NULL);

  if (self->busy)
    return;

  builder = g_strv_builder_new ();
  current = tto_event_get_ip_allow (self->event);
  for (guint i = 0; current[i] != NULL; i++)
    if (g_strcmp0 (current[i], network) != 0)
      g_strv_builder_add (builder, current[i]);
  networks = g_strv_builder_end (builder);
  send_list (self, (const char *const *) networks);
}

static void
add_action (GtkWidget *widget,
            const char *action_name,
            GVariant *parameter)
{
  TtoIpAllowRow *self = TTO_IP_ALLOW_ROW (widget);

  tto_ip_allow_row_add (self, gtk_editable_get_text (GTK_EDITABLE (self->entry)));
}

static void
remove_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  tto_ip_allow_row_remove (TTO_IP_ALLOW_ROW (widget), g_variant_get_string (parameter, NULL));
}

static void
on_entry_changed (TtoIpAllowRow *self)
{
  /* The mistake is being fixed: back to the hint. */
  if (self->error != NULL)
    show_message (self, NULL);
}

static void
on_entry_activated (TtoIpAllowRow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "ip-allow.add", NULL);
}

const char *
tto_ip_allow_row_get_error (TtoIpAllowRow *self)
{
  g_return_val_if_fail (TTO_IS_IP_ALLOW_ROW (self), NULL);

  return self->error;
}

AdwEntryRow *
tto_ip_allow_row_get_entry (TtoIpAllowRow *self)
{
  g_return_val_if_fail (TTO_IS_IP_ALLOW_ROW (self), NULL);

  return self->entry;
}

/* The remove button of @network's row, or NULL when it has none. */
GtkWidget *
tto_ip_allow_row_get_remove_button (TtoIpAllowRow *self,
                                    const char *network)
{
  g_return_val_if_fail (TTO_IS_IP_ALLOW_ROW (self), NULL);

  for (guint i = 0; i < self->network_rows->len; i++)
    if (g_strcmp0 (g_object_get_data (self->network_rows->pdata[i], "network"), network) == 0)
      return g_object_get_data (self->network_rows->pdata[i], "remove-button");

  return NULL;
}

/* TRUE while a change is on its way to the relay. */
gboolean
tto_ip_allow_row_get_busy (TtoIpAllowRow *self)
{
  g_return_val_if_fail (TTO_IS_IP_ALLOW_ROW (self), FALSE);

  return self->busy;
}

void
tto_ip_allow_row_set_event (TtoIpAllowRow *self,
                            TtoSession *session,
                            TtoEvent *event)
{
  g_return_if_fail (TTO_IS_IP_ALLOW_ROW (self));
  g_return_if_fail (TTO_IS_SESSION (session));
  g_return_if_fail (TTO_IS_EVENT (event));

  if (self->event != NULL)
    g_signal_handlers_disconnect_by_data (self->event, self);
  g_set_object (&self->session, session);
  g_set_object (&self->event, event);
  g_signal_connect_object (event, "notify::ip-allow", G_CALLBACK (sync_rows), self,
                           G_CONNECT_SWAPPED);
  sync_rows (self);
}

static void
tto_ip_allow_row_dispose (GObject *object)
{
  TtoIpAllowRow *self = (TtoIpAllowRow *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->event != NULL)
    g_signal_handlers_disconnect_by_data (self->event, self);
  g_clear_object (&self->event);
  g_clear_object (&self->session);
  g_clear_pointer (&self->network_rows, g_ptr_array_unref);
  g_clear_pointer (&self->error, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_IP_ALLOW_ROW);

  G_OBJECT_CLASS (tto_ip_allow_row_parent_class)->dispose (object);
}

static void
tto_ip_allow_row_class_init (TtoIpAllowRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_ip_allow_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-ip-allow-row.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoIpAllowRow, entry);
  gtk_widget_class_bind_template_child (widget_class, TtoIpAllowRow, add_button);
  gtk_widget_class_bind_template_child (widget_class, TtoIpAllowRow, message_row);
  gtk_widget_class_bind_template_child (widget_class, TtoIpAllowRow, message_label);

  gtk_widget_class_install_action (widget_class, "ip-allow.add", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "ip-allow.remove", "s", remove_action);
}

static void
tto_ip_allow_row_init (TtoIpAllowRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->network_rows = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  g_signal_connect_swapped (self->entry, "changed", G_CALLBACK (on_entry_changed), self);
  g_signal_connect_swapped (self->entry, "entry-activated", G_CALLBACK (on_entry_activated),
                            self);
  show_message (self, NULL);
}
