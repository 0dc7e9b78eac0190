/* tto-frame.h: one protocol frame, parsed, validated and serialised
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "tto-protocol.h"

G_BEGIN_DECLS

typedef struct
{
  char *type;
  char *id;         /* request id chosen by the client, or NULL */
  char *re;         /* ok and error: the id of the request answered */
  JsonObject *body; /* never NULL */
} TtoFrame;

TtoFrame *tto_frame_new (const char *type,
                         const char *id,
                         JsonObject *body);
TtoFrame *tto_frame_new_ok (const char *re,
                            JsonObject *body);
TtoFrame *tto_frame_new_error (const char *re,
                               TtoProtocolError code,
                               const char *message);
TtoFrame *tto_frame_new_error_from_gerror (const char *re,
                                           const GError *error);
void tto_frame_free (TtoFrame *frame);
void tto_frame_wipe (TtoFrame *frame);

TtoFrame *tto_frame_parse (const char *data,
                           gsize length,
                           TtoFrameOrigin origin,
                           char **out_id,
                           GError **error);
char *tto_frame_serialize (const TtoFrame *frame,
                           gsize *length);
gboolean tto_frame_is (const TtoFrame *frame,
                       const char *type);
gboolean tto_frame_propagate_error (const TtoFrame *frame,
                                    GError **error);

const char *tto_frame_get_string (const TtoFrame *frame,
                                  const char *field);
gint64 tto_frame_get_int (const TtoFrame *frame,
                          const char *field,
                          gint64 default_value);
gboolean tto_frame_has (const TtoFrame *frame,
                        const char *field);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TtoFrame, tto_frame_free)

G_END_DECLS
