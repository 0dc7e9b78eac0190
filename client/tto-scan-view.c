/* tto-scan-view.c: reads a QR code from the camera or from a picture
 *
 * The camera runs through GStreamer: the first video source the device
 * monitor finds (pipewiresrc where PipeWire provides the camera, else
 * v4l2src), scaled to 640 px wide, through the zbar element, which posts a
 * "barcode" element message for each code it reads, into an appsink whose
 * frames become GdkMemoryTextures for the preview. A picture file is
 * decoded with libzbar in a worker thread (tto-qr-decode). Either way the
 * text read is emitted as "decoded"; the owner decides whether it is an
 * invitation.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "tto-qr-decode.h"

#include "tto-scan-view.h"

#define PREVIEW_WIDTH 640

struct _TtoScanView
{
  AdwBin parent_instance;

  GtkStack *stack;
  GtkPicture *preview;
  GtkLabel *status_label;
  AdwStatusPage *no_camera_page;

  GstElement *pipeline;
  guint bus_watch;
  GCancellable *cancellable;
  char *last_symbol; /* the camera reads the same code many times a second */
};

G_DEFINE_FINAL_TYPE (TtoScanView, tto_scan_view, ADW_TYPE_BIN)

enum
{
  DECODED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  GWeakRef view;
  GdkTexture *texture;
} FrameData;

static gboolean
show_frame (gpointer user_data)
{
  FrameData *data = user_data;
  g_autoptr (TtoScanView) self = g_weak_ref_get (&data->view);

  if (self != NULL && self->pipeline != NULL)
    gtk_picture_set_paintable (self->preview, GDK_PAINTABLE (data->texture));
  return G_SOURCE_REMOVE;
}

static void
frame_data_free (gpointer user_data)
{
  FrameData *data = user_data;

  g_weak_ref_clear (&data->view);
  g_object_unref (data->texture);
  g_free (data);
}

/* Streaming thread: the frame becomes a texture, shown on the main loop. */
static GstFlowReturn
on_new_sample (GstAppSink *sink,
               gpointer user_data)
{
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);
  GstVideoInfo info;
  GstMapInfo map;
  GstBuffer *buffer;
  FrameData *data;
  GBytes *bytes;

  if (sample == NULL || !gst_video_info_from_caps (&info, gst_sample_get_caps (sample)))
    return GST_FLOW_OK;
  buffer = gst_sample_get_buffer (sample);
  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    return GST_FLOW_OK;
  bytes = g_bytes_new (map.data, map.size);
  gst_buffer_unmap (buffer, &map);

  data = g_new0 (FrameData, 1);
  g_weak_ref_init (&data->view, user_data);
  data->texture = gdk_memory_texture_new (GST_VIDEO_INFO_WIDTH (&info),
                                          GST_VIDEO_INFO_HEIGHT (&info), GDK_MEMORY_R8G8B8A8,
                                          bytes, GST_VIDEO_INFO_PLANE_STRIDE (&info, 0));
  g_bytes_unref (bytes);
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, show_frame, data, frame_data_free);
  return GST_FLOW_OK;
}

static void
show_no_camera (TtoScanView *self,
                const char *description)
{
  adw_status_page_set_description (self->no_camera_page, description);
  gtk_stack_set_visible_child_name (self->stack, "no-camera");
}

static gboolean
on_bus_message (GstBus *bus,
                GstMessage *message,
                gpointer user_data)
{
  TtoScanView *self = user_data;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ELEMENT)
    {
      const GstStructure *structure = gst_message_get_structure (message);
      const char *symbol;

      if (structure == NULL || !gst_structure_has_name (structure, "barcode"))
        return G_SOURCE_CONTINUE;
      symbol = gst_structure_get_string (structure, "symbol");
      if (symbol == NULL || g_strcmp0 (symbol, self->last_symbol) == 0)
        return G_SOURCE_CONTINUE;
      g_free (self->last_symbol);
      self->last_symbol = g_strdup (symbol);
      g_signal_emit (self, signals[DECODED], 0, symbol);
    }
  else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      g_autoptr (GError) error = NULL;

      gst_message_parse_error (message, &error, NULL);
      g_message ("Camera stopped: %s", error->message);
      tto_scan_view_stop (self);
      show_no_camera (self, _("The camera could not be started. You can still read the code "
                              "from a picture."));
    }
  return G_SOURCE_CONTINUE;
}

static GstElement *
create_source (void)
{
  g_autoptr (GstDeviceMonitor) monitor = gst_device_monitor_new ();
  GList *devices;
  GstElement *source = NULL;

  gst_device_monitor_add_filter (monitor, "Video/Source", NULL);
  devices = gst_device_monitor_get_devices (monitor);
  /* PipeWire's camera first: it works inside the Flatpak sandbox. */
  for (GList *l = devices; l != NULL && source == NULL; l = l->next)
    {
      g_autoptr (GstElement) element = gst_device_create_element (l->data, NULL);
      GstElementFactory *factory = element != NULL ? gst_element_get_factory (element) : NULL;

      if (factory != NULL &&
          g_str_equal (gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (factory)), "pipewiresrc"))
        source = g_steal_pointer (&element);
    }
  for (GList *l = devices; l != NULL && source == NULL; l = l->next)
    source = gst_device_create_element (l->data, NULL);
  g_list_free_full (devices, gst_object_unref);
  return source != NULL ? gst_object_ref_sink (source) : NULL;
}

gboolean
tto_scan_view_has_camera (TtoScanView *self)
{
  g_autoptr (GstElement) source = NULL;

  g_return_val_if_fail (TTO_IS_SCAN_VIEW (self), FALSE);

  source = create_source ();
  return source != NULL;
}

void
tto_scan_view_start (TtoScanView *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) source = NULL;
  g_autoptr (GstElement) tail = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstElement) sink = NULL;

  g_return_if_fail (TTO_IS_SCAN_VIEW (self));

  if (self->pipeline != NULL)
    return;
  g_clear_pointer (&self->last_symbol, g_free);
  tto_scan_view_set_status (self, NULL, FALSE);

  if (!gst_init_check (NULL, NULL, &error))
    {
      show_no_camera (self, _("The camera could not be started. You can still read the code "
                              "from a picture."));
      return;
    }
  if (gst_element_factory_find ("zbar") == NULL)
    {
      show_no_camera (self, _("Reading QR codes from the camera needs the GStreamer zbar "
                              "plugin. You can still read the code from a picture."));
      return;
    }
  source = create_source ();
  if (source == NULL)
    {
      show_no_camera (self, _("No camera was found. You can read the code from a picture "
                              "instead, or enter it by hand."));
      return;
    }

  tail = gst_parse_bin_from_description (
    "videoconvert ! videoscale ! video/x-raw,width=" G_STRINGIFY (PREVIEW_WIDTH)
    ",pixel-aspect-ratio=1/1 ! zbar cache=true ! videoconvert ! video/x-raw,format=RGBA ! "
    "appsink name=sink max-buffers=1 drop=true sync=false",
    TRUE, &error);
  if (tail == NULL)
    {
      g_message ("Could not build the camera pipeline: %s", error->message);
      show_no_camera (self, _("The camera could not be started. You can still read the code "
                              "from a picture."));
      return;
    }
  gst_object_ref_sink (tail);

  self->pipeline = gst_pipeline_new ("tto-scan");
  gst_bin_add_many (GST_BIN (self->pipeline), gst_object_ref (source), gst_object_ref (tail),
                    NULL);
  if (!gst_element_link (source, tail))
    {
      tto_scan_view_stop (self);
      show_no_camera (self, _("The camera could not be started. You can still read the code "
                              "from a picture."));
      return;
    }
  sink = gst_bin_get_by_name (GST_BIN (tail), "sink");
  {
    GstAppSinkCallbacks callbacks = { .new_sample = on_new_sample };

    gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, self, NULL);
  }
  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  self->bus_watch = gst_bus_add_watch (bus, on_bus_message, self);
  gtk_stack_set_visible_child_name (self->stack, "camera");
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      tto_scan_view_stop (self);
      show_no_camera (self, _("The camera could not be started. You can still read the code "
                              "from a picture."));
    }
}

void
tto_scan_view_stop (TtoScanView *self)
{
  g_return_if_fail (TTO_IS_SCAN_VIEW (self));

  g_clear_handle_id (&self->bus_watch, g_source_remove);
  if (self->pipeline != NULL)
    {
      GstElement *sink = gst_bin_get_by_name (GST_BIN (self->pipeline), "sink");

      /* No more frames towards a view that may go away. */
      if (sink != NULL)
        {
          GstAppSinkCallbacks callbacks = { 0 };

          gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, NULL, NULL);
          gst_object_unref (sink);
        }
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      gst_clear_object (&self->pipeline);
    }
  gtk_picture_set_paintable (self->preview, NULL);
}

static void
on_decode_ready (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr (TtoScanView) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = tto_qr_decode_file_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (text == NULL)
    {
      if (g_error_matches (error, TTO_QR_DECODE_ERROR, TTO_QR_DECODE_ERROR_NOT_IMAGE))
        tto_scan_view_set_status (self, _("That file is not a picture."), TRUE);
      else
        tto_scan_view_set_status (self, _("No QR code was found in that picture."), TRUE);
      return;
    }
  g_signal_emit (self, signals[DECODED], 0, text);
}

void
tto_scan_view_decode_file (TtoScanView *self,
                           GFile *file)
{
  g_return_if_fail (TTO_IS_SCAN_VIEW (self));
  g_return_if_fail (G_IS_FILE (file));

  tto_scan_view_set_status (self, _("Looking for a QR code…"), FALSE);
  tto_qr_decode_file_async (file, self->cancellable, on_decode_ready, g_object_ref (self));
}

static void
on_open_response (GtkNativeDialog *dialog,
                  int response,
                  TtoScanView *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        tto_scan_view_decode_file (self, file);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
from_image_action (GtkWidget *widget,
                   const char *action_name,
                   GVariant *parameter)
{
  TtoScanView *self = TTO_SCAN_VIEW (widget);
  GtkFileChooserNative *chooser;
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Read QR Code From Picture"),
                                         GTK_WINDOW (gtk_widget_get_root (widget)),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_filter_set_name (filter, _("Pictures"));
  gtk_file_filter_add_pixbuf_formats (filter);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_signal_connect (chooser, "response", G_CALLBACK (on_open_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
tto_scan_view_set_status (TtoScanView *self,
                          const char *text,
                          gboolean is_error)
{
  g_return_if_fail (TTO_IS_SCAN_VIEW (self));

  gtk_label_set_label (self->status_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
  /* The same code may be shown again after the problem is fixed. */
  if (is_error)
    g_clear_pointer (&self->last_symbol, g_free);
}

const char *
tto_scan_view_get_status (TtoScanView *self)
{
  g_return_val_if_fail (TTO_IS_SCAN_VIEW (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->status_label)))
    return NULL;
  return gtk_label_get_label (self->status_label);
}

static void
tto_scan_view_unmap (GtkWidget *widget)
{
  tto_scan_view_stop (TTO_SCAN_VIEW (widget));
  GTK_WIDGET_CLASS (tto_scan_view_parent_class)->unmap (widget);
}

static void
tto_scan_view_dispose (GObject *object)
{
  TtoScanView *self = (TtoScanView *) object;

  if (self->preview != NULL)
    tto_scan_view_stop (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->last_symbol, g_free);

  G_OBJECT_CLASS (tto_scan_view_parent_class)->dispose (object);
}

static void
tto_scan_view_class_init (TtoScanViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tto_scan_view_dispose;
  widget_class->unmap = tto_scan_view_unmap;

  /* The text of a QR code that was read (camera or picture). */
  signals[DECODED] = g_signal_new ("decoded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "scan.from-image", NULL, from_image_action);
}

static void
tto_scan_view_init (TtoScanView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *camera = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *hint = gtk_label_new (_("Point the camera at the invitation's QR code."));
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *button = gtk_button_new ();
  GtkWidget *content = adw_button_content_new ();

  self->cancellable = g_cancellable_new ();
  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_set_vhomogeneous (self->stack, FALSE);

  self->preview = GTK_PICTURE (gtk_picture_new ());
  gtk_picture_set_can_shrink (self->preview, TRUE);
  gtk_widget_set_size_request (GTK_WIDGET (self->preview), 240, 180);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->preview), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Camera preview"), -1);
  gtk_frame_set_child (GTK_FRAME (frame), GTK_WIDGET (self->preview));
  gtk_widget_add_css_class (frame, "scan-preview");
  gtk_box_append (GTK_BOX (camera), frame);
  gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
  gtk_label_set_justify (GTK_LABEL (hint), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_box_append (GTK_BOX (camera), hint);
  gtk_stack_add_named (self->stack, camera, "camera");

  self->no_camera_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->no_camera_page, "camera-disabled-symbolic");
  adw_status_page_set_title (self->no_camera_page, _("No Camera"));
  gtk_widget_add_css_class (GTK_WIDGET (self->no_camera_page), "compact");
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->no_camera_page), "no-camera");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));

  self->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->status_label, TRUE);
  gtk_label_set_justify (self->status_label, GTK_JUSTIFY_CENTER);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->status_label));

  adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), "image-x-generic-symbolic");
  adw_button_content_set_label (ADW_BUTTON_CONTENT (content), _("From _Picture…"));
  adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (content), TRUE);
  gtk_button_set_child (GTK_BUTTON (button), content);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "scan.from-image");
  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (button, -1, 44);
  gtk_widget_add_css_class (button, "pill");
  gtk_box_append (GTK_BOX (box), button);

  adw_bin_set_child (ADW_BIN (self), box);
}

TtoScanView *
tto_scan_view_new (void)
{
  return g_object_new (TTO_TYPE_SCAN_VIEW, NULL);
}
