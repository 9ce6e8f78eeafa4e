package io.knative.lambda.localcluster.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Function ports: free, outside the kernel's ephemeral range, never the same one twice in a row, a taken one skipped. */
class FunctionPortsTest {

    @Test
    void portsAreFreeAndBelowTheEphemeralRange() throws IOException {
        FunctionPorts ports = FunctionPorts.belowEphemeralRange();
        Set<Integer> handed = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = ports.next();
            assertThat(port).isBetween(20_000, 32_767);
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertThat(s.getLocalPort()).isEqualTo(port);
            }
            handed.add(port);
        }
        assertThat(handed).as("handed out in turn").hasSize(50);
    }

    @Test
    void aPortSomethingListensOnIsSkipped() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            FunctionPorts ports = new FunctionPorts(taken.getLocalPort(), taken.getLocalPort());
            assertThatThrownBy(ports::next).isInstanceOf(IOException.class).hasMessageContaining("no free loopback port");
        }
    }

    @Test
    void aPortAnOpenConnectionIsBoundToIsNotHandedOut() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                java.net.Socket client = new java.net.Socket()) {
            client.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            client.connect(server.getLocalSocketAddress());
            int clientPort = client.getLocalPort();

            assertThat(FunctionPorts.boundPorts()).as("read without opening a socket").contains(server.getLocalPort(),
                    clientPort);
            assertThatThrownBy(new FunctionPorts(clientPort, clientPort)::next).isInstanceOf(IOException.class)
                    .hasMessageContaining("no free loopback port");
        }
    }

    @Test
    void theBoundPortsAreReadOncePerSecondAndWhatTheyHoldIsSkipped() throws IOException {
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        FunctionPorts ports = new FunctionPorts(20_000, 20_003, () -> {
            reads.incrementAndGet();
            return Set.of(20_000, 20_001, 20_002);
        }, now::get);

        assertThat(ports.next()).isEqualTo(20_003);
        assertThat(ports.next()).isEqualTo(20_003);
        now.addAndGet(FunctionPorts.TABLE_MAX_AGE_NANOS);
        assertThat(ports.next()).isEqualTo(20_003);
        assertThat(reads).as("three starts within a second: one reading").hasValue(1);

        now.addAndGet(1);
        ports.next();
        assertThat(reads).as("older than a second: read again").hasValue(2);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 |8080",
        "  12: 00000000000000000000000001000000:4E21 00000000000000000000000000000000:0000 0A 0 |20001",
        "   3: 0100007F:FFFF 0100007F:9C40 01 |65535",
        "   4: 0100007F:1F9 |-1",
        "   5: 0100007F 0100007F |-1",
        "   6: 0100007F:1G90 00000000:0000 |-1",
    })
    void aRowsLocalPortIsReadFromItsBytes(String row, int port) {
        byte[] text = ("header\n" + row + "\n").getBytes(StandardCharsets.US_ASCII);
        assertThat(FunctionPorts.localPort(text, 7, text.length - 1)).isEqualTo(port);
    }

    @Test
    void anEmptyRangeIsRefused() {
        assertThatThrownBy(() -> new FunctionPorts(20_000, 19_999)).isInstanceOf(IllegalArgumentException.class);
    }
}
