package io.knative.lambda.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.MissingArgumentException;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.ParseException;
import org.apache.commons.cli.UnrecognizedOptionException;

/**
 * The values of one command's command line, parsed by commons-cli against its {@link CommandDef}: typed getters whose
 * malformed values are a {@link UsageException} that names the option, the way the user typed it.
 */
public final class Args {

    private final CommandDef def;
    private final CommandLine line;
    private final List<String> positionals;

    private Args(CommandDef def, CommandLine line) {
        this.def = def;
        this.line = line;
        this.positionals = line.getArgList();
    }

    /** Parses {@code args} (what follows the command's name); too many or too few positionals are usage errors. */
    public static Args parse(CommandDef def, String[] args) {
        CommandLine line;
        try {
            line = DefaultParser.builder().setAllowPartialMatching(false).build().parse(def.options(), args);
        } catch (UnrecognizedOptionException e) {
            throw new UsageException(def.qualifiedName(), "Unknown option: '" + e.getOption() + "'");
        } catch (MissingArgumentException e) {
            throw new UsageException(def.qualifiedName(), "Missing required parameter for option '" + name(e.getOption())
                    + "' (" + e.getOption().getArgName() + ")");
        } catch (ParseException e) {
            throw new UsageException(def.qualifiedName(), e.getMessage());
        }
        List<String> given = line.getArgList();
        List<CommandDef.Positional> expected = def.positionals();
        if (given.size() > expected.size()) {
            throw new UsageException(def.qualifiedName(), "Unmatched argument: '" + given.get(expected.size()) + "'");
        }
        for (int i = given.size(); i < expected.size(); i++) {
            if (expected.get(i).required()) {
                throw new UsageException(def.qualifiedName(), "Missing required parameter: '" + expected.get(i).label() + "'");
            }
        }
        return new Args(def, line);
    }

    /** Whether {@code args} (before a {@code --}) ask for help ({@code -h}, {@code --help}). */
    public static boolean asks(String[] args, String shortName, String longName) {
        for (String a : args) {
            if (a.equals("--")) {
                return false;
            }
            if (a.equals(shortName) || a.equals(longName)) {
                return true;
            }
        }
        return false;
    }

    /** The {@code index}-th positional parameter, or {@code null}. */
    public String positional(int index) {
        return index < positionals.size() ? positionals.get(index) : null;
    }

    /** The {@code index}-th positional parameter as a path. */
    public Path path(int index) {
        String value = positional(index);
        try {
            return value == null ? null : Path.of(value);
        } catch (InvalidPathException e) {
            throw new UsageException(def.qualifiedName(), "Invalid value for " + def.positionals().get(index).label()
                    + ": '" + value + "' is not a path");
        }
    }

    /** The option's value (given once at most), or {@code fallback}. */
    public String string(String longName, String fallback) {
        String[] values = line.getOptionValues(longName);
        if (values == null) {
            return fallback;
        }
        if (values.length > 1) {
            throw invalid(longName, "should be specified only once");
        }
        return values[0];
    }

    /** The option's value, or {@code null}. */
    public String string(String longName) {
        return string(longName, null);
    }

    /** The option's value as a path, or {@code fallback} (a blank one is none). */
    public Path path(String longName, String fallback) {
        String value = string(longName, fallback);
        try {
            return value == null || value.isBlank() ? null : Path.of(value);
        } catch (InvalidPathException e) {
            throw invalid(longName, "'" + value + "' is not a path");
        }
    }

    /** Whether the flag was given. */
    public boolean flag(String longName) {
        return line.hasOption(longName);
    }

    /** The option's whole number, or {@code fallback}. */
    public long number(String longName, long fallback) {
        String value = string(longName);
        try {
            return value == null ? fallback : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw invalid(longName, "'" + value + "' is not a whole number");
        }
    }

    /** The option's whole number that fits an {@code int}, or {@code fallback}. */
    public int integer(String longName, int fallback) {
        long n = number(longName, fallback);
        if (n != (int) n) {
            throw invalid(longName, "'" + n + "' is too large");
        }
        return (int) n;
    }

    /** The option's value among {@code type}'s constants, in any case, or {@code fallback}. */
    public <E extends Enum<E>> E choice(String longName, Class<E> type, E fallback) {
        String value = string(longName);
        if (value == null) {
            return fallback;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value.trim())) {
                return e;
            }
        }
        throw invalid(longName, "expected one of " + Arrays.toString(type.getEnumConstants())
                + " (case-insensitive) but was '" + value + "'");
    }

    /** Every {@code KEY=VALUE} the repeatable option was given, in order. */
    public Map<String, String> pairs(String longName) {
        Map<String, String> pairs = new LinkedHashMap<>();
        String[] values = line.getOptionValues(longName);
        for (String value : values == null ? new String[0] : values) {
            int eq = value.indexOf('=');
            if (eq <= 0) {
                throw invalid(longName, "should be KEY=VALUE but was '" + value + "'");
            }
            pairs.put(value.substring(0, eq), value.substring(eq + 1));
        }
        return pairs;
    }

    private UsageException invalid(String longName, String why) {
        return new UsageException(def.qualifiedName(), "Invalid value for option '--" + longName + "': " + why);
    }

    private static String name(Option option) {
        return option.getLongOpt() != null ? "--" + option.getLongOpt() : "-" + option.getOpt();
    }
}
