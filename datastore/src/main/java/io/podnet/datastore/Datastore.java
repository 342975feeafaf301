package io.podnet.datastore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The key-value store every cluster-wide component uses: overlay subnet leases, IPAM blocks, the BGP node
 * registry, policy. Keys are strings, values bytes. The model is etcd v3's: a global revision bumped once per
 * write transaction, per-key create/mod revision and version, leases, and watches from a revision.
 *
 * <pre>
 *   caller ──get/range/put/delete/txn──► Datastore ──► etcd (EtcdDatastore, jetcd/gRPC)
 *          ◄──────── WatchResponse ─────           └─► in memory (MemoryDatastore, for unit tests)
 * </pre>
 *
 * Every method is bounded in time: when the store cannot be reached it throws {@link UnavailableException}
 * rather than wait. Watches survive outages by themselves and resume from the last revision they delivered.
 */
public interface Datastore extends AutoCloseable {
    /** The key, if present. */
    Optional<KeyValue> get(String key) throws DatastoreException;

    /**
     * One page of the keys starting with {@code prefix}, in key order.
     *
     * @param prefix   key prefix ("" = every key)
     * @param startKey first key of the page (inclusive), or "" to start at the prefix
     * @param limit    page size, at least 1
     * @param revision read at this revision (0 = latest); a compacted revision throws {@link CompactedException}
     */
    RangePage range(String prefix, String startKey, int limit, long revision) throws DatastoreException;

    /** Puts a value; returns the new store revision. */
    default long put(String key, byte[] value) throws DatastoreException {
        return put(key, value, 0);
    }

    /** Puts a value attached to {@code lease} (0 = none); returns the new store revision. */
    long put(String key, byte[] value, long lease) throws DatastoreException;

    /** Deletes the key; returns whether it existed. */
    boolean delete(String key) throws DatastoreException;

    /** Runs a transaction atomically. A failed compare is a result, not an exception ({@link TxnResult#orThrow}). */
    TxnResult txn(Txn txn) throws DatastoreException;

    /** Grants a lease of at least {@code ttl} (whole seconds, rounded up). */
    Lease grantLease(Duration ttl) throws DatastoreException;

    /** Renews a lease once; returns its TTL afresh. Callers renew about every TTL/3. */
    Duration keepAlive(long leaseId) throws DatastoreException;

    /** Revokes a lease, deleting its keys. Revoking an unknown lease throws {@link LeaseNotFoundException}. */
    void revokeLease(long leaseId) throws DatastoreException;

    /**
     * Watches every key under {@code prefix}, delivering events from {@code fromRevision} on (0 = changes after
     * now). Events already in history are replayed first. If {@code fromRevision} was compacted the listener
     * receives {@link WatchResponse.Compacted}.
     */
    Watch watch(String prefix, long fromRevision, WatchListener listener) throws DatastoreException;

    /** The current store revision. */
    long revision() throws DatastoreException;

    /** Discards history before {@code revision}. */
    void compact(long revision) throws DatastoreException;

    @Override
    void close();

    /** Puts only if the key does not exist; throws {@link ConflictException} if it does. */
    default long create(String key, byte[] value, long lease) throws DatastoreException {
        return txn(Txn.when(Compare.absent(key), Op.put(key, value, lease))).orThrow().revision();
    }

    /** Puts only if the key was last modified at {@code modRevision}; else {@link ConflictException}. */
    default long compareAndPut(String key, long modRevision, byte[] value) throws DatastoreException {
        return txn(Txn.when(Compare.modRevisionIs(key, modRevision), Op.put(key, value))).orThrow().revision();
    }

    /** Every key under {@code prefix} at one revision, read in pages of {@code pageSize}. */
    default Snapshot snapshot(String prefix, int pageSize) throws DatastoreException {
        List<KeyValue> all = new ArrayList<>();
        RangePage page = range(prefix, "", pageSize, 0);
        long rev = page.revision();
        all.addAll(page.kvs());
        while (page.nextKey().isPresent()) {
            page = range(prefix, page.nextKey().get(), pageSize, rev);
            all.addAll(page.kvs());
        }
        return new Snapshot(all, rev);
    }
}
