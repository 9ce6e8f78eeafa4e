package io.knative.lambda.cli.platform;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import io.knative.lambda.cli.CliException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The functions' bucket, with the AWS SDK (SigV4: AWS, MinIO, the local S3 server): uploads with object metadata and
 * removals, the two ways a developer changes functions. Local mode gives its endpoint and keys; on a cluster the
 * endpoint is {@code --s3-endpoint} (none: AWS) and the credentials come from the standard AWS environment.
 */
public final class Bucket implements AutoCloseable {

    private final String name;
    private final String where;
    private final S3Client client;

    Bucket(String endpoint, String name, String accessKey, String secretKey) {
        this.name = name;
        this.where = endpoint == null || endpoint.isBlank() ? "AWS S3" : endpoint;
        AwsCredentialsProvider credentials = accessKey == null ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
        var builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(60)))
                .credentialsProvider(credentials)
                .region(Region.of(System.getenv().getOrDefault("AWS_REGION", "us-east-1")))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(endpoint != null)
                        .chunkedEncodingEnabled(false).build())
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD));
        if (endpoint != null && !endpoint.isBlank()) {
            builder.endpointOverride(URI.create(endpoint));
        }
        this.client = builder.build();
    }

    /** The bucket's name. */
    public String name() {
        return name;
    }

    /** Stores {@code body} at {@code key} with the object metadata ({@code x-amz-meta-*}). */
    public void put(String key, byte[] body, Map<String, String> metadata) {
        try {
            client.putObject(b -> b.bucket(name).key(key).metadata(metadata), RequestBody.fromBytes(body));
        } catch (SdkException e) {
            throw failure("upload s3://" + name + "/" + key, e);
        }
    }

    /** Removes {@code key}. */
    public void delete(String key) {
        try {
            client.deleteObject(b -> b.bucket(name).key(key));
        } catch (SdkException e) {
            throw failure("remove s3://" + name + "/" + key, e);
        }
    }

    private CliException failure(String what, SdkException e) {
        if (e instanceof S3Exception s3) {
            return new CliException("cannot " + what + ": " + (s3.awsErrorDetails() == null ? s3.getMessage()
                    : s3.awsErrorDetails().errorCode() + " " + s3.awsErrorDetails().errorMessage()));
        }
        if (e instanceof SdkClientException) {
            return new CliException("cannot reach S3 at " + where + " to " + what + ": " + e.getMessage());
        }
        return new CliException("cannot " + what + ": " + e.getMessage());
    }

    @Override
    public void close() {
        client.close();
    }
}
