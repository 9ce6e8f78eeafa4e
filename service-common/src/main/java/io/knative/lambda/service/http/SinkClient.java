package io.knative.lambda.service.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Sends one CloudEvent in binary mode to a sink (a broker ingress: {@code K_SINK}), attribute headers
 * percent-encoded as the CloudEvents HTTP binding asks. Used by the services that publish events of their own
 * accord, not as a reply: the builder's S3 webhook, the deployer's reconciler.
 */
public final class SinkClient {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Duration timeout;

    /** @param timeout how long one send may take */
    public SinkClient(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * Posts the event; {@code null} when the sink accepted it (2xx), else why not, for a log line.
     *
     * @param attributes the CloudEvent attributes ({@code specversion} is added), each sent as a {@code ce-} header
     * @param json       the event's data, JSON
     */
    public String send(URI sink, Map<String, String> attributes, String json) {
        return send(sink, attributes, json, null);
    }

    /**
     * The OIDC token Knative's SinkBinding mounts for a sender when sender identity is on, read from {@code file} at
     * each send (it is rotated); empty when the file is absent or empty (identity off: no token is sent).
     *
     * @throws IOException when the file exists and cannot be read
     */
    public static Optional<String> token(Path file) throws IOException {
        try {
            String token = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return token.isEmpty() ? Optional.empty() : Optional.of(token);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Posts the event with {@code Authorization: Bearer bearerToken} (the OIDC token a SinkBinding mounts), or without
     * one when it is {@code null}; the answer as {@link #send(URI, Map, String)}.
     */
    public String send(URI sink, Map<String, String> attributes, String json, String bearerToken) {
        HttpRequest.Builder request = HttpRequest.newBuilder(sink).timeout(timeout)
                .header("Content-Type", "application/json")
                .header("ce-specversion", "1.0")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (bearerToken != null) {
            request.header("Authorization", "Bearer " + bearerToken);
        }
        attributes.forEach((name, value) -> {
            if (value != null && !name.equals("specversion")) {
                request.header("ce-" + name, HeaderValues.encode(value));
            }
        });
        try {
            HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() / 100 == 2 ? null : "HTTP " + response.statusCode();
        } catch (IOException e) {
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
