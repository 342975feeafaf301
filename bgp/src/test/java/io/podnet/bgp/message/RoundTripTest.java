package io.podnet.bgp.message;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.bgp.message.PathAttribute.*;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.util.List;
import org.junit.jupiter.api.Test;

/** decode(encode(v)) == v for built values, including attributes the captures do not carry. */
class RoundTripTest {

    private static BgpMessage roundTrip(BgpMessage m, CodecOptions o) throws MalformedMessageException {
        return MessageCodec.decode(MessageCodec.encode(m, o), o);
    }

    @Test
    void openWithEveryKnownCapabilityRoundTrips() throws MalformedMessageException {
        OpenMessage o = OpenMessage.of(4_200_000_000L, 90, IpAddress.parse("192.0.2.1"), List.of(
                new Capability.Multiprotocol(AfiSafi.IPV4_UNICAST), new Capability.Multiprotocol(AfiSafi.IPV6_UNICAST),
                new Capability.RouteRefresh(), new Capability.EnhancedRouteRefresh(), new Capability.ExtendedMessage(),
                new Capability.GracefulRestart(true, false, 120, List.of(new Capability.GrFamily(AfiSafi.IPV4_UNICAST, true))),
                new Capability.Unknown(73, new byte[] {1, 2})));
        assertThat(o.myAs()).isEqualTo(OpenMessage.AS_TRANS);
        assertThat(roundTrip(o, CodecOptions.DEFAULT)).isEqualTo(o);
        assertThat(((OpenMessage) roundTrip(o, CodecOptions.DEFAULT)).asn()).isEqualTo(4_200_000_000L);
    }

    @Test
    void reflectedUpdateWithEveryAttributeRoundTrips() throws MalformedMessageException {
        UpdateMessage u = new UpdateMessage(List.of(IpPrefix.parse("10.9.0.0/16")), List.of(
                new Origin(OriginType.INCOMPLETE),
                new AsPath(List.of(AsPathSegment.sequence(65001L, 4_200_000_000L), AsPathSegment.sequence(1L, 2L))),
                new NextHop(IpAddress.parse("10.0.0.1")), new MultiExitDisc(7), new LocalPref(200), new AtomicAggregate(),
                new Aggregator(65001, IpAddress.parse("10.0.0.9")), new Communities(List.of(Communities.of(65001, 1))),
                new OriginatorId(IpAddress.parse("10.0.0.2")),
                new ClusterList(List.of(IpAddress.parse("1.1.1.1"), IpAddress.parse("2.2.2.2"))),
                new MpReach(AfiSafi.IPV6_UNICAST, List.of(IpAddress.parse("fd00::1")), List.of(IpPrefix.parse("fd00:1::/64"), IpPrefix.parse("::/0"))),
                new MpUnreach(AfiSafi.IPV6_UNICAST, List.of(IpPrefix.parse("fd00:2::/127"))),
                new ExtendedCommunities(List.of(0x0002_fde9_0000_0001L, 0x4300_0000_0000_0001L)),
                new LargeCommunities(List.of(new LargeCommunity(4_200_000_000L, 1, 2), new LargeCommunity(65001, 0, 0xffff_ffffL))),
                new Unknown(PathAttribute.OPTIONAL_TRANSITIVE | PathAttribute.FLAG_PARTIAL, 99, new byte[300])),
                List.of(IpPrefix.parse("10.1.2.0/24"), IpPrefix.parse("0.0.0.0/0"), IpPrefix.parse("10.1.2.3/32")));
        assertThat(roundTrip(u, CodecOptions.DEFAULT)).isEqualTo(u);
    }

    @Test
    void twoOctetSessionsCarryAsTransAndAs4Path() throws MalformedMessageException {
        UpdateMessage u = new UpdateMessage(List.of(), List.of(Origin.IGP,
                new AsPath(List.of(AsPathSegment.sequence(65001L, 4_200_000_000L))),
                new NextHop(IpAddress.parse("10.0.0.1")),
                new As4Path(List.of(AsPathSegment.sequence(65001L, 4_200_000_000L))),
                new As4Aggregator(4_200_000_000L, IpAddress.parse("10.0.0.9"))), List.of(IpPrefix.parse("10.1.0.0/16")));
        UpdateMessage back = (UpdateMessage) roundTrip(u, CodecOptions.TWO_OCTET_AS);
        assertThat(back.attribute(AsPath.class)).contains(new AsPath(List.of(AsPathSegment.sequence(65001L, 23456L))));
        assertThat(back.attribute(As4Path.class)).isEqualTo(u.attribute(As4Path.class));
    }

    @Test
    void routeRefreshKeepAliveAndNotificationRoundTrip() throws MalformedMessageException {
        for (BgpMessage m : List.of(new RouteRefreshMessage(AfiSafi.IPV6_UNICAST), KeepaliveMessage.INSTANCE,
                new NotificationMessage(BgpError.CEASE_HARD_RESET, new byte[] {1}), new NotificationMessage(9, 9, new byte[0]))) {
            assertThat(roundTrip(m, CodecOptions.DEFAULT)).isEqualTo(m);
        }
    }

    @Test
    void extendedMessagesAllowLargeUpdatesOnlyWhenNegotiated() throws MalformedMessageException {
        UpdateMessage big = new UpdateMessage(List.of(), List.of(Origin.IGP, AsPath.EMPTY,
                new Unknown(PathAttribute.OPTIONAL_TRANSITIVE, 99, new byte[6000])), List.of());
        CodecOptions ext = new CodecOptions(true, true);
        assertThat(roundTrip(big, ext)).isEqualTo(big);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MessageCodec.encode(big, CodecOptions.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
