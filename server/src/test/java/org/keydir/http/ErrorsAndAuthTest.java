package org.keydir.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.keydir.testing.Http;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName("Matrix errors and client authentication")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorsAndAuthTest {
  private static final String ADMIN_DEVICES = "/_keydir/admin/v1/devices";
  private TestKeydir kd;
  private Http http;

  @BeforeAll
  void start() {
    kd =
        TestKeydir.start(
            TestDatabase.fresh(), java.util.Map.of("KEYDIR_LIMITS_MAX_BODY_BYTES", "4096"));
    http = kd.http;
  }

  @AfterAll
  void stop() {
    kd.close();
  }

  @Nested
  class Every_error_is_matrix_json_with_the_right_status {
    @Test
    void an_unknown_path_is_404_M_UNRECOGNIZED() {
      Http.Response r = http.get("/_matrix/client/v3/no/such/thing", null);
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.errcode()).isEqualTo("M_UNRECOGNIZED");
      assertThat(r.json().get("error").asText()).isNotBlank();
    }

    @Test
    void a_known_path_with_the_wrong_method_is_405_M_UNRECOGNIZED() {
      Http.Response r = http.method("DELETE", "/_matrix/client/versions", null, null);
      assertThat(r.status()).isEqualTo(405);
      assertThat(r.errcode()).isEqualTo("M_UNRECOGNIZED");
      assertThat(http.get(ADMIN_DEVICES, TestKeydir.ADMIN_TOKEN).status()).isEqualTo(405);
    }

    @Test
    void a_body_over_the_limit_is_413_M_TOO_LARGE() {
      Http.Response r =
          http.post(
              ADMIN_DEVICES, TestKeydir.ADMIN_TOKEN, "{\"user_id\":\"" + "x".repeat(5000) + "\"}");
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.errcode()).isEqualTo("M_TOO_LARGE");
    }

    @Test
    void an_unparsable_body_is_400_M_NOT_JSON() {
      for (String body : new String[] {"{", "not json", "{\"a\":1}}", "", "{\"a\":1} trailing"}) {
        Http.Response r = http.post(ADMIN_DEVICES, TestKeydir.ADMIN_TOKEN, body);
        assertThat(r.status()).as(body).isEqualTo(400);
        assertThat(r.errcode()).as(body).isEqualTo("M_NOT_JSON");
      }
    }

    @Test
    void invalid_utf8_is_400_M_NOT_JSON() {
      byte[] body = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
      Http.Response r = http.post(ADMIN_DEVICES, TestKeydir.ADMIN_TOKEN, body);
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.errcode()).isEqualTo("M_NOT_JSON");
    }

    @Test
    void a_body_of_the_wrong_shape_is_400_M_BAD_JSON_or_a_param_error_naming_the_field() {
      assertThat(http.post(ADMIN_DEVICES, TestKeydir.ADMIN_TOKEN, "[1,2]").errcode())
          .isEqualTo("M_BAD_JSON");
      Http.Response wrongType =
          http.post(ADMIN_DEVICES, TestKeydir.ADMIN_TOKEN, "{\"user_id\": 5}");
      assertThat(wrongType.status()).isEqualTo(400);
      assertThat(wrongType.errcode()).isEqualTo("M_BAD_JSON");
      assertThat(wrongType.json().get("error").asText()).contains("user_id");
      Http.Response missing = http.post(ADMIN_DEVICES, TestKeydir.ADMIN_TOKEN, "{}");
      assertThat(missing.status()).isEqualTo(400);
      assertThat(missing.errcode()).isEqualTo("M_MISSING_PARAM");
      assertThat(missing.json().get("error").asText()).contains("user_id");
    }

    @Test
    void duplicate_members_in_an_object_are_400_M_BAD_JSON() {
      Http.Response r =
          http.post(
              ADMIN_DEVICES,
              TestKeydir.ADMIN_TOKEN,
              "{\"user_id\":\"@a:test.keydir\",\"user_id\":\"@b:test.keydir\"}");
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.errcode()).isEqualTo("M_BAD_JSON");
    }

    @Test
    void a_json_body_sent_as_a_form_or_multipart_is_read_as_json_not_a_500() {
      for (String type :
          new String[] {"application/x-www-form-urlencoded", "multipart/form-data; boundary=x"}) {
        java.net.http.HttpResponse<String> r =
            raw("POST", ADMIN_DEVICES, type, "[".repeat(1500) + "]".repeat(1500));
        assertThat(r.statusCode()).as(type).isEqualTo(400);
        assertThat(r.body()).as(type).contains("M_");
      }
    }

    @Test
    void an_over_long_uri_is_414_with_matrix_error_json() {
      java.net.http.HttpResponse<String> r =
          raw("GET", "/_matrix/client/versions?x=" + "a".repeat(10_000), null, null);
      assertThat(r.statusCode()).isEqualTo(414);
      assertThat(r.body()).contains("\"errcode\":\"M_TOO_LARGE\"");
    }

    @Test
    void every_response_carries_a_request_id() {
      assertThat(http.get("/_matrix/client/versions", null).headers().firstValue("X-Request-Id"))
          .isPresent();
      assertThat(http.get("/nope", null).headers().firstValue("X-Request-Id")).isPresent();
    }
  }

  @Nested
  class Client_authentication {
    @Test
    void without_a_token_a_client_endpoint_is_401_M_MISSING_TOKEN() {
      Http.Response r = http.get("/_matrix/client/v3/account/whoami", null);
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.errcode()).isEqualTo("M_MISSING_TOKEN");
    }

    @Test
    void an_unknown_token_is_401_M_UNKNOWN_TOKEN() {
      Http.Response r = http.get("/_matrix/client/v3/account/whoami", "kd_not-a-real-token");
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.errcode()).isEqualTo("M_UNKNOWN_TOKEN");
    }

    @Test
    void the_caller_is_the_user_and_device_the_token_was_issued_for() {
      TestKeydir.Device d = kd.createDevice("alice", "ALICEDEV");
      Http.Response r = http.get("/_matrix/client/v3/account/whoami", d.token());
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().get("user_id").asText()).isEqualTo("@alice:test.keydir");
      assertThat(r.json().get("device_id").asText()).isEqualTo("ALICEDEV");
    }

    @Test
    void the_deprecated_access_token_query_parameter_is_accepted() {
      TestKeydir.Device d = kd.createDevice("carol", null);
      Http.Response r =
          http.get("/_matrix/client/v3/account/whoami?access_token=" + d.token(), null);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().get("device_id").asText()).isEqualTo(d.deviceId());
    }

    @Test
    void tokens_are_stored_only_as_hashes() {
      TestKeydir.Device d = kd.createDevice("dave", null);
      var rows =
          kd.keydir
              .database()
              .pool()
              .query(
                  "SELECT encode(token_hash, 'escape') AS h, length(token_hash) AS n FROM access_tokens")
              .execute()
              .timeout(30, java.util.concurrent.TimeUnit.SECONDS)
              .await();
      rows.forEach(
          row -> {
            assertThat(row.getInteger("n")).isEqualTo(32);
            assertThat(row.getString("h")).doesNotContain(d.token());
          });
    }

    @Test
    void an_unknown_path_is_404_even_without_a_token() {
      assertThat(http.get("/_matrix/client/v3/keys/nothing", null).status()).isEqualTo(404);
    }
  }

  private java.net.http.HttpResponse<String> raw(
      String method, String path, String type, String body) {
    try {
      var b =
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(kd.keydir.baseUrl() + path))
              .header("Authorization", "Bearer " + TestKeydir.ADMIN_TOKEN)
              .method(
                  method,
                  body == null
                      ? java.net.http.HttpRequest.BodyPublishers.noBody()
                      : java.net.http.HttpRequest.BodyPublishers.ofString(body));
      if (type != null) b.header("Content-Type", type);
      return java.net.http.HttpClient.newHttpClient()
          .send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void a_malformed_http_request_line_does_not_crash_the_server() throws Exception {
    try (Socket s = new Socket("127.0.0.1", kd.keydir.port())) {
      OutputStream out = s.getOutputStream();
      out.write("GARBAGE\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      assertThat(head).startsWith("HTTP/1.");
      assertThat(head).doesNotContain("500");
    }
    assertThat(http.get("/health", null).status()).isEqualTo(200);
  }
}
