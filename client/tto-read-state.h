/* tto-read-state.h: how far the user has read each event, kept across runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TTO_READ_STATE_ERROR (tto_read_state_error_quark ())

typedef enum
{
  TTO_READ_STATE_ERROR_INVALID, /* the file is not what this module writes */
} TtoReadStateError;

GQuark tto_read_state_error_quark (void);

#define TTO_TYPE_READ_STATE (tto_read_state_get_type ())
G_DECLARE_FINAL_TYPE (TtoReadState, tto_read_state, TTO, READ_STATE, GObject)

TtoReadState *tto_read_state_new (const char *path);
const char *tto_read_state_get_path (TtoReadState *self);
gint64 tto_read_state_get (TtoReadState *self,
                           const char *event_id);
void tto_read_state_set (TtoReadState *self,
                         const char *event_id,
                         gint64 seq);
void tto_read_state_forget (TtoReadState *self,
                            const char *event_id);
gboolean tto_read_state_save (TtoReadState *self,
                              GError **error);

G_END_DECLS
