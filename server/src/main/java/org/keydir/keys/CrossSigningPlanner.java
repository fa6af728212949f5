package org.keydir.keys;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.keydir.crypto.CanonicalJson;
import org.keydir.crypto.CanonicalJsonException;
import org.keydir.crypto.JsonSigning;

/**
 * The rules of {@code POST /keys/device_signing/upload} (spec "Cross-signing"), pure: decides what
 * to store, or throws the first broken rule (then nothing is stored).
 *
 * <ul>
 *   <li>every key is the caller's; its public key is none of the caller's device ids (they share
 *       one namespace);
 *   <li>self-signing and user-signing keys are signed by the master key, the request's or the
 *       stored one;
 *   <li>a key canonically equal to what was <i>uploaded</i> before is not written again (so an
 *       identical re-upload changes nothing, whatever signatures others added since);
 *   <li>any other change while a master key is stored replaces the identity: {@link
 *       Plan#replaces()}, which needs the operator's approval (MSC3967: only a first upload is
 *       free).
 * </ul>
 */
public final class CrossSigningPlanner {
  /**
   * {@code superseded}: stored keys whose signatures (made by them and on them) no longer count
   * once this plan is applied, because they are rewritten or hang under a new master key; {@code
   * dropped}: those among them the request does not rewrite (subkeys of a replaced master), deleted
   * outright.
   */
  public record Plan(
      List<CrossSigningKey> writes,
      boolean replaces,
      List<StoredCrossSigningKey> superseded,
      List<StoredCrossSigningKey> dropped) {}

  private CrossSigningPlanner() {}

  public static Plan plan(
      String caller,
      CrossSigningUpload upload,
      Map<String, StoredCrossSigningKey> stored,
      Set<String> deviceIds) {
    Optional<CrossSigningKey> newMaster =
        upload.keys().stream().filter(k -> k.usage().equals(CrossSigningKey.MASTER)).findFirst();
    for (CrossSigningKey k : upload.keys()) {
      if (!k.userId().equals(caller)) {
        throw KeydirException.invalidParam(
            "%s key's user_id %s is not the caller %s", k.usage(), k.userId(), caller);
      }
      if (deviceIds.contains(k.publicKey())) {
        throw KeydirException.invalidParam(
            "%s key %s is also one of this user's device ids", k.usage(), k.publicKey());
      }
    }
    Optional<String> masterPublic =
        newMaster
            .map(CrossSigningKey::publicKey)
            .or(
                () ->
                    Optional.ofNullable(stored.get(CrossSigningKey.MASTER))
                        .map(StoredCrossSigningKey::publicKey));
    List<CrossSigningKey> writes = new ArrayList<>();
    for (CrossSigningKey k : upload.keys()) {
      if (!k.usage().equals(CrossSigningKey.MASTER)) requireSignedByMaster(caller, k, masterPublic);
      StoredCrossSigningKey old = stored.get(k.usage());
      if (old == null || !sameAsUploaded(k, old)) writes.add(k);
    }
    boolean replaces = stored.containsKey(CrossSigningKey.MASTER) && !writes.isEmpty();
    boolean masterReplaced = newMaster(writes, stored);
    List<StoredCrossSigningKey> superseded = new ArrayList<>();
    List<StoredCrossSigningKey> dropped = new ArrayList<>();
    for (StoredCrossSigningKey old : stored.values()) {
      boolean rewritten = writes.stream().anyMatch(k -> k.usage().equals(old.usage()));
      if (!rewritten && !masterReplaced) continue;
      superseded.add(old);
      if (!rewritten) dropped.add(old);
    }
    return new Plan(List.copyOf(writes), replaces, List.copyOf(superseded), List.copyOf(dropped));
  }

  private static boolean newMaster(
      List<CrossSigningKey> writes, Map<String, StoredCrossSigningKey> stored) {
    StoredCrossSigningKey old = stored.get(CrossSigningKey.MASTER);
    return old != null
        && writes.stream()
            .anyMatch(
                k ->
                    k.usage().equals(CrossSigningKey.MASTER)
                        && !k.publicKey().equals(old.publicKey()));
  }

  private static void requireSignedByMaster(
      String caller, CrossSigningKey k, Optional<String> masterPublic) {
    if (masterPublic.isEmpty()) {
      throw KeydirException.invalidParam(
          "a %s key needs a master key: upload master_key first (or with it)", k.usage());
    }
    String keyId = JsonSigning.ED25519_PREFIX + masterPublic.get();
    if (!JsonSigning.verify(
        k.json(), caller, keyId, JsonSigning.decodePublicKey(masterPublic.get()))) {
      throw KeydirException.of(
          KeydirException.Kind.INVALID_SIGNATURE,
          "%s_key is not signed by the master key %s",
          k.usage(),
          keyId);
    }
  }

  private static boolean sameAsUploaded(CrossSigningKey k, StoredCrossSigningKey old) {
    try {
      return CanonicalJson.encode(k.json())
          .equals(CanonicalJson.encode(CanonicalJson.parse(old.json())));
    } catch (CanonicalJsonException e) {
      throw KeydirException.badJson(
          "%s key has no canonical JSON form: %s", k.usage(), e.getMessage());
    }
  }
}
