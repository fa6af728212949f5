package org.keydir.app;

import io.vertx.sqlclient.Pool;
import java.time.Clock;
import org.keydir.config.KeydirConfig;
import org.keydir.crypto.SecretBox;
import org.keydir.store.AuditStore;
import org.keydir.store.ServerKeyStore;
import org.keydir.usecases.KeyRing;
import org.keydir.usecases.Rotator;
import org.keydir.usecases.ServerKeyAdmin;

/** The signing-key use cases over one database; they need the key-encryption key. */
public record ServerKeyParts(Rotator rotator, KeyRing ring, ServerKeyAdmin admin) {
  static ServerKeyParts wire(Pool pool, KeydirConfig config, SecretBox keyEncryption, Clock clock) {
    ServerKeyStore store = new ServerKeyStore();
    Rotator rotator =
        new Rotator(
            pool, store, new AuditStore(), keyEncryption, config.rotation().policy(), clock);
    KeyRing ring = new KeyRing(pool, store, keyEncryption, config.serverName());
    return new ServerKeyParts(rotator, ring, new ServerKeyAdmin(pool, store, rotator, ring));
  }
}
