package org.keydir.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import org.keydir.auth.Caller;

/**
 * {@code GET /_matrix/client/v3/account/whoami}: who the access token belongs to (spec 10.x
 * "whoami").
 */
final class AccountHandlers {
  Future<JsonNode> whoami(RoutingContext ctx) {
    Caller caller = ctx.get(Caller.CONTEXT_KEY);
    return Future.succeededFuture(
        JsonNodeFactory.instance
            .objectNode()
            .put("user_id", caller.userId())
            .put("device_id", caller.deviceId()));
  }
}
