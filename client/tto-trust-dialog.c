/* tto-trust-dialog.c: asks before trusting a relay's certificate, warns
 * when it changed
 *
 * Two faces. A certificate no authority vouches for and nothing pinned:
 * the host and the certificate's SHA-256 fingerprint, to compare with the
 * one the relay's operator gave, and "Trust and Connect" (pins it) or
 * "Cancel" (the default, so Enter never trusts). A certificate other than
 * the pinned one: a warning with both fingerprints and no way to connect
 * from here. Forgetting the old certificate takes a second, explicit
 * confirmation, and even then nothing is trusted: the next connection
 * shows the new fingerprint and asks as on first use. A person who is
 * being intercepted thus has to say yes three times to a stranger's
 * certificate, and each screen says why not to.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-trust-dialog.h"

/* Pairs per line: 4 lines of 8 fit a phone and read aloud in groups. */
#define PAIRS_PER_LINE 8

struct _TtoTrustDialog
{
  AdwMessageDialog parent_instance;

  GtkLabel *host_label;
  GtkLabel *fingerprint_title;
  GtkLabel *fingerprint_label;
  GtkWidget *pinned_box;
  GtkLabel *pinned_label;

  TtoCertPins *pins;
  char *host_port;
  char *fingerprint;
  char *pinned_fingerprint;
};

G_DEFINE_FINAL_TYPE (TtoTrustDialog, tto_trust_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum
{
  TRUSTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* "AB:CD:…" in lines of PAIRS_PER_LINE pairs. */
static char *
format_lines (const char *fingerprint)
{
  g_autofree char *flat = tto_cert_pins_format_fingerprint (fingerprint);
  GString *text = g_string_new (NULL);
  guint pair = 0;

  for (const char *p = flat; *p != '\0'; p++)
    {
      if (*p != ':')
        {
          g_string_append_c (text, *p);
          continue;
        }
      pair++;
      g_string_append_c (text, pair % PAIRS_PER_LINE == 0 ? '\n' : ':');
    }

  return g_string_free (text, FALSE);
}

typedef struct
{
  TtoCertPins *pins;
  char *host_port;
} ForgetData;

static void
forget_data_free (gpointer user_data,
                  GClosure *closure)
{
  ForgetData *data = user_data;

  g_object_unref (data->pins);
  g_free (data->host_port);
  g_free (data);
}

static void
show_failure (GtkWindow *parent,
              const char *heading,
              const GError *error)
{
  GtkWidget *dialog = adw_message_dialog_new (parent, heading, error->message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_confirm_forget_response (AdwMessageDialog *dialog,
                            const char *response,
                            ForgetData *data)
{
  g_autoptr (GError) error = NULL;

  if (g_strcmp0 (response, "forget") != 0)
    return;

  /* A connection waiting on this relay tries again and asks anew. */
  if (!tto_cert_pins_forget (data->pins, data->host_port, &error))
    show_failure (gtk_window_get_transient_for (GTK_WINDOW (dialog)),
                  _("The old certificate could not be forgotten"), error);
}

/* The second step: said plainly, defaulting to no. */
static void
confirm_forget (TtoTrustDialog *self)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  g_autofree char *host = tto_cert_pins_display_host (self->host_port);
  ForgetData *data = g_new0 (ForgetData, 1);
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent,
                                                       _("Forget the Old Certificate?"),
                                                       NULL));
  adw_message_dialog_format_body (
    dialog,
    _("Do this only if the operator of %s told you the certificate was replaced. "
      "Next time, you will be shown the new certificate’s fingerprint and asked whether "
      "to trust it: compare it with the one the operator gave you."),
    host);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "forget", _("_Forget"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "forget", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");

  data->pins = g_object_ref (self->pins);
  data->host_port = g_strdup (self->host_port);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_confirm_forget_response), data,
                         forget_data_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
tto_trust_dialog_response (AdwMessageDialog *dialog,
                           const char *response)
{
  TtoTrustDialog *self = TTO_TRUST_DIALOG (dialog);

  if (ADW_MESSAGE_DIALOG_CLASS (tto_trust_dialog_parent_class)->response != NULL)
    ADW_MESSAGE_DIALOG_CLASS (tto_trust_dialog_parent_class)->response (dialog, response);

  if (g_strcmp0 (response, "trust") == 0)
    {
      g_autoptr (GError) error = NULL;

      if (tto_cert_pins_pin (self->pins, self->host_port, self->fingerprint, &error))
        g_signal_emit (self, signals[TRUSTED], 0, self->host_port);
      else
        show_failure (gtk_window_get_transient_for (GTK_WINDOW (self)),
                      _("The certificate could not be trusted"), error);
    }
  else if (g_strcmp0 (response, "forget") == 0)
    confirm_forget (self);
}

static void
tto_trust_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), TTO_TYPE_TRUST_DIALOG);

  G_OBJECT_CLASS (tto_trust_dialog_parent_class)->dispose (object);
}

static void
tto_trust_dialog_finalize (GObject *object)
{
  TtoTrustDialog *self = (TtoTrustDialog *) object;

  g_clear_object (&self->pins);
  g_free (self->host_port);
  g_free (self->fingerprint);
  g_free (self->pinned_fingerprint);

  G_OBJECT_CLASS (tto_trust_dialog_parent_class)->finalize (object);
}

static void
tto_trust_dialog_class_init (TtoTrustDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  AdwMessageDialogClass *dialog_class = ADW_MESSAGE_DIALOG_CLASS (klass);

  object_class->dispose = tto_trust_dialog_dispose;
  object_class->finalize = tto_trust_dialog_finalize;
  dialog_class->response = tto_trust_dialog_response;

  /* host:port, once its certificate is pinned. */
  signals[TRUSTED] = g_signal_new ("trusted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/threetwoone/Tto/ui/tto-trust-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TtoTrustDialog, host_label);
  gtk_widget_class_bind_template_child (widget_class, TtoTrustDialog, fingerprint_title);
  gtk_widget_class_bind_template_child (widget_class, TtoTrustDialog, fingerprint_label);
  gtk_widget_class_bind_template_child (widget_class, TtoTrustDialog, pinned_box);
  gtk_widget_class_bind_template_child (widget_class, TtoTrustDialog, pinned_label);
}

static void
tto_trust_dialog_init (TtoTrustDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* @pinned_fingerprint: NULL to ask for trust on first use; else the pinned
 * one @fingerprint differs from, to warn. Fingerprints are SHA-256 as 64
 * lowercase hex digits (tto_cert_pins_fingerprint()). */
TtoTrustDialog *
tto_trust_dialog_new (GtkWindow *parent,
                      TtoCertPins *pins,
                      const char *host_port,
                      const char *fingerprint,
                      const char *pinned_fingerprint)
{
  TtoTrustDialog *self;
  AdwMessageDialog *dialog;
  g_autofree char *host = NULL;
  g_autofree char *shown = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (TTO_IS_CERT_PINS (pins), NULL);
  g_return_val_if_fail (host_port != NULL && fingerprint != NULL, NULL);

  self = g_object_new (TTO_TYPE_TRUST_DIALOG, "transient-for", parent, NULL);
  dialog = ADW_MESSAGE_DIALOG (self);
  self->pins = g_object_ref (pins);
  self->host_port = g_strdup (host_port);
  self->fingerprint = g_strdup (fingerprint);
  self->pinned_fingerprint = g_strdup (pinned_fingerprint);

  host = tto_cert_pins_display_host (host_port);
  shown = format_lines (fingerprint);
  gtk_label_set_text (self->host_label, host);
  gtk_label_set_text (self->fingerprint_label, shown);

  if (pinned_fingerprint == NULL)
    {
      adw_message_dialog_set_heading (dialog, _("Trust This Relay?"));
      adw_message_dialog_format_body (
        dialog,
        _("No certificate authority vouches for the relay at %s. If it is your own relay, or "
          "its operator gave you a fingerprint, compare it with the one below. Trust it only if "
          "they match: after that, ThreeTwoOne connects here only while the relay keeps this "
          "certificate."),
        host);
      adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "trust",
                                        _("_Trust and Connect"), NULL);
      adw_message_dialog_set_response_appearance (dialog, "trust", ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (dialog, "cancel");
      adw_message_dialog_set_close_response (dialog, "cancel");
    }
  else
    {
      g_autofree char *pinned = format_lines (pinned_fingerprint);

      adw_message_dialog_set_heading (dialog, _("The Relay’s Certificate Changed"));
      adw_message_dialog_format_body (
        dialog,
        _("The relay at %s shows a different certificate from the one you trusted, so "
          "ThreeTwoOne did not connect. Someone may be intercepting the connection, or the "
          "operator replaced the certificate. Ask the operator before doing anything else."),
        host);
      gtk_label_set_text (self->fingerprint_title, _("New certificate (SHA-256)"));
      gtk_label_set_text (self->pinned_label, pinned);
      gtk_widget_set_visible (self->pinned_box, TRUE);
      adw_message_dialog_add_responses (dialog, "forget", _("_Forget the Old Certificate…"),
                                        "close", _("_Close"), NULL);
      adw_message_dialog_set_response_appearance (dialog, "forget", ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_default_response (dialog, "close");
      adw_message_dialog_set_close_response (dialog, "close");
    }

  return self;
}

const char *
tto_trust_dialog_get_host_port (TtoTrustDialog *self)
{
  g_return_val_if_fail (TTO_IS_TRUST_DIALOG (self), NULL);

  return self->host_port;
}

/* TRUE for the warning about a changed certificate. */
gboolean
tto_trust_dialog_get_changed (TtoTrustDialog *self)
{
  g_return_val_if_fail (TTO_IS_TRUST_DIALOG (self), FALSE);

  return self->pinned_fingerprint != NULL;
}
