/* tto-identity-store.h: timed and permanent identities in the desktop keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tto-identity.h"

G_BEGIN_DECLS

#define TTO_IDENTITY_STORE_SCHEMA "org.threetwoone.Tto.Identity"

void tto_identity_store_save_async (TtoIdentity *identity,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
gboolean tto_identity_store_save_finish (GAsyncResult *result,
                                         GError **error);
void tto_identity_store_lookup_async (const char *relay_url,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
TtoIdentity *tto_identity_store_lookup_finish (GAsyncResult *result,
                                               GError **error);
void tto_identity_store_clear_async (const char *relay_url,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
gboolean tto_identity_store_clear_finish (GAsyncResult *result,
                                          GError **error);

G_END_DECLS
