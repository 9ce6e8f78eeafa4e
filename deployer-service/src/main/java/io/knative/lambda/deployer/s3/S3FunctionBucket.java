package io.knative.lambda.deployer.s3;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.knative.lambda.deployer.core.BucketUnavailableException;
import io.knative.lambda.deployer.core.FunctionBucket;
import io.knative.lambda.events.BuildCompleted;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * {@link FunctionBucket} with the AWS SDK v2 against AWS S3 or any S3 API (MinIO, s3rver), configured as the builder's
 * source store is: endpoint override, path-style addressing, checksums only when required, no chunked encoding.
 * Credentials from the standard AWS environment (the same Secret as the builder's). Needs {@code s3:ListBucket} and
 * {@code s3:GetObject} (HeadObject) on the bucket, nothing else.
 */
public final class S3FunctionBucket implements FunctionBucket, AutoCloseable {

    private final S3Client client;

    public S3FunctionBucket(S3Client client) {
        this.client = client;
    }

    /** A client for {@code endpoint} (empty: AWS itself) in {@code region} (empty: the AWS default chain). */
    public static S3FunctionBucket create(Optional<URI> endpoint, Optional<String> region, boolean pathStyle, Duration timeout) {
        var builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(timeout).socketTimeout(timeout))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .region(region.map(Region::of).orElseGet(S3FunctionBucket::defaultRegion))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(pathStyle).chunkedEncodingEnabled(false)
                        .build())
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD).apiCallTimeout(timeout.multipliedBy(3)));
        endpoint.ifPresent(builder::endpointOverride);
        return new S3FunctionBucket(builder.build());
    }

    private static Region defaultRegion() {
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion();
        } catch (SdkException none) {
            return Region.US_EAST_1;
        }
    }

    @Override
    public Page list(String bucket, String continuation, int pageSize) {
        try {
            ListObjectsV2Response page = client.listObjectsV2(ListObjectsV2Request.builder().bucket(bucket).maxKeys(pageSize)
                    .continuationToken(continuation).build());
            List<StoredObject> objects = page.contents().stream().map(o -> new StoredObject(o.key(),
                    BuildCompleted.normalizeETag(o.eTag()), o.size() == null ? 0 : o.size(), o.lastModified())).toList();
            return new Page(objects, Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null);
        } catch (SdkException e) {
            throw new BucketUnavailableException("list", bucket, null, message(e), e);
        }
    }

    @Override
    public boolean exists(String bucket, String key) {
        try {
            client.headObject(HeadObjectRequest.builder().bucket(bucket).key(key).build());
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 404 && !"NoSuchBucket".equals(code(e))) {
                return false;
            }
            throw new BucketUnavailableException("look at", bucket, key, message(e), e);
        } catch (SdkException e) {
            throw new BucketUnavailableException("look at", bucket, key, message(e), e);
        }
    }

    private static String code(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    private static String message(SdkException e) {
        if (e instanceof S3Exception s3) {
            return "HTTP " + s3.statusCode() + (code(s3) == null ? "" : " " + code(s3));
        }
        return e.getMessage();
    }

    @Override
    public void close() {
        client.close();
    }
}
