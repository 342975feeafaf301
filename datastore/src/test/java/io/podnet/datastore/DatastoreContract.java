package io.podnet.datastore;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one contract both datastores meet. Subclasses supply the store and how lease time passes; each test
 * works under its own key prefix so a shared etcd needs no wiping between tests.
 */
public abstract class DatastoreContract {
    private static final AtomicInteger TESTS = new AtomicInteger();
    protected static final Duration WAIT = Duration.ofSeconds(20);

    protected String p;

    /** The store under test (shared across tests of a class is fine). */
    protected abstract Datastore store();

    /** The lease TTL used by lease tests. */
    protected abstract Duration leaseTtl();

    /** Lets a lease of {@link #leaseTtl()} run out (memory: advance the clock; etcd: nothing, tests poll). */
    protected abstract void letLeasesExpire();

    /** CAS rounds in the race test. */
    protected int casRounds() { return 10; }

    @BeforeEach
    void prefix() {
        p = "/contract/" + getClass().getSimpleName() + "/" + TESTS.incrementAndGet() + "/";
    }

    protected static byte[] b(String s) { return s.getBytes(UTF_8); }

    @Test
    void putGetDeleteTrackRevisionsAndVersions() throws Exception {
        Datastore s = store();
        long r1 = s.put(p + "a", b("1"));
        long r2 = s.put(p + "a", b("2"));
        KeyValue kv = s.get(p + "a").orElseThrow();
        assertThat(r2).isEqualTo(r1 + 1);
        assertThat(kv.valueUtf8()).isEqualTo("2");
        assertThat(kv.createRevision()).isEqualTo(r1);
        assertThat(kv.modRevision()).isEqualTo(r2);
        assertThat(kv.version()).isEqualTo(2);
        assertThat(kv.lease()).isZero();
        assertThat(s.revision()).isGreaterThanOrEqualTo(r2);
        assertThat(s.delete(p + "a")).isTrue();
        assertThat(s.delete(p + "a")).isFalse();
        assertThat(s.get(p + "a")).isEmpty();
        long r3 = s.put(p + "a", b("3"));
        assertThat(s.get(p + "a").orElseThrow().createRevision()).isEqualTo(r3);
        assertThat(s.get(p + "a").orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void multiKeyTransactionAppliesAllOrNothing() throws Exception {
        Datastore s = store();
        long rev = s.put(p + "x", b("x0"));
        s.put(p + "gone", b("g"));
        Txn ok = new Txn(List.of(Compare.modRevisionIs(p + "x", rev), Compare.absent(p + "y"), Compare.present(p + "gone")),
                List.of(Op.put(p + "x", b("x1")), Op.put(p + "y", b("y1")), Op.delete(p + "gone")), List.of());
        TxnResult r = s.txn(ok);
        assertThat(r.succeeded()).isTrue();
        assertThat(s.get(p + "x").orElseThrow().modRevision()).isEqualTo(r.revision());
        assertThat(s.get(p + "y").orElseThrow().modRevision()).isEqualTo(r.revision());
        assertThat(s.get(p + "gone")).isEmpty();

        long before = s.revision();
        TxnResult failed = s.txn(new Txn(List.of(Compare.absent(p + "z"), Compare.versionIs(p + "x", 7)),
                List.of(Op.put(p + "z", b("z"))), List.of(Op.put(p + "failed", b("f")))));
        assertThat(failed.succeeded()).isFalse();
        assertThat(s.get(p + "z")).isEmpty();
        assertThat(s.get(p + "failed").orElseThrow().modRevision()).isEqualTo(before + 1);
        assertThatThrownBy(failed::orThrow).isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> s.create(p + "x", b("again"), 0)).isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> s.compareAndPut(p + "x", rev, b("stale"))).isInstanceOf(ConflictException.class);
    }

    @Test
    void casRaceBetweenTwentyThreadsHasExactlyOneWinnerPerRound() throws Exception {
        Datastore s = store();
        String key = p + "counter";
        s.put(key, b("0"));
        int threads = 20;
        for (int round = 0; round < casRounds(); round++) {
            KeyValue seen = s.get(key).orElseThrow();
            CyclicBarrier start = new CyclicBarrier(threads);
            AtomicInteger winners = new AtomicInteger();
            AtomicInteger losers = new AtomicInteger();
            List<Thread> ts = new ArrayList<>();
            List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int t = 0; t < threads; t++) {
                String value = round + ":" + t;
                ts.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        TxnResult r = s.txn(Txn.when(Compare.modRevisionIs(key, seen.modRevision()), Op.put(key, b(value))));
                        (r.succeeded() ? winners : losers).incrementAndGet();
                    } catch (Exception e) {
                        errors.add(e);
                    }
                }));
            }
            for (Thread t : ts) t.join();
            assertThat(errors).isEmpty();
            assertThat(winners.get()).as("winners in round %d", round).isEqualTo(1);
            assertThat(losers.get()).isEqualTo(threads - 1);
            assertThat(s.get(key).orElseThrow().version()).isEqualTo(round + 2);
        }
    }

    @Test
    void leaseExpiryDeletesItsKeysAndEmitsDeleteEvents() throws Exception {
        Datastore s = store();
        Lease lease = s.grantLease(leaseTtl());
        assertThat(lease.ttl()).isGreaterThanOrEqualTo(leaseTtl());
        Recorder rec = new Recorder();
        try (Watch _ = s.watch(p, 0, rec)) {
            s.put(p + "a", b("a"), lease.id());
            s.put(p + "b", b("b"), lease.id());
            s.put(p + "keep", b("k"));
            assertThat(s.get(p + "a").orElseThrow().lease()).isEqualTo(lease.id());
            letLeasesExpire();
            Recorder.eventually(WAIT, "leased keys deleted", () -> s.get(p + "a").isEmpty() && s.get(p + "b").isEmpty());
            List<Event> events = rec.awaitEvents(5, WAIT);
            List<Event> deletes = events.stream().filter(e -> e.type() == Event.Type.DELETE).toList();
            assertThat(deletes).extracting(Event::key).containsExactlyInAnyOrder(p + "a", p + "b");
            assertThat(deletes.get(0).revision()).isEqualTo(deletes.get(1).revision());
            assertThat(deletes.get(0).prevKv().orElseThrow().lease()).isEqualTo(lease.id());
            assertThat(s.get(p + "keep")).isPresent();
            assertThatThrownBy(() -> s.keepAlive(lease.id())).isInstanceOf(LeaseNotFoundException.class);
            assertThatThrownBy(() -> s.put(p + "c", b("c"), lease.id())).isInstanceOf(LeaseNotFoundException.class);
        }
    }

    @Test
    void keepAliveRenewsAndRevokeDeletesKeys() throws Exception {
        Datastore s = store();
        Lease lease = s.grantLease(Duration.ofSeconds(30));
        s.put(p + "a", b("a"), lease.id());
        assertThat(s.keepAlive(lease.id())).isEqualTo(lease.ttl());
        s.revokeLease(lease.id());
        assertThat(s.get(p + "a")).isEmpty();
        assertThatThrownBy(() -> s.revokeLease(lease.id())).isInstanceOf(LeaseNotFoundException.class);
        assertThatThrownBy(() -> s.keepAlive(lease.id())).isInstanceOf(LeaseNotFoundException.class);
    }

    @Test
    void watchFromAnOldRevisionReplaysInOrderThenFollows() throws Exception {
        Datastore s = store();
        long first = s.put(p + "k0", b("v0"));
        List<String> expected = new ArrayList<>(List.of("PUT " + p + "k0"));
        for (int i = 1; i < 30; i++) {
            s.put(p + "k" + (i % 7), b("v" + i));
            expected.add("PUT " + p + "k" + (i % 7));
            if (i % 10 == 0) {
                s.delete(p + "k" + (i % 7));
                expected.add("DELETE " + p + "k" + (i % 7));
            }
        }
        s.put("/elsewhere" + p, b("not watched"));
        Recorder rec = new Recorder();
        try (Watch w = s.watch(p, first, rec)) {
            s.put(p + "live", b("live"));
            expected.add("PUT " + p + "live");
            List<Event> events = rec.awaitEvents(expected.size(), WAIT);
            assertThat(events).extracting(e -> e.type() + " " + e.key()).containsExactlyElementsOf(expected);
            assertThat(events).extracting(Event::revision).isSorted().doesNotHaveDuplicates();
            assertThat(events.get(0).revision()).isEqualTo(first);
            Event update = events.get(8);
            assertThat(update.prevKv().orElseThrow().valueUtf8()).isEqualTo("v1");
            Recorder.eventually(WAIT, "lastRevision", () -> w.lastRevision() == events.getLast().revision());
        }
    }

    @Test
    void compactionForcesASnapshotResync() throws Exception {
        Datastore s = store();
        long first = s.put(p + "a", b("1"));
        s.put(p + "b", b("1"));
        s.put(p + "a", b("2"));
        s.delete(p + "b");
        long now = s.put(p + "c", b("1"));
        s.compact(now);
        assertThatThrownBy(() -> s.range(p, "", 10, first)).isInstanceOf(CompactedException.class);
        Recorder stale = new Recorder();
        try (Watch _ = s.watch(p, first, stale)) {
            WatchResponse r = stale.awaitTerminal(WAIT);
            assertThat(r).isInstanceOf(WatchResponse.Compacted.class);
            assertThat(((WatchResponse.Compacted) r).compactRevision()).isEqualTo(now);
            assertThat(stale.events()).isEmpty();
        }
        Snapshot snap = s.snapshot(p, 2);
        assertThat(snap.kvs()).extracting(KeyValue::key, KeyValue::valueUtf8)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(p + "a", "2"), org.assertj.core.groups.Tuple.tuple(p + "c", "1"));
        Recorder fresh = new Recorder();
        try (Watch _ = s.watch(p, snap.revision() + 1, fresh)) {
            s.put(p + "d", b("1"));
            assertThat(fresh.awaitEvents(1, WAIT)).extracting(Event::key).containsExactly(p + "d");
        }
    }

    @Test
    void pagesOverTenThousandKeysAtOneRevision() throws Exception {
        Datastore s = store();
        int n = 10_000;
        List<Op> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(Op.put(p + "%05d".formatted(i), b("v" + i)));
            if (batch.size() == 100) {
                s.txn(Txn.batch(batch));
                batch.clear();
            }
        }
        RangePage page = s.range(p, "", 1000, 0);
        long rev = page.revision();
        s.put(p + "00000", b("changed after the first page"));
        s.put(p + "99999", b("added after the first page"));
        List<KeyValue> all = new ArrayList<>(page.kvs());
        int pages = 1;
        while (page.nextKey().isPresent()) {
            page = s.range(p, page.nextKey().get(), 1000, rev);
            assertThat(page.revision()).isEqualTo(rev);
            all.addAll(page.kvs());
            pages++;
        }
        assertThat(pages).isEqualTo(10);
        assertThat(all).hasSize(n);
        assertThat(all).extracting(KeyValue::key).isSorted().doesNotHaveDuplicates();
        assertThat(all.getLast().valueUtf8()).isEqualTo("v9999");
        assertThat(s.snapshot(p, 999).kvs()).hasSize(n + 1);
    }

    @Test
    void closedWatchDeliversNothingMore() throws Exception {
        Datastore s = store();
        Recorder rec = new Recorder();
        Watch w = s.watch(p, 0, rec);
        s.put(p + "a", b("1"));
        rec.awaitEvents(1, WAIT);
        w.close();
        s.put(p + "a", b("2"));
        Recorder after = new Recorder();
        try (Watch _ = s.watch(p, 0, after)) {
            s.put(p + "a", b("3"));
            after.awaitEvents(1, WAIT);
        }
        assertThat(rec.events()).hasSize(1);
    }

    @Test
    void aThrowingListenerDoesNotStopItsWatch() throws Exception {
        Datastore s = store();
        Recorder rec = new Recorder();
        try (Watch _ = s.watch(p, 0, r -> {
            rec.on(r);
            throw new IllegalStateException("listener bug");
        })) {
            s.put(p + "a", b("1"));
            s.put(p + "b", b("1"));
            assertThat(rec.awaitEvents(2, WAIT)).extracting(Event::key).containsExactly(p + "a", p + "b");
        }
    }
}
