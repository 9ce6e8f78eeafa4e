package io.knative.lambda.builder.archive;

/**
 * Bounds on what an archive may unpack to ({@code klambda.archive.*}).
 *
 * @param maxEntries          entries (files, folders, links) an archive may hold
 * @param maxUnpackedBytes    total size of its files once unpacked
 * @param maxCompressionRatio unpacked bytes per archive byte, checked once more than {@link #RATIO_FLOOR} bytes are
 *                            unpacked (small archives of repetitive text compress well and are harmless)
 */
public record ArchiveLimits(int maxEntries, long maxUnpackedBytes, int maxCompressionRatio) {

    /** Below this many unpacked bytes the ratio is not checked. */
    public static final long RATIO_FLOOR = 1024 * 1024;

    public ArchiveLimits {
        if (maxEntries < 1 || maxUnpackedBytes < 1 || maxCompressionRatio < 1) {
            throw new IllegalArgumentException("klambda.archive.* limits must be positive");
        }
    }
}
