package io.podnet.dataplane;

import java.time.Instant;
import java.util.Optional;

/**
 * What the {@link Reconciler} needs from a kernel-state table. Implemented by {@link LinkSet}, {@link PortTable},
 * {@link SysctlTable}, {@link AddressSet}, {@link NeighborTable}, {@link FdbTable}, {@link RouteTable},
 * {@link io.podnet.dataplane.nft.NftTable} and {@link ForwardTable}. Implementations are thread-safe: inputs call {@code set…}/{@code remove…} from any thread while
 * the reconcile thread calls {@link #apply()}.
 */
public interface DataplaneTable {

    /**
     * Where a table runs in one reconcile pass: links → bridge ports → sysctls (per-device ones need the device) →
     * addresses → neighbours/FDB → routes → nft.
     */
    enum Stage { LINKS, PORTS, SYSCTLS, ADDRESSES, NEIGHBORS, ROUTES, NFT }

    /** A short name for logs and reports, e.g. {@code routes[table 254]}. */
    String name();

    Stage stage();

    /** True when desired and kernel state may differ (pending changes or a queued resync). */
    boolean isDirty();

    /** True when dirty and not waiting out a retry backoff at {@code now}. */
    boolean needsApply(Instant now);

    /** When the next retry is due, if the last apply failed and the table is still dirty. */
    Optional<Instant> retryAt();

    /** How many applies in a row have failed (0 when the last one succeeded): for health reporting. */
    int consecutiveFailures();

    /** Health facts for metrics and readiness (failures, last error, last success, first apply done). */
    TableHealth health();

    /** Re-reads the table's owned kernel state on the next apply and repairs any difference. */
    void queueResync();

    /**
     * Programs pending changes. Never throws: failures are recorded in the result, the entries stay pending,
     * a resync is queued and a retry is scheduled after exponential backoff.
     */
    ApplyResult apply();

    /**
     * A link event for device {@code dev} (it appeared, changed or went away; feed it from
     * {@code Rtnetlink.subscribeLinks}). Tables with state on that device re-program it and drop any backoff.
     * The default does nothing.
     */
    default void interfaceChanged(String dev) {}

    /** Called (outside the table's lock) whenever the table becomes dirty; the reconciler wakes its loop. */
    void onDirty(Runnable listener);
}
