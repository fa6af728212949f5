package org.keydir.chaos;

import java.util.List;
import java.util.Random;

/** What every operation works with: the devices, their ledgers, the journal and the violations. */
record World(
    List<ChaosDevice> devices, List<DeviceLedger> ledgers, Journal journal, Violations violations) {
  ChaosDevice anyDevice(Random rnd) {
    return devices.get(rnd.nextInt(devices.size()));
  }

  DeviceLedger ledger(ChaosDevice d) {
    return ledgers.get(d.index);
  }

  /** The device with this user and device id, or null. */
  ChaosDevice find(String userId, String deviceId) {
    for (ChaosDevice d : devices) {
      if (d.userId.equals(userId) && d.deviceId.equals(deviceId)) return d;
    }
    return null;
  }

  /** "K12" → 12 for a one-time key id of ours ("signed_curve25519:K12"), else -1; same for 'F'. */
  static int number(String keyId, char kind) {
    String prefix = ChaosDevice.ALGORITHM + ":" + kind;
    if (!keyId.startsWith(prefix)
        || keyId.length() == prefix.length()
        || keyId.length() > prefix.length() + 9) {
      return -1;
    }
    for (int i = prefix.length(); i < keyId.length(); i++) {
      if (!Character.isDigit(keyId.charAt(i))) return -1;
    }
    return Integer.parseInt(keyId.substring(prefix.length()));
  }
}
