package io.podnet.bgp.speaker;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition with a bounded deadline (no fixed sleeps in assertions). */
public final class Await {
    private Await() {}

    public static void until(String what, Duration limit, BooleanSupplier ok) {
        long end = System.nanoTime() + limit.toNanos();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out after " + limit + " waiting for " + what);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    public static <T> T value(Supplier<T> s) { return s.get(); }
}
