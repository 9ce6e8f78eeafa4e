package io.knative.lambda.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka broker (KRaft, broker and controller in one process) from the Maven Central jars that
 * {@code make tools} copies into {@code .tools/kafka/libs}, on free loopback ports. It can be stopped
 * and started again on the same ports and data, to test that nothing is lost across a restart.
 */
public final class KafkaServer implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final String classpath;
    private LocalProcess process;

    private KafkaServer(Path dir, int port, String classpath) {
        this.dir = dir;
        this.port = port;
        this.classpath = classpath;
    }

    /** Formats a new data folder and starts the broker; waits until it accepts connections. */
    public static KafkaServer start() {
        String libs = System.getProperty("test.kafka.libs",
                System.getProperty("test.project.dir", ".") + "/.tools/kafka/libs");
        if (!new File(libs).isDirectory()) {
            throw new IllegalStateException("Kafka is not installed at " + libs
                    + ". Run `make tools` to install what the integration tests need.");
        }
        Path dir = LocalProcess.tempDir("klambda-kafka-");
        int port = LocalProcess.freePort();
        int controllerPort = LocalProcess.freePort();
        try {
            Files.writeString(dir.resolve("server.properties"), String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=1",
                    "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                    "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                    "controller.listener.names=CONTROLLER",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "inter.broker.listener.name=PLAINTEXT",
                    "log.dirs=" + dir.resolve("data"),
                    "num.partitions=3",
                    "offsets.topic.replication.factor=1",
                    "offsets.topic.num.partitions=3",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    "auto.create.topics.enable=true",
                    ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String classpath = libs + "/*";
        String clusterId = Base64.getUrlEncoder().withoutPadding().encodeToString(uuidBytes());
        // "--cluster-id=": a random id may start with '-', which as a separate argument reads as an option
        run(dir, List.of(java(), "-cp", classpath, "kafka.tools.StorageTool", "format", "--cluster-id=" + clusterId, "-c",
                dir.resolve("server.properties").toString()));
        KafkaServer server = new KafkaServer(dir, port, classpath);
        server.startProcess();
        return server;
    }

    /** {@code 127.0.0.1:<port>}, for {@code kafka.bootstrap.servers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Stops the broker, keeping its data and ports. */
    public void stop() {
        if (process != null) {
            process.stop();
            process = null;
        }
    }

    /** Starts the broker again on the same data and ports. */
    public void restart() {
        stop();
        startProcess();
    }

    private void startProcess() {
        process = new LocalProcess("kafka", List.of(java(), "-Xmx512m", "-XX:+UseSerialGC", "-cp", classpath,
                "kafka.Kafka", dir.resolve("server.properties").toString()), dir) {
        };
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("kafka exited:\n" + process.logText());
            }
            if (process.logText().contains("Kafka Server started") && accepts()) {
                return;
            }
            pause();
        }
        throw new IllegalStateException("kafka did not start within 60 s:\n" + process.logText());
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        stop();
        LocalProcess.deleteTree(dir);
    }

    private static void run(Path dir, List<String> command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("format.log").toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("kafka storage format failed:\n" + Files.readString(dir.resolve("format.log")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static byte[] uuidBytes() {
        UUID uuid = UUID.randomUUID();
        return ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array();
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
