package io.podnet.workload.bridge;

import io.podnet.dataplane.ApplyReport;
import io.podnet.dataplane.NodeDataplane;
import io.podnet.dataplane.SysctlTable;
import io.podnet.dataplane.nft.NftName;
import io.podnet.dataplane.nft.NftRules;
import io.podnet.net.Cidr;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.AddressFlag;
import io.podnet.rtnetlink.LinkAttrs;
import io.podnet.rtnetlink.LinkKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One CNI bridge network's share of the node's state, as desired state in the {@link NodeDataplane} under owner
 * {@code cni/<network>}: the bridge (up, MTU, a MAC pinned to a value derived from its name so it never follows
 * its ports and survives being recreated), the gateway addresses on it, {@code accept_ra=0} on it, forwarding, a
 * masquerade chain for the network's subnets when {@code ipMasq}, and every pod's host veth as a port of it.
 * The state exists while the network has endpoints: {@link #join} on an ADD (the first one applies it before
 * the veth is made), {@link #leave} after the DEL of the last one (the loop removes it in the background).
 * <pre>
 *   join(gateways, subnets) ─▶ links: bridge · addrs: gateways · sysctls: forwarding, accept_ra · nft: cni_masq_&lt;net&gt;
 *                              · FORWARD: accept from/to the subnets
 *   portAttached(veth)      ─▶ ports: veth master bridge (already so: recorded, not written)
 *   leave()                 ─▶ all of the above withdrawn (a bridge podnet did not make is released, never deleted)
 * </pre>
 * <p>Complicating factors: two networks may name one bridge (each wants it; it stays until both left); a bridge
 * that existed before podnet's first ADD on it is not podnet's (kept, its other addresses untouched, never
 * deleted); ADDs on a joined network with known gateways pay nothing here (no netlink call, no apply).
 */
public final class NodeBridge {
    private final String network;
    private final String owner;
    private final BridgeConfig config;
    private final boolean ownsBridge;
    private final NodeDataplane dp;
    private final Set<Cidr> gateways = new LinkedHashSet<>(); // guarded by this
    private final Set<IpPrefix> subnets = new LinkedHashSet<>(); // guarded by this
    private boolean joined;                                     // guarded by this

    /**
     * @param ownsBridge podnet made the bridge (it may delete it and owns every address on it); false for a bridge
     *                   that existed before the network's first ADD
     */
    public NodeBridge(String network, BridgeConfig config, boolean ownsBridge, NodeDataplane dp) {
        this.network = network;
        this.owner = "cni/" + network;
        this.config = config;
        this.ownsBridge = ownsBridge;
        this.dp = dp;
    }

    public String network() { return network; }

    public String owner() { return owner; }

    public BridgeConfig config() { return config; }

    public boolean ownsBridge() { return ownsBridge; }

    /** The masquerade chain's name: {@code cni_masq_} and the injective escape of the network name. */
    public static NftName masqChain(String network) {
        return NftName.derive("cni_masq_", network);
    }

    /** The MAC podnet pins on a bridge it makes: locally administered, from SHA-256 of the bridge's name. */
    public static MacAddress bridgeMac(String bridge) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(("podnet-bridge/" + bridge).getBytes(StandardCharsets.UTF_8));
            long v = 0x02L << 40;
            for (int i = 0; i < 5; i++) v |= (d[i] & 0xffL) << (8 * (4 - i));
            return new MacAddress(v);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The bridge's MAC as podnet knows it (pinned on a bridge it owns). */
    public Optional<MacAddress> mac() {
        return ownsBridge ? Optional.of(bridgeMac(config.bridge())) : Optional.empty();
    }

    /**
     * Wants the network's node state with at least these gateways and subnets; when that changes anything it is
     * applied before this returns, and a failure to make the bridge or its addresses is thrown.
     */
    public synchronized void join(List<Cidr> gws, List<IpPrefix> nets) throws IOException {
        if (joined && gateways.containsAll(gws) && subnets.containsAll(nets)) return;
        gateways.addAll(gws);
        subnets.addAll(nets);
        joined = true;
        desire();
        ApplyReport r = dp.applyNow();
        if (dp.kernel().getLink(config.bridge()).isEmpty()) {
            throw new IOException("bridge " + config.bridge() + " could not be made: " + r.failures());
        }
        List<String> ours = r.failures().stream().filter(f -> f.contains(" dev " + config.bridge()) || f.contains("link " + config.bridge() + " ")
                || f.contains(masqChain(network).value())).toList();
        if (!ours.isEmpty()) throw new IOException("network " + network + ": " + String.join("; ", ours));
    }

    /** {@link #join} without applying (at start-up, before the dataplane's first pass). */
    public synchronized void restore(List<Cidr> gws, List<IpPrefix> nets) {
        gateways.addAll(gws);
        subnets.addAll(nets);
        joined = true;
        desire();
    }

    private void desire() {
        LinkAttrs attrs = LinkAttrs.named(config.bridge()).up();
        if (config.mtu() > 0) attrs = attrs.mtu(config.mtu());
        if (ownsBridge) attrs = attrs.mac(bridgeMac(config.bridge()));
        dp.links().setLink(owner, attrs, new LinkKind.Bridge());
        if (ownsBridge) dp.addresses().ownDevice(owner, config.bridge());
        dp.sysctls().setSysctl(owner, "net/ipv6/conf/" + config.bridge() + "/accept_ra", "0");
        if (config.isGateway()) {
            for (Cidr gw : gateways) {
                dp.addresses().setAddress(owner, new Address(config.bridge(), gw, null,
                        gw.family() == IpFamily.V6 ? Set.of(AddressFlag.NODAD) : Set.of()));
                dp.sysctls().setSysctl(owner, SysctlTable.forwarding(gw.family()), "1");
            }
        }
        if (config.ipMasq()) {
            dp.nft().setChain(owner, NftRules.masqueradeChain(masqChain(network), List.copyOf(subnets), "podnet net=" + network));
        }
        dp.forward().acceptPods(owner, subnets); // a foreign FORWARD DROP (dockerd's) must not cut the pods off
    }

    /** The bridge turned out to be missing under the joined network: the node re-reads and applies it now. */
    public void repair() {
        dp.repair(config.bridge());
    }

    /** The pod's host veth was made as a port of the bridge. */
    public void portAttached(String veth) {
        dp.ports().setPortProgrammed(owner, veth, config.bridge());
    }

    /** Restores a port at start-up (the veth should be there; if it is not, nothing fails). */
    public void restorePort(String veth) {
        dp.ports().setPort(owner, veth, config.bridge());
    }

    /** The pod's host veth is about to be deleted. */
    public void portDetached(String veth) {
        dp.ports().removePort(owner, veth);
    }

    public synchronized boolean joined() { return joined; }

    /**
     * The network's last endpoint is gone: its bridge, addresses, sysctls and chain are withdrawn (applied by the
     * loop, not on the caller's path). A bridge podnet did not make is released, not deleted.
     */
    public synchronized void leave() {
        if (!joined) return;
        joined = false;
        for (Cidr gw : new ArrayList<>(gateways)) dp.addresses().removeAddress(owner, config.bridge(), gw);
        gateways.clear();
        subnets.clear();
        dp.nft().removeChain(owner, masqChain(network));
        dp.forward().acceptPods(owner, List.of());
        dp.sysctls().removeSysctl(owner, "net/ipv6/conf/" + config.bridge() + "/accept_ra");
        for (IpFamily f : IpFamily.values()) dp.sysctls().removeSysctl(owner, SysctlTable.forwarding(f));
        dp.addresses().disownDevice(owner, config.bridge());
        if (ownsBridge) dp.links().removeLink(owner, config.bridge());
        else dp.links().releaseLink(owner, config.bridge());
    }

    /** Forgets a bridge at start-up that no network wants any more (podnet made it: the loop deletes it). */
    public static void retire(NodeDataplane dp, String network, String bridge) {
        dp.links().removeLink("cni/" + network, bridge);
    }
}
