package io.knative.lambda.builder.core;

/** Where function sources live (S3, MinIO, any S3 API). */
public interface SourceStore {

    /**
     * The object's content and metadata.
     *
     * @param versionId the version to fetch, or {@code null} for the current one
     * @param maxBytes  larger objects are refused with {@link SourceTooLargeException} without being read
     * @throws SourceNotFoundException      the object or bucket does not exist
     * @throws SourceAccessDeniedException  the credentials do not allow reading it
     * @throws SourceUnavailableException   the store is unreachable or failing (transient)
     */
    SourceObject fetch(String bucket, String key, String versionId, long maxBytes) throws BuildException;
}
