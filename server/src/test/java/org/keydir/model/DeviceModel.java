package org.keydir.model;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.keydir.testing.SigningDevice;

/** The reference model of one device's keys: the rules of product.md, in plain Java collections. */
final class DeviceModel {
  record Key(String id, String json) {}

  record Fallback(String id, String json, boolean used) {}

  SigningDevice signer;
  boolean exists = true;
  final List<Key> available = new ArrayList<>(); // claim order = upload order
  final Set<String> claimed = new HashSet<>();
  Fallback fallback;
  int nextKey;
  int nextFallback;

  DeviceModel(SigningDevice signer) {
    this.signer = signer;
  }

  Key find(String id) {
    return available.stream().filter(k -> k.id().equals(id)).findFirst().orElse(null);
  }

  List<String> availableIds() {
    return available.stream().map(Key::id).toList();
  }

  /**
   * What a claim must hand out now: the oldest key, else the fallback (marked used), else nothing.
   */
  Object claim() {
    if (!exists) return null;
    if (!available.isEmpty()) {
      Key k = available.remove(0);
      claimed.add(k.id());
      return k;
    }
    if (fallback != null) {
      fallback = new Fallback(fallback.id(), fallback.json(), true);
      return fallback;
    }
    return null;
  }

  void forget() {
    exists = false;
    available.clear();
    claimed.clear();
    fallback = null;
  }
}
