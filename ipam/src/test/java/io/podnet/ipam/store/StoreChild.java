package io.podnet.ipam.store;

import io.podnet.ipam.Owner;
import io.podnet.ipam.RangeSet;
import io.podnet.net.IpAddress;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Child process for {@link StoreCrashIT}: allocates (and releases every third) in a loop and reports each
 * completed operation on stdout ("A cid ip4 ip6", "R cid"; "r cid" before a release starts) only after the store call returned.
 * Args: networkDir, ownerPrefix, maxAllocations, fsync.
 */
public final class StoreChild {
    private StoreChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String prefix = args[1];
        int max = Integer.parseInt(args[2]);
        boolean fsync = Boolean.parseBoolean(args[3]);
        List<RangeSet> sets = StoreChildSets.sets();
        PrintStream out = new PrintStream(System.out, false);
        ArrayDeque<Owner> live = new ArrayDeque<>();
        try (LocalIpamStore s = LocalIpamStore.open(dir, fsync)) {
            out.println("READY");
            out.flush();
            for (int i = 0; i < max; i++) {
                Owner o = new Owner(prefix + "-" + i, "eth0");
                List<IpAddress> ips = s.allocate(o, sets, List.of());
                out.println("A " + o.containerId() + " " + ips.get(0) + " " + ips.get(1));
                out.flush();
                live.add(o);
                if (i % 3 == 2) {
                    Owner r = live.poll();
                    out.println("r " + r.containerId()); // intent: from here on the release may have happened
                    out.flush();
                    s.release(r);
                    out.println("R " + r.containerId());
                    out.flush();
                }
            }
        }
        out.println("DONE");
        out.flush();
    }
}
