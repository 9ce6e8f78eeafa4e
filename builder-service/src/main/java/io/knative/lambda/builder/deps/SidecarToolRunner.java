package io.knative.lambda.builder.deps;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Runs tools in a tool sidecar of the builder's pod ({@code k8s/tools/}): {@code POST <url>/run} on loopback with the
 * bearer token the sidecar wrote to a shared file, the command as JSON; the sidecar checks it against its allow list,
 * runs it in the shared work directory (the same path in both containers) and answers {@code {exitCode, timedOut,
 * output}}. A sidecar not reachable yet, without its token yet, or busy is a transient {@link ToolUnavailableException};
 * a refusal is a {@link ToolRefusedException} with the sidecar's code. The token is read from its file at each run (the
 * sidecar may start after the builder) and never logged.
 */
public final class SidecarToolRunner implements ToolRunner {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration GRACE = Duration.ofSeconds(30);

    private final String name;
    private final URI run;
    private final Path tokenFile;
    private final HttpClient http;

    /**
     * @param name      the sidecar's name in messages ({@code python}, {@code node})
     * @param url       the sidecar's base URL, e.g. {@code http://127.0.0.1:8181}
     * @param tokenFile the file the sidecar keeps its bearer token in
     */
    public SidecarToolRunner(String name, URI url, Path tokenFile) {
        this.name = name;
        this.run = URI.create(url.toString().replaceAll("/+$", "") + "/run");
        this.tokenFile = tokenFile;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    }

    @Override
    public ToolRun run(ToolCommand command) throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tool", command.tool());
        body.put("args", command.args());
        body.put("cwd", command.dir().toAbsolutePath().toString());
        body.put("env", command.env());
        body.put("timeoutMs", command.timeout().toMillis());
        body.put("maxOutput", command.maxOutput());
        HttpRequest request = HttpRequest.newBuilder(run).timeout(command.timeout().plus(GRACE))
                .header("Authorization", "Bearer " + token(command.tool()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            throw new ToolUnavailableException(command.tool(), true, "the " + name + " tool sidecar at " + run
                    + " did not answer within " + command.timeout().plus(GRACE).toSeconds() + " s", e);
        } catch (IOException e) {
            throw new ToolUnavailableException(command.tool(), true, "the " + name + " tool sidecar at " + run
                    + " is not reachable (" + e.getClass().getSimpleName() + "); is it running?", e);
        }
        JsonNode answer = parse(command.tool(), response.body());
        if (response.statusCode() == 200) {
            boolean timedOut = answer.path("timedOut").asBoolean(false);
            return new ToolRun(!timedOut, timedOut ? -1 : answer.path("exitCode").asInt(-1), answer.path("output").asText(""));
        }
        String message = "the " + name + " tool sidecar answered " + response.statusCode() + " "
                + answer.path("error").asText("?") + ": " + answer.path("message").asText("");
        if (response.statusCode() == 503) {
            throw new ToolUnavailableException(command.tool(), true, message, null);
        }
        throw new ToolRefusedException(response.statusCode(), answer.path("error").asText(""), message);
    }

    private String token(String tool) throws ToolUnavailableException {
        try {
            String token = Files.readString(tokenFile, StandardCharsets.US_ASCII).strip();
            if (!token.isEmpty()) {
                return token;
            }
        } catch (NoSuchFileException e) {
            // the sidecar has not written it yet
        } catch (IOException e) {
            throw new ToolUnavailableException(tool, true, "cannot read the " + name + " tool sidecar's token file "
                    + tokenFile + ": " + e.getMessage(), e);
        }
        throw new ToolUnavailableException(tool, true, "the " + name + " tool sidecar has not written its token to "
                + tokenFile + " yet; is it running?", null);
    }

    private JsonNode parse(String tool, String text) throws ToolUnavailableException {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new ToolUnavailableException(tool, true, "the " + name + " tool sidecar at " + run
                    + " answered something that is not JSON", e);
        }
    }

    @Override
    public String describe() {
        return "the " + name + " tool sidecar at " + run;
    }
}
