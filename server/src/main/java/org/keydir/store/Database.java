package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.keydir.config.KeydirConfig;

/**
 * The one connection pool of a keydir process; every store runs its SQL through it. Blocks at
 * connect (a JDBC check for Citus).
 */
public final class Database {
  private final Pool pool;
  private final Shards shards;

  private Database(Pool pool, Shards shards) {
    this.pool = pool;
    this.shards = shards;
  }

  public static Database connect(Vertx vertx, DatabaseUrl url, KeydirConfig.Database cfg) {
    PgConnectOptions connect =
        new PgConnectOptions(url.options())
            .setCachePreparedStatements(true)
            .setPipeliningLimit(256);
    PoolOptions poolOptions =
        new PoolOptions()
            .setMaxSize(cfg.poolSize())
            .setMaxWaitQueueSize(10_000)
            .setConnectionTimeout((int) cfg.connectTimeoutMs())
            .setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
            .setName("keydir")
            .setShared(false);
    Pool pool =
        PgBuilder.pool()
            .with(poolOptions)
            .with(new NetClientOptions().setConnectTimeout((int) cfg.connectTimeoutMs()))
            .connectingTo(connect)
            .using(vertx)
            .build();
    boolean citus =
        CitusLayout.Mode.of(cfg.citus()) != CitusLayout.Mode.OFF && CitusLayout.sharded(url);
    return new Database(pool, Shards.of(citus));
  }

  /**
   * How statements naming several users are split (by shard on Citus; one part on plain
   * PostgreSQL).
   */
  public Shards shards() {
    return shards;
  }

  public Pool pool() {
    return pool;
  }

  /** {@code /ready}: the database answers a query. */
  public Future<Void> ping() {
    return pool.query("SELECT 1")
        .execute()
        .<Void>mapEmpty()
        .recover(DatabaseErrors.toUnavailable());
  }

  public Future<Void> close() {
    return pool.close();
  }
}
