/* tto-evidence-list.h: the files attached to one join request
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tto-blob-transfer.h"
#include "tto-evidence.h"

G_BEGIN_DECLS

#define TTO_EVIDENCE_LIST_ERROR (tto_evidence_list_error_quark ())

typedef enum
{
  /* The application already has as many files as the protocol allows. */
  TTO_EVIDENCE_LIST_ERROR_FULL,
} TtoEvidenceListError;

GQuark tto_evidence_list_error_quark (void);

#define TTO_TYPE_EVIDENCE_LIST (tto_evidence_list_get_type ())
G_DECLARE_FINAL_TYPE (TtoEvidenceList, tto_evidence_list, TTO, EVIDENCE_LIST, GObject)

TtoEvidenceList *tto_evidence_list_new (void);
guint tto_evidence_list_get_max (TtoEvidenceList *self);
guint tto_evidence_list_add_files (TtoEvidenceList *self,
                                   GFile *const *files,
                                   guint n_files,
                                   GError **error);
void tto_evidence_list_add (TtoEvidenceList *self,
                            TtoEvidence *evidence);
gboolean tto_evidence_list_remove (TtoEvidenceList *self,
                                   TtoEvidence *evidence);
guint tto_evidence_list_count_unsent (TtoEvidenceList *self);
gboolean tto_evidence_list_get_busy (TtoEvidenceList *self);
GStrv tto_evidence_list_dup_blob_ids (TtoEvidenceList *self);

void tto_evidence_list_upload_async (TtoEvidenceList *self,
                                     TtoBlobTransfer *transfer,
                                     const char *event_id,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
gboolean tto_evidence_list_upload_finish (TtoEvidenceList *self,
                                          GAsyncResult *result,
                                          GError **error);

G_END_DECLS
