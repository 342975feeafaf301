package io.podnet.calico;

import io.podnet.datastore.Compare;
import io.podnet.datastore.Datastore;
import io.podnet.datastore.DatastoreException;
import io.podnet.datastore.Event;
import io.podnet.datastore.KeyValue;
import io.podnet.datastore.Op;
import io.podnet.datastore.Snapshot;
import io.podnet.datastore.Txn;
import io.podnet.datastore.TxnResult;
import io.podnet.datastore.Watch;
import io.podnet.datastore.WatchResponse;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Typed access to v3 resources in a {@link Datastore}, laid out as Calico's etcd v3 mode does:
 * {@code <prefix>/resources/v3/projectcalico.org/<plural>/[<namespace>/]<name>}. Every write validates the resource
 * ({@link Resource#validated()}) and runs its kind's cross check before anything is written; updates are a CAS on
 * {@code metadata.resourceVersion} (the key's etcd mod revision).
 */
public final class ResourceStore {
    public static final String DEFAULT_PREFIX = "/calico";
    private static final int PAGE = 500;

    private final Datastore ds;
    private final String root;
    private final ResourceCodec codec;
    private final InstantSource clock;

    /**
     * @param ds     the datastore
     * @param prefix key prefix, Calico's is {@value #DEFAULT_PREFIX}
     * @param kinds  the kinds this store reads and writes
     * @param clock  for {@code creationTimestamp}
     */
    public ResourceStore(Datastore ds, String prefix, Kinds kinds, InstantSource clock) {
        this.ds = ds;
        this.root = stripSlash(prefix) + "/resources/v3/projectcalico.org/";
        this.codec = new ResourceCodec(kinds);
        this.clock = clock;
    }

    static String stripSlash(String p) {
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    public ResourceCodec codec() { return codec; }

    public Datastore datastore() { return ds; }

    /** The key of a resource. */
    public String key(Kind<?> kind, String namespace, String name) {
        if (kind.namespaced() && (namespace == null || namespace.isEmpty())) {
            throw new IllegalArgumentException(kind.name() + " \"" + name + "\" needs a namespace");
        }
        return root + kind.plural() + "/" + (kind.namespaced() ? namespace + "/" : "") + name;
    }

    public String key(Resource r) { return key(r.kind(), r.metadata().namespace(), r.name()); }

    /** The prefix of every key of the kind (in one namespace if given). */
    public String prefix(Kind<?> kind, String namespace) {
        return root + kind.plural() + "/" + (kind.namespaced() && namespace != null && !namespace.isEmpty() ? namespace + "/" : "");
    }

    public <R extends Resource> Optional<R> get(Kind<R> kind, String name) throws DatastoreException {
        return get(kind, null, name);
    }

    public <R extends Resource> Optional<R> get(Kind<R> kind, String namespace, String name) throws DatastoreException {
        String k = key(kind, namespace, name);
        Optional<KeyValue> kv = ds.get(k);
        return kv.map(v -> kind.cast(codec.decodeStored(v.value(), v.modRevision(), k)));
    }

    /** Every stored resource of the kind (all namespaces), in key order. */
    public <R extends Resource> List<R> list(Kind<R> kind) throws DatastoreException {
        return list(kind, null).items();
    }

    /** A list read at one revision. */
    public record Listing<R>(List<R> items, long revision) {}

    public <R extends Resource> Listing<R> list(Kind<R> kind, String namespace) throws DatastoreException {
        Snapshot s = ds.snapshot(prefix(kind, namespace), PAGE);
        List<R> out = new ArrayList<>();
        for (KeyValue kv : s.kvs()) out.add(kind.cast(codec.decodeStored(kv.value(), kv.modRevision(), kv.key())));
        return new Listing<>(out, s.revision());
    }

    /**
     * A validated, unconditional put of {@code resource} (fresh uid and creation time) for a caller's own transaction,
     * e.g. the WorkloadEndpoint written together with an allocation. No cross check runs: for kinds without one.
     */
    public Op putOp(Resource resource) {
        Resource r = resource.validated();
        if (r.kind() == IpPool.KIND) {
            throw new IllegalArgumentException("IPPool writes need their cross check: use create/update");
        }
        ObjectMeta m = r.metadata().withCreation(UUID.randomUUID().toString(),
                clock.instant().truncatedTo(ChronoUnit.SECONDS).toString()).withResourceVersion(null);
        return Op.put(key(r), codec.encodeStored(r.withMetadata(m)));
    }

    /** Creates; {@link ResourceStateException} ALREADY_EXISTS if the key exists. Returns the stored resource. */
    public <R extends Resource> R create(R resource) throws DatastoreException {
        R r = checked(resource, null);
        String k = key(r);
        ObjectMeta m = r.metadata().withCreation(UUID.randomUUID().toString(),
                clock.instant().truncatedTo(ChronoUnit.SECONDS).toString()).withResourceVersion(null);
        @SuppressWarnings("unchecked") R stored = (R) r.withMetadata(m);
        TxnResult t = ds.txn(Txn.when(Compare.absent(k), Op.put(k, codec.encodeStored(stored))));
        if (!t.succeeded()) throw new ResourceStateException(ResourceStateException.Reason.ALREADY_EXISTS, r.kind().name(), r.name(), "");
        @SuppressWarnings("unchecked") R out = (R) stored.withMetadata(m.withResourceVersion(Long.toString(t.revision())));
        return out;
    }

    /**
     * Replaces a stored resource: a CAS on {@code metadata.resourceVersion} if set, else on the revision read now.
     * {@code uid} and {@code creationTimestamp} are kept from the stored one.
     */
    public <R extends Resource> R update(R resource) throws DatastoreException {
        Kind<R> kind = kindOf(resource);
        R prev = get(kind, resource.metadata().namespace(), resource.name()).orElseThrow(() ->
                new ResourceStateException(ResourceStateException.Reason.NOT_FOUND, kind.name(), resource.name(), ""));
        String want = resource.metadata().resourceVersion();
        if (want != null && !want.isEmpty() && !want.equals(prev.metadata().resourceVersion())) {
            throw new ResourceStateException(ResourceStateException.Reason.MODIFIED, kind.name(), resource.name(),
                    "given resourceVersion " + want + ", stored " + prev.metadata().resourceVersion());
        }
        R r = checked(resource, prev);
        ObjectMeta m = r.metadata().withCreation(prev.metadata().uid(), prev.metadata().creationTimestamp()).withResourceVersion(null);
        @SuppressWarnings("unchecked") R stored = (R) r.withMetadata(m);
        String k = key(r);
        TxnResult t = ds.txn(Txn.when(Compare.modRevisionIs(k, Long.parseLong(prev.metadata().resourceVersion())),
                Op.put(k, codec.encodeStored(stored))));
        if (!t.succeeded()) throw new ResourceStateException(ResourceStateException.Reason.MODIFIED, kind.name(), r.name(), "");
        @SuppressWarnings("unchecked") R out = (R) stored.withMetadata(m.withResourceVersion(Long.toString(t.revision())));
        return out;
    }

    /** Creates, or updates what is stored (calicoctl apply); a race with another writer is retried a few times. */
    public <R extends Resource> R apply(R resource) throws DatastoreException {
        Kind<R> kind = kindOf(resource);
        for (int attempt = 0; ; attempt++) {
            try {
                if (get(kind, resource.metadata().namespace(), resource.name()).isEmpty()) return create(resource);
                return update(cast(kind, resource.withMetadata(resource.metadata().withResourceVersion(null))));
            } catch (ResourceStateException e) {
                if (attempt >= 5) throw e;
            }
        }
    }

    /**
     * Deletes; with {@code resourceVersion} only if it still matches. Returns what was deleted, empty if absent.
     */
    public <R extends Resource> Optional<R> delete(Kind<R> kind, String namespace, String name, String resourceVersion)
            throws DatastoreException {
        Optional<R> prev = get(kind, namespace, name);
        if (prev.isEmpty()) return prev;
        long rev = Long.parseLong(prev.get().metadata().resourceVersion());
        if (resourceVersion != null && !resourceVersion.isEmpty() && Long.parseLong(resourceVersion) != rev) {
            throw new ResourceStateException(ResourceStateException.Reason.MODIFIED, kind.name(), name, "");
        }
        String k = key(kind, namespace, name);
        if (!ds.txn(Txn.when(Compare.modRevisionIs(k, rev), Op.delete(k))).succeeded()) {
            throw new ResourceStateException(ResourceStateException.Reason.MODIFIED, kind.name(), name, "");
        }
        return prev;
    }

    /** A change to a resource of a watched kind: the new value, or empty for a delete (then {@code key} says which). */
    public record Change<R>(String key, Optional<R> resource, long revision) {}

    /** Watches the kind from {@code fromRevision} (0 = from now); a compaction or failure is passed on as is. */
    public <R extends Resource> Watch watch(Kind<R> kind, long fromRevision, Consumer<Change<R>> changes,
                                            Consumer<WatchResponse> terminal) throws DatastoreException {
        return ds.watch(prefix(kind, null), fromRevision, resp -> {
            switch (resp) {
                case WatchResponse.Events ev -> {
                    for (Event e : ev.events()) {
                        Optional<R> r = e.type() == Event.Type.PUT
                                ? Optional.of(kind.cast(codec.decodeStored(e.kv().value(), e.kv().modRevision(), e.key())))
                                : Optional.empty();
                        changes.accept(new Change<>(e.key(), r, e.revision()));
                    }
                }
                case WatchResponse.Compacted c -> terminal.accept(c);
                case WatchResponse.Failed f -> terminal.accept(f);
            }
        });
    }

    /**
     * Everything a write would check (fields, then the kind's cross check against what is stored, e.g. pool overlap
     * and immutable fields), without writing: lets a multi-document apply refuse a bad file before writing any of it.
     */
    public <R extends Resource> R preflight(R resource) throws DatastoreException {
        Kind<R> kind = kindOf(resource);
        R validated = cast(kind, resource.validated());
        R prev = get(kind, validated.metadata().namespace(), validated.name()).orElse(null);
        return checked(validated, prev);
    }

    private <R extends Resource> R checked(R resource, R previous) throws DatastoreException {
        Kind<R> kind = kindOf(resource);
        if (codec.kinds().byName(kind.name()).isEmpty()) {
            throw new IllegalArgumentException(kind.name() + " is not one of this store's kinds (" + codec.kinds().names() + ")");
        }
        R r = cast(kind, resource.validated());
        if (kind.crossCheck() == (Object) Kind.CrossCheck.NONE) return r; // nothing to compare with: no listing
        List<R> others = new ArrayList<>();
        for (R o : list(kind)) if (!o.name().equals(r.name()) || !java.util.Objects.equals(o.metadata().namespace(), r.metadata().namespace())) others.add(o);
        kind.crossCheck().check(r, previous, others);
        return r;
    }

    @SuppressWarnings("unchecked")
    private static <R extends Resource> Kind<R> kindOf(R r) {
        return (Kind<R>) r.kind();
    }

    private static <R extends Resource> R cast(Kind<R> kind, Resource r) {
        return kind.cast(r);
    }
}
