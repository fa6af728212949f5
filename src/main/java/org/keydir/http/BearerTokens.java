package org.keydir.http;

import io.vertx.ext.web.RoutingContext;

/** Where a request's token is: {@code Authorization: Bearer <token>}, else {@code ?access_token=}. */
final class BearerTokens {
  private BearerTokens() {}

  static String from(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header != null) {
      if (header.regionMatches(true, 0, "Bearer ", 0, 7) && header.length() > 7) return header.substring(7).trim();
      return null;
    }
    String query = ctx.request().getParam("access_token");
    return query == null || query.isEmpty() ? null : query;
  }
}
