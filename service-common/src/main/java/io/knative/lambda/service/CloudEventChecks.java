package io.knative.lambda.service;

import java.util.ArrayList;
import java.util.List;

/** The CloudEvents 1.0 required attributes, checked for the transports that do not check them. */
public final class CloudEventChecks {

    private CloudEventChecks() {
    }

    /** Throws {@link InvalidEventException} naming every required attribute that is missing or empty. */
    public static void requireAttributes(InboundEvent event) {
        List<String> missing = new ArrayList<>();
        if (blank(event.id())) {
            missing.add("id");
        }
        if (blank(event.source())) {
            missing.add("source");
        }
        if (blank(event.specVersion())) {
            missing.add("specversion");
        }
        if (blank(event.type())) {
            missing.add("type");
        }
        if (!missing.isEmpty()) {
            throw new InvalidEventException("the CloudEvent lacks required attribute(s) " + String.join(", ", missing));
        }
        if (!"1.0".equals(event.specVersion())) {
            throw new InvalidEventException("CloudEvents specversion '" + event.specVersion() + "' is not supported; send 1.0");
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
