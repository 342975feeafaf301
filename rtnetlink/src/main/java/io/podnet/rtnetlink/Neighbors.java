package io.podnet.rtnetlink;

import static io.podnet.rtnetlink.message.Nl.*;

import io.podnet.net.IpFamily;
import io.podnet.rtnetlink.message.NeighborCodec;
import io.podnet.rtnetlink.message.NlMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** ARP/NDP neighbour entries of one namespace handle ({@code ip neigh}). */
public final class Neighbors {
    private final Rtnetlink h;

    Neighbors(Rtnetlink h) {
        this.h = h;
    }

    /** Equivalent to {@code ip neigh show} (IPv4 and IPv6). */
    public List<Neighbor> list() throws IOException {
        Map<Integer, String> names = new HashMap<>();
        for (Link l : h.links().list()) names.put(l.index(), l.name());
        List<Neighbor> out = new ArrayList<>();
        for (NlMessage m : h.dump(NeighborCodec.encodeDump(0), "neigh list")) {
            NeighborCodec.Raw r = NeighborCodec.decode(m);
            if ((r.family() != 2 && r.family() != 10) || r.dst().isEmpty()) continue;
            String dev = names.get(r.index());
            if (dev == null) continue;
            out.add(new Neighbor(dev, r.dst().get(), r.lladdr(), NeighborState.of(r.state())));
        }
        return out;
    }

    /** Equivalent to {@code ip neigh show dev DEV}. */
    public List<Neighbor> list(String dev) throws IOException {
        return list().stream().filter(n -> n.dev().equals(dev)).toList();
    }

    /** Equivalent to {@code ip neigh add IP lladdr MAC dev DEV nud STATE}; EEXIST if present. */
    public void add(Neighbor n) throws IOException {
        send(n, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL, "neigh add ");
    }

    /** Equivalent to {@code ip neigh replace IP lladdr MAC dev DEV nud STATE}: idempotent. */
    public void replace(Neighbor n) throws IOException {
        send(n, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, "neigh replace ");
    }

    /** Equivalent to {@code ip neigh del IP dev DEV}. */
    public void delete(Neighbor n) throws IOException {
        send(n, RTM_DELNEIGH, 0, "neigh del ");
    }

    /** {@code ip neigh del} that succeeds when the entry is gone. */
    public boolean deleteIfPresent(Neighbor n) throws IOException {
        try {
            delete(n);
            return true;
        } catch (NetlinkException e) {
            if (e.isNotFound()) return false;
            throw e;
        }
    }

    private void send(Neighbor n, int type, int flags, String op) throws IOException {
        int idx = h.links().index(n.dev());
        IpFamily f = n.ip().family();
        var raw = new NeighborCodec.Raw(f.af(), idx, n.state().value, 0, Optional.of(n.ip()),
                type == RTM_DELNEIGH ? Optional.empty() : n.mac(), Optional.empty());
        h.execute(NeighborCodec.encode(type, flags, raw), op + n.ip() + " dev " + n.dev());
    }
}
