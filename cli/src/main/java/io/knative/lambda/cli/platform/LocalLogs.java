package io.knative.lambda.cli.platform;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.knative.lambda.cli.CliException;

/**
 * Local mode's function logs: the runtime's stdout and stderr of each revision, kept by the local cluster in
 * {@code <functions>/<revision>/function.log} (JSON lines: invocations, errors with their traceback, the cold start).
 * Following polls the files for what was appended, and picks up a new revision of the function as it starts.
 */
final class LocalLogs implements FunctionLogs {

    private static final Pattern TIMESTAMP = Pattern.compile("\"(?:ts|timestamp|time)\"\\s*:\\s*\"([^\"]+)\"");
    private static final long POLL_MS = 250;
    private final Path functions;

    LocalLogs(Path functions) {
        this.functions = functions;
    }

    @Override
    public void print(String service, List<String> revisions, Instant since, boolean follow, Consumer<LogLine> out) {
        Map<String, Long> positions = new HashMap<>();
        for (String revision : revisions) {
            positions.put(revision, emit(revision, 0, since, out));
        }
        while (follow && !Thread.currentThread().isInterrupted()) {
            for (String revision : revisionsOnDisk(service)) {
                positions.put(revision, emit(revision, positions.getOrDefault(revision, 0L), since, out));
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Writes the lines of {@code revision}'s log from byte {@code from}; the position after the last whole line. */
    private long emit(String revision, long from, Instant since, Consumer<LogLine> out) {
        Path file = functions.resolve(revision).resolve("function.log");
        if (!Files.isRegularFile(file)) {
            return from;
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long length = f.length();
            if (length < from) {
                from = 0; // the file was replaced
            }
            byte[] bytes = new byte[(int) Math.min(length - from, 64L * 1024 * 1024)];
            f.seek(from);
            f.readFully(bytes);
            int end = lastNewline(bytes);
            boolean keep = since == null;
            for (String line : new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n", -1)) {
                if (line.isEmpty()) {
                    continue;
                }
                Instant at = timestamp(line);
                if (at != null) {
                    keep = since == null || !at.isBefore(since);
                }
                if (keep) {
                    out.accept(new LogLine(revision, line));
                }
            }
            return from + end;
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage());
        }
    }

    private List<String> revisionsOnDisk(String service) {
        Pattern name = Pattern.compile(Pattern.quote(service) + "-\\d{5}");
        try (Stream<Path> dirs = Files.list(functions)) {
            List<String> found = new ArrayList<>(dirs.map(p -> p.getFileName().toString()).filter(n -> name.matcher(n).matches())
                    .toList());
            found.sort(null);
            return found;
        } catch (IOException e) {
            return List.of();
        }
    }

    private static int lastNewline(byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i + 1;
            }
        }
        return 0;
    }

    /** The time a JSON log line carries ({@code ts}), or {@code null}. */
    static Instant timestamp(String line) {
        Matcher m = TIMESTAMP.matcher(line);
        if (!line.startsWith("{") || !m.find()) {
            return null;
        }
        try {
            return Instant.parse(m.group(1));
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
