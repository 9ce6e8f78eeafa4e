package io.knative.lambda.cli.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.knative.lambda.cli.CliRun;
import io.knative.lambda.cli.Json;
import io.knative.lambda.events.EventTypes;
import io.knative.lambda.testsupport.KafkaServer;
import io.knative.lambda.testsupport.RecordingSink;
import io.knative.lambda.testsupport.S3Server;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code klambda rollback} and {@code delete} on a cluster, given as a user gives one: the kube context (fabric8's mock
 * server in CRUD mode holds the function), the broker URL (a recording ingress), the bucket and S3 endpoint (s3rver,
 * credentials from the standard AWS settings) and Kafka behind the Kafka Broker (a real broker), on which the test
 * answers as the deployer does.
 */
class ClusterRollbackDeleteIT {

    private static final String TOPIC = "knative-broker-knative-lambda-knative-lambda";
    private static KafkaServer kafka;
    private static S3Server s3;
    private static KafkaProducer<byte[], byte[]> producer;

    @TempDir
    Path dir;
    MockCluster cluster;
    RecordingSink broker;

    @BeforeAll
    static void startKafkaAndS3() throws Exception {
        kafka = KafkaServer.start();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        s3 = S3Server.start("functions");
        // the standard AWS settings, as a developer's environment gives them (system properties here: one JVM)
        System.setProperty("aws.accessKeyId", S3Server.ACCESS_KEY_ID);
        System.setProperty("aws.secretAccessKey", S3Server.SECRET_ACCESS_KEY);
    }

    @AfterAll
    static void stopAll() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        if (producer != null) {
            producer.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @BeforeEach
    void start() {
        cluster = new MockCluster(dir);
        broker = RecordingSink.start();
    }

    @AfterEach
    void stop() {
        broker.close();
        cluster.close();
    }

    /** The deployer's answer: a CloudEvent on the Kafka Broker's topic, in the Kafka binary binding. */
    private static void answer(String type, String subject, String data) throws Exception {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(TOPIC, data.getBytes(StandardCharsets.UTF_8));
        Map.of("ce_specversion", "1.0", "ce_id", UUID.randomUUID().toString(), "ce_source", "/knative-lambda/deployer",
                "ce_type", type, "ce_subject", subject, "ce_time", Instant.now().toString(), "content-type", "application/json")
                .forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        producer.send(record).get(30, TimeUnit.SECONDS);
    }

    private CompletableFuture<CliRun> klambda(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--context", "mock", "--broker", broker.url(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--bucket", "functions", "--s3-endpoint", s3.endpoint(), "--timeout", "60"));
        return CompletableFuture.supplyAsync(() -> CliRun.of(all.toArray(String[]::new)));
    }

    @Test
    void rollbackAsksTheBrokerForTheRevisionBeforeTheServingOneAndReportsTheDeployersAnswer() throws Exception {
        cluster.function("my-parser", 3);

        CompletableFuture<CliRun> rollback = klambda("rollback", "parser-my-parser");

        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> !broker.received().isEmpty());
        RecordingSink.Received asked = broker.received().get(0);
        assertThat(asked.header("ce-type")).isEqualTo(EventTypes.ROLLBACK_REQUESTED);
        assertThat(asked.header("ce-subject")).as("the function id").isEqualTo("my-parser");
        assertThat(asked.header("ce-traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
        assertThat(Json.parse(asked.body(), "the request").path("revision").asText()).isEqualTo("parser-my-parser-00002");

        answer(EventTypes.DEPLOY_COMPLETED, "my-parser", "{\"service\":\"parser-my-parser\",\"revision\":"
                + "\"parser-my-parser-00002\",\"url\":\"https://parser-my-parser.knative-lambda.homelab\"}");
        CliRun done = rollback.get(90, TimeUnit.SECONDS);
        assertThat(done.exit()).as(done.err()).isZero();
        assertThat(done.out()).startsWith("rolled back parser-my-parser to parser-my-parser-00002: ");
    }

    @Test
    void aRollbackTheDeployerRefusesIsItsReasonAndExitOne() throws Exception {
        cluster.function("my-parser", 2);

        CompletableFuture<CliRun> rollback = klambda("rollback", "my-parser", "parser-my-parser-00001");
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> !broker.received().isEmpty());
        answer(EventTypes.DEPLOY_FAILED, "my-parser", "{\"reason\":\"InvalidSettings\",\"message\":\"max-scale 5000 is above 1000\"}");

        CliRun done = rollback.get(90, TimeUnit.SECONDS);
        assertThat(done.exit()).isEqualTo(1);
        assertThat(done.err().lines()).hasSize(1);
        assertThat(done.err()).startsWith("klambda: ").contains("InvalidSettings");
    }

    @Test
    void deleteRemovesTheSourceObjectFromTheBucketAndWaitsForTheFunctionToBeDeleted() throws Exception {
        cluster.function("my-parser", 1);
        try (S3Client bucket = S3Client.builder().endpointOverride(URI.create(s3.endpoint())).region(Region.US_EAST_1)
                .forcePathStyle(true).credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        S3Server.ACCESS_KEY_ID, S3Server.SECRET_ACCESS_KEY))).build()) {
            bucket.putObject(b -> b.bucket("functions").key("global/parser/my-parser.py"),
                    RequestBody.fromString("def handler(e):\n    return e\n"));

            CompletableFuture<CliRun> delete = klambda("delete", "my-parser");

            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> bucket.listObjectsV2(b -> b.bucket("functions"))
                    .contents().isEmpty());
            assertThat(delete).as("waits for the deployer").isNotDone();
            answer(EventTypes.FUNCTION_DELETED, "my-parser", "{\"service\":\"parser-my-parser\"}");
            CliRun done = delete.get(90, TimeUnit.SECONDS);
            assertThat(done.exit()).as(done.err()).isZero();
            assertThat(done.out()).isEqualTo("deleted parser-my-parser (s3://functions/global/parser/my-parser.py removed,"
                    + " Service gone)\n");
        }
    }
}
