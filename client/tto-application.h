/* tto-application.h: the application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TTO_TYPE_APPLICATION (tto_application_get_type ())
G_DECLARE_FINAL_TYPE (TtoApplication, tto_application, TTO, APPLICATION, AdwApplication)

TtoApplication *tto_application_new (void);

G_END_DECLS
