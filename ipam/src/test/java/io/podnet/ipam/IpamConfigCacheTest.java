package io.podnet.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IpamConfigCacheTest {
    private static final ObjectMapper M = new ObjectMapper();

    static JsonNode ipam(String subnet) throws Exception {
        return M.readTree("{\"type\":\"podnet\",\"ranges\":[[{\"subnet\":\"" + subnet + "\"}]],\"dataDir\":\"/tmp/x\"}");
    }

    @Test
    void theSameSectionIsDecodedOnceAndAnyChangeIsANewEntry() throws Exception {
        IpamConfigCache cache = new IpamConfigCache();
        IpamConfig a = cache.decode(ipam("10.1.0.0/16"), "net", Optional.empty());
        assertThat(cache.decode(ipam("10.1.0.0/16"), "net", Optional.empty())).isSameAs(a);
        assertThat(a).isEqualTo(IpamConfig.decode(ipam("10.1.0.0/16"), "net", Optional.empty()));
        assertThat(cache.decode(ipam("10.2.0.0/16"), "net", Optional.empty()).rangeSets()).isNotEqualTo(a.rangeSets());
        assertThat(cache.decode(ipam("10.1.0.0/16"), "other", Optional.empty()).network()).isEqualTo("other");
        JsonNode ranges = M.readTree("[[{\"subnet\":\"10.9.0.0/24\"}]]");
        assertThat(cache.decode(ipam("10.1.0.0/16"), "net", Optional.of(ranges)).rangeSets().getFirst().ranges().getFirst().subnet())
                .hasToString("10.9.0.0/24");
        assertThat(cache.size()).isEqualTo(4);
    }

    @Test
    void aNodeChangedAfterwardsDoesNotChangeTheRememberedKey() throws Exception {
        IpamConfigCache cache = new IpamConfigCache();
        ObjectNode n = (ObjectNode) ipam("10.1.0.0/16");
        IpamConfig a = cache.decode(n, "net", Optional.empty());
        n.put("dataDir", "/elsewhere");
        assertThat(cache.decode(n, "net", Optional.empty()).dataDir()).hasToString("/elsewhere");
        assertThat(cache.decode(ipam("10.1.0.0/16"), "net", Optional.empty())).isSameAs(a);
    }

    @Test
    void badConfigsStillFailEveryTimeAndAreNotKept() throws Exception {
        IpamConfigCache cache = new IpamConfigCache();
        assertThatThrownBy(() -> cache.decode(ipam("not-a-subnet"), "net", Optional.empty())).isInstanceOf(IpamException.class);
        assertThatThrownBy(() -> cache.decode(ipam("not-a-subnet"), "net", Optional.empty())).isInstanceOf(IpamException.class);
        assertThat(cache.size()).isZero();
    }

    @Test
    void keepsAtMostCapacityEntries() throws Exception {
        IpamConfigCache cache = new IpamConfigCache();
        for (int i = 0; i < IpamConfigCache.CAPACITY + 10; i++) cache.decode(ipam("10." + i + ".0.0/16"), "net", Optional.empty());
        assertThat(cache.size()).isEqualTo(IpamConfigCache.CAPACITY);
    }
}
