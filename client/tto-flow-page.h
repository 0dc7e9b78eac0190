/* tto-flow-page.h: an event's flow: views, editor controls, tasks, meetings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-flow-chart.h"
#include "tto-session.h"

G_BEGIN_DECLS

#define TTO_TYPE_FLOW_PAGE (tto_flow_page_get_type ())
G_DECLARE_FINAL_TYPE (TtoFlowPage, tto_flow_page, TTO, FLOW_PAGE, AdwBin)

GtkWidget *tto_flow_page_new (void);
void tto_flow_page_set_session (TtoFlowPage *self,
                                TtoSession *session);
void tto_flow_page_set_event (TtoFlowPage *self,
                              TtoEvent *event);
TtoEvent *tto_flow_page_get_event (TtoFlowPage *self);
void tto_flow_page_set_show_back (TtoFlowPage *self,
                                  gboolean show_back);
void tto_flow_page_set_view (TtoFlowPage *self,
                             const char *name);

/* What the views show (tests) */
TtoFlowChart *tto_flow_page_get_chart (TtoFlowPage *self);
GtkColumnView *tto_flow_page_get_table (TtoFlowPage *self);
GtkProgressBar *tto_flow_page_get_stage_bar (TtoFlowPage *self);
GtkProgressBar *tto_flow_page_get_tasks_bar (TtoFlowPage *self);
const char *tto_flow_page_get_progress_text (TtoFlowPage *self);
const char *tto_flow_page_get_tasks_text (TtoFlowPage *self);
const char *tto_flow_page_get_previous_text (TtoFlowPage *self);
GtkListBox *tto_flow_page_get_tasks_list (TtoFlowPage *self);
const char *tto_flow_page_get_last_toast (TtoFlowPage *self);
GtkWindow *tto_flow_page_get_dialog (TtoFlowPage *self);
gboolean tto_flow_page_get_busy (TtoFlowPage *self);
const char *tto_flow_page_get_pending_text (TtoFlowPage *self);
GtkButton *tto_flow_page_get_approve_button (TtoFlowPage *self);
GtkListBox *tto_flow_page_get_points_list (TtoFlowPage *self);
void tto_flow_page_show_toast (TtoFlowPage *self,
                               const char *text);

/* The editor's and members' actions, also behind the page's buttons */
void tto_flow_page_advance (TtoFlowPage *self,
                            const char *direction,
                            const char *conclusion);
GtkWindow *tto_flow_page_open_task (TtoFlowPage *self,
                                    const char *task_id);
gboolean tto_flow_page_export_report (TtoFlowPage *self,
                                      GFile *file,
                                      gboolean pdf,
                                      GError **error);
gboolean tto_flow_page_export_meeting (TtoFlowPage *self,
                                       const char *meeting_id,
                                       GFile *file,
                                       GError **error);

char *tto_flow_format_entry (TtoFlow *flow,
                             gint64 now);

G_END_DECLS
