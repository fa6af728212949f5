package org.keydir.keys;

/** One wanted claim: a key of {@code algorithm} from {@code deviceId} of {@code userId}. */
public record DeviceAlgorithm(String userId, String deviceId, String algorithm) {}
