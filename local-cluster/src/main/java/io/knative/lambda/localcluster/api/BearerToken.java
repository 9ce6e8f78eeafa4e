package io.knative.lambda.localcluster.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The secret that writes to the local cluster need ({@code Authorization: Bearer <token>}): 32 random bytes,
 * kept in a file only its owner can read (0600), made on first start and reused after, compared in constant time.
 */
public final class BearerToken {

    private final byte[] expected;

    private BearerToken(String token) {
        this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    /** The token in {@code file}, made (0600) when the file does not exist yet. */
    public static BearerToken inFile(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, token + "\n", StandardOpenOption.TRUNCATE_EXISTING);
        }
        String token = Files.readString(file).trim();
        if (token.length() < 16) {
            throw new IOException(file + " holds no usable token (16 characters at least)");
        }
        return new BearerToken(token);
    }

    /** A given token (tests). */
    public static BearerToken of(String token) {
        return new BearerToken(token);
    }

    /** Whether an {@code Authorization} header carries the token. */
    boolean allows(String authorization) {
        return authorization != null
                && MessageDigest.isEqual(expected, authorization.trim().getBytes(StandardCharsets.UTF_8));
    }
}
