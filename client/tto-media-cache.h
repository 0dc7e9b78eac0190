/* tto-media-cache.h: attachments downloaded on demand, kept in memory only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tto-media.h"
#include "tto-session.h"

G_BEGIN_DECLS

#define TTO_TYPE_MEDIA_CACHE (tto_media_cache_get_type ())
G_DECLARE_FINAL_TYPE (TtoMediaCache, tto_media_cache, TTO, MEDIA_CACHE, GObject)

TtoMediaCache *tto_media_cache_get_for_session (TtoSession *session);

void tto_media_cache_insert (TtoMediaCache *self,
                             const char *event_id,
                             const char *blob_id,
                             GBytes *bytes);
GBytes *tto_media_cache_lookup (TtoMediaCache *self,
                                const char *event_id,
                                const char *blob_id);
void tto_media_cache_forget_event (TtoMediaCache *self,
                                   const char *event_id);
gsize tto_media_cache_get_size (TtoMediaCache *self);

void tto_media_cache_fetch_async (TtoMediaCache *self,
                                  const char *event_id,
                                  const char *blob_id,
                                  const char *sha256,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
GBytes *tto_media_cache_fetch_finish (TtoMediaCache *self,
                                      GAsyncResult *result,
                                      GError **error);

G_END_DECLS
