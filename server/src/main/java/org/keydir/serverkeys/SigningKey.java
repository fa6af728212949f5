package org.keydir.serverkeys;

/** The key this server signs with now: its id ({@code ed25519:…}) and its 32-byte seed. */
public record SigningKey(String keyId, byte[] seed) {}
