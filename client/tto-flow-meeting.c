/* tto-flow-meeting.c: an offline meeting of an event's flow
 *
 * Also writes the meeting as an iCalendar object (RFC 5545) that calendar
 * apps import: times in UTC, text escaped, lines folded at 75 octets and
 * ended by CRLF, a display alarm 30 minutes before.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-flow-meeting.h"

struct _TtoFlowMeeting
{
  GObject parent_instance;

  char *id;
  char *title;
  gint64 starts_at;
  gint64 ends_at;
  char *place;
  gboolean has_coordinates;
  double lat;
  double lon;
  char *agenda;
  GStrv attended;
};

G_DEFINE_FINAL_TYPE (TtoFlowMeeting, tto_flow_meeting, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_TITLE,
  PROP_STARTS_AT,
  PROP_PLACE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tto_flow_meeting_finalize (GObject *object)
{
  TtoFlowMeeting *self = TTO_FLOW_MEETING (object);

  g_free (self->id);
  g_free (self->title);
  g_free (self->place);
  g_free (self->agenda);
  g_strfreev (self->attended);

  G_OBJECT_CLASS (tto_flow_meeting_parent_class)->finalize (object);
}

static void
tto_flow_meeting_get_property (GObject *object,
                               guint prop_id,
                               GValue *value,
                               GParamSpec *pspec)
{
  TtoFlowMeeting *self = TTO_FLOW_MEETING (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_STARTS_AT:
      g_value_set_int64 (value, self->starts_at);
      break;
    case PROP_PLACE:
      g_value_set_string (value, self->place);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tto_flow_meeting_class_init (TtoFlowMeetingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tto_flow_meeting_finalize;
  object_class->get_property = tto_flow_meeting_get_property;

  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STARTS_AT] = g_param_spec_int64 ("starts-at", NULL, NULL, 0, G_MAXINT64, 0,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PLACE] = g_param_spec_string ("place", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tto_flow_meeting_init (TtoFlowMeeting *self)
{
}

static const char *
get_string (JsonObject *object,
            const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
get_double (JsonObject *object,
            const char *member,
            double *out)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    *out = json_node_get_double (node);
  else if (json_node_get_value_type (node) == G_TYPE_INT64)
    *out = (double) json_node_get_int (node);
  else
    return FALSE;
  return TRUE;
}

static gboolean
replace (char **field,
         const char *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

gboolean
tto_flow_meeting_update_from_json (TtoFlowMeeting *self,
                                   JsonObject *object)
{
  gboolean changed = FALSE;
  double lat = 0, lon = 0;
  gboolean has;
  gint64 starts_at;
  JsonNode *node;
  g_autoptr (GStrvBuilder) attended = g_strv_builder_new ();

  g_return_val_if_fail (TTO_IS_FLOW_MEETING (self), FALSE);

  changed |= replace (&self->id, get_string (object, "id"));
  if (replace (&self->title, get_string (object, "title")))
    {
      changed = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
    }
  starts_at = json_object_get_int_member_with_default (object, "starts_at", 0);
  if (starts_at != self->starts_at)
    {
      self->starts_at = starts_at;
      changed = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STARTS_AT]);
    }
  self->ends_at = json_object_get_int_member_with_default (object, "ends_at", 0);
  if (replace (&self->place, get_string (object, "place")))
    {
      changed = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLACE]);
    }
  has = get_double (object, "lat", &lat) && get_double (object, "lon", &lon);
  changed |= has != self->has_coordinates || lat != self->lat || lon != self->lon;
  self->has_coordinates = has;
  self->lat = lat;
  self->lon = lon;
  changed |= replace (&self->agenda, get_string (object, "agenda"));

  node = json_object_get_member (object, "attended");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (json_node_get_value_type (json_array_get_element (array, i)) == G_TYPE_STRING)
          g_strv_builder_add (attended, json_array_get_string_element (array, i));
    }
  g_strfreev (self->attended);
  self->attended = g_strv_builder_end (attended);
  return changed;
}

TtoFlowMeeting *
tto_flow_meeting_new_from_json (JsonObject *object)
{
  TtoFlowMeeting *self;

  g_return_val_if_fail (object != NULL, NULL);

  self = g_object_new (TTO_TYPE_FLOW_MEETING, NULL);
  tto_flow_meeting_update_from_json (self, object);
  return self;
}

const char *
tto_flow_meeting_get_id (TtoFlowMeeting *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_MEETING (self), NULL);
  return self->id;
}

const char *
tto_flow_meeting_get_title (TtoFlowMeeting *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_MEETING (self), NULL);
  return self->title != NULL ? self->title : "";
}

/* Seconds since the epoch */
gint64
tto_flow_meeting_get_starts_at (TtoFlowMeeting *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_MEETING (self), 0);
  return self->starts_at;
}

gint64
tto_flow_meeting_get_ends_at (TtoFlowMeeting *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_MEETING (self), 0);
  return self->ends_at;
}

const char *
tto_flow_meeting_get_place (TtoFlowMeeting *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_MEETING (self), NULL);
  return self->place != NULL ? self->place : "";
}

gboolean
tto_flow_meeting_get_coordinates (TtoFlowMeeting *self,
                                  double *lat,
                                  double *lon)
{
  g_return_val_if_fail (TTO_IS_FLOW_MEETING (self), FALSE);

  if (lat != NULL)
    *lat = self->lat;
  if (lon != NULL)
    *lon = self->lon;
  return self->has_coordinates;
}

const char *
tto_flow_meeting_get_agenda (TtoFlowMeeting *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_MEETING (self), NULL);
  return self->agenda != NULL ? self->agenda : "";
}

const char *const *
tto_flow_meeting_get_attended (TtoFlowMeeting *self)
{
  g_return_val_if_fail (TTO_IS_FLOW_MEETING (self), NULL);
  return (const char *const *) self->attended;
}

/* iCalendar */

/* TEXT values (RFC 5545 §3.3.11): backslash, semicolon and comma escaped,
 * newlines as "\n", other control characters dropped. */
char *
tto_ics_escape_text (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text != NULL ? text : ""; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case ';':
          g_string_append (out, "\\;");
          break;
        case ',':
          g_string_append (out, "\\,");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          break;
        default:
          if ((guchar) *p >= 0x20 && *p != 0x7f)
            g_string_append_c (out, *p);
        }
    }
  return g_string_free (out, FALSE);
}

/* Appends "NAME:value" folded at 75 octets (continuation lines start with a
 * space), never splitting a UTF-8 character, and ends it with CRLF. */
static void
append_line (GString *out,
             const char *name,
             const char *value)
{
  g_autofree char *line = g_strconcat (name, ":", value, NULL);
  const char *p = line;
  gsize limit = 75;

  while (*p != '\0')
    {
      const char *end = p;

      while (*end != '\0')
        {
          const char *next = g_utf8_next_char (end);

          if ((gsize) (next - p) > limit)
            break;
          end = next;
        }
      if (p != line)
        g_string_append_c (out, ' ');
      g_string_append_len (out, p, end - p);
      g_string_append (out, "\r\n");
      p = end;
      limit = 74; /* the leading space counts */
    }
}

static char *
format_utc (gint64 seconds)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc (seconds);

  return g_date_time_format (time, "%Y%m%dT%H%M%SZ");
}

/* One VCALENDAR with this meeting as a VEVENT, @now as its DTSTAMP. */
char *
tto_flow_meeting_to_ics (TtoFlowMeeting *self,
                         const char *event_title,
                         gint64 now)
{
  GString *out;
  g_autofree char *uid = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *location = NULL;
  g_autofree char *description = NULL;
  g_autofree char *alarm = NULL;
  gint64 ends_at;

  g_return_val_if_fail (TTO_IS_FLOW_MEETING (self), NULL);

  ends_at = self->ends_at > self->starts_at ? self->ends_at : self->starts_at + 3600;
  uid = g_strdup_printf ("%s@threetwoone.org", self->id != NULL ? self->id : "meeting");
  stamp = format_utc (now);
  start = format_utc (self->starts_at);
  end = format_utc (ends_at);
  summary = tto_ics_escape_text (tto_flow_meeting_get_title (self));
  location = tto_ics_escape_text (tto_flow_meeting_get_place (self));
  if (event_title != NULL && *event_title != '\0')
    {
      /* Translators: an exported meeting's description; %s is the event title */
      g_autofree char *text = g_strdup_printf (_("Event: %s"), event_title);
      g_autofree char *full = g_strconcat (tto_flow_meeting_get_agenda (self),
                                           *tto_flow_meeting_get_agenda (self) != '\0' ? "\n\n"
                                                                                       : "",
                                           text, NULL);

      description = tto_ics_escape_text (full);
    }
  else
    description = tto_ics_escape_text (tto_flow_meeting_get_agenda (self));
  alarm = tto_ics_escape_text (tto_flow_meeting_get_title (self));

  out = g_string_new (NULL);
  append_line (out, "BEGIN", "VCALENDAR");
  append_line (out, "VERSION", "2.0");
  append_line (out, "PRODID", "-//ThreeTwoOne//Tto//EN");
  append_line (out, "CALSCALE", "GREGORIAN");
  append_line (out, "METHOD", "PUBLISH");
  append_line (out, "BEGIN", "VEVENT");
  append_line (out, "UID", uid);
  append_line (out, "DTSTAMP", stamp);
  append_line (out, "DTSTART", start);
  append_line (out, "DTEND", end);
  append_line (out, "SUMMARY", summary);
  if (*location != '\0')
    append_line (out, "LOCATION", location);
  if (self->has_coordinates)
    {
      char lat[G_ASCII_DTOSTR_BUF_SIZE], lon[G_ASCII_DTOSTR_BUF_SIZE];
      g_autofree char *geo = NULL;

      /* GEO is "lat;lon" with a dot whatever the locale. */
      g_ascii_formatd (lat, sizeof lat, "%.6f", self->lat);
      g_ascii_formatd (lon, sizeof lon, "%.6f", self->lon);
      geo = g_strconcat (lat, ";", lon, NULL);
      append_line (out, "GEO", geo);
    }
  if (*description != '\0')
    append_line (out, "DESCRIPTION", description);
  append_line (out, "BEGIN", "VALARM");
  append_line (out, "ACTION", "DISPLAY");
  append_line (out, "DESCRIPTION", alarm);
  append_line (out, "TRIGGER", "-PT30M");
  append_line (out, "END", "VALARM");
  append_line (out, "END", "VEVENT");
  append_line (out, "END", "VCALENDAR");
  return g_string_free (out, FALSE);
}
