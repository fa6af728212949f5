package org.keydir.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UploadPlanTest {
  private static UploadedKey key(String algorithm, String id) {
    return new UploadedKey(new KeyId(algorithm, id), TextNode.valueOf("k"), 0);
  }

  @Test
  void the_counts_after_an_upload_are_the_counts_before_plus_the_keys_it_stores() {
    UploadPlan plan =
        new UploadPlan(
            Optional.empty(),
            List.of(key("curve25519", "a"), key("curve25519", "b"), key("unknown_alg", "c")),
            List.of(),
            List.of(new KeyId("curve25519", "claimed-before")));
    assertThat(plan.countsAfter(Map.of("curve25519", 5, "other", 2)))
        .isEqualTo(Map.of("curve25519", 7, "other", 2, "unknown_alg", 1));
    assertThat(plan.countsAfter(Map.of())).isEqualTo(Map.of("curve25519", 2, "unknown_alg", 1));
  }
}
