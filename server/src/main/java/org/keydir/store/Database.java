package org.keydir.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import org.keydir.config.KeydirConfig;

/**
 * A keydir process's connections: a pool for transactions, a pipelined client for statements that
 * stand alone ({@link #statements()}); every store runs its SQL through one of them. Blocks at
 * connect (a JDBC check for Citus).
 */
public final class Database {
  /** {@code application_name} of the pipelined connections ({@code pg_stat_activity}). */
  public static final String PIPELINED = "keydir-pipelined";

  private final Pool pool;
  private final SqlClient statements;
  private final Shards shards;

  private Database(Pool pool, SqlClient statements, Shards shards) {
    this.pool = pool;
    this.statements = statements;
    this.shards = shards;
  }

  public static Database connect(Vertx vertx, DatabaseUrl url, KeydirConfig.Database cfg) {
    PgConnectOptions connect =
        new PgConnectOptions(url.options())
            .setCachePreparedStatements(true)
            .setPipeliningLimit(256)
            .addProperty("application_name", "keydir");
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
    SqlClient statements =
        cfg.pipelinedConnections() == 0
            ? pool
            : PgBuilder.client()
                .with(
                    new PoolOptions(poolOptions)
                        .setMaxSize(cfg.pipelinedConnections())
                        .setName("keydir-pipelined"))
                .with(new NetClientOptions().setConnectTimeout((int) cfg.connectTimeoutMs()))
                .connectingTo(
                    new PgConnectOptions(connect)
                        .setPipeliningLimit(cfg.pipelineDepth())
                        .addProperty("application_name", PIPELINED))
                .using(vertx)
                .build();
    boolean citus =
        CitusLayout.Mode.of(cfg.citus()) != CitusLayout.Mode.OFF && CitusLayout.sharded(url);
    return new Database(pool, statements, Shards.of(citus));
  }

  /**
   * How statements naming several users are split (by shard on Citus; one part on plain
   * PostgreSQL).
   */
  public Shards shards() {
    return shards;
  }

  /** Transactions, and statements that must not share a connection with others. */
  public Pool pool() {
    return pool;
  }

  /**
   * Statements that stand alone (no transaction) on the hot paths: claims of one statement,
   * queries, token lookups. Sent pipelined ({@code database.pipelined_connections} connections,
   * each with up to {@code database.pipeline_depth} statements in flight, each statement its own
   * implicit transaction: Parse/Bind/Execute/Sync), which cost PostgreSQL about a quarter less CPU
   * per claim than one statement per connection at a time (docs/performance.md, item 9). With
   * {@code pipelined_connections = 0}, the pool.
   */
  public SqlClient statements() {
    return statements;
  }

  /** {@code /ready}: the database answers a query. */
  public Future<Void> ping() {
    return pool.query("SELECT 1")
        .execute()
        .<Void>mapEmpty()
        .recover(DatabaseErrors.toUnavailable());
  }

  public Future<Void> close() {
    return statements == pool
        ? pool.close()
        : Future.join(statements.close(), pool.close()).mapEmpty();
  }
}
