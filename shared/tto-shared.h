/* tto-shared.h: everything libtto-shared offers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tto-cidr.h"
#include "tto-event.h"
#include "tto-frame.h"
#include "tto-id-number.h"
#include "tto-ids.h"
#include "tto-member.h"
#include "tto-message.h"
#include "tto-protocol.h"
#include "tto-util.h"
