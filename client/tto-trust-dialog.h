/* tto-trust-dialog.h: asks before trusting a relay's certificate, warns
 * when it changed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-cert-pins.h"

G_BEGIN_DECLS

#define TTO_TYPE_TRUST_DIALOG (tto_trust_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TtoTrustDialog, tto_trust_dialog, TTO, TRUST_DIALOG, AdwMessageDialog)

TtoTrustDialog *tto_trust_dialog_new (GtkWindow *parent,
                                      TtoCertPins *pins,
                                      const char *host_port,
                                      const char *fingerprint,
                                      const char *pinned_fingerprint);
const char *tto_trust_dialog_get_host_port (TtoTrustDialog *self);
gboolean tto_trust_dialog_get_changed (TtoTrustDialog *self);

G_END_DECLS
