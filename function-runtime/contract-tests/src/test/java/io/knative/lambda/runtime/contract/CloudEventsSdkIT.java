package io.knative.lambda.runtime.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.message.MessageReader;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.jackson.JsonFormat;
import io.knative.lambda.events.EventTypes;

/** A round trip with the CloudEvents Java SDK as an independent client, binary and structured mode. */
class CloudEventsSdkIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @AfterAll
    static void stop() {
        ContractIT.stopAll();
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void binaryRoundTrip(RuntimeKind kind) throws Exception {
        FunctionProcess p = ContractIT.parser(kind);
        CloudEvent request = invoke(p);
        HttpRequest.Builder http = HttpRequest.newBuilder(URI.create(p.url() + "/"));
        byte[][] body = new byte[1][];
        HttpMessageFactory.createWriter(http::header, bytes -> body[0] = bytes).writeBinary(request);

        CloudEvent response = send(http, body[0]);

        assertResponse(response, p);
    }

    @ParameterizedTest
    @EnumSource(RuntimeKind.class)
    void structuredRoundTrip(RuntimeKind kind) throws Exception {
        FunctionProcess p = ContractIT.parser(kind);
        CloudEvent request = invoke(p);
        HttpRequest.Builder http = HttpRequest.newBuilder(URI.create(p.url() + "/"));
        byte[][] body = new byte[1][];
        HttpMessageFactory.createWriter(http::header, bytes -> body[0] = bytes).writeStructured(request, new JsonFormat());

        CloudEvent response = send(http, body[0]);

        assertResponse(response, p);
    }

    private static CloudEvent invoke(FunctionProcess p) {
        return CloudEventBuilder.v1().withId("sdk-" + System.nanoTime()).withSource(URI.create("/contract-tests/sdk"))
                .withType(EventTypes.INVOKE).withSubject(p.functionId).withDataContentType("application/json")
                .withData(("{\"parser_id\":\"" + RuntimeKind.PARSER_ID + "\",\"third_party_id\":\"customer-123\",\"data\":{\"key\":\"value\"}}")
                        .getBytes(StandardCharsets.UTF_8))
                .build();
    }

    private static CloudEvent send(HttpRequest.Builder http, byte[] body) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = HTTP.send(http.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        Map<String, String> headers = new HashMap<>();
        response.headers().map().forEach((name, values) -> headers.put(name, String.join(",", values)));
        MessageReader reader = HttpMessageFactory.createReader(headers, response.body());
        return reader.toEvent();
    }

    @SuppressWarnings("unchecked")
    private static void assertResponse(CloudEvent response, FunctionProcess p) throws IOException {
        assertThat(response.getType()).isEqualTo(EventTypes.RESPONSE_SUCCESS);
        assertThat(response.getSource()).isEqualTo(URI.create(EventTypes.functionSource(p.functionId)));
        assertThat(response.getSubject()).isEqualTo(p.functionId);
        assertThat(response.getId()).isNotBlank();
        assertThat(response.getDataContentType()).startsWith("application/json");
        assertThat(response.getData()).isNotNull();
        Map<String, Object> data = JSON.readValue(response.getData().toBytes(), Map.class);
        assertThat(data).isEqualTo(Map.of("status", "success", "parser_id", RuntimeKind.PARSER_ID,
                "result", Map.of("processed", true)));
        assertThat(List.of(response.getSpecVersion().toString())).containsExactly("1.0");
    }
}
