/* tto-home-page.c: the lists of events
 *
 * Two list views over the session's "created by me" and "joined" models,
 * each under its heading, and an empty state with the two ways in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-client.h"
#include "tto-event-row.h"
#include "tto-history-row.h"
#include "tto-history.h"
#include "tto-join-dialog.h"
#include "tto-window.h"

#include "tto-home-page.h"

struct _TtoHomePage
{
  AdwBin parent_instance;

  AdwHeaderBar *header_bar;
  AdwWindowTitle *window_title;
  GtkStack *stack;
  GtkLabel *created_heading;
  GtkLabel *joined_heading;
  GtkListView *created_list;
  GtkListView *joined_list;
  GtkLabel *waiting_heading;
  GtkListView *waiting_list;
  GtkLabel *history_heading;
  GtkLabel *history_explanation;
  GtkListView *history_list;

  TtoSession *session;
  TtoHistory *history;
  TtoEvent *selected_event;
  gboolean folded;
};

G_DEFINE_FINAL_TYPE (TtoHomePage, tto_home_page, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_FOLDED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_visibility (TtoHomePage *self)
{
  guint created = 0;
  guint joined = 0;
  guint waiting = 0;
  guint history = 0;

  if (self->session != NULL)
    {
      created = g_list_model_get_n_items (tto_session_get_created_events (self->session));
      joined = g_list_model_get_n_items (tto_session_get_joined_events (self->session));
      waiting = g_list_model_get_n_items (tto_session_get_applications (self->session));
    }
  if (self->history != NULL)
    history = g_list_model_get_n_items (tto_history_get_entries (self->history));

  gtk_widget_set_visible (GTK_WIDGET (self->waiting_heading), waiting > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->waiting_list), waiting > 0);

  gtk_widget_set_visible (GTK_WIDGET (self->created_heading), created > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->created_list), created > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->joined_heading), joined > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->joined_list), joined > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->history_heading), history > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->history_explanation), history > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->history_list), history > 0);
  gtk_stack_set_visible_child_name (self->stack,
                                    created + joined + waiting + history > 0 ? "list" : "empty");
}

static void
on_list_activate (GtkListView *list,
                  guint position,
                  TtoHomePage *self)
{
  g_autoptr (TtoEvent) event = g_list_model_get_item (G_LIST_MODEL (gtk_list_view_get_model (list)),
                                                       position);

  if (event != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.open-event", "s",
                                tto_event_get_id (event));
}

static void
on_factory_setup (GtkSignalListItemFactory *factory,
                  GtkListItem *item,
                  gpointer user_data)
{
  gtk_list_item_set_child (item, GTK_WIDGET (tto_event_row_new ()));
}

static void
on_factory_bind (GtkSignalListItemFactory *factory,
                 GtkListItem *item,
                 TtoHomePage *self)
{
  TtoEventRow *row = TTO_EVENT_ROW (gtk_list_item_get_child (item));

  tto_event_row_set_event (row, gtk_list_item_get_item (item));
  tto_event_row_set_session (row, self->session);
}

static void
on_factory_unbind (GtkSignalListItemFactory *factory,
                   GtkListItem *item,
                   gpointer user_data)
{
  TtoEventRow *row = TTO_EVENT_ROW (gtk_list_item_get_child (item));

  tto_event_row_set_event (row, NULL);
  tto_event_row_set_session (row, NULL);
}

static GtkListItemFactory *
create_factory (TtoHomePage *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (on_factory_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (on_factory_bind), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (on_factory_unbind), NULL);
  return factory;
}

static void
on_history_setup (GtkSignalListItemFactory *factory,
                  GtkListItem *item,
                  gpointer user_data)
{
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_child (item, tto_history_row_new ());
}

static void
on_history_bind (GtkSignalListItemFactory *factory,
                 GtkListItem *item,
                 gpointer user_data)
{
  tto_history_row_set_entry (TTO_HISTORY_ROW (gtk_list_item_get_child (item)),
                             gtk_list_item_get_item (item));
}

static void
on_history_unbind (GtkSignalListItemFactory *factory,
                   GtkListItem *item,
                   gpointer user_data)
{
  tto_history_row_set_entry (TTO_HISTORY_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
on_history_deleted (GObject *object,
                    GAsyncResult *result,
                    gpointer user_data)
{
  g_autoptr (TtoHomePage) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!tto_history_delete_finish (TTO_HISTORY (object), result, &error))
    {
      g_autofree char *text = tto_client_describe_error (error);
      GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), TTO_TYPE_WINDOW);

      if (window != NULL)
        tto_window_add_toast (TTO_WINDOW (window), text);
    }
}

static void
delete_history_action (GtkWidget *widget,
                       const char *action_name,
                       GVariant *parameter)
{
  TtoHomePage *self = TTO_HOME_PAGE (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  GListModel *entries;

  if (self->history == NULL)
    return;
  entries = tto_history_get_entries (self->history);
  for (guint i = 0; i < g_list_model_get_n_items (entries); i++)
    {
      g_autoptr (TtoHistoryEntry) entry = g_list_model_get_item (entries, i);

      if (g_strcmp0 (tto_history_entry_get_id (entry), id) == 0)
        {
          tto_history_delete_async (self->history, entry, NULL, on_history_deleted,
                                    g_object_ref (self));
          return;
        }
    }
}

/* Selects @event in whichever list holds it, nothing in the other. */
static void
select_in (GtkListView *list,
           TtoEvent *event)
{
  GtkSingleSelection *selection = GTK_SINGLE_SELECTION (gtk_list_view_get_model (list));
  GListModel *model;

  if (selection == NULL)
    return;
  model = G_LIST_MODEL (selection);
  for (guint i = 0; event != NULL && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (TtoEvent) item = g_list_model_get_item (model, i);

      if (item == event)
        {
          gtk_single_selection_set_selected (selection, i);
          return;
        }
    }
  gtk_single_selection_set_selected (selection, GTK_INVALID_LIST_POSITION);
}

static void
apply_selection (TtoHomePage *self)
{
  select_in (self->created_list, self->selected_event);
  select_in (self->joined_list, self->selected_event);
}

static GtkSelectionModel *
new_selection (GListModel *model)
{
  GtkSingleSelection *selection = gtk_single_selection_new (g_object_ref (model));

  /* Only the open chat is selected; nothing while none is open. */
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_single_selection_set_selected (selection, GTK_INVALID_LIST_POSITION);
  return GTK_SELECTION_MODEL (selection);
}

static void
tto_home_page_dispose (GObject *object)
{
  TtoHomePage *self = (TtoHomePage *) object;

  tto_home_page_set_session (self, NULL);
  g_clear_object (&self->selected_event);
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_HOME_PAGE);

  G_OBJECT_CLASS (tto_home_page_parent_class)->dispose (object);
}

static void
tto_home_page_get_property (GObject *object,
                            guint prop_id,
                            GValue *value,
                            GParamSpec *pspec)
{
  TtoHomePage *self = TTO_HOME_PAGE (object);

  switch (prop_id)
    {
    case PROP_FOLDED:
      g_value_set_boolean (value, self->folded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_home_page_set_property (GObject *object,
                            guint prop_id,
                            const GValue *value,
                            GParamSpec *pspec)
{
  TtoHomePage *self = TTO_HOME_PAGE (object);

  switch (prop_id)
    {
    case PROP_FOLDED:
      self->folded = g_value_get_boolean (value);
      /* Folded, this page fills the window and carries its buttons. */
      adw_header_bar_set_show_end_title_buttons (self->header_bar, self->folded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Applications waiting for approval */

static TtoJoinRequest *
find_application (TtoHomePage *self,
                  const char *event_id)
{
  GListModel *model = tto_session_get_applications (self->session);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (TtoJoinRequest) request = g_list_model_get_item (model, i);

      if (g_strcmp0 (tto_join_request_get_event_id (request), event_id) == 0)
        return request; /* the model keeps it */
    }
  return NULL;
}

static void
bind_waiting_row (GtkListItem *item)
{
  GtkWidget *row = gtk_list_item_get_child (item);
  TtoJoinRequest *request = gtk_list_item_get_item (item);
  GtkWidget *update_button = g_object_get_data (G_OBJECT (row), "update");
  GtkWidget *dismiss_button = g_object_get_data (G_OBJECT (row), "dismiss");
  const char *status;
  g_autofree char *text = NULL;
  g_autofree char *label = NULL;

  if (request == NULL)
    return;
  status = tto_join_request_get_status (request);
  gtk_label_set_label (g_object_get_data (G_OBJECT (row), "title"),
                       tto_join_request_get_event_title (request));
  if (g_strcmp0 (status, TTO_JOIN_REQUEST_REJECTED) == 0)
    text = g_strdup (_("The organiser did not admit you."));
  else if (g_strcmp0 (status, TTO_JOIN_REQUEST_MORE_INFO) == 0)
    /* Translators: %s is what the organiser asked for */
    text = g_strdup_printf (_("The organiser asks: %s"), tto_join_request_get_message (request));
  else
    text = g_strdup (_("Waiting for approval"));
  gtk_label_set_label (g_object_get_data (G_OBJECT (row), "status"), text);
  /* Asked for more: the button says so, and stands out. */
  gtk_widget_set_visible (update_button, g_strcmp0 (status, TTO_JOIN_REQUEST_REJECTED) != 0);
  if (g_strcmp0 (status, TTO_JOIN_REQUEST_MORE_INFO) == 0)
    gtk_widget_add_css_class (update_button, "suggested-action");
  else
    gtk_widget_remove_css_class (update_button, "suggested-action");
  gtk_widget_set_visible (dismiss_button, g_strcmp0 (status, TTO_JOIN_REQUEST_REJECTED) == 0);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (update_button), "s",
                                    tto_join_request_get_event_id (request));
  gtk_actionable_set_action_target (GTK_ACTIONABLE (dismiss_button), "s",
                                    tto_join_request_get_event_id (request));
  /* Translators: %s is an event's title */
  label = g_strdup_printf (_("Dismiss the request to join %s"),
                           tto_join_request_get_event_title (request));
  gtk_accessible_update_property (GTK_ACCESSIBLE (dismiss_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  label, -1);
}

static void
on_waiting_notify (TtoJoinRequest *request,
                   GParamSpec *pspec,
                   GtkListItem *item)
{
  if (gtk_list_item_get_item (item) == (gpointer) request)
    bind_waiting_row (item);
}

static void
on_waiting_setup (GtkSignalListItemFactory *factory,
                  GtkListItem *item,
                  gpointer user_data)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *icon = gtk_image_new_from_icon_name ("tto-pending-symbolic");
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *status = gtk_label_new (NULL);
  GtkWidget *update_button = gtk_button_new_with_mnemonic (_("Add _Evidence…"));
  GtkWidget *dismiss_button = gtk_button_new_from_icon_name ("window-close-symbolic");

  gtk_widget_set_margin_top (row, 8);
  gtk_widget_set_margin_bottom (row, 8);
  gtk_widget_set_margin_start (row, 6);
  gtk_widget_set_margin_end (row, 6);
  gtk_image_set_icon_size (GTK_IMAGE (icon), GTK_ICON_SIZE_LARGE);
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_widget_set_margin_top (icon, 4);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Waiting for approval"), -1);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (status), 0);
  gtk_label_set_wrap (GTK_LABEL (status), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (status), PANGO_WRAP_WORD_CHAR);
  /* The list measures rows before it knows their width: a narrow natural
   * width and a few lines at most keep the organiser's question whole
   * enough and never clipped (the "Add Evidence" dialog shows all of it). */
  gtk_label_set_lines (GTK_LABEL (status), 3);
  gtk_label_set_ellipsize (GTK_LABEL (status), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (status), 28);
  gtk_widget_add_css_class (status, "caption");
  gtk_widget_add_css_class (status, "dim-label");
  gtk_box_append (GTK_BOX (text), title);
  gtk_box_append (GTK_BOX (text), status);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_valign (text, GTK_ALIGN_CENTER);
  /* The event id is set on bind. */
  gtk_actionable_set_action_target (GTK_ACTIONABLE (update_button), "s", "");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (update_button), "home.update-reason");
  gtk_widget_set_halign (update_button, GTK_ALIGN_START);
  gtk_widget_set_margin_top (update_button, 6);
  gtk_widget_set_size_request (update_button, -1, 44);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (dismiss_button), "s", "");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (dismiss_button), "home.dismiss");
  gtk_widget_set_valign (dismiss_button, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (dismiss_button, 44, 44);
  gtk_widget_add_css_class (dismiss_button, "flat");
  gtk_widget_set_tooltip_text (dismiss_button, _("Dismiss"));
  gtk_box_append (GTK_BOX (row), icon);
  gtk_box_append (GTK_BOX (text), update_button);
  gtk_box_append (GTK_BOX (row), text);
  gtk_box_append (GTK_BOX (row), dismiss_button);
  g_object_set_data (G_OBJECT (row), "title", title);
  g_object_set_data (G_OBJECT (row), "status", status);
  g_object_set_data (G_OBJECT (row), "update", update_button);
  g_object_set_data (G_OBJECT (row), "dismiss", dismiss_button);
  gtk_list_item_set_child (item, row);
  gtk_list_item_set_activatable (item, FALSE);
}

static void
on_waiting_bind (GtkSignalListItemFactory *factory,
                 GtkListItem *item,
                 gpointer user_data)
{
  bind_waiting_row (item);
  g_signal_connect_object (gtk_list_item_get_item (item), "notify",
                           G_CALLBACK (on_waiting_notify), item, 0);
}

static void
on_waiting_unbind (GtkSignalListItemFactory *factory,
                   GtkListItem *item,
                   gpointer user_data)
{
  gpointer request = gtk_list_item_get_item (item);

  if (request != NULL)
    g_signal_handlers_disconnect_by_func (request, on_waiting_notify, item);
}

static void
setup_waiting_list (TtoHomePage *self)
{
  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (on_waiting_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (on_waiting_bind), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (on_waiting_unbind), NULL);
  gtk_list_view_set_factory (self->waiting_list, factory);
}

static void
on_application_decided (TtoSession *session,
                        TtoJoinRequest *request,
                        TtoEvent *event,
                        TtoHomePage *self)
{
  g_autofree char *text = NULL;
  const char *status = tto_join_request_get_status (request);

  if (event != NULL)
    {
      /* Translators: %s is an event's title */
      text = g_strdup_printf (_("You were admitted to “%s”"), tto_event_get_title (event));
      gtk_widget_activate_action (GTK_WIDGET (self), "win.open-event", "s",
                                  tto_event_get_id (event));
    }
  else if (g_strcmp0 (status, TTO_JOIN_REQUEST_REJECTED) == 0)
    /* Translators: %s is an event's title */
    text = g_strdup_printf (_("Your request to join “%s” was declined"),
                            tto_join_request_get_event_title (request));
  else if (g_strcmp0 (status, TTO_JOIN_REQUEST_MORE_INFO) == 0)
    /* Translators: %s is an event's title */
    text = g_strdup_printf (_("The organiser of “%s” asks for more"),
                            tto_join_request_get_event_title (request));
  if (text != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", text);
}

/* Adds to the application: a new reason, pictures, a video, files (the
 * join dialog, opened for it). */
static void
update_reason_action (GtkWidget *widget,
                      const char *action_name,
                      GVariant *parameter)
{
  TtoHomePage *self = TTO_HOME_PAGE (widget);
  const char *event_id = g_variant_get_string (parameter, NULL);
  TtoJoinRequest *request = self->session != NULL ? find_application (self, event_id) : NULL;
  TtoJoinDialog *dialog;

  if (request == NULL)
    return;
  dialog = tto_join_dialog_new_for_application (GTK_WINDOW (gtk_widget_get_root (widget)),
                                                self->session, request);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
dismiss_action (GtkWidget *widget,
                const char *action_name,
                GVariant *parameter)
{
  TtoHomePage *self = TTO_HOME_PAGE (widget);
  TtoJoinRequest *request = self->session != NULL
                              ? find_application (self, g_variant_get_string (parameter, NULL))
                              : NULL;

  if (request != NULL)
    tto_session_dismiss_application (self->session, request);
}

static void
tto_home_page_class_init (TtoHomePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_home_page_dispose;
  object_class->get_property = tto_home_page_get_property;
  object_class->set_property = tto_home_page_set_property;

  properties[PROP_FOLDED] = g_param_spec_boolean ("folded", NULL, NULL, FALSE,
                                                  G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-home-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoHomePage, header_bar);
  gtk_widget_class_bind_template_child (widget_class, TtoHomePage, window_title);
  gtk_widget_class_bind_template_child (widget_class, TtoHomePage, stack);
  gtk_widget_class_bind_template_child (widget_class, TtoHomePage, created_heading);
  gtk_widget_class_bind_template_child (widget_class, TtoHomePage, joined_heading);
  gtk_widget_class_bind_template_child (widget_class, TtoHomePage, created_list);
  gtk_widget_class_bind_template_child (widget_class, TtoHomePage, joined_list);
  gtk_widget_class_bind_template_child (widget_class, TtoHomePage, waiting_heading);
  gtk_widget_class_bind_template_child (widget_class, TtoHomePage, waiting_list);
  gtk_widget_class_install_action (widget_class, "home.update-reason", "s",
                                   update_reason_action);
  gtk_widget_class_install_action (widget_class, "home.dismiss", "s", dismiss_action);
  gtk_widget_class_install_action (widget_class, "home.delete-history", "s",
                                   delete_history_action);
  gtk_widget_class_bind_template_child (widget_class, TtoHomePage, history_heading);
  gtk_widget_class_bind_template_child (widget_class, TtoHomePage, history_explanation);
  gtk_widget_class_bind_template_child (widget_class, TtoHomePage, history_list);
  gtk_widget_class_bind_template_callback (widget_class, on_list_activate);
}

static void
tto_home_page_init (TtoHomePage *self)
{
  g_autoptr (GtkListItemFactory) created_factory = create_factory (self);
  g_autoptr (GtkListItemFactory) joined_factory = create_factory (self);
  g_autoptr (GtkListItemFactory) history_factory = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_list_view_set_factory (self->created_list, created_factory);
  gtk_list_view_set_factory (self->joined_list, joined_factory);
  history_factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (history_factory, "setup", G_CALLBACK (on_history_setup), NULL);
  g_signal_connect (history_factory, "bind", G_CALLBACK (on_history_bind), NULL);
  g_signal_connect (history_factory, "unbind", G_CALLBACK (on_history_unbind), NULL);
  gtk_list_view_set_factory (self->history_list, history_factory);
  setup_waiting_list (self);
  update_visibility (self);
}

void
tto_home_page_set_session (TtoHomePage *self,
                           TtoSession *session)
{
  g_return_if_fail (TTO_IS_HOME_PAGE (self));
  g_return_if_fail (session == NULL || TTO_IS_SESSION (session));

  if (self->session == session)
    return;

  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (tto_session_get_created_events (self->session), self);
      g_signal_handlers_disconnect_by_data (tto_session_get_joined_events (self->session), self);
      g_signal_handlers_disconnect_by_data (tto_session_get_applications (self->session), self);
      g_signal_handlers_disconnect_by_data (self->session, self);
    }
  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (tto_history_get_entries (self->history), self);
  g_clear_object (&self->history);
  g_set_object (&self->session, session);

  if (session != NULL)
    {
      g_autoptr (GtkSelectionModel) created = NULL;
      g_autoptr (GtkSelectionModel) joined = NULL;
      g_autoptr (GtkSelectionModel) waiting = NULL;
      g_autofree char *subtitle = NULL;

      created = new_selection (tto_session_get_created_events (session));
      joined = new_selection (tto_session_get_joined_events (session));
      gtk_list_view_set_model (self->created_list, created);
      gtk_list_view_set_model (self->joined_list, joined);
      waiting = GTK_SELECTION_MODEL (gtk_no_selection_new (
        g_object_ref (tto_session_get_applications (session))));
      gtk_list_view_set_model (self->waiting_list, waiting);
      /* Empty unless the identity is permanent: the relay keeps none for
       * the others. */
      self->history = tto_history_new (tto_session_get_connection (session));
      gtk_list_view_set_model (self->history_list,
                               GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (
                                 tto_history_get_entries (self->history)))));
      g_signal_connect_swapped (tto_history_get_entries (self->history), "items-changed",
                                G_CALLBACK (update_visibility), self);
      g_signal_connect_swapped (tto_session_get_applications (session), "items-changed",
                                G_CALLBACK (update_visibility), self);
      g_signal_connect_object (session, "application-decided",
                               G_CALLBACK (on_application_decided), self, 0);
      /* Sorting or a new event moves rows: keep the open one selected. */
      g_signal_connect_swapped (tto_session_get_created_events (session), "items-changed",
                                G_CALLBACK (apply_selection), self);
      g_signal_connect_swapped (tto_session_get_joined_events (session), "items-changed",
                                G_CALLBACK (apply_selection), self);
      g_signal_connect_swapped (tto_session_get_created_events (session), "items-changed",
                                G_CALLBACK (update_visibility), self);
      g_signal_connect_swapped (tto_session_get_joined_events (session), "items-changed",
                                G_CALLBACK (update_visibility), self);
      /* Translators: %s is the user's display name */
      subtitle = g_strdup_printf (_("Signed in as %s"),
                                  tto_connection_get_display_name (
                                    tto_session_get_connection (session)));
      adw_window_title_set_subtitle (self->window_title, subtitle);
    }
  else
    {
      gtk_list_view_set_model (self->created_list, NULL);
      gtk_list_view_set_model (self->joined_list, NULL);
      gtk_list_view_set_model (self->waiting_list, NULL);
      gtk_list_view_set_model (self->history_list, NULL);
      adw_window_title_set_subtitle (self->window_title, NULL);
    }

  update_visibility (self);
}

GtkListView *
tto_home_page_get_created_list (TtoHomePage *self)
{
  g_return_val_if_fail (TTO_IS_HOME_PAGE (self), NULL);

  return self->created_list;
}

GtkListView *
tto_home_page_get_history_list (TtoHomePage *self)
{
  g_return_val_if_fail (TTO_IS_HOME_PAGE (self), NULL);

  return self->history_list;
}

GtkListView *
tto_home_page_get_joined_list (TtoHomePage *self)
{
  g_return_val_if_fail (TTO_IS_HOME_PAGE (self), NULL);

  return self->joined_list;
}

/* Highlights the event whose chat is open beside the list (NULL: none). */
void
tto_home_page_set_selected_event (TtoHomePage *self,
                                  TtoEvent *event)
{
  g_return_if_fail (TTO_IS_HOME_PAGE (self));
  g_return_if_fail (event == NULL || TTO_IS_EVENT (event));

  g_set_object (&self->selected_event, event);
  apply_selection (self);
}

TtoEvent *
tto_home_page_get_selected_event (TtoHomePage *self)
{
  GtkListView *lists[2];

  g_return_val_if_fail (TTO_IS_HOME_PAGE (self), NULL);

  lists[0] = self->created_list;
  lists[1] = self->joined_list;
  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      GtkSelectionModel *model = gtk_list_view_get_model (lists[i]);

      if (model != NULL &&
          gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (model)) != NULL)
        return gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (model));
    }
  return NULL;
}
