/* tto-test-topics-ui.c: the topic tree in the client
 *
 * /topics/model feeds topic lists, pushes and messages (JSON, as the relay
 * writes them) into a TtoTopicTree: tree shape across updates, expandable
 * rows, collapse and expand, counts and unread counts per topic, removal
 * moving the current topic up, malformed input refused without change.
 *
 * /topics/window runs against a real relay and MariaDB under xvfb-run:
 * Ana (the creator) and Cy (a member) in windows, Bo as a harness client.
 * "Discuss separately" on a message starts a sub-topic that shows in the
 * tree and the chat switches to it; messages sent there are not in the
 * main topic; Bo's posts there raise the topic's unread badge; the tree
 * collapses and expands; a chain of 4 replies is proposed to Ana only and
 * accepting it moves the messages; rename and remove from the row menu for
 * those allowed; the tree is a sidebar at 1280 px and a page behind a
 * header button at 360 px. Screenshots at 360×720 and 1280×800.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gi18n.h>
#include <adwaita.h>

#include "tto-client.h"
#include "tto-message-row.h"
#include "tto-test-gui.h"
#include "tto-test-harness.h"
#include "tto-window.h"

#define EVENT_ID "k3v9q2m8x4t7c1ab"
#define ANA "p2m7x9q4k8t3v6cb"
#define BO "h4f8q2m8x4t7c1ab"
#define T_BUDGET "q7c3w6n1h5j9s3fa"
#define T_VENUE "r8d2w6n1h5j9s3fb"
#define T_FOOD "s9e3w6n1h5j9s3fc"

/* Fixtures: the tree as JSON */

static JsonObject *
parse_object (const char *json)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static JsonArray *
parse_array (const char *json)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  return json_array_ref (json_node_get_array (json_parser_get_root (parser)));
}

static void
add_message (GListStore *store,
             gint64 seq,
             const char *sender,
             const char *topic_id)
{
  g_autoptr (JsonObject) object = NULL;
  g_autoptr (TtoMessage) message = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *json = NULL;

  json = g_strdup_printf ("{\"event_id\":\"" EVENT_ID "\",\"seq\":%" G_GINT64_FORMAT ","
                          "\"msg_id\":\"m%015" G_GINT64_FORMAT "\",\"client_msg_id\":\"c%"
                          G_GINT64_FORMAT "\",\"sender_id\":\"%s\",\"sender_name\":\"x\","
                          "\"text\":\"hello\",\"ts\":1,\"topic_id\":%s%s%s}",
                          seq, seq, seq, sender, topic_id ? "\"" : "", topic_id ? topic_id : "null",
                          topic_id ? "\"" : "");
  object = parse_object (json);
  message = tto_message_new_from_json (object, &error);
  g_assert_no_error (error);
  g_list_store_append (store, message);
}

static TtoTopic *
child_at (TtoTopic *topic,
          guint position)
{
  g_autoptr (TtoTopic) child = g_list_model_get_item (tto_topic_get_children (topic), position);

  return child; /* the parent keeps it */
}

static void
count_signal (GObject *object,
              guint *count)
{
  (*count)++;
}

#define MAIN_JSON "{\"id\":\"main\",\"parent_id\":null,\"title\":\"\",\"from_msg_id\":null," \
                  "\"created_by\":null,\"created_at\":1,\"message_count\":%d,\"last_seq\":%d}"
#define TOPIC_JSON "{\"id\":\"%s\",\"parent_id\":\"%s\",\"title\":\"%s\",\"from_msg_id\":null," \
                   "\"created_by\":\"" BO "\",\"created_at\":2,\"message_count\":%d,\"last_seq\":%d}"

static void
test_model (void)
{
  g_autoptr (TtoTopicTree) tree = tto_topic_tree_new (NULL, EVENT_ID);
  g_autoptr (GListStore) messages = g_list_store_new (TTO_TYPE_MESSAGE);
  g_autoptr (GtkTreeListModel) model = NULL;
  g_autoptr (JsonObject) list = NULL;
  g_autoptr (JsonObject) push = NULL;
  g_autoptr (JsonArray) topics = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GtkTreeListRow) row = NULL;
  g_autofree char *json = NULL;
  g_autofree char *path = NULL;
  g_autofree char *title = NULL;
  TtoTopic *main_topic, *budget, *venue, *food;
  guint changed = 0;

  /* Before the relay answers: the main topic alone, not loaded. */
  g_assert_false (tto_topic_tree_get_loaded (tree));
  g_assert_cmpuint (tto_topic_tree_get_n_topics (tree), ==, 1);
  main_topic = tto_topic_tree_lookup (tree, "main");
  g_assert_nonnull (main_topic);
  g_assert_cmpstr (tto_topic_tree_get_current (tree), ==, "main");

  /* Messages: 1–4 main (Bo's but 2), 5–6 Budget, 7 Venue; Ana read to 3. */
  add_message (messages, 1, BO, NULL);
  add_message (messages, 2, ANA, "main");
  add_message (messages, 3, BO, "main");
  add_message (messages, 4, BO, "main");
  add_message (messages, 5, BO, T_BUDGET);
  add_message (messages, 6, BO, T_BUDGET);
  add_message (messages, 7, BO, T_VENUE);
  tto_topic_tree_set_messages (tree, G_LIST_MODEL (messages));
  /* Without a connection the own id is unknown: Ana's message counts as
   * another's; the fixture then checks the relay's counts added up. */

  json = g_strdup_printf ("{\"topics\":[" MAIN_JSON "," TOPIC_JSON "," TOPIC_JSON "],"
                          "\"proposals\":[{\"id\":\"p1\",\"kind\":\"tag\",\"tag\":\"#food\","
                          "\"msg_ids\":[\"a\",\"b\",\"c\"],\"parent_id\":\"main\","
                          "\"title\":\"#Food\"}]}",
                          3, 3, T_BUDGET, "main", "Budget", 1, 5, T_VENUE, T_BUDGET, "Venue", 0,
                          0);
  list = parse_object (json);
  g_signal_connect (tree, "changed", G_CALLBACK (count_signal), &changed);
  g_assert_true (tto_topic_tree_apply_list (tree, list, 3, &error));
  g_assert_no_error (error);
  g_assert_true (tto_topic_tree_get_loaded (tree));
  g_assert_cmpuint (changed, >=, 1);
  g_assert_cmpuint (tto_topic_tree_get_n_topics (tree), ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (tto_topic_tree_get_roots (tree)), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (tto_topic_get_children (main_topic)), ==, 1);
  budget = child_at (main_topic, 0);
  g_assert_cmpstr (tto_topic_get_id (budget), ==, T_BUDGET);
  venue = child_at (budget, 0);
  g_assert_cmpstr (tto_topic_get_title (venue), ==, "Venue");
  path = tto_topic_tree_dup_path (tree, T_VENUE);
  g_assert_cmpstr (path, ==, "Main topic › Budget › Venue");
  title = tto_topic_dup_display_title (main_topic);
  g_assert_cmpstr (title, ==, "Main topic");
  g_assert_cmpuint (g_list_model_get_n_items (tto_topic_tree_get_proposals (tree)), ==, 1);

  /* Counts: the relay's plus what came after its last_seq. */
  tto_topic_tree_recount (tree);
  g_assert_cmpuint (tto_topic_get_message_count (main_topic), ==, 3 + 1); /* seq 4 is newer */
  g_assert_cmpuint (tto_topic_get_message_count (budget), ==, 1 + 1);     /* seq 6 */
  g_assert_cmpuint (tto_topic_get_message_count (venue), ==, 0 + 1);
  /* Unread after the event's read position 3, per topic. */
  g_assert_cmpuint (tto_topic_get_unread_count (main_topic), ==, 1);
  g_assert_cmpuint (tto_topic_get_unread_count (budget), ==, 2);
  g_assert_cmpuint (tto_topic_get_unread_count (venue), ==, 1);
  /* Reading Budget up to 6 does not read main or Venue. */
  tto_topic_tree_mark_read (tree, T_BUDGET, 6);
  tto_topic_tree_recount (tree);
  g_assert_cmpuint (tto_topic_get_unread_count (budget), ==, 0);
  g_assert_cmpuint (tto_topic_get_unread_count (main_topic), ==, 1);
  g_assert_cmpuint (tto_topic_get_unread_count (venue), ==, 1);
  /* New messages count at once (after an idle). */
  add_message (messages, 8, BO, T_BUDGET);
  WAIT_FOR (tto_topic_get_unread_count (budget) == 1);
  g_assert_cmpuint (tto_topic_get_message_count (budget), ==, 3);

  /* The tree model: all expanded; leaves cannot expand. */
  model = tto_topic_tree_create_tree_model (tree);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);
  row = gtk_tree_list_model_get_row (model, 0);
  g_assert_true (gtk_tree_list_row_is_expandable (row));
  g_assert_true (gtk_tree_list_row_get_expanded (row));
  g_clear_object (&row);
  row = gtk_tree_list_model_get_row (model, 2);
  g_assert_false (gtk_tree_list_row_is_expandable (row));
  g_assert_cmpuint (gtk_tree_list_row_get_depth (row), ==, 2);
  g_clear_object (&row);
  row = gtk_tree_list_model_get_row (model, 1);
  gtk_tree_list_row_set_expanded (row, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
  gtk_tree_list_row_set_expanded (row, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);
  g_clear_object (&row);

  /* topic.updated: Food appears under main; the objects stay the same. */
  g_clear_pointer (&json, g_free);
  json = g_strdup_printf ("[" MAIN_JSON "," TOPIC_JSON "," TOPIC_JSON "," TOPIC_JSON "]", 3, 3,
                          T_BUDGET, "main", "Budget", 1, 5, T_VENUE, T_BUDGET, "Venue", 0, 0,
                          T_FOOD, "main", "Food", 0, 0);
  push = json_object_new ();
  json_object_set_string_member (push, "event_id", EVENT_ID);
  json_object_set_array_member (push, "topics", parse_array (json));
  g_assert_true (tto_topic_tree_handle_push (tree, TTO_FRAME_TOPIC_UPDATED, push));
  g_assert_true (tto_topic_tree_lookup (tree, T_BUDGET) == budget);
  g_assert_cmpuint (g_list_model_get_n_items (tto_topic_get_children (main_topic)), ==, 2);
  food = child_at (main_topic, 1);
  g_assert_cmpstr (tto_topic_get_title (food), ==, "Food");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 4);
  /* A new topic starts where its parent's reading stands (main: 3). */
  g_assert_cmpint (tto_topic_tree_get_read_position (tree, T_FOOD), ==, 3);

  /* The user is in Venue; Budget goes: Venue moves up to main, stays. */
  tto_topic_tree_set_current (tree, T_VENUE);
  g_assert_cmpstr (tto_topic_tree_get_current (tree), ==, T_VENUE);
  g_clear_pointer (&json, g_free);
  json = g_strdup_printf ("[" MAIN_JSON "," TOPIC_JSON "," TOPIC_JSON "]", 5, 6, T_VENUE, "main",
                          "Venue", 1, 7, T_FOOD, "main", "Food", 0, 0);
  topics = parse_array (json);
  g_assert_true (tto_topic_tree_apply_topics (tree, topics, &error));
  g_assert_null (tto_topic_tree_lookup (tree, T_BUDGET));
  g_assert_cmpuint (g_list_model_get_n_items (tto_topic_get_children (main_topic)), ==, 2);
  g_assert_true (child_at (main_topic, 0) == venue);
  g_assert_cmpstr (tto_topic_tree_get_current (tree), ==, T_VENUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);
  /* Now the current topic itself goes: the chat falls back to its parent. */
  g_clear_pointer (&topics, json_array_unref);
  g_clear_pointer (&json, g_free);
  json = g_strdup_printf ("[" MAIN_JSON "," TOPIC_JSON "]", 6, 7, T_FOOD, "main", "Food", 0, 0);
  topics = parse_array (json);
  g_assert_true (tto_topic_tree_apply_topics (tree, topics, &error));
  g_assert_cmpstr (tto_topic_tree_get_current (tree), ==, "main");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
  /* Food loses its place as a leaf with children and back: expandable follows. */
  g_clear_pointer (&topics, json_array_unref);
  g_clear_pointer (&json, g_free);
  json = g_strdup_printf ("[" MAIN_JSON "," TOPIC_JSON "," TOPIC_JSON "]", 6, 7, T_FOOD, "main",
                          "Food", 0, 0, T_BUDGET, T_FOOD, "Budget", 0, 0);
  topics = parse_array (json);
  g_assert_true (tto_topic_tree_apply_topics (tree, topics, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);
  row = gtk_tree_list_model_get_row (model, 1);
  g_assert_true (gtk_tree_list_row_is_expandable (row));
  g_clear_object (&row);

  /* Malformed lists change nothing. */
  g_clear_pointer (&topics, json_array_unref);
  topics = parse_array ("[{\"id\":\"main\",\"title\":\"\"},{\"title\":\"no id\"}]");
  g_assert_false (tto_topic_tree_apply_topics (tree, topics, &error));
  g_assert_error (error, TTO_TOPIC_ERROR, TTO_TOPIC_ERROR_INVALID);
  g_clear_error (&error);
  g_clear_pointer (&topics, json_array_unref);
  topics = parse_array ("[{\"id\":\"main\",\"title\":\"\"},42]");
  g_assert_false (tto_topic_tree_apply_topics (tree, topics, &error));
  g_clear_error (&error);
  g_assert_cmpuint (tto_topic_tree_get_n_topics (tree), ==, 3);
  g_assert_nonnull (tto_topic_tree_lookup (tree, T_BUDGET));
  /* A parent loop hangs under main rather than vanishing. */
  g_clear_pointer (&topics, json_array_unref);
  topics = parse_array ("[{\"id\":\"main\",\"title\":\"\"},"
                        "{\"id\":\"" T_FOOD "\",\"parent_id\":\"" T_BUDGET "\",\"title\":\"F\"},"
                        "{\"id\":\"" T_BUDGET "\",\"parent_id\":\"" T_FOOD "\",\"title\":\"B\"}]");
  g_assert_true (tto_topic_tree_apply_topics (tree, topics, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);

  /* Proposals: a new one, the same one grown, one decided. */
  g_clear_pointer (&push, json_object_unref);
  push = parse_object ("{\"event_id\":\"" EVENT_ID "\",\"proposal\":{\"id\":\"p2\","
                       "\"kind\":\"reply_chain\",\"tag\":null,\"msg_ids\":[\"a\",\"b\",\"c\",\"d\"],"
                       "\"parent_id\":\"main\",\"title\":\"Reply thread\"}}");
  g_assert_true (tto_topic_tree_handle_push (tree, TTO_FRAME_TOPIC_PROPOSED, push));
  g_assert_cmpuint (g_list_model_get_n_items (tto_topic_tree_get_proposals (tree)), ==, 2);
  g_clear_pointer (&push, json_object_unref);
  push = parse_object ("{\"event_id\":\"" EVENT_ID "\",\"proposal\":{\"id\":\"p2\","
                       "\"kind\":\"reply_chain\",\"tag\":null,"
                       "\"msg_ids\":[\"a\",\"b\",\"c\",\"d\",\"e\"],"
                       "\"parent_id\":\"main\",\"title\":\"Reply thread\"}}");
  g_assert_true (tto_topic_tree_handle_push (tree, TTO_FRAME_TOPIC_PROPOSED, push));
  g_assert_cmpuint (g_list_model_get_n_items (tto_topic_tree_get_proposals (tree)), ==, 2);
  {
    TtoTopicProposal *grown = tto_topic_tree_lookup_proposal (tree, "p2");
    g_autofree char *summary = tto_topic_proposal_dup_summary (grown);
    g_autofree char *suggested = tto_topic_proposal_dup_suggested_title (grown);
    TtoTopicProposal *tag = tto_topic_tree_lookup_proposal (tree, "p1");
    g_autofree char *tag_summary = tto_topic_proposal_dup_summary (tag);

    g_assert_cmpuint (tto_topic_proposal_get_n_messages (grown), ==, 5);
    g_assert_cmpstr (summary, ==, "4 replies became a thread — make it a sub-topic?");
    g_assert_cmpstr (suggested, ==, "Reply thread");
    g_assert_cmpstr (tag_summary, ==, "#food appeared 3 times — make it a sub-topic?");
  }
  g_clear_pointer (&push, json_object_unref);
  push = parse_object ("{\"event_id\":\"" EVENT_ID "\",\"proposal_id\":\"p1\","
                       "\"accepted\":false,\"topic_id\":null}");
  g_assert_true (tto_topic_tree_handle_push (tree, TTO_FRAME_TOPIC_DECIDED, push));
  g_assert_cmpuint (g_list_model_get_n_items (tto_topic_tree_get_proposals (tree)), ==, 1);
  g_assert_null (tto_topic_tree_lookup_proposal (tree, "p1"));
  /* A proposal without msg_ids is ignored. */
  g_clear_pointer (&push, json_object_unref);
  push = parse_object ("{\"event_id\":\"" EVENT_ID "\",\"proposal\":{\"id\":\"p3\","
                       "\"kind\":\"tag\"}}");
  g_test_expect_message ("tto", G_LOG_LEVEL_MESSAGE, "Ignoring a malformed topic proposal*");
  tto_topic_tree_handle_push (tree, TTO_FRAME_TOPIC_PROPOSED, push);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (g_list_model_get_n_items (tto_topic_tree_get_proposals (tree)), ==, 1);
  g_assert_false (tto_topic_tree_handle_push (tree, "topic.unknown", push));

  /* Titles: trimmed, 1–80 characters; suggestions from the first words. */
  {
    g_autofree char *ok = tto_topic_tree_check_title ("  Budget  ", &error);
    g_autofree char *long_title = g_strnfill (81, 'x');
    g_autofree char *suggested = NULL;

    g_assert_no_error (error);
    g_assert_cmpstr (ok, ==, "Budget");
    g_assert_null (tto_topic_tree_check_title (" \t ", &error));
    g_assert_error (error, TTO_TOPIC_ERROR, TTO_TOPIC_ERROR_EMPTY_TITLE);
    g_clear_error (&error);
    g_assert_null (tto_topic_tree_check_title (long_title, &error));
    g_assert_error (error, TTO_TOPIC_ERROR, TTO_TOPIC_ERROR_TITLE_TOO_LONG);
    g_clear_error (&error);
    suggested = tto_topic_tree_suggest_title ("Who brings the projector for the demo tomorrow?\n"
                                              "second line");
    g_assert_cmpstr (suggested, ==, "Who brings the projector for the");
    g_free (suggested);
    suggested = tto_topic_tree_suggest_title ("预算：我们还剩三百欧元，够不够租车？");
    g_assert_cmpuint (g_utf8_strlen (suggested, -1), <=, 40);
    g_assert_true (g_utf8_validate (suggested, -1, NULL));
    g_free (suggested);
    suggested = tto_topic_tree_suggest_title ("Budget, please!");
    g_assert_cmpstr (suggested, ==, "Budget, please");
  }

  /* Requests need the tree from the relay and a connection. */
  {
    g_autoptr (TtoTopicTree) empty = tto_topic_tree_new (NULL, EVENT_ID);
    g_autoptr (GAsyncResult) result = NULL;

    tto_topic_tree_create_async (empty, "m1", "Budget", NULL, tto_test_gui_store_result, &result);
    WAIT_FOR (result != NULL);
    g_assert_false (tto_topic_tree_request_finish (empty, result, NULL, &error));
    g_assert_error (error, TTO_TOPIC_ERROR, TTO_TOPIC_ERROR_NOT_LOADED);
    g_clear_error (&error);
  }
}

/* Against the relay */

static TtoMessage *
find_text (GListModel *model,
           const char *text)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_strcmp0 (tto_message_get_text (tto_test_gui_message_at (model, i)), text) == 0)
      return tto_test_gui_message_at (model, i);
  return NULL;
}

/* The messages the chat list shows now. */
static GListModel *
shown (TtoChatPage *chat)
{
  return G_LIST_MODEL (gtk_list_view_get_model (tto_chat_page_get_message_list (chat)));
}

static TtoFrame *
bo_send (TtoTestClient *bo,
         const char *event_id,
         const char *id,
         const char *text,
         const char *reply_to,
         const char *topic_id)
{
  g_autoptr (JsonObject) body = json_object_new ();

  json_object_set_string_member (body, "event_id", event_id);
  json_object_set_string_member (body, "client_msg_id", id);
  json_object_set_string_member (body, "text", text);
  if (reply_to != NULL)
    json_object_set_string_member (body, "reply_to", reply_to);
  if (topic_id != NULL)
    json_object_set_string_member (body, "topic_id", topic_id);
  return tto_test_client_request_ok (bo, TTO_FRAME_MSG_SEND, json_object_ref (body));
}

static const char *
sent_msg_id (TtoFrame *frame)
{
  return json_object_get_string_member (frame->body, "msg_id");
}

/* A visible label with @css_class and @text somewhere under @widget. */
static gboolean
has_label (GtkWidget *widget,
           const char *css_class,
           const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget) &&
      gtk_widget_has_css_class (widget, css_class) &&
      g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_get_child_visible (child) && has_label (child, css_class, text))
      return TRUE;
  return FALSE;
}

static guint
row_of (TtoTopicView *view,
        const char *topic_id)
{
  GListModel *model = G_LIST_MODEL (tto_topic_view_get_tree_model (view));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (GtkTreeListRow) row = g_list_model_get_item (model, i);
      g_autoptr (TtoTopic) topic = gtk_tree_list_row_get_item (row);

      if (g_strcmp0 (tto_topic_get_id (topic), topic_id) == 0)
        return i;
    }
  return G_MAXUINT;
}

static TtoTopic *
find_title (TtoTopicTree *tree,
            const char *title)
{
  GtkTreeListModel *model = tto_topic_tree_create_tree_model (tree);
  TtoTopic *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (model)) && found == NULL; i++)
    {
      g_autoptr (GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (model), i);
      g_autoptr (TtoTopic) topic = gtk_tree_list_row_get_item (row);

      if (g_strcmp0 (tto_topic_get_title (topic), title) == 0)
        found = topic; /* the tree keeps it */
    }
  g_object_unref (model);
  return found;
}

/* What a click on the dialog's button does. */
static void
respond (AdwMessageDialog *dialog,
         const char *response)
{
  adw_message_dialog_response (dialog, response);
  gtk_window_close (GTK_WINDOW (dialog));
}

static void
on_request_done (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  GError **out = user_data;

  if (!tto_topic_tree_request_finish (TTO_TOPIC_TREE (object), result, NULL, out))
    g_assert_nonnull (*out);
  else
    *out = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "succeeded");
}

static void
test_window (void)
{
  TtoTestRelay *relay = tto_test_relay_start (60);
  TtoWindow *ana_window, *cy_window;
  TtoSession *ana, *cy;
  TtoChatPage *chat, *cy_chat;
  TtoTopicView *view, *cy_view;
  TtoTopicTree *tree, *cy_tree;
  TtoEvent *event, *cy_event = NULL;
  GListModel *messages, *cy_messages;
  TtoMessage *budget_msg, *sub_msg;
  TtoMessageRow *row;
  TtoTopic *budget, *van;
  TtoTestClient *bo;
  AdwMessageDialog *dialog;
  g_autoptr (JsonObject) joined = NULL;
  g_autoptr (TtoFrame) frame = NULL;
  g_autoptr (TtoFrame) push = NULL;
  g_autoptr (GtkTreeListRow) tree_row = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *budget_id = NULL;
  char *chain[4] = { NULL };
  const char *event_id;

  if (relay == NULL)
    return; /* skipped: no relay or MariaDB */

  ana_window = tto_test_gui_new_window ();
  tto_test_gui_resize (GTK_WINDOW (ana_window), 1280, 800);
  chat = tto_window_get_chat_page (ana_window);
  view = tto_chat_page_get_topic_view (chat);
  tto_test_gui_sign_in (ana_window, tto_test_relay_get_ws_url (relay), "Ana");
  ana = tto_window_get_session (ana_window);

  event = g_object_ref (tto_test_gui_create_event (ana_window, "Team trip", "Plan the trip", NULL));
  event_id = tto_event_get_id (event);

  bo = tto_test_client_connect (relay);
  tto_test_client_create_identity (bo, "Bo");
  joined = tto_test_client_join (bo, tto_event_get_invite_code (event));

  cy_window = tto_test_gui_new_window ();
  tto_test_gui_resize (GTK_WINDOW (cy_window), 1280, 800);
  cy_chat = tto_window_get_chat_page (cy_window);
  cy_view = tto_chat_page_get_topic_view (cy_chat);
  tto_test_gui_sign_in (cy_window, tto_test_relay_get_ws_url (relay), "Cy");
  cy = tto_window_get_session (cy_window);
  cy_event = tto_test_gui_join (cy, tto_event_get_invite_code (event));
  WAIT_FOR (tto_event_get_member_count (event) == 3);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tto_window_get_create_page (ana_window)),
                                             "create.open-chat", NULL));
  tree = tto_session_get_topic_tree (ana, event);
  WAIT_FOR (tto_topic_tree_get_loaded (tree));
  g_assert_true (tto_topic_view_get_tree (view) == tree);
  tto_window_open_event (cy_window, cy_event);
  cy_tree = tto_session_get_topic_tree (cy, cy_event);
  WAIT_FOR (tto_topic_tree_get_loaded (cy_tree));
  messages = tto_session_get_messages (ana, event);
  cy_messages = tto_session_get_messages (cy, cy_event);

  /* Desktop: the tree is a sidebar beside the chat, no header button. */
  tto_test_gui_refocus (GTK_WINDOW (ana_window));
  tto_test_gui_settle (200);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (view)));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (view)), >=, 200);
  g_assert_false (gtk_widget_get_visible (tto_chat_page_get_topics_button (chat)));
  g_assert_false (tto_topic_view_get_folded (view));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tto_topic_view_get_tree_model (view))),
                    ==, 1);

  /* Two messages in the main topic. */
  tto_test_gui_type_and_send (ana_window, "Who brings the projector for the demo tomorrow?");
  frame = bo_send (bo, event_id, "bo-1", "Budget check: we have 300 € left", NULL, NULL);
  g_clear_pointer (&frame, tto_frame_free);
  WAIT_FOR (g_list_model_get_n_items (messages) == 2 &&
            tto_message_get_seq (tto_test_gui_message_at (messages, 1)) == 2);
  budget_msg = find_text (messages, "Budget check: we have 300 € left");
  g_assert_nonnull (budget_msg);
  g_assert_cmpstr (tto_message_get_topic_id (budget_msg), ==, "main");
  /* Ana's focused window reads main as it shows it. */
  WAIT_FOR (tto_topic_tree_get_read_position (tree, "main") == 2);
  WAIT_FOR (tto_topic_get_unread_count (tto_topic_tree_lookup (tree, "main")) == 0);

  /* "Discuss separately" from Bo's message: asks for a title, prefilled
   * from its first words; an empty title cannot be sent. */
  WAIT_FOR (tto_chat_page_find_row (chat, budget_msg) != NULL);
  row = tto_chat_page_find_row (chat, budget_msg);
  {
    g_autoptr (GMenuModel) menu = tto_message_row_build_menu (row);
    gboolean found = FALSE;

    for (int i = 0; i < g_menu_model_get_n_items (menu) && !found; i++)
      {
        g_autoptr (GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);

        for (int j = 0; section != NULL && j < g_menu_model_get_n_items (section); j++)
          {
            g_autofree char *action = NULL;

            if (g_menu_model_get_item_attribute (section, j, G_MENU_ATTRIBUTE_ACTION, "s",
                                                 &action) &&
                g_str_equal (action, "chat.discuss"))
              found = TRUE;
          }
      }
    g_assert_true (found);
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "chat.discuss", "x",
                                             tto_message_get_seq (budget_msg)));
  WAIT_FOR (tto_topic_view_get_dialog (view) != NULL);
  dialog = tto_topic_view_get_dialog (view);
  g_assert_cmpstr (gtk_editable_get_text (tto_topic_view_get_dialog_entry (view)), ==,
                   "Budget check: we have 300 €");
  gtk_editable_set_text (tto_topic_view_get_dialog_entry (view), "   ");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "ok"));
  gtk_editable_set_text (tto_topic_view_get_dialog_entry (view), "Budget");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "ok"));
  respond (dialog, "ok");
  /* Without a window manager the focus does not go back by itself. */
  WAIT_FOR (tto_topic_view_get_dialog (view) == NULL);
  tto_test_gui_refocus (GTK_WINDOW (ana_window));

  /* The tree shows it under main, the chat switched to it. */
  WAIT_FOR (tto_topic_tree_get_n_topics (tree) == 2);
  budget = find_title (tree, "Budget");
  g_assert_nonnull (budget);
  budget_id = g_strdup (tto_topic_get_id (budget));
  g_assert_cmpstr (tto_topic_get_parent_id (budget), ==, "main");
  g_assert_cmpstr (tto_topic_get_from_msg_id (budget), ==, tto_message_get_msg_id (budget_msg));
  WAIT_FOR (g_strcmp0 (tto_topic_tree_get_current (tree), budget_id) == 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tto_topic_view_get_tree_model (view))),
                    ==, 2);
  g_assert_cmpuint (gtk_single_selection_get_selected (tto_topic_view_get_selection (view)), ==,
                    row_of (view, budget_id));
  g_assert_cmpuint (g_list_model_get_n_items (shown (chat)), ==, 0);
  g_assert_true (tto_topic_bar_get_revealed (tto_chat_page_get_topic_bar (chat)));
  path = tto_topic_bar_dup_path (tto_chat_page_get_topic_bar (chat));
  g_assert_cmpstr (path, ==, "Main topic › Budget");
  /* The message itself stays in main. */
  g_assert_cmpstr (tto_message_get_topic_id (budget_msg), ==, "main");
  /* Cy's tree follows (topic.updated). */
  WAIT_FOR (tto_topic_tree_lookup (cy_tree, budget_id) != NULL);

  /* Ana writes in the sub-topic: it goes there, Bo sees its topic. */
  tto_test_gui_type_and_send (ana_window, "The venue costs 200 €");
  WAIT_FOR (g_list_model_get_n_items (shown (chat)) == 1);
  sub_msg = tto_test_gui_message_at (shown (chat), 0);
  g_assert_cmpstr (tto_message_get_topic_id (sub_msg), ==, budget_id);
  WAIT_FOR (tto_message_get_seq (sub_msg) == 3);
  g_assert_cmpstr (tto_message_get_topic_id (sub_msg), ==, budget_id);
  tto_test_gui_screenshot (GTK_WINDOW (ana_window), "topics-subtopic");
  push = tto_test_client_wait_push (bo, TTO_FRAME_MSG_NEW, 5000);
  while (push != NULL && json_object_get_int_member (push->body, "seq") != 3)
    {
      g_clear_pointer (&push, tto_frame_free);
      push = tto_test_client_wait_push (bo, TTO_FRAME_MSG_NEW, 5000);
    }
  g_assert_nonnull (push);
  g_assert_cmpstr (json_object_get_string_member (push->body, "topic_id"), ==, budget_id);
  g_clear_pointer (&push, tto_frame_free);

  /* Back to main from the bar: the sub-topic's message is not there. */
  g_signal_emit_by_name (tto_topic_bar_get_main_button (tto_chat_page_get_topic_bar (chat)),
                         "clicked");
  g_assert_cmpstr (tto_topic_tree_get_current (tree), ==, "main");
  g_assert_false (tto_topic_bar_get_revealed (tto_chat_page_get_topic_bar (chat)));
  g_assert_cmpuint (g_list_model_get_n_items (shown (chat)), ==, 2);
  for (guint i = 0; i < g_list_model_get_n_items (shown (chat)); i++)
    g_assert_cmpstr (tto_message_get_topic_id (tto_test_gui_message_at (shown (chat), i)), ==,
                     "main");
  g_assert_cmpuint (gtk_single_selection_get_selected (tto_topic_view_get_selection (view)), ==,
                    0);

  /* Bo posts twice into Budget while Ana reads main: its badge says 2. */
  frame = bo_send (bo, event_id, "bo-2", "Flights are 120 € each", NULL, budget_id);
  g_clear_pointer (&frame, tto_frame_free);
  frame = bo_send (bo, event_id, "bo-3", "Train is cheaper", NULL, budget_id);
  g_clear_pointer (&frame, tto_frame_free);
  WAIT_FOR (tto_topic_get_unread_count (budget) == 2);
  g_assert_cmpuint (tto_topic_get_unread_count (tto_topic_tree_lookup (tree, "main")), ==, 0);
  g_assert_cmpuint (tto_topic_get_message_count (budget), ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (shown (chat)), ==, 2);
  WAIT_FOR (has_label (GTK_WIDGET (tto_topic_view_get_list_view (view)), "unread-badge", "2"));
  tto_test_gui_screenshot (GTK_WINDOW (ana_window), "topics-unread");
  /* Cy never opened Budget: both of Bo's and Ana's one are unread there. */
  WAIT_FOR (tto_topic_get_unread_count (tto_topic_tree_lookup (cy_tree, budget_id)) == 3);

  /* Collapse and expand main: the sub-topic row goes and comes back. */
  tree_row = gtk_tree_list_model_get_row (tto_topic_view_get_tree_model (view), 0);
  g_assert_true (gtk_tree_list_row_is_expandable (tree_row));
  g_assert_true (gtk_tree_list_row_get_expanded (tree_row));
  gtk_tree_list_row_set_expanded (tree_row, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tto_topic_view_get_tree_model (view))),
                    ==, 1);
  gtk_tree_list_row_set_expanded (tree_row, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tto_topic_view_get_tree_model (view))),
                    ==, 2);
  g_clear_object (&tree_row);

  /* Picking Budget in the tree shows its three messages and reads them. */
  gtk_single_selection_set_selected (tto_topic_view_get_selection (view), row_of (view, budget_id));
  g_assert_cmpstr (tto_topic_tree_get_current (tree), ==, budget_id);
  WAIT_FOR (g_list_model_get_n_items (shown (chat)) == 3);
  WAIT_FOR (tto_topic_get_unread_count (budget) == 0);
  g_assert_false (has_label (GTK_WIDGET (tto_topic_view_get_list_view (view)), "unread-badge",
                             "2"));
  tto_topic_view_choose (view, "main");

  /* A chain of four replies in main: proposed to Ana, not to Cy or Bo. */
  frame = bo_send (bo, event_id, "c-0", "Shall we rent a van?", NULL, NULL);
  chain[0] = g_strdup (sent_msg_id (frame));
  g_clear_pointer (&frame, tto_frame_free);
  for (guint i = 1; i < 4; i++)
    {
      g_autofree char *id = g_strdup_printf ("c-%u", i);
      g_autofree char *text = g_strdup_printf ("Van reply %u", i);

      frame = bo_send (bo, event_id, id, text, chain[i - 1], NULL);
      chain[i] = g_strdup (sent_msg_id (frame));
      g_clear_pointer (&frame, tto_frame_free);
    }
  WAIT_FOR (g_list_model_get_n_items (tto_topic_tree_get_proposals (tree)) == 1);
  WAIT_FOR (tto_topic_view_get_proposals_visible (view));
  WAIT_FOR (find_text (cy_messages, "Van reply 3") != NULL);
  tto_test_gui_settle (300);
  g_assert_cmpuint (g_list_model_get_n_items (tto_topic_tree_get_proposals (cy_tree)), ==, 0);
  g_assert_false (tto_topic_view_get_proposals_visible (cy_view));
  g_assert_cmpuint (tto_test_client_count_pushes (bo, TTO_FRAME_TOPIC_PROPOSED), ==, 0);
  frame = tto_test_client_request_ok (bo, TTO_FRAME_TOPIC_LIST,
                                      tto_test_json_object ("{\"event_id\":\"%s\"}", event_id));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (frame->body,
                                                                         "proposals")),
                    ==, 0);
  g_clear_pointer (&frame, tto_frame_free);
  {
    TtoTopicProposal *proposal =
      g_list_model_get_item (tto_topic_tree_get_proposals (tree), 0);
    g_autofree char *summary = tto_topic_proposal_dup_summary (proposal);

    g_assert_cmpstr (summary, ==, "3 replies became a thread — make it a sub-topic?");
    g_assert_cmpuint (tto_topic_proposal_get_n_messages (proposal), ==, 4);
    g_object_unref (proposal);
  }
  g_assert_cmpstr (gtk_editable_get_text (tto_topic_view_get_proposal_entry (view, 0)), ==,
                   "Reply thread");
  g_assert_cmpuint (g_list_model_get_n_items (shown (chat)), ==, 6);

  /* Screenshots: the sidebar with the proposal card; then the phone. */
  tto_test_gui_screenshot (GTK_WINDOW (ana_window), "topics-sidebar");

  /* Accept with an edited title: a new topic, the four messages move. */
  gtk_editable_set_text (tto_topic_view_get_proposal_entry (view, 0), "Van rental");
  g_signal_emit_by_name (tto_topic_view_get_proposal_button (view, 0, TRUE), "clicked");
  WAIT_FOR (find_title (tree, "Van rental") != NULL);
  van = find_title (tree, "Van rental");
  g_assert_cmpstr (tto_topic_get_parent_id (van), ==, "main");
  WAIT_FOR (g_list_model_get_n_items (tto_topic_tree_get_proposals (tree)) == 0);
  WAIT_FOR (g_strcmp0 (tto_message_get_topic_id (find_text (messages, "Van reply 3")),
                       tto_topic_get_id (van)) == 0);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *text = i == 0 ? g_strdup ("Shall we rent a van?")
                                     : g_strdup_printf ("Van reply %u", i);

      WAIT_FOR (g_strcmp0 (tto_message_get_topic_id (find_text (messages, text)),
                           tto_topic_get_id (van)) == 0);
      WAIT_FOR (g_strcmp0 (tto_message_get_topic_id (find_text (cy_messages, text)),
                           tto_topic_get_id (van)) == 0);
    }
  WAIT_FOR (g_list_model_get_n_items (shown (chat)) == 2);
  WAIT_FOR (tto_topic_get_message_count (van) == 4);
  WAIT_FOR (tto_topic_tree_lookup (cy_tree, tto_topic_get_id (van)) != NULL);

  /* Row menus: Ana manages everything; Cy may do nothing to Ana's topic. */
  {
    g_autoptr (GMenuModel) ana_menu = tto_topic_view_build_topic_menu (view, budget);
    g_autoptr (GMenuModel) cy_menu =
      tto_topic_view_build_topic_menu (cy_view, tto_topic_tree_lookup (cy_tree, budget_id));
    g_autoptr (GMenuModel) main_menu =
      tto_topic_view_build_topic_menu (view, tto_topic_tree_lookup (tree, "main"));

    g_assert_cmpint (g_menu_model_get_n_items (ana_menu), ==, 2);
    g_assert_cmpint (g_menu_model_get_n_items (cy_menu), ==, 0);
    g_assert_cmpint (g_menu_model_get_n_items (main_menu), ==, 0);
  }

  /* Rename from the row menu's action. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "topics.rename", "s", budget_id));
  WAIT_FOR (tto_topic_view_get_dialog (view) != NULL);
  g_assert_cmpstr (gtk_editable_get_text (tto_topic_view_get_dialog_entry (view)), ==, "Budget");
  gtk_editable_set_text (tto_topic_view_get_dialog_entry (view), "Trip budget");
  respond (tto_topic_view_get_dialog (view), "ok");
  WAIT_FOR (tto_topic_view_get_dialog (view) == NULL);
  tto_test_gui_refocus (GTK_WINDOW (ana_window));
  WAIT_FOR (g_strcmp0 (tto_topic_get_title (budget), "Trip budget") == 0);
  WAIT_FOR (g_strcmp0 (tto_topic_get_title (tto_topic_tree_lookup (cy_tree, budget_id)),
                       "Trip budget") == 0);

  /* The relay refuses what the user may not do, and nothing changes. */
  tto_topic_tree_rename_async (cy_tree, budget_id, "Mine now", NULL, on_request_done, &error);
  WAIT_FOR (error != NULL);
  g_assert_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_FORBIDDEN);
  g_clear_error (&error);
  tto_topic_tree_create_async (tree, "zzzzzzzzzzzzzzzz", "Nowhere", NULL, on_request_done, &error);
  WAIT_FOR (error != NULL);
  g_assert_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpstr (tto_topic_get_title (budget), ==, "Trip budget");
  g_assert_cmpuint (tto_topic_tree_get_n_topics (tree), ==, 3);

  /* Phone width: the tree is a page behind the "Topics" header button. */
  tto_test_gui_resize (GTK_WINDOW (ana_window), 360, 720);
  g_assert_true (tto_window_get_folded (ana_window));
  WAIT_FOR (gtk_widget_get_visible (tto_chat_page_get_topics_button (chat)));
  g_assert_true (tto_topic_view_get_folded (view));
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (view)));
  {
    GtkWidget *button = tto_chat_page_get_topics_button (chat);

    g_assert_true (gtk_widget_get_mapped (button));
    g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "Topics");
    g_assert_true (gtk_widget_activate_action (button, "chat.show-topics", NULL));
  }
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (view)));
  tto_test_gui_settle (300);
  tto_test_gui_screenshot (GTK_WINDOW (ana_window), "topics-page");
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (view)), ==, 360);
  /* Picking a topic there returns to its chat. */
  gtk_single_selection_set_selected (tto_topic_view_get_selection (view),
                                     row_of (view, tto_topic_get_id (van)));
  WAIT_FOR (!gtk_widget_get_mapped (GTK_WIDGET (view)));
  g_assert_cmpstr (tto_topic_tree_get_current (tree), ==, tto_topic_get_id (van));
  WAIT_FOR (g_list_model_get_n_items (shown (chat)) == 4);
  tto_test_gui_screenshot (GTK_WINDOW (ana_window), "topics-chat");

  /* Remove Van rental: its messages go back to main, and so does the chat. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "topics.remove", "s",
                                             tto_topic_get_id (van)));
  WAIT_FOR (tto_topic_view_get_dialog (view) != NULL);
  respond (tto_topic_view_get_dialog (view), "ok");
  WAIT_FOR (tto_topic_view_get_dialog (view) == NULL);
  tto_test_gui_refocus (GTK_WINDOW (ana_window));
  WAIT_FOR (tto_topic_tree_get_n_topics (tree) == 2);
  g_assert_cmpstr (tto_topic_tree_get_current (tree), ==, "main");
  WAIT_FOR (g_strcmp0 (tto_message_get_topic_id (find_text (messages, "Van reply 3")), "main") == 0);
  WAIT_FOR (g_list_model_get_n_items (shown (chat)) == 6);

  tto_test_gui_resize (GTK_WINDOW (ana_window), 1280, 800);
  WAIT_FOR (!gtk_widget_get_visible (tto_chat_page_get_topics_button (chat)));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (view)));

  for (guint i = 0; i < 4; i++)
    g_free (chain[i]);
  tto_test_client_close (bo);
  g_object_unref (event);
  gtk_window_destroy (GTK_WINDOW (cy_window));
  gtk_window_destroy (GTK_WINDOW (ana_window));
  tto_test_gui_settle (100);
  tto_test_relay_stop (relay);
}

int
main (int argc,
      char *argv[])
{
  tto_test_gui_init (&argc, &argv);

  g_test_add_func ("/topics/model", test_model);
  g_test_add_func ("/topics/window", test_window);

  return g_test_run ();
}
