package io.knative.lambda.cli.command;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.cli.CliException;
import io.knative.lambda.cli.platform.Platform;

/**
 * A function named on the command line, by its Knative Service name ({@code parser-my-parser}) or its function id
 * ({@code my-parser}), found among the namespace's Services.
 *
 * @param service    the Knative Service name
 * @param functionId the function id (the events' subject)
 * @param ksvc       the Service as the API returned it
 */
record FunctionRef(String service, String functionId, JsonNode ksvc) {

    static final String FUNCTION_ID = "io.knative.lambda/function-id";

    /** The function called {@code name}; a {@link CliException} that says where it looked when there is none. */
    static FunctionRef find(Platform platform, String name) {
        List<JsonNode> services = platform.functions().services();
        for (JsonNode ksvc : services) {
            String service = ksvc.path("metadata").path("name").asText();
            String id = ksvc.path("metadata").path("labels").path(FUNCTION_ID).asText(service);
            if (name.equals(service) || name.equals(id)) {
                return new FunctionRef(service, id, ksvc);
            }
        }
        throw CliException.badInput("no function '" + name + "' in namespace " + platform.namespace() + " ("
                + platform.description() + "; " + services.size() + " function" + (services.size() == 1 ? "" : "s")
                + ": klambda get lists them)");
    }

    /** The S3 object it was built from ({@code s3://bucket/key}), or {@code null}. */
    String sourceKey() {
        String source = ksvc.path("metadata").path("annotations").path("io.knative.lambda/source").asText("");
        int slash = source.startsWith("s3://") ? source.indexOf('/', 5) : -1;
        return slash < 0 ? null : source.substring(slash + 1);
    }

    /** The Ready condition's status (True, False, Unknown). */
    static String ready(JsonNode ksvc) {
        return condition(ksvc, "Ready").path("status").asText("Unknown");
    }

    /** The Ready condition's reason, or "". */
    static String reason(JsonNode ksvc) {
        return condition(ksvc, "Ready").path("reason").asText("");
    }

    private static JsonNode condition(JsonNode ksvc, String type) {
        for (JsonNode c : ksvc.path("status").path("conditions")) {
            if (type.equals(c.path("type").asText())) {
                return c;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
}
