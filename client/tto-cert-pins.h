/* tto-cert-pins.h: relay certificates the person chose to trust
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TTO_TYPE_CERT_PINS (tto_cert_pins_get_type ())
G_DECLARE_FINAL_TYPE (TtoCertPins, tto_cert_pins, TTO, CERT_PINS, GObject)

TtoCertPins *tto_cert_pins_new (const char *path);
TtoCertPins *tto_cert_pins_get_default (void);
const char *tto_cert_pins_get_path (TtoCertPins *self);

char *tto_cert_pins_lookup (TtoCertPins *self,
                            const char *host_port);
gboolean tto_cert_pins_pin (TtoCertPins *self,
                            const char *host_port,
                            const char *fingerprint,
                            GError **error);
gboolean tto_cert_pins_forget (TtoCertPins *self,
                               const char *host_port,
                               GError **error);
void tto_cert_pins_report_rejected (TtoCertPins *self,
                                    const char *host_port,
                                    const char *fingerprint,
                                    const char *pinned_fingerprint);

char *tto_cert_pins_fingerprint (GTlsCertificate *certificate);
char *tto_cert_pins_format_fingerprint (const char *fingerprint);
char *tto_cert_pins_host_port (GUri *uri);
char *tto_cert_pins_display_host (const char *host_port);

G_END_DECLS
