package org.keydir.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keydir.keys.KeysApi.UPLOAD;
import static org.keydir.keys.KeysApi.claim;
import static org.keydir.keys.KeysApi.claimedKey;
import static org.keydir.keys.KeysApi.count;
import static org.keydir.keys.KeysApi.ok;
import static org.keydir.keys.KeysApi.registered;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.keydir.testing.Http;
import org.keydir.testing.SigningDevice;
import org.keydir.testing.TestDatabase;
import org.keydir.testing.TestKeydir;

@DisplayName("MSC4162 POST /keys/reset and the desync listing")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyResetTest {
  static final String V3_RESET = "/_matrix/client/v3/keys/reset";
  static final String UNSTABLE_RESET = "/_matrix/client/unstable/org.matrix.msc4162/keys/reset";
  static final String LISTING = "/_matrix/client/unstable/io.keydir/keys/one_time_keys";
  private TestKeydir kd;
  private SigningDevice claimer;

  @BeforeAll
  void start() {
    kd = TestKeydir.start(TestDatabase.fresh());
    claimer = KeysApi.newDevice(kd);
  }

  @AfterAll
  void stop() {
    kd.close();
  }

  private SigningDevice withKeysAndFallback(String... ids) {
    SigningDevice d = registered(kd);
    ObjectNode body = d.oneTimeKeys(ids);
    body.putObject("fallback_keys").set("signed_curve25519:FB", d.signedKey(true));
    ok(kd.http.post(UPLOAD, d.token, body));
    return d;
  }

  static List<String> listAll(Http http, SigningDevice d, int pageSize) {
    List<String> ids = new ArrayList<>();
    String from = null;
    do {
      JsonNode page =
          ok(http.get(
                  LISTING + "?limit=" + pageSize + (from == null ? "" : "&from=" + from), d.token))
              .json();
      page.get("one_time_keys").forEach(k -> ids.add(k.get("key_id").asText()));
      from = page.has("next_from") ? page.get("next_from").asText() : null;
    } while (from != null);
    return ids;
  }

  @Nested
  class Reset {
    @ParameterizedTest
    @ValueSource(strings = {V3_RESET, UNSTABLE_RESET})
    void all_true_deletes_every_one_time_key_of_the_calling_device_and_answers_the_counts_after(
        String path) {
      SigningDevice d = withKeysAndFallback("A", "B", "C");
      ok(
          kd.http.post(
              UPLOAD,
              d.token,
              "{\"one_time_keys\":{\"curve25519:U\":\"" + SigningDevice.randomKey() + "\"}}"));
      SigningDevice other = withKeysAndFallback("A", "B");
      Http.Response r =
          ok(kd.http.post(path, d.token, "{\"all\":true,\"key_ids\":[\"ignored:when_all\"]}"));
      assertThat(r.json().get("device_one_time_keys_count").toString())
          .isEqualTo("{\"signed_curve25519\":0}");
      assertThat(count(kd, d)).isZero();
      assertThat(count(kd, other)).isEqualTo(2);
    }

    @Test
    void all_false_deletes_exactly_the_named_keys_and_unknown_ids_are_no_error() {
      SigningDevice d = withKeysAndFallback("A", "B", "C");
      Http.Response r =
          ok(
              kd.http.post(
                  V3_RESET,
                  d.token,
                  "{\"all\":false,\"key_ids\":[\"signed_curve25519:B\",\"signed_curve25519:NOPE\",\"curve25519:A\"]}"));
      assertThat(r.json().at("/device_one_time_keys_count/signed_curve25519").asInt()).isEqualTo(2);
      assertThat(listAll(kd.http, d, 100))
          .containsExactly("signed_curve25519:A", "signed_curve25519:C");
    }

    @Test
    void fallback_keys_are_never_touched() {
      SigningDevice d = withKeysAndFallback("A");
      ok(kd.http.post(V3_RESET, d.token, "{\"all\":true}"));
      var got = claimedKey(claim(kd, claimer.token, d), d);
      assertThat(got.getKey()).isEqualTo("signed_curve25519:FB");
    }

    @Test
    void a_reset_key_id_that_was_never_claimed_may_be_uploaded_again() {
      SigningDevice d = withKeysAndFallback("AGAIN");
      ok(kd.http.post(V3_RESET, d.token, "{\"all\":true}"));
      ok(kd.http.post(UPLOAD, d.token, d.oneTimeKeys("AGAIN")));
      assertThat(count(kd, d)).isEqualTo(1);
    }

    @Test
    void a_malformed_body_is_400_naming_the_field_and_nothing_is_deleted() {
      SigningDevice d = withKeysAndFallback("A", "B");
      String[][] cases = {
        {"{}", "all"},
        {"{\"all\":\"yes\"}", "all"},
        {"{\"all\":1}", "all"},
        {"{\"all\":false}", "key_ids"},
        {"{\"all\":false,\"key_ids\":\"signed_curve25519:A\"}", "key_ids"},
        {"{\"all\":false,\"key_ids\":[5]}", "key_ids"},
        {"{\"all\":false,\"key_ids\":[\"nocolon\"]}", "nocolon"},
        {"[]", ""},
        {"not json", ""}
      };
      for (String[] c : cases) {
        Http.Response r = kd.http.post(V3_RESET, d.token, c[0]);
        assertThat(r.status()).as(c[0]).isEqualTo(400);
        assertThat(r.text()).as(c[0]).contains(c[1]);
      }
      assertThat(count(kd, d)).isEqualTo(2);
    }

    @Test
    void every_reset_is_in_the_audit_log_with_the_device_as_actor() {
      SigningDevice d = withKeysAndFallback("A", "B");
      ok(kd.http.post(V3_RESET, d.token, "{\"all\":false,\"key_ids\":[\"signed_curve25519:A\"]}"));
      JsonNode entries =
          ok(kd.http.get(
                  "/_keydir/admin/v1/audit?user_id=" + d.userId.replace("@", "%40"),
                  TestKeydir.ADMIN_TOKEN))
              .json()
              .get("entries");
      JsonNode reset = entries.get(0);
      assertThat(reset.get("action").asText()).isEqualTo("keys.reset");
      assertThat(reset.get("actor").asText()).isEqualTo(d.userId + "/" + d.deviceId);
      assertThat(reset.at("/details/one_time_keys_deleted").asInt()).isEqualTo(1);
      assertThat(reset.at("/details/deleted_key_ids/0").asText()).isEqualTo("signed_curve25519:A");
    }
  }

  @Nested
  class Listing {
    @Test
    void it_lists_available_key_ids_in_claim_order_with_algorithm_and_upload_time() {
      SigningDevice d = withKeysAndFallback("Z", "A", "M");
      claim(kd, claimer.token, d);
      JsonNode page = ok(kd.http.get(LISTING, d.token)).json();
      assertThat(page.has("next_from")).isFalse();
      JsonNode keys = page.get("one_time_keys");
      assertThat(keys.size()).isEqualTo(2);
      assertThat(keys.get(0).get("key_id").asText()).isEqualTo("signed_curve25519:A");
      assertThat(keys.get(0).get("algorithm").asText()).isEqualTo("signed_curve25519");
      assertThat(keys.get(0).get("uploaded_ts").asLong()).isPositive();
    }

    @Test
    void ten_thousand_keys_are_listed_in_a_few_pages_each_once_in_upload_order() {
      SigningDevice d = registered(kd);
      List<String> uploaded = new ArrayList<>();
      for (int batch = 0; batch < 10; batch++) {
        String[] ids = new String[1000];
        for (int i = 0; i < 1000; i++) {
          ids[i] =
              String.format("%05d", 9999 - (batch * 1000 + i)); // ids sort opposite to upload order
          uploaded.add("signed_curve25519:" + ids[i]);
        }
        ok(kd.http.post(UPLOAD, d.token, d.oneTimeKeys(ids)));
      }
      assertThat(listAll(kd.http, d, 5000)).isEqualTo(uploaded);
      assertThat(listAll(kd.http, d, 3000)).isEqualTo(uploaded);
    }

    @Test
    void a_bad_limit_or_from_token_is_400() {
      SigningDevice d = registered(kd);
      for (String q :
          new String[] {"?limit=0", "?limit=5001", "?limit=x", "?from=garbage!", "?from=YWJj"}) {
        Http.Response r = kd.http.get(LISTING + q, d.token);
        assertThat(r.status()).as(q).isEqualTo(400);
        assertThat(r.errcode()).as(q).isEqualTo("M_INVALID_PARAM");
      }
    }
  }

  @Test
  void a_desynced_client_lists_compares_resets_the_stale_ids_and_re_uploads() {
    SigningDevice d = registered(kd);
    String[] first = {"K0", "K1", "K2", "K3", "K4", "K5"};
    ok(kd.http.post(UPLOAD, d.token, d.oneTimeKeys(first)));
    // The client lost the private keys of K1, K3 and K4 (e.g. restored from an old backup).
    Set<String> clientHas =
        new LinkedHashSet<>(
            List.of("signed_curve25519:K0", "signed_curve25519:K2", "signed_curve25519:K5"));
    List<String> serverHas = listAll(kd.http, d, 2);
    List<String> stale = serverHas.stream().filter(id -> !clientHas.contains(id)).toList();
    assertThat(stale)
        .containsExactly("signed_curve25519:K1", "signed_curve25519:K3", "signed_curve25519:K4");
    ObjectNode reset = JsonNodeFactory.instance.objectNode().put("all", false);
    stale.forEach(reset.putArray("key_ids")::add);
    Http.Response afterReset = ok(kd.http.post(V3_RESET, d.token, reset));
    assertThat(afterReset.json().at("/device_one_time_keys_count/signed_curve25519").asInt())
        .isEqualTo(3);
    ok(kd.http.post(UPLOAD, d.token, d.oneTimeKeys("K6", "K7", "K8")));
    clientHas.addAll(
        List.of("signed_curve25519:K6", "signed_curve25519:K7", "signed_curve25519:K8"));
    assertThat(new HashSet<>(listAll(kd.http, d, 100))).isEqualTo(clientHas);
    // every key a peer now claims is one the client can decrypt with
    for (int i = 0; i < 6; i++)
      assertThat(clientHas).contains(claimedKey(claim(kd, claimer.token, d), d).getKey());
  }
}
