package io.podnet.bgp.message;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.testkit.HexFixture;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Decodes real captures from BIRD, GoBGP and FRR sessions and checks their content and round trips. */
class CaptureTest {

    static Stream<String> captures() throws IOException, URISyntaxException {
        Path dir = Path.of(CaptureTest.class.getClassLoader().getResource("captures/bgp").toURI());
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".hex")).map(p -> "captures/bgp/" + p.getFileName()).sorted().toList().stream();
        }
    }

    static BgpMessage decode(String name) throws MalformedMessageException {
        return MessageCodec.decode(HexFixture.load(name), CodecOptions.DEFAULT);
    }

    @ParameterizedTest
    @MethodSource("captures")
    void everyCaptureDecodesAndReencodesToTheSameMessage(String name) throws MalformedMessageException {
        assertThat(HexFixture.provenance(name)).contains("captured with tcpdump");
        BgpMessage m = decode(name);
        byte[] again = MessageCodec.encode(m, CodecOptions.DEFAULT);
        assertThat(MessageCodec.decode(again, CodecOptions.DEFAULT)).isEqualTo(m);
    }

    /**
     * BIRD and FRR set the Extended Length flag on short MP_REACH_NLRI, and FRR sends one optional parameter per
     * capability; both are legal, and our encoder chooses the shortest form instead, so these captures cannot
     * round-trip byte for byte.
     */
    static final java.util.Set<String> NORMALISED = java.util.Set.of("bird-update-ebgp-ipv6-link-local-next-hop.hex",
            "bird-update-ibgp-ipv6-mp-reach.hex", "bird-update-reflected-ipv6.hex", "frr-open-many-capabilities.hex",
            "frr-update-ibgp-ipv4.hex", "frr-update-ipv6-v4-mapped-next-hop.hex");

    static boolean normalisedByOurEncoder(String name) {
        return NORMALISED.contains(name.substring(name.lastIndexOf('/') + 1));
    }

    static Stream<String> byteExactCaptures() throws IOException, URISyntaxException {
        return captures().filter(n -> !normalisedByOurEncoder(n));
    }

    static Stream<String> normalisedCaptures() throws IOException, URISyntaxException {
        return captures().filter(CaptureTest::normalisedByOurEncoder);
    }

    @ParameterizedTest
    @MethodSource("byteExactCaptures")
    void capturesWithoutExtendedLengthFlagsOrSplitParametersRoundTripByteForByte(String name) throws MalformedMessageException {
        byte[] b = HexFixture.load(name);
        assertThat(MessageCodec.encode(decode(name), CodecOptions.DEFAULT)).isEqualTo(b);
    }

    @ParameterizedTest
    @MethodSource("normalisedCaptures")
    void capturesWithLongFormsReencodeShorterAndThenStayByteStable(String name) throws MalformedMessageException {
        byte[] b = HexFixture.load(name);
        byte[] ours = MessageCodec.encode(decode(name), CodecOptions.DEFAULT);
        assertThat(ours.length).as("the shortest form drops the extra length byte / parameter headers").isLessThan(b.length);
        assertThat(MessageCodec.decode(ours, CodecOptions.DEFAULT)).isEqualTo(decode(name));
        assertThat(MessageCodec.encode(MessageCodec.decode(ours, CodecOptions.DEFAULT), CodecOptions.DEFAULT)).isEqualTo(ours);
    }

    @Test
    void bothKindsTogetherCoverEveryCapture() throws Exception {
        assertThat(byteExactCaptures().count() + normalisedCaptures().count()).isEqualTo(captures().count()).isEqualTo(21);
        assertThat(normalisedCaptures().count()).isEqualTo(NORMALISED.size());
    }

    @Test
    void birdOpenCarriesItsCapabilities() throws MalformedMessageException {
        OpenMessage o = (OpenMessage) decode("captures/bgp/bird-open-ibgp.hex");
        assertThat(o.asn()).isEqualTo(65001);
        assertThat(o.holdTime()).isEqualTo(240);
        assertThat(o.bgpId()).isEqualTo(IpAddress.parse("10.77.0.1"));
        assertThat(o.families()).containsExactly(AfiSafi.IPV4_UNICAST, AfiSafi.IPV6_UNICAST);
        assertThat(o.capability(Capability.GracefulRestart.class)).get()
                .extracting(Capability.GracefulRestart::restartTime).isEqualTo(120);
        assertThat(o.capabilities()).contains(new Capability.RouteRefresh(), new Capability.Unknown(70, new byte[0]));
    }

    @Test
    void frrOpenWithOneParameterPerCapabilityIsFlattened() throws MalformedMessageException {
        OpenMessage o = (OpenMessage) decode("captures/bgp/frr-open-many-capabilities.hex");
        assertThat(o.capability(Capability.ExtendedMessage.class)).isPresent();
        assertThat(o.capability(Capability.GracefulRestart.class)).get()
                .extracting(Capability.GracefulRestart::restartState).isEqualTo(true);
    }

    @Test
    void gobgpUpdateCarriesEgpOriginAggregatorAndCommunity() throws MalformedMessageException {
        UpdateMessage u = (UpdateMessage) decode("captures/bgp/gobgp-update-ebgp-egp-aggregator-community.hex");
        assertThat(u.nlri()).containsExactly(IpPrefix.parse("10.244.9.0/24"));
        assertThat(u.attributes()).containsExactly(
                new PathAttribute.Origin(PathAttribute.OriginType.EGP),
                new PathAttribute.AsPath(List.of(AsPathSegment.sequence(65002L))),
                new PathAttribute.NextHop(IpAddress.parse("10.77.0.2")),
                new PathAttribute.Aggregator(65002, IpAddress.parse("10.77.0.2")),
                new PathAttribute.Communities(List.of(PathAttribute.Communities.of(65002, 7))));
    }

    @Test
    void birdIpv6UpdateHasGlobalAndLinkLocalNextHops() throws MalformedMessageException {
        UpdateMessage u = (UpdateMessage) decode("captures/bgp/bird-update-ebgp-ipv6-link-local-next-hop.hex");
        PathAttribute.MpReach r = u.attribute(PathAttribute.MpReach.class).orElseThrow();
        assertThat(r.family()).isEqualTo(AfiSafi.IPV6_UNICAST);
        assertThat(r.nextHops()).hasSize(2).first().isEqualTo(IpAddress.parse("fd77::1"));
        assertThat(r.nlri()).containsExactly(IpPrefix.parse("fd00:244:2::/48"));
    }

    @Test
    void birdReflectedRouteCarriesOriginatorIdAndClusterList() throws MalformedMessageException {
        UpdateMessage u = (UpdateMessage) decode("captures/bgp/bird-update-reflected-originator-cluster-list.hex");
        assertThat(u.attribute(PathAttribute.OriginatorId.class)).contains(new PathAttribute.OriginatorId(IpAddress.parse("10.77.0.2")));
        assertThat(u.attribute(PathAttribute.ClusterList.class)).contains(new PathAttribute.ClusterList(List.of(IpAddress.parse("1.1.1.1"))));
        assertThat(u.attribute(PathAttribute.MultiExitDisc.class)).contains(new PathAttribute.MultiExitDisc(20));
        assertThat(u.nlri()).containsExactly(IpPrefix.parse("10.244.10.0/24"));
    }

    @Test
    void endOfRibMarkersAreRecognised() throws MalformedMessageException {
        assertThat(((UpdateMessage) decode("captures/bgp/bird-update-end-of-rib-ipv4.hex")).endOfRibFamily())
                .contains(AfiSafi.IPV4_UNICAST);
        assertThat(((UpdateMessage) decode("captures/bgp/bird-update-end-of-rib-ipv6.hex")).endOfRibFamily())
                .contains(AfiSafi.IPV6_UNICAST);
        assertThat(MessageCodec.encode(UpdateMessage.endOfRib(AfiSafi.IPV6_UNICAST), CodecOptions.DEFAULT))
                .isEqualTo(HexFixture.load("captures/bgp/bird-update-end-of-rib-ipv6.hex"));
    }

    @Test
    void withdrawalAndNotificationDecode() throws MalformedMessageException {
        assertThat(((UpdateMessage) decode("captures/bgp/gobgp-update-withdraw-ipv4.hex")).withdrawn())
                .containsExactly(IpPrefix.parse("10.244.9.0/24"));
        assertThat(((NotificationMessage) decode("captures/bgp/bird-notification-cease-admin-shutdown.hex")).error())
                .contains(BgpError.CEASE_ADMINISTRATIVE_SHUTDOWN);
    }
}
