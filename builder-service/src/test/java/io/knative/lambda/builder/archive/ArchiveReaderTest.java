package io.knative.lambda.builder.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.knative.lambda.builder.core.FunctionFiles;
import io.knative.lambda.builder.core.InvalidArchiveException;

/** Every archive a build must refuse is refused with InvalidArchive naming the entry; a sound one unpacks in memory. */
class ArchiveReaderTest {

    private static final ArchiveLimits LIMITS = new ArchiveLimits(100, 8L << 20, 100);
    private final ArchiveReader reader = new ArchiveReader(LIMITS);

    private static byte[] pack(Archives archive, ArchiveFormat format) {
        return format == ArchiveFormat.ZIP ? archive.zip() : archive.tarGz();
    }

    private InvalidArchiveException refused(Archives archive, ArchiveFormat format) {
        return refused(reader, pack(archive, format), format);
    }

    private static InvalidArchiveException refused(ArchiveReader reader, byte[] bytes, ArchiveFormat format) {
        InvalidArchiveException e = catchThrowableOfType(InvalidArchiveException.class, () -> reader.read("fn.archive", format, bytes));
        assertThat(e).as("refused").isNotNull();
        assertThat(e.reason().code()).isEqualTo("InvalidArchive");
        assertThat(e.retryable()).isFalse();
        return e;
    }

    @ParameterizedTest
    @EnumSource(ArchiveFormat.class)
    void aSoundArchiveUnpacksItsFilesWithALinkInsideAsACopy(ArchiveFormat format) throws Exception {
        byte[] bytes = pack(Archives.of().folder("./").file("main.py", "import lib.util\n").folder("lib")
                .file("lib/util.py", "X = 1\n").symlink("lib/alias.py", "util.py").file("__MACOSX/._main.py", "junk"), format);

        FunctionFiles files = reader.read("fn", format, bytes);

        assertThat(files.files()).containsOnlyKeys("main.py", "lib/util.py", "lib/alias.py");
        assertThat(files.text("lib/alias.py")).isEqualTo("X = 1\n");
    }

    @ParameterizedTest
    @EnumSource(ArchiveFormat.class)
    void anEntryWithDotDotIsRefusedByName(ArchiveFormat format) {
        assertThat(refused(Archives.of().file("main.py", "x").file("../../etc/cron.d/evil", "x"), format))
                .hasMessageContaining("'../../etc/cron.d/evil'").hasMessageContaining("'..'");
    }

    @ParameterizedTest
    @EnumSource(ArchiveFormat.class)
    void anAbsoluteEntryIsRefused(ArchiveFormat format) {
        InvalidArchiveException e = refused(Archives.of().file("/etc/passwd", "x"), format);
        assertThat(e.entry()).isEqualTo("/etc/passwd");
        assertThat(e).hasMessageContaining("absolute");
    }

    @ParameterizedTest
    @EnumSource(ArchiveFormat.class)
    void aSymlinkPointingOutsideIsRefused(ArchiveFormat format) {
        assertThat(refused(Archives.of().folder("lib").symlink("lib/secret", "../../../etc/shadow"), format))
                .hasMessageContaining("'lib/secret'").hasMessageContaining("points outside");
        assertThat(refused(Archives.of().symlink("key", "/root/.ssh/id_rsa"), format)).hasMessageContaining("points outside");
    }

    @Test
    void aHardLinkPointingOutsideOrToNothingIsRefused() {
        assertThat(refused(Archives.of().hardLink("passwd", "../etc/passwd"), ArchiveFormat.TAR_GZ))
                .hasMessageContaining("'passwd'").hasMessageContaining("hard link");
        assertThat(refused(Archives.of().hardLink("copy", "missing.py"), ArchiveFormat.TAR_GZ))
                .hasMessageContaining("'copy'").hasMessageContaining("not a file in the archive");
    }

    @ParameterizedTest
    @EnumSource(ArchiveFormat.class)
    void deviceFilesAndFifosAreRefused(ArchiveFormat format) {
        assertThat(refused(Archives.of().device("dev/sda"), format)).hasMessageContaining("'dev/sda'").hasMessageContaining("device");
        assertThat(refused(Archives.of().fifo("pipe"), format)).hasMessageContaining("'pipe'");
    }

    @ParameterizedTest
    @EnumSource(ArchiveFormat.class)
    void aDuplicateEntryIsRefused(ArchiveFormat format) {
        assertThat(refused(Archives.of().file("main.py", "a").file("./main.py", "b"), format))
                .hasMessageContaining("'./main.py'").hasMessageContaining("twice");
    }

    @ParameterizedTest
    @EnumSource(ArchiveFormat.class)
    void moreEntriesThanTheLimitAreRefused(ArchiveFormat format) {
        Archives many = Archives.of();
        for (int i = 0; i <= LIMITS.maxEntries(); i++) {
            many.file("f" + i + ".txt", "x");
        }
        assertThat(refused(many, format)).hasMessageContaining("'f100.txt'").hasMessageContaining("max-entries");
    }

    @ParameterizedTest
    @EnumSource(ArchiveFormat.class)
    void moreUnpackedBytesThanTheLimitAreRefused(ArchiveFormat format) {
        byte[] noise = new byte[3 << 20];
        new Random(7).nextBytes(noise);
        Archives big = Archives.of().file("a.bin", noise).file("b.bin", noise).file("c.bin", noise);
        assertThat(refused(big, format)).hasMessageContaining("'c.bin'").hasMessageContaining("max-unpacked-size");
    }

    @ParameterizedTest
    @EnumSource(ArchiveFormat.class)
    void aZipBombIsRefusedByItsCompressionRatio(ArchiveFormat format) {
        byte[] zeros = new byte[6 << 20];
        InvalidArchiveException e = refused(Archives.of().file("bomb.txt", zeros), format);
        assertThat(e.entry()).isEqualTo("bomb.txt");
        assertThat(e).hasMessageContaining("max-compression-ratio");
    }

    @ParameterizedTest
    @EnumSource(ArchiveFormat.class)
    void aTruncatedArchiveIsRefusedAsCorrupt(ArchiveFormat format) {
        byte[] whole = pack(Archives.of().file("main.py", "def handler(e):\n    return e\n".repeat(50)).file("b.py", "y"), format);
        byte[] truncated = Arrays.copyOf(whole, whole.length / 2);
        assertThat(refused(reader, truncated, format)).hasMessageContaining("corrupt or truncated");
    }

    @Test
    void corruptBytesAfterAZipHeaderAreRefused() {
        byte[] bytes = "PK\u0003\u0004 this is no zip at all, just text pretending".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(refused(reader, bytes, ArchiveFormat.ZIP)).hasMessageContaining("corrupt or truncated");
    }

    @Test
    void anArchiveThatIsNotWhatItsExtensionSaysIsRefused() {
        byte[] tarGz = Archives.of().file("main.py", "x").tarGz();
        byte[] zip = Archives.of().file("main.py", "x").zip();
        assertThat(refused(reader, tarGz, ArchiveFormat.ZIP)).hasMessageContaining("is not a zip archive (it is gzip data)");
        assertThat(refused(reader, zip, ArchiveFormat.TAR_GZ)).hasMessageContaining("not a gzipped tar archive (it is a zip archive)");
        assertThat(refused(reader, "def handler(e): pass".getBytes(StandardCharsets.UTF_8), ArchiveFormat.ZIP))
                .hasMessageContaining("neither zip nor gzip");
    }

    @ParameterizedTest
    @EnumSource(ArchiveFormat.class)
    void aFileInsideAFileIsRefused(ArchiveFormat format) {
        assertThat(refused(Archives.of().file("lib", "x").file("lib/util.py", "y"), format)).hasMessageContaining("'lib/util.py'");
    }
}
