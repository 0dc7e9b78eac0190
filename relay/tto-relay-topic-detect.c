/* tto-relay-topic-detect.c: sub-topic proposals from reply chains and tags
 *
 * The rules are those of PROTOCOL.md ("How the relay proposes"). Nothing
 * here reads a clock or a random source except for proposal ids, so the
 * same messages in the same order give the same proposals; the relay feeds
 * messages one at a time, tto_topic_detect () a whole list.
 *
 * Tags are message text: they are kept only as long as the event lives
 * and wiped when freed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include <string.h>

#include "tto-ids.h"
#include "tto-protocol.h"
#include "tto-relay-topic-detect.h"
#include "tto-util.h"

typedef struct
{
  char *msg_id;
  char *reply_to;
  char *topic_id;
  guint64 order;
  GPtrArray *tags;    /* char *, case-folded, unique */
  GPtrArray *written; /* char *, each tag as written, same index */
  gboolean recalled;
  gboolean decided;            /* was in a chain proposal someone decided on */
  TtoTopicProposal *chain;     /* the pending chain proposal holding it */
} Record;

struct _TtoTopicDetector
{
  GHashTable *records;      /* msg id → Record */
  guint64 next_order;
  GHashTable *tag_index;    /* "topic\x1f#tag" → GPtrArray of Record, noted order */
  GHashTable *pending_tags; /* "topic\x1f#tag" → TtoTopicProposal (in pending) */
  GHashTable *decided_tags; /* "topic\x1f#tag" set */
  GPtrArray *pending;       /* TtoTopicProposal, oldest first */
};

const char *
tto_topic_proposal_kind_to_string (TtoTopicProposalKind kind)
{
  return kind == TTO_TOPIC_PROPOSAL_TAG ? "tag" : "reply_chain";
}

void
tto_topic_proposal_free (TtoTopicProposal *proposal)
{
  if (proposal == NULL)
    return;

  g_free (proposal->id);
  tto_str_wipe_free (proposal->tag);
  tto_str_wipe_free (proposal->title);
  g_free (proposal->parent_id);
  g_hash_table_unref (proposal->held);
  g_ptr_array_unref (proposal->msg_ids);
  g_free (proposal);
}

static void
wipe_strings (GPtrArray *strings)
{
  for (guint i = 0; strings != NULL && i < strings->len; i++)
    {
      char *s = strings->pdata[i];

      explicit_bzero (s, strlen (s));
    }
}

static void
record_free (gpointer data)
{
  Record *record = data;

  g_free (record->msg_id);
  g_free (record->reply_to);
  g_free (record->topic_id);
  wipe_strings (record->tags);
  wipe_strings (record->written);
  g_clear_pointer (&record->tags, g_ptr_array_unref);
  g_clear_pointer (&record->written, g_ptr_array_unref);
  g_free (record);
}

static void
key_free (gpointer key)
{
  tto_str_wipe_free (key);
}

TtoTopicDetector *
tto_topic_detector_new (void)
{
  TtoTopicDetector *detector = g_new0 (TtoTopicDetector, 1);

  detector->records = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, record_free);
  detector->tag_index = g_hash_table_new_full (g_str_hash, g_str_equal, key_free,
                                               (GDestroyNotify) g_ptr_array_unref);
  detector->pending_tags = g_hash_table_new_full (g_str_hash, g_str_equal, key_free, NULL);
  detector->decided_tags = g_hash_table_new_full (g_str_hash, g_str_equal, key_free, NULL);
  detector->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) tto_topic_proposal_free);

  return detector;
}

void
tto_topic_detector_free (TtoTopicDetector *detector)
{
  if (detector == NULL)
    return;

  /* Proposals first: records point at them. */
  g_hash_table_unref (detector->pending_tags);
  g_ptr_array_unref (detector->pending);
  g_hash_table_unref (detector->tag_index);
  g_hash_table_unref (detector->decided_tags);
  g_hash_table_unref (detector->records);
  g_free (detector);
}

/* Tags */

static gboolean
is_tag_char (gunichar c)
{
  return c != 0 && (g_unichar_isalnum (c) || g_unichar_ismark (c) || c == '_');
}

static char *
fold_tag (const char *written)
{
  char *folded = g_utf8_casefold (written, -1);
  char *normal = g_utf8_normalize (folded, -1, G_NORMALIZE_ALL_COMPOSE);

  tto_str_wipe_free (folded);
  return normal;
}

/* The distinct tags of @text, case-folded, in the order they first appear;
 * @out_written (optional) receives each as first written. A tag is '#'
 * and 1–64 letters, digits, marks or '_', not glued to a preceding word. */
GPtrArray *
tto_topic_extract_tags (const char *text,
                        GPtrArray **out_written)
{
  GPtrArray *tags = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *written = g_ptr_array_new_with_free_func (g_free);
  gunichar previous = 0;
  const char *p = text;

  while (p != NULL && *p != '\0' && tags->len < TTO_TOPIC_DETECT_MAX_TAGS)
    {
      gunichar c = g_utf8_get_char (p);
      const char *next = g_utf8_next_char (p);

      if (c == '#' && !is_tag_char (previous))
        {
          const char *end = next;
          gunichar last = c;
          guint chars = 0;

          while (*end != '\0' && is_tag_char (g_utf8_get_char (end)))
            {
              last = g_utf8_get_char (end);
              end = g_utf8_next_char (end);
              chars++;
            }

          if (chars >= 1 && chars <= TTO_TOPIC_DETECT_MAX_TAG_CHARS)
            {
              char *as_written = g_strndup (p, end - p);
              char *folded = fold_tag (as_written);
              gboolean seen = FALSE;

              for (guint i = 0; i < tags->len && !seen; i++)
                seen = g_str_equal (tags->pdata[i], folded);
              if (seen)
                {
                  tto_str_wipe_free (folded);
                  tto_str_wipe_free (as_written);
                }
              else
                {
                  g_ptr_array_add (tags, folded);
                  g_ptr_array_add (written, as_written);
                }
            }
          if (chars > 0)
            {
              previous = last;
              p = end;
              continue;
            }
        }

      previous = c;
      p = next;
    }

  if (out_written != NULL)
    *out_written = written;
  else
    {
      wipe_strings (written);
      g_ptr_array_unref (written);
    }

  return tags;
}

static char *
tag_key (const char *topic_id,
         const char *tag)
{
  return g_strconcat (topic_id, "\x1f", tag, NULL);
}

static void
index_add (TtoTopicDetector *detector,
           Record *record)
{
  for (guint i = 0; record->tags != NULL && i < record->tags->len; i++)
    {
      char *key = tag_key (record->topic_id, record->tags->pdata[i]);
      GPtrArray *list = g_hash_table_lookup (detector->tag_index, key);
      guint at;

      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (detector->tag_index, key, list);
        }
      else
        tto_str_wipe_free (key);

      /* Moves may bring older messages in: keep noted order. */
      for (at = list->len; at > 0; at--)
        if (((Record *) list->pdata[at - 1])->order < record->order)
          break;
      g_ptr_array_insert (list, (gint) at, record);
    }
}

static void
index_remove (TtoTopicDetector *detector,
              Record *record)
{
  for (guint i = 0; record->tags != NULL && i < record->tags->len; i++)
    {
      g_autofree char *key = tag_key (record->topic_id, record->tags->pdata[i]);
      GPtrArray *list = g_hash_table_lookup (detector->tag_index, key);

      if (list != NULL)
        {
          g_ptr_array_remove (list, record);
          if (list->len == 0)
            g_hash_table_remove (detector->tag_index, key);
        }
      explicit_bzero (key, strlen (key));
    }
}

/* Proposals */

static gboolean
proposal_holds (TtoTopicProposal *proposal,
                const char *msg_id)
{
  return g_hash_table_contains (proposal->held, msg_id);
}

/* Adds @record in noted order; FALSE if it was there or the proposal is
 * full. */
static gboolean
proposal_add (TtoTopicDetector *detector,
              TtoTopicProposal *proposal,
              Record *record)
{
  char *msg_id;
  guint at;

  if (proposal_holds (proposal, record->msg_id) ||
      proposal->msg_ids->len >= TTO_TOPIC_DETECT_MAX_PROPOSAL_MESSAGES)
    return FALSE;

  for (at = proposal->msg_ids->len; at > 0; at--)
    {
      Record *other = g_hash_table_lookup (detector->records, proposal->msg_ids->pdata[at - 1]);

      if (other == NULL || other->order < record->order)
        break;
    }
  msg_id = g_strdup (record->msg_id);
  g_ptr_array_insert (proposal->msg_ids, (gint) at, msg_id);
  g_hash_table_add (proposal->held, msg_id);
  return TRUE;
}

/* "Never two pending proposals for the same messages": TRUE when one
 * pending proposal holds all the messages a proposal of @records would
 * (the first TTO_TOPIC_DETECT_MAX_PROPOSAL_MESSAGES). At most pending ×
 * that many lookups. */
static gboolean
covered_by_pending (TtoTopicDetector *detector,
                    GPtrArray *records)
{
  guint n = MIN (records->len, TTO_TOPIC_DETECT_MAX_PROPOSAL_MESSAGES);

  for (guint p = 0; p < detector->pending->len; p++)
    {
      TtoTopicProposal *proposal = detector->pending->pdata[p];
      gboolean all = TRUE;

      for (guint i = 0; i < n && all; i++)
        all = proposal_holds (proposal, ((Record *) records->pdata[i])->msg_id);
      if (all)
        return TRUE;
    }

  return FALSE;
}

static TtoTopicProposal *
proposal_new (TtoTopicProposalKind kind,
              const char *tag,
              const char *title,
              const char *parent_id,
              GPtrArray *records)
{
  TtoTopicProposal *proposal = g_new0 (TtoTopicProposal, 1);

  proposal->id = tto_id_new ();
  proposal->kind = kind;
  proposal->tag = g_strdup (tag);
  proposal->title = g_strdup (title);
  proposal->parent_id = g_strdup (parent_id);
  proposal->msg_ids = g_ptr_array_new_with_free_func (g_free);
  proposal->held = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < records->len && i < TTO_TOPIC_DETECT_MAX_PROPOSAL_MESSAGES; i++)
    {
      char *msg_id = g_strdup (((Record *) records->pdata[i])->msg_id);

      g_ptr_array_add (proposal->msg_ids, msg_id);
      g_hash_table_add (proposal->held, msg_id);
    }

  return proposal;
}

static void
add_changed (GPtrArray *changed,
             TtoTopicProposal *proposal)
{
  if (!g_ptr_array_find (changed, proposal, NULL))
    g_ptr_array_add (changed, proposal);
}

/* Follows reply_to back from @record within its topic. */
static void
note_chain (TtoTopicDetector *detector,
            Record *record,
            GPtrArray *changed)
{
  g_autoptr (GPtrArray) path = g_ptr_array_new ();
  TtoTopicProposal *target = NULL;
  gboolean rooted = FALSE;
  Record *current = record;

  if (record->reply_to == NULL)
    return;

  g_ptr_array_add (path, record);
  for (guint steps = 0;; steps++)
    {
      Record *quoted;

      /* No chain through a decided message is proposed, so none through
       * the path either: marking it saves the next reply the walk. Past
       * the walk's end only this message is marked: a shorter branch of
       * the chain may still be proposed. */
      if (current->decided)
        {
          for (guint i = 0; i < path->len; i++)
            ((Record *) path->pdata[i])->decided = TRUE;
          return;
        }
      if (steps >= TTO_TOPIC_DETECT_MAX_WALK)
        {
          record->decided = TRUE;
          return;
        }
      if (current->chain != NULL)
        {
          target = current->chain;
          break;
        }
      if (current->reply_to == NULL)
        {
          rooted = TRUE;
          break;
        }
      quoted = g_hash_table_lookup (detector->records, current->reply_to);
      /* The chain continues from another topic, a recalled or an unknown
       * message: it is rooted at a reply. */
      if (quoted == NULL || quoted->recalled || !g_str_equal (quoted->topic_id, record->topic_id))
        break;
      g_ptr_array_add (path, quoted);
      current = quoted;
    }

  if (target != NULL)
    {
      /* A later reply to a pending chain joins it. Once it is full, the
       * overflow counts as decided: it is not proposed apart, and later
       * replies stop there instead of walking the whole chain again. */
      for (guint i = path->len; i > 0; i--)
        {
          Record *member = path->pdata[i - 1];

          if (member->chain != NULL)
            continue;
          if (proposal_add (detector, target, member))
            member->chain = target;
          else
            member->decided = TRUE;
        }
      add_changed (changed, target);
      return;
    }

  if (!rooted || path->len < TTO_TOPIC_DETECT_CHAIN_LENGTH ||
      detector->pending->len >= TTO_TOPIC_DETECT_MAX_PENDING)
    return;

  /* Oldest first. */
  for (guint i = 0; i < path->len / 2; i++)
    {
      gpointer swap = path->pdata[i];

      path->pdata[i] = path->pdata[path->len - 1 - i];
      path->pdata[path->len - 1 - i] = swap;
    }
  if (covered_by_pending (detector, path))
    return;

  target = proposal_new (TTO_TOPIC_PROPOSAL_REPLY_CHAIN, NULL, "Reply thread", record->topic_id,
                         path);
  for (guint i = 0; i < target->msg_ids->len; i++)
    ((Record *) path->pdata[i])->chain = target;
  g_ptr_array_add (detector->pending, target);
  add_changed (changed, target);
}

static void
note_tags (TtoTopicDetector *detector,
           Record *record,
           GPtrArray *changed)
{
  for (guint i = 0; record->tags != NULL && i < record->tags->len; i++)
    {
      const char *tag = record->tags->pdata[i];
      g_autofree char *key = tag_key (record->topic_id, tag);
      TtoTopicProposal *proposal = g_hash_table_lookup (detector->pending_tags, key);
      GPtrArray *list;

      if (proposal != NULL)
        {
          if (proposal_add (detector, proposal, record))
            add_changed (changed, proposal);
        }
      else if (!g_hash_table_contains (detector->decided_tags, key) &&
               (list = g_hash_table_lookup (detector->tag_index, key)) != NULL &&
               list->len >= TTO_TOPIC_DETECT_TAG_COUNT &&
               detector->pending->len < TTO_TOPIC_DETECT_MAX_PENDING &&
               !covered_by_pending (detector, list))
        {
          Record *first = list->pdata[0];
          const char *title = tag;

          for (guint t = 0; t < first->tags->len; t++)
            if (g_str_equal (first->tags->pdata[t], tag))
              title = first->written->pdata[t];

          proposal = proposal_new (TTO_TOPIC_PROPOSAL_TAG, tag, title, record->topic_id, list);
          g_ptr_array_add (detector->pending, proposal);
          g_hash_table_insert (detector->pending_tags, g_strdup (key), proposal);
          add_changed (changed, proposal);
        }
      explicit_bzero (key, strlen (key));
    }
}

/* Notes an accepted message, in seq order. Returns the proposals it made
 * or grew (the array is the caller's, the proposals are not). */
GPtrArray *
tto_topic_detector_note (TtoTopicDetector *detector,
                         const TtoTopicDetectMessage *message)
{
  GPtrArray *changed = g_ptr_array_new ();
  Record *record;

  g_return_val_if_fail (detector != NULL, changed);
  g_return_val_if_fail (message != NULL && message->msg_id != NULL, changed);

  if (g_hash_table_contains (detector->records, message->msg_id))
    return changed;

  record = g_new0 (Record, 1);
  record->msg_id = g_strdup (message->msg_id);
  record->reply_to = g_strdup (message->reply_to);
  record->topic_id = g_strdup (message->topic_id != NULL ? message->topic_id : TTO_TOPIC_MAIN);
  record->order = detector->next_order++;
  record->tags = tto_topic_extract_tags (message->text, &record->written);
  g_hash_table_insert (detector->records, record->msg_id, record);
  index_add (detector, record);

  note_chain (detector, record, changed);
  note_tags (detector, record, changed);

  return changed;
}

/* The message's text changed (edit), or it was recalled (@text NULL): its
 * tags follow. Changes make no new proposal; a recalled message ends any
 * chain through it. */
void
tto_topic_detector_retext (TtoTopicDetector *detector,
                           const char *msg_id,
                           const char *text)
{
  Record *record = g_hash_table_lookup (detector->records, msg_id);

  if (record == NULL || record->recalled)
    return;

  index_remove (detector, record);
  wipe_strings (record->tags);
  wipe_strings (record->written);
  g_clear_pointer (&record->tags, g_ptr_array_unref);
  g_clear_pointer (&record->written, g_ptr_array_unref);
  if (text == NULL)
    {
      record->recalled = TRUE;
      return;
    }
  record->tags = tto_topic_extract_tags (text, &record->written);
  index_add (detector, record);
}

/* The message now belongs to @topic_id. Call take_stale () after a batch
 * of moves. */
void
tto_topic_detector_move (TtoTopicDetector *detector,
                         const char *msg_id,
                         const char *topic_id)
{
  Record *record = g_hash_table_lookup (detector->records, msg_id);

  if (record == NULL || g_str_equal (record->topic_id, topic_id))
    return;

  index_remove (detector, record);
  g_free (record->topic_id);
  record->topic_id = g_strdup (topic_id);
  index_add (detector, record);
}

const char *
tto_topic_detector_get_topic (TtoTopicDetector *detector,
                              const char *msg_id)
{
  Record *record = g_hash_table_lookup (detector->records, msg_id);

  return record != NULL ? record->topic_id : NULL;
}

static void
forget_pending (TtoTopicDetector *detector,
                TtoTopicProposal *proposal)
{

  for (guint i = 0; i < proposal->msg_ids->len; i++)
    {
      Record *record = g_hash_table_lookup (detector->records, proposal->msg_ids->pdata[i]);

      if (record != NULL && record->chain == proposal)
        record->chain = NULL;
    }
  if (proposal->tag != NULL)
    {
      g_autofree char *key = tag_key (proposal->parent_id, proposal->tag);

      if (g_hash_table_lookup (detector->pending_tags, key) == proposal)
        g_hash_table_remove (detector->pending_tags, key);
      explicit_bzero (key, strlen (key));
    }
}

/* Removes and returns (owned) the pending proposals whose messages are no
 * longer all in the proposal's topic. */
GPtrArray *
tto_topic_detector_take_stale (TtoTopicDetector *detector)
{
  GPtrArray *stale = g_ptr_array_new_with_free_func ((GDestroyNotify) tto_topic_proposal_free);

  for (guint p = detector->pending->len; p > 0; p--)
    {
      TtoTopicProposal *proposal = detector->pending->pdata[p - 1];
      gboolean moved = FALSE;

      if (proposal->busy)
        continue;
      for (guint i = 0; i < proposal->msg_ids->len && !moved; i++)
        {
          const char *topic = tto_topic_detector_get_topic (detector, proposal->msg_ids->pdata[i]);

          moved = g_strcmp0 (topic, proposal->parent_id) != 0;
        }
      if (!moved)
        continue;

      forget_pending (detector, proposal);
      g_ptr_array_insert (stale, 0, g_ptr_array_steal_index (detector->pending, p - 1));
    }

  return stale;
}

TtoTopicProposal *
tto_topic_detector_lookup (TtoTopicDetector *detector,
                           const char *proposal_id)
{
  for (guint p = 0; p < detector->pending->len; p++)
    {
      TtoTopicProposal *proposal = detector->pending->pdata[p];

      if (g_str_equal (proposal->id, proposal_id))
        return proposal;
    }

  return NULL;
}

/* Someone accepted (@new_topic_id set: the topic made from it) or
 * dismissed the proposal: it goes, and is not proposed again. */
void
tto_topic_detector_decide (TtoTopicDetector *detector,
                           const char *proposal_id,
                           const char *new_topic_id)
{
  TtoTopicProposal *proposal = tto_topic_detector_lookup (detector, proposal_id);

  if (proposal == NULL)
    return;

  forget_pending (detector, proposal);
  if (proposal->kind == TTO_TOPIC_PROPOSAL_REPLY_CHAIN)
    {
      for (guint i = 0; i < proposal->msg_ids->len; i++)
        {
          Record *record = g_hash_table_lookup (detector->records, proposal->msg_ids->pdata[i]);

          if (record != NULL)
            record->decided = TRUE;
        }
    }
  else
    {
      g_hash_table_add (detector->decided_tags, tag_key (proposal->parent_id, proposal->tag));
      /* The tagged messages live on in the new topic: not proposed there
       * either. */
      if (new_topic_id != NULL)
        g_hash_table_add (detector->decided_tags, tag_key (new_topic_id, proposal->tag));
    }
  g_ptr_array_remove (detector->pending, proposal);
}

/* Pending proposals, oldest first (borrowed). */
GPtrArray *
tto_topic_detector_get_pending (TtoTopicDetector *detector)
{
  return detector->pending;
}

/* The proposals pending after noting @messages in order, with nothing
 * decided: a pure function of its input (except the proposal ids). */
GPtrArray *
tto_topic_detect (const TtoTopicDetectMessage *messages,
                  guint n_messages)
{
  g_autoptr (TtoTopicDetector) detector = tto_topic_detector_new ();
  GPtrArray *proposals = g_ptr_array_new_with_free_func ((GDestroyNotify) tto_topic_proposal_free);

  for (guint i = 0; i < n_messages; i++)
    g_ptr_array_unref (tto_topic_detector_note (detector, &messages[i]));

  while (detector->pending->len > 0)
    {
      TtoTopicProposal *proposal = detector->pending->pdata[0];

      forget_pending (detector, proposal);
      g_ptr_array_add (proposals, g_ptr_array_steal_index (detector->pending, 0));
    }

  return proposals;
}
