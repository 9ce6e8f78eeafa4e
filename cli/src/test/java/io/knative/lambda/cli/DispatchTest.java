package io.knative.lambda.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.knative.lambda.cli.command.Commands;

/**
 * The command line itself: which command runs, {@code --help} and {@code help CMD}, {@code --version}, and every
 * usage error as one line that names what is wrong and the {@code --help} to read, with exit code 2.
 */
class DispatchTest {

    private static final List<String> COMMANDS = List.of("deploy", "get", "invoke", "logs", "events", "trace", "rollback",
            "delete");

    @TempDir
    Path empty;

    private static void assertUsageError(CliRun r, String message, String help) {
        assertThat(r.exit()).as(r.err()).isEqualTo(CliException.BAD_INPUT);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines()).as("one line on stderr").hasSize(1);
        assertThat(r.err()).startsWith("klambda: ").contains(message).endsWith("(" + help + " --help)\n")
                .doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void theRootHelpListsEveryCommandOnOneLineAndTheThreeForWhenSomethingGoesWrong() {
        CliRun r = CliRun.of("--help");

        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith("Usage: klambda [-hV] [COMMAND]\n")
                .contains("When something goes wrong: klambda get, klambda logs NAME, klambda trace NAME.")
                .contains("  -h, --help").contains("  -V, --version");
        List<String> listed = r.out().lines().dropWhile(l -> !l.equals("Commands:")).skip(1).toList();
        assertThat(listed).as("one line per command, then help").hasSize(COMMANDS.size() + 1);
        for (int i = 0; i < COMMANDS.size(); i++) {
            assertThat(listed.get(i)).matches("  " + COMMANDS.get(i) + " +[A-Z].{10,}\\.");
        }
        assertThat(listed.get(COMMANDS.size())).startsWith("  help ");
        assertThat(r.out().lines()).allSatisfy(l -> assertThat(l.length()).as(l).isLessThan(80));
        assertThat(CliRun.of("-h").out()).isEqualTo(r.out());
        assertThat(CliRun.of("help").out()).isEqualTo(r.out());
    }

    @Test
    void everyCommandsHelpShowsItsUsageDescriptionPositionalsAndOptions() {
        for (String command : COMMANDS) {
            CliRun r = CliRun.of(command, "--help");

            assertThat(r.exit()).as(command).isZero();
            assertThat(r.out()).as(command).startsWith("Usage: klambda " + command + " [-")
                    .contains("  -o, --output=FORMAT").contains("      --context=CONTEXT").contains("  -h, --help");
            assertThat(r.out().lines()).allSatisfy(l -> assertThat(l.length()).as(l).isLessThan(80));
            assertThat(CliRun.of(command, "-h").out()).as(command + " -h").isEqualTo(r.out());
            assertThat(CliRun.of("help", command).out()).as("help " + command).isEqualTo(r.out());
        }
        assertThat(CliRun.of("logs", "--help").out()).contains("      NAME ").contains("  -f, --follow")
                .contains("      --since=DURATION").contains("Usage: klambda logs [-fhV] ");
        assertThat(CliRun.of("invoke", "--help").out()).contains("NAME [JSON|@FILE]\n");
        assertThat(CliRun.of("deploy", "--help").out()).contains("      --metadata=KEY=VALUE").contains("--no-wait")
                .contains("FILE|DIR\n");
    }

    @Test
    void helpWinsOverEverythingElseOnTheLine() {
        CliRun r = CliRun.of("get", "--frobnicate", "--help");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("Usage: klambda get ");
    }

    @Test
    void versionIsPrintedByTheRootAndEveryCommand() {
        assertThat(CliRun.of("--version").out()).isEqualTo("klambda 0.1.0\n");
        assertThat(CliRun.of("-V").exit()).isZero();
        assertThat(CliRun.of("logs", "-V").out()).isEqualTo("klambda 0.1.0\n");
    }

    @Test
    void anUnknownCommandOrNoCommandPointsToTheRootHelp() {
        assertUsageError(CliRun.of(), "give a command", "klambda");
        assertUsageError(CliRun.of("deploi", "x.py"), "Unknown command: 'deploi'", "klambda");
        assertUsageError(CliRun.of("--frobnicate"), "Unknown option: '--frobnicate'", "klambda");
        assertUsageError(CliRun.of("help", "deploi"), "Unknown command: 'deploi'", "klambda help");
    }

    @Test
    void anUnknownOptionIsNamedAndAnAbbreviationIsNotGuessed() {
        assertUsageError(CliRun.of("logs", "x", "--fol"), "Unknown option: '--fol'", "klambda logs");
        assertUsageError(CliRun.of("get", "--id", "x"), "Unknown option: '--id'", "klambda get");
    }

    @Test
    void aMissingValueOrParameterIsNamed() {
        assertUsageError(CliRun.of("logs", "x", "--since"), "Missing required parameter for option '--since' (DURATION)",
                "klambda logs");
        assertUsageError(CliRun.of("get", "-o"), "Missing required parameter for option '--output' (FORMAT)",
                "klambda get");
        assertUsageError(CliRun.of("trace"), "Missing required parameter: 'NAME|EVENT-ID'", "klambda trace");
        assertUsageError(CliRun.of("get", "a", "b"), "Unmatched argument: 'b'", "klambda get");
    }

    @Test
    void aMalformedValueIsNamedWithWhatWasExpected() {
        assertUsageError(CliRun.of("get", "-o", "yaml"), "Invalid value for option '--output': expected one of [HUMAN,"
                + " JSON] (case-insensitive) but was 'yaml'", "klambda get");
        assertUsageError(CliRun.of("events", "--limit", "many"), "Invalid value for option '--limit': 'many' is not a"
                + " whole number", "klambda events");
        assertUsageError(CliRun.of("deploy", "x.py", "--timeout=soon"), "Invalid value for option '--timeout'",
                "klambda deploy");
        assertUsageError(CliRun.of("deploy", "x.py", "--metadata", "runtime"), "Invalid value for option '--metadata':"
                + " should be KEY=VALUE but was 'runtime'", "klambda deploy");
        assertUsageError(CliRun.of("deploy", "x.py", "--id", "a", "--id", "b"), "'--id': should be specified only once",
                "klambda deploy");
    }

    @Test
    void valuesAreAcceptedInEveryUsualSpellingAndEnumsInAnyCase() {
        String run = empty.toString();
        for (String[] line : new String[][] {
            {"get", "-o", "JSON", "--run-dir", run},
            {"get", "-o=json", "--run-dir=" + run},
            {"get", "-ojson", "--run-dir", run},
            {"get", "--output", "Human", "--run-dir", run},
            {"get", "--run-dir", run, "--", "-x"},
            {"logs", "x", "-f", "--since", "5m", "--run-dir", run}}) {
            CliRun r = CliRun.of(line);

            assertThat(r.err()).as(String.join(" ", line)).startsWith("klambda: no local platform found (" + run);
            assertThat(r.exit()).isEqualTo(CliException.FAILED);
        }
    }

    @Test
    void aRepeatedKeyValueOptionKeepsEveryPairInOrder() {
        Args args = Args.parse(Commands.find("deploy"), new String[] {"fn.py", "--metadata", "runtime=python",
            "--metadata=handler=main.handler", "--metadata", "memory="});

        assertThat(args.pairs("metadata")).containsExactly(entry("runtime", "python"), entry("handler", "main.handler"),
                entry("memory", ""));
        assertThat(args.path(0)).isEqualTo(Path.of("fn.py"));
    }

    @Test
    void helpLoadsNoCommandNorTheLibrariesOfTheCommands() throws Exception {
        Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info", "-cp", System.getProperty("java.class.path"), Klambda.class.getName(), "--help")
                .redirectErrorStream(true).start();
        String loaded = new String(java.getInputStream().readAllBytes());
        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(java.exitValue()).as(loaded).isZero();
        assertThat(loaded).contains("io.knative.lambda.cli.Help ").contains("org.apache.commons.cli.Options ")
                .doesNotContainPattern("io\\.knative\\.lambda\\.cli\\.command\\.\\w*Command ")
                .doesNotContain("com.fasterxml.jackson").doesNotContain("io.fabric8").doesNotContain("org.apache.kafka")
                .doesNotContain("software.amazon").doesNotContain("java.net.http");
    }
}
