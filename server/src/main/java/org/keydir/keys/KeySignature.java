package org.keydir.keys;

/**
 * One signature on a key: {@code userId}'s key {@code targetKeyId}, signed by {@code
 * signerUserId}'s {@code signerKeyId}.
 */
public record KeySignature(
    String userId, String targetKeyId, String signerUserId, String signerKeyId, String signature) {}
