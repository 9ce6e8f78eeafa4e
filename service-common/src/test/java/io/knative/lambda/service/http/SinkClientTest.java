package io.knative.lambda.service.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

/** Events a service sends of its own accord reach the broker with the SinkBinding's OIDC token, when one is mounted. */
class SinkClientTest {

    @TempDir
    Path dir;

    private HttpServer broker;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final List<String> types = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startBroker() throws IOException {
        broker = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        broker.createContext("/", exchange -> {
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            types.add(exchange.getRequestHeaders().getFirst("ce-type"));
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        broker.start();
    }

    @AfterEach
    void stopBroker() {
        broker.stop(0);
    }

    private String send(Path tokenFile) throws IOException {
        URI sink = URI.create("http://127.0.0.1:" + broker.getAddress().getPort() + "/");
        return new SinkClient(Duration.ofSeconds(5)).send(sink, Map.of("id", "1", "type", "io.knative.lambda.build.requested",
                "source", "test"), "{}", SinkClient.token(tokenFile).orElse(null));
    }

    @Test
    void theMountedTokenIsSentAndReadAgainAtEachSend() throws IOException {
        Path token = dir.resolve("token");
        Files.writeString(token, "first-token\n");
        assertThat(send(token)).as("accepted").isNull();
        Files.writeString(token, "rotated-token");
        assertThat(send(token)).isNull();

        assertThat(authorizations).containsExactly("Bearer first-token", "Bearer rotated-token");
        assertThat(types).containsOnly("io.knative.lambda.build.requested");
    }

    @Test
    void withoutAMountedTokenNoneIsSent() throws IOException {
        Path empty = dir.resolve("empty");
        Files.writeString(empty, "  \n");

        assertThat(send(dir.resolve("absent"))).isNull();
        assertThat(send(empty)).isNull();

        assertThat(authorizations).containsExactly("null", "null");
    }
}
