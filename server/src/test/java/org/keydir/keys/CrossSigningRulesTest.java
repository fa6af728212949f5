package org.keydir.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.keydir.crypto.CanonicalJson;
import org.keydir.testing.CrossSigningIdentity;
import org.keydir.testing.Http;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName("POST /keys/device_signing/upload rules")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossSigningRulesTest {
  private static final String UPLOAD = "/_matrix/client/v3/keys/device_signing/upload";
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private TestKeydir kd;

  @BeforeAll
  void start() {
    kd = TestKeydir.start(TestDatabase.fresh());
  }

  @AfterAll
  void stop() {
    kd.close();
  }

  Http.Response upload(TestKeydir.Device d, ObjectNode body) {
    return kd.http.post(UPLOAD, d.token(), CanonicalJson.encode(body));
  }

  boolean hasMaster(TestKeydir.Device d) {
    return kd.http
        .post(
            "/_matrix/client/v3/keys/query",
            d.token(),
            "{\"device_keys\":{\"" + d.userId() + "\":[]}}")
        .json()
        .path("master_keys")
        .has(d.userId());
  }

  @Test
  void shape_errors_are_400_naming_the_field_and_store_nothing() {
    TestKeydir.Device d = kd.createDevice("shapes", "SH");
    CrossSigningIdentity id = new CrossSigningIdentity(d.userId());
    ObjectNode otherUser = id.all();
    ((ObjectNode) otherUser.get("master_key")).put("user_id", "@mallory:test.keydir");
    ObjectNode wrongUsage = id.all();
    ((ObjectNode) wrongUsage.get("self_signing_key")).putArray("usage").add("master");
    ObjectNode twoKeys = id.all();
    ((ObjectNode) twoKeys.get("master_key").get("keys")).put("ed25519:AAAA", "AAAA");
    ObjectNode idMismatch = id.all();
    ((ObjectNode) idMismatch.get("master_key"))
        .putObject("keys")
        .put("ed25519:" + id.ssk.publicKeyBase64(), id.master.publicKeyBase64());
    ObjectNode noMaster = F.objectNode();
    noMaster.set("self_signing_key", id.key("self_signing", id.ssk, true));
    for (ObjectNode bad : List.of(otherUser, wrongUsage, twoKeys, idMismatch, noMaster)) {
      Http.Response r = upload(d, bad);
      assertThat(r.status()).as(bad + " → " + r).isEqualTo(400);
      assertThat(r.errcode()).isIn("M_INVALID_PARAM", "M_BAD_JSON");
    }
    assertThat(hasMaster(d)).isFalse();
  }

  @Test
  void a_cross_signing_key_may_not_equal_one_of_the_user_s_device_ids() {
    CrossSigningIdentity id = new CrossSigningIdentity("@collide:test.keydir");
    TestKeydir.Device d = kd.createDevice("collide", id.master.publicKeyBase64());
    Http.Response r = upload(d, id.all());
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(hasMaster(d)).isFalse();
  }

  @Test
  void a_signature_for_a_key_id_that_is_both_a_device_and_the_master_key_is_refused() {
    TestKeydir.Device d = kd.createDevice("both", "BOTHDEV");
    CrossSigningIdentity id = new CrossSigningIdentity(d.userId());
    assertThat(upload(d, id.all()).status()).isEqualTo(200);
    kd.createDevice(
        "both",
        id.master.publicKeyBase64()); // an operator created a device with the master key's id
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.putObject(d.userId()).set(id.master.publicKeyBase64(), id.key("master", id.master, false));
    Http.Response r =
        kd.http.post("/_matrix/client/v3/keys/signatures/upload", d.token(), body.toString());
    assertThat(
            r.json()
                .path("failures")
                .path(d.userId())
                .path(id.master.publicKeyBase64())
                .path("errcode")
                .asText())
        .as(r.toString())
        .isEqualTo("M_INVALID_PARAM");
  }

  @Test
  void adding_a_subkey_under_a_stored_master_needs_approval_but_a_first_upload_does_not() {
    TestKeydir.Device d = kd.createDevice("later", "LA");
    CrossSigningIdentity id = new CrossSigningIdentity(d.userId());
    ObjectNode masterOnly = F.objectNode();
    masterOnly.set("master_key", id.key("master", id.master, false));
    assertThat(upload(d, masterOnly).status()).isEqualTo(200);
    ObjectNode sskLater = F.objectNode();
    sskLater.set("self_signing_key", id.key("self_signing", id.ssk, true));
    Http.Response r = upload(d, sskLater);
    assertThat(r.status()).as(r.toString()).isEqualTo(401);
    assertThat(r.json().path("flows").get(0).path("stages").get(0).asText()).isEqualTo("m.oauth");
  }

  @Property(tries = 50)
  void re_uploading_what_was_uploaded_writes_nothing_and_replaces_nothing(
      @ForAll boolean withSubkeys) {
    CrossSigningIdentity id = new CrossSigningIdentity("@prop:test.keydir");
    ObjectNode body =
        withSubkeys
            ? id.all()
            : F.objectNode().set("master_key", id.key("master", id.master, false));
    CrossSigningUpload up = CrossSigningUpload.fromJson(body);
    Map<String, StoredCrossSigningKey> stored = new HashMap<>();
    for (CrossSigningKey k : up.keys()) {
      stored.put(
          k.usage(),
          new StoredCrossSigningKey(
              id.user, k.usage(), k.publicKey(), CanonicalJson.encode(k.json())));
    }
    CrossSigningPlanner.Plan plan = CrossSigningPlanner.plan(id.user, up, stored, Set.of("DEV"));
    assertThat(plan.writes()).isEmpty();
    assertThat(plan.replaces()).isFalse();
    CrossSigningPlanner.Plan first = CrossSigningPlanner.plan(id.user, up, Map.of(), Set.of("DEV"));
    assertThat(first.writes()).hasSize(up.keys().size());
    assertThat(first.replaces()).isFalse();
  }
}
