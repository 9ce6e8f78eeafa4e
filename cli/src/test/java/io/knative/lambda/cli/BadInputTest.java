package io.knative.lambda.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input and an unreachable platform: one clear line on stderr and a non-zero exit, never a stack trace. */
class BadInputTest {

    @TempDir
    Path run;

    /** A platform.json whose every server is a port nobody listens on. */
    private Path unreachablePlatform() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        Files.writeString(run.resolve("platform.json"), "{\"cluster\":\"" + url + "\",\"broker\":\"" + url + "\",\"s3\":\""
                + url + "\",\"bucket\":\"functions\",\"functions\":\"functions\"}");
        return run;
    }

    private static void assertOneLine(CliRun r, int exit, String message) {
        assertThat(r.exit()).as(r.err()).isEqualTo(exit);
        assertThat(r.err().lines()).as("one line on stderr").hasSize(1);
        assertThat(r.err()).startsWith("klambda: ").contains(message).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void anUnreachablePlatformIsOneLineThatNamesWhatCouldNotBeReached() throws IOException {
        Path dir = unreachablePlatform();

        assertOneLine(CliRun.of("get", "--run-dir", dir.toString()), 1, "cannot reach the local cluster at http://127.0.0.1:");
        assertOneLine(CliRun.of("events", "--run-dir", dir.toString()), 1, "cannot reach the local broker");
    }

    @Test
    void malformedJsonIsRefusedBeforeAnythingIsSent() throws IOException {
        CliRun r = CliRun.of("invoke", "parser-x", "{\"parser_id\": ", "--run-dir", unreachablePlatform().toString());

        assertOneLine(r, 2, "the event data is not valid JSON");
    }

    @Test
    void aMissingFileIsNamed() throws IOException {
        Path dir = unreachablePlatform();

        assertOneLine(CliRun.of("deploy", "no-such-parser.py", "--run-dir", dir.toString()), 2,
                "no such file or folder: no-such-parser.py");
        assertOneLine(CliRun.of("invoke", "parser-x", "@missing.json", "--run-dir", dir.toString()), 2,
                "no such file: missing.json");
    }

    @Test
    void noLocalPlatformSaysHowToStartOne() {
        assertOneLine(CliRun.of("get", "--run-dir", run.toString()), 1, "start one with `make run`");
    }

    @Test
    void anUnknownOptionOrMissingArgumentIsAUsageErrorThatPointsToHelp() {
        assertOneLine(CliRun.of("logs"), 2, "Missing required parameter: 'NAME' (klambda logs --help)");
        assertOneLine(CliRun.of("get", "--frobnicate"), 2, "Unknown option: '--frobnicate'");
        assertOneLine(CliRun.of("logs", "x", "--since", "yesterday", "--run-dir", run.toString()), 1,
                "start one with `make run`");
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"deploy", "get", "invoke", "logs", "events", "trace", "rollback", "delete"}) {
            CliRun r = CliRun.of(command, "--help");
            assertThat(r.exit()).isZero();
            assertThat(r.out()).startsWith("Usage: klambda " + command).contains("--output");
        }
    }

    @Test
    void aFolderWithALinkOutsideIsRefusedBeforeAnythingIsUploaded() throws IOException {
        Path dir = unreachablePlatform();
        Path fn = Files.createDirectories(run.resolve("fn"));
        Files.writeString(fn.resolve("main.py"), "def handler(e):\n    return e\n");
        Files.createSymbolicLink(fn.resolve("passwd"), Path.of("/etc/passwd"));

        assertOneLine(CliRun.of("deploy", fn.toString(), "--run-dir", dir.toString()), 2, fn.resolve("passwd")
                + " is a link to /etc/passwd, outside " + fn);
    }

    @Test
    void aFolderThatCannotBeReadIsNamed() throws Exception {
        Path dir = unreachablePlatform();
        Path fn = Files.createDirectories(run.resolve("fn"));
        Files.writeString(fn.resolve("main.py"), "def handler(e):\n    return e\n");
        Path fifo = fn.resolve("events.pipe");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor()).as("mkfifo").isZero();

        assertOneLine(CliRun.of("deploy", fn.toString(), "--run-dir", dir.toString()), 2, fifo
                + " is not a regular file");
    }
}
