/* tto-flow-task-sheet.h: completing one task in its required form
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-session.h"

G_BEGIN_DECLS

#define TTO_TYPE_FLOW_TASK_SHEET (tto_flow_task_sheet_get_type ())
G_DECLARE_FINAL_TYPE (TtoFlowTaskSheet, tto_flow_task_sheet, TTO, FLOW_TASK_SHEET, AdwWindow)

TtoFlowTaskSheet *tto_flow_task_sheet_new (GtkWindow *parent,
                                           TtoSession *session,
                                           TtoEvent *event,
                                           TtoFlowTask *task);
TtoFlowTask *tto_flow_task_sheet_get_task (TtoFlowTaskSheet *self);
guint tto_flow_task_sheet_get_n_fields (TtoFlowTaskSheet *self);
GtkWidget *tto_flow_task_sheet_get_field (TtoFlowTaskSheet *self,
                                          guint index);
gboolean tto_flow_task_sheet_get_valid (TtoFlowTaskSheet *self);
gboolean tto_flow_task_sheet_can_submit (TtoFlowTaskSheet *self);
void tto_flow_task_sheet_submit (TtoFlowTaskSheet *self);
void tto_flow_task_sheet_set_file (TtoFlowTaskSheet *self,
                                   GFile *file);
gboolean tto_flow_task_sheet_get_busy (TtoFlowTaskSheet *self);
gboolean tto_flow_task_sheet_get_completed (TtoFlowTaskSheet *self);
const char *tto_flow_task_sheet_get_error (TtoFlowTaskSheet *self);

G_END_DECLS
