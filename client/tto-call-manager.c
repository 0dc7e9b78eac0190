/* tto-call-manager.c: the calls of one signed-in identity, no UI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Listens to the connection's call.* pushes, keeps the call this device
 * takes part in (with its TtoCallEngine), the invitation that rings, and the
 * calls running in each event (for latecomers). Starting or joining asks
 * call.config once for the ICE servers, then sends call.invite or
 * call.accept; only pushes that arrive after that answer reach the engine
 * (an older call.state does not list us yet and would end the call).
 *
 * Tests set the engine's media through the environment:
 * TTO_TEST_AUDIO_SOURCE, TTO_TEST_VIDEO_SOURCE, TTO_TEST_AUDIO_SINK
 * (gst-launch descriptions), TTO_TEST_VIDEO_SIZE ("320x180") and
 * TTO_CALL_LOOPBACK_ONLY=1 (media on 127.0.0.1 only).
 */
#include <stdio.h>

#include <glib/gi18n.h>

#include "tto-client.h"

#include "tto-call-manager.h"

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_STATE,
  PROP_EVENT,
  PROP_KIND,
  PROP_ENGINE,
  PROP_STARTED_AT,
  PROP_SOMEONE_RECORDING,
  PROP_RINGING,
  PROP_MUTED,
  PROP_CAMERA_ENABLED,
  PROP_RECORDING,
  N_PROPS
};

enum
{
  SIGNAL_FAILED,
  SIGNAL_CALLS_CHANGED,
  SIGNAL_CALL_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

struct _TtoCallManager
{
  GObject parent_instance;

  TtoSession *session;
  TtoConnection *connection;

  /* The call this device takes part in, or is joining. */
  TtoCallManagerState state;
  TtoEvent *event;
  TtoCallKind kind;
  char *call_id;   /* NULL until call.invite answers */
  JsonObject *call; /* the latest Call object */
  TtoCallEngine *engine;
  JsonArray *ice_servers;
  guint attempt; /* bumps when an attempt is abandoned */
  char *recording_path;
  char *recordings_dir;

  /* The invitation ringing now. */
  TtoEvent *ring_event;
  JsonObject *ring_call;

  /* event id → Call, for every running call seen. */
  GHashTable *calls;
};

G_DEFINE_FINAL_TYPE (TtoCallManager, tto_call_manager, G_TYPE_OBJECT)
G_DEFINE_QUARK (tto-call-manager-error-quark, tto_call_manager_error)
G_DEFINE_ENUM_TYPE (TtoCallManagerState, tto_call_manager_state,
                    G_DEFINE_ENUM_VALUE (TTO_CALL_MANAGER_STATE_IDLE, "idle"),
                    G_DEFINE_ENUM_VALUE (TTO_CALL_MANAGER_STATE_STARTING, "starting"),
                    G_DEFINE_ENUM_VALUE (TTO_CALL_MANAGER_STATE_IN_CALL, "in-call"))

/* What one start or join needs across its requests. */
typedef struct
{
  TtoCallManager *self; /* strong */
  guint attempt;
  gboolean invite; /* call.invite (else call.accept) */
  char *event_id;
  char *call_id;
  GStrv to;
  const char *type;  /* call.invite or call.accept */
  JsonObject *body;  /* while waiting for send_join () */
} Attempt;

static void
attempt_free (Attempt *attempt)
{
  g_object_unref (attempt->self);
  g_free (attempt->event_id);
  g_free (attempt->call_id);
  g_clear_pointer (&attempt->body, json_object_unref);
  g_strfreev (attempt->to);
  g_free (attempt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Attempt, attempt_free)

/* Helpers on Call objects */

static gboolean
call_lists (JsonObject *call,
            const char *member,
            const char *identity_id)
{
  JsonArray *array;

  if (call == NULL || identity_id == NULL || !json_object_has_member (call, member))
    return FALSE;
  array = json_object_get_array_member (call, member);
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *id = NULL;

      if (JSON_NODE_HOLDS_OBJECT (node))
        id = json_object_get_string_member_with_default (json_node_get_object (node),
                                                         "identity_id", NULL);
      else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        id = json_node_get_string (node);
      if (g_strcmp0 (id, identity_id) == 0)
        return TRUE;
    }

  return FALSE;
}

/* The connection wipes a frame's strings once its handlers ran: whatever
 * outlives a push is copied. */
static JsonObject *
copy_object (JsonObject *object)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), object);
  g_autofree char *text = json_to_string (node, FALSE);
  g_autoptr (JsonNode) parsed = json_from_string (text, NULL);

  return json_object_ref (json_node_get_object (parsed));
}

static const char *
call_id_of (JsonObject *call)
{
  return call != NULL ? json_object_get_string_member_with_default (call, "call_id", NULL) : NULL;
}

static gboolean
call_ended (JsonObject *call)
{
  return json_object_get_boolean_member_with_default (call, "ended", FALSE);
}

static TtoCallKind
call_kind (JsonObject *call)
{
  return g_strcmp0 (json_object_get_string_member_with_default (call, "kind", NULL), "audio") == 0
           ? TTO_CALL_KIND_AUDIO
           : TTO_CALL_KIND_VIDEO;
}

static const char *
self_id (TtoCallManager *self)
{
  return self->session != NULL ? tto_session_get_identity_id (self->session) : NULL;
}

/* State */

static void
set_state (TtoCallManager *self,
           TtoCallManagerState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_call (TtoCallManager *self,
          JsonObject *call)
{
  gboolean was_recording = tto_call_manager_get_someone_recording (self);

  if (call != NULL)
    json_object_ref (call);
  g_clear_pointer (&self->call, json_object_unref);
  self->call = call;
  g_signal_emit (self, signals[SIGNAL_CALL_CHANGED], 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STARTED_AT]);
  if (was_recording != tto_call_manager_get_someone_recording (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOMEONE_RECORDING]);
}

static void
stop_ringing (TtoCallManager *self)
{
  if (self->ring_call == NULL)
    return;
  g_clear_pointer (&self->ring_call, json_object_unref);
  g_clear_object (&self->ring_event);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RINGING]);
}

static void
fail (TtoCallManager *self,
      const char *message)
{
  g_signal_emit (self, signals[SIGNAL_FAILED], 0, message);
}

static void
fail_with_error (TtoCallManager *self,
                 const GError *error)
{
  g_autofree char *text = NULL;

  if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_CONFLICT))
    text = g_strdup_printf (ngettext ("This call is full: at most %d person can take part.",
                                      "This call is full: at most %d people can take part.",
                                      TTO_PROTOCOL_MAX_CALL_PEERS),
                            TTO_PROTOCOL_MAX_CALL_PEERS);
  else if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_FORBIDDEN))
    text = g_strdup (_("Calls are not enabled in this event."));
  else if (g_error_matches (error, TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_NOT_FOUND))
    text = g_strdup (_("This call has already ended."));
  else if (g_error_matches (error, TTO_CALL_ERROR, TTO_CALL_ERROR_MISSING_ELEMENT))
    text = g_strdup (_("Calls need GStreamer plugins that are not installed."));
  else
    {
      g_autofree char *reason = tto_client_describe_error (error);

      text = g_strdup_printf (_("The call failed: %s"), reason);
    }
  fail (self, text);
}

/* Forgets the call this device is in; the engine goes in an idle, as
 * this often runs inside one of its signals. */
static gboolean
release_engine (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

static void on_engine_send_frame (TtoCallEngine *engine,
                                  const char *type,
                                  JsonObject *body,
                                  TtoCallManager *self);
static void on_engine_ended (TtoCallEngine *engine,
                             TtoCallManager *self);
static void on_engine_notify (TtoCallEngine *engine,
                              GParamSpec *pspec,
                              TtoCallManager *self);

static void
clear_call (TtoCallManager *self)
{
  self->attempt++;
  if (self->engine != NULL)
    {
      TtoCallEngine *engine = g_steal_pointer (&self->engine);

      g_signal_handlers_disconnect_by_data (engine, self);
      g_idle_add_full (G_PRIORITY_DEFAULT, release_engine, engine, NULL);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE]);
    }
  g_clear_pointer (&self->call_id, g_free);
  g_clear_pointer (&self->ice_servers, json_array_unref);
  g_clear_pointer (&self->recording_path, g_free);
  set_call (self, NULL);
  if (self->event != NULL)
    {
      g_clear_object (&self->event);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EVENT]);
    }
  set_state (self, TTO_CALL_MANAGER_STATE_IDLE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MUTED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAMERA_ENABLED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
}

/* Running calls, for "Call in progress — Join" */

static void
note_running_call (TtoCallManager *self,
                   const char *event_id,
                   JsonObject *call)
{
  if (event_id == NULL || call == NULL)
    return;
  if (call_ended (call))
    {
      JsonObject *known = g_hash_table_lookup (self->calls, event_id);

      if (known == NULL || g_strcmp0 (call_id_of (known), call_id_of (call)) != 0)
        return;
      g_hash_table_remove (self->calls, event_id);
    }
  else
    g_hash_table_replace (self->calls, g_strdup (event_id), json_object_ref (call));
  g_signal_emit (self, signals[SIGNAL_CALLS_CHANGED], 0, event_id);
}

/* Engine */

static void
on_engine_send_frame (TtoCallEngine *engine,
                      const char *type,
                      JsonObject *body,
                      TtoCallManager *self)
{
  /* Answers carry nothing the engine needs; a lost frame shows as a peer
   * that does not connect. */
  if (self->connection != NULL)
    tto_connection_request_async (self->connection, type, json_object_ref (body), NULL, NULL,
                                  NULL);
}

static void
on_engine_ended (TtoCallEngine *engine,
                 TtoCallManager *self)
{
  g_debug ("call ended");
  clear_call (self);
}

static void
on_engine_recording_failed (TtoCallEngine *engine,
                            const char *reason,
                            TtoCallManager *self)
{
  /* Translators: %s says why, e.g. "No space left on the device" */
  g_autofree char *text = g_strdup_printf (_("Recording stopped: %s"), reason);

  fail (self, text);
}

static void
on_engine_notify (TtoCallEngine *engine,
                  GParamSpec *pspec,
                  TtoCallManager *self)
{
  if (g_str_equal (pspec->name, "muted"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MUTED]);
  else if (g_str_equal (pspec->name, "camera-enabled"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAMERA_ENABLED]);
  else if (g_str_equal (pspec->name, "recording"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
}

static void
apply_test_settings (TtoCallEngine *engine)
{
  const char *audio_source = g_getenv ("TTO_TEST_AUDIO_SOURCE");
  const char *video_source = g_getenv ("TTO_TEST_VIDEO_SOURCE");
  const char *audio_sink = g_getenv ("TTO_TEST_AUDIO_SINK");
  const char *size = g_getenv ("TTO_TEST_VIDEO_SIZE");

  if (audio_source != NULL && *audio_source != '\0')
    g_object_set (engine, "audio-source", audio_source, NULL);
  if (video_source != NULL && *video_source != '\0')
    g_object_set (engine, "video-source", video_source, NULL);
  if (audio_sink != NULL && *audio_sink != '\0')
    g_object_set (engine, "audio-sink", audio_sink, NULL);
  if (size != NULL)
    {
      guint width = 0, height = 0;

      if (sscanf (size, "%ux%u", &width, &height) == 2 && width >= 16 && height >= 16)
        g_object_set (engine, "video-width", width, "video-height", height, NULL);
    }
  if (g_strcmp0 (g_getenv ("TTO_CALL_LOOPBACK_ONLY"), "1") == 0)
    g_object_set (engine, "loopback-only", TRUE, NULL);
}

static void
start_engine (TtoCallManager *self,
              JsonObject *call)
{
  g_autoptr (GError) error = NULL;

  g_assert (self->engine == NULL);

  self->kind = call_kind (call);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND]);
  g_free (self->call_id);
  self->call_id = g_strdup (call_id_of (call));
  self->engine = tto_call_engine_new (self_id (self), tto_event_get_id (self->event),
                                      self->call_id, self->kind);
  g_object_set (self->engine, "preview", self->kind == TTO_CALL_KIND_VIDEO, NULL);
  apply_test_settings (self->engine);
  if (self->ice_servers != NULL)
    tto_call_engine_set_ice_servers (self->engine, self->ice_servers);
  g_signal_connect (self->engine, "send-frame", G_CALLBACK (on_engine_send_frame), self);
  g_signal_connect (self->engine, "ended", G_CALLBACK (on_engine_ended), self);
  g_signal_connect (self->engine, "recording-failed", G_CALLBACK (on_engine_recording_failed),
                    self);
  g_signal_connect (self->engine, "notify", G_CALLBACK (on_engine_notify), self);

  set_call (self, call);
  if (!tto_call_engine_start (self->engine, call, &error))
    {
      g_warning ("cannot start the call's media: %s", error->message);
      fail_with_error (self, error);
      /* The relay counts us in: leave again. */
      tto_call_engine_hangup (self->engine);
      clear_call (self);
      return;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE]);
  set_state (self, TTO_CALL_MANAGER_STATE_IN_CALL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MUTED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAMERA_ENABLED]);
}

/* Leaving a call the relay counts us in, without an engine. */
static void
send_hangup (TtoCallManager *self,
             const char *event_id,
             const char *call_id)
{
  JsonObject *body = json_object_new ();

  if (self->connection == NULL)
    {
      json_object_unref (body);
      return;
    }
  json_object_set_string_member (body, "event_id", event_id);
  json_object_set_string_member (body, "call_id", call_id);
  tto_connection_request_async (self->connection, TTO_FRAME_CALL_HANGUP, body, NULL, NULL, NULL);
}

static void
on_joined (GObject *object,
           GAsyncResult *result,
           gpointer user_data)
{
  g_autoptr (Attempt) attempt = user_data;
  TtoCallManager *self = attempt->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) answer = NULL;
  JsonObject *call;

  answer = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  call = answer != NULL && json_object_has_member (answer, "call")
           ? json_object_get_object_member (answer, "call")
           : NULL;
  if (attempt->attempt != self->attempt)
    {
      /* Hung up while this was in flight: leave at once. */
      if (call != NULL && call_id_of (call) != NULL)
        send_hangup (self, attempt->event_id, call_id_of (call));
      return;
    }
  if (call == NULL || call_id_of (call) == NULL || *call_id_of (call) == '\0')
    {
      g_clear_pointer (&answer, json_object_unref);
      if (error == NULL)
        error = g_error_new_literal (TTO_PROTOCOL_ERROR, TTO_PROTOCOL_ERROR_BAD_FRAME,
                                     "answer without a call");
      g_debug ("call %s failed: %s", attempt->invite ? "invite" : "accept", error->message);
      fail_with_error (self, error);
      clear_call (self);
      return;
    }

  if (self->ring_call != NULL && g_strcmp0 (call_id_of (self->ring_call), call_id_of (call)) == 0)
    stop_ringing (self);
  note_running_call (self, tto_event_get_id (self->event), call);
  start_engine (self, call);
}

static gboolean
send_join (gpointer data)
{
  Attempt *attempt = data;
  TtoCallManager *self = attempt->self;
  JsonObject *body = g_steal_pointer (&attempt->body);

  if (attempt->attempt != self->attempt || self->connection == NULL)
    {
      json_object_unref (body);
      attempt_free (attempt);
      return G_SOURCE_REMOVE;
    }
  tto_connection_request_async (self->connection, attempt->type, body, NULL, on_joined, attempt);
  return G_SOURCE_REMOVE;
}

static void
on_config (GObject *object,
           GAsyncResult *result,
           gpointer user_data)
{
  g_autoptr (Attempt) attempt = user_data;
  TtoCallManager *self = attempt->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) config = NULL;
  JsonObject *body = json_object_new ();
  const char *type;

  config = tto_connection_request_finish (TTO_CONNECTION (object), result, &error);
  if (attempt->attempt != self->attempt)
    {
      json_object_unref (body);
      return;
    }
  if (config == NULL)
    {
      json_object_unref (body);
      fail_with_error (self, error);
      clear_call (self);
      return;
    }
  if (json_object_has_member (config, "ice_servers"))
    self->ice_servers = json_array_ref (json_object_get_array_member (config, "ice_servers"));

  json_object_set_string_member (body, "event_id", tto_event_get_id (self->event));
  if (attempt->invite)
    {
      JsonArray *to = json_array_new ();

      json_object_set_string_member (body, "kind",
                                     self->kind == TTO_CALL_KIND_AUDIO ? "audio" : "video");
      if (attempt->to == NULL || attempt->to[0] == NULL)
        json_array_add_string_element (to, "all");
      for (guint i = 0; attempt->to != NULL && attempt->to[i] != NULL; i++)
        json_array_add_string_element (to, attempt->to[i]);
      json_object_set_array_member (body, "to", to);
    }
  else
    json_object_set_string_member (body, "call_id", attempt->call_id);
  /* Peers that both encode H.264 in hardware use it (PROTOCOL.md, Codecs);
   * the engine finds the same encoder. */
  if (self->kind == TTO_CALL_KIND_VIDEO)
    {
      g_autofree char *h264 = tto_call_engine_find_h264_encoder ();

      if (h264 != NULL)
        json_object_set_boolean_member (body, "h264", TRUE);
    }

  type = attempt->invite ? TTO_FRAME_CALL_INVITE : TTO_FRAME_CALL_ACCEPT;
  attempt->body = body;
  attempt->type = type;
  /* Not from inside this answer's dispatch: an answer read in the same
   * dispatch would reach on_joined () late, after the connection wiped it
   * and after pushes the engine must see. */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, send_join, g_steal_pointer (&attempt), NULL);
}

static gboolean
begin (TtoCallManager *self,
       TtoEvent *event,
       TtoCallKind kind,
       gboolean invite,
       const char *call_id,
       const char *const *to,
       GError **error)
{
  Attempt *attempt;

  if (self->connection == NULL)
    {
      g_set_error_literal (error, TTO_CONNECTION_ERROR, TTO_CONNECTION_ERROR_NOT_SIGNED_IN,
                           "not signed in");
      return FALSE;
    }
  if (self->state != TTO_CALL_MANAGER_STATE_IDLE)
    {
      g_set_error_literal (error, TTO_CALL_MANAGER_ERROR, TTO_CALL_MANAGER_ERROR_BUSY,
                           "already in a call");
      return FALSE;
    }
  if (tto_event_get_ended (event))
    {
      g_set_error_literal (error, TTO_CALL_MANAGER_ERROR, TTO_CALL_MANAGER_ERROR_ENDED,
                           "the event has ended");
      return FALSE;
    }

  self->attempt++;
  g_set_object (&self->event, event);
  self->kind = kind;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EVENT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND]);
  set_state (self, TTO_CALL_MANAGER_STATE_STARTING);

  attempt = g_new0 (Attempt, 1);
  attempt->self = g_object_ref (self);
  attempt->attempt = self->attempt;
  attempt->invite = invite;
  attempt->event_id = g_strdup (tto_event_get_id (event));
  attempt->call_id = g_strdup (call_id);
  attempt->to = g_strdupv ((char **) to);
  tto_connection_request_async (self->connection, TTO_FRAME_CALL_CONFIG, NULL, NULL, on_config,
                                attempt);

  return TRUE;
}

/* Pushes */

static void
on_connection_call_push (TtoConnection *connection,
                         const char *type,
                         JsonObject *body,
                         TtoCallManager *self)
{
  const char *event_id = json_object_get_string_member_with_default (body, "event_id", NULL);
  JsonObject *call = json_object_has_member (body, "call")
                       ? json_object_get_object_member (body, "call")
                       : NULL;
  const char *push_call_id = call != NULL ? call_id_of (call)
                                          : json_object_get_string_member_with_default (body,
                                                                                        "call_id",
                                                                                        NULL);
  gboolean mine = self->state == TTO_CALL_MANAGER_STATE_IN_CALL && self->engine != NULL &&
                  g_strcmp0 (push_call_id, self->call_id) == 0;

  g_autoptr (JsonObject) kept = NULL;

  if (event_id == NULL || push_call_id == NULL || self->session == NULL)
    return;
  if (call != NULL)
    call = kept = copy_object (call);
  g_debug ("%s push for call %.4s (ours: %.4s, %s)", type, push_call_id,
           self->call_id != NULL ? self->call_id : "-", mine ? "fed" : "not fed");

  if (g_str_equal (type, TTO_FRAME_CALL_RING))
    {
      TtoEvent *event = tto_session_lookup_event (self->session, event_id);

      if (call == NULL || event == NULL || call_ended (call) || mine ||
          call_lists (call, "participants", self_id (self)))
        return;
      note_running_call (self, event_id, call);
      g_set_object (&self->ring_event, event);
      if (self->ring_call != NULL)
        json_object_unref (self->ring_call);
      self->ring_call = json_object_ref (call);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RINGING]);
      return;
    }

  if (g_str_equal (type, TTO_FRAME_CALL_STATE) && call != NULL)
    {
      note_running_call (self, event_id, call);
      /* Answered, declined or ended elsewhere (another device of ours). */
      if (self->ring_call != NULL && g_strcmp0 (call_id_of (self->ring_call), push_call_id) == 0)
        {
          if (call_ended (call) || call_lists (call, "participants", self_id (self)) ||
              !call_lists (call, "invited", self_id (self)))
            stop_ringing (self);
          else
            {
              json_object_unref (self->ring_call);
              self->ring_call = json_object_ref (call);
            }
        }
      if (mine)
        set_call (self, call);
    }

  if (mine)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TtoCallEngine) engine = g_object_ref (self->engine);

      if (!tto_call_engine_handle_frame (engine, type, body, &error))
        g_debug ("call frame %s not used: %s", type, error->message);
    }
}

static void
on_connection_state_changed (TtoConnection *connection,
                             GParamSpec *pspec,
                             TtoCallManager *self)
{
  /* The relay takes a device whose connection closed out of its calls;
   * the media would go on with nobody signalling. */
  if (tto_connection_get_state (connection) != TTO_CONNECTION_STATE_DISCONNECTED)
    return;
  stop_ringing (self);
  if (g_hash_table_size (self->calls) > 0)
    {
      g_hash_table_remove_all (self->calls);
      g_signal_emit (self, signals[SIGNAL_CALLS_CHANGED], 0, NULL);
    }
  if (self->state != TTO_CALL_MANAGER_STATE_IDLE)
    {
      fail (self, _("The call ended: the connection to the relay was lost."));
      tto_call_manager_hangup (self);
    }
}

static void
on_session_event_changed (TtoSession *session,
                          TtoEvent *event,
                          TtoCallManager *self)
{
  if (event == NULL || !tto_event_get_ended (event))
    return;
  if (self->ring_event == event)
    stop_ringing (self);
  if (g_hash_table_remove (self->calls, tto_event_get_id (event)))
    g_signal_emit (self, signals[SIGNAL_CALLS_CHANGED], 0, tto_event_get_id (event));
}

/* GObject */

static void
tto_call_manager_dispose (GObject *object)
{
  TtoCallManager *self = TTO_CALL_MANAGER (object);

  tto_call_manager_set_session (self, NULL);

  G_OBJECT_CLASS (tto_call_manager_parent_class)->dispose (object);
}

static void
tto_call_manager_finalize (GObject *object)
{
  TtoCallManager *self = TTO_CALL_MANAGER (object);

  g_hash_table_unref (self->calls);
  g_free (self->recordings_dir);

  G_OBJECT_CLASS (tto_call_manager_parent_class)->finalize (object);
}

static void
tto_call_manager_get_property (GObject *object,
                               guint prop_id,
                               GValue *value,
                               GParamSpec *pspec)
{
  TtoCallManager *self = TTO_CALL_MANAGER (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_EVENT:
      g_value_set_object (value, self->event);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;
    case PROP_STARTED_AT:
      g_value_set_int64 (value, tto_call_manager_get_started_at (self));
      break;
    case PROP_SOMEONE_RECORDING:
      g_value_set_boolean (value, tto_call_manager_get_someone_recording (self));
      break;
    case PROP_RINGING:
      g_value_set_boolean (value, self->ring_call != NULL);
      break;
    case PROP_MUTED:
      g_value_set_boolean (value, tto_call_manager_get_muted (self));
      break;
    case PROP_CAMERA_ENABLED:
      g_value_set_boolean (value, tto_call_manager_get_camera_enabled (self));
      break;
    case PROP_RECORDING:
      g_value_set_boolean (value, tto_call_manager_get_recording (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_call_manager_set_property (GObject *object,
                               guint prop_id,
                               const GValue *value,
                               GParamSpec *pspec)
{
  TtoCallManager *self = TTO_CALL_MANAGER (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      tto_call_manager_set_session (self, g_value_get_object (value));
      break;
    case PROP_MUTED:
      tto_call_manager_set_muted (self, g_value_get_boolean (value));
      break;
    case PROP_CAMERA_ENABLED:
      tto_call_manager_set_camera_enabled (self, g_value_get_boolean (value));
      break;
    case PROP_RECORDING:
      tto_call_manager_set_recording (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_call_manager_class_init (TtoCallManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags readable = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags writable = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tto_call_manager_dispose;
  object_class->finalize = tto_call_manager_finalize;
  object_class->get_property = tto_call_manager_get_property;
  object_class->set_property = tto_call_manager_set_property;

  properties[PROP_SESSION] = g_param_spec_object ("session", NULL, NULL, TTO_TYPE_SESSION,
                                                  writable);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, TTO_TYPE_CALL_MANAGER_STATE,
                                              TTO_CALL_MANAGER_STATE_IDLE, readable);
  properties[PROP_EVENT] = g_param_spec_object ("event", NULL, NULL, TTO_TYPE_EVENT, readable);
  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, TTO_TYPE_CALL_KIND,
                                             TTO_CALL_KIND_VIDEO, readable);
  properties[PROP_ENGINE] = g_param_spec_object ("engine", NULL, NULL, TTO_TYPE_CALL_ENGINE,
                                                 readable);
  /* ms since the epoch, or 0 */
  properties[PROP_STARTED_AT] = g_param_spec_int64 ("started-at", NULL, NULL, 0, G_MAXINT64, 0,
                                                    readable);
  properties[PROP_SOMEONE_RECORDING] = g_param_spec_boolean ("someone-recording", NULL, NULL,
                                                             FALSE, readable);
  properties[PROP_RINGING] = g_param_spec_boolean ("ringing", NULL, NULL, FALSE, readable);
  properties[PROP_MUTED] = g_param_spec_boolean ("muted", NULL, NULL, FALSE, writable);
  properties[PROP_CAMERA_ENABLED] = g_param_spec_boolean ("camera-enabled", NULL, NULL, TRUE,
                                                          writable);
  properties[PROP_RECORDING] = g_param_spec_boolean ("recording", NULL, NULL, FALSE, writable);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A sentence for the user: why starting, joining or recording failed. */
  signals[SIGNAL_FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* The running call of an event (its id, or NULL for all) changed. */
  signals[SIGNAL_CALLS_CHANGED] = g_signal_new ("calls-changed", G_TYPE_FROM_CLASS (klass),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                G_TYPE_NONE, 1, G_TYPE_STRING);
  /* The Call object of the call this device is in changed. */
  signals[SIGNAL_CALL_CHANGED] = g_signal_new ("call-changed", G_TYPE_FROM_CLASS (klass),
                                               G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                               G_TYPE_NONE, 0);
}

static void
tto_call_manager_init (TtoCallManager *self)
{
  const char *videos = g_get_user_special_dir (G_USER_DIRECTORY_VIDEOS);

  self->calls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) json_object_unref);
  self->kind = TTO_CALL_KIND_VIDEO;
  self->recordings_dir = g_strdup (videos != NULL ? videos : g_get_home_dir ());
}

/* Public API */

TtoCallManager *
tto_call_manager_new (void)
{
  return g_object_new (TTO_TYPE_CALL_MANAGER, NULL);
}

void
tto_call_manager_set_session (TtoCallManager *self,
                              TtoSession *session)
{
  g_return_if_fail (TTO_IS_CALL_MANAGER (self));
  g_return_if_fail (session == NULL || TTO_IS_SESSION (session));

  if (self->session == session)
    return;

  if (self->state != TTO_CALL_MANAGER_STATE_IDLE)
    tto_call_manager_hangup (self);
  stop_ringing (self);
  g_hash_table_remove_all (self->calls);
  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->connection);
  g_set_object (&self->session, session);

  if (session != NULL)
    {
      self->connection = g_object_ref (tto_session_get_connection (session));
      g_signal_connect (self->connection, "call-push", G_CALLBACK (on_connection_call_push),
                        self);
      g_signal_connect (self->connection, "notify::state",
                        G_CALLBACK (on_connection_state_changed), self);
      g_signal_connect (session, "event-changed", G_CALLBACK (on_session_event_changed), self);
    }
  g_signal_emit (self, signals[SIGNAL_CALLS_CHANGED], 0, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

TtoSession *
tto_call_manager_get_session (TtoCallManager *self)
{
  g_return_val_if_fail (TTO_IS_CALL_MANAGER (self), NULL);

  return self->session;
}

TtoCallManagerState
tto_call_manager_get_state (TtoCallManager *self)
{
  g_return_val_if_fail (TTO_IS_CALL_MANAGER (self), TTO_CALL_MANAGER_STATE_IDLE);

  return self->state;
}

TtoEvent *
tto_call_manager_get_event (TtoCallManager *self)
{
  g_return_val_if_fail (TTO_IS_CALL_MANAGER (self), NULL);

  return self->event;
}

TtoCallKind
tto_call_manager_get_kind (TtoCallManager *self)
{
  g_return_val_if_fail (TTO_IS_CALL_MANAGER (self), TTO_CALL_KIND_VIDEO);

  return self->kind;
}

/* The latest Call object of the call this device is in, or NULL. */
JsonObject *
tto_call_manager_get_call (TtoCallManager *self)
{
  g_return_val_if_fail (TTO_IS_CALL_MANAGER (self), NULL);

  return self->call;
}

TtoCallEngine *
tto_call_manager_get_engine (TtoCallManager *self)
{
  g_return_val_if_fail (TTO_IS_CALL_MANAGER (self), NULL);

  return self->engine;
}

gint64
tto_call_manager_get_started_at (TtoCallManager *self)
{
  g_return_val_if_fail (TTO_IS_CALL_MANAGER (self), 0);

  if (self->call == NULL)
    return 0;
  return json_object_get_int_member_with_default (self->call, "started_at", 0);
}

/* Whether anyone in the call records it (the call's "recording" list). */
gboolean
tto_call_manager_get_someone_recording (TtoCallManager *self)
{
  JsonArray *recording;

  g_return_val_if_fail (TTO_IS_CALL_MANAGER (self), FALSE);

  if (self->call == NULL || !json_object_has_member (self->call, "recording"))
    return FALSE;
  recording = json_object_get_array_member (self->call, "recording");

  return recording != NULL && json_array_get_length (recording) > 0;
}

/* Who records the call, as a comma-separated list of names. */
char *
tto_call_manager_dup_recording_names (TtoCallManager *self)
{
  g_autoptr (GString) names = g_string_new (NULL);
  JsonArray *recording;

  g_return_val_if_fail (TTO_IS_CALL_MANAGER (self), NULL);

  if (!tto_call_manager_get_someone_recording (self))
    return NULL;
  recording = json_object_get_array_member (self->call, "recording");
  for (guint i = 0; i < json_array_get_length (recording); i++)
    {
      const char *id = json_array_get_string_element (recording, i);
      const char *name = NULL;
      JsonArray *participants = json_object_get_array_member (self->call, "participants");

      if (g_strcmp0 (id, self_id (self)) == 0)
        name = _("You");
      for (guint j = 0; name == NULL && participants != NULL &&
                        j < json_array_get_length (participants);
           j++)
        {
          JsonObject *participant = json_array_get_object_element (participants, j);

          if (g_strcmp0 (json_object_get_string_member_with_default (participant, "identity_id",
                                                                     NULL),
                         id) == 0)
            name = json_object_get_string_member_with_default (participant, "display_name",
                                                               NULL);
        }
      if (name == NULL)
        continue;
      if (names->len > 0)
        g_string_append (names, ", ");
      g_string_append (names, name);
    }

  return g_string_free (g_steal_pointer (&names), FALSE);
}

gboolean
tto_call_manager_get_ringing (TtoCallManager *self)
{
  g_return_val_if_fail (TTO_IS_CALL_MANAGER (self), FALSE);

  return self->ring_call != NULL;
}

TtoEvent *
tto_call_manager_get_ring_event (TtoCallManager *self)
{
  g_return_val_if_fail (TTO_IS_CALL_MANAGER (self), NULL);

  return self->ring_event;
}

JsonObject *
tto_call_manager_get_ring_call (TtoCallManager *self)
{
  g_return_val_if_fail (TTO_IS_CALL_MANAGER (self), NULL);

  return self->ring_call;
}

/* A call running in @event that this device is not in, or NULL. */
JsonObject *
tto_call_manager_lookup_running_call (TtoCallManager *self,
                                      TtoEvent *event)
{
  JsonObject *call;

  g_return_val_if_fail (TTO_IS_CALL_MANAGER (self), NULL);
  g_return_val_if_fail (event == NULL || TTO_IS_EVENT (event), NULL);

  if (event == NULL || tto_event_get_ended (event))
    return NULL;
  call = g_hash_table_lookup (self->calls, tto_event_get_id (event));
  if (call == NULL || call_ended (call))
    return NULL;
  if (self->state != TTO_CALL_MANAGER_STATE_IDLE && self->event == event)
    return NULL;

  return call;
}

/* Starts a @kind call in @event, ringing @to (identity ids; NULL or
 * empty: everyone). Failures later on come as "failed". */
gboolean
tto_call_manager_start (TtoCallManager *self,
                        TtoEvent *event,
                        TtoCallKind kind,
                        const char *const *to,
                        GError **error)
{
  g_return_val_if_fail (TTO_IS_CALL_MANAGER (self), FALSE);
  g_return_val_if_fail (TTO_IS_EVENT (event), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return begin (self, event, kind, TRUE, NULL, to, error);
}

/* Answers the ringing invitation, leaving the current call first. */
gboolean
tto_call_manager_accept (TtoCallManager *self,
                         GError **error)
{
  g_autoptr (TtoEvent) event = NULL;
  g_autoptr (JsonObject) call = NULL;

  g_return_val_if_fail (TTO_IS_CALL_MANAGER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->ring_call == NULL)
    {
      g_set_error_literal (error, TTO_CALL_MANAGER_ERROR, TTO_CALL_MANAGER_ERROR_NOT_FOUND,
                           "nothing rings");
      return FALSE;
    }
  event = g_object_ref (self->ring_event);
  call = json_object_ref (self->ring_call);
  if (self->state != TTO_CALL_MANAGER_STATE_IDLE)
    tto_call_manager_hangup (self);

  return begin (self, event, call_kind (call), FALSE, call_id_of (call), NULL, error);
}

/* Joins the call running in @event (a latecomer). */
gboolean
tto_call_manager_join (TtoCallManager *self,
                       TtoEvent *event,
                       GError **error)
{
  JsonObject *call;

  g_return_val_if_fail (TTO_IS_CALL_MANAGER (self), FALSE);
  g_return_val_if_fail (TTO_IS_EVENT (event), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  call = tto_call_manager_lookup_running_call (self, event);
  if (call == NULL)
    {
      g_set_error_literal (error, TTO_CALL_MANAGER_ERROR, TTO_CALL_MANAGER_ERROR_NOT_FOUND,
                           "no call is running in this event");
      return FALSE;
    }

  return begin (self, event, call_kind (call), FALSE, call_id_of (call), NULL, error);
}

void
tto_call_manager_decline (TtoCallManager *self)
{
  JsonObject *body;

  g_return_if_fail (TTO_IS_CALL_MANAGER (self));

  if (self->ring_call == NULL)
    return;
  if (self->connection != NULL)
    {
      body = json_object_new ();
      json_object_set_string_member (body, "event_id", tto_event_get_id (self->ring_event));
      json_object_set_string_member (body, "call_id", call_id_of (self->ring_call));
      tto_connection_request_async (self->connection, TTO_FRAME_CALL_DECLINE, body, NULL, NULL,
                                    NULL);
    }
  stop_ringing (self);
}

/* Leaves the call this device is in, or stops joining one. */
void
tto_call_manager_hangup (TtoCallManager *self)
{
  g_return_if_fail (TTO_IS_CALL_MANAGER (self));

  if (self->engine != NULL)
    {
      g_autoptr (TtoCallEngine) engine = g_object_ref (self->engine);

      /* Sends call.hangup and emits "ended", which clears the call. */
      tto_call_engine_hangup (engine);
    }
  if (self->state != TTO_CALL_MANAGER_STATE_IDLE)
    clear_call (self);
}

gboolean
tto_call_manager_get_muted (TtoCallManager *self)
{
  g_return_val_if_fail (TTO_IS_CALL_MANAGER (self), FALSE);

  return self->engine != NULL && tto_call_engine_get_muted (self->engine);
}

void
tto_call_manager_set_muted (TtoCallManager *self,
                            gboolean muted)
{
  g_return_if_fail (TTO_IS_CALL_MANAGER (self));

  if (self->engine != NULL)
    tto_call_engine_set_muted (self->engine, muted);
}

gboolean
tto_call_manager_get_camera_enabled (TtoCallManager *self)
{
  g_return_val_if_fail (TTO_IS_CALL_MANAGER (self), TRUE);

  return self->engine == NULL || tto_call_engine_get_camera_enabled (self->engine);
}

void
tto_call_manager_set_camera_enabled (TtoCallManager *self,
                                     gboolean enabled)
{
  g_return_if_fail (TTO_IS_CALL_MANAGER (self));

  if (self->engine != NULL)
    tto_call_engine_set_camera_enabled (self->engine, enabled);
}

/* Whether this device records the call. */
gboolean
tto_call_manager_get_recording (TtoCallManager *self)
{
  g_return_val_if_fail (TTO_IS_CALL_MANAGER (self), FALSE);

  return self->engine != NULL && tto_call_engine_get_recording (self->engine);
}

/* Records the call into a WebM file in the recordings folder (on this
 * device only; the others see that it is recorded). */
void
tto_call_manager_set_recording (TtoCallManager *self,
                                gboolean recording)
{
  g_autoptr (GError) error = NULL;

  g_return_if_fail (TTO_IS_CALL_MANAGER (self));

  if (self->engine == NULL || recording == tto_call_engine_get_recording (self->engine))
    return;

  if (recording)
    {
      g_autoptr (GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H-%M-%S");
      /* Translators: the file name of a call recording; %s is a date and time */
      g_autofree char *name = g_strdup_printf (_("Call %s.webm"), stamp);

      g_mkdir_with_parents (self->recordings_dir, 0700);
      g_free (self->recording_path);
      self->recording_path = g_build_filename (self->recordings_dir, name, NULL);
      if (!tto_call_engine_start_recording (self->engine, self->recording_path, &error))
        {
          g_autofree char *text = g_strdup_printf (_("Could not record the call: %s"),
                                                   error->message);

          fail (self, text);
          g_clear_pointer (&self->recording_path, g_free);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
        }
    }
  else
    tto_call_engine_stop_recording (self->engine);
}

/* Where recordings go: the Videos folder, else the home folder. */
const char *
tto_call_manager_get_recordings_dir (TtoCallManager *self)
{
  g_return_val_if_fail (TTO_IS_CALL_MANAGER (self), NULL);

  return self->recordings_dir;
}

void
tto_call_manager_set_recordings_dir (TtoCallManager *self,
                                     const char *dir)
{
  g_return_if_fail (TTO_IS_CALL_MANAGER (self));
  g_return_if_fail (dir != NULL);

  g_free (self->recordings_dir);
  self->recordings_dir = g_strdup (dir);
}
