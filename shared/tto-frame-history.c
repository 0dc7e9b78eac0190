/* tto-frame-history.c: the frames of a permanent identity's history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tto-frame-private.h"

static const FieldSpec no_fields[] = { END_FIELDS };

static const FieldSpec history_delete_fields[] = {
  { "id", FIELD_STRING, TRUE, FALSE, 1, 20 },
  END_FIELDS
};

const FrameSpec tto_frame_history_specs[] = {
  { TTO_FRAME_HISTORY_LIST, TTO_FRAME_FROM_CLIENT, no_fields, NULL },
  { TTO_FRAME_HISTORY_DELETE, TTO_FRAME_FROM_CLIENT, history_delete_fields, NULL },
};
const guint tto_frame_history_n_specs = G_N_ELEMENTS (tto_frame_history_specs);
