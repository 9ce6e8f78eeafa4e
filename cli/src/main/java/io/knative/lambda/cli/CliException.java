package io.knative.lambda.cli;

/**
 * Why a command could not do what was asked, said in one line for a person: an unknown function, malformed input, a
 * platform that does not answer, a failed build. {@link Klambda} prints {@code klambda: <message>} on stderr and exits
 * with {@link #exitCode()}; never a stack trace.
 */
public final class CliException extends RuntimeException {

    /** The input is wrong (a usage error, malformed JSON, a missing file). */
    public static final int BAD_INPUT = 2;
    /** The platform said no, or could not be reached. */
    public static final int FAILED = 1;

    private final int exitCode;

    public CliException(String message) {
        this(message, FAILED);
    }

    public CliException(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    /** Bad input: exit code 2. */
    public static CliException badInput(String message) {
        return new CliException(message, BAD_INPUT);
    }

    public int exitCode() {
        return exitCode;
    }
}
