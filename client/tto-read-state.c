/* tto-read-state.c: how far the user has read each event, kept across runs
 *
 * One small key file under $XDG_STATE_HOME/tto/ maps event ids to the seq
 * read up to, so unread counts survive a restart while the event lives. It
 * holds no message content, no names and no tokens; an event's entry goes
 * when the event ends. Writes are batched (one per second at most).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>

#include <glib/gstdio.h>

#include "tto-shared.h"

#include "tto-read-state.h"

#define GROUP "read"
#define SAVE_DELAY_MS 1000

struct _TtoReadState
{
  GObject parent_instance;

  char *path;
  GHashTable *positions; /* event id → gint64 * seq */
  guint save_source;
};

G_DEFINE_FINAL_TYPE (TtoReadState, tto_read_state, G_TYPE_OBJECT)
G_DEFINE_QUARK (tto-read-state-error-quark, tto_read_state_error)

static gboolean
load (TtoReadState *self,
      GError **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_auto (GStrv) keys = NULL;

  if (!g_key_file_load_from_file (file, self->path, G_KEY_FILE_NONE, error))
    return FALSE;

  keys = g_key_file_get_keys (file, GROUP, NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autoptr (GError) local_error = NULL;
      gint64 seq = g_key_file_get_int64 (file, GROUP, keys[i], &local_error);

      if (local_error != NULL || seq < 0 || !tto_id_is_valid (keys[i]))
        {
          g_set_error (error, TTO_READ_STATE_ERROR, TTO_READ_STATE_ERROR_INVALID,
                       "%s holds a malformed entry", self->path);
          return FALSE;
        }
      g_hash_table_insert (self->positions, g_strdup (keys[i]), g_memdup2 (&seq, sizeof seq));
    }
  return TRUE;
}

static gboolean
on_save_timeout (gpointer user_data)
{
  TtoReadState *self = user_data;
  g_autoptr (GError) error = NULL;

  self->save_source = 0;
  if (!tto_read_state_save (self, &error))
    g_message ("Could not save read positions: %s", error->message);
  return G_SOURCE_REMOVE;
}

static void
schedule_save (TtoReadState *self)
{
  if (self->save_source == 0)
    self->save_source = g_timeout_add (SAVE_DELAY_MS, on_save_timeout, self);
}

static void
tto_read_state_dispose (GObject *object)
{
  TtoReadState *self = (TtoReadState *) object;

  if (self->save_source != 0)
    {
      g_autoptr (GError) error = NULL;

      g_clear_handle_id (&self->save_source, g_source_remove);
      if (!tto_read_state_save (self, &error))
        g_message ("Could not save read positions: %s", error->message);
    }

  G_OBJECT_CLASS (tto_read_state_parent_class)->dispose (object);
}

static void
tto_read_state_finalize (GObject *object)
{
  TtoReadState *self = (TtoReadState *) object;

  g_free (self->path);
  g_hash_table_unref (self->positions);

  G_OBJECT_CLASS (tto_read_state_parent_class)->finalize (object);
}

static void
tto_read_state_class_init (TtoReadStateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tto_read_state_dispose;
  object_class->finalize = tto_read_state_finalize;
}

static void
tto_read_state_init (TtoReadState *self)
{
  self->positions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/* @path: the file, or NULL for $XDG_STATE_HOME/tto/read-positions. */
TtoReadState *
tto_read_state_new (const char *path)
{
  TtoReadState *self = g_object_new (TTO_TYPE_READ_STATE, NULL);
  g_autoptr (GError) error = NULL;

  self->path = path != NULL ? g_strdup (path)
                            : g_build_filename (g_get_user_state_dir (), "tto", "read-positions",
                                                NULL);
  if (!load (self, &error) && !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      /* Only unread counts depend on it: start afresh. */
      g_message ("Ignoring read positions: %s", error->message);
      g_hash_table_remove_all (self->positions);
    }
  return self;
}

const char *
tto_read_state_get_path (TtoReadState *self)
{
  g_return_val_if_fail (TTO_IS_READ_STATE (self), NULL);

  return self->path;
}

/* The seq read up to in @event_id, 0 if unknown. */
gint64
tto_read_state_get (TtoReadState *self,
                    const char *event_id)
{
  gint64 *seq;

  g_return_val_if_fail (TTO_IS_READ_STATE (self), 0);
  g_return_val_if_fail (event_id != NULL, 0);

  seq = g_hash_table_lookup (self->positions, event_id);
  return seq != NULL ? *seq : 0;
}

/* Moves the position forward (never back). */
void
tto_read_state_set (TtoReadState *self,
                    const char *event_id,
                    gint64 seq)
{
  gint64 *known;

  g_return_if_fail (TTO_IS_READ_STATE (self));
  g_return_if_fail (event_id != NULL);

  known = g_hash_table_lookup (self->positions, event_id);
  if (known != NULL && *known >= seq)
    return;
  if (known != NULL)
    *known = seq;
  else
    g_hash_table_insert (self->positions, g_strdup (event_id), g_memdup2 (&seq, sizeof seq));
  schedule_save (self);
}

/* The event ended: nothing of it stays. */
void
tto_read_state_forget (TtoReadState *self,
                       const char *event_id)
{
  g_return_if_fail (TTO_IS_READ_STATE (self));
  g_return_if_fail (event_id != NULL);

  if (g_hash_table_remove (self->positions, event_id))
    schedule_save (self);
}

gboolean
tto_read_state_save (TtoReadState *self,
                     GError **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autofree char *dir = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (TTO_IS_READ_STATE (self), FALSE);

  g_clear_handle_id (&self->save_source, g_source_remove);
  g_hash_table_iter_init (&iter, self->positions);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_key_file_set_int64 (file, GROUP, key, *(gint64 *) value);

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Could not create %s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }
  return g_key_file_save_to_file (file, self->path, error);
}
