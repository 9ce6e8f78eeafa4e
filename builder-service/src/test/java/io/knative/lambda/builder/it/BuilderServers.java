package io.knative.lambda.builder.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.knative.lambda.service.signing.SigningKeys;
import io.knative.lambda.testsupport.KafkaServer;
import io.knative.lambda.testsupport.LocalProcess;
import io.knative.lambda.testsupport.MavenRepositoryServer;
import io.knative.lambda.testsupport.PythonIndexServer;
import io.knative.lambda.testsupport.RecordingSink;
import io.knative.lambda.testsupport.RegistryServer;
import io.knative.lambda.testsupport.S3Server;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * Starts the real servers the builder talks to, on free loopback ports: an OCI registry
 * ({@code docker-registry}), an S3 server ({@code s3rver}) with the bucket {@value #BUCKET}, and a
 * recording event sink for {@code K_SINK}; with init arg {@code kafka=true} also a Kafka broker. Init arg {@code down=registry} or {@code down=s3} points the
 * builder at a port where nothing listens instead, to exercise the transient-failure path.
 */
public class BuilderServers implements QuarkusTestResourceLifecycleManager {

    public static final String BUCKET = "functions";
    public static final String REGISTRY_PATH = "functions";

    static RegistryServer registry;
    static S3Server s3;
    static RecordingSink sink;
    static KafkaServer kafka;
    static PythonIndexServer pythonIndex;
    static MavenRepositoryServer mavenRepository;
    static S3Client s3Client;
    /** The webhook's shared token in these tests. */
    static final String WEBHOOK_TOKEN = "webhook-" + java.util.UUID.randomUUID();
    /** The builder's signing key in these tests (generated: only the tests know it). */
    static final java.security.KeyPair SIGNING_KEY = SigningKeys.generate();
    /** Where the webhook looks for the OIDC token of the sink (absent unless a test writes it). */
    static Path sinkTokenFile;

    private String down = "";
    private boolean withKafka;
    private Path cacheDir;

    @Override
    public void init(Map<String, String> initArgs) {
        down = initArgs.getOrDefault("down", "");
        withKafka = Boolean.parseBoolean(initArgs.getOrDefault("kafka", "false"));
    }

    @Override
    public Map<String, String> start() {
        // The AWS SDK's default chain reads these, as it reads AWS_ACCESS_KEY_ID in production.
        System.setProperty("aws.accessKeyId", S3Server.ACCESS_KEY_ID);
        System.setProperty("aws.secretAccessKey", S3Server.SECRET_ACCESS_KEY);
        s3 = S3Server.start(BUCKET);
        s3Client = client(s3.endpoint());
        sink = RecordingSink.start();
        Map<String, String> config = new HashMap<>();
        if (down.equals("registry")) {
            config.put("klambda.registry", "127.0.0.1:" + LocalProcess.freePort() + "/" + REGISTRY_PATH);
        } else {
            registry = RegistryServer.start();
            config.put("klambda.registry", registry.host() + "/" + REGISTRY_PATH);
        }
        config.put("klambda.s3.endpoint", down.equals("s3") ? "http://127.0.0.1:" + LocalProcess.freePort() : s3.endpoint());
        config.put("klambda.s3.region", "us-east-1");
        config.put("klambda.s3.timeout", "2s");
        config.put("klambda.registry-insecure", "true");
        try {
            cacheDir = Files.createTempDirectory("klambda-builder-cache-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config.put("klambda.build.cache-dir", cacheDir.toString());
        config.put("klambda.sink", sink.url());
        pythonIndex = PythonIndexServer.start();
        pythonIndex.addModule("shout", "1.0", "shout", "def shout(s):\n    return s.upper() + '!'\n");
        pythonIndex.addModule("greeting", "1.0", "greeting",
                "from shout import shout\n\ndef greet(n):\n    return shout('hello ' + n)\n", "shout>=1.0");
        pythonIndex.add("srconly", "srconly-1.0.tar.gz", PythonIndexServer.sdist("srconly", "1.0"));
        config.put("klambda.python.index-url", pythonIndex.url());
        mavenRepository = MavenRepositoryServer.start();
        try {
            io.knative.lambda.builder.maven.TestLibraries.deploy(mavenRepository);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        config.put("klambda.maven.repository-url", mavenRepository.url());
        config.put("klambda.webhook.token", WEBHOOK_TOKEN);
        sinkTokenFile = cacheDir.resolve("sink-token");
        config.put("klambda.webhook.sink-token-file", sinkTokenFile.toString());
        try {
            Path key = cacheDir.resolve("build-signing.key");
            Files.writeString(key, SigningKeys.pem(SIGNING_KEY.getPrivate()));
            config.put("klambda.signing.key-file", key.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (withKafka) {
            kafka = KafkaServer.start();
            config.put("klambda.kafka.enabled", "true");
            config.put("klambda.kafka.bootstrap-servers", kafka.bootstrapServers());
            config.put("klambda.kafka.backoff", "100ms");
            config.put("klambda.kafka.max-backoff", "2s"); // an outage's retries every 2 s at most, within the hour
        }
        return config;
    }

    @Override
    public void stop() {
        if (pythonIndex != null) {
            pythonIndex.close();
        }
        if (mavenRepository != null) {
            mavenRepository.close();
        }
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
        if (s3Client != null) {
            s3Client.close();
        }
        if (sink != null) {
            sink.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (registry != null) {
            registry.close();
            registry = null;
        }
    }

    /** A request to the webhook with its token, as the S3 server sends it. */
    static io.restassured.specification.RequestSpecification webhook() {
        return io.restassured.RestAssured.given().header("Authorization", "Bearer " + WEBHOOK_TOKEN);
    }

    /** The builder's public key, as the deployer is given it. */
    static java.util.Map<String, java.security.PublicKey> trustedKeys() {
        return SigningKeys.publicKeys(SigningKeys.pem(SIGNING_KEY.getPublic()));
    }

    /** An S3 client for the test's own puts, configured like the builder's. */
    static S3Client client(String endpoint) {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3Server.ACCESS_KEY_ID, S3Server.SECRET_ACCESS_KEY)))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).chunkedEncodingEnabled(false).build())
                .build();
    }
}
