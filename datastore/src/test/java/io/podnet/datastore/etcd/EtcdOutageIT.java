package io.podnet.datastore.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.datastore.ConflictException;
import io.podnet.datastore.Datastore;
import io.podnet.datastore.Event;
import io.podnet.datastore.Recorder;
import io.podnet.datastore.UnavailableException;
import io.podnet.datastore.Watch;
import io.podnet.testkit.EtcdServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** etcd goes away while a watch is open and comes back on the same ports and data (each client). */
class EtcdOutageIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @ParameterizedTest
    @EnumSource(EtcdClient.class)
    void watchResumesAfterRestartWithoutLosingOrRepeatingEvents(EtcdClient client) throws Exception {
        try (EtcdServer etcd = EtcdServer.launch();
             Datastore store = client.connect(
                     EtcdConfig.of(List.of(etcd.clientUrl())).withTimeout(Duration.ofSeconds(2)))) {
            createOnce(store, "/warm-up");   // a cold JVM needs seconds for its first call; not under test
            Recorder rec = new Recorder();
            List<String> expected = new ArrayList<>();
            try (Watch _ = store.watch("/outage/", 0, rec)) {
                for (int i = 0; i < 10; i++) expected.add(createOnce(store, "/outage/before-" + i));
                rec.awaitEvents(10, WAIT);

                etcd.stop();
                assertThatThrownBy(() -> store.put("/outage/during", "x".getBytes(UTF_8)))
                        .isInstanceOf(UnavailableException.class)
                        .hasMessageContaining(etcd.clientUrl().toString());
                assertThatThrownBy(() -> store.get("/outage/before-1")).isInstanceOf(UnavailableException.class);

                etcd.start();
                for (int i = 0; i < 10; i++) expected.add(createOnce(store, "/outage/after-" + i));
                List<Event> events = rec.awaitEvents(20, WAIT);
                assertThat(events).extracting(Event::key).containsExactlyElementsOf(expected);
                assertThat(events).extracting(Event::revision).isSorted().doesNotHaveDuplicates();
                assertThat(store.get("/outage/during")).isEmpty();
                Recorder.eventually(Duration.ofSeconds(2), "no late duplicates", () -> rec.events().size() == 20);
            }
        }
    }

    /**
     * Creates {@code key} exactly once, retrying through the outage: create-if-absent makes a retry of an attempt
     * that did land harmless (a ConflictException then means it landed).
     */
    private static String createOnce(Datastore store, String key) throws Exception {
        Instant deadline = Instant.now().plus(WAIT);
        while (true) {
            try {
                store.create(key, key.getBytes(UTF_8), 0);
                return key;
            } catch (ConflictException landed) {
                return key;
            } catch (UnavailableException e) {
                if (Instant.now().isAfter(deadline)) throw e;
                Thread.sleep(50);
            }
        }
    }
}
