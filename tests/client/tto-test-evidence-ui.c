/* tto-test-evidence-ui.c: evidence with a join request, in the windows
 *
 * Against a real relay (with a 64 KiB limit per file) and MariaDB: Eve's
 * window applies through the join dialog with a reason and two pictures
 * made here; the relay's review.list (asked by the creator, a harness
 * client) names two files; Rey, a member holding "review", sees two
 * thumbnails in the review window and opens one in the media viewer. Rey
 * asks for more; Eve's home page shows the question and "Add Evidence",
 * whose dialog lists the files sent, refuses a sixth with the limit
 * message, and shows the relay's too_large for a big file while the
 * application keeps the rest. Rey then sees the pictures, a video chip and
 * a file chip (saved to disk), and admits Eve with the batch action.
 * Screenshots of the join dialog and the review window with evidence at
 * 360×720 and 1280×800 go to $G_TEST_BUILDDIR/screenshots/.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <adwaita.h>
#include <gst/gst.h>

#include "tto-client.h"
#include "tto-evidence-strip.h"
#include "tto-home-page.h"
#include "tto-join-dialog.h"
#include "tto-media-viewer.h"
#include "tto-review-window.h"
#include "tto-test-gui.h"
#include "tto-test-harness.h"
#include "tto-window.h"

static const char *const relay_args[] = { "--max-blob-kib", "64", NULL };

/* Test files */

/* A picture: a gradient of @red, @green, @blue with a light disc, so
 * thumbnails are told apart in screenshots. */
static GFile *
make_picture (const char *dir,
              const char *name,
              guint8 red,
              guint8 green,
              guint8 blue)
{
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 240, 180);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);

  for (int y = 0; y < 180; y++)
    for (int x = 0; x < 240; x++)
      {
        guint8 *p = pixels + y * stride + x * 3;
        int dx = x - 150, dy = y - 80;
        gboolean disc = dx * dx + dy * dy < 45 * 45;

        p[0] = disc ? 250 : (guint8) (red * (240 - x / 2) / 240);
        p[1] = disc ? 245 : (guint8) (green * (180 - y / 2) / 180);
        p[2] = disc ? 230 : blue;
      }
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", NULL, NULL));
  return g_file_new_for_path (path);
}

static GFile *
make_video (const char *dir,
            const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  tto_test_gui_record ("videotestsrc num-buffers=10 pattern=smpte ! "
                       "video/x-raw,width=160,height=120,framerate=10/1 ! vp8enc deadline=1 ! "
                       "webmmux",
                       path);
  return g_file_new_for_path (path);
}

static GFile *
make_file (const char *dir,
           const char *name,
           const char *contents,
           gsize length)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, length, NULL));
  return g_file_new_for_path (path);
}

/* Widgets */

/* Thumbnails of evidence that show a picture, drawn. */
static guint
count_thumbnails (GtkWidget *root)
{
  g_autoptr (GPtrArray) pictures = tto_test_gui_collect_widgets (root, GTK_TYPE_IMAGE);
  guint count = 0;

  for (guint i = 0; i < pictures->len; i++)
    {
      GtkImage *picture = g_ptr_array_index (pictures, i);

      if (gtk_widget_has_css_class (GTK_WIDGET (picture), "evidence-thumbnail") &&
          gtk_widget_is_drawable (GTK_WIDGET (picture)) &&
          gtk_image_get_storage_type (picture) == GTK_IMAGE_PAINTABLE &&
          gdk_paintable_get_intrinsic_width (gtk_image_get_paintable (picture)) > 0)
        count++;
    }
  return count;
}

static TtoEvidenceStrip *
find_strip (GtkWidget *root)
{
  g_autoptr (GPtrArray) strips = tto_test_gui_collect_widgets (root, TTO_TYPE_EVIDENCE_STRIP);

  for (guint i = 0; i < strips->len; i++)
    if (tto_evidence_strip_get_n_items (g_ptr_array_index (strips, i)) > 0)
      return g_ptr_array_index (strips, i);
  return NULL;
}

static gboolean
has_label (GtkWidget *root,
           const char *text)
{
  g_autoptr (GPtrArray) labels = tto_test_gui_collect_widgets (root, GTK_TYPE_LABEL);

  for (guint i = 0; i < labels->len; i++)
    if (gtk_widget_is_drawable (g_ptr_array_index (labels, i)) &&
        g_strcmp0 (gtk_label_get_label (g_ptr_array_index (labels, i)), text) == 0)
      return TRUE;
  return FALSE;
}

/* The relay's view */

static JsonObject *
relay_application (TtoTestClient *creator,
                   const char *event_id,
                   const char *identity_id)
{
  g_autoptr (TtoFrame) list = tto_test_client_request_ok (
    creator, TTO_FRAME_REVIEW_LIST, tto_test_json_object ("{\"event_id\":\"%s\"}", event_id));
  JsonArray *applications = json_object_get_array_member (list->body, "applications");

  for (guint i = 0; i < json_array_get_length (applications); i++)
    {
      JsonObject *application = json_array_get_object_element (applications, i);

      if (g_strcmp0 (json_object_get_string_member (application, "identity_id"), identity_id) ==
          0)
        return json_object_ref (application);
    }
  return NULL;
}

static void
assert_evidence (JsonObject *application,
                 TtoEvidenceList *list)
{
  JsonArray *evidence = json_object_get_array_member (application, "evidence");
  g_auto (GStrv) ids = tto_evidence_list_dup_blob_ids (list);

  g_assert_cmpuint (json_array_get_length (evidence), ==, g_strv_length (ids));
  for (guint i = 0; ids[i] != NULL; i++)
    g_assert_cmpstr (json_array_get_string_element (evidence, i), ==, ids[i]);
}

static TtoEvidence *
evidence_at (TtoEvidenceList *list,
             guint position)
{
  TtoEvidence *evidence = g_list_model_get_item (G_LIST_MODEL (list), position);

  g_object_unref (evidence); /* the list keeps it */
  return evidence;
}

static void
on_state (TtoEvidence *evidence,
          GParamSpec *pspec,
          GArray *states)
{
  int state = tto_evidence_get_state (evidence);

  g_array_append_val (states, state);
}

static void
test_evidence (void)
{
  TtoTestRelay *relay;
  TtoTestClient *ana;
  TtoWindow *rey_window;
  TtoWindow *eve_window;
  TtoSession *rey;
  TtoSession *eve;
  TtoEvent *event;
  TtoJoinDialog *dialog;
  TtoEvidenceEditor *editor;
  TtoEvidenceList *list;
  TtoReviewWindow *review;
  TtoEvidenceStrip *strip;
  TtoJoinRequest *mine;
  g_autoptr (JsonObject) created = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) states = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree char *dir = NULL;
  g_autofree char *event_id = NULL;
  g_autofree char *code = NULL;
  g_autofree char *big = NULL;
  GFile *badge, *cake, *extra, *clip, *notes, *scan;
  const char *notes_text = "Rota: Saturday 8:00 to 14:00, kitchen.\nReference: Ana's aunt.\n";

  relay = tto_test_relay_start_with_args (60, relay_args);
  if (relay == NULL)
    return; /* skipped: no relay or MariaDB */

  dir = g_dir_make_tmp ("tto-evidence-XXXXXX", &error);
  g_assert_no_error (error);
  badge = make_picture (dir, "badge.png", 40, 110, 200);
  cake = make_picture (dir, "cake.png", 230, 140, 40);
  extra = make_picture (dir, "extra.png", 60, 170, 90);
  clip = make_video (dir, "kitchen.webm");
  notes = make_file (dir, "notes.txt", notes_text, strlen (notes_text));
  /* Over the relay's 64 KiB per file. */
  big = g_malloc (200 * 1024);
  for (gsize i = 0; i < 200 * 1024; i++)
    big[i] = (char) g_random_int ();
  scan = make_file (dir, "scan.bin", big, 200 * 1024);

  /* Ana (harness) creates an event, open at first; Rey joins from his
   * window and is granted "review"; then the event goes under review. */
  ana = tto_test_client_connect (relay);
  tto_test_client_create_identity (ana, "Ana");
  {
    g_autoptr (TtoFrame) answer = tto_test_client_request_ok (
      ana, TTO_FRAME_EVENT_CREATE,
      tto_test_json_object ("{\"title\":\"Wedding helpers\",\"admission\":\"open\"}"));

    created = json_object_ref (json_object_get_object_member (answer->body, "event"));
  }
  event_id = g_strdup (json_object_get_string_member (created, "event_id"));
  code = g_strdup (json_object_get_string_member (created, "invite_code"));

  rey_window = tto_test_gui_new_window ();
  tto_test_gui_sign_in (rey_window, tto_test_relay_get_ws_url (relay), "Rey");
  rey = tto_window_get_session (rey_window);
  g_object_unref (tto_test_gui_join (rey, code));
  WAIT_FOR (tto_session_lookup_event (rey, event_id) != NULL);
  event = tto_session_lookup_event (rey, event_id);
  tto_frame_free (tto_test_client_request_ok (
    ana, TTO_FRAME_MEMBER_GRANT,
    tto_test_json_object ("{\"event_id\":\"%s\",\"identity_id\":\"%s\","
                          "\"permission\":\"review\",\"duration\":null}",
                          event_id, tto_session_get_identity_id (rey))));
  WAIT_FOR (tto_session_can_review (rey, event));
  tto_frame_free (tto_test_client_request_ok (
    ana, TTO_FRAME_EVENT_UPDATE,
    tto_test_json_object ("{\"event_id\":\"%s\",\"admission\":\"review\"}", event_id)));

  /* Eve applies with a reason and two pictures. */
  eve_window = tto_test_gui_new_window ();
  tto_test_gui_sign_in (eve_window, tto_test_relay_get_ws_url (relay), "Eve");
  eve = tto_window_get_session (eve_window);
  dialog = tto_join_dialog_new (GTK_WINDOW (eve_window), eve);
  tto_test_gui_present (GTK_WINDOW (dialog));
  tto_join_dialog_set_code (dialog, code);
  tto_join_dialog_set_reason (dialog, "I bake the cake");
  editor = tto_join_dialog_get_evidence_editor (dialog);
  list = tto_evidence_editor_get_list (editor);
  {
    GFile *two[] = { badge, cake };

    g_assert_cmpuint (tto_evidence_editor_add_files (editor, two, 2), ==, 2);
  }
  g_assert_null (tto_evidence_editor_get_notice (editor));
  WAIT_FOR (tto_evidence_get_preview (evidence_at (list, 0)) != NULL &&
            tto_evidence_get_preview (evidence_at (list, 1)) != NULL);
  g_assert_cmpstr (tto_evidence_get_kind (evidence_at (list, 0)), ==, TTO_EVIDENCE_PICTURE);
  g_assert_cmpstr (tto_evidence_get_name (evidence_at (list, 1)), ==, "cake.png");
  tto_test_gui_screenshots (GTK_WINDOW (dialog), "evidence-join");

  /* Each file goes up after the application exists, with its progress. */
  g_signal_connect (evidence_at (list, 1), "notify::state", G_CALLBACK (on_state), states);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "join.submit", NULL));
  WAIT_FOR (g_strcmp0 (tto_join_dialog_get_mode (dialog), "waiting") == 0 ||
            tto_join_dialog_get_error (dialog) != NULL);
  g_assert_null (tto_join_dialog_get_error (dialog));
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpint (tto_evidence_get_state (evidence_at (list, i)), ==, TTO_EVIDENCE_SENT);
      g_assert_cmpfloat (tto_evidence_get_progress (evidence_at (list, i)), ==, 1.0);
    }
  g_assert_cmpuint (states->len, ==, 2);
  g_assert_cmpint (g_array_index (states, int, 0), ==, TTO_EVIDENCE_UPLOADING);
  g_assert_cmpint (g_array_index (states, int, 1), ==, TTO_EVIDENCE_SENT);
  g_signal_handlers_disconnect_by_func (evidence_at (list, 1), on_state, states);

  /* The relay's review.list names both files, with the reason. */
  {
    g_autoptr (JsonObject) application = relay_application (ana, event_id,
                                                            tto_session_get_identity_id (eve));

    g_assert_nonnull (application);
    g_assert_cmpstr (json_object_get_string_member (application, "reason"), ==,
                     "I bake the cake");
    g_assert_cmpstr (json_object_get_string_member (application, "status"), ==, "pending");
    assert_evidence (application, list);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (application,
                                                                           "evidence")),
                      ==, 2);
  }
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* Rey's review window: two thumbnails, fetched with his token. */
  review = tto_review_window_new (GTK_WINDOW (rey_window), rey, event);
  tto_test_gui_present (GTK_WINDOW (review));
  WAIT_FOR (count_thumbnails (GTK_WIDGET (review)) == 2);
  strip = find_strip (GTK_WIDGET (review));
  g_assert_nonnull (strip);
  g_assert_cmpuint (tto_evidence_strip_get_n_items (strip), ==, 2);

  /* A thumbnail opens the picture in the media viewer. */
  tto_evidence_strip_open (strip, 0);
  {
    TtoMediaViewer *viewer;

    WAIT_FOR ((viewer = tto_test_gui_find_toplevel (TTO_TYPE_MEDIA_VIEWER)) != NULL);
    WAIT_FOR (tto_media_viewer_get_loaded (viewer));
    gtk_window_destroy (GTK_WINDOW (viewer));
  }

  /* Rey asks for more: Eve's row shows the question and "Add Evidence". */
  gtk_selection_model_select_item (tto_review_window_get_selection (review), 0, TRUE);
  tto_review_window_decide (review, "more", "A photo of your ID badge, please");
  mine = g_list_model_get_item (tto_session_get_applications (eve), 0);
  WAIT_FOR (g_strcmp0 (tto_join_request_get_status (mine), TTO_JOIN_REQUEST_MORE_INFO) == 0);
  {
    TtoHomePage *home = tto_window_get_home_page (eve_window);
    GtkWidget *add;

    WAIT_FOR (has_label (GTK_WIDGET (home),
                         "The organiser asks: A photo of your ID badge, please"));
    add = tto_test_gui_find_button_by_action (home, "home.update-reason");
    g_assert_nonnull (add);
    tto_test_gui_screenshots (GTK_WINDOW (eve_window), "evidence-home-asked");

    /* "Add Evidence" opens the dialog for the application, with the files
     * sent before, by name. */
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (home), "home.update-reason", "s",
                                               event_id));
  }
  WAIT_FOR ((dialog = tto_test_gui_find_toplevel (TTO_TYPE_JOIN_DIALOG)) != NULL);
  g_assert_true (tto_join_dialog_get_application (dialog) == mine);
  tto_test_gui_present (GTK_WINDOW (dialog));
  editor = tto_join_dialog_get_evidence_editor (dialog);
  list = tto_evidence_editor_get_list (editor);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
  g_assert_cmpstr (tto_evidence_get_name (evidence_at (list, 0)), ==, "badge.png");
  g_assert_cmpint (tto_evidence_get_state (evidence_at (list, 1)), ==, TTO_EVIDENCE_SENT);

  /* Four more do not fit: three are attached, the sixth is refused. */
  {
    GFile *four[] = { clip, notes, scan, extra };
    GFile *one[] = { extra };

    g_assert_cmpuint (tto_evidence_editor_add_files (editor, four, 4), ==, 3);
    g_assert_cmpstr (tto_evidence_editor_get_notice (editor), ==,
                     "1 file was not attached: a request can carry at most 5 files.");
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 5);
    g_assert_cmpuint (tto_evidence_editor_add_files (editor, one, 1), ==, 0);
    g_assert_cmpstr (tto_evidence_editor_get_notice (editor), ==,
                     "A request can carry at most 5 files. Remove one to attach another.");
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 5);
  }
  WAIT_FOR (g_strcmp0 (tto_evidence_get_kind (evidence_at (list, 2)), TTO_EVIDENCE_VIDEO) == 0 &&
            tto_evidence_get_size (evidence_at (list, 4)) == 200 * 1024);

  /* The big file is refused by the relay; the others go, the application
   * stays, and the dialog says which and why. */
  tto_join_dialog_set_reason (dialog, "I bake the cake; my badge is attached");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "join.submit", NULL));
  WAIT_FOR (!tto_join_dialog_get_busy (dialog) &&
            (tto_join_dialog_get_error (dialog) != NULL ||
             g_strcmp0 (tto_join_dialog_get_mode (dialog), "waiting") == 0));
  g_assert_nonnull (tto_join_dialog_get_error (dialog));
  g_assert_nonnull (strstr (tto_join_dialog_get_error (dialog),
                            "“scan.bin” is too large for this relay."));
  g_assert_cmpstr (tto_join_dialog_get_mode (dialog), ==, "code");
  g_assert_cmpint (tto_evidence_get_state (evidence_at (list, 4)), ==, TTO_EVIDENCE_FAILED);
  g_assert_error (tto_evidence_get_error (evidence_at (list, 4)), TTO_PROTOCOL_ERROR,
                  TTO_PROTOCOL_ERROR_TOO_LARGE);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (tto_evidence_get_state (evidence_at (list, i)), ==, TTO_EVIDENCE_SENT);
  WAIT_FOR (g_strv_length ((GStrv) tto_join_request_get_evidence (mine)) == 4);
  {
    g_autoptr (JsonObject) application = relay_application (ana, event_id,
                                                            tto_session_get_identity_id (eve));

    g_assert_nonnull (application);
    g_assert_cmpstr (json_object_get_string_member (application, "status"), ==, "pending");
    g_assert_cmpstr (json_object_get_string_member (application, "reason"), ==,
                     "I bake the cake; my badge is attached");
    assert_evidence (application, list);
  }
  tto_test_gui_screenshots (GTK_WINDOW (dialog), "evidence-add-refused");

  /* The refused file comes off with its row's button; sending is done. */
  {
    GtkWidget *row = tto_evidence_editor_get_row (editor, 4);
    g_autoptr (GPtrArray) buttons = tto_test_gui_collect_widgets (row, GTK_TYPE_BUTTON);

    g_assert_cmpuint (buttons->len, ==, 1);
    g_signal_emit_by_name (g_ptr_array_index (buttons, 0), "clicked");
  }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 4);
  g_assert_null (tto_evidence_editor_get_notice (editor));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "join.submit", NULL));
  WAIT_FOR (g_strcmp0 (tto_join_dialog_get_mode (dialog), "waiting") == 0);
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* Rey sees both pictures, the video and the file; the file saves. */
  WAIT_FOR ((strip = find_strip (GTK_WIDGET (review))) != NULL &&
            tto_evidence_strip_get_n_items (strip) == 4 &&
            g_strcmp0 (tto_evidence_strip_get_kind (strip, 3), "file") == 0 &&
            g_strcmp0 (tto_evidence_strip_get_kind (strip, 2), "video") == 0);
  WAIT_FOR (count_thumbnails (GTK_WIDGET (review)) == 2);
  tto_test_gui_screenshots (GTK_WINDOW (review), "evidence-review");

  /* The video chip plays in the media viewer. */
  tto_evidence_strip_open (strip, 2);
  {
    TtoMediaViewer *viewer;

    WAIT_FOR ((viewer = tto_test_gui_find_toplevel (TTO_TYPE_MEDIA_VIEWER)) != NULL);
    WAIT_FOR (tto_media_viewer_get_loaded (viewer));
    gtk_window_destroy (GTK_WINDOW (viewer));
  }
  {
    g_autofree char *path = g_build_filename (dir, "saved.txt", NULL);
    g_autoptr (GFile) saved = g_file_new_for_path (path);
    g_autofree char *contents = NULL;

    tto_evidence_strip_save_to_file (strip, 3, saved);
    WAIT_FOR (g_file_get_contents (path, &contents, NULL, NULL) &&
              g_strcmp0 (contents, notes_text) == 0);
  }

  /* The batch action still decides: Eve is admitted. */
  gtk_selection_model_unselect_all (tto_review_window_get_selection (review));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (review), "review.select-all", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (review), "review.approve", NULL));
  WAIT_FOR (tto_session_lookup_event (eve, event_id) != NULL);
  WAIT_FOR (g_list_model_get_n_items (tto_session_get_review_queue (rey, event)) == 0);

  g_object_unref (mine);
  gtk_window_destroy (GTK_WINDOW (review));
  gtk_window_destroy (GTK_WINDOW (eve_window));
  gtk_window_destroy (GTK_WINDOW (rey_window));
  tto_test_gui_settle (100);
  tto_test_client_close (ana);
  tto_test_relay_stop (relay);
  for (GFile **f = (GFile *[]){ badge, cake, extra, clip, notes, scan, NULL }; *f != NULL; f++)
    {
      g_file_delete (*f, NULL, NULL);
      g_object_unref (*f);
    }
  {
    g_autofree char *saved = g_build_filename (dir, "saved.txt", NULL);

    g_unlink (saved);
    g_rmdir (dir);
  }
}

int
main (int argc,
      char *argv[])
{
  tto_test_gui_init (&argc, &argv);
  gst_init (NULL, NULL);

  g_test_add_func ("/evidence/join-and-review", test_evidence);

  return g_test_run ();
}
