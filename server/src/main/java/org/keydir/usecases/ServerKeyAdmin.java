package org.keydir.usecases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.List;
import org.keydir.serverkeys.Op;
import org.keydir.serverkeys.ServerKey;
import org.keydir.store.ServerKeyStore;

/**
 * Operator actions on the signing keys, shared by the admin API and the CLI (each audited by the
 * rotator).
 */
public final class ServerKeyAdmin {
  private final Pool pool;
  private final ServerKeyStore store;
  private final Rotator rotator;
  private final KeyRing ring;

  public ServerKeyAdmin(Pool pool, ServerKeyStore store, Rotator rotator, KeyRing ring) {
    this.pool = pool;
    this.store = store;
    this.rotator = rotator;
    this.ring = ring;
  }

  public Future<List<ServerKeyStore.StoredKey>> list() {
    return store.all(pool);
  }

  public Future<List<Op>> rotateEarly(String actor) {
    return rotator.rotateEarly(actor).compose(ops -> refreshed(ops));
  }

  public Future<List<Op>> revoke(String actor, String keyId) {
    return rotator.revoke(actor, keyId).compose(ops -> refreshed(ops));
  }

  /** This replica sees the change at once; the others within one refresh interval. */
  private Future<List<Op>> refreshed(List<Op> ops) {
    return ring == null ? Future.succeededFuture(ops) : ring.refresh().map(ops);
  }

  public static JsonNode toJson(List<ServerKeyStore.StoredKey> keys) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    var arr = body.putArray("server_keys");
    for (ServerKeyStore.StoredKey k : keys) {
      ServerKey s = k.key();
      ObjectNode o =
          arr.addObject()
              .put("key_id", s.keyId())
              .put("state", s.state().name().toLowerCase(java.util.Locale.ROOT))
              .put("public_key", k.publicKey())
              .put("created_ts", ms(s.createdAt()));
      o.put("activated_ts", ms(s.activatedAt()))
          .put("expired_ts", ms(s.expiredAt()))
          .put("revoked_ts", ms(s.revokedAt()))
          .put("early_rotation_requested", s.early());
    }
    return body;
  }

  private static Long ms(Instant t) {
    return t == null ? null : t.toEpochMilli();
  }
}
