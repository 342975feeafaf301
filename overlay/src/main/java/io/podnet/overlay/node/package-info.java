/**
 * The overlay on one node ({@link io.podnet.overlay.node.OverlayNode}, flanneld's job): leases, the backend
 * device and the remote nodes' state, all written as desired state into the node dataplane, persisted so a
 * restart programs it before etcd answers.
 * <pre>
 *   LeaseWatcher ──events──▶ OverlayNode.recompute ──BackendPlanner──▶ OverlayPlan ──replaceOwned("overlay")──▶ neigh · fdb · routes
 *                                                                                   └──▶ udp tunnel routes (udp)
 *   OverlayNode.start/renew ── Retry (Backoff on the injected Scheduler) ── SubnetManager (etcd)
 * </pre>
 */
package io.podnet.overlay.node;
