package io.podnet.bgp.interop;

import io.podnet.bgp.speaker.TcpTransport;
import io.podnet.bgp.speaker.Transport;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs the in-process speaker's socket creation inside a named network namespace: every connect/listen
 * happens on one dedicated platform thread that called {@code setns(open("/run/netns/<name>"), CLONE_NEWNET)}.
 * Sockets keep their namespace, so they are then used from any thread (a handle is a namespace).
 */
final class NetnsTransport implements Transport, AutoCloseable {
    private static final int CLONE_NEWNET = 0x40000000;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SETNS = LINKER.downcallHandle(LINKER.defaultLookup().find("setns").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final Transport delegate = new TcpTransport();
    private final ExecutorService thread;

    NetnsTransport(String netns) {
        thread = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("netns-" + netns).unstarted(() -> {
            enter(netns);
            r.run();
        }));
    }

    private static void enter(String netns) {
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(a.allocateFrom("/run/netns/" + netns), 0x80000 /* O_CLOEXEC */);
            if (fd < 0) throw new IllegalStateException("open /run/netns/" + netns + " failed");
            int rc = (int) SETNS.invokeExact(fd, CLONE_NEWNET);
            int ignored = (int) CLOSE.invokeExact(fd);
            if (rc != 0) throw new IllegalStateException("setns " + netns + " failed");
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private <T> T inNs(Callable<T> c) throws IOException {
        try {
            return thread.submit(c).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public Channel connect(InetSocketAddress remote, Optional<InetAddress> local, Optional<String> md5Key, Duration timeout)
            throws IOException {
        return inNs(() -> delegate.connect(remote, local, md5Key, timeout));
    }

    @Override
    public Listener listen(InetSocketAddress local, boolean md5) throws IOException {
        return inNs(() -> delegate.listen(local, md5));
    }

    @Override
    public void close() { thread.shutdownNow(); }
}
