package io.podnet.ipam.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Block arithmetic, FIFO reuse, sequence numbers, attribute compaction, cooldown and Calico's JSON. */
class AllocationBlockTest {
    static final IpPrefix CIDR = IpPrefix.parse("10.0.0.64/26");

    @Test
    void ordinalsMapToAddresses() {
        AllocationBlock b = AllocationBlock.empty(CIDR, "n1");
        assertThat(b.capacity()).isEqualTo(64);
        assertThat(b.ipOf(0)).isEqualTo(IpAddress.parse("10.0.0.64"));
        assertThat(b.ipOf(63)).isEqualTo(IpAddress.parse("10.0.0.127"));
        assertThat(b.ordinalOf(IpAddress.parse("10.0.0.100"))).isEqualTo(36);
        assertThat(b.ordinalOf(IpAddress.parse("10.0.0.128"))).isEqualTo(-1);
        assertThat(b.host()).contains("n1");
        AllocationBlock v6 = AllocationBlock.empty(IpPrefix.parse("fd00::40/122"), null);
        assertThat(v6.capacity()).isEqualTo(64);
        assertThat(v6.ipOf(5)).isEqualTo(IpAddress.parse("fd00::45"));
        assertThat(v6.affinity()).isNull();
    }

    @Test
    void assignsInOrderAndReusesReleasedOrdinalsLast() {
        AllocationBlock b = AllocationBlock.empty(CIDR, "n1");
        var a = b.assign(2, "h1", Map.of("node", "n1"));
        assertThat(a.ips()).containsExactly(IpAddress.parse("10.0.0.64"), IpAddress.parse("10.0.0.65"));
        b = a.block();
        b = b.release(List.of(0), Optional.empty());
        var c = b.assign(1, "h2", Map.of());
        assertThat(c.ips()).containsExactly(IpAddress.parse("10.0.0.66")); // FIFO: 0 went to the back
        assertThat(c.block().freeCount()).isEqualTo(62);
        assertThat(c.block().allocatedCount()).isEqualTo(2);
    }

    @Test
    void sequenceNumbersDefeatAba() {
        AllocationBlock b = AllocationBlock.empty(CIDR, "n1");
        assertThat(b.sequenceNumber()).isZero();
        b = b.assign(1, "h1", Map.of()).block();
        long first = b.sequenceOf(0);
        assertThat(first).isEqualTo(1).isEqualTo(b.sequenceNumber());
        b = b.release(List.of(0), Optional.empty());
        assertThat(b.sequenceNumberForAllocation()).doesNotContainKey("0");
        for (int i = 0; i < 63; i++) b = b.assign(1, "x" + i, Map.of()).block();
        b = b.assign(1, "h2", Map.of()).block(); // ordinal 0 again, for another handle
        assertThat(b.ordinalsOf("h2")).containsExactly(0);
        assertThat(b.sequenceOf(0)).isNotEqualTo(first).isEqualTo(b.sequenceNumber());
    }

    @Test
    void sharesAndCompactsAttributes() {
        AllocationBlock b = AllocationBlock.empty(CIDR, "n1").assign(2, "h1", Map.of("pod", "a")).block();
        b = b.assign(1, "h2", Map.of("pod", "b")).block();
        assertThat(b.attributes()).hasSize(2);
        assertThat(b.allocations().subList(0, 3)).containsExactly(0, 0, 1);
        b = b.release(b.ordinalsOf("h1"), Optional.empty());
        assertThat(b.attributes()).extracting(AllocationBlock.Attribute::handleId).containsExactly("h2");
        assertThat(b.allocations().get(2)).isZero();
    }

    @Test
    void cooldownKeepsAddressesUntilItPasses() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        AllocationBlock b = AllocationBlock.empty(CIDR, "n1").assign(1, "h1", Map.of()).block();
        b = b.release(List.of(0), Optional.of(t0));
        assertThat(b.attributeOf(0)).map(AllocationBlock.Attribute::cooling).contains(true);
        assertThat(b.ordinalsOf("h1")).isEmpty();
        assertThat(b.reclaimCooled(t0.plusSeconds(59), 60).attributeOf(0)).isPresent();
        assertThat(b.reclaimCooled(t0.plusSeconds(60), 60).attributeOf(0)).isEmpty();
    }

    @Test
    void jsonHasCalicosFieldNames() throws Exception {
        AllocationBlock b = AllocationBlock.empty(IpPrefix.parse("10.0.0.0/30"), "n1").assign(1, "k8s-pod-network.abc", Map.of("node", "n1")).block();
        String json = new String(IpamJson.encode(b));
        assertThat(json).isEqualTo("{\"cidr\":\"10.0.0.0/30\",\"affinity\":\"host:n1\",\"allocations\":[0,null,null,null],"
                + "\"unallocated\":[1,2,3],\"attributes\":[{\"handle_id\":\"k8s-pod-network.abc\",\"secondary\":{\"node\":\"n1\"}}],"
                + "\"sequenceNumber\":1,\"sequenceNumberForAllocation\":{\"0\":1},\"deleted\":false}");
        assertThat(new ObjectMapper().readValue(json, AllocationBlock.class)).isEqualTo(b);
        assertThat(new String(IpamJson.encode(BlockAffinity.PENDING))).isEqualTo("{\"state\":\"pending\",\"deleted\":false}");
        assertThat(new String(IpamJson.encode(IpamHandle.EMPTY.add("10.0.0.0/30", 1)))).isEqualTo("{\"block\":{\"10.0.0.0/30\":1},\"deleted\":false}");
    }

    @Test
    void keysFollowCalicosLayout() {
        IpamKeys k = new IpamKeys("/calico");
        assertThat(k.block(IpPrefix.parse("10.0.0.0/26"))).isEqualTo("/calico/ipam/v2/assignment/ipv4/block/10.0.0.0-26");
        assertThat(k.affinity("n1", IpPrefix.parse("fd00::/122"))).isEqualTo("/calico/ipam/v2/host/n1/ipv6/block/fd00::-122");
        assertThat(k.handle("k8s-pod-network.abc")).isEqualTo("/calico/ipam/v2/handle/k8s-pod-network.abc");
        assertThat(IpamKeys.cidrOf("/calico/ipam/v2/host/n1/ipv6/block/fd00::-122")).isEqualTo(IpPrefix.parse("fd00::/122"));
        assertThat(k.nodeOfAffinity("/calico/ipam/v2/host/n-1/ipv4/block/10.0.0.0-26")).contains("n-1");
    }
}
