/* tto-frame-topics.c: the frames of the topic tree (PROTOCOL.md, Topics)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "tto-frame-private.h"

static const FieldSpec topic_list_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  END_FIELDS
};

static const FieldSpec topic_create_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "from_msg_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "title", FIELD_STRING, TRUE, FALSE, 1, TTO_PROTOCOL_MAX_TOPIC_TITLE_CHARS },
  END_FIELDS
};

static const FieldSpec topic_rename_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "topic_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "title", FIELD_STRING, TRUE, FALSE, 1, TTO_PROTOCOL_MAX_TOPIC_TITLE_CHARS },
  END_FIELDS
};

static const FieldSpec topic_remove_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "topic_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  END_FIELDS
};

static const FieldSpec topic_decide_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "proposal_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "accept", FIELD_BOOL, TRUE, FALSE, 0, 0 },
  { "title", FIELD_STRING, FALSE, FALSE, 1, TTO_PROTOCOL_MAX_TOPIC_TITLE_CHARS },
  END_FIELDS
};

static const FieldSpec topic_updated_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "topics", FIELD_ARRAY, TRUE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec topic_proposed_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "proposal", FIELD_OBJECT, TRUE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec topic_decided_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "proposal_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "accepted", FIELD_BOOL, TRUE, FALSE, 0, 0 },
  { "topic_id", FIELD_STRING, FALSE, TRUE, 1, 64 },
  END_FIELDS
};

/* A title of only blanks would show as an empty row. */
static gboolean
check_title (JsonObject *body,
             GError **error)
{
  const char *title;
  g_autofree char *trimmed = NULL;

  if (!json_object_has_member (body, "title"))
    return TRUE;

  title = json_object_get_string_member (body, "title");
  trimmed = g_strstrip (g_strdup (title));
  if (trimmed[0] == '\0')
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.title must not be blank");
      return FALSE;
    }

  return TRUE;
}

const FrameSpec tto_frame_topics_specs[] = {
  { TTO_FRAME_TOPIC_LIST, TTO_FRAME_FROM_CLIENT, topic_list_fields, NULL },
  { TTO_FRAME_TOPIC_CREATE, TTO_FRAME_FROM_CLIENT, topic_create_fields, check_title },
  { TTO_FRAME_TOPIC_RENAME, TTO_FRAME_FROM_CLIENT, topic_rename_fields, check_title },
  { TTO_FRAME_TOPIC_REMOVE, TTO_FRAME_FROM_CLIENT, topic_remove_fields, NULL },
  { TTO_FRAME_TOPIC_DECIDE, TTO_FRAME_FROM_CLIENT, topic_decide_fields, check_title },
  { TTO_FRAME_TOPIC_UPDATED, TTO_FRAME_FROM_RELAY, topic_updated_fields, NULL },
  { TTO_FRAME_TOPIC_PROPOSED, TTO_FRAME_FROM_RELAY, topic_proposed_fields, NULL },
  { TTO_FRAME_TOPIC_DECIDED, TTO_FRAME_FROM_RELAY, topic_decided_fields, NULL },
};
const guint tto_frame_topics_n_specs = G_N_ELEMENTS (tto_frame_topics_specs);
