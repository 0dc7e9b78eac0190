/* tto-lifetime-row.c: how long a new identity lives, chosen at sign-in
 *
 * "Only this session" (one-time), each timed lifetime the relay offers
 * (1 hour, 1 day, 7 days) and "Keep me signed in" (permanent). The
 * subtitle says what the choice means for the person's data.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "tto-identity.h"

#include "tto-lifetime-row.h"

typedef struct
{
  const char *lifetime;
  gint64 ttl;
} Choice;

struct _TtoLifetimeRow
{
  AdwComboRow parent_instance;

  GArray *choices; /* Choice, parallel to the model */
  gint64 *ttls;
  guint n_ttls;
  gboolean allow_one_time;
};

G_DEFINE_FINAL_TYPE (TtoLifetimeRow, tto_lifetime_row, ADW_TYPE_COMBO_ROW)

static const gint64 default_ttls[] = { 3600, 86400, 604800 };

static char *
ttl_label (gint64 ttl)
{
  if (ttl == 3600)
    return g_strdup (_("1 hour"));
  if (ttl == 86400)
    return g_strdup (_("1 day"));
  if (ttl % 86400 == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day", "%d days", ttl / 86400),
                            (int) (ttl / 86400));
  if (ttl % 3600 == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour", "%d hours", ttl / 3600),
                            (int) (ttl / 3600));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute", "%d minutes", ttl / 60),
                          (int) (ttl / 60));
}

static const Choice *
selected_choice (TtoLifetimeRow *self)
{
  guint selected = adw_combo_row_get_selected (ADW_COMBO_ROW (self));

  if (selected == GTK_INVALID_LIST_POSITION || selected >= self->choices->len)
    return NULL;
  return &g_array_index (self->choices, Choice, selected);
}

static void
update_subtitle (TtoLifetimeRow *self)
{
  const Choice *choice = selected_choice (self);
  const char *subtitle = NULL;

  if (choice == NULL)
    subtitle = NULL;
  else if (g_str_equal (choice->lifetime, TTO_IDENTITY_ONE_TIME))
    subtitle = _("Deleted soon after you close the app");
  else if (g_str_equal (choice->lifetime, TTO_IDENTITY_TIMED))
    subtitle = _("Deleted at the end unless you verify again; the app warns 5 minutes before");
  else
    subtitle = _("Kept in this device's keyring until you delete it");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);
}

static void
rebuild (TtoLifetimeRow *self)
{
  g_autoptr (GtkStringList) labels = gtk_string_list_new (NULL);
  const Choice *old = selected_choice (self);
  Choice keep = { NULL, 0 };
  guint select = 0;

  if (old != NULL)
    keep = *old;
  g_array_set_size (self->choices, 0);

  if (self->allow_one_time)
    {
      Choice choice = { TTO_IDENTITY_ONE_TIME, 0 };

      g_array_append_val (self->choices, choice);
      gtk_string_list_append (labels, _("Only this session"));
    }
  for (guint i = 0; i < self->n_ttls; i++)
    {
      Choice choice = { TTO_IDENTITY_TIMED, self->ttls[i] };
      g_autofree char *label = ttl_label (self->ttls[i]);

      g_array_append_val (self->choices, choice);
      gtk_string_list_append (labels, label);
    }
  {
    Choice choice = { TTO_IDENTITY_PERMANENT, 0 };

    g_array_append_val (self->choices, choice);
    gtk_string_list_append (labels, _("Keep me signed in"));
  }

  for (guint i = 0; keep.lifetime != NULL && i < self->choices->len; i++)
    {
      Choice *choice = &g_array_index (self->choices, Choice, i);

      if (g_str_equal (choice->lifetime, keep.lifetime) && choice->ttl == keep.ttl)
        select = i;
    }
  adw_combo_row_set_model (ADW_COMBO_ROW (self), G_LIST_MODEL (labels));
  adw_combo_row_set_selected (ADW_COMBO_ROW (self), select);
  update_subtitle (self);
}

static void
tto_lifetime_row_finalize (GObject *object)
{
  TtoLifetimeRow *self = (TtoLifetimeRow *) object;

  g_array_unref (self->choices);
  g_free (self->ttls);

  G_OBJECT_CLASS (tto_lifetime_row_parent_class)->finalize (object);
}

static void
tto_lifetime_row_class_init (TtoLifetimeRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tto_lifetime_row_finalize;
}

static void
tto_lifetime_row_init (TtoLifetimeRow *self)
{
  self->choices = g_array_new (FALSE, FALSE, sizeof (Choice));
  self->ttls = g_memdup2 (default_ttls, sizeof default_ttls);
  self->n_ttls = G_N_ELEMENTS (default_ttls);
  self->allow_one_time = TRUE;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), _("Keep This Identity"));
  g_signal_connect_swapped (self, "notify::selected", G_CALLBACK (update_subtitle), self);
  rebuild (self);
}

/* The timed lifetimes the relay offers (identity.methods "ttls"). */
void
tto_lifetime_row_set_ttls (TtoLifetimeRow *self,
                           JsonArray *ttls)
{
  g_return_if_fail (TTO_IS_LIFETIME_ROW (self));

  g_clear_pointer (&self->ttls, g_free);
  self->n_ttls = 0;
  if (ttls != NULL)
    {
      self->ttls = g_new0 (gint64, json_array_get_length (ttls));
      for (guint i = 0; i < json_array_get_length (ttls); i++)
        {
          gint64 ttl = json_array_get_int_element (ttls, i);

          if (ttl > 0)
            self->ttls[self->n_ttls++] = ttl;
        }
    }
  rebuild (self);
}

/* Email registration creates an account: one-time is not offered there. */
void
tto_lifetime_row_set_allow_one_time (TtoLifetimeRow *self,
                                     gboolean allow)
{
  g_return_if_fail (TTO_IS_LIFETIME_ROW (self));

  if (self->allow_one_time == allow)
    return;
  self->allow_one_time = allow;
  rebuild (self);
}

const char *
tto_lifetime_row_get_lifetime (TtoLifetimeRow *self)
{
  const Choice *choice;

  g_return_val_if_fail (TTO_IS_LIFETIME_ROW (self), NULL);

  choice = selected_choice (self);
  return choice != NULL ? choice->lifetime : TTO_IDENTITY_ONE_TIME;
}

/* Seconds for a timed lifetime, else 0. */
gint64
tto_lifetime_row_get_ttl (TtoLifetimeRow *self)
{
  const Choice *choice;

  g_return_val_if_fail (TTO_IS_LIFETIME_ROW (self), 0);

  choice = selected_choice (self);
  return choice != NULL ? choice->ttl : 0;
}

/* Selects @lifetime (with @ttl when timed); FALSE when not offered. */
gboolean
tto_lifetime_row_select (TtoLifetimeRow *self,
                         const char *lifetime,
                         gint64 ttl)
{
  g_return_val_if_fail (TTO_IS_LIFETIME_ROW (self), FALSE);
  g_return_val_if_fail (lifetime != NULL, FALSE);

  for (guint i = 0; i < self->choices->len; i++)
    {
      Choice *choice = &g_array_index (self->choices, Choice, i);

      if (g_str_equal (choice->lifetime, lifetime) &&
          (!g_str_equal (lifetime, TTO_IDENTITY_TIMED) || choice->ttl == ttl))
        {
          adw_combo_row_set_selected (ADW_COMBO_ROW (self), i);
          return TRUE;
        }
    }
  return FALSE;
}

/* Sets "lifetime" (and "ttl") of a sign-in request. */
void
tto_lifetime_row_apply (TtoLifetimeRow *self,
                        JsonObject *body)
{
  g_return_if_fail (TTO_IS_LIFETIME_ROW (self));
  g_return_if_fail (body != NULL);

  json_object_set_string_member (body, "lifetime", tto_lifetime_row_get_lifetime (self));
  if (tto_lifetime_row_get_ttl (self) > 0)
    json_object_set_int_member (body, "ttl", tto_lifetime_row_get_ttl (self));
}
