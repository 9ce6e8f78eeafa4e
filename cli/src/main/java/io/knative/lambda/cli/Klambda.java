package io.knative.lambda.cli;

import java.io.PrintWriter;

import io.knative.lambda.cli.command.DeleteCommand;
import io.knative.lambda.cli.command.DeployCommand;
import io.knative.lambda.cli.command.EventsCommand;
import io.knative.lambda.cli.command.GetCommand;
import io.knative.lambda.cli.command.InvokeCommand;
import io.knative.lambda.cli.command.LogsCommand;
import io.knative.lambda.cli.command.RollbackCommand;
import io.knative.lambda.cli.command.TraceCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code klambda}: the command line of backend developers, against {@code make run} or a cluster. */
@Command(name = "klambda", mixinStandardHelpOptions = true, version = "klambda 0.1.0", subcommands = {
    DeployCommand.class, GetCommand.class, InvokeCommand.class, LogsCommand.class, EventsCommand.class,
    TraceCommand.class, RollbackCommand.class, DeleteCommand.class, CommandLine.HelpCommand.class},
        description = {"Deploy, inspect, call and debug functions of Knative Lambda.",
            "With no option it finds local mode (`make run`, the .run/ folder above this one); on a cluster give"
                    + " --context (and --bucket, --broker, --bootstrap-servers as a command needs them).",
            "When something goes wrong: klambda get, klambda logs NAME, klambda trace NAME."})
public final class Klambda implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "give a command (klambda --help lists them)");
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; its exit code. Errors are one line on {@code err}, never a stack trace. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine line = new CommandLine(new Klambda()).setCaseInsensitiveEnumValuesAllowed(true);
        line.setOut(out);
        line.setErr(err);
        line.setParameterExceptionHandler((e, a) -> {
            err.println("klambda: " + e.getMessage() + " (" + e.getCommandLine().getCommandSpec().qualifiedName()
                    + " --help)");
            err.flush();
            return CliException.BAD_INPUT;
        });
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            out.flush();
            if (e instanceof CliException cli) {
                err.println("klambda: " + cli.getMessage());
                err.flush();
                return cli.exitCode();
            }
            err.println("klambda: unexpected failure: " + e);
            err.flush();
            return CliException.FAILED;
        });
        int code = line.execute(args);
        out.flush();
        return code;
    }
}
