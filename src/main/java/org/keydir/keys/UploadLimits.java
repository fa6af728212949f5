package org.keydir.keys;

/** Caps on one-time keys: stored per device and algorithm, and keys per upload request. */
public record UploadLimits(int maxOtksPerAlgorithm, int maxKeysPerUpload) {}
