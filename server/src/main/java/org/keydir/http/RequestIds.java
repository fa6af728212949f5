package org.keydir.http;

import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Gives every request an id (kept from a sane incoming {@code X-Request-Id}), echoed in the
 * response.
 */
final class RequestIds {
  private static final String KEY = "keydir.request_id";
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private RequestIds() {}

  static void assign(RoutingContext ctx) {
    String incoming = ctx.request().getHeader("X-Request-Id");
    String id =
        incoming != null && SANE.matcher(incoming).matches()
            ? incoming
            : Long.toHexString(ThreadLocalRandom.current().nextLong());
    ctx.put(KEY, id);
    ctx.response().putHeader("X-Request-Id", id);
    ctx.next();
  }

  static String of(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id != null ? id : "-";
  }
}
