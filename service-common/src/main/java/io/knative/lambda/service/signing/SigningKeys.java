package io.knative.lambda.service.signing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ed25519 keys of build signatures, from the JDK: read from PEM ({@code PRIVATE KEY}, PKCS#8, as
 * {@code openssl genpkey -algorithm ed25519} writes it; {@code PUBLIC KEY}, X.509, as {@code openssl pkey -pubout}
 * writes it; a public-key file may hold several, for a rotation), written to PEM, generated, and named by a key id
 * (the first 16 hex digits of the sha256 of the public key's encoding).
 */
public final class SigningKeys {

    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private SigningKeys() {
    }

    /** A new Ed25519 key pair. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has Ed25519 since Java 15", e);
        }
    }

    /** The private key of a PEM {@code PRIVATE KEY} block. */
    public static PrivateKey privateKey(String pem) {
        List<byte[]> blocks = blocks(pem, "PRIVATE KEY");
        if (blocks.size() != 1) {
            throw new IllegalArgumentException("expected one PEM PRIVATE KEY block (PKCS#8 Ed25519), found " + blocks.size());
        }
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(blocks.get(0)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the PRIVATE KEY is not an Ed25519 key: " + e.getMessage(), e);
        }
    }

    /** The public keys of every PEM {@code PUBLIC KEY} block (or of one bare base64 X.509 encoding), by key id. */
    public static Map<String, PublicKey> publicKeys(String pemOrBase64) {
        List<byte[]> blocks = blocks(pemOrBase64, "PUBLIC KEY");
        if (blocks.isEmpty() && !pemOrBase64.isBlank() && !pemOrBase64.contains("-----")) {
            blocks = List.of(Base64.getMimeDecoder().decode(pemOrBase64.trim()));
        }
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("no PEM PUBLIC KEY block (X.509 Ed25519) found");
        }
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        for (byte[] der : blocks) {
            try {
                PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
                keys.put(keyId(key), key);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("a PUBLIC KEY is not an Ed25519 key: " + e.getMessage(), e);
            }
        }
        return keys;
    }

    /** Reads {@link #privateKey} from a file. */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        return privateKey(Files.readString(file, StandardCharsets.US_ASCII));
    }

    /** Reads {@link #publicKeys} from a file. */
    public static Map<String, PublicKey> readPublicKeys(Path file) throws IOException {
        return publicKeys(Files.readString(file, StandardCharsets.US_ASCII));
    }

    /**
     * The public key of an Ed25519 private key, derived by the JDK itself: its key pair generator is given the private
     * key's seed as its randomness (a PKCS#8 file from openssl holds only the seed).
     */
    public static PublicKey publicKeyOf(PrivateKey key) {
        byte[] seed = key instanceof EdECPrivateKey ed ? ed.getBytes().orElse(null) : null;
        if (seed == null) {
            throw new IllegalArgumentException("not an Ed25519 private key with its seed");
        }
        SecureRandom fromSeed = new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
            }
        };
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, fromSeed);
            KeyPair pair = generator.generateKeyPair();
            if (!Arrays.equals(((EdECPrivateKey) pair.getPrivate()).getBytes().orElse(null), seed)) {
                throw new IllegalStateException("the JDK did not derive the key pair from the seed");
            }
            return pair.getPublic();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has Ed25519 since Java 15", e);
        }
    }

    /** A public key as a PEM {@code PUBLIC KEY} block. */
    public static String pem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    /** A private key as a PEM {@code PRIVATE KEY} block. */
    public static String pem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    /** The key id: the first 16 hex digits of the sha256 of the key's X.509 encoding. */
    public static String keyId(PublicKey key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static List<byte[]> blocks(String text, String type) {
        List<byte[]> blocks = new ArrayList<>();
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(type)) {
                blocks.add(Base64.getMimeDecoder().decode(m.group(2)));
            }
        }
        return blocks;
    }
}
