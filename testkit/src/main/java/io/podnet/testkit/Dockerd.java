package io.podnet.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A private dockerd 20.10 (Debian's {@code docker.io}) for interop tests, started with {@code nsenter --net} inside a
 * throwaway namespace: its own data root, exec root, pidfile and API socket under a work dir, no iptables, no
 * default bridge. Stopping and starting again with the same data root is what a user's {@code systemctl restart
 * docker} does. {@link #close()} removes every container (while dockerd runs), stops dockerd by PID, then kills by
 * PID any process whose command line still names the work dir (containerd, shims); the work dir stays for the
 * caller to remove.
 * <p>{@code nsenter}, not {@code ip netns exec}: the latter remounts /sys and so hides the cgroup mounts dockerd needs.
 */
public final class Dockerd implements AutoCloseable {
    public static final Path DOCKERD = Path.of("/usr/sbin/dockerd");
    public static final Path DOCKER = Path.of("/usr/bin/docker"); // Debian's client, matching the daemon's API
    public static final Path BUSYBOX = Path.of("/bin/busybox");
    private final Netns ns;
    private final Path work;
    private final List<String> extraFlags;
    private Process daemon;

    private Dockerd(Netns ns, Path work, List<String> extraFlags) {
        this.ns = ns;
        this.work = work;
        this.extraFlags = List.copyOf(extraFlags);
    }

    /** Why dockerd tests cannot run here (not root, docker.io or busybox-static missing), or empty. */
    public static Optional<String> unavailable() {
        if (!Netns.privileged()) return Optional.of("needs root");
        if (!Files.isExecutable(DOCKERD) || !Files.isExecutable(DOCKER)) return Optional.of("docker.io is not installed (scripts/common.sh installs it)");
        if (!Files.isExecutable(BUSYBOX)) return Optional.of("busybox-static is not installed");
        return Optional.empty();
    }

    /** Starts dockerd in {@code ns} with its state under {@code work}; returns when its API answers. */
    public static Dockerd start(Netns ns, Path work, String... extraFlags) {
        Dockerd d = new Dockerd(ns, work, List.of(extraFlags));
        d.startDaemon();
        return d;
    }

    public Path work() { return work; }

    public String host() { return "unix://" + work.resolve("docker.sock"); }

    public long pid() { return daemon.pid(); }

    /** {@code docker -H <ours> args...}, bounded to 90 s; the result is not checked. */
    public Sh.Result docker(String... args) {
        List<String> cmd = new ArrayList<>(List.of(DOCKER.toString(), "-H", host()));
        cmd.addAll(List.of(args));
        return Sh.run(cmd, 90);
    }

    /** {@code docker args...} that must succeed; returns stdout. */
    public String check(String... args) {
        Sh.Result r = docker(args);
        if (!r.ok()) {
            boolean dead = daemon == null || !daemon.isAlive() || r.err().contains("Cannot connect to the Docker daemon");
            throw new IllegalStateException(String.join(" ", r.command()) + " exited " + r.exit() + ": " + r.err() + r.out()
                    + (dead ? "\ndockerd " + (daemon != null && daemon.isAlive() ? "runs" : "is gone") + "; its log ends:\n" + logTail() : ""));
        }
        return r.out();
    }

    /** The container's IPv4 address on {@code network} ({@code docker inspect}). */
    public String ipOf(String container, String network) {
        return check("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + network + "\").IPAddress}}", container).strip();
    }

    /** The container's IPv6 address on {@code network} ({@code docker inspect}, empty without one). */
    public String ip6Of(String container, String network) {
        return check("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + network + "\").GlobalIPv6Address}}", container).strip();
    }

    /** Stops dockerd by its PID (SIGTERM, SIGKILL after 30 s) and the containerd it started; the data root stays. */
    public void stop() {
        if (daemon == null) return;
        List<ProcessHandle> children = daemon.descendants().toList();
        killAndWait(daemon.toHandle(), Duration.ofSeconds(30));
        for (ProcessHandle c : children) killAndWait(c, Duration.ofSeconds(10));
        daemon = null;
    }

    /**
     * A crash of the docker service: SIGKILL to dockerd and the containerd it started (by PID), as an OOM kill of the
     * service would do; the containers' shims are not their descendants and live on (found by PID in {@link #close()}).
     * (Killing dockerd alone leaves a containerd the next dockerd sometimes fails to reach under load.)
     */
    public void crash() {
        if (daemon == null) return;
        List<ProcessHandle> children = daemon.descendants().toList();
        daemon.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        try {
            daemon.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            for (ProcessHandle c : children) c.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("containerd did not die", e);
        }
        daemon = null;
    }

    /** Starts dockerd again with the same data root, flags and socket (after {@link #stop()} or {@link #crash()}). */
    public void startAgain() {
        if (daemon != null) throw new IllegalStateException("dockerd is running");
        startDaemon();
    }

    /** Imports a busybox image (Debian's busybox-static, applet links, {@code /www/index.html} = {@code body}). */
    public void importBusybox(String image, String body) {
        try {
            Path root = work.resolve("rootfs");
            Files.createDirectories(root.resolve("bin"));
            Files.createDirectories(root.resolve("www"));
            Files.copy(BUSYBOX, root.resolve("bin/busybox"));
            for (String a : List.of("sh", "sleep", "ping", "ping6", "httpd", "ip", "cat", "ls")) {
                Files.createSymbolicLink(root.resolve("bin").resolve(a), Path.of("busybox"));
            }
            Files.writeString(root.resolve("www/index.html"), body + "\n");
            Path tar = work.resolve("rootfs.tar");
            Sh.run(List.of("tar", "-C", root.toString(), "-cf", tar.toString(), "."), 60).check();
            check("import", tar.toString(), image);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What a user does on the docker host: an HTTP/1.0 GET of {@code http://127.0.0.1:<port>/index.html} (bash's
     * {@code /dev/tcp}, inside the namespace dockerd runs in; busybox wget crashes on this Debian), retried for up to
     * 20 s while the server starts. Returns the response (head and body).
     */
    public String httpGet(int port) {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            Sh.Result r = httpRequest(port);
            if (r.ok() || System.nanoTime() > end) return r.check().out();
            pause(200);
        }
    }

    /** One HTTP attempt without retry: true when an answer with a body came back. */
    public boolean httpOnce(int port) {
        return httpRequest(port).ok();
    }

    private Sh.Result httpRequest(int port) {
        String script = "exec 3<>/dev/tcp/127.0.0.1/" + port + " && printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3";
        Sh.Result r = Sh.run(List.of("nsenter", "--net=" + ns.path(), "timeout", "10", "bash", "-c", script), 30);
        if (r.ok() && !r.out().startsWith("HTTP/1.")) return new Sh.Result(r.command(), 1, r.out(), "no HTTP answer");
        return r;
    }

    /** The tail of dockerd's log (for failure messages). */
    public String logTail() {
        try {
            Path log = work.resolve("dockerd.log");
            String s = Files.exists(log) ? Files.readString(log) : "";
            return s.substring(Math.max(0, s.length() - 4000));
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() {
        try {
            if (daemon != null && daemon.isAlive()) {
                Sh.Result ids = docker("ps", "-aq");
                List<String> rm = new ArrayList<>(List.of("rm", "-f"));
                for (String id : ids.out().split("\\s+")) if (!id.isBlank()) rm.add(id);
                if (rm.size() > 2) docker(rm.toArray(String[]::new));
            }
        } finally {
            stop();
            killLeftovers();
            unmountLeftovers();
        }
    }

    /** dockerd bind-mounts its data root onto itself and, with {@code --live-restore}, leaves it mounted on exit. */
    private void unmountLeftovers() {
        try {
            List<String> points = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4 && (f[4].equals(work.toString()) || f[4].startsWith(work + "/"))) points.add(f[4]);
            }
            points.sort(java.util.Comparator.reverseOrder()); // deepest first
            for (String m : points) Sh.run(List.of("umount", "-l", m), 30);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startDaemon() {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=" + ns.path(), DOCKERD.toString(), "--storage-driver=vfs",
                "--data-root", work.resolve("data").toString(), "--exec-root", work.resolve("exec").toString(),
                "--pidfile", work.resolve("dockerd.pid").toString(), "-H", host(),
                "--iptables=false", "--ip6tables=false", "--bridge=none", "--ip-masq=false", "--debug"));
        cmd.addAll(extraFlags);
        try {
            Files.createDirectories(work);
            daemon = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("dockerd.log").toFile()))
                    .redirectInput(new File("/dev/null")).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!docker("version").ok()) {
            if (!daemon.isAlive() || System.nanoTime() > end) {
                stop();
                throw new IllegalStateException("dockerd did not come up: " + logTail());
            }
            pause(200);
        }
    }

    /** Safety net: containerd and shims that outlived dockerd name our exec root on their command line. */
    private void killLeftovers() {
        String mark = work.toString();
        ProcessHandle.allProcesses().filter(h -> h.pid() != ProcessHandle.current().pid()).forEach(h -> {
            try {
                String cmdline = Files.readString(Path.of("/proc", Long.toString(h.pid()), "cmdline")).replace('\0', ' ');
                if (cmdline.contains(mark)) killAndWait(h, Duration.ofSeconds(10));
            } catch (IOException | UncheckedIOException ignored) {
                // exited meanwhile
            }
        });
    }

    /** SIGTERM to one process, SIGKILL if it has not exited within {@code grace}. */
    private static void killAndWait(ProcessHandle h, Duration grace) {
        if (!h.isAlive()) return;
        h.destroy();
        try {
            h.onExit().get(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            h.destroyForcibly();
            try {
                h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // unkillable; nothing more to do
            }
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
