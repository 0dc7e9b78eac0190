/* tto-id-number.h: checks of a resident identity card number (GB 11643)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TTO_ID_NUMBER_LENGTH 18

#define TTO_ID_NUMBER_ERROR (tto_id_number_error_quark ())

typedef enum
{
  TTO_ID_NUMBER_ERROR_LENGTH,      /* not 18 characters */
  TTO_ID_NUMBER_ERROR_CHARACTERS,  /* not 17 digits followed by a digit or X */
  TTO_ID_NUMBER_ERROR_BIRTH_DATE,  /* characters 7–14 are no valid date */
  TTO_ID_NUMBER_ERROR_CHECK_DIGIT, /* the ISO 7064 MOD 11-2 check digit differs */
} TtoIdNumberError;

GQuark tto_id_number_error_quark (void);

char tto_id_number_check_digit (const char *first17);
gboolean tto_id_number_is_valid (const char *number,
                                 GError **error);

G_END_DECLS
