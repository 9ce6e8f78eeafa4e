package io.knative.lambda.cli.platform;

import static io.knative.lambda.cli.CommandDef.option;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.commons.cli.Options;

import io.knative.lambda.cli.Args;
import io.knative.lambda.cli.CliException;

/**
 * Where the platform is: with no option, local mode ({@code make run}: the run folder's {@code platform.json}); with a
 * kube context, a cluster, whose S3 endpoint and bucket, broker URL and Kafka bootstrap servers are given the same
 * way. Every option also reads an environment variable.
 */
public final class PlatformOptions {

    private final Path runDir;
    private final String context;
    private final String namespace;
    private final String broker;
    private final String s3Endpoint;
    private final String bucket;
    private final String bootstrapServers;
    private final String topic;

    private PlatformOptions(Args args) {
        runDir = args.path("run-dir", System.getenv("KLAMBDA_RUN_DIR"));
        context = args.string("context", System.getenv("KLAMBDA_KUBE_CONTEXT"));
        namespace = args.string("namespace", System.getenv("KLAMBDA_NAMESPACE"));
        broker = args.string("broker", System.getenv("KLAMBDA_BROKER_URL"));
        s3Endpoint = args.string("s3-endpoint", System.getenv("KLAMBDA_S3_ENDPOINT"));
        bucket = args.string("bucket", System.getenv("KLAMBDA_BUCKET"));
        bootstrapServers = args.string("bootstrap-servers", System.getenv("KLAMBDA_KAFKA_BOOTSTRAP_SERVERS"));
        topic = args.string("topic", System.getenv("KLAMBDA_KAFKA_TOPIC"));
    }

    /** The options of every command that talks to the platform, and {@code -o}. */
    public static Options options() {
        return new Options()
                .addOption(option(null, "run-dir", "DIR", "Local mode's run folder (default: $KLAMBDA_RUN_DIR, else the"
                        + " nearest .run/ above this folder)."))
                .addOption(option(null, "context", "CONTEXT", "A cluster: the kube context to read functions with"
                        + " (kubectl). Env: KLAMBDA_KUBE_CONTEXT."))
                .addOption(option("n", "namespace", "NS", "The functions' namespace (default: local in local mode,"
                        + " knative-lambda on a cluster)."))
                .addOption(option(null, "broker", "URL", "The broker's ingress URL, for invoke and rollback on a"
                        + " cluster. Env: KLAMBDA_BROKER_URL."))
                .addOption(option(null, "s3-endpoint", "URL", "The S3 endpoint on a cluster (MinIO; default: AWS)."
                        + " Env: KLAMBDA_S3_ENDPOINT."))
                .addOption(option(null, "bucket", "BUCKET", "The functions' bucket on a cluster. Env: KLAMBDA_BUCKET."))
                .addOption(option(null, "bootstrap-servers", "HOST:PORT", "Kafka behind the cluster's Kafka Broker:"
                        + " where events and trace read the events. Env: KLAMBDA_KAFKA_BOOTSTRAP_SERVERS."))
                .addOption(option(null, "topic", "TOPIC", "The Kafka Broker's topic (default:"
                        + " knative-broker-<namespace>-knative-lambda). Env: KLAMBDA_KAFKA_TOPIC."))
                .addOption(option("o", "output", "FORMAT", "human (default) or json."));
    }

    /** The platform options of a parsed command line, each defaulting to its environment variable. */
    public static PlatformOptions of(Args args) {
        return new PlatformOptions(args);
    }

    /** The platform these options name. */
    public Platform resolve() {
        if (context != null && !context.isBlank()) {
            String ns = blank(namespace) ? "knative-lambda" : namespace;
            return Platform.cluster(context, ns, broker, s3Endpoint, bucket, bootstrapServers,
                    blank(topic) ? "knative-broker-" + ns + "-knative-lambda" : topic);
        }
        Path dir = runDir != null ? runDir : find(Path.of("").toAbsolutePath());
        if (dir == null || !Files.isRegularFile(dir.resolve(LocalPlatformFile.NAME))) {
            throw new CliException("no local platform found (" + (dir == null ? ".run/" + LocalPlatformFile.NAME
                    : dir.resolve(LocalPlatformFile.NAME)) + " is missing): start one with `make run`, or name a"
                    + " cluster with --context (klambda --help)");
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
