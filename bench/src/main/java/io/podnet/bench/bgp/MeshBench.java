package io.podnet.bench.bgp;

import io.podnet.bgp.fsm.State;
import io.podnet.bgp.speaker.PeerConfig;
import io.podnet.bgp.speaker.PeerStatus;
import io.podnet.bgp.speaker.Speaker;
import io.podnet.bgp.speaker.SpeakerConfig;
import io.podnet.bgp.speaker.TcpTransport;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many podnet speakers in one JVM over loopback (127.1.x.y:1179, no namespaces needed): either a full iBGP
 * mesh of N speakers ({@code mesh N}) or N speakers where two are route reflectors and the rest are clients
 * of both ({@code rr N}). Measures the time until every speaker has the sessions up, then the time until
 * every speaker has a prefix that one of them announces, and the heap/RSS of the whole process.
 */
public final class MeshBench {
    private static final int PORT = 1179;
    private static final long AS = 64512;

    private MeshBench() {}

    static IpAddress addr(int i) { return IpAddress.parse("127.1." + (i / 250) + "." + (1 + i % 250)); }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "mesh";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : ("rr".equals(mode) ? 1000 : 200);
        boolean rr = "rr".equals(mode);
        List<Speaker> speakers = new ArrayList<>();
        AtomicInteger have = new AtomicInteger();
        IpPrefix probe = IpPrefix.parse("10.250.0.0/24");
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            SpeakerConfig c = SpeakerConfig.of(AS, addr(i)).withListen(new InetSocketAddress(addr(i).toInetAddress(), PORT))
                    .withConnectRetry(Duration.ofSeconds(2)).withHoldTime(90);
            if (rr && i < 2) c = c.withClusterId(IpAddress.parse("10.0.0.1"));
            Speaker s = new Speaker(c, new TcpTransport(), InstantSource.system());
            s.addListener(ch -> ch.forEach(x -> {
                if (x.prefix().equals(probe)) have.addAndGet(x.isWithdrawal() ? -1 : 1);
            }));
            s.start();
            speakers.add(s);
        }
        int sessions = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i == j) continue;
                boolean peer = rr ? (i < 2 || j < 2) : true;
                if (!peer) continue;
                PeerConfig p = PeerConfig.of(addr(j), AS).withPort(PORT).withLocalAddress(addr(i)).withPassive(i > j)
                        .withRrClient(rr && i < 2 && j >= 2);
                speakers.get(i).addPeer(p);
                sessions++;
            }
        }
        sessions /= 2;
        waitEstablished(speakers, sessions);
        long tUp = System.nanoTime();
        System.out.printf(Locale.ROOT, "%s of %d speakers: %d sessions Established after %.2f s (load average %s)%n", mode, n, sessions,
                (tUp - t0) / 1e9, BgpRelayBench.loadAverage());
        long t1 = System.nanoTime();
        speakers.get(n - 1).addRoute(probe).join();
        while (have.get() < n) Thread.sleep(1);
        long t2 = System.nanoTime();
        System.gc();
        Runtime rt = Runtime.getRuntime();
        long heap = rt.totalMemory() - rt.freeMemory();
        long rss = io.podnet.testkit.Daemons.rssKb(ProcessHandle.current().pid());
        System.out.printf(Locale.ROOT, "prefix announced by speaker %d reached all %d speakers in %.1f ms; heap used %.1f MB, process RSS %.1f MB%n",
                n - 1, n, (t2 - t1) / 1e6, heap / 1048576.0, rss / 1024.0);
        speakers.parallelStream().forEach(Speaker::abort);
        System.exit(0);
    }

    private static void waitEstablished(List<Speaker> speakers, int sessions) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (true) {
            long up = 0;
            for (Speaker s : speakers) {
                for (PeerStatus p : s.peers().join()) if (p.state() == State.ESTABLISHED) up++;
            }
            if (up >= 2L * sessions) return;
            if (System.nanoTime() > deadline) throw new IllegalStateException("only " + up / 2 + " of " + sessions + " sessions came up");
            Thread.sleep(200);
        }
    }
}
