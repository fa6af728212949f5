package org.keydir.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.keydir.serverkeys.Op;
import org.keydir.usecases.ServerKeyAdmin;

/** {@code /_keydir/admin/v1/server_keys}: list (never private material), rotate early, revoke. */
final class ServerKeyAdminHandlers {
  private final ServerKeyAdmin admin;

  ServerKeyAdminHandlers(ServerKeyAdmin admin) {
    this.admin = admin;
  }

  Future<JsonNode> list(RoutingContext ctx) {
    return admin.list().map(ServerKeyAdmin::toJson);
  }

  Future<JsonNode> rotate(RoutingContext ctx) {
    return admin.rotateEarly(AdminHandlers.ACTOR).map(ServerKeyAdminHandlers::ops);
  }

  Future<JsonNode> revoke(RoutingContext ctx) {
    return admin
        .revoke(AdminHandlers.ACTOR, ctx.pathParam("keyId"))
        .map(ServerKeyAdminHandlers::ops);
  }

  private static JsonNode ops(List<Op> ops) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    ArrayNode arr = body.putArray("operations");
    ops.forEach(op -> arr.add(op.toString()));
    return body;
  }
}
