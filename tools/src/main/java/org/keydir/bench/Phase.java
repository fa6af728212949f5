package org.keydir.bench;

import java.util.Arrays;
import java.util.Locale;

/** What a phase sends; each runs at every concurrency level. */
public enum Phase {
  /** {@code /keys/upload} of {@code --batch} signed one-time keys for one device. */
  UPLOAD("upload"),
  /** {@code /keys/claim} of one key from one device. */
  CLAIM("claim"),
  /** {@code /keys/claim} of one key from each of {@code --bulk} devices, in one request. */
  CLAIM_BULK("claim-bulk"),
  /** {@code /keys/query} of {@code --query-users} devices. */
  QUERY("query"),
  /** 50% single claims, 40% queries, 10% uploads of 10 keys. */
  MIXED("mixed");

  public final String label;

  Phase(String label) {
    this.label = label;
  }

  public static Phase parse(String s) {
    String want = s.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(p -> p.label.equals(want))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown phase '" + s + "' (one of upload, claim, claim-bulk, query, mixed)"));
  }

  @Override
  public String toString() {
    return label;
  }
}
