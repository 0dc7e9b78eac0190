/* tto-attachment-view.h: a message's attachment inside its row
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tto-session.h"

G_BEGIN_DECLS

#define TTO_TYPE_ATTACHMENT_VIEW (tto_attachment_view_get_type ())
G_DECLARE_FINAL_TYPE (TtoAttachmentView, tto_attachment_view, TTO, ATTACHMENT_VIEW, GtkWidget)

TtoAttachmentView *tto_attachment_view_new (TtoSession *session,
                                            TtoMessage *message);
TtoMessage *tto_attachment_view_get_message (TtoAttachmentView *self);
const char *tto_attachment_view_get_kind (TtoAttachmentView *self);
gboolean tto_attachment_view_has_picture (TtoAttachmentView *self);
const char *tto_attachment_view_get_duration_text (TtoAttachmentView *self);
gboolean tto_attachment_view_get_uploading (TtoAttachmentView *self);
void tto_attachment_view_activate (TtoAttachmentView *self);

char *tto_attachment_format_duration (guint duration_ms);

G_END_DECLS
