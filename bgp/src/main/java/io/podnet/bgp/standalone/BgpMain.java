package io.podnet.bgp.standalone;

import io.podnet.bgp.speaker.MemoryGuard;
import io.podnet.bgp.speaker.PeerConfig;
import io.podnet.bgp.speaker.Speaker;
import io.podnet.bgp.speaker.SpeakerContext;
import io.podnet.bgp.speaker.TcpTransport;
import io.podnet.net.IpPrefix;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * Runs the speaker standalone, typically as a route reflector: {@code BgpMain --config rr.json}. The heap is
 * guarded ({@code memoryLimit}): when it cannot hold the routing tables' next growth, the peer with the
 * largest table is stopped with Cease "Out of Resources" and started again later, so one peer that sends
 * more routes than the heap holds cannot end the process.
 * Prints one status line every {@code statusIntervalSeconds} (if set), stops cleanly (Cease to every peer)
 * on SIGTERM/SIGINT. Exit codes: 0 after a clean stop, 2 for a bad command line or configuration, 1 when the
 * speaker cannot start (e.g. the listen port is taken).
 */
public final class BgpMain {
    private BgpMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 2 || !args[0].equals("--config")) {
            err.println("usage: BgpMain --config FILE.json");
            return 2;
        }
        BgpConfig cfg;
        try {
            cfg = BgpConfig.parse(Files.readString(Path.of(args[1])));
        } catch (IOException | IllegalArgumentException e) {
            err.println("podnet bgp: bad configuration " + args[1] + ": " + e.getMessage());
            return 2;
        }
        // A peer that sends more routes than the heap holds is stopped (Cease "Out of Resources"), not the process.
        MemoryGuard guard = cfg.memoryLimit() == 0 ? MemoryGuard.none() : MemoryGuard.heap(cfg.memoryLimit());
        Speaker speaker = new Speaker(cfg.speaker(), SpeakerContext.system(new TcpTransport()).withMemoryGuard(guard));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            speaker.close();
            stopped.countDown();
        }));
        try {
            for (PeerConfig p : cfg.peers()) speaker.addPeer(p);
            speaker.start();
            for (IpPrefix r : cfg.routes()) speaker.addRoute(r).join();
        } catch (IOException | RuntimeException e) {
            err.println("podnet bgp: cannot start: " + e.getMessage());
            speaker.close();
            return 1;
        }
        out.println("podnet bgp: AS " + cfg.speaker().asn() + " router-id " + cfg.speaker().routerId()
                + cfg.speaker().clusterId().map(c -> " route-reflector cluster " + c).orElse("")
                + " listening on " + speaker.listenAddress().map(Object::toString).orElse("(none)"));
        out.flush();
        try {
            if (cfg.statusIntervalSeconds() > 0) {
                while (!stopped.await(cfg.statusIntervalSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
                    out.println(status(speaker));
                    out.flush();
                }
            } else {
                stopped.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** {@code status locrib=N peers=addr:STATE:received/advertised,...}. */
    static String status(Speaker s) {
        int n = s.locRibSize().join();
        String peers = s.peers().join().stream()
                .map(p -> p.address() + ":" + p.state() + ":" + p.counters().prefixesReceived() + "/" + p.counters().prefixesAdvertised())
                .collect(Collectors.joining(","));
        return "status locrib=" + n + " peers=" + peers;
    }

}
