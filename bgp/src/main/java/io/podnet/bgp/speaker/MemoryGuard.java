package io.podnet.bgp.speaker;

/**
 * The memory-bounded reaction: tells the speaker when the heap cannot take its routing tables' next growth,
 * so that it stops the peer holding the largest Adj-RIB-In with a Cease "Out of Resources" (RFC 4486 §4)
 * instead of running out of memory (which would end the whole process under {@code -XX:+ExitOnOutOfMemoryError},
 * or leave it limping without). Consulted by the RIB thread between batches of work, never during one.
 */
public interface MemoryGuard {
    /**
     * True if the heap cannot hold {@code growthBytes} more (the next resize of the RIB's large tables);
     * {@code routes} is how many routes the tables hold now (all Adj-RIB-Ins and the Loc-RIB).
     */
    boolean exhausted(long growthBytes, long routes);

    /** The speaker reacted and released a table: forget what was measured before. */
    default void released() { }

    /** Never exhausted (per-peer prefix limits are then the only bound). */
    static MemoryGuard none() { return (growth, routes) -> false; }

    /**
     * Exhausted when the old generation's live data plus {@code growthBytes} exceeds {@code fraction} of its
     * maximum (see {@link HeapGuard}).
     */
    static MemoryGuard heap(double fraction) { return new HeapGuard(fraction); }
}
