package io.podnet.rtnetlink;

import static io.podnet.rtnetlink.message.Nl.*;

import io.podnet.net.IpFamily;
import io.podnet.rtnetlink.message.AddressCodec;
import io.podnet.rtnetlink.message.NlMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Address operations of one namespace handle ({@code ip addr}). */
public final class Addresses {
    private final Rtnetlink h;

    Addresses(Rtnetlink h) {
        this.h = h;
    }

    /** Equivalent to {@code ip addr show}: every IPv4 and IPv6 address in the namespace. */
    public List<Address> list() throws IOException {
        return list((IpFamily) null);
    }

    /** Equivalent to {@code ip -4|-6 addr show}. */
    public List<Address> list(IpFamily family) throws IOException {
        Map<Integer, String> names = new HashMap<>();
        for (Link l : h.links().list()) names.put(l.index(), l.name());
        List<Address> out = new ArrayList<>();
        for (NlMessage m : h.dump(AddressCodec.encodeDump(family), "addr list")) {
            Optional<AddressCodec.Raw> r = AddressCodec.decode(m);
            if (r.isEmpty()) continue;
            String dev = names.get(r.get().index());
            if (dev == null) continue;
            out.add(toAddress(r.get(), dev));
        }
        return out;
    }

    static Address toAddress(AddressCodec.Raw r, String dev) {
        return new Address(dev, r.cidr(), RouteScope.of(r.scope()), AddressFlag.of(r.flags()));
    }

    /** Equivalent to {@code ip addr show dev DEV}. */
    public List<Address> list(String dev) throws IOException {
        return list().stream().filter(a -> a.dev().equals(dev)).toList();
    }

    /** Equivalent to {@code ip addr add CIDR dev DEV}; EEXIST if present. */
    public void add(Address a) throws IOException {
        send(a, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, "addr add ");
    }

    /** Equivalent to {@code ip addr replace CIDR dev DEV}: idempotent. */
    public void replace(Address a) throws IOException {
        send(a, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, "addr replace ");
    }

    /** Equivalent to {@code ip addr del CIDR dev DEV}; EADDRNOTAVAIL if absent. */
    public void delete(Address a) throws IOException {
        send(a, RTM_DELADDR, 0, "addr del ");
    }

    /** {@code ip addr del} that succeeds when the address (or its device) is already gone. */
    public boolean deleteIfPresent(Address a) throws IOException {
        try {
            delete(a);
            return true;
        } catch (NetlinkException e) {
            if (e.isNotFound()) return false;
            throw e;
        }
    }

    private void send(Address a, int type, int flags, String op) throws IOException {
        int idx = h.links().index(a.dev());
        h.execute(AddressCodec.encode(type, flags, idx, a.cidr(), a.scope().value, AddressFlag.toBits(a.flags())),
                op + a.cidr() + " dev " + a.dev());
    }
}
