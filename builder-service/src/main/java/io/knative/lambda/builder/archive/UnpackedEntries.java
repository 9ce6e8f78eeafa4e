package io.knative.lambda.builder.archive;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import io.knative.lambda.builder.core.FunctionFiles;
import io.knative.lambda.builder.core.InvalidArchiveException;

/**
 * What an archive unpacks to, collected entry by entry with every check of the limits and of the names: files in
 * memory (nothing is written to disk), folders, and links, resolved at the end to copies of the files they name.
 */
final class UnpackedEntries {

    private static final int MAX_LINK_HOPS = 8;

    private final String archive;
    private final ArchiveLimits limits;
    private final long archiveBytes;
    private final SortedMap<String, byte[]> files = new TreeMap<>();
    private final Map<String, String> folders = new LinkedHashMap<>();
    private final Map<String, Link> links = new LinkedHashMap<>();
    private int entries;
    private long unpackedBytes;
    /** The entry being read, for the message when the data turns out corrupt. */
    String current;

    /** A link entry: its name as written, and its target as a normalised archive path. */
    private record Link(String name, String target, boolean hard) {
    }

    UnpackedEntries(String archive, ArchiveLimits limits, long archiveBytes) {
        this.archive = archive;
        this.limits = limits;
        this.archiveBytes = Math.max(1, archiveBytes);
    }

    /** Counts one more entry against {@code max-entries}. */
    void count(String name) throws InvalidArchiveException {
        if (++entries > limits.maxEntries()) {
            throw invalid(name, "the archive has more than " + limits.maxEntries() + " entries (klambda.archive.max-entries)");
        }
    }

    /** Adds {@code n} unpacked bytes of {@code name}; refuses the archive past the size or ratio limit. */
    void grow(String name, long n) throws InvalidArchiveException {
        unpackedBytes += n;
        if (unpackedBytes > limits.maxUnpackedBytes()) {
            throw invalid(name, "the archive unpacks to more than " + limits.maxUnpackedBytes()
                    + " bytes (klambda.archive.max-unpacked-size)");
        }
        if (unpackedBytes > ArchiveLimits.RATIO_FLOOR && unpackedBytes / archiveBytes > limits.maxCompressionRatio()) {
            throw invalid(name, "the archive unpacks to over " + limits.maxCompressionRatio() + " times its size ("
                    + unpackedBytes + " bytes from " + archiveBytes + "; klambda.archive.max-compression-ratio): a zip bomb?");
        }
    }

    /** The normalised path of an entry, or {@code null} for the root folder; a name that escapes is refused. */
    String path(String name) throws InvalidArchiveException {
        try {
            return EntryPath.normalise(name);
        } catch (IllegalArgumentException e) {
            throw invalid(name, e.getMessage());
        }
    }

    void folder(String name, String path) throws InvalidArchiveException {
        if (path == null || folders.containsKey(path)) {
            return; // a folder listed twice (or ./) does no harm
        }
        claim(name, path);
        folders.put(path, name);
    }

    void file(String name, String path, byte[] content) throws InvalidArchiveException {
        if (path == null) {
            throw invalid(name, "is a file without a name");
        }
        claim(name, path);
        files.put(path, content);
    }

    /**
     * A link: a symbolic one's target is relative to the link's folder, a hard one's is an archive path. Either must
     * stay inside the archive.
     */
    void link(String name, String path, String target, boolean hard) throws InvalidArchiveException {
        if (path == null) {
            throw invalid(name, "is a link without a name");
        }
        if (target == null || target.isEmpty() || target.startsWith("/") || target.indexOf('\\') >= 0
                || target.matches("^[A-Za-z]:.*")) {
            throw invalid(name, (hard ? "hard" : "symbolic") + " link to '" + target + "' points outside the archive");
        }
        String resolved;
        try {
            resolved = EntryPath.resolve(hard ? "" : EntryPath.parent(path), target);
        } catch (IllegalArgumentException e) {
            throw invalid(name, (hard ? "hard" : "symbolic") + " link to '" + target + "' points outside the archive");
        }
        if (resolved == null) {
            throw invalid(name, "links to the archive's root folder");
        }
        claim(name, path);
        links.put(path, new Link(name, resolved, hard));
    }

    /** The files, each link replaced by a copy of the file it names (links to folders or to nothing are refused). */
    FunctionFiles result() throws InvalidArchiveException {
        for (Map.Entry<String, Link> e : links.entrySet()) {
            Link link = e.getValue();
            String target = link.target();
            for (int hop = 0; links.containsKey(target); hop++) {
                if (hop == MAX_LINK_HOPS) {
                    throw invalid(link.name(), "is a chain of more than " + MAX_LINK_HOPS + " links");
                }
                target = links.get(target).target();
            }
            byte[] content = files.get(target);
            if (content == null) {
                throw invalid(link.name(), "links to '" + link.target() + "', which is not a file in the archive"
                        + (folders.containsKey(target) ? " (links to folders are not supported)" : ""));
            }
            grow(link.name(), content.length);
            files.put(e.getKey(), content);
        }
        return new FunctionFiles(files);
    }

    /** Refuses a second entry of the same path, and a file where a folder is (or the other way round). */
    private void claim(String name, String path) throws InvalidArchiveException {
        if (files.containsKey(path) || links.containsKey(path)) {
            throw invalid(name, "appears twice in the archive");
        }
        if (folders.containsKey(path)) {
            throw invalid(name, "is both a folder and a file");
        }
        for (String parent = EntryPath.parent(path); !parent.isEmpty(); parent = EntryPath.parent(parent)) {
            if (files.containsKey(parent) || links.containsKey(parent)) {
                throw invalid(name, "is inside '" + parent + "', which is a file or link, not a folder");
            }
        }
        String prefix = path + "/";
        if (files.tailMap(prefix).keySet().stream().findFirst().filter(k -> k.startsWith(prefix)).isPresent()
                || links.keySet().stream().anyMatch(k -> k.startsWith(prefix))) {
            throw invalid(name, "is both a folder and a file");
        }
    }

    InvalidArchiveException invalid(String entry, String problem) {
        return new InvalidArchiveException(archive, entry, problem);
    }
}
