package org.keydir.keys;

/** A key handed out by a claim, with the JSON text exactly as stored. */
public record ClaimedKey(
    String userId, String deviceId, KeyId keyId, String json, boolean fallback) {}
