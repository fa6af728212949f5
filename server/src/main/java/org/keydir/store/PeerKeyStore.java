package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** SQL for {@code peer_signing_keys}: federation peers' verify keys, shared by replicas. */
public final class PeerKeyStore {
  private static final String GET =
      """
      SELECT key_id, public_key, valid_until_ts FROM peer_signing_keys WHERE server_name = $1""";
  private static final String UPSERT =
      """
      INSERT INTO peer_signing_keys (server_name, key_id, public_key, valid_until_ts, fetched_ts)
      SELECT $1, k.key_id, k.public_key, $4, $5 FROM unnest($2::text[], $3::text[]) AS k(key_id, public_key)
      ON CONFLICT (server_name, key_id) DO UPDATE
        SET public_key = EXCLUDED.public_key, valid_until_ts = EXCLUDED.valid_until_ts, fetched_ts = EXCLUDED.fetched_ts""";

  public record PeerKey(String publicKey, long validUntilTs) {}

  public Future<Map<String, PeerKey>> get(SqlClient db, String serverName) {
    return db.preparedQuery(GET)
        .execute(Tuple.of(serverName))
        .map(
            rs -> {
              Map<String, PeerKey> out = new HashMap<>();
              rs.forEach(
                  r ->
                      out.put(
                          r.getString("key_id"),
                          new PeerKey(r.getString("public_key"), r.getLong("valid_until_ts"))));
              return out;
            });
  }

  public Future<Void> put(
      SqlClient db,
      String serverName,
      List<String> keyIds,
      List<String> publicKeys,
      long validUntilTs,
      long fetchedTs) {
    return db.preparedQuery(UPSERT)
        .execute(
            Tuple.of(
                serverName,
                keyIds.toArray(String[]::new),
                publicKeys.toArray(String[]::new),
                validUntilTs,
                fetchedTs))
        .mapEmpty();
  }
}
