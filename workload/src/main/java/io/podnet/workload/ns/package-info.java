/**
 * Work that must happen inside a particular network namespace, whichever thread asks for it:
 * {@link io.podnet.workload.ns.NetnsThreads} runs each task on a platform thread that first enters the task's
 * namespace explicitly ({@code setns}), so opening a sandbox's netlink socket, writing {@code /proc/sys/net}
 * and spawning {@code nft} target the namespace they name, never the caller's.
 * <pre>
 *   caller (virtual or platform thread, any namespace)
 *      │ call(ns, task)
 *      ▼
 *   NetnsThreads: platform worker ── setns(ns) ── task ── setns(home) ──▶ result
 * </pre>
 */
package io.podnet.workload.ns;
