package io.podnet.testkit;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A throwaway etcd cluster of {@code n} members on loopback (plain HTTP), for fail-over tests: stop one member
 * with {@code member(i).stop()} and the rest keep quorum. Closing stops every member and deletes the dir.
 */
public final class EtcdCluster implements AutoCloseable {
    private final Path dir;
    private final List<EtcdServer> members;

    private EtcdCluster(Path dir, List<EtcdServer> members) {
        this.dir = dir;
        this.members = List.copyOf(members);
    }

    /** Starts {@code n} members and waits until each is healthy. */
    public static EtcdCluster start(int n) {
        if (n < 1 || n > 7) throw new IllegalArgumentException("cluster size 1..7: " + n);
        Path dir = EtcdServer.tempDir("etcdc");
        List<EtcdServer> ms = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            Path d = dir.resolve("m" + i);
            try {
                java.nio.file.Files.createDirectories(d);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            ms.add(new EtcdServer(RunId.prefix() + "-m" + i, d, Optional.empty()));
        }
        String initial = ms.stream().map(m -> m.name() + "=" + m.peerUrl()).collect(Collectors.joining(","));
        EtcdCluster c = new EtcdCluster(dir, ms);
        try {
            for (EtcdServer m : ms) {
                m.initialCluster(initial);
                m.launchProcess();
            }
            for (EtcdServer m : ms) m.awaitHealthy();
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    public EtcdServer member(int i) { return members.get(i); }

    public List<EtcdServer> members() { return members; }

    /** The index of the current leader, asked of the first running member ({@code etcdctl endpoint status}). */
    public int leaderIndex() {
        EtcdServer asked = members.stream().filter(EtcdServer::running).findFirst()
                .orElseThrow(() -> new IllegalStateException("no member running"));
        String endpoints = members.stream().filter(EtcdServer::running).map(m -> m.clientUrl().toString())
                .collect(Collectors.joining(","));
        try {
            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    asked.etcdctl("endpoint", "status", "-w", "json", "--endpoints=" + endpoints));
            for (var node : json) {
                var status = node.get("Status");
                if (status.get("header").get("member_id").asLong() == status.get("leader").asLong()) {
                    String ep = node.get("Endpoint").asText();
                    for (int i = 0; i < members.size(); i++) {
                        if (members.get(i).clientUrl().toString().equals(ep)) return i;
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new IllegalStateException("no leader among " + endpoints);
    }

    /** Every member's client URL. */
    public List<URI> clientUrls() {
        return members.stream().map(EtcdServer::clientUrl).toList();
    }

    @Override
    public void close() {
        for (EtcdServer m : members) m.stop();
        EtcdServer.deleteTree(dir);
    }
}
