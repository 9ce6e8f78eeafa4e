package io.knative.lambda.builder.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.SourceNotFoundException;
import io.knative.lambda.builder.core.SourceObject;
import io.knative.lambda.builder.core.SourceTooLargeException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The size limit and the metadata of a fetched source. The S3 side is the SDK's own client interface
 * answering one object, so that no server is needed; {@code BuilderIT} reads from a real S3 server.
 */
class S3SourceStoreTest {

    private static final String BUCKET = "b";
    private static final String KEY = "global/parser/p-1";

    /** An S3 client that holds one object (or throws), and records whether the read was aborted. */
    private static final class OneObject implements S3Client {
        private final GetObjectResponse response;
        private final byte[] content;
        private final RuntimeException failure;
        final AtomicBoolean aborted = new AtomicBoolean();
        GetObjectRequest asked;

        OneObject(GetObjectResponse response, byte[] content, RuntimeException failure) {
            this.response = response;
            this.content = content;
            this.failure = failure;
        }

        @Override
        public <T> T getObject(GetObjectRequest request, ResponseTransformer<GetObjectResponse, T> transformer) {
            asked = request;
            if (failure != null) {
                throw failure;
            }
            try {
                return transformer.transform(response, AbortableInputStream.create(new ByteArrayInputStream(content),
                        () -> aborted.set(true)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String serviceName() {
            return "s3";
        }

        @Override
        public void close() {
        }
    }

    private static OneObject holding(String text, Long contentLength, Map<String, String> metadata) {
        return new OneObject(GetObjectResponse.builder().contentLength(contentLength).metadata(metadata).versionId("v-1")
                .build(), text.getBytes(StandardCharsets.UTF_8), null);
    }

    @Test
    void aSourceWithinTheLimitIsReadWithItsMetadataKeysInLowerCase() throws Exception {
        OneObject s3 = holding("def handler(e):\n    return e\n", 29L, Map.of("Runtime", "python", "MAX-SCALE", "3"));

        SourceObject source = new S3SourceStore(s3, "test").fetch(BUCKET, KEY, null, 29);

        assertThat(new String(source.bytes(), StandardCharsets.UTF_8)).isEqualTo("def handler(e):\n    return e\n");
        assertThat(source.metadata()).containsOnly(Map.entry("runtime", "python"), Map.entry("max-scale", "3"));
        assertThat(source.versionId()).isEqualTo("v-1");
        assertThat(s3.asked.versionId()).isNull();
    }

    @Test
    void aVersionIsAskedForWhenTheEventNamesOne() throws Exception {
        OneObject s3 = holding("x", 1L, Map.of());

        new S3SourceStore(s3, "test").fetch(BUCKET, KEY, "v-7", 10);

        assertThat(s3.asked.bucket()).isEqualTo(BUCKET);
        assertThat(s3.asked.key()).isEqualTo(KEY);
        assertThat(s3.asked.versionId()).isEqualTo("v-7");
    }

    @Test
    void anObjectWhoseLengthIsOverTheLimitIsRefusedUnreadWithBothSizes() {
        OneObject s3 = holding("0123456789A", 11L, Map.of());

        SourceTooLargeException e = catchThrowableOfType(SourceTooLargeException.class,
                () -> new S3SourceStore(s3, "test").fetch(BUCKET, KEY, null, 10));

        assertThat(e).hasMessage("s3://b/global/parser/p-1 is 11 bytes; the builder accepts at most 10 bytes"
                + " (klambda.s3.max-object-size)");
        assertThat(e.reason().code()).isEqualTo("SourceTooLarge");
        assertThat(e.size()).isEqualTo(11);
        assertThat(s3.aborted).isTrue();
    }

    @Test
    void anObjectWithoutALengthIsCutAtTheLimitAndRefused() {
        OneObject s3 = holding("0123456789A", null, Map.of());

        SourceTooLargeException e = catchThrowableOfType(SourceTooLargeException.class,
                () -> new S3SourceStore(s3, "test").fetch(BUCKET, KEY, null, 10));

        assertThat(e).hasMessage("s3://b/global/parser/p-1 is over 10 bytes; the builder accepts at most 10 bytes"
                + " (klambda.s3.max-object-size)");
        assertThat(e.size()).isEqualTo(-1);
    }

    @Test
    void anObjectOfExactlyTheLimitIsAccepted() throws Exception {
        assertThat(S3SourceStore.readAtMost(new ByteArrayInputStream(new byte[10]), 10)).hasSize(10);
        assertThat(S3SourceStore.readAtMost(new ByteArrayInputStream(new byte[11]), 10)).isNull();
        assertThat(S3SourceStore.readAtMost(new ByteArrayInputStream(new byte[0]), 10)).isEmpty();
    }

    @Test
    void theClientsFailureReachesTheCallerAsAReason() {
        OneObject s3 = new OneObject(null, null, NoSuchKeyException.builder().statusCode(404).build());

        BuildException e = catchThrowableOfType(SourceNotFoundException.class,
                () -> new S3SourceStore(s3, "test").fetch(BUCKET, KEY, null, 10));

        assertThat(e).hasMessage("s3://b/global/parser/p-1 does not exist");
    }
}
