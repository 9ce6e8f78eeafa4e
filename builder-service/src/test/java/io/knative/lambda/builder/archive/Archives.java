package io.knative.lambda.builder.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/** Test helper: zip and tar.gz archives with any entry a hostile or careless uploader could put in them. */
public final class Archives {

    /** One entry: a file, a folder, a symbolic or hard link, or a device. */
    public record Entry(String name, byte[] content, String linkTarget, byte tarType) {
    }

    private final List<Entry> entries = new ArrayList<>();

    public static Archives of() {
        return new Archives();
    }

    public Archives file(String name, String text) {
        return file(name, text.getBytes(StandardCharsets.UTF_8));
    }

    public Archives file(String name, byte[] content) {
        entries.add(new Entry(name, content, null, TarConstants.LF_NORMAL));
        return this;
    }

    public Archives folder(String name) {
        entries.add(new Entry(name.endsWith("/") ? name : name + "/", new byte[0], null, TarConstants.LF_DIR));
        return this;
    }

    public Archives symlink(String name, String target) {
        entries.add(new Entry(name, new byte[0], target, TarConstants.LF_SYMLINK));
        return this;
    }

    public Archives hardLink(String name, String target) {
        entries.add(new Entry(name, new byte[0], target, TarConstants.LF_LINK));
        return this;
    }

    public Archives device(String name) {
        entries.add(new Entry(name, new byte[0], null, TarConstants.LF_CHR));
        return this;
    }

    public Archives fifo(String name) {
        entries.add(new Entry(name, new byte[0], null, TarConstants.LF_FIFO));
        return this;
    }

    /** A zip; symbolic links with their unix mode, devices as unix mode 020644. */
    public byte[] zip() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
            for (Entry e : entries) {
                ZipArchiveEntry entry = new ZipArchiveEntry(e.name());
                byte[] content = e.content();
                if (e.tarType() == TarConstants.LF_SYMLINK) {
                    entry.setUnixMode(0120777);
                    content = e.linkTarget().getBytes(StandardCharsets.UTF_8);
                } else if (e.tarType() == TarConstants.LF_CHR) {
                    entry.setUnixMode(020644);
                } else if (e.tarType() == TarConstants.LF_FIFO) {
                    entry.setUnixMode(010644);
                }
                zip.putArchiveEntry(entry);
                zip.write(content);
                zip.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A gzipped tar. */
    public byte[] tarGz() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(out))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Entry e : entries) {
                TarArchiveEntry entry = new TarArchiveEntry(e.name(), e.tarType(), true);
                if (e.linkTarget() != null) {
                    entry.setLinkName(e.linkTarget());
                }
                if (e.tarType() == TarConstants.LF_NORMAL) {
                    entry.setSize(e.content().length);
                }
                tar.putArchiveEntry(entry);
                if (e.tarType() == TarConstants.LF_NORMAL) {
                    tar.write(e.content());
                }
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
