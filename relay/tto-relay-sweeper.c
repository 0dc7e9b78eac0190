/* tto-relay-sweeper.c: ends events at their deadline and deletes one-time
 * identities after their grace period
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include "tto-relay-identity.h"
#include "tto-relay-private.h"

typedef struct
{
  TtoRelay *relay;
  char *event_id;
} Expiry;

static void
on_expired_event_deleted (GObject *source,
                          GAsyncResult *result,
                          gpointer user_data)
{
  Expiry *expiry = user_data;
  g_autoptr (GError) error = NULL;

  /* If this failed the rows stay until the sweep at the next start-up; the
   * messages are gone either way, so the members learn of the end now. */
  if (!g_task_propagate_pointer (G_TASK (result), &error))
    g_warning ("could not delete an expired event: %s", error->message);

  tto_relay_end_room (expiry->relay, expiry->event_id, "expired");
  g_free (expiry->event_id);
  g_free (expiry);
}

static void
on_identities_deleted (GObject *source,
                       GAsyncResult *result,
                       gpointer user_data)
{
  TtoRelay *relay = user_data;
  g_autoptr (TtoRelayDeletion) deletion = NULL;
  g_autoptr (GError) error = NULL;

  relay->sweeping_identities = FALSE;
  deletion = tto_relay_store_delete_expired_identities_finish (relay->store, result, &error);
  if (deletion == NULL)
    {
      g_warning ("could not sweep expired identities: %s", error->message);
      return;
    }

  for (guint i = 0; i < deletion->event_ids->len; i++)
    tto_relay_end_room (relay, deletion->event_ids->pdata[i], "creator_left");
  for (guint i = 0; i < deletion->identity_ids->len; i++)
    tto_relay_forget_identity (relay, deletion->identity_ids->pdata[i]);

  if (deletion->identity_ids->len > 0)
    g_message ("deleted %u expired identities", deletion->identity_ids->len);
}

static void
on_expired_grants_deleted (GObject *source,
                           GAsyncResult *result,
                           gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_pointer (G_TASK (result), &error))
    g_warning ("could not delete expired grants: %s", error->message);
}

/* Delegated permissions run out visibly: members hear member.updated. */
static void
expire_grants (TtoRelay *relay,
               gint64 now)
{
  GHashTableIter iter;
  gpointer room;
  gboolean any = FALSE;

  g_hash_table_iter_init (&iter, relay->rooms);
  while (g_hash_table_iter_next (&iter, NULL, &room))
    {
      g_autoptr (GList) members = tto_relay_room_get_members (room);

      for (GList *l = members; l != NULL; l = l->next)
        {
          g_autoptr (GList) permissions = tto_member_list_permissions (l->data);
          gboolean changed = FALSE;

          for (GList *p = permissions; p != NULL; p = p->next)
            {
              gint64 until = 0;

              tto_member_get_permission (l->data, p->data, &until);
              if (until > 0 && until <= now)
                changed |= tto_member_remove_permission (l->data, p->data);
            }
          if (changed)
            tto_relay_push_member_updated (relay, room, l->data);
          any |= changed;
        }
    }

  if (any)
    tto_relay_store_delete_expired_grants_async (relay->store, now, on_expired_grants_deleted,
                                                 NULL);
}

void
tto_relay_sweep (TtoRelay *relay)
{
  gint64 now = tto_relay_now_seconds ();
  g_autoptr (GPtrArray) expired = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer room;

  g_hash_table_iter_init (&iter, relay->rooms);
  while (g_hash_table_iter_next (&iter, NULL, &room))
    {
      gint64 deadline = tto_event_get_deadline (tto_relay_room_get_event (room));

      if (deadline > 0 && deadline <= now && !tto_relay_room_get_ending (room))
        g_ptr_array_add (expired, room);
    }

  /* At the deadline the messages go at once; event.ended follows when the
   * rows are gone too, so a member who hears of the end finds nothing left.
   * Meanwhile the room refuses messages (past deadline). */
  for (guint i = 0; i < expired->len; i++)
    {
      TtoRelayRoom *expiring = expired->pdata[i];
      Expiry *expiry = g_new0 (Expiry, 1);

      tto_relay_room_wipe (expiring);
      tto_relay_room_set_ending (expiring);
      expiry->relay = relay;
      expiry->event_id = g_strdup (tto_relay_room_get_id (expiring));
      tto_relay_store_delete_event_async (relay->store, expiry->event_id,
                                          on_expired_event_deleted, expiry);
    }

  expire_grants (relay, now);
  tto_relay_identity_sweep (relay);

  if (!relay->sweeping_identities)
    {
      g_auto (GStrv) online = tto_relay_online_ids (relay);

      relay->sweeping_identities = TRUE;
      tto_relay_store_delete_expired_identities_async (relay->store, now,
                                                       (const char *const *) online,
                                                       on_identities_deleted, relay);
    }
}

static gboolean
on_sweep_timeout (gpointer user_data)
{
  tto_relay_sweep (user_data);
  return G_SOURCE_CONTINUE;
}

void
tto_relay_sweeper_start (TtoRelay *relay)
{
  relay->sweep_source = g_timeout_add_seconds (relay->config->sweep_interval, on_sweep_timeout,
                                               relay);
}

void
tto_relay_sweeper_stop (TtoRelay *relay)
{
  g_clear_handle_id (&relay->sweep_source, g_source_remove);
}
