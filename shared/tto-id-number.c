/* tto-id-number.c: checks of a resident identity card number (GB 11643)
 *
 * 18 characters: a 6-digit region code, the birth date as YYYYMMDD, a
 * 3-digit sequence and a check digit computed by ISO 7064 MOD 11-2 over the
 * first 17 (10 is written X). Client and relay run the same checks, so a
 * typo is caught before the number leaves the device.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "tto-id-number.h"

G_DEFINE_QUARK (tto-id-number-error-quark, tto_id_number_error)

/* Weight of position i (1-based from the left) is 2^(18-i) mod 11. */
static const guint8 weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
static const char check_chars[11] = { '1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2' };

/* The check digit ('0'–'9' or 'X') of 17 digits, or '\0' when @first17 does
 * not start with 17 digits. */
char
tto_id_number_check_digit (const char *first17)
{
  guint sum = 0;

  g_return_val_if_fail (first17 != NULL, '\0');

  for (guint i = 0; i < 17; i++)
    {
      if (!g_ascii_isdigit (first17[i]))
        return '\0';
      sum += (guint) (first17[i] - '0') * weights[i];
    }

  return check_chars[sum % 11];
}

static guint
digits_value (const char *digits,
              guint count)
{
  guint value = 0;

  for (guint i = 0; i < count; i++)
    value = value * 10 + (guint) (digits[i] - '0');
  return value;
}

/* TRUE when @number is a well-formed 18-character number with a valid birth
 * date and check digit (a final lower-case x counts as X). The error message
 * names the problem, never the number. */
gboolean
tto_id_number_is_valid (const char *number,
                        GError **error)
{
  guint year, month, day;
  char expected;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (number == NULL || strlen (number) != TTO_ID_NUMBER_LENGTH)
    {
      g_set_error (error, TTO_ID_NUMBER_ERROR, TTO_ID_NUMBER_ERROR_LENGTH,
                   "An identity card number has 18 characters");
      return FALSE;
    }
  for (guint i = 0; i < 17; i++)
    if (!g_ascii_isdigit (number[i]))
      {
        g_set_error (error, TTO_ID_NUMBER_ERROR, TTO_ID_NUMBER_ERROR_CHARACTERS,
                     "Character %u of the identity card number is not a digit", i + 1);
        return FALSE;
      }
  if (!g_ascii_isdigit (number[17]) && number[17] != 'X' && number[17] != 'x')
    {
      g_set_error (error, TTO_ID_NUMBER_ERROR, TTO_ID_NUMBER_ERROR_CHARACTERS,
                   "The last character of the identity card number must be a digit or X");
      return FALSE;
    }

  year = digits_value (number + 6, 4);
  month = digits_value (number + 10, 2);
  day = digits_value (number + 12, 2);
  if (year < 1900 || month < 1 || month > 12 || day < 1 ||
      !g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    {
      g_set_error (error, TTO_ID_NUMBER_ERROR, TTO_ID_NUMBER_ERROR_BIRTH_DATE,
                   "Characters 7 to 14 of the identity card number are not a valid birth date");
      return FALSE;
    }

  expected = tto_id_number_check_digit (number);
  if (g_ascii_toupper (number[17]) != expected)
    {
      g_set_error (error, TTO_ID_NUMBER_ERROR, TTO_ID_NUMBER_ERROR_CHECK_DIGIT,
                   "The check digit of the identity card number does not match");
      return FALSE;
    }

  return TRUE;
}
