/* tto-home-page.c: the lists of events
 *
 * Two list views over the session's "created by me" and "joined" models,
 * each under its heading, and an empty state with the two ways in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-event-row.h"

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

  TtoSession *session;
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

  if (self->session != NULL)
    {
      created = g_list_model_get_n_items (tto_session_get_created_events (self->session));
      joined = g_list_model_get_n_items (tto_session_get_joined_events (self->session));
    }

  gtk_widget_set_visible (GTK_WIDGET (self->created_heading), created > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->created_list), created > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->joined_heading), joined > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->joined_list), joined > 0);
  gtk_stack_set_visible_child_name (self->stack, created + joined > 0 ? "list" : "empty");
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
  gtk_widget_class_bind_template_callback (widget_class, on_list_activate);
}

static void
tto_home_page_init (TtoHomePage *self)
{
  g_autoptr (GtkListItemFactory) created_factory = create_factory (self);
  g_autoptr (GtkListItemFactory) joined_factory = create_factory (self);

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_list_view_set_factory (self->created_list, created_factory);
  gtk_list_view_set_factory (self->joined_list, joined_factory);
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
    }
  g_set_object (&self->session, session);

  if (session != NULL)
    {
      g_autoptr (GtkSelectionModel) created = NULL;
      g_autoptr (GtkSelectionModel) joined = NULL;
      g_autofree char *subtitle = NULL;

      created = new_selection (tto_session_get_created_events (session));
      joined = new_selection (tto_session_get_joined_events (session));
      gtk_list_view_set_model (self->created_list, created);
      gtk_list_view_set_model (self->joined_list, joined);
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
