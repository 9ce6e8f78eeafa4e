package io.knative.lambda.cli.platform;

import java.nio.file.Files;
import java.nio.file.Path;

import io.knative.lambda.cli.CliException;
import picocli.CommandLine.Option;

/**
 * Where the platform is: with no option, local mode ({@code make run}: the run folder's {@code platform.json}); with a
 * kube context, a cluster, whose S3 endpoint and bucket, broker URL and Kafka bootstrap servers are given the same
 * way. Every option also reads an environment variable.
 */
public final class PlatformOptions {

    @Option(names = "--run-dir", paramLabel = "DIR", defaultValue = "${env:KLAMBDA_RUN_DIR}",
            description = "Local mode's run folder (default: $KLAMBDA_RUN_DIR, else the nearest .run/ above this folder).")
    Path runDir;

    @Option(names = "--context", paramLabel = "CONTEXT", defaultValue = "${env:KLAMBDA_KUBE_CONTEXT}",
            description = "A cluster: the kube context to read functions with (kubectl). Env: KLAMBDA_KUBE_CONTEXT.")
    String context;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS", defaultValue = "${env:KLAMBDA_NAMESPACE}",
            description = "The functions' namespace (default: local in local mode, knative-lambda on a cluster).")
    String namespace;

    @Option(names = "--broker", paramLabel = "URL", defaultValue = "${env:KLAMBDA_BROKER_URL}",
            description = "The broker's ingress URL, for invoke and rollback on a cluster. Env: KLAMBDA_BROKER_URL.")
    String broker;

    @Option(names = "--s3-endpoint", paramLabel = "URL", defaultValue = "${env:KLAMBDA_S3_ENDPOINT}",
            description = "The S3 endpoint on a cluster (MinIO; default: AWS). Env: KLAMBDA_S3_ENDPOINT.")
    String s3Endpoint;

    @Option(names = "--bucket", paramLabel = "BUCKET", defaultValue = "${env:KLAMBDA_BUCKET}",
            description = "The functions' bucket on a cluster. Env: KLAMBDA_BUCKET.")
    String bucket;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", defaultValue = "${env:KLAMBDA_KAFKA_BOOTSTRAP_SERVERS}",
            description = "Kafka behind the cluster's Kafka Broker: where events and trace read the events. "
                    + "Env: KLAMBDA_KAFKA_BOOTSTRAP_SERVERS.")
    String bootstrapServers;

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "${env:KLAMBDA_KAFKA_TOPIC}",
            description = "The Kafka Broker's topic (default: knative-broker-<namespace>-knative-lambda). "
                    + "Env: KLAMBDA_KAFKA_TOPIC.")
    String topic;

    /** The platform these options name. */
    public Platform resolve() {
        if (context != null && !context.isBlank()) {
            String ns = blank(namespace) ? "knative-lambda" : namespace;
            return Platform.cluster(context, ns, broker, s3Endpoint, bucket, bootstrapServers,
                    blank(topic) ? "knative-broker-" + ns + "-knative-lambda" : topic);
        }
        Path dir = runDir != null ? runDir : find(Path.of("").toAbsolutePath());
        if (dir == null || !Files.isRegularFile(dir.resolve(LocalPlatformFile.NAME))) {
            throw new CliException("no local platform found (" + (dir == null ? ".run/" : dir) + LocalPlatformFile.NAME
                    + " is missing): start one with `make run`, or name a cluster with --context (klambda --help)");
        }
        return Platform.local(LocalPlatformFile.read(dir.resolve(LocalPlatformFile.NAME)), namespace);
    }

    private static Path find(Path from) {
        for (Path p = from; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(".run").resolve(LocalPlatformFile.NAME))) {
                return p.resolve(".run");
            }
        }
        return null;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
