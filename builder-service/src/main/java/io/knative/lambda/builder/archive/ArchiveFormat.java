package io.knative.lambda.builder.archive;

import java.util.Optional;

/** The archive formats an upload may be, by the key's extension, with the bytes each starts with. */
public enum ArchiveFormat {
    ZIP("zip archive"),
    TAR_GZ("gzipped tar archive");

    private final String description;

    ArchiveFormat(String description) {
        this.description = description;
    }

    /** {@code zip}, {@code tar.gz} or {@code tgz} (case-insensitive); empty for anything else. */
    public static Optional<ArchiveFormat> byExtension(String extension) {
        if (extension == null) {
            return Optional.empty();
        }
        return switch (extension.toLowerCase(java.util.Locale.ROOT)) {
            case "zip" -> Optional.of(ZIP);
            case "tar.gz", "tgz" -> Optional.of(TAR_GZ);
            default -> Optional.empty();
        };
    }

    /** What the bytes look like, for the message when they are not what the extension says. */
    static String sniff(byte[] b) {
        if (b.length >= 4 && b[0] == 'P' && b[1] == 'K' && (b[2] == 3 || b[2] == 5) && (b[3] == 4 || b[3] == 6)) {
            return "a zip archive";
        }
        if (b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b) {
            return "gzip data";
        }
        if (b.length >= 262 && new String(b, 257, 5, java.nio.charset.StandardCharsets.US_ASCII).equals("ustar")) {
            return "an uncompressed tar archive";
        }
        return b.length == 0 ? "empty" : "neither zip nor gzip data";
    }

    boolean matches(byte[] b) {
        String kind = sniff(b);
        return this == ZIP ? kind.equals("a zip archive") : kind.equals("gzip data");
    }

    String description() {
        return description;
    }
}
