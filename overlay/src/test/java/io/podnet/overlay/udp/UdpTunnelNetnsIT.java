package io.podnet.overlay.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.Namespaces;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.TunDevice;
import io.podnet.rtnetlink.Errno;
import io.podnet.rtnetlink.SyscallException;
import io.podnet.testkit.Netns;
import io.podnet.testkit.NetnsExtension;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two "nodes" (namespaces) joined by a veth underlay 192.168.90.1/24 ↔ .2/24, each with a TUN {@code flannel0}
 * (MTU 1472, lease address 10.5.1.0/32 resp. 10.5.2.0/32, route 10.5.0.0/16 dev flannel0) served by a
 * {@link UdpTunnel} in this JVM — flannel's udp backend layout.
 */
@ExtendWith(NetnsExtension.class)
class UdpTunnelNetnsIT {
    // runs with TUN offloads on (the default); UdpTunnelPlainNetnsIT repeats every test on the per-packet path
    private static final IpPrefix LEASE_A = IpPrefix.parse("10.5.1.0/24");
    private static final IpPrefix LEASE_B = IpPrefix.parse("10.5.2.0/24");
    private static final IpAddress UNDERLAY_A = IpAddress.parse("192.168.90.1");
    private static final IpAddress UNDERLAY_B = IpAddress.parse("192.168.90.2");

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeTunnels() throws Exception {
        for (AutoCloseable c : toClose.reversed()) c.close();
    }

    /** Underlay veth plus flannel0 in both namespaces (set up with iproute2, independent of the code under test). */
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

    /** The options every tunnel here runs with; {@link UdpTunnelPlainNetnsIT} turns the offloads off. */
    UdpTunnelOptions options() {
        return UdpTunnelOptions.DEFAULTS;
    }

    private UdpTunnel start(Netns n, IpAddress underlay, UdpRoutes routes) throws Exception {
        NetNs ns = NetNs.named(n.name());
        TunDevice tun = TunDevice.attach(ns, "flannel0", LinkKind.Tuntap.Mode.TUN);
        UdpSocket sock;
        try {
            sock = UdpSocket.open(ns, underlay, UdpSocket.FLANNEL_PORT);
        } catch (Exception e) {
            tun.close();
            throw e;
        }
        UdpTunnel t = UdpTunnel.start(tun, sock, routes, options());
        toClose.add(t);
        assertThat(t.offloadsActive()).as("offloads").isEqualTo(options().offloads());
        return t;
    }

    private UdpTunnel[] startBoth(Netns a, Netns b) throws Exception {
        wire(a, b);
        return new UdpTunnel[] {
            start(a, UNDERLAY_A, UdpRoutes.of(Map.of(LEASE_B, UNDERLAY_B))),
            start(b, UNDERLAY_B, UdpRoutes.of(Map.of(LEASE_A, UNDERLAY_A)))};
    }

    private static Sh.Result ping(Netns from, String target, String... extra) {
        List<String> cmd = new ArrayList<>(List.of("ping", "-n", "-c", "3", "-i", "0.2", "-W", "2"));
        cmd.addAll(List.of(extra));
        cmd.add(target);
        return from.exec(cmd.toArray(String[]::new));
    }

    private static void awaitTrue(String what, BooleanSupplier cond) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (!cond.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    @Test
    void pingsAcrossTheTunnelBothWaysAndCountsPackets(Netns a, Netns b) throws Exception {
        UdpTunnel[] t = startBoth(a, b);
        Sh.Result ab = ping(a, "10.5.2.0");
        assertThat(ab.ok()).as(ab.out() + ab.err()).isTrue();
        Sh.Result ba = ping(b, "10.5.1.0");
        assertThat(ba.ok()).as(ba.out() + ba.err()).isTrue();

        // a loop counts a packet after handing it on, so ping may see the last reply before it is counted
        awaitTrue("6 packets counted each way", () -> t[0].stats().rxPackets() >= 6 && t[0].stats().txPackets() >= 6
                && t[1].stats().rxPackets() >= 6 && t[1].stats().txPackets() >= 6);
        UdpTunnelStats sa = t[0].stats();
        UdpTunnelStats sb = t[1].stats();
        // 3 requests + 3 replies each way, 84-byte IPv4 packets (20 IP + 8 ICMP + 56 data)
        assertThat(sa.txPackets()).isGreaterThanOrEqualTo(6);
        assertThat(sa.rxPackets()).isGreaterThanOrEqualTo(6);
        assertThat(sb.txPackets()).isGreaterThanOrEqualTo(6);
        assertThat(sb.rxPackets()).isGreaterThanOrEqualTo(6);
        assertThat(sa.txBytes()).isGreaterThanOrEqualTo(6 * 84L);
        assertThat(sb.rxBytes()).isGreaterThanOrEqualTo(6 * 84L);
        assertThat(sa.sendErrors() + sb.sendErrors() + sa.receiveErrors() + sb.receiveErrors()).isZero();
        assertThat(t[0].isRunning()).isTrue();
        assertThat(t[0].failure()).isEmpty();
    }

    @Test
    void carriesAFewMegabytesOfTcpUncorrupted(Netns a, Netns b) throws Exception {
        UdpTunnel[] t = startBoth(a, b);
        int size = 8 << 20;
        byte[] data = new byte[size];
        new Random(2026).nextBytes(data);
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(data);

        assertThat(transfer(a, b, data, 5201)).isEqualTo(expected);
        // every byte crossed the tunnel in packets of at most the TUN MTU
        assertThat(t[0].stats().txBytes()).isGreaterThan(size);
        assertThat(t[1].stats().rxBytes()).isGreaterThan(size);
        assertThat(t[0].stats().txPackets()).isGreaterThan(size / 1472);
        if (options().offloads()) {
            // TSO super-packets were read (many segments per read) and coalesced segments written
            assertThat(t[0].stats().tunReads() * 4).isLessThan(t[0].stats().txPackets());
            assertThat(t[1].stats().tunWrites() * 4).isLessThan(t[1].stats().rxPackets());
        } else {
            assertThat(t[0].stats().tunReads()).isGreaterThanOrEqualTo(t[0].stats().txPackets());
        }
    }

    @Test
    void forwardsTcpBothWaysForAPodBehindTheNode(Netns a, Netns b, Netns pod) throws Exception {
        UdpTunnel[] t = startBoth(a, b);
        // a pod behind node B as in the lab: its own namespace on a veth, B routes and forwards
        String vb = RunId.name("pb");
        String vp = RunId.name("pp");
        Sh.check("ip", "-n", b.name(), "link", "add", vb, "type", "veth", "peer", "name", vp, "netns", pod.name());
        Sh.check("ip", "-n", b.name(), "addr", "add", "10.5.2.1/24", "dev", vb);
        Sh.check("ip", "-n", b.name(), "link", "set", vb, "mtu", "1472", "up");
        Sh.check("ip", "-n", pod.name(), "addr", "add", "10.5.2.2/24", "dev", vp);
        Sh.check("ip", "-n", pod.name(), "link", "set", vp, "mtu", "1472", "up");
        Sh.check("ip", "-n", pod.name(), "route", "add", "default", "via", "10.5.2.1");
        Sh.check("ip", "netns", "exec", b.name(), "sysctl", "-qw", "net.ipv4.ip_forward=1");
        byte[] data = new byte[6 << 20];
        new Random(99).nextBytes(data);
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(data);
        // A → pod: B writes (coalesced) packets into flannel0 and forwards them to the pod
        assertThat(transfer(a, pod, "10.5.2.2", data, 5202)).isEqualTo(expected);
        // pod → A: the pod's TSO packets are forwarded into B's flannel0 and segmented by B's tunnel
        assertThat(transfer(pod, a, "10.5.1.0", data, 5203)).isEqualTo(expected);
        if (options().offloads()) assertThat(t[1].stats().tunReads() * 4).isLessThan(t[1].stats().txPackets());
    }

    @Test
    void carriesUdpDatagramsWithValidChecksums(Netns a, Netns b) throws Exception {
        UdpTunnel[] t = startBoth(a, b);
        // the receiving kernel drops a datagram whose checksum is wrong: all must arrive, byte for byte
        try (DatagramChannel rx = Namespaces.runIn(NetNs.named(b.name()), () -> DatagramChannel.open().bind(
                new InetSocketAddress("10.5.2.0", 9999)));
             DatagramChannel tx = Namespaces.runIn(NetNs.named(a.name()), () -> DatagramChannel.open())) {
            rx.configureBlocking(false);
            Selector selector = Selector.open();
            toClose.add(selector);
            rx.register(selector, SelectionKey.OP_READ);
            Random r = new Random(7);
            for (int n : new int[] {0, 1, 2, 3, 100, 1001, 1444}) {
                byte[] sent = new byte[n];
                r.nextBytes(sent);
                tx.send(ByteBuffer.wrap(sent), new InetSocketAddress("10.5.2.0", 9999));
                ByteBuffer got = ByteBuffer.allocate(2000);
                // no thread of a shared pool: wait for readability with a bound
                if (selector.select(5000) == 0 || rx.receive(got) == null) {
                    throw new AssertionError("datagram of " + n + " bytes lost; A " + t[0].stats() + ", B "
                            + t[1].stats() + "; A flannel0 " + a.exec("ip", "-s", "link", "show", "flannel0").out());
                }
                selector.selectedKeys().clear();
                assertThat(Arrays.copyOf(got.array(), got.position())).as(n + " bytes").isEqualTo(sent);
            }
        }
    }

    @Test
    void offloadsKeepADeviceCreatedByAttachNonPersistentAndCloseRemovesIt(Netns a) throws Exception {
        NetNs ns = NetNs.named(a.name());
        TunDevice tun = TunDevice.attach(ns, "flannel9", LinkKind.Tuntap.Mode.TUN);
        Sh.check("ip", "-n", a.name(), "addr", "add", "10.5.9.0/32", "dev", "flannel9");
        Sh.check("ip", "-n", a.name(), "link", "set", "flannel9", "up");
        UdpSocket sock = UdpSocket.open(ns, IpAddress.parse("0.0.0.0"), UdpSocket.FLANNEL_PORT);
        UdpTunnel t = UdpTunnel.start(tun, sock, UdpRoutes.empty(), options());
        try {
            var info = Sh.ipJson(a.name(), "-d", "addr", "show", "flannel9").get(0);
            assertThat(info.at("/linkinfo/info_data/persist").asBoolean()).isFalse();
            assertThat(info.at("/linkinfo/info_data/vnet_hdr").asBoolean()).isEqualTo(options().offloads());
            assertThat(info.at("/addr_info/0/local").asText()).as("address kept").isEqualTo("10.5.9.0");
            assertThat(t.isRunning()).isTrue();
        } finally {
            t.close();
        }
        awaitTrue("device gone with its last fd", () -> !a.exec("ip", "link", "show", "flannel9").ok());
    }

    /** Sends {@code data} over TCP from a to 10.5.2.0:port in b; returns the SHA-256 of what b received. */
    private byte[] transfer(Netns a, Netns b, byte[] data, int port) throws Exception {
        return transfer(a, b, "10.5.2.0", data, port);
    }

    /** Sends {@code data} over TCP from a to {@code server}:port in b; returns the SHA-256 of what b received. */
    private byte[] transfer(Netns a, Netns b, String serverAddr, byte[] data, int port) throws Exception {
        ServerSocket server = Namespaces.runIn(NetNs.named(b.name()), () -> {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress(serverAddr, port));
            return s;
        });
        toClose.add(server);
        server.setSoTimeout(20_000);
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
            try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                s.setSoTimeout(20_000);
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[64 << 10];
                long total = 0;
                for (int n; (n = in.read(buf)) > 0; total += n) md.update(buf, 0, n);
                if (total != data.length) throw new IllegalStateException("received " + total + " of " + data.length);
                return md.digest();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try (Socket client = Namespaces.runIn(NetNs.named(a.name()), () -> {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(serverAddr, port), 10_000);
            return s;
        })) {
            client.setSoTimeout(20_000);
            try (OutputStream out = client.getOutputStream()) {
                out.write(data);
            }
        }
        return received.get(30, TimeUnit.SECONDS);
    }

    @Test
    void dropsAndCountsPacketsToAnUnknownSubnetAndAnswersNetUnreachable(Netns a, Netns b) throws Exception {
        UdpTunnel[] t = startBoth(a, b);
        Sh.Result r = a.exec("ping", "-n", "-c", "1", "-W", "2", "10.5.9.1");
        assertThat(r.ok()).isFalse();
        assertThat(r.out()).contains("Destination Net Unreachable");
        UdpTunnelStats s = t[0].stats();
        assertThat(s.dropsNoRoute()).isGreaterThanOrEqualTo(1);
        assertThat(s.icmpUnreachableSent()).isGreaterThanOrEqualTo(1);
        assertThat(s.txPackets()).isZero();
        assertThat(t[1].stats().rxPackets()).isZero();
    }

    @Test
    void decrementsTtlAndDropsExpiredPackets(Netns a, Netns b) throws Exception {
        UdpTunnel[] t = startBoth(a, b);
        Sh.Result ttl1 = a.exec("ping", "-n", "-c", "1", "-W", "1", "-t", "1", "10.5.2.0");
        assertThat(ttl1.ok()).isFalse();
        assertThat(t[0].stats().dropsTtlExpired()).isEqualTo(1);
        // TTL 64 leaves A and arrives at B as 63: B's reply shows the request's TTL is not echoed, but the
        // reply B sends (TTL 64) reaches A as 63 after B's tunnel decrements it
        Sh.Result ok = a.exec("ping", "-n", "-c", "1", "-W", "2", "10.5.2.0");
        assertThat(ok.out()).contains("ttl=63");
    }

    @Test
    void picksUpRouteChangesWithoutRestart(Netns a, Netns b) throws Exception {
        wire(a, b);
        UdpTunnel ta = start(a, UNDERLAY_A, UdpRoutes.of(Map.of(LEASE_B, UNDERLAY_B)));
        UdpTunnel tb = start(b, UNDERLAY_B, UdpRoutes.empty());
        assertThat(a.exec("ping", "-n", "-c", "1", "-W", "1", "10.5.2.0").ok()).isFalse();
        // under heavy load the request may be forwarded after ping gave up: wait (bounded) for the counters
        awaitTrue("the request arrived and the reply had no route",
                () -> tb.stats().rxPackets() >= 1 && tb.stats().dropsNoRoute() >= 1);
        assertThat(tb.stats().rxPackets()).as("the request arrived").isEqualTo(1);
        assertThat(tb.stats().dropsNoRoute()).as("the reply had no route").isEqualTo(1);

        tb.setRoutes(tb.routes().with(LEASE_A, UNDERLAY_A));
        assertThat(ping(a, "10.5.2.0").ok()).isTrue();

        ta.setRoutes(ta.routes().without(LEASE_B));
        assertThat(a.exec("ping", "-n", "-c", "1", "-W", "1", "10.5.2.0").out()).contains("Net Unreachable");
    }

    @Test
    void closeStopsBothThreadsAndTrafficStops(Netns a, Netns b) throws Exception {
        UdpTunnel[] t = startBoth(a, b);
        assertThat(ping(a, "10.5.2.0").ok()).isTrue();
        t[1].close();
        assertThat(t[1].isRunning()).isFalse();
        assertThat(t[1].failure()).isEmpty();
        assertThat(a.exec("ping", "-n", "-c", "1", "-W", "1", "10.5.2.0").ok()).isFalse();
        t[1].close(); // idempotent
        // the UDP port is free again: a new tunnel can bind it and traffic flows once more
        UdpTunnel again = start(b, UNDERLAY_B, UdpRoutes.of(Map.of(LEASE_A, UNDERLAY_A)));
        awaitTrue("tunnel restarted", again::isRunning);
        assertThat(ping(a, "10.5.2.0").ok()).isTrue();
    }

    @Test
    void endsWithARecordedFailureWhenTheTunDeviceIsDeleted(Netns a, Netns b) throws Exception {
        UdpTunnel[] t = startBoth(a, b);
        Sh.check("ip", "-n", a.name(), "link", "del", "flannel0");
        awaitTrue("tunnel A notices the device is gone", () -> !t[0].isRunning());
        assertThat(t[0].failure()).hasValueSatisfying(e -> assertThat(e.getMessage()).contains("tun"));
        t[0].close();
        assertThat(t[1].isRunning()).isTrue();
    }

    @Test
    void socketOnAnAddressTheNodeDoesNotHaveFailsWithTheErrnoAndLeaksNoFd(Netns a) throws Exception {
        long fds0 = openFds();
        for (int i = 0; i < 50; i++) {
            assertThatThrownBy(() -> UdpSocket.open(NetNs.named(a.name()), IpAddress.parse("192.168.77.7"), 8285))
                    .isInstanceOfSatisfying(SyscallException.class,
                            e -> assertThat(e.errno()).isEqualTo(Errno.EADDRNOTAVAIL));
        }
        // 50 failed opens, no fd left behind (a small margin for fds the JVM opens and closes meanwhile)
        assertThat(openFds()).isLessThan(fds0 + 10);
        assertThatThrownBy(() -> UdpSocket.open(NetNs.named(a.name()), IpAddress.parse("fd00::1"), 8285))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static long openFds() throws java.io.IOException {
        try (var s = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    void survivesGarbageDatagramsFromTheUnderlay(Netns a, Netns b) throws Exception {
        UdpTunnel[] t = startBoth(a, b);
        // send non-IP junk and a truncated IPv4 header to B's tunnel port from A's underlay
        try (var ch = Namespaces.runIn(NetNs.named(a.name()), () -> java.nio.channels.DatagramChannel.open())) {
            var dst = new InetSocketAddress("192.168.90.2", UdpSocket.FLANNEL_PORT);
            ch.send(java.nio.ByteBuffer.wrap("hello".getBytes()), dst);
            ch.send(java.nio.ByteBuffer.wrap(new byte[] {0x45, 0, 0, 40, 0, 0}), dst);
        }
        awaitTrue("junk counted", () -> t[1].stats().dropsMalformed() >= 2);
        assertThat(ping(a, "10.5.2.0").ok()).isTrue();
        assertThat(t[1].isRunning()).isTrue();
    }
}
