/* tto-call-manager.h: the calls of one signed-in identity, no UI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "tto-call-engine.h"
#include "tto-session.h"

G_BEGIN_DECLS

#define TTO_CALL_MANAGER_ERROR (tto_call_manager_error_quark ())

typedef enum
{
  TTO_CALL_MANAGER_ERROR_BUSY,      /* already in (or joining) a call */
  TTO_CALL_MANAGER_ERROR_NOT_FOUND, /* no such call is running */
  TTO_CALL_MANAGER_ERROR_ENDED,     /* the event has ended */
} TtoCallManagerError;

GQuark tto_call_manager_error_quark (void);

typedef enum
{
  TTO_CALL_MANAGER_STATE_IDLE,     /* in no call */
  TTO_CALL_MANAGER_STATE_STARTING, /* call.config, call.invite or call.accept in flight */
  TTO_CALL_MANAGER_STATE_IN_CALL,  /* the engine runs */
} TtoCallManagerState;

GType tto_call_manager_state_get_type (void);
#define TTO_TYPE_CALL_MANAGER_STATE (tto_call_manager_state_get_type ())

#define TTO_TYPE_CALL_MANAGER (tto_call_manager_get_type ())
G_DECLARE_FINAL_TYPE (TtoCallManager, tto_call_manager, TTO, CALL_MANAGER, GObject)

TtoCallManager *tto_call_manager_new (void);
void tto_call_manager_set_session (TtoCallManager *self,
                                   TtoSession *session);
TtoSession *tto_call_manager_get_session (TtoCallManager *self);

TtoCallManagerState tto_call_manager_get_state (TtoCallManager *self);
TtoEvent *tto_call_manager_get_event (TtoCallManager *self);
TtoCallKind tto_call_manager_get_kind (TtoCallManager *self);
JsonObject *tto_call_manager_get_call (TtoCallManager *self);
TtoCallEngine *tto_call_manager_get_engine (TtoCallManager *self);
gint64 tto_call_manager_get_started_at (TtoCallManager *self);
gboolean tto_call_manager_get_someone_recording (TtoCallManager *self);
char *tto_call_manager_dup_recording_names (TtoCallManager *self);

gboolean tto_call_manager_get_ringing (TtoCallManager *self);
TtoEvent *tto_call_manager_get_ring_event (TtoCallManager *self);
JsonObject *tto_call_manager_get_ring_call (TtoCallManager *self);
JsonObject *tto_call_manager_lookup_running_call (TtoCallManager *self,
                                                  TtoEvent *event);

gboolean tto_call_manager_start (TtoCallManager *self,
                                 TtoEvent *event,
                                 TtoCallKind kind,
                                 const char *const *to,
                                 GError **error);
gboolean tto_call_manager_accept (TtoCallManager *self,
                                  GError **error);
gboolean tto_call_manager_join (TtoCallManager *self,
                                TtoEvent *event,
                                GError **error);
void tto_call_manager_decline (TtoCallManager *self);
void tto_call_manager_hangup (TtoCallManager *self);

gboolean tto_call_manager_get_muted (TtoCallManager *self);
void tto_call_manager_set_muted (TtoCallManager *self,
                                 gboolean muted);
gboolean tto_call_manager_get_camera_enabled (TtoCallManager *self);
void tto_call_manager_set_camera_enabled (TtoCallManager *self,
                                          gboolean enabled);
gboolean tto_call_manager_get_recording (TtoCallManager *self);
void tto_call_manager_set_recording (TtoCallManager *self,
                                     gboolean recording);
const char *tto_call_manager_get_recordings_dir (TtoCallManager *self);
void tto_call_manager_set_recordings_dir (TtoCallManager *self,
                                          const char *dir);

G_END_DECLS
