package io.podnet.rtnetlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.testkit.Netns;
import io.podnet.testkit.NetnsExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NetnsExtension.class)
class LinkReaperNetnsIT {

    @Test
    void aDeletedVethPairIsGoneFromBothNamespacesWhenDeleteReturns(Netns host, Netns pod) throws Exception {
        try (var h = Rtnetlink.open(NetNs.named(host.name())); var p = Rtnetlink.open(NetNs.named(pod.name()));
             var reaper = LinkReaper.open(h.namespace(), 2)) {
            h.links().add(LinkAttrs.named("rp0").up(), LinkKind.Veth.peerIn("eth0", p.namespace()));
            assertThat(reaper.delete("rp0")).isTrue();
            // unlisted: neither end is visible, and the name can be used again at once
            assertThat(h.links().get("rp0")).isEmpty();
            assertThat(p.links().get("eth0")).isEmpty();
            h.links().add(LinkAttrs.named("rp0").up(), LinkKind.Veth.peerIn("eth0", p.namespace()));
            assertThat(reaper.delete("rp0")).isTrue();
            assertThat(reaper.delete("rp0")).isFalse(); // already gone: not an error
        }
    }

    @Test
    void aRemovalsOnlySubscriptionIsNotWokenForOtherLinkEvents(Netns host) throws Exception {
        List<LinkEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (var h = Rtnetlink.open(NetNs.named(host.name())); var sub = Subscription.links(h.namespace(), events::add, true)) {
            h.links().add(LinkAttrs.named("rf0"), LinkKind.Veth.peer("rf0p"));
            h.links().setUp("rf0");
            h.links().setMtu("rf0", 1400);
            h.links().delete("rf0");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline && events.size() < 2) Thread.onSpinWait();
            assertThat(sub.isRunning()).isTrue();
        }
        assertThat(events).hasSize(2).allSatisfy(e -> assertThat(e).isInstanceOf(LinkEvent.Removed.class));
        assertThat(events).extracting(e -> e.link().name()).containsExactlyInAnyOrder("rf0", "rf0p");
    }

    @Test
    void withoutEventsADeleteStillCompletesWhenItsRequestIsAnswered(Netns host, Netns pod) throws Exception {
        try (var h = Rtnetlink.open(NetNs.named(host.name())); var p = Rtnetlink.open(NetNs.named(pod.name()));
             var reaper = LinkReaper.openWithoutEvents(h.namespace(), 1)) {
            h.links().add(LinkAttrs.named("rw0").up(), LinkKind.Veth.peerIn("eth0", p.namespace()));
            assertThat(reaper.delete("rw0")).isTrue();
            assertThat(h.links().get("rw0")).isEmpty();
            assertThat(p.links().get("eth0")).isEmpty();
            assertThat(reaper.delete("rw0")).isFalse();
        }
    }

    @Test
    void twoDeletesOfOneLinkAtOnceBothSucceed(Netns host) throws Exception {
        try (var h = Rtnetlink.open(NetNs.named(host.name())); var reaper = LinkReaper.open(h.namespace(), 2)) {
            for (int round = 0; round < 10; round++) {
                h.links().add(LinkAttrs.named("rj0"), LinkKind.Veth.peer("rj0p"));
                ExecutorService callers = Executors.newFixedThreadPool(2);
                try {
                    Future<Boolean> a = callers.submit(() -> reaper.delete("rj0"));
                    Future<Boolean> b = callers.submit(() -> reaper.delete("rj0"));
                    a.get();
                    b.get(); // either joined the first or found nothing: no error either way
                } finally {
                    callers.shutdownNow();
                }
                assertThat(h.links().get("rj0")).isEmpty();
            }
        }
    }

    @Test
    void closeRefusesLaterDeletesClearly(Netns host) throws Exception {
        var h = Rtnetlink.open(NetNs.named(host.name()));
        try {
            LinkReaper reaper = LinkReaper.open(h.namespace(), 1);
            reaper.close();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> reaper.delete("rc0"))
                    .isInstanceOf(java.io.IOException.class).hasMessageContaining("reaper closed");
        } finally {
            h.close();
        }
    }

    @Test
    void manyConcurrentDeletionsAllComplete(Netns host) throws Exception {
        try (var h = Rtnetlink.open(NetNs.named(host.name())); var reaper = LinkReaper.open(h.namespace(), 3)) {
            for (int i = 0; i < 24; i++) h.links().add(LinkAttrs.named("rq" + i), LinkKind.Veth.peer("rqp" + i));
            ExecutorService callers = Executors.newFixedThreadPool(8);
            try {
                List<Future<Boolean>> done = new ArrayList<>();
                for (int i = 0; i < 24; i++) {
                    String name = "rq" + i;
                    done.add(callers.submit(() -> reaper.delete(name)));
                }
                for (Future<Boolean> f : done) assertThat(f.get()).isTrue();
            } finally {
                callers.shutdownNow();
            }
            assertThat(h.links().list()).extracting(Link::name).containsExactly("lo");
        }
    }
}
