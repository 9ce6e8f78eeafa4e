package io.knative.lambda.localcluster.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.knative.lambda.localcluster.store.ApiException;
import io.knative.lambda.localcluster.store.Json;

/** The Kubernetes {@code Status} object that answers a refused call, as clients (fabric8, kubectl) parse it. */
final class Statuses {

    private Statuses() {
    }

    /** {@code {"kind":"Status","status":"Failure","reason":...,"code":...,"message":...,"details":...}}. */
    static ObjectNode failure(ApiException e) {
        ObjectNode status = failure(e.code(), e.reason(), e.getMessage());
        if (e.name() != null || e.type() != null) {
            ObjectNode details = status.putObject("details");
            if (e.name() != null) {
                details.put("name", e.name());
            }
            if (e.type() != null) {
                details.put("group", e.type().group());
                details.put("kind", e.type().plural());
            }
        }
        return status;
    }

    /** A failure with no object details. */
    static ObjectNode failure(int code, String reason, String message) {
        ObjectNode status = Json.MAPPER.createObjectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", reason);
        status.put("code", code);
        return status;
    }
}
