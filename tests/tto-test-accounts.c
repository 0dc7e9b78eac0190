/* tto-test-accounts.c: email + password accounts for relay tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tto-test-accounts.h"

JsonObject *
tto_test_accounts_register_body (const char *email,
                                 const char *code,
                                 const char *username,
                                 const char *password,
                                 const char *lifetime)
{
  return tto_test_json_object ("{\"email\":\"%s\",\"code\":\"%s\",\"username\":\"%s\","
                               "\"password\":\"%s\",\"display_name\":\"Ana\",%s}",
                               email, code, username, password, lifetime);
}

JsonObject *
tto_test_accounts_login_body (const char *login,
                              const char *password)
{
  return tto_test_json_object ("{\"login\":\"%s\",\"password\":\"%s\"}", login, password);
}

char *
tto_test_accounts_wait_code (TtoTestSmtpSink *smtp,
                             const char *email)
{
  /* The relay may send the mail after it answers the request. */
  for (guint waited = 0; waited <= TTO_TEST_REQUEST_TIMEOUT_MS; waited += 50)
    {
      char *code = tto_test_smtp_sink_get_code (smtp, email);

      if (code != NULL)
        return code;
      tto_test_iterate_ms (50);
    }
  g_error ("no mail with a code went to %s", email);
}

TtoFrame *
tto_test_accounts_register (TtoTestRelay *relay,
                            TtoTestSmtpSink *smtp,
                            const char *email,
                            const char *username,
                            const char *password,
                            const char *lifetime,
                            TtoTestClient **out)
{
  TtoTestClient *c = tto_test_client_connect (relay);
  g_autofree char *code = NULL;
  TtoFrame *answer;

  tto_frame_free (tto_test_client_request_ok (
    c, TTO_FRAME_IDENTITY_CODE_REQUEST,
    tto_test_json_object ("{\"channel\":\"email\",\"address\":\"%s\",\"purpose\":\"register\"}",
                          email)));
  code = tto_test_accounts_wait_code (smtp, email);
  answer = tto_test_client_request_ok (
    c, TTO_FRAME_IDENTITY_REGISTER,
    tto_test_accounts_register_body (email, code, username, password, lifetime));
  if (out != NULL)
    *out = c;
  else
    tto_test_client_close (c);
  return answer;
}

TtoFrame *
tto_test_accounts_login (TtoTestClient *c,
                         const char *login,
                         const char *password)
{
  return tto_test_client_request_ok (c, TTO_FRAME_IDENTITY_LOGIN,
                                     tto_test_accounts_login_body (login, password));
}

gint64
tto_test_accounts_count_tokens (TtoTestRelay *relay,
                                const char *identity_id)
{
  return tto_test_relay_query_intf (relay,
                                    "SELECT COUNT(*) FROM identity_tokens WHERE identity_id = '%s'",
                                    identity_id);
}
