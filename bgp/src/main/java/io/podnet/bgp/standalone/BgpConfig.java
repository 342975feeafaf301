package io.podnet.bgp.standalone;

import io.podnet.bgp.message.AfiSafi;
import io.podnet.bgp.speaker.PeerConfig;
import io.podnet.bgp.speaker.SpeakerConfig;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The standalone speaker's configuration file (JSON; JSON is also valid YAML 1.2). Unknown keys are errors,
 * so typos fail fast. Fields are documented in bgp/README.md.
 */
public record BgpConfig(SpeakerConfig speaker, List<PeerConfig> peers, List<IpPrefix> routes, int statusIntervalSeconds,
                        double memoryLimit) {
    private static final Set<String> TOP = Set.of("asn", "routerId", "clusterId", "listen", "holdTime",
            "connectRetrySeconds", "gracefulRestartSeconds", "defaultLocalPref", "routes", "peers", "statusIntervalSeconds",
            "memoryLimit");
    private static final Set<String> PEER = Set.of("address", "asn", "port", "passive", "rrClient", "nextHopSelf",
            "password", "localAddress", "nextHopV6", "families", "multihop", "maxPrefixes", "maxPrefixesRestartSeconds");
    /** The default share of the old generation the RIB may fill before the biggest peer is stopped. */
    static final double DEFAULT_MEMORY_LIMIT = 0.85;
    /** Default wait before a peer stopped by its prefix limit is started again. */
    static final long DEFAULT_PREFIX_RESTART_SECONDS = 60;

    public BgpConfig {
        peers = List.copyOf(peers);
        routes = List.copyOf(routes);
        if (memoryLimit < 0 || memoryLimit > 1) throw new IllegalArgumentException("\"memoryLimit\" must be between 0 (off) and 1");
    }

    @SuppressWarnings("unchecked")
    public static BgpConfig parse(String json) {
        if (!(Json.parse(json) instanceof Map<?, ?> raw)) throw new IllegalArgumentException("config must be a JSON object");
        Map<String, Object> m = (Map<String, Object>) raw;
        check(m.keySet(), TOP, "top level");
        long asn = num(m, "asn", -1);
        IpAddress id = IpAddress.parse(str(m, "routerId", null));
        SpeakerConfig sc = SpeakerConfig.of(asn, id)
                .withHoldTime((int) num(m, "holdTime", 90))
                .withConnectRetry(Duration.ofSeconds(num(m, "connectRetrySeconds", 5)));
        long gr = num(m, "gracefulRestartSeconds", 120);
        sc = sc.withGracefulRestart(gr == 0 ? null : Duration.ofSeconds(gr));
        if (m.containsKey("clusterId")) sc = sc.withClusterId(IpAddress.parse(str(m, "clusterId", null)));
        if (m.containsKey("listen")) sc = sc.withListen(socket(str(m, "listen", null)));
        sc = new SpeakerConfig(sc.asn(), sc.routerId(), sc.clusterId(), sc.listen(), sc.holdTime(), sc.connectRetry(),
                sc.gracefulRestart(), num(m, "defaultLocalPref", 100));
        List<PeerConfig> peers = new ArrayList<>();
        for (Object p : list(m, "peers")) {
            if (!(p instanceof Map<?, ?> pm)) throw new IllegalArgumentException("each peer must be an object");
            peers.add(peer((Map<String, Object>) pm));
        }
        List<IpPrefix> routes = list(m, "routes").stream().map(o -> IpPrefix.parse(String.valueOf(o))).toList();
        return new BgpConfig(sc, peers, routes, (int) num(m, "statusIntervalSeconds", 0), fraction(m, "memoryLimit", DEFAULT_MEMORY_LIMIT));
    }

    private static PeerConfig peer(Map<String, Object> p) {
        check(p.keySet(), PEER, "peer");
        PeerConfig c = PeerConfig.of(IpAddress.parse(str(p, "address", null)), num(p, "asn", -1))
                .withPort((int) num(p, "port", 179))
                .withPassive(bool(p, "passive"))
                .withRrClient(bool(p, "rrClient"))
                .withNextHopSelf(bool(p, "nextHopSelf"));
        if (p.containsKey("password")) c = c.withPassword(str(p, "password", null));
        if (p.containsKey("localAddress")) c = c.withLocalAddress(IpAddress.parse(str(p, "localAddress", null)));
        if (p.containsKey("nextHopV6")) c = c.withNextHopV6(IpAddress.parse(str(p, "nextHopV6", null)));
        c = c.withMultihop(bool(p, "multihop"));
        if (p.containsKey("maxPrefixes")) {
            long max = num(p, "maxPrefixes", -1);
            if (max < 1 || max > Integer.MAX_VALUE) throw new IllegalArgumentException("\"maxPrefixes\" must be 1.." + Integer.MAX_VALUE);
            c = c.withMaxPrefixes((int) max, Duration.ofSeconds(num(p, "maxPrefixesRestartSeconds", DEFAULT_PREFIX_RESTART_SECONDS)));
        } else if (p.containsKey("maxPrefixesRestartSeconds")) {
            throw new IllegalArgumentException("\"maxPrefixesRestartSeconds\" needs \"maxPrefixes\"");
        }
        if (p.containsKey("families")) {
            c = c.withFamilies(list(p, "families").stream().map(f -> switch (String.valueOf(f)) {
                case "ipv4-unicast" -> AfiSafi.IPV4_UNICAST;
                case "ipv6-unicast" -> AfiSafi.IPV6_UNICAST;
                default -> throw new IllegalArgumentException("unknown family " + f + " (ipv4-unicast, ipv6-unicast)");
            }).toList());
        }
        return c;
    }

    private static void check(Set<String> keys, Set<String> allowed, String where) {
        for (String k : keys) if (!allowed.contains(k)) throw new IllegalArgumentException("unknown " + where + " key \"" + k + "\"");
    }

    static InetSocketAddress socket(String s) {
        int c = s.lastIndexOf(':');
        if (c < 0) throw new IllegalArgumentException("listen must be host:port, e.g. 0.0.0.0:179");
        String host = s.substring(0, c).replace("[", "").replace("]", "");
        return new InetSocketAddress(IpAddress.parse(host).toInetAddress(), Integer.parseInt(s.substring(c + 1)));
    }

    private static long num(Map<String, Object> m, String k, long dflt) {
        Object v = m.get(k);
        if (v == null) {
            if (dflt < 0) throw new IllegalArgumentException("missing \"" + k + "\"");
            return dflt;
        }
        if (!(v instanceof Long l)) throw new IllegalArgumentException("\"" + k + "\" must be an integer");
        return l;
    }

    private static double fraction(Map<String, Object> m, String k, double dflt) {
        Object v = m.get(k);
        if (v == null) return dflt;
        if (v instanceof Long l) return l;
        if (!(v instanceof Double d)) throw new IllegalArgumentException("\"" + k + "\" must be a number");
        return d;
    }

    private static String str(Map<String, Object> m, String k, String dflt) {
        Object v = m.get(k);
        if (v == null) {
            if (dflt == null) throw new IllegalArgumentException("missing \"" + k + "\"");
            return dflt;
        }
        if (!(v instanceof String s)) throw new IllegalArgumentException("\"" + k + "\" must be a string");
        return s;
    }

    private static boolean bool(Map<String, Object> m, String k) {
        Object v = m.get(k);
        if (v == null) return false;
        if (!(v instanceof Boolean b)) throw new IllegalArgumentException("\"" + k + "\" must be true or false");
        return b;
    }

    private static List<Object> list(Map<String, Object> m, String k) {
        Object v = m.get(k);
        if (v == null) return List.of();
        if (!(v instanceof List<?> l)) throw new IllegalArgumentException("\"" + k + "\" must be an array");
        return new ArrayList<>(l);
    }
}
