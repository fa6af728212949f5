package org.keydir.keys;

import io.vertx.core.Future;
import java.util.Collection;

/**
 * Records that {@code userId}'s devices asked about {@code queried} users (host mode's /sync
 * pass-through reports those users' changes). Called, and completed, before a query reads keys.
 */
@FunctionalInterface
public interface QueryTracking {
  QueryTracking NONE = (userId, queried) -> Future.succeededFuture();

  Future<Void> record(String userId, Collection<String> queried);
}
