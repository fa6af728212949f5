package org.keydir.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The checks run on many threads; each verdict is the one a single check of that object gives. */
class ManySignaturesProperties {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] SEED = new byte[32];
  private static final Ed25519.PublicKey KEY =
      Ed25519.PublicKey.parse(Ed25519.fromSeed(SEED).publicKey()).orElseThrow();

  @Property(tries = 60)
  void each_verdict_is_the_single_check_of_its_object(
      @ForAll @Size(max = 120) List<@IntRange(min = 0, max = 3) Integer> kinds) {
    List<JsonNode> objects = new ArrayList<>();
    for (int i = 0; i < kinds.size(); i++) {
      ObjectNode key = JSON.createObjectNode().put("key", "key number " + i);
      ObjectNode signed = JsonSigning.sign(key, "@a:x", "ed25519:DEV", SEED);
      switch (kinds.get(i)) {
        case 1 -> signed.put("key", "changed after signing"); // bad signature
        case 2 -> signed.remove("signatures"); // none
        case 3 -> JsonSigning.sign(key, "@a:x", "ed25519:OTHER", SEED); // signed, other key id
        default -> {}
      }
      objects.add(
          kinds.get(i) == 3 ? JsonSigning.sign(key, "@a:x", "ed25519:OTHER", SEED) : signed);
    }
    boolean[] verdicts = ManySignatures.verify(objects, "@a:x", "ed25519:DEV", KEY);
    assertThat(verdicts).hasSize(objects.size());
    for (int i = 0; i < objects.size(); i++) {
      assertThat(verdicts[i]).as("object %d", i).isEqualTo(kinds.get(i) == 0);
      assertThat(verdicts[i])
          .isEqualTo(JsonSigning.verify(objects.get(i), "@a:x", "ed25519:DEV", KEY));
    }
  }
}
