package io.knative.lambda.localbroker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The three bindings of a CloudEvent on the local bus: HTTP binary, Kafka binary and structured JSON. */
class EventTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String PARSER_DATA = "{\"parser_id\":\"p-1\",\"data\":{\"key\":\"value\"}}";

    private static Event invoke() {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("specversion", "1.0");
        attributes.put("id", "e-1");
        attributes.put("source", "/me");
        attributes.put("type", "io.knative.lambda.invoke");
        attributes.put("subject", "p-1");
        attributes.put("tenant", "acme");
        return new Event(attributes, "application/json", PARSER_DATA.getBytes(UTF_8));
    }

    private static JsonNode json(String text) throws Exception {
        return MAPPER.readTree(text);
    }

    // ---- HTTP binary mode -------------------------------------------------------------------------------------

    @Test
    void httpBinaryTakesCeHeadersWhateverTheirCaseAndNothingElse() {
        Event event = Event.fromHttpBinary(List.of(Map.entry("Ce-Id", "e-1"), Map.entry("CE-TYPE", "io.knative.lambda.invoke"),
                Map.entry("ce-specversion", "1.0"), Map.entry("ce-source", "/me"), Map.entry("ce-", "nameless"),
                Map.entry("Content-Type", "application/json"), Map.entry("Authorization", "Bearer t")),
                "application/json", PARSER_DATA.getBytes(UTF_8));

        assertThat(event.attributes()).containsOnly(Map.entry("id", "e-1"), Map.entry("type", "io.knative.lambda.invoke"),
                Map.entry("specversion", "1.0"), Map.entry("source", "/me"));
        assertThat(event.contentType()).isEqualTo("application/json");
        assertThat(new String(event.data(), UTF_8)).isEqualTo(PARSER_DATA);
        assertThat(event.missingRequired()).isEmpty();
    }

    @Test
    void missingAndBlankRequiredAttributesAreNamedInOrder() {
        Event event = Event.fromHttpBinary(List.of(Map.entry("ce-id", "x"), Map.entry("ce-source", " ")), null, new byte[0]);

        assertThat(event.missingRequired()).containsExactly("source", "specversion", "type");
        assertThat(event.id()).isEqualTo("x");
        assertThat(event.type()).isNull();
        assertThat(event.subject()).isNull();
    }

    @Test
    void theAttributesCannotChangeAfterTheEventIsMade() {
        Map<String, String> attributes = new LinkedHashMap<>(invoke().attributes());
        Event event = new Event(attributes, null, new byte[0]);
        attributes.put("type", "changed");

        assertThat(event.type()).isEqualTo("io.knative.lambda.invoke");
        assertThatThrownBy(() -> event.attributes().put("id", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    // ---- Kafka binary binding -----------------------------------------------------------------------------------

    @Test
    void kafkaHeadersAreCeUnderscoreAttributesAndTheContentType() {
        Headers headers = invoke().kafkaHeaders();

        assertThat(new String(headers.lastHeader("ce_id").value(), UTF_8)).isEqualTo("e-1");
        assertThat(new String(headers.lastHeader("ce_subject").value(), UTF_8)).isEqualTo("p-1");
        assertThat(new String(headers.lastHeader("ce_tenant").value(), UTF_8)).isEqualTo("acme");
        assertThat(new String(headers.lastHeader("content-type").value(), UTF_8)).isEqualTo("application/json");
        assertThat(headers.toArray()).extracting(Header::key).containsExactlyInAnyOrder("ce_specversion", "ce_id",
                "ce_source", "ce_type", "ce_subject", "ce_tenant", "content-type");
    }

    @Test
    void anEventSurvivesTheKafkaRoundTrip() {
        Event sent = invoke();

        Event received = Event.fromKafka(sent.kafkaHeaders(), sent.data());

        assertThat(received.attributes()).isEqualTo(sent.attributes());
        assertThat(received.contentType()).isEqualTo("application/json");
        assertThat(received.data()).isEqualTo(sent.data());
    }

    @Test
    void withoutAContentTypeNoContentTypeHeaderIsWrittenOrRead() {
        Event sent = new Event(Map.of("id", "e-2", "type", "t"), null, new byte[0]);

        Headers headers = sent.kafkaHeaders();
        Event received = Event.fromKafka(headers, null);

        assertThat(headers.lastHeader("content-type")).isNull();
        assertThat(received.contentType()).isNull();
        assertThat(received.data()).isEmpty();
    }

    @Test
    void aKafkaRecordFromAnotherProducerIsReadLeniently() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_id", "e-3".getBytes(UTF_8));
        headers.add("ce_type", "io.knative.lambda.build.completed".getBytes(UTF_8));
        headers.add("ce_dataref", null); // a header without a value: no attribute, no crash
        headers.add("Content-Type", "application/json; charset=utf-8".getBytes(UTF_8));
        headers.add("traceparent", "00-abc-def-01".getBytes(UTF_8));
        headers.add("ce_", "nameless".getBytes(UTF_8));

        Event event = Event.fromKafka(headers, "{}".getBytes(UTF_8));

        assertThat(event.attributes()).containsOnly(Map.entry("id", "e-3"),
                Map.entry("type", "io.knative.lambda.build.completed"));
        assertThat(event.contentType()).isEqualTo("application/json; charset=utf-8");
        assertThat(event.missingRequired()).containsExactly("source", "specversion");
    }

    // ---- structured JSON ----------------------------------------------------------------------------------------

    @Test
    void structuredJsonDataBecomesTheJsonBytesWithJsonAsDefaultContentType() throws Exception {
        Event event = Event.fromStructured(json("{\"specversion\":\"1.0\",\"id\":\"e-4\",\"source\":\"/me\","
                + "\"type\":\"io.knative.lambda.invoke\",\"tenant\":\"acme\",\"data\":" + PARSER_DATA + "}"));

        assertThat(event.attributes()).containsOnly(Map.entry("specversion", "1.0"), Map.entry("id", "e-4"),
                Map.entry("source", "/me"), Map.entry("type", "io.knative.lambda.invoke"), Map.entry("tenant", "acme"));
        assertThat(event.contentType()).isEqualTo("application/json");
        assertThat(json(new String(event.data(), UTF_8))).isEqualTo(json(PARSER_DATA));
    }

    @Test
    void structuredAttributesThatAreNotStringsKeepTheirJsonTextAndNullsAreDropped() throws Exception {
        Event event = Event.fromStructured(json("{\"id\":\"e-5\",\"attempt\":3,\"sampled\":true,\"subject\":null}"));

        assertThat(event.attributes()).containsOnly(Map.entry("id", "e-5"), Map.entry("attempt", "3"),
                Map.entry("sampled", "true"));
        assertThat(event.data()).isEmpty();
        assertThat(event.contentType()).isNull();
    }

    @Test
    void structuredDataBase64IsDecoded() throws Exception {
        byte[] bytes = {0, 1, 2, (byte) 0xff};
        Event event = Event.fromStructured(json("{\"id\":\"e-6\",\"datacontenttype\":\"application/octet-stream\","
                + "\"data_base64\":\"" + Base64.getEncoder().encodeToString(bytes) + "\"}"));

        assertThat(event.data()).containsExactly(bytes);
        assertThat(event.contentType()).isEqualTo("application/octet-stream");
        assertThat(event.attributes()).doesNotContainKeys("data_base64", "datacontenttype");
    }

    @Test
    void structuredTextDataOfATextTypeIsTheTextNotAQuotedJsonString() throws Exception {
        Event event = Event.fromStructured(json("{\"id\":\"e-7\",\"datacontenttype\":\"text/plain\",\"data\":\"hello\"}"));

        assertThat(new String(event.data(), UTF_8)).isEqualTo("hello");
    }

    @Test
    void structuredDataBase64ThatIsNotBase64IsRefusedSayingSo() throws Exception {
        JsonNode bad = json("{\"id\":\"e-8\",\"data_base64\":\"%%%\"}");

        assertThatThrownBy(() -> Event.fromStructured(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("data_base64 is not base64: ");
    }

    @Test
    void jsonDataIsInlinedInTheStructuredViewAndOtherDataIsBase64() {
        Map<String, Object> view = invoke().structured(MAPPER);
        Map<String, Object> binary = new Event(Map.of("id", "e-9"), "application/octet-stream", new byte[] {1, 2})
                .structured(MAPPER);
        Map<String, Object> brokenJson = new Event(Map.of("id", "e-10"), "application/json", "{not json".getBytes(UTF_8))
                .structured(MAPPER);
        Map<String, Object> empty = new Event(Map.of("id", "e-11"), null, new byte[0]).structured(MAPPER);

        assertThat(view).containsEntry("datacontenttype", "application/json").containsEntry("tenant", "acme");
        assertThat(view.get("data").toString()).isEqualTo(PARSER_DATA);
        assertThat(binary).containsEntry("data_base64", "AQI=").doesNotContainKey("data");
        assertThat(brokenJson).containsEntry("data_base64", Base64.getEncoder().encodeToString("{not json".getBytes(UTF_8)));
        assertThat(empty).containsOnlyKeys("id");
    }

    @Test
    void anEventSurvivesTheStructuredRoundTrip() {
        Event sent = invoke();

        Event received = Event.fromStructured(MAPPER.valueToTree(sent.structured(MAPPER)));

        assertThat(received.attributes()).isEqualTo(sent.attributes());
        assertThat(received.contentType()).isEqualTo(sent.contentType());
        assertThat(new String(received.data(), UTF_8)).isEqualTo(PARSER_DATA);
    }
}
