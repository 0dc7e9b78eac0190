/* tto-media-upload.h: one attachment on its way out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tto-media.h"
#include "tto-session.h"

G_BEGIN_DECLS

typedef enum
{
  TTO_MEDIA_UPLOAD_IDLE,
  TTO_MEDIA_UPLOAD_UPLOADING,
  TTO_MEDIA_UPLOAD_SENT,      /* stored; msg.send is queued */
  TTO_MEDIA_UPLOAD_FAILED,
  TTO_MEDIA_UPLOAD_CANCELLED,
} TtoMediaUploadState;

#define TTO_TYPE_MEDIA_UPLOAD (tto_media_upload_get_type ())
G_DECLARE_FINAL_TYPE (TtoMediaUpload, tto_media_upload, TTO, MEDIA_UPLOAD, GObject)

TtoMediaUpload *tto_media_upload_new_bytes (TtoSession *session,
                                            TtoEvent *event,
                                            const char *kind,
                                            GBytes *data,
                                            const char *name);
TtoMediaUpload *tto_media_upload_new_file (TtoSession *session,
                                           TtoEvent *event,
                                           GFile *file,
                                           const char *name,
                                           goffset size,
                                           const char *content_type);
void tto_media_upload_set_thumbnail (TtoMediaUpload *self,
                                     GBytes *thumbnail,
                                     guint width,
                                     guint height);
void tto_media_upload_set_duration (TtoMediaUpload *self,
                                    guint duration_ms);
void tto_media_upload_set_waveform (TtoMediaUpload *self,
                                    const guint8 *levels,
                                    gsize n_levels);
TtoMessage *tto_media_upload_start (TtoMediaUpload *self,
                                    GError **error);
void tto_media_upload_cancel (TtoMediaUpload *self);

TtoMediaUpload *tto_media_upload_for_message (TtoMessage *message);
TtoMediaUploadState tto_media_upload_get_state (TtoMediaUpload *self);
double tto_media_upload_get_progress (TtoMediaUpload *self);
TtoMessage *tto_media_upload_get_message (TtoMediaUpload *self);
GBytes *tto_media_upload_get_data (TtoMediaUpload *self);
GBytes *tto_media_upload_get_thumbnail (TtoMediaUpload *self);
const GError *tto_media_upload_get_error (TtoMediaUpload *self);

G_END_DECLS
