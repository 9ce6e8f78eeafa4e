package io.knative.lambda.runtime.compiler;

import java.util.List;

/** A function source that does not compile; {@link #errors()} has the compiler's messages with line numbers. */
public class FunctionCompileException extends Exception {

    private static final long serialVersionUID = 1L;

    private final List<String> errors;

    public FunctionCompileException(String message, List<String> errors) {
        super(message);
        this.errors = List.copyOf(errors);
    }

    /** One line per error, such as {@code invoice.java:12: foo cannot be resolved to a variable}. */
    public List<String> errors() {
        return errors;
    }
}
