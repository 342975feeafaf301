package io.podnet.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway etcd (Debian's etcd-server) on random free loopback ports, data in a RunId-prefixed temp dir under
 * /dev/shm, with {@code --heartbeat-interval 10 --election-timeout 100} so it is ready in about 0.1 s.
 * {@link #stop()} and {@link #start()} simulate an outage on the same ports and data dir; {@link #close()}
 * stops it (by its own Process handle, waiting until the PID is gone) and deletes the dir.
 *
 * <pre>{@code
 * try (var etcd = EtcdServer.launch()) { use(etcd.clientUrl()); }
 * try (var etcd = EtcdServer.launchTls()) { etcd.enableAuth("secret"); ... etcd.certs() ... }
 * try (var etcd = EtcdServer.launchIn(ns.name())) { ... }   // on the loopback of a throwaway namespace (etcdctl runs there too)
 * }</pre>
 */
public final class EtcdServer implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    private final String name;
    private final Path dir;
    private final int clientPort;
    private final int peerPort;
    private final Optional<EtcdCerts> certs;
    private String initialCluster;
    private String rootPassword;
    private String netns; // null: the test's own namespace
    private Process process;
    private Thread cleanupHook;

    EtcdServer(String name, Path dir, Optional<EtcdCerts> certs) {
        this.name = name;
        this.dir = dir;
        this.clientPort = freePort();
        this.peerPort = freePort();
        this.certs = certs;
        this.initialCluster = name + "=" + peerUrl();
    }

    /** Starts a single plain-HTTP member and waits until it is healthy. */
    public static EtcdServer launch() {
        return launchWith(false);
    }

    /** Starts a single member that serves HTTPS only and requires a client certificate. */
    public static EtcdServer launchTls() {
        return launchWith(true);
    }

    /**
     * Starts a single plain-HTTP member inside network namespace {@code netns} (its loopback must be up), for an
     * agent that runs there; {@link #etcdctl} runs there too. The test's own JVM cannot reach it.
     */
    public static EtcdServer launchIn(String netns) {
        return launchWith(false, netns);
    }

    private static EtcdServer launchWith(boolean tls) {
        return launchWith(tls, null);
    }

    private static EtcdServer launchWith(boolean tls, String netns) {
        Path dir = tempDir("etcd");
        EtcdServer s = new EtcdServer(RunId.prefix() + "-etcd", dir,
                tls ? Optional.of(EtcdCerts.generate(dir)) : Optional.empty());
        s.netns = netns;
        try {
            s.start();
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    static Path tempDir(String tag) {
        try {
            Path shm = Path.of("/dev/shm");
            return Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, RunId.prefix() + "-" + tag + "-")
                    : Files.createTempDirectory(RunId.prefix() + "-" + tag + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void initialCluster(String cluster) { this.initialCluster = cluster; }

    String name() { return name; }

    /** The client URL, http:// or https://127.0.0.1:port. */
    public URI clientUrl() {
        return URI.create((certs.isPresent() ? "https" : "http") + "://127.0.0.1:" + clientPort);
    }

    String peerUrl() { return "http://127.0.0.1:" + peerPort; }

    /** The TLS material, if this member serves TLS. */
    public Optional<EtcdCerts> certs() { return certs; }

    /** The data and log directory. */
    public Path dir() { return dir; }

    /** Whether the etcd process is running. */
    public synchronized boolean running() { return process != null && process.isAlive(); }

    /** The PID of the running process. */
    public synchronized long pid() {
        if (process == null) throw new IllegalStateException("not running");
        return process.pid();
    }

    /** Starts (or restarts, same ports and data) the process and waits until healthy. */
    public synchronized void start() {
        launchProcess();
        awaitHealthy();
    }

    synchronized void launchProcess() {
        if (running()) throw new IllegalStateException(name + " already running");
        List<String> cmd = new ArrayList<>(inNetns());
        cmd.addAll(List.of("etcd", "--name", name, "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", clientUrl().toString(), "--advertise-client-urls", clientUrl().toString(),
                "--listen-peer-urls", peerUrl(), "--initial-advertise-peer-urls", peerUrl(),
                "--initial-cluster", initialCluster, "--initial-cluster-state", "new",
                "--initial-cluster-token", RunId.prefix() + "-tok",
                "--heartbeat-interval", "10", "--election-timeout", "100", "--logger", "zap", "--log-outputs", "stderr"));
        certs.ifPresent(c -> cmd.addAll(List.of("--cert-file", c.serverCert().toString(), "--key-file",
                c.serverKey().toString(), "--trusted-ca-file", c.caCert().toString(), "--client-cert-auth")));
        try {
            Path log = dir.resolve("etcd.log");
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start etcd (is etcd-server installed?)", e);
        }
        if (cleanupHook == null) {
            // a test JVM killed mid-run must not leave etcd behind: stop our own process by its handle
            cleanupHook = new Thread(this::close, name + "-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanupHook);
        }
    }

    /** Polls {@code etcdctl endpoint health} until it answers healthy, or fails with the log tail. */
    void awaitHealthy() {
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!running()) throw new IllegalStateException(name + " exited early: " + logTail());
            if (etcdctlRun(List.of("endpoint", "health", "--command-timeout=1s")).ok()) return;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(name + " not healthy within " + READY_TIMEOUT + ": " + logTail());
    }

    /** Stops the process (SIGTERM, then SIGKILL after 15 s) and waits until its PID is gone. */
    public synchronized void stop() {
        if (process == null) return;
        Process p = process;
        process = null;
        p.destroy();
        try {
            if (!p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        while (ProcessHandle.of(p.pid()).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Creates user root with {@code password}, grants it the root role and enables auth. */
    public synchronized void enableAuth(String password) {
        etcdctl("user", "add", "root", "--new-user-password=" + password);
        etcdctl("user", "grant-role", "root", "root");
        etcdctl("auth", "enable");
        rootPassword = password;
    }

    /** Runs etcdctl (v3 API) against this member with its TLS material and root credentials; returns stdout. */
    public String etcdctl(String... args) {
        return etcdctlRun(List.of(args)).check().out();
    }

    /** Runs etcdctl like {@link #etcdctl} but returns the result whatever the exit code. */
    public Sh.Result etcdctlRaw(String... args) {
        return etcdctlRun(List.of(args));
    }

    Sh.Result etcdctlRun(List<String> args) {
        List<String> cmd = new ArrayList<>(inNetns());
        cmd.addAll(List.of("etcdctl", "--endpoints=" + clientUrl(), "--dial-timeout=1s"));
        certs.ifPresent(c -> cmd.addAll(List.of("--cacert=" + c.caCert(), "--cert=" + c.clientCert(), "--key=" + c.clientKey())));
        if (rootPassword != null) cmd.add("--user=root:" + rootPassword);
        cmd.addAll(args);
        return Sh.run(cmd, 300);
    }

    /** {@code ip netns exec <ns>} (which execs the command: the process handle is etcd's own), or nothing. */
    private List<String> inNetns() {
        return netns == null ? List.of() : List.of("ip", "netns", "exec", netns);
    }

    /** The last lines of the etcd log, for failure messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("etcd.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops the process and deletes the data dir. */
    @Override
    public void close() {
        stop();
        deleteTree(dir);
        Thread hook;
        synchronized (this) {
            hook = cleanupHook;
            cleanupHook = null;
        }
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
