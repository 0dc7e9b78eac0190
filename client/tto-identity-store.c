/* tto-identity-store.c: timed and permanent identities in the desktop keyring
 *
 * One keyring item per relay (attribute "relay": its URL). The secret is a
 * small JSON object: the token, and what the app needs to sign in with it
 * before the relay answers (kind, expiry, method, name). One-time
 * identities are never stored. An item whose token the relay refuses, or
 * whose identity expired, is deleted.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "tto-shared.h"

#include "tto-identity-store.h"

static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    TTO_IDENTITY_STORE_SCHEMA,
    SECRET_SCHEMA_NONE,
    {
      { "relay", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

static GHashTable *
attributes_for (const char *relay_url)
{
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (attributes, "relay", g_strdup (relay_url));
  return attributes;
}

static void
on_stored (GObject *object,
           GAsyncResult *result,
           gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Stores (or replaces) @identity's token for its relay. */
void
tto_identity_store_save_async (TtoIdentity *identity,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GHashTable) attributes = NULL;
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (JsonGenerator) generator = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *label = NULL;
  char *secret;

  g_return_if_fail (TTO_IS_IDENTITY (identity));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_identity_store_save_async);
  if (tto_identity_is_one_time (identity) || tto_identity_get_token (identity) == NULL ||
      tto_identity_get_relay_url (identity) == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "Only timed and permanent identities are stored");
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, tto_identity_get_token (identity));
  json_builder_set_member_name (builder, "identity_id");
  json_builder_add_string_value (builder, tto_identity_get_id (identity));
  json_builder_set_member_name (builder, "display_name");
  json_builder_add_string_value (builder, tto_identity_get_display_name (identity));
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, tto_identity_get_kind (identity));
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, tto_identity_get_method (identity));
  json_builder_set_member_name (builder, "expires_at");
  if (tto_identity_get_expires_at (identity) > 0)
    json_builder_add_int_value (builder, tto_identity_get_expires_at (identity));
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  secret = json_generator_to_data (generator, NULL);
  /* The builder's copy of the token goes with the tree. */
  explicit_bzero ((char *) json_object_get_string_member (json_node_get_object (root), "token"),
                  strlen (tto_identity_get_token (identity)));

  attributes = attributes_for (tto_identity_get_relay_url (identity));
  /* Translators: %s is the relay's address */
  label = g_strdup_printf (_("ThreeTwoOne identity on %s"), tto_identity_get_relay_url (identity));
  secret_password_storev (get_schema (), attributes, SECRET_COLLECTION_DEFAULT, label, secret,
                          cancellable, on_stored, g_steal_pointer (&task));
  tto_str_wipe_free (secret);
}

gboolean
tto_identity_store_save_finish (GAsyncResult *result,
                                GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_looked_up (GObject *object,
              GAsyncResult *result,
              gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = NULL;
  JsonObject *object_read;
  JsonNode *root;
  const char *token;
  TtoIdentity *identity;
  char *secret;

  secret = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (secret == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, secret, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT ((root = json_parser_get_root (parser))))
    {
      secret_password_free (secret);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "The stored identity is not readable");
      return;
    }
  secret_password_free (secret);

  object_read = json_node_get_object (root);
  token = json_object_get_string_member_with_default (object_read, "token", NULL);
  if (token == NULL || *token == '\0')
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "The stored identity has no token");
      return;
    }
  identity = tto_identity_new_from_json (object_read, g_task_get_task_data (task),
                                         json_object_get_string_member_with_default (
                                           object_read, "method", NULL));
  explicit_bzero ((char *) token, strlen (token));
  g_task_return_pointer (task, identity, g_object_unref);
}

/* The identity stored for @relay_url (with its token; NULL when none). */
void
tto_identity_store_lookup_async (const char *relay_url,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GHashTable) attributes = NULL;

  g_return_if_fail (relay_url != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_identity_store_lookup_async);
  g_task_set_task_data (task, g_strdup (relay_url), g_free);
  attributes = attributes_for (relay_url);
  secret_password_lookupv (get_schema (), attributes, cancellable, on_looked_up,
                           g_steal_pointer (&task));
}

TtoIdentity *
tto_identity_store_lookup_finish (GAsyncResult *result,
                                  GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_cleared (GObject *object,
            GAsyncResult *result,
            gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;

  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Deletes what is stored for @relay_url (nothing stored is no error). */
void
tto_identity_store_clear_async (const char *relay_url,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GHashTable) attributes = NULL;

  g_return_if_fail (relay_url != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tto_identity_store_clear_async);
  attributes = attributes_for (relay_url);
  secret_password_clearv (get_schema (), attributes, cancellable, on_cleared,
                          g_steal_pointer (&task));
}

gboolean
tto_identity_store_clear_finish (GAsyncResult *result,
                                 GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
