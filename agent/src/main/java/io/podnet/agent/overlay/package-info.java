/**
 * The agent's overlay mode (flanneld's job): lease a subnet, set up the backend device, write subnet.env,
 * and keep the kernel in line with every other node's lease.
 * <pre>
 *   LeaseWatcher ──events──▶ OverlayAgent.recompute ──BackendPlanner──▶ OverlayPlan ──▶ OverlayDataplane.apply
 *                                                                                   └──▶ UdpTunnel.setRoutes (udp)
 * </pre>
 */
package io.podnet.agent.overlay;
