package io.podnet.dataplane.fake;

import io.podnet.dataplane.Kernel;
import io.podnet.dataplane.Sandboxes;
import io.podnet.rtnetlink.NetNs;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * Namespaces in memory: one {@link FakeKernel} per namespace, so a veth made in the host can have its peer born
 * in a pod, and the per-pod steps reach pods through {@link Sandboxes} without root. Tasks submitted to the
 * "worker" run at once on the caller's thread, which keeps tests deterministic. Thread-safe.
 * <pre>{@code
 * var net = new FakeNetwork();
 * FakeKernel host = net.host();
 * FakeKernel pod = net.add("pod1");          // NetNs.at(/fake/pod1)
 * }</pre>
 */
public final class FakeNetwork implements Sandboxes {
    public static final NetNs HOST = NetNs.at(Path.of("/fake/host"));
    private final Map<NetNs, FakeKernel> kernels = new LinkedHashMap<>();

    public FakeNetwork() {
        add(HOST);
    }

    public FakeKernel host() { return kernel(HOST); }

    /** Creates namespace {@code /fake/NAME}. */
    public FakeKernel add(String name) { return add(ns(name)); }

    public synchronized FakeKernel add(NetNs ns) {
        if (kernels.containsKey(ns)) throw new IllegalStateException("namespace exists: " + ns);
        FakeKernel k = new FakeKernel(ns, this);
        kernels.put(ns, k);
        return k;
    }

    /** Deletes a namespace (its veth ends go, and with them their peers elsewhere). */
    public void remove(NetNs ns) {
        FakeKernel k;
        synchronized (this) {
            k = kernels.remove(ns);
        }
        if (k == null) return;
        for (var l : k.links()) {
            if (!l.name().equals("lo")) {
                try {
                    k.removeLink(l.name());
                } catch (IllegalStateException gone) {
                    // already removed with its peer
                }
            }
        }
    }

    public static NetNs ns(String name) { return NetNs.at(Path.of("/fake", name)); }

    public synchronized FakeKernel kernel(NetNs ns) {
        FakeKernel k = kernels.get(ns);
        if (k == null) throw new IllegalStateException("no namespace " + ns);
        return k;
    }

    synchronized FakeKernel kernelIfPresent(NetNs ns) { return kernels.get(ns); }

    @Override
    public synchronized boolean exists(NetNs ns) { return kernels.containsKey(ns); }

    @Override
    public Future<Kernel> open(NetNs ns) {
        FakeKernel k = kernelIfPresent(ns);
        return k != null ? CompletableFuture.completedFuture(k)
                : CompletableFuture.failedFuture(new NoSuchFileException(ns.path().toString(), null, "no such network namespace"));
    }

    @Override
    public void release(Kernel sandbox) {
        // nothing to close
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        try {
            return CompletableFuture.completedFuture(task.call());
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
