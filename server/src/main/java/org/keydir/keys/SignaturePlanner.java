package org.keydir.keys;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.keydir.auth.MatrixIds;
import org.keydir.crypto.CanonicalJson;
import org.keydir.crypto.CanonicalJsonException;
import org.keydir.crypto.JsonSigning;

/**
 * The rules of {@code POST /keys/signatures/upload} (spec "Cross-signing"), pure. Allowed:
 *
 * <ul>
 *   <li>the caller's self-signing key signing one of the caller's devices;
 *   <li>one of the caller's devices signing the caller's master key;
 *   <li>the caller's user-signing key signing another user's master key.
 * </ul>
 *
 * The uploaded object must equal the stored one canonically ({@code signatures} and {@code
 * unsigned} aside; for a remote user's master key, which keydir does not hold, it must be that
 * user's master key with that id). Each good signature is accepted; each bad entry goes to {@code
 * failures} with an errcode, and is stored nowhere. A key id that is both a device id and the
 * master key is refused.
 */
public final class SignaturePlanner {
  public record Failure(String errcode, String error) {}

  public record Plan(List<KeySignature> accepted, Map<String, Map<String, Failure>> failures) {}

  /**
   * What the rules read: the caller's devices' stored keys, and cross-signing keys by user and
   * usage.
   */
  public record State(
      String caller,
      String serverName,
      Map<String, String> callerDevices,
      java.util.Set<String> callerDeviceIds,
      Map<String, Map<String, StoredCrossSigningKey>> identities) {}

  /** One {@code {user: {key_id: object}}} entry of the request. */
  public record Entry(String userId, String keyId, JsonNode object) {}

  private SignaturePlanner() {}

  public static Plan plan(List<Entry> entries, State s) {
    List<KeySignature> accepted = new ArrayList<>();
    Map<String, Map<String, Failure>> failures = new TreeMap<>();
    for (Entry e : entries) {
      try {
        accepted.addAll(check(e, s));
      } catch (Refused r) {
        failures
            .computeIfAbsent(e.userId(), u -> new TreeMap<>())
            .put(e.keyId(), new Failure(r.errcode, r.getMessage()));
      }
    }
    return new Plan(List.copyOf(accepted), failures);
  }

  private static List<KeySignature> check(Entry e, State s) {
    if (!e.object().isObject())
      throw new Refused("M_BAD_JSON", "the signed object must be a JSON object");
    Optional<StoredCrossSigningKey> master = key(s, e.userId(), CrossSigningKey.MASTER);
    boolean isMaster = master.map(m -> m.publicKey().equals(e.keyId())).orElse(false);
    if (e.userId().equals(s.caller())) {
      if (isMaster && s.callerDeviceIds().contains(e.keyId())) {
        throw new Refused("M_INVALID_PARAM", "key id names both a device and the master key");
      }
      boolean isDevice = s.callerDevices().containsKey(e.keyId());
      if (isMaster) return signedByOwnDevice(e, master.get(), s);
      if (isDevice) return signedBySelfSigningKey(e, s);
      throw new Refused(
          "M_NOT_FOUND", "no device or master key " + e.keyId() + " of " + e.userId());
    }
    return signedByUserSigningKey(e, master, s);
  }

  /** A device of the caller signs the caller's master key. */
  private static List<KeySignature> signedByOwnDevice(
      Entry e, StoredCrossSigningKey master, State s) {
    requireSame(e.object(), master.json());
    List<KeySignature> out = new ArrayList<>();
    for (var sig : e.object().path("signatures").path(s.caller()).properties()) {
      String signer = sig.getKey();
      String device =
          signer.startsWith(JsonSigning.ED25519_PREFIX)
              ? signer.substring(JsonSigning.ED25519_PREFIX.length())
              : "";
      String stored = s.callerDevices().get(device);
      if (stored == null)
        continue; // the master key's own self-signature, or an unknown signer: not ours to add
      if (!JsonSigning.verify(e.object(), s.caller(), signer, ed25519Of(stored, device))) {
        throw new Refused("M_INVALID_SIGNATURE", "signature by " + signer + " does not verify");
      }
      out.add(new KeySignature(e.userId(), e.keyId(), s.caller(), signer, sig.getValue().asText()));
    }
    if (out.isEmpty())
      throw new Refused("M_INVALID_SIGNATURE", "no signature by one of your devices");
    return out;
  }

  /** The caller's self-signing key signs one of the caller's devices. */
  private static List<KeySignature> signedBySelfSigningKey(Entry e, State s) {
    requireSame(e.object(), s.callerDevices().get(e.keyId()));
    StoredCrossSigningKey ssk =
        key(s, s.caller(), CrossSigningKey.SELF_SIGNING)
            .orElseThrow(() -> new Refused("M_INVALID_SIGNATURE", "you have no self-signing key"));
    return List.of(signatureBy(e, s.caller(), ssk));
  }

  /** The caller's user-signing key signs another user's master key (local, or remote as given). */
  private static List<KeySignature> signedByUserSigningKey(
      Entry e, Optional<StoredCrossSigningKey> master, State s) {
    StoredCrossSigningKey usk =
        key(s, s.caller(), CrossSigningKey.USER_SIGNING)
            .orElseThrow(() -> new Refused("M_INVALID_SIGNATURE", "you have no user-signing key"));
    boolean remote = !MatrixIds.serverOf(e.userId()).equals(s.serverName());
    if (remote) {
      CrossSigningKey given;
      try {
        given = CrossSigningKey.parse(e.keyId(), CrossSigningKey.MASTER, e.object());
      } catch (KeydirException bad) {
        throw new Refused("M_INVALID_PARAM", bad.getMessage());
      }
      if (!given.userId().equals(e.userId()) || !given.publicKey().equals(e.keyId())) {
        throw new Refused("M_INVALID_PARAM", "not " + e.userId() + "'s master key " + e.keyId());
      }
    } else {
      if (master.isEmpty() || !master.get().publicKey().equals(e.keyId())) {
        throw new Refused("M_NOT_FOUND", e.keyId() + " is not the master key of " + e.userId());
      }
      requireSame(e.object(), master.get().json());
    }
    return List.of(signatureBy(e, s.caller(), usk));
  }

  private static KeySignature signatureBy(
      Entry e, String signerUser, StoredCrossSigningKey signer) {
    String signerKeyId = JsonSigning.ED25519_PREFIX + signer.publicKey();
    JsonNode sig = e.object().path("signatures").path(signerUser).path(signerKeyId);
    if (!sig.isTextual())
      throw new Refused("M_INVALID_SIGNATURE", "no signature by " + signerKeyId);
    if (!JsonSigning.verify(
        e.object(), signerUser, signerKeyId, JsonSigning.decodePublicKey(signer.publicKey()))) {
      throw new Refused("M_INVALID_SIGNATURE", "signature by " + signerKeyId + " does not verify");
    }
    return new KeySignature(e.userId(), e.keyId(), signerUser, signerKeyId, sig.textValue());
  }

  /** Canonically equal with signatures and unsigned set aside: what the signature covers. */
  private static void requireSame(JsonNode uploaded, String storedJson) {
    try {
      if (!Arrays.equals(
          JsonSigning.signingBytes(uploaded),
          JsonSigning.signingBytes(CanonicalJson.parse(storedJson)))) {
        throw new Refused("M_INVALID_PARAM", "the signed object does not match the stored key");
      }
    } catch (CanonicalJsonException bad) {
      throw new Refused("M_BAD_JSON", "the signed object has no canonical JSON form");
    }
  }

  private static byte[] ed25519Of(String deviceJson, String deviceId) {
    return JsonSigning.decodePublicKey(
        CanonicalJson.parse(deviceJson).path("keys").path("ed25519:" + deviceId).asText());
  }

  private static Optional<StoredCrossSigningKey> key(State s, String user, String usage) {
    return Optional.ofNullable(s.identities().getOrDefault(user, Map.of()).get(usage));
  }

  private static final class Refused extends RuntimeException {
    final String errcode;

    Refused(String errcode, String message) {
      super(message, null, false, false);
      this.errcode = errcode;
    }
  }
}
