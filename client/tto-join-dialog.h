/* tto-join-dialog.h: asks for an invite code and joins its event, with evidence
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-evidence-editor.h"
#include "tto-scan-view.h"
#include "tto-session.h"

G_BEGIN_DECLS

#define TTO_TYPE_JOIN_DIALOG (tto_join_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TtoJoinDialog, tto_join_dialog, TTO, JOIN_DIALOG, AdwWindow)

TtoJoinDialog *tto_join_dialog_new (GtkWindow *parent,
                                    TtoSession *session);
TtoJoinDialog *tto_join_dialog_new_for_application (GtkWindow *parent,
                                                    TtoSession *session,
                                                    TtoJoinRequest *application);
void tto_join_dialog_set_code (TtoJoinDialog *self,
                               const char *code);
const char *tto_join_dialog_get_error (TtoJoinDialog *self);
gboolean tto_join_dialog_open_invite (TtoJoinDialog *self,
                                      const char *uri);
void tto_join_dialog_set_mode (TtoJoinDialog *self,
                               const char *mode);
const char *tto_join_dialog_get_mode (TtoJoinDialog *self);
void tto_join_dialog_set_reason (TtoJoinDialog *self,
                                 const char *reason);
TtoScanView *tto_join_dialog_get_scan_view (TtoJoinDialog *self);
TtoEvidenceEditor *tto_join_dialog_get_evidence_editor (TtoJoinDialog *self);
TtoJoinRequest *tto_join_dialog_get_application (TtoJoinDialog *self);
gboolean tto_join_dialog_get_busy (TtoJoinDialog *self);

G_END_DECLS
