package io.podnet.rtnetlink;

import static io.podnet.rtnetlink.message.Nl.*;

import io.podnet.rtnetlink.message.NeighborCodec;
import io.podnet.rtnetlink.message.NlMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Bridge forwarding-database entries of one namespace handle ({@code bridge fdb}). */
public final class Fdb {
    private final Rtnetlink h;

    Fdb(Rtnetlink h) {
        this.h = h;
    }

    /** Equivalent to {@code bridge fdb show}. */
    public List<FdbEntry> list() throws IOException {
        Map<Integer, String> names = new HashMap<>();
        for (Link l : h.links().list()) names.put(l.index(), l.name());
        List<FdbEntry> out = new ArrayList<>();
        for (NlMessage m : h.dump(NeighborCodec.encodeDump(NeighborCodec.AF_BRIDGE), "fdb list")) {
            NeighborCodec.Raw r = NeighborCodec.decode(m);
            if (r.family() != NeighborCodec.AF_BRIDGE || r.lladdr().isEmpty()) continue;
            String dev = names.get(r.index());
            if (dev == null) continue;
            out.add(new FdbEntry(dev, r.lladdr().get(), r.dst(), (r.flags() & NTF_SELF) != 0, NeighborState.of(r.state())));
        }
        return out;
    }

    /** Equivalent to {@code bridge fdb show dev DEV}. */
    public List<FdbEntry> list(String dev) throws IOException {
        return list().stream().filter(e -> e.dev().equals(dev)).toList();
    }

    /** Equivalent to {@code bridge fdb add MAC dev DEV [dst IP] self|master permanent}; EEXIST if present. */
    public void add(FdbEntry e) throws IOException {
        send(e, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL, "fdb add ");
    }

    /** Equivalent to {@code bridge fdb append ...} (adds another remote for the same MAC on vxlan). */
    public void append(FdbEntry e) throws IOException {
        send(e, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_APPEND, "fdb append ");
    }

    /** Equivalent to {@code bridge fdb replace ...}: idempotent. */
    public void replace(FdbEntry e) throws IOException {
        send(e, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, "fdb replace ");
    }

    /** Equivalent to {@code bridge fdb del MAC dev DEV [dst IP] self|master}. */
    public void delete(FdbEntry e) throws IOException {
        send(e, RTM_DELNEIGH, 0, "fdb del ");
    }

    /** {@code bridge fdb del} that succeeds when the entry is gone. */
    public boolean deleteIfPresent(FdbEntry e) throws IOException {
        try {
            delete(e);
            return true;
        } catch (NetlinkException ex) {
            if (ex.isNotFound()) return false;
            throw ex;
        }
    }

    private void send(FdbEntry e, int type, int flags, String op) throws IOException {
        int idx = h.links().index(e.dev());
        var raw = new NeighborCodec.Raw(NeighborCodec.AF_BRIDGE, idx, e.state().value, e.self() ? NTF_SELF : NTF_MASTER,
                e.dst(), Optional.of(e.mac()), Optional.empty());
        h.execute(NeighborCodec.encode(type, flags, raw), op + e.mac() + " dev " + e.dev() + e.dst().map(d -> " dst " + d).orElse(""));
    }
}
