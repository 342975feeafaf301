package io.podnet.workload.nft;

import io.podnet.rtnetlink.NetNs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Desired state of {@code table inet podnet}: named chains, each with a header (type/hook/priority) and
 * rules. {@link #apply()} replaces the whole table in one {@code nft -f} transaction ("add table; delete
 * table; table {...}"), so the kernel never sees a half-written ruleset, and nothing outside our table is
 * touched. Thread-safe; setters only change memory.
 * <p>Complicating factors: the first apply must work whether or not the table exists (hence "add" before
 * "delete"); an empty desired state deletes the table. A forked {@code nft} lands in the network namespace of
 * the thread that forks it: a table made with {@link #NftTable(NetNs)} therefore runs {@code nft} on a platform
 * thread that first enters that namespace ({@link NetNs#run}), whichever thread calls {@link #apply()}; the
 * no-namespace constructors keep the old contract (the caller's thread decides), for callers that already
 * run {@code apply()} inside the right namespace. Runs are rare: {@link #apply()} forks {@code nft} only when
 * the desired state changed (one transaction).
 */
public final class NftTable {
    public static final String NAME = "podnet";
    private final String family;
    private final String name;
    private final Optional<NetNs> ns;
    private final Map<String, Chain> chains = new TreeMap<>();
    private boolean dirty = true;

    /** A chain: its header such as {@code type nat hook postrouting priority srcnat; policy accept;} and rules. */
    public record Chain(String header, List<String> rules) {
        public Chain {
            rules = List.copyOf(rules);
        }
    }

    /**
     * {@code table inet podnet} in the namespace of whichever thread calls {@link #apply()}. Prefer
     * {@link #NftTable(NetNs)}, which does not depend on the calling thread.
     */
    public NftTable() {
        this("inet", NAME);
    }

    /** {@code table inet podnet} in {@code ns}, whichever thread applies it. */
    public NftTable(NetNs ns) {
        this("inet", NAME, ns);
    }

    /** A table in the namespace of whichever thread calls {@link #apply()}. */
    public NftTable(String family, String name) {
        this.family = family;
        this.name = name;
        this.ns = Optional.empty();
    }

    /** A table in {@code ns}, whichever thread applies it. */
    public NftTable(String family, String name, NetNs ns) {
        this.family = family;
        this.name = name;
        this.ns = Optional.of(ns);
    }

    /** The namespace the table is pinned to, or empty when it follows the applying thread. */
    public Optional<NetNs> namespace() { return ns; }

    public synchronized void setChain(String chain, Chain c) {
        if (!c.equals(chains.get(chain))) {
            chains.put(chain, c);
            dirty = true;
        }
    }

    public synchronized void removeChain(String chain) {
        if (chains.remove(chain) != null) dirty = true;
    }

    /** The nft script for the current desired state. */
    public synchronized String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("add table ").append(family).append(' ').append(name).append('\n');
        sb.append("delete table ").append(family).append(' ').append(name).append('\n');
        if (chains.isEmpty()) return sb.toString();
        sb.append("table ").append(family).append(' ').append(name).append(" {\n");
        for (var e : chains.entrySet()) {
            sb.append("  chain ").append(e.getKey()).append(" {\n");
            if (!e.getValue().header().isEmpty()) sb.append("    ").append(e.getValue().header()).append('\n');
            for (String r : e.getValue().rules()) sb.append("    ").append(r).append('\n');
            sb.append("  }\n");
        }
        sb.append("}\n");
        return sb.toString();
    }

    /** Applies the desired state if it changed since the last successful apply. */
    public void apply() throws IOException {
        String script;
        synchronized (this) {
            if (!dirty) return;
            script = render();
        }
        run(script);
        synchronized (this) {
            if (script.equals(render())) dirty = false;
        }
    }

    /** Forces the next apply (periodic resync repairs out-of-band edits). */
    public synchronized void queueResync() { dirty = true; }

    /** Deletes the table if it exists. */
    public void deleteTable() throws IOException {
        run("add table " + family + " " + name + "\ndelete table " + family + " " + name + "\n");
    }

    private void run(String script) throws IOException {
        if (ns.isEmpty()) {
            runHere(script);
            return;
        }
        ns.get().run(() -> { // a fresh platform thread that enters the namespace explicitly
            runHere(script);
            return null;
        });
    }

    private static void runHere(String script) throws IOException {
        Process p = new ProcessBuilder("nft", "-f", "-").redirectErrorStream(true).start();
        p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) throw new IOException("nft -f failed: " + out.strip() + "\n--- script ---\n" + script);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running nft", e);
        }
    }

    /** Masquerade rules for pod subnets: traffic from the subnet to anywhere outside it and not multicast. */
    public static List<String> masqueradeRules(String network, List<io.podnet.net.IpPrefix> subnets) {
        List<String> rules = new ArrayList<>();
        for (var s : subnets) {
            String ip = s.family() == io.podnet.net.IpFamily.V4 ? "ip" : "ip6";
            String mcast = s.family() == io.podnet.net.IpFamily.V4 ? "224.0.0.0/4" : "ff00::/8";
            rules.add(ip + " saddr " + s + " " + ip + " daddr != " + s + " " + ip + " daddr != " + mcast
                    + " masquerade comment \"podnet net=" + network + "\"");
        }
        return rules;
    }
}
