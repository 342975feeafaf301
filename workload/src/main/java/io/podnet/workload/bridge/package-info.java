/**
 * Single-host bridge networks (the reference {@code bridge} plugin's job): a Linux bridge with the gateway
 * address, one veth pair per attachment with the container end created directly inside the sandbox, and
 * addresses, routes and sysctls set inside the sandbox.
 * <pre>
 *   attach: ensureBridge ─▶ veth (host end pnv&lt;hash&gt;, peer = CNI_IFNAME in the sandbox)
 *           ─▶ host end: master bridge, mtu, hairpin, up ─▶ sandbox: mac, addresses, up, routes
 *   detach: delete CNI_IFNAME in the sandbox (the pair goes with it); else the host end; absent is fine
 * </pre>
 */
package io.podnet.workload.bridge;
