package io.knative.lambda.builder.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.junit.jupiter.api.Test;

import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.SourceAccessDeniedException;
import io.knative.lambda.builder.core.SourceNotFoundException;
import io.knative.lambda.builder.core.SourceUnavailableException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Which S3 failure a user sees as which reason, built from the AWS SDK's own exception types. */
class S3FailuresTest {

    private static final String BUCKET = "knative-lambda-fusion-modules-tmp";
    private static final String KEY = "global/parser/my-parser-1";
    private static final String ENDPOINT = "http://127.0.0.1:4569";

    private static S3Exception s3(int status, String code) {
        return (S3Exception) S3Exception.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).build()).build();
    }

    private static BuildException map(Exception failure, String versionId) {
        return S3Failures.of(failure, BUCKET, KEY, versionId, ENDPOINT);
    }

    @Test
    void aMissingObjectIsSourceNotFoundNamingItAndTheServersCode() {
        NoSuchKeyException missing = NoSuchKeyException.builder().statusCode(404)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("NoSuchKey").build()).build();

        BuildException e = map(missing, null);

        assertThat(e).isInstanceOf(SourceNotFoundException.class)
                .hasMessage("s3://" + BUCKET + "/" + KEY + " does not exist: NoSuchKey");
        assertThat(e.reason().code()).isEqualTo("SourceNotFound");
        assertThat(e.retryable()).isFalse();
        assertThat(((SourceNotFoundException) e).bucket()).isEqualTo(BUCKET);
        assertThat(((SourceNotFoundException) e).key()).isEqualTo(KEY);
    }

    @Test
    void aMissingBucketIsSourceNotFoundToo() {
        NoSuchBucketException missing = NoSuchBucketException.builder().statusCode(404)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("NoSuchBucket").build()).build();

        assertThat(map(missing, null)).isInstanceOf(SourceNotFoundException.class)
                .hasMessage("s3://" + BUCKET + "/" + KEY + " does not exist: NoSuchBucket");
    }

    @Test
    void aBare404IsSourceNotFound() {
        assertThat(map(S3Exception.builder().statusCode(404).build(), null)).isInstanceOf(SourceNotFoundException.class)
                .hasMessage("s3://" + BUCKET + "/" + KEY + " does not exist: 404");
    }

    @Test
    void refusedCredentialsAreSourceAccessDeniedWithStatusAndCode() {
        BuildException forbidden = map(s3(403, "AccessDenied"), null);
        BuildException unauthorized = map(s3(401, "Unauthorized"), null);

        assertThat(forbidden).isInstanceOf(SourceAccessDeniedException.class)
                .hasMessage("access to s3://" + BUCKET + "/" + KEY + " denied: 403 AccessDenied");
        assertThat(forbidden.reason().code()).isEqualTo("SourceAccessDenied");
        assertThat(forbidden.retryable()).isFalse();
        assertThat(unauthorized).hasMessage("access to s3://" + BUCKET + "/" + KEY + " denied: 401 Unauthorized");
    }

    @Test
    void aVersionTheServerRejectsIsSourceNotFoundNamingTheVersion() {
        assertThat(map(s3(400, "InvalidArgument"), "v-9")).isInstanceOf(SourceNotFoundException.class)
                .hasMessage("s3://" + BUCKET + "/" + KEY + " does not exist: version v-9: InvalidArgument");
    }

    @Test
    void serverErrorsAreSourceUnavailableAndRetried() {
        BuildException e = map(s3(503, "SlowDown"), null);

        assertThat(e).isInstanceOf(SourceUnavailableException.class)
                .hasMessage("S3 at " + ENDPOINT + " is unavailable: 503 SlowDown");
        assertThat(e.reason().code()).isEqualTo("SourceUnavailable");
        assertThat(e.retryable()).isTrue();
        assertThat(map(s3(500, "InternalError"), "v-9")).hasMessage("S3 at " + ENDPOINT + " is unavailable: 500 InternalError");
    }

    @Test
    void anUnreachableServerIsSourceUnavailableWithTheClientsWords() {
        SdkClientException refused = SdkClientException.create("Unable to execute HTTP request: Connection refused");

        assertThat(map(refused, null)).isInstanceOf(SourceUnavailableException.class)
                .hasMessage("S3 at " + ENDPOINT + " is unavailable: Unable to execute HTTP request: Connection refused")
                .hasCause(refused);
    }

    @Test
    void aReadThatBreaksHalfwayIsSourceUnavailable() {
        assertThat(map(new IOException("Connection reset"), null)).isInstanceOf(SourceUnavailableException.class)
                .hasMessage("S3 at " + ENDPOINT + " is unavailable: reading the object failed: Connection reset");
    }
}
