package io.knative.lambda.localcluster.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

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
    void anEmptyRangeIsRefused() {
        assertThatThrownBy(() -> new FunctionPorts(20_000, 19_999)).isInstanceOf(IllegalArgumentException.class);
    }
}
