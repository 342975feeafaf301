package io.podnet.ipam;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.cni.result.CniRoute;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code ipam} section of a network config, host-local compatible (SPECS-NOTES 2.2):
 * <ul>
 * <li>{@code ranges: [[{subnet, rangeStart, rangeEnd, gateway}, ...], ...]} - outer list one address per set
 *     (e.g. v4 + v6), inner list a pool; or the legacy single range {@code subnet/rangeStart/rangeEnd/gateway};
 *     {@code runtimeConfig.ipRanges} overrides both;</li>
 * <li>{@code routes: [{dst, gw}]}, {@code dataDir} (default {@code /var/lib/cni/networks}), {@code resolvConf};</li>
 * <li>podnet only: {@code fsync} (default true) - fsync each reservation before answering; false survives
 *     process crashes (kill -9) but not power loss.</li>
 * </ul>
 */
public record IpamConfig(String network, List<RangeSet> rangeSets, List<CniRoute> routes, Path dataDir,
                         Optional<Path> resolvConf, boolean fsync) {

    public static final Path DEFAULT_DATA_DIR = Path.of("/var/lib/cni/networks");

    public IpamConfig {
        if (network == null || network.isEmpty() || network.contains("/") || network.equals(".") || network.equals("..")) {
            throw new IllegalArgumentException("network name must be a plain directory name: " + network);
        }
        rangeSets = List.copyOf(rangeSets);
        routes = List.copyOf(routes);
        if (rangeSets.isEmpty()) throw new IllegalArgumentException("no IP ranges");
    }

    /** The store directory: {@code <dataDir>/<network>}. */
    public Path networkDir() {
        return dataDir.resolve(network);
    }

    /**
     * Decodes and canonicalises the {@code ipam} section. {@code ipRanges} (runtimeConfig) replaces the ranges
     * when present. Errors are {@link IpamException.Reason#CONFIG} naming the field.
     */
    public static IpamConfig decode(JsonNode ipam, String network, Optional<JsonNode> ipRanges) throws IpamException {
        if (ipam == null || !ipam.isObject()) throw config("ipam", "section is missing");
        List<RangeSet> sets = ipRanges.isPresent() ? rangeSets(ipRanges.get(), "runtimeConfig.ipRanges")
                : ipam.has("ranges") ? rangeSets(ipam.get("ranges"), "ipam.ranges") : legacy(ipam);
        for (int i = 0; i < sets.size(); i++) {
            for (int j = i + 1; j < sets.size(); j++) {
                if (sets.get(i).overlaps(sets.get(j))) throw config("ipam.ranges", "range sets " + i + " and " + j + " overlap");
            }
        }
        Path dataDir = text(ipam, "dataDir", "ipam.dataDir").map(Path::of).orElse(DEFAULT_DATA_DIR);
        Optional<Path> resolv = text(ipam, "resolvConf", "ipam.resolvConf").map(Path::of);
        JsonNode fs = ipam.get("fsync");
        if (fs != null && !fs.isBoolean()) throw config("ipam.fsync", "must be a boolean");
        try {
            return new IpamConfig(network, sets, routes(ipam), dataDir, resolv, fs == null || fs.asBoolean());
        } catch (IllegalArgumentException e) {
            throw config("name", e.getMessage());
        }
    }

    private static List<RangeSet> legacy(JsonNode ipam) throws IpamException {
        if (!ipam.has("subnet")) throw config("ipam.ranges", "either ranges or subnet is required");
        return List.of(new RangeSet(List.of(range(ipam, "ipam."))));
    }

    private static List<RangeSet> rangeSets(JsonNode n, String field) throws IpamException {
        if (!n.isArray() || n.isEmpty()) throw config(field, "must be a non-empty list of range sets");
        List<RangeSet> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode set = n.get(i);
            String f = field + "[" + i + "]";
            if (!set.isArray() || set.isEmpty()) throw config(f, "must be a non-empty list of ranges");
            List<AllocRange> ranges = new ArrayList<>();
            for (int j = 0; j < set.size(); j++) {
                ranges.add(range(set.get(j), f + "[" + j + "]."));
            }
            if (ranges.stream().map(r -> r.start().family()).distinct().count() > 1) throw config(f, "mixed address families");
            try {
                out.add(new RangeSet(ranges));
            } catch (IllegalArgumentException e) {
                throw config(f, e.getMessage());
            }
        }
        return out;
    }

    /** host-local {@code Range.Canonicalize}. */
    static AllocRange range(JsonNode r, String p) throws IpamException {
        if (!r.isObject()) throw config(p, "range must be an object");
        String subnetText = text(r, "subnet", p + "subnet").orElseThrow(() -> config(p + "subnet", "is required"));
        IpPrefix subnet;
        try {
            subnet = IpPrefix.parse(subnetText);
        } catch (IllegalArgumentException e) {
            throw config(p + "subnet", "invalid CIDR \"" + subnetText + "\": " + e.getMessage());
        }
        if (subnet.length() > subnet.family().bits() - 2) {
            throw config(p + "subnet", "network " + subnet + " too small to allocate from");
        }
        IpAddress gw = address(r, "gateway", p).orElse(subnet.first().next());
        IpAddress start = address(r, "rangeStart", p).orElse(subnet.first().next());
        IpAddress end = address(r, "rangeEnd", p).orElse(subnet.family() == io.podnet.net.IpFamily.V4 ? subnet.last().add(-1) : subnet.last());
        inSubnet(subnet, gw, p + "gateway");
        inSubnet(subnet, start, p + "rangeStart");
        inSubnet(subnet, end, p + "rangeEnd");
        if (start.compareTo(end) > 0) throw config(p + "rangeStart", start + " is after rangeEnd " + end);
        return new AllocRange(subnet, start, end, gw);
    }

    private static void inSubnet(IpPrefix subnet, IpAddress a, String field) throws IpamException {
        if (!subnet.contains(a)) throw config(field, a + " not in network " + subnet);
    }

    private static Optional<IpAddress> address(JsonNode r, String key, String p) throws IpamException {
        Optional<String> t = text(r, key, p + key);
        if (t.isEmpty() || t.get().isEmpty()) return Optional.empty();
        try {
            return Optional.of(IpAddress.parse(t.get()));
        } catch (IllegalArgumentException e) {
            throw config(p + key, "invalid IP address \"" + t.get() + "\"");
        }
    }

    private static List<CniRoute> routes(JsonNode ipam) throws IpamException {
        JsonNode rs = ipam.get("routes");
        if (rs == null || rs.isNull()) return List.of();
        if (!rs.isArray()) throw config("ipam.routes", "must be a list");
        List<CniRoute> out = new ArrayList<>();
        for (int i = 0; i < rs.size(); i++) {
            String p = "ipam.routes[" + i + "].";
            String dst = text(rs.get(i), "dst", p + "dst").orElseThrow(() -> config(p + "dst", "is required"));
            try {
                IpPrefix d = io.podnet.net.Cidr.parse(dst).prefix();
                Optional<IpAddress> gw = address(rs.get(i), "gw", p);
                out.add(CniRoute.of(d, gw));
            } catch (IllegalArgumentException e) {
                throw config(p + "dst", e.getMessage());
            }
        }
        return out;
    }

    private static Optional<String> text(JsonNode o, String key, String field) throws IpamException {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.isTextual()) throw config(field, "must be a string");
        return Optional.of(v.asText());
    }

    static IpamException config(String field, String problem) {
        return new IpamException(IpamException.Reason.CONFIG, "invalid ipam config: " + field + ": " + problem);
    }
}
