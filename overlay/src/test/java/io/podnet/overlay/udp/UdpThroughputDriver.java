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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark driver (not a test; run by {@code bench/udp-throughput.sh}): iperf3 TCP throughput between two
 * namespaces through the udp tunnel (flannel0 → UdpTunnel → veth → UdpTunnel → flannel0) versus the bare veth
 * underlay, in the same run. Prints both, the ratio, and the tunnel's mean batch sizes.
 * Usage: {@code UdpThroughputDriver [seconds=5] [rounds=3] [batch=64] [streams=1]}
 */
public final class UdpThroughputDriver {
    private UdpThroughputDriver() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int streams = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        if (!Sh.has("iperf3")) throw new IllegalStateException("iperf3 is not installed");
        try (Netns a = Netns.create("ba"); Netns b = Netns.create("bb")) {
            wire(a, b);
            UdpTunnelOptions opts = UdpTunnelOptions.DEFAULTS.withBatchSize(batch);
            try (UdpTunnel ta = start(a, "192.168.90.1", "10.5.2.0/24", "192.168.90.2", opts);
                 UdpTunnel tb = start(b, "192.168.90.2", "10.5.1.0/24", "192.168.90.1", opts)) {
                List<Double> tunnel = new ArrayList<>();
                List<Double> veth = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    veth.add(iperf(a, b, "192.168.90.2", seconds, streams));
                    long alloc0 = TunnelThreadAllocation.bytes();
                    long packets0 = packets(ta, tb);
                    tunnel.add(iperf(a, b, "10.5.2.0", seconds, streams));
                    double perPacket = (TunnelThreadAllocation.bytes() - alloc0) / (double) (packets(ta, tb) - packets0);
                    System.out.printf("round %d: veth %.0f Mbit/s, udp tunnel %.0f Mbit/s (tunnel threads allocated "
                            + "%.2f bytes/packet)%n", r + 1, veth.getLast(), tunnel.getLast(), perPacket);
                }
                double t = median(tunnel);
                double v = median(veth);
                System.out.printf("median over %d rounds of %d s, %d stream(s), batch %d:%n", rounds, seconds, streams, batch);
                System.out.printf("  bare veth (MTU 1500)          %8.0f Mbit/s%n", v);
                System.out.printf("  podnet udp tunnel (MTU 1472)  %8.0f Mbit/s%n", t);
                System.out.printf("  tunnel / veth                 %8.3f%n", t / v);
                report("node A (sender)", ta.stats());
                report("node B (receiver)", tb.stats());
                System.out.println("  flannel0 drops: A tx " + drops(a, "tx") + ", B rx " + drops(b, "rx")
                        + "; UDP receive-buffer errors on B: " + udpRcvbufErrors(b));
            }
        }
    }

    private static long packets(UdpTunnel ta, UdpTunnel tb) {
        return ta.stats().txPackets() + ta.stats().rxPackets() + tb.stats().txPackets() + tb.stats().rxPackets();
    }

    private static void report(String who, UdpTunnelStats s) {
        System.out.printf("  %s: tx %d pkts in %d sendmmsg (%.1f/call), rx %d pkts in %d recvmmsg (%.1f/call), "
                        + "errors tx %d rx %d%n", who, s.txPackets(), s.txBatches(),
                s.txPackets() / Math.max(1.0, s.txBatches()), s.rxPackets(), s.rxBatches(),
                s.rxPackets() / Math.max(1.0, s.rxBatches()), s.sendErrors(), s.receiveErrors());
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
