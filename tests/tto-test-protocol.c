/* tto-test-protocol.c: unit tests of libtto-shared (frames, validation, ids,
 * invite codes, models)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "tto-shared.h"

/* ---------------------------------------------------------------- helpers */

static TtoFrame *
parse (const char *text,
       TtoFrameOrigin origin,
       char **out_id,
       GError **error)
{
  return tto_frame_parse (text, strlen (text), origin, out_id, error);
}

/* Parses @text from a client and asserts the error code and that the
 * message contains @needle (when not NULL). */
static void
assert_client_error (const char *text,
                     TtoProtocolError code,
                     const char *needle)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoFrame) frame = parse (text, TTO_FRAME_FROM_CLIENT, NULL, &error);

  g_assert_null (frame);
  g_assert_error (error, TTO_PROTOCOL_ERROR, (gint) code);
  if (needle != NULL && strstr (error->message, needle) == NULL)
    g_error ("error message '%s' does not name '%s' (frame %.200s)", error->message, needle, text);
}

static char *
repeat (const char *unit,
        guint count)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < count; i++)
    g_string_append (s, unit);

  return g_string_free (s, FALSE);
}

static char *
msg_send_frame (const char *text)
{
  g_autoptr (JsonObject) body = json_object_new ();
  g_autoptr (TtoFrame) frame = NULL;

  json_object_set_string_member (body, "event_id", "k3v9q2m8x4t7c1ab");
  json_object_set_string_member (body, "client_msg_id", "b1c7f5e2");
  json_object_set_string_member (body, "text", text);
  frame = tto_frame_new (TTO_FRAME_MSG_SEND, "c7", json_object_ref (body));

  return tto_frame_serialize (frame, NULL);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

static JsonObject *
object_from_json (const char *text)
{
  g_autoptr (JsonNode) node = parse_json (text);

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

static void
assert_objects_equal (JsonObject *a,
                      JsonObject *b)
{
  g_autoptr (JsonNode) na = json_node_init_object (json_node_alloc (), a);
  g_autoptr (JsonNode) nb = json_node_init_object (json_node_alloc (), b);

  if (!json_node_equal (na, nb))
    {
      g_autofree char *sa = json_to_string (na, FALSE);
      g_autofree char *sb = json_to_string (nb, FALSE);

      g_error ("JSON objects differ:\n  %s\n  %s", sa, sb);
    }
}

/* ------------------------------------------------------- golden frames */

static void
test_golden_frames (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "data", "frames", NULL);
  g_autofree char *ini_path = g_build_filename (dir_path, "expected.ini", NULL);
  g_autoptr (GKeyFile) expected = g_key_file_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = NULL;
  g_auto (GStrv) groups = NULL;
  const char *name;
  guint n_files = 0;

  g_key_file_load_from_file (expected, ini_path, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);

  /* Every case has a file and every file a case. */
  groups = g_key_file_get_groups (expected, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir_path, groups[i], NULL);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        g_error ("expected.ini names %s, which does not exist", groups[i]);
    }

  dir = g_dir_open (dir_path, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      g_autofree char *origin_name = NULL;
      g_autofree char *result = NULL;
      g_autofree char *want_type = NULL;
      g_autofree char *want_id = NULL;
      g_autofree char *want_re = NULL;
      g_autofree char *want_message = NULL;
      g_autofree char *out_id = NULL;
      g_autoptr (GError) parse_error = NULL;
      g_autoptr (TtoFrame) frame = NULL;
      TtoFrameOrigin origin;
      gsize length;

      if (!g_str_has_suffix (name, ".json"))
        continue;
      n_files++;
      g_test_message ("frame %s", name);

      if (!g_key_file_has_group (expected, name))
        g_error ("%s has no entry in expected.ini", name);

      path = g_build_filename (dir_path, name, NULL);
      g_file_get_contents (path, &contents, &length, &error);
      g_assert_no_error (error);

      origin_name = g_key_file_get_string (expected, name, "origin", &error);
      g_assert_no_error (error);
      g_assert_true (g_str_equal (origin_name, "client") || g_str_equal (origin_name, "relay"));
      origin = g_str_equal (origin_name, "client") ? TTO_FRAME_FROM_CLIENT : TTO_FRAME_FROM_RELAY;
      result = g_key_file_get_string (expected, name, "result", &error);
      g_assert_no_error (error);
      want_type = g_key_file_get_string (expected, name, "type", NULL);
      want_id = g_key_file_get_string (expected, name, "id", NULL);
      want_re = g_key_file_get_string (expected, name, "re", NULL);
      want_message = g_key_file_get_string (expected, name, "message", NULL);

      frame = tto_frame_parse (contents, length, origin, &out_id, &parse_error);

      /* Even a refused frame reports its id, so the error can carry re. */
      if (g_strcmp0 (out_id, want_id) != 0)
        g_error ("%s: parser reports id '%s', expected '%s'", name, out_id, want_id);

      if (g_str_equal (result, "ok"))
        {
          g_autofree char *serialized = NULL;
          g_autoptr (TtoFrame) again = NULL;
          g_autoptr (JsonNode) original = NULL;
          JsonNode *original_body;

          if (parse_error != NULL)
            g_error ("%s: expected ok, got %s", name, parse_error->message);
          g_assert_nonnull (frame);
          g_assert_cmpstr (frame->type, ==, want_type);
          g_assert_cmpstr (frame->id, ==, want_id);
          g_assert_cmpstr (frame->re, ==, want_re);
          g_assert_nonnull (frame->body);

          /* The body comes through unchanged, unknown members included. */
          original = parse_json (contents);
          original_body = json_object_get_member (json_node_get_object (original), "body");
          if (original_body != NULL)
            assert_objects_equal (frame->body, json_node_get_object (original_body));
          else
            g_assert_cmpuint (json_object_get_size (frame->body), ==, 0);

          /* Serialise and parse again: the same frame. */
          serialized = tto_frame_serialize (frame, NULL);
          again = parse (serialized, origin, NULL, &error);
          g_assert_no_error (error);
          g_assert_cmpstr (again->type, ==, frame->type);
          g_assert_cmpstr (again->id, ==, frame->id);
          g_assert_cmpstr (again->re, ==, frame->re);
          assert_objects_equal (again->body, frame->body);
        }
      else
        {
          TtoProtocolError code = tto_protocol_error_from_code (result);

          g_assert_cmpstr (tto_protocol_error_to_code (code), ==, result);
          if (frame != NULL)
            g_error ("%s: expected %s, but it parsed", name, result);
          if (parse_error == NULL)
            g_error ("%s: no frame and no error", name);
          if (!g_error_matches (parse_error, TTO_PROTOCOL_ERROR, (gint) code))
            g_error ("%s: expected %s, got %s (%s)", name, result,
                     parse_error->domain == TTO_PROTOCOL_ERROR
                       ? tto_protocol_error_to_code ((TtoProtocolError) parse_error->code)
                       : g_quark_to_string (parse_error->domain),
                     parse_error->message);
          if (want_message != NULL && strstr (parse_error->message, want_message) == NULL)
            g_error ("%s: error message '%s' does not contain '%s'", name, parse_error->message,
                     want_message);
        }
    }

  g_assert_cmpuint (n_files, ==, g_strv_length (groups));
  g_assert_cmpuint (n_files, >=, 50);
}

/* ---------------------------------------------------------- bad frames */

static void
test_not_json (void)
{
  g_autofree char *id = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoFrame) frame = NULL;

  assert_client_error ("{\"v\":1,", TTO_PROTOCOL_ERROR_BAD_FRAME, "JSON");
  assert_client_error ("ping", TTO_PROTOCOL_ERROR_BAD_FRAME, NULL);
  assert_client_error ("\xff\xfe{}", TTO_PROTOCOL_ERROR_BAD_FRAME, NULL);

  /* Not JSON: no id can be known. */
  frame = parse ("{\"id\":\"x1\",", TTO_FRAME_FROM_CLIENT, &id, &error);
  g_assert_null (frame);
  g_assert_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME);
  g_assert_null (id);
}

static void
test_not_object (void)
{
  assert_client_error ("[]", TTO_PROTOCOL_ERROR_BAD_FRAME, "object");
  assert_client_error ("42", TTO_PROTOCOL_ERROR_BAD_FRAME, "object");
  assert_client_error ("\"ping\"", TTO_PROTOCOL_ERROR_BAD_FRAME, "object");
  assert_client_error ("true", TTO_PROTOCOL_ERROR_BAD_FRAME, "object");
  assert_client_error ("null", TTO_PROTOCOL_ERROR_BAD_FRAME, "object");
}

static void
test_version (void)
{
  g_autofree char *id = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoFrame) frame = NULL;

  assert_client_error ("{\"type\":\"ping\",\"id\":\"a\"}", TTO_PROTOCOL_ERROR_BAD_FRAME, "v");
  assert_client_error ("{\"v\":\"1\",\"type\":\"ping\"}", TTO_PROTOCOL_ERROR_BAD_FRAME, "v");
  assert_client_error ("{\"v\":1.0,\"type\":\"ping\"}", TTO_PROTOCOL_ERROR_BAD_FRAME, "v");
  assert_client_error ("{\"v\":null,\"type\":\"ping\"}", TTO_PROTOCOL_ERROR_BAD_FRAME, "v");

  frame = parse ("{\"v\":2,\"type\":\"ping\",\"id\":\"p9\"}", TTO_FRAME_FROM_CLIENT, &id, &error);
  g_assert_null (frame);
  g_assert_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_UNSUPPORTED_VERSION);
  g_assert_cmpstr (id, ==, "p9");
  g_assert_cmpstr (tto_protocol_error_to_code ((TtoProtocolError) error->code), ==,
                   "unsupported_version");

  /* A future version with a type this one does not know is still a version
   * problem, not a bad frame: the client should upgrade. */
  assert_client_error ("{\"v\":2,\"type\":\"msg.react\"}", TTO_PROTOCOL_ERROR_UNSUPPORTED_VERSION,
                       NULL);
}

static void
test_unknown_type (void)
{
  g_autofree char *id = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoFrame) frame = NULL;

  assert_client_error ("{\"v\":1,\"type\":\"msg.delete\"}", TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "msg.delete");
  assert_client_error ("{\"v\":1,\"type\":\"\"}", TTO_PROTOCOL_ERROR_BAD_FRAME, "type");
  assert_client_error ("{\"v\":1,\"type\":\"PING\"}", TTO_PROTOCOL_ERROR_BAD_FRAME, "type");
  assert_client_error ("{\"v\":1}", TTO_PROTOCOL_ERROR_BAD_FRAME, "type");
  assert_client_error ("{\"v\":1,\"type\":[\"ping\"]}", TTO_PROTOCOL_ERROR_BAD_FRAME, "type");

  /* Relay frames are not accepted from clients, and the other way round. */
  assert_client_error ("{\"v\":1,\"type\":\"ok\",\"re\":\"x\"}", TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "type");
  assert_client_error ("{\"v\":1,\"type\":\"event.ended\",\"body\":"
                       "{\"event_id\":\"k3v9q2m8x4t7c1ab\",\"reason\":\"ended\"}}",
                       TTO_PROTOCOL_ERROR_BAD_FRAME, "type");
  frame = parse ("{\"v\":1,\"type\":\"ping\",\"id\":\"q\"}", TTO_FRAME_FROM_RELAY, &id, &error);
  g_assert_null (frame);
  g_assert_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME);

  g_assert_true (tto_protocol_is_known_type ("msg.send", TTO_FRAME_FROM_CLIENT));
  g_assert_false (tto_protocol_is_known_type ("msg.send", TTO_FRAME_FROM_RELAY));
  g_assert_true (tto_protocol_is_known_type ("msg.new", TTO_FRAME_FROM_RELAY));
  g_assert_false (tto_protocol_is_known_type ("msg.new", TTO_FRAME_FROM_CLIENT));
  g_assert_true (tto_protocol_is_known_type ("msg.new",
                                             TTO_FRAME_FROM_CLIENT | TTO_FRAME_FROM_RELAY));
  g_assert_false (tto_protocol_is_known_type ("nope", TTO_FRAME_FROM_CLIENT | TTO_FRAME_FROM_RELAY));
}

static void
test_missing_field (void)
{
  assert_client_error ("{\"v\":1,\"type\":\"event.create\",\"body\":{}}",
                       TTO_PROTOCOL_ERROR_BAD_FRAME, "body.title is required in event.create");
  assert_client_error ("{\"v\":1,\"type\":\"event.create\"}", TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.title");
  assert_client_error ("{\"v\":1,\"type\":\"identity.create\",\"body\":{\"kind\":\"one_time\"}}",
                       TTO_PROTOCOL_ERROR_BAD_FRAME, "body.display_name");
  assert_client_error ("{\"v\":1,\"type\":\"auth\",\"body\":{}}", TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.token");
  assert_client_error ("{\"v\":1,\"type\":\"msg.send\",\"body\":"
                       "{\"client_msg_id\":\"a\",\"text\":\"t\"}}",
                       TTO_PROTOCOL_ERROR_BAD_FRAME, "body.event_id");
  assert_client_error ("{\"v\":1,\"type\":\"msg.send\",\"body\":"
                       "{\"event_id\":\"e\",\"client_msg_id\":\"a\"}}",
                       TTO_PROTOCOL_ERROR_BAD_FRAME, "body.text");
  assert_client_error ("{\"v\":1,\"type\":\"event.join\",\"body\":{\"code\":\"7KQ4MZ2P\"}}",
                       TTO_PROTOCOL_ERROR_BAD_FRAME, "body.invite_code");
  assert_client_error ("{\"v\":1,\"type\":\"resume\"}", TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.events");
}

static void
test_wrong_type (void)
{
  assert_client_error ("{\"v\":1,\"type\":\"event.create\",\"body\":{\"title\":5}}",
                       TTO_PROTOCOL_ERROR_BAD_FRAME, "body.title");
  assert_client_error ("{\"v\":1,\"type\":\"event.create\",\"body\":{\"title\":[\"a\"]}}",
                       TTO_PROTOCOL_ERROR_BAD_FRAME, "body.title");
  assert_client_error ("{\"v\":1,\"type\":\"event.create\",\"body\":{\"title\":null}}",
                       TTO_PROTOCOL_ERROR_BAD_FRAME, "body.title");
  assert_client_error ("{\"v\":1,\"type\":\"event.create\",\"body\":"
                       "{\"title\":\"t\",\"deadline\":\"1798761600\"}}",
                       TTO_PROTOCOL_ERROR_BAD_FRAME, "body.deadline");
  assert_client_error ("{\"v\":1,\"type\":\"event.create\",\"body\":"
                       "{\"title\":\"t\",\"deadline\":1798761600.5}}",
                       TTO_PROTOCOL_ERROR_BAD_FRAME, "body.deadline");
  assert_client_error ("{\"v\":1,\"type\":\"event.create\",\"body\":"
                       "{\"title\":\"t\",\"deadline\":1.7987616e9}}",
                       TTO_PROTOCOL_ERROR_BAD_FRAME, "body.deadline");
  assert_client_error ("{\"v\":1,\"type\":\"event.create\",\"body\":"
                       "{\"title\":\"t\",\"content\":false}}",
                       TTO_PROTOCOL_ERROR_BAD_FRAME, "body.content");
  assert_client_error ("{\"v\":1,\"type\":\"event.create\",\"body\":"
                       "{\"title\":\"t\",\"content\":null}}",
                       TTO_PROTOCOL_ERROR_BAD_FRAME, "body.content");
  assert_client_error ("{\"v\":1,\"type\":\"msg.send\",\"body\":"
                       "{\"event_id\":\"e\",\"client_msg_id\":7,\"text\":\"t\"}}",
                       TTO_PROTOCOL_ERROR_BAD_FRAME, "body.client_msg_id");
  assert_client_error ("{\"v\":1,\"type\":\"resume\",\"body\":{\"events\":{\"e\":1.5}}}",
                       TTO_PROTOCOL_ERROR_BAD_FRAME, "body.events");
  assert_client_error ("{\"v\":1,\"type\":\"ping\",\"body\":[]}", TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body");
  assert_client_error ("{\"v\":1,\"type\":\"ping\",\"id\":5}", TTO_PROTOCOL_ERROR_BAD_FRAME, "id");
}

static void
test_empty_string (void)
{
  assert_client_error ("{\"v\":1,\"type\":\"event.create\",\"body\":{\"title\":\"\"}}",
                       TTO_PROTOCOL_ERROR_BAD_FRAME, "body.title");
  assert_client_error ("{\"v\":1,\"type\":\"identity.create\",\"body\":"
                       "{\"kind\":\"one_time\",\"display_name\":\"\"}}",
                       TTO_PROTOCOL_ERROR_BAD_FRAME, "body.display_name");
  assert_client_error ("{\"v\":1,\"type\":\"msg.send\",\"body\":"
                       "{\"event_id\":\"e\",\"client_msg_id\":\"\",\"text\":\"t\"}}",
                       TTO_PROTOCOL_ERROR_BAD_FRAME, "body.client_msg_id");
  assert_client_error ("{\"v\":1,\"type\":\"msg.send\",\"body\":"
                       "{\"event_id\":\"e\",\"client_msg_id\":\"a\",\"text\":\"\"}}",
                       TTO_PROTOCOL_ERROR_BAD_FRAME, "body.text");
  assert_client_error ("{\"v\":1,\"type\":\"event.join\",\"body\":{\"invite_code\":\"\"}}",
                       TTO_PROTOCOL_ERROR_BAD_FRAME, "body.invite_code");
  assert_client_error ("{\"v\":1,\"type\":\"ping\",\"id\":\"\"}", TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "id");

  /* Optional strings may be empty. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (TtoFrame) frame =
      parse ("{\"v\":1,\"type\":\"event.create\",\"body\":"
             "{\"title\":\"t\",\"content\":\"\",\"announcement\":\"\"}}",
             TTO_FRAME_FROM_CLIENT, NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (frame);
  }
}

static void
test_oversize (void)
{
  g_autofree char *filler = NULL;
  g_autofree char *text = NULL;
  g_autofree char *id = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoFrame) frame = NULL;
  const char *head = "{\"v\":1,\"type\":\"ping\",\"id\":\"big\",\"body\":{\"pad\":\"";
  const char *tail = "\"}}";
  gsize filler_len = TTO_PROTOCOL_MAX_FRAME_BYTES - strlen (head) - strlen (tail);

  g_assert_cmpint (TTO_PROTOCOL_MAX_FRAME_BYTES, ==, 65536);

  /* Exactly 64 KiB: accepted (unknown body members are ignored). */
  filler = g_strnfill (filler_len, 'x');
  text = g_strconcat (head, filler, tail, NULL);
  g_assert_cmpuint (strlen (text), ==, 65536);
  frame = parse (text, TTO_FRAME_FROM_CLIENT, &id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (frame);
  g_assert_cmpstr (id, ==, "big");
  g_clear_pointer (&frame, tto_frame_free);
  g_clear_pointer (&id, g_free);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&filler, g_free);

  /* One byte more: bad_frame, before any JSON is read. */
  filler = g_strnfill (filler_len + 1, 'x');
  text = g_strconcat (head, filler, tail, NULL);
  g_assert_cmpuint (strlen (text), ==, 65537);
  assert_client_error (text, TTO_PROTOCOL_ERROR_BAD_FRAME, "65536");
  g_clear_pointer (&text, g_free);

  /* A huge message text is a bad frame too, not too_large: the frame limit
   * comes first. */
  text = msg_send_frame (filler);
  assert_client_error (text, TTO_PROTOCOL_ERROR_BAD_FRAME, NULL);
}

static void
test_text_limit (void)
{
  /* One, two, three and four bytes per character: the limit counts
   * characters, not bytes. */
  const char *units[] = { "a", "\xc3\xa9", "\xe4\xbd\xa0", "\xf0\x9f\x8e\x89" };

  g_assert_cmpint (TTO_PROTOCOL_MAX_TEXT_CHARS, ==, 4000);

  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    {
      g_autofree char *ok_text = repeat (units[i], 4000);
      g_autofree char *long_text = repeat (units[i], 4001);
      g_autofree char *ok_frame = msg_send_frame (ok_text);
      g_autofree char *long_frame = msg_send_frame (long_text);
      g_autoptr (GError) error = NULL;
      g_autoptr (TtoFrame) frame = NULL;

      g_assert_cmpint (g_utf8_strlen (ok_text, -1), ==, 4000);
      g_assert_cmpuint (strlen (ok_frame), <=, TTO_PROTOCOL_MAX_FRAME_BYTES);

      frame = parse (ok_frame, TTO_FRAME_FROM_CLIENT, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (frame);
      g_assert_cmpstr (tto_frame_get_string (frame, "text"), ==, ok_text);

      assert_client_error (long_frame, TTO_PROTOCOL_ERROR_TOO_LARGE, "body.text");
      assert_client_error (long_frame, TTO_PROTOCOL_ERROR_TOO_LARGE, "4001");
    }

  /* Mixed widths: 3999 ASCII + 1 emoji is fine, + 2 emoji is too large. */
  {
    g_autofree char *base = repeat ("a", 3999);
    g_autofree char *t4000 = g_strconcat (base, "\xf0\x9f\x8e\x89", NULL);
    g_autofree char *t4001 = g_strconcat (base, "\xf0\x9f\x8e\x89\xc3\xa9", NULL);
    g_autofree char *f4000 = msg_send_frame (t4000);
    g_autofree char *f4001 = msg_send_frame (t4001);
    g_autoptr (GError) error = NULL;
    g_autoptr (TtoFrame) frame = parse (f4000, TTO_FRAME_FROM_CLIENT, NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (frame);
    assert_client_error (f4001, TTO_PROTOCOL_ERROR_TOO_LARGE, "body.text");
  }

  /* JSON escapes count as the character they stand for. */
  {
    g_autofree char *escaped = repeat ("\\u00e9", 4000);
    g_autofree char *text = g_strdup_printf ("{\"v\":1,\"type\":\"msg.send\",\"body\":"
                                             "{\"event_id\":\"e\",\"client_msg_id\":\"a\","
                                             "\"text\":\"%s\"}}",
                                             escaped);
    g_autoptr (GError) error = NULL;
    g_autoptr (TtoFrame) frame = parse (text, TTO_FRAME_FROM_CLIENT, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpint (g_utf8_strlen (tto_frame_get_string (frame, "text"), -1), ==, 4000);
  }

  /* Title limit: 120 characters. */
  {
    g_autofree char *t120 = repeat ("\xe4\xbd\xa0", 120);
    g_autofree char *t121 = repeat ("\xe4\xbd\xa0", 121);
    g_autofree char *f120 = g_strdup_printf ("{\"v\":1,\"type\":\"event.create\",\"body\":"
                                             "{\"title\":\"%s\"}}",
                                             t120);
    g_autofree char *f121 = g_strdup_printf ("{\"v\":1,\"type\":\"event.create\",\"body\":"
                                             "{\"title\":\"%s\"}}",
                                             t121);
    g_autoptr (GError) error = NULL;
    g_autoptr (TtoFrame) frame = parse (f120, TTO_FRAME_FROM_CLIENT, NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (frame);
    assert_client_error (f121, TTO_PROTOCOL_ERROR_TOO_LARGE, "body.title");
  }
}

static void
test_id_kept_on_error (void)
{
  g_autofree char *id = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoFrame) frame = NULL;

  frame = parse ("{\"v\":1,\"type\":\"msg.send\",\"id\":\"c42\",\"body\":{\"text\":5}}",
                 TTO_FRAME_FROM_CLIENT, &id, &error);
  g_assert_null (frame);
  g_assert_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME);
  g_assert_cmpstr (id, ==, "c42");
  g_clear_error (&error);
  g_clear_pointer (&id, g_free);

  frame = parse ("{\"v\":1,\"type\":\"nope\",\"id\":\"c43\"}", TTO_FRAME_FROM_CLIENT, &id, &error);
  g_assert_null (frame);
  g_assert_cmpstr (id, ==, "c43");
  g_clear_error (&error);
  g_clear_pointer (&id, g_free);

  /* An unusable id is itself the error. */
  frame = parse ("{\"v\":1,\"type\":\"ping\",\"id\":{}}", TTO_FRAME_FROM_CLIENT, &id, &error);
  g_assert_null (frame);
  g_assert_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME);
  g_assert_null (id);
}

/* ------------------------------------------------ serialise round trips */

static void
test_round_trip (void)
{
  g_autoptr (TtoFrame) frame = NULL;
  g_autoptr (TtoFrame) back = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *text = NULL;
  JsonObject *body = json_object_new ();
  JsonObject *root;
  gsize length = 0;

  json_object_set_string_member (body, "event_id", "k3v9q2m8x4t7c1ab");
  json_object_set_string_member (body, "client_msg_id", "a1");
  json_object_set_string_member (body, "text", "Grüße \"quoted\" \\ / \n\t \xf0\x9f\x8e\x89");
  frame = tto_frame_new (TTO_FRAME_MSG_SEND, "c1", body);
  text = tto_frame_serialize (frame, &length);
  g_assert_cmpuint (length, ==, strlen (text));

  /* The envelope as PROTOCOL.md shows it. */
  node = parse_json (text);
  root = json_node_get_object (node);
  g_assert_cmpint (json_object_get_int_member (root, "v"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (root, "type"), ==, "msg.send");
  g_assert_cmpstr (json_object_get_string_member (root, "id"), ==, "c1");
  g_assert_false (json_object_has_member (root, "re"));
  g_assert_true (json_object_has_member (root, "body"));

  back = tto_frame_parse (text, length, TTO_FRAME_FROM_CLIENT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->type, ==, "msg.send");
  g_assert_cmpstr (back->id, ==, "c1");
  g_assert_null (back->re);
  assert_objects_equal (back->body, frame->body);
  g_assert_true (tto_frame_is (back, TTO_FRAME_MSG_SEND));
  g_assert_false (tto_frame_is (back, TTO_FRAME_MSG_NEW));
  g_assert_cmpstr (tto_frame_get_string (back, "text"), ==,
                   "Grüße \"quoted\" \\ / \n\t \xf0\x9f\x8e\x89");
  g_assert_null (tto_frame_get_string (back, "nope"));
  g_assert_true (tto_frame_has (back, "client_msg_id"));
  g_assert_false (tto_frame_has (back, "nope"));

  /* ok with re and no id */
  {
    g_autoptr (TtoFrame) ok = NULL;
    g_autoptr (TtoFrame) ok_back = NULL;
    g_autofree char *ok_text = NULL;
    JsonObject *ok_body = json_object_new ();

    json_object_set_int_member (ok_body, "seq", 42);
    json_object_set_string_member (ok_body, "msg_id", "r8d2w6n1h5j9s3fa");
    json_object_set_int_member (ok_body, "ts", G_GINT64_CONSTANT (1798675212345));
    ok = tto_frame_new_ok ("c1", ok_body);
    ok_text = tto_frame_serialize (ok, NULL);
    ok_back = parse (ok_text, TTO_FRAME_FROM_RELAY, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (ok_back->type, ==, "ok");
    g_assert_cmpstr (ok_back->re, ==, "c1");
    g_assert_null (ok_back->id);
    g_assert_cmpint (tto_frame_get_int (ok_back, "seq", -1), ==, 42);
    g_assert_cmpint (tto_frame_get_int (ok_back, "ts", -1), ==,
                     G_GINT64_CONSTANT (1798675212345));
    g_assert_cmpint (tto_frame_get_int (ok_back, "msg_id", -7), ==, -7);
    g_assert_cmpint (tto_frame_get_int (ok_back, "nope", -8), ==, -8);
  }

  /* ok with no body: serialised with an empty body */
  {
    g_autoptr (TtoFrame) ok = tto_frame_new_ok ("z", NULL);
    g_autofree char *ok_text = tto_frame_serialize (ok, NULL);
    g_autoptr (JsonNode) ok_node = parse_json (ok_text);
    JsonObject *ok_root = json_node_get_object (ok_node);

    g_assert_true (json_object_has_member (ok_root, "body"));
    g_assert_cmpuint (json_object_get_size (json_object_get_object_member (ok_root, "body")), ==,
                      0);
    g_assert_cmpstr (json_object_get_string_member (ok_root, "re"), ==, "z");
  }
}

/* ------------------------------------------------------------- errors */

static void
test_error_codes (void)
{
  /* The codes PROTOCOL.md lists, in its order. */
  const char *documented[] = { "bad_frame", "unsupported_version", "unauthorized", "forbidden",
                               "not_found", "too_large", "rate_limited", "expired", "conflict",
                               "wrong_form", "unavailable", "internal", "bad_code",
                               "weak_password" };
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpuint (G_N_ELEMENTS (documented), ==, TTO_PROTOCOL_ERROR_LAST + 1);

  for (guint i = 0; i <= TTO_PROTOCOL_ERROR_LAST; i++)
    {
      const char *code = tto_protocol_error_to_code ((TtoProtocolError) i);

      g_assert_nonnull (code);
      g_assert_cmpstr (code, ==, documented[i]);
      g_assert_false (g_hash_table_contains (seen, code));
      g_hash_table_add (seen, (gpointer) code);
      g_assert_cmpint (tto_protocol_error_from_code (code), ==, i);
    }

  g_assert_cmpint (TTO_PROTOCOL_ERROR_BAD_FRAME, ==, tto_protocol_error_from_code ("bad_frame"));
  /* Codes from a newer relay read as internal. */
  g_assert_cmpint (tto_protocol_error_from_code ("payment_required"), ==,
                   TTO_PROTOCOL_ERROR_INTERNAL);
  g_assert_cmpint (tto_protocol_error_from_code ("BAD_FRAME"), ==, TTO_PROTOCOL_ERROR_INTERNAL);
  g_assert_cmpint (tto_protocol_error_from_code (""), ==, TTO_PROTOCOL_ERROR_INTERNAL);
  g_assert_cmpint (tto_protocol_error_from_code (NULL), ==, TTO_PROTOCOL_ERROR_INTERNAL);

  g_assert_cmpstr (g_quark_to_string (TTO_PROTOCOL_ERROR), ==, "tto-protocol-error-quark");
}

static void
test_error_frames (void)
{
  for (guint i = 0; i <= TTO_PROTOCOL_ERROR_LAST; i++)
    {
      g_autoptr (TtoFrame) frame = tto_frame_new_error ("c7", (TtoProtocolError) i, "why");
      g_autofree char *text = tto_frame_serialize (frame, NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (GError) propagated = NULL;
      g_autoptr (TtoFrame) back = parse (text, TTO_FRAME_FROM_RELAY, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (back->type, ==, "error");
      g_assert_cmpstr (back->re, ==, "c7");
      g_assert_cmpstr (tto_frame_get_string (back, "code"), ==,
                       tto_protocol_error_to_code ((TtoProtocolError) i));
      g_assert_cmpstr (tto_frame_get_string (back, "message"), ==, "why");

      g_assert_true (tto_frame_propagate_error (back, &propagated));
      g_assert_error (propagated, TTO_PROTOCOL_ERROR, (gint) i);
      g_assert_cmpstr (propagated->message, ==, "why");
    }

  /* An error without re (for a request that had no id). */
  {
    g_autoptr (TtoFrame) frame = tto_frame_new_error (NULL, TTO_PROTOCOL_ERROR_BAD_FRAME, NULL);
    g_autofree char *text = tto_frame_serialize (frame, NULL);
    g_autoptr (JsonNode) node = parse_json (text);
    g_autoptr (GError) error = NULL;
    g_autoptr (TtoFrame) back = parse (text, TTO_FRAME_FROM_RELAY, NULL, &error);

    g_assert_no_error (error);
    g_assert_false (json_object_has_member (json_node_get_object (node), "re"));
    g_assert_null (back->re);
    g_assert_cmpstr (tto_frame_get_string (back, "message"), ==, "");
  }

  /* propagate_error is false for anything but an error frame. */
  {
    g_autoptr (TtoFrame) ok = tto_frame_new_ok ("c1", NULL);
    g_autoptr (GError) error = NULL;

    g_assert_false (tto_frame_propagate_error (ok, &error));
    g_assert_no_error (error);
  }
}

static void
test_error_from_gerror (void)
{
  g_autoptr (GError) protocol_error = NULL;
  g_autoptr (GError) io_error = NULL;
  g_autoptr (TtoFrame) frame = NULL;
  g_autoptr (TtoFrame) internal = NULL;
  g_autofree char *text = NULL;

  protocol_error = g_error_new (TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_FORBIDDEN,
                                "not a member of %s", "k3v9");
  frame = tto_frame_new_error_from_gerror ("c9", protocol_error);
  g_assert_cmpstr (frame->type, ==, "error");
  g_assert_cmpstr (frame->re, ==, "c9");
  g_assert_cmpstr (tto_frame_get_string (frame, "code"), ==, "forbidden");
  g_assert_cmpstr (tto_frame_get_string (frame, "message"), ==, "not a member of k3v9");

  /* Other domains say internal, without leaking their details. */
  io_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                  "Access denied for user 'tto'@'localhost' (secret detail)");
  internal = tto_frame_new_error_from_gerror ("c10", io_error);
  g_assert_cmpstr (tto_frame_get_string (internal, "code"), ==, "internal");
  g_assert_cmpstr (internal->re, ==, "c10");
  text = tto_frame_serialize (internal, NULL);
  g_assert_null (strstr (text, "secret"));
  g_assert_null (strstr (text, "Access denied"));
}

/* -------------------------------------------------------------- wipe */

static void
test_wipe (void)
{
  const char *text = "{\"v\":1,\"type\":\"msg.send\",\"id\":\"w1\",\"body\":"
                     "{\"event_id\":\"k3v9q2m8x4t7c1ab\",\"client_msg_id\":\"cm1\","
                     "\"text\":\"the secret plan\",\"extra\":{\"deep\":[\"nested secret\"]}}}";
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoFrame) frame = parse (text, TTO_FRAME_FROM_CLIENT, NULL, &error);
  JsonObject *extra;
  const char *msg_text;
  const char *deep;
  gsize msg_len;
  gsize deep_len;

  g_assert_no_error (error);
  msg_text = tto_frame_get_string (frame, "text");
  msg_len = strlen (msg_text);
  extra = json_object_get_object_member (frame->body, "extra");
  deep = json_array_get_string_element (json_object_get_array_member (extra, "deep"), 0);
  deep_len = strlen (deep);
  g_assert_cmpuint (msg_len, ==, strlen ("the secret plan"));

  tto_frame_wipe (frame);

  /* The very bytes that held the text are zero now, nested ones too. */
  for (gsize i = 0; i < msg_len; i++)
    g_assert_cmpint (msg_text[i], ==, 0);
  for (gsize i = 0; i < deep_len; i++)
    g_assert_cmpint (deep[i], ==, 0);
  g_assert_cmpstr (tto_frame_get_string (frame, "text"), ==, "");
  g_assert_cmpstr (tto_frame_get_string (frame, "event_id"), ==, "");
  g_assert_cmpstr (tto_frame_get_string (frame, "client_msg_id"), ==, "");
  /* The envelope stays readable. */
  g_assert_cmpstr (frame->type, ==, "msg.send");

  /* A frame built in memory wipes the same way; NULL is fine. */
  {
    JsonObject *body = json_object_new ();
    g_autoptr (TtoFrame) built = NULL;
    const char *s;

    json_object_set_string_member (body, "text", "built secret");
    built = tto_frame_new (TTO_FRAME_MSG_NEW, NULL, body);
    s = tto_frame_get_string (built, "text");
    tto_frame_wipe (built);
    for (gsize i = 0; i < strlen ("built secret"); i++)
      g_assert_cmpint (s[i], ==, 0);
    tto_frame_wipe (NULL);
  }

  /* tto_str_wipe_free accepts NULL. */
  tto_str_wipe_free (NULL);
  tto_str_wipe_free (g_strdup ("x"));
}

/* ------------------------------------------------------- invite codes */

static void
test_invite_code_new (void)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint counts[256] = { 0 };
  const guint draws = 10000;

  g_assert_cmpuint (strlen (TTO_INVITE_CODE_ALPHABET), ==, 32);
  for (const char *p = "0O1I"; *p; p++)
    g_assert_null (strchr (TTO_INVITE_CODE_ALPHABET, *p));

  for (guint i = 0; i < draws; i++)
    {
      char *code = tto_invite_code_new ();

      g_assert_cmpuint (strlen (code), ==, TTO_INVITE_CODE_LENGTH);
      g_assert_cmpuint (TTO_INVITE_CODE_LENGTH, ==, 8);
      for (const char *p = code; *p; p++)
        {
          if (strchr (TTO_INVITE_CODE_ALPHABET, *p) == NULL)
            g_error ("invite code %s has '%c', not in the alphabet", code, *p);
          counts[(guchar) *p]++;
        }
      if (g_hash_table_contains (seen, code))
        g_error ("invite code %s drawn twice in %u draws", code, i + 1);
      g_hash_table_add (seen, code);

      /* Every fresh code survives normalisation unchanged. */
      if (i < 100)
        {
          g_autofree char *normal = tto_invite_code_normalize (code);
          g_autofree char *shown = tto_invite_code_format (code);
          g_autofree char *from_shown = tto_invite_code_normalize (shown);

          g_assert_cmpstr (normal, ==, code);
          g_assert_cmpstr (from_shown, ==, code);
        }
    }

  /* Every symbol is used, none favoured: 80000 symbols, 2500 expected each,
   * standard deviation about 49. */
  for (const char *p = TTO_INVITE_CODE_ALPHABET; *p; p++)
    {
      guint n = counts[(guchar) *p];

      if (n < 2100 || n > 2900)
        g_error ("symbol '%c' drawn %u times of 80000; expected about 2500", *p, n);
    }
}

static void
test_invite_code_normalize (void)
{
  struct
  {
    const char *input;
    const char *expected; /* NULL: rejected */
  } cases[] = {
    { "7KQ4MZ2P", "7KQ4MZ2P" },
    { "7kq4-mz2p", "7KQ4MZ2P" },
    { "7KQ4-MZ2P", "7KQ4MZ2P" },
    { " 7kq4 mz2p ", "7KQ4MZ2P" },
    { "7-K-Q-4-M-Z-2-P", "7KQ4MZ2P" },
    { "7kQ4\tMz2p", "7KQ4MZ2P" },
    { "zzzz9999", "ZZZZ9999" },
    { "0OOO1III", NULL }, /* 0, O, 1, I are not in the alphabet */
    { "7KQ4MZ2O", NULL },
    { "7KQ4MZ20", NULL },
    { "7KQ4MZ2I", NULL },
    { "7KQ4MZ21", NULL },
    { "7KQ4MZ2", NULL },    /* too short */
    { "7KQ4MZ2PX", NULL },  /* too long */
    { "7KQ4MZ2P7KQ4MZ2P", NULL },
    { "", NULL },
    { "----", NULL },
    { "7KQ4_MZ2P", NULL },
    { "7KQ4.MZ2P", NULL },
    { "7KQ4MZ2\xc3\x89", NULL }, /* É */
    { "7KQ4MZ2\xef\xbc\xb0", NULL }, /* fullwidth P */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *normal = tto_invite_code_normalize (cases[i].input);

      if (g_strcmp0 (normal, cases[i].expected) != 0)
        g_error ("normalize('%s') = %s, expected %s", cases[i].input,
                 normal != NULL ? normal : "(rejected)",
                 cases[i].expected != NULL ? cases[i].expected : "(rejected)");
    }

  {
    g_autofree char *shown = tto_invite_code_format ("7KQ4MZ2P");

    g_assert_cmpstr (shown, ==, "7KQ4-MZ2P");
  }
}

/* ---------------------------------------------------------------- ids */

static void
test_ids (void)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

  for (guint i = 0; i < 10000; i++)
    {
      char *id = tto_id_new ();

      g_assert_cmpuint (strlen (id), ==, TTO_ID_LENGTH);
      g_assert_cmpuint (TTO_ID_LENGTH, ==, 16);
      for (const char *p = id; *p; p++)
        if (strchr (alphabet, *p) == NULL)
          g_error ("id %s has '%c', not lower-case Crockford base32", id, *p);
      g_assert_true (tto_id_is_valid (id));
      g_assert_false (g_hash_table_contains (seen, id));
      g_hash_table_add (seen, id);
    }

  g_assert_true (tto_id_is_valid ("k3v9q2m8x4t7c1ab"));
  g_assert_true (tto_id_is_valid ("0000000000000000"));
  g_assert_false (tto_id_is_valid (NULL));
  g_assert_false (tto_id_is_valid (""));
  g_assert_false (tto_id_is_valid ("k3v9q2m8x4t7c1a"));   /* 15 */
  g_assert_false (tto_id_is_valid ("k3v9q2m8x4t7c1abc")); /* 17 */
  g_assert_false (tto_id_is_valid ("K3V9Q2M8X4T7C1AB"));  /* upper case */
  g_assert_false (tto_id_is_valid ("k3v9q2m8x4t7c1ai"));  /* i */
  g_assert_false (tto_id_is_valid ("k3v9q2m8x4t7c1al"));  /* l */
  g_assert_false (tto_id_is_valid ("k3v9q2m8x4t7c1ao"));  /* o */
  g_assert_false (tto_id_is_valid ("k3v9q2m8x4t7c1au"));  /* u */
  g_assert_false (tto_id_is_valid ("k3v9q2m8x4t7c1a-"));
  g_assert_false (tto_id_is_valid ("k3v9q2m8x4t7c1a\xc3\xa9"));

  {
    g_autofree char *redacted = tto_redact_id ("k3v9q2m8x4t7c1ab");
    g_autofree char *none = tto_redact_id (NULL);

    g_assert_true (g_str_has_prefix (redacted, "k3v9"));
    g_assert_null (strstr (redacted, "q2m8"));
    g_assert_nonnull (none);
  }
}

static void
test_random_bytes (void)
{
  guint8 a[32] = { 0 };
  guint8 b[32] = { 0 };
  guint8 zero[32] = { 0 };

  tto_random_bytes (a, sizeof a);
  tto_random_bytes (b, sizeof b);
  g_assert_true (memcmp (a, zero, sizeof a) != 0);
  g_assert_true (memcmp (a, b, sizeof a) != 0);
  tto_random_bytes (a, 0);
}

/* ------------------------------------------------------------- models */

static const char event_json[] =
  "{\"event_id\":\"k3v9q2m8x4t7c1ab\",\"title\":\"Hackathon team Blue\","
  "\"content\":\"Build a bike-sharing app in 48 hours\","
  "\"announcement\":\"Kick-off at 9:00 in room 2\",\"deadline\":1798761600,"
  "\"admission\":\"open\",\"creator_id\":\"p2m7x9q4k8t3v6cb\",\"creator_name\":\"Ana\","
  "\"invite_code\":\"7KQ4MZ2P\",\"created_at\":1798675200,\"member_count\":2,"
  "\"last_seq\":41,\"edit_window\":600,\"recall_window\":0,"
  "\"rules\":{\"auto_approve_third_party\":true,\"require_id_verified\":false,"
  "\"require_phone_verified\":false},\"invite_expires_at\":1798700000,"
  "\"forms\":[\"text\",\"file\",\"voice_call\"],"
  "\"ip_allow\":[\"10.0.0.0/8\",\"2001:db8::/32\"],\"role\":\"creator\","
  "\"state\":\"active\"}";

static void
test_event_json (void)
{
  g_autoptr (JsonObject) object = object_from_json (event_json);
  g_autoptr (JsonObject) back = NULL;
  g_autoptr (JsonObject) without_code = NULL;
  g_autoptr (TtoEvent) event = NULL;
  g_autoptr (GError) error = NULL;

  event = tto_event_new_from_json (object, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tto_event_get_id (event), ==, "k3v9q2m8x4t7c1ab");
  g_assert_cmpstr (tto_event_get_title (event), ==, "Hackathon team Blue");
  g_assert_cmpstr (tto_event_get_content (event), ==, "Build a bike-sharing app in 48 hours");
  g_assert_cmpstr (tto_event_get_announcement (event), ==, "Kick-off at 9:00 in room 2");
  g_assert_cmpint (tto_event_get_deadline (event), ==, 1798761600);
  g_assert_cmpstr (tto_event_get_admission (event), ==, "open");
  g_assert_cmpstr (tto_event_get_creator_id (event), ==, "p2m7x9q4k8t3v6cb");
  g_assert_cmpstr (tto_event_get_creator_name (event), ==, "Ana");
  g_assert_cmpstr (tto_event_get_invite_code (event), ==, "7KQ4MZ2P");
  g_assert_cmpint (tto_event_get_created_at (event), ==, 1798675200);
  g_assert_cmpuint (tto_event_get_member_count (event), ==, 2);
  g_assert_cmpint (tto_event_get_last_seq (event), ==, 41);
  g_assert_cmpstr (tto_event_get_role (event), ==, "creator");
  g_assert_true (tto_event_is_creator (event));
  g_assert_true (tto_event_has_form (event, "voice_call"));
  g_assert_true (tto_event_get_rule (event, "auto_approve_third_party"));
  g_assert_false (tto_event_get_rule (event, "require_id_verified"));
  g_assert_cmpint (tto_event_get_invite_expires_at (event), ==, 1798700000);
  g_assert_false (tto_event_has_form (event, "video_call"));
  g_assert_false (tto_event_get_ended (event));

  back = tto_event_to_json (event, TRUE);
  assert_objects_equal (back, object);

  /* Only the creator sees the invite code and the IP allow-list. */
  without_code = tto_event_to_json (event, FALSE);
  g_assert_true (json_object_has_member (without_code, "invite_code"));
  g_assert_true (json_object_get_null_member (without_code, "invite_code"));
  g_assert_false (json_object_has_member (without_code, "ip_allow"));

  /* Ended, no deadline, as a member. */
  {
    g_autoptr (JsonObject) ended_object =
      object_from_json ("{\"event_id\":\"m5n8p2q4r6s8t0vw\",\"title\":\"Picnic\","
                        "\"deadline\":null,\"invite_code\":null,\"role\":\"member\","
                        "\"state\":\"expired\"}");
    g_autoptr (TtoEvent) ended = tto_event_new_from_json (ended_object, &error);
    g_autoptr (JsonObject) ended_back = NULL;

    g_assert_no_error (error);
    g_assert_true (tto_event_get_ended (ended));
    g_assert_cmpstr (tto_event_get_end_reason (ended), ==, "expired");
    g_assert_cmpint (tto_event_get_deadline (ended), <=, 0);
    g_assert_null (tto_event_get_invite_code (ended));
    g_assert_false (tto_event_is_creator (ended));
    ended_back = tto_event_to_json (ended, TRUE);
    g_assert_true (json_object_get_null_member (ended_back, "deadline"));
    g_assert_true (json_object_get_null_member (ended_back, "invite_code"));
    g_assert_cmpstr (json_object_get_string_member (ended_back, "state"), ==, "expired");
  }

  /* Missing required members. */
  {
    g_autoptr (JsonObject) bad = object_from_json ("{\"title\":\"x\"}");
    g_autoptr (TtoEvent) none = tto_event_new_from_json (bad, &error);

    g_assert_null (none);
    g_assert_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME);
    g_clear_error (&error);
  }
  {
    g_autoptr (JsonObject) bad = object_from_json ("{\"event_id\":\"k3v9q2m8x4t7c1ab\","
                                                   "\"title\":7}");
    g_autoptr (TtoEvent) none = tto_event_new_from_json (bad, &error);

    g_assert_null (none);
    g_assert_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME);
  }
}

static void
test_message_json (void)
{
  g_autoptr (JsonObject) object =
    object_from_json ("{\"event_id\":\"k3v9q2m8x4t7c1ab\",\"seq\":42,"
                      "\"msg_id\":\"r8d2w6n1h5j9s3fa\","
                      "\"client_msg_id\":\"b1c7f5e2-9d0a-4c3e-8f61-2a7b9c4d5e60\","
                      "\"sender_id\":\"p2m7x9q4k8t3v6cb\",\"sender_name\":\"Ana\","
                      "\"text\":\"Who brings the projector? \xf0\x9f\x8e\x89\","
                      "\"ts\":1798675212345,"
                      "\"reply_to\":{\"msg_id\":\"q7c3w6n1h5j9s3fa\",\"seq\":40,"
                      "\"sender_id\":\"h4f8q2m8x4t7c1ab\",\"sender_name\":\"Bo\","
                      "\"excerpt\":\"Do we have one?\",\"recalled\":false},"
                      "\"mentions\":[\"h4f8q2m8x4t7c1ab\"],"
                      "\"attachment\":{\"blob_id\":\"b7x2w6n1h5j9s3fa\",\"kind\":\"voice\","
                      "\"mime_type\":\"audio/ogg\",\"size\":18230,\"duration_ms\":2000},"
                      "\"edited_at\":1798675300000,"
                      "\"recalled\":false,\"recalled_by\":null,"
                      "\"topic_id\":\"t5n8w6n1h5j9s3fa\"}");
  g_autoptr (TtoMessage) message = NULL;
  g_autoptr (JsonObject) back = NULL;
  g_autoptr (GError) error = NULL;

  message = tto_message_new_from_json (object, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tto_message_get_event_id (message), ==, "k3v9q2m8x4t7c1ab");
  g_assert_cmpint (tto_message_get_seq (message), ==, 42);
  g_assert_cmpstr (tto_message_get_msg_id (message), ==, "r8d2w6n1h5j9s3fa");
  g_assert_cmpstr (tto_message_get_client_msg_id (message), ==,
                   "b1c7f5e2-9d0a-4c3e-8f61-2a7b9c4d5e60");
  g_assert_cmpstr (tto_message_get_sender_id (message), ==, "p2m7x9q4k8t3v6cb");
  g_assert_cmpstr (tto_message_get_sender_name (message), ==, "Ana");
  g_assert_cmpstr (tto_message_get_text (message), ==,
                   "Who brings the projector? \xf0\x9f\x8e\x89");
  g_assert_cmpint (tto_message_get_ts (message), ==, G_GINT64_CONSTANT (1798675212345));
  g_assert_cmpint (tto_message_get_state (message), ==, TTO_MESSAGE_STATE_SENT);
  g_assert_cmpstr (tto_message_get_attachment_string (message, "kind"), ==, "voice");
  g_assert_cmpint (tto_message_get_attachment_int (message, "duration_ms"), ==, 2000);
  g_assert_cmpstr (tto_message_get_topic_id (message), ==, "t5n8w6n1h5j9s3fa");

  back = tto_message_to_json (message);
  assert_objects_equal (back, object);

  /* A msg.new body built from the model passes the relay-frame schema. */
  {
    g_autoptr (TtoFrame) push = tto_frame_new (TTO_FRAME_MSG_NEW, NULL, json_object_ref (back));
    g_autofree char *text = tto_frame_serialize (push, NULL);
    g_autoptr (TtoFrame) parsed = parse (text, TTO_FRAME_FROM_RELAY, NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (parsed);
  }

  /* Pending, then confirmed. */
  {
    g_autoptr (TtoMessage) pending =
      tto_message_new_pending ("k3v9q2m8x4t7c1ab", "cm9", "p2m7x9q4k8t3v6cb", "Ana", "hi", 5);

    g_assert_cmpint (tto_message_get_state (pending), ==, TTO_MESSAGE_STATE_PENDING);
    g_assert_cmpint (tto_message_get_seq (pending), ==, 0);
    tto_message_confirm (pending, "r8d2w6n1h5j9s3fa", 43, 7);
    g_assert_cmpint (tto_message_get_state (pending), ==, TTO_MESSAGE_STATE_SENT);
    g_assert_cmpint (tto_message_get_seq (pending), ==, 43);
    g_assert_cmpint (tto_message_get_ts (pending), ==, 7);
    g_assert_cmpstr (tto_message_get_msg_id (pending), ==, "r8d2w6n1h5j9s3fa");
  }

  /* Missing text. */
  {
    g_autoptr (JsonObject) bad =
      object_from_json ("{\"event_id\":\"k3v9q2m8x4t7c1ab\",\"seq\":1,\"msg_id\":\"r\","
                        "\"client_msg_id\":\"c\",\"sender_id\":\"s\",\"sender_name\":\"n\"}");
    g_autoptr (TtoMessage) none = tto_message_new_from_json (bad, &error);

    g_assert_null (none);
    g_assert_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME);
    g_assert_nonnull (strstr (error->message, "text"));
  }
}

static void
test_member_json (void)
{
  g_autoptr (JsonObject) object =
    object_from_json ("{\"identity_id\":\"p2m7x9q4k8t3v6cb\",\"display_name\":\"Ana\","
                      "\"role\":\"member\",\"permissions\":"
                      "[{\"permission\":\"export\",\"until\":1798679000}]}");
  g_autoptr (TtoMember) member = NULL;
  g_autoptr (JsonObject) back = NULL;
  g_autoptr (GError) error = NULL;

  member = tto_member_new_from_json (object, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tto_member_get_identity_id (member), ==, "p2m7x9q4k8t3v6cb");
  g_assert_cmpstr (tto_member_get_display_name (member), ==, "Ana");
  g_assert_cmpstr (tto_member_get_role (member), ==, "member");
  g_assert_true (tto_member_has_permission (member, "export"));
  g_assert_false (tto_member_has_permission (member, "review"));
  back = tto_member_to_json (member);
  assert_objects_equal (back, object);

  {
    g_autoptr (JsonObject) bad = object_from_json ("{\"display_name\":\"Ana\"}");
    g_autoptr (TtoMember) none = tto_member_new_from_json (bad, &error);

    g_assert_null (none);
    g_assert_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME);
  }
}

int
main (int argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/protocol/golden-frames", test_golden_frames);
  g_test_add_func ("/protocol/bad/not-json", test_not_json);
  g_test_add_func ("/protocol/bad/not-object", test_not_object);
  g_test_add_func ("/protocol/bad/version", test_version);
  g_test_add_func ("/protocol/bad/unknown-type", test_unknown_type);
  g_test_add_func ("/protocol/bad/missing-field", test_missing_field);
  g_test_add_func ("/protocol/bad/wrong-type", test_wrong_type);
  g_test_add_func ("/protocol/bad/empty-string", test_empty_string);
  g_test_add_func ("/protocol/bad/oversize", test_oversize);
  g_test_add_func ("/protocol/bad/id-kept", test_id_kept_on_error);
  g_test_add_func ("/protocol/text-limit", test_text_limit);
  g_test_add_func ("/protocol/round-trip", test_round_trip);
  g_test_add_func ("/protocol/error/codes", test_error_codes);
  g_test_add_func ("/protocol/error/frames", test_error_frames);
  g_test_add_func ("/protocol/error/from-gerror", test_error_from_gerror);
  g_test_add_func ("/protocol/wipe", test_wipe);
  g_test_add_func ("/ids/invite-code/new", test_invite_code_new);
  g_test_add_func ("/ids/invite-code/normalize", test_invite_code_normalize);
  g_test_add_func ("/ids/id", test_ids);
  g_test_add_func ("/ids/random-bytes", test_random_bytes);
  g_test_add_func ("/models/event-json", test_event_json);
  g_test_add_func ("/models/message-json", test_message_json);
  g_test_add_func ("/models/member-json", test_member_json);

  return g_test_run ();
}
