package io.knative.lambda.localcluster.process;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The loopback ports functions listen on: free when handed out, and below the kernel's ephemeral range
 * ({@code /proc/sys/net/ipv4/ip_local_port_range}), so that no outgoing connection takes the port between the check and
 * the function's bind (a port 0 bind would pick from that range: under load a function failed "Address already in
 * use"). Handed out in turn, so that two functions starting at once never get the same one.
 */
final class FunctionPorts implements FunctionLauncher.Ports {

    /** The ports of every function this JVM starts: one sequence, so that no two starts are handed the same port. */
    static final FunctionPorts SHARED = belowEphemeralRange();

    private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LOWEST = 20_000;

    /**
     * How long one reading of the bound ports serves: the table lists every connection of the machine, TIME_WAIT ones
     * included, and reading it at every start was ~10 % of the local cluster's CPU in a burst. Ports are handed out in
     * turn, so none handed out here recurs within it; one that another program bound meanwhile fails the function's
     * bind, and the start is tried again on the next port ({@code FunctionLauncher}).
     */
    static final long TABLE_MAX_AGE_NANOS = 1_000_000_000L;

    private final int first;
    private final int count;
    private final AtomicInteger next;
    private final Supplier<Set<Integer>> table;
    private final LongSupplier clock;
    private Set<Integer> bound;
    private long readAt;

    /** Ports from {@code first} to {@code last}, inclusive. */
    FunctionPorts(int first, int last) {
        this(first, last, FunctionPorts::boundPorts, System::nanoTime);
    }

    /** As above, with the bound ports read by {@code table} (null: unreadable) on {@code clock}'s nanoseconds. */
    FunctionPorts(int first, int last, Supplier<Set<Integer>> table, LongSupplier clock) {
        if (first < 1 || last > 65_535 || last < first) {
            throw new IllegalArgumentException("no ports between " + first + " and " + last);
        }
        this.first = first;
        this.count = last - first + 1;
        this.next = new AtomicInteger(ThreadLocalRandom.current().nextInt(count));
        this.table = table;
        this.clock = clock;
    }

    /** From 20000 (above the usual fixed ports of development servers) to just below this machine's ephemeral range (to 32767 when it cannot be read, Linux's default). */
    static FunctionPorts belowEphemeralRange() {
        int ephemeralStart = 32_768;
        try {
            // read as a stream: /proc files have no size, and Files.readString returned a part of this one
            String[] range;
            try (var in = Files.newInputStream(RANGE)) {
                range = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
            }
            ephemeralStart = Integer.parseInt(range[0]);
        } catch (IOException | RuntimeException e) {
            // not Linux, or unreadable: Linux's default range
        }
        return ephemeralStart - 1 > LOWEST ? new FunctionPorts(LOWEST, ephemeralStart - 1) : new FunctionPorts(LOWEST, 65_535);
    }

    /**
     * The next port of the range no socket is bound to. The check opens no socket of its own: a probe socket, even
     * closed at once, lives on in any process this JVM spawns meanwhile (a spawned child holds a copy of every open
     * descriptor until it closes them before its exec), and that copy made the function's bind fail "Address already
     * in use" (a spare sandbox starting beside a function). Where {@code /proc/net/tcp} cannot be read, a probe it is.
     */
    @Override
    public int next() throws IOException {
        Set<Integer> bound = recentlyBound();
        for (int tried = 0; tried < count; tried++) {
            int port = first + Math.floorMod(next.getAndIncrement(), count);
            if (bound != null ? !bound.contains(port) : probe(port)) {
                return port;
            }
        }
        throw new IOException("no free loopback port between " + first + " and " + (first + count - 1));
    }

    /** The bound ports as read at most {@link #TABLE_MAX_AGE_NANOS} ago; {@code null} when the table is unreadable. */
    private synchronized Set<Integer> recentlyBound() {
        long now = clock.getAsLong();
        if (bound == null || now - readAt > TABLE_MAX_AGE_NANOS) {
            bound = table.get();
            readAt = now;
        }
        return bound;
    }

    private static boolean probe(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    private static final List<Path> TCP_TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

    /**
     * The local ports of every TCP socket on this machine, in any state; {@code null} when they cannot be read. Read at
     * every function start, with a row per connection: scanned as bytes (a split per row was a tenth of the local
     * cluster's CPU in a burst of 100 deployments).
     */
    static Set<Integer> boundPorts() {
        Set<Integer> ports = new HashSet<>();
        boolean read = false;
        for (Path table : TCP_TABLES) {
            byte[] text = read(table);
            if (text == null) {
                continue;
            }
            read = true;
            for (int row = indexOf(text, 0) + 1; row > 0 && row < text.length; ) { // the header row left out
                int end = indexOf(text, row);
                end = end < 0 ? text.length : end;
                int port = localPort(text, row, end);
                if (port >= 0) {
                    ports.add(port);
                }
                row = end + 1;
            }
        }
        return read ? ports : null;
    }

    /** A row's local port ({@code "  sl: ADDRESS:PORT ADDRESS:PORT ..."}, in hex): after its second colon; -1 if none. */
    static int localPort(byte[] text, int from, int end) {
        int colons = 0;
        for (int i = from; i < end; i++) {
            if (text[i] == ':' && ++colons == 2) {
                int port = 0;
                for (int j = i + 1; j < i + 5; j++) {
                    int digit = j < end ? Character.digit(text[j], 16) : -1;
                    if (digit < 0) {
                        return -1;
                    }
                    port = port * 16 + digit;
                }
                return port;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] text, int from) {
        for (int i = from; i < text.length; i++) {
            if (text[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** A table's bytes, read as a stream ({@code /proc} files have no size); {@code null} if absent or not Linux. */
    private static byte[] read(Path table) {
        try (var in = Files.newInputStream(table)) {
            return in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static final String[] TCP_STATES = { "", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
        "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING" };

    /**
     * The TCP sockets bound to {@code port} on this machine ({@code /proc/net/tcp} and {@code tcp6}: state, peer, uid,
     * inode), to say in a start failure what held a port; empty when none or unreadable.
     */
    static List<String> holders(int port) {
        List<String> out = new ArrayList<>();
        String hexPort = String.format(":%04X", port);
        for (Path table : TCP_TABLES) {
            byte[] text = read(table);
            String[] lines = text == null ? new String[0] : new String(text, StandardCharsets.US_ASCII).split("\n");
            for (int i = 1; i < lines.length; i++) {
                String[] f = lines[i].trim().split("\\s+");
                if (f.length > 9 && f[1].endsWith(hexPort) && f[3].matches("[0-9A-Fa-f]{1,2}")) {
                    int state = Integer.parseInt(f[3], 16);
                    out.add(table.getFileName() + " " + f[1] + " -> " + f[2] + " "
                            + (state < TCP_STATES.length ? TCP_STATES[state] : f[3]) + " uid " + f[7] + " inode " + f[9]);
                }
            }
        }
        return out;
    }
}
