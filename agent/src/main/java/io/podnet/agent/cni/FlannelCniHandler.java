package io.podnet.agent.cni;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.cni.CniErrorCode;
import io.podnet.cni.CniException;
import io.podnet.cni.CniRequest;
import io.podnet.cni.config.NetConf;
import io.podnet.cni.server.CniHandler;
import io.podnet.cni.server.CniResponse;
import io.podnet.net.fs.AtomicFile;
import io.podnet.overlay.subnet.SubnetEnv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CNI type {@code podnet-flannel}: what flannel's CNI plugin does, delegating to podnet bridge networks. Reads
 * {@code subnetFile} (default /run/flannel/subnet.env), builds the bridge delegate (bridge {@code cni0},
 * isGateway, isDefaultGateway, mtu FLANNEL_MTU, ipMasq = !FLANNEL_IPMASQ, IPAM range FLANNEL_SUBNET with a
 * route to FLANNEL_NETWORK), saves it under {@code dataDir/<containerID>} (atomically and durably) before ADD so DEL
 * uses exactly the same config even if subnet.env changed, and removes it after DEL.
 */
public final class FlannelCniHandler implements CniHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final CniHandler bridge;
    private final Path defaultDataDir;

    public FlannelCniHandler(CniHandler bridge, Path defaultDataDir) {
        this.bridge = bridge;
        this.defaultDataDir = defaultDataDir;
    }

    @Override
    public CniResponse handle(CniRequest req) throws CniException {
        ObjectNode conf = req.conf().raw();
        Path dataDir = Path.of(conf.path("dataDir").asText(defaultDataDir.toString()));
        Path saved = dataDir.resolve(req.containerId().isEmpty() ? "_" : req.containerId());
        try {
            return switch (req.command()) {
                case ADD -> {
                    ObjectNode delegate = delegate(conf);
                    AtomicFile.write(saved, JSON.writeValueAsBytes(delegate)); // fsync'd: a power loss leaves no empty file
                    yield bridge.handle(withConfig(req, delegate));
                }
                case DEL -> {
                    if (!Files.exists(saved)) yield CniResponse.ok(); // never added, or already deleted
                    ObjectNode delegate = (ObjectNode) JSON.readTree(Files.readAllBytes(saved));
                    CniResponse r = bridge.handle(withConfig(req, delegate));
                    AtomicFile.delete(saved, true);
                    yield r;
                }
                case CHECK -> Files.exists(saved) ? bridge.handle(withConfig(req, (ObjectNode) JSON.readTree(Files.readAllBytes(saved))))
                        : CniResponse.ok();
                case GC, STATUS, VERSION -> bridge.handle(withConfig(req, delegate(conf)));
            };
        } catch (IOException e) {
            throw new CniException(CniErrorCode.IO_FAILURE, e.getMessage(), "");
        }
    }

    private ObjectNode delegate(ObjectNode conf) throws CniException {
        SubnetEnv env;
        try {
            env = SubnetEnv.read(Path.of(conf.path("subnetFile").asText(SubnetEnv.DEFAULT_PATH.toString())));
        } catch (IOException e) {
            throw new CniException(CniErrorCode.TRY_AGAIN_LATER, e.getMessage(), "");
        }
        ObjectNode d = conf.has("delegate") ? (ObjectNode) conf.get("delegate").deepCopy() : JSON.createObjectNode();
        for (String k : new String[] {"cniVersion", "name", "runtimeConfig", "args", "prevResult", NetConf.VALID_ATTACHMENTS, NetConf.ATTACHMENTS_LEGACY}) {
            if (conf.has(k)) d.set(k, conf.get(k));
        }
        d.put("type", CniRequest.PLUGIN_MAIN);
        if (!d.has("bridge")) d.put("bridge", "cni0");
        if (!d.has("isGateway")) d.put("isGateway", true);
        if (!d.has("isDefaultGateway")) d.put("isDefaultGateway", true);
        if (!d.has("ipMasq")) d.put("ipMasq", !env.ipMasq());
        d.put("mtu", env.mtu());
        ObjectNode ipam = conf.has("ipam") ? (ObjectNode) conf.get("ipam").deepCopy() : JSON.createObjectNode();
        ipam.put("type", "podnet");
        ArrayNode ranges = ipam.putArray("ranges");
        ranges.addArray().addObject().put("subnet", env.subnet().prefix().toString()).put("gateway", env.subnet().address().toString());
        ArrayNode routes = ipam.has("routes") ? (ArrayNode) ipam.get("routes") : ipam.putArray("routes");
        routes.addObject().put("dst", env.network().toString());
        d.set("ipam", ipam);
        return d;
    }

    private static CniRequest withConfig(CniRequest req, ObjectNode conf) throws CniException {
        byte[] bytes = conf.toString().getBytes(StandardCharsets.UTF_8);
        return new CniRequest(req.command(), req.containerId(), req.netns(), req.ifname(), req.args(), req.path(), bytes,
                NetConf.decode(bytes), CniRequest.PLUGIN_MAIN);
    }

}
