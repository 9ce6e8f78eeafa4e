package io.knative.lambda.cli.platform;

import io.knative.lambda.cli.CliException;

/**
 * One platform the CLI talks to, local mode or a cluster, as the parts each command needs: the functions
 * ({@link Functions}), the events ({@link EventSource}), the broker, the bucket and the logs. A part a cluster was not
 * given (no broker URL, no Kafka) is a {@link CliException} that says which option names it.
 */
public final class Platform {

    private final String description;
    private final String namespace;
    private final Functions functions;
    private final java.util.function.Supplier<EventSource> events;
    private final java.util.function.Supplier<Broker> broker;
    private final java.util.function.Supplier<Bucket> bucket;
    private final FunctionLogs logs;
    private final boolean local;

    private Platform(String description, String namespace, Functions functions, java.util.function.Supplier<EventSource> events,
            java.util.function.Supplier<Broker> broker, java.util.function.Supplier<Bucket> bucket, FunctionLogs logs,
            boolean local) {
        this.description = description;
        this.namespace = namespace;
        this.functions = functions;
        this.events = events;
        this.broker = broker;
        this.bucket = bucket;
        this.logs = logs;
        this.local = local;
    }

    /** Local mode, from the run folder's platform.json. */
    static Platform local(LocalPlatformFile file, String namespace) {
        String ns = namespace == null || namespace.isBlank() ? file.namespace() : namespace;
        return new Platform("local mode", ns, new LocalApiFunctions(file.cluster(), ns),
                () -> new BrokerEventSource(file.broker()), () -> new Broker(file.broker()),
                () -> new Bucket(file.s3(), file.bucket(), file.s3AccessKey(), file.s3SecretKey()),
                new LocalLogs(file.functions()), true);
    }

    /** A cluster, through {@code context}. */
    static Platform cluster(String context, String namespace, String brokerUrl, String s3Endpoint, String bucketName,
            String bootstrapServers, String topic) {
        ClusterApi api = new ClusterApi(context);
        return new Platform("cluster context " + context, namespace, new ClusterFunctions(api, namespace), () -> {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new CliException("events live in the Kafka Broker's topic on a cluster: give --bootstrap-servers"
                        + " (and --topic if it is not knative-broker-" + namespace + "-knative-lambda)");
            }
            return new KafkaEventSource(bootstrapServers, topic);
        }, () -> {
            if (brokerUrl == null || brokerUrl.isBlank()) {
                throw new CliException("give the broker's URL with --broker (e.g. a port-forward of kafka-broker-ingress)");
            }
            return new Broker(brokerUrl);
        }, () -> {
            if (bucketName == null || bucketName.isBlank()) {
                throw new CliException("give the functions' bucket with --bucket (and --s3-endpoint for MinIO)");
            }
            return new Bucket(s3Endpoint, bucketName, null, null);
        }, new ClusterLogs(api, namespace), false);
    }

    /** "local mode" or "cluster context X", for messages. */
    public String description() {
        return description;
    }

    public String namespace() {
        return namespace;
    }

    public boolean local() {
        return local;
    }

    public Functions functions() {
        return functions;
    }

    /** The events (opened now; close it). */
    public EventSource events() {
        return events.get();
    }

    public Broker broker() {
        return broker.get();
    }

    public Bucket bucket() {
        return bucket.get();
    }

    public FunctionLogs logs() {
        return logs;
    }
}
