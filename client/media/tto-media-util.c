/* tto-media-util.c: helpers shared by the recorders and the probe
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-media"

#include <gio/gio.h>
#include <math.h>

#include "tto-media-private.h"
#include "tto-media-types.h"

G_DEFINE_ENUM_TYPE (TtoRecorderState, tto_recorder_state,
                    G_DEFINE_ENUM_VALUE (TTO_RECORDER_STATE_IDLE, "idle"),
                    G_DEFINE_ENUM_VALUE (TTO_RECORDER_STATE_STARTING, "starting"),
                    G_DEFINE_ENUM_VALUE (TTO_RECORDER_STATE_RECORDING, "recording"),
                    G_DEFINE_ENUM_VALUE (TTO_RECORDER_STATE_STOPPING, "stopping"),
                    G_DEFINE_ENUM_VALUE (TTO_RECORDER_STATE_FINISHED, "finished"),
                    G_DEFINE_ENUM_VALUE (TTO_RECORDER_STATE_FAILED, "failed"))

/* Quiet below this, in dBFS: speech sits well above it. */
#define WAVEFORM_FLOOR_DB (-50.0)

void
tto_media_ensure_gst (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      gst_init (NULL, NULL);
      g_once_init_leave (&done, 1);
    }
}

GstElement *
tto_media_make_element (const char *factory,
                        const char *name,
                        GError **error)
{
  GstElement *element = gst_element_factory_make (factory, name);

  if (element == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 "the GStreamer element '%s' is missing; install the GStreamer plugins",
                 factory);

  return element;
}

static gboolean
device_is_monitor (GstDevice *device)
{
  g_autoptr (GstStructure) properties = gst_device_get_properties (device);
  const char *device_class;

  if (properties == NULL)
    return FALSE;

  /* PulseAudio's "Monitor of …" sources record what the speakers play. */
  device_class = gst_structure_get_string (properties, "device.class");
  return g_strcmp0 (device_class, "monitor") == 0;
}

static gboolean
device_is_default (GstDevice *device)
{
  g_autoptr (GstStructure) properties = gst_device_get_properties (device);
  gboolean is_default = FALSE;

  if (properties != NULL)
    gst_structure_get_boolean (properties, "is-default", &is_default);

  return is_default;
}

/* The element for @description (gst-launch syntax, as tests give
 * "audiotestsrc is-live=true"), else one for the system's default device of
 * @device_class ("Audio/Source", "Video/Source"). No device: NULL and
 * G_IO_ERROR_NOT_FOUND. autoaudiosrc/autovideosrc are not used: when no
 * device works they fall back to a test source (autovideosrc shows a test
 * pattern here), which would be recorded instead of telling the user. */
GstElement *
tto_media_make_source (const char *description,
                       const char *device_class,
                       GError **error)
{
  g_autoptr (GstDeviceMonitor) monitor = NULL;
  GList *devices;
  GstDevice *chosen = NULL;
  GstElement *element = NULL;

  if (description != NULL && description[0] != '\0')
    {
      g_autoptr (GError) parse_error = NULL;

      element = gst_parse_bin_from_description (description, TRUE, &parse_error);
      if (element == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     "cannot make the source '%s': %s", description, parse_error->message);
      return element;
    }

  monitor = gst_device_monitor_new ();
  gst_device_monitor_add_filter (monitor, device_class, NULL);
  devices = gst_device_monitor_get_devices (monitor);
  for (GList *l = devices; l != NULL; l = l->next)
    {
      GstDevice *device = l->data;

      if (device_is_monitor (device))
        continue;
      if (chosen == NULL || device_is_default (device))
        chosen = device;
    }
  if (chosen != NULL)
    element = gst_device_create_element (chosen, NULL);
  g_list_free_full (devices, gst_object_unref);

  if (element == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no %s device found",
                 g_str_has_prefix (device_class, "Audio") ? "audio input" : "camera");

  return element;
}

/* Whether @message comes from @element or something inside it. */
gboolean
tto_media_message_is_from (GstMessage *message,
                           GstElement *element)
{
  GstObject *src = GST_MESSAGE_SRC (message);

  for (GstObject *o = src; o != NULL; o = GST_OBJECT_PARENT (o))
    if (o == GST_OBJECT (element))
      return TRUE;

  return FALSE;
}

char *
tto_media_describe_error (GstMessage *message)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *debug = NULL;

  gst_message_parse_error (message, &error, &debug);
  g_debug ("GStreamer error from %s: %s (%s)", GST_MESSAGE_SRC_NAME (message),
           error->message, debug != NULL ? debug : "");

  return g_strdup (error->message);
}

/* A bus watch on @context, not necessarily the thread-default one. */
GSource *
tto_media_add_bus_watch (GstElement *pipeline,
                         GMainContext *context,
                         GstBusFunc func,
                         gpointer user_data)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  GSource *source = gst_bus_create_watch (bus);

  g_source_set_callback (source, (GSourceFunc) (void (*) (void)) func, user_data, NULL);
  g_source_attach (source, context);

  return source;
}

guint8
tto_media_level_from_db (double db)
{
  double fraction;

  if (isnan (db) || db <= WAVEFORM_FLOOR_DB)
    return 0;
  if (db >= 0.0)
    return 255;

  fraction = (db - WAVEFORM_FLOOR_DB) / -WAVEFORM_FLOOR_DB;
  return (guint8) lround (fraction * 255.0);
}

/* The loudest channel's peak of a "level" element message, 0-255. */
guint8
tto_media_peak_from_level_message (const GstStructure *structure)
{
  const GValue *value = gst_structure_get_value (structure, "peak");
  double loudest = -INFINITY;
  GValueArray *peaks;

  /* The level element posts a GValueArray, deprecated in GLib but still
   * its documented format in GStreamer 1.22. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (value == NULL || !G_VALUE_HOLDS (value, g_value_array_get_type ()))
    return 0;

  peaks = g_value_get_boxed (value);
  for (guint i = 0; peaks != NULL && i < peaks->n_values; i++)
    loudest = MAX (loudest, g_value_get_double (g_value_array_get_nth (peaks, i)));
  G_GNUC_END_IGNORE_DEPRECATIONS

  return tto_media_level_from_db (loudest);
}

/* At most @max_levels levels: each the loudest of its share of @levels. */
GArray *
tto_media_reduce_waveform (const GArray *levels,
                           guint max_levels)
{
  GArray *reduced;
  guint n;

  g_assert (max_levels > 0);

  n = MIN (levels->len, max_levels);
  reduced = g_array_sized_new (FALSE, TRUE, sizeof (guint8), n);
  for (guint i = 0; i < n; i++)
    {
      guint from = (guint) ((guint64) i * levels->len / n);
      guint to = (guint) ((guint64) (i + 1) * levels->len / n);
      guint8 loudest = 0;

      for (guint j = from; j < to; j++)
        loudest = MAX (loudest, g_array_index (levels, guint8, j));
      g_array_append_val (reduced, loudest);
    }

  return reduced;
}
