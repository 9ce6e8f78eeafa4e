package io.knative.lambda.platform.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.testsupport.KafkaServer;
import io.knative.lambda.testsupport.LocalProcess;
import io.knative.lambda.testsupport.LocalhostProxy;
import io.knative.lambda.testsupport.NpmRegistryServer;
import io.knative.lambda.testsupport.PythonIndexServer;
import io.knative.lambda.testsupport.RegistryServer;

/**
 * The whole platform of local mode on free loopback ports, as `make run` starts it and with the same
 * environment ({@code scripts/dev/env}, through {@link ServiceEnv}): Kafka, a registry, the S3 server with its
 * notification webhook, the local broker, the packaged builder, the local cluster (functions as processes) and
 * the deployer writing to it. Stopped and cleaned up by {@link #close()}.
 */
final class LocalPlatform implements AutoCloseable {

    static final String BUCKET = "functions";
    private static final ObjectMapper JSON = new ObjectMapper();

    final KafkaServer kafka;
    final RegistryServer registry;
    /** The builder's npm registry (KLAMBDA_NPM_REGISTRY): packages a test publishes for Node.js functions. */
    final NpmRegistryServer npm;
    /** The builder's Python package index (KLAMBDA_PYTHON_INDEX_URL): tests add the wheels their functions need. */
    final PythonIndexServer pythonIndex;
    // picked once the in-process servers above listen: a port picked before them could be handed to one of them (they
    // bind port 0), and the S3 server's readiness check would take that server's answer for its own (the likely cause
    // of an upload answered 404 once in CI)
    final int s3Port;
    final int brokerPort;
    final int builderPort;
    final int deployerPort;
    final int clusterPort;
    final int ingressPort;
    private final Path dir;
    private final List<LocalProcess> processes = new ArrayList<>();
    /** Reaches the functions' {@code http://{service}.local.localhost:PORT} URLs through the ingress, as curl does. */
    private final HttpClient http = LocalhostProxy.client();

    LocalPlatform() {
        this(Map.of(), true);
    }

    /**
     * @param deployerEnv extra environment of the deployer (e.g. a short reconcile period)
     * @param notify      whether the S3 server's notifications reach the builder; {@code false}: every one is lost, as
     *                    when a webhook is misconfigured, and only the reconciler can notice an upload
     */
    LocalPlatform(Map<String, String> deployerEnv, boolean notify) {
        Path project = Path.of(System.getProperty("test.project.dir", "..")).toAbsolutePath().normalize();
        try {
            dir = Files.createTempDirectory("klambda-e2e-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            kafka = KafkaServer.start();
            registry = RegistryServer.start();
            pythonIndex = PythonIndexServer.start();
            npm = NpmRegistryServer.start();
            s3Port = LocalProcess.freePort();
            brokerPort = LocalProcess.freePort();
            builderPort = LocalProcess.freePort();
            deployerPort = LocalProcess.freePort();
            clusterPort = LocalProcess.freePort();
            ingressPort = LocalProcess.freePort();
            Map<String, String> variables = new HashMap<>(variables(project, dir, port(kafka.bootstrapServers()),
                    port(registry.host()), s3Port, brokerPort, builderPort, deployerPort, clusterPort, null));
            variables.put("INGRESS_PORT", Integer.toString(ingressPort));
            variables.put("KLAMBDA_PYTHON_INDEX_URL", pythonIndex.url());
            variables.put("KLAMBDA_NPM_REGISTRY", npm.url());
            writeTrustMaterial(dir);
            // the environment of each service is make run's (scripts/dev/env), with shorter retry delays for the tests
            start("broker", brokerPort, "/q/health/ready", app(project, "local-broker"), ServiceEnv.of(project, "broker",
                    variables), Map.of("KLAMBDA_DISPATCH_BACKOFF", "200ms"));
            start("builder", builderPort, "/q/health/ready", app(project, "builder-service"), ServiceEnv.of(project, "builder",
                    variables), Map.of("KLAMBDA_KAFKA_BACKOFF", "200ms"));
            start("local-cluster", clusterPort, "/version", jar(project.resolve("local-cluster/target/local-cluster.jar")),
                    ServiceEnv.of(project, "local-cluster", variables), Map.of());
            try {
                variables.put("CLUSTER_TOKEN", Files.readString(dir.resolve("local-cluster.token")).trim());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Map<String, String> deployerOverrides = new HashMap<>(Map.of("KLAMBDA_KAFKA_BACKOFF", "200ms"));
            deployerOverrides.putAll(deployerEnv);
            start("deployer", deployerPort, "/q/health/ready", app(project, "deployer-service"), ServiceEnv.of(project, "deployer",
                    variables), deployerOverrides);
            LocalProcess s3 = new LocalProcess("s3", List.of("node", project.resolve("scripts/dev/s3-server.js").toString(),
                    "--directory", dir.resolve("s3").toString(), "--port", Integer.toString(s3Port), "--bucket", BUCKET,
                    "--webhook", notify ? "http://127.0.0.1:" + builderPort + "/s3/notifications"
                            : "http://127.0.0.1:" + LocalProcess.freePort() + "/dropped", "--webhook-token-file",
                    dir.resolve("webhook.token").toString()), dir) {
            };
            processes.add(s3);
            awaitStatus("http://127.0.0.1:" + s3Port + "/", "s3");
            writePlatformFile();
        } catch (RuntimeException | Error e) {
            // a service that did not come up: stop what did, or it outlives the test run
            try {
                close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** platform.json in the run folder, as make run writes it: what the klambda CLI reads to find local mode. */
    private void writePlatformFile() {
        Map<String, Object> file = new java.util.LinkedHashMap<>();
        file.put("cluster", "http://127.0.0.1:" + clusterPort);
        file.put("broker", "http://127.0.0.1:" + brokerPort);
        file.put("s3", "http://127.0.0.1:" + s3Port);
        file.put("bucket", BUCKET);
        file.put("s3AccessKey", "S3RVER");
        file.put("s3SecretKey", "S3RVER");
        file.put("namespace", "local");
        file.put("functions", "functions");
        file.put("kafka", kafka.bootstrapServers());
        file.put("ingress", "http://127.0.0.1:" + ingressPort);
        try {
            JSON.writeValue(dir.resolve("platform.json").toFile(), file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The run folder (platform.json, kubeconfig, functions/), as make run's .run/. */
    Path runDir() {
        return dir;
    }

    /** The variables of scripts/dev/env/*.env for a platform in {@code run} on these ports. */
    static Map<String, String> variables(Path project, Path run, int kafkaPort, int registryPort, int s3Port, int brokerPort,
            int builderPort, int deployerPort, int clusterPort, String clusterToken) {
        Map<String, String> v = new HashMap<>();
        v.put("ROOT", project.toString());
        v.put("RUN", run.toString());
        v.put("KAFKA_PORT", Integer.toString(kafkaPort));
        v.put("REGISTRY_PORT", Integer.toString(registryPort));
        v.put("S3_PORT", Integer.toString(s3Port));
        v.put("BROKER_PORT", Integer.toString(brokerPort));
        v.put("BUILDER_PORT", Integer.toString(builderPort));
        v.put("DEPLOYER_PORT", Integer.toString(deployerPort));
        v.put("CLUSTER_PORT", Integer.toString(clusterPort));
        v.put("INGRESS_PORT", "0");
        v.put("BUCKET", BUCKET);
        v.put("PYTHON", "python3");
        String[] target = pythonTarget(project);
        v.put("PYTHON_VERSION", target[0]);
        v.put("PYTHON_PLATFORM", target[1]);
        v.put("PYTHON_RUNTIME", project.resolve("function-runtime/python/klambda_local.py").toString());
        if (clusterToken != null) {
            v.put("CLUSTER_TOKEN", clusterToken);
        }
        v.put("WEBHOOK_TOKEN", WEBHOOK_TOKEN);
        return v;
    }

    private static String[] pythonTarget;

    /** The version and platform tag of python3, the functions' interpreter here, as make run reads them. */
    private static synchronized String[] pythonTarget(Path project) {
        if (pythonTarget == null) {
            try {
                Process p = new ProcessBuilder("python3", project.resolve("scripts/dev/python-target.py").toString())
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
                if (p.waitFor() != 0 || out.split(" ").length != 2) {
                    throw new IllegalStateException("scripts/dev/python-target.py failed: " + out);
                }
                pythonTarget = out.split(" ");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return pythonTarget;
    }

    /** The webhook's token of these tests (random per run, as local-env.sh's trust_material makes one). */
    static final String WEBHOOK_TOKEN = "e2e-" + java.util.UUID.randomUUID();

    /** What local-env.sh's trust_material writes into .run/: the webhook token and the builder's Ed25519 key pair (PEM). */
    private static void writeTrustMaterial(Path run) {
        try {
            java.security.KeyPair pair = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            java.util.Base64.Encoder pem = java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            Files.writeString(run.resolve("webhook.token"), WEBHOOK_TOKEN);
            Files.writeString(run.resolve("build-signing.key"), "-----BEGIN PRIVATE KEY-----\n"
                    + pem.encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
            Files.writeString(run.resolve("build-signing.pub"), "-----BEGIN PUBLIC KEY-----\n"
                    + pem.encodeToString(pair.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has Ed25519", e);
        }
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    private void start(String name, int port, String readyPath, String jar, Map<String, String> env,
            Map<String, String> overrides) {
        Map<String, String> environment = new HashMap<>(env);
        environment.putAll(overrides);
        Runnable starter = () -> {
            LocalProcess process = new LocalProcess(name, List.of(java(), "-jar", jar), dir, environment) {
            };
            synchronized (processes) {
                processes.removeIf(p -> name.equals(names.get(p)) && !p.isAlive()); // a killed one, started again
                processes.add(process);
                names.put(process, name);
            }
            awaitStatus("http://127.0.0.1:" + port + readyPath, name);
        };
        starters.put(name, starter);
        starter.run();
    }

    private final Map<LocalProcess, String> names = new java.util.IdentityHashMap<>();
    private final Map<String, Runnable> starters = new HashMap<>();

    /** SIGKILLs a service of the platform (broker, builder, local-cluster, deployer), as a crash would. */
    void kill(String name) {
        synchronized (processes) {
            names.forEach((p, n) -> {
                if (n.equals(name) && p.isAlive()) {
                    p.kill();
                }
            });
        }
    }

    /** Starts a killed service again, with the same environment and ports, and waits until it is ready. */
    void restart(String name) {
        starters.get(name).run();
    }

    private void awaitStatus(String url, String name) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() < 500) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            pause(100);
        }
        throw new IllegalStateException(name + " did not come up at " + url + ":\n" + log(name));
    }

    /** The end of a process's output, for failure messages. */
    String log(String name) {
        try {
            Path file = dir.resolve(name + ".log");
            if (!Files.exists(file)) {
                return "";
            }
            String text = Files.readString(file);
            return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
        } catch (IOException e) {
            return "";
        }
    }

    String s3Object(String key) {
        return "http://127.0.0.1:" + s3Port + "/" + BUCKET + "/" + key;
    }

    /** PUT an object, as a developer's `aws s3 cp` does. */
    void upload(String key, byte[] body) {
        send(HttpRequest.newBuilder(URI.create(s3Object(key))).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), 200);
    }

    void remove(String key) {
        send(HttpRequest.newBuilder(URI.create(s3Object(key))).DELETE().build(), 204);
    }

    /** Recent events on the bus, optionally of a type prefix and subject. */
    List<JsonNode> events(String typePrefix, String subject) {
        String url = "http://127.0.0.1:" + brokerPort + "/events?limit=1000" + (typePrefix == null ? "" : "&type=" + typePrefix)
                + (subject == null ? "" : "&subject=" + subject);
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            List<JsonNode> out = new ArrayList<>();
            JSON.readTree(r.body()).forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** POST JSON, answer body and status. */
    /** The platform's folder: the services' logs ({@code *.log}), the secrets make run makes, the functions' folders. */
    Path dir() {
        return dir;
    }

    HttpResponse<String> post(String url, String json, Map<String, String> headers) {
        URI uri = URI.create(url);
        // a Knative URL has no path; in proxy form (*.localhost through the ingress) the request needs its "/", as curl sends
        HttpRequest.Builder b = HttpRequest.newBuilder(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? uri.resolve("/") : uri)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(b::header);
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** GET, answer body and status. */
    HttpResponse<String> get(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String brokerUrl() {
        return "http://127.0.0.1:" + brokerPort + "/";
    }

    String clusterUrl() {
        return "http://127.0.0.1:" + clusterPort + "/";
    }

    String builderUrl() {
        return "http://127.0.0.1:" + builderPort + "/";
    }

    String deployerUrl() {
        return "http://127.0.0.1:" + deployerPort + "/";
    }

    private void send(HttpRequest request, int expected) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expected) {
                throw new IllegalStateException(request.method() + " " + request.uri() + " answered " + r.statusCode());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String app(Path project, String module) {
        return jar(project.resolve(module).resolve("target/quarkus-app/quarkus-run.jar"));
    }

    private static String jar(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package the platform first (mvn -Pit verify builds it)");
        }
        return jar.toString();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).stop();
        }
        for (AutoCloseable server : java.util.Arrays.asList(registry, npm, pythonIndex, kafka)) {
            if (server != null) { // null: the platform failed to start before it
                try {
                    server.close();
                } catch (Exception e) {
                    throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
                }
            }
        }
    }
}
