package io.podnet.cni.result;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.cni.CniErrorCode;
import io.podnet.cni.CniException;
import io.podnet.cni.CniVersion;
import io.podnet.cni.config.Json;
import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads and writes CNI results in versions 0.3.0-1.1.0, and error results. Pure: no I/O. */
public final class ResultCodec {

    private ResultCodec() {}

    /** Writes {@code r} as version {@code v}; fields newer than {@code v} are dropped. */
    public static ObjectNode encode(CniResult r, CniVersion v) {
        if (!v.isSupported()) throw new IllegalArgumentException("cannot write a result in unsupported version " + v);
        boolean legacy = v.compareTo(CniVersion.V1_0_0) < 0;
        boolean v11 = v.atLeast(CniVersion.V1_1_0);
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("cniVersion", v.toString());
        if (!r.interfaces().isEmpty()) {
            ArrayNode a = o.putArray("interfaces");
            r.interfaces().forEach(i -> a.add(encode(i, v11)));
        }
        if (!r.ips().isEmpty()) {
            ArrayNode a = o.putArray("ips");
            r.ips().forEach(ip -> a.add(encode(ip, legacy)));
        }
        if (!r.routes().isEmpty()) {
            ArrayNode a = o.putArray("routes");
            r.routes().forEach(rt -> a.add(encode(rt, v11)));
        }
        o.set("dns", r.dns().orElse(Dns.EMPTY).encode());
        return o;
    }

    public static byte[] encodeBytes(CniResult r, CniVersion v) {
        return Json.write(encode(r, v));
    }

    private static ObjectNode encode(CniInterface i, boolean v11) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("name", i.name());
        if (!i.mac().isEmpty()) o.put("mac", i.mac());
        if (v11) i.mtu().ifPresent(m -> o.put("mtu", m));
        if (!i.sandbox().isEmpty()) o.put("sandbox", i.sandbox());
        if (v11) {
            i.socketPath().ifPresent(s -> o.put("socketPath", s));
            i.pciId().ifPresent(s -> o.put("pciID", s));
        }
        return o;
    }

    private static ObjectNode encode(IpConfig ip, boolean legacy) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        if (legacy) o.put("version", ip.legacyVersion());
        ip.interfaceIndex().ifPresent(i -> o.put("interface", i));
        o.put("address", ip.address().toString());
        ip.gateway().ifPresent(g -> o.put("gateway", g.toString()));
        return o;
    }

    private static ObjectNode encode(CniRoute r, boolean v11) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("dst", r.dst().toString());
        r.gw().ifPresent(g -> o.put("gw", g.toString()));
        if (v11) {
            r.mtu().ifPresent(x -> o.put("mtu", x));
            r.advmss().ifPresent(x -> o.put("advmss", x));
            r.priority().ifPresent(x -> o.put("priority", x));
            r.table().ifPresent(x -> o.put("table", x));
            r.scope().ifPresent(x -> o.put("scope", x));
        }
        return o;
    }

    /** Reads a result of any supported version; malformed content is code 6 naming the field. */
    public static CniResult decode(JsonNode n) throws CniException {
        if (!n.isObject()) throw bad("result", "must be an object");
        String ver = n.path("cniVersion").asText("");
        if (!ver.isEmpty()) {
            CniVersion v = parseVersion(ver);
            if (!v.isSupported()) {
                throw new CniException(CniErrorCode.INCOMPATIBLE_VERSION, "unsupported result version " + v,
                        "result is \"" + v + "\", podnet supports " + CniVersion.supportedForDetails());
            }
        }
        try {
            List<CniInterface> ifs = new ArrayList<>();
            for (JsonNode i : Json.array(n, "interfaces", "result.")) ifs.add(decodeInterface(i));
            List<IpConfig> ips = new ArrayList<>();
            for (JsonNode i : Json.array(n, "ips", "result.")) ips.add(decodeIp(i));
            List<CniRoute> routes = new ArrayList<>();
            for (JsonNode i : Json.array(n, "routes", "result.")) routes.add(decodeRoute(i));
            Optional<Dns> dns = Optional.empty();
            if (n.hasNonNull("dns")) {
                Dns d = Dns.decode(n.get("dns"), "result.dns.");
                if (!d.isEmpty()) dns = Optional.of(d);
            }
            return new CniResult(ifs, ips, routes, dns);
        } catch (IllegalArgumentException e) {
            throw bad("result", e.getMessage());
        } catch (CniException e) {
            throw new CniException(CniErrorCode.DECODING_FAILURE, e.msg(), e.details());
        }
    }

    public static CniResult decode(byte[] bytes) throws CniException {
        return decode(Json.parseObject(bytes, "result"));
    }

    /** Converts result bytes of any supported version into version {@code to} (libcni {@code convert}). */
    public static byte[] convert(byte[] result, CniVersion to) throws CniException {
        if (!to.isSupported()) {
            throw new CniException(CniErrorCode.INCOMPATIBLE_VERSION, "cannot convert a result to version " + to,
                    "podnet supports " + CniVersion.supportedForDetails());
        }
        return encodeBytes(decode(result), to);
    }

    private static CniVersion parseVersion(String ver) throws CniException {
        try {
            return CniVersion.parse(ver);
        } catch (IllegalArgumentException e) {
            throw bad("result.cniVersion", e.getMessage());
        }
    }

    private static CniInterface decodeInterface(JsonNode i) throws CniException {
        String p = "result.interfaces[].";
        return new CniInterface(Json.string(i, "name", p).orElse(""), Json.string(i, "mac", p).orElse(""),
                Json.string(i, "sandbox", p).orElse(""), intField(i, "mtu", p), Json.string(i, "socketPath", p),
                Json.string(i, "pciID", p));
    }

    private static IpConfig decodeIp(JsonNode i) throws CniException {
        String p = "result.ips[].";
        String addr = Json.string(i, "address", p).orElseThrow(() -> bad(p + "address", "is required"));
        Optional<IpAddress> gw = Json.string(i, "gateway", p).filter(s -> !s.isEmpty()).map(IpAddress::parse);
        return new IpConfig(Cidr.parse(addr), gw, intField(i, "interface", p));
    }

    private static CniRoute decodeRoute(JsonNode r) throws CniException {
        String p = "result.routes[].";
        String dst = Json.string(r, "dst", p).orElseThrow(() -> bad(p + "dst", "is required"));
        Optional<IpAddress> gw = Json.string(r, "gw", p).filter(s -> !s.isEmpty()).map(IpAddress::parse);
        return new CniRoute(Cidr.parse(dst).prefix(), gw, intField(r, "mtu", p), intField(r, "advmss", p),
                intField(r, "priority", p), intField(r, "table", p), intField(r, "scope", p));
    }

    private static Optional<Integer> intField(JsonNode n, String key, String p) throws CniException {
        Optional<Long> v = Json.unsigned(n, key, p);
        if (v.isPresent() && v.get() > Integer.MAX_VALUE) throw bad(p + key, "too large: " + v.get());
        return v.map(Long::intValue);
    }

    private static CniException bad(String field, String problem) {
        return new CniException(CniErrorCode.DECODING_FAILURE, "failed to decode " + field + ": " + problem, "");
    }

    /** The error result JSON: {@code {"cniVersion", "code", "msg", "details"}} ({@code details} omitted when empty). */
    public static ObjectNode encodeError(CniException e, String cniVersion) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("cniVersion", cniVersion == null || cniVersion.isEmpty() ? CniVersion.CURRENT.toString() : cniVersion);
        o.put("code", e.code());
        o.put("msg", e.msg());
        if (!e.details().isEmpty()) o.put("details", e.details());
        return o;
    }

    /** Reads an error result (e.g. from a delegated plugin's stdout). */
    public static CniException decodeError(JsonNode n) throws CniException {
        Optional<Long> code = Json.unsigned(n, "code", "error.");
        if (code.isEmpty()) throw bad("error.code", "is required");
        return new CniException(code.get().intValue(), n.path("msg").asText(""), n.path("details").asText(""));
    }

    /** The VERSION answer: {@code {"cniVersion": <asked>, "supportedVersions": [...]}}. */
    public static ObjectNode encodeVersionInfo(String asked) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("cniVersion", asked == null || asked.isEmpty() ? CniVersion.CURRENT.toString() : asked);
        ArrayNode a = o.putArray("supportedVersions");
        CniVersion.SUPPORTED.forEach(v -> a.add(v.toString()));
        return o;
    }
}
