package io.knative.lambda.cli.command;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import io.knative.lambda.cli.Output;
import io.knative.lambda.cli.platform.Platform;
import io.knative.lambda.cli.platform.PlatformOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** What every command shares: where the platform is ({@link PlatformOptions}), {@code -o human|json}, the output. */
abstract class PlatformCommand implements Callable<Integer> {

    @Mixin
    PlatformOptions where;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "human",
            description = "human (default) or json.")
    Output output;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        return run(where.resolve());
    }

    /** Does the command on {@code platform}; the exit code. */
    abstract int run(Platform platform);

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    boolean json() {
        return output == Output.JSON;
    }
}
