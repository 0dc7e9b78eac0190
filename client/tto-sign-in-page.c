/* tto-sign-in-page.c: the first screen: how to prove who you are, and for
 * how long
 *
 * The page asks the relay which methods it offers (identity.methods) and
 * shows one row per third-party provider it names, then phone, email and
 * "just a name". Each method is a small view of its own; all but the name
 * carry a lifetime row. Everything before sign-in (methods, codes) goes
 * over one connection to the relay in the address row, the "probe"; the
 * sign-in request authenticates it, and the session takes it over.
 *
 * A timed or permanent identity is kept in the keyring
 * (tto-identity-store.c): on first show the page signs in with it by
 * itself. Before a timed identity ends, the window brings the page back in
 * "verify again" mode: the same method over the session's own connection
 * gives the same identity a new expiry and token.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <glib/gi18n.h>

#include "tto-client.h"
#include "tto-identity-store.h"
#include "tto-lifetime-row.h"
#include "tto-oidc-flow.h"
#include "tto-session.h"

#include "tto-sign-in-page.h"

struct _TtoSignInPage
{
  AdwBin parent_instance;

  GtkButton *back_button;
  AdwWindowTitle *window_title;
  GtkWidget *intro_box;
  GtkLabel *error_label;
  GtkStack *view_stack;
  GtkListBox *methods_list;
  AdwActionRow *phone_method_row;
  AdwActionRow *email_method_row;
  AdwActionRow *name_method_row;
  GtkWidget *methods_status;
  GtkSpinner *methods_spinner;
  GtkLabel *methods_label;
  GtkWidget *retry_button;
  AdwEntryRow *relay_row;
  AdwEntryRow *name_row;
  GtkButton *sign_in_button;
  GtkSpinner *spinner;
  TtoPhoneSignIn *phone_sign_in;
  TtoEmailSignIn *email_sign_in;
  AdwPreferencesGroup *provider_group;
  AdwEntryRow *provider_name_row;
  TtoLifetimeRow *provider_lifetime_row;
  GtkLabel *provider_error_label;
  GtkSpinner *provider_spinner;
  GtkLabel *provider_button_label;
  GtkSpinner *restore_spinner;
  GtkLabel *restore_label;

  TtoConnection *probe; /* before sign-in, to the relay in relay_row */
  GCancellable *cancellable;
  GCancellable *methods_cancellable;
  GPtrArray *provider_rows; /* AdwActionRow, "tto-provider-id" data */
  JsonArray *providers;
  char *provider_id;     /* the provider view's */
  GtkWidget *submitting; /* the method widget waiting for its answer */
  TtoSession *reverify;  /* "verify again" for this session */
  gboolean busy;
  gboolean methods_loaded;
  gboolean restore_tried;
};

G_DEFINE_FINAL_TYPE (TtoSignInPage, tto_sign_in_page, ADW_TYPE_BIN)

enum
{
  SIGNED_IN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_busy (TtoSignInPage *self,
          gboolean busy)
{
  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->name_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->relay_row), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.submit", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.provider-continue", !busy);
  gtk_widget_set_visible (GTK_WIDGET (self->provider_spinner), busy);
  gtk_spinner_set_spinning (self->provider_spinner, busy);
}

static void
on_entry_changed (TtoSignInPage *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->relay_row), "error");
}

static char *
get_relay_url (TtoSignInPage *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->relay_row))));
}

/* The connection the phone and email views ask for codes over. */
static void
set_code_connection (TtoSignInPage *self,
                     TtoConnection *connection)
{
  tto_phone_sign_in_set_connection (self->phone_sign_in, connection);
  tto_email_sign_in_set_connection (self->email_sign_in, connection);
}

static void
drop_probe (TtoSignInPage *self)
{
  if (self->probe == NULL)
    return;
  tto_connection_close (self->probe);
  g_clear_object (&self->probe);
}

/* The connection for what the address row says now. */
static TtoConnection *
ensure_probe (TtoSignInPage *self)
{
  g_autofree char *url = get_relay_url (self);

  if (self->probe != NULL && g_strcmp0 (tto_connection_get_url (self->probe), url) == 0)
    return self->probe;

  drop_probe (self);
  self->probe = tto_connection_new (url);
  if (self->reverify == NULL)
    set_code_connection (self, self->probe);
  return self->probe;
}

static void
show_provider_error (TtoSignInPage *self,
                     const char *message)
{
  gtk_label_set_label (self->provider_error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->provider_error_label), message != NULL);
}

/* Methods */

static void
set_methods_status (TtoSignInPage *self,
                    const char *message,
                    gboolean loading,
                    gboolean failed)
{
  gtk_widget_set_visible (self->methods_status, message != NULL);
  gtk_label_set_label (self->methods_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->methods_spinner), loading);
  gtk_spinner_set_spinning (self->methods_spinner, loading);
  gtk_widget_set_visible (self->retry_button, failed);
}

static void
clear_provider_rows (TtoSignInPage *self)
{
  for (guint i = 0; i < self->provider_rows->len; i++)
    gtk_list_box_remove (self->methods_list, g_ptr_array_index (self->provider_rows, i));
  g_ptr_array_set_size (self->provider_rows, 0);
}

static const char *
provider_icon (const char *icon)
{
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());

  if (icon != NULL && *icon != '\0' && gtk_icon_theme_has_icon (theme, icon))
    return icon;
  return "web-browser-symbolic";
}

static void
apply_methods (TtoSignInPage *self,
               JsonObject *body)
{
  JsonArray *providers = NULL;
  JsonArray *ttls = NULL;

  clear_provider_rows (self);
  g_clear_pointer (&self->providers, json_array_unref);

  if (json_object_has_member (body, "providers") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (body, "providers")))
    providers = json_object_get_array_member (body, "providers");
  if (json_object_has_member (body, "ttls") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (body, "ttls")))
    ttls = json_object_get_array_member (body, "ttls");

  for (guint i = 0; providers != NULL && i < json_array_get_length (providers); i++)
    {
      JsonNode *node = json_array_get_element (providers, i);
      JsonObject *provider;
      const char *id, *name;
      AdwActionRow *row;
      GtkWidget *icon;
      g_autofree char *subtitle = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      provider = json_node_get_object (node);
      id = json_object_get_string_member_with_default (provider, "id", NULL);
      name = json_object_get_string_member_with_default (provider, "name", id);
      if (id == NULL || *id == '\0')
        continue;

      row = ADW_ACTION_ROW (adw_action_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_action_row_set_subtitle (row, _("Sign in through its page in your browser"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      icon = gtk_image_new_from_icon_name (
        provider_icon (json_object_get_string_member_with_default (provider, "icon", NULL)));
      adw_action_row_add_prefix (row, icon);
      adw_action_row_add_suffix (row, gtk_image_new_from_icon_name ("go-next-symbolic"));
      g_object_set_data_full (G_OBJECT (row), "tto-provider-id", g_strdup (id), g_free);
      gtk_list_box_insert (self->methods_list, GTK_WIDGET (row), (int) self->provider_rows->len);
      g_ptr_array_add (self->provider_rows, row);
    }
  if (providers != NULL)
    {
      /* The answer is wiped once handled: keep a copy. */
      g_autoptr (JsonNode) copy = tto_json_node_deep_copy (json_object_get_member (body,
                                                                                 "providers"));

      self->providers = json_array_ref (json_node_get_array (copy));
    }

  gtk_widget_set_visible (GTK_WIDGET (self->phone_method_row),
                          json_object_get_boolean_member_with_default (body, "phone", FALSE));
  gtk_widget_set_visible (GTK_WIDGET (self->email_method_row),
                          json_object_get_boolean_member_with_default (body, "email", FALSE));

  if (ttls != NULL)
    {
      tto_lifetime_row_set_ttls (tto_phone_sign_in_get_lifetime_row (self->phone_sign_in), ttls);
      tto_email_sign_in_set_mode (self->email_sign_in, "register");
      tto_lifetime_row_set_ttls (tto_email_sign_in_get_lifetime_row (self->email_sign_in), ttls);
      tto_email_sign_in_set_mode (self->email_sign_in, "login");
      tto_lifetime_row_set_ttls (tto_email_sign_in_get_lifetime_row (self->email_sign_in), ttls);
      tto_lifetime_row_set_ttls (self->provider_lifetime_row, ttls);
    }
  self->methods_loaded = TRUE;
  set_methods_status (self, NULL, FALSE, FALSE);
}

static void
on_methods_ready (GObject *object,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (TtoSignInPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (body == NULL)
    {
      g_autofree char *text = tto_client_describe_error (error);

      set_methods_status (self, text, FALSE, TRUE);
      return;
    }
  apply_methods (self, body);
}

static void
on_methods_open (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (TtoSignInPage) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!tto_connection_open_finish (TTO_CONNECTION (object), result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = tto_client_describe_error (error);
      set_methods_status (self, text, FALSE, TRUE);
      return;
    }
  tto_connection_request_async (TTO_CONNECTION (object), TTO_FRAME_IDENTITY_METHODS, NULL,
                                self->methods_cancellable, on_methods_ready,
                                g_object_ref (self));
}

static void
fetch_methods (TtoSignInPage *self)
{
  TtoConnection *probe;

  g_cancellable_cancel (self->methods_cancellable);
  g_clear_object (&self->methods_cancellable);
  self->methods_cancellable = g_cancellable_new ();
  self->methods_loaded = FALSE;
  clear_provider_rows (self);
  gtk_widget_set_visible (GTK_WIDGET (self->phone_method_row), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->email_method_row), FALSE);
  set_methods_status (self, _("Asking the relay how to sign in…"), TRUE, FALSE);

  probe = ensure_probe (self);
  tto_connection_open_async (probe, self->methods_cancellable, on_methods_open,
                             g_object_ref (self));
}

static void
on_relay_applied (TtoSignInPage *self)
{
  fetch_methods (self);
}

/* Views */

static void
on_view_changed (TtoSignInPage *self)
{
  const char *view = gtk_stack_get_visible_child_name (self->view_stack);
  const char *title = NULL;
  gboolean start = g_strcmp0 (view, "choose") == 0;

  if (g_strcmp0 (view, "name") == 0)
    title = _("Just a Name");
  else if (g_strcmp0 (view, "phone") == 0)
    title = _("Phone Number");
  else if (g_strcmp0 (view, "email") == 0)
    title = _("Email");
  else if (g_strcmp0 (view, "provider") == 0)
    title = adw_preferences_group_get_title (self->provider_group);
  adw_window_title_set_title (self->window_title, title != NULL ? title : "");
  adw_window_title_set_subtitle (self->window_title,
                                 self->reverify != NULL ? _("Verify again") : NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), !start);
  /* The logo takes a phone's whole first screen: only on the start view. */
  gtk_widget_set_visible (self->intro_box, start || g_strcmp0 (view, "name") == 0 ||
                                             g_strcmp0 (view, "restoring") == 0);
}

static const char *
provider_name (TtoSignInPage *self,
               const char *provider_id)
{
  for (guint i = 0; self->providers != NULL && i < json_array_get_length (self->providers); i++)
    {
      JsonNode *node = json_array_get_element (self->providers, i);
      JsonObject *provider;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      provider = json_node_get_object (node);
      if (g_strcmp0 (json_object_get_string_member_with_default (provider, "id", NULL),
                     provider_id) == 0)
        return json_object_get_string_member_with_default (provider, "name", provider_id);
    }
  return NULL;
}

static gboolean
open_provider (TtoSignInPage *self,
               const char *provider_id)
{
  const char *name = provider_name (self, provider_id);
  g_autofree char *title = NULL;

  if (name == NULL)
    return FALSE;
  g_free (self->provider_id);
  self->provider_id = g_strdup (provider_id);
  /* Translators: %s is a sign-in provider, e.g. WeChat */
  title = g_strdup_printf (_("Sign In with %s"), name);
  adw_preferences_group_set_title (self->provider_group, title);
  show_provider_error (self, NULL);
  tto_sign_in_page_show_view (self, "provider");
  return TRUE;
}

static void
on_method_activated (TtoSignInPage *self,
                     GtkListBoxRow *row)
{
  const char *provider_id = g_object_get_data (G_OBJECT (row), "tto-provider-id");

  if (self->busy)
    return;
  if (provider_id != NULL)
    open_provider (self, provider_id);
  else if (row == GTK_LIST_BOX_ROW (self->phone_method_row))
    tto_sign_in_page_show_view (self, "phone");
  else if (row == GTK_LIST_BOX_ROW (self->email_method_row))
    tto_sign_in_page_show_view (self, "email");
  else if (row == GTK_LIST_BOX_ROW (self->name_method_row))
    tto_sign_in_page_show_view (self, "name");
}

/* Signing in */

static void
on_identity_saved (GObject *object,
                   GAsyncResult *result,
                   gpointer user_data)
{
  g_autoptr (GtkWidget) widget = user_data;
  g_autoptr (GError) error = NULL;

  if (!tto_identity_store_save_finish (result, &error))
    {
      g_autofree char *text = NULL;

      g_message ("Could not keep the identity in the keyring: %s", error->message);
      text = g_strdup (_("The keyring could not keep this identity: you will sign in again next time."));
      if (gtk_widget_get_root (widget) != NULL)
        gtk_widget_activate_action (widget, "win.toast", "s", text);
    }
}

static void
on_session_loaded (GObject *object,
                   GAsyncResult *result,
                   gpointer user_data)
{
  g_autoptr (TtoSignInPage) self = user_data;
  g_autoptr (TtoSession) session = TTO_SESSION (g_object_ref (object));
  g_autoptr (GError) error = NULL;

  if (!tto_session_load_finish (session, result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          tto_session_sign_out (session);
          return;
        }
      set_busy (self, FALSE);
      text = tto_client_describe_error (error);
      tto_sign_in_page_show_error (self, text);
      tto_sign_in_page_show_view (self, "choose");
      tto_session_sign_out (session);
      return;
    }

  set_busy (self, FALSE);
  tto_sign_in_page_show_view (self, "choose");
  g_signal_emit (self, signals[SIGNED_IN], 0, session);
}

/* @connection signed in as the identity in @body (with its token, which
 * is wiped here once taken). */
static void
finish_sign_in (TtoSignInPage *self,
                TtoConnection *connection,
                JsonObject *body,
                const char *method)
{
  g_autoptr (TtoIdentity) identity = NULL;
  g_autoptr (TtoSession) session = NULL;
  g_autoptr (GSettings) settings = NULL;
  const char *token;

  identity = tto_identity_new_from_json (body, tto_connection_get_url (connection), method);
  token = json_object_get_string_member_with_default (body, "token", NULL);
  if (token != NULL)
    explicit_bzero ((char *) token, strlen (token));

  if (connection == self->probe)
    {
      /* The session owns it now; the next sign-in gets a new probe. */
      g_clear_object (&self->probe);
      set_code_connection (self, NULL);
    }
  if (!tto_identity_is_one_time (identity))
    tto_identity_store_save_async (identity, NULL, on_identity_saved, g_object_ref (self));

  settings = tto_client_get_settings ();
  if (settings != NULL)
    g_settings_set_string (settings, "relay-url", tto_connection_get_url (connection));

  session = tto_session_new_for_identity (connection, identity);
  tto_session_load_async (session, self->cancellable, on_session_loaded, g_object_ref (self));
}

static void
report_to_method (TtoSignInPage *self,
                  const GError *error,
                  JsonObject *error_body)
{
  if (TTO_IS_PHONE_SIGN_IN (self->submitting))
    tto_phone_sign_in_set_result (TTO_PHONE_SIGN_IN (self->submitting), error, error_body);
  else if (TTO_IS_EMAIL_SIGN_IN (self->submitting))
    tto_email_sign_in_set_result (TTO_EMAIL_SIGN_IN (self->submitting), error, error_body);
  else if (error != NULL)
    {
      g_autofree char *text = tto_identity_describe_error (error, error_body);

      show_provider_error (self, text);
    }
  self->submitting = NULL;
}

typedef struct
{
  TtoSignInPage *self;
  char *method;
} SubmitData;

static void
submit_data_free (SubmitData *data)
{
  g_object_unref (data->self);
  g_free (data->method);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SubmitData, submit_data_free)

static void
on_method_signed_in (GObject *object,
                     GAsyncResult *result,
                     gpointer user_data)
{
  g_autoptr (SubmitData) data = user_data;
  TtoSignInPage *self = data->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;

  body = tto_connection_sign_in_finish (TTO_CONNECTION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (body == NULL)
    {
      set_busy (self, FALSE);
      report_to_method (self, error, tto_connection_get_error_body (result));
      return;
    }
  report_to_method (self, NULL, NULL);
  finish_sign_in (self, TTO_CONNECTION (object), body, data->method);
}

/* Verify again: the same identity, new expiry and token (or @error). */
static void
reverify_done (TtoSignInPage *self,
               TtoConnection *connection,
               JsonObject *body,
               const GError *error,
               JsonObject *error_body)
{
  g_autoptr (TtoSession) session = NULL;
  TtoIdentity *identity;
  const char *token;

  set_busy (self, FALSE);
  if (body == NULL)
    {
      g_autoptr (GError) other = NULL;

      if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_CONFLICT))
        other = g_error_new_literal (TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_CONFLICT,
                                     "this proves another identity; use what you signed in with");
      report_to_method (self, other != NULL ? other : error, error_body);
      return;
    }

  session = g_object_ref (self->reverify);
  identity = tto_session_get_identity (session);
  token = json_object_get_string_member_with_default (body, "token", NULL);
  if (g_strcmp0 (json_object_get_string_member_with_default (body, "identity_id", NULL),
                 tto_identity_get_id (identity)) != 0 || token == NULL)
    {
      g_autoptr (GError) other = g_error_new_literal (
        TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_CONFLICT,
        "this proves another identity; use what you signed in with");

      report_to_method (self, other, NULL);
      return;
    }

  report_to_method (self, NULL, NULL);
  tto_connection_set_token (connection, token);
  tto_identity_update_from_json (identity, body);
  explicit_bzero ((char *) token, strlen (token));
  tto_identity_sync_clock (identity);
  tto_identity_store_save_async (identity, NULL, on_identity_saved, g_object_ref (self));

  g_clear_object (&self->reverify);
  set_code_connection (self, self->probe);
  tto_sign_in_page_show_view (self, "choose");
  g_signal_emit (self, signals[SIGNED_IN], 0, session);
}

static void
on_reverified (GObject *object,
               GAsyncResult *result,
               gpointer user_data)
{
  g_autoptr (SubmitData) data = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;

  body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || data->self->reverify == NULL)
    return;
  reverify_done (data->self, TTO_CONNECTION (object), body, error,
                 tto_connection_get_error_body (result));
}

static void
send_sign_in (TtoSignInPage *self,
              const char *type,
              JsonObject *body,
              const char *method)
{
  SubmitData *data = g_new0 (SubmitData, 1);

  data->self = g_object_ref (self);
  data->method = g_strdup (method);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);

  if (self->reverify != NULL)
    tto_connection_request_async (tto_session_get_connection (self->reverify), type,
                                  json_object_ref (body), self->cancellable, on_reverified,
                                  data);
  else
    tto_connection_sign_in_async (ensure_probe (self), type, json_object_ref (body),
                                  self->cancellable, on_method_signed_in, data);
}

static void
on_method_submit (TtoSignInPage *self,
                  const char *type,
                  JsonObject *body,
                  const char *method,
                  GtkWidget *widget)
{
  /* Connected with swapped="yes": the emitter comes last. */
  self->submitting = widget;
  send_sign_in (self, type, body, method);
}

static void
on_name_signed_in (GObject *object,
                   GAsyncResult *result,
                   gpointer user_data)
{
  g_autoptr (TtoSignInPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;

  body = tto_connection_sign_in_finish (TTO_CONNECTION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (body == NULL)
    {
      g_autofree char *text = tto_client_describe_error (error);

      set_busy (self, FALSE);
      tto_sign_in_page_show_error (self, text);
      if (error->domain == TTO_CONNECTION_ERROR)
        gtk_widget_add_css_class (GTK_WIDGET (self->relay_row), "error");
      else
        gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
      return;
    }
  finish_sign_in (self, TTO_CONNECTION (object), body, TTO_IDENTITY_METHOD_NAME);
}

/* One-time identity: just a name (identity.create). */
static void
submit_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  TtoSignInPage *self = TTO_SIGN_IN_PAGE (widget);
  g_autofree char *name = NULL;
  g_autofree char *url = NULL;
  JsonObject *body;

  if (self->busy)
    return;

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  url = get_relay_url (self);
  if (*name == '\0' || g_utf8_strlen (name, -1) > TTO_PROTOCOL_MAX_NAME_CHARS)
    {
      g_autoptr (GError) error = g_error_new_literal (
        TTO_SESSION_ERROR,
        *name == '\0' ? TTO_SESSION_ERROR_EMPTY_NAME : TTO_SESSION_ERROR_NAME_TOO_LONG, "");
      g_autofree char *text = tto_client_describe_error (error);

      tto_sign_in_page_show_error (self, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      return;
    }
  if (*url == '\0')
    {
      tto_sign_in_page_show_error (self, _("Enter the relay address, for example ws://relay.example.org:8321/v1/ws."));
      gtk_widget_add_css_class (GTK_WIDGET (self->relay_row), "error");
      return;
    }

  on_entry_changed (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  body = json_object_new ();
  json_object_set_string_member (body, "kind", TTO_IDENTITY_ONE_TIME);
  json_object_set_string_member (body, "display_name", name);
  tto_connection_sign_in_async (ensure_probe (self), TTO_FRAME_IDENTITY_CREATE, body,
                                self->cancellable, on_name_signed_in, g_object_ref (self));
}

static void
back_action (GtkWidget *widget,
             const char *action_name,
             GVariant *parameter)
{
  TtoSignInPage *self = TTO_SIGN_IN_PAGE (widget);

  g_cancellable_cancel (self->cancellable);
  set_busy (self, FALSE);
  self->submitting = NULL;
  gtk_label_set_label (self->provider_button_label, _("Continue in Browser"));
  if (self->reverify != NULL)
    {
      /* Not now: back to the session as it is. */
      g_autoptr (TtoSession) session = g_steal_pointer (&self->reverify);

      set_code_connection (self, self->probe);
      tto_sign_in_page_show_view (self, "choose");
      g_signal_emit (self, signals[SIGNED_IN], 0, session);
      return;
    }
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->view_stack), "restoring") == 0)
    drop_probe (self);
  tto_sign_in_page_show_view (self, "choose");
  if (!self->methods_loaded)
    fetch_methods (self);
}

static void
refresh_methods_action (GtkWidget *widget,
                        const char *action_name,
                        GVariant *parameter)
{
  fetch_methods (TTO_SIGN_IN_PAGE (widget));
}

/* Third-party sign-in (RFC 8252: browser, loopback redirect, PKCE), run
 * by TtoOidcFlow over the probe, whose finish signs the probe in. Verifying
 * again, its frames go over the session's connection instead, signed in
 * already: finish there is a plain request. */

static void
on_reverify_oidc_answer (GObject *object,
                         GAsyncResult *result,
                         gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  JsonObject *body = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);

  if (body == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, body, (GDestroyNotify) json_object_unref);
}

static void
reverify_oidc_request (TtoOidcFlow *flow,
                       const char *type,
                       JsonObject *body,
                       GTask *task,
                       gpointer user_data)
{
  tto_connection_request_async (TTO_CONNECTION (user_data), type, body,
                                g_task_get_cancellable (task), on_reverify_oidc_answer,
                                g_object_ref (task));
}

static char *
describe_oidc_error (const GError *error)
{
  if (error->domain == TTO_OIDC_FLOW_ERROR)
    switch ((TtoOidcFlowError) error->code)
      {
      case TTO_OIDC_FLOW_ERROR_BROWSER:
        return g_strdup (_("The browser could not be opened."));
      case TTO_OIDC_FLOW_ERROR_DENIED:
        return g_strdup (_("The provider did not sign you in."));
      case TTO_OIDC_FLOW_ERROR_TIMED_OUT:
        return g_strdup (_("The browser did not come back in time. Try again."));
      case TTO_OIDC_FLOW_ERROR_LISTEN:
      case TTO_OIDC_FLOW_ERROR_BAD_ANSWER:
      case TTO_OIDC_FLOW_ERROR_BUSY:
      default:
        return g_strdup (_("Third-party sign-in could not start. Try again."));
      }
  return tto_identity_describe_error (error, NULL);
}

static void
on_oidc_done (GObject *object,
              GAsyncResult *result,
              gpointer user_data)
{
  g_autoptr (TtoSignInPage) self = user_data;
  g_autoptr (TtoOidcFlow) flow = TTO_OIDC_FLOW (g_object_ref (object));
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;
  g_autofree char *method = NULL;

  body = tto_oidc_flow_run_finish (flow, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_label_set_label (self->provider_button_label, _("Continue in Browser"));
  if (self->reverify != NULL)
    {
      reverify_done (self, tto_session_get_connection (self->reverify), body, error, NULL);
      return;
    }
  if (body == NULL)
    {
      g_autofree char *text = describe_oidc_error (error);

      set_busy (self, FALSE);
      show_provider_error (self, text);
      return;
    }
  method = g_strconcat (TTO_IDENTITY_METHOD_OIDC_PREFIX, tto_oidc_flow_get_provider_id (flow),
                        NULL);
  finish_sign_in (self, self->probe, body, method);
}

static void
provider_continue_action (GtkWidget *widget,
                          const char *action_name,
                          GVariant *parameter)
{
  TtoSignInPage *self = TTO_SIGN_IN_PAGE (widget);
  g_autoptr (TtoOidcFlow) flow = NULL;
  g_autofree char *name = NULL;

  if (self->busy || self->provider_id == NULL)
    return;

  show_provider_error (self, NULL);
  self->submitting = NULL;
  if (self->reverify != NULL)
    flow = tto_oidc_flow_new (self->provider_id, reverify_oidc_request,
                              g_object_ref (tto_session_get_connection (self->reverify)),
                              g_object_unref);
  else
    flow = tto_oidc_flow_new_for_connection (self->provider_id, ensure_probe (self));
  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->provider_name_row))));
  if (*name != '\0')
    tto_oidc_flow_set_display_name (flow, name);
  tto_oidc_flow_set_lifetime (flow, tto_lifetime_row_get_lifetime (self->provider_lifetime_row),
                              (guint) tto_lifetime_row_get_ttl (self->provider_lifetime_row));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  gtk_label_set_label (self->provider_button_label, _("Waiting for the browser…"));
  tto_oidc_flow_run_async (flow, self->cancellable, on_oidc_done, g_object_ref (self));
}

/* Stored identity */

static void
on_stored_cleared (GObject *object,
                   GAsyncResult *result,
                   gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!tto_identity_store_clear_finish (result, &error))
    g_message ("Could not delete the stored identity: %s", error->message);
}

typedef struct
{
  TtoSignInPage *self;
  TtoIdentity *stored;
} RestoreData;

static void
on_restore_auth (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  RestoreData *data = user_data;
  g_autoptr (TtoSignInPage) self = data->self;
  g_autoptr (TtoIdentity) stored = data->stored;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = NULL;

  g_free (data);
  body = tto_connection_sign_in_finish (TTO_CONNECTION (object), result, &error);
  gtk_spinner_set_spinning (self->restore_spinner, FALSE);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_strcmp0 (gtk_stack_get_visible_child_name (self->view_stack), "restoring") != 0)
    return;
  self->busy = FALSE;
  if (body == NULL)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_UNAUTHORIZED))
        {
          /* Expired, deleted or replaced: the stored token is useless. */
          tto_identity_store_clear_async (tto_identity_get_relay_url (stored), NULL,
                                          on_stored_cleared, NULL);
          text = g_strdup (_("Your saved identity has ended. Sign in again."));
        }
      else
        text = tto_client_describe_error (error);
      drop_probe (self);
      tto_sign_in_page_show_view (self, "choose");
      tto_sign_in_page_show_error (self, text);
      fetch_methods (self);
      return;
    }
  finish_sign_in (self, TTO_CONNECTION (object), body, tto_identity_get_method (stored));
}

static void
on_stored_found (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (TtoSignInPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoIdentity) stored = NULL;
  g_autofree char *label = NULL;
  RestoreData *data;
  JsonObject *body;

  stored = tto_identity_store_lookup_finish (result, &error);
  if (stored == NULL || self->busy ||
      g_strcmp0 (gtk_stack_get_visible_child_name (self->view_stack), "choose") != 0)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No stored identity: %s", error->message);
      if (!self->methods_loaded && !self->busy)
        fetch_methods (self);
      return;
    }

  /* Translators: %s is a display name */
  label = g_strdup_printf (_("Signing in as %s…"), tto_identity_get_display_name (stored) != NULL
                                                      ? tto_identity_get_display_name (stored)
                                                      : "");
  gtk_label_set_label (self->restore_label, label);
  gtk_spinner_set_spinning (self->restore_spinner, TRUE);
  tto_sign_in_page_show_view (self, "restoring");
  self->busy = TRUE;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  body = json_object_new ();
  json_object_set_string_member (body, "token", tto_identity_get_token (stored));
  data = g_new0 (RestoreData, 1);
  data->self = g_object_ref (self);
  data->stored = g_object_ref (stored);
  tto_connection_sign_in_async (ensure_probe (self), TTO_FRAME_AUTH, body, self->cancellable,
                                on_restore_auth, data);
}

/* GObject */

static void
on_map (GtkWidget *widget,
        TtoSignInPage *self)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  if (GTK_IS_WINDOW (root))
    gtk_window_set_default_widget (GTK_WINDOW (root), GTK_WIDGET (self->sign_in_button));
  if (!self->restore_tried)
    {
      self->restore_tried = TRUE;
      tto_sign_in_page_restore (self);
    }
}

static void
tto_sign_in_page_dispose (GObject *object)
{
  TtoSignInPage *self = (TtoSignInPage *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->methods_cancellable);
  g_clear_object (&self->methods_cancellable);
  drop_probe (self);
  g_clear_object (&self->reverify);
  g_clear_pointer (&self->providers, json_array_unref);
  g_clear_pointer (&self->provider_rows, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_SIGN_IN_PAGE);

  G_OBJECT_CLASS (tto_sign_in_page_parent_class)->dispose (object);
}

static void
tto_sign_in_page_finalize (GObject *object)
{
  TtoSignInPage *self = (TtoSignInPage *) object;

  g_free (self->provider_id);

  G_OBJECT_CLASS (tto_sign_in_page_parent_class)->finalize (object);
}

static void
tto_sign_in_page_class_init (TtoSignInPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_sign_in_page_dispose;
  object_class->finalize = tto_sign_in_page_finalize;

  /* The session, signed in (or, after "verify again", the same session). */
  signals[SIGNED_IN] = g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, TTO_TYPE_SESSION);

  g_type_ensure (TTO_TYPE_PHONE_SIGN_IN);
  g_type_ensure (TTO_TYPE_EMAIL_SIGN_IN);
  g_type_ensure (TTO_TYPE_LIFETIME_ROW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, intro_box);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, methods_list);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, phone_method_row);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, email_method_row);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, name_method_row);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, methods_status);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, methods_spinner);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, methods_label);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, retry_button);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, relay_row);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, phone_sign_in);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, email_sign_in);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, provider_group);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, provider_name_row);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, provider_lifetime_row);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, provider_error_label);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, provider_spinner);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, provider_button_label);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, restore_spinner);
  gtk_widget_class_bind_template_child (widget_class, TtoSignInPage, restore_label);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_relay_applied);
  gtk_widget_class_bind_template_callback (widget_class, on_view_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_method_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_method_submit);

  gtk_widget_class_install_action (widget_class, "sign-in.submit", NULL, submit_action);
  gtk_widget_class_install_action (widget_class, "sign-in.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "sign-in.refresh-methods", NULL,
                                   refresh_methods_action);
  gtk_widget_class_install_action (widget_class, "sign-in.provider-continue", NULL,
                                   provider_continue_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "sign-in.back", NULL);
}

static void
tto_sign_in_page_init (TtoSignInPage *self)
{
  g_autofree char *url = NULL;

  self->provider_rows = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  url = tto_client_get_default_relay_url ();
  gtk_editable_set_text (GTK_EDITABLE (self->relay_row), url);
  g_signal_connect (self, "map", G_CALLBACK (on_map), self);
  on_view_changed (self);
}

/* Public API */

void
tto_sign_in_page_set_display_name (TtoSignInPage *self,
                                   const char *name)
{
  g_return_if_fail (TTO_IS_SIGN_IN_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name != NULL ? name : "");
}

void
tto_sign_in_page_set_relay_url (TtoSignInPage *self,
                                const char *url)
{
  g_return_if_fail (TTO_IS_SIGN_IN_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->relay_row), url != NULL ? url : "");
}

void
tto_sign_in_page_show_error (TtoSignInPage *self,
                             const char *message)
{
  g_return_if_fail (TTO_IS_SIGN_IN_PAGE (self));

  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* The error shown, or NULL. */
const char *
tto_sign_in_page_get_error (TtoSignInPage *self)
{
  g_return_val_if_fail (TTO_IS_SIGN_IN_PAGE (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_label (self->error_label);
}

void
tto_sign_in_page_show_view (TtoSignInPage *self,
                            const char *view)
{
  g_return_if_fail (TTO_IS_SIGN_IN_PAGE (self));
  g_return_if_fail (view != NULL);

  if (g_str_equal (view, "choose") && self->reverify != NULL)
    {
      /* Verifying again ends with the view it began from. */
      g_clear_object (&self->reverify);
      set_code_connection (self, self->probe);
    }
  gtk_stack_set_visible_child_name (self->view_stack, view);
  if (g_str_equal (view, "name"))
    gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
  else if (!g_str_equal (view, "choose") && !g_str_equal (view, "restoring"))
    gtk_widget_child_focus (gtk_stack_get_visible_child (self->view_stack), GTK_DIR_TAB_FORWARD);
}

const char *
tto_sign_in_page_get_view (TtoSignInPage *self)
{
  g_return_val_if_fail (TTO_IS_SIGN_IN_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (self->view_stack);
}

/* Asks the relay in the address row for its methods again. */
void
tto_sign_in_page_refresh_methods (TtoSignInPage *self)
{
  g_return_if_fail (TTO_IS_SIGN_IN_PAGE (self));

  fetch_methods (self);
}

gboolean
tto_sign_in_page_get_methods_loaded (TtoSignInPage *self)
{
  g_return_val_if_fail (TTO_IS_SIGN_IN_PAGE (self), FALSE);
  return self->methods_loaded;
}

guint
tto_sign_in_page_get_n_providers (TtoSignInPage *self)
{
  g_return_val_if_fail (TTO_IS_SIGN_IN_PAGE (self), 0);
  return self->provider_rows->len;
}

/* Opens the view of the provider the relay named @provider_id. */
gboolean
tto_sign_in_page_open_provider (TtoSignInPage *self,
                                const char *provider_id)
{
  g_return_val_if_fail (TTO_IS_SIGN_IN_PAGE (self), FALSE);

  return open_provider (self, provider_id);
}

TtoPhoneSignIn *
tto_sign_in_page_get_phone (TtoSignInPage *self)
{
  g_return_val_if_fail (TTO_IS_SIGN_IN_PAGE (self), NULL);
  return self->phone_sign_in;
}

TtoEmailSignIn *
tto_sign_in_page_get_email (TtoSignInPage *self)
{
  g_return_val_if_fail (TTO_IS_SIGN_IN_PAGE (self), NULL);
  return self->email_sign_in;
}

TtoLifetimeRow *
tto_sign_in_page_get_provider_lifetime_row (TtoSignInPage *self)
{
  g_return_val_if_fail (TTO_IS_SIGN_IN_PAGE (self), NULL);
  return self->provider_lifetime_row;
}

/* Signs in with the identity the keyring holds for the relay in the
 * address row, if any; else asks the relay for its methods. */
void
tto_sign_in_page_restore (TtoSignInPage *self)
{
  g_autofree char *url = NULL;

  g_return_if_fail (TTO_IS_SIGN_IN_PAGE (self));

  url = get_relay_url (self);
  if (*url == '\0')
    return;
  tto_identity_store_lookup_async (url, NULL, on_stored_found, g_object_ref (self));
}

gboolean
tto_sign_in_page_get_busy (TtoSignInPage *self)
{
  g_return_val_if_fail (TTO_IS_SIGN_IN_PAGE (self), FALSE);
  return self->busy;
}

/* Opens the method @session's identity was proven with, to sign in with it
 * again before it ends; "signed-in" then brings the same session back. */
void
tto_sign_in_page_reverify (TtoSignInPage *self,
                           TtoSession *session)
{
  TtoIdentity *identity;
  const char *method;

  g_return_if_fail (TTO_IS_SIGN_IN_PAGE (self));
  g_return_if_fail (TTO_IS_SESSION (session));

  identity = tto_session_get_identity (session);
  method = identity != NULL ? tto_identity_get_method (identity) : NULL;
  g_set_object (&self->reverify, session);
  tto_sign_in_page_show_error (self, NULL);
  set_code_connection (self, tto_session_get_connection (session));
  if (g_strcmp0 (method, TTO_IDENTITY_METHOD_PHONE) == 0)
    {
      tto_lifetime_row_select (tto_phone_sign_in_get_lifetime_row (self->phone_sign_in),
                               tto_identity_get_kind (identity), 3600);
      tto_sign_in_page_show_view (self, "phone");
    }
  else if (g_strcmp0 (method, TTO_IDENTITY_METHOD_EMAIL) == 0)
    {
      tto_email_sign_in_set_mode (self->email_sign_in, "login");
      tto_sign_in_page_show_view (self, "email");
    }
  else if (method != NULL && g_str_has_prefix (method, TTO_IDENTITY_METHOD_OIDC_PREFIX) &&
           open_provider (self, method + strlen (TTO_IDENTITY_METHOD_OIDC_PREFIX)))
    ;
  else
    tto_sign_in_page_show_view (self, "choose");
  on_view_changed (self);
}
