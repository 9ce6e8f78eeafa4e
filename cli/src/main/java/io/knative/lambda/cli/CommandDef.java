package io.knative.lambda.cli;

import java.util.List;

import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * One command of {@code klambda}: its name, the line {@code klambda --help} lists it with, the description its
 * {@code --help} prints, its positional parameters and its options (commons-cli), {@code -h} and {@code -V} included.
 */
public record CommandDef(String name, String summary, List<String> description, List<Positional> positionals,
        Options options) {

    /** A positional parameter: its label ({@code NAME}), what it is, and whether it must be given. */
    public record Positional(String label, String description, boolean required) {
    }

    public CommandDef {
        options.addOption(flag("h", "help", "Show this help message and exit."));
        options.addOption(flag("V", "version", "Print version information and exit."));
    }

    /** {@code klambda NAME}. */
    public String qualifiedName() {
        return "klambda " + name;
    }

    /** An option that takes a value: {@code -s, --long=LABEL}; {@code shortName} may be null. */
    public static Option option(String shortName, String longName, String label, String description) {
        return Option.builder(shortName).longOpt(longName).hasArg().argName(label).desc(description).build();
    }

    /** A flag (no value): {@code -s, --long}; {@code shortName} may be null. */
    public static Option flag(String shortName, String longName, String description) {
        return Option.builder(shortName).longOpt(longName).desc(description).build();
    }
}
