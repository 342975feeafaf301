package io.podnet.datastore.memory;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.datastore.CompactedException;
import io.podnet.datastore.DatastoreException;
import io.podnet.datastore.Lease;
import io.podnet.datastore.Op;
import io.podnet.datastore.Recorder;
import io.podnet.datastore.Txn;
import io.podnet.datastore.Watch;
import io.podnet.testkit.ManualClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Memory-only details: the clock drives leases exactly; revisions behave like a fresh etcd. */
class MemoryDatastoreSemanticsTest {
    private final ManualClock clock = new ManualClock();

    @Test
    void startsAtRevisionOneAndBumpsOncePerWritingTransaction() throws Exception {
        try (MemoryDatastore s = new MemoryDatastore(clock)) {
            assertThat(s.revision()).isEqualTo(1);
            s.txn(Txn.batch(List.of(Op.put("/a", b("1")), Op.put("/b", b("1")))));
            assertThat(s.revision()).isEqualTo(2);
            s.delete("/absent");
            assertThat(s.revision()).isEqualTo(2);
        }
    }

    @Test
    void leaseLivesExactlyItsTtlAndKeepAliveRestartsIt() throws Exception {
        try (MemoryDatastore s = new MemoryDatastore(clock)) {
            Lease l = s.grantLease(Duration.ofMillis(1500));
            assertThat(l.ttl()).isEqualTo(Duration.ofSeconds(2));
            s.put("/k", b("v"), l.id());
            clock.advance(Duration.ofMillis(1999));
            assertThat(s.get("/k")).isPresent();
            s.keepAlive(l.id());
            clock.advance(Duration.ofMillis(1999));
            s.expireLeases();
            assertThat(s.get("/k")).isPresent();
            clock.advance(Duration.ofMillis(1));
            assertThat(s.get("/k")).isEmpty();
        }
    }

    @Test
    void rePuttingWithoutTheLeaseDetachesTheKey() throws Exception {
        try (MemoryDatastore s = new MemoryDatastore(clock)) {
            Lease l = s.grantLease(Duration.ofSeconds(5));
            s.put("/k", b("v"), l.id());
            s.put("/k", b("v2"));
            s.revokeLease(l.id());
            assertThat(s.get("/k").orElseThrow().lease()).isZero();
        }
    }

    @Test
    void compactionRejectsOldAndFutureRevisions() throws Exception {
        try (MemoryDatastore s = new MemoryDatastore(clock)) {
            long r = s.put("/a", b("1"));
            s.compact(r);
            assertThatThrownBy(() -> s.compact(r)).isInstanceOf(CompactedException.class);
            assertThatThrownBy(() -> s.compact(r + 5)).isInstanceOf(DatastoreException.class).hasMessageContaining("future");
            assertThat(s.range("/", "", 10, r).kvs()).hasSize(1);
            assertThat(s.compactRevision()).isEqualTo(r);
        }
    }

    @Test
    void closedStoreRefusesCallsAndStopsWatches() throws Exception {
        MemoryDatastore s = new MemoryDatastore(clock);
        Recorder rec = new Recorder();
        Watch w = s.watch("/", 0, rec);
        s.close();
        assertThatThrownBy(() -> s.put("/a", b("1"))).isInstanceOf(DatastoreException.class).hasMessageContaining("closed");
        assertThat(w.lastRevision()).isEqualTo(1);
        assertThat(rec.events()).isEmpty();
    }

    private static byte[] b(String s) { return s.getBytes(UTF_8); }
}
