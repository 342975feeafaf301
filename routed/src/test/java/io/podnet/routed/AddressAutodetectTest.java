package io.podnet.routed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Calico's IP_AUTODETECTION_METHOD over a node's interfaces. */
class AddressAutodetectTest {
    private static AddressAutodetect.Interface i(String name, String... cidrs) {
        return new AddressAutodetect.Interface(name, java.util.Arrays.stream(cidrs).map(Cidr::parse).toList());
    }

    private static final List<AddressAutodetect.Interface> NODE = List.of(i("lo", "127.0.0.1/8", "::1/128"),
            i("docker0", "172.17.0.1/16"), i("cali0123456789a", "169.254.1.1/32"), i("eth0", "fe80::1/64", "10.0.0.5/24", "fd00::5/64"),
            i("eth1", "192.168.50.5/24"), i("vxlan.calico", "10.65.0.1/32"));

    private static Optional<String> detect(String method, IpFamily f) {
        return AddressAutodetect.detect(AddressAutodetect.parse("m", method), f, NODE,
                dest -> dest.equals("192.168.50.1") ? Optional.of(IpAddress.parse("192.168.50.5")) : Optional.empty()).map(Cidr::toString);
    }

    @Test
    void firstFoundSkipsCalicosDefaultExclusionsAndLinkLocal() {
        assertThat(detect("first-found", IpFamily.V4)).contains("10.0.0.5/24");
        assertThat(detect("", IpFamily.V4)).contains("10.0.0.5/24");
        assertThat(detect("first-found", IpFamily.V6)).contains("fd00::5/64");
    }

    @Test
    void interfaceSkipInterfaceCidrAndCanReach() {
        assertThat(detect("interface=eth1", IpFamily.V4)).contains("192.168.50.5/24");
        assertThat(detect("interface=wlan.*,eth.*", IpFamily.V4)).contains("10.0.0.5/24");
        assertThat(detect("interface=eth", IpFamily.V4)).as("the whole name must match").isEmpty();
        assertThat(detect("skip-interface=eth0", IpFamily.V4)).contains("192.168.50.5/24");
        assertThat(detect("cidr=192.168.0.0/16", IpFamily.V4)).contains("192.168.50.5/24");
        assertThat(detect("cidr=10.1.0.0/16", IpFamily.V4)).isEmpty();
        assertThat(detect("can-reach=192.168.50.1", IpFamily.V4)).contains("192.168.50.5/24");
        assertThat(detect("can-reach=203.0.113.1", IpFamily.V4)).isEmpty();
    }

    @Test
    void badMethodsNameTheFieldAndWhatIsWrong() {
        assertThatThrownBy(() -> AddressAutodetect.parse("routed.ipAutodetectionMethod", "nic=eth0"))
                .hasMessage("routed.ipAutodetectionMethod: \"nic=eth0\": unknown method \"nic\"");
        assertThatThrownBy(() -> AddressAutodetect.parse("f", "interface=")).hasMessageContaining("interface= needs a value");
        assertThatThrownBy(() -> AddressAutodetect.parse("f", "interface=(eth")).hasMessageContaining("bad regular expression");
        assertThatThrownBy(() -> AddressAutodetect.parse("f", "cidr=10.0.0.0/33")).hasMessageStartingWith("f: \"cidr=10.0.0.0/33\"");
        assertThatThrownBy(() -> AddressAutodetect.parse("f", "eth0")).hasMessageContaining("expected first-found");
    }
}
