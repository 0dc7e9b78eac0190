/* tto-test-governance.c: who may join and who may do what, against a real
 * relay and MariaDB: admission, join rules, review with batch decisions and
 * the more-verification loop, code rotation and expiry, member removal,
 * and the authorisation matrix of frame types × roles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "tto-shared.h"
#include "tto-test-harness.h"

#define GRACE 600

/* Expiry is tested by moving the relay's clock, not by waiting. */
static const char *const test_clock_args[] = { "--test-clock", NULL };

static TtoTestClient *
person (TtoTestRelay *relay,
        const char *name)
{
  TtoTestClient *c = tto_test_client_connect (relay);

  tto_test_client_create_identity (c, name);
  return c;
}

static JsonObject *
create (TtoTestClient *c,
        const char *extra)
{
  g_autoptr (TtoFrame) ok = tto_test_client_request_ok (
    c, TTO_FRAME_EVENT_CREATE, tto_test_json_object ("{\"title\":\"Board\"%s}", extra));

  return json_object_ref (json_object_get_object_member (ok->body, "event"));
}

static TtoFrame *
join (TtoTestClient *c,
      const char *code,
      const char *reason)
{
  return tto_test_client_request (
    c, TTO_FRAME_EVENT_JOIN,
    tto_test_json_object ("{\"invite_code\":\"%s\",\"reason\":\"%s\"}", code, reason));
}

static void
expect_code (TtoFrame *answer,
             const char *code)
{
  g_assert_nonnull (answer);
  if (code == NULL)
    {
      if (!tto_frame_is (answer, TTO_FRAME_OK))
        g_error ("expected ok, got %s: %s", tto_frame_get_string (answer, "code"),
                 tto_frame_get_string (answer, "message"));
    }
  else
    {
      g_assert_true (tto_frame_is (answer, TTO_FRAME_ERROR));
      g_assert_cmpstr (tto_frame_get_string (answer, "code"), ==, code);
    }
  tto_frame_free (answer);
}

static void
test_admission_and_review (void)
{
  TtoTestRelay *relay = tto_test_relay_start (GRACE);
  TtoTestClient *ana;
  TtoTestClient *bo;
  TtoTestClient *cy;
  TtoTestClient *di;
  g_autoptr (JsonObject) event = NULL;
  const char *event_id;
  const char *code;
  g_autoptr (TtoFrame) list = NULL;
  JsonArray *applications;

  if (relay == NULL)
    return;

  ana = person (relay, "Ana");
  bo = person (relay, "Bo");
  cy = person (relay, "Cy");
  di = person (relay, "Di");
  event = create (ana, ",\"admission\":\"review\"");
  event_id = json_object_get_string_member (event, "event_id");
  code = json_object_get_string_member (event, "invite_code");
  g_assert_cmpstr (json_object_get_string_member (event, "admission"), ==, "review");

  /* Under review a join files an application; the creator hears of it. */
  {
    g_autoptr (TtoFrame) filed = join (bo, code, "I run the kitchen");
    JsonObject *application;

    g_assert_true (tto_frame_is (filed, TTO_FRAME_OK));
    application = json_object_get_object_member (filed->body, "application");
    g_assert_cmpstr (json_object_get_string_member (application, "status"), ==, "pending");
    g_assert_cmpstr (json_object_get_string_member (application, "reason"), ==,
                     "I run the kitchen");
    /* Not a member yet: no full event. */
    g_assert_false (json_object_has_member (json_object_get_object_member (filed->body, "event"),
                                            "invite_code"));
  }
  expect_code (join (cy, code, "Photographer"), NULL);
  expect_code (join (di, code, "Just curious"), NULL);
  {
    g_autoptr (TtoFrame) news = tto_test_client_wait_push (ana, TTO_FRAME_REVIEW_NEW, 5000);

    g_assert_nonnull (news);
  }

  /* Applicants are not members. */
  expect_code (tto_test_client_request (bo, TTO_FRAME_MSG_SEND,
                                        tto_test_json_object ("{\"event_id\":\"%s\","
                                                              "\"client_msg_id\":\"b\","
                                                              "\"text\":\"hi\"}",
                                                              event_id)),
               "forbidden");
  expect_code (tto_test_client_request (bo, TTO_FRAME_REVIEW_LIST,
                                        tto_test_json_object ("{\"event_id\":\"%s\"}",
                                                              event_id)),
               "forbidden");

  list = tto_test_client_request_ok (ana, TTO_FRAME_REVIEW_LIST,
                                     tto_test_json_object ("{\"event_id\":\"%s\"}", event_id));
  applications = json_object_get_array_member (list->body, "applications");
  g_assert_cmpuint (json_array_get_length (applications), ==, 3);
  for (guint i = 0; i < json_array_get_length (applications); i++)
    {
      JsonObject *application = json_array_get_object_element (applications, i);
      JsonObject *badges = json_object_get_object_member (application, "badges");

      /* One-time identities have proven nothing. */
      g_assert_false (json_object_get_boolean_member (badges, "phone"));
      g_assert_false (json_object_get_boolean_member (badges, "id"));
      if (g_str_equal (json_object_get_string_member (application, "display_name"), "Bo"))
        g_assert_cmpstr (json_object_get_string_member (application, "reason"), ==,
                         "I run the kitchen");
    }

  /* Batch approve two; they join at once and hear it. */
  {
    g_autoptr (TtoFrame) decided = tto_test_client_request_ok (
      ana, TTO_FRAME_REVIEW_DECIDE,
      tto_test_json_object ("{\"event_id\":\"%s\",\"identity_ids\":[\"%s\",\"%s\"],"
                            "\"decision\":\"approve\"}",
                            event_id, tto_test_client_get_identity_id (bo),
                            tto_test_client_get_identity_id (cy)));
    g_autoptr (TtoFrame) welcome = tto_test_client_wait_push (bo, TTO_FRAME_REVIEW_DECIDED, 5000);

    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (decided->body,
                                                                           "decided")),
                      ==, 2);
    g_assert_cmpstr (tto_frame_get_string (welcome, "decision"), ==, "approve");
    g_assert_true (json_object_has_member (welcome->body, "event"));
  }
  g_assert_cmpint (tto_test_relay_query_intf (relay,
                                              "SELECT COUNT(*) FROM members WHERE event_id = '%s'",
                                              event_id),
                   ==, 3);
  g_free (tto_test_client_send_message (bo, event_id, "b1", "Hello, thanks!") ? NULL : NULL);

  /* More verification: Di is told what, updates, and is pending again. */
  expect_code (tto_test_client_request (ana, TTO_FRAME_REVIEW_DECIDE,
                                        tto_test_json_object ("{\"event_id\":\"%s\","
                                                              "\"identity_ids\":[\"%s\"],"
                                                              "\"decision\":\"more\"}",
                                                              event_id,
                                                              tto_test_client_get_identity_id (
                                                                di))),
               "bad_frame");
  tto_frame_free (tto_test_client_request_ok (
    ana, TTO_FRAME_REVIEW_DECIDE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"identity_ids\":[\"%s\"],\"decision\":\"more\","
                          "\"message\":\"verify your phone number\"}",
                          event_id, tto_test_client_get_identity_id (di))));
  {
    g_autoptr (TtoFrame) more = tto_test_client_wait_push (di, TTO_FRAME_REVIEW_DECIDED, 5000);

    g_assert_cmpstr (tto_frame_get_string (more, "decision"), ==, "more");
    g_assert_cmpstr (tto_frame_get_string (more, "message"), ==, "verify your phone number");
  }
  tto_test_client_discard_pushes (ana);
  tto_frame_free (tto_test_client_request_ok (
    di, TTO_FRAME_APPLICATION_UPDATE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"reason\":\"I am Ana's neighbour\"}",
                          event_id)));
  {
    g_autoptr (TtoFrame) again = tto_test_client_wait_push (ana, TTO_FRAME_REVIEW_NEW, 5000);
    JsonObject *application = json_object_get_object_member (again->body, "application");

    g_assert_cmpstr (json_object_get_string_member (application, "status"), ==, "pending");
    g_assert_cmpstr (json_object_get_string_member (application, "reason"), ==,
                     "I am Ana's neighbour");
  }

  /* Rejected: gone, not a member, may apply again later. */
  tto_frame_free (tto_test_client_request_ok (
    ana, TTO_FRAME_REVIEW_DECIDE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"identity_ids\":[\"%s\"],\"decision\":\"reject\"}",
                          event_id, tto_test_client_get_identity_id (di))));
  g_assert_cmpint (tto_test_relay_query_intf (relay,
                                              "SELECT COUNT(*) FROM applications WHERE event_id "
                                              "= '%s'",
                                              event_id),
                   ==, 0);
  /* Deciding for someone with no application: nothing happens. */
  expect_code (tto_test_client_request (ana, TTO_FRAME_REVIEW_DECIDE,
                                        tto_test_json_object ("{\"event_id\":\"%s\","
                                                              "\"identity_ids\":[\"%s\"],"
                                                              "\"decision\":\"approve\"}",
                                                              event_id,
                                                              tto_test_client_get_identity_id (
                                                                di))),
               "not_found");

  /* Closed: nobody new. */
  tto_frame_free (tto_test_client_request_ok (
    ana, TTO_FRAME_EVENT_UPDATE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"admission\":\"closed\"}", event_id)));
  expect_code (join (di, code, "please"), "forbidden");

  tto_test_client_close (ana);
  tto_test_client_close (bo);
  tto_test_client_close (cy);
  tto_test_client_close (di);
  tto_test_relay_stop (relay);
}

static void
test_rules (void)
{
  TtoTestRelay *relay = tto_test_relay_start (GRACE);
  TtoTestClient *ana;
  TtoTestClient *bo;
  TtoTestClient *bo2;
  g_autoptr (JsonObject) event = NULL;
  const char *code;
  g_autofree char *token = NULL;

  if (relay == NULL)
    return;

  ana = person (relay, "Ana");
  bo = person (relay, "Bo");
  event = create (ana, ",\"admission\":\"review\",\"rules\":{\"require_phone_verified\":true,"
                       "\"auto_approve_third_party\":true}");
  code = json_object_get_string_member (event, "invite_code");

  /* The rule's reason comes back to whoever does not meet it. */
  {
    g_autoptr (TtoFrame) refused = join (bo, code, "hi");

    g_assert_cmpstr (tto_frame_get_string (refused, "code"), ==, "forbidden");
    g_assert_nonnull (strstr (tto_frame_get_string (refused, "message"), "phone"));
  }

  /* Verified (flags set by the identity work; here straight in the table),
   * and third-party verified: auto-approved, a member at once. */
  {
    g_autofree char *sql = g_strdup_printf ("UPDATE identities SET phone_verified = 1, "
                                            "third_party_verified = 1 WHERE id = '%s'",
                                            tto_test_client_get_identity_id (bo));

    g_assert_cmpuint (tto_test_relay_exec (relay, sql), ==, 1);
  }
  token = g_strdup (tto_test_client_get_token (bo));
  bo2 = tto_test_client_connect (relay);
  tto_test_client_auth (bo2, token);
  {
    g_autoptr (TtoFrame) joined = join (bo2, code, "hi");

    g_assert_true (tto_frame_is (joined, TTO_FRAME_OK));
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (joined->body,
                                                                                  "event"),
                                                    "role"),
                     ==, "member");
  }

  tto_test_client_close (bo2);
  tto_test_client_close (ana);
  tto_test_client_close (bo);
  tto_test_relay_stop (relay);
}

static void
test_code_rotation_and_removal (void)
{
  TtoTestRelay *relay = tto_test_relay_start_with_args (GRACE, test_clock_args);
  TtoTestClient *ana;
  TtoTestClient *bo;
  TtoTestClient *cy;
  g_autoptr (JsonObject) event = NULL;
  g_autofree char *old_code = NULL;
  g_autofree char *new_code = NULL;
  const char *event_id;

  if (relay == NULL)
    return;

  ana = person (relay, "Ana");
  bo = person (relay, "Bo");
  cy = person (relay, "Cy");
  event = create (ana, "");
  event_id = json_object_get_string_member (event, "event_id");
  old_code = g_strdup (json_object_get_string_member (event, "invite_code"));
  expect_code (join (bo, old_code, ""), NULL);

  /* Rotation: only the creator; the old code stops working. */
  expect_code (tto_test_client_request (bo, TTO_FRAME_EVENT_ROTATE_CODE,
                                        tto_test_json_object ("{\"event_id\":\"%s\"}", event_id)),
               "forbidden");
  {
    g_autoptr (TtoFrame) rotated = tto_test_client_request_ok (
      ana, TTO_FRAME_EVENT_ROTATE_CODE,
      tto_test_json_object ("{\"event_id\":\"%s\",\"expires_at\":%" G_GINT64_FORMAT "}",
                            event_id, g_get_real_time () / G_USEC_PER_SEC + 3600));

    new_code = g_strdup (json_object_get_string_member (
      json_object_get_object_member (rotated->body, "event"), "invite_code"));
  }
  g_assert_cmpstr (new_code, !=, old_code);
  g_assert_cmpint (tto_test_relay_query_intf (relay,
                                              "SELECT COUNT(*) FROM events WHERE invite_code = "
                                              "'%s'",
                                              new_code),
                   ==, 1);
  expect_code (join (cy, old_code, ""), "not_found");
  /* The new one expires an hour later, on the relay's clock. */
  expect_code (join (cy, new_code, ""), NULL);
  tto_test_client_close (cy);
  cy = person (relay, "Cy");
  tto_test_relay_advance_clock (relay, 3601);
  expect_code (join (cy, new_code, ""), "expired");
  expect_code (tto_test_client_request (ana, TTO_FRAME_EVENT_ROTATE_CODE,
                                        tto_test_json_object ("{\"event_id\":\"%s\","
                                                              "\"expires_at\":5}",
                                                              event_id)),
               "bad_frame");

  /* Removal: only the creator, never the creator; the removed lose access
   * at once and the others see them go. */
  expect_code (tto_test_client_request (bo, TTO_FRAME_MEMBER_REMOVE,
                                        tto_test_json_object ("{\"event_id\":\"%s\","
                                                              "\"identity_id\":\"%s\"}",
                                                              event_id,
                                                              tto_test_client_get_identity_id (
                                                                ana))),
               "forbidden");
  expect_code (tto_test_client_request (ana, TTO_FRAME_MEMBER_REMOVE,
                                        tto_test_json_object ("{\"event_id\":\"%s\","
                                                              "\"identity_id\":\"%s\"}",
                                                              event_id,
                                                              tto_test_client_get_identity_id (
                                                                ana))),
               "conflict");
  tto_test_client_discard_pushes (ana);
  tto_frame_free (tto_test_client_request_ok (
    ana, TTO_FRAME_MEMBER_REMOVE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"identity_id\":\"%s\"}", event_id,
                          tto_test_client_get_identity_id (bo))));
  {
    g_autoptr (TtoFrame) removed = tto_test_client_wait_push (bo, TTO_FRAME_EVENT_REMOVED, 5000);
    g_autoptr (TtoFrame) left = tto_test_client_wait_push (ana, TTO_FRAME_MEMBER_LEFT, 5000);

    g_assert_nonnull (removed);
    g_assert_cmpint (tto_frame_get_int (left, "member_count", 0), ==, 1);
  }
  expect_code (tto_test_client_request (bo, TTO_FRAME_MSG_SEND,
                                        tto_test_json_object ("{\"event_id\":\"%s\","
                                                              "\"client_msg_id\":\"b\","
                                                              "\"text\":\"hi\"}",
                                                              event_id)),
               "forbidden");
  g_assert_cmpint (tto_test_relay_query_intf (relay,
                                              "SELECT COUNT(*) FROM members WHERE event_id = '%s'",
                                              event_id),
                   ==, 1);

  tto_test_client_close (ana);
  tto_test_client_close (bo);
  tto_test_client_close (cy);
  tto_test_relay_stop (relay);
}

/* ---------------------------------------------------------- the matrix */

typedef enum
{
  ROLE_CREATOR,
  ROLE_EXPORTER,  /* member granted export */
  ROLE_REVIEWER,  /* member granted review */
  ROLE_MEMBER,    /* member without grants */
  ROLE_EXPIRED,   /* member whose export grant ran out */
  ROLE_APPLICANT, /* waiting for review */
  ROLE_OUTSIDER,  /* not related to the event */
  ROLE_REMOVED,   /* was a member */
  N_ROLES
} Role;

static const char *const role_names[] = { "creator",   "exporter", "reviewer", "member",
                                          "expired",   "applicant", "outsider", "removed" };

/* 'y': allowed (ok, or an error that is not about permission, e.g. a
 * made-up target is not_found); 'n': forbidden. */
typedef struct
{
  const char *type;
  const char *body; /* {E}: the event id, {M}: a message id of the creator's */
  const char *allowed; /* one char per role, in Role order */
} Cell;

static const Cell matrix[] = {
  { TTO_FRAME_EVENT_GET, "{\"event_id\":\"{E}\"}", "yyyyynnn" },
  { TTO_FRAME_MSG_SEND, "{\"event_id\":\"{E}\",\"client_msg_id\":\"m\",\"text\":\"hi\"}",
    "yyyyynnn" },
  { TTO_FRAME_RECEIPT_READ, "{\"event_id\":\"{E}\",\"seq\":1}", "yyyyynnn" },
  { TTO_FRAME_MSG_EDIT, "{\"event_id\":\"{E}\",\"msg_id\":\"{M}\",\"text\":\"x\"}",
    "ynnnnnnn" },
  { TTO_FRAME_MSG_RECALL, "{\"event_id\":\"{E}\",\"msg_id\":\"{M}\"}", "ynnnnnnn" },
  { TTO_FRAME_EXPORT_FETCH, "{\"event_id\":\"{E}\"}", "yynnnnnn" },
  { TTO_FRAME_REVIEW_LIST, "{\"event_id\":\"{E}\"}", "ynynnnnn" },
  { TTO_FRAME_REVIEW_DECIDE,
    "{\"event_id\":\"{E}\",\"identity_ids\":[\"0000000000000000\"],\"decision\":\"reject\"}",
    "ynynnnnn" },
  { TTO_FRAME_EVENT_UPDATE, "{\"event_id\":\"{E}\",\"edit_window\":900}", "ynnnnnnn" },
  { TTO_FRAME_MEMBER_GRANT,
    "{\"event_id\":\"{E}\",\"identity_id\":\"0000000000000000\",\"permission\":\"export\","
    "\"duration\":null}",
    "ynnnnnnn" },
  { TTO_FRAME_MEMBER_REMOVE, "{\"event_id\":\"{E}\",\"identity_id\":\"0000000000000000\"}",
    "ynnnnnnn" },
  { TTO_FRAME_EVENT_ROTATE_CODE, "{\"event_id\":\"{E}\"}", "ynnnnnnn" },
  { TTO_FRAME_CALL_INVITE, "{\"event_id\":\"{E}\",\"kind\":\"audio\",\"to\":[\"all\"]}",
    "yyyyynnn" },
  { TTO_FRAME_CALL_CONFIG, "{}", "yyyyyyyy" },
};

static char *
fill (const char *pattern,
      const char *event_id,
      const char *msg_id)
{
  g_autoptr (GString) out = g_string_new (pattern);

  g_string_replace (out, "{E}", event_id, 0);
  g_string_replace (out, "{M}", msg_id, 0);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_matrix (void)
{
  TtoTestRelay *relay = tto_test_relay_start_with_args (GRACE, test_clock_args);
  TtoTestClient *who[N_ROLES];
  g_autoptr (JsonObject) event = NULL;
  g_autoptr (TtoFrame) first = NULL;
  const char *event_id;
  const char *code;
  guint failures = 0;

  if (relay == NULL)
    return;

  for (guint r = 0; r < N_ROLES; r++)
    who[r] = person (relay, role_names[r]);

  event = create (who[ROLE_CREATOR], ",\"admission\":\"review\"");
  event_id = json_object_get_string_member (event, "event_id");
  code = json_object_get_string_member (event, "invite_code");
  first = tto_test_client_send_message (who[ROLE_CREATOR], event_id, "c0", "first");

  /* Everyone applies; all but the applicant and the outsider get in. */
  for (guint r = ROLE_EXPORTER; r <= ROLE_REMOVED; r++)
    if (r != ROLE_OUTSIDER)
      expect_code (join (who[r], code, "let me in"), NULL);
  for (guint r = ROLE_EXPORTER; r <= ROLE_REMOVED; r++)
    if (r != ROLE_OUTSIDER && r != ROLE_APPLICANT)
      tto_frame_free (tto_test_client_request_ok (
        who[ROLE_CREATOR], TTO_FRAME_REVIEW_DECIDE,
        tto_test_json_object ("{\"event_id\":\"%s\",\"identity_ids\":[\"%s\"],"
                              "\"decision\":\"approve\"}",
                              event_id, tto_test_client_get_identity_id (who[r]))));

  tto_frame_free (tto_test_client_request_ok (
    who[ROLE_CREATOR], TTO_FRAME_MEMBER_GRANT,
    tto_test_json_object ("{\"event_id\":\"%s\",\"identity_id\":\"%s\",\"permission\":\"export\","
                          "\"duration\":null}",
                          event_id, tto_test_client_get_identity_id (who[ROLE_EXPORTER]))));
  tto_frame_free (tto_test_client_request_ok (
    who[ROLE_CREATOR], TTO_FRAME_MEMBER_GRANT,
    tto_test_json_object ("{\"event_id\":\"%s\",\"identity_id\":\"%s\",\"permission\":\"review\","
                          "\"duration\":null}",
                          event_id, tto_test_client_get_identity_id (who[ROLE_REVIEWER]))));
  tto_frame_free (tto_test_client_request_ok (
    who[ROLE_CREATOR], TTO_FRAME_MEMBER_GRANT,
    tto_test_json_object ("{\"event_id\":\"%s\",\"identity_id\":\"%s\",\"permission\":\"export\","
                          "\"duration\":3600}",
                          event_id, tto_test_client_get_identity_id (who[ROLE_EXPIRED]))));
  tto_frame_free (tto_test_client_request_ok (
    who[ROLE_CREATOR], TTO_FRAME_MEMBER_REMOVE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"identity_id\":\"%s\"}", event_id,
                          tto_test_client_get_identity_id (who[ROLE_REMOVED]))));
  /* An hour later on the relay's clock the grant has run out. */
  tto_test_relay_advance_clock (relay, 3601);

  for (guint c = 0; c < G_N_ELEMENTS (matrix); c++)
    for (guint r = 0; r < N_ROLES; r++)
      {
        g_autofree char *body = fill (matrix[c].body, event_id,
                                      tto_frame_get_string (first, "msg_id"));
        g_autoptr (TtoFrame) answer = tto_test_client_request (who[r], matrix[c].type,
                                                               tto_test_json_object ("%s", body));
        const char *error = tto_frame_is (answer, TTO_FRAME_ERROR)
                              ? tto_frame_get_string (answer, "code")
                              : NULL;
        gboolean refused = g_strcmp0 (error, "forbidden") == 0 ||
                           g_strcmp0 (error, "unauthorized") == 0;
        gboolean expected_allowed = matrix[c].allowed[r] == 'y';

        if (refused == expected_allowed)
          {
            g_test_message ("%s as %s: expected %s, got %s", matrix[c].type, role_names[r],
                            expected_allowed ? "allowed" : "refused",
                            error != NULL ? error : "ok");
            failures++;
          }
      }

  g_assert_cmpuint (failures, ==, 0);

  for (guint r = 0; r < N_ROLES; r++)
    tto_test_client_close (who[r]);
  tto_test_relay_stop (relay);
}

int
main (int argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/governance/admission-and-review", test_admission_and_review);
  g_test_add_func ("/governance/rules", test_rules);
  g_test_add_func ("/governance/code-rotation-and-removal", test_code_rotation_and_removal);
  g_test_add_func ("/governance/matrix", test_matrix);

  return g_test_run ();
}
