package io.podnet.agent.node;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Watches the kernel's neighbour table (ARP for IPv4, NDP for IPv6) against its garbage-collection thresholds and
 * says when it nears overflow. The table is one per kernel, shared by every namespace: on a bridge every pod
 * keeps an entry for each local pod it talks to, so a dense node (~110 pods) passes the default
 * {@code gc_thresh3} of 1024, after which new entries are refused ({@code neighbour: arp_cache: neighbor table
 * overflow!}) and some pod pairs stop reaching each other. Routed mode avoids it (one gateway entry per pod).
 *
 * <pre>
 *   /proc/net/stat/arp_cache  ("entries" column, hex; "table_fulls" summed over CPUs)  ─┐
 *   /proc/sys/net/ipv4/neigh/default/gc_thresh1..3                                      ─┴▶ sample ▶ assess ▶ level
 *   (ndisc_cache and net/ipv6 for IPv6)                                                      change ▶ one warning
 * </pre>
 *
 * Levels: {@link Level#OK}; {@link Level#ABOVE_SOFT_LIMIT} at {@code gc_thresh2} (the kernel garbage-collects
 * hard after 5 s above it); {@link Level#NEAR_OVERFLOW} at 90 % of {@code gc_thresh3}; {@link Level#OVERFLOWING}
 * when the table is at {@code gc_thresh3} or the kernel counted a refusal ({@code table_fulls} grew) since the
 * last sample. Pure apart from {@link #read}; one instance per family, used by one thread.
 *
 * <p>Not yet called by the agent: it is to run in the node dataplane's periodic resync, with its level in the
 * metrics and {@code doctor} (the node-dataplane and operations issues).
 */
public final class NeighbourPressure {

    /** How close the table is to refusing entries. */
    public enum Level { OK, ABOVE_SOFT_LIMIT, NEAR_OVERFLOW, OVERFLOWING }

    /** IPv4 (ARP) or IPv6 (NDP): where the kernel reports the table. */
    public enum Family {
        V4("arp_cache", "net/ipv4"), V6("ndisc_cache", "net/ipv6");

        final String stat;
        final String sysctl;

        Family(String stat, String sysctl) {
            this.stat = stat;
            this.sysctl = sysctl;
        }
    }

    /** One reading: entries now, refusals counted so far, and the three thresholds. */
    public record Sample(long entries, long tableFulls, long gcThresh1, long gcThresh2, long gcThresh3) {
        public Sample {
            if (entries < 0 || tableFulls < 0 || gcThresh3 <= 0) throw new IllegalArgumentException("bad neighbour sample " + entries + "/" + gcThresh3);
        }
    }

    private final Family family;
    private Level level = Level.OK;
    private long lastTableFulls = -1;

    public NeighbourPressure(Family family) {
        this.family = family;
    }

    /** The level of a sample, given the refusal count of the previous one ({@code -1}: none yet). */
    public static Level assess(Sample s, long previousTableFulls) {
        if (s.entries() >= s.gcThresh3() || (previousTableFulls >= 0 && s.tableFulls() > previousTableFulls)) return Level.OVERFLOWING;
        if (s.entries() * 10 >= s.gcThresh3() * 9) return Level.NEAR_OVERFLOW;
        if (s.entries() >= s.gcThresh2()) return Level.ABOVE_SOFT_LIMIT;
        return Level.OK;
    }

    /** Takes a sample; returns a warning (or the all-clear) when the level changed since the last one. */
    public Optional<String> observe(Sample s) {
        Level now = assess(s, lastTableFulls);
        long refused = lastTableFulls < 0 ? 0 : s.tableFulls() - lastTableFulls;
        lastTableFulls = s.tableFulls();
        if (now == level) return Optional.empty();
        Level was = level;
        level = now;
        String table = family == Family.V4 ? "IPv4 neighbour (ARP)" : "IPv6 neighbour (NDP)";
        String keys = family.sysctl.replace('/', '.') + ".neigh.default.gc_thresh1/2/3";
        return Optional.of(switch (now) {
            case OK -> table + " table back to normal: " + s.entries() + " entries (gc_thresh2 " + s.gcThresh2() + ")";
            case ABOVE_SOFT_LIMIT -> table + " table above its soft limit: " + s.entries() + " entries, gc_thresh2 " + s.gcThresh2()
                    + ", hard limit gc_thresh3 " + s.gcThresh3() + " (was " + was + ")";
            case NEAR_OVERFLOW -> table + " table near overflow: " + s.entries() + " of gc_thresh3 " + s.gcThresh3()
                    + " entries; raise " + keys + " (README \"Dense nodes\")";
            case OVERFLOWING -> table + " table overflowing: " + s.entries() + " entries, gc_thresh3 " + s.gcThresh3()
                    + (refused > 0 ? ", " + refused + " entries refused since the last check" : "")
                    + "; pods lose neighbours: raise " + keys + " (README \"Dense nodes\")";
        });
    }

    public Level level() { return level; }

    /** Reads a sample under {@code procRoot} ({@code /proc} on a real node). */
    public static Sample read(Path procRoot, Family family) throws IOException {
        String[] rows = text(procRoot.resolve("net/stat").resolve(family.stat)).strip().split("\n");
        if (rows.length < 2) throw new IOException("no rows in " + family.stat);
        String[] head = rows[0].trim().split("\\s+");
        int fulls = -1;
        for (int i = 0; i < head.length; i++) if (head[i].equals("table_fulls")) fulls = i;
        if (!head[0].equals("entries") || fulls < 0) throw new IOException("unexpected header in " + family.stat + ": " + rows[0]);
        long entries = Long.parseLong(rows[1].trim().split("\\s+")[0], 16); // the same global count on every CPU's row
        long refused = 0;
        for (int r = 1; r < rows.length; r++) refused += Long.parseLong(rows[r].trim().split("\\s+")[fulls], 16);
        Path sys = procRoot.resolve("sys").resolve(family.sysctl).resolve("neigh/default");
        return new Sample(entries, refused, number(sys.resolve("gc_thresh1")), number(sys.resolve("gc_thresh2")),
                number(sys.resolve("gc_thresh3")));
    }

    private static long number(Path p) throws IOException {
        return Long.parseLong(text(p).strip());
    }

    /** Whole file (Files.readString returns only the first byte of a /proc file on JDK 25). */
    private static String text(Path p) throws IOException {
        try (var in = new FileInputStream(p.toFile())) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
