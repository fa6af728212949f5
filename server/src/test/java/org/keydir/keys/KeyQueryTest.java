package org.keydir.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keydir.keys.KeysApi.QUERY;
import static org.keydir.keys.KeysApi.ok;
import static org.keydir.keys.KeysApi.registered;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.testing.Http;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName("POST /keys/query")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class KeyQueryTest {
  @Test
  void it_returns_signed_device_keys_with_the_display_name_for_all_or_the_named_devices() {
    try (TestKeydir kd = TestKeydir.start(TestDatabase.fresh())) {
      Http.Response created =
          ok(
              kd.http.post(
                  "/_keydir/admin/v1/devices",
                  TestKeydir.ADMIN_TOKEN,
                  "{\"user_id\":\"@q:test.keydir\",\"device_id\":\"PHONE\",\"display_name\":\"Q's phone\"}"));
      SigningDevice phone =
          new SigningDevice("@q:test.keydir", "PHONE", created.json().get("access_token").asText());
      ok(
          kd.http.post(
              KeysApi.UPLOAD,
              phone.token,
              (com.fasterxml.jackson.databind.node.ObjectNode)
                  com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                      .objectNode()
                      .set("device_keys", phone.deviceKeys())));
      SigningDevice laptop = new SigningDevice(kd.createDevice("q", "LAPTOP"));
      ok(
          kd.http.post(
              KeysApi.UPLOAD,
              laptop.token,
              (com.fasterxml.jackson.databind.node.ObjectNode)
                  com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                      .objectNode()
                      .set("device_keys", laptop.deviceKeys())));
      kd.createDevice("q", "NOKEYS");
      SigningDevice asker = registered(kd);

      JsonNode all =
          ok(kd.http.post(QUERY, asker.token, "{\"device_keys\":{\"@q:test.keydir\":[]}}")).json();
      JsonNode devices = all.at("/device_keys/@q:test.keydir");
      assertThat(devices.size()).isEqualTo(2);
      assertThat(devices.at("/PHONE/unsigned/device_display_name").asText()).isEqualTo("Q's phone");
      assertThat(phone.verifies(devices.get("PHONE"))).isTrue();
      assertThat(laptop.verifies(devices.get("LAPTOP"))).isTrue();

      JsonNode one =
          ok(kd.http.post(
                  QUERY,
                  asker.token,
                  "{\"device_keys\":{\"@q:test.keydir\":[\"LAPTOP\",\"NOSUCH\"],\"@nobody:test.keydir\":[],"
                      + "\"@far:remote.example\":[]},\"timeout\":1000}"))
              .json();
      assertThat(one.at("/device_keys/@q:test.keydir").size()).isEqualTo(1);
      assertThat(one.at("/device_keys/@q:test.keydir/LAPTOP").isObject()).isTrue();
      assertThat(one.at("/failures/remote.example").isObject()).isTrue();
    }
  }

  @Test
  void malformed_queries_are_400() {
    try (TestKeydir kd = TestKeydir.start(TestDatabase.fresh())) {
      SigningDevice asker = KeysApi.newDevice(kd);
      for (String body :
          new String[] {
            "{}",
            "{\"device_keys\":[]}",
            "{\"device_keys\":{\"@a:b\":{}}}",
            "{\"device_keys\":{\"@a:b\":[1]}}",
            "{\"device_keys\":{\"x\":[]}}"
          }) {
        assertThat(kd.http.post(QUERY, asker.token, body).status()).as(body).isEqualTo(400);
      }
    }
  }
}
