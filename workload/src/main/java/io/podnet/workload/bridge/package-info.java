/**
 * Single-host bridge networks (the reference {@code bridge} plugin's job): a Linux bridge with the gateway
 * address, one veth pair per attachment with the container end created directly inside the sandbox, and
 * addresses and routes set inside the sandbox.
 * <pre>
 *   attach: bridge (cached; ensureBridge every 10 s or when missing)
 *           ─▶ veth: host end pnv&lt;hash&gt; created up, with our MAC, master bridge, [mtu]; peer = CNI_IFNAME born
 *              in the sandbox (EEXIST → InterfaceExistsException if the sandbox has the name, else a crashed
 *              attempt's leftover: removed, created again)
 *           ─▶ host end: [hairpin] ─▶ sandbox (socket opened early by a NetnsThreads worker): mac, [mtu], lo up,
 *              addresses, up, routes
 *   detach: delete the host end (the pair goes with it); absent is fine; a sandbox interface podnet did not
 *           make is never touched
 * </pre>
 */
package io.podnet.workload.bridge;
