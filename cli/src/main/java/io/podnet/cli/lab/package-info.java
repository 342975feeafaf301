/**
 * The local lab: a cluster in network namespaces on one machine.
 * <pre>
 *   &lt;p&gt;-sw   bridge br0 192.168.200.254/24 ── etcd (http://192.168.200.254:2379)
 *     ├── veth ── &lt;p&gt;-n1  eth0 192.168.200.1/24   podnet agent (overlay) ── pods &lt;p&gt;-n1-p1, &lt;p&gt;-n1-p2
 *     ├── veth ── &lt;p&gt;-n2  eth0 192.168.200.2/24   podnet agent             ── pods ...
 *     └── ...
 * </pre>
 * Pods are attached by executing the CNI plugin exactly as a runtime does (env + stdin). Everything the lab
 * makes carries its prefix and is listed in {@code state.json} under the lab directory, so {@code down}
 * removes it all, also after a crash (it falls back to scanning for the prefix).
 */
package io.podnet.cli.lab;
