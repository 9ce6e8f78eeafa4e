package io.knative.lambda.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One klambda command line run in-process: its exit code, what it printed on stdout and on stderr. */
public record CliRun(int exit, String out, String err) {

    /** Runs {@code args} as the {@code klambda} command would. */
    public static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Klambda.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(exit, out.toString(), err.toString());
    }
}
