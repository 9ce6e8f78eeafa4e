package io.knative.lambda.service.http;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A CloudEvent as it arrived over HTTP, after {@link CloudEventHttp} checked it.
 *
 * @param structured  whether it came in structured mode ({@code application/cloudevents+json})
 * @param attributes  context attributes and extensions by name, decoded; never {@code datacontenttype}
 * @param contentType the data's media type ({@code datacontenttype}), or {@code null}
 * @param data        the data's bytes, empty when there is none
 * @param json        the data parsed, when its media type is JSON and there is data; else {@code null}
 */
public record HttpCloudEvent(boolean structured, Map<String, String> attributes, String contentType, byte[] data,
        JsonNode json) {

    public HttpCloudEvent {
        attributes = Map.copyOf(attributes);
    }

    public String attribute(String name) {
        return attributes.get(name);
    }

    /** Whether the data is JSON (or there is none), as the services require. */
    public boolean jsonOrEmpty() {
        return data.length == 0 || json != null;
    }
}
