package org.keydir.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.keydir.auth.Caller;
import org.keydir.host.SyncPassThrough;

/**
 * {@code GET /_matrix/client/{v3,r0}/sync} in host mode: parse, pass through, write the host's
 * answer as rewritten.
 */
final class SyncHandler implements Handler<RoutingContext> {
  private final SyncPassThrough sync;
  private final boolean sliding;

  SyncHandler(SyncPassThrough sync, boolean sliding) {
    this.sync = sync;
    this.sliding = sliding;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Caller caller = ctx.get(Caller.CONTEXT_KEY);
    var req = ctx.request();
    sync.sync(
            caller,
            new SyncPassThrough.Request(
                req.path(),
                req.query(),
                req.headers(),
                req.remoteAddress() == null ? "" : req.remoteAddress().hostAddress(),
                sliding,
                sliding ? ctx.body().buffer() : null))
        .onFailure(ctx::fail)
        .onSuccess(
            reply -> {
              if (ctx.response().ended() || ctx.response().closed()) return;
              ctx.response().headers().addAll(reply.headers());
              ctx.response().setStatusCode(reply.status()).end(reply.body());
            });
  }
}
