package org.keydir.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.keydir.testing.Http;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName("POST /_keydir/admin/v1/devices")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminDevicesTest {
  private static final String PATH = "/_keydir/admin/v1/devices";
  private TestKeydir kd;

  @BeforeAll
  void start() {
    kd = TestKeydir.start(TestDatabase.fresh());
  }

  @AfterAll
  void stop() {
    kd.close();
  }

  @Test
  void it_creates_a_device_with_the_given_id_and_returns_a_working_token() {
    Http.Response r =
        kd.http.post(
            PATH,
            TestKeydir.ADMIN_TOKEN,
            "{\"user_id\":\"@bob:test.keydir\",\"device_id\":\"BOBDEV\",\"display_name\":\"Bob's phone\"}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("user_id").asText()).isEqualTo("@bob:test.keydir");
    assertThat(r.json().get("device_id").asText()).isEqualTo("BOBDEV");
    String token = r.json().get("access_token").asText();
    assertThat(kd.http.get("/_matrix/client/v3/account/whoami", token).status()).isEqualTo(200);
  }

  @Test
  void without_a_device_id_it_generates_one() {
    Http.Response r =
        kd.http.post(PATH, TestKeydir.ADMIN_TOKEN, "{\"user_id\":\"@gen:test.keydir\"}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("device_id").asText()).matches("[A-Z]{10}");
  }

  @Test
  void creating_an_existing_device_again_issues_another_token_and_both_work() {
    TestKeydir.Device first = kd.createDevice("erin", "ERINDEV");
    TestKeydir.Device second = kd.createDevice("erin", "ERINDEV");
    assertThat(second.token()).isNotEqualTo(first.token());
    assertThat(kd.http.get("/_matrix/client/v3/account/whoami", first.token()).status())
        .isEqualTo(200);
    assertThat(kd.http.get("/_matrix/client/v3/account/whoami", second.token()).status())
        .isEqualTo(200);
  }

  @Test
  void a_user_of_another_server_is_400() {
    Http.Response r =
        kd.http.post(PATH, TestKeydir.ADMIN_TOKEN, "{\"user_id\":\"@bob:elsewhere.org\"}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.errcode()).isEqualTo("M_INVALID_PARAM");
  }

  @Test
  void a_malformed_user_id_or_device_id_is_400() {
    for (String body :
        new String[] {
          "{\"user_id\":\"bob\"}",
          "{\"user_id\":\"@:test.keydir\"}",
          "{\"user_id\":\"@bob\"}",
          "{\"user_id\":\"@bob:test.keydir\",\"device_id\":\"\"}",
          "{\"user_id\":\"@bob:test.keydir\",\"device_id\":\"has space\"}"
        }) {
      Http.Response r = kd.http.post(PATH, TestKeydir.ADMIN_TOKEN, body);
      assertThat(r.status()).as(body).isEqualTo(400);
    }
  }

  @Test
  void without_the_admin_token_it_is_401_and_with_any_other_token_403() {
    assertThat(kd.http.post(PATH, null, "{\"user_id\":\"@x:test.keydir\"}").status())
        .isEqualTo(401);
    Http.Response wrong = kd.http.post(PATH, "wrong-token", "{\"user_id\":\"@x:test.keydir\"}");
    assertThat(wrong.status()).isEqualTo(403);
    assertThat(wrong.errcode()).isEqualTo("M_FORBIDDEN");
    TestKeydir.Device user = kd.createDevice("mallory", null);
    Http.Response userToken = kd.http.post(PATH, user.token(), "{\"user_id\":\"@x:test.keydir\"}");
    assertThat(userToken.status()).isEqualTo(403);
    assertThat(userToken.text()).isEqualTo(wrong.text());
  }
}
