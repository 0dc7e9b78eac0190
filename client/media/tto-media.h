/* tto-media.h: libtto-media, the client's non-UI media code
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tto-blob-transfer.h"
#include "tto-media-probe.h"
#include "tto-media-types.h"
#include "tto-sticker.h"
#include "tto-sticker-library.h"
#include "tto-thumbnailer.h"
#include "tto-video-recorder.h"
#include "tto-voice-recorder.h"
