/**
 * The overlay backends as pure functions from leases to desired kernel state (flannel's vxlan, host-gw and
 * udp). Nothing here talks to the kernel: {@link io.podnet.overlay.backend.OverlayPlan} is handed to the
 * dataplane tables, which diff it against the kernel and apply.
 * <pre>
 *   my lease + remote leases + NetworkConfig ──compute──▶ OverlayPlan { neighbours, FDB entries, routes, udp routes }
 * </pre>
 */
package io.podnet.overlay.backend;
