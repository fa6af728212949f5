package org.keydir.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.crypto.CanonicalJson;
import org.keydir.testing.CrossSigningIdentity;
import org.keydir.testing.Http;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName("One device-list stream: GET /keys/changes")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DeviceListChangesTest {
  static String position(TestKeydir kd) {
    return kd.http
        .get("/_keydir/admin/v1/device_lists/position", TestKeydir.ADMIN_TOKEN)
        .json()
        .path("position")
        .asText();
  }

  static List<String> changed(TestKeydir kd, String token, String from, String to) {
    Http.Response r =
        kd.http.get("/_matrix/client/v3/keys/changes?from=" + from + "&to=" + to, token);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().path("left").isEmpty()).isTrue();
    List<String> out = new ArrayList<>();
    r.json().path("changed").forEach(u -> out.add(u.asText()));
    return out;
  }

  @Test
  void device_keys_cross_signing_keys_signatures_and_a_deleted_device_each_show_up_in_order() {
    try (TestKeydir kd = TestKeydir.start(TestDatabase.fresh())) {
      SigningDevice watcher = new SigningDevice(kd.createDevice("watcher", "W"));
      String p0 = position(kd);

      SigningDevice a = new SigningDevice(kd.createDevice("a", "ADEV"));
      String p1 = position(kd);
      ObjectNode dk = JsonNodeFactory.instance.objectNode();
      dk.set("device_keys", a.deviceKeys());
      assertThat(kd.http.post("/_matrix/client/v3/keys/upload", a.token, dk).status())
          .isEqualTo(200);
      String p2 = position(kd);
      assertThat(changed(kd, watcher.token, p1, p2)).containsExactly(a.userId);

      TestKeydir.Device b = kd.createDevice("b", "BDEV");
      String p3 = position(kd);
      CrossSigningIdentity id = new CrossSigningIdentity(b.userId());
      assertThat(
              kd.http
                  .post(
                      "/_matrix/client/v3/keys/device_signing/upload",
                      b.token(),
                      CanonicalJson.encode(id.all()))
                  .status())
          .isEqualTo(200);
      String p4 = position(kd);
      assertThat(changed(kd, watcher.token, p3, p4)).containsExactly(b.userId());

      TestKeydir.Device c = kd.createDevice("c", "CDEV");
      String p5 = position(kd);
      assertThat(
              kd.http
                  .method(
                      "DELETE",
                      "/_keydir/admin/v1/users/" + c.userId() + "/devices/CDEV",
                      TestKeydir.ADMIN_TOKEN,
                      null)
                  .status())
          .isEqualTo(200);
      String p6 = position(kd);
      assertThat(changed(kd, watcher.token, p5, p6)).containsExactly(c.userId());

      assertThat(changed(kd, watcher.token, p0, p6)).contains(a.userId, b.userId(), c.userId());
      assertThat(changed(kd, watcher.token, p6, p6)).isEmpty();
      assertThat(changed(kd, watcher.token, p6, p0)).isEmpty();
    }
  }

  @Test
  void a_token_that_is_not_a_position_is_a_400() {
    try (TestKeydir kd = TestKeydir.start(TestDatabase.fresh())) {
      TestKeydir.Device d = kd.createDevice("t", "T");
      for (String q :
          new String[] {
            "from=s72&to=d1",
            "from=d1&to=-5",
            "from=d1",
            "to=d1",
            "from=d99999999999999999999&to=d1"
          }) {
        Http.Response r = kd.http.get("/_matrix/client/v3/keys/changes?" + q, d.token());
        assertThat(r.status()).as(q + " → " + r).isEqualTo(400);
        JsonNode body = r.json();
        assertThat(body.path("errcode").asText()).isIn("M_INVALID_PARAM", "M_MISSING_PARAM");
      }
    }
  }
}
