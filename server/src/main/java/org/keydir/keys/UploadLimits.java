package org.keydir.keys;

/**
 * limits.* for uploads: keys per request, available one-time keys per algorithm and per device,
 * algorithms per device.
 */
public record UploadLimits(
    int maxOtksPerAlgorithm,
    int maxKeysPerUpload,
    int maxOtksPerDevice,
    int maxAlgorithmsPerDevice) {}
