package org.keydir.admin;

/**
 * One audit row: who did what to which user/device, when, and what changed ({@code details} is
 * JSON).
 */
public record AuditEntry(
    long id, long ts, String actor, String action, String userId, String deviceId, String details) {
  public static AuditEntry of(
      long ts, String actor, String action, String userId, String deviceId, String details) {
    return new AuditEntry(0, ts, actor, action, userId, deviceId, details);
  }
}
