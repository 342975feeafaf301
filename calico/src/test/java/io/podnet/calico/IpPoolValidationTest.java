package io.podnet.calico;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.datastore.memory.MemoryDatastore;
import io.podnet.testkit.ManualClock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every refusal the issue lists names the resource and the field; nothing is written on error. */
class IpPoolValidationTest {
    static IpPool pool(String name, String cidr) { return IpPool.of(name, IpPool.Spec.of(cidr)); }

    static void refused(IpPool p, String field, String text) {
        assertThatThrownBy(p::validated).isInstanceOfSatisfying(ResourceValidationException.class, e -> {
            assertThat(e.kind()).isEqualTo("IPPool");
            assertThat(e.resource()).isEqualTo(p.name());
            assertThat(e.field()).isEqualTo(field);
        }).hasMessageContaining(text).hasMessageStartingWith("IPPool \"" + p.name() + "\": " + field + ": ");
    }

    @Test
    void fillsCalicosDefaults() {
        IpPool v4 = pool("p4", "10.1.0.0/16").validated();
        assertThat(v4.spec().blockSize()).isEqualTo(26);
        assertThat(v4.spec().ipipMode()).isEqualTo(IpPool.EncapMode.NEVER);
        assertThat(v4.spec().vxlanMode()).isEqualTo(IpPool.EncapMode.NEVER);
        assertThat(v4.spec().nodeSelector()).isEqualTo("all()");
        assertThat(v4.spec().allowedUses()).containsExactly("Workload", "Tunnel");
        assertThat(v4.spec().natOutgoing()).isFalse();
        assertThat(pool("p6", "fd00:1::/64").validated().spec().blockSize()).isEqualTo(122);
    }

    @Test
    void refusesHostBitsNamingTheMaskedForm() {
        refused(pool("a", "10.1.0.1/16"), "spec.cidr", "has host bits set (did you mean 10.1.0.0/16?)");
    }

    @Test
    void refusesABlockLargerThanThePool() {
        refused(IpPool.of("a", IpPool.Spec.of("10.1.0.0/27").withBlockSize(26)), "spec.blockSize", "larger than the pool 10.1.0.0/27");
    }

    @Test
    void refusesBlockSizesOutOfRange() {
        refused(IpPool.of("a", IpPool.Spec.of("10.0.0.0/8").withBlockSize(19)), "spec.blockSize", "19 is out of range 20-32 for an IPv4 pool");
        refused(IpPool.of("a", IpPool.Spec.of("10.0.0.0/8").withBlockSize(33)), "spec.blockSize", "out of range 20-32");
        refused(IpPool.of("a", IpPool.Spec.of("fd00::/48").withBlockSize(115)), "spec.blockSize", "115 is out of range 116-128 for an IPv6 pool");
        refused(IpPool.of("a", IpPool.Spec.of("fd00::/48").withBlockSize(129)), "spec.blockSize", "out of range 116-128");
        assertThat(IpPool.of("a", IpPool.Spec.of("10.0.0.0/8").withBlockSize(32)).validated().blockSize()).isEqualTo(32);
    }

    @Test
    void refusesBothEncapsulations() {
        refused(IpPool.of("a", IpPool.Spec.of("10.1.0.0/16").withEncap(IpPool.EncapMode.ALWAYS, IpPool.EncapMode.CROSS_SUBNET)),
                "spec.ipipMode", "ipipMode Always and vxlanMode CrossSubnet are both enabled");
    }

    @Test
    void refusesIpipOnIpv6() {
        refused(IpPool.of("a", IpPool.Spec.of("fd00::/64").withEncap(IpPool.EncapMode.ALWAYS, null)), "spec.ipipMode", "IPIP is not supported on an IPv6 pool");
        assertThat(IpPool.of("a", IpPool.Spec.of("fd00::/64").withEncap(null, IpPool.EncapMode.ALWAYS)).validated().spec().vxlanMode())
                .isEqualTo(IpPool.EncapMode.ALWAYS);
    }

    @Test
    void refusesOverlapWithLinkLocal() {
        refused(pool("a", "169.254.0.0/24"), "spec.cidr", "overlaps the link-local range 169.254.0.0/16");
        refused(pool("a", "168.0.0.0/6"), "spec.cidr", "overlaps the link-local range");
        refused(pool("a", "fe80::/64"), "spec.cidr", "overlaps the link-local range fe80::/10");
    }

    @Test
    void refusesABadNodeSelectorWithItsPosition() {
        refused(IpPool.of("a", IpPool.Spec.of("10.1.0.0/16").withNodeSelector("zone == 'a' &&")), "spec.nodeSelector", "of selector");
    }

    @Test
    void refusesUnknownUsesAndMissingFields() {
        refused(IpPool.of("a", new IpPool.Spec("10.1.0.0/16", null, null, null, null, null, null, null, List.of("Workload", "Pets"), null)),
                "spec.allowedUses[1]", "\"Pets\" is not one of");
        refused(IpPool.of("a", IpPool.Spec.of(null)), "spec.cidr", "is required");
        refused(pool("Bad_Name", "10.1.0.0/16"), "metadata.name", "is not a valid name");
        refused(pool("a", "10.1.0.0"), "spec.cidr", "no prefix length");
    }

    @Test
    void storeRefusesOverlapAndImmutableChangesAndWritesNothing() throws Exception {
        var ds = new MemoryDatastore(new ManualClock());
        var store = new ResourceStore(ds, "/t", Kinds.IPAM, new ManualClock());
        store.create(pool("a", "10.1.0.0/16"));
        long rev = ds.revision();
        assertThatThrownBy(() -> store.create(pool("b", "10.1.128.0/17")))
                .hasMessage("IPPool \"b\": spec.cidr: 10.1.128.0/17 overlaps IPPool \"a\" (10.1.0.0/16)");
        assertThatThrownBy(() -> store.create(pool("c", "10.0.0.0/8"))).hasMessageContaining("overlaps IPPool \"a\"");
        assertThatThrownBy(() -> store.apply(pool("a", "10.2.0.0/16"))).hasMessageContaining("spec.cidr: is immutable");
        assertThatThrownBy(() -> store.apply(IpPool.of("a", IpPool.Spec.of("10.1.0.0/16").withBlockSize(24))))
                .hasMessageContaining("spec.blockSize: is immutable");
        assertThatThrownBy(() -> store.create(pool("d", "10.3.0.1/16"))).isInstanceOf(ResourceValidationException.class);
        assertThat(ds.revision()).isEqualTo(rev);
        assertThat(store.list(IpPool.KIND)).extracting(IpPool::name).containsExactly("a");
        // changing a mutable field works and keeps uid and creation time
        IpPool before = store.get(IpPool.KIND, "a").orElseThrow();
        IpPool after = store.apply(IpPool.of("a", IpPool.Spec.of("10.1.0.0/16").withDisabled(true)));
        assertThat(after.disabled()).isTrue();
        assertThat(after.metadata().uid()).isEqualTo(before.metadata().uid());
        assertThat(after.metadata().creationTimestamp()).isEqualTo(before.metadata().creationTimestamp());
    }
}
