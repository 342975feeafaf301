package io.podnet.datastore.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.datastore.Datastore;
import io.podnet.datastore.DatastoreException;
import io.podnet.datastore.KeyValue;
import io.podnet.datastore.Lease;
import io.podnet.datastore.LeaseNotFoundException;
import io.podnet.datastore.Op;
import io.podnet.datastore.RangePage;
import io.podnet.datastore.Txn;
import io.podnet.datastore.TxnResult;
import io.podnet.datastore.Watch;
import io.podnet.datastore.WatchListener;
import io.podnet.datastore.etcd.EtcdGateway.Retry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The etcd v3 {@link Datastore} through etcd's own JSON gateway ({@code /v3/kv/*}, {@code /v3/lease/*},
 * {@code /v3/watch}, {@code /v3/auth/authenticate}) with the JDK's HTTP client: no gRPC, Netty or protobuf in
 * the process. Same semantics, errors and fail-over rules as {@link EtcdDatastore} (jetcd), and the same tests.
 *
 * <pre>
 *   Datastore call ──EtcdJson (request)──► EtcdGateway (endpoint, token, retry) ──POST──► etcd
 *                  ◄─EtcdJson (answer)───                                       ◄─JSON──
 *   watch ──► EtcdHttpWatch (streaming POST /v3/watch, re-opened from the last revision) ──► WatchFeed ──► listener
 * </pre>
 *
 * Complicating factors: the gateway leaves out fields at their default (a failed txn has no {@code succeeded},
 * an expired lease's keep-alive no {@code TTL}); a range's header carries the current revision, not the one read
 * at; see {@link EtcdGateway} for when a call is re-issued and {@link EtcdHttpWatch} for the watch's liveness.
 */
public final class EtcdHttpDatastore implements Datastore {
    private final EtcdConfig config;
    private final EtcdGateway gateway;
    private final Set<EtcdHttpWatch> watches = ConcurrentHashMap.newKeySet();
    private final Duration idleReopen;

    private EtcdHttpDatastore(EtcdConfig config, EtcdGateway gateway, Duration idleReopen) {
        this.config = config;
        this.gateway = gateway;
        this.idleReopen = idleReopen;
    }

    /** Builds the client; no I/O happens until the first call. */
    public static EtcdHttpDatastore connect(EtcdConfig config) throws DatastoreException {
        return connect(config, EtcdHttpWatch.IDLE_REOPEN);
    }

    /** With watches re-opened after {@code idleReopen} of silence (tests shorten it). */
    static EtcdHttpDatastore connect(EtcdConfig config, Duration idleReopen) throws DatastoreException {
        return new EtcdHttpDatastore(config, EtcdGateway.open(config), idleReopen);
    }

    public EtcdConfig config() { return config; }

    @Override
    public Optional<KeyValue> get(String key) throws DatastoreException {
        return EtcdJson.first(gateway.call("get " + key, "/v3/kv/range", EtcdJson.range(EtcdKeys.from(key), null, 0, 0, false), 0, Retry.READ));
    }

    @Override
    public RangePage range(String prefix, String startKey, int limit, long revision) throws DatastoreException {
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1: " + limit);
        String from = startKey.compareTo(prefix) > 0 ? startKey : prefix;
        String body = EtcdJson.range(EtcdKeys.from(from), EtcdKeys.prefixEnd(prefix), limit, revision, false);
        return EtcdJson.rangePage(gateway.call("range " + prefix, "/v3/kv/range", body, 0, Retry.READ), revision);
    }

    @Override
    public long put(String key, byte[] value, long lease) throws DatastoreException {
        return EtcdJson.revision(gateway.call("put " + key, "/v3/kv/put", EtcdJson.put(key, value, lease), lease, Retry.WRITE));
    }

    @Override
    public boolean delete(String key) throws DatastoreException {
        return EtcdJson.num(gateway.call("delete " + key, "/v3/kv/deleterange", EtcdJson.delete(key), 0, Retry.WRITE), "deleted") > 0;
    }

    @Override
    public TxnResult txn(Txn txn) throws DatastoreException {
        JsonNode r = gateway.call("txn", "/v3/kv/txn", EtcdJson.txn(txn), leaseOf(txn), Retry.WRITE);
        return new TxnResult(r.path("succeeded").asBoolean(false), EtcdJson.revision(r));
    }

    @Override
    public Lease grantLease(Duration ttl) throws DatastoreException {
        if (ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("lease TTL must be positive: " + ttl);
        long seconds = ttl.getSeconds() + (ttl.getNano() > 0 ? 1 : 0);
        JsonNode r = gateway.call("grant lease", "/v3/lease/grant", EtcdJson.grant(seconds), 0, Retry.WRITE);
        return new Lease(EtcdJson.num(r, "ID"), Duration.ofSeconds(EtcdJson.num(r, "TTL")));
    }

    @Override
    public Duration keepAlive(long leaseId) throws DatastoreException {
        JsonNode r = gateway.call("keep-alive lease " + Long.toHexString(leaseId), "/v3/lease/keepalive", EtcdJson.leaseId(leaseId),
                leaseId, Retry.READ).path("result");
        long ttl = EtcdJson.num(r, "TTL");
        if (ttl <= 0) throw new LeaseNotFoundException(leaseId);
        return Duration.ofSeconds(ttl);
    }

    @Override
    public void revokeLease(long leaseId) throws DatastoreException {
        gateway.call("revoke lease " + Long.toHexString(leaseId), "/v3/lease/revoke", EtcdJson.leaseId(leaseId), leaseId, Retry.WRITE);
    }

    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) throws DatastoreException {
        long current = fromRevision == 0 ? revision() : 0;
        EtcdHttpWatch w = new EtcdHttpWatch(gateway, prefix, listener, idleReopen, watches::remove);
        watches.add(w);
        w.start(fromRevision, current);
        return w;
    }

    @Override
    public long revision() throws DatastoreException {
        return EtcdJson.revision(gateway.call("revision", "/v3/kv/range", EtcdJson.range(new byte[] {0}, null, 0, 0, true), 0, Retry.READ));
    }

    @Override
    public void compact(long revision) throws DatastoreException {
        gateway.call("compact " + revision, "/v3/kv/compaction", EtcdJson.compaction(revision), 0, Retry.WRITE);
    }

    /** Closes open watches, then the HTTP client. */
    @Override
    public void close() {
        List.copyOf(watches).forEach(EtcdHttpWatch::close);
        gateway.close();
    }

    static long leaseOf(Txn txn) {
        return java.util.stream.Stream.concat(txn.onSuccess().stream(), txn.onFailure().stream())
                .filter(o -> o instanceof Op.Put p && p.lease() != 0)
                .mapToLong(o -> ((Op.Put) o).lease()).findFirst().orElse(0);
    }
}
