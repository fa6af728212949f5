package org.keydir.federation;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Which addresses federation may connect to (synapse's {@code federation_ip_range_blacklist};
 * synapse#3953): only public unicast ones. Loopback, private (RFC 1918), carrier-grade NAT
 * (100.64/10), link-local, unique-local (fc00::/7), multicast, unspecified, documentation and
 * benchmark ranges, and IPv4-mapped or NAT64 forms of those are refused, unless {@code
 * federation.allow_private_addresses} is set. Pure.
 */
public final class AddressPolicy {
  private AddressPolicy() {}

  public static boolean isPublic(InetAddress a) {
    if (a.isLoopbackAddress()
        || a.isSiteLocalAddress()
        || a.isLinkLocalAddress()
        || a.isAnyLocalAddress()
        || a.isMulticastAddress()) {
      return false;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) return isPublicV4(b);
    if (a instanceof Inet6Address) {
      int first = b[0] & 0xff;
      if ((first & 0xfe) == 0xfc) return false; // fc00::/7 unique local
      if (first == 0xfe && (b[1] & 0xc0) == 0xc0) return false; // fec0::/10 site local (deprecated)
      if (isZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
        return isPublicV4(slice(b, 12)); // ::ffff:a.b.c.d
      }
      if (isZero(b, 0, 12)) return false; // ::a.b.c.d (deprecated), ::, ::1
      if ((b[0] & 0xff) == 0x00
          && (b[1] & 0xff) == 0x64
          && (b[2] & 0xff) == 0xff
          && (b[3] & 0xff) == 0x9b) {
        return isPublicV4(slice(b, 12)); // 64:ff9b::/96 NAT64
      }
      if ((b[0] & 0xff) == 0x20
          && (b[1] & 0xff) == 0x01
          && (b[2] & 0xff) == 0x0d
          && (b[3] & 0xff) == 0xb8) {
        return false; // 2001:db8::/32 documentation
      }
      return true;
    }
    return false;
  }

  private static boolean isPublicV4(byte[] b) {
    int a0 = b[0] & 0xff;
    int a1 = b[1] & 0xff;
    int a2 = b[2] & 0xff;
    return !(a0 == 0
        || a0 == 10
        || a0 == 127
        || a0 >= 224 // this network, private, loopback, multicast/reserved
        || (a0 == 100 && a1 >= 64 && a1 < 128) // 100.64/10 carrier-grade NAT
        || (a0 == 169 && a1 == 254) // link local (cloud metadata)
        || (a0 == 172 && a1 >= 16 && a1 < 32)
        || (a0 == 192 && a1 == 168)
        || (a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2)) // IETF protocol assignments, TEST-NET-1
        || (a0 == 198 && (a1 == 18 || a1 == 19)) // benchmarking
        || (a0 == 198 && a1 == 51 && a2 == 100)
        || (a0 == 203 && a1 == 0 && a2 == 113)); // TEST-NET-2/3
  }

  private static boolean isZero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) if (b[i] != 0) return false;
    return true;
  }

  private static byte[] slice(byte[] b, int from) {
    return java.util.Arrays.copyOfRange(b, from, from + 4);
  }
}
