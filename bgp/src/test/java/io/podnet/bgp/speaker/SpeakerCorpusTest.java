package io.podnet.bgp.speaker;

import static io.podnet.bgp.speaker.SpeakerHarness.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.bgp.corpus.CorpusCase;
import io.podnet.bgp.fsm.State;
import io.podnet.bgp.message.*;
import io.podnet.bgp.message.PathAttribute.*;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The corpus over the wire: each message is sent to a running speaker by one of three neighbours (an eBGP
 * sender, an iBGP sender, and an eBGP observer that should receive everything exportable), and the speaker's
 * reaction is checked from outside, as a peer sees it: the NOTIFICATION code and subcode it sends and the
 * connection it closes, the routes the observer holds (treat-as-withdraw, attribute discard, AFI/SAFI
 * disable, well-known communities), plus the RFC 7606 treatment the speaker reports for the sender.
 * Before each case the sender announces the prefixes the case is about, so that a withdrawal is visible.
 */
class SpeakerCorpusTest {
    static final IpPrefix P4 = IpPrefix.parse("10.244.10.0/24");
    static final IpPrefix NEW4 = IpPrefix.parse("10.244.11.0/24");
    static final IpPrefix NEW6 = IpPrefix.parse("fd00:244:11::/64");

    static Stream<CorpusCase> corpus() { return CorpusCase.all().stream(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void theRunningSpeakerReactsExactlyAsTheCaseSays(CorpusCase c) {
        try (SpeakerHarness h = new SpeakerHarness()) {
            new Run(h, c).run();
        }
    }

    /** One case against a fresh speaker. */
    private static final class Run {
        final SpeakerHarness h;
        final CorpusCase c;
        final String reaction;
        final List<IpPrefix> prefixes = new ArrayList<>();
        ScriptedPeer observer, ibgp, sender;

        Run(SpeakerHarness h, CorpusCase c) {
            this.h = h;
            this.c = c;
            this.reaction = c.wire().getFirst();
            for (String w : c.wire()) if (w.contains("/")) prefixes.add(IpPrefix.parse(w));
        }

        void run() {
            observer = h.observer();
            ibgp = h.ibgpSender();
            if (reaction.startsWith("open-")) {
                openCase();
                return;
            }
            sender = c.from().equals("ibgp") ? ibgp : connectSender();
            prime();
            sender.send(c.bytes());
            h.sync();
            check();
            observations();
        }

        /** The eBGP sender in the variant the case asks for. */
        ScriptedPeer connectSender() {
            PeerConfig pc = peerConfig(EBGP, 65001).withMultihop(c.from().equals("ebgp-multihop"));
            boolean four = !c.from().equals("ebgp-2octet");
            List<AfiSafi> fams = c.from().equals("ebgp-ipv4-only") ? List.of(AfiSafi.IPV4_UNICAST) : BOTH;
            byte[] open = ScriptedPeer.open(65001, EBGP, ScriptedPeer.capabilities(65001, four, fams));
            return h.connect(pc, open, new CodecOptions(four, false, false));
        }

        /** The OPEN family: the case is the eBGP sender's OPEN. */
        void openCase() {
            h.net.listenAt(at(EBGP));
            h.speaker.addPeer(peerConfig(EBGP, 65001)).join();
            ScriptedPeer s = new ScriptedPeer("sender", 65001, EBGP, new CodecOptions(true, false, false));
            s.ch = h.accept(EBGP);
            h.peers.put(EBGP, s);
            s.awaitMessages(1);
            s.send(c.bytes());
            if (reaction.equals("open-ok")) s.send(MessageCodec.encode(KeepaliveMessage.INSTANCE, CodecOptions.DEFAULT));
            h.sync();
            if (reaction.equals("open-ok")) {
                assertThat(h.state(EBGP)).as(c.name()).isEqualTo(State.ESTABLISHED);
                assertThat(s.notification()).as(c.name()).isEmpty();
            } else {
                expectNotification(s, Integer.parseInt(c.wire().get(1)), Integer.parseInt(c.wire().get(2)));
                assertThat(s.closed).as(c.name() + ": connection closed").isTrue();
                assertThat(h.status(EBGP).establishedSince()).as(c.name()).isEmpty();
            }
        }

        /** Announces the case's prefixes from its sender (the iBGP sender for a refresh: something to re-send). */
        void prime() {
            List<IpPrefix> p = prefixes.isEmpty() ? List.of(P4) : prefixes;
            ScriptedPeer from = reaction.equals("refresh") ? ibgp : sender;
            for (IpPrefix x : p) from.send(valid(from, x));
            h.sync();
            for (IpPrefix x : p) assertThat(observer.routes).as(c.name() + ": primed " + x).containsKey(x);
            for (ScriptedPeer n : h.peers.values()) n.clearMessages();
        }

        /** A valid announcement of {@code p} by neighbour {@code n}. */
        static UpdateMessage valid(ScriptedPeer n, IpPrefix p) {
            boolean internal = n.asn == AS;
            List<PathAttribute> attrs = new ArrayList<>(List.of(Origin.IGP,
                    internal ? AsPath.EMPTY : new AsPath(List.of(AsPathSegment.sequence(n.asn)))));
            if (internal) attrs.add(new LocalPref(100));
            if (p.address().isV4()) {
                attrs.add(new NextHop(n.address));
                return new UpdateMessage(List.of(), attrs, List.of(p));
            }
            IpAddress nh = IpAddress.parse("fd00::" + (n.address.v4Int() & 0xff));
            attrs.addFirst(new MpReach(AfiSafi.IPV6_UNICAST, List.of(nh), List.of(p)));
            return new UpdateMessage(List.of(), attrs, List.of());
        }

        void check() {
            List<IpPrefix> listed = prefixes;
            switch (reaction) {
                case "reset" -> {
                    expectNotification(sender, Integer.parseInt(c.wire().get(1)), Integer.parseInt(c.wire().get(2)));
                    assertThat(sender.closed).as(c.name() + ": connection closed").isTrue();
                    assertThat(observer.routes).as(c.name() + ": the sender's routes are gone").doesNotContainKey(P4);
                }
                case "close" -> {
                    assertThat(sender.notification()).as(c.name() + ": no NOTIFICATION in reply").isEmpty();
                    assertThat(sender.closed).as(c.name() + ": connection closed").isTrue();
                    assertThat(observer.routes).as(c.name()).doesNotContainKey(P4);
                }
                case "withdraw" -> {
                    stillUp();
                    for (IpPrefix x : listed) {
                        assertThat(observer.routes).as(c.name() + ": withdrawn at the observer").doesNotContainKey(x);
                        assertThat(h.inLocRib(x)).as(c.name() + ": not in the Loc-RIB").isFalse();
                    }
                    reported();
                }
                case "discard" -> {
                    stillUp();
                    for (IpPrefix x : listed) assertThat(observer.routes).as(c.name() + ": accepted").containsKey(x);
                    reported();
                }
                case "accept" -> {
                    stillUp();
                    for (IpPrefix x : listed) assertThat(observer.routes).as(c.name() + ": accepted").containsKey(x);
                    assertThat(h.status(sender.address).counters().malformedUpdates()).as(c.name() + ": nothing malformed").isZero();
                }
                case "hold" -> {
                    stillUp();
                    for (IpPrefix x : listed) {
                        assertThat(h.inLocRib(x)).as(c.name() + ": kept").isTrue();
                        assertThat(observer.routes).as(c.name() + ": not exported to the observer").doesNotContainKey(x);
                    }
                }
                case "ignore" -> {
                    stillUp();
                    assertThat(sender.received).as(c.name() + ": no answer").isEmpty();
                    assertThat(observer.received).as(c.name() + ": nothing for the observer").isEmpty();
                    assertThat(observer.routes).as(c.name()).containsKey(P4);
                    if (c.report().isPresent()) reported();
                    else assertThat(h.status(sender.address).counters().malformedUpdates()).as(c.name()).isZero();
                }
                case "disable" -> disabled(family(c.wire().get(1)), listed);
                case "refresh" -> {
                    stillUp();
                    AfiSafi f = family(c.wire().get(1));
                    List<BgpMessage> got = sender.received;
                    assertThat(got).as(c.name()).first().isEqualTo(new RouteRefreshMessage(f, RouteRefreshMessage.BORR));
                    assertThat(got).as(c.name()).last().isEqualTo(new RouteRefreshMessage(f, RouteRefreshMessage.EORR));
                    assertThat(got.subList(1, got.size() - 1)).as(c.name() + ": the Adj-RIB-Out between")
                            .isNotEmpty().allMatch(m -> m instanceof UpdateMessage);
                }
                default -> throw new AssertionError(c.name() + ": unknown reaction " + reaction);
            }
        }

        void disabled(AfiSafi f, List<IpPrefix> listed) {
            stillUp();
            for (IpPrefix x : listed) assertThat(observer.routes).as(c.name() + ": the family's routes are dropped").doesNotContainKey(x);
            assertThat(h.status(sender.address).disabledFamilies()).as(c.name()).contains(f);
            reported();
            // RFC 4760 §7: later routes of the family are ignored for the rest of the session; others are not
            boolean v4 = f.equals(AfiSafi.IPV4_UNICAST);
            sender.send(valid(sender, v4 ? NEW4 : NEW6));
            sender.send(valid(sender, v4 ? NEW6 : NEW4));
            h.sync();
            assertThat(observer.routes).as(c.name() + ": a new route of the disabled family is ignored").doesNotContainKey(v4 ? NEW4 : NEW6);
            assertThat(observer.routes).as(c.name() + ": the other family still works").containsKey(v4 ? NEW6 : NEW4);
        }

        static AfiSafi family(String s) {
            return switch (s) {
                case "ipv4-unicast" -> AfiSafi.IPV4_UNICAST;
                case "ipv6-unicast" -> AfiSafi.IPV6_UNICAST;
                default -> throw new IllegalArgumentException(s);
            };
        }

        void stillUp() {
            assertThat(sender.notification()).as(c.name() + ": no NOTIFICATION").isEmpty();
            assertThat(sender.closed).as(c.name() + ": connection kept").isFalse();
            assertThat(h.state(sender.address)).as(c.name()).isEqualTo(State.ESTABLISHED);
        }

        void reported() {
            CorpusCase.Verdict v = c.report().orElseThrow(() -> new AssertionError(c.name() + ": a reported case needs a codec or report line"));
            assertThat(h.status(sender.address).lastMalformed()).as(c.name() + ": the treatment the speaker reports")
                    .contains(new PeerStatus.Malformed(v.error(), v.handling()));
        }

        void expectNotification(ScriptedPeer p, int code, int subcode) {
            assertThat(p.notification()).as(c.name() + ": NOTIFICATION").get()
                    .satisfies(n -> assertThat(List.of(n.code(), n.subcode())).as(c.name()).containsExactly(code, subcode));
        }

        /** The {@code # observe:} lines. */
        void observations() {
            for (List<String> o : c.observe()) {
                List<String> w = o;
                ScriptedPeer who = observer;
                if (w.getFirst().equals("ibgp")) {
                    who = ibgp;
                    w = w.subList(1, w.size());
                }
                String what = c.name() + ": observe " + String.join(" ", o);
                if (w.getFirst().equals("present")) {
                    assertThat(who.routes).as(what).containsKey(IpPrefix.parse(w.get(1)));
                    continue;
                }
                if (w.getFirst().equals("absent")) {
                    assertThat(who.routes).as(what).doesNotContainKey(IpPrefix.parse(w.get(1)));
                    continue;
                }
                IpPrefix p = IpPrefix.parse(w.getFirst());
                assertThat(who.routes).as(what).containsKey(p);
                switch (w.get(1)) {
                    case "has-attribute" -> assertThat(who.hasAttributeType(p, Integer.parseInt(w.get(2)))).as(what).isTrue();
                    case "lacks-attribute" -> assertThat(who.hasAttributeType(p, Integer.parseInt(w.get(2)))).as(what).isFalse();
                    case "as-path" -> assertThat(who.attribute(p, AsPath.class).orElseThrow().segments().stream()
                            .flatMap(s -> s.asns().stream()).map(String::valueOf).toList()).as(what).isEqualTo(w.subList(2, w.size()));
                    case "large-communities" -> assertThat(who.attribute(p, LargeCommunities.class).orElseThrow().values().stream()
                            .map(l -> l.globalAdmin() + ":" + l.local1() + ":" + l.local2()).toList()).as(what).isEqualTo(w.subList(2, w.size()));
                    default -> throw new AssertionError("unknown observation " + o);
                }
            }
        }
    }
}
