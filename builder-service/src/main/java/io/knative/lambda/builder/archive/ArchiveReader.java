package io.knative.lambda.builder.archive;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

import io.knative.lambda.builder.core.FunctionFiles;
import io.knative.lambda.builder.core.InvalidArchiveException;

/**
 * Unpacks an uploaded zip or tar.gz into memory, never onto disk, refusing what is unsafe: names that are absolute or
 * hold {@code ..}, links that lead outside, devices and FIFOs, duplicates, too many entries, too many bytes, a
 * compression ratio of a zip bomb, corrupt or truncated data, and data that is not what the extension says. Sizes are
 * counted as bytes are read, never taken from headers. Each refusal names the entry.
 */
public final class ArchiveReader {

    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;
    private static final String MACOS_METADATA = "__MACOSX/";

    private final ArchiveLimits limits;

    public ArchiveReader(ArchiveLimits limits) {
        this.limits = limits;
    }

    /** The files of {@code bytes}, uploaded as {@code name} in {@code format}. */
    public FunctionFiles read(String name, ArchiveFormat format, byte[] bytes) throws InvalidArchiveException {
        if (!format.matches(bytes)) {
            throw new InvalidArchiveException(name, null, "is not a " + format.description() + " (it is "
                    + ArchiveFormat.sniff(bytes) + ")");
        }
        UnpackedEntries entries = new UnpackedEntries(name, limits, bytes.length);
        try {
            if (format == ArchiveFormat.ZIP) {
                readZip(bytes, entries);
            } else {
                readTarGz(bytes, entries);
            }
        } catch (IOException | RuntimeException e) {
            throw new InvalidArchiveException(name, entries.current, "is corrupt or truncated: " + e.getMessage());
        }
        return entries.result();
    }

    private void readZip(byte[] bytes, UnpackedEntries entries) throws IOException, InvalidArchiveException {
        try (ZipFile zip = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(bytes)).get()) {
            for (ZipArchiveEntry entry : Collections.list(zip.getEntriesInPhysicalOrder())) {
                String name = entry.getName();
                entries.current = name;
                entries.count(name);
                if (name.startsWith(MACOS_METADATA)) {
                    continue;
                }
                String path = entries.path(name);
                int type = entry.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX ? entry.getUnixMode() & S_IFMT : 0;
                if (entry.isDirectory() || type == S_IFDIR) {
                    entries.folder(name, path);
                    continue;
                }
                if (type != 0 && type != S_IFREG && type != S_IFLNK) {
                    throw entries.invalid(name, "is a device, FIFO or socket, not a file");
                }
                if (!zip.canReadEntryData(entry)) {
                    throw entries.invalid(name, "is encrypted or compressed with an unsupported method");
                }
                byte[] content = bounded(zip.getInputStream(entry), name, entries);
                if (type == S_IFLNK) {
                    entries.link(name, path, new String(content, java.nio.charset.StandardCharsets.UTF_8), false);
                } else {
                    entries.file(name, path, content);
                }
            }
        }
    }

    private void readTarGz(byte[] bytes, UnpackedEntries entries) throws IOException, InvalidArchiveException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(bytes)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String name = entry.getName();
                entries.current = name;
                entries.count(name);
                entries.grow(name, 512); // the entry's header, so that a stream of empty entries is bounded too
                if (name.startsWith(MACOS_METADATA)) {
                    continue;
                }
                String path = entries.path(name);
                if (entry.isDirectory()) {
                    entries.folder(name, path);
                } else if (entry.isSymbolicLink()) {
                    entries.link(name, path, entry.getLinkName(), false);
                } else if (entry.isLink()) {
                    entries.link(name, path, entry.getLinkName(), true);
                } else if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                    throw entries.invalid(name, "is a device or FIFO, not a file");
                } else if (entry.isFile()) {
                    entries.file(name, path, bounded(tar, name, entries));
                } else {
                    throw entries.invalid(name, "is not a file, folder or link (tar type '" + (char) entry.getLinkFlag()
                            + "')");
                }
            }
        }
    }

    /** The entry's bytes, counted against the limits as they are read. */
    private static byte[] bounded(InputStream in, String name, UnpackedEntries entries)
            throws IOException, InvalidArchiveException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[16384];
        int n;
        while ((n = in.read(buffer)) > 0) {
            entries.grow(name, n);
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
