package io.knative.lambda.builder.s3;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.SourceObject;
import io.knative.lambda.builder.core.SourceStore;
import io.knative.lambda.builder.core.SourceTooLargeException;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Fetches function sources with the AWS SDK v2 from AWS S3 or any S3 API (MinIO, s3rver): endpoint
 * override, path-style addressing, checksums only when required and no chunked encoding, which
 * S3-compatible servers need. Credentials come from the standard AWS environment.
 */
public final class S3SourceStore implements SourceStore, AutoCloseable {

    private final S3Client client;
    private final String endpointName;

    public S3SourceStore(S3Client client, String endpointName) {
        this.client = client;
        this.endpointName = endpointName;
    }

    /** A client for {@code endpoint} (empty: AWS itself) in {@code region} (empty: the AWS default chain). */
    public static S3SourceStore create(Optional<URI> endpoint, Optional<String> region, boolean pathStyle, Duration timeout) {
        var builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(timeout)
                        .socketTimeout(timeout))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .region(region.map(Region::of).orElseGet(S3SourceStore::defaultRegion))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .serviceConfiguration(S3Configuration.builder()
                        .pathStyleAccessEnabled(pathStyle)
                        .chunkedEncodingEnabled(false)
                        .build())
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD).apiCallTimeout(timeout.multipliedBy(3)));
        endpoint.ifPresent(builder::endpointOverride);
        return new S3SourceStore(builder.build(), endpoint.map(URI::toString).orElse("AWS S3"));
    }

    private static Region defaultRegion() {
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion();
        } catch (SdkClientException none) {
            return Region.US_EAST_1;
        }
    }

    @Override
    public SourceObject fetch(String bucket, String key, String versionId, long maxBytes) throws BuildException {
        GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(bucket).key(key);
        if (versionId != null && !versionId.isBlank()) {
            request.versionId(versionId);
        }
        try (ResponseInputStream<GetObjectResponse> in = client.getObject(request.build())) {
            GetObjectResponse response = in.response();
            Long length = response.contentLength();
            if (length != null && length > maxBytes) {
                in.abort();
                throw new SourceTooLargeException(bucket, key, length, maxBytes);
            }
            byte[] bytes = readAtMost(in, maxBytes);
            if (bytes == null) {
                in.abort();
                throw new SourceTooLargeException(bucket, key, -1, maxBytes);
            }
            return new SourceObject(bytes, lowerCaseKeys(response.metadata()), response.versionId(), response.eTag());
        } catch (S3Exception | SdkClientException | IOException e) {
            throw S3Failures.of(e, bucket, key, versionId, endpointName);
        }
    }

    /** S3 user metadata ({@code x-amz-meta-*}) with its keys in lower case, as servers differ in case. */
    static Map<String, String> lowerCaseKeys(Map<String, String> metadata) {
        Map<String, String> lower = new TreeMap<>();
        metadata.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
        return lower;
    }

    /** The stream's bytes, or {@code null} when it holds more than {@code max}. */
    static byte[] readAtMost(InputStream in, long max) throws IOException {
        int limit = (int) Math.min(max, Integer.MAX_VALUE - 8);
        byte[] bytes = in.readNBytes(limit);
        if (bytes.length == limit && in.read() != -1) {
            return null;
        }
        return bytes;
    }

    @Override
    public void close() {
        client.close();
    }
}
