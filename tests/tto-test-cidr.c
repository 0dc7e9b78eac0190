/* tto-test-cidr.c: CIDR parsing and matching (shared/tto-cidr.c), and the
 * ip_allow checks of event.create and event.update frames
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "tto-shared.h"

static GInetAddress *
address (const char *text)
{
  GInetAddress *parsed = g_inet_address_new_from_string (text);

  g_assert_nonnull (parsed);
  return parsed;
}

static gboolean
mask_matches (const char *cidr,
              const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddressMask) mask = tto_cidr_parse (cidr, &error);
  g_autoptr (GInetAddress) inet = address (text);

  g_assert_no_error (error);
  return tto_cidr_matches (mask, inet);
}

static void
test_parse_good (void)
{
  static const struct
  {
    const char *text;
    const char *canonical;
  } good[] = {
    { "10.0.0.0/8", "10.0.0.0/8" },
    { "192.168.1.0/24", "192.168.1.0/24" },
    { "192.0.2.7", "192.0.2.7/32" },
    { "0.0.0.0/0", "0.0.0.0/0" },
    { "127.0.0.1/32", "127.0.0.1/32" },
    { "2001:DB8::/32", "2001:db8::/32" },
    { "2001:0db8:0000::/48", "2001:db8::/48" },
    { "::1", "::1/128" },
    { "::/0", "::/0" },
    { "fe80::/10", "fe80::/10" },
    { "10.0.0.0/08", "10.0.0.0/8" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *canonical = tto_cidr_normalize (good[i].text, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (canonical, ==, good[i].canonical);
    }
}

static void
test_parse_bad (void)
{
  static const struct
  {
    const char *text;
    TtoCidrError code;
    const char *in_message;
  } bad[] = {
    { "300.1.1.1/8", TTO_CIDR_ERROR_ADDRESS, "300.1.1.1" },
    { "abc", TTO_CIDR_ERROR_ADDRESS, "abc" },
    { "", TTO_CIDR_ERROR_ADDRESS, "empty" },
    { "10.0.0/8", TTO_CIDR_ERROR_ADDRESS, "10.0.0" },
    { " 10.0.0.0/8", TTO_CIDR_ERROR_ADDRESS, "is not" },
    { "fe80::1%eth0", TTO_CIDR_ERROR_ADDRESS, "fe80::1%eth0" },
    { "/8", TTO_CIDR_ERROR_ADDRESS, "is not" },
    { "10.0.0.0/33", TTO_CIDR_ERROR_PREFIX, "0 to 32" },
    { "2001:db8::/129", TTO_CIDR_ERROR_PREFIX, "0 to 128" },
    { "10.0.0.0/", TTO_CIDR_ERROR_PREFIX, "10.0.0.0/" },
    { "10.0.0.0/-1", TTO_CIDR_ERROR_PREFIX, "0 to 32" },
    { "10.0.0.0/+8", TTO_CIDR_ERROR_PREFIX, "0 to 32" },
    { "10.0.0.0/8 ", TTO_CIDR_ERROR_PREFIX, "0 to 32" },
    { "10.0.0.0/8/9", TTO_CIDR_ERROR_PREFIX, "0 to 32" },
    { "10.0.0.0/0008", TTO_CIDR_ERROR_PREFIX, "0 to 32" },
    { "10.1.2.3/8", TTO_CIDR_ERROR_HOST_BITS, "10.0.0.0/8" },
    { "2001:db8::1/32", TTO_CIDR_ERROR_HOST_BITS, "2001:db8::/32" },
    { "192.168.1.129/25", TTO_CIDR_ERROR_HOST_BITS, "192.168.1.128/25" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GInetAddressMask) mask = tto_cidr_parse (bad[i].text, &error);

      if (mask != NULL)
        g_error ("accepted \"%s\"", bad[i].text);
      g_assert_error (error, TTO_CIDR_ERROR, (gint) bad[i].code);
      if (strstr (error->message, bad[i].in_message) == NULL)
        g_error ("\"%s\": the message \"%s\" lacks \"%s\"", bad[i].text, error->message,
                 bad[i].in_message);
    }

  /* Overlong text is refused without quoting it. */
  {
    g_autofree char *huge = g_strnfill (500, '1');
    g_autoptr (GError) error = NULL;

    g_assert_null (tto_cidr_parse (huge, &error));
    g_assert_error (error, TTO_CIDR_ERROR, TTO_CIDR_ERROR_ADDRESS);
    g_assert_null (strstr (error->message, huge));
  }
}

static void
test_network_of (void)
{
  g_autofree char *a = tto_cidr_network_of ("10.1.2.3/8");
  g_autofree char *b = tto_cidr_network_of ("2001:db8:aaaa::1/33");
  g_autofree char *c = tto_cidr_network_of ("10.0.0.0/8");

  g_assert_cmpstr (a, ==, "10.0.0.0/8");
  g_assert_cmpstr (b, ==, "2001:db8:8000::/33");
  g_assert_cmpstr (c, ==, "10.0.0.0/8");
  g_assert_null (tto_cidr_network_of ("abc"));
  g_assert_null (tto_cidr_network_of ("10.0.0.0/40"));
}

static void
test_matches (void)
{
  g_assert_true (mask_matches ("10.0.0.0/8", "10.255.1.2"));
  g_assert_false (mask_matches ("10.0.0.0/8", "11.0.0.1"));
  g_assert_true (mask_matches ("192.168.1.128/25", "192.168.1.200"));
  g_assert_false (mask_matches ("192.168.1.128/25", "192.168.1.127"));
  g_assert_true (mask_matches ("192.0.2.7", "192.0.2.7"));
  g_assert_false (mask_matches ("192.0.2.7", "192.0.2.8"));
  g_assert_true (mask_matches ("0.0.0.0/0", "203.0.113.9"));
  g_assert_true (mask_matches ("2001:db8::/32", "2001:db8:1::5"));
  g_assert_false (mask_matches ("2001:db8::/32", "2001:db9::5"));
  /* Families do not mix, except an IPv4 peer seen through a dual-stack
   * socket (::ffff:a.b.c.d). */
  g_assert_false (mask_matches ("::/0", "10.0.0.1"));
  g_assert_false (mask_matches ("0.0.0.0/0", "2001:db8::1"));
  g_assert_true (mask_matches ("10.0.0.0/8", "::ffff:10.9.8.7"));
  g_assert_false (mask_matches ("10.0.0.0/8", "::ffff:11.9.8.7"));
  g_assert_false (mask_matches ("10.0.0.0/8", "::10.9.8.7"));
}

static void
test_list (void)
{
  static const char *const entries[] = { "10.0.0.0/8", "2001:db8::/32", "192.0.2.7", NULL };
  static const char *const with_bad[] = { "10.0.0.0/8", "10.0.0.0/33", NULL };
  g_autoptr (TtoCidrList) list = NULL;
  g_autoptr (TtoCidrList) empty = NULL;
  g_autoptr (GInetAddress) inside = address ("10.1.1.1");
  g_autoptr (GInetAddress) inside6 = address ("2001:db8::9");
  g_autoptr (GInetAddress) host = address ("192.0.2.7");
  g_autoptr (GInetAddress) outside = address ("127.0.0.1");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) many = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) normalized = NULL;

  list = tto_cidr_list_new (entries, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tto_cidr_list_get_length (list), ==, 3);
  g_assert_true (tto_cidr_list_allows (list, inside));
  g_assert_true (tto_cidr_list_allows (list, inside6));
  g_assert_true (tto_cidr_list_allows (list, host));
  g_assert_false (tto_cidr_list_allows (list, outside));
  g_assert_false (tto_cidr_list_allows (list, NULL));

  /* Empty: everyone, even an unknown address. */
  empty = tto_cidr_list_new (NULL, &error);
  g_assert_no_error (error);
  g_assert_true (tto_cidr_list_allows (empty, outside));
  g_assert_true (tto_cidr_list_allows (empty, NULL));

  g_assert_null (tto_cidr_list_new (with_bad, &error));
  g_assert_error (error, TTO_CIDR_ERROR, TTO_CIDR_ERROR_PREFIX);
  g_clear_error (&error);

  for (guint i = 0; i < TTO_CIDR_MAX_ENTRIES + 1; i++)
    g_ptr_array_add (many, g_strdup_printf ("10.%u.0.0/16", i));
  g_ptr_array_add (many, NULL);
  g_assert_null (tto_cidr_list_new ((const char *const *) many->pdata, &error));
  g_assert_error (error, TTO_CIDR_ERROR, TTO_CIDR_ERROR_TOO_MANY);
  g_clear_error (&error);
  g_assert_null (tto_cidr_list_normalize ((const char *const *) many->pdata, &error));
  g_assert_error (error, TTO_CIDR_ERROR, TTO_CIDR_ERROR_TOO_MANY);
  g_clear_error (&error);
  /* Exactly the limit is fine. */
  g_free (g_ptr_array_steal_index (many, TTO_CIDR_MAX_ENTRIES));
  {
    g_autoptr (TtoCidrList) full = tto_cidr_list_new ((const char *const *) many->pdata, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (tto_cidr_list_get_length (full), ==, TTO_CIDR_MAX_ENTRIES);
  }

  /* Canonical spelling, repeats dropped, order kept. */
  {
    static const char *const messy[] = { "2001:DB8::/32", "192.0.2.7", "2001:db8::/32",
                                         "192.0.2.7/32", NULL };

    normalized = tto_cidr_list_normalize (messy, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_strv_length (normalized), ==, 2);
    g_assert_cmpstr (normalized[0], ==, "2001:db8::/32");
    g_assert_cmpstr (normalized[1], ==, "192.0.2.7/32");
  }
}

/* The Event model: the list is the creator's to see, and a list that does
 * not parse admits nobody. */
static void
test_event (void)
{
  static const char *const networks[] = { "10.0.0.0/8", NULL };
  static const char *const broken[] = { "not a network", NULL };
  g_autoptr (TtoEvent) event = tto_event_new ("k3v9q2m8x4t7c1ab");
  g_autoptr (TtoEvent) copy = tto_event_new ("k3v9q2m8x4t7c1ab");
  g_autoptr (JsonObject) creator_view = NULL;
  g_autoptr (JsonObject) member_view = NULL;
  g_autoptr (TtoEvent) read = NULL;
  g_autoptr (GInetAddress) inside = address ("10.2.3.4");
  g_autoptr (GInetAddress) outside = address ("127.0.0.1");
  g_autoptr (GError) error = NULL;
  JsonArray *array;

  tto_event_set_title (event, "Site visit");
  g_assert_nonnull (tto_event_get_ip_allow (event));
  g_assert_null (tto_event_get_ip_allow (event)[0]);
  g_assert_true (tto_event_ip_allows (event, outside));
  g_assert_true (tto_event_ip_allows (event, NULL));

  tto_event_set_ip_allow (event, networks);
  g_assert_true (tto_event_ip_allows (event, inside));
  g_assert_false (tto_event_ip_allows (event, outside));
  g_assert_false (tto_event_ip_allows (event, NULL));

  creator_view = tto_event_to_json (event, TRUE);
  array = json_object_get_array_member (creator_view, "ip_allow");
  g_assert_nonnull (array);
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (array, 0), ==, "10.0.0.0/8");
  member_view = tto_event_to_json (event, FALSE);
  g_assert_false (json_object_has_member (member_view, "ip_allow"));

  read = tto_event_new_from_json (creator_view, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (tto_event_get_ip_allow (read), networks);

  /* A member's copy updated from a member's view holds none. */
  tto_event_update_from (copy, event);
  g_assert_cmpstrv (tto_event_get_ip_allow (copy), networks);
  {
    g_autoptr (TtoEvent) as_member = tto_event_new_from_json (member_view, &error);

    g_assert_no_error (error);
    tto_event_update_from (copy, as_member);
    g_assert_null (tto_event_get_ip_allow (copy)[0]);
  }

  tto_event_set_ip_allow (event, broken);
  g_assert_false (tto_event_ip_allows (event, inside));
  g_assert_false (tto_event_ip_allows (event, outside));
  tto_event_set_ip_allow (event, NULL);
  g_assert_true (tto_event_ip_allows (event, outside));
}

static void
assert_frame_refused (const char *json,
                      const char *in_message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TtoFrame) frame = tto_frame_parse (json, strlen (json), TTO_FRAME_FROM_CLIENT, NULL,
                                                &error);

  if (frame != NULL)
    g_error ("accepted %s", json);
  g_assert_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME);
  if (strstr (error->message, in_message) == NULL)
    g_error ("%s: the message \"%s\" lacks \"%s\"", json, error->message, in_message);
}

static void
test_frames (void)
{
  static const char *const good[] = {
    "{\"v\":1,\"type\":\"event.create\",\"body\":{\"title\":\"x\",\"ip_allow\":[]}}",
    "{\"v\":1,\"type\":\"event.create\",\"body\":{\"title\":\"x\","
    "\"ip_allow\":[\"10.0.0.0/8\",\"2001:db8::/32\",\"192.0.2.7\"]}}",
    "{\"v\":1,\"type\":\"event.update\",\"body\":{\"event_id\":\"k3v9q2m8x4t7c1ab\","
    "\"ip_allow\":[\"::1\"]}}",
  };
  g_autoptr (GString) many = g_string_new ("{\"v\":1,\"type\":\"event.update\",\"body\":"
                                           "{\"event_id\":\"k3v9q2m8x4t7c1ab\",\"ip_allow\":[");

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TtoFrame) frame = tto_frame_parse (good[i], strlen (good[i]),
                                                    TTO_FRAME_FROM_CLIENT, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (frame);
    }

  assert_frame_refused ("{\"v\":1,\"type\":\"event.create\",\"body\":{\"title\":\"x\","
                        "\"ip_allow\":[\"10.0.0.0/8\",\"300.1.1.1/8\"]}}",
                        "body.ip_allow[1]: \"300.1.1.1\" is not an IPv4 or IPv6 address");
  assert_frame_refused ("{\"v\":1,\"type\":\"event.create\",\"body\":{\"title\":\"x\","
                        "\"ip_allow\":[\"10.0.0.0/33\"]}}",
                        "body.ip_allow[0]: the prefix length of \"10.0.0.0/33\"");
  assert_frame_refused ("{\"v\":1,\"type\":\"event.update\",\"body\":{\"event_id\":\"k3v9q2m8x4t7c1ab\","
                        "\"ip_allow\":[\"abc\"]}}",
                        "body.ip_allow[0]: \"abc\"");
  assert_frame_refused ("{\"v\":1,\"type\":\"event.update\",\"body\":{\"event_id\":\"k3v9q2m8x4t7c1ab\","
                        "\"ip_allow\":[8]}}",
                        "body.ip_allow[0] must be a string");
  assert_frame_refused ("{\"v\":1,\"type\":\"event.update\",\"body\":{\"event_id\":\"k3v9q2m8x4t7c1ab\","
                        "\"ip_allow\":\"10.0.0.0/8\"}}",
                        "ip_allow");

  for (guint i = 0; i < TTO_CIDR_MAX_ENTRIES + 1; i++)
    g_string_append_printf (many, "%s\"10.%u.0.0/16\"", i > 0 ? "," : "", i);
  g_string_append (many, "]}}");
  assert_frame_refused (many->str, "body.ip_allow has 33 networks; at most 32");
}

int
main (int argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cidr/parse-good", test_parse_good);
  g_test_add_func ("/cidr/parse-bad", test_parse_bad);
  g_test_add_func ("/cidr/network-of", test_network_of);
  g_test_add_func ("/cidr/matches", test_matches);
  g_test_add_func ("/cidr/list", test_list);
  g_test_add_func ("/cidr/event", test_event);
  g_test_add_func ("/cidr/frames", test_frames);

  return g_test_run ();
}
