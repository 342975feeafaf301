package io.podnet.dataplane;

import io.podnet.rtnetlink.Namespaces;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Rtnetlink;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;

/**
 * {@link Sandboxes} on real namespaces: a netlink handle opened inside the sandbox by a {@link Namespaces} worker
 * (a handle is a namespace: used from any thread afterwards), closed later by a worker (closing frees a shared
 * FFM arena, which handshakes with every thread of the JVM). Sandbox views have no sysctl or nft access.
 */
public final class NamespaceSandboxes implements Sandboxes {
    private final Namespaces workers;

    public NamespaceSandboxes(Namespaces workers) {
        this.workers = workers;
    }

    @Override
    public boolean exists(NetNs ns) { return ns.exists(); }

    @Override
    public Future<Kernel> open(NetNs ns) {
        return workers.submit(ns, () -> RtnetlinkKernel.sandbox(Rtnetlink.open(NetNs.current()), ns));
    }

    @Override
    public void release(Kernel sandbox) {
        if (sandbox instanceof RtnetlinkKernel k) workers.closeLater(k.handle());
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return workers.submit(workers.home(), task);
    }
}
