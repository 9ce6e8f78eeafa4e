package io.knative.lambda.builder.deps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import io.knative.lambda.builder.core.ImageLayer;

/**
 * The builder's cache of dependency layers, on its disk ({@code <klambda.build.cache-dir>/dependencies}): one folder
 * per key (the hash of what was asked for: the normalised declarations, the target platform, the index) holding the
 * layer's reproducible blob and its digests. Bounded by size ({@code klambda.dependencies.cache-max-size}): past it,
 * the least recently used layers go. Installs of one key are serialised, so that two builds asking for the same set
 * at once install it once. Survives a restart when its folder does.
 */
public final class DependencyCache {

    private static final String BLOB = "layer.tar.gz";
    private static final String INFO = "layer.properties";
    private static final String TREE = "tree";

    private final Path root;
    private final long maxBytes;
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

    public DependencyCache(Path root, long maxBytes) {
        this.root = root;
        this.maxBytes = maxBytes;
    }

    /** Something that fills a folder with the files of a layer (runs pip, resolves jars). */
    @FunctionalInterface
    public interface Installer<E extends Exception> {
        void install(Path folder) throws E, IOException;
    }

    /** The cached layer of {@code key}, marked as just used; empty when there is none. */
    public Optional<ImageLayer.Blob> get(String key, String name) throws IOException {
        Path dir = root.resolve(key);
        Path info = dir.resolve(INFO);
        if (!Files.isRegularFile(info) || !Files.isRegularFile(dir.resolve(BLOB))) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(info, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        Files.setLastModifiedTime(info, FileTime.from(Instant.now()));
        return Optional.of(new ImageLayer.Blob(name, dir.resolve(BLOB), p.getProperty("digest"), p.getProperty("diffId"),
                Long.parseLong(p.getProperty("size"))));
    }

    /**
     * The layer of {@code key}: from the cache, else made by {@code installer} into a fresh folder and written as a
     * reproducible blob under {@code imagePath}. The boolean says whether it came from the cache.
     */
    public <E extends Exception> Cached getOrInstall(String key, String name, String imagePath, Installer<E> installer)
            throws E, IOException {
        return getOrInstall(key, name, imagePath, false, installer);
    }

    /** As {@link #getOrInstall(String, String, String, Installer)}, keeping the installed files too when {@code keepTree}. */
    public <E extends Exception> Cached getOrInstall(String key, String name, String imagePath, boolean keepTree,
            Installer<E> installer) throws E, IOException {
        synchronized (locks.computeIfAbsent(key, k -> new Object())) {
            Optional<ImageLayer.Blob> hit = get(key, name);
            if (hit.isPresent()) {
                return new Cached(hit.get(), true, root.resolve(key).resolve(TREE));
            }
            Files.createDirectories(root);
            Path work = Files.createTempDirectory(root, ".install-");
            try {
                Path tree = Files.createDirectories(work.resolve("tree"));
                installer.install(tree);
                Path entry = Files.createDirectories(work.resolve("entry"));
                ImageLayer.Blob blob = LayerBlobs.write(name, tree, imagePath, entry.resolve(BLOB));
                Properties p = new Properties();
                p.setProperty("digest", blob.digest());
                p.setProperty("diffId", blob.diffId());
                p.setProperty("size", Long.toString(blob.size()));
                if (keepTree) {
                    Files.move(tree, entry.resolve(TREE));
                }
                try (var out = Files.newBufferedWriter(entry.resolve(INFO), StandardCharsets.UTF_8)) {
                    p.store(out, "dependency layer " + key);
                }
                move(entry, root.resolve(key));
                evict(key);
                return new Cached(get(key, name).orElseThrow(), false, root.resolve(key).resolve(TREE));
            } finally {
                delete(work);
            }
        }
    }

    /**
     * A layer and whether it came from the cache.
     *
     * @param tree the installed files, when kept ({@code keepTree}); a path that does not exist otherwise
     */
    public record Cached(ImageLayer.Blob blob, boolean reused, Path tree) {
    }

    /** Deletes the least recently used entries, never {@code keep}, until the cache is within its bound. */
    private void evict(String keep) throws IOException {
        List<Path> entries;
        try (Stream<Path> list = Files.list(root)) {
            entries = list.filter(p -> !p.getFileName().toString().startsWith(".") && Files.isRegularFile(p.resolve(INFO)))
                    .sorted(Comparator.comparing(DependencyCache::lastUsed)).toList();
        }
        long total = 0;
        for (Path e : entries) {
            total += size(e);
        }
        for (Path e : entries) {
            if (total <= maxBytes) {
                return;
            }
            if (!e.getFileName().toString().equals(keep)) {
                long size = size(e);
                synchronized (locks.computeIfAbsent(e.getFileName().toString(), k -> new Object())) {
                    delete(e);
                }
                total -= size;
            }
        }
    }

    private static FileTime lastUsed(Path entry) {
        try {
            return Files.getLastModifiedTime(entry.resolve(INFO));
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static long size(Path entry) {
        try (Stream<Path> files = Files.walk(entry)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    private static void move(Path from, Path to) throws IOException {
        delete(to); // a half-written entry of an earlier run
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
            Files.move(from, to);
        }
    }

    static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // what is left is retried by the next eviction or overwritten by the next install
        }
    }
}
