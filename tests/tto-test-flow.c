/* tto-test-flow.c: the event flow against a real relay and MariaDB: stage
 * changes under approval rules, elimination, tasks accepted only in their
 * required form, video-call completion from real call signalling, meeting
 * attendance, who may edit, and what is (not) stored
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <libsoup/soup.h>

#include "tto-shared.h"
#include "tto-test-harness.h"

#define GRACE 600
#define WAIT_MS 3000

/* Grant expiry and call durations move the relay's clock. */
static const char *const test_clock_args[] = { "--test-clock", NULL };

static const char *const flow_tables[] = {
  "flow_rules", "stages", "tasks", "task_done", "points", "eliminated", "meetings",
  "meeting_attended", NULL
};

typedef struct
{
  TtoTestRelay *relay;
  TtoTestClient *ana; /* creator */
  TtoTestClient *bo;
  TtoTestClient *cy;
  TtoTestClient *di;
  char *event_id;
} Fixture;

static TtoTestClient *
person (TtoTestRelay *relay,
        const char *name)
{
  TtoTestClient *c = tto_test_client_connect (relay);

  tto_test_client_create_identity (c, name);
  return c;
}

static const char *
id_of (TtoTestClient *c)
{
  return tto_test_client_get_identity_id (c);
}

/* Ana creates the event (with @extra in event.create); Bo, Cy and Di join. */
static gboolean
fixture_setup (Fixture *f,
               const char *extra)
{
  g_autoptr (TtoFrame) ok = NULL;
  JsonObject *event;
  const char *code;

  memset (f, 0, sizeof *f);
  f->relay = tto_test_relay_start_with_args (GRACE, test_clock_args);
  if (f->relay == NULL)
    return FALSE;

  f->ana = person (f->relay, "Ana");
  f->bo = person (f->relay, "Bo");
  f->cy = person (f->relay, "Cy");
  f->di = person (f->relay, "Di");
  ok = tto_test_client_request_ok (f->ana, TTO_FRAME_EVENT_CREATE,
                                   tto_test_json_object ("{\"title\":\"Flow\"%s}", extra));
  event = json_object_get_object_member (ok->body, "event");
  f->event_id = g_strdup (json_object_get_string_member (event, "event_id"));
  code = json_object_get_string_member (event, "invite_code");
  json_object_unref (tto_test_client_join (f->bo, code));
  json_object_unref (tto_test_client_join (f->cy, code));
  json_object_unref (tto_test_client_join (f->di, code));

  return TRUE;
}

static void
fixture_teardown (Fixture *f)
{
  tto_test_client_close (f->ana);
  tto_test_client_close (f->bo);
  tto_test_client_close (f->cy);
  tto_test_client_close (f->di);
  tto_test_relay_stop (f->relay);
  g_free (f->event_id);
}

/* A request whose body is @json after "event_id": answered ok; returns the
 * answer's "flow" (a new reference) or the body when there is none. */
static JsonObject *
ok_flow (TtoTestClient *c,
         const char *type,
         const char *event_id,
         const char *json)
{
  g_autoptr (TtoFrame) ok = tto_test_client_request_ok (
    c, type, tto_test_json_object ("{\"event_id\":\"%s\"%s%s}", event_id,
                                   json[0] != '\0' ? "," : "", json));

  if (json_object_has_member (ok->body, "flow"))
    return json_object_ref (json_object_get_object_member (ok->body, "flow"));
  return json_object_ref (ok->body);
}

static TtoFrame *
request (TtoTestClient *c,
         const char *type,
         const char *event_id,
         const char *json)
{
  return tto_test_client_request (c, type,
                                  tto_test_json_object ("{\"event_id\":\"%s\"%s%s}", event_id,
                                                        json[0] != '\0' ? "," : "", json));
}

static void
expect_error (TtoFrame *answer,
              const char *code,
              const char *message_part)
{
  g_assert_nonnull (answer);
  if (!tto_frame_is (answer, TTO_FRAME_ERROR))
    g_error ("expected %s, got ok", code);
  g_assert_cmpstr (tto_frame_get_string (answer, "code"), ==, code);
  if (message_part != NULL && strstr (tto_frame_get_string (answer, "message"), message_part) == NULL)
    g_error ("error message '%s' does not contain '%s'", tto_frame_get_string (answer, "message"),
             message_part);
  tto_frame_free (answer);
}

static void
expect_ok (TtoFrame *answer)
{
  g_assert_nonnull (answer);
  if (!tto_frame_is (answer, TTO_FRAME_OK))
    g_error ("expected ok, got %s: %s", tto_frame_get_string (answer, "code"),
             tto_frame_get_string (answer, "message"));
  tto_frame_free (answer);
}

/* A refusal with @code and the machine-readable @reason; @params ("name=value,…",
 * values compared as text) must be exactly the frame's params, or absent
 * when NULL. The client's parse keeps both on the GError, across a copy. */
static void
expect_reason (TtoFrame *answer,
               const char *code,
               const char *reason,
               const char *params)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) copy = NULL;
  g_autoptr (GString) got = g_string_new (NULL);
  JsonObject *sent;

  g_assert_nonnull (answer);
  if (!tto_frame_is (answer, TTO_FRAME_ERROR))
    g_error ("expected %s (%s), got ok", code, reason);
  g_assert_cmpstr (tto_frame_get_string (answer, "code"), ==, code);
  g_assert_cmpstr (tto_frame_get_string (answer, "reason"), ==, reason);
  /* The English message stays for logs and older clients. */
  g_assert_cmpstr (tto_frame_get_string (answer, "message"), !=, "");

  g_assert_true (tto_frame_propagate_error (answer, &error));
  g_assert_true (error->domain == TTO_PROTOCOL_ERROR);
  copy = g_error_copy (error);
  g_assert_cmpstr (tto_protocol_error_get_reason (copy), ==, reason);
  sent = tto_protocol_error_get_params (copy);
  if (params == NULL)
    {
      g_assert_false (json_object_has_member (answer->body, "params"));
      g_assert_true (sent == NULL || json_object_get_size (sent) == 0);
    }
  else
    {
      g_autoptr (GList) names = json_object_get_members (sent);

      names = g_list_sort (names, (GCompareFunc) g_strcmp0);
      for (GList *l = names; l != NULL; l = l->next)
        {
          JsonNode *value = json_object_get_member (sent, l->data);

          g_string_append_printf (got, "%s%s=", got->len > 0 ? "," : "", (char *) l->data);
          if (json_node_get_value_type (value) == G_TYPE_INT64)
            g_string_append_printf (got, "%" G_GINT64_FORMAT, json_node_get_int (value));
          else
            g_string_append (got, json_node_get_string (value));
        }
      g_assert_cmpstr (got->str, ==, params);
    }
  tto_frame_free (answer);
}

static JsonObject *
stage (JsonObject *flow,
       guint index)
{
  return json_array_get_object_element (json_object_get_array_member (flow, "stages"), index);
}

static JsonObject *
find_task (JsonObject *flow,
           const char *task_id)
{
  JsonArray *stages = json_object_get_array_member (flow, "stages");

  for (guint i = 0; i < json_array_get_length (stages); i++)
    {
      JsonArray *tasks = json_object_get_array_member (json_array_get_object_element (stages, i),
                                                       "tasks");

      for (guint j = 0; j < json_array_get_length (tasks); j++)
        {
          JsonObject *task = json_array_get_object_element (tasks, j);

          if (g_str_equal (json_object_get_string_member (task, "id"), task_id))
            return task;
        }
    }

  g_error ("no task %s in the flow", task_id);
}

static gboolean
array_has (JsonArray *array,
           const char *id)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), id) == 0)
      return TRUE;

  return FALSE;
}

/* Waits for a system msg.new whose English text starts with @prefix and
 * returns its "system_event", which every system message carries. The
 * message survives a round trip through TtoMessage (the clients' model). */
static JsonObject *
expect_system_event (TtoTestClient *c,
                     const char *prefix)
{
  for (;;)
    {
      g_autoptr (TtoFrame) push = tto_test_client_wait_push (c, TTO_FRAME_MSG_NEW, WAIT_MS);

      if (push == NULL)
        g_error ("no system message starting '%s'", prefix);
      if (json_object_get_boolean_member_with_default (push->body, "system", FALSE) &&
          g_str_has_prefix (tto_frame_get_string (push, "text"), prefix))
        {
          g_autoptr (GError) error = NULL;
          g_autoptr (TtoMessage) message = tto_message_new_from_json (push->body, &error);
          g_autoptr (JsonObject) back = NULL;
          g_autoptr (JsonNode) sent = NULL;
          g_autoptr (JsonNode) kept = NULL;
          JsonObject *event;

          g_assert_no_error (error);
          g_assert_true (json_object_has_member (push->body, "system_event"));
          event = json_object_get_object_member (push->body, "system_event");
          g_assert_nonnull (event);
          g_assert_nonnull (tto_message_get_system_event (message));
          back = tto_message_to_json (message);
          sent = json_node_init_object (json_node_alloc (), event);
          kept = json_node_init_object (json_node_alloc (),
                                        json_object_get_object_member (back, "system_event"));
          g_assert_true (json_node_equal (sent, kept));

          return json_object_ref (event);
        }
    }
}

/* A stage_changed system_event. */
static void
assert_stage_event (JsonObject *event,
                    const char *stage_id,
                    const char *stage_title,
                    const char *previous_title,
                    const char *direction,
                    const char *conclusion)
{
  g_assert_cmpstr (json_object_get_string_member (event, "kind"), ==, "stage_changed");
  g_assert_cmpstr (json_object_get_string_member (event, "stage_id"), ==, stage_id);
  g_assert_cmpstr (json_object_get_string_member (event, "stage"), ==, stage_title);
  if (previous_title == NULL)
    g_assert_true (json_object_get_null_member (event, "previous_stage"));
  else
    g_assert_cmpstr (json_object_get_string_member (event, "previous_stage"), ==, previous_title);
  g_assert_cmpstr (json_object_get_string_member (event, "direction"), ==, direction);
  if (conclusion == NULL)
    g_assert_true (json_object_get_null_member (event, "conclusion"));
  else
    g_assert_cmpstr (json_object_get_string_member (event, "conclusion"), ==, conclusion);
}

/* The members named by an eliminated or rules_changed event, in order:
 * "id=name,id=name". */
static char *
people_of (JsonArray *people)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (people); i++)
    {
      JsonObject *person = json_array_get_object_element (people, i);

      g_string_append_printf (out, "%s%s=%s", i > 0 ? "," : "",
                              json_object_get_string_member (person, "identity_id"),
                              json_object_get_string_member (person, "display_name"));
    }
  return g_string_free (out, FALSE);
}

static gint64
rows_of_event (Fixture *f,
               const char *table)
{
  return tto_test_relay_query_intf (f->relay, "SELECT COUNT(*) FROM %s WHERE event_id = '%s'",
                                    table, f->event_id);
}

/* Stages, approval by named members, then by majority. */
static void
test_approval (void)
{
  Fixture f;
  g_autoptr (JsonObject) flow = NULL;
  g_autoptr (JsonObject) after = NULL;
  g_autofree char *rules = NULL;
  JsonObject *pending;

  if (!fixture_setup (&f, ",\"stages\":[\"Needs discussion\",\"Plan confirmation\",\"Execution\"]"))
    return;

  expect_error (tto_test_client_request (f.ana, TTO_FRAME_EVENT_CREATE,
                                         tto_test_json_object ("{\"title\":\"X\",\"stages\":[]}")),
                "bad_frame", "stages");
  expect_error (tto_test_client_request (f.ana, TTO_FRAME_EVENT_CREATE,
                                         tto_test_json_object ("{\"title\":\"X\",\"stages\":[\"\"]}")),
                "bad_frame", "stages[0]");

  flow = ok_flow (f.ana, TTO_FRAME_FLOW_GET, f.event_id, "");
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (flow, "stages")), ==, 3);
  g_assert_cmpint (json_object_get_int_member (flow, "current"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (stage (flow, 0), "status"), ==, "active");
  g_assert_cmpstr (json_object_get_string_member (stage (flow, 1), "status"), ==, "pending");
  g_assert_true (json_object_get_null_member (flow, "pending"));
  /* The stages are rows too. */
  g_assert_cmpint (rows_of_event (&f, "stages"), ==, 3);

  /* Bo and Cy speak in the first stage; Bo twice. */
  tto_frame_free (tto_test_client_send_message (f.bo, f.event_id, "b1", "I think we should"));
  tto_frame_free (tto_test_client_send_message (f.bo, f.event_id, "b2", "…meet on Friday"));
  tto_frame_free (tto_test_client_send_message (f.cy, f.event_id, "c1", "Agreed"));

  /* Two of Bo, Cy and Di must approve; the change is announced. */
  tto_test_client_discard_pushes (f.di);
  rules = g_strdup_printf ("\"rules\":{\"points\":false,\"approval\":{\"mode\":\"members\","
                           "\"members\":[\"%s\",\"%s\",\"%s\"],\"count\":2},\"elimination\":null}",
                           id_of (f.bo), id_of (f.cy), id_of (f.di));
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (f.ana, TTO_FRAME_FLOW_RULES, f.event_id, rules);
  {
    g_autoptr (JsonObject) event =
      expect_system_event (f.di, "Rules: points off; stage changes need approval by 2 of Bo, Cy, Di");
    g_autoptr (JsonNode) sent = NULL;
    g_autoptr (JsonNode) now = NULL;
    g_autofree char *approvers = people_of (json_object_get_array_member (event, "approvers"));
    g_autofree char *want = g_strdup_printf ("%s=Bo,%s=Cy,%s=Di", id_of (f.bo), id_of (f.cy),
                                             id_of (f.di));

    /* The rules as the flow has them, and the approvers' names. */
    g_assert_cmpstr (json_object_get_string_member (event, "kind"), ==, "rules_changed");
    sent = json_node_init_object (json_node_alloc (), json_object_get_object_member (event, "rules"));
    now = json_node_init_object (json_node_alloc (), json_object_get_object_member (flow, "rules"));
    g_assert_true (json_node_equal (sent, now));
    g_assert_cmpstr (approvers, ==, want);
  }

  /* Not enough approvals: pending, the stage stays. */
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (f.ana, TTO_FRAME_FLOW_ADVANCE, f.event_id,
                  "\"direction\":\"next\",\"conclusion\":\"Friday it is\"");
  pending = json_object_get_object_member (flow, "pending");
  g_assert_nonnull (pending);
  g_assert_cmpint (json_object_get_int_member (flow, "current"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (pending, "needed"), ==, 2);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (pending, "approvals")), ==, 0);
  /* Pending is stored; a second request conflicts; Ana is no approver. */
  g_assert_cmpint (tto_test_relay_query_intf (f.relay,
                                              "SELECT COUNT(*) FROM flow_rules WHERE event_id = '%s'"
                                              " AND pending_direction = 'next'", f.event_id), ==, 1);
  expect_error (request (f.ana, TTO_FRAME_FLOW_ADVANCE, f.event_id, "\"direction\":\"next\""),
                "conflict", NULL);
  expect_error (request (f.ana, TTO_FRAME_FLOW_APPROVE, f.event_id, ""), "forbidden", NULL);

  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (f.bo, TTO_FRAME_FLOW_APPROVE, f.event_id, "");
  g_assert_cmpint (json_object_get_int_member (flow, "current"), ==, 0);
  g_assert_nonnull (json_object_get_object_member (flow, "pending"));
  /* Approving twice changes nothing. */
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (f.bo, TTO_FRAME_FLOW_APPROVE, f.event_id, "");
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (
                     json_object_get_object_member (flow, "pending"), "approvals")), ==, 1);

  /* Enough: applied, and announced in the chat. */
  tto_test_client_discard_pushes (f.di);
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (f.cy, TTO_FRAME_FLOW_APPROVE, f.event_id, "");
  g_assert_cmpint (json_object_get_int_member (flow, "current"), ==, 1);
  g_assert_true (json_object_get_null_member (flow, "pending"));
  g_assert_cmpstr (json_object_get_string_member (stage (flow, 0), "status"), ==, "done");
  g_assert_cmpstr (json_object_get_string_member (stage (flow, 0), "conclusion"), ==, "Friday it is");
  g_assert_cmpint (json_object_get_int_member (stage (flow, 0), "participants"), ==, 2);
  g_assert_false (json_object_get_null_member (stage (flow, 0), "ended_at"));
  g_assert_cmpstr (json_object_get_string_member (stage (flow, 1), "status"), ==, "active");
  {
    g_autoptr (JsonObject) event = expect_system_event (
      f.di, "Stage: Plan confirmation — conclusion of Needs discussion: Friday it is");

    assert_stage_event (event, json_object_get_string_member (stage (flow, 1), "id"),
                        "Plan confirmation", "Needs discussion", "next", "Friday it is");
  }
  {
    g_autoptr (TtoFrame) push = tto_test_client_wait_push (f.di, TTO_FRAME_FLOW_UPDATED, WAIT_MS);

    g_assert_nonnull (push);
  }

  /* Majority: 4 members, so 3 approvals; the requester's counts. */
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (f.ana, TTO_FRAME_FLOW_RULES, f.event_id,
                  "\"rules\":{\"approval\":{\"mode\":\"majority\"}}");
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (f.ana, TTO_FRAME_FLOW_ADVANCE, f.event_id, "\"direction\":\"next\"");
  pending = json_object_get_object_member (flow, "pending");
  g_assert_cmpint (json_object_get_int_member (pending, "needed"), ==, 3);
  g_assert_true (array_has (json_object_get_array_member (pending, "approvals"), id_of (f.ana)));
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (f.di, TTO_FRAME_FLOW_APPROVE, f.event_id, "");
  g_assert_cmpint (json_object_get_int_member (flow, "current"), ==, 1);
  after = ok_flow (f.bo, TTO_FRAME_FLOW_APPROVE, f.event_id, "");
  g_assert_cmpint (json_object_get_int_member (after, "current"), ==, 2);
  g_assert_true (json_object_get_null_member (after, "pending"));
  g_assert_cmpint (json_object_get_int_member (stage (after, 1), "participants"), ==, 0);

  /* No stage after the last; cancel needs something pending. */
  expect_error (request (f.ana, TTO_FRAME_FLOW_ADVANCE, f.event_id, "\"direction\":\"next\""),
                "conflict", "last stage");
  expect_error (request (f.ana, TTO_FRAME_FLOW_ADVANCE, f.event_id, "\"direction\":\"cancel\""),
                "conflict", NULL);
  /* Back waits for approval too, and can be cancelled. */
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (f.ana, TTO_FRAME_FLOW_ADVANCE, f.event_id, "\"direction\":\"back\"");
  g_assert_nonnull (json_object_get_object_member (flow, "pending"));
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (f.ana, TTO_FRAME_FLOW_ADVANCE, f.event_id, "\"direction\":\"cancel\"");
  g_assert_true (json_object_get_null_member (flow, "pending"));
  g_assert_cmpint (json_object_get_int_member (flow, "current"), ==, 2);

  fixture_teardown (&f);
}

static char *
add_task (TtoTestClient *c,
          const char *event_id,
          const char *stage_id,
          const char *form,
          const char *extra)
{
  g_autofree char *json = g_strdup_printf ("\"stage_id\":\"%s\",\"title\":\"Task %s\","
                                           "\"form\":\"%s\"%s",
                                           stage_id, form, form, extra);
  g_autoptr (JsonObject) body = ok_flow (c, TTO_FRAME_TASK_ADD, event_id, json);

  /* ok_flow returns the flow; the task id is the newest task's. */
  {
    JsonArray *stages = json_object_get_array_member (body, "stages");

    for (guint i = 0; i < json_array_get_length (stages); i++)
      {
        JsonObject *s = json_array_get_object_element (stages, i);

        if (g_str_equal (json_object_get_string_member (s, "id"), stage_id))
          {
            JsonArray *tasks = json_object_get_array_member (s, "tasks");

            return g_strdup (json_object_get_string_member (
              json_array_get_object_element (tasks, json_array_get_length (tasks) - 1), "id"));
          }
      }
  }
  g_error ("stage %s not found", stage_id);
}

static char *
active_stage_id (TtoTestClient *c,
                 const char *event_id)
{
  g_autoptr (JsonObject) flow = ok_flow (c, TTO_FRAME_FLOW_GET, event_id, "");

  return g_strdup (json_object_get_string_member (
    stage (flow, json_object_get_int_member (flow, "current")), "id"));
}

/* Elimination at a stage change: below the points threshold, or a missed
 * required task. The eliminated read but cannot send. */
static void
test_elimination (void)
{
  Fixture f;
  g_autoptr (JsonObject) flow = NULL;
  g_autofree char *stage_id = NULL;
  g_autofree char *task_id = NULL;
  g_autofree char *json = NULL;
  JsonArray *eliminated;

  if (!fixture_setup (&f, ",\"stages\":[\"Sign up\",\"Work\"]"))
    return;

  flow = ok_flow (f.ana, TTO_FRAME_FLOW_RULES, f.event_id,
                  "\"rules\":{\"points\":true,\"elimination\":{\"below_points\":10,"
                  "\"missed_required_task\":true}}");
  stage_id = active_stage_id (f.ana, f.event_id);
  task_id = add_task (f.ana, f.event_id, stage_id, "text_form",
                      ",\"required\":true,\"fields\":[{\"name\":\"Shirt size\",\"type\":\"choice\","
                      "\"choices\":[\"S\",\"M\",\"L\"]}]");

  /* Bo and Di fill the form; Cy does not. */
  json = g_strdup_printf ("\"task_id\":\"%s\",\"form\":\"text_form\",\"answers\":{\"Shirt size\":\"M\"}",
                          task_id);
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (f.bo, TTO_FRAME_TASK_COMPLETE, f.event_id, json);
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (f.di, TTO_FRAME_TASK_COMPLETE, f.event_id, json);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (find_task (flow, task_id),
                                                                        "done_by")), ==, 2);
  /* Completing a task counts as taking part. */
  g_assert_cmpint (json_object_get_int_member (stage (flow, 0), "participants"), ==, 2);

  /* Points: Bo 15, Cy 20, Di 5 (after 8 - 3); the reason is pushed. */
  tto_test_client_discard_pushes (f.cy);
  {
    g_autofree char *award = g_strdup_printf ("\"identity_id\":\"%s\",\"delta\":15,"
                                              "\"reason\":\"Great plan\"", id_of (f.bo));
    g_autoptr (JsonObject) answer = ok_flow (f.ana, TTO_FRAME_POINTS_AWARD, f.event_id, award);
    g_autoptr (TtoFrame) push = tto_test_client_wait_push (f.cy, TTO_FRAME_POINTS_AWARDED, WAIT_MS);

    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (answer, "points"),
                                                 id_of (f.bo)), ==, 15);
    g_assert_nonnull (push);
    g_assert_cmpstr (tto_frame_get_string (push, "reason"), ==, "Great plan");
    g_assert_cmpint (tto_frame_get_int (push, "total", 0), ==, 15);
  }
  {
    g_autofree char *a1 = g_strdup_printf ("\"identity_id\":\"%s\",\"delta\":20", id_of (f.cy));
    g_autofree char *a2 = g_strdup_printf ("\"identity_id\":\"%s\",\"delta\":8", id_of (f.di));
    g_autofree char *a3 = g_strdup_printf ("\"identity_id\":\"%s\",\"delta\":-3", id_of (f.di));
    g_autofree char *zero = g_strdup_printf ("\"identity_id\":\"%s\",\"delta\":0", id_of (f.di));

    json_object_unref (ok_flow (f.ana, TTO_FRAME_POINTS_AWARD, f.event_id, a1));
    json_object_unref (ok_flow (f.ana, TTO_FRAME_POINTS_AWARD, f.event_id, a2));
    json_object_unref (ok_flow (f.ana, TTO_FRAME_POINTS_AWARD, f.event_id, a3));
    expect_error (request (f.ana, TTO_FRAME_POINTS_AWARD, f.event_id, zero), "bad_frame", NULL);
  }
  {
    g_autoptr (JsonObject) list = ok_flow (f.cy, TTO_FRAME_POINTS_LIST, f.event_id, "");
    JsonArray *board = json_object_get_array_member (list, "leaderboard");

    g_assert_cmpint (json_array_get_length (board), ==, 4);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (board, 0),
                                                    "display_name"), ==, "Cy");
    g_assert_cmpint (json_array_get_length (json_object_get_array_member (list, "awards")), ==, 4);
  }

  /* The stage changes: Cy missed the task, Di is below 10 points. */
  tto_test_client_discard_pushes (f.bo);
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (f.ana, TTO_FRAME_FLOW_ADVANCE, f.event_id, "\"direction\":\"next\"");
  eliminated = json_object_get_array_member (flow, "eliminated");
  g_assert_cmpint (json_array_get_length (eliminated), ==, 2);
  g_assert_true (array_has (eliminated, id_of (f.cy)));
  g_assert_true (array_has (eliminated, id_of (f.di)));
  g_assert_false (array_has (eliminated, id_of (f.bo)));
  g_assert_false (array_has (eliminated, id_of (f.ana)));
  {
    g_autoptr (JsonObject) moved = expect_system_event (f.bo, "Stage: Work");
    g_autoptr (JsonObject) out = expect_system_event (f.bo, "Eliminated: ");
    g_autofree char *people = people_of (json_object_get_array_member (out, "members"));
    g_autofree char *cy_first = g_strdup_printf ("%s=Cy,%s=Di", id_of (f.cy), id_of (f.di));
    g_autofree char *di_first = g_strdup_printf ("%s=Di,%s=Cy", id_of (f.di), id_of (f.cy));

    assert_stage_event (moved, json_object_get_string_member (stage (flow, 1), "id"), "Work",
                        "Sign up", "next", NULL);
    g_assert_cmpstr (json_object_get_string_member (out, "kind"), ==, "eliminated");
    /* The same members as the flow's "eliminated", with their names. */
    if (!g_str_equal (people, cy_first) && !g_str_equal (people, di_first))
      g_error ("eliminated members %s, expected Cy and Di", people);
  }
  g_assert_cmpint (rows_of_event (&f, "eliminated"), ==, 2);

  /* Cy cannot send or approve, but still reads. */
  tto_test_client_discard_pushes (f.cy);
  expect_error (tto_test_client_request (f.cy, TTO_FRAME_MSG_SEND,
                                         tto_test_json_object ("{\"event_id\":\"%s\",\"client_msg_id\":"
                                                               "\"c9\",\"text\":\"Wait!\"}",
                                                               f.event_id)),
                "forbidden", "eliminated");
  {
    g_autofree char *complete = NULL;

    expect_reason (tto_test_client_request (f.cy, TTO_FRAME_MSG_SEND,
                                            tto_test_json_object ("{\"event_id\":\"%s\","
                                                                  "\"client_msg_id\":\"c10\","
                                                                  "\"text\":\"Wait!\"}",
                                                                  f.event_id)),
                   "forbidden", "eliminated", NULL);
    complete = g_strdup_printf ("\"task_id\":\"%s\",\"form\":\"text_form\","
                                "\"answers\":{\"Shirt size\":\"S\"}", task_id);
    expect_reason (request (f.cy, TTO_FRAME_TASK_COMPLETE, f.event_id, complete), "forbidden",
                   "eliminated", NULL);
  }
  tto_frame_free (tto_test_client_send_message (f.bo, f.event_id, "b9", "Onwards"));
  {
    g_autoptr (TtoFrame) push = tto_test_client_wait_push (f.cy, TTO_FRAME_MSG_NEW, WAIT_MS);

    g_assert_nonnull (push);
    g_assert_cmpstr (tto_frame_get_string (push, "text"), ==, "Onwards");
    g_assert_false (json_object_get_boolean_member_with_default (push->body, "system", FALSE));
  }
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (f.cy, TTO_FRAME_FLOW_GET, f.event_id, "");
  g_assert_cmpint (json_object_get_int_member (flow, "current"), ==, 1);

  fixture_teardown (&f);
}

/* The refusals a member meets in the UI carry a reason (and params) the
 * client turns into its own sentence. */
static void
test_reasons (void)
{
  Fixture f;
  g_autofree char *rules = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *file_task = NULL;
  g_autofree char *text_task = NULL;
  g_autofree char *json = NULL;
  g_autofree char *award = NULL;
  JsonObject *flow;

  if (!fixture_setup (&f, ",\"stages\":[\"One\",\"Two\"]"))
    return;

  /* Bo alone approves stage changes; points are off. */
  rules = g_strdup_printf ("\"rules\":{\"points\":false,\"approval\":{\"mode\":\"members\","
                           "\"members\":[\"%s\"],\"count\":1},\"elimination\":null}",
                           id_of (f.bo));
  json_object_unref (ok_flow (f.ana, TTO_FRAME_FLOW_RULES, f.event_id, rules));
  first = active_stage_id (f.ana, f.event_id);

  expect_reason (request (f.ana, TTO_FRAME_FLOW_ADVANCE, f.event_id, "\"direction\":\"back\""),
                 "conflict", "no_previous_stage", NULL);
  expect_reason (request (f.ana, TTO_FRAME_FLOW_ADVANCE, f.event_id, "\"direction\":\"cancel\""),
                 "conflict", "no_pending_change", NULL);
  expect_reason (request (f.bo, TTO_FRAME_FLOW_APPROVE, f.event_id, ""), "conflict",
                 "no_pending_change", NULL);
  award = g_strdup_printf ("\"identity_id\":\"%s\",\"delta\":5", id_of (f.bo));
  expect_reason (request (f.ana, TTO_FRAME_POINTS_AWARD, f.event_id, award), "conflict",
                 "points_off", NULL);
  json = g_strdup_printf ("\"stage_id\":\"%s\",\"title\":\"Mine\",\"form\":\"file\"", first);
  expect_reason (request (f.bo, TTO_FRAME_TASK_ADD, f.event_id, json), "forbidden",
                 "not_flow_editor", NULL);

  /* A file task completed as a voice message: both forms named. */
  file_task = add_task (f.ana, f.event_id, first, "file", "");
  text_task = add_task (f.ana, f.event_id, first, "text_form",
                        ",\"fields\":[{\"name\":\"Size\",\"type\":\"choice\","
                        "\"choices\":[\"S\",\"M\"]}]");
  g_clear_pointer (&json, g_free);
  json = g_strdup_printf ("\"task_id\":\"%s\",\"form\":\"voice_message\",\"blob_id\":\"x\"",
                          file_task);
  expect_reason (request (f.bo, TTO_FRAME_TASK_COMPLETE, f.event_id, json), "wrong_form",
                 "wrong_form", "given=voice_message,required=file");

  /* A change waits for Bo: another is refused, and Cy may not approve. */
  json_object_unref (ok_flow (f.ana, TTO_FRAME_FLOW_ADVANCE, f.event_id, "\"direction\":\"next\""));
  expect_reason (request (f.ana, TTO_FRAME_FLOW_ADVANCE, f.event_id, "\"direction\":\"next\""),
                 "conflict", "change_pending", NULL);
  expect_reason (request (f.cy, TTO_FRAME_FLOW_APPROVE, f.event_id, ""), "forbidden",
                 "not_an_approver", NULL);
  flow = ok_flow (f.bo, TTO_FRAME_FLOW_APPROVE, f.event_id, "");
  g_assert_cmpint (json_object_get_int_member (flow, "current"), ==, 1);
  json_object_unref (flow);

  expect_reason (request (f.ana, TTO_FRAME_FLOW_ADVANCE, f.event_id, "\"direction\":\"next\""),
                 "conflict", "no_next_stage", NULL);
  g_clear_pointer (&json, g_free);
  json = g_strdup_printf ("\"stage_id\":\"%s\",\"title\":\"Late\",\"form\":\"file\"", first);
  expect_reason (request (f.ana, TTO_FRAME_TASK_ADD, f.event_id, json), "conflict", "stage_done",
                 NULL);
  g_clear_pointer (&json, g_free);
  json = g_strdup_printf ("\"task_id\":\"%s\",\"form\":\"text_form\","
                          "\"answers\":{\"Size\":\"M\"}", text_task);
  expect_reason (request (f.bo, TTO_FRAME_TASK_COMPLETE, f.event_id, json), "conflict",
                 "stage_not_active", NULL);

  /* The limit says how many tasks a stage holds. */
  second = active_stage_id (f.ana, f.event_id);
  for (guint i = 0; i < TTO_PROTOCOL_MAX_STAGE_TASKS; i++)
    g_free (add_task (f.ana, f.event_id, second, "file", ""));
  g_clear_pointer (&json, g_free);
  json = g_strdup_printf ("\"stage_id\":\"%s\",\"title\":\"One more\",\"form\":\"file\"",
                          second);
  {
    g_autofree char *max = g_strdup_printf ("max=%d", TTO_PROTOCOL_MAX_STAGE_TASKS);

    expect_reason (request (f.ana, TTO_FRAME_TASK_ADD, f.event_id, json), "conflict",
                   "stage_task_limit", max);
  }

  fixture_teardown (&f);
}

/* Upload over HTTP as @who; returns the blob id. */
static char *
upload (Fixture *f,
        TtoTestClient *who,
        const guint8 *data,
        gsize size)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("%s/v1/events/%s/blobs",
                                          tto_test_relay_get_http_base (f->relay), f->event_id);
  g_autoptr (SoupMessage) msg = soup_message_new ("PUT", url);
  g_autofree char *bearer = g_strconcat ("Bearer ", tto_test_client_get_token (who), NULL);
  g_autoptr (GBytes) bytes = g_bytes_new (data, size);
  g_autoptr (GBytes) answer = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) object = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", bearer);
  soup_message_set_request_body_from_bytes (msg, "application/octet-stream", bytes);
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 201);
  object = tto_test_json_object ("%.*s", (int) g_bytes_get_size (answer),
                                 (const char *) g_bytes_get_data (answer, NULL));

  return g_strdup (json_object_get_string_member (object, "blob_id"));
}

static const char *const forms[] = {
  "text_form", "file", "voice_message", "video_message", "video_call", "offline_meeting"
};

static const char *const phrases[] = {
  "a text form", "a file", "a voice message", "a video message", "a video call",
  "an offline meeting"
};

/* Every required form × every form tried: accepted only in its own form;
 * video calls and meetings never through task.complete. */
static void
test_forms_matrix (void)
{
  static const guint8 ogg[] = "OggS\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0OpusHead\1\2";
  static const guint8 webm[] = "\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81"
                               "\x04\x42\xf3\x81\x08\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02";
  static const guint8 text[] = "The minutes of our meeting, as a plain text file.\n";
  Fixture f;
  g_autofree char *stage_id = NULL;
  g_autofree char *meeting_id = NULL;
  g_autofree char *blob_file = NULL;
  g_autofree char *blob_voice = NULL;
  g_autofree char *blob_video = NULL;
  char *task_ids[G_N_ELEMENTS (forms)];

  if (!fixture_setup (&f, ""))
    return;

  stage_id = active_stage_id (f.ana, f.event_id);
  g_assert_cmpint (rows_of_event (&f, "stages"), ==, 1);
  {
    g_autoptr (JsonObject) flow = ok_flow (f.ana, TTO_FRAME_FLOW_GET, f.event_id, "");

    /* The default stage is untitled: clients show their own word for it. */
    g_assert_cmpstr (json_object_get_string_member (stage (flow, 0), "title"), ==, "");
  }
  {
    g_autoptr (TtoFrame) ok = tto_test_client_request_ok (
      f.ana, TTO_FRAME_MEETING_SET,
      tto_test_json_object ("{\"event_id\":\"%s\",\"meeting\":{\"title\":\"Kick-off\","
                            "\"starts_at\":1900000000,\"ends_at\":1900003600,\"place\":\"Room 2\","
                            "\"lat\":52.52,\"lon\":13.405,\"agenda\":\"Plan\"}}",
                            f.event_id));

    meeting_id = g_strdup (tto_frame_get_string (ok, "meeting_id"));
  }

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autofree char *extra = NULL;

      if (i == 0)
        extra = g_strdup (",\"fields\":[{\"name\":\"Budget\",\"type\":\"number\"},"
                          "{\"name\":\"Start\",\"type\":\"date\"},"
                          "{\"name\":\"Notes\",\"type\":\"text\"}]");
      else if (i == 4)
        extra = g_strdup_printf (",\"call\":{\"participants\":[\"%s\",\"%s\"],\"min_seconds\":60}",
                                 id_of (f.ana), id_of (f.bo));
      else if (i == 5)
        extra = g_strdup_printf (",\"meeting_id\":\"%s\"", meeting_id);
      else
        extra = g_strdup ("");
      task_ids[i] = add_task (f.ana, f.event_id, stage_id, forms[i], extra);
    }

  blob_file = upload (&f, f.bo, text, sizeof text - 1);
  blob_voice = upload (&f, f.bo, ogg, sizeof ogg - 1);
  blob_video = upload (&f, f.bo, webm, sizeof webm - 1);

  for (guint required = 0; required < G_N_ELEMENTS (forms); required++)
    for (guint tried = 0; tried < G_N_ELEMENTS (forms); tried++)
      {
        g_autofree char *payload = NULL;
        g_autofree char *json = NULL;
        g_autoptr (TtoFrame) answer = NULL;
        gboolean accepted = required == tried && required < 4;

        switch (tried)
          {
          case 0:
            payload = g_strdup (",\"answers\":{\"Budget\":1200.5,\"Start\":\"2026-12-01\","
                                "\"Notes\":\"Rent the hall\"}");
            break;
          case 1:
            payload = g_strdup_printf (",\"blob_id\":\"%s\"", blob_file);
            break;
          case 2:
            payload = g_strdup_printf (",\"blob_id\":\"%s\"", blob_voice);
            break;
          case 3:
            payload = g_strdup_printf (",\"blob_id\":\"%s\"", blob_video);
            break;
          default:
            payload = g_strdup ("");
          }
        json = g_strdup_printf ("\"task_id\":\"%s\",\"form\":\"%s\"%s", task_ids[required],
                                forms[tried], payload);
        answer = request (f.bo, TTO_FRAME_TASK_COMPLETE, f.event_id, json);

        if (accepted)
          {
            if (!tto_frame_is (answer, TTO_FRAME_OK))
              g_error ("%s task completed as %s: %s", forms[required], forms[tried],
                       tto_frame_get_string (answer, "message"));
            g_assert_true (array_has (
              json_object_get_array_member (
                find_task (json_object_get_object_member (answer->body, "flow"), task_ids[required]),
                "done_by"),
              id_of (f.bo)));
          }
        else
          {
            g_autofree char *expected = g_strdup_printf ("must be completed as %s",
                                                         phrases[required]);

            if (!tto_frame_is (answer, TTO_FRAME_ERROR) ||
                g_strcmp0 (tto_frame_get_string (answer, "code"), "wrong_form") != 0)
              g_error ("%s task completed as %s was not refused with wrong_form", forms[required],
                       forms[tried]);
            g_assert_nonnull (strstr (tto_frame_get_string (answer, "message"), expected));
            if (required >= 4)
              g_assert_nonnull (strstr (tto_frame_get_string (answer, "message"), "automatically"));
          }
      }

  /* The form's kind must match the upload; answers are typed. */
  {
    g_autofree char *json = g_strdup_printf ("\"task_id\":\"%s\",\"form\":\"voice_message\","
                                             "\"blob_id\":\"%s\"", task_ids[2], blob_file);

    expect_error (request (f.bo, TTO_FRAME_TASK_COMPLETE, f.event_id, json), "wrong_form",
                  "voice message");
    /* The form was right, the upload not: no "given". */
    expect_reason (request (f.bo, TTO_FRAME_TASK_COMPLETE, f.event_id, json), "wrong_form",
                   "wrong_form", "required=voice_message");
  }
  {
    g_autofree char *json = g_strdup_printf ("\"task_id\":\"%s\",\"form\":\"text_form\","
                                             "\"answers\":{\"Budget\":\"lots\",\"Start\":"
                                             "\"2026-12-01\",\"Notes\":\"x\"}", task_ids[0]);
    g_autofree char *bad_date = g_strdup_printf ("\"task_id\":\"%s\",\"form\":\"text_form\","
                                                 "\"answers\":{\"Budget\":1,\"Start\":"
                                                 "\"2026-02-30\",\"Notes\":\"x\"}", task_ids[0]);
    g_autofree char *missing = g_strdup_printf ("\"task_id\":\"%s\",\"form\":\"text_form\","
                                                "\"answers\":{\"Budget\":1}", task_ids[0]);
    g_autofree char *theirs = NULL;
    g_autofree char *blob_ana = upload (&f, f.ana, text, sizeof text - 1);

    expect_error (request (f.bo, TTO_FRAME_TASK_COMPLETE, f.event_id, json), "bad_frame",
                  "Budget");
    expect_error (request (f.bo, TTO_FRAME_TASK_COMPLETE, f.event_id, bad_date), "bad_frame",
                  "Start");
    expect_error (request (f.bo, TTO_FRAME_TASK_COMPLETE, f.event_id, missing), "bad_frame", NULL);
    theirs = g_strdup_printf ("\"task_id\":\"%s\",\"form\":\"file\",\"blob_id\":\"%s\"",
                              task_ids[1], blob_ana);
    expect_error (request (f.bo, TTO_FRAME_TASK_COMPLETE, f.event_id, theirs), "forbidden", NULL);
    expect_error (request (f.bo, TTO_FRAME_TASK_COMPLETE, f.event_id,
                           "\"task_id\":\"nosuchtask000000\",\"form\":\"file\",\"blob_id\":\"x\""),
                  "not_found", NULL);
  }

  /* The editor reads the answers; they stay in relay memory. */
  {
    g_autofree char *json = g_strdup_printf ("\"task_id\":\"%s\"", task_ids[0]);
    g_autoptr (JsonObject) body = ok_flow (f.ana, TTO_FRAME_TASK_ANSWERS, f.event_id, json);
    JsonArray *answers = json_object_get_array_member (body, "answers");
    JsonObject *first = json_array_get_object_element (answers, 0);

    g_assert_cmpint (json_array_get_length (answers), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (first, "answers"),
                                                    "Notes"), ==, "Rent the hall");
    expect_error (request (f.bo, TTO_FRAME_TASK_ANSWERS, f.event_id, json), "forbidden", NULL);
  }

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    g_free (task_ids[i]);
  fixture_teardown (&f);
}

static const char *
call_id_of (TtoFrame *ok)
{
  return json_object_get_string_member (json_object_get_object_member (ok->body, "call"),
                                        "call_id");
}

static JsonObject *
wait_flow_update (TtoTestClient *c)
{
  g_autoptr (TtoFrame) push = tto_test_client_wait_push (c, TTO_FRAME_FLOW_UPDATED, WAIT_MS);

  if (push == NULL)
    return NULL;
  return json_object_ref (json_object_get_object_member (push->body, "flow"));
}

/* A video_call task is done once its participants were in one video call
 * together long enough; the relay learns it from call.* signalling. */
static void
test_video_call (void)
{
  Fixture f;
  g_autofree char *stage_id = NULL;
  g_autofree char *task_id = NULL;
  g_autofree char *extra = NULL;
  g_autofree char *call_id = NULL;
  g_autofree char *ids = NULL;
  g_autoptr (JsonObject) flow = NULL;

  if (!fixture_setup (&f, ""))
    return;

  stage_id = active_stage_id (f.ana, f.event_id);
  extra = g_strdup_printf (",\"required\":true,\"call\":{\"participants\":[\"%s\",\"%s\"],"
                           "\"min_seconds\":600}", id_of (f.ana), id_of (f.bo));
  task_id = add_task (f.ana, f.event_id, stage_id, "video_call", extra);

  {
    g_autoptr (TtoFrame) ok = tto_test_client_request_ok (
      f.ana, TTO_FRAME_CALL_INVITE,
      tto_test_json_object ("{\"event_id\":\"%s\",\"kind\":\"video\",\"to\":[\"%s\"]}",
                            f.event_id, id_of (f.bo)));

    call_id = g_strdup (call_id_of (ok));
  }
  ids = g_strdup_printf ("{\"event_id\":\"%s\",\"call_id\":\"%s\"}", f.event_id, call_id);

  /* Together for 300 s only: not done, so no flow change comes. */
  tto_frame_free (tto_test_client_request_ok (f.bo, TTO_FRAME_CALL_ACCEPT,
                                              tto_test_json_object ("%s", ids)));
  tto_test_relay_advance_clock (f.relay, 300);
  tto_test_client_discard_pushes (f.cy);
  tto_frame_free (tto_test_client_request_ok (f.bo, TTO_FRAME_CALL_HANGUP,
                                              tto_test_json_object ("%s", ids)));
  g_assert_null (wait_flow_update (f.cy));
  flow = ok_flow (f.ana, TTO_FRAME_FLOW_GET, f.event_id, "");
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (find_task (flow, task_id),
                                                                        "done_by")), ==, 0);

  /* Cy joining does not matter; Bo back for 601 s: done for both named. */
  tto_test_client_discard_pushes (f.cy);
  tto_frame_free (tto_test_client_request_ok (f.bo, TTO_FRAME_CALL_ACCEPT,
                                              tto_test_json_object ("%s", ids)));
  tto_frame_free (tto_test_client_request_ok (f.cy, TTO_FRAME_CALL_ACCEPT,
                                              tto_test_json_object ("%s", ids)));
  tto_test_relay_advance_clock (f.relay, 601);
  /* Cy leaving first completes nothing: Cy is not named. */
  tto_frame_free (tto_test_client_request_ok (f.cy, TTO_FRAME_CALL_HANGUP,
                                              tto_test_json_object ("%s", ids)));
  tto_frame_free (tto_test_client_request_ok (f.ana, TTO_FRAME_CALL_HANGUP,
                                              tto_test_json_object ("%s", ids)));
  g_clear_pointer (&flow, json_object_unref);
  flow = wait_flow_update (f.cy);
  g_assert_nonnull (flow);
  {
    JsonArray *done = json_object_get_array_member (find_task (flow, task_id), "done_by");

    g_assert_cmpint (json_array_get_length (done), ==, 2);
    g_assert_true (array_has (done, id_of (f.ana)));
    g_assert_true (array_has (done, id_of (f.bo)));
  }
  g_assert_cmpint (tto_test_relay_query_intf (f.relay,
                                              "SELECT COUNT(*) FROM task_done WHERE event_id = '%s'"
                                              " AND task_id = '%s'", f.event_id, task_id), ==, 2);
  tto_frame_free (tto_test_client_request_ok (f.bo, TTO_FRAME_CALL_HANGUP,
                                              tto_test_json_object ("%s", ids)));

  fixture_teardown (&f);
}

/* Offline meetings: attendance confirmed by an editor completes the
 * linked tasks; withdrawing it undoes that. */
static void
test_meeting_attendance (void)
{
  Fixture f;
  g_autofree char *stage_id = NULL;
  g_autofree char *task_id = NULL;
  g_autofree char *meeting_id = NULL;
  g_autofree char *extra = NULL;
  g_autofree char *attend = NULL;
  g_autoptr (JsonObject) flow = NULL;
  JsonObject *meeting;

  if (!fixture_setup (&f, ""))
    return;

  /* The untouched default stage gives way to a whole template. */
  flow = ok_flow (f.ana, TTO_FRAME_FLOW_TEMPLATE, f.event_id, "\"template\":\"discuss_plan_execute\"");
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (flow, "stages")), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (stage (flow, 0), "title"), ==, "Needs discussion");
  g_assert_cmpstr (json_object_get_string_member (stage (flow, 0), "status"), ==, "active");
  g_assert_cmpstr (json_object_get_string_member (stage (flow, 2), "title"), ==, "Execution");
  /* Rename the active stage, drop one pending stage, add another. */
  {
    g_autofree char *stages = g_strdup_printf (
      "\"stages\":[{\"id\":\"%s\",\"title\":\"Talk\"},{\"title\":\"Vote\"},"
      "{\"id\":\"%s\",\"title\":\"Do\"}]",
      json_object_get_string_member (stage (flow, 0), "id"),
      json_object_get_string_member (stage (flow, 2), "id"));
    g_autofree char *bad = g_strdup_printf ("\"stages\":[{\"id\":\"%s\",\"title\":\"A\"},"
                                            "{\"id\":\"%s\",\"title\":\"A\"}]",
                                            json_object_get_string_member (stage (flow, 0), "id"),
                                            json_object_get_string_member (stage (flow, 0), "id"));
    g_autofree char *moved = g_strdup_printf ("\"stages\":[{\"title\":\"New\"},{\"id\":\"%s\","
                                              "\"title\":\"A\"}]",
                                              json_object_get_string_member (stage (flow, 0), "id"));

    expect_error (request (f.ana, TTO_FRAME_FLOW_SET_STAGES, f.event_id, bad), "bad_frame", NULL);
    expect_error (request (f.ana, TTO_FRAME_FLOW_SET_STAGES, f.event_id, moved), "conflict", NULL);
    expect_error (request (f.ana, TTO_FRAME_FLOW_SET_STAGES, f.event_id,
                           "\"stages\":[{\"id\":\"nosuchstage00000\",\"title\":\"A\"}]"),
                  "not_found", NULL);
    g_clear_pointer (&flow, json_object_unref);
    flow = ok_flow (f.ana, TTO_FRAME_FLOW_SET_STAGES, f.event_id, stages);
    g_assert_cmpint (json_array_get_length (json_object_get_array_member (flow, "stages")), ==, 3);
    g_assert_cmpstr (json_object_get_string_member (stage (flow, 0), "title"), ==, "Talk");
    g_assert_cmpstr (json_object_get_string_member (stage (flow, 1), "title"), ==, "Vote");
    g_assert_cmpstr (json_object_get_string_member (stage (flow, 1), "status"), ==, "pending");
    g_assert_cmpstr (json_object_get_string_member (stage (flow, 2), "title"), ==, "Do");
    g_assert_cmpint (rows_of_event (&f, "stages"), ==, 3);
    g_clear_pointer (&flow, json_object_unref);
  }

  stage_id = active_stage_id (f.ana, f.event_id);
  expect_error (request (f.ana, TTO_FRAME_TASK_ADD, f.event_id,
                         "\"stage_id\":\"x\",\"title\":\"Visit\",\"form\":\"offline_meeting\","
                         "\"meeting_id\":\"nosuchmeeting000\""),
                "not_found", NULL);
  expect_error (request (f.ana, TTO_FRAME_MEETING_SET, f.event_id,
                         "\"meeting\":{\"title\":\"Late\",\"starts_at\":1900003600,"
                         "\"ends_at\":1900000000}"),
                "bad_frame", NULL);
  {
    g_autoptr (TtoFrame) ok = tto_test_client_request_ok (
      f.ana, TTO_FRAME_MEETING_SET,
      tto_test_json_object ("{\"event_id\":\"%s\",\"meeting\":{\"title\":\"Site visit\","
                            "\"starts_at\":1900000000,\"ends_at\":1900007200,"
                            "\"place\":\"Gate 3\"}}",
                            f.event_id));

    meeting_id = g_strdup (tto_frame_get_string (ok, "meeting_id"));
  }
  extra = g_strdup_printf (",\"meeting_id\":\"%s\"", meeting_id);
  task_id = add_task (f.ana, f.event_id, stage_id, "offline_meeting", extra);

  attend = g_strdup_printf ("\"meeting_id\":\"%s\",\"identity_ids\":[\"%s\",\"%s\"],"
                            "\"attended\":true", meeting_id, id_of (f.bo), id_of (f.cy));
  expect_error (request (f.bo, TTO_FRAME_MEETING_ATTEND, f.event_id, attend), "forbidden", NULL);
  flow = ok_flow (f.ana, TTO_FRAME_MEETING_ATTEND, f.event_id, attend);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (find_task (flow, task_id),
                                                                        "done_by")), ==, 2);
  meeting = json_array_get_object_element (json_object_get_array_member (flow, "meetings"), 0);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (meeting, "attended")), ==, 2);
  g_assert_true (json_object_get_null_member (meeting, "lat"));
  g_assert_cmpint (json_object_get_int_member (stage (flow, 0), "participants"), ==, 2);
  g_assert_cmpint (rows_of_event (&f, "meeting_attended"), ==, 2);

  g_free (attend);
  attend = g_strdup_printf ("\"meeting_id\":\"%s\",\"identity_ids\":[\"%s\"],\"attended\":false",
                            meeting_id, id_of (f.cy));
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (f.ana, TTO_FRAME_MEETING_ATTEND, f.event_id, attend);
  {
    JsonArray *done = json_object_get_array_member (find_task (flow, task_id), "done_by");

    g_assert_cmpint (json_array_get_length (done), ==, 1);
    g_assert_true (array_has (done, id_of (f.bo)));
  }

  fixture_teardown (&f);
}

/* Who may edit the flow: the creator, a member with a live flow_edit
 * grant; not other members, not after the grant ran out, not outsiders. */
static void
test_authorisation (void)
{
  Fixture f;
  TtoTestClient *eve;
  g_autofree char *stage_id = NULL;
  g_autofree char *grant = NULL;
  g_autofree char *task = NULL;
  static const char *const editor_frames[][2] = {
    { TTO_FRAME_FLOW_SET_STAGES, "\"stages\":[{\"title\":\"A\"}]" },
    { TTO_FRAME_FLOW_TEMPLATE, "\"template\":\"hackathon\"" },
    { TTO_FRAME_FLOW_ADVANCE, "\"direction\":\"next\"" },
    { TTO_FRAME_FLOW_RULES, "\"rules\":{\"points\":true}" },
    { TTO_FRAME_TASK_MARK, "\"task_id\":\"x\",\"status\":\"done\"" },
    { TTO_FRAME_TASK_REMOVE, "\"task_id\":\"x\"" },
    { TTO_FRAME_MEETING_SET, "\"meeting\":{\"title\":\"M\",\"starts_at\":1,\"ends_at\":2}" },
  };

  if (!fixture_setup (&f, ""))
    return;
  eve = person (f.relay, "Eve");

  stage_id = active_stage_id (f.ana, f.event_id);
  task = g_strdup_printf ("\"stage_id\":\"%s\",\"title\":\"Slides\",\"form\":\"file\"", stage_id);

  /* Creator: yes. A member without the grant: forbidden, for every edit. */
  expect_ok (request (f.ana, TTO_FRAME_TASK_ADD, f.event_id, task));
  expect_error (request (f.bo, TTO_FRAME_TASK_ADD, f.event_id, task), "forbidden", "flow_edit");
  for (guint i = 0; i < G_N_ELEMENTS (editor_frames); i++)
    expect_error (request (f.bo, editor_frames[i][0], f.event_id, editor_frames[i][1]),
                  "forbidden", NULL);

  /* Outsiders: forbidden; an unknown event: not_found. */
  expect_error (request (eve, TTO_FRAME_TASK_ADD, f.event_id, task), "forbidden", NULL);
  expect_error (request (eve, TTO_FRAME_FLOW_GET, f.event_id, ""), "forbidden", NULL);
  expect_error (request (f.ana, TTO_FRAME_FLOW_GET, "0000000000000000", ""), "not_found", NULL);

  /* With flow_edit for 60 s: yes; after 61 s: no. */
  grant = g_strdup_printf ("\"identity_id\":\"%s\",\"permission\":\"flow_edit\",\"duration\":60",
                           id_of (f.bo));
  expect_ok (request (f.ana, TTO_FRAME_MEMBER_GRANT, f.event_id, grant));
  expect_ok (request (f.bo, TTO_FRAME_TASK_ADD, f.event_id, task));
  expect_ok (request (f.bo, TTO_FRAME_FLOW_TEMPLATE, f.event_id, "\"template\":\"procurement\""));
  {
    g_autoptr (JsonObject) flow = ok_flow (f.cy, TTO_FRAME_FLOW_GET, f.event_id, "");

    /* Tasks exist, so the template only replaced the pending stages. */
    g_assert_cmpint (json_array_get_length (json_object_get_array_member (flow, "stages")), ==, 6);
    g_assert_cmpstr (json_object_get_string_member (stage (flow, 1), "title"), ==, "Requirements");
  }
  tto_test_relay_advance_clock (f.relay, 61);
  expect_error (request (f.bo, TTO_FRAME_TASK_ADD, f.event_id, task), "forbidden", NULL);

  /* Done and active stages cannot be removed. */
  expect_error (request (f.ana, TTO_FRAME_FLOW_SET_STAGES, f.event_id,
                         "\"stages\":[{\"title\":\"Other\"}]"),
                "conflict", NULL);

  tto_test_client_close (eve);
  fixture_teardown (&f);
}

static gboolean
table_contains (Fixture *f,
                const char *table,
                const char *needle)
{
  g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s", table);
  g_autoptr (GPtrArray) rows = tto_test_relay_query_rows (f->relay, sql);

  for (guint i = 0; i < rows->len; i++)
    for (char **cell = rows->pdata[i]; *cell != NULL; cell++)
      if (strstr (*cell, needle) != NULL)
        return TRUE;

  return FALSE;
}

/* Answers and reasons never reach MySQL, the report holds no message
 * text, and every flow row goes with the event. */
static void
test_storage_and_end (void)
{
  Fixture f;
  g_autofree char *stage_id = NULL;
  g_autofree char *task_id = NULL;
  g_autofree char *json = NULL;
  g_autofree char *meeting_json = NULL;
  g_autoptr (JsonObject) flow = NULL;

  if (!fixture_setup (&f, ",\"stages\":[\"Collect\",\"Decide\"]"))
    return;

  stage_id = active_stage_id (f.ana, f.event_id);
  flow = ok_flow (f.ana, TTO_FRAME_FLOW_RULES, f.event_id,
                  "\"rules\":{\"points\":true,\"elimination\":{\"below_points\":1}}");
  task_id = add_task (f.ana, f.event_id, stage_id, "text_form",
                      ",\"required\":true,\"fields\":[{\"name\":\"Idea\",\"type\":\"text\"}]");
  json = g_strdup_printf ("\"task_id\":\"%s\",\"form\":\"text_form\",\"answers\":"
                          "{\"Idea\":\"AnswerSecretZebra\"}", task_id);
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (f.bo, TTO_FRAME_TASK_COMPLETE, f.event_id, json);
  {
    g_autofree char *award = g_strdup_printf ("\"identity_id\":\"%s\",\"delta\":5,"
                                              "\"reason\":\"ReasonSecretOtter\"", id_of (f.bo));

    json_object_unref (ok_flow (f.ana, TTO_FRAME_POINTS_AWARD, f.event_id, award));
  }
  {
    g_autoptr (TtoFrame) ok = tto_test_client_request_ok (
      f.ana, TTO_FRAME_MEETING_SET,
      tto_test_json_object ("{\"event_id\":\"%s\",\"meeting\":{\"title\":\"Wrap-up\","
                            "\"starts_at\":1900000000,\"ends_at\":1900003600}}", f.event_id));

    meeting_json = g_strdup_printf ("\"meeting_id\":\"%s\",\"identity_ids\":[\"%s\"],"
                                    "\"attended\":true",
                                    tto_frame_get_string (ok, "meeting_id"), id_of (f.bo));
  }
  json_object_unref (ok_flow (f.ana, TTO_FRAME_MEETING_ATTEND, f.event_id, meeting_json));
  tto_frame_free (tto_test_client_send_message (f.bo, f.event_id, "m1", "MessageSecretHeron"));
  /* Cy and Di have no points: eliminated at the change. */
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (f.ana, TTO_FRAME_FLOW_ADVANCE, f.event_id,
                  "\"direction\":\"next\",\"conclusion\":\"Enough ideas\"");
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (flow, "eliminated")), ==, 2);

  /* Metadata is there; content is not. */
  for (guint i = 0; flow_tables[i] != NULL; i++)
    {
      if (rows_of_event (&f, flow_tables[i]) == 0)
        g_error ("no rows in %s", flow_tables[i]);
      g_assert_false (table_contains (&f, flow_tables[i], "AnswerSecretZebra"));
      g_assert_false (table_contains (&f, flow_tables[i], "ReasonSecretOtter"));
      g_assert_false (table_contains (&f, flow_tables[i], "MessageSecretHeron"));
    }
  g_assert_true (table_contains (&f, "stages", "Enough ideas"));

  /* The report: stages and counts, no message text, no answers. */
  {
    g_autoptr (TtoFrame) ok = tto_test_client_request_ok (
      f.cy, TTO_FRAME_FLOW_REPORT, tto_test_json_object ("{\"event_id\":\"%s\"}", f.event_id));
    g_autofree char *text = tto_frame_serialize (ok, NULL);
    JsonObject *report = json_object_get_object_member (ok->body, "report");
    JsonObject *first = json_array_get_object_element (json_object_get_array_member (report,
                                                                                     "stages"), 0);
    JsonObject *task = json_array_get_object_element (json_object_get_array_member (first, "tasks"),
                                                      0);

    g_assert_cmpstr (json_object_get_string_member (report, "title"), ==, "Flow");
    g_assert_cmpstr (json_object_get_string_member (first, "title"), ==, "Collect");
    g_assert_cmpint (json_object_get_int_member (first, "participants"), ==, 1);
    g_assert_cmpint (json_object_get_int_member (task, "done_count"), ==, 1);
    g_assert_null (strstr (text, "MessageSecretHeron"));
    g_assert_null (strstr (text, "AnswerSecretZebra"));
    g_assert_null (strstr (text, "ReasonSecretOtter"));
  }

  /* The end: zero rows in every flow table. */
  expect_ok (request (f.ana, TTO_FRAME_EVENT_END, f.event_id, ""));
  for (guint i = 0; flow_tables[i] != NULL; i++)
    g_assert_cmpint (rows_of_event (&f, flow_tables[i]), ==, 0);
  expect_error (request (f.ana, TTO_FRAME_FLOW_GET, f.event_id, ""), "not_found", NULL);

  fixture_teardown (&f);
}

/* The flow is metadata: a relay started on the same database has all of
 * it (stages, rules, a pending change, tasks, completions, points,
 * eliminations, meetings); answers and reasons it does not. */
static void
test_restart (void)
{
  Fixture f;
  TtoTestRelay *again;
  TtoTestClient *ana;
  g_autofree char *stage_id = NULL;
  g_autofree char *task_id = NULL;
  g_autofree char *json = NULL;
  g_autofree char *meeting_id = NULL;
  g_autoptr (JsonObject) before = NULL;
  g_autoptr (JsonObject) after = NULL;

  if (!fixture_setup (&f, ",\"stages\":[\"One\",\"Two\",\"Three\"]"))
    return;

  stage_id = active_stage_id (f.ana, f.event_id);
  json_object_unref (ok_flow (f.ana, TTO_FRAME_FLOW_RULES, f.event_id,
                              "\"rules\":{\"points\":true,\"elimination\":{\"below_points\":null,"
                              "\"missed_required_task\":true}}"));
  {
    g_autoptr (TtoFrame) ok = tto_test_client_request_ok (
      f.ana, TTO_FRAME_MEETING_SET,
      tto_test_json_object ("{\"event_id\":\"%s\",\"meeting\":{\"title\":\"Dinner\","
                            "\"starts_at\":1900000000,\"ends_at\":1900003600,\"place\":\"Café\","
                            "\"lat\":31.2304,\"lon\":121.4737,\"agenda\":\"Menu\"}}", f.event_id));

    meeting_id = g_strdup (tto_frame_get_string (ok, "meeting_id"));
  }
  task_id = add_task (f.ana, f.event_id, stage_id, "text_form",
                      ",\"required\":true,\"fields\":[{\"name\":\"Diet\",\"type\":\"choice\","
                      "\"choices\":[\"any\",\"vegan\"]}]");
  json = g_strdup_printf (",\"meeting_id\":\"%s\"", meeting_id);
  g_free (add_task (f.ana, f.event_id, stage_id, "offline_meeting", json));
  g_free (json);
  json = g_strdup_printf (",\"call\":{\"participants\":[\"%s\"],\"min_seconds\":30}", id_of (f.bo));
  g_free (add_task (f.ana, f.event_id, stage_id, "video_call", json));
  g_free (json);
  json = g_strdup_printf ("\"task_id\":\"%s\",\"form\":\"text_form\",\"answers\":{\"Diet\":\"vegan\"}",
                          task_id);
  json_object_unref (ok_flow (f.bo, TTO_FRAME_TASK_COMPLETE, f.event_id, json));
  json_object_unref (ok_flow (f.cy, TTO_FRAME_TASK_COMPLETE, f.event_id, json));
  g_free (json);
  json = g_strdup_printf ("\"meeting_id\":\"%s\",\"identity_ids\":[\"%s\"],\"attended\":true",
                          meeting_id, id_of (f.cy));
  json_object_unref (ok_flow (f.ana, TTO_FRAME_MEETING_ATTEND, f.event_id, json));
  g_free (json);
  json = g_strdup_printf ("\"identity_id\":\"%s\",\"delta\":-7,\"reason\":\"Late\"", id_of (f.cy));
  json_object_unref (ok_flow (f.ana, TTO_FRAME_POINTS_AWARD, f.event_id, json));
  tto_frame_free (tto_test_client_send_message (f.di, f.event_id, "d1", "Hello"));
  /* Di misses the form: eliminated. Then a change waiting for Bo. */
  json_object_unref (ok_flow (f.ana, TTO_FRAME_FLOW_ADVANCE, f.event_id,
                              "\"direction\":\"next\",\"conclusion\":\"Planned\""));
  g_free (json);
  json = g_strdup_printf ("\"rules\":{\"points\":true,\"approval\":{\"mode\":\"members\","
                          "\"members\":[\"%s\"],\"count\":1},\"elimination\":null}", id_of (f.bo));
  json_object_unref (ok_flow (f.ana, TTO_FRAME_FLOW_RULES, f.event_id, json));
  before = ok_flow (f.ana, TTO_FRAME_FLOW_ADVANCE, f.event_id,
                    "\"direction\":\"next\",\"conclusion\":\"Go on\"");
  g_assert_nonnull (json_object_get_object_member (before, "pending"));
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (before, "eliminated")), ==, 1);

  again = tto_test_relay_start_on_database (f.relay, GRACE);
  ana = tto_test_client_connect (again);
  tto_test_client_auth (ana, tto_test_client_get_token (f.ana));
  after = ok_flow (ana, TTO_FRAME_FLOW_GET, f.event_id, "");
  {
    g_autoptr (JsonNode) a = json_node_init_object (json_node_alloc (), before);
    g_autoptr (JsonNode) b = json_node_init_object (json_node_alloc (), after);

    if (!json_node_equal (a, b))
      {
        g_autofree char *sa = json_to_string (a, FALSE);
        g_autofree char *sb = json_to_string (b, FALSE);

        g_error ("flow after restart differs:\n%s\n%s", sa, sb);
      }
  }
  g_assert_cmpint (json_object_get_int_member (stage (after, 0), "participants"), ==, 3);
  /* Reasons stayed in the first relay's memory. */
  {
    g_autoptr (JsonObject) list = ok_flow (ana, TTO_FRAME_POINTS_LIST, f.event_id, "");

    g_assert_cmpint (json_array_get_length (json_object_get_array_member (list, "awards")), ==, 0);
  }

  tto_test_client_close (ana);
  tto_test_relay_stop (again);
  fixture_teardown (&f);
}

static const char *
title_at (JsonObject *flow,
          guint index)
{
  return json_object_get_string_member (stage (flow, index), "title");
}

/* The default stage is untitled (each client names it in its own
 * language); the English fallback lines call it "Main". A template takes
 * the creator's own names for its stages, or the relay's English ones. */
static void
test_titles (void)
{
  Fixture f;
  g_autoptr (JsonObject) flow = NULL;
  g_autofree char *main_id = NULL;
  g_autofree char *json = NULL;
  g_autofree char *second_id = NULL;

  if (!fixture_setup (&f, ""))
    return;

  flow = ok_flow (f.ana, TTO_FRAME_FLOW_GET, f.event_id, "");
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (flow, "stages")), ==, 1);
  g_assert_cmpstr (title_at (flow, 0), ==, "");
  main_id = g_strdup (json_object_get_string_member (stage (flow, 0), "id"));

  /* Titles that do not fit the template: refused, nothing changes. */
  expect_error (request (f.ana, TTO_FRAME_FLOW_TEMPLATE, f.event_id,
                         "\"template\":\"discuss_plan_execute\",\"titles\":[\"A\",\"B\"]"),
                "bad_frame", "body.titles must name the template's 3 stages");
  expect_error (request (f.ana, TTO_FRAME_FLOW_TEMPLATE, f.event_id,
                         "\"template\":\"discuss_plan_execute\",\"titles\":[\"A\",\"\",\"C\"]"),
                "bad_frame", "body.titles[1]");
  expect_error (request (f.ana, TTO_FRAME_FLOW_TEMPLATE, f.event_id,
                         "\"template\":\"discuss_plan_execute\",\"titles\":[\"A\",\" \",\"C\"]"),
                "bad_frame", "body.titles[1] must contain a visible character");
  expect_error (request (f.ana, TTO_FRAME_FLOW_TEMPLATE, f.event_id,
                         "\"template\":\"discuss_plan_execute\",\"titles\":[\"A\",2,\"C\"]"),
                "bad_frame", "body.titles[1]");
  expect_error (request (f.ana, TTO_FRAME_FLOW_TEMPLATE, f.event_id,
                         "\"template\":\"hackathon\",\"titles\":\"Team\""),
                "bad_frame", "body.titles");
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (f.ana, TTO_FRAME_FLOW_GET, f.event_id, "");
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (flow, "stages")), ==, 1);
  g_assert_cmpstr (title_at (flow, 0), ==, "");

  /* A kept stage may leave its title out and keeps it; a new one may not. */
  json = g_strdup_printf ("\"stages\":[{\"id\":\"%s\"},{}]", main_id);
  expect_error (request (f.ana, TTO_FRAME_FLOW_SET_STAGES, f.event_id, json), "bad_frame",
                "body.stages[1].title");
  g_free (json);
  json = g_strdup_printf ("\"stages\":[{\"id\":\"%s\"},{\"title\":\"Next\"}]", main_id);
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (f.ana, TTO_FRAME_FLOW_SET_STAGES, f.event_id, json);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (flow, "stages")), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (stage (flow, 0), "id"), ==, main_id);
  g_assert_cmpstr (title_at (flow, 0), ==, "");
  g_assert_cmpstr (title_at (flow, 1), ==, "Next");

  /* Leaving the untitled stage and coming back: "" in the data, "Main"
   * in the English line. */
  tto_test_client_discard_pushes (f.bo);
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (f.ana, TTO_FRAME_FLOW_ADVANCE, f.event_id,
                  "\"direction\":\"next\",\"conclusion\":\"Ready\"");
  {
    g_autoptr (JsonObject) event = expect_system_event (f.bo,
                                                        "Stage: Next — conclusion of Main: Ready");

    assert_stage_event (event, json_object_get_string_member (stage (flow, 1), "id"), "Next", "",
                        "next", "Ready");
  }
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (f.ana, TTO_FRAME_FLOW_ADVANCE, f.event_id, "\"direction\":\"back\"");
  {
    g_autoptr (JsonObject) event = expect_system_event (f.bo, "Stage: Main");

    assert_stage_event (event, main_id, "", "Next", "back", NULL);
  }

  /* A new event takes a template whole, in the creator's language… */
  {
    g_autoptr (TtoFrame) ok = tto_test_client_request_ok (
      f.ana, TTO_FRAME_EVENT_CREATE, tto_test_json_object ("{\"title\":\"Second\"}"));

    second_id = g_strdup (json_object_get_string_member (
      json_object_get_object_member (ok->body, "event"), "event_id"));
  }
  tto_test_client_discard_pushes (f.ana);
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (f.ana, TTO_FRAME_FLOW_TEMPLATE, second_id,
                  "\"template\":\"hackathon\",\"titles\":[\"组队\",\" 想法 \",\"开发\",\"演示\","
                  "\"评审\"]");
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (flow, "stages")), ==, 5);
  g_assert_cmpstr (title_at (flow, 0), ==, "组队");
  g_assert_cmpstr (title_at (flow, 1), ==, "想法");
  g_assert_cmpstr (title_at (flow, 4), ==, "评审");
  g_assert_cmpstr (json_object_get_string_member (stage (flow, 0), "status"), ==, "active");
  {
    g_autoptr (JsonObject) event = expect_system_event (f.ana, "Stage: 组队");

    assert_stage_event (event, json_object_get_string_member (stage (flow, 0), "id"), "组队",
                        NULL, "template", NULL);
  }
  /* …and without titles the relay's English names replace the pending ones. */
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (f.ana, TTO_FRAME_FLOW_TEMPLATE, second_id, "\"template\":\"procurement\"");
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (flow, "stages")), ==, 6);
  g_assert_cmpstr (title_at (flow, 0), ==, "组队");
  g_assert_cmpstr (title_at (flow, 1), ==, "Requirements");
  g_assert_cmpstr (title_at (flow, 5), ==, "Order");

  fixture_teardown (&f);
}

/* The place of the default-stage migration in relay/tto-relay-store.c's
 * list: the test replays it, and any later ones, by removing their rows
 * from schema_version. */
#define DEFAULT_STAGE_MIGRATION 10

static char *
event_with (TtoTestClient *c,
            const char *extra)
{
  g_autoptr (TtoFrame) ok = tto_test_client_request_ok (
    c, TTO_FRAME_EVENT_CREATE, tto_test_json_object ("{\"title\":\"Old\"%s}", extra));

  return g_strdup (json_object_get_string_member (json_object_get_object_member (ok->body,
                                                                                 "event"),
                                                  "event_id"));
}

/* The first stage's title as stored, in brackets so spaces show. */
static char *
stored_title (TtoTestRelay *relay,
              const char *event_id,
              guint position)
{
  return tto_test_relay_query_stringf (relay,
                                       "SELECT CONCAT('[', title, ']') FROM stages"
                                       " WHERE event_id = '%s' AND position = %u",
                                       event_id, position);
}

/* Events from before the untitled default stage kept it as "Main": a
 * relay upgrading the database empties exactly that title of a first
 * stage, and leaves "Main" elsewhere, other spellings and other titles. */
static void
test_old_main_stage (void)
{
  Fixture f;
  TtoTestRelay *again;
  TtoTestClient *ana;
  g_autofree char *named = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *spaced = NULL;
  g_autofree char *main_id = NULL;
  g_autofree char *title = NULL;
  g_autoptr (JsonObject) flow = NULL;
  gint64 version;

  if (!fixture_setup (&f, ""))
    return;

  named = event_with (f.ana, ",\"stages\":[\"Main stage\",\"Main\"]");
  lower = event_with (f.ana, "");
  spaced = event_with (f.ana, "");
  flow = ok_flow (f.ana, TTO_FRAME_FLOW_GET, f.event_id, "");
  main_id = g_strdup (json_object_get_string_member (stage (flow, 0), "id"));
  /* New events write their flow at once; wait for the five rows. */
  for (guint i = 0; i < 100 && tto_test_relay_query_int (f.relay, "SELECT COUNT(*) FROM stages")
                                 < 5; i++)
    tto_test_iterate_ms (50);
  g_assert_cmpint (tto_test_relay_query_int (f.relay, "SELECT COUNT(*) FROM stages"), ==, 5);

  /* The rows as an old relay left them. */
  {
    const struct
    {
      const char *event_id;
      const char *title;
    } old[] = { { f.event_id, "Main" }, { lower, "main" }, { spaced, "Main " } };

    for (guint i = 0; i < G_N_ELEMENTS (old); i++)
      {
        g_autofree char *sql = g_strdup_printf ("UPDATE stages SET title = '%s'"
                                                " WHERE event_id = '%s' AND position = 0",
                                                old[i].title, old[i].event_id);

        g_assert_cmpuint (tto_test_relay_exec (f.relay, sql), ==, 1);
      }
  }
  version = tto_test_relay_forget_migrations (f.relay, DEFAULT_STAGE_MIGRATION);
  title = stored_title (f.relay, f.event_id, 0);
  g_assert_cmpstr (title, ==, "[Main]");

  /* A relay starting on that database migrates it. */
  again = tto_test_relay_start_on_database (f.relay, GRACE);
  g_assert_cmpint (tto_test_relay_query_int (f.relay, "SELECT MAX(version) FROM schema_version"),
                   ==, version);
  g_free (title);
  title = stored_title (f.relay, f.event_id, 0);
  g_assert_cmpstr (title, ==, "[]");
  g_free (title);
  title = stored_title (f.relay, named, 0);
  g_assert_cmpstr (title, ==, "[Main stage]");
  g_free (title);
  title = stored_title (f.relay, named, 1);
  g_assert_cmpstr (title, ==, "[Main]");
  g_free (title);
  title = stored_title (f.relay, lower, 0);
  g_assert_cmpstr (title, ==, "[main]");
  g_free (title);
  title = stored_title (f.relay, spaced, 0);
  g_assert_cmpstr (title, ==, "[Main ]");

  /* What members see from it: the untitled default stage, same id. */
  ana = tto_test_client_connect (again);
  tto_test_client_auth (ana, tto_test_client_get_token (f.ana));
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (ana, TTO_FRAME_FLOW_GET, f.event_id, "");
  g_assert_cmpstr (json_object_get_string_member (stage (flow, 0), "id"), ==, main_id);
  g_assert_cmpstr (title_at (flow, 0), ==, "");
  g_clear_pointer (&flow, json_object_unref);
  flow = ok_flow (ana, TTO_FRAME_FLOW_GET, named, "");
  g_assert_cmpstr (title_at (flow, 0), ==, "Main stage");
  g_assert_cmpstr (title_at (flow, 1), ==, "Main");

  tto_test_client_close (ana);
  tto_test_relay_stop (again);
  fixture_teardown (&f);
}

int
main (int argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/flow/approval", test_approval);
  g_test_add_func ("/flow/elimination", test_elimination);
  g_test_add_func ("/flow/reasons", test_reasons);
  g_test_add_func ("/flow/forms-matrix", test_forms_matrix);
  g_test_add_func ("/flow/titles", test_titles);
  g_test_add_func ("/flow/video-call", test_video_call);
  g_test_add_func ("/flow/meeting-attendance", test_meeting_attendance);
  g_test_add_func ("/flow/authorisation", test_authorisation);
  g_test_add_func ("/flow/storage-and-end", test_storage_and_end);
  g_test_add_func ("/flow/restart", test_restart);
  g_test_add_func ("/flow/old-main-stage", test_old_main_stage);

  return g_test_run ();
}
