package io.knative.lambda.localcluster.process;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The loopback ports functions listen on: free when handed out, and below the kernel's ephemeral range
 * ({@code /proc/sys/net/ipv4/ip_local_port_range}), so that no outgoing connection takes the port between the check and
 * the function's bind (a port 0 bind would pick from that range: under load a function failed "Address already in
 * use"). Handed out in turn, so that two functions starting at once never get the same one.
 */
final class FunctionPorts {

    private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LOWEST = 20_000;

    private final int first;
    private final int count;
    private final AtomicInteger next;

    /** Ports from {@code first} to {@code last}, inclusive. */
    FunctionPorts(int first, int last) {
        if (first < 1 || last > 65_535 || last < first) {
            throw new IllegalArgumentException("no ports between " + first + " and " + last);
        }
        this.first = first;
        this.count = last - first + 1;
        this.next = new AtomicInteger(ThreadLocalRandom.current().nextInt(count));
    }

    /** From 20000 (above the usual fixed ports of development servers) to just below this machine's ephemeral range (to 32767 when it cannot be read, Linux's default). */
    static FunctionPorts belowEphemeralRange() {
        int ephemeralStart = 32_768;
        try {
            // read as a stream: /proc files have no size, and Files.readString returned a part of this one
            String[] range;
            try (var in = Files.newInputStream(RANGE)) {
                range = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim().split("\\s+");
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
    int next() throws IOException {
        Set<Integer> bound = boundPorts();
        for (int tried = 0; tried < count; tried++) {
            int port = first + Math.floorMod(next.getAndIncrement(), count);
            if (bound != null ? !bound.contains(port) : probe(port)) {
                return port;
            }
        }
        throw new IOException("no free loopback port between " + first + " and " + (first + count - 1));
    }

    private static boolean probe(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    /** The local ports of every TCP socket on this machine, in any state; {@code null} when they cannot be read. */
    static Set<Integer> boundPorts() {
        Set<Integer> ports = new HashSet<>();
        boolean read = false;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try (var in = Files.newInputStream(Path.of(table))) {
                String[] lines = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).split("\n");
                for (int i = 1; i < lines.length; i++) {
                    String local = lines[i].trim().split("\\s+", 3)[1];
                    ports.add(Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16));
                }
                read = true;
            } catch (IOException | RuntimeException e) {
                // no such table (no IPv6) or not Linux
            }
        }
        return read ? ports : null;
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
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try (var in = Files.newInputStream(Path.of(table))) {
                String[] lines = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).split("\n");
                for (int i = 1; i < lines.length; i++) {
                    String[] f = lines[i].trim().split("\\s+");
                    if (f.length > 9 && f[1].endsWith(hexPort)) {
                        int state = Integer.parseInt(f[3], 16);
                        out.add(table.substring(10) + " " + f[1] + " -> " + f[2] + " "
                                + (state < TCP_STATES.length ? TCP_STATES[state] : f[3]) + " uid " + f[7] + " inode " + f[9]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not Linux, or unreadable
            }
        }
        return out;
    }
}
