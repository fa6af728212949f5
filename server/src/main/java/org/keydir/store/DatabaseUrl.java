package org.keydir.store;

import io.vertx.pgclient.PgConnectOptions;

/**
 * One {@code postgresql://user:password@host:port/db} URL, as Vert.x and as JDBC (for Flyway) need
 * it.
 */
public record DatabaseUrl(PgConnectOptions options) {
  public static DatabaseUrl parse(String url) {
    try {
      return new DatabaseUrl(PgConnectOptions.fromUri(url));
    } catch (RuntimeException e) {
      // never echo the URL or the parser's message: both may hold the password
      throw new org.keydir.config.ConfigException(
          "database.url is not a valid PostgreSQL URL ("
              + org.keydir.config.KeydirConfig.Database.redacted(url)
              + "); expected postgresql://user:password@host:port/database");
    }
  }

  public String jdbcUrl() {
    String host =
        options.getHost().contains(":") ? "[" + options.getHost() + "]" : options.getHost();
    return "jdbc:postgresql://" + host + ":" + options.getPort() + "/" + options.getDatabase();
  }

  public String user() {
    return options.getUser();
  }

  public String password() {
    return options.getPassword();
  }
}
