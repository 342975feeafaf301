package io.podnet.bgp.speaker;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Arrays;
import java.util.Comparator;

/**
 * A {@link MemoryGuard} on the JVM's old generation (the heap pool that holds the long-lived routing tables:
 * Serial's "Tenured Gen", G1's "G1 Old Gen", ...).
 * <pre>
 *  every batch:  used (garbage included) + growth &lt;= limit ──► fine          (one cheap read)
 *                else estimate = live at the pool's last collection
 *                              + routes added since × bytes per route then    (no collection forced)
 *                     estimate + growth &lt;= limit ──► fine
 *                     else one explicit full collection measures live; live + growth &gt; limit ──► exhausted
 * </pre>
 * The pool's current use counts garbage (Serial fills the old generation before it collects it), so it proves
 * nothing alone; the live size is known only after a collection of the pool. Between the JVM's own
 * collections the estimate grows with the tables, at the bytes per route measured at the last collection, so
 * an explicit collection is forced only when the heap really looks full.
 * <p>
 * Complicating factors: under {@code -XX:+DisableExplicitGC} the estimate is trusted as it is; a pool without a
 * maximum (no {@code -Xmx}) is never exhausted; after the speaker dropped a table ({@link #released}) the next
 * look past the cheap check measures afresh.
 */
final class HeapGuard implements MemoryGuard {
    private static final long MIN_BYTES_PER_ROUTE = 16;

    private final MemoryPoolMXBean pool;
    private final GarbageCollectorMXBean[] collectors;
    private final long limit;
    private long live;            // live bytes at the last measurement
    private long routesAtLive;    // routes held at that measurement
    private long measuredAt = -1; // collections of the pool then
    private boolean stale = true; // measure with a collection of our own before trusting a figure

    HeapGuard(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) throw new IllegalArgumentException("heap fraction must be in (0, 1]: " + fraction);
        pool = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.isCollectionUsageThresholdSupported() && p.getUsage().getMax() > 0)
                .max(Comparator.comparingLong(p -> p.getUsage().getMax())).orElse(null);
        limit = pool == null ? Long.MAX_VALUE : (long) (pool.getUsage().getMax() * fraction);
        collectors = pool == null ? new GarbageCollectorMXBean[0] : ManagementFactory.getGarbageCollectorMXBeans().stream()
                .filter(g -> Arrays.asList(g.getMemoryPoolNames()).contains(pool.getName()))
                .toArray(GarbageCollectorMXBean[]::new);
    }

    /** The byte limit the guard enforces (for logs and tests). */
    long limit() { return limit; }

    @Override
    public boolean exhausted(long growthBytes, long routes) {
        if (pool == null) return false;
        if (pool.getUsage().getUsed() + growthBytes <= limit) return false;
        long collections = collections();
        if (!stale && collections != measuredAt) { // the JVM collected the pool since: a fresh figure (within a batch)
            live = pool.getCollectionUsage().getUsed();
            routesAtLive = routes;
            measuredAt = collections;
        }
        if (!stale) {
            long perRoute = routesAtLive > 0 ? Math.max(MIN_BYTES_PER_ROUTE, live / routesAtLive) : MIN_BYTES_PER_ROUTE;
            long estimate = live + Math.max(0, routes - routesAtLive) * perRoute;
            if (estimate + growthBytes <= limit) return false;
            if (routes <= routesAtLive) return live + growthBytes > limit; // nothing added since: the figure is fresh
        }
        System.gc(); // the heap looks full: measure the live size before stopping a peer
        live = pool.getCollectionUsage().getUsed();
        routesAtLive = routes;
        measuredAt = collections();
        stale = false;
        return live + growthBytes > limit;
    }

    @Override
    public void released() { stale = true; }

    private long collections() {
        long n = 0;
        for (GarbageCollectorMXBean g : collectors) n += g.getCollectionCount();
        return n;
    }
}
