/* tto-review-window.h: the queue of applications to join an event
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-session.h"

G_BEGIN_DECLS

#define TTO_TYPE_REVIEW_WINDOW (tto_review_window_get_type ())
G_DECLARE_FINAL_TYPE (TtoReviewWindow, tto_review_window, TTO, REVIEW_WINDOW, AdwWindow)

TtoReviewWindow *tto_review_window_new (GtkWindow *parent,
                                        TtoSession *session,
                                        TtoEvent *event);
GtkSelectionModel *tto_review_window_get_selection (TtoReviewWindow *self);
void tto_review_window_decide (TtoReviewWindow *self,
                               const char *decision,
                               const char *message);

G_END_DECLS
