package io.podnet.routed;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podnet.cni.CniCommand;
import io.podnet.cni.CniErrorCode;
import io.podnet.cni.CniException;
import io.podnet.cni.CniRequest;
import io.podnet.cni.result.CniInterface;
import io.podnet.cni.result.CniResult;
import io.podnet.cni.result.IpConfig;
import io.podnet.cni.result.ResultCodec;
import io.podnet.cni.server.CniHandler;
import io.podnet.cni.server.CniResponse;
import io.podnet.dataplane.Sandboxes;
import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.NetNs;
import io.podnet.net.fs.AtomicFile;
import io.podnet.workload.bridge.Attachment;
import io.podnet.workload.bridge.BridgeNetwork;
import io.podnet.workload.routed.RoutedNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * CNI type {@code podnet-routed} (Calico's {@code calico} plugin in its routed, no-encapsulation mode): addresses from
 * the cluster IPAM ({@code ipam.type} {@code podnet-calico-ipam}, served in-process), a veth per pod with no bridge,
 * {@code /32} host routes on the node (announced by the node's BGP speaker as part of its block).
 * <pre>
 *  ADD   IPAM ADD (handle &lt;network&gt;.&lt;containerID&gt;) ─▶ record &lt;stateDir&gt;/&lt;cid&gt;_&lt;ifname&gt;.json (durable) ─▶ veth + routes
 *        any failure: detach, IPAM DEL, record removed; the error is returned
 *  DEL   detach (veth reaped, host routes withdrawn) ─▶ IPAM DEL ─▶ record removed; idempotent, fine without netns
 *  CHECK the host veth, its routes, and IPAM's handle for prevResult's addresses
 *  GC    IPAM GC, then records (and their veths and routes) of attachments not in the valid list
 * </pre>
 * Config keys: {@code mtu} (0 = 1500), {@code ipam} (the {@code podnet-calico-ipam} section). The records let an
 * agent restart restore every pod's host routes before the dataplane's first pass ({@link #restore}).
 */
public final class RoutedCniHandler implements CniHandler {
    public static final String TYPE = "podnet-routed";
    public static final String IPAM_TYPE = "podnet-calico-ipam";
    private static final System.Logger LOG = System.getLogger(RoutedCniHandler.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CniHandler ipam;
    private final Sandboxes sandboxes;
    private final io.podnet.dataplane.NodeDataplane dp;
    private final int defaultMtu;
    private final Path stateDir;

    /** What ADD recorded of one attachment. */
    record Record(@JsonProperty("containerId") String containerId, @JsonProperty("ifname") String ifname,
                  @JsonProperty("netns") String netns, @JsonProperty("mtu") int mtu, @JsonProperty("ips") List<String> ips) {}

    /**
     * @param ipam       the cluster IPAM handler ({@code podnet-calico-ipam})
     * @param dp         the node dataplane
     * @param sandboxes  how pods are reached
     * @param defaultMtu the pod MTU when the config has none (0 = the kernel's 1500)
     * @param stateDir   where attachment records live
     */
    public RoutedCniHandler(CniHandler ipam, io.podnet.dataplane.NodeDataplane dp, Sandboxes sandboxes, int defaultMtu, Path stateDir) {
        this.ipam = ipam;
        this.dp = dp;
        this.sandboxes = sandboxes;
        this.defaultMtu = defaultMtu;
        this.stateDir = stateDir;
    }

    /** Before the dataplane's first pass: the host routes of every recorded pod, so the first resync keeps them. */
    public int restore() throws IOException {
        List<Attachment> all = new ArrayList<>();
        for (Record r : records()) all.add(attachment(r));
        new RoutedNetwork(dp, sandboxes, 0).restore(all);
        return all.size();
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
                    checkIpam(req);
                    CniResponse r = ipam.handle(req);
                    gc(req);
                    yield r;
                }
                case STATUS -> ipam.handle(req);
                case VERSION -> CniResponse.ok();
            };
        } catch (BridgeNetwork.InterfaceExistsException e) {
            throw new CniException(CniErrorCode.LIBCNI_INTERNAL, "container interface name provided (" + req.ifname()
                    + ") already exists: " + e.getMessage(), "CNI_IFNAME=" + req.ifname() + " is taken in CNI_NETNS=" + req.netns());
        } catch (IOException e) {
            throw new CniException(CniErrorCode.INTERNAL, req.command() + " failed: " + e.getMessage(), "");
        }
    }

    private static void checkIpam(CniRequest req) throws CniException {
        String t = req.conf().ipam().map(i -> i.path("type").asText("")).orElse("");
        if (!t.equals(IPAM_TYPE)) {
            throw new CniException(CniErrorCode.INVALID_NETWORK_CONFIG, "ipam.type must be \"" + IPAM_TYPE + "\" for type \"" + TYPE
                    + "\" (the routed mode's blocks are what the node announces), not \"" + t + "\"", "");
        }
    }

    private int mtu(CniRequest req) throws CniException {
        JsonNode m = req.conf().raw().path("mtu");
        if (m.isMissingNode() || m.isNull()) return defaultMtu;
        if (!m.canConvertToInt() || m.asInt() < 0 || m.asInt() > 65535) {
            throw new CniException(CniErrorCode.INVALID_NETWORK_CONFIG, "mtu must be an integer 0..65535, not " + m, "");
        }
        return m.asInt();
    }

    private CniResult add(CniRequest req) throws CniException, IOException {
        checkIpam(req);
        int mtu = mtu(req);
        if (req.netns().isEmpty()) throw new CniException(CniErrorCode.INVALID_ENVIRONMENT, "CNI_NETNS is required for ADD", "");
        NetNs ns = NetNs.at(Path.of(req.netns()));
        if (!sandboxes.exists(ns)) throw new CniException(CniErrorCode.INVALID_NETNS, "network namespace " + req.netns() + " does not exist", "");
        Optional<MacAddress> mac;
        try {
            mac = req.requestedMac().map(MacAddress::parse);
        } catch (IllegalArgumentException e) {
            throw new CniException(CniErrorCode.INVALID_NETWORK_CONFIG, "invalid MAC: " + e.getMessage(), "");
        }
        CniResponse allocated = ipam.handle(req);
        CniResult ips = ResultCodec.decode(allocated.stdout());
        Record rec = new Record(req.containerId(), req.ifname(), req.netns(), mtu,
                ips.ips().stream().map(i -> i.address().address().toString()).toList());
        Attachment a = new Attachment(ns, req.ifname(), req.containerId(),
                ips.ips().stream().map(i -> new Attachment.IpConfig(i.address(), Optional.empty())).toList(), List.of(), mac);
        Path file = recordFile(req.containerId(), req.ifname());
        try {
            Files.createDirectories(stateDir);
            AtomicFile.write(file, JSON.writeValueAsBytes(rec)); // before the veth: a crash after it still finds the pod
            RoutedNetwork.Attached at = new RoutedNetwork(dp, sandboxes, mtu).attach(a);
            List<CniInterface> ifs = List.of(CniInterface.of(at.hostVeth(), at.hostMac().toString(), ""),
                    CniInterface.of(at.ifname(), at.containerMac().toString(), req.netns()));
            List<IpConfig> out = ips.ips().stream().map(i -> new IpConfig(i.address(), Optional.empty(), Optional.of(1))).toList();
            return new CniResult(ifs, out, List.of(), req.conf().dns());
        } catch (IOException | RuntimeException e) {
            try {
                ipam.handle(asDel(req));
                AtomicFile.delete(file, true);
            } catch (CniException | IOException | RuntimeException u) {
                e.addSuppressed(u); // IPAM's GC releases the handle (no workload holds it)
            }
            throw e;
        }
    }

    private void del(CniRequest req) throws CniException, IOException {
        Path file = recordFile(req.containerId(), req.ifname());
        Optional<Record> rec = read(file);
        Attachment a = rec.isPresent() ? attachment(rec.get())
                : new Attachment(NetNs.at(Path.of("/nonexistent-netns")), req.ifname().isEmpty() ? "eth0" : req.ifname(), req.containerId(),
                        List.of(), List.of(), Optional.empty());
        new RoutedNetwork(dp, sandboxes, 0).detach(a);
        if (req.conf().ipam().isPresent()) {
            checkIpam(req);
            ipam.handle(req);
        }
        AtomicFile.delete(file, true);
    }

    private void check(CniRequest req) throws CniException, IOException {
        checkIpam(req);
        if (req.conf().prevResult().isEmpty()) throw new CniException(CniErrorCode.INVALID_NETWORK_CONFIG, "CHECK needs prevResult", "");
        CniResult prev = ResultCodec.decode(req.conf().prevResult().get());
        Attachment a = new Attachment(NetNs.at(Path.of(req.netns())), req.ifname(), req.containerId(),
                prev.ips().stream().map(i -> new Attachment.IpConfig(i.address(), Optional.empty())).toList(), List.of(), Optional.empty());
        List<String> problems = new RoutedNetwork(dp, sandboxes, 0).check(a);
        if (!problems.isEmpty()) throw new CniException(CniErrorCode.CHECK_FAILED, String.join("; ", problems), "");
        ipam.handle(req);
    }

    /** Removes the records, veths and routes of attachments the runtime no longer has. */
    private void gc(CniRequest req) throws IOException {
        Set<String> valid = new HashSet<>();
        req.conf().validAttachments().forEach(v -> valid.add(v.containerId() + "/" + v.ifname()));
        for (Record r : records()) {
            if (valid.contains(r.containerId() + "/" + r.ifname())) continue;
            new RoutedNetwork(dp, sandboxes, 0).detach(attachment(r));
            AtomicFile.delete(recordFile(r.containerId(), r.ifname()), true);
            LOG.log(System.Logger.Level.INFO, "GC removed routed pod " + r.containerId() + "/" + r.ifname());
        }
    }

    private static CniRequest asDel(CniRequest req) {
        return new CniRequest(CniCommand.DEL, req.containerId(), req.netns(), req.ifname(), req.args(), req.path(), req.config(),
                req.conf(), req.plugin());
    }

    private static Attachment attachment(Record r) {
        List<Attachment.IpConfig> ips = r.ips().stream().map(IpAddress::parse)
                .map(ip -> new Attachment.IpConfig(new Cidr(ip, ip.family().bits()), Optional.<IpAddress>empty())).toList();
        return new Attachment(NetNs.at(Path.of(r.netns().isEmpty() ? "/nonexistent-netns" : r.netns())), r.ifname(), r.containerId(),
                ips, List.of(), Optional.empty());
    }

    private Path recordFile(String containerId, String ifname) {
        // the host veth name is a hash of both: a safe, unique file name whatever the container id holds
        return stateDir.resolve(RoutedNetwork.hostVeth(new Attachment(NetNs.at(Path.of("/")), ifname.isEmpty() ? "eth0" : ifname,
                containerId, List.of(), List.of(), Optional.empty())) + ".json");
    }

    private static Optional<Record> read(Path file) throws IOException {
        if (!Files.exists(file)) return Optional.empty();
        try {
            return Optional.of(JSON.readValue(Files.readAllBytes(file), Record.class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            LOG.log(System.Logger.Level.WARNING, "unreadable routed record " + file + " (" + e.getOriginalMessage() + "); ignoring it");
            return Optional.empty();
        }
    }

    private List<Record> records() throws IOException {
        List<Record> out = new ArrayList<>();
        if (!Files.isDirectory(stateDir)) return out;
        try (var s = Files.list(stateDir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) read(p).ifPresent(out::add);
        }
        return out;
    }
}
