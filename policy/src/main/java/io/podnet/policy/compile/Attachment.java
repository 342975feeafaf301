package io.podnet.policy.compile;

/**
 * How a local endpoint is wired, which decides where its policy is enforced.
 * <ul>
 *   <li>{@link #ROUTED}: calico mode; the host veth ({@code interfaceName}) is the pod's own interface, so
 *       traffic is dispatched by interface name in the {@code inet} forward and input hooks.</li>
 *   <li>{@link #BRIDGED}: bridge and overlay modes; the interface is a bridge port. Traffic the node routes
 *       (to and from other nodes, other bridges, the node itself) and traffic between two ports of the same
 *       bridge (which reaches the IP layer because the bridge's ports are isolated and the node answers ARP for
 *       the subnet, or because br_netfilter is on) is dispatched by the pod's addresses in the {@code inet}
 *       hooks; a stateless {@code bridge}-family chain drops frames whose source address is not the port's.</li>
 * </ul>
 */
public enum Attachment {
    ROUTED, BRIDGED
}
