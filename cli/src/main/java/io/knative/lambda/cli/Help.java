package io.knative.lambda.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.apache.commons.cli.Option;

/**
 * The {@code --help} text, laid out as before: a usage line wrapped under the command, the description, then one row
 * per positional and option (sorted by name) with its description in a second column, at most 79 characters wide.
 */
public final class Help {

    private static final int WIDTH = 79;
    private static final int LONG_MAX = 20;

    private Help() {
    }

    /** {@code klambda --help}: the usage, the description, the options and the commands with their summaries. */
    public static void root(PrintWriter out, List<String> description, List<CommandDef> commands, CommandDef help) {
        out.println("Usage: klambda [-hV] [COMMAND]");
        lines(out, description);
        rows(out, List.of(new String[] {"  -h, --help", "Show this help message and exit."},
                new String[] {"  -V, --version", "Print version information and exit."}), 6 + "--version".length() + 3);
        out.println("Commands:");
        List<String[]> rows = new ArrayList<>();
        int width = 0;
        for (CommandDef c : commands) {
            width = Math.max(width, c.name().length());
        }
        for (CommandDef c : commands) {
            rows.add(new String[] {"  " + c.name(), c.summary()});
        }
        rows.add(new String[] {"  " + help.name(), help.summary()});
        rows(out, rows, 2 + width + 2);
    }

    /** {@code klambda CMD --help}. */
    public static void command(PrintWriter out, CommandDef def) {
        Map<String, Option> sorted = new TreeMap<>();
        for (Option o : def.options().getOptions()) {
            sorted.put((o.getOpt() != null ? o.getOpt() : o.getLongOpt()).toLowerCase(Locale.ROOT), o);
        }
        Collection<Option> options = sorted.values();
        usage(out, def, options);
        lines(out, def.description());
        int longest = 0;
        for (CommandDef.Positional p : def.positionals()) {
            longest = Math.max(longest, fitting(label(p)));
        }
        for (Option o : options) {
            longest = Math.max(longest, fitting(longPart(o)));
        }
        List<String[]> rows = new ArrayList<>();
        for (CommandDef.Positional p : def.positionals()) {
            rows.add(new String[] {"      " + label(p), p.description()});
        }
        for (Option o : options) {
            rows.add(new String[] {(o.getOpt() == null ? "      " : "  -" + o.getOpt() + ", ") + longPart(o),
                o.getDescription()});
        }
        rows(out, rows, 6 + longest + 3);
    }

    private static void usage(PrintWriter out, CommandDef def, Collection<Option> options) {
        List<String> items = new ArrayList<>();
        StringBuilder shortFlags = new StringBuilder();
        for (Option o : options) {
            if (!o.hasArg() && o.getOpt() != null) {
                shortFlags.append(o.getOpt());
            }
        }
        items.add("[-" + shortFlags + "]");
        for (Option o : options) {
            if (!o.hasArg() && o.getOpt() == null) {
                items.add("[--" + o.getLongOpt() + "]");
            }
        }
        for (Option o : options) {
            if (o.hasArg()) {
                items.add("[" + (o.getOpt() != null ? "-" + o.getOpt() : "--" + o.getLongOpt()) + "=" + o.getArgName() + "]");
            }
        }
        for (CommandDef.Positional p : def.positionals()) {
            items.add(label(p));
        }
        String prefix = "Usage: " + def.qualifiedName() + " ";
        StringBuilder line = new StringBuilder(prefix);
        boolean first = true;
        for (String item : items) {
            if (!first && line.length() + 1 + item.length() > WIDTH) {
                out.println(line);
                line = new StringBuilder(" ".repeat(prefix.length())).append(item);
            } else {
                line.append(first ? "" : " ").append(item);
            }
            first = false;
        }
        out.println(line);
    }

    /** Rows of two columns: the second starts at {@code column}; a first cell too wide for it gets its own line. */
    private static void rows(PrintWriter out, List<String[]> rows, int column) {
        for (String[] row : rows) {
            String left = row[0];
            if (left.length() + 1 > column) {
                out.println(left);
                left = "";
            }
            String pad = left + " ".repeat(column - left.length());
            wrap(out, pad + row[1], column, column + 2);
        }
    }

    /** Prints {@code text} wrapped at {@link #WIDTH} on spaces, the first line as it is, the next ones indented. */
    private static void wrap(PrintWriter out, String text, int firstIndent, int indent) {
        String line = text;
        int floor = firstIndent;
        while (line.length() > WIDTH) {
            int cut = line.lastIndexOf(' ', WIDTH);
            if (cut <= floor) {
                cut = line.indexOf(' ', WIDTH);
                if (cut < 0) {
                    break;
                }
            }
            out.println(line.substring(0, cut).stripTrailing());
            line = " ".repeat(indent) + line.substring(cut + 1).stripLeading();
            floor = indent;
        }
        out.println(line);
    }

    private static String label(CommandDef.Positional p) {
        return p.required() ? p.label() : "[" + p.label() + "]";
    }

    private static String longPart(Option o) {
        return "--" + o.getLongOpt() + (o.hasArg() ? "=" + o.getArgName() : "");
    }

    private static int fitting(String text) {
        return text.length() <= LONG_MAX ? text.length() : 0;
    }

    private static void lines(PrintWriter out, List<String> lines) {
        for (String line : lines) {
            wrap(out, line, 0, 0);
        }
    }
}
