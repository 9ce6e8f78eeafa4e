package io.knative.lambda.builder.deps;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Test helper: the regular files of a gzipped layer tar, path to text. */
public final class BlobFiles {

    private BlobFiles() {
    }

    public static Map<String, String> of(Path blob) throws IOException {
        return of(Files.readAllBytes(blob));
    }

    public static Map<String, String> of(byte[] gzippedTar) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(gzippedTar)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (entry.isFile()) {
                    files.put(entry.getName(), new String(tar.readAllBytes(), StandardCharsets.ISO_8859_1));
                }
            }
        }
        return files;
    }
}
