package io.podnet.dataplane;

import io.podnet.dataplane.nft.NftObserved;
import io.podnet.dataplane.nft.NftRuleset;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.FdbEntry;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkAttrs;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.Neighbor;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Route;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The seam between podnet and one network namespace's kernel state: the operations the tables need, plus the
 * few the per-pod ensure-steps use (veth pairs, hairpin, addresses and routes inside a sandbox).
 * {@link RtnetlinkKernel} wraps an {@code Rtnetlink} handle (with a {@code Namespaces} worker for sysctls and
 * {@code nft}); the test-scope {@code FakeKernel} simulates namespaces for unit tests. Failures are
 * {@link io.podnet.rtnetlink.NetlinkException}s carrying the errno; "delete" operations throw one with
 * {@code isNotFound()} when the object is already gone (tables treat that as done).
 */
public interface Kernel {

    /** One operation, for failure injection and call counting in fakes. */
    enum Op {
        LINK_GET, LINK_LIST, LINK_ADD, LINK_DELETE, LINK_SET,
        ROUTE_LIST, ROUTE_REPLACE, ROUTE_DELETE,
        NEIGH_LIST, NEIGH_REPLACE, NEIGH_DELETE,
        FDB_LIST, FDB_APPEND, FDB_REPLACE, FDB_DELETE,
        ADDR_LIST, ADDR_REPLACE, ADDR_DELETE,
        SYSCTL_READ, SYSCTL_WRITE, NFT_LIST, NFT_APPLY, FORWARD_LIST, FORWARD_ADD, FORWARD_DELETE
    }

    /** The namespace this kernel view belongs to. */
    NetNs namespace();

    /** The link named {@code name}, if any. Equivalent to {@code ip -d link show NAME}. */
    Optional<Link> getLink(String name) throws IOException;

    /** Every link. Equivalent to {@code ip -d link show}. */
    List<Link> listLinks() throws IOException;

    /** {@code ip link add NAME [mtu M] [address MAC] [master BR] [up] type KIND ...}; EEXIST if present. */
    void addLink(LinkAttrs attrs, LinkKind kind) throws IOException;

    /** {@code ip link del NAME}; ENODEV (not found) when absent. */
    void deleteLink(String name) throws IOException;

    /** {@code ip link set NAME up}. */
    void setLinkUp(String name) throws IOException;

    /** {@code ip link set NAME mtu MTU}. */
    void setLinkMtu(String name, int mtu) throws IOException;

    /** {@code ip link set NAME address MAC}. */
    void setLinkMac(String name, MacAddress mac) throws IOException;

    /** {@code ip link set NAME master MASTER}. */
    void setLinkMaster(String name, String master) throws IOException;

    /** {@code bridge link set dev NAME hairpin on|off} (a bridge port's reflective relay). */
    void setLinkHairpin(String name, boolean on) throws IOException;

    /**
     * {@code ip link del NAME}, returning once the kernel has unregistered the link (both ends of a veth pair gone
     * from the listing, the name free); false when there was no such link. The kernel's freeing may continue in
     * the background.
     */
    boolean reapLink(String name) throws IOException;

    /** The ifindex of {@code name}, if the link exists. */
    default Optional<Integer> ifindex(String name) throws IOException {
        return getLink(name).map(Link::index);
    }

    /** Routes of routing table {@code table}, both families, with their protocol. {@code ip route show table T}. */
    List<Route> listRoutes(int table) throws IOException;

    /** {@code ip route replace ...}. ENODEV when the route's device does not exist. */
    void replaceRoute(Route route) throws IOException;

    /** {@code ip route del ...}; ESRCH (not found) when absent. */
    void deleteRoute(Route route) throws IOException;

    /** Neighbours on device {@code dev}, any state. {@code ip neigh show dev DEV}. */
    List<Neighbor> listNeighbors(String dev) throws IOException;

    /** {@code ip neigh replace IP lladdr MAC dev DEV nud STATE}. */
    void replaceNeighbor(Neighbor neighbor) throws IOException;

    /** {@code ip neigh del IP dev DEV}; not found when absent. */
    void deleteNeighbor(Neighbor neighbor) throws IOException;

    /** FDB entries on device {@code dev}. {@code bridge fdb show dev DEV}. */
    List<FdbEntry> listFdb(String dev) throws IOException;

    /** {@code bridge fdb append MAC dev DEV dst IP self permanent} (adds a remote to an all-zero/multicast MAC). */
    void appendFdb(FdbEntry entry) throws IOException;

    /** {@code bridge fdb replace MAC dev DEV dst IP self permanent} (sets the remote of a unicast MAC). */
    void replaceFdb(FdbEntry entry) throws IOException;

    /** {@code bridge fdb del MAC dev DEV dst IP self}; not found when absent. */
    void deleteFdb(FdbEntry entry) throws IOException;

    /** Addresses on device {@code dev}. {@code ip addr show dev DEV}. */
    List<Address> listAddresses(String dev) throws IOException;

    /** {@code ip addr replace CIDR dev DEV}. */
    void replaceAddress(Address address) throws IOException;

    /** {@code ip addr del CIDR dev DEV}; not found when absent. */
    void deleteAddress(Address address) throws IOException;

    /** {@code sysctl -n KEY} in this namespace; empty when the key does not exist (e.g. its device is gone). */
    Optional<String> readSysctl(String key) throws IOException;

    /** {@code sysctl -w KEY=VALUE} in this namespace; fails when the key does not exist. */
    void writeSysctl(String key, String value) throws IOException;

    /**
     * What {@code table FAMILY NAME} holds, as far as podnet compares it (chains with their hooks and rule hashes,
     * sets and maps with their elements); empty when the table does not exist. {@code nft -j list table FAMILY NAME}.
     */
    Optional<NftObserved> listNft(String family, String table) throws IOException;

    /**
     * Replaces {@code table FAMILY NAME} by {@code ruleset} in one transaction ({@code nft -f}: "add table; delete
     * table; table { ... }"), so no packet ever sees a half-written table; an empty ruleset deletes the table.
     */
    void applyNft(NftRuleset ruleset) throws IOException;

    /**
     * podnet's accept rules in the iptables {@code filter FORWARD} chain of {@code family} (those carrying
     * {@link ForwardRule#COMMENT}); empty when this namespace has no iptables for the family.
     * {@code iptables -S FORWARD} / {@code ip6tables -S FORWARD}.
     */
    Optional<java.util.Set<ForwardRule>> listForwardRules(io.podnet.net.IpFamily family) throws IOException;

    /** {@code iptables -A FORWARD <rule>} (appended: the administrator's and dockerd's rules stay first). */
    void addForwardRule(ForwardRule rule) throws IOException;

    /** {@code iptables -D FORWARD <rule>}; done when the rule is already gone. */
    void deleteForwardRule(ForwardRule rule) throws IOException;
}
