package io.podnet.rtnetlink.message;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkAttrs;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.testkit.HexFixture;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The codec against bytes iproute2 and the kernel really exchanged (see captures/capture.py). */
class RtnetlinkCodecTest {

    static byte[] fixture(String name) {
        String res = "captures/rtnetlink/" + name;
        assertThat(HexFixture.provenance(res)).isNotBlank();
        return HexFixture.load(res);
    }

    static NlMessage message(byte[] b) {
        List<NlMessage> m = NlMessage.split(b, b.length);
        assertThat(m).isNotEmpty();
        return m.getFirst();
    }

    static int seq(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(8);
    }

    @Test
    void encodesVxlanAddByteForByteAsIproute2() {
        byte[] ip = fixture("link-add-vxlan-request.hex");
        var kind = LinkKind.Vxlan.of(42, 8472).withLocal(IpAddress.parse("10.99.0.1"));
        byte[] ours = LinkCodec.encodeAdd(LinkAttrs.named("vx0"), kind, LinkCodec.Refs.NONE).finish(seq(ip));
        assertThat(ours).isEqualTo(ip);
        Link decoded = LinkCodec.decode(message(ip), i -> Optional.empty());
        assertThat(decoded.name()).isEqualTo("vx0");
        assertThat(decoded.kind()).isEqualTo(kind);
    }

    @Test
    void encodesRouteAddByteForByteAsIproute2() {
        byte[] ip = fixture("route-add-request.hex");
        var raw = new RouteCodec.Raw(IpPrefix.parse("10.20.0.0/16"), Optional.of(IpAddress.parse("10.1.0.1")),
                OptionalInt.of(4), 0, 254, 98, 1, Optional.empty(), OptionalInt.of(50), OptionalInt.of(1400), 0);
        byte[] ours = RouteCodec.encode(Nl.RTM_NEWROUTE, Nl.NLM_F_CREATE | Nl.NLM_F_EXCL, raw).finish(seq(ip));
        assertThat(ours).isEqualTo(ip);
        assertThat(RouteCodec.decode(message(ip))).contains(raw);
    }

    @Test
    void decodesKernelLinkReplies() {
        Link vx = LinkCodec.decode(message(fixture("link-get-reply-vxlan.hex")), i -> Optional.empty());
        assertThat(vx.name()).isEqualTo("vx0");
        assertThat(vx.kind()).isInstanceOfSatisfying(LinkKind.Vxlan.class, v -> {
            assertThat(v.vni()).isEqualTo(42);
            assertThat(v.port()).isEqualTo(8472);
            assertThat(v.learning()).isFalse();
            assertThat(v.local()).contains(IpAddress.parse("10.99.0.1"));
        });
        assertThat(vx.mtu()).isEqualTo(1500);
        Link veth = LinkCodec.decode(message(fixture("link-get-reply-veth.hex")), i -> Optional.of("v0p"));
        assertThat(veth.name()).isEqualTo("v0");
        assertThat(veth.kind()).isInstanceOf(LinkKind.Veth.class);
        assertThat(veth.mtu()).isEqualTo(1400);
        assertThat(veth.mac()).contains(MacAddress.parse("02:00:00:00:00:01"));
        assertThat(veth.parentIndex()).isPresent();
    }

    @Test
    void decodesAcksAndErrorsWithAndWithoutExtendedAck() {
        NlError ack = NlError.decode(message(fixture("ack-capped.hex")));
        assertThat(ack.isAck()).isTrue();
        NlError exists = NlError.decode(message(fixture("error-eexist.hex")));
        assertThat(exists.errno()).isEqualTo(17);
        NlError inval = NlError.decode(message(fixture("error-einval-extack.hex")));
        assertThat(inval.errno()).isEqualTo(22);
        assertThat(inval.extAck()).contains("mtu less than device minimum");
        NlError esrch = NlError.decode(message(fixture("error-esrch-route-del.hex")));
        assertThat(esrch.errno()).isEqualTo(3);
    }

    @Test
    void decodesAddressRouteNeighbourAndFdbMessages() {
        var addr = AddressCodec.decode(message(fixture("addr-add-request.hex"))).orElseThrow();
        assertThat(addr.cidr()).isEqualTo(Cidr.parse("10.1.0.2/24"));
        byte[] dump = fixture("route-dump-reply.hex");
        var route = NlMessage.split(dump, dump.length).stream().map(RouteCodec::decode).flatMap(Optional::stream)
                .filter(r -> r.dst().equals(IpPrefix.parse("10.20.0.0/16"))).findFirst().orElseThrow();
        assertThat(route.dst()).isEqualTo(IpPrefix.parse("10.20.0.0/16"));
        assertThat(route.protocol()).isEqualTo(98);
        assertThat(route.mtu()).hasValue(1400);
        var neigh = NeighborCodec.decode(message(fixture("neigh-replace-request.hex")));
        assertThat(neigh.dst()).contains(IpAddress.parse("10.5.1.0"));
        assertThat(neigh.lladdr()).contains(MacAddress.parse("02:11:22:33:44:55"));
        assertThat(neigh.state()).isEqualTo(Nl.NUD_PERMANENT);
        var fdb = NeighborCodec.decode(message(fixture("fdb-append-request.hex")));
        assertThat(fdb.family()).isEqualTo(NeighborCodec.AF_BRIDGE);
        assertThat(fdb.flags() & Nl.NTF_SELF).isNotZero();
        assertThat(fdb.dst()).contains(IpAddress.parse("10.99.0.2"));
        assertThat(fdb.lladdr()).contains(MacAddress.parse("0a:00:00:00:00:01"));
    }

    @Test
    void generatedValuesRoundTrip() {
        for (var raw : List.of(
                new RouteCodec.Raw(IpPrefix.parse("fd00:20::/48"), Optional.of(IpAddress.parse("fd00:9::1")), OptionalInt.of(7),
                        0, 254, 98, 1, Optional.empty(), OptionalInt.empty(), OptionalInt.empty(), 0),
                new RouteCodec.Raw(IpPrefix.parse("10.50.0.0/24"), Optional.empty(), OptionalInt.empty(), 0, 1000, 4, 6,
                        Optional.empty(), OptionalInt.of(5), OptionalInt.empty(), 0),
                new RouteCodec.Raw(IpPrefix.parse("0.0.0.0/0"), Optional.of(IpAddress.parse("169.254.1.1")), OptionalInt.of(2),
                        0, 254, 3, 1, Optional.of(IpAddress.parse("10.0.0.5")), OptionalInt.empty(), OptionalInt.of(1450), Nl.RTNH_F_ONLINK))) {
            byte[] b = RouteCodec.encode(Nl.RTM_NEWROUTE, 0, raw).finish(1);
            assertThat(RouteCodec.decode(message(b))).contains(raw);
        }
        var vx = new LinkKind.Vxlan(4096, Optional.of(IpAddress.parse("fd00::1")), 4789, true, Optional.empty(), OptionalInt.of(64));
        byte[] b = LinkCodec.encodeAdd(LinkAttrs.named("vxlan.calico").mtu(1430), vx, LinkCodec.Refs.NONE).finish(9);
        Link l = LinkCodec.decode(message(b), i -> Optional.empty());
        assertThat(l.kind()).isEqualTo(vx);
        assertThat(l.mtu()).isEqualTo(1430);
    }

    @Test
    void truncatedOrGarbageInputNeverThrows() {
        byte[] good = fixture("link-get-reply-vxlan.hex");
        java.util.Random rnd = new java.util.Random(42);
        for (int i = 0; i < 2000; i++) {
            byte[] b = java.util.Arrays.copyOf(good, rnd.nextInt(good.length + 1));
            if (b.length > 20) b[16 + rnd.nextInt(b.length - 16)] ^= (byte) rnd.nextInt(256);
            for (NlMessage m : NlMessage.split(b, b.length)) {
                if (m.length() >= Nl.NLMSG_HDRLEN + Nl.IFINFOMSG_LEN) LinkCodec.decode(m, x -> Optional.empty());
            }
        }
    }
}
