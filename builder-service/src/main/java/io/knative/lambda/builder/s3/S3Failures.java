package io.knative.lambda.builder.s3;

import java.io.IOException;

import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.SourceAccessDeniedException;
import io.knative.lambda.builder.core.SourceNotFoundException;
import io.knative.lambda.builder.core.SourceUnavailableException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Maps a failed S3 read to the platform's reason: a missing object, bucket or version is
 * {@code SourceNotFound}, refused credentials {@code SourceAccessDenied} (both permanent); anything else
 * (5xx, an unreachable server, a broken read) is {@code SourceUnavailable}, retried. Pure: it reads only
 * the exception.
 */
final class S3Failures {

    private S3Failures() {
    }

    /**
     * @param failure   an {@link S3Exception}, an {@code SdkClientException} or an {@link IOException}
     * @param versionId the version asked for, or {@code null}
     * @param endpoint  the S3 endpoint as a person knows it, for the message
     */
    static BuildException of(Exception failure, String bucket, String key, String versionId, String endpoint) {
        if (failure instanceof NoSuchKeyException || failure instanceof NoSuchBucketException) {
            S3Exception e = (S3Exception) failure;
            return new SourceNotFoundException(bucket, key, e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode());
        }
        if (failure instanceof S3Exception e) {
            int status = e.statusCode();
            if (status == 404) {
                return new SourceNotFoundException(bucket, key, "404");
            }
            if (status == 403 || status == 401) {
                return new SourceAccessDeniedException(bucket, key, status + " " + errorCode(e));
            }
            if (status == 400 && versionId != null) {
                return new SourceNotFoundException(bucket, key, "version " + versionId + ": " + errorCode(e));
            }
            return new SourceUnavailableException(endpoint, status + " " + errorCode(e), e);
        }
        if (failure instanceof IOException) {
            return new SourceUnavailableException(endpoint, "reading the object failed: " + failure.getMessage(), failure);
        }
        return new SourceUnavailableException(endpoint, failure.getMessage(), failure);
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? "" : String.valueOf(e.awsErrorDetails().errorCode());
    }
}
