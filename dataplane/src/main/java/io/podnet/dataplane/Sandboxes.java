package io.podnet.dataplane;

import io.podnet.rtnetlink.NetNs;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;

/**
 * The seam the per-pod ensure-steps reach sandboxes through: a {@link Kernel} view inside a pod's namespace
 * (opened on a worker, so the caller can overlap it with IPAM), released off the caller's path, and a worker for
 * host-side work that should overlap too. Real: {@link NamespaceSandboxes}; tests: the test-jar's
 * {@code FakeNetwork}, whose namespaces are in memory.
 */
public interface Sandboxes {

    /** True when {@code ns} exists (a CNI_NETNS that names nothing is the runtime's error, code 3). */
    boolean exists(NetNs ns);

    /** Starts opening a kernel view inside {@code ns}; fails (when awaited) if the namespace does not exist. */
    Future<Kernel> open(NetNs ns);

    /** Closes a view from {@link #open}, off the caller's path. */
    void release(Kernel sandbox);

    /** Runs {@code task} on a worker in the host namespace. */
    <T> Future<T> submit(Callable<T> task);
}
