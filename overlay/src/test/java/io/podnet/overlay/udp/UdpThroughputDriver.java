package io.podnet.overlay.udp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.TunDevice;
import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark driver (not a test; run by {@code bench/udp-throughput.sh}): iperf3 TCP throughput between two
 * namespaces over the bare veth underlay, over a kernel vxlan device on it (flannel's vxlan backend layout:
 * VNI 1, port 8472, MTU 1450), and through the udp tunnel (flannel0 → UdpTunnel → veth → UdpTunnel → flannel0)
 * with TUN offloads on ({@code udp}) and off ({@code udp-plain}), all in the same run, alternating per round.
 * Prints the medians, the ratios to the veth and to vxlan, the tunnel's batch sizes and segments per TUN
 * read/write, and allocation per packet. The tunnels are restarted for each udp round (on/off).
 * Usage: {@code UdpThroughputDriver [seconds=5] [rounds=3] [batch=64] [streams=1] [modes=veth,vxlan,udp,udp-plain]}
 */
public final class UdpThroughputDriver {
    private UdpThroughputDriver() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int streams = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        List<String> modes = List.of((args.length > 4 ? args[4] : "veth,vxlan,udp,udp-plain").split(","));
        if (!Sh.has("iperf3")) throw new IllegalStateException("iperf3 is not installed");
        System.out.println("load average before: " + Files.readString(Path.of("/proc/loadavg")).strip());
        try (Netns a = Netns.create("ba"); Netns b = Netns.create("bb")) {
            wire(a, b);
            Map<String, List<Double>> results = new LinkedHashMap<>();
            for (String m : modes) results.put(m, new ArrayList<>());
            Map<String, UdpTunnelStats[]> stats = new LinkedHashMap<>();
            for (int r = 0; r < rounds; r++) {
                StringBuilder line = new StringBuilder("round " + (r + 1) + ":");
                for (String m : modes) {
                    double mbps = switch (m) {
                        case "veth" -> iperf(a, b, "192.168.90.2", seconds, streams);
                        case "vxlan" -> iperf(a, b, "10.6.0.2", seconds, streams);
                        case "udp", "udp-plain" -> tunnelRound(a, b, m, seconds, streams, batch, stats, line);
                        default -> throw new IllegalArgumentException("unknown mode " + m);
                    };
                    results.get(m).add(mbps);
                    line.append(String.format(" %s %.0f", m, mbps));
                }
                System.out.println(line.append(" Mbit/s"));
            }
            System.out.printf("median over %d rounds of %d s, %d stream(s), batch %d:%n", rounds, seconds, streams, batch);
            Double veth = results.containsKey("veth") ? median(results.get("veth")) : null;
            Double vxlan = results.containsKey("vxlan") ? median(results.get("vxlan")) : null;
            for (var e : results.entrySet()) {
                double v = median(e.getValue());
                System.out.printf("  %-10s %8.0f Mbit/s%s%s%n", e.getKey(), v,
                        veth == null ? "" : String.format("   / veth %.3f", v / veth),
                        vxlan == null ? "" : String.format("   / vxlan %.3f", v / vxlan));
            }
            for (var e : stats.entrySet()) {
                report(e.getKey() + " node A (sender)", e.getValue()[0]);
                report(e.getKey() + " node B (receiver)", e.getValue()[1]);
            }
            System.out.println("  flannel0 drops: A tx " + drops(a, "tx") + ", B rx " + drops(b, "rx")
                    + "; UDP receive-buffer errors on B: " + udpRcvbufErrors(b));
            System.out.println("load average after: " + Files.readString(Path.of("/proc/loadavg")).strip());
        }
    }

    /** Starts both tunnels (offloads on for "udp", off for "udp-plain"), runs iperf3, closes them. */
    private static double tunnelRound(Netns a, Netns b, String mode, int seconds, int streams, int batch,
                                      Map<String, UdpTunnelStats[]> stats, StringBuilder line) throws Exception {
        UdpTunnelOptions opts = UdpTunnelOptions.DEFAULTS.withBatchSize(batch).withOffloads(mode.equals("udp"));
        try (UdpTunnel ta = start(a, "192.168.90.1", "10.5.2.0/24", "192.168.90.2", opts);
             UdpTunnel tb = start(b, "192.168.90.2", "10.5.1.0/24", "192.168.90.1", opts)) {
            if (ta.offloadsActive() != opts.offloads()) line.append(" [offloads refused]");
            iperf(a, b, "10.5.2.0", 1, 1); // warm-up: JIT-compile the loops before measuring allocation
            long alloc0 = TunnelThreadAllocation.bytes();
            long packets0 = packets(ta, tb);
            long cpu0 = TunnelThreadAllocation.cpuNanos("");
            long bytes0 = ta.stats().txBytes();
            double mbps = iperf(a, b, "10.5.2.0", seconds, streams);
            double perPacket = (TunnelThreadAllocation.bytes() - alloc0) / (double) (packets(ta, tb) - packets0);
            double gb = (ta.stats().txBytes() - bytes0) / 1e9;
            line.append(String.format(" (%s: alloc %.2f B/pkt, tunnel threads' CPU %.0f ms/GB)",
                    mode, perPacket, (TunnelThreadAllocation.cpuNanos("") - cpu0) / 1e6 / gb));
            UdpTunnelStats[] prev = stats.get(mode);
            stats.put(mode, prev == null ? new UdpTunnelStats[] {ta.stats(), tb.stats()}
                    : new UdpTunnelStats[] {plus(prev[0], ta.stats()), plus(prev[1], tb.stats())});
            return mbps;
        }
    }

    private static UdpTunnelStats plus(UdpTunnelStats x, UdpTunnelStats y) {
        return new UdpTunnelStats(x.txPackets() + y.txPackets(), x.txBytes() + y.txBytes(), x.rxPackets() + y.rxPackets(),
                x.rxBytes() + y.rxBytes(), x.dropsNoRoute() + y.dropsNoRoute(), x.dropsTtlExpired() + y.dropsTtlExpired(),
                x.dropsMalformed() + y.dropsMalformed(), x.icmpUnreachableSent() + y.icmpUnreachableSent(),
                x.sendErrors() + y.sendErrors(), x.receiveErrors() + y.receiveErrors(), x.txBatches() + y.txBatches(),
                x.rxBatches() + y.rxBatches(), x.tunReads() + y.tunReads(), x.tunWrites() + y.tunWrites());
    }

    private static long packets(UdpTunnel ta, UdpTunnel tb) {
        return ta.stats().txPackets() + ta.stats().rxPackets() + tb.stats().txPackets() + tb.stats().rxPackets();
    }

    private static void report(String who, UdpTunnelStats s) {
        System.out.printf("  %s: tx %d pkts in %d sendmmsg (%.1f/call) from %d TUN reads (%.1f/read), rx %d pkts in "
                        + "%d recvmmsg (%.1f/call) to %d TUN writes (%.1f/write), errors tx %d rx %d%n", who,
                s.txPackets(), s.txBatches(), s.txPackets() / Math.max(1.0, s.txBatches()), s.tunReads(),
                s.txPackets() / Math.max(1.0, s.tunReads()), s.rxPackets(), s.rxBatches(),
                s.rxPackets() / Math.max(1.0, s.rxBatches()), s.tunWrites(), s.rxPackets() / Math.max(1.0, s.tunWrites()),
                s.sendErrors(), s.receiveErrors());
    }

    private static long drops(Netns n, String dir) {
        JsonNode j = Sh.ipJson(n.name(), "-s", "link", "show", "flannel0");
        return j.get(0).at("/stats64/" + dir + "/dropped").asLong();
    }

    private static String udpRcvbufErrors(Netns n) {
        for (String line : n.exec("cat", "/proc/net/snmp").out().split("\n")) {
            if (line.startsWith("Udp: ") && !line.contains("InDatagrams")) return line.split("\\s+")[5];
        }
        return "?";
    }

    private static void wire(Netns a, Netns b) {
        String va = RunId.name("ua");
        String vb = RunId.name("ub");
        Sh.check("ip", "-n", a.name(), "link", "add", va, "type", "veth", "peer", "name", vb, "netns", b.name());
        node(a, va, "192.168.90.1/24", "10.5.1.0/32");
        node(b, vb, "192.168.90.2/24", "10.5.2.0/32");
        vxlan(a, va, "192.168.90.1", "192.168.90.2", "10.6.0.1/24");
        vxlan(b, vb, "192.168.90.2", "192.168.90.1", "10.6.0.2/24");
    }

    /** A kernel vxlan device as flannel's vxlan backend makes it (VNI 1, port 8472, MTU underlay − 50). */
    private static void vxlan(Netns n, String underlay, String local, String remote, String addr) {
        Sh.check("ip", "-n", n.name(), "link", "add", "vx0", "type", "vxlan", "id", "1", "local", local, "remote",
                remote, "dstport", "8472", "dev", underlay);
        Sh.check("ip", "-n", n.name(), "link", "set", "vx0", "mtu", "1450", "up");
        Sh.check("ip", "-n", n.name(), "addr", "add", addr, "dev", "vx0");
    }

    private static void node(Netns n, String underlay, String underlayAddr, String leaseAddr) {
        Sh.check("ip", "-n", n.name(), "addr", "add", underlayAddr, "dev", underlay);
        Sh.check("ip", "-n", n.name(), "link", "set", underlay, "up");
        Sh.check("ip", "-n", n.name(), "tuntap", "add", "flannel0", "mode", "tun");
        Sh.check("ip", "-n", n.name(), "link", "set", "flannel0", "mtu", "1472", "up");
        Sh.check("ip", "-n", n.name(), "addr", "add", leaseAddr, "dev", "flannel0");
        Sh.check("ip", "-n", n.name(), "route", "add", "10.5.0.0/16", "dev", "flannel0");
    }

    private static UdpTunnel start(Netns n, String underlay, String remoteLease, String remote, UdpTunnelOptions opts)
            throws Exception {
        NetNs ns = NetNs.named(n.name());
        TunDevice tun = TunDevice.attach(ns, "flannel0", LinkKind.Tuntap.Mode.TUN);
        UdpSocket sock = UdpSocket.open(ns, IpAddress.parse(underlay), UdpSocket.FLANNEL_PORT);
        return UdpTunnel.start(tun, sock,
                UdpRoutes.of(Map.of(IpPrefix.parse(remoteLease), IpAddress.parse(remote))), opts);
    }

    /** One iperf3 TCP run, retried (up to 3 times) when iperf3 reports nothing, as it does under heavy load. */
    private static double iperf(Netns a, Netns b, String server, int seconds, int streams) throws Exception {
        double mbps = 0;
        for (int attempt = 0; attempt < 3 && mbps == 0; attempt++) mbps = iperfOnce(a, b, server, seconds, streams);
        return mbps;
    }

    /** One iperf3 TCP run from a to server address in b; returns the receiver's Mbit/s. */
    private static double iperfOnce(Netns a, Netns b, String server, int seconds, int streams) throws Exception {
        Process srv = new ProcessBuilder("ip", "netns", "exec", b.name(), "iperf3", "-s", "-1", "-B", server, "-p", "5201")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            for (int i = 0; i < 100 && b.exec("ss", "-Hltn", "src", server, "sport", "= :5201").out().isBlank(); i++) {
                srv.waitFor(50, TimeUnit.MILLISECONDS); // until the server listens
            }
            Sh.Result r = a.exec("iperf3", "-c", server, "-p", "5201", "-t", Integer.toString(seconds),
                    "-P", Integer.toString(streams), "-J");
            if (!r.ok()) throw new IllegalStateException("iperf3 failed: " + r.out() + r.err());
            JsonNode j = new ObjectMapper().readTree(r.out());
            double mbps = j.at("/end/sum_received/bits_per_second").asDouble() / 1e6;
            if (mbps == 0) System.err.println("iperf3 reported no throughput (" + j.path("error").asText() + "), retrying");
            return mbps;
        } finally {
            srv.destroy();
            if (!srv.waitFor(5, TimeUnit.SECONDS)) srv.destroyForcibly();
        }
    }

    private static double median(List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }
}
