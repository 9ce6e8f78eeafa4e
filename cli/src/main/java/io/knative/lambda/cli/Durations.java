package io.knative.lambda.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write and read them: {@code 5m}, {@code 90s}, {@code 1.2 s}, {@code 340 ms}. */
public final class Durations {

    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() {
    }

    /** {@code 5m}, {@code 30s}, {@code 2h}, {@code 1d}, or an instant (RFC 3339): the moment that far back. */
    public static Instant since(String text, Instant now) {
        Matcher m = SHORT.matcher(text.trim());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return now.minus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
        }
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw CliException.badInput("--since takes a duration (5m, 30s, 2h) or a time (2026-01-31T10:00:00Z), not '"
                    + text + "'");
        }
    }

    /** A duration for a person: {@code 340 ms}, {@code 1.2 s}, {@code 3m05s}. */
    public static String human(long millis) {
        if (millis < 1000) {
            return millis + " ms";
        }
        if (millis < 60_000) {
            return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        return String.format(java.util.Locale.ROOT, "%dm%02ds", millis / 60_000, (millis / 1000) % 60);
    }

    /** An age as kubectl prints it: {@code 45s}, {@code 12m}, {@code 3h}, {@code 2d}. */
    public static String age(Instant since, Instant now) {
        long s = Math.max(0, Duration.between(since, now).getSeconds());
        if (s < 120) {
            return s + "s";
        }
        if (s < 7200) {
            return s / 60 + "m";
        }
        return s < 172_800 ? s / 3600 + "h" : s / 86_400 + "d";
    }
}
