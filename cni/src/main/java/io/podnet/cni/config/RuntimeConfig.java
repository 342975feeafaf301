package io.podnet.cni.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.cni.CniException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Capability args a runtime injects as {@code runtimeConfig} (CONVENTIONS.md). Known capabilities are typed;
 * {@code ipRanges} stays raw JSON (same shape as host-local {@code ranges}, interpreted by IPAM); everything else
 * is kept in {@code raw}.
 */
public record RuntimeConfig(List<String> ips, Optional<String> mac, List<PortMapping> portMappings,
                            Optional<Bandwidth> bandwidth, Optional<DnsCapability> dns, Optional<JsonNode> ipRanges,
                            ObjectNode raw) {

    public static final RuntimeConfig EMPTY = new RuntimeConfig(List.of(), Optional.empty(), List.of(), Optional.empty(),
            Optional.empty(), Optional.empty(), Json.MAPPER.createObjectNode());

    public RuntimeConfig {
        ips = List.copyOf(ips);
        portMappings = List.copyOf(portMappings);
        ipRanges = ipRanges.map(JsonNode::deepCopy);
        raw = raw.deepCopy();
    }

    @Override
    public ObjectNode raw() {
        return raw.deepCopy();
    }

    /** Decodes {@code runtimeConfig}; wrong types are code 7 naming the field. */
    public static RuntimeConfig decode(ObjectNode rc) throws CniException {
        String p = "runtimeConfig.";
        List<PortMapping> ports = new ArrayList<>();
        for (JsonNode pm : Json.array(rc, "portMappings", p)) {
            ports.add(portMapping(pm));
        }
        Optional<Bandwidth> bw = Optional.empty();
        Optional<ObjectNode> b = Json.object(rc, "bandwidth", p);
        if (b.isPresent()) {
            String q = p + "bandwidth.";
            bw = Optional.of(new Bandwidth(Json.unsigned(b.get(), "ingressRate", q).orElse(0L),
                    Json.unsigned(b.get(), "ingressBurst", q).orElse(0L), Json.unsigned(b.get(), "egressRate", q).orElse(0L),
                    Json.unsigned(b.get(), "egressBurst", q).orElse(0L)));
        }
        Optional<DnsCapability> dns = Optional.empty();
        Optional<ObjectNode> d = Json.object(rc, "dns", p);
        if (d.isPresent()) {
            String q = p + "dns.";
            dns = Optional.of(new DnsCapability(Json.strings(d.get(), "servers", q), Json.strings(d.get(), "searches", q),
                    Json.strings(d.get(), "options", q)));
        }
        JsonNode ranges = rc.get("ipRanges");
        if (ranges != null && !ranges.isNull() && !ranges.isArray()) throw Json.invalid(p + "ipRanges", "must be a list of range sets");
        return new RuntimeConfig(Json.strings(rc, "ips", p), Json.string(rc, "mac", p), ports, bw, dns,
                Optional.ofNullable(ranges).filter(r -> !r.isNull()), rc);
    }

    private static PortMapping portMapping(JsonNode pm) throws CniException {
        String q = "runtimeConfig.portMappings[].";
        if (!pm.isObject()) throw Json.invalid(q, "must be an object");
        long host = Json.unsigned(pm, "hostPort", q).orElseThrow(() -> Json.invalid(q + "hostPort", "is required"));
        long cont = Json.unsigned(pm, "containerPort", q).orElseThrow(() -> Json.invalid(q + "containerPort", "is required"));
        if (host > 65535 || cont > 65535) throw Json.invalid(q + "hostPort", "port out of range");
        return new PortMapping((int) host, (int) cont, Json.string(pm, "protocol", q).orElse("tcp"), Json.string(pm, "hostIP", q));
    }
}
