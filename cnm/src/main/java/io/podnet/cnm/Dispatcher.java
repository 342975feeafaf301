package io.podnet.cnm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.podnet.cnm.CnmException.Kind;
import io.podnet.cnm.state.PortMapping;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The plugin protocol codec: maps {@code /<Interface>.<Method>} and its JSON body to a driver call and the
 * result to the JSON answer. Failures become {@code {"Err": ...}} with HTTP 500, for the IpamDriver too: dockerd's
 * plugin client ({@code pkg/plugins/client.go}) reads {@code Err} from every non-200 answer and shows the body raw
 * otherwise (the IPAM API's own {@code Error} field is only read from a 200 answer). An unknown method is 404
 * (libnetwork treats it as not implemented).
 */
final class Dispatcher {
    static final String PORTMAP = "com.docker.network.portmap";
    static final String GENERIC = "com.docker.network.generic";
    static final ObjectMapper JSON = new ObjectMapper();
    /** The error key dockerd reads from a failed (non-200) plugin answer, NetworkDriver and IpamDriver alike. */
    static final String ERR = "Err";
    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());
    private final NetworkDriver net;
    private final IpamDriver ipam;

    /** An answer: HTTP status and JSON body. */
    record Reply(int status, String body) {}

    Dispatcher(NetworkDriver net, IpamDriver ipam) {
        this.net = net;
        this.ipam = ipam;
    }

    Reply handle(String path, String body) {
        String errKey = ERR;
        LOG.log(System.Logger.Level.DEBUG, "{0} {1}", path, body);
        try {
            JsonNode req = body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
            Optional<Object> out = call(path, req);
            if (out.isEmpty()) return new Reply(404, json(Map.of(errKey, "unknown method " + path)));
            return new Reply(200, json(out.get()));
        } catch (JsonProcessingException e) {
            return new Reply(500, json(Map.of(errKey, "malformed JSON for " + path + ": " + e.getOriginalMessage())));
        } catch (CnmException e) {
            LOG.log(System.Logger.Level.INFO, "{0} failed: {1}", path, e.getMessage());
            return new Reply(500, json(Map.of(errKey, "podnet: " + e.getMessage())));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, path + " failed", e);
            return new Reply(500, json(Map.of(errKey, "podnet: " + e)));
        }
    }

    private Optional<Object> call(String path, JsonNode r) throws CnmException {
        Object out = switch (path) {
            case "/Plugin.Activate" -> Map.of("Implements", List.of("NetworkDriver", "IpamDriver"));
            case "/NetworkDriver.GetCapabilities" -> Map.of("Scope", "local", "ConnectivityScope", "local");
            case "/NetworkDriver.CreateNetwork" -> createNetwork(r);
            case "/NetworkDriver.DeleteNetwork" -> done(() -> net.deleteNetwork(str(r, "NetworkID")));
            case "/NetworkDriver.AllocateNetwork" -> Map.of("Options", Map.of());
            case "/NetworkDriver.FreeNetwork", "/NetworkDriver.DiscoverNew", "/NetworkDriver.DiscoverDelete",
                 "/IpamDriver.DiscoverNew", "/IpamDriver.DiscoverDelete" -> Map.of();
            case "/NetworkDriver.CreateEndpoint" -> createEndpoint(r);
            case "/NetworkDriver.EndpointOperInfo" -> Map.of("Value", net.operInfo(str(r, "NetworkID"), str(r, "EndpointID")));
            case "/NetworkDriver.DeleteEndpoint" -> done(() -> net.deleteEndpoint(str(r, "NetworkID"), str(r, "EndpointID")));
            case "/NetworkDriver.Join" -> join(r);
            case "/NetworkDriver.Leave" -> done(() -> net.leave(str(r, "NetworkID"), str(r, "EndpointID")));
            case "/NetworkDriver.ProgramExternalConnectivity" ->
                    done(() -> net.programExternalConnectivity(str(r, "NetworkID"), str(r, "EndpointID"), ports(r)));
            case "/NetworkDriver.RevokeExternalConnectivity" ->
                    done(() -> net.revokeExternalConnectivity(str(r, "NetworkID"), str(r, "EndpointID")));
            case "/IpamDriver.GetCapabilities" -> Map.of("RequiresMACAddress", false, "RequiresRequestReplay", false);
            case "/IpamDriver.GetDefaultAddressSpaces" ->
                    Map.of("LocalDefaultAddressSpace", "podnet-local", "GlobalDefaultAddressSpace", "podnet-global");
            case "/IpamDriver.RequestPool" -> requestPool(r);
            case "/IpamDriver.ReleasePool" -> done(() -> ipam.releasePool(str(r, "PoolID")));
            case "/IpamDriver.RequestAddress" -> Map.of("Address", ipam.requestAddress(str(r, "PoolID"), opt(r, "Address"),
                    IpamDriver.GATEWAY_TYPE.equals(r.path("Options").path("RequestAddressType").asText(""))), "Data", Map.of());
            case "/IpamDriver.ReleaseAddress" -> done(() -> ipam.releaseAddress(str(r, "PoolID"), str(r, "Address")));
            default -> null;
        };
        return Optional.ofNullable(out);
    }

    private Object createNetwork(JsonNode r) throws CnmException {
        JsonNode v4 = r.path("IPv4Data");
        if (!v4.isArray() || v4.size() != 1) throw new CnmException(Kind.BAD_REQUEST, "podnet networks need exactly one IPv4 pool, got " + v4.size());
        JsonNode v6 = r.path("IPv6Data");
        if (v6.size() > 1) throw new CnmException(Kind.BAD_REQUEST, "podnet networks take at most one IPv6 pool, got " + v6.size());
        boolean dual = v6.size() == 1;
        net.createNetwork(str(r, "NetworkID"), str(v4.get(0), "Pool"), str(v4.get(0), "Gateway"),
                dual ? str(v6.get(0), "Pool") : null, dual ? str(v6.get(0), "Gateway") : null);
        return Map.of();
    }

    private Object createEndpoint(JsonNode r) throws CnmException {
        JsonNode itf = r.path("Interface");
        String address = opt(itf, "Address");
        if (address.isEmpty()) throw new CnmException(Kind.BAD_REQUEST, "CreateEndpoint without an IPv4 address (use an IPAM driver)");
        net.createEndpoint(str(r, "NetworkID"), str(r, "EndpointID"), address, opt(itf, "AddressIPv6"), opt(itf, "MacAddress"),
                ports(r).orElse(List.of()));
        return Map.of("Interface", Map.of()); // Docker supplied the interface: the answer must be empty
    }

    private Object join(JsonNode r) throws CnmException {
        NetworkDriver.Joined j = net.join(str(r, "NetworkID"), str(r, "EndpointID"), ports(r));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("InterfaceName", Map.of("SrcName", j.srcName(), "DstPrefix", "eth"));
        out.put("Gateway", j.gateway());
        j.gateway6().ifPresent(g -> out.put("GatewayIPv6", g));
        return out;
    }

    private Object requestPool(JsonNode r) throws CnmException {
        PoolId id = ipam.requestPool(opt(r, "Pool"), opt(r, "SubPool"), r.path("V6").asBoolean(false));
        return Map.of("PoolID", id.toString(), "Pool", id.pool().toString(), "Data", Map.of());
    }

    /** The port mappings in {@code Options}, absent when the key is missing. */
    static Optional<List<PortMapping>> ports(JsonNode r) throws CnmException {
        JsonNode pm = r.path("Options").path(PORTMAP);
        if (pm.isMissingNode() || pm.isNull()) return Optional.empty();
        if (!pm.isArray()) throw new CnmException(Kind.BAD_REQUEST, PORTMAP + " is not a list");
        List<PortMapping> out = new ArrayList<>();
        try {
            for (JsonNode m : pm) {
                out.add(new PortMapping(m.path("Proto").asInt(), m.path("HostIP").asText(""), m.path("HostPort").asInt(),
                        m.path("HostPortEnd").asInt(), m.path("Port").asInt()));
            }
        } catch (IllegalArgumentException e) {
            throw new CnmException(Kind.BAD_REQUEST, e.getMessage(), e);
        }
        return Optional.of(out);
    }

    private interface Action {
        void run() throws CnmException;
    }

    private static Object done(Action a) throws CnmException {
        a.run();
        return Map.of();
    }

    private static String str(JsonNode r, String field) throws CnmException {
        JsonNode v = r == null ? MissingNode.getInstance() : r.path(field);
        if (!v.isTextual() || v.asText().isEmpty()) throw new CnmException(Kind.BAD_REQUEST, "missing field " + field);
        return v.asText();
    }

    private static String opt(JsonNode r, String field) {
        JsonNode v = r.path(field);
        return v.isTextual() ? v.asText() : "";
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
