/* tto-test-history.c: a permanent identity's history of events, against a
 * real relay and MariaDB: only titles and dates are kept, only for
 * permanent identities, each entry deletable by its owner alone
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tto-shared.h"
#include "tto-test-harness.h"

#define GRACE 600

static TtoTestClient *
person (TtoTestRelay *relay,
        const char *name,
        gboolean permanent)
{
  TtoTestClient *c = tto_test_client_connect (relay);
  g_autofree char *sql = NULL;

  tto_test_client_create_identity (c, name);
  /* How an identity became permanent (a verified sign-in) is the identity
   * tests' concern; here only the lifetime matters. */
  sql = g_strdup_printf ("UPDATE identities SET kind = 'permanent' WHERE id = '%s'",
                         tto_test_client_get_identity_id (c));
  if (permanent)
    g_assert_cmpuint (tto_test_relay_exec (relay, sql), ==, 1);
  return c;
}

static JsonArray *
history (TtoTestClient *c)
{
  g_autoptr (TtoFrame) ok = tto_test_client_request_ok (c, TTO_FRAME_HISTORY_LIST,
                                                        json_object_new ());
  JsonNode *node = json_object_get_member (ok->body, "history");

  g_assert_nonnull (node);
  return json_array_ref (json_node_get_array (node));
}

static void
delete_entry (TtoTestClient *c,
              const char *id,
              const char *expected_code)
{
  g_autoptr (TtoFrame) answer = NULL;

  answer = tto_test_client_request (c, TTO_FRAME_HISTORY_DELETE,
                                    tto_test_json_object ("{\"id\":\"%s\"}", id));
  if (expected_code == NULL)
    g_assert_true (tto_frame_is (answer, TTO_FRAME_OK));
  else
    {
      g_assert_true (tto_frame_is (answer, TTO_FRAME_ERROR));
      g_assert_cmpstr (tto_frame_get_string (answer, "code"), ==, expected_code);
    }
}

static void
test_history (void)
{
  TtoTestRelay *relay = tto_test_relay_start (GRACE);
  TtoTestClient *ana, *bo, *cy;
  g_autoptr (JsonObject) event = NULL;
  g_autoptr (JsonArray) ana_history = NULL;
  g_autoptr (JsonArray) bo_history = NULL;
  g_autoptr (JsonArray) cy_history = NULL;
  g_autoptr (JsonArray) after = NULL;
  g_autoptr (TtoFrame) sent = NULL;
  g_autofree char *bo_entry = NULL;
  g_autofree char *sql = NULL;
  JsonObject *entry;

  if (relay == NULL)
    return;

  ana = person (relay, "Ana", TRUE);
  bo = person (relay, "Bo", TRUE);
  cy = person (relay, "Cy", FALSE);

  /* Nothing yet: the list is empty, not an error. */
  ana_history = history (ana);
  g_assert_cmpuint (json_array_get_length (ana_history), ==, 0);
  g_clear_pointer (&ana_history, json_array_unref);

  event = tto_test_client_create_event (ana, "Wedding helpers", 0);
  json_object_unref (tto_test_client_join (bo, json_object_get_string_member (event,
                                                                              "invite_code")));
  json_object_unref (tto_test_client_join (cy, json_object_get_string_member (event,
                                                                              "invite_code")));
  sent = tto_test_client_send_message (bo, json_object_get_string_member (event, "event_id"),
                                       "h1", "the cake arrives at noon");
  tto_frame_free (tto_test_client_request_ok (
    ana, TTO_FRAME_EVENT_END,
    tto_test_json_object ("{\"event_id\":\"%s\"}",
                          json_object_get_string_member (event, "event_id"))));

  ana_history = history (ana);
  bo_history = history (bo);
  cy_history = history (cy);
  g_assert_cmpuint (json_array_get_length (ana_history), ==, 1);
  g_assert_cmpuint (json_array_get_length (bo_history), ==, 1);
  /* A one-time identity keeps no history. */
  g_assert_cmpuint (json_array_get_length (cy_history), ==, 0);

  entry = json_array_get_object_element (ana_history, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "title"), ==, "Wedding helpers");
  g_assert_cmpstr (json_object_get_string_member (entry, "role"), ==, "creator");
  g_assert_cmpint (json_object_get_int_member (entry, "started_at"), >, 0);
  g_assert_cmpint (json_object_get_int_member (entry, "ended_at"), >=,
                   json_object_get_int_member (entry, "started_at"));
  entry = json_array_get_object_element (bo_history, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "role"), ==, "member");
  bo_entry = g_strdup (json_object_get_string_member (entry, "id"));

  /* Only names and dates: the table has no other column, and no message
   * text reached any row of it. */
  g_assert_cmpint (tto_test_relay_query_intf (relay,
                                              "SELECT COUNT(*) FROM information_schema.columns"
                                              " WHERE table_schema = '%s' AND table_name ="
                                              " 'history' AND column_name NOT IN ('id',"
                                              " 'identity_id', 'title', 'role', 'started_at',"
                                              " 'ended_at')",
                                              tto_test_relay_get_database (relay)),
                   ==, 0);
  g_assert_cmpint (tto_test_relay_query_int (relay, "SELECT COUNT(*) FROM history"
                                                    " WHERE title LIKE '%cake%'"),
                   ==, 0);

  /* Each entry is its owner's to delete; others find nothing. */
  delete_entry (ana, bo_entry, "not_found");
  delete_entry (bo, "not-a-number", "not_found");
  tto_frame_free (tto_test_client_request_error (bo, TTO_FRAME_HISTORY_DELETE, json_object_new (),
                                                 "bad_frame"));
  delete_entry (bo, bo_entry, NULL);
  delete_entry (bo, bo_entry, "not_found");
  after = history (bo);
  g_assert_cmpuint (json_array_get_length (after), ==, 0);
  g_clear_pointer (&after, json_array_unref);
  after = history (ana);
  g_assert_cmpuint (json_array_get_length (after), ==, 1);

  /* Deleting the identity deletes its history with it. */
  sql = g_strdup_printf ("DELETE FROM identities WHERE id = '%s'",
                         tto_test_client_get_identity_id (ana));
  g_assert_cmpuint (tto_test_relay_exec (relay, sql), ==, 1);
  g_assert_cmpint (tto_test_relay_query_int (relay, "SELECT COUNT(*) FROM history"), ==, 0);

  tto_test_client_close (ana);
  tto_test_client_close (bo);
  tto_test_client_close (cy);
  tto_test_relay_stop (relay);
}

int
main (int argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/history/permanent-identities-only", test_history);

  return g_test_run ();
}
