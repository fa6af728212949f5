package org.keydir.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.crypto.CanonicalJson;
import org.keydir.crypto.JsonSigning;
import org.keydir.testing.CrossSigningIdentity;
import org.keydir.testing.Http;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName(
    "Cross-signing and the device-list stream under concurrency (two instances, one database)")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CrossSigningConcurrencyTest {
  static ObjectNode deviceKeysBody(SigningDevice d) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.set("device_keys", d.deviceKeys());
    return body;
  }

  @Test
  void concurrent_signature_uploads_for_one_user_from_two_instances_lose_none() throws Exception {
    String db = TestDatabase.fresh();
    try (TestKeydir a = TestKeydir.start(db);
        TestKeydir b = TestKeydir.start(db)) {
      List<SigningDevice> devices = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        SigningDevice d = new SigningDevice(a.createDevice("many", "D" + i));
        assertThat(
                a.http.post("/_matrix/client/v3/keys/upload", d.token, deviceKeysBody(d)).status())
            .isEqualTo(200);
        devices.add(d);
      }
      CrossSigningIdentity id = new CrossSigningIdentity(devices.get(0).userId);
      assertThat(
              a.http
                  .post(
                      "/_matrix/client/v3/keys/device_signing/upload",
                      devices.get(0).token,
                      CanonicalJson.encode(id.all()))
                  .status())
          .isEqualTo(200);
      ExecutorService pool = Executors.newFixedThreadPool(16);
      List<CompletableFuture<Http.Response>> all = new ArrayList<>();
      for (int i = 0; i < devices.size(); i++) {
        SigningDevice d = devices.get(i);
        TestKeydir via = i % 2 == 0 ? a : b;
        ObjectNode signed =
            JsonSigning.sign(
                d.deviceKeys(), d.userId, "ed25519:" + id.ssk.publicKeyBase64(), id.ssk.seed());
        ((ObjectNode) signed.get("signatures").get(d.userId))
            .remove("ed25519:" + d.deviceId); // only the new signature
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putObject(d.userId).set(d.deviceId, signed);
        all.add(
            CompletableFuture.supplyAsync(
                () -> via.http.post("/_matrix/client/v3/keys/signatures/upload", d.token, body),
                pool));
      }
      for (var f : all) {
        Http.Response r = f.get(60, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("failures").isEmpty()).as(r.toString()).isTrue();
      }
      pool.shutdown();
      JsonNode keys =
          b.http
              .post(
                  "/_matrix/client/v3/keys/query",
                  devices.get(0).token,
                  "{\"device_keys\":{\"" + id.user + "\":[]}}")
              .json()
              .path("device_keys")
              .path(id.user);
      for (SigningDevice d : devices) {
        assertThat(
                keys.path(d.deviceId)
                    .path("signatures")
                    .path(id.user)
                    .has("ed25519:" + id.ssk.publicKeyBase64()))
            .as(d.deviceId)
            .isTrue();
      }
    }
  }

  @Test
  void a_reader_following_keys_changes_while_two_instances_write_misses_no_user() throws Exception {
    String db = TestDatabase.fresh();
    try (TestKeydir a = TestKeydir.start(db);
        TestKeydir b = TestKeydir.start(db)) {
      TestKeydir.Device reader = a.createDevice("reader", "R");
      String start = DeviceListChangesTest.position(a);
      AtomicBoolean writing = new AtomicBoolean(true);
      Set<String> seen = ConcurrentHashMap.newKeySet();
      CompletableFuture<Void> follower =
          CompletableFuture.runAsync(
              () -> {
                String from = start;
                while (writing.get()) {
                  String to = DeviceListChangesTest.position(a);
                  seen.addAll(DeviceListChangesTest.changed(a, reader.token(), from, to));
                  from = to;
                }
                seen.addAll(
                    DeviceListChangesTest.changed(
                        a, reader.token(), from, DeviceListChangesTest.position(a)));
              });
      ExecutorService pool = Executors.newFixedThreadPool(8);
      Set<String> written = new HashSet<>();
      List<CompletableFuture<Integer>> uploads = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        TestKeydir via = i % 2 == 0 ? a : b;
        SigningDevice d = new SigningDevice(via.createDevice("w" + i, "WD"));
        written.add(d.userId);
        uploads.add(
            CompletableFuture.supplyAsync(
                () ->
                    via.http
                        .post("/_matrix/client/v3/keys/upload", d.token, deviceKeysBody(d))
                        .status(),
                pool));
      }
      for (var f : uploads) assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(200);
      writing.set(false);
      follower.get(60, TimeUnit.SECONDS);
      pool.shutdown();
      assertThat(seen).containsAll(written);
    }
  }

  @Test
  void a_queried_local_user_without_devices_appears_with_an_empty_object() {
    try (TestKeydir kd = TestKeydir.start(TestDatabase.fresh())) {
      TestKeydir.Device d = kd.createDevice("asker", "A");
      JsonNode r =
          kd.http
              .post(
                  "/_matrix/client/v3/keys/query",
                  d.token(),
                  "{\"device_keys\":{\"@nokeys:test.keydir\":[]}}")
              .json();
      assertThat(r.path("device_keys").path("@nokeys:test.keydir").isObject()).isTrue();
      assertThat(r.path("device_keys").path("@nokeys:test.keydir").isEmpty()).isTrue();
    }
  }
}
