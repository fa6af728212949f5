package org.keydir.http;

import io.vertx.ext.web.RoutingContext;

/**
 * Where a request's token is: {@code Authorization: Bearer <token>}, else {@code ?access_token=}.
 */
final class BearerTokens {
  private BearerTokens() {}

  /**
   * The admin API: the header only (a token in a URL ends up in proxy logs and browser history).
   */
  static String fromHeaderOnly(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    return header == null ? null : fromHeader(header);
  }

  private static String fromHeader(String header) {
    if (header.regionMatches(true, 0, "Bearer ", 0, 7) && header.length() > 7)
      return header.substring(7).trim();
    return null;
  }

  static String from(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header != null) return fromHeader(header);
    String query = ctx.request().getParam("access_token");
    return query == null || query.isEmpty() ? null : query;
  }
}
