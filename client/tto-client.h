/* tto-client.h: set-up and small helpers of the client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TTO_DEFAULT_RELAY_URL "ws://127.0.0.1:8321/v1/ws"

void tto_client_init (void);
void tto_client_load_css (void);
GSettings *tto_client_get_settings (void);
char *tto_client_get_default_relay_url (void);
char *tto_client_describe_error (const GError *error);
char *tto_client_format_time (gint64 ts_ms);
char *tto_client_format_member_count (guint count);
char *tto_client_format_end_reason (const char *reason);

G_END_DECLS
