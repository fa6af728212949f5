package org.keydir.lifecycle;

/**
 * Where the next cleanup batch of a table starts (pure). A full batch may have stopped inside a
 * user's rows, so the next one starts at that user again ({@code >=}: the deleted rows are gone, so
 * it makes progress); a short batch reached the end of the table, so the next pass starts over.
 */
public final class RetentionPolicy {
  public static final String FIRST_USER = "";

  private RetentionPolicy() {}

  public static String nextCursor(int deleted, int limit, String lastUser) {
    return deleted >= limit && lastUser != null ? lastUser : FIRST_USER;
  }

  /**
   * Rows older than {@code now - retention} go; a zero or negative retention is refused at config
   * time.
   */
  public static long cutoff(long nowMs, long retentionMs) {
    return nowMs - retentionMs;
  }
}
