/* tto-evidence-strip.h: an applicant's evidence, as the reviewer sees it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-session.h"

G_BEGIN_DECLS

#define TTO_TYPE_EVIDENCE_STRIP (tto_evidence_strip_get_type ())
G_DECLARE_FINAL_TYPE (TtoEvidenceStrip, tto_evidence_strip, TTO, EVIDENCE_STRIP, AdwBin)

TtoEvidenceStrip *tto_evidence_strip_new (void);
void tto_evidence_strip_set_evidence (TtoEvidenceStrip *self,
                                      TtoSession *session,
                                      const char *event_id,
                                      const char *applicant_name,
                                      const char *const *blob_ids);
guint tto_evidence_strip_get_n_items (TtoEvidenceStrip *self);
const char *tto_evidence_strip_get_kind (TtoEvidenceStrip *self,
                                         guint index);
GtkWidget *tto_evidence_strip_get_tile (TtoEvidenceStrip *self,
                                        guint index);
void tto_evidence_strip_open (TtoEvidenceStrip *self,
                              guint index);
void tto_evidence_strip_save_to_file (TtoEvidenceStrip *self,
                                      guint index,
                                      GFile *file);

G_END_DECLS
