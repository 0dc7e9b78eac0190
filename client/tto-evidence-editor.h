/* tto-evidence-editor.h: choose the files a join request carries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-evidence-list.h"

G_BEGIN_DECLS

#define TTO_TYPE_EVIDENCE_EDITOR (tto_evidence_editor_get_type ())
G_DECLARE_FINAL_TYPE (TtoEvidenceEditor, tto_evidence_editor, TTO, EVIDENCE_EDITOR, AdwBin)

TtoEvidenceList *tto_evidence_editor_get_list (TtoEvidenceEditor *self);
void tto_evidence_editor_set_list (TtoEvidenceEditor *self,
                                   TtoEvidenceList *list);
guint tto_evidence_editor_add_files (TtoEvidenceEditor *self,
                                     GFile *const *files,
                                     guint n_files);
const char *tto_evidence_editor_get_notice (TtoEvidenceEditor *self);
GtkWidget *tto_evidence_editor_get_row (TtoEvidenceEditor *self,
                                        guint position);

G_END_DECLS
