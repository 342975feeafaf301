package io.podnet.rtnetlink;

import static io.podnet.rtnetlink.message.Nl.*;

import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.message.LinkCodec;
import io.podnet.rtnetlink.message.NlMessage;
import io.podnet.rtnetlink.message.NlMsgWriter;
import io.podnet.rtnetlink.sys.Libc;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Link operations of one namespace handle. Each method names its {@code ip link} equivalent. */
public final class Links {
    private final Rtnetlink h;

    Links(Rtnetlink h) {
        this.h = h;
    }

    /** Interface names: 1–15 bytes, no '/', ':' or whitespace, not "." or "..". */
    public static void checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > 15 || name.equals(".") || name.equals("..")
                || name.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c) || c == 0)) {
            throw new IllegalArgumentException("invalid interface name \"" + name + "\" (1-15 characters, no '/', ':' or spaces)");
        }
    }

    /** Equivalent to {@code ip -d link show}. */
    public List<Link> list() throws IOException {
        List<NlMessage> msgs = h.dump(LinkCodec.encodeDump(), "link list");
        Map<Integer, String> names = new HashMap<>();
        for (NlMessage m : msgs) {
            Link l = LinkCodec.decode(m, i -> Optional.empty());
            names.put(l.index(), l.name());
        }
        List<Link> out = new ArrayList<>();
        for (NlMessage m : msgs) out.add(LinkCodec.decode(m, i -> Optional.ofNullable(names.get(i))));
        return out;
    }

    /** Equivalent to {@code ip -d link show NAME}; empty if there is no such link. */
    public Optional<Link> get(String name) throws IOException {
        checkName(name);
        return one(LinkCodec.encodeGetByName(name), "link show " + name);
    }

    /** The link with ifindex {@code index}, if any. */
    public Optional<Link> get(int index) throws IOException {
        return one(LinkCodec.encodeGetByIndex(index), "link show index " + index);
    }

    private Optional<Link> one(NlMsgWriter w, String op) throws IOException {
        try {
            List<NlMessage> r = h.query(w, op);
            if (r.isEmpty()) return Optional.empty();
            return Optional.of(LinkCodec.decode(r.getFirst(), this::nameOf));
        } catch (NetlinkException e) {
            if (e.isNotFound()) return Optional.empty();
            throw e;
        }
    }

    Optional<String> nameOf(int index) {
        try {
            List<NlMessage> r = h.query(LinkCodec.encodeGetByIndex(index), "link show index " + index);
            return r.isEmpty() ? Optional.empty() : Optional.of(LinkCodec.decode(r.getFirst(), i -> Optional.empty()).name());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The ifindex of {@code name}; NetlinkException(ENODEV) naming the link if it does not exist. */
    public int index(String name) throws IOException {
        return get(name).orElseThrow(() -> new NetlinkException(Errno.ENODEV, Optional.of("no link named " + name),
                "link " + name)).index();
    }

    /**
     * Creates a link. Equivalent to {@code ip link add NAME [mtu M] [address MAC] [master BR] type KIND ...}
     * (then {@code ip link set NAME up} when {@code attrs.adminUp()}). A veth peer is created directly in its
     * namespace ({@code peer name P netns NS}). TUN/TAP devices are created through {@code /dev/net/tun}
     * (like {@code ip tuntap add}), persistent and owned by this process's user.
     */
    public void add(LinkAttrs attrs, LinkKind kind) throws IOException {
        String op = "link add " + attrs.name() + " (" + (kind.kindName().isEmpty() ? "device" : kind.kindName()) + ")";
        if (kind instanceof LinkKind.Tuntap t) {
            TunDevice.createPersistent(h.namespace(), attrs.name(), t.mode());
            applyAttrs(attrs);
            return;
        }
        OptionalInt master = attrs.master().isPresent() ? OptionalInt.of(index(attrs.master().get())) : OptionalInt.empty();
        OptionalInt lower = switch (kind) {
            case LinkKind.Vxlan x when x.device().isPresent() -> OptionalInt.of(index(x.device().get()));
            case LinkKind.Macvlan m -> OptionalInt.of(index(m.parent()));
            case LinkKind.Ipip i when i.device().isPresent() -> OptionalInt.of(index(i.device().get()));
            default -> OptionalInt.empty();
        };
        int peerFd = -1;
        try {
            if (kind instanceof LinkKind.Veth v) {
                checkName(v.peerName());
                if (v.peerNamespace().isPresent()) peerFd = v.peerNamespace().get().openFd();
            }
            var refs = new LinkCodec.Refs(master, lower, peerFd >= 0 ? OptionalInt.of(peerFd) : OptionalInt.empty());
            h.execute(LinkCodec.encodeAdd(attrs, kind, refs), op);
        } catch (NetlinkException e) {
            if (e.errno().code() == Errno.EOPNOTSUPP.code() && e.extAck().map(s -> s.contains("Unknown device type")).orElse(true)) {
                throw new KernelSupportException(kind.kindName(), e.errno(), e.extAck(), op);
            }
            throw e;
        } finally {
            if (peerFd >= 0) Libc.close(peerFd);
        }
    }

    private void applyAttrs(LinkAttrs attrs) throws IOException {
        if (attrs.mtu().isPresent()) setMtu(attrs.name(), attrs.mtu().getAsInt());
        if (attrs.mac().isPresent()) setMac(attrs.name(), attrs.mac().get());
        if (attrs.master().isPresent()) setMaster(attrs.name(), attrs.master().get());
        if (attrs.adminUp()) setUp(attrs.name());
    }

    /** Equivalent to {@code ip link del NAME}; NetlinkException(ENODEV) if missing. */
    public void delete(String name) throws IOException {
        checkName(name);
        h.execute(LinkCodec.encodeDeleteByName(name), "link del " + name);
    }

    /** {@code ip link del dev <ifindex>} that succeeds when the link is already gone; true if it deleted something. */
    public boolean deleteIfPresent(int index) throws IOException {
        try {
            h.execute(LinkCodec.encodeDelete(index), "link del index " + index);
            return true;
        } catch (NetlinkException e) {
            if (e.isNotFound()) return false;
            throw e;
        }
    }

    /** {@code ip link del NAME} that succeeds when the link is already gone; true if it deleted something. */
    public boolean deleteIfPresent(String name) throws IOException {
        try {
            delete(name);
            return true;
        } catch (NetlinkException e) {
            if (e.isNotFound()) return false;
            throw e;
        }
    }

    /** Equivalent to {@code ip link set NAME up}. */
    public void setUp(String name) throws IOException {
        checkName(name);
        h.execute(LinkCodec.encodeSetUpByName(name, true), "link set " + name + " up");
    }

    /** Equivalent to {@code ip link set NAME down}. */
    public void setDown(String name) throws IOException {
        checkName(name);
        h.execute(LinkCodec.encodeSetUpByName(name, false), "link set " + name + " down");
    }

    /** Equivalent to {@code ip link set NAME mtu MTU}. */
    public void setMtu(String name, int mtu) throws IOException {
        checkName(name);
        NlMsgWriter w = LinkCodec.encodeSetByName(name);
        w.u32(IFLA_MTU, mtu);
        h.execute(w, "link set " + name + " mtu " + mtu);
    }

    /** Equivalent to {@code ip link set NAME address MAC}. */
    public void setMac(String name, MacAddress mac) throws IOException {
        checkName(name);
        NlMsgWriter w = LinkCodec.encodeSetByName(name);
        w.mac(IFLA_ADDRESS, mac);
        h.execute(w, "link set " + name + " address " + mac);
    }

    /** Equivalent to {@code ip link set NAME name NEW}. */
    public void rename(String name, String newName) throws IOException {
        checkName(newName);
        NlMsgWriter w = LinkCodec.encodeSet(index(name));
        w.string(IFLA_IFNAME, newName);
        h.execute(w, "link set " + name + " name " + newName);
    }

    /** Equivalent to {@code ip link set NAME master MASTER}. */
    public void setMaster(String name, String master) throws IOException {
        NlMsgWriter w = LinkCodec.encodeSet(index(name));
        w.u32(IFLA_MASTER, index(master));
        h.execute(w, "link set " + name + " master " + master);
    }

    /** Equivalent to {@code ip link set NAME nomaster}. */
    public void setNoMaster(String name) throws IOException {
        NlMsgWriter w = LinkCodec.encodeSet(index(name));
        w.u32(IFLA_MASTER, 0);
        h.execute(w, "link set " + name + " nomaster");
    }

    /** Equivalent to {@code ip link set NAME type bridge_slave hairpin on|off} (the port must be enslaved). */
    public void setHairpin(String name, boolean on) throws IOException {
        h.execute(LinkCodec.encodeHairpin(index(name), on), "link set " + name + " hairpin " + (on ? "on" : "off"));
    }

    /** Equivalent to {@code ip link set NAME netns NS}. Fails with ENOENT naming the namespace if it is missing. */
    public void moveTo(String name, NetNs target) throws IOException {
        int idx = index(name);
        int fd = target.openFd();
        try {
            NlMsgWriter w = LinkCodec.encodeSet(idx);
            w.u32(IFLA_NET_NS_FD, fd);
            h.execute(w, "link set " + name + " netns " + target);
        } finally {
            Libc.close(fd);
        }
    }

    /** Equivalent to {@code ip link set NAME netns NS name NEW}: moves and renames in one request. */
    public void moveTo(String name, NetNs target, String newName) throws IOException {
        checkName(newName);
        int idx = index(name);
        int fd = target.openFd();
        try {
            NlMsgWriter w = LinkCodec.encodeSet(idx);
            w.u32(IFLA_NET_NS_FD, fd);
            w.string(IFLA_IFNAME, newName);
            h.execute(w, "link set " + name + " netns " + target + " name " + newName);
        } finally {
            Libc.close(fd);
        }
    }
}
