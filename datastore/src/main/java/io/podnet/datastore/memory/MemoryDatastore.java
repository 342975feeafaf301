package io.podnet.datastore.memory;

import io.podnet.datastore.CompactedException;
import io.podnet.datastore.Compare;
import io.podnet.datastore.Datastore;
import io.podnet.datastore.DatastoreException;
import io.podnet.datastore.Event;
import io.podnet.datastore.KeyValue;
import io.podnet.datastore.Lease;
import io.podnet.datastore.LeaseNotFoundException;
import io.podnet.datastore.Op;
import io.podnet.datastore.RangePage;
import io.podnet.datastore.Txn;
import io.podnet.datastore.TxnResult;
import io.podnet.datastore.Watch;
import io.podnet.datastore.WatchListener;
import io.podnet.datastore.WatchResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory {@link Datastore} with etcd's semantics, for unit tests of the code above it: one global
 * revision bumped per write transaction (starting at 1, like a fresh etcd), per-key MVCC history so ranges
 * at old revisions and watches from old revisions replay, compaction, and leases timed by an injected
 * {@link InstantSource}. Expired leases are reaped at the start of every operation and by
 * {@link #expireLeases()}; a test advances its manual clock and calls either.
 *
 * <p>Complicating factors: watch callbacks run on one virtual thread per watch, fed under the store's lock so
 * batches keep revision order; the lock is never held while a listener runs. Histories are kept until
 * {@link #compact}, so memory grows with the number of writes, which is fine for tests.
 */
public final class MemoryDatastore implements Datastore {
    private record LeaseState(long id, Duration ttl, Instant expiresAt, Set<String> keys) {}

    private final InstantSource clock;
    private final TreeMap<String, KeyHistory> keys = new TreeMap<>();
    private final List<Event> log = new ArrayList<>();
    private final Map<Long, LeaseState> leases = new HashMap<>();
    private final List<MemoryWatch> watches = new CopyOnWriteArrayList<>();
    private long revision = 1;
    private long compactRevision;
    private long nextLease = 0x694d_0000_0000L;
    private boolean closed;

    public MemoryDatastore(InstantSource clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public synchronized Optional<KeyValue> get(String key) throws DatastoreException {
        open();
        KeyHistory h = keys.get(key);
        return Optional.ofNullable(h == null ? null : h.current());
    }

    @Override
    public synchronized RangePage range(String prefix, String startKey, int limit, long atRevision)
            throws DatastoreException {
        open();
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1: " + limit);
        long rev = atRevision == 0 ? revision : atRevision;
        if (rev < compactRevision) {
            throw new CompactedException("revision " + rev + " was compacted (oldest " + compactRevision + ")",
                    compactRevision);
        }
        if (rev > revision) throw new DatastoreException("revision " + rev + " is in the future (now " + revision + ")");
        String from = startKey.compareTo(prefix) > 0 ? startKey : prefix;
        List<KeyValue> page = new ArrayList<>();
        boolean more = false;
        for (var e : keys.tailMap(from, true).entrySet()) {
            if (!e.getKey().startsWith(prefix)) break;
            KeyValue kv = e.getValue().at(rev);
            if (kv == null) continue;
            if (page.size() == limit) {
                more = true;
                break;
            }
            page.add(kv);
        }
        return new RangePage(page, more, rev);
    }

    @Override
    public long put(String key, byte[] value, long lease) throws DatastoreException {
        return txn(Txn.batch(List.of(Op.put(key, value, lease)))).revision();
    }

    @Override
    public synchronized boolean delete(String key) throws DatastoreException {
        open();
        boolean existed = get(key).isPresent();
        txn(Txn.batch(List.of(Op.delete(key))));
        return existed;
    }

    @Override
    public synchronized TxnResult txn(Txn txn) throws DatastoreException {
        open();
        boolean ok = txn.compares().stream().allMatch(c -> c.holdsFor(current(c.key())));
        List<Op> ops = ok ? txn.onSuccess() : txn.onFailure();
        for (Op op : ops) {
            if (op instanceof Op.Put p && p.lease() != 0 && !leases.containsKey(p.lease())) {
                throw new LeaseNotFoundException(p.lease());
            }
        }
        List<Event> events = new ArrayList<>();
        long rev = revision + 1;
        for (Op op : ops) {
            switch (op) {
                case Op.Put p -> events.add(applyPut(p, rev));
                case Op.Delete d -> applyDelete(d.key(), rev).ifPresent(events::add);
            }
        }
        commit(events);
        return new TxnResult(ok, revision);
    }

    @Override
    public synchronized Lease grantLease(Duration ttl) throws DatastoreException {
        open();
        Duration rounded = roundUpToSeconds(ttl);
        long id = nextLease++;
        leases.put(id, new LeaseState(id, rounded, clock.instant().plus(rounded), new LinkedHashSet<>()));
        return new Lease(id, rounded);
    }

    @Override
    public synchronized Duration keepAlive(long leaseId) throws DatastoreException {
        open();
        LeaseState l = leases.get(leaseId);
        if (l == null) throw new LeaseNotFoundException(leaseId);
        leases.put(leaseId, new LeaseState(leaseId, l.ttl(), clock.instant().plus(l.ttl()), l.keys()));
        return l.ttl();
    }

    @Override
    public synchronized void revokeLease(long leaseId) throws DatastoreException {
        open();
        if (!leases.containsKey(leaseId)) throw new LeaseNotFoundException(leaseId);
        revoke(leaseId);
    }

    /** Revokes every lease whose TTL has run out by the clock, deleting its keys. */
    public synchronized void expireLeases() {
        Instant now = clock.instant();
        List<Long> expired = leases.values().stream()
                .filter(l -> !l.expiresAt().isAfter(now)).map(LeaseState::id).sorted().toList();
        expired.forEach(this::revoke);
    }

    @Override
    public synchronized Watch watch(String prefix, long fromRevision, WatchListener listener)
            throws DatastoreException {
        open();
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(listener, "listener");
        long from = fromRevision == 0 ? revision + 1 : fromRevision;
        MemoryWatch w = new MemoryWatch(prefix, from, listener);
        if (from < compactRevision) {
            w.enqueue(new WatchResponse.Compacted(compactRevision, from));
        } else {
            List<Event> replay = log.stream().filter(e -> e.revision() >= from && e.key().startsWith(prefix)).toList();
            byRevision(replay).forEach(w::enqueue);
            watches.add(w);
        }
        w.start();
        return w;
    }

    @Override
    public synchronized long revision() throws DatastoreException {
        open();
        return revision;
    }

    @Override
    public synchronized void compact(long rev) throws DatastoreException {
        open();
        if (rev <= compactRevision) {
            throw new CompactedException("revision " + rev + " is already compacted", compactRevision);
        }
        if (rev > revision) throw new DatastoreException("cannot compact future revision " + rev);
        compactRevision = rev;
        keys.values().removeIf(h -> h.compact(rev));
        log.removeIf(e -> e.revision() < rev);
    }

    /** The oldest revision still in history (0 before any compaction). */
    public synchronized long compactRevision() { return compactRevision; }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        watches.forEach(MemoryWatch::close);
        watches.clear();
    }

    private void open() throws DatastoreException {
        if (closed) throw new DatastoreException("datastore closed");
        expireLeases();
    }

    private KeyValue current(String key) {
        KeyHistory h = keys.get(key);
        return h == null ? null : h.current();
    }

    private Event applyPut(Op.Put p, long rev) {
        KeyValue prev = current(p.key());
        if (prev != null && prev.lease() != 0 && leases.containsKey(prev.lease())) {
            leases.get(prev.lease()).keys().remove(p.key());
        }
        KeyValue kv = prev == null
                ? new KeyValue(p.key(), p.value(), rev, rev, 1, p.lease())
                : new KeyValue(p.key(), p.value(), prev.createRevision(), rev, prev.version() + 1, p.lease());
        keys.computeIfAbsent(p.key(), _ -> new KeyHistory()).add(rev, kv);
        if (p.lease() != 0) leases.get(p.lease()).keys().add(p.key());
        return new Event(Event.Type.PUT, kv, Optional.ofNullable(prev));
    }

    private Optional<Event> applyDelete(String key, long rev) {
        KeyValue prev = current(key);
        if (prev == null) return Optional.empty();
        if (prev.lease() != 0 && leases.containsKey(prev.lease())) leases.get(prev.lease()).keys().remove(key);
        keys.get(key).add(rev, null);
        return Optional.of(new Event(Event.Type.DELETE, new KeyValue(key, new byte[0], 0, rev, 0, 0), Optional.of(prev)));
    }

    private void revoke(long leaseId) {
        LeaseState l = leases.remove(leaseId);
        long rev = revision + 1;
        List<Event> events = new ArrayList<>();
        for (String key : l.keys()) applyDelete(key, rev).ifPresent(events::add);
        commit(events);
    }

    /** Publishes one revision's events; bumps the revision if anything changed. */
    private void commit(List<Event> events) {
        if (events.isEmpty()) return;
        revision++;
        log.addAll(events);
        watches.removeIf(MemoryWatch::closed);
        for (MemoryWatch w : watches) {
            List<Event> mine = events.stream().filter(e -> e.key().startsWith(w.prefix())).toList();
            if (!mine.isEmpty()) w.enqueue(new WatchResponse.Events(mine));
        }
    }

    private static List<WatchResponse> byRevision(List<Event> events) {
        List<WatchResponse> out = new ArrayList<>();
        int i = 0;
        while (i < events.size()) {
            int j = i;
            while (j < events.size() && events.get(j).revision() == events.get(i).revision()) j++;
            out.add(new WatchResponse.Events(events.subList(i, j)));
            i = j;
        }
        return out;
    }

    private static Duration roundUpToSeconds(Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("lease TTL must be positive: " + ttl);
        long s = ttl.getSeconds() + (ttl.getNano() > 0 ? 1 : 0);
        return Duration.ofSeconds(s);
    }
}
