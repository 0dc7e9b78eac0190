/* test-governance-ui.c: the creator's control in the client
 *
 * Invite links (tto://join/…) built and parsed, bad ones refused; the
 * invite QR code rendered to a PNG and read back by zbar; a QR code in a
 * photo-like picture (rotated, scaled, on a noisy background) read from
 * the file; and, against a real relay and MariaDB: join under review with
 * a reason and the "waiting for approval" entry, asking for more, the
 * review window approving two of three applicants in one action, removing
 * a member (whose harness client receives event.removed). Screenshots of
 * the invite card, the review queue and the home page at 360×720 and
 * 1280×800 go to $G_TEST_BUILDDIR/screenshots/.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include <adwaita.h>

#include "tto-client.h"
#include "tto-event-info-window.h"
#include "tto-history-entry.h"
#include "tto-home-page.h"
#include "tto-invite-uri.h"
#include "tto-join-dialog.h"
#include "tto-qr-code.h"
#include "tto-qr-decode.h"
#include "tto-review-window.h"
#include "tto-test-gui.h"
#include "tto-test-harness.h"
#include "tto-window.h"

#define EVENT_ID "k3v9q2m8x4t7c1ab"
#define RELAY "ws://127.0.0.1:8321/v1/ws"

/* Links */

static void
test_uri (void)
{
  g_autofree char *uri = NULL;
  g_autoptr (TtoInvite) invite = NULL;
  g_autoptr (GError) error = NULL;
  static const char *const bad[] = {
    "https://example.org/join/" EVENT_ID "?code=7KQ4MZ2P",
    "hello",
    "",
    "tto://join/",
    "tto://join/" EVENT_ID,
    "tto://join/" EVENT_ID "?code=",
    "tto://join/" EVENT_ID "?code=7KQ4MZ2", /* 7 symbols */
    "tto://join/" EVENT_ID "?code=0KQ4MZ2P", /* 0 is not in the alphabet */
    "tto://join/K3V9Q2M8X4T7C1A?code=7KQ4MZ2P", /* 15 symbols */
    "tto://join/k3v9q2m8x4t7c1ai?code=7KQ4MZ2P", /* 'i' is not Crockford */
    "tto://leave/" EVENT_ID "?code=7KQ4MZ2P",
    "tto://join/" EVENT_ID "?code=7KQ4MZ2P&relay=http%3A%2F%2Fexample.org",
    "tto://join/" EVENT_ID "?code=7KQ4MZ2P&relay=ws%3A%2F%2F",
    "tto:join",
  };

  uri = tto_invite_uri_build (EVENT_ID, "7kq4-mz2p", RELAY);
  g_assert_cmpstr (uri, ==,
                   "tto://join/" EVENT_ID "?code=7KQ4MZ2P&relay=ws%3A%2F%2F127.0.0.1%3A8321%2Fv1%2Fws");
  invite = tto_invite_uri_parse (uri, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (invite->event_id, ==, EVENT_ID);
  g_assert_cmpstr (invite->code, ==, "7KQ4MZ2P");
  g_assert_cmpstr (invite->relay_url, ==, RELAY);
  g_clear_pointer (&invite, tto_invite_free);

  /* Relay addresses with queries and odd characters survive. */
  g_free (uri);
  uri = tto_invite_uri_build (EVENT_ID, "7KQ4MZ2P", "wss://relay.example.org:8443/v1/ws?a=b&c=d");
  invite = tto_invite_uri_parse (uri, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (invite->relay_url, ==, "wss://relay.example.org:8443/v1/ws?a=b&c=d");
  g_clear_pointer (&invite, tto_invite_free);

  /* Without a relay; a lower-case code with a dash; surrounding space. */
  invite = tto_invite_uri_parse ("  TTO://join/" EVENT_ID "?code=7kq4-mz2p\n", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (invite->code, ==, "7KQ4MZ2P");
  g_assert_null (invite->relay_url);
  g_clear_pointer (&invite, tto_invite_free);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      invite = tto_invite_uri_parse (bad[i], &error);
      if (invite != NULL)
        g_error ("accepted a bad link: %s", bad[i]);
      g_assert_true (error->domain == TTO_INVITE_URI_ERROR);
      if (!g_str_has_prefix (bad[i], "tto:") && !g_str_has_prefix (bad[i], "TTO:"))
        g_assert_true (g_error_matches (error, TTO_INVITE_URI_ERROR,
                                        TTO_INVITE_URI_ERROR_NOT_TTO));
      g_clear_error (&error);
    }
  {
    g_autofree char *huge = g_strnfill (4000, 'a');
    g_autofree char *long_uri = g_strconcat ("tto://join/" EVENT_ID "?code=7KQ4MZ2P&x=", huge,
                                             NULL);

    g_assert_null (tto_invite_uri_parse (long_uri, &error));
    g_assert_error (error, TTO_INVITE_URI_ERROR, TTO_INVITE_URI_ERROR_MALFORMED);
    g_clear_error (&error);
  }

  g_assert_null (tto_invite_uri_build ("short", "7KQ4MZ2P", RELAY));
  g_assert_null (tto_invite_uri_build (EVENT_ID, "nope", RELAY));
  g_assert_null (tto_invite_uri_build (EVENT_ID, "7KQ4MZ2P", "http://example.org"));

  g_assert_true (tto_invite_uri_same_relay ("ws://127.0.0.1:8321/v1/ws", "WS://127.0.0.1:8321/v1/ws"));
  g_assert_true (tto_invite_uri_same_relay ("wss://r.example.org/v1/ws",
                                            "wss://R.example.org:443/v1/ws"));
  g_assert_false (tto_invite_uri_same_relay ("ws://127.0.0.1:8321/v1/ws",
                                             "ws://127.0.0.1:8322/v1/ws"));
  g_assert_false (tto_invite_uri_same_relay ("ws://a/v1/ws", NULL));
}

/* QR codes */

static char *
build_path (const char *name)
{
  g_autofree char *dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR")
                                             ? g_getenv ("G_TEST_BUILDDIR")
                                             : ".",
                                           "governance", NULL);

  g_mkdir_with_parents (dir, 0755);
  return g_build_filename (dir, name, NULL);
}

static void
test_qr_round_trip (void)
{
  g_autofree char *uri = tto_invite_uri_build (EVENT_ID, "7KQ4MZ2P", RELAY);
  g_autofree char *path = build_path ("invite-qr.png");
  g_autoptr (TtoQrCode) code = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkPixbuf) pixbuf = NULL;
  g_autofree char *text = NULL;

  code = tto_qr_code_new (uri, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tto_qr_code_get_modules (code), >=, 21);
  g_assert_true (tto_qr_code_save_png (code, path, 10, &error));
  g_assert_no_error (error);

  pixbuf = gdk_pixbuf_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==,
                   (int) (tto_qr_code_get_modules (code) + 2 * TTO_QR_CODE_QUIET_ZONE) * 10);
  text = tto_qr_decode_pixbuf (pixbuf, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, uri);

  /* The paintable is square and keeps its quiet zone at any size. */
  g_assert_cmpfloat (gdk_paintable_get_intrinsic_aspect_ratio (GDK_PAINTABLE (code)), ==, 1.0);
}

static void
on_decoded (GObject *object,
            GAsyncResult *result,
            gpointer user_data)
{
  char **out = user_data;
  g_autoptr (GError) error = NULL;

  *out = tto_qr_decode_file_finish (result, &error);
  if (*out == NULL)
    *out = g_strdup_printf ("error: %s", error->message);
}

/* A phone photo of a printed invitation: the code at ~15°, smaller, on a
 * noisy grey-brown background with uneven light. */
static char *
make_photo (TtoQrCode *code)
{
  g_autoptr (GdkTexture) texture = tto_qr_code_to_texture (code, 6);
  g_autofree char *qr_path = build_path ("photo-qr.png");
  g_autofree char *path = build_path ("photo.jpg");
  g_autoptr (GdkPixbuf) qr = NULL;
  g_autoptr (GdkPixbuf) photo = NULL;
  g_autoptr (GError) error = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;
  GRand *rand = g_rand_new_with_seed (321);
  int width = 1024, height = 768;
  guint8 *data;
  int stride;

  g_assert_true (gdk_texture_save_to_png (texture, qr_path));
  qr = gdk_pixbuf_new_from_file (qr_path, &error);
  g_assert_no_error (error);

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cr = cairo_create (surface);
  /* Uneven light from the top left. */
  {
    cairo_pattern_t *light = cairo_pattern_create_linear (0, 0, width, height);

    cairo_pattern_add_color_stop_rgb (light, 0, 0.78, 0.72, 0.62);
    cairo_pattern_add_color_stop_rgb (light, 1, 0.45, 0.40, 0.33);
    cairo_set_source (cr, light);
    cairo_paint (cr);
    cairo_pattern_destroy (light);
  }
  /* Clutter: random blotches. */
  for (int i = 0; i < 60; i++)
    {
      cairo_set_source_rgba (cr, g_rand_double (rand), g_rand_double (rand),
                             g_rand_double (rand), 0.25);
      cairo_arc (cr, g_rand_int_range (rand, 0, width), g_rand_int_range (rand, 0, height),
                 g_rand_int_range (rand, 5, 60), 0, 2 * G_PI);
      cairo_fill (cr);
    }
  /* The printed code: rotated, scaled to ~70 %, off centre. */
  cairo_save (cr);
  cairo_translate (cr, width * 0.55, height * 0.5);
  cairo_rotate (cr, 15 * G_PI / 180);
  cairo_scale (cr, 0.7, 0.7);
  cairo_translate (cr, -gdk_pixbuf_get_width (qr) / 2.0, -gdk_pixbuf_get_height (qr) / 2.0);
  gdk_cairo_set_source_pixbuf (cr, qr, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_BILINEAR);
  cairo_paint (cr);
  cairo_restore (cr);
  cairo_destroy (cr);

  /* Sensor noise over everything. */
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      for (int c = 0; c < 3; c++)
        {
          guint8 *p = data + y * stride + x * 4 + c;
          int v = *p + g_rand_int_range (rand, -28, 29);

          *p = (guint8) CLAMP (v, 0, 255);
        }
  cairo_surface_mark_dirty (surface);

  photo = gdk_pixbuf_get_from_surface (surface, 0, 0, width, height);
  cairo_surface_destroy (surface);
  g_rand_free (rand);
  g_assert_true (gdk_pixbuf_save (photo, path, "jpeg", &error, "quality", "85", NULL));
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static void
test_scan_photo (void)
{
  g_autofree char *uri = tto_invite_uri_build (EVENT_ID, "7KQ4MZ2P", RELAY);
  g_autoptr (TtoQrCode) code = tto_qr_code_new (uri, NULL);
  g_autofree char *path = make_photo (code);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autofree char *text = NULL;
  g_autoptr (GFile) not_image = NULL;
  g_autofree char *not_image_path = build_path ("not-a-picture.png");

  tto_qr_decode_file_async (file, NULL, on_decoded, &text);
  WAIT_FOR (text != NULL);
  g_assert_cmpstr (text, ==, uri);

  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_set_contents (not_image_path, "not a picture", -1, NULL));
  not_image = g_file_new_for_path (not_image_path);
  tto_qr_decode_file_async (not_image, NULL, on_decoded, &text);
  WAIT_FOR (text != NULL);
  g_assert_true (g_str_has_prefix (text, "error: "));
}

/* Against the relay */

static TtoTestClient *
person (TtoTestRelay *relay,
        const char *name)
{
  TtoTestClient *c = tto_test_client_connect (relay);

  tto_test_client_create_identity (c, name);
  return c;
}

static void
apply (TtoTestClient *c,
       const char *code,
       const char *reason)
{
  g_autoptr (TtoFrame) answer = tto_test_client_request_ok (
    c, TTO_FRAME_EVENT_JOIN,
    tto_test_json_object ("{\"invite_code\":\"%s\",\"reason\":\"%s\"}", code, reason));

  g_assert_true (json_object_has_member (answer->body, "application"));
}

static TtoJoinRequest *
queue_item (GListModel *queue,
            const char *name)
{
  for (guint i = 0; i < g_list_model_get_n_items (queue); i++)
    {
      g_autoptr (TtoJoinRequest) request = g_list_model_get_item (queue, i);

      if (g_strcmp0 (tto_join_request_get_display_name (request), name) == 0)
        return request;
    }
  return NULL;
}

static guint
queue_position (GListModel *queue,
                const char *name)
{
  for (guint i = 0; i < g_list_model_get_n_items (queue); i++)
    {
      g_autoptr (TtoJoinRequest) request = g_list_model_get_item (queue, i);

      if (g_strcmp0 (tto_join_request_get_display_name (request), name) == 0)
        return i;
    }
  g_assert_not_reached ();
}

static void
test_review_flow (void)
{
  TtoTestRelay *relay;
  TtoWindow *ana_window;
  TtoWindow *eve_window;
  TtoSession *ana;
  TtoSession *eve;
  TtoCreatePage *page;
  TtoEvent *event;
  TtoEventInfoWindow *info;
  TtoReviewWindow *review;
  TtoJoinDialog *dialog;
  TtoTestClient *bo, *cy, *di;
  GListModel *queue;
  g_autofree char *code = NULL;

  relay = tto_test_relay_start (60);
  if (relay == NULL)
    return; /* skipped: no relay or MariaDB */

  /* Ana creates an event; review is what the app proposes. */
  ana_window = tto_test_gui_new_window ();
  tto_test_gui_sign_in (ana_window, tto_test_relay_get_ws_url (relay), "Ana");
  ana = tto_window_get_session (ana_window);
  page = tto_window_get_create_page (ana_window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (ana_window), "win.create-event", NULL));
  tto_create_page_fill (page, "Wedding helpers", "Who does what on Saturday", NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "create.submit", NULL));
  WAIT_FOR (tto_create_page_get_created_event (page) != NULL ||
            tto_create_page_get_error (page) != NULL);
  g_assert_null (tto_create_page_get_error (page));
  event = tto_create_page_get_created_event (page);
  g_assert_cmpstr (tto_event_get_admission (event), ==, "review");
  code = g_strdup (tto_event_get_invite_code (event));

  /* The done state's invite card: its QR code is the event's link. */
  {
    TtoInviteCard *card = tto_create_page_get_invite_card (page);
    g_autofree char *link = tto_invite_card_dup_link (card);
    g_autoptr (TtoInvite) invite = tto_invite_uri_parse (link, NULL);
    g_autofree char *path = build_path ("card-qr.png");
    g_autoptr (GdkPixbuf) pixbuf = NULL;
    g_autofree char *read = NULL;

    g_assert_nonnull (invite);
    g_assert_cmpstr (invite->event_id, ==, tto_event_get_id (event));
    g_assert_cmpstr (invite->code, ==, code);
    g_assert_cmpstr (invite->relay_url, ==, tto_test_relay_get_ws_url (relay));
    g_assert_true (tto_qr_code_save_png (tto_invite_card_get_qr_code (card), path, 8, NULL));
    pixbuf = gdk_pixbuf_new_from_file (path, NULL);
    read = tto_qr_decode_pixbuf (pixbuf, NULL);
    g_assert_cmpstr (read, ==, link);

    /* Shared by mail: the link and the code, escaped into a mailto: URI. */
    {
      g_autofree char *share = tto_invite_card_dup_share_uri (card);
      g_autofree char *escaped_link = g_uri_escape_string (link, NULL, FALSE);
      g_autoptr (GUri) uri = g_uri_parse (share, G_URI_FLAGS_ENCODED_QUERY, NULL);
      g_autoptr (GHashTable) params = NULL;
      const char *body;

      g_assert_nonnull (uri);
      g_assert_cmpstr (g_uri_get_scheme (uri), ==, "mailto");
      g_assert_nonnull (strstr (share, escaped_link));
      params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
      g_assert_nonnull (params);
      g_assert_nonnull (strstr (g_hash_table_lookup (params, "subject"), "Wedding helpers"));
      body = g_hash_table_lookup (params, "body");
      g_assert_nonnull (strstr (body, link));
      g_assert_nonnull (strstr (body, code));
    }
    tto_test_gui_screenshots (GTK_WINDOW (ana_window), "invite-created");
  }

  /* Eve applies through the join dialog with a reason. */
  eve_window = tto_test_gui_new_window ();
  tto_test_gui_sign_in (eve_window, tto_test_relay_get_ws_url (relay), "Eve");
  eve = tto_window_get_session (eve_window);
  dialog = tto_join_dialog_new (GTK_WINDOW (eve_window), eve);
  gtk_window_present (GTK_WINDOW (dialog));
  /* A QR code that is not an invitation says so. */
  g_assert_false (tto_join_dialog_open_invite (dialog, "https://example.org/menu"));
  g_assert_cmpstr (tto_scan_view_get_status (tto_join_dialog_get_scan_view (dialog)), ==,
                   _("This QR code is not a ThreeTwoOne invitation."));
  /* An invitation to another relay says so too. */
  {
    g_autofree char *other = tto_invite_uri_build (tto_event_get_id (event), code,
                                                   "wss://relay.example.org/v1/ws");

    g_assert_false (tto_join_dialog_open_invite (dialog, other));
    g_assert_nonnull (strstr (tto_join_dialog_get_error (dialog), "relay.example.org"));
  }
  tto_join_dialog_set_reason (dialog, "I bake the cake");
  {
    g_autofree char *link = tto_invite_uri_build (tto_event_get_id (event), code,
                                                  tto_test_relay_get_ws_url (relay));

    g_assert_true (tto_join_dialog_open_invite (dialog, link));
  }
  WAIT_FOR (g_strcmp0 (tto_join_dialog_get_mode (dialog), "waiting") == 0);
  g_assert_cmpuint (g_list_model_get_n_items (tto_session_get_applications (eve)), ==, 1);
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* Three more applicants. */
  bo = person (relay, "Bo");
  cy = person (relay, "Cy");
  di = person (relay, "Di");
  apply (bo, code, "I play the violin at the ceremony");
  apply (cy, code, "Photographer; I was at the rehearsal too");
  apply (di, code, "Just curious");

  /* Ana's info window counts the requests; the review window lists them. */
  info = tto_event_info_window_new (GTK_WINDOW (ana_window), ana, event);
  tto_test_gui_present (GTK_WINDOW (info));
  queue = tto_session_get_review_queue (ana, event);
  WAIT_FOR (g_list_model_get_n_items (queue) == 4);
  tto_test_gui_screenshots (GTK_WINDOW (info), "invite-info");

  /* Asking Eve for more reaches her home page; her reply is pending again. */
  review = tto_review_window_new (GTK_WINDOW (info), ana, event);
  tto_test_gui_present (GTK_WINDOW (review));
  gtk_selection_model_select_item (tto_review_window_get_selection (review),
                                   queue_position (queue, "Eve"), TRUE);
  tto_review_window_decide (review, "more", "Which cake? A photo of your last one, please");
  {
    TtoJoinRequest *mine = g_list_model_get_item (tto_session_get_applications (eve), 0);

    WAIT_FOR (g_strcmp0 (tto_join_request_get_status (mine), "more_info") == 0);
    g_assert_cmpstr (tto_join_request_get_message (mine), ==,
                     "Which cake? A photo of your last one, please");
    WAIT_FOR (g_strcmp0 (tto_join_request_get_status (queue_item (queue, "Eve")),
                         "more_info") == 0);
    tto_test_gui_screenshots (GTK_WINDOW (eve_window), "home-waiting");
    tto_session_update_application_async (eve, mine, "Three-tier lemon cake, photo to follow",
                                          NULL, NULL, NULL);
    WAIT_FOR (g_strcmp0 (tto_join_request_get_status (queue_item (queue, "Eve")), "pending") ==
                0 &&
              g_strcmp0 (tto_join_request_get_reason (queue_item (queue, "Eve")),
                         "Three-tier lemon cake, photo to follow") == 0);
    g_object_unref (mine);
  }
  tto_test_gui_screenshots (GTK_WINDOW (review), "review-queue");

  /* Bo and Cy, two of the three harness applicants, in one action. */
  gtk_selection_model_unselect_all (tto_review_window_get_selection (review));
  gtk_selection_model_select_item (tto_review_window_get_selection (review),
                                   queue_position (queue, "Bo"), FALSE);
  gtk_selection_model_select_item (tto_review_window_get_selection (review),
                                   queue_position (queue, "Cy"), FALSE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (review), "review.approve", NULL));
  {
    g_autoptr (TtoFrame) bo_decided = tto_test_client_wait_push (bo, TTO_FRAME_REVIEW_DECIDED,
                                                                 5000);
    g_autoptr (TtoFrame) cy_decided = tto_test_client_wait_push (cy, TTO_FRAME_REVIEW_DECIDED,
                                                                 5000);

    g_assert_nonnull (bo_decided);
    g_assert_nonnull (cy_decided);
    g_assert_cmpstr (tto_frame_get_string (bo_decided, "decision"), ==, "approve");
    g_assert_cmpstr (tto_frame_get_string (cy_decided, "decision"), ==, "approve");
  }
  g_assert_cmpuint (tto_test_client_count_pushes (di, TTO_FRAME_REVIEW_DECIDED), ==, 0);
  WAIT_FOR (g_list_model_get_n_items (queue) == 2);
  WAIT_FOR (tto_session_lookup_member (ana, event, tto_test_client_get_identity_id (bo)) != NULL &&
            tto_session_lookup_member (ana, event, tto_test_client_get_identity_id (cy)) != NULL);
  g_assert_cmpuint (tto_event_get_member_count (event), ==, 3);
  /* Members now: Bo can read the event. */
  tto_test_client_request_ok (bo, TTO_FRAME_EVENT_GET,
                              tto_test_json_object ("{\"event_id\":\"%s\"}",
                                                    tto_event_get_id (event)));

  /* Eve is approved: her event opens. */
  gtk_selection_model_unselect_all (tto_review_window_get_selection (review));
  gtk_selection_model_select_item (tto_review_window_get_selection (review),
                                   queue_position (queue, "Eve"), FALSE);
  tto_review_window_decide (review, "approve", NULL);
  WAIT_FOR (tto_session_lookup_event (eve, tto_event_get_id (event)) != NULL);
  WAIT_FOR (g_list_model_get_n_items (tto_session_get_applications (eve)) == 0);
  WAIT_FOR (tto_session_get_open_event (eve) != NULL);
  gtk_window_destroy (GTK_WINDOW (review));

  /* Removing Bo: his client hears event.removed, the others member.left. */
  tto_event_info_window_remove_member (info, tto_test_client_get_identity_id (bo));
  {
    g_autoptr (TtoFrame) removed = tto_test_client_wait_push (bo, TTO_FRAME_EVENT_REMOVED, 5000);
    g_autoptr (TtoFrame) left = tto_test_client_wait_push (cy, TTO_FRAME_MEMBER_LEFT, 5000);

    g_assert_nonnull (removed);
    g_assert_cmpstr (tto_frame_get_string (removed, "event_id"), ==, tto_event_get_id (event));
    g_assert_nonnull (left);
  }
  WAIT_FOR (tto_session_lookup_member (ana, event, tto_test_client_get_identity_id (bo)) == NULL);

  /* Removing Eve: her client shows the event as removed, composer gone. */
  {
    TtoEvent *hers = tto_session_lookup_event (eve, tto_event_get_id (event));

    tto_event_info_window_remove_member (info, tto_session_get_identity_id (eve));
    WAIT_FOR (tto_event_get_ended (hers));
    g_assert_cmpstr (tto_event_get_end_reason (hers), ==, TTO_SESSION_END_REASON_REMOVED);
  }

  /* The creator rotates the code with a day's expiry: the old one stops. */
  {
    g_autofree char *old_code = g_strdup (tto_event_get_invite_code (event));
    TtoTestClient *fay = person (relay, "Fay");

    tto_invite_card_rotate (tto_event_info_window_get_invite_card (info), 86400);
    WAIT_FOR (g_strcmp0 (tto_event_get_invite_code (event), old_code) != 0);
    g_assert_cmpint (tto_event_get_invite_expires_at (event), >,
                     g_get_real_time () / G_USEC_PER_SEC + 86000);
    tto_test_client_request_error (fay, TTO_FRAME_EVENT_JOIN,
                                   tto_test_json_object ("{\"invite_code\":\"%s\"}", old_code),
                                   "not_found");
    tto_test_client_close (fay);
  }

  /* Forms and admission through event.update. */
  {
    g_autoptr (JsonObject) fields = json_object_new ();
    JsonArray *forms = json_array_new ();

    json_array_add_string_element (forms, TTO_FORM_TEXT);
    json_object_set_array_member (fields, "forms", forms);
    json_object_set_string_member (fields, "admission", "closed");
    tto_session_update_settings_async (ana, event, fields, NULL, NULL, NULL);
    WAIT_FOR (g_strcmp0 (tto_event_get_admission (event), "closed") == 0 &&
              !tto_event_has_form (event, TTO_FORM_FILE));
  }

  gtk_window_destroy (GTK_WINDOW (info));
  tto_test_client_close (bo);
  tto_test_client_close (cy);
  tto_test_client_close (di);
  gtk_window_destroy (GTK_WINDOW (eve_window));
  gtk_window_destroy (GTK_WINDOW (ana_window));
  tto_test_gui_settle (100);
  tto_test_relay_stop (relay);
}

/* A permanent identity's history: an ended event appears with its title,
 * and the row's button removes it on the relay too. */
static void
test_history (void)
{
  TtoTestRelay *relay;
  TtoWindow *window;
  TtoSession *session;
  TtoHomePage *home;
  GListModel *history;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (TtoEvent) event = NULL;
  g_autoptr (GObject) entry = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = NULL;
  GtkWidget *view;

  relay = tto_test_relay_start (60);
  if (relay == NULL)
    return; /* skipped: no relay or MariaDB */

  window = tto_test_gui_new_window ();
  tto_test_gui_sign_in (window, tto_test_relay_get_ws_url (relay), "Ana");
  session = tto_window_get_session (window);
  home = tto_window_get_home_page (window);
  view = GTK_WIDGET (tto_home_page_get_history_list (home));
  history = G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (view)));
  /* A one-time identity has none. */
  tto_test_gui_settle (200);
  g_assert_cmpuint (g_list_model_get_n_items (history), ==, 0);
  g_assert_false (gtk_widget_get_visible (view));

  /* How the identity became permanent is the identity tests' concern. */
  sql = g_strdup_printf ("UPDATE identities SET kind = 'permanent' WHERE id = '%s'",
                         tto_session_get_identity_id (session));
  g_assert_cmpuint (tto_test_relay_exec (relay, sql), ==, 1);

  event = tto_test_gui_session_create_event (session, "Site visit", "Walk the plot");
  tto_session_end_event_async (session, event, NULL, tto_test_gui_store_result, &result);
  WAIT_FOR (result != NULL);
  g_assert_true (tto_session_end_event_finish (session, result, &error));
  g_assert_no_error (error);

  WAIT_FOR (g_list_model_get_n_items (history) == 1);
  entry = g_list_model_get_item (history, 0);
  g_assert_cmpstr (tto_history_entry_get_title (TTO_HISTORY_ENTRY (entry)), ==, "Site visit");
  g_assert_true (gtk_widget_get_visible (view));
  tto_test_gui_screenshots (GTK_WINDOW (window), "home-history");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (home), "home.delete-history", "s",
                                             tto_history_entry_get_id (
                                               TTO_HISTORY_ENTRY (entry))));
  WAIT_FOR (g_list_model_get_n_items (history) == 0);
  g_assert_cmpint (tto_test_relay_query_int (relay, "SELECT COUNT(*) FROM history"), ==, 0);
  g_assert_false (gtk_widget_get_visible (view));

  gtk_window_destroy (GTK_WINDOW (window));
  tto_test_gui_settle (100);
  tto_test_relay_stop (relay);
}

int
main (int argc,
      char *argv[])
{
  tto_test_gui_init (&argc, &argv);

  g_test_add_func ("/governance/uri", test_uri);
  g_test_add_func ("/governance/qr-round-trip", test_qr_round_trip);
  g_test_add_func ("/governance/scan-photo", test_scan_photo);
  g_test_add_func ("/governance/review-flow", test_review_flow);
  g_test_add_func ("/governance/history", test_history);

  return g_test_run ();
}
