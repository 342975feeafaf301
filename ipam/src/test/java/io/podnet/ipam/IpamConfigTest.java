package io.podnet.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podnet.net.IpAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IpamConfigTest {
    static final ObjectMapper M = new ObjectMapper();

    static IpamConfig decode(String json) throws Exception {
        return IpamConfig.decode(M.readTree(json), "net1", Optional.empty());
    }

    static void rejects(String json, String field) {
        assertThatThrownBy(() -> decode(json)).isInstanceOfSatisfying(IpamException.class, e -> {
            assertThat(e.reason()).isEqualTo(IpamException.Reason.CONFIG);
            assertThat(e.getMessage()).contains(field);
            assertThat(e.toCni().code()).isEqualTo(7);
        });
    }

    @Test
    void canonicalisesLikeHostLocal() throws Exception {
        IpamConfig c = decode("{\"type\":\"podnet-ipam\",\"ranges\":[[{\"subnet\":\"10.1.0.0/24\"}],[{\"subnet\":\"fd00:1::/64\"}]],"
                + "\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"10.9.0.0/16\",\"gw\":\"10.1.0.254\"}],\"dataDir\":\"/tmp/x\"}");
        AllocRange v4 = c.rangeSets().get(0).ranges().get(0);
        assertThat(v4.gateway()).isEqualTo(IpAddress.parse("10.1.0.1"));
        assertThat(v4.start()).isEqualTo(IpAddress.parse("10.1.0.1"));
        assertThat(v4.end()).isEqualTo(IpAddress.parse("10.1.0.254"));
        AllocRange v6 = c.rangeSets().get(1).ranges().get(0);
        assertThat(v6.end()).isEqualTo(IpAddress.parse("fd00:1::ffff:ffff:ffff:ffff"));
        assertThat(c.routes()).hasSize(2);
        assertThat(c.networkDir()).isEqualTo(Path.of("/tmp/x/net1"));
        assertThat(c.fsync()).isTrue();
    }

    @Test
    void acceptsTheLegacySingleRange() throws Exception {
        IpamConfig c = decode("{\"subnet\":\"10.2.0.0/16\",\"rangeStart\":\"10.2.1.10\",\"rangeEnd\":\"10.2.1.20\",\"gateway\":\"10.2.0.254\"}");
        AllocRange r = c.rangeSets().get(0).ranges().get(0);
        assertThat(r.toString()).isEqualTo("10.2.1.10-10.2.1.20");
        assertThat(r.gateway()).isEqualTo(IpAddress.parse("10.2.0.254"));
        assertThat(c.dataDir()).isEqualTo(IpamConfig.DEFAULT_DATA_DIR);
    }

    @Test
    void ipRangesFromRuntimeConfigOverride() throws Exception {
        JsonNode over = M.readTree("[[{\"subnet\":\"192.168.7.0/28\"}]]");
        IpamConfig c = IpamConfig.decode(M.readTree("{\"subnet\":\"10.2.0.0/16\"}"), "n", Optional.of(over));
        assertThat(c.rangeSets().get(0).ranges().get(0).end()).isEqualTo(IpAddress.parse("192.168.7.14"));
    }

    @Test
    void errorsNameTheField() {
        rejects("{\"ranges\":[[{\"subnet\":\"10.1.0.0/31\"}]]}", "ipam.ranges[0][0].subnet");
        rejects("{\"ranges\":[[{\"subnet\":\"10.1.0.0/32\"}]]}", "too small");
        rejects("{\"ranges\":[[{\"subnet\":\"fd00::/127\"}]]}", "too small");
        rejects("{\"ranges\":[[{\"subnet\":\"10.1.0.5/24\"}]]}", "host bits");
        rejects("{\"ranges\":[[{\"subnet\":\"10.1.0.0/24\",\"rangeStart\":\"10.2.0.1\"}]]}", "ipam.ranges[0][0].rangeStart");
        rejects("{\"ranges\":[[{\"subnet\":\"10.1.0.0/24\",\"rangeEnd\":\"banana\"}]]}", "ipam.ranges[0][0].rangeEnd");
        rejects("{\"ranges\":[[{\"subnet\":\"10.1.0.0/24\",\"gateway\":\"10.3.0.1\"}]]}", "gateway");
        rejects("{\"ranges\":[[{\"subnet\":\"10.1.0.0/24\",\"rangeStart\":\"10.1.0.50\",\"rangeEnd\":\"10.1.0.40\"}]]}", "rangeStart");
        rejects("{\"ranges\":[[{\"subnet\":\"10.1.0.0/24\"},{\"subnet\":\"fd00::/64\"}]]}", "mixed address families");
        rejects("{\"ranges\":[[{\"subnet\":\"10.1.0.0/24\"},{\"subnet\":\"10.1.0.0/25\"}]]}", "overlap");
        rejects("{\"ranges\":[[{\"subnet\":\"10.1.0.0/24\"}],[{\"subnet\":\"10.1.0.0/25\"}]]}", "overlap");
        rejects("{\"ranges\":[]}", "ipam.ranges");
        rejects("{\"ranges\":[[{\"rangeStart\":\"10.1.0.1\"}]]}", "ipam.ranges[0][0].subnet");
        rejects("{\"type\":\"podnet-ipam\"}", "ipam.ranges");
        rejects("{\"subnet\":\"10.1.0.0/24\",\"routes\":[{\"gw\":\"10.1.0.1\"}]}", "ipam.routes[0].dst");
        rejects("{\"subnet\":\"10.1.0.0/24\",\"dataDir\":7}", "ipam.dataDir");
        rejects("{\"subnet\":\"10.1.0.0/24\",\"fsync\":\"yes\"}", "ipam.fsync");
    }

    @Test
    void roundRobinStartsAfterTheLastReservedAndSkipsGateways() throws Exception {
        IpamConfig c = decode("{\"ranges\":[[{\"subnet\":\"10.1.0.0/29\"},{\"subnet\":\"10.1.1.0/30\"}]]}");
        RangeSet s = c.rangeSets().get(0);
        List<String> all = new ArrayList<>();
        s.candidates(Optional.empty()).forEachRemaining(a -> all.add(a.toString()));
        assertThat(all).containsExactly("10.1.0.2", "10.1.0.3", "10.1.0.4", "10.1.0.5", "10.1.0.6", "10.1.1.2");
        List<String> fromLast = new ArrayList<>();
        s.candidates(Optional.of(IpAddress.parse("10.1.0.5"))).forEachRemaining(a -> fromLast.add(a.toString()));
        assertThat(fromLast).containsExactly("10.1.0.6", "10.1.1.2", "10.1.0.2", "10.1.0.3", "10.1.0.4", "10.1.0.5");
        List<String> fromEnd = new ArrayList<>();
        s.candidates(Optional.of(IpAddress.parse("10.1.1.2"))).forEachRemaining(a -> fromEnd.add(a.toString()));
        assertThat(fromEnd).startsWith("10.1.0.2").hasSize(6);
        List<String> foreign = new ArrayList<>();
        s.candidates(Optional.of(IpAddress.parse("172.16.0.1"))).forEachRemaining(a -> foreign.add(a.toString()));
        assertThat(foreign).isEqualTo(all);
    }
}
