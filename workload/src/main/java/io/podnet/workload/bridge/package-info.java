/**
 * Single-host bridge networks (the reference {@code bridge} plugin's job): a Linux bridge with the gateway
 * address, one veth pair per attachment with the container end created directly inside the sandbox, and
 * addresses and routes set inside the sandbox. The node's share (bridge, gateways, sysctls, masquerade, ports) is
 * desired state in the NodeDataplane ({@link io.podnet.workload.bridge.NodeBridge}, persisted and restored by
 * {@link io.podnet.workload.bridge.BridgeNetworks}); the per-pod steps go through the Kernel seam.
 * <pre>
 *   ADD:  BridgeNetworks.prepare(net) ─▶ record written ─▶ NodeBridge.join(gateways, subnets)
 *           (new state: NodeDataplane.applyNow(): bridge, gateways, accept_ra, forwarding, cni_masq_&lt;net&gt;)
 *         ─▶ BridgeNetwork.attach: veth host end pnv&lt;hash&gt; up, our MAC, master bridge, [mtu]; peer = CNI_IFNAME born
 *              in the sandbox (EEXIST → InterfaceExistsException if the sandbox has the name, else a crashed
 *              attempt's leftover: removed, created again; ENODEV → the node applies now, tried again)
 *           ─▶ port recorded ─▶ [hairpin] ─▶ sandbox (view opened early on a worker): mac, [mtu], lo up, addresses, up, routes
 *   DEL:  port withdrawn ─▶ reap the host end (the pair goes with it); absent is fine; a sandbox interface podnet
 *         did not make is never touched ─▶ last endpoint: NodeBridge.leave (the loop removes the state)
 *   start: BridgeNetworks.restore: every network with reservations gets its state and ports back before the first pass
 * </pre>
 */
package io.podnet.workload.bridge;
