/* tto-history-entry.c: one event a permanent identity took part in
 *
 * Only what the relay keeps: the title, the role and two dates.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-history-entry.h"

struct _TtoHistoryEntry
{
  GObject parent_instance;

  char *id;
  char *title;
  char *role;
  gint64 started_at;
  gint64 ended_at;
};

G_DEFINE_FINAL_TYPE (TtoHistoryEntry, tto_history_entry, G_TYPE_OBJECT)

static void
tto_history_entry_finalize (GObject *object)
{
  TtoHistoryEntry *self = TTO_HISTORY_ENTRY (object);

  g_free (self->id);
  g_free (self->title);
  g_free (self->role);

  G_OBJECT_CLASS (tto_history_entry_parent_class)->finalize (object);
}

static void
tto_history_entry_class_init (TtoHistoryEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tto_history_entry_finalize;
}

static void
tto_history_entry_init (TtoHistoryEntry *self)
{
}

/* Returns NULL when @object lacks the id or the title. */
TtoHistoryEntry *
tto_history_entry_new_from_json (JsonObject *object)
{
  TtoHistoryEntry *self;
  const char *id = json_object_get_string_member_with_default (object, "id", NULL);
  const char *title = json_object_get_string_member_with_default (object, "title", NULL);

  if (id == NULL || title == NULL)
    return NULL;

  self = g_object_new (TTO_TYPE_HISTORY_ENTRY, NULL);
  self->id = g_strdup (id);
  self->title = g_strdup (title);
  self->role = g_strdup (json_object_get_string_member_with_default (object, "role", "member"));
  self->started_at = json_object_get_int_member_with_default (object, "started_at", 0);
  self->ended_at = json_object_get_int_member_with_default (object, "ended_at", 0);

  return self;
}

const char *
tto_history_entry_get_id (TtoHistoryEntry *self)
{
  g_return_val_if_fail (TTO_IS_HISTORY_ENTRY (self), NULL);

  return self->id;
}

const char *
tto_history_entry_get_title (TtoHistoryEntry *self)
{
  g_return_val_if_fail (TTO_IS_HISTORY_ENTRY (self), NULL);

  return self->title;
}

const char *
tto_history_entry_get_role (TtoHistoryEntry *self)
{
  g_return_val_if_fail (TTO_IS_HISTORY_ENTRY (self), NULL);

  return self->role;
}

gint64
tto_history_entry_get_started_at (TtoHistoryEntry *self)
{
  g_return_val_if_fail (TTO_IS_HISTORY_ENTRY (self), 0);

  return self->started_at;
}

gint64
tto_history_entry_get_ended_at (TtoHistoryEntry *self)
{
  g_return_val_if_fail (TTO_IS_HISTORY_ENTRY (self), 0);

  return self->ended_at;
}

/* "12 Nov – 14 Nov 2026", or one date when the event lasted one day; the
 * role is added for events the person created. */
char *
tto_history_entry_format_dates (TtoHistoryEntry *self)
{
  g_autoptr (GDateTime) start = NULL;
  g_autoptr (GDateTime) end = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *dates = NULL;

  g_return_val_if_fail (TTO_IS_HISTORY_ENTRY (self), NULL);

  start = g_date_time_new_from_unix_local (self->started_at);
  end = g_date_time_new_from_unix_local (self->ended_at);
  if (start == NULL || end == NULL)
    return g_strdup ("");

  /* Translators: a date in a history entry, see the GDateTime docs */
  to = g_date_time_format (end, _("%e %b %Y"));
  if (g_date_time_get_year (start) == g_date_time_get_year (end) &&
      g_date_time_get_day_of_year (start) == g_date_time_get_day_of_year (end))
    dates = g_strdup (g_strstrip (to));
  else
    {
      /* Translators: the first date of a range, without the year */
      from = g_date_time_format (start, _("%e %b"));
      /* Translators: a range of dates: first date – last date */
      dates = g_strdup_printf (_("%s – %s"), g_strstrip (from), g_strstrip (to));
    }

  if (g_strcmp0 (self->role, "creator") == 0)
    /* Translators: %s is a date or a range of dates */
    return g_strdup_printf (_("%s · created by you"), dates);

  return g_steal_pointer (&dates);
}
