package io.knative.lambda.deployer.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.knative.lambda.deployer.core.BucketUnavailableException;
import io.knative.lambda.deployer.core.FunctionBucket;
import io.knative.lambda.testsupport.LocalProcess;
import io.knative.lambda.testsupport.S3Server;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** The reconciler's view of a real S3 server: a listing page by page with ETags, and HeadObject's yes and no. */
class S3FunctionBucketIT {

    private static S3Server s3;
    private static S3FunctionBucket bucket;

    @BeforeAll
    static void start() {
        System.setProperty("aws.accessKeyId", S3Server.ACCESS_KEY_ID);
        System.setProperty("aws.secretAccessKey", S3Server.SECRET_ACCESS_KEY);
        s3 = S3Server.start("functions");
        bucket = S3FunctionBucket.create(Optional.of(URI.create(s3.endpoint())), Optional.of("us-east-1"), true,
                Duration.ofSeconds(5));
        try (S3Client client = S3Client.builder().endpointOverride(URI.create(s3.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3Server.ACCESS_KEY_ID,
                        S3Server.SECRET_ACCESS_KEY))).forcePathStyle(true).build()) {
            for (int i = 0; i < 5; i++) {
                String key = "global/parser/f0" + i;
                client.putObject(b -> b.bucket("functions").key(key),
                        RequestBody.fromString("def handler(e):\n    return " + key + "\n"));
            }
        }
    }

    @AfterAll
    static void stop() {
        bucket.close();
        s3.close();
    }

    @Test
    void theListingComesPageByPageWithEveryObjectsETagWithoutQuotes() {
        List<FunctionBucket.StoredObject> all = new ArrayList<>();
        String next = null;
        int pages = 0;
        do {
            FunctionBucket.Page page = bucket.list("functions", next, 2);
            assertThat(page.objects()).hasSizeLessThanOrEqualTo(2);
            all.addAll(page.objects());
            next = page.next();
            pages++;
        } while (next != null);

        assertThat(pages).isEqualTo(3);
        assertThat(all).extracting(FunctionBucket.StoredObject::key).containsExactly("global/parser/f00", "global/parser/f01",
                "global/parser/f02", "global/parser/f03", "global/parser/f04");
        assertThat(all).allSatisfy(o -> {
            assertThat(o.eTag()).matches("[0-9a-f]{32}");
            assertThat(o.lastModified()).isNotNull();
        });
    }

    @Test
    void headObjectSaysWhetherAnObjectIsThere() {
        assertThat(bucket.exists("functions", "global/parser/f03")).isTrue();
        assertThat(bucket.exists("functions", "global/parser/gone")).isFalse();
    }

    @Test
    void anUnreachableStoreIsBucketUnavailableNotAnAnswer() {
        try (S3FunctionBucket down = S3FunctionBucket.create(Optional.of(URI.create("http://127.0.0.1:" + LocalProcess.freePort())),
                Optional.of("us-east-1"), true, Duration.ofSeconds(1))) {
            assertThatThrownBy(() -> down.exists("functions", "global/parser/f03")).isInstanceOf(BucketUnavailableException.class);
            assertThatThrownBy(() -> down.list("functions", null, 10)).isInstanceOf(BucketUnavailableException.class);
        }
    }
}
