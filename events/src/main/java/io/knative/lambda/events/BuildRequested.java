package io.knative.lambda.events;

/**
 * Data of {@code io.knative.lambda.build.requested}: build the function stored at {@code bucket}/{@code key}.
 *
 * @param bucket    the S3 bucket
 * @param key       the object key, {@code {scope}/{kind}/{id}[.ext]}
 * @param versionId the object version to build, or {@code null} for the current one
 */
public record BuildRequested(String bucket, String key, String versionId) {
}
