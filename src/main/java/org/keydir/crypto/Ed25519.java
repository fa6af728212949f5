package org.keydir.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** Ed25519 (RFC 8032) over raw 32-byte seeds, 32-byte public keys and 64-byte signatures. */
public final class Ed25519 {
    public static final int SEED_LENGTH = 32;
    public static final int PUBLIC_KEY_LENGTH = 32;
    public static final int SIGNATURE_LENGTH = 64;

    private Ed25519() {}

    /** A signing key: the 32-byte seed (the private key) and its public key. Arrays are copied. */
    public record KeyPair(byte[] seed, byte[] publicKey) {
        public KeyPair {
            seed = seed.clone();
            publicKey = publicKey.clone();
        }

        @Override
        public byte[] seed() {
            return seed.clone();
        }

        @Override
        public byte[] publicKey() {
            return publicKey.clone();
        }

        public String publicKeyBase64() {
            return UnpaddedBase64.encode(publicKey);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof KeyPair k && Arrays.equals(seed, k.seed) && Arrays.equals(publicKey, k.publicKey);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(publicKey);
        }

        @Override
        public String toString() {
            return "Ed25519.KeyPair[publicKey=" + publicKeyBase64() + "]";
        }
    }

    public static KeyPair generate(SecureRandom random) {
        byte[] seed = new byte[SEED_LENGTH];
        random.nextBytes(seed);
        return fromSeed(seed);
    }

    /** @throws IllegalArgumentException unless the seed is 32 bytes */
    public static KeyPair fromSeed(byte[] seed) {
        return new KeyPair(seed, privateKey(seed).generatePublicKey().getEncoded());
    }

    /** @throws IllegalArgumentException unless the seed is 32 bytes */
    public static byte[] sign(byte[] seed, byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, privateKey(seed));
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    /** False for a bad signature and for any malformed input (null, wrong length, invalid point). */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey == null || message == null || signature == null
                || publicKey.length != PUBLIC_KEY_LENGTH || signature.length != SIGNATURE_LENGTH) {
            return false;
        }
        try {
            Ed25519Signer verifier = new Ed25519Signer();
            verifier.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
            verifier.update(message, 0, message.length);
            return verifier.verifySignature(signature);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static Ed25519PrivateKeyParameters privateKey(byte[] seed) {
        if (seed == null || seed.length != SEED_LENGTH) {
            throw new IllegalArgumentException("an Ed25519 seed is " + SEED_LENGTH + " bytes");
        }
        return new Ed25519PrivateKeyParameters(seed, 0);
    }
}
