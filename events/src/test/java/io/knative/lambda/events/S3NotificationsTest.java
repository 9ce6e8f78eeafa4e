package io.knative.lambda.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class S3NotificationsTest {

    static Stream<Arguments> notifications() {
        return Stream.of(
                Arguments.of(Fixtures.AWS_PUT, "ObjectCreated:Put", "knative-lambda-fusion-modules-tmp",
                        "global/parser/my-parser-0b7e6c1a", "aws:s3.us-east-1.knative-lambda-fusion-modules-tmp",
                        "C3D13FE58DE4C810.FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"),
                Arguments.of(Fixtures.MINIO_PUT, "ObjectCreated:Put", "functions",
                        "acme/parser/invoice-parser.py", "minio:s3..functions",
                        "187B3C3F1A2D4E5F.dd9025bab4ad464b049177c95eb6ebf374d3b3fd1af9251148b658df7ac2e3e8"),
                Arguments.of(Fixtures.AWS_DELETE, "ObjectRemoved:Delete", "knative-lambda-fusion-modules-tmp",
                        "global/parser/my-parser-0b7e6c1a", "aws:s3.eu-west-1.knative-lambda-fusion-modules-tmp",
                        "8A2B3C4D5E6F7081.aGVsbG8td29ybGQtaG9zdC1pZA=="),
                Arguments.of(Fixtures.AWS_ENCODED_KEY, "ObjectCreated:Copy", "functions",
                        "tenant-42/report/weekly report+v2.py", "aws:s3.us-east-1.functions", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notifications")
    void rawNotificationGivesOneEventInTheAdapterFormat(String fixture, String eventName, String bucket, String key,
            String ceSource, String ceId) throws Exception {
        List<S3ObjectEvent> events = S3Notifications.parseNotification(Fixtures.read(fixture));

        assertThat(events).hasSize(1);
        S3ObjectEvent event = events.get(0);
        assertThat(event.eventName()).isEqualTo(eventName);
        assertThat(event.cloudEventType()).isEqualTo("com.amazonaws.s3." + eventName);
        assertThat(event.bucket()).isEqualTo(bucket);
        assertThat(event.key()).as("URL-decoded key").isEqualTo(key);
        assertThat(event.cloudEventSource()).isEqualTo(ceSource);
        if (ceId != null) {
            assertThat(event.cloudEventId()).isEqualTo(ceId);
        } else {
            assertThat(event.cloudEventId()).startsWith("s3-").hasSize(35);
        }
    }

    @Test
    void minioEventNameLosesItsPrefixAndItsKeyIsDecoded() throws Exception {
        S3ObjectEvent event = S3Notifications.parseNotification(Fixtures.read(Fixtures.MINIO_PUT)).get(0);

        assertThat(event.eventSource()).isEqualTo("minio:s3");
        assertThat(event.isObjectCreated()).isTrue();
        assertThat(event.size()).isEqualTo(612L);
        assertThat(event.eventTime()).isEqualTo(Instant.parse("2026-11-26T10:16:00.456Z"));
    }

    @Test
    void createdAndRemovedAreTold() throws Exception {
        assertThat(S3Notifications.parseNotification(Fixtures.read(Fixtures.AWS_PUT)).get(0).isObjectCreated()).isTrue();
        S3ObjectEvent removed = S3Notifications.parseNotification(Fixtures.read(Fixtures.AWS_DELETE)).get(0);
        assertThat(removed.isObjectRemoved()).isTrue();
        assertThat(removed.isObjectCreated()).isFalse();
        assertThat(removed.size()).isNull();
    }

    @Test
    void everyRecordOfANotificationIsKeptInOrder() throws Exception {
        List<S3ObjectEvent> events = S3Notifications.parseNotification(Fixtures.read(Fixtures.TWO_RECORDS));

        assertThat(events).extracting(S3ObjectEvent::key).containsExactly("global/parser/first", "global/parser/second.py");
        assertThat(events).extracting(S3ObjectEvent::cloudEventType)
                .containsExactly("com.amazonaws.s3.ObjectCreated:Post", "com.amazonaws.s3.ObjectCreated:CompleteMultipartUpload");
    }

    @Test
    void theIdWithoutResponseElementsIsStableAcrossRedeliveries() throws Exception {
        String json = Fixtures.read(Fixtures.AWS_ENCODED_KEY);
        assertThat(S3Notifications.parseNotification(json).get(0).cloudEventId())
                .isEqualTo(S3Notifications.parseNotification(json).get(0).cloudEventId());
    }

    static Stream<String> singleRecordFixtures() {
        return Fixtures.SINGLE_RECORD_NOTIFICATIONS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("singleRecordFixtures")
    void adapterCloudEventDataIsReadLikeTheRawRecord(String fixture) throws Exception {
        String json = Fixtures.read(fixture);
        S3ObjectEvent raw = S3Notifications.parseNotification(json).get(0);
        String record = json.substring(json.indexOf('[') + 1, json.lastIndexOf(']'));

        S3ObjectEvent fromCloudEvent = S3Notifications.parseCloudEvent(raw.cloudEventType(), record);

        assertThat(fromCloudEvent).isEqualTo(raw);
    }

    @Test
    void cloudEventTypeMustMatchTheRecord() {
        String json = Fixtures.read(Fixtures.AWS_PUT);
        String record = json.substring(json.indexOf('[') + 1, json.lastIndexOf(']'));

        assertThatThrownBy(() -> S3Notifications.parseCloudEvent("com.amazonaws.s3.ObjectRemoved:Delete", record))
                .isInstanceOf(InvalidS3EventException.class)
                .hasMessageContaining("ObjectCreated:Put");
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "not json", "[1,2]", "{\"Records\":[{\"eventName\":\"ObjectCreated:Put\"}]}",
            "{\"Records\":[{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{}}}]}",
            "{\"Records\":[{\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"k\"}}}]}" })
    void malformedNotificationsAreRefusedWithAReason(String json) {
        assertThatThrownBy(() -> S3Notifications.parseNotification(json))
                .isInstanceOf(InvalidS3EventException.class)
                .satisfies(e -> assertThat(((InvalidS3EventException) e).reason().code()).isEqualTo("InvalidEvent"));
    }

    @Test
    void aCloudEventWithoutDataIsRefused() {
        assertThatThrownBy(() -> S3Notifications.parseCloudEvent("com.amazonaws.s3.ObjectCreated:Put", null))
                .isInstanceOf(InvalidS3EventException.class)
                .hasMessageContaining("no data");
    }
}
