package io.knative.lambda.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/** A real OCI registry (Debian's {@code docker-registry}, distribution 2.8) on a free loopback port. */
public final class RegistryServer extends LocalProcess {

    private final int port;

    private RegistryServer(Path dir, int port) {
        super("registry", List.of(executable("docker-registry", System.getProperty("test.docker-registry"),
                "/usr/bin/docker-registry"), "serve", dir.resolve("config.yml").toString()), dir);
        this.port = port;
    }

    /** Starts a registry with its storage in a new temporary folder and waits until {@code /v2/} answers. */
    public static RegistryServer start() {
        Path dir = tempDir("klambda-registry-");
        int port = freePort();
        try {
            Files.writeString(dir.resolve("config.yml"), String.join("\n",
                    "version: 0.1",
                    "log:",
                    "  level: warn",
                    "  accesslog:",
                    "    disabled: false",
                    "storage:",
                    "  filesystem:",
                    "    rootdirectory: " + dir.resolve("data"),
                    "  delete:",
                    "    enabled: true",
                    "http:",
                    "  addr: 127.0.0.1:" + port,
                    ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RegistryServer server = new RegistryServer(dir, port);
        server.awaitHttp(server.url() + "/v2/", status -> status == 200, Duration.ofSeconds(20));
        return server;
    }

    /**
     * The end of an outage that {@link #stop()} began: the registry started again on the same port and storage
     * (this one stopped first if it still runs), once {@code /v2/} answers.
     */
    public RegistryServer restarted() {
        stop();
        RegistryServer again = new RegistryServer(workDir(), port);
        again.awaitHttp(again.url() + "/v2/", status -> status == 200, Duration.ofSeconds(20));
        return again;
    }

    /** {@code 127.0.0.1:<port>}, the registry part of an image reference. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    public String url() {
        return "http://" + host();
    }

    public int port() {
        return port;
    }

    /** The digests of every blob (layers, configs, manifests) the registry stores: a new one means bytes were pushed. */
    public java.util.Set<String> blobDigests() {
        Path blobs = workDir().resolve("data/docker/registry/v2/blobs");
        if (!Files.exists(blobs)) {
            return java.util.Set.of();
        }
        try (Stream<Path> files = Files.walk(blobs)) {
            return files.filter(p -> p.getFileName().toString().equals("data"))
                    .map(p -> "sha256:" + p.getParent().getFileName()).collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * How many requests the registry has answered whose method is {@code method} and whose path contains
     * {@code pathPart}, from its access log (written before each answer is sent).
     */
    public long requests(String method, String pathPart) {
        String prefix = "\"" + method + " /v2/";
        return logText().lines().filter(l -> {
            int at = l.indexOf(prefix);
            return at >= 0 && l.indexOf(pathPart, at) > at && l.indexOf(pathPart, at) < l.indexOf(" HTTP/", at);
        }).count();
    }

    /** How many blob uploads the registry completed (one {@code PUT …/blobs/uploads/…} each; a mount is none). */
    public long blobUploads() {
        return requests("PUT", "/blobs/uploads/");
    }

    /** How many blobs (layers, configs, manifests) the registry stores: grows only when something new is pushed. */
    public long blobCount() {
        Path blobs = workDir().resolve("data/docker/registry/v2/blobs");
        if (!Files.exists(blobs)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(blobs)) {
            return files.filter(p -> p.getFileName().toString().equals("data")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
