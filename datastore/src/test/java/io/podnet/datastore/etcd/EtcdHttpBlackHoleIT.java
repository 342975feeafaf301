package io.podnet.datastore.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.datastore.Event;
import io.podnet.datastore.Recorder;
import io.podnet.datastore.Watch;
import io.podnet.testkit.EtcdServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JSON-gateway client behind a network that swallows everything without a FIN or RST (jetcd notices that by
 * its gRPC keep-alive pings; the gateway cannot carry them): the silent watch stream is re-opened, the member that
 * does not answer is left for the next one, and no event is lost or repeated.
 */
class EtcdHttpBlackHoleIT {
    @Test
    void aWatchOnABlackHoledMemberMovesToTheNextWithoutLosingEvents() throws Exception {
        try (EtcdServer etcd = EtcdServer.launch();
             Relay relay = new Relay(etcd.clientUrl());
             EtcdHttpDatastore store = EtcdHttpDatastore.connect(
                     EtcdConfig.of(List.of(relay.url(), etcd.clientUrl())).withTimeout(Duration.ofSeconds(2)), Duration.ofMillis(800));
             EtcdHttpDatastore direct = EtcdHttpDatastore.connect(EtcdConfig.of(List.of(etcd.clientUrl())))) {
            Recorder rec = new Recorder();
            List<String> expected = new ArrayList<>(List.of("/bh/before"));
            try (Watch _ = store.watch("/bh/", 0, rec)) {
                direct.put("/bh/before", "v".getBytes(UTF_8));
                rec.awaitEvents(1, Duration.ofSeconds(20));
                relay.freeze();
                for (int i = 0; i < 5; i++) {
                    direct.put("/bh/after-" + i, "v".getBytes(UTF_8));
                    expected.add("/bh/after-" + i);
                }
                List<Event> events = rec.awaitEvents(expected.size(), Duration.ofSeconds(20));
                assertThat(events).extracting(Event::key).containsExactlyElementsOf(expected);
                assertThat(events).extracting(Event::revision).isSorted().doesNotHaveDuplicates();
                assertThat(store.get("/bh/after-4")).as("calls go to the member that answers").isPresent();
            }
        }
    }
}
