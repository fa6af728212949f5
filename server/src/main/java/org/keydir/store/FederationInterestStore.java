package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.Collection;

/** SQL for {@code federation_interest}: which remote servers asked about which local users. */
public final class FederationInterestStore {
  private static final String RECORD =
      """
      INSERT INTO federation_interest (user_id, server_name, last_asked_ts)
      SELECT u, $2, $3 FROM unnest($1::text[]) AS u
      ON CONFLICT (user_id, server_name) DO UPDATE SET last_asked_ts = EXCLUDED.last_asked_ts
      WHERE federation_interest.last_asked_ts < EXCLUDED.last_asked_ts - 3600000""";

  /** One statement per request; refreshed at most hourly per pair (no write on every request). */
  public Future<Void> record(
      SqlClient db, Collection<String> localUsers, String server, long nowMs) {
    if (localUsers.isEmpty()) return Future.succeededFuture();
    return db.preparedQuery(RECORD)
        .execute(
            Tuple.tuple()
                .addArrayOfString(localUsers.toArray(String[]::new))
                .addString(server)
                .addLong(nowMs))
        .mapEmpty();
  }
}
