package io.podnet.cli.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sizes the kernel's neighbour (ARP / NDP) table for a lab's pods and restores it exactly when the lab goes.
 *
 * <p>{@code net.ipv4.neigh.default.gc_thresh1/2/3} (and the IPv6 ones) are one table per kernel, shared by every
 * namespace: all of a lab's nodes and pods count against one {@code gc_thresh3} (1024 by default), and on a
 * bridge every pod holds an entry for each local pod it talks to. A lab of 2 nodes with 25 pods each already
 * overflows it ({@code neighbor table overflow!}, some pairs fail).
 *
 * <p>Complicating factors: the values are host-wide, so several labs (and other users of the machine) share
 * them. The first lab to raise them records the original values in a registry file; every lab registers the
 * entries it needs; the values are the maximum of the originals and what the largest registered lab needs; the
 * last lab to leave writes the recorded originals back, exactly. Thresholds are only ever raised above the
 * originals, never lowered below them. A file lock serialises labs that start or stop at once.
 */
final class NeighThresholds {
    static final Path REGISTRY = Path.of("/run/podnet-lab-neigh.json");
    static final Path PROC_SYS = Path.of("/proc/sys");
    static final List<String> KEYS = List.of("net/ipv4/neigh/default/gc_thresh1", "net/ipv4/neigh/default/gc_thresh2",
            "net/ipv4/neigh/default/gc_thresh3", "net/ipv6/neigh/default/gc_thresh1", "net/ipv6/neigh/default/gc_thresh2",
            "net/ipv6/neigh/default/gc_thresh3");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the registry holds: the values before any lab changed them, and each lab's need. */
    static final class Registry {
        public Map<String, Long> original = new LinkedHashMap<>();
        public Map<String, Long> needs = new LinkedHashMap<>();
    }

    private final Path procSys;
    private final Path registry;

    NeighThresholds(Path procSys, Path registry) {
        this.procSys = procSys;
        this.registry = registry;
    }

    static NeighThresholds host() {
        return new NeighThresholds(PROC_SYS, REGISTRY);
    }

    /**
     * Entries a lab's pods can hold at once: on each node every pod has one for each other local pod and its gateway
     * (the bridge has one per pod), plus the nodes' underlay and tunnel neighbours, with headroom.
     */
    static long needed(List<Integer> podsPerNode) {
        long n = podsPerNode.size();
        long sum = 4 * n * n + 256;
        for (int p : podsPerNode) sum += (long) (p + 1) * (p + 1) + p;
        return sum;
    }

    /** The thresholds for a need: gc_thresh1 (no GC below) = need, gc_thresh2 (soft) = 2x, gc_thresh3 (hard) = 4x. */
    static long[] targets(long need) {
        return new long[] {need, 2 * need, 4 * need};
    }

    /** Registers (or updates) {@code lab}'s need and applies the largest one. */
    void raise(String lab, long need) throws IOException {
        locked(r -> {
            if (r.original.isEmpty()) {
                for (String k : KEYS) {
                    if (Files.exists(procSys.resolve(k))) r.original.put(k, read(k));
                }
                for (String family : List.of("net/ipv4", "net/ipv6")) { // what we will write back must make sense
                    Long a = r.original.get(family + "/neigh/default/gc_thresh1");
                    Long b = r.original.get(family + "/neigh/default/gc_thresh2");
                    Long c = r.original.get(family + "/neigh/default/gc_thresh3");
                    if (a != null && b != null && c != null && !(a <= b && b <= c)) {
                        throw new IOException(family + " neighbour thresholds read as " + a + "/" + b + "/" + c + ": not recording them");
                    }
                }
            }
            r.needs.put(lab, need);
            apply(r);
            return true;
        });
    }

    /** Drops {@code lab}'s need; the last one out restores the recorded originals exactly. */
    void release(String lab) throws IOException {
        locked(r -> {
            if (r.needs.remove(lab) == null && !r.needs.isEmpty()) return true;
            if (r.needs.isEmpty()) {
                // from the largest threshold down, so gc_thresh1 <= 2 <= 3 holds at every step
                for (int i = KEYS.size() - 1; i >= 0; i--) {
                    Long v = r.original.get(KEYS.get(i));
                    if (v != null) write(KEYS.get(i), v);
                }
                return false;
            }
            apply(r);
            return true;
        });
    }

    /** The current value of a key (for tests and diagnostics). */
    long read(String key) throws IOException {
        // Not Files.readString: on JDK 25 it returns only the first byte of a /proc/sys file (size 0), "1024" -> "1"
        try (var in = new java.io.FileInputStream(procSys.resolve(key).toFile())) {
            return Long.parseLong(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip());
        }
    }

    private void apply(Registry r) throws IOException {
        long need = r.needs.values().stream().mapToLong(Long::longValue).max().orElse(0);
        long[] t = targets(need);
        for (String family : List.of("net/ipv4", "net/ipv6")) {
            long[] want = new long[3];
            for (int i = 0; i < 3; i++) {
                Long orig = r.original.get(family + "/neigh/default/gc_thresh" + (i + 1));
                want[i] = orig == null ? -1 : Math.max(orig, t[i]);
            }
            // raise from the hard limit down, lower (towards the originals) from gc_thresh1 up: always 1 <= 2 <= 3
            for (int i = 2; i >= 0; i--) {
                String k = family + "/neigh/default/gc_thresh" + (i + 1);
                if (want[i] >= 0 && want[i] > read(k)) write(k, want[i]);
            }
            for (int i = 0; i < 3; i++) {
                String k = family + "/neigh/default/gc_thresh" + (i + 1);
                if (want[i] >= 0 && want[i] < read(k)) write(k, want[i]);
            }
        }
    }

    private void write(String key, long v) throws IOException {
        Files.writeString(procSys.resolve(key), Long.toString(v));
    }

    private interface Change {
        /** Changes the registry and the values; false when the registry is to be deleted. */
        boolean on(Registry r) throws IOException;
    }

    private void locked(Change change) throws IOException {
        Path lock = registry.resolveSibling(registry.getFileName() + ".lock");
        Files.createDirectories(registry.toAbsolutePath().getParent());
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = ch.lock()) {
            Registry r = Files.exists(registry) ? JSON.readValue(registry.toFile(), Registry.class) : new Registry();
            if (change.on(r)) {
                Path tmp = registry.resolveSibling(registry.getFileName() + ".tmp");
                Files.write(tmp, JSON.writeValueAsBytes(r));
                Files.move(tmp, registry, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } else {
                Files.deleteIfExists(registry);
            }
        }
    }
}
