package io.knative.lambda.localcluster.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A process the local cluster started, as written to a pid file ({@code pid startTime port}) so that a later start of
 * the cluster, or {@code make stop} after the cluster was SIGKILLed, finds it. {@code startTime} is the kernel's start
 * time of the process ({@code /proc/<pid>/stat}, field 22, where there is a {@code /proc}; else the JDK's start instant
 * in milliseconds): a pid the system has since given to another process never matches, so it is never adopted nor
 * killed by mistake.
 *
 * @param port the loopback port it serves on, or 0
 */
public record OwnedProcess(long pid, long startTime, int port) {

    /** The record of a live process, as its pid file will hold it. */
    public static OwnedProcess of(ProcessHandle process, int port) {
        return new OwnedProcess(process.pid(), startTime(process.pid()).orElse(0L), port);
    }

    /** The pid file's content, if there is a readable one. */
    public static Optional<OwnedProcess> read(Path file) {
        try {
            String[] words = Files.readString(file, StandardCharsets.UTF_8).trim().split("\\s+");
            return Optional.of(new OwnedProcess(Long.parseLong(words[0]), Long.parseLong(words[1]),
                    words.length > 2 ? Integer.parseInt(words[2]) : 0));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Writes the pid file (atomically: a reader sees the old or the new content). */
    public void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, pid + " " + startTime + " " + port + "\n", StandardCharsets.UTF_8);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The process, when it still runs and is the one recorded (same pid and start time). */
    public Optional<ProcessHandle> live() {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(p -> startTime(pid).map(t -> t == startTime).orElse(false));
    }

    /** Stops the recorded process if it still runs: SIGTERM, SIGKILL after {@code graceSeconds}; whether one was stopped. */
    public boolean stop(long graceSeconds) {
        Optional<ProcessHandle> process = live();
        if (process.isEmpty()) {
            return false;
        }
        ProcessHandle p = process.get();
        p.destroy();
        try {
            p.onExit().get(graceSeconds, TimeUnit.SECONDS);
        } catch (Exception notYet) {
            p.destroyForcibly();
        }
        return true;
    }

    /** A process's start time: {@code /proc/<pid>/stat} field 22 (clock ticks since boot), else the JDK's instant. */
    static Optional<Long> startTime(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (Files.isReadable(stat)) {
            try {
                String text = Files.readString(stat, StandardCharsets.UTF_8);
                String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
                return Optional.of(Long.parseLong(fields[19])); // field 22 counted from 1, the 20th after "pid (comm)"
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }
        return ProcessHandle.of(pid).flatMap(p -> p.info().startInstant()).map(java.time.Instant::toEpochMilli);
    }
}
