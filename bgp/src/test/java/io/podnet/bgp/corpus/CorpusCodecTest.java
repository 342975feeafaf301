package io.podnet.bgp.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.podnet.bgp.message.AfiSafi;
import io.podnet.bgp.message.BgpError;
import io.podnet.bgp.message.ErrorHandling;
import io.podnet.bgp.message.MalformedMessageException;
import io.podnet.bgp.message.MessageCodec;
import io.podnet.bgp.message.NotificationMessage;
import io.podnet.bgp.message.PathAttribute;
import io.podnet.bgp.message.UpdateMessage;
import io.podnet.net.IpPrefix;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The corpus at the codec level: each file decodes to exactly the error and RFC 7606 treatment its
 * {@code # codec:} line names (or decodes cleanly for {@code ok}), with the options of its sender.
 */
class CorpusCodecTest {

    static Stream<CorpusCase> corpus() { return CorpusCase.all().stream(); }

    private static MalformedMessageException decodeError(String name) {
        CorpusCase c = CorpusCase.all().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
        return catchThrowableOfType(MalformedMessageException.class, () -> MessageCodec.decode(c.bytes(), c.options()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void decoderReportsTheExactErrorAndTreatment(CorpusCase c) {
        if (c.codec().isEmpty()) {
            assertThatCode(() -> MessageCodec.decode(c.bytes(), c.options())).as(c.name()).doesNotThrowAnyException();
            return;
        }
        var e = catchThrowableOfType(MalformedMessageException.class, () -> MessageCodec.decode(c.bytes(), c.options()));
        assertThat(e).as(c.name()).isNotNull();
        assertThat(e.error()).as(c.name()).isEqualTo(c.codec().get().error());
        assertThat(e.handling()).as(c.name()).isEqualTo(c.codec().get().handling());
        assertThat(e.salvaged().isPresent()).as(c.name() + ": salvage exactly for the non-fatal treatments")
                .isEqualTo(e.handling() != ErrorHandling.SESSION_RESET);
    }

    @Test
    void everyFamilyOfTheIssueHasCases() {
        assertThat(CorpusCase.all().stream().map(CorpusCase::family).distinct())
                .contains("header", "open", "update-syntax", "as-path", "ebgp-attributes", "lengths", "mp-reach", "mp-unreach",
                        "next-hop", "no-nlri", "communities", "unknown-afi-safi", "route-refresh");
    }

    @Test
    void treatAsWithdrawSalvagesAWithdrawalOfEveryAnnouncedPrefix() {
        UpdateMessage u = decodeError("update-syntax/origin-value-3.hex").salvaged().orElseThrow();
        assertThat(u.withdrawn()).containsExactly(IpPrefix.parse("10.244.10.0/24"));
        assertThat(u.nlri()).isEmpty();
    }

    @Test
    void treatAsWithdrawOfAnIpv6AnnouncementWithdrawsItsMpReachPrefixes() {
        UpdateMessage u = decodeError("mp-reach/mp-reach-with-malformed-origin.hex").salvaged().orElseThrow();
        assertThat(u.attribute(PathAttribute.MpUnreach.class)).get()
                .satisfies(w -> assertThat(w.withdrawn()).containsExactly(IpPrefix.parse("fd00:244:10::/64")));
        assertThat(u.attribute(PathAttribute.MpReach.class)).isEmpty();
    }

    @Test
    void attributeDiscardSalvagesTheUpdateWithoutTheBadAttribute() {
        UpdateMessage u = decodeError("update-syntax/atomic-aggregate-with-value.hex").salvaged().orElseThrow();
        assertThat(u.nlri()).containsExactly(IpPrefix.parse("10.244.10.0/24"));
        assertThat(u.attribute(PathAttribute.AtomicAggregate.class)).isEmpty();
    }

    @Test
    void afiSafiDisableNamesTheFamilyAndKeepsTheOtherFamilysNlri() {
        var e = decodeError("mp-reach/mp-reach-with-ipv4-nlri-keeps-ipv4.hex");
        assertThat(e.families()).containsExactly(AfiSafi.IPV6_UNICAST);
        UpdateMessage u = e.salvaged().orElseThrow();
        assertThat(u.nlri()).containsExactly(IpPrefix.parse("10.244.10.0/24"));
        assertThat(u.attribute(PathAttribute.MpReach.class)).isEmpty();
    }

    @Test
    void confederationSegmentsOfAs4PathAreDroppedAndTheRestKept() {
        UpdateMessage u = decodeError("as-path/as4-path-confed-sequence.hex").salvaged().orElseThrow();
        assertThat(u.attribute(PathAttribute.As4Path.class)).get()
                .satisfies(p -> assertThat(p.segments()).singleElement().satisfies(s -> assertThat(s.asns()).containsExactly(4_200_000_001L)));
    }

    @Test
    void largeCommunityDuplicatesAreRemoved() throws MalformedMessageException {
        CorpusCase c = CorpusCase.all().stream().filter(x -> x.name().equals("lengths/large-communities-duplicates-removed.hex")).findFirst().orElseThrow();
        UpdateMessage u = (UpdateMessage) MessageCodec.decode(c.bytes(), c.options());
        assertThat(u.attribute(PathAttribute.LargeCommunities.class)).get()
                .satisfies(l -> assertThat(l.values()).containsExactly(new PathAttribute.LargeCommunity(65001, 1, 1)));
    }

    @Test
    void anUpdateWithoutNlriEscalatesToAResetWithTheAttributesOwnNotification() {
        var e = decodeError("no-nlri/malformed-origin-without-nlri.hex");
        assertThat(e.handling()).isEqualTo(ErrorHandling.SESSION_RESET);
        assertThat(e.toNotification().error()).contains(BgpError.INVALID_ORIGIN_ATTRIBUTE);
        assertThat(e.toNotification().data()).containsExactly(0x40, 1, 1, 3);
    }

    @Test
    void notificationForABadLengthCarriesTheLengthField() {
        assertThat(decodeError("header/keepalive-with-body.hex").toNotification())
                .isEqualTo(new NotificationMessage(BgpError.BAD_MESSAGE_LENGTH, new byte[] {0, 20}));
    }

    @Test
    void anInvalidRouteRefreshLengthCarriesTheWholeMessage() {
        var e = decodeError("route-refresh/borr-length-5.hex");
        assertThat(e.data()).hasSize(24);
        assertThat(List.of(e.error())).containsExactly(BgpError.ROUTE_REFRESH_INVALID_LENGTH);
    }
}
