/* tto-call-util.c: candidate lines and ICE server URLs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <gst/video/video.h>

#include "tto-call-util.h"
#include "tto-calls-private.h"

/* "candidate:1 1 UDP 2015363327 127.0.0.1 46011 typ host" → "127.0.0.1" */
char *
tto_call_candidate_get_address (const char *candidate)
{
  g_auto (GStrv) tokens = NULL;

  g_return_val_if_fail (candidate != NULL, NULL);

  if (g_str_has_prefix (candidate, "a="))
    candidate += 2;
  tokens = g_strsplit (candidate, " ", 0);
  if (g_strv_length (tokens) < 8)
    return NULL;

  return g_strdup (tokens[4]);
}

gboolean
tto_call_candidate_is_loopback (const char *candidate)
{
  g_autofree char *address = tto_call_candidate_get_address (candidate);

  return g_strcmp0 (address, "127.0.0.1") == 0;
}

static char *
turn_uri (const char *url,
          const char *username,
          const char *credential)
{
  g_autofree char *user = NULL;
  g_autofree char *pass = NULL;
  const char *scheme;
  const char *rest;

  if (g_str_has_prefix (url, "turns:"))
    {
      scheme = "turns";
      rest = url + strlen ("turns:");
    }
  else
    {
      scheme = "turn";
      rest = url + strlen ("turn:");
    }
  if (username == NULL || credential == NULL)
    return g_strdup_printf ("%s://%s", scheme, rest);

  /* coturn REST user names hold a ':' ("expiry:identity"); webrtcbin splits
   * the user info at the first one, then unescapes each half. */
  user = g_uri_escape_string (username, NULL, FALSE);
  pass = g_uri_escape_string (credential, NULL, FALSE);

  return g_strdup_printf ("%s://%s:%s@%s", scheme, user, pass, rest);
}

/* call.config's ice_servers in the WebRTC form → webrtcbin's URIs: the first
 * STUN server as "stun://host:port", every TURN one as
 * "turn://user:pass@host:port?transport=…". */
void
tto_call_ice_servers_to_uris (JsonArray *ice_servers,
                              char **out_stun,
                              GPtrArray *out_turn)
{
  g_return_if_fail (out_stun != NULL && out_turn != NULL);

  *out_stun = NULL;
  if (ice_servers == NULL)
    return;

  for (guint i = 0; i < json_array_get_length (ice_servers); i++)
    {
      JsonNode *node = json_array_get_element (ice_servers, i);
      JsonObject *server;
      JsonNode *urls;
      const char *username;
      const char *credential;
      g_autoptr (GPtrArray) list = g_ptr_array_new ();

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      server = json_node_get_object (node);
      urls = json_object_get_member (server, "urls");
      if (urls == NULL)
        continue;
      if (JSON_NODE_HOLDS_ARRAY (urls))
        {
          JsonArray *array = json_node_get_array (urls);

          for (guint j = 0; j < json_array_get_length (array); j++)
            if (json_node_get_value_type (json_array_get_element (array, j)) == G_TYPE_STRING)
              g_ptr_array_add (list, (gpointer) json_array_get_string_element (array, j));
        }
      else if (json_node_get_value_type (urls) == G_TYPE_STRING)
        g_ptr_array_add (list, (gpointer) json_node_get_string (urls));

      username = json_object_get_string_member_with_default (server, "username", NULL);
      credential = json_object_get_string_member_with_default (server, "credential", NULL);

      for (guint j = 0; j < list->len; j++)
        {
          const char *url = g_ptr_array_index (list, j);

          if (g_str_has_prefix (url, "stun:") && *out_stun == NULL)
            *out_stun = g_strdup_printf ("stun://%s", url + strlen ("stun:"));
          else if (g_str_has_prefix (url, "turn:") || g_str_has_prefix (url, "turns:"))
            g_ptr_array_add (out_turn, turn_uri (url, username, credential));
        }
    }
}

typedef struct
{
  GstBuffer *buffer;
  GstMapInfo map;
} MappedBuffer;

static void
mapped_buffer_free (gpointer data)
{
  MappedBuffer *mapped = data;

  gst_buffer_unmap (mapped->buffer, &mapped->map);
  gst_buffer_unref (mapped->buffer);
  g_free (mapped);
}

/* An RGBA appsink sample → a texture sharing the buffer's memory. */
GdkTexture *
tto_call_texture_from_sample (GstSample *sample)
{
  GstVideoInfo info;
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  GstCaps *caps = gst_sample_get_caps (sample);
  MappedBuffer *mapped;
  g_autoptr (GBytes) bytes = NULL;

  if (buffer == NULL || caps == NULL || !gst_video_info_from_caps (&info, caps))
    return NULL;
  if (GST_VIDEO_INFO_FORMAT (&info) != GST_VIDEO_FORMAT_RGBA)
    return NULL;

  mapped = g_new0 (MappedBuffer, 1);
  if (!gst_buffer_map (buffer, &mapped->map, GST_MAP_READ))
    {
      g_free (mapped);
      return NULL;
    }
  mapped->buffer = gst_buffer_ref (buffer);
  bytes = g_bytes_new_with_free_func (mapped->map.data + GST_VIDEO_INFO_PLANE_OFFSET (&info, 0),
                                      mapped->map.size - GST_VIDEO_INFO_PLANE_OFFSET (&info, 0),
                                      mapped_buffer_free, mapped);

  return gdk_memory_texture_new (GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info),
                                 GDK_MEMORY_R8G8B8A8, bytes,
                                 GST_VIDEO_INFO_PLANE_STRIDE (&info, 0));
}
