package io.knative.lambda.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;

import io.knative.lambda.cli.command.Commands;

/**
 * {@code klambda}: the command line of backend developers, against {@code make run} or a cluster. Dispatches
 * {@code klambda COMMAND [OPTIONS] [ARGS]} to the command (parsed by commons-cli, see {@link Args}), answers
 * {@code --help}, {@code --version} and {@code help COMMAND}, and prints every error as one line.
 */
public final class Klambda {

    /** What {@code --version} prints. */
    public static final String VERSION = "klambda 0.1.0";

    private static final String ROOT = "klambda";
    private static final List<String> DESCRIPTION = List.of(
            "Deploy, inspect, call and debug functions of Knative Lambda.",
            "With no option it finds local mode (`make run`, the .run/ folder above this one); on a cluster give"
                    + " --context (and --bucket, --broker, --bootstrap-servers as a command needs them).",
            "When something goes wrong: klambda get, klambda logs NAME, klambda trace NAME.");

    private Klambda() {
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; its exit code. Errors are one line on {@code err}, never a stack trace. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        try {
            return dispatch(args, out);
        } catch (UsageException e) {
            return fail(out, err, e.getMessage() + " (" + e.command() + " --help)", CliException.BAD_INPUT);
        } catch (CliException e) {
            return fail(out, err, e.getMessage(), e.exitCode());
        } catch (RuntimeException e) {
            return fail(out, err, "unexpected failure: " + e, CliException.FAILED);
        } finally {
            out.flush();
        }
    }

    private static int dispatch(String[] args, PrintWriter out) {
        if (args.length == 0) {
            throw new UsageException(ROOT, "give a command (klambda --help lists them)");
        }
        String first = args[0];
        if (first.equals("-h") || first.equals("--help")) {
            Help.root(out, DESCRIPTION, Commands.ALL, Commands.HELP);
            return 0;
        }
        if (first.equals("-V") || first.equals("--version")) {
            out.println(VERSION);
            return 0;
        }
        if (first.equals(Commands.HELP.name())) {
            return help(Arrays.copyOfRange(args, 1, args.length), out);
        }
        CommandDef def = Commands.find(first);
        if (def == null) {
            throw new UsageException(ROOT, first.startsWith("-") ? "Unknown option: '" + first + "'"
                    : "Unknown command: '" + first + "'");
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (Args.asks(rest, "-h", "--help")) {
            Help.command(out, def);
            return 0;
        }
        if (Args.asks(rest, "-V", "--version")) {
            out.println(VERSION);
            return 0;
        }
        return Commands.run(def.name(), Args.parse(def, rest), out);
    }

    /** {@code klambda help [COMMAND]}: the help of COMMAND, or klambda's. */
    private static int help(String[] args, PrintWriter out) {
        if (Args.asks(args, "-h", "--help")) {
            Help.command(out, Commands.HELP);
            return 0;
        }
        Args parsed = Args.parse(Commands.HELP, args);
        String name = parsed.positional(0);
        if (name == null) {
            Help.root(out, DESCRIPTION, Commands.ALL, Commands.HELP);
            return 0;
        }
        CommandDef def = Commands.find(name);
        if (def == null) {
            throw new UsageException(Commands.HELP.qualifiedName(), "Unknown command: '" + name + "'");
        }
        Help.command(out, def);
        return 0;
    }

    private static int fail(PrintWriter out, PrintWriter err, String message, int exitCode) {
        out.flush();
        err.println("klambda: " + message);
        err.flush();
        return exitCode;
    }
}
