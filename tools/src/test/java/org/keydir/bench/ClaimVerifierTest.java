package org.keydir.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.keydir.bench.ClaimVerifier.Verdict;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ClaimVerifierTest {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private final BenchDevice device =
      new BenchDevice(
          "@a:test",
          "DEV",
          "token",
          SignedKeys.generate("@a:test", "DEV", new SecureRandom(), 4),
          new DeviceLedger());

  /** Uploads {@code n} keys in the ledger as the server would have confirmed them. */
  private void stocked(int n) {
    DeviceLedger.UploadTicket t = device.ledger().reserveUpload(n, 1000);
    device.ledger().uploadAnswered(t.count(), true);
  }

  private JsonNode answer(long keyNumber) {
    return answer(
        SignedKeys.ALGORITHM + ":" + DeviceLedger.keyId(keyNumber),
        Json.parse(Buffer.buffer(device.keys().oneTimeKeyJson(keyNumber))));
  }

  private static JsonNode answer(String keyId, JsonNode key) {
    ObjectNode a = F.objectNode();
    a.set(keyId, key);
    return a;
  }

  private Verdict claim(JsonNode answer) {
    assertThat(device.ledger().reserveClaim()).isTrue();
    return ClaimVerifier.verdict(device, answer);
  }

  @Test
  void a_key_handed_out_for_the_first_time_is_a_one_time_key_and_leaves_the_stock() {
    stocked(3);
    assertThat(claim(answer(0))).isEqualTo(Verdict.ONE_TIME_KEY);
    assertThat(device.ledger().stock()).isEqualTo(2);
    assertThat(device.ledger().available()).isEqualTo(2);
  }

  @Test
  void a_key_handed_out_twice_is_a_duplicate() {
    stocked(3);
    assertThat(claim(answer(1))).isEqualTo(Verdict.ONE_TIME_KEY);
    assertThat(claim(answer(1))).isEqualTo(Verdict.DUPLICATE);
    assertThat(device.ledger().uncertain()).isTrue();
  }

  @Test
  void a_key_id_never_uploaded_is_unknown_and_a_changed_key_is_wrong_content() {
    stocked(2);
    assertThat(claim(answer(5))).isEqualTo(Verdict.UNKNOWN_KEY);
    assertThat(claim(answer("signed_curve25519:AAAAAQ", F.objectNode().put("key", "x"))))
        .isEqualTo(Verdict.UNKNOWN_KEY);
    // key 1 with key 0's object (pool of 4: 0 and 1 differ)
    assertThat(
            claim(
                answer(
                    SignedKeys.ALGORITHM + ":" + DeviceLedger.keyId(1),
                    Json.parse(Buffer.buffer(device.keys().oneTimeKeyJson(0))))))
        .isEqualTo(Verdict.WRONG_CONTENT);
  }

  @Test
  void no_key_or_the_fallback_key_while_the_device_has_keys_is_an_empty_claim() {
    stocked(2);
    assertThat(claim(F.missingNode())).isEqualTo(Verdict.EMPTY);
    assertThat(claim(F.objectNode())).isEqualTo(Verdict.EMPTY);
    assertThat(claim(answer(SignedKeys.ALGORITHM + ":fallback", device.keys().fallbackKey())))
        .isEqualTo(Verdict.FALLBACK);
  }

  @Test
  void a_claim_is_only_sent_for_a_key_the_ledger_has_not_promised_to_another_claim() {
    stocked(2);
    assertThat(device.ledger().reserveClaim()).isTrue();
    assertThat(device.ledger().reserveClaim()).isTrue();
    assertThat(device.ledger().reserveClaim()).isFalse();
  }

  @Test
  void judging_a_whole_answer_reports_the_duplicate_as_an_error_and_counts_only_good_keys() {
    stocked(2);
    LevelStats stats = new LevelStats("claim", 1);
    assertThat(device.ledger().reserveClaim()).isTrue();
    String body = "{\"one_time_keys\":{\"@a:test\":{\"DEV\":" + answer(0) + "}},\"failures\":{}}";
    BenchHttp.Reply ok = new BenchHttp.Reply(200, Buffer.buffer(body), null);
    ClaimVerifier.judge("claim", List.of(device), ok, stats);
    assertThat(device.ledger().reserveClaim()).isTrue();
    ClaimVerifier.judge("claim", List.of(device), ok, stats);

    assertThat(stats.verificationErrors()).containsEntry(LevelStats.DUPLICATE_KEY, 1L);
    assertThat(stats.errors()).isEqualTo(1);
    assertThat(stats.ops().get("claim").keys.sum()).isEqualTo(1);
  }

  @Test
  void a_failed_claim_counts_its_key_as_possibly_taken() {
    stocked(1);
    assertThat(device.ledger().reserveClaim()).isTrue();
    ClaimVerifier.judge(
        "claim",
        List.of(device),
        new BenchHttp.Reply(503, Buffer.buffer("{}"), null),
        new LevelStats("claim", 1));
    assertThat(device.ledger().available()).isZero();
    assertThat(device.ledger().uncertain()).isTrue();
  }
}
