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
 * <p>
 * The pool's current use counts garbage too, so a high value alone proves nothing; the live size is known
 * only after a collection of that pool. So: while current use plus the growth fits under the limit, all is
 * well (cheap, every batch). Otherwise the live size after the pool's last collection decides; if much was
 * promoted since that measurement (an eighth of the limit), one explicit full collection measures it afresh.
 * That happens only when the heap really is close to its limit, and with Serial GC a full collection would
 * come very soon anyway.
 * <p>
 * Complicating factors: under {@code -XX:+DisableExplicitGC} the last collection's figure is used as it is;
 * a pool without a maximum (no {@code -Xmx}) is never exhausted.
 */
final class HeapGuard implements MemoryGuard {
    private final MemoryPoolMXBean pool;
    private final GarbageCollectorMXBean[] collectors;
    private final long limit;
    private long live;             // live bytes at the last measurement
    private long measuredAt = -1;  // collections of the pool when measured
    private boolean stale = true;  // measure with a collection of our own before trusting a figure

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
    public boolean exhausted(long growthBytes) {
        if (pool == null) return false;
        long used = pool.getUsage().getUsed();
        if (used + growthBytes <= limit) return false;
        long collections = collections();
        if (!stale && collections != measuredAt) { // the JVM collected the pool by itself since
            live = pool.getCollectionUsage().getUsed();
            measuredAt = collections;
        }
        if (stale || used - live > limit / 8) {
            System.gc(); // measure the live size afresh: much was promoted since the last collection
            live = pool.getCollectionUsage().getUsed();
            measuredAt = collections();
            stale = false;
        }
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
