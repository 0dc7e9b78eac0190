/* tto-flow-task.h: one task of a flow stage, and how it must be completed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "tto-shared.h"

G_BEGIN_DECLS

/* Field types of a text form */
#define TTO_FIELD_TEXT "text"
#define TTO_FIELD_NUMBER "number"
#define TTO_FIELD_CHOICE "choice"
#define TTO_FIELD_DATE "date"

#define TTO_TYPE_FLOW_TASK (tto_flow_task_get_type ())
G_DECLARE_FINAL_TYPE (TtoFlowTask, tto_flow_task, TTO, FLOW_TASK, GObject)

TtoFlowTask *tto_flow_task_new_from_json (JsonObject *object);
gboolean tto_flow_task_update_from_json (TtoFlowTask *self,
                                         JsonObject *object);
const char *tto_flow_task_get_id (TtoFlowTask *self);
const char *tto_flow_task_get_title (TtoFlowTask *self);
const char *tto_flow_task_get_form (TtoFlowTask *self);
gboolean tto_flow_task_get_required (TtoFlowTask *self);
const char *tto_flow_task_get_status (TtoFlowTask *self);
JsonArray *tto_flow_task_get_fields (TtoFlowTask *self);
const char *const *tto_flow_task_get_call_participants (TtoFlowTask *self);
gint64 tto_flow_task_get_call_min_seconds (TtoFlowTask *self);
const char *tto_flow_task_get_meeting_id (TtoFlowTask *self);
const char *const *tto_flow_task_get_done_by (TtoFlowTask *self);
guint tto_flow_task_get_n_done (TtoFlowTask *self);
gboolean tto_flow_task_is_done_by (TtoFlowTask *self,
                                   const char *identity_id);
gboolean tto_flow_task_is_done (TtoFlowTask *self);

const char *tto_flow_task_form_name (const char *form);
const char *tto_flow_task_status_name (const char *status);

G_END_DECLS
