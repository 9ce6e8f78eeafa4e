package io.knative.lambda.service.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.knative.lambda.service.InvalidEventException;

/** The CloudEvents HTTP binding as every entry point reads it: what is accepted, and the 400 or 415 for the rest. */
class CloudEventHttpTest {

    private static List<Map.Entry<String, String>> binary(String... more) {
        List<Map.Entry<String, String>> headers = new ArrayList<>(List.of(Map.entry("ce-specversion", "1.0"),
                Map.entry("ce-id", "e-1"), Map.entry("ce-source", "/test"), Map.entry("ce-type", "io.knative.lambda.build.requested")));
        for (int i = 0; i < more.length; i += 2) {
            headers.add(Map.entry(more[i], more[i + 1]));
        }
        return headers;
    }

    private static List<Map.Entry<String, String>> headers(String... pairs) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            headers.add(Map.entry(pairs[i], pairs[i + 1]));
        }
        return headers;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static HttpCloudEvent structured(String body) {
        return CloudEventHttp.parse(headers("Content-Type", "application/cloudevents+json"), bytes(body));
    }

    @Test
    void aBinaryEventWithJsonDataIsReadWithItsAttributesAndParsedData() {
        HttpCloudEvent event = CloudEventHttp.parse(binary("Content-Type", "application/json; charset=utf-8",
                "CE-Subject", "global/parser/x", "ce-knativelambdascope", "global"), bytes("{\"bucket\":\"b\",\"key\":\"k\"}"));

        assertThat(event.structured()).isFalse();
        assertThat(event.attributes()).containsEntry("id", "e-1").containsEntry("subject", "global/parser/x")
                .containsEntry("knativelambdascope", "global").doesNotContainKey("datacontenttype");
        assertThat(event.json().path("key").asText()).isEqualTo("k");
        assertThat(event.jsonOrEmpty()).isTrue();
    }

    @Test
    void aBinaryEventWithoutCeIdIs400NamingTheAttribute() {
        List<Map.Entry<String, String>> headers = headers("ce-specversion", "1.0", "ce-source", "/t",
                "ce-type", "io.knative.lambda.build.requested", "Content-Type", "application/json");

        assertThatThrownBy(() -> CloudEventHttp.parse(headers, bytes("{}")))
                .isInstanceOf(InvalidEventException.class).hasMessage("the CloudEvent lacks required attribute(s) id");
    }

    @Test
    void anEmptyRequiredAttributeIsMissingToo() {
        assertThatThrownBy(() -> CloudEventHttp.parse(headers("ce-specversion", "1.0", "ce-id", " ", "ce-source", "/t",
                "ce-type", "t"), new byte[0])).isInstanceOf(InvalidEventException.class).hasMessageEndingWith("id");
    }

    @Test
    void aRequestWithoutCeHeadersOrTheStructuredMediaTypeIs415() {
        assertThatThrownBy(() -> CloudEventHttp.parse(headers("Content-Type", "application/json"), bytes("{\"bucket\":\"b\"}")))
                .isInstanceOf(UnsupportedMediaTypeException.class).hasMessageStartingWith("send a CloudEvent");
    }

    @Test
    void nonJsonDataInBinaryModeIsKeptAsBytesAndMarkedNotJson() {
        HttpCloudEvent text = CloudEventHttp.parse(binary("Content-Type", "text/plain"), bytes("hello"));
        HttpCloudEvent xml = CloudEventHttp.parse(binary("Content-Type", "application/xml"), bytes("<a/>"));

        assertThat(text.jsonOrEmpty()).isFalse();
        assertThat(text.contentType()).isEqualTo("text/plain");
        assertThat(new String(xml.data(), StandardCharsets.UTF_8)).isEqualTo("<a/>");
        assertThat(xml.json()).isNull();
    }

    @Test
    void anEmptyBodyIsAnEventWithoutData() {
        HttpCloudEvent event = CloudEventHttp.parse(binary(), new byte[0]);

        assertThat(event.data()).isEmpty();
        assertThat(event.json()).isNull();
        assertThat(event.jsonOrEmpty()).isTrue();
    }

    @Test
    void aBatchIs415() {
        assertThatThrownBy(() -> CloudEventHttp.parse(headers("Content-Type", "application/cloudevents-batch+json"), bytes("[]")))
                .isInstanceOf(UnsupportedMediaTypeException.class).hasMessageContaining("batched");
    }

    @Test
    void anAttributeHeaderGivenTwiceIs400() {
        assertThatThrownBy(() -> CloudEventHttp.parse(binary("ce-type", "com.amazonaws.s3.ObjectCreated:Put"), bytes("{}")))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("ce-type is given twice");
        assertThatThrownBy(() -> CloudEventHttp.parse(binary("CE-ID", "other"), bytes("{}")))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("given twice");
    }

    @Test
    void twoContentTypesAre400() {
        assertThatThrownBy(() -> CloudEventHttp.parse(binary("Content-Type", "application/json", "Content-Type", "text/plain"),
                bytes("{}"))).isInstanceOf(InvalidEventException.class).hasMessageContaining("Content-Type is given 2 times");
    }

    @Test
    void attributeValuesArePercentDecodedAndABadEncodingIs400() {
        HttpCloudEvent event = CloudEventHttp.parse(binary("ce-subject", "global/parser/caf%C3%A9%20%25"), new byte[0]);

        assertThat(event.attribute("subject")).isEqualTo("global/parser/café %");
        assertThatThrownBy(() -> CloudEventHttp.parse(binary("ce-subject", "bad%zz"), new byte[0]))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("percent-encoding");
    }

    @Test
    void aControlCharacterInAnAttributeIs400EvenWhenPercentEncoded() {
        assertThatThrownBy(() -> CloudEventHttp.parse(binary("ce-subject", "a%00b"), new byte[0]))
                .isInstanceOf(InvalidEventException.class).hasMessage("attribute 'subject' holds a control character");
        assertThatThrownBy(() -> structured("{\"specversion\":\"1.0\",\"id\":\"a\\u0007\",\"source\":\"/t\",\"type\":\"t\"}"))
                .isInstanceOf(InvalidEventException.class).hasMessage("attribute 'id' holds a control character");
    }

    @Test
    void anAttributeNameOutsideAToZAndDigitsIs400() {
        assertThatThrownBy(() -> CloudEventHttp.parse(binary("ce-foo_bar", "x"), new byte[0]))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("ce-foo_bar is not a CloudEvents attribute name");
    }

    @Test
    void ceDatacontenttypeInBinaryModeIs400() {
        assertThatThrownBy(() -> CloudEventHttp.parse(binary("ce-datacontenttype", "text/plain",
                "Content-Type", "application/json"), bytes("{}"))).isInstanceOf(InvalidEventException.class);
    }

    @Test
    void aSpecversionOtherThan1Is400() {
        assertThatThrownBy(() -> CloudEventHttp.parse(headers("ce-specversion", "0.3", "ce-id", "a", "ce-source", "/t",
                "ce-type", "t"), new byte[0])).isInstanceOf(InvalidEventException.class).hasMessageContaining("'0.3'");
    }

    @Test
    void jsonDataThatDoesNotParseIs400WithTheReason() {
        assertThatThrownBy(() -> CloudEventHttp.parse(binary("Content-Type", "application/json"), bytes("{\"bucket\":\"b\",\"key\":")))
                .isInstanceOf(InvalidEventException.class).hasMessageStartingWith("the event's data is not valid JSON: ");
        assertThatThrownBy(() -> CloudEventHttp.parse(binary(), bytes("{\"a\":1} trailing")))
                .isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> CloudEventHttp.parse(binary(), bytes("{\"key\":\"a\",\"key\":\"b\"}")))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("Duplicate field 'key'");
    }

    @Test
    void aDeclaredCharsetIsNotTrustedTheBytesMustBeUtf8() {
        HttpCloudEvent ascii = CloudEventHttp.parse(binary("Content-Type", "application/json; charset=ISO-8859-1"), bytes("{}"));
        byte[] latin1 = "{\"k\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);

        assertThat(ascii.json().isObject()).isTrue();
        assertThatThrownBy(() -> CloudEventHttp.parse(binary("Content-Type", "application/json; charset=ISO-8859-1"), latin1))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("not UTF-8");
    }

    @Test
    void aContentTypeThatIsNoMediaTypeIs415() {
        assertThatThrownBy(() -> CloudEventHttp.parse(binary("Content-Type", "json"), bytes("{}")))
                .isInstanceOf(UnsupportedMediaTypeException.class);
    }

    @Test
    void aStructuredEventIsReadWithItsDataAsJson() {
        HttpCloudEvent event = structured("{\"specversion\":\"1.0\",\"id\":\"s-1\",\"source\":\"/t\",\"type\":\"x\","
                + "\"subject\":\"fn\",\"knativelambdaretry\":3,\"datacontenttype\":\"application/json\",\"data\":{\"a\":[1,2]}}");

        assertThat(event.structured()).isTrue();
        assertThat(event.attributes()).containsEntry("subject", "fn").containsEntry("knativelambdaretry", "3");
        assertThat(event.json().path("a").get(1).asInt()).isEqualTo(2);
        assertThat(new String(event.data(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":[1,2]}");
    }

    @Test
    void structuredDataBase64IsDecodedAndChecked() {
        HttpCloudEvent event = structured("{\"specversion\":\"1.0\",\"id\":\"b\",\"source\":\"/t\",\"type\":\"x\","
                + "\"datacontenttype\":\"application/json\",\"data_base64\":\"eyJhIjoxfQ==\"}");

        assertThat(event.json().path("a").asInt()).isEqualTo(1);
        assertThatThrownBy(() -> structured("{\"specversion\":\"1.0\",\"id\":\"b\",\"source\":\"/me\",\"type\":\"t\","
                + "\"data_base64\":\"%%%\"}")).isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("the structured CloudEvent is not valid: data_base64 is not base64");
    }

    @Test
    void structuredTextDataIsKeptAsItsBytes() {
        HttpCloudEvent event = structured("{\"specversion\":\"1.0\",\"id\":\"t\",\"source\":\"/t\",\"type\":\"x\","
                + "\"datacontenttype\":\"text/plain\",\"data\":\"hi\"}");

        assertThat(event.jsonOrEmpty()).isFalse();
        assertThat(new String(event.data(), StandardCharsets.UTF_8)).isEqualTo("hi");
    }

    @Test
    void malformedStructuredEventsAre400() {
        assertThatThrownBy(() -> structured("[1]")).isInstanceOf(InvalidEventException.class)
                .hasMessage("the structured CloudEvent is not a JSON object");
        assertThatThrownBy(() -> structured("{not json")).isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("the structured CloudEvent is not valid JSON");
        assertThatThrownBy(() -> structured("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/x\",\"type\":\"a\",\"type\":\"b\"}"))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("Duplicate field 'type'");
        assertThatThrownBy(() -> structured("{\"specversion\":\"1.0\",\"id\":{\"a\":1},\"source\":\"/x\",\"type\":\"a\"}"))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("must be a string, number or boolean");
        assertThatThrownBy(() -> structured("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/x\",\"type\":\"a\","
                + "\"data\":{},\"data_base64\":\"e30=\"}")).isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("both 'data' and 'data_base64'");
        assertThatThrownBy(() -> structured("{\"specversion\":\"1.0\",\"source\":\"/x\",\"type\":\"a\"}"))
                .isInstanceOf(InvalidEventException.class).hasMessage("the CloudEvent lacks required attribute(s) id");
    }
}
