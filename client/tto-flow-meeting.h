/* tto-flow-meeting.h: an offline meeting of an event's flow
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define TTO_TYPE_FLOW_MEETING (tto_flow_meeting_get_type ())
G_DECLARE_FINAL_TYPE (TtoFlowMeeting, tto_flow_meeting, TTO, FLOW_MEETING, GObject)

TtoFlowMeeting *tto_flow_meeting_new_from_json (JsonObject *object);
gboolean tto_flow_meeting_update_from_json (TtoFlowMeeting *self,
                                            JsonObject *object);
const char *tto_flow_meeting_get_id (TtoFlowMeeting *self);
const char *tto_flow_meeting_get_title (TtoFlowMeeting *self);
gint64 tto_flow_meeting_get_starts_at (TtoFlowMeeting *self);
gint64 tto_flow_meeting_get_ends_at (TtoFlowMeeting *self);
const char *tto_flow_meeting_get_place (TtoFlowMeeting *self);
gboolean tto_flow_meeting_get_coordinates (TtoFlowMeeting *self,
                                           double *lat,
                                           double *lon);
const char *tto_flow_meeting_get_agenda (TtoFlowMeeting *self);
const char *const *tto_flow_meeting_get_attended (TtoFlowMeeting *self);

char *tto_flow_meeting_to_ics (TtoFlowMeeting *self,
                               const char *event_title,
                               gint64 now);
char *tto_ics_escape_text (const char *text);

G_END_DECLS
