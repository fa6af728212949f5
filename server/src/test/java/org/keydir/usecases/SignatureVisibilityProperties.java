package org.keydir.usecases;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.keydir.crypto.CanonicalJson;
import org.keydir.keys.KeySignature;
import org.keydir.testing.CrossSigningIdentity;

/**
 * Spec "Cross-signing": users see the signatures a master key's owner made on it, and their own
 * user-signing signature on it; never the signatures other users' user-signing keys made.
 */
class SignatureVisibilityProperties {
  static final List<String> USERS = List.of("@alice:x", "@bob:x", "@carol:x", "@dave:x");
  static final CrossSigningIdentity ALICE = new CrossSigningIdentity("@alice:x");

  @Property(tries = 300)
  void a_viewer_sees_the_owner_s_signatures_and_only_its_own_user_signing_signature(
      @ForAll("signatures") List<KeySignature> sigs, @ForAll("users") String viewer) {
    String master = CanonicalJson.encode(ALICE.key("master", ALICE.master, false));
    KeyQueries.Signed signed =
        KeyQueries.merge(List.of(), Map.of("@alice:x", Map.of("master", master)), sigs, viewer);
    JsonNode shown =
        CanonicalJson.parse(signed.identities().get("@alice:x").get("master")).path("signatures");
    Set<String> seen = new HashSet<>();
    shown
        .properties()
        .forEach(
            by ->
                by.getValue().properties().forEach(k -> seen.add(by.getKey() + " " + k.getKey())));
    Set<String> expected = new HashSet<>();
    for (KeySignature s : sigs) {
      if (s.signerUserId().equals("@alice:x") || s.signerUserId().equals(viewer))
        expected.add(s.signerUserId() + " " + s.signerKeyId());
    }
    assertThat(seen).isEqualTo(expected);
  }

  @Provide
  Arbitrary<String> users() {
    return Arbitraries.of(USERS);
  }

  @Provide
  Arbitrary<List<KeySignature>> signatures() {
    return Combinators.combine(Arbitraries.of(USERS), Arbitraries.strings().alpha().ofLength(6))
        .as(
            (signer, key) ->
                new KeySignature(
                    "@alice:x",
                    ALICE.master.publicKeyBase64(),
                    signer,
                    "ed25519:" + key,
                    "sig" + key))
        .list()
        .ofMaxSize(8)
        .uniqueElements(s -> s.signerUserId() + s.signerKeyId());
  }
}
