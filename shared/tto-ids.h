/* tto-ids.h: identifiers and invite codes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TTO_ID_LENGTH 16
#define TTO_INVITE_CODE_LENGTH 8
/* 32 symbols, so one random byte maps to one symbol without bias; no 0/O/1/I. */
#define TTO_INVITE_CODE_ALPHABET "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

void tto_random_bytes (guint8 *buffer,
                       gsize length);
char *tto_id_new (void);
gboolean tto_id_is_valid (const char *id);
char *tto_invite_code_new (void);
char *tto_invite_code_normalize (const char *input);
char *tto_invite_code_format (const char *code);

G_END_DECLS
