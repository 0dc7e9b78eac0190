/* tto-admission.c: admission and join-rule controls shared by the create
 * page and the event info window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-shared.h"

#include "tto-admission.h"

/* The combo row's order: the app proposes review, so it comes first. */
static const char *const admissions[] = { TTO_ADMISSION_REVIEW, TTO_ADMISSION_OPEN,
                                          TTO_ADMISSION_CLOSED };

const char *
tto_admission_describe (const char *admission)
{
  if (g_strcmp0 (admission, TTO_ADMISSION_OPEN) == 0)
    return _("Anyone with the invite code");
  if (g_strcmp0 (admission, TTO_ADMISSION_CLOSED) == 0)
    return _("Nobody new");
  return _("Requests you approve");
}

void
tto_admission_setup_row (AdwComboRow *row,
                         const char *admission)
{
  g_return_if_fail (ADW_IS_COMBO_ROW (row));

  if (adw_combo_row_get_model (row) == NULL)
    {
      g_autoptr (GtkStringList) list = gtk_string_list_new (NULL);

      for (guint i = 0; i < G_N_ELEMENTS (admissions); i++)
        gtk_string_list_append (list, tto_admission_describe (admissions[i]));
      adw_combo_row_set_model (row, G_LIST_MODEL (list));
    }
  for (guint i = 0; i < G_N_ELEMENTS (admissions); i++)
    if (g_strcmp0 (admission, admissions[i]) == 0)
      adw_combo_row_set_selected (row, i);
}

const char *
tto_admission_get_row (AdwComboRow *row)
{
  guint selected;

  g_return_val_if_fail (ADW_IS_COMBO_ROW (row), TTO_ADMISSION_REVIEW);

  selected = adw_combo_row_get_selected (row);
  return selected < G_N_ELEMENTS (admissions) ? admissions[selected] : TTO_ADMISSION_REVIEW;
}

/* The name of a communication form, as the info window's switches show it. */
const char *
tto_form_get_title (const char *form)
{
  if (g_strcmp0 (form, TTO_FORM_TEXT) == 0)
    return _("Text");
  if (g_strcmp0 (form, TTO_FORM_FILE) == 0)
    return _("Pictures and Files");
  if (g_strcmp0 (form, TTO_FORM_VOICE_MESSAGE) == 0)
    return _("Voice Messages");
  if (g_strcmp0 (form, TTO_FORM_VIDEO_MESSAGE) == 0)
    return _("Video Messages");
  if (g_strcmp0 (form, TTO_FORM_VOICE_CALL) == 0)
    return _("Voice Calls");
  if (g_strcmp0 (form, TTO_FORM_VIDEO_CALL) == 0)
    return _("Video Calls");
  if (g_strcmp0 (form, TTO_FORM_OFFLINE_MEETING) == 0)
    return _("Offline Meetings");
  return form;
}
