package org.keydir.bench;

/** A device the bench may act as: its user, its id and its access token. */
record DeviceCredentials(String userId, String deviceId, String token) {}
