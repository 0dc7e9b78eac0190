/* tto-relay-history.c: history.list and history.delete
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tto-relay"

#include "tto-relay-private.h"

typedef struct
{
  TtoRelayConn *conn;
  char *id;
} HistoryRequest;

static HistoryRequest *
history_request_new (TtoRelayConn *conn,
                     TtoFrame *frame)
{
  HistoryRequest *request = g_new0 (HistoryRequest, 1);

  request->conn = tto_relay_conn_ref (conn);
  request->id = g_strdup (frame->id);

  return request;
}

static void
history_request_free (HistoryRequest *request)
{
  tto_relay_conn_unref (request->conn);
  g_free (request->id);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HistoryRequest, history_request_free)

static void
on_history_listed (GObject *object,
                   GAsyncResult *result,
                   gpointer user_data)
{
  g_autoptr (HistoryRequest) request = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) entries = NULL;
  JsonObject *body;

  if (request->conn->relay == NULL)
    return;

  entries = tto_relay_store_list_history_finish (request->conn->relay->store, result, &error);
  if (entries == NULL)
    {
      g_warning ("could not list history: %s", error->message);
      tto_relay_reply_error (request->conn, request->id, TTO_PROTOCOL_ERROR_INTERNAL,
                             "the relay could not read the history; try again");
      return;
    }

  body = json_object_new ();
  json_object_set_array_member (body, "history", g_steal_pointer (&entries));
  tto_relay_reply_ok (request->conn, request->id, body);
}

static void
handle_history_list (TtoRelayConn *conn,
                     TtoFrame *frame)
{
  tto_relay_store_list_history_async (conn->relay->store, conn->identity_id, on_history_listed,
                                      history_request_new (conn, frame));
}

static void
on_history_deleted (GObject *object,
                    GAsyncResult *result,
                    gpointer user_data)
{
  g_autoptr (HistoryRequest) request = user_data;
  g_autoptr (GError) error = NULL;
  gboolean deleted = FALSE;

  if (request->conn->relay == NULL)
    return;

  if (!tto_relay_store_delete_history_finish (request->conn->relay->store, result, &deleted,
                                              &error))
    {
      g_warning ("could not delete a history entry: %s", error->message);
      tto_relay_reply_error (request->conn, request->id, TTO_PROTOCOL_ERROR_INTERNAL,
                             "the relay could not delete the entry; try again");
    }
  else if (!deleted)
    tto_relay_reply_error (request->conn, request->id, TTO_PROTOCOL_ERROR_NOT_FOUND,
                           "no such entry in your history");
  else
    tto_relay_reply_ok (request->conn, request->id, json_object_new ());
}

static void
handle_history_delete (TtoRelayConn *conn,
                       TtoFrame *frame)
{
  const char *id = tto_frame_get_string (frame, "id");
  guint64 entry_id = 0;

  /* Entry ids are row numbers; anything else names no entry. */
  if (!g_ascii_string_to_unsigned (id, 10, 1, G_MAXINT64, &entry_id, NULL))
    {
      tto_relay_reply_error (conn, frame->id, TTO_PROTOCOL_ERROR_NOT_FOUND,
                             "no such entry in your history");
      return;
    }

  tto_relay_store_delete_history_async (conn->relay->store, conn->identity_id, (gint64) entry_id,
                                        on_history_deleted, history_request_new (conn, frame));
}

const TtoRelayRoute tto_relay_history_routes[] = {
  { TTO_FRAME_HISTORY_LIST, TRUE, handle_history_list },
  { TTO_FRAME_HISTORY_DELETE, TRUE, handle_history_delete },
};
const guint tto_relay_history_n_routes = G_N_ELEMENTS (tto_relay_history_routes);
