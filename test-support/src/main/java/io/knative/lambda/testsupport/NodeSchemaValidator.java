package io.knative.lambda.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The published-schema check as one long-lived {@code node test-support/schemas/validate.mjs} child
 * process (the deployer's tests validate every write, so one process start per object would be slow):
 * one object per line in, one verdict per line out.
 */
final class NodeSchemaValidator {

    /** The answer for one object; {@code known} is false when the packages hold no model for its kind. */
    record Verdict(boolean known, List<String> violations) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long ANSWER_TIMEOUT_SECONDS = 60;
    private static final String END = "\u0000end";

    private final Process process;
    private final Writer requests;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final StringBuilder stderr = new StringBuilder();

    private NodeSchemaValidator(Process process) {
        this.process = process;
        this.requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        pump(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), true);
        pump(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), false);
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy, "schema-validator-stop"));
    }

    /**
     * Starts the validator of the checkout at {@code project}: the script {@code test-support/schemas/validate.mjs}
     * on the packages {@code .tools/schemas/node_modules} (installed by {@code make tools} and the test-support build).
     */
    static NodeSchemaValidator start(Path project) {
        Path script = project.resolve("test-support/schemas/validate.mjs");
        Path modules = project.resolve(".tools/schemas/node_modules");
        if (!Files.isRegularFile(script)) {
            throw new AssertionError("the schema validator script is not at " + script.toAbsolutePath()
                    + " (test.project.dir must name the checkout)");
        }
        if (!Files.isRegularFile(modules.resolve("@kubernetes-models/knative/package.json"))
                || !Files.isRegularFile(modules.resolve("kubernetes-models/package.json"))) {
            throw new AssertionError("the schema packages (@kubernetes-models/knative, kubernetes-models) are not installed at "
                    + modules.toAbsolutePath() + ": run `make tools` or test-support/schemas/install.sh (the test-support"
                    + " module's build runs it too)");
        }
        try {
            return new NodeSchemaValidator(new ProcessBuilder("node", script.toString(), modules.toString()).start());
        } catch (IOException e) {
            throw new AssertionError("cannot start node to validate against the published schemas (install Node.js: make tools): "
                    + e.getMessage(), e);
        }
    }

    /** Validates one object, given as JSON. */
    synchronized Verdict validate(JsonNode object) {
        JsonNode answer;
        try {
            requests.write(JSON.writeValueAsString(object));
            requests.write('\n');
            requests.flush();
            String line = answers.poll(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (line == null || END.equals(line)) {
                throw new IllegalStateException("the schema validator " + (line == null ? "did not answer in "
                        + ANSWER_TIMEOUT_SECONDS + " s" : "exited (" + exitCode() + ")") + "; its stderr: " + stderr());
            }
            answer = JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException("the schema validator is gone; its stderr: " + stderr(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while validating", e);
        }
        if (answer.has("error")) {
            throw new IllegalStateException("the schema validator failed on " + object + ": " + answer.path("error").asText());
        }
        List<String> violations = new ArrayList<>();
        answer.path("violations").forEach(v -> violations.add(v.asText()));
        return new Verdict(answer.path("known").asBoolean(), violations);
    }

    private void pump(BufferedReader reader, boolean isAnswers) {
        Thread pump = new Thread(() -> {
            try (reader) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (isAnswers) {
                        answers.add(line);
                    } else {
                        synchronized (stderr) {
                            if (stderr.length() < 16_384) {
                                stderr.append(line).append('\n');
                            }
                        }
                    }
                }
            } catch (IOException e) {
                // the process is gone; validate() reports it
            } finally {
                if (isAnswers) {
                    answers.add(END);
                }
            }
        }, isAnswers ? "schema-validator-out" : "schema-validator-err");
        pump.setDaemon(true);
        pump.start();
    }

    private String exitCode() {
        return process.isAlive() ? "still running" : "exit " + process.exitValue();
    }

    private String stderr() {
        synchronized (stderr) {
            return stderr.isEmpty() ? "(empty)" : stderr.toString();
        }
    }
}
