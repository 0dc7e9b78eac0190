/* tto-oidc-flow.h: third-party sign-in as a native app (RFC 8252), no UI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "tto-connection.h"

G_BEGIN_DECLS

#define TTO_OIDC_FLOW_ERROR (tto_oidc_flow_error_quark ())

typedef enum
{
  TTO_OIDC_FLOW_ERROR_LISTEN,     /* no loopback port for the browser to come back to */
  TTO_OIDC_FLOW_ERROR_BROWSER,    /* the system browser could not be opened */
  TTO_OIDC_FLOW_ERROR_DENIED,     /* the provider (or the person) refused the sign-in */
  TTO_OIDC_FLOW_ERROR_TIMED_OUT,  /* nobody came back within the sign-in's lifetime */
  TTO_OIDC_FLOW_ERROR_BAD_ANSWER, /* the relay's answer to begin lacks what it must hold */
  TTO_OIDC_FLOW_ERROR_BUSY,       /* this flow runs already */
} TtoOidcFlowError;

GQuark tto_oidc_flow_error_quark (void);

#define TTO_TYPE_OIDC_FLOW (tto_oidc_flow_get_type ())
G_DECLARE_FINAL_TYPE (TtoOidcFlow, tto_oidc_flow, TTO, OIDC_FLOW, GObject)

/* Sends one request frame to the relay: @type with @body (transfer full).
 * Complete @task with the answer's body, g_task_return_pointer (task, body,
 * (GDestroyNotify) json_object_unref), or with the error (a
 * TTO_PROTOCOL_ERROR for an error frame). g_task_get_cancellable (task) is
 * the run's. The answer to identity.oidc.finish is the identity body of
 * shared/PROTOCOL.md, token included: a caller that keeps a connection
 * signed in (tto_connection_sign_in_async) sends finish through it. */
typedef void (*TtoOidcFlowRequestFunc) (TtoOidcFlow *flow,
                                        const char *type,
                                        JsonObject *body,
                                        GTask *task,
                                        gpointer user_data);

TtoOidcFlow *tto_oidc_flow_new (const char *provider_id,
                                TtoOidcFlowRequestFunc request,
                                gpointer request_data,
                                GDestroyNotify request_data_destroy);
/* Through @connection: begin as a request (the socket is opened if need
 * be), finish with tto_connection_sign_in_async, so that on success
 * @connection is signed in as the identity. */
TtoOidcFlow *tto_oidc_flow_new_for_connection (const char *provider_id,
                                               TtoConnection *connection);
const char *tto_oidc_flow_get_provider_id (TtoOidcFlow *self);
/* Optional: the name to show (the relay falls back to the provider's). */
void tto_oidc_flow_set_display_name (TtoOidcFlow *self,
                                     const char *display_name);
/* "one_time" (default), "timed" with @ttl seconds, or "permanent". */
void tto_oidc_flow_set_lifetime (TtoOidcFlow *self,
                                 const char *lifetime,
                                 guint ttl);
/* The loopback address the browser returns to while a run waits for it
 * (http://127.0.0.1:PORT/callback), else NULL. */
const char *tto_oidc_flow_get_redirect_uri (TtoOidcFlow *self);

/* Listens on loopback, sends identity.oidc.begin, opens the authorization
 * URL in the system browser (or whatever handles ::open-uri), waits for
 * the browser to come back, then sends identity.oidc.finish. _finish gives
 * the identity body (free with json_object_unref after wiping its token),
 * or NULL with the error. */
void tto_oidc_flow_run_async (TtoOidcFlow *self,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
JsonObject *tto_oidc_flow_run_finish (TtoOidcFlow *self,
                                      GAsyncResult *result,
                                      GError **error);

G_END_DECLS
