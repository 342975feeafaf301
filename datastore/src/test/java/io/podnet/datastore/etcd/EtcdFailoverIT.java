package io.podnet.datastore.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.datastore.Datastore;
import io.podnet.datastore.Event;
import io.podnet.datastore.Recorder;
import io.podnet.datastore.Watch;
import io.podnet.testkit.EtcdCluster;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A 3-member cluster on loopback keeps serving with one member down (each client). */
class EtcdFailoverIT {
    @ParameterizedTest
    @EnumSource(EtcdClient.class)
    void aDeadEndpointInTheListIsSkipped(EtcdClient client) throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(3)) {
            cluster.member(1).stop();
            try (Datastore store = client.connect(
                    EtcdConfig.of(cluster.clientUrls()).withTimeout(Duration.ofSeconds(30)))) {
                for (int i = 0; i < 20; i++) store.put("/dead/" + i, "v".getBytes(UTF_8));
                assertThat(store.snapshot("/dead/", 100).kvs()).hasSize(20);
            }
        }
    }

    /** The leader stops: the survivors elect a new one and the client moves on without failing a call. */
    @ParameterizedTest
    @EnumSource(EtcdClient.class)
    void oneOfThreeEndpointsDownStillWorks(EtcdClient client) throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(3);
             Datastore store = client.connect(
                     EtcdConfig.of(cluster.clientUrls()).withTimeout(Duration.ofSeconds(30)))) {
            for (int i = 0; i < 10; i++) store.put("/fo/before-" + i, "v".getBytes(UTF_8));
            Recorder rec = new Recorder();
            try (Watch _ = store.watch("/fo/", 0, rec)) {
                int leader = cluster.leaderIndex();
                cluster.member(leader).stop();
                for (int i = 0; i < 30; i++) store.put("/fo/after-" + i, "v".getBytes(UTF_8));
                assertThat(store.snapshot("/fo/", 7).kvs()).hasSize(40);
                List<Event> events = rec.awaitEvents(30, Duration.ofSeconds(20));
                assertThat(events).extracting(Event::key).startsWith("/fo/after-0").endsWith("/fo/after-29");
                assertThat(events).extracting(Event::revision).isSorted().doesNotHaveDuplicates();
            }
        }
    }

    /** Every member is restarted in turn, so the one carrying the watch stream goes down at some point. */
    @ParameterizedTest
    @EnumSource(EtcdClient.class)
    void rollingRestartKeepsTheWatchWhole(EtcdClient client) throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(3);
             Datastore store = client.connect(
                     EtcdConfig.of(cluster.clientUrls()).withTimeout(Duration.ofSeconds(30)))) {
            Recorder rec = new Recorder();
            List<String> expected = new java.util.ArrayList<>();
            try (Watch _ = store.watch("/roll/", 0, rec)) {
                for (int m = 0; m < 3; m++) {
                    cluster.member(m).stop();
                    for (int i = 0; i < 5; i++) {
                        String k = "/roll/m" + m + "-" + i;
                        store.put(k, "v".getBytes(UTF_8));
                        expected.add(k);
                    }
                    cluster.member(m).start();
                }
                List<Event> events = rec.awaitEvents(expected.size(), Duration.ofSeconds(30));
                assertThat(events).extracting(Event::key).containsExactlyElementsOf(expected);
                Recorder.eventually(Duration.ofSeconds(2), "no duplicates", () -> rec.events().size() == expected.size());
            }
        }
    }
}
