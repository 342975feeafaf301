package io.podnet.bench.agentmem;

import java.util.Map;

/**
 * The agent's memory at one moment (all sizes in KiB).
 *
 * @param rss           VmRSS from /proc/PID/status (read before any jcmd attaches)
 * @param rssAnon       its anonymous part (heap, stacks, malloc, metaspace, code cache)
 * @param rssFile       its file-backed part (libjvm, the CDS archive, jars)
 * @param threads       the process's threads, without the "Attach Listener" that jcmd starts
 * @param threadNames   thread count by name, digits folded ("podnet-cni-N")
 * @param heapUsed      Java heap in use (GC.heap_info)
 * @param heapCommitted Java heap committed (GC.heap_info)
 * @param metaUsed      metaspace used, class space included (NMT)
 * @param metaCommitted metaspace committed, class space included (NMT)
 * @param codeUsed      code cache in use (Compiler.codecache)
 * @param classes       classes loaded (NMT)
 * @param nmtCommitted  NMT's total committed
 * @param nmt           NMT committed by category, in NMT's order; empty when NMT is off
 */
record MemorySample(long rss, long rssAnon, long rssFile, int threads, Map<String, Integer> threadNames, long heapUsed,
                    long heapCommitted, long metaUsed, long metaCommitted, long codeUsed, long classes, long nmtCommitted,
                    Map<String, Long> nmt) {
    MemorySample {
        threadNames = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(threadNames));
        nmt = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(nmt));
    }

    static String mib(long kib) { return "%.1f".formatted(kib / 1024.0); }
}
