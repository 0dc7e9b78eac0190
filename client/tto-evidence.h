/* tto-evidence.h: one file an applicant attaches to a join request
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  TTO_EVIDENCE_WAITING,   /* chosen, not uploaded yet */
  TTO_EVIDENCE_UPLOADING,
  TTO_EVIDENCE_SENT,      /* stored by the relay: has a blob id */
  TTO_EVIDENCE_FAILED,    /* the upload failed; see the error */
} TtoEvidenceState;

/* kinds */
#define TTO_EVIDENCE_PICTURE "image"
#define TTO_EVIDENCE_VIDEO "video"
#define TTO_EVIDENCE_FILE "file"

#define TTO_TYPE_EVIDENCE (tto_evidence_get_type ())
G_DECLARE_FINAL_TYPE (TtoEvidence, tto_evidence, TTO, EVIDENCE, GObject)

TtoEvidence *tto_evidence_new_for_file (GFile *file);
TtoEvidence *tto_evidence_new_sent (const char *blob_id);

GFile *tto_evidence_get_file (TtoEvidence *self);
const char *tto_evidence_get_name (TtoEvidence *self);
const char *tto_evidence_get_kind (TtoEvidence *self);
goffset tto_evidence_get_size (TtoEvidence *self);
void tto_evidence_set_details (TtoEvidence *self,
                               const char *name,
                               const char *kind,
                               goffset size);
GdkPaintable *tto_evidence_get_preview (TtoEvidence *self);
void tto_evidence_set_preview (TtoEvidence *self,
                               GdkPaintable *preview);

TtoEvidenceState tto_evidence_get_state (TtoEvidence *self);
double tto_evidence_get_progress (TtoEvidence *self);
const char *tto_evidence_get_blob_id (TtoEvidence *self);
const GError *tto_evidence_get_error (TtoEvidence *self);
void tto_evidence_set_uploading (TtoEvidence *self);
void tto_evidence_set_progress (TtoEvidence *self,
                                double progress);
void tto_evidence_set_sent (TtoEvidence *self,
                            const char *blob_id);
void tto_evidence_set_failed (TtoEvidence *self,
                              const GError *error);

char *tto_evidence_describe_error (TtoEvidence *self);

GdkTexture *tto_evidence_make_square (GBytes *thumbnail,
                                      int size,
                                      GError **error);

G_END_DECLS
