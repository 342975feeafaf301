package io.podnet.cli.lab;

import io.podnet.rtnetlink.Namespaces;
import io.podnet.rtnetlink.NetNs;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Measures pod-to-pod reachability: ICMP with {@code ping} run inside the source pod, and TCP with a socket
 * opened inside the source pod to a one-byte server listening inside the destination pod.
 */
public final class Connectivity {
    static final int TCP_PORT = 7777;

    private Connectivity() {}

    /** One source → destination result. */
    public record Cell(boolean icmp, boolean tcp) {
        public boolean ok() { return icmp && tcp; }
    }

    /** The full matrix; {@code cells[i][j]} is pods[i] → pods[j] (the diagonal is not measured). */
    public record Matrix(List<LabState.Pod> pods, Cell[][] cells) {
        public boolean allOk() {
            for (int i = 0; i < pods.size(); i++) {
                for (int j = 0; j < pods.size(); j++) if (i != j && !cells[i][j].ok()) return false;
            }
            return true;
        }

        public int failures() {
            int f = 0;
            for (int i = 0; i < pods.size(); i++) {
                for (int j = 0; j < pods.size(); j++) if (i != j && !cells[i][j].ok()) f++;
            }
            return f;
        }

        public String render() {
            StringBuilder sb = new StringBuilder("connectivity (row = from, column = to; icmp/tcp)\n");
            sb.append(String.format("%-12s", ""));
            for (LabState.Pod p : pods) sb.append(String.format("%-10s", p.name));
            sb.append('\n');
            for (int i = 0; i < pods.size(); i++) {
                sb.append(String.format("%-12s", pods.get(i).name));
                for (int j = 0; j < pods.size(); j++) {
                    String c = i == j ? "-" : (cells[i][j].icmp ? "ok" : "NO") + "/" + (cells[i][j].tcp ? "ok" : "NO");
                    sb.append(String.format("%-10s", c));
                }
                sb.append('\n');
            }
            int n = pods.size() * (pods.size() - 1);
            sb.append(allOk() ? "all " + n + " pairs reachable over ICMP and TCP\n" : failures() + " of " + n + " pairs FAILED\n");
            return sb.toString();
        }
    }

    public static Matrix measure(List<LabState.Pod> pods) throws IOException, InterruptedException {
        List<ServerSocket> servers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (LabState.Pod p : pods) servers.add(listen(p));
            Cell[][] cells = new Cell[pods.size()][pods.size()];
            List<Future<?>> jobs = new ArrayList<>();
            for (int i = 0; i < pods.size(); i++) {
                for (int j = 0; j < pods.size(); j++) {
                    if (i == j) continue;
                    int fi = i, fj = j;
                    jobs.add(pool.submit(() -> {
                        cells[fi][fj] = new Cell(ping(pods.get(fi), pods.get(fj).ip), tcp(pods.get(fi), pods.get(fj).ip));
                        return null;
                    }));
                }
            }
            for (Future<?> f : jobs) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IOException(e.getCause());
                }
            }
            return new Matrix(List.copyOf(pods), cells);
        } finally {
            pool.shutdownNow();
            for (ServerSocket s : servers) s.close();
        }
    }

    static ServerSocket listen(LabState.Pod p) throws IOException {
        ServerSocket ss = Namespaces.runIn(NetNs.named(p.ns), () -> {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(p.ip, TCP_PORT));
            return s;
        });
        Thread.ofVirtual().start(() -> {
            while (!ss.isClosed()) {
                try (Socket c = ss.accept()) {
                    c.getOutputStream().write('o');
                } catch (IOException e) {
                    // closed or a failed client: keep serving until closed
                }
            }
        });
        return ss;
    }

    /**
     * Reachability, not loss: up to three single pings, so one echo lost on a loaded node (the udp backend's data
     * path is a JVM; eight pairs are measured at once) does not mark a reachable pair as failed.
     */
    static boolean ping(LabState.Pod from, String to) throws IOException {
        for (int attempt = 0; attempt < PING_ATTEMPTS; attempt++) {
            if (Lab.run(List.of("ip", "netns", "exec", from.ns, "ping", "-c", "1", "-W", "2", to), java.util.Map.of(), null).ok()) return true;
        }
        return false;
    }

    static final int PING_ATTEMPTS = 3;

    /** A connection that answers, tried up to twice (the same reasoning as {@link #ping}). */
    static boolean tcp(LabState.Pod from, String to) throws IOException {
        return tcpOnce(from, to) || tcpOnce(from, to);
    }

    static boolean tcpOnce(LabState.Pod from, String to) throws IOException {
        return Namespaces.runIn(NetNs.named(from.ns), () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(to, TCP_PORT), 2000);
                s.setSoTimeout(2000);
                InputStream in = s.getInputStream();
                return in.read() == 'o';
            } catch (IOException e) {
                return false;
            }
        });
    }
}
