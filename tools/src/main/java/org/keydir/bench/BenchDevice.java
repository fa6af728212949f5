package org.keydir.bench;

/** A device the bench drives: its access token, its keys, and its ledger. */
public record BenchDevice(
    String userId, String deviceId, String token, SignedKeys keys, DeviceLedger ledger) {}
