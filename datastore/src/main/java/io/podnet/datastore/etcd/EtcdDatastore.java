package io.podnet.datastore.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.watch.WatchEvent;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The etcd v3 {@link Datastore}, through jetcd (gRPC). Several endpoints are load-balanced round-robin, so
 * a call fails over to a live member; TLS and etcd user/password auth come from {@link EtcdConfig}.
 *
 * <p>Complicating factors: jetcd's own retries would wait for a dead store indefinitely, so the client is
 * built with {@code waitForReady(false)} and every call is bounded by {@link EtcdConfig#operationTimeout()}
 * (then {@code UnavailableException}); jetcd authenticates lazily, so wrong credentials surface on the first
 * call as {@code AuthenticationException}; watches are {@link EtcdWatch}.
 */
public final class EtcdDatastore implements Datastore {
    private final EtcdConfig config;
    private final Client client;
    private final String endpoints;
    private final long timeoutMs;
    private final java.util.Set<EtcdWatch> watches = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** How long a refused call is re-issued to other members before it fails as unavailable. */
    static final Duration RETRY_BUDGET = Duration.ofSeconds(3);

    private final ScheduledExecutorService rewatcher =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("etcd-rewatch").factory());

    private EtcdDatastore(EtcdConfig config, Client client) {
        this.config = config;
        this.client = client;
        this.endpoints = config.endpoints().toString();
        this.timeoutMs = config.operationTimeout().toMillis();
    }

    /** Builds the client; no I/O happens until the first call. */
    public static EtcdDatastore connect(EtcdConfig config) throws DatastoreException {
        ClientBuilder b = Client.builder()
                .endpoints(config.endpoints().toArray(java.net.URI[]::new))
                .waitForReady(false)
                .connectTimeout(config.operationTimeout())
                .retryMaxDuration(config.operationTimeout())
                .keepaliveTime(Duration.ofSeconds(10))
                .keepaliveTimeout(Duration.ofSeconds(3))
                .loadBalancerPolicy("round_robin");
        config.credentials().ifPresent(c -> b.user(bytes(c.user())).password(bytes(c.password())));
        if (config.tls().isPresent()) {
            EtcdTls.apply(b, config.tls().get());
        }
        return new EtcdDatastore(config, b.build());
    }

    public EtcdConfig config() { return config; }

    @Override
    public Optional<KeyValue> get(String key) throws DatastoreException {
        GetResponse r = await("get " + key, () -> client.getKVClient().get(bytes(key)), 0);
        return r.getKvs().isEmpty() ? Optional.empty() : Optional.of(keyValue(r.getKvs().getFirst()));
    }

    @Override
    public RangePage range(String prefix, String startKey, int limit, long revision) throws DatastoreException {
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1: " + limit);
        String from = startKey.compareTo(prefix) > 0 ? startKey : prefix;
        GetOption opt = GetOption.builder().withRange(prefixEnd(prefix)).withLimit(limit).withRevision(revision).build();
        GetResponse r = await("range " + prefix, () -> client.getKVClient().get(bytes(from.isEmpty() ? "\0" : from), opt), 0);
        // etcd's header carries the current revision, not the one read at
        return new RangePage(r.getKvs().stream().map(EtcdDatastore::keyValue).toList(), r.isMore(),
                revision == 0 ? r.getHeader().getRevision() : revision);
    }

    @Override
    public long put(String key, byte[] value, long lease) throws DatastoreException {
        PutOption opt = PutOption.builder().withLeaseId(lease).build();
        return await("put " + key, () -> client.getKVClient().put(bytes(key), ByteSequence.from(value), opt), lease)
                .getHeader().getRevision();
    }

    @Override
    public boolean delete(String key) throws DatastoreException {
        return await("delete " + key, () -> client.getKVClient().delete(bytes(key)), 0).getDeleted() > 0;
    }

    @Override
    public TxnResult txn(Txn txn) throws DatastoreException {
        Cmp[] cmps = txn.compares().stream().map(EtcdDatastore::cmp).toArray(Cmp[]::new);
        var r = await("txn", () -> client.getKVClient().txn().If(cmps).Then(ops(txn.onSuccess())).Else(ops(txn.onFailure())).commit(),
                leaseOf(txn));
        return new TxnResult(r.isSucceeded(), r.getHeader().getRevision());
    }

    @Override
    public Lease grantLease(Duration ttl) throws DatastoreException {
        if (ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("lease TTL must be positive: " + ttl);
        long seconds = ttl.getSeconds() + (ttl.getNano() > 0 ? 1 : 0);
        var r = await("grant lease", () -> client.getLeaseClient().grant(seconds), 0);
        return new Lease(r.getID(), Duration.ofSeconds(r.getTTL()));
    }

    @Override
    public Duration keepAlive(long leaseId) throws DatastoreException {
        LeaseKeepAliveResponse r = await("keep-alive lease " + Long.toHexString(leaseId), () -> client.getLeaseClient().keepAliveOnce(leaseId), leaseId);
        if (r.getTTL() <= 0) throw new LeaseNotFoundException(leaseId);
        return Duration.ofSeconds(r.getTTL());
    }

    @Override
    public void revokeLease(long leaseId) throws DatastoreException {
        await("revoke lease " + Long.toHexString(leaseId), () -> client.getLeaseClient().revoke(leaseId), leaseId);
    }

    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) throws DatastoreException {
        long current = fromRevision == 0 ? revision() : 0;
        EtcdWatch w = new EtcdWatch(this, prefix, listener);
        watches.add(w);
        w.start(fromRevision, current);
        return w;
    }

    @Override
    public long revision() throws DatastoreException {
        GetOption opt = GetOption.builder().withCountOnly(true).build();
        return await("revision", () -> client.getKVClient().get(bytes("\0"), opt), 0).getHeader().getRevision();
    }

    @Override
    public void compact(long revision) throws DatastoreException {
        CompactOption opt = CompactOption.builder().withCompactPhysical(true).build();
        await("compact " + revision, () -> client.getKVClient().compact(revision, opt), 0);
    }

    /** Closes open watches, then the client. */
    @Override
    public void close() {
        List.copyOf(watches).forEach(EtcdWatch::close);
        rewatcher.shutdownNow();
        client.close();
    }

    io.etcd.jetcd.Watch watchClient() { return client.getWatchClient(); }

    ScheduledExecutorService rewatcher() { return rewatcher; }

    void forget(EtcdWatch w) { watches.remove(w); }

    /**
     * Runs {@code call} bounded by the operation timeout. A call that failed because its connection was refused
     * never reached etcd, so it is safe to issue again (even a put or txn) for up to {@link #RETRY_BUDGET} when there are several
     * endpoints: gRPC's round-robin balancer can hand
     * out a member that just went down or is still in reconnect back-off while another member is healthy.
     */
    private <T> T await(String what, java.util.function.Supplier<CompletableFuture<T>> call, long lease)
            throws DatastoreException {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        // Re-issuing only makes sense when another member may answer; a lone dead etcd fails fast.
        long retryUntil = config.endpoints().size() > 1 ? Math.min(deadline, start + RETRY_BUDGET.toNanos()) : start;
        long backoffMs = 20;
        while (true) {
            CompletableFuture<T> f = call.get();
            long left = deadline - System.nanoTime();
            try {
                return f.get(Math.max(left, 0), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                throw new io.podnet.datastore.UnavailableException(
                        what + ": no answer from etcd at " + endpoints + " within " + timeoutMs + " ms", e);
            } catch (ExecutionException e) {
                if (!neverSent(e.getCause()) || retryUntil - System.nanoTime() < TimeUnit.MILLISECONDS.toNanos(backoffMs)) {
                    throw EtcdErrors.translate(what, e.getCause(), endpoints, lease);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DatastoreException(what + ": interrupted", e);
            }
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DatastoreException(what + ": interrupted", e);
            }
            backoffMs = Math.min(backoffMs * 2, 500);
        }
    }

    /** True when the failure is a refused connection: the request was never sent. */
    static boolean neverSent(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.net.ConnectException) return true;
        }
        return false;
    }

    private static long leaseOf(Txn txn) {
        return java.util.stream.Stream.concat(txn.onSuccess().stream(), txn.onFailure().stream())
                .filter(o -> o instanceof Op.Put p && p.lease() != 0)
                .mapToLong(o -> ((Op.Put) o).lease()).findFirst().orElse(0);
    }

    private static io.etcd.jetcd.op.Op[] ops(List<Op> ops) {
        return ops.stream().map(op -> switch (op) {
            case Op.Put p -> io.etcd.jetcd.op.Op.put(bytes(p.key()), ByteSequence.from(p.value()),
                    PutOption.builder().withLeaseId(p.lease()).build());
            case Op.Delete d -> io.etcd.jetcd.op.Op.delete(bytes(d.key()), DeleteOption.DEFAULT);
        }).toArray(io.etcd.jetcd.op.Op[]::new);
    }

    private static Cmp cmp(Compare c) {
        Cmp.Op op = switch (c.op()) {
            case EQUAL -> Cmp.Op.EQUAL;
            case NOT_EQUAL -> Cmp.Op.NOT_EQUAL;
            case LESS -> Cmp.Op.LESS;
            case GREATER -> Cmp.Op.GREATER;
        };
        CmpTarget<?> target = switch (c.target()) {
            case VERSION -> CmpTarget.version(c.value());
            case CREATE_REVISION -> CmpTarget.createRevision(c.value());
            case MOD_REVISION -> CmpTarget.modRevision(c.value());
        };
        return new Cmp(bytes(c.key()), op, target);
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    /** etcd's range end for a prefix (see {@link EtcdKeys#prefixEnd}). */
    static ByteSequence prefixEnd(String prefix) {
        return ByteSequence.from(EtcdKeys.prefixEnd(prefix));
    }

    static KeyValue keyValue(io.etcd.jetcd.KeyValue kv) {
        return new KeyValue(kv.getKey().toString(StandardCharsets.UTF_8), kv.getValue().getBytes(),
                kv.getCreateRevision(), kv.getModRevision(), kv.getVersion(), kv.getLease());
    }

    /** The event, or null for an event type this client does not know. */
    static Event event(WatchEvent we) {
        io.etcd.jetcd.KeyValue prev = we.getPrevKV();
        Optional<KeyValue> prevKv = prev == null || prev.getKey().isEmpty() ? Optional.empty() : Optional.of(keyValue(prev));
        return switch (we.getEventType()) {
            case PUT -> new Event(Event.Type.PUT, keyValue(we.getKeyValue()), prevKv);
            case DELETE -> new Event(Event.Type.DELETE, keyValue(we.getKeyValue()), prevKv);
            case UNRECOGNIZED -> null;
        };
    }
}
