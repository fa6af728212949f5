package org.keydir.host;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import org.keydir.admin.AuditEntry;
import org.keydir.auth.Caller;
import org.keydir.auth.TokenVerdict;
import org.keydir.keys.DeviceListChange;
import org.keydir.keys.KeydirException;
import org.keydir.store.AuditStore;
import org.keydir.store.DeviceListStore;
import org.keydir.store.DeviceStore;

/**
 * Delegated mode: a client's access token is the homeserver's; the host says whose device it is,
 * keydir remembers that verdict for a while ({@link VerdictCache}) and creates a device it sees for
 * the first time (in the load that caches the verdict: a cached valid verdict means the device row
 * exists). Two replicas racing to create one device meet in {@code ON CONFLICT}; only the one that
 * created it bumps the device-list stream and audits it (actor {@code host}).
 */
public final class DelegatedAuthentication {
  /** A host that did not answer: the client is told to come back in this long. */
  public static final long RETRY_AFTER_MS = 2_000;

  static final String ACTOR = "host";

  private final HostTokenVerifier verifier;
  private final VerdictCache cache;
  private final Pool pool;
  private final DeviceStore devices;
  private final DeviceListStore deviceLists;
  private final AuditStore audit;
  private final Clock clock;

  public DelegatedAuthentication(
      HostTokenVerifier verifier,
      VerdictCache cache,
      Pool pool,
      DeviceStore devices,
      DeviceListStore deviceLists,
      AuditStore audit,
      Clock clock) {
    this.verifier = verifier;
    this.cache = cache;
    this.pool = pool;
    this.devices = devices;
    this.deviceLists = deviceLists;
    this.audit = audit;
    this.clock = clock;
  }

  public VerdictCache cache() {
    return cache;
  }

  /**
   * The caller behind {@code token}, or a failure: the host's rejection (401/403) or 503 when it
   * cannot tell.
   */
  public Future<Caller> authenticate(String token, Context context) {
    return cache
        .get(
            VerdictCache.key(token),
            () -> verifier.verify(token).compose(this::withDevice),
            context)
        .recover(
            e ->
                Future.failedFuture(
                    e instanceof TokenVerdict.HostUnavailable u
                        ? KeydirException.unavailable(
                            "cannot check the access token with the homeserver now ("
                                + u.getMessage()
                                + "); try again",
                            RETRY_AFTER_MS)
                        : e))
        .compose(
            v ->
                v.caller()
                    .map(Future::succeededFuture)
                    .orElseGet(() -> Future.failedFuture(rejection(v))));
  }

  private static KeydirException rejection(TokenVerdict v) {
    return KeydirException.of(
        v.status() == 403 ? KeydirException.Kind.FORBIDDEN : KeydirException.Kind.UNKNOWN_TOKEN,
        "%s",
        v.error());
  }

  private Future<TokenVerdict> withDevice(TokenVerdict v) {
    if (v.caller().isEmpty()) return Future.succeededFuture(v);
    Caller c = v.caller().get();
    long now = clock.millis();
    return pool.withTransaction(
            tx ->
                devices
                    .createIfAbsent(tx, c.userId(), c.deviceId(), null, now)
                    .compose(
                        created ->
                            !created
                                ? Future.<Void>succeededFuture()
                                : deviceLists
                                    .bump(
                                        tx, c.userId(), c.deviceId(), DeviceListChange.Kind.DEVICE)
                                    .compose(
                                        p ->
                                            audit.append(
                                                tx,
                                                AuditEntry.of(
                                                    now,
                                                    ACTOR,
                                                    "device.create",
                                                    c.userId(),
                                                    c.deviceId(),
                                                    JsonNodeFactory.instance
                                                        .objectNode()
                                                        .put("created", true)
                                                        .put("by", "delegated auth")
                                                        .toString())))))
        .map(v);
  }
}
