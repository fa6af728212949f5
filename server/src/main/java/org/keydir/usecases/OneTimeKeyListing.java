package org.keydir.usecases;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.keydir.auth.Caller;
import org.keydir.keys.KeydirException;
import org.keydir.store.OneTimeKeyStore;

/**
 * Desync detection (keydir extension): the calling device's stored, available one-time key ids in
 * claim order, paginated by an opaque {@code from} token, so a client can compare with its own
 * store and reset exactly the ids it holds no private key for.
 */
public final class OneTimeKeyListing {
  public static final int DEFAULT_LIMIT = 1_000;
  public static final int MAX_LIMIT = 5_000;
  private final Pool pool;
  private final OneTimeKeyStore store;

  public OneTimeKeyListing(Pool pool, OneTimeKeyStore store) {
    this.pool = pool;
    this.store = store;
  }

  public record Page(List<OneTimeKeyStore.Listed> keys, Optional<String> nextFrom) {}

  public Future<Page> list(Caller caller, Optional<String> from, int limit) {
    long[] after = from.map(OneTimeKeyListing::decode).orElse(new long[] {0, -1});
    return store
        .list(pool, caller.userId(), caller.deviceId(), after[0], (int) after[1], limit + 1)
        .map(
            rows -> {
              if (rows.size() <= limit) return new Page(rows, Optional.empty());
              OneTimeKeyStore.Listed last = rows.get(limit - 1);
              return new Page(rows.subList(0, limit), Optional.of(encode(last.seq(), last.pos())));
            });
  }

  public static int parseLimit(Optional<String> limit) {
    if (limit.isEmpty()) return DEFAULT_LIMIT;
    try {
      int n = Integer.parseInt(limit.get());
      if (n < 1 || n > MAX_LIMIT) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw KeydirException.invalidParam("'limit' must be an integer from 1 to %d", MAX_LIMIT);
    }
  }

  static String encode(long seq, int pos) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((seq + "." + pos).getBytes(StandardCharsets.US_ASCII));
  }

  static long[] decode(String token) {
    try {
      String[] parts =
          new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII).split("\\.");
      if (parts.length != 2) throw new IllegalArgumentException();
      return new long[] {Long.parseLong(parts[0]), Integer.parseInt(parts[1])};
    } catch (IllegalArgumentException e) {
      throw KeydirException.invalidParam("'from' is not a token this server gave out");
    }
  }
}
