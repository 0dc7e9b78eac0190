/* tto-invite-card.h: the invitation to an event, as code, link and QR code
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tto-qr-code.h"
#include "tto-session.h"

G_BEGIN_DECLS

#define TTO_TYPE_INVITE_CARD (tto_invite_card_get_type ())
G_DECLARE_FINAL_TYPE (TtoInviteCard, tto_invite_card, TTO, INVITE_CARD, AdwBin)

TtoInviteCard *tto_invite_card_new (void);
void tto_invite_card_set_event (TtoInviteCard *self,
                                TtoSession *session,
                                TtoEvent *event);
TtoQrCode *tto_invite_card_get_qr_code (TtoInviteCard *self);
char *tto_invite_card_dup_link (TtoInviteCard *self);
char *tto_invite_card_dup_share_uri (TtoInviteCard *self);
void tto_invite_card_rotate (TtoInviteCard *self,
                             gint64 expires_in_seconds);

G_END_DECLS
