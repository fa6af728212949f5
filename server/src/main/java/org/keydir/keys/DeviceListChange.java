package org.keydir.keys;

import java.util.Optional;

/**
 * One entry of the device-list stream: at {@code position}, {@code userId}'s keys changed in the
 * way {@code kind} says ({@code deviceId} for the per-device kinds). Hosts turn {@link Kind#DEVICE}
 * and {@link Kind#DEVICE_DELETED} into {@code m.device_list_update} EDUs and {@link
 * Kind#CROSS_SIGNING} into {@code m.signing_key_update}; every kind puts the user into {@code
 * device_lists.changed}.
 */
public record DeviceListChange(long position, String userId, Optional<String> deviceId, Kind kind) {
  public enum Kind {
    /** a device appeared, or its device keys (or their signatures) changed */
    DEVICE("device"),
    DEVICE_DELETED("device_deleted"),
    /** the user's master / self-signing / user-signing keys changed */
    CROSS_SIGNING("cross_signing"),
    /** a signature on the user's master key, or by the user of another user's key, was uploaded */
    SIGNATURE("signature");

    public final String wire;

    Kind(String wire) {
      this.wire = wire;
    }

    public static Kind ofWire(String s) {
      for (Kind k : values()) if (k.wire.equals(s)) return k;
      throw new IllegalArgumentException("unknown device-list change kind " + s);
    }
  }
}
