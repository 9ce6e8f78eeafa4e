package io.knative.lambda.deployer.it;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.knative.lambda.deployer.TestBuilds;
import io.restassured.response.Response;

/** Test helper: CloudEvents to the deployer over HTTP, in binary and structured mode. */
final class Events {

    static final ObjectMapper JSON = new ObjectMapper();

    private Events() {
    }

    /** POSTs a binary-mode CloudEvent (ce-* headers, JSON body); a build.completed object is signed as the builder does. */
    static Response binary(String type, String id, String subject, Object data) {
        return unsigned(type, id, subject, asTheBuilderSends(type, data));
    }

    /** POSTs a binary-mode CloudEvent as given, with no signature added. */
    static Response unsigned(String type, String id, String subject, Object data) {
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

    /** POSTs a structured-mode CloudEvent (application/cloudevents+json); build.completed objects signed. */
    static Response structured(String type, String id, String subject, Object data) {
        data = asTheBuilderSends(type, data);
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

    /** build.completed data that is an object gets the builder's signature; anything else stays as it is. */
    private static Object asTheBuilderSends(String type, Object data) {
        boolean object = data != null && !(data instanceof String) && JSON.valueToTree(data).isObject();
        return "io.knative.lambda.build.completed".equals(type) && object ? TestBuilds.signed(data) : data;
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
