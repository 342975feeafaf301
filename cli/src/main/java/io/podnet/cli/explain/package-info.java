/**
 * {@code podnet explain}: why a packet from one pod does or does not reach another, taken from the kernels.
 * <pre>
 *   KernelReader (per namespace: rtnetlink links/addrs/routes/neigh/FDB, ip rule, netns ids, nft -j, sysctls)
 *   ControlPlaneReader (etcd: overlay config, leases, IPAM blocks)      ──►  Cluster (snapshots + ControlPlane)
 *                                                                                 │
 *   Flow (src, dst, proto, port, size, DF) ─────────────────────────────────► PathWalker (pure)
 *                                                       routes (Routing) · L2 (ARP, bridges, veths) · Tunnels
 *                                                       · nft.NftEvaluator per hook
 *                                                                                 │
 *                                                           Explanation: hops, REACHABLE / STOPPED (hop, reason, fix) / LEFT
 * </pre>
 * The walker never touches a kernel: tests hand it snapshots made by hand. New modes plug in as data: a
 * routed (calico-style) node is veths with proxy ARP, /32 and blackhole routes, ipip/vxlan devices; IPAM
 * blocks and BGP sessions in the {@link io.podnet.cli.explain.ControlPlane} annotate the hops; policy chains
 * are evaluated like any nft chain.
 */
package io.podnet.cli.explain;
