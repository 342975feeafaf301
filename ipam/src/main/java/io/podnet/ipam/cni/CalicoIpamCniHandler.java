package io.podnet.ipam.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.calico.ObjectMeta;
import io.podnet.calico.ResourceStore;
import io.podnet.calico.WorkloadEndpoint;
import io.podnet.cni.CniErrorCode;
import io.podnet.cni.CniException;
import io.podnet.cni.CniRequest;
import io.podnet.cni.result.CniResult;
import io.podnet.cni.result.IpConfig;
import io.podnet.cni.result.ResultCodec;
import io.podnet.cni.server.CniHandler;
import io.podnet.cni.server.CniResponse;
import io.podnet.datastore.DatastoreException;
import io.podnet.ipam.IpamException;
import io.podnet.ipam.cluster.ClusterIpam;
import io.podnet.ipam.cluster.NetnsLiveness;
import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import java.io.IOException;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code podnet-calico-ipam} plugin type (Calico's {@code calico-ipam}), served by the agent for podnet's routed
 * network and for other main plugins. The {@code ipam} section: {@code type}, {@code ipv4_pools} / {@code ipv6_pools}
 * (pool names or CIDRs), {@code assign_ipv4} (default "true"), {@code assign_ipv6} (default "false").
 * <pre>
 *   ADD  handle &lt;network name&gt;.&lt;containerID&gt; (k8s-pod-network.&lt;cid&gt;), attributes pod/namespace/node/timestamp
 *        → requested IPs (ips capability, IP=) or autoAssign; the WorkloadEndpoint (what `ipam check` counts as in
 *          use) is written in the same transaction as the last address, so ADD leaves all of it or none
 *        → result: addresses as /32 and /128, no gateway (the main plugin routes)
 *   DEL  release by handle (and by the workload-ID handle &lt;ns&gt;.&lt;pod&gt;), delete the endpoint; idempotent
 *   CHECK the handle holds prevResult's addresses (else 104)      GC  release this network's handles not in the list
 * </pre>
 * The datastore down is code 11 with nothing half-written (each write is one transaction); pools exhausted is 101
 * naming the pools.
 */
public final class CalicoIpamCniHandler implements CniHandler {
    public static final String TYPE = "podnet-calico-ipam";
    private final ClusterIpam ipam;
    private final ResourceStore resources;
    private final String node;
    private final InstantSource clock;
    private final NetnsLiveness netns;

    public CalicoIpamCniHandler(ClusterIpam ipam, String node, InstantSource clock, NetnsLiveness netns) {
        this.ipam = ipam;
        this.resources = ipam.reader().resources();
        this.node = node;
        this.clock = clock;
        this.netns = netns;
    }

    @Override
    public CniResponse handle(CniRequest req) throws CniException {
        try {
            return switch (req.command()) {
                case ADD -> CniResponse.result(add(req), req.conf().version());
                case DEL -> {
                    del(req);
                    yield CniResponse.ok();
                }
                case CHECK -> {
                    check(req);
                    yield CniResponse.ok();
                }
                case GC -> {
                    gc(req);
                    yield CniResponse.ok();
                }
                case STATUS -> {
                    ipam.reader().datastore().revision();
                    yield CniResponse.ok();
                }
                case VERSION -> CniResponse.ok();
            };
        } catch (IpamException e) {
            throw e.toCni();
        } catch (DatastoreException e) {
            throw new CniException(req.command() == io.podnet.cni.CniCommand.STATUS ? CniErrorCode.PLUGIN_NOT_AVAILABLE
                    : CniErrorCode.TRY_AGAIN_LATER, "cluster IPAM datastore: " + e.getMessage(), "");
        } catch (IOException e) {
            throw new CniException(CniErrorCode.IO_FAILURE, "cluster IPAM: " + e.getMessage(), "");
        }
    }

    /** The Calico handle of a request: {@code <network name>.<containerID>}. */
    public static String handleId(CniRequest req) {
        String net = req.conf().name().isEmpty() ? "k8s-pod-network" : req.conf().name();
        return net + "." + req.containerId();
    }

    private record Section(List<String> v4Pools, List<String> v6Pools, boolean v4, boolean v6) {}

    private static Section section(CniRequest req) throws CniException {
        ObjectNode ipam = req.conf().ipam().orElseThrow(() -> new CniException(CniErrorCode.INVALID_NETWORK_CONFIG, "no ipam section", ""));
        return new Section(strings(ipam, "ipv4_pools"), strings(ipam, "ipv6_pools"), bool(ipam, "assign_ipv4", true), bool(ipam, "assign_ipv6", false));
    }

    private static List<String> strings(ObjectNode o, String field) throws CniException {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) return List.of();
        if (!n.isArray()) throw new CniException(CniErrorCode.INVALID_NETWORK_CONFIG, "ipam." + field + " must be a list of pool names or CIDRs", "");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            if (!n.get(i).isTextual()) throw new CniException(CniErrorCode.INVALID_NETWORK_CONFIG, "ipam." + field + "[" + i + "] must be a string", "");
            out.add(n.get(i).asText());
        }
        return out;
    }

    private static boolean bool(ObjectNode o, String field, boolean dflt) throws CniException {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) return dflt;
        String v = n.asText();
        if (v.equals("true")) return true;
        if (v.equals("false")) return false;
        throw new CniException(CniErrorCode.INVALID_NETWORK_CONFIG, "ipam." + field + " must be \"true\" or \"false\", not " + n, "");
    }

    private Map<String, String> attributes(CniRequest req) {
        Map<String, String> a = new LinkedHashMap<>();
        req.args().get("K8S_POD_NAME").ifPresent(p -> a.put("pod", p));
        req.args().get("K8S_POD_NAMESPACE").ifPresent(ns -> a.put("namespace", ns));
        a.put("node", node);
        a.put("timestamp", clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
        return a;
    }

    private CniResult add(CniRequest req) throws CniException, IOException, IpamException {
        Section s = section(req);
        String handle = handleId(req);
        Map<String, String> attrs = attributes(req);
        if (netns != null) netns.record(handle, req.netns());
        List<IpAddress> ips = new ArrayList<>();
        try {
            List<String> requested = req.requestedIps();
            if (!requested.isEmpty()) {
                List<IpAddress> want = new ArrayList<>();
                for (String r : requested) want.add(parse(r));
                for (int i = 0; i < want.size(); i++) {
                    // the endpoint goes with the last address: allocation and endpoint land together
                    List<io.podnet.datastore.Op> extra = i == want.size() - 1 ? List.of(resources.putOp(endpoint(req, want))) : List.of();
                    ips.add(ipam.assignIp(want.get(i), handle, node, attrs, extra).ip());
                }
            } else {
                for (ClusterIpam.Assignment a : ipam.autoAssign(new ClusterIpam.AssignRequest(handle, node, attrs, s.v4() ? 1 : 0,
                        s.v6() ? 1 : 0, s.v4Pools(), s.v6Pools()).requireFreshHandle(), all -> List.of(resources.putOp(endpoint(req, all))))) {
                    ips.add(a.ip());
                }
            }
        } catch (IpamException e) {
            if (e.reason() != IpamException.Reason.DUPLICATE) undo(handle, e); // a duplicate: the handle is the first ADD's
            throw e;
        } catch (IOException | RuntimeException e) {
            undo(handle, e);
            throw e;
        }
        List<IpConfig> out = new ArrayList<>();
        for (IpAddress ip : ips) out.add(IpConfig.of(new Cidr(ip, ip.family().bits()), Optional.empty()));
        return new CniResult(List.of(), out, List.of(), Optional.empty());
    }

    private void undo(String handle, Exception cause) {
        try {
            ipam.releaseByHandle(handle);
            if (netns != null) netns.forget(handle);
        } catch (IOException e) {
            cause.addSuppressed(e); // the GC releases it: no workload holds it
        }
    }

    private static IpAddress parse(String s) throws CniException {
        try {
            return IpAddress.parse(s.contains("/") ? s.substring(0, s.indexOf('/')) : s);
        } catch (IllegalArgumentException e) {
            throw new CniException(CniErrorCode.INVALID_NETWORK_CONFIG, "invalid requested IP \"" + s + "\"", "");
        }
    }

    private WorkloadEndpoint endpoint(CniRequest req, List<IpAddress> ips) {
        Optional<String> pod = req.args().get("K8S_POD_NAME");
        String ns = req.args().get("K8S_POD_NAMESPACE").orElse("default");
        String ifname = req.ifname().isEmpty() ? "eth0" : req.ifname();
        String name = WorkloadEndpoint.nameFor(node, pod.isPresent() ? "k8s" : "cni", pod.orElse(req.containerId()), ifname)
                .toLowerCase(java.util.Locale.ROOT);
        List<String> nets = ips.stream().map(ip -> ip + "/" + ip.family().bits()).toList();
        return new WorkloadEndpoint(new ObjectMeta(name, ns, null, null, null, Map.of(), Map.of()),
                new WorkloadEndpoint.Spec(pod.isPresent() ? "k8s" : "cni", "", node, req.containerId(), pod.orElse(null), ifname, nets, null, null));
    }

    private void del(CniRequest req) throws IOException {
        String handle = handleId(req);
        WorkloadEndpoint w = endpoint(req, List.of());
        // the endpoint goes in the release's first transaction
        ipam.releaseByHandle(handle, List.of(io.podnet.datastore.Op.delete(resources.key(w))));
        Optional<String> pod = req.args().get("K8S_POD_NAME");
        Optional<String> ns = req.args().get("K8S_POD_NAMESPACE");
        if (pod.isPresent() && ns.isPresent()) ipam.releaseByHandle(ns.get() + "." + pod.get()); // Calico's workload-ID handle
        if (netns != null) netns.forget(handle);
    }

    private void check(CniRequest req) throws CniException, IOException {
        String handle = handleId(req);
        List<IpAddress> want = new ArrayList<>();
        if (req.conf().prevResult().isPresent()) {
            ResultCodec.decode(req.conf().prevResult().get()).ips().forEach(ip -> want.add(ip.address().address()));
        }
        for (IpAddress ip : want) {
            Optional<ClusterIpam.IpInfo> info = ipam.allocation(ip);
            if (info.isEmpty() || info.get().cooling() || !handle.equals(info.get().handleId())) {
                throw new CniException(CniErrorCode.CHECK_FAILED, ip + " is not allocated to handle " + handle, "");
            }
        }
        if (want.isEmpty() && ipam.reader().handle(handle).isEmpty()) {
            throw new CniException(CniErrorCode.CHECK_FAILED, "handle " + handle + " holds no addresses", "");
        }
    }

    /** CNI GC: release this network's handles on this node whose attachment is not valid any more. */
    private void gc(CniRequest req) throws IOException {
        String prefix = (req.conf().name().isEmpty() ? "k8s-pod-network" : req.conf().name()) + ".";
        java.util.Set<String> valid = new java.util.HashSet<>();
        req.conf().validAttachments().forEach(a -> valid.add(prefix + a.containerId()));
        for (var h : ipam.reader().handles()) {
            String id = ipam.reader().keys().handleIdOf(h.key());
            if (!id.startsWith(prefix) || valid.contains(id)) continue;
            boolean ours = false;
            for (String cidr : h.value().block().keySet()) {
                var b = ipam.reader().block(io.podnet.net.IpPrefix.parse(cidr));
                if (b.isEmpty()) continue;
                for (int o : b.get().value().ordinalsOf(id)) {
                    ours |= node.equals(b.get().value().attributeOf(o).map(a -> a.secondary().get("node")).orElse(null));
                }
            }
            if (ours) {
                ipam.releaseByHandle(id);
                if (netns != null) netns.forget(id);
            }
        }
    }
}
