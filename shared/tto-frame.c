/* tto-frame.c: envelope parsing, schema validation and serialisation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "tto-cidr.h"
#include "tto-frame-private.h"


static gboolean node_has_type (JsonNode *node,
                               FieldType type);
static gboolean check_admission (JsonObject *body,
                                 GError **error);

static const FieldSpec no_fields[] = { END_FIELDS };

static const FieldSpec identity_create_fields[] = {
  { "kind", FIELD_STRING, FALSE, FALSE, 1, 32 },
  { "lifetime", FIELD_STRING, FALSE, FALSE, 1, 32 },
  { "display_name", FIELD_STRING, TRUE, FALSE, 1, TTO_PROTOCOL_MAX_NAME_CHARS },
  END_FIELDS
};

static const FieldSpec auth_fields[] = {
  { "token", FIELD_STRING, TRUE, FALSE, 1, 256 },
  END_FIELDS
};

static const FieldSpec event_create_fields[] = {
  { "title", FIELD_STRING, TRUE, FALSE, 1, TTO_PROTOCOL_MAX_TITLE_CHARS },
  { "content", FIELD_STRING, FALSE, FALSE, 0, TTO_PROTOCOL_MAX_CONTENT_CHARS },
  { "announcement", FIELD_STRING, FALSE, FALSE, 0, TTO_PROTOCOL_MAX_ANNOUNCEMENT_CHARS },
  { "deadline", FIELD_INT, FALSE, TRUE, 0, 0 },
  { "admission", FIELD_STRING, FALSE, FALSE, 1, 32 },
  { "edit_window", FIELD_INT, FALSE, FALSE, 0, 0 },
  { "recall_window", FIELD_INT, FALSE, FALSE, 0, 0 },
  { "forms", FIELD_ARRAY, FALSE, FALSE, 0, 0 },
  { "rules", FIELD_OBJECT, FALSE, FALSE, 0, 0 },
  { "invite_expires_at", FIELD_INT, FALSE, TRUE, 0, 0 },
  { "stages", FIELD_ARRAY, FALSE, FALSE, 0, 0 },
  { "ip_allow", FIELD_ARRAY, FALSE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec event_update_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "edit_window", FIELD_INT, FALSE, FALSE, 0, 0 },
  { "recall_window", FIELD_INT, FALSE, FALSE, 0, 0 },
  { "forms", FIELD_ARRAY, FALSE, FALSE, 0, 0 },
  { "admission", FIELD_STRING, FALSE, FALSE, 1, 32 },
  { "rules", FIELD_OBJECT, FALSE, FALSE, 0, 0 },
  { "invite_expires_at", FIELD_INT, FALSE, TRUE, 0, 0 },
  { "announcement", FIELD_STRING, FALSE, FALSE, 0, TTO_PROTOCOL_MAX_ANNOUNCEMENT_CHARS },
  { "ip_allow", FIELD_ARRAY, FALSE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec msg_edit_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "msg_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "text", FIELD_STRING, TRUE, FALSE, 1, TTO_PROTOCOL_MAX_TEXT_CHARS },
  END_FIELDS
};

static const FieldSpec msg_recall_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "msg_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  END_FIELDS
};

static const FieldSpec receipt_read_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "seq", FIELD_INT, TRUE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec member_grant_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "identity_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "permission", FIELD_STRING, TRUE, FALSE, 1, 32 },
  { "duration", FIELD_INT, TRUE, TRUE, 0, 0 },
  END_FIELDS
};

static const FieldSpec member_revoke_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "identity_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "permission", FIELD_STRING, TRUE, FALSE, 1, 32 },
  END_FIELDS
};

static const FieldSpec export_fetch_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "after_seq", FIELD_INT, FALSE, FALSE, 0, 0 },
  { "limit", FIELD_INT, FALSE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec call_invite_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "call_id", FIELD_STRING, FALSE, FALSE, 1, 64 },
  { "kind", FIELD_STRING, FALSE, FALSE, 1, 16 },
  { "to", FIELD_ARRAY, TRUE, FALSE, 0, 0 },
  { "h264", FIELD_BOOL, FALSE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec call_accept_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "call_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "h264", FIELD_BOOL, FALSE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec call_id_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "call_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  END_FIELDS
};

static const FieldSpec call_sdp_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "call_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "to", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "sdp", FIELD_STRING, TRUE, FALSE, 1, TTO_PROTOCOL_MAX_SDP_BYTES },
  END_FIELDS
};

static const FieldSpec call_ice_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "call_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "to", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "candidate", FIELD_STRING, TRUE, FALSE, 0, 1024 },
  { "sdp_mline_index", FIELD_INT, TRUE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec call_recording_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "call_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "recording", FIELD_BOOL, TRUE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec call_push_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "call", FIELD_OBJECT, TRUE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec call_signal_push_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "call_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "from", FIELD_STRING, TRUE, FALSE, 1, 64 },
  END_FIELDS
};

static const FieldSpec msg_updated_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "useq", FIELD_INT, TRUE, FALSE, 0, 0 },
  { "message", FIELD_OBJECT, TRUE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec receipts_updated_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "reads", FIELD_OBJECT, TRUE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec event_updated_fields[] = {
  { "event", FIELD_OBJECT, TRUE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec member_updated_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "member", FIELD_OBJECT, TRUE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec event_id_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  END_FIELDS
};

static const FieldSpec event_join_fields[] = {
  { "invite_code", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "reason", FIELD_STRING, FALSE, FALSE, 0, TTO_PROTOCOL_MAX_REASON_CHARS },
  { "evidence", FIELD_ARRAY, FALSE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec rotate_code_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "expires_at", FIELD_INT, FALSE, TRUE, 0, 0 },
  END_FIELDS
};

static const FieldSpec review_decide_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "identity_ids", FIELD_ARRAY, TRUE, FALSE, 0, 0 },
  { "decision", FIELD_STRING, TRUE, FALSE, 1, 16 },
  { "message", FIELD_STRING, FALSE, FALSE, 0, 500 },
  END_FIELDS
};

static const FieldSpec application_update_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "reason", FIELD_STRING, FALSE, FALSE, 0, TTO_PROTOCOL_MAX_REASON_CHARS },
  { "evidence", FIELD_ARRAY, FALSE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec member_remove_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "identity_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  END_FIELDS
};

static const FieldSpec event_id_push_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  END_FIELDS
};

static const FieldSpec msg_send_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "client_msg_id", FIELD_STRING, TRUE, FALSE, 1, TTO_PROTOCOL_MAX_CLIENT_MSG_ID },
  { "text", FIELD_STRING, TRUE, FALSE, 0, TTO_PROTOCOL_MAX_TEXT_CHARS },
  { "reply_to", FIELD_STRING, FALSE, FALSE, 1, 64 },
  { "mentions", FIELD_ARRAY, FALSE, FALSE, 0, 0 },
  { "attachment", FIELD_OBJECT, FALSE, FALSE, 0, 0 },
  { "topic_id", FIELD_STRING, FALSE, FALSE, 1, 64 },
  END_FIELDS
};

static const FieldSpec resume_fields[] = {
  { "events", FIELD_OBJECT, TRUE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec ok_fields[] = { END_FIELDS };

static const FieldSpec error_fields[] = {
  { "code", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "message", FIELD_STRING, TRUE, FALSE, 0, 0 },
  { "reason", FIELD_STRING, FALSE, FALSE, 1, 64 },
  { "params", FIELD_OBJECT, FALSE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec msg_new_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "seq", FIELD_INT, TRUE, FALSE, 0, 0 },
  { "msg_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "client_msg_id", FIELD_STRING, TRUE, FALSE, 1, TTO_PROTOCOL_MAX_CLIENT_MSG_ID },
  { "sender_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "sender_name", FIELD_STRING, TRUE, FALSE, 0, 0 },
  { "text", FIELD_STRING, TRUE, FALSE, 0, 0 },
  { "ts", FIELD_INT, TRUE, FALSE, 0, 0 },
  { "reply_to", FIELD_OBJECT, FALSE, TRUE, 0, 0 },
  { "mentions", FIELD_ARRAY, FALSE, FALSE, 0, 0 },
  { "edited_at", FIELD_INT, FALSE, TRUE, 0, 0 },
  { "recalled", FIELD_BOOL, FALSE, FALSE, 0, 0 },
  { "recalled_by", FIELD_STRING, FALSE, TRUE, 0, 64 },
  { "attachment", FIELD_OBJECT, FALSE, TRUE, 0, 0 },
  { "topic_id", FIELD_STRING, FALSE, FALSE, 1, 64 },
  { "system", FIELD_BOOL, FALSE, FALSE, 0, 0 },
  { "system_event", FIELD_OBJECT, FALSE, FALSE, 0, 0 },
  END_FIELDS
};

static const FieldSpec event_ended_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "reason", FIELD_STRING, TRUE, FALSE, 1, 32 },
  END_FIELDS
};

static const FieldSpec member_joined_fields[] = {
  { "event_id", FIELD_STRING, TRUE, FALSE, 1, 64 },
  { "member", FIELD_OBJECT, TRUE, FALSE, 0, 0 },
  { "member_count", FIELD_INT, TRUE, FALSE, 0, 0 },
  END_FIELDS
};

static gboolean
check_identity_create (JsonObject *body,
                       GError **error)
{
  const char *names[] = { "kind", "lifetime" };

  /* Timed and permanent identities need a proven method: they come from
   * the sign-in frames (tto-frame-identity.c), never from a bare name. */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *kind = json_object_get_string_member_with_default (body, names[i], "one_time");

      if (!g_str_equal (kind, "one_time"))
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.%s: identity.create makes one-time identities only; timed and "
                       "permanent ones come from identity.code.verify, identity.register, "
                       "identity.login or identity.oidc.finish",
                       names[i]);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
check_window (JsonObject *body,
              const char *name,
              GError **error)
{
  gint64 value;

  if (!json_object_has_member (body, name))
    return TRUE;

  value = json_object_get_int_member (body, name);
  if (value < 0 || value > TTO_PROTOCOL_MAX_WINDOW_SECONDS)
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "body.%s must be between 0 and %d seconds", name,
                   TTO_PROTOCOL_MAX_WINDOW_SECONDS);
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_windows (JsonObject *body,
               GError **error)
{
  return check_window (body, "edit_window", error) && check_window (body, "recall_window", error);
}

/* An attachment names a blob uploaded to the same event. */
static gboolean
check_attachment (JsonObject *attachment,
                  GError **error)
{
  static const char *const kinds[] = { "image", "file", "voice", "video", "sticker", NULL };
  static const char *const strings[] = { "blob_id", "kind", "name", "thumbnail_blob_id", NULL };
  static const char *const ints[] = { "duration_ms", "width", "height", NULL };
  JsonNode *node;

  for (guint i = 0; strings[i] != NULL; i++)
    {
      node = json_object_get_member (attachment, strings[i]);
      if (node == NULL)
        continue;
      if (!node_has_type (node, FIELD_STRING) ||
          g_utf8_strlen (json_node_get_string (node), -1) > 255 ||
          !g_utf8_validate (json_node_get_string (node), -1, NULL))
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.attachment.%s must be a string of at most 255 characters",
                       strings[i]);
          return FALSE;
        }
    }
  for (guint i = 0; ints[i] != NULL; i++)
    {
      node = json_object_get_member (attachment, ints[i]);
      if (node != NULL && (!node_has_type (node, FIELD_INT) || json_node_get_int (node) < 0))
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.attachment.%s must be a non-negative integer", ints[i]);
          return FALSE;
        }
    }

  if (!json_object_has_member (attachment, "blob_id") ||
      !json_object_has_member (attachment, "kind"))
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.attachment needs blob_id and kind");
      return FALSE;
    }
  if (!g_strv_contains (kinds, json_object_get_string_member (attachment, "kind")))
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.attachment.kind must be image, file, voice, video or sticker");
      return FALSE;
    }

  node = json_object_get_member (attachment, "waveform");
  if (node != NULL)
    {
      JsonArray *waveform = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
      gboolean valid = waveform != NULL && json_array_get_length (waveform) <= 128;

      for (guint i = 0; valid && i < json_array_get_length (waveform); i++)
        {
          JsonNode *level = json_array_get_element (waveform, i);

          valid = node_has_type (level, FIELD_INT) && json_node_get_int (level) >= 0 &&
                  json_node_get_int (level) <= 255;
        }
      if (!valid)
        {
          g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                               "body.attachment.waveform must be at most 128 integers 0-255");
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
check_msg_send (JsonObject *body,
                GError **error)
{
  JsonArray *mentions;
  gboolean has_attachment = json_object_has_member (body, "attachment");

  if (has_attachment &&
      !check_attachment (json_object_get_object_member (body, "attachment"), error))
    return FALSE;

  /* Text may be empty only under an attachment (a caption is optional). */
  if (!has_attachment && json_object_get_string_member (body, "text")[0] == '\0')
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.text must not be empty");
      return FALSE;
    }

  if (!json_object_has_member (body, "mentions"))
    return TRUE;

  mentions = json_object_get_array_member (body, "mentions");
  if (json_array_get_length (mentions) > TTO_PROTOCOL_MAX_MENTIONS)
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "body.mentions has %u entries; at most %d are allowed",
                   json_array_get_length (mentions), TTO_PROTOCOL_MAX_MENTIONS);
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (mentions); i++)
    {
      JsonNode *node = json_array_get_element (mentions, i);

      if (!node_has_type (node, FIELD_STRING) || json_node_get_string (node)[0] == '\0' ||
          strlen (json_node_get_string (node)) > 64)
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.mentions[%u] must be an identity id or \"all\"", i);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
check_permission (JsonObject *body,
                  GError **error)
{
  const char *permission = json_object_get_string_member (body, "permission");

  if (!tto_protocol_is_permission (permission))
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "body.permission: unknown permission (expected export, flow_edit, "
                   "topic_manage or review)");
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_member_grant (JsonObject *body,
                    GError **error)
{
  if (!check_permission (body, error))
    return FALSE;

  if (!json_object_get_null_member (body, "duration"))
    {
      gint64 duration = json_object_get_int_member (body, "duration");

      if (duration < TTO_PROTOCOL_MIN_GRANT_SECONDS || duration > TTO_PROTOCOL_MAX_GRANT_SECONDS)
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.duration must be null or between %d and %d seconds",
                       TTO_PROTOCOL_MIN_GRANT_SECONDS, TTO_PROTOCOL_MAX_GRANT_SECONDS);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
check_export_fetch (JsonObject *body,
                    GError **error)
{
  if (json_object_has_member (body, "after_seq") &&
      json_object_get_int_member (body, "after_seq") < 0)
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.after_seq must not be negative");
      return FALSE;
    }
  if (json_object_has_member (body, "limit") &&
      (json_object_get_int_member (body, "limit") < 1 ||
       json_object_get_int_member (body, "limit") > TTO_PROTOCOL_MAX_EXPORT_PAGE))
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "body.limit must be between 1 and %d", TTO_PROTOCOL_MAX_EXPORT_PAGE);
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_receipt_read (JsonObject *body,
                    GError **error)
{
  if (json_object_get_int_member (body, "seq") < 0)
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.seq must not be negative");
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_forms (JsonObject *body,
             GError **error)
{
  JsonArray *forms;

  if (!json_object_has_member (body, "forms"))
    return TRUE;

  forms = json_object_get_array_member (body, "forms");
  for (guint i = 0; i < json_array_get_length (forms); i++)
    {
      JsonNode *node = json_array_get_element (forms, i);

      if (!node_has_type (node, FIELD_STRING) || !tto_protocol_is_form (json_node_get_string (node)))
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.forms[%u] is not a communication form (text, file, voice_message, "
                       "video_message, voice_call, video_call, offline_meeting)",
                       i);
          return FALSE;
        }
    }

  return TRUE;
}

/* Admission, join rules and an invite expiry, shared by create and update. */
static gboolean
check_admission (JsonObject *body,
                 GError **error)
{
  static const char *const admissions[] = { "open", "review", "closed", NULL };
  static const char *const rules[] = { "auto_approve_third_party", "require_id_verified",
                                       "require_phone_verified", NULL };

  if (json_object_has_member (body, "admission") &&
      !g_strv_contains (admissions, json_object_get_string_member (body, "admission")))
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.admission must be open, review or closed");
      return FALSE;
    }

  if (json_object_has_member (body, "rules"))
    {
      JsonObject *object = json_object_get_object_member (body, "rules");
      g_autoptr (GList) names = json_object_get_members (object);

      for (GList *l = names; l != NULL; l = l->next)
        if (!g_strv_contains (rules, l->data) ||
            !node_has_type (json_object_get_member (object, l->data), FIELD_BOOL))
          {
            g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                         "body.rules.%s is not a join rule (auto_approve_third_party, "
                         "require_id_verified, require_phone_verified take booleans)",
                         (const char *) l->data);
            return FALSE;
          }
    }

  return TRUE;
}

/* body.ip_allow: CIDR strings (tto-cidr.c), at most TTO_CIDR_MAX_ENTRIES. */
static gboolean
check_ip_allow (JsonObject *body,
                GError **error)
{
  JsonArray *networks;

  if (!json_object_has_member (body, "ip_allow"))
    return TRUE;

  networks = json_object_get_array_member (body, "ip_allow");
  if (json_array_get_length (networks) > TTO_CIDR_MAX_ENTRIES)
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "body.ip_allow has %u networks; at most %d are allowed",
                   json_array_get_length (networks), TTO_CIDR_MAX_ENTRIES);
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (networks); i++)
    {
      JsonNode *node = json_array_get_element (networks, i);
      g_autoptr (GInetAddressMask) mask = NULL;
      g_autoptr (GError) local_error = NULL;

      if (!node_has_type (node, FIELD_STRING))
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.ip_allow[%u] must be a string such as \"10.0.0.0/8\"", i);
          return FALSE;
        }
      mask = tto_cidr_parse (json_node_get_string (node), &local_error);
      if (mask == NULL)
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.ip_allow[%u]: %s", i, local_error->message);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
check_event_update (JsonObject *body,
                    GError **error)
{
  return check_windows (body, error) && check_forms (body, error) &&
         check_admission (body, error) && check_ip_allow (body, error);
}

static gboolean
check_id_list (JsonObject *body,
               const char *name,
               guint max,
               GError **error)
{
  JsonArray *array;

  if (!json_object_has_member (body, name))
    return TRUE;

  array = json_object_get_array_member (body, name);
  if (json_array_get_length (array) > max)
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "body.%s has %u entries; at most %u are allowed", name,
                   json_array_get_length (array), max);
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (!node_has_type (node, FIELD_STRING) || json_node_get_string (node)[0] == '\0' ||
          strlen (json_node_get_string (node)) > 64)
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.%s[%u] must be an id", name, i);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
check_evidence (JsonObject *body,
                GError **error)
{
  return check_id_list (body, "evidence", TTO_PROTOCOL_MAX_EVIDENCE, error);
}

static gboolean
check_review_decide (JsonObject *body,
                     GError **error)
{
  static const char *const decisions[] = { "approve", "reject", "more", NULL };

  if (!g_strv_contains (decisions, json_object_get_string_member (body, "decision")))
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.decision must be approve, reject or more");
      return FALSE;
    }
  if (json_array_get_length (json_object_get_array_member (body, "identity_ids")) == 0)
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.identity_ids must name at least one applicant");
      return FALSE;
    }

  return check_id_list (body, "identity_ids", 500, error);
}

static gboolean
check_call_invite (JsonObject *body,
                   GError **error)
{
  JsonArray *to = json_object_get_array_member (body, "to");

  if (json_object_has_member (body, "kind"))
    {
      const char *kind = json_object_get_string_member (body, "kind");

      if (!g_str_equal (kind, "audio") && !g_str_equal (kind, "video"))
        {
          g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                               "body.kind must be audio or video");
          return FALSE;
        }
    }
  else if (!json_object_has_member (body, "call_id"))
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.kind is required to start a call");
      return FALSE;
    }

  if (json_array_get_length (to) == 0 || json_array_get_length (to) > 64)
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.to must list 1 to 64 identity ids, or [\"all\"]");
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (to); i++)
    if (!node_has_type (json_array_get_element (to, i), FIELD_STRING))
      {
        g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                     "body.to[%u] must be a string", i);
        return FALSE;
      }

  return TRUE;
}

static gboolean
check_event_create (JsonObject *body,
                    GError **error)
{
  if (!check_windows (body, error) || !check_forms (body, error))
    return FALSE;

  if (!check_admission (body, error) || !tto_frame_flow_check_stage_titles (body, error) ||
      !check_ip_allow (body, error))
    return FALSE;

  if (json_object_has_member (body, "deadline") &&
      !json_object_get_null_member (body, "deadline") &&
      json_object_get_int_member (body, "deadline") <= 0)
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.deadline must be a positive Unix time in seconds");
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_resume (JsonObject *body,
              GError **error)
{
  JsonObject *events = json_object_get_object_member (body, "events");
  g_autoptr (GList) names = json_object_get_members (events);

  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (events, l->data);
      gboolean valid;

      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObject *position = json_node_get_object (node);
          JsonNode *seq = json_object_get_member (position, "seq");
          JsonNode *useq = json_object_get_member (position, "useq");

          valid = seq != NULL && node_has_type (seq, FIELD_INT) && json_node_get_int (seq) >= 0 &&
                  (useq == NULL ||
                   (node_has_type (useq, FIELD_INT) && json_node_get_int (useq) >= 0));
        }
      else
        valid = node_has_type (node, FIELD_INT) && json_node_get_int (node) >= 0;

      if (!valid)
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.events.%s must be the last seq seen, or {\"seq\": N, \"useq\": M} "
                       "with non-negative integers",
                       (const char *) l->data);
          return FALSE;
        }
    }

  return TRUE;
}

static const FrameSpec frame_specs[] = {
  { TTO_FRAME_IDENTITY_CREATE, TTO_FRAME_FROM_CLIENT, identity_create_fields, check_identity_create },
  { TTO_FRAME_AUTH, TTO_FRAME_FROM_CLIENT, auth_fields, NULL },
  { TTO_FRAME_EVENT_CREATE, TTO_FRAME_FROM_CLIENT, event_create_fields, check_event_create },
  { TTO_FRAME_EVENT_GET, TTO_FRAME_FROM_CLIENT, event_id_fields, NULL },
  { TTO_FRAME_EVENT_JOIN, TTO_FRAME_FROM_CLIENT, event_join_fields, check_evidence },
  { TTO_FRAME_EVENT_ROTATE_CODE, TTO_FRAME_FROM_CLIENT, rotate_code_fields, NULL },
  { TTO_FRAME_REVIEW_LIST, TTO_FRAME_FROM_CLIENT, event_id_fields, NULL },
  { TTO_FRAME_REVIEW_DECIDE, TTO_FRAME_FROM_CLIENT, review_decide_fields, check_review_decide },
  { TTO_FRAME_APPLICATION_UPDATE, TTO_FRAME_FROM_CLIENT, application_update_fields,
    check_evidence },
  { TTO_FRAME_MEMBER_REMOVE, TTO_FRAME_FROM_CLIENT, member_remove_fields, NULL },
  { TTO_FRAME_EVENT_LIST, TTO_FRAME_FROM_CLIENT, no_fields, NULL },
  { TTO_FRAME_EVENT_END, TTO_FRAME_FROM_CLIENT, event_id_fields, NULL },
  { TTO_FRAME_MSG_SEND, TTO_FRAME_FROM_CLIENT, msg_send_fields, check_msg_send },
  { TTO_FRAME_MSG_EDIT, TTO_FRAME_FROM_CLIENT, msg_edit_fields, NULL },
  { TTO_FRAME_MSG_RECALL, TTO_FRAME_FROM_CLIENT, msg_recall_fields, NULL },
  { TTO_FRAME_RECEIPT_READ, TTO_FRAME_FROM_CLIENT, receipt_read_fields, check_receipt_read },
  { TTO_FRAME_EVENT_UPDATE, TTO_FRAME_FROM_CLIENT, event_update_fields, check_event_update },
  { TTO_FRAME_CALL_CONFIG, TTO_FRAME_FROM_CLIENT, no_fields, NULL },
  { TTO_FRAME_CALL_INVITE, TTO_FRAME_FROM_CLIENT, call_invite_fields, check_call_invite },
  { TTO_FRAME_CALL_ACCEPT, TTO_FRAME_FROM_CLIENT, call_accept_fields, NULL },
  { TTO_FRAME_CALL_DECLINE, TTO_FRAME_FROM_CLIENT, call_id_fields, NULL },
  { TTO_FRAME_CALL_HANGUP, TTO_FRAME_FROM_CLIENT, call_id_fields, NULL },
  { TTO_FRAME_CALL_OFFER, TTO_FRAME_FROM_CLIENT, call_sdp_fields, NULL },
  { TTO_FRAME_CALL_ANSWER, TTO_FRAME_FROM_CLIENT, call_sdp_fields, NULL },
  { TTO_FRAME_CALL_ICE, TTO_FRAME_FROM_CLIENT, call_ice_fields, NULL },
  { TTO_FRAME_CALL_RECORDING, TTO_FRAME_FROM_CLIENT, call_recording_fields, NULL },
  { TTO_FRAME_MEMBER_GRANT, TTO_FRAME_FROM_CLIENT, member_grant_fields, check_member_grant },
  { TTO_FRAME_MEMBER_REVOKE, TTO_FRAME_FROM_CLIENT, member_revoke_fields, check_permission },
  { TTO_FRAME_EXPORT_FETCH, TTO_FRAME_FROM_CLIENT, export_fetch_fields, check_export_fetch },
  { TTO_FRAME_RESUME, TTO_FRAME_FROM_CLIENT, resume_fields, check_resume },
  { TTO_FRAME_PING, TTO_FRAME_FROM_CLIENT, no_fields, NULL },
  { TTO_FRAME_OK, TTO_FRAME_FROM_RELAY, ok_fields, NULL },
  { TTO_FRAME_ERROR, TTO_FRAME_FROM_RELAY, error_fields, NULL },
  { TTO_FRAME_MSG_NEW, TTO_FRAME_FROM_RELAY, msg_new_fields, NULL },
  { TTO_FRAME_EVENT_ENDED, TTO_FRAME_FROM_RELAY, event_ended_fields, NULL },
  { TTO_FRAME_MEMBER_JOINED, TTO_FRAME_FROM_RELAY, member_joined_fields, NULL },
  { TTO_FRAME_MSG_UPDATED, TTO_FRAME_FROM_RELAY, msg_updated_fields, NULL },
  { TTO_FRAME_RECEIPTS_UPDATED, TTO_FRAME_FROM_RELAY, receipts_updated_fields, NULL },
  { TTO_FRAME_EVENT_UPDATED, TTO_FRAME_FROM_RELAY, event_updated_fields, NULL },
  { TTO_FRAME_MEMBER_UPDATED, TTO_FRAME_FROM_RELAY, member_updated_fields, NULL },
  { TTO_FRAME_CALL_RING, TTO_FRAME_FROM_RELAY, call_push_fields, NULL },
  { TTO_FRAME_REVIEW_NEW, TTO_FRAME_FROM_RELAY, event_id_push_fields, NULL },
  { TTO_FRAME_REVIEW_DECIDED, TTO_FRAME_FROM_RELAY, event_id_push_fields, NULL },
  { TTO_FRAME_EVENT_REMOVED, TTO_FRAME_FROM_RELAY, event_id_push_fields, NULL },
  { TTO_FRAME_MEMBER_LEFT, TTO_FRAME_FROM_RELAY, event_id_push_fields, NULL },
  { TTO_FRAME_CALL_STATE, TTO_FRAME_FROM_RELAY, call_push_fields, NULL },
  { TTO_FRAME_CALL_OFFER, TTO_FRAME_FROM_RELAY, call_signal_push_fields, NULL },
  { TTO_FRAME_CALL_ANSWER, TTO_FRAME_FROM_RELAY, call_signal_push_fields, NULL },
  { TTO_FRAME_CALL_ICE, TTO_FRAME_FROM_RELAY, call_signal_push_fields, NULL },
};

static const guint n_core_specs = G_N_ELEMENTS (frame_specs);

/* The frames of each concern; the core ones above, the others in
 * tto-frame-<concern>.c. */
static const struct
{
  const FrameSpec *specs;
  const guint *n_specs;
} spec_tables[] = {
  { frame_specs, &n_core_specs },
  { tto_frame_history_specs, &tto_frame_history_n_specs },
  { tto_frame_flow_specs, &tto_frame_flow_n_specs },
  { tto_frame_topics_specs, &tto_frame_topics_n_specs },
  { tto_frame_identity_specs, &tto_frame_identity_n_specs },
  { tto_frame_oidc_specs, &tto_frame_oidc_n_specs },
};

static const FrameSpec *
find_spec (const char *type,
           TtoFrameOrigin origin)
{
  for (guint t = 0; t < G_N_ELEMENTS (spec_tables); t++)
    for (guint i = 0; i < *spec_tables[t].n_specs; i++)
      {
        const FrameSpec *spec = &spec_tables[t].specs[i];

        if ((spec->origin & origin) != 0 && g_str_equal (spec->type, type))
          return spec;
      }

  return NULL;
}

gboolean
tto_protocol_is_known_type (const char *type,
                            TtoFrameOrigin origin)
{
  g_return_val_if_fail (type != NULL, FALSE);

  return find_spec (type, origin) != NULL;
}

static const char *
field_type_name (FieldType type)
{
  switch (type)
    {
    case FIELD_STRING:
      return "a string";
    case FIELD_INT:
      return "an integer";
    case FIELD_BOOL:
      return "a boolean";
    case FIELD_OBJECT:
      return "an object";
    case FIELD_ARRAY:
      return "an array";
    default:
      g_assert_not_reached ();
    }
}

static gboolean
node_has_type (JsonNode *node,
               FieldType type)
{
  switch (type)
    {
    case FIELD_STRING:
      return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
    case FIELD_INT:
      return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
    case FIELD_BOOL:
      return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN;
    case FIELD_OBJECT:
      return JSON_NODE_HOLDS_OBJECT (node);
    case FIELD_ARRAY:
      return JSON_NODE_HOLDS_ARRAY (node);
    default:
      g_assert_not_reached ();
    }
}

static gboolean
validate_body (const FrameSpec *spec,
               JsonObject *body,
               GError **error)
{
  for (const FieldSpec *f = spec->fields; f->name != NULL; f++)
    {
      JsonNode *node = json_object_get_member (body, f->name);

      if (node == NULL)
        {
          if (!f->required)
            continue;
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.%s is required in %s", f->name, spec->type);
          return FALSE;
        }

      if (JSON_NODE_HOLDS_NULL (node) && f->nullable)
        continue;

      if (!node_has_type (node, f->type))
        {
          g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                       "body.%s must be %s", f->name, field_type_name (f->type));
          return FALSE;
        }

      if (f->type == FIELD_STRING)
        {
          const char *s = json_node_get_string (node);
          glong chars;

          if (!g_utf8_validate (s, -1, NULL))
            {
              g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.%s is not valid UTF-8", f->name);
              return FALSE;
            }

          chars = g_utf8_strlen (s, -1);
          if (chars < (glong) f->min_chars)
            {
              g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body.%s must not be empty", f->name);
              return FALSE;
            }
          if (f->max_chars > 0 && chars > (glong) f->max_chars)
            {
              g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_TOO_LARGE,
                           "body.%s has %ld characters; at most %u are allowed", f->name, chars,
                           f->max_chars);
              return FALSE;
            }
        }
    }

  if (spec->check != NULL)
    return spec->check (body, error);

  return TRUE;
}

/* Reads an optional string member of the envelope. */
static gboolean
envelope_string (JsonObject *root,
                 const char *name,
                 const char **out,
                 GError **error)
{
  JsonNode *node = json_object_get_member (root, name);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!node_has_type (node, FIELD_STRING) || json_node_get_string (node)[0] == '\0' ||
      strlen (json_node_get_string (node)) > 64)
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "%s must be a string of 1 to 64 bytes", name);
      return FALSE;
    }

  *out = json_node_get_string (node);
  return TRUE;
}

TtoFrame *
tto_frame_parse (const char *data,
                 gsize length,
                 TtoFrameOrigin origin,
                 char **out_id,
                 GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (TtoFrame) frame = NULL;
  const FrameSpec *spec;
  JsonNode *root_node;
  JsonObject *root;
  JsonNode *node;
  const char *type;
  const char *id;
  const char *re;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (out_id != NULL)
    *out_id = NULL;

  if (length > TTO_PROTOCOL_MAX_FRAME_BYTES)
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "frame has %" G_GSIZE_FORMAT " bytes; at most %d are allowed", length,
                   TTO_PROTOCOL_MAX_FRAME_BYTES);
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "frame is not valid JSON: %s", local_error->message);
      return NULL;
    }

  root_node = json_parser_get_root (parser);
  if (root_node == NULL || !JSON_NODE_HOLDS_OBJECT (root_node))
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "frame must be a JSON object");
      return NULL;
    }
  root = json_node_get_object (root_node);

  /* Read the id first, so that even a bad frame's error can name it. */
  if (!envelope_string (root, "id", &id, error))
    return NULL;
  if (out_id != NULL)
    *out_id = g_strdup (id);

  node = json_object_get_member (root, "v");
  if (node == NULL)
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "v is required");
      return NULL;
    }
  if (!node_has_type (node, FIELD_INT))
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "v must be an integer");
      return NULL;
    }
  if (json_node_get_int (node) != TTO_PROTOCOL_VERSION)
    {
      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_UNSUPPORTED_VERSION,
                   "protocol version %" G_GINT64_FORMAT " is not supported (expected %d)",
                   json_node_get_int (node), TTO_PROTOCOL_VERSION);
      return NULL;
    }

  node = json_object_get_member (root, "type");
  if (node == NULL)
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "type is required");
      return NULL;
    }
  if (!node_has_type (node, FIELD_STRING))
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "type must be a string");
      return NULL;
    }
  type = json_node_get_string (node);

  spec = find_spec (type, origin);
  if (spec == NULL)
    {
      g_autofree char *shown = g_utf8_make_valid (type, MIN (strlen (type), 64));

      g_set_error (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                   "type: unknown frame type '%s'", shown);
      return NULL;
    }

  if (!envelope_string (root, "re", &re, error))
    return NULL;

  node = json_object_get_member (root, "body");
  if (node != NULL && !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                           "body must be an object");
      return NULL;
    }

  frame = g_new0 (TtoFrame, 1);
  frame->type = g_strdup (type);
  frame->id = g_strdup (id);
  frame->re = g_strdup (re);
  frame->body = node != NULL ? json_object_ref (json_node_get_object (node)) : json_object_new ();

  if (!validate_body (spec, frame->body, error))
    {
      tto_frame_wipe (frame);
      return NULL;
    }

  return g_steal_pointer (&frame);
}

TtoFrame *
tto_frame_new (const char *type,
               const char *id,
               JsonObject *body)
{
  TtoFrame *frame;

  g_return_val_if_fail (type != NULL, NULL);

  frame = g_new0 (TtoFrame, 1);
  frame->type = g_strdup (type);
  frame->id = g_strdup (id);
  frame->body = body != NULL ? body : json_object_new ();

  return frame;
}

TtoFrame *
tto_frame_new_ok (const char *re,
                  JsonObject *body)
{
  TtoFrame *frame = tto_frame_new (TTO_FRAME_OK, NULL, body);

  frame->re = g_strdup (re);
  return frame;
}

TtoFrame *
tto_frame_new_error (const char *re,
                     TtoProtocolError code,
                     const char *message)
{
  JsonObject *body = json_object_new ();
  TtoFrame *frame;

  json_object_set_string_member (body, "code", tto_protocol_error_to_code (code));
  json_object_set_string_member (body, "message", message != NULL ? message : "");
  frame = tto_frame_new (TTO_FRAME_ERROR, NULL, body);
  frame->re = g_strdup (re);

  return frame;
}

TtoFrame *
tto_frame_new_error_from_gerror (const char *re,
                                 const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == TTO_PROTOCOL_ERROR)
    {
      TtoFrame *frame = tto_frame_new_error (re, (TtoProtocolError) error->code, error->message);
      const char *reason = tto_protocol_error_get_reason (error);
      JsonObject *params = tto_protocol_error_get_params (error);

      if (reason != NULL)
        json_object_set_string_member (frame->body, "reason", reason);
      if (params != NULL)
        json_object_set_object_member (frame->body, "params", json_object_ref (params));
      return frame;
    }

  /* Other domains are internal details; say so without leaking them. */
  return tto_frame_new_error (re, TTO_PROTOCOL_ERROR_INTERNAL, "internal relay error");
}

static void
wipe_node (JsonNode *node);

static void
wipe_object (JsonObject *object)
{
  g_autoptr (GList) values = json_object_get_values (object);

  for (GList *l = values; l != NULL; l = l->next)
    wipe_node (l->data);
}

static void
wipe_node (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    wipe_object (json_node_get_object (node));
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        wipe_node (json_array_get_element (array, i));
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      /* json-glib hands out its own copy of the string: zero it in place so
       * message text does not linger in freed heap memory. */
      char *s = (char *) json_node_get_string (node);

      if (s != NULL)
        explicit_bzero (s, strlen (s));
    }
}

/* Zeroes every string of the body in place. Call before freeing a frame
 * that carried message content. */
void
tto_frame_wipe (TtoFrame *frame)
{
  if (frame == NULL || frame->body == NULL)
    return;

  wipe_object (frame->body);
}

void
tto_frame_free (TtoFrame *frame)
{
  if (frame == NULL)
    return;

  g_free (frame->type);
  g_free (frame->id);
  g_free (frame->re);
  g_clear_pointer (&frame->body, json_object_unref);
  g_free (frame);
}

char *
tto_frame_serialize (const TtoFrame *frame,
                     gsize *length)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  JsonNode *body;

  g_return_val_if_fail (frame != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "v");
  json_builder_add_int_value (builder, TTO_PROTOCOL_VERSION);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, frame->type);
  if (frame->id != NULL)
    {
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, frame->id);
    }
  if (frame->re != NULL)
    {
      json_builder_set_member_name (builder, "re");
      json_builder_add_string_value (builder, frame->re);
    }
  json_builder_set_member_name (builder, "body");
  body = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (body, frame->body);
  json_builder_add_value (builder, body);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, length);
}

gboolean
tto_frame_is (const TtoFrame *frame,
              const char *type)
{
  g_return_val_if_fail (frame != NULL, FALSE);

  return g_strcmp0 (frame->type, type) == 0;
}

/* For an error frame, sets @error from its code and message, and its
 * reason and params (tto_protocol_error_get_reason()). */
gboolean
tto_frame_propagate_error (const TtoFrame *frame,
                           GError **error)
{
  g_return_val_if_fail (frame != NULL, FALSE);

  if (!tto_frame_is (frame, TTO_FRAME_ERROR))
    return FALSE;

  g_set_error_literal (error, TTO_PROTOCOL_ERROR,
                       tto_protocol_error_from_code (tto_frame_get_string (frame, "code")),
                       tto_frame_get_string (frame, "message"));
  if (error != NULL && tto_frame_get_string (frame, "reason") != NULL)
    {
      JsonNode *node = json_object_get_member (frame->body, "params");
      g_autoptr (JsonObject) params = json_object_new ();

      /* Only strings and integers: what a client puts into its sentence. */
      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObject *given = json_node_get_object (node);
          g_autoptr (GList) names = json_object_get_members (given);

          for (GList *l = names; l != NULL; l = l->next)
            {
              JsonNode *value = json_object_get_member (given, l->data);

              if (!JSON_NODE_HOLDS_VALUE (value))
                continue;
              if (json_node_get_value_type (value) == G_TYPE_STRING)
                json_object_set_string_member (params, l->data, json_node_get_string (value));
              else if (json_node_get_value_type (value) == G_TYPE_INT64)
                json_object_set_int_member (params, l->data, json_node_get_int (value));
            }
        }
      tto_protocol_error_set_reason (*error, tto_frame_get_string (frame, "reason"), params);
    }
  return TRUE;
}

const char *
tto_frame_get_string (const TtoFrame *frame,
                      const char *field)
{
  JsonNode *node;

  g_return_val_if_fail (frame != NULL, NULL);

  node = json_object_get_member (frame->body, field);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

gint64
tto_frame_get_int (const TtoFrame *frame,
                   const char *field,
                   gint64 default_value)
{
  JsonNode *node;

  g_return_val_if_fail (frame != NULL, default_value);

  node = json_object_get_member (frame->body, field);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return default_value;

  return json_node_get_int (node);
}

gboolean
tto_frame_has (const TtoFrame *frame,
               const char *field)
{
  g_return_val_if_fail (frame != NULL, FALSE);

  return json_object_has_member (frame->body, field);
}
