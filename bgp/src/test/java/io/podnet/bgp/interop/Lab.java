package io.podnet.bgp.interop;

import io.podnet.testkit.Netns;
import io.podnet.testkit.Sh;
import java.util.ArrayList;
import java.util.List;

/**
 * A throwaway layer-2 lab: one "switch" namespace with a bridge and N node namespaces, node i having
 * 10.213.0.i/24 and fd00:213::i/64 on its veth {@code eth0}. Everything is deleted on close.
 */
final class Lab implements AutoCloseable {
    final Netns sw;
    final List<Netns> nodes = new ArrayList<>();

    Lab(int n) {
        sw = Netns.create("sw");
        try {
            Sh.ip(sw.name(), "link", "add", "br0", "type", "bridge");
            Sh.ip(sw.name(), "link", "set", "br0", "up");
            for (int i = 1; i <= n; i++) {
                Netns ns = Netns.create("n");
                nodes.add(ns);
                Sh.ip(ns.name(), "link", "add", "eth0", "type", "veth", "peer", "name", "p" + i, "netns", sw.name());
                Sh.ip(sw.name(), "link", "set", "p" + i, "master", "br0", "up");
                Sh.ip(ns.name(), "addr", "add", v4(i) + "/24", "dev", "eth0");
                Sh.ip(ns.name(), "addr", "add", v6(i) + "/64", "dev", "eth0", "nodad");
                Sh.ip(ns.name(), "link", "set", "eth0", "up");
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    static String v4(int i) { return "10.213.0." + i; }

    static String v6(int i) { return "fd00:213::" + i; }

    String ns(int i) { return nodes.get(i - 1).name(); }

    @Override
    public void close() {
        nodes.forEach(Netns::close);
        sw.close();
    }
}
