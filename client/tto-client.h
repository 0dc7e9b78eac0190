/* tto-client.h: set-up and small helpers of the client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TTO_DEFAULT_RELAY_URL "ws://127.0.0.1:8321/v1/ws"

void tto_client_init (void);
void tto_client_load_css (void);
GSettings *tto_client_get_settings (void);
char *tto_client_get_default_relay_url (void);
char *tto_client_describe_error (const GError *error);
char *tto_client_describe_refusal (const GError *error);
char *tto_client_format_time (gint64 ts_ms);
char *tto_client_format_member_count (guint count);
char *tto_client_format_end_reason (const char *reason);
char *tto_client_format_window (guint seconds);
void tto_client_setup_window_row (AdwComboRow *row,
                                  guint seconds);
guint tto_client_get_window_row_seconds (AdwComboRow *row);
gboolean tto_client_is_event_muted (const char *event_id);
void tto_client_set_event_muted (const char *event_id,
                                 gboolean muted);

G_END_DECLS
