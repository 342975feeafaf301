package io.podnet.overlay.node;

import io.podnet.datastore.Datastore;
import io.podnet.datastore.DatastoreException;
import io.podnet.datastore.KeyValue;
import io.podnet.datastore.Lease;
import io.podnet.datastore.RangePage;
import io.podnet.datastore.Txn;
import io.podnet.datastore.TxnResult;
import io.podnet.datastore.Watch;
import io.podnet.datastore.WatchListener;
import java.time.Duration;
import java.util.Optional;

/** A datastore that can be "down": every call fails with a DatastoreException, as an etcd outage makes them fail. */
final class FlakyDatastore implements Datastore {
    private final Datastore inner;
    private volatile boolean down;
    private volatile int keepAlives;

    FlakyDatastore(Datastore inner) {
        this.inner = inner;
    }

    void down(boolean d) { down = d; }

    int keepAlives() { return keepAlives; }

    private void check() throws DatastoreException {
        if (down) throw new DatastoreException("etcd unavailable (test outage)");
    }

    @Override
    public Optional<KeyValue> get(String key) throws DatastoreException { check(); return inner.get(key); }

    @Override
    public RangePage range(String prefix, String startKey, int limit, long revision) throws DatastoreException {
        check();
        return inner.range(prefix, startKey, limit, revision);
    }

    @Override
    public long put(String key, byte[] value, long lease) throws DatastoreException { check(); return inner.put(key, value, lease); }

    @Override
    public boolean delete(String key) throws DatastoreException { check(); return inner.delete(key); }

    @Override
    public TxnResult txn(Txn txn) throws DatastoreException { check(); return inner.txn(txn); }

    @Override
    public Lease grantLease(Duration ttl) throws DatastoreException { check(); return inner.grantLease(ttl); }

    @Override
    public Duration keepAlive(long leaseId) throws DatastoreException {
        check();
        keepAlives++;
        return inner.keepAlive(leaseId);
    }

    @Override
    public void revokeLease(long leaseId) throws DatastoreException { check(); inner.revokeLease(leaseId); }

    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) throws DatastoreException {
        check();
        return inner.watch(prefix, fromRevision, listener);
    }

    @Override
    public long revision() throws DatastoreException { check(); return inner.revision(); }

    @Override
    public void compact(long revision) throws DatastoreException { check(); inner.compact(revision); }

    @Override
    public void close() { inner.close(); }
}
