/* tto-admission.h: admission and join-rule controls shared by the create
 * page and the event info window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TTO_ADMISSION_OPEN "open"
#define TTO_ADMISSION_REVIEW "review"
#define TTO_ADMISSION_CLOSED "closed"

/* The join rules of PROTOCOL.md, in the order the switches show them. */
#define TTO_RULE_AUTO_APPROVE_THIRD_PARTY "auto_approve_third_party"
#define TTO_RULE_REQUIRE_ID_VERIFIED "require_id_verified"
#define TTO_RULE_REQUIRE_PHONE_VERIFIED "require_phone_verified"

void tto_admission_setup_row (AdwComboRow *row,
                              const char *admission);
const char *tto_admission_get_row (AdwComboRow *row);
const char *tto_admission_describe (const char *admission);
const char *tto_form_get_title (const char *form);

G_END_DECLS
