package io.knative.lambda.cli.command;

import java.io.PrintWriter;

import io.knative.lambda.cli.Args;
import io.knative.lambda.cli.Http;
import io.knative.lambda.cli.Output;
import io.knative.lambda.cli.platform.Platform;
import io.knative.lambda.cli.platform.PlatformOptions;

/**
 * What every command shares: where the platform is ({@link PlatformOptions}), {@code -o human|json}, the output. A
 * command reads and checks all its values in its constructor, before anything is sent.
 */
abstract class PlatformCommand {

    private final PlatformOptions where;
    private final Output output;
    private final PrintWriter out;

    PlatformCommand(Args args, PrintWriter out) {
        this.where = PlatformOptions.of(args);
        this.output = args.choice("output", Output.class, Output.HUMAN);
        this.out = out;
    }

    /** Does the command on the platform its options name; the exit code. */
    public final int call() {
        Http.prepare();
        return run(where.resolve());
    }

    /** Does the command on {@code platform}; the exit code. */
    abstract int run(Platform platform);

    PrintWriter out() {
        return out;
    }

    boolean json() {
        return output == Output.JSON;
    }
}
