package io.knative.lambda.service.deadletter;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import io.knative.lambda.events.DeadLetterHeaders;

/**
 * One record of the dead-letter topic as a person reads it: where it is ({@code id} = partition-offset), the event
 * (type, subject = the function or S3 key), why it was given up (the platform's reason, or Knative's
 * {@code knativeerrorcode} from a KafkaSink, or SmallRye's {@code dead-letter-reason}), how often and when it was tried.
 */
public record DeadLetter(String id, String type, String subject, String eventId, String reason, String attempts,
        String firstAttempt, String lastAttempt, String service, ConsumerRecord<byte[], byte[]> record) {

    /** The dead letter of a record of the topic. */
    public static DeadLetter of(ConsumerRecord<byte[], byte[]> r) {
        Headers h = r.headers();
        String reason = first(text(h, DeadLetterHeaders.REASON), text(h, "ce_knativeerrorcode"),
                text(h, DeadLetterHeaders.SMALLRYE_REASON));
        String message = first(text(h, DeadLetterHeaders.MESSAGE), text(h, "ce_knativeerrordata"));
        return new DeadLetter(id(r.partition(), r.offset()), first(text(h, "ce_type"), "?"), first(text(h, "ce_subject"), "-"),
                first(text(h, "ce_id"), "-"), reason == null ? "-" : message == null ? reason : reason + ": " + message,
                first(text(h, DeadLetterHeaders.ATTEMPTS), "-"), first(text(h, DeadLetterHeaders.FIRST_ATTEMPT), "-"),
                first(text(h, DeadLetterHeaders.LAST_ATTEMPT), "-"), first(text(h, DeadLetterHeaders.SERVICE), "-"), r);
    }

    /** The id of the record at that partition and offset. */
    public static String id(int partition, long offset) {
        return partition + "-" + offset;
    }

    /** A header as text, the last one when repeated; {@code null} when absent. */
    static String text(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
