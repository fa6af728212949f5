package org.keydir.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;
import org.keydir.federation.FederationAuth;
import org.keydir.serverkeys.KeyRing;
import org.keydir.serverkeys.RotationConfig;
import org.keydir.serverkeys.ServerKeyAdmin;
import io.vertx.ext.web.Router;
import org.keydir.keys.CrossSigningUploads;
import io.vertx.ext.web.handler.BodyHandler;
import org.keydir.admin.AuditLog;
import org.keydir.admin.DeviceAdmin;
import org.keydir.keys.KeyResets;
import org.keydir.keys.OneTimeKeyListing;
import org.keydir.keys.KeyClaims;
import org.keydir.keys.KeyQueries;
import org.keydir.keys.KeyUploads;
import org.keydir.metrics.Metrics;
import org.keydir.store.Database;
import org.keydir.store.TokenStore;

/** Every route keydir serves, in one place. */
public final class Routes {
  public record Deps(Database database, TokenStore tokens, DeviceAdmin deviceAdmin, AuditLog auditLog,
                     KeyUploads uploads, KeyClaims claims, KeyQueries queries, KeyResets resets,
                     OneTimeKeyListing listing, RateLimiter rateLimiter, String adminToken, long maxBodyBytes,
                     KeyRing keyRing, RotationConfig rotation, FederationAuth federationAuth,
                     ServerKeyAdmin serverKeyAdmin, Clock clock, Optional<Metrics> metrics,
                     FederationRateLimiter federationRateLimiter, CrossSigningUploads crossSigning,
                     org.keydir.keys.SignatureUploads signatures, org.keydir.admin.CrossSigningAdmin crossSigningAdmin,
                     org.keydir.keys.DeviceListChanges deviceListChanges) {}

  private Routes() {}

  /**
   * Matrix bodies are JSON whatever the Content-Type says (Synapse ignores it too); without this,
   * vertx-web would try to decode a form or multipart body and fail with its own errors.
   */
  private static void bodiesAreJson(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type != null && (type.regionMatches(true, 0, "multipart/", 0, 10)
        || type.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33))) {
      ctx.request().headers().set("Content-Type", "application/json");
    }
    ctx.next();
  }

  public static Router build(Vertx vertx, Deps deps) {
    Router router = Router.router(vertx);
    router.route().handler(RequestIds::assign);
    router.route().handler(Routes::bodiesAreJson);
    router.route().handler(BodyHandler.create(false).setBodyLimit(deps.maxBodyBytes()));

    ServiceHandlers service = new ServiceHandlers(deps.database());
    router.get("/health").handler(Replies.json(service::health));
    router.get("/ready").handler(Replies.json(service::ready));
    router.get("/_matrix/client/versions").handler(Replies.json(service::versions));
    deps.metrics().ifPresent(m -> router.get("/metrics").handler(m.scrapeHandler()));

    // Authentication is attached per route, so an unknown path is a 404 whatever the token.
    ClientAuth clientAuth = new ClientAuth(deps.database().pool(), deps.tokens());
    AdminAuth adminAuth = new AdminAuth(deps.adminToken());

    AccountHandlers account = new AccountHandlers();
    router.get("/_matrix/client/v3/account/whoami").handler(clientAuth).handler(deps.rateLimiter())
        .handler(Replies.json(account::whoami));

    KeysHandlers keys = new KeysHandlers(deps.uploads(), deps.claims(), deps.queries(), deps.crossSigning(),
        deps.signatures());
    ResetHandlers reset = new ResetHandlers(deps.resets(), deps.listing());
    String v3 = "/_matrix/client/v3";
    for (var e : java.util.Map.<String, Function<RoutingContext, Future<? extends JsonNode>>>of(
        v3 + "/keys/upload", keys::upload,
        v3 + "/keys/claim", keys::claim,
        v3 + "/keys/query", keys::query,
        v3 + "/keys/reset", reset::reset,
        v3 + "/keys/device_signing/upload", keys::deviceSigningUpload,
        "/_matrix/client/unstable/keys/device_signing/upload", keys::deviceSigningUpload,
        v3 + "/keys/signatures/upload", keys::signaturesUpload,
        "/_matrix/client/unstable/keys/signatures/upload", keys::signaturesUpload,
        "/_matrix/client/unstable/org.matrix.msc4162/keys/reset", reset::reset).entrySet()) {
      router.post(e.getKey()).handler(clientAuth).handler(deps.rateLimiter()).handler(Replies.json(e.getValue()));
    }
    router.get(v3 + "/keys/changes").handler(clientAuth).handler(deps.rateLimiter())
        .handler(Replies.json(ctx -> deps.deviceListChanges().changed(ctx.request().getParam("from"),
            ctx.request().getParam("to")).map(KeysJson::changes)));
    router.get("/_matrix/client/unstable/io.keydir/keys/one_time_keys").handler(clientAuth)
        .handler(deps.rateLimiter()).handler(Replies.json(reset::listOneTimeKeys));

    String admin = "/_keydir/admin/v1";
    AdminHandlers adm = new AdminHandlers(deps.deviceAdmin(), deps.auditLog(), deps.crossSigningAdmin());
    router.post(admin + "/users/:userId/cross_signing/allow_replacement").handler(adminAuth)
        .handler(Replies.json(adm::allowCrossSigningReplacement));
    router.get(admin + "/users/:userId/cross_signing").handler(adminAuth).handler(Replies.json(adm::showCrossSigning));
    router.delete(admin + "/users/:userId/cross_signing").handler(adminAuth).handler(Replies.json(adm::deleteCrossSigning));
    router.post(admin + "/devices").handler(adminAuth).handler(Replies.json(adm::createDevice));
    router.get(admin + "/users/:userId/devices").handler(adminAuth).handler(Replies.json(adm::listDevices));
    router.get(admin + "/users/:userId/devices/:deviceId").handler(adminAuth).handler(Replies.json(adm::showDevice));
    router.delete(admin + "/users/:userId/devices/:deviceId").handler(adminAuth)
        .handler(Replies.json(adm::deleteDevice));
    router.post(admin + "/users/:userId/devices/:deviceId/keys/reset").handler(adminAuth)
        .handler(Replies.json(adm::resetKeys));
    router.get(admin + "/audit").handler(adminAuth).handler(Replies.json(adm::audit));
    router.get(admin + "/device_lists/position").handler(adminAuth).handler(Replies.json(ctx -> deps.deviceListChanges()
        .position().map(p -> (JsonNode) com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
            .put("position", p))));

    FederationHandlers fed = new FederationHandlers(deps.keyRing(), deps.rotation(), deps.queries(), deps.claims(),
        deps.clock());
    router.get("/_matrix/key/v2/server").handler(fed::serverKeys);
    String federation = "/_matrix/federation/v1";
    FederationRateLimiter perOrigin = deps.federationRateLimiter();
    router.post(federation + "/user/keys/query").handler(deps.federationAuth()).handler(perOrigin)
        .handler(Replies.json(fed::query));
    router.post(federation + "/user/keys/claim").handler(deps.federationAuth()).handler(perOrigin)
        .handler(Replies.json(fed::claim));
    router.get(federation + "/user/devices/:userId").handler(deps.federationAuth()).handler(perOrigin)
        .handler(Replies.json(fed::devices));

    ServerKeyAdminHandlers keysAdmin = new ServerKeyAdminHandlers(deps.serverKeyAdmin());
    router.get(admin + "/server_keys").handler(adminAuth).handler(Replies.json(keysAdmin::list));
    router.post(admin + "/server_keys/rotate").handler(adminAuth).handler(Replies.json(keysAdmin::rotate));
    router.post(admin + "/server_keys/:keyId/revoke").handler(adminAuth).handler(Replies.json(keysAdmin::revoke));

    router.route().failureHandler(MatrixErrors::handle);
    router.errorHandler(404, MatrixErrors::handle);
    router.errorHandler(405, MatrixErrors::handle);
    router.errorHandler(413, MatrixErrors::handle);
    router.errorHandler(500, MatrixErrors::handle);
    return router;
  }
}
