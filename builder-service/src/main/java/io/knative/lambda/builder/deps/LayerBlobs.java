package io.knative.lambda.builder.deps;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import io.knative.lambda.builder.core.ImageLayer;

/**
 * Writes a folder as a reproducible image layer: a tar of its folders and regular files (links and anything else
 * left out) under one image path, sorted by name, every time fixed, owner 0:0 with no names, modes 0755 for folders
 * and executables and 0644 otherwise, gzipped as Jib gzips (the JDK's default). The same files give the same digest.
 */
public final class LayerBlobs {

    /** The modification time of every entry (the same as the code layer's). */
    public static final long ENTRY_TIME_SECONDS = 1;

    private LayerBlobs() {
    }

    /**
     * Writes {@code tree} as a layer whose entries are under {@code imagePath} (e.g. {@code function-deps}) into
     * {@code target}.
     */
    public static ImageLayer.Blob write(String name, Path tree, String imagePath, Path target) throws IOException {
        MessageDigest compressed = sha256();
        MessageDigest uncompressed = sha256();
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(tree)) {
            paths = walk.filter(p -> !p.equals(tree)).filter(p -> Files.isDirectory(p) || Files.isRegularFile(p))
                    .sorted((a, b) -> tree.relativize(a).toString().replace('\\', '/')
                            .compareTo(tree.relativize(b).toString().replace('\\', '/')))
                    .toList();
        }
        try (OutputStream file = Files.newOutputStream(target);
                DigestOutputStream gzipped = new DigestOutputStream(file, compressed);
                GZIPOutputStream gzip = new GZIPOutputStream(gzipped);
                DigestOutputStream plain = new DigestOutputStream(gzip, uncompressed);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(plain)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            folder(tar, imagePath + "/");
            for (Path p : paths) {
                String entryName = imagePath + "/" + tree.relativize(p).toString().replace('\\', '/');
                if (Files.isDirectory(p)) {
                    folder(tar, entryName + "/");
                } else {
                    TarArchiveEntry entry = entry(entryName, Files.isExecutable(p) ? 0100755 : 0100644);
                    entry.setSize(Files.size(p));
                    tar.putArchiveEntry(entry);
                    Files.copy(p, tar);
                    tar.closeArchiveEntry();
                }
            }
            tar.finish();
        }
        return new ImageLayer.Blob(name, target, "sha256:" + HexFormat.of().formatHex(compressed.digest()),
                "sha256:" + HexFormat.of().formatHex(uncompressed.digest()), Files.size(target));
    }

    private static void folder(TarArchiveOutputStream tar, String name) throws IOException {
        tar.putArchiveEntry(entry(name, 040755));
        tar.closeArchiveEntry();
    }

    private static TarArchiveEntry entry(String name, int mode) {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(mode);
        entry.setModTime(ENTRY_TIME_SECONDS * 1000);
        entry.setUserId(0);
        entry.setGroupId(0);
        entry.setUserName("");
        entry.setGroupName("");
        return entry;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
