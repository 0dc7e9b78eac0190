/* tto-call-audio.c: speaker/earpiece and the call audio mode through
 * callaudiod
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Linux phones (Mobian, postmarketOS: PinePhone, Librem 5) route call
 * audio with callaudiod, a session D-Bus service. This object watches its
 * name without starting it: "available" holds while it runs, so the call
 * page offers the speaker only where the platform can switch it. While a
 * call is in progress the daemon is put in its voice call mode, and back
 * in the default mode afterwards, as GNOME Calls does.
 */
#include "tto-call-audio.h"

#define CALL_AUDIO_NAME "org.mobian_project.CallAudio"
#define CALL_AUDIO_PATH "/org/mobian_project/CallAudio"
#define CALL_AUDIO_INTERFACE "org.mobian_project.CallAudio"

/* callaudiod's values (/usr/share/dbus-1/interfaces/org.mobian_project.CallAudio.xml). */
#define MODE_DEFAULT 0
#define MODE_CALL 1
#define SPEAKER_ON 1

static const char interface_xml[] =
  "<node>"
  "  <interface name='" CALL_AUDIO_INTERFACE "'>"
  "    <method name='SelectMode'>"
  "      <arg direction='in' name='mode' type='u'/>"
  "      <arg direction='out' name='success' type='b'/>"
  "    </method>"
  "    <property name='AudioMode' type='u' access='read'/>"
  "    <method name='EnableSpeaker'>"
  "      <arg direction='in' name='enable' type='b'/>"
  "      <arg direction='out' name='success' type='b'/>"
  "    </method>"
  "    <property name='SpeakerState' type='u' access='read'/>"
  "    <method name='MuteMic'>"
  "      <arg direction='in' name='mute' type='b'/>"
  "      <arg direction='out' name='success' type='b'/>"
  "    </method>"
  "    <property name='MicState' type='u' access='read'/>"
  "  </interface>"
  "</node>";

enum
{
  PROP_0,
  PROP_AVAILABLE,
  PROP_SPEAKER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

struct _TtoCallAudio
{
  GObject parent_instance;

  guint watch_id;
  GCancellable *cancellable; /* cancelled when the daemon leaves the bus */
  GDBusProxy *proxy;         /* set once the daemon's properties are loaded */
  gboolean speaker;
  gboolean in_call;
  guint mode_sent; /* the mode last asked for from this daemon */
};

G_DEFINE_FINAL_TYPE (TtoCallAudio, tto_call_audio, G_TYPE_OBJECT)

G_DEFINE_QUARK (tto-call-audio-error-quark, tto_call_audio_error)

static GDBusInterfaceInfo *
interface_info (void)
{
  static GDBusNodeInfo *node;
  static gsize parsed;

  if (g_once_init_enter (&parsed))
    {
      g_autoptr (GError) error = NULL;

      node = g_dbus_node_info_new_for_xml (interface_xml, &error);
      g_assert_no_error (error);
      g_once_init_leave (&parsed, 1);
    }
  return node->interfaces[0];
}

static void
update_speaker (TtoCallAudio *self)
{
  g_autoptr (GVariant) state = self->proxy != NULL
                                 ? g_dbus_proxy_get_cached_property (self->proxy, "SpeakerState")
                                 : NULL;
  /* 255 and anything else unknown count as off. */
  gboolean speaker = state != NULL && g_variant_get_uint32 (state) == SPEAKER_ON;

  if (speaker == self->speaker)
    return;
  self->speaker = speaker;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEAKER]);
}

static void
on_mode_selected (GObject *source,
                  GAsyncResult *result,
                  gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), result, &error);
  gboolean ok = FALSE;

  if (reply != NULL)
    g_variant_get (reply, "(b)", &ok);
  /* Not the person's concern: a phone without a voice profile plays the
   * call through its normal output. */
  if (!ok)
    g_debug ("callaudiod did not switch the audio mode: %s",
             error != NULL ? error->message : "refused");
}

static void
apply_mode (TtoCallAudio *self)
{
  guint mode = self->in_call ? MODE_CALL : MODE_DEFAULT;

  if (self->proxy == NULL || mode == self->mode_sent)
    return;
  self->mode_sent = mode;
  /* No cancellable: the default mode must reach the daemon even when this
   * object goes away with the call. */
  g_dbus_proxy_call (self->proxy, "SelectMode", g_variant_new ("(u)", mode),
                     G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, on_mode_selected, NULL);
}

static void
on_properties_changed (TtoCallAudio *self)
{
  update_speaker (self);
}

static void
on_proxy_ready (GObject *source,
                GAsyncResult *result,
                gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  GDBusProxy *proxy = g_dbus_proxy_new_finish (result, &error);
  TtoCallAudio *self;

  if (proxy == NULL)
    {
      /* Cancelled: the daemon left, or this object is gone. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("callaudiod: %s", error->message);
      return;
    }
  self = TTO_CALL_AUDIO (user_data);
  self->proxy = proxy;
  g_signal_connect_object (proxy, "g-properties-changed", G_CALLBACK (on_properties_changed),
                           self, G_CONNECT_SWAPPED);
  update_speaker (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVAILABLE]);
  apply_mode (self);
}

static void
forget_daemon (TtoCallAudio *self)
{
  gboolean was_available = self->proxy != NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->proxy != NULL)
    g_signal_handlers_disconnect_by_data (self->proxy, self);
  g_clear_object (&self->proxy);
  /* A daemon started later begins in its default mode. */
  self->mode_sent = MODE_DEFAULT;
  update_speaker (self);
  if (was_available)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVAILABLE]);
}

static void
on_name_appeared (GDBusConnection *connection,
                  const char *name,
                  const char *owner,
                  gpointer user_data)
{
  TtoCallAudio *self = TTO_CALL_AUDIO (user_data);

  forget_daemon (self);
  self->cancellable = g_cancellable_new ();
  /* Never start the daemon: where it does not run, there is nothing to
   * switch. */
  g_dbus_proxy_new (connection, G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START, interface_info (), owner,
                    CALL_AUDIO_PATH, CALL_AUDIO_INTERFACE, self->cancellable, on_proxy_ready,
                    self);
}

static void
on_name_vanished (GDBusConnection *connection,
                  const char *name,
                  gpointer user_data)
{
  forget_daemon (TTO_CALL_AUDIO (user_data));
}

/* GObject */

static void
tto_call_audio_dispose (GObject *object)
{
  TtoCallAudio *self = TTO_CALL_AUDIO (object);

  if (self->in_call)
    tto_call_audio_set_in_call (self, FALSE);
  if (self->watch_id != 0)
    {
      g_bus_unwatch_name (self->watch_id);
      self->watch_id = 0;
    }
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->proxy != NULL)
    g_signal_handlers_disconnect_by_data (self->proxy, self);
  g_clear_object (&self->proxy);

  G_OBJECT_CLASS (tto_call_audio_parent_class)->dispose (object);
}

static void
tto_call_audio_get_property (GObject *object,
                             guint prop_id,
                             GValue *value,
                             GParamSpec *pspec)
{
  TtoCallAudio *self = TTO_CALL_AUDIO (object);

  switch (prop_id)
    {
    case PROP_AVAILABLE:
      g_value_set_boolean (value, tto_call_audio_get_available (self));
      break;
    case PROP_SPEAKER:
      g_value_set_boolean (value, self->speaker);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_call_audio_class_init (TtoCallAudioClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tto_call_audio_dispose;
  object_class->get_property = tto_call_audio_get_property;

  /* Whether callaudiod runs on the session bus. */
  properties[PROP_AVAILABLE] =
    g_param_spec_boolean ("available", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Whether the daemon reports the loudspeaker as the output. */
  properties[PROP_SPEAKER] =
    g_param_spec_boolean ("speaker", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tto_call_audio_init (TtoCallAudio *self)
{
  self->mode_sent = MODE_DEFAULT;
  self->watch_id = g_bus_watch_name (G_BUS_TYPE_SESSION, CALL_AUDIO_NAME,
                                     G_BUS_NAME_WATCHER_FLAGS_NONE, on_name_appeared,
                                     on_name_vanished, self, NULL);
}

/* Public API */

TtoCallAudio *
tto_call_audio_new (void)
{
  return g_object_new (TTO_TYPE_CALL_AUDIO, NULL);
}

gboolean
tto_call_audio_get_available (TtoCallAudio *self)
{
  g_return_val_if_fail (TTO_IS_CALL_AUDIO (self), FALSE);

  return self->proxy != NULL;
}

gboolean
tto_call_audio_get_speaker (TtoCallAudio *self)
{
  g_return_val_if_fail (TTO_IS_CALL_AUDIO (self), FALSE);

  return self->speaker;
}

/* The voice call mode while @in_call, the default mode otherwise; kept
 * across the daemon leaving and coming back. */
void
tto_call_audio_set_in_call (TtoCallAudio *self,
                            gboolean in_call)
{
  g_return_if_fail (TTO_IS_CALL_AUDIO (self));

  self->in_call = !!in_call;
  apply_mode (self);
}

static void
on_speaker_enabled (GObject *source,
                    GAsyncResult *result,
                    gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  g_autoptr (GVariant) reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), result, &error);
  gboolean ok = FALSE;

  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_variant_get (reply, "(b)", &ok);
  if (!ok)
    g_task_return_new_error (task, TTO_CALL_AUDIO_ERROR, TTO_CALL_AUDIO_ERROR_REFUSED,
                             "callaudiod could not switch the output");
  else
    g_task_return_boolean (task, TRUE);
}

/* Asks the daemon to play through the loudspeaker (@enable) or the
 * earpiece. "speaker" follows what the daemon then reports. */
void
tto_call_audio_enable_speaker_async (TtoCallAudio *self,
                                     gboolean enable,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (TTO_IS_CALL_AUDIO (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_call_audio_enable_speaker_async);
  if (self->proxy == NULL)
    {
      g_task_return_new_error (task, TTO_CALL_AUDIO_ERROR, TTO_CALL_AUDIO_ERROR_UNAVAILABLE,
                               "callaudiod is not running");
      return;
    }
  g_dbus_proxy_call (self->proxy, "EnableSpeaker", g_variant_new ("(b)", !!enable),
                     G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, cancellable, on_speaker_enabled,
                     g_steal_pointer (&task));
}

gboolean
tto_call_audio_enable_speaker_finish (TtoCallAudio *self,
                                      GAsyncResult *result,
                                      GError **error)
{
  g_return_val_if_fail (TTO_IS_CALL_AUDIO (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
