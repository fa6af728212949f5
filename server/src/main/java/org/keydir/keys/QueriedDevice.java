package org.keydir.keys;

/**
 * A device's stored {@code device_keys} JSON and display name, as {@code /keys/query} returns them.
 */
public record QueriedDevice(String userId, String deviceId, String keyJson, String displayName) {}
