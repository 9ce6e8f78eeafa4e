package io.knative.lambda.cli.command;

import static io.knative.lambda.cli.CommandDef.flag;
import static io.knative.lambda.cli.CommandDef.option;

import java.io.PrintWriter;
import java.util.List;

import org.apache.commons.cli.Options;

import io.knative.lambda.cli.Args;
import io.knative.lambda.cli.CommandDef;
import io.knative.lambda.cli.CommandDef.Positional;
import io.knative.lambda.cli.platform.PlatformOptions;

/**
 * The commands of {@code klambda}: their names, descriptions and options, and {@link #run} that makes and runs the one
 * invoked, so that {@code --help} or a usage error loads no command class (nor Jackson, Kafka or fabric8).
 */
public final class Commands {

    private static final Positional NAME = new Positional("NAME", "A Service name or function id.", true);

    /** Every command, in the order {@code klambda --help} lists them. */
    public static final List<CommandDef> ALL = List.of(
            new CommandDef("deploy", "Uploads a function (file or folder); follows its build and rollout.", List.of(
                    "Uploads a function's source to the bucket as {scope}/{kind}/{id}{.ext} (with object metadata), then"
                            + " waits and prints the build and the rollout with their durations, or the build.failed /"
                            + " deploy.failed reason.",
                    "A folder is packed into a zip ({id}.zip; not .git/, __pycache__/, *.pyc, node_modules/, .venv/), the"
                            + " same bytes for the same files, so a re-deploy of an unchanged folder is the same source to"
                            + " the builder."),
                    List.of(new Positional("FILE|DIR", "The function's source file, or its folder (packed into a zip).",
                            true)),
                    PlatformOptions.options()
                            .addOption(option(null, "id", "ID", "The function id (default: the file's or folder's name,"
                                    + " e.g. parser for parser.py)."))
                            .addOption(option(null, "scope", "SCOPE", "global (default) or a tenant id."))
                            .addOption(option(null, "kind", "KIND", "The function's kind (default parser)."))
                            .addOption(option(null, "metadata", "KEY=VALUE", "Object metadata, repeatable: runtime, handler,"
                                    + " min-scale, max-scale, memory, cpu, timeout-seconds, container-concurrency,"
                                    + " execution."))
                            .addOption(timeout("How long to wait (default 300)."))
                            .addOption(flag(null, "no-wait", "Upload and return."))),
            new CommandDef("get", "Lists the functions: URL, ready or why not, serving revision.", List.of(
                    "The functions (Knative Services): name, function id, URL, ready, reason, revision, age.",
                    "With NAME: that function and its revisions."),
                    List.of(new Positional("NAME", NAME.description(), false)), PlatformOptions.options()),
            new CommandDef("invoke", "Calls a function through the broker and prints its answer.", List.of(
                    "Calls a function through the broker (an io.knative.lambda.invoke event whose subject is the"
                            + " function's Service name, in a new trace) and prints its answer"
                            + " (io.knative.lambda.response.success or .error).",
                    "Exit 0 on success, 1 when the function answered with an error."),
                    List.of(NAME, new Positional("JSON|@FILE", "The event data (default {}).", false)),
                    PlatformOptions.options().addOption(timeout("How long to wait for the answer (default 60)."))),
            new CommandDef("logs", "Prints what a function logged: invocations, errors, cold starts.", List.of(
                    "The function's log lines, every revision's, oldest first.",
                    "Local mode: the runtime's output the local cluster keeps per revision"
                            + " (.run/functions/<revision>/function.log);",
                    "a cluster: the pods of the function's revisions (kubectl logs -l serving.knative.dev/service=NAME"
                            + " -c user-container)."),
                    List.of(NAME),
                    PlatformOptions.options()
                            .addOption(flag("f", "follow", "Keep printing new lines until Ctrl-C."))
                            .addOption(option(null, "since", "DURATION", "Only lines newer than this: 5m, 30s, 2h, or a"
                                    + " time."))),
            new CommandDef("events", "Prints the platform's recent events; -f follows them.", List.of(
                    "The platform's recent events (uploads, builds, rollouts, invocations, answers), oldest first.",
                    "Local mode reads the local broker (GET /events); a cluster the Kafka topic behind the Kafka Broker."),
                    List.of(),
                    PlatformOptions.options()
                            .addOption(option("t", "type", "PREFIX", "Only types that start with PREFIX"
                                    + " (io.knative.lambda.build, io.knative.lambda.response...)."))
                            .addOption(option(null, "function", "NAME", "Only events about this function (Service name"
                                    + " or function id)."))
                            .addOption(option(null, "limit", "N", "How many recent events (default 50)."))
                            .addOption(flag("f", "follow", "Keep printing new events until Ctrl-C."))),
            new CommandDef("trace", "Shows one upload's timeline from its events: where it is stuck.", List.of(
                    "The timeline of a function's latest upload (or of the trace an event belongs to), from the events"
                            + " alone:",
                    "uploaded -> build started -> built -> rollout started -> ready -> first answer, each step with its"
                            + " duration.",
                    "Every event of one upload carries the same W3C traceparent (the CloudEvents distributed-tracing"
                            + " extension)."),
                    List.of(new Positional("NAME|EVENT-ID", "A function (Service name or function id), or the id of any"
                            + " event of the trace.", true)),
                    PlatformOptions.options().addOption(option(null, "limit", "N", "How many recent events to search"
                            + " (default 5000)."))),
            new CommandDef("rollback", "Pins a function's traffic to an earlier revision.", List.of(
                    "Pins the function's traffic to REVISION (default: the revision before the one serving now) with an"
                            + " io.knative.lambda.rollback.requested event, and waits for the deployer's answer."),
                    List.of(NAME, new Positional("REVISION", "The revision (klambda get NAME lists them).", false)),
                    PlatformOptions.options().addOption(timeout("How long to wait (default 120)."))),
            new CommandDef("delete", "Removes a function: its source object in the bucket.", List.of(
                    "Removes the function's source object from the bucket (the way functions are removed) and waits for"
                            + " io.knative.lambda.function.deleted."),
                    List.of(NAME), PlatformOptions.options().addOption(timeout("How long to wait (default 120)."))));

    /** {@code klambda help [COMMAND]}. */
    public static final CommandDef HELP = new CommandDef("help", "Shows the help of a command.", List.of(
            "Shows the help of COMMAND (the same as klambda COMMAND --help), or with no COMMAND klambda's."),
            List.of(new Positional("COMMAND", "The command to show the help of.", false)), new Options());

    private Commands() {
    }

    /** The command called {@code name}, or {@code null}. */
    public static CommandDef find(String name) {
        for (CommandDef c : ALL) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** Makes the command {@code name} from its parsed values (which it checks) and runs it; its exit code. */
    public static int run(String name, Args args, PrintWriter out) {
        return switch (name) {
            case "deploy" -> new DeployCommand(args, out).call();
            case "get" -> new GetCommand(args, out).call();
            case "invoke" -> new InvokeCommand(args, out).call();
            case "logs" -> new LogsCommand(args, out).call();
            case "events" -> new EventsCommand(args, out).call();
            case "trace" -> new TraceCommand(args, out).call();
            case "rollback" -> new RollbackCommand(args, out).call();
            case "delete" -> new DeleteCommand(args, out).call();
            default -> throw new IllegalArgumentException("no command " + name);
        };
    }

    private static org.apache.commons.cli.Option timeout(String description) {
        return option(null, "timeout", "SECONDS", description);
    }
}
