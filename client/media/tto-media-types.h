/* tto-media-types.h: types shared by the recorders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* idle → starting → recording → stopping → finished; failed from any. */
typedef enum
{
  TTO_RECORDER_STATE_IDLE,
  TTO_RECORDER_STATE_STARTING,
  TTO_RECORDER_STATE_RECORDING,
  TTO_RECORDER_STATE_STOPPING,
  TTO_RECORDER_STATE_FINISHED,
  TTO_RECORDER_STATE_FAILED,
} TtoRecorderState;

#define TTO_TYPE_RECORDER_STATE (tto_recorder_state_get_type ())
GType tto_recorder_state_get_type (void);

G_END_DECLS
