package io.podnet.cnm.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When two of Docker's port mappings would take the same host port (Docker allocates none for remote drivers). */
class PortMappingTest {
    private static PortMapping tcp(String hostIp, int from, int to) {
        return new PortMapping(6, hostIp, from, to, 80);
    }

    @Test
    void sameProtocolOverlappingPortsAndAddressesClash() {
        assertThat(tcp("127.0.0.1", 18082, 18082).clashesWith(tcp("127.0.0.1", 18082, 18082))).isTrue();
        assertThat(tcp("", 18082, 18082).clashesWith(tcp("127.0.0.1", 18082, 18082))).isTrue(); // all addresses
        assertThat(tcp("0.0.0.0", 18082, 18082).clashesWith(tcp("10.0.0.1", 18082, 18082))).isTrue();
        assertThat(tcp("127.0.0.1", 8000, 8010).clashesWith(tcp("127.0.0.1", 8010, 8020))).isTrue(); // ranges
    }

    @Test
    void otherAddressPortOrProtocolDoesNotClash() {
        assertThat(tcp("127.0.0.1", 18082, 18082).clashesWith(tcp("127.0.0.2", 18082, 18082))).isFalse();
        assertThat(tcp("127.0.0.1", 8000, 8010).clashesWith(tcp("127.0.0.1", 8011, 8020))).isFalse();
        assertThat(tcp("", 53, 53).clashesWith(new PortMapping(17, "", 53, 53, 53))).isFalse(); // tcp vs udp
        assertThat(tcp("", 0, 0).clashesWith(tcp("", 0, 0))).isFalse(); // -P: podnet publishes nothing
    }

    @Test
    void hostSideNamesAddressPortsAndProtocol() {
        assertThat(tcp("", 18082, 18082).hostSide()).isEqualTo("0.0.0.0:18082/tcp");
        assertThat(new PortMapping(17, "127.0.0.1", 5000, 5002, 53).hostSide()).isEqualTo("127.0.0.1:5000-5002/udp");
    }
}
