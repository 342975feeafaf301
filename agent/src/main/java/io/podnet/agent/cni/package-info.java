/**
 * The agent's CNI front door: {@link io.podnet.agent.cni.CniDispatcher} routes each request by plugin type
 * ({@code podnet} bridge networks, {@code podnet-ipam}, {@code podnet-flannel}) to a handler that runs IPAM and
 * the workload plumbing, undoing the IPAM step when the plumbing fails so nothing leaks.
 */
package io.podnet.agent.cni;
