package io.knative.lambda.deployer.core;

import java.util.Map;

/** An object of the function's name exists but is not knative-lambda's (or is another scope's): never overwritten. */
public final class NameTakenException extends RuntimeException {

    private final String kind;
    private final String name;

    public NameTakenException(String kind, String name, String namespace, Map<String, String> labels) {
        super(kind + " " + namespace + "/" + name + " exists and is not this scope's knative-lambda function (labels "
                + (labels == null ? "{}" : labels) + "); delete it or rename the function");
        this.kind = kind;
        this.name = name;
    }

    /** The object's kind. */
    public String kind() {
        return kind;
    }

    /** The object's name. */
    public String name() {
        return name;
    }
}
