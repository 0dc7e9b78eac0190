/* tto-frame-private.h: the schema tables frame validation reads
 *
 * Each concern declares its frames in its own tto-frame-<concern>.c as a
 * FrameSpec table and lists it in spec_tables in tto-frame.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tto-frame.h"

G_BEGIN_DECLS

typedef enum
{
  FIELD_STRING,
  FIELD_INT,
  FIELD_BOOL,
  FIELD_OBJECT,
  FIELD_ARRAY,
} FieldType;

typedef struct
{
  const char *name;
  FieldType type;
  gboolean required;
  gboolean nullable;
  guint min_chars; /* strings: fewer is bad_frame */
  guint max_chars; /* strings: more is too_large; 0 means no limit */
} FieldSpec;

typedef gboolean (*BodyCheck) (JsonObject *body,
                               GError **error);

typedef struct
{
  const char *type;
  TtoFrameOrigin origin;
  const FieldSpec *fields;
  BodyCheck check;
} FrameSpec;

#define END_FIELDS { NULL, 0, FALSE, FALSE, 0, 0 }

/* tto-frame-flow.c */
extern const FrameSpec tto_frame_flow_specs[];
extern const guint tto_frame_flow_n_specs;
gboolean tto_frame_flow_check_stage_titles (JsonObject *body,
                                            GError **error);

/* tto-frame-history.c */
extern const FrameSpec tto_frame_history_specs[];
extern const guint tto_frame_history_n_specs;

/* tto-frame-topics.c */
extern const FrameSpec tto_frame_topics_specs[];
extern const guint tto_frame_topics_n_specs;

/* tto-frame-identity.c */
extern const FrameSpec tto_frame_identity_specs[];
extern const guint tto_frame_identity_n_specs;

/* tto-frame-oidc.c */
extern const FrameSpec tto_frame_oidc_specs[];
extern const guint tto_frame_oidc_n_specs;

G_END_DECLS
