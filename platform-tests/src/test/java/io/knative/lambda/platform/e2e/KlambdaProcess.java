package io.knative.lambda.platform.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged {@code klambda} CLI ({@code cli/target/klambda.jar}) run as a user runs it against a local platform's
 * run folder: to the end ({@link #run}), or started and left running ({@link #start}, for {@code -f}) with its output
 * captured in files that a test reads while it runs, and destroyed by {@link #close}.
 */
final class KlambdaProcess implements AutoCloseable {

    static final Path PROJECT = Path.of(System.getProperty("test.project.dir", "..")).toAbsolutePath().normalize();

    /** A finished command: exit code, stdout, stderr. */
    record Run(int exit, String out, String err) {
    }

    private final Process process;
    private final Path out;
    private final Path err;

    private KlambdaProcess(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /** The CLI's command line for {@code args}. */
    static List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", PROJECT.resolve("cli/target/klambda.jar").toString()));
        command.addAll(List.of(args));
        return command;
    }

    /** Starts {@code command} with {@code env} added, its output captured. */
    static KlambdaProcess start(List<String> command, Map<String, String> env) {
        try {
            Path out = Files.createTempFile("klambda-out", ".txt");
            Path err = Files.createTempFile("klambda-err", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().putAll(env);
            return new KlambdaProcess(builder.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the CLI against {@code runDir} (KLAMBDA_RUN_DIR), as {@code scripts/klambda} runs it against .run/. */
    static KlambdaProcess start(Path runDir, String... args) {
        return start(command(args), Map.of("KLAMBDA_RUN_DIR", runDir.toString()));
    }

    /** Runs {@code command} to its end (at most 5 minutes). */
    static Run run(List<String> command, Map<String, String> env) throws InterruptedException {
        try (KlambdaProcess p = start(command, env)) {
            assertThat(p.process.waitFor(5, TimeUnit.MINUTES)).as(String.join(" ", command) + " ended").isTrue();
            return new Run(p.process.exitValue(), p.out(), p.err());
        }
    }

    /** Runs the CLI against {@code runDir} to its end. */
    static Run run(Path runDir, String... args) throws InterruptedException {
        return run(command(args), Map.of("KLAMBDA_RUN_DIR", runDir.toString()));
    }

    /** What it printed on stdout so far. */
    String out() {
        return read(out);
    }

    /** What it printed on stderr so far. */
    String err() {
        return read(err);
    }

    boolean alive() {
        return process.isAlive();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops it (if it still runs) and waits for it to end. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
