package org.keydir.cli;

import java.time.Instant;
import java.util.TreeMap;
import org.keydir.admin.ResetReport;
import org.keydir.usecases.DeviceView;

/** Human-readable renderings for the CLI. */
final class DeviceText {
  private DeviceText() {}

  static String of(DeviceView v) {
    StringBuilder s = new StringBuilder();
    s.append("device        ")
        .append(v.device().userId())
        .append(' ')
        .append(v.device().deviceId())
        .append('\n');
    s.append("display name  ")
        .append(v.device().displayName() == null ? "-" : v.device().displayName())
        .append('\n');
    s.append("created       ").append(Instant.ofEpochMilli(v.device().createdTs())).append('\n');
    s.append("identity keys ")
        .append(v.deviceKeysJson().isPresent() ? "uploaded" : "none")
        .append('\n');
    s.append("one-time keys ").append(counts(v)).append('\n');
    s.append("fallback keys ");
    if (v.fallbackKeys().isEmpty()) s.append("none");
    new TreeMap<>(v.fallbackKeys())
        .forEach((alg, f) -> s.append(f.keyId()).append(f.used() ? " (used) " : " (unused) "));
    s.append('\n').append("claims served ").append(v.claimsServed()).append('\n');
    s.append("last upload   ")
        .append(v.lastUploadTs().map(t -> Instant.ofEpochMilli(t).toString()).orElse("never"));
    return s.toString();
  }

  static String line(DeviceView v) {
    return v.device().deviceId()
        + "  otks: "
        + counts(v)
        + "  fallback: "
        + (v.fallbackKeys().isEmpty() ? "none" : v.fallbackKeys().size())
        + "  claims served: "
        + v.claimsServed();
  }

  static String deleted(ResetReport r) {
    return r.oneTimeKeysDeleted()
        + " one-time keys, "
        + r.fallbackKeysDeleted().size()
        + " fallback keys, "
        + (r.deviceKeysDeleted() ? "identity keys" : "no identity keys")
        + ", "
        + r.accessTokensDeleted()
        + " access tokens";
  }

  private static String counts(DeviceView v) {
    if (v.oneTimeKeyCounts().isEmpty()) return "0";
    StringBuilder s = new StringBuilder();
    new TreeMap<>(v.oneTimeKeyCounts())
        .forEach(
            (alg, n) -> s.append(s.length() == 0 ? "" : ", ").append(alg).append('=').append(n));
    return s.toString();
  }
}
