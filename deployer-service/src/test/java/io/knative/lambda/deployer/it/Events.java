package io.knative.lambda.deployer.it;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.restassured.response.Response;

/** Test helper: CloudEvents to the deployer over HTTP, in binary and structured mode. */
final class Events {

    static final ObjectMapper JSON = new ObjectMapper();

    private Events() {
    }

    /** POSTs a binary-mode CloudEvent (ce-* headers, JSON body). */
    static Response binary(String type, String id, String subject, Object data) {
        var request = given()
                .header("ce-specversion", "1.0")
                .header("ce-id", id)
                .header("ce-source", "/test/deployer-it")
                .header("ce-type", type)
                .contentType("application/json")
                .body(text(data));
        if (subject != null) {
            request.header("ce-subject", subject);
        }
        return request.post("/");
    }

    /** POSTs a structured-mode CloudEvent (application/cloudevents+json). */
    static Response structured(String type, String id, String subject, Object data) {
        ObjectNode event = JSON.createObjectNode()
                .put("specversion", "1.0")
                .put("id", id)
                .put("source", "/test/deployer-it")
                .put("type", type)
                .put("datacontenttype", "application/json");
        if (subject != null) {
            event.put("subject", subject);
        }
        event.set("data", JSON.valueToTree(data));
        return given().contentType("application/cloudevents+json").body(event.toString()).post("/");
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    private static String text(Object data) {
        if (data instanceof String s) {
            return s;
        }
        try {
            return JSON.writeValueAsString(data);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
