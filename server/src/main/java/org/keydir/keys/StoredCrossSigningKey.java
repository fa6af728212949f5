package org.keydir.keys;

/**
 * One stored cross-signing key: {@code usage} is master, self_signing or user_signing; {@code json}
 * as uploaded.
 */
public record StoredCrossSigningKey(String userId, String usage, String publicKey, String json) {}
