/* tto-test-topics.c: the topic tree and sub-topic proposals
 *
 * The detector is checked directly with fixed inputs and expected
 * proposals; the rest against a real relay and MariaDB: topics made from
 * messages, messages sent into them, removal moving messages up, proposals
 * from reply chains and #tags, accepting (messages move, the tree matches)
 * and dismissing (never proposed again), who may do what, the tree
 * surviving a relay restart, and no topic row (nor any message text) left
 * in MySQL.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "tto-relay-topic-detect.h"
#include "tto-shared.h"
#include "tto-test-harness.h"

#define GRACE 600
#define SECRET "SECRET-TEXT-7781"

/* ------------------------------------------------------------ detector */

typedef struct
{
  const char *id;
  const char *reply_to;
  const char *topic;
  const char *text;
} M;

static GPtrArray *
detect (const M *messages,
        guint n)
{
  g_autofree TtoTopicDetectMessage *input = g_new0 (TtoTopicDetectMessage, n);

  for (guint i = 0; i < n; i++)
    {
      input[i].msg_id = messages[i].id;
      input[i].reply_to = messages[i].reply_to;
      input[i].topic_id = messages[i].topic;
      input[i].text = messages[i].text;
    }

  return tto_topic_detect (input, n);
}

static char *
joined_ids (const TtoTopicProposal *proposal)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < proposal->msg_ids->len; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? "," : "", (char *) proposal->msg_ids->pdata[i]);

  return g_string_free (out, FALSE);
}

/* "kind parent ids [tag title]" of each proposal, one per line. */
static char *
describe (GPtrArray *proposals)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < proposals->len; i++)
    {
      const TtoTopicProposal *p = proposals->pdata[i];
      g_autofree char *ids = joined_ids (p);

      g_string_append_printf (out, "%s %s %s", tto_topic_proposal_kind_to_string (p->kind),
                              p->parent_id, ids);
      if (p->tag != NULL)
        g_string_append_printf (out, " %s %s", p->tag, p->title);
      else
        g_string_append_printf (out, " - %s", p->title);
      g_string_append_c (out, '\n');
    }

  return g_string_free (out, FALSE);
}

static void
expect_detect (const M *messages,
               guint n,
               const char *expected)
{
  g_autoptr (GPtrArray) proposals = detect (messages, n);
  g_autofree char *got = describe (proposals);

  g_assert_cmpstr (got, ==, expected);
}

static char *
tags_of (const char *text)
{
  GPtrArray *written = NULL;
  g_autoptr (GPtrArray) tags = tto_topic_extract_tags (text, &written);
  g_autoptr (GPtrArray) w = written;
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < tags->len; i++)
    g_string_append_printf (out, "%s%s=%s", i > 0 ? " " : "", (char *) tags->pdata[i],
                            (char *) w->pdata[i]);

  return g_string_free (out, FALSE);
}

static void
test_detect_tag_syntax (void)
{
  g_autofree char *long_ok = g_strnfill (64, 'a');
  g_autofree char *long_bad = g_strnfill (65, 'b');
  g_autofree char *text = NULL;
  g_autofree char *got = NULL;

  struct
  {
    const char *text;
    const char *expected;
  } cases[] = {
    { "Plan: #Budget, #budget and #BUDGET!", "#budget=#Budget" },
    { "page#top a#b ##Dup", "#dup=#Dup" },
    { "#预算 和 #Ünï_1 and #ｂｕｄｇｅｔ", "#预算=#预算 #ünï_1=#Ünï_1 #budget=#ｂｕｄｇｅｔ" },
    { "# alone, #, #- and #_", "#_=#_" },
    { "#2024 #a#b", "#2024=#2024 #a=#a" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *tags = tags_of (cases[i].text);

      g_assert_cmpstr (tags, ==, cases[i].expected);
    }

  /* 64 characters after '#' make a tag, 65 none. */
  text = g_strdup_printf ("#%s #%s", long_ok, long_bad);
  got = tags_of (text);
  g_assert_true (g_str_has_prefix (got, "#aaaa"));
  g_assert_null (strstr (got, "#bbb"));
}

static void
test_detect_reply_chains (void)
{
  /* Three in a chain: nothing yet. */
  static const M three[] = {
    { "a", NULL, NULL, "root" },
    { "b", "a", NULL, "re a" },
    { "c", "b", NULL, "re b" },
  };
  /* The fourth makes a proposal of the four. */
  static const M four[] = {
    { "a", NULL, NULL, "root" },
    { "x", NULL, NULL, "unrelated" },
    { "b", "a", NULL, "re a" },
    { "c", "b", NULL, "re b" },
    { "d", "c", NULL, "re c" },
  };
  /* Rooted at a reply: the first message answers one in another topic,
   * or one the detector never saw. */
  static const M rooted_at_reply[] = {
    { "q", NULL, "side", "in a sub-topic" },
    { "a", "q", NULL, "answers the sub-topic" },
    { "b", "a", NULL, "re a" },
    { "c", "b", NULL, "re b" },
    { "d", "c", NULL, "re c" },
    { "e", "gone", NULL, "answers an unknown message" },
    { "f", "e", NULL, "re e" },
    { "g", "f", NULL, "re f" },
    { "h", "g", NULL, "re g" },
  };
  /* While pending, later replies (branches too) join in seq order. */
  static const M growing[] = {
    { "a", NULL, NULL, "root" },
    { "b", "a", NULL, "re a" },
    { "c", "b", NULL, "re b" },
    { "k", "b", NULL, "a branch, not yet 4 deep" },
    { "d", "c", NULL, "re c" },
    { "e", "d", NULL, "re d" },
    { "l", "k", NULL, "re k" },
  };
  /* A chain in a sub-topic proposes a sub-topic of it; two chains in one
   * topic make two proposals, oldest first. */
  static const M nested[] = {
    { "s1", NULL, "side", "root" },
    { "m1", NULL, NULL, "root" },
    { "s2", "s1", "side", "re" },
    { "m2", "m1", NULL, "re" },
    { "s3", "s2", "side", "re" },
    { "m3", "m2", NULL, "re" },
    { "m4", "m3", NULL, "re" },
    { "s4", "s3", "side", "re" },
    { "n1", NULL, NULL, "root" },
    { "n2", "n1", NULL, "re" },
    { "n3", "n2", NULL, "re" },
    { "n4", "n3", NULL, "re" },
  };
  /* A reply into another topic breaks the chain there. */
  static const M crossing[] = {
    { "a", NULL, NULL, "root" },
    { "b", "a", NULL, "re a" },
    { "c", "b", "side", "re b, in the sub-topic" },
    { "d", "c", NULL, "re c, back in main" },
  };

  expect_detect (three, G_N_ELEMENTS (three), "");
  expect_detect (four, G_N_ELEMENTS (four), "reply_chain main a,b,c,d - Reply thread\n");
  expect_detect (rooted_at_reply, G_N_ELEMENTS (rooted_at_reply), "");
  expect_detect (growing, G_N_ELEMENTS (growing),
                 "reply_chain main a,b,c,k,d,e,l - Reply thread\n");
  expect_detect (nested, G_N_ELEMENTS (nested),
                 "reply_chain main m1,m2,m3,m4 - Reply thread\n"
                 "reply_chain side s1,s2,s3,s4 - Reply thread\n"
                 "reply_chain main n1,n2,n3,n4 - Reply thread\n");
  expect_detect (crossing, G_N_ELEMENTS (crossing), "");
}

static void
test_detect_tags (void)
{
  static const M three[] = {
    { "a", NULL, NULL, "What is our #Budget?" },
    { "b", NULL, NULL, "no tag" },
    { "c", NULL, NULL, "#budget: 300" },
    { "d", NULL, NULL, "fine, #BUDGET it is" },
  };
  static const M two[] = {
    { "a", NULL, NULL, "#budget" },
    { "b", NULL, NULL, "#budget #budget #budget" },
  };
  /* Spread over topics, no topic has three. */
  static const M spread[] = {
    { "a", NULL, NULL, "#venue one" },
    { "b", NULL, "side", "#venue two" },
    { "c", NULL, NULL, "#venue three" },
    { "d", NULL, "side", "#venue four" },
  };
  /* Later ones join; the sub-topic gets its own once it has three. */
  static const M growing[] = {
    { "a", NULL, NULL, "#food" },
    { "b", NULL, "side", "#food" },
    { "c", NULL, NULL, "#Food" },
    { "d", NULL, NULL, "#FOOD" },
    { "e", NULL, "side", "#food" },
    { "f", NULL, NULL, "#food again" },
    { "g", NULL, "side", "#food" },
  };
  /* A chain of tagged replies: both proposals, the chain first. */
  static const M both[] = {
    { "a", NULL, NULL, "#plan" },
    { "b", "a", NULL, "#plan" },
    { "c", "b", NULL, "#plan" },
    { "d", "c", NULL, "ok" },
  };

  expect_detect (three, G_N_ELEMENTS (three), "tag main a,c,d #budget #Budget\n");
  expect_detect (two, G_N_ELEMENTS (two), "");
  expect_detect (spread, G_N_ELEMENTS (spread), "");
  expect_detect (growing, G_N_ELEMENTS (growing),
                 "tag main a,c,d,f #food #food\n"
                 "tag side b,e,g #food #food\n");
  expect_detect (both, G_N_ELEMENTS (both),
                 "tag main a,b,c #plan #plan\n"
                 "reply_chain main a,b,c,d - Reply thread\n");
}

/* Bounds: a proposal holds at most 50 messages, at most 10 are pending,
 * and the cap does not make two proposals of the same messages. */
static void
test_detect_limits (void)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autofree M *messages = g_new0 (M, 200);
  guint n = 0;

  /* A reply chain of 60, all carrying two tags. */
  for (guint i = 0; i < 60; i++, n++)
    {
      g_ptr_array_add (ids, g_strdup_printf ("c%02u", i));
      messages[n] = (M) { ids->pdata[n], i > 0 ? ids->pdata[n - 1] : NULL, NULL, "#a #b" };
    }
  {
    g_autoptr (GPtrArray) proposals = detect (messages, n);
    const TtoTopicProposal *chain;
    const TtoTopicProposal *tag;

    /* #a at the third message, the chain at the fourth, each grown to
     * 50; #b's messages were #a's all along (and its first 50 still are
     * once #a is full): not proposed. */
    g_assert_cmpuint (proposals->len, ==, 2);
    tag = proposals->pdata[0];
    chain = proposals->pdata[1];
    g_assert_cmpint (chain->kind, ==, TTO_TOPIC_PROPOSAL_REPLY_CHAIN);
    g_assert_cmpuint (chain->msg_ids->len, ==, TTO_TOPIC_DETECT_MAX_PROPOSAL_MESSAGES);
    g_assert_cmpstr (chain->msg_ids->pdata[49], ==, "c49");
    g_assert_cmpint (tag->kind, ==, TTO_TOPIC_PROPOSAL_TAG);
    g_assert_cmpstr (tag->tag, ==, "#a");
    g_assert_cmpuint (tag->msg_ids->len, ==, TTO_TOPIC_DETECT_MAX_PROPOSAL_MESSAGES);
  }

  /* Twelve tags, three messages each: ten proposals, no more. */
  n = 0;
  for (guint t = 0; t < 12; t++)
    for (guint k = 0; k < 3; k++, n++)
      {
        g_ptr_array_add (ids, g_strdup_printf ("t%02u-%u", t, k));
        g_ptr_array_add (texts, g_strdup_printf ("about #tag%02u", t));
        messages[n] = (M) { ids->pdata[ids->len - 1], NULL, NULL, texts->pdata[texts->len - 1] };
      }
  {
    g_autoptr (GPtrArray) proposals = detect (messages, n);

    g_assert_cmpuint (proposals->len, ==, TTO_TOPIC_DETECT_MAX_PENDING);
    g_assert_cmpstr (((TtoTopicProposal *) proposals->pdata[9])->tag, ==, "#tag09");
  }
}

static GPtrArray *
note (TtoTopicDetector *detector,
      const char *id,
      const char *reply_to,
      const char *topic,
      const char *text)
{
  TtoTopicDetectMessage message = { id, reply_to, topic, text };

  return tto_topic_detector_note (detector, &message);
}

static guint
note_count (TtoTopicDetector *detector,
            const char *id,
            const char *reply_to,
            const char *topic,
            const char *text)
{
  g_autoptr (GPtrArray) changed = note (detector, id, reply_to, topic, text);

  return changed->len;
}

static void
test_detect_decisions (void)
{
  g_autoptr (TtoTopicDetector) detector = tto_topic_detector_new ();
  GPtrArray *pending = tto_topic_detector_get_pending (detector);
  g_autofree char *chain_id = NULL;
  g_autofree char *tag_id = NULL;
  g_autoptr (GPtrArray) stale = NULL;

  g_assert_cmpuint (note_count (detector, "a", NULL, NULL, "root"), ==, 0);
  g_assert_cmpuint (note_count (detector, "b", "a", NULL, "re"), ==, 0);
  g_assert_cmpuint (note_count (detector, "c", "b", NULL, "re"), ==, 0);
  g_assert_cmpuint (note_count (detector, "d", "c", NULL, "re"), ==, 1);
  g_assert_cmpuint (pending->len, ==, 1);
  chain_id = g_strdup (((TtoTopicProposal *) pending->pdata[0])->id);

  /* Dismissed: the chain growing, or a branch of it, is not proposed
   * again. */
  tto_topic_detector_decide (detector, chain_id, NULL);
  g_assert_cmpuint (pending->len, ==, 0);
  g_assert_null (tto_topic_detector_lookup (detector, chain_id));
  g_assert_cmpuint (note_count (detector, "e", "d", NULL, "re"), ==, 0);
  g_assert_cmpuint (note_count (detector, "f", "e", NULL, "re"), ==, 0);
  g_assert_cmpuint (note_count (detector, "k", "b", NULL, "branch"), ==, 0);
  g_assert_cmpuint (note_count (detector, "l", "k", NULL, "branch"), ==, 0);
  g_assert_cmpuint (pending->len, ==, 0);

  /* A dismissed tag stays dismissed in its topic, not elsewhere. */
  g_assert_cmpuint (note_count (detector, "t1", NULL, NULL, "#budget"), ==, 0);
  g_assert_cmpuint (note_count (detector, "t2", NULL, NULL, "#budget"), ==, 0);
  g_assert_cmpuint (note_count (detector, "t3", NULL, NULL, "#budget"), ==, 1);
  tag_id = g_strdup (((TtoTopicProposal *) pending->pdata[0])->id);
  tto_topic_detector_decide (detector, tag_id, NULL);
  g_assert_cmpuint (note_count (detector, "t4", NULL, NULL, "#Budget"), ==, 0);
  g_assert_cmpuint (note_count (detector, "t5", NULL, NULL, "#budget"), ==, 0);
  g_assert_cmpuint (note_count (detector, "u1", NULL, "side", "#budget"), ==, 0);
  g_assert_cmpuint (note_count (detector, "u2", NULL, "side", "#budget"), ==, 0);
  g_assert_cmpuint (note_count (detector, "u3", NULL, "side", "#budget"), ==, 1);
  g_assert_cmpuint (pending->len, ==, 1);

  /* Accepted: the messages move to the new topic, where neither the tag
   * nor the chain is proposed again. */
  g_free (tag_id);
  tag_id = g_strdup (((TtoTopicProposal *) pending->pdata[0])->id);
  tto_topic_detector_decide (detector, tag_id, "new");
  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("u%u", i);

      tto_topic_detector_move (detector, id, "new");
      g_assert_cmpstr (tto_topic_detector_get_topic (detector, id), ==, "new");
    }
  g_assert_cmpuint (note_count (detector, "u4", NULL, "new", "#budget"), ==, 0);
  g_assert_cmpuint (pending->len, ==, 0);

  /* A recalled message no longer counts, nor carries a chain. */
  g_assert_cmpuint (note_count (detector, "v1", NULL, NULL, "#venue"), ==, 0);
  g_assert_cmpuint (note_count (detector, "v2", NULL, NULL, "#venue"), ==, 0);
  tto_topic_detector_retext (detector, "v2", NULL);
  g_assert_cmpuint (note_count (detector, "v3", NULL, NULL, "#venue"), ==, 0);
  /* An edit brings the tag in, proposing nothing by itself... */
  tto_topic_detector_retext (detector, "a", "now about #venue");
  g_assert_cmpuint (pending->len, ==, 0);
  /* ...but it counts for the next one. */
  g_assert_cmpuint (note_count (detector, "v4", NULL, NULL, "#venue"), ==, 1);
  {
    g_autofree char *ids = joined_ids (pending->pdata[0]);

    g_assert_cmpstr (ids, ==, "a,v1,v3,v4");
  }

  /* Messages moved away from a pending proposal's topic make it stale. */
  tto_topic_detector_move (detector, "v3", "elsewhere");
  stale = tto_topic_detector_take_stale (detector);
  g_assert_cmpuint (stale->len, ==, 1);
  g_assert_cmpuint (pending->len, ==, 0);
  g_assert_cmpint (((TtoTopicProposal *) stale->pdata[0])->kind, ==, TTO_TOPIC_PROPOSAL_TAG);

  /* Noting a message twice changes nothing. */
  g_assert_cmpuint (note_count (detector, "a", NULL, NULL, "#x"), ==, 0);
}

/* --------------------------------------------------------------- relay */

static TtoTestClient *
person (TtoTestRelay *relay,
        const char *name)
{
  TtoTestClient *c = tto_test_client_connect (relay);

  tto_test_client_create_identity (c, name);
  return c;
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
      if (!tto_frame_is (answer, TTO_FRAME_ERROR))
        g_error ("expected %s, got ok", code);
      g_assert_cmpstr (tto_frame_get_string (answer, "code"), ==, code);
    }
  tto_frame_free (answer);
}

typedef struct
{
  TtoTestRelay *relay;
  TtoTestClient *ana; /* creator */
  TtoTestClient *bo;  /* member */
  TtoTestClient *cy;  /* member */
  char *event_id;
  guint n_sent;
} Room;

static void
room_open (Room *room,
           TtoTestRelay *relay)
{
  g_autoptr (JsonObject) event = NULL;

  room->relay = relay;
  room->ana = person (relay, "Ana");
  room->bo = person (relay, "Bo");
  room->cy = person (relay, "Cy");
  event = tto_test_client_create_event (room->ana, "Picnic", 0);
  room->event_id = g_strdup (json_object_get_string_member (event, "event_id"));
  json_object_unref (tto_test_client_join (room->bo,
                                           json_object_get_string_member (event, "invite_code")));
  json_object_unref (tto_test_client_join (room->cy,
                                           json_object_get_string_member (event, "invite_code")));
}

static void
room_close (Room *room)
{
  tto_test_client_close (room->ana);
  tto_test_client_close (room->bo);
  tto_test_client_close (room->cy);
  g_free (room->event_id);
  tto_test_relay_stop (room->relay);
}

static TtoFrame *
try_send (Room *room,
          TtoTestClient *c,
          const char *text,
          const char *reply_to,
          const char *topic_id)
{
  JsonObject *body = json_object_new ();
  g_autofree char *client_msg_id = g_strdup_printf ("m%u", ++room->n_sent);

  json_object_set_string_member (body, "event_id", room->event_id);
  json_object_set_string_member (body, "client_msg_id", client_msg_id);
  json_object_set_string_member (body, "text", text);
  if (reply_to != NULL)
    json_object_set_string_member (body, "reply_to", reply_to);
  if (topic_id != NULL)
    json_object_set_string_member (body, "topic_id", topic_id);

  return tto_test_client_request (c, TTO_FRAME_MSG_SEND, body);
}

/* Returns the new message's id. */
static char *
send (Room *room,
      TtoTestClient *c,
      const char *text,
      const char *reply_to,
      const char *topic_id)
{
  g_autoptr (TtoFrame) ok = try_send (room, c, text, reply_to, topic_id);

  if (!tto_frame_is (ok, TTO_FRAME_OK))
    g_error ("msg.send failed: %s", tto_frame_get_string (ok, "message"));
  return g_strdup (tto_frame_get_string (ok, "msg_id"));
}

static TtoFrame *
request (TtoTestClient *c,
         const char *type,
         Room *room,
         const char *fields)
{
  return tto_test_client_request (c, type,
                                  tto_test_json_object ("{\"event_id\":\"%s\"%s%s}",
                                                        room->event_id,
                                                        fields[0] != '\0' ? "," : "", fields));
}

static TtoFrame *requestf (TtoTestClient *c,
                           const char *type,
                           Room *room,
                           const char *format,
                           ...) G_GNUC_PRINTF (4, 5);

static TtoFrame *
requestf (TtoTestClient *c,
          const char *type,
          Room *room,
          const char *format,
          ...)
{
  g_autofree char *fields = NULL;
  va_list args;

  va_start (args, format);
  fields = g_strdup_vprintf (format, args);
  va_end (args);

  return request (c, type, room, fields);
}

/* Returns the new topic (a reference). */
static JsonObject *
create_topic (Room *room,
              TtoTestClient *c,
              const char *from_msg_id,
              const char *title)
{
  g_autofree char *fields = g_strdup_printf ("\"from_msg_id\":\"%s\",\"title\":\"%s\"", from_msg_id,
                                             title);
  g_autoptr (TtoFrame) ok = request (c, TTO_FRAME_TOPIC_CREATE, room, fields);

  if (!tto_frame_is (ok, TTO_FRAME_OK))
    g_error ("topic.create failed: %s", tto_frame_get_string (ok, "message"));
  return json_object_ref (json_object_get_object_member (ok->body, "topic"));
}

/* The answer of topic.list (a reference to its body). */
static JsonObject *
list (Room *room,
      TtoTestClient *c)
{
  g_autoptr (TtoFrame) ok = request (c, TTO_FRAME_TOPIC_LIST, room, "");

  if (!tto_frame_is (ok, TTO_FRAME_OK))
    g_error ("topic.list failed: %s", tto_frame_get_string (ok, "message"));
  return json_object_ref (ok->body);
}

/* "title<parent:count" of each topic in the answer's order, with the
 * main topic as "main" and parents by title. */
static char *
tree_of (JsonArray *topics)
{
  g_autoptr (GHashTable) titles = g_hash_table_new (g_str_hash, g_str_equal);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (topics); i++)
    {
      JsonObject *topic = json_array_get_object_element (topics, i);
      const char *id = json_object_get_string_member (topic, "id");
      const char *title = g_str_equal (id, "main") ? "main"
                                                   : json_object_get_string_member (topic, "title");
      const char *parent = json_object_get_string_member_with_default (topic, "parent_id", NULL);

      g_hash_table_insert (titles, (char *) id, (char *) title);
      if (i == 0)
        {
          g_assert_cmpstr (id, ==, "main");
          g_assert_true (json_object_get_null_member (topic, "parent_id"));
        }
      g_string_append_printf (out, "%s%s<%s:%" G_GINT64_FORMAT, i > 0 ? " " : "", title,
                              parent != NULL ? (const char *) g_hash_table_lookup (titles, parent)
                                             : "-",
                              json_object_get_int_member (topic, "message_count"));
    }

  return g_string_free (out, FALSE);
}

static char *
listed_tree (Room *room,
             TtoTestClient *c)
{
  g_autoptr (JsonObject) body = list (room, c);

  return tree_of (json_object_get_array_member (body, "topics"));
}

/* Every push sent before now has arrived once a ping is answered: one
 * connection's frames arrive in order. */
static void
settle (TtoTestClient *c)
{
  tto_frame_free (tto_test_client_request_ok (c, TTO_FRAME_PING, NULL));
}

static const char *
topic_of_push (TtoFrame *push)
{
  JsonObject *message = tto_frame_is (push, TTO_FRAME_MSG_UPDATED)
                          ? json_object_get_object_member (push->body, "message")
                          : push->body;

  return json_object_get_string_member (message, "topic_id");
}

/* No column of any table of the relay's database holds @text. */
static void
assert_nowhere_in_database (TtoTestRelay *relay,
                            const char *text)
{
  g_autofree char *sql = g_strdup_printf (
    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = '%s'"
    " AND data_type IN ('char', 'varchar', 'text', 'mediumtext', 'longtext', 'tinytext',"
    " 'binary', 'varbinary', 'blob', 'mediumblob', 'longblob')",
    tto_test_relay_get_database (relay));
  g_autoptr (GPtrArray) columns = tto_test_relay_query_rows (relay, sql);

  g_assert_cmpuint (columns->len, >, 5);
  for (guint i = 0; i < columns->len; i++)
    {
      char **column = columns->pdata[i];

      g_assert_cmpint (tto_test_relay_query_intf (relay,
                                                  "SELECT COUNT(*) FROM `%s` WHERE `%s` LIKE '%%%s%%'",
                                                  column[0], column[1], text),
                       ==, 0);
    }
}

static void
test_create_send_remove (void)
{
  TtoTestRelay *relay = tto_test_relay_start (GRACE);
  Room room = { 0 };
  g_autoptr (JsonObject) projector = NULL;
  g_autoptr (JsonObject) cables = NULL;
  g_autofree char *m1 = NULL;
  g_autofree char *m2 = NULL;
  g_autofree char *m3 = NULL;
  g_autofree char *tree = NULL;
  const char *q;
  const char *q2;

  if (relay == NULL)
    return;
  room_open (&room, relay);

  m1 = send (&room, room.ana, "Who brings the projector? " SECRET, NULL, NULL);
  {
    g_autoptr (TtoFrame) news = tto_test_client_wait_push (room.bo, TTO_FRAME_MSG_NEW, 5000);

    g_assert_nonnull (news);
    g_assert_cmpstr (topic_of_push (news), ==, "main");
  }

  /* Any member starts a sub-topic from a message; every member hears. */
  tto_test_client_discard_pushes (room.ana);
  projector = create_topic (&room, room.bo, m1, "  Projector  ");
  q = json_object_get_string_member (projector, "id");
  g_assert_cmpuint (strlen (q), ==, 16);
  g_assert_cmpstr (json_object_get_string_member (projector, "parent_id"), ==, "main");
  g_assert_cmpstr (json_object_get_string_member (projector, "title"), ==, "Projector");
  g_assert_cmpstr (json_object_get_string_member (projector, "from_msg_id"), ==, m1);
  g_assert_cmpstr (json_object_get_string_member (projector, "created_by"), ==,
                   tto_test_client_get_identity_id (room.bo));
  g_assert_cmpint (json_object_get_int_member (projector, "message_count"), ==, 0);
  {
    g_autoptr (TtoFrame) updated = tto_test_client_wait_push (room.ana, TTO_FRAME_TOPIC_UPDATED,
                                                              5000);
    g_autofree char *pushed = NULL;

    g_assert_nonnull (updated);
    g_assert_cmpstr (tto_frame_get_string (updated, "event_id"), ==, room.event_id);
    pushed = tree_of (json_object_get_array_member (updated->body, "topics"));
    g_assert_cmpstr (pushed, ==, "main<-:1 Projector<main:0");
  }

  /* Messages sent into it carry its id, and the list counts them. */
  tto_test_client_discard_pushes (room.ana);
  m2 = send (&room, room.bo, "I have one", NULL, q);
  m3 = send (&room, room.cy, "And a cable", m2, q);
  {
    g_autoptr (TtoFrame) news = tto_test_client_wait_push (room.ana, TTO_FRAME_MSG_NEW, 5000);

    g_assert_nonnull (news);
    g_assert_cmpstr (topic_of_push (news), ==, q);
  }
  {
    g_autoptr (JsonObject) body = list (&room, room.bo);
    JsonArray *topics = json_object_get_array_member (body, "topics");
    JsonObject *main_topic = json_array_get_object_element (topics, 0);
    JsonObject *sub = json_array_get_object_element (topics, 1);

    g_assert_cmpuint (json_array_get_length (topics), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (main_topic, "title"), ==, "");
    g_assert_cmpint (json_object_get_int_member (main_topic, "message_count"), ==, 1);
    g_assert_cmpint (json_object_get_int_member (main_topic, "last_seq"), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (sub, "id"), ==, q);
    g_assert_cmpint (json_object_get_int_member (sub, "message_count"), ==, 2);
    g_assert_cmpint (json_object_get_int_member (sub, "last_seq"), ==, 3);
    /* Bo holds no topic_manage: no proposals for him. */
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (body, "proposals")),
                      ==, 0);
  }

  /* Bad input: clear codes, nothing accepted. */
  expect_code (try_send (&room, room.bo, "lost", NULL, "nosuchtopic0000x"), "not_found");
  expect_code (request (room.bo, TTO_FRAME_TOPIC_CREATE, &room,
                        "\"from_msg_id\":\"nosuchmessage000\",\"title\":\"X\""),
               "not_found");
  {
    g_autofree char *fields = g_strdup_printf ("\"from_msg_id\":\"%s\",\"title\":\"\"", m1);

    expect_code (request (room.bo, TTO_FRAME_TOPIC_CREATE, &room, fields), "bad_frame");
  }
  {
    g_autofree char *fields = g_strdup_printf ("\"from_msg_id\":\"%s\",\"title\":\"   \"", m1);

    expect_code (request (room.bo, TTO_FRAME_TOPIC_CREATE, &room, fields), "bad_frame");
  }
  {
    g_autofree char *title = g_strnfill (81, 'x');
    g_autofree char *fields = g_strdup_printf ("\"from_msg_id\":\"%s\",\"title\":\"%s\"", m1,
                                               title);

    expect_code (request (room.bo, TTO_FRAME_TOPIC_CREATE, &room, fields), "too_large");
  }
  {
    g_autofree char *fields = g_strdup_printf ("\"from_msg_id\":\"%s\"", m1);

    expect_code (request (room.bo, TTO_FRAME_TOPIC_CREATE, &room, fields), "bad_frame");
  }
  expect_code (request (room.ana, TTO_FRAME_TOPIC_REMOVE, &room, "\"topic_id\":\"main\""),
               "conflict");
  expect_code (request (room.ana, TTO_FRAME_TOPIC_RENAME, &room,
                        "\"topic_id\":\"main\",\"title\":\"General\""),
               "conflict");
  expect_code (request (room.ana, TTO_FRAME_TOPIC_REMOVE, &room,
                        "\"topic_id\":\"nosuchtopic0000x\""),
               "not_found");
  tree = listed_tree (&room, room.ana);
  g_assert_cmpstr (tree, ==, "main<-:1 Projector<main:2");

  /* A sub-topic of the sub-topic: its parent is the message's topic. */
  cables = create_topic (&room, room.cy, m3, "Cables");
  q2 = json_object_get_string_member (cables, "id");
  g_assert_cmpstr (json_object_get_string_member (cables, "parent_id"), ==, q);
  g_free (send (&room, room.cy, "HDMI or VGA?", NULL, q2));
  g_free (tree);
  tree = listed_tree (&room, room.bo);
  g_assert_cmpstr (tree, ==, "main<-:1 Projector<main:2 Cables<Projector:1");

  /* Export carries each message's topic. */
  {
    g_autoptr (TtoFrame) exported = request (room.ana, TTO_FRAME_EXPORT_FETCH, &room, "");
    JsonArray *messages;

    g_assert_true (tto_frame_is (exported, TTO_FRAME_OK));
    messages = json_object_get_array_member (exported->body, "messages");
    g_assert_cmpuint (json_array_get_length (messages), ==, 4);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 0),
                                                    "topic_id"),
                     ==, "main");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 2),
                                                    "topic_id"),
                     ==, q);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 3),
                                                    "topic_id"),
                     ==, q2);
  }

  /* The tree is in MySQL, no message text is. */
  g_assert_cmpint (tto_test_relay_query_intf (relay,
                                              "SELECT COUNT(*) FROM topics WHERE event_id = '%s'",
                                              room.event_id),
                   ==, 2);
  g_assert_cmpint (tto_test_relay_query_intf (relay,
                                              "SELECT COUNT(*) FROM topics WHERE id = '%s' AND"
                                              " title = 'Projector' AND parent_id = 'main'",
                                              q),
                   ==, 1);
  assert_nowhere_in_database (relay, SECRET);
  assert_nowhere_in_database (relay, "I have one");

  /* Removing moves its messages to the parent, its sub-topics too. */
  tto_test_client_discard_pushes (room.ana);
  expect_code (requestf (room.bo, TTO_FRAME_TOPIC_REMOVE, &room, "\"topic_id\":\"%s\"", q),
               NULL);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (TtoFrame) moved = tto_test_client_wait_push (room.ana, TTO_FRAME_MSG_UPDATED,
                                                              5000);
      JsonObject *message;

      g_assert_nonnull (moved);
      message = json_object_get_object_member (moved->body, "message");
      g_assert_cmpstr (json_object_get_string_member (message, "msg_id"), ==, i == 0 ? m2 : m3);
      g_assert_cmpstr (topic_of_push (moved), ==, "main");
      /* The text is still there: a move is not an edit. */
      g_assert_cmpstr (json_object_get_string_member (message, "text"), ==,
                       i == 0 ? "I have one" : "And a cable");
    }
  {
    g_autoptr (TtoFrame) updated = tto_test_client_wait_push (room.ana, TTO_FRAME_TOPIC_UPDATED,
                                                              5000);
    g_autofree char *pushed = NULL;

    g_assert_nonnull (updated);
    pushed = tree_of (json_object_get_array_member (updated->body, "topics"));
    g_assert_cmpstr (pushed, ==, "main<-:3 Cables<main:1");
  }
  g_assert_cmpint (tto_test_relay_query_intf (relay,
                                              "SELECT COUNT(*) FROM topics WHERE event_id = '%s'"
                                              " AND parent_id = 'main'",
                                              room.event_id),
                   ==, 1);
  /* The removed topic takes no more messages. */
  expect_code (try_send (&room, room.bo, "late", NULL, q), "not_found");

  /* A device that was away hears of the moves on resume. */
  {
    TtoTestClient *again = tto_test_client_connect (relay);
    g_autoptr (TtoFrame) resumed = NULL;

    tto_test_client_auth (again, tto_test_client_get_token (room.bo));
    resumed = tto_test_client_request_ok (
      again, TTO_FRAME_RESUME,
      tto_test_json_object ("{\"events\":{\"%s\":{\"seq\":4,\"useq\":0}}}", room.event_id));
    g_assert_cmpuint (tto_test_client_count_pushes (again, TTO_FRAME_MSG_UPDATED), ==, 2);
    for (guint i = 0; i < 2; i++)
      {
        g_autoptr (TtoFrame) moved = tto_test_client_wait_push (again, TTO_FRAME_MSG_UPDATED, 0);

        g_assert_cmpstr (topic_of_push (moved), ==, "main");
      }
    tto_test_client_close (again);
  }

  /* Not from a recalled message. */
  {
    g_autofree char *gone = send (&room, room.cy, "oops", NULL, NULL);

    expect_code (requestf (room.cy, TTO_FRAME_MSG_RECALL, &room, "\"msg_id\":\"%s\"", gone),
                 NULL);
    expect_code (requestf (room.cy, TTO_FRAME_TOPIC_CREATE, &room,
                           "\"from_msg_id\":\"%s\",\"title\":\"Oops\"", gone),
                 "conflict");
  }

  /* The event's end takes every topic row with it. */
  tto_frame_free (tto_test_client_request_ok (
    room.ana, TTO_FRAME_EVENT_END,
    tto_test_json_object ("{\"event_id\":\"%s\"}", room.event_id)));
  g_assert_cmpint (tto_test_relay_query_int (relay, "SELECT COUNT(*) FROM topics"), ==, 0);
  assert_nowhere_in_database (relay, SECRET);

  room_close (&room);
}

/* Waits for a topic.proposed on @c and returns its proposal (a reference). */
static JsonObject *
wait_proposal (TtoTestClient *c)
{
  g_autoptr (TtoFrame) proposed = tto_test_client_wait_push (c, TTO_FRAME_TOPIC_PROPOSED, 5000);

  g_assert_nonnull (proposed);
  return json_object_ref (json_object_get_object_member (proposed->body, "proposal"));
}

static char *
ids_of (JsonObject *proposal)
{
  JsonArray *ids = json_object_get_array_member (proposal, "msg_ids");
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (ids); i++)
    g_string_append_printf (out, "%s%s", i > 0 ? "," : "", json_array_get_string_element (ids, i));

  return g_string_free (out, FALSE);
}

static void
assert_no_proposal (TtoTestClient *c)
{
  settle (c);
  g_assert_cmpuint (tto_test_client_count_pushes (c, TTO_FRAME_TOPIC_PROPOSED), ==, 0);
}

static void
test_proposals (void)
{
  TtoTestRelay *relay = tto_test_relay_start (GRACE);
  Room room = { 0 };
  g_autofree char *r1 = NULL;
  g_autofree char *r2 = NULL;
  g_autofree char *r3 = NULL;
  g_autofree char *r4 = NULL;
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;
  g_autofree char *t1 = NULL;
  g_autofree char *t2 = NULL;
  g_autofree char *t3 = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *tree = NULL;
  g_autofree char *chain_id = NULL;
  g_autofree char *tag_id = NULL;
  g_autofree char *cables_id = NULL;
  g_autoptr (JsonObject) side = NULL;
  const char *side_id;

  if (relay == NULL)
    return;
  room_open (&room, relay);

  /* A reply chain of three: nothing. */
  r1 = send (&room, room.bo, "Shall we rent a projector?", NULL, NULL);
  r2 = send (&room, room.cy, "Which one?", r1, NULL);
  r3 = send (&room, room.bo, "The small one", r2, NULL);
  assert_no_proposal (room.ana);

  /* The fourth: one proposal of the four, to the creator only. */
  r4 = send (&room, room.cy, "Fine", r3, NULL);
  {
    g_autoptr (JsonObject) proposal = wait_proposal (room.ana);
    g_autofree char *ids = ids_of (proposal);

    g_assert_cmpstr (json_object_get_string_member (proposal, "kind"), ==, "reply_chain");
    g_assert_true (json_object_get_null_member (proposal, "tag"));
    g_assert_cmpstr (json_object_get_string_member (proposal, "parent_id"), ==, "main");
    g_assert_cmpstr (json_object_get_string_member (proposal, "title"), ==, "Reply thread");
    expected = g_strjoin (",", r1, r2, r3, r4, NULL);
    g_assert_cmpstr (ids, ==, expected);
    chain_id = g_strdup (json_object_get_string_member (proposal, "id"));
  }
  assert_no_proposal (room.ana);
  assert_no_proposal (room.bo);
  assert_no_proposal (room.cy);

  /* A chain rooted at a reply (to a message in another topic): nothing. */
  side = create_topic (&room, room.ana, r1, "Side");
  side_id = json_object_get_string_member (side, "id");
  x = send (&room, room.bo, "over here", NULL, side_id);
  {
    g_autofree char *a = send (&room, room.cy, "about that", x, NULL);
    g_autofree char *b = send (&room, room.bo, "yes", a, NULL);
    g_autofree char *c = send (&room, room.cy, "no", b, NULL);
    g_autofree char *d = send (&room, room.bo, "maybe", c, NULL);
  }
  assert_no_proposal (room.ana);

  /* A tag in three messages of one topic: proposed, titled with it. */
  t1 = send (&room, room.bo, "#Budget: 300?", NULL, NULL);
  t2 = send (&room, room.cy, "too much for the #budget", NULL, NULL);
  assert_no_proposal (room.ana);
  t3 = send (&room, room.bo, "then #BUDGET 200", NULL, NULL);
  {
    g_autoptr (JsonObject) proposal = wait_proposal (room.ana);
    g_autofree char *ids = ids_of (proposal);

    g_assert_cmpstr (json_object_get_string_member (proposal, "kind"), ==, "tag");
    g_assert_cmpstr (json_object_get_string_member (proposal, "tag"), ==, "#budget");
    g_assert_cmpstr (json_object_get_string_member (proposal, "title"), ==, "#Budget");
    g_free (expected);
    expected = g_strjoin (",", t1, t2, t3, NULL);
    g_assert_cmpstr (ids, ==, expected);
    tag_id = g_strdup (json_object_get_string_member (proposal, "id"));
  }

  /* The same tag spread over topics: nothing. */
  g_free (send (&room, room.bo, "#venue park", NULL, NULL));
  g_free (send (&room, room.cy, "#venue beach", NULL, side_id));
  g_free (send (&room, room.bo, "#venue lake", NULL, NULL));
  assert_no_proposal (room.ana);

  /* The creator sees both pending; a member sees none. */
  {
    g_autoptr (JsonObject) body = list (&room, room.ana);
    JsonArray *proposals = json_object_get_array_member (body, "proposals");

    g_assert_cmpuint (json_array_get_length (proposals), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (proposals, 0),
                                                    "id"),
                     ==, chain_id);
  }
  {
    g_autoptr (JsonObject) body = list (&room, room.bo);

    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (body, "proposals")),
                      ==, 0);
  }

  /* Accepting moves the four messages (msg.updated with the new topic)
   * and the tree has the new topic under main. */
  tto_test_client_discard_pushes (room.bo);
  tto_test_client_discard_pushes (room.ana);
  {
    g_autofree char *fields = g_strdup_printf ("\"proposal_id\":\"%s\",\"accept\":true,"
                                               "\"title\":\"Projector rental\"",
                                               chain_id);
    g_autoptr (TtoFrame) ok = request (room.ana, TTO_FRAME_TOPIC_DECIDE, &room, fields);
    JsonObject *topic;

    g_assert_true (tto_frame_is (ok, TTO_FRAME_OK));
    topic = json_object_get_object_member (ok->body, "topic");
    g_assert_cmpstr (json_object_get_string_member (topic, "parent_id"), ==, "main");
    g_assert_cmpstr (json_object_get_string_member (topic, "title"), ==, "Projector rental");
    g_assert_true (json_object_get_null_member (topic, "from_msg_id"));
    g_assert_cmpint (json_object_get_int_member (topic, "message_count"), ==, 4);
    cables_id = g_strdup (json_object_get_string_member (topic, "id"));
  }
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr (TtoFrame) moved = tto_test_client_wait_push (room.bo, TTO_FRAME_MSG_UPDATED,
                                                              5000);
      const char *expected_ids[] = { r1, r2, r3, r4 };

      g_assert_nonnull (moved);
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (moved->body,
                                                                                     "message"),
                                                      "msg_id"),
                       ==, expected_ids[i]);
      g_assert_cmpstr (topic_of_push (moved), ==, cables_id);
    }
  {
    g_autoptr (TtoFrame) decided = tto_test_client_wait_push (room.ana, TTO_FRAME_TOPIC_DECIDED,
                                                              5000);

    g_assert_nonnull (decided);
    g_assert_cmpstr (tto_frame_get_string (decided, "proposal_id"), ==, chain_id);
    g_assert_true (json_object_get_boolean_member (decided->body, "accepted"));
    g_assert_cmpstr (tto_frame_get_string (decided, "topic_id"), ==, cables_id);
  }
  settle (room.bo);
  g_assert_cmpuint (tto_test_client_count_pushes (room.bo, TTO_FRAME_TOPIC_DECIDED), ==, 0);
  tree = listed_tree (&room, room.cy);
  /* main: 3 #budget + 2 #venue + 4 rooted-at-reply; Side: x and a #venue. */
  g_assert_cmpstr (tree, ==, "main<-:9 Side<main:2 Projector rental<main:4");
  /* Deciding again: it is gone. */
  expect_code (requestf (room.ana, TTO_FRAME_TOPIC_DECIDE, &room, "\"proposal_id\":\"%s\",\"accept\":false", chain_id),
               "not_found");

  /* Replies to the moved chain propose nothing again: in main they are
   * rooted at a reply, in the new topic the chain was decided. */
  g_free (send (&room, room.bo, "one more", r4, NULL));
  y = send (&room, room.bo, "and more", r4, cables_id);
  g_free (send (&room, room.cy, "still", y, cables_id));
  assert_no_proposal (room.ana);

  /* Dismissing: the tag is not proposed again in that topic. */
  tto_test_client_discard_pushes (room.ana);
  expect_code (requestf (room.ana, TTO_FRAME_TOPIC_DECIDE, &room, "\"proposal_id\":\"%s\",\"accept\":false", tag_id),
               NULL);
  {
    g_autoptr (TtoFrame) decided = tto_test_client_wait_push (room.ana, TTO_FRAME_TOPIC_DECIDED,
                                                              5000);

    g_assert_nonnull (decided);
    g_assert_false (json_object_get_boolean_member (decided->body, "accepted"));
    g_assert_true (json_object_get_null_member (decided->body, "topic_id"));
  }
  g_free (send (&room, room.cy, "#budget final: 250", NULL, NULL));
  g_free (send (&room, room.bo, "#Budget ok", NULL, NULL));
  assert_no_proposal (room.ana);
  {
    g_autoptr (JsonObject) body = list (&room, room.ana);

    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (body, "proposals")),
                      ==, 0);
  }
  g_free (tree);
  tree = listed_tree (&room, room.ana);
  g_assert_cmpstr (tree, ==, "main<-:12 Side<main:2 Projector rental<main:6");

  /* Proposals hold tags, never in MySQL. */
  assert_nowhere_in_database (relay, "budget");
  assert_nowhere_in_database (relay, "Reply thread");

  room_close (&room);
}

static void
test_authorisation (void)
{
  TtoTestRelay *relay = tto_test_relay_start (GRACE);
  Room room = { 0 };
  TtoTestClient *di;
  g_autoptr (JsonObject) topic = NULL;
  g_autofree char *m = NULL;
  g_autofree char *rename_t = NULL;
  g_autofree char *remove_t = NULL;
  g_autofree char *proposal_id = NULL;
  const char *t;

  if (relay == NULL)
    return;
  room_open (&room, relay);
  di = person (relay, "Di");

  m = send (&room, room.bo, "Shall we split #tasks?", NULL, NULL);
  topic = create_topic (&room, room.bo, m, "Tasks");
  t = json_object_get_string_member (topic, "id");
  rename_t = g_strdup_printf ("\"topic_id\":\"%s\",\"title\":\"Chores\"", t);
  remove_t = g_strdup_printf ("\"topic_id\":\"%s\"", t);
  g_free (send (&room, room.cy, "#tasks: dishes", NULL, NULL));
  g_free (send (&room, room.bo, "#tasks: games", NULL, NULL));
  {
    g_autoptr (JsonObject) proposal = wait_proposal (room.ana);

    proposal_id = g_strdup (json_object_get_string_member (proposal, "id"));
  }
  assert_no_proposal (room.cy);

  /* A member without topic_manage: not another's topic, no decisions. */
  expect_code (request (room.cy, TTO_FRAME_TOPIC_RENAME, &room, rename_t), "forbidden");
  expect_code (request (room.cy, TTO_FRAME_TOPIC_REMOVE, &room, remove_t), "forbidden");
  expect_code (requestf (room.cy, TTO_FRAME_TOPIC_DECIDE, &room, "\"proposal_id\":\"%s\",\"accept\":true", proposal_id),
               "forbidden");
  expect_code (requestf (room.bo, TTO_FRAME_TOPIC_DECIDE, &room, "\"proposal_id\":\"%s\",\"accept\":false", proposal_id),
               "forbidden");
  /* An outsider: nothing at all. */
  expect_code (request (di, TTO_FRAME_TOPIC_LIST, &room, ""), "forbidden");
  expect_code (requestf (di, TTO_FRAME_TOPIC_CREATE, &room, "\"from_msg_id\":\"%s\",\"title\":\"Mine\"", m),
               "forbidden");
  expect_code (request (di, TTO_FRAME_TOPIC_RENAME, &room, rename_t), "forbidden");
  expect_code (request (di, TTO_FRAME_TOPIC_REMOVE, &room, remove_t), "forbidden");
  expect_code (requestf (di, TTO_FRAME_TOPIC_DECIDE, &room, "\"proposal_id\":\"%s\",\"accept\":true", proposal_id),
               "forbidden");
  expect_code (try_send (&room, di, "hi", NULL, t), "forbidden");
  /* Unknown event. */
  expect_code (tto_test_client_request (room.ana, TTO_FRAME_TOPIC_LIST,
                                        tto_test_json_object ("{\"event_id\":\"nosuchevent0000x\"}")),
               "not_found");
  /* Nothing changed. */
  {
    g_autofree char *tree = listed_tree (&room, room.ana);

    g_assert_cmpstr (tree, ==, "main<-:3 Tasks<main:0");
  }

  /* Its own creator and the event's creator may. */
  expect_code (request (room.bo, TTO_FRAME_TOPIC_RENAME, &room, rename_t), NULL);
  expect_code (requestf (room.ana, TTO_FRAME_TOPIC_RENAME, &room, "\"topic_id\":\"%s\",\"title\":\"Jobs\"", t),
               NULL);
  g_assert_cmpint (tto_test_relay_query_intf (relay,
                                              "SELECT COUNT(*) FROM topics WHERE id = '%s' AND"
                                              " title = 'Jobs'",
                                              t),
                   ==, 1);

  /* With the grant: proposals reach the member, who may decide, rename
   * and remove others' topics. */
  tto_frame_free (tto_test_client_request_ok (
    room.ana, TTO_FRAME_MEMBER_GRANT,
    tto_test_json_object ("{\"event_id\":\"%s\",\"identity_id\":\"%s\",\"permission\":"
                          "\"topic_manage\",\"duration\":null}",
                          room.event_id, tto_test_client_get_identity_id (room.cy))));
  {
    g_autoptr (JsonObject) body = list (&room, room.cy);

    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (body, "proposals")),
                      ==, 1);
  }
  g_free (send (&room, room.bo, "#tasks: more", NULL, NULL));
  {
    g_autoptr (JsonObject) grown = wait_proposal (room.cy);

    /* The pending proposal grew: same id, four messages. */
    g_assert_cmpstr (json_object_get_string_member (grown, "id"), ==, proposal_id);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (grown, "msg_ids")), ==,
                      4);
  }
  expect_code (request (room.cy, TTO_FRAME_TOPIC_RENAME, &room, rename_t), NULL);
  expect_code (requestf (room.cy, TTO_FRAME_TOPIC_DECIDE, &room, "\"proposal_id\":\"%s\",\"accept\":true", proposal_id),
               NULL);
  {
    g_autofree char *tree = listed_tree (&room, room.bo);

    g_assert_cmpstr (tree, ==, "main<-:0 Chores<main:0 #tasks<main:4");
  }
  expect_code (request (room.cy, TTO_FRAME_TOPIC_REMOVE, &room, remove_t), NULL);

  /* Revoked: refused again. */
  tto_frame_free (tto_test_client_request_ok (
    room.ana, TTO_FRAME_MEMBER_REVOKE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"identity_id\":\"%s\",\"permission\":"
                          "\"topic_manage\"}",
                          room.event_id, tto_test_client_get_identity_id (room.cy))));
  {
    g_autofree char *m2 = send (&room, room.bo, "Board games?", NULL, NULL);
    g_autoptr (JsonObject) games = create_topic (&room, room.bo, m2, "Games");
    g_autoptr (JsonObject) body = list (&room, room.ana);
    JsonArray *topics = json_object_get_array_member (body, "topics");
    const char *tasks_id = json_object_get_string_member (json_array_get_object_element (topics, 1),
                                                          "id");

    /* Not another's topic any more; its own (the one it accepted) still. */
    expect_code (requestf (room.cy, TTO_FRAME_TOPIC_REMOVE, &room, "\"topic_id\":\"%s\"",
                           json_object_get_string_member (games, "id")),
                 "forbidden");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (topics, 1),
                                                    "title"),
                     ==, "#tasks");
    expect_code (requestf (room.cy, TTO_FRAME_TOPIC_REMOVE, &room, "\"topic_id\":\"%s\"",
                           tasks_id),
                 NULL);
  }

  tto_test_client_close (di);
  room_close (&room);
}

/* An event holds at most 100 topics, the main one included. The rows are
 * written straight into the database and read by a second relay (as after
 * a restart), which is much quicker than 98 topic.create. */
static void
test_limit (void)
{
  TtoTestRelay *relay = tto_test_relay_start (GRACE);
  TtoTestRelay *again;
  TtoTestClient *bo;
  Room room = { 0 };
  const char *args[] = { "--mysql-database", NULL, NULL };
  g_autofree char *m = NULL;

  if (relay == NULL)
    return;
  room_open (&room, relay);
  for (guint i = 1; i < TTO_PROTOCOL_MAX_TOPICS - 1; i++)
    {
      g_autofree char *sql = g_strdup_printf (
        "INSERT INTO topics (event_id, id, parent_id, title, created_by, created_at, position)"
        " VALUES ('%s', 'limit%011u', 'main', 'Thing %u', NULL, 1798675200, %u)",
        room.event_id, i, i, i);

      tto_test_relay_exec (relay, sql);
    }

  args[1] = tto_test_relay_get_database (relay);
  again = tto_test_relay_start_with_args (GRACE, args);
  bo = tto_test_client_connect (again);
  tto_test_client_auth (bo, tto_test_client_get_token (room.bo));
  m = send (&room, bo, "So many things", NULL, NULL);
  json_object_unref (create_topic (&room, bo, m, "The last one"));
  expect_code (requestf (bo, TTO_FRAME_TOPIC_CREATE, &room,
                         "\"from_msg_id\":\"%s\",\"title\":\"One too many\"", m),
               "conflict");
  g_assert_cmpint (tto_test_relay_query_intf (relay,
                                              "SELECT COUNT(*) FROM topics WHERE event_id = '%s'",
                                              room.event_id),
                   ==, TTO_PROTOCOL_MAX_TOPICS - 1);
  {
    g_autoptr (TtoFrame) ok = request (bo, TTO_FRAME_TOPIC_LIST, &room, "");
    g_autofree char *text = tto_frame_serialize (ok, NULL);
    JsonArray *topics = json_object_get_array_member (ok->body, "topics");

    g_assert_cmpuint (json_array_get_length (topics), ==, TTO_PROTOCOL_MAX_TOPICS);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (topics, 99),
                                                    "title"),
                     ==, "The last one");
    g_test_message ("topic.list of %d topics: %zu bytes", TTO_PROTOCOL_MAX_TOPICS, strlen (text));
    g_assert_cmpuint (strlen (text), <, TTO_PROTOCOL_MAX_FRAME_BYTES);
  }

  tto_test_client_close (bo);
  tto_test_relay_stop (again);
  room_close (&room);
}

/* The tree is metadata: a relay started on the same database has it. */
static void
test_restart (void)
{
  TtoTestRelay *relay = tto_test_relay_start (GRACE);
  TtoTestRelay *again;
  TtoTestClient *ana;
  Room room = { 0 };
  g_autoptr (JsonObject) topic = NULL;
  g_autofree char *m = NULL;
  const char *args[] = { "--mysql-database", NULL, NULL };

  if (relay == NULL)
    return;
  room_open (&room, relay);
  m = send (&room, room.bo, "Where do we meet?", NULL, NULL);
  topic = create_topic (&room, room.bo, m, "Meeting point");

  args[1] = tto_test_relay_get_database (relay);
  again = tto_test_relay_start_with_args (GRACE, args);
  ana = tto_test_client_connect (again);
  tto_test_client_auth (ana, tto_test_client_get_token (room.ana));
  {
    g_autoptr (TtoFrame) ok = request (ana, TTO_FRAME_TOPIC_LIST, &room, "");
    JsonArray *topics;
    JsonObject *restored;

    g_assert_true (tto_frame_is (ok, TTO_FRAME_OK));
    topics = json_object_get_array_member (ok->body, "topics");
    g_assert_cmpuint (json_array_get_length (topics), ==, 2);
    restored = json_array_get_object_element (topics, 1);
    g_assert_cmpstr (json_object_get_string_member (restored, "id"), ==,
                     json_object_get_string_member (topic, "id"));
    g_assert_cmpstr (json_object_get_string_member (restored, "title"), ==, "Meeting point");
    g_assert_cmpstr (json_object_get_string_member (restored, "created_by"), ==,
                     tto_test_client_get_identity_id (room.bo));
    /* Messages never outlive a relay: none in it. */
    g_assert_cmpint (json_object_get_int_member (restored, "message_count"), ==, 0);
  }
  /* New topics continue the order. */
  {
    g_autofree char *m2 = NULL;
    JsonObject *body = json_object_new ();
    g_autoptr (TtoFrame) sent = NULL;
    g_autoptr (TtoFrame) created = NULL;

    json_object_set_string_member (body, "event_id", room.event_id);
    json_object_set_string_member (body, "client_msg_id", "again-1");
    json_object_set_string_member (body, "text", "Here");
    sent = tto_test_client_request_ok (ana, TTO_FRAME_MSG_SEND, body);
    m2 = g_strdup (tto_frame_get_string (sent, "msg_id"));
    created = requestf (ana, TTO_FRAME_TOPIC_CREATE, &room, "\"from_msg_id\":\"%s\",\"title\":\"Later\"", m2);
    g_assert_true (tto_frame_is (created, TTO_FRAME_OK));
    g_assert_cmpint (tto_test_relay_query_intf (relay,
                                                "SELECT position FROM topics WHERE title = "
                                                "'Later'"),
                     ==, 2);
  }

  tto_test_client_close (ana);
  tto_test_relay_stop (again);
  room_close (&room);
}

int
main (int argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/topics/detect/tag-syntax", test_detect_tag_syntax);
  g_test_add_func ("/topics/detect/reply-chains", test_detect_reply_chains);
  g_test_add_func ("/topics/detect/tags", test_detect_tags);
  g_test_add_func ("/topics/detect/decisions", test_detect_decisions);
  g_test_add_func ("/topics/detect/limits", test_detect_limits);
  g_test_add_func ("/topics/relay/create-send-remove", test_create_send_remove);
  g_test_add_func ("/topics/relay/proposals", test_proposals);
  g_test_add_func ("/topics/relay/authorisation", test_authorisation);
  g_test_add_func ("/topics/relay/limit", test_limit);
  g_test_add_func ("/topics/relay/restart", test_restart);

  return g_test_run ();
}
