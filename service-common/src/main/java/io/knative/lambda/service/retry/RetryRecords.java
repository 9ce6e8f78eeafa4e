package io.knative.lambda.service.retry;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.events.DeadLetterHeaders;
import io.knative.lambda.events.TraceParent;
import io.knative.lambda.service.InboundEvent;
import io.knative.lambda.service.InvalidEventException;
import io.knative.lambda.service.http.InvalidJsonException;
import io.knative.lambda.service.http.StrictJson;

/**
 * The Kafka records of an event to try again later (retry topic) or given up on (dead-letter topic): the event's own
 * headers ({@code ce_*}, {@code content-type}) and data as they came, plus the {@link DeadLetterHeaders} that say who
 * retries it, how often it failed, when first and last, and why.
 */
public final class RetryRecords {

    private RetryRecords() {
    }

    /** What is known of an event's failures so far. */
    public record Failures(int attempts, Instant firstAttempt, Instant lastAttempt, String reason, String message) {
    }

    /** A record for the retry topic, attempted by {@code group} not before {@code notBefore}. */
    public static ProducerRecord<byte[], byte[]> retry(String topic, Headers event, byte[] key, byte[] value, String group,
            Failures failures, Instant notBefore) {
        Headers headers = copy(event, failures);
        put(headers, DeadLetterHeaders.RETRY_FOR, group);
        put(headers, DeadLetterHeaders.NOT_BEFORE, Long.toString(notBefore.toEpochMilli()));
        return new ProducerRecord<>(topic, null, key, value, headers);
    }

    /** A record for the dead-letter topic, given up by {@code service}. */
    public static ProducerRecord<byte[], byte[]> deadLetter(String topic, Headers event, byte[] key, byte[] value,
            String service, Failures failures) {
        Headers headers = copy(event, failures);
        put(headers, DeadLetterHeaders.SERVICE, service);
        return new ProducerRecord<>(topic, null, key, value, headers);
    }

    /** The failures recorded on a retry record (none yet: attempts 0, first attempt now). */
    public static Failures failures(Headers headers, Instant now) {
        int attempts;
        try {
            attempts = Integer.parseInt(text(headers, DeadLetterHeaders.ATTEMPTS, "0"));
        } catch (NumberFormatException e) {
            attempts = 0;
        }
        return new Failures(attempts, instant(headers, DeadLetterHeaders.FIRST_ATTEMPT, now),
                instant(headers, DeadLetterHeaders.LAST_ATTEMPT, now), text(headers, DeadLetterHeaders.REASON, null),
                text(headers, DeadLetterHeaders.MESSAGE, null));
    }

    /** When a retry record is due (now when it says nothing). */
    public static Instant notBefore(Headers headers) {
        try {
            return Instant.ofEpochMilli(Long.parseLong(text(headers, DeadLetterHeaders.NOT_BEFORE, "0")));
        } catch (NumberFormatException e) {
            return Instant.EPOCH;
        }
    }

    /** The group a retry record is for, or {@code null}. */
    public static String retryFor(Headers headers) {
        return text(headers, DeadLetterHeaders.RETRY_FOR, null);
    }

    /**
     * The CloudEvent of a record in the Kafka binary binding.
     *
     * @throws InvalidEventException when its data is not strict JSON
     */
    public static InboundEvent event(Headers headers, byte[] value) {
        JsonNode data;
        try {
            data = value == null || value.length == 0 ? null : StrictJson.parse(value);
        } catch (InvalidJsonException e) {
            throw new InvalidEventException("the event's data is not valid JSON: " + e.getMessage());
        }
        return new InboundEvent(text(headers, "ce_id", null), text(headers, "ce_source", null),
                text(headers, "ce_specversion", null), text(headers, "ce_type", null), text(headers, "ce_subject", null), data,
                text(headers, "ce_" + TraceParent.ATTRIBUTE, null));
    }

    /** A header as UTF-8 text, the last one when repeated; {@code fallback} when absent. */
    public static String text(Headers headers, String name, String fallback) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? fallback : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static Headers copy(Headers event, Failures failures) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : event) {
            if (!h.key().startsWith("klambda-") && !h.key().startsWith("dead-letter-")) {
                headers.add(h.key(), h.value());
            }
        }
        put(headers, DeadLetterHeaders.ATTEMPTS, Integer.toString(failures.attempts()));
        put(headers, DeadLetterHeaders.FIRST_ATTEMPT, failures.firstAttempt().toString());
        put(headers, DeadLetterHeaders.LAST_ATTEMPT, failures.lastAttempt().toString());
        if (failures.reason() != null) {
            put(headers, DeadLetterHeaders.REASON, failures.reason());
        }
        if (failures.message() != null) {
            put(headers, DeadLetterHeaders.MESSAGE, failures.message());
        }
        return headers;
    }

    private static void put(Headers headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static Instant instant(Headers headers, String name, Instant fallback) {
        String text = text(headers, name, null);
        try {
            return text == null ? fallback : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return fallback;
        }
    }
}
