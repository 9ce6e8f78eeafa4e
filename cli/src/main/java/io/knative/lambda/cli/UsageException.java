package io.knative.lambda.cli;

/**
 * A command line that does not say what to do (an unknown command or option, a missing or malformed value): printed as
 * {@code klambda: <message> (<command> --help)} with exit code {@link CliException#BAD_INPUT}.
 */
public final class UsageException extends RuntimeException {

    private final String command;

    /** {@code command}: the command line's command, {@code klambda} or {@code klambda get}. */
    public UsageException(String command, String message) {
        super(message, null, false, false);
        this.command = command;
    }

    /** The command whose {@code --help} says how to use it. */
    public String command() {
        return command;
    }
}
