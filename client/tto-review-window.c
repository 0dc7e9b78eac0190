/* tto-review-window.c: the queue of applications to join an event
 *
 * A list view over the session's review queue of the event (live: review.new
 * pushes add and update rows) with a multi-selection, so a reviewer can
 * approve, reject or ask several applicants for more at once; one
 * review.decide carries them all. Each row has a check button, as touch
 * has no Ctrl-click. Each row shows the applicant's evidence too
 * (TtoEvidenceStrip: thumbnails of pictures, chips for videos and files).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-client.h"
#include "tto-evidence-strip.h"

#include "tto-review-window.h"

struct _TtoReviewWindow
{
  AdwWindow parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkStack *stack;
  GtkListView *list_view;
  GtkMultiSelection *selection;
  GtkLabel *selected_label;
  AdwWindowTitle *window_title;

  TtoSession *session;
  TtoEvent *event;
  GCancellable *cancellable;
  GtkWidget *message_entry; /* in the "ask for more" dialog while it is open */
};

G_DEFINE_FINAL_TYPE (TtoReviewWindow, tto_review_window, ADW_TYPE_WINDOW)

static void
update_state (TtoReviewWindow *self)
{
  g_autoptr (GtkBitset) selected = NULL;
  guint n_items = 0;
  guint n_selected = 0;
  g_autofree char *subtitle = NULL;
  g_autofree char *chosen = NULL;

  if (self->selection != NULL)
    {
      n_items = g_list_model_get_n_items (G_LIST_MODEL (self->selection));
      selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
      n_selected = (guint) gtk_bitset_get_size (selected);
    }

  gtk_stack_set_visible_child_name (self->stack, n_items > 0 ? "list" : "empty");
  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u waiting", "%u waiting", n_items),
                              n_items);
  adw_window_title_set_subtitle (self->window_title, n_items > 0 ? subtitle : NULL);
  /* A count, even of none: a sentence would not fit beside three buttons
   * on a phone. */
  chosen = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u selected", "%u selected",
                                         n_selected),
                            n_selected);
  gtk_label_set_label (self->selected_label, chosen);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.approve", n_selected > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.reject", n_selected > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.ask-more", n_selected > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.select-all", n_items > 0);
}

/* Rows */

static GtkWidget *
badge (const char *text,
       const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "review-badge");
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static void
on_check_toggled (GtkCheckButton *check,
                  GtkListItem *item)
{
  TtoReviewWindow *self = g_object_get_data (G_OBJECT (check), "tto-window");
  guint position = gtk_list_item_get_position (item);
  gboolean active = gtk_check_button_get_active (check);

  if (self == NULL || self->selection == NULL || position == GTK_INVALID_LIST_POSITION)
    return;
  if (active == gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), position))
    return;
  if (active)
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, FALSE);
  else
    gtk_selection_model_unselect_item (GTK_SELECTION_MODEL (self->selection), position);
}

static void
on_factory_setup (GtkSignalListItemFactory *factory,
                  GtkListItem *item,
                  TtoReviewWindow *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *check = gtk_check_button_new ();
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *status = gtk_label_new (NULL);
  GtkWidget *reason = gtk_label_new (NULL);
  GtkWidget *message = gtk_label_new (NULL);
  GtkWidget *badges = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *evidence = GTK_WIDGET (tto_evidence_strip_new ());

  gtk_widget_set_margin_start (row, 6);
  gtk_widget_set_margin_end (row, 12);
  gtk_widget_set_margin_top (row, 10);
  gtk_widget_set_margin_bottom (row, 10);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (check, 44, 44);
  g_object_set_data (G_OBJECT (check), "tto-window", self);
  g_signal_connect (check, "toggled", G_CALLBACK (on_check_toggled), item);
  g_object_bind_property (item, "selected", check, "active", G_BINDING_SYNC_CREATE);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (name, "heading");
  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_add_css_class (status, "caption");
  gtk_widget_add_css_class (status, "dim-label");
  gtk_box_append (GTK_BOX (top), name);
  gtk_box_append (GTK_BOX (top), status);

  gtk_label_set_xalign (GTK_LABEL (reason), 0);
  gtk_label_set_wrap (GTK_LABEL (reason), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (reason), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (message), 0);
  gtk_label_set_wrap (GTK_LABEL (message), TRUE);
  gtk_widget_add_css_class (message, "caption");
  gtk_widget_add_css_class (message, "dim-label");

  gtk_box_append (GTK_BOX (text), top);
  gtk_box_append (GTK_BOX (text), reason);
  gtk_box_append (GTK_BOX (text), message);
  gtk_box_append (GTK_BOX (text), evidence);
  gtk_box_append (GTK_BOX (text), badges);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (row), check);
  gtk_box_append (GTK_BOX (row), text);

  g_object_set_data (G_OBJECT (row), "check", check);
  g_object_set_data (G_OBJECT (row), "name", name);
  g_object_set_data (G_OBJECT (row), "status", status);
  g_object_set_data (G_OBJECT (row), "reason", reason);
  g_object_set_data (G_OBJECT (row), "message", message);
  g_object_set_data (G_OBJECT (row), "badges", badges);
  g_object_set_data (G_OBJECT (row), "evidence", evidence);
  gtk_list_item_set_child (item, row);
}

static void
bind_row (GtkListItem *item)
{
  GtkWidget *row = gtk_list_item_get_child (item);
  TtoJoinRequest *request = gtk_list_item_get_item (item);
  GtkWidget *badges = g_object_get_data (G_OBJECT (row), "badges");
  GtkWidget *message = g_object_get_data (G_OBJECT (row), "message");
  GtkWidget *check = g_object_get_data (G_OBJECT (row), "check");
  TtoReviewWindow *self;
  const char *reason;
  const char *status;
  g_autofree char *asked = NULL;
  g_autofree char *check_label = NULL;
  GtkWidget *child;
  gboolean any = FALSE;

  if (request == NULL)
    return;

  self = g_object_get_data (G_OBJECT (check), "tto-window");
  if (self != NULL && self->session != NULL)
    tto_evidence_strip_set_evidence (g_object_get_data (G_OBJECT (row), "evidence"),
                                     self->session, tto_join_request_get_event_id (request),
                                     tto_join_request_get_display_name (request),
                                     tto_join_request_get_evidence (request));
  gtk_label_set_label (g_object_get_data (G_OBJECT (row), "name"),
                       tto_join_request_get_display_name (request));
  reason = tto_join_request_get_reason (request);
  gtk_label_set_label (g_object_get_data (G_OBJECT (row), "reason"),
                       reason != NULL && *reason != '\0' ? reason : _("No reason given"));
  status = tto_join_request_get_status (request);
  gtk_label_set_label (g_object_get_data (G_OBJECT (row), "status"),
                       g_strcmp0 (status, TTO_JOIN_REQUEST_MORE_INFO) == 0
                         ? _("Asked for more")
                         : _("Waiting"));
  if (g_strcmp0 (status, TTO_JOIN_REQUEST_MORE_INFO) == 0 &&
      *tto_join_request_get_message (request) != '\0')
    /* Translators: %s is what a reviewer asked an applicant for */
    asked = g_strdup_printf (_("Asked: %s"), tto_join_request_get_message (request));
  gtk_label_set_label (GTK_LABEL (message), asked != NULL ? asked : "");
  gtk_widget_set_visible (message, asked != NULL);

  while ((child = gtk_widget_get_first_child (badges)) != NULL)
    gtk_box_remove (GTK_BOX (badges), child);
  if (tto_join_request_get_badge (request, "third_party"))
    {
      gtk_box_append (GTK_BOX (badges), badge (_("Third-party verified"), "success"));
      any = TRUE;
    }
  if (tto_join_request_get_badge (request, "phone"))
    {
      gtk_box_append (GTK_BOX (badges), badge (_("Phone verified"), "success"));
      any = TRUE;
    }
  if (tto_join_request_get_badge (request, "id"))
    {
      gtk_box_append (GTK_BOX (badges), badge (_("ID verified"), "success"));
      any = TRUE;
    }
  if (!any)
    gtk_box_append (GTK_BOX (badges), badge (_("Not verified"), "dim-label"));

  /* Translators: %s is an applicant's name */
  check_label = g_strdup_printf (_("Select %s"), tto_join_request_get_display_name (request));
  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  check_label, -1);
}

static void
on_request_notify (TtoJoinRequest *request,
                   GParamSpec *pspec,
                   GtkListItem *item)
{
  if (gtk_list_item_get_item (item) == (gpointer) request)
    bind_row (item);
}

static void
on_factory_bind (GtkSignalListItemFactory *factory,
                 GtkListItem *item,
                 gpointer user_data)
{
  bind_row (item);
  g_signal_connect_object (gtk_list_item_get_item (item), "notify",
                           G_CALLBACK (on_request_notify), item, 0);
}

static void
on_factory_unbind (GtkSignalListItemFactory *factory,
                   GtkListItem *item,
                   gpointer user_data)
{
  gpointer request = gtk_list_item_get_item (item);

  if (request != NULL)
    g_signal_handlers_disconnect_by_func (request, on_request_notify, item);
}

/* Decisions */

static void
on_decide_ready (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (TtoReviewWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  if (tto_session_governance_finish (TTO_SESSION (object), result, &error))
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  text = tto_client_describe_error (error);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
  /* Another reviewer may have decided meanwhile. */
  tto_session_load_review_queue (self->session, self->event);
}

/* @decision: "approve", "reject" or "more" (with @message) for every
 * selected applicant, in one request. */
void
tto_review_window_decide (TtoReviewWindow *self,
                          const char *decision,
                          const char *message)
{
  g_autoptr (GtkBitset) selected = NULL;
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *toast = NULL;
  GtkBitsetIter iter;
  guint position;

  g_return_if_fail (TTO_IS_REVIEW_WINDOW (self));
  g_return_if_fail (decision != NULL);

  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, selected, &position); ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    {
      g_autoptr (TtoJoinRequest) request =
        g_list_model_get_item (G_LIST_MODEL (self->selection), position);

      if (request != NULL)
        g_ptr_array_add (ids, g_strdup (tto_join_request_get_identity_id (request)));
    }
  if (ids->len == 0)
    return;
  g_ptr_array_add (ids, NULL);

  if (g_str_equal (decision, "approve"))
    toast = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u applicant admitted",
                                          "%u applicants admitted", ids->len - 1),
                             ids->len - 1);
  else if (g_str_equal (decision, "reject"))
    toast = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u applicant turned down",
                                          "%u applicants turned down", ids->len - 1),
                             ids->len - 1);
  else
    toast = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Asked %u applicant for more",
                                          "Asked %u applicants for more", ids->len - 1),
                             ids->len - 1);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (toast));
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  tto_session_review_decide_async (self->session, self->event,
                                   (const char *const *) ids->pdata, decision, message,
                                   self->cancellable, on_decide_ready, g_object_ref (self));
}

static void
approve_action (GtkWidget *widget,
                const char *action_name,
                GVariant *parameter)
{
  tto_review_window_decide (TTO_REVIEW_WINDOW (widget), "approve", NULL);
}

static void
reject_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  tto_review_window_decide (TTO_REVIEW_WINDOW (widget), "reject", NULL);
}

static void
on_message_changed (GtkEditable *entry,
                    AdwMessageDialog *dialog)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "ask", *text != '\0');
}

static void
on_ask_response (AdwMessageDialog *dialog,
                 const char *response,
                 TtoReviewWindow *self)
{
  g_autofree char *message = NULL;

  if (self->message_entry != NULL)
    message = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->message_entry))));
  self->message_entry = NULL;
  if (g_strcmp0 (response, "ask") != 0 || message == NULL || *message == '\0')
    return;
  tto_review_window_decide (self, "more", message);
}

static void
ask_more_action (GtkWidget *widget,
                 const char *action_name,
                 GVariant *parameter)
{
  TtoReviewWindow *self = TTO_REVIEW_WINDOW (widget);
  AdwMessageDialog *dialog;
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *row = adw_entry_row_new ();

  dialog = ADW_MESSAGE_DIALOG (
    adw_message_dialog_new (GTK_WINDOW (self), _("Ask for More?"),
                            _("Say what the selected applicants should add, for example a "
                              "photo of their badge. They can then answer and add pictures, a "
                              "video or files.")));
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("What Is Missing"));
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  self->message_entry = row;
  adw_message_dialog_set_extra_child (dialog, list);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "ask", _("_Ask"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "ask", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (dialog, "ask", FALSE);
  adw_message_dialog_set_default_response (dialog, "ask");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (row, "changed", G_CALLBACK (on_message_changed), dialog, 0);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_ask_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (row);
}

static void
select_all_action (GtkWidget *widget,
                   const char *action_name,
                   GVariant *parameter)
{
  TtoReviewWindow *self = TTO_REVIEW_WINDOW (widget);

  gtk_selection_model_select_all (GTK_SELECTION_MODEL (self->selection));
}

/* GObject */

static void
tto_review_window_dispose (GObject *object)
{
  TtoReviewWindow *self = (TtoReviewWindow *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->session);
  g_clear_object (&self->event);
  gtk_widget_dispose_template (GTK_WIDGET (self), TTO_TYPE_REVIEW_WINDOW);

  G_OBJECT_CLASS (tto_review_window_parent_class)->dispose (object);
}

static void
tto_review_window_class_init (TtoReviewWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_review_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-review-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoReviewWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TtoReviewWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, TtoReviewWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, TtoReviewWindow, selected_label);
  gtk_widget_class_bind_template_child (widget_class, TtoReviewWindow, window_title);

  gtk_widget_class_install_action (widget_class, "review.approve", NULL, approve_action);
  gtk_widget_class_install_action (widget_class, "review.reject", NULL, reject_action);
  gtk_widget_class_install_action (widget_class, "review.ask-more", NULL, ask_more_action);
  gtk_widget_class_install_action (widget_class, "review.select-all", NULL, select_all_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, GDK_CONTROL_MASK,
                                       "review.select-all", NULL);
}

static void
tto_review_window_init (TtoReviewWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

TtoReviewWindow *
tto_review_window_new (GtkWindow *parent,
                       TtoSession *session,
                       TtoEvent *event)
{
  TtoReviewWindow *self;
  GtkListItemFactory *factory;

  g_return_val_if_fail (TTO_IS_SESSION (session), NULL);
  g_return_val_if_fail (TTO_IS_EVENT (event), NULL);

  self = g_object_new (TTO_TYPE_REVIEW_WINDOW, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->event = g_object_ref (event);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (on_factory_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (on_factory_bind), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (on_factory_unbind), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);

  self->selection = gtk_multi_selection_new (
    g_object_ref (tto_session_get_review_queue (session, event)));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_swapped (self->selection, "items-changed", G_CALLBACK (update_state), self);
  g_signal_connect_swapped (self->selection, "selection-changed", G_CALLBACK (update_state),
                            self);
  update_state (self);
  tto_session_load_review_queue (session, event);
  return self;
}

GtkSelectionModel *
tto_review_window_get_selection (TtoReviewWindow *self)
{
  g_return_val_if_fail (TTO_IS_REVIEW_WINDOW (self), NULL);

  return GTK_SELECTION_MODEL (self->selection);
}
