package io.knative.lambda.cli.source;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import io.knative.lambda.cli.CliException;

/**
 * A function's folder packed as the zip archive the builder reads ({@code {scope}/{kind}/{id}.zip}): every file under
 * it but what must not ship ({@code .git/}, {@code __pycache__/}, {@code *.pyc}, {@code node_modules/},
 * {@code .venv/}), entries sorted with fixed times, so the same folder always gives the same bytes and the builder
 * sees an unchanged source. A link is packed as what it points to when that is inside the folder, and refused when it
 * points outside (or nowhere, or into a loop); so are more files or bytes than the builder's default archive limits.
 *
 * @param bytes the zip
 * @param files the packed files' paths inside the archive, sorted
 */
public record SourceArchive(byte[] bytes, Set<String> files) {

    /** The builder's default {@code klambda.archive.max-entries}. */
    public static final int MAX_ENTRIES = 10_000;
    /** The builder's default {@code klambda.archive.max-unpacked-size} (64 MiB). */
    public static final long MAX_UNPACKED_BYTES = 64L * 1024 * 1024;
    /** Folders that never ship: version control, caches, local environments, installed packages. */
    static final Set<String> SKIPPED_FOLDERS = Set.of(".git", "__pycache__", "node_modules", ".venv");
    private static final LocalDateTime FIXED_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

    /** Packs {@code dir}; a {@link CliException} (bad input) that names the file when it cannot. */
    public static SourceArchive pack(Path dir) {
        Path root;
        try {
            root = dir.toRealPath();
        } catch (IOException e) {
            throw CliException.badInput("cannot read " + dir + ": " + e.getMessage());
        }
        Map<String, Path> files = new TreeMap<>();
        collect(dir, root, root, "", new ArrayDeque<>(), files);
        if (files.isEmpty()) {
            throw CliException.badInput(dir + " holds no file to deploy");
        }
        return new SourceArchive(zip(dir, files), java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(
                files.keySet())));
    }

    /** Adds the files under {@code folder} (whose real path is {@code real}) as {@code prefix}/name to {@code files}. */
    private static void collect(Path dir, Path root, Path real, String prefix, Deque<Path> chain, Map<String, Path> files) {
        chain.push(real);
        for (Path child : list(dir, real, prefix)) {
            String name = child.getFileName().toString();
            String entry = prefix + name;
            if (Files.isSymbolicLink(child)) {
                Path target = linkTarget(dir, root, child, entry);
                if (Files.isDirectory(target)) {
                    if (!skipped(name, true)) {
                        if (chain.contains(target)) {
                            throw CliException.badInput(dir.resolve(entry) + " is a link into a loop (to " + target
                                    + "): remove it");
                        }
                        collect(dir, root, target, entry + "/", chain, files);
                    }
                } else if (!skipped(name, false)) {
                    add(dir, entry, target, files);
                }
            } else if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                if (!skipped(name, true)) {
                    collect(dir, root, child, entry + "/", chain, files);
                }
            } else if (!skipped(name, false)) {
                add(dir, entry, child, files);
            }
        }
        chain.pop();
    }

    private static Path[] list(Path dir, Path folder, String prefix) {
        try (Stream<Path> children = Files.list(folder)) {
            return children.sorted().toArray(Path[]::new);
        } catch (IOException | UncheckedIOException e) {
            throw CliException.badInput("cannot read " + dir.resolve(prefix) + ": " + e.getMessage());
        }
    }

    /** Where the link {@code link} leads; refused when that is outside {@code root} or nowhere. */
    private static Path linkTarget(Path dir, Path root, Path link, String entry) {
        Path target;
        try {
            target = link.toRealPath();
        } catch (IOException e) {
            throw CliException.badInput(dir.resolve(entry) + " is a link to nothing (" + readLink(link) + "): remove it");
        }
        if (!target.startsWith(root)) {
            throw CliException.badInput(dir.resolve(entry) + " is a link to " + target + ", outside " + dir
                    + ": copy the file in or remove the link (a function ships only its own folder)");
        }
        return target;
    }

    private static String readLink(Path link) {
        try {
            return String.valueOf(Files.readSymbolicLink(link));
        } catch (IOException e) {
            return "unreadable";
        }
    }

    private static boolean skipped(String name, boolean folder) {
        return folder ? SKIPPED_FOLDERS.contains(name) : name.endsWith(".pyc");
    }

    private static void add(Path dir, String entry, Path file, Map<String, Path> files) {
        if (!Files.isRegularFile(file)) {
            throw CliException.badInput(dir.resolve(entry) + " is not a regular file (a device, socket or pipe): remove it");
        }
        files.put(entry, file);
        if (files.size() > MAX_ENTRIES) {
            throw CliException.badInput(dir + " holds more than " + MAX_ENTRIES + " files: the builder refuses archives "
                    + "over klambda.archive.max-entries");
        }
    }

    private static byte[] zip(Path dir, Map<String, Path> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long unpacked = 0;
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.setLevel(Deflater.DEFAULT_COMPRESSION);
            for (Map.Entry<String, Path> f : files.entrySet()) {
                byte[] content = read(dir, f.getKey(), f.getValue());
                unpacked += content.length;
                if (unpacked > MAX_UNPACKED_BYTES) {
                    throw CliException.badInput(dir + " holds more than " + MAX_UNPACKED_BYTES / (1024 * 1024)
                            + " MiB: the builder refuses archives over klambda.archive.max-unpacked-size");
                }
                ZipEntry entry = new ZipEntry(f.getKey());
                entry.setTimeLocal(FIXED_TIME);
                zip.putNextEntry(entry);
                zip.write(content);
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] read(Path dir, String entry, Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw CliException.badInput("cannot read " + dir.resolve(entry) + ": " + e.getMessage());
        }
    }
}
