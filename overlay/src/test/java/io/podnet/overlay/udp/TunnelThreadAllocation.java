package io.podnet.overlay.udp;

/**
 * Bytes allocated so far by all udp tunnel threads of this JVM (HotSpot's per-thread allocation counter),
 * to check the data path's "no allocation per packet" once the JIT has compiled it. Reached reflectively
 * because test sources compile inside module io.podnet.overlay, which does not read java.management.
 */
final class TunnelThreadAllocation {
    private TunnelThreadAllocation() {}

    /** CPU time (user + system) used so far by the udp tunnel threads whose name ends with {@code suffix}. */
    static long cpuNanos(String suffix) throws ReflectiveOperationException {
        Object mx = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        var cpu = Class.forName("java.lang.management.ThreadMXBean").getMethod("getThreadCpuTime", long.class);
        long sum = 0;
        for (Thread th : Thread.getAllStackTraces().keySet()) {
            if (th.getName().startsWith("podnet-udp-") && th.getName().endsWith(suffix)) {
                sum += Math.max(0, (long) cpu.invoke(mx, th.threadId()));
            }
        }
        return sum;
    }

    static long bytes() throws ReflectiveOperationException {
        Object mx = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        var allocated = Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes", long.class);
        long sum = 0;
        for (Thread th : Thread.getAllStackTraces().keySet()) {
            if (th.getName().startsWith("podnet-udp-")) sum += Math.max(0, (long) allocated.invoke(mx, th.threadId()));
        }
        return sum;
    }
}
