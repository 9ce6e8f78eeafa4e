package io.knative.lambda.service.deadletter;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code make dead-letters} / {@code make redrive [ID=...]}: lists the dead-letter topic (id, type, subject, reason,
 * attempts, first and last attempt) and sends one dead letter, or every one not yet redriven, back to the bus.
 * Local mode needs no flag; for a cluster's KafkaSink topic pass {@code --bootstrap}, {@code --topic} and the broker's
 * topic as {@code --bus-topic}.
 *
 * <pre>
 * DeadLettersCli list   [--bootstrap 127.0.0.1:9092] [--topic knative-lambda-dead-letters] [--all]
 * DeadLettersCli redrive ID|all [--bootstrap ...] [--topic ...] [--bus-topic knative-lambda]
 * </pre>
 */
public final class DeadLettersCli {

    private DeadLettersCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command; the exit status (0 done, 1 failed, 2 usage). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        String bootstrap = "127.0.0.1:" + System.getenv().getOrDefault("KAFKA_PORT", "9092");
        String topic = "knative-lambda-dead-letters";
        String busTopic = "knative-lambda";
        boolean all = false;
        List<String> words = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = value(args, ++i);
                case "--topic" -> topic = value(args, ++i);
                case "--bus-topic" -> busTopic = value(args, ++i);
                case "--all" -> all = true;
                default -> words.add(args[i]);
            }
        }
        if (words.isEmpty() || bootstrap == null || topic == null || busTopic == null
                || !(words.get(0).equals("list") || words.get(0).equals("redrive") && words.size() == 2)) {
            err.println("usage: list [--all] | redrive ID|all   [--bootstrap host:port] [--topic dead-letter-topic]"
                    + " [--bus-topic bus-topic]");
            return 2;
        }
        try (DeadLetterTopic dlt = new DeadLetterTopic(bootstrap, topic)) {
            Set<String> redriven = new HashSet<>();
            List<DeadLetter> letters = dlt.list(redriven);
            if (words.get(0).equals("list")) {
                print(out, letters, redriven, all);
                return 0;
            }
            String which = words.get(1);
            List<DeadLetter> chosen = letters.stream().filter(l -> which.equals("all") ? !redriven.contains(l.id())
                    : l.id().equals(which)).toList();
            if (chosen.isEmpty()) {
                err.println(which.equals("all") ? "no dead letter waits in " + topic
                        : "no dead letter " + which + " in " + topic + " (ids: make dead-letters)");
                return which.equals("all") ? 0 : 1;
            }
            for (DeadLetter l : chosen) {
                dlt.redrive(l, busTopic);
                out.printf("redriven %s: %s %s -> %s%n", l.id(), l.type(), l.subject(), busTopic);
            }
            return 0;
        } catch (RuntimeException e) {
            err.println("dead letters: " + e.getMessage());
            return 1;
        }
    }

    private static void print(PrintStream out, List<DeadLetter> letters, Set<String> redriven, boolean all) {
        String format = "%-8s %-40s %-40s %-8s %-24s %-24s %s%n";
        out.printf(format, "ID", "TYPE", "SUBJECT", "ATTEMPTS", "FIRST", "LAST", "REASON");
        int shown = 0;
        for (DeadLetter l : letters) {
            boolean done = redriven.contains(l.id());
            if (done && !all) {
                continue;
            }
            shown++;
            out.printf(format, l.id(), l.type(), l.subject(), l.attempts(), l.firstAttempt(), l.lastAttempt(),
                    (done ? "(redriven) " : "") + l.reason());
        }
        out.printf("%d dead letter(s)%s%n", shown, all ? "" : " waiting; --all shows the redriven ones too");
    }

    private static String value(String[] args, int i) {
        return i < args.length ? args[i] : null;
    }
}
