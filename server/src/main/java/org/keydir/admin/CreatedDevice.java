package org.keydir.admin;

/** The answer to "create a device": the only time the access token is ever shown. */
public record CreatedDevice(String userId, String deviceId, String accessToken) {}
