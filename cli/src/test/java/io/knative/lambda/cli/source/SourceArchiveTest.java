package io.knative.lambda.cli.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.knative.lambda.cli.CliException;

/** Packing a function's folder: what ships, what is left out, the same bytes every time, links that are refused. */
class SourceArchiveTest {

    @TempDir
    Path work;

    private Path function() throws IOException {
        Path dir = work.resolve("invoice");
        write(dir.resolve("main.py"), "from lib.money import total\ndef handler(event):\n    return total(event)\n");
        write(dir.resolve("lib/__init__.py"), "");
        write(dir.resolve("lib/money.py"), "def total(e):\n    return 1\n");
        write(dir.resolve("function.yaml"), "runtime: python\n");
        write(dir.resolve("requirements.txt"), "tinymath==1.0\n");
        return dir;
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    /** The archive's entries, in order, with their text. */
    private static Map<String, String> entries(byte[] zip) throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null;) {
                entries.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return entries;
    }

    @Test
    void aFolderIsPackedWithEveryFileAtItsPathInsideTheFolderSorted() throws IOException {
        SourceArchive archive = SourceArchive.pack(function());

        assertThat(entries(archive.bytes())).containsExactly(
                Map.entry("function.yaml", "runtime: python\n"),
                Map.entry("lib/__init__.py", ""),
                Map.entry("lib/money.py", "def total(e):\n    return 1\n"),
                Map.entry("main.py", "from lib.money import total\ndef handler(event):\n    return total(event)\n"),
                Map.entry("requirements.txt", "tinymath==1.0\n"));
        assertThat(archive.files()).containsExactly("function.yaml", "lib/__init__.py", "lib/money.py", "main.py",
                "requirements.txt");
    }

    @Test
    void whatMustNotShipIsLeftOut() throws IOException {
        Path dir = function();
        write(dir.resolve(".git/HEAD"), "ref: refs/heads/main\n");
        write(dir.resolve("__pycache__/main.cpython-312.pyc"), "bytecode");
        write(dir.resolve("lib/__pycache__/money.cpython-312.pyc"), "bytecode");
        write(dir.resolve("lib/stale.pyc"), "bytecode");
        write(dir.resolve("node_modules/left-pad/index.js"), "module.exports = 1;\n");
        write(dir.resolve(".venv/bin/python"), "#!/bin/sh\n");
        write(dir.resolve(".env.example"), "A=1\n");

        assertThat(SourceArchive.pack(dir).files()).containsExactly(".env.example", "function.yaml", "lib/__init__.py",
                "lib/money.py", "main.py", "requirements.txt");
    }

    @Test
    void theSameFolderGivesTheSameBytesWhateverTheFilesTimes() throws IOException {
        Path dir = function();
        byte[] first = SourceArchive.pack(dir).bytes();
        Files.setLastModifiedTime(dir.resolve("main.py"), FileTime.from(Instant.parse("2031-05-06T07:08:09Z")));
        Files.setLastModifiedTime(dir.resolve("lib/money.py"), FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));

        assertThat(SourceArchive.pack(dir).bytes()).isEqualTo(first);

        Files.writeString(dir.resolve("lib/money.py"), "def total(e):\n    return 2\n");
        assertThat(SourceArchive.pack(dir).bytes()).as("a changed file is a changed archive").isNotEqualTo(first);
    }

    @Test
    void aLinkInsideTheFolderShipsWhatItPointsTo() throws IOException {
        Path dir = function();
        Files.createSymbolicLink(dir.resolve("money.py"), Path.of("lib/money.py"));
        Files.createSymbolicLink(dir.resolve("shared"), Path.of("lib"));

        Map<String, String> entries = entries(SourceArchive.pack(dir).bytes());

        assertThat(entries).containsEntry("money.py", "def total(e):\n    return 1\n")
                .containsEntry("shared/money.py", "def total(e):\n    return 1\n");
    }

    @Test
    void aLinkOutsideTheFolderIsRefusedWithOneLineNamingIt() throws IOException {
        Path dir = function();
        write(work.resolve("secrets/credentials"), "aws_secret_access_key=...\n");
        Files.createSymbolicLink(dir.resolve("lib/creds"), work.resolve("secrets/credentials"));

        assertThatThrownBy(() -> SourceArchive.pack(dir)).isInstanceOfSatisfying(CliException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(CliException.BAD_INPUT);
            assertThat(e.getMessage()).startsWith(dir.resolve("lib/creds") + " is a link to ").contains(", outside " + dir)
                    .doesNotContain("\n");
        });
    }

    @Test
    void aDanglingLinkALoopOrAnEmptyFolderIsRefused() throws IOException {
        Path dangling = function();
        Files.createSymbolicLink(dangling.resolve("gone.py"), Path.of("nowhere.py"));
        assertThatThrownBy(() -> SourceArchive.pack(dangling)).hasMessageContaining("gone.py is a link to nothing");

        Path loop = work.resolve("loop");
        write(loop.resolve("main.py"), "def handler(e):\n    return e\n");
        Files.createSymbolicLink(loop.resolve("again"), Path.of("."));
        assertThatThrownBy(() -> SourceArchive.pack(loop)).hasMessageContaining("again is a link into a loop");

        Path empty = Files.createDirectories(work.resolve("empty/__pycache__"));
        assertThatThrownBy(() -> SourceArchive.pack(empty.getParent())).hasMessageEndingWith("holds no file to deploy");
    }
}
