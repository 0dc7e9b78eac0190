/* tto-flow.h: an event's flow (stages, rules, points, approvals, meetings)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "tto-flow-meeting.h"
#include "tto-flow-stage.h"
#include "tto-flow-task.h"

G_BEGIN_DECLS

#define TTO_FLOW_ERROR (tto_flow_error_quark ())

typedef enum
{
  TTO_FLOW_ERROR_INVALID, /* the flow object does not have the documented shape */
} TtoFlowError;

GQuark tto_flow_error_quark (void);

#define TTO_TYPE_FLOW (tto_flow_get_type ())
G_DECLARE_FINAL_TYPE (TtoFlow, tto_flow, TTO, FLOW, GObject)

TtoFlow *tto_flow_new (const char *event_id);
gboolean tto_flow_update_from_json (TtoFlow *self,
                                    JsonObject *flow,
                                    GError **error);
void tto_flow_apply_points_awarded (TtoFlow *self,
                                    JsonObject *push);
const char *tto_flow_get_event_id (TtoFlow *self);
gboolean tto_flow_get_loaded (TtoFlow *self);

GListModel *tto_flow_get_stages (TtoFlow *self);
guint tto_flow_get_n_stages (TtoFlow *self);
guint tto_flow_get_current (TtoFlow *self);
TtoFlowStage *tto_flow_get_current_stage (TtoFlow *self);
TtoFlowStage *tto_flow_get_previous_stage (TtoFlow *self);
TtoFlowStage *tto_flow_get_stage (TtoFlow *self,
                                  guint position);
TtoFlowTask *tto_flow_find_task (TtoFlow *self,
                                 const char *task_id,
                                 TtoFlowStage **out_stage);
guint tto_flow_get_stage_day (TtoFlow *self,
                              gint64 now);

/* Rules */
JsonObject *tto_flow_get_rules (TtoFlow *self);
gboolean tto_flow_get_points_enabled (TtoFlow *self);
const char *tto_flow_get_approval_mode (TtoFlow *self);
guint tto_flow_get_approval_count (TtoFlow *self);
GStrv tto_flow_dup_approval_members (TtoFlow *self);
gboolean tto_flow_get_elimination (TtoFlow *self,
                                   gboolean *has_below_points,
                                   gint64 *below_points,
                                   gboolean *missed_required_task);

/* Points and elimination */
gint64 tto_flow_get_points (TtoFlow *self,
                            const char *identity_id);
GList *tto_flow_get_point_holders (TtoFlow *self);
gboolean tto_flow_is_eliminated (TtoFlow *self,
                                 const char *identity_id);
const char *const *tto_flow_get_eliminated (TtoFlow *self);

/* A stage change waiting for approvals */
gboolean tto_flow_get_pending (TtoFlow *self,
                               const char **direction,
                               const char **conclusion,
                               const char **requested_by,
                               guint *n_approvals,
                               guint *needed);
gboolean tto_flow_has_approved (TtoFlow *self,
                                const char *identity_id);
gboolean tto_flow_can_approve (TtoFlow *self,
                               const char *identity_id);

/* Meetings */
GListModel *tto_flow_get_meetings (TtoFlow *self);
TtoFlowMeeting *tto_flow_find_meeting (TtoFlow *self,
                                       const char *meeting_id);

G_END_DECLS
