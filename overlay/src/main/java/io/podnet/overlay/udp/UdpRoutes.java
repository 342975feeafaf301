package io.podnet.overlay.udp;

import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The udp backend's userspace route table: remote lease subnet → the underlay IPv4 address of the node that
 * holds it (flannel's proxy keeps the same table, set through CMD_SET_ROUTE / CMD_DEL_ROUTE). Immutable:
 * {@link #with} and {@link #without} return a new table, and the tunnel swaps its reference atomically
 * ({@link UdpTunnel#setRoutes}), so the forwarding thread never locks.
 *
 * <p>Longest-prefix match without allocation: one sorted {@code int[]} of network addresses per prefix
 * length present, searched longest length first. With flannel's uniform lease length (usually /24) a lookup
 * is one binary search over the nodes. IPv4 only, as flannel's udp backend.
 */
public final class UdpRoutes {
    /** What {@link #lookup(int)} returns when no prefix matches; 0.0.0.0 is never a valid remote. */
    public static final int NO_ROUTE = 0;

    private static final UdpRoutes EMPTY = new UdpRoutes(new TreeMap<>());

    private final Map<IpPrefix, IpAddress> entries;
    /** Prefix lengths present, longest first. */
    private final int[] lengths;
    /** Per entry of {@link #lengths}: network addresses with the sign bit flipped (so signed order = unsigned). */
    private final int[][] keys;
    /** Per entry of {@link #lengths}: the remote address of the matching key. */
    private final int[][] remotes;

    private UdpRoutes(TreeMap<IpPrefix, IpAddress> sorted) {
        this.entries = Collections.unmodifiableMap(sorted);
        TreeMap<Integer, TreeMap<Integer, Integer>> byLength = new TreeMap<>(Collections.reverseOrder());
        sorted.forEach((p, r) -> byLength.computeIfAbsent(p.length(), _ -> new TreeMap<>())
                .put(p.address().v4Int() ^ Integer.MIN_VALUE, r.v4Int()));
        int n = byLength.size();
        this.lengths = new int[n];
        this.keys = new int[n][];
        this.remotes = new int[n][];
        int i = 0;
        for (var e : byLength.entrySet()) {
            lengths[i] = e.getKey();
            keys[i] = e.getValue().keySet().stream().mapToInt(Integer::intValue).toArray();
            remotes[i] = e.getValue().values().stream().mapToInt(Integer::intValue).toArray();
            i++;
        }
    }

    public static UdpRoutes empty() {
        return EMPTY;
    }

    /**
     * A table of {@code subnet → remote underlay address}. Both must be IPv4 and the remote must not be
     * 0.0.0.0; otherwise {@link IllegalArgumentException}.
     */
    public static UdpRoutes of(Map<IpPrefix, IpAddress> routes) {
        TreeMap<IpPrefix, IpAddress> sorted = new TreeMap<>();
        routes.forEach((p, r) -> sorted.put(checkPrefix(p), checkRemote(r)));
        return new UdpRoutes(sorted);
    }

    private static IpPrefix checkPrefix(IpPrefix p) {
        if (p == null || !p.address().isV4()) throw new IllegalArgumentException("udp routes are IPv4 only: " + p);
        return p;
    }

    private static IpAddress checkRemote(IpAddress r) {
        if (r == null || !r.isV4()) throw new IllegalArgumentException("remote underlay address must be IPv4: " + r);
        if (r.v4Int() == NO_ROUTE) throw new IllegalArgumentException("remote underlay address 0.0.0.0 is not valid");
        return r;
    }

    /** A copy with {@code subnet → remote} added or replaced. */
    public UdpRoutes with(IpPrefix subnet, IpAddress remote) {
        TreeMap<IpPrefix, IpAddress> copy = new TreeMap<>(entries);
        copy.put(checkPrefix(subnet), checkRemote(remote));
        return new UdpRoutes(copy);
    }

    /** A copy without {@code subnet} (the same table if it was absent). */
    public UdpRoutes without(IpPrefix subnet) {
        if (!entries.containsKey(subnet)) return this;
        TreeMap<IpPrefix, IpAddress> copy = new TreeMap<>(entries);
        copy.remove(subnet);
        return new UdpRoutes(copy);
    }

    /**
     * Longest-prefix match on a destination given as a big-endian int (10.5.2.1 = 0x0a050201). Returns the
     * remote underlay address as a big-endian int, or {@link #NO_ROUTE}. Allocation-free.
     */
    public int lookup(int destination) {
        for (int i = 0; i < lengths.length; i++) {
            int len = lengths[i];
            int masked = len == 0 ? 0 : destination & (-1 << (32 - len));
            int idx = Arrays.binarySearch(keys[i], masked ^ Integer.MIN_VALUE);
            if (idx >= 0) return remotes[i][idx];
        }
        return NO_ROUTE;
    }

    /** Longest-prefix match for an address (IPv6 never matches). */
    public Optional<IpAddress> lookup(IpAddress destination) {
        if (!destination.isV4()) return Optional.empty();
        int r = lookup(destination.v4Int());
        return r == NO_ROUTE ? Optional.empty() : Optional.of(IpAddress.v4(r));
    }

    /** The entries, sorted by prefix. */
    public Map<IpPrefix, IpAddress> asMap() {
        return entries;
    }

    public int size() {
        return entries.size();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UdpRoutes r && r.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return "UdpRoutes" + entries;
    }
}
