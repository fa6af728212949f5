package org.keydir.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import org.keydir.config.RotationConfig;
import org.keydir.crypto.CanonicalJson;
import org.keydir.keys.ClaimRequest;
import org.keydir.keys.QueryRequest;
import org.keydir.serverkeys.PublishedKeys;
import org.keydir.usecases.KeyClaims;
import org.keydir.usecases.KeyQueries;
import org.keydir.usecases.KeyResponse;
import org.keydir.usecases.KeyRing;

/** Server-server endpoints: our published keys, and peers' key queries and claims for our users. */
final class FederationHandlers {
  private final KeyRing ring;
  private final RotationConfig rotation;
  private final KeyQueries queries;
  private final KeyClaims claims;
  private final Clock clock;

  private final org.keydir.host.FederationInterest interest;

  FederationHandlers(
      KeyRing ring,
      RotationConfig rotation,
      KeyQueries queries,
      KeyClaims claims,
      Clock clock,
      org.keydir.host.FederationInterest interest) {
    this.interest = interest;
    this.ring = ring;
    this.rotation = rotation;
    this.queries = queries;
    this.claims = claims;
    this.clock = clock;
  }

  /** GET /_matrix/key/v2/server: cacheable until valid_until_ts, which Cache-Control follows. */
  void serverKeys(RoutingContext ctx) {
    Instant now = clock.instant();
    KeyRing.Snapshot snapshot = ring.snapshot();
    PublishedKeys published = PublishedKeys.of(snapshot.keys(), rotation, now);
    ObjectNode body = KeyResponse.of(ring.serverName(), snapshot, published);
    ctx.response()
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "public, max-age=" + KeyResponse.maxAgeSeconds(published, now))
        .end(CanonicalJson.encode(body));
  }

  /** POST /_matrix/federation/v1/user/keys/query: only our users; never asks other servers. */
  Future<JsonNode> query(RoutingContext ctx) {
    QueryRequest req = QueryRequest.fromJson(JsonBodies.object(ctx));
    return interest
        .record(ctx.get(org.keydir.federation.FederationAuth.ORIGIN), req.devicesByUser().keySet())
        .compose(v -> queries.queryForPeer(req.devicesByUser()))
        .map(KeysJson::queried)
        .map(FederationHandlers::withoutFailures);
  }

  /**
   * POST /_matrix/federation/v1/user/keys/claim: only our users, same atomic claim as local
   * clients.
   */
  Future<JsonNode> claim(RoutingContext ctx) {
    ClaimRequest req = ClaimRequest.fromJson(JsonBodies.object(ctx));
    java.util.Set<String> users = new java.util.TreeSet<>();
    req.wanted().forEach(w -> users.add(w.userId()));
    return interest
        .record(ctx.get(org.keydir.federation.FederationAuth.ORIGIN), users)
        .compose(v -> claims.claimLocal(req.wanted()))
        .map(
            keys ->
                KeysJson.claimed(
                    new KeyClaims.Result(keys, java.util.Map.of(), java.util.Map.of())))
        .map(FederationHandlers::withoutFailures);
  }

  /** GET /_matrix/federation/v1/user/devices/{userId}. */
  Future<JsonNode> devices(RoutingContext ctx) {
    String user = ctx.pathParam("userId");
    Future<Void> recorded =
        org.keydir.auth.MatrixIds.isUserId(user)
            ? interest.record(
                ctx.get(org.keydir.federation.FederationAuth.ORIGIN), java.util.List.of(user))
            : Future.succeededFuture();
    return recorded
        .compose(v -> queries.userDevices(user))
        .map(
            u -> {
              ObjectNode body =
                  JsonNodeFactory.instance
                      .objectNode()
                      .put("user_id", u.userId())
                      .put("stream_id", u.streamId());
              var list = body.putArray("devices");
              u.devices()
                  .forEach(
                      d -> {
                        ObjectNode device = list.addObject().put("device_id", d.deviceId());
                        device.set("keys", CanonicalJson.parse(d.keyJson()));
                        if (d.displayName() != null)
                          device.put("device_display_name", d.displayName());
                      });
              String master = u.crossSigning().get("master");
              String selfSigning = u.crossSigning().get("self_signing");
              if (master != null) body.set("master_key", CanonicalJson.parse(master));
              if (selfSigning != null)
                body.set("self_signing_key", CanonicalJson.parse(selfSigning));
              return body;
            });
  }

  private static JsonNode withoutFailures(JsonNode body) {
    ((ObjectNode) body).remove("failures");
    return body;
  }
}
