/**
 * The {@code podnet-ipam} CNI plugin logic: host-local semantics (ADD allocates, DEL releases, CHECK verifies)
 * plus GC over {@code cni.dev/valid-attachments} and STATUS, on the {@link io.podnet.ipam.store.LocalIpamStore}.
 * The agent wires {@link io.podnet.ipam.cni.IpamCniHandler} into its {@code CniHandler} for requests from the
 * {@code podnet-ipam} binary, and calls it directly for the IPAM step of its own main plugin.
 */
package io.podnet.ipam.cni;
