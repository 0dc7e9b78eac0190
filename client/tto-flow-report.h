/* tto-flow-report.h: the stage report of a flow, as Markdown or PDF
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tto-flow.h"

G_BEGIN_DECLS

char *tto_flow_report_markdown (TtoFlow *flow,
                                const char *title,
                                GHashTable *names,
                                gint64 now);
gboolean tto_flow_report_write_pdf (TtoFlow *flow,
                                    const char *title,
                                    GHashTable *names,
                                    gint64 now,
                                    const char *path,
                                    GError **error);

G_END_DECLS
