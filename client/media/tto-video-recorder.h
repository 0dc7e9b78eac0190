/* tto-video-recorder.h: video messages, recorded to WebM (VP8 + Opus) in
 * memory, with a live preview
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tto-media-types.h"

G_BEGIN_DECLS

#define TTO_VIDEO_RECORDER_ERROR (tto_video_recorder_error_quark ())

typedef enum
{
  /* No camera, or it opens but sends no picture. */
  TTO_VIDEO_RECORDER_ERROR_NO_CAMERA,
  /* No audio input (set with-audio to FALSE to record without sound). */
  TTO_VIDEO_RECORDER_ERROR_NO_MICROPHONE,
  /* Wrong state for the call (start twice, stop before start). */
  TTO_VIDEO_RECORDER_ERROR_BUSY,
  /* The pipeline failed while recording, or a GStreamer plugin is missing. */
  TTO_VIDEO_RECORDER_ERROR_FAILED,
} TtoVideoRecorderError;

GQuark tto_video_recorder_error_quark (void);

#define TTO_VIDEO_RECORDER_MIME_TYPE "video/webm"
#define TTO_VIDEO_RECORDER_DEFAULT_MAX_DURATION_MS 60000

/* Also a GdkPaintable: the camera's live preview (for a GtkPicture). */
#define TTO_TYPE_VIDEO_RECORDER (tto_video_recorder_get_type ())
G_DECLARE_FINAL_TYPE (TtoVideoRecorder, tto_video_recorder, TTO, VIDEO_RECORDER, GObject)

TtoVideoRecorder *tto_video_recorder_new (void);

const char *tto_video_recorder_get_source (TtoVideoRecorder *self);
void tto_video_recorder_set_source (TtoVideoRecorder *self,
                                    const char *description);
const char *tto_video_recorder_get_audio_source (TtoVideoRecorder *self);
void tto_video_recorder_set_audio_source (TtoVideoRecorder *self,
                                          const char *description);
gboolean tto_video_recorder_get_with_audio (TtoVideoRecorder *self);
void tto_video_recorder_set_with_audio (TtoVideoRecorder *self,
                                        gboolean with_audio);
guint tto_video_recorder_get_max_duration_ms (TtoVideoRecorder *self);
void tto_video_recorder_set_max_duration_ms (TtoVideoRecorder *self,
                                             guint max_duration_ms);
guint tto_video_recorder_get_width (TtoVideoRecorder *self);
guint tto_video_recorder_get_height (TtoVideoRecorder *self);

void tto_video_recorder_start_async (TtoVideoRecorder *self,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
gboolean tto_video_recorder_start_finish (TtoVideoRecorder *self,
                                          GAsyncResult *result,
                                          GError **error);
void tto_video_recorder_stop_async (TtoVideoRecorder *self,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
GBytes *tto_video_recorder_stop_finish (TtoVideoRecorder *self,
                                        GAsyncResult *result,
                                        GError **error);
void tto_video_recorder_cancel (TtoVideoRecorder *self);

TtoRecorderState tto_video_recorder_get_state (TtoVideoRecorder *self);
guint tto_video_recorder_get_duration_ms (TtoVideoRecorder *self);
guint tto_video_recorder_get_preview_frames (TtoVideoRecorder *self);
GdkTexture *tto_video_recorder_get_preview_texture (TtoVideoRecorder *self);
GBytes *tto_video_recorder_get_recording (TtoVideoRecorder *self);

G_END_DECLS
