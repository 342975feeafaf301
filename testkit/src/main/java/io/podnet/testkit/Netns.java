package io.podnet.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A throwaway named network namespace made with {@code ip netns add <run-prefix>...}, independent of the code
 * under test. {@link #close()} deletes it (and with it every link inside). Tests create these through
 * {@link NetnsExtension} or try-with-resources, so cleanup happens even when a test fails.
 */
public final class Netns implements AutoCloseable {
    private final String name;

    private Netns(String name) {
        this.name = name;
    }

    /** Creates a fresh namespace named {@code <run-prefix><tag><n>} with loopback up. */
    public static Netns create(String tag) {
        String name = RunId.name(tag);
        Sh.check("ip", "netns", "add", name);
        Sh.check("ip", "-n", name, "link", "set", "lo", "up");
        return new Netns(name);
    }

    public String name() { return name; }

    public Path path() { return Path.of("/run/netns", name); }

    /** Runs a command inside the namespace ({@code ip netns exec}). */
    public Sh.Result exec(String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        return Sh.run(cmd, 60);
    }

    /** Pings once per target with a short deadline; true if a reply came back. */
    public boolean ping(String target) {
        return exec("ping", "-c", "1", "-W", "2", target).ok();
    }

    @Override
    public void close() {
        if (Files.exists(path())) {
            Sh.run("ip", "netns", "del", name);
        }
    }

    /** Deletes every namespace of earlier runs of this prefix family that a crash left behind (none normally). */
    public static void deleteAllOfThisRun() {
        for (String line : Sh.run("ip", "netns", "list").out().split("\n")) {
            String n = line.split(" ")[0];
            if (n.startsWith(RunId.prefix())) Sh.run("ip", "netns", "del", n);
        }
    }

    /** True when this process may create namespaces (root with CAP_SYS_ADMIN and CAP_NET_ADMIN). */
    public static boolean privileged() {
        return "root".equals(System.getProperty("user.name")) && Files.isDirectory(Path.of("/proc/self/ns"));
    }

    @Override
    public String toString() { return name; }
}
