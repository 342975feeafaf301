package io.podnet.bench.agentmem;

import static io.podnet.bench.agentmem.MemorySample.mib;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * One mode's measurement and its printout: three samples (ready, after the pods and an idle, after the churn
 * and an idle), start-to-ready, and the verdicts against issue 17's targets.
 */
record Report(Mode mode, String javaOpts, int pods, int pairs, int idleSeconds, long readyNanos, List<MemorySample> samples,
              long churnNanos) {
    /** RSS targets (MiB) of issue 17: single-host CNI 40, overlay (flanneld's budget) 50; none for the Docker driver. */
    static long targetMiB(Mode m) {
        return switch (m) {
            case SINGLE -> 40;
            case VXLAN, UDP -> 50;
            case CALICO_BGP -> 96;
            case DOCKER -> -1;
        };
    }

    MemorySample afterPods() { return samples.get(1); }

    MemorySample afterChurn() { return samples.get(2); }

    double growth() { return afterChurn().rss() / (double) afterPods().rss() - 1; }

    void print(String loadBefore, String loadAfter) {
        System.out.printf("%nagent memory, mode %s: bin/podnet agent, PODNET_JAVA_OPTS=\"%s\"; load average %s -> %s%n",
                mode.label, javaOpts, loadBefore, loadAfter);
        System.out.printf("start to ready: %d ms%n", readyNanos / 1_000_000);
        String[] cols = {"ready", pods + " pods, " + idleSeconds + " s idle", "+" + pairs + " ADD/DEL, " + idleSeconds + " s idle"};
        System.out.printf("%-32s %14s %22s %28s%n", "(MiB)", cols[0], cols[1], cols[2]);
        row("RSS", MemorySample::rss);
        row("  anonymous", MemorySample::rssAnon);
        row("  file-backed", MemorySample::rssFile);
        row("Java heap used", MemorySample::heapUsed);
        row("Java heap committed", MemorySample::heapCommitted);
        row("metaspace used (incl. class space)", MemorySample::metaUsed);
        row("metaspace committed", MemorySample::metaCommitted);
        row("code cache used", MemorySample::codeUsed);
        row("NMT total committed", MemorySample::nmtCommitted);
        System.out.printf("%-32s %14d %22d %28d%n", "classes loaded", samples.get(0).classes(), afterPods().classes(), afterChurn().classes());
        System.out.printf("%-32s %14d %22d %28d%n", "threads", samples.get(0).threads(), afterPods().threads(), afterChurn().threads());
        Set<String> categories = new LinkedHashSet<>();
        samples.forEach(s -> categories.addAll(s.nmt().keySet()));
        if (!categories.isEmpty()) System.out.println("NMT committed by category (MiB):");
        for (String c : categories) {
            if (samples.stream().allMatch(s -> s.nmt().getOrDefault(c, 0L) < 64)) continue; // skip the < 64 KiB ones
            row("  " + c, s -> s.nmt().getOrDefault(c, 0L));
        }
        System.out.println("threads by name after the pods: " + afterPods().threadNames().entrySet().stream()
                .map(e -> e.getKey() + (e.getValue() > 1 ? " x" + e.getValue() : "")).collect(Collectors.joining(", ")));
        System.out.printf("churn: %d ADD/DEL pairs in %.1f s (%.1f ms per pair)%n", pairs, churnNanos / 1e9, churnNanos / 1e6 / Math.max(1, pairs));
        long target = targetMiB(mode);
        System.out.printf("targets: RSS %s MiB%s; growth %+.1f %% (within 10 %%: %s); start to ready %d ms (<= 1 s: %s)%n",
                mib(afterPods().rss()), target < 0 ? " (no target for this mode)" : " <= " + target + ": " + (afterPods().rss() <= target * 1024),
                growth() * 100, Math.abs(growth()) <= 0.10, readyNanos / 1_000_000, readyNanos <= 1_000_000_000L);
    }

    private void row(String what, ToLongFunction<MemorySample> f) {
        System.out.printf("%-32s %14s %22s %28s%n", what, mib(f.applyAsLong(samples.get(0))), mib(f.applyAsLong(afterPods())),
                mib(f.applyAsLong(afterChurn())));
    }

    void printClasses(Map<String, Integer> byLibrary) {
        int total = byLibrary.values().stream().mapToInt(Integer::intValue).sum();
        System.out.println("classes loaded by library (total " + total + "): " + byLibrary.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
    }
}
