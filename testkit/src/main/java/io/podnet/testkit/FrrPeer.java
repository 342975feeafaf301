package io.podnet.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * FRR's bgpd alone ({@code -Z -S -n}: no zebra, no kernel) started for one test inside a network namespace,
 * with private config, pid file and vty socket directory; {@link #vtysh} runs {@code vtysh --vty_socket}.
 * Use {@code %LOG%} in the config for the log path. Killed by PID on close.
 */
public final class FrrPeer implements AutoCloseable {
    private final Path dir;

    private FrrPeer(Path dir) {
        this.dir = dir;
    }

    public static FrrPeer start(String netns, String bgpdConf, String listenAddress) {
        FrrPeer f = new FrrPeer(Daemons.tempDir("frr"));
        try {
            Path conf = f.dir.resolve("bgpd.conf");
            Files.writeString(conf, bgpdConf.replace("%LOG%", f.dir.resolve("bgpd.log").toString()));
            Sh.run(List.of("ip", "netns", "exec", netns, "/usr/lib/frr/bgpd", "-d", "-f", conf.toString(), "-Z", "-S", "-n",
                    "-u", "root", "-g", "root", "-i", f.dir.resolve("bgpd.pid").toString(), "--vty_socket", f.dir.toString(),
                    "-P", "0", "-l", listenAddress), 30).check();
            Daemons.awaitTrue("bgpd vty", Duration.ofSeconds(15), () -> f.run("show bgp summary").ok());
            return f;
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private Sh.Result run(String... commands) {
        List<String> cmd = new ArrayList<>(List.of("vtysh", "--vty_socket", dir.toString()));
        for (String c : commands) {
            cmd.add("-c");
            cmd.add(c);
        }
        return Sh.run(cmd, 30);
    }

    /** Runs vtysh commands, requiring success; returns the output. */
    public String vtysh(String... commands) { return run(commands).check().out(); }

    public boolean established(String neighbor) {
        return run("show bgp neighbors " + neighbor).out().contains("BGP state = Established");
    }

    public long pid() {
        try {
            return Long.parseLong(Files.readString(dir.resolve("bgpd.pid")).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    public long rssKb() { return Daemons.rssKb(pid()); }

    @Override
    public void close() {
        Daemons.killAndWait(pid());
        Daemons.deleteTree(dir);
    }
}
