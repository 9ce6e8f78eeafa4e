package io.knative.lambda.deployer.inbound;

import java.util.ArrayList;
import java.util.List;

/** The CloudEvents 1.0 required attributes, checked where Funqy does not check them. */
public final class CloudEventChecks {

    private CloudEventChecks() {
    }

    /** Throws {@link InvalidEventException} naming every required attribute that is missing or empty. */
    public static void requireAttributes(String id, String source, String specVersion, String type) {
        List<String> missing = new ArrayList<>();
        if (blank(id)) {
            missing.add("id");
        }
        if (blank(source)) {
            missing.add("source");
        }
        if (blank(specVersion)) {
            missing.add("specversion");
        }
        if (blank(type)) {
            missing.add("type");
        }
        if (!missing.isEmpty()) {
            throw new InvalidEventException("the CloudEvent lacks required attribute(s) " + String.join(", ", missing));
        }
        if (!"1.0".equals(specVersion)) {
            throw new InvalidEventException("CloudEvents specversion '" + specVersion + "' is not supported; send 1.0");
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
