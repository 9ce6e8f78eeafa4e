package io.knative.lambda.builder.jib;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FileEntry;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.blob.Blobs;
import com.google.cloud.tools.jib.cache.Cache;
import com.google.cloud.tools.jib.cache.CacheCorruptedException;
import com.google.cloud.tools.jib.cache.CachedLayer;
import com.google.common.collect.ImmutableList;

import io.knative.lambda.builder.core.ImageLayer;

/**
 * Hands Jib layers it did not build: a prebuilt blob is written into Jib's application layer cache under a stand-in
 * entry (one file entry naming the blob), so that Jib finds the layer there and uses it as it is, never building a tar
 * from the stand-in. The same gzip as Jib's own (the JDK's default) gives the blob's own digest; the digest Jib ends up
 * with is what {@link #layer} reports.
 */
final class SeededLayers {

    private static final FilePermissions FILE = FilePermissions.fromOctalString("644");

    private final Path cacheDir;

    /** @param cacheDir Jib's application layer cache (the one given to the Containerizer) */
    SeededLayers(Path cacheDir) {
        this.cacheDir = cacheDir;
    }

    /** A seeded layer and the digest Jib will push it under. */
    record Seeded(FileEntriesLayer layer, String digest) {
    }

    /** The blob as a layer Jib takes from its cache. */
    Seeded layer(ImageLayer.Blob blob) throws IOException {
        ImmutableList<FileEntry> standIn = ImmutableList.of(new FileEntry(blob.path(),
                AbsoluteUnixPath.get("/.klambda-layers/" + blob.digest().replace(':', '-')), FILE,
                JibImagePublisher.FILE_TIME));
        Cache cache = cache();
        Optional<CachedLayer> cached = retrieve(cache, standIn);
        CachedLayer layer;
        if (cached.isPresent()) {
            layer = cached.get();
        } else {
            try (InputStream tar = new GZIPInputStream(Files.newInputStream(blob.path()), 65536)) {
                layer = cache.writeUncompressedLayer(Blobs.from(tar), standIn);
            }
        }
        return new Seeded(FileEntriesLayer.builder().setName(blob.name()).setEntries(standIn).build(),
                layer.getDigest().toString());
    }

    private Cache cache() throws IOException {
        try {
            return Cache.withDirectory(cacheDir);
        } catch (CacheDirectoryCreationException e) {
            throw new IOException("cannot use Jib's cache " + cacheDir + ": " + e.getMessage(), e);
        }
    }

    private static Optional<CachedLayer> retrieve(Cache cache, ImmutableList<FileEntry> entries) throws IOException {
        try {
            return cache.retrieve(entries);
        } catch (CacheCorruptedException e) {
            return Optional.empty(); // written again below, as Jib itself would
        }
    }
}
