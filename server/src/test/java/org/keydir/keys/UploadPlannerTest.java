package org.keydir.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.auth.Caller;
import org.keydir.keys.StoredDeviceState.StoredDeviceKeys;
import org.keydir.keys.StoredDeviceState.StoredFallbackKey;
import org.keydir.keys.StoredDeviceState.StoredOneTimeKey;
import org.keydir.testing.SigningDevice;

/** {@link UploadPlanner} directly: the upload rules as a pure function, no database, no HTTP. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class UploadPlannerTest {
  private static final UploadLimits LIMITS = new UploadLimits(200, 50, 120, 3);
  private static final SigningDevice ME = new SigningDevice("@me:test.keydir", "DEV", "t");
  private static final Caller CALLER = new Caller(ME.userId, ME.deviceId);
  private static final ObjectNode DEVICE_KEYS = ME.deviceKeys();

  /** The stored state of a device that has uploaded its device keys and nothing else. */
  private static final StoredDeviceState KNOWN = state(Map.of(), Map.of(), Map.of());

  private static StoredDeviceState state(
      Map<KeyId, StoredOneTimeKey> otks,
      Map<String, Integer> counts,
      Map<String, StoredFallbackKey> fallbacks) {
    DeviceKeys dk = DeviceKeys.parse(DEVICE_KEYS);
    return new StoredDeviceState(
        Optional.of(new StoredDeviceKeys(dk.jsonText(), dk.ed25519(), dk.curve25519())),
        otks,
        counts,
        fallbacks);
  }

  private static UploadRequest otks(Map<String, JsonNode> keys) {
    List<UploadedKey> list = new ArrayList<>();
    keys.forEach(
        (id, v) ->
            list.add(new UploadedKey(KeyId.parse("signed_curve25519:" + id), v, list.size())));
    return new UploadRequest(Optional.empty(), list, List.of());
  }

  private static KeydirException.Kind kindOf(Runnable r) {
    try {
      r.run();
    } catch (KeydirException e) {
      return e.kind();
    }
    throw new AssertionError("no rule was broken");
  }

  @Test
  void a_first_upload_writes_the_device_keys_and_every_one_time_key_in_upload_order() {
    StoredDeviceState empty = new StoredDeviceState(Optional.empty(), Map.of(), Map.of(), Map.of());
    UploadRequest req =
        UploadRequest.fromJson(ME.oneTimeKeys("B", "A", "C").set("device_keys", DEVICE_KEYS));
    UploadPlan plan = UploadPlanner.plan(CALLER, req, empty, LIMITS);
    assertThat(plan.deviceKeys()).isPresent();
    assertThat(plan.newOneTimeKeys())
        .extracting(k -> k.keyId().id())
        .containsExactly("B", "A", "C");
    assertThat(plan.skippedClaimedIds()).isEmpty();
  }

  @Test
  void unchanged_device_keys_are_not_rewritten_and_changed_identity_keys_are_refused() {
    assertThat(
            UploadPlanner.plan(
                    CALLER,
                    UploadRequest.fromJson(
                        JsonNodeFactoryHolder.object().set("device_keys", DEVICE_KEYS)),
                    KNOWN,
                    LIMITS)
                .deviceKeys())
        .isEmpty();
    SigningDevice other = new SigningDevice(ME.userId, ME.deviceId, "t"); // same ids, new keys
    UploadRequest changed =
        UploadRequest.fromJson(
            JsonNodeFactoryHolder.object().set("device_keys", other.deviceKeys()));
    assertThatThrownBy(() -> UploadPlanner.plan(CALLER, changed, KNOWN, LIMITS))
        .hasMessageContaining("already has different identity keys");
  }

  @Test
  void device_keys_of_another_user_or_device_are_refused() {
    SigningDevice stranger = new SigningDevice("@other:test.keydir", "DEV", "t");
    UploadRequest req =
        UploadRequest.fromJson(
            JsonNodeFactoryHolder.object().set("device_keys", stranger.deviceKeys()));
    assertThat(kindOf(() -> UploadPlanner.plan(CALLER, req, KNOWN, LIMITS)))
        .isEqualTo(KeydirException.Kind.INVALID_PARAM);
  }

  @Test
  void
      a_claimed_id_is_skipped_an_identical_available_key_is_a_no_op_and_different_content_is_refused() {
    ObjectNode same = ME.signedKey(false);
    KeyId claimed = KeyId.parse("signed_curve25519:OLD");
    KeyId available = KeyId.parse("signed_curve25519:SAME");
    StoredDeviceState stored =
        state(
            Map.of(
                claimed,
                new StoredOneTimeKey(claimed, null),
                available,
                new StoredOneTimeKey(available, same.toString())),
            Map.of("signed_curve25519", 1),
            Map.of());
    Map<String, JsonNode> keys = new LinkedHashMap<>();
    keys.put("OLD", ME.signedKey(false));
    keys.put("SAME", same);
    keys.put("NEW", ME.signedKey(false));
    UploadPlan plan = UploadPlanner.plan(CALLER, otks(keys), stored, LIMITS);
    assertThat(plan.skippedClaimedIds()).containsExactly(claimed);
    assertThat(plan.newOneTimeKeys()).extracting(k -> k.keyId().id()).containsExactly("NEW");

    Map<String, JsonNode> clash = Map.of("SAME", ME.signedKey(false));
    assertThatThrownBy(() -> UploadPlanner.plan(CALLER, otks(clash), stored, LIMITS))
        .hasMessageContaining("already exists with different content");
  }

  @Test
  void of_many_signed_keys_checked_together_the_first_bad_one_in_request_order_is_named() {
    SigningDevice forger = new SigningDevice(ME.userId, ME.deviceId, "t");
    Map<String, JsonNode> keys = new LinkedHashMap<>();
    for (int i = 0; i < 40; i++) {
      keys.put(
          "K" + i, i == 23 || i == 31 || i == 37 ? forger.signedKey(false) : ME.signedKey(false));
    }
    assertThatThrownBy(() -> UploadPlanner.plan(CALLER, otks(keys), KNOWN, LIMITS))
        .hasMessageContaining("signed_curve25519:K23 ")
        .hasMessageNotContaining("K31");
    keys.replaceAll((id, k) -> ME.signedKey(false));
    assertThat(UploadPlanner.plan(CALLER, otks(keys), KNOWN, LIMITS).newOneTimeKeys()).hasSize(40);
  }

  @Test
  void a_key_signed_by_someone_else_or_unsigned_when_it_must_be_is_refused() {
    SigningDevice forger = new SigningDevice(ME.userId, ME.deviceId, "t");
    Map<String, JsonNode> forged = Map.of("F", forger.signedKey(false));
    assertThat(kindOf(() -> UploadPlanner.plan(CALLER, otks(forged), KNOWN, LIMITS)))
        .isEqualTo(KeydirException.Kind.INVALID_SIGNATURE);
    StoredDeviceState noDeviceKeys =
        new StoredDeviceState(Optional.empty(), Map.of(), Map.of(), Map.of());
    Map<String, JsonNode> signed = Map.of("S", ME.signedKey(false));
    assertThatThrownBy(() -> UploadPlanner.plan(CALLER, otks(signed), noDeviceKeys, LIMITS))
        .hasMessageContaining("upload device_keys first");
  }

  @Test
  void the_limits_on_one_upload_on_one_device_and_on_algorithms_each_hold() {
    Map<String, JsonNode> many = new LinkedHashMap<>();
    for (int i = 0; i < 51; i++) many.put("K" + i, ME.signedKey(false));
    assertThatThrownBy(() -> UploadPlanner.plan(CALLER, otks(many), KNOWN, LIMITS))
        .hasMessageContaining("at most 50 keys");

    Map<String, JsonNode> ten = new LinkedHashMap<>();
    for (int i = 0; i < 10; i++) ten.put("T" + i, ME.signedKey(false));
    StoredDeviceState nearlyFull = state(Map.of(), Map.of("signed_curve25519", 111), Map.of());
    assertThatThrownBy(() -> UploadPlanner.plan(CALLER, otks(ten), nearlyFull, LIMITS))
        .hasMessageContaining("at most 120 one-time keys");
    StoredDeviceState justRoom = state(Map.of(), Map.of("signed_curve25519", 110), Map.of());
    assertThat(UploadPlanner.plan(CALLER, otks(ten), justRoom, LIMITS).newOneTimeKeys())
        .hasSize(10);
    assertThatThrownBy(
            () -> UploadPlanner.plan(CALLER, otks(ten), KNOWN, new UploadLimits(9, 50, 120, 3)))
        .hasMessageContaining("at most 9 one-time keys per algorithm");

    StoredDeviceState threeAlgorithms =
        state(
            Map.of(),
            Map.of("a", 1, "b", 1),
            Map.of("c", new StoredFallbackKey(KeyId.parse("c:F"), "\"x\"", false)));
    assertThatThrownBy(
            () ->
                UploadPlanner.plan(
                    CALLER, otks(Map.of("N", ME.signedKey(false))), threeAlgorithms, LIMITS))
        .hasMessageContaining("at most 3 key algorithms");
  }

  @Test
  void an_identical_fallback_key_is_kept_with_its_used_flag_and_a_different_one_replaces_it() {
    ObjectNode fb = ME.signedKey(true);
    KeyId id = KeyId.parse("signed_curve25519:FB");
    StoredDeviceState stored =
        state(
            Map.of(),
            Map.of(),
            Map.of("signed_curve25519", new StoredFallbackKey(id, fb.toString(), true)));
    UploadRequest same =
        new UploadRequest(Optional.empty(), List.of(), List.of(new UploadedKey(id, fb, 0)));
    assertThat(UploadPlanner.plan(CALLER, same, stored, LIMITS).newFallbackKeys()).isEmpty();
    UploadRequest other =
        new UploadRequest(
            Optional.empty(), List.of(), List.of(new UploadedKey(id, ME.signedKey(true), 0)));
    assertThat(UploadPlanner.plan(CALLER, other, stored, LIMITS).newFallbackKeys()).hasSize(1);
    UploadRequest two =
        new UploadRequest(
            Optional.empty(),
            List.of(),
            List.of(
                new UploadedKey(id, fb, 0),
                new UploadedKey(KeyId.parse("signed_curve25519:FB2"), ME.signedKey(true), 1)));
    assertThatThrownBy(() -> UploadPlanner.plan(CALLER, two, stored, LIMITS))
        .hasMessageContaining("at most one fallback key per algorithm");
  }

  /**
   * Each of 12 ids is absent, stored available (same key), or claimed; the upload names a random
   * subset.
   */
  enum Stored {
    ABSENT,
    AVAILABLE,
    CLAIMED
  }

  private static final List<ObjectNode> SIGNED = new ArrayList<>();

  static {
    for (int i = 0; i < 12; i++) SIGNED.add(ME.signedKey(false));
  }

  @Provide
  Arbitrary<List<Stored>> storedStates() {
    return Arbitraries.of(Stored.class).list().ofSize(12);
  }

  @Provide
  Arbitrary<List<Integer>> uploadedIds() {
    return Arbitraries.integers().between(0, 11).list().uniqueElements().ofMaxSize(12);
  }

  @Property(tries = 200)
  void new_keys_are_exactly_the_uploaded_absent_ids_in_order_and_skipped_exactly_the_claimed_ones(
      @ForAll("storedStates") List<Stored> states, @ForAll("uploadedIds") List<Integer> uploaded) {
    Map<KeyId, StoredOneTimeKey> otks = new HashMap<>();
    int available = 0;
    for (int i = 0; i < 12; i++) {
      KeyId id = KeyId.parse("signed_curve25519:K" + i);
      if (states.get(i) == Stored.AVAILABLE) {
        otks.put(id, new StoredOneTimeKey(id, SIGNED.get(i).toString()));
        available++;
      } else if (states.get(i) == Stored.CLAIMED) {
        otks.put(id, new StoredOneTimeKey(id, null));
      }
    }
    Map<String, JsonNode> keys = new LinkedHashMap<>();
    uploaded.forEach(i -> keys.put("K" + i, SIGNED.get(i)));
    StoredDeviceState stored =
        state(otks, available == 0 ? Map.of() : Map.of("signed_curve25519", available), Map.of());

    UploadPlan plan = UploadPlanner.plan(CALLER, otks(keys), stored, LIMITS);

    assertThat(plan.newOneTimeKeys())
        .extracting(k -> k.keyId().id())
        .containsExactlyElementsOf(
            uploaded.stream()
                .filter(i -> states.get(i) == Stored.ABSENT)
                .map(i -> "K" + i)
                .toList());
    assertThat(plan.skippedClaimedIds())
        .extracting(KeyId::id)
        .containsExactlyElementsOf(
            uploaded.stream()
                .filter(i -> states.get(i) == Stored.CLAIMED)
                .map(i -> "K" + i)
                .toList());
    assertThat(plan.deviceKeys()).isEmpty();
  }

  /** Jackson's node factory, for bodies the tests build by hand. */
  private static final class JsonNodeFactoryHolder {
    static ObjectNode object() {
      return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }
  }
}
