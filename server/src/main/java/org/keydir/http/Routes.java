package org.keydir.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.keydir.config.RotationConfig;
import org.keydir.federation.FederationAuth;
import org.keydir.metrics.Metrics;
import org.keydir.store.Database;
import org.keydir.usecases.AuditLog;
import org.keydir.usecases.CrossSigningUploads;
import org.keydir.usecases.DeviceAdmin;
import org.keydir.usecases.KeyClaims;
import org.keydir.usecases.KeyQueries;
import org.keydir.usecases.KeyResets;
import org.keydir.usecases.KeyRing;
import org.keydir.usecases.KeyUploads;
import org.keydir.usecases.LocalTokens;
import org.keydir.usecases.OneTimeKeyListing;
import org.keydir.usecases.ServerKeyAdmin;

/** Every route keydir serves, in one place. */
public final class Routes {
  /** What one keydir serves, by the listener part that routes it. */
  public record Deps(
      Listener listener,
      ClientApi client,
      FederationApi federation,
      OperatorApi operator,
      HostMode hostMode) {}

  /** What every listener has: the readiness check's database and the body size cap. */
  public record Listener(Database database, long maxBodyBytes) {}

  /** The client API's use cases, its token check (local mode) and its per-device rate limit. */
  public record ClientApi(
      LocalTokens tokens,
      KeyUploads uploads,
      KeyClaims claims,
      KeyQueries queries,
      KeyResets resets,
      OneTimeKeyListing listing,
      CrossSigningUploads crossSigning,
      org.keydir.usecases.SignatureUploads signatures,
      org.keydir.usecases.DeviceListChanges deviceListChanges,
      RateLimiter rateLimiter) {}

  /** The federation API: our published keys, the peers' requests' check and rate limit. */
  public record FederationApi(
      KeyRing keyRing,
      RotationConfig rotation,
      FederationAuth auth,
      FederationRateLimiter rateLimiter,
      Clock clock) {}

  /** The admin API and /metrics. */
  public record OperatorApi(
      String adminToken,
      DeviceAdmin deviceAdmin,
      AuditLog auditLog,
      org.keydir.usecases.CrossSigningAdmin crossSigningAdmin,
      ServerKeyAdmin serverKeyAdmin,
      org.keydir.usecases.DeviceListChanges deviceListChanges,
      Optional<Metrics> metrics) {}

  /**
   * What host mode changes: who checks client tokens (empty: keydir's own), whether keydir
   * publishes its own signing keys (not when it signs with the host's), and the internal API
   * (empty: off; {@code ownListener}: served only by {@link #buildInternal}).
   */
  public record HostMode(
      Optional<org.keydir.host.DelegatedAuthentication> delegatedAuth,
      boolean publishesServerKeys,
      Optional<Internal> internal,
      Optional<org.keydir.host.SyncPassThrough> sync,
      org.keydir.host.FederationInterest interest) {
    public static HostMode standalone() {
      return new HostMode(
          Optional.empty(),
          true,
          Optional.empty(),
          Optional.empty(),
          org.keydir.host.FederationInterest.NONE);
    }
  }

  /** The host internal API's parts. */
  public record Internal(
      String token,
      org.keydir.host.SyncStates syncStates,
      org.keydir.host.DeviceListFeed feed,
      org.keydir.host.HostNotices notices,
      boolean ownListener) {}

  /** Spec prefixes real clients still use for the keys endpoints (Synapse serves all three). */
  static final List<String> CLIENT_PREFIXES =
      List.of("/_matrix/client/v3", "/_matrix/client/r0", "/_matrix/client/unstable");

  private Routes() {}

  /**
   * Matrix bodies are JSON whatever the Content-Type says (Synapse ignores it too); without this,
   * vertx-web would try to decode a form or multipart body and fail with its own errors.
   */
  private static void bodiesAreJson(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type != null
        && (type.regionMatches(true, 0, "multipart/", 0, 10)
            || type.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33))) {
      ctx.request().headers().set("Content-Type", "application/json");
    }
    ctx.next();
  }

  /** What every listener has: request ids, JSON bodies (bounded), and the health checks. */
  private static Router base(Vertx vertx, Listener listener, ServiceHandlers service) {
    Router router = Router.router(vertx);
    router.route().handler(RequestIds::assign);
    router.route().handler(Routes::bodiesAreJson);
    router.route().handler(BodyHandler.create(false).setBodyLimit(listener.maxBodyBytes()));
    router.get("/health").handler(Replies.json(service::health));
    router.get("/ready").handler(Replies.json(service::ready));
    return router;
  }

  public static Router build(Vertx vertx, Deps deps) {
    return build(vertx, deps, true);
  }

  /**
   * {@code operatorRoutes}: also the admin API and /metrics (false when {@code listen.operator}
   * serves them).
   */
  public static Router build(Vertx vertx, Deps deps, boolean operatorRoutes) {
    ServiceHandlers service = new ServiceHandlers(deps.listener().database());
    Router router = base(vertx, deps.listener(), service);
    router.get("/_matrix/client/versions").handler(Replies.json(service::versions));

    // Authentication is attached per route, so an unknown path is a 404 whatever the token.
    Handler<RoutingContext> clientAuth =
        deps.hostMode()
            .delegatedAuth()
            .<Handler<RoutingContext>>map(DelegatedAuth::new)
            .orElseGet(() -> new ClientAuth(deps.client().tokens()));

    AccountHandlers account = new AccountHandlers();
    router
        .get("/_matrix/client/v3/account/whoami")
        .handler(clientAuth)
        .handler(deps.client().rateLimiter())
        .handler(Replies.json(account::whoami));

    KeysHandlers keys =
        new KeysHandlers(
            deps.client().uploads(),
            deps.client().claims(),
            deps.client().queries(),
            deps.client().crossSigning(),
            deps.client().signatures());
    ResetHandlers reset = new ResetHandlers(deps.client().resets(), deps.client().listing());
    String v3 = "/_matrix/client/v3";
    for (String prefix : CLIENT_PREFIXES) {
      for (var e :
          java.util.Map.<String, Function<RoutingContext, Future<? extends JsonNode>>>of(
                  "/keys/upload", keys::upload,
                  "/keys/upload/:deviceId", keys::uploadForPathDevice,
                  "/keys/claim", keys::claim,
                  "/keys/query", keys::query,
                  "/keys/device_signing/upload", keys::deviceSigningUpload,
                  "/keys/signatures/upload", keys::signaturesUpload)
              .entrySet()) {
        router
            .post(prefix + e.getKey())
            .handler(clientAuth)
            .handler(deps.client().rateLimiter())
            .handler(Replies.json(e.getValue()));
      }
      router
          .get(prefix + "/keys/changes")
          .handler(clientAuth)
          .handler(deps.client().rateLimiter())
          .handler(
              Replies.json(
                  ctx ->
                      deps.client()
                          .deviceListChanges()
                          .changed(ctx.request().getParam("from"), ctx.request().getParam("to"))
                          .map(KeysJson::changes)));
    }
    deps.hostMode()
        .sync()
        .ifPresent(
            sync -> { // not rate limited here: the homeserver limits its /sync
              for (String prefix : List.of(v3, "/_matrix/client/r0")) {
                router
                    .get(prefix + "/sync")
                    .handler(clientAuth)
                    .handler(new SyncHandler(sync, false));
              }
              // simplified sliding sync (MSC4186), as Synapse and Element X name it
              router
                  .post("/_matrix/client/unstable/org.matrix.simplified_msc3575/sync")
                  .handler(clientAuth)
                  .handler(new SyncHandler(sync, true));
            });
    for (String path :
        List.of(v3 + "/keys/reset", "/_matrix/client/unstable/org.matrix.msc4162/keys/reset")) {
      router
          .post(path)
          .handler(clientAuth)
          .handler(deps.client().rateLimiter())
          .handler(Replies.json(reset::reset));
    }
    router
        .get("/_matrix/client/unstable/io.keydir/keys/one_time_keys")
        .handler(clientAuth)
        .handler(deps.client().rateLimiter())
        .handler(Replies.json(reset::listOneTimeKeys));

    FederationHandlers fed =
        new FederationHandlers(
            deps.federation().keyRing(),
            deps.federation().rotation(),
            deps.client().queries(),
            deps.client().claims(),
            deps.federation().clock(),
            deps.hostMode().interest());
    if (deps.hostMode().publishesServerKeys()) {
      router.get("/_matrix/key/v2/server").handler(fed::serverKeys);
      // Removed in spec v1.6 (MSC3938), but Synapse before 1.74 asks here; the answer is the same.
      router.get("/_matrix/key/v2/server/:keyId").handler(fed::serverKeys);
    }
    String federation = "/_matrix/federation/v1";
    FederationRateLimiter perOrigin = deps.federation().rateLimiter();
    router
        .post(federation + "/user/keys/query")
        .handler(deps.federation().auth())
        .handler(perOrigin)
        .handler(Replies.json(fed::query));
    router
        .post(federation + "/user/keys/claim")
        .handler(deps.federation().auth())
        .handler(perOrigin)
        .handler(Replies.json(fed::claim));
    router
        .get(federation + "/user/devices/:userId")
        .handler(deps.federation().auth())
        .handler(perOrigin)
        .handler(Replies.json(fed::devices));

    if (operatorRoutes) operatorRoutes(router, deps.operator(), deps.hostMode());
    deps.hostMode()
        .internal()
        .filter(i -> !i.ownListener())
        .ifPresent(i -> internalRoutes(router, deps.operator(), i));
    return errors(router);
  }

  /**
   * The router of {@code listen.operator}: the admin API, /metrics and the health checks, nothing
   * else.
   */
  public static Router buildOperator(Vertx vertx, Deps deps) {
    Router router = base(vertx, deps.listener(), new ServiceHandlers(deps.listener().database()));
    operatorRoutes(router, deps.operator(), deps.hostMode());
    return errors(router);
  }

  private static void operatorRoutes(Router router, OperatorApi operator, HostMode hostMode) {
    operator.metrics().ifPresent(m -> router.get("/metrics").handler(m.scrapeHandler()));
    AdminAuth adminAuth = new AdminAuth(operator.adminToken());
    String admin = "/_keydir/admin/v1";
    AdminHandlers adm =
        new AdminHandlers(
            operator.deviceAdmin(), operator.auditLog(), operator.crossSigningAdmin());
    router
        .post(admin + "/users/:userId/cross_signing/allow_replacement")
        .handler(adminAuth)
        .handler(Replies.json(adm::allowCrossSigningReplacement));
    router
        .get(admin + "/users/:userId/cross_signing")
        .handler(adminAuth)
        .handler(Replies.json(adm::showCrossSigning));
    router
        .delete(admin + "/users/:userId/cross_signing")
        .handler(adminAuth)
        .handler(Replies.json(adm::deleteCrossSigning));
    router.post(admin + "/devices").handler(adminAuth).handler(Replies.json(adm::createDevice));
    router
        .get(admin + "/users/:userId/devices")
        .handler(adminAuth)
        .handler(Replies.json(adm::listDevices));
    router
        .get(admin + "/users/:userId/devices/:deviceId")
        .handler(adminAuth)
        .handler(Replies.json(adm::showDevice));
    router
        .delete(admin + "/users/:userId/devices/:deviceId")
        .handler(adminAuth)
        .handler(Replies.json(adm::deleteDevice));
    router
        .post(admin + "/users/:userId/devices/:deviceId/keys/reset")
        .handler(adminAuth)
        .handler(Replies.json(adm::resetKeys));
    router.get(admin + "/audit").handler(adminAuth).handler(Replies.json(adm::audit));
    router
        .get(admin + "/device_lists/position")
        .handler(adminAuth)
        .handler(
            Replies.json(
                ctx ->
                    operator
                        .deviceListChanges()
                        .position()
                        .map(
                            p ->
                                (JsonNode)
                                    com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                                        .objectNode()
                                        .put("position", p))));

    if (hostMode
        .publishesServerKeys()) { // with the host's key, keydir has no keys of its own to manage
      ServerKeyAdminHandlers keysAdmin = new ServerKeyAdminHandlers(operator.serverKeyAdmin());
      router.get(admin + "/server_keys").handler(adminAuth).handler(Replies.json(keysAdmin::list));
      router
          .post(admin + "/server_keys/rotate")
          .handler(adminAuth)
          .handler(Replies.json(keysAdmin::rotate));
      router
          .post(admin + "/server_keys/:keyId/revoke")
          .handler(adminAuth)
          .handler(Replies.json(keysAdmin::revoke));
    }
  }

  /**
   * The router of {@code internal.listen}: the internal API and the health checks, nothing else.
   */
  public static Router buildInternal(Vertx vertx, Deps deps) {
    Router router = base(vertx, deps.listener(), new ServiceHandlers(deps.listener().database()));
    internalRoutes(router, deps.operator(), deps.hostMode().internal().orElseThrow());
    return errors(router);
  }

  private static void internalRoutes(Router router, OperatorApi operator, Internal internal) {
    AdminAuth auth =
        new AdminAuth(internal.token(), "internal API token", "the internal API token is required");
    InternalHandlers h =
        new InternalHandlers(
            internal.syncStates(),
            internal.feed(),
            operator.deviceAdmin(),
            operator.crossSigningAdmin(),
            internal.notices(),
            operator.deviceAdmin().serverName());
    String base = "/_keydir/internal/v1";
    router.post(base + "/sync_state").handler(auth).handler(Replies.json(h::syncState));
    router
        .get(base + "/device_list_changes")
        .handler(auth)
        .handler(Replies.json(h::deviceListChanges));
    router
        .delete(base + "/users/:userId/devices/:deviceId")
        .handler(auth)
        .handler(Replies.json(h::deleteDevice));
    router
        .post(base + "/tokens/invalidate")
        .handler(auth)
        .handler(Replies.json(h::invalidateTokens));
    router
        .post(base + "/users/:userId/cross_signing/allow_replacement")
        .handler(auth)
        .handler(Replies.json(h::allowCrossSigningReplacement));
  }

  private static Router errors(Router router) {
    router.route().failureHandler(MatrixErrors::handle);
    router.errorHandler(404, MatrixErrors::handle);
    router.errorHandler(405, MatrixErrors::handle);
    router.errorHandler(413, MatrixErrors::handle);
    router.errorHandler(500, MatrixErrors::handle);
    return router;
  }
}
