package io.knative.lambda.deployer.it;

import java.net.URI;
import java.util.Map;

import io.knative.lambda.testsupport.S3Server;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server (s3rver) with the buckets the deployer's tests name, for every Quarkus test of the module: a
 * removal is acted on only when HeadObject confirms the object is gone, so the tests need a bucket to ask.
 */
@QuarkusTestResource(BucketServer.class)
public class BucketServer implements QuarkusTestResourceLifecycleManager {

    /** The bucket of the AWS fixtures' records. */
    public static final String BUCKET = "knative-lambda-fusion-modules-tmp";
    private static S3Server s3;

    @Override
    public Map<String, String> start() {
        System.setProperty("aws.accessKeyId", S3Server.ACCESS_KEY_ID);
        System.setProperty("aws.secretAccessKey", S3Server.SECRET_ACCESS_KEY);
        s3 = S3Server.start(BUCKET, "functions");
        return Map.of("klambda.s3.endpoint", s3.endpoint(), "klambda.s3.region", "us-east-1");
    }

    /** Puts an object, as an upload would. */
    static void put(String bucket, String key, String content) {
        try (S3Client client = S3Client.builder().endpointOverride(URI.create(s3.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3Server.ACCESS_KEY_ID,
                        S3Server.SECRET_ACCESS_KEY)))
                .forcePathStyle(true).build()) {
            client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(content));
        }
    }

    @Override
    public void stop() {
        if (s3 != null) {
            s3.close();
        }
    }
}
