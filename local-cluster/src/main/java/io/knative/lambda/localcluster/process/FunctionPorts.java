package io.knative.lambda.localcluster.process;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** The next port of the range nothing listens on. */
    int next() throws IOException {
        for (int tried = 0; tried < count; tried++) {
            int port = first + Math.floorMod(next.getAndIncrement(), count);
            try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // in use: the next one
            }
        }
        throw new IOException("no free loopback port between " + first + " and " + (first + count - 1));
    }
}
