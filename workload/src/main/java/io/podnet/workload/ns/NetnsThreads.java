package io.podnet.workload.ns;

import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Rtnetlink;
import io.podnet.rtnetlink.sys.Libc;
import io.podnet.rtnetlink.sys.SyscallException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A few reusable platform threads that run tasks inside an explicitly named network namespace. Every task
 * starts with {@code setns} into its namespace (also when that is the home namespace, so a task never inherits
 * whatever namespace the previous one left) and ends with {@code setns} back home; a thread whose return
 * fails is retired. This replaces "one new platform thread + setns per sandbox" ({@link NetNs#run}) on the hot
 * path: handing a task to an idle worker costs microseconds, starting a thread under load costs milliseconds.
 * <p>Complicating factors: {@code /proc/sys/net} and a forked child resolve against the namespace of the
 * <em>thread</em> that opens or forks, so a sysctl for "the host" must not simply run on the calling thread
 * (which may be a worker that sits in a sandbox); {@link #ensureSysctl} always routes through a worker.
 * {@link NetNs#current()} means the namespace of this process's main thread ({@code /proc/self/ns/net}), not
 * the caller's. Workers are daemons and time out when idle; {@link #close} closes the home descriptor.
 */
public final class NetnsThreads implements AutoCloseable {
    private final NetNs home;
    private final int homeFd;
    private final ThreadPoolExecutor pool;

    /**
     * @param home the namespace workers return to between tasks (usually the agent's, {@link NetNs#current()})
     * @param threads how many tasks may run at once
     */
    public NetnsThreads(NetNs home, int threads) throws IOException {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1: " + threads);
        this.home = home;
        this.homeFd = home.openFd();
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> Thread.ofPlatform().name("podnet-netns-" + n.incrementAndGet()).daemon(true).unstarted(r));
        pool.allowCoreThreadTimeOut(true);
    }

    public NetNs home() { return home; }

    /** Runs {@code task} inside {@code ns} on a worker and returns its result. */
    public <T> T call(NetNs ns, Callable<T> task) throws IOException {
        return await(submit(ns, task));
    }

    /** Starts {@code task} inside {@code ns} on a worker. */
    public <T> Future<T> submit(NetNs ns, Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        pool.execute(() -> runIn(ns, task, f));
        return f;
    }

    private <T> void runIn(NetNs ns, Callable<T> task, CompletableFuture<T> f) {
        try {
            enter(ns);
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

    private void enter(NetNs ns) throws IOException {
        if (ns.equals(home)) {
            Libc.setns(homeFd, Libc.CLONE_NEWNET);
            return;
        }
        if (!ns.exists()) throw new NoSuchFileException(ns.path().toString(), null, "no such network namespace");
        int fd = ns.openFd();
        try {
            Libc.setns(fd, Libc.CLONE_NEWNET);
        } finally {
            Libc.close(fd);
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
            Throwable c = e.getCause();
            if (c instanceof IOException io) throw io;
            if (c instanceof RuntimeException re) throw re;
            if (c instanceof Error er) throw er;
            throw new IOException(c);
        }
    }

    /**
     * Opens a netlink handle whose socket lives in {@code ns} (usable from any thread afterwards). Use only its
     * links, addresses and routes: the handle believes it is in "the current" namespace, so its
     * {@code sysctls()} would follow the calling thread — use {@link #ensureSysctl} instead.
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
            pool.execute(() -> {
                try {
                    handle.close();
                } catch (Exception e) {
                    // nothing to do: the descriptor is released either way
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            try {
                handle.close();
            } catch (Exception ignored) {
                // as above
            }
        }
    }

    /**
     * {@code sysctl -w KEY=VALUE} in {@code ns}, written only when it differs. Keys use slashes or dots as in
     * {@code net/ipv4/ip_forward}; interface names with dots need the slash form.
     */
    public void ensureSysctl(NetNs ns, String key, String value) throws IOException {
        Path p = sysctlPath(key);
        call(ns, () -> {
            if (!Files.readString(p).strip().equals(value)) Files.writeString(p, value);
            return null;
        });
    }

    /** {@code sysctl -n KEY} in {@code ns}. */
    public String readSysctl(NetNs ns, String key) throws IOException {
        Path p = sysctlPath(key);
        return call(ns, () -> Files.readString(p).strip());
    }

    static Path sysctlPath(String key) {
        String rel = key.contains("/") ? key : key.replace('.', '/');
        if (rel.startsWith("/")) rel = rel.substring(1);
        if (rel.isEmpty() || rel.contains("..")) throw new IllegalArgumentException("invalid sysctl key: " + key);
        return Path.of("/proc/sys").resolve(rel);
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
