package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/** SQL for {@code device_list_positions}: a per-user position that grows whenever the user's devices change. */
public final class DeviceListStore {
  private static final String BUMP = """
      INSERT INTO device_list_positions (user_id, stream_id) VALUES ($1, nextval('device_list_stream'))
      ON CONFLICT (user_id) DO UPDATE SET stream_id = EXCLUDED.stream_id""";
  private static final String GET = "SELECT stream_id FROM device_list_positions WHERE user_id = $1";

  public Future<Void> bump(SqlClient tx, String userId) {
    return tx.preparedQuery(BUMP).execute(Tuple.of(userId)).mapEmpty();
  }

  public Future<Long> position(SqlClient db, String userId) {
    return db.preparedQuery(GET).execute(Tuple.of(userId))
        .map(rs -> rs.size() == 0 ? 0L : rs.iterator().next().getLong("stream_id"));
  }
}
