package org.keydir.usecases;

import java.util.Map;
import java.util.Optional;
import org.keydir.keys.StoredDeviceState.StoredFallbackKey;
import org.keydir.store.DeviceStore;

/** Everything an operator sees of one device (never a token, never private material). */
public record DeviceView(
    DeviceStore.Device device,
    Optional<String> deviceKeysJson,
    Map<String, Integer> oneTimeKeyCounts,
    Map<String, StoredFallbackKey> fallbackKeys,
    long claimsServed,
    Optional<Long> lastUploadTs) {}
