package io.knative.lambda.events;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Shared event fixtures: real-shaped S3 notifications (AWS and MinIO) and key tables, packaged in the
 * {@code events} test-jar so that every module's parameterized tests read the same inputs.
 */
public final class Fixtures {

    /** AWS S3 {@code ObjectCreated:Put} of the guide's {@code global/parser/<id>} key. */
    public static final String AWS_PUT = "aws-object-created-put.json";
    /** MinIO {@code s3:ObjectCreated:Put} with its URL-encoded key ({@code acme%2Fparser%2Finvoice-parser.py}). */
    public static final String MINIO_PUT = "minio-object-created-put.json";
    /** AWS S3 {@code ObjectRemoved:Delete} of the guide's key. */
    public static final String AWS_DELETE = "aws-object-removed-delete.json";
    /** AWS S3 {@code ObjectCreated:Copy} whose key holds {@code +} (space) and {@code %2B} ({@code +}). */
    public static final String AWS_ENCODED_KEY = "aws-encoded-key-copy.json";
    /** Two records in one notification. */
    public static final String TWO_RECORDS = "two-records.json";

    /** Every single-record notification fixture. */
    public static final List<String> SINGLE_RECORD_NOTIFICATIONS = List.of(AWS_PUT, MINIO_PUT, AWS_DELETE, AWS_ENCODED_KEY);

    private Fixtures() {
    }

    /** The fixture's text. */
    public static String read(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("fixtures/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The rows of a {@code |}-separated table fixture, comments and blank lines left out. */
    public static Stream<String[]> table(String name) {
        return Arrays.stream(read(name).split("\n"))
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .map(line -> line.split("\\|", -1));
    }
}
