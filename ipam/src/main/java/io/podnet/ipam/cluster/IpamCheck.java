package io.podnet.ipam.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.podnet.calico.IpPool;
import io.podnet.calico.Node;
import io.podnet.calico.WorkloadEndpoint;
import io.podnet.datastore.DatastoreException;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code podnet ipam check}: calicoctl's consistency check of blocks, handles, affinities, nodes and workload
 * endpoints. An allocation is in use when a WorkloadEndpoint lists its address (as calicoctl decides), and leaked
 * when none does or its node no longer exists. The report ({@code -o report.json}) is what
 * {@code podnet ipam release --from-report} reads; every entry carries the sequence number and handle it was seen
 * with, so a release based on it cannot free an address that was reused since.
 */
public final class IpamCheck {
    private IpamCheck() {}

    /** One allocation as seen. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Allocation(@JsonProperty("ip") String ip, @JsonProperty("block") String block,
                             @JsonProperty("handle") String handle, @JsonProperty("attrs") Map<String, String> attrs,
                             @JsonProperty("sequenceNumber") long sequenceNumber, @JsonProperty("inUse") boolean inUse,
                             @JsonProperty("reason") String reason) {}

    /** A handle with no address, or one whose counts disagree with the blocks. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record HandleInfo(@JsonProperty("id") String id, @JsonProperty("revision") long revision,
                             @JsonProperty("reason") String reason) {}

    /** A block or affinity problem. */
    public record Finding(@JsonProperty("block") String block, @JsonProperty("node") String node,
                          @JsonProperty("problem") String problem) {}

    /** The machine-readable report. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Report(@JsonProperty("version") String version, @JsonProperty("allocations") Map<String, List<Allocation>> allocations,
                         @JsonProperty("leakedIPs") List<Allocation> leakedIps,
                         @JsonProperty("inUseNotAllocated") List<String> inUseNotAllocated,
                         @JsonProperty("leakedHandles") List<HandleInfo> leakedHandles,
                         @JsonProperty("missingHandles") List<String> missingHandles,
                         @JsonProperty("handleMismatches") List<HandleInfo> handleMismatches,
                         @JsonProperty("blocksWithoutAffinity") List<Finding> blocksWithoutAffinity,
                         @JsonProperty("danglingAffinities") List<Finding> danglingAffinities,
                         @JsonProperty("duplicates") List<Finding> duplicates) {
        public int problems() {
            return leakedIps.size() + inUseNotAllocated.size() + leakedHandles.size() + missingHandles.size()
                    + handleMismatches.size() + blocksWithoutAffinity.size() + danglingAffinities.size() + duplicates.size();
        }

        public String toJson() {
            try {
                return IpamJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(this);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        public static Report parse(String json) throws java.io.IOException {
            return IpamJson.mapper().readValue(json, Report.class);
        }
    }

    /** Runs the check; progress lines in calicoctl's words go to {@code out} (null for none). */
    public static Report run(IpamReader reader, PrintWriter out) throws DatastoreException {
        PrintWriter o = out != null ? out : new PrintWriter(java.io.Writer.nullWriter());
        o.println("Checking IPAM for inconsistencies...");
        o.println();
        o.println("Loading all IPAM blocks...");
        List<Versioned<AllocationBlock>> blocks = reader.blocks(null);
        o.printf("Found %d IPAM blocks.%n", blocks.size());
        Map<String, List<Allocation>> byIp = new TreeMap<>();
        Map<String, Map<String, Integer>> handleCounts = new HashMap<>(); // handle -> block -> count
        List<Finding> duplicates = new ArrayList<>();
        for (Versioned<AllocationBlock> vb : blocks) {
            AllocationBlock b = vb.value();
            o.printf(" IPAM block %s affinity=%s:%n", b.cidr(), b.affinity() == null ? "<none>" : b.affinity());
            for (int ord = 0; ord < b.capacity(); ord++) {
                Optional<AllocationBlock.Attribute> a = b.attributeOf(ord);
                if (a.isEmpty() || a.get().cooling()) continue;
                String ip = b.ipOf(ord).toString();
                byIp.computeIfAbsent(ip, k -> new ArrayList<>()).add(new Allocation(ip, b.cidr(), a.get().handleId(), a.get().secondary(),
                        b.sequenceOf(ord), false, null));
                if (a.get().handleId() != null) handleCounts.computeIfAbsent(a.get().handleId(), k -> new HashMap<>()).merge(b.cidr(), 1, Integer::sum);
            }
        }
        int numAllocs = byIp.values().stream().mapToInt(List::size).sum();
        o.printf("IPAM blocks record %d allocations.%n%n", numAllocs);
        for (int i = 0; i < blocks.size(); i++) {
            for (int j = i + 1; j < blocks.size(); j++) {
                if (blocks.get(i).value().prefix().overlaps(blocks.get(j).value().prefix())) {
                    duplicates.add(new Finding(blocks.get(i).value().cidr(), null, "overlaps block " + blocks.get(j).value().cidr()));
                }
            }
        }
        byIp.forEach((ip, list) -> {
            if (list.size() > 1) duplicates.add(new Finding(list.getFirst().block(), null, ip + " is allocated " + list.size() + " times"));
        });

        o.println("Loading all IPAM pools...");
        List<IpPool> pools = reader.pools().stream().filter(p -> !p.disabled()).toList();
        pools.forEach(p -> o.printf("  %s%n", p.spec().cidr()));
        o.printf("Found %d active IP pools.%n%n", pools.size());

        o.println("Loading all nodes.");
        Set<String> nodes = new HashSet<>();
        for (Node n : reader.nodes()) nodes.add(n.name());
        o.printf("Found %d nodes.%n%n", nodes.size());

        o.println("Loading all workload endpoints.");
        Map<String, List<String>> inUse = new HashMap<>();
        for (WorkloadEndpoint w : reader.resources().list(WorkloadEndpoint.KIND)) {
            for (String net : w.spec().ipNetworks()) {
                String ip = IpAddress.parse(net.contains("/") ? net.substring(0, net.indexOf('/')) : net).toString();
                inUse.computeIfAbsent(ip, k -> new ArrayList<>()).add(w.metadata().namespace() + "/" + w.name());
            }
        }
        o.printf("Found %d workload IPs.%n", inUse.values().stream().mapToInt(List::size).sum());
        o.printf("Workloads and nodes are using %d IPs.%n%n", inUse.size());
        inUse.forEach((ip, owners) -> {
            if (owners.size() > 1) duplicates.add(new Finding(null, null, ip + " is in use by " + String.join(", ", owners)));
        });

        o.println("Scanning for IPs that are allocated but not actually in use...");
        Map<String, List<Allocation>> allocations = new TreeMap<>();
        List<Allocation> leaked = new ArrayList<>();
        byIp.forEach((ip, list) -> {
            List<Allocation> marked = new ArrayList<>();
            for (Allocation a : list) {
                String node = a.attrs().get("node");
                String reason = node != null && !nodes.contains(node) ? "node " + node + " does not exist"
                        : !inUse.containsKey(ip) ? "not in use by any workload endpoint" : null;
                Allocation m = new Allocation(a.ip(), a.block(), a.handle(), a.attrs(), a.sequenceNumber(), reason == null, reason);
                marked.add(m);
                if (reason != null) {
                    leaked.add(m);
                    o.printf("  %s leaked; attrs %s (%s)%n", ip, a.attrs(), reason);
                }
            }
            allocations.put(ip, marked);
        });
        o.printf("Found %d IPs that are allocated in IPAM but not actually in use.%n", leaked.size());

        o.println("Scanning for IPs that are in use by a workload or node but not allocated in IPAM...");
        List<String> notAllocated = new ArrayList<>();
        for (String ip : inUse.keySet()) {
            IpAddress a = IpAddress.parse(ip);
            if (!byIp.containsKey(ip) && pools.stream().anyMatch(p -> p.cidr().contains(a))) notAllocated.add(ip);
        }
        notAllocated.sort(null);
        o.printf("Found %d in-use IPs that are in active IP pools but have no corresponding IPAM allocation.%n%n", notAllocated.size());

        o.println("Scanning for IPAM handles with no matching IPs...");
        List<HandleInfo> leakedHandles = new ArrayList<>();
        List<HandleInfo> mismatches = new ArrayList<>();
        Set<String> handleIds = new HashSet<>();
        for (Versioned<IpamHandle> h : reader.handles()) {
            String id = reader.keys().handleIdOf(h.key());
            handleIds.add(id);
            Map<String, Integer> actual = handleCounts.getOrDefault(id, Map.of());
            if (actual.isEmpty()) leakedHandles.add(new HandleInfo(id, h.modRevision(), "no allocation names it"));
            else if (!actual.equals(h.value().block())) {
                mismatches.add(new HandleInfo(id, h.modRevision(), "handle counts " + h.value().block() + ", blocks hold " + new TreeMap<>(actual)));
            }
        }
        o.printf("Found %d handles with no matching IPs (and %d handles with matches).%n", leakedHandles.size(),
                handleIds.size() - leakedHandles.size());
        o.println("Scanning for IPs with missing handle...");
        List<String> missing = new ArrayList<>();
        for (String id : handleCounts.keySet()) if (!handleIds.contains(id)) missing.add(id);
        missing.sort(null);
        o.printf("Found %d handles mentioned in blocks with no matching handle resource.%n", missing.size());

        o.println("Scanning block affinities...");
        List<Finding> noAffinity = new ArrayList<>();
        List<Finding> dangling = new ArrayList<>();
        Map<String, BlockAffinity.State> affinityOf = new HashMap<>(); // node|cidr
        Map<String, List<String>> confirmedNodesOf = new HashMap<>();
        for (Versioned<BlockAffinity> a : reader.allAffinities()) {
            String node = reader.keys().nodeOfAffinity(a.key()).orElseThrow();
            IpPrefix cidr = IpamKeys.cidrOf(a.key());
            affinityOf.put(node + "|" + cidr, a.value().state());
            Optional<AllocationBlock> b = blocks.stream().map(Versioned::value).filter(x -> x.prefix().equals(cidr)).findFirst();
            if (a.value().state() != BlockAffinity.State.CONFIRMED) {
                dangling.add(new Finding(cidr.toString(), node, "affinity is " + a.value().state().text()));
            } else if (b.isEmpty()) {
                dangling.add(new Finding(cidr.toString(), node, "confirmed affinity but the block does not exist"));
            } else if (!b.get().host().equals(Optional.of(node))) {
                dangling.add(new Finding(cidr.toString(), node, "confirmed affinity but the block is affine to " + b.get().affinity()));
            }
            if (a.value().state() == BlockAffinity.State.CONFIRMED) confirmedNodesOf.computeIfAbsent(cidr.toString(), k -> new ArrayList<>()).add(node);
            if (!nodes.contains(node)) dangling.add(new Finding(cidr.toString(), node, "node " + node + " does not exist"));
        }
        confirmedNodesOf.forEach((cidr, ns) -> {
            if (ns.size() > 1) duplicates.add(new Finding(cidr, String.join(",", ns), "claimed by " + ns.size() + " nodes"));
        });
        for (Versioned<AllocationBlock> vb : blocks) {
            AllocationBlock b = vb.value();
            Optional<String> host = b.host();
            if (host.isEmpty()) noAffinity.add(new Finding(b.cidr(), null, "no affinity"));
            else if (affinityOf.get(host.get() + "|" + b.prefix()) != BlockAffinity.State.CONFIRMED) {
                noAffinity.add(new Finding(b.cidr(), host.get(), "affine to " + host.get() + " without a confirmed affinity key"));
            } else if (!nodes.contains(host.get())) {
                noAffinity.add(new Finding(b.cidr(), host.get(), "affine to node " + host.get() + ", which does not exist"));
            }
        }
        o.printf("Found %d blocks without a valid affinity and %d dangling affinities.%n", noAffinity.size(), dangling.size());
        o.printf("Found %d duplicate claims.%n", duplicates.size());
        Report r = new Report("podnet-0.1.0", allocations, leaked, notAllocated, leakedHandles, missing, mismatches, noAffinity,
                dangling, duplicates);
        o.printf("Check complete; found %d problems.%n", r.problems());
        o.flush();
        return r;
    }
}
