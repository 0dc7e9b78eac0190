/* tto-system-text.c: the relay's system messages, worded in the user's language
 *
 * The relay posts a chat line when the flow changes (a stage change, new
 * rules, eliminations). Its "text" is English, for older clients; the same
 * change comes as data in "system_event" (PROTOCOL.md "Event flow"), and
 * this is where the client turns that data into its own, translated
 * sentence. Stage titles go through tto_flow_stage_title_for_display (), so
 * the untitled default stage reads as the translated "Main stage".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-shared.h"

#include "tto-flow-stage.h"
#include "tto-system-text.h"

static JsonNode *
member_of_type (JsonObject *object,
                const char *name,
                JsonNodeType type)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_TYPE (node) == type ? node : NULL;
}

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = member_of_type (object, name, JSON_NODE_VALUE);

  return node != NULL && json_node_get_value_type (node) == G_TYPE_STRING
           ? json_node_get_string (node)
           : NULL;
}

static JsonObject *
get_object (JsonObject *object,
            const char *name)
{
  JsonNode *node = member_of_type (object, name, JSON_NODE_OBJECT);

  return node != NULL ? json_node_get_object (node) : NULL;
}

static JsonArray *
get_array (JsonObject *object,
           const char *name)
{
  JsonNode *node = member_of_type (object, name, JSON_NODE_ARRAY);

  return node != NULL ? json_node_get_array (node) : NULL;
}

/* FALSE when the member is missing or not an integer. */
static gboolean
get_int (JsonObject *object,
         const char *name,
         gint64 *out)
{
  JsonNode *node = member_of_type (object, name, JSON_NODE_VALUE);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

/* "Bo, Cy, Di" from [{"identity_id", "display_name"}, …]; NULL when empty. */
static char *
join_names (JsonArray *people)
{
  /* Translators: put between the names of a list of people: "Bo, Cy, Di"
   * (Chinese uses "、") */
  const char *separator = _(", ");
  GString *names = g_string_new (NULL);

  for (guint i = 0; people != NULL && i < json_array_get_length (people); i++)
    {
      JsonNode *node = json_array_get_element (people, i);
      JsonObject *person = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *name = get_string (person, "display_name");

      if (name == NULL)
        name = get_string (person, "identity_id");
      if (name == NULL)
        continue;
      if (names->len > 0)
        g_string_append (names, separator);
      g_string_append (names, name);
    }

  if (names->len == 0)
    {
      g_string_free (names, TRUE);
      return NULL;
    }
  return g_string_free (names, FALSE);
}

static char *
describe_stage (JsonObject *event)
{
  const char *stage = get_string (event, "stage");
  const char *previous = get_string (event, "previous_stage");
  const char *direction = get_string (event, "direction");
  const char *conclusion = get_string (event, "conclusion");
  const char *title;
  g_autofree char *line = NULL;
  char *second;
  char *both;

  if (stage == NULL)
    return NULL;
  title = tto_flow_stage_title_for_display (stage);

  if (g_strcmp0 (direction, "next") == 0)
    /* Translators: a line in the chat when the event moves on to its next
     * stage; %s is the stage's title */
    line = g_strdup_printf (_("Moved on to the stage “%s”"), title);
  else if (g_strcmp0 (direction, "back") == 0)
    /* Translators: a line in the chat when the event returns to its
     * previous stage; %s is the stage's title */
    line = g_strdup_printf (_("Went back to the stage “%s”"), title);
  else if (g_strcmp0 (direction, "template") == 0)
    /* Translators: a line in the chat when a template replaced the event's
     * stages; %s is the title of the first one, now active */
    line = g_strdup_printf (_("The stages come from a template, starting with “%s”"), title);
  else
    /* Translators: a line in the chat when the event's stage changed;
     * %s is the stage's title */
    line = g_strdup_printf (_("The current stage is now “%s”"), title);

  if (conclusion == NULL || *conclusion == '\0')
    return g_steal_pointer (&line);

  if (previous != NULL)
    /* Translators: the second line of a stage change in the chat: the
     * conclusion given for the stage just left, "Conclusion of “Needs
     * discussion”: We build the app" */
    second = g_strdup_printf (_("Conclusion of “%s”: %s"),
                              tto_flow_stage_title_for_display (previous), conclusion);
  else
    second = g_strdup_printf (_("Conclusion: %s"), conclusion);
  both = g_strconcat (line, "\n", second, NULL);
  /* The conclusion is what members wrote. */
  tto_str_wipe_free (second);
  return both;
}

static char *
describe_eliminated (JsonObject *event)
{
  JsonArray *members = get_array (event, "members");
  g_autofree char *names = join_names (members);

  if (names == NULL)
    return NULL;

  /* Translators: a line in the chat after a stage change; %s lists the
   * members the event's rules eliminated: "Bo, Cy were eliminated…" */
  return g_strdup_printf (g_dngettext (NULL, "%s was eliminated and can now only read along",
                                       "%s were eliminated and can now only read along",
                                       json_array_get_length (members)),
                          names);
}

static char *
describe_approval (JsonObject *event,
                   JsonObject *approval)
{
  g_autofree char *names = NULL;
  gint64 count = 0;

  if (approval == NULL)
    /* Translators: part of the rules line in the chat */
    return g_strdup (_("stage changes apply at once"));
  if (g_strcmp0 (get_string (approval, "mode"), "majority") == 0)
    /* Translators: part of the rules line in the chat */
    return g_strdup (_("stage changes need approval by a majority"));

  get_int (approval, "count", &count);
  names = join_names (get_array (event, "approvers"));
  if (names == NULL)
    /* Translators: part of the rules line in the chat */
    return g_strdup_printf (g_dngettext (NULL, "stage changes need %u approval",
                                         "stage changes need %u approvals", (gulong) count),
                            (guint) count);

  /* Translators: part of the rules line in the chat: "stage changes need
   * 2 approvals from Bo, Cy, Di" */
  return g_strdup_printf (g_dngettext (NULL, "stage changes need %u approval from %s",
                                       "stage changes need %u approvals from %s", (gulong) count),
                          (guint) count, names);
}

static char *
describe_elimination (JsonObject *elimination)
{
  g_autofree char *points = NULL;
  gboolean missed;
  gint64 below;
  gulong n;

  if (elimination == NULL)
    /* Translators: part of the rules line in the chat */
    return g_strdup (_("no elimination"));

  missed = json_object_get_boolean_member_with_default (elimination, "missed_required_task",
                                                        FALSE);
  if (!get_int (elimination, "below_points", &below))
    return g_strdup (missed
                       /* Translators: part of the rules line in the chat */
                       ? _("elimination for a missed required task")
                       /* Translators: part of the rules line in the chat */
                       : _("elimination never applies"));

  points = g_strdup_printf ("%" G_GINT64_FORMAT, below);
  n = (gulong) MIN (ABS (below), G_MAXLONG);
  if (missed)
    /* Translators: part of the rules line in the chat; %s is a number of
     * points */
    return g_strdup_printf (
      g_dngettext (NULL, "elimination below %s point or for a missed required task",
                   "elimination below %s points or for a missed required task", n),
      points);
  /* Translators: part of the rules line in the chat; %s is a number of points */
  return g_strdup_printf (g_dngettext (NULL, "elimination below %s point",
                                       "elimination below %s points", n),
                          points);
}

static char *
describe_rules (JsonObject *event)
{
  JsonObject *rules = get_object (event, "rules");
  g_autofree char *approval = NULL;
  g_autofree char *elimination = NULL;
  const char *points;

  if (rules == NULL)
    return NULL;

  points = json_object_get_boolean_member_with_default (rules, "points", FALSE)
             /* Translators: part of the rules line in the chat */
             ? _("points on")
             /* Translators: part of the rules line in the chat */
             : _("points off");
  approval = describe_approval (event, get_object (rules, "approval"));
  elimination = describe_elimination (get_object (rules, "elimination"));

  /* Translators: a line in the chat when an editor changed the event's
   * rules; the parts are points, approval and elimination: "New rules:
   * points on; stage changes need approval by a majority; no elimination" */
  return g_strdup_printf (_("New rules: %s; %s; %s"), points, approval, elimination);
}

/* The sentence for a message's "system_event", or NULL for a kind this
 * client does not know (it then shows the relay's text). */
char *
tto_system_text_describe (JsonObject *system_event)
{
  const char *kind;

  g_return_val_if_fail (system_event != NULL, NULL);

  kind = get_string (system_event, "kind");
  if (g_strcmp0 (kind, "stage_changed") == 0)
    return describe_stage (system_event);
  if (g_strcmp0 (kind, "rules_changed") == 0)
    return describe_rules (system_event);
  if (g_strcmp0 (kind, "eliminated") == 0)
    return describe_eliminated (system_event);
  return NULL;
}

/* What the chat shows for @message: the translated sentence of a system
 * message, else (older relays, unknown kinds, members' messages) its text. */
char *
tto_system_text_for_message (TtoMessage *message)
{
  JsonObject *event;
  char *text = NULL;

  g_return_val_if_fail (TTO_IS_MESSAGE (message), NULL);

  event = tto_message_get_system (message) ? tto_message_get_system_event (message) : NULL;
  if (event != NULL)
    text = tto_system_text_describe (event);
  return text != NULL ? text : g_strdup (tto_message_get_text (message));
}
