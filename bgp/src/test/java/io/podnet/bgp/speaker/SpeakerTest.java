package io.podnet.bgp.speaker;

import static io.podnet.bgp.speaker.SpeakerHarness.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.bgp.fsm.State;
import io.podnet.bgp.message.*;
import io.podnet.bgp.message.PathAttribute.*;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A whole speaker over the in-memory transport with manual time: sessions, routes, refresh, limits. */
class SpeakerTest {
    static final IpPrefix P = IpPrefix.parse("10.244.10.0/24");
    final SpeakerHarness h = new SpeakerHarness();

    @AfterEach
    void close() { h.close(); }

    static UpdateMessage announce(long asn, IpAddress nh, IpPrefix... prefixes) {
        return new UpdateMessage(List.of(), List.of(Origin.IGP, new AsPath(List.of(AsPathSegment.sequence(asn))), new NextHop(nh)),
                List.of(prefixes));
    }

    @Test
    void aRouteFromTheEbgpSenderReachesTheObserverWithOurAsPrependedAndNextHopSelf() {
        ScriptedPeer sender = h.ebgpSender();
        ScriptedPeer observer = h.observer();
        sender.send(announce(65001, EBGP, P));
        h.sync();
        assertThat(observer.routes).containsKey(P);
        assertThat(observer.attribute(P, AsPath.class)).get().extracting(AsPath::segments)
                .isEqualTo(List.of(AsPathSegment.sequence(64512L, 65001L)));
        assertThat(observer.attribute(P, NextHop.class)).get().extracting(NextHop::address).isEqualTo(SPEAKER);
        assertThat(h.state(EBGP)).isEqualTo(State.ESTABLISHED);
    }
}
