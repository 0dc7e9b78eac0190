/* tto-cidr.h: IP networks in CIDR notation, for per-event allow-lists
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* At most this many networks in one event's ip_allow. */
#define TTO_CIDR_MAX_ENTRIES 32

#define TTO_CIDR_ERROR (tto_cidr_error_quark ())

typedef enum
{
  TTO_CIDR_ERROR_ADDRESS,   /* the part before '/' is no IPv4 or IPv6 address */
  TTO_CIDR_ERROR_PREFIX,    /* the prefix length is not 0–32 (IPv4) or 0–128 (IPv6) */
  TTO_CIDR_ERROR_HOST_BITS, /* bits set beyond the prefix, e.g. 10.1.2.3/8 */
  TTO_CIDR_ERROR_TOO_MANY,  /* more than TTO_CIDR_MAX_ENTRIES networks */
} TtoCidrError;

GQuark tto_cidr_error_quark (void);

GInetAddressMask *tto_cidr_parse (const char *text,
                                  GError **error);
char *tto_cidr_normalize (const char *text,
                          GError **error);
char *tto_cidr_network_of (const char *text);
gboolean tto_cidr_matches (GInetAddressMask *mask,
                           GInetAddress *address);

/* A parsed list; an empty one allows every address. */
typedef struct _TtoCidrList TtoCidrList;

TtoCidrList *tto_cidr_list_new (const char *const *entries,
                                GError **error);
void tto_cidr_list_free (TtoCidrList *list);
guint tto_cidr_list_get_length (TtoCidrList *list);
gboolean tto_cidr_list_allows (TtoCidrList *list,
                               GInetAddress *address);
GStrv tto_cidr_list_normalize (const char *const *entries,
                               GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TtoCidrList, tto_cidr_list_free)

G_END_DECLS
