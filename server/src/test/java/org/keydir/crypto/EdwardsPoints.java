package org.keydir.crypto;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Test-only Edwards25519 arithmetic in affine coordinates over BigInteger (RFC 8032 §5.1), slow and
 * plain: enough to forge the signatures that only a cofactored check lets through, which no library
 * builds on purpose.
 */
final class EdwardsPoints {
  static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
  static final BigInteger L =
      BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
  private static final BigInteger D =
      BigInteger.valueOf(-121665).multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
  private static final BigInteger SQRT_M1 =
      BigInteger.TWO.modPow(P.subtract(BigInteger.ONE).shiftRight(2), P);
  static final BigInteger[] BASE =
      decode(
          java.util.HexFormat.of()
              .parseHex("5866666666666666666666666666666666666666666666666666666666666666"));

  private EdwardsPoints() {}

  static BigInteger[] add(BigInteger[] a, BigInteger[] b) {
    BigInteger t = D.multiply(a[0]).multiply(b[0]).multiply(a[1]).multiply(b[1]).mod(P);
    BigInteger x =
        a[0].multiply(b[1]).add(a[1].multiply(b[0])).multiply(BigInteger.ONE.add(t).modInverse(P));
    BigInteger y =
        a[1].multiply(b[1])
            .add(a[0].multiply(b[0]))
            .multiply(BigInteger.ONE.subtract(t).mod(P).modInverse(P));
    return new BigInteger[] {x.mod(P), y.mod(P)};
  }

  static BigInteger[] multiply(BigInteger k, BigInteger[] point) {
    BigInteger[] result = {BigInteger.ZERO, BigInteger.ONE};
    for (int i = k.bitLength() - 1; i >= 0; i--) {
      result = add(result, result);
      if (k.testBit(i)) result = add(result, point);
    }
    return result;
  }

  static byte[] encode(BigInteger[] point) {
    byte[] out = littleEndian(point[1]);
    if (point[0].testBit(0)) out[31] |= (byte) 0x80;
    return out;
  }

  static BigInteger[] decode(byte[] encoded) {
    byte[] copy = encoded.clone();
    boolean odd = (copy[31] & 0x80) != 0;
    copy[31] &= 0x7f;
    BigInteger y = fromLittleEndian(copy);
    BigInteger yy = y.multiply(y).mod(P);
    BigInteger xx =
        yy.subtract(BigInteger.ONE)
            .multiply(D.multiply(yy).add(BigInteger.ONE).modInverse(P))
            .mod(P);
    BigInteger x = xx.modPow(P.add(BigInteger.valueOf(3)).shiftRight(3), P);
    if (!x.multiply(x).subtract(xx).mod(P).equals(BigInteger.ZERO)) x = x.multiply(SQRT_M1).mod(P);
    if (x.testBit(0) != odd) x = P.subtract(x).mod(P);
    return new BigInteger[] {x, y};
  }

  /** The secret scalar a of a seed: SHA-512's first half, clamped (RFC 8032 §5.1.5). */
  static BigInteger secretScalar(byte[] seed) throws Exception {
    byte[] h = Arrays.copyOf(MessageDigest.getInstance("SHA-512").digest(seed), 32);
    h[0] &= (byte) 248;
    h[31] &= 127;
    h[31] |= 64;
    return fromLittleEndian(h);
  }

  static BigInteger hashScalar(byte[]... parts) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-512");
    for (byte[] p : parts) sha.update(p);
    return fromLittleEndian(sha.digest()).mod(L);
  }

  static byte[] littleEndian(BigInteger n) {
    byte[] big = n.toByteArray();
    byte[] out = new byte[32];
    for (int i = 0; i < Math.min(32, big.length); i++) out[i] = big[big.length - 1 - i];
    return out;
  }

  static BigInteger fromLittleEndian(byte[] bytes) {
    byte[] big = new byte[bytes.length + 1];
    for (int i = 0; i < bytes.length; i++) big[bytes.length - i] = bytes[i];
    return new BigInteger(big);
  }
}
