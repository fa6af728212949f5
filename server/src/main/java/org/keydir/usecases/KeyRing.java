package org.keydir.usecases;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.keydir.config.RotationConfig;
import org.keydir.crypto.SecretBox;
import org.keydir.serverkeys.KeyState;
import org.keydir.serverkeys.OwnKeys;
import org.keydir.serverkeys.PublishedKeys;
import org.keydir.serverkeys.ServerKey;
import org.keydir.serverkeys.SigningKey;
import org.keydir.store.ServerKeyStore;

/**
 * This replica's in-memory, immutable view of the signing keys, refreshed from the database every
 * {@code rotation.refresh_interval}. Request handling only reads the current snapshot: no I/O, no
 * lock. Seeds of keys that may sign (all but revoked ones) are decrypted when a snapshot is loaded.
 */
public final class KeyRing implements OwnKeys {
  private final Pool pool;
  private final ServerKeyStore store;
  private final SecretBox box;
  private final String serverName;
  private final AtomicReference<Snapshot> current = new AtomicReference<>(Snapshot.EMPTY);
  private final java.util.concurrent.atomic.AtomicLong started =
      new java.util.concurrent.atomic.AtomicLong();
  private long applied; // guarded by this

  /** Keys (policy view), public keys by id, and seeds of the keys in {@code verify_keys}. */
  public record Snapshot(
      List<ServerKey> keys, Map<String, String> publicKeys, Map<String, byte[]> seeds) {
    static final Snapshot EMPTY = new Snapshot(List.of(), Map.of(), Map.of());

    public ServerKey active() {
      return keys.stream()
          .filter(k -> k.is(KeyState.ACTIVE))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("no active signing key loaded yet"));
    }
  }

  public KeyRing(Pool pool, ServerKeyStore store, SecretBox box, String serverName) {
    this.pool = pool;
    this.store = store;
    this.box = box;
    this.serverName = serverName;
  }

  /** Loads the keys; a seed that does not decrypt (wrong key-encryption key) fails the Future. */
  public Future<Snapshot> refresh() {
    // Refreshes overlap (the periodic one and one per NOTIFY): a read that started earlier must
    // never replace the snapshot of a read that started later, or the ring would step back to a
    // key that was already expired or revoked.
    long ticket = started.incrementAndGet();
    return store
        .all(pool)
        .map(
            stored -> {
              Map<String, String> publicKeys = new HashMap<>();
              Map<String, byte[]> seeds = new HashMap<>();
              for (ServerKeyStore.StoredKey k : stored) {
                publicKeys.put(k.key().keyId(), k.publicKey());
                if (!k.key()
                    .is(KeyState.REVOKED)) { // any of these may be in verify_keys and sign the key
                  // response
                  seeds.put(k.key().keyId(), box.open(k.sealedSeed(), k.key().keyId()));
                }
              }
              Snapshot s =
                  new Snapshot(
                      stored.stream().map(ServerKeyStore.StoredKey::key).toList(),
                      Map.copyOf(publicKeys),
                      Map.copyOf(seeds));
              synchronized (this) {
                if (ticket > applied) {
                  applied = ticket;
                  current.set(s);
                }
              }
              return current.get();
            });
  }

  public Snapshot snapshot() {
    return current.get();
  }

  public PublishedKeys published(RotationConfig cfg, Instant now) {
    return PublishedKeys.of(current.get().keys(), cfg, now);
  }

  @Override
  public String serverName() {
    return serverName;
  }

  @Override
  public SigningKey signingKey() {
    Snapshot s = current.get();
    String id = s.active().keyId();
    return new SigningKey(id, s.seeds().get(id));
  }
}
