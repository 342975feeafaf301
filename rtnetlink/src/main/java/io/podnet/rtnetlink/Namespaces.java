package io.podnet.rtnetlink;

import io.podnet.rtnetlink.sys.Libc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one way podnet runs work inside a named network namespace, whichever thread asks: {@code setns} happens
 * only here, on platform threads, never on a virtual thread or a pooled carrier (STYLE.md "namespace rule").
 * Two shapes share the code that enters a namespace:
 * <ul>
 * <li>{@link #runIn(NetNs, Callable)}: a fresh platform thread that enters the namespace, runs the task and
 *     ends, so no thread is ever left in a foreign namespace (start-up work, rare calls);</li>
 * <li>an instance ({@link #pool}): a few reusable platform workers homed in one namespace. Every task starts with
 *     {@code setns} into its namespace (also when that is the home namespace, so a task never inherits whatever
 *     the previous one left) and ends with {@code setns} back home; a worker whose return fails is retired.
 *     Handing a task to an idle worker costs microseconds where starting a thread under load costs
 *     milliseconds: the CNI hot path (sandbox sockets) uses it.</li>
 * </ul>
 * <pre>
 *   caller (virtual or platform thread, any namespace)
 *      │ call(ns, task) / sysctl / exec("nft", "-f", "-")
 *      ▼
 *   worker: setns(ns) ── task ── setns(home) ──▶ result
 * </pre>
 * <p>Complicating factors: {@code /proc/sys/net} and a forked child resolve against the namespace of the
 * <em>thread</em> that opens or forks, so a sysctl or an {@code nft} run for "the host" must not simply run on the
 * calling thread (which may be a worker that sits in a sandbox): {@link #ensureSysctl} and {@link #exec} always
 * route through a worker. {@link NetNs#current()} means the namespace of this process's main thread
 * ({@code /proc/self/ns/net}), not the caller's. Workers are daemons and time out when idle; {@link #close}
 * closes the home descriptor.
 */
public final class Namespaces implements AutoCloseable {
    private final NetNs home;
    private final int homeFd;
    private final ThreadPoolExecutor pool;

    private Namespaces(NetNs home, int threads) throws IOException {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1: " + threads);
        this.home = home;
        this.homeFd = home.openFd();
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> Thread.ofPlatform().name("podnet-netns-" + n.incrementAndGet()).daemon(true).unstarted(r));
        pool.allowCoreThreadTimeOut(true);
    }

    /**
     * Workers homed in {@code home} (usually the agent's, {@link NetNs#current()}).
     *
     * @param threads how many tasks may run at once
     */
    public static Namespaces pool(NetNs home, int threads) throws IOException {
        return new Namespaces(home, threads);
    }

    public NetNs home() { return home; }

    // ---- one-shot threads ---------------------------------------------------------------------------------

    /**
     * Runs {@code task} inside {@code ns} on a fresh platform thread and returns its result. The thread ends
     * afterwards, so no thread is ever left in a foreign namespace.
     */
    public static <T> T runIn(NetNs ns, Callable<T> task) throws IOException {
        if (!ns.exists()) throw new SyscallException("setns", Errno.ENOENT, "no such namespace " + ns.path());
        return onFreshThread(() -> {
            enter(ns);
            return task.call();
        });
    }

    /** Runs {@code task} on a fresh platform thread that ends afterwards (for {@code unshare}). */
    static <T> T onFreshThread(Callable<T> task) throws IOException {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("podnet-netns").start(() -> {
            try {
                result.set(task.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running in a namespace", e);
        }
        Throwable f = failure.get();
        if (f != null) throw unwrap(f);
        return result.get();
    }

    private static void enter(NetNs ns) throws IOException {
        if (!ns.exists()) throw new NoSuchFileException(ns.path().toString(), null, "no such network namespace");
        int fd = ns.openFd();
        try {
            Libc.setns(fd, Libc.CLONE_NEWNET);
        } finally {
            Libc.close(fd);
        }
    }

    // ---- pooled workers -----------------------------------------------------------------------------------

    /** Runs {@code task} inside {@code ns} on a worker and returns its result. */
    public <T> T call(NetNs ns, Callable<T> task) throws IOException {
        return await(submit(ns, task));
    }

    /** Starts {@code task} inside {@code ns} on a worker. */
    public <T> Future<T> submit(NetNs ns, Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        pool.execute(() -> runOnWorker(ns, task, f));
        return f;
    }

    private <T> void runOnWorker(NetNs ns, Callable<T> task, CompletableFuture<T> f) {
        try {
            if (ns.equals(home)) Libc.setns(homeFd, Libc.CLONE_NEWNET);
            else enter(ns);
        } catch (IOException | RuntimeException e) {
            f.completeExceptionally(e);
            goHome();
            return;
        }
        try {
            f.complete(task.call());
        } catch (Throwable e) {
            f.completeExceptionally(e);
        } finally {
            goHome();
        }
    }

    private void goHome() {
        try {
            Libc.setns(homeFd, Libc.CLONE_NEWNET);
        } catch (SyscallException e) {
            // cannot happen for a valid fd; if it does, this thread must not run anything else
            throw new IllegalStateException("netns worker could not return home; retiring it", e);
        }
    }

    /** Waits for {@code f}, unwrapping its failure. */
    public static <T> T await(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for a namespace task", e);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        }
    }

    private static IOException unwrap(Throwable c) {
        if (c instanceof IOException io) return io;
        if (c instanceof RuntimeException re) throw re;
        if (c instanceof Error er) throw er;
        return new IOException(c);
    }

    /**
     * Opens a netlink handle whose socket lives in {@code ns} (usable from any thread afterwards). Use only its
     * links, addresses and routes: the handle believes it is in "the current" namespace, so its
     * {@code sysctls()} would follow the calling thread; use {@link #ensureSysctl} instead.
     */
    public Future<Rtnetlink> openHandle(NetNs ns) {
        return submit(ns, () -> Rtnetlink.open(NetNs.current()));
    }

    /**
     * Closes {@code handle} on a worker, off the caller's path: closing a netlink handle frees a shared FFM arena,
     * which handshakes with every thread of the JVM (about a millisecond with a few dozen threads).
     */
    public void closeLater(AutoCloseable handle) {
        try {
            pool.execute(() -> closeQuietly(handle));
        } catch (RejectedExecutionException e) {
            closeQuietly(handle);
        }
    }

    private static void closeQuietly(AutoCloseable handle) {
        try {
            handle.close();
        } catch (Exception e) {
            // nothing to do: the descriptor is released either way
        }
    }

    // ---- sysctls and commands -----------------------------------------------------------------------------

    /**
     * {@code sysctl -w KEY=VALUE} in {@code ns}, written only when it differs. Keys use slashes or dots as in
     * {@code net/ipv4/ip_forward}; interface names with dots need the slash form.
     */
    public void ensureSysctl(NetNs ns, String key, String value) throws IOException {
        Path p = Sysctls.path(key);
        call(ns, () -> {
            if (!Files.readString(p).strip().equals(value)) Files.writeString(p, value);
            return null;
        });
    }

    /** {@code sysctl -n KEY} in {@code ns}; empty when the key does not exist (e.g. its device is gone). */
    public Optional<String> readSysctl(NetNs ns, String key) throws IOException {
        Path p = Sysctls.path(key);
        return call(ns, () -> {
            try {
                return Optional.of(Files.readString(p).strip());
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
        });
    }

    /** What a command run by {@link #exec} printed (stdout and stderr together) and its exit status. */
    public record Output(int exit, String out) {
        public boolean ok() { return exit == 0; }
    }

    /**
     * Runs {@code command} (e.g. {@code nft -f -}) as a child forked from a worker inside {@code ns}, so the child
     * lives in {@code ns}; writes {@code stdin} to it and waits up to {@code timeout}.
     */
    public Output exec(NetNs ns, List<String> command, String stdin, java.time.Duration timeout) throws IOException {
        return call(ns, () -> {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new IOException(command.getFirst() + " did not finish within " + timeout);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted running " + command.getFirst(), e);
            }
            return new Output(p.exitValue(), out);
        });
    }

    @Override
    public void close() throws IOException {
        pool.shutdown();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Libc.close(homeFd);
    }
}
