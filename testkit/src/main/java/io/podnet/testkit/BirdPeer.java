package io.podnet.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A BIRD 2 daemon started for one test inside a network namespace, with private config, control socket,
 * pid and log files in its own temp directory. {@link #close()} kills it by PID and deletes the directory.
 * Query it with {@link #birdc} (the control socket is a file, so birdc runs from the root namespace).
 */
public final class BirdPeer implements AutoCloseable {
    private final Path dir;
    private final Path ctl;
    private final Path pidFile;

    private BirdPeer(Path dir) {
        this.dir = dir;
        this.ctl = dir.resolve("bird.ctl");
        this.pidFile = dir.resolve("bird.pid");
    }

    /** Writes {@code config} (use {@code %LOG%} for the log path) and starts bird in {@code netns}. */
    public static BirdPeer start(String netns, String config) {
        Path dir = Daemons.tempDir("bird");
        BirdPeer b = new BirdPeer(dir);
        try {
            Path conf = dir.resolve("bird.conf");
            Files.writeString(conf, config.replace("%LOG%", dir.resolve("bird.log").toString()));
            Sh.run(List.of("bird", "-p", "-c", conf.toString()), 30).check();
            Sh.run(List.of("ip", "netns", "exec", netns, "bird", "-c", conf.toString(), "-s", b.ctl.toString(),
                    "-P", b.pidFile.toString()), 30).check();
            Daemons.awaitTrue("bird control socket", Duration.ofSeconds(10), () -> Sh.run(List.of("birdc", "-s", b.ctl.toString(), "show", "status"), 10).ok());
            return b;
        } catch (IOException | RuntimeException e) {
            b.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** Runs {@code birdc -s <ctl> args...} and returns its output. */
    public String birdc(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("birdc", "-s", ctl.toString()));
        cmd.addAll(List.of(args));
        return Sh.run(cmd, 30).check().out();
    }

    /** True when {@code show protocols <name>} says Established. */
    public boolean established(String protocol) {
        return birdc("show", "protocols", protocol).contains("Established");
    }

    /** Number of routes in BIRD's tables ({@code show route count}, "N of M routes"). */
    public long routeCount() {
        for (String line : birdc("show", "route", "count").split("\n")) {
            String t = line.strip();
            if (t.matches("\\d+ of \\d+ routes.*")) return Long.parseLong(t.substring(0, t.indexOf(' ')));
        }
        return 0;
    }

    public Path dir() { return dir; }

    public long pid() {
        try {
            return Long.parseLong(Files.readString(pidFile).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** RSS of the bird process in kB (from /proc), or -1. */
    public long rssKb() { return Daemons.rssKb(pid()); }

    @Override
    public void close() {
        Daemons.killAndWait(pid());
        Daemons.deleteTree(dir);
    }
}
