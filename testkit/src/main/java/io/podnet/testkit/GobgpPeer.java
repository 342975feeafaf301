package io.podnet.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A gobgpd started for one test inside a network namespace, its gRPC API on a Unix socket in a private
 * temp dir, so the {@code gobgp} CLI works from the root namespace ({@link #gobgp}). Killed by PID on close.
 */
public final class GobgpPeer implements AutoCloseable {
    private final Path dir;
    private final Path sock;
    private Process process;

    private GobgpPeer(Path dir) {
        this.dir = dir;
        this.sock = dir.resolve("gobgpd.sock");
    }

    public static GobgpPeer start(String netns, String toml) {
        GobgpPeer g = new GobgpPeer(Daemons.tempDir("gobgp"));
        try {
            Path conf = g.dir.resolve("gobgpd.toml");
            Files.writeString(conf, toml);
            Path log = g.dir.resolve("gobgpd.log");
            g.process = new ProcessBuilder("ip", "netns", "exec", netns, "gobgpd", "-f", conf.toString(), "-p",
                    "--api-hosts", "unix://" + g.sock, "--pprof-disable")
                    .redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            Daemons.awaitTrue("gobgpd API", Duration.ofSeconds(10), () -> g.run("global").ok());
            return g;
        } catch (IOException | RuntimeException e) {
            g.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private Sh.Result run(String... args) {
        List<String> cmd = new ArrayList<>(List.of("gobgp", "--target", "unix://" + sock));
        cmd.addAll(List.of(args));
        return Sh.run(cmd, 30);
    }

    /** Runs {@code gobgp --target unix://<sock> args...}, requiring success. */
    public String gobgp(String... args) { return run(args).check().out(); }

    public boolean established(String neighbor) {
        return run("neighbor", neighbor).out().toLowerCase(java.util.Locale.ROOT).contains("bgp state = established");
    }

    public long pid() { return process == null ? -1 : process.pid(); }

    public long rssKb() { return Daemons.rssKb(pid()); }

    public Path dir() { return dir; }

    @Override
    public void close() {
        Daemons.killAndWait(pid());
        Daemons.deleteTree(dir);
    }
}
