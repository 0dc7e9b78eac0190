/* tto-flow-stage.h: one stage of an event's flow
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "tto-flow-task.h"

G_BEGIN_DECLS

typedef enum
{
  TTO_FLOW_STAGE_PENDING,
  TTO_FLOW_STAGE_ACTIVE,
  TTO_FLOW_STAGE_DONE,
} TtoFlowStageStatus;

#define TTO_TYPE_FLOW_STAGE (tto_flow_stage_get_type ())
G_DECLARE_FINAL_TYPE (TtoFlowStage, tto_flow_stage, TTO, FLOW_STAGE, GObject)

TtoFlowStage *tto_flow_stage_new_from_json (JsonObject *object);
gboolean tto_flow_stage_update_from_json (TtoFlowStage *self,
                                          JsonObject *object);
const char *tto_flow_stage_get_id (TtoFlowStage *self);
const char *tto_flow_stage_get_title (TtoFlowStage *self);
const char *tto_flow_stage_get_display_title (TtoFlowStage *self);
const char *tto_flow_stage_title_for_display (const char *title);
TtoFlowStageStatus tto_flow_stage_get_status (TtoFlowStage *self);
gint64 tto_flow_stage_get_started_at (TtoFlowStage *self);
gint64 tto_flow_stage_get_ended_at (TtoFlowStage *self);
const char *tto_flow_stage_get_conclusion (TtoFlowStage *self);
guint tto_flow_stage_get_participants (TtoFlowStage *self);
GListModel *tto_flow_stage_get_tasks (TtoFlowStage *self);
guint tto_flow_stage_get_n_tasks (TtoFlowStage *self);
guint tto_flow_stage_get_n_tasks_done (TtoFlowStage *self);
TtoFlowTask *tto_flow_stage_find_task (TtoFlowStage *self,
                                       const char *task_id);

const char *tto_flow_stage_status_name (TtoFlowStageStatus status);

G_END_DECLS
