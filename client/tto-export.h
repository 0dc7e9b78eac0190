/* tto-export.h: a conversation saved on the user's own device
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tto-connection.h"
#include "tto-shared.h"

G_BEGIN_DECLS

#define TTO_EXPORT_ERROR (tto_export_error_quark ())

typedef enum
{
  TTO_EXPORT_ERROR_MALFORMED, /* the relay's answer lacks its messages */
} TtoExportError;

GQuark tto_export_error_quark (void);

typedef enum
{
  TTO_EXPORT_FORMAT_HTML,
  TTO_EXPORT_FORMAT_JSON,
} TtoExportFormat;

/* @fraction: 0–1 of the messages fetched so far. */
typedef void (*TtoExportProgressFunc) (double fraction,
                                       gpointer user_data);

char *tto_export_render (TtoEvent *event,
                         GPtrArray *messages,
                         GHashTable *names,
                         TtoExportFormat format,
                         gint64 exported_at_ms,
                         gsize *out_length);

void tto_export_async (TtoConnection *connection,
                       TtoEvent *event,
                       GHashTable *names,
                       TtoExportFormat format,
                       GFile *file,
                       TtoExportProgressFunc progress,
                       gpointer progress_data,
                       GCancellable *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer user_data);
gboolean tto_export_finish (GAsyncResult *result,
                            GError **error);

G_END_DECLS
